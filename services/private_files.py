"""Files only their owner may read: the gateway's SQLite store (customers, password hashes) and
the desktop's outbox (reply texts).

Standard library only, so that the desktop can use it without the gateway's dependencies.
"""

from __future__ import annotations

import os
from pathlib import Path

# SQLite's companions of a database file; it creates them with the database file's own mode.
SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")


def private_sqlite_file(path: Path) -> None:
    """Make ``path``'s folder 0700 and the database (made empty if missing) and its companions
    0600, before SQLite opens it. Windows: nothing to do (per-user folders carry ACLs)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if os.name == "nt":
        return
    os.chmod(path.parent, 0o700)
    # Created here rather than by SQLite, whose default is 0644 under the usual umask.
    os.close(os.open(path, os.O_CREAT | os.O_RDWR, 0o600))
    for name in (path.name, *(path.name + suffix for suffix in SQLITE_COMPANIONS)):
        candidate = path.with_name(name)
        if candidate.exists():
            os.chmod(candidate, 0o600)


def private_dir(path: Path) -> Path:
    """Make ``path`` (and missing parents) a folder only its owner may enter (0700)."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    if os.name != "nt":
        os.chmod(path, 0o700)
    return path


def private_new_file(path: Path) -> int:
    """Create ``path`` for writing, 0600 from the start (never readable by others, not even
    for a moment); returns the open file descriptor. Fails if it exists."""
    flags = os.O_CREAT | os.O_EXCL | os.O_WRONLY | getattr(os, "O_BINARY", 0)
    return os.open(path, flags, 0o600)
