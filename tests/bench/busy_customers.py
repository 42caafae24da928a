"""Customers of a busy hour, as a separate process (so they do not share the UI's thread).

    python -m tests.bench.busy_customers URL N RATE SECONDS TOTAL

Prints "opened" once every customer has written, "busy-hour-over" after SECONDS at RATE
messages/s, "sent K" at 5,000 and at TOTAL messages, then "done".
"""

from __future__ import annotations

import asyncio
import itertools
import sys
import time

import msgspec
import websockets

encode = msgspec.json.encode


async def main(url: str, n: int, rate: float, seconds: float, total: int) -> None:
    socks = []
    for i in range(n):
        ws = await websockets.connect(url + "/ws/chat", compression=None)
        await ws.send(encode({"type": "hello", "name": f"Клиент {i}"}).decode())
        await ws.recv()
        socks.append(ws)

    async def drain(ws: websockets.ClientConnection) -> None:
        try:
            async for _ in ws:
                pass
        except websockets.ConnectionClosed:
            pass

    readers = [asyncio.create_task(drain(ws)) for ws in socks]
    counter = itertools.count(1)

    async def say(ws: websockets.ClientConnection) -> int:
        k = next(counter)
        await ws.send(
            encode(
                {"type": "message", "id": f"m{k}", "text": f"Сообщение номер {k}: где мой заказ?"}
            ).decode()
        )
        return k

    for ws in socks:
        await say(ws)
    print("opened", flush=True)
    await asyncio.sleep(3)
    sent = 0
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        sent = await say(socks[sent % n])
        if sent in (5000, total):
            print(f"sent {sent}", flush=True)
        await asyncio.sleep(max(0.0, start + (sent - n) / rate - time.perf_counter()))
    print("busy-hour-over", flush=True)
    while sent < total:
        sent = await say(socks[sent % n])
        if sent in (5000, total):
            await asyncio.sleep(1)
            print(f"sent {sent}", flush=True)
        await asyncio.sleep(1 / 400)  # 400/s: 50,000 in about two minutes
    print("done", flush=True)
    for ws in socks:
        await ws.close()
    for r in readers:
        r.cancel()


if __name__ == "__main__":
    u, n, r, s, t = sys.argv[1:6]
    asyncio.run(main(u, int(n), float(r), float(s), int(t)))
