"""Tags, priority and snooze of conversations over real sockets: who may set them, their bounds,
routing by priority, and snoozes that wake when the customer writes, when their time comes, and
after a gateway restart."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any

import pytest

from services.gateway.server import Gateway
from services.hub import snoozes
from services.store.models import Conversation, LifecycleEvent, utcnow
from tests.gateway.conftest import RunningGateway, start_gateway
from tests.gateway.test_conversations import available, chat_and_offer, rows
from tests.support.opclient import ChatVisitor, OpClient


async def owned(gateway: RunningGateway, op: OpClient) -> tuple[ChatVisitor, dict[str, Any]]:
    visitor, conv = await chat_and_offer(gateway, op)
    accepted = await op.ok("conversation.accept", {"conversation_id": conv["id"]})
    return visitor, accepted["conversation"]


def lifecycle(gateway: RunningGateway, conv_id: int) -> list[tuple[str, dict[str, Any]]]:
    found = sorted(rows(gateway, LifecycleEvent, conversation_id=conv_id), key=lambda e: e.id)
    return [(e.kind, e.details) for e in found]


def later(seconds: float) -> str:
    return (utcnow() + timedelta(seconds=seconds)).isoformat()


async def test_tags_and_priority_are_the_owners_and_travel_with_the_conversation(
    gateway: RunningGateway,
) -> None:
    a1 = await available(gateway.url, "a1")
    _v, conv = await owned(gateway, a1)
    assert (conv["tags"], conv["priority"], conv["snoozed_until"], conv["snooze_mode"]) == (
        [],
        "normal",
        None,
        None,
    )
    cid = conv["id"]
    tagged = await a1.ok("conversation.tag", {"conversation_id": cid, "add": [" VIP ", "Возврат"]})
    assert tagged["conversation"]["tags"] == ["vip", "возврат"]
    event = await a1.event("conversation.updated", conversation__tags=["vip", "возврат"])
    assert event["data"]["conversation"]["version"] == tagged["conversation"]["version"]
    both = {"conversation_id": cid, "add": ["доставка"], "remove": ["VIP"]}
    after = await a1.ok("conversation.tag", both)
    assert after["conversation"]["tags"] == ["возврат", "доставка"]
    urgent = await a1.ok(
        "conversation.set_priority", {"conversation_id": cid, "priority": "urgent"}
    )
    assert urgent["conversation"]["priority"] == "urgent"
    await a1.event("conversation.updated", conversation__priority="urgent")

    for args, words in (
        ({"add": ["two words"]}, "bad tag"),
        ({"add": ["a,b"]}, "bad tag"),
        ({"add": ["x" * 33]}, "bad tag"),
        ({"add": [""]}, "bad tag"),
        ({"add": [f"t{i}" for i in range(21)]}, "length <= 20"),
        ({"add": [f"t{i}" for i in range(19)]}, "at most 20"),  # 2 there already
        ({"add": ["a"], "remove": ["A"]}, "both added and removed"),
        ({}, "give tags"),
    ):
        reply = await a1.cmd("conversation.tag", {"conversation_id": cid, **args})
        assert reply["code"] == "invalid_args" and words in reply["message"], (args, reply)
    bad = await a1.cmd("conversation.set_priority", {"conversation_id": cid, "priority": "asap"})
    assert bad["code"] == "invalid_args"
    # Another agent may not; a supervisor may.
    a2 = await OpClient.connect(gateway.url, "a2", "a2")
    for name, args in (
        ("conversation.tag", {"conversation_id": cid, "add": ["чужое"]}),
        ("conversation.set_priority", {"conversation_id": cid, "priority": "low"}),
    ):
        assert (await a2.cmd(name, args))["code"] == "forbidden"
    lead = await OpClient.connect(gateway.url, "lead", "lead")
    await lead.ok("conversation.set_priority", {"conversation_id": cid, "priority": "high"})
    # The owner hears of the supervisor's change.
    await a1.event("conversation.updated", conversation__priority="high")

    snap = await a1.ok("state.snapshot", key=None)
    (mine,) = snap["conversations"]
    assert (mine["tags"], mine["priority"]) == (["возврат", "доставка"], "high")
    (row,) = rows(gateway, Conversation, id=cid)
    assert (row.tags, row.priority) == (["возврат", "доставка"], "high")
    kinds = [(k, d) for k, d in lifecycle(gateway, cid) if k in ("tagged", "priority_changed")]
    assert kinds == [
        ("tagged", {"added": ["vip", "возврат"], "removed": []}),
        ("tagged", {"added": ["доставка"], "removed": ["vip"]}),
        ("priority_changed", {"from": "normal", "to": "urgent"}),
        ("priority_changed", {"from": "urgent", "to": "high"}),
    ]


async def test_urgent_and_high_go_first_within_their_queue(gateway: RunningGateway) -> None:
    lead = await OpClient.connect(gateway.url, "lead", "lead")
    visitors = []
    for text in ("первый", "второй", "третий"):
        v = await ChatVisitor.connect(gateway.url)
        assert (await v.say(text))["type"] == "ack"
        visitors.append(v)
    snap = await lead.ok("state.snapshot", key=None)
    first, second, third = sorted(snap["queue"], key=lambda c: c["queued_at"])
    # A watcher of the queue sees the new priority of a waiting conversation.
    watcher = await OpClient.connect(gateway.url, "a2", "a2")
    await lead.ok(
        "conversation.set_priority", {"conversation_id": third["id"], "priority": "urgent"}
    )
    await lead.ok(
        "conversation.set_priority", {"conversation_id": second["id"], "priority": "high"}
    )

    def urgent_seen() -> bool:
        return any(
            (item["conversation"]["id"], item["conversation"]["priority"])
            == (third["id"], "urgent")
            for m in watcher.other
            if m["type"] == "live" and m["name"] == "queue.updated"
            for item in m["data"]["items"]
        )

    await watcher.wait(urgent_seen)

    # One chat at a time: the offers come in priority order, then by waiting time.
    a1 = await OpClient.connect(gateway.url, "a1", "a1")
    gateway.gw.hub.operators[a1.auth["operator"]["id"]].capacity["webchat"] = 1
    await a1.ok("presence.set", {"status": "available"})
    order = []
    for _ in range(3):
        offered = (await a1.event("conversation.offered"))["data"]["conversation"]
        order.append(offered["id"])
        await a1.ok("conversation.accept", {"conversation_id": offered["id"]})
        await a1.ok(
            "conversation.wrap_up", {"conversation_id": offered["id"], "disposition": "info"}
        )
    assert order == [third["id"], second["id"], first["id"]]


async def test_a_snooze_wakes_when_the_customer_writes(gateway: RunningGateway) -> None:
    a1 = await available(gateway.url, "a1")
    visitor, conv = await owned(gateway, a1)
    cid = conv["id"]
    a2 = await OpClient.connect(gateway.url, "a2", "a2")
    refused = await a2.cmd("conversation.snooze", {"conversation_id": cid, "until_reply": True})
    assert refused["code"] == "forbidden"
    snoozed = await a1.ok("conversation.snooze", {"conversation_id": cid, "until_reply": True})
    assert snoozed["conversation"]["snooze_mode"] == "reply"
    assert snoozed["conversation"]["snoozed_until"] is None
    assert snoozed["conversation"]["state"] == "active"
    await a1.event("conversation.updated", conversation__snooze_mode="reply")
    assert (await a2.cmd("conversation.unsnooze", {"conversation_id": cid}))["code"] == "forbidden"

    await visitor.say("Я вернулся, номер заказа 1234")
    await a1.event("timeline.item", item__body="Я вернулся, номер заказа 1234")
    woke = await a1.event("conversation.updated", woken="customer")
    assert woke["data"]["conversation"]["snooze_mode"] is None
    (row,) = rows(gateway, Conversation, id=cid)
    assert (row.snooze_mode, row.snoozed_until, row.state) == (None, None, "active")
    kinds = [(k, d) for k, d in lifecycle(gateway, cid) if k in ("snoozed", "woken")]
    assert kinds == [
        ("snoozed", {"until": None, "mode": "reply"}),
        ("woken", {"reason": "customer"}),
    ]
    # A timed snooze wakes on the customer's word too, and a supervisor may end one.
    await a1.ok("conversation.snooze", {"conversation_id": cid, "until": later(3600)})
    await visitor.say("Ещё вопрос")
    await a1.event("conversation.updated", woken="customer")
    lead = await OpClient.connect(gateway.url, "lead", "lead")
    await lead.ok("conversation.snooze", {"conversation_id": cid, "until": later(3600)})
    ended = await lead.ok("conversation.unsnooze", {"conversation_id": cid})
    assert ended["conversation"]["snooze_mode"] is None
    again = await lead.cmd("conversation.unsnooze", {"conversation_id": cid})
    assert again["code"] == "conflict"


async def test_a_snooze_wakes_when_its_time_comes(gateway: RunningGateway) -> None:
    a1 = await available(gateway.url, "a1")
    _v, conv = await owned(gateway, a1)
    cid = conv["id"]
    for args, code, words in (
        ({"until": later(-5)}, "invalid_args", "in the future"),
        ({"until": later(31 * 86400)}, "invalid_args", "at most 30 days"),
        ({"until": "2030-01-01T09:00:00"}, "invalid_args", "timezone"),
        ({"until": "tomorrow"}, "invalid_args", "datetime"),
        ({}, "invalid_args", "until_reply"),
        ({"until_reply": False}, "invalid_args", "until_reply"),
    ):
        reply = await a1.cmd("conversation.snooze", {"conversation_id": cid, **args})
        assert reply["code"] == code and words in reply["message"], (args, reply)

    until = later(1.0)
    snoozed = await a1.ok(
        "conversation.snooze", {"conversation_id": cid, "until": until, "until_reply": True}
    )
    assert snoozed["conversation"]["snooze_mode"] == "until"
    assert snoozed["conversation"]["snoozed_until"] == until
    woke = await a1.event("conversation.updated", woken="time", timeout=10)
    assert woke["data"]["conversation"]["snooze_mode"] is None
    (row,) = rows(gateway, Conversation, id=cid)
    assert (row.snooze_mode, row.snoozed_until) == (None, None)
    assert ("woken", {"reason": "time"}) in lifecycle(gateway, cid)

    # Any change of state ends a snooze; only an active conversation is snoozed.
    await a1.ok("conversation.snooze", {"conversation_id": cid, "until": later(1.0)})
    held = await a1.ok("conversation.hold", {"conversation_id": cid})
    assert held["conversation"]["snooze_mode"] is None
    await asyncio.sleep(1.5)
    assert [e for e in a1.events if e["data"].get("woken") and not e.get("_taken")] == []
    on_hold = await a1.cmd("conversation.snooze", {"conversation_id": cid, "until_reply": True})
    assert on_hold["code"] == "conflict" and on_hold["details"] == {"state": "held"}


async def test_snoozes_survive_a_gateway_restart(db_url: str) -> None:
    first = await start_gateway(db_url)
    url = f"ws://127.0.0.1:{first.port}"
    gw_view = RunningGateway(first, url)
    a1 = await available(url, "a1")
    _v1, due = await owned(gw_view, a1)
    _v2, later_one = await owned(gw_view, a1)
    await a1.ok("conversation.snooze", {"conversation_id": due["id"], "until": later(1.0)})
    wake_at = later(8.0)
    await a1.ok("conversation.snooze", {"conversation_id": later_one["id"], "until": wake_at})
    resume = {"epoch": a1.auth["epoch"], "last_seq": a1.seqs[-1]}
    token = a1.auth["token"]
    for c in (a1, _v1, _v2):
        await c.close()
    await first.close()
    await asyncio.sleep(1.2)  # the first snooze falls due while the gateway is down

    gw = Gateway(first.config)
    await gw.start()
    url = f"ws://127.0.0.1:{gw.port}"
    try:
        back = await OpClient.connect(url, token=token, resume=resume)
        assert back.auth["resume"] == "resumed"
        woke = await back.event("conversation.updated", woken="time", timeout=5)
        assert woke["data"]["conversation"]["id"] == due["id"]
        # The other is still snoozed, and wakes at its time.
        pending = gw.hub.convs[later_one["id"]]
        assert (pending.snooze_mode, pending.snoozed_until.isoformat()) == ("until", wake_at)
        snap = await back.ok("state.snapshot", key=None)
        shown = {c["id"]: c["snoozed_until"] for c in snap["conversations"]}
        assert shown == {due["id"]: None, later_one["id"]: wake_at}
        woke = await back.event("conversation.updated", woken="time", timeout=15)
        assert woke["data"]["conversation"]["id"] == later_one["id"]
        assert utcnow() >= datetime.fromisoformat(wake_at)
        await back.close()
    finally:
        await gw.close()


async def test_a_wake_the_store_refused_is_tried_again_and_never_fails_the_message(
    gateway: RunningGateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    a1 = await available(gateway.url, "a1")
    visitor, conv = await owned(gateway, a1)
    transitions = gateway.gw.hub.transitions
    amend = transitions.amend
    failures = []

    async def failing_once(c: Any, actor: int | None, *args: Any, **kw: Any) -> Any:
        if actor is None and not failures:  # the first wake
            failures.append(c.id)
            raise RuntimeError("the store is away")
        return await amend(c, actor, *args, **kw)

    monkeypatch.setattr(transitions, "amend", failing_once)
    monkeypatch.setattr(snoozes, "WAKE_RETRY_S", 0.3)
    # Waiting for a reply: the customer's message is acknowledged though the wake failed, and
    # the next one wakes it.
    await a1.ok("conversation.snooze", {"conversation_id": conv["id"], "until_reply": True})
    assert (await visitor.say("Первое"))["type"] == "ack"
    assert failures == [conv["id"]]
    assert gateway.gw.hub.convs[conv["id"]].snooze_mode == "reply"
    assert (await visitor.say("Второе"))["type"] == "ack"
    await a1.event("conversation.updated", woken="customer")
    # A timed one tries again shortly.
    failures.clear()
    await a1.ok("conversation.snooze", {"conversation_id": conv["id"], "until": later(0.3)})
    woke = await a1.event("conversation.updated", woken="time", timeout=5)
    assert failures == [conv["id"]] and woke["data"]["conversation"]["snooze_mode"] is None
