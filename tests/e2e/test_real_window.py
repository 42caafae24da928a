"""The real application in a real window under Xvfb, with a screenshot saved by the run."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.test_desktop_e2e import Desktop
from tests.support.gateway_proc import ROOT
from tests.support.opclient import ChatVisitor

pytestmark = pytest.mark.e2e
ARTIFACTS = ROOT / "test-artifacts"


@pytest.fixture
def xvfb_display() -> Iterator[str]:
    if shutil.which("Xvfb") is None:
        if os.environ.get("CI"):
            pytest.fail("Xvfb is missing (make's set-up installs it)")
        pytest.skip("Xvfb is not installed")
    for n in range(90, 110):
        if not Path(f"/tmp/.X11-unix/X{n}").exists() and not Path(f"/tmp/.X{n}-lock").exists():
            break
    display = f":{n}"
    proc = subprocess.Popen(
        ["Xvfb", display, "-screen", "0", "1600x1000x24", "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while not Path(f"/tmp/.X11-unix/X{n}").exists():
        if time.monotonic() > deadline or proc.poll() is not None:
            proc.kill()
            pytest.fail("Xvfb did not start")
        time.sleep(0.05)
    try:
        yield display
    finally:
        proc.terminate()
        proc.wait(10)


def test_demo_in_a_real_window_with_a_screenshot(xvfb_display: str, tmp_path: Path) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "main-window-xvfb.png"
    shot.unlink(missing_ok=True)
    env = dict(os.environ, DISPLAY=xvfb_display, QT_QPA_PLATFORM="xcb")
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "omnidesk_qt.main",
            "--demo",
            "--json-logs",
            "--lang",
            "ru",
            "--data-dir",
            str(tmp_path),
            "--screenshot",
            str(shot),
            "--quit-after",
            "8",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=90,
    )
    assert r.returncode == 0, r.stderr[-3000:]
    records = [json.loads(line) for line in r.stderr.splitlines() if line.startswith("{")]
    msgs = [rec["msg"] for rec in records]
    assert "window shown" in msgs and "signed in" in msgs
    shots = [rec for rec in records if rec["msg"] == "screenshot"]
    assert shots and shots[0]["ok"] is True
    assert shot.stat().st_size > 20_000  # a real picture, not an empty frame
    problems = [rec for rec in records if rec["level"] in ("WARNING", "ERROR", "CRITICAL")]
    assert problems == [], problems


@pytest.mark.parametrize(
    ("theme", "lang"), [("light", "en"), ("light", "ru"), ("dark", "ru"), ("dark", "en")]
)
async def test_an_operator_takes_a_chat_in_a_real_window(
    xvfb_display: str, tmp_path: Path, theme: str, lang: str
) -> None:
    """The flow an operator does, in a real window: available, a customer who typed a phone
    number writes, the offer is accepted, the card shows the number as claimed. A screenshot of
    each theme and language is saved for people to look at."""
    config = tmp_path / "config"
    config.mkdir()
    (config / "settings.json").write_text(json.dumps({"values": {"ui.theme": theme}}))
    shot = ARTIFACTS / f"operator-{theme}-{lang}.png"
    ARTIFACTS.mkdir(exist_ok=True)
    shot.unlink(missing_ok=True)
    desktop = Desktop.demo(
        tmp_path / "data",
        env={"DISPLAY": xvfb_display, "QT_QPA_PLATFORM": "xcb", "OMNIDESK_CONFIG_DIR": str(config)},
        lang=lang,
    )
    try:
        ready = await asyncio.to_thread(desktop.wait_for, "demo gateway ready", 60)
        await asyncio.to_thread(desktop.wait_for, "signed in", 30)
        await asyncio.to_thread(desktop.wait_for, "automation ready")
        desktop.do("presence", status="available")
        visitor = await ChatVisitor.connect(
            ready["gateway"], name="Зоя Крылова", phone="+79161112233"
        )
        await visitor.say("Здравствуйте! Можно перенести доставку на завтра?")
        offer = await asyncio.to_thread(desktop.wait_for, "offer", 30, name="Зоя Крылова")
        assert offer["channel"] == "webchat"
        desktop.do("accept_offer")
        await asyncio.to_thread(desktop.wait_for, "customer opened", 20, name="Зоя Крылова")
        desktop.do("card_identities")
        card = await asyncio.to_thread(desktop.wait_for, "card identities")
        claimed = [row for row in card["rows"] if row["value"] == "+79161112233"]
        assert claimed and claimed[0]["claimed"] and not claimed[0]["verified"]
        await asyncio.sleep(1.0)  # let the window paint the card
        desktop.do("screenshot", path=str(shot))
        done = await asyncio.to_thread(desktop.wait_for, "screenshot")
        assert done["ok"] and shot.stat().st_size > 20_000
        await visitor.close()
    finally:
        code = desktop.stop()
    assert code == 0
    assert desktop.problems() == []
