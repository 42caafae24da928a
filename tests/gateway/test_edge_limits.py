"""Connection limits over real sockets: slow readers, sockets per operator, chat floods."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from dataclasses import replace
from pathlib import Path

import pytest
import websockets

from services.gateway.operator_session import OperatorSession
from tests.gateway.conftest import RunningGateway, start_gateway
from tests.support.gateway_proc import GatewayProcess
from tests.support.opclient import ChatVisitor, OpClient
from tests.support.rawws import RawWebSocket

WRITE_LIMIT = 256 * 1024  # the server's websockets write_limit


@pytest.fixture
async def gateway_sqlite(sqlite_url: str) -> RunningGateway:  # type: ignore[misc]
    gw = await start_gateway(sqlite_url, rate_per_s=10_000.0, rate_burst=10_000)
    try:
        yield RunningGateway(gw, f"ws://127.0.0.1:{gw.port}")
    finally:
        await gw.close()


def _sessions(gateway: RunningGateway, operator_id: int) -> list[OperatorSession]:
    return [
        s
        for s in gateway.gw.limits.operator_sockets.get(operator_id, ())
        if isinstance(s, OperatorSession)
    ]


async def test_a_socket_that_does_not_read_is_closed_and_its_buffer_stays_bounded(
    gateway_sqlite: RunningGateway, caplog: pytest.LogCaptureFixture
) -> None:
    gateway = gateway_sqlite
    cap = 512 * 1024
    gateway.gw.config.send_buffer_bytes = cap
    v = await ChatVisitor.connect(gateway.url, name="Пётр")
    await v.say("Здравствуйте")
    writer = await OpClient.connect(gateway.url, "a1", "a1")
    customer = (await writer.ok("customer.search", {"query": "Пётр"}))["customers"][0]["id"]
    for n in range(8):
        await writer.ok("note.add", {"customer_id": customer, "text": f"{n} " + "ж" * 9000})
    token, a1 = writer.auth["token"], writer.auth["operator"]["id"]
    await writer.close()
    other = await OpClient.connect(gateway.url, "a2", "a2")

    raw = await RawWebSocket.connect(gateway.gw.port, "/ws/operator")
    await raw.send_json({"type": "auth", "version": 1, "token": token})
    assert (await raw.recv_json())["type"] == "auth_ok"
    (session,) = _sessions(gateway, a1)
    assert session.sender is not None
    sender = session.sender
    page = {"customer_id": customer, "limit": 200}
    most = 0
    with caplog.at_level(logging.WARNING):
        for n in range(300):  # ~150 KB a reply, ~45 MB if it were all kept
            await raw.send_json({"type": "cmd", "id": n, "name": "timeline.page", "args": page})
            transport = session.ws.transport
            buffered = transport.get_write_buffer_size() if transport is not None else 0
            most = max(most, sender.queued_bytes + buffered)
            if sender.closing:
                break
            await asyncio.sleep(0.002)
        assert sender.closing, "the gateway kept queueing for a peer that does not read"
        # Meanwhile another operator is served as usual.
        assert (await other.ok("state.snapshot"))["presence"] == "offline"
        for _ in range(200):
            transport = session.ws.transport
            buffered = transport.get_write_buffer_size() if transport is not None else 0
            most = max(most, sender.queued_bytes + buffered)
            if not _sessions(gateway, a1):
                break
            await asyncio.sleep(0.1)
    assert not _sessions(gateway, a1), "the slow socket was not closed"
    assert most <= cap + WRITE_LIMIT + 200_000, most
    assert any("does not read" in r.getMessage() for r in caplog.records)
    assert (await other.ok("state.snapshot"))["presence"] == "offline"
    raw.close()
    await other.close()
    await v.close()


async def test_sockets_per_operator_are_capped_and_the_newest_is_refused(
    gateway: RunningGateway,
) -> None:
    gateway.gw.config.operator_sockets = 2
    first = await OpClient.connect(gateway.url, "a1", "a1")
    token = first.auth["token"]
    second = await OpClient.connect(gateway.url, token=token)
    third = await OpClient.connect(gateway.url, token=token)
    assert third.auth == {
        "type": "auth_failed",
        "code": "too_many_connections",
        "message": "this operator already has 2 connections",
    }
    with pytest.raises(websockets.ConnectionClosed) as closed:
        await third.ws.recv()
    assert closed.value.rcvd is not None
    assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (4429, "too_many_connections")
    # The first two carry on; another operator is not affected; a closed slot is free again.
    assert (await first.ok("state.snapshot"))["presence"] == "offline"
    other = await OpClient.connect(gateway.url, "a2", "a2")
    assert other.auth["type"] == "auth_ok"
    await second.close()
    for _ in range(50):
        if len(gateway.gw.limits.operator_sockets[first.auth["operator"]["id"]]) < 2:
            break
        await asyncio.sleep(0.02)
    again = await OpClient.connect(gateway.url, token=token)
    assert again.auth["type"] == "auth_ok"
    for c in (first, other, again):
        await c.close()


async def _refusal(url: str) -> tuple[int, str]:
    ws = await websockets.connect(url + "/ws/chat")
    with pytest.raises(websockets.ConnectionClosed) as closed:
        await asyncio.wait_for(ws.recv(), 10)
    assert closed.value.rcvd is not None
    return closed.value.rcvd.code, closed.value.rcvd.reason


async def test_chat_sockets_are_capped_per_address_and_in_total(gateway: RunningGateway) -> None:
    limits = gateway.gw.limits
    gateway.gw.config.chat_sockets_per_address = 3
    held = [await ChatVisitor.connect(gateway.url) for _ in range(3)]
    assert await _refusal(gateway.url) == (1013, "too_many_sockets")
    limits.chat_cap = 3
    gateway.gw.config.chat_sockets_per_address = 10
    assert await _refusal(gateway.url) == (1013, "server_busy")
    # Operators are not counted against the chat caps.
    op = await OpClient.connect(gateway.url, "a1", "a1")
    assert op.auth["type"] == "auth_ok"
    await held.pop().close()
    for _ in range(50):
        if limits.chat_total < 3:
            break
        await asyncio.sleep(0.02)
    held.append(await ChatVisitor.connect(gateway.url))
    assert held[-1].welcome["type"] == "welcome"
    for v in held:
        await v.close()
    await op.close()


async def test_a_chat_socket_without_hello_is_closed_in_time(gateway: RunningGateway) -> None:
    gateway.gw.webchat.limits = replace(gateway.gw.webchat.limits, hello_timeout_s=0.3)
    async with websockets.connect(gateway.url + "/ws/chat") as ws:
        await ws.send(json.dumps({"type": "message", "id": "1", "text": "hi"}))
        assert json.loads(await ws.recv())["code"] == "not_authenticated"
        assert json.loads(await ws.recv())["code"] == "not_authenticated"  # no hello in time
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), 5)
        assert closed.value.rcvd is not None
        assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (4401, "hello timeout")
    for _ in range(50):
        if gateway.gw.limits.chat_total == 0:
            break
        await asyncio.sleep(0.02)
    assert gateway.gw.limits.chat_total == 0


async def test_new_visitors_per_address_are_rate_limited(gateway: RunningGateway) -> None:
    gateway.gw.config.chat_new_visitors_per_min = 2
    known = [await ChatVisitor.connect(gateway.url) for _ in range(2)]
    await known[0].say("Здравствуйте")  # now a customer the store knows
    ws = await websockets.connect(gateway.url + "/ws/chat")
    await ws.send(json.dumps({"type": "hello"}))
    assert json.loads(await ws.recv())["code"] == "rate_limited"
    with pytest.raises(websockets.ConnectionClosed) as closed:
        await ws.recv()
    assert closed.value.rcvd is not None
    assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (1013, "too_many_new_visitors")
    # A returning visitor is not new.
    back = await ChatVisitor.connect(gateway.url, visitor_token=known[0].visitor_token)
    assert back.welcome["type"] == "welcome" and back.welcome["history"]
    for v in [*known, back]:
        await v.close()


def test_an_operator_signs_in_during_a_chat_flood_at_the_open_files_limit(
    tmp_path: Path, sqlite_url: str
) -> None:
    env = {
        "OMNIDESK_FD_RESERVE": "100",
        "OMNIDESK_CHAT_SOCKETS_PER_ADDRESS": "1000",  # one address floods: only the total cap
        "OMNIDESK_CHAT_NEW_VISITORS_PER_MIN": "1000",
    }
    gp = GatewayProcess(tmp_path, open_files=200, env=env)
    gp.run_cli("add-operator", "ivan", "--name", "Иван", "--password", "pw-123456")
    gp.start()

    async def flood() -> tuple[int, list[tuple[int, str]], dict[str, object]]:
        held, refused = [], []
        for _ in range(250):  # more than the 200 descriptors the gateway has at all
            try:
                ws = await websockets.connect(gp.url + "/ws/chat")
            except (OSError, websockets.InvalidHandshake):
                break
            held.append(ws)
            with contextlib.suppress(websockets.ConnectionClosed):
                await ws.send(json.dumps({"type": "hello"}))
        await asyncio.sleep(0.5)
        for ws in held:
            if ws.close_code is not None:
                refused.append((ws.close_code, ws.close_reason or ""))
        op = await OpClient.connect(gp.url, "ivan", "pw-123456")
        for ws in held:
            await ws.close()
        await op.close()
        return len(held) - len(refused), refused, op.auth

    try:
        open_chats, refused, auth = asyncio.run(flood())
        assert auth["type"] == "auth_ok"
        assert refused and set(refused) == {(1013, "server_busy")}
        assert open_chats <= 100
        assert not gp.errors()
    finally:
        assert gp.stop() == 0
