"""What every command needs: the clock, the author, the database, parsed options."""

from __future__ import annotations

import os
from datetime import date, datetime

from handoff_cli.errors import BadInput

# The fast path (`log`, `due`) imports this module: Typer, typing, pathlib and the
# store are loaded where they are used (issue 13).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path
    from typing import Any

    import typer

    from handoff_cli.store import Store

JSON_HELP = "Print JSON for scripts instead of text."
NEW_CLIENT_HELP = "Create the client even if its name is close to an existing one."
NEW_CONTACT_HELP = "Add the people named even if a name is close to a contact's."


_clock: dict[str, datetime] = {}


def now() -> datetime:
    """The one reading of the clock. `$HANDOFF_NOW` (ISO 8601) pins it, for tests and demos.

    Read once per command (and per pinned value): every part of a command,
    the store's idea of "today" included, sees the same moment.
    """
    pinned = os.environ.get("HANDOFF_NOW", "")
    known = _clock.get(pinned)
    if known is not None and pinned:
        return known
    if pinned:
        try:
            moment = datetime.fromisoformat(pinned)
        except ValueError:
            msg = f"HANDOFF_NOW must be an ISO 8601 date-time, not '{pinned}'"
            raise BadInput(msg) from None
        moment = moment if moment.tzinfo else moment.astimezone()
    else:
        moment = datetime.now().astimezone()
    _clock[pinned] = moment
    return moment


def forget_clock() -> None:
    """Read the clock afresh on the next `now()` (a new command in the same process)."""
    _clock.clear()


def today() -> date:
    return now().date()


def author() -> str:
    """Who writes: $HANDOFF_AUTHOR, else `author` in the config file, else the login name."""
    name = os.environ.get("HANDOFF_AUTHOR", "").strip()
    if name:
        from handoff_cli.names import require_utf8

        return require_utf8(name, "$HANDOFF_AUTHOR")
    from handoff_cli import config

    configured = config.get("author")
    if configured:
        return str(configured).strip()
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def db_path(ctx: typer.Context) -> Path:
    from pathlib import Path

    obj: dict[str, Any] = ctx.find_root().obj or {}
    path = obj.get("db_path")
    if isinstance(path, Path):
        return path
    from handoff_cli.paths import database_path

    return database_path(None)


def open_for_write(ctx: typer.Context) -> Store:
    return open_path_for_write(db_path(ctx))


def open_path_for_write(path: str | Path) -> Store:
    """The database for a command that writes, created if need be."""
    from handoff_cli.store import Store

    store = Store.open(path, create=True)
    assert store is not None
    store.on_wait = _wait_notice()
    return ready(store)


def open_path_for_read(path: str | Path) -> Store | None:
    from handoff_cli.store import Store

    store = Store.open(path, create=False)
    return None if store is None else ready(store)


def ready(store: Store) -> Store:
    """Tell the store what day it is and who "I" am, and pass on what its upgrade found.

    In a team, "I" am my member name, and a write starts a background sync.
    """
    store.today = now().date()
    meta = dict(
        store.conn.execute(
            "SELECT key, value FROM meta WHERE key IN ('notice', 'team.clone', 'team.name')"
        )
    )
    store.me = meta.get("team.name") or author()
    if "team.clone" in meta and _sync_mode() == "auto":
        store.on_commit = lambda: _auto_sync.__setitem__("db", store.path_text)
    notice = _notice(meta.get("notice"))
    if notice:
        import sys

        for line in notice:
            sys.stderr.write(f"note: {line}\n")
        try:
            with store.write():
                store.set_meta("notice", None)
        except Exception:  # noqa: BLE001 - a read-only file: say it again next time
            pass
    return store


def _notice(value: Any) -> list[str]:
    """The upgrade's notice, one line each; none when the row was edited into something
    else (kept as it is: `handoff doctor`, which opens the store here too, names it)."""
    if not value:
        return []
    import json

    try:
        lines = json.loads(value)
    except (ValueError, TypeError):
        return []
    if not isinstance(lines, list) or not all(isinstance(line, str) for line in lines):
        return []
    return lines


_auto_sync: dict[str, Any] = {"db": None, "off": False}


def _sync_mode() -> str:
    """$HANDOFF_SYNC, else `team.sync` from the config file: auto (a team's default) or manual."""
    env = os.environ.get("HANDOFF_SYNC", "").strip()
    if env:
        if env not in ("auto", "manual"):
            msg = f"HANDOFF_SYNC must be auto or manual, not '{env}'"
            raise BadInput(msg)
        return env
    from handoff_cli import config

    return str(config.get("team.sync") or "auto")


