"""The Telegram adapter against a fake Bot API server (real HTTP on loopback): polling and
webhooks in, sendMessage/sendPhoto/sendDocument out, errors, health, restarts, and one run
through a real gateway."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar import Router

from services.api.http import create_http_app
from services.api.http_server import HttpServer
from services.channels import catalog
from services.channels.base import AdapterContext, Cursor, Secret, Section
from services.channels.telegram import TelegramAdapter
from services.config import ConfigError
from services.domain.inbox import (
    ChannelUnavailable,
    InboundFile,
    InboundMessage,
    IngestResult,
    OutboundMessage,
)
from tests.gateway.conftest import start_gateway
from tests.support.fake_telegram import FakeTelegram
from tests.support.opclient import OpClient
from tests.support.recording_inbox import RecordingInbox

WEBHOOK_SECRET = "hook-Secret_42"


@dataclass
class GatedInbox(RecordingInbox):
    """Records every ingest call; one whose text is ``hold`` waits for ``gate``."""

    calls: list[str | None] = field(default_factory=list)
    hold: str | None = None
    gate: asyncio.Event = field(default_factory=asyncio.Event)

    async def ingest(self, msg: InboundMessage) -> IngestResult:
        self.calls.append(msg.provider_id)
        if self.hold is not None and msg.text == self.hold:
            await self.gate.wait()
        return await super().ingest(msg)


async def until(check: Callable[[], Any], timeout: float = 5.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.02)


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    server = FakeTelegram()
    await server.start()
    yield server
    await server.stop()


Files = dict[int, InboundFile]


def context(
    inbox: Any, state_dir: Path, files: Files | None = None, port: int = 9
) -> AdapterContext:
    async def read_file(file_id: int) -> InboundFile:
        return (files or {})[file_id]

    def spawn(coro: Awaitable[Any]) -> None:
        raise AssertionError("the adapter runs its own task")

    return AdapterContext(
        inbox, state_dir, f"http://127.0.0.1:{port}", "/hooks/tg", spawn, read_file
    )


def adapter_for(fake: FakeTelegram, **kw: Any) -> TelegramAdapter:
    kw.setdefault("poll_timeout_s", 1)
    kw.setdefault("backoff_s", (0.05, 0.2))
    token = kw.pop("token", fake.token)
    return TelegramAdapter("tg", Secret(token), api_base=fake.url, **kw)


@asynccontextmanager
async def polling(
    fake: FakeTelegram, inbox: Any, state_dir: Path, files: Files | None = None, **kw: Any
) -> AsyncIterator[TelegramAdapter]:
    adapter = adapter_for(fake, **kw)
    await adapter.start(context(inbox, state_dir, files))
    try:
        yield adapter
    finally:
        await adapter.stop()


@asynccontextmanager
async def webhook(
    fake: FakeTelegram, inbox: Any, state_dir: Path, **kw: Any
) -> AsyncIterator[tuple[TelegramAdapter, str]]:
    """A webhook-mode adapter served on a real HTTP port, as the gateway mounts it."""
    adapter = adapter_for(fake, mode="webhook", webhook_secret=Secret(WEBHOOK_SECRET), **kw)
    server = HttpServer("127.0.0.1", 0)
    port = server.bind()
    await server.start(
        create_http_app([Router(path="/hooks/tg", route_handlers=list(adapter.routes()))])
    )
    await adapter.start(context(inbox, state_dir, port=port))
    try:
        yield adapter, f"http://127.0.0.1:{port}/hooks/tg"
    finally:
        await adapter.stop()
        await server.close()


def out(text: str = "Здравствуйте", address: str = "777001", **kw: Any) -> OutboundMessage:
    return OutboundMessage(1, 1, "telegram", address, text, **kw)


# -- configuration ---------------------------------------------------------------------------


def test_the_section_reads_every_key_and_refuses_bad_ones(tmp_path: Path) -> None:
    env = {"TG_TOKEN": "1:abc", "TG_HOOK": WEBHOOK_SECRET}
    section = Section(
        "tg",
        {
            "type": "telegram",
            "api_base": "http://127.0.0.1:1/",
            "token_env": "TG_TOKEN",
            "mode": "webhook",
            "webhook_secret_env": "TG_HOOK",
            "poll_timeout_s": 5,
            "max_file_bytes": 1000,
        },
        env,
    )
    adapter = TelegramAdapter.from_section(section)
    section.finish()
    assert (adapter.api_base, adapter.mode, adapter.poll_timeout_s) == (
        "http://127.0.0.1:1",
        "webhook",
        5,
    )
    assert adapter.token.reveal() == "1:abc" and adapter.webhook_secret.matches(WEBHOOK_SECRET)
    assert adapter.max_file_bytes == 1000 and adapter.routes()
    built = catalog.build({"telegram": {"token_env": "TG_TOKEN"}}, env)
    assert isinstance(built[0], TelegramAdapter) and built[0].mode == "polling"
    assert built[0].poll_timeout_s == 25 and built[0].max_file_bytes == 10 * 1024 * 1024
    assert built[0].api_base == "https://api.telegram.org" and not built[0].routes()
    bad: list[tuple[dict[str, Any], str]] = [
        ({"mode": "push"}, "mode"),
        ({"mode": "webhook"}, "webhook_secret: set webhook_secret_env"),
        ({"webhook_secret_env": "BAD"}, "webhook_secret: 1-256 characters"),
        ({"poll_timeout_s": 90}, "poll_timeout_s: at most 50"),
        ({"api_base": "ftp://x"}, "api_base"),
        ({"token": "1:abc"}, "secrets are not written in the file"),
        ({"tokn_env": "TG_TOKEN"}, "unknown setting tokn_env"),
    ]
    for values, says in bad:
        with pytest.raises(ConfigError, match=says) as refused:
            catalog.build(
                {"tg": {"type": "telegram", "token_env": "TG_TOKEN", **values}},
                {**env, "BAD": "has spaces!"},
            )
        assert "has spaces" not in str(refused.value) and "1:abc" not in str(refused.value)


# -- inbound by polling ----------------------------------------------------------------------


async def test_a_polled_message_becomes_an_inbound_message_and_is_confirmed_after(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    inbox = RecordingInbox()
    update_id = fake.push_message(777001, "Где мой заказ?", message_id=42)
    async with polling(fake, inbox, tmp_path) as adapter:
        (msg,) = await inbox.wait_for(1)
        assert (msg.channel, msg.identity_kind, msg.identity_value) == (
            "telegram",
            "telegram",
            "777001",
        )
        assert msg.verified and msg.text == "Где мой заказ?" and msg.display_name == "Ivan Petrov"
        assert msg.provider_id == "777001:42" and msg.files == [] and msg.extra == {}
        # The next getUpdates confirms it; the cursor says so across restarts.
        await until(lambda: fake.confirmed_offset == update_id + 1)
        assert Cursor(tmp_path / "offset.json").load(None) == {"offset": update_id + 1}
        first = fake.calls_of("getUpdates")[0].params
        assert first["allowed_updates"] == ["message"] and first["timeout"] == 1
        assert first["offset"] == 0
        assert adapter.health().state == "ok"


async def test_photos_and_documents_are_downloaded_and_oversized_ones_refused(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    inbox = RecordingInbox()
    small, big = (
        fake.add_file(b"s" * 10, "photos/s.jpg"),
        fake.add_file(b"JPEG" * 50, "photos/b.jpg"),
    )
    mid = fake.add_file(b"m" * 60, "photos/m.jpg")
    pdf = fake.add_file(b"%PDF-1.4 ...", "documents/file_9.pdf")
    photo = [
        {"file_id": small, "file_unique_id": "a", "width": 90, "height": 60, "file_size": 10},
        {"file_id": big, "file_unique_id": "c", "width": 1280, "height": 853, "file_size": 200},
        {"file_id": mid, "file_unique_id": "b", "width": 320, "height": 213, "file_size": 60},
    ]
    fake.push_message(text=None, caption="вот фото", photo=photo, message_id=1)
    doc = {
        "file_id": pdf,
        "file_unique_id": "d",
        "file_name": "счёт.pdf",
        "mime_type": "application/pdf",
        "file_size": 12,
    }
    fake.push_message(text=None, document=doc, message_id=2)
    huge = {
        "file_id": "never-fetched",
        "file_unique_id": "h",
        "file_name": "huge.zip",
        "mime_type": "application/zip",
        "file_size": 5000,
    }
    fake.push_message(text="архив", document=huge, message_id=3)
    gone = {"file_id": "unknown-id", "file_unique_id": "g", "file_name": "gone.txt"}
    fake.push_message(text="потерялся", document=gone, message_id=4)
    async with polling(fake, inbox, tmp_path, max_file_bytes=1000):
        got = await inbox.wait_for(4)
    assert got[0].text == "вот фото"
    assert [(f.name, f.mime, f.data) for f in got[0].files] == [
        ("photo.jpg", "image/jpeg", b"JPEG" * 50)
    ]
    assert [(f.name, f.mime, f.data) for f in got[1].files] == [
        ("счёт.pdf", "application/pdf", b"%PDF-1.4 ...")
    ]
    assert got[2].files == [] and got[2].extra == {"refused_files": ["huge.zip"]}
    assert got[3].files == [] and got[3].extra == {"refused_files": ["gone.txt"]}
    assert "never-fetched" not in [c.params.get("file_id") for c in fake.calls_of("getFile")]
    assert fake.downloads == ["photos/b.jpg", "documents/file_9.pdf"]


async def test_a_file_telegram_keeps_failing_on_is_retried_then_given_up(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    inbox = RecordingInbox()
    doc_id = fake.add_file(b"data", "documents/d.txt")
    fake.fail("getFile", 500, "Internal Server Error", times=100)
    doc = {"file_id": doc_id, "file_unique_id": "d", "file_name": "d.txt", "file_size": 4}
    fake.push_message(text="с файлом", document=doc)
    fake.push_message(text="следом")
    async with polling(fake, inbox, tmp_path):
        got = await inbox.wait_for(2)
    # Five tries (the update stays unconfirmed meanwhile), then taken without its file.
    assert len(fake.calls_of("getFile")) == 6
    assert [m.text for m in got] == ["с файлом", "следом"]
    assert got[0].extra == {"refused_files": ["d.txt"]}


async def test_a_file_bigger_than_it_said_is_not_kept(fake: FakeTelegram, tmp_path: Path) -> None:
    inbox = RecordingInbox()
    liar = fake.add_file(b"x" * 5000, "documents/liar.bin")
    doc = {"file_id": liar, "file_unique_id": "l", "file_name": "liar.bin", "file_size": 10}
    fake.push_message(text="", document=doc)
    async with polling(fake, inbox, tmp_path, max_file_bytes=1000):
        (msg,) = await inbox.wait_for(1)
    assert msg.files == [] and msg.extra == {"refused_files": ["liar.bin"]}


async def test_the_customers_own_contact_is_a_verified_phone_and_someone_elses_is_text(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    inbox = RecordingInbox()
    own = {"phone_number": "+79161234567", "first_name": "Ivan", "user_id": 777001}
    fake.push_message(777001, None, contact=own)
    other = {"phone_number": "+79997654321", "first_name": "Anna", "last_name": "K", "user_id": 555}
    fake.push_message(777001, None, contact=other)
    async with polling(fake, inbox, tmp_path):
        (msg,) = await inbox.wait_for(1)
        await until(lambda: not fake.updates)
    assert inbox.proven == [("telegram", "777001", {"phone": "+79161234567"})]
    assert inbox.claims == []
    assert msg.text == "[contact: Anna K]" and msg.claims == {}
    assert "+79997654321" not in json.dumps([msg.text, msg.extra])


async def test_edited_group_and_bot_messages_are_counted_not_ingested(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    inbox = RecordingInbox()
    fake.push(
        edited_message={
            "message_id": 1,
            "chat": {"id": 7, "type": "private"},
            "date": 0,
            "text": "edited",
        }
    )
    fake.push_message(text="in a group", chat_type="group", chat_id=-100)
    fake.push_message(text="from a bot", is_bot=True)
    fake.push(message={"message_id": "x", "chat": "nope"})
    fake.push(callback_query={"id": "1"})
    fake.push_message(text=None, pinned_message={"message_id": 1})
    fake.push_message(text=None, sticker={"file_id": "st", "emoji": "👍"})
    fake.push_message(text="the real one")
    async with polling(fake, inbox, tmp_path) as adapter:
        got = await inbox.wait_for(2)
        assert [m.text for m in got] == ["[sticker]", "the real one"]
        assert adapter.ignored == {
            "edited": 1,
            "group": 1,
            "bot": 1,
            "malformed": 1,
            "other": 1,
            "empty": 1,
        }


async def test_a_broken_cursor_starts_over_from_what_telegram_has_not_confirmed(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    (tmp_path / "offset.json").write_text("{half a wri")
    inbox = RecordingInbox()
    fake.push_message(text="still here")
    async with polling(fake, inbox, tmp_path):
        (msg,) = await inbox.wait_for(1)
    assert msg.text == "still here" and fake.calls_of("getUpdates")[0].params["offset"] == 0


async def test_an_update_the_inbox_did_not_take_is_not_confirmed_and_comes_again(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    inbox = GatedInbox()
    inbox.fail_next = RuntimeError("hub down")
    first = fake.push_message(text="one", message_id=1)
    fake.push_message(text="two", message_id=2)
    async with polling(fake, inbox, tmp_path):
        got = await inbox.wait_for(2)
        await until(lambda: fake.confirmed_offset == first + 2)
    assert [m.text for m in got] == ["one", "two"]
    assert inbox.calls == ["777001:1", "777001:1", "777001:2"]
    # The poll after the failure still asked from the failed update on.
    offsets = [c.params["offset"] for c in fake.calls_of("getUpdates")]
    assert offsets[:2] == [0, 0] and offsets[-1] == first + 2


async def test_stopped_mid_stream_and_restarted_nothing_is_lost_or_taken_twice(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    inbox = GatedInbox(hold="two")
    ids = [fake.push_message(text=t, message_id=n) for n, t in enumerate(["one", "two", "three"])]
    async with polling(fake, inbox, tmp_path):
        await until(lambda: len(inbox.calls) == 2)  # "two" is in the inbox's hands
    assert Cursor(tmp_path / "offset.json").load(None) == {"offset": ids[0] + 1}
    inbox.hold = None
    # The provider restarts too (it keeps its unconfirmed updates, as Telegram does).
    await fake.restart()
    async with polling(fake, inbox, tmp_path):
        got = await inbox.wait_for(3)
        await until(lambda: fake.confirmed_offset == ids[2] + 1)
    assert [m.text for m in got] == ["one", "two", "three"]
    assert inbox.calls == ["777001:0", "777001:1", "777001:1", "777001:2"]


async def test_webhook_updates_are_answered_after_ingest_and_redelivered_on_failure(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    inbox = GatedInbox()
    async with webhook(fake, inbox, tmp_path) as (adapter, url):
        await until(lambda: fake.webhook_url == url)
        (call,) = fake.calls_of("setWebhook")
        assert call.params["secret_token"] == WEBHOOK_SECRET
        assert call.params["allowed_updates"] == ["message"]
        inbox.fail_next = RuntimeError("hub down")
        update_id = fake.push_message(text="по вебхуку", message_id=9)
        (msg,) = await inbox.wait_for(1)
        assert msg.provider_id == "777001:9" and msg.text == "по вебхуку"
        await until(lambda: (update_id, 200) in fake.webhook_attempts)
        assert fake.webhook_attempts[0] == (update_id, 503)
        assert inbox.calls == ["777001:9", "777001:9"] and not fake.updates
        # Polling is refused while a webhook is set; the adapter does not poll in this mode.
        assert fake.calls_of("getUpdates") == [] and adapter.health().state == "ok"


async def test_webhooks_with_a_wrong_secret_or_a_bad_body_are_refused_without_logging_them(
    fake: FakeTelegram, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    inbox = RecordingInbox()
    update = {
        "update_id": 1,
        "message": {
            "message_id": 5,
            "date": 0,
            "text": "секретный текст",
            "from": {"id": 9, "is_bot": False, "first_name": "Олег"},
            "chat": {"id": 9, "type": "private"},
        },
    }
    async with webhook(fake, inbox, tmp_path) as (_adapter, url), httpx.AsyncClient() as http:
        header = "X-Telegram-Bot-Api-Secret-Token"
        for headers in ({}, {header: "wrong-secret-value"}, {header: WEBHOOK_SECRET + "x"}):
            answer = await http.post(url, json=update, headers=headers)
            assert answer.status_code == 403
        bad = await http.post(url, content=b"{not json", headers={header: WEBHOOK_SECRET})
        assert bad.status_code == 400
        listy = await http.post(url, json=[1, 2], headers={header: WEBHOOK_SECRET})
        assert listy.status_code == 400
        big = await http.post(url, content=b" " * 300_000, headers={header: WEBHOOK_SECRET})
        assert big.status_code == 413
        assert inbox.messages == []
        # The same update twice: the inbox sees one provider id (it dedupes), both answered 200.
        for _ in range(2):
            answer = await http.post(url, json=update, headers={header: WEBHOOK_SECRET})
            assert answer.status_code == 200
        assert [m.provider_id for m in inbox.messages] == ["9:5"]
    logged = "\n".join(r.getMessage() + repr(r.__dict__) for r in caplog.records)
    assert "refused: wrong secret token" in logged
    for leak in ("секретный текст", "wrong-secret-value", WEBHOOK_SECRET, fake.token):
        assert leak not in logged


# -- polling errors and health ---------------------------------------------------------------


async def test_provider_errors_make_health_degraded_then_down_and_back(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    inbox = RecordingInbox()
    fake.fail("getUpdates", 502, "Bad Gateway", times=3)
    async with polling(fake, inbox, tmp_path) as adapter:
        await until(lambda: adapter.health().state == "down")
        assert "HTTP 502" in adapter.health().detail
        await until(lambda: adapter.health().state == "ok")
        fake.push_message(text="after")
        await inbox.wait_for(1)
        # The provider goes away altogether, then comes back.
        await fake.stop()
        await until(lambda: adapter.health().state != "ok")
        assert "cannot reach" in adapter.health().detail or "no answer" in adapter.health().detail
        await fake.start()
        fake.push_message(text="back")
        await inbox.wait_for(2)
        assert adapter.health().state == "ok"
        # A webhook set elsewhere: getUpdates is refused with 409.
        fake.webhook_url = "https://elsewhere.example/hook"
        await until(lambda: adapter.health().state == "down")
        assert "can't use getUpdates method while webhook is active" in adapter.health().detail
    assert len(fake.calls_of("getUpdates")) < 200  # it backed off instead of hammering


async def test_a_flood_limit_on_polling_waits_as_long_as_telegram_says(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    fake.fail("getUpdates", 429, "Too Many Requests: retry after 1", retry_after=1)
    inbox = RecordingInbox()
    fake.push_message(text="after the pause")
    async with polling(fake, inbox, tmp_path) as adapter:
        await until(lambda: adapter.health().state == "degraded")
        await inbox.wait_for(1)
    first, second = fake.calls_of("getUpdates")[:2]
    assert second.at - first.at >= 0.95  # not the 0.05 s backoff


async def test_a_refused_token_is_down_and_never_logged(
    fake: FakeTelegram, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    inbox = RecordingInbox()
    async with polling(fake, inbox, tmp_path, token="999:wrong-token-value") as adapter:
        await until(lambda: adapter.health().state == "down")
        assert adapter.health().detail == "token refused"
    async with polling(fake, inbox, tmp_path) as adapter:  # the right one, through httpx's logs
        fake.push_message(text="ok")
        await inbox.wait_for(1)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "HTTP Request" in logged  # httpx did log its requests, with the token hidden
    assert "wrong-token-value" not in logged and fake.token not in logged


# -- outbound --------------------------------------------------------------------------------


async def test_send_makes_the_bot_api_request_and_returns_its_id(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    adapter = adapter_for(fake)
    inbox = RecordingInbox()
    await adapter.start(context(inbox, tmp_path))
    try:
        provider_id = await adapter.send(out("Сейчас проверю"))
        await asyncio.sleep(0.1)
    finally:
        await adapter.stop()
    assert inbox.receipts == []  # Telegram has no delivery receipts: "sent" is the last word
    (call,) = fake.calls_of("sendMessage")
    assert call.params == {"chat_id": 777001, "text": "Сейчас проверю"}
    assert provider_id.startswith("777001:") and int(provider_id.split(":")[1]) >= 5000


async def test_attachments_go_as_a_photo_with_its_caption_and_documents(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    files = {
        1: InboundFile("cat.png", "image/png", b"\x89PNG..."),
        2: InboundFile("act.pdf", "application/pdf", b"%PDF"),
    }
    adapter = adapter_for(fake, mode="webhook", webhook_secret=Secret(WEBHOOK_SECRET))
    await adapter.start(context(RecordingInbox(), tmp_path, files))
    try:
        one = await adapter.send(out("Вот фото", attachments=[{"id": 1, "name": "cat.png"}]))
        both = await adapter.send(out("x" * 2000, attachments=[{"id": 1}, {"id": 2}]))
    finally:
        await adapter.stop()
    photos, docs = fake.calls_of("sendPhoto"), fake.calls_of("sendDocument")
    assert photos[0].params == {"chat_id": "777001", "caption": "Вот фото"}
    assert photos[0].files == {"photo": ("cat.png", "image/png", b"\x89PNG...")}
    assert fake.calls_of("sendMessage")[0].params["text"] == "x" * 2000  # too long for a caption
    assert photos[1].params == {"chat_id": "777001"}
    assert docs[0].files == {"document": ("act.pdf", "application/pdf", b"%PDF")}
    assert one.startswith("777001:") and both.startswith("777001:") and one != both


@pytest.mark.parametrize(
    ("setup", "retry", "retry_after", "says"),
    [
        (
            lambda f: f.fail("sendMessage", 429, "Too Many Requests: retry after 7", retry_after=7),
            True,
            7,
            "rate limit",
        ),
        (lambda f: f.blocked_chats.add(777001), False, None, "blocked by the user"),
        (lambda f: f.fail("sendMessage", 500, "Internal Server Error"), True, None, "HTTP 500"),
        (
            lambda f: f.fail("sendMessage", 400, "Bad Request: message is too long"),
            False,
            None,
            "message is too long",
        ),
        (lambda f: f.fail("sendMessage", 401, "Unauthorized"), False, None, "token refused"),
        (lambda f: f.hangs.update(sendMessage=2.0), False, None, "no answer"),
    ],
)
async def test_send_errors_say_whether_a_retry_is_safe(
    fake: FakeTelegram,
    tmp_path: Path,
    setup: Callable[[FakeTelegram], Any],
    retry: bool,
    retry_after: float | None,
    says: str,
) -> None:
    setup(fake)
    adapter = adapter_for(fake, send_timeout_s=0.3)
    await adapter.start(context(RecordingInbox(), tmp_path))
    try:
        with pytest.raises(ChannelUnavailable) as refused:
            await adapter.send(out())
    finally:
        await adapter.stop()
    assert (refused.value.retry, refused.value.retry_after_s) == (retry, retry_after)
    assert says in refused.value.reason
    assert len(fake.calls_of("sendMessage")) == 1


async def test_send_while_the_provider_is_down_may_be_retried_and_health_recovers(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    adapter = adapter_for(fake, mode="webhook", webhook_secret=Secret(WEBHOOK_SECRET))
    await adapter.start(context(RecordingInbox(), tmp_path))
    try:
        await until(lambda: fake.webhook_url)
        await fake.stop()
        with pytest.raises(ChannelUnavailable) as refused:
            await adapter.send(out())
        assert refused.value.retry and "cannot reach" in refused.value.reason
        assert adapter.health().state == "degraded"
        await fake.start()
        assert (await adapter.send(out())).startswith("777001:")
        assert adapter.health().state == "ok"
        with pytest.raises(ChannelUnavailable, match="not a Telegram chat id") as bad:
            await adapter.send(out(address="@someone"))
        assert not bad.value.retry
    finally:
        await adapter.stop()


async def test_a_failure_after_part_of_a_message_went_out_is_not_retried(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    files = {1: InboundFile("a.pdf", "application/pdf", b"%PDF")}
    fake.fail("sendDocument", 500, "Internal Server Error")
    adapter = adapter_for(fake)
    await adapter.start(context(RecordingInbox(), tmp_path, files))
    try:
        with pytest.raises(ChannelUnavailable) as refused:
            await adapter.send(out("t" * 1500, attachments=[{"id": 1}]))
    finally:
        await adapter.stop()
    assert not refused.value.retry and len(fake.calls_of("sendMessage")) == 1


# -- through the gateway ---------------------------------------------------------------------


async def test_through_the_gateway_a_message_reaches_an_operator_and_the_reply_reaches_telegram(
    db_url: str, tmp_path: Path, fake: FakeTelegram, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TG_TOKEN", fake.token)
    gw = await start_gateway(
        db_url,
        data_dir=tmp_path / "gw",
        channels={
            "tg": {
                "type": "telegram",
                "api_base": fake.url,
                "token_env": "TG_TOKEN",
                "poll_timeout_s": 1,
            }
        },
    )
    op: OpClient | None = None
    try:
        op = await OpClient.connect(f"ws://127.0.0.1:{gw.port}", "a1", "a1")
        assert op.auth["type"] == "auth_ok", op.auth
        await op.ok("presence.set", {"status": "available"})
        update_id = fake.push_message(
            424242, "Здравствуйте, бот!", message_id=77, first_name="Мария", last_name="Иванова"
        )
        offered = await op.event("conversation.offered")
        conv = offered["data"]["conversation"]
        assert conv["channel"] == "telegram"
        await op.ok("conversation.accept", {"conversation_id": conv["id"]})
        card = await op.ok("customer.open", {"customer_id": conv["customer_id"]})
        (item,) = card["timeline"]["items"]
        assert item["body"] == "Здравствуйте, бот!" and item["channel"] == "telegram"
        assert card["customer"]["name"] == "Мария Иванова"
        ident = card["identities"][0]
        assert (ident["kind"], ident["value"]) == ("telegram", "424242")
        await until(lambda: fake.confirmed_offset == update_id + 1)
        sent = await op.ok(
            "message.send",
            {"customer_id": conv["customer_id"], "channel": "telegram", "text": "Добрый день!"},
        )
        await op.event("message.delivery", event_id=sent["item"]["id"], delivery="sent")
        (call,) = fake.calls_of("sendMessage")
        assert call.params == {"chat_id": 424242, "text": "Добрый день!"}
        # The same update again (Telegram redelivering it) does not make a second item.
        fake.push_message(424242, "Здравствуйте, бот!", message_id=77, first_name="Мария")
        await until(lambda: not fake.updates)
        card = await op.ok("customer.open", {"customer_id": conv["customer_id"]})
        bodies = sorted(i["body"] for i in card["timeline"]["items"])
        assert bodies == ["Добрый день!", "Здравствуйте, бот!"]
    finally:
        if op is not None:
            await op.close()
        await gw.close()


async def test_through_the_gateway_in_webhook_mode_telegram_posts_to_the_gateways_hook(
    db_url: str, tmp_path: Path, fake: FakeTelegram, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TG_TOKEN", fake.token)
    monkeypatch.setenv("TG_HOOK", WEBHOOK_SECRET)
    section = {
        "type": "telegram",
        "api_base": fake.url,
        "token_env": "TG_TOKEN",
        "mode": "webhook",
        "webhook_secret_env": "TG_HOOK",
    }
    gw = await start_gateway(db_url, data_dir=tmp_path / "gw", channels={"tg": section})
    op: OpClient | None = None
    try:
        await until(lambda: fake.webhook_url)
        assert fake.webhook_url == f"http://127.0.0.1:{gw.http_port}/hooks/tg"
        op = await OpClient.connect(f"ws://127.0.0.1:{gw.port}", "a1", "a1")
        await op.ok("presence.set", {"status": "available"})
        update_id = fake.push_message(515151, "Через вебхук", message_id=3)
        conv = (await op.event("conversation.offered"))["data"]["conversation"]
        assert conv["channel"] == "telegram"
        await until(lambda: (update_id, 200) in fake.webhook_attempts)
        await op.ok("conversation.accept", {"conversation_id": conv["id"]})
        sent = await op.ok(
            "message.send",
            {"customer_id": conv["customer_id"], "channel": "telegram", "text": "Ответ"},
        )
        await op.event("message.delivery", event_id=sent["item"]["id"], delivery="sent")
        assert [c.params for c in fake.calls_of("sendMessage")] == [
            {"chat_id": 515151, "text": "Ответ"}
        ]
    finally:
        if op is not None:
            await op.close()
        await gw.close()
