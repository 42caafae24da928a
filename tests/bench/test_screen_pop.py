"""Screen pop: an inbound call's StasisStart to the customer's card on the operator's screen.

cti.screen_pop_p95_ms  the fake ARI pushes StasisStart (the phone rings) -> the gateway's
                       Asterisk adapter hands the call to the hub -> the call is offered on the
                       available operator's socket -> the desk opens the card
                       (``customer.open``) and has it; the 95th percentile over the calls
                       (target 300 ms: the card is up before the agent picks up)

One gateway in this process on PostgreSQL, the fake ARI of the channel tests, one operator of
the queue that takes calls. Each caller hangs up before the next call, so every call is
offered to the same operator (who has room for one call). ``BENCH_SCREEN_POP_CALLS`` sets the
count; ``BENCH_SMOKE=1`` runs a few.
"""

from __future__ import annotations

import os
import statistics
import time
from pathlib import Path

import pytest

from tests.bench.conftest import Figures
from tests.gateway.conftest import start_gateway
from tests.support.fake_asterisk import FakeAri
from tests.support.opclient import OpClient

SMOKE = os.environ.get("BENCH_SMOKE") == "1"
CALLS = int(os.environ.get("BENCH_SCREEN_POP_CALLS", 10 if SMOKE else 200))


async def test_screen_pop(
    pg_url: str, tmp_path: Path, figures: Figures, monkeypatch: pytest.MonkeyPatch
) -> None:
    ari = await FakeAri().start()
    monkeypatch.setenv("BENCH_ARI_PASSWORD", ari.password)
    section = {
        "type": "asterisk",
        "ari_url": ari.url,
        "app": ari.app,
        "username": ari.username,
        "password_env": "BENCH_ARI_PASSWORD",
    }
    gw = await start_gateway(
        pg_url,
        data_dir=tmp_path / "gw",
        channels={"pbx": section},
        rate_per_s=10_000.0,  # four commands a call, 200 calls: not a flood
        rate_burst=10_000,
    )
    op: OpClient | None = None
    try:
        await ari.wait_connected()
        # voice is served by the billing queue (tests/support/seed.py)
        op = await OpClient.connect(f"ws://127.0.0.1:{gw.port}", "b1", "b1")
        assert op.auth["type"] == "auth_ok", op.auth
        await op.ok("presence.set", {"status": "available"})
        pops: list[float] = []
        offers: list[float] = []
        for n in range(CALLS):
            channel_id = f"1733612345.{1000 + n}"
            started = time.perf_counter()
            await ari.ring(channel_id, f"+7916{2000000 + n:07d}")
            offered = await op.event("conversation.offered")
            offers.append(time.perf_counter() - started)
            conv = offered["data"]["conversation"]
            card = await op.ok("customer.open", {"customer_id": conv["customer_id"]})
            pops.append(time.perf_counter() - started)
            assert card["timeline"]["items"][-1]["extra"]["call"]["channel_id"] == channel_id
            # The operator takes it, hangs up and wraps up: the next call finds them free.
            await op.ok("conversation.accept", {"conversation_id": conv["id"]})
            await op.ok("conversation.end", {"conversation_id": conv["id"]})
            await op.ok(
                "conversation.wrap_up", {"conversation_id": conv["id"], "disposition": "resolved"}
            )
        cuts = statistics.quantiles(pops, n=20)
        figures.record("cti.screen_pop_p95_ms", cuts[18] * 1000)
        figures.record("cti.screen_pop_p50_ms", statistics.median(pops) * 1000)
        figures.record("cti.screen_pop_offer_p95_ms", statistics.quantiles(offers, n=20)[18] * 1000)
        assert cuts[18] <= 0.3, f"screen pop p95 {cuts[18] * 1000:.0f} ms (target 300 ms)"
    finally:
        if op is not None:
            await op.close()
        await gw.close()
        await ari.stop()
