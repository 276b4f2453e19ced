"""Every test gets its own database and a pinned clock, author and terminal width."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

NOW = "2026-11-23T10:00:00+09:00"  # a Monday


def _build_the_command_tree_once() -> None:
    """`CliRunner.invoke(app)` turns the Typer app into Click commands on every call
    (`typer.main.get_command`: it inspects every command's signature, ~60 ms of a
    ~65 ms in-process `handoff clients` here). The tree does not change between
    invocations, so the suite builds it once per app. `handoff` itself builds it once
    per process, as before; only the tests' repeated invocations are cut.
    """
    import functools

    import typer.testing

    typer.testing._get_command = functools.cache(typer.testing._get_command)  # type: ignore[attr-defined]


_build_the_command_tree_once()

# Every command registered, before any test runs: `main()` called in-process
# (test_storage, test_hostile_text) registers only the module of the command it
# runs when it is the first to import the root app (cli/registry.py), and the app
# is imported once per process; a test of another command would then find none.
import handoff_cli.cli.root  # noqa: E402,F401


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    db = tmp_path / "data" / "handoff.db"
    monkeypatch.setenv("HANDOFF_DB", str(db))
    monkeypatch.setenv("HANDOFF_NOW", NOW)
    monkeypatch.setenv("HANDOFF_AUTHOR", "alice")
    monkeypatch.setenv("COLUMNS", "120")
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))  # never the user's own
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.delenv("EDITOR", raising=False)
    import time

    time.tzset()
    return db


def pretend_stdin_is_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make CliRunner's standard input say it is a terminal (so `log` opens $EDITOR).

    Done through CliRunner's public `isolation()`: the stream class behind it is
    private and moved between Typer releases (typer._click.testing in 0.26).
    """
    import sys
    from contextlib import contextmanager

    original = CliRunner.isolation

    @contextmanager
    def isolation(self: CliRunner, *args: Any, **kwargs: Any) -> Any:
        with original(self, *args, **kwargs) as streams:
            sys.stdin.isatty = lambda: True  # type: ignore[method-assign]
            yield streams

    monkeypatch.setattr(CliRunner, "isolation", isolation)


class Result:
    def __init__(self, exit_code: int, stdout: str, stderr: str) -> None:
        self.exit_code = exit_code
        self.stdout = stdout
        self.stderr = stderr

    def json(self) -> Any:
        return json.loads(self.stdout)


Run = Callable[..., Result]


@pytest.fixture
def run() -> Run:
    """Run the real CLI in-process: run("log", "Acme", "hi", input=None) -> Result."""
    from handoff_cli.cli import app

    runner = CliRunner()

    def invoke(*args: str, input: str | None = None) -> Result:
        result = runner.invoke(app, list(args), input=input, catch_exceptions=False)
        return Result(result.exit_code, result.stdout, result.stderr)

    return invoke
