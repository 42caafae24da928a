"""Identities a channel proves (a Telegram user sharing their own contact) become verified
identities of the customer and route; one that is another customer's is left for a person."""

from __future__ import annotations

from sqlalchemy import select

from services.domain.inbox import InboundMessage
from services.store import tables
from tests.gateway.conftest import RunningGateway


async def test_a_proven_phone_routes_the_next_sms_to_the_same_customer(
    gateway: RunningGateway,
) -> None:
    hub, store = gateway.gw.hub, gateway.gw.store
    tg = await hub.ingest(InboundMessage("telegram", "telegram", "51", "Привет", verified=True))
    await hub.claim("telegram", "51", {"phone": "+7 916 000-11-22"})  # typed: only a claim
    assert await hub.prove("telegram", "51", {"phone": "8 916 000 11 22", "name": "x"}) == ["phone"]
    ids, claims = tables.identities, tables.identity_claims
    rows = await store.read(
        lambda c: c.execute(
            select(ids.c.kind, ids.c.value, ids.c.verified).where(
                ids.c.customer_id == tg.customer_id
            )
        ).all()
    )
    assert {(r.kind, r.value, r.verified) for r in rows} == {
        ("telegram", "51", True),
        ("phone", "+79160001122", True),
    }
    left = await store.read(
        lambda c: c.execute(select(claims.c.id).where(claims.c.customer_id == tg.customer_id))
    )
    assert left.all() == []  # the claim is now a proof
    sms = await hub.ingest(InboundMessage("sms", "phone", "+79160001122", "Это я", verified=True))
    assert sms.customer_id == tg.customer_id
    # Proving it again changes nothing.
    assert await hub.prove("telegram", "51", {"phone": "+79160001122"}) == []


async def test_a_proven_identity_another_customer_was_not_verified_by_is_a_suggestion(
    gateway: RunningGateway,
) -> None:
    hub, store = gateway.gw.hub, gateway.gw.store
    # A number that came without proof (an e-mail signature read by a person, say).
    other = await hub.ingest(InboundMessage("sms", "phone", "+79160003344", "SMS", verified=False))
    tg = await hub.ingest(InboundMessage("telegram", "telegram", "52", "TG", verified=True))
    assert await hub.prove("telegram", "52", {"phone": "+79160003344"}) == []
    s = tables.merge_suggestions
    rows = await store.read(
        lambda c: c.execute(
            select(s.c.customer_id, s.c.other_customer_id, s.c.kind, s.c.evidence, s.c.state)
        ).all()
    )
    low, high = sorted((tg.customer_id, other.customer_id))
    assert [tuple(r) for r in rows] == [(low, high, "phone", "proven", "open")]


async def test_a_proven_identity_someone_else_typed_in_is_a_suggestion(
    gateway: RunningGateway,
) -> None:
    hub, store = gateway.gw.hub, gateway.gw.store
    chat = await hub.ingest(InboundMessage("sms", "phone", "+79160009900", "a", verified=True))
    await hub.claim("phone", "+79160009900", {"phone": "+79160005511"})  # typed in
    tg = await hub.ingest(InboundMessage("telegram", "telegram", "53", "b", verified=True))
    assert await hub.prove("telegram", "53", {"phone": "+79160005511"}) == ["phone"]
    s = tables.merge_suggestions
    rows = await store.read(
        lambda c: c.execute(select(s.c.customer_id, s.c.other_customer_id, s.c.evidence)).all()
    )
    low, high = sorted((chat.customer_id, tg.customer_id))
    assert [tuple(r) for r in rows] == [(low, high, "claimed")]


async def test_an_answer_to_our_e_mail_from_that_address_proves_it(
    gateway: RunningGateway,
) -> None:
    from tests.gateway.test_conversations import available
    from tests.gateway.test_delivery_retries import FlakyProvider

    hub, store = gateway.gw.hub, gateway.gw.store
    hub.register_adapter(FlakyProvider("email", ["<omnidesk.7.a1b2@shop.example>"]))
    op = await available(gateway.url, "a1")
    tg = await hub.ingest(
        InboundMessage("telegram", "telegram", "54", "Пишите на почту", verified=True)
    )
    await hub.claim("telegram", "54", {"email": "Olga@Example.org"})
    offered = await op.event("conversation.offered")
    await op.ok("conversation.accept", {"conversation_id": offered["data"]["conversation"]["id"]})
    sent = await op.ok(
        "message.send",
        {"customer_id": tg.customer_id, "channel": "email", "text": "Ответ", "subject": "Заказ"},
    )
    await op.event("message.delivery", event_id=sent["item"]["id"], delivery="sent")
    # Someone else quoting our message proves nothing.
    stranger = await hub.ingest(
        InboundMessage(
            "email",
            "email",
            "mallory@example.net",
            "Это я",
            kind="email",
            provider_id="<x1@example.net>",
            extra={"in_reply_to": "<omnidesk.7.a1b2@shop.example>"},
        )
    )
    assert stranger.customer_id != tg.customer_id
    answer = await hub.ingest(
        InboundMessage(
            "email",
            "email",
            "olga@example.org",
            "Спасибо, жду",
            kind="email",
            provider_id="<r1@example.org>",
            extra={"in_reply_to": "<omnidesk.7.a1b2@shop.example>"},
        )
    )
    assert answer.customer_id == tg.customer_id
    assert answer.conversation_id == tg.conversation_id  # it goes on in the open conversation
    ids = tables.identities
    rows = await store.read(
        lambda c: c.execute(
            select(ids.c.customer_id, ids.c.verified).where(
                ids.c.kind == "email", ids.c.value == "olga@example.org"
            )
        ).all()
    )
    assert [tuple(r) for r in rows] == [(tg.customer_id, True)]
    # From now on the address routes by itself.
    later = await hub.ingest(
        InboundMessage(
            "email",
            "email",
            "olga@example.org",
            "Ещё",
            kind="email",
            provider_id="<r2@example.org>",
        )
    )
    assert later.customer_id == tg.customer_id
    await op.close()
