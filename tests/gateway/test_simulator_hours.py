"""Simulated traffic through the normalised path; queues closed outside business hours."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select, update

from services.domain.routing import DAYS
from services.simulator import Simulator, register_simulated_providers
from services.store.models import Conversation, Identity, Queue, TimelineEvent, table_of
from tests.gateway.conftest import RunningGateway
from tests.gateway.test_conversations import available
from tests.support.opclient import ChatVisitor


async def test_simulator_feeds_every_channel_into_one_customer_record(
    gateway: RunningGateway,
) -> None:
    sim = Simulator(gateway.gw.hub, gateway.gw.store, rate_per_s=0, seed=3, new_customer_share=0.3)
    stats = await sim.run(count=120)
    assert stats.sent == 120 and stats.failed == 0
    assert set(stats.by_channel) >= {"webchat", "email", "telegram", "sms", "voice"}
    with gateway.gw.engine.connect() as c:
        tl = table_of(TimelineEvent)
        kinds = Counter(r.kind for r in c.execute(select(tl.c.kind)))
        convs = Counter(r.channel for r in c.execute(select(table_of(Conversation).c.channel)))
        idents = c.execute(select(table_of(Identity))).all()
    assert kinds["email"] > 0 and kinds["call"] > 0 and kinds["message"] > 0
    assert set(convs) >= {"webchat", "email", "telegram"}
    # A returning simulated customer writing on several channels is still one customer.
    by_customer: dict[int, set[str]] = {}
    for i in idents:
        by_customer.setdefault(i.customer_id, set()).add(i.kind)
    assert len({(i.kind, i.value) for i in idents}) == len(idents)
    # Replies on simulated channels are delivered in the demo.
    register_simulated_providers(gateway.gw.hub)
    assert set(gateway.gw.hub.adapters) >= {"webchat", "email", "telegram", "sms", "voice"}


async def test_a_closed_queue_holds_conversations_until_it_opens(gateway: RunningGateway) -> None:
    hub = gateway.gw.hub
    general = hub.queue_by_name["general"]
    # Open only on another weekday than today in the queue's time zone: closed now.
    today = datetime.now(ZoneInfo("Europe/Moscow")).weekday()
    other_day = DAYS[(today + 3) % 7]
    closed = {"tz": "Europe/Moscow", "days": {other_day: [["09:00", "18:00"]]}}
    general.hours = closed
    with gateway.gw.engine.begin() as c:
        c.execute(
            update(table_of(Queue)).where(table_of(Queue).c.name == "general").values(hours=closed)
        )
    op = await available(gateway.url, "a1")
    v = await ChatVisitor.connect(gateway.url)
    await v.say("Вы работаете?")
    await asyncio.sleep(1.5)
    assert not [e for e in op.events if e["name"] == "conversation.offered"]
    # Opening hours arrive (the queue is reconfigured in the store, as update-queue does; the
    # gateway reads it within seconds): the waiting chat is offered.
    with gateway.gw.engine.begin() as c:
        c.execute(
            update(table_of(Queue)).where(table_of(Queue).c.name == "general").values(hours={})
        )
    offer = await op.event("conversation.offered", timeout=8)
    assert offer["data"]["conversation"]["state"] == "offered"
