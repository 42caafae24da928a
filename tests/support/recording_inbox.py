"""An inbox that records what an adapter hands the hub, for adapter tests that look at the
normalised model itself (the gateway tests use the real hub)."""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass, field
from typing import Any

from services.domain.inbox import CsatAnswer, InboundMessage, IngestResult


@dataclass
class Receipt:
    channel: str
    provider_id: str
    state: str
    error: str = ""


@dataclass
class RecordingInbox:
    messages: list[InboundMessage] = field(default_factory=list)
    receipts: list[Receipt] = field(default_factory=list)
    claims: list[tuple[str, str, dict[str, str], bool]] = field(default_factory=list)
    abandoned: list[tuple[str, str, str]] = field(default_factory=list)
    proven: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    # Outgoing provider ids receipts may name (anything else is refused, like the hub does).
    known_outgoing: set[tuple[str, str]] = field(default_factory=set)
    # Set to make the next ingest fail (the hub down mid-way): the adapter must not acknowledge.
    fail_next: BaseException | None = None
    arrived: asyncio.Event = field(default_factory=asyncio.Event)
    _ids: Any = field(default_factory=lambda: itertools.count(1))
    _seen: dict[tuple[str, str], IngestResult] = field(default_factory=dict)

    async def ingest(self, msg: InboundMessage) -> IngestResult:
        if self.fail_next is not None:
            exc, self.fail_next = self.fail_next, None
            raise exc
        key = (msg.channel, msg.provider_id) if msg.provider_id else None
        if key is not None and key in self._seen:
            first = self._seen[key]
            return IngestResult(first.customer_id, first.conversation_id, first.event_id, True)
        result = IngestResult(1, 1, next(self._ids))
        if key is not None:
            self._seen[key] = result
        self.messages.append(msg)
        self.arrived.set()
        return result

    async def wait_for(self, count: int, timeout: float = 10.0) -> list[InboundMessage]:
        async def enough() -> None:
            while len(self.messages) < count:
                self.arrived.clear()
                await self.arrived.wait()

        await asyncio.wait_for(enough(), timeout)
        return self.messages

    async def receipt(self, channel: str, provider_id: str, state: str, error: str = "") -> bool:
        if (channel, provider_id) not in self.known_outgoing:
            return False
        self.receipts.append(Receipt(channel, provider_id, state, error))
        return True

    async def set_delivery(self, event_id: int, state: str, **kwargs: Any) -> None:
        raise AssertionError("adapters report receipts by provider id (Inbox.receipt)")

    async def abandon(self, kind: str, raw: str, channel: str) -> bool:
        self.abandoned.append((kind, raw, channel))
        return True

    async def claim(
        self, kind: str, value: str, claims: dict[str, str], *, verified: bool = False
    ) -> None:
        self.claims.append((kind, value, claims, verified))

    async def prove(self, kind: str, value: str, proven: dict[str, str]) -> list[str]:
        self.proven.append((kind, value, proven))
        return list(proven)

    async def rate(self, kind: str, value: str, answer: CsatAnswer) -> dict[str, Any]:
        return {"conversation_id": answer.conversation_id, "rating": answer.rating}

    async def awaiting_rating(self, kind: str, value: str, channel: str) -> int | None:
        return None
