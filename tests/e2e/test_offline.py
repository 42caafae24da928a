"""Offline and crash: replies wait in the outbox and are delivered exactly once."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import create_engine, select

from omnidesk_qt.client import Backoff, Credentials
from omnidesk_qt.outbox import Outbox
from omnidesk_qt.session import Session
from services.store.tables import timeline
from tests.support.gateway_proc import ROOT, GatewayProcess
from tests.support.net import free_port
from tests.support.opclient import ChatVisitor, OpClient

pytestmark = pytest.mark.e2e


def run(coro_factory: object, qtbot: QtBot, timeout: float = 20.0) -> object:
    fut = asyncio.ensure_future(coro_factory)  # type: ignore[arg-type]
    qtbot.waitUntil(fut.done, timeout=int(timeout * 1000))
    return fut.result()


def bodies(tmp_path: Path, customer_id: int, text: str) -> int:
    eng = create_engine(f"sqlite:///{tmp_path / 'gateway.db'}")
    with eng.connect() as c:
        n = len(
            [
                r
                for r in c.execute(
                    select(timeline.c.body).where(timeline.c.customer_id == customer_id)
                )
                if r.body == text
            ]
        )
    eng.dispose()
    return n


async def start_chat(url: str) -> tuple[ChatVisitor, int]:
    """A visitor writes and agent2 (not the client under test) accepts and releases nothing:
    the customer is served by agent, so the client may reply."""
    op = await OpClient.connect(url, "agent", "agent")
    await op.ok("presence.set", {"status": "available"})
    v = await ChatVisitor.connect(url, name="Олег")
    await v.say("Вы на связи?")
    offer = await op.event("conversation.offered", timeout=20)
    conv = offer["data"]["conversation"]
    await op.ok("conversation.accept", {"conversation_id": conv["id"]})
    await op.close()
    return v, int(conv["customer_id"])


@pytest.fixture
def gateway(tmp_path: Path) -> GatewayProcess:
    gp = GatewayProcess(tmp_path, port=free_port())
    gp.run_cli("seed-demo", "--customers", "5")
    return gp


def test_reply_sent_while_the_gateway_is_down_is_delivered_once(
    qtbot: QtBot,
    aloop: asyncio.AbstractEventLoop,
    gateway: GatewayProcess,
    tmp_path: Path,
) -> None:
    gateway.start()
    try:
        visitor, customer_id = run(start_chat(gateway.url), qtbot)  # type: ignore[misc]
        session = Session(
            gateway.url,
            Credentials("agent", "agent"),
            Outbox(tmp_path / "client" / "outbox.db"),
            backoff=Backoff(base=0.2, cap=1.0),
        )
        with qtbot.waitSignal(session.signedIn, timeout=10000):
            session.start()
        gateway.kill()
        qtbot.waitUntil(lambda: session.state == "reconnecting", timeout=10000)
        with qtbot.waitSignal(session.localQueued, timeout=5000):
            session.send_message(customer_id, "webchat", "Ответ, пока шлюз лежал")
        qtbot.waitUntil(lambda: session.outbox.count_pending() == 1, timeout=5000)
        gateway.start()
        with qtbot.waitSignal(session.commandDone, timeout=20000) as done:
            pass
        assert done.args[0] == "message.send"
        qtbot.waitUntil(lambda: session.outbox.count_pending() == 0, timeout=5000)
        # The customer's widget gets it after reconnecting, once.
        v2 = run(ChatVisitor.connect(gateway.url, visitor_token=visitor.visitor_token), qtbot)
        history = [m["text"] for m in v2.welcome["history"]]  # type: ignore[attr-defined]
        assert history.count("Ответ, пока шлюз лежал") == 1
        assert bodies(tmp_path, customer_id, "Ответ, пока шлюз лежал") == 1
        run(session.stop(), qtbot)
        assert gateway.errors() == []
    finally:
        gateway.stop()


def test_killed_client_sends_its_outbox_when_started_again(
    qtbot: QtBot,
    aloop: asyncio.AbstractEventLoop,
    gateway: GatewayProcess,
    tmp_path: Path,
) -> None:
    gateway.start()
    try:
        _visitor, customer_id = run(start_chat(gateway.url), qtbot)  # type: ignore[misc]
    finally:
        gateway.kill()  # the gateway is down while the client queues
    outbox = tmp_path / "client" / "outbox.db"
    text = "Написано до сбоя клиента"
    client = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.support.client_proc",
            "queue",
            gateway.url,
            str(outbox),
            str(customer_id),
            text,
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert client.stdout is not None
        assert client.stdout.readline().strip() == "queued"
    finally:
        client.kill()
        client.wait(10)
        if client.stdout is not None:
            client.stdout.close()
    assert len(Outbox(outbox).pending()) == 1
    gateway.start()
    try:
        again = subprocess.run(
            [sys.executable, "-m", "tests.support.client_proc", "flush", gateway.url, str(outbox)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=90,
        )
        assert again.returncode == 0, again.stderr
        assert again.stdout.strip() == "flushed 1"
        assert Outbox(outbox).pending() == []
        assert bodies(tmp_path, customer_id, text) == 1
        assert gateway.errors() == []
    finally:
        gateway.stop()
