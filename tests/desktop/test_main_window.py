"""The main window against a real (embedded) gateway, driven like an operator drives it."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from omnidesk_qt.client import Credentials
from omnidesk_qt.embedded import EmbeddedGateway
from omnidesk_qt.outbox import Outbox
from omnidesk_qt.session import Session
from omnidesk_qt.settings import Settings
from tests.support.opclient import ChatVisitor
from ui.main_window import MainWindow

pytestmark = pytest.mark.usefixtures("isolated_dirs")


def run(coro: Any, qtbot: QtBot, timeout: int = 20000) -> Any:
    fut = asyncio.ensure_future(coro)
    qtbot.waitUntil(fut.done, timeout=timeout)
    return fut.result()


@pytest.fixture
def window(
    qtbot: QtBot, aloop: asyncio.AbstractEventLoop, demo_gateway: EmbeddedGateway, data_dir: Path
) -> Any:
    session = Session(demo_gateway.url, Credentials("agent2", "agent2"), Outbox(data_dir / "ob.db"))
    win = MainWindow(session, Settings())
    qtbot.addWidget(win)
    win.show()
    with qtbot.waitSignal(session.snapshotLoaded, timeout=20000):
        session.start()
    yield win
    run(session.stop(), qtbot)


def test_sign_in_presence_offer_accept_reply(
    qtbot: QtBot, window: Any, demo_gateway: EmbeddedGateway
) -> None:
    assert "Дмитрий Козлов" in window.windowTitle()
    assert window.connection.text() == "Online"
    # Presence from the toolbar.
    with qtbot.waitSignal(window.session.presenceChanged, timeout=20000) as pres:
        window.presence.setCurrentIndex(0)
        window.presence.activated.emit(0)
    assert pres.args[0] == "available"
    # A customer writes in the web chat: the offer shows up, selected, and is announced.
    with qtbot.waitSignal(window.offerAnnounced, timeout=20000) as announced:
        visitor = run(ChatVisitor.connect(demo_gateway.url, name="Вера Тестова"), qtbot)
        run(visitor.say("Здравствуйте, вопрос по счёту"), qtbot)
    assert announced.args == ["webchat", "Вера Тестова"]
    qtbot.waitUntil(
        lambda: window.current is not None and window.current["state"] == "offered", timeout=10000
    )
    # Accept with the keyboard, from the list.
    window.list.setFocus()
    qtbot.keyClick(window.list, Qt.Key.Key_A)
    qtbot.waitUntil(
        lambda: window.card.get("customer", {}).get("name") == "Вера Тестова", timeout=10000
    )
    qtbot.waitUntil(lambda: "Здравствуйте, вопрос по счёту" in window.feed_texts(), timeout=10000)
    assert window.channel.currentData() == "webchat"
    # Reply with Ctrl+Enter: pending at once, then it reaches the customer.
    # (QTest cannot type Cyrillic key by key; the text goes in as an input method would.)
    window.composer.setFocus()
    window.composer.insertPlainText("Добрый день! Сейчас проверю.")
    qtbot.keyClick(window.composer, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: "Добрый день! Сейчас проверю." in window.feed_texts(), timeout=2000)
    assert window.composer.toPlainText() == ""
    got = run(visitor.recv_type("message"), qtbot)
    assert got["text"] == "Добрый день! Сейчас проверю." and got["author"] == "Дмитрий Козлов"
    qtbot.waitUntil(lambda: window.session.outbox.count_pending() == 0, timeout=10000)
    run(visitor.close(), qtbot)


def test_search_finds_a_demo_customer_by_phone_and_opens_the_card(
    qtbot: QtBot, window: Any, demo_gateway: EmbeddedGateway
) -> None:
    from sqlalchemy import create_engine, select

    from services.store.tables import customers, identities

    eng = create_engine(demo_gateway.config.url)
    with eng.connect() as c:
        row = c.execute(
            select(identities.c.value, customers.c.display_name)
            .join(customers, customers.c.id == identities.c.customer_id)
            .where(identities.c.kind == "phone")
            .limit(1)
        ).one()
    eng.dispose()
    qtbot.keyClick(window, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    assert window.search.hasFocus()
    qtbot.keyClicks(window.search, row.value)  # digits and "+": plain keys
    with qtbot.waitSignal(window.session.searchResults, timeout=20000):
        qtbot.keyClick(window.search, Qt.Key.Key_Return)
    assert window.results.count() == 1
    qtbot.keyClick(window.results, Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: window.card.get("customer", {}).get("name") == row.display_name, timeout=10000
    )
    assert row.value in window.card_label.text()
