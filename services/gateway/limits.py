"""Connection accounting: how many sockets each operator and each web-chat address holds.

Web chat is open to anyone, so its sockets are capped per address and in total, and the total
leaves ``fd_reserve`` file descriptors free: a chat flood must never use up the descriptors an
operator's sign-in, the store or the log need. Operators' sockets are not counted against the
chat caps; each operator has a cap of their own (a runaway client reconnecting in a loop).
"""

from __future__ import annotations

import logging
import time
from collections import deque

from services.config import GatewayConfig

log = logging.getLogger(__name__)

NEW_VISITOR_WINDOW_S = 60.0


def open_files_limit() -> int | None:
    """The soft RLIMIT_NOFILE of this process, or None where there is none (Windows)."""
    try:
        import resource
    except ImportError:
        return None
    soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    return None if soft == resource.RLIM_INFINITY else int(soft)


class ConnectionLimits:
    def __init__(self, config: GatewayConfig) -> None:
        self.config = config
        self.operator_sockets: dict[int, set[object]] = {}
        self.chat_by_address: dict[str, int] = {}
        self.chat_total = 0
        self.chat_cap = config.chat_max_sockets
        nofile = open_files_limit()
        if nofile is not None and nofile - config.fd_reserve < self.chat_cap:
            self.chat_cap = max(0, nofile - config.fd_reserve)
            log.info(
                "web-chat sockets capped to fit the open-files limit",
                extra={"open_files": nofile, "reserve": config.fd_reserve, "cap": self.chat_cap},
            )
        self._new_visitors: dict[str, deque[float]] = {}

    # -- operators ----------------------------------------------------------------------------
    def open_operator(self, operator_id: int, session: object) -> bool:
        """Count a signed-in socket; False (and not counted) if the operator is at the cap."""
        sockets = self.operator_sockets.setdefault(operator_id, set())
        if len(sockets) >= self.config.operator_sockets:
            return False
        sockets.add(session)
        return True

    def close_operator(self, operator_id: int, session: object) -> None:
        sockets = self.operator_sockets.get(operator_id)
        if sockets is not None:
            sockets.discard(session)
            if not sockets:
                del self.operator_sockets[operator_id]

    # -- web chat -----------------------------------------------------------------------------
    def open_chat(self, address: str) -> str | None:
        """Count a chat socket, or say why it is refused (it is then not counted)."""
        if self.chat_total >= self.chat_cap:
            return "server_busy"
        if self.chat_by_address.get(address, 0) >= self.config.chat_sockets_per_address:
            return "too_many_sockets"
        self.chat_total += 1
        self.chat_by_address[address] = self.chat_by_address.get(address, 0) + 1
        return None

    def close_chat(self, address: str) -> None:
        self.chat_total -= 1
        left = self.chat_by_address[address] - 1
        if left:
            self.chat_by_address[address] = left
        else:
            del self.chat_by_address[address]

    def new_visitor(self, address: str) -> bool:
        """Count a new visitor from this address; False if over the per-minute limit."""
        now = time.monotonic()
        recent = self._new_visitors.setdefault(address, deque())
        while recent and recent[0] <= now - NEW_VISITOR_WINDOW_S:
            recent.popleft()
        if len(recent) >= self.config.chat_new_visitors_per_min:
            return False
        recent.append(now)
        if len(self._new_visitors) > 10_000:
            self._forget_quiet_addresses(now)
        return True

    def _forget_quiet_addresses(self, now: float) -> None:
        for address in [
            a
            for a, times in self._new_visitors.items()
            if not times or times[-1] <= now - NEW_VISITOR_WINDOW_S
        ]:
            del self._new_visitors[address]
