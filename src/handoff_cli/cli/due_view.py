"""The morning view, free of Typer so that `handoff due` can skip it (cli/fast.py).

`show_due` is the whole command after parsing: the Typer command and the fast
path both call it, so they cannot drift apart.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from handoff_cli.cli import common, render
from handoff_cli.cli.render import out, safe_line, style
from handoff_cli.errors import FAILURE, NOTHING_TO_DO, BadInput

# Neither typing nor the models (dataclasses) are loaded on the way to the morning
# view: it lists rows as tuples (issue 13; `Entry` below).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any

    from handoff_cli.missed import Shape
    from handoff_cli.models import Client, DueItem, PausedItem
    from handoff_cli.store import Store
    from handoff_cli.team.status import Owners

    # (promise id, client, title, to, due day, status, days overdue, missed, owner, due_at)
    # and, made with `full`, the rule
    Entry = tuple[Any, ...]

DEFAULT_WITHIN = 7  # days ahead that `due` shows
STATUSES = ("overdue", "today", "upcoming")  # an entry's status is an index into this
OVERDUE, TODAY, UPCOMING = 0, 1, 2


def show_due(
    path: str | Path,
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
    entries: list[Entry] = []
    paused: list[tuple[Any, ...]] = []
    notices: list[str] = []
    team_info: dict[str, object] | None = None
    if store is not None:
        with store:
            owners = owners_for(store, owner=owner, team=team)
            found = store.client(client) if client else None
            entries = due_entries(
                store, as_of=day, within=days, client=found, now=clock, owners=owners,
                full=as_json, with_owner=team,
            )  # fmt: skip
            paused = store.paused_rows(as_of=day, client=found, owners=owners)
            if owners is not None and owners.members:
                notices, team_info = _team_notices(store, clock)
    if as_json:
        from handoff_cli.shapes import due_record

        record = due_record(day, due_models(entries), paused_models(paused))
        if team_info is not None:
            record["team"] = team_info
        render.print_json(record)
    else:
        no_database = common.no_database_text(path) if store is None else None
        lines = [render.wrap(style(line, "red")) for line in notices]
        if notices:
            lines.append("")
        lines += due_lines(
            entries, paused, as_of=day, within=days, no_database=no_database, by_owner=team
        )
        out("\n".join(lines))
    if not check:
        return 0
    if store is None:
        if as_json:
            return FAILURE
        render.err(render.error_line(f"{common.no_database_text(path)}; nothing was checked"))
        return FAILURE
    return NOTHING_TO_DO if any(e[5] != UPCOMING for e in entries) else 0


def default_within() -> int:
    """`due.within` from the configuration file, else 7 days."""
    from handoff_cli import config

    configured = config.get("due.within")
    return int(configured) if configured is not None else DEFAULT_WITHIN


def owners_for(store: Store, *, owner: str | None, team: bool) -> Owners | None:
    """Whose promises to show. Outside a team, every promise (None) unless asked
    (`--owner`: one person's, imported with --keep-owners; `--team`: by owner)."""
    if store.meta("team.clone") is None:  # what member_names would say, without
        if owner is None and not team:  # loading the team's modules (typing, dataclasses)
            return None
        from handoff_cli.owners import Owners

        return Owners(store.me, (), only=owner, everyone=team)
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
    client = store.client(client_name) if client_name else None
    entries = due_entries(
        store, as_of=as_of, within=within, client=client, now=now, owners=owners, full=True
    )
    return due_models(entries)


def due_entries(
    store: Store,
    *,
    as_of: date,
    within: int,
    client: Client | None,
    now: datetime | None = None,
    owners: Owners | None = None,
    full: bool = False,
    with_owner: bool = False,
) -> list[Entry]:
    """`due_items` as tuples (`Entry`), the view's order: overdue, today, coming up; by
    due day, client, id. `full` adds each one's owner and rule (`due_models` wants them;
    `with_owner` the owner alone), which the text view leaves out to save fetching them.

    About 1 µs of Python per promise, 2 µs more for an overdue one (its missed
    occurrences: `missed.py`): the morning view may list ten thousand (issue 13).
    """
    from handoff_cli.missed import missed, shape

    rows = store.due_rows(
        as_of=as_of,
        until=as_of + timedelta(days=within),
        client=client,
        owners=owners,
        with_owner=full or with_owner,
        with_rule=full,
    )
    rules = [row[9] for row in rows] if full else None
    fromiso = date.fromisoformat
    today = as_of.toordinal()
    before = today - 1
    shapes: dict[str, Shape | None] = {}
    entries: list[Any] = []
    append = entries.append
    moved = False  # a one-off due today whose time has passed: overdue, and moved up
    for pid, name, title, to, next_due, due_at, owner, how, start in (
        [row[:9] for row in rows] if full else rows
    ):
        due = fromiso(next_due)
        ordinal = due.toordinal()
        if ordinal < today:
            status, late = OVERDUE, today - ordinal
            after = how[:1] == "+"
            rule = how[1:] if after else how
            if not rule:
                count = 1  # a one-off
            elif rule == "!":  # marks or pauses past its next due day
                count = _missed_slowly(store, pid, as_of)
            else:
                if rule in shapes:
                    found = shapes[rule]
                else:
                    found = shapes[rule] = shape(rule)
                first = fromiso(start)
                if found is None:
                    from handoff_cli import schedule

                    count = schedule.missed(
                        rule, due, as_of - timedelta(days=1), after_done=after, start=first
                    )
                else:
                    count = missed(found, first.toordinal(), ordinal, before, after_done=after)
        else:
            status, late, count = (TODAY if ordinal == today else UPCOMING), 0, 0
        at = None
        if due_at is not None:
            at = datetime.fromisoformat(due_at)
            if status == TODAY and now is not None and now.date() == as_of and at < now:
                status, moved = OVERDUE, True
        append((pid, name, title, to, due, status, late, count, owner, at))
    if rules is not None:
        entries = [(*entry, rule) for entry, rule in zip(entries, rules, strict=True)]
    if moved:  # after the other overdue ones, as (status, due day, client, id) sorts them
        entries.sort(key=lambda e: e[5])
    return entries


def _missed_slowly(store: Store, promise_id: int, as_of: date) -> int:
    """`missed` for a promise with marks or pauses past its next due: look at them."""
    from handoff_cli import coverage, writes

    promise = store.promise(promise_id)
    marks, intervals = store.marks(promise_id)
    return coverage.missed(writes.plan_of(promise), marks, intervals, promise.next_due, as_of)


def due_models(entries: list[Entry]) -> list[DueItem]:
    """Entries made with `full` as the models `due --json` and the summaries take."""
    from handoff_cli.models import DueItem

    return [
        DueItem(
            promise_id=e[0], client=e[1], title=e[2], to=e[3], rule=e[10] if len(e) > 10 else None,
            due=e[4], status=STATUSES[e[5]], days_overdue=e[6], missed=e[7], owner=e[8] or "",
            due_at=e[9],
        )
        for e in entries
    ]  # fmt: skip


def paused_models(rows: list[tuple[Any, ...]]) -> list[PausedItem]:
    from handoff_cli.models import PausedItem

    return [
        PausedItem(r[0], r[1], r[2], date.fromisoformat(r[3]) if r[3] else None, r[4]) for r in rows
    ]


def day_words(day: date) -> str:
    return day.strftime("%a")


def relative(due: date, as_of: date) -> str:
    return relative_days((due - as_of).days)


def relative_days(delta: int) -> str:
    """`relative` for a due day `delta` days from today."""
    if delta == 0:
        return "today"
    if delta == 1:
        return "tomorrow"
    if delta == -1:
        return "1 day overdue"
    if delta < 0:
        return f"{-delta} days overdue"
    return f"in {delta} days"


def due_lines(
    entries: list[Entry],
    paused: list[tuple[Any, ...]],
    *,
    as_of: date,
    within: int,
    no_database: str | None,
    by_owner: bool = False,
) -> list[str]:
    """People's view: sections Overdue / Due today / In the next N days, by client; paused last.

    `by_owner` (`due --team`): the same view for each owner in turn. Returned as lines
    (written at once by the caller: ten thousand `print`s cost more than the SQL).
    """
    day = as_of.strftime("%a %Y-%m-%d")
    horizon = f"the next {render.plural(within, 'day')}"
    lines: list[str] = []
    if not entries:
        if no_database:
            lines.append(render.wrap(f"Nothing due. ({no_database})"))
        elif within:
            lines.append(render.wrap(f"Nothing due as of {day} or in {horizon}. All clear."))
        else:
            lines.append(render.wrap(f"Nothing due as of {day}. All clear."))
        _paused_lines(paused, lines)
        return lines
    head = f"Due as of {day}" + (f" (and {horizon})" if within else "")
    lines.append(render.wrap(style(head, "bold")))
    if not by_owner:
        _section_lines(entries, as_of=as_of, horizon=horizon, indent="", lines=lines)
    else:
        owners: dict[str, list[Entry]] = {}
        for entry in entries:
            owners.setdefault(entry[8] or "", []).append(entry)
        client_lines: dict[str, str] = {}  # every owner's at one indent
        for owner in sorted(owners, key=str.casefold):
            lines.append("")
            heading = style(f"{safe_line(owner)}'s", "bold", "magenta")
            lines.append(render.wrap(heading, keep=[owner]))
            _section_lines(
                owners[owner], as_of=as_of, horizon=horizon, indent="  ", lines=lines,
                client_lines=client_lines,
            )  # fmt: skip
    _paused_lines(paused, lines)
    lines.append("")
    counts = [0, 0, 0]
    for entry in entries:
        counts[entry[5]] += 1
    lines.append(render.wrap(_summary(counts, len(paused))))
    return lines


_DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")  # strftime's %a in the C locale


def _section_lines(
    entries: list[Entry],
    *,
    as_of: date,
    horizon: str,
    indent: str,
    lines: list[str],
    client_lines: dict[str, str] | None = None,
) -> None:
    """The three sections, each by client (clients in order of their most urgent item).

    The hot loop of the morning view (issue 13): colours are decided once, day names
    worked out once a day, and a line is measured from its parts (only its title and
    recipient may hold wide characters) instead of character by character.
    `client_lines` keeps each client's heading line for the next call (`due --team`
    shows a client once for each owner).
    """
    from handoff_cli.cli.render import fits, width, wrap

    sections: tuple[dict[str, list[Entry]], ...] = ({}, {}, {})
    for entry in entries:
        sections[entry[5]].setdefault(entry[1], []).append(entry)
    headings = ("Overdue", "Due today", f"In {horizon}")
    cells = render.line_width()
    on = render.color_enabled()
    cyan, red, yellow, end = ("\x1b[36m", "\x1b[31m", "\x1b[33m", "\x1b[0m") if on else ("",) * 4
    marks = (style("!", "red", "bold"), style("•", "yellow"), "·")
    # Escape characters in an item's line, by status: #id's colour, the mark's, the words'.
    escapes = [
        len(cyan + end) + len(mark) - 1 + (len(red + end) if status < UPCOMING else 0)
        for status, mark in enumerate(marks)
    ]
    wide: dict[str, int] = {}  # cells beyond one a character, of each non-ASCII text

    def extra(text: str) -> int:
        if text.isascii():
            return 0
        found = wide.get(text)
        if found is None:
            found = wide[text] = width(text) - len(text)
        return found

    day_texts: dict[int, str] = {}
    known = {} if client_lines is None else client_lines
    today = as_of.toordinal()
    pad = indent + "    "
    for status, by_client in enumerate(sections):
        if not by_client:
            continue
        lines.append("")
        lines.append(
            indent + style(headings[status], *(("bold", "red") if status == 0 else ("bold",)))
        )
        head = f"{pad}{marks[status]}  {cyan}#"
        for client_name, group in by_client.items():
            line = known.get(client_name)
            if line is None:
                line = indent + "  " + style(safe_line(client_name), "bold")
                if cells is not None and not fits(line, cells):
                    line = wrap(line, keep=[client_name])
                known[client_name] = line
            lines.append(line)
            for pid, _, title, to, due, _, late, count, _, at in group:
                ordinal = due.toordinal()
                day = day_texts.get(ordinal)
                if day is None:
                    if due.year >= 1000:  # strftime's %a (C locale) %Y-%m-%d
                        day = f"{_DAY_NAMES[due.weekday()]} {due.isoformat()}"
                    else:  # strftime's %Y does not pad years before 1000
                        day = due.strftime("%a %Y-%m-%d")
                    day_texts[ordinal] = day
                time = f" {at.astimezone():%H:%M}" if at is not None else ""
                if not str.isprintable(title):  # then safe_line would change nothing
                    title = safe_line(title)
                if to:
                    to_words = f"  to {to}" if str.isprintable(to) else f"  to {safe_line(to)}"
                else:
                    to_words = ""
                if status == OVERDUE:
                    if late:
                        words = f"{late} day overdue" if late == 1 else f"{late} days overdue"
                    else:
                        words = "overdue since" + time
                    if count > 1:
                        words = f"{words}, missed {count}"
                    line = (
                        f"{head}{pid}{end}  {title}{to_words}  {red}{words} (due {day}{time}){end}"
                    )
                elif status == TODAY:
                    line = f"{head}{pid}{end}  {title}{to_words}  {yellow}due today{time}{end}"
                else:
                    delta = ordinal - today
                    when = "tomorrow" if delta == 1 else relative_days(delta)
                    line = f"{head}{pid}{end}  {title}{to_words}  {when} ({day}{time})"
                if cells is not None and 2 * len(line) > cells:
                    used = len(line) - escapes[status] + extra(title) + extra(to_words)
                    if used > cells:  # render.fits, from the parts
                        keep = [client_name, f"to {to}" if to else None, f"(due {day})", day]
                        line = wrap(line, hang=7, keep=keep, cells=cells)
                lines.append(line)


def summary(items: list[DueItem], paused: list[PausedItem] | None = None) -> str:
    """One line of counts: `2 overdue · 0 due today · 1 coming up · 1 paused`."""
    counts = [sum(1 for i in items if i.status == s) for s in STATUSES]
    return _summary(counts, len(paused) if paused else 0)


def _summary(counts: list[int], paused: int) -> str:
    parts = [
        style(f"{counts[0]} overdue", "red") if counts[0] else "0 overdue",
        f"{counts[1]} due today",
        f"{counts[2]} coming up",
    ]
    if paused:
        parts.append(f"{paused} paused")
    return " · ".join(parts)


def _paused_lines(paused: list[tuple[Any, ...]], lines: list[str]) -> None:
    if not paused:
        return
    lines.append("")
    lines.append(style("Paused", "bold"))
    for pid, client, title, until_day, _ in paused:
        until = (
            f"resumes {date.fromisoformat(until_day).strftime('%a %Y-%m-%d')}"
            if until_day
            else "no end date"
        )
        line = (
            f"    {style('‖', 'dim')}  {style(f'#{pid}', 'cyan')}  "
            f"{safe_line(client)}: {safe_line(title)}  {style(until, 'dim')}"
        )
        lines.append(render.wrap(line, hang=7, keep=[client, until]))
