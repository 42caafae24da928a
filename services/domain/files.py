"""Attachments: which files are accepted (by their content, not by what they claim to be), what
they are called when saved, and the signed links web-chat visitors download them by.

Pure rules, no I/O beyond reading the file being judged: the type comes from the file's first
bytes (and, for the zip-based office formats, the names inside the zip); the declared type and
the file name's extension never decide it. A text file must be UTF-8 without control
characters. Whatever the type, a download always says ``attachment`` and the saved name ends
with an extension of the sniffed type, so a text file called ``page.html`` is saved as
``page.html.txt`` and never opens as a web page.
"""

from __future__ import annotations

import hashlib
import hmac
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO
from urllib.parse import quote

SNIFF_BYTES = 8192
MAX_NAME = 120

PNG, JPEG, GIF, WEBP, PDF = "image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf"
TEXT, CSV = "text/plain", "text/csv"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ODT = "application/vnd.oasis.opendocument.text"

# The extensions a saved file of each type may end with; the first is added when it has none.
EXTENSIONS: dict[str, tuple[str, ...]] = {
    PNG: (".png",),
    JPEG: (".jpg", ".jpeg"),
    GIF: (".gif",),
    WEBP: (".webp",),
    PDF: (".pdf",),
    TEXT: (".txt", ".text", ".log"),
    CSV: (".csv",),
    DOCX: (".docx",),
    XLSX: (".xlsx",),
    ODT: (".odt",),
}
ALLOWED: frozenset[str] = frozenset(EXTENSIONS)
ALLOWED_LABEL = "PNG, JPEG, GIF or WebP images, PDF, plain text, CSV, DOCX, XLSX or ODT"

# Control characters a text file may hold: tab, line feed, form feed, carriage return.
_TEXT_CONTROLS = {0x09, 0x0A, 0x0C, 0x0D}


@dataclass(frozen=True, slots=True)
class FileLimits:
    max_bytes: int = 10 * 1024 * 1024
    per_message: int = 5
    # uploads one visitor may make a minute (operators are not limited here)
    visitor_uploads_per_min: int = 20


def sniff(path: Path, declared_name: str = "", declared_type: str = "") -> str | None:
    """The allowed type of the file at ``path`` judged by its content, or None (refuse it).

    ``declared_name`` and ``declared_type`` only tell CSV from plain text, both of which are
    just text to a sniffer.
    """
    with path.open("rb") as f:
        head = f.read(SNIFF_BYTES)
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith((b"GIF87a", b"GIF89a")):
        return GIF
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"PK\x03\x04"):
        return _office(path)
    if _is_text(path):
        csv = declared_name.lower().endswith(".csv") or declared_type.split(";")[0].strip() in (
            CSV,
            "application/csv",
        )
        return CSV if csv else TEXT
    return None


def _office(path: Path) -> str | None:
    """DOCX, XLSX or ODT by the names inside the zip (only its directory and the tiny
    ``mimetype`` entry are read: a zip bomb is never inflated). Macro-enabled files and any
    other zip are refused."""
    try:
        with zipfile.ZipFile(path) as z:
            names = set(z.namelist())
            if any(n.lower().endswith("vbaproject.bin") for n in names):
                return None
            if "[Content_Types].xml" in names:
                if "word/document.xml" in names:
                    return DOCX
                if "xl/workbook.xml" in names:
                    return XLSX
                return None
            if "mimetype" in names and z.getinfo("mimetype").file_size <= 100:
                with z.open("mimetype") as m:
                    if m.read(100).strip() == ODT.encode():
                        return ODT
    except (zipfile.BadZipFile, OSError, KeyError, RuntimeError, NotImplementedError):
        return None
    return None


def _is_text(path: Path) -> bool:
    """UTF-8 (a BOM allowed) without NUL or other control characters, read in chunks."""
    import codecs

    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    with path.open("rb") as f:
        while chunk := f.read(64 * 1024):
            try:
                text = decoder.decode(chunk)
            except UnicodeDecodeError:
                return False
            if not _printable(text):
                return False
        try:
            return _printable(decoder.decode(b"", final=True))
        except UnicodeDecodeError:
            return False


def _printable(text: str) -> bool:
    return not any(
        (ord(ch) < 0x20 and ord(ch) not in _TEXT_CONTROLS) or ord(ch) == 0x7F for ch in text
    )


def sanitise_name(raw: str, mime: str) -> str:
    """A file name safe to show and to save: no folders, no control or bidi characters, at most
    120 characters, ending with an extension of the sniffed type."""
    name = unicodedata.normalize("NFC", raw or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(
        ch
        for ch in name
        if unicodedata.category(ch)[0] != "C" and ch not in '<>:"|?*' and ch not in "\u2028\u2029"
    )
    name = " ".join(name.split()).strip(" .")
    if not name:
        name = "file"
    allowed = EXTENSIONS.get(mime, ())
    stem, dot, ext = name.rpartition(".")
    if allowed and not (dot and stem and "." + ext.lower() in allowed):
        name = name + allowed[0]
        stem, _, ext = name.rpartition(".")
    if len(name) > MAX_NAME:
        keep = MAX_NAME - len(ext) - 1
        name = stem[:keep].rstrip(" .") + "." + ext
    return name


def content_disposition(name: str) -> str:
    """``attachment`` with the name as RFC 6266/8187 ``filename*`` (UTF-8, percent-encoded)."""
    return "attachment; filename*=UTF-8''" + quote(name, safe="")


def sha256_of(stream: BinaryIO) -> str:
    digest = hashlib.sha256()
    while chunk := stream.read(64 * 1024):
        digest.update(chunk)
    return digest.hexdigest()


# -- signed links (web-chat visitors download by link; the link names the file and customer) -----
LINK_VERSION = "v1"


def link_signature(key: bytes, file_id: int, customer_id: int, expires: int) -> str:
    msg = f"{LINK_VERSION}:{file_id}:{customer_id}:{expires}".encode()
    return hmac.new(key, msg, hashlib.sha256).hexdigest()[:43]


def sign_link_part(key: bytes, file_id: int, customer_id: int, expires: int) -> str:
    """The last part of a visitor's download path: ``v1.<expires>.<signature>``."""
    return f"{LINK_VERSION}.{expires}.{link_signature(key, file_id, customer_id, expires)}"


def link_part_valid(key: bytes, part: str, file_id: int, customer_id: int, now: float) -> bool:
    version, _, rest = part.partition(".")
    expires_s, _, signature = rest.partition(".")
    if version != LINK_VERSION or not expires_s.isdigit() or len(expires_s) > 12:
        return False
    expires = int(expires_s)
    if expires < now:
        return False
    want = link_signature(key, file_id, customer_id, expires)
    return hmac.compare_digest(want.encode(), signature.encode())
