"""Routing: which waiting conversation is offered to whom, offers that time out, requeueing.

The choice itself is pure (services.domain.routing); this module applies it to live state:
routing runs once per loop iteration however many changes asked for it, and every offer is a
compare-and-set in the store before the operator hears of it.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import update

from services.domain.routing import OperatorState, QueueState, choose_operator
from services.hub.bus import EventBus
from services.hub.config import HubConfig
from services.hub.state import WORKING, Conv, LiveState, State
from services.hub.transitions import Transitions
from services.protocol.events import EventName
from services.protocol.triage import PRIORITY_RANK
from services.store import tables
from services.store.models import utcnow
from services.store.rows import add_lifecycle
from services.store.store import Store
from services.store.writer import WriteBatch

log = logging.getLogger(__name__)


class Router:
    def __init__(
        self,
        store: Store,
        state: LiveState,
        bus: EventBus,
        transitions: Transitions,
        config: HubConfig,
        spawn: Callable[[Awaitable[Any]], None],
    ) -> None:
        self.store = store
        self.state = state
        self.bus = bus
        self.transitions = transitions
        self.config = config
        self.spawn = spawn
        self._timers: dict[int, asyncio.TimerHandle] = {}
        self._pending = False
        # Routing again when a declined conversation's next round is due.
        self._round: asyncio.TimerHandle | None = None
        # Told of an operator who let offers time out (the hub puts them on a break).
        self.on_missed_offers: Callable[[OperatorState], None] = lambda _op: None

    def close(self) -> None:
        for handle in self._timers.values():
            handle.cancel()
        self._timers.clear()
        if self._round is not None:
            self._round.cancel()
            self._round = None

    # -- where a new conversation goes ------------------------------------------------------
    def queue_for(self, channel: str) -> QueueState | None:
        name = self.config.channel_queues.get(channel)
        by_name = self.state.queue_by_name
        if name and name in by_name:
            return by_name[name]
        best = [q for q in self.state.queues.values() if channel in q.channels]
        if best:
            general = by_name.get(self.config.default_queue)
            if general is not None and general in best:
                return general
            return min(best, key=lambda q: (-q.priority, q.id))
        return by_name.get(self.config.default_queue)

    def preferred_operator(self, customer_id: int) -> int | None:
        """A customer who switched channel midway goes to the operator serving them; one who
        comes back within the sticky window, to the one who served them last."""
        for other in self.state.conversations_of(customer_id):
            if other.operator_id is not None:
                return other.operator_id
        last = self.state.last_owner.get(customer_id)
        if last is not None:
            op_id, at = last
            if (utcnow() - at).total_seconds() < self.config.sticky_window_s:
                return op_id
        return None

    def new_conversation(self, customer_id: int, channel: str, subject: str) -> Conv:
        queue = self.queue_for(channel)
        return Conv(
            id=0,
            customer_id=customer_id,
            channel=channel,
            queue_id=queue.id if queue else None,
            state=State.QUEUED,
            operator_id=None,
            offered_to=None,
            preferred_operator_id=self.preferred_operator(customer_id),
            version=0,
            queued_at=None,  # stamped by the transaction that records it
            subject=subject.strip().splitlines()[0][:300] if subject.strip() else "",
        )

    async def requeue(self, conv: Conv) -> None:
        """Back to the queue, to come back to its operator when they return."""
        await self.transitions.run(
            conv,
            None,
            WORKING,
            State.QUEUED,
            "requeued",
            {
                "operator_id": None,
                "preferred_operator_id": conv.operator_id,
                "queued_at": True,
            },
        )

    # -- routing ----------------------------------------------------------------------------
    def request(self) -> None:
        if not self._pending:
            self._pending = True
            asyncio.get_running_loop().call_soon(self.route)

    def route(self) -> None:
        self._pending = False
        waiting = [c for c in self.state.convs.values() if c.state == State.QUEUED]
        if not waiting:
            return
        now = utcnow()
        limit = self.config.max_offers_per_operator
        offers = Counter(
            c.offered_to for c in self.state.convs.values() if c.state == State.OFFERED
        )
        # Only an operator with a desktop connected can see an offer, and only so many at once.
        ops = [
            op
            for op in self.state.operators.values()
            if self.bus.connected(op.id) and offers[op.id] < limit
        ]

        def order(c: Conv) -> tuple[int, int, datetime]:
            # The queue's priority, then the conversation's own within it, then the longest
            # waiting.
            q = self.state.queue_of(c)
            rank = PRIORITY_RANK.get(c.priority, 0)
            return (-(q.priority if q else 0), -rank, c.queued_at or now)

        for conv in sorted(waiting, key=order):
            if not ops:
                break
            queue = self.state.queue_of(conv)
            if queue is not None and not queue.is_open(now):
                continue
            op = choose_operator(
                ops,
                queue,
                conv.channel,
                exclude=conv.declined,
                preferred=conv.preferred_operator_id,
                blocking=self.config.blocking_channels,
            )
            if op is None and conv.declined:
                # Everybody able has declined or let it time out: a new round rather than
                # starve, once the last of them has had a pause from it.
                due = (conv.declined_at or now) + timedelta(seconds=self.config.reoffer_after_s)
                if due > now:
                    self._route_at(due)
                    continue
                conv.declined.clear()
                op = choose_operator(
                    ops,
                    queue,
                    conv.channel,
                    preferred=conv.preferred_operator_id,
                    blocking=self.config.blocking_channels,
                )
            if op is not None:
                self._offer(conv, op)
                offers[op.id] += 1
                if offers[op.id] >= limit:
                    ops.remove(op)

    def _route_at(self, due: datetime) -> None:
        delay = max(0.0, (due - utcnow()).total_seconds())
        loop = asyncio.get_running_loop()
        if self._round is not None and self._round.when() <= loop.time() + delay:
            return  # an earlier round will look again
        if self._round is not None:
            self._round.cancel()
        self._round = loop.call_later(delay, self._round_due)

    def _round_due(self) -> None:
        self._round = None
        self.request()

    def _offer(self, conv: Conv, op: OperatorState) -> None:
        version = conv.version
        self.state.change(conv, state=State.OFFERED, offered_to=op.id, version=version + 1)
        op.idle_since = utcnow()
        expires = utcnow() + timedelta(seconds=self.config.offer_timeout_s)
        customer = {"id": conv.customer_id, "name": self.state.names.get(conv.customer_id, "")}
        view = conv.view()
        convs = tables.conversations

        def job(b: WriteBatch) -> bool:
            res = b.execute(
                update(convs)
                .where(
                    convs.c.id == conv.id,
                    convs.c.version == version,
                    convs.c.state == State.QUEUED,
                )
                .values(
                    state=State.OFFERED, offered_to=op.id, offered_at=b.now, version=version + 1
                )
            )
            if res.rowcount != 1:
                return False
            add_lifecycle(b, conv.id, "offered", op.id, conv.queue_id)
            b.emit(
                op.id,
                EventName.CONVERSATION_OFFERED,
                {"conversation": view, "customer": customer, "expires_at": expires.isoformat()},
            )
            return True

        async def run() -> None:
            try:
                ok = await self.store.write(job)
            except Exception:
                log.exception("offer of conversation %s failed", conv.id)
                ok = False
            if not ok:
                if conv.state == State.OFFERED and conv.offered_to == op.id:
                    self.state.change(conv, state=State.QUEUED, offered_to=None)
                return
            self.transitions.queue_changed(conv, State.QUEUED, skip=(op.id,))
            self.start_offer_timer(conv, op.id)

        self.spawn(run())

    # -- offers that time out ---------------------------------------------------------------
    def start_offer_timer(self, conv: Conv, op_id: int) -> None:
        self.cancel_offer_timer(conv)
        self._timers[conv.id] = asyncio.get_running_loop().call_later(
            self.config.offer_timeout_s, self._offer_expired, conv.id, op_id, conv.version
        )

    def cancel_offer_timer(self, conv: Conv) -> None:
        handle = self._timers.pop(conv.id, None)
        if handle is not None:
            handle.cancel()

    def _offer_expired(self, conv_id: int, op_id: int, version: int) -> None:
        self._timers.pop(conv_id, None)
        conv = self.state.convs.get(conv_id)
        if conv is None or conv.state != State.OFFERED or conv.offered_to != op_id:
            return
        if conv.version != version:
            return
        conv.decline(op_id)
        self.spawn(self.withdraw(conv, op_id, "timeout"))
        op = self.state.operators.get(op_id)
        if op is not None:
            op.missed_offers += 1
            if 0 < self.config.missed_offers_to_break <= op.missed_offers:
                self.on_missed_offers(op)

    async def withdraw(self, conv: Conv, op_id: int, reason: str) -> None:
        await self.transitions.run(
            conv,
            None,
            (State.OFFERED,),
            State.QUEUED,
            f"offer_{reason}",
            {"offered_to": None},
            notify={op_id: (EventName.CONVERSATION_OFFER_WITHDRAWN, {"reason": reason})},
        )

    def withdraw_offers_of(self, op: OperatorState, reason: str) -> None:
        """Everything offered to ``op`` goes to someone else (they went on a break)."""
        for conv in [
            c
            for c in self.state.convs.values()
            if c.state == State.OFFERED and c.offered_to == op.id
        ]:
            conv.decline(op.id)
            self.spawn(self.withdraw(conv, op.id, reason))
