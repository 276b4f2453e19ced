"""Plain, frozen records that every layer passes around.

Storage returns these; schedule, formats and the CLI consume them. Times are
aware datetimes (with their UTC offset); due dates are plain calendar dates.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from handoff_cli.words import NOTE_KINDS as NOTE_KINDS  # re-exported: its old home

PROMISE_STATUSES = ("open", "paused", "done", "dropped")
MARK_KINDS = ("done", "skip")  # a completion, or a skipped occurrence
PAUSE_KINDS = ("pause", "resume")
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
    aliases: tuple[str, ...] = ()  # other names they answer to (`contact alias`)


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
    on_promise: str | None = None  # `log --on`: the uuid of the promise it is progress on


@dataclass(frozen=True)
class Completion:
    """A `done` or a `skip` of a promise: when, and the occurrences it covers."""

    uuid: str
    at: datetime
    day: date  # the calendar day it was done (or skipped)
    note_uuid: str | None = None  # the timeline note recorded with it, if any
    kind: str = "done"  # "done" or "skip"
    covers: tuple[date, ...] = ()
    stamp: str = ""  # "clock@member" of the change that made it
    undone: bool = False  # taken back by `undo`


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
    status: str  # one of PROMISE_STATUSES, as of the store's day (paused or not)
    next_due: date | None
    owner: str = ""
    due_at: datetime | None = None  # a one-off's deadline when it was given a time
    paused_from: date | None = None  # the latest pause, if any: its first day
    paused_until: date | None = None  # and the day it ends (None: until resumed)
    covered_through: date | None = None  # kept by a rule change (see coverage.Plan)
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
    owner: str = ""
    due_at: datetime | None = None


@dataclass(frozen=True)
class PausedItem:
    promise_id: int
    client: str
    title: str
    until: date | None
    owner: str = ""