def no_auto_sync() -> None:
    """This command syncs itself (`sync`, `team init`): no background sync after it."""
    _auto_sync["off"] = True


def start_background_sync() -> None:
    """After a write in a team: a detached `handoff sync`, without waiting for it.

    posix_spawn, not subprocess: importing subprocess alone costs a few
    milliseconds that `log` would pay on every note (issue 13).
    """
    path = _auto_sync["db"]
    _auto_sync["db"] = None
    if path is None or _auto_sync["off"]:
        return
    import sys

    argv = [sys.executable, "-m", "handoff_cli", "--db", str(path), "sync", "--background"]
    devnull = os.devnull
    actions = [
        (os.POSIX_SPAWN_OPEN, 0, devnull, os.O_RDONLY, 0),
        (os.POSIX_SPAWN_OPEN, 1, devnull, os.O_WRONLY, 0),
        (os.POSIX_SPAWN_OPEN, 2, devnull, os.O_WRONLY, 0),
    ]
    try:
        os.posix_spawn(sys.executable, argv, dict(os.environ), file_actions=actions, setsid=True)
    except OSError:
        pass  # no background sync this time: the next write, or `handoff sync`, sends it


def _wait_notice() -> Callable[[], None] | None:
    """At a terminal, say why a write is waiting; scripts and cron get silence."""
    import sys

    if not sys.stderr.isatty():
        return None

    def notice() -> None:
        sys.stderr.write("waiting for another handoff process to finish writing...\n")
        sys.stderr.flush()

    return notice


def open_for_read(ctx: typer.Context) -> Store | None:
    """The database, or None when there is none yet (reading never creates one)."""
    return open_path_for_read(db_path(ctx))


def open_existing(ctx: typer.Context) -> Store:
    """The database, for commands that need records in it; exit 2 when there is none."""
    store = open_for_read(ctx)
    if store is None:
        raise BadInput(no_database_message(ctx))
    store.on_wait = _wait_notice()
    return store


def open_or_say_empty(ctx: typer.Context, *, as_json: bool, empty: object) -> Store | None:
    """`open_path_or_say_empty` for the command's database."""
    return open_path_or_say_empty(db_path(ctx), as_json=as_json, empty=empty)


def open_path_or_say_empty(path: str | Path, *, as_json: bool, empty: object) -> Store | None:
    """The database, or None once the user has been told there is none yet.

    Reading never creates a database, and nothing to list is not an error:
    people get a plain sentence, scripts get `empty` as JSON.
    """
    store = open_path_for_read(path)
    if store is None:
        from handoff_cli.cli import render

        if as_json:
            render.print_json(empty)
        else:
            render.out(no_database_text(path))
    return store


def no_database_message(ctx: typer.Context) -> str:
    return no_database_text(db_path(ctx))


def no_database_text(path: str | Path) -> str:
    return f"no handoff database yet at {path}; `handoff log CLIENT TEXT` starts one"


def when(text: str, *, at: datetime) -> datetime:
    from handoff_cli.daterange import moment_in_range
    from handoff_cli.when import parse_when

    moment = parse_when(text, now=at)
    # Stored in UTC and shown in local time, in any zone: see daterange.py.
    if not moment_in_range(moment):
        raise _out_of_range(text)
    return moment


def day(text: str, *, at: datetime) -> date:
    from handoff_cli.daterange import day_in_range
    from handoff_cli.when import parse_day

    value = parse_day(text, now=at)
    if not day_in_range(value):
        raise _out_of_range(text)
    return value


def _out_of_range(text: str) -> BadInput:
    from handoff_cli.daterange import RANGE
    from handoff_cli.when import WHEN_EXAMPLES

    shown = " ".join(text.split())
    shown = shown if len(shown) <= 40 else shown[:39] + "…"
    msg = f"date '{shown}' is out of range (handoff keeps {RANGE}); try {WHEN_EXAMPLES}"
    return BadInput(msg)


def pager_wanted(ctx: typer.Context) -> bool:
    """False after `handoff --no-pager`."""
    obj: dict[str, Any] = ctx.find_root().obj or {}
    return bool(obj.get("pager", True))


def bound(text: str, *, at: datetime, end: bool = False) -> datetime:
    """One end of a period (`--since`, `--until`): a day means the whole day (when.parse_bound)."""
    from handoff_cli.daterange import moment_in_range
    from handoff_cli.when import parse_bound

    moment = parse_bound(text, now=at, end=end)
    if not moment_in_range(moment):
        raise _out_of_range(text)
    return moment
