"""OmniDesk ▸ Canned responses…: the list of the responses "/" offers, and their editing.

Every operator keeps their own (personal) ones; supervisors and admins also keep the team's.
A change goes to the gateway through the session's outbox (``canned.create``, ``.update``,
``.delete``); the list follows the session's index, which the gateway's ``canned.changed``
updates, so what is shown is what the gateway stored.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from omnidesk_qt.canned import Canned
from services.protocol.canned import (
    LANGUAGES,
    MAX_TEXT,
    MAX_TITLE,
    SHORTCUT,
    unknown_variables,
)

SUPERVISOR_ROLES = ("supervisor", "admin")
ResponseRole = Qt.ItemDataRole.UserRole + 1


def may_edit(response: Canned, role: str) -> bool:
    """An agent edits their own; the team's are their supervisors'."""
    return response.scope == "personal" or role in SUPERVISOR_ROLES


class CannedEditDialog(QDialog):
    """One response: scope (team only for supervisors), shortcut, language, title, text."""

    def __init__(self, role: str, response: Canned | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("CannedEditDialog")
        self.setWindowTitle(self.tr("Canned response"))
        self.setAccessibleName(self.tr("Canned response"))
        self.response = response
        self.scope = QComboBox(self)
        self.scope.setAccessibleName(self.tr("Who may use it"))
        self.scope.addItem(self.tr("Only me"), "personal")
        if role in SUPERVISOR_ROLES:
            self.scope.addItem(self.tr("The whole team"), "team")
        self.shortcut = QLineEdit(self)
        self.shortcut.setAccessibleName(self.tr("Shortcut typed after /"))
        self.shortcut.setPlaceholderText("/refund")
        self.shortcut.setMaxLength(32)
        self.language = QComboBox(self)
        self.language.setAccessibleName(self.tr("Language"))
        names = {"ru": "Русский", "en": "English"}
        for code in LANGUAGES:
            self.language.addItem(names.get(code, code), code)
        self.title = QLineEdit(self)
        self.title.setAccessibleName(self.tr("Title"))
        self.title.setMaxLength(MAX_TITLE)
        self.text = QPlainTextEdit(self)
        self.text.setAccessibleName(self.tr("Text"))
        self.text.setTabChangesFocus(True)
        self.text.setPlaceholderText(
            self.tr("Variables: {customer.first_name}, {customer.name}, {operator.name}, "
                    "{order.last_number}")
        )  # fmt: skip
        self.problem = QLabel(self)
        self.problem.setObjectName("CannedProblem")
        self.problem.setProperty("role", "warning")
        self.problem.setAccessibleName(self.tr("Problem"))
        self.problem.setWordWrap(True)
        form = QFormLayout()
        form.addRow(self.tr("&Who may use it:"), self.scope)
        form.addRow(self.tr("&Shortcut:"), self.shortcut)
        form.addRow(self.tr("&Language:"), self.language)
        form.addRow(self.tr("&Title:"), self.title)
        form.addRow(self.tr("Te&xt:"), self.text)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        save = buttons.button(QDialogButtonBox.StandardButton.Save)
        save.setText(self.tr("Save"))
        save.setAccessibleName(self.tr("Save the response"))
        cancel = buttons.button(QDialogButtonBox.StandardButton.Cancel)
        cancel.setText(self.tr("Cancel"))
        cancel.setAccessibleName(self.tr("Cancel"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(self.problem)
        lay.addWidget(buttons)
        self.resize(560, 380)
        if response is not None:
            self.scope.setCurrentIndex(max(0, self.scope.findData(response.scope)))
            self.scope.setEnabled(False)  # a response keeps its scope
            self.shortcut.setText(response.shortcut)
            self.language.setCurrentIndex(max(0, self.language.findData(response.language)))
            self.title.setText(response.title)
            self.text.setPlainText(response.text)
        self.problem.hide()

    def problem_text(self) -> str:
        """Why the gateway would refuse it ("" when it would not)."""
        shortcut = self._shortcut()
        if not SHORTCUT.fullmatch(shortcut):
            return self.tr("A shortcut is 1 to 32 letters a-z, digits, '-' or '_'.")
        if not self.title.text().strip():
            return self.tr("Give it a title.")
        text = self.text.toPlainText().strip()
        if not text or len(text) > MAX_TEXT:
            return self.tr("The text holds 1 to %1 characters.").replace("%1", str(MAX_TEXT))
        unknown = unknown_variables(text)
        if unknown:
            return self.tr("Unknown variables: %1").replace(
                "%1", ", ".join("{" + name + "}" for name in unknown)
            )
        return ""

    def _shortcut(self) -> str:
        return self.shortcut.text().strip().lower().removeprefix("/")  # typed as it is used

    def accept(self) -> None:
        problem = self.problem_text()
        self.problem.setText(problem)
        self.problem.setVisible(bool(problem))
        if not problem:
            super().accept()

    def values(self) -> dict[str, Any]:
        return {
            "scope": str(self.scope.currentData()),
            "shortcut": self._shortcut(),
            "language": str(self.language.currentData()),
            "title": self.title.text().strip(),
            "text": self.text.toPlainText().strip(),
        }


class CannedManagerDialog(QDialog):
    """The responses "/" offers, and New…, Edit…, Delete for the ones this operator may edit."""

    def __init__(self, session: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("CannedManagerDialog")
        self.setWindowTitle(self.tr("Canned responses"))
        self.setAccessibleName(self.tr("Canned responses"))
        self.session = session
        self.role = str((getattr(session, "operator", None) or {}).get("role") or "agent")
        self.editor: CannedEditDialog | None = None
        self.list = QTreeWidget(self)
        self.list.setObjectName("CannedList")
        self.list.setAccessibleName(self.tr("Canned responses"))
        self.list.setRootIsDecorated(False)
        self.list.setHeaderLabels(
            [self.tr("Shortcut"), self.tr("Language"), self.tr("Title"), self.tr("For")]
        )
        self.list.itemActivated.connect(lambda _item, _col: self.edit_current())
        self.list.currentItemChanged.connect(lambda *_: self._update_buttons())
        self.new_button = QPushButton(self.tr("&New…"), self)
        self.new_button.setAccessibleName(self.tr("New canned response"))
        self.new_button.clicked.connect(self.new)
        self.edit_button = QPushButton(self.tr("&Edit…"), self)
        self.edit_button.setAccessibleName(self.tr("Edit the canned response"))
        self.edit_button.clicked.connect(self.edit_current)
        self.delete_button = QPushButton(self.tr("&Delete"), self)
        self.delete_button.setAccessibleName(self.tr("Delete the canned response"))
        self.delete_button.clicked.connect(self.delete_current)
        close = QPushButton(self.tr("Close"), self)
        close.setAccessibleName(self.tr("Close the canned responses"))
        close.clicked.connect(self.accept)
        row = QHBoxLayout()
        for b in (self.new_button, self.edit_button, self.delete_button):
            row.addWidget(b)
        row.addStretch(1)
        row.addWidget(close)
        lay = QVBoxLayout(self)
        lay.addWidget(self.list, 1)
        lay.addLayout(row)
        self.resize(720, 420)
        changed = getattr(session, "cannedChanged", None)
        if changed is not None:
            changed.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        current = self.current()
        self.list.clear()
        scopes = {"team": self.tr("the team"), "personal": self.tr("me")}
        for response in self.session.canned.all():
            item = QTreeWidgetItem(
                [
                    "/" + response.shortcut,
                    response.language,
                    response.title,
                    scopes.get(response.scope, response.scope),
                ]
            )
            item.setData(0, ResponseRole, response)
            item.setToolTip(2, response.text)
            self.list.addTopLevelItem(item)
            if current is not None and response.id == current.id:
                self.list.setCurrentItem(item)
        first = self.list.topLevelItem(0)
        if self.list.currentItem() is None and first is not None:
            self.list.setCurrentItem(first)
        self._update_buttons()

    def current(self) -> Canned | None:
        item = self.list.currentItem()
        value = item.data(0, ResponseRole) if item is not None else None
        return value if isinstance(value, Canned) else None

    def _update_buttons(self) -> None:
        response = self.current()
        editable = response is not None and may_edit(response, self.role)
        self.edit_button.setEnabled(editable)
        self.delete_button.setEnabled(editable)

    def new(self) -> None:
        self._open_editor(None)

    def edit_current(self) -> None:
        response = self.current()
        if response is not None and may_edit(response, self.role):
            self._open_editor(response)

    def _open_editor(self, response: Canned | None) -> None:
        editor = CannedEditDialog(self.role, response, self)
        editor.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        editor.setWindowModality(Qt.WindowModality.WindowModal)
        self.editor = editor

        def saved() -> None:
            values = editor.values()
            if response is None:
                self.session.command("canned.create", values)
            else:
                values.pop("scope")
                self.session.command("canned.update", {"canned_id": response.id, **values})

        editor.accepted.connect(saved)
        editor.finished.connect(lambda _r: setattr(self, "editor", None))
        editor.open()

    def delete_current(self) -> None:
        response = self.current()
        if response is not None and may_edit(response, self.role):
            self.session.command("canned.delete", {"canned_id": response.id})
