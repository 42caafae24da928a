"""Run the real ``omnidesk-gateway`` as a child process, read its JSON logs, kill it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


class GatewayProcess:
    def __init__(self, data_dir: Path, *, database_url: str = "", port: int = 0,
                 env: dict[str, str] | None = None, extra_args: list[str] | None = None) -> None:
        self.data_dir = data_dir
        self.database_url = database_url
        self.port = port
        self.env = env or {}
        self.extra_args = extra_args or []
        self.proc: subprocess.Popen[str] | None = None
        self.log_path = data_dir / f"gateway-{int(time.time() * 1000)}.log"
        self.logs: list[dict[str, Any]] = []

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def run_cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "services.cli", *args, *self._db_args()],
            cwd=ROOT, env=self._env(), capture_output=True, text=True, timeout=120, check=True,
        )

    def _db_args(self) -> list[str]:
        args = ["--data-dir", str(self.data_dir)]
        if self.database_url:
            args += ["--database-url", self.database_url]
        return args

    def _env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(self.env)
        env["PYTHONUNBUFFERED"] = "1"
        return env

    def start(self, timeout: float = 30.0) -> GatewayProcess:
        log = self.log_path.open("w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "services.cli", "serve", "--json-logs",
             "--port", str(self.port), *self._db_args(), *self.extra_args],
            cwd=ROOT, env=self._env(), stdout=subprocess.DEVNULL, stderr=log, text=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gateway exited early:\n{self.log_path.read_text()}")
            for rec in self.read_logs():
                if rec.get("msg") == "ready":
                    self.port = int(rec["port"])
                    return self
            time.sleep(0.05)
        self.kill()
        raise TimeoutError(f"gateway did not get ready:\n{self.log_path.read_text()}")

    def read_logs(self) -> list[dict[str, Any]]:
        out = []
        for line in self.log_path.read_text().splitlines():
            line = line.strip()
            if line.startswith("{"):
                try:
                    out.append(json.loads(line))
                except ValueError:
                    continue
        self.logs = out
        return out

    def errors(self) -> list[dict[str, Any]]:
        return [r for r in self.read_logs() if r.get("level") in ("ERROR", "CRITICAL")]

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs, as in a crash."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> int:
        if self.proc is None:
            return 0
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        return self.proc.returncode
