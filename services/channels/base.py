"""What every provider adapter is: one small interface (start, stop, send, health, webhooks),
the configuration section it reads, its secrets, and the context the gateway starts it with.

An adapter turns its provider's traffic into the normalised model of ``services.domain.inbox``
and hands it to the inbox port; it never imports the hub. The gateway builds every configured
adapter before it listens (a bad section stops start-up with the setting named), mounts each
adapter's webhooks under ``/hooks/<section name>/`` and starts the adapters once the HTTP side
is up, so a provider that calls back at once finds its route.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import os
import time
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from litestar.types import ControllerRouterHandler

from services.config import ConfigError
from services.domain.inbox import AdapterHealth, InboundFile, Inbox, OutboundMessage

log = logging.getLogger(__name__)

T = TypeVar("T")

# The longest a secret file may be: a token or a key, never a document.
_MAX_SECRET_BYTES = 16 * 1024


class Secret:
    """A credential read from the environment or a file. It never prints itself (``***`` in
    reprs, logs and tracebacks) and compares in constant time."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The value, for the one place that sends it to the provider."""
        return self._value

    def matches(self, presented: str | bytes | None) -> bool:
        if presented is None:
            return False
        given = presented.encode() if isinstance(presented, str) else presented
        return hmac.compare_digest(given, self._value.encode())

    def __bool__(self) -> bool:
        return bool(self._value)

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__


class Section:
    """One ``[channels.<name>]`` table of the gateway's TOML. Every key an adapter does not read
    is refused by :meth:`finish` (a typo must not silently leave a setting at its default).

    Secrets are never written inline: ``<key>_env = "VAR"`` names an environment variable,
    ``<key>_file = "/etc/omnidesk/…"`` a file holding the value.
    """

    def __init__(
        self,
        name: str,
        values: Mapping[str, Any],
        env: Mapping[str, str] | None = None,
        *,
        disabled: bool = False,
    ) -> None:
        self.name = name
        # A disabled section is still checked for typos, but needs no secrets in place.
        self.disabled = disabled
        self.where = f"[channels.{name}]"
        self._values = dict(values)
        self._env = os.environ if env is None else env
        self._read: set[str] = {"type", "enabled"}

    def get(self, key: str, default: T) -> T:
        """The value of ``key`` of the default's type (a list of strings for a list)."""
        self._read.add(key)
        if key not in self._values:
            return default
        value = self._values[key]
        if isinstance(default, bool):
            if not isinstance(value, bool):
                raise ConfigError(f"{self.where} {key}: expected true or false, got {value!r}")
        elif isinstance(default, int | float) and not isinstance(default, bool):
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ConfigError(f"{self.where} {key}: expected a number, got {value!r}")
            if isinstance(default, int) and not isinstance(value, int):
                raise ConfigError(f"{self.where} {key}: expected a whole number, got {value!r}")
            if value < 0:
                raise ConfigError(f"{self.where} {key}: must not be negative, got {value!r}")
        elif isinstance(default, list):
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ConfigError(f"{self.where} {key}: expected a list of strings")
        elif isinstance(default, dict):
            if not isinstance(value, dict):
                raise ConfigError(f"{self.where} {key}: expected a table")
        elif not isinstance(value, str):
            raise ConfigError(f"{self.where} {key}: expected a string, got {value!r}")
        return value  # type: ignore[no-any-return]

    def required(self, key: str) -> str:
        value = self.get(key, "")
        if not value.strip():
            raise ConfigError(f"{self.where} {key} is required")
        return value.strip()

    def secret(self, key: str, *, required: bool = True) -> Secret:
        required = required and not self.disabled
        self._read.update((key, f"{key}_env", f"{key}_file"))
        if key in self._values:
            raise ConfigError(
                f"{self.where} {key}: secrets are not written in the file; "
                f"name an environment variable ({key}_env) or a file ({key}_file)"
            )
        var, path = self._values.get(f"{key}_env"), self._values.get(f"{key}_file")
        if var is not None and path is not None:
            raise ConfigError(f"{self.where} {key}: give {key}_env or {key}_file, not both")
        if var is not None:
            if not isinstance(var, str) or not var:
                raise ConfigError(f"{self.where} {key}_env: expected a variable name")
            value = self._env.get(var, "")
            if not value and required:
                raise ConfigError(f"{self.where} {key}: environment variable {var} is not set")
            return Secret(value.strip())
        if path is not None:
            if not isinstance(path, str) or not path:
                raise ConfigError(f"{self.where} {key}_file: expected a path")
            try:
                with open(path, "rb") as f:
                    raw = f.read(_MAX_SECRET_BYTES + 1)
            except OSError as exc:
                raise ConfigError(
                    f"{self.where} {key}_file: cannot read {path}: {exc.strerror}"
                ) from exc
            if len(raw) > _MAX_SECRET_BYTES:
                raise ConfigError(f"{self.where} {key}_file: {path} is too large for a secret")
            value = raw.decode("utf-8", "replace").strip()
            if not value and required:
                raise ConfigError(f"{self.where} {key}_file: {path} is empty")
            return Secret(value)
        if required:
            raise ConfigError(f"{self.where} {key}: set {key}_env or {key}_file")
        return Secret("")

    def finish(self) -> None:
        unknown = sorted(set(self._values) - self._read)
        if unknown:
            raise ConfigError(f"{self.where}: unknown setting {', '.join(unknown)}")


