"""Edge cases found in review: key reuse, seq after pruning, gone desktops, notes, origins."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from services.config import GatewayConfig
from services.domain.inbox import InboundMessage
from services.gateway.addresses import public_addresses
from services.gateway.origins import OriginPolicy
from services.store.allocators import allocator_for
from services.store.models import utcnow
from services.store.queries import seq_bounds
from tests.gateway.conftest import RunningGateway
from tests.gateway.test_conversations import available, chat_and_offer
from tests.support.opclient import ChatVisitor, OpClient


async def test_an_idempotency_key_belongs_to_one_command(gateway: RunningGateway) -> None:
    op = await available(gateway.url, "a1")
    _v, conv = await chat_and_offer(gateway, op)
    await op.ok("conversation.accept", {"conversation_id": conv["id"]})
    held = await op.cmd("conversation.hold", {"conversation_id": conv["id"]}, key="k-1")
    assert held["type"] == "result"
    reused = await op.cmd("conversation.resume", {"conversation_id": conv["id"]}, key="k-1")
    assert reused["type"] == "error" and reused["code"] == "invalid_args"
    assert "conversation.hold" in reused["message"]
    gateway.gw.idempotency.cache.clear()  # the store knows it too
    reused = await op.cmd("conversation.resume", {"conversation_id": conv["id"]}, key="k-1")
    assert reused["code"] == "invalid_args"
    ok = await op.cmd("conversation.resume", {"conversation_id": conv["id"]}, key="k-2")
    assert ok["type"] == "result"


async def test_sequence_numbers_continue_after_everything_was_pruned(
    gateway: RunningGateway,
) -> None:
    op = await available(gateway.url, "a1")
    _v, conv = await chat_and_offer(gateway, op)
    await op.ok("conversation.accept", {"conversation_id": conv["id"]})
    last = op.seqs[-1]
    await gateway.gw.hub.prune(now=utcnow() + timedelta(days=30))
    op_id = op.auth["operator"]["id"]
    lo, hi = await gateway.gw.store.read(lambda c: seq_bounds(c, op_id))
    assert hi == last and lo == last  # only the newest kept
    # A fresh writer (as after a restart) continues from it.
    writer = gateway.gw.store.writer
    writer._alloc = allocator_for(gateway.gw.engine.dialect.name)
    await op.ok("presence.set", {"status": "break"})
    assert op.seqs[-1] == last + 1


async def test_a_disconnected_operator_gets_no_offers_and_goes_offline(
    gateway: RunningGateway,
) -> None:
    gateway.gw.hub.config.disconnect_grace_s = 0.3
    a1 = await available(gateway.url, "a1")
    a1_id = a1.auth["operator"]["id"]
    await a1.close()
    v = await ChatVisitor.connect(gateway.url)
    await v.say("Есть кто?")
    await asyncio.sleep(0.6)
    hub = gateway.gw.hub
    conv = next(iter(hub.convs.values()))
    assert conv.state == "queued" and conv.offered_to is None
    assert hub.operators[a1_id].presence == "offline"
    back = await OpClient.connect(gateway.url, "a1", "a1")
    ev = next(e for e in back.events if e["name"] == "presence.changed") if back.events else None
    assert ev is None or ev["data"]["presence"] in ("offline", "available")
    await back.ok("presence.set", {"status": "available"})
    await back.event("conversation.offered", conversation__id=conv.id)


async def test_a_note_on_another_customers_conversation_is_refused(
    gateway: RunningGateway,
) -> None:
    op = await available(gateway.url, "a1")
    _v1, c1 = await chat_and_offer(gateway, op)
    _v2, c2 = await chat_and_offer(gateway, op)
    r = await op.cmd(
        "note.add", {"customer_id": c1["customer_id"], "text": "x", "conversation_id": c2["id"]}
    )
    assert r["code"] == "invalid_args"
    r = await op.cmd(
        "note.add", {"customer_id": c1["customer_id"], "text": "x", "conversation_id": 987654}
    )
    assert r["code"] == "invalid_args"
    ok = await op.cmd(
        "note.add", {"customer_id": c1["customer_id"], "text": "ok", "conversation_id": c1["id"]}
    )
    assert ok["type"] == "result"


async def test_abandoned_while_offered_clears_the_offer(gateway: RunningGateway) -> None:
    op = await available(gateway.url, "a1")
    v, conv = await chat_and_offer(gateway, op)
    await v.ws.send('{"type": "leave"}')
    ev = await op.event("conversation.updated", conversation__id=conv["id"])
    assert ev["data"]["conversation"]["state"] == "abandoned"
    assert ev["data"]["conversation"]["offered_to"] is None
    await gateway.gw.hub.ingest(
        InboundMessage(
            channel="webchat",
            identity_kind="web_visitor",
            identity_value=v.handle,
            text="Я вернулся",
        )
    )
    again = await op.event("conversation.offered", timeout=5)
    assert again["data"]["conversation"]["id"] != conv["id"]


def test_default_ports_count_as_the_gateways_own_origin() -> None:
    config = GatewayConfig(http_public_url="https://omnidesk.example.ru:443/")
    addresses = public_addresses(config, 443, 8765)
    policy = OriginPolicy([], addresses.own_origins)
    assert policy.allows("https://omnidesk.example.ru")
    assert not policy.allows("http://omnidesk.example.ru")
    assert not policy.allows("https://evil.example")
    loopback = public_addresses(GatewayConfig(http_port=80), 80, 8765)
    assert OriginPolicy([], loopback.own_origins).allows("http://localhost")
