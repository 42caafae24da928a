"""Fuzzing both sockets with hypothesis: every frame gets an error code or a clean close.

The gateway runs on this test's event loop; hypothesis drives a synchronous websockets client
from a worker thread. Any ERROR record or traceback of the gateway fails the test, as does an
``internal_error`` reply or a close with 1011.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from services.protocol.commands import COMMANDS
from tests.gateway.conftest import RunningGateway

CLEAN_CLOSES = {1000, 1007, 1009, 4400, 4401}
CHAT_TYPES = ["hello", "message", "delivered", "read", "identify", "leave", "nope"]
FIELDS = sorted(
    {"customer_id", "conversation_id", "query", "text", "limit", "before", "status", "channel"}
    | {name for spec in COMMANDS.values() for name in spec.args.__struct_fields__}
)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([0, 1, -1, 2**63 - 1, 2**63, 2**64]),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=30),
    st.sampled_from(["\u0000", "a\u0000b", "x" * 70_000, "я" * 9_000, "%_\\", "  "]),
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
args = st.dictionaries(st.sampled_from(FIELDS), values, max_size=4) | values
command = st.fixed_dictionaries(
    {"type": st.just("cmd"), "id": values, "name": st.sampled_from([*COMMANDS, "x"]) | values},
    optional={"args": args, "key": values},
)
chat_frame = st.fixed_dictionaries(
    {"type": st.sampled_from(CHAT_TYPES) | values},
    optional={
        "id": values,
        "text": values,
        "event_id": values,
        "visitor_token": values,
        "name": values,
        "phone": values,
        "email": values,
    },
)
auth_frame = st.fixed_dictionaries(
    {"type": st.just("auth"), "version": values},
    optional={"username": values, "password": values, "token": values, "resume": values},
)


def _deep(depth: int) -> str:
    return '{"type": "cmd", "id": 1, "name": "x", "args": {"a": ' + "[" * depth + "]" * depth + "}}"


# A frame to send: (payload, as a text frame?)
def raw_frames(structured: st.SearchStrategy[Any]) -> st.SearchStrategy[tuple[bytes, bool]]:
    return st.one_of(
        structured.map(lambda f: (json.dumps(f).encode(), True)),
        st.binary(max_size=64).map(lambda b: (b, True)),  # often invalid UTF-8: close 1007
        st.binary(max_size=64).map(lambda b: (b, False)),
        st.integers(1, 20_000).map(lambda d: (_deep(d).encode(), True)),
        st.sampled_from([b"", b"null", b"[]", b"{}", b'"x"', b"{", b"x" * 70_000]).map(
            lambda b: (b, True)
        ),
        st.just((b"x" * (1024 * 1024 + 10), True)),  # over the hard limit: close 1009
    )


def _exchange(ws: ClientConnection, frames: list[tuple[bytes, bool]], probe: str) -> None:
    """Send the frames, then a probe that must be answered, unless the gateway closed cleanly."""
    try:
        for payload, text in frames:
            ws.send(payload, text=text)
        ws.send(probe)
        while True:
            reply = json.loads(ws.recv(timeout=10))
            assert reply.get("code") != "internal_error", reply
            if reply.get("id") in ("probe", 424242):
                return
    except ConnectionClosed as exc:
        code = exc.rcvd.code if exc.rcvd is not None else None
        assert code in CLEAN_CLOSES, f"closed with {code}"


class GatewayErrors(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def gateway_errors() -> Any:
    handler = GatewayErrors()
    root = logging.getLogger()
    root.addHandler(handler)
    yield handler
    root.removeHandler(handler)


PROBE_CMD = json.dumps({"type": "cmd", "id": 424242, "name": "state.snapshot", "args": {}})
PROBE_CHAT = json.dumps({"type": "message", "id": "probe", "text": "probe"})
FUZZ = settings(
    max_examples=100,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _fuzz_operator(url: str, token: str) -> None:
    @FUZZ
    @given(
        before=st.lists(raw_frames(auth_frame | command), max_size=2),
        after=st.lists(raw_frames(command), max_size=4),
    )
    def run(before: list[tuple[bytes, bool]], after: list[tuple[bytes, bool]]) -> None:
        with connect(url + "/ws/operator", max_size=2**22) as ws:
            if before:
                _exchange(ws, before, PROBE_CMD)
                return
            ws.send(json.dumps({"type": "auth", "version": 1, "token": token}))
            assert json.loads(ws.recv(timeout=10))["type"] == "auth_ok"
            _exchange(ws, after, PROBE_CMD)

    run()


def _fuzz_chat(url: str) -> None:
    @FUZZ
    @given(
        before=st.lists(raw_frames(chat_frame), max_size=2),
        after=st.lists(raw_frames(chat_frame), max_size=4),
        hello=st.booleans(),
    )
    def run(before: list[tuple[bytes, bool]], after: list[tuple[bytes, bool]], hello: bool) -> None:
        with connect(url + "/ws/chat") as ws:
            if not hello:
                _exchange(ws, before, PROBE_CHAT)
                return
            ws.send(json.dumps({"type": "hello", "visitor_token": "fuzz-visitor-1"}))
            assert json.loads(ws.recv(timeout=10))["type"] == "welcome"
            _exchange(ws, after, PROBE_CHAT)

    run()


async def test_fuzzed_frames_get_error_codes_or_clean_closes(
    gateway: RunningGateway, gateway_errors: GatewayErrors
) -> None:
    config = gateway.gw.config
    config.rate_per_s = config.chat_rate_per_s = 100_000.0
    config.rate_burst = config.chat_rate_burst = 100_000
    config.chat_new_visitors_per_min = 100_000
    webchat = gateway.gw.webchat
    webchat.limits = replace(webchat.limits, rate_per_s=100_000.0, rate_burst=100_000)
    login = await asyncio.to_thread(_sign_in, gateway.url)
    started = time.monotonic()
    await asyncio.to_thread(_fuzz_operator, gateway.url, login)
    await asyncio.to_thread(_fuzz_chat, gateway.url)
    await asyncio.sleep(0.2)  # let the last handlers finish and log
    problems = [
        f"{r.name}: {r.getMessage()} {r.exc_info[0] if r.exc_info else ''}"
        for r in gateway_errors.records
    ]
    assert not problems, problems
    assert time.monotonic() - started < 60


def _sign_in(url: str) -> str:
    with connect(url + "/ws/operator") as ws:
        ws.send(json.dumps({"type": "auth", "version": 1, "username": "a1", "password": "a1"}))
        return str(json.loads(ws.recv(timeout=10))["token"])
