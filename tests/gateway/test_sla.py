"""Response timers over real sockets: what a conversation owes in its view, breaches recorded
once (across a restart too), response times for KPIs, and the queue's targets from the CLI."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from services.admin import queues as admin_queues
from services.domain.inbox import InboundMessage
from services.gateway.server import Gateway
from services.store import tables
from services.store.models import Conversation, LifecycleEvent
from tests.gateway.conftest import GatewayCli, RunningGateway, start_gateway
from tests.gateway.test_conversations import available, chat_and_offer, rows
from tests.support.opclient import ChatVisitor, OpClient


def changes_of_owing(events: list[dict[str, Any]]) -> int:
    """Events that told the operator of a new view of what a conversation owes: its own
    update, or a message's event carrying it (docs/protocol.md §5)."""
    return sum(
        1
        for e in events
        if e["name"] == "conversation.updated"
        or (e["name"] == "timeline.item" and "conversation" in e["data"])
    )


def at(value: str) -> datetime:
    return datetime.fromisoformat(value)


def lifecycle(gw: Gateway, conv_id: int, kind: str) -> list[Any]:
    t = tables.lifecycle
    with gw.engine.connect() as c:
        return list(
            c.execute(
                select(t).where(t.c.conversation_id == conv_id, t.c.kind == kind).order_by(t.c.id)
            ).all()
        )


def set_targets(gw: Gateway, queue: str, first: str | None, nxt: str | None = None) -> None:
    """As ``update-queue --first-response ... --next-response ...`` does, then the hub picks
    the queue up as its store watch would."""
    settings = admin_queues.settings_from(
        skills=None,
        channels=None,
        priority=None,
        sla_seconds=None,
        hours=None,
        tz=None,
        first_response=first,
        next_response=nxt,
    )
    admin_queues.update_queue(gw.engine, queue, settings)
    with gw.engine.connect() as c:
        gw.hub.sync_queues(list(c.execute(select(tables.queues)).all()))


async def wait_for(predicate: Any, timeout: float = 10.0) -> Any:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        found = predicate()
        if found:
            return found
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("timed out")
        await asyncio.sleep(0.05)


async def test_first_response_is_owed_while_queued_offered_and_active_until_the_reply(
    gateway: RunningGateway,
) -> None:
    lead = await OpClient.connect(gateway.url, "lead", "lead")  # watches the queue
    op = await available(gateway.url, "a1")
    v, offered = await chat_and_offer(gateway, op, "Где мой заказ?")
    cid = offered["id"]
    # Offered: the first response is due a minute (web chat's default) after it was queued.
    sla = offered["sla"]
    assert sla == {
        "kind": "first_response",
        "due_at": (at(offered["queued_at"]) + timedelta(seconds=60)).isoformat(),
        "target_s": 60,
    }
    assert offered["accepted_at"] is None
    # In the queue, as its watchers see it (queued, then offered: coalesced in one frame).
    queued = await lead.wait(
        lambda: [
            item["conversation"]
            for m in lead.other
            if m["type"] == "live" and m["name"] == "queue.updated"
            for item in m["data"]["items"]
            if item["conversation"]["id"] == cid
        ]
    )
    assert queued[0]["sla"] == sla and queued[0]["accepted_at"] is None
    # Active: still owed, and accepted_at is the moment the store says.
    accepted = (await op.ok("conversation.accept", {"conversation_id": cid}))["conversation"]
    assert accepted["state"] == "active" and accepted["sla"] == sla
    (row,) = rows(gateway, Conversation, id=cid)
    assert at(accepted["accepted_at"]) == row.accepted_at
    snap = await op.ok("state.snapshot", key=None)
    assert snap["conversations"][0]["sla"] == sla
    assert snap["conversations"][0]["accepted_at"] == accepted["accepted_at"]
    # The first reply clears it; the owner hears of it with the new view.
    await op.ok(
        "message.send",
        {"customer_id": offered["customer_id"], "channel": "webchat", "text": "Сейчас проверю"},
    )
    updated = await op.event("timeline.item", conversation__id=cid, conversation__sla=None)
    assert updated["data"]["conversation"]["state"] == "active"
    assert updated["data"]["conversation"]["version"] == accepted["version"]
    (first,) = lifecycle(gateway.gw, cid, "first_response")
    assert first.details["target_s"] == 60
    (row,) = rows(gateway, Conversation, id=cid)
    assert first.details["elapsed_s"] == pytest.approx(
        (row.first_response_at - row.queued_at).total_seconds(), abs=0.002
    )
    assert row.awaiting_since is None
    # A second reply with nothing to answer records nothing and says nothing.
    await op.event("message.delivery", delivery="sent")
    n = len(op.events)
    await op.ok(
        "message.send",
        {"customer_id": offered["customer_id"], "channel": "webchat", "text": "Ещё минуту"},
    )
    await asyncio.sleep(0.2)
    assert changes_of_owing(op.events[n:]) == 0
    assert lifecycle(gateway.gw, cid, "next_response") == []
    for c in (v, op, lead):
        await c.close()


