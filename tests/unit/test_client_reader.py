"""The desktop's socket reader: a burst of frames does not hold the event loop."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Any

from omnidesk_qt.client import YIELD_AFTER_S, Credentials, GatewayClient


class Burst:
    """Frames that are all there at once, as after a reconnect or a flood of offers: iterating
    never waits, like a socket whose buffer is full."""

    def __init__(self, n: int) -> None:
        self.frames = [
            json.dumps({"type": "event", "seq": i, "epoch": "e", "name": "x", "data": {}})
            for i in range(1, n + 1)
        ]

    def __aiter__(self) -> AsyncIterator[str]:
        return self._gen()

    async def _gen(self) -> AsyncIterator[str]:
        for f in self.frames:
            yield f


async def test_a_burst_of_frames_lets_other_work_run_in_between() -> None:
    handled: list[int] = []

    def on_event(_name: str, _data: dict[str, Any], seq: int) -> None:
        time.sleep(0.002)  # the UI's work for one event
        handled.append(seq)

    client = GatewayClient(
        "ws://127.0.0.1:9", Credentials("a", "b"), on_event=on_event, on_state=lambda *_: None
    )
    ticks: list[int] = []  # how many events were handled each time the other task ran

    async def other_work() -> None:
        while True:
            ticks.append(len(handled))
            await asyncio.sleep(0)

    other = asyncio.create_task(other_work())
    await asyncio.sleep(0)
    await client._read(Burst(100))  # type: ignore[arg-type]
    other.cancel()
    assert handled == list(range(1, 101))
    # The other task ran in the middle of the burst, and never waited for more than a few
    # events' worth of work.
    inside = sorted({t for t in ticks if 0 < t < 100})
    assert inside
    most_at_once = max(b - a for a, b in zip([0, *inside], [*inside, 100], strict=True))
    assert most_at_once <= YIELD_AFTER_S / 0.002 + 2
