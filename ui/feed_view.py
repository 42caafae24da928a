"""The customer's unified feed: message bubbles, e-mails, calls, notes, orders, day separators.

:class:`FeedView` is a :class:`FeedList` (a QListView) on a :class:`~ui.feed_model.FeedModel`,
painted by :class:`FeedDelegate`, wired to the session: it shows the card it is given, appends
the customer's live items, draws the operator's replies on their way (kept by the session's
:class:`~omnidesk_qt.replies.PendingReplies`) as pending rows and follows their delivery,
and asks the gateway for older pages when the user scrolls near the top.

Speed
    The delegate lays a row out once per content version and width (QTextLayout for text,
    QTextDocument for an e-mail's sanitised HTML) and keeps that layout on the row: sizeHint is
    a cache read and paint only draws. The model is a window (see ``feed_model``): opening a
    customer with thousands of items lays out one page.

Scrolling
    The list is either *pinned* to the bottom (it follows live items) or *anchored* to the row
    at its top (older pages inserted above, items appended below and re-layouts never move what
    the user is reading). Only the user's own scrolling changes which; a live item arriving
    while the user reads older history shows a "new messages" button instead of jumping.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QEvent,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QPointF,
    QRect,
    QRectF,
    QSize,
    Qt,
    QTimer,
    QUrl,
    Signal,
)
from PySide6.QtGui import (
    QAbstractTextDocumentLayout,
    QColor,
    QDesktopServices,
    QFont,
    QFontMetrics,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPalette,
    QPen,
    QPixmap,
    QResizeEvent,
    QTextDocument,
    QTextLayout,
    QTextOption,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QListView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from omnidesk_qt.session import Session
from ui import labels
from ui.feed_model import ATTACHMENT_SCHEME, PAGE_SIZE, FeedModel, FeedRow, attachments_of
from ui.icons import icon

Index = QModelIndex | QPersistentModelIndex

# Geometry (logical pixels).
V_MARGIN = 3  # above and below every row
SIDE = 12  # between a bubble and the view's edge
PAD_X = 10  # inside a bubble
PAD_Y = 6
RADIUS = 8
ICON = 14
GAP = 6
BUBBLE_SHARE = 0.74  # of the width, at most
BUBBLE_MAX = 760
CENTRE_SHARE = 0.86
PIN_SLOP = 8  # this close to the bottom counts as "at the bottom"
# Rows laid out per batch (a few ms with cached sizes): windows up to this long are laid out in
# one go, longer ones (the user has scrolled far back) without freezing the window.
BATCH = 500
# Pinned to the bottom, the window keeps about this many screens of rows and gives the rest back
# to the model's reserve (QListView lays every row out again at each insertion, so a short
# window keeps a live item cheap; scrolling up brings the rows back at once). Trimming waits
# for TRIM_SLACK extra rows so that it does not happen at every item.
KEEP_SCREENS = 3
TRIM_SLACK = 24
LINK_SCHEMES = ("http", "https", "mailto", "tel")
_SELECTED = QStyle.StateFlag.State_Selected
PIXMAPS = 96  # row pictures kept (a few screens' worth)
PIXMAP_MAX_HEIGHT = 2000
COMPACT_KINDS = ("purchase", "status_change", "visit")

# The themes' palettes (resources/themes/*.qss), for what a palette role cannot say.
_LIGHT = {
    "muted": "#52606d",
    "accent": "#1c5cb8",
    "danger": "#b42318",
    "in": "#e9eef5",
    "out": "#dce8f8",
    "border": "#c3ccd6",
    "divider": "#dde3ea",
    "compact": "#f3f5f8",
}
_DARK = {
    "muted": "#a3adb9",
    "accent": "#7fb2ff",
    "danger": "#f07a6c",
    "in": "#2a3038",
    "out": "#27406a",
    "border": "#3a424d",
    "divider": "#2c333c",
    "compact": "#1b1f24",
}


class _Layout:
    """Where everything of one row goes, at one width: made once, painted many times. The
    row's picture is kept too (``pix``), for the rows painted lately (see PIXMAPS)."""

    __slots__ = (
        "area",
        "bubble",
        "doc",
        "doc_pos",
        "gen",
        "height",
        "links",
        "ops",
        "pix",
        "pix_key",
        "size",
        "style",
        "version",
        "width",
    )

    def __init__(self, width: int, version: int, gen: int) -> None:
        self.width = width
        self.version = version
        self.gen = gen
        self.height = 0
        self.size = QSize()
        self.style = "in"  # in | out | centre (bubbles) | note | compact | separator
        self.bubble = QRectF()
        self.area = QRectF()  # what is painted (the bubble and its focus ring)
        self.ops: list[tuple[Any, ...]] = []
        self.links: list[tuple[QRectF, str]] = []
        self.doc: QTextDocument | None = None
        self.doc_pos = QPointF()
        self.pix: QPixmap | None = None
        self.pix_key: tuple[Any, ...] = ()


