"""The operator protocol over a real socket: auth phase, framing, errors, limits."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

import pytest
import websockets
from sqlalchemy import update

from services.store.models import SessionToken, table_of, utcnow
from tests.gateway.conftest import RunningGateway
from tests.support.opclient import OpClient


async def test_password_login_gives_a_token_that_works_later(gateway: RunningGateway) -> None:
    c = await OpClient.connect(gateway.url, "a1", "a1")
    assert c.auth["type"] == "auth_ok"
    assert c.auth["operator"]["username"] == "a1"
    assert c.auth["operator"]["role"] == "agent"
    token = c.auth["token"]
    assert len(token) >= 40
    await c.close()
    again = await OpClient.connect(gateway.url, token=token)
    assert again.auth["type"] == "auth_ok"
    assert again.auth["operator"]["username"] == "a1"
    await again.close()


async def test_the_store_keeps_only_a_hash_of_the_token(gateway: RunningGateway) -> None:
    c = await OpClient.connect(gateway.url, "a1", "a1")
    token = c.auth["token"]
    await c.close()
    with gateway.gw.engine.connect() as conn:
        hashes = [r[0] for r in conn.execute(table_of(SessionToken).select())]
    assert hashes and token not in hashes


@pytest.mark.parametrize(("username", "password"), [("a1", "wrong"), ("nobody", "a1"), ("a1", "")])
async def test_wrong_credentials_are_refused(
    gateway: RunningGateway, username: str, password: str
) -> None:
    c = await OpClient.connect(gateway.url, username, password)
    assert c.auth["type"] == "auth_failed"
    assert c.auth["code"] == "invalid_credentials"
    with pytest.raises(websockets.ConnectionClosed):
        await asyncio.wait_for(c.ws.recv(), 5)


async def test_unknown_and_expired_tokens_are_refused(gateway: RunningGateway) -> None:
    bad = await OpClient.connect(gateway.url, token="not-a-token")
    assert bad.auth == {
        "type": "auth_failed",
        "code": "token_invalid",
        "message": "unknown or revoked token",
    }
    c = await OpClient.connect(gateway.url, "a1", "a1")
    token = c.auth["token"]
    await c.close()
    with gateway.gw.engine.begin() as conn:
        conn.execute(
            update(table_of(SessionToken)).values(expires_at=utcnow() - timedelta(minutes=1))
        )
    expired = await OpClient.connect(gateway.url, token=token)
    assert expired.auth["type"] == "auth_failed"
    assert expired.auth["code"] == "token_expired"


async def test_commands_before_auth_are_refused(gateway: RunningGateway) -> None:
    async with websockets.connect(gateway.url + "/ws/operator") as ws:
        await ws.send(json.dumps({"type": "cmd", "id": 1, "name": "state.snapshot"}))
        reply = json.loads(await ws.recv())
        assert reply["type"] == "auth_failed"
        assert reply["code"] == "not_authenticated"


async def test_wrong_protocol_version_is_refused(gateway: RunningGateway) -> None:
    async with websockets.connect(gateway.url + "/ws/operator") as ws:
        await ws.send(
            json.dumps({"type": "auth", "version": 99, "username": "a1", "password": "a1"})
        )
        reply = json.loads(await ws.recv())
        assert reply["code"] == "unsupported_version"


async def test_malformed_frames_get_error_codes_and_the_session_survives(
    gateway: RunningGateway,
) -> None:
    c = await OpClient.connect(gateway.url, "a1", "a1")
    bad_frames = [
        "not json at all",
        "[1, 2, 3]",
        '{"no_type": true}',
        '{"type": "teleport"}',
        '{"type": "cmd"}',
        b"\xff\xfe\x00binary",
    ]
    for raw in bad_frames:
        await c.send_raw(raw)
    replies = await c.wait(lambda: c.other if len(c.other) >= len(bad_frames) else None)
    codes = [r["code"] for r in replies]
    assert all(r["type"] == "error" for r in replies)
    assert set(codes) <= {"bad_frame", "unknown_type"}
    assert "unknown_type" in codes
    # Still alive and serving.
    snap = await c.ok("state.snapshot")
    assert snap["presence"] == "offline"
    await c.close()


async def test_unknown_command_invalid_args_and_missing_key(gateway: RunningGateway) -> None:
    c = await OpClient.connect(gateway.url, "a1", "a1")
    r = await c.cmd("launch.rockets")
    assert (r["type"], r["code"]) == ("error", "unknown_command")
    r = await c.cmd("presence.set", {"status": "asleep"})
    assert r["code"] == "invalid_args"
    r = await c.cmd("presence.set", {"status": "available", "extra": 1})
    assert r["code"] == "invalid_args"
    r = await c.cmd("presence.set", {"status": "available"}, key=None)
    assert r["code"] == "missing_idempotency_key"
    r = await c.cmd("customer.open", {"customer_id": 999_999}, key=None)
    assert r["code"] == "not_found"
    await c.close()


async def test_oversized_frame_gets_an_error_and_a_huge_one_closes(
    gateway: RunningGateway,
) -> None:
    c = await OpClient.connect(gateway.url, "a1", "a1")
    big = json.dumps(
        {
            "type": "cmd",
            "id": 7,
            "name": "note.add",
            "args": {"customer_id": 1, "text": "x" * 100_000},
            "key": "k",
        }
    )
    await c.send_raw(big)
    err = await c.wait(lambda: c.results.get(7))
    assert (err["type"], err["code"]) == ("error", "frame_too_large")
    assert (await c.ok("state.snapshot"))["presence"] == "offline"
    await c.send_raw("x" * (2 * 1024 * 1024))
    with pytest.raises(websockets.ConnectionClosed) as closed:
        for _ in range(50):
            await c.ws.send("{}")
            await asyncio.sleep(0.05)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1009
    # The gateway itself carries on.
    other = await OpClient.connect(gateway.url, "a2", "a2")
    assert other.auth["type"] == "auth_ok"
    await other.close()


async def test_rate_limit_answers_rate_limited(gateway: RunningGateway) -> None:
    gateway.gw.config.rate_per_s = 1.0
    gateway.gw.config.rate_burst = 5
    c = await OpClient.connect(gateway.url, "a1", "a1")
    replies = await asyncio.gather(*(c.cmd("state.snapshot", key=None) for _ in range(12)))
    codes = [r.get("code") for r in replies]
    assert codes.count("rate_limited") >= 6
    assert sum(1 for r in replies if r["type"] == "result") >= 5
    await c.close()


async def test_browser_origin_must_be_allow_listed(gateway: RunningGateway) -> None:
    with pytest.raises(websockets.InvalidStatus) as exc:
        await websockets.connect(gateway.url + "/ws/operator", origin="https://evil.example")  # type: ignore[arg-type]
    assert exc.value.response.status_code == 403
    # The gateway's own chat page is on its HTTP side.
    ok = await websockets.connect(gateway.url + "/ws/chat", origin=gateway.http_url)  # type: ignore[arg-type]
    await ok.close()


async def test_unknown_paths_on_the_socket_listener(gateway: RunningGateway) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", gateway.gw.port)
    writer.write(b"GET /nothing HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    data = await reader.read()
    writer.close()
    assert data.startswith(b"HTTP/1.1 404")
