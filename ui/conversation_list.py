"""The left pane: "My conversations" and "Queue" as two tabs over one model, with channel,
state, tag and priority filters. The state filter's "All states" leaves the snoozed
conversations out, as an agent desk's open view does; "Snoozed" shows them alone (see
ui.conversation_model). The tag filter lists the tags of the conversations held, kept up to date
as they change. Driven from the keyboard: arrows move, Enter opens, A accepts an offer (or a
waiting conversation), D declines an offer, Ctrl+1…Ctrl+9 jump to the n-th conversation.

Presentation only: it emits what the operator asked for; the window turns that into intents.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QEvent, QItemSelectionModel, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QAccessible, QEnterEvent, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTabWidget,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from services.protocol.channels import CHANNELS
from ui.conversation_model import (
    MINE,
    QUEUE,
    RAISED_PRIORITIES,
    SNOOZED,
    Column,
    ConversationFilter,
    ConversationModel,
    Index,
    Role,
)
from ui.icons import icon

STATE_FILTERS = ("queued", "offered", "active", "held", "wrap_up", SNOOZED)
PRIORITY_FILTER_RAISED = "raised"
# Changes of these may change a row's size: Qt's own dataChanged handles them.
TAGS_REFRESH_MS = 150  # the tag filter's choices are brought up to date this long after a change

_GEOMETRY_ROLES = frozenset(
    {int(Qt.ItemDataRole.SizeHintRole.value), int(Qt.ItemDataRole.FontRole.value)}
)


class ConversationView(QTreeView):
    """A flat, keyboard-first table of conversations."""

    openRequested = Signal(dict)
    acceptRequested = Signal(dict)
    declineRequested = Signal(dict)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setRootIsDecorated(False)
        self.setItemsExpandable(False)
        self.setUniformRowHeights(True)
        self.setAllColumnsShowFocus(True)
        self.setAlternatingRowColors(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSortingEnabled(False)  # the proxy keeps its own order: offers, then the wait
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.doubleClicked.connect(self._open)

    # The pointer over the list holds the rows in place; leaving it lets them sort again.
    def enterEvent(self, event: QEnterEvent) -> None:
        self._hold(True)
        super().enterEvent(event)

    def leaveEvent(self, event: QEvent) -> None:
        self._hold(False)
        super().leaveEvent(event)

    def _hold(self, hold: bool) -> None:
        model = self.model()
        if isinstance(model, ConversationFilter):
            model.hold_order(hold)

    def dataChanged(
        self,
        top_left: Index,
        bottom_right: Index,
        roles: Sequence[int] = (),
    ) -> None:
        """Repaint only the cells that changed. For a long range Qt repaints the whole viewport,
        so the 1 s tick of the waiting column of a busy desk (hundreds of rows) repainted every
        cell of the list each second (15-20 ms). Changes that may alter row geometry, and
        everything while a screen reader listens, take Qt's own path."""
        if (
            not roles
            or _GEOMETRY_ROLES.intersection(roles)
            or QAccessible.isActive()
            or not top_left.isValid()
            or not bottom_right.isValid()
        ):
            super().dataChanged(top_left, bottom_right, roles)
            return
        # visualRect() of rows scrolled out of sight lies outside the viewport: the united
        # rectangle is clipped, so only the visible part of the range is repainted.
        rect = self.visualRect(top_left).united(self.visualRect(bottom_right))
        self.viewport().update(rect)

    def current_conversation(self) -> dict[str, Any] | None:
        idx = self.currentIndex()
        conv = idx.data(Role.CONVERSATION) if idx.isValid() else None
        return conv if isinstance(conv, dict) else None

    def _open(self, index: QModelIndex) -> None:
        conv = index.data(Role.CONVERSATION)
        if isinstance(conv, dict):
            self.openRequested.emit(conv)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        conv = self.current_conversation()
        if mods == Qt.KeyboardModifier.NoModifier and conv is not None:
            key = event.key()
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.openRequested.emit(conv)
                event.accept()
                return
            if key == Qt.Key.Key_A:
                self.acceptRequested.emit(conv)
                event.accept()
                return
            if key == Qt.Key.Key_D:
                self.declineRequested.emit(conv)
                event.accept()
                return
        super().keyPressEvent(event)


