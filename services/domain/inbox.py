"""The port between channels and the hub: the normalised message model every adapter speaks,
the inbox a channel hands touchpoints to, and the adapter interface replies go out through."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable


@dataclass(slots=True)
class InboundMessage:
    """A customer's touchpoint as an adapter hands it to the hub.

    ``identity_kind``/``identity_value`` say who wrote (raw; the hub normalises). ``claims`` are
    further identities the customer stated (name, phone, e-mail) and become *claimed* ones.
    """

    channel: str
    identity_kind: str
    identity_value: str
    text: str = ""
    kind: str = "message"  # message, email, call, visit
    subject: str = ""
    provider_id: str | None = None
    display_name: str = ""
    verified: bool = False
    claims: dict[str, str] = field(default_factory=dict)
    attachments: list[dict[str, Any]] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    # Files this sender uploaded before (services/hub/files.py) that the message carries: the
    # hub checks they are the sender's and not sent yet, and fills ``attachments`` from them.
    attachment_ids: list[int] = field(default_factory=list)


@dataclass(slots=True)
class IngestResult:
    customer_id: int
    conversation_id: int
    event_id: int
    duplicate: bool = False


@dataclass(slots=True)
class OutboundMessage:
    event_id: int
    customer_id: int
    channel: str
    address: str  # the normalised identity value the reply goes to
    text: str
    subject: str = ""
    author: str = ""
    # Attachment views (docs/protocol.md §5: id, name, size, mime, url) the reply carries.
    attachments: list[dict[str, Any]] = field(default_factory=list)


@dataclass(slots=True)
class ClosedConversation:
    """An operator wrapped up a conversation: the customer may be asked to rate it."""

    conversation_id: int
    customer_id: int
    channel: str
    address: str  # the identity value the conversation's channel reaches the customer at
    resolved: bool


@dataclass(slots=True)
class CsatAnswer:
    """A customer's rating of one of their own closed conversations."""

    conversation_id: int
    rating: int
    comment: str = ""


class ChannelUnavailable(Exception):
    """The provider is down or refused: the message is marked failed and can be retried."""


class ChannelAdapter(Protocol):
    """A channel's outgoing side: hands replies to its provider."""

    channel: str

    async def send(self, msg: OutboundMessage) -> str:
        """Hand a reply to the provider; return the provider's message id."""
        ...


@runtime_checkable
class ClosingAdapter(Protocol):
    """An adapter that tells its customers when a conversation is closed (web chat asks for a
    rating then)."""

    channel: str

    async def conversation_closed(self, closed: ClosedConversation) -> None: ...


class Inbox(Protocol):
    """What a channel may tell the hub: the one port channels depend on."""

    async def ingest(self, msg: InboundMessage) -> IngestResult:
        """Record a touchpoint; acknowledge it to the provider only after this returns."""
        ...

    async def abandon(self, kind: str, raw: str, channel: str) -> bool:
        """The customer behind (kind, raw) left the queue on ``channel`` before an answer."""
        ...

    async def set_delivery(
        self,
        event_id: int,
        state: str,
        *,
        provider_id: str | None = None,
        error: str = "",
        notify: int | None = None,
    ) -> None:
        """A receipt: an outgoing message reached a delivery state."""
        ...

    async def claim(
        self, kind: str, value: str, claims: dict[str, str], *, verified: bool = False
    ) -> None:
        """Identities the customer behind (kind, value), an identity this channel delivered
        (``verified`` when the channel proved it), stated about themselves."""
        ...

    async def rate(self, kind: str, value: str, answer: CsatAnswer) -> dict[str, Any]:
        """The customer behind (kind, value) rates one of their closed conversations; returns
        ``{conversation_id, rating, comment}``. Once per conversation: the same answer again
        returns it again, another one is a Conflict."""
        ...

    async def awaiting_rating(self, kind: str, value: str, channel: str) -> int | None:
        """The customer's latest conversation on ``channel`` that was closed, is not rated and
        has no newer one, if any (a visitor coming back is asked again)."""
        ...
