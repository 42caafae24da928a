"""The gateway's tables, as SQLAlchemy 2.0 typed ORM models.

Every schema change goes through an Alembic migration (``services/store/migrations``); a test
checks that these models and the migrations agree.
"""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL gets a real bigint.
BigID = BigInteger().with_variant(Integer(), "sqlite")

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC in and out, on SQLite (which keeps no zone) as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        tz = value.tzinfo
        if tz is None:
            raise ValueError("naive datetime given to the store; use an aware UTC datetime")
        if tz is not UTC:
            value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime, dict[str, Any]: JSON, list[Any]: JSON}


class Role(enum.StrEnum):
    AGENT = "agent"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


class Presence(enum.StrEnum):
    AVAILABLE = "available"
    BREAK = "break"
    AFTER_CALL_WORK = "after_call_work"
    OFFLINE = "offline"


class Channel(enum.StrEnum):
    WEBCHAT = "webchat"
    EMAIL = "email"
    TELEGRAM = "telegram"
    WHATSAPP = "whatsapp"
    SMS = "sms"
    VOICE = "voice"
    VISIT = "visit"


class IdentityKind(enum.StrEnum):
    PHONE = "phone"
    EMAIL = "email"
    TELEGRAM = "telegram"
    WHATSAPP = "whatsapp"
    WEB_VISITOR = "web_visitor"


class ConversationState(enum.StrEnum):
    QUEUED = "queued"
    OFFERED = "offered"
    ACTIVE = "active"
    HELD = "held"
    WRAP_UP = "wrap_up"
    RESOLVED = "resolved"  # wrapped up, issue solved
    CLOSED = "closed"  # wrapped up, issue not solved
    ABANDONED = "abandoned"  # the customer left before an operator answered


OPEN_STATES = (
    ConversationState.QUEUED,
    ConversationState.OFFERED,
    ConversationState.ACTIVE,
    ConversationState.HELD,
    ConversationState.WRAP_UP,
)


class EventKind(enum.StrEnum):
    MESSAGE = "message"
    EMAIL = "email"
    CALL = "call"
    NOTE = "note"
    STATUS_CHANGE = "status_change"
    PURCHASE = "purchase"
    VISIT = "visit"
    CSAT = "csat"  # a customer's rating of a closed conversation


class Direction(enum.StrEnum):
    INBOUND = "in"
    OUTBOUND = "out"
    INTERNAL = "internal"


class Delivery(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    DELIVERED = "delivered"
    READ = "read"
    FAILED = "failed"


class Operator(Base):
    __tablename__ = "operators"

    id: Mapped[int] = mapped_column(BigID, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(128))
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(16), default=Role.AGENT)
    skills: Mapped[list[Any]] = mapped_column(default=list)
    # channel -> how many conversations of that channel at once, e.g. {"voice": 1, "webchat": 3}
    capacity: Mapped[dict[str, Any]] = mapped_column(default=dict)
    language: Mapped[str] = mapped_column(String(8), default="ru")
    # The name customers see on the operator's replies (web chat, e-mail signature); by
    # default the first word of the display name.
    public_name: Mapped[str] = mapped_column(String(64), default="", server_default="")
    presence: Mapped[str] = mapped_column(String(20), default=Presence.OFFLINE)
    presence_since: Mapped[datetime] = mapped_column(default=utcnow)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SessionToken(Base):
    """A login: only the SHA-256 of the random token is kept."""

    __tablename__ = "session_tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    operator_id: Mapped[int] = mapped_column(ForeignKey("operators.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)

    __table_args__ = (Index(None, "operator_id"),)


class Queue(Base):
    __tablename__ = "queues"

    id: Mapped[int] = mapped_column(BigID, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    channels: Mapped[list[Any]] = mapped_column(default=list)
    skills: Mapped[list[Any]] = mapped_column(default=list)
    priority: Mapped[int] = mapped_column(Integer, default=0)
    # Service-level target: answered within this many seconds.
    sla_seconds: Mapped[int] = mapped_column(Integer, default=60)
    # Business hours: {"tz": "Europe/Moscow", "days": {"mon": [["09:00", "18:00"]], ...}};
    # empty means always open.
    hours: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # What operators see instead of the name, by interface language: {"ru": "Продажи", ...};
    # a language without one shows the name (added with its migration, 0009).
    display_names: Mapped[dict[str, Any] | None] = mapped_column(nullable=True, default=dict)
    # Response targets overriding the channels' defaults (services.protocol.channels), in
    # seconds: {"first_response_s": {"webchat": 45}, "next_response_s": {"email": 7200}}.
    response_targets: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default="{}")


