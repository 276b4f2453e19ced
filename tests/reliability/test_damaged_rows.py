"""Issue 15.7: rows edited by hand or by another tool are named, not tracebacks.

A bad `at`, `tags`, `next_due` or `start`, a BLOB `text`, `2026-02-30` in a
completion: SQLite's integrity check passes, and `show`, `due`, `export`,
`done`, `edit` failed with ValueError, JSONDecodeError or TypeError while
`doctor` said ok. Now `doctor` reads every stored date and JSON field, runs
`foreign_key_check`, names the bad rows and exits 3; the other commands give
one line that points to `handoff doctor` (exit 3).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from .support import Run, assert_clean_failure, connect, run_handoff

TAMPERING = {
    "note at": (
        "UPDATE notes SET at = '2026-02-30T10:00:00+09:00' WHERE id = 1",
        "notes #1: at '2026-02-30T10:00:00+09:00' is not a date-time",
        [["show", "Acme"], ["export", "--format", "json"], ["edit", "1", "--text", "x"]],
    ),
    "note tags": (
        "UPDATE notes SET tags = 'urgent' WHERE id = 1",
        "notes #1: tags 'urgent' is not a JSON list",
        [["show", "Acme", "--json"], ["export", "--format", "csv"]],
    ),
    "note text": (
        "UPDATE notes SET text = X'00ff' WHERE id = 1",
        "notes #1: text a 2-byte BLOB is not text",
        [["show", "Acme"], ["export"]],
    ),
    "next due": (
        "UPDATE promises SET next_due = '2026-02-30' WHERE id = 1",
        "promises #1: next_due '2026-02-30' is not a date",
        [["due"], ["promises"], ["export", "--format", "ics"]],
    ),
    "start": (
        "UPDATE promises SET start = '2026-13-01' WHERE id = 1",
        "promises #1: start '2026-13-01' is not a date",
        [["due"], ["done", "1"]],
    ),
    "completion day": (
        "UPDATE completions SET day = '2026-02-30' WHERE id = 1",
        "completions #1: day '2026-02-30' is not a date",
        [["done", "1"], ["export", "--format", "json"]],
    ),
}


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One small database made through the CLI, copied for each case."""
    import os

    path = tmp_path_factory.mktemp("pristine") / "handoff.db"
    env = {**os.environ, "HANDOFF_DB": str(path)}
    for args in (
        ["log", "Acme", "called", "--tag", "fees"],
        ["promise", "Acme", "Monthly report", "--every", "monthly", "--start", "2026-10-01"],
        ["done", "1", "--at", "2026-10-02"],
    ):
        run_handoff(*args, env=env).ok()
    with connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


@pytest.mark.parametrize("case", sorted(TAMPERING))
def test_a_damaged_row_is_named_by_doctor_and_pointed_to_by_the_rest(
    db: Path, pristine: Path, cli: Run, case: str
) -> None:
    sql, named, commands = TAMPERING[case]
    db.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(pristine, db)
    with connect(db) as conn:
        conn.execute(sql)
    for args in commands:
        # `due` in its own process: it goes through the fast path, the rest through Typer.
        done = run_handoff(*args) if args == ["due"] else cli(*args)
        line = assert_clean_failure(done, code=3)
        assert "has damaged rows" in line and "`handoff doctor` lists them" in line, (args, line)
        assert named in line, (args, line)
    doctor = cli("doctor")
    assert doctor.code == 3, doctor.stdout
    assert f"  {named}" in doctor.stdout.splitlines(), doctor.stdout
    assert "Integrity:  ok" in doctor.stdout  # SQLite itself sees nothing wrong
    report = cli("doctor", "--json")
    assert report.code == 3 and report.json()["damaged_rows"] == [named]


def test_doctor_names_rows_that_point_nowhere(db: Path, pristine: Path, cli: Run) -> None:
    db.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(pristine, db)
    with connect(db) as conn:  # foreign keys are off by default in a plain connection
        conn.execute("UPDATE notes SET client_id = 99 WHERE id = 1")
        conn.execute("UPDATE completions SET promise_id = 42 WHERE id = 1")
    doctor = cli("doctor")
    assert doctor.code == 3
    lines = doctor.stdout.splitlines()
    assert "References: 2 rows pointing to rows that are gone" in lines, doctor.stdout
    assert "  notes #1: client_id points to no clients row" in lines
    assert "  completions #1: promise_id points to no promises row" in lines
    assert cli("doctor", "--json").json()["foreign_keys"] == [
        "notes #1: client_id points to no clients row",
        "completions #1: promise_id points to no promises row",
    ]


def test_a_healthy_database_passes(db: Path, pristine: Path, cli: Run) -> None:
    db.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(pristine, db)
    doctor = cli("doctor").ok()
    assert "References: ok" in doctor.stdout and "Rows:       ok" in doctor.stdout
    assert cli("doctor", "--json").json()["ok"] is True


def test_an_error_that_damaged_rows_do_not_explain_stays_a_bug(db: Path, pristine: Path) -> None:
    """Only damage is turned into the doctor line; a ValueError of ours keeps its traceback."""
    from handoff_cli.cli.actions import report_failure

    db.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(pristine, db)
    with pytest.raises(ValueError, match="a bug"):
        report_failure(ValueError("a bug"), db)
    with pytest.raises(TypeError, match="another"):
        report_failure(TypeError("another"), db)
