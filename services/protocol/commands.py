"""Typed arguments of every operator command, by command name.

A command's ``args`` object is decoded into the struct registered here; unknown fields are
rejected so that a typo fails loudly instead of being ignored.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

from services.protocol import triage
from services.protocol.canned import Language, Scope
from services.protocol.channels import ChannelName
from services.protocol.framing import MAX_ID
from services.protocol.touchpoints import MAX_DURATION_MIN, TouchpointKind

MAX_TEXT = 20_000
MAX_PAGE = 200
# Longer than any name, phone or e-mail address a search could match.
MAX_QUERY = 200
# Files one message may name; the gateway's own limit ([files] per_message, 5) is lower.
MAX_ATTACHMENTS = 20
# Fields the gateway cuts shorter itself (a subject, a disposition) are capped at MAX_TEXT.

# Every store id: a PostgreSQL bigint, and never 0 or negative.
Id = Annotated[int, msgspec.Meta(ge=1, le=MAX_ID)]
# A count the gateway clamps (a page size): any 64-bit integer is accepted.
Count = Annotated[int, msgspec.Meta(ge=-MAX_ID - 1, le=MAX_ID)]
Text = Annotated[str, msgspec.Meta(max_length=MAX_TEXT)]
Name = Annotated[str, msgspec.Meta(max_length=64)]

PresenceName = Literal["available", "break", "after_call_work", "offline"]
HintOutcome = Literal["accepted", "dismissed"]

# A customer's details an operator may set (customer.update): the segments and languages the
# gateway knows, the longest name, how many contacts one customer may have.
Segment = Literal["new", "standard", "premium", "vip"]
SEGMENTS: tuple[str, ...] = ("new", "standard", "premium", "vip")
CustomerLanguage = Literal["ru", "en"]
CUSTOMER_LANGUAGES: tuple[str, ...] = ("ru", "en")
MAX_CUSTOMER_NAME = 200
MAX_CONTACTS = 20
# The identity kinds an operator may type for a customer (services.protocol.channels).
ContactKind = Literal["phone", "email"]


class Args(msgspec.Struct, forbid_unknown_fields=True):
    pass


class NoArgs(Args):
    pass


class PresenceSet(Args):
    status: PresenceName


class ConversationRef(Args):
    conversation_id: Id


TemplateParameter = Annotated[str, msgspec.Meta(max_length=1000)]


class TemplateRef(Args):
    """An approved provider template (WhatsApp outside its 24-hour window)."""

    name: Name
    language: Name = ""
    parameters: Annotated[
        list[Annotated[str, msgspec.Meta(max_length=1000)]], msgspec.Meta(max_length=10)
    ] = []


class MessageSend(Args):
    customer_id: Id
    channel: ChannelName
    text: Text
    conversation_id: Id | None = None
    subject: Text = ""
    # Files uploaded before (POST /files) to send with it; the text may then be empty.
    attachments: Annotated[list[Id], msgspec.Meta(max_length=MAX_ATTACHMENTS)] = []
    # Send this approved template instead of free text (``text`` is what it says, for the
    # timeline).
    template: TemplateRef | None = None


class NoteAdd(Args):
    customer_id: Id
    text: Text
    conversation_id: Id | None = None


class Transfer(Args):
    conversation_id: Id
    to_operator_id: Id | None = None
    to_queue: Name | None = None
    note: Text = ""


class WrapUp(Args):
    conversation_id: Id
    disposition: Text
    resolution: Text = ""
    resolved: bool = True


class CustomerOpen(Args):
    customer_id: Id
    limit: Count = 50
    # The interaction the card is open for (its hints are per conversation); by default the
    # operator's own open conversation with this customer.
    conversation_id: Id | None = None


class TimelinePage(Args):
    customer_id: Id
    before: Id | None = None  # cursor: the id of the oldest item already shown
    limit: Count = 50


class CustomerSearch(Args):
    query: Annotated[str, msgspec.Meta(max_length=MAX_QUERY)]
    limit: Count = 20


class Snapshot(Args):
    pass


class HintRespond(Args):
    hint_id: Name
    outcome: HintOutcome
    customer_id: Id


class CustomerUpdate(Args):
    customer_id: Id
    # Only what is given changes; a name is trimmed and holds 1..MAX_CUSTOMER_NAME characters.
    name: Text | None = None
    segment: Segment | None = None
    language: CustomerLanguage | None = None


class ContactChange(Args):
    customer_id: Id
    kind: ContactKind
    value: Annotated[str, msgspec.Meta(max_length=320)]


class OrderGet(Args):
    customer_id: Id
    order: Name  # the order number, as the card's purchases name it


class ConversationStart(Args):
    customer_id: Id
    channel: ChannelName
    text: Text
    subject: Text = ""


# Tags and canned fields are trimmed, normalised and bounded by the gateway; these bounds only
# keep what reaches it small (services.protocol.triage and .canned say what is accepted).
RawTag = Annotated[str, msgspec.Meta(max_length=64)]
TagList = Annotated[list[RawTag], msgspec.Meta(max_length=triage.MAX_TAGS)]
Version = Annotated[int, msgspec.Meta(ge=0, le=MAX_ID)]
Shortcut = Annotated[str, msgspec.Meta(max_length=64)]
Title = Annotated[str, msgspec.Meta(max_length=256)]
AwareTime = Annotated[datetime, msgspec.Meta(tz=True)]


class ConversationTag(Args):
    conversation_id: Id
    add: TagList = []
    remove: TagList = []


class SetPriority(Args):
    conversation_id: Id
    priority: triage.Priority


class Snooze(Args):
    conversation_id: Id
    until: AwareTime | None = None
    until_reply: bool = False


class TouchpointLog(Args):
    """A visit or an outside call, logged on the customer's timeline by the operator."""

    customer_id: Id
    kind: TouchpointKind
    happened_at: AwareTime
    summary: Text
    outcome: Name  # one of services.protocol.touchpoints.OUTCOMES
    direction: Literal["in", "out"] = "in"  # the customer came or called; we called them
    duration_min: Annotated[int, msgspec.Meta(ge=0, le=MAX_DURATION_MIN)] = 0


