"""The card's own actions against the real embedded demo gateway, driven with keys and clicks:
editing the customer, an order's details, writing first. Screenshots go to test-artifacts/."""

from __future__ import annotations

import json
import uuid
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel
from pytestqt.qtbot import QtBot
from sqlalchemy import create_engine, select

from omnidesk_qt.embedded import EmbeddedGateway
from services.store import tables
from tests.desktop import test_main_window
from tests.desktop.test_main_window import (
    ARTIFACTS,
    CTRL,
    CTRL_SHIFT,
    Visitor,
    accept_with_key,
    be_available,
    nameless_controls,
    offer_from,
)
from tests.support.opclient import OpClient
from tests.support.qtasync import run
from ui.conversation_model import MINE
from ui.customer_card import format_amount
from ui.customer_edit import CustomerEditDialog
from ui.log_touchpoint import LogTouchpointDialog
from ui.main_window import MainWindow
from ui.merge_dialog import MergeDialog
from ui.order_view import OrderDialog
from ui.write_first import WriteFirstDialog

# The main window's fixture: signed in as agent2 against the embedded demo gateway.
window = test_main_window.window


def query(gw: EmbeddedGateway, stmt: Any) -> list[Any]:
    eng = create_engine(gw.config.url)
    try:
        with eng.connect() as c:
            return list(c.execute(stmt).all())
    finally:
        eng.dispose()


def idle_customer(gw: EmbeddedGateway, *where: Any) -> Any:
    """A demo customer nobody is serving (others' customers are not this agent's)."""
    convs, customers = tables.conversations, tables.customers
    open_ones = select(convs.c.customer_id).where(
        convs.c.state.in_(["queued", "offered", "active", "held", "wrap_up"])
    )
    rows = query(
        gw,
        select(customers.c.id, customers.c.display_name)
        .where(customers.c.id.not_in(open_ones), *where)
        .order_by(customers.c.id.desc())
        .limit(1),
    )
    return rows[0]


def open_card(qtbot: QtBot, win: MainWindow, customer_id: int, name: str) -> None:
    with qtbot.waitSignal(win.session.customerOpened, timeout=20000):
        win.open_customer(customer_id)
    qtbot.waitUntil(lambda: win.customer_card.name.text() == name, timeout=10000)


def card_dialog(qtbot: QtBot, win: MainWindow, kind: type[QDialog]) -> Any:
    card = win.customer_card
    qtbot.waitUntil(lambda: isinstance(card.dialog, kind), timeout=20000)
    dialog = card.dialog
    qtbot.waitUntil(dialog.isVisible, timeout=5000)  # type: ignore[union-attr]
    qtbot.waitUntil(dialog.isActiveWindow, timeout=5000)  # type: ignore[union-attr]
    return dialog


