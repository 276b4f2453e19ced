"""Actions shared by the Typer commands and the Typer-free fast path (cli/fast.py).

Keeping them here, free of Typer, means `handoff log` behaves the same whichever
path parsed its command line: one place validates, saves and words the answer.
"""

from __future__ import annotations

from datetime import date, datetime

from handoff_cli.cli import common
from handoff_cli.errors import NOTHING_TO_DO, BadInput, HandoffError
from handoff_cli.words import NOTE_KINDS

# `handoff log` runs through here on every note: no typing, dataclasses (the models),
# pathlib or Typer at import (issue 13).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

    from handoff_cli.models import Note, Promise


class NothingToSave(HandoffError):
    def __init__(self) -> None:
        super().__init__("nothing to save: the text is empty", NOTHING_TO_DO)


def note_kind(value: str) -> str:
    kind = value.strip().lower()
    if kind not in NOTE_KINDS:
        msg = f"unknown kind '{value}'; use one of: {', '.join(NOTE_KINDS)}"
        raise BadInput(msg)
    return kind


class Logged:
    """What `log` saved: the client's name, whether it is new, the note's id and time,
    the note itself when asked for (`full`: `log --json`), and the promises it kept."""

    __slots__ = ("client", "new_client", "note_id", "at", "note", "kept")

    def __init__(
        self,
        client: str,
        new_client: bool,
        note_id: int,
        at: datetime,
        note: Note | None,
        kept: tuple[Kept, ...],
    ) -> None:
        self.client = client
        self.new_client = new_client
        self.note_id = note_id
        self.at = at
        self.note = note
        self.kept = kept


def log_note(
    path: str | Path,
    *,
    client: str,
    body: str,
    at: datetime,
    now: datetime,
    kind: str,
    with_: Sequence[str],
    tags: Sequence[str],
    new_client: bool,
    new_contact: bool = False,
    done: Sequence[int] = (),
    on: int | None = None,
    echo_on_refusal: bool = False,
    full: bool = False,
) -> Logged:
    """Save one note (and the promises it kept) in one transaction.

    A `--done ID` that `done ID` would refuse refuses the whole note: nothing
    is saved. If it cannot be saved because the database failed us, or the
    text came from an editor whose file is gone (`echo_on_refusal`), the error
    carries the text so the user's words are not lost. `full`: read the note
    back as a model too (`log --json`); a plain `log` makes no model at all.
    """
    from handoff_cli import writes
    from handoff_cli.interrupts import describe
    from handoff_cli.names import require_utf8, required_name

    required_name(client, "a client name")
    if not body:
        raise NothingToSave()
    try:
        with common.open_path_for_write(path) as store, store.write():
            w = store.writer(now)
            promises = []
            on_promise = None
            if done or on is not None:
                from handoff_cli.when import local_day

                found = store.find_client(client)
                day = local_day(at, now=now)
                for promise_id in done:
                    promise = store.promise(promise_id)
                    if found is None or promise.client != found.name:
                        msg = f"promise #{promise_id} belongs to {promise.client}, not {client}"
                        raise BadInput(msg)
                    writes.check_done(store, promise, day=day, today=local_day(now, now=now))
                    promises.append(promise)
                on_promise = store.promise(on) if on is not None else None
                if on_promise is not None and (found is None or on_promise.client != found.name):
                    msg = f"promise #{on} belongs to {on_promise.client}, not {client}"
                    raise BadInput(msg)
            row, created = writes.client_row_for_write(store, w, client, new_client=new_client)
            note_id = writes.add_note_row(
                store,
                w,
                row,
                at=at,
                kind=kind,
                text=body,
                author=common.author(),
                with_=with_,
                # `--tag renewal,pricing` is two tags, as people expect.
                tags=[require_utf8(t, "the tag") for given in tags for t in given.split(",")],
                on=on_promise,
                new_contact=new_contact,
            )
            note = store.note(note_id) if full or promises else None
            kept = []
            for promise in promises:
                assert note is not None
                after, covers = writes.done(
                    store, w, promise, at=at, day=day, today=local_day(now, now=now), note=note
                )
                kept.append(Kept(after, covers))
            describe(f"note #{note_id} for {row[2]}")
    except HandoffError as exc:
        if echo_on_refusal or exc.exit_code != 2:
            exc.keep(body)
        raise
    # The note's time as stored and read back: to the second, in the offset given.
    stored = datetime.fromisoformat(at.isoformat(timespec="seconds"))
    return Logged(row[2], created, note_id, stored, note, tuple(kept))


