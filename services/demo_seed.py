"""Demo data: operators, queues, products and a few hundred customers with a believable history.

Everything comes from one ``random.Random(seed)``, so two databases seeded with the same
arguments hold the same people, orders and messages (their timestamps are relative to the
moment of seeding). Conversations are not created: the gateway opens them live. The team gets
a handful of canned responses in Russian and English.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from services.auth import hash_password
from services.domain.identity import (
    InvalidIdentity,
    normalise_email,
    normalise_identity,
    normalise_phone,
)
from services.store import canned as stored_canned
from services.store.models import (
    Channel,
    Customer,
    Delivery,
    Direction,
    EventKind,
    Identity,
    IdentityKind,
    Operator,
    OrderDelivery,
    OrderStatusChange,
    Product,
    Purchase,
    Queue,
    Role,
    TimelineEvent,
    Touchpoint,
    utcnow,
)

__all__ = ["AlreadySeeded", "feminine_surname", "seed_demo", "transliterate"]


class AlreadySeeded(RuntimeError):
    """The database already holds the demo operators."""


# --- operators and queues ----------------------------------------------------------------------

_SKILLS = ["general", "sales", "billing"]
_AGENT_CAPACITY = {"webchat": 3, "email": 5, "telegram": 3, "whatsapp": 3, "sms": 3, "voice": 1}

# username (= password), display name, role, skills, capacity
_OPERATORS: list[tuple[str, str, Role, list[str], dict[str, int]]] = [
    ("agent", "Анна Смирнова", Role.AGENT, ["general", "sales", "billing"], _AGENT_CAPACITY),
    ("agent2", "Дмитрий Козлов", Role.AGENT, ["general", "billing"], _AGENT_CAPACITY),
    ("lead", "Елена Волкова", Role.SUPERVISOR, list(_SKILLS), _AGENT_CAPACITY),
    ("admin", "Администратор", Role.ADMIN, [], {}),
]

_SALES_HOURS: dict[str, Any] = {
    "tz": "Europe/Moscow",
    "days": {
        **{day: [["09:00", "21:00"]] for day in ("mon", "tue", "wed", "thu", "fri")},
        "sat": [["10:00", "18:00"]],
    },
}

# name, channels, skills, priority, sla_seconds, hours
_QUEUES: list[tuple[str, list[str], list[str], int, int, dict[str, Any]]] = [
    ("general", [c.value for c in Channel], ["general"], 0, 60, {}),
    ("sales", ["webchat", "telegram", "whatsapp"], ["sales"], 10, 30, _SALES_HOURS),
    ("billing", ["email", "voice", "sms"], ["billing"], 5, 120, {}),
]

_QUEUE_NAMES = {
    "general": {"ru": "Общие вопросы", "en": "General questions"},
    "sales": {"ru": "Продажи", "en": "Sales"},
    "billing": {"ru": "Счета и оплата", "en": "Billing"},
}

# --- canned responses --------------------------------------------------------------------------

# shortcut, language, title, text, queue (None: every queue)
_CANNED: list[tuple[str, str, str, str, str | None]] = [
    (
        "hello",
        "ru",
        "Приветствие",
        "Здравствуйте, {customer.first_name}! Меня зовут {operator.name}, чем могу помочь?",
        None,
    ),
    (
        "hello",
        "en",
        "Greeting",
        "Hello {customer.first_name}, this is {operator.name}. How can I help you today?",
        None,
    ),
    (
        "wait",
        "ru",
        "Минуту",
        "Спасибо, что подождали! Сейчас всё проверю и вернусь с ответом через пару минут.",
        None,
    ),
    (
        "wait",
        "en",
        "One moment",
        "Thank you for waiting! Let me check that for you; I will be back in a couple of minutes.",
        None,
    ),
    (
        "order",
        "ru",
        "Статус заказа",
        "{customer.first_name}, ваш заказ {order.last_number} уже в пути. "
        "Ссылку для отслеживания мы отправили по SMS.",
        None,
    ),
    (
        "order",
        "en",
        "Order status",
        "{customer.first_name}, your order {order.last_number} is on its way. "
        "We have sent you the tracking link by text message.",
        None,
    ),
    (
        "refund",
        "ru",
        "Возврат денег",
        "Оформили возврат по заказу {order.last_number}. Деньги вернутся на карту в течение "
        "10 рабочих дней.",
        "billing",
    ),
    (
        "refund",
        "en",
        "Refund",
        "We have issued a refund for order {order.last_number}. The money will be back on your "
        "card within 10 working days.",
        "billing",
    ),
    (
        "bye",
        "ru",
        "Прощание",
        "Рада была помочь, {customer.first_name}! Если появятся вопросы, пишите, мы на связи. "
        "Хорошего дня!",
        None,
    ),
    (
        "bye",
        "en",
        "Goodbye",
        "Glad I could help, {customer.first_name}! If anything else comes up, just write to us. "
        "Have a nice day!",
        None,
    ),
]

# --- products ----------------------------------------------------------------------------------

# sku, name, category, price (RUB), relative popularity
_PRODUCTS: list[tuple[str, str, str, float, int]] = [
    ("TAR-SMART", "Тариф «Смарт»", "Тарифы", 650.0, 14),
    ("TAR-SMART-PLUS", "Тариф «Смарт+»", "Тарифы", 950.0, 10),
    ("TAR-UNLIM", "Тариф «Безлимит»", "Тарифы", 1290.0, 8),
    ("TAR-FAMILY", "Тариф «Семейный»", "Тарифы", 1590.0, 4),
    ("INET-HOME-500", "Домашний интернет 500 Мбит/с", "Домашний интернет", 750.0, 8),
    ("TV-EXTENDED", "Интерактивное ТВ «Расширенный»", "Телевидение", 399.0, 6),
    ("DEV-GALAXY-A15", "Смартфон Samsung Galaxy A15 128 ГБ", "Смартфоны", 17990.0, 4),
    ("DEV-REDMI-N13", "Смартфон Xiaomi Redmi Note 13 256 ГБ", "Смартфоны", 21990.0, 4),
    ("DEV-ROUTER-AX3000", "Wi-Fi роутер AX3000", "Оборудование", 5490.0, 4),
    ("DEV-EARBUDS", "Беспроводные наушники", "Гаджеты", 3990.0, 5),
    ("DEV-SMARTWATCH", "Умные часы", "Гаджеты", 8990.0, 3),
    ("ACC-CASE-BOOK", "Чехол-книжка для смартфона", "Аксессуары", 990.0, 6),
    ("ACC-CHARGER-33W", "Зарядное устройство 33 Вт", "Аксессуары", 1490.0, 5),
    ("INS-DEVICE-12M", "Страховка устройства на 12 месяцев", "Страхование", 2490.0, 4),
    ("SVC-HOME-SETUP", "Настройка оборудования на дому", "Услуги", 1200.0, 3),
    ("SIM-ESIM", "eSIM с переносом номера", "Тарифы", 300.0, 4),
]
# Goods that travel by courier; the rest (tariffs, services, insurance) are simply paid for.
_SHIPPED_CATEGORIES = frozenset({"Смартфоны", "Оборудование", "Гаджеты", "Аксессуары"})

# How goods travel: method, carrier, what its tracking numbers look like ("#": a digit), weight.
_DELIVERY_METHODS: list[tuple[str, str, str, int]] = [
    ("courier", "Курьерская служба магазина", "", 5),
    ("courier", "СДЭК", "##########", 3),
    ("pickup_point", "СДЭК", "##########", 3),
    ("pickup_point", "Boxberry", "BB##########", 2),
    ("post", "Почта России", "##############", 2),
]
# City, then streets of it (real ones).
_CITIES: list[tuple[str, list[str]]] = [
    ("Москва", ["ул. Тверская", "Ленинский пр-т", "ул. Профсоюзная", "Кутузовский пр-т",
                "ул. Бутлерова", "Варшавское ш.", "ул. Миклухо-Маклая"]),
    ("Санкт-Петербург", ["Невский пр-т", "Московский пр-т", "ул. Савушкина", "ул. Марата"]),
    ("Казань", ["ул. Баумана", "пр-т Победы", "ул. Чистопольская"]),
    ("Екатеринбург", ["ул. Малышева", "ул. 8 Марта", "ул. Белинского"]),
    ("Новосибирск", ["Красный пр-т", "ул. Дуси Ковальчук", "ул. Гоголя"]),
    ("Нижний Новгород", ["ул. Большая Покровская", "ул. Родионова"]),
]  # fmt: skip
_POSTCODES = {
    "Москва": (101000, 129350),
    "Санкт-Петербург": (190000, 199406),
    "Казань": (420000, 420140),
    "Екатеринбург": (620000, 620144),
    "Новосибирск": (630000, 630136),
    "Нижний Новгород": (603000, 603163),
}
# What each step of an order's life says, by status.
_STATUS_NOTES = {
    "created": "Заказ оформлен на сайте",
    "paid": "Оплачен картой",
    "shipped": "Передан в службу доставки",
    "delivered": "Вручён получателю",
    "returned": "Возврат принят, деньги вернутся на карту",
    "cancelled": "Отменён по просьбе клиента",
}

# --- people ------------------------------------------------------------------------------------

_MALE_NAMES = [
    "Александр", "Алексей", "Андрей", "Артём", "Борис", "Вадим", "Василий", "Виктор",
    "Владимир", "Глеб", "Денис", "Дмитрий", "Евгений", "Егор", "Иван", "Игорь", "Илья",
    "Кирилл", "Константин", "Максим", "Михаил", "Никита", "Николай", "Олег", "Павел",
    "Пётр", "Роман", "Сергей", "Степан", "Тимофей", "Фёдор", "Юрий", "Ярослав",
]  # fmt: skip
_FEMALE_NAMES = [
    "Александра", "Алина", "Анастасия", "Анна", "Валентина", "Валерия", "Вера", "Виктория",
    "Дарья", "Евгения", "Екатерина", "Елена", "Елизавета", "Ирина", "Ксения", "Лариса",
    "Любовь", "Людмила", "Маргарита", "Марина", "Мария", "Надежда", "Наталья", "Нина",
    "Ольга", "Полина", "Светлана", "София", "Татьяна", "Юлия",
]  # fmt: skip
# Masculine forms; feminine_surname() derives the rest.
_SURNAMES = [
    "Иванов", "Смирнов", "Кузнецов", "Попов", "Васильев", "Петров", "Соколов", "Михайлов",
    "Новиков", "Фёдоров", "Морозов", "Волков", "Алексеев", "Лебедев", "Семёнов", "Егоров",
    "Павлов", "Козлов", "Степанов", "Николаев", "Орлов", "Андреев", "Макаров", "Никитин",
    "Захаров", "Зайцев", "Соловьёв", "Борисов", "Яковлев", "Григорьев", "Романов",
    "Воробьёв", "Сергеев", "Кузьмин", "Фролов", "Александров", "Дмитриев", "Королёв",
    "Гусев", "Киселёв", "Ильин", "Максимов", "Поляков", "Сорокин", "Виноградов", "Ковалёв",
    "Белов", "Медведев", "Антонов", "Тарасов", "Жуков", "Баранов", "Филиппов", "Комаров",
    "Давыдов", "Беляев", "Герасимов", "Богданов", "Осипов", "Сидоров", "Матвеев", "Титов",
    "Марков", "Миронов", "Крылов", "Куликов", "Карпов", "Власов", "Мельников", "Денисов",
    "Гаврилов", "Тихонов", "Казаков", "Афанасьев", "Данилов", "Калинин", "Фомин",
    "Чернышёв", "Щербаков", "Назаров", "Голубев", "Кудрявцев", "Журавлёв", "Пономарёв",
    "Вишневский", "Покровский", "Успенский", "Жуковский", "Белецкий", "Островский",
    "Толстой", "Шевчук", "Ткаченко", "Бондаренко", "Ким",
]  # fmt: skip

_TRANSLIT = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh",
    "з": "z", "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu",
    "я": "ya",
}  # fmt: skip

_SEGMENTS = ["standard", "premium", "vip", "new"]
_SEGMENT_WEIGHTS = [56, 20, 8, 16]
_CSAT_WEIGHTS = [5, 7, 15, 33, 40]  # for 1..5
_EMAIL_DOMAINS = ["gmail.com", "yandex.ru", "mail.ru"]
_EMAIL_DOMAIN_WEIGHTS = [3, 4, 4]


def feminine_surname(surname: str) -> str:
    """The feminine form of a Russian surname: Иванов -> Иванова, Вишневский -> Вишневская.

    Surnames that do not change (Шевчук, Ткаченко, Ким) come back as they are.
    """
    if surname.endswith(("ов", "ев", "ёв", "ин", "ын")):
        return surname + "а"
    if surname.endswith(("ский", "цкий")):
        return surname[:-2] + "ая"
    if surname.endswith("ой"):
        return surname[:-2] + "ая"
    return surname


def transliterate(text: str) -> str:
    """Cyrillic to Latin letters for logins and addresses: "Фёдор Соловьёв" -> "fedor solovev"."""
    return "".join(_TRANSLIT.get(ch, ch) for ch in text.lower())


# --- what customers talk about -----------------------------------------------------------------


@dataclass(frozen=True)
class _Topic:
    subject: str
    # The customer's question; "{order}" becomes " ORD-..." or "", "{product}" a product name.
    ask: str
    # The operator's answer, worded so that it does not depend on the operator's gender.
    answer: str
    # What an operator writes after a call about it.
    call_summary: str
    # Only for customers who have ordered goods (the texts name the order or the product).
    about_goods: bool = False


_TOPICS = [
    _Topic(
        "Не пришёл заказ",
        "Жду заказ{order} уже неделю, а его всё нет. Подскажите, где он?",
        "Заказ передан в службу доставки, курьер привезёт его завтра с 10:00 до 18:00. "
        "Накануне придёт SMS с точным интервалом.",
        "Клиент уточнял статус заказа{order}. Сообщены сроки доставки.",
        about_goods=True,
    ),
    _Topic(
        "Вопрос по счёту",
        "Почему в этом месяце списали больше, чем обычно?",
        "Разница — оплата подписки «Кинотеатр», подключённой 5-го числа. Подписку можно "
        "отключить в личном кабинете, списание за текущий месяц мы вернём.",
        "Разъяснены начисления в счёте, подписка «Кинотеатр» отключена.",
    ),
    _Topic(
        "Возврат товара",
        "Хочу вернуть покупку{product}. Как оформить возврат?",
        "Вернуть товар можно в течение 14 дней: принесите его с чеком в любой салон или "
        "оформите возврат курьером в личном кабинете. Деньги поступят на карту за 10 дней.",
        "Консультация по возврату{product}, оформлена заявка на возврат.",
        about_goods=True,
    ),
    _Topic(
        "Смена тарифа",
        "Хочу перейти на тариф с безлимитным интернетом. Что посоветуете?",
        "Подойдёт тариф «Безлимит» за 1 290 ₽ в месяц. Переход бесплатный и начнёт "
        "действовать с нового расчётного периода. Подключить?",
        "Подобран тариф «Безлимит», переход запланирован с нового расчётного периода.",
    ),
    _Topic(
        "Не работает интернет",
        "Со вчерашнего вечера не работает домашний интернет, роутер уже перезагружали.",
        "Видим аварию на линии в вашем районе, бригада уже работает. Связь восстановят "
        "сегодня до 18:00. Приносим извинения за неудобства.",
        "Авария на линии, клиенту сообщены сроки восстановления связи.",
    ),
    _Topic(
        "Перенос номера",
        "Можно ли перейти к вам со своим номером от другого оператора?",
        "Да, перенос номера бесплатный и занимает до 8 дней. Нужен паспорт и новая "
        "SIM-карта — её можно получить в салоне или заказать с доставкой.",
        "Консультация по переносу номера, оформлена доставка SIM-карты.",
    ),
    _Topic(
        "Страховой случай",
        "Разбился экран телефона, у меня оформлена страховка. Что делать?",
        "Сочувствуем! Заявление можно подать в личном кабинете, в разделе «Страхование», "
        "приложив фото устройства. Ремонт займёт до 10 рабочих дней.",
        "Зарегистрирован страховой случай, клиенту отправлена инструкция.",
    ),
    _Topic(
        "Перенос доставки",
        "Можно перенести доставку{order} на субботу? В будни меня не будет дома.",
        "Да, доставка перенесена на субботу, курьер позвонит за час до приезда.",
        "Доставка{order} перенесена на субботу по просьбе клиента.",
        about_goods=True,
    ),
    _Topic(
        "Подключение eSIM",
        "Как подключить eSIM на новом телефоне?",
        "Оформить eSIM можно в приложении: «Мой номер» → «Заменить SIM на eSIM». "
        "Понадобится подтверждение личности через Госуслуги.",
        "Помощь с подключением eSIM, инструкция отправлена по SMS.",
    ),
]
_GREETINGS = ["Здравствуйте! ", "Здравствуйте. ", "Добрый день! ", ""]
_THANKS = [
    "Спасибо!",
    "Спасибо большое, всё понятно.",
    "Отлично, спасибо за помощь!",
    "Хорошо, буду ждать.",
]
_ESCALATED_ANSWER = (
    "Ваше обращение передано профильному специалисту. Ответим в течение рабочего дня."
)
_INBOUND_DISPOSITIONS = ["resolved", "resolved", "resolved", "callback_requested", "escalated"]
_OUTBOUND_DISPOSITIONS = ["resolved", "resolved", "no_answer", "voicemail"]
_TOUCHPOINT_OPEN_STATUSES = ["open", "open", "pending", "escalated"]


# --- the seeding itself ------------------------------------------------------------------------


@dataclass
class _Person:
    """A customer being made, with what later steps need to know about them."""

    customer: Customer
    first_name: str
    login: str  # transliterated "first_last" for addresses and usernames
    channels: list[str] = field(default_factory=list)  # channels they can be reached on
    purchases: list[tuple[Purchase, Product]] = field(default_factory=list)


@dataclass
class _Draft:
    """A timeline event before it gets its final, strictly increasing time."""

    at: datetime
    event: TimelineEvent


class _Seeder:
    def __init__(self, rng: random.Random, now: datetime) -> None:
        self.rng = rng
        self.now = now
        self.agents: list[Operator] = []
        self.taken: set[tuple[str, str]] = set()

    # helpers ------------------------------------------------------------------------------

    def between(self, start: datetime, end: datetime) -> datetime:
        if end <= start:
            return start
        return start + timedelta(seconds=self.rng.uniform(0, (end - start).total_seconds()))

    def is_taken(self, kind: IdentityKind, raw: str) -> bool:
        return (kind.value, normalise_identity(kind, raw)) in self.taken

    def identity(
        self, person: _Person, kind: IdentityKind, raw: str, *, verified: bool = False
    ) -> Identity:
        value = normalise_identity(kind, raw)
        if (kind.value, value) in self.taken:  # the callers pick unused values
            raise AssertionError(f"demo identity {kind.value} {value} made twice")
        self.taken.add((kind.value, value))
        created = person.customer.created_at
        if kind is not IdentityKind.PHONE:
            created = self.between(created, min(created + timedelta(days=180), self.now))
        return Identity(
            customer_id=person.customer.id,
            kind=kind.value,
            value=value,
            verified=verified,
            created_at=created,
        )

    # people -------------------------------------------------------------------------------

    def make_person(self) -> _Person:
        rng = self.rng
        surname = rng.choice(_SURNAMES)
        if rng.random() < 0.5:
            first = rng.choice(_MALE_NAMES)
        else:
            first = rng.choice(_FEMALE_NAMES)
            surname = feminine_surname(surname)
        name = f"{first} {surname}"
        segment = rng.choices(_SEGMENTS, _SEGMENT_WEIGHTS)[0]
        # Everyone is at least a month old, so that recent tickets and orders come after them;
        # "new" customers joined within the last three months, the rest within two years.
        max_age = 90 if segment == "new" else 730
        created = self.now - timedelta(days=rng.uniform(30, max_age))
        csat = None if rng.random() < 0.3 else rng.choices(range(1, 6), _CSAT_WEIGHTS)[0]
        customer = Customer(
            display_name=name,
            segment=segment,
            language="ru",
            last_csat=csat,
            name_search=name.lower(),
            created_at=created,
        )
        login = f"{transliterate(first)}_{transliterate(surname)}".replace(" ", "")
        return _Person(customer=customer, first_name=first, login=login)

    def phone(self, person: _Person) -> list[Identity]:
        rng = self.rng
        while True:
            code = rng.choice([*range(900, 940), *range(950, 970), *range(977, 1000)])
            raw = f"8 ({code}) {rng.randrange(1000):03d}-{rng.randrange(100):02d}-"
            raw += f"{rng.randrange(100):02d}"
            try:
                e164 = normalise_phone(raw)
            except InvalidIdentity:  # a few blocks of these codes are not allocated
                continue
            if not self.is_taken(IdentityKind.PHONE, e164):
                break
        out = [self.identity(person, IdentityKind.PHONE, e164, verified=rng.random() < 0.7)]
        person.channels += ["sms", "voice"]
        # A WhatsApp account is the customer's own phone number (unique, as the phone is).
        if rng.random() < 0.4:
            out.append(self.identity(person, IdentityKind.WHATSAPP, e164))
            person.channels.append("whatsapp")
        return out

    def email(self, person: _Person) -> Identity:
        rng = self.rng
        first, last = person.login.split("_", 1)
        year = f"{rng.randint(60, 99) if rng.random() < 0.7 else rng.randint(0, 9):02d}"
        patterns = [f"{first}.{last}", f"{last}.{first}", f"{first[0]}.{last}", f"{last}_{first}"]
        patterns += [f"{first}{last}{year}", f"{last}{year}", f"{first}.{last}{year}"]
        local = rng.choice(patterns)
        domain = rng.choices(_EMAIL_DOMAINS, _EMAIL_DOMAIN_WEIGHTS)[0]
        address = normalise_email(f"{local}@{domain}")
        while self.is_taken(IdentityKind.EMAIL, address):
            address = normalise_email(f"{local}{rng.randint(1, 999)}@{domain}")
        person.channels.append("email")
        return self.identity(person, IdentityKind.EMAIL, address)

    def telegram(self, person: _Person) -> Identity:
        rng = self.rng
        if rng.random() < 0.5:
            raw = str(rng.randint(100_000_000, 7_999_999_999))
        else:
            first, last = person.login.split("_", 1)
            raw = "@" + rng.choice([person.login, f"{last}{rng.randint(1, 99)}", f"{first}{last}"])
        value = normalise_identity(IdentityKind.TELEGRAM, raw)
        while self.is_taken(IdentityKind.TELEGRAM, value):
            value = normalise_identity(IdentityKind.TELEGRAM, f"{value}{rng.randint(0, 9)}")
        person.channels.append("telegram")
        return self.identity(person, IdentityKind.TELEGRAM, value)

    def web_visitor(self, person: _Person) -> Identity:
        visitor = f"wv_{self.rng.getrandbits(64):016x}"
        while self.is_taken(IdentityKind.WEB_VISITOR, visitor):
            visitor = f"wv_{self.rng.getrandbits(64):016x}"
        person.channels.append("webchat")
        return self.identity(person, IdentityKind.WEB_VISITOR, visitor)

    # purchases ----------------------------------------------------------------------------

    def purchases(self, person: _Person, products: list[Product], weights: list[int]) -> None:
        rng = self.rng
        segment = person.customer.segment
        count = (
            rng.randint(0, 2)
            if segment == "new"
            else rng.choices(range(7), [3, 5, 5, 4, 3, 2, 1])[0]
        )
        latest = self.now - timedelta(days=2)
        for _ in range(count):
            product = rng.choices(products, weights)[0]
            at = self.between(person.customer.created_at, latest)
            age = (self.now - at).days
            if product.category not in _SHIPPED_CATEGORIES:
                status = rng.choices(["paid", "cancelled"], [9, 1])[0]
            elif age > 30:
                status = rng.choices(["delivered", "returned", "cancelled"], [16, 2, 2])[0]
            elif age > 7:
                status = rng.choices(
                    ["delivered", "shipped", "returned", "cancelled"], [14, 3, 2, 1]
                )[0]
            else:
                status = rng.choices(["paid", "shipped", "delivered", "cancelled"], [7, 8, 4, 1])[0]
            purchase = Purchase(
                customer_id=person.customer.id,
                product_id=product.id,
                order_number="",  # numbered once all orders are known, in time order
                status=status,
                amount=product.price,
                currency="RUB",
                purchased_at=at,
            )
            person.purchases.append((purchase, product))

    # touchpoints and the timeline ---------------------------------------------------------

    def draft(
        self,
        person: _Person,
        at: datetime,
        kind: EventKind,
        channel: str | None,
        direction: Direction,
        *,
        body: str,
        subject: str = "",
        extra: dict[str, Any] | None = None,
        operator: Operator | None = None,
        label: str | None = None,
    ) -> _Draft:
        if label is None:
            if direction is Direction.INBOUND:
                label = person.customer.display_name
            else:
                label = operator.display_name if operator is not None else ""
        event = TimelineEvent(
            customer_id=person.customer.id,
            conversation_id=None,
            kind=kind.value,
            channel=channel,
            direction=direction.value,
            author_operator_id=operator.id if operator is not None else None,
            author_label=label,
            subject=subject,
            body=body,
            attachments=[],
            extra=extra or {},
            provider_id=None,
            delivery=Delivery.DELIVERED.value if direction is Direction.OUTBOUND else None,
            created_at=at,
        )
        return _Draft(at, event)

    def order_details(
        self, rng: random.Random, purchase: Purchase, product: Product
    ) -> tuple[OrderDelivery | None, list[OrderStatusChange]]:
        """How an order travelled and the steps of its life up to its status, in time order
        and all in the past (``rng``: a stream of its own, so that the rest of the demo is the
        same with or without it)."""
        status = purchase.status
        shipped_goods = product.category in _SHIPPED_CATEGORIES
        if status == "paid" or not shipped_goods:
            steps = ["created", "paid"] if status != "cancelled" else ["created", "cancelled"]
        else:
            path = ["created", "paid", "shipped", "delivered", "returned"]
            if status == "cancelled":
                steps = ["created", "paid", "cancelled"]
            else:
                steps = path[: path.index(status) + 1]
        gaps = {
            "paid": rng.uniform(60, 1200),
            "shipped": rng.uniform(4, 30) * 3600,
            "delivered": rng.uniform(1, 4) * 86400,
            "returned": rng.uniform(2, 12) * 86400,
            "cancelled": rng.uniform(0.5, 20) * 3600,
        }
        offsets = [0.0]
        for step in steps[1:]:
            offsets.append(offsets[-1] + gaps[step])
        # Everything is in the past: a recent order's steps come closer together.
        room = (self.now - timedelta(minutes=30) - purchase.purchased_at).total_seconds()
        if offsets[-1] > room > 0:
            offsets = [o * room / offsets[-1] for o in offsets]
        history = [
            OrderStatusChange(
                customer_id=purchase.customer_id,
                order_number=purchase.order_number,
                status=step,
                at=purchase.purchased_at + timedelta(seconds=offset),
                note=_STATUS_NOTES[step],
            )
            for step, offset in zip(steps, offsets, strict=True)
        ]
        if not shipped_goods:
            return None, history
        method, carrier, pattern, _ = rng.choices(
            _DELIVERY_METHODS, [w for *_, w in _DELIVERY_METHODS]
        )[0]
        city, streets = rng.choice(_CITIES)
        low, high = _POSTCODES[city]
        street = f"{rng.choice(streets)}, д. {rng.randint(1, 120)}"
        if method == "pickup_point":
            address = f"{low + rng.randrange(high - low)}, г. {city}, {street} (пункт выдачи)"
        else:
            flat = f", кв. {rng.randint(1, 320)}" if rng.random() < 0.8 else ""
            address = f"{low + rng.randrange(high - low)}, г. {city}, {street}{flat}"
        shipped = "shipped" in steps
        tracking = "".join(str(rng.randrange(10)) if ch == "#" else ch for ch in pattern)
        delivery = OrderDelivery(
            customer_id=purchase.customer_id,
            order_number=purchase.order_number,
            method=method,
            carrier=carrier,
            address=address,
            tracking=tracking if shipped else "",
        )
        for change in history:
            if change.status == "shipped":
                change.note = f"Передан в службу доставки: {carrier}"
        return delivery, history

    def goods(self, person: _Person) -> list[tuple[Purchase, Product]]:
        return [(p, g) for p, g in person.purchases if g.category in _SHIPPED_CATEGORIES]

    def topic(self, person: _Person) -> _Topic:
        """Something this customer might ask about: orders only if they ordered goods."""
        has_goods = bool(self.goods(person))
        return self.rng.choice([t for t in _TOPICS if has_goods or not t.about_goods])

    def fill(self, person: _Person, topic: _Topic, at: datetime) -> dict[str, str]:
        """A topic's placeholders: the customer's latest order of goods placed before ``at``."""
        earlier = [(p, g) for p, g in self.goods(person) if p.purchased_at < at]
        if not topic.about_goods or not earlier:
            return {"order": "", "product": ""}
        purchase, product = max(earlier, key=lambda pair: pair[0].purchased_at)
        return {"order": f" {purchase.order_number}", "product": f" «{product.name}»"}

    def exchange(
        self,
        person: _Person,
        at: datetime,
        channel: str,
        topic: _Topic,
        *,
        answer: str | None,
        thanks: bool,
        max_events: int = 3,
    ) -> list[_Draft]:
        """A customer's question on ``channel`` and, when ``answer`` is given, the reply."""
        rng = self.rng
        values = self.fill(person, topic, at)
        operator = rng.choice(self.agents)
        out: list[_Draft] = []
        if channel == "voice":
            inbound = rng.random() < 0.75
            disposition = rng.choice(_INBOUND_DISPOSITIONS if inbound else _OUTBOUND_DISPOSITIONS)
            if disposition == "no_answer":
                duration, body = 0, "Клиент не ответил."
            elif disposition == "voicemail":
                duration, body = rng.randint(15, 40), "Оставлено голосовое сообщение."
            else:
                duration, body = rng.randint(45, 900), topic.call_summary.format(**values)
            kind_label = "Входящий звонок" if inbound else "Исходящий звонок"
            out.append(
                self.draft(
                    person,
                    at,
                    EventKind.CALL,
                    "voice",
                    Direction.INBOUND if inbound else Direction.OUTBOUND,
                    subject=f"{kind_label}: {topic.subject}",
                    body=body,
                    extra={"duration_s": duration, "disposition": disposition},
                    operator=operator,
                    label=operator.display_name,
                )
            )
            return out
        question = topic.ask.format(**values)
        if channel == "email":
            subject = topic.subject + values["order"]
            out.append(
                self.draft(
                    person,
                    at,
                    EventKind.EMAIL,
                    "email",
                    Direction.INBOUND,
                    subject=subject,
                    body=f"Здравствуйте!\n\n{question}\n\n{person.customer.display_name}",
                )
            )
            if answer is not None and max_events > 1:
                out.append(
                    self.draft(
                        person,
                        at + timedelta(minutes=rng.uniform(20, 240)),
                        EventKind.EMAIL,
                        "email",
                        Direction.OUTBOUND,
                        subject=f"Re: {subject}",
                        body=(
                            f"Здравствуйте, {person.first_name}!\n\n{answer}\n\n"
                            f"С уважением,\n{operator.display_name}\nСлужба поддержки"
                        ),
                        operator=operator,
                    )
                )
            return out
        out.append(
            self.draft(
                person,
                at,
                EventKind.MESSAGE,
                channel,
                Direction.INBOUND,
                body=rng.choice(_GREETINGS) + question,
            )
        )
        if answer is not None and max_events > 1:
            reply_at = at + timedelta(minutes=rng.uniform(1, 15))
            greeting = f"Здравствуйте, {person.first_name}! " if rng.random() < 0.5 else ""
            out.append(
                self.draft(
                    person,
                    reply_at,
                    EventKind.MESSAGE,
                    channel,
                    Direction.OUTBOUND,
                    body=greeting + answer,
                    operator=operator,
                )
            )
            if thanks and max_events > 2:
                out.append(
                    self.draft(
                        person,
                        reply_at + timedelta(minutes=rng.uniform(1, 20)),
                        EventKind.MESSAGE,
                        channel,
                        Direction.INBOUND,
                        body=rng.choice(_THANKS),
                    )
                )
        return out

    def touchpoints(self, person: _Person) -> tuple[list[Touchpoint], list[_Draft]]:
        rng = self.rng
        tickets: list[Touchpoint] = []
        drafts: list[_Draft] = []
        if rng.random() < 0.4:
            topics: list[_Topic] = []
            for _ in range(rng.choice([1, 1, 1, 2])):
                topic = self.topic(person)
                if topic not in topics:
                    topics.append(topic)
            for topic in topics:
                channel = rng.choice(person.channels)
                status = rng.choice(_TOUCHPOINT_OPEN_STATUSES)
                opened = self.now - timedelta(days=rng.uniform(1, 20))
                tickets.append(
                    Touchpoint(
                        customer_id=person.customer.id,
                        channel=channel,
                        subject=topic.subject,
                        status=status,
                        opened_at=opened,
                    )
                )
                answer = {"open": None, "pending": topic.answer}.get(status, _ESCALATED_ANSWER)
                drafts += self.exchange(
                    person, opened, channel, topic, answer=answer, thanks=False, max_events=2
                )
        if rng.random() < 0.25:
            topic = self.topic(person)
            channel = rng.choice(person.channels)
            opened = self.between(person.customer.created_at, self.now - timedelta(days=21))
            tickets.append(
                Touchpoint(
                    customer_id=person.customer.id,
                    channel=channel,
                    subject=topic.subject,
                    status="closed",
                    opened_at=opened,
                    closed_at=opened + timedelta(hours=rng.uniform(1, 96)),
                )
            )
            drafts += self.exchange(
                person, opened, channel, topic, answer=topic.answer, thanks=False, max_events=2
            )
        return tickets, drafts

    def purchase_event(self, person: _Person, purchase: Purchase, product: Product) -> _Draft:
        return self.draft(
            person,
            purchase.purchased_at,
            EventKind.PURCHASE,
            None,
            Direction.INTERNAL,
            subject=f"Заказ {purchase.order_number}",
            body=f"{product.name} — {_rub(purchase.amount)}",
            extra={
                "purchase_id": purchase.id,
                "order_number": purchase.order_number,
                "sku": product.sku,
                "amount": purchase.amount,
                "currency": purchase.currency,
                "status": purchase.status,
            },
            label="Интернет-магазин",
        )

    def notification(self, person: _Person, purchase: Purchase) -> _Draft:
        channel = (
            "sms" if "whatsapp" not in person.channels or self.rng.random() < 0.5 else "whatsapp"
        )
        return self.draft(
            person,
            purchase.purchased_at + timedelta(hours=self.rng.uniform(6, 30)),
            EventKind.MESSAGE,
            channel,
            Direction.OUTBOUND,
            body=(
                f"Заказ {purchase.order_number} передан в службу доставки. "
                "Курьер позвонит за час до приезда."
            ),
            label="Уведомления",
        )

    def timeline(self, person: _Person, drafts: list[_Draft]) -> list[TimelineEvent]:
        """2-8 events: the tickets' messages, an order or two, and other past contacts."""
        rng = self.rng
        target = max(rng.randint(2, 8), len(drafts))
        if person.purchases and len(drafts) < 8:
            for purchase, product in rng.sample(person.purchases, min(len(person.purchases), 2)):
                if len(drafts) >= 8:
                    break
                drafts.append(self.purchase_event(person, purchase, product))
                shipped = purchase.status in ("shipped", "delivered", "returned")
                if shipped and len(drafts) < target and rng.random() < 0.5:
                    drafts.append(self.notification(person, purchase))
        latest = self.now - timedelta(hours=6)  # so that replies, hours later, are past too
        while len(drafts) < target:
            topic = self.topic(person)
            channel = rng.choice(person.channels)
            at = self.between(person.customer.created_at, latest)
            drafts += self.exchange(
                person,
                at,
                channel,
                topic,
                answer=topic.answer,
                thanks=rng.random() < 0.4,
                max_events=target - len(drafts),
            )
        drafts.sort(key=lambda d: d.at)
        events: list[TimelineEvent] = []
        previous: datetime | None = None
        for draft in drafts:
            at = draft.at
            if previous is not None and at <= previous:
                at = previous + timedelta(seconds=1)
            draft.event.created_at = at
            previous = at
            events.append(draft.event)
        return events


