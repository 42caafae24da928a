"""Next-best-action hints beside the customer card: drawn from CRM status, explained, learning.

The shape follows the usual decisioning engines, scaled to one gateway:

1. **Catalogue** (:data:`CATALOGUE`): each action has a group, a title and a template the
   operator may send (Russian and English), a business value V and a channel fit.
2. **Candidates** come from rules over the customer card (:data:`RULES`): old open or escalated
   touchpoints, a returned or cancelled purchase, a recent delivery, a low last CSAT, the
   segment, a better channel for the current question, several channels used at once. Each
   candidate carries a *reason*: a short sentence naming the facts it was made from.
3. **Hard filters**, in order: eligibility (who may get the action at all) -> applicability (does
   the context it needs exist) -> suitability (is it appropriate now: no selling to an unhappy
   customer, no action on a channel it does not fit) -> suppression (an action answered in this
   conversation never comes back in it; one dismissed three times in seven days is paused).
4. **Arbitration in log space**: ``log π = log p̃ + log V + log C + log F``. p̃ is a Thompson
   sample from ``Beta(α0 + accepted, β0 + dismissed)``; the prior is empirical Bayes, the rate of
   the action's group worth :data:`PRIOR_STRENGTH` pseudo-responses, so a new action starts from
   what its siblings earned instead of a flat 0.5. C = 1 + Σ context boosts / 100; F = channel
   fit. The top :data:`MAX_HINTS` are returned with their largest contributions ("explain").

The engine (everything above :func:`load_counts`) is pure: it reads a card dict and returns
hints. The functions at the end read and write the decision log for the hub.
"""

from __future__ import annotations

import math
import random
import re
import secrets
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import Connection, func, select

from services.protocol.channels import CHANNELS
from services.store import tables
from services.store.writer import WriteBatch

# --- tunables ------------------------------------------------------------------------------------
MAX_HINTS = 3
EXPLAIN_TOP = 3  # contributions shown per hint
FOLLOW_UP_AFTER = timedelta(days=3)  # an open touchpoint older than this wants a follow-up
ESCALATE_AFTER = timedelta(days=7)  # ... and older than this, an escalation
REPLACEMENT_WINDOW = timedelta(days=60)  # a returned/cancelled order this recent
FEEDBACK_WINDOW = timedelta(days=30)  # a delivered order this recent
LOW_CSAT = 2  # last CSAT at or below this is "unhappy"
CHANNEL_SWITCH_WINDOW = timedelta(days=3)
LONG_QUESTION = 400  # characters: answer by e-mail
# Suppression: an action dismissed this often for a customer within the window is paused.
FATIGUE_DISMISSALS = 3
FATIGUE_WINDOW = timedelta(days=7)
# Without a conversation, "this interaction" is this long.
INTERACTION_WINDOW = timedelta(hours=12)
# Learning: the prior is worth this many responses; an action nobody answered yet starts here.
PRIOR_STRENGTH = 10.0
BASE_RATE = 0.3
IGNORED_WEIGHT = 0.3  # an ignored hint counts as this much of a dismissal
# Context boosts by segment (Pega's C): (segment, action group) -> +percent.
SEGMENT_BOOSTS: dict[tuple[str, str], float] = {
    ("vip", "retention"): 50.0,
    ("vip", "service"): 30.0,
    ("premium", "retention"): 25.0,
    ("premium", "service"): 15.0,
}
OUTCOMES = ("accepted", "dismissed", "ignored")

TOUCHPOINT_OPEN = ("open", "pending", "escalated")
CUSTOMER_LANGUAGES = ("ru", "en")

# Which identity a customer is reached by on a channel: the one channel table.
REACH: dict[str, tuple[str, ...]] = {name: spec.reaches for name, spec in CHANNELS.items()}


class Text(NamedTuple):
    """One phrase in Russian and English."""

    ru: str
    en: str

    def get(self, lang: str) -> str:
        return self.en if lang == "en" else self.ru


CHANNEL_NAME = {
    "webchat": Text("веб-чат", "web chat"),
    "email": Text("e-mail", "e-mail"),
    "telegram": Text("Telegram", "Telegram"),
    "whatsapp": Text("WhatsApp", "WhatsApp"),
    "sms": Text("SMS", "SMS"),
    "voice": Text("телефон", "phone"),
    "visit": Text("визит", "visit"),
}
CHANNEL_WHERE = {
    "webchat": Text("в чате на сайте", "in the web chat"),
    "email": Text("по e-mail", "by e-mail"),
    "telegram": Text("в Telegram", "on Telegram"),
    "whatsapp": Text("в WhatsApp", "on WhatsApp"),
    "sms": Text("по SMS", "by SMS"),
    "voice": Text("по телефону", "by phone"),
    "visit": Text("при визите", "in person"),
}


