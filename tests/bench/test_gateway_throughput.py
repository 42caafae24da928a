"""Customer message -> web-chat socket -> committed -> assigned operator's socket.

200 operators and 2,000 customers connected to a real gateway process on SQLite, then on the
local PostgreSQL (``OMNIDESK_TEST_PG_URL``); and the same traffic through a bare websockets relay
with no store (the limit). Figures: gateway.throughput_msgs_per_s (most carried, every customer
with one message in flight), gateway.p99_ms (at 3,000 messages/s offered), gateway.relay_ratio;
the same with ``gateway.pg_`` for PostgreSQL; and next to each, the load generator's own CPU
seconds in that phase (``…_loadgen_cpu_s``): close to the phase's length means the generator,
not the gateway, set the figure.

``BENCH_SECONDS`` sets the phase length, ``BENCH_REPEATS`` how many closed-loop runs give the
median (3); ``BENCH_SMOKE=1`` checks only that the benchmark runs
and loses nothing (for a short run on a busy machine), not the targets.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.bench import seeding
from tests.bench.conftest import Figures
from tests.bench.loadgen import CHAT_LOAD_ENV, closed_loop, connect_fleet, open_loop
from tests.support.gateway_proc import ROOT, GatewayProcess
from tests.support.net import free_port

OPERATORS = int(os.environ.get("BENCH_OPERATORS", 200))
CUSTOMERS = int(os.environ.get("BENCH_CUSTOMERS", 2000))
RATE = float(os.environ.get("BENCH_RATE", 3000))
SECONDS = float(os.environ.get("BENCH_SECONDS", 10))
SMOKE = os.environ.get("BENCH_SMOKE") == "1"
REPEATS = int(os.environ.get("BENCH_REPEATS", 1 if SMOKE else 3))


def seed_operators(url: str) -> list[str]:
    return seeding.seed_operators(
        url, OPERATORS, prefix="op", webchat_capacity=-(-CUSTOMERS // OPERATORS)
    )


async def measure(
    url: str, tokens: list[str], routed: bool, tag: str, server_pid: int
) -> dict[str, float]:
    fleet = await connect_fleet(url, tokens, CUSTOMERS, routed=routed)
    try:
        await open_loop(fleet, RATE / 3, 2, f"{tag}-warm")
        profiler = None
        if os.environ.get("BENCH_PROFILE") and routed:
            # Where the gateway's time goes in the steady state (py-spy; GIL holders by default).
            profiler = subprocess.Popen(
                [
                    "py-spy",
                    "record",
                    *os.environ.get("BENCH_PROFILE_ARGS", "--gil").split(),
                    "-r",
                    os.environ.get("BENCH_PROFILE_RATE", "100"),
                    "-f",
                    "raw",
                    "-o",
                    os.environ["BENCH_PROFILE"],
                    "-d",
                    str(int(SECONDS)),
                    "-p",
                    str(server_pid),
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        s0, g0 = seeding.cpu_seconds(server_pid), time.process_time()
        steady = await open_loop(fleet, RATE, SECONDS, f"{tag}-open")
        s1, g1 = seeding.cpu_seconds(server_pid), time.process_time()
        if profiler is not None:
            profiler.wait(30)
        # The closed loop is the noisiest phase (the relay's figure moved 9,300-15,300 msg/s
        # between runs on one machine): the median of a few runs goes into the ratio.
        runs = [await closed_loop(fleet, SECONDS, f"{tag}-closed{i}") for i in range(REPEATS)]
        peak = sorted(runs, key=lambda run: run["rate"])[len(runs) // 2]
        print(f"\n{tag} closed-loop runs (msg/s):", [round(run["rate"]) for run in runs])
        s2 = seeding.cpu_seconds(server_pid)
        n_open = steady["delivered"]
        return {
            **{f"open_{k}": v for k, v in steady.items()},
            **{f"closed_{k}": v for k, v in peak.items()},
            "server_cpu_us_per_msg": (s1 - s0) / n_open * 1e6,
            "loadgen_cpu_us_per_msg": (g1 - g0) / n_open * 1e6,
            "closed_server_cpu_share": (s2 - s1) / (SECONDS * REPEATS),
            "errors": fleet.stats.errors,
        }
    finally:
        await fleet.close()


def run_gateway(tmp_path: Path, db_url: str) -> dict[str, float]:
    tokens = seed_operators(db_url)
    gp = GatewayProcess(
        tmp_path,
        database_url=db_url,
        env={
            **CHAT_LOAD_ENV,
            "OMNIDESK_RATE_PER_S": "1000",
            "OMNIDESK_RATE_BURST": "1000",
            **{k: v for k, v in os.environ.items() if k.startswith(("XSWITCH", "OMNIDESK_SQLITE"))},
        },
    )
    gp.start()
    assert gp.proc is not None
    try:
        gw = asyncio.run(measure(gp.url, tokens, True, "gw", gp.proc.pid))
    finally:
        gp.stop()
    assert gp.errors() == []
    return gw


@pytest.fixture(scope="module")
def relay_figures(tmp_path_factory: pytest.TempPathFactory) -> dict[str, float]:
    """The bare relay, measured once for both databases' ratios."""
    tokens = seed_operators(f"sqlite:///{tmp_path_factory.mktemp('relay') / 'tokens.db'}")
    port = free_port()
    relay = subprocess.Popen(
        [sys.executable, "-m", "tests.bench.relay", "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert relay.stdout is not None and relay.stdout.readline().strip() == "ready"
        rl = asyncio.run(measure(f"ws://127.0.0.1:{port}", tokens, False, "relay", relay.pid))
    finally:
        relay.terminate()
        relay.wait(10)
        if relay.stdout is not None:
            relay.stdout.close()
    print(f"\nrelay:   {rl}")
    return rl


def record(figures: Figures, prefix: str, gw: dict[str, float], rl: dict[str, float]) -> None:
    print(f"\n{prefix}: {gw}")
    figures.record(f"{prefix}throughput_msgs_per_s", gw["closed_rate"])
    figures.record(f"{prefix}throughput_loadgen_cpu_s", gw["closed_loadgen_cpu_s"])
    figures.record(f"{prefix}sustained_msgs_per_s_at_3000", gw["open_rate"])
    figures.record(f"{prefix}p99_ms", gw["open_p99_ms"])
    figures.record(f"{prefix}p99_loadgen_cpu_s", gw["open_loadgen_cpu_s"])
    figures.record(f"{prefix}p50_ms", gw["open_p50_ms"])
    figures.record(f"{prefix}lost_at_3000", gw["open_lost"])
    figures.record(f"{prefix}relay_ratio", gw["closed_rate"] / rl["closed_rate"])
    figures.record("relay.throughput_msgs_per_s", rl["closed_rate"])
    figures.record("relay.throughput_loadgen_cpu_s", rl["closed_loadgen_cpu_s"])
    figures.record("relay.p99_ms_at_3000", rl["open_p99_ms"])
    assert gw["open_lost"] == 0, "messages were lost"
    assert gw["errors"] == 0


def test_gateway_against_bare_relay(
    tmp_path: Path, figures: Figures, relay_figures: dict[str, float]
) -> None:
    gw = run_gateway(tmp_path, f"sqlite:///{tmp_path / 'bench.db'}")
    record(figures, "gateway.", gw, relay_figures)
    if SMOKE:
        return
    # The targets.
    assert gw["open_rate"] >= 0.98 * RATE and gw["closed_rate"] >= 3000
    assert gw["open_p99_ms"] <= 50
    assert gw["closed_rate"] / relay_figures["closed_rate"] >= 0.25


@pytest.mark.postgres
def test_gateway_on_postgresql_against_bare_relay(
    tmp_path: Path, figures: Figures, relay_figures: dict[str, float], pg_url: str
) -> None:
    gw = run_gateway(tmp_path, pg_url)
    record(figures, "gateway.pg_", gw, relay_figures)
    if SMOKE:
        return
    # Targets: 3,000 msg/s sustained with p99 <= 50 ms; 0.6 of the bare relay.
    assert gw["open_rate"] >= 0.98 * RATE and gw["closed_rate"] >= 3000
    assert gw["open_p99_ms"] <= 50
    assert gw["closed_rate"] / relay_figures["closed_rate"] >= 0.6
