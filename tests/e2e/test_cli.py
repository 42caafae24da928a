"""The ``omnidesk-gateway`` command as IT runs it."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from tests.support.gateway_proc import ROOT, GatewayProcess
from tests.support.opclient import OpClient

pytestmark = pytest.mark.e2e


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "services.cli", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    "command",
    [
        "serve",
        "migrate",
        "seed-demo",
        "add-operator",
        "revoke-tokens",
        "deactivate-operator",
        "activate-operator",
        "add-queue",
        "update-queue",
        "list-queues",
        "canned import",
        "canned list",
        "demo",
    ],
)
def test_every_command_has_help(command: str) -> None:
    r = cli(*command.split(), "--help")
    assert r.returncode == 0
    assert "--config" in r.stdout and "--database-url" in r.stdout


def test_top_level_help_lists_commands() -> None:
    r = cli("--help")
    assert r.returncode == 0
    for word in ("serve", "seed-demo", "migrate", "add-operator", "demo", "OMNIDESK_"):
        assert word in r.stdout


def test_canned_import_and_list_with_one_clear_line_for_a_bad_file(tmp_path: Path) -> None:
    data = ["--data-dir", str(tmp_path)]
    assert cli("canned", "list", *data).stdout.startswith("no team canned responses yet")
    good = tmp_path / "canned.toml"
    good.write_text(
        '[[responses]]\nshortcut = "hello"\nlanguage = "en"\ntitle = "Hello"\n'
        'text = "Hello {customer.first_name}!"\n',
        encoding="utf-8",
    )
    r = cli("canned", "import", str(good), *data)
    assert r.returncode == 0, r.stderr
    assert "1 added, 0 changed" in r.stdout
    assert cli("canned", "list", *data).stdout.strip() == "en  /hello  Hello"
    bad = tmp_path / "canned.json"
    bad.write_text('[{"shortcut": "hi", "language": "de", "title": "Hi", "text": "Hi"}]')
    r = cli("canned", "import", str(bad), *data)
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert r.stderr.strip().splitlines()[-1] == (
        "omnidesk-gateway: response 1 (/hi): bad language 'de': one of ru, en"
    )


def test_seed_demo_once_and_a_clear_refusal_the_second_time(tmp_path: Path) -> None:
    first = cli("seed-demo", "--data-dir", str(tmp_path), "--customers", "20")
    assert first.returncode == 0, first.stderr
    assert "customers 20" in first.stdout
    second = cli("seed-demo", "--data-dir", str(tmp_path))
    assert second.returncode == 1
    assert "already" in second.stderr.lower()


def test_bad_config_file_is_reported_not_a_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "gw.toml"
    bad.write_text("[gateway]\nport = 'x'\n")
    r = cli("migrate", "--config", str(bad))
    assert r.returncode == 2
    assert "gateway.port" in r.stderr and "Traceback" not in r.stderr


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as answer:
        return str(answer.read().decode())


def test_add_operator_then_sign_in(tmp_path: Path) -> None:
    r = cli(
        "add-operator",
        "ivan",
        "--name",
        "Иван",
        "--password",
        "pw-123456",
        "--skills",
        "general,sales",
        "--data-dir",
        str(tmp_path),
    )
    assert r.returncode == 0, r.stderr
    gp = GatewayProcess(tmp_path).start()
    try:

        async def login() -> dict[str, object]:
            c = await OpClient.connect(gp.url, "ivan", "pw-123456")
            await c.close()
            return c.auth

        auth = asyncio.run(login())
        assert auth["type"] == "auth_ok"
        assert auth["operator"]["skills"] == ["general", "sales"]  # type: ignore[index]
    finally:
        assert gp.stop() == 0


async def test_demo_seeds_simulates_and_stops_cleanly(tmp_path: Path) -> None:
    gp = GatewayProcess(tmp_path, subcommand="demo", extra_args=["--simulate", "20"])
    gp.start(timeout=60)
    try:
        # It says where the web chat and the health check are: on the HTTP side.
        printed = gp.log_path.read_text()
        assert f"web chat at {gp.http_url}/chat/" in printed
        assert f"health at {gp.http_url}/healthz" in printed
        page = await asyncio.to_thread(_get, f"{gp.http_url}/chat/")
        assert "widget.js" in page
        op = await OpClient.connect(gp.url, "agent", "agent")
        assert op.auth["type"] == "auth_ok"
        await op.ok("presence.set", {"status": "available"})
        offer = await op.event("conversation.offered", timeout=20)
        conv = offer["data"]["conversation"]
        await op.ok("conversation.accept", {"conversation_id": conv["id"]})
        card = await op.ok("customer.open", {"customer_id": conv["customer_id"]})
        assert card["timeline"]["items"], "the simulated touchpoint is on the feed"
        # Replies on simulated channels are accepted and delivered in the demo.
        channel = conv["channel"]
        if channel != "voice":
            sent = await op.ok(
                "message.send",
                {"customer_id": conv["customer_id"], "channel": channel, "text": "Добрый день!"},
            )
            await op.event("message.delivery", event_id=sent["item"]["id"], timeout=10)
        await op.close()
    finally:
        code = gp.stop()
    assert code == 0
    assert gp.errors() == []
