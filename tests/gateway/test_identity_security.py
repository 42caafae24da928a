"""Security items 1, 2 and 7: a web-chat visitor's credential, claims that must not route,
and reads of customer data that leave an audit entry. Real gateway, real sockets."""

from __future__ import annotations

import asyncio
import hashlib
import json

import websockets
from sqlalchemy import select

from services.domain.inbox import InboundMessage
from services.gateway.server import Gateway
from services.store import tables
from services.store.db import make_engine
from services.store.models import AuditEntry, Conversation, LifecycleEvent, TimelineEvent
from tests.gateway.conftest import RunningGateway, start_gateway
from tests.gateway.test_conversations import available, chat_and_offer, rows
from tests.support.opclient import ChatVisitor, OpClient


def _all_text(gateway: RunningGateway) -> str:
    """Every value of every row the store holds about visitors and identities, as text."""
    with gateway.gw.engine.connect() as conn:
        found = []
        for table in (tables.identities, tables.identity_claims, tables.web_visitors):
            found += [json.dumps(list(r), default=str) for r in conn.execute(select(table))]
        return "\n".join(found)


async def test_what_operators_see_of_a_visitor_is_no_key_to_their_chat(
    gateway: RunningGateway,
) -> None:
    op = await available(gateway.url, "a1")
    visitor, conv = await chat_and_offer(gateway, op, "Мой заказ 42 не пришёл", name="Ира")
    await op.ok("conversation.accept", {"conversation_id": conv["id"]})
    card = await op.ok("customer.open", {"customer_id": conv["customer_id"]})
    shown = {i["value"] for i in card["identities"] if i["kind"] == "web_visitor"}
    found = await op.ok("customer.search", {"query": "Ира"}, key=None)
    shown |= {
        i["value"]
        for c in found["customers"]
        for i in c["identities"]
        if i["kind"] == "web_visitor"
    }
    # Operators see the public handle; the secret is nowhere they look, nor in the store.
    assert shown == {visitor.handle}
    assert visitor.visitor_token not in json.dumps(card) + json.dumps(found)
    assert visitor.visitor_token not in _all_text(gateway)
    digest = hashlib.sha256(visitor.visitor_token.encode()).hexdigest()
    assert digest in _all_text(gateway)

    # Someone holding what the operator sees gets a new, empty chat of their own...
    for hello in ({"visitor_token": visitor.handle}, {"visitor_id": visitor.handle}):
        async with websockets.connect(gateway.url + "/ws/chat") as ws:
            await ws.send(json.dumps({"type": "hello", **hello}))
            welcome = json.loads(await ws.recv())
            assert welcome["type"] == "welcome"
            assert welcome["history"] == []
            assert welcome["visitor"] != visitor.handle
    # ...and later replies reach only the real visitor.
    intruder = await ChatVisitor.connect(gateway.url, visitor_token=visitor.handle)
    await op.ok(
        "message.send",
        {"customer_id": conv["customer_id"], "channel": "webchat", "text": "Заказ в пути"},
    )
    assert (await visitor.recv_type("message"))["text"] == "Заказ в пути"
    try:
        frame = await intruder.recv_type("message", timeout=0.5)
    except TimeoutError:
        frame = None
    assert frame is None
    # The real visitor comes back with the secret and sees the whole conversation.
    back = await ChatVisitor.connect(gateway.url, visitor_token=visitor.visitor_token)
    assert back.handle == visitor.handle
    assert [m["text"] for m in back.welcome["history"]] == [
        "Мой заказ 42 не пришёл",
        "Заказ в пути",
    ]
    for c in (visitor, intruder, back):
        await c.close()
    await op.close()


