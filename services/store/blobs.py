"""Attachment bytes on disk, content-addressed: ``<root>/ab/cd/<sha256>``.

Only the gateway's user may read them: folders 0700, files 0600 from the moment they are
created (services/private_files.py). An upload is written to ``<root>/incoming`` while it is
hashed and counted, and moved into place only when it was accepted; the same content uploaded
twice is kept once. Blocking file work runs in a thread (``asyncio.to_thread``) by the callers.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
import time
from pathlib import Path

from services.private_files import private_dir, private_new_file


class Incoming:
    """One upload being received: a private temp file, its hash and size so far."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = private_new_file(path)
        self._hash = hashlib.sha256()
        self.size = 0

    def write(self, chunk: bytes) -> None:
        assert self._fd is not None
        view = memoryview(chunk)
        while view:
            written = os.write(self._fd, view)
            view = view[written:]
        self._hash.update(chunk)
        self.size += len(chunk)

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    @property
    def sha256(self) -> str:
        return self._hash.hexdigest()

    def discard(self) -> None:
        self.close()
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()


class BlobStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def incoming(self) -> Incoming:
        folder = private_dir(self.root / "incoming")
        return Incoming(folder / secrets.token_hex(16))

    def path(self, sha256: str) -> Path:
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise ValueError("not a SHA-256")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def keep(self, upload: Incoming) -> str:
        """Move an accepted upload into place (or drop it: the same bytes are there)."""
        upload.close()
        target = self.path(upload.sha256)
        private_dir(self.root)
        private_dir(target.parent.parent)
        private_dir(target.parent)
        if target.exists():
            upload.discard()
            os.utime(target)  # fresh again: pruning leaves a just-used blob alone
        else:
            os.replace(upload.path, target)
        return upload.sha256

    def remove_if_older(self, sha256: str, seconds: float) -> bool:
        """Remove a blob nobody refers to any more, unless it was kept in the last ``seconds``
        (an upload of the same bytes may be on its way to its row)."""
        path = self.path(sha256)
        try:
            if time.time() - path.stat().st_mtime < seconds:
                return False
            path.unlink()
        except FileNotFoundError:
            return False
        return True
