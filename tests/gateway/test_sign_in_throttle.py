"""Password sign-in over a real socket: back-off per username and address, the cap on
concurrent argon2 checks, and old hashes upgraded on sign-in."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import argon2
import pytest
import websockets
from sqlalchemy import select, update

from services.auth import needs_rehash
from services.gateway.server import Gateway
from services.store import tables
from tests.gateway.conftest import start_gateway


async def sign_in(
    gw: Gateway, username: str, password: str, *, address: str = "127.0.0.1"
) -> tuple[dict[str, Any], int | None]:
    """One password sign-in from ``address``: the reply and, on failure, the close code."""
    async with websockets.connect(
        f"ws://127.0.0.1:{gw.port}/ws/operator", local_addr=(address, 0)
    ) as ws:
        await ws.send(
            json.dumps({"type": "auth", "version": 1, "username": username, "password": password})
        )
        reply: dict[str, Any] = json.loads(await asyncio.wait_for(ws.recv(), 10))
        if reply["type"] == "auth_ok":
            return reply, None
        await asyncio.wait_for(ws.wait_closed(), 10)
        return reply, ws.close_code


@pytest.fixture
async def strict_gateway(db_url: str) -> AsyncIterator[Gateway]:
    """Three free failures per username (twelve per address), then 1 s, 2 s, 4 s …"""
    gw = await start_gateway(db_url, login_free_failures=3, login_max_delay_s=30.0)
    try:
        yield gw
    finally:
        await gw.close()


async def test_guessing_makes_even_the_right_password_wait(strict_gateway: Gateway) -> None:
    codes = [(await sign_in(strict_gateway, "a1", f"guess-{n}"))[0]["code"] for n in range(10)]
    assert codes[:3] == ["invalid_credentials"] * 3
    assert codes[3:] == ["rate_limited"] * 7  # refused without looking at the password

    refused, close_code = await sign_in(strict_gateway, "a1", "a1")
    assert refused["code"] == "rate_limited" and close_code == 4429
    retry_after = refused["details"]["retry_after"]
    assert 1 <= retry_after <= 2
    # The username is what waits, from any address.
    assert (await sign_in(strict_gateway, "A1 ", "a1", address="127.0.0.2"))[0][
        "code"
    ] == "rate_limited"

    await asyncio.sleep(retry_after + 0.2)
    ok, _ = await sign_in(strict_gateway, "a1", "a1")
    assert ok["type"] == "auth_ok"
    # A success starts the username afresh: one more typo is free again.
    assert (await sign_in(strict_gateway, "a1", "typo"))[0]["code"] == "invalid_credentials"


async def test_another_user_from_another_address_is_not_affected(
    strict_gateway: Gateway,
) -> None:
    for n in range(6):
        await sign_in(strict_gateway, "a1", f"guess-{n}")
    assert (await sign_in(strict_gateway, "a1", "a1"))[0]["code"] == "rate_limited"
    ok, _ = await sign_in(strict_gateway, "a2", "a2", address="127.0.0.2")
    assert ok["type"] == "auth_ok"


async def test_an_address_guessing_at_many_names_waits_for_all_of_them(
    strict_gateway: Gateway,
) -> None:
    for n in range(12):
        reply, _ = await sign_in(strict_gateway, f"nobody{n}", "guess", address="127.0.0.3")
        assert reply["code"] == "invalid_credentials"
    refused, _ = await sign_in(strict_gateway, "a2", "a2", address="127.0.0.3")
    assert refused["code"] == "rate_limited"
    ok, _ = await sign_in(strict_gateway, "a2", "a2", address="127.0.0.4")
    assert ok["type"] == "auth_ok"


async def test_concurrent_password_checks_are_capped(db_url: str) -> None:
    gw = await start_gateway(db_url, login_concurrency=1)
    try:
        url = f"ws://127.0.0.1:{gw.port}/ws/operator"
        sockets = [await websockets.connect(url) for _ in range(10)]
        frame = json.dumps({"type": "auth", "version": 1, "username": "a1", "password": "a1"})
        # All at once: one argon2 check runs, the others are told to come back at once
        # instead of queueing behind it.
        await asyncio.gather(*(ws.send(frame) for ws in sockets))
        replies = [json.loads(await asyncio.wait_for(ws.recv(), 10)) for ws in sockets]
        for ws in sockets:
            await ws.close()
        kinds = [r["type"] if r["type"] == "auth_ok" else r["code"] for r in replies]
        assert set(kinds) == {"auth_ok", "rate_limited"}, kinds
        busy = next(r for r in replies if r["type"] == "auth_failed")
        assert busy["details"] == {"retry_after": 1}
        assert gw.login_throttle.checks_running == 0
        # Being turned away for load is not a failed guess: the user is not made to wait.
        assert (await sign_in(gw, "a1", "a1"))[0]["type"] == "auth_ok"
    finally:
        await gw.close()


async def test_a_weaker_hash_is_upgraded_on_sign_in(db_url: str) -> None:
    gw = await start_gateway(db_url)
    operators = tables.operators
    weak = argon2.PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1).hash("a1")
    try:
        with gw.engine.begin() as conn:
            conn.execute(
                update(operators).where(operators.c.username == "a1").values(password_hash=weak)
            )
        assert needs_rehash(weak)
        ok, _ = await sign_in(gw, "a1", "a1")
        assert ok["type"] == "auth_ok"
        with gw.engine.connect() as conn:
            stored = conn.execute(
                select(operators.c.password_hash).where(operators.c.username == "a1")
            ).scalar_one()
        assert stored != weak and not needs_rehash(stored)
        params = argon2.extract_parameters(stored)
        assert (params.time_cost, params.memory_cost) == (2, 19 * 1024)
        assert (await sign_in(gw, "a1", "a1"))[0]["type"] == "auth_ok"
    finally:
        await gw.close()


async def test_the_desktop_client_waits_as_told_then_signs_in(strict_gateway: Gateway) -> None:
    """Throttled, the desktop asks the user nothing: it shows the wait, then signs in by itself
    with the password it was given; a wrong password instead stops and asks for it again."""
    from omnidesk_qt.client import ConnState, Credentials, GatewayClient

    for n in range(4):
        await sign_in(strict_gateway, "a1", f"guess-{n}")
    states: list[tuple[ConnState, str]] = []

    def desktop(username: str, password: str) -> GatewayClient:
        return GatewayClient(
            f"ws://127.0.0.1:{strict_gateway.port}",
            Credentials(username, password),
            on_event=lambda *_: None,
            on_state=lambda state, detail: states.append((state, detail)),
        )

    client = desktop("a1", "a1")
    client.start()
    try:
        await asyncio.wait_for(client.wait_online(), 15)
    finally:
        await client.stop()
    waits = [detail for state, detail in states if state == ConnState.SIGN_IN_WAIT]
    assert waits and all(1 <= int(d) <= 2 for d in waits)
    assert ConnState.AUTH_FAILED not in [state for state, _ in states]

    wrong = desktop("a2", "not-the-password")
    states.clear()
    wrong.start()
    for _ in range(100):
        if states and states[-1][0] == ConnState.AUTH_FAILED:
            break
        await asyncio.sleep(0.05)
    await wrong.stop()
    assert (ConnState.AUTH_FAILED, "invalid_credentials") in states
    assert wrong.credentials.password == ""  # not kept to be tried again
