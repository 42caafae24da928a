"""The operator's main window.

Left: my conversations and the queue. Centre: the customer's unified feed and the composer.
Right: the customer card above the next-best-action hints. On top: presence, connection state
and customer search, with the call bar under them while a call is offered or running.

Presentation only: every action is an intent on the session, every change arrives as a session
signal. Nothing here waits for the network or the disk; dialogs open without a nested event loop.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from PySide6.QtCore import QEvent, QObject, QPoint, QSize, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QCloseEvent,
    QDesktopServices,
    QKeyEvent,
    QKeySequence,
)
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMenu,
    QMessageBox,
    QPlainTextEdit,
    QSizePolicy,
    QSplitter,
    QSystemTrayIcon,
    QTextEdit,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from omnidesk_qt.settings import SettingError
from services.protocol.channels import reply_addresses
from services.protocol.triage import PRIORITIES
from ui import labels
from ui.call_bar import CallBar
from ui.canned_manager import CannedManagerDialog
from ui.conversation_list import ConversationList
from ui.conversation_model import (
    ConversationModel,
    format_duration,
    is_snoozed,
    parse_time,
    priority_of,
    tags_of,
)
from ui.customer_card import CustomerCard
from ui.dialogs import NoteDialog, ShortcutsDialog, TransferDialog, WrapUpDialog
from ui.hints_panel import HintsPanel
from ui.icons import APP, badged, icon
from ui.settings_dialog import SettingsDialog, VoicesSource
from ui.triage_dialogs import SnoozeDialog, TagsDialog

log = logging.getLogger(__name__)

PRESENCE = ("available", "break", "after_call_work", "offline")
PRESENCE_ICON = {
    "available": "online",
    "break": "hold",
    "after_call_work": "note",
    "offline": "offline",
}
# Ctrl+Shift+P cycles through the working states; going offline stays a deliberate choice.
PRESENCE_CYCLE = ("available", "break", "after_call_work")
TIMED_PRESENCE = ("break", "after_call_work")
LAYOUT_SETTING = "ui.splitter_sizes"
SEARCH_PAUSE_MS = 300  # the customer search runs once typing pauses this long


def _optional_widget(module: str, name: str) -> Any | None:
    """A colleague's widget class if its module is there (it lands separately)."""
    try:
        return getattr(importlib.import_module(module), name)
    except ModuleNotFoundError as exc:
        if exc.name != module:
            log.warning("cannot import %s: %s", module, exc)
        return None
    except (ImportError, AttributeError) as exc:
        log.warning("cannot use %s.%s: %s", module, name, exc)
        return None


def _placeholder(object_name: str, text: str, parent: QWidget) -> QWidget:
    w = QWidget(parent)
    w.setObjectName(object_name)
    w.setAccessibleName(text)
    lab = QLabel(text, w)
    lab.setAlignment(Qt.AlignmentFlag.AlignCenter)
    lab.setWordWrap(True)
    lab.setEnabled(False)
    lay = QVBoxLayout(w)
    lay.addWidget(lab)
    return w


class NoticeStrip(QWidget):
    """The line above the panes for the connection banner and the call bar, side by side. Its
    height is reserved whether they show or not (the taller of the two), so the panes never move
    when the connection drops or a call rings: the row under the pointer stays under it."""

    def __init__(self, banner: QLabel, call_bar: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("NoticeStrip")
        self._parts = (banner, call_bar)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        lay.addWidget(banner, 1)
        lay.addWidget(call_bar, 1)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)

    def _height(self) -> int:
        return max(part.sizeHint().height() for part in self._parts)

    def sizeHint(self) -> QSize:
        return QSize(super().sizeHint().width(), self._height())

    def minimumSizeHint(self) -> QSize:
        return QSize(0, self._height())


class SearchPopup(QFrame):
    """Search results dropped under the search field, inside the window (an overlay, not a
    separate popup window): arrows choose, Enter opens, Esc or leaving it closes."""

    customerChosen = Signal(int)
    dismissed = Signal()

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("SearchResults")
        self.setAccessibleName(self.tr("Search results"))
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.list = QListWidget(self)
        self.list.setObjectName("SearchResultsList")
        self.list.setAccessibleName(self.tr("Customers found"))
        self.list.itemActivated.connect(self._chosen)
        self.list.installEventFilter(self)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(1, 1, 1, 1)
        lay.addWidget(self.list)
        self.setFocusProxy(self.list)
        self.hide()

    def show_results(
        self, customers: list[dict[str, Any]], under: QWidget, *, focus: bool = True
    ) -> None:
        """Show what was found under ``under``; ``focus`` False while the operator is still
        typing (Down goes into the list)."""
        self.list.clear()
        for c in customers:
            contacts = ", ".join(str(i.get("value", "")) for i in c.get("identities", [])[:3])
            name = str(c.get("name") or "") or self.tr("(no name)")
            item = QListWidgetItem(f"{name}\n{contacts}" if contacts else name)
            item.setData(Qt.ItemDataRole.UserRole, int(c["id"]))
            item.setData(Qt.ItemDataRole.AccessibleTextRole, f"{name}, {contacts}")
            self.list.addItem(item)
        host = self.parentWidget()
        assert host is not None
        width = max(under.width(), 380)
        rows = min(max(len(customers), 1), 8)
        height = rows * (self.list.fontMetrics().height() * 2 + 10) + 8
        pos = under.mapTo(host, QPoint(0, under.height() + 2))
        pos.setX(max(0, min(pos.x(), host.width() - width)))
        self.setGeometry(pos.x(), pos.y(), width, height)
        self.list.setCurrentRow(0)
        self.show()
        self.raise_()
        if focus:
            self.list.setFocus(Qt.FocusReason.PopupFocusReason)

    def open_current(self) -> bool:
        item = self.list.currentItem() if self.isVisible() else None
        if item is None:
            return False
        self._chosen(item)
        return True

    def chosen_ids(self) -> list[int]:
        return [int(self.list.item(i).data(Qt.ItemDataRole.UserRole)) for i in range(self.count())]

    def count(self) -> int:
        return self.list.count()

    def _chosen(self, item: QListWidgetItem) -> None:
        # Told first, so that the window moves the focus where it wants it before this hides
        # (hiding with the focus inside would hand it to the conversation list, which then
        # makes its first row current: an unrelated customer opened over the chosen one).
        self.customerChosen.emit(int(item.data(Qt.ItemDataRole.UserRole)))
        self.hide()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.list and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                item = self.list.currentItem()
                if item is not None:
                    self._chosen(item)
                return True
            if event.key() == Qt.Key.Key_Escape:
                self.hide()
                self.dismissed.emit()
                return True
        if watched is self.list and event.type() == QEvent.Type.FocusOut:
            # Clicked or tabbed elsewhere: the results go away.
            QTimer.singleShot(0, self._hide_unless_focused)
        return super().eventFilter(watched, event)

    def _hide_unless_focused(self) -> None:
        focus = QApplication.focusWidget()
        if focus is None or not self.isAncestorOf(focus):
            self.hide()


class ShortcutPriority(QObject):
    """Lets the window's shortcuts win over a text field's own key bindings (on Linux Ctrl+K
    deletes to the end of the line and Ctrl+E moves to it): the operator's Ctrl+K must open the
    search, not eat half of a reply."""

    def __init__(self, sequences: list[QKeySequence], parent: QObject) -> None:
        super().__init__(parent)
        self.sequences = sequences

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride:
            assert isinstance(event, QKeyEvent)
            pressed = QKeySequence(event.keyCombination())
            exact = QKeySequence.SequenceMatch.ExactMatch
            if any(seq.matches(pressed) == exact for seq in self.sequences):
                return True  # not accepted by the field: the window's shortcut runs
        return False


