"""Database errors in logs: the constraint and SQLSTATE, never the values that broke it."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError

from services.logs import JsonFormatter, RedactingFormatter
from services.store import tables
from services.store.errors import constraint_name, describe_database_error
from services.store.models import utcnow

SECRET_NAME = "Ирина Секретова"
SECRET_PHONE = "+79165550199"


def _refused_insert(engine: Engine) -> IntegrityError:
    with engine.connect() as conn:
        cid = conn.execute(
            tables.customers.insert().returning(tables.customers.c.id),
            {"display_name": SECRET_NAME, "name_search": "x", "created_at": utcnow()},
        ).scalar_one()
        row = {"customer_id": cid, "kind": "phone", "value": SECRET_PHONE, "created_at": utcnow()}
        conn.execute(tables.identities.insert(), row)
        try:
            conn.execute(tables.identities.insert(), row)
        except IntegrityError as exc:
            conn.rollback()
            return exc
    raise AssertionError("the second identity was accepted")


def test_a_constraint_error_is_described_without_its_values(engine: Engine) -> None:
    exc = _refused_insert(engine)
    assert SECRET_PHONE in str(exc.orig) or engine.dialect.name == "sqlite"  # what we must hide
    text = describe_database_error(exc)
    assert SECRET_PHONE not in text and SECRET_NAME not in text
    if engine.dialect.name == "postgresql":
        assert constraint_name(exc) == "uq_identities_kind_value"
        assert text == "IntegrityError (sqlstate 23505, constraint uq_identities_kind_value)"
    else:
        assert "identities.kind, identities.value" in text


@pytest.mark.parametrize("formatter", [JsonFormatter(), RedactingFormatter()])
def test_a_logged_traceback_of_a_database_error_hides_its_message(
    engine: Engine, formatter: logging.Formatter, caplog: pytest.LogCaptureFixture
) -> None:
    exc = _refused_insert(engine)
    log = logging.getLogger("test.errors")
    with caplog.at_level(logging.ERROR, logger="test.errors"):
        try:
            try:
                raise exc
            except IntegrityError as inner:
                raise RuntimeError("saving the identity failed") from inner
        except RuntimeError:
            log.exception("job failed")
    out = formatter.format(caplog.records[-1])
    assert SECRET_PHONE not in out and "[parameters" not in out
    assert "RuntimeError: saving the identity failed" in out  # other errors read as usual
    assert "IntegrityError (" in out and "test_errors.py" in out  # where it came from stays
