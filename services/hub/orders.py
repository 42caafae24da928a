"""An order's details for the card: its lines, its delivery, the steps of its life.

Read under the card's rule (``customer.open``: the customer must be one the operator may see)
and audited like every read of customer data.
"""

from __future__ import annotations

from typing import Any

from services.domain.errors import NotFound
from services.domain.routing import OperatorState
from services.hub.reads import Reads
from services.hub.state import LiveState
from services.protocol import commands
from services.store import queries
from services.store.rows import add_audit
from services.store.store import Store
from services.store.writer import WriteBatch


class Orders:
    def __init__(self, store: Store, state: LiveState, reads: Reads) -> None:
        self.store = store
        self.state = state
        self.reads = reads

    async def get(self, op: OperatorState, args: commands.OrderGet) -> dict[str, Any]:
        # An order of the card the operator has open was counted when the card was opened.
        if self.state.viewing.get(op.id) == args.customer_id:
            self.state.require_customer(op, args.customer_id)
        else:
            self.reads.check_access(op, args.customer_id)
        number = args.order.strip()
        order = await self.store.read(lambda c: queries.order_details(c, args.customer_id, number))
        if order is None:
            raise NotFound(f"this customer has no order {number}")

        def audit(b: WriteBatch) -> None:
            add_audit(b, op.id, "order.view", "customer", args.customer_id, {"order": number})

        await self.store.write(audit)
        return {"order": order}
