"""Moments as the database keeps them: ISO 8601 to the second, most of them in UTC.

A first sync writes three of them for each of a million notes (its time, that
time in UTC, when it was made). datetime's `astimezone` and `isoformat` take
about 7 µs a note for that; the arithmetic here about 1 µs, and gives the same
text (tests/test_utctext.py compares them on random moments and clocks).
"""

from __future__ import annotations

from datetime import date, datetime, timezone

from handoff_cli import stamps

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_EPOCH_DAY = _EPOCH.toordinal()
_DAYS: dict[int, str] = {}  # days since 1970 -> YYYY-MM-DD (a few thousand at most)
_TIMES: dict[int, str] = {}  # seconds into the day -> THH:MM:SS+00:00 (86,400 at most)
_CANONICAL: Callable[[str], object] | None = None  # `seconds_text`'s pattern, on first use


def _utc_text(days: int, seconds: int) -> str:
    day = _DAYS.get(days)
    if day is None:
        day = _DAYS[days] = date.fromordinal(_EPOCH_DAY + days).isoformat()
    time = _TIMES.get(seconds)
    if time is None:
        hours, rest = divmod(seconds, 3600)
        minutes, secs = divmod(rest, 60)
        time = _TIMES[seconds] = f"T{hours:02d}:{minutes:02d}:{secs:02d}+00:00"
    return day + time


def utc_iso(moment: datetime) -> str:
    """`moment` in UTC, to the second: `moment.astimezone(timezone.utc)
    .isoformat(timespec="seconds")`."""
    if moment.tzinfo is None or not 1 < moment.year < 9999:  # local time; the edges
        return moment.astimezone(timezone.utc).isoformat(timespec="seconds")
    since = moment - _EPOCH  # exact, whatever the offset (days, then 0 <= seconds < 86400)
    return _utc_text(since.days, since.seconds)


def clock_time(clock: str) -> str:
    """A change's clock as the UTC time it was made (for created_at columns)."""
    ms, _ = stamps.parse(clock)  # 13 digits: 1970 to 2286
    days, seconds = divmod(ms // 1000, 86400)
    return _utc_text(days, seconds)


def seconds_text(text: str, moment: datetime) -> str:
    """`moment.isoformat(timespec="seconds")`, where `moment` was read from `text`:
    `text` itself when it is already in that form, as every handoff writes it."""
    global _CANONICAL
    if _CANONICAL is None:
        import re

        # The offset's minutes below 60 (+05:60 reads as +06:00), and not -00:00 (+00:00)
        _CANONICAL = re.compile(
            r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}"
            r"(?!-00:00)[+-][0-9]{2}:[0-5][0-9]"
        ).fullmatch
    if _CANONICAL(text) is not None:
        return text
    return moment.isoformat(timespec="seconds")
