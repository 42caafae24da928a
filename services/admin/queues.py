"""Queues: create, change and list them, with every setting checked before it is stored.

Business hours are written as IT says them, ``"mon-fri 09:00-18:00; sat 10:00-14:00"``, and
stored in the shape routing reads (``services.domain.routing.within_hours``):
``{"tz": "Europe/Moscow", "days": {"mon": [["09:00", "18:00"]], ...}}``. No hours: always open.

Response targets override the channels' defaults per channel, written
``--first-response webchat=45,email=3600`` (``channel=default`` drops an override) and stored
as ``{"first_response_s": {"webchat": 45, "email": 3600}, "next_response_s": {...}}``.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from datetime import time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import Engine, select, update
from sqlalchemy.exc import IntegrityError

from services.admin import AdminError
from services.admin.operators import parse_skills
from services.domain.routing import DAYS
from services.protocol.channels import CHANNELS, RESPONSE_KINDS
from services.store import tables

QUEUE_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
CLOCK = re.compile(r"\d\d:\d\d")
ALWAYS_OPEN = ("", "always", "24/7")
MAX_SLA_SECONDS = 7 * 24 * 3600
# The CLI option that sets each response target, by the key it is stored under.
TARGET_OPTIONS = {f"{kind}_s": "--" + kind.replace("_", "-") for kind in RESPONSE_KINDS}
# Targets as given: stored key -> channel -> seconds, or None to drop the override.
Targets = dict[str, dict[str, int | None]]


@dataclass(slots=True)
class QueueSettings:
    """What the CLI was given; ``None`` means "leave as it is" (or the default for a new one)."""

    skills: list[str] | None = None
    channels: list[str] | None = None
    priority: int | None = None
    sla_seconds: int | None = None
    hours: dict[str, Any] | None = None
    display_names: dict[str, str] | None = None
    # Only the channels named change; the others keep their override or the default.
    response_targets: Targets | None = None


def check_name(raw: str) -> str:
    name = raw.strip().lower()
    if not QUEUE_NAME.fullmatch(name):
        raise AdminError(
            f"bad queue name {raw!r}: use 1-64 letters, digits, '_' or '-', "
            "starting with a letter or digit"
        )
    return name


def parse_channels(raw: str) -> list[str]:
    channels = sorted({part.strip().lower() for part in raw.split(",") if part.strip()})
    unknown = [name for name in channels if name not in CHANNELS]
    if unknown:
        raise AdminError(f"unknown channel {unknown[0]!r}: channels are " + ", ".join(CHANNELS))
    return channels


def check_priority(value: int) -> int:
    if not -1000 <= value <= 1000:
        raise AdminError("the priority must be between -1000 and 1000 (higher is served first)")
    return value


def check_sla(value: int) -> int:
    if not 1 <= value <= MAX_SLA_SECONDS:
        raise AdminError(f"the SLA target must be 1 to {MAX_SLA_SECONDS} seconds")
    return value


def parse_targets(raw: str, option: str) -> dict[str, int | None]:
    """``"webchat=45,email=3600"`` -> ``{"webchat": 45, "email": 3600}``; ``channel=default``
    gives ``None`` (the channel's default again)."""
    targets: dict[str, int | None] = {}
    for part in (p.strip() for p in raw.split(",")):
        if not part:
            continue
        name, sep, value = (x.strip() for x in part.partition("="))
        name = name.lower()
        if not sep or not value:
            raise AdminError(f"bad {option} entry {part!r}: write channel=seconds, e.g. webchat=45")
        if name not in CHANNELS:
            raise AdminError(
                f"unknown channel {name!r} in {option}: channels are " + ", ".join(CHANNELS)
            )
        if value.lower() == "default":
            targets[name] = None
            continue
        try:
            seconds = int(value)
        except ValueError:
            raise AdminError(
                f"bad {option} for {name}: {value!r} is not a whole number of seconds"
            ) from None
        if not 1 <= seconds <= MAX_SLA_SECONDS:
            raise AdminError(
                f"bad {option} for {name}: a response target is 1 to {MAX_SLA_SECONDS} seconds "
                "(7 days)"
            )
        targets[name] = seconds
    if not targets:
        raise AdminError(f"{option} needs channel=seconds entries, e.g. webchat=45")
    return targets


def merge_targets(current: dict[str, Any], given: Targets) -> dict[str, dict[str, int]]:
    """The queue's stored overrides with ``given`` applied (``None`` drops one)."""
    merged: dict[str, dict[str, int]] = {
        key: {ch: int(v) for ch, v in (current.get(key) or {}).items()} for key in TARGET_OPTIONS
    }
    for key, channels in given.items():
        for name, seconds in channels.items():
            if seconds is None:
                merged[key].pop(name, None)
            else:
                merged[key][name] = seconds
    return {key: dict(sorted(v.items())) for key, v in merged.items() if v}


def format_targets(targets: dict[str, Any]) -> str:
    parts = []
    for key, option in TARGET_OPTIONS.items():
        found = targets.get(key) or {}
        shown = ",".join(f"{ch}={s}" for ch, s in sorted(found.items())) or "defaults"
        parts.append(f"{option.removeprefix('--')} {shown}")
    return "  ".join(parts)


def parse_hours(text: str, tz: str) -> dict[str, Any]:
    """``"mon-fri 09:00-18:00; sat 10:00-14:00"`` in time zone ``tz`` -> stored hours."""
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise AdminError(
            f"unknown time zone {tz!r}: use an IANA name such as Europe/Moscow"
        ) from None
    if text.strip().lower() in ALWAYS_OPEN:
        return {}
    days: dict[str, list[list[str]]] = {}
    for clause in (c.strip() for c in text.split(";")):
        if not clause:
            continue
        parts = clause.split()
        if len(parts) < 2:
            raise AdminError(
                f"bad hours {clause!r}: write days then times, e.g. mon-fri 09:00-18:00"
            )
        for day in _days(parts[0]):
            for span in " ".join(parts[1:]).replace(" ", "").split(","):
                days.setdefault(day, []).append(_span(span, clause))
    for spans in days.values():
        spans.sort()
        for (_a, end), (start, _b) in itertools.pairwise(spans):
            if start < end:
                raise AdminError(f"overlapping hours in {text!r}")
    return {"tz": tz, "days": days}


def _days(raw: str) -> list[str]:
    first, sep, last = raw.lower().partition("-")
    for day in (first, last) if sep else (first,):
        if day not in DAYS:
            raise AdminError(
                f"bad day {day!r}: use " + ", ".join(DAYS) + " or a range like mon-fri"
            )
    if not sep:
        return [first]
    a, b = DAYS.index(first), DAYS.index(last)
    if a > b:
        raise AdminError(f"bad day range {raw!r}: write it from the earlier day, e.g. mon-fri")
    return list(DAYS[a : b + 1])


def _span(raw: str, clause: str) -> list[str]:
    start, sep, end = raw.partition("-")
    if not sep or not CLOCK.fullmatch(start) or not CLOCK.fullmatch(end):
        raise AdminError(f"bad time range {raw!r} in {clause!r}: write HH:MM-HH:MM")
    try:
        opens, closes = time.fromisoformat(start), time.fromisoformat(end)
    except ValueError:
        raise AdminError(f"bad time in {raw!r}: hours run 00:00-23:59") from None
    if opens >= closes:
        raise AdminError(f"bad time range {raw!r}: it must close after it opens, on the same day")
    return [start, end]


def add_queue(engine: Engine, name: str, settings: QueueSettings) -> int:
    row = {
        "name": name,
        "skills": settings.skills if settings.skills is not None else [],
        "channels": settings.channels if settings.channels is not None else [],
        "priority": settings.priority if settings.priority is not None else 0,
        "sla_seconds": settings.sla_seconds if settings.sla_seconds is not None else 60,
        "hours": settings.hours if settings.hours is not None else {},
        "display_names": settings.display_names if settings.display_names is not None else {},
        "response_targets": merge_targets({}, settings.response_targets or {}),
    }
    queues = tables.queues
    with engine.begin() as conn:
        if conn.execute(select(queues.c.id).where(queues.c.name == name)).first() is not None:
            raise AdminError(f"queue {name!r} already exists (change it with update-queue)")
    try:
        with engine.begin() as conn:
            result = conn.execute(queues.insert().values(**row))
    except IntegrityError:
        raise AdminError(f"queue {name!r} already exists (change it with update-queue)") from None
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def update_queue(engine: Engine, name: str, settings: QueueSettings) -> None:
    changes = {
        field: value
        for field, value in (
            ("skills", settings.skills),
            ("channels", settings.channels),
            ("priority", settings.priority),
            ("sla_seconds", settings.sla_seconds),
            ("hours", settings.hours),
            ("display_names", settings.display_names),
        )
        if value is not None
    }
    if not changes and settings.response_targets is None:
        raise AdminError("nothing to change: give at least one option (see --help)")
    queues = tables.queues
    with engine.begin() as conn:
        current = conn.execute(
            select(queues.c.id, queues.c.response_targets).where(queues.c.name == name)
        ).first()
        if current is None:
            raise AdminError(f"no queue {name!r} (create it with add-queue)")
        if settings.response_targets is not None:
            changes["response_targets"] = merge_targets(
                dict(current.response_targets or {}), settings.response_targets
            )
        conn.execute(update(queues).where(queues.c.id == current.id).values(**changes))


def list_queues(engine: Engine) -> list[str]:
    """One line per queue, for people: name, priority, SLA, channels, skills, hours."""
    queues = tables.queues
    with engine.connect() as conn:
        rows = conn.execute(select(queues).order_by(queues.c.name)).all()
    return [
        f"{row.name}  priority {row.priority}  sla {row.sla_seconds}s"
        f"  channels {','.join(row.channels or []) or '-'}"
        f"  skills {','.join(row.skills or []) or '-'}"
        f"  hours {format_hours(row.hours or {})}"
        f"  {format_targets(row.response_targets or {})}"
        + "".join(f"  {lang} {text!r}" for lang, text in sorted((row.display_names or {}).items()))
        for row in rows
    ]


def format_hours(hours: dict[str, Any]) -> str:
    days = hours.get("days") or {}
    if not days:
        return "always"
    spans = "; ".join(
        f"{day} " + ",".join(f"{a}-{b}" for a, b in days[day]) for day in DAYS if day in days
    )
    return f"{spans} ({hours.get('tz', 'UTC')})"


def settings_from(
    *,
    skills: str | None,
    channels: str | None,
    priority: int | None,
    sla_seconds: int | None,
    hours: str | None,
    tz: str | None,
    display_names: str | None = None,
    first_response: str | None = None,
    next_response: str | None = None,
) -> QueueSettings:
    """Check what the CLI was given; opening hours need their time zone."""
    always = hours is not None and hours.strip().lower() in ALWAYS_OPEN
    if tz is not None and hours is None:
        raise AdminError("--tz goes with --hours: give the hours too")
    if hours is not None and not always and tz is None:
        raise AdminError("give the hours' time zone with --tz, e.g. --tz Europe/Moscow")
    return QueueSettings(
        skills=parse_skills(skills) if skills is not None else None,
        channels=parse_channels(channels) if channels is not None else None,
        priority=check_priority(priority) if priority is not None else None,
        sla_seconds=check_sla(sla_seconds) if sla_seconds is not None else None,
        hours=parse_hours(hours, tz or "UTC") if hours is not None else None,
        display_names=parse_display_names(display_names) if display_names is not None else None,
        response_targets=_targets(first_response, next_response),
    )


def _targets(first_response: str | None, next_response: str | None) -> Targets | None:
    given = {
        key: parse_targets(raw, TARGET_OPTIONS[key])
        for key, raw in (("first_response_s", first_response), ("next_response_s", next_response))
        if raw is not None
    }
    return given or None


DISPLAY_LANGUAGES = ("ru", "en")
MAX_DISPLAY_NAME = 64


def parse_display_names(raw: str) -> dict[str, str]:
    """``"ru=Продажи,en=Sales"`` -> {"ru": "Продажи", "en": "Sales"}; "" clears them."""
    out: dict[str, str] = {}
    for part in (p for p in raw.split(",") if p.strip()):
        lang, sep, text = part.partition("=")
        lang, text = lang.strip().lower(), " ".join(text.split())
        if not sep or lang not in DISPLAY_LANGUAGES:
            raise AdminError(
                f"bad display name {part.strip()!r}: write LANG=NAME with LANG one of "
                + ", ".join(DISPLAY_LANGUAGES)
            )
        if not text or len(text) > MAX_DISPLAY_NAME or not text.isprintable():
            raise AdminError(
                f"bad display name for {lang}: 1 to {MAX_DISPLAY_NAME} printable characters"
            )
        out[lang] = text
    return out
