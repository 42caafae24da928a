"""wss:// when the gateway is given a certificate."""

from __future__ import annotations

import shutil
import ssl
import subprocess
from pathlib import Path

import httpx
import pytest
import websockets

from tests.gateway.conftest import start_gateway
from tests.support.opclient import OpClient


@pytest.fixture
def cert(tmp_path: Path) -> tuple[Path, Path]:
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a test certificate")
    crt, key = tmp_path / "gw.crt", tmp_path / "gw.key"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(crt),
        ],
        check=True,
        capture_output=True,
    )
    return crt, key


async def test_tls_gateway_serves_wss_only(tmp_path: Path, cert: tuple[Path, Path]) -> None:
    crt, key = cert
    gw = await start_gateway(
        f"sqlite:///{tmp_path / 'tls.db'}", tls_cert=str(crt), tls_key=str(key)
    )
    try:
        ctx = ssl.create_default_context(cafile=str(crt))
        ws = await websockets.connect(f"wss://127.0.0.1:{gw.port}/ws/operator", ssl=ctx)
        client = OpClient(ws)
        await ws.send('{"type": "auth", "version": 1, "username": "a1", "password": "a1"}')
        assert '"auth_ok"' in str(await ws.recv())
        await client.ws.close()
        # Plain ws:// to a TLS port does not get a session.
        with pytest.raises((websockets.InvalidMessage, ConnectionError, OSError)):
            plain = await websockets.connect(
                f"ws://127.0.0.1:{gw.port}/ws/operator", open_timeout=3
            )
            await plain.close()
        # The HTTP side uses the same certificate, and says so to browsers (HSTS).
        async with httpx.AsyncClient(verify=ctx) as http:
            health = await http.get(f"https://127.0.0.1:{gw.http_port}/healthz")
        assert health.json() == {"status": "ok"}
        assert health.headers["strict-transport-security"].startswith("max-age=")
        assert gw.addresses.chat_socket_url == f"wss://127.0.0.1:{gw.port}/ws/chat"
    finally:
        await gw.close()
