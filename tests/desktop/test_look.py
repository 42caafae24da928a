"""What the operator sees, measured on real widgets in both themes: drop-down lists show every
item, spin boxes have visible arrows, the sign-in dialog fits a gateway URL, the feed's delivery
marks exist in the font it draws them with, and nothing moves when the banner or call bar shows."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from omnidesk_qt import themes
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

