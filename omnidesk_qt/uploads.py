"""Files over the gateway's HTTP side (docs/protocol.md §8): the operator's uploads for a
message, and downloads of a message's files into a private folder of the user's.

The HTTP requests and the file IO run on helper threads of this module's own (the standard
library's urllib: no extra dependency), never on the UI thread; their outcome comes back as Qt
signals on the event loop's thread. The base URL and the Bearer token are the session's,
asked for at each request (the token changes when the client signs in again).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import os
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from omnidesk_qt import paths
from services.private_files import private_dir, private_new_file

log = logging.getLogger(__name__)

# The gateway's defaults ([files] max_bytes, per_message): checked before uploading so that
# an operator learns at once what the gateway would answer.
MAX_BYTES = 10 * 1024 * 1024
PER_MESSAGE = 5
TIMEOUT_S = 60.0
CHUNK = 64 * 1024

Endpoint = Callable[[], tuple[str, str]]  # () -> (http_url, session token)
Progress = Callable[[int], None]


class TransferError(Exception):
    """A refused or failed transfer: ``code`` as the gateway's errors say (``file_too_large``,
    ``file_type_not_allowed``, …), or ``offline`` / ``io_error`` for what happened here."""

    def __init__(self, code: str, message: str = "") -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


def check_file(path: Path, already: int = 0) -> tuple[str, int]:
    """What the gateway would refuse before a byte is sent: ("", size) when it may go, else
    (code, size) with code ``too_many_files``, ``file_too_large``, ``invalid_args`` (empty) or
    ``io_error`` (unreadable). Reads only the file's metadata."""
    if already >= PER_MESSAGE:
        return "too_many_files", 0
    try:
        size = path.stat().st_size
    except OSError:
        return "io_error", 0
    if not path.is_file():
        return "io_error", 0
    if size == 0:
        return "invalid_args", 0
    if size > MAX_BYTES:
        return "file_too_large", size
    return "", size


def safe_name(name: str, fallback: str) -> str:
    """A file name to save as: no folders, no control characters, never "." or ".."."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in base if ch.isprintable()).strip()
    if base in ("", ".", ".."):
        base = fallback
    return base[:120]


def downloads_dir(operator: str) -> Path:
    """The user's private folder for the files operator ``operator`` opened (not created)."""
    return paths.data_dir() / "downloads" / safe_name(operator, "operator")


class _CountingReader:
    """A file the request reads in chunks, reporting how much went."""

    def __init__(self, path: Path, progress: Progress) -> None:
        self._f = path.open("rb")
        self._sent = 0
        self._progress = progress

    def read(self, n: int = -1) -> bytes:
        data = self._f.read(CHUNK if n is None or n < 0 else min(n, CHUNK))
        if data:
            self._sent += len(data)
            self._progress(self._sent)
        return data

    def close(self) -> None:
        self._f.close()


def _error(exc: urllib.error.HTTPError) -> TransferError:
    try:
        body = json.loads(exc.read(16384) or b"{}")
    except (ValueError, OSError):
        body = {}
    code = str(body.get("error") or f"http_{exc.code}")[:64] if isinstance(body, dict) else ""
    message = str(body.get("message") or "")[:300] if isinstance(body, dict) else ""
    return TransferError(code or f"http_{exc.code}", message)


