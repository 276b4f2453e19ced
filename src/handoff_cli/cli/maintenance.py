"""Looking after the database: backup and doctor."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Annotated

import typer

from handoff_cli.cli import common, render
from handoff_cli.cli.render import out
from handoff_cli.errors import FAILURE, BadInput, HandoffError
from handoff_cli.store import Counts

app = typer.Typer()


@app.command()
def backup(
    ctx: typer.Context,
    file: Annotated[
        Path | None,
        typer.Argument(help="Where to write the copy (default: handoff-YYYY-MM-DD.db here)."),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite FILE.")] = False,
) -> None:
    """Copy the database safely, even while other handoff commands write to it.

    Uses SQLite's online backup API: copying the file with `cp` while it is in
    WAL mode can lose committed notes. The copy is private (0600) and written
    whole or not at all.

    \b
      handoff backup
      handoff backup ~/backups/handoff.db --force
    """
    clock = common.now()
    target = file or Path(f"handoff-{clock.date().isoformat()}.db")
    if target.exists() and not force:
        msg = f"{target} already exists; add --force to overwrite it"
        raise BadInput(msg)
    if target.is_dir():
        msg = f"{target} is a directory; give a file name"
        raise BadInput(msg)
    store = common.open_for_read(ctx)
    if store is None:
        raise BadInput(common.no_database_message(ctx))
    with store:
        if target.resolve() == store.path.resolve():
            msg = "the backup cannot overwrite the database itself"
            raise BadInput(msg)
        pages = store.backup_to(target)
    out(f"Backed up {store.path} to {target} ({render.plural(pages, 'page')}).")


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
