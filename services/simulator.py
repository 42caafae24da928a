"""Simulated customer traffic, through the same normalised path as the real adapters.

Known customers (their identities are read from the store) and new ones write on web chat,
e-mail, Telegram, WhatsApp and SMS, and call; some switch channel midway. Used by the demo and by
the benchmarks.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import random
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import Connection, select

from services.domain.errors import DomainError
from services.domain.inbox import ChannelAdapter, InboundMessage, Inbox
from services.protocol.channels import CHANNELS
from services.store import tables
from services.store.store import Store

log = logging.getLogger(__name__)

OPENERS = [
    "Здравствуйте! Не пришёл заказ {order}, подскажите, где он?",
    "Добрый день, хочу вернуть товар, как это сделать?",
    "Почему с карты списали деньги дважды?",
    "Подскажите, можно ли сменить тариф без доплаты?",
    "Не могу войти в личный кабинет, пишет «неверный пароль».",
    "Когда будет доставка? Курьер не звонил.",
    "Хочу оформить рассрочку на телефон.",
    "Здравствуйте, продлите, пожалуйста, страховку.",
]
FOLLOW_UPS = [
    "Спасибо, жду.",
    "Номер заказа я уже писал в чате.",
    "А можно побыстрее?",
    "Да, всё верно.",
    "Перезвоните мне, пожалуйста.",
    "Отправил фото чека.",
]
SUBJECTS = ["Вопрос по заказу", "Возврат", "Счёт за ноябрь", "Жалоба", "Доставка"]
# The identity kind a contact on each simulated channel comes from: the one channel table.
CHANNEL_KINDS = {
    name: spec.inbound_kind
    for name, spec in CHANNELS.items()
    if spec.inbound_kind is not None and name != "visit"
}


@dataclass
class Persona:
    identities: dict[str, str]
    name: str = ""
    sent: int = 0


@dataclass
class SimStats:
    sent: int = 0
    failed: int = 0
    channel_switches: int = 0
    by_channel: dict[str, int] = field(default_factory=dict)


class Simulator:
    def __init__(
        self,
        inbox: Inbox,
        store: Store,
        *,
        rate_per_s: float = 1.0,
        seed: int | None = None,
        new_customer_share: float = 0.2,
        backlog: Callable[[], int] | None = None,
        max_backlog: int = 0,
    ) -> None:
        self.inbox = inbox
        # Conversations waiting for an operator now; past max_backlog the simulated customers
        # hold back, so that the demo stays workable for the one operator signed in.
        self.backlog = backlog
        self.max_backlog = max_backlog
        self.store = store
        self.rate = rate_per_s
        self.rng = random.Random(seed)
        self.new_share = new_customer_share
        self.personas: list[Persona] = []
        self.stats = SimStats()
        self._ids = itertools.count(1)

    async def load_customers(self, limit: int = 500) -> None:
        rows = await self.store.read(lambda c: _identities(c, limit))
        by_customer: dict[int, dict[str, str]] = {}
        for cid, kind, value in rows:
            by_customer.setdefault(cid, {})[kind] = value
        self.personas = [Persona(ids) for ids in by_customer.values()]

    def _new_persona(self) -> Persona:
        n = self.rng.randrange(10**9)
        return Persona(
            {
                "web_visitor": "sim-" + secrets.token_hex(8),
                "phone": f"+7916{n % 10**7:07d}",
                "email": f"client{n}@example.ru",
                "telegram": str(10**8 + n),
            },
            name=self.rng.choice(["Пётр", "Мария", "Ольга", "Игорь", "Светлана", "Артём"]),
        )

    def next_message(self) -> InboundMessage:
        """One realistic inbound touchpoint (used by the loop and by the benchmarks)."""
        if not self.personas or self.rng.random() < self.new_share:
            persona = self._new_persona()
            self.personas.append(persona)
        else:
            persona = self.rng.choice(self.personas)
        channels = [
            ch
            for ch, kind in CHANNEL_KINDS.items()
            if kind in persona.identities or (kind == "phone" and "phone" in persona.identities)
        ]
        channel = self.rng.choice(channels or ["webchat"])
        if channel == "whatsapp" and "whatsapp" not in persona.identities:
            channel = "sms"
        if channel not in CHANNEL_KINDS or CHANNEL_KINDS[channel] not in persona.identities:
            channel = "webchat"
            persona.identities.setdefault("web_visitor", "sim-" + secrets.token_hex(8))
        kind = CHANNEL_KINDS[channel]
        text = (
            self.rng.choice(OPENERS).format(order=f"ORD-2026-{self.rng.randrange(10**6):06d}")
            if persona.sent == 0
            else self.rng.choice(FOLLOW_UPS)
        )
        persona.sent += 1
        msg = InboundMessage(
            channel=channel,
            identity_kind=kind,
            identity_value=persona.identities[kind],
            text=text,
            display_name=persona.name,
            provider_id=f"sim-{channel}-{next(self._ids)}-{secrets.token_hex(4)}",
            verified=channel in ("sms", "voice", "whatsapp", "telegram"),
        )
        if channel == "email":
            msg.kind = "email"
            msg.subject = self.rng.choice(SUBJECTS)
        elif channel == "voice":
            msg.kind = "call"
            msg.text = ""
            msg.extra = {"event": "ringing"}
        return msg

    async def run(self, count: int | None = None) -> SimStats:
        if not self.personas:
            await self.load_customers()
        sent = 0
        while count is None or sent < count:
            if self.backlog is not None and 0 < self.max_backlog <= self.backlog():
                await asyncio.sleep(1.0 / self.rate if self.rate > 0 else 1.0)
                continue
            msg = self.next_message()
            try:
                await self.inbox.ingest(msg)
                self.stats.sent += 1
                self.stats.by_channel[msg.channel] = self.stats.by_channel.get(msg.channel, 0) + 1
            except DomainError as exc:
                self.stats.failed += 1
                log.warning("simulated message refused: %s", exc.message)
            sent += 1
            if self.rate > 0:
                await asyncio.sleep(self.rng.expovariate(self.rate))
        return self.stats


def _identities(conn: Connection, limit: int) -> list[Any]:
    t = tables.identities
    rows = conn.execute(
        select(t.c.customer_id, t.c.kind, t.c.value).order_by(t.c.customer_id).limit(limit * 4)
    ).all()
    return [(r.customer_id, r.kind, r.value) for r in rows]


class SimulatedProvider:
    """Stands in for a provider (e-mail server, Telegram, WhatsApp, SMS gateway, PBX) in the
    demo only: replies are accepted and get a provider id, then count as delivered.

    Real adapters replace these one channel at a time; the gateway never registers them unless
    simulated traffic was asked for.
    """

    def __init__(self, inbox: Inbox, channel: str, delivery_delay_s: float = 0.5) -> None:
        self.inbox = inbox
        self.channel = channel
        self.delay = delivery_delay_s
        self._ids = itertools.count(1)
        self._tasks: set[asyncio.Task[None]] = set()

    async def send(self, msg: Any) -> str:
        provider_id = f"sim-{self.channel}-out-{next(self._ids)}"
        task = asyncio.get_running_loop().create_task(self._delivered(msg.event_id))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return provider_id

    async def _delivered(self, event_id: int) -> None:
        await asyncio.sleep(self.delay)
        await self.inbox.set_delivery(event_id, "delivered")


class ChannelHost(Inbox, Protocol):
    """Where adapters are registered: the hub, as the composition root sees it."""

    adapters: dict[str, ChannelAdapter]

    def register_adapter(self, adapter: ChannelAdapter) -> None: ...


def register_simulated_providers(host: ChannelHost) -> list[str]:
    """Give every writable channel without a real adapter a simulated one (demo only)."""
    added = []
    for channel in ("email", "telegram", "whatsapp", "sms", "voice"):
        if channel not in host.adapters:
            host.register_adapter(SimulatedProvider(host, channel))
            added.append(channel)
    return added
