from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest

from services.config import GatewayConfig
from services.gateway.server import Gateway
from services.store.db import make_engine, migrate
from tests.support.seed import seed_small


@dataclass
class RunningGateway:
    gw: Gateway
    url: str


async def start_gateway(db_url: str, **overrides: object) -> Gateway:
    eng = make_engine(db_url)
    migrate(eng)
    seed_small(eng)
    eng.dispose()
    cfg = GatewayConfig(port=0, database_url=db_url, offer_timeout_s=30)
    for k, v in overrides.items():
        setattr(cfg, k, v)
    gw = Gateway(cfg)
    await gw.start()
    return gw


@pytest.fixture
async def gateway(db_url: str) -> AsyncIterator[RunningGateway]:
    """A gateway in this process on a fresh database: SQLite (inline writer) and PostgreSQL
    (writer thread), so every gateway test runs on both."""
    gw = await start_gateway(db_url)
    try:
        yield RunningGateway(gw, f"ws://127.0.0.1:{gw.port}")
    finally:
        await gw.close()
