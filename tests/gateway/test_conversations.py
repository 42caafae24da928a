"""Routing and the conversation lifecycle through real sockets."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from sqlalchemy import select

from services.store.models import (
    AuditEntry,
    Conversation,
    IdempotencyRecord,
    LifecycleEvent,
    TimelineEvent,
    table_of,
)
from tests.gateway.conftest import RunningGateway
from tests.support.opclient import ChatVisitor, OpClient


async def available(url: str, user: str) -> OpClient:
    c = await OpClient.connect(url, user, user)
    assert c.auth["type"] == "auth_ok", c.auth
    await c.ok("presence.set", {"status": "available"})
    return c


async def chat_and_offer(
    gw: RunningGateway, op: OpClient, text: str = "Здравствуйте!", **hello: Any
) -> tuple[ChatVisitor, dict[str, Any]]:
    v = await ChatVisitor.connect(gw.url, **hello)
    ack = await v.say(text)
    assert ack["type"] == "ack"
    offered = await op.event("conversation.offered")
    return v, offered["data"]["conversation"]


def rows(gw: RunningGateway, model: Any, **where: Any) -> list[Any]:
    t = table_of(model)
    q = select(t)
    for k, v in where.items():
        q = q.where(t.c[k] == v)
    with gw.gw.engine.connect() as c:
        return list(c.execute(q).all())


async def test_chat_is_offered_accepted_answered_and_delivered(gateway: RunningGateway) -> None:
    op = await available(gateway.url, "a1")
    v, conv = await chat_and_offer(gateway, op, "Где мой заказ?", name="Пётр")
    assert conv["state"] == "offered" and conv["channel"] == "webchat"
    accepted = await op.ok("conversation.accept", {"conversation_id": conv["id"]})
    assert accepted["conversation"]["state"] == "active"
    card = await op.ok("customer.open", {"customer_id": conv["customer_id"]})
    assert card["customer"]["name"] == "Пётр"
    assert [i["body"] for i in card["timeline"]["items"]] == ["Где мой заказ?"]
    assert card["identities"][0]["kind"] == "web_visitor"
    sent = await op.ok(
        "message.send",
        {"customer_id": conv["customer_id"], "channel": "webchat", "text": "Сейчас проверю"},
    )
    assert sent["item"]["delivery"] == "pending"
    got = await v.recv_type("message")
    assert got["text"] == "Сейчас проверю" and got["author"] == "Анна"
    await op.event("message.delivery", event_id=sent["item"]["id"], delivery="sent")
    # The visitor's widget says it arrived.
    await v.ws.send(json.dumps({"type": "read", "event_id": got["event_id"]}))
    await op.event("message.delivery", event_id=got["event_id"], delivery="read")
    # A follow-up from the customer goes straight to the owner, live.
    await v.say("Спасибо")
    item = await op.event("timeline.item", item__body="Спасибо")
    assert item["data"]["item"]["direction"] == "in"
    # Opening the card was audited.
    audits = rows(gateway, AuditEntry, action="customer.view")
    assert [a.target_id for a in audits] == [str(conv["customer_id"])]


async def test_lifecycle_is_recorded_exactly(gateway: RunningGateway) -> None:
    op = await available(gateway.url, "a1")
    _v, conv = await chat_and_offer(gateway, op)
    cid = conv["id"]
    await op.ok("conversation.accept", {"conversation_id": cid})
    await op.ok(
        "message.send",
        {"customer_id": conv["customer_id"], "channel": "webchat", "text": "Добрый день"},
    )
    await op.ok("conversation.hold", {"conversation_id": cid})
    await asyncio.sleep(0.2)
    await op.ok("conversation.resume", {"conversation_id": cid})
    r = await op.ok(
        "conversation.wrap_up",
        {"conversation_id": cid, "disposition": "info", "resolution": "Рассказали о доставке"},
    )
    assert r["conversation"]["state"] == "resolved"
    (c,) = rows(gateway, Conversation, id=cid)
    assert c.queued_at <= c.offered_at <= c.accepted_at <= c.first_response_at
    assert c.first_response_at <= c.wrap_up_at <= c.resolved_at
    assert c.hold_seconds >= 0.2
    assert c.disposition == "info" and c.resolution == "Рассказали о доставке"
    kinds = [
        e.kind
        for e in sorted(rows(gateway, LifecycleEvent, conversation_id=cid), key=lambda e: e.id)
    ]
    assert kinds == [
        "queued",
        "offered",
        "accepted",
        "first_response",
        "held",
        "resumed",
        "resolved",
    ]
    # Capacity is free again and the conversation is no longer open.
    snap = await op.ok("state.snapshot")
    assert snap["conversations"] == []


async def test_two_operators_accepting_at_once_exactly_one_wins(
    gateway: RunningGateway,
) -> None:
    a1 = await available(gateway.url, "a1")
    a2 = await available(gateway.url, "a2")
    v = await ChatVisitor.connect(gateway.url)
    await v.say("Срочно!")
    await asyncio.sleep(0.3)
    snap = await a2.ok("state.snapshot")
    conv_id = (
        snap["queue"][0]["id"]
        if snap["queue"]
        else (await a1.ok("state.snapshot"))["conversations"][0]["id"]
    )
    for _round in range(5):
        replies = await asyncio.gather(
            a1.cmd("conversation.accept", {"conversation_id": conv_id}),
            a2.cmd("conversation.accept", {"conversation_id": conv_id}),
        )
        winners = [r for r in replies if r["type"] == "result"]
        losers = [r for r in replies if r["type"] == "error"]
        assert len(winners) == 1, replies
        assert len(losers) == 1 and losers[0]["code"] == "conflict"
        break
    (c,) = rows(gateway, Conversation, id=conv_id)
    assert c.state == "active" and c.operator_id in (1, 2)
    accepted = [
        e for e in rows(gateway, LifecycleEvent, conversation_id=conv_id) if e.kind == "accepted"
    ]
    assert len(accepted) == 1


async def test_offers_respect_skills(gateway: RunningGateway) -> None:
    b1 = await available(gateway.url, "b1")  # billing only
    v = await ChatVisitor.connect(gateway.url)
    await v.say("Вопрос")  # web chat -> the general queue
    await asyncio.sleep(0.5)
    assert not [e for e in b1.events if e["name"] == "conversation.offered"]
    snap = await b1.ok("state.snapshot")
    assert snap["queue"] == []
    conv_id = next(iter(gateway.gw.hub.convs))
    r = await b1.cmd("conversation.accept", {"conversation_id": conv_id})
    assert r["code"] == "forbidden"
    a1 = await available(gateway.url, "a1")
    offered = await a1.event("conversation.offered")
    assert offered["data"]["conversation"]["id"] == conv_id


async def test_agents_never_see_another_operators_customer(gateway: RunningGateway) -> None:
    a1 = await available(gateway.url, "a1")
    _v, conv = await chat_and_offer(gateway, a1, "Мне нужна помощь", name="Ирина")
    await a1.ok("conversation.accept", {"conversation_id": conv["id"]})
    a2 = await OpClient.connect(gateway.url, "a2", "a2")
    r = await a2.cmd("customer.open", {"customer_id": conv["customer_id"]}, key=None)
    assert r["code"] == "forbidden"
    r = await a2.cmd("timeline.page", {"customer_id": conv["customer_id"]}, key=None)
    assert r["code"] == "forbidden"
    found = await a2.ok("customer.search", {"query": "Ирина"}, key=None)
    assert found["customers"] == []
    r = await a2.cmd(
        "message.send", {"customer_id": conv["customer_id"], "channel": "webchat", "text": "Привет"}
    )
    assert r["code"] == "forbidden"
    r = await a2.cmd("conversation.hold", {"conversation_id": conv["id"]})
    assert r["code"] == "forbidden"
    # A team lead may.
    lead = await OpClient.connect(gateway.url, "lead", "lead")
    card = await lead.ok("customer.open", {"customer_id": conv["customer_id"]}, key=None)
    assert card["customer"]["name"] == "Ирина"
    found = await lead.ok("customer.search", {"query": "ирина"}, key=None)
    assert [c["id"] for c in found["customers"]] == [conv["customer_id"]]


async def test_same_idempotency_key_takes_effect_once(gateway: RunningGateway) -> None:
    op = await available(gateway.url, "a1")
    _v, conv = await chat_and_offer(gateway, op)
    await op.ok("conversation.accept", {"conversation_id": conv["id"]})
    args = {"customer_id": conv["customer_id"], "channel": "webchat", "text": "Один раз"}
    first = await op.cmd("message.send", args, key="send-1")
    # Repeats: sequential, and concurrent.
    again = await op.cmd("message.send", args, key="send-1")
    burst = await asyncio.gather(*(op.cmd("message.send", args, key="send-1") for _ in range(5)))
    assert first["type"] == "result" and not first.get("replayed")
    for r in [again, *burst]:
        assert r["type"] == "result" and r["replayed"] is True
        assert r["data"] == first["data"]
    sent = [
        r
        for r in rows(gateway, TimelineEvent, customer_id=conv["customer_id"])
        if r.body == "Один раз"
    ]
    assert len(sent) == 1
    assert len(rows(gateway, IdempotencyRecord, key="send-1")) == 1
    # After a gateway-side cache loss the store still answers.
    gateway.gw.idempotency.cache.clear()
    later = await op.cmd("message.send", args, key="send-1")
    assert later["replayed"] is True and later["data"] == first["data"]
    assert (
        len(
            [
                r
                for r in rows(gateway, TimelineEvent, customer_id=conv["customer_id"])
                if r.body == "Один раз"
            ]
        )
        == 1
    )


async def test_transfer_to_operator_and_to_queue(gateway: RunningGateway) -> None:
    a1 = await available(gateway.url, "a1")
    _v, conv = await chat_and_offer(gateway, a1)
    await a1.ok("conversation.accept", {"conversation_id": conv["id"]})
    a2 = await available(gateway.url, "a2")
    r = await a1.ok(
        "conversation.transfer",
        {
            "conversation_id": conv["id"],
            "to_operator_id": a2.auth["operator"]["id"],
            "note": "Клиент ждёт возврат",
        },
    )
    assert r["conversation"]["state"] == "offered"
    offer = await a2.event("conversation.offered", conversation__id=conv["id"])
    assert offer["data"]["transfer"]["note"] == "Клиент ждёт возврат"
    await a2.ok("conversation.accept", {"conversation_id": conv["id"]})
    card = await a2.ok("customer.open", {"customer_id": conv["customer_id"]})
    notes = [i for i in card["timeline"]["items"] if i["kind"] == "note"]
    assert notes and notes[0]["body"] == "Клиент ждёт возврат"
    # a1 no longer owns it.
    r2 = await a1.cmd("conversation.hold", {"conversation_id": conv["id"]})
    assert r2["code"] == "forbidden"
    # To a queue: it goes back to routing, and not to the one who sent it away.
    r = await a2.ok("conversation.transfer", {"conversation_id": conv["id"], "to_queue": "general"})
    assert r["conversation"]["state"] in ("queued", "offered")
    offered = await a1.event("conversation.offered", conversation__id=conv["id"])
    assert offered["data"]["conversation"]["offered_to"] == a1.auth["operator"]["id"]
    kinds = [e.kind for e in rows(gateway, LifecycleEvent, conversation_id=conv["id"])]
    assert kinds.count("transferred") == 2


async def test_decline_and_timeout_reoffer_to_someone_else(gateway: RunningGateway) -> None:
    gateway.gw.hub.config.offer_timeout_s = 0.5
    gateway.gw.hub.config.reoffer_after_s = 0.2
    a1 = await available(gateway.url, "a1")
    _v, conv = await chat_and_offer(gateway, a1)
    a2 = await available(gateway.url, "a2")
    await a1.ok("conversation.decline", {"conversation_id": conv["id"]})
    offer2 = await a2.event("conversation.offered", conversation__id=conv["id"])
    assert offer2["data"]["conversation"]["offered_to"] == a2.auth["operator"]["id"]
    # a2 ignores it: it times out and comes back to a1.
    await a2.event("conversation.offer_withdrawn", conversation__id=conv["id"], timeout=5)
    again = await a1.event("conversation.offered", conversation__id=conv["id"], timeout=5)
    assert again["data"]["conversation"]["offered_to"] == a1.auth["operator"]["id"]


async def test_capacity_limits_offers(gateway: RunningGateway) -> None:
    gateway.gw.hub.config.max_offers_per_operator = 10  # capacity is what counts here
    a1 = await available(gateway.url, "a1")  # webchat capacity 3
    visitors = [await ChatVisitor.connect(gateway.url) for _ in range(5)]
    for v in visitors:
        await v.say("Привет")
    await asyncio.sleep(0.5)
    offers = [e for e in a1.events if e["name"] == "conversation.offered"]
    assert len(offers) == 3
    await a1.ok("conversation.accept", {"conversation_id": offers[0]["data"]["conversation"]["id"]})
    await a1.ok(
        "conversation.wrap_up",
        {"conversation_id": offers[0]["data"]["conversation"]["id"], "disposition": "done"},
    )
    # The fourth, now that there is room; still never more than three at once.
    await a1.wait(lambda: len([e for e in a1.events if e["name"] == "conversation.offered"]) == 4)
    await asyncio.sleep(0.3)
    assert len([e for e in a1.events if e["name"] == "conversation.offered"]) == 4


async def test_returning_customer_goes_back_to_their_operator(gateway: RunningGateway) -> None:
    a1 = await available(gateway.url, "a1")
    a2 = await available(gateway.url, "a2")
    v, conv = await chat_and_offer(gateway, a1)
    owner = a1 if conv["offered_to"] == a1.auth["operator"]["id"] else a2
    other = a2 if owner is a1 else a1
    await owner.ok("conversation.accept", {"conversation_id": conv["id"]})
    await owner.ok("conversation.wrap_up", {"conversation_id": conv["id"], "disposition": "ok"})
    # Same visitor writes again later: a new conversation, offered to the same operator.
    v2 = await ChatVisitor.connect(gateway.url, visitor_token=v.visitor_token)
    await v2.say("Я снова по тому же вопросу")
    offer = await owner.event("conversation.offered", timeout=5)
    assert offer["data"]["conversation"]["id"] != conv["id"]
    assert offer["data"]["conversation"]["customer_id"] == conv["customer_id"]
    assert not [
        e
        for e in other.events
        if e["name"] == "conversation.offered"
        and e["data"]["conversation"]["customer_id"] == conv["customer_id"]
    ]


async def test_notes_and_search_by_phone_and_email(gateway: RunningGateway) -> None:
    op = await available(gateway.url, "a1")
    _v, conv = await chat_and_offer(
        gateway, op, name="Ольга Петрова", phone="8 (916) 555-12-34", email="Olga@Example.RU"
    )
    await op.ok("conversation.accept", {"conversation_id": conv["id"]})
    await asyncio.sleep(0.1)
    for query in ("+7 916 555 12 34", "olga@example.ru", "петрова"):
        found = await op.ok("customer.search", {"query": query}, key=None)
        assert [c["id"] for c in found["customers"]] == [conv["customer_id"]], query
    claimed = {(i["kind"], i["value"], i["verified"]) for i in found["customers"][0]["identities"]}
    assert ("phone", "+79165551234", False) in claimed
    assert ("email", "olga@example.ru", False) in claimed
    note = await op.ok("note.add", {"customer_id": conv["customer_id"], "text": "VIP, вежливо"})
    assert note["item"]["kind"] == "note" and note["item"]["direction"] == "internal"
    page = await op.ok("timeline.page", {"customer_id": conv["customer_id"], "limit": 1}, key=None)
    assert page["items"][0]["body"] == "VIP, вежливо" and page["cursor"] is not None
    older = await op.ok(
        "timeline.page",
        {"customer_id": conv["customer_id"], "limit": 10, "before": page["cursor"]},
        key=None,
    )
    assert [i["body"] for i in older["items"]] == ["Здравствуйте!"]
    assert older["cursor"] is None


async def test_reply_on_a_channel_the_customer_lacks_is_refused(gateway: RunningGateway) -> None:
    op = await available(gateway.url, "a1")
    _v, conv = await chat_and_offer(gateway, op)
    await op.ok("conversation.accept", {"conversation_id": conv["id"]})
    r = await op.cmd(
        "message.send",
        {"customer_id": conv["customer_id"], "channel": "telegram", "text": "Привет"},
    )
    assert r["code"] == "channel_unavailable"


async def test_the_queue_is_live_for_those_who_may_take_it_and_for_leads(
    gateway: RunningGateway,
) -> None:
    # Connected but on a break: nobody is offered anything, the chat waits in the queue.
    a1 = await OpClient.connect(gateway.url, "a1", "a1")
    a2 = await OpClient.connect(gateway.url, "a2", "a2")
    b1 = await OpClient.connect(gateway.url, "b1", "b1")  # billing only: not this queue
    lead = await OpClient.connect(gateway.url, "lead", "lead")

    def views(c: OpClient, state: str) -> list[dict[str, Any]]:
        # Changes within a short window come as one frame: the items, in order.
        return [
            item
            for m in c.other
            if m["type"] == "live" and m["name"] == "queue.updated"
            for item in m["data"]["items"]
            if item["conversation"]["state"] == state
        ]

    v = await ChatVisitor.connect(gateway.url, name="Тамара")
    await v.say("Есть кто-нибудь?")
    for watcher in (a1, a2, lead):
        queued = await watcher.wait(lambda w=watcher: views(w, "queued"))
        assert queued[0]["customer"]["name"] == "Тамара"
        assert "seq" not in queued[0]
    conv_id = queued[0]["conversation"]["id"]

    # a1 becomes available: the offer is a1's (an event); the others see it leave the queue.
    await a1.ok("presence.set", {"status": "available"})
    offered = await a1.event("conversation.offered")
    assert offered["data"]["conversation"]["id"] == conv_id
    for watcher in (a2, lead):
        seen = await watcher.wait(lambda w=watcher: views(w, "offered"))
        assert seen[0]["conversation"]["offered_to"] == a1.auth["operator"]["id"]
    await a1.ok("conversation.accept", {"conversation_id": conv_id})
    for watcher in (a2, lead):
        await watcher.wait(lambda w=watcher: views(w, "active"))
    # Nothing of it ever reached the operator who may not take it, and nothing live reached
    # a1 about its own conversation (a1 has the events).
    await asyncio.sleep(0.2)
    assert [m for m in b1.other if m["type"] == "live"] == []
    assert views(a1, "offered") == [] and views(a1, "active") == []
    # Live frames are not events: the sequence numbers of a2 have no gap and no queue in them.
    assert all(e["name"] != "queue.updated" for e in a2.events)
    for c in (a1, a2, b1, lead):
        await c.close()
    await v.close()
