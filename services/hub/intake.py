"""Intake: every channel's touchpoints come in here, and customers who leave the queue."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

from sqlalchemy import select, union
from sqlalchemy.exc import IntegrityError

from services.domain.errors import InvalidInput, TooLarge, UnsupportedType
from services.domain.inbox import InboundMessage, IngestResult
from services.hub.calls import Calls, call_of, is_call_end
from services.hub.customers import CustomerDirectory
from services.hub.files import Files
from services.hub.router import Router
from services.hub.sla import ResponseTimers, sla_view_at
from services.hub.snoozes import Snoozes
from services.hub.state import IN_QUEUE, WORKING, Conv, LiveState, State
from services.hub.transitions import Transitions
from services.protocol.channels import CONTINUING
from services.protocol.events import EventName
from services.store import tables
from services.store.models import utcnow
from services.store.rows import add_lifecycle, item_view, timeline_row
from services.store.store import Store
from services.store.writer import WriteBatch


class Intake:
    def __init__(
        self,
        store: Store,
        state: LiveState,
        customers: CustomerDirectory,
        router: Router,
        transitions: Transitions,
        files: Files,
        timers: ResponseTimers,
        snoozes: Snoozes,
    ) -> None:
        self.store = store
        self.state = state
        self.customers = customers
        self.router = router
        self.transitions = transitions
        self.files = files
        self.timers = timers
        self.snoozes = snoozes
        self._locks: dict[int, asyncio.Lock] = {}
        self.calls: Calls | None = None  # set by the hub

    def customer_lock(self, customer_id: int) -> asyncio.Lock:
        """Held while a customer's open conversations are looked up and one is opened."""
        return self._locks.setdefault(customer_id, asyncio.Lock())

    async def ingest(self, msg: InboundMessage) -> IngestResult:
        """Record a touchpoint; the provider is acknowledged only after this returns."""
        value = self.customers.normalise(msg.identity_kind, msg.identity_value)
        customer_id = await self._answering(msg, value)
        if customer_id is None:
            customer_id = await self.customers.resolve(
                msg.identity_kind, value, msg.display_name, msg.verified
            )
        if msg.claims:
            await self.customers.add_claims(customer_id, msg.claims, msg.display_name)
        if self.calls is not None and is_call_end(msg):
            completed = await self.calls.ended(customer_id, msg)
            if completed is not None:
                return completed
        if msg.attachment_ids:
            # The sender's own uploads for this customer, not sent yet (a retry of a message
            # already stored finds them sent: the first copy answers below).
            duplicate = await self._stored(msg)
            if duplicate is not None:
                return IngestResult(customer_id, duplicate[1], duplicate[0], duplicate=True)
            msg.attachments = await self.files.attachable(
                msg.attachment_ids, customer_id, visitor=value
            )
        if msg.files:
            duplicate = await self._stored(msg)
            if duplicate is not None:  # redelivered: its files were kept the first time
                return IngestResult(customer_id, duplicate[1], duplicate[0], duplicate=True)
            await self._keep_provider_files(msg, customer_id)
        async with self.customer_lock(customer_id):
            return await self._ingest_locked(customer_id, msg)

    async def _answering(self, msg: InboundMessage, value: str) -> int | None:
        """The customer an e-mail answers: one we wrote to at this very address (its
        In-Reply-To or References name our message). The mailbox received and answered, so
        the address is proved theirs (a verified identity from now on)."""
        if msg.channel != "email" or msg.identity_kind != "email":
            return None
        ids = [msg.extra.get("in_reply_to"), *(msg.extra.get("references") or [])]
        ours = [i[:200] for i in ids if isinstance(i, str) and i][:20]
        if not ours:
            return None
        timeline, identities, claims = tables.timeline, tables.identities, tables.identity_claims

        def find(c: Any) -> int | None:
            # One of ours, to a customer who has this address (delivered or typed in).
            has_it = union(
                select(identities.c.customer_id).where(
                    identities.c.kind == "email", identities.c.value == value
                ),
                select(claims.c.customer_id).where(
                    claims.c.kind == "email", claims.c.value == value
                ),
            )
            found = c.execute(
                select(timeline.c.customer_id)
                .where(
                    timeline.c.channel == "email",
                    timeline.c.direction == "out",
                    timeline.c.provider_id.in_(ours),
                    timeline.c.customer_id.in_(has_it),
                )
                .limit(1)
            ).scalar()
            return int(found) if found is not None else None

        customer_id = await self.store.read(find)
        if customer_id is not None:
            await self.customers.add_proven(customer_id, {"email": value})
        return customer_id

    async def _keep_provider_files(self, msg: InboundMessage, customer_id: int) -> None:
        """Files a provider delivered, checked like any upload (type by content, size) and
        kept for the customer; what is refused is named on the message, never dropped
        silently."""
        refused: list[dict[str, str]] = list(msg.extra.get("refused_files", []))
        per_message = self.files.limits.per_message
        for index, file in enumerate(msg.files):
            name = file.name[:200] or "file"
            if index >= per_message:
                refused.append({"name": name, "reason": f"more than {per_message} files"})
                continue

            async def chunks(data: bytes = file.data) -> AsyncIterator[bytes]:
                yield data

            try:
                received = await self.files.receive(chunks(), name, file.mime)
                msg.attachments.append(await self.files.keep(received, customer_id))
            except (TooLarge, UnsupportedType, InvalidInput) as exc:
                refused.append({"name": name, "reason": str(exc)})
        msg.files = []
        if refused:
            msg.extra = dict(msg.extra, refused_files=refused)

    async def _ingest_locked(self, customer_id: int, msg: InboundMessage) -> IngestResult:
        conv = self.state.open_conversation(customer_id, msg.channel)
        if conv is None and msg.channel in CONTINUING:
            # The customer goes on elsewhere (e-mails after chatting): the same conversation.
            conv = self.state.continuable(
                customer_id, msg.channel, utcnow(), self.router.config.cross_channel_s
            )
        switched_from = ""
        call_id = str(call_of(msg).get("channel_id") or "") if msg.channel == "voice" else ""
        if conv is not None:
            before = conv.last_inbound_channel or conv.channel
            if before != msg.channel:
                switched_from = before
                msg.extra = dict(msg.extra, switched_from=before)
        created: Conv | None = None
        if conv is None:
            created = self.router.new_conversation(
                customer_id, msg.channel, msg.subject or msg.text
            )
            conv = created
        elif conv.state in WORKING and conv.operator_id is not None:
            owner = self.state.operators.get(conv.operator_id)
            if owner is None or owner.presence == "offline":
                await self.router.requeue(conv)

        if call_id and not conv.call_id:
            conv.call_id = call_id
        target = conv.holder
        author = msg.display_name or self.state.names.get(customer_id, "")
        known = conv
        file_ids = [a["id"] for a in msg.attachments if "id" in a]
        # The customer writes in an answered conversation: a reply is owed again, from now.
        # (Further messages before the reply change nothing: the clock is already running.)
        waiting: datetime | None = None
        owed_view = None
        if created is None and conv.awaiting_since is None:
            waiting = utcnow()  # provisional: the batch's time replaces it
            conv.awaiting_since, conv.breached = waiting, False
            owed_view = conv.view() if conv.owed() is not None else None

        def job(b: WriteBatch) -> tuple[int, int, datetime]:
            if created is not None:
                conv_id = b.next_id(tables.conversations)
                _insert_conversation(b, conv_id, created)
            else:
                conv_id = known.id
                b.add_update_activity(conv_id)
                if waiting is not None:
                    b.owe_response(conv_id)
            item_id = b.next_id(tables.timeline)
            row = timeline_row(
                item_id=item_id,
                customer_id=customer_id,
                conversation_id=conv_id,
                kind=msg.kind,
                channel=msg.channel,
                direction="in",
                author_operator_id=None,
                author_label=author,
                subject=msg.subject,
                body=msg.text,
                attachments=msg.attachments,
                extra=msg.extra,
                provider_id=msg.provider_id,
                created_at=b.now,
            )
            b.add(tables.timeline, row)
            Files.link_job(b, file_ids, item_id, conv_id)
            if switched_from:
                details = {"from": switched_from, "to": msg.channel}
                add_lifecycle(b, conv_id, "channel_switch", None, known.queue_id, details)
            if target is not None:
                event: dict[str, Any] = {"item": item_view(row)}
                if owed_view is not None and waiting is not None:
                    # The reply now owed rides on the message's own event (one event, not two).
                    event["conversation"] = sla_view_at(b, owed_view, waiting)
                b.emit(target, EventName.TIMELINE_ITEM, event)
            if created is not None:
                # the instants the row says, read from one place
                created.queued_at = created.awaiting_since = b.now
            return conv_id, item_id, b.now

        try:
            conv_id, item_id, now = await self.store.write(job)
            conv.last_inbound_at, conv.last_inbound_channel = now, msg.channel
        except BaseException as exc:
            if waiting is not None and conv.awaiting_since is waiting:
                conv.awaiting_since = None  # the store said no: still answered
            if not isinstance(exc, IntegrityError) or msg.provider_id is None:
                raise
            # The provider sent this message before: the first copy stands.
            found = await self._stored(msg)
            if found is None:
                raise
            return IngestResult(customer_id, found[1], found[0], duplicate=True)
        if waiting is not None:
            if conv.awaiting_since is waiting:
                conv.awaiting_since = now
            self.timers.schedule(conv)
            if owed_view is not None:
                self.transitions.queue_changed(conv, conv.state, skip=[t for t in (target,) if t])
        if created is not None:
            created.id = conv_id
            self.state.register(created)
            self.timers.schedule(created)
            self.transitions.queue_changed(created, None)
            self.router.request()
        elif conv.state == State.QUEUED:
            self.router.request()
        else:
            await self.snoozes.customer_wrote(conv)
        return IngestResult(customer_id, conv_id, item_id)

    async def _stored(self, msg: InboundMessage) -> tuple[int, int] | None:
        """(item id, conversation id) of this provider message if it is stored already."""
        if msg.provider_id is None:
            return None
        timeline = tables.timeline
        found = await self.store.read(
            lambda c: c.execute(
                select(timeline.c.id, timeline.c.conversation_id).where(
                    timeline.c.channel == msg.channel,
                    timeline.c.provider_id == msg.provider_id,
                )
            ).first()
        )
        return None if found is None else (int(found.id), int(found.conversation_id or 0))

    async def abandon(self, kind: str, raw: str, channel: str) -> bool:
        """The customer left before anyone answered (closed the chat, hung up in the queue)."""
        try:
            value = self.customers.normalise(kind, raw)
        except InvalidInput:
            return False
        customer_id = self.customers.cached(kind, value)
        conv = (
            self.state.open_conversation(customer_id, channel) if customer_id is not None else None
        )
        if conv is None or conv.state not in IN_QUEUE:
            return False
        if channel == "voice" and self.calls is not None:
            return await self.calls.missed(conv)  # a task to call them back, not gone
        await self.transitions.run(
            conv,
            None,
            IN_QUEUE,
            State.ABANDONED,
            "abandoned",
            {"abandoned_at": True, "closed_at": True, "offered_to": None},
        )
        return True


def _insert_conversation(
    b: WriteBatch,
    conv_id: int,
    conv: Conv,
    *,
    owner: int | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """A new conversation's row and its ``queued`` moment; with ``owner``, one an operator
    started: theirs and active at once (``accepted`` at the same instant)."""
    b.add(
        tables.conversations,
        {
            "id": conv_id,
            "customer_id": conv.customer_id,
            "channel": conv.channel,
            "queue_id": conv.queue_id,
            "state": State.QUEUED if owner is None else State.ACTIVE,
            "operator_id": owner,
            "offered_to": None,
            "preferred_operator_id": conv.preferred_operator_id,
            "subject": conv.subject,
            "version": 0 if owner is None else 1,
            "queued_at": b.now,
            "accepted_at": None if owner is None else b.now,
            "awaiting_since": b.now if owner is None else None,
            "hold_seconds": 0.0,
            "last_activity_at": b.now,
            "created_at": b.now,
        },
    )
    add_lifecycle(b, conv_id, "queued", None, conv.queue_id, details)
    if owner is not None:
        add_lifecycle(b, conv_id, "accepted", owner, conv.queue_id, details)
