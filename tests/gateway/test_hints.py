"""Next-best-action hints through real sockets: shown with the card, answered, learned from."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from services.channels.webchat import secret_digest
from services.hub import Hub
from services.store.models import (
    AuditEntry,
    Customer,
    Identity,
    NbaDecision,
    NbaOutcome,
    Touchpoint,
    WebVisitor,
    utcnow,
)
from tests.gateway.conftest import RunningGateway
from tests.gateway.test_conversations import available, rows
from tests.support.opclient import ChatVisitor, OpClient

VISITOR = "nba-visitor-0001"
VISITOR_SECRET = "the-nba-visitor-secret"


def seed_customer(gw: RunningGateway) -> int:
    """A customer the CRM knows: a web-chat identity and a case open for 12 days."""
    now = utcnow()
    with Session(gw.gw.engine) as s:
        c = Customer(display_name="Ирина", name_search="ирина", segment="standard", last_csat=5)
        s.add(c)
        s.flush()
        s.add(Identity(customer_id=c.id, kind="web_visitor", value=VISITOR, verified=True))
        s.add(WebVisitor(secret_hash=secret_digest(VISITOR_SECRET), handle=VISITOR))
        s.add(
            Touchpoint(
                customer_id=c.id,
                channel="email",
                subject="Не пришёл заказ",
                status="open",
                opened_at=now - timedelta(days=12, hours=3),
            )
        )
        s.commit()
        return c.id


async def serving(gw: RunningGateway, op: OpClient, customer_id: int) -> dict[str, Any]:
    """The customer writes in the web chat; the operator accepts: the conversation."""
    v = await ChatVisitor.connect(gw.url, visitor_token=VISITOR_SECRET)
    assert (await v.say("Здравствуйте, я снова по своему вопросу"))["type"] == "ack"
    offered = await op.event("conversation.offered")
    conv = offered["data"]["conversation"]
    assert conv["customer_id"] == customer_id
    await op.ok("conversation.accept", {"conversation_id": conv["id"]})
    return dict(conv)


def by_action(hints: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {h["action"]: h for h in hints}


async def test_hints_are_shown_answered_and_not_shown_again(gateway: RunningGateway) -> None:
    cid = seed_customer(gateway)
    op = await available(gateway.url, "a1")
    op_id = op.auth["operator"]["id"]
    conv = await serving(gateway, op, cid)

    card = await op.ok("customer.open", {"customer_id": cid})
    hints = by_action(card["hints"])
    assert set(hints) == {"follow_up", "escalate"}
    follow = hints["follow_up"]
    assert follow["reason"] == "Обращение «Не пришёл заказ» открыто 12 дней"
    assert "«Не пришёл заказ»" in follow["text"]
    assert follow["title"] and follow["score"] > 0 and follow["explain"]
    assert {h["rank"] for h in card["hints"]} == {1, 2}
    shown = rows(gateway, NbaDecision, customer_id=cid)
    assert {(d.hint_id, d.action, d.conversation_id, d.operator_id) for d in shown} == {
        (h["hint_id"], h["action"], conv["id"], op_id) for h in card["hints"]
    }
    assert all(0 < d.p_sample <= 1 for d in shown)

    # Dismissed: the refreshed list comes as an event, without it.
    dismissed = await op.ok(
        "hint.respond",
        {"hint_id": follow["hint_id"], "outcome": "dismissed", "customer_id": cid},
    )
    ev = await op.event("hints.updated", customer_id=cid)
    assert [h["action"] for h in ev["data"]["hints"]] == ["escalate"]
    assert dismissed["hints"] == ev["data"]["hints"]
    assert dismissed["outcome"] == "dismissed" and dismissed["action"] == "follow_up"

    # Reopening the card in the same conversation does not bring it back: inferred...
    again = await op.ok("customer.open", {"customer_id": cid})
    assert set(by_action(again["hints"])) == {"escalate"}
    # ... or named.
    named = await op.ok("customer.open", {"customer_id": cid, "conversation_id": conv["id"]})
    assert set(by_action(named["hints"])) == {"escalate"}

    # Accepted, the same command twice with one key: recorded once.
    escalate = by_action(again["hints"])["escalate"]
    args = {"hint_id": escalate["hint_id"], "outcome": "accepted", "customer_id": cid}
    first = await op.cmd("hint.respond", args, key="accept-escalate")
    repeat = await op.cmd("hint.respond", args, key="accept-escalate")
    assert first["type"] == repeat["type"] == "result"
    assert repeat["replayed"] is True and repeat["data"] == first["data"]
    assert first["data"]["hints"] == []  # answered in this conversation: done
    # Another key for an answered hint is a conflict, not a second outcome.
    other = await op.cmd("hint.respond", {**args, "outcome": "dismissed"}, key="second-thoughts")
    assert other["type"] == "error" and other["code"] == "conflict"

    outcomes = rows(gateway, NbaOutcome)
    assert sorted((o.hint_id, o.outcome, o.operator_id) for o in outcomes) == sorted(
        [
            (follow["hint_id"], "dismissed", op_id),
            (escalate["hint_id"], "accepted", op_id),
        ]
    )
    assert all(o.at.tzinfo is not None for o in outcomes)
    audits = rows(gateway, AuditEntry, action="hint.respond")
    assert sorted(a.details["outcome"] for a in audits) == ["accepted", "dismissed"]
    assert [e["name"] for e in op.events].count("hints.updated") == 2
    # Learning: the hub's counts moved once per answer.
    stats = gateway.gw.hub.nba.stats
    assert stats.pos_neg("follow_up") == (0.0, 1.0)
    assert stats.pos_neg("escalate") == (1.0, 0.0)

    # Another interaction (the supervisor, with no conversation of this customer): the
    # dismissed action may be shown again; one dismissal does not pause it.
    lead = await OpClient.connect(gateway.url, "lead", "lead")
    seen = await lead.ok("customer.open", {"customer_id": cid})
    assert set(by_action(seen["hints"])) == {"follow_up", "escalate"}
    lead_id = lead.auth["operator"]["id"]
    assert {d.conversation_id for d in rows(gateway, NbaDecision, operator_id=lead_id)} == {None}
    await lead.close()
    await op.close()


async def test_hint_respond_refuses_what_it_cannot_record(gateway: RunningGateway) -> None:
    cid = seed_customer(gateway)
    op = await available(gateway.url, "a1")
    card = await op.ok("customer.open", {"customer_id": cid})
    hint = card["hints"][0]
    assert {h["action"] for h in card["hints"]} == {"follow_up", "escalate"}
    # Without a conversation the decision is still recorded, for no conversation.
    assert {d.conversation_id for d in rows(gateway, NbaDecision, customer_id=cid)} == {None}

    unknown = await op.cmd(
        "hint.respond", {"hint_id": "nope", "outcome": "accepted", "customer_id": cid}
    )
    assert unknown["code"] == "not_found"
    wrong_customer = await op.cmd(
        "hint.respond", {"hint_id": hint["hint_id"], "outcome": "accepted", "customer_id": cid + 1}
    )
    assert wrong_customer["code"] == "not_found"
    bad_outcome = await op.cmd(
        "hint.respond", {"hint_id": hint["hint_id"], "outcome": "ignored", "customer_id": cid}
    )
    assert bad_outcome["code"] == "invalid_args"
    no_key = await op.cmd(
        "hint.respond",
        {"hint_id": hint["hint_id"], "outcome": "accepted", "customer_id": cid},
        key=None,
    )
    assert no_key["code"] == "missing_idempotency_key"
    other_conv = await op.cmd("customer.open", {"customer_id": cid, "conversation_id": 999})
    assert other_conv["code"] == "invalid_args"
    assert rows(gateway, NbaOutcome) == []
    await op.close()


async def test_learning_counts_are_loaded_at_start_up(gateway: RunningGateway) -> None:
    cid = seed_customer(gateway)
    op = await available(gateway.url, "a1")
    await serving(gateway, op, cid)
    hints = by_action((await op.ok("customer.open", {"customer_id": cid}))["hints"])
    for action, outcome in (("follow_up", "accepted"), ("escalate", "dismissed")):
        await op.ok(
            "hint.respond",
            {"hint_id": hints[action]["hint_id"], "outcome": outcome, "customer_id": cid},
        )
    await op.close()
    # A hub started on the same store knows what operators did with the hints.
    hub = Hub(gateway.gw.store)
    await hub.start()
    try:
        assert hub.nba.stats.pos_neg("follow_up") == (1.0, 0.0)
        assert hub.nba.stats.pos_neg("escalate") == (0.0, 1.0)
        rate = hub.nba.group_rate("service")
        assert rate == (1 + 3) / (2 + 10)
    finally:
        await hub.close()


async def test_hints_left_unanswered_at_wrap_up_are_learned_as_ignored(
    gateway: RunningGateway,
) -> None:
    cid = seed_customer(gateway)
    op = await available(gateway.url, "a1")
    op_id = op.auth["operator"]["id"]
    conv = await serving(gateway, op, cid)
    await op.ok("customer.open", {"customer_id": cid})  # shown, then replaced by ...
    last = by_action((await op.ok("customer.open", {"customer_id": cid}))["hints"])
    await op.ok(
        "hint.respond",
        {"hint_id": last["follow_up"]["hint_id"], "outcome": "accepted", "customer_id": cid},
    )
    refreshed = rows(gateway, NbaDecision, customer_id=cid)
    await op.ok(
        "conversation.wrap_up",
        {"conversation_id": conv["id"], "disposition": "resolved", "resolved": True},
    )
    # Only the hints shown last for the conversation, and only those nobody answered.
    newest = max(d.shown_at for d in refreshed)
    expected = {d.hint_id for d in refreshed if d.shown_at == newest}
    expected -= {last["follow_up"]["hint_id"]}
    assert expected  # the refreshed list still had an unanswered hint
    ignored = [o for o in rows(gateway, NbaOutcome) if o.outcome == "ignored"]
    assert {o.hint_id for o in ignored} == expected
    assert all(o.operator_id == op_id for o in ignored)
    stats = gateway.gw.hub.nba.stats
    actions = {d.action for d in refreshed if d.hint_id in expected}
    for action in actions:
        assert stats.pos_neg(action)[1] > 0  # an ignore weighs as part of a dismissal
    assert stats.pos_neg("follow_up") == (1.0, 0.0)
    await op.close()


async def test_old_unanswered_showings_are_pruned_answered_ones_kept(
    gateway: RunningGateway,
) -> None:
    cid = seed_customer(gateway)
    op = await available(gateway.url, "a1")
    await serving(gateway, op, cid)
    hints = by_action((await op.ok("customer.open", {"customer_id": cid}))["hints"])
    await op.ok(
        "hint.respond",
        {"hint_id": hints["follow_up"]["hint_id"], "outcome": "accepted", "customer_id": cid},
    )
    shown = rows(gateway, NbaDecision, customer_id=cid)
    assert len(shown) > 1
    hub = gateway.gw.hub
    *_rest, young = await hub.prune(now=utcnow() + timedelta(days=29))
    assert young == 0
    *_rest, old = await hub.prune(now=utcnow() + timedelta(days=31))
    assert old == len(shown) - 1
    kept = rows(gateway, NbaDecision, customer_id=cid)
    assert [d.hint_id for d in kept] == [hints["follow_up"]["hint_id"]]
    # The learning state read at start-up is whole.
    assert hub.nba.stats.pos_neg("follow_up") == (1.0, 0.0)
    await op.close()
