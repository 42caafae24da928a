"""Mail in a real Dovecot mailbox -> IMAP fetch -> parse and sanitise -> committed to the store.

email.ingest_per_s  messages per second from the mailbox onto customers' timelines (target
                    >= 200), through the adapter in a real gateway on SQLite: 1,000 messages
                    (plain text, and HTML with quoted history) from 200 senders, already in
                    the mailbox when the gateway starts; counted from the first committed one.

``BENCH_EMAILS`` sets the count; ``BENCH_SMOKE=1`` checks only that it runs and loses nothing.
"""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

import pytest
from sqlalchemy import Connection, func, select

from services.store import tables
from tests.bench.conftest import Figures
from tests.gateway.conftest import start_gateway
from tests.support.fake_email import DOVECOT, PASSWORD, USER, Dovecot

COUNT = int(os.environ.get("BENCH_EMAILS", 1000))
SMOKE = os.environ.get("BENCH_SMOKE") == "1"
SENDERS = 200


def mail(i: int) -> bytes:
    sender = f"customer{i % SENDERS}@example.org"
    if i % 2:
        body = (
            'Content-Type: multipart/alternative; boundary="b"\r\n\r\n--b\r\n'
            "Content-Type: text/plain; charset=utf-8\r\n\r\n"
            f"Здравствуйте! Вопрос по заказу {i}.\r\n\r\nOn Mon, 7 Dec 2026, Shop wrote:\r\n"
            "> Ваш заказ принят\r\n--b\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
            f"<p>Здравствуйте! Вопрос по заказу <b>{i}</b>.</p>"
            '<img src="https://track.example/p.gif"><script>x()</script>\r\n--b--\r\n'
        )
    else:
        body = f"Content-Type: text/plain; charset=utf-8\r\n\r\nГде мой заказ {i}?\r\n"
    return (
        f"From: Customer {i % SENDERS} <{sender}>\r\nTo: support@shop.example\r\n"
        f"Subject: Заказ {i}\r\nMessage-ID: <bench-{i}@example.org>\r\nMIME-Version: 1.0\r\n" + body
    ).encode()


async def test_email_ingest(figures: Figures, tmp_path: Path) -> None:
    if DOVECOT is None:
        pytest.skip("dovecot is not installed (apt-get install dovecot-imapd): no IMAP server")
    dovecot = Dovecot()
    dovecot.start()
    try:
        await dovecot.append(*(mail(i) for i in range(COUNT)))
        os.environ["BENCH_MAIL_PASSWORD"] = PASSWORD
        db_url = f"sqlite:///{tmp_path / 'store.db'}"
        section = {
            "type": "email",
            "imap_host": "127.0.0.1",
            "imap_port": dovecot.port,
            "imap_tls": "none",
            "username": USER,
            "password_env": "BENCH_MAIL_PASSWORD",
            "smtp_host": "127.0.0.1",
            "smtp_port": 1,
            "smtp_tls": "none",
            "from_address": "support@shop.example",
        }
        gw = await start_gateway(db_url, data_dir=tmp_path / "gw", channels={"email": section})
        try:
            first_at: float | None = None
            first_count = 0
            deadline = time.monotonic() + 120
            while True:
                now, done = time.monotonic(), await gw.store.read(_count)
                if first_at is None and done:
                    first_at, first_count = now, done
                if done >= COUNT or now > deadline:
                    break
                await asyncio.sleep(0.02)
            elapsed = time.monotonic() - (first_at or time.monotonic())
            adapter = gw.adapters[0]
            state = (getattr(adapter, "counts", None), adapter.health())
        finally:
            await gw.close()
        assert done == COUNT, f"{done} of {COUNT} messages reached the store: {state}"
        rate = (COUNT - first_count) / elapsed if elapsed > 0 else float(COUNT)
        figures.record("email.ingest_per_s", rate)
        if not SMOKE:
            assert rate >= 200, f"{rate:.0f} messages/s"
    finally:
        dovecot.close()
        os.environ.pop("BENCH_MAIL_PASSWORD", None)


def _count(c: Connection) -> int:
    timeline = tables.timeline
    return int(
        c.execute(
            select(func.count()).select_from(timeline).where(timeline.c.channel == "email")
        ).scalar()
        or 0
    )
