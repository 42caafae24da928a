"""Web chat: the embeddable widget's websocket, and the adapter that sends replies to it.

Customer frames (JSON objects with a ``type``)::

    -> {"type": "hello", "visitor_token": "…"?, "name": "…"?, "phone": "…"?, "email": "…"?}
    <- {"type": "welcome", "visitor_token": "…", "visitor": "…", "history": [ …messages… ]}
    -> {"type": "message", "id": "client-made id", "text": "…", "attachments": [file ids]?}
    <- {"type": "ack", "id": "client-made id", "event_id": 42}   (after commit)
    <- {"type": "message", "event_id": 43, "text": "…", "author": "Анна", "at": "…",
        "attachments": [{id, name, size, mime, url}]}
    -> {"type": "delivered" | "read", "event_id": 43}
    -> {"type": "identify", "name": "…", "phone": "…", "email": "…"}
    -> {"type": "leave"}
    <- {"type": "closed", "conversation_id": 7}          (an operator wrapped it up)
    -> {"type": "csat", "id"?, "conversation_id": 7, "rating": 1..5, "comment": "…"?}
    <- {"type": "csat_ok", "id"?, "conversation_id": 7, "rating": 4}
    <- {"type": "error", "code": "…", "message": "…", "id": "…"?}

Files are uploaded over HTTP first (``POST /chat/files``, services/api/files.py); a message
names them by id. What the visitor gets of a file is a signed download link of theirs.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import secrets
from dataclasses import dataclass
from typing import Annotated, Any, Protocol, TypeVar

import msgspec
from sqlalchemy import Connection, select
from websockets.asyncio.server import ServerConnection
from websockets.exceptions import ConnectionClosed

from services.api.errors import to_protocol
from services.api.files import VisitorLinks
from services.domain.errors import DomainError
from services.domain.inbox import (
    ClosedConversation,
    CsatAnswer,
    InboundMessage,
    Inbox,
    OutboundMessage,
)
from services.domain.rate import TokenBucket
from services.domain.routing import public_name_of
from services.protocol import framing
from services.protocol.commands import MAX_ATTACHMENTS, Id
from services.protocol.errors import ErrorCode, ProtocolError
from services.store import queries, tables
from services.store.models import utcnow
from services.store.store import Store
from services.store.writer import WriteBatch

log = logging.getLogger(__name__)

MAX_TOKEN = 128
MAX_CHAT_FRAME = 16 * 1024
MAX_TEXT = 4000
MAX_COMMENT = 1000  # a rating's comment
HISTORY = 50
_encode = msgspec.json.Encoder().encode
_decode = msgspec.json.decode


@dataclass(frozen=True, slots=True)
class WebChatLimits:
    rate_per_s: float = 5.0
    rate_burst: int = 20
    hello_timeout_s: float = 10.0


class Admission(Protocol):
    """Who may open a chat socket, and who may be a new visitor (the gateway's limits)."""

    def open_chat(self, address: str) -> str | None:
        """None when a socket from ``address`` may open; otherwise the close reason."""
        ...

    def close_chat(self, address: str) -> None: ...

    def new_visitor(self, address: str) -> bool: ...


def secret_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class WebChatChannel:
    """A visitor is known by a random secret the widget keeps (``visitor_token``); the store
    keeps only its SHA-256. Operators see the visitor's public handle, never the secret, so
    nothing an operator sees lets anyone read the visitor's chat."""

    channel = "webchat"

    def __init__(
        self,
        inbox: Inbox,
        store: Store,
        admission: Admission,
        limits: WebChatLimits,
        links: VisitorLinks | None = None,
    ) -> None:
        self.inbox = inbox
        self.store = store
        self.admission = admission
        self.limits = limits
        self.links = links
        self.visitors: dict[str, set[ServerConnection]] = {}  # handle -> open sockets

    def _files(self, attachments: list[dict[str, Any]], customer_id: int) -> list[dict[str, Any]]:
        """What the visitor gets of a message's files: signed links of theirs."""
        if self.links is None:
            return []
        return [self.links.view(a, customer_id) for a in attachments if isinstance(a, dict)]

    async def send(self, msg: OutboundMessage) -> str:
        frame = _text(
            {
                "type": "message",
                "event_id": msg.event_id,
                "text": msg.text,
                "author": msg.author,
                "at": utcnow().isoformat(),
                "attachments": self._files(msg.attachments, msg.customer_id),
            }
        )
        await self._to_visitor(msg.address, frame)
        # A visitor who is away gets it with the history on the next visit.
        return f"webchat:{msg.event_id}"

    async def conversation_closed(self, closed: ClosedConversation) -> None:
        """An operator wrapped the chat up: the widget says so and asks for a rating (a
        visitor who is away is asked in the next welcome)."""
        frame = _text({"type": "closed", "conversation_id": closed.conversation_id})
        await self._to_visitor(closed.address, frame)

    async def _to_visitor(self, handle: str, frame: bytes) -> None:
        for ws in list(self.visitors.get(handle, ())):
            with contextlib.suppress(ConnectionClosed):
                await ws.send(frame, text=True)

    # -- the customer's socket ----------------------------------------------------------------
    async def serve(self, ws: ServerConnection) -> None:
        address = _address(ws)
        refused = self.admission.open_chat(address)
        if refused is not None:
            await ws.close(1013, refused)
            return
        try:
            await self._serve_counted(ws, address)
        finally:
            self.admission.close_chat(address)

    async def _serve_counted(self, ws: ServerConnection, address: str) -> None:
        visitor: str | None = None
        bucket = TokenBucket(self.limits.rate_per_s, self.limits.rate_burst)
        hello_by = asyncio.get_running_loop().time() + self.limits.hello_timeout_s
        try:
            while True:
                if visitor is None:
                    raw = await _recv_until(ws, hello_by)
                    if raw is None:
                        await _err(ws, ErrorCode.NOT_AUTHENTICATED, "no hello in time")
                        await ws.close(4401, "hello timeout")
                        return
                else:
                    raw = await ws.recv()
                try:
                    frame = _read_frame(raw, bucket)
                    kind = frame["type"]
                    if kind == "hello":
                        if not await self._admit(address, frame):
                            await _err(ws, ErrorCode.RATE_LIMITED, _TOO_MANY_NEW, _str_id(frame))
                            await ws.close(1013, "too_many_new_visitors")
                            return
                        visitor = await self._hello(ws, frame, visitor)
                    elif visitor is None:
                        await _err(
                            ws, ErrorCode.NOT_AUTHENTICATED, "say hello first", _str_id(frame)
                        )
                    elif kind == "message":
                        await self._message(ws, visitor, _typed(frame, ChatMessage))
                    elif kind in ("delivered", "read"):
                        receipt = _typed(frame, Receipt)
                        await self._receipt(visitor, receipt.event_id, kind)
                    elif kind == "identify":
                        _typed(frame, Identify)
                        await self._identify(visitor, frame)
                    elif kind == "leave":
                        await self.inbox.abandon("web_visitor", visitor, "webchat")
                    elif kind == "csat":
                        await self._rate(ws, visitor, _typed(frame, Rating))
                    else:
                        await _err(ws, ErrorCode.UNKNOWN_TYPE, f"unknown frame type {kind!r}")
                except ProtocolError as exc:
                    await _err(ws, exc.code, exc.message, exc.details.get("id"))
        except ConnectionClosed:
            pass
        finally:
            if visitor is not None:
                socks = self.visitors.get(visitor)
                if socks is not None:
                    socks.discard(ws)
                    if not socks:
                        del self.visitors[visitor]

    async def _known(self, hello: dict[str, Any]) -> str | None:
        """The handle of the visitor whose secret this hello carries, if we issued it."""
        token = hello.get("visitor_token")
        if not isinstance(token, str) or not 0 < len(token) <= MAX_TOKEN:
            return None
        digest = secret_digest(token)
        return await self.store.read(lambda c: queries.visitor_handle(c, digest))

    async def _admit(self, address: str, hello: dict[str, Any]) -> bool:
        """Whether this hello may go ahead: new visitors are limited per address a minute."""
        return await self._known(hello) is not None or self.admission.new_visitor(address)

    async def _hello(self, ws: ServerConnection, frame: dict[str, Any], current: str | None) -> str:
        handle = await self._known(frame)
        token = frame.get("visitor_token")
        if handle is None or not isinstance(token, str):
            # A new visitor (or a token we never issued): a fresh secret of our making.
            token, handle = secrets.token_urlsafe(32), "wv_" + secrets.token_urlsafe(12)
            digest, new_handle = secret_digest(token), handle
            await self.store.write(lambda b: _add_visitor(b, digest, new_handle))
        if current is not None and current != handle:
            old = self.visitors.get(current)
            if old is not None:
                old.discard(ws)
                if not old:
                    del self.visitors[current]
        self.visitors.setdefault(handle, set()).add(ws)
        customer_id, history = await self.store.read(lambda c: _history(c, handle))
        for entry in history:
            entry["attachments"] = self._files(entry["attachments"], customer_id or 0)
        welcome = {
            "type": "welcome",
            "visitor_token": token,
            "visitor": handle,
            "history": history,
            # A conversation closed while the visitor was away, waiting for their rating.
            "rate": await self.inbox.awaiting_rating("web_visitor", handle, "webchat"),
        }
        await ws.send(_text(welcome), text=True)
        if _claims(frame):
            await self._identify(handle, frame)
        return handle

    async def _message(self, ws: ServerConnection, visitor: str, frame: ChatMessage) -> None:
        cmid, text = frame.id, frame.text.strip()
        if not text and not frame.attachments:
            await _err(ws, ErrorCode.INVALID_ARGS, _TEXT_LENGTH, cmid)
            return
        msg = InboundMessage(
            channel="webchat",
            identity_kind="web_visitor",
            identity_value=visitor,
            text=text,
            provider_id=f"{visitor}:{cmid}",
            display_name=frame.name[:200],
            # Only the holder of the visitor's secret gets here.
            verified=True,
            attachment_ids=list(frame.attachments),
        )
        try:
            res = await self.inbox.ingest(msg)
        except DomainError as exc:
            error = to_protocol(exc)
            await _err(ws, error.code, error.message, cmid)
            return
        except ProtocolError as exc:
            await _err(ws, exc.code, exc.message, cmid)
            return
        except Exception:
            # Not acknowledged: the widget keeps the message and sends it again.
            log.exception("web-chat message failed")
            await _err(ws, ErrorCode.INTERNAL_ERROR, "not saved; it will be sent again", cmid)
            return
        await ws.send(_text({"type": "ack", "id": cmid, "event_id": res.event_id}), text=True)

    async def _rate(self, ws: ServerConnection, visitor: str, frame: Rating) -> None:
        answer = CsatAnswer(frame.conversation_id, frame.rating, frame.comment)
        try:
            done = await self.inbox.rate("web_visitor", visitor, answer)
        except DomainError as exc:
            error = to_protocol(exc)
            await _err(ws, error.code, error.message, frame.id)
            return
        reply: dict[str, Any] = {
            "type": "csat_ok",
            "conversation_id": done["conversation_id"],
            "rating": done["rating"],
        }
        if frame.id is not None:
            reply["id"] = frame.id
        await ws.send(_text(reply), text=True)

    async def _receipt(self, visitor: str, event_id: int, kind: str) -> None:
        owner = await self.store.read(lambda c: _event_visitor(c, event_id))
        if owner == visitor:
            await self.inbox.set_delivery(event_id, kind)

    async def _identify(self, visitor: str, frame: dict[str, Any]) -> None:
        claims = _claims(frame)
        if not claims:
            return
        await self.inbox.claim("web_visitor", visitor, claims, verified=True)


_FrameT = TypeVar("_FrameT", bound=msgspec.Struct)


class ChatMessage(msgspec.Struct):
    id: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    text: Annotated[str, msgspec.Meta(max_length=MAX_TEXT)]
    name: str = ""
    # Files this visitor uploaded (POST /chat/files), at most [files] per_message of them.
    attachments: Annotated[list[Id], msgspec.Meta(max_length=MAX_ATTACHMENTS)] = []


class Rating(msgspec.Struct):
    conversation_id: Id
    rating: Annotated[int, msgspec.Meta(ge=1, le=5)]
    comment: Annotated[str, msgspec.Meta(max_length=MAX_COMMENT)] = ""
    id: Annotated[str, msgspec.Meta(max_length=64)] | None = None


class Receipt(msgspec.Struct):
    event_id: Id


class Identify(msgspec.Struct):
    name: str | None = None
    phone: str | None = None
    email: str | None = None


class _FrameId(msgspec.Struct):
    id: str | None = None


_TEXT_LENGTH = f"text must be 1..{MAX_TEXT} characters"
_TOO_MANY_NEW = "too many new visitors from this address; try again in a minute"


def _read_frame(raw: str | bytes, bucket: TokenBucket) -> dict[str, Any]:
    """A frame as a JSON object with a ``type``, or ProtocolError (with the frame's ``id``).

    The rate-limit token is taken before anything else, so unreadable frames count too.
    """
    data = raw.encode() if isinstance(raw, str) else raw
    readable = len(data) <= MAX_CHAT_FRAME and not framing.too_deep(data)
    if not bucket.take():
        raise ProtocolError(ErrorCode.RATE_LIMITED, "slow down", id=_frame_id(data, readable))
    if isinstance(raw, bytes):
        raise ProtocolError(ErrorCode.BAD_FRAME, "frames are JSON in websocket text frames")
    if len(data) > MAX_CHAT_FRAME:
        raise ProtocolError(
            ErrorCode.FRAME_TOO_LARGE,
            f"frames are limited to {MAX_CHAT_FRAME} bytes",
            id=_frame_id(data, not framing.too_deep(data)),
        )
    if not readable:
        found = framing.top_level_id(data)
        message = f"arrays and objects may nest at most {framing.MAX_DEPTH} levels deep"
        raise ProtocolError(
            ErrorCode.BAD_FRAME, message, id=found if isinstance(found, str) else None
        )
    try:
        frame = _decode(data)
    except msgspec.DecodeError:
        frame = None
    if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
        raise ProtocolError(ErrorCode.BAD_FRAME, "frames are JSON objects with a type")
    if framing.has_nul(data):
        raise ProtocolError(
            ErrorCode.INVALID_ARGS, "text may not contain NUL characters", id=_str_id(frame)
        )
    return frame


def _typed(frame: dict[str, Any], kind: type[_FrameT]) -> _FrameT:
    try:
        return msgspec.convert(frame, kind)
    except msgspec.ValidationError as exc:
        if kind is ChatMessage:
            if "`$.id`" in str(exc):
                raise ProtocolError(
                    ErrorCode.INVALID_ARGS, "a message needs an id of 1..64 characters"
                ) from exc
            if "`$.attachments" in str(exc):
                raise ProtocolError(
                    ErrorCode.INVALID_ARGS,
                    f"attachments is a list of at most {MAX_ATTACHMENTS} file ids",
                    id=_str_id(frame),
                ) from exc
            raise ProtocolError(ErrorCode.INVALID_ARGS, _TEXT_LENGTH, id=_str_id(frame)) from exc
        if kind is Rating:
            raise ProtocolError(
                ErrorCode.INVALID_ARGS,
                f"a rating needs a conversation_id, a rating of 1..5 and a comment of at most "
                f"{MAX_COMMENT} characters",
                id=_str_id(frame),
            ) from exc
        raise ProtocolError(ErrorCode.INVALID_ARGS, f"bad {frame['type']} frame: {exc}") from exc


def _str_id(frame: dict[str, Any]) -> str | None:
    value = frame.get("id")
    return value if isinstance(value, str) and len(value) <= 64 else None


def _frame_id(data: bytes, readable: bool) -> str | None:
    if not readable:
        return None
    try:
        value = msgspec.json.decode(data, type=_FrameId).id
    except (msgspec.DecodeError, RecursionError):
        return None
    return value if value is not None and len(value) <= 64 else None


async def _recv_until(ws: ServerConnection, deadline: float) -> str | bytes | None:
    """The next frame, or None if none came before ``deadline`` (event-loop time)."""
    try:
        return await asyncio.wait_for(ws.recv(), deadline - asyncio.get_running_loop().time())
    except TimeoutError:
        return None


def _address(ws: ServerConnection) -> str:
    peer = ws.remote_address
    return str(peer[0]) if peer else "unknown"


def _add_visitor(b: WriteBatch, digest: str, handle: str) -> None:
    b.add(tables.web_visitors, {"secret_hash": digest, "handle": handle, "created_at": b.now})


def _claims(frame: dict[str, Any]) -> dict[str, str]:
    return {
        k: str(frame[k])[:320]
        for k in ("name", "phone", "email")
        if isinstance(frame.get(k), str) and frame[k].strip()
    }


async def _err(ws: ServerConnection, code: ErrorCode, message: str, cid: Any = None) -> None:
    body: dict[str, Any] = {"type": "error", "code": code.value, "message": message}
    if cid is not None:
        body["id"] = cid
    with contextlib.suppress(ConnectionClosed):
        await ws.send(_text(body), text=True)


def _history(conn: Connection, visitor: str) -> tuple[int | None, list[dict[str, Any]]]:
    """(the visitor's customer, their last web-chat messages oldest first)."""
    ids, timeline, operators = tables.identities, tables.timeline, tables.operators
    customer_id = conn.execute(
        select(ids.c.customer_id).where(ids.c.kind == "web_visitor", ids.c.value == visitor)
    ).scalar()
    if customer_id is None:
        return None, []
    rows = conn.execute(
        select(
            timeline.c.id,
            timeline.c.direction,
            timeline.c.body,
            timeline.c.attachments,
            timeline.c.created_at,
            operators.c.display_name,
            operators.c.public_name,
        )
        .outerjoin(operators, operators.c.id == timeline.c.author_operator_id)
        .where(
            timeline.c.customer_id == customer_id,
            timeline.c.channel == "webchat",
            timeline.c.kind == "message",
        )
        .order_by(timeline.c.id.desc())
        .limit(HISTORY)
    ).all()
    return int(customer_id), [
        {
            "event_id": r.id,
            "direction": r.direction,
            "text": r.body,
            # customers see the operator's public name, never the full one
            "author": (r.public_name or public_name_of(r.display_name or ""))
            if r.direction == "out"
            else "",
            "at": r.created_at.isoformat(),
            "attachments": list(r.attachments or []),
        }
        for r in reversed(rows)
    ]


def _event_visitor(conn: Connection, event_id: int) -> str | None:
    row = conn.execute(
        select(tables.identities.c.value)
        .join(tables.timeline, tables.timeline.c.customer_id == tables.identities.c.customer_id)
        .where(
            tables.timeline.c.id == event_id,
            tables.timeline.c.channel == "webchat",
            tables.timeline.c.direction == "out",
            tables.identities.c.kind == "web_visitor",
        )
    ).first()
    return None if row is None else str(row.value)


def _text(obj: Any) -> bytes:
    """Encoded for ``ws.send(..., text=True)``: browsers get text frames, not Blobs."""
    return _encode(obj)
