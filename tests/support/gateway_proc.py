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
    def __init__(
        self,
        data_dir: Path,
        *,
        database_url: str = "",
        port: int = 0,
        http_port: int = 0,
        env: dict[str, str] | None = None,
        extra_args: list[str] | None = None,
        subcommand: str = "serve",
        open_files: int | None = None,
    ) -> None:
        self.subcommand = subcommand
        self.open_files = open_files  # RLIMIT_NOFILE of the child, if given
        self.data_dir = data_dir
        self.database_url = database_url
        self.port = port
        self.http_port = http_port
        self.env = env or {}
        self.extra_args = extra_args or []
        self.proc: subprocess.Popen[str] | None = None
        self.starts = 0
        self.log_path = data_dir / "gateway-0.log"
        self._log_file: Any = None

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    def run_cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "services.cli", *args, *self._db_args()],
            cwd=ROOT,
            env=self._env(),
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
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
        self.starts += 1
        self.log_path = self.data_dir / f"gateway-{self.starts}.log"
        self._close_log()
        self._log_file = log = self.log_path.open("w")
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "services.cli",
                self.subcommand,
                "--json-logs",
                "--port",
                str(self.port),
                "--http-port",
                str(self.http_port),
                *self._db_args(),
                *self.extra_args,
            ],
            cwd=ROOT,
            env=self._env(),
            stdout=log,  # what it prints for people, beside its JSON logs
            stderr=log,
            text=True,
            preexec_fn=self._limit_open_files if self.open_files else None,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gateway exited early:\n{self.log_path.read_text()}")
            for rec in self.read_logs():
                if rec.get("msg") == "ready":
                    # A restart takes the same ports again: pages and clients keep working.
                    self.port = int(rec["port"])
                    self.http_port = int(rec["http_port"])
                    return self
            time.sleep(0.05)
        self.kill()
        raise TimeoutError(f"gateway did not get ready:\n{self.log_path.read_text()}")

    def _limit_open_files(self) -> None:
        import resource

        assert self.open_files is not None
        resource.setrlimit(resource.RLIMIT_NOFILE, (self.open_files, self.open_files))

    def read_logs(self, path: Path | None = None) -> list[dict[str, Any]]:
        """JSON log records of the current run (or of the log file given)."""
        out = []
        for line in (path or self.log_path).read_text().splitlines():
            line = line.strip()
            if line.startswith("{"):
                try:
                    out.append(json.loads(line))
                except ValueError:
                    continue
        return out

    def errors(self) -> list[dict[str, Any]]:
        """ERROR records of every run of this gateway so far."""
        return [
            r
            for n in range(1, self.starts + 1)
            for r in self.read_logs(self.data_dir / f"gateway-{n}.log")
            if r.get("level") in ("ERROR", "CRITICAL")
        ]

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs, as in a crash."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)
        self._close_log()

    def _close_log(self) -> None:
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None

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
        self._close_log()
        return self.proc.returncode
