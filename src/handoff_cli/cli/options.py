"""Option and argument types shared by the command modules, so that none imports another."""

from __future__ import annotations

from typing import Annotated

import typer

from handoff_cli.cli import common
from handoff_cli.errors import BadInput


def parse_id(value: str) -> int:
    """An id as lists show it: `3` or `#3`."""
    text = value.strip().removeprefix("#")
    if not (text.isascii() and text.isdigit()) or len(text) > 18:
        msg = f"'{value}' is not an id; give a number such as 3 or #3"
        raise BadInput(msg)
    return int(text)


JsonOpt = Annotated[bool, typer.Option("--json", help=common.JSON_HELP)]


def _root_db(ctx: typer.Context) -> str | None:
    db = ctx.find_root().params.get("db")
    return db if isinstance(db, str) else None


def _for_shell(values: list[str], incomplete: str) -> list[str]:
    """Values as bash inserts them: escaped as its own file completion would (see fast.py)."""
    import os

    from handoff_cli.cli.fast import bash_escape

    if os.environ.get("_HANDOFF_COMPLETE") == "complete_bash" and " " not in incomplete:
        return [bash_escape(v) for v in values]
    return values


def complete_client(ctx: typer.Context, incomplete: str) -> list[str]:
    """Shell completion of client names, read from the database without creating it."""
    import os

    from handoff_cli.cli.fast import client_names

    return _for_shell(client_names(incomplete, os.environ, db=_root_db(ctx)), incomplete)


def complete_contact(ctx: typer.Context, incomplete: str) -> list[str]:
    """The contacts of the client named on the command line (or of the promise's client)."""
    import os

    from handoff_cli.cli import complete

    db = _root_db(ctx)
    client = ctx.params.get("client")
    promise_id = ctx.params.get("promise_id")
    if client is None and promise_id is None:
        # Click stops parsing at an option still waiting for its value (`log Acme --with`),
        # so the first argument is read from the command line itself.
        first = _first_argument(ctx)
        if "client" in _argument_names(ctx):
            client = first
        elif first is not None:
            try:
                promise_id = parse_id(first)
            except BadInput:
                pass
    if not isinstance(client, str) and isinstance(promise_id, int):
        client = complete.promise_client(promise_id, os.environ, db)
    names = complete.contacts(
        client if isinstance(client, str) else None, incomplete, os.environ, db
    )
    return _for_shell(names, incomplete)


def _argument_names(ctx: typer.Context) -> list[str | None]:
    return [p.name for p in ctx.command.params if p.param_type_name == "argument"]


def _first_argument(ctx: typer.Context) -> str | None:
    import os

    from handoff_cli.cli import complete

    line = complete.command_line(os.environ)
    if line is None:
        return None
    value_options = frozenset(
        name
        for p in ctx.command.params
        if p.param_type_name == "option" and not getattr(p, "is_flag", False)
        for name in p.opts
    )
    return complete.first_argument(line[0], value_options)


def complete_tag(ctx: typer.Context, incomplete: str) -> list[str]:
    """Tags in use lately, most used first."""
    import os

    from handoff_cli.cli import complete

    return _for_shell(complete.tags(incomplete, os.environ, _root_db(ctx)), incomplete)


def complete_kind(incomplete: str) -> list[str]:
    from handoff_cli.cli import complete

    return complete.kinds(incomplete)


def complete_promise_id(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    """Promise ids the command can act on, with the title where the shell shows one."""
    import os

    from handoff_cli.cli import complete

    command = ctx.command.name or ""
    offered = complete.promise_ids(command, incomplete, os.environ, _root_db(ctx))
    if os.environ.get("_HANDOFF_COMPLETE") in ("complete_zsh", "complete_fish"):
        # Typer renders descriptions with rich: a title's [brackets] must stay text.
        from rich.markup import escape

        return [(value, escape(text)) for value, text in offered]
    return offered


ClientArg = Annotated[
    str,
    typer.Argument(help="The client (any case).", autocompletion=complete_client),
]
ClientOpt = Annotated[
    str | None,
    typer.Option(
        "--client",
        "-c",
        metavar="CLIENT",
        help="Only this client.",
        autocompletion=complete_client,
    ),
]


ClientsOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--client",
        "-c",
        metavar="CLIENT",
        help="Only this client (repeatable).",
        autocompletion=complete_client,
    ),
]
WithOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--with",
        "-w",
        metavar="NAME",
        help="A contact present (repeatable).",
        autocompletion=complete_contact,
    ),
]
NewContactOpt = Annotated[bool, typer.Option("--new-contact", help=common.NEW_CONTACT_HELP)]
ToOpt = Annotated[
    str | None,
    typer.Option(
        "--to", metavar="NAME", help="The contact it is owed to.", autocompletion=complete_contact
    ),
]
# `modify`'s own wording of --to and --client, with the same completion as the others.
NewToOpt = Annotated[
    str | None,
    typer.Option(
        "--to",
        metavar="NAME",
        help='The contact it is owed to ("" for nobody).',
        autocompletion=complete_contact,
    ),
]
MoveToClientOpt = Annotated[
    str | None,
    typer.Option(
        "--client",
        "-c",
        metavar="CLIENT",
        help="Move it to CLIENT.",
        autocompletion=complete_client,
    ),
]
TagsOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--tag",
        "-t",
        metavar="TAG",
        help="A tag (repeatable, or a,b,c).",
        autocompletion=complete_tag,
    ),
]
TagOpt = Annotated[
    str | None,
    typer.Option("--tag", "-t", metavar="TAG", help="Only notes with this tag.",
                 autocompletion=complete_tag),
]  # fmt: skip
KindOpt = Annotated[
    str,
    typer.Option(
        "--kind",
        "-k",
        metavar="KIND",
        help="call, meeting, email, visit or note.",
        autocompletion=complete_kind,
    ),
]

IdArg = Annotated[
    int,
    typer.Argument(
        metavar="ID",
        help="The promise's id, 3 or #3 (see `handoff promises`).",
        parser=parse_id,
        autocompletion=complete_promise_id,
    ),
]
NoteIdArg = Annotated[
    int, typer.Argument(metavar="ID", help="The note's id, 3 or #3.", parser=parse_id)
]
