"""Spoken announcements: the sentence, the voice, and real synthesis with pyttsx3 + espeak-ng on
the announcer's own thread (rendered to WAV files and measured, so no sound is played)."""

from __future__ import annotations

import array
import math
import os
import sys
import threading
import time
import wave
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from PySide6.QtCore import QTimer
from pytestqt.qtbot import QtBot

from omnidesk_qt import speech
from omnidesk_qt.settings import Settings
from omnidesk_qt.speech import (
    Announcer,
    announcement_text,
    espeak_available,
    genitive_ru,
    pick_voice,
    wav_duration,
)

SENTENCE = "Новое обращение в Telegram от Петра"
REQUIRED = os.environ.get("OMNIDESK_REQUIRE_SPEECH") == "1"
needs_espeak = pytest.mark.skipif(
    not espeak_available() and not REQUIRED,
    reason="espeak-ng is not installed (apt-get install espeak-ng, or `make system-packages`); "
    "set OMNIDESK_REQUIRE_SPEECH=1 to fail instead of skipping",
)


pytestmark = pytest.mark.usefixtures("isolated_dirs")


@pytest.fixture
def settings() -> Settings:
    return Settings()


@pytest.fixture
def announcer(settings: Settings) -> Iterator[Announcer]:
    a = Announcer(settings)
    yield a
    a.close()


def rms(path: Path) -> float:
    with wave.open(str(path), "rb") as w:
        assert w.getsampwidth() == 2
        samples = array.array("h", w.readframes(w.getnframes()))
    if sys.byteorder == "big":
        samples.byteswap()
    return math.sqrt(sum(s * s for s in samples) / max(1, len(samples)))


# --- the sentence --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("channel", "name", "lang", "text"),
    [
        ("telegram", "Пётр", "ru", SENTENCE),
        ("telegram", "Пётр Иванов", "ru", SENTENCE),
        ("whatsapp", "Анна Смирнова", "ru", "Новое обращение в WhatsApp от Анны"),
        ("webchat", "Ольга", "ru", "Новое обращение в веб-чате от Ольги"),
        ("email", "Сергей", "ru", "Новое письмо на почту от Сергея"),
        ("sms", "Мария", "ru", "Новое SMS от Марии"),
        ("voice", "Илья", "ru", "Входящий звонок от Ильи"),
        ("telegram", "+7 912 345-67-89", "ru", "Новое обращение в Telegram"),
        ("pigeon", "", "ru", "Новое обращение"),
        ("telegram", "Пётр", "en", "New Telegram conversation from Пётр"),
        ("webchat", "Peter Smith", "en", "New web chat from Peter"),
        ("email", "Anna", "en", "New e-mail from Anna"),
        ("sms", "anna@example.com", "en", "New SMS"),
        ("voice", "Anna", "en", "Incoming call from Anna"),
        ("whatsapp", "Anna", "en_GB", "New WhatsApp conversation from Anna"),
        ("whatsapp", "Anna", "de", "New WhatsApp conversation from Anna"),
    ],
)
def test_announcement_text(channel: str, name: str, lang: str, text: str) -> None:
    assert announcement_text(channel, name, lang) == text


@pytest.mark.parametrize(
    ("name", "genitive"),
    [
        ("Пётр", "Петра"),
        ("Павел", "Павла"),
        ("Иван", "Ивана"),
        ("Фёдор", "Фёдора"),
        ("Андрей", "Андрея"),
        ("Дмитрий", "Дмитрия"),
        ("Николай", "Николая"),
        ("Анна", "Анны"),
        ("Никита", "Никиты"),
        ("Ольга", "Ольги"),
        ("Наташа", "Наташи"),
        ("Мария", "Марии"),
        ("Дарья", "Дарьи"),
        ("Иванов", "Иванова"),
        ("Иванова", "Ивановой"),
        ("Вишневский", "Вишневского"),
        ("Вишневская", "Вишневской"),
        ("Анна-Мария", "Анны-Марии"),
        ("Ева", "Евы"),
        ("Любовь", "Любови"),
        ("Рахиль", "Рахиль"),  # uncertain: left as it is
        ("Шевченко", "Шевченко"),
        ("Peter", "Peter"),
    ],
)
def test_genitive(name: str, genitive: str) -> None:
    assert genitive_ru(name) == genitive


