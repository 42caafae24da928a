"""The limit to compare against: a bare websockets relay, customer -> operator, no store.

Speaks just enough of the gateway's framing that the same load generator drives both.
Run: python -m tests.bench.relay --port N
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import secrets

from websockets.asyncio.server import ServerConnection, serve

operators: list[ServerConnection] = []
assigned: dict[str, ServerConnection] = {}
seq = itertools.count(1)


async def handler(ws: ServerConnection) -> None:
    path = ws.request.path if ws.request else ""
    if path == "/ws/operator":
        await ws.recv()  # the auth frame
        await ws.send(json.dumps({"type": "auth_ok", "epoch": "relay", "last_seq": 0}))
        operators.append(ws)
        await ws.wait_closed()
        return
    visitor = ""
    async for raw in ws:
        frame = json.loads(raw)
        if frame["type"] == "hello":
            visitor = frame.get("visitor_token") or secrets.token_urlsafe(32)
            assigned[visitor] = operators[len(assigned) % len(operators)]
            welcome = {"type": "welcome", "visitor_token": visitor, "visitor": "", "history": []}
            await ws.send(json.dumps(welcome))
        elif frame["type"] == "message":
            event = {
                "type": "event",
                "seq": next(seq),
                "epoch": "relay",
                "name": "timeline.item",
                "data": {"item": {"body": frame["text"], "direction": "in"}},
            }
            await assigned[visitor].send(json.dumps(event, ensure_ascii=False))
            await ws.send(json.dumps({"type": "ack", "id": frame["id"], "event_id": 0}))


async def main(port: int) -> None:
    async with serve(
        handler, "127.0.0.1", port, compression=None, max_queue=64, write_limit=256 * 1024
    ) as server:
        print("ready", flush=True)
        await server.serve_forever()


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    asyncio.run(main(ap.parse_args().port))
