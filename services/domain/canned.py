"""Canned responses' rules, with no I/O: what a shortcut, title, language and text may be.

The gateway's commands and the command line's import check the same way; the bounds are the
wire's (``services.protocol.canned``), so the desktop can check before it sends.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.domain.errors import InvalidInput
from services.protocol import canned as wire


@dataclass(frozen=True, slots=True)
class CannedFields:
    """A response's checked fields, as stored."""

    shortcut: str
    title: str
    language: str
    text: str


def check_shortcut(raw: str) -> str:
    shortcut = raw.strip().lower()
    if not wire.SHORTCUT.fullmatch(shortcut):
        raise InvalidInput(
            f"bad shortcut {raw[:40]!r}: 1-{wire.MAX_SHORTCUT} of a-z, 0-9, '_' and '-'"
        )
    return shortcut


def check_language(raw: str) -> str:
    language = raw.strip().lower()
    if language not in wire.LANGUAGES:
        raise InvalidInput(f"bad language {raw[:16]!r}: one of " + ", ".join(wire.LANGUAGES))
    return language


def check_title(raw: str) -> str:
    title = " ".join(raw.split())
    if not title or len(title) > wire.MAX_TITLE:
        raise InvalidInput(f"a title needs 1-{wire.MAX_TITLE} characters")
    return title


def check_text(raw: str) -> str:
    text = raw.strip()
    if not text or len(text) > wire.MAX_TEXT:
        raise InvalidInput(f"a canned text needs 1-{wire.MAX_TEXT} characters")
    unknown = wire.unknown_variables(text)
    if unknown:
        raise InvalidInput(
            "unknown variable {" + unknown[0] + "}: use " + ", ".join(sorted(wire.VARIABLES)),
            variables=unknown,
        )
    return text


def check_fields(shortcut: str, title: str, language: str, text: str) -> CannedFields:
    return CannedFields(
        check_shortcut(shortcut), check_title(title), check_language(language), check_text(text)
    )


def limit_of(scope: str) -> int:
    return wire.MAX_TEAM if scope == "team" else wire.MAX_PERSONAL
