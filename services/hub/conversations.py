"""Operators' commands on conversations, and their presence."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import update

from services import nba
from services.domain.errors import Conflict, Forbidden, InvalidInput, NoCapacity, NotFound
from services.domain.routing import OperatorState, eligible
from services.hub.bus import EventBus
from services.hub.config import HubConfig
from services.hub.router import Router
from services.hub.state import WORKING, Conv, LiveState, State, is_supervisor
from services.hub.transitions import Notify, Transitions
from services.protocol import commands
from services.protocol.events import EventName
from services.store import tables
from services.store.models import utcnow
from services.store.rows import add_idempotency, note_row
from services.store.store import Store
from services.store.writer import WriteBatch

IdemKey = tuple[int, str, str]


class Conversations:
    def __init__(
        self,
        store: Store,
        state: LiveState,
        bus: EventBus,
        router: Router,
        transitions: Transitions,
        config: HubConfig,
        hint_engine: nba.NextBestAction,
        spawn: Callable[[Awaitable[Any]], None],
    ) -> None:
        self.store = store
        self.state = state
        self.bus = bus
        self.router = router
        self.transitions = transitions
        self.config = config
        self.hint_engine = hint_engine
        self.spawn = spawn
        # Called after a wrap-up committed (the channel may ask the customer for a rating).
        self.on_closed: Callable[[Conv, bool], None] = lambda conv, resolved: None

    # -- presence ---------------------------------------------------------------------------
    async def presence_set(
        self, op: OperatorState, args: commands.PresenceSet, key: IdemKey
    ) -> dict[str, Any]:
        return await self.set_presence(op, args.status, key)

    async def set_presence(
        self, op: OperatorState, status: str, key: IdemKey | None, reason: str = ""
    ) -> dict[str, Any]:
        prev = op.presence
        op.missed_offers = 0  # whoever sets it, the count of missed offers starts again

        def job(b: WriteBatch) -> dict[str, Any]:
            b.execute(
                update(tables.operators)
                .where(tables.operators.c.id == op.id)
                .values(presence=status, presence_since=b.now)
            )
            data = {"presence": status, "since": b.now.isoformat()}
            if reason:
                data["reason"] = reason
            b.emit(op.id, EventName.PRESENCE_CHANGED, data)
            if key is not None:
                add_idempotency(b, key, data)
            return data

        result = await self.store.write(job)
        op.presence = status
        op.presence_since = utcnow()
        if status == "available" and prev != "available":
            op.idle_since = utcnow()
            self.router.request()
        if status != "available":
            self.router.withdraw_offers_of(op, "presence")
        return result

    def not_responding(self, op: OperatorState) -> None:
        """``op`` let offers time out one after another: nobody is at the desk. A break keeps
        the queue moving to others; the desktop says why and one key makes them available."""
        if op.presence == "available":
            self.spawn(self.set_presence(op, "break", None, reason="missed_offers"))

    def disconnected(self, operator_id: int) -> None:
        """A desktop that went away gets a grace period (a network blip, a restart); after it
        the operator is offline and their offers go to someone else."""
        asyncio.get_running_loop().call_later(
            self.config.disconnect_grace_s, self._maybe_gone, operator_id
        )

    def _maybe_gone(self, operator_id: int) -> None:
        op = self.state.operators.get(operator_id)
        if op is None or self.bus.connected(operator_id) or op.presence == "offline":
            return
        self.spawn(self.set_presence(op, "offline", None))

    # -- the conversation's life ------------------------------------------------------------
    async def accept(
        self, op: OperatorState, args: commands.ConversationRef, key: IdemKey
    ) -> dict[str, Any]:
        conv = self.state.conversation_for(op, args.conversation_id, owner_only=False)
        if conv.state not in (State.QUEUED, State.OFFERED):
            raise Conflict(f"conversation {conv.id} was already taken", state=conv.state)
        if not is_supervisor(op) and not eligible(op, self.state.queue_of(conv), conv.channel):
            raise Forbidden("you lack the skills for this queue")
        mine = conv.state == State.OFFERED and conv.offered_to == op.id
        op.missed_offers = 0
        if not mine and not op.has_room(conv.channel):
            raise NoCapacity(f"no free {conv.channel} capacity")
        notify: Notify = {}
        if conv.state == State.OFFERED and conv.offered_to not in (None, op.id):
            assert conv.offered_to is not None
            notify[conv.offered_to] = (EventName.CONVERSATION_OFFER_WITHDRAWN, {"reason": "taken"})
        return await self.transitions.run(
            conv,
            op.id,
            (State.QUEUED, State.OFFERED),
            State.ACTIVE,
            "accepted",
            {"operator_id": op.id, "offered_to": None, "accepted_at": True},
            notify=notify,
            idem=key,
        )

    async def decline(
        self, op: OperatorState, args: commands.ConversationRef, key: IdemKey
    ) -> dict[str, Any]:
        conv = self.state.conversation_for(op, args.conversation_id, owner_only=False)
        if conv.state != State.OFFERED or conv.offered_to != op.id:
            raise Conflict("this conversation is not offered to you")
        conv.decline(op.id)
        return await self.transitions.run(
            conv, op.id, (State.OFFERED,), State.QUEUED, "declined", {"offered_to": None}, idem=key
        )

    async def hold(
        self, op: OperatorState, args: commands.ConversationRef, key: IdemKey
    ) -> dict[str, Any]:
        conv = self.state.conversation_for(op, args.conversation_id)
        return await self.transitions.run(
            conv, op.id, (State.ACTIVE,), State.HELD, "held", {"held_at": True}, idem=key
        )

    async def resume(
        self, op: OperatorState, args: commands.ConversationRef, key: IdemKey
    ) -> dict[str, Any]:
        conv = self.state.conversation_for(op, args.conversation_id)
        return await self.transitions.run(
            conv, op.id, (State.HELD,), State.ACTIVE, "resumed", {"held_at": None}, idem=key
        )

    async def end(
        self, op: OperatorState, args: commands.ConversationRef, key: IdemKey
    ) -> dict[str, Any]:
        conv = self.state.conversation_for(op, args.conversation_id)
        return await self.transitions.run(
            conv,
            op.id,
            (State.ACTIVE, State.HELD),
            State.WRAP_UP,
            "wrap_up",
            {"wrap_up_at": True},
            idem=key,
        )

    async def wrap_up(
        self, op: OperatorState, args: commands.WrapUp, key: IdemKey
    ) -> dict[str, Any]:
        conv = self.state.conversation_for(op, args.conversation_id)
        changes: dict[str, Any] = {
            "disposition": args.disposition[:64],
            "resolution": args.resolution[:2000],
            "closed_at": True,
        }
        if conv.state != State.WRAP_UP:
            changes["wrap_up_at"] = True
        if args.resolved:
            changes["resolved_at"] = True
        ignored: list[str] = []

        def unanswered_hints(b: WriteBatch) -> None:
            ignored[:] = nba.record_ignored(b, conv.id, op.id)

        result = await self.transitions.run(
            conv,
            op.id,
            WORKING,
            State.RESOLVED if args.resolved else State.CLOSED,
            "resolved" if args.resolved else "closed",
            changes,
            idem=key,
            extra_job=unanswered_hints,
        )
        for action in ignored:  # committed: now the counts learn from them
            self.hint_engine.stats.record(action, "ignored")
        self.on_closed(conv, args.resolved)
        return result

    async def transfer(
        self, op: OperatorState, args: commands.Transfer, key: IdemKey
    ) -> dict[str, Any]:
        conv = self.state.conversation_for(op, args.conversation_id)
        if (args.to_operator_id is None) == (args.to_queue is None):
            raise InvalidInput("give either to_operator_id or to_queue")
        note = args.note.strip()[: commands.MAX_TEXT]
        author = op.display_name

        def add_note(b: WriteBatch) -> None:
            if note:
                item_id = b.next_id(tables.timeline)
                row = note_row(
                    item_id,
                    conv.customer_id,
                    conv.id,
                    op.id,
                    author,
                    note,
                    b.now,
                    {"transfer": True},
                )
                b.add(tables.timeline, row)

        if args.to_operator_id is not None:
            target = self.state.operators.get(args.to_operator_id)
            if target is None:
                raise NotFound("no such operator")
            if target.id == op.id:
                raise InvalidInput("cannot transfer to yourself")
            if not eligible(target, self.state.queue_of(conv), conv.channel):
                raise Forbidden(f"{target.display_name} lacks the skills for this queue")
            if target.presence != "available" or not target.has_room(conv.channel):
                raise NoCapacity(f"{target.display_name} cannot take it now")
            customer = {"id": conv.customer_id, "name": self.state.names.get(conv.customer_id, "")}
            expires = utcnow() + timedelta(seconds=self.config.offer_timeout_s)
            result = await self.transitions.run(
                conv,
                op.id,
                (State.ACTIVE, State.HELD),
                State.OFFERED,
                "transferred",
                {
                    "operator_id": None,
                    "offered_to": target.id,
                    "preferred_operator_id": target.id,
                    "transferred_at": True,
                    "offered_at": True,
                    "held_at": None,
                },
                notify={
                    target.id: (
                        EventName.CONVERSATION_OFFERED,
                        {
                            "customer": customer,
                            "expires_at": expires.isoformat(),
                            "transfer": {"from": op.id, "note": note},
                        },
                    )
                },
                idem=key,
                extra_job=add_note,
            )
            self.router.start_offer_timer(conv, target.id)
            return result
        assert args.to_queue is not None
        queue = self.state.queue_by_name.get(args.to_queue)
        if queue is None:
            raise NotFound(f"no queue {args.to_queue!r}")
        conv.decline(op.id)
        return await self.transitions.run(
            conv,
            op.id,
            (State.ACTIVE, State.HELD),
            State.QUEUED,
            "transferred",
            {
                "operator_id": None,
                "offered_to": None,
                "preferred_operator_id": None,
                "queue_id": queue.id,
                "transferred_at": True,
                "queued_at": True,
                "held_at": None,
            },
            idem=key,
            extra_job=add_note,
        )
