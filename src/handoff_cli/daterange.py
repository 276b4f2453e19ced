"""The dates handoff keeps: 1900-01-01 to 2200-12-31, in every time zone.

A moment is stored in UTC and shown in local time, so it must have both forms
wherever its reader lives: `9999-12-31T23:59:59+00:00` has no form east of
UTC, `0001-01-01` none west of it, and either made `show`, `clients` and
`export` fail for whoever received it. A one-off due on 9999-12-31 broke the
iCalendar export (its end is the next day). Two centuries either side of now
are more than any client relationship needs and far from every such edge.

`log --at`, `promise --due/--start` and every other date typed go through
cli/common.py, and every date in an imported bundle through
formats/bundle.py: both check here. Pure: no clock, no I/O.
"""

from __future__ import annotations

from datetime import date, datetime, timezone

FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2200, 12, 31)
RANGE = f"{FIRST_DAY.isoformat()} to {LAST_DAY.isoformat()}"


def day_in_range(day: date) -> bool:
    return FIRST_DAY <= day <= LAST_DAY


def moment_in_range(moment: datetime) -> bool:
    """Whether `moment` (with an offset) falls on a day in range, in UTC."""
    try:
        utc = moment.astimezone(timezone.utc)
    except (OverflowError, ValueError):
        return False
    return day_in_range(utc.date())
