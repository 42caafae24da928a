"""Every event the gateway sends an operator: its name and the shape of its payload.

Sequenced events (``{"type": "event", "seq": …}``) are an operator's own stream and are kept for
resume; live frames (``{"type": "live"}``) are views of shared state (the queue) and are not.
The gateway emits only these names and the desktop dispatches on them: a new event is added
here first. Payload values are plain JSON (the views are documented in docs/protocol.md §5).
"""

from __future__ import annotations

import enum
from typing import Any, NotRequired, TypedDict


class EventName(enum.StrEnum):
    # sequenced: the operator's own stream
    CONVERSATION_OFFERED = "conversation.offered"
    CONVERSATION_OFFER_WITHDRAWN = "conversation.offer_withdrawn"
    CONVERSATION_UPDATED = "conversation.updated"
    TIMELINE_ITEM = "timeline.item"
    MESSAGE_DELIVERY = "message.delivery"
    PRESENCE_CHANGED = "presence.changed"
    HINTS_UPDATED = "hints.updated"
    CUSTOMER_UPDATED = "customer.updated"


class LiveName(enum.StrEnum):
    # unsequenced: views of shared state
    QUEUE_UPDATED = "queue.updated"
    QUEUE_RESYNC = "queue.resync"
    CANNED_CHANGED = "canned.changed"


ConversationView = dict[str, Any]  # docs/protocol.md §5: id, customer_id, channel, state, …
ItemView = dict[str, Any]  # docs/protocol.md §5: one timeline item


class CustomerRef(TypedDict):
    id: int
    name: str


class ConversationOffered(TypedDict):
    conversation: ConversationView
    customer: CustomerRef
    expires_at: str
    transfer: NotRequired[dict[str, Any]]


class ConversationOfferWithdrawn(TypedDict):
    conversation: ConversationView
    reason: str  # timeout, presence, taken


class ConversationUpdated(TypedDict):
    conversation: ConversationView
    # A snoozed conversation woke: "time" (its time came) or "customer" (the customer wrote).
    woken: NotRequired[str]


class TimelineItem(TypedDict):
    item: ItemView
    # The conversation's new view when this message changed the reply it owes (docs §5).
    conversation: NotRequired[dict[str, Any]]


class MessageDelivery(TypedDict):
    event_id: int
    customer_id: int
    delivery: str  # services.protocol.channels.DELIVERY_ORDER, or "failed"
    error: str
    # When it failed for good: the other channels that reach the customer ({channel,
    # address, claimed}), so the operator can try one of them.
    alternatives: NotRequired[list[dict[str, Any]]]


class PresenceChanged(TypedDict):
    presence: str
    since: str
    # Why the gateway changed it, when it did ("missed_offers"); absent when the operator did.
    reason: NotRequired[str]


class HintsUpdated(TypedDict):
    customer_id: int
    hints: list[dict[str, Any]]


class CustomerUpdated(TypedDict):
    # The card's header (id, name, segment, language, last_csat) and contacts, as now stored.
    customer: dict[str, Any]
    identities: list[dict[str, Any]]


class QueueUpdated(TypedDict):
    conversation: ConversationView
    customer: CustomerRef


class CannedChanged(TypedDict):
    scope: str  # team, personal
    version: int  # the scope's version after the change
    change: str  # created, updated, deleted; reloaded: changed elsewhere, list them again
    response: NotRequired[dict[str, Any]]  # docs/protocol.md: a canned response (not with reloaded)


PAYLOADS: dict[str, type[Any]] = {
    EventName.CONVERSATION_OFFERED: ConversationOffered,
    EventName.CONVERSATION_OFFER_WITHDRAWN: ConversationOfferWithdrawn,
    EventName.CONVERSATION_UPDATED: ConversationUpdated,
    EventName.TIMELINE_ITEM: TimelineItem,
    EventName.MESSAGE_DELIVERY: MessageDelivery,
    EventName.PRESENCE_CHANGED: PresenceChanged,
    EventName.HINTS_UPDATED: HintsUpdated,
    EventName.CUSTOMER_UPDATED: CustomerUpdated,
    LiveName.QUEUE_UPDATED: QueueUpdated,
    LiveName.CANNED_CHANGED: CannedChanged,
}
