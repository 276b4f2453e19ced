"""The fast path: `log`, `due`, `show`, `clients`, `search` and Tab completion, without Typer.

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

    handoff [--db PATH] [--no-pager] log CLIENT TEXT... [--at WHEN] [--with|-w NAME]...
            [--tag|-t TAG]... [--kind|-k KIND] [--new-client] [--]
    handoff [--db PATH] [--no-pager] due [--as-of WHEN] [--within N] [-c C] [--owner NAME]
            [--team] [--check] [--json]
    handoff [--db PATH] [--no-pager] show CLIENT | clients | search WORD...   (no options)

    _HANDOFF_COMPLETE=complete_bash|complete_zsh (cli/complete.py answers both paths):
    the CLIENT of log, show, contact, promise and rename; the value of --client/-c
    (search, promises, due, notes, agenda, export), of --tag/-t (log, notes, search),
    of --kind/-k and --with/-w (log) and of --to (promise), when only plain words
    come between the command and the option; and, for bash, the promise ID of done,
    drop, pause, resume, modify, undo and skip (zsh shows titles beside ids, which
    Typer renders with rich: those are left to Typer).
"""

from __future__ import annotations

import sys

TYPE_CHECKING = False  # as typing.TYPE_CHECKING, which the fast path does not load
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

# Commands whose first argument is CLIENT, and those with a --client/-c option
# (cli/notes.py: ClientArg and ClientOpt).
CLIENT_ARGUMENT = frozenset({"log", "show", "contact", "promise", "rename"})
CLIENT_OPTION = frozenset({"search", "promises", "due", "notes", "agenda", "export"})
TAG_OPTION = frozenset({"log", "notes", "search"})  # cli/options.py: TagsOpt, TagOpt
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
    if due_call is not None:
        return due(due_call)
    view = parse_view(argv)
    return None if view is None else show_view(view)


# ---------------------------------------------------------------------- log


def _root_db(argv: Sequence[str]) -> tuple[str | None, list[str]]:
    """Split off the leading root options we take; see `root_options`."""
    db, _, args = root_options(argv)
    return db, args


def root_options(argv: Sequence[str]) -> tuple[str | None, bool, list[str]]:
    """Split off leading root options: `--db PATH` / `--db=PATH` (once) and `--no-pager`.

    Returns the database, whether paging is allowed, and the rest (a second
    --db stays in the rest, so the caller leaves that line to Typer).
    """
    args = list(argv)
    db: str | None = None
    pager = True
    while args:
        if args[0] == "--no-pager":
            pager = False
            args = args[1:]
        elif db is None and args[0] == "--db" and len(args) > 1:
            db, args = args[1], args[2:]
        elif db is None and args[0].startswith("--db="):
            db, args = args[0][len("--db=") :], args[1:]
        else:
            break
    return db, pager, args


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


def _guarded(db: str | None, action: Callable[[str], int | None]) -> int:
    """Run `action` on the database path with the same error boundary as the Typer app.

    The path is a string (`paths.database_file`): pathlib is not loaded on this path.
    """
    import sqlite3

    from handoff_cli import interrupts
    from handoff_cli.cli.actions import HANDLED, report_failure
    from handoff_cli.paths import database_file, pure_path

    interrupts.begin()
    path = pure_path(db or "the database")
    try:
        path = database_file(db)
        return action(path) or 0
    except (*HANDLED, sqlite3.DatabaseError) as exc:
        return report_failure(exc, path)


def _log(call: LogCall, path: str) -> None:
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
        self, *, db: str | None, as_of: str | None, within: int | None, client: str | None
    ) -> None:
        self.db = db
        self.as_of = as_of
        self.within = within
        self.client = client
        self.owner: str | None = None
        self.team = False
        self.check = False
        self.as_json = False
        self.pager = True


_DUE_VALUE_OPTIONS = {
    "--as-of": "as_of",
    "--within": "within",
    "--client": "client",
    "-c": "client",
    "--owner": "owner",
}


def parse_due(argv: Sequence[str]) -> DueCall | None:
    """Parse `[--db PATH] due [--as-of W] [--within N] [-c C] [--owner NAME] [--team]
    [--check] [--json]`, or None."""
    db, pager, args = root_options(argv)
    if args[:1] != ["due"]:
        return None
    values: dict[str, str] = {}
    flags: set[str] = set()
    rest = args[1:]
    i = 0
    while i < len(rest):
        arg = rest[i]
        i += 1
        if arg in ("--check", "--json", "--team"):
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
    within = values.get("within")  # None: the config file's due.within, else 7 days
    if within is not None and not (within.isascii() and within.isdigit() and len(within) < 10):
        return None  # Typer's own message for a bad or negative number
    call = DueCall(
        db=db,
        as_of=values.get("as_of"),
        within=None if within is None else int(within),
        client=values.get("client"),
    )
    call.owner = values.get("owner")
    call.team = "--team" in flags
    if call.owner is not None and call.team:
        return None  # Typer's command says which to give
    call.check = "--check" in flags
    call.as_json = "--json" in flags
    call.pager = pager
    return call


def due(call: DueCall) -> int:
    """cli/promises.py's `due` for a parsed command line, with the same error boundary."""

    def show(path: str) -> int:
        from handoff_cli.cli import due_view
        from handoff_cli.cli.pager import paged

        with paged(call.pager and not call.as_json):
            return due_view.show_due(
                path,
                as_of=call.as_of,
                within=call.within,
                client=call.client,
                as_json=call.as_json,
                check=call.check,
                owner=call.owner,
                team=call.team,
            )

    return _guarded(call.db, show)


