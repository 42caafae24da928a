"""Text contrast measured on rendered pixels: where a window shows text, and how readable it is.

For each place that shows text (a label, a button, a menu-bar entry, a tab, a header section, a
list or tree cell with text), the rendered image is read back: the most common colour there is
the background, the pixel farthest from it in luminance is the text's own colour (glyph stems
reach it; anti-aliased edges only lie between). Their WCAG ratio is what the operator reads.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from PySide6.QtCore import QModelIndex, QPoint, QRect, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenuBar,
    QPlainTextEdit,
    QTabBar,
    QWidget,
)

from ui.theme import contrast_ratio

BODY_TEXT_AA = 4.5


@dataclass(frozen=True, slots=True)
class Place:
    what: str  # e.g. "QLabel#CardName 'Ирина Котова'"
    rect: QRect  # in the window's coordinates


def _shown(w: QWidget, top: QWidget) -> bool:
    return w.isVisibleTo(top) and w.isEnabled() and w.width() > 4 and w.height() > 4


def _in_window(w: QWidget, top: QWidget, rect: QRect) -> QRect:
    origin = w.mapTo(top, QPoint(0, 0))
    return rect.translated(origin).intersected(top.rect())


def _name(w: QWidget) -> str:
    return f"{type(w).__name__}#{w.objectName()}" if w.objectName() else type(w).__name__


def _cells(view: QAbstractItemView, top: QWidget) -> list[Place]:
    model = view.model()
    if model is None:
        return []
    places: list[Place] = []
    viewport = view.viewport()
    rows = min(model.rowCount(QModelIndex()), 30)
    for row in range(rows):
        for col in range(model.columnCount(QModelIndex()) if hasattr(view, "header") else 1):
            index = model.index(row, col, QModelIndex())
            text = str(index.data(Qt.ItemDataRole.DisplayRole) or "").strip()
            rect = view.visualRect(index)
            if not text or rect.isEmpty() or not viewport.rect().contains(rect.center()):
                continue
            places.append(
                Place(
                    f"{_name(view)} cell {row},{col} {text[:30]!r}", _in_window(viewport, top, rect)
                )
            )
    return places


def text_places(top: QWidget) -> list[Place]:
    """Every visible, enabled place of ``top`` that shows text."""
    places: list[Place] = []
    for label in top.findChildren(QLabel):
        if _shown(label, top) and label.text().strip() and label.pixmap().isNull():
            places.append(
                Place(
                    f"{_name(label)} {label.text()[:30]!r}",
                    _in_window(label, top, label.contentsRect()),
                )
            )
    for button in top.findChildren(QAbstractButton):
        if _shown(button, top) and button.text().strip():
            places.append(
                Place(
                    f"{_name(button)} {button.text()[:30]!r}",
                    _in_window(button, top, button.rect()),
                )
            )
    for bar in top.findChildren(QMenuBar):
        if _shown(bar, top):
            for action in bar.actions():
                if action.isVisible() and action.text():
                    places.append(
                        Place(
                            f"menu {action.text()!r}",
                            _in_window(bar, top, bar.actionGeometry(action)),
                        )
                    )
    for tabs in top.findChildren(QTabBar):
        if _shown(tabs, top):
            for i in range(tabs.count()):
                places.append(
                    Place(f"tab {tabs.tabText(i)!r}", _in_window(tabs, top, tabs.tabRect(i)))
                )
    for header in top.findChildren(QHeaderView):
        if not _shown(header, top) or header.model() is None:
            continue
        for i in range(header.count()):
            if header.isSectionHidden(i):
                continue
            text = str(header.model().headerData(i, header.orientation()) or "")
            if not text:
                continue
            pos, size = header.sectionViewportPosition(i), header.sectionSize(i)
            rect = QRect(pos, 0, size, header.height())
            if header.orientation() == Qt.Orientation.Vertical:
                rect = QRect(0, pos, header.width(), size)
            places.append(Place(f"header {text!r}", _in_window(header.viewport(), top, rect)))
    for view in top.findChildren(QAbstractItemView):
        if _shown(view, top) and not isinstance(view, QHeaderView):
            places.extend(_cells(view, top))
    for field in top.findChildren(QLineEdit):
        if _shown(field, top) and (field.text() or field.placeholderText()):
            places.append(
                Place(
                    f"{_name(field)} {(field.text() or field.placeholderText())[:30]!r}",
                    _in_window(field, top, field.rect()),
                )
            )
    for editor in top.findChildren(QPlainTextEdit):
        if _shown(editor, top) and (editor.toPlainText() or editor.placeholderText()):
            viewport = editor.viewport()
            places.append(
                Place(f"{_name(editor)} text", _in_window(viewport, top, viewport.rect()))
            )
    return [p for p in places if p.rect.width() > 6 and p.rect.height() > 6]


def text_contrast(image: QImage, rect: QRect, inset: int = 3) -> tuple[float, QColor, QColor]:
    """(ratio, text colour, background colour) of the text drawn in ``rect``; a border along the
    edges (a focus ring, a frame) is left out by ``inset`` pixels."""
    area = rect.adjusted(inset, inset, -inset, -inset).intersected(image.rect())
    colours: Counter[int] = Counter()
    for y in range(area.top(), area.bottom() + 1):
        for x in range(area.left(), area.right() + 1):
            colours[image.pixel(x, y)] += 1
    if not colours:
        return 21.0, QColor(), QColor()
    background = QColor.fromRgb(colours.most_common(1)[0][0])
    best = (1.0, background)
    for rgb in colours:
        colour = QColor.fromRgb(rgb)
        ratio = contrast_ratio(colour, background)
        if ratio > best[0]:
            best = (ratio, colour)
    return best[0], best[1], background


def unreadable(top: QWidget, image: QImage, least: float = BODY_TEXT_AA) -> list[str]:
    """Every text place of ``top`` below ``least`` in ``image`` (a grab of ``top``)."""
    scale = image.devicePixelRatio() or 1.0
    out = []
    for place in text_places(top):
        r = place.rect
        rect = QRect(
            int(r.x() * scale), int(r.y() * scale), int(r.width() * scale), int(r.height() * scale)
        )
        ratio, text, background = text_contrast(image, rect)
        if ratio < least:
            out.append(f"{place.what}: {ratio:.2f}:1 ({text.name()} on {background.name()})")
    return out
