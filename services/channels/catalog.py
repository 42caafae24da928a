"""Every provider adapter the gateway can run, by the ``type`` a ``[channels.<name>]`` section
names (the section's name when it says none), and the building of the configured ones."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from services.channels.base import Adapter, Section
from services.config import ConfigError

# type -> adapter class (filled at the end of this module).
ADAPTERS: dict[str, type[Adapter]] = {}


def build(
    sections: Mapping[str, Mapping[str, Any]], env: Mapping[str, str] | None = None
) -> list[Adapter]:
    """The adapters of the enabled sections, each section checked whole before any starts."""
    adapters: list[Adapter] = []
    by_channel: dict[str, str] = {}
    for name, values in sections.items():
        where = f"[channels.{name}]"
        if not isinstance(values, Mapping):
            raise ConfigError(f"{where} must be a table")
        if not name.replace("_", "").replace("-", "").isalnum() or len(name) > 40:
            raise ConfigError(f"{where}: a section name is letters, digits, '-' and '_'")
        kind = values.get("type", name)
        adapter_class = ADAPTERS.get(kind) if isinstance(kind, str) else None
        if adapter_class is None:
            known = ", ".join(sorted(ADAPTERS)) or "none"
            raise ConfigError(f"{where}: unknown channel type {kind!r} (known: {known})")
        enabled = values.get("enabled", True)
        if not isinstance(enabled, bool):
            raise ConfigError(f"{where} enabled: expected true or false")
        section = Section(name, values, env, disabled=not enabled)
        adapter = adapter_class.from_section(section)
        section.finish()
        if not enabled:
            continue
        if adapter.channel in by_channel:
            raise ConfigError(
                f"{where}: channel {adapter.channel} is already served by "
                f"[channels.{by_channel[adapter.channel]}] (one section a channel; "
                "an adapter may serve several accounts)"
            )
        by_channel[adapter.channel] = name
        adapters.append(adapter)
    return adapters


# The adapters, each in its own module; imported here, after the table they are listed in.
from services.channels.asterisk import AsteriskAdapter  # noqa: E402
from services.channels.email import EmailAdapter  # noqa: E402
from services.channels.sms import SmsAdapter  # noqa: E402
from services.channels.telegram import TelegramAdapter  # noqa: E402
from services.channels.whatsapp import WhatsAppAdapter  # noqa: E402

ADAPTERS.update(
    {
        "asterisk": AsteriskAdapter,
        "email": EmailAdapter,
        "sms": SmsAdapter,
        "telegram": TelegramAdapter,
        "whatsapp": WhatsAppAdapter,
    }
)
