"""The unified feed: the model on 10,000 synthetic items, and the view against a real gateway.

Model: a window of the history with day separators, paging at the top (reserve first, then
the gateway), dedupe, delivery states, the operator's pending replies replaced in place.
View: a web-chat customer's message shows, a live one follows at the bottom, scrolling to the
top brings older items from the gateway without moving what the user is reading.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import (
    QCoreApplication,
    QLocale,
    QModelIndex,
    QObject,
    QPoint,
    Qt,
    QTime,
    QTranslator,
    Signal,
)
from PySide6.QtWidgets import QAbstractSlider, QApplication
from pytestqt.qtbot import QtBot

from omnidesk_qt.client import Credentials
from omnidesk_qt.embedded import EmbeddedGateway
from omnidesk_qt.outbox import Outbox
from omnidesk_qt.replies import PendingReplies
from omnidesk_qt.session import Session
from tests.support.desk import run, wait_nudging
from tests.support.opclient import ChatVisitor
from ui.dialogs import DISPOSITIONS
from ui.feed_model import FeedModel, FeedRole, local_time
from ui.feed_view import FeedView

CUSTOMER = 7
N = 10_000
KINDS = ["message", "message", "message", "email", "call", "note", "purchase", "status_change"]
CHANNELS = ["webchat", "telegram", "whatsapp", "sms"]
ROOT = QModelIndex()
ROOT_DIR = Path(__file__).resolve().parents[2]


def synthetic(i: int, at: datetime, customer: int = CUSTOMER) -> dict[str, Any]:
    kind = KINDS[i % len(KINDS)]
    direction = {"note": "internal", "purchase": "internal", "status_change": "internal"}.get(
        kind, "in" if i % 2 else "out"
    )
    channel = {"email": "email", "call": "voice"}.get(kind, CHANNELS[i % len(CHANNELS)])
    if kind in ("note", "purchase", "status_change"):
        channel = None
    body = f"Сообщение {i}"
    if kind == "email":
        body = f'<p>Письмо {i}</p><script>alert({i})</script><a href="javascript:x()">x</a>'
    return {
        "id": i + 1,
        "customer_id": customer,
        "conversation_id": 1 + i // 100,
        "kind": kind,
        "channel": channel,
        "direction": direction,
        "author": f"Автор {i % 5}",
        "subject": f"Тема {i}" if kind == "email" else "",
        "body": body,
        "attachments": [],
        "extra": {"duration_s": 65, "disposition": "resolved"} if kind == "call" else {},
        "delivery": "delivered" if direction == "out" else None,
        "at": at.isoformat(),
    }


def history(n: int, end: datetime | None = None) -> list[dict[str, Any]]:
    """n items 7 minutes apart (about 50 days for 10,000), oldest first, the last just now."""
    end = end or datetime.now(UTC) - timedelta(minutes=1)
    return [synthetic(i, end - timedelta(minutes=7 * (n - 1 - i))) for i in range(n)]


def page(items: list[dict[str, Any]], cursor: int | None = None) -> dict[str, Any]:
    return {"items": list(reversed(items)), "cursor": cursor}  # the gateway: newest first


def rows(model: FeedModel) -> list[tuple[bool, Any]]:
    """(is separator, item id or day) for every row."""
    out = []
    for r in range(model.rowCount()):
        idx = model.index(r)
        sep = bool(idx.data(FeedRole.IS_SEPARATOR))
        out.append((sep, idx.data(FeedRole.DAY) if sep else idx.data(FeedRole.ITEM_ID)))
    return out


def reveal_all(model: FeedModel) -> None:
    model.set_near_top(True)
    while model.canFetchMore(ROOT):
        model.fetchMore(ROOT)


def check_consistent(model: FeedModel) -> None:
    """Separators: one before each day, in order, none empty; items in id order; the id and
    key indexes point at the right rows."""
    last_day: date | None = None
    last_id = 0
    current_sep: date | None = None
    for r in range(model.rowCount()):
        row = model.row_at(r)
        if row.is_separator:
            assert last_day is None or row.day > last_day, f"row {r}: separators out of order"
            assert r + 1 < model.rowCount() and not model.row_at(r + 1).is_separator
            current_sep = last_day = row.day
            continue
        assert current_sep is not None, "the first row is a day separator"
        assert row.day == current_sep
        assert row.dt is not None and row.dt.date() == row.day
        iid = row.id
        if iid is not None:
            assert iid > last_id, "oldest at the top, no duplicates"
            last_id = iid
            assert model.row_of_id(iid) == r
        if row.key:
            assert model.row_of_key(row.key) == r


# ==============================================================================================
# the model
# ==============================================================================================
def test_model_with_10000_items_window_paging_separators_and_data(qapp: Any) -> None:
    items = history(N)
    model = FeedModel(page_size=50)
    model.show(CUSTOMER, page(items))
    # The window: the newest page only, with its separators; the rest waits in the reserve.
    ids = [v for sep, v in rows(model) if not sep]
    assert ids == [it["id"] for it in items[-50:]]
    assert model.reserve_size() == N - 50
    assert len(model.texts()) == N
    # Qt's views ask for more at their bottom: nothing happens until the top is near.
    assert not model.canFetchMore(ROOT)
    model.fetchMore(ROOT)
    assert model.reserve_size() == N - 50
    inserted: list[tuple[int, int]] = []
    model.rowsInserted.connect(lambda _p, first, last: inserted.append((first, last)))
    reveal_all(model)
    assert model.reserve_size() == 0 and not model.has_older()
    assert all(first == 0 for first, _last in inserted), "older pages go on top"
    check_consistent(model)

    # Every item once, in order, under the right day; one separator per day.
    days = sorted({local_time(it["at"]).date() for it in items})
    seps = [v for sep, v in rows(model) if sep]
    assert seps == days
    assert [v for sep, v in rows(model) if not sep] == [it["id"] for it in items]
    assert model.rowCount() == N + len(days)

    today, yesterday = date.today(), date.today() - timedelta(days=1)
    tr = QCoreApplication.translate
    locale = QLocale()
    by_id = {it["id"]: it for it in items}
    for r in range(model.rowCount()):
        idx = model.index(r)
        row = model.row_at(r)
        if row.is_separator:
            text = idx.data(Qt.ItemDataRole.DisplayRole)
            if row.day == today:
                assert text == tr("FeedModel", "Today")
            elif row.day == yesterday:
                assert text == tr("FeedModel", "Yesterday")
            else:
                assert text and text not in (tr("FeedModel", "Today"), tr("FeedModel", "Yesterday"))
            assert idx.data(FeedRole.KIND) is None
            continue
        it = by_id[idx.data(FeedRole.ITEM_ID)]
        assert idx.data(FeedRole.KIND) == it["kind"]
        assert idx.data(FeedRole.CHANNEL) == it["channel"]
        assert idx.data(FeedRole.DIRECTION) == it["direction"]
        assert idx.data(FeedRole.AUTHOR) == it["author"]
        assert idx.data(FeedRole.SUBJECT) == it["subject"]
        assert idx.data(FeedRole.DELIVERY) == it["delivery"]
        assert idx.data(FeedRole.ITEM) == it
        at = local_time(it["at"])
        expected_time = locale.toString(QTime(at.hour, at.minute), QLocale.FormatType.ShortFormat)
        assert idx.data(FeedRole.TIME_TEXT) == expected_time
        body = idx.data(FeedRole.BODY)
        if it["kind"] == "email":
            assert f"<p>Письмо {it['id'] - 1}</p>" in body
            assert "script" not in body and "javascript" not in body
            cached = model.data(idx, FeedRole.BODY)  # no QVariant in between
            assert model.data(idx, FeedRole.BODY) is cached, "sanitised once, then kept"
        else:
            assert body == it["body"]
        if it["kind"] == "call":
            assert "1:05" in idx.data(FeedRole.TITLE)
        assert idx.data(Qt.ItemDataRole.AccessibleTextRole)
    # Formatted text is kept: asking again gives the very same objects.
    mid = model.row_at(model.rowCount() // 2)
    assert model.row_text(mid) is model.row_text(mid)


def test_paging_from_the_gateway_after_the_reserve(qapp: Any) -> None:
    items = history(180)
    model = FeedModel(page_size=50)
    asked: list[tuple[int, int]] = []
    model.olderWanted.connect(lambda cid, before: asked.append((cid, before)))
    # The card's first page: 60 items, more at the gateway before the oldest of them.
    first = items[-60:]
    model.show(CUSTOMER, page(first, cursor=first[0]["id"]))
    model.set_near_top(True)
    model.fetchMore(ROOT)  # the 10 of the card beyond the first 50
    assert model.reserve_size() == 0 and asked == []
    model.fetchMore(ROOT)
    assert asked == [(CUSTOMER, first[0]["id"])]
    assert model.loading and not model.canFetchMore(ROOT)
    model.fetchMore(ROOT)
    assert len(asked) == 1, "one page at a time"
    # The gateway answers (newest first), overlapping what is held: only older items come in.
    older = items[60:120]
    assert model.add_page(page(older + items[120:125], cursor=older[0]["id"])) == 60
    assert not model.loading and model.cursor == older[0]["id"]
    check_consistent(model)
    model.fetchMore(ROOT)
    assert asked[-1] == (CUSTOMER, older[0]["id"])
    model.older_failed()  # offline: may be asked again
    assert model.canFetchMore(ROOT)
    model.fetchMore(ROOT)
    assert model.add_page(page(items[:60], cursor=None)) == 60
    assert not model.has_older()
    assert [v for sep, v in rows(model) if not sep] == [it["id"] for it in items]
    check_consistent(model)


def test_a_page_ending_on_the_window_s_first_day_shares_its_separator(qapp: Any) -> None:
    day = datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0)
    items = [
        synthetic(i, day - timedelta(days=1 if i < 3 else 0, minutes=60 - i)) for i in range(8)
    ]
    model = FeedModel(page_size=3)
    model.show(CUSTOMER, page(items[-3:], cursor=items[-3]["id"]))
    assert [sep for sep, _v in rows(model)] == [True, False, False, False]
    model.set_near_top(True)
    model.fetchMore(ROOT)
    model.add_page(page(items[:5], cursor=None))
    check_consistent(model)
    assert sum(1 for sep, _v in rows(model) if sep) == len(
        {local_time(it["at"]).date() for it in items}
    )


def test_live_items_dedupe_and_separators(qapp: Any) -> None:
    now = datetime.now(UTC)
    yesterday = [synthetic(i, now - timedelta(days=1, minutes=30 - i)) for i in range(5)]
    model = FeedModel()
    model.show(CUSTOMER, page(yesterday))
    n = model.rowCount()
    # A live item today: its day's separator comes with it.
    live = synthetic(100, now)
    assert model.append_item(live) == n + 1
    assert model.rowCount() == n + 2 and model.row_at(n).is_separator
    # The same item again (an update): the row changes, nothing is added.
    changed: list[int] = []
    model.dataChanged.connect(lambda a, _b: changed.append(a.row()))
    again = dict(live, body="исправлено")
    assert model.append_item(again) == n + 1
    assert model.rowCount() == n + 2 and changed == [n + 1]
    assert model.index(n + 1).data(FeedRole.BODY) == "исправлено"
    # Another customer's item is not this feed's; a page with duplicates shows each item once.
    assert model.append_item(synthetic(101, now, customer=8)) is None
    model.show(CUSTOMER, page(yesterday + yesterday[2:]))
    assert [v for sep, v in rows(model) if not sep] == [it["id"] for it in yesterday]
    check_consistent(model)


def test_delivery_moves_forward_only(qapp: Any) -> None:
    items = history(120)
    out = [it for it in items if it["direction"] == "out"]
    for it in out:
        it["delivery"] = "sent"
    model = FeedModel(page_size=50)
    model.show(CUSTOMER, page(items))
    shown, held = out[-1], out[0]  # in the window / still in the reserve
    row = model.row_of_id(shown["id"])
    assert row is not None
    assert model.set_delivery(shown["id"], "delivered") == row
    assert model.index(row).data(FeedRole.DELIVERY) == "delivered"
    assert model.set_delivery(shown["id"], "sent") is None, "a late 'sent' after 'delivered'"
    assert model.index(row).data(FeedRole.DELIVERY) == "delivered"
    model.set_delivery(shown["id"], "read")
    assert model.index(row).data(FeedRole.DELIVERY) == "read"
    assert model.index(row).data(FeedRole.DELIVERY_TEXT) == QCoreApplication.translate(
        "FeedModel", "Read"
    )
    model.set_delivery(shown["id"], "failed", "the provider refused it")
    assert model.index(row).data(FeedRole.DELIVERY) == "failed"
    assert "the provider refused it" in model.index(row).data(Qt.ItemDataRole.ToolTipRole)
    # An item in the reserve gets its state when it shows; an unknown one when it arrives.
    assert model.set_delivery(held["id"], "read") is None
    assert model.set_delivery(99_999, "delivered") is None
    reveal_all(model)
    held_row = model.row_of_id(held["id"])
    assert held_row is not None
    assert model.index(held_row).data(FeedRole.DELIVERY) == "read"
    late = dict(synthetic(99_998, datetime.now(UTC)), id=99_999, direction="out", delivery="sent")
    r = model.append_item(late)
    assert r is not None and model.index(r).data(FeedRole.DELIVERY) == "delivered"


def local_reply(text: str, customer: int = CUSTOMER) -> dict[str, Any]:
    return {
        "id": None,
        "customer_id": customer,
        "conversation_id": 5,
        "kind": "message",
        "channel": "telegram",
        "direction": "out",
        "author": "Оператор",
        "subject": "",
        "body": text,
        "attachments": [],
        "extra": {},
        "delivery": "pending",
        "at": datetime.now(UTC).isoformat(),
    }


def test_pending_reply_is_replaced_in_place_by_the_real_item(qapp: Any) -> None:
    model = FeedModel()
    model.show(CUSTOMER, page(history(30)))
    r1 = model.add_local("key-1", local_reply("Первый ответ"))
    r2 = model.add_local("key-2", local_reply("Второй ответ"))
    assert r1 is not None and r2 == r1 + 1
    assert model.index(r1).data(FeedRole.DELIVERY) == "pending"
    assert model.index(r1).data(FeedRole.LOCAL_KEY) == "key-1"
    assert model.add_local("key-1", local_reply("Первый ответ")) == r1, "shown once"
    n = model.rowCount()
    # The command is done: the gateway's item takes the pending row's place.
    real1 = dict(local_reply("Первый ответ"), id=5001, delivery="pending")
    assert model.resolve_local("key-1", real1) == r1
    assert model.rowCount() == n
    assert model.index(r1).data(FeedRole.ITEM_ID) == 5001 and model.row_of_id(5001) == r1
    assert model.index(r1).data(FeedRole.LOCAL_KEY) == ""
    # The second one's item comes as an event before the command's answer: it takes over the
    # pending row; the answer then changes nothing, and a delivery that came even earlier
    # is not lost.
    model.set_delivery(5002, "sent")
    real2 = dict(local_reply("Второй ответ"), id=5002, delivery="pending")
    assert model.append_item(real2) == r2
    assert model.index(r2).data(FeedRole.DELIVERY) == "sent"
    assert model.resolve_local("key-2", real2) == r2
    assert model.rowCount() == n
    assert model.index(r2).data(FeedRole.DELIVERY) == "sent", "never back to pending"
    # A refused reply stays, marked failed with the reason.
    r3 = model.add_local("key-3", local_reply("Третий"))
    assert model.fail_local("key-3", "channel_unavailable") == r3
    assert model.index(r3).data(FeedRole.DELIVERY) == "failed"
    assert model.index(r3).data(FeedRole.ERROR) == "channel_unavailable"
    # The real item shown as a row of its own first (text differed): the pending row goes.
    r4 = model.add_local("key-4", local_reply("Четвёртый"))
    real4 = dict(local_reply("Четвёртый (исправлено)"), id=5004)
    assert model.append_item(real4) == r4 + 1
    assert model.resolve_local("key-4", real4) == r4
    assert model.rowCount() == r4 + 1
    check_consistent(model)


def test_trim_gives_the_top_back_and_scrolling_up_brings_it_again(qapp: Any) -> None:
    items = history(400)
    model = FeedModel(page_size=50)
    model.show(CUSTOMER, page(items))
    reveal_all(model)
    total = model.rowCount()
    gone = model.trim(60)
    assert gone > 0 and model.rowCount() == total - gone and model.rowCount() in (60, 61)
    assert model.reserve_size() > 0
    check_consistent(model)
    reveal_all(model)
    assert [v for sep, v in rows(model) if not sep] == [it["id"] for it in items]
    check_consistent(model)


def test_today_moves_on_at_midnight(qapp: Any) -> None:
    model = FeedModel()
    # Items of today only: just after midnight, "the last few minutes" would begin yesterday.
    noon = datetime.now().astimezone().replace(hour=12, minute=0, second=0, microsecond=0)
    model.show(CUSTOMER, page(history(5, end=noon.astimezone(UTC))))
    sep = model.index(0)
    today = sep.data(FeedRole.DAY)
    assert sep.data() == QCoreApplication.translate("FeedModel", "Today")
    assert model.refresh_today(today + timedelta(days=1))
    assert sep.data() == QCoreApplication.translate("FeedModel", "Yesterday")
    assert not model.refresh_today(today + timedelta(days=1))


# ==============================================================================================
# the view, against the embedded gateway
# ==============================================================================================
class Desk:
    """A signed-in operator (agent), available, and the conversations taken in a test."""

    def __init__(self, session: Session, gateway: EmbeddedGateway, qtbot: QtBot) -> None:
        self.session = session
        self.gateway = gateway
        self.qtbot = qtbot
        self.taken: list[int] = []
        self.visitors: list[ChatVisitor] = []

    def do(self, command: str, *calls: Any) -> None:
        """Run intents that queue ``command`` and wait until the gateway answered each."""
        answered: list[str] = []

        def done(name: str, *_rest: Any) -> None:
            if name == command:
                answered.append(name)

        self.session.commandDone.connect(done)
        self.session.commandFailed.connect(done)
        try:
            for call in calls:
                call()
            wait_nudging(self.qtbot, self.session, lambda: len(answered) >= len(calls))
        finally:
            self.session.commandDone.disconnect(done)
            self.session.commandFailed.disconnect(done)

    def chat(self, name: str, *texts: str) -> tuple[int, int]:
        """A web-chat customer writes; the offer is accepted. (conversation id, customer id)"""
        offers: list[dict[str, Any]] = []

        def offered(conv: dict[str, Any], customer: dict[str, Any]) -> None:
            if customer.get("name") == name:
                offers.append(conv)

        self.session.offerReceived.connect(offered)
        try:
            visitor = run(ChatVisitor.connect(self.gateway.url, name=name), self.qtbot)
            self.visitors.append(visitor)
            for text in texts:
                ack = run(visitor.say(text), self.qtbot)
                assert ack["type"] == "ack", ack
            self.qtbot.waitUntil(lambda: bool(offers), timeout=20000)
        finally:
            self.session.offerReceived.disconnect(offered)
        conv = offers[0]
        with self.qtbot.waitSignal(
            self.session.commandDone,
            timeout=20000,
            check_params_cb=lambda name, _key, _res: name == "conversation.accept",
        ):
            self.session.accept(int(conv["id"]))
        self.taken.append(int(conv["id"]))
        return int(conv["id"]), int(conv["customer_id"])

    def open(self, customer_id: int) -> dict[str, Any]:
        with self.qtbot.waitSignal(
            self.session.customerOpened,
            timeout=20000,
            check_params_cb=lambda card: card["customer"]["id"] == customer_id,
        ) as opened:
            self.session.open_customer(customer_id)
        card: dict[str, Any] = opened.args[0]
        return card

    def close(self) -> None:
        s = self.session
        self.do("conversation.end", *(lambda c=c: s.end(c) for c in self.taken))
        self.do("conversation.wrap_up", *(lambda c=c: s.wrap_up(c, "resolved") for c in self.taken))
        for visitor in self.visitors:
            run(visitor.close(), self.qtbot)


@pytest.fixture
def desk(
    qtbot: QtBot, aloop: asyncio.AbstractEventLoop, demo_gateway: EmbeddedGateway, data_dir: Path
) -> Iterator[Desk]:
    session = Session(demo_gateway.url, Credentials("agent", "agent"), Outbox(data_dir / "ob.db"))
    with qtbot.waitSignal(session.snapshotLoaded, timeout=20000):
        session.start()
    d = Desk(session, demo_gateway, qtbot)
    d.do("presence.set", lambda: session.set_presence("available"))
    yield d
    try:
        d.close()
    finally:
        run(session.stop(), qtbot)


def body_rows(view: FeedView) -> list[str]:
    m = view.model
    return [
        str(m.index(r).data(FeedRole.BODY))
        for r in range(m.rowCount())
        if not m.index(r).data(FeedRole.IS_SEPARATOR)
    ]


def last_row_visible(view: FeedView) -> bool:
    rect = view.list.visualRect(view.model.index(view.model.rowCount() - 1))
    return view.list.viewport().rect().contains(rect.center())


def test_feed_view_shows_a_web_chat_customer_and_follows_live_items(
    qtbot: QtBot, desk: Desk
) -> None:
    view = FeedView(desk.session, open_links=False)
    view.resize(560, 420)
    qtbot.addWidget(view)
    view.show()
    qtbot.waitExposed(view)
    assert view.objectName() == "Feed" and view.list.accessibleName()
    _conv, customer = desk.chat("Лидия Фидова", "Здравствуйте, где мой заказ?")
    card = desk.open(customer)
    view.show_customer(card)
    qtbot.waitUntil(lambda: "Здравствуйте, где мой заказ?" in body_rows(view), timeout=5000)
    last = view.model.index(view.model.rowCount() - 1)
    assert last.data(FeedRole.DIRECTION) == "in" and last.data(FeedRole.CHANNEL) == "webchat"
    assert last.data(FeedRole.AUTHOR) == "Лидия Фидова"
    assert view.model.index(0).data(FeedRole.IS_SEPARATOR)
    assert view.model.index(0).data() == QCoreApplication.translate("FeedModel", "Today")
    view.grab()  # paints every row kind shown without a warning
    assert view.is_pinned() and last_row_visible(view)
    # She writes again: it comes in at the bottom, and the view follows.
    visitor = desk.visitors[-1]
    run(visitor.say("И ещё: можно курьером?"), qtbot)
    qtbot.waitUntil(lambda: body_rows(view)[-1] == "И ещё: можно курьером?", timeout=10000)
    qtbot.waitUntil(lambda: last_row_visible(view), timeout=2000)
    assert not view.new_button.isVisible()
    assert "И ещё: можно курьером?" in view.texts()


def test_scrolling_to_the_top_brings_older_items_from_the_gateway(qtbot: QtBot, desk: Desk) -> None:
    asked: list[tuple[int, int | None]] = []
    session = desk.session
    questions = [f"Вопрос номер {i}" for i in range(15)]
    conv, customer = desk.chat("Глеб Листаев", *questions)
    desk.do(
        "message.send",
        *(
            lambda i=i: session.send_message(customer, "webchat", f"Ответ {i}", conv)
            for i in range(45)
        ),
    )
    card = desk.open(customer)
    assert len(card["timeline"]["items"]) == 50 and card["timeline"]["cursor"] is not None

    original = session.load_older

    def load_older(customer_id: int, before: int | None, limit: int = 50) -> None:
        asked.append((customer_id, before))
        original(customer_id, before, limit)

    session.load_older = load_older  # type: ignore[method-assign]
    view = FeedView(session, open_links=False)
    view.resize(520, 360)
    qtbot.addWidget(view)
    view.show()
    qtbot.waitExposed(view)
    view.show_customer(card)
    qtbot.waitUntil(lambda: last_row_visible(view), timeout=5000)
    assert "Вопрос номер 0" not in view.texts()
    assert asked == [], "nothing is fetched while the user reads the bottom"

    # The user scrolls to the top: older items come from the gateway, above, and the row the
    # user was looking at stays where it was.
    bar = view.list.verticalScrollBar()
    with qtbot.waitSignal(session.timelinePage, timeout=20000):
        bar.triggerAction(QAbstractSlider.SliderAction.SliderToMinimum)
    assert asked and asked[0] == (customer, card["timeline"]["cursor"])
    top_id = card["timeline"]["items"][-1]["id"]  # the oldest of the first page
    qtbot.waitUntil(lambda: "Вопрос номер 0" in view.texts(), timeout=10000)
    qtbot.waitUntil(lambda: view.model.row_of_id(top_id) not in (None, 0, 1), timeout=5000)
    row = view.model.row_of_id(top_id)
    assert row is not None
    qtbot.waitUntil(lambda: bar.value() > 0, timeout=5000)
    rect = view.list.visualRect(view.model.index(row))
    assert -rect.height() <= rect.top() <= view.list.viewport().height() // 2
    assert not view.is_pinned()
    ids = [v for sep, v in rows(view.model) if not sep]
    assert ids == sorted(ids) and len(ids) == len(set(ids)) >= 60
    check_consistent(view.model)


# ==============================================================================================
# the view with a stand-in session: live items while reading history, replies, links
# ==============================================================================================
class StandInSession(QObject):
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
        self.asked: list[tuple[int, int | None]] = []

    def load_older(self, customer_id: int, before: int | None, limit: int = 50) -> None:
        self.asked.append((customer_id, before))


@pytest.fixture
def standin(qtbot: QtBot) -> tuple[FeedView, StandInSession]:
    session = StandInSession()
    view = FeedView(session, open_links=False)  # type: ignore[arg-type]
    view.resize(560, 480)
    qtbot.addWidget(view)
    view.show()
    qtbot.waitExposed(view)
    return view, session


def the_card(items: list[dict[str, Any]], cursor: int | None = None) -> dict[str, Any]:
    return {"customer": {"id": CUSTOMER, "name": "Пётр"}, "timeline": page(items, cursor)}


def test_a_live_item_while_reading_history_shows_the_new_messages_button(
    qtbot: QtBot, standin: tuple[FeedView, StandInSession]
) -> None:
    view, session = standin
    view.show_customer(the_card(history(2000)))
    qtbot.waitUntil(lambda: last_row_visible(view), timeout=5000)
    bar = view.list.verticalScrollBar()
    # The user scrolls up through 550 items: they come from the reserve, not the gateway, a
    # page each time the top is reached, and the window outgrows a layout batch.
    for _ in range(11):
        before = view.model.reserve_size()
        bar.triggerAction(QAbstractSlider.SliderAction.SliderToMinimum)
        qtbot.waitUntil(
            lambda b=before: view.model.reserve_size() == b - 50 and view.list.laid_out(),
            timeout=5000,
        )
        qtbot.wait(20)
        assert view.model.reserve_size() == before - 50, "one page per visit to the top"
        assert bar.value() > 0, "the rows the user was reading stay on screen"
    assert session.asked == [] and not view.is_pinned()
    assert view.model.rowCount() > view.list.batchSize()
    top = view.list.indexAt(QPoint(200, 5))
    while top.data(FeedRole.IS_SEPARATOR):
        top = top.siblingAtRow(top.row() + 1)
    top_id, top_y = top.data(FeedRole.ITEM_ID), view.list.visualRect(top).top()
    assert top_id is not None
    # Live items come in: the view stays where it is; a button offers to jump down.
    for k in range(3):
        session.timelineItem.emit(synthetic(5000 + k, datetime.now(UTC)))
    qtbot.waitUntil(lambda: view.new_button.isVisible(), timeout=2000)
    assert "3" in view.new_button.text() and view.new_button.accessibleName()
    row = view.model.row_of_id(top_id)
    assert row is not None
    qtbot.wait(50)
    assert abs(view.list.visualRect(view.model.index(row)).top() - top_y) <= 1
    assert not last_row_visible(view)
    # The jump: to the bottom, the button goes, and the long window gives its top back.
    qtbot.mouseClick(view.new_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: last_row_visible(view), timeout=2000)
    assert view.is_pinned() and not view.new_button.isVisible()
    assert view.model.rowCount() < 200 and view.model.reserve_size() > 1500
    assert len(view.texts()) == 2003
    check_consistent(view.model)


def test_replies_pending_then_confirmed_or_failed_in_order(
    qtbot: QtBot, standin: tuple[FeedView, StandInSession]
) -> None:
    view, session = standin
    view.show_customer(the_card(history(20)))
    args = {"customer_id": CUSTOMER, "channel": "telegram", "conversation_id": 4}
    session.localQueued.emit("message.send", "k1", dict(args, text="Первый"))
    session.localQueued.emit("message.send", "k2", dict(args, text="Второй"))
    session.localQueued.emit("message.send", "k9", dict(args, customer_id=99, text="Другому"))
    session.localQueued.emit("note.add", "k3", dict(args, text="Заметка"))
    m = view.model
    r1, r2 = m.row_of_key("k1"), m.row_of_key("k2")
    assert r1 is not None and r2 == r1 + 1 and m.row_of_key("k9") is None
    assert m.index(r1).data(FeedRole.DELIVERY) == "pending"
    assert m.index(r1).data(FeedRole.AUTHOR) == "Анна Смирнова"
    # A refusal names its reply by the outbox key, whichever order the answers come in.
    real = dict(local_reply("Первый"), id=777, delivery="pending")
    session.commandDone.emit("message.send", "k1", {"item": real})
    assert m.row_of_id(777) == r1 and m.index(r1).data(FeedRole.LOCAL_KEY) == ""
    session.commandFailed.emit("message.send", "channel_unavailable", "Telegram is down", "k2")
    assert m.index(r2).data(FeedRole.DELIVERY) == "failed"
    assert m.index(r2).data(FeedRole.ERROR) == "Telegram is down"
    assert m.index(r1).data(FeedRole.DELIVERY) == "pending"
    session.commandFailed.emit("message.send", "channel_unavailable", "again", "k-unknown")
    assert m.index(r1).data(FeedRole.DELIVERY) == "pending"  # not someone else's refusal
    session.deliveryChanged.emit(777, "delivered")
    assert m.index(r1).data(FeedRole.DELIVERY) == "delivered"
    # Back to this customer later: a reply still on its way to another one is not shown here,
    # the refused one still is (it went nowhere).
    view.show_customer(the_card(history(20)))
    assert [m.index(r).data(FeedRole.BODY) for r in range(m.rowCount())][-1] == "Второй"
    view.grab()


def test_links_of_calls_and_e_mails_open_by_mouse_and_keyboard(
    qtbot: QtBot, standin: tuple[FeedView, StandInSession]
) -> None:
    view, _session = standin
    now = datetime.now(UTC)
    call = dict(
        synthetic(1, now - timedelta(minutes=5)),
        kind="call",
        channel="voice",
        extra={
            "duration_s": 125,
            "disposition": "resolved",
            "transcript": "Клиент: алло",
            "recording_url": "https://pbx.example/rec/1.mp3",
        },
    )
    mail = dict(
        synthetic(2, now),
        kind="email",
        channel="email",
        subject="Счёт",
        body='<p>Счёт: <a href="https://shop.example/bill/2">открыть</a></p><script>x()</script>',
    )
    view.show_customer(the_card([call, mail]))
    opened: list[str] = []
    view.linkActivated.connect(opened.append)
    m = view.model
    call_row, mail_row = m.row_of_id(call["id"]), m.row_of_id(mail["id"])
    assert call_row is not None and mail_row is not None
    assert "2:05" in m.index(call_row).data(FeedRole.TITLE)
    assert view.delegate.links_of(call_row) == ["https://pbx.example/rec/1.mp3"]
    assert view.delegate.links_of(mail_row) == ["https://shop.example/bill/2"]
    # Keyboard: Enter on a row opens its link.
    view.list.setFocus()
    view.list.setCurrentIndex(m.index(mail_row))
    qtbot.keyClick(view.list, Qt.Key.Key_Return)
    assert opened == ["https://shop.example/bill/2"]
    # Mouse: a click on the recording link.
    lay = view.delegate.layout_for(m.row_at(call_row))
    link_rect = lay.links[0][0]
    row_rect = view.list.visualRect(m.index(call_row))
    pos = row_rect.topLeft() + link_rect.center().toPoint()
    qtbot.mouseClick(view.list.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    assert opened[-1] == "https://pbx.example/rec/1.mp3"


def test_a_purchase_says_its_order_and_status_in_the_interface_language(qapp: Any) -> None:
    now = datetime.now(UTC)
    item = dict(
        synthetic(6, now),  # a purchase
        body="Wi-Fi роутер AX3000 — 5 490 ₽",
        extra={"order_number": "ORD-2026-006060", "status": "delivered"},
    )
    assert item["kind"] == "purchase"
    translator = QTranslator()
    assert translator.load(str(ROOT_DIR / "resources" / "i18n" / "omnidesk_ru.qm"))
    QCoreApplication.installTranslator(translator)
    try:
        model = FeedModel()
        model.show(CUSTOMER, page([item]))
        row = next(r for r in range(model.rowCount()) if not model.row_at(r).is_separator)
        body = model.index(row).data(FeedRole.BODY)
        assert body == "Wi-Fi роутер AX3000 — 5 490 ₽ · доставлен"
        assert "ORD-2026-006060" in model.index(row).data(FeedRole.TITLE)
        # Every wrap-up result an operator can pick reads in the interface language in the feed.
        for code in DISPOSITIONS:
            call = dict(synthetic(4, now), extra={"duration_s": 65, "disposition": code})
            assert call["kind"] == "call"
            model.show(CUSTOMER, page([call]))
            row = next(r for r in range(model.rowCount()) if not model.row_at(r).is_separator)
            title = model.index(row).data(FeedRole.TITLE)
            assert code not in title and code.replace("_", " ") not in title, title
    finally:
        QCoreApplication.removeTranslator(translator)


def test_a_channel_switch_and_a_logged_call_read_as_what_happened(qapp: Any) -> None:
    now = datetime.now(UTC)
    switched = dict(
        synthetic(1, now),
        channel="sms",
        body="Пишу с телефона",
        extra={"switched_from": "telegram"},
    )
    logged = dict(
        synthetic(4, now),
        direction="out",
        body="Перезвонили, договорились о доставке",
        extra={
            "logged": True,
            "outcome": "callback",
            "happened_at": "2026-11-20T09:30:00+00:00",
            "duration_min": 7,
        },
    )
    assert (switched["kind"], logged["kind"]) == ("message", "call")
    model = FeedModel()
    model.show(CUSTOMER, page([switched, logged]))
    rows = [model.row_at(r) for r in range(model.rowCount()) if not model.row_at(r).is_separator]
    first, second = (model.row_text(r) for r in rows)
    assert first.title == "↪ went on here from Telegram:"
    assert first.body == "Пишу с телефона"
    assert second.title.startswith("Outgoing call · 7 min · Callback arranged · happened ")
    assert "20" in second.title  # the day it happened, not the day it was logged


def test_an_e_mail_folds_the_history_it_quotes(qapp: Any) -> None:
    now = datetime.now(UTC)
    quoted = "On Mon, Support wrote:\n> Your order 1042 ships today.\n> Shop support\n--\nOlga"
    mail = dict(
        synthetic(3, now),
        direction="in",
        body="Thank you, it arrived.",
        extra={"quoted": quoted},
    )
    assert mail["kind"] == "email"
    model = FeedModel()
    model.show(CUSTOMER, page([mail]))
    row = next(model.row_at(r) for r in range(model.rowCount()) if not model.row_at(r).is_separator)
    shown = model.row_text(row)
    assert shown.body.splitlines()[0] == "Thank you, it arrived."
    assert "quoted text and signature folded (5 lines" in shown.body
    assert "Your order 1042 ships today." not in shown.body
    assert "Your order 1042 ships today." in shown.tooltip


def test_a_failed_message_says_why_and_where_else_the_customer_is(qapp: Any) -> None:
    from ui.labels import not_delivered

    now = datetime.now(UTC)
    reply = dict(synthetic(2, now), direction="out", delivery="sent", channel="telegram")
    model = FeedModel()
    model.show(CUSTOMER, page([reply]))
    ways = [
        {"channel": "sms", "address": "+79161234567", "claimed": False},
        {"channel": "email", "address": "olga@example.org", "claimed": True},
    ]
    model.set_delivery(reply["id"], "failed", not_delivered("the customer blocked the bot", ways))
    row = model.row_at(model.row_of_id(reply["id"]))  # type: ignore[arg-type]
    shown = model.row_text(row)
    assert shown.tooltip.splitlines()[-1] == (
        "Not delivered: the customer blocked the bot · reach them instead: "
        "SMS +79161234567, E-mail olga@example.org"
    )


def test_the_file_and_rating_marks_exist_in_the_desk_font(qapp: QApplication) -> None:
    """Drawn with the default font (DejaVu Sans on Debian): a glyph it lacks is an empty box."""
    from PySide6.QtGui import QFontMetrics

    from ui.feed_model import FILE_MARK

    metrics = QFontMetrics(qapp.font())
    for mark in (FILE_MARK, "★", "☆"):
        assert all(metrics.inFontUcs4(ord(ch)) for ch in mark), mark
