"""Desktop tests: real widgets (pytest-qt, offscreen), a real gateway, a qasync event loop.

Any Qt warning fails the test (qt_log_level_fail in pyproject.toml), as in qutebrowser.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import qasync
from PySide6.QtWidgets import QApplication

from omnidesk_qt.embedded import EmbeddedGateway


@pytest.fixture(scope="session")
def demo_gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedGateway]:
    """One embedded gateway with demo data for the desktop tests (agent/agent, lead/lead)."""
    gw = EmbeddedGateway(tmp_path_factory.mktemp("gateway"), customers=30)
    gw.start()
    yield gw
    gw.stop()


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


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    d = tmp_path / "client"
    d.mkdir()
    return d
