"""Standard streams that are closed, full or gone, without tracebacks or lost work.

- Started with a closed descriptor (`handoff log Acme x >&-`), Python sets
  sys.stdout (or stdin, stderr) to None. `prepare()` puts /dev/null on the
  descriptor, so no file handoff opens can take its number and receive
  output meant for the terminal, and gives Python a stream: standard input
  reads as empty, and standard output is one that fails to write.
- A failure to write the output (`> /dev/full`, a full disk, a closed
  stream) after a committed write exits 0: the note is saved, and exit 1
  would tell a script that nothing was, so it would log it again. A short
  note on stderr says the output was lost. Before any commit it is one line,
  exit 3.
- The reader leaving (`handoff show Acme | head -1`: EPIPE) is not an error.
"""

from __future__ import annotations

import errno
import os
import sys

from handoff_cli.errors import FAILURE, HandoffError

TYPE_CHECKING = False  # as typing.TYPE_CHECKING, which `log` does not load
if TYPE_CHECKING:
    from typing import Any


class OutputFailed(HandoffError):
    """Writing to standard output failed; the boundary decides the exit code."""

    def __init__(self, cause: OSError) -> None:
        super().__init__(f"cannot write the output: {cause.strerror or cause}", FAILURE)
        self.cause = cause


class _ClosedOutput:
    """What sys.stdout is when the process started with descriptor 1 closed."""

    encoding = "utf-8"
    errors = "strict"

    def write(self, text: str) -> int:
        raise OSError(errno.EBADF, "standard output is closed")

    def flush(self) -> None:
        return None

    def isatty(self) -> bool:
        return False

    def fileno(self) -> int:
        raise OSError(errno.EBADF, "standard output is closed")


def prepare() -> None:
    """Give closed standard descriptors /dev/null and Python streams (see the module doc)."""
    if sys.stdin is not None and sys.stdout is not None and sys.stderr is not None:
        return  # the usual case: all three were open at start-up
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            null = os.open(os.devnull, os.O_RDWR)
            if null != fd:
                os.dup2(null, fd)
                os.close(null)
    if sys.stdin is None:
        sys.stdin = open(os.devnull, encoding="utf-8")  # noqa: SIM115 (lives as long as we do)
    if sys.stdout is None:
        sys.stdout = _ClosedOutput()
    if sys.stderr is None:
        sys.stderr = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115


def output_failed(cause: OSError) -> int:
    """Report a failed write to standard output and return the exit code (module doc)."""
    from handoff_cli import interrupts
    from handoff_cli.cli.render import err, error_line

    _silence_stdout()
    if cause.errno == errno.EPIPE:
        return 0  # the reader has what it wanted
    reason = cause.strerror or str(cause)
    if interrupts.committed():
        err(f"note: saved ({interrupts.saved_words()}), but the output was lost: {reason}")
        return 0
    err(error_line(f"cannot write the output: {reason}"))
    return FAILURE


def _silence_stdout() -> None:
    """After a failed write, later writes and the flush at exit go to /dev/null."""
    try:
        fd = sys.stdout.fileno()
    except (OSError, AttributeError, ValueError):
        fd = -1
    if fd >= 0:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, fd)
        os.close(null)
    sys.stdout = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115


def finish(code: Any) -> Any:
    """Flush standard output before exit, so a failure there is answered like any other."""
    try:
        sys.stdout.flush()
    except OSError as exc:
        failed = output_failed(exc)
        return code if code not in (0, None) else failed
    return code