def _rub(amount: float) -> str:
    """1290.0 -> "1 290 ₽" (a narrow no-break space between thousands, as Russians write)."""
    whole = f"{amount:,.0f}".replace(",", "\u202f")
    return f"{whole} ₽"


def seed_demo(engine: Engine, *, customers: int = 200, seed: int = 7) -> dict[str, int]:
    """Fill an empty, migrated database with demo data; return how many rows of each kind.

    Raises :class:`AlreadySeeded` when the demo operators are already there.
    """
    if customers < 0:
        raise ValueError(f"customers must not be negative, got {customers}")
    rng = random.Random(seed)
    now = utcnow()
    seeder = _Seeder(rng, now)
    with Session(engine) as session:
        usernames = [username for username, *_ in _OPERATORS]
        existing = session.scalars(
            select(Operator.username).where(Operator.username.in_(usernames))
        ).all()
        if existing:
            raise AlreadySeeded(
                f"the database already holds demo operators ({', '.join(sorted(existing))}); "
                "demo data is seeded only once, into an empty database"
            )

        operators = [
            Operator(
                username=username,
                display_name=display_name,
                password_hash=hash_password(username),
                role=role.value,
                skills=list(skills),
                capacity=dict(capacity),
                language="ru",
            )
            for username, display_name, role, skills, capacity in _OPERATORS
        ]
        queues = [
            Queue(
                name=name,
                channels=list(channels),
                skills=list(skills),
                priority=priority,
                sla_seconds=sla,
                hours=hours,
                display_names=_QUEUE_NAMES.get(name, {}),
            )
            for name, channels, skills, priority, sla, hours in _QUEUES
        ]
        products = [
            Product(sku=sku, name=name, category=category, price=price)
            for sku, name, category, price, _ in _PRODUCTS
        ]
        popularity = [weight for *_, weight in _PRODUCTS]
        session.add_all([*operators, *queues, *products])
        session.flush()
        queue_ids = {queue.name: queue.id for queue in queues}
        canned = [
            stored_canned.TeamEntry(
                shortcut, language, title, text, queue_ids[queue] if queue else None
            )
            for shortcut, language, title, text, queue in _CANNED
        ]
        stored_canned.upsert_team(session.connection(), canned, now)
        seeder.agents = [op for op in operators if op.role != Role.ADMIN.value]

        people = [seeder.make_person() for _ in range(customers)]
        session.add_all([p.customer for p in people])
        session.flush()

        identities: list[Identity] = []
        for person in people:
            identities += seeder.phone(person)
            if rng.random() < 0.85:
                identities.append(seeder.email(person))
            if rng.random() < 0.35:
                identities.append(seeder.telegram(person))
            if rng.random() < 0.3:
                identities.append(seeder.web_visitor(person))
            seeder.purchases(person, products, popularity)

        purchases = sorted(
            (purchase for person in people for purchase, _ in person.purchases),
            key=lambda p: p.purchased_at,
        )
        number = rng.randint(1000, 5000)
        for purchase in purchases:
            number += rng.randint(1, 9)
            purchase.order_number = f"ORD-{purchase.purchased_at.year}-{number:06d}"
        # Orders' quantities, deliveries and status histories: a random stream of their own.
        order_rng = random.Random(f"orders-{seed}")
        deliveries: list[OrderDelivery] = []
        history: list[OrderStatusChange] = []
        for person in people:
            for purchase, product in person.purchases:
                if product.sku.startswith("ACC-") and order_rng.random() < 0.25:
                    purchase.quantity = 2
                    purchase.amount = product.price * 2
                else:
                    purchase.quantity = 1
                delivery, steps = seeder.order_details(order_rng, purchase, product)
                if delivery is not None:
                    deliveries.append(delivery)
                history += steps
        session.add_all([*identities, *purchases, *deliveries, *history])
        session.flush()

        touchpoints: list[Touchpoint] = []
        events: list[TimelineEvent] = []
        for person in people:
            tickets, drafts = seeder.touchpoints(person)
            touchpoints += tickets
            events += seeder.timeline(person, drafts)
        session.add_all([*touchpoints, *events])
        session.commit()

        return {
            "operators": len(operators),
            "queues": len(queues),
            "products": len(products),
            "customers": len(people),
            "identities": len(identities),
            "purchases": len(purchases),
            "touchpoints": len(touchpoints),
            "timeline_events": len(events),
            "order_deliveries": len(deliveries),
            "order_status_history": len(history),
            "canned_responses": len(canned),
        }
