"""Tags, priority and snooze on the desk (protocol §4.3): the list's marks, filters and order
with hand-made rows, then the window's actions against the embedded demo gateway, from the keys.
A screenshot of the list with tags and priorities goes to test-artifacts/."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from omnidesk_qt.embedded import EmbeddedGateway
from tests.desktop import test_main_window
from tests.desktop.test_conversation_model import (
    ME,
    NOW,
    Clock,
    conv,
    ids,
    proxy_of,
    snapshot,
)
from tests.desktop.test_main_window import (
    ARTIFACTS,
    CTRL,
    CTRL_SHIFT,
    Visitor,
    accept_with_key,
    be_available,
    nameless_controls,
    offer_from,
)
from ui.conversation_list import ConversationList
from ui.conversation_model import MINE, RAISED_PRIORITIES, SNOOZED, Column, ConversationModel
from ui.main_window import MainWindow
from ui.triage_dialogs import SNOOZE_AT, SNOOZE_HOUR, SNOOZE_TOMORROW, SnoozeDialog, TagsDialog

window = test_main_window.window


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def model(qapp: QApplication, clock: Clock) -> Iterator[ConversationModel]:
    m = ConversationModel(operator_id=ME, clock=clock, tick_ms=0)
    yield m
    m.deleteLater()


def triaged(cid: int, state: str = "active", **extra: Any) -> dict[str, Any]:
    keys = ("tags", "priority", "snooze_mode", "snoozed_until")
    fields = {k: extra.pop(k) for k in keys if k in extra}
    row = conv(cid, state, **extra)
    row.update({"tags": [], "priority": "normal", "snooze_mode": None, "snoozed_until": None})
    row.update(fields)
    return row


# -- the model and its filter, with hand-made rows --------------------------------------------
def test_priority_and_tags_are_shown_in_words_and_urgent_is_bold(model: ConversationModel) -> None:
    model.load(
        snapshot(
            [
                triaged(1, operator_id=ME, subject="Refund", priority="urgent", tags=["billing"]),
                triaged(2, operator_id=ME, subject="Hello", priority="high"),
                triaged(3, operator_id=ME, subject="", tags=["vip", "billing"]),
                triaged(4, operator_id=ME, subject="Low one", priority="low"),
            ],
            [],
        )
    )

    def cell(cid: int, col: Column, role: Any = Qt.ItemDataRole.DisplayRole) -> Any:
        return model.index(model.row_of(cid) or 0, col).data(role)

    assert cell(1, Column.SUBJECT) == "Urgent · Refund  #billing"
    assert cell(2, Column.SUBJECT) == "High · Hello"
    assert cell(3, Column.SUBJECT) == "#vip #billing"
    assert cell(4, Column.SUBJECT) == "Low one"
    assert cell(1, Column.CUSTOMER, Qt.ItemDataRole.FontRole).bold()
    assert cell(2, Column.CUSTOMER, Qt.ItemDataRole.FontRole) is None
    assert cell(3, Column.SUBJECT, Qt.ItemDataRole.ToolTipRole) == "Tags: vip, billing"
    assert model.tags() == ["billing", "vip"]


def test_offers_first_then_urgent_then_high_then_the_wait(model: ConversationModel) -> None:
    model.load(
        snapshot(
            [
                triaged(1, operator_id=ME, waited=900),
                triaged(2, operator_id=ME, waited=10, priority="high"),
                triaged(3, operator_id=ME, waited=5, priority="urgent"),
                triaged(4, "offered", offered_to=ME, waited=1),
                triaged(5, operator_id=ME, waited=600, priority="high"),
                triaged(6, operator_id=ME, waited=2000, priority="low"),
            ],
            [
                triaged(7, "queued", waited=100),
                triaged(8, "queued", waited=10, priority="urgent"),
            ],
        )
    )
    assert ids(proxy_of(model, MINE)) == [4, 3, 5, 2, 6, 1]
    assert ids(proxy_of(model, "queue")) == [8, 7]  # as routing serves them
    mine = proxy_of(model, MINE)
    model.upsert(triaged(1, operator_id=ME, waited=900, priority="urgent", version=2))
    assert ids(mine) == [4, 1, 3, 5, 2, 6]


def test_tag_priority_and_snooze_filters(model: ConversationModel, clock: Clock) -> None:
    until = (NOW + timedelta(hours=2)).isoformat()
    model.load(
        snapshot(
            [
                triaged(1, operator_id=ME, tags=["vip"], priority="urgent"),
                triaged(2, operator_id=ME, tags=["vip", "billing"]),
                triaged(3, operator_id=ME, snooze_mode="reply", tags=["vip"]),
                triaged(4, operator_id=ME, snooze_mode="until", snoozed_until=until),
                triaged(5, "held", operator_id=ME, priority="high"),
            ],
            [triaged(6, "queued", tags=["billing"])],
        )
    )
    p = proxy_of(model)
    # "All states": the snoozed ones are set aside.
    assert sorted(ids(p)) == [1, 2, 5, 6]
    p.set_tag("vip")
    assert sorted(ids(p)) == [1, 2]
    p.set_tag("billing")
    assert sorted(ids(p)) == [2, 6]
    p.set_tag(None)
    p.set_priorities(RAISED_PRIORITIES)
    assert sorted(ids(p)) == [1, 5]
    p.set_priorities(None)
    # "Active" is the working ones; "Snoozed" only the snoozed.
    p.set_state("active")
    assert sorted(ids(p)) == [1, 2]
    p.set_state(SNOOZED)
    assert sorted(ids(p)) == [3, 4]
    p.set_tag("vip")
    assert ids(p) == [3]
    p.set_tag(None)
    # Dimmed, and the State column says until when.
    row3, row4 = model.row_of(3) or 0, model.row_of(4) or 0
    assert model.index(row3, Column.STATE).data() == "Snoozed until the customer replies"
    local = datetime.fromisoformat(until).astimezone().strftime("%H:%M")
    shown = model.index(row4, Column.STATE).data()
    assert shown.startswith("Snoozed until ") and shown.endswith(local)
    fg = model.index(row3, Column.CUSTOMER).data(Qt.ItemDataRole.ForegroundRole)
    assert fg is not None
    assert (
        model.index(model.row_of(1) or 0, Column.CUSTOMER).data(Qt.ItemDataRole.ForegroundRole)
        is None
    )
    # It wakes: back in the default view, gone from "Snoozed".
    model.upsert(triaged(3, operator_id=ME, tags=["vip"], version=2))
    assert ids(p) == [4]
    p.set_state(None)
    assert 3 in ids(p)


def test_the_list_offers_the_tags_present_and_filters_by_them(
    qtbot: QtBot, model: ConversationModel
) -> None:
    model.load(snapshot([triaged(1, operator_id=ME, tags=["vip"]), triaged(2, operator_id=ME)], []))
    widget = ConversationList(model)
    qtbot.addWidget(widget)
    tags = widget.tag_filter
    assert [tags.itemText(i) for i in range(tags.count())] == ["All tags", "#vip"]
    assert widget.set_tag_filter("vip")
    assert widget.proxies[MINE].conversation_ids() == [1]
    model.upsert(triaged(2, operator_id=ME, tags=["billing"], version=2))
    # The choices follow once the burst of changes is over.
    qtbot.waitUntil(
        lambda: [tags.itemData(i) for i in range(tags.count())] == ["", "billing", "vip"]
    )
    assert tags.currentData() == "vip", "the chosen tag stays"
    # The tag leaves its last row: the filter falls back to all tags.
    model.upsert(triaged(1, operator_id=ME, version=2))
    qtbot.waitUntil(lambda: tags.currentData() == "")
    assert sorted(widget.proxies[MINE].conversation_ids()) == [1, 2]
    widget.priority_filter.setCurrentIndex(1)
    assert widget.proxies[MINE].conversation_ids() == []
    widget.priority_filter.setCurrentIndex(0)
    snoozed = widget.state_filter.findData(SNOOZED)
    assert widget.state_filter.itemText(snoozed) == "Snoozed"


def test_the_tags_dialog_checks_tags_as_the_gateway_does(qtbot: QtBot, qapp: QApplication) -> None:
    dialog = TagsDialog(["vip"], ["billing", "vip"], customer_name="Анна")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    for text in ("  Billing ", "two words", "a,b", "x" * 33):
        dialog.edit.setText(text)
        qtbot.keyClick(dialog.edit, Qt.Key.Key_Return)
    assert dialog.tags() == ["vip", "billing"]
    assert dialog.problem.isVisible() and "32" in dialog.problem.text()
    assert dialog.result() == 0, "Enter on a tag never closes the dialog"
    dialog.list.setCurrentRow(0)
    dialog.list.setFocus()
    qtbot.keyClick(dialog.list, Qt.Key.Key_Delete)
    assert dialog.values() == (["billing"], ["vip"])
    for i in range(19):
        dialog.edit.setText(f"t{i}")
        assert dialog.add_typed()
    dialog.edit.setText("one-too-many")
    assert not dialog.add_typed() and "20" in dialog.problem.text()


def test_the_snooze_dialog_s_times(qtbot: QtBot, qapp: QApplication) -> None:
    now = datetime(2026, 3, 2, 16, 20, tzinfo=UTC)
    dialog = SnoozeDialog(now=lambda: now)
    qtbot.addWidget(dialog)
    assert dialog.values() == (None, True)
    dialog.choose(SNOOZE_HOUR)
    assert dialog.values() == ("2026-03-02T17:20:00+00:00", False)
    dialog.choose(SNOOZE_TOMORROW)
    assert dialog.values() == ("2026-03-03T09:00:00+00:00", False)
    dialog.choose(SNOOZE_AT)
    until, reply = dialog.values()
    assert until is not None and not reply
    chosen = datetime.fromisoformat(until)
    assert now < chosen <= now + timedelta(days=30)


# -- against the gateway -----------------------------------------------------------------------
def row_of(win: MainWindow, cid: int) -> dict[str, Any]:
    found = win.model.find(cid)
    assert found is not None
    return found


def test_tag_prioritise_and_snooze_from_the_keys_then_the_customer_wakes_it(
    qtbot: QtBot, window: MainWindow, demo_gateway: EmbeddedGateway
) -> None:
    win = window
    cl = win.conversation_list
    be_available(qtbot, win)
    first, second = Visitor(qtbot, demo_gateway.url), Visitor(qtbot, demo_gateway.url)
    a = offer_from(qtbot, win, first, "Where is my refund?")
    accept_with_key(qtbot, win, a["id"])
    b = offer_from(qtbot, win, second, "Hello there")
    accept_with_key(qtbot, win, b["id"])
    qtbot.waitUntil(lambda: win.current_id == b["id"] and win.tags_action.isEnabled(), timeout=5000)

    # Tags…: two typed, Enter each, Ctrl+Enter saves.
    qtbot.keyClick(win, Qt.Key.Key_G, CTRL_SHIFT)
    qtbot.waitUntil(lambda: isinstance(win.dialog, TagsDialog), timeout=5000)
    dialog = win.dialog
    assert isinstance(dialog, TagsDialog)
    qtbot.waitUntil(dialog.isActiveWindow, timeout=5000)
    assert QApplication.focusWidget() is dialog.edit
    for text in ("VIP", "billing"):
        dialog.edit.setText(text)
        qtbot.keyClick(dialog.edit, Qt.Key.Key_Return)
    qtbot.keyClick(dialog.edit, Qt.Key.Key_Return, CTRL)
    qtbot.waitUntil(lambda: row_of(win, b["id"]).get("tags") == ["vip", "billing"], timeout=10000)
    assert cl.set_tag_filter("vip")
    assert cl.proxies[MINE].conversation_ids() == [b["id"]]
    cl.set_tag_filter(None)

    # Urgent: first after the offers, before the longer wait.
    assert cl.proxies[MINE].conversation_ids()[:2] == [a["id"], b["id"]]
    assert win.priority_actions["normal"].isChecked()
    win.priority_actions["urgent"].trigger()
    qtbot.waitUntil(lambda: row_of(win, b["id"]).get("priority") == "urgent", timeout=10000)
    qtbot.waitUntil(lambda: cl.proxies[MINE].conversation_ids()[0] == b["id"], timeout=5000)
    assert win.priority_actions["urgent"].isChecked()
    ARTIFACTS.mkdir(exist_ok=True)
    sizes = win.main_split.sizes()
    win.main_split.setSizes([900, 300, 240])  # wide enough for the subject and its tags
    qtbot.wait(50)
    cl.grab().save(str(ARTIFACTS / "conversation-list-triage.png"))
    win.main_split.setSizes(sizes)

    # Snooze… until the customer replies: set aside, hidden from the default view.
    cl.select_conversation(a["id"], focus=True)
    qtbot.waitUntil(lambda: win.current_id == a["id"], timeout=5000)
    assert not win.wake_action.isEnabled()
    qtbot.keyClick(win, Qt.Key.Key_S, CTRL_SHIFT)
    qtbot.waitUntil(lambda: isinstance(win.dialog, SnoozeDialog), timeout=5000)
    snooze = win.dialog
    assert isinstance(snooze, SnoozeDialog)
    qtbot.waitUntil(snooze.isVisible, timeout=5000)
    qtbot.waitUntil(snooze.isActiveWindow, timeout=5000)
    assert snooze.choice() == "reply", "until the customer replies is the first choice"
    qtbot.keyClick(QApplication.focusWidget() or snooze, Qt.Key.Key_Return, CTRL)
    qtbot.waitUntil(lambda: row_of(win, a["id"]).get("snooze_mode") == "reply", timeout=10000)
    assert a["id"] not in cl.proxies[MINE].conversation_ids()
    cl.state_filter.setCurrentIndex(cl.state_filter.findData(SNOOZED))
    assert cl.proxies[MINE].conversation_ids() == [a["id"]]
    assert cl.select_conversation(a["id"])
    shown = cl.proxies[MINE].index(0, Column.STATE).data()
    assert shown == "Snoozed until the customer replies"
    cl.grab().save(str(ARTIFACTS / "conversation-list-snoozed.png"))
    cl.state_filter.setCurrentIndex(0)

    # The customer writes: woken, unread, back in the list, and the bar says so.
    win.conversation_list.select_conversation(b["id"])
    with qtbot.waitSignal(win.session.conversationWoken, timeout=20000) as woke:
        first.say("Any news?")
    assert woke.args[1] == "customer"
    qtbot.waitUntil(lambda: row_of(win, a["id"]).get("snooze_mode") is None, timeout=5000)
    assert win.model.is_unread(a["id"])
    assert a["id"] in cl.proxies[MINE].conversation_ids()
    assert "back from snooze" in win.statusBar().currentMessage()
    first.leave()
    second.leave()


def test_the_new_actions_are_in_f1_and_off_without_an_active_conversation(
    qtbot: QtBot, window: MainWindow
) -> None:
    keys = [k for k, _what in window.shortcuts()]
    assert "Ctrl+Shift+G" in keys and "Ctrl+Shift+S" in keys
    window.current_id = None
    window._update_triage_actions()
    assert not window.tags_action.isEnabled() and not window.snooze_action.isEnabled()
    assert not window.wake_action.isEnabled() and not window.priority_menu.isEnabled()
    window.edit_tags()
    assert window.dialog is None
    assert window.statusBar().currentMessage() == "Select one of your active conversations first."


def test_a_conversation_snoozed_until_a_time_wakes_at_it(
    qtbot: QtBot, window: MainWindow, demo_gateway: EmbeddedGateway
) -> None:
    win = window
    cl = win.conversation_list
    be_available(qtbot, win)
    visitor = Visitor(qtbot, demo_gateway.url)
    c = offer_from(qtbot, win, visitor, "Call me back later")
    accept_with_key(qtbot, win, c["id"])
    woken: list[str] = []
    win.session.conversationWoken.connect(
        lambda conv, why: woken.append(why) if conv["id"] == c["id"] else None
    )
    until = (datetime.now(UTC) + timedelta(seconds=3)).isoformat()
    win.session.snooze(c["id"], until=until)
    qtbot.waitUntil(lambda: row_of(win, c["id"]).get("snooze_mode") == "until", timeout=10000)
    assert c["id"] not in cl.proxies[MINE].conversation_ids()
    state = win.model.index(win.model.row_of(c["id"]) or 0, Column.STATE).data()
    assert state.startswith("Snoozed until ")
    qtbot.waitUntil(lambda: woken == ["time"], timeout=20000)
    qtbot.waitUntil(lambda: c["id"] in cl.proxies[MINE].conversation_ids(), timeout=5000)
    assert win.model.is_unread(c["id"])
    assert "snooze of" in win.statusBar().currentMessage()
    visitor.leave()


def test_the_new_dialogs_and_filters_name_every_control(qtbot: QtBot, window: MainWindow) -> None:
    for dialog in (TagsDialog(["vip"], ["vip"], window), SnoozeDialog(window)):
        qtbot.addWidget(dialog)
        assert nameless_controls(dialog) == [], type(dialog).__name__
        assert dialog.accessibleName() and dialog.windowTitle()
    cl = window.conversation_list
    for combo in (cl.tag_filter, cl.priority_filter):
        assert combo.accessibleName() and combo.toolTip()
