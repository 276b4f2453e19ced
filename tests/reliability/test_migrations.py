"""Case 5: migrations keep every row, and a crash while migrating leaves old or new.

- a database built with *only* the first migration and filled with m001-era
  SQL opens with the current handoff with nothing lost: m002 (the change log,
  coverage of occurrences) upgrades it;
- that upgrade, plus a synthetic migration after it (`harness.py`,
  `HANDOFF_TEST_M002=1`: add a column, backfill it, create and fill a table,
  add an index, touch every client), goes through the real upgrade path,
  Store.open -> BEGIN IMMEDIATE -> sqlite-utils, and is killed before its
  statements (`steps_worth_killing`: every one outside a transaction, a sample
  inside): the file is the old schema or the newest, never between, and the
  data is the same;
- the first run (creating the schema in an empty file) is killed the same
  way: the file is empty-and-usable or complete.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from handoff_cli import migrations
from handoff_cli.store import LATEST_VERSION, Store

from .harness import M002_STATEMENTS, TEST_MIGRATION
from .support import Run, consistency_problems, integrity, rows, run_handoff, scalar
from .test_crashes import KILLED, kill_at, last_commit, trace

ACME = "00000000-0000-4000-8000-00000000a001"
YAMADA = "00000000-0000-4000-8000-00000000a002"
MONTHLY = "FREQ=MONTHLY;INTERVAL=1;BYMONTHDAY=5"


def make_first_schema_db(path: Path) -> None:
    """A database as a handoff with only m001 made it, with data written in m001's SQL."""
    import sqlite_utils

    from handoff_cli.searchtext import index_body

    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("BEGIN IMMEDIATE")
        later = [m.name for m in migrations.migrations._migrations[1:]]
        migrations.migrations.apply(sqlite_utils.Database(conn), stop_before=later or None)
        conn.execute(f"PRAGMA application_id = {migrations.APPLICATION_ID}")
        conn.execute("PRAGMA user_version = 1")
        at = "2026-10-01T09:00:00+09:00"
        conn.executemany(
            "INSERT INTO clients (id, uuid, name, key, created_at) VALUES (?, ?, ?, ?, ?)",
            [(1, ACME, "Acme", "acme", at), (2, YAMADA, "山田商事", "山田商事", at)],
        )
        conn.execute(
            "INSERT INTO contacts (id, uuid, client_id, name, key, role, email)"
            " VALUES (1, 'c0000000-0000-4000-8000-000000000001', 1, 'Tanaka', 'tanaka',"
            " 'manager', 'tanaka@acme.example')"
        )
        notes = [
            (1, 1, "2026-10-01T09:00:00+09:00", "2026-10-01T00:00:00+00:00", "called", '["fees"]'),
            (
                2,
                2,
                "2026-10-02T09:00:00+09:00",
                "2026-10-02T00:00:00+00:00",
                "月次報告を送付",
                "[]",
            ),
            (3, 1, "2026-10-03T09:00:00+09:00", "2026-10-03T00:00:00+00:00", "Done: Q3", "[]"),
        ]
        for note_id, client_id, note_at, at_utc, text, tags in notes:
            conn.execute(
                "INSERT INTO notes (id, uuid, client_id, at, at_utc, kind, text, author, tags,"
                " created_at) VALUES (?, ?, ?, ?, ?, 'call', ?, 'alice', ?, ?)",
                [note_id, f"n0000000-0000-4000-8000-00000000000{note_id}", client_id, note_at]
                + [at_utc, text, tags, at],
            )
            conn.execute(
                "INSERT INTO notes_fts (rowid, body) VALUES (?, ?)",
                [note_id, index_body(text, *(["fees"] if note_id == 1 else []))],
            )
        conn.execute("INSERT INTO note_contacts (note_id, contact_id) VALUES (1, 1)")
        promises = [
            (1, "Monthly report", MONTHLY, "2026-10-05", "open", "2026-12-05"),
            (2, "Q3 summary", None, "2026-10-03", "done", None),
        ]
        for pid, title, rule, start, status, next_due in promises:
            conn.execute(
                "INSERT INTO promises (id, uuid, client_id, contact_id, title, rule, start,"
                " status, next_due, created_at) VALUES (?, ?, 1, 1, ?, ?, ?, ?, ?, ?)",
                [pid, f"p0000000-0000-4000-8000-00000000000{pid}", title, rule, start]
                + [status, next_due, at],
            )
            conn.execute(
                "INSERT INTO promises_fts (rowid, body) VALUES (?, ?)", [pid, index_body(title)]
            )
        conn.executemany(
            "INSERT INTO completions (uuid, promise_id, at, day, note_id) VALUES (?, ?, ?, ?, ?)",
            [
                ("m0000000-0000-4000-8000-000000000001", 1, at, "2026-10-05", None),
                ("m0000000-0000-4000-8000-000000000002", 1, at, "2026-11-05", None),
                ("m0000000-0000-4000-8000-000000000003", 2, at, "2026-10-03", 3),
            ],
        )
        conn.execute("COMMIT")
    finally:
        conn.close()