class Customer(Base):
    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(BigID, primary_key=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    segment: Mapped[str] = mapped_column(String(32), default="standard")
    language: Mapped[str] = mapped_column(String(8), default="ru")
    last_csat: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # Lower-cased name for search.
    name_search: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Merged into another customer (services/hub/merges.py): this id redirects there.
    merged_into: Mapped[int | None] = mapped_column(BigID, nullable=True)

    __table_args__ = (Index(None, "name_search"),)


class Identity(Base):
    __tablename__ = "identities"

    id: Mapped[int] = mapped_column(BigID, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    # Normalised: phone in E.164, e-mail lower-cased, messenger ids as given.
    value: Mapped[str] = mapped_column(String(320))
    verified: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("kind", "value"), Index(None, "customer_id"))


class Conversation(Base):
    """One interaction: a thread on one channel, from queued to resolved or abandoned."""

    __tablename__ = "conversations"

    id: Mapped[int] = mapped_column(BigID, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(16))
    queue_id: Mapped[int | None] = mapped_column(ForeignKey("queues.id"), nullable=True)
    state: Mapped[str] = mapped_column(String(16), default=ConversationState.QUEUED)
    operator_id: Mapped[int | None] = mapped_column(ForeignKey("operators.id"), nullable=True)
    offered_to: Mapped[int | None] = mapped_column(ForeignKey("operators.id"), nullable=True)
    # The operator a returning customer goes back to.
    preferred_operator_id: Mapped[int | None] = mapped_column(
        ForeignKey("operators.id"), nullable=True
    )
    subject: Mapped[str] = mapped_column(String(300), default="")
    # Bumped by every state change: a compare-and-set guard so that of two operators acting at
    # once exactly one wins, across gateway nodes too.
    version: Mapped[int] = mapped_column(Integer, default=0)
    queued_at: Mapped[datetime | None] = mapped_column(nullable=True)
    offered_at: Mapped[datetime | None] = mapped_column(nullable=True)
    accepted_at: Mapped[datetime | None] = mapped_column(nullable=True)
    first_response_at: Mapped[datetime | None] = mapped_column(nullable=True)
    # When the customer's oldest unanswered message came (null: nothing to answer): the
    # response the operator owes is due this long after it (first or next response).
    awaiting_since: Mapped[datetime | None] = mapped_column(nullable=True)
    # When the owed response was recorded as late (sla_breached): once per owed response.
    sla_breached_at: Mapped[datetime | None] = mapped_column(nullable=True)
    transferred_at: Mapped[datetime | None] = mapped_column(nullable=True)
    held_at: Mapped[datetime | None] = mapped_column(nullable=True)
    hold_seconds: Mapped[float] = mapped_column(Float, default=0.0)
    wrap_up_at: Mapped[datetime | None] = mapped_column(nullable=True)
    resolved_at: Mapped[datetime | None] = mapped_column(nullable=True)
    abandoned_at: Mapped[datetime | None] = mapped_column(nullable=True)
    last_activity_at: Mapped[datetime] = mapped_column(default=utcnow)
    disposition: Mapped[str | None] = mapped_column(String(64), nullable=True)
    resolution: Mapped[str | None] = mapped_column(Text, nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(nullable=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Short labels, lower case, at most 20 (services.protocol.triage).
    tags: Mapped[list[Any]] = mapped_column(default=list, server_default="[]")
    # low, normal, high, urgent: the higher are routed first within their queue.
    priority: Mapped[str] = mapped_column(String(8), default="normal", server_default="normal")
    # Snoozed: set aside until a time ("until") or until the customer writes ("reply"); a
    # customer's message wakes it in either mode.
    snoozed_until: Mapped[datetime | None] = mapped_column(nullable=True)
    snooze_mode: Mapped[str | None] = mapped_column(String(8), nullable=True)

    __table_args__ = (
        Index(None, "customer_id", "state"),
        Index(None, "state", "queue_id", "queued_at"),
        Index(None, "operator_id", "state"),
    )


class LifecycleEvent(Base):
    """Each step of a conversation's life, exactly as it happened (KPIs are computed from these)."""

    __tablename__ = "lifecycle_events"

    id: Mapped[int] = mapped_column(BigID, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(24))
    at: Mapped[datetime]
    operator_id: Mapped[int | None] = mapped_column(nullable=True)
    queue_id: Mapped[int | None] = mapped_column(nullable=True)
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)

    __table_args__ = (Index(None, "conversation_id", "id"), Index(None, "kind", "at"))


class TimelineEvent(Base):
    """One touchpoint on a customer's unified feed, whatever the channel."""

    __tablename__ = "timeline_events"

    id: Mapped[int] = mapped_column(BigID, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    conversation_id: Mapped[int | None] = mapped_column(nullable=True)
    kind: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str | None] = mapped_column(String(16), nullable=True)
    direction: Mapped[str] = mapped_column(String(8))
    author_operator_id: Mapped[int | None] = mapped_column(nullable=True)
    author_label: Mapped[str] = mapped_column(String(200), default="")
    subject: Mapped[str] = mapped_column(String(300), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    attachments: Mapped[list[Any]] = mapped_column(default=list)
    # Kind-specific fields: call duration and disposition, purchase order, status change.
    extra: Mapped[dict[str, Any]] = mapped_column(default=dict)
    provider_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    delivery: Mapped[str | None] = mapped_column(String(12), nullable=True)
    created_at: Mapped[datetime]

    __table_args__ = (
        # One customer's feed, newest first, paged by id.
        Index(None, "customer_id", "id"),
        # A provider that retries never creates a second row.
        UniqueConstraint("channel", "provider_id"),
    )


class OperatorEvent(Base):
    """The per-operator event stream: what a client replays when it resumes."""

    __tablename__ = "operator_events"

    operator_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(48))
    data: Mapped[dict[str, Any]] = mapped_column()
    created_at: Mapped[datetime]

    __table_args__ = (Index(None, "created_at"),)


class OperatorSeq(Base):
    """The last sequence number each operator's event stream has used (PostgreSQL: raised in
    the writing transaction, so that several gateway nodes number one stream without gaps)."""

    __tablename__ = "operator_seqs"

    operator_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    last_seq: Mapped[int] = mapped_column(BigInteger)


class IdempotencyRecord(Base):
    """The first result of a client command, replayed for any repeat of its key."""

    __tablename__ = "idempotency_keys"

    operator_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    command: Mapped[str] = mapped_column(String(48))
    result: Mapped[dict[str, Any]] = mapped_column()
    created_at: Mapped[datetime]

    __table_args__ = (Index(None, "created_at"),)


class Product(Base):
    __tablename__ = "products"

    id: Mapped[int] = mapped_column(BigID, primary_key=True)
    sku: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(64), default="")
    price: Mapped[float] = mapped_column(Float, default=0.0)


class Purchase(Base):
    __tablename__ = "purchases"

    id: Mapped[int] = mapped_column(BigID, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    order_number: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(24))
    amount: Mapped[float] = mapped_column(Float)
    currency: Mapped[str] = mapped_column(String(3), default="RUB")
    purchased_at: Mapped[datetime]
    # How many of the product this line of the order holds (``amount`` is the line's total).
    quantity: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    __table_args__ = (Index(None, "customer_id", "purchased_at"), Index(None, "order_number"))


class Touchpoint(Base):
    """An open or closed ticket the CRM tells the operator about."""

    __tablename__ = "touchpoints"

    id: Mapped[int] = mapped_column(BigID, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    conversation_id: Mapped[int | None] = mapped_column(nullable=True)
    channel: Mapped[str] = mapped_column(String(16))
    subject: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(24), default="open")
    opened_at: Mapped[datetime]
    closed_at: Mapped[datetime | None] = mapped_column(nullable=True)

    __table_args__ = (Index(None, "customer_id", "status"),)


class AuditEntry(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(BigID, primary_key=True)
    at: Mapped[datetime]
    operator_id: Mapped[int | None] = mapped_column(nullable=True)
    action: Mapped[str] = mapped_column(String(48))
    target_type: Mapped[str] = mapped_column(String(24))
    target_id: Mapped[str] = mapped_column(String(64))
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)

    __table_args__ = (Index(None, "target_type", "target_id"), Index(None, "operator_id", "at"))


class StoreMeta(Base):
    """Key/value facts about the store itself, e.g. the event-stream epoch."""

    __tablename__ = "store_meta"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


def table_of(model: type[Base]) -> Table:
    """The model's Core table, typed as one (Core is what the hot path and queries use)."""
    t = model.__table__
    assert isinstance(t, Table)
    return t


class NbaDecision(Base):
    """One next-best-action hint shown to an operator: the decision log (what, where, p̃ used)."""

    __tablename__ = "nba_decisions"

    id: Mapped[int] = mapped_column(BigID, primary_key=True)
    hint_id: Mapped[str] = mapped_column(String(32), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    operator_id: Mapped[int] = mapped_column(BigInteger)
    conversation_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    action: Mapped[str] = mapped_column(String(48))
    rank: Mapped[int] = mapped_column(Integer)
    # The Thompson sample of the acceptance probability the ranking used.
    p_sample: Mapped[float] = mapped_column(Float)
    shown_at: Mapped[datetime]

    __table_args__ = (Index(None, "customer_id", "shown_at"),)


class NbaOutcome(Base):
    """What the operator did with a hint: accepted, dismissed or ignored."""

    __tablename__ = "nba_outcomes"

    id: Mapped[int] = mapped_column(BigID, primary_key=True)
    hint_id: Mapped[str] = mapped_column(
        ForeignKey("nba_decisions.hint_id", ondelete="CASCADE"), unique=True
    )
    outcome: Mapped[str] = mapped_column(String(16))
    operator_id: Mapped[int] = mapped_column(BigInteger)
    at: Mapped[datetime]

    __table_args__ = (Index(None, "at"),)


class IdentityClaim(Base):
    """An identity a customer stated (a phone typed into the chat): shown as claimed, never
    used to route a contact or merge customers."""

    __tablename__ = "identity_claims"

    id: Mapped[int] = mapped_column(BigID, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    value: Mapped[str] = mapped_column(String(320))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Who stated it: the customer (web chat "identify") or an operator (customer.add_contact).
    source: Mapped[str] = mapped_column(String(16), default="customer", server_default="customer")

    __table_args__ = (
        UniqueConstraint("customer_id", "kind", "value"),
        Index(None, "kind", "value"),
    )


class WebVisitor(Base):
    """A web-chat visitor: the widget holds a random secret, of which only the SHA-256 is kept;
    operators see the public handle (the visitor's ``web_visitor`` identity) and never the
    secret."""

    __tablename__ = "web_visitors"

    secret_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    handle: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Attachment(Base):
    """A file a visitor or an operator uploaded: the bytes are on disk, content-addressed by
    their SHA-256 (services/store/blobs.py); the row says whose it is and where it was sent.
    ``item_id`` is empty until a message carries it."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(BigID, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    # The type sniffed from the content, never the one the uploader declared.
    mime: Mapped[str] = mapped_column(String(100))
    # Sanitised: no folders or control characters, an extension of the sniffed type.
    name: Mapped[str] = mapped_column(String(200))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    # Who uploaded it: an operator, or a web-chat visitor (their public handle).
    uploader_operator_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    uploader_visitor: Mapped[str | None] = mapped_column(String(64), nullable=True)
    conversation_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    item_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    created_at: Mapped[datetime]

    __table_args__ = (
        Index(None, "customer_id"),
        Index(None, "item_id"),
        Index(None, "sha256"),
        Index(None, "created_at"),
    )


class CsatResponse(Base):
    """A customer's rating (1-5) of one closed conversation: one per conversation."""

    __tablename__ = "csat_responses"

    id: Mapped[int] = mapped_column(BigID, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    rating: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="")
    item_id: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime]

    __table_args__ = (Index(None, "customer_id", "id"),)


class OrderDelivery(Base):
    """How an order of goods travels: method, carrier, address, tracking number."""

    __tablename__ = "order_deliveries"

    id: Mapped[int] = mapped_column(BigID, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    order_number: Mapped[str] = mapped_column(String(64))
    # courier, pickup_point, post
    method: Mapped[str] = mapped_column(String(24))
    carrier: Mapped[str] = mapped_column(String(64), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    tracking: Mapped[str] = mapped_column(String(64), default="")

    __table_args__ = (UniqueConstraint("customer_id", "order_number"),)


class OrderStatusChange(Base):
    """One step of an order's life (created, paid, shipped, delivered, returned, cancelled)."""

    __tablename__ = "order_status_history"

    id: Mapped[int] = mapped_column(BigID, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    order_number: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(24))
    at: Mapped[datetime]
    note: Mapped[str] = mapped_column(String(300), default="")

    __table_args__ = (Index(None, "customer_id", "order_number", "at"),)


class CannedResponse(Base):
    """A ready answer operators insert with ``/shortcut``: the team's (``owner_id`` 0, every
    operator may use it) or one operator's own (``owner_id`` is theirs)."""

    __tablename__ = "canned_responses"

    id: Mapped[int] = mapped_column(BigID, primary_key=True)
    scope: Mapped[str] = mapped_column(String(16))
    owner_id: Mapped[int] = mapped_column(BigInteger, default=0)
    # Offered only in conversations of this queue; none: in every queue.
    queue_id: Mapped[int | None] = mapped_column(ForeignKey("queues.id"), nullable=True)
    shortcut: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(120))
    language: Mapped[str] = mapped_column(String(8))
    text: Mapped[str] = mapped_column(Text)
    # Bumped by every change: an update or delete may name the version it was made from.
    version: Mapped[int] = mapped_column(Integer, default=1)
    # None: the command line (``canned import``).
    created_by: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    updated_by: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    __table_args__ = (UniqueConstraint("owner_id", "language", "shortcut"),)


class CannedRevision(Base):
    """How many times a set of canned responses changed (``owner_id`` 0: the team's, otherwise
    an operator's own): the version a desktop caches them by."""

    __tablename__ = "canned_revisions"

    owner_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    revision: Mapped[int] = mapped_column(BigInteger)


class MergeSuggestion(Base):
    """Two customers who may be one person (one stated an identity the other was delivered
    from): for an operator to confirm or reject on the card."""

    __tablename__ = "merge_suggestions"

    id: Mapped[int] = mapped_column(BigID, primary_key=True)
    customer_id: Mapped[int] = mapped_column(BigID)
    other_customer_id: Mapped[int] = mapped_column(BigID)
    kind: Mapped[str] = mapped_column(String(16))
    value: Mapped[str] = mapped_column(String(320))
    evidence: Mapped[str] = mapped_column(String(32))  # claimed, proven
    state: Mapped[str] = mapped_column(String(16), default="open")  # open, rejected, merged
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_by: Mapped[int | None] = mapped_column(BigID, nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(nullable=True)

    __table_args__ = (
        UniqueConstraint("customer_id", "other_customer_id", "kind", "value"),
        Index(None, "other_customer_id"),
    )


class CustomerMerge(Base):
    """One customer merged into another: which rows moved (to move them back on unmerge) and
    which details disagreed (kept as they were on the customer kept, and flagged)."""

    __tablename__ = "customer_merges"

    id: Mapped[int] = mapped_column(BigID, primary_key=True)
    kept_id: Mapped[int] = mapped_column(BigID)
    merged_id: Mapped[int] = mapped_column(BigID)
    operator_id: Mapped[int | None] = mapped_column(BigID, nullable=True)  # None: automatic
    reason: Mapped[str] = mapped_column(String(32))  # suggestion, manual, same_identity
    moved: Mapped[dict[str, Any]] = mapped_column(JSON)
    conflicts: Mapped[dict[str, Any]] = mapped_column(JSON)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    undone_at: Mapped[datetime | None] = mapped_column(nullable=True)
    undone_by: Mapped[int | None] = mapped_column(BigID, nullable=True)

    __table_args__ = (Index(None, "kept_id"), Index(None, "merged_id"))
