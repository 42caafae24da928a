"""Desktop settings: one declarative schema (like qutebrowser's configdata), one store.

Where a value comes from, strongest first:

1. ``[locked]`` in the site-wide ``desktop.toml`` that IT deploys (see :mod:`omnidesk_qt.paths`):
   the user cannot change it, :meth:`Settings.set` raises :class:`SettingLocked` and the UI greys
   the control out (:meth:`Settings.is_locked`);
2. the user's ``settings.json`` in the config dir (only values that differ from the default);
3. ``[defaults]`` in the site-wide file;
4. the default in :data:`SCHEMA`.

The site file accepts dotted keys quoted or bare::

    [locked]
    gateway.url = "wss://desk.example.com/ws"

    [defaults]
    "ui.theme" = "dark"

``settings.json`` is written atomically (temporary file in the same folder, then ``os.replace``);
a corrupt one is moved aside as ``settings.json.bad`` and the defaults are used, with a log
warning. Settings are small and written only when the user changes something, so the write is
done in place, on the calling thread.
"""

from __future__ import annotations

import contextlib
import copy
import json
import logging
import os
import re
import tempfile
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from PySide6.QtCore import QT_TRANSLATE_NOOP, QObject, Signal

from omnidesk_qt import paths

log = logging.getLogger(__name__)

FILE_VERSION = 1


class SettingError(ValueError):
    """An unknown setting, or a value of the wrong type or out of range."""


class SettingLocked(SettingError):
    """The organisation fixed this setting in the site-wide config."""


@dataclass(frozen=True)
class Setting:
    name: str
    type: type
    default: Any
    description: str
    choices: tuple[str, ...] = ()
    minimum: int | None = None
    maximum: int | None = None
    # Further checks on a value of the right type; raises ValueError with a readable message.
    check: Callable[[Any], None] | None = None


# --- checks ------------------------------------------------------------------------------------
def _check_ws_url(value: str) -> None:
    parts = urlsplit(value)
    if parts.scheme not in ("ws", "wss") or not parts.netloc:
        raise ValueError("must be a ws:// or wss:// address with a host, e.g. wss://desk:8765")


TEMPLATE_KEYS = ("name", "text", "hotkey")


def _check_templates(value: list[Any]) -> None:
    hotkeys: set[str] = set()
    names: set[str] = set()
    for i, item in enumerate(value):
        where = f"template {i + 1}"
        if not isinstance(item, dict):
            raise ValueError(f"{where}: must be a table with name, text and hotkey")
        extra = set(item) - set(TEMPLATE_KEYS)
        if extra:
            raise ValueError(f"{where}: unknown keys {sorted(extra)}")
        for key in TEMPLATE_KEYS:
            if not isinstance(item.get(key, ""), str):
                raise ValueError(f"{where}: {key} must be text")
        name, text, hotkey = item.get("name", ""), item.get("text", ""), item.get("hotkey", "")
        if not name.strip() or not text.strip():
            raise ValueError(f"{where}: name and text must not be empty")
        if name in names:
            raise ValueError(f"{where}: the name {name!r} is used twice")
        names.add(name)
        if hotkey:
            if hotkey in hotkeys:
                raise ValueError(f"{where}: the hotkey {hotkey} is used twice")
            hotkeys.add(hotkey)


def _check_layout(value: dict[str, Any]) -> None:
    for name, sizes in value.items():
        if not isinstance(sizes, list) or not all(
            isinstance(x, int) and not isinstance(x, bool) and x >= 0 for x in sizes
        ):
            raise ValueError(f"{name}: sizes must be a list of whole numbers of pixels")


def _normalise_templates(value: list[dict[str, str]]) -> list[dict[str, str]]:
    return [{key: str(item.get(key, "")) for key in TEMPLATE_KEYS} for item in value]


DEFAULT_TEMPLATES: list[dict[str, str]] = [
    {
        "name": "Приветствие",
        "text": "Здравствуйте, {name}! Спасибо, что обратились к нам. Чем могу помочь?",
        "hotkey": "Alt+1",
    },
    {
        "name": "Статус заказа",
        "text": "{name}, ваш заказ {order} уже передан в доставку. "
        "Трек-номер придёт вам в SMS в течение часа.",
        "hotkey": "Alt+2",
    },
    {
        "name": "Проверяю информацию",
        "text": "{name}, проверяю информацию по заказу {order}. "
        "Это займёт пару минут, пожалуйста, оставайтесь на связи.",
        "hotkey": "Alt+3",
    },
    {
        "name": "Прощание",
        "text": "Спасибо за обращение, {name}! Если появятся вопросы по заказу {order}, "
        "пишите — мы всегда на связи.",
        "hotkey": "Alt+4",
    },
]


