"""Signals, and the moment of commit: what Ctrl-C, SIGTERM or SIGHUP means for the work.

`install()` (run by `main()`) makes SIGINT, SIGTERM and SIGHUP (the terminal
closed) all raise `Interrupted`, a KeyboardInterrupt, so everything on the way
out runs as it does for Ctrl-C: the write transaction rolls back, and the
temporary files go (`export -o`'s, the backup's copy and journal, the editor's
file, whose editor `subprocess.run` kills, the `--dry-run` scratch database).
The exit code is 128 + the signal's number, as shells report it.

The store counts each commit inside `committing()`, which holds a signal that
arrives meanwhile until the commit is counted: the answer to an interrupt is
then never "nothing was kept" about a change that was saved, so a script
does not run it again and duplicate a note. Commands add a few words on what
they save (`describe`) for that answer.

Stdlib only and cheap to import: the store imports it for every write.
"""

from __future__ import annotations

TYPE_CHECKING = False  # as typing.TYPE_CHECKING: `typing` is not loaded this early
if TYPE_CHECKING:
    from types import TracebackType
    from typing import Any

SIGNAL_WORDS = {1: "hung up", 2: "interrupted", 15: "terminated"}


class Interrupted(KeyboardInterrupt):
    """A signal that ends the command: SIGINT, SIGTERM or SIGHUP."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


class _State:
    commits = 0  # transactions committed by this command
    saved: list[str] = []  # what they saved, in words, when a command said so
    describing: list[str] = []  # what the transaction under way will save
    holding = 0  # > 0 while a COMMIT runs
    pending: int | None = None  # a signal that arrived meanwhile
    editing = 0  # > 0 while $EDITOR runs: Ctrl-C is the editor's


def begin() -> None:
    """A command starts (several run in one process under the test runner)."""
    _State.commits = 0
    _State.saved = []
    _State.describing = []


def committed() -> bool:
    return _State.commits > 0


def describe(what: str) -> None:
    """Say, inside a write, what its commit will save (`note #12 for Acme`).

    Kept for the answer to an interrupt once the commit is counted; dropped
    if the transaction does not commit.
    """
    _State.describing.append(what)


def saved_words() -> str:
    return "; ".join(_State.saved) or "the change"


# The two context managers are classes: contextlib costs `log` most of a millisecond
# to import (issue 13).


class committing:  # lower case: used as a function, `with committing():`
    """Run a COMMIT inside; count it when it succeeds, and only then act on a signal."""

    def __enter__(self) -> None:
        _State.holding += 1

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        try:
            if exc is None:
                _State.commits += 1
                _State.saved += _State.describing
        finally:
            _State.describing = []
            _State.holding -= 1
            if not _State.holding and _State.pending is not None:
                signum, _State.pending = _State.pending, None
                raise Interrupted(signum)


class editor_running:  # lower case: used as a function, `with editor_running():`
    """While the editor runs, Ctrl-C belongs to it (vim uses it), as git does it."""

    def __enter__(self) -> None:
        _State.editing += 1

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        _State.editing -= 1


def _on_signal(signum: int, frame: Any) -> None:
    if signum == 2 and _State.editing:
        return
    if _State.holding:
        _State.pending = signum
        return
    raise Interrupted(signum)


def install() -> None:
    """Make SIGINT, SIGTERM and SIGHUP end the command cleanly (see the module's doc)."""
    try:  # the C module: `signal` itself builds enums of every signal (~0.5 ms, issue 13)
        signal = __import__("_signal")
    except ImportError:  # pragma: no cover - an interpreter without it
        signal = __import__("signal")

    for name in ("SIGINT", "SIGTERM", "SIGHUP"):
        number = getattr(signal, name, None)  # Windows has no SIGHUP
        if number is not None:
            signal.signal(number, _on_signal)


def exit_code(exc: BaseException) -> int:
    return 128 + getattr(exc, "signum", 2)


def message(exc: BaseException) -> str:
    """The one line for an interrupt: what was saved, or that nothing was."""
    word = SIGNAL_WORDS.get(getattr(exc, "signum", 2), "interrupted")
    if committed():
        return (
            f"{word} after saving ({saved_words()}); it is in the database, "
            "so do not run the command again"
        )
    return f"{word}; nothing half-written was kept"
