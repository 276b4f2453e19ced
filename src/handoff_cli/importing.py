"""A bundle as change records, for the one applier.

Each record of a bundle becomes the changes that would have made it: a
client's creation (and its other uuids), a contact's fields, a note (and its
edit), a promise (its fields at the stamps they were last changed, its
completions, skips, undos and pauses), the tombstones of removed notes. The
uuids of these changes are derived from what they carry, so importing the same
bundle again adds nothing, and the merge rules are exactly those of `sync`.

A version-1 bundle has no stamps: its records count as older than any
version-2 change, and what each old completion covered is worked out by
replaying the old rule (legacy.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import TYPE_CHECKING, Any

from handoff_cli import coverage, legacy, stamps
from handoff_cli.changes import Change, derived_uuid
from handoff_cli.formats.bundle import Bundle, BundleClient, BundleContact, BundlePromise
from handoff_cli.names import name_key

if TYPE_CHECKING:
    from handoff_cli.store import Store, Writer

DEVICE = "bundle"


def _change(
    kind: str,
    entity: str,
    body: dict[str, Any],
    stamp: str,
    *,
    uuid: str | None = None,
    tag: str = "",
) -> Change:
    clock = stamps.clock_of(stamp) or stamps.ZERO
    member = stamps.member_of(stamp)
    change_uuid = uuid or derived_uuid(kind, entity, tag, stamp)
    return Change(change_uuid, clock, member, DEVICE, kind, entity, body)


def bundle_changes(bundle: Bundle, *, today: date) -> Iterator[Change]:
    """Every change the bundle carries, in an order that needs no waiting."""
    for client in bundle.clients:
        yield from _client(client)
    for client in bundle.clients:
        for note in client.notes:
            body: dict[str, Any] = {
                "client": client.uuid,
                "at": note.at.isoformat(),
                "kind": note.kind,
                "text": note.text,
                "author": note.author,
            }
            if note.with_:
                body["with"] = list(note.with_)
                if len(note.with_ids) == len(note.with_):
                    body["with_ids"] = list(note.with_ids)
            if note.tags:
                body["tags"] = list(note.tags)
            if note.on:
                body["on"] = note.on
            yield _change("note.add", note.uuid, body, note.stamp)
            if note.text_stamp:
                yield _change(
                    "note.edit", note.uuid, {"text": note.text}, note.text_stamp, tag="text"
                )
    for client in bundle.clients:
        for promise in client.promises:
            yield from _promise(client, promise, bundle, today)
    for tomb in bundle.tombstones:
        kind = "contact.remove" if tomb.kind == "contact" else "note.remove"
        yield _change(kind, tomb.uuid, {}, tomb.stamp)


def _client(client: BundleClient) -> Iterator[Change]:
    if client.renamed:
        yield _change("client.create", client.uuid, {"name": client.name}, stamps.ZERO_STAMP)
        yield _change("client.rename", client.uuid, {"name": client.name}, client.stamp)
    else:
        yield _change("client.create", client.uuid, {"name": client.name}, client.stamp)
    for uuid, key in client.aliases:
        if uuid == client.uuid:
            continue
        # Known elsewhere by another uuid (made twice, or merged): the same client here too.
        yield _change("client.create", uuid, {"name": key}, stamps.ZERO_STAMP, tag="alias")
        yield _change("client.merge", uuid, {"into": client.uuid}, stamps.ZERO_STAMP, tag="alias")
    for contact in (*client.contacts, *client.removed_contacts):
        yield from _contact(client.uuid, contact)


def _contact(client: str, contact: BundleContact) -> Iterator[Change]:
    """A contact as the changes that make it: every uuid it is known by, made under the
    name that uuid was made under (so every machine files a later record alike) and
    joined into one; its name at the stamp that set it; its fields; its aliases."""
    shown_key = name_key(contact.name)
    known = [(contact.uuid, shown_key)] + [(u, k) for u, k in contact.aliases if u != contact.uuid]
    for uuid, key in contact.aliases:  # its own uuid under the key it was made under
        if uuid == contact.uuid:
            known[0] = (uuid, key)
    named = False  # whether the creation that gave the name was carried
    for uuid, key in known:
        creation = not contact.renamed and not named and key == shown_key
        named = named or creation
        body = {"client": client, "name": contact.name if key == shown_key else key}
        stamp = contact.stamp if creation else stamps.ZERO_STAMP
        if uuid == contact.uuid:
            yield _change("contact.create", uuid, body, stamp)
            continue
        # Known elsewhere by another uuid too (made twice, merged): one person here too.
        yield _change("contact.create", uuid, body, stamp, tag="alias")
        yield _change("contact.merge", uuid, {"into": contact.uuid}, stamps.ZERO_STAMP, tag="alias")
    if contact.renamed:
        yield _change("contact.rename", contact.uuid, {"name": contact.name}, contact.stamp)
    elif not named:  # its name came with a uuid made under another name (a merge)
        body = {"client": client, "name": contact.name}
        yield _change("contact.create", contact.uuid, body, contact.stamp, tag="name")
    for field in ("role", "email", "phone"):
        value = getattr(contact, field)
        stamp = contact.stamps.get(field, stamps.ZERO_STAMP)
        if value is None and stamp == stamps.ZERO_STAMP:
            continue
        yield _change("contact.set", contact.uuid, {field: value}, stamp, tag=field)
    for alias, stamp in contact.also_known_as:
        body = {"alias": alias}
        yield _change("contact.alias", contact.uuid, body, stamp, tag=name_key(alias))


def _promise(
    client: BundleClient, promise: BundlePromise, bundle: Bundle, today: date
) -> Iterator[Change]:
    schedule: dict[str, Any] = {
        "rule": promise.rule,
        "start": promise.start.isoformat(),
        "after_done": promise.after_done,
    }
    if promise.due_at is not None:
        schedule["due_at"] = promise.due_at.isoformat()
    if promise.covered_through is not None:
        schedule["covered_through"] = promise.covered_through.isoformat()
    fields: dict[str, Any] = {
        "client": client.uuid,
        "title": promise.title,
        "schedule": schedule,
        "owner": promise.owner or bundle.author or None,
        "status": "dropped" if promise.status == "dropped" else "open",
    }
    if promise.to:
        fields["to"] = promise.to
        if promise.to_id:
            fields["to_id"] = promise.to_id
    yield _change("promise.create", promise.uuid, fields, promise.stamp)
    for field, stamp in sorted(promise.stamps.items()):
        if (field not in fields and field != "to") or stamp == promise.stamp:
            continue
        body = {field: fields.get(field)}
        if field == "to" and promise.to_id:
            body["to_id"] = promise.to_id
        yield _change("promise.set", promise.uuid, body, stamp, tag=field)
    covers = _covers(promise)
    for mark in promise.completions:
        body = {
            "kind": mark.kind,
            "at": mark.at.isoformat(),
            "day": mark.day.isoformat(),
            "covers": [d.isoformat() for d in covers[mark.uuid]],
        }
        if mark.note:
            body["note"] = mark.note
        yield _change("promise.mark", promise.uuid, body, mark.stamp, uuid=mark.uuid)
    for undo in promise.undos:
        body = {"mark": undo.mark, "at": undo.at.isoformat()}
        yield _change("promise.undo", promise.uuid, body, undo.stamp, uuid=undo.uuid)
    if bundle.version >= 2:
        for pause in promise.pauses:
            if pause.kind == "pause":
                body = {"from": pause.day.isoformat()}
                if pause.until:
                    body["until"] = pause.until.isoformat()
            else:
                body = {"on": pause.day.isoformat()}
            yield _change(f"promise.{pause.kind}", promise.uuid, body, pause.stamp, uuid=pause.uuid)
        return
    since = None
    if promise.status == "paused":
        plan = coverage.Plan(promise.rule, promise.start, promise.after_done)
        marks = [
            coverage.Mark(m.uuid, m.kind, m.day, covers[m.uuid], stamps.ZERO_STAMP)
            for m in promise.completions
        ]
        since = legacy.paused_since(plan, marks, promise.resumed_on, today=today)
    for i, event in enumerate(legacy.pause_events(promise.start, promise.resumed_on, since)):
        if event.kind == "pause":
            body = {"from": event.day.isoformat()}
        else:
            body = {"on": event.day.isoformat()}
        yield _change(f"promise.{event.kind}", promise.uuid, body, stamps.ZERO_STAMP, tag=f"v1-{i}")


def _covers(promise: BundlePromise) -> dict[str, tuple[date, ...]]:
    """What each completion covers: as the bundle says, or (version 1) by the old rule."""
    if all(m.covers is not None for m in promise.completions):
        return {m.uuid: m.covers or () for m in promise.completions}
    old, _ = legacy.old_covers(
        promise.rule,
        promise.start,
        after_done=promise.after_done,
        resumed_on=promise.resumed_on,
        completions=[legacy.OldCompletion(m.uuid, m.day) for m in promise.completions],
    )
    return {
        m.uuid: m.covers if m.covers is not None else old.get(m.uuid, ())
        for m in promise.completions
    }


class MovedBack:
    """What to tell the user after importing a version-1 bundle: for each promise whose
    next due date a repeated done had moved on, and that this import makes owed again
    here, the line the upgrade of a version-1 database prints (`legacy.moved_back_notice`).

    Made before the merge (it notes each such promise's next due date here then);
    `lines` after it. A promise this database already had due as early says nothing,
    so importing the same bundle again is quiet.
    """

    def __init__(self, store: Store, bundle: Bundle) -> None:
        self.repeats: dict[str, tuple[BundlePromise, list[date]]] = {}
        self.before: dict[str, date | None] = {}
        if bundle.version >= 2:
            return
        for client in bundle.clients:
            for promise in client.promises:
                _, repeats = legacy.old_covers(
                    promise.rule,
                    promise.start,
                    after_done=promise.after_done,
                    resumed_on=promise.resumed_on,
                    completions=[legacy.OldCompletion(m.uuid, m.day) for m in promise.completions],
                )
                if not repeats:
                    continue
                self.repeats[promise.uuid] = (promise, repeats)
                here = store.promise_by_uuid(promise.uuid)
                if here is not None:
                    self.before[promise.uuid] = here.next_due

    def lines(self, store: Store) -> list[str]:
        notices = []
        for uuid, (promise, repeats) in self.repeats.items():
            here = store.promise_by_uuid(uuid)
            if here is None or here.next_due is None:
                continue
            if uuid in self.before:
                earlier = self.before[uuid]
                if earlier is not None and here.next_due >= earlier:
                    continue  # not moved back by this import
            notice = legacy.moved_back_notice(
                here.id, here.title, repeats, here.next_due, promise.next_due
            )
            if notice:
                notices.append(notice)
        return notices


def handover_changes(store: Store, w: Writer, bundle: Bundle, *, me: str) -> list[Change]:
    """Taking over: I become the owner of the bundle's open promises that someone else owns."""
    takes = []
    for client in bundle.clients:
        for promise in client.promises:
            here = store.promise_by_uuid(promise.uuid)
            if here is None or here.status not in ("open", "paused") or here.owner == me:
                continue
            takes.append(w.change("promise.set", promise.uuid, {"owner": me}))
    return takes