# --- catalogue -----------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Action:
    id: str
    group: str
    title: Text
    template: Text  # what the operator may send; ``{fields}`` come from the rule
    value: float  # business value V
    # Channel fit F: a multiplier per channel of the conversation (missing: 1.0); 0 = unsuitable.
    fit: Mapping[str, float] = field(default_factory=dict)
    # Eligibility: the segments that may get it (None: everybody).
    segments: frozenset[str] | None = None
    # Applicability: needs a current conversation (its channel, its question).
    needs_conversation: bool = False
    # Suitability: not while the customer is unhappy (low CSAT, an old open or escalated case).
    not_when_unhappy: bool = False


CATALOGUE: tuple[Action, ...] = (
    Action(
        "follow_up",
        "service",
        Text("Сообщить статус обращения", "Follow up on the open case"),
        Text(
            "Здравствуйте! Пишу по вашему обращению «{subject}»: мы о нём помним. Сейчас проверю "
            "статус и вернусь с ответом.",
            "Hello! About your request “{subject}”: we have not forgotten it. I am checking its "
            "status and will come back to you shortly.",
        ),
        1.0,
    ),
    Action(
        "escalate",
        "service",
        Text("Эскалировать: поторопить решение", "Escalate: chase the resolution"),
        Text(
            "Ваше обращение «{subject}» передано старшему специалисту с пометкой «срочно» — "
            "ответим в течение рабочего дня.",
            "Your request “{subject}” has gone to a senior specialist marked urgent: you will "
            "have an answer within one working day.",
        ),
        1.2,
    ),
    Action(
        "offer_replacement",
        "retention",
        Text("Предложить замену заказа", "Offer a replacement"),
        Text(
            "Вижу, что заказ {order} ({product}) {status}. Можем подобрать замену или оформить "
            "его заново — подсказать варианты?",
            "I see order {order} ({product}) was {status}. We can find a replacement or place it "
            "again: shall I suggest some options?",
        ),
        2.0,
    ),
    Action(
        "ask_feedback",
        "feedback",
        Text("Попросить оценку покупки", "Ask for feedback (CSAT)"),
        Text(
            "Как вам {product} из заказа {order}? Оцените, пожалуйста, покупку от 1 до 5 — "
            "это займёт минуту.",
            "How do you like the {product} from order {order}? Please rate it from 1 to 5: it "
            "takes a minute.",
        ),
        0.6,
        fit={"voice": 0.5},
        not_when_unhappy=True,
    ),
    Action(
        "apologise",
        "retention",
        Text("Извиниться за прошлый опыт", "Apologise for last time"),
        Text(
            "Простите, что в прошлый раз мы вас разочаровали. Я прослежу, чтобы сейчас всё "
            "прошло как следует.",
            "I am sorry we let you down last time. I will make sure everything goes right this "
            "time.",
        ),
        0.8,
    ),
    Action(
        "goodwill",
        "retention",
        Text("Жест доброй воли: промокод −10 %", "Goodwill gesture: 10 % off"),
        Text(
            "В знак извинения дарим вам промокод SORRY10: скидка 10 % на следующий заказ.",
            "As an apology, here is the code SORRY10: 10 % off your next order.",
        ),
        1.5,
        fit={"voice": 0.8},
    ),
    Action(
        "priority_handling",
        "loyalty",
        Text("Приоритетное обслуживание", "Priority handling"),
        Text(
            "Ваш вопрос в приоритете: я веду его лично, без переключений на других специалистов.",
            "Your question is a priority: I am handling it personally, with no hand-offs.",
        ),
        1.0,
        segments=frozenset({"vip", "premium"}),
    ),
    Action(
        "welcome_offer",
        "sales",
        Text("Приветственное предложение", "Welcome offer"),
        Text(
            "Рады знакомству! На первый заказ действует скидка 5 % по промокоду WELCOME.",
            "Nice to meet you! Your first order gets 5 % off with the code WELCOME.",
        ),
        1.2,
        fit={"voice": 0.7},
        segments=frozenset({"new", "standard"}),
        not_when_unhappy=True,
    ),
    Action(
        "recommend_channel",
        "channel",
        Text("Предложить более удобный канал", "Recommend a better channel"),
        Text(
            "Чтобы вам было удобнее, могу продолжить {where}: {why}. Вам подходит?",
            "To make it easier, I can continue {where}: {why}. Does that suit you?",
        ),
        0.7,
        needs_conversation=True,
    ),
    Action(
        "channel_switch",
        "channel",
        Text("Резюмировать сказанное в других каналах", "Summarise the other channels"),
        Text(
            "Я вижу всё, что вы нам писали ({channels}), повторять не нужно. Коротко: {summary}. "
            "Продолжим отсюда.",
            "I can see everything you wrote to us ({channels}), no need to repeat it. In short: "
            "{summary}. Let us continue from here.",
        ),
        0.9,
        needs_conversation=True,
    ),
)
BY_ID: dict[str, Action] = {a.id: a for a in CATALOGUE}


