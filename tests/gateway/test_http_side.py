"""The HTTP side (uvicorn + Litestar on the gateway's loop) and the websockets listener's edges."""

from __future__ import annotations

import asyncio
import contextlib
import re
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar import get

from services.gateway.server import Gateway
from tests.gateway.conftest import RunningGateway, start_gateway
from tests.support.opclient import OpClient

HANDSHAKE = (
    "GET {path} HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
    "{extra}\r\n"
)


async def raw_request(port: int, text: str) -> tuple[str, dict[str, str]]:
    """What the listener answers to a request written by hand (Host and Origin are ours)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(text.encode())
    await writer.drain()
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
    writer.close()
    status, *lines = head.decode().split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (ln.partition(":") for ln in lines if ln)}
    return status, headers


async def handshake(port: int, *, host: str, origin: str | None, path: str = "/ws/chat") -> str:
    extra = f"Origin: {origin}\r\n" if origin is not None else ""
    status, _ = await raw_request(port, HANDSHAKE.format(path=path, host=host, extra=extra))
    return status


@pytest.fixture
async def http(gateway: RunningGateway) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=gateway.http_url, timeout=10) as client:
        yield client


# -- one story for plain HTTP ----------------------------------------------------------------------
async def test_the_websockets_listener_serves_only_the_sockets(gateway: RunningGateway) -> None:
    port = gateway.gw.port
    for path in ("/healthz", "/chat/", "/chat/widget.js", "/api/schema"):
        status, headers = await raw_request(
            port, f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
        )
        assert status.startswith("HTTP/1.1 404"), (path, status)
        assert int(headers["content-length"]) < 20 and "server" not in headers
    # A socket handshake answers without a Server header either.
    status, headers = await raw_request(
        port, HANDSHAKE.format(path="/ws/operator", host=f"127.0.0.1:{port}", extra="")
    )
    assert status.startswith("HTTP/1.1 101") and "server" not in headers


async def test_health_and_chat_are_on_the_http_side(
    gateway: RunningGateway, http: httpx.AsyncClient
) -> None:
    health = await http.get("/healthz")
    assert health.status_code == 200 and health.json() == {"status": "ok"}
    page = await http.get("/chat/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "widget.js" in page.text
    no_slash = await http.get("/chat")
    assert no_slash.status_code == 200 and "/chat/widget.js" in no_slash.text
    for response in (health, page, await http.get("/nothing"), await http.get("/chat/widget.js")):
        assert "server" not in response.headers  # no versions on the HTTP side either
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "no-referrer"
        assert "content-security-policy" in response.headers


async def test_the_served_widget_knows_where_the_socket_is(
    gateway: RunningGateway, http: httpx.AsyncClient
) -> None:
    script = await http.get("/chat/widget.js")
    assert script.status_code == 200
    assert script.headers["content-type"].startswith("text/javascript")
    assert f'var servedSocketUrl = "ws://127.0.0.1:{gateway.gw.port}/ws/chat";' in script.text
    # A shop's page loads it (and the stylesheet) from another origin.
    assert script.headers["cross-origin-resource-policy"] == "cross-origin"
    css = await http.get("/chat/widget.css")
    assert css.headers["cross-origin-resource-policy"] == "cross-origin"
    assert css.headers["content-type"].startswith("text/css")


async def test_the_chat_page_has_a_strict_content_security_policy(db_url: str) -> None:
    gw = await start_gateway(db_url, http_port=0, allowed_origins=["https://shop.example.ru"])
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{gw.http_port}") as http:
            first, second = await http.get("/chat/"), await http.get("/chat/index.html")
    finally:
        await gw.close()
    policy = _directives(first.headers["content-security-policy"])
    nonce = _nonce(first)
    assert nonce != _nonce(second)  # a fresh nonce per response
    assert policy["default-src"] == ["'none'"]
    assert policy["script-src"] == ["'self'"]  # no inline script at all
    assert policy["style-src"] == ["'self'", f"'nonce-{nonce}'"]
    # The chat socket, and the HTTP side itself (the widget uploads files there).
    assert policy["connect-src"] == [
        f"ws://127.0.0.1:{gw.port}",
        f"http://127.0.0.1:{gw.http_port}",
    ]
    assert policy["frame-ancestors"] == ["'self'", "https://shop.example.ru"]
    assert policy["base-uri"] == ["'none'"] and policy["form-action"] == ["'none'"]
    assert first.text.count(f'nonce="{nonce}"') == 2  # its stylesheet and the widget's script
    assert first.headers["x-content-type-options"] == "nosniff"
    assert "x-frame-options" not in first.headers  # frame-ancestors says who may frame it


async def test_json_answers_are_locked_down(http: httpx.AsyncClient) -> None:
    for response in (await http.get("/healthz"), await http.get("/nothing")):
        policy = _directives(response.headers["content-security-policy"])
        assert policy["default-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["cache-control"] == "no-store"
        assert response.headers["cross-origin-resource-policy"] == "same-origin"
    assert (await http.get("/nothing")).status_code == 404


async def test_openapi_schema_and_docs(http: httpx.AsyncClient) -> None:
    schema = await http.get("/api/schema/openapi.json")
    assert schema.status_code == 200
    doc = schema.json()
    assert doc["info"]["title"] == "OmniDesk gateway"
    assert "/healthz" in doc["paths"]
    # Pages are not API; the widget's upload is.
    assert [p for p in doc["paths"] if p.startswith("/chat")] == ["/chat/files"]
    assert {"/files", "/files/{file_id}/{part}"} <= set(doc["paths"])
    docs = await http.get("/api/schema")
    assert docs.status_code == 200 and "swagger" in docs.text.lower()
    assert "https://cdn.jsdelivr.net" in docs.headers["content-security-policy"]


async def test_adapters_add_their_routes_to_the_http_side(db_url: str) -> None:
    @get("/webhooks/example", sync_to_thread=False)
    def example_webhook() -> dict[str, str]:
        return {"received": "yes"}

    gw = await start_gateway(db_url, http_port=0, http_routes=[example_webhook])
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{gw.http_port}") as http:
            answer = await http.get("/webhooks/example")
            schema = (await http.get("/api/schema/openapi.json")).json()
    finally:
        await gw.close()
    assert answer.json() == {"received": "yes"}
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert "/webhooks/example" in schema["paths"]


async def test_a_failing_route_is_a_500_with_the_headers_and_a_log_line(
    db_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    @get("/webhooks/broken", sync_to_thread=False)
    def broken_webhook() -> dict[str, str]:
        raise RuntimeError("the provider sent something odd")

    gw = await start_gateway(db_url, http_port=0, http_routes=[broken_webhook])
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{gw.http_port}") as http:
            answer = await http.get("/webhooks/broken?phone=%2B79160000000")
    finally:
        await gw.close()
    assert answer.status_code == 500 and "odd" not in answer.text
    assert answer.headers["x-content-type-options"] == "nosniff"
    failures = [r for r in caplog.records if r.getMessage() == "HTTP handler failed"]
    assert failures and failures[0].path == "/webhooks/broken"  # type: ignore[attr-defined]
    assert "79160000000" not in caplog.text


async def test_closing_the_gateway_closes_the_http_side(db_url: str) -> None:
    gw = await start_gateway(db_url, http_port=0)
    port = gw.http_port
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
        assert (await http.get("/healthz")).status_code == 200
    await gw.close()
    with pytest.raises(OSError):
        _, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.close()


# -- item 8: the Origin check trusts configuration, never the request ----------------------------
async def test_origin_equal_to_host_is_refused_for_a_name_of_the_attackers(
    gateway: RunningGateway,
) -> None:
    """DNS rebinding: the attacker's name points at the gateway, so Origin and Host agree."""
    port = gateway.gw.port
    for path in ("/ws/chat", "/ws/operator"):
        for name in (f"rebind.attacker.example:{port}", "rebind.attacker.example"):
            status = await handshake(port, host=name, origin=f"http://{name}", path=path)
            assert status.startswith("HTTP/1.1 403"), (path, name, status)
    # Not even the socket listener's own address: no page of the gateway is served there.
    own_socket = f"127.0.0.1:{port}"
    assert (await handshake(port, host=own_socket, origin=f"http://{own_socket}")).startswith(
        "HTTP/1.1 403"
    )


