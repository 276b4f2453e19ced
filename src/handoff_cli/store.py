"""All SQL lives here. The store opens (and migrates) the database and returns models.

Writes run inside `BEGIN IMMEDIATE` so that a command that reads and then
writes takes the write lock up front: many handoff processes at once wait for
each other (busy timeout) instead of failing with "database is locked".
"""

from __future__ import annotations

import json
import os
import sqlite3
import uuid as uuidlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, NamedTuple

from handoff_cli.errors import BadInput, HandoffError, StorageError
from handoff_cli.models import Client, Completion, Contact, Note, Promise
from handoff_cli.names import clean_name, likely_typo, name_key, required_name

APPLICATION_ID = 0x68616E64  # "hand"; migrations.py writes this one
# How many migrations migrations.py has. A literal: deriving it would import
# sqlite-utils (~130 ms) on every command. tests/reliability/test_packaging.py
# checks it against migrations.latest_version().
LATEST_VERSION = 1
BUSY_TIMEOUT_S = 30.0
FIRST_WAIT_MS = 1500


def new_uuid() -> str:
    return str(uuidlib.uuid4())


def iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def utc_iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


@dataclass(frozen=True)
class ClientSummary:
    name: str
    last_contact: datetime | None
    notes: int
    open_promises: int
    overdue: int


class DueEntry(NamedTuple):
    id: int
    client: str
    title: str
    to: str | None
    rule: str | None
    start: date
    after_done: bool
    next_due: date


@dataclass(frozen=True)
class SearchHit:
    type: str  # "note" or "promise"
    id: int
    client: str
    at: datetime | None
    text: str


@dataclass(frozen=True)
class Counts:
    clients: int
    contacts: int
    notes: int
    promises: int
    completions: int


