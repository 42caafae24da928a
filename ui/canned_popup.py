"""The list ``/`` opens in the composer: canned responses matching what follows the slash.

An overlay inside the window (not a separate popup window), above the reply editor: the editor
keeps the focus and the typing; Up and Down move in the list, Enter or Tab takes the highlighted
response, Esc closes it.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtWidgets import QFrame, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from omnidesk_qt.canned import Canned

ResponseRole = Qt.ItemDataRole.UserRole + 1


class CannedPopup(QFrame):
    chosen = Signal(object)  # the Canned response taken

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("CannedResponses")
        self.setAccessibleName(self.tr("Canned responses"))
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.list = QListWidget(self)
        self.list.setObjectName("CannedResponsesList")
        self.list.setAccessibleName(self.tr("Matching canned responses"))
        self.list.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the editor keeps typing
        self.list.setUniformItemSizes(True)
        self.list.itemClicked.connect(lambda item: self.chosen.emit(item.data(ResponseRole)))
        lay = QVBoxLayout(self)
        lay.setContentsMargins(1, 1, 1, 1)
        lay.addWidget(self.list)
        self.empty_text = self.tr("No canned response matches “%1”.")
        self.hide()

    def show_matches(self, matches: list[Canned], query: str, anchor: QWidget) -> None:
        """List ``matches`` just above ``anchor`` (the editor), as wide as it."""
        self.list.clear()
        for response in matches:
            preview = " ".join(response.text.split())
            if len(preview) > 90:
                preview = preview[:89] + "…"
            item = QListWidgetItem(f"/{response.shortcut}  {response.title} — {preview}")
            item.setData(ResponseRole, response)
            item.setToolTip(response.text)
            item.setData(Qt.ItemDataRole.AccessibleTextRole, f"{response.title}: {response.text}")
            self.list.addItem(item)
        if not matches:
            item = QListWidgetItem(self.empty_text.replace("%1", query))
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            self.list.addItem(item)
        host = self.parentWidget()
        assert host is not None
        rows = max(1, min(len(matches), 8))
        row_h = max(self.list.sizeHintForRow(0), self.list.fontMetrics().height() + 6)
        height = rows * row_h + 2 * self.list.frameWidth() + 4
        top_left = anchor.mapTo(host, QPoint(0, 0))
        y = max(0, top_left.y() - height - 2)
        self.setGeometry(top_left.x(), y, anchor.width(), height)
        if matches:
            self.list.setCurrentRow(0)
        self.show()
        self.raise_()

    def current(self) -> Canned | None:
        item = self.list.currentItem()
        value = item.data(ResponseRole) if item is not None else None
        return value if isinstance(value, Canned) else None

    def move_selection(self, step: int) -> None:
        n = self.list.count()
        if n and self.current() is not None:
            self.list.setCurrentRow((self.list.currentRow() + step) % n)

    def matches(self) -> list[Canned]:
        out = []
        for i in range(self.list.count()):
            value = self.list.item(i).data(ResponseRole)
            if isinstance(value, Canned):
                out.append(value)
        return out
