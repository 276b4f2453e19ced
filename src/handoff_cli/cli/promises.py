"""Promises and the morning view: promise, promises, done, undo, skip, modify, drop,
pause, resume, take, due."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import typer

from handoff_cli.cli import common, due_view, render
from handoff_cli.cli.lines import (
    covers_words,
    kept_line,
    next_words,
    phrases,
    progress_line,
    promise_line,
    title_of,
)
from handoff_cli.cli.options import (
    ClientArg,
    ClientOpt,
    IdArg,
    JsonOpt,
    MoveToClientOpt,
    NewContactOpt,
    NewToOpt,
    ToOpt,
)
from handoff_cli.cli.render import out, safe_line
from handoff_cli.errors import BadInput
from handoff_cli.models import Note, Promise
from handoff_cli.store import Store, Writer

app = typer.Typer()

RULE_HELP = """RULE: daily, weekly, biweekly, monthly, quarterly, yearly, every 2 weeks,
weekdays, weekly on mon,thu, monthly on day 5, monthly on the last day,
monthly on the first mon, or an RFC 5545 rule such as FREQ=MONTHLY;BYDAY=1MO."""

EveryOpt = Annotated[
    str | None,
    typer.Option("--every", metavar="RULE", help="Recurring: monthly, weekly on fri, ..."),
]
DueOpt = Annotated[
    str | None,
    typer.Option("--due", metavar="WHEN", help='One-off: the deadline ("fri", "fri 18:00").'),
]
StartOpt = Annotated[
    str | None,
    typer.Option("--start", metavar="WHEN", help="First occurrence (default today)."),
]
OwnerOpt = Annotated[
    str | None,
    typer.Option("--owner", metavar="NAME", help="In a team: a colleague's promises."),
]
TeamOpt = Annotated[bool, typer.Option("--team", help="In a team: everyone's promises, by owner.")]


NoteOpt = Annotated[
    str | None, typer.Option("--note", metavar="TEXT", help="A note for the timeline.")
]


def _rule(every: str, start: date) -> str:
    """A rule `promise` and `modify` accept: one whose next occurrence is quick to find."""
    from handoff_cli.rules import parse_rule
    from handoff_cli.schedule import check_rule_cost

    rule = parse_rule(every, start=start)
    check_rule_cost(rule, start)
    return rule


def _deadline(text: str, clock: datetime) -> tuple[date, datetime | None]:
    """A one-off's due day, and its time when one was given (`fri 18:00`)."""
    from handoff_cli.when import gives_time

    day = common.day(text, at=clock)
    if not gives_time(text):
        return day, None
    return day, common.when(text, at=clock)


def _check_start(first: date) -> None:
    if first.year < 1900:
        msg = f"the start {first.isoformat()} is before 1900; give a later --start"
        raise BadInput(msg)


# ----------------------------------------------------------------- commands


