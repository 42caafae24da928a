"""The operator's main window: conversations left, the unified feed and composer centre, the
customer card right, presence/connection/search on top. Presentation only: every action is an
intent on the session; nothing here touches the network or a database."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListView,
    QListWidget,
    QMainWindow,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from ui.conversation_model import ConversationModel, ConversationRole
from ui.feed_model import FeedModel

PRESENCE = ["available", "break", "after_call_work", "offline"]
ADDRESS_CHANNELS = {
    "web_visitor": ["webchat"],
    "email": ["email"],
    "telegram": ["telegram"],
    "whatsapp": ["whatsapp"],
    "phone": ["sms"],
}


class MainWindow(QMainWindow):
    offerAnnounced = Signal(str, str)  # channel, customer name
    closed = Signal()

    def __init__(self, session: Any, settings: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.settings = settings
        self.card: dict[str, Any] = {}
        self.current: dict[str, Any] | None = None
        self.setWindowTitle(self.tr("OmniDesk"))
        self.resize(1400, 860)

        # -- top: presence, connection, search ---------------------------------------------
        bar = QToolBar(self.tr("Status"), self)
        bar.setObjectName("TopBar")
        bar.setMovable(False)
        self.addToolBar(bar)
        self.presence = QComboBox(self)
        self.presence.setAccessibleName(self.tr("Presence"))
        labels = [
            self.tr("Available"),
            self.tr("Break"),
            self.tr("After-call work"),
            self.tr("Offline"),
        ]
        for p, label in zip(PRESENCE, labels, strict=True):
            self.presence.addItem(label, p)
        self.errors = {
            "offline": self.tr(
                "The gateway is unreachable; your replies are kept and sent when it is back."
            ),
            "conflict": self.tr("Someone else acted on this conversation first."),
            "forbidden": self.tr("Your role does not allow this."),
            "no_capacity": self.tr("No free capacity for this channel."),
            "channel_unavailable": self.tr("The customer cannot be reached on this channel."),
        }
        self.presence.activated.connect(
            lambda i: self.session.set_presence(self.presence.itemData(i))
        )
        bar.addWidget(self.presence)
        self.connection = QLabel(self.tr("Connecting…"), self)
        self.connection.setObjectName("ConnectionState")
        self.connection.setAccessibleName(self.tr("Connection state"))
        bar.addWidget(self.connection)
        self.search = QLineEdit(self)
        self.search.setPlaceholderText(self.tr("Search by phone, e-mail or name (Ctrl+K)"))
        self.search.setAccessibleName(self.tr("Customer search"))
        self.search.returnPressed.connect(lambda: self.session.search(self.search.text()))
        bar.addWidget(self.search)
        self.results = QListWidget(self)
        self.results.setAccessibleName(self.tr("Search results"))
        self.results.hide()
        self.results.itemActivated.connect(self._open_result)

        # -- left: conversations -------------------------------------------------------------
        self.conversations = ConversationModel(parent=self)
        self.list = QListView(self)
        self.list.setObjectName("ConversationList")
        self.list.setAccessibleName(self.tr("My conversations and the queue"))
        self.list.setModel(self.conversations)
        self.list.setUniformItemSizes(True)
        self.list.selectionModel().currentChanged.connect(self._select)
        left = QWidget(self)
        lv = QVBoxLayout(left)
        lv.addWidget(self.list)
        lv.addWidget(self.results)

        # -- centre: feed and composer -------------------------------------------------------
        self.feed = FeedModel(self)
        self.feed.olderWanted.connect(lambda cid, cur: self.session.load_older(cid, cur))
        self.feed_view = QListView(self)
        self.feed_view.setObjectName("Feed")
        self.feed_view.setAccessibleName(self.tr("Customer feed"))
        self.feed_view.setModel(self.feed)
        self.feed_view.setWordWrap(True)
        self.feed_view.setLayoutMode(QListView.LayoutMode.Batched)
        self.feed_view.setBatchSize(100)
        self.feed_view.setVerticalScrollMode(QListView.ScrollMode.ScrollPerPixel)
        self.channel = QComboBox(self)
        self.channel.setAccessibleName(self.tr("Reply channel"))
        self.composer = QPlainTextEdit(self)
        self.composer.setObjectName("Composer")
        self.composer.setAccessibleName(self.tr("Reply"))
        self.composer.setPlaceholderText(self.tr("Reply… (Ctrl+Enter sends)"))
        self.composer.setMaximumHeight(110)
        send = QPushButton(self.tr("Send"), self)
        send.setAccessibleName(self.tr("Send reply"))
        send.clicked.connect(self.send_reply)
        QShortcut(QKeySequence("Ctrl+Return"), self.composer, self.send_reply)
        QShortcut(QKeySequence("Ctrl+Enter"), self.composer, self.send_reply)
        centre = QWidget(self)
        cv = QVBoxLayout(centre)
        cv.addWidget(self.feed_view, 1)
        row = QHBoxLayout()
        row.addWidget(self.channel)
        row.addWidget(self.composer, 1)
        row.addWidget(send)
        cv.addLayout(row)

        # -- right: customer card and hints --------------------------------------------------
        self.card_label = QLabel(self.tr("No customer open"), self)
        self.card_label.setObjectName("CustomerCard")
        self.card_label.setAccessibleName(self.tr("Customer card"))
        self.card_label.setWordWrap(True)
        self.card_label.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.card_label.setTextFormat(Qt.TextFormat.PlainText)
        self.hints = QListWidget(self)
        self.hints.setObjectName("HintsPanel")
        self.hints.setAccessibleName(self.tr("Next best actions"))
        right = QWidget(self)
        rv = QVBoxLayout(right)
        rv.addWidget(self.card_label, 2)
        rv.addWidget(QLabel(self.tr("Next best actions"), self))
        rv.addWidget(self.hints, 1)

        split = QSplitter(self)
        for w in (left, centre, right):
            split.addWidget(w)
        split.setSizes([360, 680, 360])
        self.setCentralWidget(split)

        self._actions()
        self._wire()

    # -- wiring -----------------------------------------------------------------------------------
    def _actions(self) -> None:
        menu = self.menuBar().addMenu(self.tr("&Conversation"))
        for text, keys, slot in (
            (self.tr("Accept"), "A", self.accept_selected),
            (self.tr("Hold / resume"), "Ctrl+H", self._hold_or_resume),
            (self.tr("Transfer…"), "Ctrl+T", self._transfer),
            (self.tr("Note…"), "Ctrl+N", self._note),
            (self.tr("Wrap up…"), "Ctrl+W", self._wrap_up),
            (self.tr("Search"), "Ctrl+K", self.search.setFocus),
            (self.tr("Shortcuts"), "F1", self._shortcuts),
        ):
            act = QAction(text, self)
            act.setShortcut(QKeySequence(keys))
            if keys == "A":
                act.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
                self.list.addAction(act)
            act.triggered.connect(slot)
            menu.addAction(act)

    def _wire(self) -> None:
        s = self.session
        s.connectionChanged.connect(self._connection)
        s.signedIn.connect(self._signed_in)
        s.snapshotLoaded.connect(self._snapshot)
        s.conversationChanged.connect(lambda conv: self.conversations.upsert(conv))
        s.offerReceived.connect(self._offer)
        s.presenceChanged.connect(self._presence)
        s.customerOpened.connect(self._opened)
        s.timelinePage.connect(self.feed.add_older)
        s.timelineItem.connect(self._item)
        s.deliveryChanged.connect(self.feed.set_delivery)
        s.localQueued.connect(self._local)
        s.commandDone.connect(self._done)
        s.commandFailed.connect(self._failed)
        s.searchResults.connect(self._results)
        s.hintsChanged.connect(self._hints)
        s.outboxChanged.connect(self._outbox)
        self._waiting = 0

    # -- session events -----------------------------------------------------------------------
    def _connection(self, state: str, detail: str) -> None:
        text = {
            "online": self.tr("Online"),
            "connecting": self.tr("Connecting…"),
            "reconnecting": self.tr("Gateway unreachable: retrying; replies are kept"),
            "offline": self.tr("Offline"),
            "auth_failed": self.tr("Sign-in failed"),
        }.get(state, state)
        self.connection.setText(text)
        self.connection.setProperty("state", state)

    def _outbox(self, n: int) -> None:
        self._waiting = n
        self.statusBar().showMessage(self.tr("%n replies waiting to be sent", "", n) if n else "")

    def _signed_in(self, operator: dict[str, Any]) -> None:
        self.conversations.operator_id = int(operator["id"])
        self.setWindowTitle(self.tr("OmniDesk — %1").replace("%1", operator["display_name"]))

    def _snapshot(self, snap: dict[str, Any]) -> None:
        self.conversations.load(snap)
        self._presence(snap.get("presence", "offline"), "")

    def _presence(self, presence: str, _since: str) -> None:
        i = PRESENCE.index(presence) if presence in PRESENCE else 3
        self.presence.setCurrentIndex(i)

    def _offer(self, conv: dict[str, Any], customer: dict[str, Any]) -> None:
        self.conversations.upsert(conv, customer.get("name", ""))
        row = self.conversations.row_of(conv["id"])
        if row is not None and self.current is None:
            self.list.setCurrentIndex(self.conversations.index(row))
        self.offerAnnounced.emit(conv["channel"], customer.get("name", ""))

    def _select(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid():
            return
        conv = current.data(ConversationRole)
        self.current = conv
        self.conversations.mark_unread(conv["id"], False)
        if not self.card or self.card["customer"]["id"] != conv["customer_id"]:
            self.session.open_customer(conv["customer_id"])

    def _opened(self, card: dict[str, Any]) -> None:
        self.card = card
        cust = card["customer"]
        self.feed.show(cust["id"], card["timeline"])
        self.feed_view.scrollToBottom()
        lines = [cust["name"] or self.tr("(no name)"), self.tr("Segment: ") + cust["segment"]]
        if cust.get("last_csat") is not None:
            lines.append(self.tr("Last CSAT: ") + str(cust["last_csat"]))
        lines.append("")
        for ident in card["identities"]:
            mark = "✔" if ident["verified"] else "?"
            lines.append(f"{mark} {ident['kind']}: {ident['value']}")
        if card["purchases"]:
            lines.append("")
            for p in card["purchases"][:6]:
                lines.append(
                    f"{p['order']} · {p['product']} · {p['status']} · "
                    f"{p['amount']:.0f} {p['currency']}"
                )
        open_tp = [t for t in card["touchpoints"] if t["status"] != "closed"]
        if open_tp:
            lines.append("")
            for t in open_tp:
                lines.append(f"⚑ {t['subject']} · {t['status']} · {t['age_s'] // 86400} d")
        self.card_label.setText("\n".join(lines))
        self.channel.clear()
        for ident in card["identities"]:
            for ch in ADDRESS_CHANNELS.get(ident["kind"], []):
                if self.channel.findData(ch) < 0:
                    self.channel.addItem(ch, ch)
        last = self.feed.last_inbound_channel()
        if last is not None and self.channel.findData(last) >= 0:
            self.channel.setCurrentIndex(self.channel.findData(last))
        self._hints(cust["id"], card.get("hints", []))

    def _item(self, item: dict[str, Any]) -> None:
        self.feed.append(item)
        conv_id = item.get("conversation_id")
        if (
            item["direction"] == "in"
            and conv_id
            and (self.current is None or self.current["id"] != conv_id)
        ):
            self.conversations.mark_unread(conv_id)
        if item.get("customer_id") == self.feed.customer_id:
            self.feed_view.scrollToBottom()

    def _local(self, name: str, key: str, args: dict[str, Any]) -> None:
        if name == "message.send":
            self.feed.append(
                {
                    "id": None,
                    "customer_id": args["customer_id"],
                    "kind": "message",
                    "channel": args["channel"],
                    "direction": "out",
                    "author": "",
                    "body": args["text"],
                    "delivery": "pending",
                    "at": "",
                },
                key=key,
            )
            self.feed_view.scrollToBottom()

    def _done(self, name: str, key: str, result: dict[str, Any]) -> None:
        if name == "message.send" and "item" in result:
            self.feed.append(result["item"], key=key)

    def _failed(self, name: str, code: str, message: str) -> None:
        self.statusBar().showMessage(self.errors.get(code, message), 8000)

    def _results(self, _query: str, customers: list[dict[str, Any]]) -> None:
        self.results.clear()
        for c in customers:
            self.results.addItem(
                f"{c['name']} · " + ", ".join(i["value"] for i in c.get("identities", [])[:2])
            )
            self.results.item(self.results.count() - 1).setData(Qt.ItemDataRole.UserRole, c["id"])
        self.results.setVisible(bool(customers))
        if customers:
            self.results.setFocus()
            self.results.setCurrentRow(0)

    def _open_result(self, item: Any) -> None:
        self.session.open_customer(int(item.data(Qt.ItemDataRole.UserRole)))
        self.results.hide()

    def _hints(self, customer_id: int, hints: list[dict[str, Any]]) -> None:
        if self.card and customer_id != self.card["customer"]["id"]:
            return
        self.hints.clear()
        for h in hints:
            self.hints.addItem(f"{h.get('title', '')}\n{h.get('reason', '')}")

    def closeEvent(self, event: QCloseEvent) -> None:
        self.closed.emit()
        super().closeEvent(event)

    # -- intents (also used by the automation hook) -------------------------------------------
    def set_presence(self, status: str) -> None:
        self.session.set_presence(status)

    def accept_selected(self) -> None:
        if self.current and self.current["state"] in ("offered", "queued"):
            self.session.accept(int(self.current["id"]))

    def accept_conversation(self, conversation_id: int) -> None:
        row = self.conversations.row_of(conversation_id)
        if row is not None:
            self.list.setCurrentIndex(self.conversations.index(row))
        self.session.accept(conversation_id)

    def send_reply(self) -> None:
        text = self.composer.toPlainText().strip()
        if not text or not self.card:
            return
        channel = self.channel.currentData() or "webchat"
        conv_id = (
            self.current["id"]
            if self.current and self.current["customer_id"] == self.card["customer"]["id"]
            else None
        )
        self.session.send_message(self.card["customer"]["id"], channel, text, conv_id)
        self.composer.clear()

    def type_reply(self, text: str) -> None:
        self.composer.setPlainText(text)
        self.send_reply()

    def feed_texts(self) -> list[str]:
        return self.feed.texts()

    def conversation_count(self) -> int:
        return self.conversations.rowCount()

    def _hold_or_resume(self) -> None:
        if self.current:
            if self.current["state"] == "held":
                self.session.resume(int(self.current["id"]))
            else:
                self.session.hold(int(self.current["id"]))

    def _transfer(self) -> None:
        if not self.current:
            return
        queue, ok = QInputDialog.getText(
            self, self.tr("Transfer"), self.tr("To queue:"), text="general"
        )
        if ok and queue:
            note, _ = QInputDialog.getText(self, self.tr("Transfer"), self.tr("Note:"))
            self.session.transfer(int(self.current["id"]), queue=queue, note=note)

    def _note(self) -> None:
        if not self.card:
            return
        text, ok = QInputDialog.getMultiLineText(self, self.tr("Note"), self.tr("Note:"))
        if ok and text.strip():
            conv = self.current["id"] if self.current else None
            self.session.add_note(self.card["customer"]["id"], text, conv)

    def _wrap_up(self) -> None:
        if not self.current:
            return
        disposition, ok = QInputDialog.getItem(
            self,
            self.tr("Wrap up"),
            self.tr("Disposition:"),
            [
                self.tr("resolved"),
                self.tr("information"),
                self.tr("complaint"),
                self.tr("sale"),
                self.tr("callback"),
            ],
            0,
            False,
        )
        if ok:
            self.session.wrap_up(int(self.current["id"]), disposition)

    def _shortcuts(self) -> None:
        QMessageBox.information(
            self,
            self.tr("Shortcuts"),
            self.tr(
                "A — accept the selected offer\nCtrl+Enter — send the reply\n"
                "Ctrl+K — search customers\nCtrl+H — hold / resume\nCtrl+T — transfer\n"
                "Ctrl+N — note\nCtrl+W — wrap up\nF1 — this help"
            ),
        )
