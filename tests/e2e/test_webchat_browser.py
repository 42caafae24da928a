"""The web chat in a real browser (headless Chromium) against a real gateway process.

Chromium and chromedriver come from the system (``CHROMIUM_BIN``, ``CHROMEDRIVER_BIN``; by default
the Debian packages' paths), so Selenium Manager never downloads anything. Without them the
module is skipped, unless ``OMNIDESK_REQUIRE_BROWSER=1`` asks for it to fail instead.

Selenium is synchronous: every browser call runs in a thread (``asyncio.to_thread``), so the
operator's websocket client keeps reading events meanwhile.
"""

from __future__ import annotations

import asyncio
import functools
import http.server
import json
import os
import shutil
import tempfile
import threading
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from tests.support.gateway_proc import ROOT, GatewayProcess
from tests.support.opclient import ChatVisitor, OpClient

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

CHROMIUM = os.environ.get("CHROMIUM_BIN") or "/usr/bin/chromium"
CHROMEDRIVER = os.environ.get("CHROMEDRIVER_BIN") or "/usr/bin/chromedriver"
ARTIFACTS = ROOT / "test-artifacts"

_missing = [p for p in (CHROMIUM, CHROMEDRIVER) if shutil.which(p) is None]
if _missing:
    _why = f"headless Chromium is needed: not found {', '.join(_missing)}"
    if os.environ.get("OMNIDESK_REQUIRE_BROWSER") == "1":
        pytest.fail(f"OMNIDESK_REQUIRE_BROWSER=1 but {_why}", pytrace=False)
    pytest.skip(f"{_why} (install chromium and chromium-driver)", allow_module_level=True)

# Every widget message as the DOM shows it.
MESSAGES_JS = """
return Array.from(document.querySelectorAll('#omnidesk-chat-messages .omnidesk-msg')).map(li => ({
  direction: li.dataset.direction,
  state: li.dataset.state || '',
  event_id: li.dataset.eventId ? Number(li.dataset.eventId) : null,
  client_id: li.dataset.clientId || null,
  text: li.querySelector('.omnidesk-text').textContent,
  author: (li.querySelector('.omnidesk-author') || {}).textContent || '',
}));
"""


class Page:
    """The browser, driven off the event loop."""

    def __init__(self, driver: webdriver.Chrome) -> None:
        self.driver = driver

    async def get(self, url: str) -> None:
        await asyncio.to_thread(self.driver.get, url)

    async def reload(self) -> None:
        await asyncio.to_thread(self.driver.refresh)

    async def js(self, script: str, *args: Any) -> Any:
        return await asyncio.to_thread(self.driver.execute_script, script, *args)

    async def keys(self, css: str, *keys: str) -> None:
        el = await asyncio.to_thread(self.driver.find_element, By.CSS_SELECTOR, css)
        await asyncio.to_thread(el.send_keys, *keys)

    async def click(self, css: str) -> None:
        el = await asyncio.to_thread(self.driver.find_element, By.CSS_SELECTOR, css)
        await asyncio.to_thread(el.click)

    async def messages(self) -> list[dict[str, Any]]:
        return list(await self.js(MESSAGES_JS))

    async def status(self) -> tuple[str, str] | None:
        found = await self.js(
            "const s = document.getElementById('omnidesk-chat-status');"
            "return s ? [s.dataset.state, s.textContent] : null;"
        )
        return None if found is None else (found[0], found[1])

    async def storage(self, key: str) -> Any:
        return await self.js("return localStorage.getItem(arguments[0]);", key)

    async def console(self) -> list[str]:
        """What the page logged to the console (and network errors) since the last call."""
        return [str(r["message"]) for r in await asyncio.to_thread(self.driver.get_log, "browser")]

    async def screenshot(self, path: Path) -> None:
        await asyncio.to_thread(self.driver.save_screenshot, str(path))


