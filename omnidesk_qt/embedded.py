"""The embedded default: the gateway in this process, on its own thread and event loop.

``omnidesk --demo`` starts it on SQLite with demo data and simulated traffic, so one command
shows the whole product. The gateway keeps its own loop so that its work never runs on the UI
thread; the desktop talks to it over a real loopback websocket like to any gateway.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
from concurrent.futures import Future
from pathlib import Path

from services.config import GatewayConfig

# The demo's simulated customers hold back while this many conversations wait: one operator
# signed in can keep up with it.
DEMO_MAX_WAITING = 4


# The ports the README documents for the demo: its operator socket and its web-chat page.
DEMO_PORT = 8765
DEMO_HTTP_PORT = 8766


def demo_ports() -> tuple[int, int]:
    """The documented ports when both are free on this machine, else any free ones (0): a demo
    started twice, or beside a real gateway, still starts and says where it is."""
    for port in (DEMO_PORT, DEMO_HTTP_PORT):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            # As the gateway's own listener will: a port left in TIME_WAIT is free.
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                return 0, 0
    return DEMO_PORT, DEMO_HTTP_PORT


class EmbeddedGateway:
    def __init__(
        self,
        data_dir: Path,
        *,
        seed_demo: bool = True,
        simulate: float = 0.0,
        customers: int = 200,
        port: int = 0,
        http_port: int = 0,
    ) -> None:
        self.config = GatewayConfig(port=port, http_port=http_port, data_dir=data_dir)
        self.seed_demo = seed_demo
        self.simulate = simulate
        self.customers = customers
        self.port = 0
        self.chat_page_url = ""  # the web-chat demo page, on the HTTP side
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._ready: Future[int] = Future()
        self._stop: asyncio.Event | None = None

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60.0) -> str:
        self._thread = threading.Thread(target=self._main, name="embedded-gateway", daemon=True)
        self._thread.start()
        self.port = self._ready.result(timeout)
        return self.url

    def stop(self, timeout: float = 15.0) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        if self._thread is not None:
            self._thread.join(timeout)

    def _main(self) -> None:
        try:
            asyncio.run(self._serve())
        except BaseException as exc:  # report start-up failures to start()
            if not self._ready.done():
                self._ready.set_exception(exc)
            raise

    async def _serve(self) -> None:
        from services.demo_seed import AlreadySeeded, seed_demo
        from services.gateway.server import Gateway
        from services.simulator import Simulator, register_simulated_providers
        from services.store.db import make_engine, migrate

        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        if self.seed_demo:
            engine = make_engine(self.config.url)
            await asyncio.to_thread(migrate, engine)
            with contextlib.suppress(AlreadySeeded):
                await asyncio.to_thread(seed_demo, engine, customers=self.customers)
            engine.dispose()
        gw = Gateway(self.config)
        await gw.start()
        register_simulated_providers(gw.hub)
        sim_task = None
        if self.simulate > 0:
            sim_task = asyncio.create_task(
                Simulator(
                    gw.hub,
                    gw.store,
                    rate_per_s=self.simulate,
                    backlog=gw.hub.state.waiting,
                    max_backlog=DEMO_MAX_WAITING,
                ).run()
            )
        self.chat_page_url = gw.addresses.chat_page_url
        self._ready.set_result(gw.port)
        try:
            await self._stop.wait()
        finally:
            if sim_task is not None:
                sim_task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await sim_task
            await gw.close()
