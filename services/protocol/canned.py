"""Canned responses on the wire: their bounds and the variables their text may hold.

Shared with the desktop, which checks a response before sending it and fills the variables
in from the customer card (the gateway stores the text as written, variables and all).
"""

from __future__ import annotations

import re
from typing import Literal

Scope = Literal["team", "personal"]
Language = Literal["ru", "en"]
SCOPES: tuple[str, ...] = ("team", "personal")
LANGUAGES: tuple[str, ...] = ("ru", "en")

# What an operator types after "/" in the composer, e.g. "/refund".
SHORTCUT = re.compile(r"[a-z0-9_-]{1,32}")
MAX_SHORTCUT = 32
MAX_TITLE = 120
MAX_TEXT = 5_000
# How many responses there may be: of the team's, and of each operator's own.
MAX_TEAM = 5_000
MAX_PERSONAL = 200

# The variables a text may hold, written {name}; the desktop replaces each with the value from
# the card it is sent for (an empty value leaves the variable in place for the operator).
VARIABLES: dict[str, str] = {
    "customer.first_name": "the customer's first name (the first word of their name)",
    "customer.name": "the customer's full name as the card shows it",
    "operator.name": "the operator's public name (what customers see on replies)",
    "order.last_number": "the order number of the customer's latest purchase",
}
# Anything of this shape is meant as a variable: one not in VARIABLES is refused.
VARIABLE = re.compile(r"\{([a-z_]+(?:\.[a-z_]+)+)\}")


def unknown_variables(text: str) -> list[str]:
    """The {…} variables in ``text`` that the desktop would not know how to fill."""
    return sorted({m.group(1) for m in VARIABLE.finditer(text) if m.group(1) not in VARIABLES})
