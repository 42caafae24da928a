"""Small, explicit test data: who can do what is visible in the test that uses it."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from services.auth import hash_password
from services.store.models import Operator, Queue

CAP = {"webchat": 3, "email": 5, "telegram": 3, "whatsapp": 3, "sms": 3, "voice": 1}


def seed_small(engine: Engine) -> None:
    """agents a1, a2 (general), b1 (billing only), supervisor lead; queues general, billing."""
    pw = {name: hash_password(name) for name in ("a1", "a2", "b1", "lead")}
    with Session(engine) as s:
        s.add_all(
            [
                Operator(
                    username="a1",
                    display_name="Анна",
                    password_hash=pw["a1"],
                    role="agent",
                    skills=["general"],
                    capacity=CAP,
                ),
                Operator(
                    username="a2",
                    display_name="Борис",
                    password_hash=pw["a2"],
                    role="agent",
                    skills=["general"],
                    capacity=CAP,
                ),
                Operator(
                    username="b1",
                    display_name="Вера",
                    password_hash=pw["b1"],
                    role="agent",
                    skills=["billing"],
                    capacity=CAP,
                ),
                Operator(
                    username="lead",
                    display_name="Елена",
                    password_hash=pw["lead"],
                    role="supervisor",
                    skills=["general", "billing"],
                    capacity=CAP,
                ),
                Queue(
                    name="general",
                    channels=["webchat", "email", "telegram", "whatsapp"],
                    skills=["general"],
                    priority=0,
                    sla_seconds=60,
                ),
                Queue(
                    name="billing",
                    channels=["sms", "voice"],
                    skills=["billing"],
                    priority=5,
                    sla_seconds=120,
                ),
            ]
        )
        s.commit()
