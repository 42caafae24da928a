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
    # Every test's customers come from this one address: more than the 20 new visitors a
    # minute a real address may start.
    gw.config.chat_new_visitors_per_min = 10_000
    gw.start()
    yield gw
    gw.stop()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    d = tmp_path / "client"
    d.mkdir()
    return d


@pytest.fixture
def isolated_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Config, data and site config under tmp_path: tests never touch the real home or /etc."""
    from omnidesk_qt import paths

    monkeypatch.setenv(paths.ENV_CONFIG_DIR, str(tmp_path / "config"))
    monkeypatch.setenv(paths.ENV_DATA_DIR, str(tmp_path / "data"))
    monkeypatch.setenv(paths.ENV_SITE_CONFIG, str(tmp_path / "site.toml"))