async def until(check: Callable[[], Awaitable[Any]], what: str, timeout: float = 15.0) -> Any:
    """Poll an async check until it returns something truthy."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        value = await check()
        if value:
            return value
        if loop.time() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        await asyncio.sleep(0.1)


@pytest.fixture
def page() -> Iterator[Page]:
    opts = Options()
    opts.binary_location = shutil.which(CHROMIUM) or CHROMIUM
    profile = tempfile.mkdtemp(prefix="omnidesk-chromium-")
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1200,800",
        f"--user-data-dir={profile}",
    ):
        opts.add_argument(arg)
    # A Russian visitor: navigator.language is "ru-RU" (--lang does nothing on Linux).
    opts.add_experimental_option("prefs", {"intl.accept_languages": "ru-RU,ru"})
    service = Service(executable_path=shutil.which(CHROMEDRIVER) or CHROMEDRIVER)
    driver = webdriver.Chrome(service=service, options=opts)
    driver.set_page_load_timeout(20)
    driver.set_script_timeout(10)
    try:
        yield Page(driver)
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def gateway(tmp_path: Path) -> Iterator[GatewayProcess]:
    gp = GatewayProcess(tmp_path)
    gp.run_cli("seed-demo", "--customers", "5")
    gp.start()
    try:
        yield gp
    finally:
        gp.stop()


@pytest.fixture
async def operator(gateway: GatewayProcess) -> Any:
    op = await OpClient.connect(gateway.url, "agent", "agent")
    assert op.auth["type"] == "auth_ok", op.auth
    await op.ok("presence.set", {"status": "available"})
    try:
        yield op
    finally:
        await op.close()


async def test_customer_writes_in_the_browser_and_the_operator_answers(
    page: Page, gateway: GatewayProcess, operator: OpClient
) -> None:
    op = operator
    chat = gateway.http_url + "/chat/"
    await page.get(chat)
    assert await page.js("return document.title") == "Магазин «Пример» — поддержка"
    online = await until(lambda: _status_is(page, "online"), "the widget to connect to the gateway")
    assert online[1] == "На связи"
    ui = await page.js(
        """
        const q = s => document.querySelector(s);
        return {
          button: q('#omnidesk-chat-button').getAttribute('aria-label'),
          input: q('#omnidesk-chat-input').getAttribute('aria-label'),
          live: q('#omnidesk-chat-messages').getAttribute('aria-live'),
          send: q('#omnidesk-chat-send').textContent,
          hidden: q('#omnidesk-chat-panel').hidden,
          radius: getComputedStyle(q('#omnidesk-chat-button')).borderRadius,
        };
        """
    )
    assert ui == {
        "button": "Открыть чат",
        "input": "Текст сообщения",
        "live": "polite",
        "send": "Отправить",
        "hidden": True,
        "radius": "50%",  # widget.css loaded from the gateway, not just the inline fallback
    }

    await page.click("#omnidesk-chat-button")
    assert await page.js("return document.getElementById('omnidesk-chat-panel').hidden") is False
    # The pre-chat form: these become claimed identities on the customer.
    await page.keys("#omnidesk-chat-intro input[name=name]", "Пётр Соколов")
    await page.keys("#omnidesk-chat-intro input[name=phone]", "+7 916 777 11 22")
    await page.click("#omnidesk-chat-intro button[type=submit]")
    # Shift+Enter is a new line, Enter sends.
    await page.keys("#omnidesk-chat-input", "Здравствуйте!")
    await page.keys("#omnidesk-chat-input", Keys.SHIFT, Keys.ENTER)
    await page.keys("#omnidesk-chat-input", "Где мой заказ?")
    question = "Здравствуйте!\nГде мой заказ?"
    assert await page.js("return document.getElementById('omnidesk-chat-input').value") == (
        question
    )
    await page.keys("#omnidesk-chat-input", Keys.ENTER)
    mine = await until(
        lambda: _find(page, direction="in", state="sent"), "the message to be acknowledged"
    )
    assert mine["text"] == question and isinstance(mine["event_id"], int)
    assert await page.js("return document.getElementById('omnidesk-chat-input').value") == ""

    offer = await op.event("conversation.offered", timeout=15)
    conv = offer["data"]["conversation"]
    assert conv["channel"] == "webchat"
    await op.ok("conversation.accept", {"conversation_id": conv["id"]})
    card = await op.ok("customer.open", {"customer_id": conv["customer_id"]})
    items = [i for i in card["timeline"]["items"] if i["kind"] == "message"]
    assert [(i["id"], i["direction"], i["body"]) for i in items] == [
        (mine["event_id"], "in", question)
    ]
    assert card["customer"]["name"] == "Пётр Соколов"
    assert {
        "kind": "phone",
        "value": "+79167771122",
        "verified": False,
        "claimed": True,  # typed into the chat: a claim, never used to route
    } in card["identities"]

    answer = "Добрый день! Заказ уже у курьера, привезёт сегодня до 18:00."
    sent = await op.ok(
        "message.send",
        {"customer_id": conv["customer_id"], "channel": "webchat", "text": answer},
    )
    reply_id = sent["item"]["id"]
    reply = await until(
        lambda: _find(page, direction="out", event_id=reply_id), "the reply in the browser"
    )
    assert reply["text"] == answer
    # The visitor sees the operator's public name (by default the first name), not the full one.
    assert op.auth["operator"]["display_name"] == "Анна Смирнова"
    assert reply["author"] == "Анна"
    await until(
        lambda: _find(page, event_id=reply_id, state="delivered"), "the reply to be confirmed"
    )

    def receipt() -> dict[str, Any] | None:
        return next(
            (
                e
                for e in op.events
                if e["name"] == "message.delivery"
                and e["data"]["event_id"] == reply_id
                and e["data"]["delivery"] in ("delivered", "read")
            ),
            None,
        )

    first = await op.wait(receipt, timeout=15)
    assert first["data"]["customer_id"] == conv["customer_id"]
    # The panel is open and the page visible: the reply is read, too.
    await op.event("message.delivery", event_id=reply_id, delivery="read", timeout=15)

    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(ARTIFACTS / "webchat.png")

    # Coming back later: the same visitor id, the whole conversation is there again.
    visitor = await page.storage("omnidesk.visitor")
    assert visitor
    await page.reload()
    await until(lambda: _status_is(page, "online"), "the widget to reconnect after reload")
    shown = await until(
        lambda: _count(page, 2), "the history (two messages) after the reload", timeout=10
    )
    assert [(m["direction"], m["event_id"], m["text"]) for m in shown] == [
        ("in", mine["event_id"], question),
        ("out", reply_id, answer),
    ]
    assert shown[0]["state"] == "sent" and shown[1]["author"] == "Анна"
    assert await page.storage("omnidesk.visitor") == visitor
    # The panel stays open across page loads of the same tab.
    assert await page.js("return document.getElementById('omnidesk-chat-panel').hidden") is False
    # The page's strict Content-Security-Policy let everything it needs through.
    violations = [m for m in await page.console() if "Content Security Policy" in m]
    assert violations == []
    assert gateway.errors() == []


async def test_unacknowledged_messages_are_sent_again_with_their_ids(
    page: Page, gateway: GatewayProcess
) -> None:
    """Written while the gateway is down: sent after a reconnect, or on a later page load."""
    chat = gateway.http_url + "/chat/"
    await page.get(chat)
    await until(lambda: _status_is(page, "online"), "the widget to connect")
    await page.click("#omnidesk-chat-button")
    await page.click("#omnidesk-chat-intro .omnidesk-skip")
    visitor = await page.storage("omnidesk.visitor")
    assert visitor

    # The gateway goes away and comes back: the widget reconnects (backoff) and sends it.
    gateway.kill()
    await until(lambda: _status_is(page, "offline"), "the widget to notice the outage")
    # Message text is untrusted: it must show as text, never become markup.
    first = 'Алло, вы меня слышите? <img src=x onerror="window.pwned = 1">'

    await page.keys("#omnidesk-chat-input", first, Keys.ENTER)
    pending = await until(lambda: _find(page, text=first), "the pending message")
    assert pending["state"] == "pending" and pending["event_id"] is None
    gateway.start()
    await until(lambda: _status_is(page, "online"), "the widget to reconnect", timeout=20)
    sent = await until(
        lambda: _find(page, text=first, state="sent"), "the message to be acknowledged"
    )
    assert isinstance(sent["event_id"], int)

    # Down again; the visitor writes and leaves before it comes back. The message waits in
    # localStorage, and meanwhile the gateway got it (say, from another tab of the visitor).
    gateway.kill()
    await until(lambda: _status_is(page, "offline"), "the second outage")
    second = "Напишите, когда будет курьер."
    await page.keys("#omnidesk-chat-input", second, Keys.ENTER)
    pending = await until(lambda: _find(page, text=second), "the second pending message")
    assert pending["state"] == "pending"
    client_id = pending["client_id"]
    outbox = json.loads(await page.storage("omnidesk.visitor.outbox"))
    assert outbox == [{"id": client_id, "text": second}]
    await page.get("about:blank")
    gateway.start()
    other = await ChatVisitor.connect(gateway.url, visitor_token=visitor)
    try:
        ack = await other.say(second, msg_id=client_id)
    finally:
        await other.close()
    assert ack["type"] == "ack", ack

    # Back on the shop: the widget sends it again with the same id; the gateway answers with
    # the event it already has, and the page shows each message once.
    await page.get(chat)
    await until(lambda: _status_is(page, "online"), "the widget to connect again")
    await until(lambda: _none_pending(page), "the re-sent message to be acknowledged", timeout=10)
    shown = await page.messages()
    assert [(m["event_id"], m["state"], m["text"]) for m in shown] == [
        (sent["event_id"], "sent", first),
        (ack["event_id"], "sent", second),
    ]
    assert await page.storage("omnidesk.visitor.outbox") is None
    assert await page.storage("omnidesk.visitor") == visitor
    assert await page.js(
        "return [window.pwned, document.querySelectorAll('#omnidesk-chat-panel img').length]"
    ) == [None, 0]
    assert gateway.errors() == []


@pytest.fixture
def foreign_site() -> Iterator[tuple[str, Path]]:
    """Another origin (another port), not on the gateway's allow-list."""
    root = Path(tempfile.mkdtemp(prefix="omnidesk-site-"))

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=str(root))
    )
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", root
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)
        shutil.rmtree(root, ignore_errors=True)


