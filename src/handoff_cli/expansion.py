"""RFC 5545 expansion of one rule, year by year, within a step budget. Pure: no I/O, no clock.

`schedule` answers the common rule shapes by arithmetic; every other rule is
walked here. The walk gives the same occurrences as dateutil's rrule with the
same DTSTART (the tests check this against dateutil), but does its work in
steps it can count, so no rule can make it search for long:

- The days of a year that pass the rule's BY filters (before BYSETPOS and
  INTERVAL) are worked out from the most selective part of the rule:
  BYMONTHDAY=29;BYMONTH=2 looks at one day a year, not 366. The Gregorian
  calendar repeats every 400 years, weekdays included, so each rule works out
  at most 400 years, and a long walk skips the years that have no such day
  (and ends at once when no year has one).
- Steps are spent as the work is done: `YEAR_STEPS` for each year looked at,
  one for each day in it, and, the first time a walk meets a year of the
  400-year cycle, what working out its days cost. A step is about a quarter
  of a microsecond. A walk given a `Budget` stops quietly when the budget is
  spent; `Budget.ran_out` then tells that it ended early, not with the rule.

dateutil's own expansion looks at every day (or week, month) in turn until one
matches: FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30 takes it seconds to give up.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterator, Sequence
from datetime import date
from functools import lru_cache

from handoff_cli.rules import Rule

__all__ = ["Budget", "walk", "year_days"]

_CUM = (
    (0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365),
    (0, 31, 60, 91, 121, 152, 182, 213, 244, 274, 305, 335, 366),
)
_LAST_ORDINAL = date.max.toordinal()
_CYCLE = 400  # years after which the Gregorian calendar repeats


class Budget:
    """How many steps a computation may spend. `spend` says False once they are spent."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.steps = 0  # spent so far, over every refill
        self.ran_out = False

    def refill(self, steps: int) -> None:
        """Allow ``steps`` more from here (each question a series answers gets its own)."""
        self.limit = self.steps + steps
        self.ran_out = False

    def spend(self, steps: int = 1) -> bool:
        self.steps += steps
        if self.steps > self.limit:
            self.ran_out = True
            return False
        return True


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def _jan1(year: int) -> int:
    """The ordinal of January 1st of ``year`` (valid for any integer year)."""
    y = year - 1
    return 365 * y + y // 4 - y // 100 + y // 400 + 1


def _year_of(ordinal: int) -> int:
    return date.fromordinal(ordinal).year


# --------------------------------------------------------------------------- one year


def year_days(rule: Rule, year: int) -> tuple[tuple[int, ...], int]:
    """The days of ``year`` (0 = January 1st) that pass the rule's BY filters, and the cost.

    BYSETPOS and INTERVAL are not applied here: they depend on the period. The
    cost is what working the year out takes, in steps: a fixed part and one a
    candidate day looked at (a walk pays it the first time it meets the year).
    Only ``year % 400`` matters, so each rule works out at most 400 years.
    """
    return _filter(rule).days(year)


@lru_cache(maxsize=1024)
def _filter(rule: Rule) -> _Filter:
    return _Filter(rule)


# What working out one year's days costs, besides one step a candidate day.
_YEAR_SETUP_STEPS = 16


