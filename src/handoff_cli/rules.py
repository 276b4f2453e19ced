"""Recurrence rules: RULE words or RFC 5545 text in, one canonical rule string out.

A canonical rule is an RFC 5545 RRULE value without DTSTART and without the
``RRULE:`` prefix, its parts in a fixed order and with every BY part that
dateutil would otherwise infer from DTSTART written out. That makes a rule mean
the same whatever day it is expanded from, so `schedule` may re-anchor it near
the day it is asked about instead of expanding years of occurrences.

Pure: no I/O, no clock. dateutil.rrule is imported only inside the functions
that need it, so importing this module stays cheap.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timezone
from functools import lru_cache

from handoff_cli.errors import BadInput
from handoff_cli.record import Record, replace
from handoff_cli.words import WEEKDAYS

TYPE_CHECKING = False  # as typing.TYPE_CHECKING: `show` describes rules without typing
if TYPE_CHECKING:  # or dataclasses (issue 13)
    from datetime import tzinfo
    from typing import Literal, NoReturn

    from dateutil.rrule import rrule

__all__ = [
    "RULE_EXAMPLES",
    "Rule",
    "complete",
    "describe_rule",
    "load_rule",
    "parse_rule",
    "rrule_for",
    "step",
]

RULE_EXAMPLES = (
    "daily, weekdays, weekly on fri, every 2 weeks on mon,thu, monthly on day 5, "
    "monthly on the last fri, quarterly, yearly, or an RFC 5545 rule like FREQ=MONTHLY;BYDAY=1MO"
)

FREQS = ("YEARLY", "MONTHLY", "WEEKLY", "DAILY")
_FREQ_CONSTANTS: dict[str, Literal[0, 1, 2, 3]] = {
    "YEARLY": 0,
    "MONTHLY": 1,
    "WEEKLY": 2,
    "DAILY": 3,
}
UNITS = {"DAILY": "days", "WEEKLY": "weeks", "MONTHLY": "months", "YEARLY": "years"}
DAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
MAX_INTERVAL = 1000
MAX_COUNT = 100_000
# The shortest and longest length of each month (Feb: 28 and 29).
_MONTH_MIN = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_MONTH_MAX = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_MONTH_END = " (or the month's last day)"


class Rule(Record):
    """A parsed rule. Weekdays are 0 (Monday) to 6; ``byday`` holds (weekday, n), n=0 for every.

    A frozen `Record` (`record.replace` makes changed copies), not a dataclass.
    """

    _fields = (
        "freq",
        "interval",
        "bymonth",
        "bymonthday",
        "byday",
        "bysetpos",
        "byyearday",
        "byweekno",
        "wkst",
        "count",
        "until",
    )
    freq: str
    interval: int
    bymonth: tuple[int, ...]
    bymonthday: tuple[int, ...]
    byday: tuple[tuple[int, int], ...]
    bysetpos: tuple[int, ...]
    byyearday: tuple[int, ...]
    byweekno: tuple[int, ...]
    wkst: int
    count: int | None
    until: date | None

    def __init__(
        self,
        freq: str,
        interval: int = 1,
        bymonth: tuple[int, ...] = (),
        bymonthday: tuple[int, ...] = (),
        byday: tuple[tuple[int, int], ...] = (),
        bysetpos: tuple[int, ...] = (),
        byyearday: tuple[int, ...] = (),
        byweekno: tuple[int, ...] = (),
        wkst: int = 0,
        count: int | None = None,
        until: date | None = None,
    ) -> None:
        self.__dict__.update(
            freq=freq,
            interval=interval,
            bymonth=bymonth,
            bymonthday=bymonthday,
            byday=byday,
            bysetpos=bysetpos,
            byyearday=byyearday,
            byweekno=byweekno,
            wkst=wkst,
            count=count,
            until=until,
        )

    def __str__(self) -> str:
        parts = [f"FREQ={self.freq}"]
        if self.interval != 1:
            parts.append(f"INTERVAL={self.interval}")
        for name, values in (
            ("BYMONTH", self.bymonth),
            ("BYMONTHDAY", self.bymonthday),
        ):
            if values:
                parts.append(f"{name}={_join(values)}")
        if self.byday:
            days = ",".join(f"{n or ''}{DAY_CODES[wd]}" for wd, n in self.byday)
            parts.append(f"BYDAY={days}")
        for name, values in (
            ("BYSETPOS", self.bysetpos),
            ("BYYEARDAY", self.byyearday),
            ("BYWEEKNO", self.byweekno),
        ):
            if values:
                parts.append(f"{name}={_join(values)}")
        if self.wkst:
            parts.append(f"WKST={DAY_CODES[self.wkst]}")
        if self.count is not None:
            parts.append(f"COUNT={self.count}")
        if self.until is not None:
            u = self.until
            parts.append(f"UNTIL={u.year:04d}{u.month:02d}{u.day:02d}")
        return ";".join(parts)

    @property
    def has_by_parts(self) -> bool:
        return bool(
            self.bymonth
            or self.bymonthday
            or self.byday
            or self.bysetpos
            or self.byyearday
            or self.byweekno
        )


def _join(values: tuple[int, ...]) -> str:
    return ",".join(str(v) for v in values)


def _sorted_ints(values: set[int]) -> tuple[int, ...]:
    # Positive values first, then negative ones (from the end): 1,15,-1.
    return tuple(sorted(values, key=lambda v: (v < 0, v)))


class _Refused(Exception):
    """Internal: why a rule text was refused (becomes BadInput)."""

    def __init__(self, reason: str = "") -> None:
        super().__init__(reason)
        self.reason = reason


def _refuse(reason: str = "") -> NoReturn:
    raise _Refused(reason)


def _shown(text: str) -> str:
    """User text fit for a one-line message: control characters escaped, long text cut."""
    shown = "".join(c if c.isprintable() else ascii(c)[1:-1] for c in text.strip())
    return shown if len(shown) <= 60 else shown[:57] + "..."


def _message(text: str, reason: str) -> str:
    why = f" ({_shown(reason)})" if reason else ""
    return f"cannot understand rule '{_shown(text)}'{why}; try {RULE_EXAMPLES}"


# --------------------------------------------------------------------------- public API


def parse_rule(text: str, *, start: date, zone: tzinfo | None = None) -> str:
    """Parse RULE words or an RFC 5545 rule into a canonical rule string.

    The result has no DTSTART and no ``RRULE:`` prefix, and every BY part that
    dateutil would infer from DTSTART is written out (from ``start``). Raises
    BadInput with examples on anything else.

    Promises fall on days, so a canonical UNTIL is a day, as RFC 5545 wants
    for a DTSTART that is a date (UNTIL "MUST have the same value type"). A
    rule copied from a calendar event that had a time zone carries an UNTIL in
    UTC (the RFC requires UTC there: ``UNTIL=19971224T000000Z``); it bounds
    the occurrences inclusively at that instant, so the last day it allows is
    the day that instant falls on in ``zone`` (None: this machine's local time
    zone, where due dates are counted): in New York, December 23. An UNTIL
    with a time and no ``Z`` is a local time already: its day.

    Whether the rule is cheap enough to keep (`schedule.check_rule_cost`) is
    for the caller to ask: `promise` and `modify` do, `import` does not.
    """
    try:
        if "=" in text or text.strip().upper().startswith("RRULE"):
            rule = complete(_parse_rfc(text, zone), start)
            _validate_with_dateutil(rule, start)
        else:
            rule = complete(_parse_words(text), start)
    except _Refused as exc:
        raise BadInput(_message(text, exc.reason)) from None
    return str(rule)


def describe_rule(rule: str) -> str:
    """A canonical rule back to words for people ('monthly on day 5', 'weekdays', ...).

    Rules without a word form are returned as they are (RFC 5545 text).
    """
    try:
        r = load_rule(rule)
    except BadInput:
        return rule
    words = _describe(r)
    if words is None:
        return rule
    return words + _ending(r)


def step(rule: str) -> tuple[str, int]:
    """The rule's unit ('days', 'weeks', 'months' or 'years') and interval, for --after-done."""
    r = load_rule(rule)
    return UNITS[r.freq], r.interval


