"""The due maths: next due, missed occurrences, status. Pure: no I/O, no clock.

A recurring promise's occurrences are its rule expanded from its start. Rules
are canonical (see `rules`): every BY part dateutil would infer from DTSTART is
explicit, so the series seen from the start of any *active* period (one the
INTERVAL lands on) continues exactly like the series from the start. Nothing
here therefore expands years of occurrences:

- the common shapes (daily; weekly on given days; monthly or yearly on one day,
  the last day or the first..fourth/last weekday) are found by arithmetic, in
  O(1) whatever the distance from the start;
- everything else is walked by `expansion` from the period of the day asked
  about, one cursor per computation. COUNT rules count from the start, so they
  alone are walked from the start.

Bounded work. `promise` and `modify` accept only rules that `check_rule_cost`
passes (a start from 1900 on, an occurrence within ten years of it), but a rule
that came in a bundle may be anything, and no promise may make `due` slow. So
every question a series answers (the first occurrence from a day, the
occurrences or their number between two days) may spend at most `STEP_BUDGET`
steps (see `expansion`: a year looked at, a day in it): about ten milliseconds
at most. That looks ahead at least 35 years for any rule, 50 for one that falls
on every day, and thousands of years for a sparse one (a rule whose days never
exist, like February 30, is found out at once); a COUNT rule is walked from its
start, so for it the years count from there. When the budget runs out the
answer is cut short, and this is what it means:

- a search finds no further occurrence: the rule is taken to have ended there,
  as COUNT or UNTIL would end it (`next_due` None; an import marks the promise
  done);
- a count is the occurrences found so far, a lower bound (`missed` too);
- a list holds the first occurrences only.

The series says so (`gave_up`), for callers that want to show it. Rules that
`check_rule_cost` accepts fall due within ten years of their start; one whose
later occurrences are decades apart as well as costly to find is the only kind
this can cut short in a promise's lifetime.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date, timedelta

from handoff_cli.errors import BadInput
from handoff_cli.expansion import Budget, walk
from handoff_cli.rules import Rule, complete, load_rule

__all__ = [
    "STEP_BUDGET",
    "Series",
    "advance",
    "after_done_ended",
    "check_rule_cost",
    "count_between",
    "first_due",
    "missed",
    "next_due",
    "occurrences_between",
    "series",
    "status",
]

_DAY = timedelta(days=1)
STEP_BUDGET = 40_000  # steps one question about one promise may take (see above)
EARLIEST_START = date(1900, 1, 1)  # `promise` refuses recurring starts before this
_MONTH_MIN = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


# --------------------------------------------------------------------------- public API


def first_due(rule: str | None, start: date) -> date:
    """The first occurrence on or after start (a one-off is due on its start)."""
    if rule is None:
        return start
    first = _series(rule, start).first_from(start)
    if first is None:
        msg = f"the rule {rule} has no occurrence on or after {start.isoformat()}"
        raise BadInput(msg)
    return first


def next_due(
    rule: str | None,
    start: date,
    done_days: Sequence[date],
    *,
    after_done: bool = False,
    resumed_on: date | None = None,
) -> date | None:
    """The next due date given the calendar days of all completions (any order).

    One-off: ``start`` until any completion exists, then None. Recurring: from the
    first occurrence on or after start, each completion day d (in day order)
    moves it: with ``after_done`` to d plus one interval; else, done on or after
    the next due (catching up) to the first occurrence after d; done early to the
    occurrence after the one it covered. Resuming on ``resumed_on`` skips the
    occurrences before that day (with ``after_done`` the promise is due on the
    day it resumed); completions on or after that day count from there. None
    once the rule has no further occurrence (COUNT or UNTIL reached).
    """
    if rule is None:
        return None if done_days else start
    series = _series(rule, start)
    due = series.first_from(start)
    pending_resume = resumed_on
    for day in sorted(done_days):
        if due is None:
            return None
        if pending_resume is not None and day >= pending_resume:
            due = _resume(series, due, pending_resume, after_done)
            pending_resume = None
            if due is None:
                return None
        due = _advance(series, due, day, after_done)
    if pending_resume is not None and due is not None:
        due = _resume(series, due, pending_resume, after_done)
    return due


def advance(
    rule: str | None,
    start: date,
    current_next: date | None,
    done_day: date,
    *,
    after_done: bool = False,
) -> date | None:
    """The next due after one more completion on ``done_day``, given the current next due.

    Agrees with `next_due` for a completion on or after every earlier one (and on
    or after the day the promise resumed, if it did).
    """
    if rule is None or current_next is None:
        return None
    return _advance(_series(rule, start), current_next, done_day, after_done)


def missed(
    rule: str | None,
    next_due: date | None,
    as_of: date,
    *,
    after_done: bool = False,
    start: date | None = None,
) -> int:
    """How many occurrences due on or before ``as_of`` are not covered.

    That is the occurrences in [next_due, as_of] (with ``after_done``: next_due,
    next_due + one interval, ...). A one-off counts 1 once due. Pass the
    promise's ``start`` for COUNT rules (they count from it); without it the
    series is taken to start at ``next_due``.
    """
    if next_due is None or next_due > as_of:
        return 0
    if rule is None:
        return 1
    series = _series(rule, next_due if start is None else start)
    if after_done:
        return series.count_steps(next_due, as_of)
    return series.count_between(next_due, as_of)


def status(next_due: date, as_of: date, within: int) -> str | None:
    """'overdue', 'today', 'upcoming' (due within ``within`` days) or None (later)."""
    days = (next_due - as_of).days
    if days < 0:
        return "overdue"
    if days == 0:
        return "today"
    if days <= within:
        return "upcoming"
    return None


def occurrences_between(rule: str, start: date, after: date, until: date) -> list[date]:
    """The occurrences d of the rule from ``start`` with after <= d <= until.

    At most what the step budget allows (for the common shapes: `STEP_BUDGET`
    of them); see the module's notes.
    """
    return _series(rule, start).between(after, until)


def count_between(rule: str, start: date, after: date, until: date) -> int:
    """How many occurrences d of the rule from ``start`` have after <= d <= until.

    Arithmetic for the common shapes; otherwise counted within the step budget
    (a lower bound if it runs out).
    """
    return _series(rule, start).count_between(after, until)


# --------------------------------------------------------------------------- rules that cost


def check_rule_cost(rule: str | None, start: date) -> None:
    """Refuse (BadInput) a recurring rule whose occurrences cannot be found quickly.

    For `promise` and `modify`: the start must be in 1900 or later, and the rule
    must have an occurrence within ten years of it. A one-off (``rule`` None)
    always passes. Promises that arrive by import or sync are not checked;
    the step budget bounds what they cost.
    """
    if rule is None:
        return
    if start < EARLIEST_START:
        msg = (
            f"a recurring promise must start in {EARLIEST_START.year} or later, "
            f"not {start.isoformat()}; give --start a later day"
        )
        raise BadInput(msg)
    horizon = _add_months(start, 120) or date.max
    first = _series(rule, start).first_from(start)
    if first is None or first > horizon:
        msg = (
            f"the rule {rule} has no occurrence in the ten years from {start.isoformat()}; "
            "a promise's rule must fall due within ten years of its start"
        )
        raise BadInput(msg)


def after_done_ended(rule: str, *, completions: int, day: date | None = None) -> bool:
    """Whether an --after-done rule has run its course.

    True when ``completions`` completions use up its COUNT ("weekly, 3 times"
    is over after the third), or when ``day`` (the next due date it would
    have) is past its UNTIL.
    """
    r = load_rule(rule)
    if r.count is not None and completions >= r.count:
        return True
    return day is not None and r.until is not None and day > r.until


# --------------------------------------------------------------------------- the steps


def _advance(series: _Series, due: date, day: date, after_done: bool) -> date | None:
    if after_done:
        return series.plus_step(day)
    if day >= due:  # on time or late: covers every occurrence up to that day
        return series.first_from_after(day)
    return series.first_from_after(due)  # early: covers the next due only


def _resume(series: _Series, due: date, resumed_on: date, after_done: bool) -> date | None:
    if due >= resumed_on:
        return due
    if after_done:
        return series.cap(resumed_on)
    return series.first_from(resumed_on)


# --------------------------------------------------------------------------- calendar helpers


def _month_len(year: int, month: int) -> int:
    if month == 2 and year % 4 == 0 and (year % 100 != 0 or year % 400 == 0):
        return 29
    return _MONTH_MIN[month - 1]


def _add_months(day: date, months: int) -> date | None:
    """``day`` moved by whole months, on the month's last day when it is shorter."""
    total = day.year * 12 + day.month - 1 + months
    year, month0 = divmod(total, 12)
    if not 1 <= year <= 9999:
        return None
    return date(year, month0 + 1, min(day.day, _month_len(year, month0 + 1)))