async def test_a_site_not_on_the_allow_list_cannot_open_the_chat(
    page: Page, gateway: GatewayProcess, foreign_site: tuple[str, Path]
) -> None:
    url, root = foreign_site
    (root / "index.html").write_text(
        "<!doctype html><html lang=en><meta charset=utf-8><title>Someone else's shop</title>"
        "<p>Not allowed to embed the chat.</p>"
        f'<script src="{gateway.http_url}/chat/widget.js" data-lang="en"></script>',
        encoding="utf-8",
    )
    await page.get(url + "/index.html")
    # The script and stylesheet load (plain GETs), but the websocket handshake gets a 403.
    offline = await until(lambda: _status_is(page, "offline"), "the widget to give up")
    assert offline[1] == "Offline. Trying to reconnect…"
    await page.click("#omnidesk-chat-button")
    await page.click("#omnidesk-chat-intro .omnidesk-skip")
    await page.keys("#omnidesk-chat-input", "Hello?", Keys.ENTER)
    await until(lambda: _find(page, direction="in"), "the message in the list")
    await asyncio.sleep(3.5)  # two more reconnect attempts (1 s, then 2 s)
    msgs = await page.messages()
    assert [(m["state"], m["event_id"]) for m in msgs] == [("pending", None)]
    assert (await page.status() or ("", ""))[0] == "offline"
    assert await page.storage("omnidesk.visitor") is None  # never welcomed
    refused = [m for m in await page.console() if "/ws/chat" in m]
    assert refused and all("403" in m for m in refused), refused
    assert gateway.errors() == []


