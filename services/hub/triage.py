"""Operators' commands on what a conversation carries besides its state: tags and priority.

Both are the owner's (or a supervisor's) to change, in any open state; a supervisor may raise
the priority of a conversation still waiting in the queue, and routing then serves it first
within its queue.
"""

from __future__ import annotations

from typing import Any

from services.domain import triage
from services.domain.errors import InvalidInput
from services.domain.routing import OperatorState
from services.hub.state import LiveState
from services.hub.transitions import Transitions
from services.protocol import commands

IdemKey = tuple[int, str, str]


class Triage:
    def __init__(self, state: LiveState, transitions: Transitions) -> None:
        self.state = state
        self.transitions = transitions

    async def tag(
        self, op: OperatorState, args: commands.ConversationTag, key: IdemKey
    ) -> dict[str, Any]:
        conv = self.state.conversation_for(op, args.conversation_id)
        add, remove = triage.check_tags(args.add), triage.check_tags(args.remove)
        if not add and not remove:
            raise InvalidInput("give tags to add or to remove")
        tags = triage.retag(conv.tags, add, remove)
        if tags == conv.tags:
            return {"conversation": conv.view()}
        details = {
            "added": [t for t in tags if t not in conv.tags],
            "removed": [t for t in conv.tags if t not in tags],
        }
        return await self.transitions.amend(
            conv, op.id, {"tags": tags}, "tagged", details, idem=key
        )

    async def set_priority(
        self, op: OperatorState, args: commands.SetPriority, key: IdemKey
    ) -> dict[str, Any]:
        conv = self.state.conversation_for(op, args.conversation_id)
        if args.priority == conv.priority:
            return {"conversation": conv.view()}
        return await self.transitions.amend(
            conv,
            op.id,
            {"priority": args.priority},
            "priority_changed",
            {"from": conv.priority, "to": args.priority},
            idem=key,
        )