def data_of(path: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every user-visible row, in the columns m001 defined."""
    return {
        "clients": rows(path, "SELECT id, uuid, name, key, note_count, last_at_utc FROM clients"),
        "contacts": rows(path, "SELECT id, uuid, client_id, name, role, email FROM contacts"),
        "notes": rows(path, "SELECT id, uuid, client_id, at, kind, text, author, tags FROM notes"),
        "note_contacts": rows(path, "SELECT note_id, contact_id FROM note_contacts"),
        "promises": rows(
            path, "SELECT id, uuid, title, rule, start, status, next_due FROM promises"
        ),
        "completions": rows(path, "SELECT uuid, promise_id, day, note_id FROM completions"),
    }


def test_first_schema_with_data_opens_with_nothing_lost(tmp_path: Path, handoff: Run) -> None:
    path = tmp_path / "v1.db"
    make_first_schema_db(path)
    before = data_of(path)
    db = ["--db", str(path)]

    doctor = handoff(*db, "doctor", "--json").ok().json()
    assert doctor["schema_version"] == LATEST_VERSION
    assert doctor["integrity"] == "ok"
    assert doctor["counts"] == {
        "clients": 2,
        "contacts": 1,
        "notes": 3,
        "promises": 2,
        "completions": 3,
    }
    assert data_of(path) == before
    shown = handoff(*db, "show", "acme", "--json").ok().json()
    assert [n["text"] for n in shown["notes"]] == ["Done: Q3", "called"]
    assert shown["notes"][1]["with"] == ["Tanaka"] and shown["notes"][1]["tags"] == ["fees"]
    assert shown["contacts"][0]["email"] == "tanaka@acme.example"
    assert [(p["title"], p["next_due"]) for p in shown["promises"]] == [
        ("Monthly report", "2026-12-05")
    ]
    found = handoff(*db, "search", "報告", "--json").ok().json()
    assert [(h["client"], h["text"]) for h in found] == [("山田商事", "月次報告を送付")]
    refused = handoff(*db, "done", "1")  # Oct 5 and Nov 5 were covered by the old dones
    assert refused.code == 2 and "2026-12-05" in refused.stderr
    promises = handoff(*db, "promises", "--all", "--json").ok().json()
    assert [(p["status"], p["next_due"]) for p in promises] == [
        ("open", "2026-12-05"),
        ("done", None),
    ]
    handoff(*db, "done", "1", "--early").ok()
    handoff(*db, "log", "ＡＣＭＥ", "after the upgrade").ok()
    assert scalar(path, "SELECT count(*) FROM notes WHERE client_id = 1") == 4
    assert consistency_problems(path) == []


def _state(path: Path) -> str:
    """'old' (schema 1, no trace of what came after) or 'new' (the newest schema with the
    synthetic migration, all of it), else what is wrong."""
    version = scalar(path, "PRAGMA user_version")
    columns = [r[1] for r in rows(path, "PRAGMA table_info(notes)")]
    tables = {r[0] for r in rows(path, "SELECT name FROM sqlite_master WHERE type = 'table'")}
    applied = [r[0] for r in rows(path, "SELECT name FROM _sqlite_migrations ORDER BY id")]
    old = "pinned" not in columns and "note_links" not in tables and "changes" not in tables
    if version == 1 and old:
        return "old" if applied == ["m001_initial"] else f"old but applied={applied}"
    if version == LATEST_VERSION + 1 and "pinned" in columns and "changes" in tables:
        links = scalar(path, "SELECT count(*) FROM note_links")
        pinned = scalar(path, "SELECT count(*) FROM notes WHERE pinned = id % 2")
        notes = scalar(path, "SELECT count(*) FROM notes")
        index = scalar(path, "SELECT count(*) FROM sqlite_master WHERE name = 'note_links_note'")
        if links == pinned == notes and index == 1 and applied[-1] == TEST_MIGRATION:
            return "new"
        return f"partly new: links={links} pinned={pinned} notes={notes} applied={applied}"
    return f"between: version={version} columns={columns} tables={sorted(tables)}"


@pytest.mark.slow
def test_crash_during_an_upgrade_leaves_old_or_new(tmp_path: Path) -> None:
    v1 = tmp_path / "v1.db"
    make_first_schema_db(v1)
    before = data_of(v1)
    m002 = dict(os.environ, HANDOFF_TEST_M002="1")
    traced = tmp_path / "traced.db"
    shutil.copy(v1, traced)
    statements = trace(tmp_path, "--db", str(traced), "clients", env=m002)
    assert _state(traced) == "new"
    assert data_of(traced) == before
    assert all(any(s in t for t in statements) for s in M002_STATEMENTS)
    commit = statements.index("COMMIT")  # the upgrade's transaction; `clients` only reads

    def crash(step: int) -> tuple[int, str]:
        path = tmp_path / f"at{step}.db"
        shutil.copy(v1, path)
        done = kill_at(step, "--db", str(path), "clients", env=m002)
        assert done.code in (0, KILLED), (step, done.code, done.stderr)
        state = _state(path)
        assert data_of(path) == before, f"step {step}: data changed"
        assert integrity(path) == "ok"
        if step % 8 == 0 or step == commit:  # the next run finishes the upgrade
            again = run_handoff("--db", str(path), "clients", "--json", env=m002, harness=True)
            assert [c["name"] for c in again.ok().json()] == ["Acme", "山田商事"]
            assert _state(path) == "new", f"step {step}: the next run did not finish the upgrade"
        path.unlink()
        return step, state

    with ThreadPoolExecutor(2) as pool:
        states = dict(pool.map(crash, steps_worth_killing(statements)))
    bad = {step: s for step, s in states.items() if s not in ("old", "new")}
    assert not bad, bad
    early = {step: s for step, s in states.items() if step <= commit and s != "old"}
    assert not early, f"killed before the upgrade's COMMIT, yet: {early}"
    summary = {s: list(states.values()).count(s) for s in ("old", "new")}
    print(f"upgrade killed at {len(states)} of {len(statements)} steps: {summary}, data intact")


_TRANSACTION_END = re.compile(r"(COMMIT|END|ROLLBACK(?!\s+TO))\b", re.IGNORECASE)


def steps_worth_killing(statements: list[str]) -> list[int]:
    """The steps a crash test kills at: every one outside a transaction, and inside one
    its first and last three statements, every savepoint and release, and every fourth
    statement between.

    Killed anywhere inside one transaction, SQLite rolls the same transaction back; what
    differs is only how much of it had reached the WAL. The migrations run 170-odd
    statements in one transaction, and killing before each of them made these two the
    suite's slowest tests (56 s of ~9 min of test time) without a different outcome.
    """
    chosen, begun = [], None
    ends = [i for i, s in enumerate(statements) if _TRANSACTION_END.match(s.strip())]
    for i, text in enumerate(statements):
        word = text.strip().upper()
        if word.startswith("BEGIN"):
            begun = i
        end = next((e for e in ends if e >= i), None)
        inside = begun is not None and end is not None and begun + 3 < i < end - 3
        if not inside or i % 4 == 0 or word.startswith(("SAVEPOINT", "RELEASE")):
            chosen.append(i)
        if i == end:
            begun = None
    return chosen


@pytest.mark.slow
def test_crash_during_the_first_run_leaves_nothing_or_a_whole_schema(
    tmp_path: Path, handoff: Run
) -> None:
    reference = tmp_path / "reference.db"
    handoff("--db", str(reference), "log", "Acme", "alone").ok()
    schema = rows(reference, "SELECT type, name, sql FROM sqlite_master ORDER BY name")
    statements = trace(tmp_path, "--db", str(tmp_path / "traced.db"), "log", "Acme", "hi")
    migration_commit = statements.index("COMMIT")
    log_commit = last_commit(statements)

    def crash(step: int) -> str:
        path = tmp_path / f"at{step}" / "handoff.db"
        done = kill_at(step, "--db", str(path), "log", "Acme", f"killed at {step}")
        assert done.code in (0, KILLED), (step, done.stderr)
        if not path.exists():
            return "no file"
        tables = scalar(path, "SELECT count(*) FROM sqlite_master")
        version = scalar(path, "PRAGMA user_version")
        if tables == 0 and version == 0:
            state = "empty"
        elif rows(path, "SELECT type, name, sql FROM sqlite_master ORDER BY name") == schema:
            assert version == LATEST_VERSION
            state = f"schema, {scalar(path, 'SELECT count(*) FROM notes')} note"
        else:
            state = f"between: {tables} objects, version {version}"
        if step <= migration_commit:
            assert state in ("no file", "empty"), f"step {step}: {state}"
        elif step <= log_commit:
            assert state == "schema, 0 note", f"step {step}: {state}"
        store = Store.open(path, create=True)  # the next run carries on
        assert store is not None
        assert store.schema_version() == LATEST_VERSION
        store.close()
        assert integrity(path) == "ok"
        assert rows(path, "SELECT type, name, sql FROM sqlite_master ORDER BY name") == schema
        shutil.rmtree(path.parent)
        return state

    with ThreadPoolExecutor(2) as pool:
        states = list(pool.map(crash, steps_worth_killing(statements)))
    summary = {s: states.count(s) for s in sorted(set(states))}
    print(f"first run killed at {len(states)} of {len(statements)} steps: {summary}")
