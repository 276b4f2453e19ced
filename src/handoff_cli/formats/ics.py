"""iCalendar: the open promises as all-day events that ordinary calendars import.

Built with the `icalendar` library, which escapes text and folds lines as
RFC 5545 requires. Each promise is one VEVENT with a stable UID (from its
uuid, so importing a newer export updates the same events): a one-off on its
due day, a recurring one from its next due date with its RRULE. Pure: the
caller passes every date and the rule to write.

The file is a calendar to import or subscribe to, not a scheduling message,
so it has no METHOD: METHOD:PUBLISH makes it an iTIP message (RFC 5546),
which must name an ORGANIZER on every event, and handoff knows its author's
name but no address for one (libical's iTIP check refuses PUBLISH without
it). Titles are written on one line, as in the Markdown export: a SUMMARY
is a calendar entry's one-line name.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import icalendar

from handoff_cli import __version__
from handoff_cli.formats._text import no_surrogates, one_line, visible
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


def _line(value: str) -> str:
    """``value`` on one line (newlines become spaces), control characters visible."""
    return no_surrogates(one_line(value))


def render(entries: Sequence[Entry], *, exported_at: datetime, author: str) -> str:
    """The calendar's text (CRLF line ends, folded at 75 octets)."""
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", _line(f"handoff: promises from {author}"))
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
    event.add("summary", _line(f"{promise.title} ({promise.client})"))
    details = [_line(f"Client: {promise.client}")]
    if promise.to:
        role = f" ({entry.to_role})" if entry.to_role else ""
        details.append(_line(f"To: {promise.to}{role}"))
    if entry.cadence:
        details.append(f"Every: {entry.cadence}")
    else:
        details.append("One-off, due this day.")
    event.add("description", _text("\n".join(details)))
    event.add("categories", [_line(promise.client)])
    event.add("transp", "TRANSPARENT")
    return event