def _add_days(day: date, days: int) -> date | None:
    try:
        return day + timedelta(days=days)
    except OverflowError:
        return None


def _month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


# --------------------------------------------------------------------------- series


def _series(rule: str, start: date) -> _Series:
    r = complete(load_rule(rule), start)
    return _Arithmetic.make(r, start) or _Expanded(r, start)


def series(rule: str, start: date) -> Series:
    """The occurrences of `rule` from `start`, answered without expanding them all."""
    return _series(rule, start)


class _Series:
    """The occurrences of one rule from one start, answered without full expansion."""

    rule: Rule

    def __init__(self, rule: Rule, start: date) -> None:
        self.rule = rule
        self.start = start
        self.until = rule.until
        self.budget = Budget(STEP_BUDGET)  # refilled for each question asked
        self.gave_up = False  # whether any answer was cut short by the budget

    def first_from(self, day: date) -> date | None:  # first occurrence >= day
        raise NotImplementedError

    def between(self, after: date, until: date) -> list[date]:
        raise NotImplementedError

    def count_between(self, after: date, until: date) -> int:
        return len(self.between(after, until))

    def first_from_after(self, day: date) -> date | None:  # first occurrence > day
        following = _add_days(day, 1)
        return None if following is None else self.first_from(following)

    def cap(self, day: date | None) -> date | None:
        """``day``, or None past UNTIL."""
        if day is None or (self.until is not None and day > self.until):
            return None
        return day

    def plus_step(self, day: date, steps: int = 1) -> date | None:
        """``day`` plus ``steps`` intervals (--after-done), None past UNTIL."""
        n = self.rule.interval * steps
        if self.rule.freq == "DAILY":
            return self.cap(_add_days(day, n))
        if self.rule.freq == "WEEKLY":
            return self.cap(_add_days(day, 7 * n))
        return self.cap(_add_months(day, n * (12 if self.rule.freq == "YEARLY" else 1)))

    def count_steps(self, first: date, as_of: date) -> int:
        """How many of first, first + one interval, ... fall on or before as_of (and UNTIL)."""
        end = as_of if self.until is None else min(as_of, self.until)
        if first > end:
            return 0
        n = self.rule.interval
        if self.rule.freq in ("DAILY", "WEEKLY"):
            length = n * (7 if self.rule.freq == "WEEKLY" else 1)
            return (end - first).days // length + 1
        per_step = n * (12 if self.rule.freq == "YEARLY" else 1)
        k = (_month_index(end) - _month_index(first)) // per_step
        last = _add_months(first, k * per_step)
        if last is None or last > end:
            k -= 1
        return k + 1


