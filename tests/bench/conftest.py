"""Benchmarks write their figures to bench-results.json at the repository root."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

RESULTS = Path(__file__).resolve().parents[2] / "bench-results.json"


class Figures(dict[str, float]):
    def record(self, name: str, value: float) -> None:
        self[name] = round(float(value), 3)
        print(f"  {name} = {self[name]}")


@pytest.fixture(scope="session")
def figures() -> Iterator[Figures]:
    figs = Figures()
    yield figs
    old = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    old.update(figs)
    RESULTS.write_text(json.dumps(old, indent=2, sort_keys=True) + "\n")