def test_edit_the_name_segment_and_a_contact_from_the_keyboard(
    qtbot: QtBot, window: MainWindow, demo_gateway: EmbeddedGateway
) -> None:
    be_available(qtbot, window)
    visitor = Visitor(qtbot, demo_gateway.url)
    conv = offer_from(qtbot, window, visitor, "Please fix my name")
    accept_with_key(qtbot, window, conv["id"])
    card = window.customer_card
    qtbot.waitUntil(lambda: card.name.text() == visitor.name, timeout=10000)
    assert card.edit_button.isVisible() and card.edit_button.isEnabled()

    qtbot.keyClick(window, Qt.Key.Key_E, CTRL_SHIFT)
    dialog: CustomerEditDialog = card_dialog(qtbot, window, CustomerEditDialog)
    assert nameless_controls(dialog) == []
    qtbot.waitUntil(dialog.name.hasFocus, timeout=5000)
    assert dialog.name.text() == visitor.name
    # The web visitor was proved by the chat: it cannot be removed.
    dialog.contacts.setFocus()
    dialog.contacts.setCurrentRow(0)
    assert not dialog.remove_button.isEnabled()
    qtbot.keyClick(dialog.contacts, Qt.Key.Key_Delete)
    assert dialog.contacts.count() == 1 and "cannot be removed" in dialog.problem.text()

    # QTest types Latin keys only (a Cyrillic character is no key code).
    new_name = f"Irina Testova {uuid.uuid4().hex[:6]}"
    dialog.name.setFocus()
    qtbot.keyClick(dialog.name, Qt.Key.Key_A, CTRL)
    qtbot.keyClicks(dialog.name, new_name)
    dialog.segment.setFocus()
    qtbot.keyClick(dialog.segment, Qt.Key.Key_End)  # the last segment: VIP
    assert dialog.segment.currentData() == "vip"
    dialog.new_value.setFocus()
    qtbot.keyClicks(dialog.new_value, "+7 916 555-12-34")
    qtbot.keyClick(dialog.new_value, Qt.Key.Key_Return)  # adds, does not save
    assert dialog.isVisible() and dialog.contacts.count() == 2
    assert "claimed" in dialog.contacts.item(1).text()
    assert dialog.remove_button.isEnabled()
    ARTIFACTS.mkdir(exist_ok=True)
    assert dialog.grab().save(str(ARTIFACTS / "customer-edit-dialog.png"))
    with qtbot.waitSignal(
        window.session.commandDone,
        timeout=20000,
        check_params_cb=lambda name, _k, _r: name == "customer.add_contact",
    ):
        qtbot.keyClick(dialog.name, Qt.Key.Key_Return, CTRL)

    qtbot.waitUntil(lambda: card.name.text() == new_name, timeout=10000)
    assert card.segment.text() == "VIP"
    rows = {r["value"]: r for r in card.identity_rows()}
    assert rows["+79165551234"]["claimed"] and not rows["+79165551234"]["verified"]
    assert window.card["customer"]["name"] == new_name  # the window's card is the same
    customers, claims = tables.customers, tables.identity_claims
    (stored,) = query(
        demo_gateway,
        select(customers.c.display_name, customers.c.segment).where(
            customers.c.id == conv["customer_id"]
        ),
    )
    assert (stored.display_name, stored.segment) == (new_name, "vip")
    assert query(
        demo_gateway,
        select(claims.c.value, claims.c.source).where(claims.c.customer_id == conv["customer_id"]),
    ) == [("+79165551234", "operator")]
    assert not card.problem.isVisible()

    # A supervisor changes the segment elsewhere: the open card shows it at once.
    lead = run(OpClient.connect(demo_gateway.url, "lead", "lead"), qtbot)
    with qtbot.waitSignal(window.session.customerUpdated, timeout=20000):
        reply = run(
            lead.cmd("customer.update", {"customer_id": conv["customer_id"], "segment": "premium"}),
            qtbot,
        )
    assert reply["type"] == "result", reply
    qtbot.waitUntil(lambda: card.segment.text() == "Premium", timeout=5000)
    assert card.name.text() == new_name
    run(lead.close(), qtbot)

    # A name the gateway would refuse is not sent: the dialog says why and stays open.
    qtbot.mouseClick(card.edit_button, Qt.MouseButton.LeftButton)
    again: CustomerEditDialog = card_dialog(qtbot, window, CustomerEditDialog)
    again.name.clear()
    qtbot.mouseClick(again.save_button, Qt.MouseButton.LeftButton)
    assert again.isVisible() and again.problem.text() == "Type a name."
    again.reject()
    visitor.leave()


def test_an_order_opens_with_its_items_delivery_and_status_history(
    qtbot: QtBot, window: MainWindow, demo_gateway: EmbeddedGateway
) -> None:
    purchases, deliveries = tables.purchases, tables.order_deliveries
    delivered = select(deliveries.c.customer_id).join(
        purchases,
        (purchases.c.order_number == deliveries.c.order_number)
        & (purchases.c.status == "delivered"),
    )
    row = idle_customer(demo_gateway, tables.customers.c.id.in_(delivered))
    open_card(qtbot, window, row.id, row.display_name)
    card = window.customer_card
    (order,) = query(
        demo_gateway,
        select(purchases.c.order_number, purchases.c.amount, deliveries.c.address)
        .join(deliveries, deliveries.c.order_number == purchases.c.order_number)
        .where(purchases.c.customer_id == row.id, purchases.c.status == "delivered")
        .order_by(purchases.c.purchased_at.desc())
        .limit(1),
    )
    shown = [r[0] for r in card.purchase_rows()]
    card.purchases.setFocus()
    card.purchases.setCurrentItem(card.purchases.topLevelItem(shown.index(order.order_number)))
    qtbot.keyClick(card.purchases, Qt.Key.Key_Return)
    dialog: OrderDialog = card_dialog(qtbot, window, OrderDialog)
    assert nameless_controls(dialog) == []
    assert dialog.windowTitle() == f"Order {order.order_number}"
    (line,) = dialog.item_rows()
    assert line[1] == "1" and line[3] == format_amount(order.amount, "RUB")
    # One way of writing an amount: the card's row says the same.
    assert card.purchase_rows()[shown.index(order.order_number)][2] == line[3]
    assert dialog.total.text() == format_amount(order.amount, "RUB")
    assert [r[0] for r in dialog.history_rows()] == ["created", "paid", "shipped", "delivered"]
    assert all(r[1] and r[2] for r in dialog.history_rows())
    assert dialog.delivery_fields["address"].text() == order.address
    assert dialog.delivery_fields["carrier"].text()
    ARTIFACTS.mkdir(exist_ok=True)
    assert dialog.grab().save(str(ARTIFACTS / "order-dialog.png"))
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: card.dialog is None, timeout=5000)