class _Filter:
    """A rule's BY parts, ready to pick the days of any year (remembered by year % 400)."""

    def __init__(self, rule: Rule) -> None:
        self.rule = rule
        numbered = rule.freq in ("MONTHLY", "YEARLY")
        self.months: Sequence[int] = rule.bymonth or range(1, 13)
        self.by_month = frozenset(rule.bymonth)
        self.plain = frozenset(wd for wd, n in rule.byday if n == 0 or not numbered)
        self.nth = tuple((wd, n) for wd, n in rule.byday if n != 0 and numbered)
        self.pos_days = frozenset(d for d in rule.bymonthday if d > 0)
        self.neg_days = frozenset(d for d in rule.bymonthday if d < 0)
        self.yeardays = frozenset(rule.byyearday)
        self._known: dict[int, tuple[tuple[int, ...], int]] = {}
        self._ahead: list[int] | None = None

    def days(self, year: int) -> tuple[tuple[int, ...], int]:
        residue = year % _CYCLE
        found = self._known.get(residue)
        if found is None:
            found = self._known[residue] = self._days(2000 + residue)
        return found

    def ahead(self) -> list[int]:
        """For each year % 400, how many years later the next year with a day comes
        (0: this one). Empty when no year has one. Works out all 400 years."""
        if self._ahead is None:
            full = [bool(self.days(2000 + r)[0]) for r in range(_CYCLE)]
            ahead = []
            if any(full):
                for r in range(_CYCLE):
                    k = 0
                    while not full[(r + k) % _CYCLE]:
                        k += 1
                    ahead.append(k)
            self._ahead = ahead
        return self._ahead

    def _days(self, year: int) -> tuple[tuple[int, ...], int]:
        rule = self.rule
        leap = _leap(year)
        ylen = 366 if leap else 365
        cum = _CUM[leap]
        wd1 = (_jan1(year) + 6) % 7  # weekday of January 1st, Monday = 0
        months, plain = self.months, self.plain
        nth_days = _nth_weekdays(rule, self.nth, cum, ylen, wd1) if self.nth else None
        weekno_days = _weekno_days(rule, year, ylen, wd1) if rule.byweekno else None

        # Candidates from the most selective part; every part is then checked below.
        candidates: list[int]
        if rule.byyearday:
            candidates = [v - 1 if v > 0 else ylen + v for v in rule.byyearday if abs(v) <= ylen]
        elif rule.bymonthday:
            candidates = []
            for m in months:
                first, end = cum[m - 1], cum[m]
                length = end - first
                for d in rule.bymonthday:
                    if abs(d) <= length:
                        candidates.append(first + d - 1 if d > 0 else end + d)
        elif weekno_days is not None:
            candidates = sorted(weekno_days)
        elif nth_days is not None:
            candidates = sorted(nth_days)
        elif plain:
            candidates = []
            spans = [(cum[m - 1], cum[m]) for m in months] if rule.bymonth else [(0, ylen)]
            for first, end in spans:
                for wd in plain:
                    candidates.extend(range(first + (wd - wd1 - first) % 7, end, 7))
        else:
            candidates = [i for m in months for i in range(cum[m - 1], cum[m])]

        by_month, pos_days, neg_days, yeardays = (
            self.by_month,
            self.pos_days,
            self.neg_days,
            self.yeardays,
        )
        found = set()
        for i in candidates:
            if by_month and bisect_right(cum, i) not in by_month:
                continue
            if weekno_days is not None and i not in weekno_days:
                continue
            if plain and (wd1 + i) % 7 not in plain:
                continue
            if nth_days is not None and i not in nth_days:
                continue
            if pos_days or neg_days:
                m = bisect_right(cum, i)
                mday = i - cum[m - 1] + 1
                if mday not in pos_days and mday - (cum[m] - cum[m - 1]) - 1 not in neg_days:
                    continue
            if yeardays and i + 1 not in yeardays and i - ylen not in yeardays:
                continue
            found.add(i)
        extra = len(weekno_days or ()) + len(self.nth) * (1 if rule.freq == "YEARLY" else 12)
        return tuple(sorted(found)), _YEAR_SETUP_STEPS + len(candidates) + extra


def _nth_weekdays(
    rule: Rule, nth: tuple[tuple[int, int], ...], cum: tuple[int, ...], ylen: int, wd1: int
) -> set[int]:
    """Days that are the n-th given weekday of their month (MONTHLY, or YEARLY with
    BYMONTH) or of the year (YEARLY without BYMONTH), as dateutil counts them."""
    if rule.freq == "YEARLY" and not rule.bymonth:
        spans = [(0, ylen)]
    else:
        spans = [(cum[m - 1], cum[m]) for m in (rule.bymonth or range(1, 13))]
    days = set()
    for first, end in spans:
        last = end - 1
        for wd, n in nth:
            if n > 0:
                i = first + (n - 1) * 7
                i += (7 - (wd1 + i) % 7 + wd) % 7
            else:
                i = last + (n + 1) * 7
                i -= ((wd1 + i) % 7 - wd) % 7
            if first <= i <= last:
                days.add(i)
    return days


