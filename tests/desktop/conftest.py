"""Desktop tests: real widgets (pytest-qt, offscreen), a real gateway, a qasync event loop.

Any Qt warning fails the test (qt_log_level_fail in pyproject.toml), as in qutebrowser.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


from omnidesk_qt.embedded import EmbeddedGateway


@pytest.fixture(scope="session")
def demo_gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedGateway]:
    """One embedded gateway with demo data for the desktop tests (agent/agent, lead/lead)."""
    gw = EmbeddedGateway(tmp_path_factory.mktemp("gateway"), customers=30)
    gw.start()
    yield gw
    gw.stop()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    d = tmp_path / "client"
    d.mkdir()
    return d
