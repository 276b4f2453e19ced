"""The database file: where it is, who may read it, and what handoff refuses to touch."""

from __future__ import annotations

import os
import sqlite3
import stat
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import Result, Run

from handoff_cli import __version__


def ok(result: Result) -> Result:
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return result


def one_line_error(result: Result) -> str:
    assert result.exit_code != 0, result.stdout
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    return lines[0]


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def umask_022() -> Iterator[None]:
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


# ------------------------------------------------------------ private files


def test_database_and_its_new_directories_are_private(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, umask_022: None
) -> None:
    db = tmp_path / "deep" / "er" / "handoff.db"
    monkeypatch.setenv("HANDOFF_DB", str(db))
    ok(run("log", "Acme", "confidential"))
    assert mode(db) == 0o600
    assert mode(db.parent) == 0o700
    assert mode(db.parent.parent) == 0o700
    for side in (db.with_name("handoff.db-wal"), db.with_name("handoff.db-shm")):
        if side.exists():
            assert mode(side) & 0o077 == 0, side


def test_an_existing_directory_is_left_as_it_is(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, umask_022: None
) -> None:
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    monkeypatch.setenv("HANDOFF_DB", str(shared / "handoff.db"))
    ok(run("log", "Acme", "hi"))
    assert mode(shared) == 0o755
    assert mode(shared / "handoff.db") == 0o600


def test_the_console_script_makes_everything_private(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, umask_022: None
) -> None:
    from handoff_cli.cli import main

    monkeypatch.setattr(sys, "argv", ["handoff", "log", "Acme", "hi"])
    with pytest.raises(SystemExit) as exit_:
        main()
    assert exit_.value.code == 0
    assert os.umask(0o022) == 0o077  # files written later (exports, -wal) are private too


# ------------------------------------------------------- no database yet


@pytest.mark.parametrize(
    "args",
    [
        ("show", "Acme"),
        ("clients",),
        ("search", "fees"),
        ("due",),
        ("promises",),
        ("search", "fees", "--client", "Acme"),
        ("promises", "--client", "Acme"),
        ("due", "--client", "Acme"),
    ],
)
def test_reading_without_a_database_says_so_and_creates_nothing(
    run: Run, isolated: Path, args: tuple[str, ...]
) -> None:
    result = ok(run(*args))
    assert "no handoff database yet" in result.stdout
    assert str(isolated) in result.stdout
    assert result.stderr == ""
    assert not isolated.parent.exists()


@pytest.mark.parametrize(
    ("args", "empty"),
    [
        (("clients",), []),
        (("search", "fees"), []),
        (("promises",), []),
        (("due",), {"as_of": "2026-11-23", "items": [], "paused": []}),
        (("show", "Acme"), {"client": None, "contacts": [], "promises": [], "notes": []}),
    ],
)
def test_reading_json_without_a_database_is_an_empty_result(
    run: Run, isolated: Path, args: tuple[str, ...], empty: object
) -> None:
    result = ok(run(*args, "--json"))
    assert result.json() == empty
    assert not isolated.parent.exists()


@pytest.mark.parametrize("args", [("edit", "1", "--text", "x"), ("rm", "1", "--yes")])
def test_changing_a_note_without_a_database_creates_nothing(
    run: Run, isolated: Path, args: tuple[str, ...]
) -> None:
    line = one_line_error(run(*args))
    assert "no handoff database yet" in line
    assert not isolated.parent.exists()


# ------------------------------------------------- files that are not ours


def snapshot(path: Path) -> tuple[bytes, int]:
    return path.read_bytes(), path.stat().st_mtime_ns


def age(path: Path) -> None:
    os.utime(path, ns=(1_000_000_000_000_000_000, 1_000_000_000_000_000_000))


def assert_refused_and_untouched(run: Run, path: Path, expect: str) -> None:
    age(path)
    before = snapshot(path)
    siblings = sorted(p.name for p in path.parent.iterdir())
    for args in (
        ("log", "Acme", "hi"),
        ("show", "Acme"),
        ("clients", "--json"),
        ("search", "x"),
        ("contact", "Acme", "Tanaka"),
        ("due",),
    ):
        line = one_line_error(run("--db", str(path), *args))
        assert expect in line, (args, line)
        assert str(path) in line
        assert snapshot(path) == before, args
    assert sorted(p.name for p in path.parent.iterdir()) == siblings


