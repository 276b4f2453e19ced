"""iCalendar: the open promises as all-day events that ordinary calendars import.

Built with the `icalendar` library, which escapes text and folds lines as
RFC 5545 requires. Each promise is one VEVENT with a stable UID (from its
uuid, so importing a newer export updates the same events): a one-off on its
due day, a recurring one from its next due date with its RRULE. Pure: the
caller passes every date and the rule to write.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import icalendar

from handoff_cli import __version__
from handoff_cli.formats._text import no_surrogates, visible
from handoff_cli.models import Promise

PRODID = f"-//handoff//handoff-cli {__version__}//EN"


@dataclass(frozen=True)
class Entry:
    promise: Promise  # open, with a next due date
    rule: str | None  # the RRULE to write, counted from promise.next_due; None: one day
    cadence: str | None  # the rule in words
    to_role: str | None = None


def uid(promise: Promise) -> str:
    return f"{promise.uuid}@handoff"


def _text(value: str) -> str:
    return no_surrogates(visible(value))


def render(entries: Sequence[Entry], *, exported_at: datetime, author: str) -> str:
    """The calendar's text (CRLF line ends, folded at 75 octets)."""
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", _text(f"handoff: promises from {author}"))
    stamp = exported_at.astimezone(timezone.utc)
    for entry in entries:
        cal.add_component(_event(entry, stamp))
    return str(cal.to_ical().decode("utf-8"))


def _event(entry: Entry, stamp: datetime) -> icalendar.Event:
    promise = entry.promise
    assert promise.next_due is not None
    event = icalendar.Event()
    event.add("uid", uid(promise))
    event.add("dtstamp", stamp)
    event.add("dtstart", promise.next_due)
    event.add("dtend", promise.next_due + timedelta(days=1))
    if entry.rule:
        event.add("rrule", icalendar.vRecur.from_ical(entry.rule.removeprefix("RRULE:")))
    event.add("summary", _text(f"{promise.title} ({promise.client})"))
    details = [f"Client: {promise.client}"]
    if promise.to:
        role = f" ({entry.to_role})" if entry.to_role else ""
        details.append(f"To: {promise.to}{role}")
    if entry.cadence:
        details.append(f"Every: {entry.cadence}")
    else:
        details.append("One-off, due this day.")
    event.add("description", _text("\n".join(details)))
    event.add("categories", [_text(promise.client)])
    event.add("transp", "TRANSPARENT")
    return event
