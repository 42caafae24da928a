"""The hub: one customer, one feed, one router.

Channel adapters hand inbound touchpoints to :meth:`Hub.ingest`; operator commands arrive from
the gateway as ``cmd_*`` calls. The hub keeps the live state of open conversations and operators
in memory, on the event-loop thread only (so a routing decision is never interleaved with
another), and makes every change durable through the store's single writer before anyone is
told about it. Operator events get their sequence number in the same transaction.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol, TypeVar

from sqlalchemy import Connection, delete, func, select, update
from sqlalchemy.exc import IntegrityError

from services import nba as N
from services.channels.base import (
    ChannelAdapter,
    ChannelUnavailable,
    InboundMessage,
    IngestResult,
    OutboundMessage,
)
from services.identity import InvalidIdentity, normalise_identity
from services.protocol import commands as C
from services.protocol.errors import ErrorCode, ProtocolError
from services.protocol.messages import Live, encode
from services.routing import OperatorState, QueueState, choose_operator, eligible
from services.store import queries as Q
from services.store import tables as T
from services.store.models import (
    OPEN_STATES,
    ConversationState,
    utcnow,
)
from services.store.store import Store
from services.store.writer import Published, WriteBatch

log = logging.getLogger(__name__)

R = TypeVar("R")


S = ConversationState
WORKING = (S.ACTIVE, S.HELD, S.WRAP_UP)
IN_QUEUE = (S.QUEUED, S.OFFERED)  # what the queue tab of the desktop lists
CLAIM_KINDS = {"phone": "phone", "email": "email"}
# Which identity a reply on a channel goes to, in order of preference.
CHANNEL_ADDRESS = {
    "webchat": ("web_visitor",),
    "email": ("email",),
    "telegram": ("telegram",),
    "whatsapp": ("whatsapp", "phone"),
    "sms": ("phone",),
    "voice": ("phone",),
}
SUPERVISOR_ROLES = ("supervisor", "admin")
# Feed items the next-best-action rules look at when hints are refreshed after an answer.
HINT_TIMELINE = 50


class Subscriber(Protocol):
    """An operator connection that wants the operator's events."""

    def push(self, event: Published) -> None: ...

    def live(self, key: tuple[str, int], frame: bytes) -> None:
        """An unsequenced frame about shared state (the queue): ``key`` names what it is the
        newest view of, so a slow reader may skip the older ones."""
        ...


@dataclass(slots=True)
class HubConfig:
    offer_timeout_s: float = 30.0
    default_queue: str = "general"
    # A customer writing again within this time goes back to the operator who served them.
    sticky_window_s: float = 24 * 3600
    event_retention_days: float = 7.0
    disconnect_grace_s: float = 30.0
    idempotency_retention_days: float = 2.0
    # Hints shown and never answered (not even ignored: the card was only looked at) are kept
    # this long for analysis; answered ones stay, they are what the learning counts are made of.
    hint_retention_days: float = 30.0
    channel_queues: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class Conv:
    id: int
    customer_id: int
    channel: str
    queue_id: int | None
    state: str
    operator_id: int | None
    offered_to: int | None
    preferred_operator_id: int | None
    version: int
    queued_at: datetime | None
    subject: str = ""
    held_at: datetime | None = None
    first_response: bool = False
    declined: set[int] = field(default_factory=set)

    @property
    def holder(self) -> int | None:
        """Whose capacity this conversation takes."""
        if self.state == S.OFFERED:
            return self.offered_to
        if self.state in WORKING:
            return self.operator_id
        return None

    def view(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "customer_id": self.customer_id,
            "channel": self.channel,
            "queue_id": self.queue_id,
            "state": self.state,
            "operator_id": self.operator_id,
            "offered_to": self.offered_to,
            "subject": self.subject,
            "queued_at": Q.iso(self.queued_at),
            "version": self.version,
        }


