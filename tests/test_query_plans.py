"""The morning view's queries read the `promises_due` index alone (migration m005).

`due` lists thousands of promises every morning; reading one table row for each
was a quarter of its time on the benchmark dataset (issue 13). These tests run
the real commands, catch every statement they send that reads promises, and ask
SQLite how it answers each: from the covering index, never the table. A column
added to one of those queries but not to the index fails here, not silently.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import Run


@pytest.fixture
def statements(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every statement (with its values bound) the commands send, through sqlite3.connect."""
    sent: list[str] = []
    connect = sqlite3.connect

    def traced(*args: object, **kwargs: object) -> sqlite3.Connection:
        conn = connect(*args, **kwargs)  # type: ignore[arg-type]
        conn.set_trace_callback(sent.append)
        return conn

    monkeypatch.setattr(sqlite3, "connect", traced)
    yield sent


def promise_plans(db: Path, sent: list[str]) -> list[tuple[str, list[str]]]:
    """Each SELECT that reads the promises table, with its plan's lines about that table."""
    conn = sqlite3.connect(db)
    try:
        found = []
        for sql in sent:
            if not sql.lstrip().upper().startswith("SELECT") or "FROM promises" not in sql:
                continue
            plan = [row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + sql)]
            about = [line for line in plan if " p " in f" {line} " or "promises" in line]
            found.append((sql, about))
        return found
    finally:
        conn.close()


def seed(run: Run) -> None:
    for args in (
        ("Acme", "Monthly report", "--every", "monthly", "--to", "Tanaka", "--start", "2026-09-23"),
        ("Acme", "Send the deck", "--due", "2026-11-23"),
        ("Beacon", "Weekly call notes", "--every", "weekly on mon", "--start", "2026-11-02"),
        ("Beacon", "Quarterly review", "--every", "quarterly", "--start", "2026-12-01"),
    ):
        assert run("promise", *args).exit_code == 0
    assert run("pause", "3", "--until", "2026-12-07").exit_code == 0


@pytest.mark.parametrize(
    "command",
    [("due",), ("due", "--json"), ("due", "--team"), ("due", "--owner", "alice"), ("clients",)],
)
def test_due_and_clients_read_promises_from_the_covering_index(
    run: Run, isolated: Path, statements: list[str], command: tuple[str, ...]
) -> None:
    seed(run)
    statements.clear()
    result = run(*command)
    assert result.exit_code == 0, result.stderr
    plans = promise_plans(isolated, statements)
    assert len(plans) >= 2, statements  # due: listed and paused; clients: open and overdue
    for sql, plan in plans:
        assert plan, sql
        for line in plan:
            assert "COVERING INDEX promises_due" in line, (sql, plan)
