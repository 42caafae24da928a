"""Customers and their identities: one customer behind every identity a channel delivers.

Only identities a channel itself delivered (the sender of a message, a web visitor holding the
visitor's secret) find a customer. What a customer *states* (a phone typed into the chat) is a
claim: kept, shown on the card as claimed, searchable, but it never routes a later contact and
never merges two customers; a claim of someone else's identity leaves a merge suggestion for a
person to confirm.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict

from sqlalchemy import select, update

from services.domain.errors import InvalidInput
from services.domain.identity import InvalidIdentity, normalise_identity
from services.hub.merges import Merges, add_suggestion
from services.hub.state import LiveState
from services.protocol.channels import CLAIMABLE_KINDS
from services.store import tables
from services.store.store import Store
from services.store.writer import WriteBatch

log = logging.getLogger(__name__)

IDENTITY_CACHE = 200_000


class CustomerDirectory:
    def __init__(self, store: Store, state: LiveState) -> None:
        self.store = store
        self.state = state
        self._cache: OrderedDict[tuple[str, str], int] = OrderedDict()
        self._locks: dict[tuple[str, str], asyncio.Lock] = {}
        self.merges: Merges | None = None  # set by the hub: automatic merges

    def normalise(self, kind: str, raw: str) -> str:
        try:
            return normalise_identity(kind, raw)
        except InvalidIdentity as exc:
            raise InvalidInput(str(exc)) from exc

    def cached(self, kind: str, value: str) -> int | None:
        return self._cache.get((kind, value))

    async def resolve(
        self, kind: str, value: str, display_name: str = "", verified: bool = False
    ) -> int:
        """The customer behind a delivered identity (normalised), created on first contact."""
        key = (kind, value)
        customer_id = self._cache.get(key)
        if customer_id is not None:
            self._cache.move_to_end(key)
            return customer_id
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:
            customer_id = self._cache.get(key)
            if customer_id is None:
                customer_id = await self._find_or_create(kind, value, display_name, verified)
                self._remember(key, customer_id)
        self._locks.pop(key, None)
        return customer_id

    async def _find_or_create(
        self, kind: str, value: str, display_name: str, verified: bool
    ) -> int:
        ids, customers = tables.identities, tables.customers
        found = await self.store.read(
            lambda c: c.execute(
                select(ids.c.customer_id, customers.c.display_name)
                .join(customers, customers.c.id == ids.c.customer_id)
                .where(ids.c.kind == kind, ids.c.value == value)
            ).first()
        )
        if found is not None:
            self.state.names[found.customer_id] = found.display_name
            return int(found.customer_id)
        name = display_name.strip()[:200]

        def job(b: WriteBatch) -> int:
            existing = b.execute(
                select(ids.c.customer_id).where(ids.c.kind == kind, ids.c.value == value)
            ).scalar()
            if existing is not None:
                return int(existing)
            customer_id = b.next_id(customers)
            b.add(
                customers,
                {
                    "id": customer_id,
                    "display_name": name,
                    "segment": "new",
                    "language": "ru",
                    "last_csat": None,
                    "name_search": name.lower(),
                    "created_at": b.now,
                },
            )
            b.add(
                ids,
                {
                    "customer_id": customer_id,
                    "kind": kind,
                    "value": value,
                    "verified": verified,
                    "created_at": b.now,
                },
            )
            # Whoever only claimed this identity may be the same person: for a person to say.
            claimed = tables.identity_claims
            for claimant in b.execute(
                select(claimed.c.customer_id).where(
                    claimed.c.kind == kind, claimed.c.value == value
                )
            ).scalars():
                add_suggestion(b, claimant, customer_id, kind, value, "claimed")
            return customer_id

        customer_id = await self.store.write(job)
        self.state.names[customer_id] = name
        return customer_id

    async def add_claims(self, customer_id: int, claims: dict[str, str], name: str = "") -> None:
        """Identities a customer stated, kept as claims; a name fills an empty one."""
        rows: list[tuple[str, str]] = []
        for kind, raw in claims.items():
            if kind not in CLAIMABLE_KINDS:
                continue
            try:
                rows.append((kind, normalise_identity(kind, raw)))
            except InvalidIdentity:
                log.info("ignored an invalid claimed %s", kind)
        new_name = (claims.get("name") or name or "").strip()[:200]
        ids, claimed = tables.identities, tables.identity_claims

        def job(b: WriteBatch) -> None:
            for kind, value in rows:
                owner = b.execute(
                    select(ids.c.customer_id).where(ids.c.kind == kind, ids.c.value == value)
                ).scalar()
                if owner == customer_id:
                    continue  # the channel already delivered it: nothing to claim
                known = b.execute(
                    select(claimed.c.id).where(
                        claimed.c.customer_id == customer_id,
                        claimed.c.kind == kind,
                        claimed.c.value == value,
                    )
                ).scalar()
                if known is None:
                    b.add(
                        claimed,
                        {
                            "customer_id": customer_id,
                            "kind": kind,
                            "value": value,
                            "created_at": b.now,
                        },
                    )
                if owner is not None and known is None:
                    # Someone else's identity: whether they are one person is for a person
                    # to decide.
                    add_suggestion(b, customer_id, owner, kind, value, "claimed")
            if new_name:
                b.execute(
                    update(tables.customers)
                    .where(
                        tables.customers.c.id == customer_id, tables.customers.c.display_name == ""
                    )
                    .values(display_name=new_name, name_search=new_name.lower())
                )

        await self.store.write(job)
        if new_name and not self.state.names.get(customer_id):
            self.state.names[customer_id] = new_name

    async def add_proven(self, customer_id: int, proven: dict[str, str]) -> list[str]:
        """Identities a channel proved are the customer's (a Telegram user sharing their own
        number): kept as verified identities, so they route. One that is another customer's
        already is a merge for a person to confirm. Returns the kinds added."""
        rows: list[tuple[str, str]] = []
        for kind, raw in proven.items():
            if kind not in CLAIMABLE_KINDS:
                continue
            try:
                rows.append((kind, normalise_identity(kind, raw)))
            except InvalidIdentity:
                log.info("ignored an invalid proven %s", kind)
        ids, claimed = tables.identities, tables.identity_claims

        def job(b: WriteBatch) -> tuple[list[tuple[str, str]], list[tuple[int, str]]]:
            added, shared = [], []
            for kind, value in rows:
                row = b.execute(
                    select(ids.c.customer_id, ids.c.verified).where(
                        ids.c.kind == kind, ids.c.value == value
                    )
                ).first()
                owner = row.customer_id if row is not None else None
                if row is not None and owner != customer_id and row.verified:
                    shared.append((int(row.customer_id), kind))  # verified twice: one person
                    continue
                if owner == customer_id:
                    b.execute(
                        update(ids)
                        .where(ids.c.kind == kind, ids.c.value == value)
                        .values(verified=True)
                    )
                elif owner is None:
                    b.add(
                        ids,
                        {
                            "customer_id": customer_id,
                            "kind": kind,
                            "value": value,
                            "verified": True,
                            "created_at": b.now,
                        },
                    )
                    b.execute(
                        claimed.delete().where(
                            claimed.c.customer_id == customer_id,
                            claimed.c.kind == kind,
                            claimed.c.value == value,
                        )
                    )
                    added.append((kind, value))
                    # Whoever else typed it in as theirs may be this person: for a person.
                    for claimant in b.execute(
                        select(claimed.c.customer_id).where(
                            claimed.c.kind == kind, claimed.c.value == value
                        )
                    ).scalars():
                        add_suggestion(b, claimant, customer_id, kind, value, "claimed")
                else:  # another customer only typed in as theirs: for a person to say
                    add_suggestion(b, customer_id, owner, kind, value, "proven")
            return added, shared

        added, shared = await self.store.write(job)
        for kind, value in added:
            self._remember((kind, value), customer_id)
        for other, kind in shared:
            if self.merges is not None:
                await self.merges.same_identity(customer_id, other, kind)
        return [kind for kind, _value in added]

    def forget(self, customer_id: int) -> None:
        """Drop what is cached of a customer's identities (they moved in a merge)."""
        for key in [k for k, v in self._cache.items() if v == customer_id]:
            del self._cache[key]

    def _remember(self, key: tuple[str, str], customer_id: int) -> None:
        self._cache[key] = customer_id
        if len(self._cache) > IDENTITY_CACHE:
            self._cache.popitem(last=False)
