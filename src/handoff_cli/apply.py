"""The applier: every change to the database goes through here, and so do the merge rules.

Local commands, `import` and `sync` all hand changes to `Applier.apply`, in a
write transaction. One set of rules, read in one place:

- A change is stored once (by uuid) in `changes`; applying it twice does nothing.
- A field that can change (a note's text, a contact's phone, a promise's
  title, schedule, owner, status, client, recipient; a client's name) takes
  the value of its latest change: the greatest stamp "clock@member" wins, so
  the writer's member id breaks ties. Applying an older change after a newer
  one leaves the newer value.
- A removed note leaves a tombstone: whatever arrives for it later (an edit,
  an old bundle) is kept in the log but never brings it back.
- Completions, skips, undos and pauses are sets: each is added once, and a
  promise's next due date is worked out from the whole set (coverage.py).
- Clients created under one name (its key: case and width ignored) on two
  machines are one client; so are clients merged with `handoff merge`. The
  client keeps the smallest of its uuids, so every machine exports it alike.
  Contacts of one client created under one name are one contact, likewise.
- A change about a record not here yet (an edit that overtook its note, a
  `done` from a colleague whose promise comes in a later file) waits in the
  log and is applied when the record arrives.

Nothing here reads the clock or depends on the order changes arrive in, which
is what the convergence tests (tests/test_convergence.py) check.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from datetime import date, datetime

from handoff_cli import jsontext, stamps
from handoff_cli.changes import Change, derived_uuid
from handoff_cli.names import clean_name, name_key
from handoff_cli.utctext import clock_time, seconds_text, utc_iso

# `handoff log` applies one change per note: typing, json and coverage (the promises'
# rule) are not loaded for it (issue 13).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from handoff_cli import coverage

CATEGORIES = ("clients", "contacts", "promises", "notes", "completions")
_CATEGORY = {
    "client": "clients",
    "contact": "contacts",
    "note": "notes",
    "promise": "promises",
}
# The body of a colleague's change in the log once it is applied (see Applier._row).
KEPT_IN_THE_REPOSITORY = "{}"
NOTE_BATCH = 400  # new notes written with one statement (an import, a first sync)
_SLOT = "\x1f"  # key of a client whose name another client also has: name_key + _SLOT + uuid


class Waiting(Exception):
    """The change needs a record that is not here yet (its uuid)."""

    def __init__(self, uuid: str) -> None:
        super().__init__(uuid)
        self.uuid = uuid


def wins(new_stamp: str, new_value: Any, old_stamp: str, old_value: Any) -> bool:
    """Whether a field's new value replaces its current one: the later stamp wins.

    Stamps are "clock@member", so the writer's member id breaks a tie of clocks.
    Data from before the change log has the oldest stamp; between two such
    values a value beats none, and otherwise the greater value wins, so even
    then the answer does not depend on which arrived first.
    """
    if new_stamp != old_stamp:
        return new_stamp > old_stamp
    if old_value is not None and new_stamp in _LEGACY:
        return False  # two values from before the log: the one here stands, as it always did
    return _rank(new_value) > _rank(old_value)


_LEGACY = frozenset({stamps.ZERO_STAMP, stamps.ZERO_RANK})


# Kinds that neither make nor change a note, a client or a person's name: a run of
# new notes carries on past them, so a history that mixes a promise in every few notes
# is still written a few hundred notes at a time. (Merging is order-independent, which
# tests/test_convergence.py checks; this changes only how often notes are written.)
_BESIDE_NOTES = frozenset(
    {
        "promise.create",
        "promise.set",
        "promise.mark",
        "promise.undo",
        "promise.pause",
        "promise.resume",
        "member.heartbeat",
    }
)


def _rank(value: Any) -> tuple[bool, str]:
    import json

    return value is not None, json.dumps(value, sort_keys=True, ensure_ascii=False)


def clean_tags(tags: Iterable[str]) -> tuple[str, ...]:
    """Tags as stored: stripped, empty ones dropped, each once, in the order given."""
    return tuple(dict.fromkeys(t.strip() for t in tags if t.strip()))


def _body(change: Change) -> str:
    """A change's body as the change log keeps it."""
    return jsontext.dumps(change.body, compact=True)


