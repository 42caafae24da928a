"""The import layers (pyproject.toml [tool.importlinter]) hold, and a violation is caught."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT = Path(sys.executable).with_name("lint-imports")


def lint(tree: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(tree))
    return subprocess.run(
        [str(LINT), "--config", str(tree / "pyproject.toml"), "--no-cache"],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A copy of the three packages and the contracts, to break on purpose."""
    for package in ("services", "omnidesk_qt", "ui"):
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("*.pyc"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_layers_hold(tree: Path) -> None:
    result = lint(tree)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "contract"),
    [
        # the store reaching up into the hub
        ("services/store/shortcut.py", "from services.hub import Hub\n", "layers"),
        # the gateway's core importing Qt
        ("services/hub/window.py", "import PySide6.QtCore\n", "never imports Qt"),
        # a widget opening the database
        ("ui/peek.py", "import sqlalchemy\n", "never touch sockets"),
        # the desktop's session reaching into the hub
        ("omnidesk_qt/peek.py", "from services.hub import state\n", "gateway's wire types"),
    ],
)
def test_a_deliberate_violation_fails(tree: Path, module: str, line: str, contract: str) -> None:
    (tree / module).write_text(f'"""A deliberate violation."""\n\n{line}')
    result = lint(tree)
    assert result.returncode != 0
    assert "BROKEN" in result.stdout
    broken = [ln for ln in result.stdout.splitlines() if " BROKEN" in ln]
    assert any(contract in ln for ln in broken), result.stdout
