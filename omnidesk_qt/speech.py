"""Spoken announcements of new conversations ("Новое обращение в Telegram от Петра").

Speech runs on one dedicated thread per process: the pyttsx3 engine (espeak-ng on Linux, SAPI5
on Windows, picked by pyttsx3) is created and used only there, and :meth:`Announcer.announce`
only puts the text on a queue, so the UI thread never waits for a voice. Rate, voice, language and
on/off come from :class:`~omnidesk_qt.settings.Settings` and follow its ``changed`` signal.

What pyttsx3 (2.9x) does with espeak-ng, and what this module does about it:

- the driver renders into memory and plays a temporary WAV with ``aplay`` (alsa-utils); without
  ``aplay`` the announcement is lost with only "aplay: not found" on stderr. Then the
  ``espeak-ng`` program speaks instead, through its own audio output.
- only the last utterance queued before ``runAndWait()`` is spoken: one utterance per run here.
- after ``save_to_file()`` the driver keeps the file name, and every later ``say()`` overwrites
  that file instead of playing: it is forgotten after each save.
- espeak-ng runs asynchronously on its own thread in the mode pyttsx3 uses; a rate change could
  be lost or land on the wrong utterance, so the speech thread waits for espeak-ng to be idle.
- each new espeak driver replaces the library's global callback: one engine per process.
- the driver prints "Audio saved to …" on stdout when it wrote a file.
"""

from __future__ import annotations

import atexit
import collections
import contextlib
import ctypes.util
import importlib
import logging
import shutil
import subprocess
import sys
import threading
import wave
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from omnidesk_qt.i18n import resolve_language
from omnidesk_qt.settings import Settings

log = logging.getLogger(__name__)

# --- the sentence ----------------------------------------------------------------------------
# Russian needs the preposition and case that go with each channel.
_RU_PHRASES = {
    "telegram": "Новое обращение в Telegram",
    "whatsapp": "Новое обращение в WhatsApp",
    "webchat": "Новое обращение в веб-чате",
    "email": "Новое письмо на почту",
    "sms": "Новое SMS",
    "voice": "Входящий звонок",
    "call": "Входящий звонок",
    "visit": "Новый посетитель",
}
_EN_PHRASES = {
    "telegram": "New Telegram conversation",
    "whatsapp": "New WhatsApp conversation",
    "webchat": "New web chat",
    "email": "New e-mail",
    "sms": "New SMS",
    "voice": "Incoming call",
    "call": "Incoming call",
    "visit": "New visitor",
}

# Names whose genitive does not follow the rules below (fleeting vowels, soft-sign names).
_RU_GENITIVE_EXCEPTIONS = {
    "Пётр": "Петра",
    "Петр": "Петра",
    "Павел": "Павла",
    "Лев": "Льва",
    "Игорь": "Игоря",
    "Любовь": "Любови",
    "Ева": "Евы",
}
_CYRILLIC = set("абвгдеёжзийклмнопрстуфхцчшщъыьэюя")
_RU_CONSONANTS = set("бвгджзклмнпрстфхцчшщ")


def genitive_ru(name: str) -> str:
    """A Russian first name (or surname) in the genitive, as after "от": Пётр -> Петра,
    Анна -> Анны, Ольга -> Ольги, Мария -> Марии, Сергей -> Сергея, Иванова -> Ивановой.

    Only the regular cases are changed; anything uncertain (names ending in -ь, -о, -е, -и, -у,
    foreign or Latin names) stays as it is, which Russian accepts for indeclinable names."""
    if name in _RU_GENITIVE_EXCEPTIONS:
        return _RU_GENITIVE_EXCEPTIONS[name]
    low = name.lower()
    if len(low) < 2 or not set(low) <= _CYRILLIC | {"-"}:
        return name
    if "-" in name:  # Анна-Мария -> Анны-Марии
        return "-".join(genitive_ru(part) for part in name.split("-"))
    if low.endswith(("ский", "цкий")):
        return name[:-2] + "ого"
    if low.endswith("ая"):
        return name[:-2] + "ой"
    if low.endswith(("ова", "ева", "ёва")) and len(low) > 4:
        return name[:-1] + "ой"
    if low.endswith("я"):
        return name[:-1] + "и"
    if low.endswith("а"):
        return name[:-1] + ("и" if low[-2] in "гкхжчшщ" else "ы")
    if low.endswith(("ий", "ей", "ай")):
        return name[:-1] + "я"
    if low[-1] in _RU_CONSONANTS:
        return name + "а"
    return name