class Hub:
    def __init__(self, store: Store, config: HubConfig | None = None) -> None:
        self.store = store
        self.config = config or HubConfig()
        self.operators: dict[int, OperatorState] = {}
        self.queues: dict[int, QueueState] = {}
        self.queue_by_name: dict[str, QueueState] = {}
        self.convs: dict[int, Conv] = {}
        self._open: dict[tuple[int, str], int] = {}
        self._identity_cache: OrderedDict[tuple[str, str], int] = OrderedDict()
        self._names: dict[int, str] = {}
        self._last_owner: dict[int, tuple[int, datetime]] = {}
        self._customer_locks: dict[int, asyncio.Lock] = {}
        self._identity_locks: dict[tuple[str, str], asyncio.Lock] = {}
        self._subscribers: dict[int, set[Subscriber]] = {}
        self._offer_timers: dict[int, asyncio.TimerHandle] = {}
        self._route_pending = False
        self._tasks: set[asyncio.Task[Any]] = set()
        self.adapters: dict[str, ChannelAdapter] = {}
        self.published_seq: dict[int, int] = {}
        # Next-best-action hints; its accepted/dismissed counts are loaded at start-up.
        self.nba = N.NextBestAction(reach=CHANNEL_ADDRESS)

    # ==========================================================================================
    # start-up, subscriptions, delivery
    # ==========================================================================================
    async def start(self) -> None:
        ops, queues, convs = await self.store.read(_load_state)
        now = utcnow()
        for o in ops:
            self.operators[o.id] = OperatorState(
                id=o.id,
                username=o.username,
                display_name=o.display_name,
                role=o.role,
                skills=frozenset(o.skills or ()),
                capacity={k: int(v) for k, v in (o.capacity or {}).items()},
                # Nobody is available until their desktop says so after a gateway restart.
                presence="offline",
                presence_since=now,
                idle_since=now,
            )
        for q in queues:
            qs = QueueState(
                q.id,
                q.name,
                frozenset(q.channels or ()),
                frozenset(q.skills or ()),
                q.priority,
                q.sla_seconds,
                dict(q.hours or {}),
            )
            self.queues[q.id] = qs
            self.queue_by_name[q.name] = qs
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
            )
            if conv.state == S.OFFERED:
                # Offers do not survive a restart: back to the queue, owner preferred.
                conv.state = S.QUEUED
                conv.offered_to = None
            self._register(conv)
            self._names[c.customer_id] = c.display_name
        self.nba.stats.load(await self.store.read(N.load_counts))
        self._tasks.add(asyncio.get_running_loop().create_task(self._tick()))

    async def close(self) -> None:
        for t in list(self._tasks):
            t.cancel()
        for t in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await t
        for h in self._offer_timers.values():
            h.cancel()

    def subscribe(self, operator_id: int, sub: Subscriber) -> None:
        self._subscribers.setdefault(operator_id, set()).add(sub)

    def unsubscribe(self, operator_id: int, sub: Subscriber) -> None:
        subs = self._subscribers.get(operator_id)
        if subs is not None:
            subs.discard(sub)
            if not subs:
                del self._subscribers[operator_id]
                # A desktop that went away gets a grace period (a network blip, a restart);
                # after it the operator is offline and their offers go to someone else.
                asyncio.get_running_loop().call_later(
                    self.config.disconnect_grace_s, self._maybe_gone, operator_id
                )

    def connected(self, operator_id: int) -> bool:
        return operator_id in self._subscribers

    def _maybe_gone(self, operator_id: int) -> None:
        op = self.operators.get(operator_id)
        if op is None or self.connected(operator_id) or op.presence == "offline":
            return
        self._spawn(self._set_presence(op, "offline", None))

    def on_published(self, events: list[Published]) -> None:
        """Called by the writer (on the loop) once events are durable."""
        for ev in events:
            self.published_seq[ev.operator_id] = ev.seq
            for sub in self._subscribers.get(ev.operator_id, ()):
                sub.push(ev)

    def register_adapter(self, adapter: ChannelAdapter) -> None:
        self.adapters[adapter.channel] = adapter

    def _spawn(self, coro: Awaitable[Any]) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _write(self, job: Callable[[WriteBatch], R]) -> R:
        return await self.store.write(job)

    # ==========================================================================================
    # inbound: every channel comes through here
    # ==========================================================================================
    async def ingest(self, msg: InboundMessage) -> IngestResult:
        """Record a touchpoint; the provider is acknowledged only after this returns."""
        try:
            value = normalise_identity(msg.identity_kind, msg.identity_value)
        except InvalidIdentity as exc:
            raise ProtocolError(ErrorCode.INVALID_ARGS, str(exc)) from exc
        customer_id = await self.resolve_customer(
            msg.identity_kind, value, msg.display_name, msg.verified
        )
        if msg.claims:
            await self._add_claims(customer_id, msg.claims, msg.display_name)
        lock = self._customer_locks.setdefault(customer_id, asyncio.Lock())
        async with lock:
            return await self._ingest_locked(customer_id, msg)

    async def _ingest_locked(self, customer_id: int, msg: InboundMessage) -> IngestResult:
        conv = self._open_conversation(customer_id, msg.channel)
        created: Conv | None = None
        if conv is None:
            created = self._new_conversation(customer_id, msg.channel, msg.subject or msg.text)
            conv = created
        elif conv.state in WORKING and conv.operator_id is not None:
            owner = self.operators.get(conv.operator_id)
            if owner is None or owner.presence == "offline":
                # The owner is gone: back to the queue, to come back to them when they return.
                await self._requeue(conv)

        target = conv.holder
        name = self._names.get(customer_id, "")
        row = {
            "customer_id": customer_id,
            "conversation_id": None,  # set in the job once the conversation id is known
            "kind": msg.kind,
            "channel": msg.channel,
            "direction": "in",
            "author_operator_id": None,
            "author_label": msg.display_name or name,
            "subject": msg.subject,
            "body": msg.text,
            "attachments": msg.attachments,
            "extra": msg.extra,
            "provider_id": msg.provider_id,
            "delivery": None,
        }

        def job(b: WriteBatch) -> tuple[int, int]:
            if created is not None:
                conv_id = b.next_id(T.conversations)
                _insert_conversation(b, conv_id, created)
            else:
                conv_id = conv.id
                b.add_update_activity(conv_id)
            eid = b.next_id(T.timeline)
            item = dict(row, id=eid, conversation_id=conv_id, created_at=b.now)
            b.add(T.timeline, item)
            if target is not None:
                b.emit(target, "timeline.item", {"item": _item_view(item)})
            return conv_id, eid

        try:
            conv_id, eid = await self._write(job)
        except IntegrityError:
            if msg.provider_id is None:
                raise
            # The provider sent this message before: the first copy stands.
            found = await self.store.read(
                lambda c: c.execute(
                    select(T.timeline.c.id, T.timeline.c.conversation_id).where(
                        T.timeline.c.channel == msg.channel,
                        T.timeline.c.provider_id == msg.provider_id,
                    )
                ).first()
            )
            if found is None:
                raise
            return IngestResult(customer_id, found.conversation_id or 0, found.id, duplicate=True)
        if created is not None:
            created.id = conv_id
            self._register(created)
            self._queue_changed(created, None)
            self._request_route()
        elif conv.state == S.QUEUED:
            self._request_route()
        return IngestResult(customer_id, conv_id, eid)

    async def resolve_customer(
        self, kind: str, value: str, display_name: str = "", verified: bool = False
    ) -> int:
        """The customer behind an identity, created on first contact."""
        key = (kind, value)
        cid = self._identity_cache.get(key)
        if cid is not None:
            self._identity_cache.move_to_end(key)
            return cid
        lock = self._identity_locks.setdefault(key, asyncio.Lock())
        async with lock:
            cid = self._identity_cache.get(key)
            if cid is None:
                cid = await self._find_or_create_customer(kind, value, display_name, verified)
                self._cache_identity(key, cid)
        self._identity_locks.pop(key, None)
        return cid

    async def _find_or_create_customer(
        self, kind: str, value: str, display_name: str, verified: bool
    ) -> int:
        found = await self.store.read(
            lambda c: c.execute(
                select(T.identities.c.customer_id, T.customers.c.display_name)
                .join(T.customers, T.customers.c.id == T.identities.c.customer_id)
                .where(T.identities.c.kind == kind, T.identities.c.value == value)
            ).first()
        )
        if found is not None:
            self._names[found.customer_id] = found.display_name
            return int(found.customer_id)
        name = display_name.strip()[:200]

        def job(b: WriteBatch) -> int:
            existing = b.execute(
                select(T.identities.c.customer_id).where(
                    T.identities.c.kind == kind, T.identities.c.value == value
                )
            ).scalar()
            if existing is not None:
                return int(existing)
            cid = b.next_id(T.customers)
            b.add(
                T.customers,
                {
                    "id": cid,
                    "display_name": name,
                    "segment": "new",
                    "language": "ru",
                    "last_csat": None,
                    "name_search": name.lower(),
                    "created_at": b.now,
                },
            )
            b.add(
                T.identities,
                {
                    "customer_id": cid,
                    "kind": kind,
                    "value": value,
                    "verified": verified,
                    "created_at": b.now,
                },
            )
            return cid

        cid = await self._write(job)
        self._names[cid] = name
        return cid

    async def _add_claims(self, customer_id: int, claims: dict[str, str], name: str) -> None:
        """Identities a customer stated: kept as *claimed*; never merges two customers."""
        rows: list[tuple[str, str]] = []
        for kind, raw in claims.items():
            if kind == "name" or kind not in CLAIM_KINDS:
                continue
            try:
                rows.append((kind, normalise_identity(kind, raw)))
            except InvalidIdentity:
                log.info("ignored an invalid claimed %s", kind)
        new_name = (claims.get("name") or name or "").strip()[:200]

        def job(b: WriteBatch) -> None:
            for kind, value in rows:
                owner = b.execute(
                    select(T.identities.c.customer_id).where(
                        T.identities.c.kind == kind, T.identities.c.value == value
                    )
                ).scalar()
                if owner is None:
                    b.add(
                        T.identities,
                        {
                            "customer_id": customer_id,
                            "kind": kind,
                            "value": value,
                            "verified": False,
                            "created_at": b.now,
                        },
                    )
                elif owner != customer_id:
                    # Someone else's verified or claimed identity: a merge is for a person to
                    # confirm, so leave a suggestion in the audit log.
                    b.add(
                        T.audit,
                        {
                            "at": b.now,
                            "operator_id": None,
                            "action": "merge.suggested",
                            "target_type": "customer",
                            "target_id": str(customer_id),
                            "details": {"other_customer_id": owner, "kind": kind},
                        },
                    )
            if new_name:
                b.execute(
                    update(T.customers)
                    .where(T.customers.c.id == customer_id, T.customers.c.display_name == "")
                    .values(display_name=new_name, name_search=new_name.lower())
                )

        await self._write(job)
        if new_name and not self._names.get(customer_id):
            self._names[customer_id] = new_name

    def _cache_identity(self, key: tuple[str, str], cid: int) -> None:
        self._identity_cache[key] = cid
        if len(self._identity_cache) > 200_000:
            self._identity_cache.popitem(last=False)

    async def abandon(self, kind: str, raw: str, channel: str) -> bool:
        """The customer left before anyone answered (closed the chat, hung up in the queue)."""
        try:
            value = normalise_identity(kind, raw)
        except InvalidIdentity:
            return False
        cid = self._identity_cache.get((kind, value))
        conv = self._open_conversation(cid, channel) if cid is not None else None
        if conv is None or conv.state not in (S.QUEUED, S.OFFERED):
            return False
        await self._transition(
            conv,
            None,
            {S.QUEUED, S.OFFERED},
            S.ABANDONED,
            "abandoned",
            {"abandoned_at": True, "closed_at": True, "offered_to": None},
        )
        return True

    # ==========================================================================================
    # conversations in memory
    # ==========================================================================================
    def _open_conversation(self, customer_id: int, channel: str) -> Conv | None:
        cid = self._open.get((customer_id, channel))
        return self.convs.get(cid) if cid is not None else None

    def _register(self, conv: Conv) -> None:
        self.convs[conv.id] = conv
        self._open[(conv.customer_id, conv.channel)] = conv.id
        self._add_load(conv, +1)

    def _unregister(self, conv: Conv) -> None:
        self._add_load(conv, -1)
        self.convs.pop(conv.id, None)
        if self._open.get((conv.customer_id, conv.channel)) == conv.id:
            del self._open[(conv.customer_id, conv.channel)]
        self._cancel_offer_timer(conv.id)

    def _add_load(self, conv: Conv, delta: int) -> None:
        holder = conv.holder
        op = self.operators.get(holder) if holder is not None else None
        if op is not None:
            op.add_load(conv.channel, delta)
            if delta < 0:
                op.idle_since = utcnow()

    def _set(self, conv: Conv, **changes: Any) -> None:
        """Change a live conversation, keeping operators' load right."""
        self._add_load(conv, -1)
        for k, v in changes.items():
            setattr(conv, k, v)
        self._add_load(conv, +1)

    def _new_conversation(self, customer_id: int, channel: str, subject: str) -> Conv:
        queue = self._queue_for(channel)
        preferred = None
        for (cid, _ch), conv_id in self._open.items():
            other = self.convs.get(conv_id)
            if cid == customer_id and other is not None and other.operator_id is not None:
                preferred = other.operator_id  # switched channel midway: same operator
                break
        if preferred is None and customer_id in self._last_owner:
            op_id, at = self._last_owner[customer_id]
            if (utcnow() - at).total_seconds() < self.config.sticky_window_s:
                preferred = op_id
        return Conv(
            id=0,
            customer_id=customer_id,
            channel=channel,
            queue_id=queue.id if queue else None,
            state=S.QUEUED,
            operator_id=None,
            offered_to=None,
            preferred_operator_id=preferred,
            version=0,
            queued_at=utcnow(),
            subject=subject.strip().splitlines()[0][:300] if subject.strip() else "",
        )

    def _queue_for(self, channel: str) -> QueueState | None:
        name = self.config.channel_queues.get(channel)
        if name and name in self.queue_by_name:
            return self.queue_by_name[name]
        best = [q for q in self.queues.values() if channel in q.channels]
        if best:
            general = self.queue_by_name.get(self.config.default_queue)
            if general is not None and general in best:
                return general
            return min(best, key=lambda q: (-q.priority, q.id))
        return self.queue_by_name.get(self.config.default_queue)

    async def _requeue(self, conv: Conv) -> None:
        prev = conv.operator_id
        await self._transition(
            conv,
            None,
            set(WORKING),
            S.QUEUED,
            "requeued",
            {"operator_id": None, "preferred_operator_id": prev, "queued_at": True},
        )

    # ==========================================================================================
    # routing
    # ==========================================================================================
    def _request_route(self) -> None:
        if not self._route_pending:
            self._route_pending = True
            asyncio.get_running_loop().call_soon(self._route)

    async def _tick(self) -> None:
        # A safety net and the clock for business hours: route once a second; prune hourly.
        last_prune = 0.0
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(1.0)
            self._request_route()
            if loop.time() - last_prune > 3600:
                last_prune = loop.time()
                try:
                    await self.prune()
                except Exception:
                    log.exception("pruning old events failed")

    async def prune(self, now: datetime | None = None) -> tuple[int, int, int]:
        """Drop operator events, idempotency keys and unanswered hint showings older than their
        retention; returns how many of each.

        A client whose last seen event was pruned gets ``gap_too_old`` and reloads its state;
        idempotency keys live at least a day (a client retries within minutes).
        """
        now = now or utcnow()
        ev_cut = now - timedelta(days=self.config.event_retention_days)
        key_cut = now - timedelta(days=max(1.0, self.config.idempotency_retention_days))
        ev_t = T.operator_events

        later = ev_t.alias("later")
        newest = (
            select(func.max(later.c.seq))
            .where(later.c.operator_id == ev_t.c.operator_id)
            .scalar_subquery()
        )
        hint_cut = now - timedelta(days=self.config.hint_retention_days)
        d, o = T.nba_decisions, T.nba_outcomes
        answered = select(o.c.hint_id).where(o.c.hint_id == d.c.hint_id).exists()

        def job(b: WriteBatch) -> tuple[int, int, int]:
            # Each operator's newest event stays: sequence numbers continue from it after a
            # restart instead of starting again under the same epoch.
            r1 = b.execute(delete(ev_t).where(ev_t.c.created_at < ev_cut, ev_t.c.seq < newest))
            r2 = b.execute(delete(T.idempotency).where(T.idempotency.c.created_at < key_cut))
            r3 = b.execute(delete(d).where(d.c.shown_at < hint_cut, ~answered))
            return r1.rowcount, r2.rowcount, r3.rowcount

        return await self._write(job)

    def _route(self) -> None:
        self._route_pending = False
        waiting = [c for c in self.convs.values() if c.state == S.QUEUED]
        if not waiting:
            return
        now = utcnow()
        # Only an operator with a desktop connected can see an offer.
        ops = [op for op in self.operators.values() if op.id in self._subscribers]

        def order(c: Conv) -> tuple[int, datetime]:
            q = self.queues.get(c.queue_id) if c.queue_id is not None else None
            return (-(q.priority if q else 0), c.queued_at or now)

        for conv in sorted(waiting, key=order):
            queue = self.queues.get(conv.queue_id) if conv.queue_id is not None else None
            if queue is not None and not queue.is_open(now):
                continue
            op = choose_operator(
                ops,
                queue,
                conv.channel,
                exclude=conv.declined,
                preferred=conv.preferred_operator_id,
            )
            if op is None and conv.declined:
                # Everybody able has declined once: start a new round rather than starve.
                conv.declined.clear()
                op = choose_operator(ops, queue, conv.channel, preferred=conv.preferred_operator_id)
            if op is None:
                continue
            self._offer(conv, op)

    def _offer(self, conv: Conv, op: OperatorState) -> None:
        version = conv.version
        self._set(conv, state=S.OFFERED, offered_to=op.id, version=version + 1)
        op.idle_since = utcnow()
        expires = utcnow() + timedelta(seconds=self.config.offer_timeout_s)
        customer = {"id": conv.customer_id, "name": self._names.get(conv.customer_id, "")}
        view = conv.view()

        def job(b: WriteBatch) -> bool:
            res = b.execute(
                update(T.conversations)
                .where(
                    T.conversations.c.id == conv.id,
                    T.conversations.c.version == version,
                    T.conversations.c.state == S.QUEUED,
                )
                .values(state=S.OFFERED, offered_to=op.id, offered_at=b.now, version=version + 1)
            )
            if res.rowcount != 1:
                return False
            _lifecycle(b, conv.id, "offered", op.id, conv.queue_id)
            b.emit(
                op.id,
                "conversation.offered",
                {
                    "conversation": view,
                    "customer": customer,
                    "expires_at": expires.isoformat(),
                },
            )
            return True

        async def run() -> None:
            try:
                ok = await self._write(job)
            except Exception:
                log.exception("offer of conversation %s failed", conv.id)
                ok = False
            if not ok and conv.state == S.OFFERED and conv.offered_to == op.id:
                self._set(conv, state=S.QUEUED, offered_to=None)
                return
            if ok:
                self._queue_changed(conv, S.QUEUED, skip=(op.id,))
                self._offer_timers[conv.id] = asyncio.get_running_loop().call_later(
                    self.config.offer_timeout_s,
                    self._offer_expired,
                    conv.id,
                    op.id,
                    version + 1,
                )

        self._spawn(run())

    def _cancel_offer_timer(self, conv_id: int) -> None:
        h = self._offer_timers.pop(conv_id, None)
        if h is not None:
            h.cancel()

    def _offer_expired(self, conv_id: int, op_id: int, version: int) -> None:
        self._offer_timers.pop(conv_id, None)
        conv = self.convs.get(conv_id)
        if conv is None or conv.state != S.OFFERED or conv.offered_to != op_id:
            return
        if conv.version != version:
            return
        conv.declined.add(op_id)
        self._spawn(self._withdraw(conv, op_id, "timeout"))

    async def _withdraw(self, conv: Conv, op_id: int, reason: str) -> None:
        await self._transition(
            conv,
            None,
            {S.OFFERED},
            S.QUEUED,
            f"offer_{reason}",
            {"offered_to": None},
            notify={op_id: ("conversation.offer_withdrawn", {"reason": reason})},
        )
        self._request_route()

    # ==========================================================================================
    # transitions (the one place that changes a conversation's state)
    # ==========================================================================================
    async def _transition(
        self,
        conv: Conv,
        actor: int | None,
        allowed_from: set[S] | set[str],
        to_state: str,
        lifecycle: str,
        changes: dict[str, Any],
        *,
        notify: dict[int, tuple[str, dict[str, Any]]] | None = None,
        idem: tuple[int, str, str] | None = None,
        extra_job: Callable[[WriteBatch], None] | None = None,
    ) -> dict[str, Any]:
        """Compare-and-set a conversation from one of ``allowed_from`` to ``to_state``.

        ``changes`` maps columns to values (``True`` for a timestamp means "now"). Memory is
        changed first, synchronously, so a second command in the same tick already sees the
        new state; the store's version check makes the decision hold across nodes too.
        """
        if conv.state not in allowed_from:
            raise ProtocolError(
                ErrorCode.CONFLICT,
                f"conversation {conv.id} is {conv.state}, not {'/'.join(sorted(allowed_from))}",
                state=conv.state,
            )
        version = conv.version
        before: dict[str, Any] = {
            "state": conv.state,
            "operator_id": conv.operator_id,
            "offered_to": conv.offered_to,
            "held_at": conv.held_at,
            "queue_id": conv.queue_id,
        }
        mem = {
            k: v
            for k, v in changes.items()
            if k in ("operator_id", "offered_to", "preferred_operator_id", "queue_id")
        }
        if "held_at" in changes:
            mem["held_at"] = utcnow() if changes["held_at"] is True else changes["held_at"]
        if changes.get("queued_at") is True:
            mem["queued_at"] = utcnow()
        self._set(conv, state=to_state, version=version + 1, **mem)
        self._cancel_offer_timer(conv.id)
        old_holder = (
            before["offered_to"]
            if before["state"] == S.OFFERED
            else (before["operator_id"] if before["state"] in WORKING else None)
        )
        new_holder = conv.holder
        view = conv.view()
        closing = to_state in (S.RESOLVED, S.CLOSED, S.ABANDONED)
        recipients: dict[int, tuple[str, dict[str, Any]]] = {}
        for op_id in {old_holder, new_holder, actor} - {None}:
            assert op_id is not None
            recipients[op_id] = ("conversation.updated", {})
        if notify:
            recipients.update(notify)

        def job(b: WriteBatch) -> dict[str, Any]:
            values: dict[str, Any] = {
                "state": to_state,
                "version": version + 1,
                "last_activity_at": b.now,
            }
            for k, v in changes.items():
                values[k] = b.now if v is True else v
            if before["state"] == S.HELD and before["held_at"] is not None:
                values["hold_seconds"] = (
                    T.conversations.c.hold_seconds + (b.now - before["held_at"]).total_seconds()
                )
                values.setdefault("held_at", None)
            res = b.execute(
                update(T.conversations)
                .where(T.conversations.c.id == conv.id, T.conversations.c.version == version)
                .values(**values)
            )
            if res.rowcount != 1:
                raise ProtocolError(
                    ErrorCode.CONFLICT, f"conversation {conv.id} was changed by someone else"
                )
            _lifecycle(b, conv.id, lifecycle, actor, conv.queue_id, {"from": before["state"]})
            if extra_job is not None:
                extra_job(b)
            for op_id, (name, data) in recipients.items():
                b.emit(op_id, name, {"conversation": view, **data})
            result = {"conversation": view}
            if idem is not None:
                _record_idem(b, idem, result)
            return result

        try:
            result = await self._write(job)
        except BaseException:
            # Put memory back as it was: the store said no.
            if conv.version == version + 1:
                self._set(
                    conv,
                    state=before["state"],
                    version=version,
                    operator_id=before["operator_id"],
                    offered_to=before["offered_to"],
                    held_at=before["held_at"],
                    queue_id=before["queue_id"],
                )
            raise
        if closing:
            if conv.operator_id is not None:
                self._last_owner[conv.customer_id] = (conv.operator_id, utcnow())
            self._unregister(conv)
        self._queue_changed(conv, before["state"], skip=recipients)
        self._request_route()
        return result

    def _queue_changed(
        self, conv: Conv, was: str | None, *, skip: Iterable[int | None] = ()
    ) -> None:
        """Tell the desktops that list this queue (operators who may take the conversation,
        and supervisors) that it entered, moved in or left the queue. Live frames, not
        events: nothing is written per watcher, and a reconnecting desktop reads a snapshot."""
        if was not in IN_QUEUE and conv.state not in IN_QUEUE:
            return
        skipped = set(skip)
        queue = self.queues.get(conv.queue_id) if conv.queue_id is not None else None
        frame: bytes | None = None
        for op_id, subs in self._subscribers.items():
            op = self.operators.get(op_id)
            if op_id in skipped or op is None:
                continue
            if op.role not in SUPERVISOR_ROLES and not eligible(op, queue, conv.channel):
                continue
            if frame is None:  # encoded once for every watcher
                customer = {"id": conv.customer_id, "name": self._names.get(conv.customer_id, "")}
                data = {"conversation": conv.view(), "customer": customer}
                frame = encode(Live("queue.updated", data))
            for sub in subs:
                sub.live(("queue.updated", conv.id), frame)

    # ==========================================================================================
    # operator commands
    # ==========================================================================================
    def operator(self, op_id: int) -> OperatorState:
        op = self.operators.get(op_id)
        if op is None:
            raise ProtocolError(ErrorCode.FORBIDDEN, "unknown operator")
        return op

    def add_operator(self, row: Any) -> OperatorState:
        now = utcnow()
        op = OperatorState(
            id=row.id,
            username=row.username,
            display_name=row.display_name,
            role=row.role,
            skills=frozenset(row.skills or ()),
            capacity={k: int(v) for k, v in (row.capacity or {}).items()},
            presence="offline",
            presence_since=now,
            idle_since=now,
        )
        self.operators.setdefault(op.id, op)
        return self.operators[op.id]

    def _conv_for(self, op: OperatorState, conv_id: int, *, owner_only: bool = True) -> Conv:
        conv = self.convs.get(conv_id)
        if conv is None:
            raise ProtocolError(ErrorCode.NOT_FOUND, f"no open conversation {conv_id}")
        if owner_only and op.role not in SUPERVISOR_ROLES and conv.operator_id != op.id:
            raise ProtocolError(ErrorCode.FORBIDDEN, "this conversation is not yours")
        return conv

    def can_see_customer(self, op: OperatorState, customer_id: int) -> bool:
        """Agents see their own customers and those nobody else is serving."""
        if op.role in SUPERVISOR_ROLES:
            return True
        for (cid, _ch), conv_id in self._open.items():
            if cid != customer_id:
                continue
            conv = self.convs.get(conv_id)
            holder = conv.holder if conv else None
            if holder is not None and holder != op.id:
                return False
        return True

    async def cmd_presence_set(
        self, op: OperatorState, a: C.PresenceSet, key: tuple[int, str, str]
    ) -> dict[str, Any]:
        return await self._set_presence(op, a.status, key)

    async def _set_presence(
        self, op: OperatorState, status: str, key: tuple[int, str, str] | None
    ) -> dict[str, Any]:
        prev = op.presence

        def job(b: WriteBatch) -> dict[str, Any]:
            b.execute(
                update(T.operators)
                .where(T.operators.c.id == op.id)
                .values(presence=status, presence_since=b.now)
            )
            data = {"presence": status, "since": b.now.isoformat()}
            b.emit(op.id, "presence.changed", data)
            if key is not None:
                _record_idem(b, key, data)
            return data

        result = await self._write(job)
        op.presence = status
        op.presence_since = utcnow()
        if status == "available" and prev != "available":
            op.idle_since = utcnow()
            self._request_route()
        if status != "available":
            for conv in [
                c for c in self.convs.values() if c.state == S.OFFERED and c.offered_to == op.id
            ]:
                conv.declined.add(op.id)
                self._spawn(self._withdraw(conv, op.id, "presence"))
        return result

    async def cmd_conversation_accept(
        self, op: OperatorState, a: C.ConversationRef, key: tuple[int, str, str]
    ) -> dict[str, Any]:
        conv = self._conv_for(op, a.conversation_id, owner_only=False)
        if conv.state not in (S.QUEUED, S.OFFERED):
            raise ProtocolError(
                ErrorCode.CONFLICT, f"conversation {conv.id} was already taken", state=conv.state
            )
        queue = self.queues.get(conv.queue_id) if conv.queue_id is not None else None
        if op.role not in SUPERVISOR_ROLES and not eligible(op, queue, conv.channel):
            raise ProtocolError(ErrorCode.FORBIDDEN, "you lack the skills for this queue")
        mine = conv.state == S.OFFERED and conv.offered_to == op.id
        if not mine and not op.has_room(conv.channel):
            raise ProtocolError(ErrorCode.NO_CAPACITY, f"no free {conv.channel} capacity")
        notify = {}
        if conv.state == S.OFFERED and conv.offered_to not in (None, op.id):
            assert conv.offered_to is not None
            notify[conv.offered_to] = ("conversation.offer_withdrawn", {"reason": "taken"})
        result = await self._transition(
            conv,
            op.id,
            {S.QUEUED, S.OFFERED},
            S.ACTIVE,
            "accepted",
            {"operator_id": op.id, "offered_to": None, "accepted_at": True},
            notify=notify,
            idem=key,
        )
        return result

    async def cmd_conversation_decline(
        self, op: OperatorState, a: C.ConversationRef, key: tuple[int, str, str]
    ) -> dict[str, Any]:
        conv = self._conv_for(op, a.conversation_id, owner_only=False)
        if conv.state != S.OFFERED or conv.offered_to != op.id:
            raise ProtocolError(ErrorCode.CONFLICT, "this conversation is not offered to you")
        conv.declined.add(op.id)
        result = await self._transition(
            conv, op.id, {S.OFFERED}, S.QUEUED, "declined", {"offered_to": None}, idem=key
        )
        return result

    async def cmd_conversation_hold(
        self, op: OperatorState, a: C.ConversationRef, key: tuple[int, str, str]
    ) -> dict[str, Any]:
        conv = self._conv_for(op, a.conversation_id)
        return await self._transition(
            conv, op.id, {S.ACTIVE}, S.HELD, "held", {"held_at": True}, idem=key
        )

    async def cmd_conversation_resume(
        self, op: OperatorState, a: C.ConversationRef, key: tuple[int, str, str]
    ) -> dict[str, Any]:
        conv = self._conv_for(op, a.conversation_id)
        return await self._transition(
            conv, op.id, {S.HELD}, S.ACTIVE, "resumed", {"held_at": None}, idem=key
        )

    async def cmd_conversation_end(
        self, op: OperatorState, a: C.ConversationRef, key: tuple[int, str, str]
    ) -> dict[str, Any]:
        conv = self._conv_for(op, a.conversation_id)
        return await self._transition(
            conv, op.id, {S.ACTIVE, S.HELD}, S.WRAP_UP, "wrap_up", {"wrap_up_at": True}, idem=key
        )

    async def cmd_conversation_wrap_up(
        self, op: OperatorState, a: C.WrapUp, key: tuple[int, str, str]
    ) -> dict[str, Any]:
        conv = self._conv_for(op, a.conversation_id)
        changes: dict[str, Any] = {
            "disposition": a.disposition[:64],
            "resolution": a.resolution[:2000],
            "closed_at": True,
        }
        if conv.state != S.WRAP_UP:
            changes["wrap_up_at"] = True
        if a.resolved:
            changes["resolved_at"] = True
        ignored: list[str] = []

        def unanswered_hints(b: WriteBatch) -> None:
            ignored[:] = N.record_ignored(b, conv.id, op.id)

        result = await self._transition(
            conv,
            op.id,
            {S.ACTIVE, S.HELD, S.WRAP_UP},
            S.RESOLVED if a.resolved else S.CLOSED,
            "resolved" if a.resolved else "closed",
            changes,
            idem=key,
            extra_job=unanswered_hints,
        )
        for action in ignored:  # committed: now the counts learn from them
            self.nba.stats.record(action, "ignored")
        return result

    async def cmd_conversation_transfer(
        self, op: OperatorState, a: C.Transfer, key: tuple[int, str, str]
    ) -> dict[str, Any]:
        conv = self._conv_for(op, a.conversation_id)
        if (a.to_operator_id is None) == (a.to_queue is None):
            raise ProtocolError(ErrorCode.INVALID_ARGS, "give either to_operator_id or to_queue")
        note = a.note.strip()[: C.MAX_TEXT]
        author = op.display_name

        def add_note(b: WriteBatch) -> None:
            if note:
                eid = b.next_id(T.timeline)
                b.add(
                    T.timeline,
                    _note_row(
                        eid,
                        conv.customer_id,
                        conv.id,
                        op.id,
                        author,
                        note,
                        b.now,
                        {"transfer": True},
                    ),
                )

        if a.to_operator_id is not None:
            target = self.operators.get(a.to_operator_id)
            if target is None:
                raise ProtocolError(ErrorCode.NOT_FOUND, "no such operator")
            if target.id == op.id:
                raise ProtocolError(ErrorCode.INVALID_ARGS, "cannot transfer to yourself")
            queue = self.queues.get(conv.queue_id) if conv.queue_id is not None else None
            if not eligible(target, queue, conv.channel):
                raise ProtocolError(
                    ErrorCode.FORBIDDEN, f"{target.display_name} lacks the skills for this queue"
                )
            if target.presence != "available" or not target.has_room(conv.channel):
                raise ProtocolError(
                    ErrorCode.NO_CAPACITY, f"{target.display_name} cannot take it now"
                )
            customer = {"id": conv.customer_id, "name": self._names.get(conv.customer_id, "")}
            expires = utcnow() + timedelta(seconds=self.config.offer_timeout_s)
            result = await self._transition(
                conv,
                op.id,
                {S.ACTIVE, S.HELD},
                S.OFFERED,
                "transferred",
                {
                    "operator_id": None,
                    "offered_to": target.id,
                    "preferred_operator_id": target.id,
                    "transferred_at": True,
                    "offered_at": True,
                    "held_at": None,
                },
                notify={
                    target.id: (
                        "conversation.offered",
                        {
                            "customer": customer,
                            "expires_at": expires.isoformat(),
                            "transfer": {"from": op.id, "note": note},
                        },
                    )
                },
                idem=key,
                extra_job=add_note,
            )
            self._offer_timers[conv.id] = asyncio.get_running_loop().call_later(
                self.config.offer_timeout_s, self._offer_expired, conv.id, target.id, conv.version
            )
            return result
        assert a.to_queue is not None
        tq = self.queue_by_name.get(a.to_queue)
        if tq is None:
            raise ProtocolError(ErrorCode.NOT_FOUND, f"no queue {a.to_queue!r}")
        conv.declined.add(op.id)
        conv.queue_id = tq.id
        return await self._transition(
            conv,
            op.id,
            {S.ACTIVE, S.HELD},
            S.QUEUED,
            "transferred",
            {
                "operator_id": None,
                "offered_to": None,
                "preferred_operator_id": None,
                "queue_id": tq.id,
                "transferred_at": True,
                "queued_at": True,
                "held_at": None,
            },
            idem=key,
            extra_job=add_note,
        )

    async def cmd_note_add(
        self, op: OperatorState, a: C.NoteAdd, key: tuple[int, str, str]
    ) -> dict[str, Any]:
        text = a.text.strip()
        if not text or len(text) > C.MAX_TEXT:
            raise ProtocolError(ErrorCode.INVALID_ARGS, "a note needs 1..20000 characters")
        self._require_customer(op, a.customer_id)
        if a.conversation_id is not None:
            await self._require_conversation_of(a.conversation_id, a.customer_id)
        author = op.display_name

        def job(b: WriteBatch) -> dict[str, Any]:
            eid = b.next_id(T.timeline)
            row = _note_row(eid, a.customer_id, a.conversation_id, op.id, author, text, b.now, {})
            b.add(T.timeline, row)
            item = _item_view(row)
            b.emit(op.id, "timeline.item", {"item": item})
            result = {"item": item}
            _record_idem(b, key, result)
            return result

        await self._customer_exists(a.customer_id)
        return await self._write(job)

    async def cmd_message_send(
        self, op: OperatorState, a: C.MessageSend, key: tuple[int, str, str]
    ) -> dict[str, Any]:
        text = a.text.strip()
        if not text or len(text) > C.MAX_TEXT:
            raise ProtocolError(ErrorCode.INVALID_ARGS, "a message needs 1..20000 characters")
        self._require_customer(op, a.customer_id)
        conv: Conv | None = None
        if a.conversation_id is not None:
            conv = self._conv_for(op, a.conversation_id)
            if conv.customer_id != a.customer_id:
                raise ProtocolError(ErrorCode.INVALID_ARGS, "conversation of another customer")
        else:
            conv = next(
                (
                    c
                    for c in self.convs.values()
                    if c.customer_id == a.customer_id
                    and c.operator_id == op.id
                    and c.state in WORKING
                ),
                None,
            )
        adapter = self.adapters.get(a.channel)
        if adapter is None:
            raise ProtocolError(
                ErrorCode.CHANNEL_UNAVAILABLE, f"the {a.channel} channel is not connected"
            )
        kinds = CHANNEL_ADDRESS.get(a.channel, ())
        ids = await self.store.read(lambda c: Q.identities_of(c, a.customer_id))
        address = next((i["value"] for k in kinds for i in ids if i["kind"] == k), None)
        if address is None:
            raise ProtocolError(
                ErrorCode.CHANNEL_UNAVAILABLE, f"the customer cannot be reached by {a.channel}"
            )
        conv_id = conv.id if conv else None
        first = conv is not None and not conv.first_response
        author = op.display_name
        kind = "email" if a.channel == "email" else "message"
        subject = a.subject.strip()[:300]

        def job(b: WriteBatch) -> dict[str, Any]:
            eid = b.next_id(T.timeline)
            row: dict[str, Any] = {
                "id": eid,
                "customer_id": a.customer_id,
                "conversation_id": conv_id,
                "kind": kind,
                "channel": a.channel,
                "direction": "out",
                "author_operator_id": op.id,
                "author_label": author,
                "subject": subject,
                "body": text,
                "attachments": [],
                "extra": {},
                "provider_id": None,
                "delivery": "pending",
                "created_at": b.now,
            }
            b.add(T.timeline, row)
            if first and conv_id is not None:
                b.execute(
                    update(T.conversations)
                    .where(
                        T.conversations.c.id == conv_id,
                        T.conversations.c.first_response_at.is_(None),
                    )
                    .values(first_response_at=b.now, last_activity_at=b.now)
                )
                _lifecycle(b, conv_id, "first_response", op.id, None)
            item = _item_view(row)
            b.emit(op.id, "timeline.item", {"item": item})
            result = {"item": item}
            _record_idem(b, key, result)
            return result

        result = await self._write(job)
        if conv is not None:
            conv.first_response = True
        item = result["item"]
        out = OutboundMessage(item["id"], a.customer_id, a.channel, address, text, subject, author)
        self._spawn(self._deliver(op.id, adapter, out))
        return result

    async def _deliver(self, op_id: int, adapter: ChannelAdapter, out: OutboundMessage) -> None:
        try:
            provider_id = await adapter.send(out)
            state, error = "sent", ""
        except ChannelUnavailable as exc:
            provider_id, state, error = None, "failed", str(exc)
        except Exception as exc:
            log.exception("%s adapter failed", out.channel)
            provider_id, state, error = None, "failed", f"{type(exc).__name__}"
        await self.set_delivery(
            out.event_id, state, provider_id=provider_id, error=error, notify=op_id
        )

    async def set_delivery(
        self,
        event_id: int,
        state: str,
        *,
        provider_id: str | None = None,
        error: str = "",
        notify: int | None = None,
    ) -> None:
        """Record a delivery state (sent, delivered, read, failed) and tell the author."""
        order = ["pending", "sent", "delivered", "read"]

        def job(b: WriteBatch) -> None:
            row = b.execute(
                select(
                    T.timeline.c.delivery, T.timeline.c.author_operator_id, T.timeline.c.customer_id
                ).where(T.timeline.c.id == event_id)
            ).first()
            if row is None:
                return
            current = row.delivery or "pending"
            if (
                state != "failed"
                and current in order
                and order.index(current) >= order.index(state)
            ):
                return  # never move backwards (a late "sent" after "read")
            values: dict[str, Any] = {"delivery": state}
            if provider_id:
                values["provider_id"] = provider_id
            b.execute(update(T.timeline).where(T.timeline.c.id == event_id).values(**values))
            target = notify if notify is not None else row.author_operator_id
            if target is not None:
                b.emit(
                    target,
                    "message.delivery",
                    {
                        "event_id": event_id,
                        "customer_id": row.customer_id,
                        "delivery": state,
                        "error": error,
                    },
                )

        await self._write(job)

    async def cmd_customer_open(self, op: OperatorState, a: C.CustomerOpen) -> dict[str, Any]:
        self._require_customer(op, a.customer_id)
        limit = max(1, min(a.limit, C.MAX_PAGE))
        conv_id = a.conversation_id
        if conv_id is not None:
            await self._require_conversation_of(conv_id, a.customer_id)
        else:
            conv_id = self._hint_conversation(op, a.customer_id)
        now = utcnow()
        card, history = await self.store.read(
            lambda c: (
                Q.customer_card(c, a.customer_id, limit, now),
                N.recent_outcomes(c, a.customer_id, now),
            )
        )
        if card is None:
            raise ProtocolError(ErrorCode.NOT_FOUND, f"no customer {a.customer_id}")
        decision = self.nba.decide(card, N.Context(now, conv_id, history))
        card["hints"] = decision.views()

        def record(b: WriteBatch) -> None:
            N.record_decisions(b, decision.hints, a.customer_id, op.id, conv_id)

        # One group commit for both: the decision log and the audit of the view.
        await asyncio.gather(
            self._write(record), self.audit(op.id, "customer.view", "customer", a.customer_id)
        )
        return card

    def _hint_conversation(self, op: OperatorState, customer_id: int) -> int | None:
        """The interaction hints are for: the operator's open conversation with the customer."""
        mine = [
            conv
            for (cid, _ch), conv_id in self._open.items()
            if cid == customer_id
            and (conv := self.convs.get(conv_id)) is not None
            and conv.holder == op.id
        ]
        return max(mine, key=lambda c: (c.state in WORKING, c.id)).id if mine else None

    async def cmd_hint_respond(
        self, op: OperatorState, a: C.HintRespond, key: tuple[int, str, str]
    ) -> dict[str, Any]:
        """Record what the operator did with a hint, learn from it, send the refreshed hints."""
        self._require_customer(op, a.customer_id)
        shown = await self.store.read(lambda c: N.find_hint(c, a.hint_id))
        if shown is None or shown.customer_id != a.customer_id:
            raise ProtocolError(ErrorCode.NOT_FOUND, f"no hint {a.hint_id!r} for this customer")
        if shown.outcome is not None:
            raise ProtocolError(
                ErrorCode.CONFLICT, f"this hint was already {shown.outcome}", outcome=shown.outcome
            )
        now = utcnow()
        card, history = await self.store.read(
            lambda c: (
                Q.customer_card(c, a.customer_id, HINT_TIMELINE, now),
                N.recent_outcomes(c, a.customer_id, now),
            )
        )
        if card is None:
            raise ProtocolError(ErrorCode.NOT_FOUND, f"no customer {a.customer_id}")
        # Decide as if the answer were recorded: a dismissed action is gone from the new list.
        history.append(N.PastOutcome(shown.action, a.outcome, shown.conversation_id, now))
        decision = self.nba.decide(card, N.Context(now, shown.conversation_id, history))
        data = {"customer_id": a.customer_id, "hints": decision.views()}

        def job(b: WriteBatch) -> dict[str, Any]:
            first = N.outcome_recorded(b, a.hint_id)
            if first is not None:
                raise ProtocolError(
                    ErrorCode.CONFLICT, f"this hint was already {first}", outcome=first
                )
            N.record_outcome(b, a.hint_id, a.outcome, op.id)
            N.record_decisions(b, decision.hints, a.customer_id, op.id, shown.conversation_id)
            b.add(
                T.audit,
                {
                    "at": b.now,
                    "operator_id": op.id,
                    "action": "hint.respond",
                    "target_type": "customer",
                    "target_id": str(a.customer_id),
                    "details": {
                        "hint_id": a.hint_id,
                        "action": shown.action,
                        "outcome": a.outcome,
                        "conversation_id": shown.conversation_id,
                    },
                },
            )
            b.emit(op.id, "hints.updated", data)
            result = {"hint_id": a.hint_id, "action": shown.action, "outcome": a.outcome, **data}
            _record_idem(b, key, result)
            return result

        result = await self._write(job)
        self.nba.stats.record(shown.action, a.outcome)
        return result

    async def cmd_timeline_page(self, op: OperatorState, a: C.TimelinePage) -> dict[str, Any]:
        self._require_customer(op, a.customer_id)
        limit = max(1, min(a.limit, C.MAX_PAGE))
        return await self.store.read(lambda c: Q.timeline_page(c, a.customer_id, a.before, limit))

    async def cmd_customer_search(self, op: OperatorState, a: C.CustomerSearch) -> dict[str, Any]:
        query = a.query.strip()
        if len(query) < 2:
            raise ProtocolError(ErrorCode.INVALID_ARGS, "type at least two characters")
        kind, value = _classify_query(query)
        limit = max(1, min(a.limit, 50))
        ids = await self.store.read(lambda c: Q.search_customers(c, query, kind, value, limit * 2))
        visible = [i for i in ids if self.can_see_customer(op, i)][:limit]

        def load(c: Connection) -> list[dict[str, Any]]:
            out = []
            for cid in visible:
                s = Q.customer_summary(c, cid)
                if s is not None:
                    s["identities"] = Q.identities_of(c, cid)
                    out.append(s)
            return out

        return {"customers": await self.store.read(load)}

    async def cmd_state_snapshot(self, op: OperatorState, a: C.Snapshot) -> dict[str, Any]:
        """Everything a client needs after a (re)connect that could not resume."""
        mine = [
            c.view()
            for c in self.convs.values()
            if (c.operator_id == op.id and c.state in WORKING)
            or (c.offered_to == op.id and c.state == S.OFFERED)
        ]
        queued = []
        for c in self.convs.values():
            if c.state not in (S.QUEUED, S.OFFERED):
                continue
            q = self.queues.get(c.queue_id) if c.queue_id is not None else None
            if op.role in SUPERVISOR_ROLES or eligible(op, q, c.channel):
                queued.append(c.view())
        names = {c["customer_id"]: self._names.get(c["customer_id"], "") for c in mine + queued}
        return {
            "presence": op.presence,
            "conversations": mine,
            "queue": queued,
            "customers": {str(k): v for k, v in names.items()},
            "queues": [
                {"id": q.id, "name": q.name, "sla_seconds": q.sla_seconds}
                for q in self.queues.values()
            ],
            "operators": [
                {"id": o.id, "name": o.display_name, "presence": o.presence}
                for o in self.operators.values()
            ],
        }

    def _require_customer(self, op: OperatorState, customer_id: int) -> None:
        if not self.can_see_customer(op, customer_id):
            raise ProtocolError(ErrorCode.FORBIDDEN, "another operator is serving this customer")

    async def _require_conversation_of(self, conversation_id: int, customer_id: int) -> None:
        conv = self.convs.get(conversation_id)
        if conv is not None:
            owner: int | None = conv.customer_id
        else:
            owner = await self.store.read(
                lambda c: c.execute(
                    select(T.conversations.c.customer_id).where(
                        T.conversations.c.id == conversation_id
                    )
                ).scalar()
            )
        if owner != customer_id:
            raise ProtocolError(
                ErrorCode.INVALID_ARGS,
                f"conversation {conversation_id} is not this customer's",
            )

    async def _customer_exists(self, customer_id: int) -> None:
        s = await self.store.read(lambda c: Q.customer_summary(c, customer_id))
        if s is None:
            raise ProtocolError(ErrorCode.NOT_FOUND, f"no customer {customer_id}")

    async def audit(
        self,
        op_id: int | None,
        action: str,
        target_type: str,
        target_id: int | str,
        details: dict[str, Any] | None = None,
    ) -> None:
        def job(b: WriteBatch) -> None:
            b.add(
                T.audit,
                {
                    "at": b.now,
                    "operator_id": op_id,
                    "action": action,
                    "target_type": target_type,
                    "target_id": str(target_id),
                    "details": details or {},
                },
            )

        await self._write(job)

    def announce_name(self, customer_id: int) -> str:
        return self._names.get(customer_id, "")


