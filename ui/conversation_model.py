"""My conversations and the queue: one table model, updated row by row, and a filtering proxy.

The model holds every open conversation the operator can see: their own (offered to them or
owned by them) and the waiting ones of their queues. A change touches one row; nothing resets
the model after the first load, so the selection and the scroll position survive a busy hour
and a reconnect. A 1 s timer refreshes the waiting-time column alone (and its service-level
colour); the rest of a row changes only when the conversation does.

:class:`ConversationFilter` shows one section (mine or the queue), optionally one channel, one
state, one tag and only the high and urgent ones, sorted with offers first, then urgent, then
high, then by how long the customer has waited.

Tags, priority and snooze (protocol §4.3). A high or urgent conversation says so in words at the
head of its subject ("Urgent · …"; urgent rows are bold too), so the mark never depends on colour;
its tags follow the subject ("#billing #vip") and are listed in its tooltip. A snoozed
conversation is set aside, as Zendesk and Chatwoot do: the default view ("All states") leaves it
out, the state filter's "Snoozed" shows only the snoozed ones (dimmed, the State column saying
until when: "Snoozed until 14:30" or "Snoozed until the customer replies"); it comes back by
itself when it wakes. A snoozed conversation stays ``active`` on the wire, so "Active" does not
show it either: it is in "Snoozed" only.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPointF,
    QSortFilterProxyModel,
    Qt,
    QTimer,
)
from PySide6.QtGui import QColor, QFont, QIcon, QImage, QPainter, QPixmap

from services.protocol.channels import CHANNELS
from services.protocol.triage import PRIORITY_RANK
from ui import theme
from ui.icons import icon
from ui.labels import channel_names, queue_name

Index = QModelIndex | QPersistentModelIndex

OPEN_STATES = ("queued", "offered", "active", "held", "wrap_up")
WAITING_STATES = ("queued", "offered")
DEFAULT_SLA_S = 60

MINE = "mine"
QUEUE = "queue"

# The state filter's choice for the snoozed conversations (they are "active" on the wire).
SNOOZED = "snoozed"
# The priorities that are marked and sort first, the highest first.
RAISED_PRIORITIES = ("urgent", "high")
_PRIORITY_BUCKET = {p: i for i, p in enumerate(RAISED_PRIORITIES)}


def is_snoozed(conv: dict[str, Any]) -> bool:
    return conv.get("snooze_mode") in ("until", "reply")


def priority_of(conv: dict[str, Any]) -> str:
    value = str(conv.get("priority") or "normal")
    return value if value in PRIORITY_RANK else "normal"


def tags_of(conv: dict[str, Any]) -> list[str]:
    tags = conv.get("tags")
    return [str(t) for t in tags] if isinstance(tags, list) else []


# Service level of a waiting conversation, by the share of its queue's SLA already used.
SL_OK = "ok"  # under 50 %
SL_WARN = "warn"  # under 100 %
SL_BREACH = "breach"  # over
# Each level in the theme's own colour, so that it stays readable on a dark surface too.
SL_THEME_COLOURS = {SL_OK: "success", SL_WARN: "warning", SL_BREACH: "danger"}


def level_colour(level: str) -> QColor:
    return theme.colour(SL_THEME_COLOURS[level])


def _dot(colour: QColor) -> QIcon:
    """A small filled circle in the colour: the service level beside the waiting time."""
    out = QIcon()
    for scale in (1.0, 2.0):
        side = round(16 * scale)
        image = QImage(side, side, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        p = QPainter(image)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(colour)
        r = 4.5 * scale
        p.drawEllipse(QPointF(side / 2, side / 2), r, r)
        p.end()
        pixmap = QPixmap.fromImage(image)
        pixmap.setDevicePixelRatio(scale)
        out.addPixmap(pixmap)
    return out


class Column(IntEnum):
    CHANNEL = 0
    CUSTOMER = 1
    SUBJECT = 2
    STATE = 3
    WAITING = 4


class Role(IntEnum):
    CONVERSATION = Qt.ItemDataRole.UserRole + 1  # the conversation dict
    ID = Qt.ItemDataRole.UserRole + 2
    CHANNEL = Qt.ItemDataRole.UserRole + 3
    STATE = Qt.ItemDataRole.UserRole + 4
    SECTION = Qt.ItemDataRole.UserRole + 5  # MINE or QUEUE
    UNREAD = Qt.ItemDataRole.UserRole + 6
    SERVICE_LEVEL = Qt.ItemDataRole.UserRole + 7  # SL_OK / SL_WARN / SL_BREACH / None
    WAITED_S = Qt.ItemDataRole.UserRole + 8
    CUSTOMER_NAME = Qt.ItemDataRole.UserRole + 9
    PRIORITY = Qt.ItemDataRole.UserRole + 10
    TAGS = Qt.ItemDataRole.UserRole + 11
    SNOOZED = Qt.ItemDataRole.UserRole + 12


# Plain ints for data(): comparing with enum members costs an attribute lookup each time.
_NCOLS = len(Column)
_C_CHANNEL, _C_CUSTOMER, _C_SUBJECT, _C_STATE, _C_WAITING = (int(c) for c in Column)
_DISPLAY = int(Qt.ItemDataRole.DisplayRole.value)
_DECORATION = int(Qt.ItemDataRole.DecorationRole.value)
_FOREGROUND = int(Qt.ItemDataRole.ForegroundRole.value)
_FONT = int(Qt.ItemDataRole.FontRole.value)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole.value)
_ACCESSIBLE = int(Qt.ItemDataRole.AccessibleTextRole.value)
(
    _R_CONVERSATION,
    _R_ID,
    _R_CHANNEL,
    _R_STATE,
    _R_SECTION,
    _R_UNREAD,
    _R_SERVICE_LEVEL,
    _R_WAITED_S,
    _R_CUSTOMER_NAME,
    _R_PRIORITY,
    _R_TAGS,
    _R_SNOOZED,
) = (int(r) for r in Role)
_ROLES = frozenset(
    {_DISPLAY, _DECORATION, _FOREGROUND, _FONT, _TOOLTIP, _ACCESSIBLE, *(int(r) for r in Role)}
)
_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
_NO_FLAGS = Qt.ItemFlag.NoItemFlags

# What an unread mark and a customer's name change (never the order or the filters).
UNREAD_ROLES = [_DISPLAY, _FONT, _ACCESSIBLE, _R_UNREAD]
NAME_ROLES = [_DISPLAY, _ACCESSIBLE, _R_CUSTOMER_NAME]

# Roles the 1 s tick refreshes on the waiting column.
TICK_ROLES = [
    Qt.ItemDataRole.DisplayRole,
    Qt.ItemDataRole.DecorationRole,
    Qt.ItemDataRole.ForegroundRole,
    Qt.ItemDataRole.ToolTipRole,
    Qt.ItemDataRole.AccessibleTextRole,
    Role.SERVICE_LEVEL,
    Role.WAITED_S,
]


def parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        t = datetime.fromisoformat(value)
    except ValueError:
        return None
    return t if t.tzinfo is not None else t.replace(tzinfo=UTC)


def format_duration(seconds: float) -> str:
    """0:07, 12:30, 1:02:03; a day or more as "3 d" (language-neutral enough for a column)."""
    s = max(0, int(seconds))
    if s >= 86400:
        return QCoreApplication.translate("ConversationModel", "%1 d").replace(
            "%1", str(s // 86400)
        )
    if s >= 3600:
        return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"
    return f"{s // 60}:{s % 60:02d}"


class ConversationModel(QAbstractTableModel):
    """Rows keyed by conversation id. ``clock`` returns "now" (tests pass a fixed one)."""

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        operator_id: int = 0,
        clock: Callable[[], datetime] | None = None,
        tick_ms: int = 1000,
    ) -> None:
        super().__init__(parent)
        self.operator_id = operator_id
        self._clock = clock or (lambda: datetime.now(UTC))
        self._rows: list[dict[str, Any]] = []
        self._row_of: dict[int, int] = {}
        self._queued_at: dict[int, datetime | None] = {}
        self._accepted_at: dict[int, datetime | None] = {}
        self._due_at: dict[int, datetime | None] = {}  # the owed reply's due time
        self._names: dict[int, str] = {}
        self._sla: dict[int, int] = {}
        self._queue_names: dict[int, str] = {}
        self._unread: set[int] = set()
        # Translated once: data() runs many times per repaint.
        self._channel_names = channel_names()
        self._state_names = {
            "queued": self.tr("Waiting"),
            "offered": self.tr("Offered"),
            "offered_to_me": self.tr("Offered to you"),
            "active": self.tr("Active"),
            "held": self.tr("On hold"),
            "wrap_up": self.tr("Wrap-up"),
        }
        self._sl_names = {
            SL_OK: self.tr("within the service level"),
            SL_WARN: self.tr("service level at risk"),
            SL_BREACH: self.tr("service level missed"),
        }
        self._headers = [
            self.tr("Channel"),
            self.tr("Customer"),
            self.tr("Subject"),
            self.tr("State"),
            self.tr("Time"),
        ]
        # Short, for a narrow column: the time left, or how late with a minus; the tooltip and
        # the accessible text say it in words.
        self._reply_in = "%1"
        self._late = "−%1"
        self._kinds = {
            "first_response": self.tr("First reply"),
            "next_response": self.tr("Next reply"),
        }
        self._due_tip = self.tr("%1 due in %2 (target %3)")
        self._overdue_tip = self.tr("%1 overdue by %2 (target %3)")
        self._handling_tip = self.tr("Handling time: %1")
        self._unread_text = self.tr("unread")
        self._no_name = self.tr("Customer #%1")
        self._priority_marks = {"urgent": self.tr("Urgent"), "high": self.tr("High")}
        self._snoozed_until = self.tr("Snoozed until %1")
        self._snoozed_reply = self.tr("Snoozed until the customer replies")
        self._tags_tip = self.tr("Tags: %1")
        self._icons: dict[str, QIcon] = {ch: icon(ch) for ch in CHANNELS}
        self._dots: dict[str, tuple[str, QIcon]] = {}  # level: (colour it was drawn in, dot)
        self._bold = QFont()
        self._bold.setBold(True)
        self._tick = QTimer(self)
        self._tick.setInterval(tick_ms)
        self._tick.timeout.connect(self.tick)
        if tick_ms > 0:
            self._tick.start()

    # -- Qt model API (hot: views call these thousands of times a second; plain ints only) --------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else _NCOLS

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(self._headers)
            and role in (_DISPLAY, _ACCESSIBLE)
        ):
            return self._headers[section]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        return _FLAGS if index.isValid() else _NO_FLAGS

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role not in _ROLES or not index.isValid():
            return None
        row = index.row()
        if not 0 <= row < len(self._rows):
            return None
        conv = self._rows[row]
        col = index.column()
        if role == _DISPLAY:
            return self._display(conv, col)
        if role == _DECORATION:
            if col == _C_CHANNEL:
                return self._icons.get(conv["channel"])
            if col == _C_WAITING:
                level = self.service_level(conv)
                return self._dot(level) if level else None
            return None
        if role == _FOREGROUND:
            if is_snoozed(conv):
                return theme.colour("muted")  # set aside: dimmed, the State column says why
            if col == _C_WAITING:
                level = self.service_level(conv)
                return level_colour(level) if level else None
            return None
        if role == _FONT:
            return self._bold if self._emphasised(conv) else None
        if role == _TOOLTIP:
            if col == _C_WAITING:
                return self._time_tooltip(conv)
            if col == _C_SUBJECT:
                return self._subject_tooltip(conv)
            return None
        if role == _ACCESSIBLE:
            text = self._display(conv, col)
            if col == _C_CUSTOMER and conv["id"] in self._unread:
                return f"{self.customer_name(conv['customer_id'])}, {self._unread_text}"
            if col == _C_WAITING:
                tip = self._time_tooltip(conv)
                return f"{text}, {tip}" if tip else text
            return text
        return self._custom(conv, role)

    def _custom(self, conv: dict[str, Any], role: int) -> Any:
        if role == _R_CONVERSATION:
            return conv
        if role == _R_ID:
            return conv["id"]
        if role == _R_CHANNEL:
            return conv["channel"]
        if role == _R_STATE:
            return conv["state"]
        if role == _R_SECTION:
            return self.section(conv)
        if role == _R_UNREAD:
            return conv["id"] in self._unread
        if role == _R_SERVICE_LEVEL:
            return self.service_level(conv)
        if role == _R_WAITED_S:
            return self.waited_s(conv)
        if role == _R_CUSTOMER_NAME:
            return self.customer_name(conv["customer_id"])
        if role == _R_PRIORITY:
            return priority_of(conv)
        if role == _R_TAGS:
            return tags_of(conv)
        if role == _R_SNOOZED:
            return is_snoozed(conv)
        return None

    def _display(self, conv: dict[str, Any], col: int) -> str:
        if col == _C_CHANNEL:
            return self._channel_names.get(conv["channel"], str(conv["channel"]))
        if col == _C_CUSTOMER:
            name = self.customer_name(conv["customer_id"])
            return f"● {name}" if conv["id"] in self._unread else name
        if col == _C_SUBJECT:
            return self._subject(conv)
        if col == _C_STATE:
            return self.snooze_text(conv) if is_snoozed(conv) else self.state_name(conv)
        if col == _C_WAITING:
            return self._time_text(conv)
        return ""

    # -- tags, priority and snooze ---------------------------------------------------------------
    def _subject(self, conv: dict[str, Any]) -> str:
        """ "Urgent · Where is my order #billing #vip": the mark in words, then the tags."""
        text = str(conv.get("subject") or "")
        mark = self._priority_marks.get(priority_of(conv))
        if mark:
            text = f"{mark} · {text}" if text else mark
        tags = tags_of(conv)
        if tags:
            hashed = " ".join(f"#{t}" for t in tags)
            text = f"{text}  {hashed}" if text else hashed
        return text

    def _subject_tooltip(self, conv: dict[str, Any]) -> str | None:
        lines = [str(conv.get("subject") or "")]
        tags = tags_of(conv)
        if tags:
            lines.append(self._tags_tip.replace("%1", ", ".join(tags)))
        text = "\n".join(line for line in lines if line)
        return text or None

    def snooze_text(self, conv: dict[str, Any]) -> str:
        """ "Snoozed until 14:30" (a date too when not today), or until the customer replies."""
        until = (
            parse_time(conv.get("snoozed_until")) if conv.get("snooze_mode") == "until" else None
        )
        if until is None:
            return self._snoozed_reply
        local = until.astimezone()
        now = self._clock().astimezone()
        when = (
            local.strftime("%H:%M") if local.date() == now.date() else local.strftime("%d.%m %H:%M")
        )
        return self._snoozed_until.replace("%1", when)

    # -- the time column: waiting, then the reply due, then handling ----------------------------
    def _time_text(self, conv: dict[str, Any]) -> str:
        if conv["state"] in WAITING_STATES:
            return format_duration(self.waited_s(conv))
        left = self.response_left_s(conv)
        if left is not None:
            if left >= 0:
                return self._reply_in.replace("%1", format_duration(left))
            return self._late.replace("%1", format_duration(-left))
        return format_duration(self.handled_s(conv))

    def _time_tooltip(self, conv: dict[str, Any]) -> str | None:
        if conv["state"] in WAITING_STATES:
            level = self.service_level(conv)
            return self._sl_names[level] if level else None
        sla = self._response(conv)
        left = self.response_left_s(conv)
        if sla is None or left is None:
            return self._handling_tip.replace("%1", format_duration(self.handled_s(conv)))
        kind = self._kinds.get(str(sla.get("kind")), self._kinds["next_response"])
        target = format_duration(float(sla.get("target_s") or 0))
        text = self._due_tip if left >= 0 else self._overdue_tip
        return (
            text.replace("%1", kind).replace("%2", format_duration(abs(left))).replace("%3", target)
        )

    def _dot(self, level: str) -> QIcon:
        wanted = level_colour(level).name()
        drawn = self._dots.get(level)
        if drawn is None or drawn[0] != wanted:  # the theme changed since
            drawn = (wanted, _dot(QColor(wanted)))
            self._dots[level] = drawn
        return drawn[1]

    def _emphasised(self, conv: dict[str, Any]) -> bool:
        return (
            conv["id"] in self._unread
            or self.offered_to_me(conv)
            or conv.get("priority") == "urgent"
        )

    # -- what a row means -----------------------------------------------------------------------
    def offered_to_me(self, conv: dict[str, Any]) -> bool:
        return conv["state"] == "offered" and conv.get("offered_to") == self.operator_id

    def mine(self, conv: dict[str, Any]) -> bool:
        return self.offered_to_me(conv) or (
            conv["state"] not in WAITING_STATES and conv.get("operator_id") == self.operator_id
        )

    def section(self, conv: dict[str, Any]) -> str:
        return MINE if self.mine(conv) else QUEUE

    def state_name(self, conv: dict[str, Any]) -> str:
        key = "offered_to_me" if self.offered_to_me(conv) else conv["state"]
        return self._state_names.get(key, str(conv["state"]))

    def channel_name(self, channel: str) -> str:
        return self._channel_names.get(channel, channel)

    def customer_name(self, customer_id: int) -> str:
        return self._names.get(customer_id) or self._no_name.replace("%1", str(customer_id))

    def waited_s(self, conv: dict[str, Any]) -> float:
        queued = self._queued_at.get(conv["id"])
        if queued is None:
            return 0.0
        return max(0.0, (self._clock() - queued).total_seconds())

    def handled_s(self, conv: dict[str, Any]) -> float:
        """Since an operator accepted it (0 until then)."""
        accepted = self._accepted_at.get(conv["id"])
        if accepted is None:
            return 0.0
        return max(0.0, (self._clock() - accepted).total_seconds())

    def _response(self, conv: dict[str, Any]) -> dict[str, Any] | None:
        sla = conv.get("sla")
        if not isinstance(sla, dict) or conv["state"] not in ("active", "held"):
            return None
        return sla

    def response_left_s(self, conv: dict[str, Any]) -> float | None:
        """Seconds until the reply the customer is owed is due (negative: late); None when no
        reply is owed."""
        due = self._due_at.get(conv["id"])
        if due is None or self._response(conv) is None:
            return None
        return (due - self._clock()).total_seconds()

    def sla_seconds(self, conv: dict[str, Any]) -> int:
        return self._sla.get(conv.get("queue_id") or 0) or DEFAULT_SLA_S

    def service_level(self, conv: dict[str, Any]) -> str | None:
        """Green under half the target, amber under all of it, red over: the queue's answer
        target while waiting, then the reply the customer is owed (first or next response)."""
        if conv["state"] not in WAITING_STATES:
            sla = self._response(conv)
            left = self.response_left_s(conv)
            if sla is None or left is None:
                return None
            target = float(sla.get("target_s") or 0)
            share = (target - left) / target if target > 0 else (0.0 if left >= 0 else 1.0)
        else:
            share = self.waited_s(conv) / self.sla_seconds(conv)
        if share < 0.5:
            return SL_OK
        return SL_WARN if share < 1.0 else SL_BREACH

    def sort_key(self, row: int) -> tuple[int, int, float, int]:
        """Offers to me first, then urgent, then high, then the longest wait first (the oldest
        queued_at)."""
        conv = self._rows[row]
        queued = self._queued_at.get(conv["id"])
        stamp = queued.timestamp() if queued is not None else math.inf
        bucket = _PRIORITY_BUCKET.get(str(conv.get("priority")), len(RAISED_PRIORITIES))
        return (0 if self.offered_to_me(conv) else 1, bucket, stamp, conv["id"])

    # -- reading --------------------------------------------------------------------------------
    def conversation(self, row: int) -> dict[str, Any]:
        return self._rows[row]

    def conversations(self) -> list[dict[str, Any]]:
        return list(self._rows)

    def find(self, conversation_id: int) -> dict[str, Any] | None:
        row = self._row_of.get(conversation_id)
        return None if row is None else self._rows[row]

    def row_of(self, conversation_id: int) -> int | None:
        return self._row_of.get(conversation_id)

    def queues(self) -> dict[int, str]:
        return dict(self._queue_names)

    def tags(self) -> list[str]:
        """Every tag of the conversations held, sorted: what the tag filter and the tag
        editor offer."""
        return sorted({t for conv in self._rows for t in tags_of(conv)})

    def is_unread(self, conversation_id: int) -> bool:
        return conversation_id in self._unread

    def unread_count(self) -> int:
        return len(self._unread)

    # -- changes --------------------------------------------------------------------------------
    def load(self, snapshot: dict[str, Any]) -> None:
        """Merge a snapshot (sign-in or a reconnect that could not resume): rows gone from it
        leave, the others update or arrive. Only the very first load is a reset."""
        self._names.update({int(k): str(v) for k, v in snapshot.get("customers", {}).items()})
        queues = snapshot.get("queues", [])
        self._sla = {int(q["id"]): int(q.get("sla_seconds") or 0) for q in queues}
        self._queue_names = {int(q["id"]): queue_name(q) for q in queues}
        incoming: dict[int, dict[str, Any]] = {}
        for conv in [*snapshot.get("conversations", []), *snapshot.get("queue", [])]:
            if conv.get("state") in OPEN_STATES:
                incoming.setdefault(int(conv["id"]), conv)
        if not self._rows:
            if incoming:
                self.beginInsertRows(QModelIndex(), 0, len(incoming) - 1)
                for conv in incoming.values():
                    self._append(conv)
                self.endInsertRows()
            return
        for row in reversed(range(len(self._rows))):
            if self._rows[row]["id"] not in incoming:
                self._remove(row)
        fresh = []
        for conv_id, conv in incoming.items():
            if conv_id in self._row_of:
                self._replace(self._row_of[conv_id], conv)
            else:
                fresh.append(conv)
        if fresh:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(fresh) - 1)
            for conv in fresh:
                self._append(conv)
            self.endInsertRows()

    def upsert(self, conv: dict[str, Any], customer_name: str = "") -> None:
        """A conversation changed (an event): update, add or remove its row."""
        if customer_name:
            self.set_customer_name(int(conv["customer_id"]), customer_name)
        conv_id = int(conv["id"])
        row = self._row_of.get(conv_id)
        if row is not None and int(conv.get("version", 0)) < int(self._rows[row].get("version", 0)):
            return  # an older view arriving late
        if not self._visible(conv):
            if row is not None:
                self._remove(row)
            return
        if row is None:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first)
            self._append(conv)
            self.endInsertRows()
        else:
            self._replace(row, conv)

    def remove(self, conversation_id: int) -> None:
        row = self._row_of.get(conversation_id)
        if row is not None:
            self._remove(row)

    def set_customer_name(self, customer_id: int, name: str) -> None:
        if not name or self._names.get(customer_id) == name:
            return
        self._names[customer_id] = name
        for row, conv in enumerate(self._rows):
            if conv["customer_id"] == customer_id:
                idx = self.index(row, Column.CUSTOMER)
                self.dataChanged.emit(idx, idx, NAME_ROLES)

    def mark_unread(self, conversation_id: int, unread: bool = True) -> None:
        """An inbound item arrived that the operator has not seen (or they just looked)."""
        if unread == (conversation_id in self._unread):
            return
        row = self._row_of.get(conversation_id)
        if unread and row is None:
            return
        if unread:
            self._unread.add(conversation_id)
        else:
            self._unread.discard(conversation_id)
        if row is not None:
            self.dataChanged.emit(self.index(row, 0), self.index(row, _NCOLS - 1), UNREAD_ROLES)

    def mark_read(self, conversation_id: int) -> None:
        self.mark_unread(conversation_id, False)

    def tick(self) -> None:
        """The waiting time moved on: refresh that column only."""
        if self._rows:
            self.dataChanged.emit(
                self.index(0, Column.WAITING),
                self.index(len(self._rows) - 1, Column.WAITING),
                TICK_ROLES,
            )

    # -- internals ------------------------------------------------------------------------------
    def _visible(self, conv: dict[str, Any]) -> bool:
        if conv.get("state") not in OPEN_STATES:
            return False
        # Offered to, or taken by, someone else: this operator hears nothing more about it
        # (events go to holders only), so it would go stale here.
        return self.mine(conv) or conv["state"] == "queued"

    def _append(self, conv: dict[str, Any]) -> None:
        self._row_of[int(conv["id"])] = len(self._rows)
        self._rows.append(conv)
        self._times(conv)

    def _replace(self, row: int, conv: dict[str, Any]) -> None:
        self._rows[row] = conv
        self._times(conv)
        # No roles: everything may have changed, so the filters and the order are re-checked.
        self.dataChanged.emit(self.index(row, 0), self.index(row, _NCOLS - 1))

    def _times(self, conv: dict[str, Any]) -> None:
        conv_id = int(conv["id"])
        self._queued_at[conv_id] = parse_time(conv.get("queued_at"))
        accepted = parse_time(conv.get("accepted_at"))
        if accepted is None and conv.get("state") not in WAITING_STATES:
            # A gateway that does not say when: from when this desk saw it taken.
            accepted = self._accepted_at.get(conv_id) or self._clock()
        self._accepted_at[conv_id] = accepted
        sla = conv.get("sla")
        self._due_at[conv_id] = parse_time(sla.get("due_at")) if isinstance(sla, dict) else None

    def _remove(self, row: int) -> None:
        self.beginRemoveRows(QModelIndex(), row, row)
        conv = self._rows.pop(row)
        conv_id = int(conv["id"])
        self._row_of.pop(conv_id, None)
        self._queued_at.pop(conv_id, None)
        self._accepted_at.pop(conv_id, None)
        self._due_at.pop(conv_id, None)
        self._unread.discard(conv_id)
        for r in range(row, len(self._rows)):
            self._row_of[int(self._rows[r]["id"])] = r
        self.endRemoveRows()


class ConversationFilter(QSortFilterProxyModel):
    """One section of the list (``MINE``, ``QUEUE`` or both), one channel, some states (the
    snoozed ones are the state ``SNOOZED`` here, and only shown when asked for), one tag, some
    priorities."""

    def __init__(self, section: str | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._section = section
        self._channel: str | None = None
        self._states: frozenset[str] | None = None
        self._tag: str | None = None
        self._priorities: frozenset[str] | None = None
        # While the pointer is over the list, rows keep their places (an offer arriving on top
        # would move the row being clicked): positions by id, new rows below them.
        self._held: dict[int, int] | None = None
        self.setDynamicSortFilter(True)
        # Sorting and filtering look at the whole conversation: a change that names only
        # display roles (the tick, an unread mark, a name) re-sorts and re-filters nothing.
        self.setSortRole(Role.CONVERSATION)
        self.setFilterRole(Role.CONVERSATION)

    def source(self) -> ConversationModel:
        model = self.sourceModel()
        assert isinstance(model, ConversationModel)
        return model

    # -- filter settings ------------------------------------------------------------------------
    @property
    def section(self) -> str | None:
        return self._section

    @property
    def channel(self) -> str | None:
        return self._channel

    @property
    def states(self) -> frozenset[str] | None:
        return self._states

    def set_section(self, section: str | None) -> None:
        self._change(lambda: setattr(self, "_section", section))

    def set_channel(self, channel: str | None) -> None:
        """``None`` (or "") shows every channel."""
        self._change(lambda: setattr(self, "_channel", channel or None))

    def set_states(self, states: Iterable[str] | None) -> None:
        """``None`` shows every open state."""
        value = frozenset(states) if states is not None else None
        self._change(lambda: setattr(self, "_states", value or None))

    def set_state(self, state: str | None) -> None:
        self.set_states([state] if state else None)

    @property
    def tag(self) -> str | None:
        return self._tag

    @property
    def priorities(self) -> frozenset[str] | None:
        return self._priorities

    def set_tag(self, tag: str | None) -> None:
        """``None`` (or "") shows every conversation, tagged or not."""
        self._change(lambda: setattr(self, "_tag", tag or None))

    def set_priorities(self, priorities: Iterable[str] | None) -> None:
        """``None`` shows every priority; ``RAISED_PRIORITIES``: the high and urgent ones."""
        value = frozenset(priorities) if priorities is not None else None
        self._change(lambda: setattr(self, "_priorities", value or None))

    def _change(self, apply: Callable[[], None]) -> None:
        if hasattr(self, "beginFilterChange"):  # Qt 6.10+; invalidateFilter() is deprecated
            self.beginFilterChange()
            apply()
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:  # pragma: no cover - older Qt
            apply()
            self.invalidateFilter()

    # -- QSortFilterProxyModel ------------------------------------------------------------------
    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        model = self.source()
        conv = model.conversation(source_row)
        if self._section is not None and model.section(conv) != self._section:
            return False
        if self._channel is not None and conv["channel"] != self._channel:
            return False
        if self._tag is not None and self._tag not in tags_of(conv):
            return False
        if self._priorities is not None and priority_of(conv) not in self._priorities:
            return False
        if is_snoozed(conv):  # set aside: only where the snoozed ones are asked for
            return self._states is not None and SNOOZED in self._states
        return self._states is None or conv["state"] in self._states

    def lessThan(self, left: Index, right: Index) -> bool:
        model = self.source()
        if self._held is not None:
            return self._held_key(left.row()) < self._held_key(right.row())
        return model.sort_key(left.row()) < model.sort_key(right.row())

    def _held_key(self, source_row: int) -> tuple[int, tuple[int, int, float, int]]:
        model = self.source()
        place = self._held.get(int(model.conversation(source_row)["id"])) if self._held else None
        return (place if place is not None else len(self._held or ()), model.sort_key(source_row))

    def hold_order(self, hold: bool) -> None:
        """Keep (True) or release (False) the rows where they are; released, the list sorts
        itself again."""
        if hold == (self._held is not None):
            return
        if hold:
            self._held = {cid: row for row, cid in enumerate(self.conversation_ids())}
        else:
            self._held = None
            self.invalidate()

    @property
    def order_held(self) -> bool:
        return self._held is not None

    # -- reading --------------------------------------------------------------------------------
    def conversation_at(self, row: int) -> dict[str, Any] | None:
        if not 0 <= row < self.rowCount():
            return None
        conv = self.index(row, 0).data(Role.CONVERSATION)
        return conv if isinstance(conv, dict) else None

    def row_of(self, conversation_id: int) -> int | None:
        source_row = self.source().row_of(conversation_id)
        if source_row is None:
            return None
        idx = self.mapFromSource(self.source().index(source_row, 0))
        return idx.row() if idx.isValid() else None

    def conversation_ids(self) -> list[int]:
        return [int(self.index(r, 0).data(Role.ID)) for r in range(self.rowCount())]