# ------------------------------------------------------ show, clients, search


class ViewCall:
    """`handoff show CLIENT`, `handoff clients` or `handoff search WORD...`, plain."""

    def __init__(self, *, db: str | None, command: str, words: list[str], pager: bool) -> None:
        self.db = db
        self.command = command
        self.words = words
        self.pager = pager


def parse_view(argv: Sequence[str]) -> ViewCall | None:
    """Parse `[--db PATH] [--no-pager]` and then `show CLIENT`, `clients` or `search
    WORD...` with no options at all; None for anything else (Typer decides)."""
    db, pager, args = root_options(argv)
    if not args:
        return None
    command, words = args[0], args[1:]
    if any(word[:1] == "-" for word in words):
        return None  # an option, `--`, or a word Click might read as one
    if any(not word.isascii() and not _utf8(word) for word in words):
        return None  # bytes that are not UTF-8: Typer's own message
    wanted = {"clients": 0, "show": 1}.get(command)
    if command == "search" and words or wanted is not None and len(words) == wanted:
        return ViewCall(db=db, command=command, words=words, pager=pager)
    return None


def _utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def show_view(call: ViewCall) -> int:
    """cli/notes.py's `show`, `clients` or `search` for a parsed command line, with the
    same error boundary (both call cli/views.py)."""

    def show(path: str) -> None:
        from handoff_cli.cli import views

        if call.command == "clients":
            views.list_clients(path, pager=call.pager)
        elif call.command == "show":
            views.show_client(path, call.words[0], pager=call.pager)
        else:
            views.search(path, " ".join(call.words), pager=call.pager)

    return _guarded(call.db, show)


# --------------------------------------------------------------- completion


def complete(environ: Mapping[str, str]) -> int | None:
    """Client names for bash or zsh, as Typer prints them; None for any other question."""
    from handoff_cli.cli.complete import command_line

    instruction = environ.get(COMPLETE_VAR)
    if instruction not in ("complete_bash", "complete_zsh"):
        return None
    parsed = command_line(environ)
    if parsed is None:
        return None
    args, incomplete = parsed
    db, _, args = root_options(args)  # `handoff --db work.db show Ac<Tab>`
    if not args or incomplete[:1] == "-":
        return None  # a command name or an option name: Typer lists them
    values = _values(args, incomplete, environ, db, bash=instruction == "complete_bash")
    if values is None:
        return None
    names, escape = values
    if instruction == "complete_bash":
        # Bash inserts a reply as typed text: escape it as its own file completion
        # would, or `Kitamura Logistics` becomes two arguments.
        # (Not once the word has a space: the user is already quoting or escaping.)
        if escape and " " not in incomplete:
            names = [bash_escape(name) for name in names]
        names = [n for n in names if n.startswith(incomplete)]  # Click's own filter
        sys.stdout.write("\n".join(names) + "\n")
    elif names:
        listed = "\n".join(f'"{_zsh_escape(name)}"' for name in names)
        sys.stdout.write(f"_arguments '*: :(({listed}))'\n")
    else:
        sys.stdout.write("_files\n")
    return 0


def _values(
    args: list[str], incomplete: str, environ: Mapping[str, str], db: str | None, *, bash: bool
) -> tuple[list[str], bool] | None:
    """What Click would offer after `args` (the command and the words after it), with
    whether bash needs them escaped; None for any line this path does not answer."""
    from handoff_cli.cli import complete

    command, rest = args[0], args[1:]
    if not rest:  # the first argument
        if command == "contact" and bash:  # zsh shows what each command does: Typer's
            return contact_words(incomplete, environ, db=db), True
        if command in CLIENT_ARGUMENT:
            return client_names(incomplete, environ, db=db), True
        if command in complete.ID_COMMANDS and bash:
            return [v for v, _ in complete.promise_ids(command, incomplete, environ, db)], False
        return None
    option, before = rest[-1], rest[:-1]
    if any(word[:1] == "-" for word in before):
        return None  # other options (or `--`) before it: Typer parses them
    if option in ("--client", "-c") and command in CLIENT_OPTION:
        return client_names(incomplete, environ, db=db), True
    if option in ("--tag", "-t") and command in TAG_OPTION:
        return complete.tags(incomplete, environ, db), True
    if option in ("--kind", "-k") and command == "log":
        return complete.kinds(incomplete), False
    if (option in ("--with", "-w") and command == "log") or (
        option == "--to" and command == "promise"
    ):
        client = before[0] if before else None
        return complete.contacts(client, incomplete, environ, db), True
    return None


CONTACT_COMMANDS = ("set", "rm", "rename", "merge", "alias")  # cli/contacts.py, in its order


def contact_words(
    incomplete: str, environ: Mapping[str, str], *, db: str | None = None
) -> list[str]:
    """After `contact`: its commands, then the client names (`contact CLIENT NAME` is
    short for `contact set CLIENT NAME`)."""
    commands = [c for c in CONTACT_COMMANDS if c.startswith(incomplete)]
    return commands + client_names(incomplete, environ, db=db)


def client_names(
    incomplete: str, environ: Mapping[str, str], *, db: str | None = None
) -> list[str]:
    """cli/notes.py's `_complete_client`, then Typer's own filter (a case-sensitive prefix)."""
    from handoff_cli.errors import HandoffError
    from handoff_cli.paths import database_path
    from handoff_cli.store import Store

    try:
        path = database_path(db) if db else database_path(environ.get("HANDOFF_DB") or None)
        store = Store.open(path, create=False)  # no notices here: completion must stay quiet
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
