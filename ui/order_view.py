"""An order's details (``order.get``): its lines, its delivery, its total, the steps of its life.

Opened from the card's purchases (Enter or a double click on an order). Amounts are formatted
as the card formats them (``ui.customer_card.format_amount``); times in the interface's locale.
Everything from the gateway is shown as plain text.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import QDate, QDateTime, QLocale, Qt, QTime
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ui.customer_card import format_amount
from ui.labels import status_names


def format_time(iso: str) -> str:
    """An ISO time from the gateway in the interface's locale, in local time."""
    try:
        at = datetime.fromisoformat(iso).astimezone()
    except (TypeError, ValueError):
        return iso
    when = QDateTime(QDate(at.year, at.month, at.day), QTime(at.hour, at.minute, at.second))
    return str(QLocale().toString(when, QLocale.FormatType.ShortFormat))


def _plain(text: str, parent: QWidget, name: str) -> QLabel:
    lab = QLabel(text, parent)
    lab.setObjectName(name)
    lab.setTextFormat(Qt.TextFormat.PlainText)
    lab.setWordWrap(True)
    lab.setTextInteractionFlags(
        Qt.TextInteractionFlag.TextSelectableByMouse
        | Qt.TextInteractionFlag.TextSelectableByKeyboard
    )
    return lab


def _tree(parent: QWidget, name: str, accessible: str, headers: list[str]) -> QTreeWidget:
    tree = QTreeWidget(parent)
    tree.setObjectName(name)
    tree.setAccessibleName(accessible)
    tree.setHeaderLabels(headers)
    tree.setRootIsDecorated(False)
    tree.setUniformRowHeights(True)
    tree.setAllColumnsShowFocus(True)
    tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    return tree


class OrderDialog(QDialog):
    def __init__(self, order: dict[str, Any], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("OrderDialog")
        self.order = order
        number = str(order.get("number") or "")
        self.setWindowTitle(self.tr("Order %1").replace("%1", number))
        self.setAccessibleName(self.tr("Order details"))
        statuses = status_names()
        currency = str(order.get("currency") or "")
        status = str(order.get("status") or "")
        methods = {
            "courier": self.tr("Courier"),
            "pickup_point": self.tr("Pickup point"),
            "post": self.tr("Post"),
        }

        self.status = _plain(statuses.get(status, status), self, "OrderStatus")
        self.placed = _plain(format_time(str(order.get("placed_at") or "")), self, "OrderPlaced")
        self.total = _plain(format_amount(order.get("total") or 0, currency), self, "OrderTotal")
        head = QFormLayout()
        head.addRow(self.tr("Status:"), self.status)
        head.addRow(self.tr("Placed:"), self.placed)
        head.addRow(self.tr("Total:"), self.total)

        self.items = _tree(
            self,
            "OrderItems",
            self.tr("Items"),
            [self.tr("Product"), self.tr("Quantity"), self.tr("Price"), self.tr("Amount")],
        )
        right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        for line in order.get("items") or []:
            item = QTreeWidgetItem(
                [
                    str(line.get("product") or ""),
                    QLocale().toString(int(line.get("quantity") or 0)),
                    format_amount(line.get("price") or 0, currency),
                    format_amount(line.get("amount") or 0, currency),
                ]
            )
            item.setToolTip(0, str(line.get("sku") or ""))
            for column in (1, 2, 3):
                item.setTextAlignment(column, right)
            self.items.addTopLevelItem(item)
        self.items.header().resizeSection(0, 300)

        delivery = order.get("delivery")
        self.delivery = QWidget(self)
        self.delivery.setObjectName("OrderDelivery")
        self.delivery.setAccessibleName(self.tr("Delivery"))
        form = QFormLayout(self.delivery)
        form.setContentsMargins(0, 0, 0, 0)
        self.delivery_fields: dict[str, QLabel] = {}
        if isinstance(delivery, dict):
            method = str(delivery.get("method") or "")
            shown = [
                ("method", self.tr("Method:"), methods.get(method, method)),
                ("carrier", self.tr("Carrier:"), str(delivery.get("carrier") or "")),
                ("address", self.tr("Address:"), str(delivery.get("address") or "")),
                (
                    "tracking",
                    self.tr("Tracking number:"),
                    str(delivery.get("tracking") or "") or self.tr("not yet"),
                ),
            ]
            for key, title, text in shown:
                label = _plain(text, self.delivery, f"OrderDelivery_{key}")
                label.setAccessibleName(f"{title} {text}")
                form.addRow(title, label)
                self.delivery_fields[key] = label
        else:
            form.addRow(_plain(self.tr("Nothing to deliver."), self.delivery, "OrderNoDelivery"))

        self.history = _tree(
            self,
            "OrderHistory",
            self.tr("Status history"),
            [self.tr("Status"), self.tr("When"), self.tr("Note")],
        )
        for step in order.get("history") or []:
            code = str(step.get("status") or "")
            self.history.addTopLevelItem(
                QTreeWidgetItem(
                    [
                        statuses.get(code, code),
                        format_time(str(step.get("at") or "")),
                        str(step.get("note") or ""),
                    ]
                )
            )
        self.history.header().resizeSection(0, 120)
        self.history.header().resizeSection(1, 150)

        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close = box.button(QDialogButtonBox.StandardButton.Close)
        close.setText(self.tr("Close"))
        close.setAccessibleName(self.tr("Close the order"))
        box.rejected.connect(self.reject)

        lay = QVBoxLayout(self)
        lay.addLayout(head)
        lay.addWidget(self._section(self.tr("Items")))
        lay.addWidget(self.items)
        lay.addWidget(self._section(self.tr("Delivery")))
        lay.addWidget(self.delivery)
        lay.addWidget(self._section(self.tr("Status history")))
        lay.addWidget(self.history)
        lay.addWidget(box)
        self.resize(640, 560)
        self.items.setFocus()

    def _section(self, text: str) -> QLabel:
        lab = QLabel(text, self)
        font = lab.font()
        font.setBold(True)
        lab.setFont(font)
        lab.setProperty("role", "section")
        return lab

    # -- for tests ------------------------------------------------------------------------------
    def item_rows(self) -> list[list[str]]:
        return [
            [it.text(c) for c in range(4)]
            for i in range(self.items.topLevelItemCount())
            if (it := self.items.topLevelItem(i)) is not None
        ]

    def history_rows(self) -> list[list[str]]:
        return [
            [it.text(c) for c in range(3)]
            for i in range(self.history.topLevelItemCount())
            if (it := self.history.topLevelItem(i)) is not None
        ]
