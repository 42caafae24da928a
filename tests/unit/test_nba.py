"""Next-best-action engine: rules and reasons, the hard filters, Thompson learning, top 3."""

from __future__ import annotations

import math
import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from services import nba

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
CONV = 7


def ago(**kw: float) -> str:
    return (NOW - timedelta(**kw)).isoformat()


def card(
    *,
    segment: str = "standard",
    csat: int | None = 5,
    identities: tuple[str, ...] = ("web_visitor",),
    purchases: list[dict[str, Any]] | None = None,
    touchpoints: list[dict[str, Any]] | None = None,
    conversation: tuple[str, str] | None = ("webchat", "Здравствуйте"),
    timeline: list[dict[str, Any]] | None = None,
    language: str = "ru",
) -> dict[str, Any]:
    """A customer card as ``customer.open`` returns it (the fields the rules read)."""
    convs = []
    items = list(timeline or [])
    if conversation is not None:
        channel, text = conversation
        convs.append({"id": CONV, "channel": channel, "subject": text.splitlines()[0][:300]})
        items.insert(
            0,
            {
                "conversation_id": CONV,
                "direction": "in",
                "channel": channel,
                "body": text,
                "at": ago(minutes=2),
            },
        )
    return {
        "customer": {
            "id": 1,
            "name": "Пётр",
            "segment": segment,
            "language": language,
            "last_csat": csat,
        },
        "identities": [{"kind": k, "value": f"{k}-1", "verified": True} for k in identities],
        "purchases": purchases
        if purchases is not None
        else [
            {"order": "A-0", "product": "Утюг", "status": "delivered", "at": ago(days=200)},
        ],
        "touchpoints": touchpoints or [],
        "open_conversations": convs,
        "timeline": {"items": items, "cursor": None},
    }


def touchpoint(subject: str, days: float, status: str = "open") -> dict[str, Any]:
    return {"channel": "email", "subject": subject, "status": status, "age_s": int(days * 86400)}


def purchase(order: str, product: str, status: str, days: float) -> dict[str, Any]:
    return {"order": order, "product": product, "status": status, "at": ago(days=days)}


def engine(seed: int = 1) -> nba.NextBestAction:
    return nba.NextBestAction(rng=random.Random(seed))


def ctx(
    conversation_id: int | None = CONV, history: list[nba.PastOutcome] | None = None
) -> nba.Context:
    return nba.Context(NOW, conversation_id, history or [])


def candidates(c: dict[str, Any], context: nba.Context | None = None) -> dict[str, nba.Candidate]:
    return {x.action.id: x for x in engine().candidates(c, context or ctx())}


# -- rules -----------------------------------------------------------------------------------------


def test_a_busy_card_makes_every_candidate_with_a_reason_naming_its_facts() -> None:
    c = card(
        segment="vip",
        csat=2,
        identities=("web_visitor", "telegram", "email"),
        purchases=[
            purchase("A-1", "Чайник", "returned", 5),
            purchase("A-2", "Тостер", "delivered", 6),
        ],
        touchpoints=[touchpoint("Не пришёл заказ", 12.3)],
        conversation=("webchat", "Где мой заказ?"),
        timeline=[
            {
                "conversation_id": 3,
                "direction": "in",
                "channel": "telegram",
                "body": "Заказ так и не пришёл",
                "at": ago(days=1),
            }
        ],
    )
    got = candidates(c)
    assert set(got) == {
        "follow_up",
        "escalate",
        "offer_replacement",
        "ask_feedback",
        "apologise",
        "goodwill",
        "priority_handling",
        "recommend_channel",
        "channel_switch",
    }
    assert got["follow_up"].reason.ru == "Обращение «Не пришёл заказ» открыто 12 дней"
    assert got["follow_up"].reason.en == "Case “Не пришёл заказ” has been open for 12 days"
    assert "«Не пришёл заказ»" in got["follow_up"].text.ru
    assert got["escalate"].reason.ru.endswith("дольше 7 дней")
    assert (
        got["offer_replacement"].reason.ru == "Заказ A-1 (Чайник) возвращён; оформлен 5 дней назад"
    )
    assert "A-1 (Чайник) возвращён" in got["offer_replacement"].text.ru
    assert got["ask_feedback"].reason.ru == "Заказ A-2 (Тостер) доставлен; оформлен 6 дней назад"
    assert got["apologise"].reason.ru == "Последняя оценка клиента — 2 из 5"
    assert got["priority_handling"].reason.ru == "Клиент из сегмента VIP"
    rec = got["recommend_channel"]
    assert "Вопрос о доставке («Где мой заказ?»)" in rec.reason.ru
    assert "Telegram" in rec.reason.ru and "веб-чат" in rec.reason.ru
    assert "в Telegram" in rec.text.ru
    switch = got["channel_switch"]
    assert switch.reason.ru == "За 3 дня клиент писал в 2 каналах: веб-чат, Telegram"
    assert "«Заказ так и не пришёл»" in switch.text.ru
    # Every candidate explains itself in both languages, and its template is filled in.
    for x in got.values():
        assert x.reason.ru and x.reason.en and "{" not in x.text.ru + x.text.en


