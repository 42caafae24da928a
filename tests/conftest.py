"""Shared fixtures: databases (SQLite and PostgreSQL), gateways in process and as processes."""

from __future__ import annotations

import asyncio
import os
import secrets
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

# Real Qt widgets, offscreen, unless a test starts its own display (Xvfb) for a subprocess.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import qasync
from PySide6.QtWidgets import QApplication
from sqlalchemy import Engine, create_engine, text

from services.store.db import make_engine, migrate

BASE_PG_URL = os.environ.get("OMNIDESK_TEST_PG_URL", "")
REQUIRE_PG = os.environ.get("OMNIDESK_REQUIRE_PG") == "1"
# Each run gets a database of its own on the shared server (created on first use, dropped at
# the end), so that two runs on one machine never reset each other's tables.
PG_URL = ""
_run_database = f"omnidesk_test_{os.getpid()}_{secrets.token_hex(3)}"


def _with_database(url: str, name: str) -> str:
    base, _, _old = url.rpartition("/")
    return f"{base}/{name}"


def _create_run_database() -> str:
    global PG_URL
    if not PG_URL:
        admin = create_engine(BASE_PG_URL, isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as c:
                c.execute(text(f'CREATE DATABASE "{_run_database}"'))
        finally:
            admin.dispose()
        PG_URL = _with_database(BASE_PG_URL, _run_database)
    return PG_URL


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if not PG_URL:
        return
    admin = create_engine(BASE_PG_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{_run_database}" WITH (FORCE)'))
    finally:
        admin.dispose()


def _reset_pg(url: str) -> None:
    eng = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with eng.connect() as c:
            c.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            c.execute(text("CREATE SCHEMA public"))
    finally:
        eng.dispose()


def _pg_or_skip() -> str:
    if not BASE_PG_URL:
        if REQUIRE_PG:
            pytest.fail("OMNIDESK_REQUIRE_PG=1 but OMNIDESK_TEST_PG_URL is not set")
        pytest.skip("PostgreSQL tests need OMNIDESK_TEST_PG_URL")
    try:
        _reset_pg(_create_run_database())
    except Exception as exc:
        if REQUIRE_PG:
            pytest.fail(f"PostgreSQL at OMNIDESK_TEST_PG_URL is unreachable: {exc}")
        pytest.skip(f"PostgreSQL unreachable: {exc}")
    return _create_run_database()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty database of each kind the store supports."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    return _pg_or_skip()


@pytest.fixture
def pg_url() -> str:
    """A fresh, empty PostgreSQL database (for tests that need it; mark them ``postgres``)."""
    return _pg_or_skip()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'store.db'}"


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    eng = make_engine(db_url)
    migrate(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def aloop(qapp: QApplication) -> Iterator[asyncio.AbstractEventLoop]:
    """An asyncio loop driven by Qt's: coroutines run while qtbot waits, as in the app."""
    loop = qasync.QEventLoop(qapp, already_running=True)
    executor = ThreadPoolExecutor(4, thread_name_prefix="test-executor")
    loop.set_default_executor(executor)
    asyncio.set_event_loop(loop)
    yield loop
    pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
    for t in pending:
        t.cancel()
    asyncio.events._set_running_loop(None)
    asyncio.set_event_loop(None)
    executor.shutdown(wait=True)
