"""The demo's simulated customers hold back while too many conversations wait."""

from __future__ import annotations

import asyncio
from typing import Any

from services.domain.inbox import InboundMessage
from services.simulator import Persona, Simulator


class CountingInbox:
    def __init__(self) -> None:
        self.got: list[InboundMessage] = []

    async def ingest(self, msg: InboundMessage) -> Any:
        self.got.append(msg)


async def test_the_simulator_waits_while_the_backlog_is_full() -> None:
    inbox = CountingInbox()
    waiting = [4]
    sim = Simulator(
        inbox,  # type: ignore[arg-type]
        None,  # type: ignore[arg-type]  # no store: the personas are given
        rate_per_s=200.0,
        seed=1,
        backlog=lambda: waiting[0],
        max_backlog=4,
    )
    sim.personas = [Persona({"web_visitor": "sim-1"}, name="Мария")]
    task = asyncio.create_task(sim.run())
    await asyncio.sleep(0.2)
    assert inbox.got == [], "four waiting: nobody new writes"
    waiting[0] = 3
    await asyncio.sleep(0.2)
    assert len(inbox.got) > 5, "room again: traffic resumes"
    task.cancel()