async def test_next_response_is_owed_when_the_customer_writes_again(
    gateway: RunningGateway,
) -> None:
    op = await available(gateway.url, "a1")
    v, conv = await chat_and_offer(gateway, op)
    cid = conv["id"]
    await op.ok("conversation.accept", {"conversation_id": cid})
    reply = {"customer_id": conv["customer_id"], "channel": "webchat", "text": "Слушаю"}
    await op.ok("message.send", reply)
    await op.event("timeline.item", conversation__id=cid, conversation__sla=None)
    # The customer writes again: a next response is owed from that message on.
    await v.say("А когда доставка?")
    # The message's own event carries the conversation's new view.
    item = await op.event(
        "timeline.item", item__body="А когда доставка?", conversation__sla__kind="next_response"
    )
    sla = item["data"]["conversation"]["sla"]
    assert sla == {
        "kind": "next_response",
        "due_at": (at(item["data"]["item"]["at"]) + timedelta(seconds=120)).isoformat(),
        "target_s": 120,
    }
    # More messages while the clock runs change nothing: no event for each.
    n_updates = changes_of_owing(op.events)
    await v.say("Алло?")
    await op.event("timeline.item", item__body="Алло?")
    await asyncio.sleep(0.2)
    assert changes_of_owing(op.events) == n_updates
    snap = await op.ok("state.snapshot", key=None)
    assert snap["conversations"][0]["sla"] == sla
    # The reply clears it, and its response time is kept.
    await op.ok("message.send", dict(reply, text="Завтра"))
    await op.event("timeline.item", conversation__id=cid, conversation__sla=None)
    (nxt,) = lifecycle(gateway.gw, cid, "next_response")
    assert nxt.details["target_s"] == 120 and 0 <= nxt.details["elapsed_s"] < 60
    # Wrap-up owes nothing, even with the customer writing.
    await v.say("Спасибо")
    await op.event("timeline.item", conversation__sla__kind="next_response")
    ended = await op.ok("conversation.end", {"conversation_id": cid})
    assert ended["conversation"]["state"] == "wrap_up" and ended["conversation"]["sla"] is None
    await v.close()
    await op.close()


async def test_calls_owe_no_response_target(gateway: RunningGateway) -> None:
    lead = await OpClient.connect(gateway.url, "lead", "lead")
    await gateway.gw.hub.ingest(
        InboundMessage(
            channel="voice", identity_kind="phone", identity_value="+79161234567", text="звонок"
        )
    )
    views = await lead.wait(
        lambda: [
            item["conversation"]
            for m in lead.other
            if m["type"] == "live" and m["name"] == "queue.updated"
            for item in m["data"]["items"]
            if item["conversation"]["channel"] == "voice"
        ]
    )
    assert views[0]["sla"] is None
    await lead.close()


async def test_a_late_response_is_recorded_once_and_a_reply_still_clears_it(
    gateway: RunningGateway,
) -> None:
    gw = gateway.gw
    set_targets(gw, "general", "webchat=1", "webchat=1")
    op = await available(gateway.url, "a1")
    v, conv = await chat_and_offer(gateway, op)
    cid = conv["id"]
    assert conv["sla"]["target_s"] == 1
    (breach,) = await wait_for(lambda: lifecycle(gw, cid, "sla_breached"))
    assert breach.details == {
        "kind": "first_response",
        "target_s": 1,
        "due_at": conv["sla"]["due_at"],
    }
    assert breach.at >= at(conv["sla"]["due_at"])
    # Once: the hub forgetting it (as another node would not know) does not record it again.
    gw.hub.convs[cid].breached = False
    gw.hub.timers.schedule(gw.hub.convs[cid])
    await asyncio.sleep(0.5)
    assert len(lifecycle(gw, cid, "sla_breached")) == 1
    # Late is still owed: the view keeps the due time until the reply clears it.
    accepted = (await op.ok("conversation.accept", {"conversation_id": cid}))["conversation"]
    assert accepted["sla"] == conv["sla"]
    await op.ok(
        "message.send", {"customer_id": conv["customer_id"], "channel": "webchat", "text": "Да"}
    )
    await op.event("timeline.item", conversation__id=cid, conversation__sla=None)
    (first,) = lifecycle(gw, cid, "first_response")
    assert first.details["target_s"] == 1 and first.details["elapsed_s"] > 1
    # A next response owed and not given is a breach of its own, once.
    await v.say("Ещё вопрос")
    updated = await op.event("timeline.item", conversation__sla__kind="next_response")
    due = updated["data"]["conversation"]["sla"]["due_at"]
    breaches = await wait_for(lambda: lifecycle(gw, cid, "sla_breached")[1:])
    assert [b.details for b in breaches] == [
        {"kind": "next_response", "target_s": 1, "due_at": due}
    ]
    await asyncio.sleep(1.2)
    assert len(lifecycle(gw, cid, "sla_breached")) == 2
    await v.close()
    await op.close()


