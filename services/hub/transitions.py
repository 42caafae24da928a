"""The one place that changes a conversation's state.

Memory is changed first, synchronously, so a second command in the same tick already sees the
new state; the store's compare-and-set on ``version`` makes the decision hold across nodes too.
The lifecycle event, the operators' events and the idempotency result are written in the same
transaction; queue watchers hear of it after commit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import update

from services.domain.errors import Conflict
from services.hub.bus import EventBus, QueueChange
from services.hub.state import CLOSING, IN_QUEUE, Conv, LiveState, State
from services.protocol.events import EventName
from services.store import tables
from services.store.models import utcnow
from services.store.rows import add_idempotency, add_lifecycle
from services.store.store import Store
from services.store.writer import WriteBatch

Notify = dict[int, tuple[str, dict[str, Any]]]
# Moments memory keeps of a conversation, stamped with the transaction's time ("True").
STAMPED = ("held_at", "queued_at", "accepted_at")
# The columns of a conversation that is not snoozed.
UNSNOOZED: dict[str, Any] = {"snoozed_until": None, "snooze_mode": None}
# Columns of a conversation that are not its state, changed by Transitions.amend.
AMENDABLE = frozenset({"tags", "priority", "snoozed_until", "snooze_mode"})


class Transitions:
    def __init__(
        self, store: Store, state: LiveState, bus: EventBus, request_route: Callable[[], None]
    ) -> None:
        self.store = store
        self.state = state
        self.bus = bus
        self.request_route = request_route
        # Called when a conversation leaves the working states or the queue (offer timers).
        self.on_settled: Callable[[Conv], None] = lambda conv: None
        # Called once a change is committed (the response timers look at what is owed now).
        self.on_committed: Callable[[Conv], None] = lambda conv: None

    async def run(
        self,
        conv: Conv,
        actor: int | None,
        allowed_from: Iterable[str],
        to_state: str,
        lifecycle: str,
        changes: dict[str, Any],
        *,
        notify: Notify | None = None,
        idem: tuple[int, str, str] | None = None,
        extra_job: Callable[[WriteBatch], None] | None = None,
    ) -> dict[str, Any]:
        """Compare-and-set ``conv`` from one of ``allowed_from`` to ``to_state``.

        ``changes`` maps columns to values; ``True`` for a timestamp means "the moment of this
        transaction", the same instant the lifecycle event is stamped with.
        """
        allowed = set(allowed_from)
        if conv.state not in allowed:
            raise Conflict(
                f"conversation {conv.id} is {conv.state}, not {'/'.join(sorted(allowed))}",
                state=conv.state,
            )
        version = conv.version
        before: dict[str, Any] = {
            "state": conv.state,
            "operator_id": conv.operator_id,
            "offered_to": conv.offered_to,
            "held_at": conv.held_at,
            "queue_id": conv.queue_id,
            "queued_at": conv.queued_at,
            "accepted_at": conv.accepted_at,
            "snoozed_until": conv.snoozed_until,
            "snooze_mode": conv.snooze_mode,
        }
        if conv.snooze_mode is not None:
            # Any change of state ends a snooze: it is a pause of an active conversation.
            changes = {**changes, **UNSNOOZED}
        memory = {
            k: v
            for k, v in changes.items()
            if k in ("operator_id", "offered_to", "preferred_operator_id", "queue_id", *UNSNOOZED)
        }
        for name in STAMPED:
            if name in changes:
                # a stamp ("now") is provisional until the batch's own time replaces it below
                memory[name] = utcnow() if changes[name] is True else changes[name]
        old_holder = conv.holder
        self.state.change(conv, state=to_state, version=version + 1, **memory)
        self.on_settled(conv)
        new_holder = conv.holder
        recipients: Notify = {
            op_id: (EventName.CONVERSATION_UPDATED, {})
            for op_id in {old_holder, new_holder, actor}
            if op_id is not None
        }
        if notify:
            recipients.update(notify)
        stamped = [k for k, v in changes.items() if v is True and k in STAMPED]
        base_view = conv.view()

        def job(b: WriteBatch) -> tuple[dict[str, Any], datetime]:
            # Timestamps come from the batch, and memory takes the same ones afterwards: one
            # instant per lifecycle moment, whoever reads it.
            shown = {k: b.now.isoformat() for k in stamped if k in base_view}
            view = dict(base_view, **shown) if shown else base_view
            values: dict[str, Any] = {
                "state": to_state,
                "version": version + 1,
                "last_activity_at": b.now,
            }
            for k, v in changes.items():
                values[k] = b.now if v is True else v
            if before["state"] == State.HELD and before["held_at"] is not None:
                values["hold_seconds"] = (
                    tables.conversations.c.hold_seconds
                    + (b.now - before["held_at"]).total_seconds()
                )
                values.setdefault("held_at", None)
            res = b.execute(
                update(tables.conversations)
                .where(
                    tables.conversations.c.id == conv.id,
                    tables.conversations.c.version == version,
                )
                .values(**values)
            )
            if res.rowcount != 1:
                raise Conflict(f"conversation {conv.id} was changed by someone else")
            add_lifecycle(b, conv.id, lifecycle, actor, conv.queue_id, {"from": before["state"]})
            if extra_job is not None:
                extra_job(b)
            for op_id, (name, data) in recipients.items():
                b.emit(op_id, name, {"conversation": view, **data})
            result = {"conversation": view}
            if idem is not None:
                add_idempotency(b, idem, result)
            return result, b.now

        try:
            result, now = await self.store.write(job)
        except BaseException:
            # Put memory back as it was: the store said no.
            if conv.version == version + 1:
                self.state.change(
                    conv,
                    state=before["state"],
                    version=version,
                    operator_id=before["operator_id"],
                    offered_to=before["offered_to"],
                    held_at=before["held_at"],
                    queue_id=before["queue_id"],
                    queued_at=before["queued_at"],
                    accepted_at=before["accepted_at"],
                    snoozed_until=before["snoozed_until"],
                    snooze_mode=before["snooze_mode"],
                )
            raise
        for name in stamped:
            setattr(conv, name, now)
        if to_state in CLOSING:
            if conv.operator_id is not None:
                self.state.last_owner[conv.customer_id] = (conv.operator_id, utcnow())
            self.state.unregister(conv)
        self.on_committed(conv)
        self.queue_changed(conv, before["state"], skip=recipients)
        self.request_route()
        return result

    async def amend(
        self,
        conv: Conv,
        actor: int | None,
        changes: dict[str, Any],
        lifecycle: str,
        details: dict[str, Any],
        *,
        idem: tuple[int, str, str] | None = None,
        event: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Compare-and-set what a conversation carries besides its state (tags, priority,
        snooze): memory first, then the row, its lifecycle event, ``conversation.updated`` to
        the holder and the actor (with ``event``'s fields) and the idempotency result in one
        transaction; queue watchers hear of it after commit."""
        unknown = set(changes) - AMENDABLE
        assert not unknown, f"not amendable: {sorted(unknown)}"
        version = conv.version
        before = {name: getattr(conv, name) for name in changes}
        self.state.change(conv, version=version + 1, **changes)
        recipients = {op_id for op_id in (conv.holder, actor) if op_id is not None}
        view = conv.view()
        extra = event or {}

        def job(b: WriteBatch) -> dict[str, Any]:
            res = b.execute(
                update(tables.conversations)
                .where(
                    tables.conversations.c.id == conv.id,
                    tables.conversations.c.version == version,
                )
                .values(version=version + 1, **changes)
            )
            if res.rowcount != 1:
                raise Conflict(f"conversation {conv.id} was changed by someone else")
            add_lifecycle(b, conv.id, lifecycle, actor, conv.queue_id, details)
            for op_id in recipients:
                b.emit(op_id, EventName.CONVERSATION_UPDATED, {"conversation": view, **extra})
            result = {"conversation": view}
            if idem is not None:
                add_idempotency(b, idem, result)
            return result

        try:
            result = await self.store.write(job)
        except BaseException:
            if conv.version == version + 1:
                self.state.change(conv, version=version, **before)
            raise
        self.queue_changed(conv, conv.state, skip=recipients)
        if conv.state == State.QUEUED:
            self.request_route()  # a new priority may change who goes first
        return result

    def queue_changed(self, conv: Conv, was: str | None, *, skip: Iterable[int] = ()) -> None:
        """Tell the desktops that list this queue (operators who may take the conversation,
        and supervisors) that it entered, moved in or left the queue."""
        if was not in IN_QUEUE and conv.state not in IN_QUEUE:
            return
        customer = {"id": conv.customer_id, "name": self.state.names.get(conv.customer_id, "")}
        change = QueueChange(
            conv.view(), customer, self.state.queue_of(conv), conv.channel, frozenset(skip)
        )
        self.bus.queue_changed(change, conv.id)
