"""The window's icons: small SVGs in ``resources/icons/``, drawn by QSvgRenderer for every size
the window uses and every device-pixel ratio of the screens, so they stay crisp on high-DPI
screens (never a bitmap scaled up). Each icon is drawn once, when first asked for.

(A Python ``QIconEngine`` would draw at any size, but Qt owns icon engines and destroys them
after the interpreter has gone at exit: the process then crashes. Plain pixmaps are safe.)

``currentColor`` in an icon becomes the palette's text colour when the icon is first made, so
monochrome icons follow the light and dark themes; coloured icons (channels, accept, hang up)
keep their colours. A missing or broken file gives an empty icon, never an exception: a broken
install must not take the window down.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from PySide6.QtCore import QByteArray, QRectF, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QGuiApplication,
    QIcon,
    QImage,
    QPainter,
    QPalette,
    QPixmap,
)
from PySide6.QtSvg import QSvgRenderer

from services.protocol.channels import CHANNELS

log = logging.getLogger(__name__)

STATES = ("online", "offline", "reconnecting")
ACTIONS = ("accept", "decline", "hold", "resume", "transfer", "hangup", "note", "search")
APP = "omnidesk"
NAMES = (*CHANNELS, *STATES, *ACTIONS, APP)

# Logical sizes the window uses, each drawn for every device-pixel ratio on the screens.
SIZES = (16, 18, 20, 24, 32)
SELECTED_SIZES = (16, 20)  # icons in item views: a variant with a light backing

_cache: dict[tuple[str, str], QIcon] = {}


def resources_dir() -> Path:
    """``resources/`` beside the packages in a checkout, inside the bundle when frozen."""
    if getattr(sys, "frozen", False):
        bundle = getattr(sys, "_MEIPASS", None)
        base = Path(bundle) if bundle else Path(sys.executable).resolve().parent
        return base / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def icons_dir() -> Path:
    return resources_dir() / "icons"


def _render(renderer: QSvgRenderer, size: int, scale: float, *, selected: bool = False) -> QPixmap:
    """One pixmap of ``size`` logical pixels drawn for ``scale``, from the vector source."""
    device = max(1, round(size * scale))
    image = QImage(QSize(device, device), QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    target = QRectF(0, 0, device, device)
    if selected:
        # On a selection highlight coloured icons would vanish: give them a light backing.
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(255, 255, 255, 235))
        painter.drawRoundedRect(target, device * 0.22, device * 0.22)
        target = target.adjusted(device * 0.1, device * 0.1, -device * 0.1, -device * 0.1)
    view = renderer.viewBoxF()
    if view.width() > 0 and view.height() > 0:  # keep the aspect ratio, centred
        k = min(target.width() / view.width(), target.height() / view.height())
        w, h = view.width() * k, view.height() * k
        target = QRectF(
            target.x() + (target.width() - w) / 2, target.y() + (target.height() - h) / 2, w, h
        )
    renderer.render(painter, target)
    painter.end()
    pixmap = QPixmap.fromImage(image)
    pixmap.setDevicePixelRatio(scale)
    return pixmap


def _scales() -> list[float]:
    """1x, 2x and whatever the connected screens use (1.25, 1.5, …)."""
    scales = {1.0, 2.0}
    app = QGuiApplication.instance()
    if isinstance(app, QGuiApplication):
        scales.update(round(s.devicePixelRatio(), 2) for s in app.screens())
    return sorted(scales)


def _text_colour() -> str:
    app = QGuiApplication.instance()
    if not isinstance(app, QGuiApplication):
        return "#202124"
    return app.palette().color(QPalette.ColorRole.WindowText).name()


def icon(name: str) -> QIcon:
    """The icon called ``name`` (see :data:`NAMES`); an empty QIcon if there is none."""
    colour = _text_colour()
    cached = _cache.get((name, colour))
    if cached is not None:
        return cached
    path = icons_dir() / f"{name}.svg"
    try:
        data = path.read_bytes()  # a few hundred bytes, read once per name and colour
    except OSError:
        log.warning("no icon %r in %s", name, icons_dir())
        result = QIcon()
    else:
        data = data.replace(b"currentColor", colour.encode("ascii"))
        renderer = QSvgRenderer(QByteArray(data))
        result = QIcon()
        if renderer.isValid():
            for scale in _scales():
                for size in SIZES:
                    result.addPixmap(_render(renderer, size, scale), QIcon.Mode.Normal)
                for size in SELECTED_SIZES:
                    result.addPixmap(
                        _render(renderer, size, scale, selected=True), QIcon.Mode.Selected
                    )
        else:
            log.warning("icon %r is not valid SVG", name)
    _cache[(name, colour)] = result
    return result


def pixmap(name: str, size: int, scale: float = 1.0) -> QPixmap:
    """A pixmap of the icon at ``size`` logical pixels for a screen of ``scale``."""
    return icon(name).pixmap(QSize(size, size), scale)


def badged(name: str, count: int) -> QIcon:
    """The icon with ``count`` in a red badge at its top right (the tray's unread count);
    the plain icon for 0. Above 99 the badge says "99+"."""
    base = icon(name)
    if count <= 0:
        return base
    text = "99+" if count > 99 else str(count)
    result = QIcon()
    for scale in (1.0, 2.0):
        for size in (16, 22, 24, 32, 48, 64):
            pm = base.pixmap(QSize(size, size), scale)
            painter = QPainter(pm)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            d = size * (0.62 if len(text) < 3 else 0.75)
            badge = QRectF(size - d, 0, d, d * 0.9 if len(text) == 3 else d)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor("#d32f2f"))
            painter.drawRoundedRect(badge, badge.height() / 2, badge.height() / 2)
            font = painter.font()
            font.setBold(True)
            font.setPixelSize(max(6, round(badge.height() * (0.72 if len(text) == 1 else 0.58))))
            painter.setFont(font)
            painter.setPen(QColor("#ffffff"))
            painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, text)
            painter.end()
            result.addPixmap(pm)
    return result
