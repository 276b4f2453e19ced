"""Missed occurrences of the common rule shapes, by arithmetic on day numbers. Pure.

`handoff due` says "missed 3" beside an overdue promise: how many of its
occurrences from its next due day up to yesterday are not covered
(`schedule.missed`). Listing ten thousand overdue promises (`due --team`,
issue 13), building a `schedule` series for each cost 27 µs apiece and loaded
the rule machinery (dataclasses, dateutil-free but heavy) at start-up. The
shapes nearly every promise has are counted here in a few integer operations,
with nothing imported; any other rule is left to `schedule.missed` (the
caller's fallback), and tests/test_missed.py checks the two agree.

The shapes, as `rules` writes them (canonical strings, no COUNT or UNTIL):

- ``FREQ=DAILY[;INTERVAL=n]``
- ``FREQ=WEEKLY[;INTERVAL=n];BYDAY=XX`` (one weekday)
- ``FREQ=MONTHLY[;INTERVAL=n];BYMONTHDAY=d`` (1 <= d <= 28: every month has it)
- ``FREQ=MONTHLY[;INTERVAL=n];BYMONTHDAY=28,...,d;BYSETPOS=-1`` (29 <= d <= 31: day d,
  or the month's last day when it is shorter; what a monthly promise started on the
  29th to the 31st gets)

Days are ordinals (`date.toordinal()`; the ordinal 1, 0001-01-01, is a Monday).
The counting follows `schedule._Arithmetic`: periods numbered from the
start's, the active ones every INTERVAL-th, `rank(day)` the occurrences on or
before `day`.
"""

from __future__ import annotations

from datetime import date

_CODES = {"MO": 0, "TU": 1, "WE": 2, "TH": 3, "FR": 4, "SA": 5, "SU": 6}
MAX_INTERVAL = 1000  # rules.MAX_INTERVAL: a larger one is no rule `rules` accepts

# kind ("D" daily, "W" weekly, "M" monthly on a day, "E" monthly on a day or the month's
# end), interval, and the weekday (Monday 0) or the day of the month
Shape = tuple[str, int, int]
_ENDS = {f"BYMONTHDAY={','.join(map(str, range(28, d + 1)))};BYSETPOS=-1": d for d in (29, 30, 31)}


def shape(rule: str) -> Shape | None:
    """The common shape of a canonical rule string, or None for any other rule."""
    freq, _, rest = rule.partition(";")
    interval = 1
    if rest.startswith("INTERVAL="):
        text, _, rest = rest[9:].partition(";")
        if not (text.isascii() and text.isdigit() and 1 <= int(text) <= MAX_INTERVAL):
            return None
        interval = int(text)
    if freq == "FREQ=DAILY":
        return ("D", interval, 0) if not rest else None
    if freq == "FREQ=WEEKLY":
        code = rest[6:] if rest.startswith("BYDAY=") else ""
        return ("W", interval, _CODES[code]) if code in _CODES else None
    if freq == "FREQ=MONTHLY" and rest.startswith("BYMONTHDAY="):
        day = rest[11:]
        if day.isascii() and day.isdigit() and 1 <= int(day) <= 28:
            return ("M", interval, int(day))
        if rest in _ENDS:
            return ("E", interval, _ENDS[rest])
    return None


def _month(ordinal: int) -> tuple[int, int]:
    """(month index: year * 12 + month - 1, day of the month) of a day's ordinal."""
    d = date.fromordinal(ordinal)
    return d.year * 12 + d.month - 1, d.day


def missed(
    found: Shape, start: int, next_due: int, before: int, *, after_done: bool = False
) -> int:
    """`schedule.missed(rule, next_due, before, after_done=..., start=start)` for a rule
    of shape `found` (from `shape`), the days as ordinals, `next_due <= before`."""
    kind, n, at = found
    if after_done:  # next_due, next_due + one interval, ... up to `before`
        if kind == "D":
            return (before - next_due) // n + 1
        if kind == "W":
            return (before - next_due) // (7 * n) + 1
        (due_month, due_day), (last_month, last_day) = _month(next_due), _month(before)
        steps, rest = divmod(last_month - due_month, n)
        # The step that lands in `before`'s month falls on next_due's day of the month,
        # or on that month's last day when it is shorter.
        return steps + 1 - (rest == 0 and min(due_day, _length(last_month)) > last_day)
    if before < max(next_due, start):
        return 0
    if kind == "D":
        low = 0 if next_due <= start else (next_due - 1 - start) // n + 1
        return (before - start) // n + 1 - low
    if kind == "W":
        weekday = (start + 6) % 7  # the start's; Monday is 0
        week0 = start - weekday  # the Monday of the start's week
        if next_due > start:
            low = _rank_weekly(next_due - 1, week0, n, at)
        else:  # the occurrences of the start's week before the start
            low = int(at < weekday)
        return max(0, _rank_weekly(before, week0, n, at) - low)
    end = kind == "E"  # on day `at`, or on the month's last day when it is shorter
    base, start_day = _month(start)
    if next_due > start:
        month, day = _month(next_due - 1)
        low = _rank_monthly(month - base, n, (min(at, _length(month)) if end else at) <= day)
    elif start_day == 1:
        low = 0
    else:  # the start's month's occurrence, if it came before the start
        low = int((min(at, _length(base)) if end else at) < start_day)
    month, day = _month(before)
    reached = (min(at, _length(month)) if end else at) <= day
    return max(0, _rank_monthly(month - base, n, reached) - low)


def _length(month: int) -> int:
    """The number of days in month index `month`."""
    year, month0 = divmod(month, 12)
    if month0 == 1:
        return 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28
    return (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)[month0]


def _rank_weekly(day: int, week0: int, n: int, weekday: int) -> int:
    """Occurrences on or before `day` (>= week0) counted from the start's week."""
    period, into = divmod(day - week0, 7)
    steps, rest = divmod(period, n)
    return steps + (1 if rest else int(weekday <= into))


def _rank_monthly(period: int, n: int, reached: bool) -> int:
    """Occurrences up to a day in month `period` (from the start's) whose day of the
    month is `reached` or not yet."""
    if period < 0:
        return 0
    steps, rest = divmod(period, n)
    return steps + (1 if rest else int(reached))
