"""Calls: one timeline item per call (the ring, completed by its end with duration,
disposition and recording), call control sent to the PBX as the operator works the call
(accept answers, hold and resume, end hangs up), and a missed or abandoned call left in the
queue as a callback task."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import select, update

from services.domain.inbox import ChannelAdapter, InboundMessage, IngestResult
from services.hub.state import IN_QUEUE, Conv, LiveState
from services.protocol.events import EventName
from services.store import tables
from services.store.rows import add_lifecycle, item_view
from services.store.store import Store
from services.store.writer import WriteBatch

log = logging.getLogger(__name__)

VOICE = "voice"
CALLBACK_TAG = "callback"
# What of a call's end the feed shows on the call's item (services/protocol: docs §5).
END_FIELDS = ("duration_s", "disposition", "recording", "cause")
# Operator commands and what each asks of the PBX for a call.
CONTROL = {
    "conversation.accept": "answer",
    "conversation.hold": "hold",
    "conversation.resume": "unhold",
    "conversation.end": "hangup",
}


def call_of(msg: InboundMessage) -> dict[str, Any]:
    call = msg.extra.get("call")
    return call if isinstance(call, dict) else {}


def is_call_end(msg: InboundMessage) -> bool:
    return msg.channel == VOICE and call_of(msg).get("state") == "ended"


class Calls:
    def __init__(
        self,
        store: Store,
        state: LiveState,
        adapters: dict[str, ChannelAdapter],
        spawn: Callable[[Awaitable[Any]], None],
        queue_changed: Callable[..., None],
    ) -> None:
        self.store = store
        self.state = state
        self.adapters = adapters
        self.spawn = spawn
        self.queue_changed = queue_changed

    # -- the call's end -------------------------------------------------------------------
    async def ended(self, customer_id: int, msg: InboundMessage) -> IngestResult | None:
        """Complete the ring's item with how the call ended (no second item, and never a new
        conversation for a call that is over). None: the ring is not known (handled as a
        touchpoint of its own)."""
        call = call_of(msg)
        channel_id = str(call.get("channel_id") or "")
        if not channel_id:
            return None
        timeline = tables.timeline
        ring = await self.store.read(
            lambda c: c.execute(
                select(timeline).where(
                    timeline.c.channel == VOICE, timeline.c.provider_id == channel_id
                )
            ).first()
        )
        if ring is None:
            return None
        conv = self.state.convs.get(ring.conversation_id) if ring.conversation_id else None
        end = {k: call[k] for k in END_FIELDS if call.get(k) not in (None, "")}
        extra = {
            **(ring.extra or {}),
            **end,
            "call": {**(ring.extra or {}).get("call", {}), **call},
        }
        recipients = {conv.holder} if conv is not None and conv.holder else set()
        if ring.author_operator_id:
            recipients.add(ring.author_operator_id)

        def job(b: WriteBatch) -> dict[str, Any]:
            b.execute(update(timeline).where(timeline.c.id == ring.id).values(extra=extra))
            view = item_view({**ring._mapping, "extra": extra})
            for op_id in recipients:
                b.emit(op_id, EventName.TIMELINE_ITEM, {"item": view})
            return view

        await self.store.write(job)
        return IngestResult(customer_id, int(ring.conversation_id or 0), int(ring.id), False)

    async def missed(self, conv: Conv) -> bool:
        """The caller hung up before anyone took the call: it stays in the queue as a task to
        call them back (tagged, first in its queue's order)."""
        if conv.channel != VOICE or conv.state not in IN_QUEUE:
            return False
        tags = sorted({*conv.tags, CALLBACK_TAG})
        convs = tables.conversations

        def job(b: WriteBatch) -> None:
            b.execute(
                update(convs)
                .where(convs.c.id == conv.id)
                .values(tags=tags, priority="high", version=convs.c.version + 1)
            )
            add_lifecycle(b, conv.id, "callback", None, conv.queue_id, {"reason": "missed"})

        await self.store.write(job)
        state_before = conv.state
        self.state.change(conv, tags=tags, priority="high", version=conv.version + 1)
        self.queue_changed(conv, state_before)
        return True

    # -- call control ---------------------------------------------------------------------
    def follow(self, command: str, conversation_id: int) -> None:
        """After an operator's command on a call, ask the PBX to do the same (best effort: a
        call that is gone already is no error of the operator's)."""
        action = CONTROL.get(command)
        conv = self.state.convs.get(conversation_id)
        if action is None or conv is None or conv.channel != VOICE or not conv.call_id:
            return
        if CALLBACK_TAG in conv.tags:
            return  # the caller is gone: the operator calls back, nothing rings
        adapter = self.adapters.get(VOICE)
        method = getattr(adapter, action, None)
        if not callable(method):
            return
        self.spawn(self._control(method, action, conv.call_id))

    async def _control(
        self, method: Callable[[str], Awaitable[None]], action: str, call_id: str
    ) -> None:
        try:
            await method(call_id)
        except Exception as exc:
            log.warning("the PBX did not %s the call (%s)", action, type(exc).__name__)
