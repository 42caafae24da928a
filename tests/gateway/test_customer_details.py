"""Customer details operators change (audited, told live), an order's details, and a
conversation an operator starts: real gateway, real sockets, SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from sqlalchemy import insert

from services.domain.inbox import InboundMessage
from services.simulator import register_simulated_providers
from services.store import tables
from services.store.models import (
    AuditEntry,
    Conversation,
    Customer,
    IdentityClaim,
    LifecycleEvent,
    TimelineEvent,
    utcnow,
)
from tests.gateway.conftest import RunningGateway
from tests.gateway.test_conversations import available, chat_and_offer, rows
from tests.support.opclient import ChatVisitor, OpClient


async def served_by(gateway: RunningGateway, op: OpClient, name: str) -> tuple[Any, int]:
    """A web-chat customer ``op`` has accepted: (the visitor, the customer id)."""
    visitor, conv = await chat_and_offer(gateway, op, "Здравствуйте", name=name)
    await op.ok("conversation.accept", {"conversation_id": conv["id"]})
    return visitor, int(conv["customer_id"])


def events(op: OpClient, name: str) -> list[dict[str, Any]]:
    return [e["data"] for e in op.events if e["name"] == name]


async def test_an_edit_is_audited_with_old_and_new_and_reaches_who_looks_at_the_customer(
    gateway: RunningGateway,
) -> None:
    a1 = await available(gateway.url, "a1")
    lead = await OpClient.connect(gateway.url, "lead", "lead")
    a2 = await OpClient.connect(gateway.url, "a2", "a2")
    visitor, customer = await served_by(gateway, a1, "Ира")
    await lead.ok("customer.open", {"customer_id": customer}, key=None)

    args = {"customer_id": customer, "name": "  Ирина Петрова ", "segment": "vip", "language": "en"}
    done = await a1.cmd("customer.update", args, key="edit-1")
    assert done["type"] == "result" and "replayed" not in done
    data = done["data"]
    assert data["changed"] is True
    assert data["customer"].pop("since")  # a customer since when
    assert data["customer"] == {
        "id": customer,
        "name": "Ирина Петрова",
        "segment": "vip",
        "language": "en",
        "last_csat": None,
    }
    (stored,) = rows(gateway, Customer, id=customer)
    assert (stored.display_name, stored.name_search) == ("Ирина Петрова", "ирина петрова")
    assert (stored.segment, stored.language) == ("vip", "en")
    (audit,) = rows(gateway, AuditEntry, action="customer.update")
    assert audit.operator_id == a1.auth["operator"]["id"] and audit.target_id == str(customer)
    assert audit.details == {
        "name": {"old": "Ира", "new": "Ирина Петрова"},
        "segment": {"old": "new", "new": "vip"},
        "language": {"old": "ru", "new": "en"},
    }
    # The owner (the actor) and the supervisor with the card open hear of it; a2 does not.
    for op in (a1, lead):
        ev = await op.event("customer.updated")
        assert ev["data"]["customer"]["name"] == "Ирина Петрова"
        assert [i["kind"] for i in ev["data"]["identities"]] == ["web_visitor"]
    await asyncio.sleep(0.2)
    assert events(a2, "customer.updated") == []
    # The desk's names follow: the snapshot says the new one.
    snap = await a1.ok("state.snapshot", key=None)
    assert snap["customers"][str(customer)] == "Ирина Петрова"

    # The same key: the first answer, no second effect.
    again = await a1.cmd("customer.update", args, key="edit-1")
    assert again["replayed"] is True and again["data"]["customer"].pop("since")
    assert again["data"] == data
    # Nothing to change: no audit entry, no event.
    same = await a1.ok("customer.update", {"customer_id": customer, "segment": "vip"})
    assert same["changed"] is False
    await asyncio.sleep(0.2)
    assert len(rows(gateway, AuditEntry, action="customer.update")) == 1
    assert len(events(a1, "customer.updated")) == 1

    # Another operator's customer is not a2's to edit; a supervisor may, and the owner hears.
    refused = await a2.cmd("customer.update", {"customer_id": customer, "name": "X"})
    assert refused["code"] == "forbidden"
    await lead.ok("customer.update", {"customer_id": customer, "language": "ru"})
    ev = await a1.event("customer.updated")
    assert ev["data"]["customer"]["language"] == "ru"
    missing = await lead.cmd("customer.update", {"customer_id": 987654, "name": "Никто"})
    assert missing["code"] == "not_found"
    for c in (visitor, a1, lead, a2):
        await c.close()


async def test_a_card_opened_before_someone_else_took_the_customer_hears_nothing(
    gateway: RunningGateway,
) -> None:
    a1 = await OpClient.connect(gateway.url, "a1", "a1")  # nobody available: it waits
    a2 = await OpClient.connect(gateway.url, "a2", "a2")
    visitor = await ChatVisitor.connect(gateway.url, name="Ира")
    await visitor.say("Здравствуйте")
    (conv,) = rows(gateway, Conversation)
    customer = conv.customer_id
    # Waiting in a queue a2 may take: a2 may look, and would hear of a change.
    await a2.ok("customer.open", {"customer_id": customer}, key=None)
    await a1.ok("conversation.accept", {"conversation_id": conv.id})
    # Now a1 serves her: a2 may no longer see her, and is not told her new name.
    await a1.ok("customer.update", {"customer_id": customer, "name": "Ирина"})
    await a1.event("customer.updated")
    await asyncio.sleep(0.2)
    assert events(a2, "customer.updated") == []
    for c in (visitor, a1, a2):
        await c.close()


async def test_bounds_of_an_edit_are_clear_errors(gateway: RunningGateway) -> None:
    a1 = await available(gateway.url, "a1")
    visitor, customer = await served_by(gateway, a1, "Ира")
    bad: list[tuple[dict[str, Any], str]] = [
        ({"name": "Я" * 201}, "at most 200 characters"),
        ({"name": "   "}, "cannot be empty"),
        ({"name": "Ира\u0007"}, "control characters"),
        ({"name": "Ира\u202eабв"}, "control characters"),
        ({"name": "Ира\nПетрова"}, "control characters"),
        ({"segment": "gold"}, "segment"),
        ({"language": "de"}, "language"),
        ({}, "give a name, a segment or a language"),
    ]
    for fields, said in bad:
        reply = await a1.cmd("customer.update", {"customer_id": customer, **fields})
        assert reply["type"] == "error" and reply["code"] == "invalid_args", fields
        assert said in reply["message"], (fields, reply["message"])
    ok = await a1.ok("customer.update", {"customer_id": customer, "name": "Я" * 200})
    assert ok["customer"]["name"] == "Я" * 200
    assert rows(gateway, AuditEntry, action="customer.update")[0].details["name"]["new"] == (
        "Я" * 200
    )
    # A Persian name keeps its zero-width non-joiner.
    persian = "مهر\u200cناز"
    assert (await a1.ok("customer.update", {"customer_id": customer, "name": persian}))["customer"][
        "name"
    ] == persian
    await visitor.close()
    await a1.close()


async def test_a_typed_contact_is_a_claim_that_never_routes(gateway: RunningGateway) -> None:
    a1 = await available(gateway.url, "a1")
    visitor, customer = await served_by(gateway, a1, "Ира")
    added = await a1.ok(
        "customer.add_contact",
        {"customer_id": customer, "kind": "phone", "value": "8 (916) 123-45-67"},
    )
    assert {"kind": "phone", "value": "+79161234567", "verified": False, "claimed": True} in (
        added["identities"]
    )
    mail = await a1.ok(
        "customer.add_contact", {"customer_id": customer, "kind": "email", "value": " Ira@Mail.RU "}
    )
    assert ("email", "ira@mail.ru") in {(i["kind"], i["value"]) for i in mail["identities"]}
    (claim,) = rows(gateway, IdentityClaim, customer_id=customer, kind="phone")
    assert claim.source == "operator"
    audit = [(r.action, r.details) for r in rows(gateway, AuditEntry, target_id=str(customer))]
    assert ("customer.add_contact", {"kind": "phone", "old": None, "new": "+79161234567"}) in audit
    ev = await a1.event("customer.updated")
    assert "+79161234567" in {i["value"] for i in ev["data"]["identities"]}

    # The same number written another way is a duplicate; what is no number is refused.
    for value, said in (("+7 916 123 45 67", "already one of"), ("12", "phone")):
        reply = await a1.cmd(
            "customer.add_contact", {"customer_id": customer, "kind": "phone", "value": value}
        )
        assert reply["code"] == "invalid_args" and said in reply["message"], reply
    wrong_kind = await a1.cmd(
        "customer.add_contact", {"customer_id": customer, "kind": "web_visitor", "value": "wv_x"}
    )
    assert wrong_kind["code"] == "invalid_args"

    # The number's owner writes by SMS: a customer of their own, and a suggestion for a person.
    sms = await gateway.gw.hub.ingest(
        InboundMessage(
            channel="sms",
            identity_kind="phone",
            identity_value="+79161234567",
            text="Это мой номер",
            provider_id="sms-owner-1",
            verified=True,
        )
    )
    assert sms.customer_id != customer
    assert "Это мой номер" not in [
        r.body for r in rows(gateway, TimelineEvent, customer_id=customer)
    ]
    suggested = rows(gateway, AuditEntry, action="merge.suggested")
    assert [(r.target_id, r.details["other_customer_id"]) for r in suggested] == [
        (str(customer), sms.customer_id)
    ]
    # Only a typed contact can be removed: the owner's own number was proved by the channel.
    proved = await a1.cmd(
        "customer.remove_contact",
        {"customer_id": sms.customer_id, "kind": "phone", "value": "+79161234567"},
    )
    assert proved["code"] == "forbidden"
    removed = await a1.ok(
        "customer.remove_contact",
        {"customer_id": customer, "kind": "phone", "value": "8 916 123-45-67"},
    )
    assert "+79161234567" not in {i["value"] for i in removed["identities"]}
    assert rows(gateway, IdentityClaim, customer_id=customer, kind="phone") == []
    (gone,) = rows(gateway, AuditEntry, action="customer.remove_contact")
    assert gone.details == {"kind": "phone", "old": "+79161234567", "new": None}
    again = await a1.cmd(
        "customer.remove_contact",
        {"customer_id": customer, "kind": "phone", "value": "+79161234567"},
    )
    assert again["code"] == "not_found"

    # At most 20 contacts: the web visitor, the e-mail and 18 more.
    for n in range(18):
        await a1.ok(
            "customer.add_contact",
            {"customer_id": customer, "kind": "email", "value": f"ira{n}@mail.ru"},
        )
    full = await a1.cmd(
        "customer.add_contact", {"customer_id": customer, "kind": "email", "value": "one@more.ru"}
    )
    assert full["code"] == "invalid_args" and "at most 20 contacts" in full["message"]
    # Someone else's customer is not another agent's to change.
    a2 = await OpClient.connect(gateway.url, "a2", "a2")
    refused = await a2.cmd(
        "customer.add_contact", {"customer_id": customer, "kind": "email", "value": "x@y.ru"}
    )
    assert refused["code"] == "forbidden"
    for c in (visitor, a1, a2):
        await c.close()


def add_order(gateway: RunningGateway, customer: int, number: str) -> None:
    """One order of two lines, its delivery and its history, as the demo seeds them."""
    now = utcnow()
    with gateway.gw.engine.begin() as c:
        product = c.execute(
            insert(tables.products)
            .values(sku=f"SKU-{number}", name="Умные часы", category="Гаджеты", price=8990.0)
            .returning(tables.products.c.id)
        ).scalar_one()
        case = c.execute(
            insert(tables.products)
            .values(sku=f"CASE-{number}", name="Ремешок", category="Аксессуары", price=990.0)
            .returning(tables.products.c.id)
        ).scalar_one()
        placed = now - timedelta(days=5)
        for product_id, amount, quantity in ((product, 8990.0, 1), (case, 1980.0, 2)):
            c.execute(
                insert(tables.purchases).values(
                    customer_id=customer,
                    product_id=product_id,
                    order_number=number,
                    status="delivered",
                    amount=amount,
                    currency="RUB",
                    purchased_at=placed,
                    quantity=quantity,
                )
            )
        c.execute(
            insert(tables.order_deliveries).values(
                customer_id=customer,
                order_number=number,
                method="courier",
                carrier="СДЭК",
                address="101000, г. Москва, ул. Тверская, д. 7, кв. 12",
                tracking="1234567890",
            )
        )
        for n, status in enumerate(("created", "paid", "shipped", "delivered")):
            c.execute(
                insert(tables.order_status_history).values(
                    customer_id=customer,
                    order_number=number,
                    status=status,
                    at=placed + timedelta(hours=n * 20),
                    note=f"step {n}",
                )
            )


async def test_an_order_is_read_like_the_card_and_audited(gateway: RunningGateway) -> None:
    a1 = await available(gateway.url, "a1")
    visitor, customer = await served_by(gateway, a1, "Ира")
    add_order(gateway, customer, "ORD-2026-000101")
    card = await a1.ok("customer.open", {"customer_id": customer}, key=None)
    assert [p["order"] for p in card["purchases"]] == ["ORD-2026-000101"] * 2
    got = await a1.ok("order.get", {"customer_id": customer, "order": "ORD-2026-000101"}, key=None)
    order = got["order"]
    assert order["number"] == "ORD-2026-000101" and order["status"] == "delivered"
    assert order["currency"] == "RUB" and order["total"] == 8990.0 + 1980.0
    assert [(i["product"], i["quantity"], i["price"], i["amount"]) for i in order["items"]] == [
        ("Умные часы", 1, 8990.0, 8990.0),
        ("Ремешок", 2, 990.0, 1980.0),
    ]
    assert order["delivery"] == {
        "method": "courier",
        "carrier": "СДЭК",
        "address": "101000, г. Москва, ул. Тверская, д. 7, кв. 12",
        "tracking": "1234567890",
    }
    assert [h["status"] for h in order["history"]] == ["created", "paid", "shipped", "delivered"]
    ats = [h["at"] for h in order["history"]]
    assert ats == sorted(ats) and order["placed_at"] == ats[0]
    await asyncio.sleep(0.1)
    (audit,) = rows(gateway, AuditEntry, action="order.view")
    assert audit.target_id == str(customer) and audit.details == {"order": "ORD-2026-000101"}

    # Another customer's number, or none: not found; another operator's customer: forbidden.
    for number in ("ORD-2026-999999", ""):
        reply = await a1.cmd("order.get", {"customer_id": customer, "order": number}, key=None)
        assert reply["code"] == "not_found"
    a2 = await OpClient.connect(gateway.url, "a2", "a2")
    refused = await a2.cmd(
        "order.get", {"customer_id": customer, "order": "ORD-2026-000101"}, key=None
    )
    assert refused["code"] == "forbidden"
    for c in (visitor, a1, a2):
        await c.close()


async def test_writing_first_opens_an_active_conversation_once_per_key(
    gateway: RunningGateway,
) -> None:
    hub = gateway.gw.hub
    register_simulated_providers(hub)
    customer = await hub.customers.resolve("email", "olga@mail.ru", "Ольга", verified=True)
    a1 = await available(gateway.url, "a1")
    me = a1.auth["operator"]["id"]
    args = {
        "customer_id": customer,
        "channel": "email",
        "subject": "Ваш заказ",
        "text": "Здравствуйте, Ольга! Заказ готов к выдаче.",
    }
    # Two at once with one key: one effect, the second joins it.
    first, twin = await asyncio.gather(
        a1.cmd("conversation.start", args, key="start-1"),
        a1.cmd("conversation.start", args, key="start-1"),
    )
    assert first["type"] == twin["type"] == "result"
    assert first["data"] == twin["data"]
    conv = first["data"]["conversation"]
    item = first["data"]["item"]
    assert conv["state"] == "active" and conv["operator_id"] == me
    assert conv["channel"] == "email" and conv["subject"] == "Ваш заказ"
    assert item["conversation_id"] == conv["id"] and item["kind"] == "email"
    assert item["direction"] == "out" and item["subject"] == "Ваш заказ"
    updated = await a1.event("conversation.updated", conversation__id=conv["id"])
    assert updated["data"]["conversation"] == conv
    await a1.event("timeline.item", item__id=item["id"])
    await a1.event("message.delivery", event_id=item["id"], delivery="delivered")

    (row,) = rows(gateway, Conversation, customer_id=customer)
    assert row.state == "active" and row.operator_id == me and row.version == 1
    assert row.queued_at == row.accepted_at == row.first_response_at
    moments = rows(gateway, LifecycleEvent, conversation_id=conv["id"])
    assert [(m.kind, m.details) for m in moments] == [
        ("queued", {"direction": "outbound"}),
        ("accepted", {"direction": "outbound"}),
        ("first_response", {}),
    ]
    assert len(rows(gateway, TimelineEvent, customer_id=customer)) == 1
    # Replayed after the fact too (from the store once the cache forgets).
    gateway.gw.idempotency.cache.clear()
    later = await a1.cmd("conversation.start", args, key="start-1")
    assert later["replayed"] is True and later["data"]["conversation"]["id"] == conv["id"]
    assert len(rows(gateway, Conversation, customer_id=customer)) == 1

    # A new key while it is open: refused, naming the open one.
    busy = await a1.cmd("conversation.start", args, key="start-2")
    assert busy["code"] == "conflict"
    assert busy["details"]["conversation_id"] == conv["id"]
    # It is the operator's: in the snapshot, and the customer's answer comes to it.
    snap = await a1.ok("state.snapshot", key=None)
    assert conv["id"] in [c["id"] for c in snap["conversations"]]
    await hub.ingest(
        InboundMessage(
            channel="email",
            identity_kind="email",
            identity_value="olga@mail.ru",
            text="Спасибо, заберу завтра",
            kind="email",
            provider_id="mail-olga-1",
            verified=True,
        )
    )
    answer = await a1.event("timeline.item", item__direction="in")
    assert answer["data"]["item"]["conversation_id"] == conv["id"]
    # And it ends as any other.
    await a1.ok("conversation.end", {"conversation_id": conv["id"]})
    await a1.ok(
        "conversation.wrap_up", {"conversation_id": conv["id"], "disposition": "information"}
    )
    again = await a1.ok("conversation.start", args, key="start-3")
    assert again["conversation"]["id"] != conv["id"]
    await a1.close()


async def test_writing_first_is_refused_without_capacity_reach_or_access(
    gateway: RunningGateway,
) -> None:
    hub = gateway.gw.hub
    register_simulated_providers(hub)
    a1 = await available(gateway.url, "a1")
    a2 = await OpClient.connect(gateway.url, "a2", "a2")
    visitor, served = await served_by(gateway, a1, "Ира")
    lonely = await hub.customers.resolve("phone", "+79161112233", "Пётр", verified=True)
    text = {"text": "Здравствуйте!"}

    async def start(op: OpClient, customer: int, channel: str, **more: Any) -> dict[str, Any]:
        return await op.cmd(
            "conversation.start", {"customer_id": customer, "channel": channel, **text, **more}
        )

    # a1 serves Ира: a2 may not write to her; nobody may write to a customer they cannot reach.
    assert (await start(a2, served, "email"))["code"] == "forbidden"
    assert (await start(a2, lonely, "telegram"))["code"] == "channel_unavailable"
    assert (await start(a2, lonely, "voice"))["code"] == "invalid_args"
    assert (await start(a2, lonely, "sms", text=""))["code"] == "invalid_args"
    # No free SMS slot: no conversation.
    op2 = hub.operators[a2.auth["operator"]["id"]]
    op2.capacity["sms"] = 0
    assert (await start(a2, lonely, "sms"))["code"] == "no_capacity"
    op2.capacity["sms"] = 1
    ok = await a2.ok("conversation.start", {"customer_id": lonely, "channel": "sms", **text})
    assert ok["conversation"]["state"] == "active"
    # One slot, taken now: a second customer on SMS does not fit.
    other = await hub.customers.resolve("phone", "+79161112244", "Глеб", verified=True)
    assert (await start(a2, other, "sms"))["code"] == "no_capacity"
    # Two keys at once for one customer and channel: exactly one conversation.
    both = await asyncio.gather(start(a2, other, "whatsapp"), start(a2, other, "whatsapp"))
    assert sorted(r["type"] for r in both) == ["error", "result"]
    assert next(r for r in both if r["type"] == "error")["code"] == "conflict"
    assert len(rows(gateway, Conversation, customer_id=other)) == 1
    # A customer known only by a typed e-mail can be written to there.
    await a2.ok(
        "customer.add_contact", {"customer_id": other, "kind": "email", "value": "gleb@mail.ru"}
    )
    typed = await a2.ok("conversation.start", {"customer_id": other, "channel": "email", **text})
    assert typed["conversation"]["channel"] == "email"
    stored = sorted(r.channel for r in rows(gateway, Conversation, customer_id=other))
    assert stored == ["email", "whatsapp"]
    for c in (visitor, a1, a2):
        await c.close()
