"""Finding things again across clients: notes (a period's notes) and agenda (every occurrence)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Annotated

import typer

from handoff_cli.agenda import MAX_DAYS
from handoff_cli.cli import common, render
from handoff_cli.cli.options import ClientsOpt, JsonOpt, TagOpt
from handoff_cli.cli.render import safe_line, style
from handoff_cli.errors import BadInput

if TYPE_CHECKING:
    from handoff_cli.agenda import Agenda
    from handoff_cli.models import Client, Note
    from handoff_cli.store import Store

app = typer.Typer()


def out(text: str = "", *, hang: int = 4, keep: Iterable[str | None] = ()) -> None:
    """A line for people, wrapped to the terminal (render.wrap)."""
    render.out(render.wrap(text, hang=hang, keep=keep))


DEFAULT_SINCE = "7 days ago"
DEFAULT_DAYS = 14


def _clients(store: Store, names: list[str]) -> list[Client]:
    """The clients named (each must exist), in the order given, without repeats."""
    found: dict[int, Client] = {}
    for name in names:
        client = store.client(name)
        found.setdefault(client.id, client)
    return list(found.values())


@app.command()
def notes(
    ctx: typer.Context,
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            metavar="WHEN",
            help=f"From then (a day: all of it; default {DEFAULT_SINCE}).",
        ),
    ] = None,
    until: Annotated[
        str | None,
        typer.Option("--until", metavar="WHEN", help="Up to then (a day: all of it)."),
    ] = None,
    client: ClientsOpt = None,
    author: Annotated[
        str | None, typer.Option("--author", metavar="NAME", help="Only notes by this author.")
    ] = None,
    tag: TagOpt = None,
    format_: Annotated[
        str,
        typer.Option(
            "--format",
            "-f",
            metavar="FORMAT",
            help="text (default), or md: Markdown to paste into a weekly report.",
        ),
    ] = "text",
    as_json: JsonOpt = False,
) -> None:
    """Notes across clients in a period, newest first: what did I do this week?

    \b
      handoff notes                                  # the last 7 days
      handoff notes --since mon --author alice
      handoff notes --since 2026-11-16 --until 2026-11-22 --format md > week.md
      handoff notes --client Acme --tag renewal --json
    """
    from handoff_cli import store_queries

    if format_ not in ("text", "md"):
        msg = f"unknown format '{format_}'; use text or md"
        raise BadInput(msg)
    if as_json and format_ == "md":
        msg = "give --json or --format md, not both"
        raise BadInput(msg)
    clock = common.now()
    since_at = common.bound(since or DEFAULT_SINCE, at=clock)
    until_at = common.bound(until, at=clock, end=True) if until else None
    if until_at is not None and until_at <= since_at:
        msg = "--until is before --since; nothing can be in that period"
        raise BadInput(msg)
    since_day = since_at.date()
    until_day = (until_at - timedelta(seconds=1)).date() if until_at else None
    store = common.open_for_read(ctx)
    found: list[Note] = []
    names: list[str] = []
    if store is not None:
        with store, store.snapshot():
            clients = _clients(store, client or [])
            found = store_queries.notes(
                store, since=since_at, until=until_at, clients=clients, author=author, tag=tag
            )
            names = store_queries.client_contact_names(store, sorted({n.client for n in found}))
    if as_json:
        render.print_json([render.note_json(n) for n in found])
        return
    if format_ == "md":
        from handoff_cli.formats.report import notes_markdown

        render.out(notes_markdown(found, since=since_day, until=until_day, tz=None).rstrip("\n"))
        return
    if store is None:
        out(common.no_database_message(ctx))
        return
    _print_notes(ctx, found, names, since_day=since_day, until_day=until_day)


def _print_notes(
    ctx: typer.Context,
    found: list[Note],
    names: list[str],
    *,
    since_day: date,
    until_day: date | None,
) -> None:
    from handoff_cli.cli.pager import paged
    from handoff_cli.cli.views import print_note
    from handoff_cli.formats.report import period_words

    period = period_words(since_day, until_day)
    if not found:
        out(f"No notes {period}.")
        return
    clients = len({n.client for n in found})
    counts = f"{render.plural(len(found), 'note')}, {render.plural(clients, 'client')}"
    with paged(common.pager_wanted(ctx)):
        out(style(f"Notes {period}, newest first ({counts})", "bold"))
        day: date | None = None
        for note in found:
            local = note.at.astimezone().date()
            if local != day:
                day = local
                out()
                out(style(local.strftime("%a %Y-%m-%d"), "bold"))
            print_note(note, names, with_client=True)


@app.command()
def agenda(
    ctx: typer.Context,
    from_: Annotated[
        str | None,
        typer.Option("--from", metavar="WHEN", help="The first day (default today)."),
    ] = None,
    days: Annotated[
        int,
        typer.Option(
            "--days", min=1, max=MAX_DAYS, metavar="N", help="How many days (default 14)."
        ),
    ] = DEFAULT_DAYS,
    client: ClientsOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Every occurrence of every open promise, day by day; what is overdue first.

    `due` shows each promise once; planning a leave needs every occurrence
    (the weekly meeting on each Thursday you are away).

    \b
      handoff agenda
      handoff agenda --from 2026-12-21 --days 14      # what falls due during a leave
      handoff agenda --client Acme --json
    """
    from handoff_cli import store_queries
    from handoff_cli.agenda import agenda as build_agenda

    clock = common.now()
    start = common.day(from_, at=clock) if from_ else clock.date()
    try:
        end = start + timedelta(days=days - 1)
    except OverflowError:
        msg = "--from and --days reach past the year 9999"
        raise BadInput(msg) from None
    store = common.open_for_read(ctx)
    promises = []
    if store is not None:
        with store, store.snapshot():
            clients = _clients(store, client or [])
            promises = store_queries.open_promises(store, until=end, clients=clients)
            covered = store_queries.covered_ahead(store, promises)
    else:
        covered = {}
    plan = build_agenda(promises, start=start, days=days, covered=covered)
    if as_json:
        from handoff_cli.shapes import agenda_record

        render.print_json(agenda_record(plan))
        return
    if store is None:
        out(common.no_database_message(ctx))
        return
    _print_agenda(ctx, plan, today=clock.date())


