"""The one channel table: what each channel is, who it reaches, how long a text may be.

Shared by the gateway (routing a reply to an identity, the adapters, the simulator, the
next-best-action rules) and the desktop (which channels the composer offers for a customer).
Nothing else may keep its own copy of these facts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple

ChannelName = Literal["webchat", "email", "telegram", "whatsapp", "sms", "voice", "visit"]
IdentityKind = Literal["web_visitor", "email", "telegram", "whatsapp", "phone"]

# Delivery states of an outgoing message, in the order they are reached; "failed" may follow
# any of them and nothing moves a message backwards.
DELIVERY_ORDER: tuple[str, ...] = ("pending", "sent", "delivered", "read")
DELIVERY_FAILED = "failed"


@dataclass(frozen=True, slots=True)
class Channel:
    name: ChannelName
    # Identity kinds a reply on this channel can go to, in order of preference.
    reaches: tuple[IdentityKind, ...]
    # The longest text one outgoing message may carry (the provider's limit, or ours).
    text_limit: int
    # The identity kind a contact arriving on this channel is known by.
    inbound_kind: IdentityKind | None
    # Whether the operator can write on it (a visit or a call is not written to).
    writable: bool = True
    # The timeline item kind a message on this channel makes.
    item_kind: str = "message"
    # Whether a message on it may carry files (docs/protocol.md, attachments).
    attachments: bool = False
    # Response targets in seconds (0: no response target, e.g. a call is answered live): from
    # the customer's first message to the operator's first reply, and from the customer's
    # oldest unanswered message to the operator's next reply. A queue may override them.
    first_response_s: int = 0
    next_response_s: int = 0


CHANNELS: dict[str, Channel] = {
    c.name: c
    for c in (
        Channel(
            "webchat",
            ("web_visitor",),
            4000,
            "web_visitor",
            attachments=True,
            first_response_s=60,
            next_response_s=120,
        ),
        Channel(
            "email",
            ("email",),
            20_000,
            "email",
            item_kind="email",
            first_response_s=4 * 3600,
            next_response_s=8 * 3600,
        ),
        Channel(
            "telegram", ("telegram",), 4096, "telegram", first_response_s=300, next_response_s=600
        ),
        # The WhatsApp Cloud API addresses a customer by phone number (wa_id).
        Channel(
            "whatsapp",
            ("whatsapp", "phone"),
            4096,
            "whatsapp",
            first_response_s=300,
            next_response_s=600,
        ),
        # Long SMS are sent as concatenated segments; providers cap the whole text.
        Channel("sms", ("phone",), 1600, "phone", first_response_s=600, next_response_s=1200),
        Channel("voice", ("phone",), 0, "phone", writable=False, item_kind="call"),
        Channel("visit", (), 0, None, writable=False, item_kind="visit"),
    )
}

# Channels a customer may go on in within one open conversation (written, not live): a call
# or a visit is routed and recorded on its own, its owner still preferred.
CONTINUING: frozenset[str] = frozenset(
    name for name, c in CHANNELS.items() if c.writable and c.name != "voice"
)

# The two response targets, by the name queues override them under (``response_targets``)
# and lifecycle events and conversation views call them by.
RESPONSE_KINDS: tuple[str, ...] = ("first_response", "next_response")


def response_target(
    kind: str, channel: str, overrides: Mapping[str, Mapping[str, int]] | None = None
) -> int:
    """Seconds the operator has for a ``kind`` response (``first_response`` or
    ``next_response``) on ``channel``: the queue's override (``{"first_response_s":
    {"webchat": 45}, ...}``) or the channel's default; 0 when no response is owed on time."""
    override = (overrides or {}).get(f"{kind}_s", {}).get(channel)
    if override is not None:
        return int(override)
    spec = CHANNELS.get(channel)
    if spec is None:
        return 0
    return spec.first_response_s if kind == "first_response" else spec.next_response_s


# The order the composer offers reply channels in.
REPLY_ORDER: tuple[str, ...] = ("webchat", "telegram", "whatsapp", "sms", "email")
# Identity kinds a customer may state themselves (a claim, never verified by the statement).
CLAIMABLE_KINDS: tuple[IdentityKind, ...] = ("phone", "email")


def channel(name: str) -> Channel:
    """The channel called ``name``; KeyError for a name that is not a channel."""
    return CHANNELS[name]


def reach(name: str) -> tuple[str, ...]:
    """Identity kinds a reply on channel ``name`` can go to (empty for an unknown channel)."""
    found = CHANNELS.get(name)
    return found.reaches if found is not None else ()


def channels_reaching(kind: str) -> tuple[str, ...]:
    """Writable channels a customer with an identity of ``kind`` can be written to, in the
    composer's order."""
    return tuple(ch for ch in REPLY_ORDER if CHANNELS[ch].writable and kind in CHANNELS[ch].reaches)


class ReplyAddress(NamedTuple):
    channel: str
    address: str
    # Only stated by the customer (never delivered from): a reply there may reach someone else.
    claimed: bool = False


def address_for(channel: str, identities: Iterable[Mapping[str, Any]]) -> ReplyAddress | None:
    """Where a reply on ``channel`` goes for a customer with these identities (card rows:
    ``kind``, ``value``, ``claimed``): an address a channel proved before one the customer only
    stated, then the channel's preferred kind, then the first such identity."""
    spec = CHANNELS.get(channel)
    if spec is None:
        return None
    rows = list(identities)
    for claimed in (False, True):
        for kind in spec.reaches:
            for row in rows:
                if row.get("kind") == kind and bool(row.get("claimed")) == claimed:
                    return ReplyAddress(channel, str(row.get("value") or ""), claimed)
    return None


def reply_addresses(identities: Iterable[Mapping[str, Any]]) -> list[ReplyAddress]:
    """Every channel a customer with these identities can be written to, in the composer's
    order, each with its address (see :func:`address_for`)."""
    rows = list(identities)
    found = (address_for(ch, rows) for ch in REPLY_ORDER if CHANNELS[ch].writable)
    return [found_address for found_address in found if found_address is not None]


def advance_delivery(current: str | None, new: str) -> bool:
    """Whether a message in delivery state ``current`` may move to ``new``."""
    if new == DELIVERY_FAILED:
        return True
    now = current or DELIVERY_ORDER[0]
    if now not in DELIVERY_ORDER or new not in DELIVERY_ORDER:
        return now not in DELIVERY_ORDER
    return DELIVERY_ORDER.index(new) > DELIVERY_ORDER.index(now)
