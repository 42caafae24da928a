"""Canned responses: the team's, which supervisors and admins manage, and each operator's own.

Every change bumps its set's revision (the team's, or the owner's) in the same transaction,
writes an audit entry, and after commit goes out as a live ``canned.changed`` frame: a team
change to every connected operator, a personal one to its owner's sockets. Live, not a stored
event per operator: a change of the team's would otherwise be a row for every operator. A
desktop that missed frames sees a version it did not expect and lists them again.
"""

from __future__ import annotations

from typing import Any

import msgspec
from sqlalchemy import Connection, select, update
from sqlalchemy.exc import IntegrityError

from services.domain import canned as rules
from services.domain.errors import Conflict, Forbidden, InvalidInput, LimitReached, NotFound
from services.domain.routing import OperatorState
from services.hub.bus import EventBus
from services.hub.state import LiveState, is_supervisor
from services.protocol import commands
from services.protocol.events import LiveName
from services.store import canned as stored
from services.store.rows import add_audit, add_idempotency
from services.store.store import Store
from services.store.tables import canned_responses
from services.store.writer import WriteBatch

IdemKey = tuple[int, str, str]
TEAM = stored.TEAM_OWNER
AUDIT_ACTIONS = {"created": "canned.create", "updated": "canned.update", "deleted": "canned.delete"}


