"""The customer card (right pane): who this is, how to reach them, what they bought, what is
still open with them.

Every text from the gateway is shown as plain text (a customer's name is data, not markup) and
can be selected and copied with the keyboard. From the card the operator edits the customer's
details (Edit…, Ctrl+Shift+E), opens an order (Enter or a double click on it) and writes first
(Write first…, Ctrl+Shift+N); a change anyone makes to the customer shows at once
(``customer.updated``).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication, QLocale, QRectF, QSize, Qt
from PySide6.QtGui import QAction, QColor, QFont, QKeySequence, QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ui.icons import icon
from ui.labels import channel_names, status_names

CURRENCY = {"RUB": "₽", "USD": "$", "EUR": "€"}
AVATAR_COLOURS = ("#5c6bc0", "#00897b", "#8e24aa", "#f4511e", "#3949ab", "#6d4c41", "#039be5")


def format_amount(amount: Any, currency: str) -> str:
    """An amount as the desk shows it everywhere: whole units in the interface's locale and
    the currency's sign ("1 290 ₽")."""
    number = QLocale().toString(float(amount or 0), "f", 0)
    return f"{number} {CURRENCY.get(currency, currency)}".strip()


def initials(name: str) -> str:
    """Up to two capital letters: "Вера Тестова" -> "ВТ"; "" -> "?"."""
    parts = [p for p in name.replace("-", " ").split() if p[:1].isalnum()]
    if not parts:
        return "?"
    letters = parts[0][0] + (parts[-1][0] if len(parts) > 1 else "")
    return letters.upper()


def scaled_font(font: QFont, factor: float) -> QFont:
    """The font, ``factor`` times as large, whether it is sized in points or pixels."""
    out = QFont(font)
    if font.pointSizeF() > 0:
        out.setPointSizeF(font.pointSizeF() * factor)
    elif font.pixelSize() > 0:
        out.setPixelSize(max(1, round(font.pixelSize() * factor)))
    return out


