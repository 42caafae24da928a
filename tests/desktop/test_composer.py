"""The composer: channels from identities, the default channel, Ctrl+Enter, templates with their
hotkeys, drafts per customer; and a reply through a real session showing in the feed as
pending, then sent."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QDialogButtonBox, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from omnidesk_qt import placeholders
from omnidesk_qt.canned import Canned, CannedIndex
from omnidesk_qt.client import Credentials
from omnidesk_qt.embedded import EmbeddedGateway
from omnidesk_qt.outbox import Outbox
from omnidesk_qt.replies import PendingReplies
from omnidesk_qt.session import Session
from omnidesk_qt.settings import Settings
from tests.support.desk import answered, run, serve_visitor, wait_nudging
from ui.composer import Composer, reply_channels
from ui.feed_model import FeedRole
from ui.feed_view import FeedView

pytestmark = pytest.mark.usefixtures("isolated_dirs")

CANNED = [
    Canned(1, "order", "Статус заказа", "{customer.first_name}, заказ {order.last_number} в пути.",
           "ru", "team"),
    Canned(2, "order", "Order status",
           "{customer.first_name}, order {order.last_number} is on its way.", "en", "team"),
    Canned(3, "refund", "Возврат", "Оформили возврат.", "ru", "team", queue_id=2),
    Canned(4, "hello", "Приветствие", "Здравствуйте! Меня зовут {operator.name}.",
           "ru", "personal"),
]  # fmt: skip

CTRL = Qt.KeyboardModifier.ControlModifier
ALT = Qt.KeyboardModifier.AltModifier


class StandInSession(QObject):
    """The session's signals; send_message records instead of sending."""

    timelineItem = Signal(dict)
    timelinePage = Signal(int, dict)
    deliveryChanged = Signal(int, str)
    localQueued = Signal(str, str, dict)
    commandDone = Signal(str, str, dict)
    commandFailed = Signal(str, str, str, str)

    def __init__(self) -> None:
        super().__init__()
        self.operator = {"display_name": "Анна Смирнова"}
        self.replies = PendingReplies(lambda: self.operator["display_name"], self)
        self.replies.follow(self.localQueued, self.commandDone, self.commandFailed)
        self.sent: list[tuple[int, str, str, int | None, str]] = []
        self.templates: list[dict[str, Any]] = []
        self.canned = CannedIndex(CANNED)

    def send_message(
        self,
        customer_id: int,
        channel: str,
        text: str,
        conversation_id: int | None = None,
        subject: str = "",
        template: dict[str, Any] | None = None,
    ) -> None:
        self.sent.append((customer_id, channel, text, conversation_id, subject))
        if template is not None:
            self.templates.append(template)

    def load_older(self, customer_id: int, before: int | None, limit: int = 50) -> None:
        pass


def item(i: int, channel: str, direction: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": i,
        "customer_id": 11,
        "conversation_id": 3,
        "kind": "email" if channel == "email" else "message",
        "channel": channel,
        "direction": direction,
        "author": "",
        "subject": "",
        "body": f"text {i}",
        "attachments": [],
        "extra": {},
        "delivery": None,
        "at": (datetime.now(UTC) - timedelta(minutes=100 - i)).isoformat(),
        **extra,
    }


def card(customer_id: int = 11, name: str = "Ирина Котова", **over: Any) -> dict[str, Any]:
    c: dict[str, Any] = {
        "customer": {"id": customer_id, "name": name, "segment": "vip", "language": "ru"},
        "identities": [
            {"kind": "email", "value": "irina@example.ru", "verified": True},
            {"kind": "phone", "value": "+79991234567", "verified": True},
            {"kind": "web_visitor", "value": "wv_1", "verified": False},
            {"kind": "telegram", "value": "@irina", "verified": True},
        ],
        "purchases": [
            {"order": "ORD-2026-000101", "at": "2026-03-01T10:00:00+00:00"},
            {"order": "ORD-2026-000345", "at": "2026-10-12T09:30:00+00:00"},
            {"order": "ORD-2026-000200", "at": "2026-06-05T12:00:00+00:00"},
        ],
        "open_conversations": [{"id": 3, "channel": "webchat"}],
        "timeline": {  # newest first, as the gateway sends it
            "items": [
                item(9, "webchat", "out"),
                item(8, "telegram", "in"),
                item(7, "email", "in", subject="Возврат"),
                item(6, "webchat", "in"),
            ],
            "cursor": None,
        },
    }
    c.update(over)
    return c


