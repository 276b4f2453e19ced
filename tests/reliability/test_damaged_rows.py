"""Issue 15.7: rows edited by hand or by another tool are named, not tracebacks.

A bad `at`, `tags`, `next_due` or `start`, a BLOB `text`, `2026-02-30` in a
completion: SQLite's integrity check passes, and `show`, `due`, `export`,
`done`, `edit` failed with ValueError, JSONDecodeError or TypeError while
`doctor` said ok. Now `doctor` reads every stored date and JSON field, runs
`foreign_key_check`, names the bad rows and exits 3; the other commands give
one line that points to `handoff doctor` (exit 3).

The columns added since the first schema (what a completion covers and its
kind, a one-off's `due_at`, `covered_through`, the pause days, the `pauses`
and `undos` tables, the stamps) are read the same way: a test below fails when
the schema has a column that `doctor` neither checks nor explicitly exempts.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from .support import Run, assert_clean_failure, connect, run_handoff

NOW = "2026-11-23T10:00:00+09:00"  # conftest's pinned clock: pause --until is after it

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
    # Columns and tables added since schema version 1. `{pause}` and `{undo}` stand
    # for the uuid of the one pause and the one undo (rows without an integer id).
    "completion covers": (
        "UPDATE completions SET covers = 'oops' WHERE id = 1",
        "completions #1: covers 'oops' is not a JSON list of dates",
        [
            ["done", "1", "--early"],
            ["undo", "1"],
            ["skip", "1"],
            ["modify", "1", "--title", "Report"],
            ["export", "--format", "json"],
        ],
    ),
    "completion covers a day that does not exist": (
        """UPDATE completions SET covers = '["2026-02-30"]' WHERE id = 1""",
        """completions #1: covers '["2026-02-30"]' is not a JSON list of dates""",
        [["done", "1", "--early"], ["export", "--format", "json"]],
    ),
    "completion kind": (  # read as "not done": nothing fails, but `due` would be wrong
        "UPDATE completions SET kind = 'maybe' WHERE id = 1",
        "completions #1: kind 'maybe' is not one of done, skip",
        [],
    ),
    "completion stamp": (
        "UPDATE completions SET stamp = X'00' WHERE id = 1",
        "completions #1: stamp a 1-byte BLOB is not a stamp",
        [["undo", "1"], ["export", "--format", "json"]],
    ),
    "due at": (
        "UPDATE promises SET due_at = 'garbage' WHERE id = 2",
        "promises #2: due_at 'garbage' is not a date-time",
        [
            ["show", "Acme"],
            ["promises"],
            ["done", "2"],
            ["modify", "2", "--title", "Contract"],
            ["export", "--format", "ics"],
            ["export", "--format", "md"],
        ],
    ),
    "covered through": (
        "UPDATE promises SET covered_through = '2026-02-30' WHERE id = 1",
        "promises #1: covered_through '2026-02-30' is not a date",
        [["done", "1", "--early"], ["skip", "1"], ["promises", "--json"], ["export"]],
    ),
    "paused from": (
        "UPDATE promises SET paused_from = '2026-02-30' WHERE id = 3",
        "promises #3: paused_from '2026-02-30' is not a date",
        [["show", "Acme"], ["agenda"], ["resume", "3"]],
    ),
    "paused until": (
        "UPDATE promises SET paused_until = '2026-13-01' WHERE id = 3",
        "promises #3: paused_until '2026-13-01' is not a date",
        [["due"], ["export", "--format", "ics"]],
    ),
    "pause day": (
        "UPDATE pauses SET day = 'garbage'",
        "pauses '{pause}': day 'garbage' is not a date",
        [["agenda"], ["resume", "3"], ["export", "--format", "md"]],
    ),
    "pause until": (
        "UPDATE pauses SET until = '2026-02-30'",
        "pauses '{pause}': until '2026-02-30' is not a date",
        [["agenda"], ["resume", "3"]],
    ),
    "pause kind": (  # neither a pause nor a resume: silently ignored
        "UPDATE pauses SET kind = 'stop'",
        "pauses '{pause}': kind 'stop' is not one of pause, resume",
        [],
    ),
    "undo at": (  # exported as it is, and refused by the colleague who imports it
        "UPDATE undos SET at = 'garbage'",
        "undos '{undo}': at 'garbage' is not a date-time",
        [],
    ),
}


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One small database made through the CLI, copied for each case."""
    import os

    path = tmp_path_factory.mktemp("pristine") / "handoff.db"
    env = {**os.environ, "HANDOFF_DB": str(path), "HANDOFF_NOW": NOW}
    for args in (
        ["log", "Acme", "called", "--tag", "fees"],
        ["promise", "Acme", "Monthly report", "--every", "monthly", "--start", "2026-10-01"],
        ["done", "1", "--at", "2026-10-02"],
        ["promise", "Acme", "Send contract", "--due", "2026-12-01T15:00"],  # due_at
        ["promise", "Acme", "Weekly call", "--every", "weekly", "--start", "2026-11-02"],
        ["skip", "3"],
        ["undo", "3"],  # an undos row
        ["pause", "3", "--until", "2026-12-15"],  # a pauses row, paused_from/paused_until
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
        (pause,) = conn.execute("SELECT uuid FROM pauses").fetchone()
        (undo,) = conn.execute("SELECT uuid FROM undos").fetchone()
        conn.execute(sql)
    named = named.format(pause=pause, undo=undo)
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


def _schema(path: Path) -> dict[str, list[str]]:
    """Every table of the database at `path` with its columns, FTS5's own tables left out."""
    with connect(path) as conn:
        tables = [
            name
            for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            if not name.startswith(("notes_fts_", "promises_fts_"))
        ]
        return {t: [c[1] for c in conn.execute(f"PRAGMA table_info({t})")] for t in tables}


