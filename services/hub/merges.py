"""One customer out of two: merge suggestions with their evidence, merges (by an operator, or
automatically when a channel proves an identity another customer was verified by), and
unmerge. The older customer is kept; every row of the other moves to it and is recorded, so
an unmerge moves exactly those back. Details that disagree are flagged on the merge, never
overwritten. The merged id redirects: its card opens the kept one."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Table, and_, or_, select, update

from services.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from services.domain.routing import OperatorState
from services.hub.state import OWING, Conv, LiveState, State, is_supervisor
from services.protocol import commands
from services.protocol.channels import CONTINUING
from services.protocol.events import EventName
from services.store import queries, tables
from services.store.models import utcnow
from services.store.queries import iso
from services.store.rows import add_audit, add_idempotency, add_lifecycle
from services.store.store import Store
from services.store.writer import WriteBatch

if TYPE_CHECKING:  # reads imports this module (the card's merge sections)
    from services.hub.reads import Reads

log = logging.getLogger(__name__)

IdemKey = tuple[int, str, str]

# Every table that holds a customer's rows, moved on a merge and back on an unmerge.
CUSTOMER_TABLES: tuple[Table, ...] = (
    tables.identities,
    tables.identity_claims,
    tables.conversations,
    tables.timeline,
    tables.purchases,
    tables.touchpoints,
    tables.nba_decisions,
    tables.attachments,
    tables.csat_responses,
    tables.order_deliveries,
    tables.order_status_history,
)
# The customer's own details: kept as the kept customer has them; a difference is flagged.
DETAILS = ("display_name", "segment", "language")


def add_suggestion(
    b: WriteBatch, customer_id: int, other_id: int, kind: str, value: str, evidence: str
) -> None:
    """Suggest that ``customer_id`` and ``other_id`` are one person (once per pair and
    identity; a rejected pair is not suggested again)."""
    if customer_id == other_id:
        return
    low, high = sorted((customer_id, other_id))
    s = tables.merge_suggestions
    known = b.execute(
        select(s.c.id).where(
            s.c.customer_id == low,
            s.c.other_customer_id == high,
            s.c.kind == kind,
            s.c.value == value,
        )
    ).scalar()
    if known is not None:
        return
    b.add(
        s,
        {
            "id": b.next_id(s),
            "customer_id": low,
            "other_customer_id": high,
            "kind": kind,
            "value": value,
            "evidence": evidence,
            "state": "open",
            "created_at": b.now,
            "decided_by": None,
            "decided_at": None,
        },
    )
    add_audit(
        b,
        None,
        "merge.suggested",
        "customer",
        customer_id,
        {"other_customer_id": other_id, "kind": kind, "evidence": evidence},
    )


def resolve_merged(conn: Connection, customer_id: int) -> int:
    """Where a (possibly merged) customer id leads now."""
    customers = tables.customers
    seen = {customer_id}
    current = customer_id
    for _ in range(16):  # merges chain (A into B, B into C); a loop is never made
        target = conn.execute(
            select(customers.c.merged_into).where(customers.c.id == current)
        ).scalar()
        if target is None or target in seen:
            return current
        seen.add(target)
        current = int(target)
    return current


def card_merges(conn: Connection, customer_id: int) -> dict[str, Any]:
    """The card's merge sections: open suggestions, and merges into it that can be undone."""
    s, m, customers = tables.merge_suggestions, tables.customer_merges, tables.customers
    rows = conn.execute(
        select(s).where(
            s.c.state == "open",
            or_(s.c.customer_id == customer_id, s.c.other_customer_id == customer_id),
        )
    ).all()
    others = [r.other_customer_id if r.customer_id == customer_id else r.customer_id for r in rows]
    names = dict(
        conn.execute(
            select(customers.c.id, customers.c.display_name).where(
                customers.c.id.in_(others), customers.c.merged_into.is_(None)
            )
        ).all()
    )
    suggestions = [
        {
            "id": r.id,
            "other": {"id": other, "name": names[other]},
            "kind": r.kind,
            "value": r.value,
            "evidence": r.evidence,
        }
        for r, other in zip(rows, others, strict=True)
        if other in names  # one merged away since: nothing left to decide
    ]
    merges = conn.execute(
        select(m, customers.c.display_name)
        .join(customers, customers.c.id == m.c.merged_id)
        .where(m.c.kept_id == customer_id, m.c.undone_at.is_(None))
        .order_by(m.c.id)
    ).all()
    return {
        "merge_suggestions": suggestions,
        "merges": [
            {
                "id": r.id,
                "merged": {"id": r.merged_id, "name": r.display_name},
                "reason": r.reason,
                "operator_id": r.operator_id,
                "conflicts": r.conflicts,
                "at": iso(r.at),
            }
            for r in merges
        ],
    }


