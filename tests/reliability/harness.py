"""Run the real `handoff` entry point with a hook on every SQL statement it executes.

    python harness.py ARGS...     behaves exactly like `handoff ARGS...`, plus:

- `HANDOFF_TEST_KILL_AT=N`: SIGKILL this process just before its statement N
  (counted from 0 over every connection it opens) starts to run, so a crash
  test can stop a command between any two steps of its work, mid-transaction
  included.
- `HANDOFF_TEST_TRACE=FILE`: at exit, write the statements run, as a JSON list.
- `HANDOFF_TEST_STAT=FILE`: just before each COMMIT, record the modes of the
  database and its -wal/-shm files (while they exist), as JSON.
- `HANDOFF_TEST_PAUSE=TEXT=SECONDS`: sleep before each statement containing TEXT,
  so a reader is slow exactly where a missing snapshot would show (writers slip
  in between two of its queries). With `HANDOFF_TEST_PAUSE_MARK=FILE`, FILE is
  created when the pause begins, so a test knows where this process stands.
- `HANDOFF_TEST_BUSY_TIMEOUT=SECONDS`: wait that long for the write lock instead
  of handoff's 30 s, so a test can watch the wait run out.
- `HANDOFF_TEST_M002=1`: register a synthetic migration after the real ones
  (`m_next_reliability_test`), so an upgrade that also runs a migration written
  after this handoff's own can be killed anywhere. It changes data in several
  steps, as real migrations do.

Signals (issue 15.5), each sent by the process to itself where Python code
runs (a signal handled inside a SQLite callback would be swallowed there):
- `HANDOFF_TEST_PAUSE_IN=MODULE:NAME=SECONDS`: replace MODULE.NAME with a
  function that sleeps, then calls it (`os:replace=30`,
  `handoff_cli.cli.transfer:_link_new=30`); with `HANDOFF_TEST_PAUSE_MARK` as
  above, so a test can send its signal while the command is right there.
- `HANDOFF_TEST_SIGNAL_ON_IMPORT=MODULE:SIGNAL`: send SIGNAL (INT, TERM, HUP)
  when MODULE starts to be imported (a Ctrl-C while Typer loads).
- `HANDOFF_TEST_SIGNAL_AT_COMMIT=during|after:SIGNAL`: send SIGNAL while the
  COMMIT runs, or just after it, before the command prints a word.

The kill is a real signal, delivered by the kernel: no `finally`, no atexit,
no SQLite cleanup runs.
"""

from __future__ import annotations

import atexit
import json
import os
import signal
import sqlite3
import stat
import sys
import time
from typing import Any

M002_STATEMENTS = [
    "ALTER TABLE notes ADD COLUMN pinned INTEGER NOT NULL DEFAULT 0",
    "UPDATE notes SET pinned = (id % 2)",
    "CREATE TABLE note_links (note_id INTEGER NOT NULL REFERENCES notes(id),"
    " client_uuid TEXT NOT NULL)",
    "INSERT INTO note_links SELECT n.id, c.uuid FROM notes n JOIN clients c ON c.id = n.client_id",
    "CREATE INDEX note_links_note ON note_links (note_id)",
    "UPDATE clients SET name = name || ''",
]


TEST_MIGRATION = "m_next_reliability_test"


def _install_m002() -> None:
    from handoff_cli import migrations
    from handoff_cli.store import base

    def m_next_reliability_test(db: Any) -> None:
        for statement in M002_STATEMENTS:
            db.conn.execute(statement)

    migrations.migrations()(m_next_reliability_test)
    base.LATEST_VERSION += 1


def _hook() -> None:
    kill_at = int(os.environ.get("HANDOFF_TEST_KILL_AT", "-1"))
    trace_file = os.environ.get("HANDOFF_TEST_TRACE")
    stat_file = os.environ.get("HANDOFF_TEST_STAT")
    pause_at, _, pause_for = os.environ.get("HANDOFF_TEST_PAUSE", "").rpartition("=")
    statements: list[str] = []
    modes: dict[str, str] = {}
    real_connect = sqlite3.connect

    def trace(statement: str) -> None:
        if len(statements) == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)
        statements.append(statement)
        if pause_at and pause_at in statement:
            mark = os.environ.get("HANDOFF_TEST_PAUSE_MARK")
            if mark:
                open(mark, "a").close()
            time.sleep(float(pause_for))
        if stat_file and statement.strip().upper() == "COMMIT":
            db = os.environ["HANDOFF_DB"]
            for suffix in ("", "-wal", "-shm"):
                try:
                    modes[db + suffix] = oct(stat.S_IMODE(os.stat(db + suffix).st_mode))
                except FileNotFoundError:
                    pass

    def connect(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        conn = real_connect(*args, **kwargs)
        conn.set_trace_callback(trace)
        return conn

    sqlite3.connect = connect  # type: ignore[assignment]

    def report() -> None:
        if trace_file:
            with open(trace_file, "w", encoding="utf-8") as handle:
                json.dump(statements, handle)
        if stat_file:
            with open(stat_file, "w", encoding="utf-8") as handle:
                json.dump(modes, handle)

    atexit.register(report)


def _signal_number(name: str) -> int:
    return int(getattr(signal, "SIG" + name))


def _signal_hooks() -> None:
    import importlib
    import importlib.abc

    pause_in = os.environ.get("HANDOFF_TEST_PAUSE_IN")
    if pause_in:
        target, _, seconds = pause_in.rpartition("=")
        module_name, _, name = target.partition(":")
        module = importlib.import_module(module_name)
        real = getattr(module, name)

        def paused(*args: Any, **kwargs: Any) -> Any:
            mark = os.environ.get("HANDOFF_TEST_PAUSE_MARK")
            if mark:
                open(mark, "a").close()
            time.sleep(float(seconds))
            return real(*args, **kwargs)

        setattr(module, name, paused)

    on_import = os.environ.get("HANDOFF_TEST_SIGNAL_ON_IMPORT")
    if on_import:
        wanted, _, sig = on_import.partition(":")

        class SignalOnImport(importlib.abc.MetaPathFinder):
            def find_spec(self, name: str, path: Any, target: Any = None) -> None:
                if name == wanted:
                    sys.meta_path.remove(self)
                    os.kill(os.getpid(), _signal_number(sig))

        sys.meta_path.insert(0, SignalOnImport())

    at_commit = os.environ.get("HANDOFF_TEST_SIGNAL_AT_COMMIT")
    if at_commit:
        from contextlib import contextmanager

        from handoff_cli import interrupts

        when, _, sig = at_commit.partition(":")
        real_committing = interrupts.committing

        @contextmanager
        def committing() -> Any:
            with real_committing():
                if when == "during":
                    os.kill(os.getpid(), _signal_number(sig))
                yield
            if when == "after":
                os.kill(os.getpid(), _signal_number(sig))

        interrupts.committing = committing  # type: ignore[assignment]


def main() -> None:
    _hook()
    _signal_hooks()
    if os.environ.get("HANDOFF_TEST_M002"):
        _install_m002()
    busy = os.environ.get("HANDOFF_TEST_BUSY_TIMEOUT")
    if busy:
        from handoff_cli.store import base

        base.BUSY_TIMEOUT_S = float(busy)
    from handoff_cli.cli import main as handoff_main

    sys.argv = ["handoff", *sys.argv[1:]]
    handoff_main()


if __name__ == "__main__":
    main()
