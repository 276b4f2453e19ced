"""The schema, as named migrations applied in order. A shipped migration is never edited.

`PRAGMA user_version` mirrors how many migrations have run, so opening an
up-to-date database costs one pragma instead of importing sqlite-utils.
`PRAGMA application_id` marks the file as ours, so we never touch a stranger's.
"""

from __future__ import annotations

from typing import Any

from sqlite_utils.migrations import Migrations

from handoff_cli.store import APPLICATION_ID

migrations = Migrations("handoff")


def _run_script(db: Any, script: str) -> None:
    """Run statements one by one: `executescript` would COMMIT the migration's transaction."""
    import sqlite3

    statement = ""
    for line in script.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            db.conn.execute(statement)
            statement = ""


@migrations()
def m001_initial(db: Any) -> None:
    _run_script(
        db,
        """
        CREATE TABLE clients (
            id INTEGER PRIMARY KEY,
            uuid TEXT NOT NULL UNIQUE,
            name TEXT NOT NULL,
            key TEXT NOT NULL UNIQUE,          -- NFKC + casefold of name
            created_at TEXT NOT NULL,
            note_count INTEGER NOT NULL DEFAULT 0,
            last_at_utc TEXT                   -- newest note, kept by triggers
        );
        CREATE TABLE contacts (
            id INTEGER PRIMARY KEY,
            uuid TEXT NOT NULL UNIQUE,
            client_id INTEGER NOT NULL REFERENCES clients(id),
            name TEXT NOT NULL,
            key TEXT NOT NULL,
            role TEXT,
            email TEXT,
            phone TEXT,
            UNIQUE (client_id, key)
        );
        CREATE TABLE notes (
            id INTEGER PRIMARY KEY,
            uuid TEXT NOT NULL UNIQUE,
            client_id INTEGER NOT NULL REFERENCES clients(id),
            at TEXT NOT NULL,                  -- ISO 8601 with the offset it was written in
            at_utc TEXT NOT NULL,              -- the same instant in UTC, for ordering
            kind TEXT NOT NULL,
            text TEXT NOT NULL,
            author TEXT NOT NULL,
            tags TEXT NOT NULL DEFAULT '[]',   -- JSON list of strings
            created_at TEXT NOT NULL
        );
        CREATE INDEX notes_client_at ON notes (client_id, at_utc);
        CREATE INDEX notes_at ON notes (at_utc);
        CREATE TABLE note_contacts (
            note_id INTEGER NOT NULL REFERENCES notes(id) ON DELETE CASCADE,
            contact_id INTEGER NOT NULL REFERENCES contacts(id),
            PRIMARY KEY (note_id, contact_id)
        ) WITHOUT ROWID;
        CREATE INDEX note_contacts_contact ON note_contacts (contact_id);
        CREATE TABLE promises (
            id INTEGER PRIMARY KEY,
            uuid TEXT NOT NULL UNIQUE,
            client_id INTEGER NOT NULL REFERENCES clients(id),
            contact_id INTEGER REFERENCES contacts(id),
            title TEXT NOT NULL,
            rule TEXT,                         -- canonical RFC 5545 rule; NULL for a one-off
            start TEXT NOT NULL,               -- YYYY-MM-DD: first occurrence, or the one-off's day
            after_done INTEGER NOT NULL DEFAULT 0,
            status TEXT NOT NULL DEFAULT 'open',
            next_due TEXT,                     -- YYYY-MM-DD, kept current on every write
            resumed_on TEXT,
            created_at TEXT NOT NULL
        );
        CREATE INDEX promises_status_due ON promises (status, next_due);
        CREATE INDEX promises_client ON promises (client_id);
        CREATE TABLE completions (
            id INTEGER PRIMARY KEY,
            uuid TEXT NOT NULL UNIQUE,
            promise_id INTEGER NOT NULL REFERENCES promises(id),
            at TEXT NOT NULL,
            day TEXT NOT NULL,
            note_id INTEGER REFERENCES notes(id) ON DELETE SET NULL
        );
        CREATE INDEX completions_promise ON completions (promise_id, day);
        CREATE INDEX completions_note ON completions (note_id);

        -- Full-text search. Bodies are prepared by handoff_cli.searchtext so
        -- that Japanese and Chinese text is searchable by words of two
        -- characters (bigrams); rowid is the note's or the promise's id.
        CREATE VIRTUAL TABLE notes_fts USING fts5 (
            body, tokenize = 'unicode61 remove_diacritics 2'
        );
        CREATE VIRTUAL TABLE promises_fts USING fts5 (
            body, tokenize = 'unicode61 remove_diacritics 2'
        );

        CREATE TRIGGER notes_counted AFTER INSERT ON notes BEGIN
            UPDATE clients SET
                note_count = note_count + 1,
                last_at_utc = max(coalesce(last_at_utc, ''), new.at_utc)
            WHERE id = new.client_id;
        END;
        CREATE TRIGGER notes_uncounted AFTER DELETE ON notes BEGIN
            UPDATE clients SET
                note_count = note_count - 1,
                last_at_utc = (SELECT max(at_utc) FROM notes WHERE client_id = old.client_id)
            WHERE id = old.client_id;
            DELETE FROM notes_fts WHERE rowid = old.id;
        END;
        CREATE TRIGGER notes_moved AFTER UPDATE OF at_utc, client_id ON notes BEGIN
            UPDATE clients SET
                note_count = (SELECT count(*) FROM notes WHERE client_id = clients.id),
                last_at_utc = (SELECT max(at_utc) FROM notes WHERE client_id = clients.id)
            WHERE id IN (old.client_id, new.client_id);
        END;
        CREATE TRIGGER promises_removed AFTER DELETE ON promises BEGIN
            DELETE FROM promises_fts WHERE rowid = old.id;
        END;
        """,
    )


def latest_version() -> int:
    """The schema version the migrations lead to: how many there are.

    Counted through sqlite-utils' public API (what an empty database has
    pending). `store.LATEST_VERSION` is a literal, so that opening a database
    does not import sqlite-utils; a test checks the two agree.
    """
    import sqlite_utils

    return len(migrations.pending(sqlite_utils.Database(memory=True)))


def apply(conn: Any) -> None:
    """Run pending migrations on an open connection already inside BEGIN IMMEDIATE."""
    import sqlite_utils

    db = sqlite_utils.Database(conn)
    migrations.apply(db)
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute(f"PRAGMA user_version = {latest_version()}")
