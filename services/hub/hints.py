"""Next-best-action hints on the card: decided when the card opens, learnt from answers."""

from __future__ import annotations

from typing import Any

from services import nba
from services.domain.errors import Conflict, NotFound
from services.domain.routing import OperatorState
from services.hub.state import WORKING, LiveState
from services.protocol import commands
from services.protocol.events import EventName
from services.store import queries
from services.store.models import utcnow
from services.store.rows import add_audit, add_idempotency
from services.store.store import Store
from services.store.writer import WriteBatch

# Feed items the rules look at when hints are refreshed after an answer.
HINT_TIMELINE = 50
IdemKey = tuple[int, str, str]


class Hints:
    def __init__(self, store: Store, state: LiveState, engine: nba.NextBestAction) -> None:
        self.store = store
        self.state = state
        self.engine = engine

    def conversation_for_hints(self, op: OperatorState, customer_id: int) -> int | None:
        """The interaction hints are for: the operator's open conversation with the customer."""
        mine = [c for c in self.state.conversations_of(customer_id) if c.holder == op.id]
        return max(mine, key=lambda c: (c.state in WORKING, c.id)).id if mine else None

    def decide(
        self, card: dict[str, Any], history: list[nba.PastOutcome], conversation_id: int | None
    ) -> nba.Decision:
        return self.engine.decide(card, nba.Context(utcnow(), conversation_id, history))

    async def respond(
        self, op: OperatorState, args: commands.HintRespond, key: IdemKey
    ) -> dict[str, Any]:
        """Record what the operator did with a hint, learn from it, send the refreshed hints."""
        self.state.require_customer(op, args.customer_id)
        shown = await self.store.read(lambda c: nba.find_hint(c, args.hint_id))
        if shown is None or shown.customer_id != args.customer_id:
            raise NotFound(f"no hint {args.hint_id!r} for this customer")
        if shown.outcome is not None:
            raise Conflict(f"this hint was already {shown.outcome}", outcome=shown.outcome)
        now = utcnow()
        card, history = await self.store.read(
            lambda c: (
                queries.customer_card(c, args.customer_id, HINT_TIMELINE, now),
                nba.recent_outcomes(c, args.customer_id, now),
            )
        )
        if card is None:
            raise NotFound(f"no customer {args.customer_id}")
        # Decide as if the answer were recorded: a dismissed action is gone from the new list.
        history.append(nba.PastOutcome(shown.action, args.outcome, shown.conversation_id, now))
        decision = self.decide(card, history, shown.conversation_id)
        data = {"customer_id": args.customer_id, "hints": decision.views()}

        def job(b: WriteBatch) -> dict[str, Any]:
            first = nba.outcome_recorded(b, args.hint_id)
            if first is not None:
                raise Conflict(f"this hint was already {first}", outcome=first)
            nba.record_outcome(b, args.hint_id, args.outcome, op.id)
            nba.record_decisions(b, decision.hints, args.customer_id, op.id, shown.conversation_id)
            add_audit(
                b,
                op.id,
                "hint.respond",
                "customer",
                args.customer_id,
                {
                    "hint_id": args.hint_id,
                    "action": shown.action,
                    "outcome": args.outcome,
                    "conversation_id": shown.conversation_id,
                },
            )
            b.emit(op.id, EventName.HINTS_UPDATED, data)
            result: dict[str, Any] = {
                "hint_id": args.hint_id,
                "action": shown.action,
                "outcome": args.outcome,
                **data,
            }
            add_idempotency(b, key, result)
            return result

        result = await self.store.write(job)
        self.engine.stats.record(shown.action, args.outcome)
        return result