# Descriptions are English for IT and the logs; QT_TRANSLATE_NOOP marks them for the translation
# file, and the settings dialog shows them translated (context "Settings").
SCHEMA: list[Setting] = [
    Setting(
        "gateway.url",
        str,
        "ws://127.0.0.1:8765",
        str(QT_TRANSLATE_NOOP("Settings", "Address of the OmniDesk gateway (ws:// or wss://).")),
        check=_check_ws_url,
    ),
    Setting(
        "gateway.username",
        str,
        "",
        str(QT_TRANSLATE_NOOP("Settings", "The operator's login, remembered for the next start.")),
    ),
    Setting(
        "ui.language",
        str,
        "system",
        str(
            QT_TRANSLATE_NOOP(
                "Settings", "Language of the interface; 'system' follows the operating system."
            )
        ),
        choices=("system", "ru", "en"),
    ),
    Setting(
        "ui.theme",
        str,
        "system",
        str(
            QT_TRANSLATE_NOOP(
                "Settings",
                "Colour theme; 'system' follows the operating system's light or dark mode.",
            )
        ),
        choices=("light", "dark", "system"),
    ),
    Setting(
        "speech.enabled",
        bool,
        True,
        str(QT_TRANSLATE_NOOP("Settings", "Announce new conversations aloud.")),
    ),
    Setting(
        "speech.voice",
        str,
        "",
        str(
            QT_TRANSLATE_NOOP(
                "Settings", "Voice id for announcements; empty picks one by language."
            )
        ),
    ),
    Setting(
        "speech.rate",
        int,
        170,
        str(QT_TRANSLATE_NOOP("Settings", "Speaking rate in words per minute.")),
        minimum=80,
        maximum=400,
    ),
    Setting(
        "speech.language",
        str,
        "ru",
        str(QT_TRANSLATE_NOOP("Settings", "Language of spoken announcements.")),
        choices=("ru", "en"),
    ),
    Setting(
        "notifications.sound",
        bool,
        True,
        str(QT_TRANSLATE_NOOP("Settings", "Play a sound when a conversation is offered.")),
    ),
    Setting(
        "notifications.desktop",
        bool,
        True,
        str(
            QT_TRANSLATE_NOOP(
                "Settings", "Show a desktop notification when a conversation is offered."
            )
        ),
    ),
    Setting(
        "composer.templates",
        list,
        DEFAULT_TEMPLATES,
        str(
            QT_TRANSLATE_NOOP(
                "Settings", "Reply templates: name, text with {name} and {order}, and a hotkey."
            )
        ),
        check=_check_templates,
    ),
    Setting(
        "feed.page_size",
        int,
        50,
        str(QT_TRANSLATE_NOOP("Settings", "How many timeline items to load at a time.")),
        minimum=10,
        maximum=500,
    ),
    Setting(
        "ui.splitter_sizes",
        dict,
        {},
        str(
            QT_TRANSLATE_NOOP(
                "Settings",
                "Sizes of the window's panes, as the operator left them (kept by the window).",
            )
        ),
        check=_check_layout,
    ),
]

SETTINGS: dict[str, Setting] = {s.name: s for s in SCHEMA}


def get_setting(name: str) -> Setting:
    try:
        return SETTINGS[name]
    except KeyError:
        raise SettingError(f"unknown setting {name!r}") from None


def _has_type(value: Any, expected: type) -> bool:
    # bool is an int in Python: keep True out of int settings and 1 out of bool settings.
    return isinstance(value, expected) and (expected is bool or not isinstance(value, bool))


def validate(name: str, value: Any) -> Any:
    """The value as it will be stored (lists are copied), or :class:`SettingError`."""
    s = get_setting(name)
    if not _has_type(value, s.type):
        raise SettingError(
            f"{name}: expected {s.type.__name__}, got {type(value).__name__} {value!r}"
        )
    if s.choices and value not in s.choices:
        raise SettingError(f"{name}: {value!r} is not one of {', '.join(s.choices)}")
    if s.minimum is not None and value < s.minimum:
        raise SettingError(f"{name}: {value!r} is below the minimum {s.minimum}")
    if s.maximum is not None and value > s.maximum:
        raise SettingError(f"{name}: {value!r} is above the maximum {s.maximum}")
    if s.check is not None:
        try:
            s.check(value)
        except ValueError as exc:
            raise SettingError(f"{name}: {exc}") from None
    if name == "composer.templates":
        return _normalise_templates(value)
    return copy.deepcopy(value)


