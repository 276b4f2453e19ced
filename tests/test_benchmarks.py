"""The benchmark scripts keep working: the dataset is what the CLI would write, the runner runs.

No timing is asserted anywhere: only that the data is right and the table is printed.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from conftest import Run

from handoff_cli import schedule
from handoff_cli.searchtext import index_body
from handoff_cli.store import LATEST_VERSION, Store

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

import make_dataset  # noqa: E402
import run as bench  # noqa: E402

SIZES = make_dataset.Sizes(clients=30, promises=200, notes=3000)


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    path = tmp_path_factory.mktemp("bench") / "bench.db"
    make_dataset.make(path, SIZES)
    yield path


def dump(path: Path) -> list[list[tuple[object, ...]]]:
    conn = sqlite3.connect(path)
    try:
        tables = ("clients", "contacts", "notes", "note_contacts", "promises", "completions")
        dumped = [conn.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall() for t in tables]
        dumped.append(conn.execute("SELECT rowid, body FROM notes_fts ORDER BY rowid").fetchall())
        return dumped
    finally:
        conn.close()


def test_sizes_and_schema(dataset: Path) -> None:
    store = Store.open(dataset, create=False)
    assert store is not None
    try:
        counts = store.counts()
        assert (counts.clients, counts.promises, counts.notes) == (30, 200, 3000)
        assert store.schema_version() == LATEST_VERSION
        assert store.integrity_check() == "ok"
        mode = store.conn.execute("PRAGMA journal_mode").fetchone()[0]
        assert mode == "wal"
    finally:
        store.close()


def test_deterministic(dataset: Path, tmp_path: Path) -> None:
    again = tmp_path / "again.db"
    make_dataset.make(again, SIZES)
    assert dump(again) == dump(dataset)


def test_the_same_data_from_worker_processes(dataset: Path, tmp_path: Path) -> None:
    inline, pooled = tmp_path / "inline.db", tmp_path / "pooled.db"
    make_dataset.make(inline, SIZES, batch=700, workers=0)
    make_dataset.make(pooled, SIZES, batch=700, workers=2)
    assert dump(pooled) == dump(inline)
    notes = dump(inline)[2]
    assert [n[0] for n in notes] == list(range(1, SIZES.notes + 1))
    assert [n[4] for n in notes] == sorted(n[4] for n in notes)  # ids in time order


def test_search_entries_are_what_the_store_writes(dataset: Path) -> None:
    conn = sqlite3.connect(dataset)
    try:
        notes = conn.execute(
            "SELECT n.text, n.tags, f.body FROM notes n JOIN notes_fts f ON f.rowid = n.id"
        ).fetchall()
        promises = conn.execute(
            "SELECT p.title, f.body FROM promises p JOIN promises_fts f ON f.rowid = p.id"
        ).fetchall()
    finally:
        conn.close()
    assert len(notes) == SIZES.notes and len(promises) == SIZES.promises
    for text, tags, body in notes:
        assert body == index_body(text, *json.loads(tags))
    for title, body in promises:
        assert body == index_body(title)


def test_counters_kept_by_the_triggers_agree(dataset: Path) -> None:
    conn = sqlite3.connect(dataset)
    try:
        wrong = conn.execute(
            "SELECT c.name FROM clients c WHERE c.note_count !="
            " (SELECT count(*) FROM notes WHERE client_id = c.id)"
            " OR coalesce(c.last_at_utc, '') !="
            " coalesce((SELECT max(at_utc) FROM notes WHERE client_id = c.id), '')"
        ).fetchall()
    finally:
        conn.close()
    assert wrong == []


def test_next_due_is_the_schedule(dataset: Path) -> None:
    conn = sqlite3.connect(dataset)
    try:
        rows = conn.execute(
            "SELECT p.id, p.rule, p.start, p.after_done,"
            " CASE WHEN p.paused_from IS NOT NULL AND p.status = 'open' THEN 'paused'"
            " ELSE p.status END, p.next_due,"
            " (SELECT json_group_array(day) FROM completions WHERE promise_id = p.id)"
            " FROM promises p"
        ).fetchall()
    finally:
        conn.close()
    kinds = {"never done": 0, "done": 0, "one-off": 0}
    for _, rule, start, after_done, status, next_due, days in rows:
        done = [date.fromisoformat(d) for d in json.loads(days)]
        expected = schedule.next_due(
            rule, date.fromisoformat(start), done, after_done=bool(after_done)
        )
        if status == "paused":  # what fell due from the pause on is not owed
            assert next_due is None or expected is not None and next_due <= expected.isoformat()
            continue
        assert next_due == (expected.isoformat() if expected else None)
        if status == "done" or expected is None:  # closed; or paused or dropped after it
            assert expected is None and status in ("done", "paused", "dropped")
        kinds["one-off" if rule is None else "done" if done else "never done"] += 1
    assert all(kinds.values()), kinds


def test_the_cli_reads_it(dataset: Path, run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HANDOFF_DB", str(dataset))
    monkeypatch.setenv("HANDOFF_NOW", make_dataset.NOW)
    hits = run("search", "invoice", "--json")
    assert hits.exit_code == 0 and hits.json()
    due = run("due", "--json")
    assert due.exit_code == 0 and due.json()["items"]
    clients = run("clients", "--json").json()
    assert clients[0]["name"] == "Acme Corp" and len(clients) == SIZES.clients


def test_make_dataset_refuses_to_overwrite(dataset: Path) -> None:
    assert make_dataset.main([str(dataset)]) == 2


def test_a_missing_command_is_skipped_with_a_note(dataset: Path, tmp_path: Path) -> None:
    floor = tmp_path / "floor.db"
    conn = sqlite3.connect(floor)
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, x TEXT)")
    conn.close()
    handoff = [sys.executable, "-c", "from handoff_cli.cli import main; main()"]
    setup = bench.Setup(
        handoff, sys.executable, tmp_path, floor, bench.child_env(dataset, tmp_path)
    )
    cmds = [
        bench.Command("not yet", ["frobnicate"], 4),
        bench.Command("broken", ["show", "No Such Client"], 4),
        bench.Command("clients", ["clients"], 8),
    ]
    floors = bench.measure(setup, cmds, runs=1, warmup=0, heavy_runs=0)
    assert cmds[0].note == "skipped: not there yet" and not cmds[0].samples
    assert cmds[1].note.startswith("failed (exit 2): error: no client") and not cmds[1].samples
    assert len(cmds[2].samples) == 1 and not cmds[2].note
    table = bench.table(cmds, floors)
    assert "| not yet |" in table and "skipped: not there yet" in table


def test_smoke_run_prints_the_table() -> None:
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / "run.py"), "--smoke"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    table = done.stdout
    for name in ("--version", "--help", "log", "complete", "due", "search", "show", "clients"):
        assert f"| {name}" in table
    assert "| export json (all) |" in table and "| import " in table
    assert "failed (" not in table, table
