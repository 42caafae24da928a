"""Dialogs: sign-in (first run)."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QWidget,
)


class ConnectDialog(QDialog):
    """Gateway address (greyed when IT locked it), user name, password, "Remember me"."""

    def __init__(self, settings: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Sign in to OmniDesk"))
        self.url = QLineEdit(str(settings.value("gateway.url")), self)
        self.url.setAccessibleName(self.tr("Gateway address"))
        self.url.setEnabled(not settings.is_locked("gateway.url"))
        self.user = QLineEdit(str(settings.value("gateway.username")), self)
        self.user.setAccessibleName(self.tr("User name"))
        self.password = QLineEdit(self)
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName(self.tr("Password"))
        self.remember = QCheckBox(self.tr("Remember me"), self)
        self.remember.setAccessibleName(self.tr("Remember me on this computer"))
        form = QFormLayout(self)
        form.addRow(self.tr("Gateway:"), self.url)
        form.addRow(self.tr("User:"), self.user)
        form.addRow(self.tr("Password:"), self.password)
        form.addRow(self.remember)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        (self.password if self.user.text() else self.user).setFocus()

    def values(self) -> tuple[str, str, str, bool]:
        return (
            self.url.text().strip(),
            self.user.text().strip(),
            self.password.text(),
            self.remember.isChecked(),
        )