@pytest.fixture
def composer(qtbot: QtBot) -> tuple[Composer, StandInSession]:
    session = StandInSession()
    settings = Settings()
    w = Composer(session, settings)  # type: ignore[arg-type]
    qtbot.addWidget(w)
    w.resize(640, 200)
    w.show()
    qtbot.waitExposed(w)
    w.activateWindow()
    qtbot.waitActive(w)
    return w, session


def offered(c: Composer) -> list[str]:
    return [c.channel.itemData(i) for i in range(c.channel.count())]


def test_channels_come_from_the_identities() -> None:
    assert [found.channel for found in reply_channels(card()["identities"])] == [
        "webchat",
        "telegram",
        "whatsapp",
        "sms",
        "email",
    ]
    both = [{"kind": "phone", "value": "+7999"}, {"kind": "whatsapp", "value": "+7998"}]
    assert reply_channels(both) == [("whatsapp", "+7998", False), ("sms", "+7999", False)]
    # WhatsApp through the phone number (the channel table's ``reaches``).
    phone = [{"kind": "phone", "value": "+7999"}]
    assert reply_channels(phone) == [("whatsapp", "+7999", False), ("sms", "+7999", False)]
    assert reply_channels([{"kind": "loyalty_card", "value": "42"}]) == []
    # A number the customer only typed comes after one a channel proved, even of a less
    # preferred kind, and says so.
    mixed = [
        {"kind": "whatsapp", "value": "+7111", "claimed": True},
        {"kind": "phone", "value": "+7222", "verified": True, "claimed": False},
        {"kind": "email", "value": "typed@example.ru", "claimed": True},
    ]
    assert reply_channels(mixed) == [
        ("whatsapp", "+7222", False),
        ("sms", "+7222", False),
        ("email", "typed@example.ru", True),
    ]


def test_a_claimed_address_is_marked_in_the_channel_picker(
    qtbot: QtBot, composer: tuple[Composer, StandInSession]
) -> None:
    c, _session = composer
    c.set_customer(
        {
            "customer": {"id": 77, "name": "Пётр"},
            "identities": [
                {"kind": "web_visitor", "value": "wv_abc", "verified": True, "claimed": False},
                {"kind": "email", "value": "typed@example.ru", "verified": False, "claimed": True},
            ],
        },
        None,
    )
    texts = [c.channel.itemText(i) for i in range(c.channel.count())]
    assert offered(c) == ["webchat", "email"]
    assert texts[1].endswith("typed@example.ru (claimed, not verified)")
    assert "claimed" not in texts[0]
    assert "someone else" in c.channel.itemData(1, Qt.ItemDataRole.ToolTipRole)


def test_default_channel_is_where_the_customer_wrote_last(
    qtbot: QtBot, composer: tuple[Composer, StandInSession]
) -> None:
    c, _session = composer
    c.set_customer(card(), 3)
    assert offered(c) == ["webchat", "telegram", "whatsapp", "sms", "email"]
    assert c.current_channel() == "telegram"  # the latest inbound item
    assert "@irina" in c.channel.currentText()
    assert c.channel.accessibleName() and c.editor.accessibleName()
    assert c.send_button.accessibleName() and c.templates.accessibleName()
    # A subject only for e-mail, with the last e-mail's subject to answer.
    assert not c.subject.isVisible()
    c.channel.setCurrentIndex(c.channel.findData("email"))
    assert c.subject.isVisible() and c.subject.text() == "Re: Возврат"
    # Nothing written in by the customer: the conversation's channel, else the first one.
    c.set_customer(card(12, timeline={"items": [], "cursor": None}), 3)
    assert c.current_channel() == "webchat"
    c.set_customer(card(13, identities=[{"kind": "phone", "value": "+7", "verified": True}]), None)
    assert offered(c) == ["whatsapp", "sms"] and c.current_channel() == "whatsapp"
    # Nobody to write to: nothing can be sent.
    c.set_customer(card(14, identities=[]), None)
    assert offered(c) == [] and not c.channel.isEnabled()
    c.editor.setPlainText("hello")
    assert not c.send_button.isEnabled() and not c.send()


