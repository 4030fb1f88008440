"""Shared fixtures: the hand-made clean dataset and a way to plant one fault in a copy."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"
CLEAN = DATA / "clean"


@pytest.fixture
def clean_dir(tmp_path: Path) -> Path:
    """A writable copy of tests/data/clean (inputs are never modified in place)."""
    target = tmp_path / "clean"
    shutil.copytree(CLEAN, target)
    return target


def append_line(path: Path, line: str) -> int:
    """Append a CSV line; return its row number as the user sees it (header = 1)."""
    text = path.read_text(encoding="utf-8")
    if not text.endswith("\n"):
        text += "\n"
    text += line + "\n"
    path.write_text(text, encoding="utf-8")
    return len(text.rstrip("\n").split("\n"))


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture(autouse=True)
def _command_language_unset(monkeypatch):
    """Every test starts with CHIBO_LANG unset (Vietnamese), whatever the shell running them has."""
    monkeypatch.delenv("CHIBO_LANG", raising=False)