class MainWindow(QMainWindow):
    offerAnnounced = Signal(str, str)  # channel, customer name: the app speaks it
    closed = Signal()
    signInRequested = Signal()  # the operator asks for the sign-in dialog (after a sign-out)
    signOutRequested = Signal()  # OmniDesk ▸ Sign out: end this session on the gateway

    def __init__(
        self,
        session: Any,
        settings: Any,
        parent: QWidget | None = None,
        *,
        tray: QSystemTrayIcon | None = None,
        voices: VoicesSource | None = None,
    ) -> None:
        """``tray``: the tray icon to use; by default one is made where the desktop has a tray.
        ``voices``: lists the installed voices for the settings dialog."""
        super().__init__(parent)
        self._voices = voices
        self.setObjectName("MainWindow")
        self.setWindowIcon(icon(APP))
        self.session = session
        self.settings = settings
        self.operator: dict[str, Any] = {}
        self.snapshot: dict[str, Any] = {}
        self.card: dict[str, Any] = {}
        self.current_id: int | None = None
        self.dialog: QDialog | None = None
        self._opening: int | None = None  # the customer asked for last
        self._follow: int | None = None  # accepted here: select it once it is ours
        self._presence = "offline"
        self._presence_since: datetime | None = None
        self._conn_state = "offline"
        self._ever_online = False
        self._retry_at: datetime | None = None
        self._auth_detail = ""
        self._outbox = 0
        self._query = ""
        self._leaving = False  # the operator confirmed quitting
        self._typing_search = False
        self._feed_texts: list[str] = []
        self.setWindowTitle(self.tr("OmniDesk"))
        self.setAccessibleName(self.tr("OmniDesk"))
        self.resize(1440, 880)
        self._texts()

        # -- parts --------------------------------------------------------------------------
        self.model = ConversationModel(self)
        self.conversations = self.model  # the name the automation hook and benches know
        self.conversation_list = ConversationList(self.model, self)
        feed_cls = _optional_widget("ui.feed_view", "FeedView")
        self.feed: QWidget = (
            feed_cls(session, self)
            if feed_cls is not None
            else _placeholder("Feed", self.tr("The customer's messages appear here."), self)
        )
        composer_cls = _optional_widget("ui.composer", "Composer")
        self.composer: QWidget = (
            composer_cls(session, settings, self)
            if composer_cls is not None
            else _placeholder("Composer", self.tr("The reply editor appears here."), self)
        )
        self.customer_card = CustomerCard(self)
        self.hints = HintsPanel(session, self)
        self.call_bar = CallBar(self)

        # -- layout -------------------------------------------------------------------------
        self.centre = QSplitter(Qt.Orientation.Vertical, self)
        self.centre.setObjectName("CentreSplitter")
        self.centre.addWidget(self.feed)
        self.centre.addWidget(self.composer)
        self.centre.setStretchFactor(0, 4)
        self.centre.setStretchFactor(1, 1)
        self.right = QSplitter(Qt.Orientation.Vertical, self)
        self.right.setObjectName("RightSplitter")
        self.right.addWidget(self.customer_card)
        self.right.addWidget(self.hints)
        self.right.setStretchFactor(0, 3)
        self.right.setStretchFactor(1, 2)
        self.main_split = QSplitter(Qt.Orientation.Horizontal, self)
        self.main_split.setObjectName("MainSplitter")
        self.main_split.addWidget(self.conversation_list)
        self.main_split.addWidget(self.centre)
        self.main_split.addWidget(self.right)
        for i, factor in enumerate((2, 4, 2)):
            self.main_split.setStretchFactor(i, factor)
        self.main_split.setChildrenCollapsible(False)
        self.main_split.setSizes([460, 540, 440])
        self.centre.setSizes([640, 180])
        self.right.setSizes([500, 320])
        self._restore_layout()

        self.banner = QLabel(self)
        self.banner.setObjectName("ConnectionBanner")
        self.banner.setAccessibleName(self.tr("Connection problem"))
        # One line in the strip: a long explanation is cut at the window's edge rather than
        # growing the strip, and the tooltip has all of it.
        self.banner.setWordWrap(False)
        self.banner.setTextFormat(Qt.TextFormat.PlainText)
        self.banner.setContentsMargins(10, 4, 10, 4)
        self.banner.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.banner.hide()
        self.notice_strip = NoticeStrip(self.banner, self.call_bar, self)
        central = QWidget(self)
        v = QVBoxLayout(central)
        v.setContentsMargins(0, 0, 0, 0)
        v.setSpacing(0)
        v.addWidget(self.notice_strip)
        v.addWidget(self.main_split, 1)
        self.setCentralWidget(central)

        self._toolbar()
        self.search_popup = SearchPopup(self)
        self.search_popup.customerChosen.connect(self.open_found_customer)
        self.search_popup.dismissed.connect(self.focus_search)
        self._actions()
        self._status_bar()
        self._tray = tray
        if self._tray is None and QSystemTrayIcon.isSystemTrayAvailable():
            self._tray = QSystemTrayIcon(self)
        if self._tray is not None:
            self._tray.setIcon(icon(APP))
            self._tray.setToolTip(self.tr("OmniDesk"))
            self._tray.activated.connect(lambda _reason: self._raise())
            self._tray.show()
        self._tray_count = 0

        self._clock = QTimer(self)
        self._clock.setInterval(1000)
        self._clock.timeout.connect(self._every_second)
        self._clock.start()
        self._open_later = QTimer(self)
        self._open_later.setSingleShot(True)
        self._open_later.setInterval(120)  # arrowing through the list opens the one it stops on
        self._open_later.timeout.connect(self._open_current)
        # Search as the operator types, once they pause.
        self._search_later = QTimer(self)
        self._search_later.setSingleShot(True)
        self._search_later.setInterval(SEARCH_PAUSE_MS)
        self._search_later.timeout.connect(lambda: self._search(typing=True))
        self._wire()
        self._shortcut_priority()
        self._show_connection()
        self.conversation_list.setFocus()
        if getattr(session, "operator", None):
            self._signed_in(session.operator)

    # ==========================================================================================
    # building
    # ==========================================================================================
    def _texts(self) -> None:
        self._presence_names = {
            "available": self.tr("Available"),
            "break": self.tr("Break"),
            "after_call_work": self.tr("After-call work"),
            "offline": self.tr("Offline"),
        }
        self._errors = {
            "offline": self.tr(
                "The gateway is unreachable; your replies are kept and sent when it is back."
            ),
            "timeout": self.tr("The gateway did not answer in time; try again."),
            "conflict": self.tr("Someone else acted on this conversation first, or it changed."),
            "forbidden": self.tr(
                "Not allowed: another operator serves this customer, or the queue needs other "
                "skills."
            ),
            "not_found": self.tr("Not found: it was closed or removed meanwhile."),
            "no_capacity": self.tr("No free place for this channel (or the colleague is busy)."),
            "channel_unavailable": self.tr("The customer cannot be reached on this channel."),
            "rate_limited": self.tr("Too many actions at once; it is retried in a moment."),
            "unknown_command": self.tr("The gateway does not support this yet."),
            "internal_error": self.tr("The gateway failed; it is retried."),
            "invalid_args": self.tr("The gateway refused it: %1"),
        }
        self._commands = {
            "conversation.accept": self.tr("Accept"),
            "conversation.decline": self.tr("Decline"),
            "conversation.hold": self.tr("Hold"),
            "conversation.resume": self.tr("Resume"),
            "conversation.end": self.tr("End"),
            "conversation.transfer": self.tr("Transfer"),
            "conversation.wrap_up": self.tr("Wrap-up"),
            "message.send": self.tr("Reply"),
            "note.add": self.tr("Note"),
            "presence.set": self.tr("Presence"),
            "customer.open": self.tr("Customer card"),
            "customer.search": self.tr("Search"),
            "timeline.page": self.tr("History"),
            "hint.respond": self.tr("Suggestion"),
        }
        self._withdrawn = {
            "timeout": self.tr("The offer timed out and went back to the queue."),
            "presence": self.tr("The offer was withdrawn because you are not available."),
            "taken": self.tr("A colleague took the conversation."),
        }

    def _toolbar(self) -> None:
        bar = QToolBar(self.tr("Status"), self)
        bar.setObjectName("TopBar")
        bar.setMovable(False)
        bar.setFloatable(False)
        bar.setIconSize(QSize(18, 18))
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, bar)
        self.toolbar = bar

        self.operator_label = QLabel(self.tr("Signing in…"), self)
        self.operator_label.setObjectName("OperatorName")
        self.operator_label.setAccessibleName(self.tr("Operator"))
        self.operator_label.setTextFormat(Qt.TextFormat.PlainText)
        self.operator_label.setContentsMargins(6, 0, 10, 0)
        bar.addWidget(self.operator_label)

        self.presence = QComboBox(self)
        self.presence.setObjectName("Presence")
        self.presence.setAccessibleName(self.tr("Presence"))
        self.presence.setToolTip(self.tr("Your presence (Ctrl+Shift+P: next)"))
        self.presence.view().setAccessibleName(self.tr("Presence choices"))
        for p in PRESENCE:
            self.presence.addItem(icon(PRESENCE_ICON[p]), self._presence_names[p], p)
        self.presence.setCurrentIndex(PRESENCE.index("offline"))
        self.presence.activated.connect(lambda i: self.set_presence(str(self.presence.itemData(i))))
        bar.addWidget(self.presence)
        self.presence_timer = QLabel(self)
        self.presence_timer.setObjectName("PresenceTimer")
        self.presence_timer.setAccessibleName(self.tr("Time in this presence"))
        self.presence_timer.setContentsMargins(6, 0, 6, 0)
        self.presence_timer_action = bar.addWidget(self.presence_timer)
        self.presence_timer_action.setVisible(False)
        bar.addSeparator()

        self.connection = QWidget(self)
        self.connection.setObjectName("ConnectionIndicator")
        self.connection.setAccessibleName(self.tr("Connection"))
        self.connection_icon = QLabel(self.connection)
        self.connection_text = QLabel(self.tr("Connecting…"), self.connection)
        self.connection_text.setObjectName("ConnectionState")
        self.connection_text.setAccessibleName(self.tr("Connection state"))
        h = QHBoxLayout(self.connection)
        h.setContentsMargins(6, 0, 6, 0)
        h.addWidget(self.connection_icon)
        h.addWidget(self.connection_text)
        bar.addWidget(self.connection)

        spacer = QWidget(self)
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        bar.addWidget(spacer)
        self.search = QLineEdit(self)
        self.search.setObjectName("CustomerSearch")
        self.search.setAccessibleName(self.tr("Customer search"))
        self.search.setPlaceholderText(self.tr("Find a customer: phone, e-mail, name (Ctrl+K)"))
        self.search.setClearButtonEnabled(True)
        self.search.addAction(icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        self.search.setMinimumWidth(340)
        self.search.returnPressed.connect(self._search_enter)
        self.search.textEdited.connect(lambda _text: self._search_later.start())
        self.search.installEventFilter(self)
        bar.addWidget(self.search)

    def _status_bar(self) -> None:
        sb = self.statusBar()
        sb.setObjectName("StatusBar")
        sb.setAccessibleName(self.tr("Messages"))
        self.outbox_label = QLabel(self)
        self.outbox_label.setObjectName("OutboxCount")
        self.outbox_label.setAccessibleName(self.tr("Commands waiting to be sent"))
        sb.addPermanentWidget(self.outbox_label)

    def _action(
        self,
        menu: QMenu,
        text: str,
        keys: str | QKeySequence.StandardKey | None,
        slot: Callable[[], Any],
        icon_name: str = "",
        *,
        list_only: bool = False,
    ) -> QAction:
        act = QAction(text, self)
        if icon_name:
            act.setIcon(icon(icon_name))
        if keys is not None:
            act.setShortcut(QKeySequence(keys))
            if list_only:
                # Shown in the menu, handled by the list itself: typing "a" in the reply must
                # never accept a conversation.
                act.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
            else:
                act.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        act.triggered.connect(lambda _checked=False: slot())
        menu.addAction(act)
        if not list_only:
            self.addAction(act)
        return act

    def _actions(self) -> None:
        mb = self.menuBar()
        app_menu = mb.addMenu(self.tr("&OmniDesk"))
        self.sign_in_action = self._action(
            app_menu, self.tr("Sign &in…"), None, self.signInRequested.emit
        )
        self.sign_in_action.setEnabled(False)  # while signed in there is nothing to do
        self.sign_out_action = self._action(app_menu, self.tr("Sign &out"), None, self.sign_out)
        self.sign_out_action.setEnabled(False)
        self.settings_action = self._action(
            app_menu, self.tr("&Settings…"), "Ctrl+,", self.open_settings
        )
        self.canned_action = self._action(
            app_menu, self.tr("&Canned responses…"), None, self.open_canned
        )
        app_menu.addSeparator()
        self.quit_action = self._action(app_menu, self.tr("&Quit"), "Ctrl+Q", self.close)

        conv = mb.addMenu(self.tr("&Conversation"))
        self.accept_action = self._action(
            conv, self.tr("&Accept"), "A", self.accept_selected, "accept", list_only=True
        )
        self.decline_action = self._action(
            conv, self.tr("&Decline"), "D", self.decline_selected, "decline", list_only=True
        )
        conv.addSeparator()
        self.hold_action = self._action(
            conv, self.tr("&Hold / resume"), "Ctrl+H", self.hold_or_resume, "hold"
        )
        self.transfer_action = self._action(
            conv, self.tr("&Transfer…"), "Ctrl+T", self.transfer, "transfer"
        )
        self.end_action = self._action(
            conv, self.tr("&End / hang up"), "Ctrl+E", self.end_selected, "hangup"
        )
        self.wrap_up_action = self._action(
            conv, self.tr("&Wrap up…"), "Ctrl+W", self.wrap_up, "accept"
        )
        self.note_action = self._action(conv, self.tr("&Note…"), "Ctrl+N", self.add_note, "note")
        self._triage_actions(conv)

        go = mb.addMenu(self.tr("&Go"))
        self.search_action = self._action(
            go, self.tr("&Find a customer"), "Ctrl+K", self.focus_search, "search"
        )
        self.list_action = self._action(
            go, self.tr("&Conversations"), "Ctrl+L", self.conversation_list.focus_list
        )
        self.presence_action = self._action(
            go, self.tr("Next &presence"), "Ctrl+Shift+P", self.cycle_presence, "online"
        )

        help_menu = mb.addMenu(self.tr("&Help"))
        self.shortcuts_action = self._action(
            help_menu, self.tr("&Keyboard shortcuts"), "F1", self.show_shortcuts
        )
        self.web_chat_action = self._action(
            help_menu, self.tr("Open the customer &web chat"), None, self.open_web_chat
        )
        self.web_chat_action.setVisible(False)  # until the gateway's chat page is known
        self._web_chat_url = ""

    def shortcuts(self) -> list[tuple[str, str]]:
        """Every shortcut of the window, for F1."""
        native = QKeySequence.SequenceFormat.NativeText

        def keys(act: QAction) -> str:
            return act.shortcut().toString(native)

        rows = [
            (keys(self.accept_action), self.tr("Accept the offered or waiting conversation")),
            (keys(self.decline_action), self.tr("Decline the offered conversation")),
            (self.tr("Up / Down"), self.tr("Move through the conversations")),
            (self.tr("Enter"), self.tr("Open the conversation and go to the reply")),
            ("Ctrl+1 … Ctrl+9", self.tr("Go to the n-th conversation of the list")),
            ("Ctrl+Tab", self.tr("Switch between My conversations and Queue")),
            (keys(self.list_action), self.tr("Go to the conversation list")),
            (keys(self.hold_action), self.tr("Put on hold, or resume (a running call first)")),
            (keys(self.transfer_action), self.tr("Transfer to a queue or a colleague")),
            (keys(self.end_action), self.tr("End the conversation (hang up a call)")),
            (keys(self.wrap_up_action), self.tr("Wrap up: disposition and resolution")),
            (keys(self.note_action), self.tr("Add an internal note")),
            (keys(self.tags_action), self.tr("Tags of the conversation")),
            (keys(self.snooze_action), self.tr("Snooze the conversation")),
            (keys(self.search_action), self.tr("Find a customer by phone, e-mail or name")),
            (keys(self.presence_action), self.tr("Available → Break → After-call work")),
            ("Ctrl+Shift+A", self.tr("Accept the selected suggestion")),
            ("Ctrl+Shift+D", self.tr("Dismiss the selected suggestion")),
            (self.tr("Enter / Delete"), self.tr("Accept / dismiss the focused suggestion")),
            ("Ctrl+Enter", self.tr("Send the reply; finish a dialog")),
            (keys(self.settings_action), self.tr("Settings")),
            (keys(self.shortcuts_action), self.tr("This list")),
            (keys(self.quit_action), self.tr("Quit")),
        ]
        # The reply templates' own keys (they work while the reply has the focus).
        native_key = QKeySequence.SequenceFormat.NativeText
        portable = QKeySequence.SequenceFormat.PortableText
        try:
            templates = list(self.settings.value("composer.templates") or [])
        except Exception:  # a settings object without templates
            templates = []
        for template in templates:
            seq = QKeySequence.fromString(str(template.get("hotkey") or ""), portable)
            if not seq.isEmpty() and template.get("name"):
                rows.append(
                    (
                        seq.toString(native_key),
                        self.tr("Template: %1").replace("%1", str(template["name"])),
                    )
                )
        return rows

    def _shortcut_priority(self) -> None:
        sequences = [
            act.shortcut()
            for act in self.actions()
            if act.shortcut().toString().startswith("Ctrl+")
        ]
        self.priority = ShortcutPriority(sequences, self)
        for field in self.findChildren(QLineEdit) + self.findChildren(QPlainTextEdit):
            field.installEventFilter(self.priority)
        for editor in self.findChildren(QTextEdit):
            editor.installEventFilter(self.priority)

    def _wire(self) -> None:
        s = self.session
        s.connectionChanged.connect(self._connection_changed)
        s.signedIn.connect(self._signed_in)
        s.snapshotLoaded.connect(self._snapshot)
        s.conversationChanged.connect(self._conversation_changed)
        s.queueChanged.connect(self._queue_changed)
        s.offerReceived.connect(self._offer)
        s.offerWithdrawn.connect(self._offer_withdrawn)
        s.presenceChanged.connect(self._presence_changed)
        s.presenceForced.connect(self._presence_forced)
        s.customerOpened.connect(self._customer_opened)
        s.searchResults.connect(self._search_results)
        s.hintsChanged.connect(self._hints_changed)
        s.commandFailed.connect(self._command_failed)
        s.deliveryFailed.connect(self._delivery_failed)
        s.outboxChanged.connect(self._outbox_changed)
        s.timelineItem.connect(self._timeline_item)
        s.localQueued.connect(self._local_queued)

        cl = self.conversation_list
        cl.conversationSelected.connect(self._selected)
        cl.conversationOpened.connect(self._opened_from_list)
        cl.acceptRequested.connect(lambda conv: self._accept(conv))
        cl.declineRequested.connect(lambda conv: self._decline(conv))
        cb = self.call_bar
        cb.answerRequested.connect(self.accept_conversation)
        cb.declineRequested.connect(self.session.decline)
        cb.holdRequested.connect(self.session.hold)
        cb.resumeRequested.connect(self.session.resume)
        cb.hangupRequested.connect(self.session.end)
        cb.transferRequested.connect(self._transfer_id)
        self.hints.useText.connect(self._use_text)

    # ==========================================================================================
    # session events
    # ==========================================================================================
    def _signed_in(self, operator: dict[str, Any]) -> None:
        self.operator = operator
        op_id = int(operator.get("id", 0))
        self.model.operator_id = op_id
        self.call_bar.operator_id = op_id
        name = str(operator.get("display_name") or operator.get("username") or "")
        self.operator_label.setText(name)
        # Qt adds the application's name itself ("Анна Смирнова — OmniDesk").
        self.setWindowTitle(name or self.tr("OmniDesk"))
        presence = str(operator.get("presence") or "offline")
        self._presence_changed(presence, str(operator.get("presence_since") or ""))

    def _snapshot(self, snap: dict[str, Any]) -> None:
        self.snapshot = snap
        self.model.load(snap)
        self.call_bar.load(list(snap.get("conversations", [])))
        for conv in snap.get("conversations", []):
            self.call_bar.set_customer_name(
                int(conv["customer_id"]), self.model.customer_name(int(conv["customer_id"]))
            )
        presence = str(snap.get("presence") or "offline")
        if presence != self._presence:
            self._presence_changed(presence, "")
        self._update_unread()

    def _conversation_changed(self, conv: dict[str, Any]) -> None:
        self.model.upsert(conv)
        self.call_bar.track(conv)
        cid = int(conv["id"])
        if self._follow == cid and self.model.find(cid) is not None and self.model.mine(conv):
            if conv["state"] != "offered":
                self._follow = None
            self.conversation_list.select_conversation(cid, focus=self._list_has_focus())
        if cid == self.current_id:
            self._update_composer()
        self._update_unread()

    def _queue_changed(self, conv: dict[str, Any], customer: dict[str, Any]) -> None:
        """Someone else's offer, a new arrival, one taken: the queue tab stays current."""
        self.model.upsert(conv, str(customer.get("name") or ""))

    def _offer(self, conv: dict[str, Any], customer: dict[str, Any]) -> None:
        name = str(customer.get("name") or "")
        self.model.upsert(conv, name)
        self.call_bar.set_customer_name(int(conv["customer_id"]), name)
        self.call_bar.track(conv)
        cid = int(conv["id"])
        self.model.mark_unread(cid)
        # Take the operator to the offer unless they are in the middle of another conversation
        # or already looking at an offer; then it waits on top of "My conversations" (Ctrl+1).
        current = self.model.find(self.current_id) if self.current_id is not None else None
        busy = current is not None and current["state"] in ("offered", "active", "held")
        if not busy:
            typing = isinstance(QApplication.focusWidget(), QLineEdit | QPlainTextEdit | QTextEdit)
            self.conversation_list.select_conversation(cid, focus=not typing)
        channel = self.model.channel_name(str(conv.get("channel", "")))
        who = name or self.model.customer_name(int(conv["customer_id"]))
        self.statusBar().showMessage(
            self.tr("New conversation: %1 (%2). A accepts, D declines.")
            .replace("%1", who)
            .replace("%2", channel),
            10000,
        )
        self._notify(self.tr("New conversation"), f"{who} — {channel}")
        self.offerAnnounced.emit(str(conv.get("channel", "")), name)
        self._update_unread()

    def _offer_withdrawn(self, conversation_id: int, reason: str) -> None:
        self.model.mark_read(conversation_id)
        text = self._withdrawn.get(reason, self.tr("The offer was withdrawn."))
        self.statusBar().showMessage(text, 8000)
        self._update_unread()

    def _presence_changed(self, presence: str, since: str) -> None:
        if presence != self._presence or since:
            self._presence_since = parse_time(since) or datetime.now(UTC)
        self._presence = presence
        if presence in PRESENCE:
            self.presence.setCurrentIndex(PRESENCE.index(presence))
        self._show_presence_timer()

    def _presence_forced(self, presence: str, reason: str) -> None:
        if reason != "missed_offers":
            return
        text = self.tr(
            "Offers timed out one after another, so you were put on a break. "
            "Set yourself Available when you are back."
        )
        self.statusBar().showMessage(text)  # until the next message: it explains the state
        self._notify(self.tr("You are on a break"), text)

    def _connection_changed(self, state: str, detail: str) -> None:
        self._conn_state = state
        if state == "online":
            self._ever_online = True
        self._retry_at = None
        if state in ("reconnecting", "sign_in_wait") and detail:
            try:
                self._retry_at = datetime.now(UTC) + timedelta(seconds=float(detail))
            except ValueError:
                self._retry_at = None
        self._auth_detail = detail if state in ("auth_failed", "sign_in_wait") else ""
        self.sign_in_action.setEnabled(state == "auth_failed")
        self.sign_out_action.setEnabled(state not in ("auth_failed", "sign_in_wait"))
        self._show_connection()

    def sign_in_problem(self, state: str, detail: str) -> str:
        """What the operator is told when the gateway refused or ended the session."""
        if state == "sign_in_wait":
            left = (
                max(1, int((self._retry_at - datetime.now(UTC)).total_seconds() + 0.999))
                if self._retry_at is not None
                else 1
            )
            return self.tr(
                "Too many sign-in attempts. OmniDesk signs in again by itself in %1 s."
            ).replace("%1", str(left))
        known = {
            "invalid_credentials": self.tr("Wrong user name or password."),
            "token_invalid": self.tr("Your saved sign-in is no longer valid. Sign in again."),
            "token_expired": self.tr("Your sign-in has expired. Sign in again."),
            "token_revoked": self.tr(
                "Your session was ended by an administrator or from another window. Sign in again."
            ),
            "operator_deactivated": self.tr(
                "Your account was deactivated. Ask your administrator to activate it."
            ),
            "logged_out": self.tr("You signed out."),
            "too_many_connections": self.tr(
                "You are signed in on too many windows. Close one, then sign in again."
            ),
            "unsupported_version": self.tr(
                "This OmniDesk is too old for the gateway. Ask IT for an update."
            ),
        }
        return known.get(detail) or self.tr("Sign-in failed (%1).").replace(
            "%1", detail or "auth_failed"
        )

    def _outbox_changed(self, n: int) -> None:
        self._outbox = n
        self._show_connection()

    def _customer_opened(self, card: dict[str, Any]) -> None:
        cust = card.get("customer") or {}
        cid = int(cust.get("id") or 0)
        asked = int(card.get("redirected_from") or cid)  # a merged customer opens as the kept one
        if self._opening is not None and self._opening not in (cid, asked):
            return  # an older answer: the operator has moved on
        if asked != cid and self._opening == asked:
            self._opening = cid
        self.card = card
        name = str(cust.get("name") or "")
        self.model.set_customer_name(cid, name)
        self.call_bar.set_customer_name(cid, name)
        self.customer_card.show_card(card)
        if "hints" not in card:
            self.hints.set_hints(cid, [])
        show = getattr(self.feed, "show_customer", None)
        if callable(show):
            show(card)
        items = (card.get("timeline") or {}).get("items") or []
        self._feed_texts = [str(it.get("body") or "") for it in reversed(items)]
        self._update_composer()

    def _delivery_failed(self, _event_id: int, error: str, alternatives: list[Any]) -> None:
        """Said where the operator looks, not only in the feed's tooltip."""
        self.statusBar().showMessage(
            self.tr("Not delivered: %1").replace("%1", labels.not_delivered(error, alternatives)),
            15000,
        )

    def _hints_changed(self, customer_id: int, hints: list[dict[str, Any]]) -> None:
        if self.customer_card.customer_id() in (None, customer_id):
            self.hints.set_hints(customer_id, hints)

    def _search_results(self, query: str, customers: list[dict[str, Any]]) -> None:
        if query != self._query:
            return
        typing = self._typing_search and self.search.hasFocus()
        if not customers:
            self.search_popup.hide()
            self.statusBar().showMessage(
                self.tr("No customer found for “%1”.").replace("%1", query), 6000
            )
            return
        self.search_popup.show_results(customers, self.search, focus=not typing)

    def _command_failed(self, command: str, code: str, message: str) -> None:
        if command == "conversation.accept":
            self._follow = None
        text = self._errors.get(code, message or code).replace("%1", message)
        what = self._commands.get(command, command)
        self.statusBar().showMessage(f"{what}: {text}", 10000)

    def _timeline_item(self, item: dict[str, Any]) -> None:
        conv_id = item.get("conversation_id")
        if (
            item.get("direction") == "in"
            and conv_id
            and (conv_id != self.current_id or not self.isActiveWindow())
        ):
            self.model.mark_unread(int(conv_id))
            self._update_unread()
        if self.card and item.get("customer_id") == self.card["customer"]["id"]:
            self._feed_texts.append(str(item.get("body") or ""))

    def _local_queued(self, name: str, _key: str, args: dict[str, Any]) -> None:
        if (
            name == "message.send"
            and self.card
            and args.get("customer_id") == self.card["customer"]["id"]
        ):
            self._feed_texts.append(str(args.get("text") or ""))

    # ==========================================================================================
    # the operator's choices
    # ==========================================================================================
    def _selected(self, conv: dict[str, Any]) -> None:
        self.current_id = int(conv["id"])
        if self.isActiveWindow():  # else it is read when the operator comes back (changeEvent)
            self.model.mark_read(self.current_id)
        self._update_unread()
        self._open_later.start()

    def _open_current(self) -> None:
        conv = self.current()
        if conv is None:
            return
        customer_id = int(conv["customer_id"])
        if self.customer_card.customer_id() == customer_id and self._opening == customer_id:
            self._update_composer()
            return
        self.open_customer(customer_id)

    def _opened_from_list(self, conv: dict[str, Any]) -> None:
        self._selected(conv)
        self._open_later.stop()
        self._open_current()
        target: QWidget | None = self.composer
        if self.composer.focusProxy() is None and (
            self.composer.focusPolicy() == Qt.FocusPolicy.NoFocus
        ):
            target = self.composer.findChild(QPlainTextEdit) or self.composer.findChild(QTextEdit)
        if target is not None:
            target.setFocus(Qt.FocusReason.OtherFocusReason)

    def current(self) -> dict[str, Any] | None:
        return self.model.find(self.current_id) if self.current_id is not None else None

    def open_customer(self, customer_id: int) -> None:
        self._opening = customer_id
        self.session.open_customer(customer_id)

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def _search_enter(self) -> None:
        """Enter: open what is highlighted in the results, else search now."""
        self._search_later.stop()
        query = self.search.text().strip()
        if query == self._query and self.search_popup.open_current():
            return
        self._search()

    def _search(self, typing: bool = False) -> None:
        query = self.search.text().strip()
        if len(query) < 2:
            self.search_popup.hide()
            if not typing:
                self.statusBar().showMessage(self.tr("Type at least two characters."), 5000)
            return
        if typing and query == self._query and self.search_popup.isVisible():
            return
        self._query = query
        self._typing_search = typing
        self.session.search(query)

    def open_found_customer(self, customer_id: int) -> None:
        """A customer picked from the search: the list highlights their conversation if this
        operator has one open, and nothing otherwise (never the row that was current)."""
        mine = [
            c
            for c in self.model.conversations()
            if int(c["customer_id"]) == customer_id and self.model.mine(c)
        ]
        if mine and self.conversation_list.select_conversation(int(mine[0]["id"])):
            self.current_id = int(mine[0]["id"])
            self._open_later.stop()
        else:
            self.conversation_list.clear_selection()
            self.current_id = None
        self.open_customer(customer_id)
        self.composer.setFocus(Qt.FocusReason.OtherFocusReason)

    def set_presence(self, status: str) -> None:
        if status in PRESENCE:
            self.presence.setCurrentIndex(PRESENCE.index(status))
            self.session.set_presence(status)

    def cycle_presence(self) -> None:
        now = self._presence
        nxt = PRESENCE_CYCLE[
            (PRESENCE_CYCLE.index(now) + 1) % len(PRESENCE_CYCLE) if now in PRESENCE_CYCLE else 0
        ]
        self.set_presence(nxt)

    def accept_selected(self) -> None:
        conv = self.current()
        if conv is not None:
            self._accept(conv)

    def decline_selected(self) -> None:
        conv = self.current()
        if conv is not None:
            self._decline(conv)

    def _accept(self, conv: dict[str, Any]) -> None:
        fresh = self.model.find(int(conv["id"])) or conv
        if fresh["state"] not in ("offered", "queued"):
            self.statusBar().showMessage(
                self.tr("Only an offered or waiting conversation can be accepted."), 5000
            )
            return
        self.accept_conversation(int(fresh["id"]))

    def accept_conversation(self, conversation_id: int) -> None:
        self._follow = conversation_id
        self.conversation_list.select_conversation(conversation_id)
        self.current_id = conversation_id
        self.session.accept(conversation_id)

    def _decline(self, conv: dict[str, Any]) -> None:
        fresh = self.model.find(int(conv["id"])) or conv
        if not self.model.offered_to_me(fresh):
            self.statusBar().showMessage(
                self.tr("Only a conversation offered to you can be declined."), 5000
            )
            return
        self.session.decline(int(fresh["id"]))

    def _working(self, states: tuple[str, ...], what: str) -> dict[str, Any] | None:
        conv = self.current()
        if conv is None or conv["state"] not in states or not self.model.mine(conv):
            self.statusBar().showMessage(what, 5000)
            return None
        return conv

    def hold_or_resume(self) -> None:
        call = self.call_bar.conversation
        conv = call if call is not None and call["state"] in ("active", "held") else None
        conv = conv or self._working(
            ("active", "held"), self.tr("Select one of your active conversations first.")
        )
        if conv is None:
            return
        if conv["state"] == "held":
            self.session.resume(int(conv["id"]))
        else:
            self.session.hold(int(conv["id"]))

    def end_selected(self) -> None:
        conv = self._working(
            ("active", "held"), self.tr("Select one of your active conversations first.")
        )
        if conv is not None:
            self.session.end(int(conv["id"]))

    def transfer(self) -> None:
        conv = self._working(
            ("active", "held"), self.tr("Select one of your active conversations first.")
        )
        if conv is not None:
            self._transfer_id(int(conv["id"]))

    def _transfer_id(self, conversation_id: int) -> None:
        conv = self.model.find(conversation_id)
        dialog = TransferDialog(
            list(self.snapshot.get("operators", [])),
            list(self.snapshot.get("queues", [])),
            me=self.model.operator_id,
            current_queue_id=conv.get("queue_id") if conv else None,
            parent=self,
        )

        def done() -> None:
            v = dialog.values()
            if v.get("queue"):
                self.session.transfer(conversation_id, queue=str(v["queue"]), note=v["note"])
            elif v.get("operator_id") is not None:
                self.session.transfer(
                    conversation_id, operator_id=int(v["operator_id"]), note=v["note"]
                )

        self._open_dialog(dialog, done)

    def wrap_up(self) -> None:
        conv = self._working(
            ("active", "held", "wrap_up"), self.tr("Select one of your conversations first.")
        )
        if conv is None:
            return
        conversation_id = int(conv["id"])
        dialog = WrapUpDialog(self, customer_name=self.model.customer_name(conv["customer_id"]))

        def done() -> None:
            disposition, resolution, resolved = dialog.values()
            self.session.wrap_up(conversation_id, disposition, resolution, resolved)

        self._open_dialog(dialog, done)

    def add_note(self) -> None:
        if not self.card:
            self.statusBar().showMessage(self.tr("Open a customer first."), 5000)
            return
        customer_id = int(self.card["customer"]["id"])
        conv = self.current()
        conv_id = int(conv["id"]) if conv and conv["customer_id"] == customer_id else None
        dialog = NoteDialog(self, customer_name=str(self.card["customer"].get("name") or ""))

        def done() -> None:
            self.session.add_note(customer_id, dialog.value(), conv_id)

        self._open_dialog(dialog, done)

    def open_settings(self) -> None:
        self._open_dialog(SettingsDialog(self.settings, self, voices=self._voices), None)

    def open_canned(self) -> None:
        self._open_dialog(CannedManagerDialog(self.session, self), None)

    def show_shortcuts(self) -> None:
        self._open_dialog(ShortcutsDialog(self.shortcuts(), self), None)

    def _open_dialog(self, dialog: QDialog, on_accept: Callable[[], None] | None) -> None:
        """Window-modal, without a nested event loop: the session keeps running."""
        if self.dialog is not None:
            self.dialog.close()
        self.dialog = dialog
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        if on_accept is not None:
            dialog.accepted.connect(on_accept)

        back_to = QApplication.focusWidget()
        back_to = back_to if back_to is not None and self.isAncestorOf(back_to) else None

        def finished(_result: int) -> None:
            if self.dialog is dialog:
                self.dialog = None
            # Back where the operator was, whatever the window manager does about activation.
            self.activateWindow()
            if back_to is not None and back_to.isVisible():
                back_to.setFocus(Qt.FocusReason.ActiveWindowFocusReason)

        dialog.finished.connect(finished)
        dialog.open()

    def _use_text(self, text: str) -> None:
        insert = getattr(self.composer, "insert_text", None)
        if callable(insert):
            insert(text)
        else:
            editor = self.composer.findChild(QPlainTextEdit) or self.composer.findChild(QTextEdit)
            if editor is None:
                return
            editor.insertPlainText(text)
            editor.setFocus()
        self.statusBar().showMessage(self.tr("The suggested text is in your reply."), 5000)

    # ==========================================================================================
    # for the composition root, automation and benches
    # ==========================================================================================
    def conversation_count(self) -> int:
        return self.model.rowCount()

    def feed_texts(self) -> list[str]:
        texts = getattr(self.feed, "texts", None)
        return list(texts()) if callable(texts) else list(self._feed_texts)

    def type_reply(self, text: str) -> None:
        """Reply to the open customer as if typed and sent with Ctrl+Enter."""
        typed = getattr(self.composer, "type_reply", None)
        if callable(typed):
            typed(text)
            return
        if not self.card:
            return
        customer_id = int(self.card["customer"]["id"])
        conv = self.current()
        conv_id = int(conv["id"]) if conv and conv["customer_id"] == customer_id else None
        channel = str(conv["channel"]) if conv and conv_id is not None else self._reply_channel()
        self.session.send_message(customer_id, channel, text, conv_id)

    def _reply_channel(self) -> str:
        for it in (self.card.get("timeline") or {}).get("items") or []:
            if it.get("direction") == "in" and it.get("channel"):
                return str(it["channel"])
        identities = self.card.get("identities") or []
        reachable = reply_addresses(identities)
        return reachable[0].channel if reachable else "webchat"

    # ==========================================================================================
    # showing state
    # ==========================================================================================
    def _update_composer(self) -> None:
        if not self.card:
            return
        customer_id = int(self.card["customer"]["id"])
        conv = self.current()
        conv_id = int(conv["id"]) if conv and conv["customer_id"] == customer_id else None
        # A conversation only offered (or waiting) is not the operator's yet: no reply goes
        # until it is accepted.
        locked = (
            self.tr("Accept to reply (A)")
            if conv is not None and conv_id is not None and conv["state"] in ("offered", "queued")
            else ""
        )
        set_customer = getattr(self.composer, "set_customer", None)
        if callable(set_customer):
            set_customer(self.card, conv_id, locked)

    def _every_second(self) -> None:
        self._show_presence_timer()
        if self._conn_state in ("reconnecting", "sign_in_wait") and self._retry_at is not None:
            self._show_connection()

    def _show_presence_timer(self) -> None:
        timed = self._presence in TIMED_PRESENCE and self._presence_since is not None
        self.presence_timer_action.setVisible(timed)
        if timed and self._presence_since is not None:
            s = (datetime.now(UTC) - self._presence_since).total_seconds()
            self.presence_timer.setText(format_duration(s))
            self.presence_timer.setToolTip(
                self.tr("%1 for %2")
                .replace("%1", self._presence_names[self._presence])
                .replace("%2", format_duration(s))
            )

    def _show_connection(self) -> None:
        state = self._conn_state
        waiting = self.tr("%n waiting to be sent", "", self._outbox) if self._outbox > 0 else ""
        if state == "online":
            text, pic = self.tr("Online"), "online"
        elif state == "connecting":
            text, pic = self.tr("Connecting…"), "reconnecting"
        elif state == "reconnecting":
            pic = "reconnecting"
            left = (
                int((self._retry_at - datetime.now(UTC)).total_seconds() + 0.999)
                if self._retry_at is not None
                else 0
            )
            text = (
                self.tr("Reconnecting in %1 s").replace("%1", str(left))
                if left > 0
                else self.tr("Reconnecting…")
            )
        elif state == "auth_failed":
            text, pic = self.tr("Signed out"), "offline"
        elif state == "sign_in_wait":
            text, pic = self.tr("Waiting to sign in"), "reconnecting"
        else:
            text, pic = self.tr("Offline"), "offline"
        shown = f"{text} · {waiting}" if waiting else text
        self.connection_text.setText(shown)
        self.connection_icon.setPixmap(icon(pic).pixmap(QSize(16, 16), self.devicePixelRatioF()))
        self.connection.setProperty("state", state)
        self.connection.setAccessibleDescription(shown)
        problem = state in ("reconnecting", "offline") and self._ever_online
        explain = self._errors["offline"]
        self.connection.setToolTip(explain if problem else shown)
        if state in ("auth_failed", "sign_in_wait"):
            self.banner.setText(self.sign_in_problem(state, self._auth_detail))
            self.banner.show()
        elif problem:
            self.banner.setText(f"{text}: {explain}" + (f" ({waiting})" if waiting else ""))
            self.banner.show()
        else:
            self.banner.hide()
        self.banner.setToolTip(self.banner.text())  # all of it, when the line is cut
        self.outbox_label.setText(waiting)

    def _update_unread(self) -> None:
        n = self.model.unread_count()
        if self._tray is not None and n != self._tray_count:
            self._tray_count = n
            self._tray.setIcon(badged(APP, n))
            self._tray.setToolTip(
                self.tr("OmniDesk — %n unread", "", n) if n else self.tr("OmniDesk")
            )

    def _notify(self, title: str, text: str) -> None:
        if self._tray is None or self.isActiveWindow():
            return
        try:
            wanted = bool(self.settings.value("notifications.desktop"))
        except Exception:  # a settings object without that setting: notify
            wanted = True
        if wanted:
            self._tray.showMessage(title, text, QSystemTrayIcon.MessageIcon.Information, 8000)

    def _raise(self) -> None:
        self.showNormal()
        self.activateWindow()

    def _list_has_focus(self) -> bool:
        focus = QApplication.focusWidget()
        return focus is not None and self.conversation_list.isAncestorOf(focus)

    # ==========================================================================================
    # tags, priority and snooze (protocol §4.3)
    # ==========================================================================================
    def _triage_actions(self, menu: QMenu) -> None:
        """Tags… (Ctrl+Shift+G), Priority ▸ the four, Snooze… (Ctrl+Shift+S), Wake up: for the
        operator's own active conversation only. Snooze is not Ctrl+Shift+Z: that is Redo in
        the reply on Linux and macOS, and the window's Ctrl shortcuts win over text fields."""
        menu.addSeparator()
        self.tags_action = self._action(menu, self.tr("Ta&gs…"), "Ctrl+Shift+G", self.edit_tags)
        self.priority_menu = menu.addMenu(self.tr("P&riority"))
        self.priority_group = QActionGroup(self)
        self.priority_group.setExclusive(True)
        names = {
            "low": self.tr("&Low"),
            "normal": self.tr("&Normal"),
            "high": self.tr("&High"),
            "urgent": self.tr("&Urgent"),
        }
        self.priority_actions: dict[str, QAction] = {}
        for name in PRIORITIES:
            act = QAction(names[name], self)
            act.setCheckable(True)
            act.triggered.connect(lambda _checked=False, name=name: self.set_priority(name))
            self.priority_group.addAction(act)
            self.priority_menu.addAction(act)
            self.priority_actions[name] = act
        self.snooze_action = self._action(
            menu, self.tr("&Snooze…"), "Ctrl+Shift+S", self.snooze_current
        )
        self.wake_action = self._action(menu, self.tr("Wa&ke up"), None, self.wake_current)
        self._commands.update(
            {
                "conversation.tag": self.tr("Tags"),
                "conversation.set_priority": self.tr("Priority"),
                "conversation.snooze": self.tr("Snooze"),
                "conversation.unsnooze": self.tr("Wake up"),
            }
        )
        self.model.dataChanged.connect(lambda *_a: self._update_triage_actions())
        self.model.rowsRemoved.connect(lambda *_a: self._update_triage_actions())
        self.model.rowsInserted.connect(lambda *_a: self._update_triage_actions())
        self.conversation_list.conversationSelected.connect(
            lambda _conv: self._update_triage_actions()
        )
        woken = getattr(self.session, "conversationWoken", None)
        if woken is not None:
            woken.connect(self._woken)
        self._update_triage_actions()

    def _triage_target(self) -> dict[str, Any] | None:
        """The current conversation if it is this operator's and active, else None."""
        conv = self.current()
        if conv is None or conv["state"] != "active" or not self.model.mine(conv):
            return None
        return conv

    def _update_triage_actions(self) -> None:
        conv = self._triage_target()
        snoozed = conv is not None and is_snoozed(conv)
        self.tags_action.setEnabled(conv is not None)
        self.priority_menu.setEnabled(conv is not None)
        self.snooze_action.setEnabled(conv is not None)
        self.wake_action.setEnabled(snoozed)
        current = priority_of(conv) if conv is not None else ""
        for name, act in self.priority_actions.items():
            act.setEnabled(conv is not None)
            act.setChecked(name == current)

    def _triage_or_say(self) -> dict[str, Any] | None:
        conv = self._triage_target()
        if conv is None:
            self.statusBar().showMessage(
                self.tr("Select one of your active conversations first."), 5000
            )
        return conv

    def edit_tags(self) -> None:
        conv = self._triage_or_say()
        if conv is None:
            return
        conversation_id = int(conv["id"])
        dialog = TagsDialog(
            tags_of(conv),
            self.model.tags(),
            self,
            customer_name=self.model.customer_name(conv["customer_id"]),
        )

        def done() -> None:
            added, removed = dialog.values()
            if added or removed:
                self.session.tag(conversation_id, added, removed)

        self._open_dialog(dialog, done)

    def set_priority(self, priority: str) -> None:
        conv = self._triage_or_say()
        if conv is None or priority not in PRIORITIES:
            return
        if priority_of(conv) != priority:
            self.session.set_priority(int(conv["id"]), priority)

    def snooze_current(self) -> None:
        conv = self._triage_or_say()
        if conv is None:
            return
        conversation_id = int(conv["id"])
        dialog = SnoozeDialog(self, customer_name=self.model.customer_name(conv["customer_id"]))

        def done() -> None:
            until, until_reply = dialog.values()
            self.session.snooze(conversation_id, until=until, until_reply=until_reply)

        self._open_dialog(dialog, done)

    def wake_current(self) -> None:
        conv = self._triage_or_say()
        if conv is not None and is_snoozed(conv):
            self.session.unsnooze(int(conv["id"]))

    def _woken(self, conv: dict[str, Any], why: str) -> None:
        """A snoozed conversation woke: it is back in the list, unread, and the bar says so."""
        cid = int(conv["id"])
        self.model.mark_unread(cid)
        self._update_unread()
        name = self.model.customer_name(int(conv["customer_id"]))
        text = (
            self.tr("%1 wrote: the conversation is back from snooze")
            if why == "customer"
            else self.tr("The snooze of %1 is over: the conversation is back")
        )
        self.statusBar().showMessage(text.replace("%1", name), 10000)

    # ==========================================================================================
    # layout state and closing
    # ==========================================================================================
    def _splitters(self) -> dict[str, QSplitter]:
        return {"main": self.main_split, "centre": self.centre, "right": self.right}

    def _restore_layout(self) -> None:
        saved = self.settings.value(LAYOUT_SETTING)
        for name, split in self._splitters().items():
            sizes = saved.get(name)
            if (
                isinstance(sizes, list)
                and len(sizes) == split.count()
                and all(isinstance(x, int) and x >= 0 for x in sizes)
                and sum(sizes) > 0
            ):
                split.setSizes(sizes)

    def _save_layout(self) -> None:
        state = {name: split.sizes() for name, split in self._splitters().items()}
        try:
            self.settings.set(LAYOUT_SETTING, state)
        except SettingError as exc:  # locked or refused: the layout is not worth an error
            log.info("layout not saved: %s", exc)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if (
            event.type() == QEvent.Type.ActivationChange
            and self.isActiveWindow()
            and self.current_id is not None
        ):
            self.model.mark_read(self.current_id)  # the operator is looking at it again
            self._update_unread()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Down in the search field goes into the results shown under it.
        if (
            watched is self.search
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() == Qt.Key.Key_Down
            and self.search_popup.isVisible()
        ):
            self.search_popup.list.setFocus(Qt.FocusReason.TabFocusReason)
            return True
        return super().eventFilter(watched, event)

    # -- leaving ----------------------------------------------------------------------------------
    def set_web_chat_url(self, url: str) -> None:
        """Where customers write from (the demo's own page): Help ▸ Open the customer web chat."""
        self._web_chat_url = url
        self.web_chat_action.setVisible(bool(url))
        self.web_chat_action.setToolTip(url)

    def open_web_chat(self) -> None:
        if self._web_chat_url:
            QDesktopServices.openUrl(QUrl(self._web_chat_url))

    def sign_out(self) -> None:
        if not self._confirm_leaving(False, self.signOutRequested.emit):
            self.signOutRequested.emit()

    def signed_out_here(self) -> None:
        """Signed out without the gateway (it was out of reach): shown as any sign-out."""
        self._connection_changed("auth_failed", "logged_out")

    def open_work(self) -> tuple[int, int]:
        """(open conversations of this operator, of them calls) that leaving would abandon."""
        mine = [
            c
            for c in self.model.conversations()
            if self.model.mine(c) and c["state"] in ("active", "held", "wrap_up")
        ]
        calls = [c for c in mine if c.get("channel") == "voice" and c["state"] != "wrap_up"]
        return len(mine), len(calls)

    def _confirm_leaving(self, quitting: bool, then: Callable[[], None]) -> bool:
        """Ask first when leaving (quitting, or signing out) would leave customers waiting;
        True when it asked (``then`` runs if the operator confirms)."""
        open_count, calls = self.open_work()
        if not open_count:
            return False
        what = self.tr("Quit") if quitting else self.tr("Sign out")
        if calls:
            text = self.tr("You are on a call; it stays connected on the phone.")
        else:
            text = self.tr(
                "Open conversations: %1. They go back to the queue if you are not back within "
                "a minute."
            ).replace("%1", str(open_count))
        question = self.tr("Quit anyway?") if quitting else self.tr("Sign out anyway?")
        box = QMessageBox(self)
        box.setObjectName("ConfirmLeaving")
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle(what)
        box.setText(f"{text}\n\n{question}")
        yes = box.addButton(what, QMessageBox.ButtonRole.AcceptRole)
        box.addButton(self.tr("Stay"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(yes)
        self._open_dialog(box, None)
        box.buttonClicked.connect(lambda button: then() if button is yes else None)
        return True

    def quit_now(self) -> None:
        """Close without asking (automation, the app shutting down)."""
        self._leaving = True
        self.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._leaving and self._confirm_leaving(True, self.quit_now):
            event.ignore()
            return
        self._save_layout()
        self.search_popup.hide()
        if self._tray is not None:
            self._tray.hide()
        self.closed.emit()
        super().closeEvent(event)
