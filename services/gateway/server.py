"""The gateway process: one websockets server for operators, web-chat visitors and the widget.

Paths:
    /ws/operator   the operator protocol (docs/protocol.md)
    /ws/chat       the web-chat visitor protocol (services/channels/webchat.py)
    /chat/         the chat widget's demo page; /chat/widget.js the embeddable script
    /healthz       liveness and a few figures, as JSON
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import logging
import ssl
from collections.abc import Awaitable
from http import HTTPStatus
from importlib import resources
from typing import Any

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.datastructures import Headers
from websockets.http11 import Request, Response

from services import auth as A
from services.api.registry import CommandRegistry
from services.channels.webchat import WebChatChannel, WebChatLimits
from services.config import GatewayConfig
from services.domain.errors import DomainError
from services.gateway.limits import ConnectionLimits
from services.gateway.login_throttle import LoginThrottle
from services.gateway.operator_session import Idempotency, OperatorSession
from services.gateway.store_watch import StoreWatch
from services.hub import Hub, HubConfig
from services.protocol.errors import ProtocolError
from services.store.db import make_engine, migrate
from services.store.store import Store

log = logging.getLogger(__name__)

# Frames above the protocol limit get an error reply; far above it the socket is closed (1009).
HARD_FRAME_LIMIT = 1024 * 1024

STATIC = {
    "/chat/": ("index.html", "text/html; charset=utf-8"),
    "/chat/index.html": ("index.html", "text/html; charset=utf-8"),
    "/chat/widget.js": ("widget.js", "text/javascript; charset=utf-8"),
    "/chat/widget.css": ("widget.css", "text/css; charset=utf-8"),
}


class Gateway:
    def __init__(self, config: GatewayConfig) -> None:
        self.config = config
        self.engine = make_engine(config.url, sqlite_synchronous=config.sqlite_synchronous)
        self.store: Store
        self.hub: Hub
        self.idempotency = Idempotency(self)
        self.commands = CommandRegistry()
        self.webchat: WebChatChannel
        self.limits = ConnectionLimits(config)
        self.server: Server | None = None
        self.dummy_hash = A.hash_password("not a real password")
        self.login_throttle = LoginThrottle(
            free_failures=config.login_free_failures,
            max_delay_s=config.login_max_delay_s,
            max_concurrent_checks=config.login_concurrency,
        )
        self.store_watch = StoreWatch(self)
        self._tasks: set[asyncio.Task[Any]] = set()
        self.port = config.port

    async def start(self) -> None:
        await asyncio.to_thread(migrate, self.engine)
        loop = asyncio.get_running_loop()
        hub_ref: list[Hub] = []
        self.store = Store(
            self.engine,
            loop,
            lambda evs: hub_ref[0].on_published(evs),
            rejections=(ProtocolError, DomainError),
        )
        self.hub = Hub(
            self.store,
            HubConfig(
                offer_timeout_s=self.config.offer_timeout_s,
                event_retention_days=self.config.event_retention_days,
                channel_queues=dict(self.config.channel_queues),
            ),
        )
        hub_ref.append(self.hub)
        await self.store.start()
        await self.hub.start()
        self.commands.register_all(self.hub.command_handlers())
        self.commands.register_per_session("auth.logout")
        if self.commands.missing():
            raise RuntimeError(f"commands without a handler: {self.commands.missing()}")
        self.webchat = WebChatChannel(
            self.hub,
            self.store,
            self.limits,
            WebChatLimits(
                self.config.chat_rate_per_s,
                self.config.chat_rate_burst,
                self.config.chat_hello_timeout_s,
            ),
        )
        self.hub.register_adapter(self.webchat)
        self.spawn(self.store_watch.run())
        ssl_ctx = None
        if self.config.tls:
            ssl_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            ssl_ctx.load_cert_chain(self.config.tls_cert, self.config.tls_key)
        self.server = await serve(
            self._handle,
            self.config.host,
            self.config.port,
            process_request=self._process_request,
            max_size=HARD_FRAME_LIMIT,
            max_queue=64,
            write_limit=256 * 1024,
            ping_interval=20,
            ping_timeout=20,
            compression=None,  # 14 KiB instead of 64 KiB a connection; chat frames are small
            ssl=ssl_ctx,
        )
        # The gateway holds many long-lived objects (sockets, caches) and allocates many short
        # ones per message: with the default thresholds the cyclic GC rescans the long-lived
        # heap so often that it costs more than the work itself. Freeze what start-up made and
        # collect the young generation less often.
        gc.collect()
        gc.freeze()
        gc.set_threshold(50_000, 50, 100)
        sock = next(iter(self.server.sockets))
        self.port = sock.getsockname()[1]
        log.info(
            "gateway listening",
            extra={
                "host": self.config.host,
                "port": self.port,
                "database": _redact(self.config.url),
            },
        )

    async def close(self) -> None:
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()
        for t in list(self._tasks):
            t.cancel()
        await self.hub.close()
        await self.store.close()

    async def serve_forever(self) -> None:
        assert self.server is not None
        await self.server.serve_forever()

    def spawn(self, coro: Awaitable[Any]) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # -- HTTP and routing -----------------------------------------------------------------------
    def _origin_allowed(self, origin: str) -> bool:
        if "*" in self.config.allowed_origins or origin in self.config.allowed_origins:
            return True
        # The gateway's own pages (/chat/): browsers omit the port when it is the default one.
        hosts = {"127.0.0.1", "localhost", self.config.host}
        own = {f"{scheme}://{host}:{self.port}" for scheme in ("http", "https") for host in hosts}
        if self.port in (80, 443):
            scheme = "http" if self.port == 80 else "https"
            own |= {f"{scheme}://{host}" for host in hosts}
        return origin in own

    def _process_request(self, conn: ServerConnection, request: Request) -> Response | None:
        path = request.path.split("?", 1)[0]
        if path in ("/ws/operator", "/ws/chat"):
            origin = request.headers.get("Origin")
            # Browsers always send Origin: only allow-listed pages may open a socket. Desktop
            # clients send none.
            host = request.headers.get("Host", "")
            same_site = origin is not None and origin.split("://", 1)[-1] == host
            if origin is not None and not same_site and not self._origin_allowed(origin):
                log.warning(
                    "refused a browser socket from a page not on the allow-list",
                    extra={"origin": origin, "path": path},
                )
                return conn.respond(HTTPStatus.FORBIDDEN, "origin_forbidden: origin not allowed\n")
            return None
        if path == "/healthz":
            body = json.dumps(
                {
                    "status": "ok",
                    "epoch": self.store.epoch,
                    "operators_online": sum(
                        1 for o in self.hub.operators.values() if o.presence != "offline"
                    ),
                    "open_conversations": len(self.hub.convs),
                    "writer": {
                        "batches": self.store.writer.stats.batches,
                        "jobs": self.store.writer.stats.jobs,
                    },
                }
            ).encode()
            return _response(200, "application/json", body)
        if path in STATIC:
            name, ctype = STATIC[path]
            data = resources.files("services.channels").joinpath("static", name).read_bytes()
            return _response(200, ctype, data)
        return conn.respond(HTTPStatus.NOT_FOUND, "not found\n")

    async def _handle(self, ws: ServerConnection) -> None:
        path = ws.request.path.split("?", 1)[0] if ws.request else ""
        if path == "/ws/operator":
            await OperatorSession(self, ws).run()
        elif path == "/ws/chat":
            await self.webchat.serve(ws)
        else:
            await ws.close(4404, "unknown path")


def _response(status: int, ctype: str, body: bytes) -> Response:
    headers = Headers()
    headers["Content-Type"] = ctype
    headers["Content-Length"] = str(len(body))
    headers["Cache-Control"] = "no-cache"
    headers["X-Content-Type-Options"] = "nosniff"
    return Response(status, HTTPStatus(status).phrase, headers, body)


def _redact(url: str) -> str:
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        creds, host = rest.rsplit("@", 1)
        return f"{scheme}://{creds.split(':', 1)[0]}:***@{host}"
    return url


async def run_gateway(config: GatewayConfig, ready: asyncio.Event | None = None) -> None:
    gw = Gateway(config)
    await gw.start()
    if ready is not None:
        ready.set()
    try:
        await gw.serve_forever()
    finally:
        with contextlib.suppress(Exception):
            await gw.close()
