"""Files on the desktop (docs/protocol.md §8) against the embedded demo gateway: the operator
attaches files through the composer and the web-chat visitor gets them; a visitor's file shows
in the operator's feed and opens by downloading it into a private folder; files the gateway
would refuse fail on their chip and are not sent. And a rating (CSAT) item in the feed."""

from __future__ import annotations

import asyncio
import json
import os
import stat
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from omnidesk_qt.embedded import EmbeddedGateway
from omnidesk_qt.session import Session
from omnidesk_qt.settings import Settings
from omnidesk_qt.uploads import MAX_BYTES
from tests.desktop.test_composer import StandInSession, live
from tests.support.desk import answered, run, serve_visitor, wait_nudging
from tests.support.opclient import ChatVisitor
from ui.attachments import FAILED, READY
from ui.composer import Composer
from ui.feed_model import FeedRole
from ui.feed_view import FeedView

pytestmark = pytest.mark.usefixtures("isolated_dirs")
__all__ = ["live"]  # the live session fixture, shared with the composer's tests

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(64))
EXE = b"MZ\x90\x00\x03" + b"\x00" * 200


Desk = tuple[Session, QWidget, FeedView, Composer, ChatVisitor, int]


@pytest.fixture
def desk(
    qtbot: QtBot, live: tuple[Session, list[int]], demo_gateway: EmbeddedGateway
) -> Iterator[Desk]:
    """A web-chat visitor wrote; the operator accepted and has the card open in feed and
    composer."""
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
    name = f"Файлов Посетитель {uuid.uuid4().hex[:6]}"
    visitor, conv_id, customer_id, card = serve_visitor(
        qtbot, session, demo_gateway.url, name, "Здравствуйте, пришлю фото"
    )
    taken.append(conv_id)
    try:
        feed.show_customer(card)
        composer.set_customer(card, conv_id)
        assert composer.current_channel() == "webchat"
        yield session, window, feed, composer, visitor, customer_id
    finally:
        run(visitor.close(), qtbot)


