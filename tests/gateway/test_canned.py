"""Canned responses over real sockets: who may change which, their bounds, the live
``canned.changed`` frames, versions a desktop caches by, and the command line's import."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from services.admin import AdminError
from services.admin import canned as admin_canned
from services.protocol import canned as wire
from services.store.db import make_engine
from services.store.models import AuditEntry, CannedResponse
from tests.gateway.conftest import RunningGateway
from tests.gateway.test_conversations import rows
from tests.support.opclient import OpClient


async def signed_in(url: str, *users: str) -> list[OpClient]:
    clients = [await OpClient.connect(url, user, user) for user in users]
    assert all(c.auth["type"] == "auth_ok" for c in clients)
    return clients


async def live(c: OpClient, name: str, timeout: float = 10.0, **match: Any) -> dict[str, Any]:
    """The first live frame of that name (whose data matches) not yet taken."""

    def find() -> dict[str, Any] | None:
        for m in c.other:
            if (
                m["type"] == "live"
                and m["name"] == name
                and not m.get("_taken")
                and all(m["data"].get(k) == v for k, v in match.items())
            ):
                m["_taken"] = True
                return m
        return None

    return await c.wait(find, timeout)  # type: ignore[no-any-return]


def lives(c: OpClient, name: str) -> list[dict[str, Any]]:
    return [m for m in c.other if m["type"] == "live" and m["name"] == name]


async def queue_id(c: OpClient, name: str) -> int:
    snap = await c.ok("state.snapshot", key=None)
    return next(q["id"] for q in snap["queues"] if q["name"] == name)


REFUND = {
    "scope": "team",
    "shortcut": "refund",
    "title": "Возврат",
    "language": "ru",
    "text": "{customer.first_name}, деньги по заказу {order.last_number} вернутся за 10 дней.",
}


async def test_team_responses_are_the_supervisors_and_reach_every_desktop_live(
    gateway: RunningGateway,
) -> None:
    lead, a1, a2 = await signed_in(gateway.url, "lead", "a1", "a2")
    refused = await a1.cmd("canned.create", REFUND)
    assert refused["code"] == "forbidden"
    billing = await queue_id(lead, "billing")
    made = await lead.ok("canned.create", {**REFUND, "queue_id": billing})
    response = made["response"]
    assert made["version"] == 1
    assert response["scope"] == "team" and response["owner_id"] is None
    assert response["queue_id"] == billing and response["version"] == 1
    assert response["created_by"] == lead.auth["operator"]["id"]
    # Every connected desktop hears of it, the author's too.
    for c in (lead, a1, a2):
        frame = await live(c, "canned.changed", change="created")
        assert frame["data"] == {
            "scope": "team",
            "version": 1,
            "change": "created",
            "response": response,
        }
    listed = await a1.ok("canned.list", key=None)
    assert listed["team_version"] == 1 and listed["personal_version"] == 0
    assert listed["unchanged"] is False and listed["responses"] == [response]

    # Agents may not change or delete it.
    cid = response["id"]
    for name, args in (
        ("canned.update", {"canned_id": cid, "text": "Другой текст"}),
        ("canned.delete", {"canned_id": cid}),
    ):
        reply = await a1.cmd(name, args)
        assert reply["code"] == "forbidden", reply

    changed = await lead.ok(
        "canned.update", {"canned_id": cid, "version": 1, "title": "Возврат денег"}
    )
    assert changed["version"] == 2
    assert changed["response"]["title"] == "Возврат денег" and changed["response"]["version"] == 2
    frame = await live(a2, "canned.changed", change="updated")
    assert frame["data"]["version"] == 2 and frame["data"]["response"] == changed["response"]
    # An edit made from an older version is refused, saying which is current.
    stale = await lead.cmd("canned.update", {"canned_id": cid, "version": 1, "text": "Старое"})
    assert stale["code"] == "conflict" and stale["details"]["version"] == 2

    gone = await lead.ok("canned.delete", {"canned_id": cid})
    assert gone["version"] == 3
    frame = await live(a1, "canned.changed", change="deleted")
    assert frame["data"]["response"]["id"] == cid
    assert (await a1.ok("canned.list", key=None))["responses"] == []
    again = await lead.cmd("canned.delete", {"canned_id": cid})
    assert again["code"] == "not_found"

    audits = rows(gateway, AuditEntry, target_type="canned_response")
    assert [(a.action, a.operator_id, a.target_id) for a in sorted(audits, key=lambda a: a.id)] == [
        (action, lead.auth["operator"]["id"], str(cid))
        for action in ("canned.create", "canned.update", "canned.delete")
    ]
    assert sorted(audits, key=lambda a: a.id)[1].details["changed"] == ["title"]


async def test_personal_responses_are_their_owners_alone(gateway: RunningGateway) -> None:
    a1, a2, lead = await signed_in(gateway.url, "a1", "a2", "lead")
    thanks = {"scope": "personal", "shortcut": "thanks", "title": "Спасибо", "language": "ru"}
    mine = await a1.ok("canned.create", {**thanks, "text": "Спасибо, {customer.name}!"})
    response = mine["response"]
    assert response["scope"] == "personal"
    assert response["owner_id"] == a1.auth["operator"]["id"]
    frame = await live(a1, "canned.changed", change="created")
    assert frame["data"]["scope"] == "personal" and frame["data"]["version"] == 1
    await asyncio.sleep(0.3)
    assert lives(a2, "canned.changed") == [] and lives(lead, "canned.changed") == []

    # Nobody else sees it or may touch it: not even that it exists.
    assert (await a2.ok("canned.list", key=None))["responses"] == []
    for c in (a2, lead):
        for name, args in (
            ("canned.update", {"canned_id": response["id"], "text": "Чужое"}),
            ("canned.delete", {"canned_id": response["id"]}),
        ):
            reply = await c.cmd(name, args)
            assert reply["code"] == "not_found", reply

    # The same shortcut is another operator's to use, and another language's.
    await a2.ok("canned.create", {**thanks, "text": "Благодарю!"})
    await a1.ok("canned.create", {**thanks, "language": "en", "text": "Thank you!"})
    taken = await a1.cmd("canned.create", {**thanks, "shortcut": "Thanks", "text": "Ещё раз"})
    assert taken["code"] == "conflict" and taken["details"]["canned_id"] == response["id"]

    listed = await a1.ok("canned.list", key=None)
    assert [(r["shortcut"], r["language"]) for r in listed["responses"]] == [
        ("thanks", "ru"),
        ("thanks", "en"),
    ]
    assert listed["cursor"] is None
    assert listed["personal_version"] == 2 and listed["team_version"] == 0
    # A desktop that has these versions cached is told nothing changed.
    cached = {"team_version": 0, "personal_version": 2}
    same = await a1.ok("canned.list", cached, key=None)
    assert same == {**cached, "unchanged": True, "responses": [], "cursor": None}
    await a1.ok("canned.update", {"canned_id": response["id"], "text": "Большое спасибо!"})
    fresh = await a1.ok("canned.list", cached, key=None)
    assert fresh["unchanged"] is False and fresh["personal_version"] == 3
    assert "Большое спасибо!" in [r["text"] for r in fresh["responses"]]
    # A supervisor keeps personal ones of their own beside the team's.
    own = await lead.ok("canned.create", {**thanks, "text": "Спасибо от руководителя"})
    assert own["response"]["owner_id"] == lead.auth["operator"]["id"]
    team = await lead.ok("canned.create", {**thanks, "scope": "team", "text": "Спасибо!"})
    # Pages, by id: the team's and one's own, nobody else's.
    pages, after = [], None
    while True:
        page = await lead.ok("canned.list", {"limit": 1, "after": after}, key=None)
        pages.append([r["id"] for r in page["responses"]])
        after = page["cursor"]
        if after is None:
            break
    assert pages == [[own["response"]["id"]], [team["response"]["id"]]]


async def test_bounds_are_checked_with_clear_errors(
    gateway: RunningGateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    (a1,) = await signed_in(gateway.url, "a1")
    good = {"scope": "personal", "shortcut": "ok", "title": "Ок", "language": "ru", "text": "Ок"}
    cases: list[tuple[dict[str, Any], str, str]] = [
        ({"shortcut": "two words"}, "invalid_args", "bad shortcut"),
        ({"shortcut": "a" * 33}, "invalid_args", "bad shortcut"),
        ({"shortcut": "возврат"}, "invalid_args", "bad shortcut"),
        ({"shortcut": ""}, "invalid_args", "bad shortcut"),
        ({"language": "de"}, "invalid_args", "language"),
        ({"scope": "everyone"}, "invalid_args", "scope"),
        ({"title": "   "}, "invalid_args", "title"),
        ({"title": "т" * 121}, "invalid_args", "title"),
        ({"text": " "}, "invalid_args", "canned text"),
        ({"text": "я" * (wire.MAX_TEXT + 1)}, "invalid_args", "canned text"),
        ({"text": "Привет, {customer.frist_name}"}, "invalid_args", "unknown variable"),
        ({"queue_id": 999}, "not_found", "no queue"),
        ({"colour": "red"}, "invalid_args", "colour"),
    ]
    for change, code, words in cases:
        reply = await a1.cmd("canned.create", {**good, **change})
        assert reply["type"] == "error" and reply["code"] == code, (change, reply)
        assert words in reply["message"], (change, reply)
    unknown = await a1.cmd("canned.create", {**good, "text": "{order.total} и {customer.age}"})
    assert unknown["details"]["variables"] == ["customer.age", "order.total"]
    # Braces that are not a variable's are text like any other; so is every known variable.
    text = "Код {1234}: " + " ".join("{" + name + "}" for name in wire.VARIABLES)
    made = await a1.ok("canned.create", {**good, "shortcut": " Ok-2 ", "text": text})
    assert made["response"]["shortcut"] == "ok-2" and made["response"]["text"] == text
    nothing = await a1.cmd("canned.update", {"canned_id": made["response"]["id"]})
    assert nothing["code"] == "invalid_args"
    # The number of one's own responses is bounded.
    monkeypatch.setattr(wire, "MAX_PERSONAL", 3)
    await a1.ok("canned.create", good)
    await a1.ok("canned.create", {**good, "shortcut": "third"})
    full = await a1.cmd("canned.create", {**good, "shortcut": "fourth"})
    assert full["code"] == "limit_reached" and full["details"] == {"limit": 3}
    assert len(rows(gateway, CannedResponse)) == 3


async def test_a_repeated_key_creates_once_and_announces_once(gateway: RunningGateway) -> None:
    (a1,) = await signed_in(gateway.url, "a1")
    args = {"scope": "personal", "shortcut": "hi", "title": "Hi", "language": "en", "text": "Hi!"}
    first, *repeats = await asyncio.gather(
        *(a1.cmd("canned.create", args, key="same") for _ in range(4))
    )
    assert first["type"] == "result"
    assert all(r["data"] == first["data"] for r in repeats)
    await asyncio.sleep(0.3)
    assert len(rows(gateway, CannedResponse)) == 1
    assert len(lives(a1, "canned.changed")) == 1


async def test_an_import_from_the_command_line_reaches_running_desktops(
    gateway: RunningGateway, db_url: str, tmp_path: Path
) -> None:
    (a1,) = await signed_in(gateway.url, "a1")
    toml = tmp_path / "canned.toml"
    toml.write_text(
        """
