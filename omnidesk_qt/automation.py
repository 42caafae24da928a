"""End-to-end test hook (``omnidesk --automation``): UI actions as JSON lines on stdin.

Each line is ``{"do": ACTION, ...}``; what the window shows is reported back as JSON log records
(qutebrowser's end-to-end tests work the same way: drive the real app, read its logs). Actions go
through the same widgets and intents a person uses.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sys
import threading
from typing import Any

log = logging.getLogger("omnidesk.automation")


def _event(msg: str, **data: Any) -> None:
    log.info(msg, extra={"data": data})


class Automation:
    def __init__(self, window: Any, session: Any) -> None:
        self.window = window
        self.session = session
        self.offers: list[dict[str, Any]] = []
        session.offerReceived.connect(self._offer)
        session.timelineItem.connect(
            lambda item: _event(
                "timeline item",
                id=item["id"],
                body=item["body"],
                direction=item["direction"],
                channel=item["channel"],
            )
        )
        session.customerOpened.connect(
            lambda card: _event(
                "customer opened", customer_id=card["customer"]["id"], name=card["customer"]["name"]
            )
        )
        session.deliveryChanged.connect(
            lambda eid, state: _event("delivery", event_id=eid, delivery=state)
        )
        session.commandFailed.connect(
            lambda name, code, msg, _key: _event("command failed", command=name, code=code)
        )

    def _offer(self, conv: dict[str, Any], customer: dict[str, Any]) -> None:
        self.offers.append(conv)
        _event(
            "offer",
            conversation_id=conv["id"],
            customer_id=conv["customer_id"],
            channel=conv["channel"],
            name=customer.get("name", ""),
        )

    def start(self) -> None:
        loop = asyncio.get_running_loop()

        def reader() -> None:
            for line in sys.stdin:
                line = line.strip()
                if line:
                    loop.call_soon_threadsafe(self.handle, line)

        threading.Thread(target=reader, name="automation-stdin", daemon=True).start()
        _event("automation ready")

    def handle(self, line: str) -> None:
        try:
            cmd = json.loads(line)
            getattr(self, "do_" + cmd.pop("do"))(**cmd)
        except Exception as exc:
            _event("automation error", error=f"{type(exc).__name__}: {exc}", line=line)

    def do_presence(self, status: str) -> None:
        self.window.set_presence(status)

    def do_accept_offer(self) -> None:
        """Accept the latest offer the way an operator does: select it, press A."""
        conv = self.offers[-1]
        self.window.accept_conversation(conv["id"])

    def do_reply(self, text: str) -> None:
        """Type into the composer and send with Ctrl+Enter."""
        self.window.type_reply(text)

    def do_feed_texts(self) -> None:
        _event("feed texts", texts=self.window.feed_texts())

    def do_quit(self) -> None:
        self.window.close()
