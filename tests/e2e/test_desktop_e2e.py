"""End to end: a real gateway process, the real desktop process, a web-chat customer.

The desktop runs with ``--automation``: the test sends it UI actions as JSON lines and reads what
the window shows from its JSON log, the way qutebrowser's end-to-end tests drive the browser.
"""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.gateway_proc import ROOT, GatewayProcess
from tests.support.opclient import ChatVisitor

pytestmark = pytest.mark.e2e


class Desktop:
    def __init__(
        self,
        url: str,
        data_dir: Path,
        *,
        env: dict[str, str] | None = None,
        lang: str = "en",
        password: str | None = "agent",
    ) -> None:
        # A real keyring backend that keeps its file in the test's folder.
        full_env = {
            **os.environ,
            "QT_QPA_PLATFORM": "offscreen",
            "PYTHON_KEYRING_BACKEND": "keyrings.alt.file.PlaintextKeyring",
            "XDG_DATA_HOME": str(data_dir / "xdg-data"),
            **(env or {}),
        }
        self.keyring_file = data_dir / "xdg-data" / "python_keyring" / "keyring_pass.cfg"
        # No address: the desktop with its embedded demo gateway, without simulated traffic.
        where = (
            ["--demo", "--simulate", "0"]
            if not url
            else ["--gateway", url, "--user", "agent", "--password-stdin"]
        )
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "omnidesk_qt.main",
                *where,
                "--json-logs",
                "--automation",
                "--data-dir",
                str(data_dir),
                "--lang",
                lang,
            ],
            cwd=ROOT,
            env=full_env,
            stdin=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            text=True,
        )
        assert self.proc.stdin is not None and self.proc.stderr is not None
        if url and password is not None:
            self.proc.stdin.write(password + "\n")
            self.proc.stdin.flush()
        self.records: list[dict[str, Any]] = []
        self._cond = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    @classmethod
    def demo(cls, data_dir: Path, *, env: dict[str, str], lang: str) -> Desktop:
        """The desktop with its embedded demo gateway (``omnidesk --demo``), no traffic."""
        return cls("", data_dir, env=env, lang=lang)

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            if line.startswith("{"):
                with self._cond:
                    self.records.append(json.loads(line))
                    self._cond.notify_all()

    def do(self, action: str, **args: Any) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps({"do": action, **args}, ensure_ascii=False) + "\n")
        self.proc.stdin.flush()

    def wait_for(
        self, msg: str, timeout: float = 20.0, *, after: dict[str, Any] | None = None, **match: Any
    ) -> dict[str, Any]:
        """The first record ``msg`` (with ``match``'s fields), later than ``after`` if given."""

        def found() -> dict[str, Any] | None:
            start = 0 if after is None else self.records.index(after) + 1
            for rec in self.records[start:]:
                if rec["msg"] == msg and all(rec.get(k) == v for k, v in match.items()):
                    return rec
            return None

        with self._cond:
            if not self._cond.wait_for(lambda: found() is not None, timeout):
                raise TimeoutError(f"no {msg!r} {match} in the desktop's log")
            rec = found()
            assert rec is not None
            return rec

    def wait_until(self, check: Any, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while not check():
            if time.monotonic() > deadline:
                raise TimeoutError("the desktop did not get there in time")
            time.sleep(0.1)

    def keyring_text(self) -> str:
        return self.keyring_file.read_text() if self.keyring_file.exists() else ""

    def problems(self) -> list[dict[str, Any]]:
        return [r for r in self.records if r["level"] in ("WARNING", "ERROR", "CRITICAL")]

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.do("quit_now")
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        assert self.proc.stdin is not None and self.proc.stderr is not None
        self.proc.stdin.close()
        self._reader.join(5)
        self.proc.stderr.close()
        return self.proc.returncode


@pytest.fixture
def gateway(tmp_path: Path) -> Iterator[GatewayProcess]:
    gp = GatewayProcess(tmp_path / "gw")
    (tmp_path / "gw").mkdir()
    gp.run_cli("seed-demo", "--customers", "5")
    gp.start()
    try:
        yield gp
    finally:
        gp.stop()


async def test_customer_writes_the_window_shows_it_the_reply_reaches_them(
    gateway: GatewayProcess, tmp_path: Path
) -> None:
    desktop = Desktop(gateway.url, tmp_path / "desktop")
    try:
        await asyncio.to_thread(desktop.wait_for, "signed in")
        await asyncio.to_thread(desktop.wait_for, "automation ready")
        desktop.do("presence", status="available")
        visitor = await ChatVisitor.connect(gateway.url, name="Алексей")
        ack = await visitor.say("Здравствуйте! Не пришёл заказ.")
        assert ack["type"] == "ack"
        offer = await asyncio.to_thread(desktop.wait_for, "offer", name="Алексей")
        await asyncio.to_thread(desktop.wait_for, "offer chime")  # and the window rang
        desktop.do("accept_offer")
        await asyncio.to_thread(desktop.wait_for, "customer opened", name="Алексей")
        desktop.do("feed_texts")
        shown = await asyncio.to_thread(desktop.wait_for, "feed texts")
        assert "Здравствуйте! Не пришёл заказ." in shown["texts"]
        desktop.do("reply", text="Проверим и напишем через пять минут.")
        reply = await visitor.recv_type("message", timeout=20)
        assert reply["text"] == "Проверим и напишем через пять минут."
        # the customer sees the operator's public name (the first name), not the full one
        assert reply["author"] == "Анна"
        await asyncio.to_thread(desktop.wait_for, "delivery", delivery="sent")
        assert offer["channel"] == "webchat"
        await visitor.close()
    finally:
        code = desktop.stop()
    assert code == 0
    assert desktop.problems() == []
    assert gateway.errors() == []


async def test_a_revoked_session_forgets_its_token_and_asks_for_the_password(
    gateway: GatewayProcess, tmp_path: Path
) -> None:
    """IT revokes the operator's sessions while the desktop is open: within seconds the window
    says why and asks for the password (no reconnect loop with the dead token); signed in again
    with "Remember me", the token is in the keyring until the next revocation removes it."""
    desktop = Desktop(gateway.url, tmp_path / "desktop")
    try:
        first = await asyncio.to_thread(desktop.wait_for, "signed in")
        await asyncio.to_thread(desktop.wait_for, "automation ready")
        await asyncio.to_thread(gateway.run_cli, "revoke-tokens", "agent")
        await asyncio.to_thread(desktop.wait_for, "signed out", 15, reason="token_revoked")
        asked = await asyncio.to_thread(desktop.wait_for, "sign-in asked")
        assert "ended by an administrator" in asked["problem"]
        desktop.do("sign_in", password="agent", remember=True)
        await asyncio.to_thread(desktop.wait_for, "signed in", after=first)
        await asyncio.to_thread(desktop.wait_until, lambda: "agent" in desktop.keyring_text())
        await asyncio.to_thread(gateway.run_cli, "deactivate-operator", "agent")
        await asyncio.to_thread(desktop.wait_for, "signed out", 15, reason="operator_deactivated")
        await asyncio.to_thread(desktop.wait_until, lambda: "agent" not in desktop.keyring_text())
        asked = await asyncio.to_thread(desktop.wait_for, "sign-in asked", after=asked)
        # No reconnect loop with the dead token: one refusal, then the dialog.
        refused = [r for r in desktop.records if r["msg"] == "signed out"]
        assert [r["reason"] for r in refused] == ["token_revoked", "operator_deactivated"]
        assert "deactivated" in asked["problem"]
    finally:
        code = desktop.stop()
    assert code == 0
    # The test's file keyring is rightly reported as keeping tokens unencrypted; nothing else.
    assert [p for p in desktop.problems() if "unencrypted" not in p["msg"]] == []
    assert gateway.errors() == []


async def test_sign_out_asks_while_a_customer_waits_then_revokes_and_forgets_the_token(
    gateway: GatewayProcess, tmp_path: Path
) -> None:
    """OmniDesk ▸ Sign out with a conversation open asks first; confirmed, the gateway revokes
    the token (a new socket with it is refused) and the keyring forgets it. Quit asks too."""
    desktop = Desktop(gateway.url, tmp_path / "desktop")
    try:
        await asyncio.to_thread(desktop.wait_for, "signed in")
        await asyncio.to_thread(desktop.wait_for, "automation ready")
        desktop.do("presence", status="available")
        visitor = await ChatVisitor.connect(gateway.url, name="Марина")
        await visitor.say("Добрый день")
        await asyncio.to_thread(desktop.wait_for, "offer", name="Марина")
        desktop.do("accept_offer")
        await asyncio.to_thread(desktop.wait_for, "customer opened", name="Марина")
        # Quit with a customer open: asked, and "Stay" keeps the window.
        desktop.do("quit")
        asked = await asyncio.to_thread(desktop.wait_for, "leaving asked")
        assert "Open conversations: 1." in asked["text"]
        desktop.do("answer_leaving", leave=False)
        await asyncio.sleep(0.5)
        assert desktop.proc.poll() is None, "Stay keeps it open"
        # Sign out: asked again; confirmed, the gateway ends the session.
        desktop.do("sign_out")
        asked = await asyncio.to_thread(desktop.wait_for, "leaving asked", after=asked)
        desktop.do("answer_leaving", leave=True)
        await asyncio.to_thread(desktop.wait_for, "signed out", 15, reason="logged_out")
        with sqlite3.connect(tmp_path / "gw" / "gateway.db") as db:
            tokens = db.execute(
                "select t.revoked from session_tokens t join operators o"
                " on o.id = t.operator_id where o.username = 'agent'"
            ).fetchall()
        assert tokens and all(revoked for (revoked,) in tokens), "revoked on the gateway"
        assert "agent" not in desktop.keyring_text()
        await visitor.close()
    finally:
        code = desktop.stop()
    assert code == 0
    assert [p for p in desktop.problems() if "unencrypted" not in p["msg"]] == []
    assert gateway.errors() == []
