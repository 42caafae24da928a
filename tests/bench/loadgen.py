"""Load generator: web-chat customers write, operators receive; latency end to end.

A message's latency is from the customer's send to the assigned operator's receipt of the
``timeline.item`` event: through the chat socket, the hub, the group commit and the operator's
socket. Both ends live in this process, so one clock measures both.
"""

from __future__ import annotations

import asyncio
import gc
import itertools
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import msgspec
import websockets
from websockets.asyncio.client import ClientConnection

decode = msgspec.json.decode
encode = msgspec.json.encode


# Every simulated customer connects from 127.0.0.1 as a new visitor: the gateway's per-address
# caps (right for the public internet) are raised for the measurement, explicitly.
CHAT_LOAD_ENV = {
    "OMNIDESK_CHAT_RATE_PER_S": "1000",
    "OMNIDESK_CHAT_RATE_BURST": "1000",
    "OMNIDESK_CHAT_SOCKETS_PER_ADDRESS": "100000",
    "OMNIDESK_CHAT_NEW_VISITORS_PER_MIN": "1000000",
}


def text(frame: dict[str, Any]) -> str:
    """A frame as the gateway takes it: JSON in a text frame (binary frames are refused)."""
    return encode(frame).decode()


@dataclass
class Stats:
    sent_at: dict[str, float] = field(default_factory=dict)
    latencies: list[float] = field(default_factory=list)
    delivered: int = 0
    acked: int = 0
    errors: int = 0
    offers: int = 0
    accepted: int = 0
    waiters: dict[str, asyncio.Future[None]] = field(default_factory=dict)

    def percentile(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        xs = sorted(self.latencies)
        return xs[min(len(xs) - 1, int(p / 100 * len(xs)))] * 1000


class Operator:
    def __init__(self, ws: ClientConnection, stats: Stats, auto_accept: bool) -> None:
        self.ws = ws
        self.stats = stats
        self.auto_accept = auto_accept
        self.ids = itertools.count(1)

    async def read(self) -> None:
        stats = self.stats
        try:
            async for raw in self.ws:
                msg = decode(raw)
                if msg.get("type") != "event":
                    if msg.get("type") == "error":
                        stats.errors += 1
                    elif msg.get("type") == "result" and "conversation" in msg.get("data", {}):
                        stats.accepted += 1
                    continue
                name = msg["name"]
                if name == "timeline.item":
                    body = msg["data"]["item"]["body"]
                    mark = body.rsplit(" ", 1)[-1]
                    t0 = stats.sent_at.pop(mark, None)
                    if t0 is not None:
                        stats.latencies.append(time.perf_counter() - t0)
                        stats.delivered += 1
                        w = stats.waiters.pop(mark, None)
                        if w is not None and not w.done():
                            w.set_result(None)
                elif name == "conversation.offered" and self.auto_accept:
                    stats.offers += 1
                    cid = msg["data"]["conversation"]["id"]
                    await self.ws.send(
                        text(
                            {
                                "type": "cmd",
                                "id": next(self.ids),
                                "name": "conversation.accept",
                                "key": f"acc-{cid}",
                                "args": {"conversation_id": cid},
                            }
                        )
                    )
        except websockets.ConnectionClosed:
            pass


class Customer:
    def __init__(self, ws: ClientConnection, stats: Stats, name: str) -> None:
        self.ws = ws
        self.stats = stats
        self.name = name

    async def read(self) -> None:
        try:
            async for raw in self.ws:
                msg = decode(raw)
                t = msg.get("type")
                if t == "ack":
                    self.stats.acked += 1
                elif t == "error":
                    self.stats.errors += 1
        except websockets.ConnectionClosed:
            pass

    async def say(self, mark: str) -> None:
        self.stats.sent_at[mark] = time.perf_counter()
        await self.ws.send(text({"type": "message", "id": mark, "text": f"Привет, {mark}"}))


@dataclass
class Fleet:
    operators: list[Operator]
    customers: list[Customer]
    stats: Stats
    tasks: list[asyncio.Task[None]]

    async def close(self) -> None:
        await asyncio.gather(
            *(o.ws.close() for o in self.operators),
            *(c.ws.close() for c in self.customers),
            return_exceptions=True,
        )
        for t in self.tasks:
            t.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)


async def _batched(coros: Iterable[Any], size: int = 100) -> list[Any]:
    out: list[Any] = []
    batch: list[Any] = []
    for c in coros:
        batch.append(c)
        if len(batch) >= size:
            out += await asyncio.gather(*batch)
            batch = []
    if batch:
        out += await asyncio.gather(*batch)
    return out


