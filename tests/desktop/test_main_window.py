"""The main window against a real (embedded) gateway, driven from the keyboard like an operator.

The demo gateway's operators are shared by every test of the session: each test uses visitors of
its own (a unique name) and looks only at their conversations, and leaves none of its own open.
"""

from __future__ import annotations

import asyncio
import json
import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QKeySequence, QPalette
from PySide6.QtWidgets import QApplication, QComboBox, QMessageBox, QSystemTrayIcon, QWidget
from pytestqt.qtbot import QtBot

from omnidesk_qt import i18n, themes
from omnidesk_qt.client import Credentials
from omnidesk_qt.embedded import EmbeddedGateway
from omnidesk_qt.outbox import Outbox
from omnidesk_qt.session import Session
from omnidesk_qt.settings import Settings
from tests.support.contrast import text_places, unreadable
from tests.support.opclient import ChatVisitor, OpClient
from tests.support.qtasync import run
from tests.support.untranslated import english_sources, untranslated
from ui.call_bar import CallBar
from ui.conversation_model import MINE, QUEUE
from ui.customer_card import CustomerCard, format_age, initials
from ui.dialogs import (
    ConnectDialog,
    NoteDialog,
    ShortcutsDialog,
    TransferDialog,
    WrapUpDialog,
)
from ui.icons import APP, NAMES, icon
from ui.main_window import MainWindow
from ui.settings_dialog import SettingsDialog
from ui.theme import apply_theme

pytestmark = pytest.mark.usefixtures("isolated_dirs")

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CTRL = Qt.KeyboardModifier.ControlModifier
CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


class Visitor:
    """A web-chat customer of this test only."""

    def __init__(self, qtbot: QtBot, url: str, name: str = "", **hello: Any) -> None:
        self.name = name or f"Visitor {uuid.uuid4().hex[:8]}"
        self.qtbot = qtbot
        self.chat: ChatVisitor = run(ChatVisitor.connect(url, name=self.name, **hello), qtbot)

    def say(self, text: str) -> None:
        run(self.chat.say(text), self.qtbot)

    def leave(self) -> None:
        async def bye() -> None:
            await self.chat.ws.send(json.dumps({"type": "leave"}))
            await self.chat.close()

        run(bye(), self.qtbot)


class RecordingTray(QSystemTrayIcon):
    """A real tray icon that also remembers the notifications it was asked to show."""

    def __init__(self) -> None:
        super().__init__()
        self.messages: list[tuple[str, str]] = []

    def showMessage(self, title: str, msg: str, *args: Any) -> None:  # type: ignore[override]
        self.messages.append((title, msg))
        super().showMessage(title, msg, *args)


@pytest.fixture
def window(
    qtbot: QtBot,
    aloop: asyncio.AbstractEventLoop,
    demo_gateway: EmbeddedGateway,
    data_dir: Path,
    request: pytest.FixtureRequest,
) -> Iterator[MainWindow]:
    """Signed in as agent2; ``indirect`` parametrisation can hand it a tray icon class."""
    session = Session(demo_gateway.url, Credentials("agent2", "agent2"), Outbox(data_dir / "ob.db"))
    tray_class = getattr(request, "param", None)
    win = MainWindow(session, Settings(), tray=tray_class() if tray_class else None)
    qtbot.addWidget(win)
    win.show()
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow, timeout=5000)
    with (
        qtbot.waitSignal(session.signedIn, timeout=20000),
        qtbot.waitSignal(session.snapshotLoaded, timeout=20000),
    ):
        session.start()
    yield win
    if win.dialog is not None:
        win.dialog.reject()
    # Leave nothing of ours open for the next test: the operators are shared (and their
    # capacity with them). The window is gone by now (pytest-qt closed it): its model is read,
    # and the gateway's answers are waited for on the session.
    ours = [
        int(conv["id"])
        for conv in win.model.conversations()
        if conv.get("operator_id") == win.model.operator_id
        and conv["state"] in ("active", "held", "wrap_up")
    ]
    answered: list[str] = []
    session.commandDone.connect(lambda name, _key, _result: answered.append(name))
    session.commandFailed.connect(lambda name, *_rest: answered.append(name))
    for conv_id in ours:
        session.wrap_up(conv_id, "information", "test over", True)
    qtbot.waitUntil(lambda: answered.count("conversation.wrap_up") >= len(ours), timeout=10000)
    run(session.stop(), qtbot)


def be_available(qtbot: QtBot, win: MainWindow) -> None:
    if win.presence.currentData() != "available":
        with qtbot.waitSignal(win.session.presenceChanged, timeout=20000):
            win.set_presence("available")


def offer_from(qtbot: QtBot, win: MainWindow, visitor: Visitor, text: str) -> dict[str, Any]:
    """The visitor writes; the offer reaches the window. Returns the conversation."""
    with qtbot.waitSignal(
        win.offerAnnounced,
        timeout=20000,
        check_params_cb=lambda _channel, name: name == visitor.name,
    ) as announced:
        visitor.say(text)
    assert announced.args == ["webchat", visitor.name]
    found: list[dict[str, Any]] = []

    def offered() -> bool:
        found[:] = [
            c
            for c in win.model.conversations()
            if win.model.customer_name(c["customer_id"]) == visitor.name
        ]
        return bool(found) and found[0]["state"] == "offered"

    qtbot.waitUntil(offered, timeout=10000)
    return found[0]


def state_of(win: MainWindow, conversation_id: int) -> str | None:
    conv = win.model.find(conversation_id)
    return None if conv is None else str(conv["state"])


def accept_with_key(qtbot: QtBot, win: MainWindow, conversation_id: int) -> None:
    cl = win.conversation_list
    qtbot.waitUntil(lambda: cl.select_conversation(conversation_id, focus=True), timeout=5000)
    view = cl.current_view()
    assert view.current_conversation()["id"] == conversation_id  # type: ignore[index]
    qtbot.keyClick(view, Qt.Key.Key_A)
    qtbot.waitUntil(lambda: state_of(win, conversation_id) == "active", timeout=10000)


# -- sign-in, presence, connection -----------------------------------------------------------------
def test_sign_in_shows_the_operator_online_and_presence_from_the_toolbar(
    qtbot: QtBot, window: MainWindow
) -> None:
    assert window.operator_label.text() == "Дмитрий Козлов"
    assert window.windowTitle() == "Дмитрий Козлов", "Qt adds the app's name itself"
    assert window.connection_text.text().startswith("Online")
    assert not window.banner.isVisible()
    assert window.findChild(QWidget, "ConversationList") is window.conversation_list
    for name in ("Feed", "Composer", "CustomerCard", "HintsPanel", "CallBar"):
        assert window.findChild(QWidget, name) is not None, name

    # Ctrl+Shift+P: the next presence; Break and after-call work show a running timer.
    session = window.session
    with qtbot.waitSignal(session.presenceChanged, timeout=20000) as first:
        qtbot.keyClick(window, Qt.Key.Key_P, CTRL_SHIFT)
    if first.args[0] != "break":
        with qtbot.waitSignal(session.presenceChanged, timeout=20000) as first:
            qtbot.keyClick(window, Qt.Key.Key_P, CTRL_SHIFT)
    assert first.args[0] == "break"
    assert window.presence.currentData() == "break"
    assert window.presence_timer_action.isVisible()
    assert window.presence_timer.text().startswith("0:0")
    with qtbot.waitSignal(session.presenceChanged, timeout=20000) as acw:
        qtbot.keyClick(window, Qt.Key.Key_P, CTRL_SHIFT)
    assert acw.args[0] == "after_call_work"
    assert window.presence.currentText() == "After-call work"
    # The combo, from the keyboard: Home is "Available".
    window.presence.setFocus()
    with qtbot.waitSignal(session.presenceChanged, timeout=20000) as avail:
        qtbot.keyClick(window.presence, Qt.Key.Key_Home)
    assert avail.args[0] == "available"
    assert not window.presence_timer_action.isVisible()

    # The connection indicator follows the session, with the outbox count.
    window._connection_changed("reconnecting", "5")
    window._outbox_changed(2)
    assert window.connection_text.text().startswith("Reconnecting in ")
    assert "2 waiting" in window.connection_text.text()
    assert window.banner.isVisible()
    assert "your replies are kept and sent when it is back" in window.banner.text()
    window._connection_changed("online", "")
    window._outbox_changed(0)
    assert window.connection_text.text() == "Online" and not window.banner.isVisible()

    # Throttled sign-in: a countdown, nothing to do; signed out: why, and a way to sign in.
    window._connection_changed("sign_in_wait", "3")
    assert window.connection_text.text() == "Waiting to sign in"
    assert window.banner.isVisible() and "again by itself in 3 s" in window.banner.text()
    assert not window.sign_in_action.isEnabled()
    window._connection_changed("auth_failed", "token_revoked")
    assert "ended by an administrator" in window.banner.text()
    assert window.sign_in_action.isEnabled()
    with qtbot.waitSignal(window.signInRequested):
        window.sign_in_action.trigger()
    window._connection_changed("auth_failed", "something_new")
    assert window.banner.text() == "Sign-in failed (something_new)."
    window._connection_changed("online", "")
    assert not window.sign_in_action.isEnabled() and not window.banner.isVisible()


