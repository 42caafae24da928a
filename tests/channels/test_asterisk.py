"""The Asterisk ARI adapter against a fake ARI (real HTTP and websocket on 127.0.0.1): screen pops
while the phone rings, call-end records, call control, reconnects and restarts, the CTI webhook."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar import Litestar, Router
from litestar.testing import AsyncTestClient
from sqlalchemy import select

from services.channels import catalog
from services.channels.asterisk import AsteriskAdapter
from services.channels.base import AdapterContext, Section
from services.config import ConfigError
from services.domain.errors import InvalidInput
from services.domain.inbox import ChannelUnavailable, InboundFile, InboundMessage, OutboundMessage
from services.store import tables
from tests.gateway.conftest import start_gateway
from tests.support.fake_asterisk import Failure, FakeAri
from tests.support.opclient import OpClient
from tests.support.recording_inbox import RecordingInbox

CTI_SECRET = "cti-shared-secret-42"
CALLER = "8 (916) 123-45-67"
E164 = "+79161234567"


@pytest.fixture
async def ari() -> AsyncIterator[FakeAri]:
    fake = await FakeAri().start()
    yield fake
    await fake.stop()


def build(ari: FakeAri, **more: Any) -> AsteriskAdapter:
    values: dict[str, Any] = {
        "type": "asterisk",
        "ari_url": ari.url,
        "app": ari.app,
        "username": ari.username,
        "password_env": "ARI_PASSWORD",
        "cti_secret_env": "CTI_SECRET",
        "timeout_s": 2.0,
        **more,
    }
    env = {"ARI_PASSWORD": ari.password, "CTI_SECRET": CTI_SECRET}
    section = Section("pbx", values, env)
    adapter = AsteriskAdapter.from_section(section)
    section.finish()
    return adapter


async def _no_files(file_id: int) -> InboundFile:
    raise AssertionError("calls carry no files")


_spawned: set[asyncio.Future[Any]] = set()


def context(inbox: RecordingInbox, state_dir: Path) -> AdapterContext:
    def spawn(job: Awaitable[Any]) -> None:
        task = asyncio.ensure_future(job)
        _spawned.add(task)
        task.add_done_callback(_spawned.discard)

    return AdapterContext(inbox, state_dir, "http://127.0.0.1:1", "/hooks/pbx", spawn, _no_files)


async def until(check: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "condition not reached in time"
        await asyncio.sleep(0.02)


@pytest.fixture
async def running(
    ari: FakeAri, tmp_path: Path
) -> AsyncIterator[tuple[AsteriskAdapter, RecordingInbox]]:
    adapter, inbox = build(ari, record=True), RecordingInbox()
    await adapter.start(context(inbox, tmp_path / "state"))
    await ari.wait_connected()
    await until(lambda: adapter.connected)
    yield adapter, inbox
    await adapter.stop()


def sent(ari: FakeAri) -> list[tuple[str, str]]:
    return [(method, path) for method, path, _query in ari.requests]


def call_of(msg: InboundMessage) -> dict[str, Any]:
    return dict(msg.extra["call"])


# -- configuration ----------------------------------------------------------------------------


def test_the_section_is_read_and_checked(ari: FakeAri) -> None:
    adapter = build(ari)
    assert adapter.default_region == "RU" and not adapter.record
    assert "pa55" not in repr(vars(adapter))  # the password prints as ***
    env = {"ARI_PASSWORD": "x"}
    base = {"app": "omnidesk", "username": "u", "password_env": "ARI_PASSWORD"}
    for extra, says in (
        ({"ari_url": "ftp://pbx/ari"}, "ari_url"),
        ({"ari_url": "http://u:p@pbx:8088/ari"}, "no credentials"),
        ({"app": "two apps"}, "app"),
        ({"default_region": "Russia"}, "default_region"),
        ({"password": "inline"}, "secrets are not written"),
        ({"recrod": True}, "unknown setting recrod"),
    ):
        with pytest.raises(ConfigError, match=says):
            catalog.build({"pbx": {"type": "asterisk", **base, **extra}}, env)
    built = catalog.build({"pbx": {"type": "asterisk", **base}}, env)
    assert isinstance(built[0], AsteriskAdapter) and built[0].channel == "voice"
    assert built[0].routes() == ()  # no cti_secret: no CTI webhook (404)


async def test_calls_are_not_written_to(ari: FakeAri) -> None:
    with pytest.raises(ChannelUnavailable, match="not written to") as refused:
        await build(ari).send(OutboundMessage(1, 1, "voice", E164, "hello"))
    assert refused.value.retry is False


# -- inbound calls ----------------------------------------------------------------------------


async def test_a_ringing_call_pops_before_answer_and_its_end_follows(
    ari: FakeAri, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    adapter, inbox = build(ari), RecordingInbox()
    await adapter.start(context(inbox, tmp_path / "state"))
    try:
        await ari.wait_connected()
        await until(lambda: adapter.connected)
        assert ari.requests[0][:2] == ("GET", "/channels")  # the calls already in Stasis
        t0 = datetime(2026, 12, 7, 23, 0, 0, 250_000, tzinfo=UTC)
        await ari.ring("1733612345.42", CALLER, at=t0)
        [pop] = await inbox.wait_for(1)
        assert (pop.channel, pop.kind, pop.identity_kind, pop.identity_value) == (
            "voice",
            "call",
            "phone",
            E164,
        )
        assert pop.verified and pop.text == "" and pop.provider_id == "1733612345.42"
        assert call_of(pop) == {
            "state": "ringing",
            "channel_id": "1733612345.42",
            "started_at": "2026-12-07T23:00:00.250000+00:00",
        }
        assert adapter.call_state("1733612345.42") == "ringing"
        await ari.set_state("1733612345.42", "Up", at=t0 + timedelta(seconds=5))
        await until(lambda: adapter.call_state("1733612345.42") == "up")
        await ari.caller_hangs_up("1733612345.42", at=t0 + timedelta(seconds=47, milliseconds=400))
        end = (await inbox.wait_for(2))[1]
        assert end.provider_id == "1733612345.42:end" and end.identity_value == E164
        assert end.kind == "call" and end.text == "" and end.verified
        assert call_of(end) == {
            "state": "ended",
            "channel_id": "1733612345.42",
            "duration_s": 42,
            "disposition": "answered",
            "cause": "Normal Clearing",
            "recording": "",
        }
        assert inbox.abandoned == [] and adapter.call_state("1733612345.42") is None
        assert adapter.health().state == "ok"
    finally:
        await adapter.stop()
    # what the adapter (and the websockets client under it) logged; the fake PBX's own log aside
    logged = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("uvicorn"))
    assert ari.password not in logged and "pa55" not in logged
    assert "916" not in logged  # no phone numbers in the logs
    assert "api_key=omnidesk:***" in logged or "api_key" not in logged


async def test_a_call_nobody_answered_is_missed_and_leaves_the_queue(
    ari: FakeAri, running: tuple[AsteriskAdapter, RecordingInbox]
) -> None:
    _, inbox = running
    await ari.ring("1733612345.50", "+7 916 123 45 67", state="Ringing")
    await inbox.wait_for(1)
    await ari.caller_hangs_up("1733612345.50", cause=19, cause_txt="No user responding")
    end = (await inbox.wait_for(2))[1]
    assert call_of(end)["disposition"] == "missed" and call_of(end)["duration_s"] == 0
    assert call_of(end)["cause"] == "No user responding" and call_of(end)["recording"] == ""
    assert inbox.abandoned == [("phone", E164, "voice")]
    assert [r for r in ari.requests if r[1].endswith("/record")] == []  # never answered


async def test_call_control_and_a_caller_who_hangs_up_on_hold(
    ari: FakeAri, running: tuple[AsteriskAdapter, RecordingInbox]
) -> None:
    adapter, inbox = running
    await ari.ring("1733612345.60", CALLER)
    await inbox.wait_for(1)
    await adapter.answer("1733612345.60")
    await until(lambda: adapter.call_state("1733612345.60") == "up")
    # record = true: the call is recorded from its answer, under the channel's id
    await until(lambda: len(ari.recordings) == 1)
    record = next(r for r in ari.requests if r[1] == "/channels/1733612345.60/record")
    assert record[2]["name"] == "1733612345.60" and record[2]["format"] == "wav"
    await adapter.hold("1733612345.60")
    await until(lambda: adapter.call_state("1733612345.60") == "hold")
    await adapter.unhold("1733612345.60")
    await until(lambda: adapter.call_state("1733612345.60") == "up")
    await adapter.hold("1733612345.60")
    await until(lambda: adapter.call_state("1733612345.60") == "hold")
    await ari.caller_hangs_up("1733612345.60")
    end = (await inbox.wait_for(2))[1]
    assert call_of(end)["disposition"] == "abandoned"
    assert call_of(end)["recording"] == "1733612345.60"
    assert [(m, p) for m, p, _ in ari.requests[1:]] == [
        ("POST", "/channels/1733612345.60/answer"),
        ("POST", "/channels/1733612345.60/record"),
        ("POST", "/channels/1733612345.60/hold"),
        ("DELETE", "/channels/1733612345.60/hold"),
        ("POST", "/channels/1733612345.60/hold"),
    ]
    # hang up and transfer
    await ari.ring("1733612345.61", CALLER)
    await ari.ring("1733612345.62", CALLER)
    await inbox.wait_for(4)
    await adapter.hangup("1733612345.61")
    assert ari.requests[-1] == ("DELETE", "/channels/1733612345.61", {"reason": "normal"})
    await adapter.answer("1733612345.62")
    await adapter.transfer("1733612345.62", "PJSIP/1002")
    assert ari.requests[-1] == (
        "POST",
        "/channels/1733612345.62/redirect",
        {"endpoint": "PJSIP/1002"},
    )
    # a transfer ends the call for this app with StasisEnd alone: recorded after a short grace
    await inbox.wait_for(6)
    ends = {m.provider_id: call_of(m) for m in inbox.messages[4:]}
    assert ends["1733612345.61:end"]["disposition"] == "missed"
    assert ends["1733612345.62:end"]["disposition"] == "answered"
    assert ends["1733612345.62:end"]["cause"] == "transferred"


async def test_a_recording_that_fails_is_not_named_on_the_call(
    ari: FakeAri, running: tuple[AsteriskAdapter, RecordingInbox]
) -> None:
    adapter, inbox = running
    await ari.ring("1733612345.65", CALLER)
    await inbox.wait_for(1)
    await adapter.answer("1733612345.65")
    await until(lambda: len(ari.recordings) == 1)
    recording = {**ari.recordings[0], "state": "failed", "cause": "disk full"}
    await ari.push("RecordingFailed", recording=recording)
    await ari.caller_hangs_up("1733612345.65")
    end = (await inbox.wait_for(2))[1]
    assert call_of(end)["recording"] == "" and call_of(end)["disposition"] == "answered"


async def test_call_control_refusals_and_failures(
    ari: FakeAri, running: tuple[AsteriskAdapter, RecordingInbox]
) -> None:
    adapter, inbox = running
    with pytest.raises(ChannelUnavailable, match="Channel not found") as refused:
        await adapter.answer("1733612345.99")
    assert refused.value.retry is False
    await ari.ring("1733612345.70", CALLER)
    await inbox.wait_for(1)
    ari.channels["1733612345.70"]["dialplan"]["app_name"] = "Dial"
    with pytest.raises(ChannelUnavailable, match="not in Stasis") as refused:
        await adapter.hold("1733612345.70")
    assert refused.value.retry is False
    ari.channels["1733612345.70"]["dialplan"]["app_name"] = "Stasis"
    for failure, retry, after, health in (
        (Failure(412, "Channel in invalid state"), False, None, "ok"),
        (Failure(503, "Service Unavailable"), True, None, "degraded"),
        (Failure(429, "Too many requests", {"Retry-After": "7"}), True, 7.0, "degraded"),
    ):
        ari.failures.append(failure)
        with pytest.raises(ChannelUnavailable) as failed:
            await adapter.answer("1733612345.70")
        assert failed.value.reason == failure.message
        assert (failed.value.retry, failed.value.retry_after_s) == (retry, after)
        assert adapter.health().state == health
    # nothing is sent for a dial string or an id that could not be one
    count = len(ari.requests)
    with pytest.raises(ChannelUnavailable, match="dial string"):
        await adapter.transfer("1733612345.70", "1002&app=other")
    with pytest.raises(ChannelUnavailable, match="channel id"):
        await adapter.hangup("../bridges")
    assert len(ari.requests) == count
    # the PBX took the request but did not answer in time: never again by itself
    ari.delay_s = 3.0
    with pytest.raises(ChannelUnavailable, match="in time") as late:
        await adapter.unhold("1733612345.70")
    assert late.value.retry is False and adapter.health().state == "down"  # 3 in a row
    ari.delay_s = 0.0
    await adapter.unhold("1733612345.70")
    assert adapter.health().state == "ok"


async def test_the_pbx_down_is_a_retry_and_health_goes_down_and_back(
    ari: FakeAri, tmp_path: Path
) -> None:
    adapter, inbox = build(ari), RecordingInbox()
    await ari.stop()
    await adapter.start(context(inbox, tmp_path / "state"))
    try:
        await until(lambda: adapter.health().state == "down")
        with pytest.raises(ChannelUnavailable, match="cannot be reached") as down:
            await adapter.answer("1733612345.80")
        assert down.value.retry is True
        await ari.start()  # the same port
        await ari.wait_connected(timeout=5)
        await until(lambda: adapter.health().state == "ok")
        await ari.ring("1733612345.80", CALLER)
        assert [m.provider_id for m in await inbox.wait_for(1)] == ["1733612345.80"]
    finally:
        await adapter.stop()


async def test_wrong_credentials_are_down_and_never_shown(ari: FakeAri, tmp_path: Path) -> None:
    section = Section(
        "pbx",
        {"ari_url": ari.url, "app": ari.app, "username": ari.username, "password_env": "PW"},
        {"PW": "not-the-password"},
    )
    adapter = AsteriskAdapter.from_section(section)
    await adapter.start(context(RecordingInbox(), tmp_path / "state"))
    try:
        await until(lambda: ari.refused >= 1 and adapter.health().state == "down")
        assert "not-the-password" not in adapter.health().detail
        assert not adapter.connected and ari.connects == 0
    finally:
        await adapter.stop()


async def test_a_dropped_socket_reconnects_and_lists_the_calls_it_missed(
    ari: FakeAri, running: tuple[AsteriskAdapter, RecordingInbox]
) -> None:
    adapter, inbox = running
    await ari.ring("1733612345.90", CALLER)  # rings on
    await ari.ring("1733612345.91", "+79031112233")  # ends while the socket is down
    await inbox.wait_for(2)
    await ari.drop()
    await until(lambda: adapter.health().state != "ok")
    assert adapter.health().state == "degraded"
    ari.channels.pop("1733612345.91")
    ari.channels["1733612345.92"] = ari.channel("1733612345.92", "+79035556677")  # a new one
    ari.channels["1733612345.93"] = {
        **ari.channel("1733612345.93", "+79035556600"),
        "dialplan": {"context": "internal", "exten": "100", "priority": 1, "app_name": "Dial"},
    }  # on the PBX, but not in this app
    await ari.wait_connected(connects=2)
    await until(lambda: adapter.health().state == "ok")
    await inbox.wait_for(4)
    await asyncio.sleep(0.2)  # nothing more comes
    ids = [m.provider_id for m in inbox.messages]
    assert ids == ["1733612345.90", "1733612345.91", "1733612345.91:end", "1733612345.92"]
    assert call_of(inbox.messages[2])["disposition"] == "missed"
    assert adapter.call_state("1733612345.90") == "ringing"


async def test_a_restart_mid_call_loses_nothing_and_pops_nothing_twice(
    ari: FakeAri, tmp_path: Path
) -> None:
    state = tmp_path / "state"
    first, inbox = build(ari), RecordingInbox()
    await first.start(context(inbox, state))
    await ari.wait_connected()
    await ari.ring("1733612345.100", CALLER)
    await ari.ring("1733612345.101", "+79031112233")
    await inbox.wait_for(2)
    await ari.set_state("1733612345.101", "Up", at=datetime.now(UTC) - timedelta(seconds=30))
    await until(lambda: first.call_state("1733612345.101") == "up")
    await first.stop()
    # while the gateway is down: one call ends, another one comes
    ari.channels.pop("1733612345.101")
    ari.channels["1733612345.102"] = ari.channel("1733612345.102", "+79035556677")
    second, again = build(ari), RecordingInbox()
    await second.start(context(again, state))
    try:
        await again.wait_for(2)
        await asyncio.sleep(0.2)
        assert [m.provider_id for m in again.messages] == [
            "1733612345.101:end",
            "1733612345.102",
        ]
        ended = call_of(again.messages[0])
        assert ended["disposition"] == "answered" and ended["duration_s"] >= 30
        assert second.call_state("1733612345.100") == "ringing"
        await ari.caller_hangs_up("1733612345.100")
        await again.wait_for(3)
        assert again.messages[2].provider_id == "1733612345.100:end"
    finally:
        await second.stop()


async def test_an_inbox_that_fails_gets_the_call_again_later(
    ari: FakeAri, running: tuple[AsteriskAdapter, RecordingInbox], tmp_path: Path
) -> None:
    _, inbox = running
    inbox.fail_next = RuntimeError("hub down")
    await ari.ring("1733612345.110", CALLER)
    await asyncio.sleep(0.1)
    assert inbox.messages == []
    saved = json.loads((tmp_path / "state" / "calls.json").read_text())
    assert [c["id"] for c in saved["calls"]] == ["1733612345.110"]  # kept for the retry
    [pop] = await inbox.wait_for(1, timeout=5)
    assert pop.provider_id == "1733612345.110"
    await asyncio.sleep(0.1)
    assert len(inbox.messages) == 1


async def test_a_call_the_hub_refuses_for_good_does_not_hold_up_the_next(
    ari: FakeAri, running: tuple[AsteriskAdapter, RecordingInbox]
) -> None:
    _, inbox = running
    inbox.fail_next = InvalidInput("not a number the hub takes")
    await ari.ring("1733612345.115", CALLER)
    await ari.ring("1733612345.116", "+79031112233")
    [pop] = await inbox.wait_for(1, timeout=0.5)  # at once, not after a retry's backoff
    assert pop.provider_id == "1733612345.116"
    await ari.caller_hangs_up("1733612345.115")
    await asyncio.sleep(0.1)
    assert [m.provider_id for m in inbox.messages] == ["1733612345.116", "1733612345.115:end"]


async def test_bad_events_are_skipped_without_their_content(
    ari: FakeAri, running: tuple[AsteriskAdapter, RecordingInbox], caplog: pytest.LogCaptureFixture
) -> None:
    adapter, inbox = running
    caplog.set_level(logging.INFO)
    await ari.push_raw("{not json +79160000001")
    await ari.push_raw('["+79160000002"]')
    await ari.push("StasisStart", {"id": 7, "caller": {"number": "+79160000003"}})
    await ari.push("StasisStart", ari.channel("1733612345.120", "anonymous"))
    await ari.push("StasisStart", ari.channel("1733612345.121", "1001"))  # an extension
    other = ari.channel("1733612345.122", "+79160000004")
    await ari.push_raw(
        json.dumps({"type": "StasisStart", "application": "other", "channel": other})
    )
    chan = await ari.ring("1733612345.123", CALLER)
    [pop] = await inbox.wait_for(1)
    await ari.push("StasisStart", chan)  # the same call again: followed once, popped once
    await asyncio.sleep(0.1)
    assert pop.provider_id == "1733612345.123" and len(inbox.messages) == 1
    assert "79160000" not in caplog.text and "anonymous" not in caplog.text
    assert "1733612345.120" in caplog.text  # ids are logged
    assert adapter.connected


# -- the generic CTI webhook ------------------------------------------------------------------


def signed(payload: dict[str, Any], secret: str = CTI_SECRET) -> tuple[bytes, dict[str, str]]:
    body = json.dumps(payload).encode()
    mac = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return body, {"X-OmniDesk-Signature": f"sha256={mac}", "Content-Type": "application/json"}


@pytest.fixture
async def cti(
    running: tuple[AsteriskAdapter, RecordingInbox],
) -> AsyncIterator[tuple[AsyncTestClient[Litestar], RecordingInbox]]:
    adapter, inbox = running
    routes = Router("/hooks/pbx", route_handlers=list(adapter.routes()))
    app = Litestar(route_handlers=[routes], logging_config=None)
    async with AsyncTestClient(app) as client:
        yield client, inbox


async def test_the_cti_webhook_makes_the_same_touchpoints(
    cti: tuple[AsyncTestClient[Litestar], RecordingInbox],
) -> None:
    client, inbox = cti
    body, headers = signed({"event": "ring", "call_id": "pbx-7781", "from": CALLER})
    answer = await client.post("/hooks/pbx/cti", content=body, headers=headers)
    assert answer.status_code == 200
    [pop] = inbox.messages
    assert (pop.channel, pop.kind, pop.identity_value, pop.provider_id) == (
        "voice",
        "call",
        E164,
        "pbx-7781",
    )
    assert call_of(pop)["state"] == "ringing" and call_of(pop)["channel_id"] == "pbx-7781"
    body, headers = signed({"event": "answer", "call_id": "pbx-7781"})
    assert (await client.post("/hooks/pbx/cti", content=body, headers=headers)).status_code == 200
    end = {"event": "hangup", "call_id": "pbx-7781", "duration_s": 63, "recording": "r-7781.wav"}
    body, headers = signed(end)
    assert (await client.post("/hooks/pbx/cti", content=body, headers=headers)).status_code == 200
    assert inbox.messages[1].provider_id == "pbx-7781:end"
    assert call_of(inbox.messages[1]) == {
        "state": "ended",
        "channel_id": "pbx-7781",
        "duration_s": 63,
        "disposition": "answered",
        "cause": "",
        "recording": "r-7781.wav",
    }
    # a hangup the PBX delivers again: acknowledged, nothing new
    assert (await client.post("/hooks/pbx/cti", content=body, headers=headers)).status_code == 200
    # a missed call told at once, with its disposition
    body, headers = signed(
        {"event": "hangup", "call_id": "pbx-7790", "from": CALLER, "disposition": "missed"}
    )
    assert (await client.post("/hooks/pbx/cti", content=body, headers=headers)).status_code == 200
    assert [m.provider_id for m in inbox.messages[2:]] == ["pbx-7790", "pbx-7790:end"]
    assert call_of(inbox.messages[3])["disposition"] == "missed"
    assert len(inbox.messages) == 4


async def test_the_cti_webhook_refuses_bad_signatures_and_bodies(
    cti: tuple[AsyncTestClient[Litestar], RecordingInbox], caplog: pytest.LogCaptureFixture
) -> None:
    client, inbox = cti
    caplog.set_level(logging.DEBUG)
    payload = {"event": "ring", "call_id": "pbx-1", "from": "+79165550011"}
    body, _ = signed(payload, "wrong-secret")
    forged = {"X-OmniDesk-Signature": "sha256=" + hashlib.sha256(body).hexdigest()}
    for headers in ({}, forged, signed(payload, "wrong-secret")[1]):
        answer = await client.post("/hooks/pbx/cti", content=body, headers=headers)
        assert answer.status_code == 403
    for bad in (
        b"{broken",
        b"[1, 2]",
        json.dumps({"event": "dial", "call_id": "pbx-1", "from": "+79165550011"}).encode(),
        json.dumps({"event": "ring", "call_id": "a/b", "from": "+79165550011"}).encode(),
        json.dumps({"event": "ring", "call_id": "pbx-1", "from": "anonymous"}).encode(),
        json.dumps({"event": "hangup", "call_id": "pbx-1", "duration_s": -1}).encode(),
        json.dumps({"event": "hangup", "call_id": "pbx-1", "disposition": "lost"}).encode(),
    ):
        mac = hmac.new(CTI_SECRET.encode(), bad, hashlib.sha256).hexdigest()
        answer = await client.post(
            "/hooks/pbx/cti", content=bad, headers={"X-OmniDesk-Signature": f"sha256={mac}"}
        )
        assert answer.status_code == 400, bad
    big = b'{"event": "ring", "pad": "' + b"x" * 20_000 + b'"}'
    assert (await client.post("/hooks/pbx/cti", content=big)).status_code == 413
    assert inbox.messages == []
    assert "79165550011" not in caplog.text and CTI_SECRET not in caplog.text
    assert "anonymous" not in caplog.text


async def test_the_cti_webhook_answers_a_failure_when_the_inbox_fails(
    cti: tuple[AsyncTestClient[Litestar], RecordingInbox],
) -> None:
    client, inbox = cti
    inbox.fail_next = RuntimeError("hub down")
    body, headers = signed({"event": "ring", "call_id": "pbx-9", "from": CALLER})
    assert (await client.post("/hooks/pbx/cti", content=body, headers=headers)).status_code == 503
    assert inbox.messages == []
    await asyncio.sleep(1.1)  # the adapter's own retry, or the PBX's redelivery: one pop
    assert (await client.post("/hooks/pbx/cti", content=body, headers=headers)).status_code == 200
    assert [m.provider_id for m in inbox.messages] == ["pbx-9"]


# -- through a real gateway -------------------------------------------------------------------


async def test_a_call_pops_the_customer_on_the_operator_socket_and_lands_on_the_timeline(
    db_url: str, tmp_path: Path, ari: FakeAri, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ARI_PASSWORD", ari.password)
    monkeypatch.setenv("CTI_SECRET", CTI_SECRET)
    section = {
        "type": "asterisk",
        "ari_url": ari.url,
        "app": ari.app,
        "username": ari.username,
        "password_env": "ARI_PASSWORD",
        "cti_secret_env": "CTI_SECRET",
    }
    gw = await start_gateway(db_url, data_dir=tmp_path / "gw", channels={"pbx": section})
    op = None
    try:
        await ari.wait_connected()
        # voice is served by the billing queue (tests/support/seed.py)
        op = await OpClient.connect(f"ws://127.0.0.1:{gw.port}", "b1", "b1")
        assert op.auth["type"] == "auth_ok", op.auth
        await op.ok("presence.set", {"status": "available"})
        await ari.ring("1733612345.200", CALLER)
        offered = await op.event("conversation.offered")
        conv = offered["data"]["conversation"]
        assert conv["channel"] == "voice"
        card = await op.ok("customer.open", {"customer_id": conv["customer_id"]})
        assert {"kind": "phone", "value": E164} in [
            {"kind": i["kind"], "value": i["value"]} for i in card["identities"]
        ]
        [ring] = card["timeline"]["items"]
        assert ring["kind"] == "call" and ring["extra"]["call"]["state"] == "ringing"
        # the operator cannot write on a call
        refused = await op.cmd(
            "message.send", {"customer_id": conv["customer_id"], "channel": "voice", "text": "hi"}
        )
        assert refused["type"] == "error"
        # Accepting answers the call at the PBX; hold, resume and end follow it there.
        await op.ok("conversation.accept", {"conversation_id": conv["id"]})
        await until(lambda: ("POST", "/channels/1733612345.200/answer") in sent(ari))
        await ari.set_state("1733612345.200", "Up")
        await op.ok("conversation.hold", {"conversation_id": conv["id"]})
        await until(lambda: ("POST", "/channels/1733612345.200/hold") in sent(ari))
        await op.ok("conversation.resume", {"conversation_id": conv["id"]})
        await until(lambda: ("DELETE", "/channels/1733612345.200/hold") in sent(ari))
        await op.ok("conversation.end", {"conversation_id": conv["id"]})
        await until(lambda: ("DELETE", "/channels/1733612345.200") in sent(ari))
        # The call's end completes the ring's item: one item per call, with how it went.
        ended = await op.event(
            "timeline.item", item__id=ring["id"], item__extra__call__state="ended"
        )
        assert ended["data"]["item"]["extra"]["disposition"] == "answered"

        def items(c: Any) -> list[Any]:
            t = tables.timeline
            q = select(t.c.provider_id, t.c.kind, t.c.extra).where(t.c.channel == "voice")
            return list(c.execute(q.order_by(t.c.id)).all())

        stored = await gw.store.read(items)
        assert [(r.provider_id, r.kind) for r in stored] == [("1733612345.200", "call")]
        assert stored[0].extra["call"]["disposition"] == "answered"
        assert stored[0].extra["duration_s"] >= 0
        # A call nobody takes: when the caller hangs up it stays queued as a callback task.
        await op.ok("presence.set", {"status": "break"})
        await ari.ring("1733612345.300", "+79035550000")
        await until(
            lambda: any(
                c.channel == "voice" and c.call_id == "1733612345.300"
                for c in gw.hub.convs.values()
            )
        )
        missed = next(c for c in gw.hub.convs.values() if c.call_id == "1733612345.300")
        await ari.caller_hangs_up("1733612345.300")
        await until(lambda: "callback" in missed.tags)
        assert missed.state == "queued" and missed.priority == "high"
        voice_convs = [c for c in gw.hub.convs.values() if c.channel == "voice"]
        assert len(voice_convs) == 2  # the end made no conversation of its own
        # the CTI webhook is mounted under /hooks/pbx
        body, headers = signed({"event": "ring", "call_id": "pbx-5", "from": "+79031112233"})
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{gw.http_port}") as http:
            answer = await http.post("/hooks/pbx/cti", content=body, headers=headers)
            assert answer.status_code == 200
            answer = await http.post("/hooks/pbx/cti", content=body, headers={})
            assert answer.status_code == 403
    finally:
        if op is not None:
            await op.close()
        await gw.close()
