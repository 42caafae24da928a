"""The team's canned responses from the command line: import them from a file, list them.

A file is TOML or JSON (by its suffix) with a list of responses::

    [[responses]]
    shortcut = "refund"
    language = "ru"
    title = "Возврат денег"
    text = "{customer.first_name}, деньги вернутся на карту в течение 10 рабочих дней."
    queue = "billing"        # optional: offered only in that queue's conversations

(JSON: ``{"responses": [{...}, ...]}`` or the list itself.) A response whose shortcut and
language the team has already is changed; the others are added. Everything is checked before
anything is written, and the whole file goes in one transaction; running gateways tell the
desktops within seconds.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from services.admin import AdminError
from services.domain import canned as rules
from services.domain.errors import InvalidInput
from services.protocol import canned as wire
from services.store import canned as stored
from services.store import tables
from services.store.models import utcnow
from services.store.tables import canned_responses

FIELDS = {"shortcut", "language", "title", "text", "queue"}


def read_file(path: Path) -> list[dict[str, Any]]:
    suffix = path.suffix.lower()
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise AdminError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        if suffix == ".toml":
            data: Any = tomllib.loads(raw.decode("utf-8"))
        elif suffix == ".json":
            data = json.loads(raw)
        else:
            raise AdminError(f"{path.name}: give a .toml or .json file")
    except (tomllib.TOMLDecodeError, json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise AdminError(f"{path.name} is not valid {suffix[1:].upper()}: {exc}") from None
    entries = data.get("responses") if isinstance(data, dict) else data
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise AdminError(f"{path.name}: expected a list of responses (see canned import --help)")
    return entries


def check_entries(entries: list[dict[str, Any]], queues: dict[str, int]) -> list[stored.TeamEntry]:
    """Every entry checked, as it will be stored; the first bad one is named."""
    out: list[stored.TeamEntry] = []
    seen: dict[tuple[str, str], int] = {}
    for number, entry in enumerate(entries, 1):
        where = f"response {number}" + (
            f" (/{entry['shortcut']})" if isinstance(entry.get("shortcut"), str) else ""
        )
        unknown = sorted(set(entry) - FIELDS)
        if unknown:
            raise AdminError(f"{where}: unknown field {unknown[0]!r}")
        values = {name: entry.get(name, "") for name in ("shortcut", "language", "title", "text")}
        if not all(isinstance(v, str) for v in values.values()):
            raise AdminError(f"{where}: shortcut, language, title and text are text")
        try:
            fields = rules.check_fields(**values)
        except InvalidInput as exc:
            raise AdminError(f"{where}: {exc.message}") from None
        queue = entry.get("queue")
        queue_id = None
        if queue not in (None, ""):
            if not isinstance(queue, str) or queue.strip().lower() not in queues:
                raise AdminError(f"{where}: no queue {queue!r} (see list-queues)")
            queue_id = queues[queue.strip().lower()]
        key = (fields.language, fields.shortcut)
        if key in seen:
            raise AdminError(
                f"{where}: /{fields.shortcut} ({fields.language}) is response {seen[key]} too"
            )
        seen[key] = number
        out.append(
            stored.TeamEntry(fields.shortcut, fields.language, fields.title, fields.text, queue_id)
        )
    return out


def import_team(engine: Engine, path: Path) -> tuple[int, int]:
    """(added, changed) team responses from the file."""
    entries = read_file(path)
    if not entries:
        raise AdminError(f"{path.name} holds no responses")
    with engine.begin() as conn:
        queues = {row.name: row.id for row in conn.execute(select(tables.queues)).all()}
        checked = check_entries(entries, queues)
        existing = {
            (r.language, r.shortcut)
            for r in conn.execute(
                select(canned_responses.c.language, canned_responses.c.shortcut).where(
                    canned_responses.c.owner_id == stored.TEAM_OWNER
                )
            ).all()
        }
        new = sum((e.language, e.shortcut) not in existing for e in checked)
        if len(existing) + new > wire.MAX_TEAM:
            raise AdminError(
                f"the team may have {wire.MAX_TEAM} responses: it has {len(existing)}, "
                f"and this file adds {new}"
            )
        now = utcnow()
        added, changed = stored.upsert_team(conn, checked, now)
        conn.execute(
            tables.audit.insert().values(
                at=now,
                operator_id=None,
                action="canned.import",
                target_type="canned_response",
                target_id="team",
                details={"file": path.name, "added": added, "changed": changed},
            )
        )
    return added, changed


def list_team(engine: Engine) -> list[str]:
    """One line per team response, for people: language, shortcut, title, queue."""
    t, queues = canned_responses, tables.queues
    with engine.connect() as conn:
        rows = conn.execute(
            select(t.c.language, t.c.shortcut, t.c.title, queues.c.name)
            .outerjoin(queues, queues.c.id == t.c.queue_id)
            .where(t.c.owner_id == stored.TEAM_OWNER)
            .order_by(t.c.language, t.c.shortcut)
        ).all()
    return [
        f"{r.language}  /{r.shortcut}  {r.title}" + (f"  (queue {r.name})" if r.name else "")
        for r in rows
    ]