def pick_channel(qtbot: QtBot, c: Composer, channel: str) -> None:
    """Choose a reply channel the way an operator does: focus the box, arrow keys."""
    c.channel.setFocus()
    qtbot.keyClick(c.channel, Qt.Key.Key_Home)
    for _ in range(c.channel.count()):
        if c.current_channel() == channel:
            return
        qtbot.keyClick(c.channel, Qt.Key.Key_Down)
    assert c.current_channel() == channel, f"{channel} is not offered"


def test_a_phone_number_is_offered_for_whatsapp_and_sms(
    qtbot: QtBot, composer: tuple[Composer, StandInSession]
) -> None:
    # A customer known only by a phone who has never written on WhatsApp: the gateway
    # reaches WhatsApp by the phone number, so the composer offers it (it did not).
    c, session = composer
    phone_only = card(
        31,
        identities=[{"kind": "phone", "value": "+79990001122", "verified": True}],
        timeline={"items": [item(1, "sms", "in")], "cursor": None},
        open_conversations=[],
    )
    c.set_customer(phone_only, None)
    assert offered(c) == ["whatsapp", "sms"]
    assert c.current_channel() == "sms", "where the customer wrote last"
    assert c.channel.itemText(0).startswith("WhatsApp") and "+79990001122" in c.channel.itemText(0)
    pick_channel(qtbot, c, "whatsapp")
    c.editor.setFocus()
    qtbot.keyClicks(c.editor, "Hello")
    qtbot.keyClick(c.editor, Qt.Key.Key_Return, CTRL)
    assert session.sent == [(31, "whatsapp", "Hello", None, "")]


def test_each_channel_refuses_a_reply_past_its_own_text_limit(
    qtbot: QtBot, composer: tuple[Composer, StandInSession]
) -> None:
    c, session = composer
    c.set_customer(card(), 3)
    pick_channel(qtbot, c, "sms")
    c.editor.setPlainText("x" * 1599)  # an SMS carries 1,600 characters at most
    c.editor.setFocus()
    c.editor.moveCursor(c.editor.textCursor().MoveOperation.End)
    qtbot.keyClick(c.editor, Qt.Key.Key_X)
    assert "too long" not in c.hint.text()
    qtbot.keyClick(c.editor, Qt.Key.Key_X)  # 1,601: shown at once, refused on sending
    assert "too long" in c.hint.text() and "1600" in c.hint.text()
    qtbot.keyClick(c.editor, Qt.Key.Key_Return, CTRL)
    assert session.sent == [] and len(c.editor.toPlainText()) == 1601, "nothing lost"
    # The same text fits an e-mail: switching says so, and it goes.
    pick_channel(qtbot, c, "email")
    assert "too long" not in c.hint.text()
    c.editor.setFocus()
    qtbot.keyClick(c.editor, Qt.Key.Key_Return, CTRL)
    assert [(ch, len(text)) for _cid, ch, text, _conv, _subj in session.sent] == [("email", 1601)]


def test_enter_is_a_new_line_ctrl_enter_sends_empty_never_does(
    qtbot: QtBot, composer: tuple[Composer, StandInSession]
) -> None:
    c, session = composer
    c.set_customer(card(), 3)
    c.editor.setFocus()
    qtbot.keyClicks(c.editor, "Hello")
    qtbot.keyClick(c.editor, Qt.Key.Key_Return)
    qtbot.keyClicks(c.editor, "there")
    assert c.editor.toPlainText() == "Hello\nthere" and session.sent == []
    qtbot.keyClick(c.editor, Qt.Key.Key_Return, CTRL)
    assert session.sent == [(11, "telegram", "Hello\nthere", 3, "")]
    assert c.editor.toPlainText() == ""
    # Empty or blank: nothing goes, whichever way.
    qtbot.keyClick(c.editor, Qt.Key.Key_Return, CTRL)
    c.editor.setPlainText("   \n\t  ")
    qtbot.keyClick(c.editor, Qt.Key.Key_Enter, CTRL | Qt.KeyboardModifier.KeypadModifier)
    assert not c.send_button.isEnabled()
    c.send_button.click()
    assert len(session.sent) == 1
    # An e-mail goes with its subject; the keypad Enter sends too.
    c.channel.setCurrentIndex(c.channel.findData("email"))
    c.subject.setText("Re: Возврат заказа")
    c.editor.setPlainText("Деньги вернутся за 3 дня.")
    qtbot.keyClick(c.editor, Qt.Key.Key_Enter, CTRL | Qt.KeyboardModifier.KeypadModifier)
    assert session.sent[-1] == (11, "email", "Деньги вернутся за 3 дня.", 3, "Re: Возврат заказа")