def format_age(seconds: int) -> str:
    """How long ago, short: "5 min", "3 h", "3 d"."""
    s = max(0, int(seconds))
    if s < 3600:
        return QCoreApplication.translate("CustomerCard", "%1 min").replace(
            "%1", str(max(1, s // 60))
        )
    if s < 86400:
        return QCoreApplication.translate("CustomerCard", "%1 h").replace("%1", str(s // 3600))
    return QCoreApplication.translate("CustomerCard", "%1 d").replace("%1", str(s // 86400))


class Avatar(QWidget):
    """A round badge with the customer's initials; its colour follows the customer id."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._text = "?"
        self._colour = QColor(AVATAR_COLOURS[0])
        self.setFixedSize(QSize(48, 48))
        self.setAccessibleName(self.tr("Initials"))

    def set_customer(self, customer_id: int, name: str) -> None:
        self._text = initials(name)
        self._colour = QColor(AVATAR_COLOURS[customer_id % len(AVATAR_COLOURS)])
        self.setAccessibleDescription(self._text)
        self.update()

    def text(self) -> str:
        return self._text

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(self._colour)
        rect = QRectF(self.rect()).adjusted(1, 1, -1, -1)
        p.drawEllipse(rect)
        font = QFont(self.font())
        font.setBold(True)
        font.setPixelSize(int(rect.height() * 0.38))
        p.setFont(font)
        p.setPen(QColor("#ffffff"))
        p.drawText(rect, Qt.AlignmentFlag.AlignCenter, self._text)
        p.end()


def _label(text: str, parent: QWidget, name: str = "") -> QLabel:
    lab = QLabel(text, parent)
    lab.setTextFormat(Qt.TextFormat.PlainText)
    lab.setWordWrap(True)
    lab.setTextInteractionFlags(
        Qt.TextInteractionFlag.TextSelectableByMouse
        | Qt.TextInteractionFlag.TextSelectableByKeyboard
    )
    if name:
        lab.setObjectName(name)
    return lab


class CustomerCard(QScrollArea):
    def __init__(self, parent: QWidget | None = None, *, session: Any = None) -> None:
        """``session``: the operator's session (by default the parent window's), which the
        card's own commands go through; without one the card only shows."""
        super().__init__(parent)
        self.session: Any = session if session is not None else getattr(parent, "session", None)
        self.dialog: QDialog | None = None
        self._keys: dict[str, str] = {}  # idempotency key -> what it was (for its answer)
        self._order_asked: tuple[int, str] | None = None
        self._follow: int | None = None  # a conversation started here: open it once listed
        self._follow_channel: str | None = None  # refused as open already: open that one
        self.setObjectName("CustomerCard")
        self.setAccessibleName(self.tr("Customer card"))
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.card: dict[str, Any] = {}
        self._ident_rows: list[tuple[QLabel, QLabel, QLabel]] = []
        self._tp_rows: list[tuple[QLabel, QLabel]] = []
        self._kind_names = {
            "phone": self.tr("Phone"),
            "email": self.tr("E-mail"),
            "telegram": self.tr("Telegram"),
            "whatsapp": self.tr("WhatsApp"),
            "web_visitor": self.tr("Web chat"),
        }
        self._segment_names = {
            "standard": self.tr("Standard"),
            "premium": self.tr("Premium"),
            "vip": self.tr("VIP"),
            "new": self.tr("New customer"),
        }
        self._status_names = status_names()

        body = QWidget(self)
        body.setObjectName("CustomerCardBody")
        self.setWidget(body)
        lay = QVBoxLayout(body)
        lay.setContentsMargins(10, 8, 10, 8)
        lay.setSpacing(6)

        # -- header: avatar, name, segment, CSAT ------------------------------------------------
        self.avatar = Avatar(body)
        self.name = _label(self.tr("No customer open"), body, "CustomerName")
        self.name.setAccessibleName(self.tr("Customer name"))
        big = scaled_font(self.name.font(), 1.3)
        big.setBold(True)
        self.name.setFont(big)
        self.segment = _label("", body, "CustomerSegment")
        self.segment.setAccessibleName(self.tr("Segment"))
        self.csat = _label("", body, "CustomerCsat")
        self.csat.setAccessibleName(self.tr("Last CSAT"))
        head_text = QVBoxLayout()
        head_text.setSpacing(2)
        head_text.addWidget(self.name)
        # Segment and CSAT each on a line of their own: side by side they wrapped in a narrow
        # card ("Последняя / оценка CSAT: / 4 из 5").
        self.csat.setWordWrap(False)
        head_text.addWidget(self.segment)
        head_text.addWidget(self.csat)
        head = QHBoxLayout()
        head.addWidget(self.avatar, 0, Qt.AlignmentFlag.AlignTop)
        head.addLayout(head_text, 1)
        lay.addLayout(head)

        # -- what the operator may do with the customer -----------------------------------------
        self.edit_button = QPushButton(self.tr("&Edit…"), body)
        self.edit_button.setObjectName("CustomerEdit")
        self.edit_button.setAccessibleName(self.tr("Edit the customer's details"))
        self.edit_button.setToolTip(self.tr("Edit the customer's details (Ctrl+Shift+E)"))
        self.edit_button.clicked.connect(self.edit)
        self.write_button = QPushButton(self.tr("&Write first…"), body)
        self.write_button.setObjectName("CustomerWriteFirst")
        self.write_button.setAccessibleName(self.tr("Write first to the customer"))
        self.write_button.setToolTip(
            self.tr("Start a conversation with the customer (Ctrl+Shift+N)")
        )
        self.write_button.clicked.connect(self.write_first)
        self.log_button = QPushButton(self.tr("&Log visit or call…"), body)
        self.log_button.setObjectName("CustomerLogTouchpoint")
        self.log_button.setAccessibleName(self.tr("Log a visit or an outside call"))
        self.log_button.setToolTip(
            self.tr("Log a visit in person or a call outside the system (Ctrl+Shift+L)")
        )
        self.log_button.clicked.connect(self.log_touchpoint)
        self.merge_button = QPushButton(self.tr("&Merge with…"), body)
        self.merge_button.setObjectName("CustomerMergeWith")
        self.merge_button.setAccessibleName(self.tr("Merge with another customer"))
        self.merge_button.setToolTip(
            self.tr("This customer is someone else on the desk too: make them one (Ctrl+Shift+M)")
        )
        self.merge_button.clicked.connect(self.merge_with)
        # Two a row: four side by side do not fit a narrow card in Russian.
        actions = QGridLayout()
        actions.setHorizontalSpacing(6)
        actions.setVerticalSpacing(4)
        for index, button in enumerate(
            (self.edit_button, self.write_button, self.log_button, self.merge_button)
        ):
            actions.addWidget(button, index // 2, index % 2)
        actions.setColumnStretch(2, 1)
        lay.addLayout(actions)
        self.edit_action = self._shortcut("Ctrl+Shift+E", self.tr("Edit customer…"), self.edit)
        self.write_action = self._shortcut(
            "Ctrl+Shift+N", self.tr("Write first…"), self.write_first
        )
        self.log_action = self._shortcut(
            "Ctrl+Shift+L", self.tr("Log visit or call…"), self.log_touchpoint
        )
        self.merge_action = self._shortcut("Ctrl+Shift+M", self.tr("Merge with…"), self.merge_with)
        self.problem = _label("", body, "CustomerCardProblem")
        self.problem.setProperty("role", "warning")
        self.problem.setAccessibleName(self.tr("Problem"))
        lay.addWidget(self.problem)

        # -- one person, two customers ----------------------------------------------------------
        self.same_title = self._section(self.tr("The same person?"), body)
        lay.addWidget(self.same_title)
        self.same_person = QWidget(body)
        self.same_person.setObjectName("CustomerMerges")
        self.same_person.setAccessibleName(self.tr("Possible duplicates and merges"))
        self._same_layout = QVBoxLayout(self.same_person)
        self._same_layout.setContentsMargins(0, 0, 0, 0)
        self._same_layout.setSpacing(2)
        lay.addWidget(self.same_person)
        self.merge_buttons: list[tuple[str, int, QPushButton]] = []  # for tests and keys

        # -- identities -------------------------------------------------------------------------
        self.identities_title = self._section(self.tr("Contacts"), body)
        lay.addWidget(self.identities_title)
        self.identities = QWidget(body)
        self.identities.setObjectName("CustomerIdentities")
        self.identities.setAccessibleName(self.tr("Contacts"))
        self._ident_grid = QGridLayout(self.identities)
        self._ident_grid.setContentsMargins(0, 0, 0, 0)
        self._ident_grid.setHorizontalSpacing(8)
        self._ident_grid.setVerticalSpacing(2)
        self._ident_grid.setColumnStretch(1, 1)
        lay.addWidget(self.identities)

        # -- products and purchases -------------------------------------------------------------
        self.products_title = self._section(self.tr("Products"), body)
        lay.addWidget(self.products_title)
        self.products = _label("", body, "CustomerProducts")
        self.products.setAccessibleName(self.tr("Products"))
        lay.addWidget(self.products)
        self.purchases_title = self._section(self.tr("Purchases"), body)
        lay.addWidget(self.purchases_title)
        self.purchases = QTreeWidget(body)
        self.purchases.setObjectName("CustomerPurchases")
        self.purchases.setAccessibleName(self.tr("Purchases"))
        self.purchases.setHeaderLabels([self.tr("Order"), self.tr("Status"), self.tr("Amount")])
        self.purchases.setRootIsDecorated(False)
        self.purchases.setUniformRowHeights(True)
        self.purchases.setAllColumnsShowFocus(True)
        self.purchases.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.purchases.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.purchases.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.purchases.setToolTip(self.tr("Enter or a double click opens the order"))
        self.purchases.itemActivated.connect(lambda item, _col: self.open_order(item))
        lay.addWidget(self.purchases)

        # -- open touchpoints -------------------------------------------------------------------
        self.touchpoints_title = self._section(self.tr("Open requests"), body)
        lay.addWidget(self.touchpoints_title)
        self.touchpoints = QWidget(body)
        self.touchpoints.setObjectName("CustomerTouchpoints")
        self.touchpoints.setAccessibleName(self.tr("Open requests"))
        self._tp_layout = QVBoxLayout(self.touchpoints)
        self._tp_layout.setContentsMargins(0, 0, 0, 0)
        self._tp_layout.setSpacing(2)
        lay.addWidget(self.touchpoints)
        lay.addStretch(1)
        self.clear()
        if self.session is not None:
            s = self.session
            s.customerUpdated.connect(self._customer_updated)
            s.orderLoaded.connect(self._order_loaded)
            s.commandDone.connect(self._command_done)
            s.commandFailed.connect(self._command_failed)
            s.conversationChanged.connect(self._conversation_changed)

    def _shortcut(self, keys: str, text: str, slot: Any) -> QAction:
        act = QAction(text, self)
        act.setShortcut(QKeySequence(keys))
        act.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        act.triggered.connect(slot)
        self.addAction(act)
        return act

    def _section(self, text: str, parent: QWidget) -> QLabel:
        lab = QLabel(text, parent)
        lab.setTextFormat(Qt.TextFormat.PlainText)
        font = QFont(lab.font())
        font.setBold(True)
        lab.setFont(font)
        lab.setProperty("role", "section")
        lab.setContentsMargins(0, 6, 0, 0)
        return lab

    # -- content --------------------------------------------------------------------------------
    def customer_id(self) -> int | None:
        cust = self.card.get("customer")
        return int(cust["id"]) if cust else None

    def clear(self) -> None:
        self.card = {}
        self._say("")
        self._enable_actions()
        self.avatar.set_customer(0, "")
        self.avatar.setVisible(False)
        self.name.setText(self.tr("No customer open"))
        self.segment.clear()
        self.csat.clear()
        self._clear_layout(self._ident_grid)
        self._clear_layout(self._tp_layout)
        self._ident_rows = []
        self._tp_rows = []
        self.purchases.clear()
        self.products.clear()
        for w in (
            self.identities_title,
            self.identities,
            self.products_title,
            self.products,
            self.purchases_title,
            self.purchases,
            self.touchpoints_title,
            self.touchpoints,
        ):
            w.setVisible(False)

    def show_card(self, card: dict[str, Any]) -> None:
        self.card = card
        cust = card.get("customer") or {}
        name = str(cust.get("name") or "") or self.tr("(no name)")
        self.avatar.set_customer(int(cust.get("id") or 0), str(cust.get("name") or ""))
        self.avatar.setVisible(True)
        self.name.setText(name)
        segment = str(cust.get("segment") or "")
        self.segment.setText(self._segment_names.get(segment, segment))
        csat = cust.get("last_csat")
        self.csat.setText(
            self.tr("Last CSAT: %1 of 5").replace("%1", str(csat)) if csat is not None else ""
        )
        self._show_identities(card.get("identities") or [])
        self._show_purchases(card.get("products") or [], card.get("purchases") or [])
        self._show_touchpoints(card.get("touchpoints") or [])
        self._show_merges(card)
        if not self._keys:
            self._say("")
        redirected = card.get("redirected_from")
        if redirected:
            self._say(
                self.tr("Customer %1 was merged into this one.").replace("%1", str(redirected))
            )
        self._enable_actions()
        if self._follow_channel is not None:
            # Refused because one is open on that channel: that one opens instead.
            channel, self._follow_channel = self._follow_channel, None
            for conv in card.get("open_conversations") or []:
                if conv.get("channel") == channel:
                    self._open_conversation(int(conv["id"]))
                    break

    def _show_merges(self, card: dict[str, Any]) -> None:
        """Suggestions to confirm or reject, and merges into this customer to undo."""
        self._clear_layout(self._same_layout)
        self.merge_buttons = []
        evidence = {
            "claimed": self.tr("typed in by the customer or an operator"),
            "proven": self.tr("proved by a channel"),
        }
        kinds = self._kind_names
        for sug in card.get("merge_suggestions") or []:
            other = sug.get("other") or {}
            name = str(other.get("name") or "") or self.tr("(no name)")
            kind = str(sug.get("kind") or "")
            text = self.tr("%1 has the same %2 %3 (%4)")
            text = (
                text.replace("%1", name)
                .replace("%2", kinds.get(kind, kind))
                .replace("%3", str(sug.get("value") or ""))
                .replace("%4", evidence.get(str(sug.get("evidence")), ""))
            )
            merge = QPushButton(self.tr("Merge"), self.same_person)
            merge.setAccessibleName(self.tr("Merge with %1").replace("%1", name))
            merge.clicked.connect(
                lambda _c=False, o=int(other["id"]), i=int(sug["id"]): self._merge(o, i)
            )
            reject = QPushButton(self.tr("Not the same"), self.same_person)
            reject.setAccessibleName(self.tr("%1 is another person").replace("%1", name))
            reject.clicked.connect(lambda _c=False, i=int(sug["id"]): self._reject(i))
            self._same_row(text, [merge, reject])
            self.merge_buttons += [
                ("merge", int(sug["id"]), merge),
                ("reject", int(sug["id"]), reject),
            ]
        field_names = {
            "display_name": self.tr("name"),
            "segment": self.tr("segment"),
            "language": self.tr("language"),
        }
        for merge_row in card.get("merges") or []:
            merged = merge_row.get("merged") or {}
            name = str(merged.get("name") or "") or self.tr("(no name)")
            text = self.tr("Merged with %1").replace("%1", name)
            conflicts = merge_row.get("conflicts") or {}
            if conflicts:
                differed = "; ".join(
                    f"{field_names.get(f, f)}: {v.get('merged', '')}" for f, v in conflicts.items()
                )
                text += " · " + self.tr("theirs differed, kept this one's: %1").replace(
                    "%1", differed
                )
            undo = QPushButton(self.tr("Undo merge"), self.same_person)
            undo.setAccessibleName(self.tr("Undo the merge with %1").replace("%1", name))
            undo.clicked.connect(lambda _c=False, i=int(merge_row["id"]): self._unmerge(i))
            self._same_row(text, [undo])
            self.merge_buttons.append(("undo", int(merge_row["id"]), undo))
        shown = bool(self.merge_buttons)
        self.same_title.setVisible(shown)
        self.same_person.setVisible(shown)

    def _same_row(self, text: str, buttons: list[QPushButton]) -> None:
        row = QWidget(self.same_person)
        h = QHBoxLayout(row)
        h.setContentsMargins(0, 0, 0, 0)
        h.setSpacing(6)
        label = _label(text, row, "MergeText")
        label.setWordWrap(True)
        h.addWidget(label, 1)
        for b in buttons:
            b.setEnabled(self.session is not None)
            h.addWidget(b, 0, Qt.AlignmentFlag.AlignTop)
        row.setAccessibleName(text)
        self._same_layout.addWidget(row)

    def _merge(self, other_id: int, suggestion_id: int | None = None) -> None:
        customer_id = self.customer_id()
        if customer_id is None or self.session is None:
            return
        key = self.session.merge_customers(customer_id, other_id, suggestion_id)
        self._keys[key] = "merge"
        self._say(self.tr("Merging…"))

    def _reject(self, suggestion_id: int) -> None:
        if self.session is not None:
            self._keys[self.session.reject_merge(suggestion_id)] = "reject"

    def _unmerge(self, merge_id: int) -> None:
        if self.session is not None:
            self._keys[self.session.unmerge(merge_id)] = "unmerge"
            self._say(self.tr("Undoing the merge…"))

    def merge_with(self) -> None:
        """Merge with… : pick another customer who is the same person."""
        from ui.merge_dialog import MergeDialog

        customer_id = self.customer_id()
        if customer_id is None or self.session is None:
            return
        dialog = MergeDialog(self.session, customer_id, self.window())
        self._open_dialog(dialog, lambda: self._merge(dialog.chosen()))

    def _show_identities(self, identities: list[dict[str, Any]]) -> None:
        self._clear_layout(self._ident_grid)
        self._ident_rows = []
        for row, ident in enumerate(identities):
            kind = str(ident.get("kind", ""))
            kind_label = _label(self._kind_names.get(kind, kind), self.identities)
            value = _label(str(ident.get("value", "")), self.identities, "IdentityValue")
            verified = bool(ident.get("verified"))
            # Only what a channel proved routes and merges; what the customer merely typed
            # (web chat "identify") is a suggestion, and a reply there may reach someone else.
            claimed = bool(ident.get("claimed"))
            if verified:
                mark_text, role = "✓ " + self.tr("verified"), "success"
                spoken = self.tr("verified")
                tip = self.tr("Confirmed by the channel the customer wrote from")
            elif claimed:
                mark_text, role = "? " + self.tr("claimed"), "warning"
                spoken = self.tr("claimed, not verified")
                tip = self.tr(
                    "The customer typed this but has not written from it: it is not confirmed, "
                    "and a reply there may reach someone else"
                )
            else:
                mark_text, role = self.tr("not confirmed"), "muted"
                spoken = tip = self.tr("not confirmed yet")
            mark = _label(mark_text, self.identities, "IdentityMark")
            mark.setWordWrap(False)  # a mark cut in two reads as two
            mark.setProperty("verified", verified)
            mark.setProperty("claimed", claimed)
            mark.setProperty("role", role)
            mark.setToolTip(tip)
            value.setToolTip(tip)
            value.setAccessibleName(f"{kind_label.text()}: {value.text()}, {spoken}")
            self._ident_grid.addWidget(kind_label, row, 0)
            self._ident_grid.addWidget(value, row, 1)
            self._ident_grid.addWidget(mark, row, 2)
            self._ident_rows.append((kind_label, value, mark))
        shown = bool(identities)
        self.identities_title.setVisible(shown)
        self.identities.setVisible(shown)

    def _show_purchases(self, products: list[str], purchases: list[dict[str, Any]]) -> None:
        self.products.setText(", ".join(str(p) for p in products))
        self.products_title.setVisible(bool(products))
        self.products.setVisible(bool(products))
        self.purchases.clear()
        for p in purchases:
            currency = str(p.get("currency") or "")
            status = str(p.get("status") or "")
            item = QTreeWidgetItem(
                [
                    str(p.get("order") or ""),
                    self._status_names.get(status, status),
                    format_amount(p.get("amount"), currency),
                ]
            )
            item.setData(0, Qt.ItemDataRole.UserRole, str(p.get("order") or ""))
            item.setToolTip(0, str(p.get("product") or ""))
            item.setToolTip(1, str(p.get("product") or ""))
            item.setTextAlignment(2, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.purchases.addTopLevelItem(item)
        fm = self.purchases.fontMetrics()
        self.purchases.header().resizeSection(0, fm.horizontalAdvance("ORD-2025-000000") + 14)
        self.purchases.header().resizeSection(1, fm.horizontalAdvance("delivered") + 24)
        rows = min(len(purchases), 6)
        row_h = max(self.purchases.sizeHintForRow(0), fm.height() + 6) if purchases else 0
        header_h = self.purchases.header().sizeHint().height()
        self.purchases.setFixedHeight(header_h + rows * row_h + 2 * self.purchases.frameWidth())
        self.purchases_title.setVisible(bool(purchases))
        self.purchases.setVisible(bool(purchases))

    def _show_touchpoints(self, touchpoints: list[dict[str, Any]]) -> None:
        self._clear_layout(self._tp_layout)
        self._tp_rows = []
        still_open = [t for t in touchpoints if t.get("status") != "closed"]
        for tp in still_open:
            row = QWidget(self.touchpoints)
            h = QHBoxLayout(row)
            h.setContentsMargins(0, 0, 0, 0)
            h.setSpacing(6)
            channel = str(tp.get("channel") or "")
            pic = QLabel(row)
            pic.setPixmap(icon(channel).pixmap(QSize(16, 16), self.devicePixelRatioF()))
            pic.setFixedWidth(18)
            pic.setAccessibleName(channel_names().get(channel, channel))
            status = str(tp.get("status") or "")
            age = format_age(int(tp.get("age_s") or 0))
            subject = _label(str(tp.get("subject") or ""), row, "TouchpointSubject")
            meta = _label(f"{self._status_names.get(status, status)} · {age}", row)
            meta.setObjectName("TouchpointMeta")
            meta.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
            meta.setWordWrap(False)
            row.setAccessibleName(f"{subject.text()}, {meta.text()}")
            h.addWidget(pic, 0, Qt.AlignmentFlag.AlignTop)
            h.addWidget(subject, 1)
            h.addWidget(meta, 0)
            self._tp_layout.addWidget(row)
            self._tp_rows.append((subject, meta))
        self.touchpoints_title.setVisible(bool(still_open))
        self.touchpoints.setVisible(bool(still_open))

    # -- the operator's commands ----------------------------------------------------------------
    def _enable_actions(self) -> None:
        usable = bool(self.card) and self.session is not None
        for w in (self.edit_button, self.write_button, self.log_button, self.merge_button):
            w.setVisible(bool(self.card))
            w.setEnabled(usable)
        for act in (self.edit_action, self.write_action, self.log_action, self.merge_action):
            act.setEnabled(usable)

    def _say(self, text: str) -> None:
        self.problem.setText(text)
        self.problem.setVisible(bool(text))

    def _open_dialog(self, dialog: QDialog, on_accept: Any) -> None:
        if self.dialog is not None:
            self.dialog.reject()
        self.dialog = dialog
        dialog.accepted.connect(on_accept)

        def finished(_result: int) -> None:
            if self.dialog is dialog:
                self.dialog = None
            dialog.deleteLater()

        dialog.finished.connect(finished)
        dialog.open()

    def edit(self) -> None:
        """Edit… : the customer's name, segment, language and typed contacts."""
        from ui.customer_edit import CustomerEditDialog

        customer_id = self.customer_id()
        if customer_id is None or self.session is None:
            return
        dialog = CustomerEditDialog(self.card, self.window())
        self._open_dialog(dialog, lambda: self._save(customer_id, dialog.values()))

    def _save(self, customer_id: int, values: dict[str, Any]) -> None:
        s = self.session
        if values["fields"]:
            self._keys[s.update_customer(customer_id, **values["fields"])] = "update"
        for kind, value in values["remove"]:
            self._keys[s.remove_contact(customer_id, kind, value)] = "remove"
        for kind, value in values["add"]:
            self._keys[s.add_contact(customer_id, kind, value)] = "add"
        if self._keys:
            self._say(self.tr("Saving…"))

    def log_touchpoint(self) -> None:
        """Log visit or call… : a touchpoint outside the system on the customer's timeline."""
        from ui.log_touchpoint import LogTouchpointDialog

        customer_id = self.customer_id()
        if customer_id is None or self.session is None:
            return
        dialog = LogTouchpointDialog(self.card, self.window())

        def save() -> None:
            self._keys[self.session.log_touchpoint(customer_id, dialog.values())] = "touchpoint"
            self._say(self.tr("Saving…"))

        self._open_dialog(dialog, save)

    def write_first(self) -> None:
        """Write first… : a channel the customer is reached on, a subject for e-mail, a text."""
        from ui.write_first import WriteFirstDialog

        customer_id = self.customer_id()
        if customer_id is None or self.session is None:
            return
        dialog = WriteFirstDialog(self.card, self.window())

        def send() -> None:
            open_one = dialog.open_conversation()
            if open_one is not None:
                self._open_conversation(open_one)
                return
            v = dialog.values()
            key = self.session.start_conversation(
                customer_id, v["channel"], v["text"], v["subject"]
            )
            self._keys[key] = "start:" + v["channel"]
            self._say(self.tr("Sending…"))

        self._open_dialog(dialog, send)

    def open_order(self, item: QTreeWidgetItem | None) -> None:
        customer_id = self.customer_id()
        if item is None or customer_id is None or self.session is None:
            return
        number = str(item.data(0, Qt.ItemDataRole.UserRole) or item.text(0))
        self._order_asked = (customer_id, number)
        self.session.get_order(customer_id, number)

    def _order_loaded(self, customer_id: int, order: dict[str, Any]) -> None:
        if self._order_asked != (customer_id, str(order.get("number") or "")):
            return  # asked for another, or the operator has moved on
        self._order_asked = None
        from ui.order_view import OrderDialog

        self._open_dialog(OrderDialog(order, self.window()), lambda: None)

    def _customer_updated(self, data: dict[str, Any]) -> None:
        cust = data.get("customer") or {}
        if not self.card or int(cust.get("id") or 0) != self.customer_id():
            return
        # The card's dict is shared with the window: brought up to date in place.
        self.card.setdefault("customer", {}).update(cust)
        self.card["identities"] = list(data.get("identities") or [])
        self.show_card(self.card)

    def _command_done(self, name: str, key: str, result: dict[str, Any]) -> None:
        what = self._keys.pop(key, None)
        if what is None:
            return
        if not self._keys:
            self._say("")
        if what in ("merge", "reject", "unmerge") and self.session is not None:
            # The card as it now is: merged ones redirect to the customer kept.
            customer_id = int(result.get("customer_id") or self.customer_id() or 0)
            opener = getattr(self.window(), "open_customer", None)
            if callable(opener):
                opener(customer_id)
            else:
                self.session.open_customer(customer_id)
            return
        if "customer" in result and "identities" in result:
            self._customer_updated(result)
        conv = result.get("conversation")
        if what.startswith("start:") and isinstance(conv, dict):
            if self.customer_id() == conv.get("customer_id"):
                listed = self.card.setdefault("open_conversations", [])
                if all(c.get("id") != conv["id"] for c in listed):
                    listed.append(conv)
            self._follow = int(conv["id"])
            self._conversation_changed(conv)

    def _command_failed(self, name: str, code: str, message: str, key: str) -> None:
        what = self._keys.pop(key, None)
        if what is None:
            if name == "order.get" and self._order_asked is not None:
                self._order_asked = None
                self._say(self.tr("The order could not be opened: %1").replace("%1", message))
            return
        if what.startswith("start:") and code == "conflict" and self.customer_id() is not None:
            # The customer has a conversation open on that channel: it opens instead.
            self._follow_channel = what.removeprefix("start:")
            self._say(self.tr("A conversation on this channel is open already."))
            self.session.open_customer(self.customer_id())
            return
        self._say(self.tr("Not saved: %1").replace("%1", message or code))

    def _conversation_changed(self, conv: dict[str, Any]) -> None:
        if (
            self._follow is not None
            and int(conv.get("id") or 0) == self._follow
            and self._open_conversation(self._follow)
        ):
            self._follow = None

    def _open_conversation(self, conversation_id: int) -> bool:
        """Select it in the window's list of conversations, which opens it."""
        listing = getattr(self.window(), "conversation_list", None)
        select = getattr(listing, "select_conversation", None)
        return bool(select(conversation_id, focus=True)) if callable(select) else False

    # -- for tests and the window ---------------------------------------------------------------
    def identity_texts(self) -> list[str]:
        """ "Phone +7 912 … verified" for each contact, as shown."""
        return [f"{k.text()} {v.text()} {m.text()}" for k, v, m in self._ident_rows]

    def identity_rows(self) -> list[dict[str, Any]]:
        """Each contact as shown: its value, its mark, and whether it is verified or claimed."""
        return [
            {
                "value": v.text(),
                "mark": m.text(),
                "verified": bool(m.property("verified")),
                "claimed": bool(m.property("claimed")),
            }
            for _k, v, m in self._ident_rows
        ]

    def identity_values(self) -> list[tuple[str, bool]]:
        return [(v.text(), bool(m.property("verified"))) for _k, v, m in self._ident_rows]

    def touchpoint_texts(self) -> list[str]:
        return [f"{s.text()} · {m.text()}" for s, m in self._tp_rows]

    def purchase_rows(self) -> list[list[str]]:
        rows = []
        for i in range(self.purchases.topLevelItemCount()):
            item = self.purchases.topLevelItem(i)
            if item is not None:
                rows.append([item.text(c) for c in range(3)])
        return rows

    @staticmethod
    def _clear_layout(layout: QGridLayout | QVBoxLayout) -> None:
        while layout.count():
            item = layout.takeAt(0)
            w = item.widget() if item is not None else None
            if w is not None:
                w.hide()
                w.deleteLater()
