"""Two gateway processes on one PostgreSQL store: ids and sequence numbers never collide.

Each node routes what it ingests (routing across nodes is a later issue); what is checked
here is the store's allocation: both nodes write at once, for the same operators.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import func, select

from services.store import tables
from services.store.db import make_engine, migrate
from tests.support.gateway_proc import GatewayProcess
from tests.support.opclient import ChatVisitor, OpClient
from tests.support.seed import seed_small

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]

VISITORS_PER_NODE = 6
MESSAGES_PER_VISITOR = 25
TOGGLES = 20
NOTES = 15
UNLIMITED = {
    "OMNIDESK_CHAT_RATE_PER_S": "10000",
    "OMNIDESK_CHAT_RATE_BURST": "10000",
    "OMNIDESK_RATE_PER_S": "10000",
    "OMNIDESK_RATE_BURST": "10000",
}


async def _chatter(url: str, node: str, n: int) -> list[int]:
    visitor = await ChatVisitor.connect(url, name=f"{node}-{n}")
    try:
        acks = []
        for i in range(MESSAGES_PER_VISITOR):
            ack = await visitor.say(f"{node} visitor {n} message {i}", msg_id=f"m{i}")
            assert ack["type"] == "ack", ack
            acks.append(int(ack["event_id"]))
        return acks
    finally:
        await visitor.close()


async def _toggler(op: OpClient) -> None:
    for i in range(TOGGLES):
        await op.ok("presence.set", {"status": "break" if i % 2 else "available"})


async def _noter(op: OpClient, customer_ids: list[int], node: str) -> list[int]:
    items = []
    for i in range(NOTES):
        cid = customer_ids[i % len(customer_ids)]
        data = await op.ok("note.add", {"customer_id": cid, "text": f"{node} note {i}"})
        items.append(int(data["item"]["id"]))
    return items


async def test_two_nodes_write_at_once_without_colliding(tmp_path: Path, pg_url: str) -> None:
    engine = make_engine(pg_url)
    migrate(engine)
    seed_small(engine)
    nodes = [
        GatewayProcess(tmp_path / name, database_url=pg_url, env=UNLIMITED)
        for name in ("node-a", "node-b")
    ]
    for node in nodes:
        node.data_dir.mkdir()
        node.start()
    clients: list[OpClient] = []
    try:
        # A customer for the supervisor's notes, made through each node.
        first = [await _chatter(node.url, f"warm-{k}", 0) for k, node in enumerate(nodes)]
        with engine.connect() as conn:
            customer_ids = sorted(
                conn.execute(
                    select(tables.timeline.c.customer_id).where(
                        tables.timeline.c.id.in_([acks[0] for acks in first])
                    )
                ).scalars()
            )
        # The same operators signed in to both nodes at once.
        for node in nodes:
            for name in ("a1", "a2", "lead"):
                op = await OpClient.connect(node.url, name, name)
                assert op.auth["type"] == "auth_ok", op.auth
                clients.append(op)
        work = []
        for k, node in enumerate(nodes):
            label = f"node{k}"
            work += [_chatter(node.url, label, n) for n in range(1, VISITORS_PER_NODE + 1)]
        by_name = {(i // 3, c.auth["operator"]["username"]): c for i, c in enumerate(clients)}
        for k in range(len(nodes)):
            work += [_toggler(by_name[(k, "a1")]), _toggler(by_name[(k, "a2")])]
            work.append(_noter(by_name[(k, "lead")], customer_ids, f"node{k}"))
        results = await asyncio.wait_for(asyncio.gather(*work), 90)

        acked = [eid for r in results if isinstance(r, list) for eid in r]
        acked += [eid for acks in first for eid in acks]
        assert len(acked) == len(set(acked)), "two writes got the same timeline id"
        per_node = (VISITORS_PER_NODE + 1) * MESSAGES_PER_VISITOR + NOTES
        expected = len(nodes) * per_node
        assert len(acked) == expected

        with engine.connect() as conn:
            stored = conn.execute(select(func.count()).select_from(tables.timeline)).scalar_one()
            assert stored == expected
            per_operator: dict[int, list[int]] = {}
            for op_id, seq in conn.execute(
                select(tables.operator_events.c.operator_id, tables.operator_events.c.seq).order_by(
                    tables.operator_events.c.operator_id, tables.operator_events.c.seq
                )
            ):
                per_operator.setdefault(op_id, []).append(seq)
            counters = {
                r.operator_id: r.last_seq
                for r in conn.execute(
                    select(tables.operator_seqs.c.operator_id, tables.operator_seqs.c.last_seq)
                )
            }
        ops = {c.auth["operator"]["id"]: c.auth["operator"]["username"] for c in clients}
        for op_id in ops:
            seqs = per_operator.get(op_id, [])
            # Both nodes numbered this operator's events: one stream, 1..n.
            assert len(seqs) >= 2 * min(TOGGLES, NOTES), (ops[op_id], len(seqs))
            assert seqs == list(range(1, len(seqs) + 1)), ops[op_id]
            assert counters[op_id] == len(seqs)
        # What each socket saw came in order, once.
        for c in clients:
            assert c.seqs == sorted(set(c.seqs))
        for node in nodes:
            assert node.errors() == []
    finally:
        for c in clients:
            await c.close()
        for node in nodes:
            node.stop()
        engine.dispose()
