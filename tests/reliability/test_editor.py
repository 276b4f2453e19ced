"""Issues 15.3 and 15.10: what the user typed in $EDITOR survives a failed save.

- `edit` deleted the editor's file and lost the words when the save failed
  (the note removed meanwhile, a full disk): now they are echoed, as `log`
  does, with their line breaks (a multi-line echo used to be squeezed onto
  one line with ⏎ marks).
- `EDITOR='vim "'` and an editor that deletes its file gave tracebacks.

`log` and `edit` open the editor only when standard input is a terminal, so
these runs get a pseudo-terminal for it.
"""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

from .support import HANDOFF, TIMEOUT, Done, Run, assert_clean_failure, rows


def with_terminal(args: list[str], env: dict[str, str]) -> Done:
    primary, secondary = pty.openpty()
    try:
        proc = subprocess.run(
            [*HANDOFF, *args],
            stdin=secondary,
            capture_output=True,
            env=env,
            timeout=TIMEOUT,
            check=False,
        )
    finally:
        os.close(secondary)
        os.close(primary)
    return Done(args, proc.returncode, proc.stdout.decode(), proc.stderr.decode())


def editor(tmp_path: Path, body: str) -> dict[str, str]:
    script = tmp_path / "editor.sh"
    script.write_text("#!/bin/sh\n" + body + "\n")
    script.chmod(0o700)
    return {**os.environ, "EDITOR": str(script)}


def test_edit_gives_the_new_text_back_when_the_note_went_meanwhile(
    db: Path, cli: Run, handoff: Run, tmp_path: Path
) -> None:
    cli("log", "Acme", "first version").ok()
    env = editor(
        tmp_path,
        "printf 'second version\\n\\n  with details\\n' > \"$1\"\n"
        f'"{sys.executable}" -m handoff_cli rm 1 --yes > /dev/null',
    )
    done = with_terminal(["edit", "1"], env)
    assert done.code == 2, done.stderr
    first, *text = done.stderr.splitlines()
    assert first.startswith("error: no note #1") and "Traceback" not in done.stderr
    assert first.endswith("your new text was not saved, here it is:")
    assert text == ["second version", "", "  with details"]


def test_log_echoes_multi_line_text_with_its_line_breaks(
    db: Path, handoff: Run, tmp_path: Path
) -> None:
    not_a_database = tmp_path / "notes.txt"
    not_a_database.write_text("some file\n" * 50)
    for source in ("stdin", "editor"):
        env = editor(tmp_path, "printf 'line one\\nline two\\n' > \"$1\"")
        args = ["--db", str(not_a_database), "log", "Acme"]
        if source == "stdin":
            done = Done(args, *_run(args, env, b"line one\nline two\n"))
        else:
            done = with_terminal(args, env)
        assert done.code == 3, done.stderr
        first, *text = done.stderr.splitlines()
        assert "not a handoff database" in first
        assert first.endswith("your note was not saved, here it is:")
        assert text == ["line one", "line two"], (source, done.stderr)


def _run(args: list[str], env: dict[str, str], data: bytes) -> tuple[int, str, str]:
    proc = subprocess.run(
        [*HANDOFF, *args], input=data, capture_output=True, env=env, timeout=TIMEOUT, check=False
    )
    return proc.returncode, proc.stdout.decode(), proc.stderr.decode()


def test_an_editor_command_that_cannot_be_read_is_one_line(db: Path, tmp_path: Path) -> None:
    for value in ('vim "', "vi 'unclosed", "   "):
        env = {**os.environ, "EDITOR": value}
        line = assert_clean_failure(with_terminal(["log", "Acme"], env), code=2)
        assert "EDITOR" in line, line
    assert not db.exists()


def test_an_editor_that_deletes_its_file_saves_nothing(
    db: Path, cli: Run, handoff: Run, tmp_path: Path
) -> None:
    cli("log", "Acme", "keep me").ok()
    env = editor(tmp_path, 'rm -f "$1"')
    for args in (["log", "Acme"], ["edit", "1"]):
        line = assert_clean_failure(with_terminal(args, env), code=1)
        assert "removed the file" in line and "nothing saved" in line, line
    assert rows(db, "SELECT text FROM notes") == [("keep me",)]