@lru_cache(maxsize=4096)
def load_rule(rule: str) -> Rule:
    """Parse a stored (canonical) rule string. Raises BadInput if it is not a valid rule."""
    try:
        return _parse_rfc(rule)
    except _Refused as exc:
        raise BadInput(_message(rule, exc.reason)) from None


def complete(rule: Rule, start: date) -> Rule:
    """Write out the BY parts dateutil would infer from a DTSTART of ``start``.

    Monthly (and yearly) rules from a day a month may lack fall on that month's
    last day instead of skipping it: ``BYMONTHDAY=28,...,d;BYSETPOS=-1``.
    """
    if rule.byweekno or rule.byyearday or rule.bymonthday or rule.byday:
        return rule
    if rule.freq == "WEEKLY":
        return replace(rule, byday=((start.weekday(), 0),))
    if rule.freq == "MONTHLY":
        if rule.bysetpos or start.day <= 28:
            return replace(rule, bymonthday=(start.day,))
        return replace(rule, bymonthday=tuple(range(28, start.day + 1)), bysetpos=(-1,))
    if rule.freq == "YEARLY":
        bymonth = rule.bymonth or (start.month,)
        if len(bymonth) == 1 and not rule.bysetpos:
            monthday, setpos = _day_in_month(bymonth[0], start.day)
            return replace(rule, bymonth=bymonth, bymonthday=monthday, bysetpos=setpos)
        return replace(rule, bymonth=bymonth, bymonthday=(start.day,))
    return rule