def _spoken_name(customer_name: str) -> str:
    """The first word of the name; nothing for a phone number or an address, which would be
    read out digit by digit."""
    words = customer_name.split()
    if not words or any(ch.isdigit() or ch == "@" for ch in customer_name):
        return ""
    return words[0]


def announcement_text(channel: str, customer_name: str, lang: str) -> str:
    """``announcement_text("telegram", "Пётр Иванов", "ru")`` -> "Новое обращение в Telegram от
    Петра"; ``lang`` may also be "system" or "en"."""
    language = resolve_language(lang)
    name = _spoken_name(customer_name)
    key = channel.strip().lower()
    if language == "ru":
        head = _RU_PHRASES.get(key, "Новое обращение")
        return f"{head} от {genitive_ru(name)}" if name else head
    head = _EN_PHRASES.get(key, "New conversation")
    return f"{head} from {name}" if name else head


# --- voices ----------------------------------------------------------------------------------
def _normalise_language(code: Any) -> str:
    if isinstance(code, bytes):
        code = code.decode("utf-8", "ignore")
    return str(code).strip().lower().replace("_", "-")


def voice_languages(voice: Any) -> tuple[str, ...]:
    """A pyttsx3 voice's languages as "ru", "en-gb" (drivers give bytes or str, "_" or "-")."""
    return tuple(_normalise_language(code) for code in (getattr(voice, "languages", None) or []))


def pick_voice(voices: list[Any], language: str) -> str | None:
    """The id of the first voice that speaks ``language`` ("ru"): an exact language match first
    (espeak-ng "ru" before "ru-lv"), then a regional one (SAPI5 "ru-RU"), then by name."""
    lang = language.lower()
    for v in voices:
        if lang in voice_languages(v):
            return str(v.id)
    for v in voices:
        if any(code.startswith(lang + "-") for code in voice_languages(v)):
            return str(v.id)
    names = {"ru": "russian", "en": "english"}
    for v in voices:
        if names.get(lang, "\0") in str(getattr(v, "name", "")).lower():
            return str(v.id)
    return None


def espeak_available() -> bool:
    """espeak-ng is installed: the library pyttsx3 loads on Linux, or the program."""
    return bool(ctypes.util.find_library("espeak-ng") or shutil.which("espeak-ng"))


def wav_duration(path: Path) -> float:
    with wave.open(str(path), "rb") as w:
        rate = w.getframerate()
        return w.getnframes() / rate if rate else 0.0


# --- jobs for the speech thread ----------------------------------------------------------------
@dataclass(frozen=True)
class _Voice:
    rate: int = 170
    voice: str = ""
    language: str = "ru"


@dataclass(frozen=True)
class _Say:
    text: str
    voice: _Voice
    owner: int
    report: Callable[[str], None] = field(compare=False)


@dataclass(frozen=True)
class _Save:
    text: str
    path: Path
    voice: _Voice
    owner: int
    report: Callable[[str], None] = field(compare=False)
    future: Future[Path] = field(compare=False)


@dataclass(frozen=True)
class VoiceInfo:
    """An installed voice as the settings show it."""

    id: str
    name: str
    languages: tuple[str, ...]

    def speaks(self, language: str) -> bool:
        lang = language.lower()
        return any(code == lang or code.startswith(lang + "-") for code in self.languages)


@dataclass(frozen=True)
class _ListVoices:
    future: Future[list[VoiceInfo]] = field(compare=False)


class _Stop:
    pass


_Job = _Say | _Save | _ListVoices | _Stop


