"""What the operator sees, measured on real widgets in both themes: drop-down lists show every
item, spin boxes have visible arrows, the sign-in dialog fits a gateway URL, the feed's delivery
marks exist in the font it draws them with, and nothing moves when the banner or call bar shows."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QRect
from PySide6.QtGui import QColor, QFontMetrics
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QLineEdit,
    QSpinBox,
    QStackedWidget,
    QStyle,
    QStyleOptionFrame,
    QStyleOptionSpinBox,
    QWidget,
)
from pytestqt.qtbot import QtBot

from omnidesk_qt import themes
from omnidesk_qt.client import Credentials
from omnidesk_qt.outbox import Outbox
from omnidesk_qt.session import Session
from omnidesk_qt.settings import Settings
from ui.dialogs import ConnectDialog
from ui.feed_model import DELIVERY_MARK, FeedModel
from ui.feed_view import FeedList
from ui.main_window import MainWindow
from ui.settings_dialog import SettingsDialog
from ui.theme import apply_theme, colour

pytestmark = pytest.mark.usefixtures("isolated_dirs")


@pytest.fixture(params=themes.THEMES)
def theme(request: pytest.FixtureRequest, qapp: QApplication) -> Iterator[str]:
    apply_theme(qapp, request.param)
    try:
        yield request.param
    finally:
        qapp.setStyleSheet("")
        qapp.setPalette(qapp.style().standardPalette())


def test_every_delivery_mark_is_in_the_feed_font(qtbot: QtBot, theme: str) -> None:
    """Debian's default fonts (DejaVu) have no hourglass: a pending reply showed an empty box."""
    model = FeedModel()
    feed = FeedList(model)
    qtbot.addWidget(feed)
    feed.show()
    qtbot.waitExposed(feed)
    metrics = QFontMetrics(feed.delegate.font["small"])
    missing = {
        state: ch
        for state, mark in DELIVERY_MARK.items()
        for ch in mark
        if not metrics.inFontUcs4(ord(ch))
    }
    assert missing == {}


def line_edit_text_width(edit: QLineEdit) -> int:
    """The width QLineEdit draws its text in: the style's contents rect (frame, style sheet
    padding) less the edit's text margins and its own 2 px a side."""
    opt = QStyleOptionFrame()
    edit.initStyleOption(opt)
    rect = edit.style().subElementRect(QStyle.SubElement.SE_LineEditContents, opt, edit)
    margins = edit.textMargins()
    return rect.width() - margins.left() - margins.right() - 2 * 2


def test_the_sign_in_dialog_shows_a_long_gateway_address_whole(
    qtbot: QtBot, theme: str, tmp_path: Path
) -> None:
    url = "wss://omnidesk.example-company.ru:8765/ws"
    settings = Settings(tmp_path / "s.json", site_config=tmp_path / "site.toml")
    dialog = ConnectDialog(settings, url=url, username="agent2")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    edit = dialog.url
    assert edit.text() == url
    assert edit.fontMetrics().horizontalAdvance(url) <= line_edit_text_width(edit)


def clipped_items(qtbot: QtBot, combo: QComboBox) -> list[str]:
    """Open ``combo``'s list; the items whose row it does not show whole, in height or width (a
    short list is never meant to scroll)."""
    combo.showPopup()
    view = combo.view()
    popup = view.window()
    qtbot.waitUntil(popup.isVisible, timeout=2000)
    qtbot.wait(20)
    shown = view.viewport().rect()
    model = combo.model()
    clipped = []
    for row in range(model.rowCount()):
        rect = view.visualRect(model.index(row, combo.modelColumn()))
        if not view.isRowHidden(row) and not shown.contains(rect):
            clipped.append(
                f"{combo.objectName() or combo.accessibleName()}: {combo.itemText(row)!r}"
            )
    combo.hidePopup()
    qtbot.waitUntil(lambda: not popup.isVisible(), timeout=2000)
    return clipped


def show_page(qtbot: QtBot, widget: QWidget) -> None:
    """Bring up the tab ``widget`` is on."""
    page = widget.parentWidget()
    while page is not None and not isinstance(page.parentWidget(), QStackedWidget):
        page = page.parentWidget()
    if page is not None:
        stack = page.parentWidget()
        assert isinstance(stack, QStackedWidget)
        stack.setCurrentWidget(page)
    qtbot.waitUntil(widget.isVisible, timeout=2000)
    qtbot.wait(10)


# The offscreen platform cannot raise a popup or grab the keyboard for it; it says so.
popup_warnings = pytest.mark.qt_log_ignore(
    "This plugin does not support raise", "This plugin does not support grabbing"
)