def _flatten(table: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """``{"gateway": {"url": x}}`` (TOML's bare dotted keys) -> ``{"gateway.url": x}``."""
    out: dict[str, Any] = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and name not in SETTINGS:
            out.update(_flatten(value, name + "."))
        else:
            out[name] = value
    return out


_VARIABLE = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


def format_template(text: str, /, **variables: object) -> str:
    """Fill ``{name}``-style variables. Unknown variables stay as they are; nothing else is
    interpreted (no ``str.format``: ``{0}``, ``{x.attr}``, ``{x[0]}`` and ``{x:>9}`` stay literal,
    and a value that contains braces is not expanded again)."""

    def fill(m: re.Match[str]) -> str:
        key = m.group(1)
        return str(variables[key]) if key in variables else m.group(0)

    return _VARIABLE.sub(fill, text)


class Settings(QObject):
    changed = Signal(str, object)  # name, new value
    saveFailed = Signal(str)  # why: the change holds for this run only

    def __init__(
        self,
        path: Path | None = None,
        *,
        site_config: Path | None = None,
        parent: QObject | None = None,
    ) -> None:
        """``path``: the user's settings.json (default: in :func:`paths.config_dir`);
        ``site_config``: IT's desktop.toml (default: :func:`paths.site_config_file`)."""
        super().__init__(parent)
        self.path = path if path is not None else paths.settings_file()
        self.site_config = site_config if site_config is not None else paths.site_config_file()
        self._user: dict[str, Any] = {}
        self._unknown: dict[str, Any] = {}  # from a newer version: kept, written back
        self._site_defaults: dict[str, Any] = {}
        self._locked: dict[str, Any] = {}
        if self.site_config is not None:
            self._load_site(self.site_config)
        self._load_user()

    # -- reading --------------------------------------------------------------------------------
    def value(self, name: str) -> Any:
        get_setting(name)
        if name in self._locked:
            return copy.deepcopy(self._locked[name])
        if name in self._user:
            return copy.deepcopy(self._user[name])
        return self.default(name)

    def default(self, name: str) -> Any:
        """The value this setting has when the user has not changed it."""
        s = get_setting(name)
        return copy.deepcopy(self._site_defaults.get(name, s.default))

    def is_locked(self, name: str) -> bool:
        get_setting(name)
        return name in self._locked

    def is_changed(self, name: str) -> bool:
        """Has the user chosen a value of their own (a "reset" button makes sense)?"""
        get_setting(name)
        return name in self._user and name not in self._locked

    def values(self) -> dict[str, Any]:
        return {s.name: self.value(s.name) for s in SCHEMA}

    # -- changing -------------------------------------------------------------------------------
    def set(self, name: str, value: Any) -> None:
        """Validate and store; emits :attr:`changed` only when the value in force changed."""
        self._check_unlocked(name)
        new = validate(name, value)
        old = self.value(name)
        if new == self.default(name):
            stored = self._user.pop(name, None) is not None
        else:
            stored = self._user.get(name) != new
            self._user[name] = new
        if stored:
            self.save()
        if new != old:
            self.changed.emit(name, copy.deepcopy(new))

    def reset(self, name: str) -> None:
        """Back to the default (the site's, else the schema's)."""
        self._check_unlocked(name)
        old = self.value(name)
        if self._user.pop(name, None) is not None:
            self.save()
        new = self.value(name)
        if new != old:
            self.changed.emit(name, new)

    def _check_unlocked(self, name: str) -> None:
        get_setting(name)
        if name in self._locked:
            raise SettingLocked(
                f"{name} is set by your organisation ({self.site_config}) and cannot be changed"
            )

    # -- persistence ----------------------------------------------------------------------------
    def save(self) -> None:
        data = {"version": FILE_VERSION, "values": {**self._unknown, **self._user}}
        text = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
        try:
            _atomic_write(self.path, text)
        except OSError as exc:
            log.error("cannot save settings to %s: %s", self.path, exc)
            self.saveFailed.emit(str(exc))

    def _load_user(self) -> None:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return
        except OSError as exc:  # unreadable (permissions): leave it alone, use the defaults
            log.warning("cannot read settings %s: %s; using defaults", self.path, exc)
            return
        try:
            data = json.loads(raw.decode("utf-8"))
            if not isinstance(data, dict) or not isinstance(data.get("values", {}), dict):
                raise ValueError("not a settings object")
        except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
            self._move_aside(exc)
            return
        for name, value in dict(data.get("values", {})).items():
            if name not in SETTINGS:
                self._unknown[name] = value
                continue
            try:
                self._user[name] = validate(name, value)
            except SettingError as exc:
                log.warning("ignoring saved setting: %s", exc)

    def _move_aside(self, why: Exception) -> None:
        bad = self.path.with_name(self.path.name + ".bad")
        try:
            os.replace(self.path, bad)
        except OSError as exc:
            log.warning(
                "settings %s are corrupt (%s) and cannot be moved aside: %s", self.path, why, exc
            )
            return
        log.warning(
            "settings %s are corrupt (%s); moved to %s, using defaults", self.path, why, bad.name
        )

    def _load_site(self, path: Path) -> None:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            log.warning("ignoring the site config %s: %s", path, exc)
            return
        for section, target in (("defaults", self._site_defaults), ("locked", self._locked)):
            table = data.get(section, {})
            if not isinstance(table, dict):
                log.warning("site config %s: [%s] must be a table", path, section)
                continue
            for name, value in _flatten(table).items():
                if name not in SETTINGS:
                    log.warning("site config %s: unknown setting %s", path, name)
                    continue
                try:
                    target[name] = validate(name, value)
                except SettingError as exc:
                    log.warning("site config %s: ignoring %s", path, exc)
        for section in set(data) - {"defaults", "locked"}:
            log.warning("site config %s: unknown section [%s]", path, section)

    def locked_names(self) -> Iterable[str]:
        return tuple(self._locked)


def _atomic_write(path: Path, text: str) -> None:
    """The file holds the old text or the new, never half of one (also after a power cut)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
