"""An e-mail's bytes as the desk needs them: who wrote, what about, the new text (quoted history
and signature apart), a sanitised HTML copy, its files, and whether it is an auto-reply or a
bounce. Pure: no I/O, and broken MIME never raises (the raw text is the fallback).
"""

from __future__ import annotations

import contextlib
import email.header
import email.utils
import hashlib
import html
import logging
import re
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import Message

import nh3

from services.domain.inbox import InboundFile

log = logging.getLogger(__name__)

MAX_TEXT = 100_000  # characters of text kept (a customer's e-mail, not a book)
MAX_HTML = 200_000  # characters of sanitised HTML kept
MAX_FILES = 20  # files taken from one message; the rest are named as refused
MAX_PARTS = 500  # MIME parts walked: a message of a million parts is an attack
MAX_HEADER = 2000  # characters of a header value looked at

_FALLBACK_CHARSETS = ("utf-8", "cp1251")


@dataclass(slots=True)
class Bounce:
    """A delivery status notification (RFC 3464) about a message of ours."""

    original_message_id: str
    recipient: str
    action: str  # failed, delayed, delivered, relayed, expanded
    status: str  # RFC 3463, e.g. 5.1.1
    diagnostic: str


@dataclass(slots=True)
class ParsedMail:
    message_id: str  # "<id@host>", or "" when the message has none
    in_reply_to: str
    references: list[str]
    subject: str
    from_address: str
    from_name: str
    text: str  # the new text, quoted history and signature taken out
    quoted: str  # what was taken out, for the feed to fold
    html_sanitised: str
    files: list[InboundFile] = field(default_factory=list)
    refused_files: list[dict[str, str]] = field(default_factory=list)
    auto: bool = False  # an auto-reply, out-of-office or list traffic: not a customer's word
    bounce: Bounce | None = None
    broken: bool = False  # the MIME could not be read; ``text`` is the raw text


# --- characters -----------------------------------------------------------------------------


def decode_bytes(data: bytes, charset: str | None) -> str:
    """Text in its declared charset, else UTF-8, else Windows-1251 (unlabelled Russian mail)."""
    tried: list[str] = []
    if charset:
        name = charset.strip().strip('"').lower()
        if name in ("us-ascii", "ascii", "unknown-8bit", "x-unknown"):
            name = ""
        if name:
            tried.append(name)
    for candidate in (*tried, *_FALLBACK_CHARSETS):
        try:
            return data.decode(candidate)
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("utf-8", "replace")  # cp1251 maps nearly every byte: rarely reached


def _fix_surrogates(value: str) -> str:
    """A header with raw 8-bit bytes comes back with surrogate escapes: decode those bytes."""
    if not any("\udc80" <= ch <= "\udcff" for ch in value):
        return value
    return decode_bytes(value.encode("utf-8", "surrogateescape"), None)


def _raw_header(msg: Message, name: str) -> str | None:
    wanted = name.lower()
    for key, value in msg.raw_items():
        if key.lower() == wanted:
            return str(value)
    return None


def _decode_words(value: str) -> str:
    """RFC 2047 encoded words decoded, each in its charset (a wrong one falls back)."""
    if "=?" not in value:
        return value
    try:
        chunks = email.header.decode_header(value)
    except Exception:
        return value
    return "".join(
        chunk if isinstance(chunk, str) else decode_bytes(chunk, charset)
        for chunk, charset in chunks
    )


def _header(msg: Message, name: str) -> str:
    # compat32 headers are their raw text: decoding them ourselves is many times faster than
    # policy.default's parsers, and it is the raw text an unlabelled 8-bit header needs.
    raw = _raw_header(msg, name)
    if raw is None:
        return ""
    raw = raw[: MAX_HEADER * 2]
    text = _fix_surrogates(raw) if _has_surrogates(raw) else _decode_words(raw)
    return " ".join(text[:MAX_HEADER].split())


def _has_surrogates(value: str) -> bool:
    return any("\udc80" <= ch <= "\udcff" for ch in value)


_MSGID = re.compile(r"<[^<>\s]{1,500}>")


def _ids(value: str) -> list[str]:
    return _MSGID.findall(value)