class _SpeechThread:
    """The one thread that owns the process's speech engine; every Announcer queues here.

    One engine per process, never replaced: espeak-ng can be initialised only once per process,
    and each new pyttsx3 espeak driver swaps the library's global synthesis callback, freeing
    the old one while espeak-ng's own thread may still call it (a crash at exit, seen here)."""

    def __init__(self, driver: str | None) -> None:
        self.jobs: collections.deque[_Job] = collections.deque()
        self.cond = threading.Condition()
        self.worker = _Worker(driver)
        self.thread = threading.Thread(target=self._run, name="omnidesk-speech", daemon=True)
        self.thread.start()

    def put(self, job: _Job) -> None:
        with self.cond:
            self.jobs.append(job)
            self.cond.notify()

    def stop(self, timeout: float) -> None:
        with self.cond:
            for job in self.jobs:
                if isinstance(job, _Save | _ListVoices):
                    job.future.cancel()
            self.jobs.clear()
            self.jobs.append(_Stop())
            self.cond.notify()
        self.thread.join(timeout)
        if self.thread.is_alive():
            log.warning("speech thread still busy after %.0f s; leaving it", timeout)

    def _next(self) -> _Job:
        with self.cond:
            while not self.jobs:
                self.cond.wait()
            return self.jobs.popleft()

    def _run(self) -> None:
        uninit = _com_init()
        try:
            while True:
                job = self._next()
                if isinstance(job, _Stop):
                    break
                try:
                    self.worker.handle(job)
                except Exception:  # one bad utterance must not end announcements for the day
                    log.exception("speech job failed")
                    if isinstance(job, _Save | _ListVoices) and not job.future.done():
                        job.future.set_exception(RuntimeError("speech synthesis failed"))
        finally:
            self.worker.shutdown()
            if uninit is not None:
                uninit()


_threads: dict[str | None, _SpeechThread] = {}
_threads_lock = threading.Lock()


def _speech_thread(driver: str | None) -> _SpeechThread:
    with _threads_lock:
        st = _threads.get(driver)
        if st is None or not st.thread.is_alive():
            if not _threads:
                atexit.register(shutdown)
            st = _threads[driver] = _SpeechThread(driver)
        return st


def shutdown(timeout: float = 5.0) -> None:
    """Stop the speech thread(s) and release the engine; called at exit. Announcers made after
    this start a new thread (and get the same process-wide engine back)."""
    with _threads_lock:
        threads = list(_threads.values())
        _threads.clear()
    for st in threads:
        st.stop(timeout)


class Announcer(QObject):
    """Announces on the speech thread; :meth:`announce` only queues and returns."""

    failed = Signal(str)  # speech is not available, and why (emitted from the speech thread)

    def __init__(
        self,
        settings: Settings | None = None,
        parent: QObject | None = None,
        *,
        driver: str | None = None,
        max_pending: int = 3,
    ) -> None:
        """``driver``: a pyttsx3 driver name (default: pyttsx3's choice for the OS);
        ``max_pending``: announcements waiting beyond this drop the oldest (no one wants to hear
        about ten offers that are already gone)."""
        super().__init__(parent)
        self.settings = settings
        self.max_pending = max_pending
        self._id = id(self)
        self._closed = False
        self._enabled = True
        self._voice = _Voice()
        if settings is not None:
            self._enabled = bool(settings.value("speech.enabled"))
            self._voice = self._voice_from(settings)
            settings.changed.connect(self._on_setting)
        self._speech = _speech_thread(driver)

    @property
    def enabled(self) -> bool:
        return self._enabled

    @property
    def language(self) -> str:
        return self._voice.language

    def announce(self, text: str) -> bool:
        """Queue ``text`` to be spoken; returns at once. False when speech is off or closed."""
        if not self._enabled or self._closed or not text.strip():
            return False
        st = self._speech
        with st.cond:
            mine = [j for j in st.jobs if isinstance(j, _Say) and j.owner == self._id]
            while len(mine) >= self.max_pending:
                dropped = mine.pop(0)
                st.jobs.remove(dropped)
                log.debug("announcement dropped: %s", dropped.text)
            st.jobs.append(_Say(text, self._voice, self._id, self._report))
            st.cond.notify()
        return True

    def announce_offer(self, channel: str, customer_name: str) -> bool:
        """Announce an offered conversation in the language of ``speech.language``."""
        return self.announce(announcement_text(channel, customer_name, self.language))

    def on_offer(self, conversation: dict[str, Any], customer: dict[str, Any]) -> None:
        """Slot for :attr:`Session.offerReceived`."""
        self.announce_offer(str(conversation.get("channel", "")), str(customer.get("name", "")))

    def list_voices(self) -> Future[list[VoiceInfo]]:
        """The installed voices, read on the speech thread (an empty list without an engine)."""
        fut: Future[list[VoiceInfo]] = Future()
        self._speech.put(_ListVoices(fut))
        return fut

    def synthesize_to_file(self, text: str, path: Path | str) -> Future[Path]:
        """Render ``text`` with the current voice into a WAV file (on the speech thread, in turn
        with announcements). ``await asyncio.wrap_future(...)`` it from a coroutine."""
        fut: Future[Path] = Future()
        if self._closed:
            fut.set_exception(RuntimeError("the announcer is closed"))
            return fut
        self._speech.put(_Save(text, Path(path), self._voice, self._id, self._report, fut))
        return fut

    def close(self) -> None:
        """Drop what this announcer still had queued; one being spoken may finish. The speech
        thread stays for the process (see :func:`shutdown`)."""
        if self._closed:
            return
        self._closed = True
        if self.settings is not None:
            self.settings.changed.disconnect(self._on_setting)
        self._drop_pending(saves_too=True)

    def _drop_pending(self, *, saves_too: bool) -> None:
        st = self._speech
        with st.cond:
            for job in list(st.jobs):
                if isinstance(job, _Say | _Save) and job.owner == self._id:
                    if isinstance(job, _Save):
                        if not saves_too:
                            continue
                        job.future.cancel()
                    st.jobs.remove(job)

    def _report(self, why: str) -> None:
        with contextlib.suppress(RuntimeError):  # the announcer's C++ object is already gone
            self.failed.emit(why)

    @staticmethod
    def _voice_from(settings: Settings) -> _Voice:
        return _Voice(
            int(settings.value("speech.rate")),
            str(settings.value("speech.voice")),
            str(settings.value("speech.language")),
        )

    def _on_setting(self, name: str, value: object) -> None:
        if not name.startswith("speech.") or self.settings is None:
            return
        if name == "speech.enabled":
            self._enabled = bool(value)
            if not self._enabled:  # what was waiting is not said any more
                self._drop_pending(saves_too=False)
            return
        self._voice = self._voice_from(self.settings)


