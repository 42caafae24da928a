"""Live state on the event loop: open conversations, operators, queues, and who carries what.

Touched only on the event-loop thread, so a decision made between two ``await``s is never
interleaved with another. Operators' load is derived from the conversations they hold and kept
right by changing a conversation only through :meth:`LiveState.change`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from services.domain.errors import Forbidden, NotFound
from services.domain.routing import OperatorState, QueueState
from services.protocol.channels import response_target
from services.protocol.triage import DEFAULT_PRIORITY
from services.store.models import ConversationState, utcnow
from services.store.queries import iso

State = ConversationState
WORKING = (State.ACTIVE, State.HELD, State.WRAP_UP)
IN_QUEUE = (State.QUEUED, State.OFFERED)  # what the queue tab of the desktop lists
CLOSING = (State.RESOLVED, State.CLOSED, State.ABANDONED)
# While in these, an unanswered customer message is a response owed on time (not in wrap-up).
OWING = (State.QUEUED, State.OFFERED, State.ACTIVE, State.HELD)
SUPERVISOR_ROLES = ("supervisor", "admin")


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
    accepted_at: datetime | None = None
    # When the customer's oldest unanswered message came; None: there is nothing to answer.
    awaiting_since: datetime | None = None
    # The owed response was recorded late (``sla_breached``): once per owed response.
    breached: bool = False
    # The conversation's queue, kept from ``queue_id`` by LiveState (its response targets).
    queue: QueueState | None = None
    declined: set[int] = field(default_factory=set)
    declined_at: datetime | None = None  # the last time someone declined or let it time out

    def decline(self, operator_id: int) -> None:
        self.declined.add(operator_id)
        self.declined_at = utcnow()

    tags: list[str] = field(default_factory=list)
    priority: str = DEFAULT_PRIORITY
    snoozed_until: datetime | None = None
    snooze_mode: str | None = None  # None: not snoozed; "until" or "reply"
    # The customer's latest message in it, and on which channel: a customer who goes on in
    # another channel soon after continues this conversation (HubConfig.cross_channel_s).
    last_inbound_at: datetime | None = None
    last_inbound_channel: str = ""
    # A call's id at the PBX (its channel), for call control; "" for other channels.
    call_id: str = ""

    @property
    def holder(self) -> int | None:
        """Whose capacity this conversation takes."""
        if self.state == State.OFFERED:
            return self.offered_to
        if self.state in WORKING:
            return self.operator_id
        return None

    def owed(self) -> tuple[str, int, datetime] | None:
        """The response owed the customer now, as (kind, target in seconds, due time), or None:
        nothing to answer, wrap-up, or no target for the channel."""
        if self.awaiting_since is None or self.state not in OWING:
            return None
        kind = "next_response" if self.first_response else "first_response"
        overrides = self.queue.response_targets if self.queue is not None else None
        target = response_target(kind, self.channel, overrides)
        if target <= 0:
            return None
        return kind, target, self.awaiting_since + timedelta(seconds=target)

    def sla_view(self) -> dict[str, Any] | None:
        owed = self.owed()
        if owed is None:
            return None
        kind, target, due = owed
        return {"kind": kind, "due_at": due.isoformat(), "target_s": target}

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
            "queued_at": iso(self.queued_at),
            "accepted_at": iso(self.accepted_at),
            "sla": self.sla_view(),
            "version": self.version,
            "tags": list(self.tags),
            "priority": self.priority,
            "snoozed_until": iso(self.snoozed_until),
            "snooze_mode": self.snooze_mode,
        }


def is_supervisor(op: OperatorState) -> bool:
    return op.role in SUPERVISOR_ROLES


class LiveState:
    def __init__(self) -> None:
        self.operators: dict[int, OperatorState] = {}
        self.queues: dict[int, QueueState] = {}
        self.queue_by_name: dict[str, QueueState] = {}
        self.convs: dict[int, Conv] = {}
        # customer -> channel -> open conversation id: one open conversation per channel
        self._by_customer: dict[int, dict[str, int]] = {}
        self.names: dict[int, str] = {}
        # customer -> (operator, when their last conversation closed): a returning customer
        # goes back to the operator who served them.
        self.last_owner: dict[int, tuple[int, datetime]] = {}
        # operator -> the customer whose card they opened last: who hears of a change to it.
        self.viewing: dict[int, int] = {}

    # -- conversations ----------------------------------------------------------------------
    def open_conversation(self, customer_id: int, channel: str) -> Conv | None:
        conv_id = self._by_customer.get(customer_id, {}).get(channel)
        return self.convs.get(conv_id) if conv_id is not None else None

    def continuable(
        self, customer_id: int, channel: str, now: datetime, within_s: float
    ) -> Conv | None:
        """The customer's open conversation on another channel that a message on ``channel``
        continues: not yet wrapped up, and written in within ``within_s`` (the newest)."""
        if within_s <= 0:
            return None
        since = now - timedelta(seconds=within_s)
        found = [
            c
            for c in self.conversations_of(customer_id)
            if c.channel != channel
            and c.state in OWING
            and (c.last_inbound_at or c.queued_at or now) >= since
        ]
        return max(found, key=lambda c: c.last_inbound_at or c.queued_at or now, default=None)

    def conversations_of(self, customer_id: int) -> Iterator[Conv]:
        for conv_id in self._by_customer.get(customer_id, {}).values():
            conv = self.convs.get(conv_id)
            if conv is not None:
                yield conv

    def register(self, conv: Conv) -> None:
        conv.queue = self.queue_of(conv)
        self.convs[conv.id] = conv
        self._by_customer.setdefault(conv.customer_id, {})[conv.channel] = conv.id
        self._add_load(conv, +1)

    def unregister(self, conv: Conv) -> None:
        self._add_load(conv, -1)
        self.convs.pop(conv.id, None)
        channels = self._by_customer.get(conv.customer_id)
        if channels is not None and channels.get(conv.channel) == conv.id:
            del channels[conv.channel]
            if not channels:
                del self._by_customer[conv.customer_id]

    def change(self, conv: Conv, **changes: Any) -> None:
        """Change a live conversation, keeping operators' load right."""
        self._add_load(conv, -1)
        for name, value in changes.items():
            setattr(conv, name, value)
        if "queue_id" in changes:
            conv.queue = self.queue_of(conv)
        self._add_load(conv, +1)

    def _add_load(self, conv: Conv, delta: int) -> None:
        holder = conv.holder
        op = self.operators.get(holder) if holder is not None else None
        if op is not None:
            op.add_load(conv.channel, delta)
            if delta < 0:
                op.idle_since = utcnow()

    def waiting(self) -> int:
        """Conversations in a queue now, offered or not."""
        return sum(1 for c in self.convs.values() if c.state in IN_QUEUE)

    def queue_of(self, conv: Conv) -> QueueState | None:
        return self.queues.get(conv.queue_id) if conv.queue_id is not None else None

    def add_queue(self, queue: QueueState) -> None:
        old = self.queues.get(queue.id)
        if old is not None and self.queue_by_name.get(old.name) is old:
            del self.queue_by_name[old.name]
        self.queues[queue.id] = queue
        self.queue_by_name[queue.name] = queue

    # -- who may do what --------------------------------------------------------------------
    def conversation_for(self, op: OperatorState, conv_id: int, *, owner_only: bool = True) -> Conv:
        conv = self.convs.get(conv_id)
        if conv is None:
            raise NotFound(f"no open conversation {conv_id}")
        if owner_only and not is_supervisor(op) and conv.operator_id != op.id:
            raise Forbidden("this conversation is not yours")
        return conv

    def can_see_customer(self, op: OperatorState, customer_id: int) -> bool:
        """Agents see their own customers and those nobody else is serving."""
        if is_supervisor(op):
            return True
        return all(conv.holder in (None, op.id) for conv in self.conversations_of(customer_id))

    def require_customer(self, op: OperatorState, customer_id: int) -> None:
        if not self.can_see_customer(op, customer_id):
            raise Forbidden("another operator is serving this customer")