class Applier:
    """Applies changes inside the caller's write transaction; counts what they did."""

    def __init__(self, conn: sqlite3.Connection, *, origin: str) -> None:
        self.conn = conn
        self.origin = origin
        # What happened to each record (not each change): a contact whose phone and
        # e-mail changed is one contact updated. (category, uuid) -> added/updated/skipped
        self.outcomes: dict[tuple[str, str], str] = {}
        self.latest_clock = ""
        self.created: dict[str, int] = {}  # entity uuid -> row id, for the caller
        # Lookups an import of a hundred thousand notes repeats for every one of them;
        # dropped whenever clients or contacts are joined (the rows they point at move).
        self._clients: dict[str, tuple[int, str]] = {}
        self._contacts: dict[str, int] = {}
        self._names: dict[int, tuple[str, str]] = {}  # contact id -> (rank, name)
        self._derived: dict[tuple[str, str], str] = {}  # (client uuid, name) -> its uuid
        self._tag_lists: dict[tuple[str, ...], tuple[tuple[str, ...], str]] = {}
        self._any_waiting: bool | None = None  # whether any change waits (None: not known)

    # ------------------------------------------------------------------ entry

    def apply(self, change: Change) -> str:
        """Store and apply one change: 'added', 'updated', 'skipped' or 'waiting'."""
        conn = self.conn
        if change.clock > self.latest_clock:
            self.latest_clock = change.clock
        try:
            conn.execute(
                "INSERT INTO changes (uuid, clock, member, device, kind, entity, body, origin)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                self._row(change, applied=True),
            )
        except sqlite3.IntegrityError:
            self._count(change, "skipped")
            return "skipped"
        result = self._run(change)
        self._count(change, result)
        return result

    def _row(self, change: Change, *, applied: bool = False) -> tuple[str, ...]:
        """A change as its row of the change log (less `waits_for`).

        A colleague's change that is applied keeps its body in the team's repository
        only (the clone holds every change, and a sync reads it from there): the log
        here needs it while it waits, and to send what was made here. A first sync of
        a long history so writes each body once, not twice (its database is a fifth
        smaller).
        """
        body = KEPT_IN_THE_REPOSITORY if applied and self.origin == "team" else _body(change)
        return (
            change.uuid, change.clock, change.member, change.device, change.kind,
            change.entity, body, self.origin,
        )  # fmt: skip

    def apply_all(self, changes: Iterable[Change]) -> None:
        """Apply changes in order. Runs of new notes (an import, a first sync) are written
        in batches; anything less plain goes one by one, through the same handlers."""
        run: list[Change] = []
        for change in changes:
            if change.kind == "note.add":
                run.append(change)
                if len(run) >= NOTE_BATCH:
                    self._note_run(run)
                    run = []
                continue
            if run and change.kind not in _BESIDE_NOTES:
                self._note_run(run)
                run = []
            self.apply(change)
        if run:
            self._note_run(run)

    def _note_run(self, run: list[Change]) -> None:
        """Consecutive note.add changes: the new notes among them in one batch, the rest
        (already here, removed, a client not here yet, a second note.add of one note)
        one by one, in their order."""
        if len(run) == 1:  # `log`: one statement fewer than the batch's checks
            self.apply(run[0])
            return
        conn = self.conn
        uuids = [c.uuid for c in run]
        marks = ",".join("?" * len(run))
        seen = {
            r[0] for r in conn.execute(f"SELECT uuid FROM changes WHERE uuid IN ({marks})", uuids)
        }
        taken = self._notes_here_or_removed(run)
        plain: list[tuple[Change, int]] = []
        batch_entities: set[str] = set()
        waiting: list[Change] = []
        kept_waiting: set[str] = set()
        for change in run:
            client = self.client_row(change.body["client"])
            if client is None and change.uuid not in seen:
                waiting.append(change)  # however it ends, it waits for its client first
                seen.add(change.uuid)
                kept_waiting.add(change.uuid)
                continue
            if change.uuid in kept_waiting:
                self._count(change, "skipped")  # the same record twice in one run
                continue
            if (
                change.uuid in seen
                or change.entity in taken
                or change.entity in batch_entities
                or client is None
            ):
                self._flush_notes(plain)
                plain = []  # (batch_entities stays: those notes are here now, like `taken`)
                self.apply(change)
                continue
            plain.append((change, client[0]))
            batch_entities.add(change.entity)
        self._flush_notes(plain)
        self._wait_for_clients(waiting)

    def _wait_for_clients(self, waiting: list[Change]) -> None:
        """New notes whose client is not here yet (a colleague's file read before the
        client's creator's): kept, all at once, to be applied when it arrives."""
        if not waiting:
            return
        self.conn.executemany(
            "INSERT INTO changes"
            " (uuid, clock, member, device, kind, entity, body, origin, waits_for)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(*self._row(c), c.body["client"]) for c in waiting],
        )
        self._any_waiting = True
        for change in waiting:
            if change.clock > self.latest_clock:
                self.latest_clock = change.clock
            self._count(change, "waiting")

    def _flush_notes(self, plain: list[tuple[Change, int]]) -> None:
        if not plain:
            return
        conn = self.conn
        conn.executemany(
            "INSERT INTO changes (uuid, clock, member, device, kind, entity, body, origin)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [self._row(c, applied=True) for c, _ in plain],
        )
        self._insert_notes(plain)
        outcomes = self.outcomes
        for change, _ in plain:
            if change.clock > self.latest_clock:
                self.latest_clock = change.clock
            self._arrived(change.entity)
            # What `_count(change, "added")` records: "added" outranks anything before it
            outcomes[("notes", change.entity)] = "added"

    def _count(self, change: Change, result: str) -> None:
        if result == "waiting":
            result = "added"  # kept, and applied when what it needs arrives
        kind = change.kind.partition(".")[0]
        if kind == "member":
            return
        entity: object = change.entity
        if change.kind == "promise.mark":
            key = ("completions", change.uuid)
        else:
            # A client or contact known by several uuids is one record: count it once.
            if kind == "client":
                row = self.client_row(change.entity)
                entity = row[0] if row else entity
            elif kind == "contact":
                entity = self.contact_row(change.entity) or entity
            key = (_CATEGORY[kind], str(entity))
        self._note_outcome(key, result)
        if change.kind == "promise.mark" and result == "added":
            self._note_outcome(("promises", change.entity), "updated")  # it gained a completion

    def _note_outcome(self, key: tuple[str, str], result: str) -> None:
        before = self.outcomes.get(key, "skipped")
        rank = ("skipped", "updated", "added")
        self.outcomes[key] = max(before, result, key=rank.index)

    @property
    def counts(self) -> dict[str, dict[str, int]]:
        """How many records of each kind were added, updated, or already here."""
        tally = {c: {"added": 0, "updated": 0, "skipped": 0} for c in CATEGORIES}
        for (category, _), result in self.outcomes.items():
            tally[category][result] += 1
        return tally

    def _run(self, change: Change) -> str:
        handler = getattr(self, "_" + change.kind.replace(".", "_"))
        try:
            result: str = handler(change)
        except Waiting as wait:
            self.conn.execute(
                "UPDATE changes SET waits_for = ?, body = ? WHERE uuid = ?",
                [wait.uuid, _body(change), change.uuid],
            )
            self._any_waiting = True
            return "waiting"
        return result

    def _forget_rows(self) -> None:
        """Clients or contacts were joined: cached row ids may point at a row now gone."""
        self._clients.clear()
        self._contacts.clear()
        self._names.clear()

    def _arrived(self, entity: str) -> None:
        """A record has arrived: apply the changes that were waiting for it, oldest first."""
        if self._any_waiting is None:
            self._any_waiting = (
                self.conn.execute(
                    "SELECT 1 FROM changes WHERE waits_for IS NOT NULL LIMIT 1"
                ).fetchone()
                is not None
            )
        if not self._any_waiting:
            return
        import json

        rows = self.conn.execute(
            "SELECT uuid, clock, member, device, kind, entity, body FROM changes"
            " WHERE waits_for = ? ORDER BY clock, member, uuid",
            [entity],
        ).fetchall()
        if not rows:
            return
        self.conn.execute("UPDATE changes SET waits_for = NULL WHERE waits_for = ?", [entity])
        waited = [
            Change(uuid, clock, member, device, kind, entity, json.loads(body))
            for uuid, clock, member, device, kind, entity, body in rows
        ]
        start = 0
        while start < len(waited):
            end = start
            while end < len(waited) and waited[end].kind == "note.add":
                end += 1
            if end > start:
                self._waited_notes(waited[start:end])
                start = end
            else:
                self._run(waited[start])
                start += 1

    def _notes_here_or_removed(self, run: list[Change]) -> set[str]:
        """The notes among a run of note.add changes that are here already, or removed."""
        marks = ",".join("?" * len(run))
        entities = [c.entity for c in run]
        return {
            r[0]
            for r in self.conn.execute(
                f"SELECT uuid FROM notes WHERE uuid IN ({marks})"
                f" UNION SELECT uuid FROM tombstones WHERE uuid IN ({marks})",
                entities + entities,
            )
        }

    def _waited_notes(self, run: list[Change]) -> None:
        """Notes that waited for their client (a colleague's notes read before the client
        was): the new ones written in one batch, as `_note_run` does, the rest one by one."""
        taken = self._notes_here_or_removed(run)
        plain: list[tuple[Change, int]] = []
        for change in run:
            client = self.client_row(change.body["client"])
            if change.entity in taken or client is None:
                self._insert_waited(plain)
                plain = []
                self._run(change)
                continue
            plain.append((change, client[0]))
            taken.add(change.entity)  # a second note.add of it goes one by one
        self._insert_waited(plain)

    def _insert_waited(self, plain: list[tuple[Change, int]]) -> None:
        if plain:
            self._insert_notes(plain)
            for change, _ in plain:
                self._arrived(change.entity)

    # --------------------------------------------------------------- clients

    def client_row(self, entity: str) -> tuple[int, str] | None:
        known = self._clients.get(entity)
        if known is not None:
            return known
        row = self.conn.execute(
            "SELECT c.id, c.uuid FROM client_entities e JOIN clients c ON c.id = e.client_id"
            " WHERE e.uuid = ?",
            [entity],
        ).fetchone()
        if row is not None:
            self._clients[entity] = (int(row[0]), str(row[1]))
        return self._clients.get(entity)

    def _need_client(self, entity: str) -> int:
        row = self.client_row(entity)
        if row is None:
            raise Waiting(entity)
        return int(row[0])

    def _client_create(self, change: Change) -> str:
        name = clean_name(change.body["name"])
        key = name_key(name)
        rank = stamps.creation_rank(change.stamp)
        known = self.client_row(change.entity)
        if known is not None:
            return self._client_name(known[0], name, rank)
        same = self.conn.execute(
            "SELECT client_id FROM client_entities WHERE created_key = ? LIMIT 1", [key]
        ).fetchone()
        if same is not None:  # created under this name elsewhere too: one client
            client_id = int(same[0])
            self.conn.execute(
                "INSERT INTO client_entities (uuid, client_id, created_key) VALUES (?, ?, ?)",
                [change.entity, client_id, key],
            )
            self.conn.execute(
                "UPDATE clients SET uuid = ? WHERE id = ? AND uuid > ?",
                [change.entity, client_id, change.entity],
            )
            self._forget_rows()
            result = self._client_name(client_id, name, rank)
            self._arrived(change.entity)
            return result
        cur = self.conn.execute(
            "INSERT INTO clients (uuid, name, key, name_key, stamp, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [
                change.entity,
                name,
                key + _SLOT + change.entity,
                key,
                stamps.creation_rank(change.stamp),
                clock_time(change.clock),
            ],
        )
        client_id = int(cur.lastrowid or 0)
        self.conn.execute(
            "INSERT INTO client_entities (uuid, client_id, created_key) VALUES (?, ?, ?)",
            [change.entity, client_id, key],
        )
        self._settle_client_keys(key)
        self.created[change.entity] = client_id
        self._arrived(change.entity)
        return "added"

    def _client_rename(self, change: Change) -> str:
        return self._client_name(
            self._need_client(change.entity),
            clean_name(change.body["name"]),
            stamps.rename_rank(change.stamp),
        )

    def _client_name(self, client_id: int, name: str, rank: str) -> str:
        """The client's name, if this one ranks higher (stamps.rename_rank, creation_rank)."""
        row = self.conn.execute(
            "SELECT name, name_key, stamp FROM clients WHERE id = ?", [client_id]
        ).fetchone()
        if not name or not wins(rank, name, row[2], row[0]):
            return "skipped"
        key = name_key(name)
        self.conn.execute(
            "UPDATE clients SET name = ?, name_key = ?, stamp = ? WHERE id = ?",
            [name, key, rank, client_id],
        )
        self._settle_client_keys(row[1], key)
        return "updated" if name != row[0] else "skipped"

    def _settle_client_keys(self, *keys: str) -> None:
        """The client with the smallest uuid among those named alike answers to the name."""
        _settle_keys(self.conn, "clients", "", (), keys)

    def _client_merge(self, change: Change) -> str:
        source = self._need_client(change.entity)
        target = self._need_client(change.body["into"])
        result = "skipped"
        if source != target:
            target = self.join_clients(source, target)
            result = "updated"
        name = change.body.get("name")
        if name:
            self._client_name(target, clean_name(name), stamps.rename_rank(change.stamp))
        return result

    def join_clients(self, a: int, b: int) -> int:
        """Make two client rows one; returns the row kept (the one with the smaller uuid)."""
        self._forget_rows()
        conn = self.conn
        rows = {
            r[0]: r
            for r in conn.execute(
                "SELECT id, uuid, name, name_key, stamp, created_at FROM clients"
                " WHERE id IN (?, ?)",
                [a, b],
            )
        }
        keep, gone = sorted((rows[a], rows[b]), key=lambda r: r[1])
        for (contact_id,) in conn.execute(
            "SELECT id FROM contacts WHERE client_id = ?", [gone[0]]
        ).fetchall():
            conn.execute(
                "UPDATE contacts SET client_id = ?, key = ? WHERE id = ?",
                [keep[0], f"{_SLOT}moving{contact_id}", contact_id],
            )
        for table in ("notes", "promises"):
            conn.execute(
                f"UPDATE {table} SET client_id = ? WHERE client_id = ?", [keep[0], gone[0]]
            )
        conn.execute(
            "UPDATE client_entities SET client_id = ? WHERE client_id = ?", [keep[0], gone[0]]
        )
        if wins(gone[4], gone[2], keep[4], keep[2]):  # the later name stands
            conn.execute(
                "UPDATE clients SET name = ?, name_key = ?, stamp = ? WHERE id = ?",
                [gone[2], gone[3], gone[4], keep[0]],
            )
        conn.execute(
            "UPDATE clients SET created_at = min(created_at, ?) WHERE id = ?", [gone[5], keep[0]]
        )
        conn.execute("DELETE FROM clients WHERE id = ?", [gone[0]])
        self._settle_client_keys(keep[3], gone[3])
        names = {
            r[0]
            for r in conn.execute("SELECT name_key FROM contacts WHERE client_id = ?", [keep[0]])
        }
        self._settle_contact_keys(keep[0], *names)
        self.join_named_alike(keep[0])  # the people both clients knew are one person each
        return int(keep[0])

    # -------------------------------------------------------------- contacts

    def contact_row(self, entity: str) -> int | None:
        known = self._contacts.get(entity)
        if known is not None:
            return known
        row = self.conn.execute(
            "SELECT contact_id FROM contact_entities WHERE uuid = ?", [entity]
        ).fetchone()
        if row is None:
            return None
        self._contacts[entity] = int(row[0])
        return int(row[0])

    def _need_contact(self, entity: str) -> int:
        found = self.contact_row(entity)
        if found is None:
            raise Waiting(entity)
        return found

    def _answering(self, client_id: int, key: str) -> int | None:
        """The contact at the client that answers to `key`: one made under that name
        (here or on another machine), or given it as an alias. Never more than one:
        `join_named_alike` makes such contacts one person as soon as they meet."""
        row = self.conn.execute(
            "SELECT c.id FROM contacts c JOIN contact_entities e ON e.contact_id = c.id"
            " WHERE c.client_id = :c AND e.created_key = :k"
            " UNION ALL SELECT c.id FROM contacts c JOIN contact_aliases a ON a.contact_id = c.id"
            " WHERE c.client_id = :c AND a.key = :k LIMIT 1",
            {"c": client_id, "k": key},
        ).fetchone()
        return None if row is None else int(row[0])

    def ensure_contact(self, client_id: int, entity: str, name: str, stamp: str) -> int:
        """The contact `entity` (named `name`) at the client, made if new.

        A contact created under the same name at the same client is the same
        person, and so is one that was given that name as an alias: the new
        uuid joins it.
        """
        shown = clean_name(name)
        known = self.contact_row(entity)
        if known is not None:
            # Named again: the earliest naming's spelling stands, whatever the order.
            self._contact_name(known, shown, stamps.creation_rank(stamp))
            return known
        key = name_key(shown)
        same = self._answering(client_id, key)
        if same is not None:
            contact_id = same
            self.conn.execute(
                "INSERT INTO contact_entities (uuid, contact_id, created_key) VALUES (?, ?, ?)",
                [entity, contact_id, key],
            )
            self.conn.execute(
                "UPDATE contacts SET uuid = ? WHERE id = ? AND uuid > ?",
                [entity, contact_id, entity],
            )
            self._contact_name(contact_id, shown, stamps.creation_rank(stamp))
            self._removed_by(entity, contact_id)
            self._arrived(entity)
            return self._need_contact(entity)  # a merge waiting for it may have moved it
        cur = self.conn.execute(
            "INSERT INTO contacts (uuid, client_id, name, key, name_key, stamp)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [entity, client_id, shown, key + _SLOT + entity, key, stamps.creation_rank(stamp)],
        )
        contact_id = int(cur.lastrowid or 0)
        self.conn.execute(
            "INSERT INTO contact_entities (uuid, contact_id, created_key) VALUES (?, ?, ?)",
            [entity, contact_id, key],
        )
        self._settle_contact_keys(client_id, key)
        self._removed_by(entity, contact_id)
        self.created[entity] = contact_id
        self._arrived(entity)
        return self._need_contact(entity)

    def _contact_name(self, contact_id: int, name: str, rank: str) -> bool:
        """The contact's name, if this one ranks higher; whether it changed."""
        known = self._names.get(contact_id)
        if known is not None and not wins(rank, name, known[0], known[1]):
            return False  # the name it has outranks this one (no need to read the row again)
        row = self.conn.execute(
            "SELECT client_id, name_key, stamp, name FROM contacts WHERE id = ?", [contact_id]
        ).fetchone()
        self._names[contact_id] = (row[2], row[3])
        if not wins(rank, name, row[2], row[3]):
            return False
        self._names[contact_id] = (rank, name)
        key = name_key(name)
        self.conn.execute(
            "UPDATE contacts SET name = ?, name_key = ?, stamp = ? WHERE id = ?",
            [name, key, rank, contact_id],
        )
        self._settle_contact_keys(row[0], row[1], key)
        return bool(name != row[3])

    def _settle_contact_keys(self, client_id: int, *keys: str) -> None:
        _settle_keys(self.conn, "contacts", " AND client_id = ?", (client_id,), keys)

    _CONTACT_FIELDS = ("role", "email", "phone")

    def _contact_fields(self, contact_id: int, body: dict[str, Any], stamp: str) -> str:
        row = self.conn.execute(
            "SELECT role, email, phone, role_stamp, email_stamp, phone_stamp, removed"
            " FROM contacts WHERE id = ?",
            [contact_id],
        ).fetchone()
        if row[6] is not None:
            return "skipped"  # removed: nothing of theirs is kept, and nothing later is
        changed = False
        for i, field in enumerate(self._CONTACT_FIELDS):
            if field in body and wins(stamp, body[field], row[3 + i], row[i]):
                self.conn.execute(
                    f"UPDATE contacts SET {field} = ?, {field}_stamp = ? WHERE id = ?",
                    [body[field], stamp, contact_id],
                )
                changed = changed or body[field] != row[i]
        return "updated" if changed else "skipped"

    def join_contacts(self, a: int, b: int, *, client_id: int) -> int:
        """Make two contacts one person, at `client_id`; returns the row kept.

        A join is a union: the higher-ranked name, each field's latest value, every
        uuid and alias of both, every note and promise of both; removed if either was.
        """
        self._forget_rows()
        conn = self.conn
        rows = {
            r[0]: r
            for r in conn.execute(
                "SELECT id, uuid, client_id, name, name_key, stamp, role, email, phone,"
                " role_stamp, email_stamp, phone_stamp FROM contacts WHERE id IN (?, ?)",
                [a, b],
            )
        }
        keep, gone = sorted((rows[a], rows[b]), key=lambda r: r[1])
        if wins(gone[5], gone[3], keep[5], keep[3]):
            conn.execute(
                "UPDATE contacts SET name = ?, name_key = ?, stamp = ? WHERE id = ?",
                [gone[3], gone[4], gone[5], keep[0]],
            )
        for i, field in enumerate(self._CONTACT_FIELDS):
            if wins(gone[9 + i], gone[6 + i], keep[9 + i], keep[6 + i]):
                conn.execute(
                    f"UPDATE contacts SET {field} = ?, {field}_stamp = ? WHERE id = ?",
                    [gone[6 + i], gone[9 + i], keep[0]],
                )
        # A note that named both names one person, where the first of them stood.
        from handoff_cli.store import indexes

        indexes.ensure(conn, "note_contacts_contact")  # left out by a first sync until now
        conn.execute(
            "UPDATE note_contacts SET position = (SELECT g.position FROM note_contacts g"
            " WHERE g.note_id = note_contacts.note_id AND g.contact_id = :gone)"
            " WHERE contact_id = :keep AND EXISTS (SELECT 1 FROM note_contacts g"
            " WHERE g.note_id = note_contacts.note_id AND g.contact_id = :gone"
            " AND g.position < note_contacts.position)",
            {"keep": keep[0], "gone": gone[0]},
        )
        conn.execute(
            "UPDATE OR IGNORE note_contacts SET contact_id = ? WHERE contact_id = ?",
            [keep[0], gone[0]],
        )
        conn.execute("DELETE FROM note_contacts WHERE contact_id = ?", [gone[0]])
        conn.execute("UPDATE promises SET contact_id = ? WHERE contact_id = ?", [keep[0], gone[0]])
        conn.execute(
            "UPDATE contact_entities SET contact_id = ? WHERE contact_id = ?", [keep[0], gone[0]]
        )
        for key, name, stamp in conn.execute(
            "SELECT key, name, stamp FROM contact_aliases WHERE contact_id = ?", [gone[0]]
        ).fetchall():
            self._alias_row(keep[0], key, name, stamp)
        conn.execute("DELETE FROM contact_aliases WHERE contact_id = ?", [gone[0]])
        conn.execute("DELETE FROM contacts WHERE id = ?", [gone[0]])
        if keep[2] != client_id:
            conn.execute(
                "UPDATE contacts SET client_id = ?, key = ? WHERE id = ?",
                [client_id, f"{_SLOT}moving{keep[0]}", keep[0]],
            )
        final = conn.execute("SELECT name_key FROM contacts WHERE id = ?", [keep[0]]).fetchone()
        self._settle_contact_keys(client_id, keep[4], gone[4], final[0])
        self._settle_removed(int(keep[0]))
        return int(keep[0])

    def join_named_alike(self, client_id: int) -> None:
        """Contacts of one client that answer to one name (made under it, or given it as
        an alias) become one person, until no two do."""
        while True:
            row = self.conn.execute(
                "SELECT min(contact_id), max(contact_id) FROM ("
                " SELECT e.created_key AS key, c.id AS contact_id FROM contact_entities e"
                " JOIN contacts c ON c.id = e.contact_id WHERE c.client_id = :c"
                " UNION SELECT a.key, c.id FROM contact_aliases a"
                " JOIN contacts c ON c.id = a.contact_id WHERE c.client_id = :c)"
                " GROUP BY key HAVING count(DISTINCT contact_id) > 1 LIMIT 1",
                {"c": client_id},
            ).fetchone()
            if row is None:
                return
            self.join_contacts(int(row[0]), int(row[1]), client_id=client_id)

    def _alias_row(self, contact_id: int, key: str, name: str, stamp: str) -> bool:
        """Record that the contact answers to `name`; the latest spelling of it stands."""
        row = self.conn.execute(
            "SELECT name, stamp FROM contact_aliases WHERE contact_id = ? AND key = ?",
            [contact_id, key],
        ).fetchone()
        if row is not None and not wins(stamp, name, row[1], row[0]):
            return False
        self.conn.execute(
            "INSERT INTO contact_aliases (contact_id, key, name, stamp) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (contact_id, key) DO UPDATE SET name = excluded.name,"
            " stamp = excluded.stamp",
            [contact_id, key, name, stamp],
        )
        return row is None or row[0] != name

    def _removed_by(self, entity: str, contact_id: int) -> None:
        """A uuid has joined the contact: if it was removed, so is the contact."""
        if (
            self.conn.execute("SELECT 1 FROM contact_removals WHERE uuid = ?", [entity]).fetchone()
            is not None
        ):
            self._settle_removed(contact_id)

    def _settle_removed(self, contact_id: int) -> bool:
        """A contact is removed while any uuid it is known by was removed: its details are
        dropped (and stay dropped: `_contact_fields` ignores later ones), its name and
        aliases stay, for the notes that named them. Whether it is removed."""
        (stamp,) = self.conn.execute(
            "SELECT min(r.stamp) FROM contact_removals r JOIN contact_entities e"
            " ON e.uuid = r.uuid WHERE e.contact_id = ?",
            [contact_id],
        ).fetchone()
        if stamp is None:
            return False
        self.conn.execute(
            "UPDATE contacts SET removed = :s, role = NULL, email = NULL, phone = NULL,"
            " role_stamp = :z, email_stamp = :z, phone_stamp = :z WHERE id = :id",
            {"s": stamp, "z": stamps.ZERO_STAMP, "id": contact_id},
        )
        return True

    def _contact_create(self, change: Change) -> str:
        body = change.body
        known = self.contact_row(change.entity)
        if known is not None:
            self._contact_name(known, clean_name(body["name"]), stamps.creation_rank(change.stamp))
            return self._contact_fields(known, body, change.stamp)
        client_id = self._need_client(body["client"])
        contact_id = self.ensure_contact(client_id, change.entity, body["name"], change.stamp)
        self._contact_fields(contact_id, body, change.stamp)
        return "added" if change.entity in self.created else "updated"

    def _contact_set(self, change: Change) -> str:
        return self._contact_fields(self._need_contact(change.entity), change.body, change.stamp)

    def _contact_rename(self, change: Change) -> str:
        contact_id = self._need_contact(change.entity)
        renamed = self._contact_name(
            contact_id, clean_name(change.body["name"]), stamps.rename_rank(change.stamp)
        )
        return "updated" if renamed else "skipped"

    def _contact_merge(self, change: Change) -> str:
        source = self._need_contact(change.entity)
        target = self._need_contact(change.body["into"])
        result = "skipped"
        if source != target:
            (client_id,) = self.conn.execute(
                "SELECT client_id FROM contacts WHERE id = ?", [target]
            ).fetchone()
            target = self.join_contacts(source, target, client_id=int(client_id))
            self.join_named_alike(int(client_id))  # it may have come from another client row
            target = self._need_contact(change.body["into"])
            result = "updated"
        name = change.body.get("name")
        if name:
            self._contact_name(target, clean_name(name), stamps.rename_rank(change.stamp))
        return result

    def _contact_alias(self, change: Change) -> str:
        contact_id = self._need_contact(change.entity)
        alias = clean_name(change.body["alias"])
        added = self._alias_row(contact_id, name_key(alias), alias, change.stamp)
        (client_id,) = self.conn.execute(
            "SELECT client_id FROM contacts WHERE id = ?", [contact_id]
        ).fetchone()
        self.join_named_alike(int(client_id))  # whoever else answers to it is this person
        contact_id = self._need_contact(change.entity)
        name = change.body.get("name")
        if name:
            self._contact_name(contact_id, clean_name(name), stamps.rename_rank(change.stamp))
        return "updated" if added else "skipped"

    def _contact_remove(self, change: Change) -> str:
        """For good: a removal is kept even before the contact arrives, and a contact that
        any removed uuid joins (a late note, an old bundle, a merge) is removed too."""
        self.conn.execute(
            "INSERT INTO contact_removals (uuid, stamp) VALUES (?, ?)"
            " ON CONFLICT (uuid) DO UPDATE SET stamp = min(stamp, excluded.stamp)",
            [change.entity, change.stamp],
        )
        contact_id = self.contact_row(change.entity)
        if contact_id is None:
            return "skipped"
        before = self.conn.execute(
            "SELECT removed FROM contacts WHERE id = ?", [contact_id]
        ).fetchone()[0]
        self._settle_removed(contact_id)
        return "skipped" if before is not None else "updated"

    def _people(
        self,
        client_id: int,
        client_entity: str,
        names: Sequence[str],
        ids: Sequence[str],
        stamp: str,
    ) -> list[int]:
        """The contacts a record names, made if new; each named once."""
        return self._rows_of(self._named(client_id, client_entity, names, ids, stamp))

    def _named(
        self,
        client_id: int,
        client_entity: str,
        names: Sequence[str],
        ids: Sequence[str],
        stamp: str,
    ) -> list[str]:
        """The uuids a record names people by, each made (or joined) if new."""
        entities = []
        for i, name in enumerate(names):
            if not clean_name(name):
                continue
            if i < len(ids):
                entity = ids[i]
            else:  # the same few people are named in thousands of notes: derived once
                entity = self._derived.get((client_entity, name)) or self._derive(
                    client_entity, name
                )
            self.ensure_contact(client_id, entity, name, stamp)
            entities.append(entity)
        return entities

    def _derive(self, client_entity: str, name: str) -> str:
        entity = derived_uuid(client_entity, name_key(name))
        self._derived[(client_entity, name)] = entity
        return entity

    def _rows_of(self, entities: Sequence[str]) -> list[int]:
        """The contacts known by these uuids now, each once, in order. Read after all of
        them were made: making one may apply a merge that was waiting for it."""
        found: list[int] = []
        for entity in entities:
            contact_id = self._need_contact(entity)
            if contact_id not in found:
                found.append(contact_id)
        return found

    # ----------------------------------------------------------------- notes

    def _tombstoned(self, entity: str) -> bool:
        return (
            self.conn.execute("SELECT 1 FROM tombstones WHERE uuid = ?", [entity]).fetchone()
            is not None
        )

    def _note_add(self, change: Change) -> str:
        body = change.body
        gone, row = self.conn.execute(
            "SELECT EXISTS (SELECT 1 FROM tombstones WHERE uuid = :u),"
            " (SELECT id FROM notes WHERE uuid = :u)",
            {"u": change.entity},
        ).fetchone()
        if gone:
            # Removed, but the people it named are still known at the client: whether
            # the removal came first or last, the contacts are the same.
            client_id = self._need_client(body["client"])
            self._people(
                client_id, body["client"], body.get("with", ()), body.get("with_ids", ()),
                change.stamp,
            )  # fmt: skip
            return "skipped"
        if row is not None:
            return self._note_text(int(row), body["text"], change.stamp)
        client_id = self._need_client(body["client"])
        self._insert_notes([(change, client_id)])
        self._arrived(change.entity)
        return "added"

    _INSERT_NOTE = (
        "INSERT INTO notes (id, uuid, client_id, at, at_utc, kind, text, author, tags,"
        " created_at, stamp, on_promise) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    )

    def _insert_notes(self, notes: Sequence[tuple[Change, int]]) -> None:
        """New notes (not here, not removed), each with its client's row: the rows, their
        people and their search entries, written with one statement each for all of them."""
        (next_id,) = self.conn.execute("SELECT coalesce(max(id), 0) + 1 FROM notes").fetchone()
        rows, named, bodies = [], [], []
        from handoff_cli.searchtext import index_body

        counted: dict[int, tuple[int, str]] = {}  # client id -> (notes, newest at_utc)
        for note_id, (change, client_id) in enumerate(notes, start=int(next_id)):
            body = change.body
            stamp = change.stamp
            at = datetime.fromisoformat(body["at"])
            at_utc = utc_iso(at)
            tags, tags_json = self._tags(body.get("tags", ()))
            rows.append(
                (
                    note_id, change.entity, client_id, seconds_text(body["at"], at),
                    at_utc, body["kind"], body["text"], body["author"],
                    tags_json, clock_time(change.clock), stamp, body.get("on"),
                )
            )  # fmt: skip
            before = counted.get(client_id)
            counted[client_id] = (1, at_utc) if before is None else (
                before[0] + 1, max(before[1], at_utc)
            )  # fmt: skip
            people = self._named(
                client_id, body["client"], body.get("with", ()), body.get("with_ids", ()),
                stamp,
            )  # fmt: skip
            named.append((note_id, people))
            bodies.append((note_id, index_body(body["text"], *tags)))
            self.created[change.entity] = note_id
        links = [
            (note_id, contact_id, i)
            for note_id, people in named
            for i, contact_id in enumerate(self._rows_of(people))
        ]
        self.conn.executemany(self._INSERT_NOTE, rows)
        self.conn.executemany(
            "UPDATE clients SET note_count = note_count + ?,"
            " last_at_utc = max(coalesce(last_at_utc, ''), ?) WHERE id = ?",
            [(n, newest, client_id) for client_id, (n, newest) in counted.items()],
        )
        self.conn.executemany(
            "INSERT INTO note_contacts (note_id, contact_id, position) VALUES (?, ?, ?)", links
        )
        self.conn.executemany("INSERT INTO notes_fts (rowid, body) VALUES (?, ?)", bodies)

    def _tags(self, raw: Sequence[str]) -> tuple[tuple[str, ...], str]:
        """A note's tags as stored, and as JSON: worked out once for each list of tags
        (a team uses a few dozen, over a million notes)."""
        key = tuple(raw)
        known = self._tag_lists.get(key)
        if known is None:
            if len(self._tag_lists) >= 10_000:
                self._tag_lists.clear()
            tags = clean_tags(key)
            known = self._tag_lists[key] = (tags, jsontext.dumps(list(tags)))
        return known

    def _note_edit(self, change: Change) -> str:
        if self._tombstoned(change.entity):
            return "skipped"
        row = self.conn.execute("SELECT id FROM notes WHERE uuid = ?", [change.entity]).fetchone()
        if row is None:
            raise Waiting(change.entity)
        return self._note_text(int(row[0]), change.body["text"], change.stamp)

    def _note_text(self, note_id: int, text: str, stamp: str) -> str:
        import json

        row = self.conn.execute(
            "SELECT text, coalesce(text_stamp, stamp), tags FROM notes WHERE id = ?", [note_id]
        ).fetchone()
        if not wins(stamp, text, row[1], row[0]):
            return "skipped"
        self.conn.execute(
            "UPDATE notes SET text = ?, text_stamp = ? WHERE id = ?", [text, stamp, note_id]
        )
        if text == row[0]:
            return "skipped"
        index_note(self.conn, note_id, text, json.loads(row[2]))
        return "updated"

    def _note_remove(self, change: Change) -> str:
        self.conn.execute(  # removed twice (two devices): the first removal is the one kept
            "INSERT INTO tombstones (uuid, kind, stamp) VALUES (?, 'note', ?)"
            " ON CONFLICT (uuid) DO UPDATE SET stamp = min(stamp, excluded.stamp)",
            [change.entity, change.stamp],
        )
        gone = self.conn.execute("DELETE FROM notes WHERE uuid = ?", [change.entity]).rowcount
        return "updated" if gone else "skipped"

    # -------------------------------------------------------------- promises

    def promise_id(self, entity: str) -> int | None:
        row = self.conn.execute("SELECT id FROM promises WHERE uuid = ?", [entity]).fetchone()
        return None if row is None else int(row[0])

    def _need_promise(self, entity: str) -> int:
        found = self.promise_id(entity)
        if found is None:
            raise Waiting(entity)
        return found

    def _promise_create(self, change: Change) -> str:
        body = change.body
        known = self.promise_id(change.entity)
        if known is not None:
            fields: dict[str, Any] = {
                k: body[k]
                for k in ("title", "to", "to_id", "schedule", "owner", "status")
                if k in body
            }
            fields["client"] = body["client"]
            return self._promise_fields(known, fields, change.stamp)
        client_id = self._need_client(body["client"])
        schedule = body["schedule"]
        contact_id = None
        if body.get("to"):
            ids = [body["to_id"]] if body.get("to_id") else []
            contact_id = self._people(client_id, body["client"], [body["to"]], ids, change.stamp)[0]
        stamp = change.stamp
        cur = self.conn.execute(
            "INSERT INTO promises (uuid, client_id, contact_id, title, rule, start, after_done,"
            " status, next_due, created_at, owner, due_at, covered_through, stamp, title_stamp,"
            " to_stamp, client_stamp, schedule_stamp, owner_stamp, status_stamp, dropped)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, 'open', NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                change.entity,
                client_id,
                contact_id,
                body["title"],
                schedule.get("rule"),
                schedule["start"],
                int(schedule["after_done"]),
                clock_time(change.clock),
                body.get("owner"),
                schedule.get("due_at"),
                schedule.get("covered_through"),
                *[stamp] * 7,
                int(body.get("status") == "dropped"),
            ],
        )
        promise_id = int(cur.lastrowid or 0)
        index_promise(self.conn, promise_id, body["title"])
        self.created[change.entity] = promise_id
        self._arrived(change.entity)
        self.refresh(promise_id)
        return "added"

    def _promise_set(self, change: Change) -> str:
        promise_id = self._need_promise(change.entity)
        if "client" in change.body:
            self._need_client(change.body["client"])
        return self._promise_fields(promise_id, change.body, change.stamp)

    def _promise_fields(self, promise_id: int, body: dict[str, Any], stamp: str) -> str:
        """Each field given takes the new value if its change is the latest (see `wins`)."""
        conn = self.conn
        row = conn.execute(
            "SELECT p.title_stamp, p.to_stamp, p.client_stamp, p.schedule_stamp, p.owner_stamp,"
            " p.status_stamp, p.title, k.name, c.uuid, p.rule, p.start, p.after_done, p.due_at,"
            " p.covered_through, p.owner, p.dropped, p.client_id FROM promises p"
            " JOIN clients c ON c.id = p.client_id LEFT JOIN contacts k ON k.id = p.contact_id"
            " WHERE p.id = ?",
            [promise_id],
        ).fetchone()
        schedule_now = {
            "rule": row[9],
            "start": row[10],
            "after_done": bool(row[11]),
            "due_at": row[12],
            "covered_through": row[13],
        }
        current = {
            "title": (row[0], row[6]),
            "to": (row[1], row[7]),
            "client": (row[2], row[8]),
            "schedule": (row[3], schedule_now),
            "owner": (row[4], row[14]),
            "status": (row[5], "dropped" if row[15] else "open"),
        }
        client_id = int(row[16])
        sets: list[str] = []
        params: list[Any] = []
        changed = False

        def take(field: str) -> bool:
            if field not in body:
                return False
            value = body[field]
            if field == "schedule":
                value = {**{"due_at": None, "covered_through": None, "rule": None}, **value}
            old_stamp, old_value = current[field]
            return wins(stamp, value, old_stamp, old_value)

        if take("client"):
            client_id = self._need_client(body["client"])
            sets += ["client_id = ?", "client_stamp = ?"]
            params += [client_id, stamp]
            changed = changed or client_id != row[16]
        if take("title"):
            sets += ["title = ?", "title_stamp = ?"]
            params += [body["title"], stamp]
            if body["title"] != row[6]:
                index_promise(conn, promise_id, body["title"])
                changed = True
        named: list[str] = []
        if body.get("to"):
            # The person is known at the client whether or not this recipient stands (a
            # later change may name another): the contacts are the same in any order.
            ids = [body["to_id"]] if body.get("to_id") else []
            if "client" in body:
                person_client, entity = self._need_client(body["client"]), body["client"]
            else:
                person_client, entity = client_id, self._entity_of_client(client_id)
            named = self._named(person_client, entity, [body["to"]], ids, stamp)
        if take("to"):
            contact_id = self._rows_of(named)[0] if named else None
            sets += ["contact_id = ?", "to_stamp = ?"]
            params += [contact_id, stamp]
            changed = changed or body["to"] != row[7]
        if take("schedule"):
            new = body["schedule"]
            sets += [
                "rule = ?",
                "start = ?",
                "after_done = ?",
                "due_at = ?",
                "covered_through = ?",
                "schedule_stamp = ?",
            ]
            params += [
                new.get("rule"),
                new["start"],
                int(new["after_done"]),
                new.get("due_at"),
                new.get("covered_through"),
                stamp,
            ]
            changed = True
        if take("owner"):
            sets += ["owner = ?", "owner_stamp = ?"]
            params += [body["owner"], stamp]
            changed = changed or body["owner"] != row[14]
        if take("status"):
            sets += ["dropped = ?", "status_stamp = ?"]
            params += [int(body["status"] == "dropped"), stamp]
            changed = changed or (body["status"] == "dropped") != bool(row[15])
        if not sets:
            return "skipped"
        conn.execute(f"UPDATE promises SET {', '.join(sets)} WHERE id = ?", [*params, promise_id])
        self.refresh(promise_id)
        return "updated" if changed else "skipped"

    def _entity_of_client(self, client_id: int) -> str:
        return str(
            self.conn.execute("SELECT uuid FROM clients WHERE id = ?", [client_id]).fetchone()[0]
        )

    def _promise_mark(self, change: Change) -> str:
        import json

        promise_id = self._need_promise(change.entity)
        body = change.body
        note = body.get("note")
        note_row = (
            self.conn.execute("SELECT id FROM notes WHERE uuid = ?", [note]).fetchone()
            if note
            else None
        )
        cur = self.conn.execute(
            "INSERT OR IGNORE INTO completions (uuid, promise_id, at, day, note_id, kind, covers,"
            " stamp, note_uuid) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                change.uuid,
                promise_id,
                body["at"],
                body["day"],
                note_row[0] if note_row else None,
                body["kind"],
                json.dumps(sorted(set(body["covers"]))),
                change.stamp,
                note,
            ],
        )
        if not cur.rowcount:
            return "skipped"
        self.refresh(promise_id)
        return "added"

    def _promise_undo(self, change: Change) -> str:
        promise_id = self._need_promise(change.entity)
        cur = self.conn.execute(
            "INSERT OR IGNORE INTO undos (uuid, mark, stamp, at) VALUES (?, ?, ?, ?)",
            [change.uuid, change.body["mark"], change.stamp, change.body["at"]],
        )
        if not cur.rowcount:
            return "skipped"
        self.refresh(promise_id)
        return "updated"

    def _promise_pause(self, change: Change) -> str:
        return self._pause_event(change, "pause", change.body["from"], change.body.get("until"))

    def _promise_resume(self, change: Change) -> str:
        return self._pause_event(change, "resume", change.body["on"], None)

    def _pause_event(self, change: Change, kind: str, day: str, until: str | None) -> str:
        promise_id = self._need_promise(change.entity)
        cur = self.conn.execute(
            "INSERT OR IGNORE INTO pauses (uuid, promise_id, kind, day, until, stamp)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [change.uuid, promise_id, kind, day, until, change.stamp],
        )
        if not cur.rowcount:
            return "skipped"
        self.refresh(promise_id)
        return "updated"

    def _member_heartbeat(self, change: Change) -> str:
        return "skipped"  # kept in the log: `handoff team` reads when each member was last heard

    # ------------------------------------------------------------- the rule

    def refresh(self, promise_id: int) -> None:
        """Work out a promise's next due date and status again from all it holds."""
        state = promise_state(self.conn, promise_id)
        self.conn.execute(
            "UPDATE promises SET next_due = ?, status = ?, paused_from = ?, paused_until = ?,"
            " irregular = ? WHERE id = ?",
            [*state, promise_id],
        )