class _Arithmetic(_Series):
    """Rules with the same number of occurrences in every active period, at known places.

    Periods are numbered from the start's (0); the active ones are multiples of
    INTERVAL. ``_occ(p, i)`` is the i-th occurrence in period p and ``_pidx(d)``
    the period of day d, so the occurrences form one sorted sequence indexed by
    j = (p / INTERVAL) * per_period + i, and ``_rank(d)`` counts those <= d.
    """

    per_period: int

    @classmethod
    def make(cls, rule: Rule, start: date) -> _Arithmetic | None:
        for kind in (_Daily, _Weekly, _MonthDay):
            if kind.fits(rule):
                return kind(rule, start)
        return None

    @staticmethod
    def fits(rule: Rule) -> bool:
        raise NotImplementedError

    def __init__(self, rule: Rule, start: date) -> None:
        super().__init__(rule, start)
        before = _add_days(start, -1)
        self.skipped = 0 if before is None else self._rank(before)  # occurrences before start
        self.last_index: int | None = None  # index of the last occurrence under COUNT
        if rule.count is not None:
            self.last_index = self.skipped + rule.count - 1

    def _pidx(self, day: date) -> int:
        raise NotImplementedError

    def _occ(self, period: int, i: int) -> date | None:
        raise NotImplementedError

    def _rank(self, day: date) -> int:
        """How many occurrences of the active periods (from period 0 on) fall on or before day."""
        period = self._pidx(day)
        if period < 0:
            return 0
        k, rest = divmod(period, self.rule.interval)
        if rest:
            return (k + 1) * self.per_period
        rank = k * self.per_period
        for i in range(self.per_period):
            occ = self._occ(period, i)
            if occ is None or occ > day:
                break
            rank += 1
        return rank

    def _at(self, j: int) -> date | None:
        if self.last_index is not None and j > self.last_index:
            return None
        k, i = divmod(j, self.per_period)
        return self.cap(self._occ(k * self.rule.interval, i))

    def _index_from(self, day: date) -> int:
        """Index of the first occurrence >= day (and >= start)."""
        if day <= self.start:
            return self.skipped
        before = _add_days(day, -1)
        return self.skipped if before is None else self._rank(before)

    def first_from(self, day: date) -> date | None:
        return self._at(self._index_from(day))

    def first_from_after(self, day: date) -> date | None:
        # occurrences <= day number rank(day); those before start, `skipped`
        return self._at(max(self.skipped, self._rank(day)))

    def _bounds(self, after: date, until: date) -> tuple[int, int]:
        if self.until is not None:
            until = min(until, self.until)
        if until < max(after, self.start):
            return 0, 0
        lo = self._index_from(after)
        hi = self._rank(until)
        if self.last_index is not None:
            hi = min(hi, self.last_index + 1)
        return lo, max(lo, hi)

    def count_between(self, after: date, until: date) -> int:
        lo, hi = self._bounds(after, until)
        return hi - lo

    def between(self, after: date, until: date) -> list[date]:
        lo, hi = self._bounds(after, until)
        self.budget.refill(STEP_BUDGET)
        if not self.budget.spend(hi - lo):  # one step per occurrence listed
            hi = lo + STEP_BUDGET
            self.gave_up = True
        found = (self._at(j) for j in range(lo, hi))
        return [day for day in found if day is not None]