class CustomerMerge(Args):
    """Two customers who are one person: the older is kept, the other redirects to it."""

    customer_id: Id
    other_customer_id: Id
    suggestion_id: Id | None = None  # the suggestion this confirms, if any


class CustomerUnmerge(Args):
    merge_id: Id


class MergeReject(Args):
    suggestion_id: Id


class CannedList(Args):
    # The versions the desktop has cached: when both are current, no responses are sent.
    team_version: Version | None = None
    personal_version: Version | None = None
    after: Id | None = None  # cursor: the id of the last response of the page before
    limit: Count = MAX_PAGE


class CannedCreate(Args):
    scope: Scope
    shortcut: Shortcut
    title: Title
    language: Language
    text: Text
    queue_id: Id | None = None


class CannedUpdate(Args):
    canned_id: Id
    # The response's version the change was made from: a newer one is a conflict.
    version: Version | None = None
    shortcut: Shortcut | msgspec.UnsetType = msgspec.UNSET
    title: Title | msgspec.UnsetType = msgspec.UNSET
    language: Language | msgspec.UnsetType = msgspec.UNSET
    text: Text | msgspec.UnsetType = msgspec.UNSET
    # null: offered in every queue again.
    queue_id: Id | msgspec.UnsetType | None = msgspec.UNSET


class CannedDelete(Args):
    canned_id: Id
    version: Version | None = None


Role = Literal["agent", "supervisor", "admin"]
# Who may run a command: an agent's commands are open to every role, a supervisor's to
# supervisors and admins.
ROLE_RANK: dict[str, int] = {"agent": 0, "supervisor": 1, "admin": 2}


class CommandSpec(msgspec.Struct, frozen=True):
    """What the wire says about a command; the gateway binds a handler to each name once."""

    name: str
    args: type[Args]
    # Mutating commands need an idempotency key, and the desktop sends them through its outbox.
    mutating: bool
    role: Role = "agent"


COMMANDS: dict[str, CommandSpec] = {
    spec.name: spec
    for spec in (
        CommandSpec("presence.set", PresenceSet, True),
        CommandSpec("conversation.accept", ConversationRef, True),
        CommandSpec("conversation.decline", ConversationRef, True),
        CommandSpec("conversation.hold", ConversationRef, True),
        CommandSpec("conversation.resume", ConversationRef, True),
        CommandSpec("conversation.end", ConversationRef, True),
        CommandSpec("conversation.transfer", Transfer, True),
        CommandSpec("conversation.wrap_up", WrapUp, True),
        CommandSpec("message.send", MessageSend, True),
        CommandSpec("note.add", NoteAdd, True),
        CommandSpec("touchpoint.log", TouchpointLog, True),
        CommandSpec("hint.respond", HintRespond, True),
        CommandSpec("customer.update", CustomerUpdate, True),
        CommandSpec("customer.add_contact", ContactChange, True),
        CommandSpec("customer.remove_contact", ContactChange, True),
        CommandSpec("customer.merge", CustomerMerge, True),
        CommandSpec("customer.unmerge", CustomerUnmerge, True),
        CommandSpec("merge.reject", MergeReject, True),
        CommandSpec("conversation.start", ConversationStart, True),
        CommandSpec("order.get", OrderGet, False),
        CommandSpec("conversation.tag", ConversationTag, True),
        CommandSpec("conversation.set_priority", SetPriority, True),
        CommandSpec("conversation.snooze", Snooze, True),
        CommandSpec("conversation.unsnooze", ConversationRef, True),
        CommandSpec("canned.create", CannedCreate, True),
        CommandSpec("canned.update", CannedUpdate, True),
        CommandSpec("canned.delete", CannedDelete, True),
        CommandSpec("canned.list", CannedList, False),
        CommandSpec("customer.open", CustomerOpen, False),
        CommandSpec("timeline.page", TimelinePage, False),
        CommandSpec("customer.search", CustomerSearch, False),
        CommandSpec("state.snapshot", Snapshot, False),
        # Not mutating: revoking a token twice leaves it revoked, so a retry without a key is
        # harmless, and a client signing out must not need its outbox to do it.
        CommandSpec("auth.logout", NoArgs, False),
    )
}
MUTATING: frozenset[str] = frozenset(name for name, spec in COMMANDS.items() if spec.mutating)


def may_run(role: str, spec: CommandSpec) -> bool:
    return ROLE_RANK.get(role, -1) >= ROLE_RANK[spec.role]