def _settle_keys(
    conn: sqlite3.Connection, table: str, scope: str, params: tuple[Any, ...], keys: Iterable[str]
) -> None:
    """Give each row of `table` (within `scope`) named with one of `keys` its unique `key`:
    the plain name key to the smallest uuid among those named alike, the name key and
    the uuid to the others. Rows still holding one of these keys from an earlier name
    are settled too, so no two rows ever hold one key."""
    wanted_keys = set(keys)
    for key in list(wanted_keys):
        for (held_by,) in conn.execute(
            f"SELECT name_key FROM {table} WHERE (key = ? OR key BETWEEN ? AND ?){scope}",
            [key, key + _SLOT, key + _SLOT + "\U0010ffff", *params],
        ):
            wanted_keys.add(held_by)
    marks = ",".join("?" * len(wanted_keys))
    rows = conn.execute(
        f"SELECT id, uuid, key, name_key FROM {table} WHERE name_key IN ({marks}){scope}"
        " ORDER BY name_key, uuid",
        [*wanted_keys, *params],
    ).fetchall()
    wanted: list[tuple[int, str, str]] = []
    previous = None
    for row_id, uuid, old, named in rows:
        first = named != previous
        previous = named
        wanted.append((row_id, named if first else named + _SLOT + uuid, old))
    moving = [(row_id, new) for row_id, new, old in wanted if new != old]
    for row_id, _ in moving:  # out of the way first: keys are unique
        conn.execute(f"UPDATE {table} SET key = ? WHERE id = ?", [f"{_SLOT}moving{row_id}", row_id])
    for row_id, new in moving:
        conn.execute(f"UPDATE {table} SET key = ? WHERE id = ?", [new, row_id])


