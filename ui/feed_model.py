"""One customer's unified feed as a Qt list model: a *window* of the history, oldest at the top,
with a day-separator row before each day.

The window and what is behind it
    ``show()`` takes the first page the gateway sends with the customer card (newest first) and
    shows its newest ``page_size`` items; anything older that came with it waits in a reserve.
    When the user scrolls near the top, ``fetchMore`` brings the next ``page_size`` items from
    the reserve, and once the reserve is empty asks the gateway (``olderWanted`` -> the
    session's ``load_older(customer_id, before=cursor)``); ``add_page`` prepends what comes back.
    So opening a customer with 10,000 items costs the same as opening one with 50, and the
    view never lays out rows nobody looks at. ``trim`` gives the top of a long window back to
    the reserve (the view does that when it is pinned to the bottom again).

    Qt's views call ``canFetchMore``/``fetchMore`` when their *bottom* is reached; this feed
    grows at the top, so the view tells the model when its top is near (``set_near_top``) and
    the model fetches nothing otherwise.

Rows and their text
    Every row is a :class:`FeedRow`. Its formatted texts (time, channel, title, the sanitised
    HTML of an e-mail, what a screen reader says) are made once, the first time anything asks,
    and kept: ``data()`` is a list lookup and an attribute read. The delegate keeps its layouts
    on the row too (``FeedRow.layout``), keyed by ``FeedRow.version``, which changes whenever
    the row's content does.

Live items
    ``append_item`` adds a live item at the bottom (a new day gets its separator first) or, for
    an id already here, updates that row. A reply the operator sends shows at once as a pending
    row keyed by its outbox key (``add_local``); ``resolve_local`` puts the gateway's item in
    its place when the command is done, ``fail_local`` marks it failed. ``set_delivery`` moves a
    row's delivery state forward (never backwards: a late "sent" after "read" is ignored).
    ids map to rows through each row's position number, so appending and updating never scan.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QDate,
    QDateTime,
    QLocale,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTime,
    Signal,
)

from omnidesk_qt.sanitize import email_body_html, html_to_text
from services.protocol.channels import DELIVERY_FAILED, advance_delivery
from ui.labels import channel_names, disposition_names, status_names

Index = QModelIndex | QPersistentModelIndex
PAGE_SIZE = 50
_ROOT = QModelIndex()
_NO_FLAGS = Qt.ItemFlag.NoItemFlags
_SEPARATOR_FLAGS = Qt.ItemFlag.ItemIsEnabled
_ITEM_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


class FeedRole(IntEnum):
    KIND = int(Qt.ItemDataRole.UserRole) + 1
    CHANNEL = KIND + 1
    DIRECTION = KIND + 2
    AUTHOR = KIND + 3
    SUBJECT = KIND + 4
    BODY = KIND + 5  # plain text; for an e-mail the sanitised HTML
    DELIVERY = KIND + 6
    TIME_TEXT = KIND + 7
    IS_SEPARATOR = KIND + 8
    ITEM_ID = KIND + 9
    ITEM = KIND + 10  # the item dict as the gateway sent it (updated)
    LOCAL_KEY = KIND + 11  # outbox key of a reply not yet confirmed
    CHANNEL_NAME = KIND + 12
    TITLE = KIND + 13  # calls, purchases, visits: the one-line summary
    DELIVERY_TEXT = KIND + 14
    ERROR = KIND + 15  # why a reply failed
    DAY = KIND + 16  # datetime.date of the row (local time)
    ATTACHMENTS = KIND + 17  # the item's files, [{id, name, size, mime, url}]


# A file in a message: opened (downloaded) on a click. In the fonts every desk has (DejaVu Sans
# on Debian), unlike the paper-clip emoji.
FILE_MARK = "⬇"
DELIVERY_MARK = {"pending": "◷", "sent": "✓", "delivered": "✓✓", "read": "✓✓", "failed": "⚠"}
_EARLY_MAX = 512  # delivery states remembered for items that have not arrived yet


def merge_delivery(current: str | None, new: str | None) -> str | None:
    """The state to show when ``new`` arrives for a row showing ``current``: states only move
    forward, in the channel table's order; "failed" always shows, and a state after a failure
    means a retry went through."""
    if new is None:
        return current
    if current is None:
        return new
    return new if advance_delivery(current, new) else current


def local_time(at: str | None) -> datetime:
    """An ISO timestamp in the local time zone (naive ones are UTC); now when missing or bad."""
    if at:
        try:
            dt = datetime.fromisoformat(at)
        except ValueError:
            dt = datetime.now(UTC)
        else:
            if dt.tzinfo is None:
                dt = dt.replace(tzinfo=UTC)
    else:
        dt = datetime.now(UTC)
    return dt.astimezone()


class RowText:
    """The formatted texts of one item row, made once."""

    __slots__ = (
        "access",
        "attachments",
        "author",
        "body",
        "channel_name",
        "delivery_text",
        "display",
        "files",
        "mark",
        "recording",
        "time",
        "title",
        "tooltip",
        "transcript",
    )

    def __init__(self) -> None:
        self.time = ""
        self.channel_name = ""
        self.author = ""
        self.title = ""
        self.body = ""  # plain text (an e-mail's is in FeedRow.html)
        self.transcript = ""
        self.recording = ""
        self.attachments = ""
        self.files: list[tuple[str, str]] = []  # (shown, link) per file
        self.mark = ""
        self.delivery_text = ""
        self.display = ""
        self.access = ""
        self.tooltip = ""


class FeedRow:
    """One row: a day separator (``item`` is None) or an item."""

    __slots__ = (
        "_html",
        "day",
        "dt",
        "error",
        "item",
        "key",
        "layout",
        "pos",
        "sep_for",
        "sep_text",
        "text",
        "version",
    )

    def __init__(
        self, item: dict[str, Any] | None, day: date, dt: datetime | None, key: str = ""
    ) -> None:
        self.item = item
        self.day = day
        self.dt = dt
        self.key = key
        self.pos = 0
        self.version = 0
        self.error = ""
        self.text: RowText | None = None
        self._html: str | None = None
        self.sep_text = ""
        self.sep_for: date | None = None
        self.layout: Any = None  # the delegate's, for this version and a width

    @property
    def is_separator(self) -> bool:
        return self.item is None

    @property
    def id(self) -> int | None:
        return None if self.item is None else self.item.get("id")

    @property
    def html(self) -> str:
        """An e-mail body as safe HTML, sanitised on first use."""
        if self._html is None:
            body = "" if self.item is None else str(self.item.get("body") or "")
            self._html = email_body_html(body)
        return self._html

    def changed(self, item: dict[str, Any]) -> None:
        if self.item is not None and item.get("body") != self.item.get("body"):
            self._html = None
        self.item = item
        self.text = None
        self.version += 1


class FeedModel(QAbstractListModel):
    olderWanted = Signal(int, int)  # customer id, cursor ("before")

    def __init__(self, parent: QObject | None = None, *, page_size: int = PAGE_SIZE) -> None:
        super().__init__(parent)
        self.page_size = page_size
        self.customer_id = 0
        self.cursor: int | None = None  # the gateway has items older than everything held
        self._rows: list[FeedRow] = []
        self._base = 0  # position number of row 0: row = FeedRow.pos - _base
        self._by_id: dict[int, FeedRow] = {}
        self._by_key: dict[str, FeedRow] = {}
        self._reserve: list[dict[str, Any]] = []  # older than the window, oldest first
        self._reserve_ids: set[int] = set()
        self._reserve_items: dict[int, dict[str, Any]] = {}  # updated while in the reserve
        self._reserve_delivery: dict[int, str] = {}
        self._early: dict[int, str] = {}  # delivery of items not here yet
        self._asked: int | None = None  # cursor of the page on its way
        self._near_top = False
        self._today = date.today()
        self._locale = QLocale()
        self._texts()

    def _texts(self) -> None:
        self._channel_names = channel_names()
        self._delivery_names = {
            "pending": self.tr("Sending…"),
            "sent": self.tr("Sent"),
            "delivered": self.tr("Delivered"),
            "read": self.tr("Read"),
            "failed": self.tr("Not delivered"),
        }
        self._dispositions = disposition_names()
        self._directions = {
            "in": self.tr("Incoming"),
            "out": self.tr("Outgoing"),
            "internal": self.tr("Internal"),
        }
        self._kinds = {
            "message": self.tr("message"),
            "email": self.tr("e-mail"),
            "call": self.tr("call"),
            "note": self.tr("note"),
            "status_change": self.tr("status change"),
            "purchase": self.tr("purchase"),
            "visit": self.tr("visit"),
            "csat": self.tr("rating"),
        }
        self._today_text = self.tr("Today")
        self._yesterday_text = self.tr("Yesterday")
        self._call_in = self.tr("Incoming call")
        self._call_out = self.tr("Outgoing call")
        self._note_text = self.tr("Note")
        self._order_text = self.tr("Order %1")
        self._visit_text = self.tr("Visit")
        self._status_text = self.tr("Status changed")
        self._recording_text = self.tr("Recording")
        self._attachments_text = self.tr("Attachments: %1")
        self._rating_text = self.tr("Rating %1 of 5")
        self._failed_text = self.tr("Not delivered: %1")
        self._order_status = status_names()
        self._minutes_text = self.tr("%1 min")
        self._quoted_text = self.tr("▸ quoted text and signature folded (%1 lines; hover to read)")
        self._happened_text = self.tr("happened %1")
        self._switched_text = self.tr("↪ went on here from %1:")

    # ==========================================================================================
    # Qt model API
    # ==========================================================================================
    def rowCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def flags(self, index: Index) -> Qt.ItemFlag:
        r = index.row()
        if not 0 <= r < len(self._rows):
            return _NO_FLAGS
        return _SEPARATOR_FLAGS if self._rows[r].item is None else _ITEM_FLAGS

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        r = index.row()
        if not 0 <= r < len(self._rows):
            return None
        row = self._rows[r]
        item = row.item
        if item is None:  # a day separator
            if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
                return self.separator_text(row)
            if role == FeedRole.IS_SEPARATOR:
                return True
            if role == FeedRole.DAY:
                return row.day
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.row_text(row).display
        if role == FeedRole.IS_SEPARATOR:
            return False
        if role == FeedRole.KIND:
            return item.get("kind")
        if role == FeedRole.CHANNEL:
            return item.get("channel")
        if role == FeedRole.DIRECTION:
            return item.get("direction")
        if role == FeedRole.AUTHOR:
            return item.get("author") or ""
        if role == FeedRole.SUBJECT:
            return item.get("subject") or ""
        if role == FeedRole.BODY:
            return row.html if item.get("kind") == "email" else self.row_text(row).body
        if role == FeedRole.DELIVERY:
            return item.get("delivery")
        if role == FeedRole.TIME_TEXT:
            return self.row_text(row).time
        if role == FeedRole.ITEM_ID:
            return item.get("id")
        if role == FeedRole.ITEM:
            return item
        if role == FeedRole.LOCAL_KEY:
            return row.key
        if role == FeedRole.CHANNEL_NAME:
            return self.row_text(row).channel_name
        if role == FeedRole.TITLE:
            return self.row_text(row).title
        if role == FeedRole.DELIVERY_TEXT:
            return self.row_text(row).delivery_text
        if role == FeedRole.ERROR:
            return row.error
        if role == FeedRole.DAY:
            return row.day
        if role == FeedRole.ATTACHMENTS:
            return attachments_of(item)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return self.row_text(row).access
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.row_text(row).tooltip
        return None

    # -- paging at the top ----------------------------------------------------------------------
    def set_near_top(self, near: bool) -> None:
        """The view's top edge is (or no longer is) close to the first row."""
        self._near_top = near

    def has_older(self) -> bool:
        """Is there anything older to show, here or at the gateway (and not yet asked for)?"""
        return bool(self._reserve) or (self.cursor is not None and self._asked is None)

    @property
    def loading(self) -> bool:
        return self._asked is not None

    def canFetchMore(self, parent: Index) -> bool:
        return not parent.isValid() and self._near_top and self.has_older()

    def fetchMore(self, parent: Index) -> None:
        if parent.isValid() or not self._near_top:
            return
        if self._reserve:
            older = self._reserve[-self.page_size :]
            del self._reserve[-self.page_size :]
            for it in older:
                iid = it.get("id")
                if iid is not None:
                    self._reserve_ids.discard(iid)
            self._prepend([self._from_reserve(it) for it in older])
        elif self.cursor is not None and self._asked is None:
            self._asked = self.cursor
            self.olderWanted.emit(self.customer_id, self.cursor)

    def older_failed(self) -> None:
        """The page asked for did not come (offline, timeout): it may be asked for again."""
        self._asked = None

    # ==========================================================================================
    # content
    # ==========================================================================================
    def show(self, customer_id: int, page: dict[str, Any]) -> None:
        """Start over with a customer's first page (newest first, as the gateway sends it)."""
        items = _dedupe(reversed(page.get("items") or []))
        self.beginResetModel()
        self.customer_id = customer_id
        self.cursor = page.get("cursor")
        self._asked = None
        self._near_top = False
        self._by_id = {}
        self._by_key = {}
        self._reserve_items = {}
        self._reserve_delivery = {}
        cut = max(0, len(items) - self.page_size)
        self._reserve = items[:cut]
        self._reserve_ids = {it["id"] for it in self._reserve if it.get("id") is not None}
        self._base = 0
        self._rows = self._build(items[cut:], None)
        for i, row in enumerate(self._rows):
            row.pos = i
            self._index(row)
        self.endResetModel()

    def clear(self) -> None:
        self.show(0, {"items": [], "cursor": None})

    def add_page(self, page: dict[str, Any]) -> int:
        """An older page from the gateway (newest first); returns how many items were new.
        Only items older than everything held are taken: the feed never gets holes."""
        self._asked = None
        self.cursor = page.get("cursor")
        oldest = self._oldest_id()
        older = [
            it
            for it in _dedupe(reversed(page.get("items") or []))
            if it.get("id") is not None
            and (oldest is None or it["id"] < oldest)
            and it["id"] not in self._by_id
        ]
        if not older:
            return 0
        if self._reserve:
            self._reserve[0:0] = older
            self._reserve_ids.update(it["id"] for it in older)
        else:
            self._prepend([self._with_early(it) for it in older])
        return len(older)

    def append_item(self, item: dict[str, Any]) -> int | None:
        """A live item for this customer: appended at the bottom, or, when its id is here
        already, that row updated. Returns its row (None when it is not in the window)."""
        if item.get("customer_id") != self.customer_id:
            return None
        iid = item.get("id")
        if iid is not None:
            row = self._by_id.get(iid)
            if row is not None:
                self._update(row, item)
                return row.pos - self._base
            if iid in self._reserve_ids:
                self._reserve_items[iid] = item
                return None
            item = self._with_early(item)
            if item.get("direction") == "out":
                # Our own reply can come back as an event before the command's answer does:
                # it takes over the pending row rather than showing twice.
                local = self._pending_like(item)
                if local is not None:
                    self._update(local, item)
                    return local.pos - self._base
        return self._append(item, "")

    def add_local(self, key: str, item: dict[str, Any]) -> int | None:
        """A reply queued here: shown at once, pending, until the gateway confirms it."""
        row = self._by_key.get(key)
        if row is not None:
            return row.pos - self._base
        if item.get("customer_id") != self.customer_id:
            return None
        return self._append(item, key)

    def resolve_local(self, key: str, item: dict[str, Any]) -> int | None:
        """The gateway's item for the reply queued under ``key`` replaces its pending row."""
        row = self._by_key.pop(key, None)
        if row is None:
            return self.append_item(item)
        iid = item.get("id")
        existing = self._by_id.get(iid) if iid is not None else None
        if existing is not None and existing is not row:
            # The item came on its own first and was shown as a row of its own.
            self._update(existing, item)
            self._remove(row.pos - self._base, row.pos - self._base)
            return existing.pos - self._base
        row.key = ""
        self._update(row, self._with_early(item))
        return row.pos - self._base

    def fail_local(self, key: str, message: str = "") -> int | None:
        """The gateway refused the reply queued under ``key`` for good."""
        row = self._by_key.get(key)
        if row is None or row.item is None:
            return None
        row.error = message
        self._update(row, dict(row.item, delivery=DELIVERY_FAILED))
        return row.pos - self._base

    def set_delivery(self, event_id: int, state: str, error: str = "") -> int | None:
        """A delivery receipt; returns the row that changed (None if none did)."""
        row = self._by_id.get(event_id)
        if row is not None and row.item is not None:
            new = merge_delivery(row.item.get("delivery"), state)
            if new == row.item.get("delivery") and not error:
                return None
            if new == DELIVERY_FAILED and error:
                row.error = error
            self._update(row, dict(row.item, delivery=new))
            return row.pos - self._base
        if event_id in self._reserve_ids:
            self._reserve_delivery[event_id] = (
                merge_delivery(self._reserve_delivery.get(event_id), state) or state
            )
            return None
        self._early[event_id] = merge_delivery(self._early.get(event_id), state) or state
        while len(self._early) > _EARLY_MAX:
            del self._early[next(iter(self._early))]
        return None

    def trim(self, max_rows: int) -> int:
        """Give the top of a long window back to the reserve, keeping the last ``max_rows``
        rows (and the separator of the first day kept). Returns how many rows went."""
        n = len(self._rows)
        if n <= max_rows:
            return 0
        cut = n - max_rows  # the first row kept
        rows = self._rows
        if any(r.key for r in rows[:cut]):
            return 0  # never hide a reply that is still on its way (they are at the bottom)
        start = cut
        while start > 0 and rows[start].item is not None:
            start -= 1  # the separator of the day the kept rows start in
        ranges = [(0, cut - 1)] if start == cut else [(start + 1, cut - 1), (0, start - 1)]
        items = [r.item for r in rows[:cut] if r.item is not None]
        gone = 0
        for first, last in ranges:  # the lower range first: the upper one's rows stay put
            if first <= last:
                self._remove(first, last)
                gone += last - first + 1
        self._reserve.extend(items)
        self._reserve_ids.update(it["id"] for it in items if it.get("id") is not None)
        return gone

    def refresh_today(self, today: date | None = None) -> bool:
        """Call when the date may have changed: "Today"/"Yesterday" move on."""
        today = today or date.today()
        if today == self._today:
            return False
        self._today = today
        if self._rows:
            self.dataChanged.emit(
                self.index(0), self.index(len(self._rows) - 1), [Qt.ItemDataRole.DisplayRole]
            )
        return True

    # ==========================================================================================
    # reading
    # ==========================================================================================
    def row_at(self, row: int) -> FeedRow:
        return self._rows[row]

    def row_of_id(self, event_id: int) -> int | None:
        r = self._by_id.get(event_id)
        return None if r is None else r.pos - self._base

    def row_of_key(self, key: str) -> int | None:
        r = self._by_key.get(key)
        return None if r is None else r.pos - self._base

    def reserve_size(self) -> int:
        return len(self._reserve)

    def items(self) -> list[dict[str, Any]]:
        """Every item held (reserve and window), oldest first."""
        return [*self._reserve, *(r.item for r in self._rows if r.item is not None)]

    def texts(self) -> list[str]:
        """The bodies of every item held, oldest first (for automation and tests)."""
        return [str(it.get("body") or "") for it in self.items()]

    def last_inbound_channel(self) -> str | None:
        for r in reversed(self._rows):
            if r.item is not None and r.item.get("direction") == "in" and r.item.get("channel"):
                return str(r.item["channel"])
        return None

    def channel_name(self, channel: str | None) -> str:
        return self._channel_names.get(channel or "", channel or "")

    def separator_text(self, row: FeedRow) -> str:
        if row.sep_for != self._today:
            row.sep_text = self._day_text(row.day)
            row.sep_for = self._today
        return row.sep_text

    def row_text(self, row: FeedRow) -> RowText:
        """The row's formatted texts, made on first use and kept."""
        text = row.text
        if text is None:
            text = row.text = self._format(row)
        return text

    # ==========================================================================================
    # internals
    # ==========================================================================================
    def _build(self, items: list[dict[str, Any]], last_day: date | None) -> list[FeedRow]:
        rows: list[FeedRow] = []
        for it in items:
            dt = local_time(it.get("at"))
            day = dt.date()
            if last_day is None or day > last_day:
                rows.append(FeedRow(None, day, None))
                last_day = day
            rows.append(FeedRow(it, last_day, dt))
        return rows

    def _index(self, row: FeedRow) -> None:
        item = row.item
        if item is None:
            return
        iid = item.get("id")
        if iid is not None:
            self._by_id[iid] = row
        if row.key:
            self._by_key[row.key] = row

    def _unindex(self, row: FeedRow) -> None:
        iid = row.id
        if iid is not None and self._by_id.get(iid) is row:
            del self._by_id[iid]
        if row.key and self._by_key.get(row.key) is row:
            del self._by_key[row.key]

    def _prepend(self, older: list[dict[str, Any]]) -> None:
        """Items older than the whole window, oldest first."""
        if not older:
            return
        rows = self._build(older, None)
        first = self._rows[0] if self._rows else None
        if first is not None and first.item is None and first.day == rows[-1].day:
            # The page ends on the day the window starts with: one separator for that day.
            self._remove(0, 0)
        k = len(rows)
        self.beginInsertRows(_ROOT, 0, k - 1)
        self._base -= k
        for i, row in enumerate(rows):
            row.pos = self._base + i
            self._index(row)
        self._rows[0:0] = rows
        self.endInsertRows()

    def _append(self, item: dict[str, Any], key: str) -> int:
        dt = local_time(item.get("at"))
        day = dt.date()
        last = self._rows[-1] if self._rows else None
        new: list[FeedRow] = []
        if last is None or day > last.day:
            new.append(FeedRow(None, day, None))
        elif day < last.day:
            day = last.day  # an item from the past arriving late stays under today's separator
        row = FeedRow(item, day, dt, key)
        new.append(row)
        n = len(self._rows)
        self.beginInsertRows(_ROOT, n, n + len(new) - 1)
        for i, r in enumerate(new):
            r.pos = self._base + n + i
        self._rows.extend(new)
        self._index(row)
        self.endInsertRows()
        return n + len(new) - 1

    def _remove(self, first: int, last: int) -> None:
        """Remove rows first..last, and the separator of a day they leave empty."""
        rows = self._rows
        if (
            first > 0
            and rows[first - 1].item is None
            and (last + 1 == len(rows) or rows[last + 1].item is None)
        ):
            first -= 1
        count = last - first + 1
        self.beginRemoveRows(_ROOT, first, last)
        for r in rows[first : last + 1]:
            self._unindex(r)
        del rows[first : last + 1]
        if first == 0:
            self._base += count
        else:
            for r in rows[first:]:
                r.pos -= count
        self.endRemoveRows()

    def _update(self, row: FeedRow, item: dict[str, Any]) -> None:
        old = row.item or {}
        delivery = merge_delivery(old.get("delivery"), item.get("delivery"))
        if delivery != item.get("delivery"):
            item = dict(item, delivery=delivery)
        if delivery != DELIVERY_FAILED:
            row.error = ""
        old_id = old.get("id")
        row.changed(item)
        iid = item.get("id")
        if old_id is not None and old_id != iid and self._by_id.get(old_id) is row:
            del self._by_id[old_id]
        if iid is not None:
            self._by_id[iid] = row
        idx = self.index(row.pos - self._base)
        self.dataChanged.emit(idx, idx)

    def _pending_like(self, item: dict[str, Any]) -> FeedRow | None:
        """The oldest pending reply that ``item`` (an outgoing item from the gateway) is."""
        body = str(item.get("body") or "").strip()
        for row in self._by_key.values():
            it = row.item
            if (
                it is not None
                and it.get("id") is None
                and it.get("channel") == item.get("channel")
                and str(it.get("body") or "").strip() == body
            ):
                return row
        return None

    def _with_early(self, item: dict[str, Any]) -> dict[str, Any]:
        iid = item.get("id")
        if iid is None or iid not in self._early:
            return item
        state = merge_delivery(item.get("delivery"), self._early.pop(iid))
        return dict(item, delivery=state)

    def _from_reserve(self, item: dict[str, Any]) -> dict[str, Any]:
        iid = item.get("id")
        if iid is None:
            return item
        item = self._reserve_items.pop(iid, item)
        state = self._reserve_delivery.pop(iid, None)
        if state is not None:
            item = dict(item, delivery=merge_delivery(item.get("delivery"), state))
        return self._with_early(item)

    def _oldest_id(self) -> int | None:
        if self._reserve:
            return self._reserve[0].get("id")
        for r in self._rows:
            if r.item is not None:
                return r.item.get("id")
        return None

    # -- formatting -----------------------------------------------------------------------------
    def _day_text(self, day: date) -> str:
        today = self._today
        if day == today:
            return self._today_text
        if day == today - timedelta(days=1):
            return self._yesterday_text
        qd = QDate(day.year, day.month, day.day)
        if timedelta(0) < today - day < timedelta(days=7):
            return self._locale.toString(qd, "dddd, d MMMM")
        if day.year == today.year:
            return self._locale.toString(qd, "d MMMM")
        return self._locale.toString(qd, "d MMMM yyyy")

    def _logged(self, extra: dict[str, Any]) -> list[str]:
        """What an operator logged by hand: how long, how it ended, when it happened."""
        parts = []
        minutes = extra.get("duration_min")
        if isinstance(minutes, int) and minutes > 0:
            parts.append(self._minutes_text.replace("%1", str(minutes)))
        outcome = extra.get("outcome")
        if outcome:
            parts.append(self._dispositions.get(str(outcome), str(outcome)))
        happened = extra.get("happened_at")
        if isinstance(happened, str) and happened:
            dt = local_time(happened)
            when = self._locale.toString(
                QDateTime(QDate(dt.year, dt.month, dt.day), QTime(dt.hour, dt.minute)),
                QLocale.FormatType.ShortFormat,
            )
            parts.append(self._happened_text.replace("%1", when))
        return parts

    def _format(self, row: FeedRow) -> RowText:
        item = row.item or {}
        t = RowText()
        dt = row.dt or local_time(None)
        t.time = self._locale.toString(QTime(dt.hour, dt.minute), QLocale.FormatType.ShortFormat)
        kind = str(item.get("kind") or "message")
        direction = str(item.get("direction") or "in")
        t.channel_name = self.channel_name(item.get("channel"))
        t.author = str(item.get("author") or "")
        extra = item.get("extra") or {}
        subject = str(item.get("subject") or "")
        body = str(item.get("body") or "")
        quoted = ""
        if kind == "email":
            t.title = subject
            t.body = html_to_text(body)
            # The history the customer quoted and their signature, folded: a line says so,
            # the tooltip holds it.
            quoted = str(extra.get("quoted") or "").strip()
            if quoted:
                lines = len(quoted.splitlines())
                t.body = "\n".join(
                    x for x in (t.body, self._quoted_text.replace("%1", str(lines))) if x
                )
            note = str(extra.get("note") or "")
            if note:
                t.body = "\n".join(x for x in (t.body, note) if x)
        elif kind == "call":
            parts = [self._call_out if direction == "out" else self._call_in]
            duration = extra.get("duration_s")
            if isinstance(duration, int | float) and duration > 0:
                parts.append(format_duration(int(duration)))
            disposition = extra.get("disposition")
            if disposition:
                parts.append(self._dispositions.get(str(disposition), str(disposition)))
            t.title = " · ".join(parts)
            t.body = body or subject
            t.transcript = str(extra.get("transcript") or "")
            url = str(extra.get("recording_url") or "")
            t.recording = url if url.lower().startswith(("https://", "http://")) else ""
        elif kind == "purchase":
            order = extra.get("order_number") or extra.get("order")
            t.title = subject or (self._order_text.replace("%1", str(order)) if order else "")
            status = str(extra.get("status") or "")
            status = self._order_status.get(status, status)
            t.body = f"{body} · {status}" if body and status else body
        elif kind == "visit":
            t.title = subject or self._visit_text
            t.body = body
        elif kind == "status_change":
            t.title = subject or self._status_text
            t.body = body
        elif kind == "note":
            t.title = self._note_text
            t.body = body
        elif kind == "csat":
            rating = extra.get("rating")
            if isinstance(rating, int) and 1 <= rating <= 5:
                stars = "★" * rating + "☆" * (5 - rating)
                t.title = f"{stars} {self._rating_text.replace('%1', str(rating))}"
            else:
                t.title = self._kinds["csat"]
            t.body = body
        else:
            t.title = subject
            t.body = body
        if extra.get("logged"):
            t.title = " · ".join(x for x in (t.title, *self._logged(extra)) if x)
        switched = extra.get("switched_from")
        if switched:
            went_on = self._switched_text.replace("%1", self.channel_name(str(switched)))
            t.title = f"{went_on} {t.title}".strip() if t.title else went_on
        files = attachments_of(item)
        if files:
            names = ", ".join(str(f.get("name") or "") for f in files)
            t.attachments = self._attachments_text.replace("%1", names)
            size = self._locale.formattedDataSize
            t.files = [
                (
                    f"{FILE_MARK} {f.get('name') or ''} ({size(int(f.get('size') or 0))})",
                    attachment_link(f),
                )
                for f in files
            ]
        delivery = item.get("delivery")
        if direction == "out" and delivery:
            t.mark = DELIVERY_MARK.get(delivery, "")
            t.delivery_text = self._delivery_names.get(delivery, delivery)
        t.display = "\n".join(x for x in (t.title, t.body) if x)
        who = ", ".join(
            x
            for x in (
                self._directions.get(direction, direction) + " " + self._kinds.get(kind, kind),
                t.channel_name,
                t.author,
                t.time,
            )
            if x
        )
        t.access = f"{who}: {t.display}" + (f". {t.delivery_text}" if t.delivery_text else "")
        if t.attachments:
            t.access += f". {t.attachments}"
        when = self._locale.toString(
            QDate(dt.year, dt.month, dt.day), QLocale.FormatType.ShortFormat
        )
        tip = [f"{when} {t.time}"]
        if t.delivery_text:
            tip.append(
                self._failed_text.replace("%1", row.error)
                if delivery == DELIVERY_FAILED and row.error
                else t.delivery_text
            )
        if quoted:
            tip.append(quoted[:2000])
        t.tooltip = "\n".join(tip)
        return t


ATTACHMENT_SCHEME = "omnidesk-attachment"


def attachments_of(item: dict[str, Any]) -> list[dict[str, Any]]:
    """The item's files the desktop can fetch: with an id and a URL relative to the gateway."""
    return [
        f
        for f in item.get("attachments") or []
        if isinstance(f, dict)
        and isinstance(f.get("id"), int)
        and str(f.get("url", "")).startswith("/")
    ]


def attachment_link(attachment: dict[str, Any]) -> str:
    """The link a file's row in the feed carries: never a web address, opened by downloading."""
    return f"{ATTACHMENT_SCHEME}:{int(attachment['id'])}"


def format_duration(seconds: int) -> str:
    h, rest = divmod(max(0, seconds), 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def _dedupe(items: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    seen: set[int] = set()
    out: list[dict[str, Any]] = []
    for it in items:
        iid = it.get("id")
        if iid is not None:
            if iid in seen:
                continue
            seen.add(iid)
        out.append(it)
    return out
