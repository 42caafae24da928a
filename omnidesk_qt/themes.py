"""Colour themes: Qt style sheets in ``resources/themes/<name>.qss``.

``resources/`` is not inside a package, so it is found through
:func:`omnidesk_qt.paths.resources_dir` (the repository in a checkout, the bundle of a frozen
app) rather than ``importlib.resources``.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt

from omnidesk_qt import paths

log = logging.getLogger(__name__)

THEMES = ("light", "dark")
CHOICES = (*THEMES, "system")


def themes_dir() -> Path:
    return paths.resources_dir() / "themes"


def system_prefers_dark() -> bool:
    """Is the OS in dark mode? Asks the running QGuiApplication's style hints (Qt 6.5+); False
    without a GUI application."""
    app = QCoreApplication.instance()
    style_hints = getattr(app, "styleHints", None)  # QGuiApplication only: QtGui stays out
    if style_hints is None:
        return False
    return bool(style_hints().colorScheme() == Qt.ColorScheme.Dark)


def resolve_theme(name: str, *, system_dark: bool | None = None) -> str:
    """ "light" or "dark" for a ``ui.theme`` value; "system" follows the OS (or ``system_dark``)."""
    if name not in CHOICES:
        raise ValueError(f"unknown theme {name!r}: expected one of {', '.join(CHOICES)}")
    if name == "system":
        dark = system_prefers_dark() if system_dark is None else system_dark
        return "dark" if dark else "light"
    return name


def theme_stylesheet(name: str, *, system_dark: bool | None = None) -> str:
    """The style sheet for ``name`` ("light", "dark" or "system"), for
    ``QApplication.setStyleSheet``. A theme file missing from a broken install is logged and
    gives "" (Qt's native look) rather than no window at all."""
    theme = resolve_theme(name, system_dark=system_dark)
    path = themes_dir() / f"{theme}.qss"
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        log.error("cannot read the %s theme %s: %s", theme, path, exc)
        return ""


def theme_palette(name: str, *, system_dark: bool | None = None) -> dict[str, str]:
    """The theme's named colours ("window", "text", "surface", …), read from the palette comment
    that heads its style sheet: one table the style sheet and Qt's palette are both made of."""
    return palette_of(theme_stylesheet(name, system_dark=system_dark))


def palette_of(qss: str) -> dict[str, str]:
    block = re.search(r"palette:(.*?)Contrast", qss, re.S)
    if block is None:
        return {}
    return dict(re.findall(r"([a-z-]+) (#[0-9a-f]{6})", block.group(1)))