@app.command(no_args_is_help=True)
def promise(
    ctx: typer.Context,
    client: ClientArg,
    title: Annotated[list[str], typer.Argument(help="What you promised.")],
    every: EveryOpt = None,
    due: DueOpt = None,
    to: ToOpt = None,
    start: StartOpt = None,
    after_done: Annotated[
        bool,
        typer.Option("--after-done", help="Count the next one from the day it was last done."),
    ] = False,
    new_client: Annotated[bool, typer.Option("--new-client", help=common.NEW_CLIENT_HELP)] = False,
    new_contact: NewContactOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Register a commitment: recurring (--every RULE) or one-off (--due WHEN).

    \b
      handoff promise Acme "Monthly status report" --every monthly --to Tanaka
      handoff promise Acme "Answer the quota question" --due "fri 18:00"
      handoff promise Acme "Site visit" --every "monthly on the first mon" --start 2026-12-01
      handoff promise Acme "Intro call" --due mon --to "Takahashi Jun" --new-contact
    \b
    RULE: daily, weekly, biweekly, monthly, quarterly, yearly, every 2 weeks,
    weekdays, weekly on mon,thu, monthly on day 5, monthly on the last day,
    monthly on the first mon, or an RFC 5545 rule such as FREQ=MONTHLY;BYDAY=1MO.
    """
    from handoff_cli import writes
    from handoff_cli.names import require_utf8, required_name

    clock = common.now()
    text = require_utf8(" ".join(title).strip(), "the title")
    if not text:
        msg = "a promise needs a title"
        raise BadInput(msg)
    if (every is None) == (due is None):
        msg = "give either --every RULE (recurring) or --due WHEN (one-off)"
        raise BadInput(msg)
    if due is not None and (start is not None or after_done):
        msg = "--start and --after-done are for recurring promises (--every)"
        raise BadInput(msg)
    due_at = None
    if every is not None:
        first = common.day(start, at=clock) if start else clock.date()
        rule: str | None = _rule(every, first)
    else:
        assert due is not None
        first, due_at = _deadline(due, clock)
        _check_start(first)
        rule = None
    required_name(client, "a client name")
    with common.open_for_write(ctx) as store, store.write():
        w = store.writer(clock)
        found, created = writes.client_for_write(store, w, client, new_client=new_client)
        made = writes.add_promise(
            store,
            w,
            found,
            title=text,
            to=to,
            rule=rule,
            start=first,
            after_done=after_done,
            due_at=due_at,
            owner=store.me,
            new_contact=new_contact,
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
    owner: OwnerOpt = None,
    team: TeamOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """List open (and paused) promises; --all adds done and dropped ones.

    In a team: yours and those of people not in it (--owner NAME a colleague's,
    --team everyone's).

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
        owners = due_view.owners_for(store, owner=owner, team=team)
        listed = store.promises(client=found, include_closed=all_, owners=owners)
        progress = store.progress([p.uuid for p in listed])
        others = 0
        if not listed and owners is not None and not owners.everyone and owners.only is None:
            others = len(store.promises(client=found, include_closed=all_))
    if as_json:
        render.print_json([render.promise_json(p, progress=progress.get(p.uuid)) for p in listed])
        return
    if not listed and others:
        said = f"None of yours; colleagues have {render.plural(others, 'promise')}"
        out(render.wrap(f"{said} (`handoff promises --team` lists them by owner)."))
        return
    if not listed:
        out(render.wrap("No promises. `handoff promise CLIENT TITLE --due WHEN` adds one."))
        return
    from handoff_cli.cli.pager import paged

    me = common.author()
    with paged(common.pager_wanted(ctx)):
        for p in listed:
            line = promise_line(
                p, as_of=clock.date(), with_client=found is None, with_owner=p.owner != me
            )
            out(render.wrap(line, keep=[p.client, *phrases(p, as_of=clock.date())]))
            latest = progress.get(p.uuid)
            if latest:
                out(render.wrap(progress_line(render.progress_words(latest))))


def _timeline_note(store: Store, w: Writer, promise: Promise, text: str, at: datetime) -> Note:
    """The note a done or skip leaves on the client's timeline."""
    from handoff_cli import writes

    return writes.add_note(
        store,
        w,
        store.client(promise.client),
        at=at,
        kind="note",
        text=text,
        author=common.author(),
        with_=[promise.to] if promise.to else [],
    )


def _with_note(prefix: str, promise: Promise, note: str | None) -> str:
    text = f"{prefix}: {promise.title}"
    if note and note.strip():
        text += f" — {note.strip()}"
    return text


@app.command(no_args_is_help=True)
def done(
    ctx: typer.Context,
    promise_id: IdArg,
    at: Annotated[
        str | None, typer.Option("--at", metavar="WHEN", help="When it was done (default now).")
    ] = None,
    for_: Annotated[
        str | None,
        typer.Option("--for", metavar="DATE", help="Exactly the occurrence due that day."),
    ] = None,
    early: Annotated[
        bool, typer.Option("--early", help="Do the next occurrence ahead of time.")
    ] = False,
    note: NoteOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Mark a promise kept: it covers every occurrence due by then, and moves on.

    A one-off closes; a recurring promise covers each occurrence due on or
    before the day it was done (catching up clears the backlog) and moves to
    the next. With nothing due yet it is refused: --early does the next one
    ahead of time, --for DATE a given occurrence.

    \b
      handoff done 3
      handoff done 3 --at yesterday --note "sent the October report"
      handoff done 3 --early
      handoff done 3 --for 2026-10-31
    """
    from handoff_cli import writes
    from handoff_cli.when import local_day

    clock = common.now()
    moment = common.when(at, at=clock) if at else clock
    for_day = common.day(for_, at=clock) if for_ else None
    if for_day is not None and early:
        msg = "give --for DATE or --early, not both"
        raise BadInput(msg)
    with common.open_existing(ctx) as store, store.write():
        w = store.writer(clock)
        current = store.promise(promise_id)
        day = local_day(moment, now=clock)
        # Refused (nothing due, already done, paused) before the timeline note is written.
        writes.check_done(store, current, day=day, today=clock.date(), early=early, for_day=for_day)
        timeline = _timeline_note(store, w, current, _with_note("Done", current, note), moment)
        kept, covers = writes.done(
            store,
            w,
            current,
            at=moment,
            day=day,
            today=clock.date(),
            early=early,
            for_day=for_day,
            note=timeline,
        )
    if as_json:
        render.print_json(render.covered_json(kept, covers))
        return
    out(kept_line(kept, covers))


@app.command(no_args_is_help=True)
def skip(
    ctx: typer.Context,
    promise_id: IdArg,
    for_: Annotated[
        str | None,
        typer.Option(
            "--for", metavar="DATE", help="The occurrence due that day (default: the next)."
        ),
    ] = None,
    note: NoteOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """This occurrence will not happen (the client cancelled it): cover it without doing it.

    The earliest occurrence still owed (or the one on DATE) is covered and
    shown as skipped. Recurring promises only: drop a one-off, or move it
    with `handoff modify ID --due WHEN`.

    \b
      handoff skip 3 --note "client cancelled the December meeting"
      handoff skip 3 --for 2026-12-31
    """
    from handoff_cli import writes

    clock = common.now()
    for_day = common.day(for_, at=clock) if for_ else None
    with common.open_existing(ctx) as store, store.write():
        w = store.writer(clock)
        current = store.promise(promise_id)
        if current.rule is None:
            msg = (
                f"promise #{promise_id} is a one-off; `handoff drop {promise_id}` cancels it, "
                f"`handoff modify {promise_id} --due WHEN` moves it"
            )
            raise BadInput(msg)
        # The occurrence is known only once the skip is worked out; refuse before the note.
        writes.check_skip(store, current, for_day=for_day)
        timeline = _timeline_note(store, w, current, _with_note("Skipped", current, note), clock)
        skipped, covers = writes.skip(
            store, w, current, at=clock, day=clock.date(), for_day=for_day, note=timeline
        )
    if as_json:
        render.print_json(render.covered_json(skipped, covers))
        return
    out(f"Skipped: {title_of(skipped)}.{covers_words(covers)} {next_words(skipped)}")


@app.command(no_args_is_help=True)
def undo(ctx: typer.Context, promise_id: IdArg, as_json: JsonOpt = False) -> None:
    """Take back my latest done or skip of a promise (a slip, a wrong --at).

    The undo is recorded too, so it reaches colleagues. What the taken-back
    completion covered is owed again, unless another completion covers it.

    \b
      handoff undo 3
    """
    from handoff_cli import stamps, writes
    from handoff_cli.coverage import day_list

    clock = common.now()
    with common.open_existing(ctx) as store, store.write():
        w = store.writer(clock)
        current = store.promise(promise_id)
        result = writes.undo(store, w, current, at=clock)
    if as_json:
        record = render.covered_json(result.promise, result.uncovered)
        record["undone"] = {
            "uuid": result.mark.uuid,
            "kind": result.mark.kind,
            "day": result.mark.day.isoformat(),
        }
        record["still_covered"] = [d.isoformat() for d, _, _ in result.still]
        render.print_json(record)
        return
    what = "done" if result.mark.kind == "done" else "skip"
    line = f"Undid the {what} of {result.mark.day.isoformat()}: {title_of(result.promise)}."
    if result.uncovered:
        line += f" {day_list(result.uncovered)} owed again."
    out(line + " " + next_words(result.promise))
    for day, stamp, author in result.still:
        if stamps.member_of(stamp) == w.member:
            whose = "another of your marks"
        elif author is None:
            whose = "another device or colleague"
        elif author == common.author():
            whose = "you, on another device,"
        else:
            whose = safe_line(author)
        out(f"  {day_list([day])} stays covered: {whose} did it too.")


@app.command(no_args_is_help=True)
def modify(
    ctx: typer.Context,
    promise_id: IdArg,
    title: Annotated[
        str | None, typer.Option("--title", metavar="TITLE", help="A new title.")
    ] = None,
    to: NewToOpt = None,
    every: EveryOpt = None,
    due: DueOpt = None,
    start: StartOpt = None,
    after_done: Annotated[
        bool | None,
        typer.Option(
            "--after-done/--calendar",
            help="Count from the day it was last done, or from the calendar.",
            show_default=False,
        ),
    ] = None,
    client: MoveToClientOpt = None,
    new_contact: NewContactOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Change a promise; its history is kept and its next due date worked out again.

    After a rule change, the new rule's occurrences on or before the last day
    the old rule had covered count as covered: nothing already done falls due
    again.

    \b
      handoff modify 3 --every "monthly on the last fri"
      handoff modify 4 --due "2026-12-04 17:00"
      handoff modify 3 --to Suzuki --title "Monthly report to the new manager"
      handoff modify 3 --to "Suzuki Ken" --new-contact
    """
    from handoff_cli import writes
    from handoff_cli.names import require_utf8

    clock = common.now()
    if every is not None and due is not None:
        msg = "give --every RULE or --due WHEN, not both"
        raise BadInput(msg)
    new_title = None
    if title is not None:
        new_title = require_utf8(" ".join(title.split()), "the title")
        if not new_title:
            msg = "a promise needs a title"
            raise BadInput(msg)
    with common.open_existing(ctx) as store, store.write():
        w = store.writer(clock)
        current = store.promise(promise_id)
        if current.status == "dropped":
            msg = f"promise #{promise_id} is dropped; nothing to change"
            raise BadInput(msg)
        schedule = None
        if every is not None or due is not None or start is not None or after_done is not None:
            schedule = _new_schedule(store, current, clock, every, due, start, after_done)
        target = store.client(client) if client is not None else None
        changed = writes.modify(
            store, w, current, title=new_title, to=to, client=target, schedule=schedule,
            new_contact=new_contact,
        )  # fmt: skip
    if as_json:
        render.print_json(render.promise_json(changed))
        return
    out(f"Modified {title_of(changed)}. {next_words(changed)}")


def _new_schedule(
    store: Store,
    current: Promise,
    clock: datetime,
    every: str | None,
    due: str | None,
    start: str | None,
    after_done: bool | None,
) -> dict[str, object]:
    """The schedule `modify` asks for; it keeps what the old one had covered."""
    from handoff_cli import coverage, writes

    if current.rule is None and current.status == "done":
        msg = f"promise #{current.id} is done; a new promise is the way to promise it again"
        raise BadInput(msg)
    due_at = None
    if due is not None:
        if start is not None or after_done:
            msg = "--start and --after-done are for recurring promises (--every)"
            raise BadInput(msg)
        first, due_at = _deadline(due, clock)
        _check_start(first)
        return writes.schedule_body(None, first, after_done=False, due_at=due_at)
    if every is None and current.rule is None:
        msg = "--start and --after-done are for recurring promises; move a one-off with --due WHEN"
        raise BadInput(msg)
    first = common.day(start, at=clock) if start else current.start
    _check_start(first)
    rule = _rule(every if every is not None else str(current.rule), first)
    through = None
    if current.rule is not None:
        marks, intervals = store.marks(current.id)
        through = coverage.covered_through(writes.plan_of(current), marks, intervals)
    return writes.schedule_body(
        rule,
        first,
        after_done=current.after_done if after_done is None else after_done,
        covered_through=through,
    )


def _status_change(ctx: typer.Context, promise_id: int, action: str, until: str | None) -> Promise:
    from handoff_cli import writes

    clock = common.now()
    until_day = common.day(until, at=clock) if until else None
    with common.open_existing(ctx) as store, store.write():
        w = store.writer(clock)
        current = store.promise(promise_id)
        if action == "drop":
            return writes.drop(store, w, current)
        if action == "pause":
            return writes.pause(store, w, current, today=clock.date(), until=until_day)
        return writes.resume(store, w, current, today=clock.date())


@app.command(no_args_is_help=True)
def drop(ctx: typer.Context, promise_id: IdArg, as_json: JsonOpt = False) -> None:
    """Cancel a promise; its history is kept.

    \b
      handoff drop 3
    """
    changed = _status_change(ctx, promise_id, "drop", None)
    if as_json:
        render.print_json(render.promise_json(changed))
        return
    out(f"Dropped {title_of(changed)}.")


@app.command(no_args_is_help=True)
def pause(
    ctx: typer.Context,
    promise_id: IdArg,
    until: Annotated[
        str | None,
        typer.Option("--until", metavar="WHEN", help="Resume by itself on that day."),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Stop counting a promise for now: what falls due while paused is not owed afterwards.

    Paused promises are listed at the end of `handoff due`, so a pause is never
    forgotten.

    \b
      handoff pause 3 --until 2027-01-06
      handoff pause 3
    """
    changed = _status_change(ctx, promise_id, "pause", until)
    if as_json:
        render.print_json(render.promise_json(changed))
        return
    end = (
        f"until {changed.paused_until.isoformat()} (it resumes by itself)"
        if changed.paused_until
        else "until you `handoff resume` it"
    )
    out(f"Paused {title_of(changed)} {end}.")


@app.command(no_args_is_help=True)
def resume(ctx: typer.Context, promise_id: IdArg, as_json: JsonOpt = False) -> None:
    """Start counting a paused promise again, from today.

    \b
      handoff resume 3
    """
    changed = _status_change(ctx, promise_id, "resume", None)
    if as_json:
        render.print_json(render.promise_json(changed))
        return
    out(f"Resumed {title_of(changed)}. {next_words(changed)}")


@app.command()
def due(
    ctx: typer.Context,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", metavar="WHEN", help="Answer for that day (plan your leave)."),
    ] = None,
    within: Annotated[
        int | None,
        typer.Option(
            "--within",
            min=0,
            metavar="N",
            help="Days ahead to show (default 7, or due.within in the config).",
            show_default=False,
        ),
    ] = None,
    client: ClientOpt = None,
    owner: OwnerOpt = None,
    team: TeamOpt = False,
    check: Annotated[
        bool,
        typer.Option(
            "--check",
            help="Exit 1 when anything is overdue or due today, 3 with no database (for cron).",
        ),
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """The morning view: overdue first, then today, then the next N days, by client.

    In a team: your promises and those of people not in it; a colleague with
    promises due who has not synced for 2 days is flagged at the top.

    \b
      handoff due
      handoff due --as-of 2026-12-24 --within 14
      handoff due --team
      handoff due --check || notify-send "handoff: something is due"
    """
    from handoff_cli.cli.pager import paged

    if owner is not None and team:
        msg = "give --owner NAME or --team, not both"
        raise BadInput(msg)
    with paged(common.pager_wanted(ctx) and not as_json):
        code = due_view.show_due(
            common.db_path(ctx),
            as_of=as_of,
            within=within,
            client=client,
            as_json=as_json,
            check=check,
            owner=owner,
            team=team,
        )
    if code:
        raise typer.Exit(code)
