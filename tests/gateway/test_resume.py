"""Sequence numbers, resume after reconnect, and slow clients: nothing lost, nothing twice."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from services.domain.inbox import InboundMessage
from services.store.models import utcnow
from tests.gateway.conftest import RunningGateway
from tests.gateway.test_conversations import available, chat_and_offer
from tests.support.opclient import OpClient


async def owned_conversation(gateway: RunningGateway) -> tuple[OpClient, str, int]:
    op = await available(gateway.url, "a1")
    v, conv = await chat_and_offer(gateway, op)
    await op.ok("conversation.accept", {"conversation_id": conv["id"]})
    return op, v.handle, conv["customer_id"]


async def customer_writes(gateway: RunningGateway, visitor: str, texts: list[str]) -> None:
    for t in texts:
        await gateway.gw.hub.ingest(
            InboundMessage(
                channel="webchat", identity_kind="web_visitor", identity_value=visitor, text=t
            )
        )


def contiguous(seqs: list[int]) -> bool:
    return seqs == list(range(seqs[0], seqs[0] + len(seqs)))


async def test_resume_replays_missed_events_in_order_once(gateway: RunningGateway) -> None:
    op, visitor, _cid = await owned_conversation(gateway)
    await customer_writes(gateway, visitor, ["раз"])
    await op.event("timeline.item", item__body="раз")
    last = op.seqs[-1]
    epoch = op.auth["epoch"]
    token = op.auth["token"]
    await op.close()
    # While the desktop is away, the customer keeps writing.
    missed = [f"пропущено {i}" for i in range(25)]
    await customer_writes(gateway, visitor, missed)
    back = await OpClient.connect(
        gateway.url, token=token, resume={"epoch": epoch, "last_seq": last}
    )
    assert back.auth["resume"] == "resumed"
    await back.wait(lambda: len(back.events) >= 25)
    bodies = [e["data"]["item"]["body"] for e in back.events if e["name"] == "timeline.item"]
    assert bodies == missed
    assert back.seqs[0] == last + 1 and contiguous(back.seqs)
    # Live events continue the same sequence.
    await customer_writes(gateway, visitor, ["снова онлайн"])
    live = await back.event("timeline.item", item__body="снова онлайн")
    assert live["seq"] == last + 26
    assert contiguous(back.seqs) and len(set(back.seqs)) == len(back.seqs)


async def test_changed_epoch_or_pruned_gap_tells_the_client_to_reload(
    gateway: RunningGateway,
) -> None:
    op, visitor, _cid = await owned_conversation(gateway)
    token = op.auth["token"]
    epoch = op.auth["epoch"]
    await op.close()
    other = await OpClient.connect(
        gateway.url, token=token, resume={"epoch": "another-store", "last_seq": 1}
    )
    assert other.auth["resume"] == "epoch_changed"
    await other.close()
    future = await OpClient.connect(
        gateway.url, token=token, resume={"epoch": epoch, "last_seq": 10_000}
    )
    assert future.auth["resume"] == "epoch_changed"
    await future.close()
    # Old events pruned: resuming from before them cannot be complete.
    await customer_writes(gateway, visitor, ["a", "b"])
    pruned, _keys, _hints = await gateway.gw.hub.prune(now=utcnow() + timedelta(days=8))
    assert pruned >= 3
    await customer_writes(gateway, visitor, ["после чистки"])
    stale = await OpClient.connect(gateway.url, token=token, resume={"epoch": epoch, "last_seq": 1})
    assert stale.auth["resume"] == "gap_too_old"
    snap = await stale.ok("state.snapshot", key=None)
    assert len(snap["conversations"]) == 1


async def test_a_slow_client_overflows_its_buffer_and_still_gets_everything(
    gateway: RunningGateway,
) -> None:
    gateway.gw.config.send_queue_limit = 1
    op = await available(gateway.url, "a1")
    visitors = []
    for _ in range(3):
        v, conv = await chat_and_offer(gateway, op)
        await op.ok("conversation.accept", {"conversation_id": conv["id"]})
        visitors.append(v.handle)
    await asyncio.sleep(0.2)
    start = op.seqs[-1]
    n_before = len(op.events)
    texts = [f"сообщение {v} {i}" for i in range(60) for v in visitors]
    # Three customers at once: batches carry several events for the operator, and a buffer
    # of one overflows.
    await asyncio.gather(
        *(customer_writes(gateway, v, [t for t in texts if v in t]) for v in visitors)
    )
    await op.wait(lambda: len(op.events) >= n_before + len(texts), timeout=20)
    got = [
        e["data"]["item"]["body"]
        for e in op.events
        if e["name"] == "timeline.item" and e["seq"] > start
    ]
    assert sorted(got) == sorted(texts) and len(got) == len(texts)
    assert contiguous(op.seqs) and len(set(op.seqs)) == len(op.seqs)
    sessions = gateway.gw.hub.bus.subscribers[op.auth["operator"]["id"]]
    assert any(getattr(s, "overflows", 0) > 0 for s in sessions)


async def test_two_desktops_of_one_operator_both_get_every_event(
    gateway: RunningGateway,
) -> None:
    op, visitor, _cid = await owned_conversation(gateway)
    second = await OpClient.connect(gateway.url, "a1", "a1")
    await customer_writes(gateway, visitor, ["обоим"])
    e1 = await op.event("timeline.item", item__body="обоим")
    e2 = await second.event("timeline.item", item__body="обоим")
    assert e1["seq"] == e2["seq"]
