"""Security item 10: the gateway's SQLite store (customers, password hashes) is its owner's
alone: 0600 files, WAL and shared memory included, in a 0700 folder."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from services.config import GatewayConfig
from services.gateway.server import Gateway
from tests.support.opclient import ChatVisitor

pytestmark = pytest.mark.skipif(os.name == "nt", reason="POSIX modes; Windows keeps ACLs")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def usual_umask() -> object:
    old = os.umask(0o022)  # under which SQLite made its files 0644
    yield
    os.umask(old)


@pytest.mark.usefixtures("usual_umask")
async def test_a_new_store_and_its_wal_are_private(tmp_path: Path) -> None:
    data = tmp_path / "data"
    gw = Gateway(GatewayConfig(port=0, data_dir=data))  # the default: gateway.db in data_dir
    await gw.start()
    try:
        visitor = await ChatVisitor.connect(f"ws://127.0.0.1:{gw.port}")
        assert (await visitor.say("Здравствуйте"))["type"] == "ack"
        await visitor.close()
        files = sorted(p.name for p in data.iterdir())
        assert {"gateway.db", "gateway.db-wal", "gateway.db-shm"} <= set(files)
        assert {name: mode(data / name) for name in files} == dict.fromkeys(files, 0o600)
        assert mode(data) == 0o700
    finally:
        await gw.close()


@pytest.mark.usefixtures("usual_umask")
async def test_an_existing_store_made_0644_is_tightened(tmp_path: Path) -> None:
    data = tmp_path / "data"
    gw = Gateway(GatewayConfig(port=0, data_dir=data))
    await gw.start()
    await gw.close()
    for path in (data, *data.iterdir()):
        path.chmod(0o755 if path.is_dir() else 0o644)  # as an older version left them

    again = Gateway(GatewayConfig(port=0, data_dir=data))
    await again.start()
    try:
        assert mode(data) == 0o700
        assert all(mode(p) == 0o600 for p in data.iterdir()), {
            p.name: oct(mode(p)) for p in data.iterdir()
        }
    finally:
        await again.close()
