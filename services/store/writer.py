"""The single writer: group commit with "acknowledge only after commit".

Every change to the store goes through :meth:`StoreWriter.submit` as a *job*: a plain function
run on the writer thread against a :class:`WriteBatch`. The writer drains whatever jobs have
queued up while the previous commit was in progress, runs them in one transaction and commits
once; only then are their results (and the events they emitted) handed back to the event loop.
Under load that turns a commit per message into a commit per few dozen messages, without ever
acknowledging something that is not on disk.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, Executable, Table
from sqlalchemy.engine import CursorResult
from sqlalchemy.exc import IntegrityError

from services.store.allocators import Allocator, allocator_for
from services.store.bulk import insert_rows, set_response_clocks, touch_conversations
from services.store.errors import constraint_name, describe_database_error, is_database_error
from services.store.models import utcnow
from services.store.tables import operator_events

log = logging.getLogger(__name__)

T = TypeVar("T")
Job = Callable[["WriteBatch"], T]

MAX_BATCH = 512
# A conversation's ``last_activity_at`` is kept to this resolution: a busy chat writes its row
# about once a second, not once per message (a network database pays for every row version).
ACTIVITY_RESOLUTION = timedelta(seconds=1)
# Conversations whose last write is remembered; past this, the oldest are forgotten (a forgotten
# one is merely written again).
ACTIVITY_MEMORY = 50_000
_STOP = object()


@dataclass(slots=True)
class Published:
    """An operator event that became durable and may now be delivered."""

    operator_id: int
    seq: int
    name: str
    data: dict[str, Any]


class WriteBatch:
    """What a job sees: a connection inside the batch's transaction, plus deferred inserts.

    Rows given to :meth:`add` are inserted with one ``executemany`` per table when the batch
    flushes (before any :meth:`execute`, and before commit): the hot path pays per batch, not
    per row. Events get their sequence numbers once every job has run, in one step per batch.
    """

    def __init__(
        self,
        conn: Connection,
        allocator: Allocator,
        activity_written: dict[int, datetime] | None = None,
    ) -> None:
        self.conn = conn
        self.now: datetime = utcnow()
        self._alloc = allocator
        self._pending: dict[Table, list[dict[str, Any]]] = {}
        self._touched: set[int] = set()
        # Response clocks to write at the flush, per conversation: "owe" (start it unless it
        # runs), "answer" (stop it) or "restart" (answered, then the customer wrote again).
        self._clocks: dict[int, str] = {}
        # When each conversation's activity was last committed (the writer's memory of it).
        self._activity_written = {} if activity_written is None else activity_written
        self.activity_touched: list[int] = []
        self.published: list[Published] = []
        self.after_commit: list[Callable[[], None]] = []

    def next_id(self, table: Table) -> int:
        return self._alloc.next_id(self.conn, table, self.flush)

    # -- writing ------------------------------------------------------------------------------
    def add(self, table: Table, row: dict[str, Any]) -> None:
        self._pending.setdefault(table, []).append(row)

    def add_update_activity(self, conversation_id: int) -> None:
        """Mark a conversation active now; written once per batch, not once per message."""
        self._touched.add(conversation_id)

    def owe_response(self, conversation_id: int) -> None:
        """The customer wrote: a reply is owed from now, unless one was owed already."""
        before = self._clocks.get(conversation_id)
        self._clocks[conversation_id] = "owe" if before in (None, "owe") else "restart"

    def answer_response(self, conversation_id: int) -> None:
        """An operator replied: nothing is owed any more."""
        self._clocks[conversation_id] = "answer"

    def emit(self, operator_id: int, name: str, data: dict[str, Any]) -> Published:
        """Append an event to the operator's stream; delivered after commit. Its ``seq`` is
        set when the batch is finished (before commit)."""
        event = Published(operator_id, 0, name, data)
        self.published.append(event)
        return event

    def execute(self, stmt: Executable, params: Any = None) -> CursorResult[Any]:
        self.flush()
        return self.conn.execute(stmt, params)

    def flush(self) -> None:
        if self._pending:
            pending, self._pending = self._pending, {}
            order = _table_order()
            for table in sorted(pending, key=lambda t: order.get(t, 0)):
                insert_rows(self.conn, table, pending[table])
        if self._touched:
            written, now = self._activity_written, self.now
            touched = {
                c
                for c in self._touched
                if (last := written.get(c)) is None or now - last >= ACTIVITY_RESOLUTION
            }
            self._touched = set()
            if touched:
                touch_conversations(self.conn, touched, now)
                self.activity_touched.extend(touched)
        if self._clocks:
            clocks, self._clocks = self._clocks, {}
            by_kind: dict[str, set[int]] = {"owe": set(), "answer": set(), "restart": set()}
            for conversation_id, kind in clocks.items():
                by_kind[kind].add(conversation_id)
            set_response_clocks(
                self.conn, by_kind["owe"], by_kind["answer"], by_kind["restart"], self.now
            )

    def finish(self) -> None:
        """Write everything still deferred: rows, then the events with their numbers."""
        self.flush()
        if not self.published:
            return
        counts: dict[int, int] = {}
        for event in self.published:
            counts[event.operator_id] = counts.get(event.operator_id, 0) + 1
        next_seq = self._alloc.take_seqs(self.conn, counts)
        rows = []
        for event in self.published:
            event.seq = next_seq[event.operator_id]
            next_seq[event.operator_id] += 1
            rows.append(
                {
                    "operator_id": event.operator_id,
                    "seq": event.seq,
                    "name": event.name,
                    "data": event.data,
                    "created_at": self.now,
                }
            )
        insert_rows(self.conn, operator_events, rows)


@functools.cache
def _table_order() -> dict[Table, int]:
    """Parents before children, so one batch can insert a customer and its identities."""
    from services.store.models import Base

    return {t: i for i, t in enumerate(Base.metadata.sorted_tables)}


@dataclass(slots=True)
class _Item:
    job: Job[Any]
    future: asyncio.Future[Any]


@dataclass
class WriterStats:
    batches: int = 0
    jobs: int = 0
    largest_batch: int = 0
    retried_alone: int = 0
    extra: dict[str, int] = field(default_factory=dict)


class StoreWriter:
    """Runs jobs on one thread, committing each batch once."""

    def __init__(
        self,
        engine: Engine,
        loop: asyncio.AbstractEventLoop,
        on_published: Callable[[list[Published]], None],
        rejections: tuple[type[BaseException], ...] = (),
        *,
        inline: bool = False,
        commit_window_s: float = 0.002,
    ) -> None:
        self.commit_window_s = commit_window_s
        # inline: run batches on the event loop's own thread. For SQLite (local, microseconds a
        # statement) this is faster than a thread: no GIL hand-offs between two busy threads.
        # A network database (PostgreSQL) gets the thread, so that round trips never block.
        self.inline = inline
        # Exceptions a job raises *before writing anything* to refuse its work (e.g. a
        # conflict): they fail that job alone without spoiling the batch.
        self._rejections = rejections
        self._engine = engine
        self._loop = loop
        self._on_published = on_published
        self._queue: queue.SimpleQueue[list[_Item] | object] = queue.SimpleQueue()
        self._outgoing: list[_Item] = []
        self._conn: Connection | None = None
        self._alloc = allocator_for(engine.dialect.name)
        self._activity_written: dict[int, datetime] = {}
        self._thread = threading.Thread(target=self._run, name="store-writer", daemon=True)
        self._closed = False
        self.stats = WriterStats()

    def start(self) -> None:
        if not self.inline:
            self._thread.start()

    def submit(self, job: Job[T]) -> asyncio.Future[T]:
        if self._closed:
            raise RuntimeError("the store writer is closed")
        fut: asyncio.Future[T] = self._loop.create_future()
        # Hand jobs over once per loop iteration, not once per job: every hand-over wakes the
        # writer thread, and each wake-up makes the two threads trade the GIL.
        if not self._outgoing:
            if self.inline and self.commit_window_s > 0:
                # Group commit: what arrives within the window shares one transaction.
                self._loop.call_later(self.commit_window_s, self._hand_over)
            else:
                self._loop.call_soon(self._hand_over)
        self._outgoing.append(_Item(job, fut))
        return fut

    def _hand_over(self) -> None:
        items, self._outgoing = self._outgoing, []
        if self.inline:
            for start in range(0, len(items), MAX_BATCH):
                self._run_batch(items[start : start + MAX_BATCH])
        else:
            self._queue.put(items)

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self._outgoing:
            self._hand_over()
        if self.inline:
            self._discard_connection()
            await asyncio.sleep(0)  # let delivered results run
            return
        self._queue.put(_STOP)
        await asyncio.to_thread(self._thread.join)

    # -- writer thread ----------------------------------------------------------------------
    def _run(self) -> None:
        stopping = False
        while not stopping:
            first = self._queue.get()
            if first is _STOP:
                break
            items: list[_Item] = list(first)  # type: ignore[call-overload]
            while len(items) < MAX_BATCH:
                try:
                    nxt = self._queue.get_nowait()
                except queue.Empty:
                    break
                if nxt is _STOP:
                    stopping = True
                    break
                items.extend(nxt)  # type: ignore[arg-type]
            for start in range(0, len(items), MAX_BATCH):
                self._run_batch(items[start : start + MAX_BATCH])
        self._discard_connection()

    def _run_batch(self, items: list[_Item]) -> None:
        self._alloc.batch_started()
        try:
            conn = self._connection()
            conn.begin()  # one transaction per batch, begun here whatever runs first in it
            batch = WriteBatch(conn, self._alloc, self._activity_written)
            results = [self._run_job(item, batch) for item in items]
            batch.finish()
            _refuse_aborted_transaction(conn)
            conn.commit()
            self._remember_activity(batch)
        except Exception:
            self._alloc.batch_failed()
            self._discard_connection()
            if len(items) == 1:
                self._finish_one_failed(items[0])
                return
            # One job spoiled the batch: run each alone so that only it fails.
            self.stats.retried_alone += len(items)
            for item in items:
                self._run_batch([item])
            return
        self.stats.batches += 1
        self.stats.jobs += len(items)
        self.stats.largest_batch = max(self.stats.largest_batch, len(items))
        self._call(self._deliver, items, results, batch)

    def _remember_activity(self, batch: WriteBatch) -> None:
        written = self._activity_written
        for conversation_id in batch.activity_touched:
            written.pop(conversation_id, None)  # re-inserted: the dict stays oldest-first
            written[conversation_id] = batch.now
        while len(written) > ACTIVITY_MEMORY:
            del written[next(iter(written))]

    def _connection(self) -> Connection:
        # One connection for the writer's lifetime: no pool check-out per batch.
        if self._conn is None or self._conn.closed or self._conn.invalidated:
            self._conn = self._engine.connect()
        return self._conn

    def _discard_connection(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.rollback()
                conn.close()
            except Exception:
                log.warning("could not close the writer's connection cleanly", exc_info=True)

    def _call(self, fn: Callable[..., None], *args: Any) -> None:
        if self.inline:
            fn(*args)
        else:
            self._loop.call_soon_threadsafe(fn, *args)

    def _run_job(self, item: _Item, batch: WriteBatch) -> Any:
        try:
            return item.job(batch)
        except self._rejections as exc:
            return _Rejected(exc)

    def _finish_one_failed(self, item: _Item) -> None:
        import sys

        exc = sys.exc_info()[1]
        assert exc is not None
        if isinstance(exc, IntegrityError):
            # A constraint said no (a provider's retry, a racing insert): the caller decides.
            # Only the constraint's name: the driver's message quotes the values (personal data).
            log.info("store job refused by a constraint", extra={"constraint": _constraint(exc)})
        elif is_database_error(exc):
            log.error("store job failed: %s", describe_database_error(exc))
        elif not isinstance(exc, (LookupError, ValueError, PermissionError)):
            log.exception("store job failed")
        self._call(_set_exception, item.future, exc)

    def _deliver(self, items: list[_Item], results: list[Any], batch: WriteBatch) -> None:
        if batch.published:
            try:
                self._on_published(batch.published)
            except Exception:
                # Committed is committed: a failing subscriber must not leave callers waiting.
                log.exception("publishing committed events failed")
        for cb in batch.after_commit:
            try:
                cb()
            except Exception:
                log.exception("after-commit callback failed")
        for item, result in zip(items, results, strict=True):
            if item.future.done():
                continue
            if isinstance(result, _Rejected):
                item.future.set_exception(result.exc)
            else:
                item.future.set_result(result)


@dataclass(slots=True)
class _Rejected:
    exc: BaseException


def _refuse_aborted_transaction(conn: Connection) -> None:
    """PostgreSQL: a job that swallowed a database error leaves the transaction aborted, and
    COMMIT would then roll it back without a word while we report success."""
    if conn.dialect.name != "postgresql":
        return
    from psycopg.pq import TransactionStatus

    raw = conn.connection.dbapi_connection
    if raw is not None and raw.info.transaction_status == TransactionStatus.INERROR:
        raise RuntimeError("a job left the transaction aborted; nothing of it was committed")


def _constraint(exc: IntegrityError) -> str:
    # SQLite names no constraint; its message names the columns only (no values).
    return constraint_name(exc) or str(exc.orig)


def _set_exception(fut: asyncio.Future[Any], exc: BaseException) -> None:
    if not fut.done():
        fut.set_exception(exc)