def _com_init() -> Callable[[], None] | None:
    """SAPI5 is COM: each thread that uses it initialises COM for itself."""
    if sys.platform != "win32":
        return None
    try:
        pythoncom = importlib.import_module("pythoncom")
        pythoncom.CoInitialize()
    except Exception as exc:
        log.warning("cannot initialise COM for speech: %s", exc)
        return None
    uninit: Callable[[], None] = pythoncom.CoUninitialize
    return uninit


class _Worker:
    """The engine and everything done with it; lives on the speech thread only."""

    def __init__(self, driver: str | None) -> None:
        self.driver = driver
        self.engine: Any = None
        self.broken: str | None = None  # why there is no engine
        self.told: set[int] = set()  # announcers that heard why
        self.applied: _Voice | None = None
        self.voices: list[Any] | None = None
        self.espeak_cli = shutil.which("espeak-ng")
        self.warned_playback = False

    def handle(self, job: _Say | _Save | _ListVoices) -> None:
        if isinstance(job, _ListVoices):
            if job.future.set_running_or_notify_cancel():
                job.future.set_result(self.installed_voices())
            return
        if isinstance(job, _Say):
            self.say(job.text, job.voice)
        else:
            self.save(job)
        if self.broken and job.owner not in self.told:
            self.told.add(job.owner)
            job.report(self.broken)

    # -- engine ---------------------------------------------------------------------------------
    def _engine(self, voice: _Voice) -> Any:
        if self.engine is None and self.broken is None:
            try:
                import pyttsx3

                engine = pyttsx3.init(self.driver)
                engine.connect("error", self._on_engine_error)
                # An empty run first: until the driver's loop has run once, pyttsx3 defers
                # setProperty() into the next run, where it could not be synchronised (below).
                engine.runAndWait()
                self.engine = engine
            except Exception as exc:  # no espeak-ng library, no SAPI, missing pywin32 …
                self.broken = f"speech engine unavailable: {type(exc).__name__}: {exc}"
                log.warning("%s", self.broken)
        if self.engine is not None and self.applied != voice:
            self._apply(voice)
        return self.engine

    @staticmethod
    def _on_engine_error(name: str | None = None, exception: Exception | None = None) -> None:
        log.warning("speech engine error: %s", exception)

    def _apply(self, v: _Voice) -> None:
        self.engine.setProperty("rate", v.rate)
        voice_id = v.voice or self._voice_for(v.language)
        if voice_id:
            self.engine.setProperty("voice", voice_id)
        self.applied = v
        self._settle()

    def _settle(self) -> None:
        # pyttsx3 starts espeak-ng in retrieval mode, which is asynchronous: synthesis runs on
        # espeak-ng's own thread, a rate change waits in its command queue while a voice change
        # applies at once, and runAndWait() returns at the end-of-message event, before
        # espeak-ng is done. Without waiting here a new rate was lost in 38 of 45 tries.
        if self._driver_name() == "espeak":
            importlib.import_module("pyttsx3.drivers._espeak").Synchronize()

    def _all_voices(self) -> list[Any]:
        if self.voices is None:
            try:
                self.voices = list(self.engine.getProperty("voices") or [])
            except Exception as exc:
                log.warning("cannot list voices: %s", exc)
                self.voices = []
        return self.voices

    def installed_voices(self) -> list[VoiceInfo]:
        if self._engine(self.applied or _Voice()) is None:
            return []
        return [
            VoiceInfo(str(v.id), str(getattr(v, "name", "") or v.id), voice_languages(v))
            for v in self._all_voices()
        ]

    def _voice_for(self, language: str) -> str | None:
        found = pick_voice(self._all_voices(), language)
        if found is None:
            log.warning("no %s voice installed; using the default voice", language)
        return found

    def _driver_name(self) -> str:
        return str(getattr(self.engine, "driver_name", self.driver or ""))

    def _forget_save_file(self) -> None:
        # pyttsx3's espeak driver keeps the name of the last file it saved, and every later
        # say() would overwrite that file instead of playing.
        drv = getattr(getattr(self.engine, "proxy", None), "_driver", None)
        if drv is not None and hasattr(drv, "_save_file"):
            drv._save_file = None

    def _run_engine(self) -> None:
        try:
            self.engine.runAndWait()
        finally:
            self._settle()
            self._forget_save_file()

    # -- speaking -------------------------------------------------------------------------------
    def say(self, text: str, voice: _Voice) -> None:
        engine = self._engine(voice)
        if engine is None:
            return
        if (
            self._driver_name() == "espeak"
            and sys.platform.startswith("linux")
            and shutil.which("aplay") is None
        ):
            self._say_with_espeak_cli(text, voice)
            return
        engine.say(text)
        self._run_engine()

    def _say_with_espeak_cli(self, text: str, v: _Voice) -> None:
        # pyttsx3 plays espeak-ng's audio with `aplay`; without alsa-utils the program itself
        # speaks (through its own audio output: PulseAudio, PipeWire or ALSA).
        if self.espeak_cli is None:
            if not self.warned_playback:
                self.warned_playback = True
                log.warning("cannot play announcements: neither aplay nor espeak-ng is installed")
            return
        args = [self.espeak_cli, "-s", str(v.rate), "-v", v.voice or v.language, "--", text]
        try:
            proc = subprocess.run(args, capture_output=True, timeout=60, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            log.warning("espeak-ng failed: %s", exc)
            return
        err = proc.stderr.decode(errors="replace").strip()
        # It exits 0 even when it found no audio device; only stderr says so.
        if (proc.returncode != 0 or "error:" in err) and not self.warned_playback:
            self.warned_playback = True
            log.warning("espeak-ng could not speak: %s", err.splitlines()[-1] if err else "?")

    def save(self, job: _Save) -> None:
        if not job.future.set_running_or_notify_cancel():
            return
        job.path.parent.mkdir(parents=True, exist_ok=True)
        job.path.unlink(missing_ok=True)  # an old file must not pass for a new one
        engine = self._engine(job.voice)
        if engine is not None:
            engine.save_to_file(job.text, str(job.path))
            self._run_engine()
        if not _has_frames(job.path) and self._driver_name() in ("espeak", ""):
            # Fallback for files only: some pyttsx3 versions' espeak driver plays instead of
            # writing the file (and without a usable engine there is nothing to ask). espeak-ng
            # renders the WAV itself; announcements still always go through pyttsx3.
            self._save_with_espeak_cli(job)
        if _has_frames(job.path):
            job.future.set_result(job.path)
        else:
            job.future.set_exception(RuntimeError(f"no speech was written to {job.path}"))

    def _save_with_espeak_cli(self, job: _Save) -> None:
        if self.espeak_cli is None:
            return
        v = job.voice
        args = [self.espeak_cli, "-s", str(v.rate), "-v", v.voice or v.language]
        args += ["-w", str(job.path), "--", job.text]
        try:
            subprocess.run(args, capture_output=True, timeout=60, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            log.warning("espeak-ng failed: %s", exc)

    def shutdown(self) -> None:
        # Released on its own thread, once espeak-ng is idle: the driver's destructor unhooks
        # the library's synthesis callback.
        if self.engine is not None:
            self._settle()
        self.engine = None


def _has_frames(path: Path) -> bool:
    try:
        with wave.open(str(path), "rb") as w:
            return w.getnframes() > 0
    except (OSError, EOFError, wave.Error):
        return False
