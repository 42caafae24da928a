"""E-mail: mailboxes read over IMAP (IDLE when the server offers it, polling otherwise), replies
sent over SMTP submission, threaded on the customer's latest message.

Per mailbox a cursor ``{uidvalidity, last_uid}`` is kept in the adapter's state folder and
advanced only after the inbox took the messages; a changed UIDVALIDITY reads the mailbox from
the start again (the hub dedupes by provider id, the Message-ID). ``BODY.PEEK`` leaves the
messages unread for any other client of the mailbox.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import logging
import re
import secrets
import ssl
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.utils import formataddr, formatdate
from typing import Any

import aioimaplib
import aiosmtplib
from aiosmtpd.smtp import SMTP, Envelope, Session

from services.channels.base import (
    Adapter,
    AdapterContext,
    Cursor,
    Secret,
    Section,
    sleep_or_stop,
)
from services.channels.email_parse import ParsedMail, fingerprint, parse
from services.config import ConfigError
from services.domain.inbox import ChannelUnavailable, InboundMessage, OutboundMessage

log = logging.getLogger(__name__)

MB = 1024 * 1024
_LOOPBACK = ("127.0.0.1", "localhost", "::1")
_MAX_THREADS = 5000  # customers whose latest message a reply can thread on
_BATCH_MESSAGES = 50  # messages fetched per UID FETCH
_BATCH_BYTES = 16 * MB
_PREFIX_BYTES = 64 * 1024  # of an over-sized message's body: its first text
SMTP_CONNECTIONS = 50  # senders delivering by SMTP at once
_PARSE_INLINE_BYTES = 256 * 1024  # larger messages are parsed on a worker thread
_MAX_SUBJECT = 300  # the timeline's column
_MAX_ID = 200  # the timeline's provider_id column
_FETCH_LINE = re.compile(rb"^\d+ FETCH \(")
_UID = re.compile(rb"\bUID (\d+)")
_SIZE = re.compile(rb"\bRFC822\.SIZE (\d+)")
_UIDVALIDITY = re.compile(rb"\[UIDVALIDITY (\d+)\]")
_REPLY_PREFIX = re.compile(r"^\s*(re|aw|ответ|отв)\s*(\[\d+\])?\s*:", re.IGNORECASE)


class _Protocol(aioimaplib.IMAP4ClientProtocol):  # type: ignore[misc]
    """aioimaplib's protocol, reading a chunk of answers in a loop: its own recursion per line
    overflows the stack when one chunk holds ~1,000 lines (a FETCH of sizes of a full mailbox),
    which kills the connection on every try."""

    def _handle_responses(self, data: bytes, line_handler: Any, current_cmd: Any = None) -> None:
        imap = aioimaplib.aioimaplib
        while True:
            if not data:
                if self.pending_sync_command is not None:
                    self.pending_sync_command.flush()
                if current_cmd is not None and current_cmd.wait_data():
                    raise imap.IncompleteRead(current_cmd)
                return
            if current_cmd is not None and current_cmd.wait_literal_data():
                data = current_cmd.append_literal_data(data)
                if current_cmd.wait_literal_data():
                    raise imap.IncompleteRead(current_cmd)
            line, separator, tail = data.partition(imap.CRLF)
            if not separator:
                raise imap.IncompleteRead(current_cmd, data)
            cmd = line_handler(line, current_cmd)
            literal = imap.literal_data_re.match(line)
            if literal:
                if cmd is None:
                    cmd = imap.Command("NIL", "unused")
                cmd.begin_literal_data(int(literal.group("size")))
                data, current_cmd = tail, cmd
            elif cmd is not None and cmd.wait_data():
                data, current_cmd = tail, cmd
            else:
                data, current_cmd = tail, None


class _Imap(aioimaplib.IMAP4):  # type: ignore[misc]
    def create_client(
        self,
        host: str,
        port: int,
        loop: asyncio.AbstractEventLoop | None,
        conn_lost_cb: Any = None,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        running = loop or asyncio.get_running_loop()
        self.protocol = _Protocol(running, conn_lost_cb)
        self._client_task = running.create_task(
            running.create_connection(lambda: self.protocol, host, port, ssl=ssl_context)
        )


class ImapError(Exception):
    """The IMAP server said no (or said something we cannot read)."""


@dataclass(frozen=True, slots=True)
class EmailConfig:
    imap_host: str
    imap_port: int
    imap_tls: str
    username: str
    mailboxes: tuple[str, ...]
    poll_s: float
    smtp_host: str
    smtp_port: int
    smtp_tls: str
    smtp_username: str
    from_address: str
    from_name: str
    max_message_bytes: int
    max_file_bytes: int
    # Mail delivered by SMTP to a port of the gateway (an MX or a relay hands it over), beside
    # or instead of IMAP; 0: off. Only these recipients are taken (no open relay).
    smtp_listen_port: int = 0
    smtp_listen_host: str = "127.0.0.1"
    accept_recipients: tuple[str, ...] = ()


def _choice(section: Section, key: str, default: str, allowed: tuple[str, ...], host: str) -> str:
    value = section.get(key, default).strip().lower()
    if value not in allowed:
        raise ConfigError(f"{section.where} {key}: one of {', '.join(allowed)}, got {value!r}")
    if value == "none" and host not in _LOOPBACK:
        raise ConfigError(f'{section.where} {key} = "none" is only for a server on 127.0.0.1')
    return value


@dataclass(slots=True)
class _Fetched:
    uid: int
    raw: bytes
    size: int
    truncated: bool


class EmailAdapter(Adapter):
    channel = "email"
    kind = "email"
    # IDLE is ended and issued again at least this often (servers log out idle clients at 30).
    idle_reissue_s: float = 29 * 60
    imap_timeout_s: float = 30.0
    smtp_timeout_s: float = 30.0
    backoff_max_s: float = 60.0
    use_idle = True  # when the server offers it
    ingest_concurrency = 8  # messages of different senders handed to the inbox at once
    max_attempts = 5  # the inbox refusing one message this often in a row passes over it

    def __init__(
        self, name: str, config: EmailConfig, password: Secret, smtp_password: Secret
    ) -> None:
        super().__init__(name)
        self.config = config
        self._password = password
        self._smtp_password = smtp_password
        self.ctx: AdapterContext | None = None
        self._stopping = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._threads: dict[str, dict[str, Any]] = {}
        self._threads_cursor: Cursor | None = None
        self._threads_dirty = False
        self._mailbox_cursor: Cursor | None = None
        self._cursors: dict[str, dict[str, int]] = {}
        # Counted for the logs and the tests: what was read and not handed over as a message.
        self.idle_rounds = 0
        self._refusals: dict[tuple[str, int], int] = {}
        self.counts = {
            "ingested": 0,
            "auto_replies": 0,
            "bounces": 0,
            "oversized": 0,
            "no_sender": 0,
            "passed_over": 0,
        }
        self.tls_context: ssl.SSLContext | None = None  # tests trust their own CA here
        self._smtp_server: asyncio.Server | None = None

    # --- configuration ------------------------------------------------------------------

    @classmethod
    def from_section(cls, section: Section) -> EmailAdapter:
        imap_host = section.required("imap_host")
        smtp_host = section.required("smtp_host")
        username = section.required("username")
        from_address = section.required("from_address")
        if "@" not in from_address or any(c in from_address for c in "\r\n <>"):
            raise ConfigError(f"{section.where} from_address: expected an e-mail address")
        mailboxes = tuple(m.strip() for m in section.get("mailboxes", ["INBOX"]) if m.strip())
        if not mailboxes:
            raise ConfigError(f"{section.where} mailboxes: name at least one mailbox")
        if any(any(c in m for c in '"\r\n\\') for m in mailboxes):
            raise ConfigError(f"{section.where} mailboxes: a mailbox name without quotes")
        poll_s = float(section.get("poll_s", 60.0))
        if poll_s < 1:
            raise ConfigError(f"{section.where} poll_s: at least 1 second")
        config = EmailConfig(
            imap_host=imap_host,
            imap_port=section.get("imap_port", 993),
            imap_tls=_choice(section, "imap_tls", "tls", ("tls", "starttls", "none"), imap_host),
            username=username,
            mailboxes=mailboxes,
            poll_s=poll_s,
            smtp_host=smtp_host,
            smtp_port=section.get("smtp_port", 587),
            smtp_tls=_choice(
                section, "smtp_tls", "starttls", ("starttls", "tls", "none"), smtp_host
            ),
            smtp_username=section.get("smtp_username", "").strip() or username,
            from_address=from_address,
            from_name=section.get("from_name", "").strip(),
            max_message_bytes=section.get("max_message_bytes", 25 * MB),
            max_file_bytes=section.get("max_file_bytes", 10 * MB),
            smtp_listen_port=section.get("smtp_listen_port", 0),
            smtp_listen_host=section.get("smtp_listen_host", "127.0.0.1").strip(),
            accept_recipients=tuple(
                r.strip().lower()
                for r in section.get("accept_recipients", [from_address])
                if r.strip()
            ),
        )
        if config.smtp_listen_port > 65535:
            raise ConfigError(f"{section.where} smtp_listen_port: a port, 1-65535 (0: off)")
        if config.smtp_listen_port and not config.accept_recipients:
            raise ConfigError(f"{section.where} accept_recipients: name who mail is taken for")
        password = section.secret("password")
        smtp_password = section.secret("smtp_password", required=False)
        return cls(section.name, config, password, smtp_password or password)

    # --- life cycle ---------------------------------------------------------------------

    async def start(self, ctx: AdapterContext) -> None:
        self.ctx = ctx
        self._stopping.clear()
        self._mailbox_cursor = Cursor(ctx.state_dir / "imap.json")
        self._threads_cursor = Cursor(ctx.state_dir / "threads.json")
        self._cursors = dict(self._mailbox_cursor.load({}))
        try:
            self._threads = dict(self._threads_cursor.load({}))
        except RuntimeError as exc:  # replies lose their threading, nothing else
            log.warning("%s: %s: starting without threads", self.name, exc)
            self._threads = {}
        self._tasks = [
            asyncio.create_task(self._watch(mailbox), name=f"email-{self.name}-{mailbox}")
            for mailbox in self.config.mailboxes
        ]
        if self.config.smtp_listen_port:
            handler = _SmtpInbound(self)
            config = self.config
            self._smtp_server = await asyncio.get_running_loop().create_server(
                lambda: _BoundedSMTP(
                    handler,
                    data_size_limit=config.max_message_bytes,
                    enable_SMTPUTF8=True,
                    hostname=config.from_address.rsplit("@", 1)[1],
                    ident="OmniDesk",
                ),
                config.smtp_listen_host,
                config.smtp_listen_port,
            )

    async def stop(self) -> None:
        """Let a message being handed over finish (its cursor saved), then close."""
        self._stopping.set()
        if self._smtp_server is not None:
            self._smtp_server.close()
            await self._smtp_server.wait_closed()
            self._smtp_server = None
        if not self._tasks:
            return
        _done, pending = await asyncio.wait(self._tasks, timeout=5)
        for task in pending:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []

    # --- inbound ------------------------------------------------------------------------

    async def _watch(self, mailbox: str) -> None:
        backoff = min(1.0, self.backoff_max_s)
        while not self._stopping.is_set():
            client: aioimaplib.IMAP4 | None = None
            try:
                client = await self._connect()
                state = await self._select(client, mailbox)
                backoff = min(1.0, self.backoff_max_s)
                while not self._stopping.is_set():
                    await self._drain(client, mailbox, state)
                    self.tracker.ok()
                    await self._wait_for_mail(client)
            except asyncio.CancelledError:
                raise
            except ImapError as exc:
                self.tracker.failed(f"IMAP: {exc}"[:200], down=True)
                log.warning("%s: IMAP %s: %s", self.name, mailbox, exc)
            except (OSError, TimeoutError, aioimaplib.AioImapException) as exc:
                self.tracker.failed(f"IMAP unreachable: {type(exc).__name__}", down=True)
                log.warning("%s: IMAP %s unreachable (%s)", self.name, mailbox, type(exc).__name__)
            except Exception as exc:
                # (the hub failing to take a message, say; its text could carry the mail's)
                self.tracker.failed(f"handing mail over failed: {type(exc).__name__}")
                log.warning("%s: reading %s failed (%s)", self.name, mailbox, type(exc).__name__)
            finally:
                if client is not None:
                    await self._close(client)
            if await sleep_or_stop(self._stopping, backoff):
                return
            backoff = min(backoff * 2, self.backoff_max_s)

    async def _connect(self) -> aioimaplib.IMAP4:
        c = self.config
        client = _Imap(
            c.imap_host,
            c.imap_port,
            timeout=self.imap_timeout_s,
            ssl_context=self._ssl() if c.imap_tls == "tls" else None,
        )
        try:
            await client.wait_hello_from_server()
            if c.imap_tls == "starttls":
                await self._starttls(client)
            answer = await client.login(c.username, self._password.reveal())
            if answer.result != "OK":
                raise ImapError("login refused")
        except BaseException:
            await self._close(client)
            raise
        return client

    async def _starttls(self, client: aioimaplib.IMAP4) -> None:
        # aioimaplib knows the command but not the upgrade: swap the transport under it.
        protocol = client.protocol
        if "STARTTLS" not in protocol.capabilities:
            raise ImapError("the server offers no STARTTLS")
        command = aioimaplib.Command("STARTTLS", protocol.new_tag(), loop=protocol.loop)
        answer = await asyncio.wait_for(protocol.execute(command), self.imap_timeout_s)
        if answer.result != "OK":
            raise ImapError("STARTTLS refused")
        loop = asyncio.get_running_loop()
        transport = await loop.start_tls(
            protocol.transport, protocol, self._ssl(), server_hostname=self.config.imap_host
        )
        protocol.transport = transport
        await asyncio.wait_for(protocol.capability(), self.imap_timeout_s)

    def _ssl(self) -> ssl.SSLContext:
        return self.tls_context or ssl.create_default_context()

    async def _close(self, client: aioimaplib.IMAP4) -> None:
        with contextlib.suppress(Exception):
            if client.has_pending_idle():
                client.idle_done()
            await asyncio.wait_for(client.logout(), 2)
        with contextlib.suppress(Exception):
            if client.protocol.transport is not None:
                client.protocol.transport.close()

    async def _select(self, client: aioimaplib.IMAP4, mailbox: str) -> dict[str, int]:
        answer = await client.select(f'"{imap_utf7(mailbox)}"')
        if answer.result != "OK":
            raise ImapError(f"cannot select mailbox {mailbox}")
        validity = next(
            (int(m.group(1)) for line in answer.lines if (m := _UIDVALIDITY.search(bytes(line)))),
            0,
        )
        state = self._cursors.get(mailbox)
        if state is None or state.get("uidvalidity") != validity:
            if state is not None:
                log.info("%s: %s has a new UIDVALIDITY: reading it again", self.name, mailbox)
            state = {"uidvalidity": validity, "last_uid": 0}
            self._cursors[mailbox] = state
        return state

    async def _wait_for_mail(self, client: aioimaplib.IMAP4) -> None:
        wait_s = min(self.config.poll_s, self.idle_reissue_s)
        if not (self.use_idle and client.has_capability("IDLE")):
            await sleep_or_stop(self._stopping, self.config.poll_s)
            return
        self.idle_rounds += 1
        idle = await client.idle_start(timeout=wait_s)
        push = asyncio.ensure_future(client.wait_server_push(timeout=wait_s + 30))
        stopping = asyncio.ensure_future(self._stopping.wait())
        try:
            await asyncio.wait({push, stopping}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (push, stopping):
                task.cancel()
            if push.done() and not push.cancelled():
                push.exception()  # a timeout here only ends this round
            client.idle_done()
        await asyncio.wait_for(idle, self.imap_timeout_s)

    async def _drain(self, client: aioimaplib.IMAP4, mailbox: str, state: dict[str, int]) -> None:
        """Hand every message newer than the cursor to the inbox, in UID order."""
        last = state["last_uid"]
        answer = await client.uid("fetch", f"{last + 1}:*", "(UID RFC822.SIZE)")
        if answer.result != "OK":
            raise ImapError("UID FETCH refused")
        # The server answers with the newest message even when nothing is new: drop it.
        # (a flags update for a message may come along: one entry per UID, its size known)
        by_uid: dict[int, int] = {}
        for uid, size, _ in _fetch_records(answer.lines):
            if uid > last:
                by_uid[uid] = max(size, by_uid.get(uid, -1))
        sizes = sorted(by_uid.items())
        done = last
        try:
            for batch in _batches(sizes, self.config.max_message_bytes):
                if self._stopping.is_set():
                    return
                fetched = await self._fetch(client, batch)
                handled: set[int] = set()
                try:
                    await self._hand_over(fetched, mailbox, handled)
                finally:
                    # The cursor passes only what was taken, and everything before it.
                    for one in fetched:
                        if one.uid not in handled:
                            break
                        done = one.uid
        finally:
            if done != last:
                state["last_uid"] = done
                self._save()

    async def _hand_over(self, fetched: list[_Fetched], mailbox: str, handled: set[int]) -> None:
        """One batch to the inbox: each sender's mail in order, several senders at once (the
        hub writes them together); the UIDs taken are added to ``handled``."""
        by_sender: dict[str, list[tuple[_Fetched, ParsedMail]]] = {}
        for one in fetched:
            if len(one.raw) > _PARSE_INLINE_BYTES:  # seconds of parsing: not on the loop
                mail = await asyncio.to_thread(
                    parse, one.raw, max_file_bytes=self.config.max_file_bytes
                )
            else:
                mail = parse(one.raw, max_file_bytes=self.config.max_file_bytes)
            by_sender.setdefault(mail.from_address, []).append((one, mail))
        slots = asyncio.Semaphore(self.ingest_concurrency)

        async def in_order(items: list[tuple[_Fetched, ParsedMail]]) -> None:
            for one, mail in items:
                if self._stopping.is_set():
                    return
                async with slots:
                    try:
                        await self._handle(one, mail, mailbox)
                    except Exception:
                        if not self._give_up(mailbox, one.uid):
                            raise
                handled.add(one.uid)

        results = await asyncio.gather(
            *(in_order(items) for items in by_sender.values()), return_exceptions=True
        )
        failed = next((r for r in results if isinstance(r, BaseException)), None)
        if failed is not None:
            raise failed

    async def _fetch(
        self, client: aioimaplib.IMAP4, batch: list[tuple[int, int]]
    ) -> list[_Fetched]:
        limit = self.config.max_message_bytes
        if len(batch) == 1 and batch[0][1] > limit:
            # Too large to download: its header and the start of its body only.
            uid, size = batch[0]
            parts = f"(UID BODY.PEEK[HEADER] BODY.PEEK[TEXT]<0.{_PREFIX_BYTES}>)"
            answer = await client.uid("fetch", str(uid), parts)
            if answer.result != "OK":
                raise ImapError("UID FETCH refused")
            got = {
                u: b"".join(literals) for u, _, literals in _fetch_records(answer.lines) if literals
            }
            if uid not in got:
                raise ImapError("the server did not send the message asked for")
            return [_Fetched(uid, got[uid], size, True)]
        uids = ",".join(str(uid) for uid, _ in batch)
        answer = await client.uid("fetch", uids, "(UID BODY.PEEK[])")
        if answer.result != "OK":
            raise ImapError("UID FETCH refused")
        got = {u: literals[0] for u, _, literals in _fetch_records(answer.lines) if literals}
        for uid, _ in batch:
            if uid in got:
                continue
            # Asked once more on its own: only a message expunged in between is passed over.
            answer = await client.uid("fetch", str(uid), "(UID BODY.PEEK[])")
            if answer.result != "OK":
                raise ImapError("UID FETCH refused")
            for u, _, literals in _fetch_records(answer.lines):
                if u == uid and literals:
                    got[uid] = literals[0]
            if uid not in got:
                log.info("%s: message UID %d is gone from the mailbox", self.name, uid)
        return [_Fetched(uid, got[uid], size, False) for uid, size in batch if uid in got]

    def _give_up(self, mailbox: str, uid: int) -> bool:
        """Whether a message the inbox refused once more is to be passed over: one the hub
        refuses every time must not hold up the mailbox behind it for ever."""
        key = (mailbox, uid)
        self._refusals[key] = self._refusals.get(key, 0) + 1
        if self._refusals[key] < self.max_attempts:
            return False
        del self._refusals[key]
        self.counts["passed_over"] += 1
        log.error(
            "%s: message %s/%d refused %d times: passed over (it stays in the mailbox)",
            self.name,
            mailbox,
            uid,
            self.max_attempts,
        )
        return True

    async def _handle(self, fetched: _Fetched, mail: ParsedMail, mailbox: str) -> None:
        assert self.ctx is not None
        ref = f"{mailbox}/{fetched.uid}"
        if mail.bounce is not None:
            self.counts["bounces"] += 1
            await self._bounce(mail, ref)
            return
        if mail.auto:
            self.counts["auto_replies"] += 1
            log.info("%s: auto-reply %s (%s) not taken as a message", self.name, ref, _tag(mail))
            return
        if not mail.from_address:
            self.counts["no_sender"] += 1
            log.warning("%s: message %s has no sender address: skipped", self.name, ref)
            return
        provider_id = mail.message_id if 0 < len(mail.message_id) <= _MAX_ID else ""
        provider_id = provider_id or fingerprint(fetched.raw)
        extra: dict[str, Any] = {
            "message_id": mail.message_id,
            "in_reply_to": mail.in_reply_to,
            "references": mail.references,
            "html": mail.html_sanitised,
            "quoted": mail.quoted,
        }
        files = mail.files
        refused = list(mail.refused_files)
        if fetched.truncated:
            self.counts["oversized"] += 1
            files = []  # cut off mid-way: what is there is not the file
            refused.append(
                {
                    "name": "(message)",
                    "reason": f"the message is {fetched.size} bytes, over "
                    f"{self.config.max_message_bytes}: its files were not downloaded",
                }
            )
            extra["note"] = (
                f"The message is {fetched.size} bytes, over this mailbox's limit of "
                f"{self.config.max_message_bytes}: only its start was read, no files."
            )
            log.info("%s: message %s of %d bytes read in part", self.name, ref, fetched.size)
        if refused:
            extra["refused_files"] = refused
        if mail.broken:
            extra["broken"] = True
        await self.ctx.inbox.ingest(
            InboundMessage(
                channel="email",
                identity_kind="email",
                identity_value=mail.from_address,
                text=mail.text,
                kind="email",
                subject=mail.subject[:_MAX_SUBJECT],
                provider_id=provider_id,
                display_name=mail.from_name[:200],
                verified=False,  # a From header proves nothing: the hub decides
                extra=extra,
                files=files,
            )
        )
        self.counts["ingested"] += 1
        if mail.message_id:
            self._remember(mail)

    async def _bounce(self, mail: ParsedMail, ref: str) -> None:
        assert self.ctx is not None and mail.bounce is not None
        bounce = mail.bounce
        state = {"failed": "failed", "delivered": "delivered", "relayed": "sent"}.get(bounce.action)
        if state is None or not bounce.original_message_id:
            log.info("%s: delivery report %s (%s) needs nothing", self.name, ref, bounce.action)
            return
        error = " ".join(p for p in (bounce.status, bounce.diagnostic) if p)[:300]
        known = await self.ctx.inbox.receipt("email", bounce.original_message_id, state, error)
        log.info(
            "%s: delivery report %s: %s %s (%s)",
            self.name,
            ref,
            bounce.action,
            bounce.status,
            "ours" if known else "not a message of ours",
        )

    def _remember(self, mail: ParsedMail) -> None:
        address = mail.from_address
        self._threads.pop(address, None)
        self._threads[address] = {
            "message_id": mail.message_id,
            "references": (mail.references or ([mail.in_reply_to] if mail.in_reply_to else []))[
                -20:
            ],
            "subject": mail.subject[:_MAX_SUBJECT],
        }
        while len(self._threads) > _MAX_THREADS:
            self._threads.pop(next(iter(self._threads)))
        self._threads_dirty = True

    def _save(self) -> None:
        assert self._mailbox_cursor is not None and self._threads_cursor is not None
        # Threads first: a crash in between re-reads messages, it never loses a thread.
        if self._threads_dirty:
            self._threads_cursor.save(self._threads)
            self._threads_dirty = False
        self._mailbox_cursor.save(self._cursors)

    # --- outbound -----------------------------------------------------------------------

    async def send(self, msg: OutboundMessage) -> str:
        assert self.ctx is not None, "send before start"
        c = self.config
        to = msg.address.strip()
        if "@" not in to or any(ch in to for ch in "\r\n<>, ") or len(to) > 320:
            raise ChannelUnavailable("not an e-mail address", retry=False)
        thread = self._threads.get(to.lower())
        domain = c.from_address.rsplit("@", 1)[1]
        message_id = f"<omnidesk.{msg.event_id}.{secrets.token_hex(8)}@{domain}>"
        em = EmailMessage()
        em["From"] = formataddr((c.from_name or " ".join(msg.author.split()), c.from_address))
        em["To"] = to
        em["Subject"] = self._subject(msg, thread)
        em["Date"] = formatdate(localtime=False, usegmt=True)
        em["Message-ID"] = message_id
        if thread is not None:
            em["In-Reply-To"] = thread["message_id"]
            em["References"] = " ".join([*thread["references"], thread["message_id"]])
        # A person answers: no Auto-Submitted, but ask Exchange not to auto-reply to us.
        em["X-Auto-Response-Suppress"] = "All"
        em.set_content(msg.text)
        for view in msg.attachments:
            try:
                file = await self.ctx.read_file(int(view["id"]))
            except Exception as exc:
                raise ChannelUnavailable("an attachment cannot be read", retry=False) from exc
            maintype, _, subtype = (file.mime or "application/octet-stream").partition("/")
            em.add_attachment(
                file.data, maintype=maintype, subtype=subtype or "octet-stream", filename=file.name
            )
        await self._submit(em, to)
        self.tracker.ok()
        log.info("%s: event %d sent", self.name, msg.event_id)
        return message_id

    @staticmethod
    def _subject(msg: OutboundMessage, thread: dict[str, Any] | None) -> str:
        subject = " ".join(msg.subject.split())
        if not subject and thread is not None and thread.get("subject"):
            theirs = str(thread["subject"])
            subject = theirs if _REPLY_PREFIX.match(theirs) else f"Re: {theirs}"
        tag = f"[#{msg.customer_id}]"
        if tag not in subject:
            subject = f"{subject} {tag}".strip()
        return subject[:_MAX_SUBJECT]

    async def _submit(self, em: EmailMessage, to: str) -> None:
        c = self.config
        smtp = aiosmtplib.SMTP(
            hostname=c.smtp_host,
            port=c.smtp_port,
            use_tls=c.smtp_tls == "tls",
            start_tls=c.smtp_tls == "starttls",
            timeout=self.smtp_timeout_s,
            tls_context=self.tls_context,
        )
        try:
            try:
                await smtp.connect()
                if not smtp.esmtp_extensions:  # STARTTLS forgot the first EHLO's answer
                    await smtp.ehlo()
                if smtp.supports_extension("auth") and self._smtp_password:
                    await smtp.login(c.smtp_username, self._smtp_password.reveal())
                await smtp.mail(c.from_address)
                await smtp.rcpt(to)
            except aiosmtplib.SMTPResponseException as exc:
                # Before DATA nothing was taken: a 4xx may pass, a 5xx will not.
                self._smtp_failed(f"SMTP {exc.code} before DATA", exc.code)
                raise ChannelUnavailable(f"SMTP {exc.code}", retry=400 <= exc.code < 500) from exc
            except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
                self.tracker.failed(f"SMTP unreachable: {type(exc).__name__}", down=True)
                raise ChannelUnavailable("the SMTP server cannot be reached", retry=True) from exc
            try:
                await smtp.data(em.as_bytes(policy=policy.SMTP))
            except aiosmtplib.SMTPResponseException as exc:
                # Refused at the end of DATA: the server did not take it.
                self._smtp_failed(f"SMTP {exc.code} after DATA", exc.code)
                raise ChannelUnavailable(f"SMTP {exc.code}", retry=400 <= exc.code < 500) from exc
            except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
                # The message went out and no answer came: it may be queued already.
                self.tracker.failed(f"SMTP no answer after DATA: {type(exc).__name__}")
                raise ChannelUnavailable(
                    "no answer after the message was sent", retry=False
                ) from exc
        finally:
            with contextlib.suppress(Exception):
                if smtp.is_connected:
                    await asyncio.wait_for(smtp.quit(), 2)
            smtp.close()

    def _smtp_failed(self, detail: str, code: int) -> None:
        if 400 <= code < 500 or code in (530, 535):  # busy, or our credentials are wrong
            self.tracker.failed(detail, down=code in (530, 535))
        log.info("%s: %s", self.name, detail)


class _BoundedSMTP(SMTP):
    """At most SMTP_CONNECTIONS senders at once (an MX holds few); the next is told 421."""

    open_connections = 0

    def connection_made(self, transport: Any) -> None:
        if _BoundedSMTP.open_connections >= SMTP_CONNECTIONS:
            transport.write(b"421 4.7.0 too many connections, try again later\r\n")
            transport.close()
            return
        _BoundedSMTP.open_connections += 1
        self._counted = True
        super().connection_made(transport)

    def connection_lost(self, error: Exception | None) -> None:
        if getattr(self, "_counted", False):
            _BoundedSMTP.open_connections -= 1
            self._counted = False
            super().connection_lost(error)


class _SmtpInbound:
    """aiosmtpd's handler: mail for our recipients, answered 250 only once the inbox took it
    (451 otherwise, so the sending server tries again: nothing is lost)."""

    def __init__(self, adapter: EmailAdapter) -> None:
        self.adapter = adapter
        self.received = 0

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        if address.strip().lower() not in self.adapter.config.accept_recipients:
            return "550 5.1.1 no such recipient here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        adapter = self.adapter
        raw = envelope.original_content or b""
        if not isinstance(raw, bytes) or not raw:
            return "554 5.6.0 an empty message"
        max_files = adapter.config.max_file_bytes
        if len(raw) > _PARSE_INLINE_BYTES:
            mail = await asyncio.to_thread(parse, raw, max_file_bytes=max_files)
        else:
            mail = parse(raw, max_file_bytes=max_files)
        self.received += 1
        try:
            await adapter._handle(_Fetched(self.received, raw, len(raw), False), mail, "smtp")
        except Exception as exc:
            log.warning(
                "%s: mail by SMTP not taken (%s): the sender is asked to try again",
                adapter.name,
                type(exc).__name__,
            )
            return "451 4.3.0 not taken now, try again later"
        return "250 OK"


def imap_utf7(name: str) -> str:
    """A mailbox name as IMAP writes it (RFC 3501 §5.1.3, modified UTF-7): "Входящие" is
    "&BBIERQQ+BDQETwRJBDgENQ-"."""
    out: list[str] = []
    pending: list[str] = []

    def flush() -> None:
        if pending:
            encoded = base64.b64encode("".join(pending).encode("utf-16-be")).decode()
            out.append("&" + encoded.rstrip("=").replace("/", ",") + "-")
            pending.clear()

    for ch in name:
        if 0x20 <= ord(ch) <= 0x7E:
            flush()
            out.append("&-" if ch == "&" else ch)
        else:
            pending.append(ch)
    flush()
    return "".join(out)


def _tag(mail: ParsedMail) -> str:
    """A short, stable tag of a message for the logs (a Message-ID may name a person)."""
    return hashlib.sha256(mail.message_id.encode()).hexdigest()[:12] if mail.message_id else "-"


def _fetch_records(lines: list[Any]) -> list[tuple[int, int, list[bytes]]]:
    """(uid, size, literals) per message of a FETCH answer: aioimaplib gives the response lines
    as bytes and each literal as a bytearray right after the line that announced it."""
    records: list[tuple[int, int, list[bytes]]] = []
    uid = size = -1
    literals: list[bytes] = []
    for line in lines:
        if isinstance(line, bytearray):
            literals.append(bytes(line))
            continue
        if not isinstance(line, bytes):
            continue
        if _FETCH_LINE.match(line):
            if uid >= 0:
                records.append((uid, size, literals))
            uid, size, literals = -1, -1, []
        if (m := _UID.search(line)) is not None and uid < 0:
            uid = int(m.group(1))
        if (m := _SIZE.search(line)) is not None:
            size = int(m.group(1))
    if uid >= 0:
        records.append((uid, size, literals))
    return records


def _batches(sizes: list[tuple[int, int]], limit: int) -> list[list[tuple[int, int]]]:
    """UIDs in order, grouped for one FETCH each; an over-sized message goes alone."""
    out: list[list[tuple[int, int]]] = []
    current: list[tuple[int, int]] = []
    total = 0
    for uid, size in sizes:
        if size > limit:
            if current:
                out.append(current)
                current, total = [], 0
            out.append([(uid, size)])
            continue
        if current and (len(current) >= _BATCH_MESSAGES or total + size > _BATCH_BYTES):
            out.append(current)
            current, total = [], 0
        current.append((uid, size))
        total += size
    if current:
        out.append(current)
    return out
