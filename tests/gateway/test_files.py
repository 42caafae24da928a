"""Attachments in the web chat, both ways, over real HTTP and real sockets: uploads, the
message that carries them, downloads only as attachments and only for who may read them."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from services.store.models import Attachment, AuditEntry
from tests.gateway.conftest import RunningGateway, start_gateway
from tests.gateway.test_conversations import available, chat_and_offer, rows
from tests.support.opclient import ChatVisitor, OpClient

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(64))
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
EXE = b"MZ\x90\x00\x03" + b"\x00" * 200


def docx() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        # A fixed time in each entry: the same bytes whenever it is made (the clock's seconds
        # would differ between the upload and the comparison).
        for name, body in (
            ("[Content_Types].xml", "<Types/>"),
            ("word/document.xml", "<document/>"),
        ):
            z.writestr(zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0)), body)
    return buf.getvalue()


@pytest.fixture
async def http(gateway: RunningGateway) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=gateway.http_url, timeout=10) as client:
        yield client


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def visitor_upload(
    http: httpx.AsyncClient, visitor: ChatVisitor, name: str, body: bytes, **headers: str
) -> httpx.Response:
    return await http.post(
        "/chat/files",
        params={"name": name},
        content=body,
        headers={**bearer(visitor.visitor_token), **headers},
    )


async def operator_upload(
    http: httpx.AsyncClient, op: OpClient, customer_id: int, name: str, body: bytes
) -> httpx.Response:
    return await http.post(
        "/files",
        params={"customer_id": customer_id, "name": name},
        content=body,
        headers=bearer(op.auth["token"]),
    )


def stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


async def test_a_visitor_sends_a_file_and_the_operator_downloads_it(
    gateway: RunningGateway, http: httpx.AsyncClient, tmp_path: Path
) -> None:
    op = await available(gateway.url, "a1")
    visitor, conv = await chat_and_offer(gateway, op, "Здравствуйте, пришлю фото")
    await op.ok("conversation.accept", {"conversation_id": conv["id"]})

    up = await visitor_upload(http, visitor, "../../фото чека.PNG", PNG, **{"Content-Type": "x/y"})
    assert up.status_code == 201, up.text
    view = up.json()
    # Named by the content, kept as a plain name: no folders.
    assert (view["name"], view["size"], view["mime"]) == ("фото чека.PNG", len(PNG), "image/png")
    assert view["url"].startswith(f"{gateway.http_url}/files/{view['id']}/v1.")

    await visitor.ws.send(
        json.dumps({"type": "message", "id": "m-2", "text": "", "attachments": [view["id"]]})
    )
    ack = await visitor.recv_type("ack", "error")
    assert ack["type"] == "ack", ack
    live = await op.event("timeline.item", item__id=ack["event_id"])
    item = live["data"]["item"]
    sha = rows(gateway, Attachment, id=view["id"])[0].sha256
    assert item["attachments"] == [
        {
            "id": view["id"],
            "name": "фото чека.PNG",
            "size": len(PNG),
            "mime": "image/png",
            "url": f"/files/{view['id']}/{sha}",
        }
    ]
    assert op.auth["http_url"] == gateway.http_url

    got = await http.get(item["attachments"][0]["url"], headers=bearer(op.auth["token"]))
    assert got.status_code == 200 and got.content == PNG
    assert got.headers["content-disposition"] == (
        "attachment; filename*=UTF-8''" + quote("фото чека.PNG", safe="")
    )
    assert got.headers["content-type"] == "application/octet-stream"
    assert got.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in got.headers["content-security-policy"]
    assert got.headers["cross-origin-resource-policy"] == "same-origin"
    # A read of the customer's data, audited like the card.
    audit = rows(gateway, AuditEntry, action="attachment.read")
    assert [(a.operator_id, a.target_id, a.details) for a in audit] == [
        (op.auth["operator"]["id"], str(conv["customer_id"]), {"attachment": view["id"]})
    ]

    # The visitor's own link works without anything else; the history carries it again.
    mine = await http.get(view["url"])
    assert mine.status_code == 200 and mine.content == PNG
    back = await ChatVisitor.connect(gateway.url, visitor_token=visitor.visitor_token)
    sent = next(h for h in back.welcome["history"] if h["event_id"] == ack["event_id"])
    assert [(a["id"], a["name"]) for a in sent["attachments"]] == [(view["id"], "фото чека.PNG")]
    assert (await http.get(sent["attachments"][0]["url"])).content == PNG

    # Files on disk are private and named by their content.
    (blob,) = [p for p in stored_files(tmp_path / "gateway" / "files") if p.name == sha]
    assert blob.stat().st_mode & 0o777 == 0o600
    assert blob.parent.stat().st_mode & 0o777 == 0o700
    await back.close()
    await visitor.close()
    await op.close()


async def test_nobody_else_gets_the_file(gateway: RunningGateway, http: httpx.AsyncClient) -> None:
    a1 = await available(gateway.url, "a1")
    visitor, conv = await chat_and_offer(gateway, a1, "Вот документ")
    await a1.ok("conversation.accept", {"conversation_id": conv["id"]})
    view = (await visitor_upload(http, visitor, "договор.pdf", PDF)).json()
    await visitor.ws.send(
        json.dumps({"type": "message", "id": "d", "text": "Док", "attachments": [view["id"]]})
    )
    assert (await visitor.recv_type("ack", "error"))["type"] == "ack"
    sha = rows(gateway, Attachment, id=view["id"])[0].sha256
    own_path = f"/files/{view['id']}/{sha}"

    other = await ChatVisitor.connect(gateway.url)
    await other.say("Я другой посетитель")
    # Another visitor: not with their own token, not with a link of theirs for this id.
    for path in (own_path, f"/files/{view['id']}/anything"):
        refused = await http.get(path, headers=bearer(other.visitor_token))
        assert refused.status_code == 404 and refused.json()["error"] == "not_found"
    theirs = (await visitor_upload(http, other, "мой.txt", "привет".encode())).json()
    forged = theirs["url"].replace(f"/files/{theirs['id']}/", f"/files/{view['id']}/")
    assert (await http.get(forged)).status_code == 404
    tampered = view["url"][:-1] + ("0" if view["url"][-1] != "0" else "1")
    assert (await http.get(tampered)).status_code == 404
    # Without credentials, or with a path that is not the file's: nothing.
    assert (await http.get(own_path)).status_code == 404
    wrong_sha = await http.get(f"/files/{view['id']}/{'0' * 64}", headers=bearer(a1.auth["token"]))
    assert wrong_sha.status_code == 404

    # An agent who may not open the customer (a1 is serving them) is refused, and a token
    # that is not one is told so.
    a2 = await OpClient.connect(gateway.url, "a2", "a2")
    forbidden = await http.get(own_path, headers=bearer(a2.auth["token"]))
    assert forbidden.status_code == 403 and forbidden.json()["error"] == "forbidden"
    bad = await http.get(own_path, headers=bearer("x" * 43))
    assert bad.status_code == 401 and bad.headers["www-authenticate"] == "Bearer"
    # The supervisor may.
    lead = await OpClient.connect(gateway.url, "lead", "lead")
    assert (await http.get(own_path, headers=bearer(lead.auth["token"]))).content == PDF
    # The visitor's own token reads it too.
    assert (await http.get(own_path, headers=bearer(visitor.visitor_token))).content == PDF
    for c in (a1, a2, lead, visitor, other):
        await c.close()


async def test_an_operator_sends_a_file_and_the_visitor_downloads_it(
    gateway: RunningGateway, http: httpx.AsyncClient
) -> None:
    op = await available(gateway.url, "a1")
    visitor, conv = await chat_and_offer(gateway, op, "Пришлите счёт, пожалуйста")
    await op.ok("conversation.accept", {"conversation_id": conv["id"]})
    customer_id = conv["customer_id"]

    up = await operator_upload(http, op, customer_id, "Счёт № 5.docx", docx())
    assert up.status_code == 201, up.text
    view = up.json()
    assert view["mime"].endswith("wordprocessingml.document") and view["name"] == "Счёт № 5.docx"
    # Not sent yet: the visitor cannot read it.
    early = await http.get(f"/files/{view['id']}/x", headers=bearer(visitor.visitor_token))
    assert early.status_code == 404

    sent = await op.ok(
        "message.send",
        {"customer_id": customer_id, "channel": "webchat", "text": "", "attachments": [view["id"]]},
    )
    assert [a["id"] for a in sent["item"]["attachments"]] == [view["id"]]
    frame = await visitor.recv_type("message")
    assert frame["event_id"] == sent["item"]["id"] and frame["text"] == ""
    (link,) = frame["attachments"]
    assert (link["name"], link["mime"], link["size"]) == (
        "Счёт № 5.docx",
        view["mime"],
        view["size"],
    )
    got = await http.get(link["url"])
    assert got.status_code == 200 and got.content == docx()
    assert got.headers["content-disposition"].startswith("attachment; filename*=UTF-8''")

    # Once: the same file in a second message is refused, and so is another agent's file.
    again = await op.cmd(
        "message.send",
        {
            "customer_id": customer_id,
            "channel": "webchat",
            "text": "ещё",
            "attachments": [view["id"]],
        },
    )
    assert again["code"] == "conflict", again
    lead = await OpClient.connect(gateway.url, "lead", "lead")
    other = (await operator_upload(http, lead, customer_id, "x.pdf", PDF)).json()
    foreign = await op.cmd(
        "message.send",
        {
            "customer_id": customer_id,
            "channel": "webchat",
            "text": "x",
            "attachments": [other["id"]],
        },
    )
    assert foreign["code"] == "not_found", foreign
    email = await op.cmd(
        "message.send",
        {"customer_id": customer_id, "channel": "email", "text": "x", "attachments": [other["id"]]},
    )
    assert email["code"] == "invalid_args"
    # An agent who may not see the customer cannot upload for them.
    a2 = await OpClient.connect(gateway.url, "a2", "a2")
    refused = await operator_upload(http, a2, customer_id, "y.pdf", PDF)
    assert refused.status_code == 403 and refused.json()["error"] == "forbidden"
    for c in (op, lead, a2, visitor):
        await c.close()


async def test_bad_files_are_refused_with_clear_errors_and_nothing_is_kept(
    db_url: str, tmp_path: Path
) -> None:
    root = tmp_path / "gateway"
    gw = await start_gateway(
        db_url, data_dir=root, files_max_bytes=1000, files_visitor_uploads_per_min=7
    )
    try:
        url = f"ws://127.0.0.1:{gw.port}"
        visitor = await ChatVisitor.connect(url)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{gw.http_port}") as http:
            big = await visitor_upload(http, visitor, "big.png", PNG + b"\x00" * 1000)
            assert big.status_code == 413 and big.json()["error"] == "file_too_large"
            assert "1000 bytes" in big.json()["message"]

            async def chunked() -> AsyncIterator[bytes]:  # no Content-Length: counted as read
                for _ in range(20):
                    yield b"a" * 100

            streamed = await http.post(
                "/chat/files",
                params={"name": "big.txt"},
                content=chunked(),
                headers=bearer(visitor.visitor_token),
            )
            assert streamed.status_code == 413 and streamed.json()["error"] == "file_too_large"

            for name, body in (
                ("setup.png", EXE),
                ("a.zip", _zip({"a.txt": "x"})),
                ("b.txt", b"a\x00b"),
            ):
                refused = await visitor_upload(http, visitor, name, body)
                assert refused.status_code == 415, (name, refused.text)
                assert refused.json()["error"] == "file_type_not_allowed"
                assert "PDF" in refused.json()["message"]
            empty = await visitor_upload(http, visitor, "e.txt", b"")
            assert empty.status_code == 400 and empty.json()["error"] == "invalid_args"
            stranger = await http.post("/chat/files", content=PNG, headers=bearer("nope"))
            assert stranger.status_code == 401 and stranger.json()["error"] == "token_invalid"
            # Nothing of them is kept: no rows, no files, not even half-written ones.
            with gw.engine.connect() as conn:
                from sqlalchemy import func, select

                from services.store import tables

                count = conn.execute(select(func.count()).select_from(tables.attachments))
                assert count.scalar() == 0
            assert stored_files(root / "files") == []

            # Seven uploads a minute, refused ones included (six above), then a wait.
            fine = await visitor_upload(http, visitor, "ok.txt", "строка".encode())
            assert fine.status_code == 201
            assert fine.json()["name"] == "ok.txt" and fine.json()["mime"] == "text/plain"
            limited = await visitor_upload(http, visitor, "ok2.txt", b"x")
            assert limited.status_code == 429 and limited.json()["error"] == "rate_limited"
            assert int(limited.headers["retry-after"]) >= 1

            # A page that is not on the allow-list may not upload (nor ask to).
            evil = {"Origin": "https://evil.example"}
            pre = await http.options("/chat/files", headers=evil)
            assert pre.status_code == 403 and pre.json()["error"] == "origin_forbidden"
            own = f"http://127.0.0.1:{gw.http_port}"
            pre = await http.options(
                "/chat/files",
                headers={"Origin": own, "Access-Control-Request-Method": "POST"},
            )
            assert pre.status_code == 204
            assert pre.headers["access-control-allow-origin"] == own
            assert "authorization" in pre.headers["access-control-allow-headers"]

        # Too many files in one message: refused, the message not stored.
        views = []
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{gw.http_port}") as http:
            second = await ChatVisitor.connect(url)
            for i in range(6):
                r = await visitor_upload(http, second, f"{i}.txt", f"файл {i}".encode())
                views.append(r.json()["id"])
        await second.ws.send(
            json.dumps({"type": "message", "id": "six", "text": "", "attachments": views})
        )
        error = await second.recv_type("ack", "error")
        assert error["type"] == "error" and error["code"] == "invalid_args", error
        assert "at most 5" in error["message"] and error["id"] == "six"
        # Somebody else's file id: not theirs to send.
        await visitor.ws.send(
            json.dumps({"type": "message", "id": "x", "text": "", "attachments": [views[0]]})
        )
        error = await visitor.recv_type("ack", "error")
        assert error["code"] == "not_found", error
        await visitor.close()
        await second.close()
    finally:
        await gw.close()


async def test_a_file_named_like_a_page_is_saved_as_what_it_is(
    gateway: RunningGateway, http: httpx.AsyncClient
) -> None:
    visitor = await ChatVisitor.connect(gateway.url)
    html = b"<html><script>alert(1)</script></html>"
    up = await visitor_upload(http, visitor, "page.html", html, **{"Content-Type": "text/html"})
    assert up.status_code == 201
    assert (up.json()["name"], up.json()["mime"]) == ("page.html.txt", "text/plain")
    got = await http.get(up.json()["url"])
    assert got.headers["content-type"] == "application/octet-stream"
    assert got.headers["content-disposition"] == "attachment; filename*=UTF-8''page.html.txt"
    csv = await visitor_upload(http, visitor, "отчёт.csv", b"a;b\n1;2\n")
    assert csv.json()["mime"] == "text/csv"
    await visitor.close()


def _zip(entries: dict[str, Any]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, text in entries.items():
            z.writestr(name, text)
    return buf.getvalue()


async def test_uploads_never_sent_are_pruned_after_a_day(
    gateway: RunningGateway, http: httpx.AsyncClient, tmp_path: Path
) -> None:
    import os
    import time
    from datetime import timedelta

    from services.store.models import utcnow

    op = await available(gateway.url, "a1")
    visitor, _conv = await chat_and_offer(gateway, op, "Сейчас пришлю")
    kept = (await visitor_upload(http, visitor, "a.pdf", PDF)).json()
    await visitor.ws.send(
        json.dumps({"type": "message", "id": "k", "text": "", "attachments": [kept["id"]]})
    )
    assert (await visitor.recv_type("ack", "error"))["type"] == "ack"
    dropped = (await visitor_upload(http, visitor, "b.txt", "не отправлю".encode())).json()
    files = gateway.gw.hub.files
    assert await files.prune(utcnow()) == 0  # a fresh upload stays
    for blob in stored_files(tmp_path / "gateway" / "files"):
        os.utime(blob, (time.time() - 7200, time.time() - 7200))
    assert await files.prune(utcnow() + timedelta(days=2)) == 1
    assert [r.id for r in rows(gateway, Attachment)] == [kept["id"]]
    left = {p.name for p in stored_files(tmp_path / "gateway" / "files")}
    assert left == {rows(gateway, Attachment, id=kept["id"])[0].sha256}
    assert (await http.get(dropped["url"])).status_code == 404
    await visitor.close()
    await op.close()