def promise_state(
    conn: sqlite3.Connection, promise_id: int
) -> tuple[str | None, str, str | None, str | None, int]:
    """(next_due, status, paused_from, paused_until, irregular) from the promise's sets.

    Status is `dropped` when its status field says so, `done` when nothing more
    is owed (a one-off kept, a series ended), else `open`; whether it is paused
    on a given day is read from paused_from/paused_until, the latest pause.
    """
    from handoff_cli import coverage

    row = conn.execute(
        "SELECT rule, start, after_done, covered_through, dropped FROM promises WHERE id = ?",
        [promise_id],
    ).fetchone()
    plan = coverage.Plan(
        row[0],
        date.fromisoformat(row[1]),
        bool(row[2]),
        date.fromisoformat(row[3]) if row[3] else None,
    )
    marks, intervals = promise_sets(conn, promise_id)
    due = coverage.next_due(plan, marks, intervals)
    open_pause = bool(intervals) and intervals[-1][1] is None
    if row[4]:
        status = "dropped"
    elif due is None and not open_pause:
        status = "done"
    else:
        status = "open"
    last = intervals[-1] if intervals else None
    return (
        due.isoformat() if due else None,
        status,
        last[0].isoformat() if last else None,
        last[1].isoformat() if last and last[1] else None,
        int(coverage.irregular(plan, marks, intervals, due)),
    )


