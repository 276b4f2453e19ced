"""Looking after the database: backup and doctor."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Annotated

import typer

from handoff_cli.cli import common, progress, render
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
        shown = progress.wanted()
        with progress.bar("Backing up", None, unit="pages", enabled=shown) as bar:
            pages = store.backup_to(target, progress=bar.update if shown else None)
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
    """Check the database: where it is, its schema, integrity, references, rows and modes.

    Every stored date and JSON field is read as handoff reads it, and each row
    that cannot be is named (a row edited by hand, `2026-02-30` in a completion).
    Files others may read are made private (0600), and search indexes that a
    team sync killed before its end left out are built. Exit 3 if anything is
    wrong.

    \b
      handoff doctor
      handoff doctor --json
    """
    from handoff_cli.errors import StorageError
    from handoff_cli.paths import loose_files
    from handoff_cli.store import LATEST_VERSION
    from handoff_cli.store_check import damaged_rows, foreign_key_problems

    path = common.db_path(ctx)
    loose_before = loose_files(path)
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
        built: list[str] = []
        indexes_problem = ""
        if integrity == "ok":  # a damaged file is reported, never written to
            try:
                built = store.build_left_out_indexes()
            except HandoffError as exc:
                indexes_problem = exc.message
        try:
            counts: Counts | None = store.counts()
        except (HandoffError, sqlite3.DatabaseError):  # a damaged table cannot be counted
            counts = None
        mode = oct(path.stat().st_mode & 0o777)
    try:
        references = foreign_key_problems(path)
        rows = damaged_rows(path)
    except sqlite3.DatabaseError as exc:
        references, rows = [], [f"cannot be read ({exc})"]
    loose = loose_files(path)
    made_private = [f"{p} (was {oct(m)})" for p, m in loose_before.items() if p not in loose]
    healthy = (
        integrity == "ok" and not references and not rows and not loose and not indexes_problem
    )
    if as_json:
        render.print_json(
            {
                "path": str(path),
                "exists": True,
                "schema_version": version,
                "latest_schema_version": LATEST_VERSION,
                "integrity": integrity,
                "indexes_built": built,
                "indexes_problem": indexes_problem or None,
                "foreign_keys": references,
                "damaged_rows": rows,
                "mode": mode,
                "made_private": made_private,
                "readable_by_others": [f"{p} ({oct(m)})" for p, m in loose.items()],
                "counts": counts.__dict__ if counts else None,
                "ok": healthy,
            }
        )
    else:
        out(f"Database:   {path} (mode {mode})")
        out(f"Schema:     version {version} (this handoff: {LATEST_VERSION})")
        out(f"Integrity:  {integrity}")
        if indexes_problem:
            out(f"Indexes:    cannot build them: {render.safe_line(indexes_problem)}")
        elif built:
            out(
                f"Indexes:    built {', '.join(built)}; a long sync had left them out "
                "(stopped before its end, or still running; searches were slower meanwhile)"
            )
        _listed(
            "References",
            references,
            "row pointing to a row that is gone",
            "rows pointing to rows that are gone",
        )
        _listed("Rows", rows, "row handoff cannot read", "rows handoff cannot read")
        for file in made_private:
            out(f"Made private: {render.safe_line(file)}; others could read it")
        for p, m in loose.items():
            out(f"Readable by others: {render.safe_line(p)} ({oct(m)}); chmod 600 it")
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
    if not healthy:
        raise typer.Exit(FAILURE)


def _listed(label: str, problems: list[str], one: str, many: str) -> None:
    head = f"{label}:".ljust(12)
    if not problems:
        out(f"{head}ok")
        return
    out(f"{head}{len(problems)} {one if len(problems) == 1 else many}")
    for problem in problems[:50]:
        out(f"  {render.safe_line(problem)}")
    if len(problems) > 50:
        out(f"  ... and {len(problems) - 50} more")