def _first_id(value: str) -> str:
    found = _ids(value)
    if found:
        return found[0]
    bare = value.strip()
    # Some mailers write a Message-ID without its angle brackets.
    return f"<{bare}>" if bare and " " not in bare and len(bare) <= 500 else ""


# --- HTML -----------------------------------------------------------------------------------


def _keep_attribute(tag: str, attr: str, value: str) -> str | None:
    if tag == "img" and attr == "src":
        # No remote loads: a remote image is a tracking pixel; inline ones (cid:, data:) stay.
        lowered = value.strip().lower()
        return value if lowered.startswith(("cid:", "data:image/")) else None
    if value.strip().lower().startswith("data:"):
        return None  # a data: link is a page of the sender's making
    return value


_CLEANER = nh3.Cleaner(
    tags=set(nh3.ALLOWED_TAGS) - {"area", "map"},
    clean_content_tags={"script", "style", "title", "head"},
    attributes={k: set(v) for k, v in nh3.ALLOWED_ATTRIBUTES.items()},
    url_schemes={"http", "https", "mailto", "cid", "data", "tel"},
    attribute_filter=_keep_attribute,
    strip_comments=True,
    link_rel="noopener noreferrer nofollow",
)


def sanitise_html(source: str) -> str:
    """HTML safe to show: no scripts, no styles (their url()s load too), no remote images."""
    return _CLEANER.clean(source[: MAX_HTML * 2])[:MAX_HTML]


_BLOCK_END = re.compile(r"(?i)<\s*(br|/p|/div|/tr|/li|/h\d)\b[^>]*>")
_TAG = re.compile(r"<[^>]*>")


def html_to_text(source: str) -> str:
    without = nh3.clean(source[: MAX_HTML * 2], tags={"br", "p", "div", "tr", "li"})
    lines = _BLOCK_END.sub("\n", without)
    text = html.unescape(_TAG.sub("", lines))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(line.rstrip() for line in text.splitlines()))


# --- quoted history -------------------------------------------------------------------------

_ATTRIBUTION = re.compile(
    r"^\s*(on\b.{0,300}\bwrote:|.{0,300}\b(пишет|написал|написала|написал\(а\)):)\s*$",
    re.IGNORECASE,
)
_SEPARATOR = re.compile(
    r"^\s*(-{2,}\s*(original message|исходное сообщение|пересланное сообщение|"
    r"forwarded message)\s*-{2,}|_{10,})\s*$",
    re.IGNORECASE,
)


def split_quoted(text: str) -> tuple[str, str]:
    """(the new text, the quoted history and signature) of a plain-text body."""
    lines = text.splitlines()
    cut = len(lines)
    for i, line in enumerate(lines):
        joined = f"{line} {lines[i + 1]}" if i + 1 < len(lines) else line
        if line in ("-- ", "--") or _SEPARATOR.match(line) or _ATTRIBUTION.match(line):
            cut = i
            break
        if line.lower().startswith("on ") and _ATTRIBUTION.match(joined):
            cut = i  # "On <date>, <name> <addr>\nwrote:" wrapped by the mailer
            break
    head, tail = lines[:cut], lines[cut:]
    kept = [line for line in head if not line.startswith(">")]
    quoted_inline = [line for line in head if line.startswith(">")]
    new = "\n".join(kept).strip()
    if not new:  # all of it is quoted (a forward): the whole text is the message
        return text.strip(), ""
    quoted = "\n".join([*quoted_inline, *tail]).strip()
    return new, quoted


# --- auto-replies and bounces ---------------------------------------------------------------


def _is_auto(msg: Message, from_address: str) -> bool:
    if _header(msg, "Return-Path") == "<>" or from_address.startswith("mailer-daemon@"):
        return True  # a null sender is only for reports and auto-replies (RFC 5321, 3834)
    submitted = _header(msg, "Auto-Submitted").lower()
    if submitted and not submitted.startswith("no"):
        return True  # RFC 3834
    for name in ("X-Autoreply", "X-Autorespond", "X-Autoresponder", "X-Auto-Reply"):
        if msg.get(name) is not None:
            return True
    for name in ("Precedence", "X-Precedence"):
        if _header(msg, name).lower() in ("bulk", "junk", "list", "auto_reply", "auto-reply"):
            return True
    return _header(msg, "X-Loop").lower() == "yes"


