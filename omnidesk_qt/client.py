"""The desktop's connection to the gateway: plain asyncio, no Qt (the session bridges to Qt).

- Signs in with a password once, then with the session token; resumes the event stream from the
  last sequence number it saw, so nothing is missed and nothing arrives twice.
- Reconnects with exponential backoff and jitter when the gateway goes away.
- Commands go through :class:`~omnidesk_qt.outbox.Outbox` when they change something: each has
  an idempotency key and stays in the outbox until the gateway answered, across reconnects and
  client crashes, so a reply typed while offline is sent exactly once.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import itertools
import logging
import random
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

import msgspec
import websockets
from websockets.asyncio.client import ClientConnection

from services.protocol import PROTOCOL_VERSION

log = logging.getLogger(__name__)
# Longest run of frames handled before the reader lets the event loop run other work.
YIELD_AFTER_S = 0.008

_encode = msgspec.json.Encoder().encode
_decode = msgspec.json.decode


class ConnState(enum.StrEnum):
    OFFLINE = "offline"  # not started, or stopped
    CONNECTING = "connecting"
    ONLINE = "online"
    RECONNECTING = "reconnecting"  # lost; trying again with backoff
    AUTH_FAILED = "auth_failed"  # needs the user: wrong password, expired token
    SIGN_IN_WAIT = "sign_in_wait"  # the gateway throttles sign-ins: trying again after a wait


# The gateway closes a signed-in socket with 4401 and one of these reasons when the session is
# over for good (protocol §2): reconnecting with the same token would only be refused again.
SIGNED_OUT = 4401
SIGNED_OUT_REASONS = frozenset({"token_revoked", "operator_deactivated", "logged_out"})
# Refusals that need the user, not a retry with the same credentials.
TOKEN_REFUSED = frozenset({"token_invalid", "token_expired"})


# The longest sign-in wait the client takes from a gateway; a longer one is taken as this.
MAX_SIGN_IN_WAIT_S = 300


def _bounded_wait(value: object) -> int:
    """Whole seconds to wait, 1..MAX_SIGN_IN_WAIT_S, whatever the gateway sent."""
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
        return 1
    return int(min(max(value, 1), MAX_SIGN_IN_WAIT_S))


class CommandError(Exception):
    def __init__(self, code: str, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.details = details or {}


class NotConnected(Exception):
    pass


@dataclass
class Credentials:
    username: str = ""
    password: str = ""
    token: str = ""
    remember: bool = False


@dataclass
class Backoff:
    """1 s, 2 s, 4 s … up to ``cap``, each with ±25 % jitter so clients do not stampede."""

    base: float = 1.0
    cap: float = 30.0
    attempt: int = 0

    def next_delay(self) -> float:
        delay = min(self.cap, self.base * 2**self.attempt)
        self.attempt += 1
        return float(delay * random.uniform(0.75, 1.25))

    def reset(self) -> None:
        self.attempt = 0


EventHandler = Callable[[str, dict[str, Any], int], None]


class GatewayClient:
    def __init__(
        self,
        url: str,
        credentials: Credentials,
        *,
        on_event: EventHandler,
        on_state: Callable[[ConnState, str], None],
        on_auth: Callable[[dict[str, Any]], Coroutine[Any, Any, None]] | None = None,
        backoff: Backoff | None = None,
        client_name: str = "omnidesk-desktop",
    ) -> None:
        self.url = url.rstrip("/")
        self.credentials = credentials
        self.on_event = on_event
        self.on_state = on_state
        self.on_auth = on_auth
        self.backoff = backoff or Backoff()
        self.client_name = client_name
        self.state = ConnState.OFFLINE
        self.ws: ClientConnection | None = None
        self.epoch = ""
        self.last_seq = 0
        self.operator: dict[str, Any] = {}
        self.resume_result: str | None = None
        self.http_url = ""  # the gateway's HTTP side (auth_ok): files go there
        self._ids = itertools.count(1)
        self._pending: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self._runner: asyncio.Task[None] | None = None
        self._online = asyncio.Event()
        self._stopping = False
        self._after_auth: asyncio.Task[None] | None = None
        # Seconds the gateway asked us to wait before signing in again (``rate_limited``).
        self.retry_after = 0

    # -- lifecycle ------------------------------------------------------------------------------
    def start(self) -> None:
        if self._runner is None or self._runner.done():
            self._stopping = False
            self._runner = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        self._stopping = True
        if self.ws is not None:
            await self.ws.close()
        if self._runner is not None:
            self._runner.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._runner
        self._set_state(ConnState.OFFLINE, "")

    async def wait_online(self) -> None:
        await self._online.wait()

    @property
    def online(self) -> bool:
        return self.state == ConnState.ONLINE

    def _set_state(self, state: ConnState, detail: str) -> None:
        self.state = state
        if state == ConnState.ONLINE:
            self._online.set()
        else:
            self._online.clear()
        self.on_state(state, detail)

    async def _run(self) -> None:
        wait_s = 0
        while not self._stopping:
            if wait_s:
                self._set_state(ConnState.SIGN_IN_WAIT, str(wait_s))
                await asyncio.sleep(wait_s)
                wait_s = 0
            self._set_state(
                ConnState.CONNECTING if self.backoff.attempt == 0 else ConnState.RECONNECTING, ""
            )
            try:
                async with websockets.connect(
                    self.url + "/ws/operator",
                    open_timeout=10,
                    ping_interval=20,
                    ping_timeout=20,
                    max_size=8 * 1024 * 1024,
                    compression=None,
                ) as ws:
                    self.ws = ws
                    outcome = await self._authenticate(ws)
                    if outcome == "retry":
                        continue  # the token went stale but the password is known: again
                    if outcome == "wait":
                        wait_s = self.retry_after  # after this socket is closed
                        continue
                    if outcome == "failed":
                        return  # needs the user; the session asks for a password
                    self.backoff.reset()
                    reader = asyncio.create_task(self._read(ws))
                    self._set_state(ConnState.ONLINE, "")
                    if self.on_auth is not None:
                        # Not awaited here: its commands need the reader, and a connection
                        # lost meanwhile must be noticed at once.
                        self._after_auth = asyncio.create_task(self.on_auth(self.operator))
                    await reader
                    if ws.close_code == SIGNED_OUT and ws.close_reason in SIGNED_OUT_REASONS:
                        # Revoked, deactivated or logged out: the token is dead; ask the user.
                        self.credentials.token = ""
                        self._stopping = True
                        self._set_state(ConnState.AUTH_FAILED, ws.close_reason)
                        return
            except (OSError, websockets.WebSocketException, TimeoutError) as exc:
                log.info("gateway unreachable: %s", exc)
            finally:
                self.ws = None
                self._fail_pending(NotConnected("connection lost"))
            if self._stopping:
                break
            delay = self.backoff.next_delay()
            self._set_state(ConnState.RECONNECTING, f"{delay:.0f}")
            await asyncio.sleep(delay)

    async def _authenticate(self, ws: ClientConnection) -> str:
        c = self.credentials
        frame: dict[str, Any] = {
            "type": "auth",
            "version": PROTOCOL_VERSION,
            "client": self.client_name,
        }
        if c.token:
            frame["token"] = c.token
        else:
            frame.update(username=c.username, password=c.password, remember=c.remember)
        if self.epoch:
            frame["resume"] = {"epoch": self.epoch, "last_seq": self.last_seq}
        await ws.send(_encode(frame).decode())
        reply = _decode(await asyncio.wait_for(ws.recv(), 15))
        if reply.get("type") != "auth_ok":
            code = str(reply.get("code", "auth_failed"))[:64]  # shown to the user: bounded
            if c.token and code in TOKEN_REFUSED:
                c.token = ""
                if c.password:
                    return "retry"
            details = reply.get("details")
            wait = details.get("retry_after", 0) if isinstance(details, dict) else 0
            self.retry_after = _bounded_wait(wait)
            if code == "rate_limited":
                # Sign-ins are throttled: wait as told and try again; nothing to ask the user.
                return "wait"
            c.password = ""  # refused: the user types it again
            self._stopping = True
            self._set_state(ConnState.AUTH_FAILED, code)
            return "failed"
        self.operator = reply["operator"]
        self.http_url = str(reply.get("http_url") or "").rstrip("/")
        c.token = reply["token"]
        c.password = ""  # never kept longer than needed
        self.resume_result = reply.get("resume")
        if reply.get("resume") != "resumed":
            # First connection, another store, or too long away: start from "now"; the
            # session reloads its state with a snapshot.
            self.epoch = reply["epoch"]
            self.last_seq = int(reply["last_seq"])
        return "ok"

    async def _read(self, ws: ClientConnection) -> None:
        busy_since = time.monotonic()
        try:
            async for raw in ws:
                if time.monotonic() - busy_since > YIELD_AFTER_S:
                    # A burst of frames is read without ever waiting on the socket: let the
                    # event loop (on the desktop: Qt's, with its painting and timers) run.
                    await asyncio.sleep(0)
                    busy_since = time.monotonic()
                msg = _decode(raw)
                kind = msg.get("type")
                if kind == "event":
                    seq = int(msg["seq"])
                    if seq <= self.last_seq:
                        continue  # already seen (cannot happen with a correct gateway)
                    self.last_seq = seq
                    self.on_event(msg["name"], msg["data"], seq)
                elif kind == "live":
                    self.on_event(msg["name"], msg["data"], 0)  # unsequenced: never resumed
                elif kind in ("result", "error") and msg.get("id") is not None:
                    fut = self._pending.pop(int(msg["id"]), None)
                    if fut is not None and not fut.done():
                        fut.set_result(msg)
                elif kind == "error":
                    log.warning("gateway error: %s %s", msg.get("code"), msg.get("message"))
        except websockets.ConnectionClosed:
            pass
        finally:
            # Whoever waits for an answer learns now that none will come.
            self._fail_pending(NotConnected("connection lost"))

    def _fail_pending(self, exc: Exception) -> None:
        pending, self._pending = self._pending, {}
        for fut in pending.values():
            if not fut.done():
                fut.set_exception(exc)

    # -- commands -------------------------------------------------------------------------------
    async def call(
        self,
        name: str,
        args: dict[str, Any] | None = None,
        *,
        key: str | None = None,
        deadline_s: float = 20.0,
    ) -> dict[str, Any]:
        """Send a command now; raise :class:`NotConnected` when offline, :class:`CommandError`
        when the gateway refuses."""
        ws = self.ws
        if ws is None or self.state != ConnState.ONLINE:
            raise NotConnected("offline")
        cid = next(self._ids)
        fut: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._pending[cid] = fut
        frame: dict[str, Any] = {"type": "cmd", "id": cid, "name": name, "args": args or {}}
        if key is not None:
            frame["key"] = key
        try:
            await ws.send(_encode(frame).decode())
        except websockets.ConnectionClosed as exc:
            self._pending.pop(cid, None)
            raise NotConnected("connection lost") from exc
        reply = await asyncio.wait_for(fut, deadline_s)
        if reply["type"] == "error":
            raise CommandError(reply["code"], reply["message"], reply.get("details"))
        data: dict[str, Any] = reply.get("data", {})
        return data
