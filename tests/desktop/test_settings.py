"""Settings: the schema, validation, persistence, IT's site-wide config, reply templates; and the
per-OS paths they live in."""

from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path
from typing import Any

import pytest

from omnidesk_qt import paths
from omnidesk_qt.settings import (
    SCHEMA,
    SETTINGS,
    SettingError,
    SettingLocked,
    Settings,
    format_template,
    validate,
)


@pytest.fixture(autouse=True)
def isolated_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No test may read or write the real home or /etc."""
    monkeypatch.setenv(paths.ENV_CONFIG_DIR, str(tmp_path / "config"))
    monkeypatch.setenv(paths.ENV_DATA_DIR, str(tmp_path / "data"))
    monkeypatch.delenv(paths.ENV_LOG_DIR, raising=False)
    monkeypatch.setenv(paths.ENV_SITE_CONFIG, str(tmp_path / "site" / "desktop.toml"))
    return tmp_path


def recorder(settings: Settings) -> list[tuple[str, Any]]:
    seen: list[tuple[str, Any]] = []
    settings.changed.connect(lambda name, value: seen.append((name, value)))
    return seen


def write_site(tmp_path: Path, text: str) -> Path:
    site = tmp_path / "site" / "desktop.toml"
    site.parent.mkdir(parents=True, exist_ok=True)
    site.write_text(text, encoding="utf-8")
    return site


# --- paths ---------------------------------------------------------------------------------------
def test_paths_follow_the_environment(tmp_path: Path) -> None:
    assert paths.config_dir() == tmp_path / "config"
    assert paths.data_dir() == tmp_path / "data"
    assert paths.settings_file() == tmp_path / "config" / "settings.json"
    assert paths.outbox_path() == tmp_path / "data" / "outbox.db"
    assert paths.log_dir() == tmp_path / "data" / "logs"
    assert paths.site_config_candidates() == [tmp_path / "site" / "desktop.toml"]
    assert paths.site_config_file() is None  # not there
    assert not (tmp_path / "config").exists()  # asking creates nothing


def test_default_paths_use_platformdirs(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in (paths.ENV_CONFIG_DIR, paths.ENV_DATA_DIR, paths.ENV_LOG_DIR):
        monkeypatch.delenv(var, raising=False)
    assert paths.config_dir().name == "omnidesk"
    assert paths.data_dir().name == "omnidesk"
    assert "omnidesk" in paths.log_dir().parts


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="Linux/BSD locations")
def test_site_config_locations_on_linux(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(paths.ENV_SITE_CONFIG)
    a, b = tmp_path / "xdg-a", tmp_path / "xdg-b"
    monkeypatch.setenv("XDG_CONFIG_DIRS", f"{a}{os.pathsep}{b}")
    candidates = paths.site_config_candidates()
    assert candidates == [
        Path("/etc/omnidesk/desktop.toml"),
        a / "omnidesk" / "desktop.toml",
        b / "omnidesk" / "desktop.toml",
    ]
    if not candidates[0].exists():
        deployed = b / "omnidesk" / "desktop.toml"
        deployed.parent.mkdir(parents=True)
        deployed.write_text("[defaults]\n", encoding="utf-8")
        assert paths.site_config_file() == deployed

    monkeypatch.delenv("XDG_CONFIG_DIRS")
    assert paths.site_config_candidates()[1] == Path("/etc/xdg/omnidesk/desktop.toml")


def test_site_config_location_on_windows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(paths.ENV_SITE_CONFIG)
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setenv("PROGRAMDATA", str(tmp_path / "ProgramData"))
    assert paths.site_config_candidates() == [
        tmp_path / "ProgramData" / "OmniDesk" / "desktop.toml"
    ]


def test_resources_dir_in_a_checkout_and_frozen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert (paths.resources_dir() / "themes" / "light.qss").is_file()
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path / "bundle"), raising=False)
    assert paths.resources_dir() == tmp_path / "bundle" / "resources"


# --- the schema ----------------------------------------------------------------------------------
def test_schema_covers_the_desktop() -> None:
    expected = {
        "gateway.url": "ws://127.0.0.1:8765",
        "gateway.username": "",
        "ui.language": "system",
        "speech.enabled": True,
        "speech.voice": "",
        "speech.rate": 170,
        "speech.language": "ru",
        "notifications.sound": True,
        "notifications.desktop": True,
        "feed.page_size": 50,
    }
    for name, default in expected.items():
        assert SETTINGS[name].default == default, name
    assert SETTINGS["ui.theme"].choices == ("light", "dark", "system")
    assert SETTINGS["ui.language"].choices == ("system", "ru", "en")
    for s in SCHEMA:
        assert s.description.strip(), s.name
        assert validate(s.name, s.default) == s.default  # every default passes its own checks


def test_default_templates() -> None:
    templates = SETTINGS["composer.templates"].default
    assert [t["hotkey"] for t in templates] == ["Alt+1", "Alt+2", "Alt+3", "Alt+4"]
    text = " ".join(t["text"] for t in templates)
    assert "{name}" in text and "{order}" in text
    assert all(any("а" <= ch <= "я" for ch in t["text"].lower()) for t in templates)  # Russian


# --- values, validation, signals ---------------------------------------------------------------
def test_defaults_set_and_persist(tmp_path: Path) -> None:
    s = Settings()
    assert s.path == tmp_path / "config" / "settings.json"
    assert s.value("speech.rate") == 170
    assert not s.path.exists()  # nothing written until something changes

    s.set("speech.rate", 200)
    s.set("ui.theme", "dark")
    s.set("gateway.username", "agent")
    saved = json.loads(s.path.read_text(encoding="utf-8"))
    assert saved == {
        "version": 1,
        "values": {"gateway.username": "agent", "speech.rate": 200, "ui.theme": "dark"},
    }
    assert sorted(p.name for p in s.path.parent.iterdir()) == ["settings.json"]  # no temp left

    again = Settings()
    assert again.value("speech.rate") == 200
    assert again.value("ui.theme") == "dark"
    assert again.is_changed("ui.theme") and not again.is_changed("ui.language")


@pytest.mark.parametrize(
    ("name", "value", "words"),
    [
        ("speech.rate", "fast", "expected int"),
        ("speech.rate", True, "expected int"),
        ("speech.enabled", 1, "expected bool"),
        ("speech.rate", 5, "below the minimum 80"),
        ("feed.page_size", 100000, "above the maximum"),
        ("ui.theme", "pink", "not one of light, dark, system"),
        ("ui.language", "de", "not one of"),
        ("gateway.url", "http://example.com", "ws:// or wss://"),
        ("gateway.url", "ws://", "ws:// or wss://"),
        ("composer.templates", [{"name": "x"}], "must not be empty"),
        ("composer.templates", [{"name": "a", "text": "b", "hotky": "Alt+1"}], "unknown keys"),
        ("composer.templates", ["hello"], "must be a table"),
        (
            "composer.templates",
            [
                {"name": "a", "text": "1", "hotkey": "Alt+1"},
                {"name": "b", "text": "2", "hotkey": "Alt+1"},
            ],
            r"hotkey Alt\+1 is used twice",
        ),
        ("no.such.setting", 1, "unknown setting"),
    ],
)
def test_invalid_values_are_refused_clearly(name: str, value: Any, words: str) -> None:
    s = Settings()
    with pytest.raises(SettingError, match=words) as info:
        s.set(name, value)
    assert name in str(info.value)
    assert not s.path.exists()


def test_changed_only_on_real_change() -> None:
    s = Settings()
    seen = recorder(s)
    s.set("speech.rate", 170)  # the default already
    s.set("speech.enabled", True)
    assert seen == []
    s.set("speech.rate", 220)
    s.set("speech.rate", 220)
    assert seen == [("speech.rate", 220)]
    s.reset("speech.rate")
    s.reset("speech.rate")
    assert seen == [("speech.rate", 220), ("speech.rate", 170)]
    assert json.loads(s.path.read_text(encoding="utf-8"))["values"] == {}


def test_values_are_copies() -> None:
    s = Settings()
    templates = s.value("composer.templates")
    templates[0]["text"] = "changed outside"
    templates.append({"name": "x", "text": "y", "hotkey": ""})
    assert s.value("composer.templates") == SETTINGS["composer.templates"].default

    mine = [{"name": "Привет", "text": "Добрый день, {name}!"}]
    s.set("composer.templates", mine)
    mine[0]["text"] = "mutated"
    assert s.value("composer.templates") == [
        {"name": "Привет", "text": "Добрый день, {name}!", "hotkey": ""}
    ]


# --- robustness of the file ----------------------------------------------------------------------
def test_corrupt_file_is_moved_aside(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "config" / "settings.json"
    path.parent.mkdir(parents=True)
    path.write_bytes(b'{"version": 1, "values": {"speech.rate": 2')  # cut off mid-write
    with caplog.at_level(logging.WARNING, logger="omnidesk_qt.settings"):
        s = Settings()
    assert s.value("speech.rate") == 170
    assert not path.exists()
    assert (path.parent / "settings.json.bad").read_bytes().endswith(b'rate": 2')
    assert any("corrupt" in r.getMessage() for r in caplog.records)
    s.set("speech.rate", 190)
    assert Settings().value("speech.rate") == 190


@pytest.mark.parametrize("content", [b"\xff\xfe not utf-8", b"[1, 2, 3]", b'{"values": []}'])
def test_other_corruption(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "config" / "settings.json"
    path.parent.mkdir(parents=True)
    path.write_bytes(content)
    assert Settings().value("ui.theme") == "system"
    assert (path.parent / "settings.json.bad").read_bytes() == content


def test_bad_values_dropped_unknown_kept(tmp_path: Path) -> None:
    path = tmp_path / "config" / "settings.json"
    path.parent.mkdir(parents=True)
    values = {"speech.rate": "loud", "ui.theme": "dark", "future.setting": {"a": 1}}
    path.write_text(json.dumps({"version": 1, "values": values}), encoding="utf-8")
    s = Settings()
    assert s.value("speech.rate") == 170
    assert s.value("ui.theme") == "dark"
    s.set("feed.page_size", 100)
    saved = json.loads(path.read_text(encoding="utf-8"))["values"]
    assert saved == {"ui.theme": "dark", "feed.page_size": 100, "future.setting": {"a": 1}}


def test_write_is_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    s = Settings()
    s.set("speech.rate", 200)
    before = s.path.read_bytes()
    failures: list[str] = []
    s.saveFailed.connect(failures.append)

    def no_replace(src: Any, dst: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", no_replace)
    s.set("speech.rate", 250)
    assert s.path.read_bytes() == before  # the old file, whole
    assert failures and "No space left" in failures[0]
    assert sorted(p.name for p in s.path.parent.iterdir()) == ["settings.json"]
    assert s.value("speech.rate") == 250  # holds for this run


# --- IT's site-wide config -----------------------------------------------------------------------
def test_locked_and_site_defaults(tmp_path: Path) -> None:
    write_site(
        tmp_path,
        """
