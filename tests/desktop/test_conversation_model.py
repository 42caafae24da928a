"""The conversation model and its filter: service-level colours, sections and filters, sorting,
and row-by-row updates (never a reset after the first load)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from PySide6.QtCore import QEvent, QModelIndex, QObject, QRect, Qt
from PySide6.QtGui import QEnterEvent, QPaintEvent
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from ui.conversation_list import ConversationList
from ui.conversation_model import (
    MINE,
    QUEUE,
    SL_BREACH,
    SL_OK,
    SL_WARN,
    Column,
    ConversationFilter,
    ConversationModel,
    Role,
    format_duration,
    level_colour,
)

ME = 7
OTHER = 8
NOW = datetime(2026, 3, 2, 10, 0, 0, tzinfo=UTC)
QUEUES = [
    {"id": 1, "name": "general", "sla_seconds": 60},
    {"id": 2, "name": "sales", "sla_seconds": 30},
]


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


def conv(
    cid: int,
    state: str = "queued",
    *,
    channel: str = "webchat",
    waited: float = 0.0,
    queue_id: int = 1,
    customer_id: int | None = None,
    operator_id: int | None = None,
    offered_to: int | None = None,
    version: int = 1,
    subject: str = "",
) -> dict[str, Any]:
    return {
        "id": cid,
        "customer_id": customer_id if customer_id is not None else 100 + cid,
        "channel": channel,
        "queue_id": queue_id,
        "state": state,
        "operator_id": operator_id,
        "offered_to": offered_to,
        "subject": subject,
        "queued_at": (NOW - timedelta(seconds=waited)).isoformat(),
        "version": version,
    }


def snapshot(mine: list[dict[str, Any]], queue: list[dict[str, Any]]) -> dict[str, Any]:
    names = {str(c["customer_id"]): f"Customer {c['customer_id']}" for c in mine + queue}
    return {
        "presence": "available",
        "conversations": mine,
        "queue": queue,
        "customers": names,
        "queues": QUEUES,
        "operators": [],
    }


class Recorder:
    """Every structural signal of a model, to prove changes are incremental."""

    def __init__(self, model: Any) -> None:
        self.events: list[tuple[Any, ...]] = []
        model.modelReset.connect(lambda: self.events.append(("reset",)))
        model.layoutChanged.connect(lambda *_: self.events.append(("layout",)))
        model.rowsInserted.connect(
            lambda _p, first, last: self.events.append(("insert", first, last))
        )
        model.rowsRemoved.connect(
            lambda _p, first, last: self.events.append(("remove", first, last))
        )
        model.dataChanged.connect(
            lambda tl, br, roles=(): self.events.append(
                ("changed", tl.row(), br.row(), tl.column(), br.column(), list(roles))
            )
        )

    def kinds(self) -> list[str]:
        return [e[0] for e in self.events]


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def model(qapp: QApplication, clock: Clock) -> Iterator[ConversationModel]:
    m = ConversationModel(operator_id=ME, clock=clock, tick_ms=0)
    yield m
    m.deleteLater()


def ids(proxy: ConversationFilter) -> list[int]:
    return proxy.conversation_ids()


def proxy_of(model: ConversationModel, section: str | None = None) -> ConversationFilter:
    p = ConversationFilter(section)
    p.setSourceModel(model)
    p.sort(0)
    return p


# -- service level --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("waited", "queue_id", "level"),
    [
        (0, 1, SL_OK),
        (29, 1, SL_OK),  # under half of 60 s
        (30, 1, SL_WARN),
        (59, 1, SL_WARN),
        (60, 1, SL_BREACH),
        (600, 1, SL_BREACH),
        (14, 2, SL_OK),  # sales: 30 s
        (15, 2, SL_WARN),
        (31, 2, SL_BREACH),
        (29, 99, SL_OK),  # unknown queue: the 60 s default
        (45, 99, SL_WARN),
    ],
)
def test_service_level_by_share_of_the_queue_sla(
    model: ConversationModel, waited: float, queue_id: int, level: str
) -> None:
    model.load(snapshot([], [conv(1, waited=waited, queue_id=queue_id)]))
    idx = model.index(0, Column.WAITING)
    assert idx.data(Role.SERVICE_LEVEL) == level
    assert idx.data(Qt.ItemDataRole.ForegroundRole) == level_colour(level)
    dot = idx.data(Qt.ItemDataRole.DecorationRole).pixmap(16, 16).toImage()
    assert dot.pixelColor(8, 8).name() == level_colour(level).name()  # a dot of that colour
    assert idx.data(Qt.ItemDataRole.ToolTipRole)  # said in words too, not by colour alone


def test_service_level_moves_with_the_clock_and_only_for_waiting_conversations(
    model: ConversationModel, clock: Clock
) -> None:
    model.load(
        snapshot(
            [conv(2, "active", operator_id=ME, waited=500)],
            [conv(1, waited=10)],
        )
    )
    waiting = model.index(model.row_of(1) or 0, Column.WAITING)
    active = model.index(model.row_of(2) or 0, Column.WAITING)
    assert waiting.data(Role.SERVICE_LEVEL) == SL_OK
    assert active.data(Role.SERVICE_LEVEL) is None
    assert active.data(Qt.ItemDataRole.ForegroundRole) is None
    clock.now = NOW + timedelta(seconds=25)
    assert waiting.data(Role.SERVICE_LEVEL) == SL_WARN
    assert waiting.data() == "0:35"
    clock.now = NOW + timedelta(seconds=55)
    assert waiting.data(Role.SERVICE_LEVEL) == SL_BREACH


def test_after_acceptance_the_time_is_the_reply_due_then_handling_time(
    model: ConversationModel, clock: Clock
) -> None:
    accepted = (NOW - timedelta(seconds=90)).isoformat()
    due = (NOW + timedelta(seconds=40)).isoformat()
    owed = {"kind": "next_response", "due_at": due, "target_s": 120}
    model.load(
        snapshot(
            [
                dict(conv(2, "active", operator_id=ME, waited=500), accepted_at=accepted, sla=owed),
                dict(conv(3, "wrap_up", operator_id=ME, waited=900), accepted_at=accepted),
            ],
            [],
        )
    )
    active = model.index(model.row_of(2) or 0, Column.WAITING)
    wrap = model.index(model.row_of(3) or 0, Column.WAITING)
    # Not the 8 minutes since it was queued: the reply owed, 40 s left of 120 (amber past half).
    assert active.data() == "0:40"
    assert active.data(Role.SERVICE_LEVEL) == SL_WARN
    assert active.data(Qt.ItemDataRole.ToolTipRole) == "Next reply due in 0:40 (target 2:00)"
    assert wrap.data() == "1:30" and wrap.data(Role.SERVICE_LEVEL) is None
    assert wrap.data(Qt.ItemDataRole.ToolTipRole) == "Handling time: 1:30"
    clock.now = NOW + timedelta(seconds=55)
    assert active.data() == "−0:15"
    assert "overdue by 0:15" in active.data(Qt.ItemDataRole.AccessibleTextRole), "said in words"
    assert active.data(Role.SERVICE_LEVEL) == SL_BREACH
    assert active.data(Qt.ItemDataRole.ForegroundRole) == level_colour(SL_BREACH)
    assert "overdue by 0:15" in active.data(Qt.ItemDataRole.ToolTipRole)
    assert wrap.data() == "2:25"
    # Replied: no reply owed, the handling time shows.
    model.upsert(dict(model.find(2) or {}, sla=None, version=2))
    assert active.data() == "2:25" and active.data(Role.SERVICE_LEVEL) is None


def test_waiting_time_format() -> None:
    assert format_duration(0) == "0:00"
    assert format_duration(7.9) == "0:07"
    assert format_duration(750) == "12:30"
    assert format_duration(3723) == "1:02:03"
    assert format_duration(3 * 86400 + 5) == "3 d"
    assert format_duration(-4) == "0:00"


def test_the_tick_refreshes_the_waiting_column_only(
    qtbot: QtBot, clock: Clock, qapp: QApplication
) -> None:
    model = ConversationModel(operator_id=ME, clock=clock, tick_ms=50)
    model.load(snapshot([conv(2, "active", operator_id=ME)], [conv(1), conv(3)]))
    rec = Recorder(model)
    with qtbot.waitSignal(model.dataChanged, timeout=2000):
        clock.now = NOW + timedelta(seconds=1)
    ticks = [e for e in rec.events if e[0] == "changed"]
    assert ticks
    for _kind, top, bottom, left, right, roles in ticks:
        assert (top, bottom) == (0, 2)
        assert left == right == Column.WAITING
        assert Qt.ItemDataRole.DisplayRole in roles
        assert Role.CONVERSATION not in roles
    assert "reset" not in rec.kinds() and "layout" not in rec.kinds()
    model.deleteLater()


# -- rows -----------------------------------------------------------------------------------------
def test_columns_and_roles(model: ConversationModel) -> None:
    model.load(snapshot([], [conv(1, channel="telegram", subject="Refund for order 42")]))
    assert model.columnCount() == 5
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(5)]
    assert headers == ["Channel", "Customer", "Subject", "State", "Time"]
    row = [model.index(0, c).data() for c in range(5)]
    assert row == ["Telegram", "Customer 101", "Refund for order 42", "Waiting", "0:00"]
    assert not model.index(0, Column.CHANNEL).data(Qt.ItemDataRole.DecorationRole).isNull()
    assert model.index(0, 0).data(Role.CONVERSATION)["id"] == 1
    assert model.index(0, 0).data(Role.CHANNEL) == "telegram"
    assert model.index(0, 0).data(Role.SECTION) == QUEUE
    assert model.index(0, Column.CUSTOMER).data(Qt.ItemDataRole.AccessibleTextRole)


def test_an_offer_to_me_is_mine_and_says_so(model: ConversationModel) -> None:
    model.load(
        snapshot([conv(1, "offered", offered_to=ME)], [conv(2, "offered", offered_to=OTHER)])
    )
    mine = model.index(model.row_of(1) or 0, Column.STATE)
    theirs = model.index(model.row_of(2) or 0, Column.STATE)
    assert mine.data() == "Offered to you" and mine.data(Role.SECTION) == MINE
    assert theirs.data() == "Offered" and theirs.data(Role.SECTION) == QUEUE
    assert mine.data(Qt.ItemDataRole.FontRole).bold()


def test_first_load_inserts_then_changes_are_row_by_row(model: ConversationModel) -> None:
    rec = Recorder(model)
    model.load(snapshot([], [conv(1), conv(2)]))
    assert rec.events == [("insert", 0, 1)]
    rec.events.clear()

    # A new conversation: one insert.
    model.upsert(conv(3, "offered", offered_to=ME), "Вера Тестова")
    assert rec.kinds() == ["insert"]
    assert model.index(model.row_of(3) or 0, Column.CUSTOMER).data() == "Вера Тестова"
    rec.events.clear()

    # It changes: one row's dataChanged, every column.
    model.upsert(conv(3, "active", operator_id=ME, version=2))
    assert rec.events == [("changed", 2, 2, 0, 4, [])]
    assert model.index(2, Column.STATE).data() == "Active"
    rec.events.clear()

    # An older version arriving late changes nothing.
    model.upsert(conv(3, "offered", offered_to=ME, version=1))
    assert rec.events == []
    assert model.conversation(2)["state"] == "active"

    # It ends: one remove, and the rows after it keep their ids.
    model.upsert(conv(1, "abandoned", version=2))
    assert rec.kinds() == ["remove"]
    assert [model.conversation(r)["id"] for r in range(model.rowCount())] == [2, 3]
    assert model.row_of(3) == 1 and model.row_of(1) is None
    rec.events.clear()

    # Taken by someone else: it leaves this operator's view (no further events would come).
    model.upsert(conv(2, "active", operator_id=OTHER, version=3))
    assert rec.kinds() == ["remove"]
    assert "reset" not in rec.kinds()


def test_a_later_snapshot_merges_without_a_reset(model: ConversationModel) -> None:
    model.load(snapshot([conv(1, "active", operator_id=ME)], [conv(2), conv(3)]))
    rec = Recorder(model)
    model.mark_unread(1)
    rec.events.clear()
    model.load(snapshot([conv(1, "held", operator_id=ME, version=2)], [conv(3), conv(4)]))
    assert "reset" not in rec.kinds()
    assert ("remove", 1, 1) in rec.events  # 2 is gone
    assert ("insert", 2, 2) in rec.events  # 4 arrived
    assert model.find(1)["state"] == "held"  # type: ignore[index]
    assert model.is_unread(1)  # still unread after the reconnect
    assert sorted(c["id"] for c in model.conversations()) == [1, 3, 4]


def test_unread_mark(model: ConversationModel) -> None:
    model.load(snapshot([conv(1, "active", operator_id=ME)], []))
    rec = Recorder(model)
    model.mark_unread(1)
    assert model.unread_count() == 1
    name = model.index(0, Column.CUSTOMER)
    assert name.data().startswith("● ") and name.data(Role.UNREAD) is True
    assert name.data(Qt.ItemDataRole.FontRole).bold()
    assert "unread" in name.data(Qt.ItemDataRole.AccessibleTextRole)
    model.mark_unread(1)  # already unread: no signal
    assert len(rec.events) == 1
    model.mark_read(1)
    assert model.unread_count() == 0 and name.data() == "Customer 101"
    model.mark_unread(999)  # unknown conversation: ignored
    assert model.unread_count() == 0
    model.mark_unread(1)
    model.upsert(conv(1, "resolved", operator_id=ME, version=2))
    assert model.unread_count() == 0  # gone with its row


# -- the filter -----------------------------------------------------------------------------------
def test_sections_and_sort_offers_first_then_longest_wait(model: ConversationModel) -> None:
    model.load(
        snapshot(
            [
                conv(1, "active", operator_id=ME, waited=300),
                conv(2, "offered", offered_to=ME, waited=5),
                conv(3, "held", operator_id=ME, waited=900),
            ],
            [
                conv(4, waited=10),
                conv(5, waited=50),
                conv(6, "offered", offered_to=OTHER, waited=1),
            ],
        )
    )
    mine, queue, both = proxy_of(model, MINE), proxy_of(model, QUEUE), proxy_of(model)
    assert ids(mine) == [2, 3, 1]  # the offer on top, then by waiting time
    assert ids(queue) == [5, 4, 6]
    assert ids(both) == [2, 3, 1, 5, 4, 6]
    # A queued conversation is offered to me: it moves to my section, on top.
    model.upsert(conv(4, "offered", offered_to=ME, waited=10, version=2))
    assert ids(mine) == [4, 2, 3, 1]  # both offers on top, the longer wait first
    assert 4 not in ids(queue)
    # Accepted: no longer an offer, sorted by its wait among the others.
    model.upsert(conv(4, "active", operator_id=ME, waited=10, version=3))
    assert ids(mine) == [2, 3, 1, 4]


def test_channel_and_state_filters(qtbot: QtBot, model: ConversationModel) -> None:
    model.load(
        snapshot(
            [
                conv(1, "active", channel="email", operator_id=ME),
                conv(2, "held", channel="voice", operator_id=ME),
            ],
            [conv(3, channel="email"), conv(4, channel="telegram")],
        )
    )
    p = proxy_of(model)
    p.set_channel("email")
    assert sorted(ids(p)) == [1, 3]
    p.set_state("queued")
    assert ids(p) == [3]
    p.set_channel(None)
    assert sorted(ids(p)) == [3, 4]
    p.set_states(["active", "held"])
    assert sorted(ids(p)) == [1, 2]
    p.set_states(None)
    p.set_channel("")
    assert len(ids(p)) == 4
    # Filters hold for rows that arrive and change later.
    p.set_channel("voice")
    model.upsert(conv(5, channel="voice"))
    model.upsert(conv(6, channel="sms"))
    assert sorted(ids(p)) == [2, 5]
    model.upsert(conv(2, "active", channel="voice", operator_id=ME, version=2))
    p.set_state("held")
    assert ids(p) == []
    assert p.row_of(2) is None and p.conversation_at(0) is None


def test_proxy_lookups(model: ConversationModel) -> None:
    model.load(snapshot([conv(1, "active", operator_id=ME, waited=5)], [conv(2, waited=30)]))
    p = proxy_of(model, QUEUE)
    assert p.row_of(2) == 0 and p.row_of(1) is None
    conv2 = p.conversation_at(0)
    assert conv2 is not None and conv2["id"] == 2
    assert p.rowCount(QModelIndex()) == 1


def test_customer_names_from_offers_and_cards(model: ConversationModel) -> None:
    model.load(snapshot([], [conv(1, customer_id=55)]))
    rec = Recorder(model)
    model.set_customer_name(55, "Анна Петрова")
    assert model.index(0, Column.CUSTOMER).data() == "Анна Петрова"
    assert rec.events[0][:5] == ("changed", 0, 0, Column.CUSTOMER, Column.CUSTOMER)
    assert Qt.ItemDataRole.DisplayRole in rec.events[0][5]
    model.set_customer_name(55, "Анна Петрова")  # unchanged: silent
    assert len(rec.events) == 1
    model.upsert(conv(9, customer_id=77))
    assert model.index(model.row_of(9) or 0, Column.CUSTOMER).data() == "Customer #77"


# -- the view -------------------------------------------------------------------------------------
class PaintRegions(QObject):
    """Records the region of every paint event of a widget."""

    def __init__(self, widget: QWidget) -> None:
        super().__init__()
        self.rects: list[QRect] = []
        widget.installEventFilter(self)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            assert isinstance(event, QPaintEvent)
            self.rects.append(event.region().boundingRect())
        return False


def test_the_tick_repaints_the_waiting_column_and_an_unread_mark_its_row(
    qtbot: QtBot, model: ConversationModel, clock: Clock
) -> None:
    model.load(snapshot([conv(i, "active", operator_id=ME) for i in range(1, 301)], []))
    widget = ConversationList(model)
    qtbot.addWidget(widget)
    widget.resize(700, 500)
    widget.show()
    qtbot.waitExposed(widget)
    view = widget.views[MINE]
    viewport = view.viewport()
    waiting = view.visualRect(view.model().index(0, Column.WAITING))
    qtbot.wait(50)
    regions = PaintRegions(viewport)

    clock.now = NOW + timedelta(seconds=5)
    model.tick()
    qtbot.waitUntil(lambda: bool(regions.rects), timeout=2000)
    painted = regions.rects[-1]
    # Only the waiting column, every visible row of it. Qt repaints the whole viewport for a
    # long range, which cost the busy hour 15-20 ms of painting every second.
    assert painted.left() >= waiting.left() and painted.right() <= waiting.right()
    assert painted.height() >= viewport.height() - waiting.height()
    assert view.model().index(0, Column.WAITING).data() == format_duration(5)

    regions.rects.clear()
    model.mark_unread(3)
    qtbot.waitUntil(lambda: bool(regions.rects), timeout=2000)
    assert any(r.width() >= viewport.width() - 1 for r in regions.rects)  # the whole row, bold


def test_rows_hold_still_under_the_pointer_and_sort_again_when_it_leaves(
    qtbot: QtBot, model: ConversationModel
) -> None:
    model.load(snapshot([conv(i, "active", operator_id=ME, waited=100 - i) for i in (1, 2, 3)], []))
    widget = ConversationList(model)
    qtbot.addWidget(widget)
    widget.resize(700, 400)
    widget.show()
    qtbot.waitExposed(widget)
    view = widget.views[MINE]
    proxy = widget.proxies[MINE]
    aimed = view.visualRect(proxy.index(1, 0)).center()
    assert proxy.conversation_at(1)["id"] == 2  # type: ignore[index]
    # The pointer comes over the second row; an offer to me arrives (it sorts on top).
    QApplication.sendEvent(view, QEnterEvent(aimed, aimed, view.viewport().mapToGlobal(aimed)))
    assert proxy.order_held
    model.upsert(conv(9, "offered", offered_to=ME, waited=1))
    model.upsert(dict(conv(3, "active", operator_id=ME, waited=500), version=2))  # would move up
    assert proxy.conversation_ids() == [1, 2, 3, 9], "new ones below, nothing moved"
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=aimed)
    assert widget.current_conversation()["id"] == 2  # type: ignore[index]
    # The pointer leaves: the usual order (offers to me first, then the longest wait).
    QApplication.sendEvent(view, QEvent(QEvent.Type.Leave))
    assert not proxy.order_held
    assert proxy.conversation_ids() == [9, 3, 1, 2]
    assert widget.current_conversation()["id"] == 2, "the selection follows its row"  # type: ignore[index]
