"""The e-mail adapter's providers, real ones: a Dovecot IMAP server (the test's child process,
on a free loopback port, in its own temporary folder) and an aiosmtpd SMTP server that records
what it was handed and can be told to refuse, to defer, to hang after DATA or to go away."""

from __future__ import annotations

import asyncio
import atexit
import datetime
import ipaddress
import os
import shutil
import signal
import socket
import ssl
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
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, Session

from tests.support.net import free_port

DOVECOT = shutil.which("dovecot") or (
    "/usr/sbin/dovecot" if os.path.exists("/usr/sbin/dovecot") else None
)
USER, PASSWORD = "agent@example.test", "secret"


def _conf(d: Path, port: int, as_root: bool, tls_port: int | None) -> str:
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
    if tls_port is None:
        ssl_lines, imaps = "ssl = no\n", ""
    else:
        # STARTTLS on the plain port, implicit TLS on the other (a certificate of the test CA).
        ssl_lines = (
            f"ssl = yes\nssl_cert = <{d}/cert.pem\nssl_key = <{d}/key.pem\n"
            "ssl_dh = </usr/share/dovecot/dh.pem\n"
        )
        imaps = f"  inet_listener imaps {{\n    port = {tls_port}\n    ssl = yes\n  }}\n"
    anvil = "" if as_root else "service anvil {\n  chroot =\n}\n"
    return f"""protocols = imap
listen = 127.0.0.1
base_dir = {d}/run
state_dir = {d}/state
log_path = {d}/dovecot.log
{ssl_lines}{users}mail_location = maildir:~/Maildir
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
{imaps}}}
"""


class LocalCA:
    """A certificate authority of the test's own and a server certificate for 127.0.0.1."""

    def __init__(self) -> None:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import NameOID

        now = datetime.datetime.now(datetime.UTC)
        ca_key = ec.generate_private_key(ec.SECP256R1())
        ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "OmniDesk test CA")])
        ca = (
            x509.CertificateBuilder()
            .subject_name(ca_name)
            .issuer_name(ca_name)
            .public_key(ca_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=2))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(ca_key, hashes.SHA256())
        )
        key = ec.generate_private_key(ec.SECP256R1())
        cert = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
            .issuer_name(ca_name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=2))
            .add_extension(
                x509.SubjectAlternativeName(
                    [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]
                ),
                critical=False,
            )
            .sign(ca_key, hashes.SHA256())
        )
        self.ca_pem = ca.public_bytes(serialization.Encoding.PEM)
        self.cert_pem = cert.public_bytes(serialization.Encoding.PEM)
        self.key_pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )

    def write_server_files(self, folder: Path) -> tuple[Path, Path]:
        cert, key = folder / "cert.pem", folder / "key.pem"
        cert.write_bytes(self.cert_pem)
        key.write_bytes(self.key_pem)
        key.chmod(0o600)
        return cert, key

    def client_context(self) -> ssl.SSLContext:
        """What a client trusting only this CA uses."""
        return ssl.create_default_context(cadata=self.ca_pem.decode())

    def server_context(self) -> ssl.SSLContext:
        folder = Path(tempfile.mkdtemp(prefix="omnidesk-tls-"))
        try:
            cert, key = self.write_server_files(folder)
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(cert, key)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return context


_closing: list[tuple[subprocess.Popen[bytes], Path]] = []


def reap() -> None:
    """Wait for the servers told to stop, and remove their folders."""
    while _closing:
        proc, folder = _closing.pop()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        shutil.rmtree(folder, ignore_errors=True)


atexit.register(reap)


def _reap_finished() -> None:
    for proc, folder in list(_closing):
        if proc.poll() is not None:
            _closing.remove((proc, folder))
            shutil.rmtree(folder, ignore_errors=True)


