"""Intake: every channel's touchpoints come in here, and customers who leave the queue."""

from __future__ import annotations

import asyncio

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from services.domain.errors import InvalidInput
from services.domain.inbox import InboundMessage, IngestResult
from services.hub.customers import CustomerDirectory
from services.hub.router import Router
from services.hub.snoozes import Snoozes
from services.hub.state import IN_QUEUE, WORKING, Conv, LiveState, State
from services.hub.transitions import Transitions
from services.protocol.events import EventName
from services.store import tables
from services.store.rows import add_lifecycle, item_view, timeline_row
from services.store.store import Store
from services.store.writer import WriteBatch


class Intake:
    def __init__(
        self,
        store: Store,
        state: LiveState,
        customers: CustomerDirectory,
        router: Router,
        transitions: Transitions,
        snoozes: Snoozes,
    ) -> None:
        self.store = store
        self.state = state
        self.customers = customers
        self.router = router
        self.transitions = transitions
        self.snoozes = snoozes
        self._locks: dict[int, asyncio.Lock] = {}

    async def ingest(self, msg: InboundMessage) -> IngestResult:
        """Record a touchpoint; the provider is acknowledged only after this returns."""
        value = self.customers.normalise(msg.identity_kind, msg.identity_value)
        customer_id = await self.customers.resolve(
            msg.identity_kind, value, msg.display_name, msg.verified
        )
        if msg.claims:
            await self.customers.add_claims(customer_id, msg.claims, msg.display_name)
        lock = self._locks.setdefault(customer_id, asyncio.Lock())
        async with lock:
            return await self._ingest_locked(customer_id, msg)

    async def _ingest_locked(self, customer_id: int, msg: InboundMessage) -> IngestResult:
        conv = self.state.open_conversation(customer_id, msg.channel)
        created: Conv | None = None
        if conv is None:
            created = self.router.new_conversation(
                customer_id, msg.channel, msg.subject or msg.text
            )
            conv = created
        elif conv.state in WORKING and conv.operator_id is not None:
            owner = self.state.operators.get(conv.operator_id)
            if owner is None or owner.presence == "offline":
                await self.router.requeue(conv)

        target = conv.holder
        author = msg.display_name or self.state.names.get(customer_id, "")
        known = conv

        def job(b: WriteBatch) -> tuple[int, int]:
            if created is not None:
                conv_id = b.next_id(tables.conversations)
                _insert_conversation(b, conv_id, created)
            else:
                conv_id = known.id
                b.add_update_activity(conv_id)
            item_id = b.next_id(tables.timeline)
            row = timeline_row(
                item_id=item_id,
                customer_id=customer_id,
                conversation_id=conv_id,
                kind=msg.kind,
                channel=msg.channel,
                direction="in",
                author_operator_id=None,
                author_label=author,
                subject=msg.subject,
                body=msg.text,
                attachments=msg.attachments,
                extra=msg.extra,
                provider_id=msg.provider_id,
                created_at=b.now,
            )
            b.add(tables.timeline, row)
            if target is not None:
                b.emit(target, EventName.TIMELINE_ITEM, {"item": item_view(row)})
            if created is not None:
                created.queued_at = b.now  # the instant the row says, read from one place
            return conv_id, item_id

        try:
            conv_id, item_id = await self.store.write(job)
        except IntegrityError:
            if msg.provider_id is None:
                raise
            # The provider sent this message before: the first copy stands.
            timeline = tables.timeline
            found = await self.store.read(
                lambda c: c.execute(
                    select(timeline.c.id, timeline.c.conversation_id).where(
                        timeline.c.channel == msg.channel,
                        timeline.c.provider_id == msg.provider_id,
                    )
                ).first()
            )
            if found is None:
                raise
            return IngestResult(customer_id, found.conversation_id or 0, found.id, duplicate=True)
        if created is not None:
            created.id = conv_id
            self.state.register(created)
            self.transitions.queue_changed(created, None)
            self.router.request()
        elif conv.state == State.QUEUED:
            self.router.request()
        else:
            await self.snoozes.customer_wrote(conv)
        return IngestResult(customer_id, conv_id, item_id)

    async def abandon(self, kind: str, raw: str, channel: str) -> bool:
        """The customer left before anyone answered (closed the chat, hung up in the queue)."""
        try:
            value = self.customers.normalise(kind, raw)
        except InvalidInput:
            return False
        customer_id = self.customers.cached(kind, value)
        conv = (
            self.state.open_conversation(customer_id, channel) if customer_id is not None else None
        )
        if conv is None or conv.state not in IN_QUEUE:
            return False
        await self.transitions.run(
            conv,
            None,
            IN_QUEUE,
            State.ABANDONED,
            "abandoned",
            {"abandoned_at": True, "closed_at": True, "offered_to": None},
        )
        return True


def _insert_conversation(b: WriteBatch, conv_id: int, conv: Conv) -> None:
    b.add(
        tables.conversations,
        {
            "id": conv_id,
            "customer_id": conv.customer_id,
            "channel": conv.channel,
            "queue_id": conv.queue_id,
            "state": State.QUEUED,
            "operator_id": None,
            "offered_to": None,
            "preferred_operator_id": conv.preferred_operator_id,
            "subject": conv.subject,
            "version": 0,
            "queued_at": b.now,
            "hold_seconds": 0.0,
            "last_activity_at": b.now,
            "created_at": b.now,
        },
    )
    add_lifecycle(b, conv_id, "queued", None, conv.queue_id)
