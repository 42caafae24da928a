"""One person across channels, against a real gateway process with its real adapters: web chat,
then e-mail (an answer to the operator's e-mail proves the address), then Telegram (the
customer's own shared contact proves the phone; the operator confirms they are one), then a
call from that phone. One customer and one feed, in order, on the operator's socket; a gateway
killed with SIGKILL in the middle (while mail and a Telegram message arrive) loses nothing."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.fake_asterisk import FakeAri
from tests.support.fake_email import DOVECOT, PASSWORD, USER, Dovecot, FakeSmtp
from tests.support.fake_telegram import FakeTelegram
from tests.support.gateway_proc import GatewayProcess
from tests.support.net import free_port
from tests.support.opclient import ChatVisitor, OpClient

pytestmark = pytest.mark.e2e

EMAIL = "olga@example.org"
PHONE = "+79165550199"
TG_USER = 900777


def mail(subject: str, text: str, message_id: str, in_reply_to: str = "") -> bytes:
    lines = [
        f"From: Ольга Смирнова <{EMAIL}>",
        "To: support@shop.example",
        f"Subject: {subject}",
        "Date: Mon, 07 Dec 2026 10:00:00 +0000",
        f"Message-ID: {message_id}",
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=utf-8",
    ]
    if in_reply_to:
        lines += [f"In-Reply-To: {in_reply_to}", f"References: {in_reply_to}"]
    return ("\r\n".join([*lines, "", text, ""])).encode()


def config(path: Path, dovecot: Dovecot, smtp: FakeSmtp, tg: FakeTelegram, ari: FakeAri) -> Path:
    path.write_text(
        f"""
[routing]
cross_channel_minutes = 120

[channels.email]
imap_host = "127.0.0.1"
imap_port = {dovecot.port}
imap_tls = "none"
username = "{USER}"
password_env = "JOURNEY_MAIL_PASSWORD"
smtp_host = "127.0.0.1"
smtp_port = {smtp.port}
smtp_tls = "none"
from_address = "support@shop.example"
from_name = "Shop support"
poll_s = 1

[channels.telegram]
api_base = "{tg.url}"
token_env = "JOURNEY_TG_TOKEN"
poll_timeout_s = 1

