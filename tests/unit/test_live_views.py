"""The per-connection buffer of live queue views: newest view wins, a flood becomes a resync."""

from __future__ import annotations

import json

from services.gateway.operator_session import EventSender
from services.protocol.messages import Live, encode


def view(conv_id: int, state: str) -> tuple[tuple[str, int], bytes]:
    data = {"conversation": {"id": conv_id, "state": state}, "customer": {"id": 1, "name": ""}}
    return ("queue.updated", conv_id), encode(Live("queue.updated", data))


def sender(limit: int) -> EventSender:
    # Only the buffering is looked at here; the socket side is exercised by the gateway tests.
    return EventSender(ws=None, gw=None, operator_id=1, sent_seq=0, limit=limit)  # type: ignore[arg-type]


def test_a_slow_reader_gets_the_newest_view_of_each_conversation_in_order_of_change() -> None:
    s = sender(limit=10)
    s.live(*view(1, "queued"))
    s.live(*view(2, "queued"))
    s.live(*view(1, "offered"))
    sent = [json.loads(frame)["data"]["conversation"] for frame in s.live_views.values()]
    assert [(c["id"], c["state"]) for c in sent] == [
        (2, "queued"),
        (1, "offered"),
    ]
    assert not s.live_resync and s.wake.is_set()


def test_more_changed_conversations_than_the_limit_become_one_resync() -> None:
    s = sender(limit=3)
    for conv_id in range(1, 5):
        s.live(*view(conv_id, "queued"))
    assert s.live_resync
    assert len(s.live_views) <= 3