# ==============================================================================================
# helpers for jobs (writer thread)
# ==============================================================================================


def _load_state(conn: Connection) -> tuple[list[Any], list[Any], list[Any]]:
    ops = list(conn.execute(select(T.operators).where(T.operators.c.active.is_(True))).all())
    queues = list(conn.execute(select(T.queues)).all())
    convs = list(
        conn.execute(
            select(T.conversations, T.customers.c.display_name)
            .join(T.customers, T.customers.c.id == T.conversations.c.customer_id)
            .where(T.conversations.c.state.in_([s.value for s in OPEN_STATES]))
        ).all()
    )
    return ops, queues, convs


def _insert_conversation(b: WriteBatch, conv_id: int, conv: Conv) -> None:
    b.add(
        T.conversations,
        {
            "id": conv_id,
            "customer_id": conv.customer_id,
            "channel": conv.channel,
            "queue_id": conv.queue_id,
            "state": S.QUEUED,
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
    b.add(
        T.lifecycle,
        {
            "conversation_id": conv_id,
            "kind": "queued",
            "at": b.now,
            "operator_id": None,
            "queue_id": conv.queue_id,
            "details": {},
        },
    )


def _lifecycle(
    b: WriteBatch,
    conv_id: int,
    kind: str,
    op_id: int | None,
    queue_id: int | None,
    details: dict[str, Any] | None = None,
) -> None:
    b.add(
        T.lifecycle,
        {
            "conversation_id": conv_id,
            "kind": kind,
            "at": b.now,
            "operator_id": op_id,
            "queue_id": queue_id,
            "details": details or {},
        },
    )


def _record_idem(b: WriteBatch, key: tuple[int, str, str], result: dict[str, Any]) -> None:
    op_id, idem_key, command = key
    b.add(
        T.idempotency,
        {
            "operator_id": op_id,
            "key": idem_key,
            "command": command,
            "result": result,
            "created_at": b.now,
        },
    )


def _note_row(
    eid: int,
    customer_id: int,
    conv_id: int | None,
    op_id: int,
    author: str,
    text: str,
    now: datetime,
    extra: dict[str, Any],
) -> dict[str, Any]:
    return {
        "id": eid,
        "customer_id": customer_id,
        "conversation_id": conv_id,
        "kind": "note",
        "channel": None,
        "direction": "internal",
        "author_operator_id": op_id,
        "author_label": author,
        "subject": "",
        "body": text,
        "attachments": [],
        "extra": extra,
        "provider_id": None,
        "delivery": None,
        "created_at": now,
    }


def _item_view(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "customer_id": row["customer_id"],
        "conversation_id": row["conversation_id"],
        "kind": row["kind"],
        "channel": row["channel"],
        "direction": row["direction"],
        "author": row["author_label"],
        "author_operator_id": row["author_operator_id"],
        "subject": row["subject"],
        "body": row["body"],
        "attachments": row["attachments"],
        "extra": row["extra"],
        "delivery": row["delivery"],
        "at": row["created_at"].isoformat(),
    }


def _classify_query(query: str) -> tuple[str, str]:
    """("phone"|"email"|"name", normalised value) for a search box entry."""
    if "@" in query:
        try:
            return "email", normalise_identity("email", query)
        except InvalidIdentity:
            return "name", query
    digits = sum(ch.isdigit() for ch in query)
    if digits >= 7 and digits >= len(query.replace(" ", "")) * 0.6:
        try:
            return "phone", normalise_identity("phone", query)
        except InvalidIdentity:
            return "name", query
    return "name", query