def rrule_for(rule: Rule, dtstart: date) -> rrule:
    """The dateutil rrule for ``rule`` expanded from ``dtstart`` (midnight, naive).

    `expansion` walks rules itself; the tests check it against this.
    """
    from dateutil.rrule import rrule, weekday

    return rrule(
        _FREQ_CONSTANTS[rule.freq],
        dtstart=_start_of(dtstart),
        interval=rule.interval,
        wkst=rule.wkst,
        count=rule.count,
        until=(None if rule.until is None else _start_of(rule.until)),
        bymonth=rule.bymonth or None,
        bymonthday=rule.bymonthday or None,
        byyearday=rule.byyearday or None,
        byweekno=rule.byweekno or None,
        byweekday=[weekday(wd, n or None) for wd, n in rule.byday] or None,
        bysetpos=rule.bysetpos or None,
        cache=False,
    )


# --------------------------------------------------------------------------- RFC 5545


_INT_RE = re.compile(r"[+-]?[0-9]{1,6}", re.ASCII)
_BYDAY_RE = re.compile(r"([+-]?[0-9]{1,2})?(MO|TU|WE|TH|FR|SA|SU)", re.ASCII)
_UNTIL_RE = re.compile(r"([0-9]{4})([0-9]{2})([0-9]{2})(T[0-9]{6}Z?)?", re.ASCII)
_KNOWN = {
    "FREQ",
    "INTERVAL",
    "COUNT",
    "UNTIL",
    "BYMONTH",
    "BYMONTHDAY",
    "BYDAY",
    "BYSETPOS",
    "BYYEARDAY",
    "BYWEEKNO",
    "WKST",
}


def _parse_rfc(text: str, zone: tzinfo | None = None) -> Rule:
    body = text.strip()
    if "DTSTART" in body.upper():
        _refuse("no DTSTART: the promise's start is the rule's start")
    if body.upper().startswith("RRULE:"):
        body = body[len("RRULE:") :]
    if any(not c.isprintable() for c in body):
        _refuse("one rule on one line")
    parts: dict[str, str] = {}
    for chunk in body.split(";"):
        if not chunk.strip():
            continue
        name, sep, value = chunk.partition("=")
        name, value = name.strip().upper(), value.strip().upper()
        if not sep or not value:
            _refuse("expected NAME=VALUE parts")
        if name in ("BYHOUR", "BYMINUTE", "BYSECOND"):
            _refuse("promises fall on days, not times of day")
        if name not in _KNOWN:
            _refuse(f"unknown part {name}")
        if name in parts:
            _refuse(f"{name} given twice")
        parts[name] = value
    freq = parts.get("FREQ")
    if freq in ("HOURLY", "MINUTELY", "SECONDLY"):
        _refuse("promises repeat by the day at most")
    if freq is None or freq not in FREQS:
        _refuse("FREQ must be DAILY, WEEKLY, MONTHLY or YEARLY")
    rule = Rule(
        freq=freq,
        interval=_one_int(parts, "INTERVAL", MAX_INTERVAL) or 1,
        count=_one_int(parts, "COUNT", MAX_COUNT),
        until=_until(parts.get("UNTIL"), zone),
        bymonth=_int_list(parts, "BYMONTH", 12, negative=False),
        bymonthday=_int_list(parts, "BYMONTHDAY", 31),
        byday=_byday(parts.get("BYDAY")),
        bysetpos=_int_list(parts, "BYSETPOS", 366),
        byyearday=_int_list(parts, "BYYEARDAY", 366),
        byweekno=_int_list(parts, "BYWEEKNO", 53),
        wkst=_weekday_code(parts.get("WKST", "MO")),
    )
    _check_rfc_constraints(rule)
    return rule


