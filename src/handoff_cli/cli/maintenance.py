"""Looking after the database: backup and doctor."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Annotated

import typer

from handoff_cli.cli import common, render
from handoff_cli.cli.render import out
from handoff_cli.errors import FAILURE, BadInput, HandoffError
from handoff_cli.paths import DATABASE_COMPANIONS
from handoff_cli.store import Counts

app = typer.Typer()


@app.command()
def backup(
    ctx: typer.Context,
    file: Annotated[
        Path | None,
        typer.Argument(
            metavar="[FILE|DIR]",
            help="Where to write the copy (default: handoff-YYYY-MM-DD.db here; "
            "a directory gets that name inside it).",
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite FILE.")] = False,
) -> None:
    """Copy the database safely, even while other handoff commands write to it.

    Uses SQLite's online backup API: copying the file with `cp` while it is in
    WAL mode can lose committed notes. The copy is private (0600) and written
    whole or not at all.

    \b
      handoff backup
      handoff backup ~/backups
      handoff backup ~/backups/handoff.db --force
    """
    from handoff_cli.paths import is_database_file

    clock = common.now()
    default_name = f"handoff-{clock.date().isoformat()}.db"
    target = file or Path(default_name)
    if target.is_dir():
        target = target / default_name
    if not target.parent.is_dir():
        msg = f"cannot write {target}: the directory {target.parent} does not exist"
        raise BadInput(msg)
    if target.is_dir():
        msg = f"{target} is a directory; give a file name"
        raise BadInput(msg)
    if target.exists() and not force:
        msg = f"{target} already exists; add --force to overwrite it"
        raise BadInput(msg)
    store = common.open_for_read(ctx)
    if store is None:
        raise BadInput(common.no_database_message(ctx))
    with store:
        if is_database_file(target, store.path):
            msg = "the backup cannot overwrite the database itself"
            raise BadInput(msg)
        _clear_leftovers(target)
        pages = store.backup_to(target)
    out(f"Backed up {store.path} to {target} ({render.plural(pages, 'page')}).")


LEFTOVER_ENDINGS = (".tmp", *(".tmp" + suffix for suffix in DATABASE_COMPANIONS))


def _clear_leftovers(target: Path) -> None:
    """Remove, and say so, the temporary copies of backups to `target` that were killed.

    Each holds a copy of the notes. Store.backup_to names them
    `.NAME.PID.XXXXXXXX.tmp` (and SQLite may leave its -journal, -wal, -shm);
    a file whose process is gone is a leftover. One of a live process is left alone.
    """
    import os

    prefix = f".{target.name}."
    try:
        names = os.listdir(target.parent)
    except OSError:
        return
    for name in sorted(names):
        if not name.startswith(prefix) or not name.endswith(LEFTOVER_ENDINGS):
            continue
        pid = name[len(prefix) :].split(".", 1)[0]
        if not pid.isdigit() or _alive(int(pid)):
            continue
        leftover = target.parent / name
        try:
            leftover.unlink()
        except OSError as exc:
            render.err(
                f"note: {leftover} is left from an interrupted backup and holds a copy of "
                f"your notes; remove it ({exc.strerror or exc})"
            )
            continue
        render.err(f"note: removed {leftover}, left from an interrupted backup")


def _alive(pid: int) -> bool:
    import os

    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # someone else's process: alive
        return True
    return True


@app.command()
def doctor(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help=common.JSON_HELP)] = False,
) -> None:
    """Report where the database is, its schema version, its integrity and what it holds.

    \b
      handoff doctor
    """
    from handoff_cli.errors import StorageError
    from handoff_cli.store import LATEST_VERSION

    path = common.db_path(ctx)
    try:
        store = common.open_for_read(ctx)
    except StorageError as exc:  # not ours, newer, unreadable: say so, as a report
        problem = exc.message.replace(" (try `handoff doctor`)", "")
        if as_json:
            render.print_json({"path": str(path), "exists": True, "problem": problem})
        else:
            out(f"Database:   {path}")
            out(f"Problem:    {render.safe_line(problem)}")
        raise typer.Exit(FAILURE) from None
    if store is None:
        if as_json:
            render.print_json({"path": str(path), "exists": False})
        else:
            out(f"Database: {path} (not created yet; `handoff log CLIENT TEXT` starts it)")
        return
    with store:
        version = store.schema_version()
        try:
            integrity = store.integrity_check()
        except (HandoffError, sqlite3.DatabaseError) as exc:  # too damaged to check
            integrity = f"damaged ({exc.__cause__ or exc})"
        try:
            counts: Counts | None = store.counts()
        except (HandoffError, sqlite3.DatabaseError):  # a damaged table cannot be counted
            counts = None
        mode = oct(path.stat().st_mode & 0o777)
    if as_json:
        render.print_json(
            {
                "path": str(path),
                "exists": True,
                "schema_version": version,
                "latest_schema_version": LATEST_VERSION,
                "integrity": integrity,
                "mode": mode,
                "counts": counts.__dict__ if counts else None,
            }
        )
    else:
        out(f"Database:   {path} (mode {mode})")
        out(f"Schema:     version {version} (this handoff: {LATEST_VERSION})")
        out(f"Integrity:  {integrity}")
        if counts is None:
            out("Holds:      unknown (its tables cannot be read)")
        else:
            out(
                f"Holds:      {render.plural(counts.clients, 'client')}, "
                f"{render.plural(counts.contacts, 'contact')}, "
                f"{render.plural(counts.notes, 'note')}, "
                f"{render.plural(counts.promises, 'promise')}, "
                f"{render.plural(counts.completions, 'completion')}"
            )
    if integrity != "ok":
        raise typer.Exit(FAILURE)
