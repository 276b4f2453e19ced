"""The root command: global options and the one error boundary."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from handoff_cli import __version__


class HandoffGroup(TyperGroup):
    """Turns every HandoffError raised below into one line on stderr and its exit code."""

    def invoke(self, ctx: Any) -> Any:
        import sqlite3
        from pathlib import Path

        from handoff_cli import interrupts
        from handoff_cli.cli.actions import HANDLED, report_failure

        interrupts.begin()
        try:
            return super().invoke(ctx)
        except (*HANDLED, sqlite3.DatabaseError) as exc:
            path = (ctx.obj or {}).get("db_path") or Path("the database")
            raise typer.Exit(report_failure(exc, path)) from None
        except Exception as exc:
            _hint_root_option(exc)
            raise


def _hint_root_option(exc: Exception) -> None:
    """`handoff log --db x.db ...`: say where root options go.

    Click's NoSuchOption is recognised by its public attributes, not imported:
    Typer 0.26 and later bundle Click as the private `typer._click`, older ones
    used Click itself, and neither import path is a public Typer API.
    """
    option = getattr(exc, "option_name", None)
    message = getattr(exc, "message", None)
    if not isinstance(option, str) or not isinstance(message, str):
        return
    if type(exc).__name__ == "NoSuchOption" and (option == "--db" or option.startswith("--db=")):
        hint = " here; root options go before the command: handoff --db PATH ..."
        setattr(exc, "message", message + hint)  # noqa: B010 (a Click exception, not ours)


HELP = """Keep client notes and promises, and hand them over.

\b
  handoff log Acme "called about the fees" --with Tanaka
  handoff promise Acme "Monthly status report" --every monthly --to Tanaka
  handoff due
  handoff notes --since mon --format md
  handoff agenda --from 2026-12-21 --days 14
  handoff export -o handover.md

\b
Dates (WHEN): 2026-12-01, 2026/12/01, Dec 1, 12/1, today, 明日, yesterday 15:00,
fri, next mon 9am, in 3 days, 2 weeks ago, end of month, 月末, +2w, -1d.

The database is --db PATH, else $HANDOFF_DB, else handoff.db in your data directory.
At a terminal, lists go through $PAGER (else less -FRX) and wrap at its width;
`handoff --no-pager` or PAGER=cat prints them straight.
"""

app = typer.Typer(
    cls=HandoffGroup,
    help=HELP,
    invoke_without_command=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"handoff {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option("--db", metavar="PATH", help="The database file (default: $HANDOFF_DB)."),
    ] = None,
    no_pager: Annotated[
        bool, typer.Option("--no-pager", help="Print lists straight to the terminal.")
    ] = False,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    from handoff_cli.paths import database_path

    ctx.obj = {"db_path": database_path(db), "pager": not no_pager}
    if ctx.invoked_subcommand is None:
        _morning_summary(ctx)
        typer.echo()
        typer.echo(ctx.get_help())
        raise typer.Exit()


def _morning_summary(ctx: typer.Context) -> None:
    """Bare `handoff`: the morning view's one line, then the help."""
    from handoff_cli.cli import common, due_view, render
    from handoff_cli.store import Store

    path = common.db_path(ctx)
    store = Store.open(path, create=False)
    if store is None:
        render.out(common.no_database_text(path))
        return
    with store:
        items = due_view.due_items(
            store, as_of=common.today(), within=due_view.DEFAULT_WITHIN, client_name=None
        )
    render.out(f"{due_view.summary(items)} (`handoff due` lists them)")


def _register() -> None:
    from importlib import import_module

    from handoff_cli.cli import registry

    for name in registry.only or registry.ALL:
        app.add_typer(import_module(f"handoff_cli.cli.{name}").app)


_register()
