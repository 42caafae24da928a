"""Logging: readable lines for people, one JSON object a line for machines and tests."""

from __future__ import annotations

import json
import logging
import sys
import traceback
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import TypeAlias

from services.store.errors import describe_database_error, is_database_error

ExcInfo: TypeAlias = tuple[type[BaseException], BaseException, TracebackType | None]

_STD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


class RedactingFormatter(logging.Formatter):
    """Tracebacks as usual, except that a database error shows no message of its own: the
    driver's text quotes the values that broke a constraint (personal data, message bodies)."""

    def format(self, record: logging.LogRecord) -> str:
        if record.exc_info:
            # Another handler's formatter may have cached its own (unredacted) text.
            record.exc_text = None
        return super().format(record)

    def formatException(self, ei: ExcInfo | tuple[None, None, None]) -> str:
        exc = ei[1]
        if exc is None or not any(is_database_error(e) for e in _chain(exc)):
            return super().formatException(ei)
        parts: list[str] = []
        for i, e in enumerate(reversed(_chain(exc))):
            if i:
                parts.append("\nThe above exception led to the following:\n\n")
            parts.append("Traceback (most recent call last):\n")
            parts.extend(traceback.format_tb(e.__traceback__))
            if is_database_error(e):
                parts.append(describe_database_error(e) + "\n")
            else:
                parts.extend(traceback.format_exception_only(e))
        return "".join(parts).rstrip("\n")


def _chain(exc: BaseException) -> list[BaseException]:
    """The exception and those it came from, newest first."""
    out: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and all(current is not seen for seen in out):
        out.append(current)
        current = current.__cause__ or (
            None if current.__suppress_context__ else current.__context__
        )
    return out


class JsonFormatter(RedactingFormatter):
    def format(self, record: logging.LogRecord) -> str:
        out = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STD and not key.startswith("_"):
                out[key] = value
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False, default=str)


def setup_logging(*, json_lines: bool, level: str = "INFO", file: Path | None = None) -> None:
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if file is not None:
        file.parent.mkdir(parents=True, exist_ok=True)
        handlers.append(logging.FileHandler(file, encoding="utf-8"))
    fmt: logging.Formatter = (
        JsonFormatter()
        if json_lines
        else RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    root = logging.getLogger()
    for h in list(root.handlers):
        root.removeHandler(h)
    for h in handlers:
        h.setFormatter(fmt)
        root.addHandler(h)
    root.setLevel(level)
    logging.getLogger("websockets").setLevel(logging.WARNING)