# -- an offer, accepted from the keyboard; the card ---------------------------------------------
def test_a_web_chat_offer_is_selected_accepted_with_a_key_and_opens_the_card(
    qtbot: QtBot, window: MainWindow, demo_gateway: EmbeddedGateway
) -> None:
    be_available(qtbot, window)
    phone = "+7999" + str(uuid.uuid4().int)[:7]
    visitor = Visitor(qtbot, demo_gateway.url, phone=phone)
    conv = offer_from(qtbot, window, visitor, "Hello, a question about my bill")
    cl = window.conversation_list
    # Offered: on top of "My conversations", bold, selected (nothing else was open).
    assert cl.proxies[MINE].conversation_ids()[0] == conv["id"]
    qtbot.waitUntil(lambda: cl.current_conversation() is not None, timeout=5000)
    assert cl.current_conversation()["id"] == conv["id"]  # type: ignore[index]
    assert cl.current_section() == MINE
    # Only offered: the customer's card opens, but no reply can be written yet.
    composer = window.composer
    qtbot.waitUntil(lambda: composer.customer_id == conv["customer_id"], timeout=10000)  # type: ignore[attr-defined]
    assert not composer.editor.isEnabled()  # type: ignore[attr-defined]
    assert composer.hint.text() == "Accept to reply (A)"  # type: ignore[attr-defined]

    accept_with_key(qtbot, window, conv["id"])
    qtbot.waitUntil(lambda: composer.editor.isEnabled(), timeout=10000)  # type: ignore[attr-defined]
    card = window.customer_card
    qtbot.waitUntil(lambda: card.name.text() == visitor.name, timeout=10000)
    assert card.avatar.text() == initials(visitor.name) == "V" + visitor.name.split()[1][0].upper()
    kinds = {v for v, _verified in card.identity_values()}
    assert phone in kinds
    assert dict(card.identity_values())[phone] is False  # stated in the chat: claimed
    assert any("claimed" in t for t in card.identity_texts())
    assert any(t.startswith("Web chat") for t in card.identity_texts())
    assert window.model.find(conv["id"])["operator_id"] == window.model.operator_id  # type: ignore[index]
    hints_from_gateway = list(window.card.get("hints") or [])
    if hints_from_gateway:
        qtbot.waitUntil(lambda: bool(window.hints.hints()), timeout=5000)
    ARTIFACTS.mkdir(exist_ok=True)
    assert window.grab().save(str(ARTIFACTS / "main-window-offscreen.png"))

    if hints_from_gateway:  # a gateway without next-best actions sends no "hints"
        qtbot.waitUntil(lambda: bool(window.hints.hints()), timeout=5000)
        first = window.hints.hints()[0]
        assert first["hint_id"] in {h["hint_id"] for h in hints_from_gateway}
        window.hints.list.setFocus()
        with qtbot.waitSignal(
            window.session.commandDone,
            timeout=10000,
            check_params_cb=lambda name, _k, _r: name == "hint.respond",
        ) as responded:
            qtbot.keyClick(window.hints.list, Qt.Key.Key_Return)
        assert responded.args[2]["hint_id"] == first["hint_id"]
        assert responded.args[2]["outcome"] == "accepted"
        assert first["hint_id"] not in {h["hint_id"] for h in window.hints.hints()}

    # Ctrl+1 from anywhere: the first of my conversations.
    window.search.setFocus()
    qtbot.keyClick(window, Qt.Key.Key_1, CTRL)
    assert cl.current_section() == MINE and cl.current_view().hasFocus()
    assert cl.current_conversation()["id"] == cl.proxies[MINE].conversation_ids()[0]  # type: ignore[index]
    cl.select_conversation(conv["id"], focus=True)

    # End the conversation: it goes to wrap-up (and the fixture wraps it up).
    with qtbot.waitSignal(window.session.localQueued, timeout=5000) as ended:
        qtbot.keyClick(window, Qt.Key.Key_E, CTRL)
    assert ended.args[0] == "conversation.end"
    qtbot.waitUntil(lambda: state_of(window, conv["id"]) == "wrap_up", timeout=10000)
    visitor.leave()


def test_decline_with_a_key(
    qtbot: QtBot, window: MainWindow, demo_gateway: EmbeddedGateway
) -> None:
    be_available(qtbot, window)
    visitor = Visitor(qtbot, demo_gateway.url)
    conv = offer_from(qtbot, window, visitor, "Anyone there?")
    view = window.conversation_list.views[MINE]
    window.conversation_list.select_conversation(conv["id"], focus=True)
    with qtbot.waitSignal(window.session.localQueued, timeout=5000) as declined:
        qtbot.keyClick(view, Qt.Key.Key_D)
    assert declined.args[0] == "conversation.decline"
    assert declined.args[2] == {"conversation_id": conv["id"]}
    # Back in the queue (and, with nobody else online, offered again): no longer ours to keep.
    qtbot.waitUntil(
        lambda: (
            window.model.find(conv["id"]) is None
            or window.model.find(conv["id"])["version"] > conv["version"]
        ),  # type: ignore[index]
        timeout=10000,
    )
    visitor.leave()
    qtbot.waitUntil(lambda: window.model.find(conv["id"]) is None, timeout=10000)


def test_a_break_the_gateway_forced_after_missed_offers_is_explained(
    qtbot: QtBot, window: MainWindow
) -> None:
    since = datetime.now(UTC).isoformat()
    # The gateway's presence.changed frame, as the session hands it on.
    window.session._presence({"presence": "break", "since": since, "reason": "missed_offers"})
    assert window.presence.currentData() == "break"
    assert "put on a break" in window.statusBar().currentMessage()
    window.statusBar().clearMessage()
    window.session._presence({"presence": "available", "since": since})
    assert window.statusBar().currentMessage() == "", "an ordinary change says nothing"