async def test_a_claimed_phone_or_email_never_routes_someone_elses_contact(
    gateway: RunningGateway,
) -> None:
    op = await available(gateway.url, "a1")
    # A visitor types someone else's phone and e-mail.
    visitor, conv = await chat_and_offer(
        gateway, op, "Привет", name="Мошенник", phone="+7 916 000-11-22", email="Victim@Mail.ru"
    )
    await op.ok("conversation.accept", {"conversation_id": conv["id"]})
    claimant = conv["customer_id"]
    card = await op.ok("customer.open", {"customer_id": claimant})
    claimed = {(i["kind"], i["value"]) for i in card["identities"] if i["claimed"]}
    assert claimed == {("phone", "+79160001122"), ("email", "victim@mail.ru")}

    # The real owner writes by SMS and by e-mail: a customer of their own, not the claimant.
    hub = gateway.gw.hub
    sms = await hub.ingest(
        InboundMessage(
            channel="sms",
            identity_kind="phone",
            identity_value="+79160001122",
            text="Код 1234 для входа",
            provider_id="sms-1",
            verified=True,
        )
    )
    mail = await hub.ingest(
        InboundMessage(
            channel="email",
            identity_kind="email",
            identity_value="victim@mail.ru",
            text="Личное письмо",
            kind="email",
            subject="Счёт",
            provider_id="mail-1",
        )
    )
    assert sms.customer_id != claimant and mail.customer_id != claimant
    bodies = [r.body for r in rows(gateway, TimelineEvent, customer_id=claimant)]
    assert "Код 1234 для входа" not in bodies and "Личное письмо" not in bodies
    # Nor does the claimant's operator hear of them.
    await asyncio.sleep(0.2)
    assert all(e["data"].get("item", {}).get("customer_id") != sms.customer_id for e in op.events)

    # That they may be one person is a suggestion for a person to confirm, nothing more.
    suggested = {
        (r.target_id, r.details["other_customer_id"], r.details["kind"])
        for r in rows(gateway, AuditEntry, action="merge.suggested")
    }
    assert suggested == {
        (str(claimant), sms.customer_id, "phone"),
        (str(claimant), mail.customer_id, "email"),
    }
    # Claiming it again once it is someone's leaves one more suggestion, and still routes
    # nothing: the owner's next SMS is the owner's.
    again = await ChatVisitor.connect(gateway.url, name="Другой", phone="+79160001122")
    await again.say("И я тоже")
    await asyncio.sleep(0.3)
    assert len(rows(gateway, AuditEntry, action="merge.suggested")) == 3
    next_sms = await hub.ingest(
        InboundMessage(
            channel="sms",
            identity_kind="phone",
            identity_value="+79160001122",
            text="Ещё код",
            provider_id="sms-2",
            verified=True,
        )
    )
    assert next_sms.customer_id == sms.customer_id
    # Searching the phone finds the owner first, the claimant after.
    found = await op.ok("customer.search", {"query": "+7 916 000 11 22"}, key=None)
    ids = [c["id"] for c in found["customers"]]
    assert ids[0] == sms.customer_id and claimant in ids
    for c in (visitor, again):
        await c.close()
    await op.close()


async def test_every_read_of_customer_data_is_audited(gateway: RunningGateway) -> None:
    op = await available(gateway.url, "a1")
    visitor, conv = await chat_and_offer(gateway, op, "Здравствуйте", name="Нина Петрова")
    await op.ok("conversation.accept", {"conversation_id": conv["id"]})
    customer = conv["customer_id"]
    await op.ok("customer.open", {"customer_id": customer})
    await op.ok("timeline.page", {"customer_id": customer}, key=None)
    await op.ok("customer.search", {"query": "петрова"}, key=None)
    await asyncio.sleep(0.2)
    me = op.auth["operator"]["id"]
    audit = [
        (r.action, r.target_id)
        for r in rows(gateway, AuditEntry, operator_id=me)
        if r.action in ("customer.view", "timeline.page", "customer.search")
    ]
    assert audit == [
        ("customer.view", str(customer)),
        ("timeline.page", str(customer)),
        ("customer.search", str(customer)),
    ]
    # What was searched for is personal data too: only its kind is kept.
    search = next(r for r in rows(gateway, AuditEntry, action="customer.search"))
    assert search.details == {"query_kind": "name"}
    await visitor.close()
    await op.close()