async def test_a_shop_on_the_allow_list_embeds_the_chat_with_one_line(
    page: Page, tmp_path: Path, foreign_site: tuple[str, Path]
) -> None:
    """The README's snippet on a shop's own page: the script knows where the socket is."""
    shop, root = foreign_site
    gateway = GatewayProcess(tmp_path, env={"OMNIDESK_ALLOWED_ORIGINS": shop})
    gateway.run_cli("seed-demo", "--customers", "5")
    gateway.start()
    try:
        (root / "index.html").write_text(
            "<!doctype html><html lang=en><meta charset=utf-8><title>A shop</title>"
            "<p>Our own page.</p>"
            f'<script src="{gateway.http_url}/chat/widget.js" data-lang="en"></script>',
            encoding="utf-8",
        )
        await page.get(shop + "/index.html")
        online = await until(lambda: _status_is(page, "online"), "the widget to connect")
        assert online[1] == "Connected"
        await page.click("#omnidesk-chat-button")
        await page.click("#omnidesk-chat-intro .omnidesk-skip")
        await page.keys("#omnidesk-chat-input", "Hello from the shop", Keys.ENTER)
        sent = await until(
            lambda: _find(page, text="Hello from the shop", state="sent"), "the acknowledgement"
        )
        assert isinstance(sent["event_id"], int)
        assert gateway.errors() == []
    finally:
        gateway.stop()


