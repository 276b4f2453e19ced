"""The JSON shapes of the contract (PRODUCT.md), one function per record.

Both `--json` output and the bundle start from these, so a field scripts rely
on is spelled in one place. Plain dicts of JSON types; no I/O.
"""

from __future__ import annotations

from typing import Any

from handoff_cli.models import Contact, Note, Promise


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
    }


def contact_record(contact: Contact) -> dict[str, Any]:
    return {
        "id": contact.id,
        "uuid": contact.uuid,
        "name": contact.name,
        "role": contact.role,
        "email": contact.email,
        "phone": contact.phone,
    }


def promise_record(promise: Promise) -> dict[str, Any]:
    """The contract's fields, then what both --json and the bundle add."""
    return {
        "id": promise.id,
        "uuid": promise.uuid,
        "client": promise.client,
        "title": promise.title,
        "to": promise.to,
        "rule": promise.rule,
        "next_due": promise.next_due.isoformat() if promise.next_due else None,
        "status": promise.status,
        "start": promise.start.isoformat(),
        "after_done": promise.after_done,
    }