@pytest.mark.parametrize("theme", themes.THEMES)
def test_every_text_of_the_working_window_is_readable_in_both_themes(
    qtbot: QtBot, window: MainWindow, demo_gateway: EmbeddedGateway, qapp: QApplication, theme: str
) -> None:
    """WCAG AA (4.5:1) for every text the operator sees, measured on the rendered pixels of the
    real window: lists, their headers, the menu bar, buttons, the card, the hints, the composer."""
    be_available(qtbot, window)
    visitor = Visitor(qtbot, demo_gateway.url)
    conv = offer_from(qtbot, window, visitor, "Is my order on its way?")
    accept_with_key(qtbot, window, conv["id"])
    qtbot.waitUntil(lambda: window.customer_card.name.text() == visitor.name, timeout=10000)
    window.resize(1280, 800)
    try:
        apply_theme(qapp, theme)
        qtbot.wait(50)  # the new style reaches every widget with the next paint
        image = window.grab().toImage()
        ARTIFACTS.mkdir(exist_ok=True)
        image.save(str(ARTIFACTS / f"contrast-{theme}.png"))
        places = text_places(window)
        assert len(places) > 30, "the measure looked at the window's texts"
        assert unreadable(window, image) == []
    finally:
        qapp.setStyleSheet("")
        qapp.setPalette(qapp.style().standardPalette())
        visitor.leave()


def test_quit_asks_while_a_conversation_is_open_and_help_opens_the_web_chat(
    qtbot: QtBot, window: MainWindow, demo_gateway: EmbeddedGateway
) -> None:
    be_available(qtbot, window)
    visitor = Visitor(qtbot, demo_gateway.url)
    conv = offer_from(qtbot, window, visitor, "Are you there?")
    accept_with_key(qtbot, window, conv["id"])
    assert window.open_work() == (1, 0)
    window.close()
    box = window.dialog
    assert isinstance(box, QMessageBox) and box.objectName() == "ConfirmLeaving"
    assert "Open conversations: 1." in box.text()
    assert window.isVisible(), "nothing closed yet"
    stay = next(b for b in box.buttons() if box.buttonRole(b) == QMessageBox.ButtonRole.RejectRole)
    qtbot.mouseClick(stay, Qt.MouseButton.LeftButton)
    assert window.isVisible() and window.dialog is None
    # Sign out asks the same way, and goes only when confirmed.
    with qtbot.assertNotEmitted(window.signOutRequested):
        window.sign_out_action.trigger()
        assert isinstance(window.dialog, QMessageBox)
        window.dialog.reject()
    # The demo's chat page, from Help.
    assert not window.web_chat_action.isVisible()
    window.set_web_chat_url(demo_gateway.chat_page_url)
    assert window.web_chat_action.isVisible()
    assert window.web_chat_action.toolTip().endswith("/chat/")
    # F1 lists the templates' keys too.
    rows = dict(window.shortcuts())
    templates = window.settings.value("composer.templates")
    for template in templates:
        key = QKeySequence.fromString(template["hotkey"]).toString(
            QKeySequence.SequenceFormat.NativeText
        )
        assert rows[key] == f"Template: {template['name']}"
    visitor.leave()


@pytest.fixture
def russian(qapp: QApplication) -> Iterator[None]:
    """The interface in Russian for the window made after it."""
    i18n.install_translator(qapp, "ru")
    yield
    i18n.install_translator(qapp, "en")


def test_nothing_stays_in_english_in_the_russian_interface(
    qtbot: QtBot, russian: None, window: MainWindow, demo_gateway: EmbeddedGateway
) -> None:
    """Every window and dialog of the desk, walked widget by widget in Russian: no English
    source string shown as is, no English word outside the names kept in Latin letters."""
    sources = english_sources(i18n.translations_dir() / "omnidesk_ru.ts")
    be_available(qtbot, window)
    visitor = Visitor(qtbot, demo_gateway.url, name=f"Олег {uuid.uuid4().int % 10000:04d}")
    conv = offer_from(qtbot, window, visitor, "Здравствуйте")
    accept_with_key(qtbot, window, conv["id"])
    qtbot.waitUntil(lambda: window.customer_card.name.text() == visitor.name, timeout=10000)
    found = {"main window": untranslated(window, sources)}
    # Each dialog the operator can open, as they open it.
    for name, key in (
        ("transfer", (Qt.Key.Key_T, CTRL)),
        ("wrap-up", (Qt.Key.Key_W, CTRL)),
        ("note", (Qt.Key.Key_N, CTRL)),
        ("shortcuts", (Qt.Key.Key_F1, Qt.KeyboardModifier.NoModifier)),
        ("settings", (Qt.Key.Key_Comma, CTRL)),
        ("tags", (Qt.Key.Key_G, CTRL_SHIFT)),
        ("snooze", (Qt.Key.Key_S, CTRL_SHIFT)),
    ):
        qtbot.keyClick(window, key[0], key[1])
        qtbot.waitUntil(lambda: window.dialog is not None, timeout=5000)
        dialog = window.dialog
        assert dialog is not None
        found[name] = untranslated(dialog, sources)
        dialog.reject()
        qtbot.waitUntil(lambda: window.dialog is None, timeout=5000)
    window.canned_action.trigger()
    found["canned responses"] = untranslated(window.dialog, sources)
    qtbot.mouseClick(window.dialog.new_button, Qt.MouseButton.LeftButton)  # type: ignore[union-attr]
    found["canned response"] = untranslated(window.dialog.editor, sources)  # type: ignore[union-attr]
    window.dialog.editor.reject()  # type: ignore[union-attr]
    window.dialog.reject()
    qtbot.waitUntil(lambda: window.dialog is None, timeout=5000)
    window.close()  # a conversation is open: asked first
    assert isinstance(window.dialog, QMessageBox)
    found["quit"] = untranslated(window.dialog, sources)
    window.dialog.reject()
    # A demo customer with history: open touchpoints, purchases, a CSAT.
    from sqlalchemy import create_engine, func, select

    from services.store.tables import conversations, customers, touchpoints

    eng = create_engine(demo_gateway.config.url)
    with eng.connect() as c:
        busy = select(conversations.c.customer_id).where(
            conversations.c.state.in_(["offered", "active", "held", "wrap_up"])
        )
        rich = c.execute(
            select(touchpoints.c.customer_id)
            .join(customers, customers.c.id == touchpoints.c.customer_id)
            .where(touchpoints.c.status != "closed", touchpoints.c.customer_id.not_in(busy))
            .group_by(touchpoints.c.customer_id)
            .order_by(func.count().desc())
            .limit(1)
        ).scalar_one()
    eng.dispose()
    with qtbot.waitSignal(window.session.customerOpened, timeout=20000):
        window.open_found_customer(int(rich))
    qtbot.waitUntil(lambda: window.customer_card.customer_id() == rich, timeout=10000)
    qtbot.wait(300)
    assert window.customer_card.customer_id() == rich
    found["customer with history"] = untranslated(window, sources)
    window.grab().save(str(ARTIFACTS / "russian-card.png"))
    # The card's own buttons fit the card, whole, in the longer Russian texts.
    card_widget = window.customer_card
    for button in (
        card_widget.edit_button,
        card_widget.write_button,
        card_widget.log_button,
        card_widget.merge_button,
    ):
        right = button.mapTo(card_widget, button.rect().topRight()).x()
        assert right <= card_widget.width(), f"{button.text()!r} runs out of the card"
        assert button.width() >= button.sizeHint().width(), f"{button.text()!r} is cut short"
    # The card's own dialogs: edit, write first, log a visit, an order.
    card = window.customer_card
    for name, key in (
        ("edit customer", Qt.Key.Key_E),
        ("write first", Qt.Key.Key_N),
        ("log a visit or call", Qt.Key.Key_L),
        ("merge with", Qt.Key.Key_M),
    ):
        qtbot.keyClick(window, key, CTRL_SHIFT)
        qtbot.waitUntil(lambda: card.dialog is not None and card.dialog.isVisible(), timeout=10000)
        found[name] = untranslated(card.dialog, sources)
        card.dialog.reject()
        qtbot.waitUntil(lambda: card.dialog is None or not card.dialog.isVisible(), timeout=5000)
    if card.purchases.topLevelItemCount():
        card.purchases.setFocus()
        card.purchases.setCurrentItem(card.purchases.topLevelItem(0))
        qtbot.keyClick(card.purchases, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: card.dialog is not None and card.dialog.isVisible(), timeout=10000)
        qtbot.wait(300)  # the order's details arrive
        found["order"] = untranslated(card.dialog, sources)
        card.dialog.grab().save(str(ARTIFACTS / "russian-order.png"))
        card.dialog.reject()

    sign_in = ConnectDialog(window.settings, url=demo_gateway.url, username="agent2")
    qtbot.addWidget(sign_in)
    found["sign-in"] = untranslated(sign_in, sources)
    left = [f"{where}: {text}" for where, texts in found.items() for text in texts]
    assert left == [], "\n".join(left)
    visitor.leave()


