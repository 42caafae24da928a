"""Session tokens in the OS keyring: a real file backend (keyrings.alt's PlaintextKeyring in a
temporary folder) stands in for the OS one; failing backends are real keyring backends too."""

from __future__ import annotations

import base64
import contextlib
import logging
from collections.abc import Iterator
from pathlib import Path

import keyring
import keyring.backend
import keyring.backends.fail
import keyring.errors
import pytest
from keyrings.alt.file import PlaintextKeyring

from omnidesk_qt import credentials
from omnidesk_qt.settings import Settings

URL = "ws://127.0.0.1:8765"
TOKEN = "tok-3f9a1c0e5b7d4e2a9c8b6d4f1e0a7c5b"


pytestmark = pytest.mark.usefixtures("isolated_dirs")


@contextlib.contextmanager
def use_backend(backend: keyring.backend.KeyringBackend) -> Iterator[None]:
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    try:
        yield
    finally:
        keyring.set_keyring(previous)


@pytest.fixture
def file_keyring(tmp_path: Path) -> Iterator[PlaintextKeyring]:
    kr = PlaintextKeyring()
    kr.file_path = str(tmp_path / "keyring" / "keyring_pass.cfg")
    with use_backend(kr):
        yield kr


class LockedKeyring(keyring.backend.KeyringBackend):
    """A keyring whose collection the user did not unlock (Secret Service, KWallet)."""

    priority = 1  # type: ignore[assignment]

    def get_password(self, service: str, username: str) -> str | None:
        raise keyring.errors.KeyringLocked("the collection is locked")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise keyring.errors.KeyringLocked("the collection is locked")

    def delete_password(self, service: str, username: str) -> None:
        raise keyring.errors.KeyringLocked("the collection is locked")


def test_store_read_delete(file_keyring: PlaintextKeyring) -> None:
    assert credentials.load_token(URL, "agent") is None
    assert credentials.save_token(URL, "agent", TOKEN)
    assert credentials.load_token(URL, "agent") == TOKEN
    # Under the service "OmniDesk", keyed by gateway and user.
    assert file_keyring.get_password("OmniDesk", f"{URL}|agent") == TOKEN
    assert credentials.load_token(URL + "/", "agent") == TOKEN  # same gateway
    assert credentials.load_token(URL, "lead") is None
    assert credentials.load_token("wss://other:8765", "agent") is None

    assert credentials.delete_token(URL, "agent")
    assert credentials.load_token(URL, "agent") is None
    assert not credentials.delete_token(URL, "agent")  # nothing left to delete
    assert Path(file_keyring.file_path).is_file()  # the backend really wrote its file


def test_empty_user_or_token_stores_nothing(file_keyring: PlaintextKeyring) -> None:
    assert not credentials.save_token(URL, "", TOKEN)
    assert not credentials.save_token(URL, "agent", "")
    assert credentials.load_token(URL, "") is None
    assert not Path(file_keyring.file_path).exists()


def test_token_is_in_no_file_of_ours(tmp_path: Path, file_keyring: PlaintextKeyring) -> None:
    settings = Settings()
    settings.set("gateway.username", "agent")
    settings.set("gateway.url", "wss://desk.example.com:8765")
    assert credentials.save_token("wss://desk.example.com:8765", "agent", TOKEN)

    forms = [TOKEN.encode(), base64.b64encode(TOKEN.encode()), TOKEN.encode("utf-16-le")]
    ours = [p for p in (tmp_path / "config").rglob("*") if p.is_file()]
    ours += [p for p in (tmp_path / "data").rglob("*") if p.is_file()]
    assert ours, "settings.json should have been written"
    for path in ours:
        content = path.read_bytes()
        assert not any(form in content for form in forms), path
    assert credentials.load_token("wss://desk.example.com:8765", "agent") == TOKEN


@pytest.mark.parametrize(
    "backend", [keyring.backends.fail.Keyring(), LockedKeyring()], ids=["none", "locked"]
)
def test_failing_keyring_is_reported_not_raised(
    backend: keyring.backend.KeyringBackend, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="omnidesk_qt.credentials"), use_backend(backend):
        assert credentials.save_token(URL, "agent", TOKEN) is False
        assert credentials.load_token(URL, "agent") is None
        assert credentials.delete_token(URL, "agent") is False
    text = caplog.text
    assert "cannot store" in text and "cannot read" in text and "cannot delete" in text
    assert TOKEN not in text  # the token never reaches a log