def _check_rfc_constraints(rule: Rule) -> None:
    """The combinations RFC 5545 forbids (dateutil quietly does something else with them)."""
    if rule.count is not None and rule.until is not None:
        _refuse("COUNT and UNTIL cannot both be given")
    if any(n for _, n in rule.byday) and rule.freq not in ("MONTHLY", "YEARLY"):
        _refuse("numbered BYDAY needs FREQ=MONTHLY or YEARLY")
    if any(n for _, n in rule.byday) and rule.byweekno:
        _refuse("numbered BYDAY cannot go with BYWEEKNO")
    if rule.bymonthday and rule.freq == "WEEKLY":
        _refuse("BYMONTHDAY cannot go with FREQ=WEEKLY")
    if rule.byyearday and rule.freq != "YEARLY":
        _refuse("BYYEARDAY needs FREQ=YEARLY")
    if rule.byweekno and rule.freq != "YEARLY":
        _refuse("BYWEEKNO needs FREQ=YEARLY")
    if rule.bysetpos and not (
        rule.bymonth or rule.bymonthday or rule.byday or rule.byyearday or rule.byweekno
    ):
        _refuse("BYSETPOS needs another BY part")


def _one_int(parts: dict[str, str], name: str, limit: int) -> int | None:
    value = parts.get(name)
    if value is None:
        return None
    if not value.isascii() or not value.isdigit() or len(value) > 6:
        _refuse(f"{name} must be a whole number")
    number = int(value)
    if not 1 <= number <= limit:
        _refuse(f"{name} must be from 1 to {limit}")
    return number


def _int_list(
    parts: dict[str, str], name: str, limit: int, *, negative: bool = True
) -> tuple[int, ...]:
    value = parts.get(name)
    if value is None:
        return ()
    numbers: set[int] = set()
    for item in value.split(","):
        if not _INT_RE.fullmatch(item):
            _refuse(f"{name} takes numbers")
        number = int(item)
        if not 1 <= abs(number) <= limit or (number < 0 and not negative):
            _refuse(f"{name} values must be from 1 to {limit}")
        numbers.add(number)
    return _sorted_ints(numbers)


def _byday(value: str | None) -> tuple[tuple[int, int], ...]:
    if value is None:
        return ()
    days: set[tuple[int, int]] = set()
    for item in value.split(","):
        match = _BYDAY_RE.fullmatch(item)
        if not match:
            _refuse("BYDAY takes MO, TU, WE, TH, FR, SA, SU, optionally numbered: 1MO, -1FR")
        n = int(match.group(1)) if match.group(1) else 0
        if match.group(1) and not 1 <= abs(n) <= 53:
            _refuse("BYDAY numbers must be from 1 to 53 or -53 to -1")
        days.add((DAY_CODES.index(match.group(2)), n))
    return tuple(sorted(days, key=lambda d: (d[0], d[1] < 0, d[1])))


def _weekday_code(value: str) -> int:
    if value not in DAY_CODES:
        _refuse("WKST must be MO, TU, WE, TH, FR, SA or SU")
    return DAY_CODES.index(value)


