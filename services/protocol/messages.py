"""Operator protocol frames (JSON over websockets), as msgspec structs.

Every frame is a JSON object with a ``type``. See docs/protocol.md for examples.
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec

from services.protocol.framing import MAX_ID

PROTOCOL_VERSION = 1

# A command's id, chosen by the client and echoed in its reply.
CommandId = Annotated[int, msgspec.Meta(ge=0, le=MAX_ID)]


class Frame(msgspec.Struct, tag_field="type", omit_defaults=True):
    pass


# --- client -> server ------------------------------------------------------------------------


class ResumeFrom(msgspec.Struct):
    epoch: str
    last_seq: Annotated[int, msgspec.Meta(ge=0, le=MAX_ID)]


class Auth(Frame, tag="auth"):
    """First frame on the operator socket: a password, or a token from an earlier login."""

    version: int
    username: str | None = None
    password: str | None = None
    token: str | None = None
    remember: bool = False
    resume: ResumeFrom | None = None
    client: str = ""


class Command(Frame, tag="cmd"):
    """A request; ``key`` is the client-made idempotency key (required for mutating commands)."""

    id: CommandId
    name: str
    args: dict[str, Any] = {}
    key: str | None = None


class FrameId(msgspec.Struct):
    """Only the ``id`` of a frame that failed to decode, so that its error can still name it."""

    id: CommandId | None = None


ClientFrame = Auth | Command

# --- server -> client ------------------------------------------------------------------------


class OperatorInfo(msgspec.Struct):
    id: int
    username: str
    display_name: str
    role: str
    skills: list[str]
    capacity: dict[str, int]
    presence: str
    # What customers see of the operator's name (replies and template variables use it).
    public_name: str = ""


class AuthOk(Frame, tag="auth_ok"):
    operator: OperatorInfo
    token: str
    expires_at: str
    epoch: str
    last_seq: int
    server_version: int
    # "resumed": missed events follow in order; "gap_too_old"/"epoch_changed": reload state.
    resume: str | None = None
    # The gateway's HTTP side, which attachment URLs (``/files/…``) are relative to.
    http_url: str = ""


class AuthFailed(Frame, tag="auth_failed"):
    code: str
    message: str
    # rate_limited: {"retry_after": seconds}
    details: dict[str, Any] = {}


class Result(Frame, tag="result"):
    id: int
    data: dict[str, Any] = {}
    replayed: bool = False  # true when a repeated idempotency key returned the first result


class Error(Frame, tag="error"):
    code: str
    message: str
    id: int | None = None
    details: dict[str, Any] = {}


class Event(Frame, tag="event"):
    seq: int
    epoch: str
    name: str
    data: dict[str, Any]


class Live(Frame, tag="live"):
    """A view of something shared that changed (the queue): no sequence number, not kept for
    resume. Each one carries the whole current view, so a missed one is repaired by the next,
    and a client that reconnects reads the state afresh (``state.snapshot``)."""

    name: str
    data: dict[str, Any]


ServerFrame = AuthOk | AuthFailed | Result | Error | Event | Live

_encoder = msgspec.json.Encoder()
_client_decoder = msgspec.json.Decoder(ClientFrame)
_server_decoder = msgspec.json.Decoder(ServerFrame)
_id_decoder = msgspec.json.Decoder(FrameId)


def encode(frame: Frame) -> bytes:
    return _encoder.encode(frame)


def decode_client(raw: bytes | str) -> ClientFrame:
    frame: ClientFrame = _client_decoder.decode(raw)
    return frame


def readable_id(raw: bytes) -> int | None:
    """The command id of an unreadable frame, when that much of it is readable."""
    try:
        return _id_decoder.decode(raw).id
    except (msgspec.DecodeError, RecursionError):
        return None


def decode_server(raw: bytes | str) -> ServerFrame:
    frame: ServerFrame = _server_decoder.decode(raw)
    return frame
