"""A visit in person or a call outside the system, logged by the operator on the timeline."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from services.domain.inbox import InboundMessage
from services.store import tables
from tests.gateway.conftest import RunningGateway
from tests.gateway.test_conversations import available


async def test_a_logged_visit_lands_on_the_timeline_audited(gateway: RunningGateway) -> None:
    hub = gateway.gw.hub
    customer = await hub.ingest(
        InboundMessage("telegram", "telegram", "6001", "Зайду в офис", verified=True)
    )
    op = await available(gateway.url, "a1")
    offered = await op.event("conversation.offered")
    await op.ok("conversation.accept", {"conversation_id": offered["data"]["conversation"]["id"]})
    when = (datetime.now(UTC) - timedelta(hours=1)).replace(microsecond=0)
    logged = await op.ok(
        "touchpoint.log",
        {
            "customer_id": customer.customer_id,
            "kind": "visit",
            "happened_at": when.isoformat(),
            "summary": "Принёс чек, оформили возврат",
            "outcome": "resolved",
            "duration_min": 15,
        },
    )
    item = logged["item"]
    assert (item["kind"], item["channel"], item["direction"]) == ("visit", "visit", "in")
    assert item["body"] == "Принёс чек, оформили возврат"
    assert item["extra"] == {
        "logged": True,
        "outcome": "resolved",
        "happened_at": when.isoformat(),
        "duration_min": 15,
    }
    assert item["author_operator_id"] == op.auth["operator"]["id"]
    await op.event("timeline.item", item__id=item["id"])
    card = await op.ok("customer.open", {"customer_id": customer.customer_id})
    assert item["id"] in [i["id"] for i in card["timeline"]["items"]]
    audit = tables.audit
    rows = await gateway.gw.store.read(
        lambda c: c.execute(
            select(audit.c.target_id).where(audit.c.action == "touchpoint.logged")
        ).all()
    )
    assert [int(r.target_id) for r in rows] == [customer.customer_id]
    await op.close()


async def test_a_touchpoint_log_is_refused_clearly(gateway: RunningGateway) -> None:
    hub = gateway.gw.hub
    customer = await hub.ingest(
        InboundMessage("telegram", "telegram", "6002", "Позвоню", verified=True)
    )
    op = await available(gateway.url, "a1")
    offered = await op.event("conversation.offered")
    await op.ok("conversation.accept", {"conversation_id": offered["data"]["conversation"]["id"]})
    good = {
        "customer_id": customer.customer_id,
        "kind": "call",
        "direction": "out",
        "happened_at": datetime.now(UTC).isoformat(),
        "summary": "Перезвонили",
        "outcome": "information",
    }
    for change, says in (
        ({"summary": "   "}, "summary"),
        ({"happened_at": (datetime.now(UTC) + timedelta(days=1)).isoformat()}, "future"),
        ({"happened_at": "2020-01-01T10:00:00+00:00"}, "days ago"),
        ({"happened_at": "2026-01-01T10:00:00"}, "happened_at"),  # no time zone
        ({"outcome": "teleported"}, "outcome"),
        ({"kind": "pigeon"}, "kind"),
        ({"duration_min": 100_000}, "duration_min"),
    ):
        reply = await op.cmd("touchpoint.log", {**good, **change})
        assert reply["type"] == "error" and reply["code"] == "invalid_args", (change, reply)
        assert says in reply["message"], (change, reply["message"])
    # Another operator's customer (not theirs, not waiting in a queue they take) is refused.
    other = await available(gateway.url, "b1")
    refused = await other.cmd("touchpoint.log", good)
    assert refused["type"] == "error" and refused["code"] == "forbidden"
    ok = await op.ok("touchpoint.log", good)
    assert (ok["item"]["kind"], ok["item"]["channel"]) == ("call", "voice")
    await op.close()
    await other.close()