class _Daily(_Arithmetic):
    """FREQ=DAILY with no BY parts: start, start + INTERVAL days, ..."""

    per_period = 1

    @staticmethod
    def fits(rule: Rule) -> bool:
        return rule.freq == "DAILY" and not rule.has_by_parts

    def _pidx(self, day: date) -> int:
        return (day - self.start).days

    def _occ(self, period: int, i: int) -> date | None:
        return _add_days(self.start, period)


class _Weekly(_Arithmetic):
    """FREQ=WEEKLY with plain BYDAY only: given weekdays of every INTERVAL-th week."""

    @staticmethod
    def fits(rule: Rule) -> bool:
        return (
            rule.freq == "WEEKLY"
            and bool(rule.byday)
            and all(n == 0 for _, n in rule.byday)
            and not (
                rule.bymonth or rule.bymonthday or rule.bysetpos or rule.byyearday or rule.byweekno
            )
        )

    def __init__(self, rule: Rule, start: date) -> None:
        wkst = rule.wkst
        self.offsets = sorted((wd - wkst) % 7 for wd, _ in rule.byday)
        self.per_period = len(self.offsets)
        # Ordinal of the first day of the start's week (may precede date.min).
        self.week0 = start.toordinal() - (start.weekday() - wkst) % 7
        super().__init__(rule, start)

    def _pidx(self, day: date) -> int:
        return (day.toordinal() - self.week0) // 7

    def _occ(self, period: int, i: int) -> date | None:
        ordinal = self.week0 + 7 * period + self.offsets[i]
        if not 1 <= ordinal <= date.max.toordinal():
            return None
        return date.fromordinal(ordinal)


