"""Offers stay workable for the operator: a few at a time, gone when their time is up, not handed
straight back to whoever let them go, and a desk nobody answers goes on a break."""

from __future__ import annotations

import asyncio
import time

import pytest

from services.config import ConfigError, load_config
from tests.gateway.conftest import RunningGateway
from tests.gateway.test_conversations import available, chat_and_offer
from tests.support.opclient import ChatVisitor, OpClient


def offers_of(op: OpClient) -> list[int]:
    return [
        e["data"]["conversation"]["id"] for e in op.events if e["name"] == "conversation.offered"
    ]


async def test_at_most_n_offers_at_once_however_much_room(gateway: RunningGateway) -> None:
    gateway.gw.hub.config.max_offers_per_operator = 2
    a1 = await available(gateway.url, "a1")  # web-chat capacity 3
    for _ in range(5):
        await (await ChatVisitor.connect(gateway.url)).say("Привет")
    await a1.wait(lambda: len(offers_of(a1)) == 2)
    await asyncio.sleep(0.5)
    assert len(offers_of(a1)) == 2, "the others wait in the queue"
    first, second = offers_of(a1)
    # Accepting one makes room for one more offer (a third chat is within capacity).
    await a1.ok("conversation.accept", {"conversation_id": first})
    await a1.wait(lambda: len(offers_of(a1)) == 3)
    await asyncio.sleep(0.3)
    assert len(offers_of(a1)) == 3
    assert second in offers_of(a1)


async def test_an_offer_expires_on_time_and_is_not_handed_straight_back(
    gateway: RunningGateway,
) -> None:
    hub = gateway.gw.hub
    hub.config.offer_timeout_s = 0.6
    hub.config.reoffer_after_s = 1.5
    hub.config.missed_offers_to_break = 0
    a1 = await available(gateway.url, "a1")
    _v, conv = await chat_and_offer(gateway, a1)
    offered_at = time.monotonic()
    await a1.event(
        "conversation.offer_withdrawn", conversation__id=conv["id"], reason="timeout", timeout=5
    )
    assert time.monotonic() - offered_at < 0.6 + 1.0, "withdrawn when its time was up"
    # The only operator able let it go: it waits in the queue for the pause, then comes back.
    await asyncio.sleep(0.8)
    assert offers_of(a1) == [conv["id"]]
    again = await a1.event("conversation.offered", conversation__id=conv["id"], timeout=5)
    assert time.monotonic() - offered_at >= 0.6 + 1.5 - 0.2
    assert again["data"]["conversation"]["offered_to"] == a1.auth["operator"]["id"]


async def test_offers_left_to_time_out_put_the_operator_on_a_break(
    gateway: RunningGateway,
) -> None:
    hub = gateway.gw.hub
    hub.config.offer_timeout_s = 0.5
    hub.config.reoffer_after_s = 0.2
    hub.config.missed_offers_to_break = 2
    hub.config.max_offers_per_operator = 1
    a1 = await available(gateway.url, "a1")
    a2 = await available(gateway.url, "a2")
    # a2 answers an offer in between: only misses in a row count.
    for _ in range(2):
        await (await ChatVisitor.connect(gateway.url)).say("Здравствуйте")
    await a1.wait(lambda: len(offers_of(a1)) >= 1)
    await a2.wait(lambda: len(offers_of(a2)) >= 1)
    await a2.ok("conversation.accept", {"conversation_id": offers_of(a2)[0]})
    went = await a1.event("presence.changed", presence="break", timeout=10)
    assert went["data"]["reason"] == "missed_offers"
    assert hub.operators[a1.auth["operator"]["id"]].presence == "break"
    n = len(offers_of(a1))
    await asyncio.sleep(1.0)
    assert len(offers_of(a1)) == n, "no more offers while on the break"
    # Back at the desk: one key (presence.set) and offers come again.
    await a1.ok("presence.set", {"status": "available"})
    await a1.wait(lambda: len(offers_of(a1)) > n, timeout=5)


def test_routing_settings_refuse_nonsense() -> None:
    cfg = load_config(env={"OMNIDESK_MAX_OFFERS_PER_OPERATOR": "3"})
    assert cfg.max_offers_per_operator == 3
    with pytest.raises(ConfigError, match=r"MAX_OFFERS_PER_OPERATOR.*least allowed, 1"):
        load_config(env={"OMNIDESK_MAX_OFFERS_PER_OPERATOR": "0"})
    with pytest.raises(ConfigError, match="REOFFER_AFTER_S"):
        load_config(env={"OMNIDESK_REOFFER_AFTER_S": "-1"})
