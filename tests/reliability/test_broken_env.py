"""Case 11: a broken environment gets one clear line and a non-zero exit, never a traceback.

Read-only file or directory, a directory that cannot be made, a corrupt file,
a stranger's database, a newer schema. When `log` could not save, the words
the user typed are in the message. Files handoff refuses are left byte for
byte as they were. `handoff doctor` reports location, schema, integrity and
counts, and still reports on a damaged file.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
from pathlib import Path

import pytest

from .support import (
    Done,
    Run,
    assert_clean_failure,
    rows,
    run_handoff,
    unprivileged_prefix,
)

WORDS = "the client asked for the Q3 figures by Friday"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database with 20 notes and a promise, made once and copied for each test."""
    path = tmp_path_factory.mktemp("template") / "handoff.db"
    for i in range(20):
        run_handoff("--db", str(path), "log", "Acme", f"note {i}", "--with", "Bob").ok()
    run_handoff(
        "--db",
        str(path),
        "promise",
        "Acme",
        "Report",
        "--every",
        "monthly",
        "--start",
        "2026-01-05",
    ).ok()
    return path


@pytest.fixture
def seeded(db: Path, template: Path) -> Path:
    db.parent.mkdir(mode=0o700, exist_ok=True)
    shutil.copy(template, db)
    return db


def assert_log_keeps_the_words(done: Done) -> str:
    line = assert_clean_failure(done)
    assert WORDS in line, f"the user's words were lost: {line}"
    return line


# ---------------------------------------------------------------- permissions


def test_read_only_database_file(seeded: Path, db: Path, handoff: Run) -> None:
    before = digest(db)
    db.chmod(0o400)
    try:
        as_user = unprivileged_prefix()
        line = assert_log_keeps_the_words(handoff("log", "Acme", WORDS, prefix=as_user))
        assert "read-only" in line
        line = assert_log_keeps_the_words(
            handoff("log", "Acme", "--json", input=WORDS, prefix=as_user)
        )
        assert_clean_failure(handoff("done", "1", prefix=as_user), code=3)
        assert_clean_failure(handoff("promise", "Acme", "x", "--due", "fri", prefix=as_user))
        shown = handoff("show", "Acme", "--json", prefix=as_user).ok().json()
        assert len(shown["notes"]) == 20
        handoff("due", prefix=as_user).ok()
    finally:
        db.chmod(0o600)
    assert digest(db) == before


def test_read_only_directory(seeded: Path, db: Path, handoff: Run) -> None:
    db.parent.chmod(0o500)
    try:
        as_user = unprivileged_prefix()
        assert_log_keeps_the_words(handoff("log", "Acme", WORDS, prefix=as_user))
        # Reading a WAL database needs its -shm file: without one, and unable to make
        # it, a read may fail too, but only cleanly.
        reading = handoff("clients", prefix=as_user)
        if reading.code != 0:
            assert "read-only" in assert_clean_failure(reading, code=3)
    finally:
        db.parent.chmod(0o700)
    assert WORDS not in {r[0] for r in rows(db, "SELECT text FROM notes")}


def test_directory_that_cannot_be_made(tmp_path: Path, handoff: Run) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    db = str(blocker / "sub" / "handoff.db")
    line = assert_log_keeps_the_words(handoff("--db", db, "log", "Acme", WORDS))
    assert "a-file" in line
    assert_log_keeps_the_words(handoff("--db", db, "log", "Acme", "--json", input=WORDS))
    # Reading never creates anything: there is simply nothing yet.
    assert handoff("--db", db, "due").ok().stdout
    assert handoff("--db", db, "clients", "--json").ok().json() == []

    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    as_user = unprivileged_prefix()
    done = handoff("--db", str(locked / "new" / "h.db"), "log", "Acme", WORDS, prefix=as_user)
    assert_log_keeps_the_words(done)
    assert not (locked / "new").exists()


def test_database_path_is_a_directory(tmp_path: Path, handoff: Run) -> None:
    line = assert_log_keeps_the_words(handoff("--db", str(tmp_path), "log", "Acme", WORDS))
    assert "directory" in line
    assert_clean_failure(handoff("--db", str(tmp_path), "show", "Acme"))


# ------------------------------------------------------------ not ours, or damaged

COMMANDS = [
    ["log", "Acme", WORDS],
    ["show", "Acme", "--json"],
    ["due"],
    ["clients"],
    ["search", "note"],
    ["promises"],
    ["done", "1"],
    ["backup", "copy.db"],
]


