"""The conversation's tags and its snooze, chosen in small dialogs (protocol §4.3).

Like ui.dialogs, they only collect the choice (``values()``); the window opens them without a
nested event loop and sends the commands. Tags are checked here as the gateway checks them
(services.protocol.triage): trimmed, lower case, 1-32 characters without spaces or commas, at
most 20 on a conversation.

Tags: the current ones in a list (Delete removes the selected one), a line with completion from
the tags the desk knows (Enter adds what it holds; on an empty line Enter finishes). Snooze:
until the customer replies, for an hour, until tomorrow 9:00, or until a chosen time within 30
days; whichever it is, the customer's next message wakes it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from PySide6.QtCore import QCoreApplication, QDate, QDateTime, Qt, QTime
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QCompleter,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from services.protocol.triage import MAX_SNOOZE_DAYS, MAX_TAG, MAX_TAGS, normalise_tag

SNOOZE_REPLY = "reply"
SNOOZE_HOUR = "hour"
SNOOZE_TOMORROW = "tomorrow"
SNOOZE_AT = "at"
SNOOZE_CHOICES = (SNOOZE_REPLY, SNOOZE_HOUR, SNOOZE_TOMORROW, SNOOZE_AT)


def _ctrl_enter_accepts(dialog: QDialog) -> None:
    for keys in ("Ctrl+Return", "Ctrl+Enter"):
        sc = QShortcut(QKeySequence(keys), dialog)
        sc.setContext(Qt.ShortcutContext.WindowShortcut)
        sc.activated.connect(dialog.accept)


def _buttons(dialog: QDialog, ok_text: str) -> QDialogButtonBox:
    box = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, dialog
    )
    ok = box.button(QDialogButtonBox.StandardButton.Ok)
    ok.setText(ok_text)
    ok.setAccessibleName(ok_text.replace("&", ""))
    cancel = box.button(QDialogButtonBox.StandardButton.Cancel)
    cancel_text = QCoreApplication.translate("Dialogs", "Cancel")
    cancel.setText(cancel_text)
    cancel.setAccessibleName(cancel_text)
    box.accepted.connect(dialog.accept)
    box.rejected.connect(dialog.reject)
    return box


class TagList(QListWidget):
    """The conversation's tags; Delete (or Backspace) removes the selected one."""

    def __init__(self, on_delete: Callable[[], None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._on_delete = on_delete

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and self.currentItem():
            self._on_delete()
            event.accept()
            return
        super().keyPressEvent(event)


class TagsDialog(QDialog):
    def __init__(
        self,
        tags: list[str],
        known: list[str],
        parent: QWidget | None = None,
        *,
        customer_name: str = "",
    ) -> None:
        super().__init__(parent)
        self.setObjectName("TagsDialog")
        title = self.tr("Tags")
        if customer_name:
            title = self.tr("Tags: %1").replace("%1", customer_name)
        self.setWindowTitle(title)
        self.setAccessibleName(self.tr("Tags of the conversation"))
        self._original = list(tags)
        self.list = TagList(self.remove_selected, self)
        self.list.setObjectName("TagList")
        self.list.setAccessibleName(self.tr("Tags of the conversation"))
        self.list.setToolTip(self.tr("Delete removes the selected tag"))
        for tag in tags:
            self._add_item(tag)
        self.edit = QLineEdit(self)
        self.edit.setObjectName("TagEdit")
        self.edit.setAccessibleName(self.tr("New tag"))
        self.edit.setPlaceholderText(self.tr("Type a tag and press Enter"))
        self.edit.setMaxLength(MAX_TAG + 8)  # room for spaces that are trimmed
        completer = QCompleter(sorted(set(known)), self.edit)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchStartsWith)
        self.edit.setCompleter(completer)
        self.edit.returnPressed.connect(self._enter)
        self.add_button = QPushButton(self.tr("&Add"), self)
        self.add_button.setAccessibleName(self.tr("Add the tag"))
        self.add_button.setAutoDefault(False)
        self.add_button.clicked.connect(self.add_typed)
        self.remove_button = QPushButton(self.tr("&Remove"), self)
        self.remove_button.setAccessibleName(self.tr("Remove the selected tag"))
        self.remove_button.setAutoDefault(False)
        self.remove_button.clicked.connect(self.remove_selected)
        self.problem = QLabel(self)
        self.problem.setObjectName("TagProblem")
        self.problem.setAccessibleName(self.tr("Problem with the tag"))
        self.problem.setWordWrap(True)
        self.problem.hide()
        label = QLabel(self.tr("&New tag:"), self)
        label.setBuddy(self.edit)
        row = QHBoxLayout()
        row.addWidget(label)
        row.addWidget(self.edit, 1)
        row.addWidget(self.add_button)
        box = _buttons(self, self.tr("&Save"))
        lay = QVBoxLayout(self)
        lay.addWidget(self.list, 1)
        lay.addWidget(self.remove_button, 0, Qt.AlignmentFlag.AlignLeft)
        lay.addLayout(row)
        lay.addWidget(self.problem)
        lay.addWidget(box)
        _ctrl_enter_accepts(self)
        self.edit.setFocus()

    def tags(self) -> list[str]:
        return [
            str(self.list.item(i).data(Qt.ItemDataRole.UserRole)) for i in range(self.list.count())
        ]

    def values(self) -> tuple[list[str], list[str]]:
        """(added, removed) against the tags the dialog opened with."""
        now = self.tags()
        added = [t for t in now if t not in self._original]
        removed = [t for t in self._original if t not in now]
        return added, removed

    def add_typed(self) -> bool:
        """The typed tag, checked as the gateway does; False (and why, shown) if refused."""
        raw = self.edit.text()
        tag = normalise_tag(raw)
        if tag is None:
            self._say(
                self.tr("A tag is 1 to %1 characters, without spaces or commas.").replace(
                    "%1", str(MAX_TAG)
                )
            )
            return False
        if tag in self.tags():
            self.edit.clear()
            self._say("")
            return True
        if len(self.tags()) >= MAX_TAGS:
            self._say(self.tr("A conversation has at most %1 tags.").replace("%1", str(MAX_TAGS)))
            return False
        self._add_item(tag)
        self.edit.clear()
        self._say("")
        return True

    def remove_selected(self) -> None:
        row = self.list.currentRow()
        if row >= 0:
            self.list.takeItem(row)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Enter is the line's (it adds the tag, or saves on an empty line): never the default
        # button's too, which the button box makes Save when the dialog shows.
        plain = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not plain:
            event.accept()
            return
        super().keyPressEvent(event)

    def _enter(self) -> None:
        if self.edit.text().strip():
            self.add_typed()
        else:
            self.accept()

    def _add_item(self, tag: str) -> None:
        item = QListWidgetItem(f"#{tag}")
        item.setData(Qt.ItemDataRole.UserRole, tag)
        self.list.addItem(item)

    def _say(self, text: str) -> None:
        self.problem.setText(text)
        self.problem.setVisible(bool(text))


class SnoozeDialog(QDialog):
    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        customer_name: str = "",
        now: Callable[[], datetime] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("SnoozeDialog")
        self._now = now or (lambda: datetime.now().astimezone())
        title = self.tr("Snooze")
        if customer_name:
            title = self.tr("Snooze: %1").replace("%1", customer_name)
        self.setWindowTitle(title)
        self.setAccessibleName(self.tr("Snooze the conversation"))
        intro = QLabel(
            self.tr("Set the conversation aside. The customer's next message wakes it."), self
        )
        intro.setWordWrap(True)
        self.group = QButtonGroup(self)
        texts = {
            SNOOZE_REPLY: self.tr("Until the customer &replies"),
            SNOOZE_HOUR: self.tr("For one &hour"),
            SNOOZE_TOMORROW: self.tr("Until &tomorrow 9:00"),
            SNOOZE_AT: self.tr("Until &a time:"),
        }
        self.choices: dict[str, QRadioButton] = {}
        lay = QVBoxLayout(self)
        lay.addWidget(intro)
        for choice in SNOOZE_CHOICES:
            button = QRadioButton(texts[choice], self)
            button.setAccessibleName(texts[choice].replace("&", "").rstrip(":"))
            self.group.addButton(button)
            self.choices[choice] = button
            lay.addWidget(button)
        self.when = QDateTimeEdit(self)
        self.when.setObjectName("SnoozeUntil")
        self.when.setAccessibleName(self.tr("Snooze until"))
        self.when.setCalendarPopup(True)
        self.when.setDisplayFormat("dd.MM.yyyy HH:mm")
        start = self._now()
        self.when.setMinimumDateTime(_qt(start + timedelta(minutes=1)))
        self.when.setMaximumDateTime(_qt(start + timedelta(days=MAX_SNOOZE_DAYS, minutes=-1)))
        self.when.setDateTime(_qt(start + timedelta(hours=3)))
        self.when.setEnabled(False)
        self.choices[SNOOZE_AT].toggled.connect(self.when.setEnabled)
        self.when.dateTimeChanged.connect(lambda _t: self.choices[SNOOZE_AT].setChecked(True))
        lay.addWidget(self.when)
        self.choices[SNOOZE_REPLY].setChecked(True)
        lay.addWidget(_buttons(self, self.tr("&Snooze")))
        _ctrl_enter_accepts(self)
        self.choices[SNOOZE_REPLY].setFocus()

    def choice(self) -> str:
        for name, button in self.choices.items():
            if button.isChecked():
                return name
        return SNOOZE_REPLY

    def choose(self, choice: str) -> None:
        self.choices[choice].setChecked(True)

    def values(self) -> tuple[str | None, bool]:
        """(until: ISO 8601 with its offset or None, until_reply)."""
        now = self._now()
        choice = self.choice()
        if choice == SNOOZE_REPLY:
            return None, True
        if choice == SNOOZE_HOUR:
            until = now + timedelta(hours=1)
        elif choice == SNOOZE_TOMORROW:
            until = (now + timedelta(days=1)).replace(hour=9, minute=0, second=0, microsecond=0)
        else:
            chosen = self.when.dateTime().toPython()
            assert isinstance(chosen, datetime)
            until = chosen if chosen.tzinfo is not None else chosen.astimezone()
        return until.isoformat(timespec="seconds"), False


def _qt(moment: datetime) -> QDateTime:
    local = moment.astimezone()
    return QDateTime(QDate(local.year, local.month, local.day), QTime(local.hour, local.minute))
