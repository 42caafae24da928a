"""The command registry: each operator command bound once to its handler.

What a command is (its argument type, whether it mutates, the role it needs) is the wire's
table, ``services.protocol.commands.COMMANDS``, shared with the desktop; the gateway binds a
handler to every name in it, once, and refuses to start with a command left unbound or a
handler for a name the table does not know.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import msgspec

from services.api.errors import to_protocol
from services.domain.errors import DomainError
from services.domain.routing import OperatorState
from services.protocol.commands import COMMANDS, CommandSpec, may_run
from services.protocol.errors import ErrorCode, ProtocolError

Handler = Callable[..., Awaitable[dict[str, Any]]]
IdemKey = tuple[int, str, str]
MAX_KEY = 128


@dataclass(frozen=True, slots=True)
class Bound:
    spec: CommandSpec
    handler: Handler | None
    # Handled by the connection itself (signing out needs the session's own token).
    per_session: bool = False


class CommandRegistry:
    def __init__(self) -> None:
        self._commands: dict[str, Bound] = {}

    def register(self, name: str, handler: Handler | None) -> None:
        spec = COMMANDS.get(name)
        if spec is None:
            raise ValueError(f"{name!r} is not in the protocol's command table")
        if name in self._commands:
            raise ValueError(f"{name!r} is registered already")
        self._commands[name] = Bound(spec, handler)

    def register_per_session(self, name: str) -> None:
        """A command each operator connection answers itself."""
        self.register(name, None)
        self._commands[name] = Bound(self._commands[name].spec, None, per_session=True)

    def register_all(self, handlers: Mapping[str, Handler]) -> None:
        for name, handler in handlers.items():
            self.register(name, handler)

    def missing(self) -> list[str]:
        return sorted(set(COMMANDS) - set(self._commands))

    def lookup(self, name: str, op: OperatorState) -> Bound:
        bound = self._commands.get(name)
        if bound is None:
            raise ProtocolError(ErrorCode.UNKNOWN_COMMAND, f"unknown command {name!r}")
        if not may_run(op.role, bound.spec):
            raise ProtocolError(ErrorCode.FORBIDDEN, f"{name} needs the {bound.spec.role} role")
        return bound

    @staticmethod
    def parse(bound: Bound, raw_args: Any) -> Any:
        try:
            return msgspec.convert(raw_args, bound.spec.args)
        except msgspec.ValidationError as exc:
            raise ProtocolError(ErrorCode.INVALID_ARGS, str(exc)) from exc

    @staticmethod
    def check_key(key: Any) -> str:
        """A mutating command's idempotency key: a string of 1..128 characters."""
        if not isinstance(key, str) or not key.strip() or len(key.strip()) > MAX_KEY:
            raise ProtocolError(
                ErrorCode.MISSING_IDEMPOTENCY_KEY,
                f"mutating commands need a key of 1..{MAX_KEY} characters",
            )
        return key.strip()

    @staticmethod
    async def call(bound: Bound, op: OperatorState, args: Any, key: IdemKey | None) -> Any:
        assert bound.handler is not None, "per-session commands are answered by the session"
        try:
            if bound.spec.mutating:
                return await bound.handler(op, args, key)
            return await bound.handler(op, args)
        except DomainError as exc:
            raise to_protocol(exc) from exc