# -- transfer and wrap-up through the dialogs ---------------------------------------------------
def test_transfer_to_a_queue_with_a_note_then_wrap_up(
    qtbot: QtBot, window: MainWindow, demo_gateway: EmbeddedGateway
) -> None:
    be_available(qtbot, window)
    visitor = Visitor(qtbot, demo_gateway.url)
    conv = offer_from(qtbot, window, visitor, "I need billing help")
    accept_with_key(qtbot, window, conv["id"])

    # Ctrl+T: the dialog lists the snapshot's queues; type to pick one, Tab to the note, Enter.
    qtbot.keyClick(window, Qt.Key.Key_T, CTRL)
    dialog = window.dialog
    assert isinstance(dialog, TransferDialog)
    # Queues by their display names (the codes stay for the gateway).
    queue_names = [dialog.queues.item(i).text() for i in range(dialog.queues.count())]
    assert {"General questions", "Sales", "Billing"} <= set(queue_names)
    qtbot.waitUntil(dialog.queues.hasFocus, timeout=5000)
    qtbot.keyClicks(dialog.queues, "general")
    assert dialog.queues.currentItem().text() == "General questions"  # type: ignore[union-attr]
    qtbot.keyClick(dialog.queues, Qt.Key.Key_Tab)
    assert dialog.note.hasFocus()
    qtbot.keyClicks(dialog.note, "Wants a refund of invoice 42")
    with qtbot.waitSignal(
        window.session.localQueued,
        timeout=5000,
        check_params_cb=lambda name, _k, _a: name == "conversation.transfer",
    ) as sent:
        qtbot.keyClick(dialog.note, Qt.Key.Key_Return)
    assert sent.args[2] == {
        "conversation_id": conv["id"],
        "note": "Wants a refund of invoice 42",
        "to_queue": "general",
    }
    assert window.dialog is None
    # Queued again; with nobody else online the gateway offers it back to us.
    qtbot.waitUntil(
        lambda: (
            state_of(window, conv["id"]) in ("queued", "offered")
            and window.model.find(conv["id"])["version"] > conv["version"] + 1
        ),  # type: ignore[index]
        timeout=10000,
    )

    # Take it again (from whichever tab it is in) and wrap it up with Ctrl+W.
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)  # the dialog has gone
    accept_with_key(qtbot, window, conv["id"])
    assert window.conversation_list.current_section() == MINE
    qtbot.keyClick(window, Qt.Key.Key_W, CTRL)
    wrap = window.dialog
    assert isinstance(wrap, WrapUpDialog)
    qtbot.waitUntil(wrap.disposition.hasFocus, timeout=5000)
    qtbot.keyClick(wrap.disposition, Qt.Key.Key_End)  # the last one: "spam"
    qtbot.keyClick(wrap.disposition, Qt.Key.Key_Up)  # "wrong_number"
    qtbot.keyClick(wrap.disposition, Qt.Key.Key_Up)  # "escalated"
    assert wrap.disposition.currentData() == "escalated"
    qtbot.keyClick(wrap.disposition, Qt.Key.Key_Tab)
    assert wrap.resolution.hasFocus()
    qtbot.keyClicks(wrap.resolution, "Passed to the billing team")
    qtbot.keyClick(wrap.resolution, Qt.Key.Key_Tab)
    assert wrap.resolved.hasFocus()
    qtbot.keyClick(wrap.resolved, Qt.Key.Key_Space)  # not resolved yet
    with qtbot.waitSignal(
        window.session.localQueued,
        timeout=5000,
        check_params_cb=lambda name, _k, _a: name == "conversation.wrap_up",
    ) as wrapped:
        qtbot.keyClick(wrap.resolved, Qt.Key.Key_Return, CTRL)
    assert wrapped.args[2] == {
        "conversation_id": conv["id"],
        "disposition": "escalated",
        "resolution": "Passed to the billing team",
        "resolved": False,
    }
    # Closed: it leaves the list.
    qtbot.waitUntil(lambda: window.model.find(conv["id"]) is None, timeout=10000)
    visitor.leave()


def test_hold_resume_and_a_note_from_the_keyboard(
    qtbot: QtBot, window: MainWindow, demo_gateway: EmbeddedGateway
) -> None:
    be_available(qtbot, window)
    visitor = Visitor(qtbot, demo_gateway.url)
    conv = offer_from(qtbot, window, visitor, "Question about delivery")
    accept_with_key(qtbot, window, conv["id"])
    qtbot.waitUntil(lambda: window.customer_card.name.text() == visitor.name, timeout=10000)
    # Ctrl+H holds, and again resumes.
    qtbot.keyClick(window, Qt.Key.Key_H, CTRL)
    qtbot.waitUntil(lambda: state_of(window, conv["id"]) == "held", timeout=10000)
    assert window.conversation_list.current_conversation()["state"] == "held"  # type: ignore[index]
    qtbot.keyClick(window, Qt.Key.Key_H, CTRL)
    qtbot.waitUntil(lambda: state_of(window, conv["id"]) == "active", timeout=10000)
    qtbot.keyClick(window, Qt.Key.Key_N, CTRL)
    note = window.dialog
    assert isinstance(note, NoteDialog)
    qtbot.waitUntil(note.text.hasFocus, timeout=5000)  # shown and active: its shortcuts work
    ok = note.buttons.button(note.buttons.StandardButton.Ok)
    assert not ok.isEnabled()  # nothing typed yet
    qtbot.keyClicks(note.text, "Prefers a call after 6 pm")
    assert ok.isEnabled()
    with qtbot.waitSignal(
        window.session.commandDone,
        timeout=10000,
        check_params_cb=lambda name, _k, _r: name == "note.add",
    ):
        qtbot.keyClick(note.text, Qt.Key.Key_Return, CTRL)
    visitor.leave()


# -- hints ----------------------------------------------------------------------------------------
HINTS = [
    {
        "hint_id": "h-low",
        "action": "offer",
        "title": "Offer the family plan",
        "text": "",
        "reason": "Three lines on one account",
        "score": 0.2,
    },
    {
        "hint_id": "h-top",
        "action": "reply",
        "title": "Confirm the delivery date",
        "text": "Your order arrives tomorrow between 10 and 14.",
        "reason": "Order shipped yesterday",
        "score": 0.9,
    },
    {
        "hint_id": "h-mid",
        "action": "callback",
        "title": "Offer a callback",
        "text": "",
        "reason": "Two calls dropped this week",
        "score": 0.5,
    },
]


