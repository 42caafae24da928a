"""Variables in reply texts (templates, canned responses) and what they resolve to from the card.

A variable is a dotted name in braces: ``{customer.first_name}``. The short forms of the first
templates (``{name}``, ``{order}``) are kept as aliases. A variable the card has no value for is
left in the text and named, so that the operator completes it; a text that still holds one is
never sent, since the customer would see the braces as they are (docs/protocol.md, canned
responses, has the same table).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

# Anything that looks like a variable, known or not: a reply must not carry any of them.
PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)\}")


def latest_order(card: dict[str, Any]) -> str:
    """The number of the customer's most recent order, or ""."""
    purchases = [p for p in card.get("purchases") or [] if p.get("order")]
    if not purchases:
        return ""
    return str(max(purchases, key=lambda p: str(p.get("at") or ""))["order"])


def _customer_name(card: dict[str, Any], _operator: dict[str, Any]) -> str:
    return str((card.get("customer") or {}).get("name") or "").strip()


def _first_name(card: dict[str, Any], operator: dict[str, Any]) -> str:
    words = _customer_name(card, operator).split()
    return words[0] if words else ""


def _operator_name(_card: dict[str, Any], operator: dict[str, Any]) -> str:
    # The name customers see of the operator (the web chat shows the same one).
    name = str(operator.get("public_name") or "").strip()
    if name:
        return name
    words = str(operator.get("display_name") or "").split()
    return words[0] if words else ""


def _order(card: dict[str, Any], _operator: dict[str, Any]) -> str:
    return latest_order(card)


Resolver = Callable[[dict[str, Any], dict[str, Any]], str]

# One table: every variable a reply text may use, and where its value comes from.
VARIABLES: dict[str, Resolver] = {
    "customer.name": _customer_name,
    "customer.first_name": _first_name,
    "operator.name": _operator_name,
    "order.last_number": _order,
}
ALIASES = {"name": "customer.name", "order": "order.last_number"}


def values_for(card: dict[str, Any], operator: dict[str, Any]) -> dict[str, str]:
    """Every variable's value for this customer and operator ("" where the card has none)."""
    out = {name: resolve(card, operator) for name, resolve in VARIABLES.items()}
    out.update({alias: out[target] for alias, target in ALIASES.items()})
    return out


def fill(text: str, values: dict[str, str]) -> str:
    """Variables with a value filled in; the rest stay as written. A value is never expanded
    again (a customer called "{order}" stays that name)."""
    return PLACEHOLDER.sub(lambda m: values.get(m.group(1)) or m.group(0), text)


def unresolved(text: str) -> list[str]:
    """The placeholders still in ``text``, each once, in order (``{order}``, …)."""
    seen: dict[str, None] = {}
    for m in PLACEHOLDER.finditer(text):
        seen.setdefault(m.group(0), None)
    return list(seen)
