"""Promises and the morning view: promise, promises, done, drop, pause, resume, due."""

from __future__ import annotations

from typing import Annotated

import typer

from handoff_cli.cli import actions, common, due_view, render
from handoff_cli.cli.lines import kept_line, promise_line
from handoff_cli.cli.options import ClientArg, ClientOpt, IdArg, JsonOpt
from handoff_cli.cli.render import out, safe_line
from handoff_cli.errors import NOTHING_TO_DO, BadInput

app = typer.Typer()

# ----------------------------------------------------------------- commands


@app.command(no_args_is_help=True)
def promise(
    ctx: typer.Context,
    client: ClientArg,
    title: Annotated[list[str], typer.Argument(help="What you promised.")],
    every: Annotated[
        str | None,
        typer.Option("--every", metavar="RULE", help="Recurring: monthly, weekly on fri, ..."),
    ] = None,
    due: Annotated[
        str | None, typer.Option("--due", metavar="WHEN", help="One-off: the deadline.")
    ] = None,
    to: Annotated[
        str | None, typer.Option("--to", metavar="NAME", help="The contact it is owed to.")
    ] = None,
    start: Annotated[
        str | None,
        typer.Option("--start", metavar="WHEN", help="First occurrence (default today)."),
    ] = None,
    after_done: Annotated[
        bool,
        typer.Option("--after-done", help="Count the next one from the day it was last done."),
    ] = False,
    new_client: Annotated[bool, typer.Option("--new-client", help=common.NEW_CLIENT_HELP)] = False,
    as_json: JsonOpt = False,
) -> None:
    """Register a commitment: recurring (--every RULE) or one-off (--due WHEN).

    \b
      handoff promise Acme "Monthly status report" --every monthly --to Tanaka
      handoff promise Acme "Answer the quota question" --due fri
      handoff promise Acme "Site visit" --every "monthly on the first mon" --start 2026-12-01
    \b
    RULE: daily, weekly, biweekly, monthly, quarterly, yearly, every 2 weeks,
    weekdays, weekly on mon,thu, monthly on day 5, monthly on the last day,
    monthly on the first mon, or an RFC 5545 rule such as FREQ=MONTHLY;BYDAY=1MO.
    """
    from handoff_cli import schedule
    from handoff_cli.names import required_name
    from handoff_cli.rules import parse_rule

    clock = common.now()
    text = " ".join(title).strip()
    if not text:
        msg = "a promise needs a title"
        raise BadInput(msg)
    if (every is None) == (due is None):
        msg = "give either --every RULE (recurring) or --due WHEN (one-off)"
        raise BadInput(msg)
    if due is not None and (start is not None or after_done):
        msg = "--start and --after-done are for recurring promises (--every)"
        raise BadInput(msg)
    if every is not None:
        first = common.day(start, at=clock) if start else clock.date()
        rule: str | None = parse_rule(every, start=first)
        schedule.check_rule_cost(rule, first)
    else:
        assert due is not None
        first = common.day(due, at=clock)
        rule = None
    next_due = schedule.first_due(rule, first)
    required_name(client, "a client name")
    with common.open_for_write(ctx) as store:
        with store.write():
            found, created = store.ensure_client(client, new_client=new_client, now=clock)
            made = store.add_promise(
                found,
                title=text,
                to=to,
                rule=rule,
                start=first,
                after_done=after_done,
                next_due=next_due,
                now=clock,
            )
    if as_json:
        data = render.promise_json(made)
        data["new_client"] = created
        render.print_json(data)
        return
    new = " (new client)" if created else ""
    out(f"Promise #{made.id} for {safe_line(found.name)}{new}:")
    out("  " + promise_line(made, as_of=clock.date(), with_client=False))


