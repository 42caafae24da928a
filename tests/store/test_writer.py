"""The group-commit writer on a real asyncio loop, on SQLite and PostgreSQL.

Most tests run the writer the way the Store does (inline on the event loop for SQLite, on its
own thread for PostgreSQL); the ones about group commit and closing run it both ways on both
databases.
"""

from __future__ import annotations

import asyncio
import secrets
import threading
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, func, make_url, select, text, tuple_, update
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from services.store import tables
from services.store.db import make_engine
from services.store.models import Customer, utcnow
from services.store.store import Store
from services.store.writer import MAX_BATCH, Published, StoreWriter, WriteBatch


class Refused(LookupError):
    """The rejection the tests' writers are told about."""


class Harness:
    """Writers on one database, and a subscriber that checks every event it is handed is
    already committed: read back over a separate connection, with the same name and data."""

    def __init__(self, engine: Engine, inline: bool) -> None:
        self.engine = engine
        self.inline = inline
        self.published: list[Published] = []
        self.deliveries: list[list[Published]] = []
        self.not_yet_visible: list[tuple[int, int]] = []
        self._writers: list[StoreWriter] = []

    def on_published(self, events: list[Published]) -> None:
        keys = [(e.operator_id, e.seq) for e in events]
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(
                    tables.operator_events.c.operator_id,
                    tables.operator_events.c.seq,
                    tables.operator_events.c.name,
                    tables.operator_events.c.data,
                ).where(
                    tuple_(tables.operator_events.c.operator_id, tables.operator_events.c.seq).in_(
                        keys
                    )
                )
            ).all()
        stored = {(r.operator_id, r.seq): (r.name, r.data) for r in rows}
        for e in events:
            if stored.get((e.operator_id, e.seq)) != (e.name, e.data):
                self.not_yet_visible.append((e.operator_id, e.seq))
        self.deliveries.append(list(events))
        self.published.extend(events)

    def writer(self, **kwargs: Any) -> StoreWriter:
        w = StoreWriter(
            self.engine,
            asyncio.get_running_loop(),
            kwargs.pop("on_published", self.on_published),
            (Refused,),
            inline=self.inline,
            **kwargs,
        )
        w.start()
        self._writers.append(w)
        return w

    async def close(self) -> None:
        for w in self._writers:
            await w.close()

    def seqs(self, operator_id: int) -> list[int]:
        return [p.seq for p in self.published if p.operator_id == operator_id]

    def stored_seqs(self, operator_id: int) -> list[int]:
        with self.engine.connect() as conn:
            return list(
                conn.execute(
                    select(tables.operator_events.c.seq)
                    .where(tables.operator_events.c.operator_id == operator_id)
                    .order_by(tables.operator_events.c.seq)
                ).scalars()
            )


@pytest.fixture
async def harness(request: pytest.FixtureRequest, engine: Engine) -> AsyncIterator[Harness]:
    """The writer as the Store runs it (inline on SQLite, on its thread for PostgreSQL), or
    the way a ``both_modes`` test asks for."""
    mode = getattr(request, "param", "inline" if engine.dialect.name == "sqlite" else "thread")
    h = Harness(engine, inline=mode == "inline")
    yield h
    await h.close()
    assert h.not_yet_visible == [], "events were published before their rows were committed"


both_modes = pytest.mark.parametrize("harness", ["thread", "inline"], indirect=True)


# -- jobs ----------------------------------------------------------------------------------


def add_customer(b: WriteBatch, name: str) -> int:
    cid = b.next_id(tables.customers)
    b.add(
        tables.customers,
        {"id": cid, "display_name": name, "name_search": name.lower(), "created_at": b.now},
    )
    return cid


def add_message(
    b: WriteBatch, customer_id: int, provider_id: str | None, body: str = "", **more: Any
) -> int:
    eid = b.next_id(tables.timeline)
    b.add(
        tables.timeline,
        {
            "id": eid,
            "customer_id": customer_id,
            "kind": "message",
            "channel": "sms",
            "direction": "in",
            "body": body,
            "provider_id": provider_id,
            "created_at": b.now,
            **more,
        },
    )
    return eid


