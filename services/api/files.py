"""Attachments over HTTP: uploads by operators and web-chat visitors, and downloads.

    POST /files?customer_id=N&name=…   an operator's upload: Authorization: Bearer <session token>
    POST /chat/files?name=…            a visitor's upload: Authorization: Bearer <visitor_token>
    GET  /files/<id>/<part>            a download (see below)

Uploads are the raw file as the request body (``Content-Type`` the declared type, which is only
a hint: the content decides). The answer (201) is the file's view, ``{id, name, size, mime,
url}``; a message then names the id (``message.send``'s ``attachments``, the chat message's
``attachments``).

A download is authorised by one of: the operator's session token (``part`` is the file's
SHA-256, as in the item's ``url``; the customer must be one the operator may open, and the read
is audited), the visitor's own token (their customer's files only), or a link the gateway gave
the visitor (``part`` is ``v1.<expires>.<signature>``, signed for that file and customer). It
is always served as a download: ``Content-Disposition: attachment``, ``application/octet-stream``,
``nosniff`` and a sandboxing Content-Security-Policy, so nothing a visitor sends can run or be
shown inline from the gateway's origin.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

from litestar import Request, Response, get, post, route
from litestar.handlers import HTTPRouteHandler
from litestar.params import FromPath
from litestar.response import Stream
from sqlalchemy import select

from services.api.bearer import Refusal, bearer, operator_session, visitor_of
from services.api.errors import to_protocol
from services.domain import files as rules
from services.domain.errors import DomainError
from services.hub import Hub
from services.hub.files import Files
from services.protocol.errors import ErrorCode
from services.store import tables
from services.store.store import Store

CHUNK = 64 * 1024
DOWNLOAD_CSP = "default-src 'none'; sandbox; frame-ancestors 'none'"
PREFLIGHT_MAX_AGE = "600"


class VisitorLinks:
    """Attachment views as a web-chat visitor gets them: the same, with ``url`` an absolute,
    signed link of theirs (the gateway's HTTP base is known only once it listens)."""

    def __init__(self, files: Files) -> None:
        self.files = files
        self.base_url = ""

    def view(self, attachment: dict[str, Any], customer_id: int) -> dict[str, Any]:
        file_id = int(attachment["id"])
        part = self.files.link_part(file_id, customer_id)
        return {
            "id": file_id,
            "name": attachment.get("name", ""),
            "size": attachment.get("size", 0),
            "mime": attachment.get("mime", ""),
            "url": f"{self.base_url}/files/{file_id}/{part}",
        }


def _refusal(exc: DomainError) -> Refusal:
    error = to_protocol(exc)
    return Refusal(error.code, error.message, **error.details)


def _declared_length(request: Request[Any, Any, Any]) -> int | None:
    raw = request.headers.get("Content-Length")
    if raw is None:
        return None
    if not raw.isdigit():
        raise Refusal(ErrorCode.INVALID_ARGS, "Content-Length is not a number")
    return int(raw)


async def _chunks(request: Request[Any, Any, Any]) -> AsyncIterator[bytes]:
    async for chunk in request.stream():
        yield chunk


def file_routes(
    hub: Hub,
    store: Store,
    allows_origin: Callable[[str | None], bool],
    links: VisitorLinks,
) -> list[HTTPRouteHandler]:
    files = hub.files

    async def receive(request: Request[Any, Any, Any]) -> Any:
        files.too_large(_declared_length(request))
        name = request.query_params.get("name", "")
        declared = request.headers.get("Content-Type", "")
        return await files.receive(_chunks(request), name, declared)

    @post(
        "/files",
        summary="Upload a file to send to a customer (operators)",
        description=(
            "The raw file as the body; `customer_id` and `name` in the query; "
            "`Authorization: Bearer <session token>`. 201: `{id, name, size, mime, url}`."
        ),
        status_code=201,
    )
    async def operator_upload(request: Request[Any, Any, Any]) -> Response[Any]:
        try:
            token = bearer(request.headers.get("Authorization"))
            if token is None:
                raise Refusal(ErrorCode.TOKEN_INVALID, "give Authorization: Bearer <token>")
            session = await operator_session(store, token)
            op = hub.operators.get(int(session.id))
            if op is None:
                raise Refusal(ErrorCode.TOKEN_INVALID, "unknown operator")
            raw = request.query_params.get("customer_id", "")
            if not raw.isdigit() or not 1 <= int(raw) < 2**63:
                raise Refusal(ErrorCode.INVALID_ARGS, "give customer_id, a customer's id")
            customer_id = int(raw)
            hub.state.require_customer(op, customer_id)
            if not await store.read(lambda c: _customer_exists(c, customer_id)):
                raise Refusal(ErrorCode.NOT_FOUND, f"no customer {customer_id}")
            received = await receive(request)
            view = await files.keep(received, customer_id, operator_id=op.id)
        except DomainError as exc:
            return _refusal(exc).response()
        except Refusal as refusal:
            return refusal.response()
        return Response(view, status_code=201)

    def cors(origin: str | None) -> dict[str, str]:
        if origin is None:
            return {}
        return {"Access-Control-Allow-Origin": origin, "Vary": "Origin"}

    @route("/chat/files", http_method=["OPTIONS"], include_in_schema=False)
    async def visitor_preflight(request: Request[Any, Any, Any]) -> Response[Any]:
        origin = request.headers.get("Origin")
        if not allows_origin(origin):
            return Refusal(ErrorCode.ORIGIN_FORBIDDEN, "origin not allowed").response()
        return Response(
            None,
            status_code=204,
            headers={
                **cors(origin),
                "Access-Control-Allow-Methods": "POST",
                "Access-Control-Allow-Headers": "authorization, content-type",
                "Access-Control-Max-Age": PREFLIGHT_MAX_AGE,
            },
        )

    @post(
        "/chat/files",
        summary="Upload a file to send in the web chat (visitors)",
        description=(
            "The raw file as the body; `name` in the query; "
            "`Authorization: Bearer <visitor_token>`. 201: `{id, name, size, mime, url}`."
        ),
        status_code=201,
    )
    async def visitor_upload(request: Request[Any, Any, Any]) -> Response[Any]:
        origin = request.headers.get("Origin")
        if not allows_origin(origin):
            return Refusal(ErrorCode.ORIGIN_FORBIDDEN, "origin not allowed").response()
        headers = cors(origin)
        try:
            token = bearer(request.headers.get("Authorization"))
            visitor = await visitor_of(store, token) if token is not None else None
            if visitor is None:
                raise Refusal(ErrorCode.TOKEN_INVALID, "say hello on the chat socket first")
            files.visitor_may_upload(visitor)
            received = await receive(request)
            try:
                customer_id = await files.customer_for_visitor(visitor)
                view = await files.keep(received, customer_id, visitor=visitor)
            except BaseException:
                await asyncio.to_thread(files.discard, received)
                raise
        except DomainError as exc:
            return _refusal(exc).response(headers)
        except Refusal as refusal:
            return refusal.response(headers)
        return Response(links.view(view, customer_id), status_code=201, headers=headers)

    @get(
        "/files/{file_id:int}/{part:str}",
        summary="Download a file (always as an attachment)",
        description=(
            "With an operator's session token (`part`: the file's SHA-256), a visitor's token, "
            "or a visitor's signed link (`part`: `v1.<expires>.<signature>`)."
        ),
    )
    async def download(
        request: Request[Any, Any, Any], file_id: FromPath[int], part: FromPath[str]
    ) -> Response[Any]:
        try:
            token = bearer(request.headers.get("Authorization"))
            if token is None:
                row = await files.for_link(file_id, part)
            else:
                visitor = await visitor_of(store, token)
                if visitor is not None:
                    row = await files.for_visitor(visitor, file_id)
                else:
                    session = await operator_session(store, token)
                    op = hub.operators.get(int(session.id))
                    if op is None:
                        raise Refusal(ErrorCode.TOKEN_INVALID, "unknown operator")
                    row = await files.for_operator(op, file_id, part)
            path = files.path(row.sha256)
            if not await asyncio.to_thread(path.is_file):
                raise Refusal(ErrorCode.NOT_FOUND, "the file is gone")
        except DomainError as exc:
            return _refusal(exc).response()
        except Refusal as refusal:
            return refusal.response()
        return Stream(
            _read(path),
            media_type="application/octet-stream",
            headers={
                "Content-Disposition": rules.content_disposition(row.name),
                "Content-Length": str(row.size),
                "Content-Security-Policy": DOWNLOAD_CSP,
                "Cache-Control": "private, no-store",
                "X-Content-Type-Options": "nosniff",
            },
        )

    return [operator_upload, visitor_preflight, visitor_upload, download]


async def _read(path: Path) -> AsyncIterator[bytes]:
    f = await asyncio.to_thread(path.open, "rb")
    try:
        while chunk := await asyncio.to_thread(f.read, CHUNK):
            yield chunk
    finally:
        # Not awaited: a client that hangs up once it has every byte (urllib, Connection:
        # close) cancels the stream, and an await here would be cancelled too, leaking the file.
        f.close()


def _customer_exists(conn: Any, customer_id: int) -> bool:
    c = tables.customers
    return conn.execute(select(c.c.id).where(c.c.id == customer_id)).first() is not None
