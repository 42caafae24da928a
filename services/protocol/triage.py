"""A conversation's tags, priority and snooze on the wire: their values and bounds.

Shared with the desktop (its filters and pickers use the same lists).
"""

from __future__ import annotations

import re
from typing import Literal

Priority = Literal["low", "normal", "high", "urgent"]
# Lowest first; routing serves the higher ones of a queue first.
PRIORITIES: tuple[str, ...] = ("low", "normal", "high", "urgent")
PRIORITY_RANK: dict[str, int] = {name: rank for rank, name in enumerate(PRIORITIES)}
DEFAULT_PRIORITY = "normal"

# A tag: 1-32 characters, no white space and no comma; kept in lower case.
TAG = re.compile(r"[^\s,]{1,32}")
MAX_TAG = 32
MAX_TAGS = 20

# How far ahead a conversation may be snoozed.
MAX_SNOOZE_DAYS = 30
SnoozeMode = Literal["until", "reply"]
# "until": wakes at a time (or when the customer writes, whichever comes first);
# "reply": wakes only when the customer writes.
SNOOZE_MODES: tuple[str, ...] = ("until", "reply")


def normalise_tag(raw: str) -> str | None:
    """The tag as stored (trimmed, lower case), or None if it is not one."""
    tag = raw.strip().lower()
    return tag if TAG.fullmatch(tag) else None
