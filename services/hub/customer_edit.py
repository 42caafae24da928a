"""Customer details an operator changes: name, segment, language, and contacts they type.

Who may change a customer is who may open the card (``customer.open``). Every change leaves an
audit entry with the old and the new value, and ``customer.updated`` (the card's header and
contacts as stored now) reaches the operators who have the card open or hold a conversation
with the customer. A contact an operator types is a *claim*, as one the customer typed in the
chat: shown as claimed, never verified, never used to route a contact or merge customers.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from sqlalchemy import delete, func, select, update

from services.domain.errors import Forbidden, InvalidInput, NotFound
from services.domain.identity import InvalidIdentity, normalise_identity
from services.domain.routing import OperatorState
from services.hub.reads import Reads
from services.hub.state import LiveState
from services.protocol import commands
from services.protocol.events import EventName
from services.store import queries, tables
from services.store.rows import add_audit, add_idempotency
from services.store.store import Store
from services.store.writer import WriteBatch

IdemKey = tuple[int, str, str]
# Joiners some scripts write names with (Persian, Indic); every other format character
# (bidirectional overrides, invisible separators) could make a name read as another.
_ALLOWED_FORMAT = {"\u200c", "\u200d"}


def clean_name(raw: str) -> str:
    """A customer's name as an operator typed it: trimmed, 1..200 characters, no control
    or invisible formatting characters."""
    name = raw.strip()
    if not name:
        raise InvalidInput("a name cannot be empty")
    if len(name) > commands.MAX_CUSTOMER_NAME:
        raise InvalidInput(
            f"a name holds at most {commands.MAX_CUSTOMER_NAME} characters, not {len(name)}"
        )
    for ch in name:
        category = unicodedata.category(ch)
        if category in ("Cc", "Zl", "Zp") or (category == "Cf" and ch not in _ALLOWED_FORMAT):
            raise InvalidInput(f"a name cannot hold control characters (U+{ord(ch):04X})")
    return name


class CustomerEditing:
    def __init__(self, store: Store, state: LiveState, reads: Reads) -> None:
        self.store = store
        self.state = state
        self.reads = reads

    def _check(self, op: OperatorState, customer_id: int) -> None:
        # The card's rule; a card the operator has open was counted when it was opened.
        if self.state.viewing.get(op.id) == customer_id:
            self.state.require_customer(op, customer_id)
        else:
            self.reads.check_access(op, customer_id)

    def _recipients(self, op: OperatorState, customer_id: int) -> set[int]:
        """The actor, whoever holds a conversation with the customer, and whoever has the
        card open, as long as they may still see the customer."""
        found = {op.id}
        found |= {c.holder for c in self.state.conversations_of(customer_id) if c.holder}
        found |= {o for o, c in self.state.viewing.items() if c == customer_id}
        return {
            o
            for o in found
            if o == op.id
            or (
                (other := self.state.operators.get(o)) is not None
                and self.state.can_see_customer(other, customer_id)
            )
        }

    def _finish(
        self, b: WriteBatch, customer_id: int, recipients: set[int], key: IdemKey, changed: bool
    ) -> dict[str, Any]:
        """The card's header and contacts as they now are; told to ``recipients`` when
        something changed."""
        b.flush()
        summary = queries.customer_summary(b.conn, customer_id)
        assert summary is not None
        view = {"customer": summary, "identities": queries.identities_of(b.conn, customer_id)}
        if changed:
            for operator_id in sorted(recipients):
                b.emit(operator_id, EventName.CUSTOMER_UPDATED, view)
        result = {**view, "changed": changed}
        add_idempotency(b, key, result)
        return result

    async def update(
        self, op: OperatorState, args: commands.CustomerUpdate, key: IdemKey
    ) -> dict[str, Any]:
        wanted: dict[str, str] = {}
        if args.name is not None:
            wanted["name"] = clean_name(args.name)
        if args.segment is not None:
            wanted["segment"] = args.segment
        if args.language is not None:
            wanted["language"] = args.language
        if not wanted:
            raise InvalidInput("give a name, a segment or a language to change")
        self._check(op, args.customer_id)
        recipients = self._recipients(op, args.customer_id)
        customers = tables.customers
        columns = {"name": "display_name", "segment": "segment", "language": "language"}

        def job(b: WriteBatch) -> dict[str, Any]:
            row = b.execute(select(customers).where(customers.c.id == args.customer_id)).first()
            if row is None:
                raise NotFound(f"no customer {args.customer_id}")
            changes = {
                field: {"old": getattr(row, columns[field]), "new": value}
                for field, value in wanted.items()
                if getattr(row, columns[field]) != value
            }
            if changes:
                values = {columns[f]: change["new"] for f, change in changes.items()}
                if "name" in changes:
                    values["name_search"] = str(changes["name"]["new"]).lower()
                b.execute(
                    update(customers).where(customers.c.id == args.customer_id).values(**values)
                )
                add_audit(b, op.id, "customer.update", "customer", args.customer_id, changes)
            return self._finish(b, args.customer_id, recipients, key, bool(changes))

        result = await self.store.write(job)
        if "name" in wanted:
            self.state.names[args.customer_id] = wanted["name"]
        return result

    def _normalise(self, kind: str, raw: str) -> str:
        try:
            return normalise_identity(kind, raw)
        except InvalidIdentity as exc:
            raise InvalidInput(str(exc)) from exc

    async def add_contact(
        self, op: OperatorState, args: commands.ContactChange, key: IdemKey
    ) -> dict[str, Any]:
        value = self._normalise(args.kind, args.value)
        self._check(op, args.customer_id)
        recipients = self._recipients(op, args.customer_id)
        ids, claimed = tables.identities, tables.identity_claims

        def job(b: WriteBatch) -> dict[str, Any]:
            if queries.customer_summary(b.conn, args.customer_id) is None:
                raise NotFound(f"no customer {args.customer_id}")
            contacts = queries.identities_of(b.conn, args.customer_id)
            if any(c["kind"] == args.kind and c["value"] == value for c in contacts):
                raise InvalidInput(f"{value} is already one of this customer's contacts")
            if len(contacts) >= commands.MAX_CONTACTS:
                raise InvalidInput(
                    f"a customer has at most {commands.MAX_CONTACTS} contacts; remove one first"
                )
            b.add(
                claimed,
                {
                    "customer_id": args.customer_id,
                    "kind": args.kind,
                    "value": value,
                    "created_at": b.now,
                    "source": "operator",
                },
            )
            add_audit(
                b,
                op.id,
                "customer.add_contact",
                "customer",
                args.customer_id,
                {"kind": args.kind, "old": None, "new": value},
            )
            owner = b.execute(
                select(ids.c.customer_id).where(ids.c.kind == args.kind, ids.c.value == value)
            ).scalar()
            if owner is not None:
                # Someone else's identity: whether they are one person is for a person to say.
                add_audit(
                    b,
                    None,
                    "merge.suggested",
                    "customer",
                    args.customer_id,
                    {"other_customer_id": owner, "kind": args.kind},
                )
            return self._finish(b, args.customer_id, recipients, key, True)

        return await self.store.write(job)

    async def remove_contact(
        self, op: OperatorState, args: commands.ContactChange, key: IdemKey
    ) -> dict[str, Any]:
        value = self._normalise(args.kind, args.value)
        self._check(op, args.customer_id)
        recipients = self._recipients(op, args.customer_id)
        ids, claimed = tables.identities, tables.identity_claims

        def job(b: WriteBatch) -> dict[str, Any]:
            if queries.customer_summary(b.conn, args.customer_id) is None:
                raise NotFound(f"no customer {args.customer_id}")
            delivered = b.execute(
                select(func.count())
                .select_from(ids)
                .where(
                    ids.c.customer_id == args.customer_id,
                    ids.c.kind == args.kind,
                    ids.c.value == value,
                )
            ).scalar()
            if delivered:
                raise Forbidden(
                    f"{value} was confirmed by a channel; only a typed contact can be removed"
                )
            gone = b.execute(
                delete(claimed).where(
                    claimed.c.customer_id == args.customer_id,
                    claimed.c.kind == args.kind,
                    claimed.c.value == value,
                )
            )
            if gone.rowcount != 1:
                raise NotFound(f"{value} is not one of this customer's contacts")
            add_audit(
                b,
                op.id,
                "customer.remove_contact",
                "customer",
                args.customer_id,
                {"kind": args.kind, "old": value, "new": None},
            )
            return self._finish(b, args.customer_id, recipients, key, True)

        return await self.store.write(job)
