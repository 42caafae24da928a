"""What the operator sees, measured on real widgets in both themes: drop-down lists show every
item, spin boxes have visible arrows, the sign-in dialog fits a gateway URL, the feed's delivery
marks exist in the font it draws them with, and nothing moves when the banner or call bar shows."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QApplication, QLineEdit, QStyle, QStyleOptionFrame
from pytestqt.qtbot import QtBot

from omnidesk_qt import themes
from omnidesk_qt.settings import Settings
from ui.dialogs import ConnectDialog
from ui.feed_model import DELIVERY_MARK, FeedModel
from ui.feed_view import FeedList
from ui.theme import apply_theme

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
