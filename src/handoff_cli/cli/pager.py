"""Long output through a pager, as git does.

When standard output is a terminal, the commands that list things (`due`,
`show`, `promises`, `clients`, `search`, `notes`, `agenda`) write through
`$HANDOFF_PAGER`, else `$PAGER`, else `less -FRX` (which leaves at once when
the text fits the screen, keeps colour, and leaves the text on the screen).
`LESS` defaults to `FRX` as git sets it, so `PAGER=less` keeps colour too.
Never when output is piped or redirected, with `handoff --no-pager`, or when
the pager is `cat` or empty. A pager that cannot be started is skipped.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

TYPE_CHECKING = False  # as typing.TYPE_CHECKING, which `due` does not load
if TYPE_CHECKING:
    from subprocess import Popen

DEFAULT = "less -FRX"
_SHELL_CHARACTERS = frozenset("|&;<>()$`\\\"'\n*?[#~=%")


def command(environ: Mapping[str, str]) -> str | None:
    """The pager to run, or None when paging is switched off."""
    for name in ("HANDOFF_PAGER", "PAGER"):
        if name in environ:
            value = environ[name].strip()
            return None if value in ("", "cat") else value
    return DEFAULT


@contextmanager
def paged(enabled: bool = True) -> Iterator[None]:
    """Send what is written to sys.stdout inside the block through the pager, if one applies.

    Colour and the wrapping width are decided for the terminal before standard
    output becomes the pager's pipe. On leaving, the pipe is closed and the
    pager waited for (the user reads at their own pace); a pager quit early
    ends the output quietly, and the command succeeds (as git does).
    """
    pager = command(os.environ) if enabled else None
    terminal = sys.stdout
    if pager is None or not _is_terminal(terminal):
        yield
        return
    process = _start(pager)
    if process is None or process.stdin is None:
        yield
        return
    import io

    from handoff_cli.cli import render

    pipe = io.TextIOWrapper(
        process.stdin, encoding=getattr(terminal, "encoding", None) or "utf-8", errors="replace"
    )
    render.decide_for(pipe, like=terminal)
    terminal.flush()
    sys.stdout = pipe
    try:
        yield
    except BrokenPipeError:
        pass  # the reader quit the pager: the rest is not wanted, and that is not an error
    finally:
        sys.stdout = terminal
        try:
            pipe.close()
        except OSError:  # the pager was quit before it read everything
            pass
        _wait(process)


def _is_terminal(stream: object) -> bool:
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:  # closed
        return False


def _start(pager: str) -> Popen[bytes] | None:
    import shlex
    import subprocess

    env = dict(os.environ)
    env.setdefault("LESS", "FRX")
    env.setdefault("LV", "-c")
    # Like git: a plain command runs directly (so a missing one is noticed and
    # skipped); one with shell syntax goes through the shell.
    try:
        if _SHELL_CHARACTERS.isdisjoint(pager):
            return subprocess.Popen(shlex.split(pager), stdin=subprocess.PIPE, env=env)
        return subprocess.Popen(pager, shell=True, stdin=subprocess.PIPE, env=env)
    except (OSError, ValueError):
        return None


def _wait(process: Popen[bytes]) -> None:
    while True:
        try:
            process.wait()
            return
        except KeyboardInterrupt:  # Ctrl-C reaches the pager too; it decides when to leave
            continue