async def test_the_gateways_own_pages_and_the_allow_list_may_connect(db_url: str) -> None:
    gw = await start_gateway(db_url, http_port=0, allowed_origins=["https://Shop.Example.ru/"])
    try:
        port, host = gw.port, "attacker.example"  # the Host header does not matter either way
        for page in (f"http://127.0.0.1:{gw.http_port}", f"http://localhost:{gw.http_port}"):
            assert (await handshake(port, host=host, origin=page)).startswith("HTTP/1.1 101")
        allowed = await handshake(port, host=host, origin="https://shop.example.ru")
        assert allowed.startswith("HTTP/1.1 101")
        assert (await handshake(port, host=host, origin=None)).startswith("HTTP/1.1 101")
        for page in ("https://shop.example.ru.attacker.example", "null", "http://127.0.0.1"):
            assert (await handshake(port, host=host, origin=page)).startswith("HTTP/1.1 403")
    finally:
        await gw.close()


async def test_a_configured_public_url_is_the_only_own_origin(db_url: str) -> None:
    gw = await start_gateway(
        db_url,
        http_port=0,
        http_public_url="https://omnidesk.example.ru:443/",
        http_socket_url="wss://omnidesk.example.ru/sockets",
    )
    try:
        port = gw.port
        own = await handshake(port, host="x", origin="https://omnidesk.example.ru")
        assert own.startswith("HTTP/1.1 101")
        loopback = await handshake(port, host="x", origin=f"http://127.0.0.1:{gw.http_port}")
        assert loopback.startswith("HTTP/1.1 403")
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{gw.http_port}") as http:
            script = (await http.get("/chat/widget.js")).text
            page = await http.get("/chat/")
        assert 'var servedSocketUrl = "wss://omnidesk.example.ru/sockets/ws/chat";' in script
        policy = _directives(page.headers["content-security-policy"])
        assert policy["connect-src"] == ["wss://omnidesk.example.ru", "https://omnidesk.example.ru"]
    finally:
        await gw.close()


