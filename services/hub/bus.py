"""The event bus: who listens, events out only after commit, and live views of the queue.

Sequenced events are written by the store's writer in the transaction that made the change and
reach subscribers through :meth:`EventBus.on_published`, after commit. Queue changes are shared
state, not anyone's stream: they go out as unsequenced live frames, coalesced per short window
and encoded once per group of watchers who may see the same conversations, so their cost grows
with the number of watchers and windows, not watchers × changes. This is the one place a
multi-node fan-out will plug into.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from services.domain.routing import OperatorState, QueueState, skilled_for, staffed_channels
from services.protocol.events import LiveName
from services.protocol.messages import Live, encode
from services.store.writer import Published


class Subscriber(Protocol):
    """An operator connection that wants the operator's events."""

    def push(self, event: Published) -> None: ...

    def live(self, key: tuple[str, int], frame: bytes) -> None:
        """An unsequenced frame about shared state (the queue): ``key`` names what it is the
        newest view of, so a slow reader may skip the older ones."""
        ...


@dataclass(slots=True)
class QueueChange:
    """A conversation entered, moved in or left the queue."""

    conversation: dict[str, Any]
    customer: dict[str, Any]
    queue: QueueState | None
    channel: str
    skip: frozenset[int]


# Who sees which queued conversations depends only on these: one frame per group and window.
WatcherGroup = tuple[bool, frozenset[str], frozenset[str]]


def watcher_group(op: OperatorState, supervisor: bool) -> WatcherGroup:
    return (supervisor, op.skills, staffed_channels(op))


class EventBus:
    def __init__(
        self,
        operators: dict[int, OperatorState],
        *,
        is_supervisor: Callable[[OperatorState], bool],
        on_last_unsubscribe: Callable[[int], None],
        live_window_s: float = 0.05,
    ) -> None:
        self._operators = operators
        self._is_supervisor = is_supervisor
        self._on_last_unsubscribe = on_last_unsubscribe
        self.live_window_s = live_window_s
        self.subscribers: dict[int, set[Subscriber]] = {}
        self._pending: dict[int, QueueChange] = {}
        self._flush_scheduled = False
        self._batch = 0
        self._other = 0

    # -- subscriptions ----------------------------------------------------------------------
    def subscribe(self, operator_id: int, sub: Subscriber) -> None:
        self.subscribers.setdefault(operator_id, set()).add(sub)

    def unsubscribe(self, operator_id: int, sub: Subscriber) -> None:
        subs = self.subscribers.get(operator_id)
        if subs is None:
            return
        subs.discard(sub)
        if not subs:
            del self.subscribers[operator_id]
            self._on_last_unsubscribe(operator_id)

    def connected(self, operator_id: int) -> bool:
        return operator_id in self.subscribers

    # -- sequenced events, after commit -----------------------------------------------------
    def on_published(self, events: list[Published]) -> None:
        """Called by the writer (on the loop) once events are durable."""
        for event in events:
            for sub in self.subscribers.get(event.operator_id, ()):
                sub.push(event)

    # -- other live frames ------------------------------------------------------------------
    def broadcast_live(
        self, name: str, data: dict[str, Any], to: Iterable[int] | None = None
    ) -> None:
        """One live frame about shared state other than the queue (canned responses), to the
        sockets of ``to`` or of every connected operator; encoded once."""
        self._other += 1
        key = (name, self._other)
        frame = encode(Live(name, data))
        for op_id in self.subscribers if to is None else to:
            for sub in self.subscribers.get(op_id, ()):
                sub.live(key, frame)

    # -- live views of the queue ------------------------------------------------------------
    def queue_changed(self, change: QueueChange, conversation_id: int) -> None:
        self._pending[conversation_id] = change  # the newest view of it within the window
        if not self._flush_scheduled:
            self._flush_scheduled = True
            loop = asyncio.get_running_loop()
            if self.live_window_s > 0:
                loop.call_later(self.live_window_s, self.flush_live)
            else:
                loop.call_soon(self.flush_live)

    def flush_live(self) -> None:
        self._flush_scheduled = False
        changes, self._pending = self._pending, {}
        if not changes or not self.subscribers:
            return
        self._batch += 1
        groups: dict[WatcherGroup, list[int]] = {}
        for op_id in self.subscribers:
            op = self._operators.get(op_id)
            if op is not None:
                groups.setdefault(watcher_group(op, self._is_supervisor(op)), []).append(op_id)
        for (supervisor, skills, channels), members in groups.items():
            seen = [
                c
                for c in changes.values()
                if supervisor or skilled_for(skills, channels, c.queue, c.channel)
            ]
            if seen:
                self._send_group(members, seen)

    def _send_group(self, members: Iterable[int], seen: list[QueueChange]) -> None:
        frame: bytes | None = None
        key = (LiveName.QUEUE_UPDATED.value, self._batch)
        for op_id in members:
            mine = [c for c in seen if op_id not in c.skip]
            if not mine:
                continue
            if len(mine) == len(seen):
                if frame is None:  # encoded once for the whole group
                    frame = _queue_frame(seen)
                data = frame
            else:
                data = _queue_frame(mine)
            for sub in self.subscribers.get(op_id, ()):
                sub.live(key, data)


def _queue_frame(changes: list[QueueChange]) -> bytes:
    items = [{"conversation": c.conversation, "customer": c.customer} for c in changes]
    return encode(Live(LiveName.QUEUE_UPDATED.value, {"items": items}))
