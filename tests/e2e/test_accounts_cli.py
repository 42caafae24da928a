"""Accounts and queues from the real ``omnidesk-gateway`` CLI, against a running gateway
process on the same store: revoke and deactivate sign open desktops out within seconds, new
and changed queues are used without a restart, bad input is one clear line."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.gateway_proc import ROOT, GatewayProcess
from tests.support.opclient import ChatVisitor, OpClient

pytestmark = pytest.mark.e2e

# The gateway checks the store every 2 s; a live session must be gone well within this.
CLOSED_WITHIN_S = 5.0


def cli(data_dir: Path, database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    db = ["--data-dir", str(data_dir)] + (["--database-url", database_url] if database_url else [])
    return subprocess.run(
        [sys.executable, "-m", "services.cli", *args, *db],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture
def store_url(db_url: str) -> str:
    """The run's database for PostgreSQL; "" lets the CLI and gateway share the SQLite file in
    the data folder."""
    return "" if db_url.startswith("sqlite") else db_url


@pytest.fixture
def gateway_with_ivan(tmp_path: Path, store_url: str) -> Iterator[GatewayProcess]:
    added = cli(tmp_path, store_url, "add-operator", "ivan", "--password", "pw-ivan-1")
    assert added.returncode == 0, added.stderr
    gp = GatewayProcess(tmp_path, database_url=store_url).start()
    try:
        yield gp
    finally:
        assert gp.stop() == 0
        assert gp.errors() == []


async def closed_within(client: OpClient, seconds: float) -> tuple[int | None, str | None, float]:
    started = time.monotonic()
    await asyncio.wait_for(client.ws.wait_closed(), seconds)
    return client.ws.close_code, client.ws.close_reason, time.monotonic() - started


async def test_revoke_tokens_signs_out_a_live_session(
    gateway_with_ivan: GatewayProcess, tmp_path: Path, store_url: str
) -> None:
    gp = gateway_with_ivan
    desk = await OpClient.connect(gp.url, "ivan", "pw-ivan-1")
    token = desk.auth["token"]
    revoked = await asyncio.to_thread(cli, tmp_path, store_url, "revoke-tokens", "ivan")
    assert revoked.returncode == 0, revoked.stderr
    assert "1 session(s) revoked" in revoked.stdout
    code, reason, _ = await closed_within(desk, CLOSED_WITHIN_S)
    assert (code, reason) == (4401, "token_revoked")
    assert (await OpClient.connect(gp.url, token=token)).auth["code"] == "token_invalid"
    # The password still works: revoking is signing out, not locking out.
    again = await OpClient.connect(gp.url, "ivan", "pw-ivan-1")
    assert again.auth["type"] == "auth_ok"
    await again.close()


async def test_deactivate_signs_out_and_refuses_then_activate_lets_in(
    gateway_with_ivan: GatewayProcess, tmp_path: Path, store_url: str
) -> None:
    gp = gateway_with_ivan
    desk = await OpClient.connect(gp.url, "ivan", "pw-ivan-1")
    token = desk.auth["token"]
    done = await asyncio.to_thread(cli, tmp_path, store_url, "deactivate-operator", "ivan")
    assert done.returncode == 0, done.stderr
    code, reason, _ = await closed_within(desk, CLOSED_WITHIN_S)
    assert (code, reason) == (4401, "operator_deactivated")
    assert (await OpClient.connect(gp.url, token=token)).auth["code"] == "token_invalid"
    refused = await OpClient.connect(gp.url, "ivan", "pw-ivan-1")
    assert refused.auth["code"] == "invalid_credentials"

    back = await asyncio.to_thread(cli, tmp_path, store_url, "activate-operator", "ivan")
    assert back.returncode == 0, back.stderr
    # The old token stays dead; the password signs in again.
    assert (await OpClient.connect(gp.url, token=token)).auth["code"] == "token_invalid"
    again = await OpClient.connect(gp.url, "ivan", "pw-ivan-1")
    assert again.auth["type"] == "auth_ok"
    await again.close()


async def test_a_new_queue_is_used_by_the_running_gateway(
    gateway_with_ivan: GatewayProcess, tmp_path: Path, store_url: str
) -> None:
    gp = gateway_with_ivan
    desk = await OpClient.connect(gp.url, "ivan", "pw-ivan-1")
    assert (await desk.ok("state.snapshot"))["queues"] == []  # a fresh install has none

    added = await asyncio.to_thread(
        cli,
        tmp_path,
        store_url,
        "add-queue",
        "general",
        "--channels",
        "webchat,email",
        "--skills",
        "general",
        "--sla",
        "45",
    )
    assert added.returncode == 0, added.stderr

    async def queues() -> list[dict[str, object]]:
        return list((await desk.ok("state.snapshot"))["queues"])

    deadline = time.monotonic() + CLOSED_WITHIN_S
    while not await queues() and time.monotonic() < deadline:
        await asyncio.sleep(0.2)
    [general] = await queues()
    assert (general["name"], general["sla_seconds"]) == ("general", 45)

    # A customer writing now lands in it.
    visitor = await ChatVisitor.connect(gp.url, name="Пётр")
    assert (await visitor.say("Здравствуйте"))["type"] == "ack"
    await desk.ok("presence.set", {"status": "available"})
    offer = await desk.event("conversation.offered", timeout=10)
    assert offer["data"]["conversation"]["queue_id"] == general["id"]
    await visitor.close()

    changed = await asyncio.to_thread(
        cli,
        tmp_path,
        store_url,
        "update-queue",
        "general",
        "--sla",
        "30",
        "--display-name",
        "ru=Общие вопросы, en=General",
    )
    assert changed.returncode == 0, changed.stderr
    deadline = time.monotonic() + CLOSED_WITHIN_S
    while (await queues())[0]["sla_seconds"] != 30 and time.monotonic() < deadline:
        await asyncio.sleep(0.2)
    assert (await queues())[0]["sla_seconds"] == 30
    # The desktop shows the display name of its language (the code stays for commands).
    assert (await queues())[0]["display_names"] == {"ru": "Общие вопросы", "en": "General"}
    listed = await asyncio.to_thread(cli, tmp_path, store_url, "list-queues")
    assert "general  priority 0  sla 30s  channels email,webchat  skills general" in listed.stdout
    assert "ru 'Общие вопросы'" in listed.stdout
    await desk.close()


BAD_INPUT = [
    (("add-operator", "ivan", "--password", "other"), "operator 'ivan' already exists"),
    (("add-operator", "new", "--password", "x", "--role", "boss"), "bad role 'boss'"),
    (("add-operator", "new", "--password", "x", "--skills", "a b"), "bad skill 'a b'"),
    (("add-operator", "new", "--password", "x", "--capacity", "fax=1"), "bad capacity entry"),
    (("add-operator", "new", "--password", "x", "--capacity", "sms=x"), "bad capacity for sms"),
    (("add-operator", "new", "--password", ""), "the password must not be empty"),
    (("add-operator", "Not Ok", "--password", "x"), "bad username 'Not Ok'"),
    (("revoke-tokens", "nobody"), "no operator 'nobody'"),
    (("deactivate-operator", "nobody"), "no operator 'nobody'"),
    (("activate-operator", "nobody"), "no operator 'nobody'"),
    (("add-queue", "sales", "--channels", "fax"), "unknown channel 'fax'"),
    (("add-queue", "sales", "--hours", "mon-fri 9-18", "--tz", "UTC"), "bad time range '9-18'"),
    (("add-queue", "sales", "--hours", "mon 09:00-18:00", "--tz", "Mars/Base"), "time zone"),
    (("add-queue", "sales", "--hours", "mon 09:00-18:00"), "--tz"),
    (("add-queue", "sales", "--sla", "0"), "SLA target"),
    (("add-queue", "sales", "--first-response", "fax=30"), "unknown channel 'fax'"),
    (("add-queue", "sales", "--next-response", "email=0"), "a response target is 1 to"),
    (("update-queue", "nowhere", "--sla", "10"), "no queue 'nowhere'"),
    (("add-queue", "sales", "--display-name", "de=Verkauf"), "LANG one of ru, en"),
    (("add-queue", "sales", "--display-name", "ru=" + "я" * 65), "1 to 64 printable"),
]


def test_bad_input_is_one_clear_line_and_a_failure(tmp_path: Path) -> None:
    added = cli(tmp_path, "", "add-operator", "ivan", "--password", "pw-ivan-1")
    assert added.returncode == 0, added.stderr
    for args, expected in BAD_INPUT:
        r = cli(tmp_path, "", *args)
        errors = [line for line in r.stderr.splitlines() if line.startswith("omnidesk-gateway:")]
        assert r.returncode == 1, (args, r.stderr)
        assert len(errors) == 1 and expected in errors[0], (args, r.stderr)
        assert "Traceback" not in r.stderr and "$argon2" not in r.stderr, args
    # Nothing was half-made by the refused commands.
    listed = cli(tmp_path, "", "list-queues")
    assert listed.stdout.strip() == "no queues yet (add one with add-queue)"