async def _status_is(page: Page, state: str) -> tuple[str, str] | None:
    found = await page.status()
    return found if found is not None and found[0] == state else None


async def _find(page: Page, **want: Any) -> dict[str, Any] | None:
    for m in await page.messages():
        if all(m.get(k) == v for k, v in want.items()):
            return m
    return None


async def _none_pending(page: Page) -> bool:
    msgs = await page.messages()
    return bool(msgs) and all(m["state"] != "pending" for m in msgs)


async def _count(page: Page, n: int) -> list[dict[str, Any]] | None:
    msgs = await page.messages()
    return msgs if len(msgs) == n else None


# -- attachments, the rating after a close, the page's language ----------------------------------
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(200))
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"

FILES_JS = """
return Array.from(document.querySelectorAll(
    '#omnidesk-chat-messages .omnidesk-msg[data-event-id]')).map(li => ({
  event_id: Number(li.dataset.eventId),
  direction: li.dataset.direction,
  files: Array.from(li.querySelectorAll('a.omnidesk-file')).map(a => ({
    id: Number(a.dataset.fileId), name: a.textContent, href: a.href,
    download: a.getAttribute('download'),
  })),
}));
"""

DROP_JS = """
const [name, b64, type] = arguments;
const bytes = Uint8Array.from(atob(b64), c => c.charCodeAt(0));
const dt = new DataTransfer();
dt.items.add(new File([bytes], name, {type}));
const panel = document.getElementById('omnidesk-chat-panel');
for (const kind of ['dragover', 'drop']) {
  panel.dispatchEvent(new DragEvent(kind, {dataTransfer: dt, bubbles: true, cancelable: true}));
}
"""


async def _tray(page: Page) -> list[dict[str, Any]]:
    return list(
        await page.js(
            "return Array.from(document.querySelectorAll('#omnidesk-chat-files li')).map("
            "li => ({state: li.dataset.state, text: li.textContent}));"
        )
    )


async def _all_ready(page: Page, n: int) -> list[dict[str, Any]] | None:
    tray = await _tray(page)
    return tray if len(tray) == n and all(f["state"] == "ready" for f in tray) else None


async def _files_of(page: Page, event_id: int) -> list[dict[str, Any]] | None:
    for m in await page.js(FILES_JS):
        if m["event_id"] == event_id and m["files"]:
            return list(m["files"])
    return None


