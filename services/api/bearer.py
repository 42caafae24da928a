"""``Authorization: Bearer`` on the HTTP side: an operator's session token or a web-chat
visitor's token, checked against their SHA-256 in the store (the tokens themselves are never
kept), and the JSON refusals every route answers with."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Response
from sqlalchemy import Connection, select

from services import auth
from services.protocol.errors import ErrorCode
from services.store import queries, tables
from services.store.models import utcnow
from services.store.store import Store

STATUS: dict[ErrorCode, int] = {
    ErrorCode.INVALID_ARGS: 400,
    ErrorCode.TOKEN_INVALID: 401,
    ErrorCode.TOKEN_EXPIRED: 401,
    ErrorCode.FORBIDDEN: 403,
    ErrorCode.ORIGIN_FORBIDDEN: 403,
    ErrorCode.NOT_FOUND: 404,
    ErrorCode.CONFLICT: 409,
    ErrorCode.FILE_TOO_LARGE: 413,
    ErrorCode.FILE_TYPE_NOT_ALLOWED: 415,
    ErrorCode.RATE_LIMITED: 429,
}


class ErrorBody(msgspec.Struct, omit_defaults=True):
    error: str  # an ErrorCode
    message: str
    details: dict[str, Any] = {}


class Refusal(Exception):
    def __init__(self, code: ErrorCode, message: str, **details: Any) -> None:
        super().__init__(message)
        self.code, self.message, self.details = code, message, details

    @property
    def status(self) -> int:
        return STATUS.get(self.code, 400)

    def response(self, headers: dict[str, str] | None = None) -> Response[ErrorBody]:
        extra = dict(headers or {})
        if self.status == 401:
            extra["WWW-Authenticate"] = "Bearer"
        retry = self.details.get("retry_after")
        if self.code is ErrorCode.RATE_LIMITED and retry is not None:
            extra["Retry-After"] = str(retry)
        return Response(
            ErrorBody(self.code.value, self.message, self.details),
            status_code=self.status,
            headers=extra,
        )


def bearer(header: str | None) -> str | None:
    """The token of an ``Authorization: Bearer`` header; None without the header; a Refusal
    for another scheme or an empty token."""
    if header is None:
        return None
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or len(token) > 256:
        raise Refusal(ErrorCode.TOKEN_INVALID, "give Authorization: Bearer <token>")
    return token


def session_row(conn: Connection, digest: str) -> Any:
    return conn.execute(
        select(
            tables.operators.c.id,
            tables.operators.c.role,
            tables.session_tokens.c.expires_at,
            tables.session_tokens.c.revoked,
        )
        .join(tables.session_tokens, tables.session_tokens.c.operator_id == tables.operators.c.id)
        .where(tables.session_tokens.c.token_hash == digest, tables.operators.c.active.is_(True))
    ).first()


async def operator_session(store: Store, token: str) -> Any:
    """(id, role) of the operator signed in with ``token``, or a Refusal (401)."""
    digest = auth.token_digest(token)
    row = await store.read(lambda conn: session_row(conn, digest))
    if row is None or row.revoked:
        raise Refusal(ErrorCode.TOKEN_INVALID, "unknown or revoked token")
    if row.expires_at <= utcnow():
        raise Refusal(ErrorCode.TOKEN_EXPIRED, "the session has expired")
    return row


async def visitor_of(store: Store, token: str) -> str | None:
    """The public handle of the web-chat visitor whose secret ``token`` is, if one is."""
    digest = auth.token_digest(token)
    return await store.read(lambda conn: queries.visitor_handle(conn, digest))
