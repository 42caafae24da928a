"""Gateway configuration: defaults, then a TOML file, then ``OMNIDESK_*`` environment variables.

Example ``gateway.toml``::

    [gateway]
    host = "0.0.0.0"
    port = 8765
    [database]
    url = "postgresql+psycopg://omnidesk@db.internal/omnidesk"
    [tls]
    cert = "/etc/omnidesk/tls.crt"
    key = "/etc/omnidesk/tls.key"
    [http]
    port = 8766
    public_url = "https://omnidesk.example.ru"
    [webchat]
    allowed_origins = ["https://shop.example.ru"]
    [channels.telegram]
    token_env = "OMNIDESK_TELEGRAM_TOKEN"
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import platformdirs

APP = "omnidesk"


def data_dir() -> Path:
    """Per-OS data folder (Linux: ~/.local/share/omnidesk; Windows: %LOCALAPPDATA%\\omnidesk)."""
    return Path(platformdirs.user_data_dir(APP, appauthor=False))


def config_dir() -> Path:
    return Path(platformdirs.user_config_dir(APP, appauthor=False))


def log_dir() -> Path:
    return Path(platformdirs.user_log_dir(APP, appauthor=False))


@dataclass
class GatewayConfig:
    host: str = "127.0.0.1"
    port: int = 8765
    data_dir: Path = field(default_factory=data_dir)
    database_url: str = ""  # empty: an SQLite file in data_dir
    sqlite_synchronous: str = "FULL"
    tls_cert: str = ""
    tls_key: str = ""
    allowed_origins: list[str] = field(default_factory=list)
    # The HTTP side (services/api/): /healthz, /chat/, the API and its docs.
    http_host: str = ""  # empty: the gateway's host
    http_port: int = -1  # -1: the gateway's port + 1 (any free port when that one is 0)
    http_public_url: str = ""  # where browsers reach the HTTP side; empty: its listen address
    http_socket_url: str = ""  # where browsers reach the sockets; empty: derived (README)
    http_monitoring_token: str = ""  # lets monitoring read /healthz's figures
    max_frame_bytes: int = 64 * 1024
    rate_per_s: float = 30.0
    rate_burst: int = 120
    send_queue_limit: int = 2000
    send_buffer_bytes: int = 8 * 1024 * 1024  # replies queued for one operator socket
    operator_sockets: int = 8  # open sockets per operator; the next one is refused
    fd_reserve: int = 256  # file descriptors web chat leaves for operators and the store
    chat_rate_per_s: float = 5.0
    chat_rate_burst: int = 20
    chat_hello_timeout_s: float = 10.0
    chat_max_sockets: int = 10_000  # lowered at start to fit RLIMIT_NOFILE minus fd_reserve
    chat_sockets_per_address: int = 50
    chat_new_visitors_per_min: int = 20  # per address
    token_ttl_hours: float = 12.0
    remember_ttl_days: float = 30.0
    # Password sign-in: failures free per username (an address gets 4x as many), the longest
    # back-off, and how many argon2 checks may run at once.
    login_free_failures: int = 5
    login_max_delay_s: float = 300.0
    login_concurrency: int = 4
    # Attachments (web chat): kept under files_dir (empty: data_dir/files), content-addressed.
    files_dir: str = ""
    files_max_bytes: int = 10 * 1024 * 1024  # the largest file accepted
    files_per_message: int = 5  # files one message may carry
    files_visitor_uploads_per_min: int = 20  # uploads one web-chat visitor may make a minute
    offer_timeout_s: float = 30.0
    max_offers_per_operator: int = 2
    reoffer_after_s: float = 30.0
    missed_offers_to_break: int = 2
    event_retention_days: float = 7.0
    channel_queues: dict[str, str] = field(default_factory=dict)
    # A customer writing on another channel within this long continues their open
    # conversation (routing.cross_channel_minutes; 0: every channel its own conversation).
    cross_channel_minutes: float = 120.0
    # Channels whose work blocks new offers of other channels (routing.blocking_channels).
    blocking_channels: list[str] = field(default_factory=lambda: ["voice"])
    # A send a provider refused as safe to repeat is tried again after each of these (seconds).
    delivery_retry_s: list[float] = field(default_factory=lambda: [2, 8, 30, 120, 240])
    log_json: bool = False
    # Provider adapters: one ``[channels.<name>]`` table each, read by services/channels/catalog
    # (which refuses unknown types and keys); secrets come from the environment or a file.
    channels: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'gateway.db'}"

    @property
    def files_path(self) -> Path:
        return Path(self.files_dir) if self.files_dir else self.data_dir / "files"

    @property
    def tls(self) -> bool:
        return bool(self.tls_cert and self.tls_key)

    @property
    def http_listen_host(self) -> str:
        return self.http_host or self.host

    @property
    def http_listen_port(self) -> int:
        if self.http_port >= 0:
            return self.http_port
        # Next to the sockets by default; a gateway on any free port gets any free one here too.
        return self.port + 1 if self.port else 0


# TOML "section.key" -> field name
_TOML_KEYS = {
    "gateway.host": "host",
    "gateway.port": "port",
    "gateway.data_dir": "data_dir",
    "gateway.log_json": "log_json",
    "database.url": "database_url",
    "database.sqlite_synchronous": "sqlite_synchronous",
    "tls.cert": "tls_cert",
    "tls.key": "tls_key",
    "webchat.allowed_origins": "allowed_origins",
    "http.host": "http_host",
    "http.port": "http_port",
    "http.public_url": "http_public_url",
    "http.socket_url": "http_socket_url",
    "http.monitoring_token": "http_monitoring_token",
    "limits.max_frame_bytes": "max_frame_bytes",
    "limits.rate_per_s": "rate_per_s",
    "limits.rate_burst": "rate_burst",
    "limits.send_queue_limit": "send_queue_limit",
    "limits.send_buffer_bytes": "send_buffer_bytes",
    "limits.operator_sockets": "operator_sockets",
    "limits.fd_reserve": "fd_reserve",
    "webchat.rate_per_s": "chat_rate_per_s",
    "webchat.rate_burst": "chat_rate_burst",
    "webchat.hello_timeout_s": "chat_hello_timeout_s",
    "webchat.max_sockets": "chat_max_sockets",
    "webchat.sockets_per_address": "chat_sockets_per_address",
    "webchat.new_visitors_per_min": "chat_new_visitors_per_min",
    "auth.token_ttl_hours": "token_ttl_hours",
    "auth.remember_ttl_days": "remember_ttl_days",
    "auth.login_free_failures": "login_free_failures",
    "auth.login_max_delay_s": "login_max_delay_s",
    "auth.login_concurrency": "login_concurrency",
    "routing.offer_timeout_s": "offer_timeout_s",
    "routing.max_offers_per_operator": "max_offers_per_operator",
    "routing.reoffer_after_s": "reoffer_after_s",
    "routing.missed_offers_to_break": "missed_offers_to_break",
    "routing.channel_queues": "channel_queues",
    "routing.blocking_channels": "blocking_channels",
    "routing.cross_channel_minutes": "cross_channel_minutes",
    "events.retention_days": "event_retention_days",
    "delivery.retry_s": "delivery_retry_s",
    "files.dir": "files_dir",
    "files.max_bytes": "files_max_bytes",
    "files.per_message": "files_per_message",
    "files.visitor_uploads_per_min": "files_visitor_uploads_per_min",
}

ENV_PREFIX = "OMNIDESK_"

# Settings a smaller value makes no sense for (refused with the setting named).
_MINIMUMS: dict[str, float] = {
    "offer_timeout_s": 1,
    "max_offers_per_operator": 1,
    "reoffer_after_s": 0,
    "missed_offers_to_break": 0,
    "cross_channel_minutes": 0,
}


class ConfigError(ValueError):
    pass


def load_config(path: Path | None = None, env: Mapping[str, str] | None = None) -> GatewayConfig:
    env = os.environ if env is None else env
    cfg = GatewayConfig()
    path = path or (Path(env[ENV_PREFIX + "CONFIG"]) if env.get(ENV_PREFIX + "CONFIG") else None)
    if path is not None:
        try:
            doc = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise ConfigError(f"config file not found: {path}") from exc
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: {exc}") from exc
        for section, values in doc.items():
            if not isinstance(values, dict):
                raise ConfigError(f"{path}: [{section}] must be a table")
            if section == "channels":
                for name, table in values.items():
                    if not isinstance(table, dict):
                        raise ConfigError(f"{path}: [channels.{name}] must be a table")
                    cfg.channels[name] = dict(table)
                continue
            for key, value in values.items():
                name = _TOML_KEYS.get(f"{section}.{key}")
                if name is None:
                    raise ConfigError(f"{path}: unknown setting {section}.{key}")
                _set(cfg, name, value, f"{section}.{key}")
    for f in fields(cfg):
        if f.name == "channels":
            continue  # tables only; their secrets name their own variables
        raw = env.get(ENV_PREFIX + f.name.upper())
        if raw is not None:
            _set(cfg, f.name, raw, ENV_PREFIX + f.name.upper())
    return cfg


def _set(cfg: GatewayConfig, name: str, value: Any, where: str) -> None:
    current = getattr(cfg, name)
    try:
        if isinstance(current, bool):
            value = value if isinstance(value, bool) else str(value).lower() in ("1", "true", "yes")
        elif isinstance(current, int):
            value = int(value)
        elif isinstance(current, float):
            value = float(value)
        elif isinstance(current, Path):
            value = Path(value)
        elif isinstance(current, list):
            value = (
                [v.strip() for v in value.split(",") if v.strip()]
                if isinstance(value, str)
                else list(value)
            )
        elif isinstance(current, dict):
            if isinstance(value, str):
                value = dict(kv.split("=", 1) for kv in value.split(",") if "=" in kv)
            value = dict(value)
        else:
            value = str(value)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{where}: cannot use {value!r} for {name}") from exc
    if name == "delivery_retry_s":
        value = _retry_delays(value, where)

    least = _MINIMUMS.get(name)
    if least is not None and value < least:
        raise ConfigError(f"{where}: {value!r} is below the least allowed, {least:g}")
    setattr(cfg, name, value)


def _retry_delays(value: list[Any], where: str) -> list[float]:
    try:
        delays = [float(v) for v in value]
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{where}: retry delays are numbers of seconds") from exc
    if len(delays) > 10 or any(not 0 <= d <= 3600 for d in delays):
        raise ConfigError(f"{where}: at most 10 retry delays, each 0 to 3600 seconds")
    return delays