def test_a_quiet_customer_gets_no_candidates() -> None:
    assert candidates(card()) == {}


def test_touchpoints_younger_than_n_days_or_closed_are_left_alone() -> None:
    c = card(
        touchpoints=[
            touchpoint("Вчерашний вопрос", 1),
            touchpoint("Старый закрытый", 40, status="closed"),
        ]
    )
    assert candidates(c) == {}
    young = candidates(card(touchpoints=[touchpoint("Где посылка", 4)]))
    assert set(young) == {"follow_up"}  # older than N (3) days; escalation only after 7
    assert young["follow_up"].reason.ru == "Обращение «Где посылка» открыто 4 дня"


def test_an_escalated_case_asks_for_a_follow_up_and_an_escalation() -> None:
    got = candidates(card(touchpoints=[touchpoint("Брак", 5, "escalated"), touchpoint("Счёт", 4)]))
    assert set(got) == {"follow_up", "escalate"}
    assert got["escalate"].reason.ru == (
        "Обращение «Брак» эскалировано и ждёт 5 дней; ещё открытых: 1"
    )


def test_old_returns_and_deliveries_are_not_news() -> None:
    c = card(
        purchases=[
            purchase("B-1", "Плед", "cancelled", 90),
            purchase("B-2", "Лампа", "delivered", 45),
        ]
    )
    assert candidates(c) == {}
    fresh = candidates(card(purchases=[purchase("B-3", "Плед", "cancelled", 2)]))
    # A cancelled order is not a purchase yet: nothing bought, so a welcome offer too.
    assert set(fresh) == {"offer_replacement", "welcome_offer"}
    assert (
        fresh["offer_replacement"].reason.en == "Order B-3 (Плед) was cancelled; placed 2 days ago"
    )


def test_a_new_customer_gets_a_welcome_offer() -> None:
    got = candidates(card(segment="new", purchases=[]))
    assert got["welcome_offer"].reason.ru == "Новый клиент, покупок ещё нет"
    assert got["welcome_offer"].reason.en == "A new customer; nothing bought yet"


def test_the_best_channel_for_the_question() -> None:
    long_question = "Добрый день. " + "Подробно опишу ситуацию с заказом и оплатой. " * 12
    got = candidates(
        card(identities=("web_visitor", "email"), conversation=("webchat", long_question))
    )
    rec = got["recommend_channel"]
    assert rec.reason.ru.startswith(f"Длинный вопрос ({len(long_question.strip())} знаков)")
    assert "по e-mail" in rec.text.ru
    docs = candidates(
        card(identities=("phone", "email"), conversation=("voice", "Нужен договор и акт"))
    )
    assert "Вопрос о документах" in docs["recommend_channel"].reason.ru
    # A phone number reaches SMS (and WhatsApp): a delivery question on a call goes there.
    sms = candidates(card(identities=("phone",), conversation=("voice", "Когда доставка?")))
    assert "клиент доступен в WhatsApp" in sms["recommend_channel"].reason.ru
    # Already on a good channel, or not reachable on a better one: no recommendation.
    assert "recommend_channel" not in candidates(
        card(identities=("telegram",), conversation=("telegram", "Где мой заказ?"))
    )
    assert "recommend_channel" not in candidates(card(conversation=("webchat", "Где курьер?")))
    assert "recommend_channel" not in candidates(card(conversation=None))


def test_texts_follow_the_customers_language() -> None:
    c = card(segment="vip", language="en")
    (hint,) = engine().decide(c, ctx()).hints
    assert hint.text.startswith("Your question is a priority")
    assert hint.title == "Приоритетное обслуживание"  # the operator's language
    assert hint.reason == "Клиент из сегмента VIP"
    en = engine().decide(c, nba.Context(NOW, CONV, [], lang="en")).hints[0]
    assert en.title == "Priority handling" and en.reason == "A VIP customer"


def test_days_in_russian() -> None:
    assert [nba.days_text(n).ru for n in (1, 2, 5, 11, 12, 21, 22, 25, 111)] == [
        "1 день",
        "2 дня",
        "5 дней",
        "11 дней",
        "12 дней",
        "21 день",
        "22 дня",
        "25 дней",
        "111 дней",
    ]
    assert nba.days_text(1).en == "1 day" and nba.days_text(3).en == "3 days"


# -- hard filters ----------------------------------------------------------------------------------