def test_write_first_on_email_opens_an_active_conversation_of_mine(
    qtbot: QtBot, window: MainWindow, demo_gateway: EmbeddedGateway
) -> None:
    ids = tables.identities
    with_email = select(ids.c.customer_id).where(ids.c.kind == "email")
    row = idle_customer(demo_gateway, tables.customers.c.id.in_(with_email))
    (address,) = query(
        demo_gateway,
        select(ids.c.value).where(ids.c.customer_id == row.id, ids.c.kind == "email"),
    )
    open_card(qtbot, window, row.id, row.display_name)
    card = window.customer_card
    qtbot.mouseClick(card.write_button, Qt.MouseButton.LeftButton)
    dialog: WriteFirstDialog = card_dialog(qtbot, window, WriteFirstDialog)
    assert nameless_controls(dialog) == []
    assert dialog.select_channel("email")
    assert address.value in dialog.channel.currentText()
    assert dialog.subject.isEnabled() and not dialog.send_button.isEnabled()
    dialog.subject.setFocus()
    qtbot.waitUntil(dialog.subject.hasFocus, timeout=5000)
    qtbot.keyClicks(dialog.subject, "Your order is ready")
    qtbot.keyClick(dialog.subject, Qt.Key.Key_Tab)
    qtbot.waitUntil(dialog.text.hasFocus, timeout=5000)
    qtbot.keyClicks(dialog.text, "Hello! Your order waits at the pickup point.")
    assert dialog.send_button.isEnabled()
    ARTIFACTS.mkdir(exist_ok=True)
    assert dialog.grab().save(str(ARTIFACTS / "write-first-dialog.png"))
    with qtbot.waitSignal(
        window.session.commandDone,
        timeout=20000,
        check_params_cb=lambda name, _k, _r: name == "conversation.start",
    ) as done:
        qtbot.keyClick(dialog.text, Qt.Key.Key_Return, CTRL)
    conv = done.args[2]["conversation"]
    assert conv["state"] == "active" and conv["channel"] == "email"
    assert conv["operator_id"] == window.model.operator_id

    cl = window.conversation_list
    qtbot.waitUntil(lambda: conv["id"] in cl.proxies[MINE].conversation_ids(), timeout=10000)
    qtbot.waitUntil(
        lambda: (cl.current_conversation() or {}).get("id") == conv["id"], timeout=10000
    )
    assert cl.current_section() == MINE
    assert window.model.find(conv["id"])["state"] == "active"  # type: ignore[index]
    convs = tables.conversations
    (stored,) = query(
        demo_gateway,
        select(convs.c.state, convs.c.operator_id, convs.c.subject).where(convs.c.id == conv["id"]),
    )
    assert (stored.state, stored.operator_id) == ("active", window.model.operator_id)
    assert stored.subject == "Your order is ready"

    # Again on e-mail: the open conversation is the one, and no second one is made.
    qtbot.waitUntil(
        lambda: any(c["id"] == conv["id"] for c in window.card.get("open_conversations") or []),
        timeout=10000,
    )
    window.activateWindow()  # back from the dialog
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    qtbot.keyClick(window, Qt.Key.Key_N, CTRL_SHIFT)
    second: WriteFirstDialog = card_dialog(qtbot, window, WriteFirstDialog)
    assert second.select_channel("email")
    assert "open already" in second.note.text() and second.send_button.isEnabled()
    second.accept()
    assert len(query(demo_gateway, select(convs.c.id).where(convs.c.customer_id == row.id))) == 1