def test_template_hotkeys_insert_the_filled_text(
    qtbot: QtBot, composer: tuple[Composer, StandInSession]
) -> None:
    c, session = composer
    c.set_customer(card(), 3)
    templates = c.settings.value("composer.templates")
    assert [a.text().split("\t")[0] for a in c.templates_menu.actions()] == [
        t["name"] for t in templates
    ]
    assert all("\t" in a.text() for a in c.templates_menu.actions()), "the hotkey is shown"
    c.editor.setFocus()
    qtbot.keyClicks(c.editor, "Hi. ")
    order_template = next(t for t in templates if t["hotkey"] == "Alt+2")
    qtbot.keyClick(c.editor, Qt.Key.Key_2, ALT)
    expected = order_template["text"].format(name="Ирина Котова", order="ORD-2026-000345")
    assert c.editor.toPlainText() == "Hi. " + expected
    assert session.sent == []
    # From the menu, the same.
    c.editor.clear()
    c.templates_menu.actions()[0].trigger()
    assert c.editor.toPlainText() == templates[0]["text"].format(name="Ирина Котова")
    # Templates changed in the settings: new hotkeys at once, old ones gone.
    c.settings.set(
        "composer.templates",
        [{"name": "Заказ", "text": "Заказ {order}, {name}, {unknown}", "hotkey": "Ctrl+Shift+O"}],
    )
    c.editor.clear()
    qtbot.keyClick(c.editor, Qt.Key.Key_2, ALT)
    assert c.editor.toPlainText() in ("", "2"), "Alt+2 is no template any more"
    c.editor.clear()
    qtbot.keyClick(c.editor, Qt.Key.Key_O, CTRL | Qt.KeyboardModifier.ShiftModifier)
    assert c.editor.toPlainText() == "Заказ ORD-2026-000345, Ирина Котова, {unknown}"
    # A customer without orders: {order} stays for the operator to fill in.
    c.set_customer(card(15, purchases=[]), None)
    c.editor.clear()
    qtbot.keyClick(c.editor, Qt.Key.Key_O, CTRL | Qt.KeyboardModifier.ShiftModifier)
    assert c.editor.toPlainText() == "Заказ {order}, Ирина Котова, {unknown}"


def test_variables_fill_from_the_card_and_unknown_ones_stay() -> None:
    values = placeholders.values_for(card(), {"display_name": "Анна Смирнова"})
    assert values["order.last_number"] == values["order"] == "ORD-2026-000345"
    assert values["customer.first_name"] == "Ирина"
    assert values["operator.name"] == "Анна"
    assert placeholders.values_for(card(), {"public_name": "Аня"})["operator.name"] == "Аня"
    assert placeholders.latest_order({"purchases": []}) == ""
    text = "{name}: {order} {0} {x.y} {customer.first_name}"
    filled = placeholders.fill(text, {"name": "A", "order": "", "customer.first_name": "{order}"})
    assert filled == "A: {order} {0} {x.y} {order}", "a value is never expanded again"
    assert placeholders.unresolved(filled) == ["{order}", "{x.y}"]
    assert placeholders.unresolved("{ not a variable } {0}") == []


