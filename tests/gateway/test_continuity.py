"""One customer across channels: a customer who goes on in another channel continues the open
conversation with the operator who holds it, and the operator sees where they switched; an
operator on a call is offered no chats."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from services.domain.inbox import InboundMessage
from services.store import tables
from tests.gateway.conftest import RunningGateway, start_gateway
from tests.gateway.test_conversations import available
from tests.gateway.test_delivery_retries import FlakyProvider

PHONE = "+79161234567"


def telegram(text: str, provider_id: str) -> InboundMessage:
    return InboundMessage(
        "telegram", "telegram", "900100", text, provider_id=provider_id, verified=True
    )


def sms(text: str, provider_id: str) -> InboundMessage:
    return InboundMessage(
        "sms", "phone", "8 (916) 123-45-67", text, provider_id=provider_id, verified=True
    )


async def test_a_customer_who_goes_on_in_another_channel_continues_the_conversation(
    gateway: RunningGateway,
) -> None:
    hub = gateway.gw.hub
    hub.register_adapter(FlakyProvider("telegram", ["tg-out-1"]))
    op = await available(gateway.url, "a1")
    first = await hub.ingest(telegram("Не пришёл заказ 1042", "tg:1"))
    # Telegram proved the customer's number (a shared contact): the SMS is the same person.
    await hub.prove("telegram", "900100", {"phone": PHONE})
    offered = await op.event("conversation.offered")
    await op.ok("conversation.accept", {"conversation_id": offered["data"]["conversation"]["id"]})
    await op.ok(
        "message.send",
        {"customer_id": first.customer_id, "channel": "telegram", "text": "Проверяю"},
    )
    later = await hub.ingest(sms("Пишу с телефона, телеграм сел", "sms:1"))
    assert (later.customer_id, later.conversation_id) == (first.customer_id, first.conversation_id)
    item = await op.event("timeline.item", item__body="Пишу с телефона, телеграм сел")
    assert item["data"]["item"]["channel"] == "sms"
    assert item["data"]["item"]["extra"]["switched_from"] == "telegram"
    # Nothing is marked while the customer stays on the new channel.
    await hub.ingest(sms("Номер заказа 1042", "sms:2"))
    same = await op.event("timeline.item", item__body="Номер заказа 1042")
    assert "switched_from" not in same["data"]["item"]["extra"]
    lifecycle = tables.lifecycle
    switches = await gateway.gw.store.read(
        lambda c: c.execute(
            select(lifecycle.c.details).where(
                lifecycle.c.conversation_id == first.conversation_id,
                lifecycle.c.kind == "channel_switch",
            )
        ).all()
    )
    assert [s.details for s in switches] == [{"from": "telegram", "to": "sms"}]
    await op.close()


async def test_what_is_continued_is_open_and_recent(gateway: RunningGateway) -> None:
    hub = gateway.gw.hub
    first = await hub.ingest(telegram("Вопрос", "tg:10"))
    await hub.prove("telegram", "900100", {"phone": PHONE})
    # Long after the last message the customer starts afresh on the other channel.
    conv = hub.convs[first.conversation_id]
    assert conv.last_inbound_at is not None
    conv.last_inbound_at -= timedelta(hours=3)
    later = await hub.ingest(sms("Новый вопрос", "sms:10"))
    assert later.customer_id == first.customer_id
    assert later.conversation_id != first.conversation_id


async def test_a_call_is_its_own_conversation_and_blocks_new_chats(
    db_url: str, tmp_path: Path
) -> None:
    gw = await start_gateway(db_url, data_dir=tmp_path / "gw", channel_queues={"voice": "general"})
    try:
        await call_blocks_chats(RunningGateway(gw, f"ws://127.0.0.1:{gw.port}"))
    finally:
        await gw.close()


async def call_blocks_chats(gateway: RunningGateway) -> None:
    hub = gateway.gw.hub
    op = await available(gateway.url, "a1")
    call = await hub.ingest(
        InboundMessage("voice", "phone", PHONE, "", kind="call", provider_id="c1", verified=True)
    )
    offered = await op.event("conversation.offered")
    assert offered["data"]["conversation"]["id"] == call.conversation_id
    await op.ok("conversation.accept", {"conversation_id": call.conversation_id})
    chat = await hub.ingest(telegram("А можно в чате?", "tg:20"))
    assert chat.conversation_id != call.conversation_id
    assert hub.convs[chat.conversation_id].state == "queued"
    second = await available(gateway.url, "a2")
    taken = await second.event("conversation.offered")
    assert taken["data"]["conversation"]["id"] == chat.conversation_id
    assert not [
        e
        for e in op.events
        if e["name"] == "conversation.offered"
        and e["data"]["conversation"]["id"] == chat.conversation_id
    ]
    await op.close()
    await second.close()


async def test_a_call_in_progress_keeps_its_pbx_id_across_a_restart(
    db_url: str, tmp_path: Path
) -> None:
    from services.gateway.server import Gateway

    first = await start_gateway(db_url, data_dir=tmp_path / "gw")
    ring = InboundMessage(
        "voice",
        "phone",
        PHONE,
        "",
        kind="call",
        provider_id="1765.77",
        verified=True,
        extra={"call": {"state": "ringing", "channel_id": "1765.77"}},
    )
    try:
        call = await first.hub.ingest(ring)
        assert first.hub.convs[call.conversation_id].call_id == "1765.77"
    finally:
        await first.close()
    again = Gateway(first.config)
    await again.start()
    try:
        assert again.hub.convs[call.conversation_id].call_id == "1765.77"
    finally:
        await again.close()