def _until(value: str | None, zone: tzinfo | None) -> date | None:
    """UNTIL as the last calendar day it allows (see `parse_rule` for one with a time)."""
    if value is None:
        return None
    match = _UNTIL_RE.fullmatch(value)
    if not match:
        _refuse("UNTIL must look like 20261231 or 20261231T235959Z")
    year, month, day, clock = match.groups()
    try:
        if clock is None:
            return date(int(year), int(month), int(day))
        moment = datetime(
            int(year), int(month), int(day), int(clock[1:3]), int(clock[3:5]), int(clock[5:7])
        )
        if not clock.endswith("Z"):
            return moment.date()  # a floating (local) time: its day
        return moment.replace(tzinfo=timezone.utc).astimezone(zone).date()
    except ValueError:
        _refuse("UNTIL is not a real date and time")
    except OverflowError:
        _refuse("UNTIL is out of range")


def _validate_with_dateutil(rule: Rule, start: date) -> None:
    """Let dateutil read the rule, as calendars that get it in an export will."""
    from dateutil.rrule import rrulestr

    try:
        rrulestr(str(rule), dtstart=_start_of(start))
    except (ValueError, TypeError, OverflowError, KeyError, IndexError, AttributeError):
        _refuse("not a rule dateutil can expand")


# --------------------------------------------------------------------------- words


_WEEKDAY_WORDS = WEEKDAYS
_ORDINAL_WORDS = {
    "first": 1,
    "1st": 1,
    "second": 2,
    "2nd": 2,
    "third": 3,
    "3rd": 3,
    "fourth": 4,
    "4th": 4,
    "last": -1,
}
_NTH_WORDS = {**_ORDINAL_WORDS, "other": 2, "fifth": 5, "sixth": 6}
_MONTH_WORDS = {
    **{name.lower(): i + 1 for i, name in enumerate(MONTH_NAMES)},
    "january": 1,
    "february": 2,
    "march": 3,
    "april": 4,
    "june": 6,
    "july": 7,
    "august": 8,
    "sept": 9,
    "september": 9,
    "october": 10,
    "november": 11,
    "december": 12,
}
_HEADS = {
    "daily": ("DAILY", 1),
    "weekly": ("WEEKLY", 1),
    "biweekly": ("WEEKLY", 2),
    "fortnightly": ("WEEKLY", 2),
    "monthly": ("MONTHLY", 1),
    "quarterly": ("MONTHLY", 3),
    "yearly": ("YEARLY", 1),
    "annually": ("YEARLY", 1),
}
_UNIT_WORDS = {
    "day": ("DAILY", 1),
    "week": ("WEEKLY", 1),
    "fortnight": ("WEEKLY", 2),
    "month": ("MONTHLY", 1),
    "quarter": ("MONTHLY", 3),
    "year": ("YEARLY", 1),
}
_WORKWEEK = tuple((wd, 0) for wd in range(5))
_NUMBER_RE = re.compile(r"[0-9]{1,4}", re.ASCII)
_DAY_NUMBER_RE = re.compile(r"([0-9]{1,2})(?:st|nd|rd|th)?", re.ASCII)
_ISO_DAY_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)


def _parse_words(text: str) -> Rule:
    t = " ".join(text.lower().split())
    # describe_rule's "day 31 (or the month's last day)" reads back as "day 31".
    month_end = _MONTH_END.strip() in t
    if month_end:
        t = t.replace(_MONTH_END.strip(), " ", 1)
    tokens = t.replace(",", " , ").split()
    tokens, count, until = _suffixes(tokens)
    if not tokens:
        _refuse()
    freq, interval, byday = _head(tokens)
    rule = Rule(freq=freq, interval=interval, byday=byday, count=count, until=until)
    if tokens:
        if tokens.pop(0) != "on" or byday:
            _refuse()
        rule = _on(rule, tokens)
    if month_end and rule.bysetpos != (-1,):
        _refuse()
    return rule


def _suffixes(tokens: list[str]) -> tuple[list[str], int | None, date | None]:
    """Strip a trailing ', N times' or ', until YYYY-MM-DD'."""
    count: int | None = None
    until: date | None = None
    if len(tokens) >= 2 and tokens[-1] in ("time", "times") and _NUMBER_RE.fullmatch(tokens[-2]):
        count = int(tokens[-2])
        if not 1 <= count <= MAX_COUNT:
            _refuse(f"a rule can repeat from 1 to {MAX_COUNT} times")
        tokens = tokens[:-2]
    elif len(tokens) >= 2 and tokens[-2] == "until" and _ISO_DAY_RE.fullmatch(tokens[-1]):
        try:
            until = date.fromisoformat(tokens[-1])
        except ValueError:
            _refuse("the until day is not a real date")
        tokens = tokens[:-2]
    if count is not None or until is not None:
        if tokens and tokens[-1] == ",":
            tokens = tokens[:-1]
        if tokens and tokens[-1] == "for":
            tokens = tokens[:-1]
    return tokens, count, until


