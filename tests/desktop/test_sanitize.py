"""Hostile e-mails: nothing active survives sanitising, formatting and safe links do."""

from __future__ import annotations

import re

import pytest
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QApplication

from omnidesk_qt.sanitize import (
    ALLOWED_TAGS,
    email_body_html,
    html_to_text,
    looks_like_html,
    plain_to_html,
    sanitize_email_html,
)

HOSTILE = [
    # scripts, in every spelling
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    '<script type="text/javascript">document.cookie</script>',
    # event handlers
    '<img src=x onerror="alert(1)">',
    '<p onclick="steal()">click</p>',
    '<body onload="alert(1)">',
    '<svg onload="alert(1)"><circle r="5"/></svg>',
    '<div onmouseover="alert(1)" style="width:100%;height:100%">hover</div>',
    # javascript:/data:/vbscript: links, obfuscated
    '<a href="javascript:alert(1)">a</a>',
    '<a href="JaVaScRiPt:alert(1)">b</a>',
    '<a href="java&#x09;script:alert(1)">c</a>',
    '<a href=" javascript:alert(1)">d</a>',
    '<a href="&#106;avascript:alert(1)">e</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">f</a>',
    '<a href="vbscript:msgbox(1)">g</a>',
    # styles and frames
    "<style>body { background: url(javascript:alert(1)) }</style>",
    '<p style="background-image: url(javascript:alert(1))">styled</p>',
    '<link rel="stylesheet" href="https://evil.example/x.css">',
    '<iframe src="https://evil.example/"></iframe>',
    '<frameset><frame src="https://evil.example/"></frameset>',
    '<object data="https://evil.example/x.swf"></object>',
    '<embed src="https://evil.example/x.swf">',
    # meta refresh, base, forms
    '<meta http-equiv="refresh" content="0;url=https://evil.example/">',
    '<base href="https://evil.example/">',
    '<form action="https://evil.example/"><input name="card"><button>Pay</button></form>',
    # remote images: read receipts for the sender
    '<img src="https://tracker.example/pixel.gif?id=42">',
    # comments, conditional comments, CDATA
    "<!--[if IE]><script>alert(1)</script><![endif]-->",
    "<![CDATA[<script>alert(1)</script>]]>",
]

ACTIVE = re.compile(
    r"<\s*(script|style|iframe|frame|object|embed|meta|base|link|form|input|img|svg)\b"
    r"|\bon[a-z]+\s*="
    r"|javascript:|vbscript:|data:"
    r"|\bstyle\s*=",
    re.IGNORECASE,
)


@pytest.mark.parametrize("raw", HOSTILE)
def test_nothing_active_survives(raw: str) -> None:
    clean = sanitize_email_html(raw)
    assert not ACTIVE.search(clean), clean
    # Only allowed tags are left; what is left of a trick ("<scr<script>ipt>") is escaped text.
    assert set(re.findall(r"<\s*/?\s*([a-zA-Z0-9-]+)", clean)) <= ALLOWED_TAGS, clean
    # Sanitising is stable: what comes out is already clean.
    assert sanitize_email_html(clean) == clean


@pytest.mark.parametrize("raw", HOSTILE)
def test_hostile_mail_inside_real_mail(raw: str) -> None:
    mail = f"<p>Здравствуйте!</p>{raw}<p>Где мой заказ <b>ORD-1</b>?</p>"
    clean = sanitize_email_html(mail)
    assert not ACTIVE.search(clean)
    assert "<p>Здравствуйте!</p>" in clean
    assert "<b>ORD-1</b>" in clean


def test_formatting_and_safe_links_are_kept() -> None:
    raw = (
        "<h2>Order</h2><p>Hello <b>Anna</b>, <i>thanks</i> <u>a lot</u>.</p>"
        "<ul><li>one</li><li>two</li></ul><ol><li>first</li></ol>"
        "<blockquote>quoted</blockquote><pre>code</pre><br>"
        '<table><tr><th>Item</th><td colspan="2">Kettle</td></tr></table>'
        '<a href="https://shop.example/o/1" title="Order">order</a> '
        '<a href="mailto:help@shop.example">mail</a> <a href="tel:+79990001122">call</a>'
    )
    clean = sanitize_email_html(raw)
    for kept in (
        "<h2>Order</h2>",
        "<b>Anna</b>",
        "<i>thanks</i>",
        "<u>a lot</u>",
        "<li>one</li>",
        "<blockquote>quoted</blockquote>",
        "<pre>code</pre>",
        "<th>Item</th>",
        'colspan="2"',
        'href="https://shop.example/o/1"',
        'title="Order"',
        'href="mailto:help@shop.example"',
        'href="tel:+79990001122"',
    ):
        assert kept in clean, kept
    # Every link opens nothing back: rel="noopener noreferrer".
    assert clean.count('rel="noopener noreferrer"') == clean.count("<a ") == 3


