"""Operator accounts: create, sign out everywhere (revoke tokens), deactivate, re-activate."""

from __future__ import annotations

import re

from sqlalchemy import Connection, Engine, Update, select, update
from sqlalchemy.exc import IntegrityError

from services.admin import AdminError
from services.auth import hash_password
from services.protocol.channels import CHANNELS
from services.protocol.commands import ROLE_RANK
from services.store import tables

USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
SKILL = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")


def normalise_username(raw: str) -> str:
    """Usernames are compared trimmed and lower-cased, as the sign-in does."""
    username = raw.strip().lower()
    if not USERNAME.fullmatch(username):
        raise AdminError(
            f"bad username {raw!r}: use 1-64 letters, digits, '.', '_' or '-', "
            "starting with a letter or digit"
        )
    return username


def parse_skills(raw: str) -> list[str]:
    """``"general,sales"`` -> ``["general", "sales"]``; each skill a short lower-case word."""
    skills = [part.strip().lower() for part in raw.split(",") if part.strip()]
    for skill in skills:
        if not SKILL.fullmatch(skill):
            raise AdminError(
                f"bad skill {skill!r}: use 1-64 letters, digits, '_' or '-' (comma-separated)"
            )
    return sorted(set(skills))


def parse_capacity(raw: str) -> dict[str, int]:
    """``"webchat=3,voice=1"`` -> ``{"webchat": 3, "voice": 1}``, channels from the table."""
    capacity: dict[str, int] = {}
    for part in (p.strip() for p in raw.split(",")):
        if not part:
            continue
        name, sep, count = part.partition("=")
        name = name.strip()
        if not sep or name not in CHANNELS:
            raise AdminError(
                f"bad capacity entry {part!r}: write channel=count, channels are "
                + ", ".join(CHANNELS)
            )
        if not count.strip().isdigit() or int(count) > 100:
            raise AdminError(f"bad capacity for {name}: give a whole number from 0 to 100")
        capacity[name] = int(count)
    return capacity


def check_role(role: str) -> str:
    if role not in ROLE_RANK:
        raise AdminError(f"bad role {role!r}: use one of " + ", ".join(ROLE_RANK))
    return role


def add_operator(
    engine: Engine,
    *,
    username: str,
    display_name: str,
    password: str,
    role: str,
    skills: list[str],
    capacity: dict[str, int],
    public_name: str = "",
) -> int:
    """Create the account; returns its id. The username must be new. ``public_name`` is what
    customers see (by default the first word of the display name)."""
    if not password:
        raise AdminError("the password must not be empty")
    with engine.begin() as conn:
        if _operator_id(conn, username) is not None:
            raise AdminError(f"operator {username!r} already exists")
    row = {
        "username": username,
        "display_name": display_name,
        "password_hash": hash_password(password),
        "role": check_role(role),
        "skills": skills,
        "capacity": capacity,
        "public_name": check_public_name(public_name),
    }
    try:
        with engine.begin() as conn:
            result = conn.execute(tables.operators.insert().values(**row))
    except IntegrityError:
        # Created by someone else between the check and the insert.
        raise AdminError(f"operator {username!r} already exists") from None
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def check_public_name(name: str) -> str:
    name = " ".join(name.split())
    if len(name) > 64:
        raise AdminError("the public name is limited to 64 characters")
    return name


def revoke_tokens(engine: Engine, username: str) -> int:
    """Sign the operator out everywhere; returns how many live tokens were revoked."""
    with engine.begin() as conn:
        return conn.execute(revoke_all_statement(_require(conn, username))).rowcount


def set_active(engine: Engine, username: str, active: bool) -> int:
    """(De)activate an account; deactivating also revokes its tokens. Returns tokens revoked."""
    with engine.begin() as conn:
        operator_id = _require(conn, username)
        conn.execute(
            update(tables.operators)
            .where(tables.operators.c.id == operator_id)
            .values(active=active)
        )
        if active:
            return 0
        return conn.execute(revoke_all_statement(operator_id)).rowcount


def revoke_token_statement(token_digest: str) -> Update:
    """Revoke one token (by its digest): what ``auth.logout`` runs."""
    tokens = tables.session_tokens
    return update(tokens).where(tokens.c.token_hash == token_digest).values(revoked=True)


def revoke_all_statement(operator_id: int) -> Update:
    tokens = tables.session_tokens
    return (
        update(tokens)
        .where(tokens.c.operator_id == operator_id, tokens.c.revoked.is_(False))
        .values(revoked=True)
    )


def _operator_id(conn: Connection, username: str) -> int | None:
    operators = tables.operators
    found = conn.execute(select(operators.c.id).where(operators.c.username == username)).first()
    return None if found is None else int(found.id)


def _require(conn: Connection, username: str) -> int:
    operator_id = _operator_id(conn, normalise_username(username))
    if operator_id is None:
        raise AdminError(f"no operator {username!r}")
    return operator_id
