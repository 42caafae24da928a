"""Dialogs: sign-in, transfer, wrap-up, note, and the table of shortcuts.

They only collect what the operator chose (``values()``); the window opens them without a nested
event loop (``open()`` and the ``accepted`` signal) and turns the answer into an intent. Text
fields of several lines accept the dialog with Ctrl+Enter; Tab moves on.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication, QSize, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QStyle,
    QStyleOptionFrame,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from services.protocol.touchpoints import DISPOSITIONS
from ui.icons import icon
from ui.labels import disposition_names, queue_name


def _ctrl_enter_accepts(dialog: QDialog) -> None:
    for keys in ("Ctrl+Return", "Ctrl+Enter"):
        sc = QShortcut(QKeySequence(keys), dialog)
        sc.setContext(Qt.ShortcutContext.WindowShortcut)
        sc.activated.connect(dialog.accept)


def _buttons(dialog: QDialog, ok_text: str, ok_accessible: str) -> QDialogButtonBox:
    box = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, dialog
    )
    ok = box.button(QDialogButtonBox.StandardButton.Ok)
    ok.setText(ok_text)
    ok.setAccessibleName(ok_accessible)
    cancel = box.button(QDialogButtonBox.StandardButton.Cancel)
    # Translated in one context for every dialog (``dialog.tr`` would look it up under each
    # dialog's own class name, where the translation file does not have it).
    cancel_text = QCoreApplication.translate("Dialogs", "Cancel")
    cancel.setText(cancel_text)
    cancel.setAccessibleName(cancel_text)
    box.accepted.connect(dialog.accept)
    box.rejected.connect(dialog.reject)
    return box


# As long an address as a company's gateway has: it fits the sign-in dialog without scrolling.
URL_SAMPLE = "wss://omnidesk.example-company.ru:8765/ws"
# An address longer than this many average characters scrolls rather than widening the dialog.
_URL_MAX_CHARS = 80


def _fit_text(edit: QLineEdit, text: str) -> None:
    """The edit's minimum width shows ``text`` whole in its font, with the style's (and the
    style sheet's) frame, padding and the edit's own text margins."""
    edit.ensurePolished()
    fm = edit.fontMetrics()
    width = min(fm.horizontalAdvance(text), fm.averageCharWidth() * _URL_MAX_CHARS)
    margins = edit.textMargins()
    # QLineEdit's own inner margin (2 px a side) comes on top of the style's contents rect.
    inner = width + margins.left() + margins.right() + 2 * 2 + 1
    opt = QStyleOptionFrame()
    edit.initStyleOption(opt)
    size = edit.style().sizeFromContents(
        QStyle.ContentsType.CT_LineEdit, opt, QSize(inner, fm.height()), edit
    )
    edit.setMinimumWidth(size.width())


class ConnectDialog(QDialog):
    """Gateway address (greyed when IT locked it), user name, password, "Remember me"."""

    def __init__(
        self,
        settings: Any,
        parent: QWidget | None = None,
        *,
        problem: str = "",
        url: str = "",
        username: str = "",
    ) -> None:
        super().__init__(parent)
        self.setObjectName("ConnectDialog")
        self.setWindowTitle(self.tr("Sign in to OmniDesk"))
        self.setAccessibleName(self.tr("Sign in"))
        locked = bool(settings.is_locked("gateway.url"))
        # Signing in again: the gateway and user of the session that ended, not the defaults
        # (unless IT fixed the address).
        self.url = QLineEdit(
            str(settings.value("gateway.url"))
            if locked
            else url or str(settings.value("gateway.url")),
            self,
        )
        self.url.setAccessibleName(self.tr("Gateway address"))
        _fit_text(self.url, max(URL_SAMPLE, self.url.text(), key=len))
        self.url.setEnabled(not locked)
        if locked:
            self.url.setToolTip(self.tr("Set by your organisation"))
        self.user = QLineEdit(username or str(settings.value("gateway.username")), self)
        self.user.setAccessibleName(self.tr("User name"))
        self.password = QLineEdit(self)
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName(self.tr("Password"))
        self.remember = QCheckBox(self.tr("&Remember me"), self)
        self.remember.setAccessibleName(self.tr("Remember me on this computer"))
        form = QFormLayout(self)
        # Why the operator is asked again (signed out by an administrator, wrong password…).
        self.problem = QLabel(problem, self)
        self.problem.setObjectName("SignInProblem")
        self.problem.setWordWrap(True)
        self.problem.setVisible(bool(problem))
        self.problem.setAccessibleName(problem)
        form.addRow(self.problem)
        form.addRow(self.tr("&Gateway:"), self.url)
        form.addRow(self.tr("&User:"), self.user)
        form.addRow(self.tr("&Password:"), self.password)
        form.addRow(self.remember)
        self.buttons = _buttons(self, self.tr("Sign in"), self.tr("Sign in"))
        form.addRow(self.buttons)
        self.user.textChanged.connect(self._validate)
        self.url.textChanged.connect(self._validate)
        self._validate()
        (self.password if self.user.text() else self.user).setFocus()

    def _validate(self) -> None:
        ok = bool(self.user.text().strip()) and self.url.text().strip().startswith(
            ("ws://", "wss://")
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(ok)

    def values(self) -> tuple[str, str, str, bool]:
        return (
            self.url.text().strip(),
            self.user.text().strip(),
            self.password.text(),
            self.remember.isChecked(),
        )


class TransferDialog(QDialog):
    """To a queue or to a colleague, with a note for whoever takes it next."""

    TargetRole = Qt.ItemDataRole.UserRole + 1

    def __init__(
        self,
        operators: list[dict[str, Any]],
        queues: list[dict[str, Any]],
        *,
        me: int = 0,
        current_queue_id: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("TransferDialog")
        self.setWindowTitle(self.tr("Transfer the conversation"))
        self.setAccessibleName(self.tr("Transfer"))
        presence = {
            "available": self.tr("available"),
            "break": self.tr("on a break"),
            "after_call_work": self.tr("after-call work"),
            "offline": self.tr("offline"),
        }
        self.to_queue = QRadioButton(self.tr("To a &queue"), self)
        self.to_queue.setAccessibleName(self.tr("Transfer to a queue"))
        self.to_operator = QRadioButton(self.tr("To a &colleague"), self)
        self.to_operator.setAccessibleName(self.tr("Transfer to a colleague"))
        group = QButtonGroup(self)
        group.addButton(self.to_queue)
        group.addButton(self.to_operator)

        self.queues = QListWidget(self)
        self.queues.setObjectName("TransferQueues")
        self.queues.setAccessibleName(self.tr("Queues"))
        for q in queues:
            item = QListWidgetItem(queue_name(q))
            item.setData(self.TargetRole, str(q.get("name", "")))
            self.queues.addItem(item)
        self.operators = QListWidget(self)
        self.operators.setObjectName("TransferOperators")
        self.operators.setAccessibleName(self.tr("Colleagues"))
        others = [o for o in operators if int(o.get("id", 0)) != me]
        others.sort(key=lambda o: (o.get("presence") != "available", str(o.get("name", ""))))
        for o in others:
            state = presence.get(str(o.get("presence", "")), str(o.get("presence", "")))
            item = QListWidgetItem(f"{o.get('name', '')} — {state}" if state else o.get("name"))
            item.setData(self.TargetRole, int(o["id"]))
            self.operators.addItem(item)
        for lst in (self.queues, self.operators):
            lst.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        # Start on a queue other than the conversation's own: that is where transfers go.
        ids = [q.get("id") for q in queues]
        others_q = [i for i, qid in enumerate(ids) if qid != current_queue_id]
        if self.queues.count():
            self.queues.setCurrentRow(others_q[0] if others_q else 0)
        if self.operators.count():
            self.operators.setCurrentRow(0)

        self.note = QLineEdit(self)
        self.note.setObjectName("TransferNote")
        self.note.setAccessibleName(self.tr("Note for the next operator"))
        self.note.setPlaceholderText(self.tr("What the next operator should know"))
        note_label = QLabel(self.tr("&Note:"), self)
        note_label.setBuddy(self.note)

        self.buttons = _buttons(self, self.tr("Transfer"), self.tr("Transfer the conversation"))
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setIcon(icon("transfer"))
        radios = QHBoxLayout()
        radios.addWidget(self.to_queue)
        radios.addWidget(self.to_operator)
        radios.addStretch(1)
        lay = QVBoxLayout(self)
        lay.addLayout(radios)
        lay.addWidget(self.queues)
        lay.addWidget(self.operators)
        lay.addWidget(note_label)
        lay.addWidget(self.note)
        lay.addWidget(self.buttons)
        for lst in (self.queues, self.operators):
            lst.itemActivated.connect(self._to_note)
            lst.currentRowChanged.connect(lambda _row: self._validate())
        self.to_queue.toggled.connect(self._mode)
        self.to_queue.setChecked(True)
        self._mode()
        self.resize(420, 380)

    def _to_note(self, _item: QListWidgetItem) -> None:
        self.note.setFocus()

    def _mode(self) -> None:
        queue = self.to_queue.isChecked()
        self.queues.setVisible(queue)
        self.operators.setVisible(not queue)
        (self.queues if queue else self.operators).setFocus()
        self._validate()

    def _validate(self) -> None:
        lst = self.queues if self.to_queue.isChecked() else self.operators
        ok = lst.currentItem() is not None
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(ok)

    def select_queue(self, name: str) -> bool:
        self.to_queue.setChecked(True)
        for i in range(self.queues.count()):
            if self.queues.item(i).data(self.TargetRole) == name:
                self.queues.setCurrentRow(i)
                return True
        return False

    def values(self) -> dict[str, Any]:
        """``{"queue": name}`` or ``{"operator_id": id}``, and ``"note"``."""
        note = self.note.text().strip()
        if self.to_queue.isChecked():
            item = self.queues.currentItem()
            return {"queue": item.data(self.TargetRole) if item else None, "note": note}
        item = self.operators.currentItem()
        return {"operator_id": item.data(self.TargetRole) if item else None, "note": note}


class WrapUpDialog(QDialog):
    """Disposition, what was done, and whether the customer's issue is solved."""

    def __init__(self, parent: QWidget | None = None, *, customer_name: str = "") -> None:
        super().__init__(parent)
        self.setObjectName("WrapUpDialog")
        self.setWindowTitle(self.tr("Wrap up the conversation"))
        self.setAccessibleName(self.tr("Wrap-up"))
        names = disposition_names()
        self.disposition = QComboBox(self)
        self.disposition.setObjectName("WrapUpDisposition")
        self.disposition.setAccessibleName(self.tr("Disposition"))
        self.disposition.view().setAccessibleName(self.tr("Dispositions"))
        for code in DISPOSITIONS:
            self.disposition.addItem(names[code], code)
        self.resolution = QPlainTextEdit(self)
        self.resolution.setObjectName("WrapUpResolution")
        self.resolution.setAccessibleName(self.tr("Resolution"))
        self.resolution.setPlaceholderText(self.tr("What was done (Ctrl+Enter to finish)"))
        self.resolution.setTabChangesFocus(True)
        self.resolved = QCheckBox(self.tr("The customer's issue is &resolved"), self)
        self.resolved.setObjectName("WrapUpResolved")
        self.resolved.setAccessibleName(self.tr("Resolved"))
        self.resolved.setChecked(True)
        form = QFormLayout(self)
        if customer_name:
            who = QLabel(customer_name, self)
            who.setTextFormat(Qt.TextFormat.PlainText)
            form.addRow(self.tr("Customer:"), who)
        form.addRow(self.tr("&Disposition:"), self.disposition)
        form.addRow(self.tr("Re&solution:"), self.resolution)
        form.addRow(self.resolved)
        form.addRow(_buttons(self, self.tr("Wrap up"), self.tr("Wrap up the conversation")))
        _ctrl_enter_accepts(self)
        self.disposition.setFocus()
        self.resize(440, 300)

    def select_disposition(self, code: str) -> bool:
        i = self.disposition.findData(code)
        if i >= 0:
            self.disposition.setCurrentIndex(i)
        return i >= 0

    def values(self) -> tuple[str, str, bool]:
        return (
            str(self.disposition.currentData()),
            self.resolution.toPlainText().strip(),
            self.resolved.isChecked(),
        )


class NoteDialog(QDialog):
    """An internal note on the customer's timeline (customers never see it)."""

    def __init__(self, parent: QWidget | None = None, *, customer_name: str = "") -> None:
        super().__init__(parent)
        self.setObjectName("NoteDialog")
        self.setWindowTitle(self.tr("Add a note"))
        self.setAccessibleName(self.tr("Note"))
        self.text = QPlainTextEdit(self)
        self.text.setObjectName("NoteText")
        self.text.setAccessibleName(self.tr("Note text"))
        self.text.setPlaceholderText(self.tr("Only colleagues see notes (Ctrl+Enter to save)"))
        self.text.setTabChangesFocus(True)
        lay = QVBoxLayout(self)
        if customer_name:
            who = QLabel(customer_name, self)
            who.setTextFormat(Qt.TextFormat.PlainText)
            lay.addWidget(who)
        lay.addWidget(self.text)
        self.buttons = _buttons(self, self.tr("Save note"), self.tr("Save the note"))
        lay.addWidget(self.buttons)
        self.text.textChanged.connect(self._validate)
        _ctrl_enter_accepts(self)
        self._validate()
        self.text.setFocus()
        self.resize(420, 240)

    def _validate(self) -> None:
        ok = bool(self.text.toPlainText().strip())
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(ok)

    def accept(self) -> None:
        if self.text.toPlainText().strip():
            super().accept()

    def value(self) -> str:
        return self.text.toPlainText().strip()


class ShortcutsDialog(QDialog):
    """F1: every shortcut of the window, in a table."""

    def __init__(self, shortcuts: list[tuple[str, str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ShortcutsDialog")
        self.setWindowTitle(self.tr("Keyboard shortcuts"))
        self.setAccessibleName(self.tr("Keyboard shortcuts"))
        self.table = QTableWidget(len(shortcuts), 2, self)
        self.table.setObjectName("ShortcutsTable")
        self.table.setAccessibleName(self.tr("Shortcuts"))
        self.table.setHorizontalHeaderLabels([self.tr("Keys"), self.tr("Action")])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        for row, (keys, what) in enumerate(shortcuts):
            self.table.setItem(row, 0, QTableWidgetItem(keys))
            self.table.setItem(row, 1, QTableWidgetItem(what))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        close = QPushButton(self.tr("Close"), self)
        close.setAccessibleName(self.tr("Close"))
        close.setDefault(True)
        close.clicked.connect(self.accept)
        lay = QVBoxLayout(self)
        lay.addWidget(self.table)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(close)
        lay.addLayout(bottom)
        self.table.setFocus()
        if shortcuts:
            self.table.setCurrentCell(0, 0)
        self.resize(520, 520)

    def rows(self) -> list[tuple[str, str]]:
        out = []
        for r in range(self.table.rowCount()):
            keys, what = self.table.item(r, 0), self.table.item(r, 1)
            out.append((keys.text() if keys else "", what.text() if what else ""))
        return out
