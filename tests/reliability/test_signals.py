"""Issue 15.5: Ctrl-C, SIGTERM and SIGHUP end a command cleanly, and say what was saved.

- A Ctrl-C while Python is still loading Typer or the store printed a
  KeyboardInterrupt traceback (44 of 80 tries in the first few hundred ms).
- A Ctrl-C just after the commit said "nothing half-written was kept", exit
  130, though the note was saved: a retry duplicated it.
- SIGTERM and SIGHUP (a closed terminal) killed the process outright and left
  confidential files behind: the editor's file (with the editor still
  running), `export -o`'s temporary file, the backup's copy, the `--dry-run`
  scratch database. Now they clean up as Ctrl-C does; exit 128 + the signal.

The signals are sent by the harness at exact points (see harness.py), so no
test depends on timing.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from .support import HARNESS, TIMEOUT, Done, Run, run_handoff, scalar

CODES = {"INT": 130, "TERM": 143, "HUP": 129}
WORDS = {"INT": "interrupted", "TERM": "terminated", "HUP": "hung up"}


@pytest.mark.parametrize(
    ("module", "args"),
    [
        ("handoff_cli.cli.fast", ("log", "Acme", "hi")),  # the first thing main() loads
        ("handoff_cli.store", ("log", "Acme", "hi")),
        ("typer", ("log", "Acme", "hi", "--json")),  # the Typer path
        ("handoff_cli.cli.views", ("show", "Acme")),  # the fast path's `show`
        ("handoff_cli.cli.notes", ("show", "Acme", "--json")),  # Typer's
    ],
)
def test_ctrl_c_while_loading_is_one_line(db: Path, module: str, args: tuple[str, ...]) -> None:
    env = {**os.environ, "HANDOFF_TEST_SIGNAL_ON_IMPORT": f"{module}:INT"}
    done = run_handoff(*args, env=env, harness=True)
    assert done.code == 130, done.stderr
    assert done.stderr == "interrupted; nothing half-written was kept\n"
    assert not db.exists() or scalar(db, "SELECT count(*) FROM notes") == 0


@pytest.mark.parametrize(
    ("sig", "args"),
    [("INT", ("log", "Acme", "hi")), ("TERM", ("log", "Acme", "hi", "--json"))],
)
def test_an_interrupt_during_the_commit_says_what_was_saved(
    db: Path, sig: str, args: tuple[str, ...]
) -> None:
    """Sent while COMMIT runs: held until the commit is counted. Both paths answer alike."""
    env = {**os.environ, "HANDOFF_TEST_SIGNAL_AT_COMMIT": f"during:{sig}"}
    done = run_handoff(*args, env=env, harness=True)
    assert done.code == CODES[sig], done.stderr
    assert done.stderr == (
        f"{WORDS[sig]} after saving (note #1 for Acme); it is in the database, "
        "so do not run the command again\n"
    )
    assert scalar(db, "SELECT count(*) FROM notes") == 1


@pytest.mark.parametrize(
    ("sig", "args"),
    [("INT", ["log", "Acme", "hi", "--json"]), ("TERM", ["log", "Acme", "hi"])],
)
def test_an_interrupt_just_after_the_commit_says_what_was_saved(
    db: Path, tmp_path: Path, sig: str, args: list[str]
) -> None:
    """Ctrl-C as the note is saved but before a word is printed: a retry would duplicate it."""
    mark = tmp_path / "paused"
    env = {
        **os.environ,
        "HANDOFF_TEST_PAUSE_IN": "handoff_cli.cli.actions:saved_line=60",
        "HANDOFF_TEST_PAUSE_MARK": str(mark),
    }
    if "--json" in args:  # the Typer path prints JSON instead of the saved line
        env["HANDOFF_TEST_PAUSE_IN"] = "handoff_cli.cli.render:print_json=60"
    proc = start(args, env)
    wait_for(mark, proc)
    proc.send_signal(getattr(signal, "SIG" + sig))
    done = finish(proc, args)
    assert done.code == CODES[sig], done.stderr
    assert done.stderr == (
        f"{WORDS[sig]} after saving (note #1 for Acme); it is in the database, "
        "so do not run the command again\n"
    )
    assert scalar(db, "SELECT count(*) FROM notes") == 1


def start(args: list[str], env: dict[str, str], **popen: object) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [*HARNESS, *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        **popen,  # type: ignore[call-overload]
    )


def wait_for(path: Path, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + TIMEOUT
    while not path.exists():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the command never reached the pause"
        time.sleep(0.02)


def finish(proc: subprocess.Popen[bytes], args: list[str]) -> Done:
    out, err = proc.communicate(timeout=TIMEOUT)
    return Done(args, proc.returncode, out.decode(), err.decode())


def test_sigterm_and_sighup_remove_temporary_files(db: Path, handoff: Run, tmp_path: Path) -> None:
    """export -o, backup and import --dry-run, each stopped while its temporary file exists."""
    handoff("log", "Acme", "confidential").ok()
    handoff("export", "--format", "json", "-o", str(tmp_path / "bundle.json")).ok()
    scratch = tmp_path / "scratch"  # where tempfile puts the --dry-run database
    scratch.mkdir()
    cases = [
        (["export", "-o", "out.md"], "handoff_cli.cli.transfer:_link_new", {}),
        (["backup", "copy.db"], "os:replace", {}),
        (
            ["import", str(tmp_path / "bundle.json"), "--dry-run"],
            "handoff_cli.store_transfer:import_bundle",
            {"HANDOFF_DB": str(tmp_path / "none" / "handoff.db"), "TMPDIR": str(scratch)},
        ),
    ]
    before = sorted(p.name for p in tmp_path.iterdir())
    for args, pause_in, extra in cases:
        for sig in ("TERM", "HUP"):
            mark = tmp_path / "paused"
            mark.unlink(missing_ok=True)
            env = {
                **os.environ,
                **extra,
                "HANDOFF_TEST_PAUSE_IN": f"{pause_in}=60",
                "HANDOFF_TEST_PAUSE_MARK": str(mark),
            }
            proc = start(args, env)
            wait_for(mark, proc)
            proc.send_signal(getattr(signal, "SIG" + sig))
            done = finish(proc, args)
            assert done.code == CODES[sig], (args, sig, done.stderr)
            assert done.stderr == f"{WORDS[sig]}; nothing half-written was kept\n", done.stderr
            mark.unlink()
            left = sorted(p.name for p in tmp_path.iterdir())
            assert left == before, (args, sig, left)
            assert list(scratch.iterdir()) == [], (args, sig)


def test_sigterm_and_sighup_stop_the_editor_and_remove_its_file(
    db: Path, handoff: Run, tmp_path: Path
) -> None:
    import pty

    files = tmp_path / "tmp"  # where the editor's file is made
    files.mkdir()
    editor = tmp_path / "editor.sh"
    pidfile = tmp_path / "editor.pid"
    editor.write_text(f'#!/bin/sh\necho $$ > "{pidfile}"\nprintf "typed" > "$1"\nexec sleep 60\n')
    editor.chmod(0o700)
    for sig in ("TERM", "HUP"):
        pidfile.unlink(missing_ok=True)
        primary, secondary = pty.openpty()  # `log` opens the editor only for a terminal
        env = {**os.environ, "EDITOR": str(editor), "TMPDIR": str(files)}
        proc = start(["log", "Acme"], env, stdin=secondary)
        os.close(secondary)
        wait_for(pidfile, proc)
        time.sleep(0.05)  # the pid is written before the file; let it finish
        assert [p.name for p in files.iterdir()]  # the editor's file is there
        proc.send_signal(getattr(signal, "SIG" + sig))
        done = finish(proc, ["log", "Acme"])
        os.close(primary)
        assert done.code == CODES[sig], done.stderr
        assert "Traceback" not in done.stderr
        assert list(files.iterdir()) == [], sig  # the confidential file is gone
        editor_pid = int(pidfile.read_text())
        with pytest.raises(ProcessLookupError):  # and the editor with it
            for _ in range(100):
                os.kill(editor_pid, 0)
                time.sleep(0.02)
    assert not db.exists()


def test_ctrl_c_in_the_editor_is_the_editors(db: Path, tmp_path: Path) -> None:
    """The terminal sends Ctrl-C to the editor too; vim uses it. handoff waits, as git does."""
    import pty

    editor = tmp_path / "editor.sh"
    ready = tmp_path / "ready"
    editor.write_text(
        "#!/bin/sh\ntrap 'echo caught > \"$1.int\"' INT\n"
        f'touch "{ready}"\nwhile [ ! -e "$1.int" ]; do sleep 0.02; done\n'
        'printf "written after ctrl-c" > "$1"\n'
    )
    editor.chmod(0o700)
    primary, secondary = pty.openpty()
    proc = start(["log", "Acme"], {**os.environ, "EDITOR": str(editor)}, stdin=secondary)
    os.close(secondary)
    wait_for(ready, proc)
    proc.send_signal(signal.SIGINT)  # a terminal's Ctrl-C reaches handoff and its editor
    for child in _children(proc.pid):
        os.kill(child, signal.SIGINT)
    done = finish(proc, ["log", "Acme"])
    os.close(primary)
    assert done.code == 0, done.stderr
    assert scalar(db, "SELECT text FROM notes") == "written after ctrl-c"


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def test_an_interrupt_before_any_commit_still_says_nothing_was_kept(db: Path) -> None:
    args = ("log", "Acme", "hi")
    env = {**os.environ, "HANDOFF_TEST_SIGNAL_ON_IMPORT": "handoff_cli.names:TERM"}
    done = run_handoff(*args, env=env, harness=True)
    assert done.code == 143 and done.stderr == "terminated; nothing half-written was kept\n"