def test_files_attached_in_the_composer_reach_the_visitor_and_refused_ones_do_not(
    qtbot: QtBot, desk: Desk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    session, _window, _feed, composer, visitor, _customer = desk
    png = tmp_path / "photo.png"
    png.write_bytes(PNG)
    txt = tmp_path / "notes.txt"
    txt.write_text("Номер заказа 10234\n", encoding="utf-8")
    exe = tmp_path / "setup.png"  # named like an image; the gateway looks at the content
    exe.write_bytes(EXE)
    big = tmp_path / "huge.pdf"
    with big.open("wb") as f:
        f.truncate(MAX_BYTES + 1)  # sparse: refused before a byte is read or sent
    picked = [[str(png), str(txt), str(exe)], [str(big)]]
    monkeypatch.setattr(
        QFileDialog, "getOpenFileNames", staticmethod(lambda *a, **k: (picked.pop(0), ""))
    )
    assert composer.attach_button.isEnabled()
    qtbot.mouseClick(composer.attach_button, Qt.MouseButton.LeftButton)
    composer.editor.setFocus()
    qtbot.keyClick(
        composer.editor,
        Qt.Key.Key_U,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert picked == []
    chips = composer.attachments.chips
    assert [c.name for c in chips] == ["photo.png", "notes.txt", "setup.png", "huge.pdf"]
    assert chips[3].state == FAILED and chips[3].reason == "file_too_large"
    assert "not attached" in chips[3].label.text()
    qtbot.waitUntil(lambda: not composer.attachments.busy(), timeout=20000)
    assert [c.state for c in chips] == [READY, READY, FAILED, FAILED]
    assert chips[2].reason == "file_type_not_allowed"
    assert "not accepted" in chips[2].label.text()
    assert "photo.png" in chips[0].label.text()
    ids = composer.attachments.ready_ids()
    assert len(ids) == 2

    # Files alone may go: the text is empty.
    sends = answered(session, "message.send")
    assert composer.send_button.isEnabled()
    qtbot.mouseClick(composer.send_button, Qt.MouseButton.LeftButton)
    assert composer.attachments.chips == [] and composer.attachments.isHidden()
    wait_nudging(qtbot, session, lambda: bool(sends))
    item = sends[0][1]["item"]
    assert [f["id"] for f in item["attachments"]] == ids
    got = run(visitor.recv_type("message"), qtbot)
    assert [f["name"] for f in got["attachments"]] == ["photo.png", "notes.txt"]
    assert [f["mime"] for f in got["attachments"]] == ["image/png", "text/plain"]


def test_a_visitors_file_shows_in_the_feed_and_opens_from_a_private_download(
    qtbot: QtBot, desk: Desk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    session, _window, feed, _composer, visitor, customer_id = desk
    opened: list[str] = []

    def open_url(url: QUrl) -> bool:
        opened.append(url.toLocalFile())
        return True

    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(open_url))

    def visitor_upload() -> dict[str, Any]:
        query = urllib.parse.urlencode({"name": "чек.png"})
        request = urllib.request.Request(
            f"{session.client.http_url}/chat/files?{query}",
            data=PNG,
            method="POST",
            headers={"Authorization": f"Bearer {visitor.visitor_token}"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())  # type: ignore[no-any-return]

    view = run(asyncio.to_thread(visitor_upload), qtbot)

    async def send_it() -> dict[str, Any]:
        frame = {"type": "message", "id": "f-1", "text": "Вот чек", "attachments": [view["id"]]}
        await visitor.ws.send(json.dumps(frame))
        return await visitor.recv_type("ack", "error")

    assert run(send_it(), qtbot)["type"] == "ack"

    def file_row() -> int | None:
        for r in range(feed.model.rowCount()):
            if feed.model.index(r).data(FeedRole.ATTACHMENTS):
                return r
        return None

    qtbot.waitUntil(lambda: file_row() is not None, timeout=20000)
    row = file_row()
    assert row is not None
    index = feed.model.index(row)
    [attachment] = index.data(FeedRole.ATTACHMENTS)
    assert attachment["name"] == "чек.png" and attachment["url"].startswith("/files/")
    assert "чек.png" in index.data(Qt.ItemDataRole.AccessibleTextRole)
    # The file is a link in the bubble; a click downloads it and opens the download.
    feed.list.scrollTo(index)
    qtbot.waitUntil(feed.list.laid_out, timeout=5000)
    lay = feed.delegate.layout_for(feed.model.row_at(row))
    [(rect, link)] = [(r, u) for r, u in lay.links if u.startswith("omnidesk-attachment:")]
    assert link == f"omnidesk-attachment:{attachment['id']}"
    top = feed.list.visualRect(index).topLeft()
    where = QPoint(top.x() + int(rect.center().x()), top.y() + int(rect.center().y()))
    qtbot.mouseClick(feed.list.viewport(), Qt.MouseButton.LeftButton, pos=where)
    qtbot.waitUntil(lambda: bool(opened), timeout=20000)
    saved = Path(opened[0])
    assert saved.name == "чек.png" and saved.read_bytes() == PNG
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600
    assert stat.S_IMODE(saved.parent.stat().st_mode) == 0o700
    assert str(saved).startswith(os.environ["OMNIDESK_DATA_DIR"])
    # Enter on the item does the same.
    feed.list.setCurrentIndex(index)
    feed.list.setFocus()
    qtbot.keyClick(feed.list, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: len(opened) == 2, timeout=20000)
    assert Path(opened[1]).read_bytes() == PNG
    assert customer_id == feed.customer_id


def test_a_channel_without_files_refuses_to_attach(qtbot: QtBot, tmp_path: Path) -> None:
    session = StandInSession()
    composer = Composer(session, Settings())  # type: ignore[arg-type]
    qtbot.addWidget(composer)
    card = {
        "customer": {"id": 5, "name": "Пётр"},
        "identities": [{"kind": "phone", "value": "+79165551234", "verified": True}],
        "timeline": {"items": []},
    }
    composer.set_customer(card, None)
    assert composer.current_channel() not in (None, "webchat")
    assert not composer.attach_button.isEnabled()
    assert "cannot carry files" in composer.attach_button.toolTip()
    png = tmp_path / "a.png"
    png.write_bytes(PNG)
    composer.attach_files([png])
    assert composer.attachments.chips == []
    assert "cannot carry files" in composer.hint.text()


def test_a_rating_shows_its_stars_and_comment(qtbot: QtBot) -> None:
    session = StandInSession()
    view = FeedView(session, open_links=False)  # type: ignore[arg-type]
    view.resize(560, 480)
    qtbot.addWidget(view)
    view.show()
    qtbot.waitExposed(view)
    item = {
        "id": 58,
        "customer_id": 12,
        "conversation_id": 7,
        "kind": "csat",
        "channel": "webchat",
        "direction": "in",
        "author": "Пётр",
        "author_operator_id": None,
        "subject": "",
        "body": "Быстро, спасибо",
        "attachments": [],
        "extra": {"rating": 4},
        "delivery": None,
        "at": datetime.now(UTC).isoformat(),
    }
    view.show_customer({"customer": {"id": 12}, "timeline": {"items": [item], "cursor": None}})
    row = view.model.row_of_id(58)
    assert row is not None
    index = view.model.index(row)
    assert index.data(FeedRole.TITLE) == "★★★★☆ Rating 4 of 5"
    assert index.data(Qt.ItemDataRole.DisplayRole) == "★★★★☆ Rating 4 of 5\nБыстро, спасибо"
    assert "rating" in index.data(Qt.ItemDataRole.AccessibleTextRole)
    lay = view.delegate.layout_for(view.model.row_at(row))
    assert lay.height > 0 and lay.links == []


def test_a_file_that_cannot_be_fetched_says_why_and_opens_nothing(
    qtbot: QtBot, live: tuple[Session, list[int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    session, _taken = live
    opened: list[QUrl] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(opened.append))
    feed = FeedView(session, open_links=False)
    qtbot.addWidget(feed)
    feed.show()
    qtbot.waitExposed(feed)
    gone = {"id": 987654, "name": "счёт.pdf", "size": 10, "mime": "application/pdf"}
    with qtbot.waitSignal(session.files.downloadFailed, timeout=20000) as failed:
        feed.open_attachment({**gone, "url": "/files/987654/" + "0" * 64})
    assert failed.args[1] == "not_found"
    assert feed.file_status.isVisible()
    assert feed.file_status.text() == "Could not open счёт.pdf: the file is no longer there"
    assert opened == []
