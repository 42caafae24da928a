"""Response targets of a queue from the CLI: what add-queue and update-queue take and refuse,
what list-queues shows."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from services.store import tables
from services.store.db import make_engine
from tests.gateway.conftest import GatewayCli


def stored_targets(db_url: str) -> list[tuple[str, object]]:
    engine = make_engine(db_url)
    try:
        with engine.connect() as c:
            found = c.execute(
                select(tables.queues.c.name, tables.queues.c.response_targets).order_by(
                    tables.queues.c.name
                )
            ).all()
    finally:
        engine.dispose()
    return [(r.name, r.response_targets) for r in found]


def test_targets_are_set_per_channel_merged_and_listed(
    db_url: str, gateway_cli: GatewayCli, capsys: pytest.CaptureFixture[str]
) -> None:
    assert gateway_cli(db_url, "add-queue", "plain") == 0
    assert (
        gateway_cli(
            db_url,
            "add-queue",
            "support",
            "--first-response",
            "webchat=45,Email=3600",
            "--next-response",
            "email=7200",
        )
        == 0
    )
    assert stored_targets(db_url) == [
        ("plain", {}),
        (
            "support",
            {
                "first_response_s": {"email": 3600, "webchat": 45},
                "next_response_s": {"email": 7200},
            },
        ),
    ]
    # Only the channels named change; "default" gives a channel its default back.
    assert (
        gateway_cli(db_url, "update-queue", "support", "--first-response", "webchat=default") == 0
    )
    assert gateway_cli(db_url, "update-queue", "support", "--next-response", "sms=900") == 0
    assert stored_targets(db_url)[1] == (
        "support",
        {"first_response_s": {"email": 3600}, "next_response_s": {"email": 7200, "sms": 900}},
    )
    capsys.readouterr()
    assert gateway_cli(db_url, "list-queues") == 0
    listed = capsys.readouterr().out.splitlines()
    assert listed[0].endswith("hours always  first-response defaults  next-response defaults")
    assert listed[1].startswith("support  priority 0  sla 60s")
    assert listed[1].endswith("first-response email=3600  next-response email=7200,sms=900")


BAD_TARGETS = [
    (("--first-response", "fax=30"), "unknown channel 'fax' in --first-response"),
    (("--first-response", "webchat=0"), "a response target is 1 to 604800 seconds"),
    (("--next-response", "email=-5"), "a response target is 1 to 604800 seconds"),
    (("--next-response", "email=604801"), "a response target is 1 to 604800 seconds"),
    (("--first-response", "webchat"), "write channel=seconds"),
    (("--first-response", "sms=soon"), "'soon' is not a whole number of seconds"),
    (("--first-response", " , "), "needs channel=seconds entries"),
]


@pytest.mark.parametrize("command", ["add-queue", "update-queue"])
def test_bad_targets_are_one_clear_line(
    db_url: str, gateway_cli: GatewayCli, command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert gateway_cli(db_url, "add-queue", "sales", "--first-response", "sms=600") == 0
    for args, expected in BAD_TARGETS:
        capsys.readouterr()
        name = "support" if command == "add-queue" else "sales"
        assert gateway_cli(db_url, command, name, *args) == 1, args
        err = capsys.readouterr().err
        lines = [line for line in err.splitlines() if line.startswith("omnidesk-gateway:")]
        assert len(lines) == 1 and expected in lines[0], (args, err)
    # Nothing was changed or half-made by the refused commands.
    assert stored_targets(db_url) == [("sales", {"first_response_s": {"sms": 600}})]
