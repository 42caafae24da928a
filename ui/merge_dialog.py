"""Merge with… : the operator finds the other customer who is the same person (by phone,
e-mail or name, as the window's search does) and makes them one. The older of the two is
kept; the card shows the merge and can undo it."""

from __future__ import annotations

import contextlib
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ui.dialogs import _buttons

SEARCH_DELAY_MS = 250


class MergeDialog(QDialog):
    def __init__(self, session: Any, customer_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("MergeDialog")
        self.setWindowTitle(self.tr("Merge with another customer"))
        self.setAccessibleName(self.tr("Merge with another customer"))
        self.session = session
        self.customer_id = customer_id
        self.query = QLineEdit(self)
        self.query.setObjectName("MergeQuery")
        self.query.setAccessibleName(self.tr("Find the other customer"))
        self.query.setPlaceholderText(self.tr("Phone, e-mail or name"))
        self.results = QListWidget(self)
        self.results.setObjectName("MergeResults")
        self.results.setAccessibleName(self.tr("Customers found"))
        self.hint = QLabel(
            self.tr("The older customer is kept; the merge can be undone from the card."), self
        )
        self.hint.setWordWrap(True)
        lay = QVBoxLayout(self)
        lay.addWidget(self.query)
        lay.addWidget(self.results, 1)
        lay.addWidget(self.hint)
        self.buttons = _buttons(self, self.tr("Merge"), self.tr("Merge the two customers"))
        lay.addWidget(self.buttons)
        self._asked = ""
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(self._search)
        self.query.textChanged.connect(lambda _t: self._timer.start())
        self.query.returnPressed.connect(self._search)
        self.results.currentItemChanged.connect(lambda *_: self._validate())
        self.results.itemActivated.connect(lambda _i: self.accept())
        session.searchResults.connect(self._found)
        self._validate()
        self.query.setFocus()
        self.resize(440, 360)

    def keyPressEvent(self, event: Any) -> None:
        if event.key() == Qt.Key.Key_Down and self.query.hasFocus() and self.results.count():
            self.results.setFocus()
            self.results.setCurrentRow(0)
            return
        super().keyPressEvent(event)

    def _search(self) -> None:
        text = self.query.text().strip()
        if len(text) < 2 or text == self._asked:
            return
        self._asked = text
        self.session.search(text)

    def _found(self, query: str, customers: list[dict[str, Any]]) -> None:
        if query != self._asked:
            return
        self.results.clear()
        for cust in customers:
            if int(cust.get("id") or 0) == self.customer_id:
                continue  # not with themselves
            name = str(cust.get("name") or "") or self.tr("(no name)")
            contacts = ", ".join(
                str(i.get("value") or "") for i in (cust.get("identities") or [])[:3]
            )
            item = QListWidgetItem(f"{name} — {contacts}" if contacts else name)
            item.setData(Qt.ItemDataRole.UserRole, int(cust["id"]))
            self.results.addItem(item)
        if not self.results.count():
            self.results.addItem(self.tr("Nobody else found"))
            self.results.item(0).setFlags(Qt.ItemFlag.NoItemFlags)
        self._validate()

    def chosen(self) -> int:
        item = self.results.currentItem()
        value = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        return int(value) if value is not None else 0

    def _validate(self) -> None:
        ok = self.chosen() > 0
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(ok)

    def accept(self) -> None:
        if self.chosen() > 0:
            super().accept()

    def done(self, result: int) -> None:
        with contextlib.suppress(RuntimeError, TypeError):
            self.session.searchResults.disconnect(self._found)
        super().done(result)
