"""Fixtures for the reliability suite (helpers live in support.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from .support import Run, in_process, run_handoff


@pytest.fixture(autouse=True)
def in_tmp_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Commands run from the test's own directory (`backup` writes there by default)."""
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def db(isolated: Path) -> Path:
    """This test's database path (not created yet); $HANDOFF_DB points at it."""
    return isolated


@pytest.fixture
def handoff() -> Run:
    """handoff("log", "Acme", "hi") -> Done, as a separate process."""
    return run_handoff


@pytest.fixture
def cli(run: Any) -> Run:
    """Like `handoff`, in this process (CliRunner): cli("log", "Acme", "hi") -> Done."""
    return in_process(run)