async def test_breaches_across_a_restart_are_recorded_once(db_url: str) -> None:
    first = await start_gateway(db_url)
    set_targets(first, "general", "webchat=1,telegram=2", "webchat=1")
    url = f"ws://127.0.0.1:{first.port}"
    # One conversation breaches before the restart, another falls due while the gateway is
    # down.
    op = await available(url, "a1")
    v = await ChatVisitor.connect(url)
    assert (await v.say("Первый"))["type"] == "ack"
    before = (await op.event("conversation.offered"))["data"]["conversation"]
    await wait_for(lambda: lifecycle(first, before["id"], "sla_breached"))
    await first.hub.ingest(
        InboundMessage(
            channel="telegram", identity_kind="telegram", identity_value="4242", text="Второй"
        )
    )
    [down] = [c for c in first.hub.convs.values() if c.channel == "telegram"]
    down_view = down.view()
    assert down_view["sla"]["target_s"] == 2
    await v.close()
    await op.close()
    await first.close()
    assert lifecycle(first, down.id, "sla_breached") == []
    await asyncio.sleep(2.2)  # the telegram one is overdue now

    for _restart in range(2):
        gw = Gateway(first.config)
        await gw.start()
        try:
            url = f"ws://127.0.0.1:{gw.port}"
            # The view is as it was: the same due times, from the store.
            assert gw.hub.convs[down.id].view()["sla"] == down_view["sla"]
            assert gw.hub.convs[before["id"]].view()["sla"] == before["sla"]
            await wait_for(lambda gw=gw: lifecycle(gw, down.id, "sla_breached"))
            await asyncio.sleep(0.5)
            (late,) = lifecycle(gw, down.id, "sla_breached")
            assert late.details == {
                "kind": "first_response",
                "target_s": 2,
                "due_at": down_view["sla"]["due_at"],
            }
            assert len(lifecycle(gw, before["id"], "sla_breached")) == 1
            lead = await OpClient.connect(url, "lead", "lead")
            snap = await lead.ok("state.snapshot", key=None)
            shown = {c["id"]: c["sla"] for c in snap["queue"]}
            assert shown[down.id] == down_view["sla"]
            await lead.close()
        finally:
            await gw.close()


async def test_queue_targets_from_the_cli_reach_the_running_gateway(
    gateway: RunningGateway, gateway_cli: GatewayCli, capsys: pytest.CaptureFixture[str]
) -> None:
    url = gateway.gw.config.database_url
    assert url
    rc = await asyncio.to_thread(
        gateway_cli,
        url,
        "update-queue",
        "general",
        "--first-response",
        "webchat=45,email=3600",
        "--next-response",
        "email=7200",
    )
    assert rc == 0, capsys.readouterr().err
    watch = gateway.gw.store_watch
    await watch.check()  # what the gateway does every 2 s
    general = gateway.gw.hub.queue_by_name["general"]
    assert general.response_targets == {
        "first_response_s": {"email": 3600, "webchat": 45},
        "next_response_s": {"email": 7200},
    }
    op = await available(gateway.url, "a1")
    v, conv = await chat_and_offer(gateway, op)
    assert conv["sla"]["target_s"] == 45
    # Only the channels named change; "default" gives a channel its default again.
    rc = await asyncio.to_thread(
        gateway_cli, url, "update-queue", "general", "--first-response", "webchat=default"
    )
    assert rc == 0
    await watch.check()
    assert general.response_targets == {
        "first_response_s": {"email": 3600},
        "next_response_s": {"email": 7200},
    }
    assert gateway.gw.hub.convs[conv["id"]].view()["sla"]["target_s"] == 60
    # Whoever holds it sees the new due time at once.
    updated = await op.event(
        "conversation.updated", conversation__id=conv["id"], conversation__sla__target_s=60
    )
    assert (
        updated["data"]["conversation"]["sla"]["due_at"]
        == (at(conv["queued_at"]) + timedelta(seconds=60)).isoformat()
    )
    capsys.readouterr()
    assert await asyncio.to_thread(gateway_cli, url, "list-queues") == 0
    listed = capsys.readouterr().out
    assert "general  priority 0  sla 60s" in listed
    assert "first-response email=3600  next-response email=7200" in listed
    assert "billing" in listed and "first-response defaults  next-response defaults" in listed
    await v.close()
    await op.close()


def test_lifecycle_kinds_fit_their_column() -> None:
    width = LifecycleEvent.__table__.c.kind.type.length  # type: ignore[attr-defined]
    for kind in ("first_response", "next_response", "sla_breached"):
        assert len(kind) <= width
