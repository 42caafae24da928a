"""The e-mail adapter against real servers: Dovecot (IMAP, started here on a free loopback port)
for mail in, aiosmtpd (SMTP) for replies out."""

from __future__ import annotations

import asyncio
import json
import logging
import ssl
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import aiosmtplib
import pytest
from sqlalchemy import select

from services.channels import catalog
from services.channels.base import AdapterContext
from services.channels.email import EmailAdapter
from services.config import ConfigError
from services.domain.inbox import (
    ChannelUnavailable,
    InboundFile,
    InboundMessage,
    IngestResult,
    OutboundMessage,
)
from services.store import tables
from tests.gateway.conftest import start_gateway
from tests.support import mails
from tests.support.fake_email import DOVECOT, PASSWORD, USER, Dovecot, FakeSmtp, LocalCA
from tests.support.net import free_port
from tests.support.opclient import OpClient
from tests.support.recording_inbox import RecordingInbox

ENV = {"MAIL_PASSWORD": PASSWORD}


@pytest.fixture
def dovecot() -> Iterator[Dovecot]:
    if DOVECOT is None:
        pytest.skip("dovecot is not installed (apt-get install dovecot-imapd): no IMAP server")
    server = Dovecot()
    server.start()
    yield server
    server.close()


@pytest.fixture
def smtp() -> Iterator[FakeSmtp]:
    server = FakeSmtp()
    server.start()
    yield server
    server.stop()


def section(dovecot: Dovecot, smtp: FakeSmtp, **extra: Any) -> dict[str, Any]:
    return {
        "type": "email",
        "imap_host": "127.0.0.1",
        "imap_port": dovecot.port,
        "imap_tls": "none",
        "username": USER,
        "password_env": "MAIL_PASSWORD",
        "smtp_host": "127.0.0.1",
        "smtp_port": smtp.port,
        "smtp_tls": "none",
        "from_address": "support@shop.example",
        "from_name": "Shop support",
        "poll_s": 5,
        **extra,
    }


