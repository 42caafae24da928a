"""The chime for a new offer, played without blocking the UI thread.

The sound is a short two-tone WAV the app writes once into its data folder. It is played by the
OS's own player in a child process (``aplay``/``paplay`` on Linux, ``afplay`` on macOS) or by
``winsound`` asynchronously on Windows; where none is available, the window system's beep. Qt
Multimedia is not used: it brings an FFmpeg stack and device probing (and its warnings) to every
start for a half-second sound.
"""

from __future__ import annotations

import logging
import math
import shutil
import struct
import sys
import threading
import wave
from pathlib import Path

from PySide6.QtCore import QObject, QProcess, Signal
from PySide6.QtWidgets import QApplication

from omnidesk_qt import paths
from omnidesk_qt.settings import Settings

log = logging.getLogger(__name__)

RATE = 22050
TONES = ((880.0, 0.14), (1318.5, 0.22))  # A5 then E6: rising, short, not alarming
CHIME_NAME = "offer-chime.wav"


def write_chime(path: Path) -> Path:
    """A 16-bit mono WAV of the two tones, each with a soft attack and decay (no clicks)."""
    frames = bytearray()
    for freq, seconds in TONES:
        n = int(RATE * seconds)
        fade = int(RATE * 0.01)
        for i in range(n):
            envelope = min(1.0, i / fade, (n - i) / fade) * math.exp(-2.5 * i / n)
            frames += struct.pack(
                "<h", int(12000 * envelope * math.sin(2 * math.pi * freq * i / RATE))
            )
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with wave.open(str(tmp), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(bytes(frames))
    tmp.replace(path)
    return path


def default_player() -> list[str] | None:
    """The command that plays a WAV file given as its last argument, or None."""
    if sys.platform == "win32":
        return None  # winsound, in process and asynchronous
    for candidate in (["paplay"], ["aplay", "-q"], ["afplay"]):
        if shutil.which(candidate[0]):
            return candidate
    return None


class OfferSound(QObject):
    """``play()`` returns at once. ``played`` says how the sound went out ("winsound", the
    player's name, or "beep"); ``finished`` gives a player process's exit code."""

    played = Signal(str)
    finished = Signal(int)

    def __init__(
        self,
        settings: Settings,
        parent: QObject | None = None,
        *,
        player: list[str] | None = None,
        chime: Path | None = None,
    ) -> None:
        super().__init__(parent)
        self.settings = settings
        self.player = player if player is not None else default_player()
        self.chime = chime if chime is not None else paths.data_dir() / CHIME_NAME
        # One player process, started again for each chime.
        self._process = QProcess(self)
        self._process.setProcessChannelMode(QProcess.ProcessChannelMode.MergedChannels)
        self._process.finished.connect(self._done)
        self._process.errorOccurred.connect(self._error)
        # The WAV is computed and written off the UI thread, once, before the first offer.
        self._ready = threading.Event()
        threading.Thread(target=self._prepare, name="omnidesk-chime", daemon=True).start()

    def ready(self) -> bool:
        """The chime file is in place (until then an offer gets the beep)."""
        return self._ready.is_set()

    def _prepare(self) -> None:
        try:
            if not self.chime.is_file():
                write_chime(self.chime)
        except OSError as exc:
            log.warning("cannot write the offer chime %s: %s", self.chime, exc)
            return
        self._ready.set()

    def play(self) -> bool:
        """Play the chime if the setting is on; False when it is off or one is still playing."""
        if not self.settings.value("notifications.sound"):
            return False
        if self._process.state() != QProcess.ProcessState.NotRunning:
            return False  # offers in a burst: one chime is enough
        if not self._ready.is_set():
            return self._beep()
        if sys.platform == "win32" and not self.player:
            import winsound

            winsound.PlaySound(str(self.chime), winsound.SND_FILENAME | winsound.SND_ASYNC)
            self.played.emit("winsound")
            return True
        if not self.player:
            return self._beep()
        self._process.start(self.player[0], [*self.player[1:], str(self.chime)])
        self.played.emit(Path(self.player[0]).name)
        return True

    def _done(self, code: int, _status: QProcess.ExitStatus) -> None:
        if code != 0:  # no sound card, no sound server: not worth more than a log line
            output = bytes(self._process.readAll().data()).decode(errors="replace").strip()
            log.info("the offer chime did not play (%s): %s", code, output)
        self.finished.emit(code)

    def _error(self, error: QProcess.ProcessError) -> None:
        if error == QProcess.ProcessError.FailedToStart:
            log.warning("cannot start %s for the offer chime", self.player)
            self.finished.emit(-1)

    def _beep(self) -> bool:
        QApplication.beep()
        self.played.emit("beep")
        return True
