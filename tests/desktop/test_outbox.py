"""The local outbox on its own: what waits, what is counted, what is forgotten."""

from __future__ import annotations

import os
import stat
from datetime import timedelta
from pathlib import Path

import pytest

from omnidesk_qt.outbox import Outbox


def test_pending_entries_survive_reopening_in_order(tmp_path: Path) -> None:
    box = Outbox(tmp_path / "ob.db")
    first = box.add("message.send", {"text": "один"})
    box.add("note.add", {"text": "два"}, key="k-2")
    box.close()

    again = Outbox(tmp_path / "ob.db")
    pending = again.pending()
    assert [(e.key, e.name, e.args) for e in pending] == [
        (first.key, "message.send", {"text": "один"}),
        ("k-2", "note.add", {"text": "два"}),
    ]
    assert again.count_pending() == 2
    again.close()


def test_answered_commands_are_not_counted_and_are_pruned(tmp_path: Path) -> None:
    box = Outbox(tmp_path / "ob.db")
    sent = box.add("message.send", {"text": "a"})
    refused = box.add("message.send", {"text": "b"})
    waiting = box.add("message.send", {"text": "c"})
    box.attempt(sent.key)
    box.done(sent.key, {"event_id": 1})
    box.failed(refused.key, "forbidden: no")
    assert box.count_pending() == 1
    assert [e.key for e in box.pending()] == [waiting.key]

    # Fresh answers are kept for a while; old ones go, and a pending one stays however old.
    assert box.prune() == 0
    assert box.prune(older_than=timedelta(0)) == 2
    assert [e.key for e in box.pending()] == [waiting.key]
    assert box.count_pending() == 1
    box.close()


@pytest.mark.skipif(os.name == "nt", reason="POSIX modes; Windows keeps per-user ACLs")
def test_the_outbox_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    """Security item 10: reply texts wait here, so 0600 files in a 0700 folder, WAL included."""
    old = os.umask(0o022)  # the usual umask, under which SQLite made them 0644
    try:
        folder = tmp_path / "omnidesk"
        box = Outbox(folder / "outbox.db")
        box.add("message.send", {"text": "секрет"})  # the WAL and shared-memory files exist now
        files = sorted(p.name for p in folder.iterdir())
        assert files == ["outbox.db", "outbox.db-shm", "outbox.db-wal"]
        assert {name: mode(folder / name) for name in files} == dict.fromkeys(files, 0o600)
        assert mode(folder) == 0o700
        box.close()
    finally:
        os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)