def test_disallowed_tags_are_stripped_not_escaped() -> None:
    clean = sanitize_email_html("<font color=red>Red</font> <marquee>moving</marquee> <x-y>z</x-y>")
    assert clean == "Red moving z"
    assert "&lt;" not in clean


def test_scripts_styles_and_frames_go_with_their_content() -> None:
    clean = sanitize_email_html(
        "<p>a</p><script>var secret = 1;</script><style>p{color:red}</style>"
        "<iframe>inside a frame</iframe><title>Subject</title><p>b</p>"
    )
    assert clean == "<p>a</p><p>b</p>"


def test_link_addresses_only_absolute_and_safe() -> None:
    clean = sanitize_email_html(
        '<a href="/relative">r</a><a href="ftp://x.example/">f</a><a href="https://ok.example/">o</a>'
    )
    assert 'href="/relative"' not in clean and "ftp:" not in clean
    assert 'href="https://ok.example/"' in clean
    assert ">r<" in clean and ">f<" in clean  # the text stays


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("<p>unclosed <b>bold", "<p>unclosed <b>bold</b></p>"),
        ("<b><i>misnested</b></i>", "<b><i>misnested</i></b>"),
        ("<p>one<p>two", "<p>one</p><p>two</p>"),
        ("<ul><li>a<li>b</ul>", "<ul><li>a</li><li>b</li></ul>"),
        ("text with a stray </div> close", "text with a stray  close"),
        ("<p>attr <a href='https://x.example/'>unterminated", None),
        ("<<<>>> & < >", None),
        ("", ""),
    ],
)
def test_broken_html_is_repaired(raw: str, expected: str | None) -> None:
    clean = sanitize_email_html(raw)
    if expected is not None:
        assert clean == expected
    assert not ACTIVE.search(clean)
    # Whatever came in, what goes out is well-formed: it sanitises to itself.
    assert sanitize_email_html(clean) == clean


def test_plain_text_is_escaped_with_its_line_breaks() -> None:
    text = 'Hi <script>alert("x")</script> & you\nsecond line\r\nthird'
    html = plain_to_html(text)
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; you" in html
    assert html.count("<br>") == 2
    assert plain_to_html("") == ""


def test_plain_or_html_e_mail_bodies() -> None:
    assert not looks_like_html("Здравствуйте!\n\nA < B and C > D")
    assert looks_like_html("<p>Hello</p>")
    assert looks_like_html("<!DOCTYPE html><html><body>x</body></html>")
    plain = email_body_html("Здравствуйте!\n\n2 < 3 & 5 > 4")
    assert "2 &lt; 3 &amp; 5 &gt; 4" in plain and plain.count("<br>") == 2
    assert email_body_html('<p onclick="x()">hi</p>') == "<p>hi</p>"


def test_text_of_an_e_mail() -> None:
    text = html_to_text(
        "<p>Hello&nbsp;<b>Anna</b> &amp; co</p><script>evil()</script><ul><li>a</li><li>b</li></ul>"
    )
    assert text == "Hello\xa0Anna & co\na\nb"
    assert html_to_text("plain & simple") == "plain & simple"


def test_qt_renders_sanitised_mail_without_anything_active(qapp: QApplication) -> None:
    """What the feed shows: a QTextDocument of the sanitised HTML has the text and the one safe
    link, and no images (nothing to fetch)."""
    raw = "".join(HOSTILE) + '<p>Visible <a href="https://shop.example/">link</a></p>'
    doc = QTextDocument()
    doc.setHtml(sanitize_email_html(raw))
    assert "Visible link" in doc.toPlainText()
    hrefs = []
    block = doc.begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            fmt = it.fragment().charFormat()
            if fmt.isAnchor() and fmt.anchorHref():  # a link whose address was dropped has none
                hrefs.append(fmt.anchorHref())
            if fmt.isImageFormat():
                hrefs.append("image:" + fmt.toImageFormat().name())
            it += 1
        block = block.next()
    assert hrefs == ["https://shop.example/"]
