"""What a promise still owes: coverage of occurrences by completions and skips. Pure.

A recurring promise has occurrences (its rule from its start). A completion or
a skip (a *mark*) records the occurrences it covers; an undo takes a mark back.
An occurrence is covered while any mark that has not been undone covers it, so
two marks of the same occurrence (a second device, a colleague, the same bundle
twice) count once. Pauses excuse the occurrences that fall while they last.
The earliest occurrence neither covered nor excused is the promise's next due.

Everything here is a function of sets (marks, undos, pause events), never of
the order they arrived in: that is what lets two machines that exchanged the
same changes agree. No I/O, no clock; "today" is passed in.

Every loop is bounded (MAX_STEPS), so a pathological rule that arrived by
import costs milliseconds, not minutes: past the bound the walk stops.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import TYPE_CHECKING, NamedTuple

from handoff_cli.errors import BadInput

if TYPE_CHECKING:
    from handoff_cli.schedule import Series

MAX_STEPS = 20_000  # occurrences walked by one computation for one promise


class Plan(NamedTuple):
    """The parts of a promise that decide its occurrences."""

    rule: str | None  # canonical RRULE; None for a one-off
    start: date  # first occurrence of a recurring promise; a one-off's due day
    after_done: bool = False
    covered_through: date | None = None  # after a rule change: what the old rule had covered


class Mark(NamedTuple):
    """A completion ("done") or a skip, with the occurrences it covers."""

    uuid: str
    kind: str  # "done" or "skip"
    day: date  # the calendar day it was done (or skipped)
    covers: tuple[date, ...]
    stamp: str  # "clock@member": orders marks, and says whose


class PauseEvent(NamedTuple):
    kind: str  # "pause" or "resume"
    day: date  # a pause: its first day; a resume: the day counting starts again
    until: date | None = None  # a pause: the day it ends by itself (None: until resumed)


Interval = tuple[date, date | None]  # [first day, end day) — end None: open


class NothingDue(BadInput):
    """`done` would cover nothing: the message names the next due date and the ways on."""


# ---------------------------------------------------------------------------- pauses


def excused(events: Iterable[PauseEvent]) -> list[Interval]:
    """The periods a promise was (or is) paused, merged and in order.

    A pause runs from its day until its `until`, or until the first resume on or
    after its day, whichever is sooner. Order-free: the answer depends only on
    the set of events.
    """
    resumes = sorted(e.day for e in events if e.kind == "resume")
    spans: list[Interval] = []
    for e in events:
        if e.kind != "pause":
            continue
        end = e.until
        for r in resumes:
            if r >= e.day:
                end = r if end is None else min(end, r)
                break
        if end is None or end > e.day:
            spans.append((e.day, end))
    spans.sort(key=lambda s: s[0])
    merged: list[Interval] = []
    for first, end in spans:
        if merged:
            last_first, last_end = merged[-1]
            if last_end is None or first <= last_end:
                joined = None if last_end is None or end is None else max(last_end, end)
                merged[-1] = (last_first, joined)
                continue
        merged.append((first, end))
    return merged


def _excusing(day: date, intervals: Sequence[Interval]) -> Interval | None:
    for first, end in intervals:
        if first <= day and (end is None or day < end):
            return first, end
    return None


def paused_on(intervals: Sequence[Interval], day: date) -> bool:
    return _excusing(day, intervals) is not None


# ---------------------------------------------------------------------------- coverage


def covered(marks: Iterable[Mark]) -> set[date]:
    return {day for m in marks for day in m.covers}


def next_due(plan: Plan, marks: Sequence[Mark], intervals: Sequence[Interval]) -> date | None:
    """The earliest occurrence neither covered nor excused (None: nothing more is owed).

    `marks` are the live ones. A one-off is owed until a mark covers its day (a
    recurring promise's completions, kept when it became a one-off, do not).
    """
    if plan.rule is None:
        return None if any(plan.start in m.covers for m in marks) else plan.start
    from handoff_cli.schedule import series

    s = series(plan.rule, plan.start)
    if plan.after_done:
        return _after_done_next(plan, s, marks, intervals)
    done = covered(marks)
    floor: date | None = plan.start
    if plan.covered_through is not None and plan.covered_through >= plan.start:
        floor = _day_after(plan.covered_through)
    if floor is None:
        return None
    day = s.first_from(floor)
    # Each step passes one covered day or one pause, so this many steps always reach the
    # answer: the work is bounded by what is stored. (A bound of MAX_STEPS ended a daily
    # promise caught up from 1960: 20,000 covered days, then "no further occurrences".)
    for _ in range(len(done) + len(intervals) + 1):
        if day is None:
            return None
        if day in done:
            day = s.first_from_after(day)
            continue
        pause = _excusing(day, intervals)
        if pause is not None:
            if pause[1] is None:
                return None
            day = s.first_from(pause[1])
            continue
        return day
    return day  # not reached: every covered day and every pause was passed at most once


def _after_done_next(
    plan: Plan, s: Series, marks: Sequence[Mark], intervals: Sequence[Interval]
) -> date | None:
    """--after-done: the day the latest-covered occurrence was done, plus one interval.

    Two marks of the same due date count once, and the later day counts.
    """
    done = covered(marks)
    due: date | None
    if not done:
        floor = plan.start
        if plan.covered_through is not None and plan.covered_through >= floor:
            floor = _day_after(plan.covered_through) or floor
        due = s.first_from(floor)
    else:
        count = s.rule.count
        if count is not None and len(done) >= count:
            return None
        latest = max(done)
        day = max(m.day for m in marks if latest in m.covers)
        due = s.plus_step(day)
        if due is not None and due <= latest:
            # Done (or skipped) ahead of its date on the day of the one before, or before
            # the start: counting from that day would land on what it just covered.
            due = s.plus_step(latest)
    if due is None:
        return None
    pause = _excusing(due, intervals)
    if pause is not None:
        if pause[1] is None:
            return None
        due = s.cap(pause[1])
    return due


def _day_after(day: date) -> date | None:
    from datetime import timedelta

    try:
        return day + timedelta(days=1)
    except OverflowError:
        return None


def covered_through(
    plan: Plan, marks: Sequence[Mark], intervals: Sequence[Interval]
) -> date | None:
    """The last day the plan's occurrences are covered through: kept by a rule change.

    Covered without a gap: an occurrence done ahead of time (`done --for`) while
    earlier ones are still owed does not make those covered, so a rule change
    never drops an occurrence nobody did; it stops the day before the next due.
    """
    days = covered(marks)
    last = max(days) if days else None
    if plan.covered_through is not None and (last is None or plan.covered_through > last):
        last = plan.covered_through
    if last is not None:
        due = next_due(plan, marks, intervals)
        if due is not None and due <= last:
            last = _day_before(due)
    return last


# ---------------------------------------------------------------------------- done / skip


def covers_for_done(
    plan: Plan,
    marks: Sequence[Mark],
    intervals: Sequence[Interval],
    *,
    day: date,
    early: bool = False,
    for_day: date | None = None,
) -> tuple[date, ...]:
    """The occurrences a `done` on `day` covers; NothingDue or BadInput when none.

    Without options: every uncovered occurrence due on or before `day` (a
    one-off: itself, whenever it is kept). With `early`, the next one when
    nothing is due yet. With `for_day`, exactly that occurrence.
    """
    due = next_due(plan, marks, intervals)
    if due is None:
        msg = "it has nothing left to do" if plan.rule else "it is already done"
        raise BadInput(msg)
    if for_day is not None:
        return (_check_occurrence(plan, marks, intervals, for_day, due),)
    if plan.rule is None:  # a one-off may be kept before its deadline
        return (due,)
    if plan.after_done:
        if due <= day or early:
            return (due,)
        raise NothingDue(_nothing_due(due))
    found = occurrences_owed(plan, marks, intervals, due, day)
    if found:
        return tuple(found)
    if early:
        return (due,)
    raise NothingDue(_nothing_due(due))


def covers_for_skip(
    plan: Plan,
    marks: Sequence[Mark],
    intervals: Sequence[Interval],
    *,
    for_day: date | None = None,
) -> tuple[date, ...]:
    """The occurrence a `skip` covers: the earliest uncovered one, or `for_day`'s."""
    if plan.rule is None:
        msg = "only a recurring promise can skip an occurrence; drop a one-off or move it"
        raise BadInput(msg)
    due = next_due(plan, marks, intervals)
    if due is None:
        msg = "it has nothing left to skip"
        raise BadInput(msg)
    if for_day is not None:
        return (_check_occurrence(plan, marks, intervals, for_day, due),)
    return (due,)


def _nothing_due(due: date) -> str:
    return (
        f"nothing is due yet: the next one is due {due.isoformat()}; "
        f"add --early to do that one ahead of time, or --for DATE for a given occurrence"
    )


def _check_occurrence(
    plan: Plan, marks: Sequence[Mark], intervals: Sequence[Interval], day: date, due: date
) -> date:
    """`day`, if it is an occurrence still owed; else a BadInput that says why not."""
    shown = day.isoformat()
    if plan.rule is None or plan.after_done:
        if day != due:
            msg = f"{shown} is not the occurrence due; the one owed is {due.isoformat()}"
            raise BadInput(msg)
        return day
    from handoff_cli.schedule import series

    if day < plan.start or series(plan.rule, plan.start).first_from(day) != day:
        msg = f"{shown} is not a day this promise falls due"
        raise BadInput(msg)
    if day in covered(marks) or (plan.covered_through and day <= plan.covered_through):
        msg = f"the occurrence of {shown} is already covered"
        raise BadInput(msg)
    if paused_on(intervals, day):
        msg = f"the occurrence of {shown} fell while the promise was paused; it is not owed"
        raise BadInput(msg)
    return day


def occurrences_owed(
    plan: Plan,
    marks: Sequence[Mark],
    intervals: Sequence[Interval],
    first: date | None,
    last: date,
) -> list[date]:
    """The uncovered, unexcused occurrences from `first` (the next due) to `last`, inclusive."""
    if first is None or first > last:
        return []
    if plan.rule is None or plan.after_done:
        return [first]
    from handoff_cli.schedule import series

    s = series(plan.rule, plan.start)
    done = covered(marks)
    found: list[date] = []
    day: date | None = first
    for _ in range(MAX_STEPS):
        if day is None or day > last:
            break
        pause = _excusing(day, intervals)
        if pause is not None:
            if pause[1] is None:
                break
            day = s.first_from(pause[1])
            continue
        if day not in done:
            found.append(day)
        day = s.first_from_after(day)
    return found


def missed(
    plan: Plan,
    marks: Sequence[Mark],
    intervals: Sequence[Interval],
    due: date | None,
    as_of: date,
) -> int:
    """How many owed occurrences fall strictly before `as_of` (one due today is not missed)."""
    if due is None or due >= as_of:
        return 0
    if plan.rule is None:
        return 1
    before = _day_before(as_of)
    if plan.after_done:
        from handoff_cli.schedule import series

        return series(plan.rule, plan.start).count_steps(due, before)
    return len(occurrences_owed(plan, marks, intervals, due, before))


def _day_before(day: date) -> date:
    from datetime import timedelta

    return day - timedelta(days=1)


def irregular(
    plan: Plan, marks: Sequence[Mark], intervals: Sequence[Interval], due: date | None
) -> bool:
    """Whether counting what is missed needs more than the rule's arithmetic.

    True when a mark covers an occurrence after the next due (`done --for`, a
    colleague's early done) or a pause ends after it: then `missed` must look
    at the marks and pauses; otherwise the count is plain arithmetic on the rule.
    """
    if due is None or plan.rule is None:
        return False
    if any(day > due for m in marks for day in m.covers):
        return True
    return any(end is None or end > due for _, end in intervals)


# ---------------------------------------------------------------------------- words


def day_list(days: Sequence[date], *, limit: int = 6) -> str:
    """'Sep 30, Oct 31, Nov 30' (with the year when it is not the same for all)."""
    if not days:
        return "nothing"
    one_year = len({d.year for d in days}) == 1
    shown = [f"{d:%b} {d.day}" if one_year else f"{d:%b} {d.day} {d.year}" for d in days]
    if len(shown) > limit:
        return f"{len(shown)} occurrences, {shown[0]} to {shown[-1]}"
    return ", ".join(shown)
