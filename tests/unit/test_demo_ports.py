"""The desktop's demo listens where the README says, or says where it went instead."""

from __future__ import annotations

import contextlib
import socket

from omnidesk_qt.embedded import DEMO_HTTP_PORT, DEMO_PORT, demo_ports


def _free(port: int) -> bool:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def test_the_documented_ports_when_free_else_any() -> None:
    if _free(DEMO_PORT) and _free(DEMO_HTTP_PORT):
        assert demo_ports() == (8765, 8766)
    for taken in (DEMO_PORT, DEMO_HTTP_PORT):
        with socket.socket() as holder:
            with contextlib.suppress(OSError):  # someone else holds it already: the same
                holder.bind(("127.0.0.1", taken))
            holder.listen()
            assert demo_ports() == (0, 0), f"{taken} taken: free ports instead"
