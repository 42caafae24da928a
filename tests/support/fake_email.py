"""The e-mail adapter's providers, real ones: a Dovecot IMAP server (the test's child process,
on a free loopback port, in its own temporary folder) and an aiosmtpd SMTP server that records
what it was handed and can be told to refuse, to defer, to hang after DATA or to go away."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import aioimaplib
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from tests.support.net import free_port

DOVECOT = shutil.which("dovecot") or (
    "/usr/sbin/dovecot" if os.path.exists("/usr/sbin/dovecot") else None
)
USER, PASSWORD = "agent@example.test", "secret"


def _conf(d: Path, port: int, as_root: bool) -> str:
    # Root mode (CI runs as root, and imap-login refuses to run as root): the packaged
    # internal users stay in place and the mail user is nobody; otherwise everything is ours.
    if as_root:
        users = ""
    else:
        u, g = os.getuid(), os.getgid()
        import grp
        import pwd

        user, group = pwd.getpwuid(u).pw_name, grp.getgrgid(g).gr_name
        users = (
            f"default_internal_user = {user}\ndefault_internal_group = {group}\n"
            f"default_login_user = {user}\n"
        )
    chroot = "" if as_root else "  chroot =\n"
    anvil = "" if as_root else "service anvil {\n  chroot =\n}\n"
    return f"""protocols = imap
listen = 127.0.0.1
base_dir = {d}/run
state_dir = {d}/state
log_path = {d}/dovecot.log
ssl = no
{users}mail_location = maildir:~/Maildir
passdb {{
  driver = passwd-file
  args = scheme=PLAIN {d}/users
}}
userdb {{
  driver = passwd-file
  args = {d}/users
}}
{anvil}service imap-login {{
{chroot}  inet_listener imap {{
    port = {port}
  }}
}}
"""


class Dovecot:
    """A real IMAP server for one mailbox user; ``append`` injects mail as a client would."""

    def __init__(self) -> None:
        if DOVECOT is None:
            raise RuntimeError("dovecot is not installed")
        self.dir = Path(tempfile.mkdtemp(prefix="omnidesk-dovecot-"))
        self.dir.chmod(0o755)  # the mail user (nobody in root mode) walks into its home
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None
        as_root = os.getuid() == 0
        home = self.dir / "home" / "agent"
        home.mkdir(parents=True)
        (self.dir / "home").chmod(0o755)
        ids = "65534:65534" if as_root else ":"
        if as_root:
            os.chown(home, 65534, 65534)
        (self.dir / "users").write_text(f"{USER}:{{PLAIN}}{PASSWORD}:{ids}::{home}\n")
        (self.dir / "dovecot.conf").write_text(_conf(self.dir, self.port, as_root))

    def start(self) -> None:
        assert DOVECOT is not None
        self.proc = subprocess.Popen(
            [DOVECOT, "-F", "-c", str(self.dir / "dovecot.conf")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                    if s.recv(64).startswith(b"* OK"):
                        return
            except OSError:
                time.sleep(0.02)
        log = self.dir / "dovecot.log"
        raise RuntimeError(f"dovecot did not start: {log.read_text() if log.exists() else ''}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def maildir(self, mailbox: str = "INBOX") -> Path:
        base = self.dir / "home" / "agent" / "Maildir"
        return base if mailbox == "INBOX" else base / f".{mailbox}"

    async def append(self, *messages: bytes, mailbox: str = "INBOX") -> None:
        client = aioimaplib.IMAP4("127.0.0.1", self.port, timeout=60)
        await client.wait_hello_from_server()
        await client.login(USER, PASSWORD)
        for raw in messages:
            answer = await client.append(raw, mailbox=mailbox)
            assert answer.result == "OK", answer
        await client.logout()

    async def create(self, mailbox: str) -> None:
        client = aioimaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        await client.wait_hello_from_server()
        await client.login(USER, PASSWORD)
        await client.create(mailbox)
        await client.logout()

    def reset_uidvalidity(self) -> None:
        """Drop the mailbox's UID list: Dovecot gives it a new UIDVALIDITY (a restored server)."""
        for name in ("dovecot-uidlist", "dovecot-uidvalidity"):
            (self.maildir() / name).unlink(missing_ok=True)
        for path in self.maildir().glob("dovecot-uidvalidity.*"):
            path.unlink()
        for path in self.maildir().glob("dovecot.index*"):
            path.unlink()


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes

    @property
    def message(self) -> EmailMessage:
        return message_from_bytes(self.data, policy=policy.default)  # type: ignore[return-value]


@dataclass
class _Handler:
    received: list[Received] = field(default_factory=list)
    # What the next transactions answer: "rcpt" -> "550 ...", "data" -> "451 ...".
    answers: dict[str, str] = field(default_factory=dict)
    hang_after_data_s: float = 0.0
    got: asyncio.Event | None = None

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        if "rcpt" in self.answers:
            return self.answers["rcpt"]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.hang_after_data_s:
            await asyncio.sleep(self.hang_after_data_s)
        if "data" in self.answers:
            return self.answers["data"]
        assert envelope.content is not None
        content = envelope.content
        data = content if isinstance(content, bytes) else content.encode()
        self.received.append(Received(str(envelope.mail_from), list(envelope.rcpt_tos), data))
        return "250 2.0.0 Ok: queued"


class FakeSmtp:
    """An SMTP submission server on a free loopback port (aiosmtpd, on its own thread)."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.handler = _Handler()
        self.controller: Controller | None = None

    @property
    def received(self) -> list[Received]:
        return self.handler.received

    def start(self) -> None:
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None
