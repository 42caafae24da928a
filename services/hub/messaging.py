"""Messaging: notes, replies on any channel the customer has, and their delivery states."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import select, update

from services.domain.errors import InvalidInput, NotFound, Unreachable
from services.domain.inbox import (
    ChannelAdapter,
    ChannelUnavailable,
    OutboundMessage,
    TemplatedAdapter,
)
from services.domain.routing import OperatorState
from services.hub.files import Files
from services.hub.sla import ResponseTimers, sla_update
from services.hub.state import WORKING, Conv, LiveState
from services.protocol import channels, commands
from services.protocol.events import EventName
from services.store import queries, tables
from services.store.rows import add_idempotency, add_lifecycle, item_view, note_row, timeline_row
from services.store.store import Store
from services.store.writer import WriteBatch

log = logging.getLogger(__name__)

# The provider's own "retry after" is honoured up to this long (HubConfig.delivery_retry_s
# says how often and after how long a refused send is tried again).
MAX_RETRY_AFTER_S = 600.0
# A message the gateway was still handing to its provider when it stopped.
INTERRUPTED = "the gateway restarted while sending this: it may not have gone out"
INTERRUPTED_LIMIT = 1000

IdemKey = tuple[int, str, str]


@dataclass(frozen=True, slots=True)
class Outbound:
    """A message an operator writes, checked, with where it goes."""

    customer_id: int
    channel: str
    text: str
    subject: str
    address: str
    claimed: bool  # the address is one the customer (or an operator) only stated
    adapter: ChannelAdapter
    files: tuple[dict[str, Any], ...] = ()  # attachments, as the timeline item lists them
    template: dict[str, Any] | None = None  # an approved template instead of free text


class Messaging:
    def __init__(
        self,
        store: Store,
        state: LiveState,
        adapters: dict[str, ChannelAdapter],
        spawn: Callable[[Awaitable[Any]], None],
        files: Files,
        timers: ResponseTimers,
        queue_changed: Callable[..., None],
    ) -> None:
        self.store = store
        self.state = state
        self.adapters = adapters
        self.spawn = spawn
        self.retry_delays_s: tuple[float, ...] = ()
        self.files = files
        self.timers = timers
        self.queue_changed = queue_changed

    async def require_conversation_of(self, conversation_id: int, customer_id: int) -> None:
        conv = self.state.convs.get(conversation_id)
        if conv is not None:
            owner: int | None = conv.customer_id
        else:
            convs = tables.conversations
            owner = await self.store.read(
                lambda c: c.execute(
                    select(convs.c.customer_id).where(convs.c.id == conversation_id)
                ).scalar()
            )
        if owner != customer_id:
            raise InvalidInput(f"conversation {conversation_id} is not this customer's")

    async def note_add(
        self, op: OperatorState, args: commands.NoteAdd, key: IdemKey
    ) -> dict[str, Any]:
        text = args.text.strip()
        if not text or len(text) > commands.MAX_TEXT:
            raise InvalidInput(f"a note needs 1..{commands.MAX_TEXT} characters")
        self.state.require_customer(op, args.customer_id)
        if args.conversation_id is not None:
            await self.require_conversation_of(args.conversation_id, args.customer_id)
        summary = await self.store.read(lambda c: queries.customer_summary(c, args.customer_id))
        if summary is None:
            raise NotFound(f"no customer {args.customer_id}")
        author = op.display_name

        def job(b: WriteBatch) -> dict[str, Any]:
            item_id = b.next_id(tables.timeline)
            row = note_row(
                item_id, args.customer_id, args.conversation_id, op.id, author, text, b.now
            )
            b.add(tables.timeline, row)
            item = item_view(row)
            b.emit(op.id, EventName.TIMELINE_ITEM, {"item": item})
            result = {"item": item}
            add_idempotency(b, key, result)
            return result

        return await self.store.write(job)

    def _working_conversation(self, op: OperatorState, customer_id: int) -> Conv | None:
        return next(
            (
                c
                for c in self.state.conversations_of(customer_id)
                if c.operator_id == op.id and c.state in WORKING
            ),
            None,
        )

    async def prepare_outbound(
        self,
        op: OperatorState,
        customer_id: int,
        channel: str,
        text: str,
        subject: str,
        attachments: list[int] | None = None,
    ) -> Outbound:
        """Check a message an operator writes and find where it goes (the channel's adapter
        and the customer's address, the files it carries): every outbound message passes
        here."""
        spec = channels.CHANNELS[channel]
        text = text.strip()
        limit = min(spec.text_limit, commands.MAX_TEXT)
        if not spec.writable:
            raise InvalidInput(f"the {channel} channel cannot be written to")
        if attachments and not spec.attachments:
            raise InvalidInput(f"files cannot be sent on {channel}")
        if (not text and not attachments) or len(text) > limit:
            raise InvalidInput(f"a {channel} message needs 1..{limit} characters")
        adapter = self.adapters.get(channel)
        if adapter is None:
            raise Unreachable(f"the {channel} channel is not connected")
        identities = await self.store.read(lambda c: queries.identities_of(c, customer_id))
        # A delivered identity first; one the customer only stated, if nothing else.
        found = channels.address_for(channel, identities)
        if found is None:
            raise Unreachable(f"the customer cannot be reached by {channel}")
        files = await self.files.attachable(attachments or [], customer_id, operator_id=op.id)
        return Outbound(
            customer_id,
            channel,
            text,
            subject.strip()[:300],
            found.address,
            found.claimed,
            adapter,
            tuple(files),
        )

    def write_outbound(
        self,
        b: WriteBatch,
        op: OperatorState,
        out: Outbound,
        conv_id: int | None,
        first: bool,
        answered: Answered | None = None,
        queue_id: int | None = None,
        conversation: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """The message's timeline row (and the conversation's first or next response, with
        how long the customer waited against the target) in ``b``; the author hears of it,
        with the ``conversation``'s new view when the reply changed what it owes. Returns the
        item."""
        item_id = b.next_id(tables.timeline)
        row = timeline_row(
            item_id=item_id,
            customer_id=out.customer_id,
            conversation_id=conv_id,
            kind=channels.CHANNELS[out.channel].item_kind,
            channel=out.channel,
            direction="out",
            author_operator_id=op.id,
            author_label=op.display_name,
            subject=out.subject,
            body=out.text,
            attachments=list(out.files),
            delivery=channels.DELIVERY_ORDER[0],
            created_at=b.now,
            extra={"template": out.template["name"]} if out.template else None,
        )
        b.add(tables.timeline, row)
        Files.link_job(b, [f["id"] for f in out.files], item_id, conv_id)
        convs = tables.conversations
        if first and conv_id is not None:
            b.execute(
                update(convs)
                .where(convs.c.id == conv_id, convs.c.first_response_at.is_(None))
                .values(
                    first_response_at=b.now,
                    last_activity_at=b.now,
                    awaiting_since=None,
                    sla_breached_at=None,
                )
            )
        if answered is not None and conv_id is not None:
            kind, since, target, _shown = answered
            if not first:  # answered: nothing waits any more
                b.answer_response(conv_id)
            details = {
                "elapsed_s": round(max(0.0, (b.now - since).total_seconds()), 3),
                "target_s": target or None,
            }
            add_lifecycle(b, conv_id, kind, op.id, queue_id, details)
        elif first and conv_id is not None:  # written first: nobody waited for it
            add_lifecycle(b, conv_id, "first_response", op.id, queue_id)
        item = item_view(row)
        event: dict[str, Any] = {"item": item}
        if conversation is not None:
            event["conversation"] = conversation
        b.emit(op.id, EventName.TIMELINE_ITEM, event)
        return item

    def deliver(self, op: OperatorState, out: Outbound, item: dict[str, Any]) -> None:
        """Hand a committed message to its channel; the author hears how it went."""
        message = OutboundMessage(
            item["id"],
            out.customer_id,
            out.channel,
            out.address,
            out.text,
            out.subject,
            op.name_for_customers,
            list(out.files),
            template=out.template,
        )
        self.spawn(self._deliver(op.id, out.adapter, message))

    async def message_send(
        self, op: OperatorState, args: commands.MessageSend, key: IdemKey
    ) -> dict[str, Any]:
        self.state.require_customer(op, args.customer_id)
        conv: Conv | None
        if args.conversation_id is not None:
            conv = self.state.conversation_for(op, args.conversation_id)
            if conv.customer_id != args.customer_id:
                raise InvalidInput("conversation of another customer")
        else:
            conv = self._working_conversation(op, args.customer_id)
        out = await self.prepare_outbound(
            op, args.customer_id, args.channel, args.text, args.subject, list(args.attachments)
        )
        if args.template is not None:
            out = replace(out, template=self._template(out, args.template))
        conv_id = conv.id if conv else None
        first = conv is not None and not conv.first_response
        # The reply answers what the customer was waiting for: the first response, or the next.
        answered = _answered(conv, first)
        if conv is not None and answered is not None:
            self.timers.cancel(conv)
            conv.awaiting_since, conv.breached, conv.first_response = None, False, True
        sla_view = conv.view() if conv is not None and answered is not None else None
        holder = conv.holder if conv is not None else None
        queue_id = conv.queue_id if conv is not None else None

        shown = sla_view if sla_view is not None and answered is not None and answered[3] else None

        def job(b: WriteBatch) -> dict[str, Any]:
            item = self.write_outbound(b, op, out, conv_id, first, answered, queue_id, shown)
            if shown is not None and holder not in (None, op.id):
                sla_update(b, shown, (holder,), b.now)
            result = {"item": item}
            add_idempotency(b, key, result)
            return result

        try:
            result = await self.store.write(job)
        except BaseException:
            if conv is not None and answered is not None and conv.awaiting_since is None:
                # The store said no: the customer is still waiting, as before.
                conv.awaiting_since, conv.first_response = answered[1], not first
                self.timers.schedule(conv)
            raise
        if conv is not None:
            conv.first_response = True
            if answered is not None and answered[3]:
                self.queue_changed(conv, conv.state, skip=(op.id,))
        self.deliver(op, out, result["item"])
        return result

    async def _deliver(self, op_id: int, adapter: ChannelAdapter, out: OutboundMessage) -> None:
        """Hand the message to its provider; a refusal the provider marks as safe to repeat
        (it certainly did not take the message) is tried again with backoff, anything else
        fails at once: the provider must never get the same message twice."""
        delays = iter(self.retry_delays_s)
        while True:
            try:
                provider_id = await adapter.send(out)
                state, error = "sent", ""
            except ChannelUnavailable as exc:
                delay = next(delays, None) if exc.retry else None
                if delay is not None:
                    wait = max(delay, min(exc.retry_after_s or 0.0, MAX_RETRY_AFTER_S))
                    log.info(
                        "%s send refused, trying again",
                        out.channel,
                        extra={"event_id": out.event_id, "in_s": wait},
                    )
                    await asyncio.sleep(wait)
                    continue
                provider_id, state, error = None, channels.DELIVERY_FAILED, exc.reason
            except Exception as exc:
                log.exception("%s adapter failed", out.channel)
                provider_id, state, error = None, channels.DELIVERY_FAILED, type(exc).__name__
            break
        alternatives = None
        if state == channels.DELIVERY_FAILED:
            alternatives = await self._other_ways(out.customer_id, out.channel)
        await self.set_delivery(
            out.event_id,
            state,
            provider_id=provider_id,
            error=error,
            notify=op_id,
            alternatives=alternatives,
        )

    def _template(self, out: Outbound, ref: commands.TemplateRef) -> dict[str, Any]:
        adapter = out.adapter
        if not isinstance(adapter, TemplatedAdapter):
            raise InvalidInput(f"the {out.channel} channel has no templates")
        if ref.name not in adapter.templates:
            raise InvalidInput(f"{ref.name!r} is not an approved template of {out.channel}")
        return {"name": ref.name, "language": ref.language, "parameters": list(ref.parameters)}

    async def _other_ways(self, customer_id: int, failed: str) -> list[dict[str, Any]]:
        """The other channels that reach the customer (with a working adapter), for the
        operator whose message could not be delivered."""
        rows = await self.store.read(lambda c: queries.identities_of(c, customer_id))
        return [
            {"channel": a.channel, "address": a.address, "claimed": a.claimed}
            for a in channels.reply_addresses(rows)
            if a.channel != failed and a.channel in self.adapters
        ]

    async def fail_interrupted(self, names: list[str], before: datetime) -> int:
        """Messages a provider channel was still sending when the gateway stopped (pending,
        no provider id): their retries were in memory. They are marked failed with why (they
        may or may not have gone out), so the operator decides, and no provider gets one
        twice behind their back. Returns how many."""
        if not names:
            return 0
        timeline = tables.timeline
        rows = await self.store.read(
            lambda c: c.execute(
                select(timeline.c.id, timeline.c.customer_id, timeline.c.channel)
                .where(
                    timeline.c.direction == "out",
                    timeline.c.delivery == channels.DELIVERY_ORDER[0],
                    timeline.c.provider_id.is_(None),
                    timeline.c.channel.in_(names),
                    timeline.c.created_at < before,
                )
                .order_by(timeline.c.id)
                .limit(INTERRUPTED_LIMIT)
            ).all()
        )
        for row in rows:
            await self.set_delivery(
                int(row.id),
                channels.DELIVERY_FAILED,
                error=INTERRUPTED,
                alternatives=await self._other_ways(int(row.customer_id), str(row.channel)),
            )
        if rows:
            log.warning("%d messages were being sent when the gateway stopped", len(rows))
        return len(rows)

    async def receipt(self, channel: str, provider_id: str, state: str, error: str = "") -> bool:
        """A provider's receipt, found by the id the provider gave our outgoing message."""
        if state not in (*channels.DELIVERY_ORDER, channels.DELIVERY_FAILED) or not provider_id:
            return False
        timeline = tables.timeline
        found = await self.store.read(
            lambda c: c.execute(
                select(timeline.c.id).where(
                    timeline.c.channel == channel,
                    timeline.c.provider_id == provider_id[:200],
                    timeline.c.direction == "out",
                )
            ).scalar()
        )
        if found is None:
            return False
        await self.set_delivery(int(found), state, error=error[:300])
        return True

    async def set_delivery(
        self,
        event_id: int,
        state: str,
        *,
        provider_id: str | None = None,
        error: str = "",
        notify: int | None = None,
        alternatives: list[dict[str, Any]] | None = None,
    ) -> None:
        """Record a delivery state (sent, delivered, read, failed) and tell the author (with
        the other channels that reach the customer, when it failed for good)."""
        timeline = tables.timeline

        def job(b: WriteBatch) -> None:
            row = b.execute(
                select(
                    timeline.c.delivery, timeline.c.author_operator_id, timeline.c.customer_id
                ).where(timeline.c.id == event_id)
            ).first()
            if row is None or not channels.advance_delivery(row.delivery, state):
                return  # never move backwards (a late "sent" after "read")
            values: dict[str, Any] = {"delivery": state}
            if provider_id:
                values["provider_id"] = provider_id
            b.execute(update(timeline).where(timeline.c.id == event_id).values(**values))
            target = notify if notify is not None else row.author_operator_id
            if target is not None:
                b.emit(
                    target,
                    EventName.MESSAGE_DELIVERY,
                    {
                        "event_id": event_id,
                        "customer_id": row.customer_id,
                        "delivery": state,
                        "error": error,
                        **({"alternatives": alternatives} if alternatives is not None else {}),
                    },
                )

        await self.store.write(job)


# (lifecycle kind, since when the customer waited, the target in seconds or 0, whether the
# conversation's view showed the response as owed)
Answered = tuple[str, datetime, int, bool]


def _answered(conv: Conv | None, first: bool) -> Answered | None:
    """What a reply in ``conv`` answers, or None (nothing to answer)."""
    if conv is None:
        return None
    since = conv.awaiting_since
    if since is None and first:
        since = conv.queued_at  # a conversation from before the clock was kept
    if since is None:
        return None
    kind = "first_response" if first else "next_response"
    overrides = conv.queue.response_targets if conv.queue is not None else None
    owed = conv.owed()
    return kind, since, channels.response_target(kind, conv.channel, overrides), owed is not None
