"""Read-side queries on SQLite and PostgreSQL: the feed's pages, the customer card, search,
the operator event stream and idempotency records."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, delete, insert
from sqlalchemy.orm import Session

from services.store import queries, tables
from services.store.models import (
    Conversation,
    ConversationState,
    Customer,
    Identity,
    Product,
    Purchase,
    TimelineEvent,
    Touchpoint,
    utcnow,
)


def _customer(s: Session, name: str, **kw: Any) -> Customer:
    c = Customer(display_name=name, name_search=name.lower(), **kw)
    s.add(c)
    s.flush()
    return c


def _events(s: Session, customer_id: int, n: int, base: datetime, tag: str) -> None:
    s.add_all(
        TimelineEvent(
            customer_id=customer_id,
            kind="message",
            channel="webchat",
            direction="in" if i % 2 else "out",
            body=f"{tag}{i}",
            created_at=base + timedelta(seconds=i),
        )
        for i in range(n)
    )
    s.flush()


# -- the feed ----------------------------------------------------------------------------------


def test_timeline_pages_newest_first_through_the_whole_feed(engine: Engine) -> None:
    base = utcnow() - timedelta(days=2)
    with Session(engine) as s:
        ivan = _customer(s, "Иван")
        other = _customer(s, "Другой")
        # Two customers' feeds interleaved in the table.
        for chunk in range(4):
            _events(s, ivan.id, 30, base + timedelta(hours=chunk), f"i{chunk}-")
            _events(s, other.id, 10, base + timedelta(hours=chunk), f"o{chunk}-")
        s.commit()
        cid, oid = ivan.id, other.id

    with engine.connect() as conn:
        pages: list[list[dict[str, Any]]] = []
        cursor: int | None = None
        while True:
            page = queries.timeline_page(conn, cid, cursor, 50)
            pages.append(page["items"])
            cursor = page["cursor"]
            if cursor is None:
                break
            assert cursor == page["items"][-1]["id"]
            assert len(pages) < 10
        all_ids = [
            r.id
            for r in conn.execute(
                tables.timeline.select()
                .where(tables.timeline.c.customer_id == cid)
                .order_by(tables.timeline.c.id)
            )
        ]
    assert [len(p) for p in pages] == [50, 50, 20]
    seen = [item["id"] for p in pages for item in p]
    assert seen == sorted(all_ids, reverse=True)  # newest first, no gap, no repeat
    bodies = [item["body"] for p in pages for item in p]
    assert bodies == [f"i{c}-{i}" for c in range(3, -1, -1) for i in range(29, -1, -1)]
    first = pages[0][0]
    assert first["customer_id"] == cid and first["channel"] == "webchat"
    assert first["attachments"] == [] and first["extra"] == {}
    assert first["at"].endswith("+00:00")
    assert datetime.fromisoformat(first["at"]) == base + timedelta(hours=3, seconds=29)
    assert all(item["customer_id"] != oid for p in pages for item in p)

    # Edges: exactly two pages' worth, nothing older than the oldest, an empty feed, limit 1.
    with Session(engine) as s:
        c = _customer(s, "Ровно сто")
        _events(s, c.id, 100, utcnow(), "m")
        empty = _customer(s, "Пусто")
        s.commit()
        cid, eid = c.id, empty.id
    with engine.connect() as conn:
        p1 = queries.timeline_page(conn, cid, None, 50)
        p2 = queries.timeline_page(conn, cid, p1["cursor"], 50)
        assert len(p2["items"]) == 50 and p2["cursor"] is None
        oldest = p2["items"][-1]["id"]
        assert queries.timeline_page(conn, cid, oldest, 50) == {"items": [], "cursor": None}
        assert queries.timeline_page(conn, eid, None, 50) == {"items": [], "cursor": None}
        one = queries.timeline_page(conn, cid, None, 1)
        assert len(one["items"]) == 1 and one["cursor"] == one["items"][0]["id"]


# -- the customer card ---------------------------------------------------------------------


def test_customer_card(engine: Engine) -> None:
    now = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
    with Session(engine) as s:
        c = _customer(s, "Ольга Смирнова", segment="vip", last_csat=5)
        stranger = _customer(s, "Чужой")
        s.add_all(
            [
                Identity(customer_id=c.id, kind="phone", value="+79161234567", verified=True),
                Identity(customer_id=c.id, kind="email", value="olga@example.ru"),
                Identity(customer_id=stranger.id, kind="email", value="x@example.ru"),
            ]
        )
        kettle = Product(sku="K-1", name="Чайник", price=2990.0)
        iron = Product(sku="I-1", name="Утюг", price=4990.0)
        s.add_all([kettle, iron])
        s.flush()
        s.add_all(
            [
                Purchase(
                    customer_id=c.id,
                    product_id=kettle.id,
                    order_number="A-1",
                    status="delivered",
                    amount=2990.0,
                    purchased_at=now - timedelta(days=30),
                ),
                Purchase(
                    customer_id=c.id,
                    product_id=iron.id,
                    order_number="A-2",
                    status="returned",
                    amount=4990.0,
                    purchased_at=now - timedelta(days=3),
                ),
                Purchase(
                    customer_id=stranger.id,
                    product_id=iron.id,
                    order_number="B-1",
                    status="delivered",
                    amount=4990.0,
                    purchased_at=now,
                ),
            ]
        )
        s.add_all(
            [
                Touchpoint(
                    customer_id=c.id,
                    channel="email",
                    subject="Возврат",
                    status="open",
                    opened_at=now - timedelta(hours=2),
                ),
                Touchpoint(
                    customer_id=c.id,
                    channel="voice",
                    subject="Доставка",
                    status="closed",
                    opened_at=now - timedelta(days=5),
                    closed_at=now - timedelta(days=5) + timedelta(minutes=7),
                ),
            ]
        )
        for state in ConversationState:
            s.add(
                Conversation(customer_id=c.id, channel="webchat", state=state, subject=state.value)
            )
        s.add(Conversation(customer_id=stranger.id, channel="sms", state="queued"))
        _events(s, c.id, 12, now - timedelta(hours=1), "e")
        s.commit()
        cid = c.id

    with engine.connect() as conn:
        card = queries.customer_card(conn, cid, 5, now)
        assert queries.customer_card(conn, 10_000, 5, now) is None
    assert card is not None
    since = card["customer"].pop("since")
    assert since is not None and since.startswith(str(now.year))  # a customer since when
    assert card["customer"] == {
        "id": cid,
        "name": "Ольга Смирнова",
        "segment": "vip",
        "language": "ru",
        "last_csat": 5,
    }
    assert card["identities"] == [
        {"kind": "phone", "value": "+79161234567", "verified": True, "claimed": False},
        {"kind": "email", "value": "olga@example.ru", "verified": False, "claimed": False},
    ]
    # Newest purchase first, each with its product's name; returned goods are not "owned".
    assert [(p["order"], p["product"], p["sku"], p["status"]) for p in card["purchases"]] == [
        ("A-2", "Утюг", "I-1", "returned"),
        ("A-1", "Чайник", "K-1", "delivered"),
    ]
    assert card["purchases"][1]["amount"] == 2990.0 and card["purchases"][1]["currency"] == "RUB"
    assert card["purchases"][1]["at"] == (now - timedelta(days=30)).isoformat()
    assert card["products"] == ["Чайник"]
    # Touchpoints newest first; an open one's age runs to now, a closed one's to its close.
    assert [(t["subject"], t["status"], t["age_s"]) for t in card["touchpoints"]] == [
        ("Возврат", "open", 2 * 3600),
        ("Доставка", "closed", 7 * 60),
    ]
    assert card["touchpoints"][0]["closed_at"] is None
    assert card["touchpoints"][1]["opened_at"].endswith("+00:00")
    # Only the open conversations, oldest first.
    assert [c["state"] for c in card["open_conversations"]] == [
        "queued",
        "offered",
        "active",
        "held",
        "wrap_up",
    ]
    assert all(c["customer_id"] == cid for c in card["open_conversations"])
    assert [i["body"] for i in card["timeline"]["items"]] == ["e11", "e10", "e9", "e8", "e7"]
    assert card["timeline"]["cursor"] == card["timeline"]["items"][-1]["id"]


# -- search ------------------------------------------------------------------------------------


@pytest.fixture
def people(engine: Engine) -> dict[str, int]:
    names = [
        "Иван Петров",
        "Петра Сидорова",
        "Анна Smith",
        "100% скидка",
        "under_score",
        "Back\\slash",
        "Ёлкина Алёна",
    ]
    with Session(engine) as s:
        ids = {n: _customer(s, n).id for n in names}
        s.add_all(
            [
                Identity(customer_id=ids["Иван Петров"], kind="phone", value="+79161234567"),
                Identity(customer_id=ids["Иван Петров"], kind="email", value="ivan@example.ru"),
                Identity(customer_id=ids["Петра Сидорова"], kind="whatsapp", value="+79035550011"),
                Identity(customer_id=ids["Анна Smith"], kind="email", value="anna@corp.example"),
                Identity(customer_id=ids["Анна Smith"], kind="telegram", value="anna_tg"),
            ]
        )
        s.commit()
    return ids


def test_search_by_exact_phone_and_email(engine: Engine, people: dict[str, int]) -> None:
    with engine.connect() as conn:

        def find(kind: str, value: str) -> list[int]:
            return queries.search_customers(conn, value, kind, value, 10)

        assert find("phone", "+79161234567") == [people["Иван Петров"]]
        # A WhatsApp number is a phone number.
        assert find("phone", "+79035550011") == [people["Петра Сидорова"]]
        assert find("email", "ivan@example.ru") == [people["Иван Петров"]]
        assert find("email", "anna@corp.example") == [people["Анна Smith"]]
        # Exact, not a prefix; and an e-mail is not searched as a phone or the other way round.
        assert find("phone", "+7916123456") == []
        assert find("phone", "+79161234567 ") == []
        assert find("email", "ivan@example") == []
        assert find("phone", "ivan@example.ru") == []
        assert find("email", "+79161234567") == []


def test_search_by_name_substring_ignores_case_and_escapes_wildcards(
    engine: Engine, people: dict[str, int]
) -> None:
    with engine.connect() as conn:

        def find(query: str, limit: int = 10) -> list[int]:
            return queries.search_customers(conn, query, "name", query, limit)

        assert find("ПЕТРОВ") == [people["Иван Петров"]]
        assert find("  петров  ") == [people["Иван Петров"]]
        # Sorted by name: "Иван Петров" before "Петра Сидорова".
        assert find("Петр") == [people["Иван Петров"], people["Петра Сидорова"]]
        assert find("петр", limit=1) == [people["Иван Петров"]]
        assert find("ЁЛКИН") == [people["Ёлкина Алёна"]]
        assert find("алёна") == [people["Ёлкина Алёна"]]
        assert find("SMITH") == [people["Анна Smith"]]
        assert find("Сидоров Петра") == []
        # A name search also looks inside identity values.
        assert find("corp.example") == [people["Анна Smith"]]
        assert find("anna_tg") == [people["Анна Smith"]]

        # LIKE wildcards in a query are text, not patterns.
        assert find("%") == [people["100% скидка"]]
        assert find("0%") == [people["100% скидка"]]
        assert find("%%") == []
        # In a name or in an identity value ("anna_tg"); the order depends on the collation.
        assert sorted(find("_")) == sorted([people["under_score"], people["Анна Smith"]])
        assert find("r_s") == [people["under_score"]]
        assert find("n_a") == []  # "_" is not "any one character"
        assert find("\\") == [people["Back\\slash"]]
        assert find("k\\s") == [people["Back\\slash"]]
        assert find("\\%") == []


def test_search_by_identity_value_ignores_case_on_both_databases(engine: Engine) -> None:
    # A messenger id is kept as given; the needle is lower-cased. PostgreSQL's LIKE is
    # case-sensitive (SQLite's is not, for ASCII): this once found nothing there.
    with Session(engine) as s:
        c = _customer(s, "Олег")
        s.add(Identity(customer_id=c.id, kind="telegram", value="OlegK_1990"))
        s.commit()
        cid = c.id
    with engine.connect() as conn:
        assert queries.search_customers(conn, "OlegK_1990", "name", "OlegK_1990", 10) == [cid]


# -- the operator event stream and idempotency -----------------------------------------------


def test_event_stream_and_idempotency_records(engine: Engine) -> None:
    now = utcnow()
    rows = [
        {"operator_id": op, "seq": seq, "name": f"ev{seq}", "data": {"n": seq, "т": [op]}}
        for op, seqs in ((1, range(1, 11)), (2, range(1, 4)))
        for seq in seqs
    ]
    with engine.begin() as conn:
        conn.execute(insert(tables.operator_events), [dict(r, created_at=now) for r in rows])
    with engine.connect() as conn:
        assert queries.seq_bounds(conn, 1) == (1, 10)
        assert queries.seq_bounds(conn, 2) == (1, 3)
        assert queries.seq_bounds(conn, 3) == (0, 0)

        got = queries.events_after(conn, 1, 6, None, 100)
        assert got == [(s, f"ev{s}", {"n": s, "т": [1]}) for s in (7, 8, 9, 10)]
        assert [s for s, _, _ in queries.events_after(conn, 1, 6, 9, 100)] == [7, 8]
        assert [s for s, _, _ in queries.events_after(conn, 1, 0, None, 3)] == [1, 2, 3]
        assert [s for s, _, _ in queries.events_after(conn, 2, 0, None, 100)] == [1, 2, 3]
        assert queries.events_after(conn, 1, 10, None, 100) == []
        assert queries.events_after(conn, 1, 3, 4, 100) == []
        assert queries.events_after(conn, 3, 0, None, 100) == []

    # Old events pruned: the lower bound moves up, the stream still reads from there.
    with engine.begin() as conn:
        conn.execute(
            delete(tables.operator_events).where(
                tables.operator_events.c.operator_id == 1, tables.operator_events.c.seq <= 4
            )
        )
    with engine.connect() as conn:
        assert queries.seq_bounds(conn, 1) == (5, 10)
        assert [s for s, _, _ in queries.events_after(conn, 1, 0, None, 2)] == [5, 6]

    # Idempotency records: the first result of a command, per operator and key.
    result = {"conversation_id": 42, "items": [{"text": "Привет"}], "ok": True, "none": None}
    with engine.begin() as conn:
        conn.execute(
            insert(tables.idempotency),
            [
                {
                    "operator_id": 1,
                    "key": "k-1",
                    "command": "message.send",
                    "result": result,
                    "created_at": utcnow(),
                },
                {
                    "operator_id": 2,
                    "key": "k-2",
                    "command": "conversation.accept",
                    "result": {},
                    "created_at": utcnow(),
                },
            ],
        )
    with engine.connect() as conn:
        assert queries.idempotent_result(conn, 1, "k-1") == ("message.send", result)
        assert queries.idempotent_result(conn, 2, "k-2") == ("conversation.accept", {})
        # Keys belong to one operator.
        assert queries.idempotent_result(conn, 2, "k-1") is None
        assert queries.idempotent_result(conn, 1, "k-2") is None
        assert queries.idempotent_result(conn, 1, "missing") is None


def test_a_customer_is_new_only_until_a_month_old_or_their_first_rating() -> None:
    from datetime import UTC, datetime, timedelta

    from services.store.queries import effective_segment

    now = datetime.now(UTC)
    assert effective_segment("new", now - timedelta(days=3), None) == "new"
    assert effective_segment("new", now - timedelta(days=90), None) == "standard"
    assert effective_segment("new", now - timedelta(days=3), 4) == "standard", "rated us"
    assert effective_segment("new", (now - timedelta(days=90)).replace(tzinfo=None), None) == (
        "standard"
    ), "SQLite hands times back naive"
    assert effective_segment("vip", now - timedelta(days=900), 5) == "vip"
