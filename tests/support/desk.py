"""Desktop test steps against a real gateway: a web-chat customer writes, the operator's session
accepts the offer and opens the card, as a person at the desk does."""

from __future__ import annotations

import time
from typing import Any

from pytestqt.qtbot import QtBot

from omnidesk_qt.session import Session
from tests.support.opclient import ChatVisitor
from tests.support.qtasync import run


def wait_nudging(qtbot: QtBot, session: Session, done: Any, timeout: float = 30.0) -> None:
    """Wait for ``done()``, starting the session's outbox flush now and then: a command queued
    while a flush round is finishing (after it found the outbox empty, at its last report) waits
    for the next round, which in a test may never come."""
    deadline = time.monotonic() + timeout
    while not done():
        assert time.monotonic() < deadline, "the gateway did not answer"
        session._flush_soon()
        qtbot.wait(50)


def answered(session: Session, command: str) -> list[tuple[str, Any]]:
    got: list[tuple[str, Any]] = []
    session.commandDone.connect(lambda n, k, r: got.append((k, r)) if n == command else None)
    session.commandFailed.connect(
        lambda n, c, m, _key: got.append((c, m)) if n == command else None
    )
    return got


def serve_visitor(
    qtbot: QtBot, session: Session, url: str, name: str, text: str
) -> tuple[ChatVisitor, int, int, dict[str, Any]]:
    """The visitor ``name`` writes ``text``; the session accepts the offer and opens the
    customer. Returns (visitor, conversation id, customer id, card)."""
    offers: list[dict[str, Any]] = []
    session.offerReceived.connect(
        lambda conv, cust: offers.append(conv) if cust.get("name") == name else None
    )
    visitor = run(ChatVisitor.connect(url, name=name), qtbot)
    assert run(visitor.say(text), qtbot)["type"] == "ack"
    qtbot.waitUntil(lambda: bool(offers), timeout=20000)
    conv_id, customer_id = int(offers[0]["id"]), int(offers[0]["customer_id"])
    accepted = answered(session, "conversation.accept")
    session.accept(conv_id)
    wait_nudging(qtbot, session, lambda: bool(accepted))
    with qtbot.waitSignal(
        session.customerOpened,
        timeout=20000,
        check_params_cb=lambda c: c["customer"]["id"] == customer_id,
    ) as opened:
        session.open_customer(customer_id)
    return visitor, conv_id, customer_id, opened.args[0]
