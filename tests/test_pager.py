"""Long output through a pager at a terminal, as git does (issue 12.9).

Each case runs the real program in a pseudo-terminal (so standard output is a
terminal) with a stand-in pager that saves what it is given: the text goes to
the pager, never when output is piped, with `--no-pager`, or when the pager
is `cat`, empty or missing. Width and colour are the terminal's.
"""

from __future__ import annotations

import fcntl
import os
import pty
import select
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest
from conftest import Run

MAIN = "import sys; sys.argv[0] = 'handoff'; from handoff_cli.cli import main; main()"


def run_at_terminal(
    args: list[str], env: dict[str, str], *, columns: int = 100, tty: bool = True
) -> tuple[int, str]:
    """Run handoff with its output on a terminal `columns` wide; return (code, what it showed)."""
    full = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "PAGER", "LESS")}
    full.update(env)
    if not tty:
        done = subprocess.run(
            [sys.executable, "-c", MAIN, *args], env=full, capture_output=True, timeout=60
        )
        return done.returncode, done.stdout.decode()
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
    attrs = termios.tcgetattr(slave)
    attrs[1] &= ~termios.ONLCR  # keep "\n" as written
    termios.tcsetattr(slave, termios.TCSANOW, attrs)
    process = subprocess.Popen(
        [sys.executable, "-c", MAIN, *args],
        stdin=subprocess.DEVNULL,
        stdout=slave,
        stderr=subprocess.PIPE,
        env=full,
    )
    os.close(slave)
    shown = b""
    while True:
        ready, _, _ = select.select([master], [], [], 30)
        if not ready:
            process.kill()
            msg = "handoff did not finish"
            raise AssertionError(msg)
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the terminal's other side is closed
            break
        if not chunk:
            break
        shown += chunk
    os.close(master)
    code = process.wait(timeout=30)
    assert process.stderr is not None
    assert process.stderr.read() == b""
    return code, shown.decode()


@pytest.fixture
def pager(tmp_path: Path) -> tuple[str, Path, Path]:
    """A stand-in pager: saves its input, and the LESS it was given."""
    script = tmp_path / "fake-pager"
    saved = tmp_path / "paged.txt"
    less = tmp_path / "less.txt"
    script.write_text(f'#!/bin/sh\nprintf %s "$LESS" > "{less}"\ncat > "{saved}"\n')
    script.chmod(0o755)
    return str(script), saved, less


@pytest.fixture
def overdue(run: Run) -> None:
    assert run("promise", "Acme", "Monthly report", "--every", "monthly", "--start",
               "2026-10-01", "--to", "佐藤 花子").exit_code == 0  # fmt: skip
    for i in range(5):
        assert run("log", "Acme", f"note {i}").exit_code == 0


COMMANDS = [["due"], ["show", "Acme"], ["promises"], ["clients"], ["search", "note"],
            ["notes"], ["agenda"]]  # fmt: skip


@pytest.mark.parametrize("args", COMMANDS, ids=[a[0] for a in COMMANDS])
def test_lists_go_through_the_pager_at_a_terminal(
    overdue: None, pager: tuple[str, Path, Path], args: list[str]
) -> None:
    script, saved, less = pager
    code, shown = run_at_terminal(args, {"PAGER": script})
    assert code == 0
    assert shown == ""  # all of it went to the pager
    _, direct = run_at_terminal(["--no-pager", *args], {"PAGER": script, "NO_COLOR": "1"})
    assert saved.read_text()  # written by the first run only
    assert "Acme" in direct
    assert less.read_text() == "FRX"  # as git sets it, so `less` keeps colour


def test_the_pager_gets_the_terminals_width_and_colour(
    overdue: None, pager: tuple[str, Path, Path]
) -> None:
    script, saved, _ = pager
    env = {"PAGER": script, "NO_COLOR": "", "TERM": "xterm"}
    run_at_terminal(["due"], env, columns=40)
    paged = saved.read_text()
    assert "\x1b[31m" in paged  # red for overdue, as the terminal would show
    import re

    from handoff_cli.cli.render import width

    plain = re.sub("\x1b\\[[0-9;]*m", "", paged)
    assert all(width(line) <= 40 for line in plain.splitlines())
    assert "to 佐藤 花子" in plain


