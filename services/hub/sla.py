"""Response timers: what the operator owes the customer, and a breach recorded once.

A conversation owes a response while the customer's oldest unanswered message waits
(``Conv.awaiting_since``): the first response until the operator's first reply, then the next
one whenever the customer writes again in an answered conversation. Its target comes from the
queue's override or the channel's default (``services.protocol.channels.response_target``).
When the due time passes with no reply, the hub records the lifecycle event ``sla_breached``
once per owed response: the store's compare-and-set on ``sla_breached_at`` keeps it once across
restarts and nodes. A reply after the breach still clears what is owed.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import update

from services.hub.state import Conv, LiveState
from services.protocol.events import EventName
from services.store import tables
from services.store.models import utcnow
from services.store.rows import add_lifecycle
from services.store.store import Store
from services.store.writer import WriteBatch

log = logging.getLogger(__name__)

# A breach that could not be written is tried again after this long.
RETRY_S = 5.0


class ResponseTimers:
    def __init__(
        self, store: Store, state: LiveState, spawn: Callable[[Awaitable[Any]], None]
    ) -> None:
        self.store = store
        self.state = state
        self.spawn = spawn
        self._timers: dict[int, asyncio.TimerHandle] = {}

    def close(self) -> None:
        for handle in self._timers.values():
            handle.cancel()
        self._timers.clear()

    def schedule(self, conv: Conv) -> None:
        """Set the conversation's timer to what it owes now (none: nothing owed, or its breach
        is recorded already). An overdue one fires at once, as after a restart."""
        self.cancel(conv)
        owed = conv.owed()
        since = conv.awaiting_since
        if (
            owed is None
            or since is None
            or conv.breached
            or self.state.convs.get(conv.id) is not conv
        ):
            return
        delay = max(0.0, (owed[2] - utcnow()).total_seconds())
        self._timers[conv.id] = asyncio.get_running_loop().call_later(
            delay, self._due, conv.id, since
        )

    def schedule_all(self, convs: Iterable[Conv]) -> None:
        for conv in list(convs):
            self.schedule(conv)

    def targets_changed(self, convs: list[Conv], queue_changed: Callable[..., None]) -> None:
        """The queue's targets changed what these conversations owe: new timers, and their
        holders and the queue's watchers see the new views."""
        views = [(conv.holder, conv.view()) for conv in convs]
        for conv in convs:
            self.schedule(conv)

        def job(b: WriteBatch) -> None:
            for holder, view in views:
                if holder is not None:
                    b.emit(holder, EventName.CONVERSATION_UPDATED, {"conversation": view})

        async def run() -> None:
            try:
                await self.store.write(job)
            except Exception:
                log.exception("telling operators of changed response targets failed")
            for conv, (holder, _view) in zip(convs, views, strict=True):
                queue_changed(conv, conv.state, skip=[holder] if holder is not None else [])

        self.spawn(run())

    def cancel(self, conv: Conv) -> None:
        handle = self._timers.pop(conv.id, None)
        if handle is not None:
            handle.cancel()

    def _due(self, conv_id: int, since: datetime) -> None:
        self._timers.pop(conv_id, None)
        conv = self.state.convs.get(conv_id)
        if conv is None or conv.awaiting_since != since or conv.breached:
            return
        owed = conv.owed()
        if owed is None:
            return
        if owed[2] > utcnow():  # the target grew meanwhile (the queue was changed)
            self.schedule(conv)
            return
        conv.breached = True
        self.spawn(self._record(conv, since, owed))

    async def _record(self, conv: Conv, since: datetime, owed: tuple[str, int, datetime]) -> None:
        kind, target, due = owed
        details = {"kind": kind, "target_s": target, "due_at": due.isoformat()}
        convs = tables.conversations
        conv_id, holder, queue_id = conv.id, conv.holder, conv.queue_id

        def job(b: WriteBatch) -> bool:
            # Once per owed response: whoever recorded it first (before a restart, another
            # node) set the column, and only this very wait may be marked.
            res = b.execute(
                update(convs)
                .where(
                    convs.c.id == conv_id,
                    convs.c.awaiting_since == since,
                    convs.c.sla_breached_at.is_(None),
                )
                .values(sla_breached_at=b.now)
            )
            if res.rowcount != 1:
                return False
            add_lifecycle(b, conv_id, "sla_breached", holder, queue_id, details)
            return True

        try:
            await self.store.write(job)
        except Exception:
            log.exception("recording a late response of conversation %s failed", conv_id)
            if conv.awaiting_since == since and self.state.convs.get(conv_id) is conv:
                conv.breached = False
                self._timers[conv_id] = asyncio.get_running_loop().call_later(
                    RETRY_S, self._due, conv_id, since
                )


def sla_update(
    b: WriteBatch, view: dict[str, Any], recipients: Iterable[int | None], at: datetime
) -> dict[str, Any]:
    """Tell ``recipients`` (owner, actor) of a changed ``sla`` in ``view``, the view's stamps
    taken from the batch (``at`` is the provisional instant ``view`` was made with)."""
    sla = view.get("sla")
    if sla is not None and at != b.now:
        # The due time counts from the message's own commit time.
        due = datetime.fromisoformat(sla["due_at"]) + (b.now - at)
        view = dict(view, sla=dict(sla, due_at=due.isoformat()))
    for op_id in {r for r in recipients if r is not None}:
        b.emit(op_id, EventName.CONVERSATION_UPDATED, {"conversation": view})
    return view