def _print_agenda(ctx: typer.Context, plan: Agenda, *, today: date) -> None:
    from handoff_cli.cli import due_view
    from handoff_cli.cli.lines import cadence
    from handoff_cli.cli.pager import paged

    span = f"{_day(plan.start)} to {_day(plan.end)}"
    if not plan.overdue and not plan.days:
        out(f"Nothing falls due from {span}. All clear.")
        return
    with paged(common.pager_wanted(ctx)):
        out(style(f"Agenda, {span}", "bold"))
        if plan.overdue:
            out()
            when = "today" if plan.start == today else f"by {_day(plan.start)}"
            out(style(f"Overdue {when}", "bold", "red"))
            for o in plan.overdue:
                p = o.promise
                late = render.plural(o.days_overdue, "day") + " overdue"
                if o.missed > 1:
                    late += f", missed {o.missed}"
                parts = [style("!", "red", "bold"), style(f"#{p.id}", "cyan")]
                parts += [style(safe_line(p.client), "bold"), safe_line(p.title)]
                if p.to:
                    parts.append(f"to {safe_line(p.to)}")
                parts.append(style(f"{late} (due {_day(o.due)})", "red"))
                keep = [p.client, f"to {p.to}" if p.to else None, f"(due {_day(o.due)})"]
                out("  " + "  ".join(parts), hang=5, keep=keep)
        for day, promises in plan.days.items():
            out()
            label = _day(day)
            if 0 <= (day - today).days <= 1:
                label += f"  {due_view.relative(day, today)}"
            out(style(label, "bold"))
            for p in promises:
                parts = [style(f"#{p.id}", "cyan"), style(safe_line(p.client), "bold")]
                parts.append(safe_line(p.title))
                if p.to:
                    parts.append(f"to {safe_line(p.to)}")
                parts.append(style(cadence(p), "dim"))
                keep = [p.client, f"to {p.to}" if p.to else None]
                out("  " + "  ".join(parts), hang=4, keep=keep)
        kinds = len({p.id for promises in plan.days.values() for p in promises})
        summary = (
            f"{render.plural(plan.occurrences, 'occurrence')} of "
            f"{render.plural(kinds, 'promise')} in {render.plural(len(_days(plan)), 'day')}"
        )
        if plan.overdue:
            summary += " · " + style(f"{len(plan.overdue)} overdue", "red")
        out()
        out(summary)


def _days(plan: Agenda) -> list[date]:
    return [plan.start + timedelta(days=i) for i in range((plan.end - plan.start).days + 1)]


def _day(value: date | datetime) -> str:
    return value.strftime("%a %Y-%m-%d")
