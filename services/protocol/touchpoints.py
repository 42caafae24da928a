"""Touchpoints an operator logs by hand (a visit in person, a call outside the system): the
kinds, their channel, and the outcomes, shared by the gateway and the desktop's dialog."""

from __future__ import annotations

from typing import Literal

TouchpointKind = Literal["visit", "call"]

# kind -> (the channel it is recorded on, the timeline item kind)
KINDS: dict[str, tuple[str, str]] = {"visit": ("visit", "visit"), "call": ("voice", "call")}

# How it ended: codes the desktop names (ui/labels.py disposition_names).
OUTCOMES: tuple[str, ...] = (
    "resolved",
    "information",
    "order_status",
    "complaint",
    "sale",
    "technical",
    "callback",
    "escalated",
    "no_answer",
)
Outcome = Literal[
    "resolved",
    "information",
    "order_status",
    "complaint",
    "sale",
    "technical",
    "callback",
    "escalated",
    "no_answer",
]

# How far back a touchpoint may be logged, and how far ahead of the gateway's clock (a
# desktop's clock may run a little fast).
MAX_AGE_DAYS = 366
MAX_AHEAD_S = 300
MAX_DURATION_MIN = 600
