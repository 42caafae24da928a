"""Who gets the next conversation, and when a queue is open."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.domain.routing import OperatorState, QueueState, choose_operator, within_hours

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # a Monday, 12:00 in Moscow


def op(
    i: int,
    *,
    skills: tuple[str, ...] = ("general",),
    presence: str = "available",
    idle_min: int = 0,
    load: dict[str, int] | None = None,
    capacity: dict[str, int] | None = None,
) -> OperatorState:
    return OperatorState(
        id=i,
        username=f"u{i}",
        display_name=f"U{i}",
        role="agent",
        skills=frozenset(skills),
        capacity=capacity or {"webchat": 2, "voice": 1},
        presence=presence,
        presence_since=T0,
        idle_since=T0 - timedelta(minutes=idle_min),
        load=dict(load or {}),
    )


GENERAL = QueueState(1, "general", frozenset({"webchat"}), frozenset({"general"}), 0, 60, {})
BILLING = QueueState(2, "billing", frozenset({"voice"}), frozenset({"billing"}), 5, 60, {})


def test_longest_idle_available_operator_wins() -> None:
    ops = [op(1, idle_min=1), op(2, idle_min=9), op(3, idle_min=5)]
    assert choose_operator(ops, GENERAL, "webchat").id == 2  # type: ignore[union-attr]


def test_least_loaded_before_longest_idle() -> None:
    ops = [op(1, idle_min=9, load={"webchat": 1}), op(2, idle_min=1)]
    assert choose_operator(ops, GENERAL, "webchat").id == 2  # type: ignore[union-attr]


def test_presence_skills_capacity_and_exclusions_filter() -> None:
    ops = [
        op(1, presence="break", idle_min=30),
        op(2, skills=("billing",), idle_min=20),
        op(3, load={"webchat": 2}, idle_min=10),
        op(4, idle_min=5),
        op(5, idle_min=1),
    ]
    assert choose_operator(ops, GENERAL, "webchat").id == 4  # type: ignore[union-attr]
    assert choose_operator(ops, GENERAL, "webchat", exclude={4}).id == 5  # type: ignore[union-attr]
    assert choose_operator(ops, GENERAL, "webchat", exclude={4, 5}) is None
    # Voice capacity is separate from chat capacity: one call at a time.
    busy_caller = op(6, skills=("billing",), load={"voice": 1})
    assert choose_operator([busy_caller], BILLING, "voice") is None
    assert (
        choose_operator([op(7, skills=("billing",), load={"webchat": 2})], BILLING, "voice").id == 7
    )  # type: ignore[union-attr]


def test_the_customers_own_operator_is_preferred_when_able() -> None:
    ops = [op(1, idle_min=30), op(2, idle_min=1)]
    assert choose_operator(ops, GENERAL, "webchat", preferred=2).id == 2  # type: ignore[union-attr]
    ops[1].presence = "offline"
    assert choose_operator(ops, GENERAL, "webchat", preferred=2).id == 1  # type: ignore[union-attr]


def test_no_capacity_configured_for_a_channel_means_never() -> None:
    assert choose_operator([op(1, capacity={"webchat": 3})], GENERAL, "email") is None


def test_business_hours_in_the_queues_time_zone() -> None:
    hours = {"tz": "Europe/Moscow", "days": {"mon": [["09:00", "13:00"], ["14:00", "18:00"]]}}
    assert within_hours(hours, T0)  # 12:00 Moscow
    assert not within_hours(hours, T0 + timedelta(hours=1, minutes=30))  # 13:30, lunch
    assert within_hours(hours, T0 + timedelta(hours=2))  # 14:00
    assert not within_hours(hours, T0 + timedelta(hours=6))  # 18:00 is closed already
    assert not within_hours(hours, T0 + timedelta(days=1))  # Tuesday: not listed
    assert within_hours({}, T0 + timedelta(days=1))  # no hours: always open


def test_an_operator_on_a_call_is_offered_no_chat_while_voice_blocks() -> None:
    on_call = op(1, idle_min=30, load={"voice": 1})
    free = op(2, idle_min=1)
    voice = frozenset({"voice"})
    assert choose_operator([on_call, free], GENERAL, "webchat", blocking=voice) is free
    # the owner's preference does not beat a call either
    assert choose_operator([on_call], GENERAL, "webchat", blocking=voice, preferred=1) is None
    # without the setting, capacity alone decides: the chat may go to the operator on a call
    assert choose_operator([on_call], GENERAL, "webchat") is on_call
    # chats do not block a call; a call on a blocking channel is judged by its capacity
    chatting = op(3, load={"webchat": 2}, capacity={"webchat": 3, "voice": 1})
    assert choose_operator([chatting], None, "voice", blocking=voice) is chatting
    assert choose_operator([on_call], None, "voice", blocking=voice) is None  # no room
