"""Case 6: `handoff backup [FILE]` makes a consistent, private copy while others write."""

from __future__ import annotations

import hashlib
import random
import signal
import stat
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from .support import (
    HANDOFF,
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


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.slow
def test_backups_taken_while_others_write_are_consistent_and_private(
    db: Path, handoff: Run, tmp_path: Path
) -> None:
    """3 writers add notes while backups are taken one after another (under umask 022).

    Each copy passes integrity_check, holds every note reported saved before the
    backup started, holds each writer's notes as a prefix, and is 0600.
    """
    handoff("log", "Acme", "seed").ok()
    confirmed: list[tuple[float, str]] = []
    lock = threading.Lock()
    writing = threading.Event()
    writing.set()

    def writer(w: int) -> list[Done]:
        results = []
        for j in range(15):
            text = f"w{w} n{j:02d}"
            d = run_handoff("log", "Acme", text)
            if d.code == 0:
                with lock:
                    confirmed.append((time.monotonic(), text))
            results.append(d)
        return results

    def backups() -> list[tuple[float, Path, Done]]:
        taken = []
        while writing.is_set():
            target = tmp_path / "copies" / f"backup-{len(taken)}.db"
            target.parent.mkdir(exist_ok=True)
            started = time.monotonic()
            taken.append((started, target, run_handoff("backup", str(target), umask=0o022)))
        return taken

    # Another program keeps the database open (a long export, the sqlite3 shell), so
    # no writer is the last to close it and committed notes stay in the -wal file
    # until a checkpoint: exactly when copying the file loses them.
    with connect(db) as keeper, ThreadPoolExecutor(4) as pool:
        keeper.execute("SELECT count(*) FROM notes").fetchall()
        job = pool.submit(backups)
        written = [d for batch in pool.map(writer, range(3)) for d in batch]
        writing.clear()
        taken = job.result()

    assert all(d.code == 0 for d in written)
    assert len(taken) >= 2, "the writers finished before two backups could run"
    for started, target, done in taken:
        done.ok()
        assert mode(target) == 0o600, oct(mode(target))
        assert integrity(target) == "ok"
        assert consistency_problems(target) == []
        texts = {r[0] for r in rows(target, "SELECT text FROM notes")}
        before = {text for at, text in confirmed if at < started}
        assert before <= texts, f"{target.name} lost committed notes: {before - texts}"
        for w in range(3):
            mine = sorted(t for t in texts if t.startswith(f"w{w} "))
            assert mine == [f"w{w} n{j:02d}" for j in range(len(mine))]
    leftovers = [p.name for p in (tmp_path / "copies").iterdir() if p.suffix != ".db"]
    assert leftovers == []
    print(f"backup: {len(taken)} copies during 45 writes, all complete as of their start, 0600")


def test_backup_refuses_to_overwrite_without_force(db: Path, handoff: Run, tmp_path: Path) -> None:
    handoff("log", "Acme", "one").ok()
    target = tmp_path / "copy.db"
    handoff("backup", str(target)).ok()
    first = digest(target)
    handoff("log", "Acme", "two").ok()

    line = assert_clean_failure(handoff("backup", str(target)), code=2)
    assert "--force" in line
    assert digest(target) == first

    handoff("backup", str(target), "--force", umask=0o022).ok()
    assert mode(target) == 0o600
    assert scalar(target, "SELECT count(*) FROM notes") == 2

    line = assert_clean_failure(handoff("backup", str(db), "--force"), code=2)
    assert scalar(db, "SELECT count(*) FROM notes") == 2
    assert integrity(db) == "ok"


def test_a_killed_backup_leaves_the_old_copy_or_the_new_one(
    db: Path, handoff: Run, tmp_path: Path
) -> None:
    """`backup --force` SIGKILLed at random (seeded) moments over an existing copy."""
    for i in range(4):  # a few MB, so a copy takes a moment
        handoff("log", "Acme", input=f"big note {i} " + "lorem ipsum " * 100_000).ok()
    target = tmp_path / "copy.db"
    handoff("backup", str(target)).ok()
    rng = random.Random(6)
    outcomes = {"finished": 0, "killed": 0}
    for i in range(12):
        handoff("log", "Acme", f"between {i}").ok()
        proc = subprocess.Popen(
            [*HANDOFF, "backup", str(target), "--force"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        time.sleep(rng.uniform(0.0, 0.3))
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=TIMEOUT)
        outcomes["finished" if proc.returncode == 0 else "killed"] += 1
        assert integrity(target) == "ok", f"kill {i} damaged the copy"
        count = scalar(target, "SELECT count(*) FROM notes WHERE text LIKE 'between %'")
        assert count <= i + 1
        assert mode(target) == 0o600
    temps = [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    assert all(mode(p) == 0o600 for p in temps)
    print(f"backup --force killed at random: {outcomes}, the copy always whole, {len(temps)} temps")
