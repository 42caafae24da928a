"""A send the provider refused: tried again with backoff only when the provider certainly did
not take it, never twice otherwise; a final failure tells the operator why and which other
channels reach the customer."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from services.domain.inbox import ChannelUnavailable, InboundMessage, OutboundMessage
from services.store import tables
from tests.gateway.conftest import start_gateway
from tests.gateway.test_conversations import available
from tests.support.opclient import OpClient


class FlakyProvider:
    """An adapter whose provider answers from a script: an exception to raise, or an id."""

    def __init__(self, channel: str, script: list[Any]) -> None:
        self.channel = channel
        self.script = script
        self.calls: list[OutboundMessage] = []

    async def send(self, msg: OutboundMessage) -> str:
        self.calls.append(msg)
        answer = self.script.pop(0) if self.script else self.script_default()
        if isinstance(answer, BaseException):
            raise answer
        return str(answer)

    def script_default(self) -> Any:
        return ChannelUnavailable("provider down", retry=True)


async def send_and_wait(
    script: list[Any], db_url: str, tmp_path: Path
) -> tuple[FlakyProvider, dict[str, Any]]:
    gw = await start_gateway(db_url, data_dir=tmp_path / "gw", delivery_retry_s=[0.05, 0.05])
    try:
        telegram, sms = FlakyProvider("telegram", script), FlakyProvider("sms", ["sms-1"])
        gw.hub.register_adapter(telegram)
        gw.hub.register_adapter(sms)
        op = await available(f"ws://127.0.0.1:{gw.port}", "a1")
        await gw.hub.ingest(
            InboundMessage("telegram", "telegram", "777001", "Где заказ?", verified=True)
        )
        await gw.hub.claim("telegram", "777001", {"phone": "8 916 123-45-67"})
        offered = (await op.event("conversation.offered"))["data"]["conversation"]
        await op.ok("conversation.accept", {"conversation_id": offered["id"]})
        sent = await op.ok(
            "message.send",
            {"customer_id": offered["customer_id"], "channel": "telegram", "text": "Уже везём"},
        )
        outcome = await op.event("message.delivery", event_id=sent["item"]["id"], timeout=10)
        await op.close()
        return telegram, outcome["data"]
    finally:
        await gw.close()


async def test_a_refusal_safe_to_repeat_is_tried_again_until_it_goes(
    db_url: str, tmp_path: Path
) -> None:
    refused = ChannelUnavailable("429 Too Many Requests", retry=True, retry_after_s=0.05)
    provider, outcome = await send_and_wait([refused, refused, "tg-77"], db_url, tmp_path)
    assert outcome["delivery"] == "sent" and outcome["error"] == ""
    assert len(provider.calls) == 3
    assert len({m.event_id for m in provider.calls}) == 1  # the same message each time


async def test_a_refusal_a_retry_cannot_fix_fails_at_once_with_the_other_ways(
    db_url: str, tmp_path: Path
) -> None:
    closed = ChannelUnavailable("the customer blocked the bot", retry=False)
    provider, outcome = await send_and_wait([closed], db_url, tmp_path)
    assert len(provider.calls) == 1  # never repeated: the provider may hold it
    assert outcome["delivery"] == "failed"
    assert outcome["error"] == "the customer blocked the bot"
    assert outcome["alternatives"] == [
        {"channel": "sms", "address": "+79161234567", "claimed": True}
    ]


async def test_retries_end_and_the_failure_is_surfaced(db_url: str, tmp_path: Path) -> None:
    provider, outcome = await send_and_wait([], db_url, tmp_path)
    assert len(provider.calls) == 3  # the first try and the two configured retries
    assert outcome["delivery"] == "failed" and outcome["error"] == "provider down"


class HangingProvider(FlakyProvider):
    """A provider that never answers: the gateway stops while the send is under way."""

    async def send(self, msg: OutboundMessage) -> str:
        self.calls.append(msg)
        await asyncio.Event().wait()
        raise AssertionError("unreachable")


async def test_a_send_under_way_when_the_gateway_stopped_is_failed_with_why(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from services.channels import catalog
    from services.gateway.server import Gateway
    from tests.gateway.test_channel_core import LoopbackAdapter

    first = await start_gateway(db_url, data_dir=tmp_path / "gw")
    try:
        hanging = HangingProvider("telegram", [])
        first.hub.register_adapter(hanging)
        op = await available(f"ws://127.0.0.1:{first.port}", "a1")
        await first.hub.ingest(
            InboundMessage("telegram", "telegram", "777009", "Ответьте", verified=True)
        )
        offered = (await op.event("conversation.offered"))["data"]["conversation"]
        await op.ok("conversation.accept", {"conversation_id": offered["id"]})
        sent = await op.ok(
            "message.send",
            {"customer_id": offered["customer_id"], "channel": "telegram", "text": "Сейчас"},
        )
        while not hanging.calls:
            await asyncio.sleep(0.01)
        await op.close()
    finally:
        await first.close()
    monkeypatch.setitem(catalog.ADAPTERS, "loopback", LoopbackAdapter)
    monkeypatch.setenv("BOT_TOKEN", "123:secret")
    first.config.channels = {"bot": {"type": "loopback", "token_env": "BOT_TOKEN"}}
    again = Gateway(first.config)
    await again.start()
    try:
        op = await OpClient.connect(f"ws://127.0.0.1:{again.port}", "a1", "a1")
        item = sent["item"]["id"]
        failed = await op.ok("customer.open", {"customer_id": offered["customer_id"]})
        (mine,) = [i for i in failed["timeline"]["items"] if i["id"] == item]
        assert mine["delivery"] == "failed"
        timeline = tables.timeline
        stored = await again.store.read(
            lambda c: c.execute(select(timeline.c.delivery).where(timeline.c.id == item)).scalar()
        )
        assert stored == "failed"
        await op.close()
    finally:
        await again.close()