def test_pick_voice() -> None:
    def v(vid: str, langs: list[Any], name: str = "") -> Any:
        return SimpleNamespace(id=vid, languages=langs, name=name)

    espeak = [v("gmw/en", ["en-gb"]), v("zle/ru-lv", ["ru-lv"]), v("zle/ru", ["ru"])]
    assert pick_voice(espeak, "ru") == "zle/ru"  # exact before regional
    assert pick_voice(espeak, "en") == "gmw/en"
    sapi = [v("TOKEN_EN", ["en_US"]), v("TOKEN_RU", ["ru_RU"], "Microsoft Irina")]
    assert pick_voice(sapi, "ru") == "TOKEN_RU"
    assert pick_voice([v("X", [], "Microsoft Irina Desktop - Russian")], "ru") == "X"
    assert pick_voice(espeak, "fr") is None


# --- the queue (no audio) ------------------------------------------------------------------------
def test_announce_is_queued_and_spoken_on_the_worker(
    announcer: Announcer, monkeypatch: pytest.MonkeyPatch, settings: Settings
) -> None:
    spoken: list[tuple[str, str]] = []
    done = threading.Event()

    def fake_say(self: Any, text: str, voice: Any) -> None:
        spoken.append((threading.current_thread().name, text))
        done.set()

    monkeypatch.setattr(speech._Worker, "say", fake_say)
    assert announcer.announce_offer("telegram", "Пётр Иванов")
    assert done.wait(10)
    assert spoken == [("omnidesk-speech", SENTENCE)]

    settings.set("speech.enabled", False)
    assert not announcer.enabled
    assert not announcer.announce("не прозвучит")
    settings.set("speech.enabled", True)
    settings.set("speech.language", "en")
    done.clear()
    announcer.on_offer({"channel": "webchat", "id": 5}, {"name": "Peter Smith"})
    assert done.wait(10)
    assert spoken[-1] == ("omnidesk-speech", "New web chat from Peter")


def test_stale_announcements_are_dropped(monkeypatch: pytest.MonkeyPatch) -> None:
    speaking = threading.Event()
    release = threading.Event()
    spoken: list[str] = []

    def slow_say(self: Any, text: str, voice: Any) -> None:
        speaking.set()
        assert release.wait(10)
        spoken.append(text)

    monkeypatch.setattr(speech._Worker, "say", slow_say)
    a = Announcer(max_pending=2)
    try:
        assert a.announce("offer 0")
        assert speaking.wait(10)  # the worker is in the middle of saying it
        for i in range(1, 6):
            assert a.announce(f"offer {i}")
        release.set()
        deadline = time.monotonic() + 10
        while len(spoken) < 3 and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        a.close()
    # Only the two newest of those that queued behind it were still worth saying.
    assert spoken == ["offer 0", "offer 4", "offer 5"]


def test_closed_announcer_refuses_work(tmp_path: Path) -> None:
    a = Announcer()
    a.close()
    a.close()  # twice is fine
    assert not a.announce("x")
    fut = a.synthesize_to_file("x", tmp_path / "x.wav")
    with pytest.raises(RuntimeError, match="closed"):
        fut.result(1)


# --- real synthesis ------------------------------------------------------------------------------
@needs_espeak
def test_synthesised_announcement_is_real_speech(
    announcer: Announcer, tmp_path: Path, qtbot: QtBot
) -> None:
    ticks = 0

    def tick() -> None:
        nonlocal ticks
        ticks += 1

    timer = QTimer()
    timer.setInterval(5)
    timer.timeout.connect(tick)
    timer.start()
    out = tmp_path / "speech" / "offer.wav"
    fut = announcer.synthesize_to_file(SENTENCE, out)
    qtbot.waitUntil(fut.done, timeout=60_000)  # the Qt event loop keeps running meanwhile
    timer.stop()
    assert fut.result() == out
    assert ticks > 0

    with wave.open(str(out), "rb") as w:
        assert w.getnchannels() == 1
        assert w.getsampwidth() == 2
        assert 8000 <= w.getframerate() <= 48000
    duration = wav_duration(out)
    assert duration > 0.5, f"{duration:.2f} s is too short for the sentence"
    assert duration < 15
    level = rms(out)
    assert level > 300, f"RMS {level:.0f}: silence"


