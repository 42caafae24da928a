"""What the gateway benchmarks share: operators with session tokens in a fresh store, and the
/proc readings (CPU time, resident memory) of a process under measurement."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

from sqlalchemy.orm import Session

from services.auth import hash_password, new_token, token_digest
from services.store.db import make_engine, migrate
from services.store.models import Operator, Queue, SessionToken, utcnow


def seed_operators(url: str, count: int, *, prefix: str, webchat_capacity: int) -> list[str]:
    """A migrated store at ``url`` with the queue ``general`` (web chat) and ``count`` agents
    who may take from it; returns one valid session token per agent, in order."""
    engine = make_engine(url)
    migrate(engine)
    pw = hash_password("bench")
    tokens = [new_token() for _ in range(count)]
    with Session(engine) as s:
        s.add(Queue(name="general", channels=["webchat"], skills=["general"]))
        ops = [
            Operator(
                username=f"{prefix}{i:04d}",
                display_name=f"Оператор {i}",
                password_hash=pw,
                role="agent",
                skills=["general"],
                capacity={"webchat": webchat_capacity},
            )
            for i in range(count)
        ]
        s.add_all(ops)
        s.flush()
        s.add_all(
            SessionToken(
                token_hash=token_digest(t),
                operator_id=o.id,
                expires_at=utcnow() + timedelta(days=1),
            )
            for t, o in zip(tokens, ops, strict=True)
        )
        s.commit()
    engine.dispose()
    return tokens


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process, from /proc (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int) -> float:
    """Resident set size in MiB, from /proc (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")
