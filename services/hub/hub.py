"""The hub: one customer, one feed, one router — composed of one object per seam.

Channel adapters hand inbound touchpoints to :meth:`Hub.ingest` (through the inbox port);
operator commands reach the seams through the command registry (``services.api.registry``).
Live state is kept in memory on the event-loop thread only, and every change is made durable
through the store's single writer before anyone is told about it.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from services import nba
from services.domain.inbox import (
    ChannelAdapter,
    ClosedConversation,
    ClosingAdapter,
    CsatAnswer,
    InboundMessage,
    IngestResult,
)
from services.domain.routing import OperatorState, QueueState
from services.hub import maintenance
from services.hub.bus import EventBus, Subscriber
from services.hub.calls import Calls
from services.hub.canned import CannedResponses
from services.hub.config import HubConfig
from services.hub.conversations import Conversations
from services.hub.csat import Csat
from services.hub.customer_edit import CustomerEditing
from services.hub.customers import CustomerDirectory
from services.hub.files import Files
from services.hub.hints import Hints
from services.hub.intake import Intake
from services.hub.merges import Merges
from services.hub.messaging import Messaging
from services.hub.orders import Orders
from services.hub.outreach import Outreach
from services.hub.reads import Reads
from services.hub.router import Router
from services.hub.sla import ResponseTimers
from services.hub.snoozes import Snoozes
from services.hub.state import Conv, LiveState, State, is_supervisor
from services.hub.touchpoints import Touchpoints
from services.hub.transitions import Transitions
from services.hub.triage import Triage
from services.protocol.channels import CHANNELS, address_for
from services.store import queries, tables
from services.store.blobs import BlobStore
from services.store.models import OPEN_STATES, utcnow
from services.store.store import Store
from services.store.writer import Published

log = logging.getLogger(__name__)


class Hub:
    def __init__(
        self, store: Store, config: HubConfig | None = None, blobs: BlobStore | None = None
    ) -> None:
        self.store = store
        self.config = config or HubConfig()
        self.state = LiveState()
        self._tasks: set[asyncio.Task[Any]] = set()
        self.adapters: dict[str, ChannelAdapter] = {}
        self.nba = nba.NextBestAction()
        # Presence operators had before a restart: restored when their desktop comes back.
        self._presence_before_restart: dict[int, str] = {}

        self.bus = EventBus(
            self.state.operators,
            is_supervisor=is_supervisor,
            on_last_unsubscribe=lambda op_id: self.conversations.disconnected(op_id),
            live_window_s=self.config.live_window_s,
        )
        self.transitions = Transitions(store, self.state, self.bus, lambda: self.router.request())
        self.router = Router(store, self.state, self.bus, self.transitions, self.config, self.spawn)
        self.snoozes = Snoozes(self.state, self.transitions, self.spawn)
        self.transitions.on_settled = self._settled
        self.timers = ResponseTimers(store, self.state, self.spawn)
        self.transitions.on_committed = self.timers.schedule
        self.customers = CustomerDirectory(store, self.state)
        self.hints = Hints(store, self.state, self.nba)
        self.reads = Reads(store, self.state, self.hints, self.config)
        self.reads.adapters = self.adapters
        self.files = Files(store, self.customers, self.reads, self.config.files, blobs)
        self.csat = Csat(store, self.state, self.customers)
        self.intake = Intake(
            store,
            self.state,
            self.customers,
            self.router,
            self.transitions,
            self.files,
            self.timers,
            self.snoozes,
        )
        self.triage = Triage(self.state, self.transitions)
        self.canned = CannedResponses(store, self.state, self.bus)
        self.conversations = Conversations(
            store,
            self.state,
            self.bus,
            self.router,
            self.transitions,
            self.config,
            self.nba,
            self.spawn,
        )
        self.router.on_missed_offers = self.conversations.not_responding
        self.conversations.on_closed = self._conversation_closed
        self.messaging = Messaging(
            store,
            self.state,
            self.adapters,
            self.spawn,
            self.files,
            self.timers,
            self.transitions.queue_changed,
        )
        self.messaging.retry_delays_s = tuple(self.config.delivery_retry_s)
        self.customer_edit = CustomerEditing(store, self.state, self.reads)
        self.orders = Orders(store, self.state, self.reads)
        self.outreach = Outreach(store, self.state, self.intake, self.router, self.messaging)
        self.touchpoints = Touchpoints(store, self.state)
        self.calls = Calls(
            store, self.state, self.adapters, self.spawn, self.transitions.queue_changed
        )
        self.intake.calls = self.calls
        self.merges = Merges(store, self.state, self.reads, self.customers.forget)
        self.customers.merges = self.merges

    # -- the live state, for the gateway and tests ------------------------------------------
    @property
    def operators(self) -> dict[int, OperatorState]:
        return self.state.operators

    @property
    def queues(self) -> dict[int, QueueState]:
        return self.state.queues

    @property
    def queue_by_name(self) -> dict[str, QueueState]:
        return self.state.queue_by_name

    @property
    def convs(self) -> dict[int, Conv]:
        return self.state.convs

    # -- start-up and shut-down -------------------------------------------------------------
    async def start(self) -> None:
        ops, queues, convs = await self.store.read(_load_state)
        now = utcnow()
        for row in ops:
            self.add_operator(row, now)
            if row.presence and row.presence != "offline":
                self._presence_before_restart[row.id] = row.presence
        for q in queues:
            self.state.add_queue(queue_state(q))
        for c in convs:
            conv = Conv(
                c.id,
                c.customer_id,
                c.channel,
                c.queue_id,
                c.state,
                c.operator_id,
                c.offered_to,
                c.preferred_operator_id,
                c.version,
                c.queued_at,
                c.subject,
                c.held_at,
                c.first_response_at is not None,
                accepted_at=c.accepted_at,
                awaiting_since=c.awaiting_since,
                breached=c.sla_breached_at is not None,
                tags=list(c.tags or []),
                priority=c.priority,
                snoozed_until=c.snoozed_until,
                snooze_mode=c.snooze_mode,
                last_inbound_at=c.last_activity_at,
            )
            if conv.state == State.OFFERED:
                # Offers do not survive a restart: back to the queue, owner preferred.
                conv.state = State.QUEUED
                conv.offered_to = None
            self.state.register(conv)
            self.state.names[c.customer_id] = c.display_name
        # Calls in progress keep their PBX id (for call control after a restart): their ring.
        voice = [c.id for c in self.state.convs.values() if c.channel == "voice"]
        if voice:
            rings = await self.store.read(lambda c: _call_ids(c, voice))
            for conv_id, call_id in rings.items():
                self.state.convs[conv_id].call_id = call_id
        # What was owed before the restart is owed still; what fell due meanwhile is recorded
        # as late now (once: the store remembers a breach already recorded).
        self.timers.schedule_all(self.state.convs.values())
        self.nba.stats.load(await self.store.read(nba.load_counts))
        await self.files.start()
        await self.canned.start()
        self.snoozes.restore()
        self._tasks.add(asyncio.get_running_loop().create_task(self._tick()))

    async def close(self) -> None:
        self.snoozes.close()
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self.router.close()
        self.timers.close()

    def _settled(self, conv: Conv) -> None:
        self.router.cancel_offer_timer(conv)
        self.snoozes.settled(conv)

    def spawn(self, coro: Awaitable[Any]) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _tick(self) -> None:
        # A safety net and the clock for business hours: route once a second; prune hourly.
        last_prune = 0.0
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(1.0)
            self.router.request()
            if loop.time() - last_prune > 3600:
                last_prune = loop.time()
                try:
                    await self.prune()
                    await self.files.prune(utcnow())
                except Exception:
                    log.exception("pruning old events failed")

    async def prune(self, now: datetime | None = None) -> tuple[int, int, int]:
        return await maintenance.prune(self.store, self.config, now)

    def sync_queues(self, rows: list[Any]) -> None:
        """Bring the queues up to date with the store's rows (``add-queue``/``update-queue``
        from another process). A changed queue is updated in place: conversations and routing
        hold the same object."""
        for row in rows:
            fresh = queue_state(row)
            current = self.state.queues.get(row.id)
            if current == fresh:
                continue
            if current is None:
                self.state.add_queue(fresh)
                log.info("queue added", extra={"queue": fresh.name})
                continue
            old_name = current.name
            owed_before = {
                c.id: c.sla_view() for c in self.state.convs.values() if c.queue is current
            }
            for field in dataclasses.fields(QueueState):
                setattr(current, field.name, getattr(fresh, field.name))
            if old_name != current.name:
                self.state.queue_by_name.pop(old_name, None)
            self.state.queue_by_name[current.name] = current
            log.info("queue changed", extra={"queue": fresh.name})
            changed = [
                conv
                for conv_id, sla in owed_before.items()
                if (conv := self.state.convs[conv_id]).sla_view() != sla
            ]
            if changed:
                # New targets: new due times, on the desktops and for the timers.
                self.timers.targets_changed(changed, self.transitions.queue_changed)

    # -- operators --------------------------------------------------------------------------
    def add_operator(self, row: Any, now: datetime | None = None) -> OperatorState:
        now = now or utcnow()
        op = OperatorState(
            id=row.id,
            username=row.username,
            display_name=row.display_name,
            role=row.role,
            skills=frozenset(row.skills or ()),
            capacity={k: int(v) for k, v in (row.capacity or {}).items()},
            # Nobody is available until their desktop is back after a gateway restart.
            presence="offline",
            presence_since=now,
            idle_since=now,
            public_name=getattr(row, "public_name", "") or "",
        )
        return self.state.operators.setdefault(op.id, op)

    def subscribe(self, operator_id: int, sub: Subscriber) -> None:
        self.bus.subscribe(operator_id, sub)
        before = self._presence_before_restart.pop(operator_id, None)
        op = self.state.operators.get(operator_id)
        if before is not None and op is not None and op.presence == "offline":
            # The desktop came back after a gateway restart: as it was, not offline.
            self.spawn(self.conversations.set_presence(op, before, None))

    def unsubscribe(self, operator_id: int, sub: Subscriber) -> None:
        self.bus.unsubscribe(operator_id, sub)

    def connected(self, operator_id: int) -> bool:
        return self.bus.connected(operator_id)

    def on_published(self, events: list[Published]) -> None:
        self.bus.on_published(events)

    # -- channels: the inbox port -----------------------------------------------------------
    def register_adapter(self, adapter: ChannelAdapter) -> None:
        if adapter.channel not in CHANNELS:
            raise ValueError(f"{adapter.channel!r} is not a channel")
        if adapter.channel in self.adapters:
            raise ValueError(f"channel {adapter.channel} already has an adapter")
        self.adapters[adapter.channel] = adapter

    async def ingest(self, msg: InboundMessage) -> IngestResult:
        return await self.intake.ingest(msg)

    async def abandon(self, kind: str, raw: str, channel: str) -> bool:
        return await self.intake.abandon(kind, raw, channel)

    async def claim(
        self, kind: str, value: str, claims: dict[str, str], *, verified: bool = False
    ) -> None:
        """Identities the customer behind (kind, value) stated about themselves."""
        value = self.customers.normalise(kind, value)
        customer_id = await self.customers.resolve(kind, value, verified=verified)
        await self.customers.add_claims(customer_id, claims, claims.get("name", ""))

    async def prove(self, kind: str, value: str, proven: dict[str, str]) -> list[str]:
        value = self.customers.normalise(kind, value)
        customer_id = await self.customers.resolve(kind, value, verified=True)
        return await self.customers.add_proven(customer_id, proven)

    async def receipt(self, channel: str, provider_id: str, state: str, error: str = "") -> bool:
        return await self.messaging.receipt(channel, provider_id, state, error)

    async def set_delivery(
        self,
        event_id: int,
        state: str,
        *,
        provider_id: str | None = None,
        error: str = "",
        notify: int | None = None,
    ) -> None:
        await self.messaging.set_delivery(
            event_id, state, provider_id=provider_id, error=error, notify=notify
        )

    async def rate(self, kind: str, value: str, answer: CsatAnswer) -> dict[str, Any]:
        return await self.csat.rate(kind, value, answer)

    async def awaiting_rating(self, kind: str, value: str, channel: str) -> int | None:
        return await self.csat.awaiting(kind, value, channel)

    def _conversation_closed(self, conv: Conv, resolved: bool) -> None:
        """Wrapped up: a channel that asks its customers for a rating hears of it."""
        adapter = self.adapters.get(conv.channel)
        if isinstance(adapter, ClosingAdapter):
            self.spawn(self._tell_closed(adapter, conv, resolved))

    async def _tell_closed(self, adapter: ClosingAdapter, conv: Conv, resolved: bool) -> None:
        try:
            identities = await self.store.read(lambda c: queries.identities_of(c, conv.customer_id))
            found = address_for(conv.channel, identities)
            if found is None or found.claimed:
                return
            await adapter.conversation_closed(
                ClosedConversation(conv.id, conv.customer_id, conv.channel, found.address, resolved)
            )
        except Exception:
            log.exception("telling the %s channel a conversation closed failed", conv.channel)

    # -- commands ---------------------------------------------------------------------------
    def _call_follows(
        self, name: str, handler: Callable[..., Awaitable[dict[str, Any]]]
    ) -> Callable[..., Awaitable[dict[str, Any]]]:
        """The command, then the same asked of the PBX when the conversation is a call."""

        async def run(op: OperatorState, args: Any, *rest: Any) -> dict[str, Any]:
            result = await handler(op, args, *rest)
            self.calls.follow(name, int(args.conversation_id))
            return result

        return run

    def command_handlers(self) -> dict[str, Callable[..., Awaitable[dict[str, Any]]]]:
        """Each operator command's handler, by name (bound once by the registry)."""
        return {
            "presence.set": self.conversations.presence_set,
            "conversation.accept": self._call_follows(
                "conversation.accept", self.conversations.accept
            ),
            "conversation.decline": self.conversations.decline,
            "conversation.hold": self._call_follows("conversation.hold", self.conversations.hold),
            "conversation.resume": self._call_follows(
                "conversation.resume", self.conversations.resume
            ),
            "conversation.end": self._call_follows("conversation.end", self.conversations.end),
            "conversation.transfer": self.conversations.transfer,
            "conversation.wrap_up": self.conversations.wrap_up,
            "message.send": self.messaging.message_send,
            "note.add": self.messaging.note_add,
            "touchpoint.log": self.touchpoints.log,
            "customer.merge": self.merges.merge,
            "customer.unmerge": self.merges.unmerge,
            "merge.reject": self.merges.reject,
            "hint.respond": self.hints.respond,
            "conversation.tag": self.triage.tag,
            "conversation.set_priority": self.triage.set_priority,
            "conversation.snooze": self.snoozes.snooze,
            "conversation.unsnooze": self.snoozes.unsnooze,
            "canned.list": self.canned.list,
            "canned.create": self.canned.create,
            "canned.update": self.canned.update,
            "canned.delete": self.canned.delete,
            "customer.open": self.reads.customer_open,
            "timeline.page": self.reads.timeline_page,
            "customer.search": self.reads.customer_search,
            "state.snapshot": self.reads.snapshot,
            "customer.update": self.customer_edit.update,
            "customer.add_contact": self.customer_edit.add_contact,
            "customer.remove_contact": self.customer_edit.remove_contact,
            "order.get": self.orders.get,
            "conversation.start": self.outreach.start,
        }


