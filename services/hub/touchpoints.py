"""Touchpoints logged by hand: a visit in person or a call outside the system, recorded on the
customer's timeline with who logged it, when it happened and how it ended (audited)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from services.domain.errors import InvalidInput, NotFound
from services.domain.routing import OperatorState
from services.hub.state import LiveState
from services.protocol import commands, touchpoints
from services.protocol.events import EventName
from services.store import queries, tables
from services.store.models import utcnow
from services.store.rows import add_audit, add_idempotency, item_view, timeline_row
from services.store.store import Store
from services.store.writer import WriteBatch

IdemKey = tuple[int, str, str]


class Touchpoints:
    def __init__(self, store: Store, state: LiveState) -> None:
        self.store = store
        self.state = state

    async def log(
        self, op: OperatorState, args: commands.TouchpointLog, key: IdemKey
    ) -> dict[str, Any]:
        summary = args.summary.strip()
        if args.outcome not in touchpoints.OUTCOMES:
            raise InvalidInput(f"outcome: one of {', '.join(touchpoints.OUTCOMES)}")
        if not summary:
            raise InvalidInput("say what the visit or call was about (summary)")
        now = utcnow()
        if args.happened_at > now + timedelta(seconds=touchpoints.MAX_AHEAD_S):
            raise InvalidInput("happened_at is in the future")
        if args.happened_at < now - timedelta(days=touchpoints.MAX_AGE_DAYS):
            raise InvalidInput(f"happened_at is over {touchpoints.MAX_AGE_DAYS} days ago")
        self.state.require_customer(op, args.customer_id)
        found = await self.store.read(lambda c: queries.customer_summary(c, args.customer_id))
        if found is None:
            raise NotFound(f"no customer {args.customer_id}")
        channel, item_kind = touchpoints.KINDS[args.kind]
        extra: dict[str, Any] = {
            "logged": True,
            "outcome": args.outcome,
            "happened_at": args.happened_at.isoformat(),
        }
        if args.duration_min:
            extra["duration_min"] = args.duration_min

        def job(b: WriteBatch) -> dict[str, Any]:
            item_id = b.next_id(tables.timeline)
            row = timeline_row(
                item_id=item_id,
                customer_id=args.customer_id,
                conversation_id=None,
                kind=item_kind,
                channel=channel,
                direction=args.direction,
                author_operator_id=op.id,
                author_label=op.display_name,
                body=summary,
                extra=extra,
                created_at=b.now,
            )
            b.add(tables.timeline, row)
            add_audit(
                b,
                op.id,
                "touchpoint.logged",
                "customer",
                args.customer_id,
                {"item": item_id, "kind": args.kind, "outcome": args.outcome},
            )
            item = item_view(row)
            b.emit(op.id, EventName.TIMELINE_ITEM, {"item": item})
            result = {"item": item}
            add_idempotency(b, key, result)
            return result

        return await self.store.write(job)