class Store:
    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path
        # Called once when a write has waited FIRST_WAIT_MS for another process's lock,
        # so a person at a terminal knows why nothing happens (the wait goes on).
        self.on_wait: Callable[[], None] | None = None

    # ------------------------------------------------------------------ opening

    @classmethod
    def open(cls, path: Path, *, create: bool) -> Store | None:
        """Open the database at `path`, creating and migrating it when `create`.

        Returns None when there is no database and `create` is false (commands
        that only read never create one). Refuses, without writing a byte, a
        file that is not a handoff database or one from a newer handoff.
        """
        try:
            exists = path.exists()
            empty = exists and path.is_file() and path.stat().st_size == 0
        except OSError as exc:  # a name too long, a directory we may not search
            msg = f"cannot use the database path {path}: {exc.strerror or exc}"
            raise StorageError(msg) from exc
        if not exists or (not create and empty):
            # An empty file is no database yet; reading must not turn it into one.
            if not create:
                return None
            from handoff_cli.paths import PRIVATE_FILE, make_private_dirs

            try:
                make_private_dirs(path.parent)
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
                os.close(fd)
            except FileExistsError:
                pass  # another handoff process created it first: fine
            except OSError as exc:
                msg = f"cannot create the database at {path}: {exc.strerror or exc}"
                raise StorageError(msg) from exc
        elif path.is_dir():
            msg = f"{path} is a directory, not a handoff database; pass --db FILE"
            raise StorageError(msg)
        try:
            conn = sqlite3.connect(
                path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False
            )
        except sqlite3.Error as exc:
            msg = f"cannot open {path}: {exc}"
            raise StorageError(msg) from exc
        store = cls(conn, path)
        try:
            store._check_and_migrate()
        except BaseException:
            conn.close()
            raise
        from handoff_cli.paths import tighten

        tighten(path)  # ours: private, and its -wal too (SQLite copies the file's mode)
        return store

    def _check_and_migrate(self) -> None:
        conn = self.conn
        try:
            app_id, version = self._identity()
            if app_id != APPLICATION_ID:
                has_tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
                if app_id == 0 and has_tables:
                    # Another handoff may have committed the new schema between the two
                    # reads (its tables and application_id land together): look again.
                    app_id, version = self._identity()
                if app_id != APPLICATION_ID and (app_id != 0 or has_tables):
                    msg = (
                        f"{self.path} is not a handoff database; it was left untouched "
                        "(use --db to choose another file)"
                    )
                    raise StorageError(msg)
            if version > LATEST_VERSION:
                msg = (
                    f"{self.path} was written by a newer handoff (schema {version}, this "
                    f"one knows {LATEST_VERSION}); upgrade handoff to use it"
                )
                raise StorageError(msg)
            conn.execute("PRAGMA foreign_keys = ON")
            if version < LATEST_VERSION:
                self._migrate()
            elif conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                conn.execute("PRAGMA journal_mode = WAL")
        except sqlite3.DatabaseError as exc:
            raise storage_error(exc, self.path) from exc

    def _identity(self) -> tuple[int, int]:
        app_id = self.conn.execute("PRAGMA application_id").fetchone()[0]
        version = self.conn.execute("PRAGMA user_version").fetchone()[0]
        return int(app_id), int(version)

    def _migrate(self) -> None:
        from handoff_cli import migrations

        conn = self.conn
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("BEGIN IMMEDIATE")
        try:
            _, version = self._identity()  # another process may have migrated meanwhile
            if version < LATEST_VERSION:
                migrations.apply(conn)
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def schema_version(self) -> int:
        return self._identity()[1]

    # ------------------------------------------------------------- transactions

    @contextmanager
    def write(self) -> Iterator[None]:
        """One transaction holding the write lock from its first statement."""
        conn = self.conn
        try:
            self._begin_immediate()
        except sqlite3.DatabaseError as exc:
            raise storage_error(exc, self.path) from exc
        try:
            yield
            from handoff_cli.interrupts import committing

            with committing():  # counted as saved before any Ctrl-C is acted on
                conn.execute("COMMIT")
        except sqlite3.DatabaseError as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise storage_error(exc, self.path) from exc
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise

    def _begin_immediate(self) -> None:
        conn = self.conn
        if self.on_wait is None:
            conn.execute("BEGIN IMMEDIATE")
            return
        conn.execute(f"PRAGMA busy_timeout = {FIRST_WAIT_MS}")
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc):
                raise
            self.on_wait()
            conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000) - FIRST_WAIT_MS}")
            conn.execute("BEGIN IMMEDIATE")
        finally:
            conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """A read transaction: everything read inside sees one moment of the database."""
        conn = self.conn
        conn.execute("BEGIN")
        try:
            yield
        finally:
            if conn.in_transaction:
                conn.execute("COMMIT")

    def _q(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> sqlite3.Cursor:
        try:
            return self.conn.execute(sql, params)
        except sqlite3.DatabaseError as exc:
            raise storage_error(exc, self.path) from exc

    # ------------------------------------------------------------------ clients

    def find_client(self, name: str) -> Client | None:
        row = self._q(
            "SELECT id, uuid, name FROM clients WHERE key = ?", [name_key(name)]
        ).fetchone()
        return Client(row[0], row[1], row[2]) if row else None

    def client(self, name: str) -> Client:
        """The client called `name`, or a BadInput that suggests the closest one."""
        found = self.find_client(name)
        if found:
            return found
        close = self._close_client(name_key(name))
        hint = f"; did you mean '{close}'?" if close else "; `handoff clients` lists them"
        msg = f"no client named '{clean_name(name)}'{hint}"
        raise BadInput(msg)

    def _close_client(self, key: str) -> str | None:
        return likely_typo(key, self._q("SELECT key, name FROM clients"))

    def ensure_client(self, name: str, *, new_client: bool, now: datetime) -> tuple[Client, bool]:
        """The client called `name`, created if new. Call inside `write()`.

        A new name very close to an existing one is refused unless `new_client`.
        """
        shown = required_name(name, "a client name")
        found = self.find_client(shown)
        if found:
            return found, False
        key = name_key(shown)
        if not new_client:
            close = self._close_client(key)
            if close:
                quote = ' (quote names with spaces: "' + close + '")' if " " in close else ""
                msg = (
                    f"no client '{shown}' yet; did you mean '{close}'?{quote} "
                    f"(add --new-client to create '{shown}')"
                )
                raise BadInput(msg)
        client_uuid = new_uuid()
        cur = self._q(
            "INSERT INTO clients (uuid, name, key, created_at) VALUES (?, ?, ?, ?)",
            [client_uuid, shown, key, utc_iso(now)],
        )
        return Client(int(cur.lastrowid or 0), client_uuid, shown), True

    def rename_client(self, client: Client, new_name: str) -> Client:
        """Give `client` a new name; refuse one another client has. Call inside `write()`."""
        shown = required_name(new_name, "a client name")
        other = self.find_client(shown)
        if other is not None and other.id != client.id:
            msg = (
                f"'{other.name}' already exists; to make them one client, "
                f"`handoff merge '{client.name}' '{other.name}'`"
            )
            raise BadInput(msg)
        self._q(
            "UPDATE clients SET name = ?, key = ? WHERE id = ?", [shown, name_key(shown), client.id]
        )
        return Client(client.id, client.uuid, shown)

    def merge_clients(self, source: Client, target: Client) -> dict[str, int]:
        """Move everything of `source` to `target` and remove `source`. Inside `write()`.

        A contact known to both becomes one (the target's, with details it lacked
        filled in from the source's). Returns how many of each moved.
        """
        if source.id == target.id:
            msg = f"'{source.name}' and '{target.name}' are already one client"
            raise BadInput(msg)
        contacts = self._q(
            "SELECT id, key, role, email, phone FROM contacts WHERE client_id = ?", [source.id]
        ).fetchall()
        for contact_id, key, role, email, phone in contacts:
            same = self._q(
                "SELECT id FROM contacts WHERE client_id = ? AND key = ?", [target.id, key]
            ).fetchone()
            if same is None:
                self._q("UPDATE contacts SET client_id = ? WHERE id = ?", [target.id, contact_id])
                continue
            self._q(
                "UPDATE contacts SET role = coalesce(role, ?), email = coalesce(email, ?),"
                " phone = coalesce(phone, ?) WHERE id = ?",
                [role, email, phone, same[0]],
            )
            self._q(
                "UPDATE OR IGNORE note_contacts SET contact_id = ? WHERE contact_id = ?",
                [same[0], contact_id],
            )
            self._q("DELETE FROM note_contacts WHERE contact_id = ?", [contact_id])
            self._q(
                "UPDATE promises SET contact_id = ? WHERE contact_id = ?", [same[0], contact_id]
            )
            self._q("DELETE FROM contacts WHERE id = ?", [contact_id])
        notes = self._q(
            "UPDATE notes SET client_id = ? WHERE client_id = ?", [target.id, source.id]
        ).rowcount
        promises = self._q(
            "UPDATE promises SET client_id = ? WHERE client_id = ?", [target.id, source.id]
        ).rowcount
        self._q("DELETE FROM clients WHERE id = ?", [source.id])
        return {"notes": notes, "promises": promises, "contacts": len(contacts)}

    def client_names(self) -> list[str]:
        return [r[0] for r in self._q("SELECT name FROM clients ORDER BY key")]

    def clients(self) -> list[Client]:
        return [Client(*r) for r in self._q("SELECT id, uuid, name FROM clients ORDER BY key")]

    def client_summaries(self, *, as_of: date) -> list[ClientSummary]:
        open_counts = dict(
            self._q(
                "SELECT client_id, count(*) FROM promises WHERE status = 'open' GROUP BY client_id"
            ).fetchall()
        )
        overdue = dict(
            self._q(
                "SELECT client_id, count(*) FROM promises WHERE status = 'open' "
                "AND next_due < ? GROUP BY client_id",
                [as_of.isoformat()],
            ).fetchall()
        )
        rows = self._q("SELECT id, name, last_at_utc, note_count FROM clients ORDER BY key")
        return [
            ClientSummary(
                name=name,
                last_contact=datetime.fromisoformat(last) if last else None,
                notes=count,
                open_promises=open_counts.get(cid, 0),
                overdue=overdue.get(cid, 0),
            )
            for cid, name, last, count in rows
        ]

    # ----------------------------------------------------------------- contacts

    def ensure_contact(self, client: Client, name: str) -> Contact:
        """The contact called `name` at `client`, created if new. Call inside `write()`."""
        shown = required_name(name, "a contact name")
        row = self._q(
            "SELECT id, uuid, name, role, email, phone FROM contacts "
            "WHERE client_id = ? AND key = ?",
            [client.id, name_key(shown)],
        ).fetchone()
        if row:
            return Contact(row[0], row[1], client.name, row[2], row[3], row[4], row[5])
        contact_uuid = new_uuid()
        cur = self._q(
            "INSERT INTO contacts (uuid, client_id, name, key) VALUES (?, ?, ?, ?)",
            [contact_uuid, client.id, shown, name_key(shown)],
        )
        return Contact(int(cur.lastrowid or 0), contact_uuid, client.name, shown)

    def update_contact(
        self, contact: Contact, *, role: str | None, email: str | None, phone: str | None
    ) -> Contact:
        """Set the fields given (None leaves a field as it was). Call inside `write()`."""
        new_role = contact.role if role is None else role
        new_email = contact.email if email is None else email
        new_phone = contact.phone if phone is None else phone
        self._q(
            "UPDATE contacts SET role = ?, email = ?, phone = ? WHERE id = ?",
            [new_role, new_email, new_phone, contact.id],
        )
        return Contact(
            contact.id, contact.uuid, contact.client, contact.name, new_role, new_email, new_phone
        )

    def contacts(self, client: Client) -> list[Contact]:
        rows = self._q(
            "SELECT id, uuid, name, role, email, phone FROM contacts WHERE client_id = ? "
            "ORDER BY key",
            [client.id],
        )
        return [Contact(r[0], r[1], client.name, r[2], r[3], r[4], r[5]) for r in rows]

    # -------------------------------------------------------------------- notes

    def add_note(
        self,
        client: Client,
        *,
        at: datetime,
        kind: str,
        text: str,
        author: str,
        with_: Sequence[str] = (),
        tags: Sequence[str] = (),
        now: datetime,
        note_uuid: str | None = None,
    ) -> Note:
        """Insert a note, its contacts (created if new) and its search entry. Inside `write()`."""
        contacts: list[Contact] = []
        for name in with_:
            contact = self.ensure_contact(client, name)
            if all(c.id != contact.id for c in contacts):
                contacts.append(contact)
        clean_tags = tuple(dict.fromkeys(t.strip() for t in tags if t.strip()))
        note_uuid = note_uuid or new_uuid()
        cur = self._q(
            "INSERT INTO notes (uuid, client_id, at, at_utc, kind, text, author, tags, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                note_uuid,
                client.id,
                iso(at),
                utc_iso(at),
                kind,
                text,
                author,
                json.dumps(list(clean_tags), ensure_ascii=False),
                utc_iso(now),
            ],
        )
        note_id = int(cur.lastrowid or 0)
        self.conn.executemany(
            "INSERT INTO note_contacts (note_id, contact_id) VALUES (?, ?)",
            [(note_id, c.id) for c in contacts],
        )
        self._index_note(note_id, text, clean_tags)
        return Note(
            note_id,
            note_uuid,
            client.name,
            datetime.fromisoformat(iso(at)),
            kind,
            text,
            author,
            tuple(c.name for c in contacts),
            clean_tags,
        )

    def _index_note(self, note_id: int, text: str, tags: Sequence[str]) -> None:
        from handoff_cli.searchtext import index_body

        self._q("DELETE FROM notes_fts WHERE rowid = ?", [note_id])
        self._q(
            "INSERT INTO notes_fts (rowid, body) VALUES (?, ?)",
            [note_id, index_body(text, *tags)],
        )

    _NOTE_SELECT = (
        "SELECT n.id, n.uuid, c.name, n.at, n.kind, n.text, n.author, n.tags,"
        " (SELECT json_group_array(k.name) FROM note_contacts nc"
        "  JOIN contacts k ON k.id = nc.contact_id WHERE nc.note_id = n.id)"
        " FROM notes n JOIN clients c ON c.id = n.client_id"
    )

    @staticmethod
    def _note(row: Sequence[Any]) -> Note:
        return Note(
            id=row[0],
            uuid=row[1],
            client=row[2],
            at=datetime.fromisoformat(row[3]),
            kind=row[4],
            text=row[5],
            author=row[6],
            tags=tuple(json.loads(row[7])),
            with_=tuple(json.loads(row[8])) if row[8] else (),
        )

    def note(self, note_id: int) -> Note:
        row = self._q(self._NOTE_SELECT + " WHERE n.id = ?", [note_id]).fetchone()
        if not row:
            msg = f"no note #{note_id}; `handoff show CLIENT` lists notes with their ids"
            raise BadInput(msg)
        return self._note(row)

    def notes(
        self, client: Client, *, limit: int | None = None, since: datetime | None = None
    ) -> list[Note]:
        sql = self._NOTE_SELECT + " WHERE n.client_id = ?"
        params: list[Any] = [client.id]
        if since is not None:
            sql += " AND n.at_utc >= ?"
            params.append(utc_iso(since))
        sql += " ORDER BY n.at_utc DESC, n.id DESC"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        return [self._note(r) for r in self._q(sql, params)]

    def update_note_text(self, note_id: int, text: str) -> Note:
        """Replace a note's text. Call inside `write()`."""
        note = self.note(note_id)
        self._q("UPDATE notes SET text = ? WHERE id = ?", [text, note_id])
        self._index_note(note_id, text, note.tags)
        return self.note(note_id)

    def delete_note(self, note_id: int) -> Note:
        """Remove a note (its search entry and contact links go with it). Inside `write()`."""
        note = self.note(note_id)
        self._q("DELETE FROM notes WHERE id = ?", [note_id])
        return note

    # ------------------------------------------------------------------- search

    def search(
        self, query: str, *, client: Client | None = None, limit: int = 50
    ) -> list[SearchHit]:
        from handoff_cli.searchtext import match_query

        expr = match_query(query)
        if expr is None:
            return []
        client_filter = " AND n.client_id = ?" if client else ""
        params: list[Any] = [expr] + ([client.id] if client else []) + [limit]
        # A common word matches tens of thousands of notes; fetching and sorting all of
        # them to keep the newest few is what makes search slow. Counting is cheap, and
        # past a few thousand matches walking the notes newest first finds `limit`
        # matches sooner (same results, 10x faster on a million notes).
        newest_first = ""
        if client is None:
            matches = self._q(
                "SELECT count(*) FROM notes_fts WHERE notes_fts MATCH ?", [expr]
            ).fetchone()[0]
            if matches > 2000:
                newest_first = " INDEXED BY notes_at"
        notes = self._q(
            "SELECT n.id, c.name, n.at, n.text FROM notes n"
            + newest_first
            + " JOIN clients c ON c.id = n.client_id"
            " WHERE n.id IN (SELECT rowid FROM notes_fts WHERE notes_fts MATCH ?)"
            + client_filter
            + " ORDER BY n.at_utc DESC, n.id DESC LIMIT ?",
            params,
        ).fetchall()
        client_filter = " AND p.client_id = ?" if client else ""
        promises = self._q(
            "SELECT p.id, c.name, p.created_at, p.title FROM promises p"
            " JOIN clients c ON c.id = p.client_id"
            " WHERE p.id IN (SELECT rowid FROM promises_fts WHERE promises_fts MATCH ?)"
            + client_filter
            + " ORDER BY p.id DESC LIMIT ?",
            params,
        ).fetchall()
        hits = [
            SearchHit("promise", r[0], r[1], datetime.fromisoformat(r[2]), r[3]) for r in promises
        ]
        hits += [SearchHit("note", r[0], r[1], datetime.fromisoformat(r[2]), r[3]) for r in notes]
        return hits

    # ----------------------------------------------------------------- promises

    _PROMISE_SELECT = (
        "SELECT p.id, p.uuid, c.name, p.title, k.name, p.rule, p.start, p.after_done,"
        " p.status, p.next_due, p.resumed_on, p.created_at"
        " FROM promises p JOIN clients c ON c.id = p.client_id"
        " LEFT JOIN contacts k ON k.id = p.contact_id"
    )

    @staticmethod
    def _promise(row: Sequence[Any], completions: tuple[Completion, ...] = ()) -> Promise:
        return Promise(
            id=row[0],
            uuid=row[1],
            client=row[2],
            title=row[3],
            to=row[4],
            rule=row[5],
            start=date.fromisoformat(row[6]),
            after_done=bool(row[7]),
            status=row[8],
            next_due=_day(row[9]),
            resumed_on=_day(row[10]),
            completions=completions,
            created_at=datetime.fromisoformat(row[11]),
        )

    def add_promise(
        self,
        client: Client,
        *,
        title: str,
        to: str | None,
        rule: str | None,
        start: date,
        after_done: bool,
        next_due: date | None,
        now: datetime,
    ) -> Promise:
        """Insert a promise (and its contact if new). Call inside `write()`."""
        contact_id = self.ensure_contact(client, to).id if to else None
        cur = self._q(
            "INSERT INTO promises (uuid, client_id, contact_id, title, rule, start, after_done,"
            " status, next_due, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'open', ?, ?)",
            [
                new_uuid(),
                client.id,
                contact_id,
                title,
                rule,
                start.isoformat(),
                int(after_done),
                next_due.isoformat() if next_due else None,
                utc_iso(now),
            ],
        )
        promise_id = int(cur.lastrowid or 0)
        self._index_promise(promise_id, title)
        return self.promise(promise_id)

    def _index_promise(self, promise_id: int, title: str) -> None:
        from handoff_cli.searchtext import index_body

        self._q("DELETE FROM promises_fts WHERE rowid = ?", [promise_id])
        self._q(
            "INSERT INTO promises_fts (rowid, body) VALUES (?, ?)",
            [promise_id, index_body(title)],
        )

    def promise(self, promise_id: int, *, with_completions: bool = False) -> Promise:
        row = self._q(self._PROMISE_SELECT + " WHERE p.id = ?", [promise_id]).fetchone()
        if not row:
            msg = f"no promise #{promise_id}; `handoff promises` lists them with their ids"
            raise BadInput(msg)
        completions = self.completions(promise_id) if with_completions else ()
        return self._promise(row, completions)

    def completions(self, promise_id: int) -> tuple[Completion, ...]:
        rows = self._q(
            "SELECT m.uuid, m.at, m.day, n.uuid FROM completions m"
            " LEFT JOIN notes n ON n.id = m.note_id WHERE m.promise_id = ? ORDER BY m.day, m.id",
            [promise_id],
        )
        return tuple(
            Completion(r[0], datetime.fromisoformat(r[1]), date.fromisoformat(r[2]), r[3])
            for r in rows
        )

    def last_done(self, promise_ids: Sequence[int]) -> dict[int, date]:
        if not promise_ids:
            return {}
        marks = ",".join("?" * len(promise_ids))
        rows = self._q(
            f"SELECT promise_id, max(day) FROM completions WHERE promise_id IN ({marks})"
            " GROUP BY promise_id",
            list(promise_ids),
        )
        return {pid: date.fromisoformat(day) for pid, day in rows}

    def promises(
        self, *, client: Client | None = None, include_closed: bool = False
    ) -> list[Promise]:
        sql = self._PROMISE_SELECT + " WHERE 1"
        params: list[Any] = []
        if not include_closed:
            sql += " AND p.status IN ('open', 'paused')"
        if client:
            sql += " AND p.client_id = ?"
            params.append(client.id)
        sql += " ORDER BY p.status != 'open', p.next_due IS NULL, p.next_due, p.id"
        return [self._promise(r) for r in self._q(sql, params)]

    def due_entries(self, *, until: date, client: Client | None = None) -> list[DueEntry]:
        """The few fields `due` needs of each open promise due on or before `until`.

        Not whole `Promise` models: the morning view may list thousands of rows.
        """
        sql = (
            "SELECT p.id, c.name, p.title, k.name, p.rule, p.start, p.after_done, p.next_due"
            " FROM promises p JOIN clients c ON c.id = p.client_id"
            " LEFT JOIN contacts k ON k.id = p.contact_id"
            " WHERE p.status = 'open' AND p.next_due <= ?"
        )
        params: list[Any] = [until.isoformat()]
        if client:
            sql += " AND p.client_id = ?"
            params.append(client.id)
        fromiso = date.fromisoformat
        return [
            DueEntry(r[0], r[1], r[2], r[3], r[4], fromiso(r[5]), bool(r[6]), fromiso(r[7]))
            for r in self._q(sql, params)
        ]

    def record_completion(
        self,
        promise: Promise,
        *,
        at: datetime,
        day: date,
        note_id: int | None,
        next_due: date | None,
    ) -> Promise:
        """Store one `done` and the promise's new next due. Call inside `write()`."""
        self._q(
            "INSERT INTO completions (uuid, promise_id, at, day, note_id) VALUES (?, ?, ?, ?, ?)",
            [new_uuid(), promise.id, iso(at), day.isoformat(), note_id],
        )
        status = "done" if promise.rule is None or next_due is None else promise.status
        self._q(
            "UPDATE promises SET next_due = ?, status = ? WHERE id = ?",
            [next_due.isoformat() if next_due else None, status, promise.id],
        )
        return self.promise(promise.id)

    def set_status(self, promise: Promise, status: str) -> Promise:
        """Change a promise's status only (drop, pause). Call inside `write()`."""
        self._q("UPDATE promises SET status = ? WHERE id = ?", [status, promise.id])
        return self.promise(promise.id)

    def resume(
        self, promise: Promise, *, next_due: date | None, resumed_on: date | None
    ) -> Promise:
        """Open a paused promise again with its new next due. Call inside `write()`.

        With no next due left (a series that ran out while paused) it is done.
        """
        self._q(
            "UPDATE promises SET status = ?, next_due = ?, resumed_on = coalesce(?, resumed_on)"
            " WHERE id = ?",
            [
                "open" if next_due is not None else "done",
                next_due.isoformat() if next_due else None,
                resumed_on.isoformat() if resumed_on else None,
                promise.id,
            ],
        )
        return self.promise(promise.id)

    # -------------------------------------------------------------------- misc

    def counts(self) -> Counts:
        def count(table: str) -> int:
            return int(self._q(f"SELECT count(*) FROM {table}").fetchone()[0])

        return Counts(
            count("clients"),
            count("contacts"),
            count("notes"),
            count("promises"),
            count("completions"),
        )

    def backup_to(self, target: Path, *, progress: Callable[[int, int], None] | None = None) -> int:
        """A consistent copy via SQLite's online backup API, written to a temporary
        file beside `target` and renamed over it, so `target` is old or new, never half.

        The temporary file (0600) has an unguessable name, `.NAME.PID.XXXXXXXX.tmp`
        from `tempfile`: a file planted there cannot get in the way. A failure to
        write the copy names `target` and says this database is unchanged.
        `progress(done, total)` in pages, when given, makes the copy go in steps.
        """
        import tempfile

        prefix = f".{target.name}.{os.getpid()}."
        try:
            fd, name = tempfile.mkstemp(dir=target.parent, prefix=prefix, suffix=".tmp")
        except OSError as exc:
            msg = f"cannot write the backup {target}: {exc.strerror or exc}"
            raise StorageError(msg) from exc
        os.close(fd)
        temp = Path(name)
        try:
            copy = sqlite3.connect(temp)
            try:
                if progress is None:
                    self.conn.backup(copy)
                else:
                    self.conn.backup(
                        copy,
                        pages=1024,
                        progress=lambda _, left, total: progress(total - left, total),
                    )
                pages = int(copy.execute("PRAGMA page_count").fetchone()[0])
                copy.execute("PRAGMA journal_mode = DELETE")
            finally:
                copy.close()
            with open(temp, "rb") as handle:
                os.fsync(handle.fileno())
            os.replace(temp, target)
        except OSError as exc:
            msg = f"cannot write the backup {target}: {exc.strerror or exc}"
            raise StorageError(msg) from exc
        except sqlite3.DatabaseError as exc:
            if _source_damaged(exc):
                raise storage_error(exc, self.path) from exc
            msg = f"cannot write the backup {target}: {exc}; {self.path} is unchanged"
            raise StorageError(msg) from exc
        finally:
            for suffix in ("", "-journal", "-wal", "-shm"):
                leftover = Path(f"{temp}{suffix}")
                if leftover.exists():
                    leftover.unlink()
        return pages

    def integrity_check(self) -> str:
        rows = self._q("PRAGMA integrity_check").fetchall()
        return "; ".join(str(r[0]) for r in rows)


def _source_damaged(exc: sqlite3.DatabaseError) -> bool:
    """Whether a failed backup step was the database's fault (damaged), not the copy's."""
    text = str(exc)
    return "not a database" in text or "malformed" in text or "corrupt" in text


def storage_error(exc: sqlite3.DatabaseError, path: Path) -> HandoffError:
    """Turn SQLite's failures into one line that says what to do next."""
    text = str(exc)
    if "locked" in text or "busy" in text:
        msg = (
            f"the database {path} is busy (another handoff is writing); nothing was "
            "changed, try again"
        )
    elif "readonly" in text or "read-only" in text:
        msg = f"the database {path} is read-only; nothing was changed (check its permissions)"
    elif "not a database" in text or "malformed" in text or "corrupt" in text:
        msg = (
            f"{path} is not a handoff database or is damaged ({text}); "
            "it was left untouched (try `handoff doctor`)"
        )
    elif "unable to open" in text:
        msg = (
            f"cannot open the database {path} ({text}); check the directory exists and is writable"
        )
    else:
        msg = f"database error in {path}: {text}"
    return StorageError(msg)
