"""What each command writes, as change records handed to the applier.

These functions check a command's input against the database (the client
exists, the promise is open, a `done` covers something), build the changes,
apply them through `Store.apply` and return what the command prints. Call
them inside `store.write()`; the CLI decides "now" and passes it in.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from handoff_cli.changes import derived_uuid, new_uuid
from handoff_cli.errors import BadInput
from handoff_cli.names import name_key, require_utf8, required_name

# `handoff log` comes through here on every note: typing, the models (dataclasses)
# and coverage (typing) are loaded by the functions that need them (issue 13).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from types import TracebackType
    from typing import Any

    from handoff_cli import coverage
    from handoff_cli.models import Client, Completion, Contact, Note, Promise
    from handoff_cli.store import Store, Writer

    ClientRow = tuple[int, str, str]  # id, uuid, name (Store.find_client_row)


def _apply_one(store: Store, w: Writer, kind: str, entity: str, body: dict[str, Any]) -> None:
    store.apply([w.change(kind, entity, body)])


# ------------------------------------------------------------------- clients


def client_for_write(
    store: Store, w: Writer, name: str, *, new_client: bool
) -> tuple[Client, bool]:
    """The client called `name`, created if new (refused if a likely typo, unless `new_client`)."""
    from handoff_cli.models import Client

    row, created = client_row_for_write(store, w, name, new_client=new_client)
    return Client(*row), created


def client_row_for_write(
    store: Store, w: Writer, name: str, *, new_client: bool
) -> tuple[ClientRow, bool]:
    """`client_for_write` as (id, uuid, name), for `log`, which makes no model."""
    shown = required_name(name, "a client name")
    found = store.find_client_row(shown)
    if found:
        return found, False
    if not new_client:
        close = store.close_client(name_key(shown))
        if close:
            quote = ' (quote names with spaces: "' + close + '")' if " " in close else ""
            msg = (
                f"no client '{shown}' yet; did you mean '{close}'?{quote} "
                f"(add --new-client to create '{shown}')"
            )
            raise BadInput(msg)
    entity = new_uuid()
    _apply_one(store, w, "client.create", entity, {"name": shown})
    created = store.find_client_row(shown)
    assert created is not None
    return created, True


def rename_client(store: Store, w: Writer, client: Client, new_name: str) -> Client:
    shown = required_name(new_name, "a client name")
    other = store.find_client(shown)
    if other is not None and other.id != client.id:
        msg = (
            f"'{other.name}' already exists; to make them one client, "
            f"`handoff merge '{client.name}' '{other.name}'`"
        )
        raise BadInput(msg)
    _apply_one(store, w, "client.rename", client.uuid, {"name": shown})
    return store.client_by_id(client.id)


def merge_clients(store: Store, w: Writer, source: Client, target: Client) -> dict[str, int]:
    """Make `source` part of `target` (INTO's name stands). Returns how many of each moved."""
    if source.id == target.id:
        msg = f"'{source.name}' and '{target.name}' are already one client"
        raise BadInput(msg)
    moved = {
        "notes": _count(store, "notes", source.id),
        "promises": _count(store, "promises", source.id),
        "contacts": _count(store, "contacts", source.id),
    }
    _apply_one(store, w, "client.merge", source.uuid, {"into": target.uuid, "name": target.name})
    return moved


def _count(store: Store, table: str, client_id: int) -> int:
    return int(
        store.conn.execute(
            f"SELECT count(*) FROM {table} WHERE client_id = ?", [client_id]
        ).fetchone()[0]
    )


# ------------------------------------------------------------------ contacts

NEW_CONTACT_FLAG = "--new-contact"


def person_for_write(
    store: Store, client: Client, name: str, *, new_contact: bool
) -> tuple[str, str]:
    """How a note or promise names the person called `name` at the client: (uuid, name).

    Someone listed there (by name, a name they had, or an alias) is named by
    their uuid. A new name is refused when it is a likely typo of a listed
    person's (`高橋` when `高橋 誠` is there), unless `new_contact`, and always
    when it was a removed contact's: a removal is for good. Otherwise it is a
    new person, under a uuid derived from the client and the name, so two
    machines naming them alike agree.
    """
    shown = required_name(name, "a contact name")
    found = store.contact_reference(client, shown)
    if found is not None:
        return found
    _refuse_removed(store, client, shown)
    if not new_contact:
        close = store.close_contact(client, name_key(shown))
        if close:
            quote = ' (quote names with spaces: "' + close + '")' if " " in close else ""
            msg = (
                f"no contact '{shown}' at {client.name} yet; did you mean '{close}'?{quote} "
                f"(add {NEW_CONTACT_FLAG} to add '{shown}')"
            )
            raise BadInput(msg)
    return derived_uuid(client.uuid, name_key(shown)), shown


def _refuse_removed(store: Store, client: Client, name: str) -> None:
    removed = store.removed_contact(client, name)
    if removed is not None:
        msg = (
            f"'{removed}' was removed from {client.name}'s contacts, for good; "
            "someone new needs a name of their own (a full name, say)"
        )
        raise BadInput(msg)


def listed_contact(store: Store, client: Client, name: str) -> Contact:
    """The listed person called `name` (or an alias of theirs), or a BadInput saying why not."""
    shown = required_name(name, "a contact name")
    found = store.find_contact(client, shown)
    if found is not None:
        return store.contact(client, found.id)
    _refuse_removed(store, client, shown)
    close = store.close_contact(client, name_key(shown))
    hint = f"; did you mean '{close}'?" if close else f"; `handoff show '{client.name}'` lists them"
    msg = f"no contact '{shown}' at {client.name}{hint}"
    raise BadInput(msg)


def set_contact(
    store: Store,
    w: Writer,
    client: Client,
    name: str,
    *,
    role: str | None,
    email: str | None,
    phone: str | None,
    new_contact: bool = False,
) -> tuple[Contact, bool]:
    """Add a contact, or change the fields given (None leaves a field as it is)."""
    shown = required_name(name, "a contact name")
    fields = {
        k: require_utf8(v, f"the {k}")
        for k, v in (("role", role), ("email", email), ("phone", phone))
        if v is not None
    }
    existing = store.find_contact(client, shown)
    if existing is None:
        entity, shown = person_for_write(store, client, shown, new_contact=new_contact)
        _apply_one(
            store, w, "contact.create", entity, {"client": client.uuid, "name": shown, **fields}
        )
    elif fields:
        _apply_one(store, w, "contact.set", existing.uuid, fields)
    person = store.find_contact(client, shown)
    assert person is not None
    return store.contact(client, person.id), existing is None


def rename_contact(
    store: Store, w: Writer, client: Client, person: Contact, new_name: str
) -> Contact:
    """Call the person `new_name` from now on; the names they had still find them."""
    shown = required_name(new_name, "a contact name")
    other = store.find_contact(client, shown)
    if other is not None and other.id != person.id:
        msg = (
            f"'{other.name}' is another contact at {client.name}; to make them one person, "
            f"`handoff contact merge '{client.name}' '{person.name}' '{other.name}'`"
        )
        raise BadInput(msg)
    _apply_one(store, w, "contact.rename", person.uuid, {"name": shown})
    return store.contact(client, person.id)


def merge_contacts(
    store: Store, w: Writer, client: Client, source: Contact, target: Contact
) -> tuple[Contact, int, int]:
    """Make `source` part of `target` (INTO's name stands): (the person, notes, promises)."""
    if source.id == target.id:
        msg = f"'{source.name}' and '{target.name}' are already one contact"
        raise BadInput(msg)
    notes, _ = store.contact_uses(source)
    promises = int(
        store.conn.execute(
            "SELECT count(*) FROM promises WHERE contact_id = ?", [source.id]
        ).fetchone()[0]
    )
    _apply_one(store, w, "contact.merge", source.uuid, {"into": target.uuid, "name": target.name})
    found = store.find_contact(client, target.name)
    assert found is not None
    return store.contact(client, found.id), notes, promises


def alias_contact(store: Store, w: Writer, client: Client, person: Contact, alias: str) -> Contact:
    """The person answers to `alias` too (`--with`, `--to`, every command that names them)."""
    shown = required_name(alias, "an alias")
    key = name_key(shown)
    if key == name_key(person.name):
        msg = f"'{shown}' is already {person.name}'s name"
        raise BadInput(msg)
    other = store.find_contact(client, shown)
    if other is not None and other.id != person.id:
        msg = (
            f"'{other.name}' is another contact at {client.name}; if they are one person, "
            f"`handoff contact merge '{client.name}' '{other.name}' '{person.name}'`"
        )
        raise BadInput(msg)
    _refuse_removed(store, client, shown)
    _apply_one(store, w, "contact.alias", person.uuid, {"alias": shown, "name": person.name})
    return store.contact(client, person.id)


def remove_contact(store: Store, w: Writer, person: Contact) -> None:
    """Take the person off the client's contacts for good (notes that named them keep
    their name; promises owed to them still are, until `modify --to`)."""
    _apply_one(store, w, "contact.remove", person.uuid, {})


# --------------------------------------------------------------------- notes


class _ClientRef:
    __slots__ = ("id", "uuid", "name")

    def __init__(self, client_id: int, uuid: str, name: str) -> None:
        self.id, self.uuid, self.name = client_id, uuid, name


def add_note(
    store: Store,
    w: Writer,
    client: Client,
    *,
    at: datetime,
    kind: str,
    text: str,
    author: str,
    with_: Sequence[str] = (),
    tags: Sequence[str] = (),
    on: Promise | None = None,
    new_contact: bool = False,
) -> Note:
    """Log a note; the contacts it names are made if new (see `person_for_write`)."""
    note_id = add_note_row(
        store, w, (client.id, client.uuid, client.name), at=at, kind=kind, text=text,
        author=author, with_=with_, tags=tags, on=on, new_contact=new_contact,
    )  # fmt: skip
    return store.note(note_id)


def add_note_row(
    store: Store,
    w: Writer,
    client: ClientRow,
    *,
    at: datetime,
    kind: str,
    text: str,
    author: str,
    with_: Sequence[str] = (),
    tags: Sequence[str] = (),
    on: Promise | None = None,
    new_contact: bool = False,
) -> int:
    """`add_note` for the client (id, uuid, name), returning the new note's id: `log`
    reads nothing back (issue 13)."""
    names = list(dict.fromkeys(required_name(n, "a contact name") for n in with_))
    found = _ClientRef(*client)  # the attributes person_for_write reads; `log` makes no model
    people = [
        person_for_write(store, found, n, new_contact=new_contact)  # type: ignore[arg-type]
        for n in names
    ]
    entity = new_uuid()
    body: dict[str, Any] = {
        "client": client[1],
        "at": at.isoformat(timespec="seconds"),
        "kind": kind,
        "text": text,
        "author": author,
    }
    if people:
        body["with"] = [name for _, name in people]
        body["with_ids"] = [uuid for uuid, _ in people]
    cleaned = [require_utf8(t, "the tag") for t in tags]
    if cleaned:
        body["tags"] = cleaned
    if on is not None:
        body["on"] = on.uuid
    applier = store.apply([w.change("note.add", entity, body)])
    return applier.created[entity]


def edit_note(store: Store, w: Writer, note: Note, text: str) -> Note:
    _apply_one(store, w, "note.edit", note.uuid, {"text": text})
    return store.note(note.id)


def remove_note(store: Store, w: Writer, note: Note) -> None:
    _apply_one(store, w, "note.remove", note.uuid, {})


# ------------------------------------------------------------------ promises


def schedule_body(
    rule: str | None,
    start: date,
    *,
    after_done: bool,
    due_at: datetime | None = None,
    covered_through: date | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {"rule": rule, "start": start.isoformat(), "after_done": after_done}
    if due_at is not None:
        body["due_at"] = due_at.isoformat(timespec="seconds")
    if covered_through is not None:
        body["covered_through"] = covered_through.isoformat()
    return body


def add_promise(
    store: Store,
    w: Writer,
    client: Client,
    *,
    title: str,
    to: str | None,
    rule: str | None,
    start: date,
    after_done: bool,
    due_at: datetime | None,
    owner: str,
    new_contact: bool = False,
) -> Promise:
    entity = new_uuid()
    body: dict[str, Any] = {
        "client": client.uuid,
        "title": title,
        "schedule": schedule_body(rule, start, after_done=after_done, due_at=due_at),
        "owner": owner,
    }
    if to:
        body["to_id"], body["to"] = person_for_write(store, client, to, new_contact=new_contact)
    applier = store.apply([w.change("promise.create", entity, body)])
    return store.promise(applier.created[entity])


def _open(promise: Promise, doing: str) -> None:
    if promise.status in ("done", "dropped"):
        msg = f"promise #{promise.id} is already {promise.status}"
        raise BadInput(msg)
    if promise.status == "paused":
        msg = (
            f"promise #{promise.id} is paused; `handoff resume {promise.id}` first"
            f" (occurrences are not owed while it is paused, so there is nothing to {doing})"
        )
        raise BadInput(msg)


class _about:  # a class, not @contextmanager: `log` does not import contextlib
    """A refusal from the coverage rules, said about this promise: `with _about(p):`."""

    def __init__(self, promise: Promise) -> None:
        self.promise = promise

    def __enter__(self) -> None:
        return None

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if isinstance(exc, BadInput):
            msg = f"promise #{self.promise.id}: {exc.message}"
            raise type(exc)(msg) from None


def plan_of(promise: Promise) -> coverage.Plan:
    from handoff_cli import coverage

    return coverage.Plan(promise.rule, promise.start, promise.after_done, promise.covered_through)


def done(
    store: Store,
    w: Writer,
    promise: Promise,
    *,
    at: datetime,
    day: date,
    today: date,
    early: bool = False,
    for_day: date | None = None,
    note: Note | None = None,
) -> tuple[Promise, tuple[date, ...]]:
    """Record that `promise` was kept on `day`; returns it after, and what this covered."""
    from handoff_cli import coverage

    _check_done_day(promise, day, today)
    marks, intervals = store.marks(promise.id)
    with _about(promise):
        covers = coverage.covers_for_done(
            plan_of(promise), marks, intervals, day=day, early=early, for_day=for_day
        )
    _mark(store, w, promise, "done", at=at, day=day, covers=covers, note=note)
    return store.promise(promise.id), covers


def check_done(
    store: Store,
    promise: Promise,
    *,
    day: date,
    today: date,
    early: bool = False,
    for_day: date | None = None,
) -> None:
    """Refuse, as `done` would, before anything else is written (its timeline note, `log`)."""
    from handoff_cli import coverage

    _check_done_day(promise, day, today)
    marks, intervals = store.marks(promise.id)
    with _about(promise):
        coverage.covers_for_done(
            plan_of(promise), marks, intervals, day=day, early=early, for_day=for_day
        )


def _check_done_day(promise: Promise, day: date, today: date) -> None:
    """Refuse a done dated in the future, or back-dated to before the promise started."""
    _open(promise, "do")
    if day > today:
        msg = f"promise #{promise.id} cannot be done in the future ({day.isoformat()}); check --at"
        raise BadInput(msg)
    if day < promise.start and day != today and promise.rule is not None:
        msg = (
            f"promise #{promise.id} starts {promise.start.isoformat()}; "
            f"it cannot have been done on {day.isoformat()} (check --at)"
        )
        raise BadInput(msg)


def check_skip(store: Store, promise: Promise, *, for_day: date | None = None) -> None:
    """Refuse, as `skip` would, before anything else is written."""
    from handoff_cli import coverage

    _open(promise, "skip")
    marks, intervals = store.marks(promise.id)
    with _about(promise):
        coverage.covers_for_skip(plan_of(promise), marks, intervals, for_day=for_day)


def skip(
    store: Store,
    w: Writer,
    promise: Promise,
    *,
    at: datetime,
    day: date,
    for_day: date | None = None,
    note: Note | None = None,
) -> tuple[Promise, tuple[date, ...]]:
    from handoff_cli import coverage

    _open(promise, "skip")
    marks, intervals = store.marks(promise.id)
    with _about(promise):
        covers = coverage.covers_for_skip(plan_of(promise), marks, intervals, for_day=for_day)
    _mark(store, w, promise, "skip", at=at, day=day, covers=covers, note=note)
    return store.promise(promise.id), covers


def _mark(
    store: Store,
    w: Writer,
    promise: Promise,
    kind: str,
    *,
    at: datetime,
    day: date,
    covers: Sequence[date],
    note: Note | None,
) -> None:
    body: dict[str, Any] = {
        "kind": kind,
        "at": at.isoformat(timespec="seconds"),
        "day": day.isoformat(),
        "covers": [d.isoformat() for d in covers],
    }
    if note is not None:
        body["note"] = note.uuid
    _apply_one(store, w, "promise.mark", promise.uuid, body)


class Undone:
    """What `undo` took back: the mark, what it uncovered, and what others still cover."""

    def __init__(
        self,
        promise: Promise,
        mark: Any,
        uncovered: tuple[date, ...],
        still: list[tuple[date, str, str | None]],
    ) -> None:
        self.promise = promise
        self.mark = mark
        self.uncovered = uncovered
        # (occurrence, the stamp of a mark that still covers it, the author of its note)
        self.still = still


def undo(store: Store, w: Writer, promise: Promise, *, at: datetime) -> Undone:
    """Take back my latest completion or skip of `promise`."""
    from handoff_cli import stamps

    full = store.promise(promise.id, with_completions=True)
    mine = [c for c in full.completions if not c.undone and stamps.member_of(c.stamp) == w.member]
    if not mine:
        others = [c for c in full.completions if not c.undone]
        why = " (the ones there are were made elsewhere)" if others else ""
        msg = f"promise #{promise.id} has no completion or skip of yours to undo{why}"
        raise BadInput(msg)
    latest = max(mine, key=lambda c: c.stamp)
    _apply_one(
        store,
        w,
        "promise.undo",
        promise.uuid,
        {"mark": latest.uuid, "at": at.isoformat(timespec="seconds")},
    )
    after = store.promise(promise.id, with_completions=True)
    covering: dict[date, Completion] = {}
    for c in after.completions:
        if not c.undone:
            for d in c.covers:
                covering.setdefault(d, c)
    uncovered = tuple(d for d in latest.covers if d not in covering)
    still = [
        (d, covering[d].stamp, _author_of(store, covering[d].note_uuid))
        for d in latest.covers
        if d in covering
    ]
    return Undone(after, latest, uncovered, still)


def _author_of(store: Store, note_uuid: str | None) -> str | None:
    """Who wrote the timeline note of a completion: whose it is (None if it is not here)."""
    if note_uuid is None:
        return None
    row = store.conn.execute("SELECT author FROM notes WHERE uuid = ?", [note_uuid]).fetchone()
    return None if row is None else str(row[0])


def drop(store: Store, w: Writer, promise: Promise) -> Promise:
    if promise.status == "dropped":
        msg = f"promise #{promise.id} is already dropped"
        raise BadInput(msg)
    if promise.status == "done":
        msg = f"promise #{promise.id} is done; cannot drop it"
        raise BadInput(msg)
    _apply_one(store, w, "promise.set", promise.uuid, {"status": "dropped"})
    return store.promise(promise.id)


def pause(store: Store, w: Writer, promise: Promise, *, today: date, until: date | None) -> Promise:
    if promise.status != "open":
        msg = f"promise #{promise.id} is {promise.status}; cannot pause it"
        raise BadInput(msg)
    if until is not None and until <= today:
        msg = f"--until must be after today ({today.isoformat()}); it was {until.isoformat()}"
        raise BadInput(msg)
    body: dict[str, Any] = {"from": today.isoformat()}
    if until is not None:
        body["until"] = until.isoformat()
    _apply_one(store, w, "promise.pause", promise.uuid, body)
    return store.promise(promise.id)


def resume(store: Store, w: Writer, promise: Promise, *, today: date) -> Promise:
    if promise.status != "paused":
        msg = f"promise #{promise.id} is {promise.status}; cannot resume it"
        raise BadInput(msg)
    _apply_one(store, w, "promise.resume", promise.uuid, {"on": today.isoformat()})
    return store.promise(promise.id)


def take(store: Store, w: Writer, promise: Promise, *, owner: str) -> Promise:
    if promise.owner != owner:
        _apply_one(store, w, "promise.set", promise.uuid, {"owner": owner})
    return store.promise(promise.id)


def modify(
    store: Store,
    w: Writer,
    promise: Promise,
    *,
    title: str | None = None,
    to: str | None = None,
    client: Client | None = None,
    schedule: dict[str, Any] | None = None,
    new_contact: bool = False,
) -> Promise:
    """Change the fields given; a new schedule keeps what the old one had covered."""
    body: dict[str, Any] = {}
    if title is not None:
        body["title"] = title
    if client is not None and client.name != promise.client:
        body["client"] = client.uuid
    if to is not None:
        target = client or store.client(promise.client)
        if to.strip():
            body["to_id"], body["to"] = person_for_write(store, target, to, new_contact=new_contact)
        else:
            body["to"] = None
    if schedule is not None:
        body["schedule"] = schedule
    if not body:
        msg = (
            "nothing to change; give --title, --to, --every, --due, --start, "
            "--after-done, --calendar or --client"
        )
        raise BadInput(msg)
    _apply_one(store, w, "promise.set", promise.uuid, body)
    return store.promise(promise.id)
