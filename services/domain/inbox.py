"""The port between channels and the hub: the normalised message model every adapter speaks,
the inbox a channel hands touchpoints to, and the adapter interface replies go out through."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable


@dataclass(slots=True)
class InboundFile:
    """A file a provider delivered with a message (a Telegram photo, an e-mail attachment):
    the hub checks its type and size like any upload and keeps it for the customer."""

    name: str
    mime: str
    data: bytes


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
    # Files the provider delivered with it (kept by the hub; refused ones are named in
    # ``extra["refused_files"]`` so the operator knows something did not come through).
    files: list[InboundFile] = field(default_factory=list)


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
    # Attachment views (docs/protocol.md §5: id, name, size, mime, url) the reply carries; an
    # adapter reads their bytes with ``AdapterContext.read_file(view["id"])``.
    attachments: list[dict[str, Any]] = field(default_factory=list)
    # An approved provider template instead of free text (WhatsApp outside its 24-hour
    # window): {"name": ..., "language": ..., "parameters": [...]}; ``text`` is what it says.
    template: dict[str, Any] | None = None


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
    """The provider did not take the message.

    ``retry``: the provider certainly did not accept it (refused connection, 429, a 5xx it
    documents as not accepted), so sending again cannot make a duplicate. A refusal that
    another try cannot change (a bad number, a closed WhatsApp window) says ``retry=False``,
    as does an answer lost after the request went out: the provider may hold it already.
    ``retry_after_s``: the provider said when to come back.
    """

    def __init__(
        self, reason: str, *, retry: bool = False, retry_after_s: float | None = None
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry = retry
        self.retry_after_s = retry_after_s


@dataclass(slots=True)
class AdapterHealth:
    """How a channel's provider is doing, for ``/healthz`` and the logs."""

    channel: str
    state: str  # "ok", "degraded" (failures, still trying) or "down"
    detail: str = ""
    failures: int = 0  # in a row
    last_ok_at: float | None = None  # time.time()
    last_error_at: float | None = None


class ChannelAdapter(Protocol):
    """A channel's outgoing side: hands replies to its provider."""

    @property
    def channel(self) -> str: ...

    async def send(self, msg: OutboundMessage) -> str:
        """Hand a reply to the provider; return the provider's message id."""
        ...


@runtime_checkable
class TemplatedAdapter(Protocol):
    """A channel that, outside a customer-service window, carries only approved templates
    (WhatsApp's 24 hours): the card shows the window, the composer offers the templates."""

    channel: str
    templates: list[str]

    def window_open_until(self, address: str) -> float | None:
        """When the window with ``address`` closes (epoch seconds); None: it is closed."""
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

    async def prove(self, kind: str, value: str, proven: dict[str, str]) -> list[str]:
        """Identities the channel proved belong to the customer behind (kind, value), an
        identity it delivered (a Telegram user who shared their own contact: their phone).
        They become verified identities and route; returns the kinds added."""
        ...

    async def receipt(self, channel: str, provider_id: str, state: str, error: str = "") -> bool:
        """A provider's receipt for the outgoing message it knows as ``provider_id`` on
        ``channel``; False when no such message went out (a forged or foreign receipt)."""
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