class Merges:
    def __init__(
        self,
        store: Store,
        state: LiveState,
        reads: Reads,
        forget_customer: Callable[[int], None],
    ) -> None:
        self.store = store
        self.state = state
        self.reads = reads
        self.check_access = reads.check_access
        self.forget_customer = forget_customer  # drop a customer's cached identities

    # -- commands --------------------------------------------------------------------------
    async def merge(
        self, op: OperatorState, args: commands.CustomerMerge, key: IdemKey
    ) -> dict[str, Any]:
        if args.customer_id == args.other_customer_id:
            raise InvalidInput("a customer cannot be merged with themselves")
        pair = {args.customer_id, args.other_customer_id}
        for customer_id in pair:
            self.check_access(op, customer_id)
        if args.suggestion_id is not None:
            s = tables.merge_suggestions
            found = await self.store.read(
                lambda c: c.execute(select(s).where(s.c.id == args.suggestion_id)).first()
            )
            if found is None or {found.customer_id, found.other_customer_id} != pair:
                raise InvalidInput("no such suggestion for these two customers")
            if found.state != "open":
                raise Conflict(f"this suggestion is {found.state} already")
        elif not is_supervisor(op) and not any(self.reads.related(op, c) for c in pair):
            # Two customers neither of whom is in the agent's work: a supervisor's call.
            raise Forbidden("merge customers of your own work; ask a supervisor for others")
        reason = "suggestion" if args.suggestion_id is not None else "manual"
        return await self._merge(
            op.id, args.customer_id, args.other_customer_id, reason, args.suggestion_id, key
        )

    async def reject(
        self, op: OperatorState, args: commands.MergeReject, key: IdemKey
    ) -> dict[str, Any]:
        s = tables.merge_suggestions
        row = await self.store.read(
            lambda c: c.execute(select(s).where(s.c.id == args.suggestion_id)).first()
        )
        if row is None:
            raise NotFound("no such merge suggestion")
        self.check_access(op, row.customer_id)
        self.check_access(op, row.other_customer_id)

        def job(b: WriteBatch) -> dict[str, Any]:
            done = b.execute(
                update(s)
                .where(s.c.id == row.id, s.c.state == "open")
                .values(state="rejected", decided_by=op.id, decided_at=b.now)
            )
            if done.rowcount:
                add_audit(
                    b,
                    op.id,
                    "merge.rejected",
                    "customer",
                    row.customer_id,
                    {"other_customer_id": row.other_customer_id, "suggestion": row.id},
                )
            result = {"suggestion_id": row.id, "state": "rejected"}
            add_idempotency(b, key, result)
            return result

        return await self.store.write(job)

    async def unmerge(
        self, op: OperatorState, args: commands.CustomerUnmerge, key: IdemKey
    ) -> dict[str, Any]:
        m = tables.customer_merges
        row = await self.store.read(
            lambda c: c.execute(select(m).where(m.c.id == args.merge_id)).first()
        )
        if row is None:
            raise NotFound("no such merge")
        if row.undone_at is not None:
            raise Conflict("this merge was undone already")
        self.check_access(op, row.kept_id)
        customers = tables.customers
        moved_back = set(row.moved.get(tables.conversations.name) or [])
        # Made here on the loop: the job may run on the writer's thread.
        notices = self._holder_views(moved_back, row.merged_id)

        def job(b: WriteBatch) -> dict[str, Any]:
            done = b.execute(
                update(m)
                .where(m.c.id == row.id, m.c.undone_at.is_(None))
                .values(undone_at=b.now, undone_by=op.id)
            )
            if not done.rowcount:
                raise Conflict("this merge was undone already")
            for table in CUSTOMER_TABLES:
                ids = row.moved.get(table.name) or []
                for chunk in _chunks(ids):
                    b.execute(
                        update(table)
                        .where(table.c.id.in_(chunk), table.c.customer_id == row.kept_id)
                        .values(customer_id=row.merged_id)
                    )
            for fold in row.moved.get("folded") or []:
                # Its items back in their own conversation (which stays closed: the next
                # message from the customer opens a new one).
                for chunk in _chunks([int(i) for i in fold.get("items") or []]):
                    b.execute(
                        update(tables.timeline)
                        .where(tables.timeline.c.id.in_(chunk))
                        .values(conversation_id=int(fold["conversation"]))
                    )
            for claim in row.moved.get("dropped_claims") or []:
                b.add(
                    tables.identity_claims,
                    {
                        "customer_id": row.merged_id,
                        "kind": claim["kind"],
                        "value": claim["value"],
                        "source": claim.get("source") or "customer",
                        "created_at": b.now,
                    },
                )
            b.execute(
                update(customers).where(customers.c.id == row.merged_id).values(merged_into=None)
            )
            add_audit(
                b,
                op.id,
                "customer.unmerged",
                "customer",
                row.kept_id,
                {"merged_id": row.merged_id, "merge": row.id},
            )
            _emit_views(b, notices)
            result = {"customer_id": row.kept_id, "restored_customer_id": row.merged_id}
            add_idempotency(b, key, result)
            return result

        result = await self.store.write(job)
        self._move_live(row.kept_id, row.merged_id, set(row.moved.get("conversations") or []))
        self.forget_customer(row.kept_id)
        return result

    # -- automatic --------------------------------------------------------------------------
    async def same_identity(self, customer_id: int, other_id: int, kind: str) -> int | None:
        """Two customers verified by the same identity are one person: merged at once (the
        older kept); returns the kept id."""
        try:
            result = await self._merge(None, customer_id, other_id, "same_identity", None, None)
        except (Conflict, NotFound):
            return None
        log.info("customers merged on a shared verified %s", kind)
        return int(result["customer_id"])

    # -- the work --------------------------------------------------------------------------
    async def _merge(
        self,
        operator_id: int | None,
        first: int,
        second: int,
        reason: str,
        suggestion_id: int | None,
        key: IdemKey | None,
    ) -> dict[str, Any]:
        customers = tables.customers
        ages = await self.store.read(
            lambda c: c.execute(
                select(customers.c.id, customers.c.created_at).where(
                    customers.c.id.in_([first, second])
                )
            ).all()
        )
        if len(ages) < 2:
            raise NotFound("no such customer")
        older, newer = (r.id for r in sorted(ages, key=lambda r: (r.created_at, r.id)))
        into, folds = self._fold_plan(older, newer)
        # Made here on the loop: the job may run on the writer's thread.
        folded = {f.id for f in folds}
        staying = {c.id for c in self.state.conversations_of(newer)} - folded
        notices = self._holder_views(staying, older)
        closing = [
            _Fold(
                c.id,
                c.queue_id,
                c.awaiting_since is not None,
                c.holder,
                dict(c.view(), state=State.CLOSED, customer_id=older),
            )
            for c in folds
        ]
        into_owes = into is not None and into.awaiting_since is not None

        def job(b: WriteBatch) -> dict[str, Any]:
            rows = {
                r.id: r
                for r in b.execute(select(customers).where(customers.c.id.in_([first, second])))
            }
            if len(rows) < 2:
                raise NotFound("no such customer")
            if any(r.merged_into is not None for r in rows.values()):
                raise Conflict("one of them was merged into another customer already")
            kept, merged = rows[older], rows[newer]
            moved_ids, dropped = _move_rows(b, merged.id, kept.id)
            moved: dict[str, Any] = {**moved_ids, "dropped_claims": dropped}
            if into is not None and closing:
                moved["folded"] = _fold(b, closing, into.id, into_owes)
            conflicts: dict[str, dict[str, str]] = {}
            fill: dict[str, Any] = {}
            for field in DETAILS:
                mine, theirs = getattr(kept, field) or "", getattr(merged, field) or ""
                if not mine and theirs:
                    fill[field] = theirs
                elif mine and theirs and mine != theirs:
                    conflicts[field] = {"kept": mine, "merged": theirs}
            if "display_name" in fill:
                fill["name_search"] = str(fill["display_name"]).lower()
            if fill:
                b.execute(update(customers).where(customers.c.id == kept.id).values(**fill))
            b.execute(
                update(customers).where(customers.c.id == merged.id).values(merged_into=kept.id)
            )
            merge_id = b.next_id(tables.customer_merges)
            b.add(
                tables.customer_merges,
                {
                    "id": merge_id,
                    "kept_id": kept.id,
                    "merged_id": merged.id,
                    "operator_id": operator_id,
                    "reason": reason,
                    "moved": moved,
                    "conflicts": conflicts,
                    "at": b.now,
                    "undone_at": None,
                    "undone_by": None,
                },
            )
            s = tables.merge_suggestions
            b.execute(
                update(s)
                .where(
                    s.c.state == "open",
                    or_(
                        and_(s.c.customer_id == kept.id, s.c.other_customer_id == merged.id),
                        and_(s.c.customer_id == merged.id, s.c.other_customer_id == kept.id),
                    ),
                )
                .values(state="merged", decided_by=operator_id, decided_at=b.now)
            )
            add_audit(
                b,
                operator_id,
                "customer.merged",
                "customer",
                kept.id,
                {"merged_id": merged.id, "reason": reason, "suggestion": suggestion_id},
            )
            _emit_views(b, notices)
            b.flush()
            result = {
                "customer_id": kept.id,
                "merged_id": merged.id,
                "merge_id": merge_id,
                "conflicts": conflicts,
                "customer": queries.customer_summary(b.conn, kept.id),
            }
            if key is not None:
                add_idempotency(b, key, result)
            return result

        result = await self.store.write(job)
        kept_id, merged_id = int(result["customer_id"]), int(result["merged_id"])
        for conv in folds:
            self.state.unregister(conv)  # closed: its messages are in ``into`` now
            if conv.awaiting_since is not None and into is not None and not into_owes:
                into.awaiting_since = conv.awaiting_since
        self._move_live(merged_id, kept_id, None)
        self.forget_customer(merged_id)
        if result["customer"] is not None:
            self.state.names[kept_id] = str(result["customer"].get("name") or "")
        return result

    def _fold_plan(self, kept: int, merged: int) -> tuple[Conv | None, list[Conv]]:
        """The kept customer's open conversation, and the merged one's that go on in it: one
        person, one open conversation (one another operator holds stays as it is)."""
        open_kept = [c for c in self.state.conversations_of(kept) if c.state in OWING]
        if not open_kept:
            return None, []
        into = max(open_kept, key=lambda c: c.last_inbound_at or c.queued_at or utcnow())
        folds = [
            c
            for c in self.state.conversations_of(merged)
            if c.state in OWING
            and c.channel in CONTINUING
            and into.channel in CONTINUING
            and c.holder in (None, into.holder)
        ]
        return into, folds

    def _holder_views(
        self, conversation_ids: set[int], customer_id: int
    ) -> list[tuple[int, dict[str, Any]]]:
        """What whoever holds a moved conversation is told: it is under ``customer_id`` now."""
        out = []
        for conv_id in sorted(conversation_ids):
            conv = self.state.convs.get(conv_id)
            if conv is not None and conv.holder is not None:
                out.append((conv.holder, dict(conv.view(), customer_id=customer_id)))
        return out

    def _move_live(self, source: int, target: int, only: set[int] | None) -> None:
        for conv in list(self.state.conversations_of(source)):
            if only is not None and conv.id not in only:
                continue
            self.state.unregister(conv)
            conv.customer_id = target
            self.state.register(conv)
        for op_id, viewed in list(self.state.viewing.items()):
            if viewed == source:
                self.state.viewing[op_id] = target


