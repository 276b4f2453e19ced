"""The fast path: `handoff log CLIENT TEXT...` and Tab completion of client names, without Typer.

Typer costs 35-40 ms of CPU on every run (importing it, then building every
command from its signature), half of what a whole `log` may take (issue 6,
benchmarks/README.md), and completion runs the program on every Tab.
`main()` offers each command line to `run()` first. It handles exactly the
plain forms below by calling the same store, `when` and render functions as
the Typer commands, so output, errors and exit codes are the same byte for
byte (tests/test_fast_path.py runs both paths on the same inputs). Anything
else returns None and the Typer app runs as usual: help, --json, --done, no
TEXT (standard input or the editor), attached short values (`-tx`), unknown
options, more than one --db, other shells.

    handoff [--db PATH] log CLIENT TEXT... [--at WHEN] [--with|-w NAME]...
            [--tag|-t TAG]... [--kind|-k KIND] [--new-client] [--]

    _HANDOFF_COMPLETE=complete_bash|complete_zsh: the CLIENT of log, show,
    contact and promise, and the value of --client/-c of search, promises, due
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

# Commands whose first argument is CLIENT, and those with a --client/-c option
# (cli/notes.py: ClientArg and ClientOpt).
CLIENT_ARGUMENT = frozenset({"log", "show", "contact", "promise", "rename"})
CLIENT_OPTION = frozenset({"search", "promises", "due"})
COMPLETE_VAR = "_HANDOFF_COMPLETE"  # Click's name for the program `handoff`

_LOG_VALUE_OPTIONS = {
    "--at": "at",
    "--with": "with",
    "-w": "with",
    "--tag": "tag",
    "-t": "tag",
    "--kind": "kind",
    "-k": "kind",
}


class LogCall:
    """A `handoff log` command line the fast path fully understands."""

    def __init__(
        self,
        *,
        db: str | None,
        client: str,
        words: list[str],
        at: str | None,
        with_: list[str],
        tags: list[str],
        kind: str,
        new_client: bool,
    ) -> None:
        self.db = db
        self.client = client
        self.words = words
        self.at = at
        self.with_ = with_
        self.tags = tags
        self.kind = kind
        self.new_client = new_client


def run(argv: Sequence[str], environ: Mapping[str, str], prog: str) -> int | None:
    """Handle `argv` (without the program name) and return the exit code, or None for Typer."""
    if any(key.startswith("_") and key.endswith("_COMPLETE") for key in environ):
        return complete(environ) if prog == "handoff" else None
    call = parse_log(argv)
    if call is not None:
        return log(call)
    due_call = parse_due(argv)
    return None if due_call is None else due(due_call)


# ---------------------------------------------------------------------- log


def _root_db(argv: Sequence[str]) -> tuple[str | None, list[str]]:
    """Split off a leading `--db PATH` / `--db=PATH`, the one root option we take."""
    args = list(argv)
    if args[:1] == ["--db"] and len(args) > 1:
        return args[1], args[2:]
    if args and args[0].startswith("--db="):
        return args[0][len("--db=") :], args[1:]
    return None, args


def parse_log(argv: Sequence[str]) -> LogCall | None:
    """Parse `[--db PATH] log ...` as Click would, or None for anything less plain."""
    db, args = _root_db(argv)
    if args[:1] != ["log"]:
        return None
    values: dict[str, list[str]] = {"at": [], "with": [], "tag": [], "kind": []}
    positional: list[str] = []
    new_client = False
    rest = args[1:]
    i = 0
    while i < len(rest):
        arg = rest[i]
        i += 1
        if arg == "--":  # as Click: everything after it is TEXT
            positional.extend(rest[i:])
            break
        if arg[:1] != "-" or len(arg) == 1:
            positional.append(arg)
            continue
        if arg == "--new-client":
            new_client = True
            continue
        name, equals, value = arg.partition("=")
        field = _LOG_VALUE_OPTIONS.get(name)
        if field is None or (equals and not name.startswith("--")):
            return None  # --help, --json, --done, -tx, -t=x, unknown: Typer decides
        if not equals:
            if i == len(rest):
                return None  # "requires an argument": Typer says so
            value = rest[i]
            i += 1
        values[field].append(value)
    if len(positional) < 2:
        return None  # no CLIENT (usage error) or no TEXT (stdin or the editor)
    return LogCall(
        db=db,
        client=positional[0],
        words=positional[1:],
        at=values["at"][-1] if values["at"] else None,  # as Click: the last one wins
        with_=values["with"],
        tags=values["tag"],
        kind=values["kind"][-1] if values["kind"] else "note",
        new_client=new_client,
    )


def log(call: LogCall) -> int:
    """cli/notes.py's `log` for a parsed command line, with the root app's error boundary."""
    return _guarded(call.db, lambda path: _log(call, path))


def _guarded(db: str | None, action: Callable[[Path], int | None]) -> int:
    """Run `action` on the database path with the same error boundary as the Typer app."""
    import sqlite3
    from pathlib import Path

    from handoff_cli import interrupts
    from handoff_cli.cli.actions import HANDLED, report_failure
    from handoff_cli.paths import database_path

    interrupts.begin()
    path = Path(db or "the database")
    try:
        path = database_path(db)
        return action(path) or 0
    except (*HANDLED, sqlite3.DatabaseError) as exc:
        return report_failure(exc, path)


def _log(call: LogCall, path: Path) -> None:
    from handoff_cli.cli import actions, common
    from handoff_cli.cli.render import out
    from handoff_cli.names import require_utf8

    clock = common.now()
    moment = common.when(call.at, at=clock) if call.at else clock
    kind = actions.note_kind(call.kind)
    logged = actions.log_note(
        path,
        client=call.client,
        body=require_utf8(" ".join(call.words).strip(), "the text"),
        at=moment,
        now=clock,
        kind=kind,
        with_=call.with_,
        tags=call.tags,
        new_client=call.new_client,
    )
    out(actions.saved_line(logged))


# ---------------------------------------------------------------------- due


class DueCall:
    """A `handoff due` command line the fast path fully understands."""

    def __init__(
        self, *, db: str | None, as_of: str | None, within: int, client: str | None
    ) -> None:
        self.db = db
        self.as_of = as_of
        self.within = within
        self.client = client
        self.check = False
        self.as_json = False


_DUE_VALUE_OPTIONS = {
    "--as-of": "as_of",
    "--within": "within",
    "--client": "client",
    "-c": "client",
}


def parse_due(argv: Sequence[str]) -> DueCall | None:
    """Parse `[--db PATH] due [--as-of W] [--within N] [-c C] [--check] [--json]`, or None."""
    db, args = _root_db(argv)
    if args[:1] != ["due"]:
        return None
    values: dict[str, str] = {}
    flags: set[str] = set()
    rest = args[1:]
    i = 0
    while i < len(rest):
        arg = rest[i]
        i += 1
        if arg in ("--check", "--json"):
            flags.add(arg)
            continue
        name, equals, value = arg.partition("=")
        field = _DUE_VALUE_OPTIONS.get(name)
        if field is None or (equals and not name.startswith("--")):
            return None  # --help, positional words, -cX, unknown: Typer decides
        if not equals:
            if i == len(rest) or rest[i].startswith("-"):
                return None  # a missing value, or one Click might read as an option
            value = rest[i]
            i += 1
        values[field] = value  # as Click: the last one wins
    within = values.get("within", "7")
    if not (within.isascii() and within.isdigit() and len(within) < 10):
        return None  # Typer's own message for a bad or negative number
    call = DueCall(
        db=db, as_of=values.get("as_of"), within=int(within), client=values.get("client")
    )
    call.check = "--check" in flags
    call.as_json = "--json" in flags
    return call


def due(call: DueCall) -> int:
    """cli/promises.py's `due` for a parsed command line, with the same error boundary."""

    def show(path: Path) -> int:
        from handoff_cli.cli import due_view

        code = due_view.show_due(
            path, as_of=call.as_of, within=call.within, client=call.client, as_json=call.as_json
        )
        return code if call.check else 0

    return _guarded(call.db, show)


