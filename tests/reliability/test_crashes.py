"""Case 4: SIGKILL at any moment leaves a whole database and loses nothing reported saved.

Two kinds of kill, both real signals from the kernel:
- at every statement boundary: `harness.py` kills the process just before its
  N-th SQL statement starts, for every N the command runs (mid-transaction and
  mid-COMMIT included);
- at random moments (seeded), from outside, while other processes also write.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import threading
import time
from datetime import date, timedelta
from pathlib import Path

import pytest

from .support import (
    HANDOFF,
    TIMEOUT,
    Done,
    Run,
    consistency_problems,
    integrity,
    rows,
    run_handoff,
    scalar,
)

SEED = 20261123
KILLED = -signal.SIGKILL


def trace(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> list[str]:
    """The statements `handoff ARGS` runs (it runs for real)."""
    out = tmp_path / "trace.json"
    run_env = dict(env if env is not None else os.environ, HANDOFF_TEST_TRACE=str(out))
    run_handoff(*args, env=run_env, harness=True).ok()
    statements: list[str] = json.loads(out.read_text())
    return statements


def kill_at(step: int, *args: str, env: dict[str, str] | None = None) -> Done:
    run_env = dict(env if env is not None else os.environ, HANDOFF_TEST_KILL_AT=str(step))
    return run_handoff(*args, env=run_env, harness=True)


def last_commit(statements: list[str]) -> int:
    return max(i for i, s in enumerate(statements) if s.strip().upper() == "COMMIT")


def test_kill_at_every_step_of_log(db: Path, handoff: Run, tmp_path: Path) -> None:
    """`log` with a contact, a tag and --done, killed before each of its statements."""
    made = handoff(
        "promise", "Acme", "Daily call", "--every", "daily", "--start", "2026-01-01", "--json"
    ).ok().json()  # fmt: skip
    args = ["--with", "Bob", "--tag", "t", "--done", str(made["id"])]
    day = iter(date(2026, 1, 1) + timedelta(days=i) for i in range(300))

    def at() -> list[str]:  # each done covers the next day (a second done that day would not)
        return ["--at", f"{next(day).isoformat()} 18:00"]

    handoff("log", "Acme", "warm-up", *args, *at()).ok()  # creates Bob: later runs repeat
    statements = trace(tmp_path, "log", "Acme", "traced", *args, *at())
    commit = last_commit(statements)
    outcomes = {"killed before COMMIT": 0, "killed during COMMIT": 0, "finished": 0}
    for step in range(len(statements)):
        text = f"killed at {step}"
        before = scalar(db, "SELECT count(*) FROM completions")
        done = kill_at(step, "log", "Acme", text, *args, *at())
        present = scalar(db, "SELECT count(*) FROM notes WHERE text = ?", [text])
        assert done.code in (0, KILLED), done.stderr
        if done.code == 0:
            outcomes["finished"] += 1
            assert present == 1
        elif step <= commit:
            outcomes["killed before COMMIT"] += 1
            assert present == 0, f"step {step}: a note killed before COMMIT was kept"
        else:
            outcomes["killed during COMMIT"] += 1
        completions = scalar(db, "SELECT count(*) FROM completions")
        assert completions == before + present, f"step {step}: note and completion apart"
        assert consistency_problems(db) == [], f"after a kill at step {step}"
    assert outcomes["killed before COMMIT"] == commit + 1, outcomes
    print(f"log killed at each of {len(statements)} statements: {outcomes}, all whole")
    handoff("log", "Acme", "after the crashes").ok()
    assert integrity(db) == "ok"


def test_kill_at_every_step_of_done(db: Path, handoff: Run, tmp_path: Path) -> None:
    """`done` (read, then write a note, a completion and the new next due), killed anywhere."""
    made = handoff("promise", "Acme", "Daily report", "--every", "daily", "--to", "Bob", "--json")
    promise = made.ok().json()
    start = date.fromisoformat(promise["next_due"])
    pid = str(promise["id"])
    handoff("done", pid, "--early", "--note", "warm-up").ok()  # each --early: the next day
    statements = trace(tmp_path, "done", pid, "--early", "--note", "traced")
    commit = last_commit(statements)
    for step in range(len(statements)):
        before = scalar(db, "SELECT count(*) FROM completions")
        done = kill_at(step, "done", pid, "--early", "--note", f"killed at {step}")
        assert done.code in (0, KILLED), done.stderr
        after = scalar(db, "SELECT count(*) FROM completions")
        if done.code == 0 or step > commit:
            assert after in (before, before + 1)
        else:
            assert after == before, f"step {step}: a completion killed before COMMIT was kept"
        timeline = scalar(db, "SELECT count(*) FROM notes WHERE text LIKE 'Done: %'")
        assert timeline == after, f"step {step}: completions and timeline notes apart"
        next_due = scalar(db, "SELECT next_due FROM promises WHERE id = ?", [promise["id"]])
        assert next_due == (start + timedelta(days=after)).isoformat(), f"step {step}"
        assert consistency_problems(db) == [], f"after a kill at step {step}"
    print(f"done killed at each of {len(statements)} statements (COMMIT is {commit}), all whole")
    handoff("done", pid, "--early").ok()
    assert integrity(db) == "ok"


def _spawn(args: list[str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [*HANDOFF, *args], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )


def _kill_later(proc: subprocess.Popen[bytes], delay: float) -> threading.Timer:
    def kill() -> None:
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)

    timer = threading.Timer(delay, kill)
    timer.start()
    return timer


@pytest.mark.slow
def test_random_kills_lose_nothing_reported_saved(db: Path, handoff: Run) -> None:
    """Rounds of 3 `log` + 1 `done` at once, each SIGKILLed at a random (seeded) moment.

    The moments are drawn from 0 to 1.2x the time a round takes on this machine
    when nothing is killed, so some processes finish and some die somewhere
    inside; the span adapts (and more rounds run) until both have happened.
    """
    made = handoff("promise", "Acme", "Daily", "--every", "daily", "--json").ok().json()
    start = date.fromisoformat(made["next_due"])
    rng = random.Random(SEED)
    saved: list[str] = []
    killed: list[str] = []
    done_ok = done_started = 0
    span = 0.0
    for round_ in range(40):
        jobs = [["log", "Acme", f"round {round_} writer {i}"] for i in range(3)]
        jobs.append(["done", str(made["id"]), "--early"])
        began = time.monotonic()
        procs = [_spawn(args) for args in jobs]
        timers = [_kill_later(p, rng.uniform(0, span)) for p in procs] if span else []
        for args, proc in zip(jobs, procs, strict=True):
            out, err = proc.communicate(timeout=TIMEOUT)
            assert proc.returncode in (0, KILLED), err.decode()
            if args[0] == "done":
                done_started += 1
                done_ok += proc.returncode == 0
            elif proc.returncode == 0:
                assert out.decode().startswith("Saved note"), out
                saved.append(args[2])
            else:
                killed.append(args[2])
        for timer in timers:
            timer.cancel()
        if not span:  # the first round, unkilled, measures this machine
            span = 1.2 * (time.monotonic() - began)
        assert consistency_problems(db) == [], f"after round {round_}"
        if round_ >= 12 and len(killed) >= 5 and len(saved) >= 5:
            break
        # Kills drawn from a shorter span land earlier, inside more processes: too few
        # killed (commands faster than the first round said), shorten it; too few saved,
        # lengthen it.
        if round_ >= 6 and len(killed) < 5:
            span /= 1.5
        elif round_ >= 6 and len(saved) < 5:
            span *= 1.5
    texts = {r[0] for r in rows(db, "SELECT text FROM notes")}
    assert set(saved) <= texts, f"reported saved but lost: {set(saved) - texts}"
    completions = scalar(db, "SELECT count(*) FROM completions")
    assert done_ok <= completions <= done_started
    next_due = scalar(db, "SELECT next_due FROM promises WHERE id = ?", [made["id"]])
    assert next_due == (start + timedelta(days=completions)).isoformat()
    assert len(killed) >= 5 and len(saved) >= 5, (len(killed), len(saved))
    print(
        f"random kills: {len(killed)} log killed, {len(saved)} saved and all present; "
        f"done {done_ok}/{done_started} finished, {completions} completions recorded"
    )
    handoff("log", "Acme", "after the crashes").ok()
    assert integrity(db) == "ok"