def _weekno_days(rule: Rule, year: int, ylen: int, wd1: int) -> set[int]:
    """Days in the BYWEEKNO weeks of ``year`` (weeks start on WKST; week 1 has 4+ days).

    Follows dateutil's `_iterinfo.rebuild` step by step, quirks included, so the
    two agree on every rule.
    """
    wkst = rule.wkst
    weeks = rule.byweekno
    days: set[int] = set()

    def mark_week(i: int) -> None:
        for _ in range(7):
            days.add(i)
            i += 1
            if (wd1 + i) % 7 == wkst:
                break

    no1wkst = firstwkst = (7 - wd1 + wkst) % 7
    if no1wkst >= 4:
        no1wkst = 0
        wyearlen = ylen + (wd1 - wkst) % 7
    else:
        wyearlen = ylen - no1wkst
    div, mod = divmod(wyearlen, 7)
    numweeks = div + mod // 4
    for n in weeks:
        if n < 0:
            n += numweeks + 1
        if not 0 < n <= numweeks:
            continue
        if n > 1:
            i = no1wkst + (n - 1) * 7
            if no1wkst != firstwkst:
                i -= 7 - firstwkst
        else:
            i = no1wkst
        mark_week(i)
    if 1 in weeks:  # week 1 of next year may start in this one
        i = no1wkst + numweeks * 7
        if no1wkst != firstwkst:
            i -= 7 - firstwkst
        if i < ylen:
            mark_week(i)
    if no1wkst:  # this year's first days may be in last year's last week
        if -1 not in weeks:
            lyearlen = 366 if _leap(year - 1) else 365
            lyearweekday = (wd1 - lyearlen) % 7
            lno1wkst = (7 - lyearweekday + wkst) % 7
            if lno1wkst >= 4:
                lnumweeks = 52 + (lyearlen + (lyearweekday - wkst) % 7) % 7 // 4
            else:
                lnumweeks = 52 + (ylen - no1wkst) % 7 // 4
        else:
            lnumweeks = -1
        if lnumweeks in weeks:
            days.update(range(no1wkst))
    return {i for i in days if i < ylen}


# --------------------------------------------------------------------------- the walk


def walk(rule: Rule, start: date, frm: date, budget: Budget) -> Iterator[date]:
    """The occurrences d >= ``frm`` of ``rule`` expanded from ``start``, in order.

    As dateutil's ``rrule(..., dtstart=start)``: occurrences before ``start``
    are not counted, UNTIL and COUNT end the walk (COUNT counts from
    ``start``). Ends early, quietly, when ``budget`` is spent.
    """
    s = start.toordinal()
    f = max(frm, start).toordinal()
    until = _LAST_ORDINAL if rule.until is None else rule.until.toordinal()
    left = rule.count
    for chunk in _chunks(rule, start, s if left is not None else f, budget):
        if left is None and chunk[0] >= f and chunk[-1] <= until:
            for o in chunk:  # the common case, kept lean
                yield date.fromordinal(o)
            continue
        for o in chunk:
            if o < s:
                continue
            if o > until:
                return
            if left is not None:
                left -= 1
                if left < 0:
                    return
            if o >= f:
                yield date.fromordinal(o)


def _pick(group: list[int], setpos: tuple[int, ...]) -> list[int]:
    """BYSETPOS within one period (1 = first, -1 = last), as dateutil picks."""
    picked = set()
    for pos in setpos:
        i = pos - 1 if pos > 0 else pos
        if -len(group) <= i < len(group):
            picked.add(group[i])
    return sorted(picked)


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


YEAR_STEPS = 8  # what looking at one year costs, besides one step a day in it