async def test_an_agent_cannot_walk_the_customer_ids(gateway: RunningGateway) -> None:
    gateway.gw.hub.config.unrelated_opens_per_hour = 3
    visitors = [await ChatVisitor.connect(gateway.url) for _ in range(5)]
    for i, v in enumerate(visitors):
        await v.say(f"вопрос {i}")
    with gateway.gw.engine.connect() as conn:
        ids = sorted(conn.execute(select(tables.conversations.c.customer_id)).scalars())
    # The customers wait in the general queue: b1 (billing only) has nothing to do with them.
    stranger = await OpClient.connect(gateway.url, "b1", "b1")
    answers = [
        (await stranger.cmd("customer.open", {"customer_id": cid}, key=None))["type"] for cid in ids
    ]
    assert answers[:3] == ["result"] * 3
    refused = await stranger.cmd("customer.open", {"customer_id": ids[3]}, key=None)
    assert refused["type"] == "error" and refused["code"] == "rate_limited"
    assert refused["details"]["retry_after"] > 0
    # Those in the agent's own queues are their work, and a supervisor is not limited.
    a1 = await OpClient.connect(gateway.url, "a1", "a1")
    lead = await OpClient.connect(gateway.url, "lead", "lead")
    for cid in ids:
        assert (await a1.cmd("customer.open", {"customer_id": cid}, key=None))["type"] == "result"
        assert (await lead.cmd("customer.open", {"customer_id": cid}, key=None))["type"] == "result"
    for c in (stranger, a1, lead, *visitors):
        await c.close()


async def test_each_lifecycle_moment_is_stamped_once(gateway: RunningGateway) -> None:
    op = await available(gateway.url, "a1")
    visitor, conv = await chat_and_offer(gateway, op, "Здравствуйте")
    await op.ok("conversation.accept", {"conversation_id": conv["id"]})
    card = await op.ok("customer.open", {"customer_id": conv["customer_id"]})
    snapshot = await op.ok("state.snapshot", key=None)
    (stored,) = rows(gateway, Conversation, id=conv["id"])
    (queued,) = rows(gateway, LifecycleEvent, conversation_id=conv["id"], kind="queued")
    in_card = next(c for c in card["open_conversations"] if c["id"] == conv["id"])
    in_snapshot = next(c for c in snapshot["conversations"] if c["id"] == conv["id"])
    # The offer, the card, the snapshot, the row and the lifecycle event say the same instant.
    assert conv["queued_at"] == in_card["queued_at"] == in_snapshot["queued_at"]
    assert stored.queued_at == queued.at
    assert stored.queued_at.isoformat() == conv["queued_at"] or (
        stored.queued_at.replace(tzinfo=None).isoformat() == conv["queued_at"][:26]
    )
    # Sent to the back of the queue: a new moment, again one instant everywhere.
    await op.ok("conversation.transfer", {"conversation_id": conv["id"], "to_queue": "general"})
    await asyncio.sleep(0.2)
    (moved,) = rows(gateway, Conversation, id=conv["id"])
    (transferred,) = rows(gateway, LifecycleEvent, conversation_id=conv["id"], kind="transferred")
    assert moved.queued_at == moved.transferred_at == transferred.at
    assert gateway.gw.hub.convs[conv["id"]].queued_at == transferred.at
    await visitor.close()
    await op.close()


async def test_visitors_see_the_operators_public_name(db_url: str) -> None:
    first = await start_gateway(db_url)
    await first.close()
    engine = make_engine(db_url)
    with engine.begin() as conn:
        operators = tables.operators
        conn.execute(
            operators.update()
            .where(operators.c.username == "a1")
            .values(display_name="Анна Сергеевна Смирнова", public_name="Анна (поддержка)")
        )
        conn.execute(
            operators.update()
            .where(operators.c.username == "a2")
            .values(display_name="Борис Петрович Сидоров")
        )
    engine.dispose()
    gw = Gateway(first.config)
    await gw.start()
    url = f"ws://127.0.0.1:{gw.port}"
    try:
        # a1's public name was set by IT; a2 has none: customers see the first name only.
        for username, shown in (("a1", "Анна (поддержка)"), ("a2", "Борис")):
            op = await available(url, username)
            visitor = await ChatVisitor.connect(url)
            assert (await visitor.say("Вопрос"))["type"] == "ack"
            conv = (await op.event("conversation.offered"))["data"]["conversation"]
            await op.ok("conversation.accept", {"conversation_id": conv["id"]})
            await op.ok(
                "message.send",
                {"customer_id": conv["customer_id"], "channel": "webchat", "text": "Ответ"},
            )
            assert (await visitor.recv_type("message"))["author"] == shown
            back = await ChatVisitor.connect(url, visitor_token=visitor.visitor_token)
            assert back.welcome["history"][-1]["author"] == shown
            for c in (visitor, back):
                await c.close()
            await op.ok("conversation.end", {"conversation_id": conv["id"]})
            await op.ok("presence.set", {"status": "break"})
            await op.close()
    finally:
        await gw.close()
