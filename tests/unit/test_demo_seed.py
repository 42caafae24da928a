from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from itertools import pairwise
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from services.auth import verify_password
from services.demo_seed import AlreadySeeded, feminine_surname, seed_demo, transliterate
from services.domain.canned import check_fields
from services.domain.identity import normalise_email, normalise_identity, normalise_phone
from services.store.db import make_engine, migrate
from services.store.models import (
    CannedResponse,
    Conversation,
    Customer,
    Identity,
    Operator,
    OrderDelivery,
    OrderStatusChange,
    Product,
    Purchase,
    Queue,
    TimelineEvent,
    Touchpoint,
    utcnow,
)

CUSTOMERS = 50
CYRILLIC_NAME = re.compile(r"[А-ЯЁ][а-яё]+ [А-ЯЁ][а-яё]+")


def fresh_engine(directory: Path) -> Engine:
    engine = make_engine(f"sqlite:///{directory}/t.db")
    migrate(engine)
    return engine


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Engine, dict[str, int]]]:
    """One database seeded once for the whole module (argon2 hashing is deliberately slow)."""
    engine = fresh_engine(tmp_path_factory.mktemp("seeded"))
    counts = seed_demo(engine, customers=CUSTOMERS)
    yield engine, counts
    engine.dispose()


@pytest.fixture
def session(seeded: tuple[Engine, dict[str, int]]) -> Iterator[Session]:
    with Session(seeded[0]) as s:
        yield s


def count(session: Session, model: type[object]) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_counts_match_the_database(seeded: tuple[Engine, dict[str, int]], session: Session) -> None:
    _, counts = seeded
    assert counts["operators"] == 4
    assert counts["queues"] == 3
    assert counts["products"] >= 15
    assert counts["customers"] == CUSTOMERS
    models: dict[str, type[object]] = {
        "operators": Operator,
        "queues": Queue,
        "products": Product,
        "customers": Customer,
        "identities": Identity,
        "purchases": Purchase,
        "touchpoints": Touchpoint,
        "timeline_events": TimelineEvent,
        "order_deliveries": OrderDelivery,
        "order_status_history": OrderStatusChange,
        "canned_responses": CannedResponse,
    }
    assert set(counts) == set(models)
    for name, model in models.items():
        assert count(session, model) == counts[name], name
    assert counts["identities"] > CUSTOMERS
    assert counts["purchases"] > 0
    assert count(session, Conversation) == 0


def test_operators(session: Session) -> None:
    ops = {op.username: op for op in session.scalars(select(Operator))}
    assert set(ops) == {"agent", "agent2", "lead", "admin"}
    agent = ops["agent"]
    assert (agent.role, agent.display_name) == ("agent", "Анна Смирнова")
    assert agent.skills == ["general", "sales", "billing"]
    assert agent.capacity == {
        "webchat": 3,
        "email": 5,
        "telegram": 3,
        "whatsapp": 3,
        "sms": 3,
        "voice": 1,
    }
    assert (ops["agent2"].role, ops["agent2"].display_name) == ("agent", "Дмитрий Козлов")
    assert ops["agent2"].skills == ["general", "billing"]
    assert ops["agent2"].capacity == agent.capacity
    assert (ops["lead"].role, ops["lead"].display_name) == ("supervisor", "Елена Волкова")
    assert set(ops["lead"].skills) == {"general", "sales", "billing"}
    assert ops["admin"].role == "admin"
    assert verify_password(agent.password_hash, "agent")
    assert not verify_password(agent.password_hash, "agent2")
    assert len({op.password_hash for op in ops.values()}) == 4


