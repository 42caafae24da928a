"""The back-off tables on their own, with a clock the test moves."""

from __future__ import annotations

import pytest

from services.gateway.login_throttle import LoginThrottle
from services.protocol.errors import ErrorCode, ProtocolError


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def retry_after(throttle: LoginThrottle, username: str, address: str) -> int:
    try:
        throttle.check_allowed(username, address)
    except ProtocolError as exc:
        assert exc.code is ErrorCode.RATE_LIMITED
        return int(exc.details["retry_after"])  # type: ignore[call-overload]
    return 0


def test_the_wait_doubles_after_the_free_failures_and_is_bounded() -> None:
    clock = Clock()
    throttle = LoginThrottle(free_failures=2, max_delay_s=10.0, clock=clock)
    waits = []
    for _ in range(7):
        throttle.failed("anna", "10.0.0.1")
        waits.append(retry_after(throttle, "anna", "10.0.0.9"))
        clock.now += 10.5  # past any wait, not long enough to be forgotten
    assert waits == [0, 1, 2, 4, 8, 10, 10]


def test_a_quiet_username_is_forgotten_and_the_tables_stay_bounded() -> None:
    clock = Clock()
    throttle = LoginThrottle(free_failures=1, max_delay_s=10.0, max_entries=3, clock=clock)
    throttle.failed("anna", "10.0.0.1")
    assert retry_after(throttle, "anna", "10.0.0.2") == 1
    clock.now += 21  # twice the longest wait
    throttle.failed("anna", "10.0.0.1")
    assert retry_after(throttle, "anna", "10.0.0.2") == 1  # counted from one again
    for n in range(10):
        throttle.failed(f"made-up-{n}", f"10.0.1.{n}")
    assert len(throttle.by_username.entries) == 3
    assert len(throttle.by_address.entries) == 3


def test_the_check_slots_are_given_back() -> None:
    throttle = LoginThrottle(max_concurrent_checks=1)
    with throttle.password_check(), pytest.raises(ProtocolError), throttle.password_check():
        pass
    with throttle.password_check():
        assert throttle.checks_running == 1
    assert throttle.checks_running == 0