class Dovecot:
    """A real IMAP server for one mailbox user; ``append`` injects mail as a client would."""

    def __init__(self, tls: LocalCA | None = None) -> None:
        if DOVECOT is None:
            raise RuntimeError("dovecot is not installed")
        _reap_finished()
        self.dir = Path(tempfile.mkdtemp(prefix="omnidesk-dovecot-"))
        self.dir.chmod(0o755)  # the mail user (nobody in root mode) walks into its home
        self.port = free_port()
        self.tls_port = free_port() if tls is not None else None
        if tls is not None:
            tls.write_server_files(self.dir)
        self.proc: subprocess.Popen[bytes] | None = None
        as_root = os.getuid() == 0
        home = self.dir / "home" / "agent"
        home.mkdir(parents=True)
        (self.dir / "home").chmod(0o755)
        ids = "65534:65534" if as_root else ":"
        if as_root:
            os.chown(home, 65534, 65534)
        (self.dir / "users").write_text(f"{USER}:{{PLAIN}}{PASSWORD}:{ids}::{home}\n")
        (self.dir / "dovecot.conf").write_text(_conf(self.dir, self.port, as_root, self.tls_port))

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
        """Stop it without waiting the second Dovecot takes to shut down: the next server
        (or the end of the run) reaps it and removes its folder."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            _closing.append((self.proc, self.dir))
        else:
            shutil.rmtree(self.dir, ignore_errors=True)
        self.proc = None

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

    async def deliver(self, *messages: bytes) -> None:
        """Many messages at once, as a local delivery agent writes them (Maildir tmp -> new)."""
        await self.append(messages[0])  # makes the Maildir, with its owner
        base = self.maildir()
        owner = base.stat()
        for i, raw in enumerate(messages[1:]):
            name = f"{time.time():.6f}.omnidesk{i}.test"
            tmp = base / "tmp" / name
            tmp.write_bytes(raw.replace(b"\r\n", b"\n"))
            os.chown(tmp, owner.st_uid, owner.st_gid)
            tmp.rename(base / "new" / name)

    async def create(self, mailbox: str) -> None:
        client = aioimaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        await client.wait_hello_from_server()
        await client.login(USER, PASSWORD)
        await client.create(mailbox)
        await client.logout()

    def reset_uidvalidity(self) -> None:
        """Give the mailbox a new UIDVALIDITY and new UIDs (a server restored from a backup);
        call it while the server is stopped."""
        uidlist = self.maildir() / "dovecot-uidlist"
        old = int(uidlist.read_text().split()[1][1:])  # "3 V1796687473 N3 G…"
        for path in [*self.maildir().glob("dovecot.index*"), *self.maildir().glob("dovecot.list*")]:
            path.unlink()
        # An empty UID list of the new validity: Dovecot numbers the messages from 1 again.
        uidlist.write_text(f"3 V{old + 7} N1\n")
        owner = self.maildir().stat()
        os.chown(uidlist, owner.st_uid, owner.st_gid)


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

    def __init__(
        self, port: int | None = None, tls: LocalCA | None = None, implicit_tls: bool = False
    ) -> None:
        self.port = port or free_port()
        self.handler = _Handler()
        self.controller: Controller | None = None
        # With a CA: STARTTLS offered and required before MAIL, and AUTH over it.
        self.tls = tls
        self.implicit_tls = implicit_tls  # TLS from the first byte (port 465) instead
        self.logins: list[tuple[str, str]] = []

    @property
    def received(self) -> list[Received]:
        return self.handler.received

    def start(self) -> None:
        if self.tls is None:
            self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        elif self.implicit_tls:
            self.controller = Controller(
                self.handler,
                hostname="127.0.0.1",
                port=self.port,
                ssl_context=self.tls.server_context(),
                authenticator=self._authenticate,
                # (aiosmtpd counts only STARTTLS as TLS; this connection is TLS throughout)
                auth_require_tls=False,
            )
        else:
            self.controller = Controller(
                self.handler,
                hostname="127.0.0.1",
                port=self.port,
                tls_context=self.tls.server_context(),
                require_starttls=True,
                authenticator=self._authenticate,
                auth_require_tls=True,
            )
        self.controller.start()

    def _authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        login = (data.login.decode(), data.password.decode())
        self.logins.append(login)
        return AuthResult(success=login == (USER, PASSWORD), handled=False)

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None
