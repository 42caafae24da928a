"""Domain errors become wire error codes here, and only here."""

from __future__ import annotations

from services.domain import errors as domain
from services.protocol.errors import ErrorCode, ProtocolError

CODES: dict[type[domain.DomainError], ErrorCode] = {
    domain.InvalidInput: ErrorCode.INVALID_ARGS,
    domain.NotFound: ErrorCode.NOT_FOUND,
    domain.Forbidden: ErrorCode.FORBIDDEN,
    domain.Conflict: ErrorCode.CONFLICT,
    domain.NoCapacity: ErrorCode.NO_CAPACITY,
    domain.Unreachable: ErrorCode.CHANNEL_UNAVAILABLE,
    domain.RateLimited: ErrorCode.RATE_LIMITED,
    domain.TooLarge: ErrorCode.FILE_TOO_LARGE,
    domain.UnsupportedType: ErrorCode.FILE_TYPE_NOT_ALLOWED,
    domain.LimitReached: ErrorCode.LIMIT_REACHED,
}


def to_protocol(exc: domain.DomainError) -> ProtocolError:
    for cls in type(exc).__mro__:
        code = CODES.get(cls)
        if code is not None:
            return ProtocolError(code, exc.message, **exc.details)
    return ProtocolError(ErrorCode.INVALID_ARGS, exc.message, **exc.details)
