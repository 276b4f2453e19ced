"""Words people type: days of the week (the WHEN and RULE parsers) and kinds of note."""

from __future__ import annotations

# Monday is 0, as in datetime.date.weekday().
WEEKDAYS = {
    "mon": 0,
    "monday": 0,
    "tue": 1,
    "tues": 1,
    "tuesday": 1,
    "wed": 2,
    "weds": 2,
    "wednesday": 2,
    "thu": 3,
    "thur": 3,
    "thurs": 3,
    "thursday": 3,
    "fri": 4,
    "friday": 4,
    "sat": 5,
    "saturday": 5,
    "sun": 6,
    "sunday": 6,
}

# `log --kind`. Here rather than in models.py: `handoff log` checks the kind without
# loading the models (dataclasses costs milliseconds at start-up, issue 13).
NOTE_KINDS = ("call", "meeting", "email", "visit", "note")
