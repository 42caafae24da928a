"""A send the provider refused: tried again with backoff only when the provider certainly did
not take it, never twice otherwise; a final failure tells the operator why and which other
channels reach the customer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from services.domain.inbox import ChannelUnavailable, InboundMessage, OutboundMessage
from tests.gateway.conftest import start_gateway
from tests.gateway.test_conversations import available


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
