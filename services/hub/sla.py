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

from sqlalchemy import select, tuple_, update

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
# Breaches falling due together are written together, gathered this long: one statement for
# hundreds of conversations instead of one each (a busy queue breaches by the thousand).
GATHER_S = 0.2
WRITE_AT_MOST = 500  # conversations per statement (two parameters each)


class ResponseTimers:
    def __init__(
        self, store: Store, state: LiveState, spawn: Callable[[Awaitable[Any]], None]
    ) -> None:
        self.store = store
        self.state = state
        self.spawn = spawn
        self._timers: dict[int, asyncio.TimerHandle] = {}
        # Breaches due and not written yet: conversation id -> (conv, since, owed).
        self._due_now: dict[int, tuple[Conv, datetime, tuple[str, int, datetime]]] = {}
        self._flush: asyncio.TimerHandle | None = None

    def close(self) -> None:
        for handle in self._timers.values():
            handle.cancel()
        self._timers.clear()
        if self._flush is not None:
            self._flush.cancel()
            self._flush = None

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
        self._due_now[conv_id] = (conv, since, owed)
        if self._flush is None:
            self._flush = asyncio.get_running_loop().call_later(GATHER_S, self._write_due)

    def _write_due(self) -> None:
        self._flush = None
        due, self._due_now = list(self._due_now.values()), {}
        for start in range(0, len(due), WRITE_AT_MOST):  # within every database's bound
            self.spawn(self._record(due[start : start + WRITE_AT_MOST]))

    async def _record(self, due: list[tuple[Conv, datetime, tuple[str, int, datetime]]]) -> None:
        convs = tables.conversations
        waits = [(conv.id, since) for conv, since, _owed in due]
        facts = {
            conv.id: (
                conv.holder,
                conv.queue_id,
                {"kind": owed[0], "target_s": owed[1], "due_at": owed[2].isoformat()},
            )
            for conv, _since, owed in due
        }

        def job(b: WriteBatch) -> None:
            # Once per owed response: whoever recorded it first (before a restart, another
            # node) set the column, and only these very waits may be marked.
            pair = tuple_(convs.c.id, convs.c.awaiting_since)
            b.execute(
                update(convs)
                .where(pair.in_(waits), convs.c.sla_breached_at.is_(None))
                .values(sla_breached_at=b.now)
            )
            marked = b.execute(
                select(convs.c.id).where(
                    convs.c.id.in_([conv_id for conv_id, _ in waits]),
                    convs.c.sla_breached_at == b.now,
                )
            ).scalars()
            for conv_id in marked:
                holder, queue_id, details = facts[conv_id]
                add_lifecycle(b, conv_id, "sla_breached", holder, queue_id, details)

        try:
            await self.store.write(job)
        except Exception:
            log.exception("recording %d late responses failed", len(due))
            for conv, since, _owed in due:
                if conv.awaiting_since == since and self.state.convs.get(conv.id) is conv:
                    conv.breached = False
                    self._timers[conv.id] = asyncio.get_running_loop().call_later(
                        RETRY_S, self._due, conv.id, since
                    )


def sla_update(
    b: WriteBatch, view: dict[str, Any], recipients: Iterable[int | None], at: datetime
) -> dict[str, Any]:
    """Tell ``recipients`` (owner, actor) of a changed ``sla`` in ``view``, the view's stamps
    taken from the batch (``at`` is the provisional instant ``view`` was made with)."""
    view = sla_view_at(b, view, at)
    for op_id in {r for r in recipients if r is not None}:
        b.emit(op_id, EventName.CONVERSATION_UPDATED, {"conversation": view})
    return view


def sla_view_at(b: WriteBatch, view: dict[str, Any], at: datetime) -> dict[str, Any]:
    """``view`` with its due time counted from the batch's commit time (``at`` is the
    provisional instant it was made with)."""
    sla = view.get("sla")
    if sla is None or at == b.now:
        return view
    due = datetime.fromisoformat(sla["due_at"]) + (b.now - at)
    return dict(view, sla=dict(sla, due_at=due.isoformat()))