def _text_layout(text: str, font: QFont, width: float) -> tuple[QTextLayout, float, float]:
    """Wrapped plain text: (layout, height, widest line)."""
    lay = QTextLayout(text.replace("\r\n", "\n").replace("\n", "\u2028"), font)
    opt = QTextOption()
    opt.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
    lay.setTextOption(opt)
    lay.setCacheEnabled(True)
    lay.beginLayout()
    y = 0.0
    widest = 0.0
    while True:
        line = lay.createLine()
        if not line.isValid():
            break
        line.setLineWidth(width)
        line.setPosition(QPointF(0, y))
        y += line.height()
        widest = max(widest, line.naturalTextWidth())
    lay.endLayout()
    return lay, y, widest


class FeedDelegate(QStyledItemDelegate):
    """Paints feed rows from layouts it keeps on the rows (see :class:`_Layout`)."""

    linkActivated = Signal(str)

    def __init__(self, model: FeedModel, view: QListView) -> None:
        super().__init__(view)
        self._model = model
        self._view = view
        self._viewport = view.viewport()
        self._painted: OrderedDict[int, _Layout] = OrderedDict()  # layouts holding a picture
        self._gen = 0
        self._pix_gen = 0
        self._colours: dict[str, QColor] = {}
        self._pixmaps: dict[tuple[str, float], QPixmap] = {}
        self._recording = self.tr("▶ Recording")
        self._fonts()

    # -- caches ---------------------------------------------------------------------------------
    def invalidate(self) -> None:
        """Fonts or style changed: every layout is made again."""
        self._gen += 1
        for lay in self._painted.values():
            lay.pix = None
        self._painted.clear()
        self.palette_changed()
        self._fonts()

    def _fonts(self) -> None:
        base = QFont(self._view.font())
        small = QFont(base)
        if base.pointSizeF() > 0:
            small.setPointSizeF(max(6.0, base.pointSizeF() * 0.85))
        elif base.pixelSize() > 0:
            small.setPixelSize(max(8, round(base.pixelSize() * 0.85)))
        bold = QFont(base)
        bold.setBold(True)
        italic = QFont(base)
        italic.setItalic(True)
        small_italic = QFont(small)
        small_italic.setItalic(True)
        self.font = {
            "base": base,
            "small": small,
            "bold": bold,
            "italic": italic,
            "small_italic": small_italic,
        }
        self.fm = {k: QFontMetrics(f) for k, f in self.font.items()}

    def _palette_colours(self) -> dict[str, QColor]:
        if not self._colours:
            palette = self._view.palette()
            base = palette.color(QPalette.ColorRole.Base)
            scheme = _DARK if base.lightnessF() < 0.5 else _LIGHT
            colours = {name: QColor(value) for name, value in scheme.items()}
            colours["text"] = palette.color(QPalette.ColorRole.Text)
            colours["base"] = base
            self._colours = colours
        return self._colours

    def palette_changed(self) -> None:
        """New colours: the rows are drawn again (their layouts stay)."""
        self._colours = {}
        self._pix_gen += 1
        self._pixmaps.clear()

    def _pixmap(self, channel: str) -> QPixmap | None:
        dpr = self._view.devicePixelRatioF()
        key = (channel, dpr)
        pix = self._pixmaps.get(key)
        if pix is None:
            ic = icon(channel)
            pix = QPixmap() if ic.isNull() else ic.pixmap(QSize(ICON, ICON), dpr)
            self._pixmaps[key] = pix
        return None if pix.isNull() else pix

    def _width(self) -> int:
        return max(220, self._viewport.width())

    def layout_for(self, row: FeedRow, width: int | None = None) -> _Layout:
        width = self._width() if width is None else width
        lay = row.layout
        if (
            not isinstance(lay, _Layout)
            or lay.width != width
            or lay.version != row.version
            or lay.gen != self._gen
        ):
            lay = row.layout = self._build(row, width)
        return lay

    # -- Qt delegate API ------------------------------------------------------------------------
    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        # Called for every row at every re-layout: the cached size, with as little as possible.
        row = self._model.row_at(index.row())
        lay = row.layout
        if (
            lay is not None
            and lay.version == row.version
            and lay.gen == self._gen
            and lay.width == max(220, self._viewport.width())
        ):
            return lay.size  # type: ignore[no-any-return]
        return self.layout_for(row).size

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        # Rows are drawn once into a picture (per content version, width, selection, palette
        # and pixel ratio); a repaint, e.g. when a live item scrolls everything up, only
        # blits the pictures of the rows on screen.
        row = self._model.row_at(index.row())
        lay = row.layout
        if (
            lay is None
            or lay.version != row.version
            or lay.gen != self._gen
            or lay.width != max(220, self._viewport.width())
        ):
            lay = self.layout_for(row)
        rect: QRect = option.rect
        selected = bool(option.state & _SELECTED)
        area = lay.area
        if area.height() > PIXMAP_MAX_HEIGHT:  # a very long e-mail: not worth a picture
            painter.save()
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.translate(rect.x(), rect.y())
            self._draw(painter, row, lay, selected)
            painter.restore()
            return
        dpr = painter.device().devicePixelRatioF()
        key = (
            selected,
            self._pix_gen,
            dpr,
            self._model.separator_text(row) if row.item is None else "",
        )
        pix = lay.pix
        if pix is None or lay.pix_key != key:
            pix = QPixmap(
                max(1, int(area.width() * dpr + 0.999)), max(1, int(area.height() * dpr + 0.999))
            )
            pix.setDevicePixelRatio(dpr)
            pix.fill(Qt.GlobalColor.transparent)
            p = QPainter(pix)
            p.setRenderHint(QPainter.RenderHint.Antialiasing)
            p.translate(-area.x(), -area.y())
            self._draw(p, row, lay, selected)
            p.end()
            lay.pix = pix
            lay.pix_key = key
        painted = self._painted
        lid = id(lay)
        if lid in painted:
            painted.move_to_end(lid)
        else:
            painted[lid] = lay
            while len(painted) > PIXMAPS:
                _lid, old = painted.popitem(last=False)
                old.pix = None
        painter.drawPixmap(QPointF(rect.x() + area.x(), rect.y() + area.y()), pix)

    def _draw(self, painter: QPainter, row: FeedRow, lay: _Layout, selected: bool) -> None:
        c = self._palette_colours()
        if lay.style == "separator":
            self._paint_separator(painter, row, lay.width, lay.height, c, selected)
        else:
            self._paint_item(painter, lay, c, selected)

    def editorEvent(
        self,
        event: QEvent,
        model: QAbstractItemModel,
        option: QStyleOptionViewItem,
        index: Index,
    ) -> bool:
        if (
            event.type() == QEvent.Type.MouseButtonRelease
            and isinstance(event, QMouseEvent)
            and event.button() == Qt.MouseButton.LeftButton
        ):
            rect: QRect = option.rect
            url = self.link_at(index.row(), event.position() - QPointF(rect.topLeft()))
            if url:
                self.linkActivated.emit(url)
                return True
        return False

    # -- links ----------------------------------------------------------------------------------
    def link_at(self, row: int, pos: QPointF) -> str:
        """The link under ``pos`` (in the row's coordinates), or ""."""
        lay = self.layout_for(self._model.row_at(row))
        for rect, url in lay.links:
            if rect.contains(pos):
                return url
        if lay.doc is not None:
            local = pos - lay.doc_pos
            size = lay.doc.size()
            if 0 <= local.x() <= size.width() and 0 <= local.y() <= size.height():
                href = lay.doc.documentLayout().anchorAt(local)
                if href:
                    return str(href)
        return ""

    def links_of(self, row: int) -> list[str]:
        """Every link of a row, in order (a call's recording first, then an e-mail's links)."""
        r = self._model.row_at(row)
        lay = self.layout_for(r)
        urls = [url for _rect, url in lay.links]
        if lay.doc is not None:
            block = lay.doc.begin()
            while block.isValid():
                it = block.begin()
                while not it.atEnd():
                    fmt = it.fragment().charFormat()
                    if fmt.isAnchor() and fmt.anchorHref() and fmt.anchorHref() not in urls:
                        urls.append(fmt.anchorHref())
                    it += 1
                block = block.next()
        return urls

    # -- layout ---------------------------------------------------------------------------------
    def _build(self, row: FeedRow, width: int) -> _Layout:
        lay = _Layout(width, row.version, self._gen)
        item = row.item
        if item is None:
            lay.style = "separator"
            lay.height = self.fm["small"].height() + 2 * PAD_Y + 2 * V_MARGIN + 4
            lay.area = QRectF(0, 0, width, lay.height)
        else:
            kind = str(item.get("kind") or "message")
            if kind in COMPACT_KINDS:
                self._build_compact(lay, row, width)
            else:
                self._build_bubble(lay, row, kind, width)
            lay.area = lay.bubble.adjusted(-2, -2, 2, 2).intersected(
                QRectF(0, 0, width, lay.height)
            )
        lay.size = QSize(width, lay.height)
        return lay

    def _build_compact(self, lay: _Layout, row: FeedRow, width: int) -> None:
        t = self._model.row_text(row)
        item = row.item or {}
        lay.style = "compact"
        fm = self.fm["small"]
        channel = str(item.get("channel") or "")
        pix = self._pixmap(channel) if channel else None
        icon_w = ICON + GAP if pix is not None else 0
        text = " — ".join(x for x in (t.title, t.body) if x) + f" · {t.time}"
        maxw = int(width * CENTRE_SHARE) - 2 * PAD_X
        tl, h, natural = _text_layout(text, self.font["small"], maxw - icon_w)
        h = max(h, float(fm.height()))
        bw = min(maxw, natural + icon_w) + 2 * PAD_X
        x0 = (width - bw) / 2
        lay.bubble = QRectF(x0, V_MARGIN, bw, h + 2 * 3)
        if pix is not None:
            lay.ops.append(("icon", QRectF(x0 + PAD_X, V_MARGIN + 3, ICON, ICON), channel))
        lay.ops.append(("layout", QPointF(x0 + PAD_X + icon_w, V_MARGIN + 3), tl, "muted"))
        lay.height = int(lay.bubble.height() + 2 * V_MARGIN + 0.999)

    def _build_bubble(self, lay: _Layout, row: FeedRow, kind: str, width: int) -> None:
        t = self._model.row_text(row)
        item = row.item or {}
        direction = str(item.get("direction") or "in")
        fm_small = self.fm["small"]
        note = kind == "note"
        centred = note or direction not in ("in", "out")
        lay.style = "note" if note else "centre" if centred else direction
        share = CENTRE_SHARE if centred else BUBBLE_SHARE
        maxw = max(160, min(int(width * share), BUBBLE_MAX, width - 2 * SIDE))
        inner = maxw - 2 * PAD_X

        # Measure: header, title, body, extras; then place them in the final bubble.
        channel = str(item.get("channel") or "")
        pix = self._pixmap(channel) if channel else None
        icon_w = ICON + 4 if pix is not None else 0
        who = " · ".join(x for x in (t.channel_name, t.author) if x)
        if note:
            who = " · ".join(x for x in (t.title, t.author) if x)
        time_w = fm_small.horizontalAdvance(t.time)
        mark_w = fm_small.horizontalAdvance(" " + t.mark) if t.mark else 0
        right_w = time_w + mark_w
        who_w = fm_small.horizontalAdvance(who)
        room = inner - icon_w - GAP - right_w
        if who_w > room:
            who = fm_small.elidedText(who, Qt.TextElideMode.ElideRight, max(0, room))
            who_w = fm_small.horizontalAdvance(who)
        need = icon_w + who_w + GAP + right_w
        blocks: list[tuple[str, Any, float, float, str]] = []  # kind, object, height, width, colour
        title_font = "italic" if note else "bold"
        if t.title and not note:
            tl, h, w = _text_layout(t.title, self.font[title_font], inner)
            blocks.append(("layout", tl, h, w, "text"))
        if kind == "email":
            doc = QTextDocument()
            doc.setUndoRedoEnabled(False)
            doc.setDocumentMargin(0)
            doc.setDefaultFont(self.font["base"])
            doc.setHtml(row.html)
            doc.setTextWidth(inner)
            size = doc.size()
            blocks.append(("doc", doc, size.height(), min(float(inner), doc.idealWidth()), "text"))
        elif t.body:
            font = "italic" if note else "base"
            tl, h, w = _text_layout(t.body, self.font[font], inner)
            blocks.append(("layout", tl, h, w, "muted" if note else "text"))
        if t.transcript:
            tl, h, w = _text_layout(t.transcript, self.font["small_italic"], inner)
            blocks.append(("layout", tl, h, w, "muted"))
        if t.recording:
            w = float(fm_small.horizontalAdvance(self._recording))
            blocks.append(("link", t.recording, float(fm_small.height()), w, "accent"))
        for shown, link in t.files:
            # One clickable row per file; activating it downloads the file (never shown inline).
            label = fm_small.elidedText(shown, Qt.TextElideMode.ElideMiddle, inner)
            w = float(fm_small.horizontalAdvance(label))
            blocks.append(("file", (label, link), float(fm_small.height()), w, "accent"))

        content_w = max([float(need), *(b[3] for b in blocks)])
        bw = min(float(maxw), content_w + 2 * PAD_X)
        if centred:
            x0 = (width - bw) / 2
        elif direction == "out":
            x0 = width - SIDE - bw
        else:
            x0 = float(SIDE)
        cx = x0 + PAD_X
        y: float = V_MARGIN + PAD_Y
        hh = fm_small.height()
        if pix is not None:
            lay.ops.append(("icon", QRectF(cx, y + (hh - ICON) / 2, ICON, ICON), channel))
        lay.ops.append(("text", QRectF(cx + icon_w, y, who_w + 1, hh), who, "small", "muted"))
        right = x0 + bw - PAD_X
        lay.ops.append(
            ("text", QRectF(right - right_w, y, time_w + 1, hh), t.time, "small", "muted")
        )
        if t.mark:
            delivery = item.get("delivery")
            colour = {"read": "accent", "failed": "danger"}.get(str(delivery), "muted")
            rect = QRectF(right - mark_w, y, mark_w + 1, hh)
            lay.ops.append(("text", rect, " " + t.mark, "small", colour))
        y += hh + 2
        for what, obj, h, _w, colour in blocks:
            if what == "layout":
                lay.ops.append(("layout", QPointF(cx, y), obj, colour))
            elif what == "doc":
                lay.doc = obj
                lay.doc_pos = QPointF(cx, y)
                lay.ops.append(("doc", QPointF(cx, y), obj, colour))
            elif what == "link":
                rect = QRectF(cx, y + 2, _w + 1, h)
                lay.ops.append(("text", rect, self._recording, "small", colour))
                lay.links.append((rect, str(obj)))
                y += 2
            elif what == "file":
                label, link = obj
                rect = QRectF(cx, y + 2, _w + 1, h)
                lay.ops.append(("text", rect, label, "small", colour))
                lay.links.append((rect, link))
                y += 2
            y += h + 2
        y += PAD_Y - 2
        lay.bubble = QRectF(x0, V_MARGIN, bw, y - V_MARGIN)
        lay.height = int(y + V_MARGIN + 0.999)

    # -- painting -------------------------------------------------------------------------------
    def _paint_separator(
        self,
        painter: QPainter,
        row: FeedRow,
        width: int,
        height: int,
        c: dict[str, QColor],
        selected: bool,
    ) -> None:
        text = self._model.separator_text(row)
        fm = self.fm["small"]
        tw = fm.horizontalAdvance(text) + 2 * PAD_X
        mid = height / 2
        painter.setPen(QPen(c["divider"], 1))
        left = (width - tw) / 2
        painter.drawLine(QPointF(SIDE, mid), QPointF(left - GAP, mid))
        painter.drawLine(QPointF(left + tw + GAP, mid), QPointF(width - SIDE, mid))
        pill = QRectF(left, mid - fm.height() / 2 - 3, tw, fm.height() + 6)
        painter.setPen(QPen(c["accent"], 2) if selected else Qt.PenStyle.NoPen)
        painter.setBrush(c["compact"])
        painter.drawRoundedRect(pill, pill.height() / 2, pill.height() / 2)
        painter.setFont(self.font["small"])
        painter.setPen(c["muted"])
        painter.drawText(pill, Qt.AlignmentFlag.AlignCenter, text)

    def _paint_item(
        self, painter: QPainter, lay: _Layout, c: dict[str, QColor], selected: bool
    ) -> None:
        bubble = lay.bubble
        if lay.style == "compact":
            painter.setPen(QPen(c["accent"], 2) if selected else Qt.PenStyle.NoPen)
            painter.setBrush(c["compact"])
            painter.drawRoundedRect(bubble, bubble.height() / 2, bubble.height() / 2)
        elif lay.style == "note":
            pen = QPen(c["accent"], 2) if selected else QPen(c["border"], 1, Qt.PenStyle.DashLine)
            painter.setPen(pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(bubble.adjusted(0.5, 0.5, -0.5, -0.5), RADIUS, RADIUS)
        else:
            painter.setPen(QPen(c["accent"], 2) if selected else QPen(c["border"], 1))
            painter.setBrush(c["out"] if lay.style == "out" else c["in"])
            painter.drawRoundedRect(bubble.adjusted(0.5, 0.5, -0.5, -0.5), RADIUS, RADIUS)
        for op in lay.ops:
            what = op[0]
            if what == "layout":
                painter.setPen(c[op[3]])
                op[2].draw(painter, op[1])
            elif what == "text":
                painter.setFont(self.font[op[3]])
                painter.setPen(c[op[4]])
                painter.drawText(
                    op[1], Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, op[2]
                )
            elif what == "icon":
                pix = self._pixmap(op[2])
                if pix is not None:
                    painter.drawPixmap(op[1].toRect(), pix)
            elif what == "doc":
                ctx = QAbstractTextDocumentLayout.PaintContext()
                ctx.palette.setColor(QPalette.ColorRole.Text, c["text"])
                ctx.palette.setColor(QPalette.ColorRole.Link, c["accent"])
                painter.save()
                painter.translate(op[1])
                op[2].documentLayout().draw(painter, ctx)
                painter.restore()


class FeedList(QListView):
    """The list itself: pinned to the bottom or anchored to the row at its top (see the module
    doc); tells the model when its top is near, so older items come in as the user scrolls."""

    pinnedChanged = Signal(bool)
    linkActivated = Signal(str)

    def __init__(self, model: FeedModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("FeedList")
        self._model = model
        self._pinned = True
        self._anchor = QPersistentModelIndex()
        self._anchor_offset = 0
        self._from_bottom = 0
        self._adjusting = 0
        self._relayout = False
        self._complete = True  # the last layout reached the last row
        self._hold = False  # the user scrolled while it had not
        self._top_check = QTimer(self)
        self._top_check.setSingleShot(True)
        self._top_check.setInterval(0)
        self._top_check.timeout.connect(self._check_top)
        self.setUniformItemSizes(False)
        self.setLayoutMode(QListView.LayoutMode.Batched)
        self.setBatchSize(BATCH)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSpacing(0)
        self.setModel(model)
        for signal in (model.rowsInserted, model.rowsRemoved, model.modelReset):
            signal.connect(self._rows_changed)
        self.delegate = FeedDelegate(model, self)
        self.setItemDelegate(self.delegate)
        self.delegate.linkActivated.connect(self.linkActivated)
        self.verticalScrollBar().setSingleStep(24)
        self.verticalScrollBar().valueChanged.connect(self._scrolled)

    # -- pinned / anchored ----------------------------------------------------------------------
    @property
    def pinned(self) -> bool:
        return self._pinned

    def pin(self) -> None:
        """Stick to the bottom (and go there now)."""
        self._set_pinned(True)
        self._anchor = QPersistentModelIndex()
        self._restore()

    def _set_pinned(self, pinned: bool) -> None:
        if pinned != self._pinned:
            self._pinned = pinned
            self.pinnedChanged.emit(pinned)

    def _scrolled(self, _value: int) -> None:
        self._sync_near_top()
        if self._adjusting:
            return
        self._capture()
        self._top_check.start()

    def _capture(self) -> None:
        """The user scrolled: remember where to, as pinned or as the row at the top."""
        if not self._complete:
            # A batched layout is under way: the range and the rows' places are partial.
            # Keep the user's place as it is and read it when the layout is done.
            self._hold = True
            self._set_pinned(False)
            return
        bar = self.verticalScrollBar()
        self._set_pinned(bar.value() >= bar.maximum() - PIN_SLOP)
        if self._pinned:
            self._anchor = QPersistentModelIndex()
            return
        top = self.indexAt(QPoint(self.viewport().width() // 2, 0))
        if top.isValid() and self._model.row_at(top.row()).item is None:
            below = top.siblingAtRow(top.row() + 1)  # a separator may go when a page comes
            top = below if below.isValid() else top
        self._anchor = QPersistentModelIndex(top)
        self._anchor_offset = self.visualRect(top).top() if top.isValid() else 0
        self._from_bottom = bar.maximum() - bar.value()

    def _restore(self) -> None:
        bar = self.verticalScrollBar()
        if self._hold and self._complete:
            self._hold = False
            self._capture()  # the user scrolled during the layout: that is where they are
            return
        if self._pinned:
            self._set_value(bar.maximum())  # (if partial, again when the layout is done)
        elif self._anchor.isValid():
            rect = self.visualRect(self._anchor)
            if rect.isValid():  # (not yet when a batched layout has not reached it)
                self._set_value(bar.value() + rect.top() - self._anchor_offset)
        elif self._complete and not self._hold:
            # The row went (rare): keep the distance from the bottom.
            self._set_value(bar.maximum() - self._from_bottom)

    def _rows_changed(self) -> None:
        self._complete = False  # until the layout that follows is done
        self._model.set_near_top(False)

    def _sync_near_top(self) -> None:
        # Kept true to the view at every scroll: Qt's own fetchMore calls (made when the
        # *bottom* is visible) must find the model "not near the top" unless it is.
        self._model.set_near_top(
            self._complete and self.verticalScrollBar().value() <= self._near_top_px()
        )

    def _set_value(self, value: int) -> None:
        self._adjusting += 1
        try:
            self.verticalScrollBar().setValue(value)
        finally:
            self._adjusting -= 1

    def updateGeometries(self) -> None:
        # Re-layouts set the scroll range (and may clamp the value): that is not the user
        # scrolling. Afterwards, put the view back where the user wants it.
        self._adjusting += 1
        try:
            super().updateGeometries()
        finally:
            self._adjusting -= 1
        self._complete = self.laid_out()
        self._relayout = True
        try:
            self._restore()
        finally:
            self._relayout = False
        self._sync_near_top()
        if self._complete and self.verticalScrollBar().value() <= self._near_top_px():
            self._top_check.start()

    def laid_out(self) -> bool:
        """Has a batched layout reached the last row? (Until then the scroll range covers the
        rows laid out so far only, and "at the top" means nothing.)"""
        n = self._model.rowCount()
        return n == 0 or self.visualRect(self._model.index(n - 1)).isValid()

    def scrollContentsBy(self, dx: int, dy: int) -> None:
        if self._relayout:
            # Scrolling back into place after a re-layout: everything is painted again
            # anyway, so moving the old pixels first would be wasted.
            self.viewport().update()
            return
        super().scrollContentsBy(dx, dy)

    def dataChanged(self, topLeft: Index, bottomRight: Index, roles: Sequence[int] = ()) -> None:
        super().dataChanged(topLeft, bottomRight, roles)
        # A row whose content changed may have changed height: lay the list out again then
        # (QListView keeps the old size otherwise). Delivery ticks do not change heights.
        first, last = topLeft.row(), bottomRight.row()
        if first >= 0 and last - first < 8:
            for r in range(first, min(last, self._model.rowCount() - 1) + 1):
                row = self._model.row_at(r)
                old = row.layout.height if row.layout is not None else None
                if old is not None and self.delegate.layout_for(row).height != old:
                    self.scheduleDelayedItemsLayout()
                    break
        elif last - first >= 8:
            self.scheduleDelayedItemsLayout()

    # -- paging ---------------------------------------------------------------------------------
    def _near_top_px(self) -> int:
        """Closer than this to the top, older items are brought in: a screen's height."""
        return max(self.viewport().height(), 200)

    def _check_top(self) -> None:
        if not self._complete:
            return  # the end of the layout checks again
        self._sync_near_top()
        root = QModelIndex()
        if self._model.canFetchMore(root):
            self._model.fetchMore(root)

    # -- keyboard and style ---------------------------------------------------------------------
    def keyboardSearch(self, search: str) -> None:
        """Typing in the feed does not jump between rows (it would scan the whole window)."""

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            links = self.delegate.links_of(self.currentIndex().row())
            if links:
                self.linkActivated.emit(links[0])
                event.accept()
                return
        super().keyPressEvent(event)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self.delegate.invalidate()
            self.scheduleDelayedItemsLayout()
        elif event.type() == QEvent.Type.PaletteChange:
            self.delegate.palette_changed()
            self.viewport().update()
        super().changeEvent(event)


class FeedView(QWidget):
    """The feed of the customer shown, wired to the session."""

    linkActivated = Signal(str)  # a link the operator opened (also opened in the browser)

    def __init__(
        self,
        session: Session,
        parent: QWidget | None = None,
        *,
        page_size: int = PAGE_SIZE,
        open_links: bool = True,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("Feed")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.session = session
        self.page_size = page_size
        self.open_links = open_links
        self.model = FeedModel(self, page_size=page_size)
        self.list = FeedList(self.model, self)
        self.list.setAccessibleName(self.tr("Customer feed"))
        self.list.setAccessibleDescription(
            self.tr("The customer's messages, e-mails, calls and orders, oldest first")
        )
        self.delegate = self.list.delegate
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.list)
        # Why a file could not be opened (hidden otherwise).
        self.file_status = QLabel(self)
        self.file_status.setObjectName("FeedFileStatus")
        self.file_status.setProperty("role", "warning")
        self.file_status.setWordWrap(True)
        self.file_status.hide()
        layout.addWidget(self.file_status)
        self.setFocusProxy(self.list)
        self._fetching: set[int] = set()  # ids of the files being downloaded to be opened

        self.new_button = QToolButton(self)
        self.new_button.setObjectName("NewMessages")
        self.new_button.setAccessibleName(self.tr("Jump to the new messages"))
        self.new_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.new_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.new_button.clicked.connect(self.scroll_to_bottom)
        self.new_button.hide()
        self._unseen = 0
        self._since_trim = 0  # live items appended since the window was last trimmed

        self._day = QTimer(self)
        self._day.setInterval(60_000)
        self._day.timeout.connect(lambda: self.model.refresh_today())
        self._day.start()

        self.model.olderWanted.connect(self._older_wanted)
        self.list.pinnedChanged.connect(self._pinned_changed)
        self.list.linkActivated.connect(self._link)
        session.timelineItem.connect(self._item)
        session.timelinePage.connect(self._page)
        session.deliveryChanged.connect(self._delivery)
        failed_for_good = getattr(session, "deliveryFailed", None)  # stand-ins may lack it
        if failed_for_good is not None:
            failed_for_good.connect(self._delivery_failed)
        session.commandFailed.connect(self._failed)
        files = getattr(session, "files", None)  # a stand-in session may have none
        if files is not None:
            files.downloadDone.connect(self._file_saved)
            files.downloadFailed.connect(self._file_failed)
        # Replies on their way belong to the session's PendingReplies; the feed draws them.
        self.replies = session.replies
        self.replies.added.connect(self._reply_added)
        self.replies.confirmed.connect(self._reply_confirmed)
        self.replies.failed.connect(self._reply_failed)

    # -- what the window calls ------------------------------------------------------------------
    @property
    def customer_id(self) -> int:
        return self.model.customer_id

    def show_customer(self, card: dict[str, Any]) -> None:
        """Show a customer card's feed from its first page, scrolled to the newest item."""
        customer = card.get("customer") or {}
        cid = int(customer.get("id") or 0)
        self.list.pin()
        self.model.show(cid, card.get("timeline") or {})
        for key, item in self.replies.of_customer(cid):
            self.model.add_local(key, item)
        self._set_unseen(0)
        self._since_trim = 0
        self.model.refresh_today()

    def clear(self) -> None:
        self.model.clear()
        self._set_unseen(0)

    def texts(self) -> list[str]:
        return self.model.texts()

    def is_pinned(self) -> bool:
        return self.list.pinned

    def scroll_to_bottom(self) -> None:
        self.list.pin()
        self._set_unseen(0)
        self.trim_window()

    def trim_window(self) -> int:
        """Pinned to the bottom: give the rows above the last few screens back to the model's
        reserve. Returns how many rows went."""
        n = self.model.rowCount()
        budget = KEEP_SCREENS * max(self.list.viewport().height(), 200)
        height = keep = 0
        while keep < n and height < budget:
            keep += 1
            height += self.delegate.layout_for(self.model.row_at(n - keep)).height
        if n - keep < TRIM_SLACK:
            return 0
        return self.model.trim(keep)

    # -- session events -------------------------------------------------------------------------
    def _item(self, item: dict[str, Any]) -> None:
        if not self.model.customer_id or item.get("customer_id") != self.model.customer_id:
            return
        before = self.model.rowCount()
        self.model.append_item(item)
        if self.model.rowCount() > before:
            self._arrived()

    def _arrived(self) -> None:
        if self.list.pinned:
            self._since_trim += 1
            if self._since_trim >= TRIM_SLACK:
                self._since_trim = 0
                self.trim_window()
        else:
            self._set_unseen(self._unseen + 1)

    def _page(self, customer_id: int, page: dict[str, Any]) -> None:
        if customer_id == self.model.customer_id and self.model.loading:
            self.model.add_page(page)

    def _older_wanted(self, customer_id: int, before: int) -> None:
        self.session.load_older(customer_id, before, self.page_size)

    def _delivery(self, event_id: int, state: str) -> None:
        self.model.set_delivery(event_id, state)

    def _delivery_failed(self, event_id: int, error: str, alternatives: list[Any]) -> None:
        self.model.set_delivery(event_id, "failed", labels.not_delivered(error, alternatives))

    def _reply_added(self, key: str, item: dict[str, Any]) -> None:
        if self.model.customer_id and item.get("customer_id") == self.model.customer_id:
            self.list.pin()  # the operator's own reply: show it, at the bottom
            self._set_unseen(0)
            self.model.add_local(key, item)

    def _reply_confirmed(self, key: str, item: dict[str, Any]) -> None:
        if item.get("customer_id") == self.model.customer_id:
            self.model.resolve_local(key, item)

    def _reply_failed(self, key: str, why: str) -> None:
        self.model.fail_local(key, why)

    def _failed(self, command: str, _code: str, _message: str, _key: str) -> None:
        if command == "timeline.page":
            self.model.older_failed()

    # -- the rest -------------------------------------------------------------------------------
    def _pinned_changed(self, pinned: bool) -> None:
        if pinned:
            self._set_unseen(0)

    def _set_unseen(self, n: int) -> None:
        self._unseen = n
        if n <= 0:
            self.new_button.hide()
            return
        self.new_button.setText(self.tr("New messages: %n ↓", "", n))
        self.new_button.adjustSize()
        self._place_button()
        self.new_button.show()
        self.new_button.raise_()

    def _place_button(self) -> None:
        vp = self.list.viewport()
        corner = vp.mapTo(self, QPoint(vp.width(), vp.height()))
        size = self.new_button.sizeHint()
        self.new_button.move(corner.x() - size.width() - 12, corner.y() - size.height() - 12)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.new_button.isVisible():
            self._place_button()

    def open_attachment(self, attachment: dict[str, Any]) -> None:
        """Download a message's file into the user's private folder, then open it with the
        system's application for it (never shown here)."""
        att_id = int(attachment["id"])
        self.file_status.hide()
        if att_id in self._fetching:
            return
        self._fetching.add(att_id)
        self.session.download(attachment)

    def _file_saved(self, attachment: dict[str, Any], path: str) -> None:
        att_id = int(attachment.get("id") or 0)
        if att_id in self._fetching:
            self._fetching.discard(att_id)
            QDesktopServices.openUrl(QUrl.fromLocalFile(path))

    def _file_failed(self, attachment: dict[str, Any], code: str, message: str) -> None:
        att_id = int(attachment.get("id") or 0)
        if att_id not in self._fetching:
            return
        self._fetching.discard(att_id)
        why = (
            {
                "forbidden": self.tr("another operator is serving this customer"),
                "not_found": self.tr("the file is no longer there"),
                "offline": self.tr("the gateway is not reachable"),
            }.get(code)
            or message
            or code
        )
        self.file_status.setText(
            self.tr("Could not open %1: %2")
            .replace("%1", str(attachment.get("name") or ""))
            .replace("%2", why)
        )
        self.file_status.show()

    def _attachment(self, att_id: int) -> dict[str, Any] | None:
        for item in self.model.items():
            for f in attachments_of(item):
                if f["id"] == att_id:
                    return f
        return None

    def _link(self, url: str) -> None:
        self.linkActivated.emit(url)
        if url.startswith(ATTACHMENT_SCHEME + ":"):
            ref = url.partition(":")[2]
            found = self._attachment(int(ref)) if ref.isdigit() else None
            if found is not None:
                self.open_attachment(found)
            return
        qurl = QUrl(url)
        if self.open_links and qurl.scheme().lower() in LINK_SCHEMES:
            QDesktopServices.openUrl(qurl)