def test_a_file_that_is_not_sqlite_is_refused_and_left_untouched(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_bytes(b"my precious notes\n" * 500)
    assert_refused_and_untouched(run, path, "not a handoff database")


def test_a_foreign_sqlite_database_is_refused_and_left_untouched(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    conn.execute("INSERT INTO notes (body) VALUES ('theirs')")
    conn.commit()
    conn.close()
    assert_refused_and_untouched(run, path, "not a handoff database")


def test_a_foreign_wal_database_is_refused_and_left_untouched(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "wal.db"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    assert_refused_and_untouched(run, path, "not a handoff database")


def test_a_foreign_sqlite_database_without_tables_is_refused(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "marked.db"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA application_id = 1234")
    conn.close()
    assert_refused_and_untouched(run, path, "not a handoff database")


def test_a_database_from_a_newer_handoff_is_refused(run: Run, isolated: Path) -> None:
    ok(run("log", "Acme", "hi"))
    conn = sqlite3.connect(isolated)
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    assert version >= 1
    conn.execute(f"PRAGMA user_version = {version + 1}")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    assert_refused_and_untouched(run, isolated, "newer handoff")


def test_a_directory_is_not_a_database(run: Run, tmp_path: Path) -> None:
    line = one_line_error(run("--db", str(tmp_path), "log", "Acme", "hi"))
    assert "is a directory" in line


def test_a_missing_parent_that_cannot_be_made_is_one_line(run: Run, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    line = one_line_error(run("--db", str(blocker / "sub" / "h.db"), "log", "Acme", "hi"))
    assert "cannot create the database" in line


# ------------------------------------------------------------------ schema


def test_wal_mode_is_on(run: Run, isolated: Path) -> None:
    ok(run("log", "Acme", "hi"))
    conn = sqlite3.connect(isolated)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        conn.close()


def test_every_record_has_an_integer_id_and_a_uuid(run: Run, isolated: Path) -> None:
    ok(run("log", "Acme", "met", "--with", "Tanaka", "--with", "Sato"))
    ok(run("log", "Globex", "hi"))
    ok(run("promise", "Acme", "Send the quote", "--due", "2026-11-30", "--to", "Tanaka"))
    ok(run("promise", "Acme", "Report", "--every", "monthly"))
    ok(run("done", "1"))
    conn = sqlite3.connect(isolated)
    try:
        seen: set[str] = set()
        for table, expected in [
            ("clients", 2),
            ("contacts", 2),
            ("notes", 3),
            ("promises", 2),
            ("completions", 1),
        ]:
            rows = conn.execute(f"SELECT id, uuid FROM {table}").fetchall()
            assert len(rows) == expected, table
            for row_id, row_uuid in rows:
                assert isinstance(row_id, int) and row_id > 0
                # Time first, then random (version 7), or (a contact first named in a note)
                # derived from its client and name, so that two machines naming a new
                # person alike agree.
                assert uuid.UUID(row_uuid).version in ((7, 5) if table == "contacts" else (7,))
                assert row_uuid not in seen
                seen.add(row_uuid)
        authors = {r[0] for r in conn.execute("SELECT author FROM notes")}
        assert authors == {"alice"}
    finally:
        conn.close()


# ---------------------------------------------------------------- location


def test_db_option_beats_the_environment(run: Run, isolated: Path, tmp_path: Path) -> None:
    chosen = tmp_path / "chosen.db"
    ok(run("--db", str(chosen), "log", "Acme", "hi"))
    assert chosen.exists()
    assert not isolated.exists()
    assert ok(run("--db", str(chosen), "clients", "--json")).json()[0]["name"] == "Acme"
    assert ok(run("clients", "--json")).json() == []


def test_empty_environment_falls_back_to_the_user_data_directory(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, umask_022: None
) -> None:
    monkeypatch.setenv("HANDOFF_DB", "")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    ok(run("log", "Acme", "hi"))
    db = tmp_path / "xdg" / "handoff" / "handoff.db"
    assert db.exists()
    assert mode(db) == 0o600
    assert mode(db.parent) == 0o700


def test_db_path_with_tilde_is_expanded(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    ok(run("--db", "~/mine.db", "log", "Acme", "hi"))
    assert (tmp_path / "mine.db").exists()


# --------------------------------------------------------------- the CLI


def test_version(run: Run) -> None:
    assert ok(run("--version")).stdout == f"handoff {__version__}\n"


def test_version_from_the_console_script(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from handoff_cli.cli import main

    monkeypatch.setattr(sys, "argv", ["handoff", "--version"])
    main()
    assert capsys.readouterr().out == f"handoff {__version__}\n"


def command_names() -> list[str]:
    import typer.main

    from handoff_cli.cli import app

    group = typer.main.get_command(app)
    return sorted(group.commands)  # type: ignore[attr-defined]


def test_the_documented_commands_exist() -> None:
    documented = {"log", "promise", "done", "drop", "pause", "resume", "promises", "due"}
    documented |= {"clients", "show", "contact", "search", "edit", "rm", "export", "import"}
    assert documented <= set(command_names())


@pytest.mark.parametrize("name", command_names())
def test_every_command_has_help_with_an_example(run: Run, name: str) -> None:
    result = ok(run(name, "--help"))
    text = result.stdout
    assert text.startswith("Usage: ")
    assert f" {name} " in text.splitlines()[0]
    body = text.split("\n\n", 2)
    assert len(body) >= 2 and body[1].strip(), text  # a one-line summary under the usage
    examples = [ln.strip() for ln in text.splitlines() if ln.strip().startswith("handoff ")]
    assert any(ex.startswith(f"handoff {name}") for ex in examples), text


def test_root_help_has_examples(run: Run) -> None:
    text = ok(run("--help")).stdout
    assert "handoff log Acme" in text
    assert "--db" in text


def test_unknown_command_exits_2(run: Run) -> None:
    result = run("frobnicate")
    assert result.exit_code == 2
    assert "frobnicate" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ("log", "Acme", "hi", "--at", "someday"),
        ("edit", "99", "--text", "x"),
        ("rm", "99", "--yes"),
        ("show", "Acme Crop"),
        ("log", "Acme Crop", "typo"),
        ("search", "x", "--client", "Nobody"),
        ("log", "Acme", "x", "--kind", "fax"),
        ("log", "   ", "x"),
    ],
)
def test_errors_are_one_line_with_exit_2(run: Run, args: tuple[str, ...]) -> None:
    ok(run("log", "Acme Corp", "first"))
    result = run(*args)
    assert result.exit_code == 2
    one_line_error(result)
    assert result.stdout == ""


def test_a_bad_pinned_clock_is_one_line(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HANDOFF_NOW", "teatime")
    assert "HANDOFF_NOW" in one_line_error(run("log", "Acme", "hi"))


def test_default_location_agrees_with_platformdirs(monkeypatch: pytest.MonkeyPatch) -> None:
    from platformdirs import user_data_dir

    from handoff_cli.paths import default_data_dir

    for xdg in ("", "/tmp/xdg-data"):
        monkeypatch.setenv("XDG_DATA_HOME", xdg)
        assert default_data_dir() == Path(user_data_dir("handoff", appauthor=False))


def test_uuids_written_later_sort_later(run: Run, isolated: Path) -> None:
    """A long history appends to the indexes on uuid instead of scattering through them
    (issue 14): a record made in a later millisecond gets a greater uuid (version 7,
    in the canonical form and variant of RFC 9562)."""
    for i in range(3):
        ok(run("log", "Acme", f"note {i}"))
        time.sleep(0.002)
    conn = sqlite3.connect(isolated)
    try:
        notes = [r[0] for r in conn.execute("SELECT uuid FROM notes ORDER BY id")]
        made = [r[0] for r in conn.execute("SELECT uuid FROM changes ORDER BY seq")]
    finally:
        conn.close()
    assert notes == sorted(notes)
    prefixes = [value[:13] for value in made]  # one `log` makes a few in one millisecond
    assert prefixes == sorted(prefixes)
    for value in notes + made:
        parsed = uuid.UUID(value)
        assert str(parsed) == value and parsed.variant == uuid.RFC_4122
        assert parsed.version == 7
        moment = int(value.replace("-", "")[:12], 16) / 1000
        assert abs(moment - time.time()) < 600


def test_a_new_database_has_large_pages_and_an_old_one_keeps_its_own(
    run: Run, isolated: Path, tmp_path: Path
) -> None:
    """16 KiB pages: a first sync of a million records writes each B-tree page
    fewer times (issue 14). A database made with SQLite's default pages keeps them,
    and works."""
    ok(run("log", "Acme", "hi", "--new-client"))
    conn = sqlite3.connect(isolated)
    try:
        assert conn.execute("PRAGMA page_size").fetchone()[0] == 16384
    finally:
        conn.close()
    older = tmp_path / "older.db"
    conn = sqlite3.connect(older)
    conn.execute("PRAGMA page_size = 4096")
    conn.execute("CREATE TABLE t (x)")  # the file exists, with its pages
    conn.execute("DROP TABLE t")
    conn.commit()
    conn.close()
    ok(run("--db", str(older), "log", "Acme", "hi", "--new-client"))
    ok(run("--db", str(older), "log", "Acme", "again"))
    conn = sqlite3.connect(older)
    try:
        assert conn.execute("PRAGMA page_size").fetchone()[0] == 4096
        assert conn.execute("SELECT count(*) FROM notes").fetchone()[0] == 2
    finally:
        conn.close()