def upload_blocking(
    base: str, token: str, customer_id: int, path: Path, progress: Progress
) -> dict[str, Any]:
    """POST /files: the attachment's view ``{id, name, size, mime, url}``."""
    if not base:
        raise TransferError("offline", "the gateway's HTTP side is not known yet")
    query = urllib.parse.urlencode({"customer_id": customer_id, "name": path.name})
    try:
        size = path.stat().st_size
        reader = _CountingReader(path, progress)
    except OSError as exc:
        raise TransferError("io_error", str(exc)) from exc
    request = urllib.request.Request(
        f"{base}/files?{query}",
        data=reader,  # http.client reads file-likes in blocks
        method="POST",
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/octet-stream",
            "Content-Length": str(size),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
            view = json.loads(response.read(65536))
    except urllib.error.HTTPError as exc:
        raise _error(exc) from exc
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise TransferError("offline", str(exc)) from exc
    finally:
        reader.close()
    if not isinstance(view, dict) or not isinstance(view.get("id"), int):
        raise TransferError("bad_answer", "the gateway's answer has no file id")
    return view


def download_blocking(base: str, token: str, attachment: dict[str, Any], dest_dir: Path) -> Path:
    """GET the attachment into ``dest_dir/<id>/<name>``, folders 0700 and the file 0600 from
    its first byte; the path it was saved at."""
    url = str(attachment.get("url") or "")
    if not base or not url.startswith("/"):
        raise TransferError("offline", "the gateway's HTTP side is not known yet")
    att_id = int(attachment.get("id") or 0)
    folder = private_dir(dest_dir / str(att_id))
    target = folder / safe_name(str(attachment.get("name") or ""), f"file-{att_id}")
    partial = folder / f".{os.getpid()}.{next(_SERIAL)}.part"
    request = urllib.request.Request(base + url, headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
            fd = private_new_file(partial)
            with os.fdopen(fd, "wb") as out:
                while chunk := response.read(CHUNK):
                    out.write(chunk)
        os.replace(partial, target)
    except urllib.error.HTTPError as exc:
        raise _error(exc) from exc
    except (urllib.error.URLError, OSError) as exc:
        raise TransferError("offline", str(exc)) from exc
    finally:
        if partial.exists():
            partial.unlink()
    return target


_SERIAL = itertools.count(1)


class FileTransfers(QObject):
    """Uploads and downloads of the session's, each named by a ``ref`` this object makes."""

    uploadProgress = Signal(str, int, int)  # ref, bytes sent, size
    uploadDone = Signal(str, dict)  # ref, the attachment {id, name, size, mime, url}
    uploadFailed = Signal(str, str, str)  # ref, code, message
    downloadDone = Signal(dict, str)  # attachment, where it was saved
    downloadFailed = Signal(dict, str, str)  # attachment, code, message

    def __init__(
        self,
        endpoint: Endpoint,
        spawn: Callable[[Any], None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._endpoint = endpoint
        self._spawn = spawn
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="files")
        self._refs = itertools.count(1)

    def upload(self, customer_id: int, path: Path) -> str:
        """Start uploading ``path`` for the customer; returns its ref at once."""
        ref = f"u{next(self._refs)}"
        self._spawn(self._upload(ref, customer_id, Path(path)))
        return ref

    def download(self, attachment: dict[str, Any], dest_dir: Path) -> None:
        self._spawn(self._download(dict(attachment), Path(dest_dir)))

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)

    async def _upload(self, ref: str, customer_id: int, path: Path) -> None:
        loop = asyncio.get_running_loop()
        size = 0

        def progress(sent: int) -> None:  # on the helper thread
            loop.call_soon_threadsafe(self.uploadProgress.emit, ref, sent, size)

        base, token = self._endpoint()
        try:
            size = (await loop.run_in_executor(self._pool, path.stat)).st_size
            view = await loop.run_in_executor(
                self._pool, upload_blocking, base, token, customer_id, path, progress
            )
        except TransferError as exc:
            self.uploadFailed.emit(ref, exc.code, exc.message)
            return
        except OSError as exc:
            self.uploadFailed.emit(ref, "io_error", str(exc))
            return
        self.uploadDone.emit(ref, view)

    async def _download(self, attachment: dict[str, Any], dest_dir: Path) -> None:
        loop = asyncio.get_running_loop()
        base, token = self._endpoint()
        try:
            path = await loop.run_in_executor(
                self._pool, download_blocking, base, token, attachment, dest_dir
            )
        except TransferError as exc:
            log.info("download of file %s failed: %s", attachment.get("id"), exc.code)
            self.downloadFailed.emit(attachment, exc.code, exc.message)
            return
        except OSError as exc:
            self.downloadFailed.emit(attachment, "io_error", str(exc))
            return
        self.downloadDone.emit(attachment, str(path))
