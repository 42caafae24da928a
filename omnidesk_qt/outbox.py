"""The local outbox: commands that change something wait here until the gateway answered.

A reply typed while the gateway is down, or still in flight when the desktop crashed, is kept in
an SQLite file (WAL, synchronous FULL) with its idempotency key, and sent again, with the same key,
once the gateway is back: the gateway does it once, whatever the number of tries.
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import msgspec
from sqlalchemy import (
    JSON,
    Column,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    delete,
    event,
    func,
    insert,
    select,
    update,
)

from services.private_files import private_sqlite_file

metadata = MetaData()
outbox = Table(
    "outbox",
    metadata,
    Column("n", Integer, primary_key=True, autoincrement=True),  # order of creation
    Column("key", String(64), unique=True, nullable=False),
    Column("name", String(48), nullable=False),
    Column("args", JSON, nullable=False),
    Column("created_at", String(40), nullable=False),
    # pending -> done | failed (refused by the gateway for good)
    Column("state", String(12), nullable=False, default="pending", index=True),
    Column("attempts", Integer, nullable=False, default=0),
    Column("result", JSON, nullable=True),
    Column("error", Text, nullable=True),
)

PENDING, DONE, FAILED = "pending", "done", "failed"


@dataclass(frozen=True, slots=True)
class OutboxEntry:
    n: int
    key: str
    name: str
    args: dict[str, Any]
    created_at: str
    state: str
    attempts: int


class Outbox:
    """Thread-safe; the session calls it from an executor so the UI thread never waits on disk."""

    def __init__(self, path: Path) -> None:
        private_sqlite_file(path)  # reply texts: the user's eyes only
        self.path = path
        self.engine: Engine = create_engine(
            f"sqlite:///{path}",
            json_serializer=lambda v: msgspec.json.encode(v).decode(),
            json_deserializer=msgspec.json.decode,
        )

        @event.listens_for(self.engine, "connect")
        def _pragmas(conn: Any, _rec: Any) -> None:
            cur = conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=FULL")
            cur.close()

        metadata.create_all(self.engine)
        self._lock = threading.Lock()

    def add(self, name: str, args: dict[str, Any], key: str | None = None) -> OutboxEntry:
        key = key or uuid.uuid4().hex
        now = datetime.now(UTC).isoformat()
        with self._lock, self.engine.begin() as c:
            n = c.execute(
                insert(outbox).values(
                    key=key, name=name, args=args, created_at=now, state=PENDING, attempts=0
                )
            ).inserted_primary_key
        assert n is not None
        return OutboxEntry(int(n[0]), key, name, args, now, PENDING, 0)

    def pending(self) -> list[OutboxEntry]:
        with self.engine.connect() as c:
            rows = c.execute(
                select(outbox).where(outbox.c.state == PENDING).order_by(outbox.c.n)
            ).all()
        return [
            OutboxEntry(r.n, r.key, r.name, r.args, r.created_at, r.state, r.attempts) for r in rows
        ]

    def attempt(self, key: str) -> None:
        with self._lock, self.engine.begin() as c:
            c.execute(
                update(outbox).where(outbox.c.key == key).values(attempts=outbox.c.attempts + 1)
            )

    def done(self, key: str, result: dict[str, Any]) -> None:
        with self._lock, self.engine.begin() as c:
            c.execute(update(outbox).where(outbox.c.key == key).values(state=DONE, result=result))

    def failed(self, key: str, error: str) -> None:
        with self._lock, self.engine.begin() as c:
            c.execute(update(outbox).where(outbox.c.key == key).values(state=FAILED, error=error))

    def prune(self, older_than: timedelta = timedelta(days=1)) -> int:
        """Forget answered commands after a while; pending ones stay however old they are."""
        cutoff = (datetime.now(UTC) - older_than).isoformat()
        with self._lock, self.engine.begin() as c:
            gone = c.execute(
                delete(outbox).where(outbox.c.state != PENDING, outbox.c.created_at < cutoff)
            ).rowcount
        return int(gone)

    def count_pending(self) -> int:
        with self.engine.connect() as c:
            return int(
                c.execute(
                    select(func.count()).select_from(outbox).where(outbox.c.state == PENDING)
                ).scalar_one()
            )

    def close(self) -> None:
        self.engine.dispose()