@popup_warnings
def test_the_settings_drop_downs_show_every_item(qtbot: QtBot, theme: str) -> None:
    dialog = SettingsDialog(Settings())
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    combos = dialog.findChildren(QComboBox)
    assert len(combos) >= 3
    clipped: list[str] = []
    for combo in combos:
        if combo.count() > combo.maxVisibleItems():
            continue
        show_page(qtbot, combo)
        clipped += clipped_items(qtbot, combo)
    assert clipped == []


@pytest.fixture
def offline_window(qtbot: QtBot, data_dir: Path) -> MainWindow:
    """The main window of a session never started: its layout, without a gateway."""
    session = Session(
        "ws://127.0.0.1:9/ws", Credentials("agent", "agent"), Outbox(data_dir / "o.db")
    )
    win = MainWindow(session, Settings())
    qtbot.addWidget(win)
    win.resize(1280, 800)
    win.show()
    qtbot.waitExposed(win)
    return win


@popup_warnings
def test_the_main_window_drop_downs_show_every_item(
    qtbot: QtBot, theme: str, offline_window: MainWindow
) -> None:
    combos = [c for c in offline_window.findChildren(QComboBox) if c.isVisible()]
    assert combos, "the presence drop-down at least"
    clipped: list[str] = []
    for combo in combos:
        if 0 < combo.count() <= combo.maxVisibleItems():
            enabled = combo.isEnabled()
            combo.setEnabled(True)  # signed in, presence can be chosen
            clipped += clipped_items(qtbot, combo)
            combo.setEnabled(enabled)
    assert len(combos) >= 3
    assert clipped == []


def near(a: QColor, b: QColor, tolerance: int = 24) -> bool:
    return max(abs(a.red() - b.red()), abs(a.green() - b.green()), abs(a.blue() - b.blue())) <= (
        tolerance
    )


def test_the_settings_spin_boxes_show_their_arrows(
    qtbot: QtBot, qapp: QApplication, theme: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each arrow button has pixels of the theme's text colour (the arrow) on a background of
    its own: before, the dark theme drew near-black arrows on the dark surface. The arrows'
    images are found from any working directory."""
    monkeypatch.chdir(tmp_path)
    apply_theme(qapp, theme)
    dialog = SettingsDialog(Settings())
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    spins = dialog.findChildren(QSpinBox)
    assert spins
    background = colour("alt")
    unseen: list[str] = []
    for spin in spins:
        show_page(qtbot, spin)
        arrow = colour("text" if spin.isEnabled() else "disabled")
        image = spin.grab().toImage()
        opt = QStyleOptionSpinBox()
        spin.initStyleOption(opt)
        for part in (QStyle.SubControl.SC_SpinBoxUp, QStyle.SubControl.SC_SpinBoxDown):
            rect = spin.style().subControlRect(QStyle.ComplexControl.CC_SpinBox, opt, part, spin)
            pixels = [
                image.pixelColor(x, y)
                for x in range(rect.left(), rect.right() + 1)
                for y in range(rect.top(), rect.bottom() + 1)
            ]
            drawn = sum(near(p, arrow) for p in pixels)
            behind = sum(near(p, background, 4) for p in pixels)
            if drawn < 6 or behind < len(pixels) // 2:
                unseen.append(f"{spin.objectName()} {part.name}: {drawn} arrow, {behind} button")
    assert unseen == []


def places(win: MainWindow) -> dict[str, QRect]:
    """Where the panes are on the screen."""
    return {
        name: QRect(widget.mapToGlobal(QPoint(0, 0)), widget.size())
        for name, widget in (
            ("list", win.conversation_list),
            ("feed", win.feed),
            ("card", win.customer_card),
        )
    }


def test_the_panes_stay_put_when_the_banner_and_the_call_bar_show(
    qtbot: QtBot, theme: str, offline_window: MainWindow
) -> None:
    """The row under the pointer must not move away when the connection drops or a call rings."""
    win = offline_window
    win._connection_changed("online", "")
    qtbot.wait(20)
    before = places(win)
    win._connection_changed("reconnecting", "5")
    qtbot.waitUntil(win.banner.isVisible, timeout=2000)
    qtbot.wait(20)
    assert places(win) == before, "the banner pushed the panes"
    assert win.banner.visibleRegion().boundingRect().height() >= win.banner.fontMetrics().height()
    win.call_bar.operator_id = 7
    call = {"id": 1, "channel": "voice", "state": "offered", "offered_to": 7, "customer_id": 5}
    win.call_bar.track(call)
    qtbot.waitUntil(win.call_bar.isVisible, timeout=2000)
    qtbot.wait(20)
    assert places(win) == before, "the call bar pushed the panes"
    answer = win.call_bar.answer_button
    assert answer.visibleRegion().boundingRect().size() == answer.size(), "the bar shows whole"
    win._connection_changed("online", "")
    win.call_bar.track({**call, "state": "ended"})
    qtbot.waitUntil(lambda: not win.call_bar.isVisible() and not win.banner.isVisible())
    qtbot.wait(20)
    assert places(win) == before
