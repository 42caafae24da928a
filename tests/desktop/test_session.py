"""The session against a real gateway: sign-in, events as signals, the outbox."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import SignalInstance
from pytestqt.qtbot import QtBot

from omnidesk_qt.client import Credentials
from omnidesk_qt.embedded import EmbeddedGateway
from omnidesk_qt.outbox import Outbox
from omnidesk_qt.session import Session
from services.protocol.events import EventName, LiveName


def test_sign_in_and_presence(
    qtbot: QtBot, aloop: asyncio.AbstractEventLoop, demo_gateway: EmbeddedGateway, data_dir: Path
) -> None:
    s = Session(demo_gateway.url, Credentials("agent", "agent"), Outbox(data_dir / "ob.db"))
    with (
        qtbot.waitSignal(s.signedIn, timeout=20000) as signed,
        qtbot.waitSignal(s.snapshotLoaded, timeout=20000),
    ):
        s.start()
    assert signed.args[0]["username"] == "agent"
    with qtbot.waitSignal(s.presenceChanged, timeout=20000) as pres:
        s.set_presence("available")
    assert pres.args[0] == "available"
    qtbot.waitUntil(lambda: s.outbox.count_pending() == 0, timeout=5000)
    fut = asyncio.ensure_future(s.stop())
    qtbot.waitUntil(fut.done, timeout=5000)


def test_every_event_of_the_protocol_becomes_its_signal_and_an_unknown_one_is_logged_once(
    qtbot: QtBot,
    aloop: asyncio.AbstractEventLoop,
    data_dir: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # The events the client hands over (its on_event callback), without a gateway: the
    # dispatch table must cover every name of services.protocol.events.
    s = Session("ws://127.0.0.1:9", Credentials("a", "b"), Outbox(data_dir / "ob.db"))
    conv = {"id": 5, "customer_id": 9, "channel": "webchat", "state": "offered"}
    customer = {"id": 9, "name": "Пётр"}
    cases: dict[str, tuple[dict[str, Any], SignalInstance, list[Any]]] = {
        EventName.CONVERSATION_OFFERED: (
            {"conversation": conv, "customer": customer, "expires_at": ""},
            s.offerReceived,
            [conv, customer],
        ),
        EventName.CONVERSATION_OFFER_WITHDRAWN: (
            {"conversation": conv, "reason": "timeout"},
            s.offerWithdrawn,
            [5, "timeout"],
        ),
        EventName.CONVERSATION_UPDATED: ({"conversation": conv}, s.conversationChanged, [conv]),
        EventName.TIMELINE_ITEM: ({"item": {"id": 1}}, s.timelineItem, [{"id": 1}]),
        EventName.MESSAGE_DELIVERY: (
            {"event_id": 7, "customer_id": 9, "delivery": "read", "error": ""},
            s.deliveryChanged,
            [7, "read"],
        ),
        EventName.PRESENCE_CHANGED: (
            {"presence": "break", "since": "2026-01-01T10:00:00+00:00"},
            s.presenceChanged,
            ["break", "2026-01-01T10:00:00+00:00"],
        ),
        EventName.HINTS_UPDATED: ({"customer_id": 9, "hints": []}, s.hintsChanged, [9, []]),
        EventName.CUSTOMER_UPDATED: (
            {"customer": {"id": 9, "name": "Вера"}, "identities": []},
            s.customerUpdated,
            [{"customer": {"id": 9, "name": "Вера"}, "identities": []}],
        ),
        LiveName.QUEUE_UPDATED: (
            {"items": [{"conversation": conv, "customer": customer}]},
            s.queueChanged,
            [conv, customer],
        ),
        # The next version after the one held: applied as it is (a skip reads them all again).
        LiveName.CANNED_CHANGED: (
            {
                "scope": "team",
                "version": 4,
                "change": "created",
                "response": {"id": 5, "shortcut": "hi", "title": "Hi", "text": "Hello"},
            },
            s.cannedChanged,
            [],
        ),
    }
    s._canned_versions["team"] = 3
    assert {*cases, LiveName.QUEUE_RESYNC} == {*EventName, *LiveName}
    for name, (data, signal, args) in cases.items():
        with qtbot.waitSignal(signal, timeout=1000) as got:
            s._on_event(str(name), data, 1)
        assert got.args == args, name
    assert [c.shortcut for c in s.canned.all()] == ["hi"], "the new response is searchable"
    # A message that failed for good says why and where else the customer is reached.
    ways = [{"channel": "sms", "address": "+79161234567", "claimed": False}]
    with qtbot.waitSignal(s.deliveryFailed, timeout=1000) as failed:
        s._on_event(
            str(EventName.MESSAGE_DELIVERY),
            {
                "event_id": 8,
                "customer_id": 9,
                "delivery": "failed",
                "error": "the customer blocked the bot",
                "alternatives": ways,
            },
            3,
        )
    assert failed.args == [8, "the customer blocked the bot", ways]
    # A message that changed what its conversation owes carries the conversation's new view.
    owed = dict(conv, sla={"kind": "next_response", "due_at": "", "target_s": 120})
    with (
        qtbot.waitSignal(s.timelineItem, timeout=1000) as item,
        qtbot.waitSignal(s.conversationChanged, timeout=1000) as changed,
    ):
        s._on_event(str(EventName.TIMELINE_ITEM), {"item": {"id": 2}, "conversation": owed}, 4)
    assert (item.args, changed.args) == ([{"id": 2}], [owed])
    # A resync reads the queue afresh (here it cannot: the gateway is not there).
    caplog.set_level(logging.DEBUG, logger="omnidesk_qt.session")
    s._on_event(str(LiveName.QUEUE_RESYNC), {}, 0)
    qtbot.waitUntil(lambda: "snapshot failed" in caplog.text, timeout=2000)
    # A name this desktop does not know: logged at debug, once however often it comes.
    for seq in (2, 3, 4):
        s._on_event("conversation.teleported", {}, seq)
    unknown = [r for r in caplog.records if "conversation.teleported" in r.getMessage()]
    assert [r.levelno for r in unknown] == [logging.DEBUG]
    s.outbox.close()


def test_a_sign_in_wait_from_the_gateway_is_bounded() -> None:
    from omnidesk_qt.client import MAX_SIGN_IN_WAIT_S, _bounded_wait

    assert _bounded_wait(4) == 4 and _bounded_wait(2.5) == 2
    assert _bounded_wait(0) == 1 and _bounded_wait(-5) == 1
    assert _bounded_wait(10**9) == MAX_SIGN_IN_WAIT_S
    assert _bounded_wait(float("inf")) == MAX_SIGN_IN_WAIT_S
    assert _bounded_wait(float("nan")) == 1
    assert _bounded_wait("soon") == 1 and _bounded_wait(True) == 1 and _bounded_wait(None) == 1


def test_outbox_work_stepped_after_the_loop_stopped_running_still_finds_its_loop(
    qtbot: QtBot, aloop: asyncio.AbstractEventLoop, data_dir: Path
) -> None:
    """qasync's run_until_complete ends with one more turn of Qt's events without a running
    loop; a report of the outbox stepped then used to fail with "no running event loop"."""
    session = Session("ws://127.0.0.1:9", Credentials("agent", "agent"), Outbox(data_dir / "ob.db"))
    session._loop = aloop  # what start() records
    step = session._io(session.outbox.count_pending)
    running = asyncio.events._get_running_loop()
    asyncio.events._set_running_loop(None)  # as in that last turn
    try:
        waiting = step.send(None)
    finally:
        asyncio.events._set_running_loop(running)
    assert isinstance(waiting, asyncio.Future)
    qtbot.waitUntil(waiting.done, timeout=5000)
    with pytest.raises(StopIteration) as finished:
        step.send(None)
    assert finished.value.value == 0


def test_nothing_new_starts_once_the_session_is_stopping(
    qtbot: QtBot, aloop: asyncio.AbstractEventLoop, data_dir: Path
) -> None:
    session = Session("ws://127.0.0.1:9", Credentials("agent", "agent"), Outbox(data_dir / "ob.db"))
    stopping = asyncio.ensure_future(session.stop())
    qtbot.waitUntil(stopping.done, timeout=5000)
    session._report_outbox()
    assert session._tasks == set()
