"""Customer identities (phone, e-mail, messenger ids) in one canonical form.

Two contacts are the same identity exactly when their normalised values are equal, so every
value stored in ``identities.value`` and every lookup goes through :func:`normalise_identity`.

Deliberately free of SQLAlchemy and Qt: the desktop client validates input with it too. The
kind names are the values of ``services.store.models.IdentityKind``.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import phonenumbers

__all__ = [
    "KINDS",
    "InvalidIdentity",
    "initials",
    "normalise_email",
    "normalise_identity",
    "normalise_phone",
    "normalise_telegram",
    "normalise_web_visitor",
]

# Longer input is never a phone number or an address; refusing it early bounds the work done.
_MAX_INPUT = 320
_MAX_EMAIL = 254  # RFC 5321: the longest path a mail server accepts.

_TELEGRAM_ID = re.compile(r"[0-9]{1,20}")
# Telegram usernames: a letter, then letters, digits and underscores; 5-32 characters (4 for
# the short names sold at auction).
_TELEGRAM_USERNAME = re.compile(r"[a-z][a-z0-9_]{3,31}")
_WEB_VISITOR = re.compile(r"[A-Za-z0-9_-]{8,64}")


class InvalidIdentity(ValueError):
    """The input is not a valid identity of the kind asked for."""


def _check_text(raw: object, what: str) -> str:
    if not isinstance(raw, str):
        raise InvalidIdentity(f"{what} must be a string, got {type(raw).__name__}")
    if len(raw) > _MAX_INPUT:
        raise InvalidIdentity(f"{what} is too long ({len(raw)} characters): {raw[:40]!r}...")
    return raw


def normalise_phone(raw: str, default_region: str = "RU") -> str:
    """The number in E.164 (``"+79161234567"``).

    Numbers without a country code are read as numbers of ``default_region``, so in Russia
    ``"8 (916) 123-45-67"``, ``"79161234567"`` and ``"+7 916 123 45 67"`` are all the same.
    Letters (vanity numbers, "доб."/"ext." extensions) and extensions are refused: an identity
    is one line, not a switchboard.
    """
    text = _check_text(raw, "phone number").strip()
    if not text:
        raise InvalidIdentity("empty phone number")
    if any(ch.isalpha() for ch in text):
        raise InvalidIdentity(f"not a phone number (contains letters): {raw!r}")
    try:
        number = phonenumbers.parse(text, default_region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidIdentity(f"not a phone number: {raw!r} ({exc})") from None
    if number.extension:
        raise InvalidIdentity(f"phone number with an extension: {raw!r}")
    if not phonenumbers.is_valid_number(number):
        raise InvalidIdentity(f"not a valid phone number: {raw!r}")
    e164: str = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return e164


def normalise_email(raw: str) -> str:
    """The address stripped and lower-cased; refused unless it looks like ``local@domain.tld``.

    The local part is lower-cased too: no mail provider the customers use treats case as
    significant, and one customer writing ``Ivan@Mail.ru`` and ``ivan@mail.ru`` is one person.
    """
    address = _check_text(raw, "e-mail address").strip().lower()
    if not address:
        raise InvalidIdentity("empty e-mail address")
    if len(address) > _MAX_EMAIL:
        raise InvalidIdentity(f"e-mail address too long: {raw[:40]!r}...")
    if any(ch.isspace() for ch in address):
        raise InvalidIdentity(f"e-mail address contains spaces: {raw!r}")
    if address.count("@") != 1:
        raise InvalidIdentity(f"e-mail address needs exactly one '@': {raw!r}")
    local, domain = address.split("@")
    if not local:
        raise InvalidIdentity(f"e-mail address has nothing before the '@': {raw!r}")
    if "." not in domain or any(not label for label in domain.split(".")):
        raise InvalidIdentity(f"e-mail address has no valid domain: {raw!r}")
    return address


def normalise_telegram(raw: str) -> str:
    """A numeric chat id as plain digits (``"123456789"``), a username as ``"@name"``.

    Usernames are case-insensitive in Telegram, so they are lower-cased; the ``@`` is optional
    on input and always present on output, which keeps ids and names apart.
    """
    text = _check_text(raw, "Telegram id").strip()
    if _TELEGRAM_ID.fullmatch(text):
        chat_id = int(text)
        if chat_id <= 0:
            raise InvalidIdentity(f"not a Telegram chat id: {raw!r}")
        return str(chat_id)
    name = text.removeprefix("@").lower()
    if not _TELEGRAM_USERNAME.fullmatch(name):
        raise InvalidIdentity(
            f"not a Telegram chat id or username (letters, digits, '_'; 5-32 long): {raw!r}"
        )
    return "@" + name


def normalise_web_visitor(raw: str) -> str:
    """An opaque web-chat visitor id, kept as given: 8-64 of ``A-Z a-z 0-9 _ -``."""
    text = _check_text(raw, "web visitor id").strip()
    if not _WEB_VISITOR.fullmatch(text):
        raise InvalidIdentity(f"not a web visitor id (8-64 of A-Z a-z 0-9 _ -): {raw!r}")
    return text


_NORMALISERS: dict[str, Callable[[str], str]] = {
    "phone": normalise_phone,
    "whatsapp": normalise_phone,  # a WhatsApp account is a phone number
    "email": normalise_email,
    "telegram": normalise_telegram,
    "web_visitor": normalise_web_visitor,
}

#: Every identity kind this module understands (the values of ``IdentityKind``).
KINDS: frozenset[str] = frozenset(_NORMALISERS)


def normalise_identity(kind: str, raw: str) -> str:
    """``raw`` in the canonical form for ``kind`` (an ``IdentityKind`` value)."""
    normaliser = _NORMALISERS.get(str(kind)) if isinstance(kind, str) else None
    if normaliser is None:
        raise InvalidIdentity(f"unknown identity kind: {kind!r}")
    return normaliser(raw)


def initials(display_name: str) -> str:
    """Up to two upper-case initials for an avatar: "Пётр Иванов" -> "ПИ", "" -> "?".

    The first letter or digit of each of the first two words that have one; words of
    punctuation only (``"—"``) are skipped.
    """
    letters: list[str] = []
    for word in display_name.split() if isinstance(display_name, str) else []:
        first = next((ch for ch in word if ch.isalnum()), None)
        if first is not None:
            letters.append(first.upper()[0])
            if len(letters) == 2:
                break
    return "".join(letters) or "?"