def _move_rows(
    b: WriteBatch, source: int, target: int
) -> tuple[dict[str, list[int]], list[dict[str, str]]]:
    """Every row of ``source`` to ``target``; the ids moved per table, and the claims dropped
    because ``target`` has them already (as a claim or as an identity)."""
    claims, ids = tables.identity_claims, tables.identities
    has = {
        (r.kind, r.value)
        for r in b.execute(select(ids.c.kind, ids.c.value).where(ids.c.customer_id == target))
    } | {
        (r.kind, r.value)
        for r in b.execute(
            select(claims.c.kind, claims.c.value).where(claims.c.customer_id == target)
        )
    }
    dropped = []
    for r in b.execute(select(claims).where(claims.c.customer_id == source)).all():
        if (r.kind, r.value) in has:
            dropped.append({"kind": r.kind, "value": r.value, "source": r.source})
            b.execute(claims.delete().where(claims.c.id == r.id))
    deliveries = tables.order_deliveries
    clash = select(deliveries.c.order_number).where(deliveries.c.customer_id == target)
    moved: dict[str, list[int]] = {}
    for table in CUSTOMER_TABLES:
        where = [table.c.customer_id == source]
        if table is deliveries:
            where.append(deliveries.c.order_number.not_in(clash))  # one per order and customer
        row_ids = [int(i) for i in b.execute(select(table.c.id).where(*where)).scalars()]
        for chunk in _chunks(row_ids):
            b.execute(update(table).where(table.c.id.in_(chunk)).values(customer_id=target))
        if row_ids:
            moved[table.name] = row_ids
    return moved, dropped