# --- what the rules and filters work with ---------------------------------------------------------
@dataclass(frozen=True, slots=True)
class PastOutcome:
    """An operator's answer to an earlier hint for this customer."""

    action: str
    outcome: str
    conversation_id: int | None
    at: datetime


@dataclass(slots=True)
class Context:
    now: datetime
    conversation_id: int | None = None
    history: Sequence[PastOutcome] = ()
    lang: str = "ru"  # the operator's: titles, reasons and explanations


@dataclass(frozen=True, slots=True)
class Boost:
    """A context boost: +``percent`` % to C, with why."""

    label: Text
    percent: float


@dataclass(slots=True)
class Candidate:
    action: Action
    reason: Text
    text: Text  # the template filled in, in both languages
    boosts: list[Boost] = field(default_factory=list)


@dataclass(slots=True)
class Facts:
    """What the rules read from a customer card, parsed once."""

    card: Mapping[str, Any]
    now: datetime
    conversation: Mapping[str, Any] | None
    channel: str | None
    question: str
    segment: str
    csat: int | None
    identity_kinds: frozenset[str]
    unhappy: bool
    reach: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: REACH)

    @classmethod
    def of(
        cls,
        card: Mapping[str, Any],
        ctx: Context,
        reach: Mapping[str, tuple[str, ...]] = REACH,
    ) -> Facts:
        customer = card.get("customer") or {}
        conv = next(
            (c for c in card.get("open_conversations", ()) if c["id"] == ctx.conversation_id),
            None,
        )
        question = ""
        if conv is not None:
            last_in = next(
                (
                    i["body"]
                    for i in (card.get("timeline") or {}).get("items", ())
                    if i.get("conversation_id") == conv["id"] and i.get("direction") == "in"
                ),
                "",
            )
            subject, last_in = (conv.get("subject") or "").strip(), (last_in or "").strip()
            # The subject is usually the first message's first line: do not say it twice.
            question = last_in if subject in last_in else f"{subject} {last_in}".strip()
        csat = customer.get("last_csat")
        old_case = any(
            t["status"] == "escalated"
            or (t["status"] in TOUCHPOINT_OPEN and t["age_s"] >= FOLLOW_UP_AFTER.total_seconds())
            for t in card.get("touchpoints", ())
        )
        return cls(
            card=card,
            now=ctx.now,
            conversation=conv,
            channel=conv["channel"] if conv is not None else None,
            question=question,
            segment=str(customer.get("segment") or ""),
            csat=csat,
            identity_kinds=frozenset(i["kind"] for i in card.get("identities", ())),
            unhappy=(csat is not None and csat <= LOW_CSAT) or old_case,
            reach=reach,
        )


# --- rules: candidates with their reasons --------------------------------------------------------
Rule = Callable[[Facts], Iterable[Candidate]]


