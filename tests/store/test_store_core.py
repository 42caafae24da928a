"""The store on SQLite and PostgreSQL: schema, timestamps, bulk inserts, the group-commit writer."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect, select
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.orm import Session

from services.store import queries as Q
from services.store import tables as T
from services.store.db import downgrade, make_engine, migrate
from services.store.models import Base, Customer, Identity, TimelineEvent, utcnow
from services.store.store import Store
from services.store.writer import Published, WriteBatch


def test_migrations_match_the_models_and_go_down_and_up(engine: Engine) -> None:
    with engine.connect() as conn:
        diff = compare_metadata(
            MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata
        )
    assert diff == []
    names = set(inspect(engine).get_table_names())
    assert {t.name for t in Base.metadata.sorted_tables} <= names
    migrate(engine)  # idempotent
    downgrade(engine, "base")
    assert not {t.name for t in Base.metadata.sorted_tables} & set(
        inspect(engine).get_table_names()
    )
    migrate(engine)
    assert {t.name for t in Base.metadata.sorted_tables} <= set(inspect(engine).get_table_names())


def test_hot_paths_have_their_indexes(engine: Engine) -> None:
    insp = inspect(engine)

    def indexed(table: str) -> list[list[str]]:
        cols = [list(i["column_names"]) for i in insp.get_indexes(table)]
        cols += [list(u["column_names"]) for u in insp.get_unique_constraints(table)]
        return cols

    assert ["kind", "value"] in indexed("identities")
    assert ["customer_id", "id"] in indexed("timeline_events")
    assert ["state", "queue_id", "queued_at"] in indexed("conversations")
    assert ["channel", "provider_id"] in indexed("timeline_events")


def test_timestamps_are_aware_utc_both_ways(engine: Engine) -> None:
    moscow = timezone(timedelta(hours=3))
    at = datetime(2026, 11, 22, 15, 30, 0, 123456, tzinfo=moscow)
    with Session(engine) as s:
        c = Customer(display_name="Тест", name_search="тест", created_at=at)
        s.add(c)
        s.commit()
        cid = c.id
    with Session(engine) as s:
        got = s.get(Customer, cid)
        assert got is not None
        assert got.created_at.tzinfo is not None
        assert got.created_at == at
        assert got.created_at.astimezone(UTC).hour == 12
    with Session(engine) as s:
        s.add(Customer(display_name="x", name_search="x", created_at=datetime(2026, 1, 1)))
        with pytest.raises(StatementError, match="naive datetime"):
            s.commit()


def _customer(b: WriteBatch, name: str) -> int:
    cid = b.next_id(T.customers)
    b.add(
        T.customers,
        {"id": cid, "display_name": name, "name_search": name.lower(), "created_at": b.now},
    )
    return cid


async def _store(engine: Engine, published: list[Published]) -> Store:
    store = Store(engine, asyncio.get_running_loop(), published.extend, rejections=(LookupError,))
    await store.start()
    return store


async def test_group_commit_batches_jobs_and_publishes_after_commit(engine: Engine) -> None:
    published: list[Published] = []
    store = await _store(engine, published)
    seen_at_publish: list[int] = []

    def visible(_: list[Published]) -> None:
        with engine.connect() as c:
            seen_at_publish.append(len(c.execute(select(T.operator_events)).all()))

    store.writer._on_published = lambda evs: (visible(evs), published.extend(evs))  # type: ignore[assignment]

    def job(i: int) -> Any:
        def run(b: WriteBatch) -> int:
            cid = _customer(b, f"Клиент {i}")
            b.emit(1 + i % 3, "test.event", {"i": i})
            return cid

        return run

    ids = await asyncio.gather(*(store.write(job(i)) for i in range(300)))
    assert len(set(ids)) == 300
    stats = store.writer.stats
    assert stats.jobs == 300 and stats.batches < 30
    # Events reached subscribers only once committed, and each operator's seq is 1..N.
    assert all(n > 0 for n in seen_at_publish)
    for op in (1, 2, 3):
        seqs = [p.seq for p in published if p.operator_id == op]
        assert seqs == list(range(1, len(seqs) + 1))
    await store.close()


async def test_a_bad_job_fails_alone_and_numbering_stays_contiguous(engine: Engine) -> None:
    published: list[Published] = []
    store = await _store(engine, published)

    def good(i: int) -> Any:
        def run(b: WriteBatch) -> int:
            b.emit(7, "ok", {"i": i})
            return _customer(b, f"ok {i}")

        return run

    def duplicate_identity(b: WriteBatch) -> None:
        cid = _customer(b, "dup")
        b.emit(7, "dup", {})
        for _ in range(2):
            b.add(
                T.identities,
                {
                    "customer_id": cid,
                    "kind": "email",
                    "value": "a@b.ru",
                    "verified": False,
                    "created_at": b.now,
                },
            )

    def refused(b: WriteBatch) -> None:
        raise LookupError("no such thing")

    futs = [
        store.write(good(0)),
        store.write(duplicate_identity),
        store.write(good(1)),
        store.write(refused),
        store.write(good(2)),
    ]
    results = await asyncio.gather(*futs, return_exceptions=True)
    assert isinstance(results[1], IntegrityError)
    assert isinstance(results[3], LookupError)
    assert all(isinstance(r, int) for r in (results[0], results[2], results[4]))
    with engine.connect() as c:
        names = sorted(r.display_name for r in c.execute(select(T.customers)))
        seqs = [
            r.seq
            for r in c.execute(select(T.operator_events.c.seq).order_by(T.operator_events.c.seq))
        ]
    assert names == ["ok 0", "ok 1", "ok 2"]
    assert seqs == [1, 2, 3]
    await store.close()
    # A new writer (a restart) continues the numbering from the store.
    published2: list[Published] = []
    store2 = await _store(engine, published2)
    await store2.write(good(3))
    assert [p.seq for p in published2] == [4]
    await store2.close()


async def test_bulk_rows_read_back_as_the_orm_wrote_them(engine: Engine) -> None:
    published: list[Published] = []
    store = await _store(engine, published)
    at = utcnow()

    def job(b: WriteBatch) -> int:
        cid = _customer(b, "Ольга")
        b.add(
            T.identities,
            {
                "customer_id": cid,
                "kind": "phone",
                "value": "+79160000001",
                "verified": True,
                "created_at": at,
            },
        )
        eid = b.next_id(T.timeline)
        b.add(
            T.timeline,
            {
                "id": eid,
                "customer_id": cid,
                "kind": "email",
                "channel": "email",
                "direction": "in",
                "subject": "Тема",
                "body": "Текст",
                "attachments": [{"name": "чек.pdf", "size": 1024}],
                "extra": {"n": 1},
                "provider_id": "p-1",
                "created_at": at,
            },
        )
        return cid

    cid = await store.write(job)
    await store.close()
    with Session(engine) as s:
        ident = s.scalars(select(Identity).where(Identity.customer_id == cid)).one()
        ev = s.scalars(select(TimelineEvent).where(TimelineEvent.customer_id == cid)).one()
    assert ident.verified is True and ident.created_at == at
    assert ev.attachments == [{"name": "чек.pdf", "size": 1024}] and ev.extra == {"n": 1}
    assert ev.created_at == at and ev.author_label == "" and ev.delivery is None


def test_timeline_pages_and_search(engine: Engine) -> None:
    base = utcnow() - timedelta(days=1)
    with Session(engine) as s:
        c = Customer(display_name="Иван Петров", name_search="иван петров")
        other = Customer(display_name="100% скидка", name_search="100% скидка")
        s.add_all([c, other])
        s.flush()
        s.add(Identity(customer_id=c.id, kind="phone", value="+79161234567", verified=True))
        s.add(Identity(customer_id=c.id, kind="email", value="ivan@example.ru"))
        s.add_all(
            TimelineEvent(
                customer_id=c.id,
                kind="message",
                channel="sms",
                direction="in",
                body=f"m{i}",
                created_at=base + timedelta(seconds=i),
            )
            for i in range(120)
        )
        s.commit()
        cid = c.id
    with engine.connect() as conn:
        seen: list[str] = []
        cursor = None
        for _ in range(5):
            page = Q.timeline_page(conn, cid, cursor, 50)
            seen += [i["body"] for i in page["items"]]
            cursor = page["cursor"]
            if cursor is None:
                break
        assert seen == [f"m{i}" for i in range(119, -1, -1)]
        assert Q.search_customers(conn, "", "phone", "+79161234567", 10) == [cid]
        assert Q.search_customers(conn, "", "email", "ivan@example.ru", 10) == [cid]
        assert Q.search_customers(conn, "ПЕТРОВ".lower(), "name", "петров", 10) == [cid]
        # LIKE wildcards in a query are text, not patterns.
        assert Q.search_customers(conn, "%", "name", "%", 10) != [cid]
        assert len(Q.search_customers(conn, "%", "name", "%", 10)) == 1


def test_in_memory_sqlite_is_refused() -> None:
    with pytest.raises(ValueError, match="SQLite file"):
        make_engine("sqlite://")
