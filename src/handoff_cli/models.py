"""Plain, frozen records that every layer passes around.

Storage returns these; schedule, formats and the CLI consume them. Times are
aware datetimes (with their UTC offset); due dates are plain calendar dates.
They are `record.Record`s, not dataclasses: importing dataclasses cost every
command ≈ 20 ms of start-up (issue 13); they behave as the frozen dataclasses did.
"""

from __future__ import annotations

from handoff_cli.record import Record
from handoff_cli.words import NOTE_KINDS as NOTE_KINDS  # re-exported: its old home

PROMISE_STATUSES = ("open", "paused", "done", "dropped")
MARK_KINDS = ("done", "skip")  # a completion, or a skipped occurrence
PAUSE_KINDS = ("pause", "resume")
DUE_STATUSES = ("overdue", "today", "upcoming")

TYPE_CHECKING = False  # as typing.TYPE_CHECKING, without importing typing
if TYPE_CHECKING:
    from datetime import date, datetime


class Client(Record):
    _fields = ("id", "uuid", "name")
    id: int
    uuid: str
    name: str

    def __init__(self, id: int, uuid: str, name: str) -> None:
        self.__dict__.update(id=id, uuid=uuid, name=name)


class Contact(Record):
    _fields = ("id", "uuid", "client", "name", "role", "email", "phone", "aliases")
    id: int
    uuid: str
    client: str
    name: str
    role: str | None
    email: str | None
    phone: str | None
    aliases: tuple[str, ...]  # other names they answer to (`contact alias`)

    def __init__(
        self,
        id: int,
        uuid: str,
        client: str,
        name: str,
        role: str | None = None,
        email: str | None = None,
        phone: str | None = None,
        aliases: tuple[str, ...] = (),
    ) -> None:
        self.__dict__.update(
            id=id,
            uuid=uuid,
            client=client,
            name=name,
            role=role,
            email=email,
            phone=phone,
            aliases=aliases,
        )


class Note(Record):
    _fields = (
        "id",
        "uuid",
        "client",
        "at",
        "kind",
        "text",
        "author",
        "with_",
        "tags",
        "on_promise",
    )
    id: int
    uuid: str
    client: str
    at: datetime
    kind: str
    text: str
    author: str
    with_: tuple[str, ...]
    tags: tuple[str, ...]
    on_promise: str | None  # `log --on`: the uuid of the promise it is progress on

    def __init__(
        self,
        id: int,
        uuid: str,
        client: str,
        at: datetime,
        kind: str,
        text: str,
        author: str,
        with_: tuple[str, ...] = (),
        tags: tuple[str, ...] = (),
        on_promise: str | None = None,
    ) -> None:
        self.__dict__.update(
            id=id,
            uuid=uuid,
            client=client,
            at=at,
            kind=kind,
            text=text,
            author=author,
            with_=with_,
            tags=tags,
            on_promise=on_promise,
        )


class Completion(Record):
    """A `done` or a `skip` of a promise: when, and the occurrences it covers."""

    _fields = ("uuid", "at", "day", "note_uuid", "kind", "covers", "stamp", "undone")
    uuid: str
    at: datetime
    day: date  # the calendar day it was done (or skipped)
    note_uuid: str | None  # the timeline note recorded with it, if any
    kind: str  # "done" or "skip"
    covers: tuple[date, ...]
    stamp: str  # "clock@member" of the change that made it
    undone: bool  # taken back by `undo`

    def __init__(
        self,
        uuid: str,
        at: datetime,
        day: date,
        note_uuid: str | None = None,
        kind: str = "done",
        covers: tuple[date, ...] = (),
        stamp: str = "",
        undone: bool = False,
    ) -> None:
        self.__dict__.update(
            uuid=uuid,
            at=at,
            day=day,
            note_uuid=note_uuid,
            kind=kind,
            covers=covers,
            stamp=stamp,
            undone=undone,
        )


class Promise(Record):
    _fields = (
        "id",
        "uuid",
        "client",
        "title",
        "to",
        "rule",
        "start",
        "after_done",
        "status",
        "next_due",
        "owner",
        "due_at",
        "paused_from",
        "paused_until",
        "covered_through",
        "completions",
        "created_at",
    )
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
    owner: str
    due_at: datetime | None  # a one-off's deadline when it was given a time
    paused_from: date | None  # the latest pause, if any: its first day
    paused_until: date | None  # and the day it ends (None: until resumed)
    covered_through: date | None  # kept by a rule change (see coverage.Plan)
    completions: tuple[Completion, ...]
    created_at: datetime | None

    def __init__(
        self,
        id: int,
        uuid: str,
        client: str,
        title: str,
        to: str | None,
        rule: str | None,
        start: date,
        after_done: bool,
        status: str,
        next_due: date | None,
        owner: str = "",
        due_at: datetime | None = None,
        paused_from: date | None = None,
        paused_until: date | None = None,
        covered_through: date | None = None,
        completions: tuple[Completion, ...] = (),
        created_at: datetime | None = None,
    ) -> None:
        self.__dict__.update(
            id=id,
            uuid=uuid,
            client=client,
            title=title,
            to=to,
            rule=rule,
            start=start,
            after_done=after_done,
            status=status,
            next_due=next_due,
            owner=owner,
            due_at=due_at,
            paused_from=paused_from,
            paused_until=paused_until,
            covered_through=covered_through,
            completions=completions,
            created_at=created_at,
        )


class DueItem(Record):
    _fields = (
        "promise_id",
        "client",
        "title",
        "to",
        "rule",
        "due",
        "status",
        "days_overdue",
        "missed",
        "owner",
        "due_at",
    )
    promise_id: int
    client: str
    title: str
    to: str | None
    rule: str | None
    due: date
    status: str  # one of DUE_STATUSES
    days_overdue: int
    missed: int
    owner: str
    due_at: datetime | None

    def __init__(
        self,
        promise_id: int,
        client: str,
        title: str,
        to: str | None,
        rule: str | None,
        due: date,
        status: str,
        days_overdue: int,
        missed: int,
        owner: str = "",
        due_at: datetime | None = None,
    ) -> None:
        self.__dict__.update(
            promise_id=promise_id,
            client=client,
            title=title,
            to=to,
            rule=rule,
            due=due,
            status=status,
            days_overdue=days_overdue,
            missed=missed,
            owner=owner,
            due_at=due_at,
        )


class PausedItem(Record):
    _fields = ("promise_id", "client", "title", "until", "owner")
    promise_id: int
    client: str
    title: str
    until: date | None
    owner: str

    def __init__(
        self, promise_id: int, client: str, title: str, until: date | None, owner: str = ""
    ) -> None:
        self.__dict__.update(
            promise_id=promise_id, client=client, title=title, until=until, owner=owner
        )
