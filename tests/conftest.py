"""Shared fixtures: databases (SQLite and PostgreSQL), gateways in process and as processes."""

from __future__ import annotations

import asyncio
import os
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

PG_URL = os.environ.get("OMNIDESK_TEST_PG_URL", "")
REQUIRE_PG = os.environ.get("OMNIDESK_REQUIRE_PG") == "1"


def _reset_pg(url: str) -> None:
    eng = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with eng.connect() as c:
            c.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            c.execute(text("CREATE SCHEMA public"))
    finally:
        eng.dispose()


def _pg_or_skip() -> str:
    if not PG_URL:
        if REQUIRE_PG:
            pytest.fail("OMNIDESK_REQUIRE_PG=1 but OMNIDESK_TEST_PG_URL is not set")
        pytest.skip("PostgreSQL tests need OMNIDESK_TEST_PG_URL")
    try:
        _reset_pg(PG_URL)
    except Exception as exc:
        if REQUIRE_PG:
            pytest.fail(f"PostgreSQL at OMNIDESK_TEST_PG_URL is unreachable: {exc}")
        pytest.skip(f"PostgreSQL unreachable: {exc}")
    return PG_URL


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty database of each kind the store supports."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
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