[channels.pbx]
type = "asterisk"
ari_url = "{ari.url}"
app = "{ari.app}"
username = "{ari.username}"
password_env = "JOURNEY_ARI_PASSWORD"
""",
        encoding="utf-8",
    )
    return path


@pytest.fixture
async def providers() -> AsyncIterator[tuple[Dovecot, FakeSmtp, FakeTelegram, FakeAri]]:
    if DOVECOT is None:
        pytest.skip("dovecot is not installed (make setup installs dovecot-imapd)")
    dovecot, smtp, tg, ari = Dovecot(), FakeSmtp(), FakeTelegram(), FakeAri()
    dovecot.start()
    smtp.start()
    await tg.start()
    await ari.start()
    try:
        yield dovecot, smtp, tg, ari
    finally:
        await ari.stop()
        await tg.stop()
        smtp.stop()
        dovecot.close()


async def wait_for(check: Any, timeout: float = 30.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        await asyncio.sleep(0.05)
    raise AssertionError("not reached in time")


async def agent(gp: GatewayProcess) -> OpClient:
    op = await OpClient.connect(gp.url, "agent", "agent")
    assert op.auth["type"] == "auth_ok", op.auth
    await op.ok("presence.set", {"status": "available"})
    return op


async def test_one_person_across_web_chat_e_mail_telegram_and_a_call(
    tmp_path: Path, providers: tuple[Dovecot, FakeSmtp, FakeTelegram, FakeAri]
) -> None:
    dovecot, smtp, tg, ari = providers
    gp = GatewayProcess(
        tmp_path,
        port=free_port(),
        http_port=free_port(),
        env={
            "OMNIDESK_CONFIG": str(config(tmp_path / "gateway.toml", dovecot, smtp, tg, ari)),
            "JOURNEY_MAIL_PASSWORD": PASSWORD,
            "JOURNEY_TG_TOKEN": tg.token,
            "JOURNEY_ARI_PASSWORD": ari.password,
        },
    )
    gp.run_cli("seed-demo", "--customers", "3")
    gp.start()
    try:
        # 1. Web chat: the customer writes and types in her e-mail and phone (claims).
        op = await agent(gp)
        visitor = await ChatVisitor.connect(gp.url, name="Ольга Смирнова")
        await visitor.say("Здравствуйте, не пришёл заказ 1042")
        await visitor.ws.send(json.dumps({"type": "identify", "email": EMAIL, "phone": PHONE}))
        offer = await op.event("conversation.offered")
        conv = offer["data"]["conversation"]
        customer = conv["customer_id"]
        await op.ok("conversation.accept", {"conversation_id": conv["id"]})
        # The operator answers by e-mail, to the address she typed in.
        sent = await op.ok(
            "message.send",
            {
                "customer_id": customer,
                "conversation_id": conv["id"],
                "channel": "email",
                "subject": "Заказ 1042",
                "text": "Проверим и напишем. Ответьте на это письмо, если что-то изменится.",
            },
        )
        await op.event("message.delivery", event_id=sent["item"]["id"], delivery="sent", timeout=30)
        (outgoing,) = await wait_for(lambda: smtp.received)
        our_id = str(outgoing.message["Message-ID"])

        # 2. She answers the e-mail: the same customer, the same conversation.
        await dovecot.append(
            mail("Re: Заказ 1042", "Курьер так и не приехал", "<o1@example.org>", our_id)
        )
        answer = await op.event("timeline.item", item__body="Курьер так и не приехал", timeout=30)
        assert answer["data"]["item"]["customer_id"] == customer
        assert answer["data"]["item"]["conversation_id"] == conv["id"]
        assert answer["data"]["item"]["extra"]["switched_from"] == "webchat"
        await op.close()

        # 3. The gateway dies; meanwhile a second e-mail and a Telegram message arrive.
        gp.kill()
        await dovecot.append(
            mail("Re: Заказ 1042", "Номер заказа 1042, если нужно", "<o2@example.org>", our_id)
        )
        tg.push_message(
            TG_USER, "Пишу из Телеграма, это Ольга", first_name="Ольга", last_name="Смирнова"
        )
        tg.push_message(
            TG_USER,
            None,
            first_name="Ольга",
            last_name="Смирнова",
            contact={"phone_number": PHONE, "first_name": "Ольга", "user_id": TG_USER},
        )
        gp.start()
        op = await agent(gp)

        async def bodies_of(customer_id: int) -> list[str]:
            page = await op.ok("customer.open", {"customer_id": customer_id})
            return [i["body"] for i in reversed(page["timeline"]["items"])]

        async def arrived() -> list[str]:
            while True:
                found = await bodies_of(customer)
                if "Номер заказа 1042, если нужно" in found:
                    return found
                await asyncio.sleep(0.2)

        await asyncio.wait_for(arrived(), 30)

        # The Telegram customer proved the phone she had typed in: one person, to confirm.
        async def suggested() -> dict[str, Any]:
            while True:
                card = await op.ok("customer.open", {"customer_id": customer})
                if card["merge_suggestions"]:
                    return card
                await asyncio.sleep(0.2)

        card = await asyncio.wait_for(suggested(), 30)
        (suggestion,) = card["merge_suggestions"]
        assert (suggestion["kind"], suggestion["value"]) == ("phone", PHONE)
        merged = await op.ok(
            "customer.merge",
            {
                "customer_id": customer,
                "other_customer_id": suggestion["other"]["id"],
                "suggestion_id": suggestion["id"],
            },
        )
        assert merged["customer_id"] == customer  # the web-chat customer is the older one

        # 4. She calls from that phone: the card pops for the same customer.
        await wait_for(lambda: ari.connected)
        await ari.ring("1765100000.1", PHONE)
        call_offer = await op.event(
            "conversation.offered", conversation__channel="voice", timeout=30
        )
        assert call_offer["data"]["conversation"]["customer_id"] == customer
        await op.ok(
            "conversation.accept", {"conversation_id": call_offer["data"]["conversation"]["id"]}
        )
        await op.ok(
            "conversation.end", {"conversation_id": call_offer["data"]["conversation"]["id"]}
        )

        # One customer, one feed, in order; nothing lost and nothing twice across the kill.
        final = await op.ok("customer.open", {"customer_id": customer})
        items = list(reversed(final["timeline"]["items"]))
        said = [(i["channel"], i["body"]) for i in items if i["direction"] == "in"]
        assert said[:2] == [
            ("webchat", "Здравствуйте, не пришёл заказ 1042"),
            ("email", "Курьер так и не приехал"),
        ]
        # What came while the gateway was down comes after, in the order the adapters read it.
        assert sorted(said[2:4]) == [
            ("email", "Номер заказа 1042, если нужно"),
            ("telegram", "Пишу из Телеграма, это Ольга"),
        ]
        assert said[4:] == [("voice", "")]
        written = [i for i in items if i["channel"] in ("webchat", "email", "telegram")]
        assert {i["conversation_id"] for i in written} == {conv["id"]}  # one conversation
        kinds = {(i["kind"], i["value"], i["verified"]) for i in final["identities"]}
        assert ("email", EMAIL, True) in kinds and ("phone", PHONE, True) in kinds
        assert ("telegram", str(TG_USER), True) in kinds
        assert len(smtp.received) == 1  # the operator's e-mail went once
        await op.close()
        await visitor.close()
    finally:
        gp.stop()