def _all_refuse(path: Path, tmp_path: Path) -> list[str]:
    lines = []
    for args in COMMANDS:
        done = run_handoff("--db", str(path), *args)
        line = assert_clean_failure(done)
        if args[0] == "log":
            assert WORDS in line
        lines.append(line)
    assert not (tmp_path / "copy.db").exists()
    return lines


def test_a_stranger_database_is_refused_and_untouched(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE accounts (id INTEGER PRIMARY KEY, secret TEXT)")
        conn.execute("INSERT INTO accounts (secret) VALUES ('keep me')")
    conn.close()
    before = digest(path)
    lines = _all_refuse(path, tmp_path)
    assert all("not a handoff database" in line for line in lines), lines
    assert digest(path) == before
    assert not Path(f"{path}-wal").exists()


def test_a_newer_schema_is_refused_and_untouched(
    seeded: Path, db: Path, handoff: Run, tmp_path: Path
) -> None:
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA user_version = 99")
    conn.close()
    before = digest(db)
    lines = _all_refuse(db, tmp_path)
    assert all("newer handoff" in line for line in lines), lines
    assert digest(db) == before


def _flip(path: Path, offset: int, length: int) -> None:
    with open(path, "r+b") as handle:
        handle.seek(offset)
        data = handle.read(length)
        handle.seek(offset)
        handle.write(bytes(b ^ 0xFF for b in data))


@pytest.mark.parametrize(
    "damage",
    ["header magic", "header fields", "garbage file", "truncated"],
)
def test_a_damaged_file_is_refused_and_untouched(
    seeded: Path, db: Path, handoff: Run, tmp_path: Path, damage: str
) -> None:
    if damage == "header magic":
        _flip(db, 0, 16)
    elif damage == "header fields":
        _flip(db, 16, 84)  # page size, versions, counters, schema cookie...
    elif damage == "garbage file":
        db.write_bytes(os.urandom(8192))
    else:
        db.write_bytes(db.read_bytes()[: 4096 + 100])
    before = digest(db)
    for args in COMMANDS:
        done = run_handoff(*args)
        if damage == "truncated" and done.code == 0:
            continue  # what is left of the file may still answer some reads
        line = assert_clean_failure(done)
        if args[0] == "log":
            assert WORDS in line
    assert digest(db) == before
    doctor = handoff("doctor")
    assert doctor.code != 0 and "Traceback" not in doctor.stderr
    assert str(db) in doctor.stdout + doctor.stderr


def _root_page(path: Path, table: str) -> int:
    return int(rows(path, "SELECT rootpage FROM sqlite_master WHERE name = ?", [table])[0][0])


@pytest.mark.parametrize("table", ["notes", "clients", "notes_fts_data"])
def test_a_damaged_page_gives_one_line_and_doctor_reports_it(
    seeded: Path, db: Path, handoff: Run, table: str
) -> None:
    page = _root_page(db, table)
    page_size = int(rows(db, "PRAGMA page_size")[0][0])
    _flip(db, (page - 1) * page_size, 12)  # the b-tree page header
    for args in COMMANDS:
        done = run_handoff(*args)
        if done.code == 0:
            continue  # a command that never reads the damaged page may still work
        line = assert_clean_failure(done)
        if args[0] == "log":
            assert WORDS in line
    doctor = handoff("doctor")
    assert doctor.code != 0 and "Traceback" not in doctor.stderr
    assert str(db) in doctor.stdout, doctor.stdout + doctor.stderr
    assert "Integrity" in doctor.stdout and "ok" not in doctor.stdout.split("Integrity")[1][:20]
    report = handoff("doctor", "--json")
    assert report.code != 0
    assert report.json()["integrity"] != "ok"


def test_doctor_reports_a_healthy_database(seeded: Path, db: Path, handoff: Run) -> None:
    report = handoff("doctor", "--json").ok().json()
    assert report["path"] == str(db)
    assert report["schema_version"] == report["latest_schema_version"]
    assert report["integrity"] == "ok"
    assert report["counts"]["notes"] == 20 and report["counts"]["promises"] == 1
    text = handoff("doctor").ok().stdout
    assert str(db) in text and "ok" in text and "20 notes" in text
    missing = handoff("--db", str(db.parent / "none.db"), "doctor").ok().stdout
    assert "not created yet" in missing