def test_log_a_visit_from_the_card_with_the_keyboard(
    qtbot: QtBot, window: MainWindow, demo_gateway: EmbeddedGateway
) -> None:
    row = idle_customer(demo_gateway)
    open_card(qtbot, window, row.id, row.display_name)
    card = window.customer_card
    assert card.log_button.isVisible() and card.log_button.isEnabled()
    qtbot.keyClick(window, Qt.Key.Key_L, CTRL_SHIFT)
    dialog: LogTouchpointDialog = card_dialog(qtbot, window, LogTouchpointDialog)
    assert nameless_controls(dialog) == []
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert not ok.isEnabled()  # nothing said yet
    qtbot.waitUntil(dialog.kind.hasFocus, timeout=5000)
    assert dialog.kind.currentData() == "visit"
    dialog.duration.setFocus()
    qtbot.keyClick(dialog.duration, Qt.Key.Key_A, CTRL)
    qtbot.keyClicks(dialog.duration, "15")
    dialog.outcome.setFocus()
    qtbot.keyClick(dialog.outcome, Qt.Key.Key_Home)  # the first outcome: resolved
    dialog.summary.setFocus()
    qtbot.keyClicks(dialog.summary, "Brought the receipt, refund arranged")
    assert ok.isEnabled()
    ARTIFACTS.mkdir(exist_ok=True)
    assert dialog.grab().save(str(ARTIFACTS / "log-touchpoint-dialog.png"))
    with qtbot.waitSignal(
        window.session.commandDone,
        timeout=20000,
        check_params_cb=lambda name, _k, _r: name == "touchpoint.log",
    ) as done:
        qtbot.keyClick(dialog.summary, Qt.Key.Key_Return, CTRL)
    item = done.args[2]["item"]
    assert (item["kind"], item["channel"], item["body"]) == (
        "visit",
        "visit",
        "Brought the receipt, refund arranged",
    )
    assert item["extra"]["outcome"] == "resolved" and item["extra"]["duration_min"] == 15
    qtbot.waitUntil(lambda: card.dialog is None, timeout=5000)
    # The feed shows it with what was logged, as the operator reads it.
    feed = window.feed.model  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: feed.row_of_id(item["id"]) is not None, timeout=10000)
    shown = feed.row_text(feed.row_at(feed.row_of_id(item["id"])))
    assert shown.title.startswith("Visit · 15 min · Resolved · happened ")
    assert shown.body == "Brought the receipt, refund arranged"
    timeline = tables.timeline
    (stored,) = query(
        demo_gateway,
        select(timeline.c.kind, timeline.c.author_operator_id).where(timeline.c.id == item["id"]),
    )
    assert (stored.kind, stored.author_operator_id) == ("visit", window.model.operator_id)


def identify(visitor: Visitor, qtbot: QtBot, **claims: str) -> None:
    async def send() -> None:
        await visitor.chat.ws.send(json.dumps({"type": "identify", **claims}))

    run(send(), qtbot)