def test_an_unresolved_placeholder_is_never_sent(
    qtbot: QtBot, composer: tuple[Composer, StandInSession]
) -> None:
    c, session = composer
    c.settings.set(
        "composer.templates",
        [{"name": "Заказ", "text": "{name}, ваш заказ {order} в пути.", "hotkey": "Alt+7"}],
    )
    # No name and no orders: both stay, are named under the editor, and the first is selected
    # so that typing replaces it.
    c.set_customer(card(15, name="", purchases=[]), None)
    c.editor.setFocus()
    qtbot.keyClick(c.editor, Qt.Key.Key_7, ALT)
    assert c.editor.toPlainText() == "{name}, ваш заказ {order} в пути."
    assert c.editor.textCursor().selectedText() == "{name}"
    assert "{name}, {order}" in c.hint.text()
    assert c.hint.property("role") == "warning"
    assert not c.send_button.isEnabled()
    qtbot.keyClick(c.editor, Qt.Key.Key_Return, CTRL)
    assert session.sent == [], "Ctrl+Enter refuses it too"
    # The operator types the name over the selection; {order} still holds the reply back.
    qtbot.keyClicks(c.editor, "Irina")
    assert c.editor.toPlainText() == "Irina, ваш заказ {order} в пути."
    assert "{order}" in c.hint.text() and "{name}" not in c.hint.text()
    assert not c.send()
    text = c.editor.toPlainText().replace("{order}", "ORD-1")
    c.editor.setPlainText(text)
    assert c.send_button.isEnabled() and c.hint.property("role") == "muted"
    qtbot.keyClick(c.editor, Qt.Key.Key_Return, CTRL)
    assert session.sent[-1][2] == "Irina, ваш заказ ORD-1 в пути."


def test_an_offered_conversation_must_be_accepted_before_replying(
    qtbot: QtBot, composer: tuple[Composer, StandInSession]
) -> None:
    c, session = composer
    c.set_customer(card(), 3, locked="Accept to reply (A)")
    assert not c.editor.isEnabled() and not c.send_button.isEnabled()
    assert not c.templates.isEnabled() and not c.channel.isEnabled()
    assert c.hint.text() == "Accept to reply (A)" == c.editor.placeholderText()
    c.editor.setPlainText("early")
    assert not c.send() and session.sent == []
    c.set_customer(card(), 3)  # accepted
    assert c.editor.isEnabled() and c.send()
    assert session.sent[-1][2] == "early"


def test_each_customer_keeps_their_draft(
    qtbot: QtBot, composer: tuple[Composer, StandInSession]
) -> None:
    c, session = composer
    c.set_customer(card(11), 3)
    c.editor.setPlainText("Для Ирины")
    c.channel.setCurrentIndex(c.channel.findData("sms"))
    c.channel.activated.emit(c.channel.currentIndex())
    c.set_customer(card(11), 3)  # the same customer again (the conversation changed)
    assert c.editor.toPlainText() == "Для Ирины" and c.current_channel() == "sms"
    c.set_customer(card(21, name="Олег"), 8)
    assert c.editor.toPlainText() == "" and c.current_channel() == "telegram"
    c.set_customer(card(11), 3)
    assert c.editor.toPlainText() == "Для Ирины" and c.current_channel() == "sms"
    # The customer writes on another channel: the choice follows only while untouched.
    c.set_customer(card(21, name="Олег"), 8)
    c.session.timelineItem.emit(dict(item(50, "webchat", "in"), customer_id=21))
    assert c.current_channel() == "webchat"
    assert session.sent == []


# ==============================================================================================
# through a real session, with the feed
# ==============================================================================================
@pytest.fixture
def live(
    qtbot: QtBot, aloop: asyncio.AbstractEventLoop, demo_gateway: EmbeddedGateway, data_dir: Path
) -> Iterator[tuple[Session, list[int]]]:
    session = Session(demo_gateway.url, Credentials("agent", "agent"), Outbox(data_dir / "ob.db"))
    with qtbot.waitSignal(session.snapshotLoaded, timeout=20000):
        session.start()
    presence = answered(session, "presence.set")
    session.set_presence("available")
    wait_nudging(qtbot, session, lambda: bool(presence))
    taken: list[int] = []
    yield session, taken
    try:
        ended, wrapped = (
            answered(session, "conversation.end"),
            answered(session, "conversation.wrap_up"),
        )
        for conv_id in taken:
            session.end(conv_id)
        wait_nudging(qtbot, session, lambda: len(ended) >= len(taken))
        for conv_id in taken:
            session.wrap_up(conv_id, "resolved")
        wait_nudging(qtbot, session, lambda: len(wrapped) >= len(taken))
    finally:
        run(session.stop(), qtbot)


