"""The offer chime: a real WAV, played by a real player process (ALSA's null device here)."""

from __future__ import annotations

import shutil
import wave
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from omnidesk_qt.settings import Settings
from omnidesk_qt.sound import OfferSound, write_chime
from tests.desktop.test_speech import rms

pytestmark = pytest.mark.usefixtures("isolated_dirs")
NULL_PLAYER = ["aplay", "-q", "-D", "null"]  # plays through ALSA with no sound card needed
needs_aplay = pytest.mark.skipif(
    shutil.which("aplay") is None, reason="aplay (alsa-utils) is installed by `make setup`"
)


def test_the_chime_is_a_short_audible_wav(tmp_path: Path) -> None:
    path = write_chime(tmp_path / "chime.wav")
    with wave.open(str(path)) as w:
        seconds = w.getnframes() / w.getframerate()
        assert (w.getnchannels(), w.getsampwidth()) == (1, 2)
    assert 0.2 < seconds < 1.0
    assert rms(path) > 1000


@needs_aplay
def test_an_offer_chime_plays_once_per_burst(qtbot: QtBot, tmp_path: Path) -> None:
    sound = OfferSound(Settings(), player=NULL_PLAYER, chime=tmp_path / "chime.wav")
    qtbot.waitUntil(sound.ready, timeout=5000)  # written off the UI thread at start
    assert (tmp_path / "chime.wav").is_file()
    with (
        qtbot.waitSignal(sound.played, timeout=2000) as played,
        qtbot.waitSignal(sound.finished, timeout=10000) as finished,
    ):
        assert sound.play()
        assert not sound.play()  # the second offer of a burst does not start a second chime
    assert played.args == ["aplay"]
    assert finished.args == [0]
    with qtbot.waitSignal(sound.finished, timeout=10000):
        assert sound.play()  # and after it ended, the next offer chimes again


def test_no_chime_when_the_operator_turned_it_off(qtbot: QtBot, tmp_path: Path) -> None:
    settings = Settings()
    settings.set("notifications.sound", False)
    sound = OfferSound(settings, player=NULL_PLAYER, chime=tmp_path / "chime.wav")
    qtbot.waitUntil(sound.ready, timeout=5000)
    with qtbot.assertNotEmitted(sound.played, wait=200):
        assert not sound.play()


def test_a_missing_player_is_logged_and_the_next_offer_tries_again(
    qtbot: QtBot, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    sound = OfferSound(Settings(), player=["omnidesk-no-such-player"], chime=tmp_path / "c.wav")
    qtbot.waitUntil(sound.ready, timeout=5000)
    with qtbot.waitSignal(sound.finished, timeout=5000) as finished:
        sound.play()
    assert finished.args == [-1]
    assert "cannot start" in caplog.text
    with qtbot.waitSignal(sound.finished, timeout=5000):
        assert sound.play()


def test_without_a_player_the_window_system_beeps(qtbot: QtBot, tmp_path: Path) -> None:
    sound = OfferSound(Settings(), player=[], chime=tmp_path / "chime.wav")
    qtbot.waitUntil(sound.ready, timeout=5000)
    with qtbot.waitSignal(sound.played, timeout=2000) as played:
        assert sound.play()
    assert played.args == ["beep"]


def test_an_offer_before_the_chime_is_written_gets_the_beep(qtbot: QtBot, tmp_path: Path) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("")  # the chime cannot be written below a file
    sound = OfferSound(Settings(), player=NULL_PLAYER, chime=blocked / "chime.wav")
    with qtbot.waitSignal(sound.played, timeout=2000) as played:
        assert sound.play()
    assert played.args == ["beep"]
    assert not sound.ready()