def test_queues(session: Session) -> None:
    queues = {q.name: q for q in session.scalars(select(Queue))}
    assert set(queues) == {"general", "sales", "billing"}
    general, sales, billing = queues["general"], queues["sales"], queues["billing"]
    assert {"webchat", "email", "telegram", "whatsapp", "sms", "voice"} <= set(general.channels)
    assert (general.skills, general.priority, general.sla_seconds, general.hours) == (
        ["general"],
        0,
        60,
        {},
    )
    assert set(sales.channels) == {"webchat", "telegram", "whatsapp"}
    assert (sales.skills, sales.priority, sales.sla_seconds) == (["sales"], 10, 30)
    assert sales.hours["tz"] == "Europe/Moscow"
    for day in ("mon", "tue", "wed", "thu", "fri"):
        assert sales.hours["days"][day] == [["09:00", "21:00"]]
    assert sales.hours["days"]["sat"] == [["10:00", "18:00"]]
    assert "sun" not in sales.hours["days"]
    assert set(billing.channels) == {"email", "voice", "sms"}
    assert (billing.skills, billing.priority, billing.sla_seconds, billing.hours) == (
        ["billing"],
        5,
        120,
        {},
    )


def test_customers(session: Session) -> None:
    now = utcnow()
    customers = list(session.scalars(select(Customer)))
    for c in customers:
        assert CYRILLIC_NAME.fullmatch(c.display_name), c.display_name
        assert c.name_search == c.display_name.lower()
        assert c.segment in {"standard", "premium", "vip", "new"}
        assert c.language == "ru"
        assert c.last_csat is None or 1 <= c.last_csat <= 5
        assert now - timedelta(days=731) < c.created_at < now
        assert c.created_at.tzinfo is not None
    assert len({c.segment for c in customers}) >= 3
    assert len({c.display_name for c in customers}) > CUSTOMERS * 0.9


def test_products(session: Session) -> None:
    products = list(session.scalars(select(Product)))
    assert len({p.sku for p in products}) == len(products)
    for p in products:
        assert p.price > 0
        assert p.category
        assert re.search(r"[а-яё]", p.name, re.IGNORECASE)


def test_identities(session: Session) -> None:
    identities = list(session.scalars(select(Identity)))
    by_kind: dict[str, list[Identity]] = {}
    for identity in identities:
        by_kind.setdefault(identity.kind, []).append(identity)
        assert normalise_identity(identity.kind, identity.value) == identity.value
    assert set(by_kind) == {"phone", "email", "telegram", "whatsapp", "web_visitor"}

    phones = by_kind["phone"]
    assert sorted(Counter(i.customer_id for i in phones).values()) == [1] * CUSTOMERS
    phone_of = {i.customer_id: i.value for i in phones}
    for identity in phones:
        assert re.fullmatch(r"\+79[0-9]{9}", identity.value), identity.value
        assert normalise_phone(identity.value) == identity.value
    verified = sum(i.verified for i in phones) / len(phones)
    assert 0.45 < verified < 0.9
    for identity in by_kind["whatsapp"]:
        assert identity.value == phone_of[identity.customer_id]
    for kind in ("email", "telegram", "whatsapp", "web_visitor"):
        assert not any(i.verified for i in by_kind[kind]), kind

    emails = by_kind["email"]
    assert len(emails) > CUSTOMERS * 0.6
    for identity in emails:
        assert normalise_email(identity.value) == identity.value
        local, domain = identity.value.split("@")
        assert domain in {"gmail.com", "yandex.ru", "mail.ru"}
        assert re.fullmatch(r"[a-z0-9._]+", local)
    pairs = [(i.kind, i.value) for i in identities]
    assert len(pairs) == len(set(pairs))


def test_purchases(session: Session) -> None:
    now = utcnow()
    price = {p.id: p.price for p in session.scalars(select(Product))}
    created = {c.id: c.created_at for c in session.scalars(select(Customer))}
    purchases = list(session.scalars(select(Purchase)))
    per_customer = Counter(p.customer_id for p in purchases)
    assert max(per_customer.values()) <= 6
    for p in purchases:
        assert re.fullmatch(r"ORD-20[0-9]{2}-[0-9]{6}", p.order_number)
        assert p.order_number[4:8] == str(p.purchased_at.year)
        assert p.status in {"paid", "shipped", "delivered", "returned", "cancelled"}
        assert p.amount == price[p.product_id] * p.quantity
        assert p.quantity == 1 or p.quantity == 2
        assert p.currency == "RUB"
        assert created[p.customer_id] <= p.purchased_at < now
    assert len({p.order_number for p in purchases}) == len(purchases)


