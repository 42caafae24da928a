"""Conversations an operator starts: writing first to a customer on a channel they reach.

The conversation is the operator's and active from the start; its lifecycle says so as an
inbound one would (``queued`` then ``accepted``, both with ``direction: outbound``), and the
first message goes out through the messaging seam like any reply. A customer has one open
conversation per channel: if there is one, the operator is told which.
"""

from __future__ import annotations

from typing import Any

from services.domain.errors import Conflict, NoCapacity, NotFound
from services.domain.routing import OperatorState
from services.hub.intake import Intake, _insert_conversation
from services.hub.messaging import Messaging
from services.hub.router import Router
from services.hub.state import Conv, LiveState, State
from services.protocol import commands
from services.protocol.events import EventName
from services.store import queries, tables
from services.store.rows import add_idempotency
from services.store.store import Store
from services.store.writer import WriteBatch

IdemKey = tuple[int, str, str]
OUTBOUND = {"direction": "outbound"}


class Outreach:
    def __init__(
        self,
        store: Store,
        state: LiveState,
        intake: Intake,
        router: Router,
        messaging: Messaging,
    ) -> None:
        self.store = store
        self.state = state
        self.intake = intake
        self.router = router
        self.messaging = messaging

    def _refuse_if_busy(self, op: OperatorState, customer_id: int, channel: str) -> None:
        existing = self.state.open_conversation(customer_id, channel)
        if existing is not None:
            raise Conflict(
                f"the customer already has an open {channel} conversation ({existing.id})",
                state=existing.state,
                conversation_id=existing.id,
            )
        if not op.has_room(channel):
            raise NoCapacity(f"no free {channel} capacity")

    async def start(
        self, op: OperatorState, args: commands.ConversationStart, key: IdemKey
    ) -> dict[str, Any]:
        self.state.require_customer(op, args.customer_id)
        self._refuse_if_busy(op, args.customer_id, args.channel)
        summary = await self.store.read(lambda c: queries.customer_summary(c, args.customer_id))
        if summary is None:
            raise NotFound(f"no customer {args.customer_id}")
        out = await self.messaging.prepare_outbound(
            op, args.customer_id, args.channel, args.text, args.subject
        )
        # Held against a customer's message opening the same channel at the same moment.
        async with self.intake.customer_lock(args.customer_id):
            self.state.require_customer(op, args.customer_id)
            self._refuse_if_busy(op, args.customer_id, args.channel)
            queue = self.router.queue_for(args.channel)
            subject = out.subject or out.text.splitlines()[0][:300]
            conv = Conv(
                id=0,
                customer_id=args.customer_id,
                channel=args.channel,
                queue_id=queue.id if queue else None,
                state=State.QUEUED,
                operator_id=None,
                offered_to=None,
                preferred_operator_id=None,
                version=0,
                queued_at=None,
                subject=subject,
            )
            # The slot is the operator's while the row is written: a second start elsewhere
            # sees it taken.
            op.add_load(args.channel, +1)
            try:

                def job(b: WriteBatch) -> dict[str, Any]:
                    conv_id = b.next_id(tables.conversations)
                    _insert_conversation(b, conv_id, conv, owner=op.id, details=OUTBOUND)
                    item = self.messaging.write_outbound(b, op, out, conv_id, True)
                    view = {
                        **conv.view(),
                        "id": conv_id,
                        "state": State.ACTIVE,
                        "operator_id": op.id,
                        "version": 1,
                        "queued_at": b.now.isoformat(),
                    }
                    b.emit(op.id, EventName.CONVERSATION_UPDATED, {"conversation": view})
                    result = {"conversation": view, "item": item}
                    add_idempotency(b, key, result)
                    conv.queued_at = b.now
                    return result

                result = await self.store.write(job)
            finally:
                op.add_load(args.channel, -1)
            conv.id = int(result["conversation"]["id"])
            conv.state = State.ACTIVE
            conv.operator_id = op.id
            conv.version = 1
            conv.first_response = True
            self.state.register(conv)
        self.state.names.setdefault(args.customer_id, str(summary.get("name") or ""))
        self.messaging.deliver(op, out, result["item"])
        return result
