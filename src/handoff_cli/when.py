"""Parsing of WHEN words and dates, given `now`.

Pure: no I/O, never reads the clock. The caller decides "now" once, at the
edge, and passes it in as an aware datetime in local time.

Grammar (case-insensitive; surrounding whitespace ignored, inner whitespace
collapsed):

- ISO 8601: ``2026-12-01``, ``2026-12-01T15:30``, ``2026-12-01 15:30``,
  ``2026-12-01T15:30:00+09:00``, ``...Z``. A date-time without an offset gets
  now's tzinfo; one with an offset keeps it. A date alone means that day at
  12:00 local, so converting between nearby offsets keeps the calendar day.
- ``now``, ``today``, ``yesterday``, ``tomorrow``.
- Weekdays (``fri``, ``friday``, ``tue``/``tues``, ``thu``/``thur``/``thurs``,
  ...): the next such day strictly after today; ``next fri`` means the same,
  ``last fri`` the most recent one strictly before today.
- ``in 3 days``, ``3 days ago``, ``in a week``, ``an hour ago``; units day,
  week, month, year, hour, minute (singular or plural).
- ``+2w``, ``-1d``, ``+1m`` (months), ``+1y``, ``+2h``; the sign is required.
- Day forms (not ``now``, hours or minutes) may be followed by a time,
  optionally after ``at``: ``yesterday 15:00``, ``fri 9:30``,
  ``tomorrow at 3pm``. A time alone (``15:00``, ``9am``) means today.

Without a time, word forms keep now's time of day (``yesterday`` is now minus
one day). Month and year arithmetic clamps to the month's end (Jan 31 + 1
month = Feb 28 or 29). Anything else raises `BadInput`, and nothing else is
ever raised for any string.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime, time, timedelta, timezone

from handoff_cli.errors import BadInput
from handoff_cli.words import WEEKDAYS

__all__ = ["WHEN_EXAMPLES", "parse_day", "parse_when"]

WHEN_EXAMPLES = (
    "2026-12-01, 2026-12-01T15:30, today, yesterday 15:00, fri, next fri 9am, "
    "last mon, in 3 days, 2 weeks ago, +2w, -1d"
)

_WEEKDAYS = WEEKDAYS
_DAY_WORDS = {"today": 0, "yesterday": -1, "tomorrow": 1}
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
        result = _parse(" ".join(text.lower().split()), now)
    except (ValueError, OverflowError):  # impossible dates, out-of-range numbers
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


def _require_aware(now: datetime) -> None:
    if now.tzinfo is None or now.utcoffset() is None:
        msg = "now must be an aware datetime"
        raise ValueError(msg)


def _refusal(text: str) -> BadInput:
    shown = "".join(c if c.isprintable() else "?" for c in text.strip())
    if len(shown) > 40:
        shown = shown[:39] + "…"
    return BadInput(f"cannot understand date '{shown}'; try {WHEN_EXAMPLES}")


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
    wall = datetime(
        int(m["y"]),
        int(m["mo"]),
        int(m["d"]),
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
    m = _ISO_DATE.fullmatch(s)
    if m is not None:
        return date(int(m["y"]), int(m["mo"]), int(m["d"])), time(12, tzinfo=now.tzinfo)
    today = now.date()
    keep = now.timetz()
    if s in _DAY_WORDS:
        return today + timedelta(days=_DAY_WORDS[s]), keep
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