class ConversationList(QWidget):
    """``conversationSelected`` fires when the current row changes (the window opens the
    customer); ``conversationOpened`` on Enter or a double click (the window moves the focus to
    the reply); accept/decline carry the conversation the operator chose."""

    conversationSelected = Signal(dict)
    conversationOpened = Signal(dict)
    acceptRequested = Signal(dict)
    declineRequested = Signal(dict)

    def __init__(self, model: ConversationModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ConversationList")
        self.setAccessibleName(self.tr("Conversations"))
        self.model = model

        # -- filters ----------------------------------------------------------------------------
        self.channel_filter = QComboBox(self)
        self.channel_filter.setObjectName("ChannelFilter")
        self.channel_filter.setAccessibleName(self.tr("Show channel"))
        self.channel_filter.setToolTip(self.tr("Show conversations of one channel"))
        self.channel_filter.view().setAccessibleName(self.tr("Channels"))
        self.channel_filter.addItem(self.tr("All channels"), "")
        for ch in CHANNELS:
            self.channel_filter.addItem(icon(ch), model.channel_name(ch), ch)
        self.state_filter = QComboBox(self)
        self.state_filter.setObjectName("StateFilter")
        self.state_filter.setAccessibleName(self.tr("Show state"))
        self.state_filter.setToolTip(self.tr("Show conversations in one state"))
        self.state_filter.view().setAccessibleName(self.tr("States"))
        self.state_filter.addItem(self.tr("All states"), "")
        state_names = {
            "queued": self.tr("Waiting"),
            "offered": self.tr("Offered"),
            "active": self.tr("Active"),
            "held": self.tr("On hold"),
            "wrap_up": self.tr("Wrap-up"),
            SNOOZED: self.tr("Snoozed"),
        }
        for st in STATE_FILTERS:
            self.state_filter.addItem(state_names[st], st)
        self.tag_filter = QComboBox(self)
        self.tag_filter.setObjectName("TagFilter")
        self.tag_filter.setAccessibleName(self.tr("Show tag"))
        self.tag_filter.setToolTip(self.tr("Show conversations with one tag"))
        self.tag_filter.view().setAccessibleName(self.tr("Tags"))
        self.tag_filter.addItem(self.tr("All tags"), "")
        self.priority_filter = QComboBox(self)
        self.priority_filter.setObjectName("PriorityFilter")
        self.priority_filter.setAccessibleName(self.tr("Show priority"))
        self.priority_filter.setToolTip(self.tr("Show only the high and urgent conversations"))
        self.priority_filter.view().setAccessibleName(self.tr("Priorities"))
        self.priority_filter.addItem(self.tr("Any priority"), "")
        self.priority_filter.addItem(self.tr("High and urgent"), PRIORITY_FILTER_RAISED)
        channel_label = QLabel(self.tr("&Channel:"), self)
        channel_label.setBuddy(self.channel_filter)
        state_label = QLabel(self.tr("S&tate:"), self)
        state_label.setBuddy(self.state_filter)
        tag_label = QLabel(self.tr("T&ag:"), self)
        tag_label.setBuddy(self.tag_filter)
        priority_label = QLabel(self.tr("&Priority:"), self)
        priority_label.setBuddy(self.priority_filter)

        # -- the two sections -------------------------------------------------------------------
        self.proxies: dict[str, ConversationFilter] = {}
        self.views: dict[str, ConversationView] = {}
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("ConversationTabs")
        self.tabs.setAccessibleName(self.tr("Conversation lists"))
        self.tabs.setDocumentMode(True)
        names = {MINE: self.tr("My conversations"), QUEUE: self.tr("Queue")}
        for section in (MINE, QUEUE):
            proxy = ConversationFilter(section, self)
            proxy.setSourceModel(model)
            proxy.sort(0)
            view = ConversationView(self)
            view.setObjectName("MyConversations" if section == MINE else "QueueList")
            view.setAccessibleName(names[section])
            view.setModel(proxy)
            self._size_columns(view)
            view.selectionModel().currentChanged.connect(self._current_changed)
            view.openRequested.connect(self.conversationOpened)
            view.acceptRequested.connect(self.acceptRequested)
            view.declineRequested.connect(self.declineRequested)
            for sig in (proxy.rowsInserted, proxy.rowsRemoved, proxy.modelReset):
                sig.connect(self._update_titles)
            proxy.layoutChanged.connect(self._update_titles)
            self.proxies[section] = proxy
            self.views[section] = view
            self.tabs.addTab(view, names[section])
        self._names = names
        self.tabs.currentChanged.connect(self._tab_changed)
        self.channel_filter.currentIndexChanged.connect(self._filters_changed)
        self.state_filter.currentIndexChanged.connect(self._filters_changed)
        self.tag_filter.currentIndexChanged.connect(self._filters_changed)
        self.priority_filter.currentIndexChanged.connect(self._filters_changed)
        # The tags offered follow the conversations (a change without roles is a whole row),
        # once per burst of changes: reading every row for each of 300 arrivals was O(n²) and
        # stalled the window for 100 ms at the opening of a busy day.
        self._tags_later = QTimer(self)
        self._tags_later.setSingleShot(True)
        self._tags_later.setInterval(TAGS_REFRESH_MS)
        self._tags_later.timeout.connect(self._refresh_tags)
        model.rowsInserted.connect(self._tags_later.start)
        model.rowsRemoved.connect(self._tags_later.start)
        model.modelReset.connect(self._tags_later.start)
        model.dataChanged.connect(
            lambda _tl, _br, roles=(): None if roles else self._tags_later.start()
        )

        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(channel_label)
        top.addWidget(self.channel_filter, 1)
        top.addWidget(state_label)
        top.addWidget(self.state_filter, 1)
        second = QHBoxLayout()
        second.setContentsMargins(0, 0, 0, 0)
        second.addWidget(tag_label)
        second.addWidget(self.tag_filter, 1)
        second.addWidget(priority_label)
        second.addWidget(self.priority_filter, 1)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 0, 6)
        lay.addLayout(top)
        lay.addLayout(second)
        lay.addWidget(self.tabs, 1)
        self.setFocusProxy(self.views[MINE])

        # Ctrl+1…Ctrl+9: the n-th conversation of the visible tab, from anywhere in the window.
        self.jump_shortcuts: list[QShortcut] = []
        for n in range(1, 10):
            sc = QShortcut(QKeySequence(f"Ctrl+{n}"), self)
            sc.setContext(Qt.ShortcutContext.WindowShortcut)
            sc.activated.connect(lambda n=n: self.jump_to(n))
            self.jump_shortcuts.append(sc)
        self._refresh_tags()
        self._update_titles()

    # -- sizing ---------------------------------------------------------------------------------
    def _size_columns(self, view: ConversationView) -> None:
        # Fixed widths from the font, not ResizeToContents: that would measure every row on
        # every tick of a busy queue.
        fm = view.fontMetrics()
        header = view.header()
        header.setStretchLastSection(False)
        header.setMinimumSectionSize(fm.horizontalAdvance("0:00") + 12)
        widths = {
            Column.CHANNEL: fm.horizontalAdvance("WhatsApp") + 34,
            Column.CUSTOMER: fm.horizontalAdvance("Customer name") + 12,
            Column.STATE: fm.horizontalAdvance("Offered to you") + 12,
            Column.WAITING: fm.horizontalAdvance("0:00:00") + 30,
        }
        for col, width in widths.items():
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(col, width)
        header.setSectionResizeMode(Column.SUBJECT, QHeaderView.ResizeMode.Stretch)

    # -- reading --------------------------------------------------------------------------------
    def current_section(self) -> str:
        return MINE if self.tabs.currentIndex() == 0 else QUEUE

    def current_view(self) -> ConversationView:
        return self.views[self.current_section()]

    def current_conversation(self) -> dict[str, Any] | None:
        return self.current_view().current_conversation()

    def count(self, section: str) -> int:
        return self.proxies[section].rowCount()

    # -- actions --------------------------------------------------------------------------------
    def select_conversation(self, conversation_id: int, *, focus: bool = False) -> bool:
        """Show the tab that holds it and make it current; False if it is filtered out or
        unknown."""
        for section in (MINE, QUEUE):
            row = self.proxies[section].row_of(conversation_id)
            if row is not None:
                self.tabs.setCurrentIndex(0 if section == MINE else 1)
                self._make_current(self.views[section], row, focus)
                return True
        return False

    def clear_selection(self) -> None:
        """No conversation current in any tab (a customer without one was opened)."""
        for view in self.views.values():
            view.selectionModel().clear()

    def jump_to(self, n: int) -> None:
        """Ctrl+n: the n-th conversation (1-based) of the visible tab, focused."""
        view = self.current_view()
        if 1 <= n <= view.model().rowCount():
            self._make_current(view, n - 1, True)

    def focus_list(self) -> None:
        view = self.current_view()
        if not view.currentIndex().isValid() and view.model().rowCount():
            self._make_current(view, 0, True)
        view.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def _make_current(self, view: ConversationView, row: int, focus: bool) -> None:
        idx = view.model().index(row, 0)
        view.selectionModel().setCurrentIndex(
            idx,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        view.scrollTo(idx)
        if focus:
            view.setFocus(Qt.FocusReason.ShortcutFocusReason)

    # -- reactions ------------------------------------------------------------------------------
    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        conv = current.data(Role.CONVERSATION) if current.isValid() else None
        if isinstance(conv, dict):
            self.conversationSelected.emit(conv)

    def _tab_changed(self, _index: int) -> None:
        conv = self.current_conversation()
        if conv is not None:
            self.conversationSelected.emit(conv)

    def _filters_changed(self) -> None:
        channel = str(self.channel_filter.currentData() or "")
        state = str(self.state_filter.currentData() or "")
        tag = str(self.tag_filter.currentData() or "")
        raised = self.priority_filter.currentData() == PRIORITY_FILTER_RAISED
        for proxy in self.proxies.values():
            proxy.set_channel(channel or None)
            proxy.set_state(state or None)
            proxy.set_tag(tag or None)
            proxy.set_priorities(RAISED_PRIORITIES if raised else None)
        self._update_titles()

    def set_tag_filter(self, tag: str | None) -> bool:
        """Show only the conversations with ``tag`` (None: all); False if no row has it."""
        self._refresh_tags()  # the choices as the rows are now, not at the last refresh
        i = self.tag_filter.findData(tag or "")
        if i < 0:
            return False
        self.tag_filter.setCurrentIndex(i)
        return True

    def _refresh_tags(self, *_args: Any) -> None:
        """The tag filter lists the tags present; the chosen one stays while a row has it."""
        tags = self.model.tags()
        shown = [str(self.tag_filter.itemData(i)) for i in range(1, self.tag_filter.count())]
        if shown == tags:
            return
        chosen = str(self.tag_filter.currentData() or "")
        self.tag_filter.blockSignals(True)
        while self.tag_filter.count() > 1:
            self.tag_filter.removeItem(1)
        for tag in tags:
            self.tag_filter.addItem(f"#{tag}", tag)
        i = self.tag_filter.findData(chosen) if chosen else 0
        self.tag_filter.setCurrentIndex(max(i, 0))
        self.tag_filter.blockSignals(False)
        if chosen and i < 0:
            self._filters_changed()  # the chosen tag is gone from every row: show all

    def _update_titles(self, *_args: Any) -> None:
        for i, section in enumerate((MINE, QUEUE)):
            n = self.proxies[section].rowCount()
            title = f"{self._names[section]} ({n})"
            self.tabs.setTabText(i, title)
            self.tabs.setTabToolTip(i, title)
