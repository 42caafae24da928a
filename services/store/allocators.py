"""Where the writer's row ids and per-operator event sequence numbers come from.

Two implementations behind one interface, chosen by the dialect:

- :class:`InProcessAllocator` (SQLite): counters in this process's memory, seeded from the
  tables' maxima. SQLite has one writing process, so nobody else can take a number, and a
  counter costs nothing per row.
- :class:`DatabaseAllocator` (PostgreSQL, shared by several gateway nodes): ids from each
  table's own sequence, fetched a block at a time (a gap in ids is harmless); sequence numbers
  from one counter row per operator (``operator_seqs``), raised in the batch's own transaction
  by one statement per batch. The row lock serialises the nodes per operator, so each operator's
  numbers are gapless and in commit order, and a rolled-back batch gives its numbers back.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Mapping
from typing import Protocol

from sqlalchemy import Connection, Table, func, select

from services.store.tables import operator_events


class Allocator(Protocol):
    def next_id(self, conn: Connection, table: Table, flush: Callable[[], None]) -> int:
        """A new id for ``table``; ``flush`` writes the batch's deferred rows first if the
        allocator must read the table."""
        ...

    def take_seqs(self, conn: Connection, counts: Mapping[int, int]) -> dict[int, int]:
        """Reserve ``counts[operator]`` consecutive sequence numbers for each operator, in the
        batch's transaction; returns the first number of each operator's run."""
        ...

    def batch_started(self) -> None: ...

    def batch_failed(self) -> None:
        """The batch rolled back: numbers handed out during it are free again."""
        ...


def allocator_for(dialect: str) -> Allocator:
    if dialect == "postgresql":
        return DatabaseAllocator()
    return InProcessAllocator()


class InProcessAllocator:
    """Counters in memory (SQLite: the writer is the store's only writer)."""

    def __init__(self) -> None:
        self._ids: dict[str, int] = {}
        self._seqs: dict[int, int] = {}
        self._saved: tuple[dict[str, int], dict[int, int]] = ({}, {})

    def batch_started(self) -> None:
        self._saved = (dict(self._ids), dict(self._seqs))

    def batch_failed(self) -> None:
        self._ids, self._seqs = dict(self._saved[0]), dict(self._saved[1])

    def next_id(self, conn: Connection, table: Table, flush: Callable[[], None]) -> int:
        current = self._ids.get(table.name)
        if current is None:
            # Deferred rows without an id get theirs from the database: write them first.
            flush()
            current = int(conn.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar_one())
        current += 1
        self._ids[table.name] = current
        return current

    def take_seqs(self, conn: Connection, counts: Mapping[int, int]) -> dict[int, int]:
        unknown = [op for op in counts if op not in self._seqs]
        if unknown:
            rows = conn.execute(
                select(operator_events.c.operator_id, func.max(operator_events.c.seq))
                .where(operator_events.c.operator_id.in_(unknown))
                .group_by(operator_events.c.operator_id)
            ).all()
            found = {int(op): int(last) for op, last in rows}
            for op in unknown:
                self._seqs[op] = found.get(op, 0)
        first: dict[int, int] = {}
        for op, n in counts.items():
            first[op] = self._seqs[op] + 1
            self._seqs[op] += n
        return first


# Ids are fetched ahead in blocks that grow with demand; a block older than this is dropped, so
# that ids of different nodes stay roughly in time order (a customer's feed is paged by id).
ID_BLOCK_MIN = 8
ID_BLOCK_MAX = 1024
ID_BLOCK_MAX_AGE_S = 0.1

_TAKE_SEQS = """
INSERT INTO operator_seqs (operator_id, last_seq)
SELECT * FROM unnest(%s::bigint[], %s::bigint[]) ORDER BY 1
ON CONFLICT (operator_id) DO UPDATE SET last_seq = operator_seqs.last_seq + EXCLUDED.last_seq
RETURNING operator_id, last_seq
"""


class _IdBlock:
    __slots__ = ("fetched_at", "ids", "size")

    def __init__(self) -> None:
        self.ids: deque[int] = deque()
        self.size = ID_BLOCK_MIN
        self.fetched_at = 0.0


class DatabaseAllocator:
    """Database sequences and counter rows (PostgreSQL: safe across gateway processes)."""

    def __init__(self) -> None:
        self._blocks: dict[str, _IdBlock] = {}
        self._sequences: dict[str, str] = {}

    def batch_started(self) -> None:
        pass

    def batch_failed(self) -> None:
        # Sequence numbers went back with the rollback; ids are never reused (gaps are fine).
        pass

    def next_id(self, conn: Connection, table: Table, flush: Callable[[], None]) -> int:
        block = self._blocks.get(table.name)
        if block is None:
            block = self._blocks[table.name] = _IdBlock()
        now = time.monotonic()
        if block.ids and now - block.fetched_at > ID_BLOCK_MAX_AGE_S:
            # Stale: the ids it holds would sort before rows other nodes wrote meanwhile.
            used = block.size - len(block.ids)
            block.ids.clear()
            block.size = max(ID_BLOCK_MIN, min(ID_BLOCK_MAX, 2 * used))
        if not block.ids:
            if block.fetched_at and now - block.fetched_at <= ID_BLOCK_MAX_AGE_S:
                block.size = min(ID_BLOCK_MAX, block.size * 2)  # used up quickly: fetch more
            block.ids.extend(self._fetch(conn, table.name, block.size))
            block.fetched_at = now
        return block.ids.popleft()

    def _fetch(self, conn: Connection, table: str, n: int) -> list[int]:
        seq = self._sequences.get(table)
        if seq is None:
            seq = conn.exec_driver_sql(
                "SELECT pg_get_serial_sequence(%s, 'id')", (table,)
            ).scalar_one()
            self._sequences[table] = seq
        rows = conn.exec_driver_sql(
            "SELECT nextval(%s::regclass) FROM generate_series(1, %s)", (seq, n)
        ).scalars()
        return sorted(int(v) for v in rows)

    def take_seqs(self, conn: Connection, counts: Mapping[int, int]) -> dict[int, int]:
        # One statement for the whole batch. Rows are locked in operator order, so two nodes
        # raising the same operators' counters queue behind each other instead of deadlocking.
        ops = sorted(counts)
        rows = conn.exec_driver_sql(_TAKE_SEQS, (ops, [counts[op] for op in ops])).all()
        return {int(op): int(last) - counts[int(op)] + 1 for op, last in rows}
