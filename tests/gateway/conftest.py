from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
from litestar.types import ControllerRouterHandler

from services import cli
from services.config import GatewayConfig
from services.gateway.server import Gateway
from services.store.db import make_engine, migrate
from tests.support.seed import seed_small


@dataclass
class RunningGateway:
    gw: Gateway
    url: str

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.gw.http_port}"


async def start_gateway(
    db_url: str, http_routes: Sequence[ControllerRouterHandler] = (), **overrides: object
) -> Gateway:
    eng = make_engine(db_url)
    migrate(eng)
    seed_small(eng)
    eng.dispose()
    cfg = GatewayConfig(port=0, http_port=0, database_url=db_url, offer_timeout_s=30)
    for k, v in overrides.items():
        setattr(cfg, k, v)
    gw = Gateway(cfg, http_routes)
    await gw.start()
    return gw


@pytest.fixture
async def gateway(db_url: str, tmp_path: Path) -> AsyncIterator[RunningGateway]:
    """A gateway in this process on a fresh database: SQLite (inline writer) and PostgreSQL
    (writer thread), so every gateway test runs on both. Its files go under ``tmp_path``."""
    gw = await start_gateway(db_url, data_dir=tmp_path / "gateway")
    try:
        yield RunningGateway(gw, f"ws://127.0.0.1:{gw.port}")
    finally:
        await gw.close()


GatewayCli = Callable[..., int]


@pytest.fixture
def gateway_cli(monkeypatch: pytest.MonkeyPatch) -> GatewayCli:
    """``omnidesk-gateway COMMAND ... --database-url URL`` in this process: its exit code
    (what it prints is in capsys). The process's logging is left as the tests set it up."""
    monkeypatch.setattr(cli, "_setup_logs", lambda cfg: None)

    def run(db_url: str, *args: str) -> int:
        return cli.main([*args, "--database-url", db_url])

    return run
