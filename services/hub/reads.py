"""Reads of customer data: the card, pages of the feed, search, and the desk's snapshot.

Every read of a customer's data is audited (who, what, when). Agents may open any customer
nobody else is serving (a caller gives their phone and the agent looks them up), but opening
customers the agent has nothing to do with — neither held nor waiting in a queue they may take —
is bounded per hour, so walking the customer ids one by one is refused long before it gets far.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection

from services import nba
from services.domain.errors import InvalidInput, NotFound, RateLimited
from services.domain.identity import InvalidIdentity, normalise_identity
from services.domain.inbox import TemplatedAdapter
from services.domain.routing import OperatorState, eligible
from services.hub.config import HubConfig
from services.hub.hints import Hints
from services.hub.merges import card_merges, resolve_merged
from services.hub.state import IN_QUEUE, WORKING, LiveState, State, is_supervisor
from services.protocol import commands
from services.protocol.channels import address_for
from services.store import queries
from services.store.models import utcnow
from services.store.rows import add_audit
from services.store.store import Store
from services.store.writer import WriteBatch

MAX_SEARCH_RESULTS = 50


class Reads:
    def __init__(self, store: Store, state: LiveState, hints: Hints, config: HubConfig) -> None:
        self.store = store
        self.state = state
        self.hints = hints
        self.config = config
        self._unrelated: dict[int, deque[float]] = {}
        self.adapters: dict[str, Any] = {}  # the hub's, by channel (for the card's windows)

    async def audit(
        self, op: OperatorState, action: str, customer_ids: list[int], details: dict[str, Any]
    ) -> None:
        def job(b: WriteBatch) -> None:
            for customer_id in customer_ids:
                add_audit(b, op.id, action, "customer", customer_id, details)

        await self.store.write(job)

    def related(self, op: OperatorState, customer_id: int) -> bool:
        """Whether the customer is in the operator's work: theirs, waiting for them, or last
        served by them."""
        for conv in self.state.conversations_of(customer_id):
            if conv.holder == op.id:
                return True
            if conv.state in IN_QUEUE and eligible(op, self.state.queue_of(conv), conv.channel):
                return True
        last = self.state.last_owner.get(customer_id)
        return last is not None and last[0] == op.id

    def check_access(self, op: OperatorState, customer_id: int) -> None:
        """Who may read a customer's data (the card's rule, for other reads of it too)."""
        self.state.require_customer(op, customer_id)
        if is_supervisor(op) or self.related(op, customer_id):
            return
        now = time.monotonic()
        opened = self._unrelated.setdefault(op.id, deque())
        while opened and now - opened[0] > 3600:
            opened.popleft()
        if len(opened) >= self.config.unrelated_opens_per_hour:
            raise RateLimited(
                "too many customers opened that are not in your work; ask a supervisor",
                retry_after=int(3600 - (now - opened[0])) + 1,
            )
        opened.append(now)

    async def customer_open(self, op: OperatorState, args: commands.CustomerOpen) -> dict[str, Any]:
        asked = args.customer_id
        # A customer merged into another opens as that one (deep links, old searches).
        customer_id = await self.store.read(lambda c: resolve_merged(c, asked))
        self.check_access(op, customer_id)
        limit = max(1, min(args.limit, commands.MAX_PAGE))
        conv_id = args.conversation_id
        if conv_id is not None:
            await self._require_conversation_of(conv_id, customer_id)
        else:
            conv_id = self.hints.conversation_for_hints(op, customer_id)
        now = utcnow()

        def read(c: Connection) -> tuple[dict[str, Any] | None, Any]:
            card = queries.customer_card(c, customer_id, limit, now)
            if card is not None:
                card.update(card_merges(c, customer_id))
            return card, nba.recent_outcomes(c, customer_id, now)

        card, history = await self.store.read(read)
        if card is None:
            raise NotFound(f"no customer {asked}")
        if customer_id != asked:
            card["redirected_from"] = asked
        windows = self._windows(card.get("identities") or [])
        if windows:
            card["windows"] = windows
        decision = self.hints.decide(card, history, conv_id)
        card["hints"] = decision.views()

        def record(b: WriteBatch) -> None:
            nba.record_decisions(b, decision.hints, customer_id, op.id, conv_id)

        # One group commit for both: the decision log and the audit of the view.
        await asyncio.gather(
            self.store.write(record),
            self.audit(op, "customer.view", [customer_id], {}),
        )
        self.state.viewing[op.id] = customer_id
        return card

    def _windows(self, identities: list[dict[str, Any]]) -> dict[str, Any]:
        """Channels that carry free text only within a window: when it closes for this
        customer, and the approved templates that may go out after."""
        out: dict[str, Any] = {}
        for channel, adapter in self.adapters.items():
            if not isinstance(adapter, TemplatedAdapter):
                continue
            found = address_for(channel, identities)
            if found is None:
                continue
            until = adapter.window_open_until(found.address)
            out[channel] = {
                "open_until": (
                    datetime.fromtimestamp(until, UTC).isoformat() if until is not None else None
                ),
                "templates": list(adapter.templates),
            }
        return out

    async def _require_conversation_of(self, conversation_id: int, customer_id: int) -> None:
        conv = self.state.convs.get(conversation_id)
        owner = (
            conv.customer_id
            if conv is not None
            else await self.store.read(lambda c: queries.conversation_customer(c, conversation_id))
        )
        if owner != customer_id:
            raise InvalidInput(f"conversation {conversation_id} is not this customer's")

    async def timeline_page(self, op: OperatorState, args: commands.TimelinePage) -> dict[str, Any]:
        self.check_access(op, args.customer_id)
        limit = max(1, min(args.limit, commands.MAX_PAGE))
        page = await self.store.read(
            lambda c: queries.timeline_page(c, args.customer_id, args.before, limit)
        )
        await self.audit(
            op,
            "timeline.page",
            [args.customer_id],
            {"before": args.before, "items": len(page.get("items", []))},
        )
        return page

    async def customer_search(
        self, op: OperatorState, args: commands.CustomerSearch
    ) -> dict[str, Any]:
        query = args.query.strip()
        if len(query) < 2:
            raise InvalidInput("type at least two characters")
        kind, value = classify_query(query)
        limit = max(1, min(args.limit, MAX_SEARCH_RESULTS))
        ids = await self.store.read(
            lambda c: queries.search_customers(c, query, kind, value, limit * 2)
        )
        visible = [i for i in ids if self.state.can_see_customer(op, i)][:limit]

        def load(c: Connection) -> list[dict[str, Any]]:
            out = []
            for customer_id in visible:
                summary = queries.customer_summary(c, customer_id)
                if summary is not None:
                    summary["identities"] = queries.identities_of(c, customer_id)
                    out.append(summary)
            return out

        found = await self.store.read(load)
        # What was searched for is itself personal data: only its kind goes in the audit log.
        await self.audit(op, "customer.search", [s["id"] for s in found], {"query_kind": kind})
        return {"customers": found}

    async def snapshot(self, op: OperatorState, args: commands.Snapshot) -> dict[str, Any]:
        """Everything a desk needs after a (re)connect that could not resume."""
        convs = self.state.convs.values()
        mine = [
            c.view()
            for c in convs
            if (c.operator_id == op.id and c.state in WORKING)
            or (c.offered_to == op.id and c.state == State.OFFERED)
        ]
        queued = [
            c.view()
            for c in convs
            if c.state in IN_QUEUE
            and (is_supervisor(op) or eligible(op, self.state.queue_of(c), c.channel))
        ]
        names = self.state.names
        customers = {str(c["customer_id"]): names.get(c["customer_id"], "") for c in mine + queued}
        return {
            "presence": op.presence,
            "conversations": mine,
            "queue": queued,
            "customers": customers,
            "queues": [
                {
                    "id": q.id,
                    "name": q.name,
                    "display_names": dict(q.display_names),
                    "sla_seconds": q.sla_seconds,
                }
                for q in self.state.queues.values()
            ],
            "operators": [
                {"id": o.id, "name": o.display_name, "presence": o.presence}
                for o in self.state.operators.values()
            ],
        }


def classify_query(query: str) -> tuple[str, str]:
    """("phone"|"email"|"name", normalised value) for a search box entry."""
    if "@" in query:
        try:
            return "email", normalise_identity("email", query)
        except InvalidIdentity:
            return "name", query
    digits = sum(ch.isdigit() for ch in query)
    if digits >= 7 and digits >= len(query.replace(" ", "")) * 0.6:
        try:
            return "phone", normalise_identity("phone", query)
        except InvalidIdentity:
            return "name", query
    return "name", query
