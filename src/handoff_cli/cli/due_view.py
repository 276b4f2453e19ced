"""The morning view, free of Typer so that `handoff due` can skip it (cli/fast.py).

`show_due` is the whole command after parsing: the Typer command and the fast
path both call it, so they cannot drift apart.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from handoff_cli.cli import common, render
from handoff_cli.cli.render import out, safe_line, style
from handoff_cli.errors import FAILURE, NOTHING_TO_DO, BadInput
from handoff_cli.models import DueItem, PausedItem
from handoff_cli.store import Store

if TYPE_CHECKING:
    from handoff_cli.team.status import Owners

DEFAULT_WITHIN = 7  # days ahead that `due` shows


def show_due(
    path: Path,
    *,
    as_of: str | None,
    within: int | None,
    client: str | None,
    as_json: bool,
    check: bool = False,
    owner: str | None = None,
    team: bool = False,
) -> int:
    """Print what is due; return the exit code (`--check`: 1 when something is overdue
    or due today, 3 when there is no database at the path; else 0).

    In a team: my promises and those of people not in it (`owner` a member's,
    `team` everyone's, grouped by owner), and a flag for each colleague with
    overdue promises who has gone quiet, and for a sync that failed.
    """
    clock = common.now()
    day = common.day(as_of, at=clock) if as_of else clock.date()
    days = within if within is not None else default_within()
    store = common.open_path_for_read(path)
    items: list[DueItem] = []
    paused: list[PausedItem] = []
    notices: list[str] = []
    team_info: dict[str, object] | None = None
    if store is not None:
        with store:
            owners = owners_for(store, owner=owner, team=team)
            items = due_items(
                store, as_of=day, within=days, client_name=client, now=clock, owners=owners
            )
            paused = store.paused_entries(
                as_of=day, client=store.client(client) if client else None, owners=owners
            )
            if owners is not None and owners.members:
                notices, team_info = _team_notices(store, clock)
    if as_json:
        from handoff_cli.shapes import due_record

        record = due_record(day, items, paused)
        if team_info is not None:
            record["team"] = team_info
        render.print_json(record)
    else:
        no_database = common.no_database_text(path) if store is None else None
        for line in notices:
            out(render.wrap(style(line, "red")))
        if notices:
            out()
        print_due(items, paused, as_of=day, within=days, no_database=no_database, by_owner=team)
    if not check:
        return 0
    if store is None:
        if as_json:
            return FAILURE
        render.err(render.error_line(f"{common.no_database_text(path)}; nothing was checked"))
        return FAILURE
    return NOTHING_TO_DO if any(i.status in ("overdue", "today") for i in items) else 0


def default_within() -> int:
    """`due.within` from the configuration file, else 7 days."""
    from handoff_cli import config

    configured = config.get("due.within")
    return int(configured) if configured is not None else DEFAULT_WITHIN


def owners_for(store: Store, *, owner: str | None, team: bool) -> Owners | None:
    """Whose promises to show. Outside a team, every promise (None) unless asked
    (`--owner`: one person's, imported with --keep-owners; `--team`: by owner)."""
    from handoff_cli.team.status import Owners, member_names

    names = member_names(store)
    if names is None:
        if owner is None and not team:
            return None
        return Owners(store.me, (), only=owner, everyone=team)
    if owner is not None and owner.casefold() not in {n.casefold() for n in names}:
        known = ", ".join(names) or "none yet"
        msg = f"no member named '{owner}' (members: {known})"
        raise BadInput(msg)
    return Owners(store.me, names, only=owner, everyone=team)


def _team_notices(store: Store, now: datetime) -> tuple[list[str], dict[str, object]]:
    """Colleagues gone quiet with promises due, and a failed sync: said in every `due`."""
    from handoff_cli.team.status import quiet_members

    lines = []
    quiet = quiet_members(store, now=now)
    for m in quiet:
        since = f"for {m.quiet_days} days" if m.last_heard else "ever"
        late = render.plural(m.due, "promise") + " due"
        lines.append(
            f"! {m.name} has not synced {since} and has {late}"
            f" (`handoff due --owner {m.name}`; `handoff take ID` carries one on)"
        )
    error = store.meta("sync.error")
    if error:
        lines.append(f"! the last sync failed: {error} (`handoff sync` tries again)")
    info: dict[str, object] = {
        "quiet": [
            {"name": m.name, "due": m.due, "last_synced": m.last_heard.isoformat()
             if m.last_heard else None}
            for m in quiet
        ],
        "last_sync_error": error,
    }  # fmt: skip
    return lines, info


def due_items(
    store: Store,
    *,
    as_of: date,
    within: int,
    client_name: str | None,
    now: datetime | None = None,
    owners: Owners | None = None,
) -> list[DueItem]:
    """What is overdue, due today and due within `within` days of `as_of`, most urgent first.

    `now` (when `as_of` is today) makes a one-off whose deadline time has passed overdue.
    """
    from handoff_cli import schedule

    client = store.client(client_name) if client_name else None
    today = now is not None and now.date() == as_of
    before = as_of - timedelta(days=1)
    items = []
    until = as_of + timedelta(days=within)
    for p in store.due_entries(as_of=as_of, until=until, client=client, owners=owners):
        state = schedule.status(p.next_due, as_of, within)
        if state is None:
            continue
        due_at = datetime.fromisoformat(p.due_at) if p.due_at else None
        if state == "today" and today and due_at is not None and now is not None and due_at < now:
            state = "overdue"
        if p.next_due >= as_of:
            missed = 0
        elif p.irregular:
            missed = _missed_slowly(store, p.id, as_of)
        else:
            missed = schedule.missed(
                p.rule, p.next_due, before, after_done=p.after_done, start=p.start
            )
        items.append(
            DueItem(
                promise_id=p.id,
                client=p.client,
                title=p.title,
                to=p.to,
                rule=p.rule,
                due=p.next_due,
                status=state,
                days_overdue=max(0, (as_of - p.next_due).days),
                missed=missed,
                owner=p.owner,
                due_at=due_at,
            )
        )
    rank = {"overdue": 0, "today": 1, "upcoming": 2}
    items.sort(key=lambda i: (rank[i.status], i.due, i.client, i.promise_id))
    return items


def _missed_slowly(store: Store, promise_id: int, as_of: date) -> int:
    """`missed` for a promise with marks or pauses past its next due: look at them."""
    from handoff_cli import coverage, writes

    promise = store.promise(promise_id)
    marks, intervals = store.marks(promise_id)
    return coverage.missed(writes.plan_of(promise), marks, intervals, promise.next_due, as_of)


def day_words(day: date) -> str:
    return day.strftime("%a")


def relative(due: date, as_of: date) -> str:
    delta = (due - as_of).days
    if delta == 0:
        return "today"
    if delta == 1:
        return "tomorrow"
    if delta == -1:
        return "1 day overdue"
    if delta < 0:
        return f"{-delta} days overdue"
    return f"in {delta} days"


def print_due(
    items: list[DueItem],
    paused: list[PausedItem],
    *,
    as_of: date,
    within: int,
    no_database: str | None,
    by_owner: bool = False,
) -> None:
    """People's view: sections Overdue / Due today / In the next N days, by client; paused last.

    `by_owner` (`due --team`): the same view for each owner in turn.
    """
    day = as_of.strftime("%a %Y-%m-%d")
    horizon = f"the next {render.plural(within, 'day')}"
    if not items:
        if no_database:
            out(render.wrap(f"Nothing due. ({no_database})"))
        elif within:
            out(render.wrap(f"Nothing due as of {day} or in {horizon}. All clear."))
        else:
            out(render.wrap(f"Nothing due as of {day}. All clear."))
        _print_paused(paused)
        return
    out(render.wrap(style(f"Due as of {day}" + (f" (and {horizon})" if within else ""), "bold")))
    if not by_owner:
        _print_sections(items, as_of=as_of, horizon=horizon, indent="")
    else:
        owners: dict[str, list[DueItem]] = {}
        for item in items:
            owners.setdefault(item.owner, []).append(item)
        for owner in sorted(owners, key=str.casefold):
            out()
            out(render.wrap(style(f"{safe_line(owner)}'s", "bold", "magenta"), keep=[owner]))
            _print_sections(owners[owner], as_of=as_of, horizon=horizon, indent="  ")
    _print_paused(paused)
    out()
    out(render.wrap(summary(items, paused)))


def _print_sections(items: list[DueItem], *, as_of: date, horizon: str, indent: str) -> None:
    headings = {"overdue": "Overdue", "today": "Due today", "upcoming": f"In {horizon}"}
    for status, heading in headings.items():
        section = [i for i in items if i.status == status]
        if not section:
            continue
        out()
        out(indent + style(heading, *(("bold", "red") if status == "overdue" else ("bold",))))
        by_client: dict[str, list[DueItem]] = {}
        for item in section:  # most urgent first, so clients come in order of urgency
            by_client.setdefault(item.client, []).append(item)
        for client_name, group in by_client.items():
            line = indent + "  " + style(safe_line(client_name), "bold")
            out(render.wrap(line, keep=[client_name]))
            for item in group:
                to = f"to {item.to}" if item.to else None
                day = item.due.strftime("%a %Y-%m-%d")
                keep = [client_name, to, f"(due {day})", day]
                line = indent + "    " + _due_line(item, as_of)
                out(render.wrap(line, hang=7, keep=keep))


def summary(items: list[DueItem], paused: list[PausedItem] | None = None) -> str:
    """One line of counts: `2 overdue · 0 due today · 1 coming up · 1 paused`."""
    counts = {s: sum(1 for i in items if i.status == s) for s in ("overdue", "today", "upcoming")}
    parts = [
        style(f"{counts['overdue']} overdue", "red") if counts["overdue"] else "0 overdue",
        f"{counts['today']} due today",
        f"{counts['upcoming']} coming up",
    ]
    if paused:
        parts.append(f"{len(paused)} paused")
    return " · ".join(parts)


def _print_paused(paused: list[PausedItem]) -> None:
    if not paused:
        return
    out()
    out(style("Paused", "bold"))
    for item in paused:
        until = f"resumes {item.until.strftime('%a %Y-%m-%d')}" if item.until else "no end date"
        line = (
            f"    {style('‖', 'dim')}  {style(f'#{item.promise_id}', 'cyan')}  "
            f"{safe_line(item.client)}: {safe_line(item.title)}  {style(until, 'dim')}"
        )
        out(render.wrap(line, hang=7, keep=[item.client, until]))


def _due_line(item: DueItem, as_of: date) -> str:
    marks = {"overdue": style("!", "red", "bold"), "today": style("•", "yellow"), "upcoming": "·"}
    parts = [marks[item.status], style(f"#{item.promise_id}", "cyan"), safe_line(item.title)]
    if item.to:
        parts.append(f"to {safe_line(item.to)}")
    at = f" {item.due_at.astimezone():%H:%M}" if item.due_at else ""
    if item.status == "overdue":
        if item.days_overdue:
            late = render.plural(item.days_overdue, "day") + " overdue"
        else:
            late = "overdue since" + at
        if item.missed > 1:
            late += f", missed {item.missed}"
        parts.append(style(f"{late} (due {item.due.strftime('%a %Y-%m-%d')}{at})", "red"))
    elif item.status == "today":
        parts.append(style(f"due today{at}", "yellow"))
    else:
        parts.append(f"{relative(item.due, as_of)} ({item.due.strftime('%a %Y-%m-%d')}{at})")
    return "  ".join(parts)
