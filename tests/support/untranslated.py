"""What a widget tree shows in words, and which of it is still English in a Russian interface.

Every text a person can meet is read: labels, buttons, menus and their actions, tabs, tooltips,
placeholders, combo-box items, headers of item views, window titles and accessible names. A text
is untranslated when it is an English source string of the translation file shown as is, or when
it holds an English word that is none of the names kept in Latin letters (brands, keys).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QComboBox,
    QGroupBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QTabBar,
    QTextEdit,
    QWidget,
)

# Written in Latin letters in a Russian interface too.
KEPT = {
    "OmniDesk", "Telegram", "WhatsApp", "SMS", "CSAT", "NPS", "VIP", "ID", "URL", "TLS", "E-mail",
    "Ctrl", "Shift", "Alt", "Enter", "Return", "Tab", "Esc", "Del", "Delete", "Home", "End",
    "Up", "Down", "PgUp", "PgDown", "Space", "Backspace", "Meta", "F1", "F2", "F3", "F5",
    "English",  # a language picker names each language in itself
    "eSIM", "SIM",  # products of the demo's catalogue
}  # fmt: skip
_WORD = re.compile(r"[A-Za-z][A-Za-z'’]+")
# Data, not interface: addresses, ids, numbers of orders, URLs, keys.
_DATA = re.compile(
    r"\S+@\S+|\b(?:https?|wss?)://\S*|\bwv_[\w-]+|\b[A-Z]{2,}-[\w-]+|\+?\d[\d\s()-]{5,}"
    r"|\bORD-\S+|\bsim-\S+|\{[\w.]+\}|(?:^|\s)/[\w-]+"
)


def english_sources(ts_file: Path) -> set[str]:
    """The source strings the .ts translates into something else (the plain text: no "&")."""
    out: set[str] = set()
    for message in ET.parse(ts_file).getroot().iter("message"):
        source = message.findtext("source") or ""
        translation = message.find("translation")
        text = "".join(translation.itertext()) if translation is not None else ""
        if source and text and text != source:
            out.add(source.replace("&", ""))
    return out


# Views whose rows are data in any language (canned responses' shortcuts and titles as their
# authors wrote them); their headers are still read.
DATA_VIEWS = frozenset({"CannedList"})


def texts(top: QWidget) -> Iterator[tuple[str, str]]:
    """(where, text) of everything ``top`` and its children can show."""
    widgets = [top, *top.findChildren(QWidget)]
    for w in widgets:
        name = f"{type(w).__name__}#{w.objectName()}"
        if w.isWindow() and w.windowTitle():
            yield f"{name} title", w.windowTitle()
        for what, value in (("tooltip", w.toolTip()), ("accessible", w.accessibleName())):
            if value:
                yield f"{name} {what}", value
        if isinstance(w, QLabel | QAbstractButton):
            yield name, w.text()
        if isinstance(w, QGroupBox):
            yield name, w.title()
        if isinstance(w, QLineEdit | QPlainTextEdit | QTextEdit):
            yield f"{name} placeholder", w.placeholderText()
        if isinstance(w, QComboBox):
            for i in range(w.count()):
                yield f"{name} item {i}", w.itemText(i)
        if isinstance(w, QTabBar):
            for i in range(w.count()):
                yield f"{name} tab {i}", w.tabText(i)
        if isinstance(w, QMenu):
            yield f"{name} menu", w.title()
        if isinstance(w, QAbstractItemView) and w.model() is not None:
            model = w.model()
            columns = model.columnCount(QModelIndex()) if hasattr(w, "header") else 1
            for col in range(columns if hasattr(w, "header") else 0):
                header = model.headerData(col, Qt.Orientation.Horizontal)
                if header:
                    yield f"{name} header {col}", str(header)
            skip = w.objectName() in DATA_VIEWS or isinstance(w, QHeaderView)  # its view reads them
            rows = 0 if skip else min(model.rowCount(QModelIndex()), 30)
            for row in range(rows):
                for col in range(columns):
                    text = model.index(row, col, QModelIndex()).data(Qt.ItemDataRole.DisplayRole)
                    if isinstance(text, str) and text:
                        yield f"{name} row {row},{col}", text
        for action in w.actions():
            if action.text():
                yield f"{name} action", action.text()
            if action.toolTip() and action.toolTip() != action.text():
                yield f"{name} action tooltip", action.toolTip()


def untranslated(top: QWidget, sources: set[str]) -> list[str]:
    """Every text of ``top`` that is still English."""
    found: list[str] = []
    for where, raw in texts(top):
        text = raw.replace("&", "").strip()
        if not text:
            continue
        if text in sources and text not in KEPT:
            found.append(f"{where}: {raw!r} (not translated)")
            continue
        words = [w for w in _WORD.findall(_DATA.sub(" ", text)) if w not in KEPT]
        if words:
            found.append(f"{where}: {raw!r} (English: {', '.join(words)})")
    return sorted(set(found))