@dataclass(frozen=True, slots=True)
class _Fold:
    """A conversation that goes on in the kept customer's, as it was when the merge began."""

    id: int
    queue_id: int | None
    owes: bool
    holder: int | None
    closed_view: dict[str, Any]


def _emit_views(b: WriteBatch, notices: list[tuple[int, dict[str, Any]]]) -> None:
    for operator_id, view in notices:
        b.emit(operator_id, EventName.CONVERSATION_UPDATED, {"conversation": view})


def _fold(b: WriteBatch, folds: list[_Fold], into: int, into_owes: bool) -> list[dict[str, Any]]:
    """Move the folded conversations' items into ``into`` and close them (lifecycle
    ``merged``); what moved, for the record."""
    timeline, convs, files = tables.timeline, tables.conversations, tables.attachments
    done = []
    for fold in folds:
        items = [
            int(i)
            for i in b.execute(
                select(timeline.c.id).where(timeline.c.conversation_id == fold.id)
            ).scalars()
        ]
        b.execute(
            update(timeline)
            .where(timeline.c.conversation_id == fold.id)
            .values(conversation_id=into)
        )
        b.execute(
            update(files).where(files.c.conversation_id == fold.id).values(conversation_id=into)
        )
        b.execute(
            update(convs)
            .where(convs.c.id == fold.id)
            .values(
                state=State.CLOSED,
                closed_at=b.now,
                awaiting_since=None,
                offered_to=None,
                version=convs.c.version + 1,
            )
        )
        add_lifecycle(b, fold.id, "merged", None, fold.queue_id, {"into": into})
        if fold.owes and not into_owes:
            b.owe_response(into)  # what the customer wrote there still waits
        if fold.holder is not None:
            _emit_views(b, [(fold.holder, fold.closed_view)])
        done.append({"conversation": fold.id, "into": into, "items": items})
    return done


def _chunks(ids: list[int], size: int = 500) -> list[list[int]]:
    return [ids[i : i + size] for i in range(0, len(ids), size)]
