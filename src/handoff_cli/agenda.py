"""The agenda: every occurrence of every open promise, day by day. Pure: no I/O, no clock.

`due` shows each promise once, at its next due date; planning a leave needs
all of them (the weekly meeting on each of the next two Thursdays). One
function, `agenda`, takes the promises and the window and returns what falls
on each day, and what was already overdue when the window opens.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from handoff_cli.models import Promise

# A window longer than a year is not a plan; it also bounds the work per promise.
MAX_DAYS = 366


@dataclass(frozen=True)
class Overdue:
    promise: Promise
    due: date  # its next due date, before the window opens
    days_overdue: int
    missed: int  # occurrences due before the window opened and not covered


@dataclass(frozen=True)
class Agenda:
    start: date
    end: date  # the window's last day (inclusive)
    overdue: list[Overdue] = field(default_factory=list)
    days: dict[date, list[Promise]] = field(default_factory=dict)  # only days with something

    @property
    def occurrences(self) -> int:
        return sum(len(items) for items in self.days.values())


def agenda(
    promises: Iterable[Promise],
    *,
    start: date,
    days: int,
    covered: Mapping[int, set[date]] | None = None,
) -> Agenda:
    """What each open promise asks for from `start` over `days` days (1..MAX_DAYS).

    Uncovered occurrences begin at a promise's stored `next_due`: those before
    `start` make it overdue (listed once, with how many were missed), those in
    the window are listed on their days. A one-off falls on its due date. A
    recurring one falls on each occurrence of its rule from `next_due` on. One
    counted from its last completion (`after_done`) falls on `next_due` and
    then every interval after, as if each were done on its day (an overdue one
    as if done the day the window opens). Promises that are not open (done,
    dropped) ask for nothing; a paused one asks for nothing while its pause
    lasts (what falls due then is not owed), and `covered` (promise id -> days)
    names occurrences already done ahead of time.
    """
    from handoff_cli import schedule

    if not 1 <= days <= MAX_DAYS:
        msg = f"days must be 1 to {MAX_DAYS}"
        raise ValueError(msg)
    end = start + timedelta(days=days - 1)
    overdue: list[Overdue] = []
    by_day: dict[date, list[Promise]] = {}
    for promise in promises:
        due = promise.next_due
        if promise.status not in ("open", "paused") or due is None or due > end:
            continue
        if due < start and not _paused(promise, start):  # never due while paused
            missed = schedule.missed(
                promise.rule,
                due,
                start - timedelta(days=1),
                after_done=promise.after_done,
                start=promise.start,
            )
            overdue.append(Overdue(promise, due, (start - due).days, missed))
        done_ahead = (covered or {}).get(promise.id, set())
        for day in _occurrences(promise, due, start, end):
            if day not in done_ahead and not _paused(promise, day):
                by_day.setdefault(day, []).append(promise)
    overdue.sort(key=lambda o: (o.due, o.promise.client, o.promise.id))
    for items in by_day.values():
        items.sort(key=lambda p: (p.client, p.id))
    return Agenda(start, end, overdue, dict(sorted(by_day.items())))


def _paused(promise: Promise, day: date) -> bool:
    first, until = promise.paused_from, promise.paused_until
    if first is None:
        return promise.status == "paused"  # paused, with no day known: for now
    return first <= day and (until is None or day < until)


def _occurrences(promise: Promise, due: date, start: date, end: date) -> list[date]:
    """The days in [start, end] on which `promise`, next due on `due`, falls due."""
    from handoff_cli import schedule

    if promise.rule is None:
        return [due] if start <= due <= end else []
    if not promise.after_done:
        return schedule.occurrences_between(promise.rule, promise.start, max(due, start), end)
    # Counted from its last completion: if overdue, as if done when the window opens.
    found = []
    day: date | None = due
    if due < start:
        day = schedule.advance(promise.rule, promise.start, due, start, after_done=True)
    while day is not None and day <= end:
        found.append(day)
        day = schedule.advance(promise.rule, promise.start, day, day, after_done=True)
    return found
