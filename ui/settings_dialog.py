"""The settings dialog: one editor per setting of the schema, grouped on tabs.

Editors are chosen by the setting's type (choices -> combo box, bool -> check box, int with a
range -> spin box, text -> line edit, reply templates -> a table). What IT locked in the
site-wide config is shown greyed out with the reason. Nothing is stored until OK, and then only
if every value passes the schema's checks: a bad value keeps the dialog open and says which and
why, and nothing is half-applied.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from omnidesk_qt.settings import TEMPLATE_KEYS, SettingError, Settings, get_setting, validate
from omnidesk_qt.speech import VoiceInfo

VoicesSource = Callable[[], "Future[list[VoiceInfo]]"]

# Which settings the dialog shows, on which tab. The others (the remembered user name, the
# window layout) are kept by the application itself.
PAGES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("general", ("gateway.url", "ui.language", "ui.theme", "feed.page_size")),
    (
        "notifications",
        (
            "notifications.desktop",
            "notifications.sound",
            "speech.enabled",
            "speech.language",
            "speech.rate",
            "speech.voice",
        ),
    ),
    ("templates", ("composer.templates",)),
)


class TemplatesEditor(QWidget):
    """Reply templates as a table (name, text, hotkey) with add and remove buttons."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.table = QTableWidget(0, len(TEMPLATE_KEYS), self)
        self.table.setObjectName("TemplatesTable")
        self.table.setHorizontalHeaderLabels([self.tr("Name"), self.tr("Text"), self.tr("Hotkey")])
        self.table.setAccessibleName(self.tr("Reply templates"))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setVisible(False)
        self.add_button = QPushButton(self.tr("&Add template"), self)
        self.add_button.setAccessibleName(self.tr("Add a template"))
        self.remove_button = QPushButton(self.tr("&Remove template"), self)
        self.remove_button.setAccessibleName(self.tr("Remove the selected template"))
        hint = QLabel(
            self.tr("In the text, {name} is the customer's name and {order} their last order."),
            self,
        )
        hint.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        layout.addLayout(buttons)
        layout.addWidget(hint)
        self.add_button.clicked.connect(self.add_row)
        self.remove_button.clicked.connect(self.remove_selected)

    def value(self) -> list[dict[str, str]]:
        rows = []
        for r in range(self.table.rowCount()):
            row = {}
            for c, key in enumerate(TEMPLATE_KEYS):
                item = self.table.item(r, c)
                row[key] = item.text().strip() if item is not None else ""
            if any(row.values()):  # a row left empty is not a template
                rows.append(row)
        return rows

    def set_value(self, templates: list[dict[str, str]]) -> None:
        self.table.setRowCount(0)
        for t in templates:
            self.add_row(t)

    def add_row(self, template: dict[str, str] | None = None) -> None:
        r = self.table.rowCount()
        self.table.insertRow(r)
        for c, key in enumerate(TEMPLATE_KEYS):
            self.table.setItem(r, c, QTableWidgetItem((template or {}).get(key, "")))
        first = self.table.item(r, 0)
        if template is None and first is not None:  # a new one: start typing its name
            self.table.setCurrentCell(r, 0)
            self.table.editItem(first)

    def remove_selected(self) -> None:
        for r in sorted({i.row() for i in self.table.selectedIndexes()}, reverse=True):
            self.table.removeRow(r)


class _Relay(QObject):
    """Carries the voice list from the speech thread to the UI thread."""

    arrived = Signal(list)


