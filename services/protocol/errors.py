"""Error codes: stable strings a client can switch on."""

from __future__ import annotations

import enum


class ErrorCode(enum.StrEnum):
    BAD_FRAME = "bad_frame"  # not JSON, or not an object of a known shape
    FRAME_TOO_LARGE = "frame_too_large"
    UNKNOWN_TYPE = "unknown_type"
    UNSUPPORTED_VERSION = "unsupported_version"
    NOT_AUTHENTICATED = "not_authenticated"
    INVALID_CREDENTIALS = "invalid_credentials"
    TOKEN_INVALID = "token_invalid"
    TOKEN_EXPIRED = "token_expired"
    ORIGIN_FORBIDDEN = "origin_forbidden"  # the body of the 403 refusing a browser handshake
    UNKNOWN_COMMAND = "unknown_command"
    INVALID_ARGS = "invalid_args"
    MISSING_IDEMPOTENCY_KEY = "missing_idempotency_key"
    RATE_LIMITED = "rate_limited"
    TOO_MANY_CONNECTIONS = "too_many_connections"  # auth_failed: the operator is at the cap
    FORBIDDEN = "forbidden"
    NOT_FOUND = "not_found"
    CONFLICT = "conflict"  # the state changed under you: someone else acted first
    NO_CAPACITY = "no_capacity"
    CHANNEL_UNAVAILABLE = "channel_unavailable"
    FILE_TOO_LARGE = "file_too_large"  # an attachment over the size limit
    FILE_TYPE_NOT_ALLOWED = "file_type_not_allowed"  # its content is not an accepted type
    LIMIT_REACHED = "limit_reached"  # as many of something as there may be (canned responses)
    INTERNAL_ERROR = "internal_error"


class ProtocolError(Exception):
    """An error a handler reports to the client as ``{"type": "error", "code": ...}``."""

    def __init__(self, code: ErrorCode, message: str, **details: object) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details