[[responses]]
shortcut = "delivery"
language = "ru"
title = "Доставка"
text = "{customer.first_name}, заказ {order.last_number} привезут завтра."

[[responses]]
shortcut = "delivery"
language = "en"
title = "Delivery"
text = "Your order {order.last_number} arrives tomorrow."
queue = "general"
""",
        encoding="utf-8",
    )
    engine = make_engine(db_url)
    try:
        assert await asyncio.to_thread(admin_canned.import_team, engine, toml) == (2, 0)
        frame = await live(a1, "canned.changed", change="reloaded")
        assert frame["data"] == {"scope": "team", "version": 1, "change": "reloaded"}
        listed = await a1.ok("canned.list", key=None)
        assert {(r["language"], r["queue_id"] is not None) for r in listed["responses"]} == {
            ("ru", False),
            ("en", True),
        }
        # The same file again changes nothing; an edited one changes what it edits.
        assert await asyncio.to_thread(admin_canned.import_team, engine, toml) == (0, 0)
        json_file = tmp_path / "canned.json"
        json_file.write_text(
            '{"responses": [{"shortcut": "delivery", "language": "en", "title": "Delivery",'
            ' "text": "Your order arrives tomorrow."}]}',
            encoding="utf-8",
        )
        assert await asyncio.to_thread(admin_canned.import_team, engine, json_file) == (0, 1)
        await live(a1, "canned.changed", change="reloaded", version=2)
        lines = admin_canned.list_team(engine)
        assert lines == ["en  /delivery  Delivery", "ru  /delivery  Доставка"]
        # A bad file is refused as a whole, naming what is wrong.
        json_file.write_text(
            '[{"shortcut": "fine", "language": "en", "title": "Fine", "text": "Fine."},'
            ' {"shortcut": "Bad one", "language": "en", "title": "Bad", "text": "Bad."}]',
            encoding="utf-8",
        )
        with pytest.raises(AdminError, match=r"response 2 \(/Bad one\): bad shortcut"):
            admin_canned.import_team(engine, json_file)
        json_file.write_text(
            '[{"shortcut": "q", "language": "en", "title": "Q", "text": "Q", "queue": "vip"}]',
            encoding="utf-8",
        )
        with pytest.raises(AdminError, match="no queue 'vip'"):
            admin_canned.import_team(engine, json_file)
        assert len(rows(gateway, CannedResponse)) == 2
        audits = rows(gateway, AuditEntry, action="canned.import")
        assert [a.details["added"] for a in audits] == [2, 0, 0]
    finally:
        engine.dispose()
