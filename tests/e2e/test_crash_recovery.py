"""A gateway killed with SIGKILL and restarted: acknowledged means kept, resumed means whole."""

from __future__ import annotations

import asyncio
import json
import uuid
from pathlib import Path

import pytest
import websockets

from tests.support.gateway_proc import GatewayProcess
from tests.support.net import free_port
from tests.support.opclient import ChatVisitor, OpClient

pytestmark = pytest.mark.e2e


async def test_sigkill_loses_nothing_acknowledged_and_resume_has_no_gap(tmp_path: Path) -> None:
    gp = GatewayProcess(
        tmp_path,
        port=free_port(),
        env={"OMNIDESK_CHAT_RATE_PER_S": "10000", "OMNIDESK_CHAT_RATE_BURST": "10000"},
    )
    gp.run_cli("seed-demo", "--customers", "5")
    gp.start()
    try:
        op = await OpClient.connect(gp.url, "agent", "agent")
        await op.ok("presence.set", {"status": "available"})
        visitor = await ChatVisitor.connect(gp.url, name="Пётр")
        await visitor.say("Первое сообщение")
        offer = await op.event("conversation.offered")
        conv = offer["data"]["conversation"]
        await op.ok("conversation.accept", {"conversation_id": conv["id"]})
        reply_args = {
            "customer_id": conv["customer_id"],
            "channel": "webchat",
            "text": "Отвечаю до сбоя",
        }
        first_reply = await op.ok("message.send", reply_args, key="reply-before-crash")

        # A stream of customer messages; the gateway dies in the middle of it.
        ids = [f"m{i:03d}-{uuid.uuid4().hex[:6]}" for i in range(150)]
        acked: set[str] = set()

        async def pump() -> None:
            for mid in ids:
                try:
                    await visitor.ws.send(
                        json.dumps({"type": "message", "id": mid, "text": f"текст {mid}"})
                    )
                except websockets.ConnectionClosed:
                    return
                await asyncio.sleep(0.002)

        async def collect_acks() -> None:
            try:
                async for raw in visitor.ws:
                    msg = json.loads(raw)
                    if msg["type"] == "ack":
                        acked.add(msg["id"])
            except websockets.ConnectionClosed:
                return

        collector = asyncio.create_task(collect_acks())
        sender = asyncio.create_task(pump())

        async def until_acked(n: int) -> None:
            while len(acked) < n:
                await asyncio.sleep(0.005)

        await asyncio.wait_for(until_acked(40), 30)
        gp.kill()
        await asyncio.gather(sender, collector)
        seen_before = list(op.seqs)
        last_seq = seen_before[-1]
        await op.close()
        assert 40 <= len(acked) < len(ids)

        gp.start()
        # The desktop resumes from the last event it saw.
        back = await OpClient.connect(
            gp.url, token=op.auth["token"], resume={"epoch": op.auth["epoch"], "last_seq": last_seq}
        )
        assert back.auth["type"] == "auth_ok"
        assert back.auth["resume"] == "resumed"
        await asyncio.sleep(1.0)
        all_seqs = seen_before + back.seqs
        assert all_seqs == list(range(1, len(all_seqs) + 1)), "gap or duplicate after resume"
        # Every acknowledged message is in the store, once.
        bodies: list[str] = []
        cursor = None
        while True:
            args: dict[str, object] = {"customer_id": conv["customer_id"], "limit": 200}
            if cursor:
                args["before"] = cursor
            page = await back.ok("timeline.page", args, key=None)
            bodies += [i["body"] for i in page["items"]]
            cursor = page["cursor"]
            if cursor is None:
                break
        for mid in acked:
            assert bodies.count(f"текст {mid}") == 1, mid
        # The widget re-sends what was not acknowledged, with the same ids: no duplicates.
        again = await ChatVisitor.connect(gp.url, visitor_token=visitor.visitor_token)
        for mid in ids:
            ack = await again.say(f"текст {mid}", msg_id=mid)
            assert ack["type"] == "ack"
        page = await back.ok(
            "timeline.page", {"customer_id": conv["customer_id"], "limit": 200}, key=None
        )
        texts = [i["body"] for i in page["items"]]
        for mid in ids:
            assert texts.count(f"текст {mid}") == 1, mid
        # A command repeated after the crash with the same key is not done twice.
        repeat = await back.cmd("message.send", reply_args, key="reply-before-crash")
        assert repeat["type"] == "result" and repeat["replayed"] is True
        assert repeat["data"] == first_reply
        assert texts.count("Отвечаю до сбоя") == 1
        await back.close()
        await again.close()
        assert gp.errors() == []
    finally:
        gp.stop()


async def test_a_desktop_that_comes_back_after_a_restart_is_as_it_was(tmp_path: Path) -> None:
    """After a gateway restart a resuming desktop gets its presence back, so a customer who
    writes meanwhile is offered to it instead of waiting for the operator to act."""
    gp = GatewayProcess(tmp_path, port=free_port())
    gp.run_cli("seed-demo", "--customers", "5")
    gp.start()
    try:
        op = await OpClient.connect(gp.url, "agent", "agent", remember=True)
        await op.ok("presence.set", {"status": "available"})
        token, epoch = op.auth["token"], op.auth["epoch"]
        last_seq = op.seqs[-1] if op.seqs else op.auth["last_seq"]
        await op.close()
        gp.kill()
        gp.start()
        back = await OpClient.connect(
            gp.url, token=token, resume={"epoch": epoch, "last_seq": last_seq}
        )
        assert back.auth["resume"] == "resumed"
        changed = await back.event("presence.changed", presence="available")
        assert changed["data"]["presence"] == "available"
        snapshot = await back.ok("state.snapshot", key=None)
        assert snapshot["presence"] == "available"
        visitor = await ChatVisitor.connect(gp.url, name="Ольга")
        await visitor.say("Есть кто?")
        offered = await back.event("conversation.offered")
        assert offered["data"]["customer"]["name"] == "Ольга"
        await visitor.close()
        await back.close()
        assert gp.errors() == []
    finally:
        gp.stop()