def test_filters_run_eligibility_applicability_suitability() -> None:
    e = engine()
    # Eligibility: a VIP with no purchases is not offered the welcome discount.
    vip = e.decide(card(segment="vip", purchases=[]), ctx())
    assert vip.dropped == {"welcome_offer": "eligibility"}
    assert [h.action.id for h in vip.hints] == ["priority_handling"]
    # Applicability: a channel switch needs a conversation to summarise it in.
    switching = card(
        conversation=None,
        timeline=[
            {"direction": "in", "channel": "telegram", "body": "Алло", "at": ago(hours=5)},
            {"direction": "in", "channel": "email", "body": "Пишу", "at": ago(hours=9)},
        ],
    )
    assert e.decide(switching, ctx(None)).dropped == {"channel_switch": "applicability"}
    # Suitability: no feedback request or sales offer while the customer is unhappy.
    unhappy = card(
        csat=1,
        purchases=[purchase("C-1", "Кофеварка", "delivered", 3)],
    )
    d = e.decide(unhappy, ctx())
    assert d.dropped == {"ask_feedback": "suitability"}
    assert {h.action.id for h in d.hints} == {"apologise", "goodwill"}
    stale = card(segment="new", purchases=[], touchpoints=[touchpoint("Где заказ", 10)])
    assert e.decide(stale, ctx()).dropped == {"welcome_offer": "suitability"}


def test_a_channel_that_does_not_fit_drops_the_action(monkeypatch: pytest.MonkeyPatch) -> None:
    no_calls = replace(nba.BY_ID["priority_handling"], fit={"voice": 0.0})
    monkeypatch.setitem(nba.BY_ID, "priority_handling", no_calls)
    on_a_call = engine().decide(card(segment="vip", conversation=("voice", "Алло")), ctx())
    assert on_a_call.dropped == {"priority_handling": "suitability"}
    assert engine().decide(card(segment="vip"), ctx()).hints[0].action is no_calls


def past(action: str, outcome: str, conversation_id: int | None, **age: float) -> nba.PastOutcome:
    return nba.PastOutcome(action, outcome, conversation_id, NOW - timedelta(**age))


def test_an_action_answered_in_this_conversation_never_comes_back_in_it() -> None:
    c = card(touchpoints=[touchpoint("Не пришёл заказ", 12)])
    e = engine()
    first = e.decide(c, ctx())
    assert {h.action.id for h in first.hints} == {"follow_up", "escalate"}
    dismissed = [past("follow_up", "dismissed", CONV, minutes=1)]
    again = e.decide(c, ctx(history=dismissed))
    assert [h.action.id for h in again.hints] == ["escalate"]
    assert again.dropped == {"follow_up": "suppression"}
    # ... but in another conversation it may be shown again.
    other = e.decide(c, ctx(CONV + 1, history=dismissed))
    assert "follow_up" in {h.action.id for h in other.hints}
    # Without a conversation, "this interaction" is the last few hours.
    loose = [past("follow_up", "dismissed", None, hours=1)]
    assert e.decide(c, ctx(None, loose)).dropped == {"follow_up": "suppression"}
    old = [past("follow_up", "dismissed", None, hours=20)]
    assert e.decide(c, ctx(None, old)).dropped == {}


def test_three_dismissals_in_seven_days_pause_the_action() -> None:
    c = card(touchpoints=[touchpoint("Не пришёл заказ", 12)])
    e = engine()
    two = [past("follow_up", "dismissed", 100 + i, days=i + 1) for i in range(2)]
    assert "follow_up" not in e.decide(c, ctx(history=two)).dropped
    three = [*two, past("follow_up", "dismissed", 200, days=6)]
    assert e.decide(c, ctx(history=three)).dropped == {"follow_up": "suppression"}
    # Older than the window, or accepted, does not count.
    stale = [*two, past("follow_up", "dismissed", 200, days=8)]
    assert "follow_up" not in e.decide(c, ctx(history=stale)).dropped
    accepted = [*two, past("follow_up", "accepted", 200, days=2)]
    assert "follow_up" not in e.decide(c, ctx(history=accepted)).dropped


# -- learning --------------------------------------------------------------------------------------


def test_the_prior_is_the_groups_rate_worth_ten_responses() -> None:
    e = engine()
    a0, b0 = e.prior(nba.BY_ID["escalate"])
    assert (a0, b0) == pytest.approx((nba.PRIOR_STRENGTH * nba.BASE_RATE, 7.0))
    assert a0 + b0 == pytest.approx(10.0)
    # Its sibling in the "service" group does well: escalate starts from that rate...
    e.stats.record("follow_up", "accepted", 40)
    e.stats.record("follow_up", "dismissed", 10)
    rate = (40 + 3) / (50 + 10)
    assert e.group_rate("service") == pytest.approx(rate)
    assert e.prior(nba.BY_ID["escalate"]) == pytest.approx((10 * rate, 10 * (1 - rate)))
    # ... while another group's actions do not move.
    assert e.prior(nba.BY_ID["apologise"]) == pytest.approx((3.0, 7.0))
    # The posterior adds the action's own answers to its prior.
    a, b = e.posterior(nba.BY_ID["follow_up"])
    assert (a, b) == pytest.approx((10 * rate + 40, 10 * (1 - rate) + 10))
    # An ignored hint counts as a fraction of a dismissal.
    e.stats.record("goodwill", "ignored", 10)
    assert e.stats.pos_neg("goodwill") == (0.0, pytest.approx(10 * nba.IGNORED_WEIGHT))
    with pytest.raises(ValueError):
        e.stats.record("goodwill", "maybe")


