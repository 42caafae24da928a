"""The reply editor under the feed: channel, subject (e-mail), text, templates, send.

Keyboard first: Ctrl+Enter sends (Enter starts a new line), every template has its hotkey
while the composer has the focus, and the templates button opens the list. The channels
offered are the ones the customer can be reached on (from the card's identities); the one
preselected is the channel the customer wrote on last. What is typed for a customer stays
with that customer when the operator switches to another one and back.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut, QTextCursor
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from omnidesk_qt import placeholders
from omnidesk_qt.canned import Canned, CannedIndex
from omnidesk_qt.session import Session
from omnidesk_qt.settings import Settings
from services.protocol import sms
from services.protocol.channels import CHANNELS, ReplyAddress, reply_addresses
from ui.attachments import AttachmentTray
from ui.canned_popup import CannedPopup
from ui.labels import channel_names

TEMPLATES_SETTING = "composer.templates"
# "/" at the start or after a space, then what to look for: the canned-response search.
_SLASH = re.compile(r"(?:^|\s)/([\w-]{0,32})$")


def reply_channels(identities: list[dict[str, Any]]) -> list[ReplyAddress]:
    """Every channel the customer can be written to, as the channel table says (a phone number
    reaches SMS and WhatsApp alike), in the order it offers them, a proved address before one
    the customer only stated."""
    return reply_addresses(identities)


def text_limit(channel: str | None) -> int:
    """The longest reply ``channel`` carries (0: nothing to write on)."""
    spec = CHANNELS.get(channel or "")
    return spec.text_limit if spec is not None else 0


def has_subject(channel: str | None) -> bool:
    """Whether a reply on ``channel`` is an e-mail, with a subject line."""
    spec = CHANNELS.get(channel or "")
    return spec is not None and spec.item_kind == "email"


def can_attach(channel: str | None) -> bool:
    """Whether a message on ``channel`` may carry files."""
    spec = CHANNELS.get(channel or "")
    return spec is not None and spec.attachments


class Composer(QWidget):
    sent = Signal(str, str)  # channel, text: a reply went to the session

    def __init__(self, session: Session, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Composer")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.session = session
        self.settings = settings
        self.card: dict[str, Any] = {}
        self.customer_id: int | None = None
        self.conversation_id: int | None = None
        self._drafts: dict[int, tuple[str, str, str | None]] = {}  # text, subject, channel
        self._chosen = False  # the operator picked the channel for this customer
        # Why replies cannot be written now ("" when they can): an offered conversation must be
        # accepted first, so that no reply reaches a customer another operator is about to take.
        self._locked = ""
        self._shortcuts: list[QShortcut] = []
        self._channel_names = channel_names()

        self.channel = QComboBox(self)
        self.channel.setObjectName("ReplyChannel")
        self.channel.setAccessibleName(self.tr("Reply channel"))
        self.channel.setToolTip(self.tr("The channel the reply goes out on"))
        # Wide enough for "E-mail — name@example.com"; the pop-up shows the full addresses.
        self.channel.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.channel.setMinimumContentsLength(26)
        self.channel.activated.connect(self._channel_picked)
        self.channel.currentIndexChanged.connect(self._channel_changed)
        self.subject = QLineEdit(self)
        self.subject.setObjectName("ReplySubject")
        self.subject.setAccessibleName(self.tr("E-mail subject"))
        self.subject.setPlaceholderText(self.tr("Subject"))
        self.subject.setMaxLength(300)
        self.subject.hide()
        self.templates = QToolButton(self)
        self.templates.setObjectName("ReplyTemplates")
        self.templates.setText(self.tr("Templates"))
        self.templates.setAccessibleName(self.tr("Reply templates"))
        self.templates.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.templates_menu = QMenu(self.tr("Templates"), self)
        self.templates.setMenu(self.templates_menu)
        # Outside a channel's window (WhatsApp: 24 hours after the customer's last message)
        # only an approved template may go out: this offers them.
        self.template_button = QPushButton(self.tr("Approved template…"), self)
        self.template_button.setObjectName("ApprovedTemplate")
        self.template_button.setAccessibleName(self.tr("Send an approved template"))
        self.template_button.clicked.connect(self.choose_approved_template)
        self.template_button.hide()
        self.send_button = QPushButton(self.tr("Send"), self)
        self.send_button.setObjectName("SendReply")
        self.send_button.setAccessibleName(self.tr("Send the reply"))
        self.send_button.setToolTip(self.tr("Send (Ctrl+Enter)"))
        self.send_button.clicked.connect(self.send)
        # Files for the reply (docs/protocol.md §8): uploaded at once, shown as chips.
        self.attach_button = QPushButton(self.tr("Attach…"), self)
        self.attach_button.setObjectName("AttachFile")
        self.attach_button.setAccessibleName(self.tr("Attach a file"))
        self.attach_button.setToolTip(self.tr("Attach files to the reply (Ctrl+Shift+U)"))
        self.attach_button.clicked.connect(self.choose_files)
        attach_key = QShortcut(QKeySequence("Ctrl+Shift+U"), self)
        attach_key.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        attach_key.activated.connect(self.choose_files)
        self.attachments = AttachmentTray(session, self)
        self.attachments.changed.connect(self._update_state)
        self.editor = QPlainTextEdit(self)
        self.editor.setObjectName("ReplyText")
        self.editor.setAccessibleName(self.tr("Reply"))
        self.editor.setPlaceholderText(
            self.tr("Write a reply… Ctrl+Enter sends, Enter starts a new line")
        )
        self.editor.setTabChangesFocus(True)
        self.editor.installEventFilter(self)
        self.editor.textChanged.connect(self._update_state)
        self.editor.textChanged.connect(self._slash_search)
        self.editor.cursorPositionChanged.connect(self._slash_search)
        self.hint = QLabel(self)
        self.hint.setObjectName("ReplyHint")
        self.hint.setProperty("role", "muted")
        self.hint.setAccessibleName(self.tr("Reply status"))

        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.channel)
        top.addWidget(self.subject, 1)
        top.addStretch(0)
        top.addWidget(self.templates)
        top.addWidget(self.template_button)
        top.addWidget(self.send_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.setSpacing(4)
        layout.addLayout(top)
        layout.addWidget(self.editor, 1)
        files = QHBoxLayout()
        files.setContentsMargins(0, 0, 0, 0)
        # Its own width, whether or not files are shown beside it.
        files.addWidget(self.attach_button, 0, Qt.AlignmentFlag.AlignLeft)
        files.addWidget(self.attachments, 1)
        layout.addLayout(files)
        layout.addWidget(self.hint)
        self.setFocusProxy(self.editor)
        self.setTabOrder(self.editor, self.send_button)

        self.canned_popup: CannedPopup | None = None  # made when "/" is first typed
        self._slash_at = -1  # where the "/" of the search is in the text
        self._load_templates()
        settings.changed.connect(self._setting_changed)
        session.timelineItem.connect(self._timeline_item)
        self._update_state()

    # -- what the window calls ------------------------------------------------------------------
    def set_customer(
        self, card: dict[str, Any], conversation_id: int | None, locked: str = ""
    ) -> None:
        """The customer (and conversation) replies go to. The same customer again keeps what
        is typed and the channel chosen; another one gets its own draft back. ``locked`` says
        why no reply may be written yet (the conversation is only offered)."""
        self._locked = locked
        customer = card.get("customer") or {}
        cid = int(customer.get("id") or 0) or None
        same = cid is not None and cid == self.customer_id
        if not same:
            self._save_draft()
            self.attachments.clear()  # a file belongs to the customer it was uploaded for
        self.card = card
        self.conversation_id = conversation_id
        current = self.current_channel() if same else None
        self.channel.blockSignals(True)
        self.channel.clear()
        for channel, address, claimed in reply_channels(list(card.get("identities") or [])):
            name = self._channel_names.get(channel, channel)
            shown = f"{name} — {address}" if address else name
            if claimed:
                shown += " " + self.tr("(claimed, not verified)")
            self.channel.addItem(shown, channel)
            if claimed:
                self.channel.setItemData(
                    self.channel.count() - 1,
                    self.tr("The customer typed this address; a reply may reach someone else"),
                    Qt.ItemDataRole.ToolTipRole,
                )
        self.channel.blockSignals(False)
        if same:
            self._select_channel(current)
        else:
            self.customer_id = cid
            text, subject, chosen = self._drafts.pop(cid, ("", "", None)) if cid else ("", "", None)
            self._chosen = chosen is not None
            self._select_channel(chosen or self.default_channel())
            self.editor.setPlainText(text)
            self.subject.setText(subject or self._default_subject())
        self._channel_changed()
        self._update_state()

    def current_channel(self) -> str | None:
        data = self.channel.currentData()
        return str(data) if data else None

    def default_channel(self) -> str | None:
        """The channel the customer wrote on last, if a reply can go there; else the
        conversation's channel; else the first one offered."""
        offered = [self.channel.itemData(i) for i in range(self.channel.count())]
        for item in (self.card.get("timeline") or {}).get("items") or []:  # newest first
            if item.get("direction") == "in" and item.get("channel") in offered:
                return str(item["channel"])
        for conv in self.card.get("open_conversations") or []:
            if conv.get("id") == self.conversation_id and conv.get("channel") in offered:
                return str(conv["channel"])
        return str(offered[0]) if offered else None

    def send(self) -> bool:
        """Send what is typed; nothing happens when it is empty. True when it went."""
        text = self.editor.toPlainText().strip()
        channel = self.current_channel()
        files = self.attachments.ready_ids() if can_attach(channel) else []
        if self.attachments.busy() or (self.attachments.count() and not can_attach(channel)):
            return False
        if not (text or files) or self.customer_id is None or channel is None or self._locked:
            return False
        if self.window_closed(channel):
            self._update_state()
            return False
        if placeholders.unresolved(text):
            self._update_state()
            return False
        if self._too_long(text, channel):
            self._show_too_long(channel)
            return False
        subject = self.subject.text().strip() if has_subject(channel) else ""
        extra: dict[str, Any] = {"attachments": files} if files else {}
        self.session.send_message(
            self.customer_id, channel, text, self.conversation_id, subject, **extra
        )
        self.editor.clear()
        self.attachments.clear()
        self.sent.emit(channel, text)
        return True

    def window_closed(self, channel: str | None) -> bool:
        """Whether free text cannot go out on ``channel`` now (its window is closed)."""
        window = (self.card.get("windows") or {}).get(channel or "")
        if not window:
            return False
        until = window.get("open_until")
        if not until:
            return True
        try:
            return datetime.fromisoformat(str(until)) <= datetime.now(UTC)
        except ValueError:
            return True

    def approved_templates(self, channel: str | None) -> list[str]:
        window = (self.card.get("windows") or {}).get(channel or "") or {}
        return [str(t) for t in window.get("templates") or []]

    def choose_approved_template(self) -> None:
        """Approved template… : pick one and fill its parameters; it goes out at once."""
        from ui.approved_template import ApprovedTemplateDialog

        channel = self.current_channel()
        names = self.approved_templates(channel)
        if not names or self.customer_id is None or channel is None or self._locked:
            return
        dialog = ApprovedTemplateDialog(names, self)
        customer_id, conversation_id = self.customer_id, self.conversation_id

        def send() -> None:
            name, parameters = dialog.values()
            text = dialog.preview()
            self.session.send_message(
                customer_id,
                channel,
                text,
                conversation_id,
                template={"name": name, "parameters": parameters},
            )
            self.sent.emit(channel, text)

        dialog.accepted.connect(send)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.open()
        self.template_dialog = dialog

    def choose_files(self) -> None:
        """Pick files for the reply (Attach…, Ctrl+Shift+U) and start uploading them."""
        if not self.attach_button.isEnabled():
            self._refuse_files()
            return
        paths, _filter = QFileDialog.getOpenFileNames(self, self.tr("Attach files"))
        self.attach_files([Path(p) for p in paths])

    def attach_files(self, paths: list[Path]) -> None:
        """Attach files as if picked in the dialog (refused on a channel without files)."""
        if self.customer_id is None or self._locked or not can_attach(self.current_channel()):
            self._refuse_files()
            return
        for path in paths:
            self.attachments.add(self.customer_id, path)

    def type_reply(self, text: str) -> None:
        """Reply as if typed and sent with Ctrl+Enter (automation)."""
        self.editor.setPlainText(text)
        self.send()

    def insert_text(self, text: str) -> None:
        """Put text in at the cursor (a suggestion, a template) and give the editor the focus."""
        self.editor.insertPlainText(text)
        self.editor.setFocus(Qt.FocusReason.OtherFocusReason)

    def insert_template(self, text: str) -> None:
        """The template with what the card knows filled in; what it does not know stays in
        braces, named under the editor and selected, and the reply cannot go until it is
        replaced."""
        self.insert_text(placeholders.fill(text, self.template_values()))
        self._select_first_placeholder()

    def template_values(self) -> dict[str, str]:
        operator = getattr(self.session, "operator", None) or {}
        return placeholders.values_for(self.card, operator)

    def _select_first_placeholder(self) -> None:
        text = self.editor.toPlainText()
        found = placeholders.PLACEHOLDER.search(text)
        if found is None:
            return
        cursor = self.editor.textCursor()
        cursor.setPosition(found.start())
        cursor.setPosition(found.end(), QTextCursor.MoveMode.KeepAnchor)
        self.editor.setTextCursor(cursor)

    # -- templates ------------------------------------------------------------------------------
    def _load_templates(self) -> None:
        for shortcut in self._shortcuts:
            shortcut.setEnabled(False)
            shortcut.deleteLater()
        self._shortcuts = []
        self.templates_menu.clear()
        templates = self.settings.value(TEMPLATES_SETTING) or []
        for template in templates:
            name = str(template.get("name") or "")
            text = str(template.get("text") or "")
            hotkey = str(template.get("hotkey") or "")
            if not name or not text:
                continue
            seq = QKeySequence.fromString(hotkey, QKeySequence.SequenceFormat.PortableText)
            label = name
            if hotkey and not seq.isEmpty():
                # The hotkey is shown in the menu; the shortcut itself is the composer's (one
                # owner, so it is never ambiguous).
                label = f"{name}\t{seq.toString(QKeySequence.SequenceFormat.NativeText)}"
                shortcut = QShortcut(seq, self)
                shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
                shortcut.activated.connect(lambda t=text: self.insert_template(t))
                self._shortcuts.append(shortcut)
            action = self.templates_menu.addAction(label)
            action.triggered.connect(lambda _checked=False, t=text: self.insert_template(t))
        self._update_state()

    def _setting_changed(self, name: str, _value: object) -> None:
        if name == TEMPLATES_SETTING:
            self._load_templates()

    # -- keyboard -------------------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.editor
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and self._canned_keys(event)
        ):
            return True
        if (
            watched is self.editor
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and event.modifiers() & Qt.KeyboardModifier.ControlModifier
        ):
            self.send()
            return True
        return super().eventFilter(watched, event)

    # -- canned responses: "/" in the editor ------------------------------------------------------
    def canned_index(self) -> CannedIndex | None:
        index = getattr(self.session, "canned", None)
        return index if isinstance(index, CannedIndex) else None

    def _slash_search(self) -> None:
        """Typing "/" and a few letters lists the matching canned responses above the editor."""
        index = self.canned_index()
        cursor = self.editor.textCursor()
        before = self.editor.toPlainText()[: cursor.position()]
        found = _SLASH.search(before) if index is not None and len(index) else None
        if found is None or cursor.hasSelection() or not self.editor.isEnabled():
            self._close_canned()
            return
        assert index is not None
        self._slash_at = found.start(1) - 1
        query = found.group(1)
        customer = self.card.get("customer") or {}
        language = str(customer.get("language") or "")
        matches = index.search(query, language, self._queue_id())
        if self.canned_popup is None:
            self.canned_popup = CannedPopup(self.window())
            self.canned_popup.chosen.connect(self.insert_canned)
        self.canned_popup.show_matches(matches, query, self.editor)

    def _queue_id(self) -> int | None:
        for conv in self.card.get("open_conversations") or []:
            if conv.get("id") == self.conversation_id:
                return int(conv["queue_id"]) if conv.get("queue_id") else None
        return None

    def _close_canned(self) -> None:
        self._slash_at = -1
        if self.canned_popup is not None and self.canned_popup.isVisible():
            self.canned_popup.hide()

    def _canned_keys(self, event: QKeyEvent) -> bool:
        popup = self.canned_popup
        if popup is None or not popup.isVisible():
            return False
        key = event.key()
        if key in (Qt.Key.Key_Up, Qt.Key.Key_Down):
            popup.move_selection(-1 if key == Qt.Key.Key_Up else 1)
            return True
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Tab) and not (
            event.modifiers() & Qt.KeyboardModifier.ControlModifier
        ):
            chosen = popup.current()
            if chosen is None:
                return key != Qt.Key.Key_Tab
            self.insert_canned(chosen)
            return True
        if key == Qt.Key.Key_Escape:
            self._close_canned()
            return True
        return False

    def insert_canned(self, response: Canned) -> None:
        """The "/search" typed is replaced by the response, variables filled from the card; an
        unfilled one is selected for the operator to type over."""
        at = self._slash_at
        cursor = self.editor.textCursor()
        end = cursor.position()
        self._close_canned()
        if 0 <= at < end:
            cursor.setPosition(at)
            cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
            self.editor.setTextCursor(cursor)
        self.editor.insertPlainText(placeholders.fill(response.text, self.template_values()))
        self._select_first_placeholder()
        self.editor.setFocus(Qt.FocusReason.OtherFocusReason)

    # -- the rest -------------------------------------------------------------------------------
    def _select_channel(self, channel: str | None) -> None:
        i = self.channel.findData(channel) if channel else -1
        self.channel.setCurrentIndex(i if i >= 0 else (0 if self.channel.count() else -1))

    def _channel_picked(self, _index: int) -> None:
        self._chosen = True

    def _channel_changed(self, _index: int = -1) -> None:
        self.subject.setVisible(has_subject(self.current_channel()))
        self._update_state()

    def _timeline_item(self, item: dict[str, Any]) -> None:
        # The customer wrote on another channel: follow, unless the operator chose one or
        # is in the middle of a reply.
        if (
            self.customer_id is not None
            and item.get("customer_id") == self.customer_id
            and item.get("direction") == "in"
            and not self._chosen
            and not self.editor.toPlainText().strip()
            and self.channel.findData(item.get("channel")) >= 0
        ):
            self._select_channel(str(item["channel"]))
            self._channel_changed()

    def _default_subject(self) -> str:
        for item in (self.card.get("timeline") or {}).get("items") or []:  # newest first
            if item.get("kind") == "email" and item.get("subject"):
                subject = str(item["subject"])
                return subject if subject.lower().startswith("re:") else f"Re: {subject}"
        return ""

    def _save_draft(self) -> None:
        if self.customer_id is None:
            return
        text = self.editor.toPlainText()
        if text.strip() or self._chosen:
            chosen = self.current_channel() if self._chosen else None
            self._drafts[self.customer_id] = (text, self.subject.text(), chosen)
        else:
            self._drafts.pop(self.customer_id, None)

    def _too_long(self, text: str, channel: str | None) -> bool:
        return len(text) > text_limit(channel)

    def _show_too_long(self, channel: str | None) -> None:
        name = self._channel_names.get(channel or "", channel or "")
        self.hint.setText(
            self.tr("The reply is too long for %1: at most %2 characters.")
            .replace("%1", name)
            .replace("%2", str(text_limit(channel)))
        )

    def _sms_length(self, text: str) -> str:
        """How many SMS the text goes as, and what is left in the last one (Cyrillic or an
        emoji makes every part shorter: 70 characters instead of 160)."""
        length = sms.segments(text)
        said = self.tr("SMS parts: %1").replace("%1", str(length.segments))
        said += " · " + self.tr("%1 characters left in this one").replace(
            "%1", str(length.left_in_segment)
        )
        if length.encoding == "UCS-2":
            said += " · " + self.tr("Cyrillic or emoji: %1 per part").replace(
                "%1", str(length.per_segment)
            )
        return said

    def _refuse_files(self) -> None:
        self._update_state()
        if self.customer_id is not None and not self._locked and self.channel.count():
            self.hint.setText(self._no_files_text())
            self.hint.setProperty("role", "warning")
            self.hint.style().unpolish(self.hint)
            self.hint.style().polish(self.hint)

    def _no_files_text(self) -> str:
        name = self._channel_names.get(self.current_channel() or "", self.current_channel() or "")
        return self.tr("%1 cannot carry files.").replace("%1", name)

    def _update_state(self) -> None:
        has_customer = self.customer_id is not None
        writable = has_customer and not self._locked
        reachable = self.channel.count() > 0
        text = self.editor.toPlainText().strip()
        missing = placeholders.unresolved(text)
        self.channel.setEnabled(writable and reachable)
        self.editor.setEnabled(writable)
        self.templates.setEnabled(writable and bool(self.templates_menu.actions()))
        files_ok = can_attach(self.current_channel())
        self.attach_button.setEnabled(writable and reachable and files_ok)
        self.attach_button.setToolTip(
            self.tr("Attach files to the reply (Ctrl+Shift+U)")
            if files_ok or not reachable
            else self._no_files_text()
        )
        files = bool(self.attachments.ready_ids()) and files_ok
        waiting = self.attachments.busy() or (self.attachments.count() > 0 and not files_ok)
        channel = self.current_channel()
        closed = self.window_closed(channel)
        self.template_button.setVisible(closed)
        self.template_button.setEnabled(
            writable and reachable and bool(self.approved_templates(channel))
        )
        self.send_button.setEnabled(
            writable
            and reachable
            and (bool(text) or files)
            and not missing
            and not waiting
            and not closed
        )
        warn = False
        if not has_customer:
            self.hint.setText(self.tr("Open a conversation to reply."))
        elif self._locked:
            self.hint.setText(self._locked)
            warn = True
        elif not reachable:
            self.hint.setText(self.tr("This customer has no channel a reply can go to."))
        elif missing:
            self.hint.setText(
                self.tr("Replace %1 before sending: the customer would see it as it is.").replace(
                    "%1", ", ".join(missing)
                )
            )
            warn = True
        elif self.attachments.count() and not files_ok:
            self.hint.setText(self._no_files_text())
            warn = True
        elif self.attachments.busy():
            self.hint.setText(self.tr("Sending waits until the files are uploaded."))
        elif closed:
            name = self._channel_names.get(channel or "", channel or "")
            self.hint.setText(
                self.tr(
                    "More than 24 hours since the customer last wrote on %1: only an approved "
                    "template may go out (Approved template…)."
                ).replace("%1", name)
            )
            warn = True
        elif self._too_long(text, channel):
            self._show_too_long(channel)  # e.g. a long e-mail switched to SMS
            warn = True
        elif channel == "sms" and text:
            self.hint.setText(self._sms_length(text))
        else:
            self.hint.setText(self.tr("Ctrl+Enter sends · Enter starts a new line"))
        self.editor.setPlaceholderText(
            self._locked or self.tr("Write a reply… Ctrl+Enter sends, Enter starts a new line")
        )
        role = "warning" if warn else "muted"
        if self.hint.property("role") != role:
            self.hint.setProperty("role", role)
            self.hint.style().unpolish(self.hint)
            self.hint.style().polish(self.hint)