class CountingInbox(RecordingInbox):
    """Counts every hand-over (a duplicate too) and may act on the n-th one."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[str | None] = []
        self.on_call: Any = None

    async def ingest(self, msg: InboundMessage) -> IngestResult:
        result = await super().ingest(msg)
        self.calls.append(msg.provider_id)
        if self.on_call is not None:
            self.on_call(len(self.calls))
        await asyncio.sleep(0)  # the hub's ingest waits for its store: others run meanwhile
        return result


class Files:
    def __init__(self) -> None:
        self.files: dict[int, InboundFile] = {}

    async def read(self, file_id: int) -> InboundFile:
        return self.files[file_id]


@pytest.fixture
async def running(
    dovecot: Dovecot, smtp: FakeSmtp, tmp_path: Path
) -> AsyncIterator[tuple[EmailAdapter, CountingInbox, Files]]:
    adapter, inbox, files = await start_adapter(section(dovecot, smtp), tmp_path)
    yield adapter, inbox, files
    await adapter.stop()


@pytest.fixture
async def smtp_only(
    smtp: FakeSmtp, tmp_path: Path
) -> AsyncIterator[tuple[EmailAdapter, CountingInbox, Files]]:
    """An adapter for sending only: its IMAP side knocks on a closed port meanwhile."""

    class NoImap:
        port = free_port()

    values = section(NoImap(), smtp)  # type: ignore[arg-type]
    adapter, inbox, files = await start_adapter(values, tmp_path)
    yield adapter, inbox, files
    await adapter.stop()


async def start_adapter(
    values: dict[str, Any],
    tmp_path: Path,
    inbox: CountingInbox | None = None,
    tls: ssl.SSLContext | None = None,
    env: dict[str, str] | None = None,
) -> tuple[EmailAdapter, CountingInbox, Files]:
    (adapter,) = catalog.build({"email": values}, env or ENV)
    assert isinstance(adapter, EmailAdapter)
    adapter.backoff_max_s = 0.3
    adapter.tls_context = tls
    inbox = inbox or CountingInbox()
    files = Files()
    ctx = AdapterContext(
        inbox, tmp_path / "state", "http://127.0.0.1:1", "/hooks/email", _spawn, files.read
    )
    await adapter.start(ctx)
    return adapter, inbox, files


_background: set[asyncio.Task[Any]] = set()


def _spawn(coro: Any) -> None:
    task = asyncio.ensure_future(coro)
    _background.add(task)
    task.add_done_callback(_background.discard)


async def until(predicate: Any, timeout: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.02)


# --- configuration --------------------------------------------------------------------------


def test_the_section_is_checked_with_the_setting_named() -> None:
    base = {
        "type": "email",
        "imap_host": "imap.shop.example",
        "username": USER,
        "password_env": "MAIL_PASSWORD",
        "smtp_host": "smtp.shop.example",
        "from_address": "support@shop.example",
    }
    (adapter,) = catalog.build({"mail": base}, ENV)
    assert isinstance(adapter, EmailAdapter)
    c = adapter.config
    assert (c.imap_port, c.imap_tls, c.smtp_port, c.smtp_tls) == (993, "tls", 587, "starttls")
    assert c.mailboxes == ("INBOX",) and c.smtp_username == USER and c.poll_s == 60
    assert c.max_file_bytes == 10 * 1024 * 1024 and c.max_message_bytes < 30 * 1024 * 1024
    refusals = [
        ({"imap_tls": "none"}, r"imap_tls = \"none\" is only for a server on 127.0.0.1"),
        ({"smtp_tls": "ssl"}, "smtp_tls: one of starttls, tls, none"),
        ({"from_address": "support"}, "from_address: expected an e-mail address"),
        ({"mailboxes": []}, "mailboxes: name at least one"),
        ({"imap_prot": 143}, "unknown setting imap_prot"),
        ({"password": "inline"}, "secrets are not written in the file"),
    ]
    for change, says in refusals:
        with pytest.raises(ConfigError, match=says):
            catalog.build({"mail": {**base, **change}}, ENV)


# --- parsing: hostile and odd mail ----------------------------------------------------------


def test_html_is_sanitised_and_plain_text_preferred() -> None:
    from services.channels.email_parse import parse

    got = parse(mails.hostile_html())
    assert got.text == "Plain version"
    html = got.html_sanitised
    assert "<script" not in html and "alert" not in html and "onerror" not in html
    assert "https://track.example" not in html  # no remote image
    assert "url(" not in html and "<style" not in html  # no style loads
    assert 'src="cid:logo"' in html  # an inline image stays
    assert "data:text" not in html and "javascript" not in html and "<iframe" not in html
    assert 'href="https://shop.example/order"' in html and "noopener" in html
    only_html = parse(mails.html_only())
    assert only_html.text == "Hello\nsecond line" and "<b>" in only_html.html_sanitised


@pytest.mark.parametrize(
    ("raw", "subject", "name", "text"),
    [
        (mails.cyrillic("windows-1251"), "Заказ 5", "Иван Петров", "Где мой заказ?"),
        (mails.cyrillic("koi8-r"), "Заказ 5", "Иван Петров", "Где мой заказ?"),
        (mails.unlabelled_8bit("cp1251"), "Заказ", "Иван", "Где мой заказ?"),
        (mails.unlabelled_8bit("utf-8"), "Заказ", "Иван", "Где мой заказ?"),
    ],
)
def test_charsets_and_encoded_words(raw: bytes, subject: str, name: str, text: str) -> None:
    from services.channels.email_parse import parse

    got = parse(raw)
    assert (got.subject, got.from_name, got.from_address) == (subject, name, "ivan@example.org")
    assert got.text == text


def test_rfc2231_file_names_and_the_file_cap() -> None:
    from services.channels.email_parse import parse

    got = parse(mails.with_files(), max_file_bytes=1000)
    assert [(f.name, f.mime, f.data) for f in got.files] == [
        ("счёт №1.pdf", "application/pdf", b"%PDF-1.4 tiny"),
        ("Договор.txt", "text/plain", "текст".encode()),
    ]
    assert got.refused_files == [{"name": "big.bin", "reason": "5000 bytes, over 1000"}]


def test_broken_mime_never_raises_and_keeps_the_text() -> None:
    from services.channels.email_parse import parse

    for raw in mails.broken():
        got = parse(raw)
        assert "важный текст" in got.text or "important text" in got.text, raw[:80]


def test_quoted_history_and_signature_are_folded() -> None:
    from services.channels.email_parse import parse

    got = parse(mails.reply_with_history())
    assert got.text == "Thanks, that works.\nOne more question: when?"
    assert "On Mon, 7 Dec 2026" in got.quoted and "> What is your order" in got.quoted
    assert "Ivan, ACME" in got.quoted
    assert got.in_reply_to == "<out-1@shop.example>"
    assert got.references == ["<first@example.org>", "<out-1@shop.example>"]
    ru = parse(mails.reply_ru())
    assert ru.text == "Спасибо!" and "пишет:" in ru.quoted


def test_auto_replies_and_bounces_are_recognised() -> None:
    from services.channels.email_parse import parse

    for raw in mails.auto_replies():
        got = parse(raw)
        assert got.auto and got.bounce is None, raw[:120]
    assert not parse(mails.plain("Hello", "x")).auto  # Auto-Submitted: no is a person
    dsn = parse(mails.dsn("<omnidesk.7.ab@shop.example>"))
    assert dsn.bounce is not None and not dsn.auto
    assert dsn.bounce.original_message_id == "<omnidesk.7.ab@shop.example>"
    assert (dsn.bounce.recipient, dsn.bounce.action, dsn.bounce.status) == (
        "nobody@example.org",
        "failed",
        "5.1.1",
    )
    assert "no such user" in dsn.bounce.diagnostic
    full = parse(mails.dsn_with_original("<omnidesk.8.cd@shop.example>"))
    assert full.bounce is not None and full.text == "Delivery failed."
    assert (full.bounce.original_message_id, full.bounce.status) == (
        "<omnidesk.8.cd@shop.example>",
        "5.2.2",
    )
    delayed = parse(mails.dsn_with_original("<x@shop.example>", "delayed"))
    assert delayed.bounce is not None and delayed.bounce.action == "delayed"


# --- inbound through Dovecot ----------------------------------------------------------------


async def test_mail_in_the_mailbox_becomes_the_right_message(
    running: tuple[EmailAdapter, CountingInbox, Files],
    dovecot: Dovecot,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="services")
    adapter, inbox, _ = running
    await dovecot.append(mails.with_files())
    (got,) = await inbox.wait_for(1)
    assert (got.channel, got.kind, got.identity_kind, got.identity_value) == (
        "email",
        "email",
        "email",
        "ivan@example.org",
    )
    assert got.verified is False and got.display_name == "Иван"
    assert got.provider_id == "<files-1@example.org>" and got.subject == "Документы"
    assert got.text == "Прилагаю документы."
    assert [f.name for f in got.files] == ["счёт №1.pdf", "Договор.txt", "big.bin"]
    assert set(got.extra) >= {"message_id", "in_reply_to", "references", "html", "quoted"}
    # Mail arriving while the adapter waits (IDLE) comes in at once.
    await dovecot.append(mails.plain("Second", "the second one", message_id="<two@example.org>"))
    await inbox.wait_for(2)
    assert inbox.messages[1].provider_id == "<two@example.org>"
    assert adapter.health().state == "ok"
    # PEEK: the mailbox's other readers still see the mail as unread.
    assert not any(p.name.endswith(",S") for p in (dovecot.maildir() / "cur").iterdir())
    logged = caplog.text
    assert "ivan@example.org" not in logged and "Прилагаю" not in logged
    assert PASSWORD not in logged


async def test_idle_is_issued_again_and_polling_works_without_it(
    dovecot: Dovecot, smtp: FakeSmtp, tmp_path: Path
) -> None:
    (adapter,) = catalog.build({"email": section(dovecot, smtp)}, ENV)
    assert isinstance(adapter, EmailAdapter)
    adapter.idle_reissue_s = 0.2
    inbox = CountingInbox()
    ctx = AdapterContext(
        inbox, tmp_path / "idle", "http://127.0.0.1:1", "/hooks/email", _spawn, Files().read
    )
    await adapter.start(ctx)
    try:
        await until(lambda: adapter.idle_rounds >= 4)  # ended and issued again
        await dovecot.append(mails.plain("Idle", "x", "<idle@example.org>"))
        await inbox.wait_for(1)
        assert adapter.health().state == "ok"
    finally:
        await adapter.stop()
    values = section(dovecot, smtp, poll_s=1)
    (polling,) = catalog.build({"email": values}, ENV)
    assert isinstance(polling, EmailAdapter)
    polling.use_idle = False
    inbox = CountingInbox()
    ctx = AdapterContext(
        inbox, tmp_path / "poll", "http://127.0.0.1:1", "/hooks/email", _spawn, Files().read
    )
    await polling.start(ctx)
    try:
        await inbox.wait_for(1)
        await dovecot.append(mails.plain("Polled", "y", "<polled@example.org>"))
        await inbox.wait_for(2, timeout=5)
        assert polling.idle_rounds == 0
    finally:
        await polling.stop()


async def test_auto_replies_are_not_messages_and_bounces_are_receipts(
    running: tuple[EmailAdapter, CountingInbox, Files], dovecot: Dovecot
) -> None:
    adapter, inbox, _ = running
    ours = "<omnidesk.7.ab@shop.example>"
    inbox.known_outgoing.add(("email", ours))
    await dovecot.append(
        *mails.auto_replies(),
        mails.dsn(ours),
        mails.dsn_with_original(ours, "delayed"),  # not final: nothing to report
        mails.plain("Real", "a person", "<p@example.org>"),
    )
    (got,) = await inbox.wait_for(1)
    assert got.provider_id == "<p@example.org>"
    await until(lambda: adapter.counts["bounces"] == 2)
    assert adapter.counts["auto_replies"] == len(mails.auto_replies())
    (receipt,) = inbox.receipts
    assert (receipt.provider_id, receipt.state) == (ours, "failed")
    assert receipt.error.startswith("5.1.1") and "no such user" in receipt.error


async def test_a_30_mb_mail_is_taken_in_part_and_the_next_one_still_comes(
    running: tuple[EmailAdapter, CountingInbox, Files], dovecot: Dovecot
) -> None:
    adapter, inbox, _ = running
    await dovecot.append(
        mails.huge(30 * 1024 * 1024), mails.plain("After", "next", "<after@example.org>")
    )
    big, after = await inbox.wait_for(2, timeout=20)
    assert big.provider_id == "<huge@example.org>" and big.text.startswith("See the video")
    assert big.files == []
    (refused,) = big.extra["refused_files"]
    assert refused["name"] == "(message)" and "files were not downloaded" in refused["reason"]
    assert int(refused["reason"].split()[3]) > 30 * 1024 * 1024
    assert "only its start was read" in big.extra["note"]
    assert after.provider_id == "<after@example.org>" and adapter.counts["oversized"] == 1


async def test_restart_mid_stream_loses_nothing_and_repeats_nothing(
    dovecot: Dovecot, smtp: FakeSmtp, tmp_path: Path
) -> None:
    total, first_run = 12, 5
    await dovecot.append(
        *(mails.plain(f"n{i}", f"text {i}", f"<n{i}@example.org>") for i in range(total))
    )
    inbox = CountingInbox()
    adapter: EmailAdapter | None = None

    def stop_after(n: int) -> None:
        if n == first_run and adapter is not None:
            _spawn(adapter.stop())

    inbox.on_call = stop_after
    adapter, _, _ = await start_adapter(section(dovecot, smtp), tmp_path, inbox)
    await until(lambda: not adapter._tasks)  # stopped, between two messages
    assert len(inbox.calls) == first_run
    inbox.on_call = None
    again, _, _ = await start_adapter(section(dovecot, smtp), tmp_path, inbox)
    try:
        await until(lambda: len(inbox.calls) >= total)
        await asyncio.sleep(0.3)  # nothing further comes
        assert inbox.calls == [f"<n{i}@example.org>" for i in range(total)]
        path = tmp_path / "state" / "imap.json"
        await until(lambda: json.loads(path.read_text())["INBOX"]["last_uid"] == total)
    finally:
        await again.stop()


async def test_a_full_mailbox_is_read_whole(
    dovecot: Dovecot, smtp: FakeSmtp, tmp_path: Path
) -> None:
    total = 500
    await dovecot.deliver(
        *(mails.plain(f"m{i}", f"text {i}", f"<m{i}@example.org>") for i in range(total))
    )
    adapter, inbox, _ = await start_adapter(section(dovecot, smtp), tmp_path)
    try:
        await inbox.wait_for(total, timeout=20)
        assert len(set(inbox.calls)) == total and adapter.health().state == "ok"
    finally:
        await adapter.stop()


def test_fetch_answers_are_read_per_message() -> None:
    from services.channels.email import _fetch_records

    lines = [
        b"1 FETCH (UID 7 BODY[HEADER] {3}",
        bytearray(b"abc"),
        b" BODY[TEXT]<0> {2}",
        bytearray(b"de"),
        b")",
        b"2 FETCH (FLAGS (\\Seen) UID 8)",  # another client marked one read meanwhile
        b"2 FETCH (UID 8 RFC822.SIZE 20)",
        b"Fetch completed (0.001 + 0.000 secs).",
    ]
    assert _fetch_records(lines) == [(7, -1, [b"abc", b"de"]), (8, -1, []), (8, 20, [])]


async def test_thousands_of_answer_lines_in_one_read_are_parsed() -> None:
    # aioimaplib's own parser recursed once per line and overflowed on a big read (the sizes
    # of a full mailbox arriving while the loop was busy): the adapter's protocol loops.
    from services.channels.email import _Protocol

    class Transport:
        written: list[bytes] = []

        def write(self, data: bytes) -> None:
            self.written.append(data)

    protocol = _Protocol(asyncio.get_running_loop(), None)
    protocol.connection_made(Transport())
    protocol.state = "SELECTED"
    fetch = asyncio.create_task(protocol.fetch("1:*", "(UID RFC822.SIZE)", by_uid=True))
    await asyncio.sleep(0)
    tag = Transport.written[-1].split()[0]
    lines = b"".join(b"* %d FETCH (UID %d RFC822.SIZE 100)\r\n" % (i, i) for i in range(1, 5001))
    protocol.data_received(lines + tag + b" OK Fetch completed.\r\n")
    answer = await asyncio.wait_for(fetch, 5)
    assert answer.result == "OK" and len(answer.lines) == 5001


async def test_a_failed_ingest_does_not_advance_the_cursor(
    running: tuple[EmailAdapter, CountingInbox, Files], dovecot: Dovecot, tmp_path: Path
) -> None:
    adapter, inbox, _ = running
    inbox.fail_next = RuntimeError("hub down")
    await dovecot.append(mails.plain("One", "one", "<one@example.org>"))
    await until(lambda: adapter.health().state == "degraded")
    assert "RuntimeError" in adapter.health().detail and inbox.messages == []
    assert not (tmp_path / "state" / "imap.json").exists()  # the cursor did not move
    (got,) = await inbox.wait_for(1)  # read again after the failure
    assert got.provider_id == "<one@example.org>"
    await until(lambda: adapter.health().state == "ok")


async def test_senders_in_parallel_keep_their_order_through_a_failure(
    dovecot: Dovecot, smtp: FakeSmtp, tmp_path: Path
) -> None:
    senders = [f"s{n}@example.org" for n in range(5)]
    raws = []
    for i in range(40):
        raw = mails.plain(f"p{i}", f"text {i}", f"<p{i}@example.org>")
        raws.append(raw.replace(b"ivan@example.org", senders[i % 5].encode()))
    await dovecot.deliver(*raws)
    inbox = CountingInbox()

    def fail_once(n: int) -> None:
        if n == 17:
            inbox.fail_next = RuntimeError("hub down")

    inbox.on_call = fail_once
    adapter, _, _ = await start_adapter(section(dovecot, smtp), tmp_path, inbox)
    try:
        await inbox.wait_for(40)
        await until(lambda: adapter.health().state == "ok")
    finally:
        await adapter.stop()
    for sender in senders:
        theirs = [m.provider_id for m in inbox.messages if m.identity_value == sender]
        expected = [f"<p{i}@example.org>" for i in range(40) if senders[i % 5] == sender]
        assert theirs == expected  # each sender's mail in the order it came
    cursor = json.loads((tmp_path / "state" / "imap.json").read_text())
    assert cursor["INBOX"]["last_uid"] == 40


async def test_a_message_the_hub_always_refuses_is_passed_over_in_the_end(
    running: tuple[EmailAdapter, CountingInbox, Files], dovecot: Dovecot
) -> None:
    adapter, inbox, _ = running
    adapter.max_attempts = 3
    tries = []
    original = inbox.ingest

    async def refuse_poison(msg: InboundMessage) -> IngestResult:
        if msg.provider_id == "<poison@example.org>":
            tries.append(1)
            raise ValueError("refused")
        return await original(msg)

    inbox.ingest = refuse_poison  # type: ignore[method-assign]
    await dovecot.append(
        mails.plain("Poison", "x", "<poison@example.org>"),
        mails.plain("Next", "y", "<next@example.org>"),
    )
    (got,) = await inbox.wait_for(1)
    assert got.provider_id == "<next@example.org>" and len(tries) == 3
    assert adapter.counts["passed_over"] == 1


async def test_a_new_uidvalidity_reads_the_mailbox_again(
    dovecot: Dovecot, smtp: FakeSmtp, tmp_path: Path
) -> None:
    await dovecot.append(*(mails.plain(f"v{i}", "x", f"<v{i}@example.org>") for i in range(2)))
    adapter, inbox, _ = await start_adapter(section(dovecot, smtp), tmp_path)
    await until(lambda: len(inbox.calls) == 2)
    await adapter.stop()
    before = json.loads((tmp_path / "state" / "imap.json").read_text())["INBOX"]
    dovecot.stop()
    dovecot.reset_uidvalidity()
    dovecot.start()
    adapter, _, _ = await start_adapter(section(dovecot, smtp), tmp_path, inbox)
    try:
        await until(lambda: len(inbox.calls) == 4)

        def cursor() -> dict[str, int]:
            path = tmp_path / "state" / "imap.json"
            return dict(json.loads(path.read_text())["INBOX"])

        # (saved once the batch is through, a moment after its last hand-over)
        await until(lambda: cursor()["uidvalidity"] != before["uidvalidity"])
        assert cursor()["last_uid"] == 2
        # Handed over again with the same ids: the hub keeps one of each.
        assert inbox.calls[2:] == inbox.calls[:2] and len(inbox.messages) == 2
    finally:
        await adapter.stop()


async def test_imap_down_then_back_and_a_wrong_password(
    dovecot: Dovecot, smtp: FakeSmtp, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    dovecot.stop()
    adapter, inbox, _ = await start_adapter(section(dovecot, smtp), tmp_path)
    try:
        await until(lambda: adapter.health().state == "down")
        dovecot.start()
        await dovecot.append(mails.plain("Back", "back", "<back@example.org>"))
        await inbox.wait_for(1)
        await until(lambda: adapter.health().state == "ok")
    finally:
        await adapter.stop()
    wrong = {**ENV, "MAIL_PASSWORD": "not-the-password"}
    (bad,) = catalog.build({"email": section(dovecot, smtp)}, wrong)
    assert isinstance(bad, EmailAdapter)
    ctx = AdapterContext(
        CountingInbox(),
        tmp_path / "bad",
        "http://127.0.0.1:1",
        "/hooks/email",
        _spawn,
        Files().read,
    )
    await bad.start(ctx)
    try:
        await until(lambda: bad.health().state == "down")
        assert "login refused" in bad.health().detail
    finally:
        await bad.stop()
    assert "not-the-password" not in caplog.text


@pytest.fixture(scope="module")
def ca() -> LocalCA:
    return LocalCA()


@pytest.fixture
def tls_dovecot(ca: LocalCA) -> Iterator[Dovecot]:
    if DOVECOT is None:
        pytest.skip("dovecot is not installed (apt-get install dovecot-imapd): no IMAP server")
    server = Dovecot(tls=ca)
    server.start()
    yield server
    server.close()


async def test_imap_over_tls_and_starttls_with_the_certificate_checked(
    tls_dovecot: Dovecot, ca: LocalCA, tmp_path: Path
) -> None:
    smtp = FakeSmtp()  # not started: only mail in here
    await tls_dovecot.append(mails.plain("Secure", "over TLS", "<tls@example.org>"))
    assert tls_dovecot.tls_port is not None
    modes = {"tls": tls_dovecot.tls_port, "starttls": tls_dovecot.port}
    for mode, port in modes.items():
        values = section(tls_dovecot, smtp, imap_tls=mode, imap_port=port)
        adapter, inbox, _ = await start_adapter(values, tmp_path / mode, tls=ca.client_context())
        try:
            (got,) = await inbox.wait_for(1)
            assert got.provider_id == "<tls@example.org>", mode
        finally:
            await adapter.stop()
        # A server whose certificate nobody vouches for is not talked to.
        stranger, inbox, _ = await start_adapter(values, tmp_path / f"{mode}-untrusted")
        try:
            await until(lambda a=stranger: a.health().state == "down")  # type: ignore[misc]
            await asyncio.sleep(0.2)
            assert inbox.calls == []
        finally:
            await stranger.stop()


async def test_smtp_over_implicit_tls(dovecot: Dovecot, ca: LocalCA, tmp_path: Path) -> None:
    smtp = FakeSmtp(tls=ca, implicit_tls=True)
    smtp.start()
    try:
        values = section(dovecot, smtp, smtp_tls="tls")
        adapter, _, _ = await start_adapter(values, tmp_path, tls=ca.client_context())
        try:
            provider_id = await adapter.send(outbound())
        finally:
            await adapter.stop()
        assert smtp.logins == [(USER, PASSWORD)]
        assert smtp.received[0].message["Message-ID"] == provider_id
    finally:
        smtp.stop()


async def test_every_mailbox_named_is_read(
    dovecot: Dovecot, smtp: FakeSmtp, tmp_path: Path
) -> None:
    from services.channels.email import imap_utf7

    assert imap_utf7("Входящие") == "&BBIERQQ+BDQETwRJBDgENQ-"
    assert imap_utf7("A&B Отдел/1") == "A&-B &BB4EQgQ0BDUEOw-/1"
    await dovecot.create(imap_utf7("Поддержка"))
    await dovecot.append(mails.plain("In inbox", "a", "<a@example.org>"))
    support = imap_utf7("Поддержка")
    await dovecot.append(mails.plain("In support", "b", "<b@example.org>"), mailbox=support)
    values = section(dovecot, smtp, mailboxes=["INBOX", "Поддержка"])
    adapter, inbox, _ = await start_adapter(values, tmp_path)
    try:
        await inbox.wait_for(2)
        assert {m.provider_id for m in inbox.messages} == {"<a@example.org>", "<b@example.org>"}
        await until(lambda: (tmp_path / "state" / "imap.json").exists())
        await until(
            lambda: (
                set(json.loads((tmp_path / "state" / "imap.json").read_text()))
                == {"INBOX", "Поддержка"}
            )
        )
    finally:
        await adapter.stop()


async def test_smtp_starttls_and_login(dovecot: Dovecot, ca: LocalCA, tmp_path: Path) -> None:
    smtp = FakeSmtp(tls=ca)
    smtp.start()
    try:
        values = section(dovecot, smtp, smtp_tls="starttls")
        adapter, _, _ = await start_adapter(values, tmp_path, tls=ca.client_context())
        try:
            provider_id = await adapter.send(outbound())
        finally:
            await adapter.stop()
        assert smtp.logins == [(USER, PASSWORD)]
        assert smtp.received[0].message["Message-ID"] == provider_id
        wrong = section(dovecot, smtp, smtp_tls="starttls", smtp_password_env="SMTP_PASSWORD")
        env = {**ENV, "SMTP_PASSWORD": "not-it"}
        refused, _, _ = await start_adapter(wrong, tmp_path / "x", tls=ca.client_context(), env=env)
        try:
            with pytest.raises(ChannelUnavailable) as no:
                await refused.send(outbound())
        finally:
            await refused.stop()
        assert no.value.retry is False and refused.health().state == "down"
        assert len(smtp.received) == 1
    finally:
        smtp.stop()


# --- outbound through aiosmtpd --------------------------------------------------------------


def outbound(text: str = "We will ship today.", **kw: Any) -> OutboundMessage:
    return OutboundMessage(
        event_id=kw.pop("event_id", 41),
        customer_id=7,
        channel="email",
        address=kw.pop("address", "ivan@example.org"),
        text=text,
        author="Анна",
        **kw,
    )


async def test_a_reply_threads_on_the_customers_latest_message(
    running: tuple[EmailAdapter, CountingInbox, Files],
    dovecot: Dovecot,
    smtp: FakeSmtp,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="services")
    adapter, inbox, files = running
    await dovecot.append(mails.reply_with_history())
    await inbox.wait_for(1)
    files.files[3] = InboundFile("накладная.pdf", "application/pdf", b"%PDF-1.4 x")
    provider_id = await adapter.send(
        outbound(attachments=[{"id": 3, "name": "накладная.pdf", "size": 10}])
    )
    (got,) = smtp.received
    assert got.rcpt_tos == ["ivan@example.org"] and got.mail_from == "support@shop.example"
    m = got.message
    assert m["Message-ID"] == provider_id
    assert provider_id.startswith("<omnidesk.41.") and provider_id.endswith("@shop.example>")
    assert m["In-Reply-To"] == "<reply-1@example.org>"
    assert m["References"] == "<first@example.org> <out-1@shop.example> <reply-1@example.org>"
    assert m["Subject"] == "Re: Order 5 [#7]"
    assert m["X-Auto-Response-Suppress"] == "All" and m["Auto-Submitted"] is None
    assert m["From"] == "Shop support <support@shop.example>"
    body = m.get_body(("plain",))
    assert body is not None and body.get_content().strip() == "We will ship today."
    (attachment,) = list(m.iter_attachments())
    assert attachment.get_filename() == "накладная.pdf"
    assert attachment.get_content() == b"%PDF-1.4 x"
    # The thread survives a restart of the adapter (its state folder is the same).
    await adapter.stop()
    adapter, _, _ = await start_adapter(section(dovecot, smtp), tmp_path)
    try:
        await adapter.send(outbound(event_id=42))
        # A first message to someone who never wrote: the operator's subject, tagged.
        await adapter.send(outbound(subject="Your order", address="new@example.org"))
    finally:
        await adapter.stop()
    assert smtp.received[1].message["In-Reply-To"] == "<reply-1@example.org>"
    assert smtp.received[1].message["Message-ID"].startswith("<omnidesk.42.")
    m2 = smtp.received[2].message
    assert m2["Subject"] == "Your order [#7]" and m2["In-Reply-To"] is None
    for private in ("ivan@example.org", "new@example.org", "We will ship", "Order 5"):
        assert private not in caplog.text


@pytest.mark.parametrize(
    ("where", "answer", "retry"),
    [
        ("rcpt", "550 5.1.1 no such user", False),
        ("rcpt", "451 4.3.0 try later", True),
        ("data", "452 4.3.1 out of space", True),
        ("data", "554 5.7.1 rejected as spam", False),
    ],
)
async def test_smtp_refusals_say_whether_a_retry_can_help(
    smtp_only: tuple[EmailAdapter, CountingInbox, Files],
    smtp: FakeSmtp,
    where: str,
    answer: str,
    retry: bool,
) -> None:
    adapter, _, _ = smtp_only
    smtp.handler.answers[where] = answer
    with pytest.raises(ChannelUnavailable) as refused:
        await adapter.send(outbound())
    assert refused.value.retry is retry and answer[:3] in refused.value.reason
    assert smtp.received == []


async def test_smtp_down_is_retried_and_no_answer_after_data_is_not(
    running: tuple[EmailAdapter, CountingInbox, Files], smtp: FakeSmtp
) -> None:
    adapter, _, _ = running
    smtp.stop()
    with pytest.raises(ChannelUnavailable) as down:
        await adapter.send(outbound())
    assert down.value.retry is True and adapter.health().state == "down"
    smtp.start()
    await adapter.send(outbound())
    assert adapter.health().state == "ok" and len(smtp.received) == 1
    adapter.smtp_timeout_s = 0.5
    smtp.handler.hang_after_data_s = 2.0
    with pytest.raises(ChannelUnavailable) as lost:
        await adapter.send(outbound())
    assert lost.value.retry is False  # it may be queued already: never twice
    with pytest.raises(ChannelUnavailable) as bad:
        await adapter.send(outbound(address="x@y.z\r\nBcc: all@example.org"))
    assert bad.value.retry is False


# --- through a real gateway -----------------------------------------------------------------


async def test_mail_reaches_the_desk_and_an_operators_reply_goes_out(
    db_url: str,
    tmp_path: Path,
    dovecot: Dovecot,
    smtp: FakeSmtp,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MAIL_PASSWORD", PASSWORD)
    gw = await start_gateway(
        db_url, data_dir=tmp_path / "gw", channels={"email": section(dovecot, smtp)}
    )
    try:
        op = await OpClient.connect(f"ws://127.0.0.1:{gw.port}", "a1", "a1")
        assert op.auth["type"] == "auth_ok"
        await op.ok("presence.set", {"status": "available"})
        await dovecot.append(mails.reply_with_history())
        offered = await op.event("conversation.offered", timeout=15)
        conv = offered["data"]["conversation"]
        assert conv["channel"] == "email"
        timeline = tables.timeline
        row = await gw.store.read(
            lambda c: c.execute(
                select(timeline).where(timeline.c.customer_id == conv["customer_id"])
            ).one()
        )
        assert (row.channel, row.kind, row.direction) == ("email", "email", "in")
        assert row.provider_id == "<reply-1@example.org>" and row.subject == "Re: Order 5"
        assert row.body == "Thanks, that works.\nOne more question: when?"
        assert "wrote:" in row.extra["quoted"]
        await op.ok("conversation.accept", {"conversation_id": conv["id"]})
        sent = await op.ok(
            "message.send",
            {"customer_id": conv["customer_id"], "channel": "email", "text": "Tomorrow."},
        )
        await op.event("message.delivery", event_id=sent["item"]["id"], delivery="sent")
        (got,) = smtp.received
        assert got.rcpt_tos == ["ivan@example.org"]
        assert got.message["In-Reply-To"] == "<reply-1@example.org>"
        assert f"[#{conv['customer_id']}]" in got.message["Subject"]
        out = await gw.store.read(
            lambda c: c.execute(
                select(timeline.c.provider_id).where(timeline.c.id == sent["item"]["id"])
            ).scalar()
        )
        assert out == got.message["Message-ID"]
        await op.close()
    finally:
        await gw.close()


async def test_mail_delivered_by_smtp_to_the_gateway_is_taken_only_for_its_recipients(
    smtp: FakeSmtp, tmp_path: Path
) -> None:
    class NoImap:
        port = free_port()

    port = free_port()
    values = section(NoImap(), smtp, smtp_listen_port=port)  # type: ignore[arg-type]
    adapter, inbox, _files = await start_adapter(values, tmp_path)
    try:
        raw = mails.plain("Доставка", "Где мой заказ?", "<smtp-in-1@example.org>")
        refused = await aiosmtplib.send(
            raw,
            sender="ivan@example.org",
            recipients=["support@shop.example"],
            hostname="127.0.0.1",
            port=port,
        )
        assert refused[0] == {}  # nobody refused
        (msg,) = await inbox.wait_for(1)
        assert (msg.channel, msg.identity_value, msg.text.strip()) == (
            "email",
            "ivan@example.org",
            "Где мой заказ?",
        )
        assert msg.provider_id == "<smtp-in-1@example.org>"
        # Not an open relay: mail for anyone else is refused at RCPT.
        with pytest.raises(aiosmtplib.SMTPRecipientsRefused):
            await aiosmtplib.send(
                raw,
                sender="ivan@example.org",
                recipients=["someone@elsewhere.example"],
                hostname="127.0.0.1",
                port=port,
            )
        # An inbox that cannot take it now: the sending server is told to try again (451).
        inbox.fail_next = RuntimeError("the store is down")
        again = mails.plain("Доставка", "Ещё раз", "<smtp-in-2@example.org>")
        with pytest.raises(aiosmtplib.SMTPDataError) as later:
            await aiosmtplib.send(
                again,
                sender="ivan@example.org",
                recipients=["support@shop.example"],
                hostname="127.0.0.1",
                port=port,
            )
        assert later.value.code == 451
        await aiosmtplib.send(
            again,
            sender="ivan@example.org",
            recipients=["support@shop.example"],
            hostname="127.0.0.1",
            port=port,
        )
        await inbox.wait_for(2)
        assert [m.provider_id for m in inbox.messages] == [
            "<smtp-in-1@example.org>",
            "<smtp-in-2@example.org>",
        ]
    finally:
        await adapter.stop()


async def test_smtp_senders_past_the_limit_are_told_to_come_back(
    smtp: FakeSmtp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from services.channels import email as email_module

    class NoImap:
        port = free_port()

    monkeypatch.setattr(email_module, "SMTP_CONNECTIONS", 2)
    port = free_port()
    values = section(NoImap(), smtp, smtp_listen_port=port)  # type: ignore[arg-type]
    adapter, _inbox, _files = await start_adapter(values, tmp_path)
    opened = []
    try:
        for _ in range(2):
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            assert (await reader.readline()).startswith(b"220")
            opened.append(writer)
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        assert (await reader.readline()).startswith(b"421")
        writer.close()
        opened[0].close()
        await asyncio.sleep(0.1)
        reader, writer = await asyncio.open_connection("127.0.0.1", port)  # room again
        assert (await reader.readline()).startswith(b"220")
        opened.append(writer)
    finally:
        for w in opened:
            w.close()
        await adapter.stop()