def _field(block: Message, name: str) -> str:
    value = _header(block, name)
    # "rfc822; user@example.org", "smtp; 550 5.1.1 no such user"
    kind, sep, rest = value.partition(";")
    return rest.strip() if sep and " " not in kind.strip() else value


def _bounce(msg: Message) -> Bounce | None:
    report = None
    original_id = ""
    for part in _walk(msg):
        ctype = part.get_content_type()
        if ctype == "message/delivery-status" and report is None:
            report = part
        elif ctype == "message/rfc822" and not original_id:
            payload = part.get_payload()
            inner = payload[0] if isinstance(payload, list) and payload else None
            if isinstance(inner, Message):
                original_id = _first_id(_header(inner, "Message-ID"))
        elif ctype == "text/rfc822-headers" and not original_id:
            raw = part.get_payload(decode=True)
            if isinstance(raw, bytes):
                headers = message_from_bytes(raw, policy=policy.compat32)
                original_id = _first_id(_header(headers, "Message-ID"))
    if report is None:
        return None
    blocks = report.get_payload()
    recipients = (
        [b for b in blocks if isinstance(b, Message)][1:] if isinstance(blocks, list) else []
    )
    if not recipients and isinstance(blocks, list):
        recipients = [b for b in blocks if isinstance(b, Message)]
    block = next((b for b in recipients if b.get("Action") or b.get("Status")), None)
    if block is None:
        return Bounce(original_id, "", "failed", "", "")
    return Bounce(
        original_id,
        _field(block, "Final-Recipient") or _field(block, "Original-Recipient"),
        _header(block, "Action").lower() or "failed",
        _header(block, "Status"),
        _field(block, "Diagnostic-Code")[:300],
    )


# --- parts ----------------------------------------------------------------------------------


def _walk(msg: Message) -> list[Message]:
    out: list[Message] = []
    stack = [msg]
    while stack and len(out) < MAX_PARTS:
        part = stack.pop()
        out.append(part)
        if part.is_multipart():
            payload = part.get_payload()
            if isinstance(payload, list) and part.get_content_type() != "message/rfc822":
                stack.extend(reversed([p for p in payload if isinstance(p, Message)]))
    return out


_UNSAFE_NAME = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')


def _file_name(part: Message, index: int) -> str:
    try:
        name = part.get_filename() or ""
    except Exception:
        name = ""
    name = _decode_words(_fix_surrogates(str(name)))
    name = _UNSAFE_NAME.sub("_", name.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]).strip(" ._")
    if not name:
        ctype = part.get_content_type()
        ext = {"message/rfc822": ".eml", "text/plain": ".txt", "text/html": ".html"}.get(
            ctype, "." + ctype.split("/")[-1][:10] if "/" in ctype else ".bin"
        )
        name = f"attachment-{index}{ext}"
    return name[:200]


def _payload(part: Message) -> bytes:
    if part.get_content_type() == "message/rfc822":
        inner = part.get_payload()
        if isinstance(inner, list) and inner and isinstance(inner[0], Message):
            return inner[0].as_bytes(policy=policy.SMTP)
        return b""
    data = part.get_payload(decode=True)
    return data if isinstance(data, bytes) else b""


def _text_of(part: Message) -> str:
    return decode_bytes(_payload(part), part.get_content_charset())


def _is_attachment(part: Message) -> bool:
    disposition = (part.get("Content-Disposition") or "").split(";")[0].strip().lower()
    if disposition == "attachment":
        return True
    ctype = part.get_content_type()
    if ctype in ("text/plain", "text/html") and not part.get_filename():
        return False
    if part.get_content_maintype() == "multipart":
        return False
    return not part.is_multipart() or ctype == "message/rfc822"


def parse(raw: bytes, *, max_file_bytes: int = 10 * 1024 * 1024) -> ParsedMail:
    """The message ``raw`` (RFC 5322 bytes); never raises."""
    try:
        return _parse(raw, max_file_bytes)
    except Exception as exc:  # broken beyond the email package's own tolerance
        log.info("unreadable e-mail (%s): kept as raw text", type(exc).__name__)
        return _fallback(raw)


