"""The web chat in a real browser (headless Chromium) against a real gateway process."""

from __future__ import annotations

import asyncio
import http.server
import os
import shutil
import socket
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.gateway_proc import ROOT, GatewayProcess
from tests.support.opclient import OpClient

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

CHROMIUM = os.environ.get("CHROMIUM_BIN", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER_BIN", "/usr/bin/chromedriver")
ARTIFACTS = ROOT / "test-artifacts"


def _need_browser() -> None:
    if not (shutil.which(CHROMIUM) and shutil.which(CHROMEDRIVER)):
        if os.environ.get("OMNIDESK_REQUIRE_BROWSER") == "1" or os.environ.get("CI"):
            pytest.fail(f"Chromium or chromedriver missing ({CHROMIUM}, {CHROMEDRIVER})")
        pytest.skip("headless Chromium is not installed (make's set-up installs it)")


@pytest.fixture
def browser() -> Iterator[Any]:
    _need_browser()
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    opts = Options()
    opts.binary_location = CHROMIUM
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
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=opts)
    driver.set_page_load_timeout(20)
    try:
        yield driver
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


async def until(check: Callable[[], Any], timeout: float = 15.0) -> Any:
    """Poll a (blocking) browser check off the event loop until it returns something truthy."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        value = await asyncio.to_thread(check)
        if value:
            return value
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError("browser condition not met")
        await asyncio.sleep(0.1)


def _messages(driver: Any) -> list[dict[str, str]]:
    return driver.execute_script(  # type: ignore[no-any-return]
        "return Array.from(document.querySelectorAll('.omnidesk-msg')).map(li => ({"
        "direction: li.dataset.direction, state: li.dataset.state || '',"
        "text: li.querySelector('.omnidesk-text').textContent,"
        "author: (li.querySelector('.omnidesk-author') || {}).textContent || ''}))"
    )


async def test_customer_writes_in_the_browser_and_the_operator_answers(
    browser: Any, gateway: GatewayProcess
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    op = await OpClient.connect(gateway.url, "agent", "agent")
    await op.ok("presence.set", {"status": "available"})
    page = f"http://127.0.0.1:{gateway.port}/chat/"
    await asyncio.to_thread(browser.get, page)
    await until(
        lambda: (
            browser.find_element(By.ID, "omnidesk-chat-status").get_attribute("data-state")
            == "online"
        )
    )
    await asyncio.to_thread(browser.find_element(By.ID, "omnidesk-chat-button").click)
    # Introduce: these become claimed identities on the customer.
    await asyncio.to_thread(browser.find_element(By.NAME, "name").send_keys, "Пётр Соколов")
    await asyncio.to_thread(browser.find_element(By.NAME, "phone").send_keys, "+7 916 777 11 22")
    await asyncio.to_thread(
        browser.find_element(By.CSS_SELECTOR, "#omnidesk-chat-intro button[type=submit]").click
    )
    box = browser.find_element(By.ID, "omnidesk-chat-input")
    await asyncio.to_thread(box.send_keys, "Здравствуйте! Где мой заказ?")
    await asyncio.to_thread(box.send_keys, Keys.ENTER)
    await until(lambda: any(m["state"] == "sent" for m in _messages(browser)))

    offer = await op.event("conversation.offered", timeout=15)
    conv = offer["data"]["conversation"]
    await op.ok("conversation.accept", {"conversation_id": conv["id"]})
    card = await op.ok("customer.open", {"customer_id": conv["customer_id"]})
    assert [i["body"] for i in card["timeline"]["items"]] == ["Здравствуйте! Где мой заказ?"]
    assert card["customer"]["name"] == "Пётр Соколов"
    assert {"kind": "phone", "value": "+79167771122", "verified": False} in card["identities"]

    sent = await op.ok(
        "message.send",
        {
            "customer_id": conv["customer_id"],
            "channel": "webchat",
            "text": "Добрый день! Заказ уже у курьера.",
        },
    )
    shown = await until(lambda: [m for m in _messages(browser) if m["direction"] == "out"])
    assert shown[0]["text"] == "Добрый день! Заказ уже у курьера."
    assert shown[0]["author"] == "Анна Смирнова"
    # The open panel reports it read.
    ev = await op.event(
        "message.delivery", event_id=sent["item"]["id"], delivery="read", timeout=15
    )
    assert ev["data"]["delivery"] == "read"

    ARTIFACTS.mkdir(exist_ok=True)
    await asyncio.to_thread(browser.save_screenshot, str(ARTIFACTS / "webchat.png"))

    # Coming back later: same visitor id, the whole conversation is there.
    vid = browser.execute_script("return localStorage.getItem('omnidesk.visitor')")
    await asyncio.to_thread(browser.get, page)
    await until(lambda: len(_messages(browser)) == 2)
    assert browser.execute_script("return localStorage.getItem('omnidesk.visitor')") == vid
    assert [m["text"] for m in _messages(browser)] == [
        "Здравствуйте! Где мой заказ?",
        "Добрый день! Заказ уже у курьера.",
    ]
    await op.close()
    assert gateway.errors() == []


@pytest.fixture
def foreign_site() -> Iterator[tuple[str, Path]]:
    root = Path(tempfile.mkdtemp(prefix="omnidesk-site-"))
    handler = lambda *a, **kw: http.server.SimpleHTTPRequestHandler(  # noqa: E731
        *a, directory=str(root), **kw
    )
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}", root
    finally:
        httpd.shutdown()
        httpd.server_close()
        shutil.rmtree(root, ignore_errors=True)


async def test_a_site_not_on_the_allow_list_cannot_open_the_chat(
    browser: Any, gateway: GatewayProcess, foreign_site: tuple[str, Path]
) -> None:
    from selenium.webdriver.common.by import By

    url, root = foreign_site
    (root / "index.html").write_text(
        "<!doctype html><meta charset=utf-8><title>Чужой сайт</title>"
        f'<script src="http://127.0.0.1:{gateway.port}/chat/widget.js"></script>',
        encoding="utf-8",
    )
    await asyncio.to_thread(browser.get, url + "/index.html")
    await until(lambda: browser.find_elements(By.ID, "omnidesk-chat-status"))
    await asyncio.sleep(2.0)
    state = browser.find_element(By.ID, "omnidesk-chat-status").get_attribute("data-state")
    assert state == "offline"
    assert browser.execute_script("return localStorage.getItem('omnidesk.visitor')") is None
