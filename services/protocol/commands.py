"""Typed arguments of every operator command, by command name.

A command's ``args`` object is decoded into the struct registered here; unknown fields are
rejected so that a typo fails loudly instead of being ignored.
"""

from __future__ import annotations

from typing import Literal

import msgspec

PresenceName = Literal["available", "break", "after_call_work", "offline"]
ChannelName = Literal["webchat", "email", "telegram", "whatsapp", "sms", "voice", "visit"]
HintOutcome = Literal["accepted", "dismissed"]


class Args(msgspec.Struct, forbid_unknown_fields=True):
    pass


class NoArgs(Args):
    pass


class PresenceSet(Args):
    status: PresenceName


class ConversationRef(Args):
    conversation_id: int


class MessageSend(Args):
    customer_id: int
    channel: ChannelName
    text: str
    conversation_id: int | None = None
    subject: str = ""


class NoteAdd(Args):
    customer_id: int
    text: str
    conversation_id: int | None = None


class Transfer(Args):
    conversation_id: int
    to_operator_id: int | None = None
    to_queue: str | None = None
    note: str = ""


class WrapUp(Args):
    conversation_id: int
    disposition: str
    resolution: str = ""
    resolved: bool = True


class CustomerOpen(Args):
    customer_id: int
    limit: int = 50
    # The interaction the card is open for (its hints are per conversation); by default the
    # operator's own open conversation with this customer.
    conversation_id: int | None = None


class TimelinePage(Args):
    customer_id: int
    before: int | None = None  # cursor: the id of the oldest item already shown
    limit: int = 50


class CustomerSearch(Args):
    query: str
    limit: int = 20


class Snapshot(Args):
    pass


class HintRespond(Args):
    hint_id: str
    outcome: HintOutcome
    customer_id: int


# name -> (args struct, mutating: needs an idempotency key)
COMMANDS: dict[str, tuple[type[Args], bool]] = {
    "presence.set": (PresenceSet, True),
    "conversation.accept": (ConversationRef, True),
    "conversation.decline": (ConversationRef, True),
    "conversation.hold": (ConversationRef, True),
    "conversation.resume": (ConversationRef, True),
    "conversation.end": (ConversationRef, True),
    "conversation.transfer": (Transfer, True),
    "conversation.wrap_up": (WrapUp, True),
    "message.send": (MessageSend, True),
    "note.add": (NoteAdd, True),
    "hint.respond": (HintRespond, True),
    "customer.open": (CustomerOpen, False),
    "timeline.page": (TimelinePage, False),
    "customer.search": (CustomerSearch, False),
    "state.snapshot": (Snapshot, False),
}

MAX_TEXT = 20_000
MAX_PAGE = 200