def _parse(raw: bytes, max_file_bytes: int) -> ParsedMail:
    msg = message_from_bytes(raw, policy=policy.compat32)
    from_address, from_name = _sender(msg)
    plain: list[str] = []
    htmls: list[str] = []
    files: list[InboundFile] = []
    refused: list[dict[str, str]] = []
    report = msg.get_content_type() == "multipart/report"
    for index, part in enumerate(_walk(msg)):
        ctype = part.get_content_type()
        if part.is_multipart() and ctype != "message/rfc822":
            continue
        if report and ctype in ("message/delivery-status", "text/rfc822-headers"):
            continue
        if _is_attachment(part):
            name = _file_name(part, index)
            data = _payload(part)
            if len(files) >= MAX_FILES:
                refused.append({"name": name, "reason": f"more than {MAX_FILES} files"})
            elif len(data) > max_file_bytes:
                refused.append(
                    {"name": name, "reason": f"{len(data)} bytes, over {max_file_bytes}"}
                )
            else:
                files.append(InboundFile(name, ctype, data))
        elif ctype == "text/html":
            htmls.append(_text_of(part))
        elif part.get_content_maintype() in ("text", "multipart"):
            # (a multipart without its boundary is left as one text: read it as such)
            plain.append(_text_of(part))
    body_html = "\n".join(htmls)
    if plain:
        body = "\n\n".join(p.strip("\r\n") for p in plain)
    elif body_html:
        body = html_to_text(body_html)
    else:
        body = ""
    body = body.replace("\r\n", "\n")[:MAX_TEXT]
    text, quoted = split_quoted(body)
    bounce = _bounce(msg) if report or _header(msg, "Content-Type").find("report") >= 0 else None
    return ParsedMail(
        message_id=_first_id(_header(msg, "Message-ID")),
        in_reply_to=_first_id(_header(msg, "In-Reply-To")),
        references=_ids(_header(msg, "References"))[-50:],
        subject=_header(msg, "Subject"),
        from_address=from_address,
        from_name=from_name,
        text=text,
        quoted=quoted,
        html_sanitised=sanitise_html(body_html) if body_html else "",
        files=files,
        refused_files=refused,
        auto=bounce is None and _is_auto(msg, from_address),
        bounce=bounce,
        broken=bool(msg.defects) and not (plain or htmls or files),
    )


def _sender(msg: Message) -> tuple[str, str]:
    raw = " ".join((_raw_header(msg, "From") or "")[:MAX_HEADER].split())
    if _has_surrogates(raw):
        raw = _fix_surrogates(raw)
    name, address = email.utils.parseaddr(raw)
    address = address.strip().lower()
    if "@" not in address:
        return "", ""
    return address[:320], _decode_words(name).strip()[:200]


_RAW_HEADER = re.compile(rb"(?im)^(subject|from|message-id):[ \t]*(.*)$")


def _fallback(raw: bytes) -> ParsedMail:
    head, _, body = raw.partition(b"\r\n\r\n")
    if not body:
        head, _, body = raw.partition(b"\n\n")
    found = {m.group(1).lower(): m.group(2).strip() for m in _RAW_HEADER.finditer(head)}
    subject = decode_bytes(found.get(b"subject", b""), None)
    with contextlib.suppress(Exception):
        subject = str(email.header.make_header(email.header.decode_header(subject)))
    name, address = email.utils.parseaddr(decode_bytes(found.get(b"from", b""), None))
    text = decode_bytes(body[: MAX_TEXT * 4], None)[:MAX_TEXT].replace("\r\n", "\n")
    return ParsedMail(
        message_id=_first_id(decode_bytes(found.get(b"message-id", b""), None)),
        in_reply_to="",
        references=[],
        subject=" ".join(subject.split())[:MAX_HEADER],
        from_address=address.lower() if "@" in address else "",
        from_name=name,
        text=text.strip(),
        quoted="",
        html_sanitised="",
        broken=True,
    )


def fingerprint(raw: bytes) -> str:
    """A stand-in Message-ID for a message without one: the same bytes, the same id."""
    return "<sha256." + hashlib.sha256(raw).hexdigest()[:40] + "@omnidesk.invalid>"
