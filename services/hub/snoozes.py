"""Snoozed conversations: set aside by their operator until a time or until the customer
writes, and woken by whichever comes first.

A snooze is a pause of an *active* conversation: it keeps its operator and its place in their
load, and any change of state ends it (``Transitions.run``). Timers live on the event loop; at
start-up every snooze read from the store is scheduled again, and those whose time passed while
the gateway was down wake at once. With several gateway nodes, each schedules the snoozes it
knows; the compare-and-set on the conversation's version lets exactly one wake succeed.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from services.domain import triage
from services.domain.errors import Conflict, DomainError
from services.domain.routing import OperatorState
from services.hub.state import Conv, LiveState, State
from services.hub.transitions import UNSNOOZED, Transitions
from services.protocol import commands
from services.store.models import utcnow
from services.store.queries import iso

log = logging.getLogger(__name__)

IdemKey = tuple[int, str, str]
WOKEN_BY_TIME = "time"
WOKEN_BY_CUSTOMER = "customer"
WAKE_RETRY_S = 5.0


class Snoozes:
    def __init__(
        self,
        state: LiveState,
        transitions: Transitions,
        spawn: Callable[[Awaitable[Any]], None],
    ) -> None:
        self.state = state
        self.transitions = transitions
        self.spawn = spawn
        self._timers: dict[int, asyncio.TimerHandle] = {}

    # -- commands ---------------------------------------------------------------------------
    async def snooze(
        self, op: OperatorState, args: commands.Snooze, key: IdemKey
    ) -> dict[str, Any]:
        conv = self.state.conversation_for(op, args.conversation_id)
        if conv.state != State.ACTIVE:
            raise Conflict(
                f"only an active conversation is snoozed; {conv.id} is {conv.state}",
                state=conv.state,
            )
        until, mode = triage.check_snooze(args.until, args.until_reply, utcnow())
        result = await self.transitions.amend(
            conv,
            op.id,
            {"snoozed_until": until, "snooze_mode": mode},
            "snoozed",
            {"until": iso(until), "mode": mode},
            idem=key,
        )
        self._schedule(conv)
        return result

    async def unsnooze(
        self, op: OperatorState, args: commands.ConversationRef, key: IdemKey
    ) -> dict[str, Any]:
        conv = self.state.conversation_for(op, args.conversation_id)
        if conv.snooze_mode is None:
            raise Conflict(f"conversation {conv.id} is not snoozed", state=conv.state)
        self._cancel(conv.id)
        return await self.transitions.amend(conv, op.id, dict(UNSNOOZED), "unsnoozed", {}, idem=key)

    # -- waking -----------------------------------------------------------------------------
    async def customer_wrote(self, conv: Conv) -> None:
        """The customer of a snoozed conversation wrote: it wakes, whatever its mode."""
        if conv.snooze_mode is not None:
            await self._wake(conv, WOKEN_BY_CUSTOMER)

    async def _wake(self, conv: Conv, reason: str) -> None:
        if conv.snooze_mode is None:
            return
        self._cancel(conv.id)
        try:
            await self.transitions.amend(
                conv,
                None,
                dict(UNSNOOZED),
                "woken",
                {"reason": reason},
                event={"woken": reason},
            )
        except DomainError as exc:
            # Changed under us (another node woke it, the operator acted): nothing to wake.
            log.info("a snooze was not woken", extra={"conversation": conv.id, "why": exc.message})
        except Exception:
            # The store failed (memory is as before): a timed snooze tries again shortly, one
            # waiting for a reply at the next message. A customer's message that woke it is
            # committed already and is answered regardless.
            log.exception("waking a snoozed conversation failed", extra={"conversation": conv.id})
            until = conv.snoozed_until
            if conv.snooze_mode == "until" and until is not None and conv.id not in self._timers:
                self._timers[conv.id] = asyncio.get_running_loop().call_later(
                    WAKE_RETRY_S, self._due, conv.id, until
                )

    def restore(self) -> None:
        """At start-up: schedule every snooze with a time; those already due wake at once."""
        for conv in list(self.state.convs.values()):
            if conv.snooze_mode is not None and conv.state != State.ACTIVE:
                # Left behind by an older gateway: a snooze needs an active conversation.
                self.spawn(self._wake(conv, WOKEN_BY_TIME))
            else:
                self._schedule(conv)

    def settled(self, conv: Conv) -> None:
        """A conversation changed state (which ends any snooze): forget its timer."""
        if conv.snooze_mode is None:
            self._cancel(conv.id)

    def close(self) -> None:
        for handle in self._timers.values():
            handle.cancel()
        self._timers.clear()

    def _schedule(self, conv: Conv) -> None:
        self._cancel(conv.id)
        until = conv.snoozed_until
        if conv.snooze_mode != "until" or until is None:
            return
        delay = max(0.0, (until - utcnow()).total_seconds())
        self._timers[conv.id] = asyncio.get_running_loop().call_later(
            delay, self._due, conv.id, until
        )

    def _cancel(self, conv_id: int) -> None:
        handle = self._timers.pop(conv_id, None)
        if handle is not None:
            handle.cancel()

    def _due(self, conv_id: int, until: datetime) -> None:
        self._timers.pop(conv_id, None)
        conv = self.state.convs.get(conv_id)
        if conv is None or conv.snooze_mode != "until" or conv.snoozed_until != until:
            return  # woken, unsnoozed or snoozed again meanwhile
        if until > utcnow():
            self._schedule(conv)  # the loop's clock ran ahead of the wall clock
            return
        self.spawn(self._wake(conv, WOKEN_BY_TIME))