def test_touchpoints(session: Session) -> None:
    now = utcnow()
    touchpoints = list(session.scalars(select(Touchpoint)))
    open_ones = [t for t in touchpoints if t.status != "closed"]
    assert open_ones
    assert any(t.status == "closed" for t in touchpoints)
    with_open = {t.customer_id for t in open_ones}
    assert 0.15 * CUSTOMERS <= len(with_open) <= 0.7 * CUSTOMERS
    assert max(Counter(t.customer_id for t in open_ones).values()) <= 2
    for t in touchpoints:
        assert t.subject
        assert t.channel in {"webchat", "email", "telegram", "whatsapp", "sms", "voice"}
        assert t.conversation_id is None
        if t.status == "closed":
            assert t.closed_at is not None and t.opened_at < t.closed_at < now
        else:
            assert t.status in {"open", "pending", "escalated"}
            assert t.closed_at is None
            assert now - timedelta(days=20, minutes=1) < t.opened_at < now - timedelta(days=1)


def test_timeline(session: Session) -> None:
    now = utcnow()
    purchases = {p.id: p for p in session.scalars(select(Purchase))}
    events = list(session.scalars(select(TimelineEvent).order_by(TimelineEvent.id)))
    by_customer: dict[int, list[TimelineEvent]] = {}
    for event in events:
        by_customer.setdefault(event.customer_id, []).append(event)
    assert len(by_customer) == CUSTOMERS
    kinds = Counter(e.kind for e in events)
    assert {"message", "email", "call", "purchase"} <= set(kinds)
    channels = {e.channel for e in events if e.kind == "message"}
    assert len(channels) >= 3

    for feed in by_customer.values():
        assert 2 <= len(feed) <= 8
        times = [e.created_at for e in feed]
        assert times == sorted(times) and len(set(times)) == len(times)
        assert times[-1] < now
    for e in events:
        assert e.provider_id is None
        assert e.conversation_id is None
        assert e.body or e.kind == "call"
        if e.direction == "out":
            assert e.delivery == "delivered"
        else:
            assert e.delivery is None
        if e.direction == "in":
            assert re.search(r"[а-яё]", e.body, re.IGNORECASE)
        if e.kind == "email":
            assert e.subject and e.channel == "email"
        if e.kind == "call":
            assert e.channel == "voice"
            assert e.extra["duration_s"] >= 0
            assert e.extra["disposition"]
        if e.kind == "purchase":
            purchase = purchases[e.extra["purchase_id"]]
            assert purchase.customer_id == e.customer_id
            assert purchase.order_number == e.extra["order_number"]
            assert purchase.order_number in e.subject
            assert abs(purchase.purchased_at - e.created_at) < timedelta(seconds=10)


def test_team_canned_responses(session: Session) -> None:
    """Every demo response passes the gateway's own checks, in Russian and in English alike."""
    rows = session.scalars(select(CannedResponse)).all()
    assert {(r.scope, r.owner_id) for r in rows} == {("team", 0)}
    by_language: dict[str, set[str]] = {}
    for r in rows:
        fields = check_fields(r.shortcut, r.title, r.language, r.text)
        assert (fields.shortcut, fields.title, fields.text) == (r.shortcut, r.title, r.text)
        by_language.setdefault(r.language, set()).add(r.shortcut)
    assert by_language["ru"] == by_language["en"] and len(by_language["ru"]) >= 5
    billing = session.scalars(select(Queue.id).where(Queue.name == "billing")).one()
    assert {r.shortcut for r in rows if r.queue_id is not None} == {"refund"}
    assert {r.queue_id for r in rows if r.queue_id is not None} == {billing}


