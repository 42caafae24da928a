"""Canned responses in the store: one view of a row, the revisions desktops cache by, and the
team's upsert that the command line's import and the demo seed share.

Ids come from the table's own autoincrement, not the writer's allocator: the command line
inserts into this table from another process while a gateway runs.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from services.store.queries import iso
from services.store.tables import canned_responses, canned_revisions

TEAM_OWNER = 0


def scope_of(owner_id: int) -> str:
    return "team" if owner_id == TEAM_OWNER else "personal"


def canned_view(row: Any) -> dict[str, Any]:
    """What operators see of a response (a row read back, or a dict made here)."""
    get = row.__getitem__ if isinstance(row, dict) else row._mapping.__getitem__
    owner = get("owner_id")
    return {
        "id": get("id"),
        "scope": scope_of(owner),
        "owner_id": owner or None,
        "queue_id": get("queue_id"),
        "shortcut": get("shortcut"),
        "title": get("title"),
        "language": get("language"),
        "text": get("text"),
        "version": get("version"),
        "created_by": get("created_by"),
        "created_at": iso(get("created_at")),
        "updated_by": get("updated_by"),
        "updated_at": iso(get("updated_at")),
    }


def bump_revision(conn: Connection, owner_id: int) -> int:
    """One more change to the owner's set (0: the team's); the new revision. One upsert: two
    gateway nodes changing the same set take turns on its row."""
    dialect = conn.dialect.name
    ins = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(canned_revisions)
    stmt = (
        ins.values(owner_id=owner_id, revision=1)
        .on_conflict_do_update(
            index_elements=[canned_revisions.c.owner_id],
            set_={"revision": canned_revisions.c.revision + 1},
        )
        .returning(canned_revisions.c.revision)
    )
    return int(conn.execute(stmt).scalar_one())


def revisions(conn: Connection, owners: Iterable[int]) -> dict[int, int]:
    wanted = list(owners)
    rows = conn.execute(
        select(canned_revisions.c.owner_id, canned_revisions.c.revision).where(
            canned_revisions.c.owner_id.in_(wanted)
        )
    ).all()
    found = {int(r.owner_id): int(r.revision) for r in rows}
    return {owner: found.get(owner, 0) for owner in wanted}


def responses_of(
    conn: Connection, owners: Iterable[int], after: int | None, limit: int
) -> tuple[list[dict[str, Any]], int | None]:
    """A page of the responses of these owners, by id, and the cursor of the next page (the
    last id of this one; None when this is the last)."""
    t = canned_responses
    query = select(t).where(t.c.owner_id.in_(list(owners)))
    if after is not None:
        query = query.where(t.c.id > after)
    rows = conn.execute(query.order_by(t.c.id).limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    return [canned_view(r) for r in rows], (rows[-1].id if more else None)


def count_of(conn: Connection, owner_id: int) -> int:
    t = canned_responses
    return int(
        conn.execute(
            select(func.count()).select_from(t).where(t.c.owner_id == owner_id)
        ).scalar_one()
    )


def find(conn: Connection, owner_id: int, language: str, shortcut: str) -> Any:
    t = canned_responses
    return conn.execute(
        select(t).where(
            t.c.owner_id == owner_id, t.c.language == language, t.c.shortcut == shortcut
        )
    ).first()


@dataclass(frozen=True, slots=True)
class TeamEntry:
    """A team response to create, or to change if its shortcut and language exist."""

    shortcut: str
    language: str
    title: str
    text: str
    queue_id: int | None = None


def upsert_team(
    conn: Connection, entries: Sequence[TeamEntry], now: datetime, actor: int | None = None
) -> tuple[int, int]:
    """Create or change team responses in the caller's transaction; (created, changed). The
    team's revision goes up once if anything changed."""
    t = canned_responses
    created = changed = 0
    for entry in entries:
        values = {
            "title": entry.title,
            "text": entry.text,
            "queue_id": entry.queue_id,
        }
        row = find(conn, TEAM_OWNER, entry.language, entry.shortcut)
        if row is None:
            conn.execute(
                t.insert().values(
                    scope="team",
                    owner_id=TEAM_OWNER,
                    shortcut=entry.shortcut,
                    language=entry.language,
                    version=1,
                    created_by=actor,
                    updated_by=actor,
                    created_at=now,
                    updated_at=now,
                    **values,
                )
            )
            created += 1
        elif any(getattr(row, k) != v for k, v in values.items()):
            conn.execute(
                update(t)
                .where(t.c.id == row.id)
                .values(version=t.c.version + 1, updated_by=actor, updated_at=now, **values)
            )
            changed += 1
    if created or changed:
        bump_revision(conn, TEAM_OWNER)
    return created, changed