async def test_files_go_both_ways_in_the_browser(
    page: Page, gateway: GatewayProcess, operator: OpClient, tmp_path: Path
) -> None:
    import base64

    import httpx

    op = operator
    await page.get(gateway.http_url + "/chat/")
    await until(lambda: _status_is(page, "online"), "the widget to connect")
    await page.click("#omnidesk-chat-button")
    await page.click("#omnidesk-chat-intro .omnidesk-skip")
    assert await page.js("return document.getElementById('omnidesk-chat-attach').disabled") is False

    # One file through the paper clip's file input, one dropped on the panel.
    photo = tmp_path / "фото чека.png"
    photo.write_bytes(PNG)
    # (chromedriver types a path into the hidden file input, as the paper clip's dialog would)
    await page.keys("#omnidesk-chat-file", str(photo))
    await page.js(DROP_JS, "заметка.txt", base64.b64encode("Заказ 10234".encode()).decode(), "")
    tray = await until(lambda: _all_ready(page, 2), "both files to be uploaded")
    assert "фото чека.png" in tray[0]["text"] and "заметка.txt" in tray[1]["text"]
    # Not an accepted kind of file: refused, with the gateway's reason, and not sent.
    await page.js(DROP_JS, "setup.exe", base64.b64encode(b"MZ\x90\x00" * 64).decode(), "")
    failed = await until(
        lambda: _tray_state(page, "failed"), "the refused file to be marked failed"
    )
    assert "PDF" in failed["text"]
    await page.click("#omnidesk-chat-files li[data-state=failed] .omnidesk-remove")
    await page.keys("#omnidesk-chat-input", "Вот чек и заметка", Keys.ENTER)
    mine = await until(
        lambda: _find(page, direction="in", state="sent"), "the message to be acknowledged"
    )
    links = await until(lambda: _files_of(page, mine["event_id"]), "the links in the message")
    assert [f["name"] for f in links] == ["фото чека.png", "заметка.txt"]
    assert await page.js("return document.querySelectorAll('#omnidesk-chat-files li').length") == 0

    offer = await op.event("conversation.offered", timeout=15)
    conv = offer["data"]["conversation"]
    await op.ok("conversation.accept", {"conversation_id": conv["id"]})
    card = await op.ok("customer.open", {"customer_id": conv["customer_id"]})
    item = next(i for i in card["timeline"]["items"] if i["id"] == mine["event_id"])
    assert [(a["name"], a["mime"]) for a in item["attachments"]] == [
        ("фото чека.png", "image/png"),
        ("заметка.txt", "text/plain"),
    ]
    token = {"Authorization": f"Bearer {op.auth['token']}"}
    async with httpx.AsyncClient(base_url=op.auth["http_url"], timeout=10) as http:
        got = await http.get(item["attachments"][0]["url"], headers=token)
        assert got.status_code == 200 and got.content == PNG
        assert got.headers["content-disposition"].startswith("attachment; filename*=UTF-8''")
        # The visitor's own link downloads it too (what the widget's link points at).
        assert (await http.get(links[0]["href"])).content == PNG

        # The operator's reply with a file: a link in the widget, downloaded as an attachment.
        up = await http.post(
            "/files",
            params={"customer_id": conv["customer_id"], "name": "Счёт 10234.pdf"},
            content=PDF,
            headers=token,
        )
        assert up.status_code == 201, up.text
        sent = await op.ok(
            "message.send",
            {
                "customer_id": conv["customer_id"],
                "channel": "webchat",
                "text": "Счёт во вложении",
                "attachments": [up.json()["id"]],
            },
        )
        reply = await until(
            lambda: _files_of(page, sent["item"]["id"]), "the operator's file in the browser"
        )
        assert [(f["name"], f["download"]) for f in reply] == [("Счёт 10234.pdf", "Счёт 10234.pdf")]
        download = await http.get(reply[0]["href"])
        assert download.status_code == 200 and download.content == PDF
        assert download.headers["content-type"] == "application/octet-stream"
    # Files are links, never shown inline.
    assert await page.js("return document.querySelectorAll('#omnidesk-chat-panel img').length") == 0
    violations = [m for m in await page.console() if "Content Security Policy" in m]
    assert violations == []
    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(ARTIFACTS / "webchat-files.png")
    assert gateway.errors() == []


async def _tray_state(page: Page, state: str) -> dict[str, Any] | None:
    return next((f for f in await _tray(page) if f["state"] == state), None)


async def _csat(page: Page) -> dict[str, Any] | None:
    found = await page.js(
        "const f = document.getElementById('omnidesk-chat-csat');"
        "return f && !f.hidden ? {state: f.dataset.state, text: f.innerText,"
        " conversation: Number(f.dataset.conversationId)} : null;"
    )
    return None if found is None else dict(found)


