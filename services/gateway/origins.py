"""Which pages may open a browser socket: the allow-list and the gateway's own origins."""

from __future__ import annotations

from collections.abc import Iterable

from services.api.urls import origin_of


class OriginPolicy:
    def __init__(self, allowed: Iterable[str], own: Iterable[str]) -> None:
        allowed = list(allowed)
        self.any = "*" in allowed
        # Written as configured, and also normalised (a trailing slash, an upper-case host).
        listed = {o for o in allowed if o != "*"}
        for entry in list(listed):
            try:
                listed.add(origin_of(entry))
            except ValueError:
                continue
        self.origins = frozenset(listed | set(own))

    def allows(self, origin: str | None) -> bool:
        """Desktop clients and scripts send no Origin; a browser always does."""
        if origin is None:
            return True
        return self.any or origin in self.origins
