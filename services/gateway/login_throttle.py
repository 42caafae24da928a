"""Password sign-in throttling: back off per username and per client address, cap argon2 checks.

A few failed attempts are free; after that each failure makes the next attempt wait twice as
long as the one before (bounded). During the wait an attempt is refused without checking the
password, so guessing costs the attacker time and the gateway no CPU. Separately, at most a few
password checks run at once: argon2 is deliberately expensive, and a flood of sign-ins must not
queue without bound behind it.

State lives in memory, per gateway process, in bounded tables (oldest entries are forgotten
first), so a flood of made-up usernames cannot grow it. It is only touched on the event-loop
thread, so it needs no lock.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from services.protocol.errors import ErrorCode, ProtocolError

# An address is shared by everyone behind one NAT or proxy: it may fail more often than one
# username before it has to wait.
ADDRESS_FAILURES_PER_USERNAME_FAILURE = 4
BASE_DELAY_S = 1.0
# How long to wait before retrying when every password-check slot is busy.
BUSY_RETRY_AFTER_S = 1


@dataclass(slots=True)
class _Failures:
    count: int = 0
    last_at: float = 0.0
    blocked_until: float = 0.0


class BackoffTable:
    """Failures per key (a username or an address) and the wait they have earned."""

    def __init__(
        self,
        *,
        free_failures: int,
        max_delay_s: float,
        max_entries: int,
        clock: Callable[[], float],
    ) -> None:
        self.free_failures = free_failures
        self.max_delay_s = max_delay_s
        self.max_entries = max_entries
        self.clock = clock
        self.entries: OrderedDict[str, _Failures] = OrderedDict()

    def wait_s(self, key: str) -> float:
        """Seconds until ``key`` may try again (0: now)."""
        entry = self._current(key)
        return 0.0 if entry is None else max(0.0, entry.blocked_until - self.clock())

    def failed(self, key: str) -> None:
        now = self.clock()
        entry = self._current(key) or _Failures()
        entry.count += 1
        entry.last_at = now
        over = entry.count - self.free_failures
        if over >= 0:
            entry.blocked_until = now + min(self.max_delay_s, BASE_DELAY_S * 2**over)
        self.entries[key] = entry
        self.entries.move_to_end(key)
        while len(self.entries) > self.max_entries:
            self.entries.popitem(last=False)

    def forget(self, key: str) -> None:
        self.entries.pop(key, None)

    def _current(self, key: str) -> _Failures | None:
        entry = self.entries.get(key)
        # Quiet for longer than the longest wait: start afresh, as for a first attempt.
        if entry is not None and self.clock() - entry.last_at > 2 * self.max_delay_s:
            del self.entries[key]
            return None
        return entry


class LoginThrottle:
    def __init__(
        self,
        *,
        free_failures: int = 5,
        max_delay_s: float = 300.0,
        max_concurrent_checks: int = 4,
        max_entries: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.by_username = BackoffTable(
            free_failures=free_failures,
            max_delay_s=max_delay_s,
            max_entries=max_entries,
            clock=clock,
        )
        self.by_address = BackoffTable(
            free_failures=free_failures * ADDRESS_FAILURES_PER_USERNAME_FAILURE,
            max_delay_s=max_delay_s,
            max_entries=max_entries,
            clock=clock,
        )
        self.max_concurrent_checks = max_concurrent_checks
        self.checks_running = 0

    def check_allowed(self, username: str, address: str) -> None:
        """Raise ``rate_limited`` (with ``retry_after`` in whole seconds) while either waits."""
        wait = max(self.by_username.wait_s(username), self.by_address.wait_s(address))
        if wait > 0:
            raise ProtocolError(
                ErrorCode.RATE_LIMITED,
                "too many failed sign-ins; wait before trying again",
                retry_after=max(1, math.ceil(wait)),
            )

    def failed(self, username: str, address: str) -> None:
        self.by_username.failed(username)
        self.by_address.failed(address)

    def succeeded(self, username: str) -> None:
        # Only the username starts afresh: one good account must not reset an address that is
        # guessing at others.
        self.by_username.forget(username)

    @contextmanager
    def password_check(self) -> Iterator[None]:
        """A slot for one argon2 check; ``rate_limited`` at once when all are taken."""
        if self.checks_running >= self.max_concurrent_checks:
            raise ProtocolError(
                ErrorCode.RATE_LIMITED,
                "the gateway is busy checking other sign-ins; try again",
                retry_after=BUSY_RETRY_AFTER_S,
            )
        self.checks_running += 1
        try:
            yield
        finally:
            self.checks_running -= 1
