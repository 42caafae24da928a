"""Queue fan-out at scale: 1,000 operators watch one queue while 10,000 web-chat customers join it.

Every operator has the queue's skill and room for web chat, so each one is sent the queue's
changes (``queue.updated``, one frame per watcher per 50 ms window); nobody is ``available``, so
the conversations stay queued and every change reaches all 1,000. Phases:

1. the operators sign in; the customers connect and say hello (sockets and visitors only);
2. intake: every customer writes once, with up to ``BENCH_FANOUT_INFLIGHT`` messages in flight,
   and the phase ends when a sample of operators has seen every new conversation queued.

Figures: ``gateway.queue_intake_per_s_1000_ops`` (new conversations a second in phase 2, at
least 1,000), the generator's CPU seconds and the phase's seconds next to it, the connect
phase's length, and ``gateway.rss_mb_1000_ops_10000_customers`` (the gateway's resident memory
with everyone connected and queued). ``BENCH_FANOUT_OPERATORS`` / ``BENCH_FANOUT_CUSTOMERS`` set
the sizes; ``BENCH_SMOKE=1`` runs a small version that checks only that nothing is lost.
"""

from __future__ import annotations

import asyncio
import os
import resource
import time
from pathlib import Path
from typing import Any

import websockets
from websockets.asyncio.client import ClientConnection

from tests.bench import seeding
from tests.bench.conftest import Figures
from tests.bench.loadgen import CHAT_LOAD_ENV, decode, quiet_gc, text
from tests.support.gateway_proc import GatewayProcess

SMOKE = os.environ.get("BENCH_SMOKE") == "1"
OPERATORS = int(os.environ.get("BENCH_FANOUT_OPERATORS", 50 if SMOKE else 1000))
CUSTOMERS = int(os.environ.get("BENCH_FANOUT_CUSTOMERS", 300 if SMOKE else 10_000))
IN_FLIGHT = int(os.environ.get("BENCH_FANOUT_INFLIGHT", 500))
SAMPLE = 10  # operators whose frames are read in full; the others' are only drained
CONNECT_AT_ONCE = 200


class Watcher:
    """One operator's socket. A sampled watcher records every queued conversation it sees."""

    def __init__(self, ws: ClientConnection, sampled: bool) -> None:
        self.ws = ws
        self.sampled = sampled
        self.queued: set[int] = set()
        self.frames = 0
        self.resyncs = 0
        self.seen_all = asyncio.Event()
        self.expect = 0

    async def read(self) -> None:
        try:
            async for raw in self.ws:
                self.frames += 1
                if not self.sampled:
                    continue
                msg = decode(raw)
                if msg.get("type") != "live":
                    continue
                if msg["name"] == "queue.resync":
                    self.resyncs += 1
                    continue
                for item in msg["data"]["items"]:
                    conv = item["conversation"]
                    if conv["state"] == "queued":
                        self.queued.add(conv["id"])
                if self.expect and len(self.queued) >= self.expect:
                    self.seen_all.set()
        except websockets.ConnectionClosed:
            pass


async def sign_in(url: str, token: str, sampled: bool) -> Watcher:
    ws = await websockets.connect(url + "/ws/operator", compression=None, max_size=2**24)
    await ws.send(text({"type": "auth", "version": 1, "token": token}))
    ok = decode(await ws.recv())
    assert ok["type"] == "auth_ok", ok
    return Watcher(ws, sampled)


async def visitor(url: str, i: int) -> ClientConnection:
    ws = await websockets.connect(url + "/ws/chat", compression=None)
    await ws.send(text({"type": "hello", "name": f"Клиент {i}"}))
    welcome = decode(await ws.recv())
    assert welcome["type"] == "welcome", welcome
    return ws


async def in_batches(make: Any, n: int) -> list[Any]:
    out: list[Any] = []
    for start in range(0, n, CONNECT_AT_ONCE):
        out += await asyncio.gather(
            *(make(i) for i in range(start, min(n, start + CONNECT_AT_ONCE)))
        )
    return out


async def write_once(ws: ClientConnection, i: int, gate: asyncio.Semaphore) -> None:
    async with gate:
        await ws.send(text({"type": "message", "id": f"first-{i}", "text": "Здравствуйте!"}))
        while True:
            reply = decode(await ws.recv())
            if reply.get("type") == "ack":
                return
            assert reply.get("type") != "error", reply


