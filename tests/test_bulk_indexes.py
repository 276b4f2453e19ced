"""A sync or an import bringing a long history leaves two readers' indexes out and
builds them once at its end (store/indexes.py; issue 14's first `team init`). What a
user sees must not change: the same notes, people and search, the indexes there
after, and after a sync killed in between, the next one builds them."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from conftest import Run
from team_support import Person, bare_repository
from test_cli_notes import log, ok

from handoff_cli.store import indexes

MON = "2026-11-23T10:00:00+09:00"


def index_names(db: Path) -> set[str]:
    conn = sqlite3.connect(db)
    try:
        return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    finally:
        conn.close()


def leave_out(db: Path) -> None:
    """The state a sync killed after leaving the indexes out and before building them."""
    conn = sqlite3.connect(db)
    try:
        with conn:
            indexes.defer(conn)
    finally:
        conn.close()


def spy_on_defer(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """A list that gains an item each time the indexes are left out."""
    left_out: list[bool] = []
    real_defer = indexes.defer

    def defer(conn: sqlite3.Connection) -> None:
        left_out.append(True)
        real_defer(conn)

    monkeypatch.setattr(indexes, "defer", defer)
    return left_out


def everything(person: Person) -> list[object]:
    """What a user can read of every client: notes (with people), contacts, a search."""
    seen: list[object] = []
    for client in person.json("clients", now=MON):
        shown = person.json("show", client["name"], now=MON)
        seen.append([(n["text"], n["with"], n["at"]) for n in shown["notes"]])
        seen.append(sorted(c["name"] for c in shown["contacts"]))
    seen.append(sorted(hit["text"] for hit in person.json("search", "budget", now=MON)))
    return seen


def test_the_deferrable_indexes_are_the_migrations_own(run: Run, isolated: Path) -> None:
    ok(run("log", "Acme", "hi", "--new-client"))
    conn = sqlite3.connect(isolated)
    try:
        made = dict(conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index'"))
    finally:
        conn.close()
    for name, sql in indexes.DEFERRABLE.items():
        assert made[name] == sql.replace(" IF NOT EXISTS", ""), name


@pytest.fixture
def history(tmp_path: Path) -> tuple[Person, Path]:
    """Alice's notes with people, across clients and months, in the team repository."""
    remote = bare_repository(tmp_path / "team.git")
    alice = Person(tmp_path, "alice")
    alice.ok("team", "init", str(remote), "--name", "alice", now=MON)
    for i in range(24):
        client = ["Acme", "Beacon Labs", "山田商事"][i % 3]
        at = f"2026-{1 + i % 10:02d}-{10 + i % 7:02d} 09:00"
        args = ["log", client, f"budget call {i}", "--at", at, "--with", f"Person {i % 4}"]
        alice.ok(*args, "--new-client", "--new-contact", now=MON)
    alice.ok("sync", now=MON)
    return alice, remote


