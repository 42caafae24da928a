"""Tags, priority and snooze of a conversation: the rules, with no I/O."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from services.domain.errors import InvalidInput
from services.protocol import triage as wire


def check_tags(raw: Iterable[str]) -> list[str]:
    """Normalised tags (lower case), each once, in the order given."""
    out: list[str] = []
    for item in raw:
        tag = wire.normalise_tag(item)
        if tag is None:
            raise InvalidInput(
                f"bad tag {item[:40]!r}: 1-{wire.MAX_TAG} characters, no spaces or commas"
            )
        if tag not in out:
            out.append(tag)
    return out


def retag(current: list[str], add: list[str], remove: list[str]) -> list[str]:
    """The tags after adding and removing (both already normalised)."""
    both = set(add) & set(remove)
    if both:
        raise InvalidInput(f"tag {sorted(both)[0]!r} is both added and removed")
    tags = [t for t in current if t not in remove]
    tags += [t for t in add if t not in tags]
    if len(tags) > wire.MAX_TAGS:
        raise InvalidInput(f"a conversation has at most {wire.MAX_TAGS} tags", limit=wire.MAX_TAGS)
    return tags


def check_snooze(
    until: datetime | None, until_reply: bool, now: datetime
) -> tuple[datetime | None, str]:
    """(snoozed_until, mode) for a snooze request: a time in the next 30 days and/or until the
    customer writes."""
    if until is None:
        if not until_reply:
            raise InvalidInput("give until (a time) or until_reply: true")
        return None, "reply"
    if until.tzinfo is None:
        raise InvalidInput("until needs a time zone, e.g. 2026-12-05T09:00:00+03:00")
    if until <= now:
        raise InvalidInput("until must be in the future")
    if until - now > timedelta(days=wire.MAX_SNOOZE_DAYS):
        raise InvalidInput(f"a conversation is snoozed for at most {wire.MAX_SNOOZE_DAYS} days")
    return until.astimezone(UTC), "until"