async def measure(url: str, tokens: list[str], gateway_pid: int) -> dict[str, float]:
    t0 = time.perf_counter()
    watchers = await in_batches(lambda i: sign_in(url, tokens[i], i < SAMPLE), len(tokens))
    readers = [asyncio.create_task(w.read()) for w in watchers]
    customers = await in_batches(lambda i: visitor(url, i), CUSTOMERS)
    connected_s = time.perf_counter() - t0
    sampled = [w for w in watchers if w.sampled]
    for w in sampled:
        w.expect = CUSTOMERS
    quiet_gc()

    gate = asyncio.Semaphore(IN_FLIGHT)
    cpu0, gw_cpu0 = time.process_time(), seeding.cpu_seconds(gateway_pid)
    start = time.perf_counter()
    await asyncio.gather(*(write_once(ws, i, gate) for i, ws in enumerate(customers)))
    acked_s = time.perf_counter() - start
    await asyncio.wait_for(asyncio.gather(*(w.seen_all.wait() for w in sampled)), 120)
    intake_s = time.perf_counter() - start
    loadgen_cpu = time.process_time() - cpu0
    gateway_cpu = seeding.cpu_seconds(gateway_pid) - gw_cpu0
    await asyncio.sleep(0.5)
    rss = seeding.rss_mb(gateway_pid)
    frames = sum(w.frames for w in watchers)
    resyncs = sum(w.resyncs for w in sampled)
    await asyncio.gather(
        *(ws.close() for ws in customers), *(w.ws.close() for w in watchers), return_exceptions=True
    )
    for task in readers:
        task.cancel()
    return {
        "connect_s": connected_s,
        "intake_s": intake_s,
        "acked_s": acked_s,
        "rate": CUSTOMERS / intake_s,
        "loadgen_cpu_s": loadgen_cpu,
        "gateway_cpu_s": gateway_cpu,
        "rss_mb": rss,
        "frames_per_watcher": frames / len(watchers),
        "resyncs": resyncs,
        "seen_by_each_sample": min(len(w.queued) for w in sampled),
    }


def test_queue_fanout_to_1000_operators(tmp_path: Path, figures: Figures) -> None:
    sockets = OPERATORS + CUSTOMERS
    want = sockets + 2048
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < want:  # the generator holds the other end of every socket
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(want, hard), hard))
    db = f"sqlite:///{tmp_path / 'fanout.db'}"
    tokens = seeding.seed_operators(db, OPERATORS, prefix="watcher", webchat_capacity=5)
    gp = GatewayProcess(
        tmp_path,
        database_url=db,
        open_files=min(want, hard),
        env={**CHAT_LOAD_ENV, "OMNIDESK_CHAT_MAX_SOCKETS": str(CUSTOMERS + 100)},
    )
    gp.start()
    assert gp.proc is not None
    try:
        got = asyncio.run(measure(gp.url, tokens, gp.proc.pid))
    finally:
        gp.stop()
    print(f"\nfan-out: {got}")
    assert gp.errors() == []
    # Every new conversation reached every sampled operator, with no resync needed.
    assert got["seen_by_each_sample"] >= CUSTOMERS
    assert got["resyncs"] == 0
    suffix = f"{OPERATORS}_ops" if not SMOKE else "smoke"
    figures.record(f"gateway.queue_intake_per_s_{suffix}", got["rate"])
    figures.record("gateway.queue_intake_s", got["intake_s"])
    figures.record("gateway.queue_intake_loadgen_cpu_s", got["loadgen_cpu_s"])
    figures.record("gateway.queue_intake_gateway_cpu_s", got["gateway_cpu_s"])
    figures.record("gateway.queue_fanout_connect_s", got["connect_s"])
    figures.record("gateway.queue_fanout_frames_per_operator", got["frames_per_watcher"])
    if not SMOKE:
        figures.record(f"gateway.rss_mb_{OPERATORS}_ops_{CUSTOMERS}_customers", got["rss_mb"])
        assert got["rate"] >= 1000, f"{got['rate']:.0f} new conversations/s"
