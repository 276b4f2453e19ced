"""Parsing of WHEN words and dates, given `now`.

Pure: no I/O, never reads the clock. The caller decides "now" once, at the
edge, and passes it in as an aware datetime in local time.

Grammar (case-insensitive; surrounding whitespace ignored, inner whitespace
collapsed):

- ISO 8601: ``2026-12-01``, ``2026-12-01T15:30``, ``2026-12-01 15:30``,
  ``2026-12-01T15:30:00+09:00``, ``...Z``. A date-time without an offset gets
  now's tzinfo; one with an offset keeps it. A date alone means that day at
  12:00 local, so converting between nearby offsets keeps the calendar day.
- Dates as people type them: ``2026/12/01`` (year first; the month and day
  may have one digit), ``12/1`` (month/day), ``Dec 1``, ``1 Dec``,
  ``December 1st``, ``Dec 1 2026``, ``1 Dec, 2026``, ``12月1日``,
  ``2026年12月1日``. Without a year: the nearest such day, back or ahead (at
  most half a year away), so ``12/1`` in late November is this December and
  ``1/5`` in late December is next January. Like an ISO date, they mean noon.
- ``now``, ``today``, ``yesterday``, ``tomorrow``, ``end of month`` (the last
  day of this month), and the Japanese ``今日``, ``明日``, ``昨日``,
  ``明後日``, ``一昨日``, ``月末``.
- Weekdays (``fri``, ``friday``, ``tue``/``tues``, ``thu``/``thur``/``thurs``,
  ...): the next such day strictly after today; ``next fri`` means the same,
  ``last fri`` the most recent one strictly before today.
- ``in 3 days``, ``3 days ago``, ``in a week``, ``an hour ago``; units day,
  week, month, year, hour, minute (singular or plural).
- ``+2w``, ``-1d``, ``+1m`` (months), ``+1y``, ``+2h``; the sign is required.
- Day forms (not ``now``, hours or minutes) may be followed by a time,
  optionally after ``at``: ``yesterday 15:00``, ``fri 9:30``,
  ``tomorrow at 3pm``, ``Dec 1 9am``. A time alone (``15:00``, ``9am``) means today.

Full-width characters count as their ASCII forms (``２０２６／１２／０１``).
A day that does not exist (``2026-02-30``, ``Feb 30``, ``13/1``) is refused
with a message naming why ("February 2026 has no 30th").

Without a time, word forms keep now's time of day (``yesterday`` is now minus
one day). Month and year arithmetic clamps to the month's end (Jan 31 + 1
month = Feb 28 or 29). Anything else raises `BadInput`, and nothing else is
ever raised for any string.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from datetime import date, datetime, time, timedelta, timezone

from handoff_cli.errors import BadInput
from handoff_cli.words import WEEKDAYS

__all__ = ["WHEN_EXAMPLES", "parse_bound", "parse_day", "parse_when"]

WHEN_EXAMPLES = (
    "2026-12-01, 2026/12/01, Dec 1, 12/1, 2026-12-01T15:30, today, 明日, yesterday 15:00, "
    "fri, next fri 9am, in 3 days, 2 weeks ago, end of month, +2w, -1d"
)

_WEEKDAYS = WEEKDAYS
_DAY_WORDS = {
    "today": 0,
    "yesterday": -1,
    "tomorrow": 1,
    "今日": 0,
    "明日": 1,
    "昨日": -1,
    "明後日": 2,
    "一昨日": -2,
}
_MONTH_END_WORDS = frozenset({"end of month", "end of the month", "月末"})
_MONTH_NAMES = (
    "January February March April May June July August September October November December"
).split()
_MONTHS = {
    **{name.lower(): i for i, name in enumerate(_MONTH_NAMES, 1)},
    **{name[:3].lower(): i for i, name in enumerate(_MONTH_NAMES, 1)},
    "sept": 9,
}
_UNITS = {"d": "day", "w": "week", "m": "month", "y": "year", "h": "hour"}

_NUM = r"(?P<n>[0-9]+|an?)"
_UNIT = r"(?P<unit>day|week|month|year|hour|minute)s?"
_IN = re.compile(rf"in {_NUM} {_UNIT}", re.ASCII)
_AGO = re.compile(rf"{_NUM} {_UNIT} ago", re.ASCII)
_SIGNED = re.compile(r"(?P<sign>[+-])(?P<n>[0-9]+)(?P<unit>[dwmyh])", re.ASCII)
_WEEKDAY = re.compile(r"(?:(?P<which>next|last) )?(?P<name>[a-z]+)", re.ASCII)
_ISO_DATE = re.compile(r"(?P<y>[0-9]{4})-(?P<mo>[0-9]{2})-(?P<d>[0-9]{2})", re.ASCII)
_ISO_DATETIME = re.compile(
    r"(?P<y>[0-9]{4})-(?P<mo>[0-9]{2})-(?P<d>[0-9]{2})[t ]"
    r"(?P<h>[0-9]{2}):(?P<mi>[0-9]{2})"
    r"(?::(?P<s>[0-9]{2})(?:\.(?P<f>[0-9]{1,6}))?)?"
    r"(?P<tz>z|(?P<tzsign>[+-])(?P<tzh>[0-9]{2})(?::?(?P<tzm>[0-9]{2}))?)?",
    re.ASCII,
)
_SLASH_YMD = re.compile(r"(?P<y>[0-9]{4})/(?P<mo>[0-9]{1,2})/(?P<d>[0-9]{1,2})", re.ASCII)
_SLASH_MD = re.compile(r"(?P<mo>[0-9]{1,2})/(?P<d>[0-9]{1,2})", re.ASCII)
_KANJI_DATE = re.compile(r"(?:(?P<y>[0-9]{4})年)?(?P<mo>[0-9]{1,2})月(?P<d>[0-9]{1,2})日", re.ASCII)
_ORDINAL = r"(?P<d>[0-9]{1,2})(?P<suffix>st|nd|rd|th)?"
_YEAR = r"(?:,? (?P<y>[0-9]{4}))?"
_MONTH_DAY = re.compile(rf"(?P<month>[a-z]+)\.? {_ORDINAL}{_YEAR}", re.ASCII)
_DAY_MONTH = re.compile(rf"{_ORDINAL} (?P<month>[a-z]+)\.?{_YEAR}", re.ASCII)
# A time at the end of the text, after a day form or alone: 15:00, 9:30, 9am, 3 pm.
_TIME_SUFFIX = re.compile(
    r"(?:^| )(?:at )?(?P<h>[0-9]{1,2})(?::(?P<mi>[0-9]{2}))? ?(?P<ampm>am|pm)?$",
    re.ASCII,
)


def parse_when(text: str, *, now: datetime) -> datetime:
    """Return the aware datetime that `text` means, relative to the aware `now`.

    See the module docstring for the grammar. Raises `BadInput` (and nothing
    else) for any text it does not understand.
    """
    _require_aware(now)
    try:
        result = _parse(_normal(text), now)
    except _NoSuchDay as missing:
        msg = f"there is no such day as '{_shown(text)}': {missing}"
        raise BadInput(msg) from None
    except (ValueError, OverflowError):  # out-of-range numbers and dates
        result = None
    if result is None:
        raise _refusal(text)
    return result


def parse_day(text: str, *, now: datetime) -> date:
    """Return the local calendar day (in now's timezone) that `text` means."""
    moment = parse_when(text, now=now)
    try:
        return local_day(moment, now=now)
    except (ValueError, OverflowError):  # e.g. 9999-12-31T23:00Z seen from UTC+9
        raise _refusal(text) from None


def parse_bound(text: str, *, now: datetime, end: bool = False) -> datetime:
    """One end of a period (`--since`, `--until`), as an exclusive bound when `end`.

    A day form without a time (`2026-11-16`, `mon`, `last fri`, `2 weeks ago`,
    `today`) means the whole day: the period starts at its first moment, or
    ends after its last (the next day's first moment is returned). Anything
    else is the moment `parse_when` gives (an end one second after it: times
    are stored to the second, so `--until 17:00` includes 17:00:00).
    """
    _require_aware(now)
    try:
        day = _day(_normal(text), now)
    except _NoSuchDay:
        day = None  # parse_when names it
    except (ValueError, OverflowError):
        day = None
    if day is None:
        moment = parse_when(text, now=now)
        return moment + timedelta(seconds=1) if end else moment
    try:
        first = day[0] + timedelta(days=1) if end else day[0]
        return _localize(datetime.combine(first, time(0)), now)
    except (ValueError, OverflowError):
        raise _refusal(text) from None


def _normal(text: str) -> str:
    """Full-width forms as ASCII, lower case, single spaces."""
    return " ".join(unicodedata.normalize("NFKC", text).lower().split())


def _require_aware(now: datetime) -> None:
    if now.tzinfo is None or now.utcoffset() is None:
        msg = "now must be an aware datetime"
        raise ValueError(msg)


def _shown(text: str) -> str:
    shown = "".join(c if c.isprintable() else "?" for c in text.strip())
    return shown if len(shown) <= 40 else shown[:39] + "…"


def _refusal(text: str) -> BadInput:
    return BadInput(f"cannot understand date '{_shown(text)}'; try {WHEN_EXAMPLES}")


class _NoSuchDay(ValueError):
    """A date whose month or day does not exist; the message says which ("February has no 30th")."""


def _ordinal(n: int) -> str:
    suffix = "th" if 11 <= n % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _check_month_day(month: int, day: int, year: int | None = None) -> None:
    """Raise _NoSuchDay unless `day` exists in `month` (of `year`, or of some year)."""
    if not 1 <= month <= 12:
        msg = f"there is no month {month}"
        raise _NoSuchDay(msg)
    if day < 1:
        msg = f"there is no day {day}"
        raise _NoSuchDay(msg)
    name = _MONTH_NAMES[month - 1]
    if year is None:
        if day > calendar.monthrange(2000, month)[1]:  # 2000: a leap year
            msg = f"{name} has no {_ordinal(day)}"
            raise _NoSuchDay(msg)
    elif 1 <= year <= 9999 and day > calendar.monthrange(year, month)[1]:
        msg = f"{name} {year} has no {_ordinal(day)}"
        raise _NoSuchDay(msg)


def _make_date(year: int, month: int, day: int) -> date:
    _check_month_day(month, day, year)
    return date(year, month, day)  # a year out of range is a plain ValueError


def _nearest(month: int, day: int, today: date) -> date:
    """The day `month`/`day` nearest to `today`, a year back, this year or a year ahead."""
    _check_month_day(month, day)
    candidates = []
    for year in (today.year - 1, today.year, today.year + 1):
        if 1 <= year <= 9999 and day <= calendar.monthrange(year, month)[1]:
            candidates.append(date(year, month, day))
    if not candidates:  # Feb 29 far from any leap year: say so for this year
        _check_month_day(month, day, today.year)
    # Nearest first; of two equally near, the one ahead.
    return min(candidates, key=lambda d: (abs((d - today).days), d < today))


def _parse(s: str, now: datetime) -> datetime | None:
    if not s:
        return None
    if s == "now":
        return now
    m = _ISO_DATETIME.fullmatch(s)
    if m is not None:
        return _iso_datetime(m, now)
    shifted = _clock_shift(s, now)
    if shifted is not None:
        return shifted
    day = _day(s, now)
    if day is not None:
        when, default_time = day
        return _localize(datetime.combine(when, default_time), now)
    m = _TIME_SUFFIX.search(s)
    if m is None:
        return None
    at = _time_of_day(m, now)
    if at is None:
        return None
    head = s[: m.start()]
    if not head:
        return _localize(datetime.combine(now.date(), at), now)
    day = _day(head, now)
    if day is None:
        return None
    return _localize(datetime.combine(day[0], at), now)


def _system_rules(now: datetime) -> bool:
    """Whether `now` is the system's local time, whose zone rules (DST) then apply.

    `now` usually carries a fixed offset (datetime.now().astimezone()): right for
    today, an hour off across a DST change. A zoneinfo zone knows its own rules,
    and a pinned clock elsewhere has only its own offset.
    """
    if hasattr(now.tzinfo, "key"):
        return False
    try:
        return now.astimezone().utcoffset() == now.utcoffset()
    except (OverflowError, ValueError, OSError):
        return False


def _localize(moment: datetime, now: datetime) -> datetime:
    """`moment`'s wall-clock time in now's place, with the offset in force on its own day."""
    naive = moment.replace(tzinfo=None)
    if _system_rules(now):
        try:
            return naive.astimezone()
        except (OverflowError, ValueError, OSError):
            pass
    return naive.replace(tzinfo=now.tzinfo)


def _iso_datetime(m: re.Match[str], now: datetime) -> datetime | None:
    day = _make_date(int(m["y"]), int(m["mo"]), int(m["d"]))
    wall = datetime(
        day.year,
        day.month,
        day.day,
        int(m["h"]),
        int(m["mi"]),
        int(m["s"] or 0),
        int((m["f"] or "0").ljust(6, "0")),
    )
    if m["tz"] is None:
        return _localize(wall, now)
    if m["tz"] == "z":
        return wall.replace(tzinfo=timezone.utc)
    hours, minutes = int(m["tzh"]), int(m["tzm"] or 0)
    if hours > 23 or minutes > 59:
        return None
    offset = timedelta(hours=hours, minutes=minutes)
    return wall.replace(tzinfo=timezone(-offset if m["tzsign"] == "-" else offset))


def _time_of_day(m: re.Match[str], now: datetime) -> time | None:
    hour, minute = int(m["h"]), int(m["mi"] or 0)
    if m["ampm"] is not None:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if m["ampm"] == "pm" else 0)
    elif m["mi"] is None:  # a bare number is not a time
        return None
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute, tzinfo=now.tzinfo)


