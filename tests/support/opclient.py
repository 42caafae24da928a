"""A small operator-protocol client for tests: auth, commands, waiting for events."""

from __future__ import annotations

import asyncio
import itertools
import json
import uuid
from typing import Any

import websockets
from websockets.asyncio.client import ClientConnection


class OpClient:
    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.auth: dict[str, Any] = {}
        self.events: list[dict[str, Any]] = []
        self.results: dict[int, dict[str, Any]] = {}
        self.other: list[dict[str, Any]] = []
        self._ids = itertools.count(1)
        self._cond = asyncio.Condition()
        self._reader: asyncio.Task[None] | None = None

    @classmethod
    async def connect(
        cls,
        url: str,
        username: str = "",
        password: str = "",
        *,
        token: str | None = None,
        resume: dict[str, Any] | None = None,
        **extra: Any,
    ) -> OpClient:
        ws = await websockets.connect(url + "/ws/operator", max_size=2**22)
        c = cls(ws)
        frame: dict[str, Any] = {"type": "auth", "version": 1, **extra}
        if token:
            frame["token"] = token
        else:
            frame["username"], frame["password"] = username, password
        if resume is not None:
            frame["resume"] = resume
        await ws.send(json.dumps(frame))
        c.auth = json.loads(await asyncio.wait_for(ws.recv(), 10))
        if c.auth.get("type") == "auth_ok":
            c._reader = asyncio.create_task(c._read())
        return c

    async def _read(self) -> None:
        try:
            async for raw in self.ws:
                msg = json.loads(raw)
                async with self._cond:
                    if msg["type"] == "event":
                        self.events.append(msg)
                    elif msg.get("id") is not None and msg["type"] in ("result", "error"):
                        self.results[msg["id"]] = msg
                    else:
                        self.other.append(msg)
                    self._cond.notify_all()
        except websockets.ConnectionClosed:
            pass

    async def send_raw(self, data: str | bytes) -> None:
        await self.ws.send(data)

    async def cmd(
        self,
        name: str,
        args: dict[str, Any] | None = None,
        *,
        key: str | None = "auto",
        timeout: float = 10.0,
    ) -> dict[str, Any]:
        """Send a command and return its reply frame (result or error)."""
        cid = next(self._ids)
        frame: dict[str, Any] = {"type": "cmd", "id": cid, "name": name, "args": args or {}}
        if key == "auto":
            key = uuid.uuid4().hex
        if key is not None:
            frame["key"] = key
        await self.ws.send(json.dumps(frame))
        return await self.wait(lambda: self.results.get(cid), timeout)

    async def ok(self, name: str, args: dict[str, Any] | None = None, **kw: Any) -> dict[str, Any]:
        reply = await self.cmd(name, args, **kw)
        assert reply["type"] == "result", reply
        return dict(reply["data"])

    async def wait(self, predicate: Any, timeout: float = 10.0) -> Any:
        async with self._cond:
            return await asyncio.wait_for(self._cond.wait_for(predicate), timeout)

    async def event(self, name: str, timeout: float = 10.0, **match: Any) -> dict[str, Any]:
        """The first event of that name (whose data matches) not yet taken."""

        def find() -> dict[str, Any] | None:
            for ev in self.events:
                if (
                    ev["name"] == name
                    and not ev.get("_taken")
                    and all(_dig(ev["data"], k) == v for k, v in match.items())
                ):
                    ev["_taken"] = True
                    return ev
            return None

        return await self.wait(find, timeout)  # type: ignore[no-any-return]

    async def wait_other(self, kind: str, timeout: float = 10.0) -> dict[str, Any]:
        return await self.wait(  # type: ignore[no-any-return]
            lambda: next((m for m in self.other if m["type"] == kind), None), timeout
        )

    @property
    def seqs(self) -> list[int]:
        return [e["seq"] for e in self.events]

    async def close(self) -> None:
        await self.ws.close()
        if self._reader is not None:
            await self._reader


def _dig(data: dict[str, Any], path: str) -> Any:
    cur: Any = data
    for part in path.split("__"):
        cur = cur.get(part) if isinstance(cur, dict) else None
    return cur


class ChatVisitor:
    """A web-chat customer on /ws/chat."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.welcome: dict[str, Any] = {}
        self.inbox: list[dict[str, Any]] = []

    @classmethod
    async def connect(cls, url: str, visitor_token: str | None = None, **hello: Any) -> ChatVisitor:
        ws = await websockets.connect(url + "/ws/chat")
        v = cls(ws)
        frame = {"type": "hello", **hello}
        if visitor_token:
            frame["visitor_token"] = visitor_token
        await ws.send(json.dumps(frame))
        v.welcome = json.loads(await asyncio.wait_for(ws.recv(), 10))
        return v

    @property
    def visitor_token(self) -> str:
        """The visitor's secret: whoever holds it is this visitor."""
        return str(self.welcome["visitor_token"])

    @property
    def handle(self) -> str:
        """The visitor's public handle: their ``web_visitor`` identity, what operators see."""
        return str(self.welcome["visitor"])

    async def say(self, text: str, msg_id: str | None = None) -> dict[str, Any]:
        mid = msg_id or uuid.uuid4().hex[:16]
        await self.ws.send(json.dumps({"type": "message", "id": mid, "text": text}))
        return await self.recv_type("ack", "error")

    async def recv_type(self, *types: str, timeout: float = 10.0) -> dict[str, Any]:
        for i, m in enumerate(self.inbox):
            if m["type"] in types:
                return self.inbox.pop(i)
        while True:
            m = json.loads(await asyncio.wait_for(self.ws.recv(), timeout))
            if m["type"] in types:
                return m  # type: ignore[no-any-return]
            self.inbox.append(m)

    async def close(self) -> None:
        await self.ws.close()
