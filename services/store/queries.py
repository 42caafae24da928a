"""Read-side queries (run on reader threads): customer card, feed pages, search."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, func, or_, select

from services.store.models import OPEN_STATES
from services.store.rows import item_view
from services.store.tables import (
    conversations,
    csat_responses,
    customers,
    idempotency,
    identities,
    identity_claims,
    operator_events,
    order_deliveries,
    order_status_history,
    products,
    purchases,
    timeline,
    touchpoints,
    web_visitors,
)


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def timeline_page(
    conn: Connection, customer_id: int, before: int | None, limit: int
) -> dict[str, Any]:
    """Newest first; ``cursor`` is what to pass as ``before`` for the next (older) page."""
    q = select(timeline).where(timeline.c.customer_id == customer_id)
    if before is not None:
        q = q.where(timeline.c.id < before)
    rows = conn.execute(q.order_by(timeline.c.id.desc()).limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    return {
        "items": [item_view(r) for r in rows],
        "cursor": rows[-1].id if rows and more else None,
    }


def identities_of(conn: Connection, customer_id: int) -> list[dict[str, Any]]:
    """The customer's identities: those a channel delivered, then those they only stated
    (``claimed``: shown as such, never used to route)."""
    rows = conn.execute(
        select(identities.c.kind, identities.c.value, identities.c.verified)
        .where(identities.c.customer_id == customer_id)
        .order_by(identities.c.id)
    ).all()
    out = [
        {"kind": r.kind, "value": r.value, "verified": bool(r.verified), "claimed": False}
        for r in rows
    ]
    delivered = {(r.kind, r.value) for r in rows}
    claims = conn.execute(
        select(identity_claims.c.kind, identity_claims.c.value)
        .where(identity_claims.c.customer_id == customer_id)
        .order_by(identity_claims.c.id)
    ).all()
    out += [
        {"kind": r.kind, "value": r.value, "verified": False, "claimed": True}
        for r in claims
        if (r.kind, r.value) not in delivered
    ]
    return out


def customer_summary(conn: Connection, customer_id: int) -> dict[str, Any] | None:
    row = conn.execute(select(customers).where(customers.c.id == customer_id)).first()
    if row is None:
        return None
    csat = last_csat(conn, customer_id, row.last_csat)
    return {
        "id": row.id,
        "name": row.display_name,
        "segment": effective_segment(row.segment, row.created_at, csat),
        "language": row.language,
        "last_csat": csat,
        "since": iso(row.created_at),
    }


# A customer stops being "new" after this long, or once they have rated a conversation: the
# card and the next-best actions then treat them as any other (stored segments are the CRM's).
NEW_CUSTOMER_DAYS = 30


def effective_segment(segment: str, created_at: datetime | None, csat: int | None) -> str:
    if segment != "new":
        return segment
    if csat is not None:
        return "standard"
    if created_at is not None:
        since = created_at if created_at.tzinfo else created_at.replace(tzinfo=UTC)
        if datetime.now(UTC) - since > timedelta(days=NEW_CUSTOMER_DAYS):
            return "standard"
    return segment


def last_csat(conn: Connection, customer_id: int, imported: int | None) -> int | None:
    """The customer's newest rating given here (csat_responses); without one, the figure the
    CRM import set on the customer (``customers.last_csat``)."""
    rating = conn.execute(
        select(csat_responses.c.rating)
        .where(csat_responses.c.customer_id == customer_id)
        .order_by(csat_responses.c.id.desc())
        .limit(1)
    ).scalar()
    return int(rating) if rating is not None else imported


def customer_card(
    conn: Connection, customer_id: int, limit: int, now: datetime
) -> dict[str, Any] | None:
    summary = customer_summary(conn, customer_id)
    if summary is None:
        return None
    bought = conn.execute(
        select(purchases, products.c.name.label("product"), products.c.sku)
        .join(products, products.c.id == purchases.c.product_id)
        .where(purchases.c.customer_id == customer_id)
        .order_by(purchases.c.purchased_at.desc())
    ).all()
    tps = conn.execute(
        select(touchpoints)
        .where(touchpoints.c.customer_id == customer_id)
        .order_by(touchpoints.c.opened_at.desc())
    ).all()
    convs = conn.execute(
        select(conversations)
        .where(
            and_(
                conversations.c.customer_id == customer_id,
                conversations.c.state.in_([s.value for s in OPEN_STATES]),
            )
        )
        .order_by(conversations.c.id)
    ).all()
    return {
        "customer": summary,
        "identities": identities_of(conn, customer_id),
        "purchases": [
            {
                "id": p.id,
                "order": p.order_number,
                "product": p.product,
                "sku": p.sku,
                "status": p.status,
                "amount": p.amount,
                "currency": p.currency,
                "at": iso(p.purchased_at),
            }
            for p in bought
        ],
        "products": sorted(
            {p.product for p in bought if p.status not in ("returned", "cancelled")}
        ),
        "touchpoints": [
            {
                "id": t.id,
                "channel": t.channel,
                "subject": t.subject,
                "status": t.status,
                "opened_at": iso(t.opened_at),
                "closed_at": iso(t.closed_at),
                "age_s": int(((t.closed_at or now) - t.opened_at).total_seconds()),
            }
            for t in tps
        ],
        "open_conversations": [conversation_row(c) for c in convs],
        "timeline": timeline_page(conn, customer_id, None, limit),
    }


def conversation_row(c: Any) -> dict[str, Any]:
    m = c._mapping
    return {
        "id": m["id"],
        "customer_id": m["customer_id"],
        "channel": m["channel"],
        "queue_id": m["queue_id"],
        "state": m["state"],
        "operator_id": m["operator_id"],
        "subject": m["subject"],
        "queued_at": iso(m["queued_at"]),
        "accepted_at": iso(m["accepted_at"]),
    }


def search_customers(conn: Connection, query: str, kind: str, value: str, limit: int) -> list[int]:
    """Customer ids matching an exact identity (phone, e-mail) or a name substring."""
    if kind in ("phone", "email"):
        delivered = select(identities.c.customer_id).where(
            identities.c.kind.in_([kind, "whatsapp"] if kind == "phone" else [kind]),
            identities.c.value == value,
        )
        # A customer who only stated it is found too, after the one the channel delivered it for.
        stated = select(identity_claims.c.customer_id).where(
            identity_claims.c.kind == kind, identity_claims.c.value == value
        )
        found = [*conn.execute(delivered).scalars(), *conn.execute(stated).scalars()]
        return list(dict.fromkeys(found))[:limit]
    needle = query.strip().lower()
    q = (
        select(customers.c.id)
        .where(
            customers.c.merged_into.is_(None),  # a merged customer is found as the one kept
            or_(
                customers.c.name_search.like(f"%{_escape_like(needle)}%", escape="\\"),
                customers.c.id.in_(
                    select(identities.c.customer_id).where(
                        func.lower(identities.c.value).like(
                            f"%{_escape_like(needle)}%", escape="\\"
                        )
                    )
                ),
            ),
        )
        .order_by(customers.c.display_name)
        .limit(limit)
    )
    return list(conn.execute(q).scalars())


def _escape_like(s: str) -> str:
    return s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def events_after(
    conn: Connection, operator_id: int, after: int, until: int | None, limit: int
) -> list[tuple[int, str, dict[str, Any]]]:
    q = select(operator_events.c.seq, operator_events.c.name, operator_events.c.data).where(
        operator_events.c.operator_id == operator_id, operator_events.c.seq > after
    )
    if until is not None:
        q = q.where(operator_events.c.seq < until)
    rows = conn.execute(q.order_by(operator_events.c.seq).limit(limit)).all()
    return [(r.seq, r.name, r.data) for r in rows]


def seq_bounds(conn: Connection, operator_id: int) -> tuple[int, int]:
    """(oldest retained seq, newest seq) of an operator's stream; (0, 0) when empty."""
    lo, hi = conn.execute(
        select(func.min(operator_events.c.seq), func.max(operator_events.c.seq)).where(
            operator_events.c.operator_id == operator_id
        )
    ).one()
    return int(lo or 0), int(hi or 0)


