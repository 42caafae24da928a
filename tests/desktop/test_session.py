"""The session against a real gateway: sign-in, events as signals, the outbox."""

from __future__ import annotations

import asyncio
from pathlib import Path

from pytestqt.qtbot import QtBot

from omnidesk_qt.client import Credentials
from omnidesk_qt.embedded import EmbeddedGateway
from omnidesk_qt.outbox import Outbox
from omnidesk_qt.session import Session


def test_sign_in_and_presence(
    qtbot: QtBot, aloop: asyncio.AbstractEventLoop, demo_gateway: EmbeddedGateway, data_dir: Path
) -> None:
    s = Session(demo_gateway.url, Credentials("agent", "agent"), Outbox(data_dir / "ob.db"))
    with (
        qtbot.waitSignal(s.signedIn, timeout=20000) as signed,
        qtbot.waitSignal(s.snapshotLoaded, timeout=20000),
    ):
        s.start()
    assert signed.args[0]["username"] == "agent"
    with qtbot.waitSignal(s.presenceChanged, timeout=20000) as pres:
        s.set_presence("available")
    assert pres.args[0] == "available"
    qtbot.waitUntil(lambda: s.outbox.count_pending() == 0, timeout=5000)
    fut = asyncio.ensure_future(s.stop())
    qtbot.waitUntil(fut.done, timeout=5000)
