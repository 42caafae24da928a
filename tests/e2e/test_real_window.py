"""The real application in a real window under Xvfb, with a screenshot saved by the run."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.gateway_proc import ROOT

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
