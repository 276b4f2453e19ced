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


def complete_client(ctx: typer.Context, incomplete: str) -> list[str]:
    """Shell completion of client names, read from the database without creating it."""
    import os

    from handoff_cli.cli.fast import bash_escape, client_names

    db = ctx.find_root().params.get("db")
    names = client_names(incomplete, os.environ, db=db if isinstance(db, str) else None)
    if os.environ.get("_HANDOFF_COMPLETE") == "complete_bash" and " " not in incomplete:
        return [bash_escape(n) for n in names]  # as the fast path answers bash
    return names


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


IdArg = Annotated[
    int,
    typer.Argument(
        metavar="ID", help="The promise's id, 3 or #3 (see `handoff promises`).", parser=parse_id
    ),
]
NoteIdArg = Annotated[
    int, typer.Argument(metavar="ID", help="The note's id, 3 or #3.", parser=parse_id)
]
