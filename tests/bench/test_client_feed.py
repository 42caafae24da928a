"""Opening a customer with 10,000 feed items, and a live message appended to that feed.

client.feed_open_ms    show_customer -> the feed's first paint completed (offscreen)
client.feed_append_ms  one live item appended, the view pinned to the bottom, until painted
"""

from __future__ import annotations

import statistics
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QListView
from pytestqt.qtbot import QtBot

from tests.bench.conftest import Figures
from ui.feed_model import FeedModel

N = 10_000
KINDS = ["message", "message", "message", "email", "call", "note", "purchase"]
CHANNELS = ["webchat", "telegram", "whatsapp", "sms", "email", "voice"]


def item(i: int, start: datetime) -> dict[str, Any]:
    kind = KINDS[i % len(KINDS)]
    return {
        "id": i + 1,
        "customer_id": 7,
        "conversation_id": 1,
        "kind": kind,
        "channel": "email" if kind == "email" else CHANNELS[i % len(CHANNELS)],
        "direction": "in" if i % 2 else "out",
        "author": "Анна Смирнова" if i % 2 == 0 else "",
        "subject": "Вопрос по заказу" if kind == "email" else "",
        "body": (
            "<p>Здравствуйте!</p><p>Подскажите, пожалуйста, когда придёт заказ "
            f"ORD-2026-{i:06d}?</p>"
        )
        if kind == "email"
        else f"Сообщение номер {i}",
        "attachments": [],
        "extra": {"duration_s": 125, "disposition": "resolved"},
        "delivery": "read" if i % 2 == 0 else None,
        "at": (start + timedelta(minutes=7 * i)).isoformat(),
    }


class PaintWatch(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.painted = 0

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.painted += 1
        return False


@pytest.mark.timeout(300)
def test_feed_open_and_append(qtbot: QtBot, figures: Figures) -> None:
    start = datetime.now(UTC) - timedelta(days=60)
    items = [item(i, start) for i in range(N)]
    page = {"items": list(reversed(items)), "cursor": None}  # the gateway sends newest first
    model = FeedModel()
    view = QListView()
    view.setObjectName("Feed")
    view.setWordWrap(True)
    view.setLayoutMode(QListView.LayoutMode.Batched)
    view.setBatchSize(100)
    view.setVerticalScrollMode(QListView.ScrollMode.ScrollPerPixel)
    view.setModel(model)
    view.resize(700, 700)
    qtbot.addWidget(view)
    view.show()
    qtbot.waitExposed(view)
    watch = PaintWatch()
    view.viewport().installEventFilter(watch)

    opens = []
    for _ in range(3):
        model.show(0, {"items": [], "cursor": None})
        qtbot.wait(50)
        before = watch.painted
        t0 = time.perf_counter()
        model.show(7, page)
        view.scrollToBottom()
        view.viewport().repaint()
        qtbot.waitUntil(lambda b=before: watch.painted > b, timeout=5000)
        opens.append((time.perf_counter() - t0) * 1000)
    figures.record("client.feed_open_ms", min(opens))

    appends = []
    for k in range(50):
        live = item(N + k, start + timedelta(days=61))
        before = watch.painted
        t0 = time.perf_counter()
        model.append(live)
        view.scrollToBottom()
        view.viewport().repaint()
        appends.append((time.perf_counter() - t0) * 1000)
        assert watch.painted > before
    figures.record("client.feed_append_ms", statistics.median(appends))
    assert model.rowCount() == N + 50
    assert min(opens) <= 150
    assert statistics.median(appends) <= 5
