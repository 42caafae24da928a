"""Canned responses the operator may use, and the search behind ``/`` in the composer.

The gateway keeps them (team ones for everybody, personal ones for their owner); the session
loads them at sign-in and on ``canned.changed``. The index is built once per change, so that a
keystroke is only a pass over prepared lower-case strings (1,000 responses well under a
frame: ``client.canned_search_ms``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

MAX_SHOWN = 8


@dataclass(frozen=True, slots=True)
class Canned:
    id: int
    shortcut: str
    title: str
    text: str
    language: str
    scope: str  # "team" or "personal"
    queue_id: int | None = None  # offered only in this queue's conversations

    @classmethod
    def of(cls, raw: dict[str, Any]) -> Canned:
        return cls(
            id=int(raw.get("id") or 0),
            shortcut=str(raw.get("shortcut") or ""),
            title=str(raw.get("title") or ""),
            text=str(raw.get("text") or ""),
            language=str(raw.get("language") or ""),
            scope=str(raw.get("scope") or "team"),
            queue_id=int(raw["queue_id"]) if raw.get("queue_id") else None,
        )


class CannedIndex:
    """Search by what follows the ``/``: shortcut prefix first, then words of the title, then
    anywhere in the text; the customer's language first among equals; personal before team."""

    def __init__(self, responses: Iterable[Canned] = ()) -> None:
        self._items: list[tuple[Canned, str, str, str]] = []
        self.replace(responses)

    def replace(self, responses: Iterable[Canned]) -> None:
        self._items = [
            (r, r.shortcut.lower(), r.title.lower(), r.text.lower())
            for r in sorted(responses, key=lambda r: (r.shortcut, r.language, r.id))
        ]

    def __len__(self) -> int:
        return len(self._items)

    def all(self) -> list[Canned]:
        return [item for item, *_ in self._items]

    def search(
        self,
        query: str,
        language: str = "",
        queue_id: int | None = None,
        limit: int = MAX_SHOWN,
    ) -> list[Canned]:
        """The best ``limit`` responses for ``query`` (what follows the "/"), of those offered
        in ``queue_id``'s conversations (unrestricted ones everywhere)."""
        q = query.strip().lower()
        scored: list[tuple[int, int, int, Canned]] = []
        for item, shortcut, title, text in self._items:
            if item.queue_id is not None and item.queue_id != queue_id:
                continue
            if not q:
                rank = 0
            elif shortcut.startswith(q):
                rank = 0 if shortcut == q else 1
            elif title.startswith(q) or f" {q}" in title:
                rank = 2
            elif q in title or q in shortcut:
                rank = 3
            elif q in text:
                rank = 4
            else:
                continue
            own_language = 0 if not language or item.language == language else 1
            personal = 0 if item.scope == "personal" else 1
            scored.append((rank, own_language, personal, item))
        scored.sort(key=lambda s: (s[0], s[1], s[2], s[3].shortcut, s[3].id))
        return [s[3] for s in scored[:limit]]
