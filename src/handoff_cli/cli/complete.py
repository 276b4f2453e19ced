"""What Tab offers, read from the database without Typer: shared by the Typer callbacks
(cli/options.py) and the fast path (cli/fast.py), so both answer alike.

Completion runs on every Tab: it never creates a database, and a database it
cannot read (missing, not ours, locked) offers nothing rather than an error.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, TypeVar

from handoff_cli.models import NOTE_KINDS

if TYPE_CHECKING:
    from handoff_cli.store import Store

T = TypeVar("T")

# Which promises each command can act on, so `handoff resume <Tab>` offers paused ones.
ID_STATUSES: dict[str, tuple[str, ...]] = {
    "done": ("open",),
    "skip": ("open",),
    "pause": ("open",),
    "resume": ("paused",),
    "drop": ("open", "paused"),
    "modify": ("open", "paused"),
    "undo": ("open", "paused", "done"),
}
ID_COMMANDS = frozenset(ID_STATUSES)
DESCRIPTION_CELLS = 60


def command_line(environ: Mapping[str, str]) -> tuple[list[str], str] | None:
    """The words before the one being completed (without the program) and that word,
    as Click's BashComplete and ZshComplete read them; None for other shells or bad input."""
    from handoff_cli.cli.fast import COMPLETE_VAR, split_arg_string

    instruction = environ.get(COMPLETE_VAR)
    if instruction == "complete_bash":
        words = split_arg_string(environ.get("COMP_WORDS", ""))
        try:
            cword = int(environ.get("COMP_CWORD", ""))
        except ValueError:
            return None
        try:
            incomplete = words[cword]
        except IndexError:
            incomplete = ""
        return words[1:cword], incomplete
    if instruction in ("complete_zsh", "complete_fish"):
        line = environ.get("_TYPER_COMPLETE_ARGS", "")
        args = split_arg_string(line)[1:]
        incomplete = ""
        if args and not line.endswith(" "):
            incomplete = args.pop()
        return args, incomplete
    return None


def first_argument(args: list[str], value_options: frozenset[str]) -> str | None:
    """The command's first positional word in `args` (the command and what follows it),
    skipping options and the values of those in `value_options`."""
    from handoff_cli.cli.fast import root_options

    _, _, words = root_options(args)
    i = 1  # after the command
    while i < len(words):
        word = words[i]
        if word == "--":
            return words[i + 1] if i + 1 < len(words) else None
        if word[:1] == "-" and len(word) > 1:
            i += 2 if "=" not in word and word in value_options else 1
            continue
        return word
    return None


def read(
    environ: Mapping[str, str], db: str | None, question: Callable[[Store], list[T]]
) -> list[T]:
    """`question` asked of the database (`db`, else $HANDOFF_DB, else the default), or []."""
    import sqlite3

    from handoff_cli.errors import HandoffError
    from handoff_cli.paths import database_path
    from handoff_cli.store import Store

    try:
        path = database_path(db) if db else database_path(environ.get("HANDOFF_DB") or None)
        store = Store.open(path, create=False)  # quietly: no upgrade notices at a Tab
        if store is None:
            return []
        from handoff_cli.cli.common import now

        store.today = now().date()
        with store:
            return question(store)
    except (HandoffError, sqlite3.Error, OSError, UnicodeError):
        return []


def _prefixed(values: list[str], incomplete: str) -> list[str]:
    """Click's own filter (a case-sensitive prefix), after a case-blind one."""
    folded = incomplete.casefold()
    return [v for v in values if v.casefold().startswith(folded) and v.startswith(incomplete)]


def kinds(incomplete: str) -> list[str]:
    return _prefixed(list(NOTE_KINDS), incomplete)


def tags(incomplete: str, environ: Mapping[str, str], db: str | None) -> list[str]:
    from handoff_cli import store_queries

    return _prefixed(read(environ, db, store_queries.tags_in_use), incomplete)


def contacts(
    client: str | None, incomplete: str, environ: Mapping[str, str], db: str | None
) -> list[str]:
    """The contacts of `client` (all clients' when it is not known yet)."""
    from handoff_cli import store_queries

    names = read(environ, db, lambda store: store_queries.contact_names(store, client))
    return _prefixed(names, incomplete)


def promise_client(promise_id: int, environ: Mapping[str, str], db: str | None) -> str | None:
    """The client of promise `promise_id` (for `modify ID --to <Tab>`), or None."""

    def ask(store: Store) -> list[str]:
        row = store.conn.execute(
            "SELECT c.name FROM promises p JOIN clients c ON c.id = p.client_id WHERE p.id = ?",
            [promise_id],
        ).fetchone()
        return [row[0]] if row else []

    found = read(environ, db, ask)
    return found[0] if found else None


def promise_ids(
    command: str, incomplete: str, environ: Mapping[str, str], db: str | None
) -> list[tuple[str, str]]:
    """(id, description) of the promises `command` can act on; `#3` when `#` was typed."""
    from handoff_cli import store_queries
    from handoff_cli.cli.render import safe_line, truncate

    statuses = ID_STATUSES.get(command, ("open", "paused"))
    rows = read(environ, db, lambda store: store_queries.promise_choices(store, statuses))
    mark = "#" if incomplete.startswith("#") else ""
    offered = []
    for promise_id, title, client in rows:
        value = f"{mark}{promise_id}"
        if value.startswith(incomplete):
            text = truncate(f"{safe_line(title)} ({safe_line(client)})", DESCRIPTION_CELLS)
            offered.append((value, text))
    return offered