def test_hints_accept_and_dismiss_with_one_key_each(qtbot: QtBot, window: MainWindow) -> None:
    panel = window.hints
    session = window.session
    panel.set_hints(101, HINTS)
    assert [h["hint_id"] for h in panel.hints()] == ["h-top", "h-mid", "h-low"]  # best first
    assert (
        panel.list.item(0)
        .data(Qt.ItemDataRole.AccessibleTextRole)
        .endswith("Why: Order shipped yesterday")
    )
    panel.list.setFocus()

    calls: list[tuple[str, dict[str, Any]]] = []
    session.localQueued.connect(lambda name, _key, args: calls.append((name, args)))
    used: list[str] = []
    panel.useText.connect(used.append)

    # Enter on the focused hint accepts it; its text is offered to the composer.
    qtbot.keyClick(panel.list, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: len(calls) == 1, timeout=5000)
    assert calls[0] == (
        "hint.respond",
        {"hint_id": "h-top", "outcome": "accepted", "customer_id": 101},
    )
    assert used == ["Your order arrives tomorrow between 10 and 14."]
    assert [h["hint_id"] for h in panel.hints()] == ["h-mid", "h-low"]
    assert panel.list.hasFocus()

    # Delete dismisses the focused one.
    qtbot.keyClick(panel.list, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: len(calls) == 2, timeout=5000)
    assert calls[1][1] == {"hint_id": "h-mid", "outcome": "dismissed", "customer_id": 101}

    # Ctrl+Shift+D / Ctrl+Shift+A work from anywhere in the window.
    panel.set_hints(101, HINTS)
    window.search.setFocus()
    qtbot.keyClick(window, Qt.Key.Key_D, CTRL_SHIFT)
    qtbot.waitUntil(lambda: len(calls) == 3, timeout=5000)
    assert calls[2][1]["outcome"] == "dismissed" and calls[2][1]["hint_id"] == "h-top"
    qtbot.keyClick(window, Qt.Key.Key_A, CTRL_SHIFT)
    qtbot.waitUntil(lambda: len(calls) == 4, timeout=5000)
    assert calls[3][1] == {"hint_id": "h-mid", "outcome": "accepted", "customer_id": 101}
    assert len(used) == 1  # no text, nothing offered
    assert [h["hint_id"] for h in panel.hints()] == ["h-low"]
    assert panel.accept_button.isEnabled()
    qtbot.keyClick(window, Qt.Key.Key_D, CTRL_SHIFT)
    qtbot.waitUntil(lambda: len(calls) == 5, timeout=5000)
    assert panel.hints() == [] and not panel.accept_button.isEnabled()
    assert panel.empty.isVisibleTo(panel)
    # Empty, the title stays at the top with the note right under it (it floated mid-panel).
    qtbot.waitUntil(lambda: panel.empty.isVisible(), timeout=2000)
    assert panel.height() > 150
    assert panel.title.height() <= panel.title.sizeHint().height() + 4, "no room to float in"
    assert panel.empty.geometry().top() - panel.title.geometry().bottom() <= 12
    # The gateway may not know hint.respond yet: a refusal is only a status message.
    qtbot.waitUntil(lambda: session.outbox.count_pending() == 0, timeout=10000)


def test_hints_from_the_session_for_the_open_customer_only(
    qtbot: QtBot, window: MainWindow
) -> None:
    window.customer_card.show_card({"customer": {"id": 5, "name": "A B", "segment": "vip"}})
    window.session.hintsChanged.emit(6, HINTS)  # another customer's
    assert window.hints.hints() == []
    window.session.hintsChanged.emit(5, HINTS[:1])
    assert [h["hint_id"] for h in window.hints.hints()] == ["h-low"]


# -- search ---------------------------------------------------------------------------------------
def test_ctrl_k_search_by_phone_finds_a_demo_customer_and_opens_the_card(
    qtbot: QtBot, window: MainWindow, demo_gateway: EmbeddedGateway
) -> None:
    from sqlalchemy import create_engine, select

    from services.store.tables import conversations, customers, identities

    eng = create_engine(demo_gateway.config.url)
    with eng.connect() as c:
        # A customer nobody is serving now (others' customers are not searchable).
        busy = select(conversations.c.customer_id).where(
            conversations.c.state.in_(["offered", "active", "held", "wrap_up"])
        )
        row = c.execute(
            select(identities.c.value, customers.c.display_name, customers.c.id)
            .join(customers, customers.c.id == identities.c.customer_id)
            .where(identities.c.kind == "phone", customers.c.id.not_in(busy))
            .order_by(customers.c.id)
            .limit(1)
        ).one()
    eng.dispose()

    window.conversation_list.setFocus()
    qtbot.keyClick(window, Qt.Key.Key_K, CTRL)
    assert window.search.hasFocus()
    qtbot.keyClicks(window.search, row.value)  # digits and "+": plain keys
    with qtbot.waitSignal(window.session.searchResults, timeout=20000):
        qtbot.keyClick(window.search, Qt.Key.Key_Return)
    popup = window.search_popup
    qtbot.waitUntil(popup.isVisible, timeout=5000)
    assert row.id in popup.chosen_ids()
    popup.list.setCurrentRow(popup.chosen_ids().index(row.id))
    assert row.value in popup.list.currentItem().text()  # type: ignore[union-attr]
    with qtbot.waitSignal(window.session.customerOpened, timeout=20000):
        qtbot.keyClick(popup.list, Qt.Key.Key_Return)
    assert not popup.isVisible()
    card = window.customer_card
    qtbot.waitUntil(lambda: card.name.text() == row.display_name, timeout=10000)
    assert row.value in dict(card.identity_values())
    assert card.purchase_rows() or card.products.text() == ""


def test_search_runs_as_you_type_and_selects_no_unrelated_row(
    qtbot: QtBot, window: MainWindow, demo_gateway: EmbeddedGateway
) -> None:
    # An active conversation is current in the list.
    be_available(qtbot, window)
    visitor = Visitor(qtbot, demo_gateway.url)
    conv = offer_from(qtbot, window, visitor, "Hello there")
    accept_with_key(qtbot, window, conv["id"])
    cl = window.conversation_list
    assert cl.current_conversation()["id"] == conv["id"]  # type: ignore[index]
    # Typing part of the demo's e-mail addresses: the results come without Enter, and the field
    # keeps the focus.
    qtbot.keyClick(window, Qt.Key.Key_K, CTRL)
    with qtbot.waitSignal(window.session.searchResults, timeout=20000):
        qtbot.keyClicks(window.search, "mail")
    popup = window.search_popup
    qtbot.waitUntil(popup.isVisible, timeout=5000)
    assert window.search.hasFocus(), "still typing"
    rows = popup.count()
    assert popup.height() >= min(rows, 8) * popup.list.sizeHintForRow(0), "every row shows"
    qtbot.keyClick(window.search, Qt.Key.Key_Down)
    assert popup.list.hasFocus()
    chosen = popup.chosen_ids()[popup.list.currentRow()]
    with qtbot.waitSignal(window.session.customerOpened, timeout=20000):
        qtbot.keyClick(popup.list, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.customer_card.customer_id() == chosen, timeout=10000)
    qtbot.wait(300)  # anything that would reopen another customer has had its chance
    assert window.customer_card.customer_id() == chosen
    # The list does not claim the unrelated conversation is the one open.
    current = cl.current_conversation()
    assert current is None or int(current["customer_id"]) == chosen
    visitor.leave()


