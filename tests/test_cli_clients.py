"""rename and merge: fixing a client created under the wrong name."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from conftest import Run


def test_merge_moves_everything_and_joins_contacts(run: Run, isolated: Path) -> None:
    assert run("log", "Brightwave", "call", "--with", "Sato").exit_code == 0
    assert run("contact", "Brightwave", "Sato", "--role", "CTO").exit_code == 0
    assert run("log", "Bright", "typo note", "--with", "sato", "--new-client").exit_code == 0
    assert run("contact", "Bright", "Sato", "--email", "sato@bw.example").exit_code == 0
    assert run("contact", "Bright", "Ito").exit_code == 0
    made = run("promise", "Bright", "Send deck", "--due", "fri", "--to", "Sato", "--json").json()

    merged = run("merge", "bright", "BRIGHTWAVE", "--yes")
    assert merged.exit_code == 0, merged.stderr
    assert "Merged Bright into Brightwave: 1 note, 1 promise, 2 contacts moved." in merged.stdout

    shown = run("show", "Brightwave", "--json").json()
    assert [n["text"] for n in shown["notes"]] == ["typo note", "call"]
    assert all(n["with"] == ["Sato"] for n in shown["notes"])
    sato = next(c for c in shown["contacts"] if c["name"] == "Sato")
    assert (sato["role"], sato["email"]) == ("CTO", "sato@bw.example")  # one Sato, details joined
    assert sorted(c["name"] for c in shown["contacts"]) == ["Ito", "Sato"]
    assert [(p["id"], p["to"]) for p in shown["promises"]] == [(made["id"], "Sato")]
    (row,) = run("clients", "--json").json()
    assert (row["name"], row["notes"], row["open_promises"]) == ("Brightwave", 2, 1)
    assert run("search", "typo", "--json").json()[0]["client"] == "Brightwave"
    conn = sqlite3.connect(isolated)
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_merge_refuses_without_yes_and_into_itself(run: Run) -> None:
    run("log", "Acme", "x")
    run("log", "Globex", "y")
    assert run("merge", "Acme", "Globex").exit_code == 2  # stdin is not a terminal
    assert run("merge", "Acme", "ACME", "--yes").exit_code == 2
    assert run("merge", "Acme", "Nobody", "--yes").exit_code == 2
    assert len(run("clients", "--json").json()) == 2


def test_rename_keeps_the_history_and_refuses_a_taken_name(run: Run) -> None:
    run("log", "Acme", "first")
    run("log", "Globex", "other")
    renamed = run("rename", "acme", "Acme Corporation")
    assert renamed.exit_code == 0 and "Renamed Acme to Acme Corporation." in renamed.stdout
    assert run("show", "Acme Corporation", "--json").json()["notes"][0]["text"] == "first"
    taken = run("rename", "Acme Corporation", "GLOBEX")
    assert taken.exit_code == 2 and "handoff merge" in taken.stderr
    assert sorted(c["name"] for c in run("clients", "--json").json()) == [
        "Acme Corporation",
        "Globex",
    ]


def test_import_points_out_a_client_that_looks_like_one_here(run: Run, tmp_path: Path) -> None:
    other = str(tmp_path / "colleague.db")
    assert run("--db", other, "log", "ACME Corp.", "their note").exit_code == 0
    bundle = tmp_path / "b.json"
    assert run("--db", other, "export", "--format", "json", "-o", str(bundle)).exit_code == 0
    assert run("log", "Acme Corp", "my note").exit_code == 0

    imported = run("import", str(bundle))
    assert imported.exit_code == 0
    assert "handoff merge 'ACME Corp.' 'Acme Corp'" in imported.stderr
    assert run("merge", "ACME Corp.", "Acme Corp", "--yes").exit_code == 0
    (row,) = run("clients", "--json").json()
    assert (row["name"], row["notes"]) == ("Acme Corp", 2)