def _head(tokens: list[str]) -> tuple[str, int, tuple[tuple[int, int], ...]]:
    """Consume the frequency words; returns (freq, interval, weekdays already given)."""
    word = tokens.pop(0)
    if word in _HEADS:
        freq, interval = _HEADS[word]
        return freq, interval, ()
    if word == "weekdays":
        return "WEEKLY", 1, _WORKWEEK
    if word != "every" or not tokens:
        _refuse()
    word = tokens.pop(0)
    if word in ("weekday", "weekdays"):
        return "WEEKLY", 1, _WORKWEEK
    if word in _WEEKDAY_WORDS:
        tokens.insert(0, word)
        return "WEEKLY", 1, _weekday_list(tokens)
    number = 1
    if _NUMBER_RE.fullmatch(word):
        number = int(word)
        word = tokens.pop(0) if tokens else ""
    elif word in _NTH_WORDS and _NTH_WORDS[word] > 1:
        number = _NTH_WORDS[word]
        word = tokens.pop(0) if tokens else ""
    unit = word[:-1] if word.endswith("s") and word[:-1] in _UNIT_WORDS else word
    if unit not in _UNIT_WORDS:
        _refuse()
    freq, per_unit = _UNIT_WORDS[unit]
    interval = number * per_unit
    if not 1 <= interval <= MAX_INTERVAL:
        _refuse(f"the interval must be from 1 to {MAX_INTERVAL}")
    return freq, interval, ()


def _weekday_list(tokens: list[str]) -> tuple[tuple[int, int], ...]:
    """Consume 'mon', 'mon , thu', 'mon and thu' (every token left must be part of it)."""
    days: set[int] = set()
    expect_day = True
    while tokens:
        word = tokens.pop(0)
        if expect_day and word in _WEEKDAY_WORDS:
            days.add(_WEEKDAY_WORDS[word])
            expect_day = False
        elif not expect_day and word in (",", "and"):
            expect_day = True
        else:
            _refuse()
    if expect_day:
        _refuse()
    return tuple((wd, 0) for wd in sorted(days))


def _on(rule: Rule, tokens: list[str]) -> Rule:
    """The part after 'on', which depends on the frequency."""
    if rule.freq == "WEEKLY":
        return replace(rule, byday=_weekday_list(tokens))
    if rule.freq == "MONTHLY":
        return _on_monthly(rule, tokens)
    if rule.freq == "YEARLY":
        return _on_yearly(rule, tokens)
    _refuse("a daily rule takes no 'on'")


def _on_monthly(rule: Rule, tokens: list[str]) -> Rule:
    if len(tokens) == 2 and tokens[0] == "day" and _NUMBER_RE.fullmatch(tokens[1]):
        return _with_monthday(rule, int(tokens[1]))
    if tokens[:1] != ["the"]:
        _refuse()
    rest = tokens[1:]
    if rest == ["last", "day"]:
        return replace(rule, bymonthday=(-1,))
    if len(rest) == 1:
        match = _DAY_NUMBER_RE.fullmatch(rest[0])
        if match and match.group(0) != match.group(1):  # 'the 5th', not 'the 5'
            return _with_monthday(rule, int(match.group(1)))
    if len(rest) == 2 and rest[0] in _ORDINAL_WORDS and rest[1] in _WEEKDAY_WORDS:
        return replace(rule, byday=((_WEEKDAY_WORDS[rest[1]], _ORDINAL_WORDS[rest[0]]),))
    _refuse()


def _with_monthday(rule: Rule, day: int) -> Rule:
    if not 1 <= day <= 31:
        _refuse("days of the month go from 1 to 31")
    if day <= 28:
        return replace(rule, bymonthday=(day,))
    return replace(rule, bymonthday=tuple(range(28, day + 1)), bysetpos=(-1,))


