"""``auth.logout`` over a real socket: the token dies, every socket on it is closed."""

from __future__ import annotations

import asyncio

from tests.gateway.conftest import RunningGateway
from tests.support.opclient import OpClient


async def test_logout_revokes_the_token_and_closes_its_sockets(gateway: RunningGateway) -> None:
    first = await OpClient.connect(gateway.url, "a1", "a1")
    token = first.auth["token"]
    second = await OpClient.connect(gateway.url, token=token)
    other_login = await OpClient.connect(gateway.url, "a1", "a1")  # a token of its own
    assert second.auth["type"] == "auth_ok"

    # No key needed: signing out twice is the same as once.
    reply = await first.cmd("auth.logout", key=None)
    assert reply == {"type": "result", "id": reply["id"], "data": {"revoked": True}}
    await asyncio.wait_for(first.ws.wait_closed(), 5)
    assert (first.ws.close_code, first.ws.close_reason) == (4401, "logged_out")
    # The other socket on the same token is closed at the gateway's next check.
    await asyncio.wait_for(second.ws.wait_closed(), 5)
    assert (second.ws.close_code, second.ws.close_reason) == (4401, "token_revoked")

    again = await OpClient.connect(gateway.url, token=token)
    assert again.auth["code"] == "token_invalid"
    # Only that token: the operator's other sign-in goes on.
    assert (await other_login.ok("state.snapshot"))["presence"] == "offline"
    await other_login.close()


async def test_logout_takes_no_arguments(gateway: RunningGateway) -> None:
    c = await OpClient.connect(gateway.url, "a1", "a1")
    reply = await c.cmd("auth.logout", {"everywhere": True})
    assert reply["code"] == "invalid_args"
    assert (await c.ok("state.snapshot"))["presence"] == "offline"  # still signed in
    await c.close()
