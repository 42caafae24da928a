"""Security item 9: what the gateway logs about a refused write names the constraint, never the
values (a visitor's id, a message body)."""

from __future__ import annotations

import logging

import pytest

from services.logs import JsonFormatter, RedactingFormatter
from tests.gateway.conftest import RunningGateway
from tests.support.opclient import ChatVisitor

BODY = "my card is 4276 5500 1234 5678"


def _rendered(records: list[logging.LogRecord]) -> list[str]:
    """Each record as the gateway's two formatters write it (with any traceback)."""
    plain = RedactingFormatter("%(levelname)s %(name)s: %(message)s")
    return [f(r) for r in records for f in (plain.format, JsonFormatter().format)]


async def test_a_resent_message_logs_the_constraint_not_the_visitor(
    gateway: RunningGateway, db_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)  # what the gateway logs (services.logs.setup_logging)
    visitor = await ChatVisitor.connect(gateway.url)
    secrets = (visitor.visitor_token, visitor.handle)
    first = await visitor.say(BODY, msg_id="c-1")
    again = await visitor.say(BODY, msg_id="c-1")  # the widget re-sends after a lost ack
    await visitor.close()
    assert first["type"] == again["type"] == "ack"
    assert again["event_id"] == first["event_id"]

    for line in _rendered(caplog.records):
        assert not any(s in line for s in secrets) and BODY not in line, line
    refusals = [r for r in caplog.records if r.getMessage() == "store job refused by a constraint"]
    assert len(refusals) == 1
    constraint = refusals[0].constraint  # type: ignore[attr-defined]
    if db_url.startswith("postgresql"):
        assert constraint == "uq_timeline_events_channel_provider_id"
    else:
        assert "timeline_events.provider_id" in constraint