def _relative(s: str) -> tuple[int, str] | None:
    """Return (signed amount, unit) for `in N units`, `N units ago` and `+Nu`."""
    m = _IN.fullmatch(s)
    sign = 1
    if m is None:
        m = _AGO.fullmatch(s)
        sign = -1
    if m is not None:
        n = 1 if m["n"] in ("a", "an") else int(m["n"])
        return sign * n, m["unit"]
    m = _SIGNED.fullmatch(s)
    if m is not None:
        n = int(m["n"])
        return (-n if m["sign"] == "-" else n), _UNITS[m["unit"]]
    return None


def _clock_shift(s: str, now: datetime) -> datetime | None:
    """Hours and minutes from now, as elapsed time (so correct across DST)."""
    rel = _relative(s)
    if rel is None or rel[1] not in ("hour", "minute"):
        return None
    n, unit = rel
    delta = timedelta(hours=n) if unit == "hour" else timedelta(minutes=n)
    return (now.astimezone(timezone.utc) + delta).astimezone(now.tzinfo)


def _day(s: str, now: datetime) -> tuple[date, time] | None:
    """Return the day a day form means and the time of day to use without a time."""
    explicit = _explicit_date(s, now.date())
    if explicit is not None:
        return explicit, time(12, tzinfo=now.tzinfo)
    today = now.date()
    keep = now.timetz()
    if s in _DAY_WORDS:
        return today + timedelta(days=_DAY_WORDS[s]), keep
    if s in _MONTH_END_WORDS:
        return today.replace(day=calendar.monthrange(today.year, today.month)[1]), keep
    m = _WEEKDAY.fullmatch(s)
    if m is not None and m["name"] in _WEEKDAYS:
        target = _WEEKDAYS[m["name"]]
        if m["which"] == "last":
            back = (today.weekday() - target) % 7 or 7
            return today - timedelta(days=back), keep
        ahead = (target - today.weekday()) % 7 or 7
        return today + timedelta(days=ahead), keep
    rel = _relative(s)
    if rel is None:
        return None
    n, unit = rel
    if unit == "day":
        return today + timedelta(days=n), keep
    if unit == "week":
        return today + timedelta(weeks=n), keep
    if unit == "month":
        return _add_months(today, n), keep
    if unit == "year":
        return _add_months(today, 12 * n), keep
    return None  # hours and minutes are not day forms


