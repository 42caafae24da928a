"""A fake Asterisk ARI on 127.0.0.1 (real HTTP and a real websocket, one ephemeral port):
``/ari/events?app=NAME&api_key=user:pass`` pushes the events a test makes, and the REST side
answers and records what the adapter asks (answer, hold, unhold, hangup, redirect, record,
``GET /channels``) the way ARI does: 204 or 201, errors as ``{"message": "…"}`` with 401, 404
(no such channel), 409 (not in Stasis), 412 (wrong state).

Channels it holds are in Stasis of the app (``dialplan.app_name = "Stasis"``); call control
pushes the events Asterisk would (ChannelStateChange Up, ChannelHold, the hangup sequence
ChannelHangupRequest → StasisEnd → ChannelDestroyed).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from litestar import Litestar, Request, Response, WebSocket, delete, get, post, websocket
from litestar.exceptions import WebSocketDisconnect
from litestar.params import FromPath

from services.api.http_server import HttpServer


def ari_time(at: datetime | None = None) -> str:
    """ARI's timestamp format: ``2026-12-07T23:04:14.123+0000``."""
    moment = (at or datetime.now(UTC)).astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}+0000"


@dataclass
class Failure:
    status: int
    message: str
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class FakeAri:
    app: str = "omnidesk"
    username: str = "omnidesk"
    password: str = "ari-pa55:word"
    channels: dict[str, dict[str, Any]] = field(default_factory=dict)
    # (method, path below /ari, query) of every authorised REST request
    requests: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    recordings: list[dict[str, Any]] = field(default_factory=list)
    connects: int = 0
    refused: int = 0
    # The next REST requests answer these instead (a 5xx, a 429, a 412).
    failures: list[Failure] = field(default_factory=list)
    # Seconds every REST answer waits (a PBX that does not answer in time).
    delay_s: float = 0.0
    port: int = 0
    _sockets: set[WebSocket[Any, Any, Any]] = field(default_factory=set)
    _server: HttpServer | None = None
    _changed: asyncio.Condition = field(default_factory=asyncio.Condition)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/ari"

    @property
    def connected(self) -> int:
        return len(self._sockets)

    async def start(self) -> FakeAri:
        app = self._app()
        self._server = HttpServer("127.0.0.1", self.port)
        self.port = self._server.bind()
        await self._server.start(app)
        return self

    async def stop(self) -> None:
        await self.drop()
        if self._server is not None:
            await self._server.close()
            self._server = None

    async def drop(self) -> None:
        """Close every events socket (the app's channels stay in Stasis)."""
        for ws in list(self._sockets):
            with contextlib.suppress(Exception):
                await ws.close(code=1011)
            self._sockets.discard(ws)

    async def wait_connected(self, connects: int = 1, timeout: float = 10.0) -> None:
        async def enough() -> None:
            async with self._changed:
                await self._changed.wait_for(
                    lambda: self.connects >= connects and len(self._sockets) > 0
                )

        await asyncio.wait_for(enough(), timeout)

    async def wait_requests(self, count: int, timeout: float = 10.0) -> None:
        async def enough() -> None:
            async with self._changed:
                await self._changed.wait_for(lambda: len(self.requests) >= count)

        await asyncio.wait_for(enough(), timeout)

    # -- what a test makes happen -----------------------------------------------------------

    def channel(self, channel_id: str, number: str, state: str = "Ring") -> dict[str, Any]:
        now = ari_time()
        return {
            "id": channel_id,
            "name": f"PJSIP/trunk-{channel_id[-8:].replace('.', '')}",
            "state": state,
            "caller": {"name": "", "number": number},
            "connected": {"name": "", "number": ""},
            "accountcode": "",
            "dialplan": {
                "context": "from-trunk",
                "exten": "84951234567",
                "priority": 2,
                "app_name": "Stasis",
                "app_data": f"{self.app},inbound",
            },
            "creationtime": now,
            "language": "ru",
        }

    async def ring(
        self, channel_id: str, number: str, *, state: str = "Ring", at: datetime | None = None
    ) -> dict[str, Any]:
        """An inbound call enters Stasis (``Stasis(app,inbound)`` in the dialplan)."""
        chan = self.channels[channel_id] = self.channel(channel_id, number, state)
        await self.push("StasisStart", chan, at=at, args=["inbound"])
        return chan

    async def set_state(self, channel_id: str, state: str, at: datetime | None = None) -> None:
        chan = self.channels[channel_id]
        chan["state"] = state
        await self.push("ChannelStateChange", chan, at=at)

    async def caller_hangs_up(
        self,
        channel_id: str,
        *,
        cause: int = 16,
        cause_txt: str = "Normal Clearing",
        at: datetime | None = None,
    ) -> None:
        chan = self.channels.pop(channel_id)
        await self.push("ChannelHangupRequest", chan, at=at, cause=cause)
        await self.push("StasisEnd", chan, at=at)
        chan["state"] = "Down"
        await self.push("ChannelDestroyed", chan, at=at, cause=cause, cause_txt=cause_txt)

    async def push(
        self,
        kind: str,
        channel: dict[str, Any] | None = None,
        *,
        at: datetime | None = None,
        **more: Any,
    ) -> None:
        event: dict[str, Any] = {
            "type": kind,
            "application": self.app,
            "timestamp": ari_time(at),
            **more,
        }
        if channel is not None:
            event["channel"] = dict(channel)
        await self.push_raw(json.dumps(event))

    async def push_raw(self, text: str) -> None:
        for ws in list(self._sockets):
            try:
                await ws.send_text(text)
            except Exception:
                self._sockets.discard(ws)

    # -- the server ---------------------------------------------------------------------------

    def _authorised(self, api_key: str | None, authorization: str | None) -> bool:
        want = f"{self.username}:{self.password}"
        if api_key is not None:
            return api_key == want
        if authorization and authorization.startswith("Basic "):
            try:
                return base64.b64decode(authorization[6:]).decode() == want
            except ValueError:
                return False
        return False

    async def _note(self, method: str, path: str, query: dict[str, str]) -> None:
        async with self._changed:
            self.requests.append((method, path, query))
            self._changed.notify_all()

    def _app(self) -> Litestar:
        fake = self

        async def rest(
            request: Request[Any, Any, Any], method: str, path: str
        ) -> Response[Any] | None:
            """Checks and records one REST request; an error answer, or None to go on."""
            query = {k: v for k, v in request.query_params.items()}
            if not fake._authorised(
                query.pop("api_key", None), request.headers.get("authorization")
            ):
                return Response({"message": "Authentication required"}, status_code=401)
            await fake._note(method, path, query)
            if fake.delay_s:
                await asyncio.sleep(fake.delay_s)
            if fake.failures:
                failure = fake.failures.pop(0)
                return Response(
                    {"message": failure.message},
                    status_code=failure.status,
                    headers=failure.headers,
                )
            return None

        def in_stasis(channel_id: str) -> Response[Any] | dict[str, Any]:
            chan = fake.channels.get(channel_id)
            if chan is None:
                return Response({"message": "Channel not found"}, status_code=404)
            if chan["dialplan"].get("app_name") != "Stasis":
                return Response({"message": "Channel not in Stasis application"}, status_code=409)
            return chan

        @websocket("/ari/events")
        async def events(socket: WebSocket[Any, Any, Any]) -> None:
            app = socket.query_params.get("app")
            if app != fake.app or not fake._authorised(
                socket.query_params.get("api_key"), socket.headers.get("authorization")
            ):
                fake.refused += 1
                await socket.close(code=4001)
                return
            await socket.accept(subprotocols="ari")
            async with fake._changed:
                fake.connects += 1
                fake._sockets.add(socket)
                fake._changed.notify_all()
            try:
                while True:
                    await socket.receive_data(mode="text")
            except (WebSocketDisconnect, RuntimeError):
                pass
            finally:
                fake._sockets.discard(socket)

        @get("/ari/channels")
        async def list_channels(request: Request[Any, Any, Any]) -> Response[Any]:
            refused = await rest(request, "GET", "/channels")
            return refused or Response(list(fake.channels.values()))

        @post("/ari/channels/{channel_id:str}/answer", status_code=200)
        async def answer(
            request: Request[Any, Any, Any], channel_id: FromPath[str]
        ) -> Response[Any]:
            refused = await rest(request, "POST", f"/channels/{channel_id}/answer")
            chan = refused or in_stasis(channel_id)
            if isinstance(chan, Response):
                return chan
            if chan["state"] != "Up":
                await fake.set_state(channel_id, "Up")
            return Response(None, status_code=200)

        @post("/ari/channels/{channel_id:str}/hold", status_code=200)
        async def hold(request: Request[Any, Any, Any], channel_id: FromPath[str]) -> Response[Any]:
            refused = await rest(request, "POST", f"/channels/{channel_id}/hold")
            chan = refused or in_stasis(channel_id)
            if isinstance(chan, Response):
                return chan
            await fake.push("ChannelHold", chan)
            return Response(None, status_code=200)

        @delete("/ari/channels/{channel_id:str}/hold", status_code=200)
        async def unhold(
            request: Request[Any, Any, Any], channel_id: FromPath[str]
        ) -> Response[Any]:
            refused = await rest(request, "DELETE", f"/channels/{channel_id}/hold")
            chan = refused or in_stasis(channel_id)
            if isinstance(chan, Response):
                return chan
            await fake.push("ChannelUnhold", chan)
            return Response(None, status_code=200)

        @delete("/ari/channels/{channel_id:str}", status_code=200)
        async def hangup(
            request: Request[Any, Any, Any], channel_id: FromPath[str]
        ) -> Response[Any]:
            refused = await rest(request, "DELETE", f"/channels/{channel_id}")
            chan = refused or in_stasis(channel_id)
            if isinstance(chan, Response):
                return chan
            await fake.caller_hangs_up(channel_id)
            return Response(None, status_code=200)

        @post("/ari/channels/{channel_id:str}/redirect", status_code=200)
        async def redirect(
            request: Request[Any, Any, Any], channel_id: FromPath[str]
        ) -> Response[Any]:
            refused = await rest(request, "POST", f"/channels/{channel_id}/redirect")
            chan = refused or in_stasis(channel_id)
            if isinstance(chan, Response):
                return chan
            if not request.query_params.get("endpoint"):
                return Response(
                    {"message": "Required parameter endpoint not present"}, status_code=400
                )
            # The channel leaves the app for the endpoint: StasisEnd, and no ChannelDestroyed here.
            fake.channels.pop(channel_id)
            await fake.push("StasisEnd", chan)
            return Response(None, status_code=200)

        @post("/ari/channels/{channel_id:str}/record", status_code=200)
        async def record(
            request: Request[Any, Any, Any], channel_id: FromPath[str]
        ) -> Response[Any]:
            refused = await rest(request, "POST", f"/channels/{channel_id}/record")
            chan = refused or in_stasis(channel_id)
            if isinstance(chan, Response):
                return chan
            name = request.query_params.get("name", "")
            live = {
                "name": name,
                "format": request.query_params.get("format", "wav"),
                "target_uri": f"channel:{channel_id}",
                "state": "queued",
            }
            fake.recordings.append(live)
            return Response(live, status_code=200)

        return Litestar(
            route_handlers=[events, list_channels, answer, hold, unhold, hangup, redirect, record],
            debug=False,
            logging_config=None,  # Litestar's default would configure the process's logging
        )
