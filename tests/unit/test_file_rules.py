"""Which files are accepted (by content), what they are called, and the visitors' signed links."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from services.domain import files as rules


def _zip(entries: dict[str, bytes | str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, body in entries.items():
            z.writestr(name, body)
    return buf.getvalue()


CASES = [
    (b"\x89PNG\r\n\x1a\n....", "x.jpg", rules.PNG),
    (b"\xff\xd8\xff\xe0JFIF", "x", rules.JPEG),
    (b"GIF89a....", "x.gif", rules.GIF),
    (b"RIFF\x10\x00\x00\x00WEBPVP8 ", "x.webp", rules.WEBP),
    (b"%PDF-1.7\n", "x.pdf", rules.PDF),
    ("Привет, мир\n".encode(), "x.txt", rules.TEXT),
    (b"\xef\xbb\xbfa;b\r\n1;2\r\n", "x.csv", rules.CSV),
    (_zip({"[Content_Types].xml": "<T/>", "word/document.xml": "<d/>"}), "x.docx", rules.DOCX),
    (_zip({"[Content_Types].xml": "<T/>", "xl/workbook.xml": "<w/>"}), "x.xlsx", rules.XLSX),
    (_zip({"mimetype": rules.ODT, "content.xml": "<c/>"}), "x.odt", rules.ODT),
    (b"MZ\x90\x00", "x.png", None),  # a program, whatever its name says
    (b"\x7fELF\x02\x01", "x.txt", None),
    (b"text with a \x00 NUL", "x.txt", None),
    (b"\xff\xfe\x00\x00 not utf-8", "x.txt", None),
    (_zip({"a.txt": "x"}), "x.docx", None),  # a plain zip is not an office document
    (
        _zip(
            {
                "[Content_Types].xml": "<T/>",
                "word/document.xml": "<d/>",
                "word/vbaProject.bin": "macro",
            }
        ),
        "x.docx",
        None,  # macro-enabled
    ),
    (b"PK\x03\x04broken", "x.docx", None),
]


@pytest.mark.parametrize(("body", "name", "want"), CASES)
def test_the_content_decides_the_type(
    tmp_path: Path, body: bytes, name: str, want: str | None
) -> None:
    path = tmp_path / "f"
    path.write_bytes(body)
    assert rules.sniff(path, name, "image/png") == want


@pytest.mark.parametrize(
    ("raw", "mime", "want"),
    [
        ("../../etc/passwd", rules.TEXT, "passwd.txt"),
        ("C:\\Users\\me\\отчёт.PDF", rules.PDF, "отчёт.PDF"),
        ("photo.jpeg", rules.JPEG, "photo.jpeg"),
        ("page.html", rules.TEXT, "page.html.txt"),
        ("evil\u202egnp.exe", rules.PNG, "evilgnp.exe.png"),  # no bidi override
        ("  ..  ", rules.PDF, "file.pdf"),
        ("a" * 300 + ".pdf", rules.PDF, "a" * 116 + ".pdf"),
        ('q"<>|?*.txt', rules.TEXT, "q.txt"),
    ],
)
def test_names_are_plain_and_end_as_what_the_file_is(raw: str, mime: str, want: str) -> None:
    assert rules.sanitise_name(raw, mime) == want


def test_the_download_name_is_percent_encoded_utf8() -> None:
    assert rules.content_disposition('Счёт "5".pdf') == (
        "attachment; filename*=UTF-8''%D0%A1%D1%87%D1%91%D1%82%20%225%22.pdf"
    )


def test_a_link_is_for_one_file_of_one_customer_until_it_expires() -> None:
    key = b"k" * 32
    part = rules.sign_link_part(key, 7, 3, expires=2000)
    assert rules.link_part_valid(key, part, 7, 3, now=1000)
    assert not rules.link_part_valid(key, part, 8, 3, now=1000)  # another file
    assert not rules.link_part_valid(key, part, 7, 4, now=1000)  # another customer
    assert not rules.link_part_valid(key, part, 7, 3, now=2001)  # expired
    assert not rules.link_part_valid(b"x" * 32, part, 7, 3, now=1000)  # another store
    later = part.replace(".2000.", ".9000.")
    assert not rules.link_part_valid(key, later, 7, 3, now=1000)  # the expiry is signed too
    for junk in ("", "v1", "v1..", "v2.2000.abc", "v1.-5.abc", "v1.2000."):
        assert not rules.link_part_valid(key, junk, 7, 3, now=1000)