def _on_yearly(rule: Rule, tokens: list[str]) -> Rule:
    if len(tokens) == 2:
        first, second = tokens
        if first in _MONTH_WORDS:
            month, match = _MONTH_WORDS[first], _DAY_NUMBER_RE.fullmatch(second)
        elif second in _MONTH_WORDS:
            month, match = _MONTH_WORDS[second], _DAY_NUMBER_RE.fullmatch(first)
        else:
            _refuse()
        if match:
            day = int(match.group(1))
            if not 1 <= day <= _MONTH_MAX[month - 1]:
                _refuse(f"{MONTH_NAMES[month - 1]} has no day {day}")
            monthday, setpos = _day_in_month(month, day)
            return replace(rule, bymonth=(month,), bymonthday=monthday, bysetpos=setpos)
    _refuse()


def _day_in_month(month: int, day: int) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """BYMONTHDAY (and BYSETPOS) for 'day of month', or that month's last day when shorter."""
    day = min(day, _MONTH_MAX[month - 1])
    if day <= _MONTH_MIN[month - 1]:
        return (day,), ()
    return tuple(range(28, day + 1)), (-1,)


# --------------------------------------------------------------------------- back to words


_ORDINAL_NAMES = {1: "first", 2: "second", 3: "third", 4: "fourth", -1: "last"}


def _describe(r: Rule) -> str | None:
    only = {name for name in ("bymonth", "bymonthday", "byday", "bysetpos") if getattr(r, name)}
    if r.byyearday or r.byweekno or r.wkst:
        return None
    if r.freq == "DAILY" and not only:
        return "daily" if r.interval == 1 else f"every {r.interval} days"
    if r.freq == "WEEKLY" and only == {"byday"} and all(n == 0 for _, n in r.byday):
        if r.interval == 1 and r.byday == _WORKWEEK:
            return "weekdays"
        head = "weekly" if r.interval == 1 else f"every {r.interval} weeks"
        return f"{head} on " + ", ".join(DAY_NAMES[wd] for wd, _ in r.byday)
    if r.freq == "MONTHLY" and "bymonth" not in only:
        head = {1: "monthly", 3: "quarterly"}.get(r.interval, f"every {r.interval} months")
        on = _describe_monthday(r)
        if on is None and only == {"byday"} and len(r.byday) == 1:
            wd, n = r.byday[0]
            if n in _ORDINAL_NAMES:
                on = f"the {_ORDINAL_NAMES[n]} {DAY_NAMES[wd]}"
        return None if on is None else f"{head} on {on}"
    if r.freq == "YEARLY" and len(r.bymonth) == 1 and "byday" not in only:
        head = "yearly" if r.interval == 1 else f"every {r.interval} years"
        month = MONTH_NAMES[r.bymonth[0] - 1]
        on = _describe_monthday(r)
        if on is None or not on.startswith("day "):
            return None
        return f"{head} on {month} {on[len('day ') :]}"
    return None


def _describe_monthday(r: Rule) -> str | None:
    if r.byday:
        return None
    if len(r.bymonthday) == 1 and not r.bysetpos:
        day = r.bymonthday[0]
        if day == -1:
            return "the last day"
        return f"day {day}" if day > 0 else None
    last = r.bymonthday[-1] if r.bymonthday else 0
    if r.bysetpos == (-1,) and 29 <= last <= 31 and r.bymonthday == tuple(range(28, last + 1)):
        return f"day {last}{_MONTH_END}"
    return None


def _start_of(day: date) -> datetime:
    return datetime(day.year, day.month, day.day)


def describe_cadence(rule: str, *, after_done: bool) -> str:
    """A promise's rhythm in words; `--after-done` ones count from the last completion.

    An end is kept: "every week after it is done, 3 times", "..., until 2026-12-24".
    """
    if not after_done:
        return describe_rule(rule)
    r = load_rule(rule)
    unit, n = UNITS[r.freq], r.interval
    every = f"every {unit[:-1]}" if n == 1 else f"every {n} {unit}"
    return f"{every} after it is done{_ending(r)}"


def _ending(r: Rule) -> str:
    """', 3 times' or ', until 2026-12-24' (or nothing), as the words read it back."""
    if r.count is not None:
        return f", {r.count} time" + ("" if r.count == 1 else "s")
    if r.until is not None:
        return f", until {r.until.isoformat()}"
    return ""
