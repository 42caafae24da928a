"""Who gets the next conversation: skills, capacity, presence, business hours, longest idle."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(slots=True)
class OperatorState:
    id: int
    username: str
    display_name: str
    role: str
    skills: frozenset[str]
    capacity: dict[str, int]
    presence: str
    presence_since: datetime
    # When this operator last got work or became free: the longest idle is offered first.
    idle_since: datetime
    load: dict[str, int] = field(default_factory=dict)
    # What customers see of this operator's name (the web chat shows it on replies).
    public_name: str = ""
    # Offers in a row this operator let time out (an accepted one starts the count again).
    missed_offers: int = 0

    @property
    def name_for_customers(self) -> str:
        return self.public_name or public_name_of(self.display_name)

    @property
    def total_load(self) -> int:
        return sum(self.load.values())

    def has_room(self, channel: str) -> bool:
        return self.load.get(channel, 0) < int(self.capacity.get(channel, 0))

    def add_load(self, channel: str, delta: int) -> None:
        self.load[channel] = max(0, self.load.get(channel, 0) + delta)


def public_name_of(display_name: str) -> str:
    """By default customers see an operator's first name only."""
    words = display_name.split()
    return words[0] if words else ""


@dataclass(slots=True)
class QueueState:
    id: int
    name: str
    channels: frozenset[str]
    skills: frozenset[str]
    priority: int
    sla_seconds: int
    hours: dict[str, Any]
    # What operators see instead of the name, by language ({"ru": "Продажи"}).
    display_names: dict[str, str] = field(default_factory=dict)
    # Overrides of the channels' response targets: {"first_response_s": {"webchat": 45}, ...}.
    response_targets: dict[str, dict[str, int]] = field(default_factory=dict)

    def is_open(self, now: datetime) -> bool:
        return within_hours(self.hours, now)


def within_hours(hours: dict[str, Any], now: datetime) -> bool:
    """True when ``now`` falls in the queue's business hours; no hours means always open."""
    days = hours.get("days") if hours else None
    if not days:
        return True
    local = now.astimezone(ZoneInfo(hours.get("tz", "UTC")))
    today = days.get(DAYS[local.weekday()], [])
    t = local.time()
    return any(time.fromisoformat(a) <= t < time.fromisoformat(b) for a, b in today)


def eligible(op: OperatorState, queue: QueueState | None, channel: str) -> bool:
    """May ``op`` take a conversation of this queue and channel at all (ignoring presence)?"""
    return skilled_for(op.skills, staffed_channels(op), queue, channel)


def staffed_channels(op: OperatorState) -> frozenset[str]:
    """The channels ``op`` has any capacity for."""
    return frozenset(ch for ch, n in op.capacity.items() if int(n) > 0)


def skilled_for(
    skills: frozenset[str], channels: frozenset[str], queue: QueueState | None, channel: str
) -> bool:
    return channel in channels and (queue is None or queue.skills <= skills)


def busy_on(op: OperatorState, channels: frozenset[str]) -> bool:
    """Whether ``op`` holds work on any of ``channels`` (offered or in progress)."""
    return any(op.load.get(channel, 0) > 0 for channel in channels)


def choose_operator(
    operators: list[OperatorState],
    queue: QueueState | None,
    channel: str,
    *,
    exclude: set[int] | frozenset[int] = frozenset(),
    preferred: int | None = None,
    blocking: frozenset[str] = frozenset(),
) -> OperatorState | None:
    """The operator to offer to: available, skilled, with room for the channel, and not busy
    on a ``blocking`` channel (an operator on a call gets no new chats).

    The preferred operator (the one who owns the customer) wins when able; otherwise the least
    loaded, then the longest idle.
    """
    able = [
        op
        for op in operators
        if op.presence == "available"
        and op.id not in exclude
        and eligible(op, queue, channel)
        and op.has_room(channel)
        and not busy_on(op, blocking - {channel})
    ]
    if not able:
        return None
    if preferred is not None:
        for op in able:
            if op.id == preferred:
                return op
    return min(able, key=lambda op: (op.total_load, op.idle_since, op.id))
