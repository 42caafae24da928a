"""One customer out of two: suggestions with their evidence, confirmed or rejected on the
card, manual merge and unmerge (audited), the merged id redirecting, conflicting details
flagged, and automatic merges of customers verified by the same identity."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from services.domain.inbox import InboundMessage
from services.store import tables
from tests.gateway.conftest import RunningGateway
from tests.gateway.test_conversations import available
from tests.support.opclient import OpClient

PHONE = "+79165550101"


async def two_customers(gateway: RunningGateway) -> tuple[int, int]:
    """An SMS customer, and a Telegram one who typed the same number in: a suggestion."""
    hub = gateway.gw.hub
    sms = await hub.ingest(
        InboundMessage("sms", "phone", PHONE, "Нет доставки", display_name="", verified=True)
    )
    tg = await hub.ingest(
        InboundMessage(
            "telegram", "telegram", "700500", "Я писал по SMS", display_name="Ольга", verified=True
        )
    )
    await hub.claim("telegram", "700500", {"phone": "8 916 555-01-01", "name": "Ольга"})
    return sms.customer_id, tg.customer_id


async def lead(gateway: RunningGateway) -> OpClient:
    op = await OpClient.connect(gateway.url, "lead", "lead")
    assert op.auth["type"] == "auth_ok"
    return op


async def audit_actions(gateway: RunningGateway) -> list[str]:
    audit = tables.audit
    rows = await gateway.gw.store.read(
        lambda c: c.execute(select(audit.c.action).order_by(audit.c.id)).scalars().all()
    )
    return [a for a in rows if a.startswith(("merge.", "customer.merged", "customer.unmerged"))]


async def test_a_suggestion_is_on_both_cards_and_confirming_it_merges_them(
    gateway: RunningGateway,
) -> None:
    older, newer = await two_customers(gateway)
    op = await lead(gateway)
    card = await op.ok("customer.open", {"customer_id": newer})
    (suggestion,) = card["merge_suggestions"]
    assert suggestion["other"] == {"id": older, "name": ""}
    assert (suggestion["kind"], suggestion["value"], suggestion["evidence"]) == (
        "phone",
        PHONE,
        "claimed",
    )
    other_card = await op.ok("customer.open", {"customer_id": older})
    assert other_card["merge_suggestions"][0]["other"]["id"] == newer
    merged = await op.ok(
        "customer.merge",
        {"customer_id": newer, "other_customer_id": older, "suggestion_id": suggestion["id"]},
    )
    # The older customer is kept; the newer one's name fills its empty one.
    assert (merged["customer_id"], merged["merged_id"]) == (older, newer)
    assert merged["customer"]["name"] == "Ольга" and merged["conflicts"] == {}
    card = await op.ok("customer.open", {"customer_id": older})
    bodies = [i["body"] for i in card["timeline"]["items"]]
    assert {"Нет доставки", "Я писал по SMS"} <= set(bodies)
    kinds = {(i["kind"], i["value"], i["claimed"]) for i in card["identities"]}
    assert ("phone", PHONE, False) in kinds and ("telegram", "700500", False) in kinds
    assert ("phone", PHONE, True) not in kinds  # the claim of a number it has is dropped
    assert card["merge_suggestions"] == []
    assert [m["merged"]["id"] for m in card["merges"]] == [newer]
    # The merged id redirects: its card is the kept one.
    redirected = await op.ok("customer.open", {"customer_id": newer})
    assert redirected["customer"]["id"] == older and redirected["redirected_from"] == newer
    # A new message from the merged customer's Telegram lands on the kept one.
    again = await gateway.gw.hub.ingest(
        InboundMessage("telegram", "telegram", "700500", "Ещё вопрос", verified=True)
    )
    assert again.customer_id == older
    found = await op.ok("customer.search", {"query": "Ольга"})
    assert [c["id"] for c in found["customers"]] == [older]
    assert await audit_actions(gateway) == ["merge.suggested", "customer.merged"]
    await op.close()


async def test_unmerge_moves_exactly_what_moved_back(gateway: RunningGateway) -> None:
    older, newer = await two_customers(gateway)
    op = await lead(gateway)
    merged = await op.ok("customer.merge", {"customer_id": older, "other_customer_id": newer})
    kept_card = await op.ok("customer.open", {"customer_id": older})
    (merge,) = kept_card["merges"]
    assert merge["id"] == merged["merge_id"] and merge["reason"] == "manual"
    undone = await op.ok("customer.unmerge", {"merge_id": merge["id"]})
    assert undone == {"customer_id": older, "restored_customer_id": newer}
    first = await op.ok("customer.open", {"customer_id": older})
    second = await op.ok("customer.open", {"customer_id": newer})
    assert "redirected_from" not in second
    assert [i["body"] for i in first["timeline"]["items"]] == ["Нет доставки"]
    assert [i["body"] for i in second["timeline"]["items"]] == ["Я писал по SMS"]
    # Each item is back in a conversation of its own customer.
    convs = tables.conversations
    for card in (first, second):
        for item in card["timeline"]["items"]:
            owner = await gateway.gw.store.read(
                lambda c, i=item: c.execute(
                    select(convs.c.customer_id).where(convs.c.id == i["conversation_id"])
                ).scalar()
            )
            assert owner == card["customer"]["id"]
    assert {(i["kind"], i["claimed"]) for i in second["identities"]} == {
        ("telegram", False),
        ("phone", True),  # the dropped claim is back
    }
    again = await op.cmd("customer.unmerge", {"merge_id": merge["id"]})
    assert again["type"] == "error" and again["code"] == "conflict"
    assert await audit_actions(gateway) == [
        "merge.suggested",
        "customer.merged",
        "customer.unmerged",
    ]
    await op.close()


async def test_rejecting_a_suggestion_keeps_them_apart(gateway: RunningGateway) -> None:
    older, newer = await two_customers(gateway)
    op = await lead(gateway)
    (suggestion,) = (await op.ok("customer.open", {"customer_id": older}))["merge_suggestions"]
    rejected = await op.ok("merge.reject", {"suggestion_id": suggestion["id"]})
    assert rejected == {"suggestion_id": suggestion["id"], "state": "rejected"}
    assert (await op.ok("customer.open", {"customer_id": older}))["merge_suggestions"] == []
    # The same evidence again does not bring it back.
    await gateway.gw.hub.claim("telegram", "700500", {"phone": PHONE})
    assert (await op.ok("customer.open", {"customer_id": newer}))["merge_suggestions"] == []
    missing = await op.cmd("merge.reject", {"suggestion_id": 999_999})
    assert missing["type"] == "error" and missing["code"] == "not_found"
    await op.close()


async def test_conflicting_details_are_flagged_not_overwritten(gateway: RunningGateway) -> None:
    hub = gateway.gw.hub
    a = await hub.ingest(
        InboundMessage("sms", "phone", PHONE, "A", display_name="Ольга Петрова", verified=True)
    )
    b = await hub.ingest(
        InboundMessage("telegram", "telegram", "700501", "B", display_name="Оля", verified=True)
    )
    op = await lead(gateway)
    merged = await op.ok(
        "customer.merge", {"customer_id": b.customer_id, "other_customer_id": a.customer_id}
    )
    assert merged["customer"]["name"] == "Ольга Петрова"
    assert merged["conflicts"] == {"display_name": {"kept": "Ольга Петрова", "merged": "Оля"}}
    card = await op.ok("customer.open", {"customer_id": a.customer_id})
    assert card["merges"][0]["conflicts"] == merged["conflicts"]
    await op.close()


async def test_bad_merges_are_refused(gateway: RunningGateway) -> None:
    older, newer = await two_customers(gateway)
    op = await lead(gateway)
    cases: list[tuple[dict[str, Any], str]] = [
        ({"customer_id": older, "other_customer_id": older}, "invalid_args"),
        ({"customer_id": older, "other_customer_id": 999_999}, "not_found"),
    ]
    for args, code in cases:
        reply = await op.cmd("customer.merge", args)
        assert reply["type"] == "error" and reply["code"] == code, (args, reply)
    await op.ok("customer.merge", {"customer_id": older, "other_customer_id": newer})
    twice = await op.cmd("customer.merge", {"customer_id": older, "other_customer_id": newer})
    assert twice["type"] == "error" and twice["code"] == "conflict"
    # An agent may not merge a customer another operator is serving.
    serving = await available(gateway.url, "a1")
    third = await gateway.gw.hub.ingest(
        InboundMessage("telegram", "telegram", "700503", "Третий", verified=True)
    )
    await serving.event("conversation.offered")
    await serving.ok("conversation.accept", {"conversation_id": third.conversation_id})
    agent = await available(gateway.url, "b1")
    refused = await agent.cmd(
        "customer.merge", {"customer_id": older, "other_customer_id": third.customer_id}
    )
    assert refused["type"] == "error" and refused["code"] == "forbidden", refused
    await serving.close()
    await agent.close()
    await op.close()


async def test_customers_verified_by_the_same_phone_merge_by_themselves(
    gateway: RunningGateway,
) -> None:
    hub = gateway.gw.hub
    sms = await hub.ingest(InboundMessage("sms", "phone", PHONE, "SMS", verified=True))
    tg = await hub.ingest(InboundMessage("telegram", "telegram", "700502", "TG", verified=True))
    await hub.prove("telegram", "700502", {"phone": PHONE})
    later = await hub.ingest(InboundMessage("telegram", "telegram", "700502", "ещё", verified=True))
    assert later.customer_id == sms.customer_id != tg.customer_id
    m = tables.customer_merges
    rows = await gateway.gw.store.read(
        lambda c: c.execute(select(m.c.kept_id, m.c.merged_id, m.c.reason, m.c.operator_id)).all()
    )
    assert [tuple(r) for r in rows] == [(sms.customer_id, tg.customer_id, "same_identity", None)]


async def test_a_merge_leaves_one_person_one_open_conversation(gateway: RunningGateway) -> None:
    older, newer = await two_customers(gateway)  # both wrote: two open conversations
    hub = gateway.gw.hub
    kept_conv = next(c for c in hub.convs.values() if c.customer_id == older)
    folded = next(c for c in hub.convs.values() if c.customer_id == newer)
    op = await lead(gateway)
    await op.ok("customer.merge", {"customer_id": newer, "other_customer_id": older})
    assert [c.id for c in hub.convs.values() if c.customer_id in (older, newer)] == [kept_conv.id]
    convs, timeline, lifecycle = tables.conversations, tables.timeline, tables.lifecycle

    def read(c: Any) -> tuple[Any, list[Any], list[Any]]:
        state = c.execute(select(convs.c.state).where(convs.c.id == folded.id)).scalar()
        items = c.execute(
            select(timeline.c.body, timeline.c.conversation_id)
            .where(timeline.c.customer_id == older)
            .order_by(timeline.c.id)
        ).all()
        moments = c.execute(
            select(lifecycle.c.details).where(
                lifecycle.c.conversation_id == folded.id, lifecycle.c.kind == "merged"
            )
        ).all()
        return state, items, moments

    state, items, moments = await gateway.gw.store.read(read)
    assert state == "closed"
    assert [(i.body, i.conversation_id) for i in items] == [
        ("Нет доставки", kept_conv.id),
        ("Я писал по SMS", kept_conv.id),
    ]
    assert [m.details for m in moments] == [{"into": kept_conv.id}]
    # The next message on the folded channel goes on in the one open conversation.
    again = await hub.ingest(
        InboundMessage("telegram", "telegram", "700500", "Ну что там?", verified=True)
    )
    assert (again.customer_id, again.conversation_id) == (older, kept_conv.id)
    await op.close()


async def test_a_suggestion_must_name_the_pair_and_an_agent_merges_only_their_own_work(
    gateway: RunningGateway,
) -> None:
    older, newer = await two_customers(gateway)
    hub = gateway.gw.hub
    other = await hub.ingest(InboundMessage("telegram", "telegram", "700599", "x", verified=True))
    op = await lead(gateway)
    (suggestion,) = (await op.ok("customer.open", {"customer_id": older}))["merge_suggestions"]
    # A suggestion of another pair does not make this one a confirmed merge.
    wrong = await op.cmd(
        "customer.merge",
        {
            "customer_id": older,
            "other_customer_id": other.customer_id,
            "suggestion_id": suggestion["id"],
        },
    )
    assert wrong["type"] == "error" and wrong["code"] == "invalid_args", wrong
    await op.ok("merge.reject", {"suggestion_id": suggestion["id"]})
    closed = await op.cmd(
        "customer.merge",
        {"customer_id": older, "other_customer_id": newer, "suggestion_id": suggestion["id"]},
    )
    assert closed["type"] == "error" and closed["code"] == "conflict", closed
    await op.close()
    # An agent for whom neither customer is work (both wait in queues of others' skills).
    outsider = await OpClient.connect(gateway.url, "b1", "b1")  # billing; Telegram is general's
    refused = await outsider.cmd(
        "customer.merge", {"customer_id": newer, "other_customer_id": other.customer_id}
    )
    assert refused["type"] == "error" and refused["code"] == "forbidden", refused
    assert "supervisor" in refused["message"]
    await outsider.close()
