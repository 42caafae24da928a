"""The operator's session token, kept in the OS keyring (Windows Credential Manager, the Secret
Service on Linux, the macOS Keychain), never in a file of ours.

Entries are under the service ``OmniDesk`` with the key ``<gateway url>|<username>``, so the same
operator on two gateways has two tokens.

A keyring can be missing (a bare Linux session without a Secret Service), locked, or refuse: that
is logged, and the functions answer ``False``/``None``; the app then simply asks for the password.
The token itself is never logged.

The backend can talk to a daemon over D-Bus or show an unlock prompt: call these from an executor
(``loop.run_in_executor``), not on the UI thread.
"""

from __future__ import annotations

import logging

import keyring
import keyring.errors

log = logging.getLogger(__name__)

SERVICE = "OmniDesk"

_warned_backends: set[str] = set()


def account(url: str, username: str) -> str:
    """The keyring key of a token: the gateway address (without a trailing slash) and the user."""
    return f"{url.rstrip('/')}|{username}"


def _backend_name() -> str:
    try:
        backend = keyring.get_keyring()
    except Exception:  # a broken keyring configuration is reported by the call itself
        return "unknown"
    cls = type(backend)
    return f"{cls.__module__}.{cls.__qualname__}"


def _warn_if_unencrypted() -> None:
    name = _backend_name()
    if "plaintext" in name.lower() and name not in _warned_backends:
        # keyrings.alt is a test dependency; installed next to the app it becomes the fallback
        # when the OS has no keyring, and it stores tokens unencrypted. Say so once.
        _warned_backends.add(name)
        log.warning("keyring backend %s keeps tokens unencrypted", name)


def save_token(url: str, username: str, token: str) -> bool:
    """Remember the token; False when there is no usable keyring (nothing is stored then)."""
    if not username or not token:
        return False
    try:
        keyring.set_password(SERVICE, account(url, username), token)
    except Exception as exc:  # any backend failure (no keyring, locked, D-Bus error) alike
        log.warning(
            "cannot store the session token in the keyring (%s): %s",
            _backend_name(),
            _describe(exc),
        )
        return False
    _warn_if_unencrypted()
    log.info("session token for %s stored in the keyring", account(url, username))
    return True


def load_token(url: str, username: str) -> str | None:
    """The remembered token, or None (none stored, or the keyring cannot be used)."""
    if not username:
        return None
    try:
        token = keyring.get_password(SERVICE, account(url, username))
    except Exception as exc:
        log.warning(
            "cannot read the session token from the keyring (%s): %s",
            _backend_name(),
            _describe(exc),
        )
        return None
    return token or None


def delete_token(url: str, username: str) -> bool:
    """Forget the token (sign-out, or the gateway refused it). True when one was removed."""
    if not username:
        return False
    try:
        keyring.delete_password(SERVICE, account(url, username))
    except keyring.errors.PasswordDeleteError:
        return False  # there was none
    except Exception as exc:
        log.warning(
            "cannot delete the session token from the keyring (%s): %s",
            _backend_name(),
            _describe(exc),
        )
        return False
    return True


def _describe(exc: BaseException) -> str:
    # The class says what happened (NoKeyringError, KeyringLocked …); the message rarely
    # contains more than that and never the token, which is not passed to the error paths.
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
