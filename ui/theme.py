"""Applying a theme to the application: its style sheet and, made of the same palette, Qt's own
colours, so that a widget the style sheet does not name (a tree view's header, the menu bar, a
tool button, a dialog Qt builds) is never left in the platform's light default.

Fusion is the style: it paints with the palette on every platform (the Windows style would keep
its own light surfaces), so the look is the same on Windows and Linux desks.
"""

from __future__ import annotations

from PySide6.QtCore import QDir
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from omnidesk_qt import paths
from omnidesk_qt.themes import palette_of, theme_stylesheet

Role = QPalette.ColorRole
Group = QPalette.ColorGroup

# Qt's palette roles, by the theme's colour names.
_ROLES: dict[QPalette.ColorRole, str] = {
    Role.Window: "window",
    Role.WindowText: "text",
    Role.Base: "surface",
    Role.AlternateBase: "alt",
    Role.Text: "text",
    Role.PlaceholderText: "muted",
    Role.Button: "surface",
    Role.ButtonText: "text",
    Role.BrightText: "on-accent",
    Role.Highlight: "selection",
    Role.HighlightedText: "text",
    Role.ToolTipBase: "text",
    Role.ToolTipText: "window",
    Role.Link: "focus",
    Role.LinkVisited: "focus",
    Role.Light: "hover",
    Role.Midlight: "hover",
    Role.Mid: "border",
    Role.Dark: "border",
    Role.Shadow: "window",
    Role.Accent: "accent",
}
_DISABLED = (Role.WindowText, Role.Text, Role.ButtonText)

# The colours of the theme in use, for what a style sheet cannot reach (an item model's
# foreground, a painted dot). The light theme's until a theme is applied.
_current: dict[str, str] = {}


def colour(name: str) -> QColor:
    """The current theme's colour ``name`` ("success", "warning", "danger", …)."""
    if not _current:
        _current.update(palette_of(theme_stylesheet("light")))
    return QColor(_current.get(name, "#808080"))


def palette_for(colours: dict[str, str]) -> QPalette:
    palette = QPalette()
    for role, name in _ROLES.items():
        if name in colours:
            palette.setColor(role, QColor(colours[name]))
    if "disabled" in colours:
        for role in _DISABLED:
            palette.setColor(Group.Disabled, role, QColor(colours["disabled"]))
    return palette


def apply_theme(app: QApplication, name: str) -> None:
    """Style sheet and palette of ``name`` ("light", "dark", "system") on the whole app."""
    # The style sheets name their images url(icons:…): found from any working directory, and
    # in a frozen app's bundle.
    QDir.setSearchPaths("icons", [str(paths.resources_dir() / "icons")])
    qss = theme_stylesheet(name)
    colours = palette_of(qss)
    _current.clear()
    _current.update(colours)
    if app.style().name().lower() != "fusion":
        app.setStyle("Fusion")
    if colours:
        app.setPalette(palette_for(colours))
    app.setStyleSheet(qss)


def luminance(colour: QColor) -> float:
    """WCAG relative luminance."""
    channels = [colour.redF(), colour.greenF(), colour.blueF()]
    lin = [x / 12.92 if x <= 0.03928 else ((x + 0.055) / 1.055) ** 2.4 for x in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast_ratio(a: QColor, b: QColor) -> float:
    """WCAG contrast ratio of two colours, 1 to 21."""
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)