def _explicit_date(s: str, today: date) -> date | None:
    """A date written out: ISO, slashes, month names, 年月日; None for any other form."""
    for pattern in (_ISO_DATE, _SLASH_YMD, _KANJI_DATE):
        m = pattern.fullmatch(s)
        if m is not None:
            month, day = int(m["mo"]), int(m["d"])
            if m["y"] is None:
                return _nearest(month, day, today)
            return _make_date(int(m["y"]), month, day)
    m = _SLASH_MD.fullmatch(s)
    if m is not None:
        return _nearest(int(m["mo"]), int(m["d"]), today)
    m = _MONTH_DAY.fullmatch(s) or _DAY_MONTH.fullmatch(s)
    if m is None or m["month"] not in _MONTHS:
        return None
    month, day = _MONTHS[m["month"]], int(m["d"])
    if m["suffix"] is not None and _ordinal(day) != f"{day}{m['suffix']}":
        return None  # "1nd"
    if m["y"] is None:
        return _nearest(month, day, today)
    return _make_date(int(m["y"]), month, day)


def _add_months(day: date, months: int) -> date:
    """Add months, clamping the day to the end of the resulting month."""
    year, month0 = divmod(day.year * 12 + day.month - 1 + months, 12)
    if not 1 <= year <= 9999:
        msg = "year out of range"
        raise ValueError(msg)
    last = calendar.monthrange(year, month0 + 1)[1]
    return date(year, month0 + 1, min(day.day, last))


def local_day(moment: datetime, *, now: datetime) -> date:
    """The calendar day `moment` falls on where the user is (now's place, DST included)."""
    if _system_rules(now):
        try:
            return moment.astimezone().date()
        except (OverflowError, ValueError, OSError):
            pass
    return moment.astimezone(now.tzinfo).date()


def gives_time(text: str) -> bool:
    """Whether `text` names a time of day as well as a day (`fri 18:00`, `in 2 hours`).

    A one-off promise given a time is overdue once that time has passed.
    """
    s = " ".join(text.lower().split())
    if _ISO_DATETIME.fullmatch(s) or s == "now":
        return True
    rel = _relative(s)
    if rel is not None:
        return rel[1] in ("hour", "minute")
    m = _TIME_SUFFIX.search(s)
    if m is None or (m["mi"] is None and m["ampm"] is None):
        return False
    head = s[: m.start()]
    return not head or _day(head, _ANY_NOW) is not None  # only the grammar matters here


_ANY_NOW = datetime(2000, 1, 3, 12, tzinfo=timezone.utc)
