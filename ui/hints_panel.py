"""Next-best-action hints for the open customer: what to do, the words to use, and why.

One key each: Enter (on the focused hint) or Ctrl+Shift+A accepts, Delete or Ctrl+Shift+D
dismisses. Either way the session is told (``respond_hint``) and the hint leaves the list.
Accepting a hint that carries text offers that text to the composer (``useText``).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt, Signal
from PySide6.QtGui import (
    QFont,
    QFontMetrics,
    QKeyEvent,
    QKeySequence,
    QPainter,
    QPalette,
    QShortcut,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from ui.customer_card import scaled_font
from ui.icons import icon

HintRole = Qt.ItemDataRole.UserRole + 1
PAD = 8
GAP = 3


class HintDelegate(QStyledItemDelegate):
    """Title in bold, the suggested text, then "Why: …" in a smaller, muted line."""

    def __init__(self, why: str, parent: QListWidget) -> None:
        super().__init__(parent)
        self._why = why
        self._list = parent

    def _fonts(self, option: QStyleOptionViewItem) -> tuple[QFont, QFont, QFont]:
        base = QFont(option.font)
        title = QFont(base)
        title.setBold(True)
        small = scaled_font(base, 0.9)
        small.setItalic(True)
        return title, base, small

    def _blocks(self, hint: dict[str, Any]) -> list[str]:
        reason = str(hint.get("reason") or "")
        return [
            str(hint.get("title") or ""),
            str(hint.get("text") or ""),
            self._why.replace("%1", reason) if reason else "",
        ]

    def _heights(self, option: QStyleOptionViewItem, hint: dict[str, Any], width: int) -> list[int]:
        flags = int(Qt.TextFlag.TextWordWrap)
        out = []
        for font, text in zip(self._fonts(option), self._blocks(hint), strict=True):
            if not text:
                out.append(0)
                continue
            rect = QFontMetrics(font).boundingRect(QRect(0, 0, max(40, width), 10_000), flags, text)
            out.append(rect.height())
        return out

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        hint = index.data(HintRole) or {}
        width = self._list.viewport().width() - 2 * PAD
        heights = self._heights(option, hint, width)
        shown = [h for h in heights if h]
        return QSize(width + 2 * PAD, sum(shown) + GAP * max(0, len(shown) - 1) + 2 * PAD)

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        hint = index.data(HintRole) or {}
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        widget = opt.widget
        style = widget.style() if widget is not None else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        rect: QRect = opt.rect
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        palette: QPalette = opt.palette
        text_role = (
            QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.WindowText
        )
        width = rect.width() - 2 * PAD
        heights = self._heights(option, hint, width)
        y = rect.top() + PAD
        painter.save()
        for n, (font, text, h) in enumerate(
            zip(self._fonts(option), self._blocks(hint), heights, strict=True)
        ):
            if not h:
                continue
            painter.setFont(font)
            colour = palette.color(text_role)
            if n == 2 and not selected:
                colour = palette.color(QPalette.ColorRole.PlaceholderText)
            painter.setPen(colour)
            painter.drawText(
                QRect(rect.left() + PAD, y, width, h), int(Qt.TextFlag.TextWordWrap), text
            )
            y += h + GAP
        painter.restore()


class _HintList(QListWidget):
    acceptKey = Signal()
    dismissKey = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if mods == Qt.KeyboardModifier.NoModifier and self.currentItem() is not None:
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.acceptKey.emit()
                event.accept()
                return
            if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
                self.dismissKey.emit()
                event.accept()
                return
        super().keyPressEvent(event)

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        self.doItemsLayout()  # word-wrapped heights depend on the width


class HintsPanel(QWidget):
    """``session`` needs ``respond_hint(hint_id, outcome, customer_id)``."""

    useText = Signal(str)
    responded = Signal(str, str)  # hint id, outcome ("accepted" / "dismissed")

    def __init__(self, session: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("HintsPanel")
        self.setAccessibleName(self.tr("Next best actions"))
        self.session = session
        self.customer_id: int | None = None

        self.title = QLabel(self.tr("Next best actions"), self)
        font = QFont(self.title.font())
        font.setBold(True)
        self.title.setFont(font)
        self.list = _HintList(self)
        self.list.setObjectName("HintsList")
        self.list.setAccessibleName(self.tr("Suggested next actions"))
        self.list.setAccessibleDescription(
            self.tr("Enter accepts the selected suggestion, Delete dismisses it")
        )
        self.list.setItemDelegate(HintDelegate(self.tr("Why: %1"), self.list))
        self.list.setWordWrap(True)
        self.list.setUniformItemSizes(False)
        self.list.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.acceptKey.connect(self.accept_current)
        self.list.dismissKey.connect(self.dismiss_current)
        self.list.itemDoubleClicked.connect(lambda _item: self.accept_current())
        self.list.currentItemChanged.connect(lambda *_: self._update_buttons())
        self.empty = QLabel(self.tr("No suggestions for this customer."), self)
        self.empty.setObjectName("HintsEmpty")
        self.empty.setWordWrap(True)
        self.empty.setEnabled(False)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)

        self.accept_button = QPushButton(icon("accept"), self.tr("Accept"), self)
        self.accept_button.setAccessibleName(self.tr("Accept the suggestion"))
        self.accept_button.setToolTip(self.tr("Accept the selected suggestion (Ctrl+Shift+A)"))
        self.accept_button.clicked.connect(self.accept_current)
        self.dismiss_button = QPushButton(icon("decline"), self.tr("Dismiss"), self)
        self.dismiss_button.setAccessibleName(self.tr("Dismiss the suggestion"))
        self.dismiss_button.setToolTip(self.tr("Dismiss the selected suggestion (Ctrl+Shift+D)"))
        self.dismiss_button.clicked.connect(self.dismiss_current)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.accept_button)
        buttons.addWidget(self.dismiss_button)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(10, 4, 10, 6)
        lay.addWidget(self.title)
        lay.addWidget(self.list, 1)
        # Empty, the note takes the list's room: the title stays on top instead of floating
        # to the middle of the panel.
        lay.addWidget(self.empty, 1)
        lay.addLayout(buttons)
        self.setFocusProxy(self.list)

        self.accept_shortcut = QShortcut(QKeySequence("Ctrl+Shift+A"), self)
        self.accept_shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
        self.accept_shortcut.activated.connect(self.accept_current)
        self.dismiss_shortcut = QShortcut(QKeySequence("Ctrl+Shift+D"), self)
        self.dismiss_shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
        self.dismiss_shortcut.activated.connect(self.dismiss_current)
        self._update_buttons()

    # -- content --------------------------------------------------------------------------------
    def set_hints(self, customer_id: int | None, hints: list[dict[str, Any]]) -> None:
        """Replace the list (best first); the focus stays in the list if it was there."""
        had_focus = self.list.hasFocus()
        self.customer_id = customer_id
        self.list.clear()
        ordered = sorted(hints, key=lambda h: -float(h.get("score") or 0))
        for hint in ordered:
            item = QListWidgetItem()
            item.setData(HintRole, hint)
            item.setData(Qt.ItemDataRole.DisplayRole, str(hint.get("title") or ""))
            parts = [str(hint.get(k) or "") for k in ("title", "text")]
            if hint.get("reason"):
                parts.append(self.tr("Why: %1").replace("%1", str(hint["reason"])))
            item.setData(Qt.ItemDataRole.AccessibleTextRole, ". ".join(p for p in parts if p))
            factors = [str(e.get("label") or "") for e in hint.get("explain") or []]
            item.setToolTip("\n".join([*(p for p in parts if p), *(f for f in factors if f)]))
            self.list.addItem(item)
        if self.list.count():
            self.list.setCurrentRow(0)
            if had_focus:
                self.list.setFocus()
        self._update_buttons()

    def clear(self) -> None:
        self.set_hints(None, [])

    def hints(self) -> list[dict[str, Any]]:
        return [self.list.item(i).data(HintRole) for i in range(self.list.count())]

    def current_hint(self) -> dict[str, Any] | None:
        item = self.list.currentItem() or (self.list.item(0) if self.list.count() else None)
        hint = item.data(HintRole) if item is not None else None
        return hint if isinstance(hint, dict) else None

    # -- the operator's answer ------------------------------------------------------------------
    def accept_current(self) -> None:
        hint = self._respond("accepted")
        if hint is not None and str(hint.get("text") or "").strip():
            self.useText.emit(str(hint["text"]))

    def dismiss_current(self) -> None:
        self._respond("dismissed")

    def _respond(self, outcome: str) -> dict[str, Any] | None:
        hint = self.current_hint()
        if hint is None or self.customer_id is None:
            return None
        hint_id = str(hint.get("hint_id") or hint.get("id") or "")
        if hint_id:
            self.session.respond_hint(hint_id, outcome, self.customer_id)
        item = self.list.currentItem() or self.list.item(0)
        row = self.list.row(item)
        had_focus = self.list.hasFocus()
        self.list.takeItem(row)
        if self.list.count():
            self.list.setCurrentRow(min(row, self.list.count() - 1))
            if had_focus:
                self.list.setFocus()
        self._update_buttons()
        self.responded.emit(hint_id, outcome)
        return hint

    def _update_buttons(self) -> None:
        has = self.list.count() > 0
        self.accept_button.setEnabled(has)
        self.dismiss_button.setEnabled(has)
        self.list.setVisible(has)
        self.empty.setVisible(not has)