@dataclass(slots=True)
class AdapterContext:
    """What the gateway gives an adapter when it starts it."""

    inbox: Inbox
    state_dir: Path  # the adapter's own folder for cursors (an IMAP UID, a getUpdates offset)
    public_url: str  # where providers reach the gateway's HTTP side (webhook URLs)
    hook_path: str  # the adapter's webhooks' prefix on it, "/hooks/<name>"
    spawn: Callable[[Awaitable[Any]], None]  # a background task the gateway cancels on close
    # The bytes of an attachment an outgoing message carries, by its id: (name, mime, data).
    read_file: Callable[[int], Awaitable[InboundFile]]


class Cursor:
    """A small JSON value an adapter must keep across restarts (an IMAP UID, a getUpdates
    offset), written atomically: a crash leaves the old value or the new one, never half."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self, default: T) -> T:
        try:
            return json.loads(self.path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]
        except FileNotFoundError:
            return default
        except (OSError, ValueError) as exc:
            raise RuntimeError(f"cannot read {self.path.name}: {exc}") from exc

    def save(self, value: Any) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(value, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.path)


class HealthTracker:
    """Failures in a row and the last success: ``degraded`` from the first failure, ``down``
    after ``down_after`` in a row or while the provider cannot be reached at all."""

    def __init__(self, channel: str, down_after: int = 3) -> None:
        self.channel = channel
        self.down_after = down_after
        self.failures = 0
        self.detail = ""
        self.last_ok_at: float | None = None
        self.last_error_at: float | None = None
        self._down = False

    def ok(self) -> None:
        if self.failures:
            log.info("%s provider answers again", self.channel)
        self.failures, self.detail, self._down = 0, "", False
        self.last_ok_at = time.time()

    def failed(self, detail: str, *, down: bool = False) -> None:
        self.failures += 1
        self.detail = detail[:300]
        self.last_error_at = time.time()
        self._down = down

    def view(self) -> AdapterHealth:
        if self._down or self.failures >= self.down_after:
            state = "down"
        elif self.failures:
            state = "degraded"
        else:
            state = "ok"
        return AdapterHealth(
            self.channel, state, self.detail, self.failures, self.last_ok_at, self.last_error_at
        )


class Adapter(ABC):
    """A provider of one channel. ``name`` is its configuration section (two mailboxes are two
    sections of one kind); ``channel`` is the channel of the one channel table."""

    channel: ClassVar[str]
    kind: ClassVar[str]  # the ``type`` that selects this adapter in a section

    def __init__(self, name: str) -> None:
        self.name = name
        self.tracker = HealthTracker(self.channel)

    @classmethod
    @abstractmethod
    def from_section(cls, section: Section) -> Adapter:
        """Read the adapter's settings (refusing bad ones with the setting named)."""

    @abstractmethod
    async def start(self, ctx: AdapterContext) -> None:
        """Connect (or start polling) in the background; must not wait for the provider."""

    @abstractmethod
    async def stop(self) -> None:
        """Stop polling and close connections; cursors are already saved."""

    @abstractmethod
    async def send(self, msg: OutboundMessage) -> str:
        """Hand one outgoing message to the provider; the provider's id for it.

        Raises ChannelUnavailable with ``retry`` set only when the provider certainly did not
        take it (the hub retries those with backoff, and never the others)."""

    def health(self) -> AdapterHealth:
        return self.tracker.view()

    def routes(self) -> Sequence[ControllerRouterHandler]:
        """Webhook handlers, with paths relative to ``/hooks/<name>``."""
        return ()


async def sleep_or_stop(stopping: asyncio.Event, seconds: float) -> bool:
    """Wait ``seconds`` unless the adapter is stopping; True when it is."""
    try:
        await asyncio.wait_for(stopping.wait(), seconds)
    except TimeoutError:
        return False
    return True