async def test_the_visitor_rates_the_chat_after_the_operator_closes_it(
    page: Page, gateway: GatewayProcess, operator: OpClient
) -> None:
    op = operator
    await page.get(gateway.http_url + "/chat/")
    await until(lambda: _status_is(page, "online"), "the widget to connect")
    await page.click("#omnidesk-chat-button")
    await page.click("#omnidesk-chat-intro .omnidesk-skip")
    await page.keys("#omnidesk-chat-input", "Когда привезут заказ?", Keys.ENTER)
    await until(lambda: _find(page, direction="in", state="sent"), "the acknowledgement")
    conv = (await op.event("conversation.offered", timeout=15))["data"]["conversation"]
    await op.ok("conversation.accept", {"conversation_id": conv["id"]})
    await op.ok(
        "message.send",
        {"customer_id": conv["customer_id"], "channel": "webchat", "text": "Сегодня до 18:00."},
    )
    assert await _csat(page) is None
    await op.ok(
        "conversation.wrap_up",
        {"conversation_id": conv["id"], "disposition": "order_status", "resolution": "сказали"},
    )
    asked = await until(lambda: _csat(page), "the widget to ask for a rating")
    assert asked["state"] == "ask" and asked["conversation"] == conv["id"]
    assert "Разговор завершён." in asked["text"]
    await page.keys("#omnidesk-chat-csat-comment", "Спасибо, быстро")
    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(ARTIFACTS / "webchat-csat.png")
    await page.click('#omnidesk-chat-csat button[data-rating="4"]')

    item = (await op.event("timeline.item", item__kind="csat", timeout=15))["data"]["item"]
    assert (item["extra"], item["body"], item["conversation_id"]) == (
        {"rating": 4},
        "Спасибо, быстро",
        conv["id"],
    )
    card = await op.ok("customer.open", {"customer_id": conv["customer_id"]})
    assert card["customer"]["last_csat"] == 4
    done = await until(lambda: _csat_state(page, "done"), "the widget to thank for the rating")
    assert "Спасибо за оценку!" in done["text"]
    # After a reload the rated chat is not asked again.
    await page.reload()
    await until(lambda: _status_is(page, "online"), "the widget to reconnect")
    await asyncio.sleep(0.5)
    assert await _csat(page) is None
    assert gateway.errors() == []


async def _csat_state(page: Page, state: str) -> dict[str, Any] | None:
    found = await _csat(page)
    return found if found is not None and found["state"] == state else None


@pytest.mark.parametrize(
    ("html_lang", "data_lang", "want"),
    [
        ("ru", None, "Открыть чат"),  # the page's language, although...
        ("en", None, "Open chat"),  # ...the browser's is Russian either way
        ("de", None, "Open chat"),  # neither: English
        ("ru", "en", "Open chat"),  # data-lang wins over the page
        ("en", "ru-RU", "Открыть чат"),
    ],
)
async def test_the_widget_speaks_the_pages_language(
    page: Page,
    gateway: GatewayProcess,
    foreign_site: tuple[str, Path],
    html_lang: str,
    data_lang: str | None,
    want: str,
) -> None:
    url, root = foreign_site
    extra = f' data-lang="{data_lang}"' if data_lang else ""
    (root / "index.html").write_text(
        f"<!doctype html><html lang={html_lang}><meta charset=utf-8><title>Shop</title>"
        f'<p>…</p><script src="{gateway.http_url}/chat/widget.js"{extra}></script>',
        encoding="utf-8",
    )
    await page.get(url + "/index.html")
    label = await until(
        lambda: page.js(
            "const b = document.getElementById('omnidesk-chat-button');"
            "return b && b.getAttribute('aria-label');"
        ),
        "the widget's button",
    )
    assert label == want
    panel_lang = await page.js("return document.getElementById('omnidesk-chat-panel').lang")
    assert panel_lang == ("ru" if want == "Открыть чат" else "en")
    assert await page.js("return navigator.language") == "ru-RU"