# --------------------------------------------------------------- completion


def complete(environ: Mapping[str, str]) -> int | None:
    """Client names for bash or zsh, as Typer prints them; None for any other question."""
    instruction = environ.get(COMPLETE_VAR)
    if instruction == "complete_bash":
        words = split_arg_string(environ.get("COMP_WORDS", ""))
        try:
            cword = int(environ.get("COMP_CWORD", ""))
        except ValueError:
            return None
        args = words[1:cword]
        try:
            incomplete = words[cword]
        except IndexError:
            incomplete = ""
    elif instruction == "complete_zsh":
        line = environ.get("_TYPER_COMPLETE_ARGS", "")
        args = split_arg_string(line)[1:]
        incomplete = ""
        if args and not line.endswith(" "):
            incomplete = args.pop()
    else:
        return None
    db: str | None = None
    if len(args) >= 2 and args[0] == "--db":  # `handoff --db work.db show Ac<Tab>`
        db, args = args[1], args[2:]
    wanted = (len(args) == 1 and args[0] in CLIENT_ARGUMENT) or (
        len(args) == 2 and args[0] in CLIENT_OPTION and args[1] in ("--client", "-c")
    )
    if not wanted or incomplete[:1] == "-":
        return None
    names = client_names(incomplete, environ, db=db)
    if instruction == "complete_bash":
        # Bash inserts a reply as typed text: escape it as its own file completion
        # would, or `Kitamura Logistics` becomes two arguments.
        # (Not once the word has a space: the user is already quoting or escaping.)
        if " " not in incomplete:
            names = [bash_escape(name) for name in names]
        sys.stdout.write("\n".join(names) + "\n")
    elif names:
        listed = "\n".join(f'"{_zsh_escape(name)}"' for name in names)
        sys.stdout.write(f"_arguments '*: :(({listed}))'\n")
    else:
        sys.stdout.write("_files\n")
    return 0


def client_names(
    incomplete: str, environ: Mapping[str, str], *, db: str | None = None
) -> list[str]:
    """cli/notes.py's `_complete_client`, then Typer's own filter (a case-sensitive prefix)."""
    from handoff_cli.errors import HandoffError
    from handoff_cli.paths import database_path
    from handoff_cli.store import Store

    try:
        path = database_path(db) if db else database_path(environ.get("HANDOFF_DB") or None)
        store = Store.open(path, create=False)
    except HandoffError:
        return []
    if store is None:
        return []
    with store:
        names = store.client_names()
    prefix = incomplete.casefold()
    return [n for n in names if n.casefold().startswith(prefix) and n.startswith(incomplete)]


def split_arg_string(string: str) -> list[str]:
    """Click's `split_arg_string`: shlex words, keeping an unfinished last one."""
    import shlex

    lex = shlex.shlex(string, posix=True)
    lex.whitespace_split = True
    lex.commenters = ""
    out: list[str] = []
    try:
        for token in lex:
            out.append(token)
    except ValueError:
        out.append(lex.token)
    return out


def bash_escape(value: str) -> str:
    import re

    return re.sub(r"([^\w@%+=:,./-])", r"\\\1", value)


def _zsh_escape(value: str) -> str:
    return (
        value.replace('"', '""')
        .replace("'", "''")
        .replace("$", "\\$")
        .replace("`", "\\`")
        .replace(":", r"\\:")
    )
