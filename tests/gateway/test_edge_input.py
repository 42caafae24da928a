"""Bad input at both sockets' edges: a clear error code, the command's id, nothing lost.

Every case here once crashed a handler (internal_error, or the socket closed with 1011) or was
answered without the id the client waits on.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from typing import Any

import pytest
import websockets

from tests.gateway.conftest import RunningGateway
from tests.support.opclient import ChatVisitor, OpClient

TOO_BIG_ID = 2**63
DEEP = "[" * 10_000 + "]" * 10_000


async def _customer(gateway: RunningGateway) -> int:
    """A customer made by a web-chat visitor, whom nobody serves yet."""
    v = await ChatVisitor.connect(gateway.url, name="Пётр")
    assert (await v.say("Здравствуйте"))["type"] == "ack"
    await v.close()
    op = await OpClient.connect(gateway.url, "lead", "lead")
    found = await op.ok("customer.search", {"query": "Пётр"})
    await op.close()
    return int(found["customers"][0]["id"])


async def _raw_reply(c: OpClient, frame: str | bytes, cmd_id: int) -> dict[str, Any]:
    await c.send_raw(frame)
    return await c.wait(lambda: c.results.get(cmd_id))  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("customer.open", {"customer_id": TOO_BIG_ID}),
        ("timeline.page", {"customer_id": 1, "before": TOO_BIG_ID}),
        ("timeline.page", {"customer_id": 1, "limit": 10**30}),
        ("customer.open", {"customer_id": True}),
        ("customer.open", {"customer_id": 0}),
        ("customer.search", {"query": "x" * 60_000}),
        ("customer.search", {"query": "ab\u0000cd"}),
        ("note.add", {"customer_id": 1, "text": "\u0000"}),
        ("conversation.accept", {"conversation_id": -(2**70)}),
    ],
)
async def test_out_of_range_long_and_nul_args_are_invalid_args(
    gateway: RunningGateway, name: str, args: dict[str, Any]
) -> None:
    c = await OpClient.connect(gateway.url, "a1", "a1")
    reply = await c.cmd(name, args)
    assert (reply["type"], reply["code"]) == ("error", "invalid_args"), reply
    assert (await c.ok("state.snapshot"))["presence"] == "offline"
    await c.close()


async def test_a_nul_in_a_message_send_stores_nothing(gateway: RunningGateway) -> None:
    customer = await _customer(gateway)
    c = await OpClient.connect(gateway.url, "a1", "a1")
    args = {"customer_id": customer, "channel": "webchat", "text": "до\u0000свидания"}
    assert (await c.cmd("message.send", args))["code"] == "invalid_args"
    items = (await c.ok("timeline.page", {"customer_id": customer}))["items"]
    assert [i["body"] for i in items] == ["Здравствуйте"]
    # The text "\u0000" (an escaped backslash) is ordinary text.
    literal = {"customer_id": customer, "channel": "webchat", "text": "a \\u0000 b"}
    sent = await c.ok("message.send", literal)
    assert sent["item"]["body"] == "a \\u0000 b"
    await c.close()


async def test_json_nested_ten_thousand_deep_is_answered_with_the_id(
    gateway: RunningGateway,
) -> None:
    c = await OpClient.connect(gateway.url, "a1", "a1")
    frame = f'{{"type": "cmd", "id": 41, "name": "state.snapshot", "args": {{"x": {DEEP}}}}}'
    reply = await _raw_reply(c, frame, 41)
    assert (reply["type"], reply["code"]) == ("error", "invalid_args")
    await c.send_raw(f'{{"type": "cmd", "x": {DEEP}}}')
    error = await c.wait_other("error")
    assert error["code"] == "bad_frame" and "id" not in error
    assert (await c.ok("state.snapshot"))["presence"] == "offline"
    await c.close()


async def test_a_deep_auth_frame_is_refused_cleanly(gateway: RunningGateway) -> None:
    async with websockets.connect(gateway.url + "/ws/operator") as ws:
        await ws.send(f'{{"type": "auth", "version": 1, "client": {DEEP}}}')
        reply = json.loads(await ws.recv())
        assert (reply["type"], reply["code"]) == ("auth_failed", "bad_frame")
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await ws.recv()
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 4400


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ({"type": "cmd", "id": 5, "name": "state.snapshot", "args": [1]}, "invalid_args"),
        ({"type": "cmd", "id": 5, "name": "state.snapshot", "args": "x"}, "invalid_args"),
        ({"type": "cmd", "id": 5, "name": "presence.set", "key": 17}, "bad_frame"),
        ({"type": "cmd", "id": 5, "args": {}}, "bad_frame"),
        ({"type": "cmd", "id": 5, "name": 3}, "bad_frame"),
    ],
)
async def test_a_mistyped_command_frame_is_answered_with_its_id(
    gateway: RunningGateway, frame: dict[str, Any], code: str
) -> None:
    c = await OpClient.connect(gateway.url, "a1", "a1")
    reply = await _raw_reply(c, json.dumps(frame), 5)
    assert (reply["type"], reply["code"]) == ("error", code)
    await c.close()


async def test_binary_frames_are_refused_and_not_run(gateway: RunningGateway) -> None:
    c = await OpClient.connect(gateway.url, "a1", "a1")
    cmd = {"type": "cmd", "id": 3, "name": "presence.set", "args": {"status": "break"}, "key": "k"}
    await c.send_raw(json.dumps(cmd).encode())
    error = await c.wait_other("error")
    assert error["code"] == "bad_frame" and "text" in error["message"]
    assert (await c.ok("state.snapshot"))["presence"] == "offline"
    await c.close()
    async with websockets.connect(gateway.url + "/ws/operator") as ws:
        await ws.send(json.dumps({"type": "auth", "version": 1, "token": "x"}).encode())
        reply = json.loads(await ws.recv())
        assert (reply["type"], reply["code"]) == ("auth_failed", "bad_frame")


async def test_the_frame_limit_counts_bytes_not_characters(gateway: RunningGateway) -> None:
    gateway.gw.config.max_frame_bytes = 1000
    c = await OpClient.connect(gateway.url, "a1", "a1")
    # 600 Cyrillic letters: under 1,000 characters, over 1,000 bytes.
    frame = json.dumps(
        {"type": "cmd", "id": 9, "name": "customer.search", "args": {"query": "я" * 600}},
        ensure_ascii=False,
    )
    assert len(frame) < 1000 < len(frame.encode())
    reply = await _raw_reply(c, frame, 9)
    assert reply["code"] == "frame_too_large" and "1000 bytes" in reply["message"]
    await c.close()


async def test_unreadable_frames_take_rate_limit_tokens(gateway: RunningGateway) -> None:
    gateway.gw.config.rate_per_s = 0.1
    gateway.gw.config.rate_burst = 3
    gateway.gw.config.max_frame_bytes = 1000
    c = await OpClient.connect(gateway.url, "a1", "a1")
    for frame in ["not json", "x" * 2000, b"\x00binary", "[]"]:
        await c.send_raw(frame)
    replies = await c.wait(lambda: c.other if len(c.other) >= 4 else None)
    assert [r["code"] for r in replies][3] == "rate_limited"
    reply = await c.cmd("state.snapshot")
    assert (reply["type"], reply["code"]) == ("error", "rate_limited")
    await c.close()


# -- web chat ---------------------------------------------------------------------------------


async def _chat_reply(v: ChatVisitor, frame: str | bytes) -> dict[str, Any]:
    await v.ws.send(frame)
    return await v.recv_type("error", "ack")


@pytest.mark.parametrize(
    "frame",
    [
        {"type": "read", "event_id": True},
        {"type": "read", "event_id": TOO_BIG_ID},
        {"type": "delivered", "event_id": "2"},
        {"type": "delivered"},
        {"type": "identify", "phone": 79165551234},
        {"type": "message", "id": "m-1", "text": "при\u0000вет"},
        {"type": "identify", "name": "И\u0000ван"},
    ],
)
async def test_malformed_chat_frames_are_answered_invalid_args(
    gateway: RunningGateway, frame: dict[str, Any]
) -> None:
    v = await ChatVisitor.connect(gateway.url)
    reply = await _chat_reply(v, json.dumps(frame))
    assert (reply["type"], reply["code"]) == ("error", "invalid_args"), reply
    if frame["type"] == "message":
        assert reply["id"] == "m-1"
    assert (await v.say("ещё здесь"))["type"] == "ack"
    await v.close()


async def test_chat_refuses_binary_deep_and_oversized_frames(gateway: RunningGateway) -> None:
    v = await ChatVisitor.connect(gateway.url)
    message = {"type": "message", "id": "b-1", "text": "hi"}
    assert (await _chat_reply(v, json.dumps(message).encode()))["code"] == "bad_frame"
    nested = "[" * 5000 + "]" * 5000  # within the 16 KiB chat frame
    deep = f'{{"type": "message", "id": "d-1", "text": {nested}}}'
    reply = await _chat_reply(v, deep)
    assert (reply["code"], reply["id"]) == ("bad_frame", "d-1")
    # 9,000 Cyrillic letters: under 16,384 characters, over 16,384 bytes.
    big = json.dumps({"type": "message", "id": "l-1", "text": "я" * 9000}, ensure_ascii=False)
    reply = await _chat_reply(v, big)
    assert (reply["code"], reply["id"]) == ("frame_too_large", "l-1")
    assert (await v.say("после всего"))["type"] == "ack"
    await v.close()


async def test_unreadable_chat_frames_take_rate_limit_tokens(gateway: RunningGateway) -> None:
    gateway.gw.webchat.limits = replace(gateway.gw.webchat.limits, rate_per_s=0.1, rate_burst=3)
    v = await ChatVisitor.connect(gateway.url)  # the hello takes one token
    codes = [(await _chat_reply(v, raw))["code"] for raw in ["nope", b"\x01", "[]"]]
    assert codes == ["bad_frame", "bad_frame", "rate_limited"]
    await v.close()


async def test_a_chat_receipt_still_works(gateway: RunningGateway) -> None:
    await asyncio.sleep(0)
    v = await ChatVisitor.connect(gateway.url)
    await v.ws.send(json.dumps({"type": "read", "event_id": 12345}))
    reply = await _chat_reply(v, json.dumps({"type": "nope"}))
    assert reply["code"] == "unknown_type"  # the receipt itself had no answer
    await v.close()