def _days(delta: timedelta | float) -> int:
    seconds = delta.total_seconds() if isinstance(delta, timedelta) else float(delta)
    return max(0, int(seconds // 86400))


def days_text(n: int) -> Text:
    """``n`` days, with the Russian plural right (1 день, 2 дня, 5 дней, 21 день)."""
    n10, n100 = n % 10, n % 100
    if n10 == 1 and n100 != 11:
        word = "день"
    elif 2 <= n10 <= 4 and not 12 <= n100 <= 14:
        word = "дня"
    else:
        word = "дней"
    return Text(f"{n} {word}", f"{n} day" + ("" if n == 1 else "s"))


def _fill(action: Action, **args: Text | str | int) -> Text:
    def one(lang: str) -> str:
        values = {k: v.get(lang) if isinstance(v, Text) else v for k, v in args.items()}
        return action.template.get(lang).format(**values)

    return Text(one("ru"), one("en"))


def _snippet(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _at(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def rule_old_touchpoints(f: Facts) -> Iterator[Candidate]:
    """Open or escalated cases older than N days: follow up; escalated or very old: escalate."""
    old = [
        t
        for t in f.card.get("touchpoints", ())
        if t["status"] in TOUCHPOINT_OPEN and t["age_s"] >= FOLLOW_UP_AFTER.total_seconds()
    ]
    if not old:
        return
    oldest = max(old, key=lambda t: t["age_s"])
    days = _days(oldest["age_s"])
    subject = _snippet(oldest["subject"] or "—", 80)
    more = len(old) - 1
    tail = Text(f"; ещё открытых: {more}", f"; {more} more open") if more else Text("", "")
    if oldest["status"] == "escalated":
        reason = Text(
            f"Обращение «{subject}» эскалировано и ждёт {days_text(days).ru}{tail.ru}",
            f"Case “{subject}” is escalated and has waited {days_text(days).en}{tail.en}",
        )
    else:
        reason = Text(
            f"Обращение «{subject}» открыто {days_text(days).ru}{tail.ru}",
            f"Case “{subject}” has been open for {days_text(days).en}{tail.en}",
        )
    over = days - _days(FOLLOW_UP_AFTER)
    boosts = []
    if over > 0:
        boosts.append(
            Boost(
                Text(f"на {days_text(over).ru} дольше срока", f"{days_text(over).en} overdue"),
                min(100.0, 10.0 * over),
            )
        )
    if more:
        boosts.append(Boost(Text("несколько открытых обращений", "several open cases"), 20.0))
    follow_up = BY_ID["follow_up"]
    yield Candidate(follow_up, reason, _fill(follow_up, subject=subject), list(boosts))
    if oldest["status"] == "escalated" or oldest["age_s"] >= ESCALATE_AFTER.total_seconds():
        escalate = BY_ID["escalate"]
        if oldest["status"] != "escalated":
            limit = days_text(_days(ESCALATE_AFTER))
            reason = Text(
                f"{reason.ru} — дольше {limit.ru}",
                f"{reason.en}: longer than {limit.en}",
            )
        yield Candidate(escalate, reason, _fill(escalate, subject=subject), list(boosts))


_STATUS = {"returned": Text("возвращён", "returned"), "cancelled": Text("отменён", "cancelled")}


def rule_returned_purchase(f: Facts) -> Iterator[Candidate]:
    """The latest returned or cancelled order within the window: offer a replacement."""
    for p in f.card.get("purchases", ()):  # newest first
        at = _at(p.get("at"))
        if p["status"] not in _STATUS or at is None or f.now - at > REPLACEMENT_WINDOW:
            continue
        status = _STATUS[p["status"]]
        ago = days_text(_days(f.now - at))
        action = BY_ID["offer_replacement"]
        reason = Text(
            f"Заказ {p['order']} ({p['product']}) {status.ru}; оформлен {ago.ru} назад",
            f"Order {p['order']} ({p['product']}) was {status.en}; placed {ago.en} ago",
        )
        text = _fill(action, order=p["order"], product=p["product"], status=status)
        yield Candidate(action, reason, text)
        return


def rule_recent_delivery(f: Facts) -> Iterator[Candidate]:
    """A delivered order within the window: ask how it went."""
    for p in f.card.get("purchases", ()):
        at = _at(p.get("at"))
        if p["status"] != "delivered" or at is None or f.now - at > FEEDBACK_WINDOW:
            continue
        ago = days_text(_days(f.now - at))
        action = BY_ID["ask_feedback"]
        reason = Text(
            f"Заказ {p['order']} ({p['product']}) доставлен; оформлен {ago.ru} назад",
            f"Order {p['order']} ({p['product']}) was delivered; placed {ago.en} ago",
        )
        yield Candidate(action, reason, _fill(action, order=p["order"], product=p["product"]))
        return


def rule_low_csat(f: Facts) -> Iterator[Candidate]:
    """A low last CSAT: apologise; and a goodwill gesture."""
    if f.csat is None or f.csat > LOW_CSAT:
        return
    reason = Text(
        f"Последняя оценка клиента — {f.csat} из 5",
        f"The customer's last CSAT was {f.csat} of 5",
    )
    boosts = []
    if any(t["status"] in TOUCHPOINT_OPEN for t in f.card.get("touchpoints", ())):
        boosts.append(Boost(Text("и есть открытое обращение", "and a case is still open"), 50.0))
    apologise = BY_ID["apologise"]
    yield Candidate(apologise, reason, _fill(apologise), list(boosts))
    goodwill = BY_ID["goodwill"]
    yield Candidate(goodwill, reason, _fill(goodwill), list(boosts))


_SEGMENT_NAME = {"vip": Text("VIP", "VIP"), "premium": Text("Premium", "Premium")}


def rule_segment(f: Facts) -> Iterator[Candidate]:
    """VIP and premium customers: priority handling."""
    name = _SEGMENT_NAME.get(f.segment)
    if name is None:
        return
    action = BY_ID["priority_handling"]
    reason = Text(f"Клиент из сегмента {name.ru}", f"A {name.en} customer")
    boosts = [Boost(Text("сегмент VIP", "VIP segment"), 50.0)] if f.segment == "vip" else []
    yield Candidate(action, reason, _fill(action), boosts)


def rule_new_customer(f: Facts) -> Iterator[Candidate]:
    """A new customer (segment, or nothing bought yet): a welcome offer."""
    bought = [p for p in f.card.get("purchases", ()) if p["status"] not in _STATUS]
    if f.segment != "new" and bought:
        return
    parts_ru, parts_en = [], []
    if f.segment == "new":
        parts_ru.append("новый клиент")
        parts_en.append("a new customer")
    if not bought:
        parts_ru.append("покупок ещё нет")
        parts_en.append("nothing bought yet")
    ru = ", ".join(parts_ru)
    reason = Text(ru[:1].upper() + ru[1:], ("; ".join(parts_en)).capitalize())
    action = BY_ID["welcome_offer"]
    yield Candidate(action, reason, _fill(action))


_DELIVERY_WORDS = re.compile(
    r"доставк|курьер|где (мой )?заказ|трек|отслеж|посылк|привез|delivery|courier|track|"
    r"where is my order|shipping|parcel",
    re.IGNORECASE,
)
_DOCUMENT_WORDS = re.compile(
    r"документ|договор|сч[её]т-фактур|реквизит|претензи|гаранти|invoice|contract|receipt|"
    r"warranty|complaint",
    re.IGNORECASE,
)
# Question kind -> the channels that answer it best, in order of preference, and why.
_BEST_CHANNELS: dict[str, tuple[tuple[str, ...], Text]] = {
    "delivery": (
        ("telegram", "whatsapp", "sms"),
        Text("туда сразу придут статусы доставки", "delivery updates will arrive there"),
    ),
    "long": (
        ("email",),
        Text(
            "так удобнее прислать подробный ответ и документы",
            "a detailed answer and documents are easier to send that way",
        ),
    ),
}


def rule_better_channel(f: Facts) -> Iterator[Candidate]:
    """The question suits another channel the customer is reachable on: recommend it.

    Simple and explained: a delivery question wants push statuses (Telegram, WhatsApp, SMS);
    a long question or one about documents wants e-mail.
    """
    if f.channel is None or not f.question:
        return
    q = f.question
    kind, fact = "", Text("", "")
    if _DELIVERY_WORDS.search(q):
        kind = "delivery"
        s = _snippet(q)
        fact = Text(f"Вопрос о доставке («{s}»)", f"A delivery question (“{s}”)")
    elif len(q) >= LONG_QUESTION or _DOCUMENT_WORDS.search(q):
        kind = "long"
        fact = (
            Text(f"Длинный вопрос ({len(q)} знаков)", f"A long question ({len(q)} characters)")
            if len(q) >= LONG_QUESTION
            else Text(
                f"Вопрос о документах («{_snippet(q)}»)", f"About documents (“{_snippet(q)}”)"
            )
        )
    if not kind:
        return
    channels, why = _BEST_CHANNELS[kind]
    if f.channel in channels:
        return
    best = next(
        (ch for ch in channels if any(k in f.identity_kinds for k in f.reach.get(ch, ()))),
        None,
    )
    if best is None:
        return
    name, here = CHANNEL_NAME[best], CHANNEL_NAME.get(f.channel, Text(f.channel, f.channel))
    reason = Text(
        f"{fact.ru} в канале {here.ru}: {why.ru}; клиент доступен в {name.ru}",
        f"{fact.en} on {here.en}: {why.en}; the customer is reachable on {name.en}",
    )
    action = BY_ID["recommend_channel"]
    where = CHANNEL_WHERE.get(best, Text(best, best))
    yield Candidate(action, reason, _fill(action, where=where, why=why))


def rule_channel_switch(f: Facts) -> Iterator[Candidate]:
    """Several channels used for the issue lately: summarise what was already said."""
    since = f.now - CHANNEL_SWITCH_WINDOW
    said: dict[str, str] = {}  # channel -> the latest inbound text on it
    for item in (f.card.get("timeline") or {}).get("items", ()):  # newest first
        at = _at(item.get("at"))
        ch = item.get("channel")
        if item.get("direction") != "in" or ch is None or at is None or at < since:
            continue
        said.setdefault(ch, item.get("body") or item.get("subject") or "")
    used = set(said) | {c["channel"] for c in f.card.get("open_conversations", ())}
    if f.channel is not None:
        used.add(f.channel)
    if len(used) < 2:
        return
    order = sorted(used, key=lambda ch: (ch != f.channel, ch))
    names = [CHANNEL_NAME.get(ch, Text(ch, ch)) for ch in order]
    days = days_text(_days(CHANNEL_SWITCH_WINDOW))
    reason = Text(
        f"За {days.ru} клиент писал в {len(used)} каналах: " + ", ".join(n.ru for n in names),
        f"In {days.en} the customer wrote on {len(used)} channels: "
        + ", ".join(n.en for n in names),
    )
    others = [ch for ch in order if ch != f.channel and said.get(ch)]
    where = {ch: CHANNEL_WHERE.get(ch, Text(ch, ch)) for ch in others}
    summary = Text(
        "; ".join(f"{where[ch].ru}: «{_snippet(said[ch])}»" for ch in others) or "вопрос тот же",
        "; ".join(f"{where[ch].en}: “{_snippet(said[ch])}”" for ch in others)
        or "the same question",
    )
    listed = Text(", ".join(n.ru for n in names), ", ".join(n.en for n in names))
    boosts = []
    if len(used) > 2:
        boosts.append(Boost(Text("больше двух каналов", "more than two channels"), 25.0))
    action = BY_ID["channel_switch"]
    yield Candidate(action, reason, _fill(action, channels=listed, summary=summary), boosts)


RULES: tuple[Rule, ...] = (
    rule_old_touchpoints,
    rule_returned_purchase,
    rule_recent_delivery,
    rule_low_csat,
    rule_segment,
    rule_new_customer,
    rule_better_channel,
    rule_channel_switch,
)


# --- learning ------------------------------------------------------------------------------------
class Stats:
    """Accepted / dismissed / ignored counts per action (all operators, all customers)."""

    def __init__(self) -> None:
        self.counts: dict[str, dict[str, float]] = {}

    def record(self, action: str, outcome: str, n: float = 1.0) -> None:
        if outcome not in OUTCOMES:
            raise ValueError(f"unknown outcome {outcome!r}")
        per = self.counts.setdefault(action, dict.fromkeys(OUTCOMES, 0.0))
        per[outcome] += n

    def load(self, rows: Iterable[tuple[str, str, int]]) -> None:
        self.counts.clear()
        for action, outcome, n in rows:
            if outcome in OUTCOMES:
                self.record(action, outcome, float(n))

    def pos_neg(self, action: str) -> tuple[float, float]:
        per = self.counts.get(action)
        if per is None:
            return 0.0, 0.0
        return per["accepted"], per["dismissed"] + IGNORED_WEIGHT * per["ignored"]


# --- the decision --------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Contribution:
    factor: str  # propensity | value | context | channel
    label: str
    log: float


@dataclass(slots=True)
class Hint:
    hint_id: str
    action: Action
    rank: int
    title: str
    text: str
    reason: str
    p_sample: float
    log_score: float  # = the sum of the parts' logs
    parts: list[Contribution]

    @property
    def explain(self) -> list[Contribution]:
        """The largest contributions, for the hint card."""
        return sorted(self.parts, key=lambda x: -abs(x.log))[:EXPLAIN_TOP]

    def view(self) -> dict[str, Any]:
        return {
            "hint_id": self.hint_id,
            "action": self.action.id,
            "group": self.action.group,
            "rank": self.rank,
            "title": self.title,
            "text": self.text,
            "reason": self.reason,
            "score": round(math.exp(self.log_score), 6),
            "p": round(self.p_sample, 4),
            "explain": [
                {"factor": c.factor, "label": c.label, "log": round(c.log, 3)} for c in self.explain
            ],
        }


@dataclass(slots=True)
class Decision:
    hints: list[Hint]
    # Candidates the hard filters removed: action id -> "eligibility" | "applicability" |
    # "suitability" | "suppression".
    dropped: dict[str, str]

    def views(self) -> list[dict[str, Any]]:
        return [h.view() for h in self.hints]


class NextBestAction:
    def __init__(
        self,
        *,
        rng: random.Random | None = None,
        stats: Stats | None = None,
        reach: Mapping[str, tuple[str, ...]] = REACH,
        new_hint_id: Callable[[], str] = lambda: secrets.token_hex(8),
        max_hints: int = MAX_HINTS,
    ) -> None:
        self.rng = rng or random.Random()
        self.stats = stats or Stats()
        self.reach = reach
        self.new_hint_id = new_hint_id
        self.max_hints = max_hints

    # -- candidates and filters -------------------------------------------------------------------
    def candidates(self, card: Mapping[str, Any], ctx: Context) -> list[Candidate]:
        return self._candidates(Facts.of(card, ctx, self.reach))

    @staticmethod
    def _candidates(f: Facts) -> list[Candidate]:
        out: dict[str, Candidate] = {}
        for rule in RULES:
            for c in rule(f):
                out.setdefault(c.action.id, c)
        return list(out.values())

    def filter(
        self, candidates: Sequence[Candidate], f: Facts, ctx: Context
    ) -> tuple[list[Candidate], dict[str, str]]:
        kept: list[Candidate] = []
        dropped: dict[str, str] = {}
        for c in candidates:
            stage = (
                "eligibility"
                if not self._eligible(c.action, f)
                else "applicability"
                if not self._applicable(c.action, f)
                else "suitability"
                if not self._suitable(c.action, f)
                else "suppression"
                if self._suppressed(c.action, ctx)
                else ""
            )
            if stage:
                dropped[c.action.id] = stage
            else:
                kept.append(c)
        return kept, dropped

    @staticmethod
    def _eligible(a: Action, f: Facts) -> bool:
        return a.segments is None or f.segment in a.segments

    @staticmethod
    def _applicable(a: Action, f: Facts) -> bool:
        return not a.needs_conversation or f.channel is not None

    @staticmethod
    def _suitable(a: Action, f: Facts) -> bool:
        if a.not_when_unhappy and f.unhappy:
            return False
        return f.channel is None or a.fit.get(f.channel, 1.0) > 0

    @staticmethod
    def _suppressed(a: Action, ctx: Context) -> bool:
        dismissed = 0
        for h in ctx.history:
            if h.action != a.id:
                continue
            # In-interaction: an action answered in this conversation never comes back in it.
            if ctx.conversation_id is not None:
                if h.conversation_id == ctx.conversation_id:
                    return True
            elif h.conversation_id is None and ctx.now - h.at < INTERACTION_WINDOW:
                return True
            if h.outcome == "dismissed" and ctx.now - h.at < FATIGUE_WINDOW:
                dismissed += 1
        return dismissed >= FATIGUE_DISMISSALS

    # -- learning ---------------------------------------------------------------------------------
    def group_rate(self, group: str) -> float:
        """The group's acceptance rate, itself shrunk towards :data:`BASE_RATE`."""
        pos = neg = 0.0
        for a in CATALOGUE:
            if a.group == group:
                p, n = self.stats.pos_neg(a.id)
                pos, neg = pos + p, neg + n
        return (pos + PRIOR_STRENGTH * BASE_RATE) / (pos + neg + PRIOR_STRENGTH)

    def prior(self, action: Action) -> tuple[float, float]:
        """Empirical Bayes: the group's rate, worth :data:`PRIOR_STRENGTH` responses."""
        r = self.group_rate(action.group)
        return PRIOR_STRENGTH * r, PRIOR_STRENGTH * (1.0 - r)

    def posterior(self, action: Action) -> tuple[float, float]:
        a0, b0 = self.prior(action)
        pos, neg = self.stats.pos_neg(action.id)
        return a0 + pos, b0 + neg

    def sample(self, action: Action) -> float:
        """A Thompson sample of the acceptance probability."""
        a, b = self.posterior(action)
        return min(1.0, max(1e-6, self.rng.betavariate(a, b)))

    # -- arbitration ----------------------------------------------------------------------------
    def decide(self, card: Mapping[str, Any], ctx: Context) -> Decision:
        f = Facts.of(card, ctx, self.reach)
        kept, dropped = self.filter(self._candidates(f), f, ctx)
        lang = ctx.lang
        text_lang = str((card.get("customer") or {}).get("language") or "ru")
        if text_lang not in CUSTOMER_LANGUAGES:
            text_lang = "en"
        scored: list[tuple[float, str, Candidate, float, list[Contribution]]] = []
        for c in kept:
            p = self.sample(c.action)
            parts = [self._propensity(c.action, p, lang), self._value(c.action, lang)]
            boosts = list(c.boosts)
            extra = SEGMENT_BOOSTS.get((f.segment, c.action.group))
            if extra:
                name = _SEGMENT_NAME.get(f.segment, Text(f.segment, f.segment))
                boosts.append(Boost(Text(f"клиент {name.ru}", f"{name.en} customer"), extra))
            parts += self._context(boosts, lang)
            fit = c.action.fit.get(f.channel, 1.0) if f.channel is not None else 1.0
            if fit != 1.0:
                where = CHANNEL_NAME.get(f.channel or "", Text("", "")).get(lang)
                label = Text(f"канал {where}: ×{fit:g}", f"channel {where}: ×{fit:g}")
                parts.append(Contribution("channel", label.get(lang), math.log(fit)))
            scored.append((sum(x.log for x in parts), c.action.id, c, p, parts))
        scored.sort(key=lambda s: (-s[0], s[1]))
        hints = []
        for rank, (log_score, _id, c, p, parts) in enumerate(scored[: self.max_hints], 1):
            hints.append(
                Hint(
                    hint_id=self.new_hint_id(),
                    action=c.action,
                    rank=rank,
                    title=c.action.title.get(lang),
                    text=c.text.get(text_lang),
                    reason=c.reason.get(lang),
                    p_sample=p,
                    log_score=log_score,
                    parts=parts,
                )
            )
        return Decision(hints, dropped)

    def _propensity(self, a: Action, p: float, lang: str) -> Contribution:
        pos, neg = self.stats.pos_neg(a.id)
        if pos + neg > 0:
            label = Text(
                f"приняли {pos:g} из {pos + neg:g} (p̃ = {p:.2f})",
                f"accepted {pos:g} of {pos + neg:g} (p̃ = {p:.2f})",
            )
        else:
            r = self.group_rate(a.group)
            label = Text(
                f"новое: по группе «{a.group}» {r:.0%} (p̃ = {p:.2f})",
                f"new: its group “{a.group}” rate {r:.0%} (p̃ = {p:.2f})",
            )
        return Contribution("propensity", label.get(lang), math.log(p))

    @staticmethod
    def _value(a: Action, lang: str) -> Contribution:
        label = Text(f"ценность V = {a.value:g}", f"value V = {a.value:g}")
        return Contribution("value", label.get(lang), math.log(a.value))

    @staticmethod
    def _context(boosts: Sequence[Boost], lang: str) -> list[Contribution]:
        """log C split between the boosts in proportion to their weights."""
        total = sum(b.percent for b in boosts)
        if total <= 0:
            return []
        log_c = math.log(1.0 + total / 100.0)
        return [
            Contribution(
                "context", f"{b.label.get(lang)} (+{b.percent:g} %)", log_c * b.percent / total
            )
            for b in boosts
        ]


# --- the decision log in the store (used by the hub) ---------------------------------------------
def load_counts(conn: Connection) -> list[tuple[str, str, int]]:
    """(action, outcome, count) over every recorded outcome: the learning state at start-up."""
    d, o = tables.nba_decisions, tables.nba_outcomes
    rows = conn.execute(
        select(d.c.action, o.c.outcome, func.count())
        .select_from(o.join(d, d.c.hint_id == o.c.hint_id))
        .group_by(d.c.action, o.c.outcome)
    ).all()
    return [(str(r[0]), str(r[1]), int(r[2])) for r in rows]


def recent_outcomes(conn: Connection, customer_id: int, now: datetime) -> list[PastOutcome]:
    """This customer's answered hints within the suppression window."""
    d, o = tables.nba_decisions, tables.nba_outcomes
    since = now - max(FATIGUE_WINDOW, INTERACTION_WINDOW)
    rows = conn.execute(
        select(d.c.action, o.c.outcome, d.c.conversation_id, o.c.at)
        .select_from(o.join(d, d.c.hint_id == o.c.hint_id))
        .where(d.c.customer_id == customer_id, o.c.at >= since)
    ).all()
    return [PastOutcome(r.action, r.outcome, r.conversation_id, r.at) for r in rows]


@dataclass(frozen=True, slots=True)
class ShownHint:
    """A recorded decision, as ``hint.respond`` needs it."""

    hint_id: str
    customer_id: int
    action: str
    conversation_id: int | None
    outcome: str | None  # the answer already recorded, if any


def find_hint(conn: Connection, hint_id: str) -> ShownHint | None:
    d, o = tables.nba_decisions, tables.nba_outcomes
    row = conn.execute(
        select(d.c.customer_id, d.c.action, d.c.conversation_id, o.c.outcome)
        .select_from(d.outerjoin(o, o.c.hint_id == d.c.hint_id))
        .where(d.c.hint_id == hint_id)
    ).first()
    if row is None:
        return None
    return ShownHint(hint_id, row.customer_id, row.action, row.conversation_id, row.outcome)


def record_decisions(
    b: WriteBatch,
    hints: Sequence[Hint],
    customer_id: int,
    operator_id: int,
    conversation_id: int | None,
) -> None:
    for h in hints:
        b.add(
            tables.nba_decisions,
            {
                "hint_id": h.hint_id,
                "customer_id": customer_id,
                "operator_id": operator_id,
                "conversation_id": conversation_id,
                "action": h.action.id,
                "rank": h.rank,
                "p_sample": h.p_sample,
                "shown_at": b.now,
            },
        )


def outcome_recorded(b: WriteBatch, hint_id: str) -> str | None:
    """The outcome already stored for a hint (inside the writer's transaction)."""
    o = tables.nba_outcomes
    found = b.execute(select(o.c.outcome).where(o.c.hint_id == hint_id)).scalar()
    return None if found is None else str(found)


def record_ignored(b: WriteBatch, conversation_id: int, operator_id: int) -> list[str]:
    """At the end of a conversation: the hints last shown for it that got no answer were
    ignored. Earlier showings were replaced by later ones (the card opened again, an answer
    refreshed them) and say nothing. Returns the actions, for the learning counts."""
    d, o = tables.nba_decisions, tables.nba_outcomes
    last = b.execute(
        select(func.max(d.c.shown_at)).where(d.c.conversation_id == conversation_id)
    ).scalar()
    if last is None:
        return []
    rows = b.execute(
        select(d.c.hint_id, d.c.action)
        .select_from(d.outerjoin(o, o.c.hint_id == d.c.hint_id))
        .where(d.c.conversation_id == conversation_id, d.c.shown_at == last)
        .where(o.c.hint_id.is_(None))
    ).all()
    for r in rows:
        record_outcome(b, r.hint_id, "ignored", operator_id)
    return [str(r.action) for r in rows]


def record_outcome(b: WriteBatch, hint_id: str, outcome: str, operator_id: int) -> None:
    b.add(
        tables.nba_outcomes,
        {"hint_id": hint_id, "outcome": outcome, "operator_id": operator_id, "at": b.now},
    )