def test_a_customer_known_by_phone_alone_can_be_answered_on_whatsapp_or_sms(
    qtbot: QtBot,
    window: MainWindow,
    demo_gateway: EmbeddedGateway,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Driven as the end-to-end runs drive the app (--automation): search, choose, look.
    from sqlalchemy import create_engine, select

    from omnidesk_qt.automation import Automation
    from services.store.tables import conversations, customers, identities

    eng = create_engine(demo_gateway.config.url)
    with eng.connect() as c:
        busy = select(conversations.c.customer_id).where(
            conversations.c.state.in_(["offered", "active", "held", "wrap_up"])
        )
        on_whatsapp = select(identities.c.customer_id).where(identities.c.kind == "whatsapp")
        row = c.execute(
            select(identities.c.value, customers.c.id)
            .join(customers, customers.c.id == identities.c.customer_id)
            .where(
                identities.c.kind == "phone",
                customers.c.id.not_in(busy),
                customers.c.id.not_in(on_whatsapp),
            )
            .order_by(customers.c.id)
            .limit(1)
        ).one()
    eng.dispose()

    caplog.set_level("INFO", logger="omnidesk.automation")
    automation = Automation(window, window.session)
    with qtbot.waitSignal(window.session.searchResults, timeout=20000):
        automation.handle(json.dumps({"do": "find_customer", "query": row.value}))
    qtbot.waitUntil(window.search_popup.isVisible, timeout=5000)
    with qtbot.waitSignal(window.session.customerOpened, timeout=20000):
        automation.handle(json.dumps({"do": "open_customer", "customer_id": row.id}))
    assert not window.search_popup.isVisible()
    composer = window.composer
    qtbot.waitUntil(lambda: getattr(composer, "customer_id", None) == row.id, timeout=5000)
    automation.handle(json.dumps({"do": "reply_channels"}))
    said = [r for r in caplog.records if r.getMessage() == "reply channels"]
    assert said
    data = vars(said[-1])["data"]  # the record's JSON fields
    offered = dict(zip(data["channels"], data["texts"], strict=True))
    assert row.value in offered["whatsapp"] and row.value in offered["sms"]
    assert [r for r in caplog.records if r.getMessage() == "automation error"] == []


def test_ctrl_k_wins_over_the_text_fields_own_binding(qtbot: QtBot, window: MainWindow) -> None:
    window.search.setFocus()
    qtbot.keyClicks(window.search, "+7916")
    window.search.setCursorPosition(2)
    qtbot.keyClick(window.search, Qt.Key.Key_K, CTRL)  # on Linux: "delete to the end of line"
    assert window.search.text() == "+7916"
    assert window.search.hasFocus() and window.search.selectedText() == "+7916"


def inside(w: QWidget | None, part: QWidget) -> bool:
    """``w`` is ``part`` or in it, also across popup windows (a combo box's list)."""
    while w is not None:
        if w is part:
            return True
        w = w.parentWidget()
    return False


def nameless_controls(top: QWidget, skip: tuple[QWidget, ...] = ()) -> list[str]:
    """Focusable widgets a screen reader could not name (static labels and Qt's own parts of a
    control aside; ``skip``: parts other tests own)."""
    from PySide6.QtWidgets import QAbstractButton, QLabel, QScrollBar, QTabBar

    out = []
    for w in top.findChildren(QWidget):
        if isinstance(w, QLabel | QScrollBar | QTabBar) or w.objectName().startswith("qt_"):
            continue
        if any(inside(w, part) for part in skip):
            continue
        if w.focusPolicy() == Qt.FocusPolicy.NoFocus:
            continue
        text = w.text() if isinstance(w, QAbstractButton) else ""
        if not (w.accessibleName() or text):
            out.append(f"{type(w).__name__} {w.objectName()!r}")
    return out


def test_every_control_has_an_accessible_name(qtbot: QtBot, window: MainWindow) -> None:
    # The feed and the composer are tested with their own modules.
    assert nameless_controls(window, skip=(window.feed, window.composer)) == []
    dialogs = [
        TransferDialog([{"id": 1, "name": "A", "presence": "available"}], [{"id": 1, "name": "q"}]),
        WrapUpDialog(window),
        NoteDialog(window),
        ShortcutsDialog(window.shortcuts(), window),
        ConnectDialog(window.settings, window),
        SettingsDialog(window.settings, window),
    ]
    for dialog in dialogs:
        qtbot.addWidget(dialog)
        assert nameless_controls(dialog) == [], type(dialog).__name__
        assert dialog.accessibleName() and dialog.windowTitle()


def test_a_failed_command_is_a_human_status_message(qtbot: QtBot, window: MainWindow) -> None:
    window.session.commandFailed.emit("conversation.accept", "conflict", "taken", "k-1")
    assert window.statusBar().currentMessage().startswith("Accept: Someone else acted")
    window.session.commandFailed.emit("customer.search", "invalid_args", "type at least two", "")
    assert window.statusBar().currentMessage() == (
        "Search: The gateway refused it: type at least two"
    )


def test_f1_lists_every_shortcut(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.keyClick(window, Qt.Key.Key_F1)
    dialog = window.dialog
    assert isinstance(dialog, ShortcutsDialog)
    keys = [k for k, _what in dialog.rows()]
    for expected in ("Ctrl+T", "Ctrl+W", "Ctrl+N", "Ctrl+H", "Ctrl+K", "Ctrl+Shift+P", "F1", "A"):
        assert expected in keys, expected
    assert all(what for _k, what in dialog.rows())
    qtbot.keyClick(dialog.table, Qt.Key.Key_Escape)
    assert window.dialog is None


def test_ctrl_comma_opens_the_settings_and_a_new_theme_applies(
    qtbot: QtBot, window: MainWindow
) -> None:
    qtbot.keyClick(window, Qt.Key.Key_Comma, CTRL)
    dialog = window.dialog
    assert isinstance(dialog, SettingsDialog)
    theme = dialog.editors["ui.theme"]
    assert isinstance(theme, QComboBox)
    theme.setCurrentIndex(theme.findData("dark"))
    with qtbot.waitSignal(window.settings.changed, timeout=2000) as changed:
        qtbot.keyClick(dialog, Qt.Key.Key_Return)
    assert changed.args == ["ui.theme", "dark"]
    assert window.dialog is None
    assert window.settings.value("ui.theme") == "dark"


def test_pane_sizes_are_kept_for_the_next_start(
    qtbot: QtBot, aloop: asyncio.AbstractEventLoop, data_dir: Path
) -> None:
    def open_window() -> MainWindow:
        session = Session("ws://127.0.0.1:9", Credentials("a", "b"), Outbox(data_dir / "ob.db"))
        win = MainWindow(session, Settings())
        qtbot.addWidget(win)
        win.resize(1280, 800)
        win.show()
        qtbot.waitExposed(win)
        return win

    first = open_window()
    default = first.main_split.sizes()
    first.main_split.setSizes([default[0] + 120, default[1] - 120, default[2]])
    chosen = first.main_split.sizes()
    assert chosen != default
    first.close()
    assert Settings().value("ui.splitter_sizes")["main"] == chosen

    second = open_window()
    assert second.main_split.sizes() == chosen
    second.close()


@pytest.mark.qt_log_ignore("systemTrayWindowChanged")  # the offscreen platform has no tray
@pytest.mark.parametrize("window", [RecordingTray], indirect=True)
def test_the_tray_counts_unread_and_notifies_offers_while_the_operator_is_elsewhere(
    qtbot: QtBot, window: MainWindow, demo_gateway: EmbeddedGateway
) -> None:
    tray = window._tray
    assert isinstance(tray, RecordingTray)
    plain = icon(APP).pixmap(QSize(32, 32)).toImage()
    assert tray.icon().pixmap(QSize(32, 32)).toImage() == plain
    be_available(qtbot, window)
    elsewhere = QWidget()  # the operator is in another application
    qtbot.addWidget(elsewhere)
    elsewhere.show()
    elsewhere.activateWindow()
    qtbot.waitUntil(lambda: not window.isActiveWindow(), timeout=5000)

    window.settings.set("notifications.desktop", False)
    first = Visitor(qtbot, demo_gateway.url)
    conv = offer_from(qtbot, window, first, "Добрый день, вопрос по доставке")
    assert tray.messages == []  # turned off: no pop-up, but the count and the badge
    assert tray.toolTip() == "OmniDesk — 1 unread"
    assert tray.icon().pixmap(QSize(32, 32)).toImage() != plain
    first.leave()
    qtbot.waitUntil(lambda: window.model.find(int(conv["id"])) is None, timeout=10000)
    assert tray.toolTip() == "OmniDesk"

    window.settings.set("notifications.desktop", True)
    second = Visitor(qtbot, demo_gateway.url)
    conv = offer_from(qtbot, window, second, "И ещё вопрос")
    assert tray.messages == [("New conversation", f"{second.name} — Web chat")]
    assert tray.toolTip() == "OmniDesk — 1 unread"

    # Back in the window: the offer it opened meanwhile now counts as seen.
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    assert window.current_id == conv["id"]
    qtbot.waitUntil(lambda: tray.toolTip() == "OmniDesk", timeout=5000)
    assert tray.icon().pixmap(QSize(32, 32)).toImage() == plain
    second.leave()
    qtbot.waitUntil(lambda: window.model.find(int(conv["id"])) is None, timeout=10000)


def test_the_queue_tab_is_live(
    qtbot: QtBot, window: MainWindow, demo_gateway: EmbeddedGateway
) -> None:
    """A chat that waits appears in the Queue tab as it arrives, with the customer's name, and
    leaves it when a colleague is offered it; no snapshot in between."""
    with qtbot.waitSignal(window.session.presenceChanged, timeout=20000):
        window.set_presence("break")
    queue = window.conversation_list.proxies[QUEUE]
    visitor = Visitor(qtbot, demo_gateway.url)

    def waiting() -> list[dict[str, Any]]:
        return [
            c
            for r in range(queue.rowCount())
            if (c := queue.conversation_at(r)) is not None
            and window.model.customer_name(c["customer_id"]) == visitor.name
        ]

    visitor.say("Есть кто живой?")
    qtbot.waitUntil(lambda: bool(waiting()), timeout=10000)
    conv_id = int(waiting()[0]["id"])
    assert waiting()[0]["state"] == "queued"

    colleague = run(OpClient.connect(demo_gateway.url, "agent", "agent"), qtbot)
    run(colleague.ok("presence.set", {"status": "available"}), qtbot)
    qtbot.waitUntil(lambda: not waiting(), timeout=10000)
    assert window.model.find(conv_id) is None  # offered to someone else: not ours to show
    visitor.leave()
    run(colleague.ok("presence.set", {"status": "break"}), qtbot)
    run(colleague.close(), qtbot)


# -- widgets on their own -------------------------------------------------------------------------
def test_call_bar_buttons_follow_the_call_state(qtbot: QtBot, qapp: QApplication) -> None:
    bar = CallBar(operator_id=7)
    qtbot.addWidget(bar)
    call = {
        "id": 9,
        "customer_id": 3,
        "channel": "voice",
        "state": "offered",
        "offered_to": 7,
        "operator_id": None,
        "queued_at": "2026-01-01T10:00:00+00:00",
    }
    bar.track({**call, "channel": "webchat"})
    assert not bar.isVisibleTo(bar.parentWidget() or bar) and bar.conversation is None
    bar.set_customer_name(3, "Иван Петров")
    bar.track(call)
    assert bar.conversation is not None and bar.who.text() == "Иван Петров"
    assert bar.answer_button.isEnabled() and not bar.hold_button.isEnabled()
    assert bar.decline_button.isEnabled()
    with qtbot.waitSignal(bar.declineRequested) as declined:
        qtbot.mouseClick(bar.decline_button, Qt.MouseButton.LeftButton)
    assert declined.args == [9]
    assert not bar.hangup_button.isEnabled() and not bar.transfer_button.isEnabled()
    with qtbot.waitSignal(bar.answerRequested) as answered:
        qtbot.mouseClick(bar.answer_button, Qt.MouseButton.LeftButton)
    assert answered.args == [9]

    bar.track({**call, "state": "active", "offered_to": None, "operator_id": 7})
    assert bar.elapsed_s() < 5  # the talk time starts at the answer
    assert not bar.answer_button.isVisibleTo(bar) and bar.hold_button.text() == "Hold"
    assert not bar.decline_button.isVisibleTo(bar)
    assert bar.hangup_button.isEnabled() and bar.transfer_button.isEnabled()
    with qtbot.waitSignal(bar.holdRequested) as held:
        qtbot.mouseClick(bar.hold_button, Qt.MouseButton.LeftButton)
    assert held.args == [9]
    bar.track({**call, "state": "held", "offered_to": None, "operator_id": 7})
    assert bar.hold_button.text() == "Resume"
    with qtbot.waitSignal(bar.resumeRequested):
        qtbot.mouseClick(bar.hold_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(bar.hangupRequested):
        qtbot.mouseClick(bar.hangup_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(bar.transferRequested):
        qtbot.mouseClick(bar.transfer_button, Qt.MouseButton.LeftButton)
    bar.track({**call, "state": "wrap_up", "offered_to": None, "operator_id": 7})
    assert bar.conversation is None and not bar.isVisible()
    # Someone else's call is not shown.
    bar.track({**call, "offered_to": 8})
    assert bar.conversation is None


def test_customer_card_shows_everything_of_the_card(qtbot: QtBot, qapp: QApplication) -> None:
    card = CustomerCard()
    qtbot.addWidget(card)
    card.show_card(
        {
            "customer": {"id": 4, "name": "<b>Анна</b> Петрова", "segment": "vip", "last_csat": 4},
            "identities": [
                {"kind": "phone", "value": "+79161234567", "verified": True, "claimed": False},
                {"kind": "email", "value": "anna@example.com", "verified": False, "claimed": True},
                {"kind": "telegram", "value": "anna_p", "verified": False, "claimed": False},
            ],
            "products": ["Тариф «Смарт»"],
            "purchases": [
                {
                    "order": "ORD-1001",
                    "product": "Тариф «Смарт»",
                    "status": "delivered",
                    "amount": 650.0,
                    "currency": "RUB",
                    "at": "2026-01-01T10:00:00+00:00",
                }
            ],
            "touchpoints": [
                {
                    "subject": "Router does not connect",
                    "status": "open",
                    "channel": "email",
                    "age_s": 3 * 86400 + 100,
                    "opened_at": "",
                },
                {
                    "subject": "Old question",
                    "status": "closed",
                    "channel": "sms",
                    "age_s": 10,
                    "opened_at": "",
                },
            ],
        }
    )
    assert card.name.text() == "<b>Анна</b> Петрова"  # data, never markup
    assert card.name.textFormat() == Qt.TextFormat.PlainText
    assert card.avatar.text() == initials("<b>Анна</b> Петрова")
    assert card.segment.text() == "VIP" and card.csat.text() == "Last CSAT: 4 of 5"
    assert card.identity_values() == [
        ("+79161234567", True),
        ("anna@example.com", False),
        ("anna_p", False),
    ]
    texts = card.identity_texts()
    assert texts[0].endswith("✓ verified") and texts[1].endswith("? claimed")
    assert texts[2].endswith("not confirmed")  # neither proved nor merely typed
    claimed_mark = card._ident_rows[1][2]
    assert "may reach someone else" in claimed_mark.toolTip()
    # Colours come from the theme: the claim in the theme's warning colour, in both themes.
    for theme in themes.THEMES:
        qss = themes.theme_stylesheet(theme)
        qapp.setStyleSheet(qss)
        for _kind, _value, mark in card._ident_rows:
            mark.style().unpolish(mark)
            mark.style().polish(mark)
        shown = claimed_mark.palette().color(QPalette.ColorRole.WindowText).name()
        assert shown == re.search(r"warning (#[0-9a-f]{6})", qss).group(1)  # type: ignore[union-attr]
        verified_mark = card._ident_rows[0][2]
        shown = verified_mark.palette().color(QPalette.ColorRole.WindowText).name()
        assert shown == re.search(r"success (#[0-9a-f]{6})", qss).group(1)  # type: ignore[union-attr]
    qapp.setStyleSheet("")
    assert card.products.text() == "Тариф «Смарт»"
    assert card.purchase_rows() == [["ORD-1001", "delivered", "650 ₽"]]
    assert card.touchpoint_texts() == ["Router does not connect · open · 3 d"]
    card.clear()
    assert card.identity_values() == [] and card.name.text() == "No customer open"
    assert initials("Вера Тестова") == "ВТ" and initials("") == "?"
    assert format_age(59) == "1 min" and format_age(7300) == "2 h"


def test_dialogs_values(qtbot: QtBot, qapp: QApplication, tmp_path: Path) -> None:
    ops = [
        {"id": 1, "name": "Анна", "presence": "offline"},
        {"id": 2, "name": "Дмитрий", "presence": "available"},
        {"id": 3, "name": "Елена", "presence": "available"},
    ]
    queues = [{"id": 1, "name": "general"}, {"id": 2, "name": "sales"}]
    t = TransferDialog(ops, queues, me=2, current_queue_id=1)
    qtbot.addWidget(t)
    assert t.queues.currentItem().text() == "sales"  # type: ignore[union-attr]
    assert [t.operators.item(i).text() for i in range(t.operators.count())] == [
        "Елена — available",
        "Анна — offline",
    ]
    t.to_operator.setChecked(True)
    t.note.setText("  over to you  ")
    assert t.values() == {"operator_id": 3, "note": "over to you"}
    assert t.select_queue("general") and t.values() == {"queue": "general", "note": "over to you"}

    w = WrapUpDialog(customer_name="X")
    qtbot.addWidget(w)
    assert w.values() == ("resolved", "", True)
    assert w.select_disposition("callback") and not w.select_disposition("nope")

    settings = Settings(tmp_path / "s.json", site_config=tmp_path / "site.toml")
    (tmp_path / "site.toml").write_text('[locked]\n"gateway.url" = "wss://desk.example:8765"\n')
    locked = ConnectDialog(Settings(tmp_path / "s.json", site_config=tmp_path / "site.toml"))
    qtbot.addWidget(locked)
    assert not locked.url.isEnabled() and locked.url.text() == "wss://desk.example:8765"
    free = ConnectDialog(settings)
    qtbot.addWidget(free)
    assert free.url.isEnabled()
    free.user.setText("agent")
    free.password.setText("secret")
    free.remember.setChecked(True)
    assert free.values() == ("ws://127.0.0.1:8765", "agent", "secret", True)
    assert not free.problem.isVisibleTo(free)
    # Asked again after a sign-out: why, and the gateway and user of the session that ended.
    again = ConnectDialog(
        settings, problem="Your account was deactivated.", url="ws://gw:9", username="anna"
    )
    qtbot.addWidget(again)
    assert (
        again.problem.isVisibleTo(again) and again.problem.text() == "Your account was deactivated."
    )
    assert (again.url.text(), again.user.text()) == ("ws://gw:9", "anna")
    relocked = ConnectDialog(
        Settings(tmp_path / "s.json", site_config=tmp_path / "site.toml"), url="ws://elsewhere:1"
    )
    qtbot.addWidget(relocked)
    assert relocked.url.text() == "wss://desk.example:8765"  # IT's address wins


def test_every_icon_renders_crisp_at_any_scale(qapp: QApplication) -> None:
    for name in NAMES:
        ic = icon(name)
        assert not ic.isNull(), name
        for scale in (1.0, 1.25, 2.0):
            pm = ic.pixmap(QSize(24, 24), scale)
            assert pm.width() == round(24 * scale), (name, scale)
            assert pm.devicePixelRatio() == scale
            assert not pm.toImage().isNull()
    assert icon("no-such-icon").isNull()


def test_canned_responses_are_listed_and_an_agent_adds_their_own(
    qtbot: QtBot, window: MainWindow, demo_gateway: EmbeddedGateway
) -> None:
    from ui.canned_manager import CannedEditDialog, CannedManagerDialog

    session = window.session
    qtbot.waitUntil(lambda: len(session.canned) > 0, timeout=10000)  # read at sign-in
    window.canned_action.trigger()
    manager = window.dialog
    assert isinstance(manager, CannedManagerDialog)
    shown = [manager.list.topLevelItem(i).text(0) for i in range(manager.list.topLevelItemCount())]
    assert "/hello" in shown
    # The team's are the supervisors' to change: an agent may not edit or delete them.
    assert manager.current() is not None and manager.current().scope == "team"  # type: ignore[union-attr]
    assert not manager.edit_button.isEnabled() and not manager.delete_button.isEnabled()
    qtbot.mouseClick(manager.new_button, Qt.MouseButton.LeftButton)
    editor = manager.editor
    assert isinstance(editor, CannedEditDialog)
    assert [editor.scope.itemData(i) for i in range(editor.scope.count())] == ["personal"]
    # A bad shortcut and an unknown variable are refused here, as the gateway would.
    editor.shortcut.setText("Not ok")
    editor.title.setText("Delivery")
    editor.text.setPlainText("Hi {customer.nickname}")
    editor.accept()
    assert editor.isVisible() and "shortcut" in editor.problem.text()
    editor.shortcut.setText("mydelivery")
    editor.accept()
    assert "{customer.nickname}" in editor.problem.text()
    editor.text.setPlainText("{customer.first_name}, the courier calls an hour before.")
    with qtbot.waitSignal(session.cannedChanged, timeout=10000):
        editor.accept()
    qtbot.waitUntil(
        lambda: any(r.shortcut == "mydelivery" for r in session.canned.all()), timeout=10000
    )
    mine = next(r for r in session.canned.all() if r.shortcut == "mydelivery")
    assert mine.scope == "personal"
    qtbot.waitUntil(lambda: any(
        manager.list.topLevelItem(i).text(0) == "/mydelivery"
        for i in range(manager.list.topLevelItemCount())
    ), timeout=5000)  # fmt: skip
    # Their own: editable and deletable.
    for i in range(manager.list.topLevelItemCount()):
        if manager.list.topLevelItem(i).text(0) == "/mydelivery":
            manager.list.setCurrentItem(manager.list.topLevelItem(i))
    assert manager.edit_button.isEnabled() and manager.delete_button.isEnabled()
    with qtbot.waitSignal(session.cannedChanged, timeout=10000):
        qtbot.mouseClick(manager.delete_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: all(r.shortcut != "mydelivery" for r in session.canned.all()), timeout=10000
    )
    manager.accept()


def test_only_supervisors_may_write_team_responses(qtbot: QtBot) -> None:
    from ui.canned_manager import CannedEditDialog

    lead = CannedEditDialog("supervisor", None)
    agent = CannedEditDialog("agent", None)
    qtbot.addWidget(lead)
    qtbot.addWidget(agent)
    assert [lead.scope.itemData(i) for i in range(lead.scope.count())] == ["personal", "team"]
    assert [agent.scope.itemData(i) for i in range(agent.scope.count())] == ["personal"]