def add_conversation(b: WriteBatch, customer_id: int, last_activity_at: Any = None) -> int:
    conv = b.next_id(tables.conversations)
    b.add(
        tables.conversations,
        {
            "id": conv,
            "customer_id": customer_id,
            "channel": "webchat",
            "queued_at": b.now,
            "created_at": b.now,
            "last_activity_at": last_activity_at or b.now,
        },
    )
    return conv


def add_identity(b: WriteBatch, customer_id: int, kind: str, value: str) -> int:
    iid = b.next_id(tables.identities)
    b.add(
        tables.identities,
        {
            "id": iid,
            "customer_id": customer_id,
            "kind": kind,
            "value": value,
            "verified": False,
            "created_at": b.now,
        },
    )
    return iid


def good(i: int, operator_id: int = 7) -> Callable[[WriteBatch], tuple[int, int, Published]]:
    def run(b: WriteBatch) -> tuple[int, int, Published]:
        cid = add_customer(b, f"ok {i}")
        event = b.emit(operator_id, "ok", {"i": i})
        # The batch numbers its events once every job has run: read the number after commit.
        return i, cid, event

    return run


def seq_of(event: Any) -> int:
    """The number a job's emitted event got (set by the time the job's result is delivered)."""
    assert isinstance(event, Published) and event.seq > 0
    return event.seq


def assert_new_ids(engine: Engine, ids: list[int], after: list[int]) -> None:
    """SQLite's in-process counters go on without a gap (a failed batch gives its ids back);
    PostgreSQL's sequences never give an id back, so there ids only grow."""
    if engine.dialect.name == "sqlite":
        assert ids == list(range(max(after) + 1, max(after) + 1 + len(ids)))
    else:
        assert ids == sorted(set(ids)) and min(ids) > max(after)