class CannedResponses:
    def __init__(self, store: Store, state: LiveState, bus: EventBus) -> None:
        self.store = store
        self.state = state
        self.bus = bus
        # The newest team revision this node announced (or saw at start, or in the store).
        self.team_revision = 0

    async def start(self) -> None:
        found = await self.store.read(lambda c: stored.revisions(c, [TEAM]))
        self.team_revision = found[TEAM]

    # -- reading ----------------------------------------------------------------------------
    async def list(self, op: OperatorState, args: commands.CannedList) -> dict[str, Any]:
        # Pages: 200 responses of up to 5,000 characters stay well below what a desktop reads
        # in one frame (and below a socket's reply buffer).
        limit = max(1, min(args.limit, commands.MAX_PAGE))

        def read(conn: Connection) -> dict[str, Any]:
            # Versions first: the rows read after them are at least as new.
            versions = stored.revisions(conn, [TEAM, op.id])
            team, personal = versions[TEAM], versions[op.id]
            unchanged = args.team_version == team and args.personal_version == personal
            responses, cursor = (
                ([], None)
                if unchanged
                else stored.responses_of(conn, [TEAM, op.id], args.after, limit)
            )
            return {
                "team_version": team,
                "personal_version": personal,
                "unchanged": unchanged,
                "responses": responses,
                "cursor": cursor,
            }

        return await self.store.read(read)

    # -- changing ---------------------------------------------------------------------------
    async def create(
        self, op: OperatorState, args: commands.CannedCreate, key: IdemKey
    ) -> dict[str, Any]:
        owner = TEAM if args.scope == "team" else op.id
        self._may_manage(op, owner)
        fields = rules.check_fields(args.shortcut, args.title, args.language, args.text)
        self._check_queue(args.queue_id)
        limit = rules.limit_of(args.scope)
        t = canned_responses

        def job(b: WriteBatch) -> dict[str, Any]:
            b.flush()
            if stored.count_of(b.conn, owner) >= limit:
                raise LimitReached(
                    f"there are {limit} {args.scope} responses already; delete some first",
                    limit=limit,
                )
            _refuse_taken(b.conn, owner, fields.language, fields.shortcut, None)
            row = {
                "scope": args.scope,
                "owner_id": owner,
                "queue_id": args.queue_id,
                "shortcut": fields.shortcut,
                "title": fields.title,
                "language": fields.language,
                "text": fields.text,
                "version": 1,
                "created_by": op.id,
                "updated_by": op.id,
                "created_at": b.now,
                "updated_at": b.now,
            }
            key_of = b.conn.execute(t.insert().values(**row)).inserted_primary_key
            assert key_of is not None
            row["id"] = int(key_of[0])
            return self._finish(b, op, owner, "created", row, key, {})

        return await self._write(job)

    async def update(
        self, op: OperatorState, args: commands.CannedUpdate, key: IdemKey
    ) -> dict[str, Any]:
        given: dict[str, Any] = {}
        if args.shortcut is not msgspec.UNSET:
            given["shortcut"] = rules.check_shortcut(args.shortcut)
        if args.title is not msgspec.UNSET:
            given["title"] = rules.check_title(args.title)
        if args.language is not msgspec.UNSET:
            given["language"] = rules.check_language(args.language)
        if args.text is not msgspec.UNSET:
            given["text"] = rules.check_text(args.text)
        if args.queue_id is not msgspec.UNSET:
            self._check_queue(args.queue_id)
            given["queue_id"] = args.queue_id
        if not given:
            raise InvalidInput(
                "nothing to change: give shortcut, title, language, text or queue_id"
            )
        t = canned_responses

        def job(b: WriteBatch) -> dict[str, Any]:
            old = self._editable(b, op, args.canned_id, args.version)
            changes = {k: v for k, v in given.items() if getattr(old, k) != v}
            if not changes:
                current = stored.revisions(b.conn, [old.owner_id])[old.owner_id]
                return {"response": stored.canned_view(old), "version": current}
            row = {**old._mapping, **changes}
            if "shortcut" in changes or "language" in changes:
                _refuse_taken(b.conn, old.owner_id, row["language"], row["shortcut"], old.id)
            row.update(version=old.version + 1, updated_by=op.id, updated_at=b.now)
            done = b.conn.execute(
                update(t)
                .where(t.c.id == old.id, t.c.version == old.version)
                .values(
                    version=row["version"],
                    updated_by=op.id,
                    updated_at=b.now,
                    **changes,
                )
            )
            if done.rowcount != 1:
                raise Conflict(f"canned response {old.id} was changed by someone else")
            return self._finish(
                b, op, old.owner_id, "updated", row, key, {"changed": sorted(changes)}
            )

        return await self._write(job)

    async def delete(
        self, op: OperatorState, args: commands.CannedDelete, key: IdemKey
    ) -> dict[str, Any]:
        t = canned_responses

        def job(b: WriteBatch) -> dict[str, Any]:
            old = self._editable(b, op, args.canned_id, args.version)
            done = b.conn.execute(t.delete().where(t.c.id == old.id, t.c.version == old.version))
            if done.rowcount != 1:
                raise Conflict(f"canned response {old.id} was changed by someone else")
            return self._finish(b, op, old.owner_id, "deleted", dict(old._mapping), key, {})

        return await self._write(job)

    # -- the parts --------------------------------------------------------------------------
    def _may_manage(self, op: OperatorState, owner: int) -> None:
        if owner == TEAM and not is_supervisor(op):
            raise Forbidden("only supervisors and admins manage the team's responses")

    def _check_queue(self, queue_id: int | None) -> None:
        if queue_id is not None and queue_id not in self.state.queues:
            raise NotFound(f"no queue {queue_id}")

    def _editable(
        self, b: WriteBatch, op: OperatorState, canned_id: int, version: int | None
    ) -> Any:
        """The row, read in the writing transaction, if ``op`` may change it."""
        t = canned_responses
        b.flush()
        old = b.conn.execute(select(t).where(t.c.id == canned_id)).first()
        # Someone else's own responses are nobody else's business: not even their existence.
        if old is None or old.owner_id not in (TEAM, op.id):
            raise NotFound(f"no canned response {canned_id}")
        self._may_manage(op, old.owner_id)
        if version is not None and version != old.version:
            raise Conflict(
                f"canned response {canned_id} changed since version {version}",
                version=old.version,
            )
        return old

    def _finish(
        self,
        b: WriteBatch,
        op: OperatorState,
        owner: int,
        change: str,
        row: dict[str, Any],
        key: IdemKey,
        details: dict[str, Any],
    ) -> dict[str, Any]:
        revision = stored.bump_revision(b.conn, owner)
        view = stored.canned_view(row)
        add_audit(
            b,
            op.id,
            AUDIT_ACTIONS[change],
            "canned_response",
            row["id"],
            {
                "scope": view["scope"],
                "shortcut": view["shortcut"],
                "language": view["language"],
                **details,
            },
        )
        result = {"response": view, "version": revision}
        add_idempotency(b, key, result)
        frame = {"scope": view["scope"], "version": revision, "change": change, "response": view}
        b.after_commit.append(lambda: self._announce(owner, frame))
        return result

    async def _write(self, job: Any) -> dict[str, Any]:
        try:
            result: dict[str, Any] = await self.store.write(job)
        except IntegrityError:
            # Another gateway node took the shortcut at the same moment.
            raise Conflict("that shortcut was just taken; choose another") from None
        return result

    def _announce(self, owner: int, frame: dict[str, Any]) -> None:
        if owner == TEAM:
            self.team_revision = max(self.team_revision, frame["version"])
            self.bus.broadcast_live(LiveName.CANNED_CHANGED, frame)
        else:
            self.bus.broadcast_live(LiveName.CANNED_CHANGED, frame, to=(owner,))

    def team_changed_elsewhere(self, revision: int) -> None:
        """The store holds a newer team revision than this node announced (the command line's
        import, another gateway node): desktops list them again."""
        if revision > self.team_revision:
            self.team_revision = revision
            frame = {"scope": "team", "version": revision, "change": "reloaded"}
            self.bus.broadcast_live(LiveName.CANNED_CHANGED, frame)


def _refuse_taken(
    conn: Connection, owner: int, language: str, shortcut: str, own_id: int | None
) -> None:
    taken = stored.find(conn, owner, language, shortcut)
    if taken is not None and taken.id != own_id:
        raise Conflict(
            f"/{shortcut} ({language}) exists already", canned_id=taken.id, version=taken.version
        )