[locked]
gateway.url = "wss://desk.example.com/ws"
"speech.enabled" = false

[defaults]
ui.theme = "dark"
feed.page_size = 100
""",
    )
    user = tmp_path / "config" / "settings.json"
    user.parent.mkdir(parents=True)
    user.write_text(
        json.dumps({"version": 1, "values": {"gateway.url": "ws://10.0.0.1:1"}}), encoding="utf-8"
    )
    s = Settings()
    assert s.value("gateway.url") == "wss://desk.example.com/ws"  # the lock wins over the user
    assert s.is_locked("gateway.url") and s.is_locked("speech.enabled")
    assert not s.is_locked("ui.theme")
    assert s.value("speech.enabled") is False
    with pytest.raises(SettingLocked, match=r"gateway\.url is set by your organisation"):
        s.set("gateway.url", "ws://127.0.0.1:9")
    with pytest.raises(SettingLocked):
        s.reset("speech.enabled")

    assert s.value("ui.theme") == "dark"  # a site default
    assert s.default("feed.page_size") == 100
    seen = recorder(s)
    s.set("ui.theme", "light")
    s.set("ui.theme", "dark")  # back to the site default: no longer stored
    assert seen == [("ui.theme", "light"), ("ui.theme", "dark")]
    stored = json.loads(user.read_text(encoding="utf-8"))["values"]
    assert "ui.theme" not in stored


def test_bad_site_config_is_ignored(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    write_site(
        tmp_path,
        """
