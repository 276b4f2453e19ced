"""Plain, frozen records that every layer passes around.

Storage returns these; schedule, formats and the CLI consume them. Times are
aware datetimes (with their UTC offset); due dates are plain calendar dates.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

NOTE_KINDS = ("call", "meeting", "email", "visit", "note")
PROMISE_STATUSES = ("open", "paused", "done", "dropped")
DUE_STATUSES = ("overdue", "today", "upcoming")


@dataclass(frozen=True)
class Client:
    id: int
    uuid: str
    name: str


@dataclass(frozen=True)
class Contact:
    id: int
    uuid: str
    client: str
    name: str
    role: str | None = None
    email: str | None = None
    phone: str | None = None


@dataclass(frozen=True)
class Note:
    id: int
    uuid: str
    client: str
    at: datetime
    kind: str
    text: str
    author: str
    with_: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Completion:
    """One `done` of a promise: when it happened and the calendar day it counts for."""

    uuid: str
    at: datetime
    day: date
    note_uuid: str | None = None  # the timeline note recorded with it, if any


@dataclass(frozen=True)
class Promise:
    id: int
    uuid: str
    client: str
    title: str
    to: str | None
    rule: str | None  # canonical RFC 5545 rule (no DTSTART) or None for a one-off
    start: date  # first occurrence of a recurring promise; the due day of a one-off
    after_done: bool
    status: str  # one of PROMISE_STATUSES
    next_due: date | None
    resumed_on: date | None = None  # occurrences before this day are not counted
    completions: tuple[Completion, ...] = field(default=())
    created_at: datetime | None = None


@dataclass(frozen=True)
class DueItem:
    promise_id: int
    client: str
    title: str
    to: str | None
    rule: str | None
    due: date
    status: str  # one of DUE_STATUSES
    days_overdue: int
    missed: int
