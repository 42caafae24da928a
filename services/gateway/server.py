"""The gateway process: a websockets listener for the sockets and an HTTP side, on one loop.

The websockets listener serves only the sockets (anything else: 404):
    /ws/operator   the operator protocol (docs/protocol.md)
    /ws/chat       the web-chat visitor protocol (services/channels/webchat.py)
The HTTP side (services/api/, uvicorn on the same event loop) serves plain HTTP: /healthz,
/chat/ (the widget's page and files), the OpenAPI schema, and later webhooks and the CRM API.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import ssl
from collections.abc import Awaitable, Sequence
from http import HTTPStatus
from pathlib import Path
from typing import Any

from litestar import Router
from litestar.types import ControllerRouterHandler
from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.http11 import Request, Response

from services import auth
from services.api.files import VisitorLinks, file_routes
from services.api.health import health_routes
from services.api.http import create_http_app
from services.api.http_server import HttpServer
from services.api.registry import CommandRegistry
from services.api.webchat_pages import webchat_page_routes
from services.channels import catalog
from services.channels.base import Adapter, AdapterContext
from services.channels.webchat import WebChatChannel, WebChatLimits
from services.config import ConfigError, GatewayConfig
from services.domain.errors import DomainError
from services.domain.files import FileLimits
from services.domain.inbox import AdapterHealth, InboundFile
from services.gateway.addresses import PublicAddresses, public_addresses
from services.gateway.limits import ConnectionLimits
from services.gateway.login_throttle import LoginThrottle
from services.gateway.operator_session import Idempotency, OperatorSession
from services.gateway.origins import OriginPolicy
from services.gateway.store_watch import StoreWatch
from services.hub import Hub, HubConfig
from services.protocol.channels import CHANNELS
from services.protocol.errors import ProtocolError
from services.store.blobs import BlobStore
from services.store.db import make_engine, migrate
from services.store.models import utcnow
from services.store.store import Store

log = logging.getLogger(__name__)

# Frames above the protocol limit get an error reply; far above it the socket is closed (1009).
HARD_FRAME_LIMIT = 1024 * 1024

SOCKET_PATHS = ("/ws/operator", "/ws/chat")


class Gateway:
    def __init__(
        self, config: GatewayConfig, http_routes: Sequence[ControllerRouterHandler] = ()
    ) -> None:
        """``http_routes``: more routes for the HTTP side (channel adapters' webhooks)."""
        self.config = config
        self.engine = make_engine(config.url, sqlite_synchronous=config.sqlite_synchronous)
        self.store: Store
        self.hub: Hub
        self.idempotency = Idempotency(self)
        self.commands = CommandRegistry()
        self.webchat: WebChatChannel
        self.limits = ConnectionLimits(config)
        self.server: Server | None = None
        self.dummy_hash = auth.hash_password("not a real password")
        self.login_throttle = LoginThrottle(
            free_failures=config.login_free_failures,
            max_delay_s=config.login_max_delay_s,
            max_concurrent_checks=config.login_concurrency,
        )
        self.store_watch = StoreWatch(self)
        self._tasks: set[asyncio.Task[Any]] = set()
        self.port = config.port
        self.http = HttpServer(
            config.http_listen_host,
            config.http_listen_port,
            tls_cert=config.tls_cert if config.tls else "",
            tls_key=config.tls_key if config.tls else "",
        )
        self.http_port = 0
        self.http_routes = list(http_routes)
        self.addresses: PublicAddresses
        self.origins: OriginPolicy
        unknown = [c for c in config.blocking_channels if c not in CHANNELS]
        if unknown:
            raise ConfigError(f"routing.blocking_channels: {', '.join(unknown)} is not a channel")
        # Provider adapters, built (and their sections checked) before anything listens.
        self.adapters: list[Adapter] = catalog.build(config.channels)
        self._started_adapters: list[Adapter] = []

    async def start(self) -> None:
        self._started_at = utcnow()
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
                max_offers_per_operator=self.config.max_offers_per_operator,
                reoffer_after_s=self.config.reoffer_after_s,
                missed_offers_to_break=self.config.missed_offers_to_break,
                event_retention_days=self.config.event_retention_days,
                channel_queues=dict(self.config.channel_queues),
                delivery_retry_s=tuple(float(d) for d in self.config.delivery_retry_s),
                blocking_channels=frozenset(self.config.blocking_channels),
                cross_channel_s=self.config.cross_channel_minutes * 60,
                files=FileLimits(
                    max_bytes=self.config.files_max_bytes,
                    per_message=self.config.files_per_message,
                    visitor_uploads_per_min=self.config.files_visitor_uploads_per_min,
                ),
            ),
            blobs=BlobStore(self.config.files_path),
        )
        hub_ref.append(self.hub)
        await self.store.start()
        await self.hub.start()
        self.commands.register_all(self.hub.command_handlers())
        self.commands.register_per_session("auth.logout")
        if self.commands.missing():
            raise RuntimeError(f"commands without a handler: {self.commands.missing()}")
        self.file_links = VisitorLinks(self.hub.files)
        self.webchat = WebChatChannel(
            self.hub,
            self.store,
            self.limits,
            WebChatLimits(
                self.config.chat_rate_per_s,
                self.config.chat_rate_burst,
                self.config.chat_hello_timeout_s,
            ),
            self.file_links,
        )
        self.hub.register_adapter(self.webchat)
        for adapter in self.adapters:
            self.hub.register_adapter(adapter)
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
            server_header=None,  # no versions for a scanner to read
        )
        self.port = next(iter(self.server.sockets)).getsockname()[1]
        self.http_port = self.http.bind()
        self.addresses = public_addresses(self.config, self.http_port, self.port)
        self.origins = OriginPolicy(self.config.allowed_origins, self.addresses.own_origins)
        self.file_links.base_url = self.addresses.http_url
        routes = [
            *health_routes(self),
            *webchat_page_routes(
                self.addresses.chat_socket_url,
                self.config.allowed_origins,
                self.addresses.http_url,
            ),
            *file_routes(self.hub, self.store, self.origins.allows, self.file_links),
            *self.http_routes,
            *(
                Router(path=f"/hooks/{a.name}", route_handlers=list(a.routes()))
                for a in self.adapters
                if a.routes()
            ),
        ]
        app = create_http_app(
            routes,
            tls=self.config.tls,
            max_body_bytes=max(10_000_000, self.config.files_max_bytes + 64 * 1024),
        )
        await self.http.start(app)
        await self._start_adapters()
        # The gateway holds many long-lived objects (sockets, caches) and allocates many short
        # ones per message: with the default thresholds the cyclic GC rescans the long-lived
        # heap so often that it costs more than the work itself. Freeze what start-up made and
        # collect the young generation less often.
        gc.collect()
        gc.freeze()
        gc.set_threshold(50_000, 50, 100)
        log.info(
            "gateway listening",
            extra={
                "host": self.config.host,
                "port": self.port,
                "http_port": self.http_port,
                "web_chat": self.addresses.chat_page_url,
                "database": _redact(self.config.url),
            },
        )

    @property
    def monitoring_token(self) -> str:
        return self.config.http_monitoring_token

    def channel_health(self) -> dict[str, AdapterHealth]:
        return {a.name: a.health() for a in self.adapters}

    async def _read_file(self, file_id: int) -> InboundFile:
        row = await self.hub.files.row(file_id)
        data = await asyncio.to_thread(Path(self.hub.files.path(row.sha256)).read_bytes)
        return InboundFile(row.name, row.mime, data)

    async def _start_adapters(self) -> None:
        for adapter in self.adapters:
            ctx = AdapterContext(
                inbox=self.hub,
                state_dir=self.config.data_dir / "channels" / adapter.name,
                public_url=self.addresses.http_url,
                hook_path=f"/hooks/{adapter.name}",
                spawn=self.spawn,
                read_file=self._read_file,
            )
            await adapter.start(ctx)
            self._started_adapters.append(adapter)
            log.info("channel started", extra={"channel": adapter.channel, "section": adapter.name})
        # What these providers were sending when the gateway last stopped is not lost silently.
        await self.hub.messaging.fail_interrupted(
            [a.channel for a in self.adapters], self._started_at
        )

    async def close(self) -> None:
        for adapter in reversed(self._started_adapters):
            try:
                await asyncio.wait_for(adapter.stop(), 10)
            except Exception:
                log.exception("channel %s did not stop cleanly", adapter.name)
        self._started_adapters.clear()
        await self.http.close()
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

    # -- the sockets' handshakes ---------------------------------------------------------------
    def _process_request(self, conn: ServerConnection, request: Request) -> Response | None:
        path = request.path.split("?", 1)[0]
        if path not in SOCKET_PATHS:
            return conn.respond(HTTPStatus.NOT_FOUND, "not found\n")
        # Browsers always send Origin: only the gateway's own pages and allow-listed ones may
        # open a socket, judged by configuration alone. Desktop clients send none.
        origin = request.headers.get("Origin")
        if not self.origins.allows(origin):
            log.warning(
                "refused a browser socket from a page not on the allow-list",
                extra={"origin": origin, "path": path},
            )
            return conn.respond(HTTPStatus.FORBIDDEN, "origin_forbidden: origin not allowed\n")
        return None

    async def _handle(self, ws: ServerConnection) -> None:
        path = ws.request.path.split("?", 1)[0] if ws.request else ""
        if path == "/ws/operator":
            await OperatorSession(self, ws).run()
        elif path == "/ws/chat":
            await self.webchat.serve(ws)
        else:
            await ws.close(4404, "unknown path")


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
