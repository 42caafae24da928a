"""Running a coroutine from a synchronous pytest-qt test on the qasync loop."""

from __future__ import annotations

import asyncio
from typing import Any

from pytestqt.qtbot import QtBot


def run(coro: Any, qtbot: QtBot, timeout: int = 20000) -> Any:
    """Schedule ``coro`` and spin Qt's loop (which drives asyncio) until it is done."""
    fut = asyncio.ensure_future(coro)
    qtbot.waitUntil(fut.done, timeout=timeout)
    return fut.result()