@app.command()
def promises(
    ctx: typer.Context,
    client: ClientOpt = None,
    all_: Annotated[
        bool, typer.Option("--all", "-a", help="Include done and dropped promises.")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """List open (and paused) promises; --all adds done and dropped ones.

    \b
      handoff promises
      handoff promises --client Acme --all --json
    """
    clock = common.now()
    store = common.open_or_say_empty(ctx, as_json=as_json, empty=[])
    if store is None:
        return
    with store:
        found = store.client(client) if client else None
        listed = store.promises(client=found, include_closed=all_)
    if as_json:
        render.print_json([render.promise_json(p) for p in listed])
        return
    if not listed:
        out("No promises. `handoff promise CLIENT TITLE --due WHEN` adds one.")
        return
    for p in listed:
        out(promise_line(p, as_of=clock.date(), with_client=found is None))


@app.command(no_args_is_help=True)
def done(
    ctx: typer.Context,
    promise_id: IdArg,
    at: Annotated[
        str | None, typer.Option("--at", metavar="WHEN", help="When it was done (default now).")
    ] = None,
    note: Annotated[
        str | None, typer.Option("--note", metavar="TEXT", help="A note for the timeline.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Mark a promise kept: a one-off closes, a recurring one moves to its next date.

    \b
      handoff done 3
      handoff done 3 --at yesterday --note "sent the October report"
    """
    clock = common.now()
    moment = common.when(at, at=clock) if at else clock
    with common.open_existing(ctx) as store:
        with store.write():
            current = store.promise(promise_id)
            if current.status in ("done", "dropped"):
                msg = f"promise #{promise_id} is already {current.status}"
                raise BadInput(msg)
            client = store.client(current.client)
            text = f"Done: {current.title}"
            if note and note.strip():
                text += f" — {note.strip()}"
            timeline = store.add_note(
                client,
                at=moment,
                kind="note",
                text=text,
                author=common.author(),
                with_=[current.to] if current.to else [],
                now=clock,
            )
            kept = actions.complete(store, current, at=moment, now=clock, note_id=timeline.id)
    if as_json:
        render.print_json(render.promise_json(kept))
        return
    out(kept_line(kept))


def _set_status(ctx: typer.Context, promise_id: int, action: str, as_json: bool) -> None:
    from handoff_cli import schedule

    clock = common.now()
    with common.open_existing(ctx) as store:
        with store.write():
            current = store.promise(promise_id, with_completions=True)
            allowed = {"drop": ("open", "paused"), "pause": ("open",), "resume": ("paused",)}
            if current.status not in allowed[action]:
                msg = f"promise #{promise_id} is {current.status}; cannot {action} it"
                raise BadInput(msg)
            if action == "drop":
                changed = store.set_status(current, "dropped")
            elif action == "pause":
                changed = store.set_status(current, "paused")
            else:
                resumed_on = clock.date() if current.rule else None
                next_due = schedule.next_due(
                    current.rule,
                    current.start,
                    [c.day for c in current.completions],
                    after_done=current.after_done,
                    resumed_on=resumed_on,
                )
                changed = store.resume(current, next_due=next_due, resumed_on=resumed_on)
    if as_json:
        render.print_json(render.promise_json(changed))
        return
    verbs = {"drop": "Dropped", "pause": "Paused", "resume": "Resumed"}
    out(f"{verbs[action]} #{changed.id} {safe_line(changed.title)} ({safe_line(changed.client)}).")
    if action == "resume" and changed.status == "done":
        out("  Its last occurrence passed while it was paused, so it is now done.")
    elif action == "resume" and changed.next_due:
        out(f"  Next due {changed.next_due.isoformat()}.")


@app.command(no_args_is_help=True)
def drop(ctx: typer.Context, promise_id: IdArg, as_json: JsonOpt = False) -> None:
    """Cancel a promise; its history is kept.

    \b
      handoff drop 3
    """
    _set_status(ctx, promise_id, "drop", as_json)


@app.command(no_args_is_help=True)
def pause(ctx: typer.Context, promise_id: IdArg, as_json: JsonOpt = False) -> None:
    """Stop counting a promise for now (it is never due while paused).

    \b
      handoff pause 3
    """
    _set_status(ctx, promise_id, "pause", as_json)


@app.command(no_args_is_help=True)
def resume(ctx: typer.Context, promise_id: IdArg, as_json: JsonOpt = False) -> None:
    """Start counting a paused promise again, from today.

    \b
      handoff resume 3
    """
    _set_status(ctx, promise_id, "resume", as_json)


@app.command()
def due(
    ctx: typer.Context,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", metavar="WHEN", help="Answer for that day (plan your leave)."),
    ] = None,
    within: Annotated[
        int, typer.Option("--within", min=0, metavar="N", help="Days ahead to show.")
    ] = 7,
    client: ClientOpt = None,
    check: Annotated[
        bool, typer.Option("--check", help="Exit 1 when anything is overdue (for cron).")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """The morning view: overdue first, then today, then the next N days, by client.

    \b
      handoff due
      handoff due --as-of 2026-12-24 --within 14
      handoff due --check || notify-send "handoff: something is overdue"
    """
    code = due_view.show_due(
        common.db_path(ctx), as_of=as_of, within=within, client=client, as_json=as_json
    )
    if check and code:
        raise typer.Exit(NOTHING_TO_DO)