def test_a_sync_bringing_a_long_history_builds_the_indexes_after_it(
    history: tuple[Person, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    alice, remote = history
    left_out = spy_on_defer(monkeypatch)
    # carol's sync counts as short (the indexes stay), bob's as long (left out, built after)
    monkeypatch.setattr(indexes, "AT_LEAST_NOTES", 1 << 40)
    carol = Person(tmp_path, "carol")
    carol.ok("team", "init", str(remote), "--name", "carol", now=MON)
    assert left_out == []
    monkeypatch.setattr(indexes, "AT_LEAST_NOTES", 0)
    bob = Person(tmp_path, "bob")
    bob.ok("team", "init", str(remote), "--name", "bob", now=MON)
    assert left_out == [True]

    assert set(indexes.DEFERRABLE) <= index_names(bob.db)
    assert everything(bob) == everything(carol) == everything(alice)
    assert len(everything(bob)[0]) == 8  # type: ignore[arg-type]
    # A sync with a few lines more than the notes here does not leave them out again.
    alice.ok("log", "Acme", "budget follow-up", now=MON)
    alice.ok("sync", now=MON)
    monkeypatch.setattr(indexes, "AT_LEAST_NOTES", 1)
    bob.ok("sync", now=MON)
    assert left_out == [True]
    assert everything(bob) == everything(alice)


def test_a_sync_killed_with_the_indexes_left_out_builds_them_next_time(
    history: tuple[Person, Path], tmp_path: Path
) -> None:
    _, remote = history
    bob = Person(tmp_path, "bob")
    bob.ok("team", "init", str(remote), "--name", "bob", now=MON)
    before = everything(bob)
    leave_out(bob.db)
    assert not set(indexes.DEFERRABLE) & index_names(bob.db)
    assert everything(bob) == before  # reads are right without them, only slower
    bob.ok("log", "Acme", "written meanwhile", now=MON)
    bob.ok("sync", now=MON)
    assert set(indexes.DEFERRABLE) <= index_names(bob.db)


def test_doctor_builds_the_indexes_a_killed_sync_left_out(
    history: tuple[Person, Path], tmp_path: Path
) -> None:
    """A member whose first sync was killed and who never syncs again: `doctor` says
    what it found and builds them; once built, it has nothing to say about them."""
    _, remote = history
    bob = Person(tmp_path, "bob")
    bob.ok("team", "init", str(remote), "--name", "bob", now=MON)
    before = everything(bob)
    leave_out(bob.db)
    report = bob.ok("doctor", now=MON).stdout
    assert (
        "Indexes:    built notes_at, note_contacts_contact; a long sync had left them out "
        "(stopped before its end, or still running; searches were slower meanwhile)\n"
    ) in report
    assert set(indexes.DEFERRABLE) <= index_names(bob.db)
    assert everything(bob) == before
    again = json.loads(bob.ok("doctor", "--json", now=MON).stdout)
    assert (again["indexes_built"], again["indexes_problem"], again["ok"]) == ([], None, True)
    assert "Indexes:" not in bob.ok("doctor", now=MON).stdout


def test_doctor_that_cannot_build_them_says_so_and_fails(
    history: tuple[Person, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another process holds the write lock past the wait: one line, exit 3."""
    from handoff_cli.store import base

    _, remote = history
    bob = Person(tmp_path, "bob")
    bob.ok("team", "init", str(remote), "--name", "bob", now=MON)
    leave_out(bob.db)
    monkeypatch.setattr(base, "BUSY_TIMEOUT_S", 0.2)
    holder = sqlite3.connect(bob.db, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        result = bob.run("doctor", "--json", now=MON)
        shown = bob.run("doctor", now=MON)
    finally:
        holder.close()
    report = json.loads(result.stdout)
    assert result.exit_code == 3 and report["ok"] is False and report["indexes_built"] == []
    assert "is busy" in report["indexes_problem"]
    assert shown.exit_code == 3
    assert "Indexes:    cannot build them: the database " in shown.stdout
    assert not set(indexes.DEFERRABLE) & index_names(bob.db)


def test_doctor_with_the_indexes_there_takes_no_lock(
    history: tuple[Person, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A health check while another process writes: nothing to build, so no waiting for
    the write lock and no commit (found by a review: it waited 30 s, then failed)."""
    from handoff_cli.store import base

    _, remote = history
    bob = Person(tmp_path, "bob")
    bob.ok("team", "init", str(remote), "--name", "bob", now=MON)
    monkeypatch.setattr(base, "BUSY_TIMEOUT_S", 0.2)
    holder = sqlite3.connect(bob.db, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        result = bob.run("doctor", "--json", now=MON)
    finally:
        holder.close()
    report = json.loads(result.stdout)
    assert result.exit_code == 0, result.stdout
    assert (report["indexes_built"], report["indexes_problem"], report["ok"]) == ([], None, True)


def test_a_sync_interrupted_with_the_indexes_left_out_builds_them_before_it_stops(
    history: tuple[Person, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C (or an error) in the middle of a first sync: what was applied stays, the
    indexes are built before the command ends, and the next sync completes."""
    from handoff_cli.team import sync

    _, remote = history
    monkeypatch.setattr(indexes, "AT_LEAST_NOTES", 0)
    monkeypatch.setattr(sync, "BATCH", 5)
    left_out = spy_on_defer(monkeypatch)
    real_flush = sync._Applying.flush
    flushed: list[bool] = []

    def flush(self: Any) -> None:
        if len(flushed) == 2:
            assert not set(indexes.DEFERRABLE) & index_names(bob.db)  # out while applying
            raise KeyboardInterrupt
        flushed.append(True)
        real_flush(self)

    monkeypatch.setattr(sync._Applying, "flush", flush)
    bob = Person(tmp_path, "bob")
    stopped = bob.run("team", "init", str(remote), "--name", "bob", now=MON)
    assert stopped.exit_code == 130, (stopped.stdout, stopped.stderr)
    assert left_out == [True] and len(flushed) == 2
    assert set(indexes.DEFERRABLE) <= index_names(bob.db)
    monkeypatch.setattr(sync._Applying, "flush", real_flush)
    bob.ok("sync", now=MON)
    assert len(everything(bob)[0]) == 8  # type: ignore[arg-type]


def test_merging_contacts_builds_the_index_it_needs_first(run: Run, isolated: Path) -> None:
    """The one write that finds notes by the person they name: with the index left out
    it would read every note's people, for each merge of a long history."""
    log(run, "Acme", "kick-off", "--with", "Tanaka", "--new-client", "--new-contact")
    log(run, "Acme", "typo", "--with", "Tanka", "--new-contact")
    leave_out(isolated)
    ok(run("contact", "merge", "Acme", "Tanka", "Tanaka", "--yes"))
    assert "note_contacts_contact" in index_names(isolated)
    shown = json.loads(ok(run("show", "Acme", "--json")).stdout)
    assert [n["with"] for n in shown["notes"]] == [["Tanaka"], ["Tanaka"]]


def test_worth_deferring_only_for_many_new_notes(monkeypatch: pytest.MonkeyPatch) -> None:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY)")
    assert indexes.worth_deferring(conn, indexes.AT_LEAST_NOTES)  # a first sync
    assert not indexes.worth_deferring(conn, indexes.AT_LEAST_NOTES - 1)  # a few thousand
    monkeypatch.setattr(indexes, "AT_LEAST_NOTES", 0)
    conn.executemany("INSERT INTO notes (id) VALUES (?)", [(i,) for i in range(1, 101)])
    assert indexes.worth_deferring(conn, 50)
    assert not indexes.worth_deferring(conn, 49)


def test_a_big_import_leaves_them_out_and_builds_them_before_it_commits(
    run: Run, isolated: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for i in range(6):
        log(run, ["Acme", "Beacon"][i % 2], f"budget {i}", "--with", f"P{i % 3}",
            "--new-client", "--new-contact")  # fmt: skip
    bundle = tmp_path / "all.json"
    ok(run("export", "--output", str(bundle)))
    monkeypatch.setattr(indexes, "AT_LEAST_NOTES", 0)
    left_out = spy_on_defer(monkeypatch)
    for db in ("dry.db", "new.db"):
        monkeypatch.setenv("HANDOFF_DB", str(tmp_path / db))
        ok(run("log", "Other", "first", "--new-client"))
    monkeypatch.setenv("HANDOFF_DB", str(tmp_path / "dry.db"))
    ok(run("import", str(bundle), "--dry-run"))
    assert set(indexes.DEFERRABLE) <= index_names(tmp_path / "dry.db")  # rolled back whole
    monkeypatch.setenv("HANDOFF_DB", str(tmp_path / "new.db"))
    ok(run("import", str(bundle)))
    assert left_out == [True, True]
    assert set(indexes.DEFERRABLE) <= index_names(tmp_path / "new.db")
    for client in ("Acme", "Beacon"):
        theirs = json.loads(ok(run("show", client, "--json")).stdout)
        monkeypatch.setenv("HANDOFF_DB", str(isolated))
        mine = json.loads(ok(run("show", client, "--json")).stdout)
        monkeypatch.setenv("HANDOFF_DB", str(tmp_path / "new.db"))
        assert [(n["text"], n["with"]) for n in theirs["notes"]] == [
            (n["text"], n["with"]) for n in mine["notes"]
        ]


def test_an_encrypted_newcomer_leaves_them_out_once_admitted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    remote = bare_repository(tmp_path / "team.git")
    alice, bob = Person(tmp_path, "alice"), Person(tmp_path, "bob")
    for i in range(6):
        alice.ok("log", "Acme", f"budget {i}", "--with", f"P{i % 2}", "--new-client",
                 "--new-contact", now=MON)  # fmt: skip
    alice.ok("team", "init", str(remote), "--name", "alice", "--encrypt", now=MON)
    monkeypatch.setattr(indexes, "AT_LEAST_NOTES", 0)
    left_out = spy_on_defer(monkeypatch)
    bob.ok("team", "init", str(remote), "--name", "bob", now=MON)
    assert left_out == []  # waiting to be admitted: nothing to read yet
    alice.ok("sync", now=MON)
    alice.ok("team", "admit", "bob", "--yes", now=MON)
    bob.ok("sync", now=MON)
    assert left_out == [True]
    assert set(indexes.DEFERRABLE) <= index_names(bob.db)
    assert everything(bob) == everything(alice)


def test_reads_that_name_notes_at_work_while_it_is_left_out(
    run: Run, isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`search` with many matches and tag completion walk `notes_at` by name (INDEXED
    BY): while a sync has it left out they must still answer, the same."""
    from handoff_cli import store_queries
    from handoff_cli.cli import complete

    for i in range(5):
        log(run, ["Acme", "Beacon"][i % 2], f"budget {i}", "--tag", f"t{i % 3}", "--new-client")
    monkeypatch.setattr(store_queries, "MANY_MATCHES", 0)  # walk the index from the 1st

    def reads() -> tuple[object, list[str]]:
        found = json.loads(ok(run("search", "budget", "--json")).stdout)
        return found, complete.tags("", {}, str(isolated))

    named: list[bool] = []
    real_tolerant = indexes.tolerant

    def tolerant(conn: sqlite3.Connection, sql: str, params: Any) -> sqlite3.Cursor:
        named.append(" INDEXED BY notes_at" in sql)
        return real_tolerant(conn, sql, params)

    monkeypatch.setattr(indexes, "tolerant", tolerant)
    before = reads()
    assert named == [True, True]  # both walk the index by name
    assert len(before[0]) == 5 and before[1] == ["t0", "t1", "t2"]  # type: ignore[arg-type]
    leave_out(isolated)
    assert reads() == before


def test_tolerant_drops_only_the_missing_index_name() -> None:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, at_utc TEXT)")
    conn.executemany("INSERT INTO notes (at_utc) VALUES (?)", [("b",), ("a",), ("c",)])
    walk = "SELECT at_utc FROM notes INDEXED BY notes_at ORDER BY at_utc DESC LIMIT ?"
    assert [r[0] for r in indexes.tolerant(conn, walk, [2])] == ["c", "b"]
    with pytest.raises(sqlite3.OperationalError, match="no such column"):
        indexes.tolerant(conn, walk.replace("at_utc FROM", "nope FROM"), [2])
    with pytest.raises(sqlite3.OperationalError, match="no such index: other"):
        indexes.tolerant(conn, walk.replace("notes_at", "other"), [2])
