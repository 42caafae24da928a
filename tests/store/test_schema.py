"""Schema and timestamps, on SQLite and PostgreSQL: migrations agree with the models and go
both ways; the hot-path indexes exist; ``UTCDateTime`` keeps instants as aware UTC."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Engine,
    Index,
    Integer,
    MetaData,
    String,
    func,
    inspect,
    select,
    text,
)
from sqlalchemy.exc import StatementError
from sqlalchemy.orm import Session

from services.store import tables
from services.store.db import MIGRATIONS, downgrade, make_engine, migrate
from services.store.models import Base, Customer, UTCDateTime, utcnow

MODEL_TABLES = {t.name for t in Base.metadata.sorted_tables}
HEAD = ScriptDirectory(str(MIGRATIONS)).get_current_head()


def _tables(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names())


def _diff(engine: Engine, metadata: MetaData) -> list[Any]:
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        return list(compare_metadata(ctx, metadata))


def _version(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return [r[0] for r in conn.execute(text("SELECT version_num FROM alembic_version"))]


# -- migrations --------------------------------------------------------------------------------


def test_upgrade_to_head_creates_every_model_table_and_column(engine: Engine) -> None:
    assert _tables(engine) >= MODEL_TABLES
    assert _tables(engine) - MODEL_TABLES == {"alembic_version"}
    assert _version(engine) == [HEAD]
    insp = inspect(engine)
    for table in Base.metadata.sorted_tables:
        cols = {c["name"]: c for c in insp.get_columns(table.name)}
        assert set(cols) == set(table.c.keys()), table.name
        for col in table.columns:
            assert cols[col.name]["nullable"] == col.nullable, (table.name, col.name)
            if isinstance(col.type, UTCDateTime) and engine.dialect.name == "postgresql":
                # timestamptz: PostgreSQL itself keeps the instant.
                tz = getattr(cols[col.name]["type"], "timezone", False)
                assert tz is True, (table.name, col.name)
    if engine.dialect.name == "postgresql":
        assert isinstance(cols_of(insp, "customers")["id"]["type"], BigInteger)


def cols_of(insp: Any, table: str) -> dict[str, Any]:
    return {c["name"]: c for c in insp.get_columns(table)}


def test_autogenerate_finds_no_difference_between_migrations_and_models(engine: Engine) -> None:
    # Alembic does not report UTCDateTime (a TypeDecorator over DateTime(timezone=True))
    # against the migrated DateTime(timezone=True): nothing has to be filtered out.
    assert _diff(engine, Base.metadata) == []

    # The empty diff means something: the same comparison sees a drifted copy of the models.
    drifted = MetaData(naming_convention=Base.metadata.naming_convention)
    for table in Base.metadata.sorted_tables:
        table.to_metadata(drifted)
    drifted.tables["customers"].c.segment.type = String(33)
    drifted.tables["queues"].append_column(Column("drift", Integer, nullable=True))
    Index("ix_customers_language", drifted.tables["customers"].c.language)
    drifted.tables["operator_events"].c.created_at.type = DateTime(timezone=False)

    diff = _diff(engine, drifted)
    kinds: set[tuple[str, ...]] = set()
    for d in diff:
        entry = d[0] if isinstance(d, list) else d
        if entry[0] == "modify_type":
            kinds.add(("modify_type", entry[2], entry[3]))
        elif entry[0] == "add_column":
            kinds.add(("add_column", entry[2], entry[3].name))
        elif entry[0] == "add_index":
            kinds.add(("add_index", entry[1].name))
    assert ("modify_type", "customers", "segment") in kinds
    assert ("add_column", "queues", "drift") in kinds
    assert ("add_index", "ix_customers_language") in kinds
    if engine.dialect.name == "postgresql":
        # PostgreSQL keeps the zone flag, so a timestamp without time zone would be caught.
        assert ("modify_type", "operator_events", "created_at") in kinds


def test_downgrade_to_base_drops_everything_and_upgrade_works_again(engine: Engine) -> None:
    script = ScriptDirectory(str(MIGRATIONS))
    assert script.get_heads() == [HEAD]
    # One revision at a time, then the rest of the way, so every downgrade() runs.
    for rev in script.walk_revisions():
        assert _version(engine) == [rev.revision]
        downgrade(engine, "-1")
        if rev.down_revision is None:
            break
    downgrade(engine, "base")
    assert not MODEL_TABLES & _tables(engine)
    assert _version(engine) == []
    migrate(engine)
    assert _tables(engine) >= MODEL_TABLES
    assert _version(engine) == [HEAD]
    assert _diff(engine, Base.metadata) == []
    with Session(engine) as s:
        s.add(Customer(display_name="После", name_search="после"))
        s.commit()
    with engine.connect() as conn:
        assert conn.execute(select(tables.customers.c.display_name)).scalars().all() == ["После"]


def test_migrate_is_idempotent_and_keeps_data(engine: Engine) -> None:
    with Session(engine) as s:
        s.add(Customer(display_name="Анна", name_search="анна"))
        s.commit()
    migrate(engine)
    migrate(engine, "head")
    assert _version(engine) == [HEAD]
    assert _diff(engine, Base.metadata) == []
    with engine.connect() as conn:
        assert conn.execute(select(tables.customers.c.display_name)).scalars().all() == ["Анна"]
    # A second process starting on the migrated database.
    second = make_engine(engine.url.render_as_string(hide_password=False))
    try:
        migrate(second)
        assert _version(second) == [HEAD]
        with second.connect() as conn:
            assert (
                conn.execute(select(func.count()).select_from(tables.customers)).scalar_one() == 1
            )
    finally:
        second.dispose()


def _indexed(engine: Engine, table: str) -> dict[tuple[str, ...], bool]:
    """Column tuples that have an index or unique constraint -> whether it is unique."""
    insp = inspect(engine)
    out: dict[tuple[str, ...], bool] = {}
    for ix in insp.get_indexes(table):
        cols = tuple(c for c in ix["column_names"] if c is not None)
        out[cols] = out.get(cols, False) or bool(ix["unique"])
    for uq in insp.get_unique_constraints(table):
        out[tuple(uq["column_names"])] = True
    return out


def test_hot_path_indexes_and_engine_settings(engine: Engine) -> None:
    assert _indexed(engine, "identities").get(("kind", "value")) is True
    assert ("customer_id", "id") in _indexed(engine, "timeline_events")
    assert _indexed(engine, "timeline_events").get(("channel", "provider_id")) is True
    assert ("state", "queue_id", "queued_at") in _indexed(engine, "conversations")
    assert ("operator_id", "state") in _indexed(engine, "conversations")
    assert ("customer_id", "state") in _indexed(engine, "conversations")
    assert ("name_search",) in _indexed(engine, "customers")
    pk = inspect(engine).get_pk_constraint("operator_events")
    assert pk["constrained_columns"] == ["operator_id", "seq"]
    pk = inspect(engine).get_pk_constraint("idempotency_keys")
    assert pk["constrained_columns"] == ["operator_id", "key"]

    # The engine's own settings.
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            pragma = {
                name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()
                for name in ("journal_mode", "foreign_keys", "busy_timeout", "synchronous")
            }
            assert pragma == {
                "journal_mode": "wal",
                "foreign_keys": 1,
                "busy_timeout": 10000,
                "synchronous": 2,  # FULL
            }
        else:
            assert engine.pool.size() == 10  # type: ignore[attr-defined]
            assert conn.execute(text("SELECT 1")).scalar() == 1


def test_in_memory_sqlite_is_refused() -> None:
    for url in ("sqlite://", "sqlite:///:memory:"):
        with pytest.raises(ValueError, match="SQLite file"):
            make_engine(url)


# -- UTCDateTime -------------------------------------------------------------------------------

ZONES = [
    UTC,
    timezone(timedelta(0), "UTC+0"),  # equal to UTC, but not the same object
    timezone(timedelta(hours=3)),
    timezone(timedelta(hours=-9, minutes=-30)),
    ZoneInfo("Europe/Moscow"),
    ZoneInfo("America/New_York"),
    ZoneInfo("UTC"),
]


def test_aware_datetimes_round_trip_as_aware_utc(engine: Engine) -> None:
    written = [datetime(2026, 7, 1, 23, 59, 58, 123456, tzinfo=tz) for tz in ZONES]
    with Session(engine) as s:
        s.add_all(
            Customer(display_name=str(i), name_search=str(i), created_at=at)
            for i, at in enumerate(written)
        )
        s.commit()
    with Session(engine) as s:
        orm = [c.created_at for c in s.scalars(select(Customer).order_by(Customer.id))]
    with engine.connect() as conn:
        core = list(
            conn.execute(
                select(tables.customers.c.created_at).order_by(tables.customers.c.id)
            ).scalars()
        )
    for got in (orm, core):
        assert len(got) == len(written)
        for read, at in zip(got, written, strict=True):
            assert read.tzinfo is UTC, at.tzinfo
            assert read == at
            assert read.replace(tzinfo=None) == at.astimezone(UTC).replace(tzinfo=None)

    # None stays None.
    with engine.begin() as conn:
        cid = conn.execute(
            tables.customers.insert().returning(tables.customers.c.id),
            {"display_name": "n", "name_search": "n", "created_at": utcnow()},
        ).scalar_one()
        conn.execute(
            tables.conversations.insert(),
            {
                "customer_id": cid,
                "channel": "sms",
                "state": "queued",
                "subject": "",
                "version": 0,
                "hold_seconds": 0.0,
                "queued_at": None,
                "last_activity_at": utcnow(),
                "created_at": utcnow(),
            },
        )
    with engine.connect() as conn:
        row = conn.execute(select(tables.conversations)).one()
        assert row.queued_at is None and row.resolved_at is None
        assert row.last_activity_at.tzinfo is UTC


def test_the_stored_instant_is_utc_whatever_the_session_zone(engine: Engine) -> None:
    at = datetime(2026, 11, 22, 15, 30, 0, 5, tzinfo=timezone(timedelta(hours=3)))
    with engine.begin() as conn:
        conn.execute(
            tables.customers.insert(), {"display_name": "z", "name_search": "z", "created_at": at}
        )
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            raw = conn.exec_driver_sql("SELECT created_at FROM customers").scalar()
            assert raw == "2026-11-22 12:30:00.000005"
        else:
            conn.execute(text("SET TIME ZONE 'Asia/Tokyo'"))
            raw = conn.exec_driver_sql("SELECT created_at FROM customers").scalar_one()
            # The driver's view follows the session zone...
            assert isinstance(raw, datetime) and raw.utcoffset() == timedelta(hours=9)
            got = conn.execute(select(tables.customers.c.created_at)).scalar_one()
            assert got.tzinfo is UTC and got == at  # ...the store's is UTC
            utc_text = conn.exec_driver_sql(
                "SELECT to_char(created_at AT TIME ZONE 'UTC', 'HH24:MI') FROM customers"
            ).scalar()
            assert utc_text == "12:30"


def test_comparisons_and_ordering_work_across_zones(engine: Engine) -> None:
    base = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)
    zones = [timezone(timedelta(hours=h)) for h in (-11, -3, 0, 3, 5, 14)]
    # The same instants written in different zones: wall clocks out of order, instants not.
    rows = [
        {
            "display_name": f"c{i}",
            "name_search": f"c{i}",
            "created_at": (base + timedelta(minutes=10 * i)).astimezone(zones[(i * 5) % 6]),
        }
        for i in range(12)
    ]
    with engine.begin() as conn:
        conn.execute(tables.customers.insert(), rows)
    cut = (base + timedelta(minutes=55)).astimezone(ZoneInfo("Asia/Kamchatka"))
    with engine.connect() as conn:
        ordered = conn.execute(
            select(tables.customers.c.display_name).order_by(tables.customers.c.created_at)
        ).scalars()
        assert list(ordered) == [f"c{i}" for i in range(12)]
        later = conn.execute(
            select(tables.customers.c.display_name).where(tables.customers.c.created_at > cut)
        ).scalars()
        assert sorted(later, key=lambda n: int(n[1:])) == [f"c{i}" for i in range(6, 12)]


def test_naive_datetimes_are_refused(engine: Engine) -> None:
    naive = datetime(2026, 1, 1, 12, 0)
    with Session(engine) as s:
        s.add(Customer(display_name="x", name_search="x", created_at=naive))
        with pytest.raises(StatementError, match="naive datetime") as info:
            s.commit()
        assert isinstance(info.value.orig, ValueError)
    with engine.connect() as conn:
        with pytest.raises(StatementError, match="naive datetime"):
            conn.execute(
                tables.customers.insert(),
                {"display_name": "y", "name_search": "y", "created_at": naive},
            )
        conn.rollback()
        with pytest.raises(StatementError, match="naive datetime"):
            conn.execute(select(tables.customers.c.id).where(tables.customers.c.created_at < naive))
        conn.rollback()
    with engine.connect() as conn:
        assert conn.execute(select(tables.customers.c.id)).all() == []


@st.composite
def _aware(draw: st.DrawFn) -> datetime:
    naive = draw(
        st.datetimes(min_value=datetime(1901, 1, 1), max_value=datetime(2199, 12, 31, 23, 59))
    )
    tz = draw(
        st.one_of(
            st.timezones(),
            st.builds(
                timezone,
                st.timedeltas(
                    min_value=timedelta(hours=-23, minutes=-59),
                    max_value=timedelta(hours=23, minutes=59),
                ).map(lambda d: timedelta(minutes=d // timedelta(minutes=1))),
            ),
        )
    )
    return naive.replace(tzinfo=tz)


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(at=_aware())
def test_any_aware_instant_round_trips(engine: Engine, at: datetime) -> None:
    with engine.connect() as conn:
        try:
            conn.execute(
                tables.customers.insert(),
                {"id": 1, "display_name": "h", "name_search": "h", "created_at": at},
            )
            got = conn.execute(
                select(tables.customers.c.created_at).where(tables.customers.c.id == 1)
            ).scalar_one()
        finally:
            conn.rollback()
    assert got.tzinfo is UTC
    assert got == at.astimezone(UTC)
    assert got.replace(tzinfo=None) == at.astimezone(UTC).replace(tzinfo=None)


def test_migration_0007_finds_what_open_conversations_wait_for(engine: Engine) -> None:
    """Conversations open when the response timers came keep what they owe: the customer's
    oldest message no reply followed (none if answered, or closed)."""
    downgrade(engine, "0008")  # the revision before 0007
    t0 = datetime(2026, 12, 4, 10, 0, tzinfo=UTC)
    convs = tables.conversations
    with engine.begin() as conn:
        conn.execute(tables.customers.insert().values(id=1, display_name="Ольга"))
        conn.execute(
            text(
                "INSERT INTO queues (id, name, channels, skills, priority, sla_seconds, hours)"
                " VALUES (1, 'general', '[]', '[]', 0, 60, '{}')"
            )
        )
        cases = {1: ("active", "i"), 2: ("active", "ioii"), 3: ("held", "io"), 4: ("closed", "i")}
        item = 0
        for conv_id, (state, turns) in cases.items():
            # Only the columns the schema had then (the models know later ones).
            conn.execute(
                text(
                    "INSERT INTO conversations (id, customer_id, channel, state, queued_at,"
                    " version, hold_seconds, last_activity_at, created_at, subject)"
                    " VALUES (:id, 1, 'webchat', :state, :t0, 0, 0, :t0, :t0, '')"
                ),
                {"id": conv_id, "state": state, "t0": t0},
            )
            for n, turn in enumerate(turns):
                item += 1
                conn.execute(
                    text(
                        "INSERT INTO timeline_events (id, customer_id, conversation_id, kind,"
                        " channel, direction, created_at, author_label, subject, body,"
                        " attachments, extra)"
                        " VALUES (:id, 1, :conv, 'message', 'webchat', :direction, :at,"
                        " '', '', '', '[]', '{}')"
                    ),
                    {
                        "id": item,
                        "conv": conv_id,
                        "direction": "in" if turn == "i" else "out",
                        "at": t0 + timedelta(minutes=n),
                    },
                )
    migrate(engine)
    with engine.connect() as conn:
        found = dict(conn.execute(select(convs.c.id, convs.c.awaiting_since)).all())
        targets = conn.execute(select(tables.queues.c.response_targets)).all()
    assert found == {1: t0, 2: t0 + timedelta(minutes=2), 3: None, 4: None}
    assert [t.response_targets for t in targets] == [{}]  # the channels' defaults
