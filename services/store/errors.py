"""Database errors, described without the data that caused them.

A driver's message can quote the offending values: PostgreSQL's DETAIL names the key of a
unique violation (a web visitor's id) or the whole failing row (a message body), and
SQLAlchemy's text adds the statement's parameters. Logs get only what identifies the error: its
class, SQLSTATE and constraint.
"""

from __future__ import annotations

import sqlite3

from sqlalchemy.exc import DBAPIError


def is_database_error(exc: BaseException) -> bool:
    return isinstance(exc, (DBAPIError, sqlite3.Error)) or _is_psycopg_error(exc)


def constraint_name(exc: BaseException) -> str:
    """The name of the constraint that refused a write, or "" when the driver does not say."""
    orig = exc.orig if isinstance(exc, DBAPIError) else exc
    diag = getattr(orig, "diag", None)
    name = getattr(diag, "constraint_name", None)
    return str(name) if name else ""


def describe_database_error(exc: BaseException) -> str:
    """E.g. ``IntegrityError (sqlstate 23505, constraint uq_timeline_events_channel_provider_id)``
    for a resent message."""
    orig = exc.orig if isinstance(exc, DBAPIError) else exc
    facts = []
    sqlstate = getattr(orig, "sqlstate", None)
    if sqlstate:
        facts.append(f"sqlstate {sqlstate}")
    elif isinstance(orig, sqlite3.Error):
        # SQLite's messages name tables and columns, never values (e.g. "UNIQUE constraint
        # failed: identities.kind, identities.value").
        facts.append(getattr(orig, "sqlite_errorname", "") or "sqlite")
        facts.append(str(orig))
    name = constraint_name(exc)
    if name:
        facts.append(f"constraint {name}")
    kind = type(exc).__name__
    return f"{kind} ({', '.join(facts)})" if facts else kind


def _is_psycopg_error(exc: BaseException) -> bool:
    # By module, so that describing an error never imports the driver.
    return any(k.__module__.split(".", 1)[0] == "psycopg" for k in type(exc).__mro__)
