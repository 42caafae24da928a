"""uvicorn in the gateway's own event loop: a task beside the websockets server, no thread.

The socket is bound here first (a busy port is an ``OSError`` at start, not uvicorn's
``sys.exit``); the server installs no signal handlers (the gateway owns the process's signals)
and writes no access log (paths and query strings may carry personal data).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import Iterator

import uvicorn
from litestar import Litestar

log = logging.getLogger(__name__)

GRACEFUL_SHUTDOWN_S = 5


class _InLoopServer(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class HttpServer:
    def __init__(self, host: str, port: int, *, tls_cert: str = "", tls_key: str = "") -> None:
        self.host, self.port = host, port
        self.tls_cert, self.tls_key = tls_cert, tls_key
        self._sock: socket.socket | None = None
        self._server: _InLoopServer | None = None
        self._task: asyncio.Task[None] | None = None

    def bind(self) -> int:
        """Takes the port (0: any free one) and returns it."""
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        self._sock = socket.create_server((self.host, self.port), family=family, backlog=1024)
        self.port = int(self._sock.getsockname()[1])
        return self.port

    async def start(self, app: Litestar) -> None:
        if self._sock is None:
            self.bind()
        assert self._sock is not None
        config = uvicorn.Config(
            app,
            lifespan="off",  # the gateway starts and stops what the routes use
            log_config=None,
            access_log=False,
            server_header=False,
            proxy_headers=False,
            ssl_certfile=self.tls_cert or None,
            ssl_keyfile=self.tls_key or None,
            timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_S,
        )
        server = self._server = _InLoopServer(config)
        self._task = asyncio.create_task(server.serve(sockets=[self._sock]), name="http-server")
        while not server.started:
            if self._task.done():
                await self._task  # raises what stopped it
                raise RuntimeError("the HTTP server stopped while starting")
            await asyncio.sleep(0.01)

    async def close(self) -> None:
        if self._server is not None and self._task is not None:
            self._server.should_exit = True
            try:
                await asyncio.wait_for(asyncio.shield(self._task), GRACEFUL_SHUTDOWN_S + 2)
            except TimeoutError:
                self._task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self._task
        if self._sock is not None:
            self._sock.close()
            self._sock = None
