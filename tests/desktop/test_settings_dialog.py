"""The settings dialog over the real settings schema and files, driven like a user would."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QDialog, QLineEdit, QSpinBox
from pytestqt.qtbot import QtBot

from omnidesk_qt import paths
from omnidesk_qt.settings import SCHEMA, Settings
from omnidesk_qt.speech import Announcer
from tests.desktop.test_speech import needs_espeak
from ui.settings_dialog import PAGES, SettingsDialog, TemplatesEditor

pytestmark = pytest.mark.usefixtures("isolated_dirs")


def open_dialog(qtbot: QtBot, settings: Settings) -> SettingsDialog:
    dialog = SettingsDialog(settings)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def editor(dialog: SettingsDialog, name: str) -> object:
    found = dialog.findChild(object, f"setting:{name}")
    assert found is not None, name
    return found


def choose(dialog: SettingsDialog, name: str, value: str) -> None:
    combo = editor(dialog, name)
    assert isinstance(combo, QComboBox)
    combo.setCurrentIndex(combo.findData(value))


def test_every_user_setting_has_a_named_editor_showing_its_value(qtbot: QtBot) -> None:
    settings = Settings()
    dialog = open_dialog(qtbot, settings)
    shown = {name for _page, names in PAGES for name in names}
    kept_by_the_app = {"gateway.username", "ui.splitter_sizes"}
    assert shown | kept_by_the_app == {s.name for s in SCHEMA}
    for name in shown:
        ed = dialog.editors[name]
        assert ed.accessibleName(), name
        assert dialog.editor_value(name) == settings.value(name), name
    assert dialog.changes() == {}


def test_changes_are_stored_on_ok_and_announced(qtbot: QtBot) -> None:
    settings = Settings()
    seen: list[tuple[str, object]] = []
    settings.changed.connect(lambda name, value: seen.append((name, value)))
    dialog = open_dialog(qtbot, settings)

    choose(dialog, "ui.theme", "dark")
    rate = editor(dialog, "speech.rate")
    assert isinstance(rate, QSpinBox)
    rate.setFocus()
    rate.selectAll()
    qtbot.keyClicks(rate, "200")
    speech = editor(dialog, "speech.enabled")
    assert isinstance(speech, QCheckBox)
    qtbot.mouseClick(speech, Qt.MouseButton.LeftButton)

    templates = editor(dialog, "composer.templates")
    assert isinstance(templates, TemplatesEditor)
    before = len(settings.value("composer.templates"))
    qtbot.mouseClick(templates.add_button, Qt.MouseButton.LeftButton)
    row = templates.table.rowCount() - 1
    for col, text in enumerate(("Доставка", "{name}, заказ {order} в пути.", "Alt+9")):
        item = templates.table.item(row, col)
        assert item is not None
        item.setText(text)

    with qtbot.waitSignal(dialog.finished, timeout=2000) as finished:
        qtbot.mouseClick(
            dialog.buttons.button(dialog.buttons.StandardButton.Ok), Qt.MouseButton.LeftButton
        )
    assert finished.args == [QDialog.DialogCode.Accepted]
    assert settings.value("ui.theme") == "dark"
    assert settings.value("speech.rate") == 200
    assert settings.value("speech.enabled") is False
    added = settings.value("composer.templates")
    assert len(added) == before + 1
    assert added[-1] == {
        "name": "Доставка",
        "text": "{name}, заказ {order} в пути.",
        "hotkey": "Alt+9",
    }
    assert {name for name, _v in seen} == {
        "ui.theme",
        "speech.rate",
        "speech.enabled",
        "composer.templates",
    }
    # On disk: the next start sees the same.
    again = Settings()
    assert again.value("ui.theme") == "dark" and again.value("speech.rate") == 200


def test_a_bad_value_keeps_the_dialog_open_and_nothing_is_half_applied(qtbot: QtBot) -> None:
    settings = Settings()
    dialog = open_dialog(qtbot, settings)
    choose(dialog, "ui.theme", "light")
    url = editor(dialog, "gateway.url")
    assert isinstance(url, QLineEdit)
    url.setText("http://desk.example.com")

    dialog.accept()
    assert dialog.isVisible()
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert dialog.error.isVisible()
    assert "Gateway address" in dialog.error.text() and "ws://" in dialog.error.text()
    assert settings.value("ui.theme") == "system"  # the good change waited too
    assert settings.value("gateway.url") == "ws://127.0.0.1:8765"
    assert dialog.tabs.currentIndex() == 0  # the page of the bad value
    assert dialog.focusWidget() is url

    url.setText("wss://desk.example.com:8765")
    dialog.accept()
    assert not dialog.isVisible()
    assert settings.value("gateway.url") == "wss://desk.example.com:8765"
    assert settings.value("ui.theme") == "light"


def test_a_template_hotkey_used_twice_is_refused(qtbot: QtBot) -> None:
    settings = Settings()
    dialog = open_dialog(qtbot, settings)
    templates = editor(dialog, "composer.templates")
    assert isinstance(templates, TemplatesEditor)
    templates.add_row({"name": "Ещё", "text": "Текст", "hotkey": "Alt+1"})
    dialog.accept()
    assert dialog.isVisible()
    assert "Alt+1" in dialog.error.text()
    assert dialog.tabs.currentWidget().isAncestorOf(templates)
    # Removing it again makes the rest acceptable.
    templates.table.selectRow(templates.table.rowCount() - 1)
    templates.remove_selected()
    dialog.accept()
    assert not dialog.isVisible()
    assert not settings.is_changed("composer.templates")


def test_restore_defaults_then_cancel_changes_nothing(qtbot: QtBot) -> None:
    settings = Settings()
    settings.set("ui.theme", "dark")
    settings.set("feed.page_size", 100)
    dialog = open_dialog(qtbot, settings)
    qtbot.mouseClick(
        dialog.buttons.button(dialog.buttons.StandardButton.RestoreDefaults),
        Qt.MouseButton.LeftButton,
    )
    assert dialog.editor_value("ui.theme") == "system"
    assert dialog.editor_value("feed.page_size") == 50
    assert set(dialog.changes()) == {"ui.theme", "feed.page_size"}
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    assert settings.value("ui.theme") == "dark" and settings.value("feed.page_size") == 100


def test_what_it_locked_is_greyed_out_and_kept(qtbot: QtBot, tmp_path: Path) -> None:
    (tmp_path / "site.toml").write_text(
        '[locked]\n"gateway.url" = "wss://desk.corp.example:443"\n', encoding="utf-8"
    )
    settings = Settings()
    dialog = open_dialog(qtbot, settings)
    url = editor(dialog, "gateway.url")
    assert isinstance(url, QLineEdit)
    assert not url.isEnabled()
    assert url.text() == "wss://desk.corp.example:443"
    assert "organisation" in url.toolTip()
    qtbot.mouseClick(
        dialog.buttons.button(dialog.buttons.StandardButton.RestoreDefaults),
        Qt.MouseButton.LeftButton,
    )
    assert url.text() == "wss://desk.corp.example:443"
    dialog.accept()
    assert not dialog.isVisible()
    assert settings.value("gateway.url") == "wss://desk.corp.example:443"


def test_settings_file_path_is_isolated(tmp_path: Path) -> None:
    # Guard for the tests above: they must never write the user's real settings.
    assert str(paths.settings_file()).startswith(str(tmp_path))


@needs_espeak
def test_the_voice_is_chosen_from_the_installed_ones_of_the_language(qtbot: QtBot) -> None:
    settings = Settings()
    announcer = Announcer(settings)
    try:
        dialog = SettingsDialog(settings, voices=announcer.list_voices)
        qtbot.addWidget(dialog)
        combo = dialog.editors["speech.voice"]
        assert isinstance(combo, QComboBox)
        qtbot.waitUntil(lambda: combo.count() > 1, timeout=60000)  # listed on the speech thread
        listed = {v.id: v for v in dialog.voices}
        russian = [combo.itemData(i) for i in range(1, combo.count())]
        assert russian and all(listed[i].speaks("ru") for i in russian)
        choose(dialog, "speech.language", "en")  # the list follows the language
        english = [combo.itemData(i) for i in range(1, combo.count())]
        assert english and all(listed[i].speaks("en") for i in english)
        combo.setCurrentIndex(1)
        dialog.accept()
        assert settings.value("speech.language") == "en"
        assert settings.value("speech.voice") == english[0]
        # Opened again: the chosen voice shows at once, before the list arrives.
        again = SettingsDialog(settings, voices=announcer.list_voices)
        qtbot.addWidget(again)
        assert again.editor_value("speech.voice") == english[0]
    finally:
        announcer.close()
