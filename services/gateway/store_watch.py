"""Changes made to the store by another process (the CLI), noticed by the running gateway.

Every couple of seconds one read checks the tokens of all connected operator sessions and the
queues table:

- a session whose token was revoked (``auth.logout``, ``revoke-tokens``) or whose operator was
  deactivated (``deactivate-operator``) is closed with 4401 and a reason saying which; its
  conversations are left to the hub's disconnect grace, as for any desktop that went away;
- a queue that was added or changed (``add-queue``, ``update-queue``) replaces the hub's view
  of it, so routing and transfers use it without a restart;
- a newer revision of the team's canned responses than this gateway announced (``canned
  import``, another gateway node) tells every connected desktop to list them again.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, select

from services.store import canned, tables

if TYPE_CHECKING:
    from services.gateway.operator_session import OperatorSession
    from services.gateway.server import Gateway

log = logging.getLogger(__name__)

CHECK_EVERY_S = 2.0
# Bound the IN (...) list of one statement: SQLite and drivers cap bound parameters.
DIGESTS_PER_STATEMENT = 500
CLOSE_CODE = 4401
REVOKED = "token_revoked"
DEACTIVATED = "operator_deactivated"


class StoreWatch:
    def __init__(self, gateway: Gateway, interval_s: float = CHECK_EVERY_S) -> None:
        self.gateway = gateway
        self.interval_s = interval_s
        # Each signed-in session and the digest of the token it signed in with.
        self.sessions: dict[OperatorSession, str] = {}

    def register(self, session: OperatorSession, token_digest: str) -> None:
        self.sessions[session] = token_digest

    def unregister(self, session: OperatorSession) -> None:
        self.sessions.pop(session, None)

    async def run(self) -> None:
        while True:
            await asyncio.sleep(self.interval_s)
            try:
                await self.check()
            except Exception:
                log.exception("checking the store for revoked tokens and queue changes failed")

    async def check(self) -> None:
        digests = sorted(set(self.sessions.values()))
        tokens, queues, team_canned = await self.gateway.store.read(
            functools.partial(_read_changes, digests=digests)
        )
        self.gateway.hub.sync_queues(queues)
        self.gateway.hub.canned.team_changed_elsewhere(team_canned)
        for session, digest in list(self.sessions.items()):
            reason = _close_reason(tokens.get(digest))
            if reason is None:
                continue
            self.unregister(session)
            log.info(
                "closing a session that may no longer sign in",
                extra={"operator_id": session.op.id if session.op else None, "reason": reason},
            )
            self.gateway.spawn(session.ws.close(CLOSE_CODE, reason))


def _close_reason(token: Any) -> str | None:
    # Deactivation revokes the tokens too; say the more telling of the two.
    if token is not None and not token.active:
        return DEACTIVATED
    if token is None or token.revoked:
        return REVOKED
    return None


def _read_changes(
    conn: Connection, digests: Sequence[str]
) -> tuple[dict[str, Any], list[Any], int]:
    session_tokens, operators = tables.session_tokens, tables.operators
    found: dict[str, Any] = {}
    for start in range(0, len(digests), DIGESTS_PER_STATEMENT):
        chunk = digests[start : start + DIGESTS_PER_STATEMENT]
        rows = conn.execute(
            select(session_tokens.c.token_hash, session_tokens.c.revoked, operators.c.active)
            .join(operators, operators.c.id == session_tokens.c.operator_id)
            .where(session_tokens.c.token_hash.in_(chunk))
        ).all()
        found.update({row.token_hash: row for row in rows})
    queues = list(conn.execute(select(tables.queues)).all())
    team_canned = canned.revisions(conn, [canned.TEAM_OWNER])[canned.TEAM_OWNER]
    return found, queues, team_canned
