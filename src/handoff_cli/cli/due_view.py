"""The morning view, free of Typer so that `handoff due` can skip it (cli/fast.py).

`show_due` is the whole command after parsing: the Typer command and the fast
path both call it, so they cannot drift apart.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from handoff_cli.cli import common, render
from handoff_cli.cli.render import out, safe_line, style
from handoff_cli.models import DueItem
from handoff_cli.store import Store

DEFAULT_WITHIN = 7  # days ahead that `due` shows


def show_due(
    path: Path, *, as_of: str | None, within: int, client: str | None, as_json: bool
) -> int:
    """Print what is due; return 1 when something is overdue (for --check), else 0."""
    clock = common.now()
    day = common.day(as_of, at=clock) if as_of else clock.date()
    store = Store.open(path, create=False)
    items: list[DueItem] = []
    if store is not None:
        with store:
            items = due_items(store, as_of=day, within=within, client_name=client)
    if as_json:
        render.print_json(
            {
                "as_of": day.isoformat(),
                "items": [
                    {
                        "id": i.promise_id,
                        "client": i.client,
                        "title": i.title,
                        "to": i.to,
                        "due": i.due.isoformat(),
                        "status": i.status,
                        "days_overdue": i.days_overdue,
                        "missed": i.missed,
                    }
                    for i in items
                ],
            }
        )
    else:
        no_database = common.no_database_text(path) if store is None else None
        print_due(items, as_of=day, within=within, no_database=no_database)
    return 1 if any(i.status == "overdue" for i in items) else 0


def due_items(store: Store, *, as_of: date, within: int, client_name: str | None) -> list[DueItem]:
    """What is overdue, due today and due within `within` days of `as_of`, most urgent first."""
    from handoff_cli import schedule

    client = store.client(client_name) if client_name else None
    items = []
    for p in store.due_entries(until=as_of + timedelta(days=within), client=client):
        state = schedule.status(p.next_due, as_of, within)
        if state is None:
            continue
        missed = schedule.missed(p.rule, p.next_due, as_of, after_done=p.after_done, start=p.start)
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
            )
        )
    rank = {"overdue": 0, "today": 1, "upcoming": 2}
    items.sort(key=lambda i: (rank[i.status], i.due, i.client, i.promise_id))
    return items


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


def print_due(items: list[DueItem], *, as_of: date, within: int, no_database: str | None) -> None:
    """People's view: sections Overdue / Due today / In the next N days, by client."""
    day = as_of.strftime("%a %Y-%m-%d")
    horizon = f"the next {render.plural(within, 'day')}"
    if not items:
        if no_database:
            out(render.wrap(f"Nothing due. ({no_database})"))
        elif within:
            out(render.wrap(f"Nothing due as of {day} or in {horizon}. All clear."))
        else:
            out(render.wrap(f"Nothing due as of {day}. All clear."))
        return
    out(render.wrap(style(f"Due as of {day}" + (f" (and {horizon})" if within else ""), "bold")))
    headings = {"overdue": "Overdue", "today": "Due today", "upcoming": f"In {horizon}"}
    for status, heading in headings.items():
        section = [i for i in items if i.status == status]
        if not section:
            continue
        out()
        out(style(heading, *(("bold", "red") if status == "overdue" else ("bold",))))
        by_client: dict[str, list[DueItem]] = {}
        for item in section:  # most urgent first, so clients come in order of urgency
            by_client.setdefault(item.client, []).append(item)
        for client_name, group in by_client.items():
            out(render.wrap("  " + style(safe_line(client_name), "bold"), keep=[client_name]))
            for item in group:
                to = f"to {item.to}" if item.to else None
                day = item.due.strftime("%a %Y-%m-%d")
                keep = [client_name, to, f"(due {day})", day]
                out(render.wrap("    " + _due_line(item, as_of), hang=7, keep=keep))
    out()
    out(render.wrap(summary(items)))


def summary(items: list[DueItem]) -> str:
    """One line of counts: `2 overdue · 0 due today · 1 coming up`."""
    counts = {s: sum(1 for i in items if i.status == s) for s in ("overdue", "today", "upcoming")}
    parts = [
        style(f"{counts['overdue']} overdue", "red") if counts["overdue"] else "0 overdue",
        f"{counts['today']} due today",
        f"{counts['upcoming']} coming up",
    ]
    return " · ".join(parts)


def _due_line(item: DueItem, as_of: date) -> str:
    marks = {"overdue": style("!", "red", "bold"), "today": style("•", "yellow"), "upcoming": "·"}
    parts = [marks[item.status], style(f"#{item.promise_id}", "cyan"), safe_line(item.title)]
    if item.to:
        parts.append(f"to {safe_line(item.to)}")
    if item.status == "overdue":
        late = render.plural(item.days_overdue, "day") + " overdue"
        if item.missed > 1:
            late += f", missed {item.missed}"
        parts.append(style(f"{late} (due {item.due.strftime('%a %Y-%m-%d')})", "red"))
    elif item.status == "today":
        parts.append(style("due today", "yellow"))
    else:
        parts.append(f"{relative(item.due, as_of)} ({item.due.strftime('%a %Y-%m-%d')})")
    return "  ".join(parts)