def test_every_column_of_the_schema_is_checked_or_exempt_with_a_reason(pristine: Path) -> None:
    """A column added by a new migration fails here until doctor checks it or says why not."""
    from handoff_cli.store_check import NOT_CHECKED, TABLES

    schema = _schema(pristine)  # made by the migrations, through the CLI
    assert set(schema) == set(TABLES) | set(NOT_CHECKED), "a table doctor does not know"
    assert not set(TABLES) & set(NOT_CHECKED)
    for table, spec in TABLES.items():
        checked, exempt = set(spec.checks), set(spec.exempt)
        assert not checked & exempt, (table, checked & exempt)
        assert checked | exempt == set(schema[table]), (
            f"{table}: neither checked nor exempt: {set(schema[table]) - checked - exempt}; "
            f"not in the schema: {(checked | exempt) - set(schema[table])}"
        )
        assert spec.key in schema[table], table
        assert all(reason.strip() for reason in spec.exempt.values()), table


def test_doctor_names_every_checked_column_that_holds_what_handoff_never_writes(
    db: Path, pristine: Path, cli: Run
) -> None:
    """A BLOB in each checked column of one row of every table: each is named by doctor."""
    from handoff_cli.store_check import TABLES

    db.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(pristine, db)
    blob = b"\x00\xff"
    with connect(db) as conn:  # foreign keys are off in a plain connection
        # clients last: a trigger recounts a client's notes when a note's at_utc changes
        for table in sorted(TABLES, key=lambda name: name == "clients"):
            spec = TABLES[table]
            columns = list(spec.checks)
            if table == "meta":  # only the notice has a shape every command relies on
                conn.execute("INSERT INTO meta (key, value) VALUES ('notice', ?)", [blob])
                continue
            if not conn.execute(f"SELECT 1 FROM {table}").fetchone():
                names = [c for c in _schema(db)[table] if c not in ("id", "seq")]
                values = ", ".join(f"X'{i:04x}'" for i in range(len(names)))  # distinct keys
                conn.execute(f"INSERT INTO {table} ({', '.join(names)}) VALUES ({values})")
            first = conn.execute(f"SELECT min({spec.key}) FROM {table}").fetchone()[0]
            assignments = ", ".join(f"{c} = ?" for c in columns)
            conn.execute(
                f"UPDATE {table} SET {assignments} WHERE {spec.key} = ?",
                [*([blob] * len(columns)), first],
            )
    report = cli("doctor", "--json")
    assert report.code == 3, report.stdout
    found = report.json()["damaged_rows"]
    for table, spec in TABLES.items():
        for column in spec.checks:
            assert any(
                f.startswith(f"{table} ") and f": {column} a 2-byte BLOB " in f for f in found
            ), (table, column, found)
