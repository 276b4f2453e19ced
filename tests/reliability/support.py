"""Helpers for the reliability suite: run the real `handoff` as separate processes.

Every test here runs the installed command in subprocesses (`python -m
handoff_cli`), or through `harness.py` when it needs to stop a command at an
exact statement. The root conftest has already given each test its own
database path, author, clock and time zone in the environment.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).parent
HANDOFF = [sys.executable, "-m", "handoff_cli"]
HARNESS = [sys.executable, str(HERE / "harness.py")]
TIMEOUT = 120  # seconds for one command: generous, a loaded CI machine is slow


@dataclass
class Done:
    """One finished `handoff` process."""

    args: Sequence[str]
    code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)

    def ok(self) -> Done:
        assert self.code == 0, f"handoff {' '.join(self.args)} exited {self.code}: {self.stderr}"
        return self


Run = Callable[..., Done]


def run_handoff(
    *args: str,
    env: dict[str, str] | None = None,
    input: str | bytes | None = None,
    harness: bool = False,
    umask: int | None = None,
    prefix: Sequence[str] = (),
) -> Done:
    """Run `handoff ARGS` (or the harness) to completion and collect its output."""
    command = [*prefix, *(HARNESS if harness else HANDOFF), *args]
    data = input.encode("utf-8") if isinstance(input, str) else input
    proc = subprocess.run(
        command,
        input=data,
        stdin=None if data is not None else subprocess.DEVNULL,
        capture_output=True,
        env=env if env is not None else dict(os.environ),
        timeout=TIMEOUT,
        umask=-1 if umask is None else umask,  # not preexec_fn: tests run this from threads
        check=False,
    )
    return Done(
        args,
        proc.returncode,
        proc.stdout.decode("utf-8", "replace"),
        proc.stderr.decode("utf-8", "replace"),
    )


def in_process(run: Callable[..., Any]) -> Run:
    """The root conftest's `run` (CliRunner, no new process), answering as run_handoff does.

    For checks that need no process of their own (no signal, descriptor or
    fast path): a process costs ~0.15 s, and the suite must stay quick.
    """

    def call(*args: str, input: str | None = None) -> Done:
        result = run(*args, input=input)
        return Done(args, result.exit_code, result.stdout, result.stderr)

    return call


@contextmanager
def connect(path: Path) -> Iterator[sqlite3.Connection]:
    with closing(sqlite3.connect(path, timeout=60, isolation_level=None)) as conn:
        yield conn


def rows(path: Path, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    with connect(path) as conn:
        return conn.execute(sql, params).fetchall()


def scalar(path: Path, sql: str, params: Sequence[Any] = ()) -> Any:
    return rows(path, sql, params)[0][0]


def integrity(path: Path) -> str:
    return "; ".join(str(r[0]) for r in rows(path, "PRAGMA integrity_check"))


def consistency_problems(path: Path) -> list[str]:
    """Everything that would show a write that landed only in part; [] when whole."""
    checks = {
        "integrity_check": "SELECT 1 FROM pragma_integrity_check WHERE integrity_check != 'ok'",
        "foreign keys": "SELECT 1 FROM pragma_foreign_key_check",
        "note without its search entry": "SELECT id FROM notes"
        " WHERE id NOT IN (SELECT rowid FROM notes_fts)",
        "search entry without its note": "SELECT rowid FROM notes_fts"
        " WHERE rowid NOT IN (SELECT id FROM notes)",
        "promise without its search entry": "SELECT id FROM promises"
        " WHERE id NOT IN (SELECT rowid FROM promises_fts)",
        "client note count out of step": "SELECT c.id FROM clients c"
        " WHERE c.note_count != (SELECT count(*) FROM notes n WHERE n.client_id = c.id)",
        "client last contact out of step": "SELECT c.id FROM clients c WHERE c.last_at_utc"
        " IS NOT (SELECT max(at_utc) FROM notes n WHERE n.client_id = c.id)",
        "completion pointing at no note": "SELECT id FROM completions"
        " WHERE note_id IS NOT NULL AND note_id NOT IN (SELECT id FROM notes)",
    }
    problems = []
    with connect(path) as conn:
        for name, sql in checks.items():
            found = conn.execute(sql).fetchall()
            if found:
                problems.append(f"{name}: {found[:5]}")
    return problems


def assert_clean_failure(done: Done, *, code: int | None = None) -> str:
    """A failure as the contract wants it: non-zero, one line on stderr, no traceback."""
    assert done.code != 0, f"expected a failure, got exit 0: {done.stdout[:300]}"
    if code is not None:
        assert done.code == code, (done.code, done.stderr)
    assert done.code > 0, f"killed by signal {-done.code}: {done.stderr}"
    assert "Traceback" not in done.stderr, done.stderr
    lines = done.stderr.strip("\n").splitlines()
    assert len(lines) == 1, f"expected one line on stderr, got {len(lines)}:\n{done.stderr}"
    assert lines[0].startswith("error: "), lines[0]
    return lines[0]


def has_command(name: str) -> bool:
    """Whether this handoff has the command yet (export/import are being built)."""
    done = run_handoff(name, "--help")
    return done.code == 0


def unprivileged_prefix() -> list[str]:
    """A command prefix under which file permissions apply (root ignores them)."""
    if os.geteuid() != 0:
        return []
    import shutil

    setpriv = shutil.which("setpriv")
    if not setpriv:
        pytest.skip("running as root without setpriv: file permissions cannot be tested")
    return [setpriv, "--bounding-set=-dac_override,-dac_read_search,-fowner"]
