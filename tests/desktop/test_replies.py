"""PendingReplies: the operator's replies on their way, fed by the session's outbox signals."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal
from pytestqt.qtbot import QtBot

from omnidesk_qt.client import Credentials
from omnidesk_qt.outbox import Outbox
from omnidesk_qt.replies import PendingReplies
from omnidesk_qt.session import Session


class Outboxish(QObject):
    """The three signals a session feeds the replies with."""

    localQueued = Signal(str, str, dict)
    commandDone = Signal(str, str, dict)
    commandFailed = Signal(str, str, str, str)


def wired(qtbot: QtBot) -> tuple[PendingReplies, Outboxish, list[tuple[Any, ...]]]:
    source = Outboxish()
    replies = PendingReplies(lambda: "Анна Смирнова", source)
    replies.follow(source.localQueued, source.commandDone, source.commandFailed)
    seen: list[tuple[Any, ...]] = []
    replies.added.connect(lambda key, item: seen.append(("added", key, item)))
    replies.confirmed.connect(lambda key, item: seen.append(("confirmed", key, item)))
    replies.failed.connect(lambda key, why: seen.append(("failed", key, why)))
    return replies, source, seen


def reply(text: str, customer_id: int = 7, channel: str = "telegram") -> dict[str, Any]:
    return {"customer_id": customer_id, "channel": channel, "text": text, "conversation_id": 3}


def test_a_reply_is_shown_pending_then_confirmed_or_failed_by_its_key(qtbot: QtBot) -> None:
    replies, source, seen = wired(qtbot)
    source.localQueued.emit("message.send", "k1", reply("Первый"))
    source.localQueued.emit("note.add", "k2", reply("Заметка"))  # not a reply
    source.localQueued.emit("message.send", "k3", dict(reply("Письмо"), subject="Re: заказ"))
    source.localQueued.emit("message.send", "k4", reply("Другому", customer_id=8, channel="email"))
    assert [(what, key) for what, key, _ in seen] == [
        ("added", "k1"),
        ("added", "k3"),
        ("added", "k4"),
    ]
    first = seen[0][2]
    assert first["author"] == "Анна Смирнова" and first["body"] == "Первый"
    assert first["delivery"] == "pending" and first["direction"] == "out" and first["id"] is None
    assert seen[2][2]["kind"] == "email" and first["kind"] == "message"
    assert [k for k, _ in replies.of_customer(7)] == ["k1", "k3"]
    seen.clear()
    # The gateway's answers, in any order, each naming its reply by the outbox key.
    real = dict(first, id=501, delivery="sent")
    source.commandDone.emit("message.send", "k1", {"item": real})
    source.commandFailed.emit("message.send", "channel_unavailable", "", "k3")
    source.commandFailed.emit("message.send", "channel_unavailable", "again", "k3")  # once
    source.commandFailed.emit("message.send", "conflict", "someone else's", "k-unknown")
    source.commandFailed.emit("customer.search", "invalid_args", "a read", "")
    source.commandDone.emit("message.send", "k1", {"item": real})  # a repeat: nothing left
    assert seen == [("confirmed", "k1", real), ("failed", "k3", "channel_unavailable")]
    # The refused reply stays (it went nowhere); the confirmed one is the gateway's now.
    assert [(k, item["delivery"]) for k, item in replies.of_customer(7)] == [("k3", "failed")]
    assert replies.get("k1") is None and replies.count() == 2


def test_a_reply_written_while_offline_is_pending_at_once(
    qtbot: QtBot, aloop: asyncio.AbstractEventLoop, data_dir: Path
) -> None:
    # No gateway: the session queues the reply in its outbox and its replies show it.
    session = Session("ws://127.0.0.1:9", Credentials("a", "b"), Outbox(data_dir / "ob.db"))
    session.operator = {"display_name": "Анна Смирнова"}
    with qtbot.waitSignal(session.replies.added, timeout=5000) as added:
        session.send_message(7, "sms", "Перезвоню через час", 3)
    key, item = added.args
    assert session.outbox.pending()[0].key == key
    assert (item["channel"], item["body"], item["delivery"]) == (
        "sms",
        "Перезвоню через час",
        "pending",
    )
    assert session.replies.of_customer(7) == [(key, item)]
    session.outbox.close()
