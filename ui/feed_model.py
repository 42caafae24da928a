"""One customer's unified feed: a window of the history, oldest first, paged with fetchMore.

Formatted text is computed once per item (a view calls ``data()`` many times per repaint) and
e-mail HTML is sanitised before it is ever displayed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt, Signal

from omnidesk_qt.sanitize import html_to_text

Index = QModelIndex | QPersistentModelIndex
ItemRole = Qt.ItemDataRole.UserRole + 1
DELIVERY_MARK = {"pending": "⏳", "sent": "✓", "delivered": "✓✓", "read": "✓✓ ✔", "failed": "⚠"}
CHANNEL = {
    "webchat": "chat",
    "email": "e-mail",
    "telegram": "Telegram",
    "whatsapp": "WhatsApp",
    "sms": "SMS",
    "voice": "call",
    "visit": "visit",
}


class FeedModel(QAbstractListModel):
    olderWanted = Signal(int, int)  # customer id, cursor

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.customer_id = 0
        self.cursor: int | None = None
        self._items: list[dict[str, Any]] = []
        self._text: list[str | None] = []
        self._row_of_id: dict[int, int] = {}
        self._row_of_key: dict[str, int] = {}
        self._asked: int | None = None

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._items)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            row = index.row()
            text = self._text[row]
            if text is None:  # formatted on first use, then kept: opening stays O(n) cheap
                text = self._text[row] = format_item(self._items[row])
            return text
        if role == Qt.ItemDataRole.TextAlignmentRole:
            item = self._items[index.row()]
            return (
                Qt.AlignmentFlag.AlignRight
                if item["direction"] == "out"
                else Qt.AlignmentFlag.AlignLeft
            )
        if role == ItemRole:
            return self._items[index.row()]
        return None

    # -- paging ---------------------------------------------------------------------------------
    def canFetchMore(self, parent: Index) -> bool:
        return not parent.isValid() and self.cursor is not None and self._asked != self.cursor

    def fetchMore(self, parent: Index) -> None:
        if self.cursor is not None:
            self._asked = self.cursor
            self.olderWanted.emit(self.customer_id, self.cursor)

    # -- content --------------------------------------------------------------------------------
    def show(self, customer_id: int, page: dict[str, Any]) -> None:
        self.beginResetModel()
        self.customer_id = customer_id
        self._items, self._text = [], []
        self._row_of_id, self._row_of_key = {}, {}
        items = list(reversed(page.get("items", [])))
        self._items = items
        self._text = [None] * len(items)
        self._reindex()
        self.cursor = page.get("cursor")
        self._asked = None
        self.endResetModel()

    def add_older(self, customer_id: int, page: dict[str, Any]) -> None:
        if customer_id != self.customer_id:
            return
        older = [it for it in reversed(page.get("items", [])) if it["id"] not in self._row_of_id]
        if older:
            self.beginInsertRows(QModelIndex(), 0, len(older) - 1)
            self._items[0:0] = older
            self._text[0:0] = [None] * len(older)
            self._reindex()
            self.endInsertRows()
        self.cursor = page.get("cursor")

    def append(self, item: dict[str, Any], key: str = "") -> None:
        if item.get("customer_id") != self.customer_id:
            return
        if item.get("id") in self._row_of_id:
            self._replace(self._row_of_id[item["id"]], item)
            return
        if key and key in self._row_of_key:
            self._replace(self._row_of_key.pop(key), item)
            return
        row = len(self._items)
        self.beginInsertRows(QModelIndex(), row, row)
        self._items.append(item)
        self._text.append(format_item(item))
        if item.get("id") is not None:
            self._row_of_id[item["id"]] = row
        if key:
            self._row_of_key[key] = row
        self.endInsertRows()

    def set_delivery(self, event_id: int, state: str) -> None:
        row = self._row_of_id.get(event_id)
        if row is not None:
            self._replace(row, dict(self._items[row], delivery=state))

    def fail_local(self, key: str) -> None:
        row = self._row_of_key.get(key)
        if row is not None:
            self._replace(row, dict(self._items[row], delivery="failed"))

    def texts(self) -> list[str]:
        return [it.get("body", "") for it in self._items]

    def last_inbound_channel(self) -> str | None:
        for it in reversed(self._items):
            if it["direction"] == "in" and it.get("channel"):
                return str(it["channel"])
        return None

    def _replace(self, row: int, item: dict[str, Any]) -> None:
        self._items[row] = item
        self._text[row] = format_item(item)
        if item.get("id") is not None:
            self._row_of_id[item["id"]] = row
        idx = self.index(row)
        self.dataChanged.emit(idx, idx)

    def _reindex(self) -> None:
        self._row_of_id = {
            it["id"]: r for r, it in enumerate(self._items) if it.get("id") is not None
        }


def format_item(item: dict[str, Any]) -> str:
    at = item.get("at") or ""
    when = datetime.fromisoformat(at).astimezone().strftime("%d.%m %H:%M") if at else ""
    channel = CHANNEL.get(item.get("channel") or "", "")
    who = item.get("author") or ""
    head = " · ".join(x for x in (when, channel, who) if x)
    kind = item.get("kind")
    body = item.get("body") or ""
    if kind == "email":
        subject = item.get("subject") or ""
        body = f"✉ {subject}\n{html_to_text(body)}" if subject else html_to_text(body)
    elif kind == "call":
        extra = item.get("extra") or {}
        dur = extra.get("duration_s")
        body = "☎ " + " · ".join(
            str(x)
            for x in (
                f"{int(dur) // 60}:{int(dur) % 60:02d}" if dur else "",
                extra.get("disposition"),
                extra.get("transcript"),
            )
            if x
        )
    elif kind == "note":
        body = f"📝 {body}"
    mark = DELIVERY_MARK.get(item.get("delivery") or "", "") if item["direction"] == "out" else ""
    return f"{head}\n{body}{('  ' + mark) if mark else ''}"