# -- item 12: /healthz says up or down, the figures only with a bearer token --------------------
FIGURES = {"epoch", "operators_online", "open_conversations", "writer"}


async def test_health_without_credentials_is_only_up_or_down(
    gateway: RunningGateway, http: httpx.AsyncClient
) -> None:
    op = await OpClient.connect(gateway.url, "a1", "a1")  # somebody is online
    try:
        answer = await http.get("/healthz")
    finally:
        await op.close()
    assert answer.status_code == 200 and answer.json() == {"status": "ok"}


async def test_health_figures_for_a_supervisor_but_not_an_agent(
    gateway: RunningGateway, http: httpx.AsyncClient
) -> None:
    lead = await OpClient.connect(gateway.url, "lead", "lead")
    agent = await OpClient.connect(gateway.url, "a1", "a1")
    try:
        await agent.ok("presence.set", {"status": "available"})
        figures = await http.get("/healthz", headers=_bearer(lead.auth["token"]))
        refused = await http.get("/healthz", headers=_bearer(agent.auth["token"]))
    finally:
        await lead.close()
        await agent.close()
    assert figures.status_code == 200
    body = figures.json()
    assert body["status"] == "ok" and set(body) >= FIGURES
    assert body["operators_online"] >= 1 and body["epoch"] == gateway.gw.store.epoch
    assert refused.status_code == 403 and refused.json()["error"] == "forbidden"
    assert not FIGURES & set(refused.json())


async def test_health_figures_with_the_monitoring_token(db_url: str) -> None:
    secret = "monitoring-" + "x" * 32
    gw = await start_gateway(db_url, http_port=0, http_monitoring_token=secret)
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{gw.http_port}") as http:
            good = await http.get("/healthz", headers=_bearer(secret))
            wrong = await http.get("/healthz", headers=_bearer(secret + "y"))
            basic = await http.get("/healthz", headers={"Authorization": "Basic Zm9vOmJhcg=="})
    finally:
        await gw.close()
    assert good.status_code == 200 and set(good.json()) >= FIGURES
    for refused in (wrong, basic):
        assert refused.status_code == 401
        assert refused.json()["error"] == "token_invalid"
        assert refused.headers["www-authenticate"] == "Bearer"
        assert not FIGURES & set(refused.json())


async def test_health_refuses_an_expired_or_revoked_session(
    gateway: RunningGateway, http: httpx.AsyncClient
) -> None:
    from datetime import timedelta

    from sqlalchemy import update

    from services import auth
    from services.store.models import SessionToken, table_of, utcnow

    lead = await OpClient.connect(gateway.url, "lead", "lead")
    token = lead.auth["token"]
    await lead.close()
    tokens = table_of(SessionToken)
    digest = auth.token_digest(token)

    def expire(conn: Any) -> None:
        conn.execute(
            update(tokens)
            .where(tokens.c.token_hash == digest)
            .values(expires_at=utcnow() - timedelta(minutes=1))
        )
        conn.commit()

    await gateway.gw.store.read(expire)
    expired = await http.get("/healthz", headers=_bearer(token))
    assert expired.status_code == 401 and expired.json()["error"] == "token_expired"


async def test_health_is_503_when_the_store_is_not_usable(tmp_path: Path) -> None:
    db_file = tmp_path / "store" / "gateway.db"
    gw = await start_gateway(f"sqlite:///{db_file}", http_port=0)
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{gw.http_port}") as http:
            assert (await http.get("/healthz")).status_code == 200
            # The disk under the store goes away: new connections cannot open it.
            shutil.rmtree(db_file.parent)
            db_file.mkdir(parents=True)
            gw.store.engine.dispose()
            down = await http.get("/healthz")
    finally:
        await _close_broken(gw)
    assert down.status_code == 503 and down.json() == {"status": "unavailable"}


async def _close_broken(gw: Gateway) -> None:
    with contextlib.suppress(Exception):  # the store cannot be closed cleanly: it is gone
        await gw.close()


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _directives(policy: str) -> dict[str, list[str]]:
    out = {}
    for part in policy.split(";"):
        name, *values = part.split()
        out[name] = values
    return out


def _nonce(page: Any) -> str:
    found = re.search(r"'nonce-([^']+)'", page.headers["content-security-policy"])
    assert found is not None
    return found.group(1)
