"""Pruning what has outlived its retention: operator events, idempotency keys, hint showings."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func, select

from services.hub.config import HubConfig
from services.store import tables
from services.store.models import utcnow
from services.store.store import Store
from services.store.writer import WriteBatch


async def prune(
    store: Store, config: HubConfig, now: datetime | None = None
) -> tuple[int, int, int]:
    """Drop operator events, idempotency keys and unanswered hint showings older than their
    retention; returns how many of each.

    A client whose last seen event was pruned gets ``gap_too_old`` and reloads its state;
    idempotency keys live at least a day (a client retries within minutes).
    """
    now = now or utcnow()
    event_cut = now - timedelta(days=config.event_retention_days)
    key_cut = now - timedelta(days=max(1.0, config.idempotency_retention_days))
    hint_cut = now - timedelta(days=config.hint_retention_days)
    events = tables.operator_events
    later = events.alias("later")
    newest = (
        select(func.max(later.c.seq))
        .where(later.c.operator_id == events.c.operator_id)
        .scalar_subquery()
    )
    decisions, outcomes = tables.nba_decisions, tables.nba_outcomes
    answered = select(outcomes.c.hint_id).where(outcomes.c.hint_id == decisions.c.hint_id).exists()

    def job(b: WriteBatch) -> tuple[int, int, int]:
        # Each operator's newest event stays: sequence numbers continue from it after a
        # restart instead of starting again under the same epoch.
        r1 = b.execute(delete(events).where(events.c.created_at < event_cut, events.c.seq < newest))
        r2 = b.execute(delete(tables.idempotency).where(tables.idempotency.c.created_at < key_cut))
        r3 = b.execute(delete(decisions).where(decisions.c.shown_at < hint_cut, ~answered))
        return r1.rowcount, r2.rowcount, r3.rowcount

    return await store.write(job)