@needs_espeak
def test_announce_never_blocks_the_ui_thread(
    announcer: Announcer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(speech._Worker, "say", lambda self, text, voice: None)  # no sound
    # Keep the speech thread busy with real synthesis, then queue announcements behind it.
    busy = announcer.synthesize_to_file(SENTENCE + ". " + SENTENCE, tmp_path / "busy.wav")
    times = []
    for i in range(5):
        t0 = time.perf_counter()
        assert announcer.announce(f"{SENTENCE} {i}")
        times.append(time.perf_counter() - t0)
    assert max(times) < 0.05, f"announce() took {max(times) * 1000:.1f} ms"
    assert busy.result(60).is_file()


@needs_espeak
def test_rate_setting_reaches_the_engine(
    announcer: Announcer, settings: Settings, tmp_path: Path
) -> None:
    settings.set("speech.rate", 350)
    fast = announcer.synthesize_to_file(SENTENCE, tmp_path / "fast.wav").result(60)
    settings.set("speech.rate", 100)
    slow = announcer.synthesize_to_file(SENTENCE, tmp_path / "slow.wav").result(60)
    assert wav_duration(slow) > 1.8 * wav_duration(fast)


@needs_espeak
def test_file_fallback_to_espeak_ng(
    announcer: Announcer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without a pyttsx3 engine the file is still rendered, by the espeak-ng program."""
    if not speech.shutil.which("espeak-ng"):
        pytest.skip("the espeak-ng program is not installed (only the library)")
    monkeypatch.setattr(speech._Worker, "_engine", lambda self, voice: None)
    out = announcer.synthesize_to_file(SENTENCE, tmp_path / "cli.wav").result(60)
    assert wav_duration(out) > 0.5 and rms(out) > 300


def test_one_speech_thread_per_process(monkeypatch: pytest.MonkeyPatch) -> None:
    threads: set[int] = set()
    done = threading.Semaphore(0)

    def record(self: Any, text: str, voice: Any) -> None:
        threads.add(threading.get_ident())
        done.release()

    monkeypatch.setattr(speech._Worker, "say", record)
    first, second = Announcer(), Announcer()
    try:
        assert first.announce("один") and second.announce("два")
        assert done.acquire(timeout=10) and done.acquire(timeout=10)
        assert len(threads) == 1 and threading.get_ident() not in threads
    finally:
        first.close()
        second.close()
    speech.shutdown()  # as at exit; a later announcer starts a new thread
    third = Announcer()
    try:
        assert third.announce("три") and done.acquire(timeout=10)
    finally:
        third.close()


def test_engine_unavailable_is_reported(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pyttsx3

    def no_engine(driver: str | None = None, debug: bool = False) -> Any:
        raise RuntimeError("no speech driver here")

    speech.shutdown()  # a fresh speech thread that has not made its engine yet
    monkeypatch.setattr(pyttsx3, "init", no_engine)
    monkeypatch.setattr(speech._Worker, "_save_with_espeak_cli", lambda self, job: None)
    a = Announcer()
    try:
        with qtbot.waitSignal(a.failed, timeout=10_000) as blocker:
            fut = a.synthesize_to_file(SENTENCE, tmp_path / "none.wav")
        assert "no speech driver here" in str(blocker.args[0])
        with pytest.raises(RuntimeError, match="no speech was written"):
            fut.result(10)
    finally:
        a.close()
        speech.shutdown()  # the next test gets a working engine again


@needs_espeak
def test_the_installed_voices_are_listed_with_their_languages(announcer: Announcer) -> None:
    voices = announcer.list_voices().result(timeout=60)
    assert any(v.speaks("ru") for v in voices)
    assert any(v.speaks("en") for v in voices)
    assert all(v.id and v.name for v in voices)
