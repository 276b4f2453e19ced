"""Cases 1-3: many handoff processes on one database at once.

Writers that read first take the write lock up front (`BEGIN IMMEDIATE`), so
they queue on the busy timeout instead of failing with "database is locked";
the schema is created by exactly one of many first runs; readers see one
consistent moment while writers add notes.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path

import pytest

from .support import (
    HANDOFF,
    HARNESS,
    TIMEOUT,
    Done,
    Run,
    assert_clean_failure,
    connect,
    consistency_problems,
    integrity,
    rows,
    run_handoff,
    scalar,
)

CLIENTS = ("Acme", "Globex", "Initech", "Umbrella")


@pytest.mark.slow
def test_20_processes_x_25_logs_lose_nothing(db: Path) -> None:
    """Case 1: 20 processes x 25 `log` (clients created in the race too)."""
    workers, per_worker = 20, 25

    def worker(w: int) -> list[Done]:
        client = CLIENTS[w % len(CLIENTS)]
        return [
            run_handoff("log", client, f"writer {w} note {j}", "--tag", f"w{w}")
            for j in range(per_worker)
        ]

    with ThreadPoolExecutor(workers) as pool:
        results = [d for batch in pool.map(worker, range(workers)) for d in batch]

    # On a machine this loaded (the suite's other workers, 20 processes on 2 cores) a
    # writer may wait out the 30 s busy timeout: it must then say so, with its text, and
    # save nothing. Every other note is saved exactly once; none is lost unsaid.
    busy = [
        d
        for d in results
        if d.code == 3 and "is busy" in d.stderr and "your note was not saved" in d.stderr
    ]
    failures = [d for d in results if (d.code != 0 or d.stderr) and d not in busy]
    assert not failures, f"{len(failures)} of {len(results)} failed; first: {failures[0].stderr}"
    assert all(d.args[2] in d.stderr for d in busy)  # the text is given back
    assert len(busy) <= len(results) // 20, f"{len(busy)} of {len(results)} gave up waiting"
    texts = [r[0] for r in rows(db, "SELECT text FROM notes")]
    expected = {f"writer {w} note {j}" for w in range(workers) for j in range(per_worker)}
    expected -= {d.args[2] for d in busy}
    assert len(texts) == len(expected)
    assert set(texts) == expected
    assert sorted(r[0] for r in rows(db, "SELECT name FROM clients")) == sorted(CLIENTS)
    assert consistency_problems(db) == []
    print(
        f"{workers}x{per_worker} concurrent log: {len(texts)}/500 present, {len(busy)} said busy,"
        " integrity ok"
    )


def test_racing_done_takes_the_lock_up_front(db: Path, handoff: Run) -> None:
    """Case 1: `done` reads the promise then writes; 8 processes x 5 on one promise.

    Every completion counts exactly once: each `done --early` covers the next
    day of a daily promise, so a lost update shows as a next due date short of 40.
    """
    made = handoff("promise", "Acme", "Daily report", "--every", "daily", "--json").ok().json()
    start = date.fromisoformat(made["next_due"])
    workers, per_worker = 8, 5

    def worker(_: int) -> list[Done]:
        return [run_handoff("done", str(made["id"]), "--early") for _ in range(per_worker)]

    with ThreadPoolExecutor(workers) as pool:
        results = [d for batch in pool.map(worker, range(workers)) for d in batch]

    locked = [d for d in results if "locked" in d.stderr or "busy" in d.stderr]
    failures = [d for d in results if d.code != 0]
    assert not locked, f"{len(locked)} of {len(results)} saw a lock: {locked[0].stderr}"
    assert not failures, f"{len(failures)} failed: {failures[0].stderr}"
    total = workers * per_worker
    assert scalar(db, "SELECT count(*) FROM completions") == total
    assert scalar(db, "SELECT count(*) FROM notes WHERE text LIKE 'Done: %'") == total
    next_due = scalar(db, "SELECT next_due FROM promises WHERE id = ?", [made["id"]])
    assert next_due == (start + timedelta(days=total)).isoformat()
    assert consistency_problems(db) == []
    print(f"{workers}x{per_worker} racing done: {total}/{total} counted once, 0 lock errors")


def test_racing_plain_dones_cover_the_day_once(db: Path, handoff: Run) -> None:
    """Eight people press `done` on the same occurrence at once: it is done once."""
    made = handoff("promise", "Acme", "Daily report", "--every", "daily", "--json").ok().json()
    start = date.fromisoformat(made["next_due"])
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda _: run_handoff("done", str(made["id"])), range(8)))
    assert sorted(d.code for d in results) == [0] + [2] * 7
    assert all("nothing is due yet" in d.stderr for d in results if d.code)
    next_due = scalar(db, "SELECT next_due FROM promises WHERE id = ?", [made["id"]])
    assert next_due == (start + timedelta(days=1)).isoformat()
    assert consistency_problems(db) == []


def test_when_the_wait_runs_out_the_message_says_so(db: Path, handoff: Run) -> None:
    """Case 1: the busy timeout expires: one line saying so, the note echoed, nothing written."""
    handoff("log", "Acme", "first").ok()
    made = handoff("promise", "Acme", "Report", "--every", "weekly", "--json").ok().json()
    before = rows(db, "SELECT count(*), sum(length(text)) FROM notes")
    env = dict(os.environ, HANDOFF_TEST_BUSY_TIMEOUT="0.3")
    with connect(db) as holder:
        holder.execute("BEGIN IMMEDIATE")  # another writer holds the lock and does not let go
        logged = run_handoff("log", "Acme", "words", "worth", "keeping", env=env, harness=True)
        kept = run_handoff("done", str(made["id"]), "--note", "sent it", env=env, harness=True)
        holder.execute("ROLLBACK")
    line = assert_clean_failure(logged, code=3)
    assert "busy" in line and "nothing was changed" in line
    assert "words worth keeping" in line
    line = assert_clean_failure(kept, code=3)
    assert "busy" in line
    assert rows(db, "SELECT count(*), sum(length(text)) FROM notes") == before
    assert scalar(db, "SELECT count(*) FROM completions") == 0
    assert consistency_problems(db) == []


def _clean(done: Done) -> bool:
    assert done.code == 0 and not done.stderr, (done.args, done.code, done.stderr)
    return True


def _start_together(args_list: list[list[str]]) -> list[Done]:
    procs = [
        subprocess.Popen(
            [*HANDOFF, *args],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for args in args_list
    ]
    done = []
    for args, proc in zip(args_list, procs, strict=True):
        out, err = proc.communicate(timeout=TIMEOUT)
        done.append(Done(args, proc.returncode, out.decode(), err.decode()))
    return done


def _schema(path: Path) -> list[tuple[str, str, str]]:
    return rows(path, "SELECT type, name, sql FROM sqlite_master ORDER BY type, name")


def test_first_run_race_makes_one_schema(tmp_path: Path, handoff: Run) -> None:
    """Case 2: 10 processes start on a database (and directory) that does not exist yet."""
    reference = tmp_path / "reference.db"
    handoff("--db", str(reference), "log", "Acme", "alone").ok()
    for round_ in range(3):
        path = tmp_path / f"round{round_}" / "new" / "handoff.db"
        results = _start_together(
            [["--db", str(path), "log", "Acme", f"racer {i}"] for i in range(10)]
        )
        failures = [d for d in results if d.code != 0 or d.stderr]
        assert not failures, f"round {round_}: {len(failures)} failed: {failures[0].stderr}"
        assert sorted(r[0] for r in rows(path, "SELECT text FROM notes")) == sorted(
            f"racer {i}" for i in range(10)
        )
        assert scalar(path, "SELECT count(*) FROM clients") == 1
        assert _schema(path) == _schema(reference)
        assert rows(path, "SELECT name FROM _sqlite_migrations") == rows(
            reference, "SELECT name FROM _sqlite_migrations"
        )
        assert scalar(path, "PRAGMA user_version") == scalar(reference, "PRAGMA user_version")
        assert integrity(path) == "ok"
    print("first run race: 3 rounds x 10 processes, one schema each, 0 errors")


def test_first_run_never_mistakes_a_schema_being_created_for_a_stranger(tmp_path: Path) -> None:
    """Case 2, the exact interleaving: B reads the (still empty) identity while A creates
    the schema, and counts the tables after A committed. Found by the 20x25 run."""
    path = tmp_path / "new" / "handoff.db"
    mark = tmp_path / "a-is-committing"
    a_env = dict(
        os.environ,
        HANDOFF_DB=str(path),
        HANDOFF_TEST_PAUSE="COMMIT=2",
        HANDOFF_TEST_PAUSE_MARK=str(mark),
    )
    b_env = dict(os.environ, HANDOFF_DB=str(path), HANDOFF_TEST_PAUSE="FROM sqlite_master=3")
    first = subprocess.Popen(
        [*HARNESS, "log", "Acme", "from A"],
        env=a_env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + TIMEOUT
    while not mark.exists() and first.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert mark.exists(), "A never reached its migration's COMMIT"
    second = run_handoff("log", "Acme", "from B", env=b_env, harness=True)
    out, err = first.communicate(timeout=TIMEOUT)
    assert first.returncode == 0, err.decode()
    assert second.code == 0, second.stderr
    assert sorted(r[0] for r in rows(path, "SELECT text FROM notes")) == ["from A", "from B"]


def test_first_run_waits_for_the_switch_to_wal(tmp_path: Path) -> None:
    """Case 2, the interleaving behind a CI failure: another process holds the write
    lock of the new, still empty database while this one switches it to WAL. SQLite
    fails that switch at once ("database is locked") instead of waiting, so the note
    was lost about once in 40 rounds of 10 racers; the switch must wait its turn."""
    path = tmp_path / "new" / "handoff.db"
    path.parent.mkdir()
    with connect(path) as holder:
        holder.execute("BEGIN IMMEDIATE")  # a racer that is switching it right now
        started = subprocess.Popen(
            [*HANDOFF, "--db", str(path), "log", "Acme", "after the racer"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        time.sleep(1.0)
        assert started.poll() is None, started.communicate()[1].decode()
        holder.execute("ROLLBACK")
    out, err = started.communicate(timeout=TIMEOUT)
    assert (started.returncode, err.decode()) == (0, "")
    assert rows(path, "SELECT text FROM notes") == [("after the racer",)]
    assert scalar(path, "PRAGMA journal_mode") == "wal"


@pytest.mark.slow
def test_readers_see_one_complete_moment_while_writers_write(db: Path, handoff: Run) -> None:
    """Case 3: `show --json`, `export --format json`, `due --json`, `clients --json` while
    4 writers add notes.

    Each writer adds notes with a new contact each time, and promises. Every
    reader's answer must be valid, must hold every note whose writer had
    reported success before the reader started, must hold each writer's notes
    as a prefix (no gaps), and every contact a note names must be in the same
    answer's contact list (contacts and notes from one moment).
    """
    handoff("log", "Acme", "seed").ok()
    confirmed: list[tuple[float, str]] = []
    lock = threading.Lock()
    writing = threading.Event()
    writing.set()
    writers, per_writer = 4, 12

    def writer(w: int) -> list[Done]:
        results = []
        for j in range(per_writer):
            text = f"w{w} n{j:02d}"
            d = run_handoff("log", "Acme", text, "--with", f"Person {w}-{j}")
            if d.code == 0:
                with lock:
                    confirmed.append((time.monotonic(), text))
            results.append(d)
            if j % 4 == 0:
                results.append(run_handoff("promise", "Acme", f"p{w}-{j}", "--due", "today"))
        return results

    # Readers pause just before reading the notes, after the contacts: without one
    # snapshot for the whole answer, a writer's note (and its new contact) lands
    # in between and the answer names a contact it does not list.
    slow = dict(os.environ, HANDOFF_TEST_PAUSE="FROM notes n=0.1")

    def reader(args: list[str]) -> list[tuple[float, Done]]:
        seen = []
        while writing.is_set():
            started = time.monotonic()
            seen.append((started, run_handoff(*args, env=slow, harness=True)))
        return seen

    show = ["show", "Acme", "--json", "--limit", "100000"]
    export = ["export", "--format", "json"]
    readers = {"show": show, "due": ["due", "--json"], "clients": ["clients", "--json"]}
    readers["export"] = export
    with ThreadPoolExecutor(writers + len(readers)) as pool:
        read_jobs = {name: pool.submit(reader, args) for name, args in readers.items()}
        write_results = [d for batch in pool.map(writer, range(writers)) for d in batch]
        writing.clear()
        reads = {name: job.result() for name, job in read_jobs.items()}

    assert all(d.code == 0 for d in write_results), [d.stderr for d in write_results if d.code]
    answers = [(started, d.json()) for started, d in reads["show"] if _clean(d)]
    bundles = [(started, d.json()) for started, d in reads["export"] if _clean(d)]
    assert len(answers) == len(reads["show"]) and len(bundles) == len(reads["export"])
    for started, data in answers + [(started, b["clients"][0]) for started, b in bundles]:
        texts = {n["text"] for n in data["notes"]}
        before = {text for at, text in confirmed if at < started}
        assert before <= texts, f"missing notes confirmed before the read: {before - texts}"
        for w in range(writers):
            mine = sorted(t for t in texts if t.startswith(f"w{w} "))
            assert mine == [f"w{w} n{j:02d}" for j in range(len(mine))], mine
        contacts = {c["name"] for c in data["contacts"]}
        named = {name for n in data["notes"] for name in n["with"]}
        assert named <= contacts, f"notes name contacts not in the list: {named - contacts}"
    for _, bundle in bundles:
        assert bundle["format"] == "handoff-bundle" and [c["name"] for c in bundle["clients"]] == [
            "Acme"
        ]
    for _, d in reads["due"]:
        assert _clean(d)
        assert {i["status"] for i in d.json()["items"]} <= {"overdue", "today", "upcoming"}
    for _, d in reads["clients"]:
        assert _clean(d)
        assert [c["name"] for c in d.json()] == ["Acme"]
    counts = {k: len(v) for k, v in reads.items()}
    assert all(n >= 2 for n in counts.values()), counts
    print(f"readers during {len(write_results)} writes: {counts} reads, all valid and whole")
    assert consistency_problems(db) == []