def queue_state(row: Any) -> QueueState:
    return QueueState(
        row.id,
        row.name,
        frozenset(row.channels or ()),
        frozenset(row.skills or ()),
        row.priority,
        row.sla_seconds,
        dict(row.hours or {}),
        {str(k): str(v) for k, v in (getattr(row, "display_names", None) or {}).items()},
        {
            kind: {str(ch): int(v) for ch, v in (targets or {}).items()}
            for kind, targets in (getattr(row, "response_targets", None) or {}).items()
        },
    )


def _load_state(conn: Connection) -> tuple[list[Any], list[Any], list[Any]]:
    ops = list(
        conn.execute(select(tables.operators).where(tables.operators.c.active.is_(True))).all()
    )
    queues = list(conn.execute(select(tables.queues)).all())
    convs = list(
        conn.execute(
            select(tables.conversations, tables.customers.c.display_name)
            .join(tables.customers, tables.customers.c.id == tables.conversations.c.customer_id)
            .where(tables.conversations.c.state.in_([s.value for s in OPEN_STATES]))
        ).all()
    )
    return ops, queues, convs


def _call_ids(conn: Connection, conversation_ids: list[int]) -> dict[int, str]:
    """Each call conversation's PBX id: the provider id of its first (ring) item."""
    timeline = tables.timeline
    rows = conn.execute(
        select(timeline.c.conversation_id, timeline.c.provider_id)
        .where(
            timeline.c.conversation_id.in_(conversation_ids),
            timeline.c.channel == "voice",
            timeline.c.kind == "call",
            timeline.c.provider_id.is_not(None),
        )
        .order_by(timeline.c.id.desc())
    ).all()
    return {int(r.conversation_id): str(r.provider_id) for r in rows}  # the first one wins
