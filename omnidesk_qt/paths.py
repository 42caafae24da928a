"""Where the desktop keeps its files, per OS (platformdirs), and where IT's site-wide config is.

Every location can be moved with an environment variable, so tests (and portable installs) never
touch the real home:

- ``OMNIDESK_CONFIG_DIR``: the user's config dir (``settings.json``)
- ``OMNIDESK_DATA_DIR``: the user's data dir (``outbox.db``); logs go to ``<it>/logs`` too
- ``OMNIDESK_LOG_DIR``: the log dir alone
- ``OMNIDESK_SITE_CONFIG``: the site-wide ``desktop.toml`` (only this file is then looked at)

Nothing here creates a folder: whoever writes a file creates its parent.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import platformdirs

APP_NAME = "omnidesk"
SITE_CONFIG_NAME = "desktop.toml"

ENV_CONFIG_DIR = "OMNIDESK_CONFIG_DIR"
ENV_DATA_DIR = "OMNIDESK_DATA_DIR"
ENV_LOG_DIR = "OMNIDESK_LOG_DIR"
ENV_SITE_CONFIG = "OMNIDESK_SITE_CONFIG"


def _env_path(name: str) -> Path | None:
    value = os.environ.get(name, "").strip()
    return Path(value).expanduser() if value else None


def config_dir() -> Path:
    """Linux ``~/.config/omnidesk``, Windows ``%LOCALAPPDATA%\\omnidesk``, macOS
    ``~/Library/Application Support/omnidesk``."""
    return _env_path(ENV_CONFIG_DIR) or Path(
        platformdirs.user_config_dir(APP_NAME, appauthor=False)
    )


def data_dir() -> Path:
    """Linux ``~/.local/share/omnidesk``, Windows ``%LOCALAPPDATA%\\omnidesk``."""
    return _env_path(ENV_DATA_DIR) or Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def log_dir() -> Path:
    """Linux ``~/.local/state/omnidesk/log``, Windows ``%LOCALAPPDATA%\\omnidesk\\Logs``."""
    explicit = _env_path(ENV_LOG_DIR)
    if explicit is not None:
        return explicit
    data = _env_path(ENV_DATA_DIR)
    if data is not None:
        return data / "logs"
    return Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))


def settings_file() -> Path:
    return config_dir() / "settings.json"


def outbox_path() -> Path:
    """The durable queue of commands not yet answered by the gateway."""
    return data_dir() / "outbox.db"


def site_config_candidates() -> list[Path]:
    """Where IT may deploy ``desktop.toml``, most specific first.

    - Linux/BSD: ``/etc/omnidesk/desktop.toml``, then ``<dir>/omnidesk/desktop.toml`` for each
      entry of ``$XDG_CONFIG_DIRS`` (default ``/etc/xdg``)
    - Windows: ``%PROGRAMDATA%\\OmniDesk\\desktop.toml``
    - macOS: ``/Library/Application Support/OmniDesk/desktop.toml``
    """
    explicit = _env_path(ENV_SITE_CONFIG)
    if explicit is not None:
        return [explicit]
    if sys.platform == "win32":
        program_data = os.environ.get("PROGRAMDATA") or os.environ.get("ALLUSERSPROFILE")
        base = Path(program_data) if program_data else Path("C:/ProgramData")
        return [base / "OmniDesk" / SITE_CONFIG_NAME]
    if sys.platform == "darwin":
        return [Path("/Library/Application Support/OmniDesk") / SITE_CONFIG_NAME]
    candidates = [Path("/etc/omnidesk") / SITE_CONFIG_NAME]
    xdg = os.environ.get("XDG_CONFIG_DIRS", "").strip() or "/etc/xdg"
    for entry in xdg.split(os.pathsep):
        if entry.strip():
            path = Path(entry.strip()) / APP_NAME / SITE_CONFIG_NAME
            if path not in candidates:
                candidates.append(path)
    return candidates


def site_config_file() -> Path | None:
    """The site-wide config in force: the first candidate that exists, or None."""
    for path in site_config_candidates():
        if path.is_file():
            return path
    return None


def resources_dir() -> Path:
    """The ``resources/`` folder (themes, translations): beside the packages in a checkout or an
    editable install; inside the bundle of a frozen app (PyInstaller's ``sys._MEIPASS``, or the
    executable's folder for other freezers)."""
    if getattr(sys, "frozen", False):
        bundle = getattr(sys, "_MEIPASS", None)
        base = Path(bundle) if bundle else Path(sys.executable).resolve().parent
        return base / "resources"
    return Path(__file__).resolve().parent.parent / "resources"
