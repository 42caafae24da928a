"""E-mails as real mailers (and hostile senders) write them, as RFC 5322 bytes."""

from __future__ import annotations

from email.header import Header

CRLF = "\r\n"


def _join(*lines: str) -> bytes:
    return CRLF.join(lines).encode("utf-8")


def _word(text: str, charset: str = "utf-8") -> str:
    """An RFC 2047 encoded word."""
    return Header(text, charset).encode()


def plain(subject: str, text: str, message_id: str | None = None) -> bytes:
    lines = [
        "From: Ivan <ivan@example.org>",
        "To: support@shop.example",
        f"Subject: {subject}",
        "Date: Mon, 07 Dec 2026 10:00:00 +0000",
        "Auto-Submitted: no",
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=utf-8",
    ]
    if message_id:
        lines.append(f"Message-ID: {message_id}")
    return _join(*lines, "", text, "")


def hostile_html() -> bytes:
    html = (
        "<html><head><style>body{background:url(https://track.example/bg.png)}</style>"
        "<script>alert('x')</script></head><body>"
        '<p onclick="alert(1)">Hi <img src="https://track.example/pixel.gif" onerror="alert(2)">'
        '<img src="cid:logo"> <a href="https://shop.example/order" onclick="x()">order</a></p>'
        '<div style="background-image:url(http://track.example/a.png)">styled</div>'
        '<a href="data:text/html,<script>alert(3)</script>">data</a>'
        '<a href="javascript:alert(4)">js</a>'
        '<iframe src="https://evil.example"></iframe><link rel="stylesheet" href="https://x.example">'
        "</body></html>"
    )
    return _join(
        "From: Ivan <ivan@example.org>",
        "Subject: html",
        "Message-ID: <html-1@example.org>",
        "MIME-Version: 1.0",
        'Content-Type: multipart/alternative; boundary="alt"',
        "",
        "--alt",
        "Content-Type: text/plain; charset=utf-8",
        "",
        "Plain version",
        "--alt",
        "Content-Type: text/html; charset=utf-8",
        "",
        html,
        "--alt--",
        "",
    )


def html_only() -> bytes:
    return _join(
        "From: Ivan <ivan@example.org>",
        "Subject: html only",
        "MIME-Version: 1.0",
        "Content-Type: text/html; charset=utf-8",
        "",
        "<p>Hello<br><b>second</b> line</p><script>alert(1)</script>",
        "",
    )


def cyrillic(charset: str) -> bytes:
    name = _word("Иван Петров", charset)
    subject = _word("Заказ 5", charset)
    head = CRLF.join(
        [
            f"From: {name} <Ivan@Example.ORG>",
            f"Subject: {subject}",
            "MIME-Version: 1.0",
            f"Content-Type: text/plain; charset={charset}",
            "Content-Transfer-Encoding: 8bit",
            "",
            "",
        ]
    ).encode()
    return head + "Где мой заказ?\r\n".encode(charset)


def unlabelled_8bit(charset: str) -> bytes:
    """Raw 8-bit headers and body and no charset anywhere (old or broken mailers)."""
    return (
        CRLF.join(["From: Иван <ivan@example.org>", "Subject: Заказ", "", "Где мой заказ?", ""])
    ).encode(charset)


def with_files() -> bytes:
    name = _word("Иван")
    subject = _word("Документы")
    text_name = _word("Договор.txt")
    big = "QUFB" * 1666 + "QUE="  # 5000 bytes of "A"
    return _join(
        f"From: {name} <ivan@example.org>",
        f"Subject: {subject}",
        "Message-ID: <files-1@example.org>",
        "MIME-Version: 1.0",
        'Content-Type: multipart/mixed; boundary="mix"',
        "",
        "--mix",
        "Content-Type: text/plain; charset=utf-8",
        "Content-Transfer-Encoding: 8bit",
        "",
        "Прилагаю документы.",
        "--mix",
        "Content-Type: application/pdf",
        "Content-Disposition: attachment;",
        " filename*=utf-8''%D1%81%D1%87%D1%91%D1%82%20%E2%84%961.pdf",
        "Content-Transfer-Encoding: base64",
        "",
        "JVBERi0xLjQgdGlueQ==",
        "--mix",
        f'Content-Type: text/plain; charset=utf-8; name="{text_name}"',
        f'Content-Disposition: attachment; filename="{text_name}"',
        "Content-Transfer-Encoding: base64",
        "",
        "0YLQtdC60YHRgg==",
        "--mix",
        "Content-Type: application/octet-stream",
        'Content-Disposition: attachment; filename="big.bin"',
        "Content-Transfer-Encoding: base64",
        "",
        big,
        "--mix--",
        "",
    )


def broken() -> list[bytes]:
    deep = "".join(
        f'Content-Type: multipart/mixed; boundary="b{i}"\r\n\r\n--b{i}\r\n' for i in range(1500)
    )
    return [
        _join("From: x@example.org", "Content-Type: multipart/mixed", "", "important text"),
        _join(
            "From: x@example.org",
            "Content-Type: multipart/alternative; boundary=XYZ",
            "",
            "--XYZ",
            "Content-Type: text/plain; charset=utf-8",
            "",
            "важный текст",
        ),
        _join(
            "From: x@example.org",
            "Content-Type: text/plain; charset=x-nothing",
            "",
            "important text",
        ),
        _join(
            "From: x@example.org",
            "Content-Transfer-Encoding: quoted-printable",
            "",
            "important text =ZZ broken=",
        ),
        b"important text",
        _join("This is no header", "Subject: x", "", "important text"),
        _join("From: <<<@@@>>>", "Subject: =?bogus?Q?x?=", "", "important text"),
        ("From: x@example.org\r\nMIME-Version: 1.0\r\n" + deep + "\r\nimportant text").encode(),
    ]


