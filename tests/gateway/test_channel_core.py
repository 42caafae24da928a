"""The provider adapters' frame: configuration sections and secrets, the catalog, and how the
gateway mounts, starts, reports and stops an adapter."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar import Request, post
from litestar.types import ControllerRouterHandler

from services.channels import catalog
from services.channels.base import Adapter, AdapterContext, Cursor, HealthTracker, Secret, Section
from services.config import ConfigError, load_config
from services.domain.inbox import InboundMessage, OutboundMessage
from tests.gateway.conftest import start_gateway


class LoopbackAdapter(Adapter):
    """An adapter of the Telegram channel whose 'provider' is its own webhook."""

    channel = "telegram"
    kind = "loopback"

    def __init__(self, name: str, token: Secret, greeting: str) -> None:
        super().__init__(name)
        self.token, self.greeting = token, greeting
        self.ctx: AdapterContext | None = None
        self.sent: list[OutboundMessage] = []
        self.stopped = False

    @classmethod
    def from_section(cls, section: Section) -> LoopbackAdapter:
        return cls(section.name, section.secret("token"), section.get("greeting", "hi"))

    async def start(self, ctx: AdapterContext) -> None:
        self.ctx = ctx

    async def stop(self) -> None:
        self.stopped = True

    async def send(self, msg: OutboundMessage) -> str:
        self.sent.append(msg)
        return f"out-{len(self.sent)}"

    def routes(self) -> Sequence[ControllerRouterHandler]:
        adapter = self

        @post("/update", status_code=200)
        async def update(request: Request[Any, Any, Any]) -> dict[str, int]:
            assert adapter.ctx is not None
            data = json.loads(await request.body())
            result = await adapter.ctx.inbox.ingest(
                InboundMessage(
                    "telegram", "telegram", str(data["from"]), str(data["text"]), verified=True
                )
            )
            return {"conversation_id": result.conversation_id}

        return [update]


@pytest.fixture
def loopback() -> Iterator[None]:
    catalog.ADAPTERS["loopback"] = LoopbackAdapter
    yield
    del catalog.ADAPTERS["loopback"]


ENV = {"BOT_TOKEN": "123:secret"}


def test_a_section_reads_its_secrets_from_the_environment_or_a_file(tmp_path: Path) -> None:
    from_env = Section("bot", {"token_env": "BOT_TOKEN"}, ENV).secret("token")
    assert from_env.reveal() == "123:secret" and from_env.matches("123:secret")
    assert not from_env.matches("123:secreT") and not from_env.matches(None)
    assert "secret" not in repr(from_env) and "secret" not in f"{from_env}"
    path = tmp_path / "token"
    path.write_text("from-a-file\n")
    assert Section("bot", {"token_file": str(path)}, {}).secret("token").reveal() == "from-a-file"


@pytest.mark.parametrize(
    ("values", "says"),
    [
        ({"token": "inline"}, "secrets are not written in the file"),
        ({"token_env": "NOT_SET"}, "environment variable NOT_SET is not set"),
        ({"token_env": "BOT_TOKEN", "token_file": "/x"}, "not both"),
        ({"token_file": "/nonexistent/token"}, "cannot read /nonexistent/token"),
        ({}, "set token_env or token_file"),
    ],
)
def test_a_secret_given_wrongly_is_refused_with_the_setting_named(
    values: dict[str, Any], says: str
) -> None:
    with pytest.raises(ConfigError, match=says) as refused:
        Section("bot", values, ENV).secret("token")
    assert "[channels.bot] token" in str(refused.value)
    assert "inline" not in str(refused.value)  # a misplaced secret is not repeated


def test_a_section_refuses_unknown_keys_and_wrong_types() -> None:
    section = Section("bot", {"token_env": "BOT_TOKEN", "greting": "typo"}, ENV)
    section.secret("token")
    section.get("greeting", "hi")
    with pytest.raises(ConfigError, match=r"\[channels.bot\]: unknown setting greting"):
        section.finish()
    for key, value, default in (("port", "80", 0), ("port", -1, 0), ("tls", "yes", False)):
        with pytest.raises(ConfigError, match=rf"\[channels.bot\] {key}"):
            Section("bot", {key: value}, {}).get(key, default)
    with pytest.raises(ConfigError, match="url is required"):
        Section("bot", {"url": " "}, {}).required("url")


def test_the_catalog_builds_enabled_sections_and_refuses_what_it_cannot(loopback: None) -> None:
    built = catalog.build({"bot": {"type": "loopback", "token_env": "BOT_TOKEN"}}, ENV)
    assert [type(a) for a in built] == [LoopbackAdapter] and built[0].name == "bot"
    # a disabled section needs no secrets in place, but is still checked for typos
    assert (
        catalog.build({"bot": {"type": "loopback", "enabled": False, "token_env": "X"}}, {}) == []
    )
    with pytest.raises(ConfigError, match="unknown setting tokn_env"):
        catalog.build({"bot": {"type": "loopback", "enabled": False, "tokn_env": "X"}}, {})
    with pytest.raises(ConfigError, match="unknown channel type 'pigeon'"):
        catalog.build({"bot": {"type": "pigeon"}}, ENV)
    two = {
        "a": {"type": "loopback", "token_env": "BOT_TOKEN"},
        "b": {"type": "loopback", "token_env": "BOT_TOKEN"},
    }
    with pytest.raises(ConfigError, match=r"channel telegram is already served by \[channels.a\]"):
        catalog.build(two, ENV)


def test_channel_sections_come_from_the_toml(tmp_path: Path) -> None:
    path = tmp_path / "gateway.toml"
    path.write_text('[channels.bot]\ntype = "loopback"\ntoken_env = "BOT_TOKEN"\n')
    assert load_config(path, {}).channels == {"bot": {"type": "loopback", "token_env": "BOT_TOKEN"}}
    path.write_text('[channels]\nbot = "telegram"\n')
    with pytest.raises(ConfigError, match=r"\[channels.bot\] must be a table"):
        load_config(path, {})


def test_a_cursor_survives_a_restart_and_a_broken_one_is_named(tmp_path: Path) -> None:
    cursor = Cursor(tmp_path / "bot" / "offset.json")
    assert cursor.load({"offset": 0}) == {"offset": 0}
    cursor.save({"offset": 41})
    assert Cursor(tmp_path / "bot" / "offset.json").load(None) == {"offset": 41}
    (tmp_path / "bot" / "offset.json").write_text("{broken")
    with pytest.raises(RuntimeError, match=r"cannot read offset\.json"):
        cursor.load(None)


def test_health_goes_degraded_then_down_and_back() -> None:
    tracker = HealthTracker("sms", down_after=2)
    assert tracker.view().state == "ok"
    tracker.failed("HTTP 503")
    assert (tracker.view().state, tracker.view().detail) == ("degraded", "HTTP 503")
    tracker.failed("HTTP 503")
    assert tracker.view().state == "down" and tracker.view().failures == 2
    tracker.ok()
    assert tracker.view().state == "ok" and tracker.view().last_ok_at is not None
    tracker.failed("connection refused", down=True)
    assert tracker.view().state == "down"


async def test_the_gateway_mounts_starts_reports_and_stops_its_adapters(
    db_url: str, tmp_path: Path, loopback: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BOT_TOKEN", "123:secret")
    gw = await start_gateway(
        db_url,
        data_dir=tmp_path / "gateway",
        http_monitoring_token="watch",
        channels={"bot": {"type": "loopback", "token_env": "BOT_TOKEN"}},
    )
    adapter = gw.adapters[0]
    assert isinstance(adapter, LoopbackAdapter)
    try:
        assert adapter.ctx is not None and adapter.ctx.hook_path == "/hooks/bot"
        assert adapter.ctx.state_dir == tmp_path / "gateway" / "channels" / "bot"
        assert gw.hub.adapters["telegram"] is adapter
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{gw.http_port}") as http:
            answer = await http.post("/hooks/bot/update", json={"from": "5551", "text": "hello"})
            assert answer.status_code == 200 and answer.json()["conversation_id"] > 0
            health = await http.get("/healthz", headers={"Authorization": "Bearer watch"})
            assert health.json()["channels"]["bot"]["state"] == "ok"
            adapter.tracker.failed("provider answered 503")
            health = await http.get("/healthz", headers={"Authorization": "Bearer watch"})
            assert health.json()["channels"]["bot"] == {
                "channel": "telegram",
                "state": "degraded",
                "detail": "provider answered 503",
                "failures": 1,
                "last_error_at": pytest.approx(adapter.tracker.last_error_at),
            }
            public = await http.get("/healthz")
            assert "channels" not in public.json()  # the figures are for monitoring only
    finally:
        await gw.close()
    assert adapter.stopped


async def test_a_bad_channel_section_stops_the_gateway_before_it_listens(
    db_url: str, tmp_path: Path
) -> None:
    with pytest.raises(ConfigError, match="unknown channel type"):
        await start_gateway(db_url, data_dir=tmp_path / "gateway", channels={"x": {"type": "?"}})