class _MonthDay(_Arithmetic):
    """One occurrence in every active month (MONTHLY) or year (YEARLY with one BYMONTH).

    The day is one that every such month has: BYMONTHDAY=d (|d| <= 28, or the
    shortest length of the one month), the first/last of several BYMONTHDAYs
    (BYSETPOS=1/-1, the smallest one such a day), or the n-th weekday (BYDAY=nMO,
    |n| <= 4).
    """

    per_period = 1

    @staticmethod
    def fits(rule: Rule) -> bool:
        if rule.byyearday or rule.byweekno:
            return False
        if rule.freq == "MONTHLY":
            if rule.bymonth:
                return False
        elif rule.freq != "YEARLY" or len(rule.bymonth) != 1:
            return False
        return _MonthDay._day_kind(rule) is not None

    @staticmethod
    def _day_kind(rule: Rule) -> str | None:
        days, setpos = rule.bymonthday, rule.bysetpos
        if rule.byday:
            if days or setpos or len(rule.byday) != 1:
                return None
            n = rule.byday[0][1]
            return "nth" if 1 <= abs(n) <= 4 else None
        # the days every month (of the rule) has: 28, or all of its one month's
        shortest = _MONTH_MIN[rule.bymonth[0] - 1] if rule.freq == "YEARLY" else 28
        if len(days) == 1 and not setpos and 1 <= abs(days[0]) <= shortest:
            return "day"
        if setpos in ((1,), (-1,)) and days and all(d > 0 for d in days) and days[0] <= shortest:
            return "pick"  # sorted positives: days[0] is the smallest
        return None

    def __init__(self, rule: Rule, start: date) -> None:
        self.kind = self._day_kind(rule)
        self.yearly = rule.freq == "YEARLY"
        self.month_step = 12 if self.yearly else 1
        month0 = rule.bymonth[0] if self.yearly else start.month
        self.base = start.year * 12 + month0 - 1  # month index of period 0
        super().__init__(rule, start)

    def _pidx(self, day: date) -> int:
        if self.yearly:
            return day.year - self.base // 12
        return _month_index(day) - self.base

    def _occ(self, period: int, i: int) -> date | None:
        year, month0 = divmod(self.base + period * self.month_step, 12)
        if not 1 <= year <= 9999:
            return None
        month = month0 + 1
        length = _month_len(year, month)
        r = self.rule
        if self.kind == "day":
            d = r.bymonthday[0]
            return date(year, month, d if d > 0 else length + d + 1)
        if self.kind == "pick":
            valid = [d for d in r.bymonthday if d <= length]
            return date(year, month, valid[0] if r.bysetpos == (1,) else valid[-1])
        weekday, n = r.byday[0]
        if n > 0:
            first = (weekday - date(year, month, 1).weekday()) % 7 + 1
            return date(year, month, first + 7 * (n - 1))
        last = length - (date(year, month, length).weekday() - weekday) % 7
        return date(year, month, last + 7 * (n + 1))


class _Expanded(_Series):
    """Any other rule: walked by `expansion`, year by year, within the step budget.

    One cursor serves the (mostly increasing) questions of one computation; it
    starts again from the period of the day asked when a question goes back or
    jumps far ahead. COUNT rules are walked from the start, as COUNT counts
    from there.
    """

    # Beyond this many days ahead, starting again is cheaper than walking on.
    _JUMP = {"DAILY": 31, "WEEKLY": 92, "MONTHLY": 186, "YEARLY": 1100}

    def __init__(self, rule: Rule, start: date) -> None:
        super().__init__(rule, start)
        self._walk: Iterator[date] | None = None
        self._lo = start  # the cursor holds every occurrence >= _lo, in order,
        self._cur: date | None = None  # the first of them being _cur (None: there is none)
        self._cut_short = False  # the cursor ended with the budget, not with the rule
        self._jump = self._JUMP[rule.freq]

    def _restart(self, day: date) -> None:
        self._lo = day
        self._walk = walk(self.rule, self.start, day, self.budget)
        self._cur = next(self._walk, None)

    def first_from(self, day: date) -> date | None:
        day = max(day, self.start)
        if self.until is not None and day > self.until:
            return None
        self.budget.refill(STEP_BUDGET)
        if (
            self._walk is None
            or day < self._lo
            or self._cut_short
            or (
                self._cur is not None
                and self.rule.count is None
                and (day - self._cur).days > self._jump
            )
        ):
            self._restart(day)
        while self._cur is not None and self._cur < day:
            assert self._walk is not None
            self._cur = next(self._walk, None)
        self._cut_short = self._cur is None and self.budget.ran_out
        self.gave_up = self.gave_up or self._cut_short
        self._lo = day
        return self._cur

    def between(self, after: date, until: date) -> list[date]:
        self.budget.refill(STEP_BUDGET)
        found: list[date] = []
        for day in walk(self.rule, self.start, after, self.budget):
            if day > until:
                break
            found.append(day)
        self.gave_up = self.gave_up or self.budget.ran_out
        return found


Series = _Series