def test_a_merge_suggestion_confirmed_undone_and_rejected_on_the_card(
    qtbot: QtBot, window: MainWindow, demo_gateway: EmbeddedGateway
) -> None:
    ids = tables.identities
    with_phone = select(ids.c.customer_id).where(ids.c.kind == "phone", ids.c.verified.is_(True))
    row = idle_customer(demo_gateway, tables.customers.c.id.in_(with_phone))
    (phone,) = query(
        demo_gateway, select(ids.c.value).where(ids.c.customer_id == row.id, ids.c.kind == "phone")
    )
    be_available(qtbot, window)
    visitor = Visitor(qtbot, demo_gateway.url)
    conv = offer_from(qtbot, window, visitor, "I am a customer already")
    identify(visitor, qtbot, phone=phone.value)
    accept_with_key(qtbot, window, conv["id"])
    card = window.customer_card
    qtbot.waitUntil(lambda: card.name.text() == visitor.name, timeout=10000)
    # The card is read after the claim: it suggests the customer who has that number.
    with qtbot.waitSignal(window.session.customerOpened, timeout=20000):
        window.open_customer(conv["customer_id"])
    qtbot.waitUntil(lambda: len(card.merge_buttons) == 2, timeout=10000)
    qtbot.waitUntil(lambda: all(b.isVisible() for _w, _i, b in card.merge_buttons), timeout=5000)
    assert card.same_title.isVisible() and card.same_person.isVisible()
    texts = [w.text() for w in card.same_person.findChildren(QLabel)]
    assert any(row.display_name in t and phone.value in t for t in texts), texts
    ARTIFACTS.mkdir(exist_ok=True)
    assert window.grab().save(str(ARTIFACTS / "merge-suggestion.png"))
    merge = next(b for what, _i, b in card.merge_buttons if what == "merge")
    with qtbot.waitSignal(
        window.session.commandDone,
        timeout=20000,
        check_params_cb=lambda name, _k, _r: name == "customer.merge",
    ) as done:
        qtbot.mouseClick(merge, Qt.MouseButton.LeftButton)
    assert done.args[2]["customer_id"] == row.id  # the older one is kept
    qtbot.waitUntil(lambda: card.customer_id() == row.id, timeout=10000)
    qtbot.waitUntil(lambda: [w for w, _i, _b in card.merge_buttons] == ["undo"], timeout=10000)
    assert any(visitor.name in w.text() for w in card.same_person.findChildren(QLabel))
    # The visitor's conversation is the kept customer's now: the list says so.
    qtbot.waitUntil(
        lambda: (window.model.find(conv["id"]) or {}).get("customer_id") == row.id, timeout=10000
    )
    undo = card.merge_buttons[0][2]
    with qtbot.waitSignal(
        window.session.commandDone,
        timeout=20000,
        check_params_cb=lambda name, _k, _r: name == "customer.unmerge",
    ):
        qtbot.mouseClick(undo, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: card.merge_buttons == [], timeout=10000)
    assert not card.same_person.isVisible()
    # Back apart: the visitor is a customer of their own again, with the suggestion closed
    # (it was confirmed once); saying "not the same" to a new one closes it.
    (moved_back,) = query(
        demo_gateway,
        select(tables.conversations.c.customer_id).where(tables.conversations.c.id == conv["id"]),
    )
    assert moved_back.customer_id == conv["customer_id"]
    second = Visitor(qtbot, demo_gateway.url)
    other = offer_from(qtbot, window, second, "Me too")
    identify(second, qtbot, phone=phone.value)
    accept_with_key(qtbot, window, other["id"])
    with qtbot.waitSignal(window.session.customerOpened, timeout=20000):
        window.open_customer(other["customer_id"])
    qtbot.waitUntil(lambda: len(card.merge_buttons) == 2, timeout=10000)
    reject = next(b for what, _i, b in card.merge_buttons if what == "reject")
    with qtbot.waitSignal(
        window.session.commandDone,
        timeout=20000,
        check_params_cb=lambda name, _k, _r: name == "merge.reject",
    ):
        qtbot.mouseClick(reject, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: card.merge_buttons == [], timeout=10000)
    assert card.customer_id() == other["customer_id"]


def test_merge_with_another_customer_found_from_the_keyboard(
    qtbot: QtBot, window: MainWindow, demo_gateway: EmbeddedGateway
) -> None:
    ids = tables.identities
    with_email = select(ids.c.customer_id).where(ids.c.kind == "email")
    row = idle_customer(demo_gateway, tables.customers.c.id.in_(with_email))
    (email,) = query(
        demo_gateway, select(ids.c.value).where(ids.c.customer_id == row.id, ids.c.kind == "email")
    )
    be_available(qtbot, window)
    visitor = Visitor(qtbot, demo_gateway.url)
    conv = offer_from(qtbot, window, visitor, "Please join my accounts")
    accept_with_key(qtbot, window, conv["id"])
    card = window.customer_card
    qtbot.waitUntil(lambda: card.name.text() == visitor.name, timeout=10000)
    qtbot.keyClick(window, Qt.Key.Key_M, CTRL_SHIFT)
    dialog: MergeDialog = card_dialog(qtbot, window, MergeDialog)
    assert nameless_controls(dialog) == []
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert not ok.isEnabled()
    qtbot.keyClicks(dialog.query, email.value)
    qtbot.waitUntil(
        lambda: (
            dialog.results.count() > 0
            and dialog.results.item(0).data(Qt.ItemDataRole.UserRole) == row.id
        ),
        timeout=10000,
    )
    qtbot.keyClick(dialog.query, Qt.Key.Key_Down)
    assert dialog.chosen() == row.id and ok.isEnabled()
    assert dialog.grab().save(str(ARTIFACTS / "merge-dialog.png"))
    with qtbot.waitSignal(
        window.session.commandDone,
        timeout=20000,
        check_params_cb=lambda name, _k, _r: name == "customer.merge",
    ) as done:
        qtbot.keyClick(dialog.results, Qt.Key.Key_Return)
    assert (done.args[2]["customer_id"], done.args[2]["merged_id"]) == (
        row.id,
        conv["customer_id"],
    )
    qtbot.waitUntil(lambda: card.customer_id() == row.id, timeout=10000)
    qtbot.waitUntil(lambda: [w for w, _i, _b in card.merge_buttons] == ["undo"], timeout=10000)
