"""The WhatsApp Cloud API adapter against a fake Meta Graph over real HTTP: webhooks in
(verification, signatures on the raw bytes, messages, media, statuses), messages out (text,
files, templates), the 24-hour window, errors and health, restarts, and one run through a
real gateway."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar import Router

from services.api.http import create_http_app
from services.api.http_server import HttpServer
from services.channels import catalog
from services.channels.base import AdapterContext
from services.channels.whatsapp import MAX_ITEMS, WINDOW_S, WhatsAppAdapter
from services.config import ConfigError
from services.domain.errors import InvalidInput
from services.domain.inbox import ChannelUnavailable, InboundFile, OutboundMessage
from tests.gateway.conftest import start_gateway
from tests.support.fake_whatsapp import FakeGraph, envelope, inbound, status
from tests.support.net import free_port
from tests.support.opclient import OpClient
from tests.support.recording_inbox import RecordingInbox

APP_SECRET = "app-secret-3f9a"
VERIFY = "verify-me-77"
WA_ID = "79161234567"  # a valid Russian mobile number: the hub keeps it as +79161234567
SECRET_TEXT = "Мой заказ 4711"


def env_for(fake: FakeGraph) -> dict[str, str]:
    return {"WA_TOKEN": fake.token, "WA_APP_SECRET": APP_SECRET, "WA_VERIFY": VERIFY}


def section_for(fake: FakeGraph, **over: Any) -> dict[str, Any]:
    return {
        "type": "whatsapp",
        "api_base": fake.api_base,
        "phone_number_id": fake.phone_number_id,
        "access_token_env": "WA_TOKEN",
        "app_secret_env": "WA_APP_SECRET",
        "verify_token_env": "WA_VERIFY",
        "templates": ["order_update"],
        "template_language": "ru",
        "timeout_s": 1.0,
        **over,
    }


class Rig:
    """The adapter started with a recording inbox, its webhooks served on a real port."""

    def __init__(self, fake: FakeGraph, state_dir: Path, **over: Any) -> None:
        self.fake, self.state_dir, self.over = fake, state_dir, over
        self.inbox = RecordingInbox()
        self.files: dict[int, InboundFile] = {}
        self.port = free_port()
        self.adapter: WhatsAppAdapter
        self.http: HttpServer | None = None
        self.tasks: list[asyncio.Task[Any]] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/wa"

    async def read_file(self, file_id: int) -> InboundFile:
        return self.files[file_id]

    def spawn(self, aw: Any) -> None:
        self.tasks.append(asyncio.ensure_future(aw))

    async def start(self, env: dict[str, str] | None = None) -> WhatsAppAdapter:
        sections = {"wa": section_for(self.fake, **self.over)}
        (built,) = catalog.build(sections, env or env_for(self.fake))
        assert isinstance(built, WhatsAppAdapter)
        self.adapter = built
        self.http = HttpServer("127.0.0.1", self.port)
        await self.http.start(
            create_http_app([Router(path="/hooks/wa", route_handlers=list(built.routes()))])
        )
        ctx = AdapterContext(
            self.inbox,
            self.state_dir,
            f"http://127.0.0.1:{self.port}",
            "/hooks/wa",
            self.spawn,
            self.read_file,
        )
        await built.start(ctx)
        await asyncio.gather(*self.tasks)  # the number's check at start, done before the test
        self.tasks.clear()
        return built

    async def stop(self) -> None:
        await self.adapter.stop()
        if self.http is not None:
            await self.http.close()
            self.http = None

    async def deliver(self, payload: dict[str, Any] | bytes, **kw: Any) -> httpx.Response:
        return await self.fake.deliver(self.url, payload, APP_SECRET, **kw)


@pytest.fixture
async def fake() -> AsyncIterator[FakeGraph]:
    graph = FakeGraph()
    await graph.start()
    try:
        yield graph
    finally:
        await graph.stop()


@pytest.fixture
async def rig(fake: FakeGraph, tmp_path: Path) -> AsyncIterator[Rig]:
    r = Rig(fake, tmp_path / "state")
    await r.start()
    fake.requests.clear()  # the check of the number at start
    try:
        yield r
    finally:
        await r.stop()


def out(text: str = "Здравствуйте!", address: str = "+" + WA_ID, **kw: Any) -> OutboundMessage:
    return OutboundMessage(1, 1, "whatsapp", address, text, **kw)


async def open_window(rig: Rig, wa_id: str = WA_ID, wamid: str = "wamid.IN-open") -> None:
    answer = await rig.deliver(inbound(wa_id, wamid, text="привет"))
    assert answer.status_code == 200


# -- configuration -----------------------------------------------------------------------


def test_the_section_names_every_setting_and_takes_secrets_only_from_outside() -> None:
    fake = FakeGraph()
    (adapter,) = catalog.build({"wa": section_for(fake)}, env_for(fake))
    assert isinstance(adapter, WhatsAppAdapter) and adapter.channel == "whatsapp"
    assert adapter.templates == ["order_update"] and adapter.template_language == "ru"
    defaults = {k: v for k, v in section_for(fake).items() if k not in ("api_base", "timeout_s")}
    (plain,) = catalog.build({"wa": defaults}, env_for(fake))
    assert isinstance(plain, WhatsAppAdapter)
    assert plain.api_base == "https://graph.facebook.com/v21.0"
    with pytest.raises(ConfigError, match="access_token: secrets are not written in the file"):
        catalog.build({"wa": {**section_for(fake), "access_token": "inline"}}, env_for(fake))
    with pytest.raises(ConfigError, match="app_secret: environment variable WA_APP_SECRET"):
        catalog.build({"wa": section_for(fake)}, {"WA_TOKEN": "t", "WA_VERIFY": "v"})
    with pytest.raises(ConfigError, match="phone_number_id is required"):
        catalog.build({"wa": section_for(fake, phone_number_id="")}, env_for(fake))
    with pytest.raises(ConfigError, match="unknown setting templtes"):
        catalog.build({"wa": section_for(fake, templtes=[])}, env_for(fake))


async def test_a_wrong_token_shows_as_down_from_the_start(fake: FakeGraph, tmp_path: Path) -> None:
    good = Rig(fake, tmp_path / "good")
    await good.start()
    try:
        assert good.adapter.health().state == "ok"
        (check,) = fake.requests
        assert (check.method, check.path) == ("GET", f"/v21.0/{fake.phone_number_id}")
    finally:
        await good.stop()
    bad = Rig(fake, tmp_path / "bad")
    await bad.start({**env_for(fake), "WA_TOKEN": "EAAG-stale-token"})
    try:
        health = bad.adapter.health()
        assert health.state == "down" and "190" in health.detail
        assert "stale" not in health.detail
    finally:
        await bad.stop()


# -- webhooks in ---------------------------------------------------------------------------


async def test_verification_echoes_the_bare_challenge_only_for_the_right_token(
    rig: Rig, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async with httpx.AsyncClient() as http:
        ok = await http.get(
            rig.url,
            params={
                "hub.mode": "subscribe",
                "hub.challenge": "1158201444",
                "hub.verify_token": VERIFY,
            },
        )
        assert ok.status_code == 200 and ok.text == "1158201444"
        assert ok.headers["content-type"].startswith("text/plain")
        for params in (
            {"hub.mode": "subscribe", "hub.challenge": "1", "hub.verify_token": "guess"},
            {"hub.mode": "unsubscribe", "hub.challenge": "1", "hub.verify_token": VERIFY},
            {"hub.mode": "subscribe", "hub.challenge": "1"},
        ):
            refused = await http.get(rig.url, params=params)
            assert refused.status_code == 403 and "1" not in refused.text
    # Meta puts the verify token in the query string: nothing of ours may print it. (httpx's
    # lines are this test's client; the gateway runs uvicorn without an access log.)
    ours = [r for r in caplog.records if r.name.startswith("services")]
    assert "verification refused" in caplog.text
    assert not any("guess" in r.getMessage() or VERIFY in r.getMessage() for r in ours)


async def test_a_text_message_becomes_a_verified_whatsapp_touchpoint(rig: Rig) -> None:
    sent_at = time.time() - 60
    payload = inbound(
        WA_ID, "wamid.HBgLNzkxNjEyMzQ1NjcVAgASGBQzQTAx", name="Пётр", timestamp=sent_at
    )
    payload["entry"][0]["changes"][0]["value"]["messages"][0]["text"]["body"] = SECRET_TEXT
    body = FakeGraph.encode(payload)
    assert b"\\u041c" in body  # Meta's escaped form: the signature covers these bytes
    answer = await rig.deliver(body)
    assert answer.status_code == 200
    (msg,) = rig.inbox.messages
    assert (msg.channel, msg.identity_kind, msg.identity_value) == (
        "whatsapp",
        "whatsapp",
        "+" + WA_ID,
    )
    assert msg.verified and msg.text == SECRET_TEXT and msg.display_name == "Пётр"
    assert msg.provider_id == "wamid.HBgLNzkxNjEyMzQ1NjcVAgASGBQzQTAx" and msg.files == []
    # The window runs from when the customer wrote, by Meta's clock.
    until = rig.adapter.window_open_until(WA_ID)
    assert until == pytest.approx(int(sent_at) + WINDOW_S)
    assert rig.adapter.window_open_until("+" + WA_ID) == until
    assert rig.adapter.window_open_until("79990000000") is None


async def test_a_message_older_than_a_day_opens_no_window(rig: Rig) -> None:
    answer = await rig.deliver(
        inbound(WA_ID, "wamid.OLD", text="late", timestamp=time.time() - 2 * WINDOW_S)
    )
    assert answer.status_code == 200 and len(rig.inbox.messages) == 1
    assert rig.adapter.window_open_until(WA_ID) is None


async def test_wrong_or_missing_signatures_are_refused_and_logged_without_the_payload(
    rig: Rig, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    payload = inbound(WA_ID, "wamid.FORGED", text=SECRET_TEXT)
    body = FakeGraph.encode(payload)
    forged = FakeGraph.sign(body, "not-the-secret")
    assert (await rig.deliver(body, signature=forged)).status_code == 403
    assert (await rig.deliver(body, signature=None)).status_code == 403
    assert (await rig.deliver(body, signature="sha1=" + forged[7:])).status_code == 403
    # Signed over the escaped bytes but sent re-encoded (raw UTF-8): not what was signed.
    reencoded = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    assert reencoded != body
    assert (
        await rig.deliver(reencoded, signature=FakeGraph.sign(body, APP_SECRET))
    ).status_code == 403
    assert rig.inbox.messages == []
    assert "bad or missing signature" in caplog.text
    for leak in (SECRET_TEXT, WA_ID, APP_SECRET, "Мой", "wamid.FORGED"):
        assert leak not in caplog.text


async def test_malformed_or_oversized_webhooks_are_refused(
    rig: Rig, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    assert (await rig.deliver(b"{not json " + SECRET_TEXT.encode())).status_code == 400
    assert (await rig.deliver({"object": "page", "entry": []})).status_code == 400
    for bad in ({"messages": {"from": WA_ID}}, {"metadata": "x", "messages": []}):
        bad_shape = envelope({})
        bad_shape["entry"][0]["changes"][0]["value"] = bad
        assert (await rig.deliver(bad_shape)).status_code == 400
    odd_contact = inbound(WA_ID, "wamid.ODD", text="ok")
    odd_contact["entry"][0]["changes"][0]["value"]["contacts"] = [{"wa_id": WA_ID, "profile": "x"}]
    assert (await rig.deliver(odd_contact)).status_code == 200
    assert rig.inbox.messages[0].display_name == ""
    rig.inbox.messages.clear()
    many = inbound(WA_ID, "wamid.0", text="x")
    value = many["entry"][0]["changes"][0]["value"]
    value["messages"] = [dict(value["messages"][0], id=f"wamid.{i}") for i in range(MAX_ITEMS + 1)]
    assert (await rig.deliver(many)).status_code == 413
    huge = inbound(WA_ID, "wamid.HUGE", text="я" * 200_000)  # 1.2 MB escaped
    assert (await rig.deliver(huge)).status_code == 413
    assert rig.inbox.messages == []
    assert SECRET_TEXT not in caplog.text and "я" * 10 not in caplog.text
    # Changes of other fields carry nothing for the desk and are acknowledged.
    other = {
        "object": "whatsapp_business_account",
        "entry": [{"id": "1", "changes": [{"field": "account_update", "value": {}}]}],
    }
    assert (await rig.deliver(other)).status_code == 200


async def test_what_is_not_this_numbers_or_not_the_hubs_to_take_is_skipped_not_retried(
    rig: Rig, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    message = inbound(WA_ID, "wamid.OTHER", text=SECRET_TEXT)["entry"][0]["changes"][0]["value"]
    other_number = envelope({"messages": message["messages"]}, phone_number_id="1069999999")
    assert (await rig.deliver(other_number)).status_code == 200
    assert (await rig.deliver(inbound("not-a-number", "wamid.NAN", text="x"))).status_code == 200
    assert rig.inbox.messages == []
    # The hub refuses one message for good: the rest of the webhook still goes in.
    two = inbound(WA_ID, "wamid.R1", text="первое")
    value = two["entry"][0]["changes"][0]["value"]
    value["messages"].append(dict(value["messages"][0], id="wamid.R2", text={"body": "второе"}))
    rig.inbox.fail_next = InvalidInput("not a valid phone number")
    assert (await rig.deliver(two)).status_code == 200
    assert [m.provider_id for m in rig.inbox.messages] == ["wamid.R2"]
    assert "refused by the hub: InvalidInput" in caplog.text and SECRET_TEXT not in caplog.text


async def test_photos_and_documents_arrive_as_files_with_their_caption(
    rig: Rig, fake: FakeGraph
) -> None:
    jpeg = b"\xff\xd8\xff\xe0" + b"p" * 5000
    pdf = b"%PDF-1.4 invoice"
    photo_id, doc_id = fake.add_media("image/jpeg", jpeg), fake.add_media("application/pdf", pdf)
    photo = inbound(
        WA_ID,
        "wamid.PHOTO",
        kind="image",
        content={"id": photo_id, "mime_type": "image/jpeg", "sha256": "x", "caption": "вот фото"},
    )
    doc = inbound(
        WA_ID,
        "wamid.DOC",
        kind="document",
        content={
            "id": doc_id,
            "filename": "../счёт.pdf",
            "mime_type": "application/pdf",
            "sha256": "y",
        },
    )
    assert (await rig.deliver(photo)).status_code == 200
    assert (await rig.deliver(doc)).status_code == 200
    first, second = rig.inbox.messages
    assert first.text == "вот фото" and first.provider_id == "wamid.PHOTO"
    assert [(f.name, f.mime, f.data) for f in first.files] == [
        (f"image-{photo_id}.jpg", "image/jpeg", jpeg)
    ]
    assert [(f.name, f.mime, f.data) for f in second.files] == [
        ("счёт.pdf", "application/pdf", pdf)
    ]
    # Two Graph calls a file, each with the Bearer token.
    gets = [r for r in fake.requests if r.method == "GET"]
    assert [r.path for r in gets] == [
        f"/v21.0/{photo_id}",
        f"/download/{photo_id}",
        f"/v21.0/{doc_id}",
        f"/download/{doc_id}",
    ]
    assert all(r.headers["authorization"] == f"Bearer {fake.token}" for r in gets)


async def test_a_file_that_cannot_be_fetched_still_lets_the_message_in(
    rig: Rig, fake: FakeGraph
) -> None:
    photo_id = fake.add_media("image/png", b"\x89PNG....")
    fake.fail_next(500, 1, target="media_info")
    payload = inbound(
        WA_ID,
        "wamid.NOFILE",
        kind="image",
        content={"id": photo_id, "mime_type": "image/png", "caption": "смотрите"},
    )
    assert (await rig.deliver(payload)).status_code == 200
    (msg,) = rig.inbox.messages
    assert msg.text == "смотрите" and msg.files == []
    assert msg.extra["refused_files"] == [f"image-{photo_id}.png"]
    assert rig.adapter.health().state == "degraded"
    big = fake.add_media("application/pdf", b"x" * 2000)
    rig.adapter.max_file_bytes = 1000
    payload = inbound(
        WA_ID,
        "wamid.BIG",
        kind="document",
        content={"id": big, "filename": "big.pdf", "mime_type": "application/pdf"},
    )
    assert (await rig.deliver(payload)).status_code == 200
    assert rig.inbox.messages[1].extra["refused_files"] == ["big.pdf"]
    assert rig.adapter.health().state == "ok"  # Graph answered again


async def test_buttons_become_their_title_and_other_types_are_named(rig: Rig) -> None:
    kinds: list[tuple[str, dict[str, Any]]] = [
        (
            "interactive",
            {"type": "button_reply", "button_reply": {"id": "yes", "title": "Да, подтверждаю"}},
        ),
        (
            "interactive",
            {
                "type": "list_reply",
                "list_reply": {"id": "r2", "title": "Курьером", "description": "1–2 дня"},
            },
        ),
        ("button", {"payload": "STOP", "text": "Отписаться"}),
        ("location", {"latitude": 55.75, "longitude": 37.61}),
    ]
    for i, (kind, content) in enumerate(kinds):
        assert (
            await rig.deliver(inbound(WA_ID, f"wamid.K{i}", kind=kind, content=content))
        ).status_code == 200
    assert [m.text for m in rig.inbox.messages] == [
        "Да, подтверждаю",
        "Курьером",
        "Отписаться",
        "[unsupported: location]",
    ]


async def test_statuses_become_receipts_by_the_provider_id(rig: Rig) -> None:
    rig.inbox.known_outgoing |= {("whatsapp", "wamid.OUT1"), ("whatsapp", "wamid.OUT2")}
    for state in ("delivered", "sent", "read"):  # unordered, as Meta sends them
        assert (await rig.deliver(status("wamid.OUT1", state, WA_ID))).status_code == 200
    failed = status("wamid.OUT2", "failed", WA_ID, error=(131026, "Message undeliverable"))
    assert (await rig.deliver(failed)).status_code == 200
    assert (await rig.deliver(status("wamid.FOREIGN", "read", WA_ID))).status_code == 200
    assert [(r.channel, r.provider_id, r.state, r.error) for r in rig.inbox.receipts] == [
        ("whatsapp", "wamid.OUT1", "delivered", ""),
        ("whatsapp", "wamid.OUT1", "sent", ""),
        ("whatsapp", "wamid.OUT1", "read", ""),
        ("whatsapp", "wamid.OUT2", "failed", "131026 Message undeliverable"),
    ]


async def test_a_webhook_is_acknowledged_only_after_ingest_and_redelivery_keeps_the_id(
    rig: Rig,
) -> None:
    payload = inbound(WA_ID, "wamid.TWICE", text="раз")
    rig.inbox.fail_next = RuntimeError("store down")
    assert (await rig.deliver(payload)).status_code == 503  # Meta will redeliver
    assert rig.inbox.messages == [] and rig.adapter.window_open_until(WA_ID) is None
    assert (await rig.deliver(payload)).status_code == 200
    assert (await rig.deliver(payload)).status_code == 200  # Meta's own retry
    assert [m.provider_id for m in rig.inbox.messages] == ["wamid.TWICE"]  # the hub deduped
    assert rig.adapter.window_open_until(WA_ID) is not None


# -- messages out --------------------------------------------------------------------------


async def test_a_reply_inside_the_window_is_a_text_message(rig: Rig, fake: FakeGraph) -> None:
    await open_window(rig)
    wamid = await rig.adapter.send(out("Заказ в пути"))
    (req,) = [r for r in fake.requests if r.method == "POST"]
    assert req.path == f"/v21.0/{fake.phone_number_id}/messages"
    assert req.headers["authorization"] == f"Bearer {fake.token}"
    assert req.json == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": WA_ID,
        "type": "text",
        "text": {"body": "Заказ в пути"},
    }
    assert wamid == "wamid.OUT000001"  # Meta's id for it
    assert rig.adapter.health().state == "ok"


async def test_outside_the_window_only_an_approved_template_goes_out(
    rig: Rig, fake: FakeGraph
) -> None:
    with pytest.raises(ChannelUnavailable, match="outside the 24-hour") as closed:
        await rig.adapter.send(out("Вы тут?"))
    assert closed.value.retry is False and fake.requests == []  # Meta was never asked
    with pytest.raises(ChannelUnavailable, match="approved template") as unknown:
        await rig.adapter.send(out("", template={"name": "promo_blast", "parameters": []}))
    assert unknown.value.retry is False and fake.requests == []
    template = {"name": "order_update", "parameters": ["4711", "завтра"]}
    wamid = await rig.adapter.send(out("Заказ 4711 приедет завтра", template=template))
    assert wamid.startswith("wamid.") and fake.sent == [
        {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": WA_ID,
            "type": "template",
            "template": {
                "name": "order_update",
                "language": {"code": "ru"},
                "components": [
                    {
                        "type": "body",
                        "parameters": [
                            {"type": "text", "text": "4711"},
                            {"type": "text", "text": "завтра"},
                        ],
                    }
                ],
            },
        }
    ]


async def test_files_are_uploaded_then_sent_by_media_id(rig: Rig, fake: FakeGraph) -> None:
    await open_window(rig)
    rig.files[7] = InboundFile("фото.png", "image/png", b"\x89PNG-bytes")
    rig.files[8] = InboundFile("договор.pdf", "application/pdf", b"%PDF-contract")
    views = [{"id": 7, "name": "фото.png"}, {"id": 8, "name": "договор.pdf"}]
    wamid = await rig.adapter.send(out("Вот документы", attachments=views))
    uploads = [r for r in fake.requests if r.path.endswith("/media")]
    assert [r.file for r in uploads] == [
        ("фото.png", "image/png", b"\x89PNG-bytes"),
        ("договор.pdf", "application/pdf", b"%PDF-contract"),
    ]
    assert all(
        r.form == {"messaging_product": "whatsapp", "type": r.file[1]} for r in uploads if r.file
    )
    image_id, doc_id = list(fake.uploads)
    assert [(m["type"], m[m["type"]]) for m in fake.sent] == [
        ("image", {"id": image_id, "caption": "Вот документы"}),
        ("document", {"id": doc_id, "filename": "договор.pdf"}),
    ]
    assert wamid == "wamid.OUT000003"  # the first message's id (ids count uploads too)


@pytest.mark.parametrize(
    ("status_code", "code", "retry_after", "retry", "health"),
    [
        (503, 2, None, True, "degraded"),
        (429, 130429, "7", True, "degraded"),
        (400, 131056, None, True, "degraded"),
        (400, 131026, None, False, "ok"),
        (401, 190, None, False, "down"),
    ],
)
async def test_meta_errors_say_whether_a_retry_can_help(
    rig: Rig,
    fake: FakeGraph,
    status_code: int,
    code: int,
    retry_after: str | None,
    retry: bool,
    health: str,
) -> None:
    await open_window(rig)
    fake.fail_next(status_code, code, message="Refused", retry_after=retry_after)
    with pytest.raises(ChannelUnavailable) as refused:
        await rig.adapter.send(out())
    assert refused.value.retry is retry
    assert refused.value.retry_after_s == (float(retry_after) if retry_after else None)
    assert str(code) in refused.value.reason
    assert rig.adapter.health().state == health
    assert fake.sent == []
    await rig.adapter.send(out())  # Meta answers again: healthy
    assert rig.adapter.health().state == "ok" and len(fake.sent) == 1


async def test_a_closed_window_reported_by_meta_is_remembered(rig: Rig, fake: FakeGraph) -> None:
    await open_window(rig)
    fake.fail_next(400, 131047, message="Re-engagement message")
    with pytest.raises(ChannelUnavailable, match="outside the 24-hour") as closed:
        await rig.adapter.send(out())
    assert closed.value.retry is False and rig.adapter.window_open_until(WA_ID) is None
    before = len(fake.requests)
    with pytest.raises(ChannelUnavailable, match="outside the 24-hour"):
        await rig.adapter.send(out())
    assert len(fake.requests) == before  # refused here, not by Meta
    # Accepted, then failed later by status: the window closes too, and the receipt says why.
    await open_window(rig, wamid="wamid.IN-again")
    wamid = await rig.adapter.send(out())
    rig.inbox.known_outgoing.add(("whatsapp", wamid))
    late = status(
        wamid, "failed", WA_ID, error=(131047, "Re-engagement message"), timestamp=time.time() + 1
    )
    assert (await rig.deliver(late)).status_code == 200
    assert rig.inbox.receipts[-1].error == "131047 Re-engagement message"
    assert rig.adapter.window_open_until(WA_ID) is None


async def test_provider_down_and_lost_answers(rig: Rig, fake: FakeGraph) -> None:
    await open_window(rig)
    await fake.stop()
    with pytest.raises(ChannelUnavailable) as down:
        await rig.adapter.send(out())
    assert down.value.retry is True and rig.adapter.health().state == "down"
    await fake.start()
    # The request went out and Meta took it, but the answer came too late: never again.
    fake.fail_next(200, hold_s=1.5)
    with pytest.raises(ChannelUnavailable, match="after the request went out") as lost:
        await rig.adapter.send(out("once"))
    assert lost.value.retry is False
    for _ in range(100):
        if fake.sent:
            break
        await asyncio.sleep(0.05)
    assert [m["text"]["body"] for m in fake.sent] == ["once"]
    assert rig.adapter.health().state == "degraded"
    await rig.adapter.send(out("back"))
    assert rig.adapter.health().state == "ok"


async def test_a_failed_upload_sends_nothing_and_may_be_retried(rig: Rig, fake: FakeGraph) -> None:
    await open_window(rig)
    rig.files[1] = InboundFile("a.pdf", "application/pdf", b"%PDF")
    fake.fail_next(503, 2, target="media")
    with pytest.raises(ChannelUnavailable) as refused:
        await rig.adapter.send(out("файл", attachments=[{"id": 1}]))
    assert refused.value.retry is True and fake.sent == []
    # The text went out, then the file's message failed: retrying all would repeat the text.
    long_text = "т" * 2000  # longer than a caption: its own message
    fake.fail_next(503, 2, target="messages", after=1)
    with pytest.raises(ChannelUnavailable, match="partly sent") as partly:
        await rig.adapter.send(out(long_text, attachments=[{"id": 1}]))
    assert partly.value.retry is False
    assert [m["type"] for m in fake.sent] == ["text"]


# -- restarts ------------------------------------------------------------------------------


async def test_windows_survive_a_restart_and_a_redelivery_after_it_is_the_same(
    rig: Rig, fake: FakeGraph
) -> None:
    await open_window(rig)
    until = rig.adapter.window_open_until(WA_ID)
    payload = inbound(WA_ID, "wamid.MID", text="в середине")
    await rig.stop()
    # A window that closed while the gateway was away is in the file, too.
    saved = json.loads((rig.state_dir / "window.json").read_text())
    saved["79990000000"] = time.time() - WINDOW_S - 1
    (rig.state_dir / "window.json").write_text(json.dumps(saved))
    # Meta retries while the gateway is away: nobody answers.
    with pytest.raises(httpx.ConnectError):
        await rig.deliver(payload)
    await rig.start()
    assert rig.adapter.window_open_until(WA_ID) == until
    assert (await rig.deliver(payload)).status_code == 200
    assert (await rig.deliver(payload)).status_code == 200
    assert [m.provider_id for m in rig.inbox.messages] == ["wamid.IN-open", "wamid.MID"]
    assert rig.adapter.window_open_until("79990000000") is None
    # An expired window is dropped from the file when it is next written.
    assert (await rig.deliver(inbound("79161112233", "wamid.NEW", text="x"))).status_code == 200
    state = json.loads((rig.state_dir / "window.json").read_text())
    assert set(state) == {WA_ID, "79161112233"}
    await rig.adapter.send(out())
    assert len(fake.sent) == 1


# -- through a real gateway ----------------------------------------------------------------


async def test_through_the_gateway_a_message_lands_on_the_timeline_and_a_reply_goes_out(
    db_url: str, tmp_path: Path, fake: FakeGraph, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key, value in env_for(fake).items():
        monkeypatch.setenv(key, value)
    gw = await start_gateway(
        db_url, data_dir=tmp_path / "gw", channels={"wa": section_for(fake, timeout_s=5.0)}
    )
    op: OpClient | None = None
    try:
        hook = f"http://127.0.0.1:{gw.http_port}/hooks/wa"
        op = await OpClient.connect(f"ws://127.0.0.1:{gw.port}", "a1", "a1")
        assert op.auth["type"] == "auth_ok", op.auth
        await op.ok("presence.set", {"status": "available"})
        answer = await fake.deliver(
            hook, inbound(WA_ID, "wamid.GW1", name="Пётр", text="Где заказ?"), APP_SECRET
        )
        assert answer.status_code == 200
        offered = await op.event("conversation.offered")
        conv = offered["data"]["conversation"]
        assert conv["channel"] == "whatsapp"
        await op.ok("conversation.accept", {"conversation_id": conv["id"]})
        card = await op.ok("customer.open", {"customer_id": conv["customer_id"]})
        assert [i["body"] for i in card["timeline"]["items"]] == ["Где заказ?"]
        assert {(i["kind"], i["value"]) for i in card["identities"]} >= {("whatsapp", "+" + WA_ID)}
        sent = await op.ok(
            "message.send",
            {"customer_id": conv["customer_id"], "channel": "whatsapp", "text": "Уже в пути"},
        )
        await op.event("message.delivery", event_id=sent["item"]["id"], delivery="sent")
        assert [(m["to"], m["text"]["body"]) for m in fake.sent] == [(WA_ID, "Уже в пути")]
        wamid = "wamid.OUT000001"
        answer = await fake.deliver(hook, status(wamid, "delivered", WA_ID), APP_SECRET)
        assert answer.status_code == 200
        await op.event("message.delivery", event_id=sent["item"]["id"], delivery="delivered")
        # A foreign number: a wa_id has no "+", yet it is not a number of the hub's region.
        answer = await fake.deliver(
            hook, inbound("14155550123", "wamid.GW2", text="Hi"), APP_SECRET
        )
        assert answer.status_code == 200
        offered = await op.event("conversation.offered")
        card = await op.ok(
            "customer.open", {"customer_id": offered["data"]["conversation"]["customer_id"]}
        )
        assert [(i["kind"], i["value"]) for i in card["identities"]] == [
            ("whatsapp", "+14155550123")
        ]
        # A customer who last wrote two days ago (Meta redelivering late): free text is
        # refused before Meta is asked, and the operator hears why.
        old = inbound("79031234567", "wamid.GW3", text="Ау", timestamp=time.time() - 2 * WINDOW_S)
        assert (await fake.deliver(hook, old, APP_SECRET)).status_code == 200
        offered = await op.event("conversation.offered")
        late = await op.ok(
            "message.send",
            {
                "customer_id": offered["data"]["conversation"]["customer_id"],
                "channel": "whatsapp",
                "text": "Вы ещё здесь?",
            },
        )
        failed = await op.event("message.delivery", event_id=late["item"]["id"], delivery="failed")
        assert "24-hour" in failed["data"]["error"]
        assert len(fake.sent) == 1
        # The card says the window is closed and which templates may go out; one does.
        late_customer = offered["data"]["conversation"]["customer_id"]
        card = await op.ok("customer.open", {"customer_id": late_customer})
        assert card["windows"]["whatsapp"]["open_until"] is None
        templates = card["windows"]["whatsapp"]["templates"]
        refused = await op.cmd(
            "message.send",
            {
                "customer_id": late_customer,
                "channel": "whatsapp",
                "text": "x",
                "template": {"name": "made_up"},
            },
        )
        assert refused["type"] == "error" and refused["code"] == "invalid_args"
        assert "not an approved template" in refused["message"]
        by_template = await op.ok(
            "message.send",
            {
                "customer_id": late_customer,
                "channel": "whatsapp",
                "text": "Ваш заказ 1042 в пути",
                "template": {"name": templates[0], "parameters": ["1042"]},
            },
        )
        assert by_template["item"]["extra"] == {"template": templates[0]}
        await op.event("message.delivery", event_id=by_template["item"]["id"], delivery="sent")
        assert fake.sent[-1]["type"] == "template"
        assert fake.sent[-1]["template"]["name"] == templates[0]
        # Within the window the card says when it closes.
        fresh = await op.ok("customer.open", {"customer_id": conv["customer_id"]})
        assert fresh["windows"]["whatsapp"]["open_until"] is not None
    finally:
        if op is not None:
            await op.ws.close()
        await gw.close()
