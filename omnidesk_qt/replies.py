"""The operator's replies the gateway has not confirmed yet, for every customer.

A reply is shown the moment it is queued (a local echo keyed by its outbox key), replaced by the
gateway's item once the gateway answered, or marked failed when the gateway refused it for good.
The session's outbox signals feed this object; views only render what its signals say, and a
customer opened again gets the replies still on their way (and the refused ones) back from it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QObject, Signal, SignalInstance

from services.protocol.channels import CHANNELS, DELIVERY_FAILED, DELIVERY_ORDER

REPLY_COMMAND = "message.send"
PENDING = DELIVERY_ORDER[0]  # the state of a reply nobody has confirmed yet


def local_item(args: dict[str, Any], author: str) -> dict[str, Any]:
    """A timeline item (docs/protocol.md §5) for a reply the gateway has not seen yet."""
    channel = str(args.get("channel") or "")
    spec = CHANNELS.get(channel)
    return {
        "id": None,
        "customer_id": args.get("customer_id"),
        "conversation_id": args.get("conversation_id"),
        "kind": spec.item_kind if spec is not None else "message",
        "channel": channel,
        "direction": "out",
        "author": author,
        "subject": str(args.get("subject") or ""),
        "body": str(args.get("text") or ""),
        "attachments": [],
        "extra": {},
        "delivery": PENDING,
        "at": datetime.now(UTC).isoformat(),
    }


class PendingReplies(QObject):
    added = Signal(str, dict)  # outbox key, the local item: show it now
    confirmed = Signal(str, dict)  # outbox key, the gateway's item: put it in the echo's place
    failed = Signal(str, str)  # outbox key, why: the reply went nowhere

    def __init__(self, author: Callable[[], str], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._author = author  # the operator's name, read when a reply is queued
        # Insertion order is the order the replies were written in.
        self._items: dict[str, dict[str, Any]] = {}

    def follow(self, queued: SignalInstance, done: SignalInstance, refused: SignalInstance) -> None:
        """Be fed by a session's localQueued, commandDone and commandFailed."""
        queued.connect(self.queued)
        done.connect(self.done)
        refused.connect(self.refused)

    # -- what the session says ------------------------------------------------------------------
    def queued(self, command: str, key: str, args: dict[str, Any]) -> None:
        if command != REPLY_COMMAND:
            return
        item = local_item(args, self._author())
        self._items[key] = item
        self.added.emit(key, item)

    def done(self, command: str, key: str, result: dict[str, Any]) -> None:
        if command != REPLY_COMMAND or self._items.pop(key, None) is None:
            return
        item = result.get("item")
        if isinstance(item, dict):
            self.confirmed.emit(key, item)

    def refused(self, command: str, code: str, message: str, key: str) -> None:
        # A refusal names its reply by the outbox key alone; reads fail with no key.
        item = self._items.get(key)
        if command != REPLY_COMMAND or item is None or item["delivery"] != PENDING:
            return
        self._items[key] = dict(item, delivery=DELIVERY_FAILED)
        self.failed.emit(key, message or code)

    # -- what views read ------------------------------------------------------------------------
    def of_customer(self, customer_id: int) -> list[tuple[str, dict[str, Any]]]:
        """(key, item) of the customer's replies still on their way or refused, oldest first."""
        return [(k, item) for k, item in self._items.items() if item["customer_id"] == customer_id]

    def get(self, key: str) -> dict[str, Any] | None:
        return self._items.get(key)

    def count(self) -> int:
        return len(self._items)