class SettingsDialog(QDialog):
    def __init__(
        self,
        settings: Settings,
        parent: QWidget | None = None,
        *,
        voices: VoicesSource | None = None,
    ) -> None:
        """``voices``: where the installed voices come from (the announcer's speech thread);
        without it the voice is typed as an id."""
        super().__init__(parent)
        self.settings = settings
        self._voices_source = voices
        self.voices: list[VoiceInfo] = []
        self._auto_voice = self.tr("Chosen by the announcement language")
        self.setObjectName("SettingsDialog")
        self.setWindowTitle(self.tr("Settings"))
        self.setAccessibleName(self.tr("Settings"))
        self.editors: dict[str, QWidget] = {}
        self.tabs = QTabWidget(self)
        self.tabs.setAccessibleName(self.tr("Settings pages"))
        titles = {
            "general": self.tr("&General"),
            "notifications": self.tr("&Notifications and speech"),
            "templates": self.tr("&Reply templates"),
        }
        for page, names in PAGES:
            widget = QWidget(self.tabs)
            if page == "templates":
                box: QVBoxLayout | QFormLayout = QVBoxLayout(widget)
            else:
                box = QFormLayout(widget)
            for name in names:
                editor = self._editor(name, widget)
                self.editors[name] = editor
                if isinstance(box, QFormLayout):
                    box.addRow(self._label(name), editor)
                else:
                    box.addWidget(editor)
                if name == "ui.language" and isinstance(box, QFormLayout):
                    later = QLabel(self.tr("The language changes when OmniDesk starts again."))
                    later.setWordWrap(True)
                    box.addRow("", later)
            self.tabs.addTab(widget, titles[page])
        self.error = QLabel(self)
        self.error.setObjectName("SettingsError")
        self.error.setWordWrap(True)
        self.error.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok
            | QDialogButtonBox.StandardButton.Cancel
            | QDialogButtonBox.StandardButton.RestoreDefaults,
            self,
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("OK"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Cancel"))
        restore = self.buttons.button(QDialogButtonBox.StandardButton.RestoreDefaults)
        restore.setText(self.tr("Restore &defaults"))
        restore.setAccessibleName(self.tr("Restore the default settings"))
        restore.clicked.connect(self.restore_defaults)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.load()
        self.resize(640, 460)
        if voices is not None:
            self._relay = _Relay(self)
            self._relay.arrived.connect(self._voices_arrived)
            language = self.editors["speech.language"]
            assert isinstance(language, QComboBox)
            language.currentIndexChanged.connect(lambda _i: self._fill_voices())
            voices().add_done_callback(self._voices_done)  # runs on the speech thread

    # -- building -------------------------------------------------------------------------------
    def _label(self, name: str) -> str:
        labels = {
            "gateway.url": self.tr("&Gateway address:"),
            "ui.language": self.tr("&Language:"),
            "ui.theme": self.tr("&Theme:"),
            "feed.page_size": self.tr("&Feed items per page:"),
            "notifications.desktop": self.tr("Desktop notifications:"),
            "notifications.sound": self.tr("Sound:"),
            "speech.enabled": self.tr("Spoken announcements:"),
            "speech.language": self.tr("Announcement &language:"),
            "speech.rate": self.tr("Speaking &rate:"),
            "speech.voice": self.tr("&Voice:"),
            "composer.templates": self.tr("Reply &templates:"),
        }
        return labels.get(name, name)

    def _choice_label(self, value: str) -> str:
        labels = {
            "system": self.tr("As in the system"),
            "ru": "Русский",
            "en": "English",
            "light": self.tr("Light"),
            "dark": self.tr("Dark"),
        }
        return labels.get(value, value)

    def _check_text(self, name: str) -> str:
        texts = {
            "notifications.desktop": self.tr("Show a notification for each new conversation"),
            "notifications.sound": self.tr("Play a sound for each new conversation"),
            "speech.enabled": self.tr("Announce new conversations aloud"),
        }
        return texts.get(name, name)

    def _editor(self, name: str, parent: QWidget) -> QWidget:
        s = get_setting(name)
        editor: QWidget
        if name == "composer.templates":
            editor = TemplatesEditor(parent)
        elif s.choices:
            combo = QComboBox(parent)
            for choice in s.choices:
                combo.addItem(self._choice_label(choice), choice)
            editor = combo
        elif s.type is bool:
            editor = QCheckBox(self._check_text(name), parent)
        elif s.type is int:
            spin = QSpinBox(parent)
            spin.setRange(s.minimum if s.minimum is not None else -(2**31), s.maximum or 2**31 - 1)
            if name == "speech.rate":
                spin.setSuffix(self.tr(" words/min"))
            editor = spin
        elif name == "speech.voice" and self._voices_source is not None:
            voice = QComboBox(parent)
            voice.addItem(self._auto_voice, "")
            editor = voice  # filled when the speech thread has listed the voices
        else:
            line = QLineEdit(parent)
            if name == "speech.voice":
                line.setPlaceholderText(self._auto_voice)
            editor = line
        editor.setObjectName(f"setting:{name}")
        editor.setAccessibleName(self._label(name).replace("&", "").rstrip(":") or name)
        if isinstance(editor, QComboBox):  # its pop-up list too
            editor.view().setAccessibleName(editor.accessibleName())
        editor.setAccessibleDescription(s.description)
        if self.settings.is_locked(name):
            editor.setEnabled(False)
            editor.setToolTip(self.tr("Set by your organisation"))
        else:
            editor.setToolTip(QCoreApplication.translate("Settings", s.description))
        return editor

    # -- voices ---------------------------------------------------------------------------------
    def _voices_done(self, fut: Future[list[VoiceInfo]]) -> None:
        if fut.cancelled() or fut.exception() is not None:
            return
        with contextlib.suppress(RuntimeError):  # the dialog was closed meanwhile
            self._relay.arrived.emit(fut.result())

    def _voices_arrived(self, voices: list[VoiceInfo]) -> None:
        self.voices = voices
        self._fill_voices()

    def _fill_voices(self) -> None:
        """The voices that speak the chosen announcement language, and the one set now."""
        combo = self.editors["speech.voice"]
        if not isinstance(combo, QComboBox):
            return
        chosen = combo.currentData()
        language = str(self.editor_value("speech.language"))
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(self._auto_voice, "")
        for v in sorted(self.voices, key=lambda v: v.name.lower()):
            if v.speaks(language) or v.id == chosen:
                combo.addItem(f"{v.name} ({', '.join(v.languages)})", v.id)
        combo.blockSignals(False)
        self.set_editor_value("speech.voice", chosen)

    # -- values ---------------------------------------------------------------------------------
    def load(self) -> None:
        for name in self.editors:
            self.set_editor_value(name, self.settings.value(name))

    def restore_defaults(self) -> None:
        """Puts the defaults in the editors; OK stores them."""
        for name in self.editors:
            if not self.settings.is_locked(name):
                self.set_editor_value(name, self.settings.default(name))

    def set_editor_value(self, name: str, value: Any) -> None:
        editor = self.editors[name]
        if isinstance(editor, TemplatesEditor):
            editor.set_value(list(value))
        elif isinstance(editor, QComboBox):
            if value and editor.findData(value) < 0:  # a voice not listed (yet)
                editor.addItem(str(value), value)
            editor.setCurrentIndex(max(0, editor.findData(value)))
        elif isinstance(editor, QCheckBox):
            editor.setChecked(bool(value))
        elif isinstance(editor, QSpinBox):
            editor.setValue(int(value))
        elif isinstance(editor, QLineEdit):
            editor.setText(str(value))

    def editor_value(self, name: str) -> Any:
        editor = self.editors[name]
        if isinstance(editor, TemplatesEditor):
            return editor.value()
        if isinstance(editor, QComboBox):
            return editor.currentData()
        if isinstance(editor, QCheckBox):
            return editor.isChecked()
        if isinstance(editor, QSpinBox):
            return editor.value()
        assert isinstance(editor, QLineEdit)
        return editor.text().strip()

    def changes(self) -> dict[str, Any]:
        """What the editors hold that differs from the settings in force (locked ones aside)."""
        out = {}
        for name in self.editors:
            if self.settings.is_locked(name):
                continue
            value = self.editor_value(name)
            if value != self.settings.value(name):
                out[name] = value
        return out

    def accept(self) -> None:
        changes = self.changes()
        for name, value in changes.items():  # all checked before any is stored
            try:
                validate(name, value)
            except SettingError as exc:
                self._refuse(name, str(exc))
                return
        for name, value in changes.items():
            self.settings.set(name, value)
        super().accept()

    def _refuse(self, name: str, why: str) -> None:
        editor = self.editors[name]
        for i in range(self.tabs.count()):
            page = self.tabs.widget(i)
            if page is not None and page.isAncestorOf(editor):
                self.tabs.setCurrentIndex(i)
        label = self._label(name).replace("&", "").rstrip(":")
        reason = why.split(": ", 1)[-1]  # the schema's words, without the setting's name
        self.error.setText(self.tr("%1: %2").replace("%1", label).replace("%2", reason))
        self.error.show()
        editor.setFocus(Qt.FocusReason.OtherFocusReason)
