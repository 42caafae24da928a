"""My conversations and the queue, as one incrementally updated list model."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt, QTimer
from PySide6.QtGui import QColor

OPEN = {"queued", "offered", "active", "held", "wrap_up"}
ConversationRole = Qt.ItemDataRole.UserRole + 1
Index = QModelIndex | QPersistentModelIndex


class ConversationModel(QAbstractListModel):
    """Rows keyed by conversation id; a change touches one row, never resets the model."""

    def __init__(self, operator_id: int = 0, parent: Any = None) -> None:
        super().__init__(parent)
        self.operator_id = operator_id
        self._rows: list[dict[str, Any]] = []
        self._row_of: dict[int, int] = {}
        self.names: dict[int, str] = {}
        self.sla: dict[int, int] = {}
        self.unread: set[int] = set()
        # Translated once: data() runs hundreds of times per repaint.
        self._channel_names = {
            "webchat": self.tr("Web chat"),
            "email": self.tr("E-mail"),
            "telegram": "Telegram",
            "whatsapp": "WhatsApp",
            "sms": "SMS",
            "voice": self.tr("Call"),
            "visit": self.tr("Visit"),
        }
        self._state_names = {
            "queued": self.tr("waiting"),
            "offered": self.tr("offered to you"),
            "active": self.tr("active"),
            "held": self.tr("on hold"),
            "wrap_up": self.tr("wrap-up"),
        }
        self._tick = QTimer(self)
        self._tick.setInterval(1000)
        self._tick.timeout.connect(self._waiting_changed)
        self._tick.start()

    # -- Qt model API ---------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        conv = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            name = self.names.get(conv["customer_id"]) or f"#{conv['customer_id']}"
            mark = "● " if conv["id"] in self.unread else ""
            channel = self._channel_names.get(conv["channel"], conv["channel"])
            state = self._state_names.get(conv["state"], conv["state"])
            return f"{mark}{name} · {channel} · {state} · {self._waiting_text(conv)}"
        if role == Qt.ItemDataRole.ToolTipRole:
            return conv.get("subject") or ""
        if role == Qt.ItemDataRole.ForegroundRole:
            return self._sla_colour(conv)
        if role == ConversationRole:
            return conv
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return self.data(index, Qt.ItemDataRole.DisplayRole)
        return None

    # -- updates --------------------------------------------------------------------------------
    def load(self, snapshot: dict[str, Any]) -> None:
        self.beginResetModel()
        self.names.update({int(k): v for k, v in snapshot.get("customers", {}).items()})
        self.sla = {q["id"]: q["sla_seconds"] for q in snapshot.get("queues", [])}
        self._rows = []
        self._row_of = {}
        for conv in [*snapshot.get("conversations", []), *snapshot.get("queue", [])]:
            if conv["id"] not in self._row_of:
                self._row_of[conv["id"]] = len(self._rows)
                self._rows.append(conv)
        self.endResetModel()

    def upsert(self, conv: dict[str, Any], customer_name: str = "") -> None:
        if customer_name:
            self.names[conv["customer_id"]] = customer_name
        row = self._row_of.get(conv["id"])
        if conv["state"] not in OPEN or not self._mine_or_queue(conv):
            if row is not None:
                self._remove(row)
            return
        if row is None:
            self.beginInsertRows(QModelIndex(), len(self._rows), len(self._rows))
            self._row_of[conv["id"]] = len(self._rows)
            self._rows.append(conv)
            self.endInsertRows()
        else:
            self._rows[row] = conv
            idx = self.index(row)
            self.dataChanged.emit(idx, idx)

    def mark_unread(self, conversation_id: int, unread: bool = True) -> None:
        (self.unread.add if unread else self.unread.discard)(conversation_id)
        row = self._row_of.get(conversation_id)
        if row is not None:
            idx = self.index(row)
            self.dataChanged.emit(idx, idx)

    def row_of(self, conversation_id: int) -> int | None:
        return self._row_of.get(conversation_id)

    def conversation(self, row: int) -> dict[str, Any]:
        return self._rows[row]

    def conversations(self) -> list[dict[str, Any]]:
        return list(self._rows)

    def _mine_or_queue(self, conv: dict[str, Any]) -> bool:
        return (
            conv["state"] in ("queued",)
            or conv.get("offered_to") == self.operator_id
            or conv.get("operator_id") == self.operator_id
        )

    def _remove(self, row: int) -> None:
        self.beginRemoveRows(QModelIndex(), row, row)
        conv = self._rows.pop(row)
        self.endRemoveRows()
        self._row_of.pop(conv["id"], None)
        self.unread.discard(conv["id"])
        for r in range(row, len(self._rows)):
            self._row_of[self._rows[r]["id"]] = r

    def _waiting_changed(self) -> None:
        if self._rows:
            self.dataChanged.emit(
                self.index(0), self.index(len(self._rows) - 1), [Qt.ItemDataRole.DisplayRole]
            )

    @staticmethod
    def _waited_s(conv: dict[str, Any]) -> float:
        queued = conv.get("queued_at")
        if not queued:
            return 0.0
        return max(0.0, (datetime.now(UTC) - datetime.fromisoformat(queued)).total_seconds())

    def _waiting_text(self, conv: dict[str, Any]) -> str:
        s = int(self._waited_s(conv))
        return f"{s // 60}:{s % 60:02d}"

    def _sla_colour(self, conv: dict[str, Any]) -> QColor | None:
        if conv["state"] not in ("queued", "offered"):
            return None
        sla = self.sla.get(conv.get("queue_id") or 0, 60) or 60
        share = self._waited_s(conv) / sla
        if share < 0.5:
            return QColor("#2e7d32")
        return QColor("#b26a00") if share < 1.0 else QColor("#c62828")
