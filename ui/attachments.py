"""The files attached to the reply being written: one removable chip per file under the
editor, uploading → ready, or failed with the reason. The upload runs in the session
(omnidesk_qt.uploads) the moment a file is picked; Send takes the ids of the ready ones."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QLocale, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QToolButton, QWidget

from omnidesk_qt.session import Session
from omnidesk_qt.uploads import MAX_BYTES, PER_MESSAGE, check_file

UPLOADING, READY, FAILED = "uploading", "ready", "failed"


class AttachmentChip(QFrame):
    removed = Signal(object)  # the chip

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("AttachmentChip")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.name = name
        self.state = UPLOADING
        self.ref = ""
        self.attachment: dict[str, Any] = {}
        self.reason = ""
        self.label = QLabel(self)
        self.label.setObjectName("AttachmentChipText")
        self.remove = QToolButton(self)
        self.remove.setObjectName("AttachmentChipRemove")
        self.remove.setText("×")
        self.remove.setAccessibleName(self.tr("Remove %1").replace("%1", name))
        self.remove.setToolTip(self.tr("Remove the file from the reply"))
        self.remove.clicked.connect(lambda: self.removed.emit(self))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 1, 2, 1)
        layout.setSpacing(2)
        layout.addWidget(self.label)
        layout.addWidget(self.remove)

    def show_state(self, state: str, text: str) -> None:
        self.state = state
        self.label.setText(text)
        self.setProperty("state", state)
        self.setAccessibleName(text)
        self.style().unpolish(self)
        self.style().polish(self)


class AttachmentTray(QWidget):
    """The chips of one reply; hidden while there are none."""

    changed = Signal()  # a file was added, became ready, failed or was removed

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("AttachmentTray")
        self.session = session
        self.chips: list[AttachmentChip] = []
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(4)
        self._layout.addStretch(1)
        self._locale = QLocale()
        files = getattr(session, "files", None)  # a stand-in session may have none
        if files is not None:
            files.uploadProgress.connect(self._progress)
            files.uploadDone.connect(self._done)
            files.uploadFailed.connect(self._failed)
        self.hide()

    # -- what the composer calls ----------------------------------------------------------------
    def add(self, customer_id: int, path: Path) -> AttachmentChip:
        """Check the file as the gateway would and upload it; a chip either way."""
        path = Path(path)
        chip = AttachmentChip(path.name, self)
        chip.removed.connect(self._remove)
        self.chips.append(chip)
        self._layout.insertWidget(len(self.chips) - 1, chip)
        code, _size = check_file(path, self.count())
        if code:
            self._fail(chip, code, "")
        else:
            chip.show_state(UPLOADING, self.tr("%1 — uploading…").replace("%1", chip.name))
            chip.ref = self.session.upload(customer_id, path)
        self.setVisible(True)
        self.changed.emit()
        return chip

    def count(self) -> int:
        """Files that will go or are on their way (the failed ones do not count)."""
        return sum(1 for c in self.chips if c.state != FAILED)

    def ready_ids(self) -> list[int]:
        return [int(c.attachment["id"]) for c in self.chips if c.state == READY]

    def busy(self) -> bool:
        return any(c.state == UPLOADING for c in self.chips)

    def clear(self) -> None:
        for chip in list(self.chips):
            self._remove(chip)

    # -- the rest -------------------------------------------------------------------------------
    def _chip(self, ref: str) -> AttachmentChip | None:
        return next((c for c in self.chips if c.ref == ref), None)

    def _progress(self, ref: str, sent: int, size: int) -> None:
        chip = self._chip(ref)
        if chip is not None and chip.state == UPLOADING and size > 0:
            pct = min(100, sent * 100 // size)
            chip.show_state(
                UPLOADING,
                self.tr("%1 — uploading %2%").replace("%1", chip.name).replace("%2", str(pct)),
            )

    def _done(self, ref: str, attachment: dict[str, Any]) -> None:
        chip = self._chip(ref)
        if chip is None:
            return
        chip.attachment = attachment
        size = self._locale.formattedDataSize(int(attachment.get("size") or 0))
        name = str(attachment.get("name") or chip.name)
        chip.show_state(READY, f"{name} ({size})")
        self.changed.emit()

    def _failed(self, ref: str, code: str, message: str) -> None:
        chip = self._chip(ref)
        if chip is not None:
            self._fail(chip, code, message)
            self.changed.emit()

    def _fail(self, chip: AttachmentChip, code: str, message: str) -> None:
        chip.reason = code
        reasons = {
            "file_too_large": self.tr("too large: at most %1").replace(
                "%1", self._locale.formattedDataSize(MAX_BYTES)
            ),
            "file_type_not_allowed": self.tr("this kind of file is not accepted"),
            "too_many_files": self.tr("at most %1 files per message").replace(
                "%1", str(PER_MESSAGE)
            ),
            "invalid_args": self.tr("the file is empty"),
            "io_error": self.tr("the file cannot be read"),
            "offline": self.tr("the gateway is not reachable"),
            "rate_limited": self.tr("too many files at once, try again shortly"),
            "forbidden": self.tr("not allowed for this customer"),
        }
        why = reasons.get(code) or message or code
        chip.show_state(
            FAILED, self.tr("%1 — not attached: %2").replace("%1", chip.name).replace("%2", why)
        )
        chip.setToolTip(message or why)

    def _remove(self, chip: AttachmentChip) -> None:
        if chip in self.chips:
            self.chips.remove(chip)
            self._layout.removeWidget(chip)
            chip.hide()
            chip.deleteLater()
        self.setVisible(bool(self.chips))
        self.changed.emit()
