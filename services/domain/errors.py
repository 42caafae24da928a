"""Domain errors: what went wrong in the terms of the business, not of the wire.

The gateway's edges (the operator socket, the REST API) turn them into error codes in one place,
``services.api.errors``; nothing below the edges knows about the wire's codes.
"""

from __future__ import annotations


class DomainError(Exception):
    """A request the domain refuses. ``details`` are safe to show the requester."""

    def __init__(self, message: str, **details: object) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class InvalidInput(DomainError):
    """The request itself is wrong (an identity that is not one, a conversation of another
    customer, an empty text)."""


class NotFound(DomainError):
    pass


class Forbidden(DomainError):
    """The requester may not do this (another operator's customer, missing skills)."""


class Conflict(DomainError):
    """The state changed under the requester: someone else acted first."""


class NoCapacity(DomainError):
    pass


class Unreachable(DomainError):
    """The channel is not connected, or the customer cannot be reached on it."""


class RateLimited(DomainError):
    """Too much of something in too short a time; ``retry_after`` (seconds) says when."""


class TooLarge(DomainError):
    """Over a size limit (an attachment larger than the gateway accepts)."""


class UnsupportedType(DomainError):
    """A file whose content is not one of the accepted types."""


class LimitReached(DomainError):
    """There are as many of something as there may be (canned responses of a scope)."""
