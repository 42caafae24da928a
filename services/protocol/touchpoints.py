"""How a conversation or a touchpoint ended, and the touchpoints an operator logs by hand (a
visit in person, a call outside the system): one table, shared by the gateway and the
desktop's dialogs (which name each code through ui/labels.py disposition_names)."""

from __future__ import annotations

from typing import Literal

# What an operator picks at wrap-up (stored as these codes; shown translated).
DISPOSITIONS: tuple[str, ...] = (
    "resolved",
    "information",
    "order_status",
    "complaint",
    "sale",
    "technical",
    "callback",
    "escalated",
    "wrong_number",
    "spam",
)

# How a logged visit or outside call ended: the wrap-up codes a meeting can have, and
# "no answer" for a call nobody picked up.
OUTCOMES: tuple[str, ...] = (
    *(d for d in DISPOSITIONS if d not in ("wrong_number", "spam")),
    "no_answer",
)

TouchpointKind = Literal["visit", "call"]

# kind -> (the channel it is recorded on, the timeline item kind)
KINDS: dict[str, tuple[str, str]] = {"visit": ("visit", "visit"), "call": ("voice", "call")}

# How far back a touchpoint may be logged, and how far ahead of the gateway's clock (a
# desktop's clock may run a little fast).
MAX_AGE_DAYS = 366
MAX_AHEAD_S = 300
MAX_DURATION_MIN = 600
