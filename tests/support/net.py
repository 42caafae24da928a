"""Network helpers for tests."""

from __future__ import annotations

import socket


def free_port() -> int:
    """A port nobody listens on right now (for a server that must keep it across restarts)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