def reply_with_history() -> bytes:
    return _join(
        "From: Ivan <ivan@example.org>",
        "To: Shop support <support@shop.example>",
        "Subject: Re: Order 5",
        "Message-ID: <reply-1@example.org>",
        "In-Reply-To: <out-1@shop.example>",
        "References: <first@example.org>",
        " <out-1@shop.example>",
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=utf-8",
        "",
        "Thanks, that works.",
        "One more question: when?",
        "",
        "On Mon, 7 Dec 2026 at 10:00, Shop support <support@shop.example>",
        "wrote:",
        "> What is your order number?",
        ">",
        "-- ",
        "Ivan, ACME",
        "",
    )


def reply_ru() -> bytes:
    return _join(
        "From: Ivan <ivan@example.org>",
        "Subject: Re: Заказ",
        "Content-Type: text/plain; charset=utf-8",
        "",
        "Спасибо!",
        "",
        "7 дек. 2026 г., в 10:00, Анна <anna@shop.example> пишет:",
        "> Ваш заказ готов",
        "",
    )


def auto_replies() -> list[bytes]:
    def one(n: int, header: str) -> bytes:
        return _join(
            f"From: Away {n} <away{n}@example.org>",
            "Subject: Out of office",
            f"Message-ID: <auto-{n}@example.org>",
            header,
            "Content-Type: text/plain; charset=utf-8",
            "",
            "I am away until Monday.",
            "",
        )

    return [
        one(0, "Return-Path: <>"),
        one(1, "Auto-Submitted: auto-replied"),
        one(2, "Auto-Submitted: auto-generated"),
        one(3, "X-Autoreply: yes"),
        one(4, "Precedence: bulk"),
        one(5, "X-Autorespond: on vacation"),
    ]


def dsn(original_message_id: str) -> bytes:
    return _join(
        "From: Mail Delivery System <MAILER-DAEMON@mx.shop.example>",
        "To: support@shop.example",
        "Subject: Undelivered Mail Returned to Sender",
        "Message-ID: <dsn-1@mx.shop.example>",
        "Auto-Submitted: auto-replied",
        "MIME-Version: 1.0",
        'Content-Type: multipart/report; report-type=delivery-status; boundary="rep"',
        "",
        "--rep",
        "Content-Type: text/plain; charset=us-ascii",
        "",
        "Your message could not be delivered.",
        "--rep",
        "Content-Type: message/delivery-status",
        "",
        "Reporting-MTA: dns; mx.shop.example",
        "Arrival-Date: Mon, 7 Dec 2026 10:00:00 +0000",
        "",
        "Final-Recipient: rfc822; nobody@example.org",
        "Original-Recipient: rfc822;nobody@example.org",
        "Action: failed",
        "Status: 5.1.1",
        "Diagnostic-Code: smtp; 550 5.1.1 <nobody@example.org>: no such user",
        "",
        "--rep",
        "Content-Type: text/rfc822-headers",
        "",
        "From: Shop support <support@shop.example>",
        "To: nobody@example.org",
        "Subject: Your order [#7]",
        f"Message-ID: {original_message_id}",
        "",
        "--rep--",
        "",
    )


def huge(size: int) -> bytes:
    """A message of more than ``size`` bytes: a short text and a large attachment."""
    line = b"A" * 76 + b"\r\n"
    body = line * (size // 76 + 1)
    head = _join(
        "From: Ivan <ivan@example.org>",
        "Subject: Video",
        "Message-ID: <huge@example.org>",
        "MIME-Version: 1.0",
        'Content-Type: multipart/mixed; boundary="big"',
        "",
        "--big",
        "Content-Type: text/plain; charset=utf-8",
        "",
        "See the video attached.",
        "--big",
        "Content-Type: video/mp4",
        'Content-Disposition: attachment; filename="video.mp4"',
        "Content-Transfer-Encoding: base64",
        "",
        "",
    )
    return head + body + b"--big--\r\n"


def dsn_with_original(original_message_id: str, action: str = "failed") -> bytes:
    """A report carrying the whole original (message/rfc822), as Postfix and Exchange send."""
    return _join(
        "From: MAILER-DAEMON@mx.shop.example",
        "Subject: Delivery Status Notification",
        "MIME-Version: 1.0",
        'Content-Type: multipart/report; report-type=delivery-status; boundary="r"',
        "",
        "--r",
        "Content-Type: text/plain",
        "",
        "Delivery is delayed." if action == "delayed" else "Delivery failed.",
        "--r",
        "Content-Type: message/delivery-status",
        "",
        "Reporting-MTA: dns; mx.shop.example",
        "",
        "Final-Recipient: rfc822; slow@example.org",
        f"Action: {action}",
        "Status: 4.4.7" if action == "delayed" else "Status: 5.2.2",
        "",
        "--r",
        "Content-Type: message/rfc822",
        "",
        "From: support@shop.example",
        "To: slow@example.org",
        f"Message-ID: {original_message_id}",
        "Subject: Your order",
        "",
        "Our reply text.",
        "--r--",
        "",
    )