def test_samples_concentrate_around_the_observed_rate() -> None:
    e = engine(3)
    e.stats.record("apologise", "accepted", 160)
    e.stats.record("apologise", "dismissed", 40)
    samples = [e.sample(nba.BY_ID["apologise"]) for _ in range(400)]
    mean = sum(samples) / len(samples)
    assert 0.74 < mean < 0.82
    assert sum(abs(s - 0.78) < 0.08 for s in samples) / len(samples) > 0.9


def test_learning_lifts_the_accepted_action_above_the_dismissed_one() -> None:
    c = card(csat=2)  # apologise (V 0.8) and goodwill (V 1.5), same boosts
    before = [engine(seed).decide(c, ctx()).hints[0].action.id for seed in range(200)]
    # Unlearned, the higher value mostly wins.
    assert before.count("goodwill") > before.count("apologise")
    after = []
    for seed in range(200):
        e = engine(seed)
        e.stats.record("apologise", "accepted", 60)
        e.stats.record("goodwill", "dismissed", 60)
        after.append(e.decide(c, ctx()).hints[0].action.id)
    assert after.count("apologise") == 200


def test_the_same_seed_makes_the_same_decision() -> None:
    c = card(
        segment="vip",
        csat=2,
        purchases=[purchase("A-1", "Чайник", "returned", 5)],
        touchpoints=[touchpoint("Не пришёл заказ", 12)],
    )
    one = [(h.action.id, h.p_sample) for h in engine(42).decide(c, ctx()).hints]
    two = [(h.action.id, h.p_sample) for h in engine(42).decide(c, ctx()).hints]
    assert one == two
    others = {tuple(h.action.id for h in engine(s).decide(c, ctx()).hints) for s in range(30)}
    assert len(others) > 1  # exploration: other seeds try other orders


# -- the result ------------------------------------------------------------------------------------


def test_top_three_with_scores_reasons_and_explanations() -> None:
    c = card(
        segment="vip",
        csat=2,
        purchases=[purchase("A-1", "Чайник", "returned", 5)],
        touchpoints=[touchpoint("Не пришёл заказ", 12)],
    )
    e = engine(5)
    d = e.decide(c, ctx())
    assert len(e.candidates(c, ctx())) == 7
    assert d.dropped == {"welcome_offer": "eligibility"}
    assert [h.rank for h in d.hints] == [1, 2, 3]
    views = d.views()
    assert len({v["hint_id"] for v in views}) == 3
    scores = [v["score"] for v in views]
    assert scores == sorted(scores, reverse=True)
    for v, h in zip(views, d.hints, strict=True):
        assert set(v) == {
            "hint_id",
            "action",
            "group",
            "rank",
            "title",
            "text",
            "reason",
            "score",
            "p",
            "explain",
        }
        assert v["reason"] and v["title"] and v["text"]
        # log π = log p̃ + log V + log C: the parts add up to the score...
        logs = {x.factor: 0.0 for x in h.parts}
        for x in h.parts:
            logs[x.factor] += x.log
        assert logs["propensity"] == pytest.approx(math.log(h.p_sample))
        assert logs["value"] == pytest.approx(math.log(h.action.value))
        assert sum(logs.values()) == pytest.approx(h.log_score)
        assert v["score"] == pytest.approx(math.exp(h.log_score), abs=1e-6)
        # ... and the card shows the largest of them.
        shown = [abs(x["log"]) for x in v["explain"]]
        assert 1 <= len(shown) <= 3 and shown == sorted(shown, reverse=True)
        assert (
            min(shown)
            >= max((abs(x.log) for x in h.parts if x not in h.explain), default=0.0) - 1e-3
        )
    # The context boosts are labelled with what they stand for.
    follow = e.decide(c, ctx())
    labels = [x.label for h in follow.hints for x in h.parts if x.factor == "context"]
    assert labels
    escalate = next(x for x in e.candidates(c, ctx()) if x.action.id == "escalate")
    assert [b.label.ru for b in escalate.boosts] == ["на 9 дней дольше срока"]
    assert all("(+" in label for label in labels)
