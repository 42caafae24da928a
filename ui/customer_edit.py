"""The customer's details, edited by the operator: name, segment, language, typed contacts.

The dialog only collects what the operator chose (``values()``); the card turns it into
commands. A contact typed here is a *claim* (shown as such, never verified): the gateway puts
it into its canonical form (a phone in E.164) and refuses duplicates. Contacts a channel
confirmed cannot be removed here. Keyboard: Tab moves on, Enter in the contact field adds it,
Delete removes the chosen contact, Ctrl+Enter or the Save button saves.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from services.protocol.commands import (
    CUSTOMER_LANGUAGES,
    MAX_CONTACTS,
    MAX_CUSTOMER_NAME,
    SEGMENTS,
)
from ui.dialogs import _ctrl_enter_accepts

# Identity kinds an operator may type (the gateway's ContactKind).
TYPED_KINDS = ("phone", "email")
_JOINERS = {"\u200c", "\u200d"}


def name_problem(name: str) -> str:
    """Why a name cannot be saved ("" when it can), as the gateway would refuse it."""
    text = name.strip()
    if not text:
        return QCoreApplication.translate("CustomerEditDialog", "Type a name.")
    if len(text) > MAX_CUSTOMER_NAME:
        return QCoreApplication.translate(
            "CustomerEditDialog", "A name holds at most %1 characters."
        ).replace("%1", str(MAX_CUSTOMER_NAME))
    for ch in text:
        cat = unicodedata.category(ch)
        if cat in ("Cc", "Zl", "Zp") or (cat == "Cf" and ch not in _JOINERS):
            return QCoreApplication.translate(
                "CustomerEditDialog", "A name cannot hold control characters."
            )
    return ""


class _EnterAdds(QObject):
    """Enter in the contact field adds the contact instead of saving the dialog."""

    def __init__(self, dialog: CustomerEditDialog) -> None:
        super().__init__(dialog)
        self.dialog = dialog

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            keys = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            if event.key() in keys and not event.modifiers() & Qt.KeyboardModifier.ControlModifier:
                self.dialog.add_contact()
                return True
        return False


class _DeleteRemoves(QObject):
    def __init__(self, dialog: CustomerEditDialog) -> None:
        super().__init__(dialog)
        self.dialog = dialog

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() == Qt.Key.Key_Delete
        ):
            self.dialog.remove_contact()
            return True
        return False


class CustomerEditDialog(QDialog):
    def __init__(self, card: dict[str, Any], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("CustomerEditDialog")
        cust = card.get("customer") or {}
        self._original = {
            "name": str(cust.get("name") or ""),
            "segment": str(cust.get("segment") or ""),
            "language": str(cust.get("language") or ""),
        }
        self.setWindowTitle(self.tr("Edit customer"))
        self.setAccessibleName(self.tr("Edit customer details"))
        self._kind_names = {"phone": self.tr("Phone"), "email": self.tr("E-mail")}
        self._other_kinds = {
            "telegram": self.tr("Telegram"),
            "whatsapp": self.tr("WhatsApp"),
            "web_visitor": self.tr("Web chat"),
        }
        segment_names = {
            "new": self.tr("New customer"),
            "standard": self.tr("Standard"),
            "premium": self.tr("Premium"),
            "vip": self.tr("VIP"),
        }
        language_names = {"ru": self.tr("Russian"), "en": self.tr("English")}

        self.name = QLineEdit(self._original["name"], self)
        self.name.setObjectName("CustomerEditName")
        self.name.setAccessibleName(self.tr("Customer name"))
        self.name.setMaxLength(MAX_CUSTOMER_NAME)
        self.segment = QComboBox(self)
        self.segment.setObjectName("CustomerEditSegment")
        self.segment.setAccessibleName(self.tr("Segment"))
        for code in SEGMENTS:
            self.segment.addItem(segment_names.get(code, code), code)
        self.segment.view().setAccessibleName(self.tr("Segments"))
        self._select(self.segment, self._original["segment"])
        self.language = QComboBox(self)
        self.language.setObjectName("CustomerEditLanguage")
        self.language.setAccessibleName(self.tr("Language"))
        for code in CUSTOMER_LANGUAGES:
            self.language.addItem(language_names.get(code, code), code)
        self.language.view().setAccessibleName(self.tr("Languages"))
        self._select(self.language, self._original["language"])

        self.contacts = QListWidget(self)
        self.contacts.setObjectName("CustomerEditContacts")
        self.contacts.setAccessibleName(self.tr("Contacts"))
        self.contacts.installEventFilter(_DeleteRemoves(self))
        self._initial: list[tuple[str, str]] = []
        for ident in card.get("identities") or []:
            kind, value = str(ident.get("kind") or ""), str(ident.get("value") or "")
            self._initial.append((kind, value))
            self._add_item(kind, value, bool(ident.get("verified")), bool(ident.get("claimed")))
        self.contacts.currentItemChanged.connect(lambda *_: self._update_buttons())

        self.new_kind = QComboBox(self)
        self.new_kind.setObjectName("CustomerEditNewKind")
        self.new_kind.setAccessibleName(self.tr("Kind of the new contact"))
        self.new_kind.view().setAccessibleName(self.tr("Kinds of contact"))
        for kind in TYPED_KINDS:
            self.new_kind.addItem(self._kind_names[kind], kind)
        self.new_value = QLineEdit(self)
        self.new_value.setObjectName("CustomerEditNewValue")
        self.new_value.setAccessibleName(self.tr("New contact"))
        self.new_value.setPlaceholderText(self.tr("+7 916 123-45-67 or name@example.ru"))
        self.new_value.setMaxLength(320)
        self.new_value.installEventFilter(_EnterAdds(self))
        self.add_button = QPushButton(self.tr("&Add"), self)
        self.add_button.setObjectName("CustomerEditAdd")
        self.add_button.setAccessibleName(self.tr("Add the contact"))
        self.add_button.setAutoDefault(False)
        self.add_button.clicked.connect(self.add_contact)
        self.remove_button = QPushButton(self.tr("&Remove"), self)
        self.remove_button.setObjectName("CustomerEditRemove")
        self.remove_button.setAccessibleName(self.tr("Remove the chosen contact"))
        self.remove_button.setAutoDefault(False)
        self.remove_button.clicked.connect(self.remove_contact)

        self.problem = QLabel("", self)
        self.problem.setObjectName("CustomerEditProblem")
        self.problem.setProperty("role", "warning")
        self.problem.setWordWrap(True)
        self.problem.setTextFormat(Qt.TextFormat.PlainText)
        self.problem.setVisible(False)

        form = QFormLayout()
        form.addRow(self.tr("&Name:"), self.name)
        form.addRow(self.tr("&Segment:"), self.segment)
        form.addRow(self.tr("&Language:"), self.language)
        adder = QHBoxLayout()
        adder.addWidget(self.new_kind)
        adder.addWidget(self.new_value, 1)
        adder.addWidget(self.add_button)
        contacts_label = QLabel(self.tr("&Contacts (typed ones are marked as claimed):"), self)
        contacts_label.setBuddy(self.contacts)

        box = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.save_button = box.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setText(self.tr("Save"))
        self.save_button.setAccessibleName(self.tr("Save the customer's details"))
        self.save_button.setDefault(True)
        cancel = box.button(QDialogButtonBox.StandardButton.Cancel)
        cancel.setText(self.tr("Cancel"))
        cancel.setAccessibleName(self.tr("Cancel"))
        box.accepted.connect(self.accept)
        box.rejected.connect(self.reject)

        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(contacts_label)
        lay.addWidget(self.contacts)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.remove_button)
        lay.addLayout(row)
        lay.addLayout(adder)
        lay.addWidget(self.problem)
        lay.addWidget(box)
        _ctrl_enter_accepts(self)
        self.name.textChanged.connect(lambda _t: self._say(""))
        self.resize(520, 460)
        self.name.setFocus()
        self._update_buttons()

    @staticmethod
    def _select(combo: QComboBox, code: str) -> None:
        index = combo.findData(code)
        if index >= 0:
            combo.setCurrentIndex(index)

    def _add_item(self, kind: str, value: str, verified: bool, claimed: bool) -> None:
        name = self._kind_names.get(kind) or self._other_kinds.get(kind, kind)
        if verified:
            mark = self.tr("verified")
        elif claimed:
            mark = self.tr("claimed")
        else:
            mark = self.tr("not confirmed")
        item = QListWidgetItem(f"{name}: {value} ({mark})", self.contacts)
        item.setData(Qt.ItemDataRole.UserRole, {"kind": kind, "value": value, "verified": verified})
        item.setData(Qt.ItemDataRole.AccessibleTextRole, f"{name} {value}, {mark}")

    def _say(self, text: str) -> None:
        self.problem.setText(text)
        self.problem.setAccessibleName(text)
        self.problem.setVisible(bool(text))

    def _update_buttons(self) -> None:
        item = self.contacts.currentItem()
        data = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        # Only what someone typed can be taken away; what a channel proved stays.
        removable = isinstance(data, dict) and not data["verified"] and data["kind"] in TYPED_KINDS
        self.remove_button.setEnabled(removable)

    def _rows(self) -> list[tuple[str, str]]:
        out = []
        for i in range(self.contacts.count()):
            data = self.contacts.item(i).data(Qt.ItemDataRole.UserRole)
            out.append((str(data["kind"]), str(data["value"])))
        return out

    def add_contact(self) -> None:
        kind = str(self.new_kind.currentData())
        value = self.new_value.text().strip()
        if not value:
            self._say(self.tr("Type a phone number or an e-mail address to add."))
            return
        if kind == "email":
            value = value.lower()
            if value.count("@") != 1 or "." not in value.split("@")[1]:
                self._say(self.tr("This is not an e-mail address."))
                return
        elif sum(ch.isdigit() for ch in value) < 7 or any(ch.isalpha() for ch in value):
            self._say(self.tr("This is not a phone number."))
            return
        if (kind, value) in self._rows():
            self._say(self.tr("This contact is already in the list."))
            return
        if self.contacts.count() >= MAX_CONTACTS:
            self._say(
                self.tr("A customer has at most %1 contacts: remove one first.").replace(
                    "%1", str(MAX_CONTACTS)
                )
            )
            return
        self._add_item(kind, value, False, True)
        self.contacts.setCurrentRow(self.contacts.count() - 1)
        self.new_value.clear()
        self._say("")

    def remove_contact(self) -> None:
        item = self.contacts.currentItem()
        data = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        if not isinstance(data, dict):
            return
        if data["verified"] or data["kind"] not in TYPED_KINDS:
            self._say(self.tr("A contact the channel confirmed cannot be removed."))
            return
        self.contacts.takeItem(self.contacts.row(item))
        self._say("")
        self._update_buttons()

    def accept(self) -> None:
        problem = name_problem(self.name.text())
        if problem:
            self._say(problem)
            self.name.setFocus()
            return
        super().accept()

    def values(self) -> dict[str, Any]:
        """What changed: the header fields that differ, the contacts to add and to remove."""
        fields = {
            "name": self.name.text().strip(),
            "segment": str(self.segment.currentData()),
            "language": str(self.language.currentData()),
        }
        changed = {k: v for k, v in fields.items() if v != self._original[k]}
        now = self._rows()
        return {
            "fields": changed,
            "add": [c for c in now if c not in self._initial],
            "remove": [c for c in self._initial if c not in now and c[0] in TYPED_KINDS],
        }