def test_without_pager_settings_less_frx_is_the_pager(
    overdue: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """$PAGER and $HANDOFF_PAGER unset: `less -FRX`, found on PATH as git finds it (a
    stand-in `less` here, which saves its arguments and input, so no real one is run)."""
    monkeypatch.delenv("HANDOFF_PAGER", raising=False)
    monkeypatch.delenv("PAGER", raising=False)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    argv, saved = tmp_path / "less-argv.txt", tmp_path / "less-input.txt"
    stand_in = bin_dir / "less"
    stand_in.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > "{argv}"\ncat > "{saved}"\n')
    stand_in.chmod(0o755)
    path = f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"
    code, shown = run_at_terminal(["due"], {"PATH": path})
    assert code == 0 and shown == ""  # all of it went to the pager
    assert argv.read_text().splitlines() == ["-FRX"]
    assert "Monthly report" in saved.read_text()


@pytest.mark.parametrize(
    ("env", "args"),
    [
        ({"PAGER": "cat"}, ["due"]),
        ({"PAGER": ""}, ["due"]),
        ({"PAGER": "  "}, ["show", "Acme"]),
        ({"PAGER": "/nonexistent/pager"}, ["due"]),  # cannot start: print straight
        ({"HANDOFF_PAGER": "cat", "PAGER": "{script}"}, ["due"]),
        ({"PAGER": "{script}"}, ["--no-pager", "due"]),
        ({"PAGER": "{script}"}, ["--db", "{db}", "--no-pager", "due"]),
    ],
)
def test_no_pager(
    overdue: None,
    pager: tuple[str, Path, Path],
    isolated: Path,
    env: dict[str, str],
    args: list[str],
) -> None:
    script, saved, _ = pager
    env = {k: v.replace("{script}", script) for k, v in env.items()}
    args = [a.replace("{db}", str(isolated)) for a in args]
    code, shown = run_at_terminal(args, env)
    assert code == 0
    assert "Monthly report" in shown
    assert not saved.exists()


def test_never_when_piped(overdue: None, pager: tuple[str, Path, Path]) -> None:
    script, saved, _ = pager
    for args in (["due"], ["show", "Acme"], ["notes"]):
        code, out = run_at_terminal(args, {"PAGER": script}, tty=False)
        assert code == 0 and "Acme" in out
    assert not saved.exists()


def test_a_pager_command_with_shell_syntax(
    overdue: None, tmp_path: Path, pager: tuple[str, Path, Path]
) -> None:
    saved = tmp_path / "through-the-shell.txt"
    code, shown = run_at_terminal(["promises"], {"PAGER": f"cat > '{saved}'"})
    assert code == 0 and shown == ""
    assert "Monthly report" in saved.read_text()


def test_json_is_not_paged(overdue: None, pager: tuple[str, Path, Path]) -> None:
    script, saved, _ = pager
    code, shown = run_at_terminal(["due", "--json"], {"PAGER": script})
    assert code == 0 and '"as_of"' in shown
    assert not saved.exists()


def test_a_pager_quit_early_ends_quietly(isolated: Path) -> None:
    from datetime import date, datetime

    from handoff_cli.store import Store

    now = datetime.fromisoformat("2026-11-23T10:00:00+09:00")
    store = Store.open(isolated, create=True)
    assert store is not None
    from handoff_cli import writes

    with store, store.write():
        w = store.writer(now)
        client, _ = writes.client_for_write(store, w, "Acme", new_client=True)
        for i in range(60):  # far more than a pipe holds, so writing goes on after `q`
            day = date(2026, 12, 1)
            writes.add_promise(store, w, client, title=f"Promise {i} " + "x" * 2000, to=None,
                               rule=None, start=day, after_done=False, due_at=None,
                               owner="alice")  # fmt: skip
    code, shown = run_at_terminal(["promises"], {"PAGER": "head -c 10 > /dev/null"})
    assert code == 0
    assert shown == ""