async def connect_fleet(
    url: str, tokens: list[str], n_customers: int, *, routed: bool = True
) -> Fleet:
    """Operators sign in with tokens and go available; each customer opens a conversation,
    which routing offers to an operator, who accepts it."""
    stats = Stats()
    tasks: list[asyncio.Task[None]] = []

    async def op(token: str) -> Operator:
        ws = await websockets.connect(url + "/ws/operator", compression=None, max_size=2**22)
        await ws.send(text({"type": "auth", "version": 1, "token": token}))
        ok = decode(await ws.recv())
        assert ok["type"] == "auth_ok", ok
        o = Operator(ws, stats, auto_accept=True)
        tasks.append(asyncio.create_task(o.read()))
        await ws.send(
            text(
                {
                    "type": "cmd",
                    "id": 0,
                    "name": "presence.set",
                    "key": f"avail-{token[:8]}",
                    "args": {"status": "available"},
                }
            )
        )
        return o

    operators = await _batched(op(t) for t in tokens)

    async def cust(i: int) -> Customer:
        ws = await websockets.connect(url + "/ws/chat", compression=None)
        name = f"bench-customer-{i:05d}"
        await ws.send(text({"type": "hello", "name": name}))
        welcome = decode(await ws.recv())
        assert welcome["type"] == "welcome", welcome
        c = Customer(ws, stats, name)
        tasks.append(asyncio.create_task(c.read()))
        await c.say(f"open-{i}")
        return c

    customers = await _batched((cust(i) for i in range(n_customers)), 50)
    deadline = time.monotonic() + 120
    while routed and stats.accepted < n_customers and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    if routed and stats.accepted < n_customers:
        raise RuntimeError(f"only {stats.accepted} of {n_customers} conversations accepted")
    await asyncio.sleep(0.5)
    stats.latencies.clear()
    stats.sent_at.clear()
    stats.delivered = 0
    quiet_gc()
    return Fleet(operators, customers, stats, tasks)


def quiet_gc() -> None:
    """Tune the generator's cyclic GC as the gateway tunes its own (services/gateway/server.py):
    with thousands of sockets held, the default thresholds rescanned them often enough that the
    generator's own pauses (100-600 ms) showed up in the measured p99."""
    gc.unfreeze()  # a fleet closed earlier may go now
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 50, 100)


async def open_loop(fleet: Fleet, rate: float, seconds: float, tag: str) -> dict[str, float]:
    """Send at a fixed rate whatever happens (as real customers do); measure what arrives."""
    stats = fleet.stats
    stats.latencies.clear()
    delivered0 = stats.delivered
    n = int(rate * seconds)
    customers = fleet.customers
    cpu0 = time.process_time()
    start = time.perf_counter()
    for k in range(n):
        due = start + k / rate
        delay = due - time.perf_counter()
        if delay > 0.001:
            await asyncio.sleep(delay)
        await customers[k % len(customers)].say(f"{tag}-{k}")
    sent_for = time.perf_counter() - start
    # Let the tail arrive (bounded).
    drain_deadline = time.perf_counter() + 10
    while stats.delivered - delivered0 < n and time.perf_counter() < drain_deadline:
        await asyncio.sleep(0.01)
    elapsed = time.perf_counter() - start
    delivered = stats.delivered - delivered0
    return {
        "offered_rate": n / sent_for,
        "delivered": delivered,
        "lost": n - delivered,
        "rate": delivered / max(elapsed, sent_for),
        "p50_ms": stats.percentile(50),
        "p99_ms": stats.percentile(99),
        "max_ms": stats.percentile(100),
        # The generator's own CPU time: near the phase's length, it limited the figure.
        "loadgen_cpu_s": time.process_time() - cpu0,
    }


async def closed_loop(fleet: Fleet, seconds: float, tag: str) -> dict[str, float]:
    """Every customer keeps one message in flight: the most the system can carry."""
    stats = fleet.stats
    stats.latencies.clear()
    delivered0 = stats.delivered
    stop_at = time.perf_counter() + seconds
    counter = itertools.count()
    loop = asyncio.get_running_loop()

    async def customer_loop(c: Customer) -> None:
        while time.perf_counter() < stop_at:
            mark = f"{tag}-{next(counter)}"
            fut: asyncio.Future[None] = loop.create_future()
            stats.waiters[mark] = fut
            await c.say(mark)
            try:
                await asyncio.wait_for(fut, 10)
            except TimeoutError:
                return

    cpu0 = time.process_time()
    start = time.perf_counter()
    await asyncio.gather(*(customer_loop(c) for c in fleet.customers))
    elapsed = time.perf_counter() - start
    delivered = stats.delivered - delivered0
    return {
        "rate": delivered / elapsed,
        "p99_ms": stats.percentile(99),
        "p50_ms": stats.percentile(50),
        "loadgen_cpu_s": time.process_time() - cpu0,
    }