def idempotent_result(
    conn: Connection, operator_id: int, key: str
) -> tuple[str, dict[str, Any]] | None:
    """(command, first result) stored for an operator's idempotency key."""
    row = conn.execute(
        select(idempotency.c.command, idempotency.c.result).where(
            idempotency.c.operator_id == operator_id, idempotency.c.key == key
        )
    ).first()
    return None if row is None else (str(row.command), dict(row.result))


def conversation_customer(conn: Connection, conversation_id: int) -> int | None:
    value = conn.execute(
        select(conversations.c.customer_id).where(conversations.c.id == conversation_id)
    ).scalar()
    return int(value) if value is not None else None


def visitor_handle(conn: Connection, digest: str) -> str | None:
    """The public handle of the web-chat visitor whose secret has this SHA-256, if any."""
    handle = conn.execute(
        select(web_visitors.c.handle).where(web_visitors.c.secret_hash == digest)
    ).scalar()
    return str(handle) if handle is not None else None


def order_details(conn: Connection, customer_id: int, number: str) -> dict[str, Any] | None:
    """One of the customer's orders (the purchases sharing its number): its lines, how it
    travels, and the steps of its life, oldest first. ``None``: the customer has no such order."""
    lines = conn.execute(
        select(purchases, products.c.name.label("product"), products.c.sku)
        .join(products, products.c.id == purchases.c.product_id)
        .where(purchases.c.customer_id == customer_id, purchases.c.order_number == number)
        .order_by(purchases.c.id)
    ).all()
    if not lines:
        return None
    delivery = conn.execute(
        select(order_deliveries).where(
            order_deliveries.c.customer_id == customer_id,
            order_deliveries.c.order_number == number,
        )
    ).first()
    history = conn.execute(
        select(order_status_history)
        .where(
            order_status_history.c.customer_id == customer_id,
            order_status_history.c.order_number == number,
        )
        .order_by(order_status_history.c.at, order_status_history.c.id)
    ).all()
    items = [
        {
            "purchase_id": p.id,
            "product": p.product,
            "sku": p.sku,
            "quantity": p.quantity,
            "price": round(p.amount / p.quantity, 2) if p.quantity else p.amount,
            "amount": p.amount,
            "status": p.status,
        }
        for p in lines
    ]
    return {
        "number": number,
        "customer_id": customer_id,
        "status": history[-1].status if history else lines[0].status,
        "placed_at": iso(min(p.purchased_at for p in lines)),
        "currency": lines[0].currency,
        "total": round(sum(p.amount for p in lines), 2),
        "items": items,
        "delivery": (
            {
                "method": delivery.method,
                "carrier": delivery.carrier,
                "address": delivery.address,
                "tracking": delivery.tracking,
            }
            if delivery is not None
            else None
        ),
        "history": [{"status": h.status, "at": iso(h.at), "note": h.note} for h in history],
    }
