"""The call bar: shown while a voice conversation is offered to the operator or theirs (active or
on hold). Answer, hold/resume, transfer, hang up, and a live timer; each button is enabled only
in the states where the gateway allows it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from ui.conversation_model import format_duration, parse_time
from ui.icons import icon

CALL_STATES = ("offered", "active", "held")


class CallBar(QFrame):
    answerRequested = Signal(int)
    declineRequested = Signal(int)
    holdRequested = Signal(int)
    resumeRequested = Signal(int)
    transferRequested = Signal(int)
    hangupRequested = Signal(int)

    def __init__(self, parent: QWidget | None = None, *, operator_id: int = 0) -> None:
        super().__init__(parent)
        self.setObjectName("CallBar")
        self.setAccessibleName(self.tr("Call"))
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.operator_id = operator_id
        self.conversation: dict[str, Any] | None = None
        self._since: datetime | None = None
        self._customer = ""
        self._names: dict[int, str] = {}

        self.phone = QLabel(self)
        self.phone.setPixmap(icon("voice").pixmap(QSize(20, 20), self.devicePixelRatioF()))
        self.phone.setAccessibleName(self.tr("Call"))
        self.who = QLabel(self)
        self.who.setObjectName("CallCustomer")
        self.who.setTextFormat(Qt.TextFormat.PlainText)
        self.who.setAccessibleName(self.tr("Caller"))
        bold = QFont(self.who.font())
        bold.setBold(True)
        self.who.setFont(bold)
        self.status = QLabel(self)
        self.status.setObjectName("CallStatus")
        self.status.setAccessibleName(self.tr("Call state"))
        self.timer_label = QLabel("0:00", self)
        self.timer_label.setObjectName("CallTimer")
        self.timer_label.setAccessibleName(self.tr("Call duration"))
        self.timer_label.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))

        self.answer_button = self._button("accept", self.tr("Answer"), self.tr("Answer the call"))
        self.decline_button = self._button(
            "decline", self.tr("Decline"), self.tr("Decline the call")
        )
        self.hold_button = self._button("hold", self.tr("Hold"), self.tr("Put the call on hold"))
        self.transfer_button = self._button(
            "transfer", self.tr("Transfer…"), self.tr("Transfer the call")
        )
        self.hangup_button = self._button("hangup", self.tr("Hang up"), self.tr("End the call"))
        self.answer_button.clicked.connect(lambda: self._emit(self.answerRequested))
        self.decline_button.clicked.connect(lambda: self._emit(self.declineRequested))
        self.hold_button.clicked.connect(self._hold_or_resume)
        self.transfer_button.clicked.connect(lambda: self._emit(self.transferRequested))
        self.hangup_button.clicked.connect(lambda: self._emit(self.hangupRequested))

        lay = QHBoxLayout(self)
        lay.setContentsMargins(10, 4, 10, 4)
        lay.addWidget(self.phone)
        lay.addWidget(self.who)
        lay.addWidget(self.status)
        lay.addWidget(self.timer_label)
        lay.addStretch(1)
        for b in (
            self.answer_button,
            self.decline_button,
            self.hold_button,
            self.transfer_button,
            self.hangup_button,
        ):
            lay.addWidget(b)

        self._tick = QTimer(self)
        self._tick.setInterval(1000)
        self._tick.timeout.connect(self._update_timer)
        self.setVisible(False)

    def _button(self, icon_name: str, text: str, accessible: str) -> QPushButton:
        b = QPushButton(icon(icon_name), text, self)
        b.setAccessibleName(accessible)
        b.setToolTip(accessible)
        b.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        return b

    # -- what is shown --------------------------------------------------------------------------
    def set_customer_name(self, customer_id: int, name: str) -> None:
        if name:
            self._names[customer_id] = name
            if self.conversation and self.conversation["customer_id"] == customer_id:
                self.who.setText(name)

    def track(self, conv: dict[str, Any]) -> None:
        """Any conversation changed: follow it if it is this operator's call."""
        is_call = conv.get("channel") == "voice" and conv.get("state") in CALL_STATES
        mine = (conv.get("state") == "offered" and conv.get("offered_to") == self.operator_id) or (
            conv.get("state") in ("active", "held") and conv.get("operator_id") == self.operator_id
        )
        current = self.conversation
        if is_call and mine:
            if current is None or current["id"] == conv["id"] or current["state"] == "offered":
                self._show(conv)
        elif current is not None and current["id"] == conv["id"]:
            self._show(None)

    def load(self, conversations: list[dict[str, Any]]) -> None:
        """After a snapshot: the operator's call, if there is one (active before offered)."""
        self._show(None)
        calls = [c for c in conversations if c.get("channel") == "voice"]
        calls.sort(key=lambda c: 0 if c.get("state") in ("active", "held") else 1)
        for conv in calls:
            self.track(conv)
            if self.conversation is not None:
                break

    def _show(self, conv: dict[str, Any] | None) -> None:
        before = self.conversation
        self.conversation = conv
        if conv is None:
            self._tick.stop()
            self._since = None
            self.setVisible(False)
            return
        state = conv["state"]
        if before is None or before["id"] != conv["id"]:
            # Ringing counts from when the call was queued; a call already running at sign-in
            # from then too (the gateway does not say when it was answered).
            self._since = parse_time(conv.get("queued_at")) or datetime.now(UTC)
        elif before["state"] == "offered" and state != "offered":
            self._since = datetime.now(UTC)  # answered here: the talk time starts
        self.who.setText(self._names.get(conv["customer_id"], "") or self.tr("Caller"))
        self.status.setText(
            {
                "offered": self.tr("Incoming call"),
                "active": self.tr("On the call"),
                "held": self.tr("On hold"),
            }[state]
        )
        self.answer_button.setEnabled(state == "offered")
        self.answer_button.setVisible(state == "offered")
        self.decline_button.setEnabled(state == "offered")
        self.decline_button.setVisible(state == "offered")
        self.hold_button.setEnabled(state in ("active", "held"))
        self.hold_button.setText(self.tr("Resume") if state == "held" else self.tr("Hold"))
        self.hold_button.setIcon(icon("resume" if state == "held" else "hold"))
        self.hold_button.setAccessibleName(
            self.tr("Resume the call") if state == "held" else self.tr("Put the call on hold")
        )
        self.transfer_button.setEnabled(state in ("active", "held"))
        self.hangup_button.setEnabled(state in ("active", "held"))
        self.setProperty("state", state)
        self._update_timer()
        self._tick.start()
        self.setVisible(True)

    def elapsed_s(self) -> int:
        if self._since is None:
            return 0
        return max(0, int((datetime.now(UTC) - self._since).total_seconds()))

    def _update_timer(self) -> None:
        self.timer_label.setText(format_duration(self.elapsed_s()))

    # -- buttons --------------------------------------------------------------------------------
    def _emit(self, signal: Any) -> None:
        if self.conversation is not None:
            signal.emit(int(self.conversation["id"]))

    def _hold_or_resume(self) -> None:
        if self.conversation is None:
            return
        if self.conversation["state"] == "held":
            self.resumeRequested.emit(int(self.conversation["id"]))
        else:
            self.holdRequested.emit(int(self.conversation["id"]))