class Kept:
    """A promise after a `done`, and the occurrences that `done` covered."""

    __slots__ = ("promise", "covers")

    def __init__(self, promise: Promise, covers: tuple[date, ...]) -> None:
        self.promise = promise
        self.covers = covers


def saved_line(logged: Logged) -> str:
    from handoff_cli.cli import render

    new = " (new client)" if logged.new_client else ""
    name = render.safe_line(logged.client)
    return f"Saved note #{logged.note_id} for {name}{new}, {render.when(logged.at)}."


# ValueError and TypeError only when damaged rows explain them (see _damaged); else a bug.
HANDLED = (
    HandoffError,
    UnicodeEncodeError,
    OverflowError,
    KeyboardInterrupt,
    ValueError,
    TypeError,
)


def report_failure(exc: BaseException, path: str | Path) -> int:
    """The one error boundary: print `exc` as one line on stderr and return the exit code.

    Used by the Typer root group and by the fast path, so both answer alike.
    Handles HANDLED and sqlite3.DatabaseError; anything else is a bug and re-raised.
    """
    import sqlite3

    from handoff_cli import interrupts
    from handoff_cli.cli.render import err, error_line, safe
    from handoff_cli.cli.streams import OutputFailed, output_failed
    from handoff_cli.errors import BAD_INPUT, FAILURE
    from handoff_cli.store import storage_error

    if isinstance(exc, OutputFailed):
        return output_failed(exc.cause)
    if isinstance(exc, HandoffError):
        kept = exc.kept_text
        if kept is None:
            err(error_line(exc.message))
        elif "\n" not in kept.strip("\n"):
            err(error_line(f"{exc.message} {kept.strip()}"))
        else:  # the text as typed, line breaks and all
            err(error_line(exc.message))
            err(safe(kept.strip("\n")))
        return exc.exit_code
    if isinstance(exc, sqlite3.DatabaseError):
        err(error_line(storage_error(exc, path).message))
        return FAILURE
    if isinstance(exc, UnicodeEncodeError):
        # Bytes that were not UTF-8 (argv, stdin) arrive as lone surrogates, which
        # SQLite cannot store; the write they were in was rolled back.
        err(error_line("the input is not valid UTF-8 text; nothing was changed"))
        return BAD_INPUT
    if isinstance(exc, OverflowError):
        # An id or a count too large for SQLite, a date past the year 9999.
        err(error_line("a number or date is out of range; nothing was changed"))
        return BAD_INPUT
    if isinstance(exc, KeyboardInterrupt):
        err(interrupts.message(exc))
        return interrupts.exit_code(exc)
    if isinstance(exc, (ValueError, TypeError)):
        damage = _damaged(path)
        if damage:
            err(error_line(damage))
            return FAILURE
    raise exc


def _damaged(path: str | Path) -> str | None:
    """What is damaged in the database, if damaged rows explain a ValueError or TypeError.

    A hand-edited or tampered row (a date that does not exist, tags that are
    not JSON, a BLOB for text) breaks the code that reads it, wherever that
    is. Rather than guard every reader, the boundary looks at the data once
    something fails: damaged rows get one line pointing to `handoff doctor`;
    without them the error is a bug and keeps its traceback.
    """
    from pathlib import Path

    from handoff_cli.store_check import damaged_rows

    try:
        found = damaged_rows(Path(path), limit=3)
    except Exception:  # too broken to look at: the original error is the better report
        return None
    if not found:
        return None
    more = " and more" if len(found) > 2 else ""
    return (
        f"the database {path} has damaged rows ({'; '.join(found[:2])}{more}); nothing was "
        "changed. `handoff doctor` lists them"
    )