def test_seeding_twice_is_refused(seeded: tuple[Engine, dict[str, int]]) -> None:
    engine, counts = seeded
    with pytest.raises(AlreadySeeded, match="agent"):
        seed_demo(engine, customers=5)
    with Session(engine) as s:
        assert count(s, Customer) == counts["customers"]
        assert count(s, Operator) == counts["operators"]
    assert issubclass(AlreadySeeded, RuntimeError)


def snapshot(engine: Engine) -> tuple[list[str], list[tuple[str, str]], list[str], list[str]]:
    with Session(engine) as s:
        names = list(s.scalars(select(Customer.display_name).order_by(Customer.id)))
        rows = s.execute(select(Identity.kind, Identity.value).order_by(Identity.id))
        identities = [(kind, value) for kind, value in rows]
        orders = list(s.scalars(select(Purchase.order_number).order_by(Purchase.id)))
        bodies = list(s.scalars(select(TimelineEvent.body).order_by(TimelineEvent.id)))
    return names, identities, orders, bodies


def test_seeding_is_deterministic(seeded: tuple[Engine, dict[str, int]], tmp_path: Path) -> None:
    first, counts = seeded
    second = fresh_engine(tmp_path)
    try:
        assert seed_demo(second, customers=CUSTOMERS) == counts
        assert snapshot(second) == snapshot(first)
    finally:
        second.dispose()


def test_another_seed_gives_other_people(tmp_path: Path) -> None:
    a = fresh_engine(tmp_path / "a")
    b = fresh_engine(tmp_path / "b")
    try:
        seed_demo(a, customers=10, seed=1)
        seed_demo(b, customers=10, seed=2)
        assert snapshot(a)[0] != snapshot(b)[0]
    finally:
        a.dispose()
        b.dispose()


@pytest.mark.parametrize(
    ("masculine", "feminine"),
    [
        ("Иванов", "Иванова"),
        ("Соловьёв", "Соловьёва"),
        ("Васильев", "Васильева"),
        ("Ильин", "Ильина"),
        ("Вишневский", "Вишневская"),
        ("Белецкий", "Белецкая"),
        ("Толстой", "Толстая"),
        ("Шевчук", "Шевчук"),
        ("Ткаченко", "Ткаченко"),
        ("Ким", "Ким"),
    ],
)
def test_feminine_surname(masculine: str, feminine: str) -> None:
    assert feminine_surname(masculine) == feminine


def test_transliterate() -> None:
    assert transliterate("Фёдор Соловьёв") == "fedor solovev"
    assert transliterate("Юлия Щербакова") == "yuliya shcherbakova"


def test_orders_have_a_delivery_and_a_history_in_time_order(session: Session) -> None:
    now = utcnow()
    goods = {"Смартфоны", "Оборудование", "Гаджеты", "Аксессуары"}
    category = {p.id: p.category for p in session.scalars(select(Product))}
    purchases = list(session.scalars(select(Purchase)))
    deliveries = {d.order_number: d for d in session.scalars(select(OrderDelivery))}
    steps: dict[str, list[OrderStatusChange]] = {}
    for change in session.scalars(select(OrderStatusChange).order_by(OrderStatusChange.at)):
        steps.setdefault(change.order_number, []).append(change)
    for p in purchases:
        history = steps[p.order_number]
        statuses = [h.status for h in history]
        assert statuses[0] == "created" and statuses[-1] == p.status
        assert all(h.note for h in history)
        assert history[0].at == p.purchased_at
        assert all(a.at < b.at for a, b in pairwise(history))
        assert history[-1].at < now
        if p.status == "delivered":
            assert statuses == ["created", "paid", "shipped", "delivered"]
        shipped = category[p.product_id] in goods
        assert (p.order_number in deliveries) == shipped
        if shipped:
            d = deliveries[p.order_number]
            assert d.method in {"courier", "pickup_point", "post"}
            assert d.carrier and re.search(r"г\. [А-Я]", d.address)
            if d.tracking:  # a tracking number once it was handed to a carrier
                assert "shipped" in statuses
    assert any(h.status == "delivered" for hs in steps.values() for h in hs)
