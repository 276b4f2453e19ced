"""Issue 15.4: what happens to standard output never undoes or hides a saved write.

- `handoff log Acme x > /dev/full` saved the note and exited 1, which means
  "nothing to save": a script retried and duplicated the note. A committed
  write now exits 0, with one note on stderr that its output was lost.
- `export --format json > full-disk-file` printed a traceback; `show` and
  `export` to a full or closed output are now one line, exit 3.
- A closed stdout or stdin (`>&-`, `<&-`) gave AttributeError.
- An early-closed pipe on the Typer path (`echo t | handoff log Acme | true`,
  `show X | head -1`) exited 1; the reader leaving is not an error: exit 0.
The fast path and the Typer path answer alike (each case runs both).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from .support import HANDOFF, TIMEOUT, Done, Run, assert_clean_failure, run_handoff, scalar

LOGS = {
    "fast": ["log", "Acme", "hello"],
    "typer": ["log", "Acme", "hello", "--tag", "x", "--json"],
    "stdin": ["log", "Acme"],  # the text from standard input: the Typer path
}


def shell(redirect: str) -> list[str]:
    """A prefix running the command with `redirect` applied by /bin/sh."""
    return ["sh", "-c", f'exec "$@" {redirect}', "sh"]


@pytest.mark.parametrize("how", sorted(LOGS))
@pytest.mark.parametrize("redirect", ["> /dev/full", ">&-"])
def test_a_saved_note_exits_0_whatever_happens_to_its_output(
    db: Path, how: str, redirect: str
) -> None:
    done = run_handoff(*LOGS[how], prefix=shell(redirect), input="from stdin")
    assert done.code == 0, done.stderr
    assert "Traceback" not in done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("note: saved (note #1 for Acme)"), lines
    assert "the output was lost" in lines[0]
    assert scalar(db, "SELECT count(*) FROM notes") == 1


@pytest.mark.parametrize(
    "args",
    [
        ["show", "Acme", "--json"],
        ["export", "--format", "json"],  # written in chunks, as bytes
        ["due"],  # the fast path
    ],
)
@pytest.mark.parametrize("redirect", ["> /dev/full", ">&-"])
def test_reading_into_a_full_or_closed_output_is_one_line_exit_3(
    db: Path, cli: Run, args: list[str], redirect: str
) -> None:
    cli("log", "Acme", "hello").ok()
    cli("promise", "Acme", "report", "--due", "2026-11-20").ok()
    done = run_handoff(*args, prefix=shell(redirect))
    line = assert_clean_failure(done, code=3)
    assert "cannot write the output" in line, line


def run_into_closed_pipe(args: list[str], stdin: bytes | None = None) -> Done:
    """Run with standard output a pipe whose reader has already left (`| true`)."""
    read, write = os.pipe()
    os.close(read)
    try:
        proc = subprocess.run(
            [*HANDOFF, *args],
            input=stdin,
            stdout=write,
            stderr=subprocess.PIPE,
            timeout=TIMEOUT,
            check=False,
        )
    finally:
        os.close(write)
    return Done(args, proc.returncode, "", proc.stderr.decode())


@pytest.mark.parametrize("how", sorted(LOGS))
def test_a_reader_that_left_early_is_not_an_error(db: Path, how: str) -> None:
    done = run_into_closed_pipe(LOGS[how], stdin=b"from stdin")
    assert (done.code, done.stderr) == (0, "")
    assert scalar(db, "SELECT count(*) FROM notes") == 1


def test_reading_into_a_pipe_the_reader_left_is_not_an_error(db: Path, cli: Run) -> None:
    cli("log", "Acme", "hello", "--with", "Tanaka").ok()
    cli("promise", "Acme", "report", "--due", "2026-11-20").ok()
    for args in (["show", "Acme"], ["export", "--format", "json"], ["due"]):
        done = run_into_closed_pipe(args)
        assert (done.code, done.stderr) == (0, ""), args


def test_a_closed_stdin_reads_as_empty(db: Path) -> None:
    done = run_handoff("log", "Acme", "hello", prefix=shell("<&-"))
    assert done.code == 0, done.stderr
    done = run_handoff("log", "Acme", prefix=shell("<&-"))
    line = assert_clean_failure(done, code=1)
    assert "nothing to save" in line
    assert scalar(db, "SELECT count(*) FROM notes") == 1