[locked]
gateway.url = "http://not-a-websocket"
speech.rate = 9999
ui.colour = "red"

[defaults]
ui.theme = "light"
""",
    )
    with caplog.at_level(logging.WARNING, logger="omnidesk_qt.settings"):
        s = Settings()
    assert not s.is_locked("gateway.url") and not s.is_locked("speech.rate")
    assert s.value("ui.theme") == "light"
    messages = " ".join(r.getMessage() for r in caplog.records)
    assert "ws:// or wss://" in messages and "unknown setting ui.colour" in messages

    site = write_site(tmp_path, "[locked\ngateway.url = ")
    with caplog.at_level(logging.WARNING, logger="omnidesk_qt.settings"):
        s = Settings()
    assert s.value("gateway.url") == "ws://127.0.0.1:8765"
    assert site.exists()  # IT's file is never moved


# --- templates -----------------------------------------------------------------------------------
def test_format_template() -> None:
    assert format_template("Здравствуйте, {name}! Заказ {order}.", name="Пётр", order="ORD-7") == (
        "Здравствуйте, Пётр! Заказ ORD-7."
    )
    assert format_template("{name}, {unknown} {order}", name="Анна") == "Анна, {unknown} {order}"
    assert format_template("{text}", text="a variable called text") == "a variable called text"


@pytest.mark.parametrize(
    "text",
    [
        "{name.__class__.__mro__}",
        "{name.__init__.__globals__}",
        "{0}",
        "{}",
        "{name[0]}",
        "{name!r}",
        "{name:>30}",
        "{{name}}x",
    ],
)
def test_format_template_is_not_str_format(text: str) -> None:
    out = format_template(text, name="Пётр")
    assert "class" not in out.replace("__class__", "") and "function" not in out
    assert "Пётр" not in out or text == "{{name}}x"
    if text != "{{name}}x":
        assert out == text


def test_values_are_not_expanded_again() -> None:
    assert format_template("{name}: {order}", name="{order}", order="ORD-1") == "{order}: ORD-1"
