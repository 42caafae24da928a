"""Desktop figures: cold start, and a busy hour with the real window and a real gateway.

client.cold_start_s   `omnidesk --demo` launched -> main window shown and interactive
client.max_stall_ms   longest UI-thread stall during 20 messages/s across 300 customers
client.opening_burst_max_stall_ms  the same while those 300 conversations arrive within a second
                      and are offered and accepted (reported, not a target)
client.rss_growth_ratio  memory after 50,000 messages / memory after 5,000
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy.orm import Session as OrmSession

from omnidesk_qt.client import Credentials
from omnidesk_qt.outbox import Outbox
from omnidesk_qt.session import Session
from omnidesk_qt.settings import Settings
from services.auth import hash_password
from services.store.db import make_engine, migrate
from services.store.models import Operator, Queue
from tests.bench import seeding
from tests.bench.conftest import Figures
from tests.bench.loadgen import CHAT_LOAD_ENV
from tests.support.gateway_proc import ROOT, GatewayProcess
from tests.support.net import free_port

BUSY_RATE = 20.0
BUSY_CUSTOMERS = 300
BUSY_SECONDS = float(os.environ.get("BENCH_BUSY_SECONDS", 30))
MEMORY_MESSAGES = int(os.environ.get("BENCH_MEMORY_MESSAGES", 50_000))


def launch_demo(data_dir: Path) -> tuple[float, float]:
    """Seconds from launch to 'window shown' and to 'signed in', read from the JSON log."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "omnidesk_qt.main",
            "--demo",
            "--json-logs",
            "--data-dir",
            str(data_dir),
            "--simulate",
            "0",
        ],
        cwd=ROOT,
        env=env,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    shown = signed = 0.0
    assert proc.stderr is not None
    try:
        for line in proc.stderr:
            if not line.startswith("{"):
                continue
            msg = json.loads(line)["msg"]
            if msg == "window shown" and not shown:
                shown = time.perf_counter() - t0
            elif msg == "signed in":
                signed = time.perf_counter() - t0
                break
    finally:
        proc.terminate()
        proc.wait(20)
        proc.stderr.close()
    return shown, signed


@pytest.mark.timeout(300)
def test_cold_start(tmp_path: Path, figures: Figures) -> None:
    # The first start seeds the demo data; what operators see every morning is the next one.
    launch_demo(tmp_path)
    shown, signed = min(launch_demo(tmp_path) for _ in range(3))
    figures.record("client.cold_start_s", shown)
    figures.record("client.signed_in_s", signed)
    assert shown <= 2.0


def rss_mb() -> float:
    return seeding.rss_mb(os.getpid())


def seed_busy_operator(url: str) -> None:
    engine = make_engine(url)
    migrate(engine)
    with OrmSession(engine) as s:
        s.add(Queue(name="general", channels=["webchat"], skills=["general"]))
        s.add(
            Operator(
                username="busy",
                display_name="Оператор",
                password_hash=hash_password("busy"),
                role="agent",
                skills=["general"],
                capacity={"webchat": BUSY_CUSTOMERS + 10},
            )
        )
        s.commit()
    engine.dispose()


@pytest.mark.timeout(1200)
@pytest.mark.usefixtures("aloop")
def test_busy_hour_keeps_the_ui_responsive(qtbot: QtBot, tmp_path: Path, figures: Figures) -> None:
    from PySide6.QtCore import QElapsedTimer, QTimer

    from ui.main_window import MainWindow

    db = f"sqlite:///{tmp_path / 'gw.db'}"
    seed_busy_operator(db)
    gp = GatewayProcess(
        tmp_path,
        database_url=db,
        port=free_port(),
        env=CHAT_LOAD_ENV,
    )
    gp.start()
    loadgen = None
    try:
        os.environ["OMNIDESK_CONFIG_DIR"] = str(tmp_path / "config")
        session = Session(gp.url, Credentials("busy", "busy"), Outbox(tmp_path / "ob.db"))
        window = MainWindow(session, Settings())
        qtbot.addWidget(window)
        window.show()
        with qtbot.waitSignal(session.signedIn, timeout=20000):
            session.start()
        session.set_presence("available")
        # Accept every offer as it comes, like an operator on a busy day.
        session.offerReceived.connect(lambda conv, _c: session.accept(int(conv["id"])))

        stalls: list[float] = []
        clock = QElapsedTimer()
        clock.start()
        last = [clock.elapsed()]

        def beat() -> None:
            now = clock.elapsed()
            stalls.append(now - last[0] - 10)
            last[0] = now

        heart = QTimer()
        heart.setInterval(10)
        heart.timeout.connect(beat)

        last[0] = clock.elapsed()
        heart.start()  # from the opening burst on: 300 customers writing within a second
        loadgen = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.bench.busy_customers",
                gp.url,
                str(BUSY_CUSTOMERS),
                str(BUSY_RATE),
                str(BUSY_SECONDS),
                str(MEMORY_MESSAGES),
            ],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert loadgen.stdout is not None
        first = asyncio.get_event_loop().run_in_executor(None, loadgen.stdout.readline)
        qtbot.waitUntil(first.done, timeout=120000)
        assert first.result().strip() == "opened"  # every customer has written once

        # The hour starts once the operator holds every conversation (the opening burst of 300
        # offers and accepts is set-up, not the steady load being measured).
        def all_taken() -> bool:
            convs = window.model.conversations()
            return sum(c["state"] == "active" for c in convs) >= BUSY_CUSTOMERS

        qtbot.waitUntil(all_taken, timeout=120000)
        qtbot.wait(1000)  # and the last answers are painted
        opening_stall = max(stalls, default=0.0)
        stalls.clear()  # the busy hour proper
        marks: dict[str, float] = {}
        while True:
            line = ""
            fut = asyncio.get_event_loop().run_in_executor(None, loadgen.stdout.readline)
            qtbot.waitUntil(fut.done, timeout=int(BUSY_SECONDS * 1000 + 600_000))
            line = fut.result().strip()
            if not line or line == "done":
                break
            if line == "busy-hour-over":
                heart.stop()
                stall = max(stalls) if stalls else 0.0
            elif line.startswith("sent "):
                n = int(line.split()[1])
                if n in (5000, MEMORY_MESSAGES):
                    qtbot.wait(2000)  # let the window catch up
                    marks[str(n)] = rss_mb()
        figures.record("client.max_stall_ms", max(0.0, stall))
        figures.record("client.opening_burst_max_stall_ms", max(0.0, opening_stall))
        figures.record("client.rss_5k_mb", marks["5000"])
        figures.record("client.rss_growth_ratio", marks[str(MEMORY_MESSAGES)] / marks["5000"])
        fut2 = asyncio.ensure_future(session.stop())
        qtbot.waitUntil(fut2.done, timeout=10000)
        assert stall <= 50
        assert opening_stall <= 50, "300 chats arriving within a second"
        assert marks[str(MEMORY_MESSAGES)] / marks["5000"] <= 1.2
    finally:
        if loadgen is not None:
            loadgen.kill()
            loadgen.wait(10)
            if loadgen.stdout is not None:
                loadgen.stdout.close()
        gp.stop()