def _chunks(rule: Rule, start: date, low: int, budget: Budget) -> Iterator[list[int]]:
    """The days (ordinals) of active periods that pass the BY filters and BYSETPOS, in order.

    Begins with the whole period holding day ``low`` (BYSETPOS picks from whole
    periods). Periods are numbered from the start's (0); the active ones are
    the multiples of INTERVAL. A weekly period 0 begins on the start itself,
    as dateutil's does. Chunks are never empty; without BYSETPOS a chunk is a
    year's worth, with it one period.
    """
    n = rule.interval
    s = start.toordinal()
    freq = rule.freq
    setpos = rule.bysetpos
    if freq == "DAILY" and setpos:  # a day's set has one member: only 1 and -1 pick it
        if not {1, -1} & set(setpos):
            return
        setpos = ()
    week0 = s - (start.weekday() - rule.wkst) % 7  # first day of the start's week
    month0 = start.year * 12 + start.month - 1
    if freq == "WEEKLY":
        low = max(s, low - (low - week0) % 7)
    elif freq == "MONTHLY":
        low = date.fromordinal(low).replace(day=1).toordinal()
    elif freq == "YEARLY":
        low = _jan1(_year_of(low))
    filt = _filter(rule)
    seen: set[int] = set()  # the years (% 400) this walk has paid to work out
    ahead: list[int] | None = None  # once known: years to the next one with a day
    looked = empty_run = 0  # years looked at; in a row with no day passing the filters
    year: int | None = _year_of(low)
    week: list[int] = []  # the period being gathered (a week may cross a new year)
    week_id = -1
    while year is not None:
        year = _next_active_year(rule, start, week0, month0, year)
        if year is None:
            break
        if ahead is None and (empty_run >= 8 or looked >= 64):  # a long walk: skip empty years
            for r in range(_CYCLE):
                if r not in seen and not budget.spend(filt.days(2000 + r)[1]):
                    return
            seen.update(range(_CYCLE))
            ahead = filt.ahead()
            if not ahead:
                break  # the calendar repeats every 400 years: no year will have such a day
        if ahead is not None and ahead[year % _CYCLE]:
            if not budget.spend():
                return
            year += ahead[year % _CYCLE]
            continue
        days, cost = filt.days(year)
        if year % _CYCLE in seen:
            cost = 0
        seen.add(year % _CYCLE)
        jan1 = _jan1(year)
        begin = bisect_left(days, low - jan1) if jan1 <= low else 0
        if not budget.spend(YEAR_STEPS + cost + len(days) - begin):
            return
        looked += 1
        empty_run = 0 if days else empty_run + 1
        if freq == "YEARLY" or (n == 1 and not setpos):
            found = [jan1 + i for i in days[begin:]]
            if setpos:
                found = _pick(found, setpos)
            if found:
                yield found
        elif freq == "MONTHLY":
            cum = _CUM[_leap(year)]
            base = year * 12 - 1 - month0  # + month: the period number
            found = []
            for i in days[begin:]:
                m = bisect_right(cum, i)
                if (base + m) % n:
                    continue
                if setpos and m != week_id and week:
                    picked = _pick(week, setpos)
                    if picked:
                        yield picked
                    week = []
                week_id = m
                (week if setpos else found).append(jan1 + i)
            if week:  # a month ends with its year
                picked = _pick(week, setpos)
                week = []
                if picked:
                    yield picked
            if found:
                yield found
        elif freq == "DAILY":
            found = [jan1 + i for i in days[begin:] if (jan1 + i - s) % n == 0]
            if found:
                yield found
        elif not setpos:
            found = [jan1 + i for i in days[begin:] if (jan1 + i - week0) // 7 % n == 0]
            if found:
                yield found
        else:
            for i in days[begin:]:
                o = jan1 + i
                w = (o - week0) // 7
                if w % n:
                    continue
                if w != week_id and week:
                    picked = _pick(week, setpos)
                    if picked:
                        yield picked
                    week = []
                week_id = w
                week.append(o)
        year = year + 1 if year < 9999 else None
    if week and not budget.ran_out:  # the last week, cut by the end of the calendar
        picked = _pick(week, setpos)
        if picked:
            yield picked


def _next_active_year(rule: Rule, start: date, week0: int, month0: int, year: int) -> int | None:
    """The first year from ``year`` on that holds a day of an active period (None: none)."""
    n = rule.interval
    if n == 1:
        return year if year <= 9999 else None
    if rule.freq == "YEARLY":
        found = start.year + max(0, _ceil_div(year - start.year, n)) * n
    elif rule.freq == "MONTHLY":
        found = (month0 + max(0, _ceil_div(year * 12 - month0, n)) * n) // 12
    else:
        jan1 = _jan1(year)
        if rule.freq == "WEEKLY":  # the first active week that ends on or after January 1st
            first = week0 + 7 * n * max(0, _ceil_div(jan1 - 6 - week0, 7 * n))
        else:
            s = start.toordinal()
            first = s + n * max(0, _ceil_div(jan1 - s, n))
        if first > _LAST_ORDINAL:
            return None
        found = max(year, _year_of(max(first, 1)))
    return found if found <= 9999 else None