def names(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return sorted(conn.execute(select(tables.customers.c.display_name)).scalars())


def ids_of(engine: Engine, table: Any) -> list[int]:
    with engine.connect() as conn:
        return list(conn.execute(select(table.c.id).order_by(table.c.id)).scalars())


# -- group commit ---------------------------------------------------------------------------


@both_modes
async def test_jobs_submitted_together_share_commits_and_get_their_own_results(
    harness: Harness,
) -> None:
    w = harness.writer()
    futures = [w.submit(good(i, operator_id=1 + i % 3)) for i in range(200)]
    # A caller is answered only once its rows can be seen from another connection.
    unseen: list[int] = []

    def look(fut: asyncio.Future[tuple[int, int, int]]) -> None:
        cid = fut.result()[1]
        with harness.engine.connect() as conn:
            row = conn.execute(
                select(tables.customers.c.id).where(tables.customers.c.id == cid)
            ).first()
        if row is None:
            unseen.append(cid)

    for fut in futures[::10]:
        fut.add_done_callback(look)
    results = await asyncio.gather(*futures)
    await asyncio.sleep(0)
    assert unseen == []

    assert [r[0] for r in results] == list(range(200))
    assert len({r[1] for r in results}) == 200
    assert w.stats.jobs == 200
    assert w.stats.batches < 200 and w.stats.largest_batch > 1
    assert w.stats.retried_alone == 0
    with harness.engine.connect() as conn:
        rows = conn.execute(select(tables.customers.c.id, tables.customers.c.display_name))
        stored = {r.id: r.display_name for r in rows}
    assert stored == {cid: f"ok {i}" for i, cid, _ in results}
    for op in (1, 2, 3):
        own = [seq_of(ev) for i, _, ev in results if 1 + i % 3 == op]
        assert own == list(range(1, len(own) + 1))


async def test_more_jobs_than_a_batch_holds_are_split(harness: Harness) -> None:
    w = harness.writer()
    n = MAX_BATCH + 40
    results = await asyncio.gather(*(w.submit(good(i)) for i in range(n)))
    assert w.stats.jobs == n
    assert w.stats.batches >= 2
    assert w.stats.largest_batch == MAX_BATCH
    assert sorted(seq_of(r[2]) for r in results) == list(range(1, n + 1))
    assert harness.stored_seqs(7) == list(range(1, n + 1))


async def test_events_are_published_after_commit_numbered_per_operator(harness: Harness) -> None:
    w = harness.writer()

    def job(i: int) -> Callable[[WriteBatch], list[tuple[int, Published]]]:
        def run(b: WriteBatch) -> list[tuple[int, Published]]:
            cid = add_customer(b, f"c{i}")
            ops = [1 + i % 4] + ([1 + (i * 7) % 5] if i % 3 == 0 else [])
            return [(op, b.emit(op, "customer.new", {"id": cid, "i": i})) for op in ops]

        return run

    emitted: list[tuple[int, int]] = []
    for wave in range(3):  # several batches, each interleaving the operators
        out = await asyncio.gather(*(w.submit(job(wave * 60 + i)) for i in range(60)))
        emitted += [(op, seq_of(ev)) for per_job in out for op, ev in per_job]
        await asyncio.sleep(0)

    # The subscriber found every event it was handed already committed.
    assert harness.not_yet_visible == [] and harness.published
    keys = [(p.operator_id, p.seq) for p in harness.published]
    assert len(keys) == len(set(keys)), "an event was published twice"
    assert sorted(keys) == sorted(emitted)
    for op in range(1, 6):
        assert harness.seqs(op) == list(range(1, len(harness.seqs(op)) + 1))
        assert harness.stored_seqs(op) == harness.seqs(op)
    assert len(harness.deliveries) == w.stats.batches
    # The data published is what the job emitted, in the order the jobs ran.
    by_op = [p.data["i"] for p in harness.published if p.operator_id == 1]
    assert by_op == sorted(by_op)


# -- failures --------------------------------------------------------------------------------


async def test_a_rejected_job_fails_alone_without_spoiling_the_batch(harness: Harness) -> None:
    w = harness.writer()

    def refused(b: WriteBatch) -> None:
        raise Refused("no such conversation")

    futures: list[asyncio.Future[Any]] = [
        w.submit(good(0)),
        w.submit(refused),
        w.submit(good(1)),
        w.submit(good(2)),
    ]
    results = await asyncio.gather(*futures, return_exceptions=True)

    assert isinstance(results[1], Refused)
    assert [r[0] for r in (results[0], results[2], results[3])] == [0, 1, 2]  # type: ignore[index]
    assert w.stats.retried_alone == 0 and w.stats.batches == 1
    assert names(harness.engine) == ["ok 0", "ok 1", "ok 2"]
    assert harness.seqs(7) == [1, 2, 3] == harness.stored_seqs(7)


async def test_any_other_exception_fails_only_its_job(harness: Harness) -> None:
    w = harness.writer()

    def broken(b: WriteBatch) -> None:
        add_customer(b, "half-done")
        b.emit(7, "half", {})
        raise RuntimeError("a bug in a job")

    def naive(b: WriteBatch) -> None:
        # Fails only when the batch writes its rows, after every job has run.
        b.add(
            tables.customers,
            {
                "id": b.next_id(tables.customers),
                "display_name": "naive",
                "name_search": "naive",
                "created_at": b.now.replace(tzinfo=None),
            },
        )
        b.emit(7, "naive", {})

    futures: list[asyncio.Future[Any]] = [
        w.submit(good(0)),
        w.submit(broken),
        w.submit(naive),
        w.submit(good(1)),
    ]
    results = await asyncio.gather(*futures, return_exceptions=True)

    assert isinstance(results[1], RuntimeError)
    assert isinstance(results[2], ValueError) and "naive datetime" in str(results[2])
    assert not isinstance(results[0], BaseException) and not isinstance(results[3], BaseException)
    assert w.stats.retried_alone == 4
    assert names(harness.engine) == ["ok 0", "ok 1"]
    assert harness.seqs(7) == [1, 2] == harness.stored_seqs(7)
    kept = [results[0][1], results[3][1]]  # type: ignore[index]
    assert ids_of(harness.engine, tables.customers) == kept
    assert_new_ids(harness.engine, kept, after=[0])


async def test_duplicate_provider_id_fails_alone_and_numbering_stays_contiguous(
    harness: Harness,
) -> None:
    w = harness.writer()

    def first(b: WriteBatch) -> int:
        cid = add_customer(b, "sender")
        add_message(b, cid, "prov-1", "first copy")
        return cid

    cid = await w.submit(first)

    def message(
        provider_id: str | None, body: str
    ) -> Callable[[WriteBatch], tuple[int, Published]]:
        def run(b: WriteBatch) -> tuple[int, Published]:
            eid = add_message(b, cid, provider_id, body)
            return eid, b.emit(3, "timeline.item", {"id": eid})

        return run

    futures = [
        w.submit(message("prov-2", "a")),
        w.submit(message("prov-1", "the provider retried")),
        w.submit(message(None, "b")),
        w.submit(message(None, "c")),  # no provider id: never a conflict
    ]
    results = await asyncio.gather(*futures, return_exceptions=True)

    assert isinstance(results[1], IntegrityError)
    ok = [r for i, r in enumerate(results) if i != 1]
    assert all(isinstance(r, tuple) for r in ok)
    assert [seq_of(r[1]) for r in ok] == [1, 2, 3]  # type: ignore[index]
    first_ids = [r[0] for r in ok]  # type: ignore[index]
    assert_new_ids(harness.engine, first_ids, after=[1])
    assert harness.seqs(3) == [1, 2, 3] == harness.stored_seqs(3)
    with harness.engine.connect() as conn:
        bodies = conn.execute(
            select(tables.timeline.c.body).order_by(tables.timeline.c.id)
        ).scalars()
        assert list(bodies) == ["first copy", "a", "b", "c"]

    # Numbering goes on from there, without a gap where the failed job was.
    eid, event = await w.submit(message("prov-3", "d"))
    assert seq_of(event) == 4
    assert_new_ids(harness.engine, [eid], after=[1, *first_ids])
    assert ids_of(harness.engine, tables.timeline) == [1, *first_ids, eid]
    assert harness.stored_seqs(3) == [1, 2, 3, 4]


async def test_duplicate_identity_fails_alone(harness: Harness) -> None:
    w = harness.writer()

    def existing(b: WriteBatch) -> int:
        cid = add_customer(b, "old")
        add_identity(b, cid, "phone", "+79160000001")
        return cid

    await w.submit(existing)

    def claim(name: str, kind: str, value: str) -> Callable[[WriteBatch], int]:
        def run(b: WriteBatch) -> int:
            cid = add_customer(b, name)
            add_identity(b, cid, kind, value)
            b.emit(5, "customer.new", {"id": cid})
            return cid

        return run

    futures = [
        w.submit(claim("a", "email", "a@example.ru")),
        w.submit(claim("b", "email", "a@example.ru")),  # same batch, same identity: loses
        w.submit(claim("c", "phone", "+79160000001")),  # already in the store
        w.submit(claim("d", "whatsapp", "+79160000001")),  # another kind: fine
    ]
    results = await asyncio.gather(*futures, return_exceptions=True)

    assert isinstance(results[1], IntegrityError) and isinstance(results[2], IntegrityError)
    new_customers = [results[0], results[3]]
    assert_new_ids(harness.engine, new_customers, after=[1])  # type: ignore[arg-type]
    assert names(harness.engine) == ["a", "d", "old"]
    assert harness.seqs(5) == [1, 2] == harness.stored_seqs(5)
    identity_ids = ids_of(harness.engine, tables.identities)
    assert identity_ids[0] == 1 and len(identity_ids) == 3
    assert_new_ids(harness.engine, identity_ids[1:], after=[1])
    last = await w.submit(claim("e", "email", "e@example.ru"))
    assert_new_ids(harness.engine, [last], after=new_customers)  # type: ignore[arg-type]
    assert harness.stored_seqs(5) == [1, 2, 3]


# -- what a batch does -----------------------------------------------------------------------


async def test_deferred_rows_are_written_before_any_statement_parents_first(
    harness: Harness,
) -> None:
    w = harness.writer()
    loop_now = utcnow()

    def child_first(b: WriteBatch) -> int:
        cid = b.next_id(tables.customers)
        add_identity(b, cid, "email", "kid@example.ru")  # the child row is added first
        b.add(
            tables.customers,
            {"id": cid, "display_name": "Мария", "name_search": "мария", "created_at": b.now},
        )
        return cid

    def conversation(b: WriteBatch) -> int:
        conv = b.next_id(tables.conversations)
        b.add(
            tables.conversations,
            {
                "id": conv,
                "customer_id": 1,
                "channel": "webchat",
                "queued_at": b.now,
                "created_at": b.now,
                "last_activity_at": loop_now.replace(year=2000),
            },
        )
        return conv

    def rename(b: WriteBatch) -> int:
        # A statement sees the rows other jobs of the same batch have only added.
        res = b.execute(
            update(tables.customers)
            .where(tables.customers.c.id == 1)
            .values(display_name="Мария И.")
        )
        b.add_update_activity(1)
        return res.rowcount

    def count(b: WriteBatch) -> int:
        return int(b.execute(select(func.count()).select_from(tables.identities)).scalar_one())

    f1, f2, f3, f4 = (w.submit(j) for j in (child_first, conversation, rename, count))
    assert await f1 == 1 and await f2 == 1
    assert await f3 == 1 and await f4 == 1
    assert w.stats.batches == 1
    with harness.engine.connect() as conn:
        assert names(harness.engine) == ["Мария И."]
        conv = conn.execute(select(tables.conversations)).one()
        # Defaults filled in for the keys the row left out; activity bumped to the batch time.
        assert (conv.state, conv.version, conv.hold_seconds, conv.subject) == ("queued", 0, 0, "")
        assert conv.last_activity_at == conv.created_at
        assert conv.last_activity_at >= loop_now


async def test_a_large_batch_of_mixed_rows_reads_back_as_written(harness: Harness) -> None:
    """Hundreds of rows of one table in one batch (PostgreSQL: one COPY), rows that leave out
    different columns, text that COPY must escape, JSON and instants, and the activity of many
    conversations bumped at once: all read back as the ORM wrote them."""
    from services.store.models import Conversation, TimelineEvent

    w = harness.writer()
    customer = await w.submit(lambda b: add_customer(b, "Пётр"))

    def conversations(b: WriteBatch) -> list[int]:
        return [add_conversation(b, customer, b.now.replace(year=2000)) for _ in range(5)]

    convs = await w.submit(conversations)

    def message(i: int) -> Callable[[WriteBatch], int]:
        def run(b: WriteBatch) -> int:
            eid = b.next_id(tables.timeline)
            row: dict[str, Any] = {
                "id": eid,
                "customer_id": customer,
                "conversation_id": convs[i % 5],
                "kind": "message",
                "channel": "webchat",
                "direction": "in",
                "body": f"Сообщение {i} «кавычки» 'и' \\ %s\t\\N\nстрока",
                "created_at": b.now,
            }
            if i % 3 == 0:  # some rows carry what the others leave to the defaults
                row["extra"] = {"n": i, "list": [1, "два"]}
                row["attachments"] = [{"name": f"f{i}.pdf"}]
            b.add(tables.timeline, row)
            b.add_update_activity(convs[i % 5])
            return eid

        return run

    ids = await asyncio.gather(*(w.submit(message(i)) for i in range(300)))
    assert len(set(ids)) == 300
    with Session(harness.engine) as s:
        rows = {e.id: e for e in s.scalars(select(TimelineEvent))}
        for i, eid in enumerate(ids):
            e = rows[eid]
            assert e.body == f"Сообщение {i} «кавычки» 'и' \\ %s\t\\N\nстрока"
            assert e.conversation_id == convs[i % 5]
            assert e.extra == ({"n": i, "list": [1, "два"]} if i % 3 == 0 else {})
            assert e.attachments == ([{"name": f"f{i}.pdf"}] if i % 3 == 0 else [])
            assert e.author_label == "" and e.created_at.tzinfo is not None
        touched = s.scalars(select(Conversation).where(Conversation.id.in_(convs))).all()
        assert len(touched) == 5
        assert all(c.last_activity_at.year > 2000 for c in touched)


async def test_rows_of_a_batch_whose_first_statement_is_a_copy_are_committed(
    harness: Harness,
) -> None:
    """Ids already fetched, the batch's first statement is the bulk write itself (PostgreSQL:
    a COPY on the driver's connection): what was acknowledged is on disk for everyone, and a
    later failed batch takes nothing of it back."""
    w = harness.writer()
    customer = await w.submit(lambda b: add_customer(b, "Пётр"))
    await w.submit(lambda b: add_message(b, customer, None, "first"))  # fetches a block of ids

    def two(b: WriteBatch) -> None:
        add_message(b, customer, None, "second")
        add_message(b, customer, None, "third")

    await w.submit(two)
    bodies = select(tables.timeline.c.body).order_by(tables.timeline.c.id)
    with harness.engine.connect() as conn:
        assert conn.execute(bodies).scalars().all() == ["first", "second", "third"]

    def broken(b: WriteBatch) -> None:
        b.execute(text("SELECT no_such_column FROM customers"))

    with pytest.raises(DBAPIError):
        await w.submit(broken)
    with harness.engine.connect() as conn:
        assert conn.execute(bodies).scalars().all() == ["first", "second", "third"]


async def test_a_job_whose_rows_break_a_constraint_gets_the_integrity_error(
    harness: Harness,
) -> None:
    """Several rows of one table from one job (PostgreSQL: a COPY): a duplicate among them
    fails the job with SQLAlchemy's IntegrityError, naming the constraint, as a single row
    would; nothing of the job is kept."""
    from services.store.errors import constraint_name

    w = harness.writer()
    customer = await w.submit(lambda b: add_customer(b, "Пётр"))
    await w.submit(lambda b: add_identity(b, customer, "email", "p@example.ru"))

    def two(b: WriteBatch) -> None:
        add_identity(b, customer, "phone", "+79165551234")
        add_identity(b, customer, "email", "p@example.ru")  # already there

    with pytest.raises(IntegrityError) as caught:
        await w.submit(two)
    if harness.engine.dialect.name == "postgresql":
        assert constraint_name(caught.value)
    with harness.engine.connect() as conn:
        kinds = conn.execute(select(tables.identities.c.kind)).scalars().all()
    assert kinds == ["email"]


async def test_a_value_too_long_for_its_column_fails_its_job_and_is_never_cut(
    harness: Harness,
) -> None:
    w = harness.writer()
    customer = await w.submit(lambda b: add_customer(b, "Пётр"))

    def long_label(b: WriteBatch) -> None:
        add_message(b, customer, None, author_label="x" * 201)  # the column holds 200

    fine = [w.submit(lambda b: add_message(b, customer, None, "ok")) for _ in range(3)]
    bad = w.submit(long_label)
    assert len(set(await asyncio.gather(*fine))) == 3
    if harness.engine.dialect.name == "sqlite":
        await bad  # SQLite keeps what it is given
        return
    with pytest.raises(DBAPIError):
        await bad
    with harness.engine.connect() as conn:
        labels = conn.execute(select(tables.timeline.c.author_label)).scalars().all()
    assert all(len(label) <= 200 for label in labels) and len(labels) == 3


async def test_a_busy_conversations_activity_is_written_about_once_a_second(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    from services.store import writer as writer_module

    monkeypatch.setattr(writer_module, "ACTIVITY_RESOLUTION", timedelta(milliseconds=300))
    w = harness.writer()
    customer = await w.submit(lambda b: add_customer(b, "Пётр"))

    conv = await w.submit(lambda b: add_conversation(b, customer))

    def touch(b: WriteBatch) -> datetime:
        b.add_update_activity(conv)
        return b.now

    def activity() -> datetime:
        with harness.engine.connect() as conn:
            return conn.execute(
                select(tables.conversations.c.last_activity_at).where(
                    tables.conversations.c.id == conv
                )
            ).scalar_one()

    first = await w.submit(touch)
    assert activity() == first  # written: never touched before
    await w.submit(touch)  # a moment later: within the resolution, not written again
    assert activity() == first
    await asyncio.sleep(0.35)
    third = await w.submit(touch)
    assert activity() == third  # a resolution later: written


async def test_response_clocks_are_written_per_batch_with_the_last_word_kept(
    harness: Harness,
) -> None:
    w = harness.writer()
    customer = await w.submit(lambda b: add_customer(b, "Вера"))
    waiting, idle, answered, again = [
        await w.submit(lambda b: add_conversation(b, customer)) for _ in range(4)
    ]
    convs = tables.conversations

    def clocks() -> dict[int, datetime | None]:
        with harness.engine.connect() as conn:
            rows = conn.execute(select(convs.c.id, convs.c.awaiting_since)).all()
        return {r.id: r.awaiting_since for r in rows}

    def owe(ids: list[int]) -> Callable[[WriteBatch], datetime]:
        def run(b: WriteBatch) -> datetime:
            for conv in ids:
                b.owe_response(conv)
            return b.now

        return run

    started = await w.submit(owe([waiting, answered, again]))
    assert clocks() == {waiting: started, idle: None, answered: started, again: started}

    def mixed(b: WriteBatch) -> datetime:
        b.owe_response(waiting)  # already waiting: the clock keeps its start
        b.owe_response(idle)
        b.answer_response(answered)
        b.answer_response(again)
        b.owe_response(again)  # answered, then the customer wrote again: from now
        return b.now

    now = await w.submit(mixed)
    assert now > started
    assert clocks() == {waiting: started, idle: now, answered: None, again: now}


# -- lifetime ---------------------------------------------------------------------------------


async def test_a_new_writer_continues_the_numbering(harness: Harness) -> None:
    w1 = harness.writer()
    await asyncio.gather(*(w1.submit(good(i, operator_id=1 + i % 2)) for i in range(9)))
    await w1.close()
    assert harness.stored_seqs(1) == [1, 2, 3, 4, 5]
    assert harness.stored_seqs(2) == [1, 2, 3, 4]

    harness.published.clear()
    w2 = harness.writer()
    out = await asyncio.gather(
        w2.submit(good(9, operator_id=1)),
        w2.submit(good(10, operator_id=2)),
        w2.submit(good(11, operator_id=3)),
    )
    assert [seq_of(r[2]) for r in out] == [6, 5, 1]
    assert_new_ids(harness.engine, [r[1] for r in out], after=list(range(1, 10)))
    assert harness.seqs(1) == [6] and harness.seqs(2) == [5] and harness.seqs(3) == [1]
    await w2.close()

    # Rows someone else wrote meanwhile (an admin tool, a seed script) are picked up too.
    with Session(harness.engine) as s:
        other = Customer(display_name="seeded", name_search="seeded")
        s.add(other)
        s.commit()
        seeded_id = other.id
    assert seeded_id not in [r[1] for r in out]
    w3 = harness.writer()
    _, cid, event = await w3.submit(good(12, operator_id=1))
    assert cid == seeded_id + 1 and seq_of(event) == 7


@both_modes
async def test_close_drains_the_queued_jobs(harness: Harness) -> None:
    w = harness.writer()
    futures = [w.submit(good(i)) for i in range(50)]
    await w.close()
    assert all(f.done() for f in futures)
    assert sorted(seq_of(f.result()[2]) for f in futures) == list(range(1, 51))
    assert len(names(harness.engine)) == 50
    assert harness.stored_seqs(7) == list(range(1, 51))
    with pytest.raises(RuntimeError, match="closed"):
        w.submit(good(99))
    await w.close()  # twice is fine


async def test_store_facade_writes_reads_and_keeps_its_epoch(engine: Engine) -> None:
    published: list[Published] = []
    store = Store(engine, asyncio.get_running_loop(), published.extend, rejections=(Refused,))
    await store.start()
    assert store.writer.inline is (engine.dialect.name == "sqlite")
    epoch = store.epoch
    assert len(epoch) == 16
    results = await asyncio.gather(*(store.write(good(i)) for i in range(20)))
    assert [seq_of(r[2]) for r in results] == list(range(1, 21))
    assert [p.seq for p in published] == list(range(1, 21))
    count = await store.read(
        lambda c: c.execute(select(func.count()).select_from(tables.customers)).scalar_one()
    )
    assert count == 20
    await store.close()

    again = Store(engine, asyncio.get_running_loop(), published.extend)
    await again.start()
    assert again.epoch == epoch
    assert seq_of((await again.write(good(20)))[2]) == 21
    await again.close()


# -- regressions: each of these once failed --------------------------------------------------


async def test_a_job_that_handles_a_database_error_does_not_lose_the_batch(
    harness: Harness,
) -> None:
    """On PostgreSQL a failed statement aborts the transaction and COMMIT then rolls back
    silently: the writer must not report such a batch as committed."""
    w = harness.writer()
    await w.submit(lambda b: add_identity(b, add_customer(b, "owner"), "email", "x@example.ru"))

    def insert_if_absent(b: WriteBatch) -> str:
        try:
            b.execute(
                tables.identities.insert().values(
                    customer_id=1, kind="email", value="x@example.ru", created_at=b.now
                )
            )
        except IntegrityError:
            return "already there"
        return "inserted"

    # The job that swallows the error runs last, so nothing after it notices the aborted
    # transaction.
    futures: list[asyncio.Future[Any]] = [
        w.submit(good(0)),
        w.submit(good(1)),
        w.submit(insert_if_absent),
    ]
    results = await asyncio.gather(*futures, return_exceptions=True)
    unseen, harness.not_yet_visible[:] = list(harness.not_yet_visible), []
    # (Whether that job itself then succeeds or fails is the writer's choice.)
    acknowledged = sorted(f"ok {r[0]}" for r in results[:2] if isinstance(r, tuple))
    # Whatever the writer answered as done must be in the store, and so must what it published.
    assert acknowledged == [n for n in names(harness.engine) if n != "owner"]
    assert unseen == []
    assert harness.seqs(7) == harness.stored_seqs(7)


async def test_a_failing_subscriber_does_not_leave_callers_waiting(harness: Harness) -> None:
    """on_published raising must not keep a committed batch's futures pending."""

    def broken_subscriber(events: list[Published]) -> None:
        raise RuntimeError("subscriber bug")

    w = harness.writer(on_published=broken_subscriber)
    loop = asyncio.get_running_loop()
    handler_calls: list[dict[str, Any]] = []
    loop.set_exception_handler(lambda _loop, ctx: handler_calls.append(ctx))
    try:
        fut = w.submit(good(0))
        done, _ = await asyncio.wait([fut], timeout=5.0)
    finally:
        loop.set_exception_handler(None)
    assert fut in done, "the job committed, but its caller was never answered"
    assert fut.result()[0] == 0


async def test_a_database_that_cannot_be_reached_fails_the_job_and_the_writer_recovers(
    db_url: str, tmp_path: Path
) -> None:
    """Connecting fails: the job fails (not hangs), and the writer (thread) lives on."""
    if db_url.startswith("sqlite"):
        db_file = tmp_path / "broken.db"
        db_file.write_bytes(b"this is not an SQLite database" * 200)
        url = f"sqlite:///{db_file}"
    else:
        db_file = None
        name = f"omnidesk_unreachable_{secrets.token_hex(4)}"
        url = make_url(db_url).set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    loop = asyncio.get_running_loop()
    handled: list[dict[str, Any]] = []
    loop.set_exception_handler(lambda _loop, ctx: handled.append(ctx))
    thread_hook = threading.excepthook
    threading.excepthook = lambda args: handled.append({"exception": args.exc_value})
    writer = StoreWriter(engine, loop, lambda _: None, inline=engine.dialect.name == "sqlite")
    writer.start()
    admin = create_engine(db_url, isolation_level="AUTOCOMMIT")
    try:
        first = writer.submit(lambda b: 1)
        done, _ = await asyncio.wait([first], timeout=5.0)
        assert first in done, "the job neither committed nor failed"
        assert isinstance(first.exception(), DBAPIError)

        # The database comes (back) up: the writer serves again.
        if db_file is not None:
            db_file.unlink()
        else:
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
        second = writer.submit(lambda b: 2)
        done, _ = await asyncio.wait([second], timeout=5.0)
        assert second in done and second.result() == 2
    finally:
        await writer.close()
        threading.excepthook = thread_hook
        loop.set_exception_handler(None)
        engine.dispose()
        if db_file is None:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()
