"""Cheap checks of a raw JSON frame, made before (or instead of) decoding it.

Both sockets use them. A decoder recurses once per nesting level, so a frame nested thousands
deep must be refused before it is decoded; a NUL character cannot be stored in PostgreSQL text,
so it is refused at the edge rather than failing in the store.
"""

from __future__ import annotations

import re

import msgspec

# Deeper than any frame of either protocol needs (a command's args are two levels deep).
MAX_DEPTH = 32
# Store ids are PostgreSQL bigints.
MAX_ID = 2**63 - 1

# A JSON string token, or one bracket.
_TOKEN = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{}]')
# The value after a top-level "id" key: an integer or a string.
_ID_VALUE = re.compile(rb'\s*:\s*(-?\d{1,20}|"(?:[^"\\]|\\.){0,200}")')
# \u0000 that is an escape, not the text "\\u0000": an odd number of backslashes before it.
_NUL_ESCAPE = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")


def too_deep(raw: bytes) -> bool:
    """True if arrays and objects nest deeper than ``MAX_DEPTH`` (strings are skipped)."""
    if raw.count(b"[") + raw.count(b"{") <= MAX_DEPTH:
        return False
    depth = 0
    for match in _TOKEN.finditer(raw):
        token = match.group()
        if token in (b"[", b"{"):
            depth += 1
            if depth > MAX_DEPTH:
                return True
        elif token in (b"]", b"}"):
            depth -= 1
    return False


def top_level_id(raw: bytes) -> int | str | None:
    """The top-level ``id`` of a frame that cannot be decoded whole, if it can be read."""
    depth = 0
    for match in _TOKEN.finditer(raw):
        token = match.group()
        if token in (b"[", b"{"):
            depth += 1
        elif token in (b"]", b"}"):
            depth -= 1
        elif depth == 1 and token == b'"id"':
            value = _ID_VALUE.match(raw, match.end())
            if value is None:
                return None
            try:
                found = msgspec.json.decode(value.group(1))
            except msgspec.DecodeError:
                return None
            return found if isinstance(found, int | str) else None
    return None


def has_nul(raw: bytes) -> bool:
    """True if a string of the frame holds a NUL character (``\\u0000``)."""
    return b"u0000" in raw and _NUL_ESCAPE.search(raw) is not None
