"""The JSON shapes of the contract (PRODUCT.md), one function per record.

Both `--json` output and the bundle start from these, so a field scripts rely
on is spelled in one place. Plain dicts of JSON types; no I/O.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from handoff_cli.models import Contact, DueItem, Note, PausedItem, Promise

if TYPE_CHECKING:
    from handoff_cli.agenda import Agenda
    from handoff_cli.store_queries import Hit


def note_record(note: Note) -> dict[str, Any]:
    return {
        "id": note.id,
        "uuid": note.uuid,
        "client": note.client,
        "at": note.at.isoformat(),
        "kind": note.kind,
        "text": note.text,
        "author": note.author,
        "with": list(note.with_),
        "tags": list(note.tags),
        "on": note.on_promise,
    }


def contact_record(contact: Contact) -> dict[str, Any]:
    """A contact; `also_known_as` lists the other names they answer to (`contact alias`)."""
    return {
        "id": contact.id,
        "uuid": contact.uuid,
        "name": contact.name,
        "role": contact.role,
        "email": contact.email,
        "phone": contact.phone,
        "also_known_as": list(contact.aliases),
    }


def contact_removed_record(
    client: str, contact: Contact, notes: int, owed: Sequence[int]
) -> dict[str, Any]:
    """`contact rm --json`: who was removed (as they were), how many notes still name
    them, and the ids of the open promises still owed to them."""
    return {
        "client": client,
        "removed": contact_record(contact),
        "notes": notes,
        "owed": list(owed),
    }


def contact_renamed_record(contact: Contact, old_name: str) -> dict[str, Any]:
    """`contact rename --json`: the contact after, and the name it had."""
    return {**contact_record(contact), "old_name": old_name}


def contact_merged_record(
    client: str, source: str, contact: Contact, notes: int, promises: int
) -> dict[str, Any]:
    """`contact merge --json`: FROM's name, the contact after (INTO), what moved."""
    return {
        "client": client,
        "from": source,
        "into": contact_record(contact),
        "notes": notes,
        "promises": promises,
    }


def promise_record(promise: Promise) -> dict[str, Any]:
    """The contract's fields, then what both --json and the bundle add."""
    return {
        "id": promise.id,
        "uuid": promise.uuid,
        "client": promise.client,
        "title": promise.title,
        "to": promise.to,
        "owner": promise.owner,
        "rule": promise.rule,
        "next_due": promise.next_due.isoformat() if promise.next_due else None,
        "status": promise.status,
        "start": promise.start.isoformat(),
        "after_done": promise.after_done,
        "due_at": promise.due_at.isoformat() if promise.due_at else None,
        "paused_until": promise.paused_until.isoformat()
        if promise.status == "paused" and promise.paused_until
        else None,
    }


def due_record(
    as_of: date, items: Sequence[DueItem], paused: Sequence[PausedItem]
) -> dict[str, Any]:
    """`due --json`."""
    return {
        "as_of": as_of.isoformat(),
        "items": [
            {
                "id": i.promise_id,
                "client": i.client,
                "title": i.title,
                "to": i.to,
                "owner": i.owner,
                "due": i.due.isoformat(),
                "due_at": i.due_at.isoformat() if i.due_at else None,
                "status": i.status,
                "days_overdue": i.days_overdue,
                "missed": i.missed,
            }
            for i in items
        ],
        "paused": [
            {
                "id": p.promise_id,
                "client": p.client,
                "title": p.title,
                "owner": p.owner,
                "until": p.until.isoformat() if p.until else None,
            }
            for p in paused
        ],
    }


def search_hit_record(hit: Hit) -> dict[str, Any]:
    """One `search --json` result; a promise's also has its `status` (open, paused, done,
    dropped), so a script can tell a kept promise from an open one."""
    record = {
        "type": hit.type,
        "id": hit.id,
        "client": hit.client,
        "at": hit.at.isoformat() if hit.at else None,
        "text": hit.text,
    }
    if hit.type == "promise":
        record["status"] = hit.status
    return record


def agenda_record(agenda: Agenda) -> dict[str, Any]:
    """`agenda --json`: the window, what was overdue when it opens, and each occurrence."""
    return {
        "from": agenda.start.isoformat(),
        "until": agenda.end.isoformat(),
        "overdue": [
            {
                "id": o.promise.id,
                "client": o.promise.client,
                "title": o.promise.title,
                "to": o.promise.to,
                "due": o.due.isoformat(),
                "days_overdue": o.days_overdue,
                "missed": o.missed,
            }
            for o in agenda.overdue
        ],
        "items": [
            {
                "date": day.isoformat(),
                "id": p.id,
                "client": p.client,
                "title": p.title,
                "to": p.to,
                "rule": p.rule,
            }
            for day, promises in agenda.days.items()
            for p in promises
        ],
    }
