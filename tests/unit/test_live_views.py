"""The per-connection buffer of live queue views: newest view wins, a flood becomes a resync."""

from __future__ import annotations

from typing import Any

from services.gateway.operator_session import EventSender


def view(conv_id: int, state: str) -> dict[str, Any]:
    return {"conversation": {"id": conv_id, "state": state}, "customer": {"id": 1, "name": ""}}


def sender(limit: int) -> EventSender:
    # Only the buffering is looked at here; the socket side is exercised by the gateway tests.
    return EventSender(ws=None, gw=None, operator_id=1, sent_seq=0, limit=limit)  # type: ignore[arg-type]


def test_a_slow_reader_gets_the_newest_view_of_each_conversation_in_order_of_change() -> None:
    s = sender(limit=10)
    s.live("queue.updated", view(1, "queued"))
    s.live("queue.updated", view(2, "queued"))
    s.live("queue.updated", view(1, "offered"))
    assert [(k[1], d["conversation"]["state"]) for k, d in s.live_views.items()] == [
        (2, "queued"),
        (1, "offered"),
    ]
    assert not s.live_resync and s.wake.is_set()


def test_more_changed_conversations_than_the_limit_become_one_resync() -> None:
    s = sender(limit=3)
    for conv_id in range(1, 5):
        s.live("queue.updated", view(conv_id, "queued"))
    assert s.live_resync
    assert len(s.live_views) <= 3
