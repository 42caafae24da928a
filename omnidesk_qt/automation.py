"""End-to-end test hook (``omnidesk --automation``): UI actions as JSON lines on stdin.

Each line is ``{"do": ACTION, ...}``; what the window shows is reported back as JSON log records
(qutebrowser's end-to-end tests work the same way: drive the real app, read its logs). Actions go
through the same widgets and intents a person uses.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sys
import threading
from typing import Any

from PySide6.QtGui import QGuiApplication

log = logging.getLogger("omnidesk.automation")


def _event(msg: str, **data: Any) -> None:
    log.info(msg, extra={"data": data})


class Automation:
    def __init__(self, window: Any, session: Any) -> None:
        self.window = window
        self.session = session
        self.offers: list[dict[str, Any]] = []
        session.offerReceived.connect(self._offer)
        session.timelineItem.connect(
            lambda item: _event(
                "timeline item",
                id=item["id"],
                body=item["body"],
                direction=item["direction"],
                channel=item["channel"],
            )
        )
        session.customerOpened.connect(
            lambda card: _event(
                "customer opened", customer_id=card["customer"]["id"], name=card["customer"]["name"]
            )
        )
        session.searchResults.connect(
            lambda query, customers: _event(
                "search results",
                query=query,
                customers=[
                    {
                        "id": c["id"],
                        "name": c.get("name", ""),
                        "kinds": [i.get("kind") for i in c.get("identities", [])],
                    }
                    for c in customers
                ],
            )
        )
        session.deliveryChanged.connect(
            lambda eid, state: _event("delivery", event_id=eid, delivery=state)
        )
        session.commandFailed.connect(
            lambda name, code, msg, _key: _event("command failed", command=name, code=code)
        )

    def _offer(self, conv: dict[str, Any], customer: dict[str, Any]) -> None:
        self.offers.append(conv)
        _event(
            "offer",
            conversation_id=conv["id"],
            customer_id=conv["customer_id"],
            channel=conv["channel"],
            name=customer.get("name", ""),
        )

    def start(self) -> None:
        loop = asyncio.get_running_loop()

        def reader() -> None:
            for line in sys.stdin:
                line = line.strip()
                if line:
                    loop.call_soon_threadsafe(self.handle, line)

        threading.Thread(target=reader, name="automation-stdin", daemon=True).start()
        _event("automation ready")

    def handle(self, line: str) -> None:
        try:
            cmd = json.loads(line)
            getattr(self, "do_" + cmd.pop("do"))(**cmd)
        except Exception as exc:
            _event("automation error", error=f"{type(exc).__name__}: {exc}", line=line)

    def do_presence(self, status: str) -> None:
        self.window.set_presence(status)

    def do_accept_offer(self) -> None:
        """Accept the latest offer the way an operator does: select it, press A."""
        conv = self.offers[-1]
        self.window.accept_conversation(conv["id"])

    def do_reply(self, text: str) -> None:
        """Type into the composer and send with Ctrl+Enter."""
        self.window.type_reply(text)

    def do_find_customer(self, query: str) -> None:
        """Type into the customer search and press Enter."""
        self.window.search.setText(query)
        self.window.search.returnPressed.emit()

    def do_open_customer(self, customer_id: int) -> None:
        """Choose a customer among the search results: their row, then Enter."""
        popup = self.window.search_popup
        popup.list.setCurrentRow(popup.chosen_ids().index(customer_id))
        popup.list.itemActivated.emit(popup.list.currentItem())

    def do_reply_channels(self) -> None:
        box = self.window.composer.channel
        _event(
            "reply channels",
            channels=[box.itemData(i) for i in range(box.count())],
            texts=[box.itemText(i) for i in range(box.count())],
            current=box.currentData(),
        )

    def do_show_reply_channels(self) -> None:
        """Drop the composer's reply-channel list down, as a click on it does."""
        self.window.composer.channel.showPopup()

    def do_screenshot(self, path: str) -> None:
        """The whole screen, pop-ups included (a window's own grab leaves them out)."""
        screen = QGuiApplication.primaryScreen()
        ok = screen is not None and screen.grabWindow(0).save(path)
        _event("screenshot", path=path, ok=bool(ok))

    def do_card_identities(self) -> None:
        _event("card identities", rows=self.window.customer_card.identity_rows())

    def do_feed_texts(self) -> None:
        _event("feed texts", texts=self.window.feed_texts())

    def do_sign_in(self, password: str, remember: bool = False) -> None:
        """Type the password into the open sign-in dialog and press Enter."""
        from PySide6.QtWidgets import QDialog

        dialog = next(
            d for d in self.window.findChildren(QDialog) if d.objectName() == "ConnectDialog"
        )
        dialog.password.setText(password)
        dialog.remember.setChecked(remember)
        dialog.accept()

    def do_quit(self) -> None:
        self.window.close()  # as the operator does: asks first when work is open
        self._asked()

    def do_sign_out(self) -> None:
        self.window.sign_out()  # OmniDesk ▸ Sign out
        self._asked()

    def _asked(self) -> None:
        from PySide6.QtWidgets import QMessageBox

        box = self.window.dialog
        if isinstance(box, QMessageBox) and box.objectName() == "ConfirmLeaving":
            _event("leaving asked", text=box.text())

    def do_answer_leaving(self, leave: bool) -> None:
        """Press the confirmation's "Quit"/"Sign out" (``leave``) or "Stay"."""
        from PySide6.QtWidgets import QMessageBox

        box = self.window.dialog
        assert isinstance(box, QMessageBox), "no question open"
        role = QMessageBox.ButtonRole.AcceptRole if leave else QMessageBox.ButtonRole.RejectRole
        next(b for b in box.buttons() if box.buttonRole(b) == role).click()

    def do_quit_now(self) -> None:
        self.window.quit_now()
