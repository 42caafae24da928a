"""Log a visit or an outside call: what happened with the customer away from the system goes
on their timeline (when, which way, how long, what about, how it ended). Ctrl+Enter saves."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QDateTime, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from services.protocol import touchpoints
from ui import labels
from ui.dialogs import _buttons, _ctrl_enter_accepts


class LogTouchpointDialog(QDialog):
    def __init__(self, card: dict[str, Any], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("LogTouchpointDialog")
        name = str((card.get("customer") or {}).get("name") or "")
        self.setWindowTitle(self.tr("Log a visit or call"))
        self.setAccessibleName(self.tr("Log a visit or call"))

        self.kind = QComboBox(self)
        self.kind.setObjectName("TouchpointKind")
        self.kind.setAccessibleName(self.tr("What happened"))
        self.kind.view().setAccessibleName(self.tr("Kinds of touchpoint"))
        self.kind.addItem(self.tr("Visit in person"), "visit")
        self.kind.addItem(self.tr("Phone call outside the system"), "call")
        self.direction = QComboBox(self)
        self.direction.setObjectName("TouchpointDirection")
        self.direction.setAccessibleName(self.tr("Who made contact"))
        self.direction.view().setAccessibleName(self.tr("Who made contact"))
        self.direction.addItem(self.tr("The customer came or called"), "in")
        self.direction.addItem(self.tr("We called the customer"), "out")
        self.when = QDateTimeEdit(QDateTime.currentDateTime(), self)
        self.when.setObjectName("TouchpointWhen")
        self.when.setAccessibleName(self.tr("When it happened"))
        self.when.setCalendarPopup(True)
        self.when.setMaximumDateTime(QDateTime.currentDateTime().addSecs(60))
        self.when.setMinimumDateTime(
            QDateTime.currentDateTime().addDays(-touchpoints.MAX_AGE_DAYS + 1)
        )
        self.duration = QSpinBox(self)
        self.duration.setObjectName("TouchpointDuration")
        self.duration.setAccessibleName(self.tr("Duration in minutes"))
        self.duration.setRange(0, touchpoints.MAX_DURATION_MIN)
        self.duration.setSuffix(self.tr(" min"))
        self.outcome = QComboBox(self)
        self.outcome.setObjectName("TouchpointOutcome")
        self.outcome.setAccessibleName(self.tr("Outcome"))
        self.outcome.view().setAccessibleName(self.tr("Outcomes"))
        outcome_names = labels.disposition_names()
        for code in touchpoints.OUTCOMES:
            self.outcome.addItem(outcome_names.get(code, code), code)
        self.summary = QPlainTextEdit(self)
        self.summary.setObjectName("TouchpointSummary")
        self.summary.setAccessibleName(self.tr("Summary"))
        self.summary.setPlaceholderText(self.tr("What it was about and what was agreed"))
        self.summary.setTabChangesFocus(True)

        form = QFormLayout()
        form.addRow(self.tr("&What:"), self.kind)
        form.addRow(self.tr("&Contact:"), self.direction)
        form.addRow(self.tr("W&hen:"), self.when)
        form.addRow(self.tr("&Duration:"), self.duration)
        form.addRow(self.tr("&Outcome:"), self.outcome)
        form.addRow(self.tr("&Summary:"), self.summary)
        lay = QVBoxLayout(self)
        if name:
            who = QLabel(name, self)
            who.setTextFormat(Qt.TextFormat.PlainText)
            lay.addWidget(who)
        lay.addLayout(form)
        self.buttons = _buttons(self, self.tr("Log it"), self.tr("Log the touchpoint"))
        lay.addWidget(self.buttons)
        self.summary.textChanged.connect(self._validate)
        _ctrl_enter_accepts(self)
        self._validate()
        self.kind.setFocus()
        self.resize(460, 360)

    def _validate(self) -> None:
        ok = bool(self.summary.toPlainText().strip())
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(ok)

    def accept(self) -> None:
        if self.summary.toPlainText().strip():
            super().accept()

    def values(self) -> dict[str, Any]:
        when = self.when.dateTime().toSecsSinceEpoch()
        return {
            "kind": str(self.kind.currentData()),
            "direction": str(self.direction.currentData()),
            "happened_at": datetime.fromtimestamp(when, UTC).isoformat(),
            "duration_min": self.duration.value(),
            "outcome": str(self.outcome.currentData()),
            "summary": self.summary.toPlainText().strip(),
        }
