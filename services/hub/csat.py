"""Customer satisfaction: a customer rates a closed conversation of their own, once.

The answer is a timeline item (kind ``csat``: ``extra.rating`` 1-5, the comment as its body)
sent live to the operator who held the conversation, and the newest answer is the card's
``last_csat``. The first answer stands: the same answer again (a widget retrying after a
reconnect) returns it again, a different one is refused with ``conflict``.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.exc import IntegrityError

from services.domain.errors import Conflict, InvalidInput, NotFound
from services.domain.inbox import CsatAnswer
from services.hub.customers import CustomerDirectory
from services.hub.state import LiveState, State
from services.protocol.events import EventName
from services.store import tables
from services.store.models import EventKind, utcnow
from services.store.rows import item_view, timeline_row
from services.store.store import Store
from services.store.writer import WriteBatch

MAX_COMMENT = 1000
# A visitor coming back this long after the close is not asked any more.
ASK_WITHIN = timedelta(days=7)
RATED_STATES = (State.RESOLVED, State.CLOSED)


class Csat:
    def __init__(self, store: Store, state: LiveState, customers: CustomerDirectory) -> None:
        self.store = store
        self.state = state
        self.customers = customers

    async def _customer(self, kind: str, value: str) -> int | None:
        value = self.customers.normalise(kind, value)
        cached = self.customers.cached(kind, value)
        if cached is not None:
            return cached
        ids = tables.identities
        return await self.store.read(
            lambda c: c.execute(
                select(ids.c.customer_id).where(ids.c.kind == kind, ids.c.value == value)
            ).scalar()
        )

    async def rate(self, kind: str, value: str, answer: CsatAnswer) -> dict[str, Any]:
        if not 1 <= answer.rating <= 5:
            raise InvalidInput("a rating is a whole number from 1 to 5")
        comment = answer.comment.strip()
        if len(comment) > MAX_COMMENT:
            raise InvalidInput(f"a comment may have at most {MAX_COMMENT} characters")
        customer_id = await self._customer(kind, value)
        conv_id = answer.conversation_id
        conv = await self.store.read(lambda c: _conversation(c, conv_id))
        # Another customer's conversation is "not found": nothing says it exists.
        if conv is None or customer_id is None or conv.customer_id != customer_id:
            raise NotFound(f"no conversation {conv_id} of yours")
        if conv.state not in RATED_STATES:
            raise Conflict("the conversation is not closed yet", state=conv.state)
        author = self.state.names.get(customer_id, "")
        rating = answer.rating

        def job(b: WriteBatch) -> dict[str, Any]:
            before = _answer(b, conv_id)
            if before is not None:
                return _replay(before, rating, comment)
            item_id = b.next_id(tables.timeline)
            row = timeline_row(
                item_id=item_id,
                customer_id=customer_id,
                conversation_id=conv_id,
                kind=EventKind.CSAT,
                channel=conv.channel,
                direction="in",
                author_operator_id=None,
                author_label=author,
                body=comment,
                extra={"rating": rating},
                created_at=b.now,
            )
            b.add(tables.timeline, row)
            b.add(
                tables.csat_responses,
                {
                    "conversation_id": conv_id,
                    "customer_id": customer_id,
                    "rating": rating,
                    "comment": comment,
                    "item_id": item_id,
                    "created_at": b.now,
                },
            )
            if conv.operator_id is not None:
                b.emit(conv.operator_id, EventName.TIMELINE_ITEM, {"item": item_view(row)})
            return {"conversation_id": conv_id, "rating": rating, "comment": comment}

        try:
            return await self.store.write(job)
        except IntegrityError:
            # Answered at the same moment from another tab: the first one stands.
            before = await self.store.read(lambda c: _answer(c, conv_id))
            if before is None:
                raise
            return _replay(before, rating, comment)

    async def awaiting(self, kind: str, value: str, channel: str) -> int | None:
        try:
            customer_id = await self._customer(kind, value)
        except InvalidInput:
            return None
        if customer_id is None:
            return None
        if self.state.open_conversation(customer_id, channel) is not None:
            return None  # writing again: a new conversation, nothing to rate now
        cutoff = utcnow() - ASK_WITHIN
        return await self.store.read(lambda c: _awaiting(c, customer_id, channel, cutoff))


def _replay(before: Any, rating: int, comment: str) -> dict[str, Any]:
    if before.rating != rating or before.comment != comment:
        raise Conflict("this conversation was already rated")
    return {"conversation_id": before.conversation_id, "rating": rating, "comment": comment}


def _conversation(conn: Connection, conv_id: int) -> Any:
    c = tables.conversations
    return conn.execute(
        select(c.c.id, c.c.customer_id, c.c.channel, c.c.state, c.c.operator_id).where(
            c.c.id == conv_id
        )
    ).first()


def _answer(conn: Connection | WriteBatch, conv_id: int) -> Any:
    r = tables.csat_responses
    return conn.execute(
        select(r.c.conversation_id, r.c.rating, r.c.comment).where(r.c.conversation_id == conv_id)
    ).first()


def _awaiting(conn: Connection, customer_id: int, channel: str, cutoff: Any) -> int | None:
    c, r = tables.conversations, tables.csat_responses
    last = conn.execute(
        select(c.c.id, c.c.state, c.c.closed_at)
        .where(c.c.customer_id == customer_id, c.c.channel == channel)
        .order_by(c.c.id.desc())
        .limit(1)
    ).first()
    if last is None or last.state not in RATED_STATES or last.closed_at is None:
        return None
    if last.closed_at < cutoff:
        return None
    rated = conn.execute(select(r.c.id).where(r.c.conversation_id == last.id)).first()
    return None if rated is not None else int(last.id)
