"""Write first: the operator opens a conversation with a customer on a channel they reach.

The channels come from the card's contacts through the one rule for where a message goes
(``services.protocol.channels.reply_addresses``); an address the customer (or an operator) only
typed is marked as claimed. E-mail takes a subject. Ctrl+Enter sends, Esc cancels.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from services.protocol.channels import CHANNELS, reply_addresses
from ui import labels
from ui.dialogs import _ctrl_enter_accepts

MAX_SUBJECT = 300


class WriteFirstDialog(QDialog):
    def __init__(self, card: dict[str, Any], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("WriteFirstDialog")
        cust = card.get("customer") or {}
        name = str(cust.get("name") or "")
        self.setWindowTitle(self.tr("Write first to %1").replace("%1", name or self.tr("customer")))
        self.setAccessibleName(self.tr("Write first"))
        names = labels.channel_names()
        # Channels with a conversation already open: writing there continues that one.
        self._open = {
            str(c.get("channel")): int(c["id"]) for c in card.get("open_conversations") or []
        }

        self.channel = QComboBox(self)
        self.channel.setObjectName("WriteFirstChannel")
        self.channel.setAccessibleName(self.tr("Channel"))
        self.channel.view().setAccessibleName(self.tr("Channels the customer is reached on"))
        for found in reply_addresses(card.get("identities") or []):
            text = f"{names.get(found.channel, found.channel)} — {found.address}"
            if found.claimed:
                text += " " + self.tr("(claimed, not verified)")
            self.channel.addItem(text, found.channel)
            index = self.channel.count() - 1
            self.channel.setItemData(index, found.claimed, Qt.ItemDataRole.UserRole + 1)
            self.channel.setItemData(index, text, Qt.ItemDataRole.AccessibleTextRole)
        self.subject = QLineEdit(self)
        self.subject.setObjectName("WriteFirstSubject")
        self.subject.setAccessibleName(self.tr("Subject"))
        self.subject.setMaxLength(MAX_SUBJECT)
        self.text = QPlainTextEdit(self)
        self.text.setObjectName("WriteFirstText")
        self.text.setAccessibleName(self.tr("Message"))
        self.text.setTabChangesFocus(True)
        self.text.setPlaceholderText(self.tr("Ctrl+Enter sends"))
        self.note = QLabel("", self)
        self.note.setObjectName("WriteFirstNote")
        self.note.setWordWrap(True)
        self.note.setTextFormat(Qt.TextFormat.PlainText)
        self.note.setProperty("role", "warning")

        form = QFormLayout()
        form.addRow(self.tr("&Channel:"), self.channel)
        form.addRow(self.tr("&Subject:"), self.subject)
        form.addRow(self.tr("&Message:"), self.text)

        box = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.send_button = box.button(QDialogButtonBox.StandardButton.Ok)
        self.send_button.setText(self.tr("Send"))
        self.send_button.setAccessibleName(self.tr("Send the first message"))
        cancel = box.button(QDialogButtonBox.StandardButton.Cancel)
        cancel.setText(self.tr("Cancel"))
        cancel.setAccessibleName(self.tr("Cancel"))
        box.accepted.connect(self.accept)
        box.rejected.connect(self.reject)

        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(self.note)
        lay.addWidget(box)
        _ctrl_enter_accepts(self)
        self.channel.currentIndexChanged.connect(lambda _i: self._channel_changed())
        self.text.textChanged.connect(self._validate)
        self.resize(520, 360)
        self._channel_changed()
        self.channel.setFocus()

    def select_channel(self, channel: str) -> bool:
        index = self.channel.findData(channel)
        if index >= 0:
            self.channel.setCurrentIndex(index)
        return index >= 0

    def open_conversation(self) -> int | None:
        """The conversation already open on the chosen channel, if there is one."""
        return self._open.get(str(self.channel.currentData()))

    def _channel_changed(self) -> None:
        is_email = self.channel.currentData() == "email"
        self.subject.setEnabled(is_email)
        self.subject.setPlaceholderText(
            self.tr("Subject of the e-mail") if is_email else self.tr("Only e-mail has a subject")
        )
        self._validate()

    def _say(self, text: str) -> None:
        self.note.setText(text)
        self.note.setAccessibleName(text)
        self.note.setVisible(bool(text))

    def _validate(self) -> None:
        channel = self.channel.currentData()
        if channel is None:
            self._say(self.tr("The customer has no contact a message can be sent to."))
            self.send_button.setEnabled(False)
            return
        if self.open_conversation() is not None:
            self.send_button.setEnabled(True)
            self._say(self.tr("A conversation on this channel is open already: it opens instead."))
            return
        limit = CHANNELS[str(channel)].text_limit
        length = len(self.text.toPlainText().strip())
        self.send_button.setEnabled(0 < length <= limit)
        if length > limit:
            self._say(self.tr("At most %1 characters on this channel.").replace("%1", str(limit)))
        elif self.channel.currentData(Qt.ItemDataRole.UserRole + 1):
            self._say(
                self.tr("The customer only typed this address: the message may reach someone else.")
            )
        else:
            self._say("")

    def accept(self) -> None:
        if self.send_button.isEnabled():
            super().accept()

    def values(self) -> dict[str, Any]:
        channel = str(self.channel.currentData() or "")
        return {
            "channel": channel,
            "subject": self.subject.text().strip() if channel == "email" else "",
            "text": self.text.toPlainText().strip(),
        }