def test_ctrl_enter_reply_shows_pending_then_sent_and_reaches_the_customer(
    qtbot: QtBot, live: tuple[Session, list[int]], demo_gateway: EmbeddedGateway
) -> None:
    session, taken = live
    window = QWidget()
    layout = QVBoxLayout(window)
    feed = FeedView(session, window, open_links=False)
    composer = Composer(session, Settings(), window)
    layout.addWidget(feed, 3)
    layout.addWidget(composer, 1)
    qtbot.addWidget(window)
    window.resize(640, 720)
    window.show()
    qtbot.waitExposed(window)

    # A customer writes in the web chat; the operator accepts and opens the card.
    visitor, conv_id, _customer, the_card = serve_visitor(
        qtbot, session, demo_gateway.url, "Ксения Ответова", "Добрый день! Заказ не пришёл."
    )
    taken.append(conv_id)
    try:
        feed.show_customer(the_card)
        composer.set_customer(the_card, conv_id)
        assert composer.current_channel() == "webchat"

        # Every state the reply's row goes through.
        states: list[str] = []
        reply = "Здравствуйте! Проверяю, минуту."

        def watch(*_args: Any) -> None:
            m = feed.model
            for r in range(m.rowCount()):
                idx = m.index(r)
                if idx.data(FeedRole.BODY) == reply:
                    state = idx.data(FeedRole.DELIVERY)
                    if not states or states[-1] != state:
                        states.append(state)

        feed.model.rowsInserted.connect(watch)
        feed.model.dataChanged.connect(watch)
        composer.editor.setFocus()
        # (QTest cannot type Cyrillic key by key; the text goes in as an input method would.)
        composer.editor.insertPlainText(reply)
        sends = answered(session, "message.send")
        qtbot.keyClick(composer.editor, Qt.Key.Key_Return, CTRL)
        assert composer.editor.toPlainText() == ""
        qtbot.waitUntil(lambda: bool(states), timeout=5000)
        assert states[0] == "pending", "shown at once, before the gateway answers"
        wait_nudging(qtbot, session, lambda: bool(sends))
        qtbot.waitUntil(lambda: states[-1] in ("sent", "delivered", "read"), timeout=10000)
        assert "failed" not in states
        # One row for the reply, in place of the pending one, with the gateway's id.
        rows = [
            r
            for r in range(feed.model.rowCount())
            if feed.model.index(r).data(FeedRole.BODY) == reply
        ]
        assert len(rows) == 1 and rows[0] == feed.model.rowCount() - 1
        idx = feed.model.index(rows[0])
        assert idx.data(FeedRole.ITEM_ID) == sends[0][1]["item"]["id"]
        assert idx.data(FeedRole.DIRECTION) == "out" and idx.data(FeedRole.CHANNEL) == "webchat"
        assert idx.data(FeedRole.LOCAL_KEY) == ""
        got = run(visitor.recv_type("message"), qtbot)
        assert got["text"] == reply
    finally:
        run(visitor.close(), qtbot)