def promise_sets(
    conn: sqlite3.Connection, promise_id: int
) -> tuple[list[coverage.Mark], list[coverage.Interval]]:
    """A promise's live marks (undone ones left out) and its pause periods."""
    import json

    from handoff_cli import coverage

    marks = [
        coverage.Mark(
            r[0],
            r[1],
            date.fromisoformat(r[2]),
            tuple(date.fromisoformat(d) for d in json.loads(r[3])),
            r[4],
        )
        for r in conn.execute(
            "SELECT uuid, kind, day, covers, stamp FROM completions m WHERE promise_id = ?"
            " AND NOT EXISTS (SELECT 1 FROM undos u WHERE u.mark = m.uuid) ORDER BY stamp, uuid",
            [promise_id],
        )
    ]
    events = [
        coverage.PauseEvent(
            r[0], date.fromisoformat(r[1]), date.fromisoformat(r[2]) if r[2] else None
        )
        for r in conn.execute(
            "SELECT kind, day, until FROM pauses WHERE promise_id = ?", [promise_id]
        )
    ]
    return marks, coverage.excused(events)


# ------------------------------------------------------------------ search index


def index_note(
    conn: sqlite3.Connection, note_id: int, text: str, tags: Sequence[str], *, fresh: bool = False
) -> None:
    """Keep a note's search entry in step with its text and tags (`fresh`: a new note,
    which has none yet: the trigger on removal takes a removed note's entry with it)."""
    from handoff_cli.searchtext import index_body

    if not fresh:
        conn.execute("DELETE FROM notes_fts WHERE rowid = ?", [note_id])
    conn.execute(
        "INSERT INTO notes_fts (rowid, body) VALUES (?, ?)", [note_id, index_body(text, *tags)]
    )


def index_promise(conn: sqlite3.Connection, promise_id: int, title: str) -> None:
    from handoff_cli.searchtext import index_body

    conn.execute("DELETE FROM promises_fts WHERE rowid = ?", [promise_id])
    conn.execute(
        "INSERT INTO promises_fts (rowid, body) VALUES (?, ?)", [promise_id, index_body(title)]
    )