def test_slash_finds_canned_responses_and_inserts_them_filled(
    qtbot: QtBot, composer: tuple[Composer, StandInSession]
) -> None:
    c, session = composer
    c.set_customer(card(), 3)  # a Russian customer; conversation 3 is in no restricted queue
    c.editor.setFocus()
    qtbot.keyClicks(c.editor, "Hi /ord")
    popup = c.canned_popup
    assert popup is not None and popup.isVisible()
    # Both languages match; the customer's own comes first.
    assert [(r.id, r.language) for r in popup.matches()] == [(1, "ru"), (2, "en")]
    qtbot.keyClick(c.editor, Qt.Key.Key_Down)  # the English one
    qtbot.keyClick(c.editor, Qt.Key.Key_Return)
    assert not popup.isVisible()
    assert c.editor.toPlainText() == "Hi Ирина, order ORD-2026-000345 is on its way."
    assert session.sent == [], "Enter took the response, it did not send"
    # A response restricted to another queue is not offered; nothing matching says so.
    c.editor.clear()
    qtbot.keyClicks(c.editor, "/refund")
    assert popup.isVisible() and popup.matches() == []
    qtbot.keyClick(c.editor, Qt.Key.Key_Escape)
    assert not popup.isVisible() and c.editor.toPlainText() == "/refund"
    # "/" inside a word (a path, a date) is no search.
    c.editor.clear()
    qtbot.keyClicks(c.editor, "see a/b")
    assert not popup.isVisible()
    # An operator name the card does not know stays selected: the reply cannot go yet.
    c.editor.clear()
    session.operator = {}
    qtbot.keyClicks(c.editor, "/hel")
    qtbot.keyClick(c.editor, Qt.Key.Key_Tab)
    assert c.editor.toPlainText() == "Здравствуйте! Меня зовут {operator.name}."
    assert c.editor.textCursor().selectedText() == "{operator.name}"
    assert not c.send_button.isEnabled()


def test_the_desktop_fills_every_variable_the_gateway_accepts() -> None:
    from services.protocol.canned import VARIABLES as ACCEPTED

    assert set(placeholders.VARIABLES) == set(ACCEPTED)


def test_an_sms_reply_says_how_many_parts_it_goes_as(
    qtbot: QtBot, composer: tuple[Composer, StandInSession]
) -> None:
    w, _session = composer
    w.set_customer(card(), 3)
    w.channel.setCurrentIndex(w.channel.findData("sms"))
    qtbot.keyClicks(w.editor, "Hello, your order is ready")
    assert w.hint.text() == "SMS parts: 1 · 134 characters left in this one"
    w.editor.setPlainText(
        "Ваш заказ готов к выдаче в пункте на Ленина, 5. Ждём до 20:00 ежедневно!"
    )
    assert len(w.editor.toPlainText()) > 70
    assert w.hint.text().startswith("SMS parts: 2 · ")
    assert "Cyrillic or emoji: 67 per part" in w.hint.text()


def test_outside_the_whatsapp_window_only_an_approved_template_goes_out(
    qtbot: QtBot, composer: tuple[Composer, StandInSession]
) -> None:
    w, session = composer
    identities = [{"kind": "whatsapp", "value": "+79991234567", "verified": True}]
    closed = {"whatsapp": {"open_until": None, "templates": ["order_update", "feedback"]}}
    w.set_customer(card(identities=identities, windows=closed), 3)
    assert w.current_channel() == "whatsapp"
    qtbot.keyClicks(w.editor, "Are you there")
    assert not w.send_button.isEnabled() and w.template_button.isVisible()
    assert "only an approved template may go out" in w.hint.text()
    assert w.hint.property("role") == "warning"
    qtbot.keyClick(w.editor, Qt.Key.Key_Return, CTRL)
    assert session.sent == []  # free text is refused here, before the gateway
    qtbot.mouseClick(w.template_button, Qt.MouseButton.LeftButton)
    dialog = w.template_dialog
    qtbot.waitUntil(dialog.isVisible, timeout=5000)
    assert dialog.name.currentData() == "order_update"
    dialog.parameters.setFocus()
    dialog.parameters.setText("1042|завтра")  # QTest types Latin keys only
    assert dialog.shown.text() == "Goes out: [order_update] 1042 · завтра"
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert ok.isEnabled()
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(session.templates), timeout=5000)
    assert session.templates == [{"name": "order_update", "parameters": ["1042", "завтра"]}]
    assert session.sent[0][1:3] == ("whatsapp", "[order_update] 1042 · завтра")
    # Within the window, free text goes as usual.
    later = (datetime.now(UTC) + timedelta(hours=3)).isoformat()
    open_window = {"whatsapp": {"open_until": later, "templates": ["order_update"]}}
    w.set_customer(card(customer_id=12, identities=identities, windows=open_window), 4)
    qtbot.keyClicks(w.editor, "Hello")
    assert w.send_button.isEnabled() and not w.template_button.isVisible()
