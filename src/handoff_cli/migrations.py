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


@migrations()
def m002_changes_and_coverage(db: Any) -> None:
    """The change log (teams) and what each completion covers (no slip erases a duty).

    Existing rows become "from before the log": their stamps are the oldest
    possible, so any later change wins over them. Each old completion's coverage
    is derived by replaying the old rule in order, counting completions of one
    promise on one day once; promises whose next due date moves back because
    of that are recorded in `meta` as a notice for the user.
    """
    from handoff_cli.stamps import ZERO_RANK, ZERO_STAMP

    _run_script(
        db,
        f"""
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
        CREATE TABLE changes (
            seq INTEGER PRIMARY KEY,           -- the order changes arrived here
            uuid TEXT NOT NULL UNIQUE,
            clock TEXT NOT NULL,               -- hybrid logical clock (stamps.py)
            member TEXT NOT NULL,              -- the writer's member id
            device TEXT NOT NULL,              -- the writer's device id
            kind TEXT NOT NULL,                -- note.add, promise.mark, ... (docs/team.md)
            entity TEXT NOT NULL,              -- the uuid of the record it changes
            body TEXT NOT NULL,                -- JSON
            origin TEXT NOT NULL,              -- local, import or team
            waits_for TEXT                     -- a uuid not here yet; applied once it is
        );
        CREATE INDEX changes_waiting ON changes (waits_for) WHERE waits_for IS NOT NULL;
        CREATE INDEX changes_origin ON changes (origin, seq);

        -- Every uuid a client has been known by: two clients created under one
        -- name on two machines, or merged, are one client (one `clients` row).
        CREATE TABLE client_entities (
            uuid TEXT PRIMARY KEY,
            client_id INTEGER NOT NULL REFERENCES clients(id),
            created_key TEXT NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX client_entities_key ON client_entities (created_key);
        CREATE INDEX client_entities_client ON client_entities (client_id);
        CREATE TABLE contact_entities (
            uuid TEXT PRIMARY KEY,
            contact_id INTEGER NOT NULL REFERENCES contacts(id),
            created_key TEXT NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX contact_entities_contact ON contact_entities (contact_id);

        -- Team sync: how far each member's file in the team repository was read.
        CREATE TABLE team_files (
            path TEXT PRIMARY KEY,             -- relative to the clone: log/MEMBER/DEVICE/...
            offset INTEGER NOT NULL            -- bytes applied (complete lines only)
        ) WITHOUT ROWID;

        CREATE TABLE tombstones (
            uuid TEXT PRIMARY KEY,
            kind TEXT NOT NULL,
            stamp TEXT NOT NULL
        ) WITHOUT ROWID;
        CREATE TABLE undos (
            uuid TEXT PRIMARY KEY,
            mark TEXT NOT NULL,                -- the completion or skip taken back
            stamp TEXT NOT NULL,
            at TEXT NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX undos_mark ON undos (mark);
        CREATE TABLE pauses (
            uuid TEXT PRIMARY KEY,
            promise_id INTEGER NOT NULL REFERENCES promises(id),
            kind TEXT NOT NULL,                -- pause or resume
            day TEXT NOT NULL,
            until TEXT,
            stamp TEXT NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX pauses_promise ON pauses (promise_id);

        ALTER TABLE clients ADD COLUMN name_key TEXT;
        ALTER TABLE clients ADD COLUMN stamp TEXT NOT NULL DEFAULT '{ZERO_RANK}';  -- name's rank
        CREATE INDEX clients_name_key ON clients (name_key);

        ALTER TABLE contacts ADD COLUMN name_key TEXT;
        -- Each field that can change has the stamp ("clock@member") of its latest
        -- change: the merge rule is "latest change wins" per field.
        ALTER TABLE contacts ADD COLUMN stamp TEXT NOT NULL DEFAULT '{ZERO_RANK}';  -- name's rank
        ALTER TABLE contacts ADD COLUMN role_stamp TEXT NOT NULL DEFAULT '{ZERO_STAMP}';
        ALTER TABLE contacts ADD COLUMN email_stamp TEXT NOT NULL DEFAULT '{ZERO_STAMP}';
        ALTER TABLE contacts ADD COLUMN phone_stamp TEXT NOT NULL DEFAULT '{ZERO_STAMP}';

        ALTER TABLE notes ADD COLUMN stamp TEXT NOT NULL DEFAULT '{ZERO_STAMP}';
        ALTER TABLE notes ADD COLUMN text_stamp TEXT;   -- NULL: as made (stamp)
        ALTER TABLE notes ADD COLUMN on_promise TEXT;   -- `log --on`: the promise's uuid
        ALTER TABLE note_contacts ADD COLUMN position INTEGER;  -- as given (NULL: by name)
        CREATE INDEX notes_on_promise ON notes (on_promise, at_utc) WHERE on_promise IS NOT NULL;

        ALTER TABLE promises ADD COLUMN owner TEXT;     -- NULL: this database's own user
        ALTER TABLE promises ADD COLUMN due_at TEXT;    -- a one-off's deadline with its time
        ALTER TABLE promises ADD COLUMN stamp TEXT NOT NULL DEFAULT '{ZERO_STAMP}';
        ALTER TABLE promises ADD COLUMN dropped INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE promises ADD COLUMN title_stamp TEXT NOT NULL DEFAULT '{ZERO_STAMP}';
        ALTER TABLE promises ADD COLUMN to_stamp TEXT NOT NULL DEFAULT '{ZERO_STAMP}';
        ALTER TABLE promises ADD COLUMN client_stamp TEXT NOT NULL DEFAULT '{ZERO_STAMP}';
        ALTER TABLE promises ADD COLUMN schedule_stamp TEXT NOT NULL DEFAULT '{ZERO_STAMP}';
        ALTER TABLE promises ADD COLUMN owner_stamp TEXT NOT NULL DEFAULT '{ZERO_STAMP}';
        ALTER TABLE promises ADD COLUMN status_stamp TEXT NOT NULL DEFAULT '{ZERO_STAMP}';
        ALTER TABLE promises ADD COLUMN covered_through TEXT;
        ALTER TABLE promises ADD COLUMN paused_from TEXT;   -- the latest pause: its first day
        ALTER TABLE promises ADD COLUMN paused_until TEXT;  -- and its end (NULL: open)
        ALTER TABLE promises ADD COLUMN irregular INTEGER NOT NULL DEFAULT 0;

        ALTER TABLE completions ADD COLUMN kind TEXT NOT NULL DEFAULT 'done';
        ALTER TABLE completions ADD COLUMN covers TEXT NOT NULL DEFAULT '[]';
        ALTER TABLE completions ADD COLUMN stamp TEXT NOT NULL DEFAULT '{ZERO_STAMP}';
        ALTER TABLE completions ADD COLUMN note_uuid TEXT;
        """,
    )
    from handoff_cli.legacy import adopt_rows

    notices = adopt_rows(db.conn)
    if notices:
        import json

        db.conn.execute(
            "INSERT INTO meta (key, value) VALUES ('notice', ?)",
            [json.dumps(notices, ensure_ascii=False)],
        )


@migrations()
def m003_contact_names(db: Any) -> None:
    """Contacts that answer to other names (`contact alias`), and removed contacts.

    An alias is a name the person also goes by at the client; a removal leaves
    the contact in place (notes that named them still do) but off every list,
    for good. docs/team.md has the rules.
    """
    _run_script(
        db,
        """
        CREATE TABLE contact_aliases (
            contact_id INTEGER NOT NULL REFERENCES contacts(id),
            key TEXT NOT NULL,                 -- name_key of the alias
            name TEXT NOT NULL,                -- as written
            stamp TEXT NOT NULL,               -- its latest change: that spelling stands
            PRIMARY KEY (contact_id, key)
        ) WITHOUT ROWID;
        CREATE INDEX contact_aliases_key ON contact_aliases (key);
        -- `contact rm`: the uuid it named the contact by, and the first removal's stamp.
        -- A contact is removed while any uuid it is known by has a row here.
        CREATE TABLE contact_removals (
            uuid TEXT PRIMARY KEY,
            stamp TEXT NOT NULL
        ) WITHOUT ROWID;
        ALTER TABLE contacts ADD COLUMN removed TEXT;  -- the removal's stamp; NULL: listed
        CREATE INDEX contacts_name ON contacts (client_id, name_key);
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


@migrations()
def m004_pause_uuids(db: Any) -> None:
    """Pause events an upgrade from the first version made were named `m002-ID-N`,
    which no bundle accepts: such a database could not import its own export. They
    become derived uuids (legacy.pause_uuid), as an upgrade now makes them."""
    from handoff_cli.legacy import pause_uuid

    conn = db.conn
    rows = conn.execute(
        "SELECT pa.uuid, p.uuid FROM pauses pa JOIN promises p ON p.id = pa.promise_id"
        " WHERE pa.uuid LIKE 'm002-%'"
    ).fetchall()
    conn.executemany(
        "UPDATE pauses SET uuid = ? WHERE uuid = ?",
        [(pause_uuid(promise, int(old.rsplit("-", 1)[1])), old) for old, promise in rows],
    )


@migrations()
def m005_due_index(db: Any) -> None:
    """An index holding what every `due` reads (issue 13: ≤ 4× the insert floor).

    `promises_due` has every column `due` reads from an open promise, in the order
    it asks (status, then next due day), so the morning view reads the index alone
    instead of one table row per promise it lists (4,656 of the benchmark's 10,000
    promises: ≈ 5 ms of an ≈ 18 ms query), and finding the promises paused today
    walks it instead of every open promise's row (≈ 8 ms to ≈ 2 ms). The open and
    overdue counts of `clients` and `show` read it too. It starts as
    `promises_status_due` (status, next_due) did, so that one goes. A column `due`
    comes to need must be added to it (by a new migration), or the query goes back
    to the table for every row.
    """
    _run_script(
        db,
        """
        CREATE INDEX promises_due ON promises (
            status, next_due, client_id, contact_id, title, due_at, irregular, after_done,
            rule, start, paused_from, paused_until, owner
        );
        DROP INDEX promises_status_due;
        """,
    )


@migrations()
def m006_note_counts_by_the_applier(db: Any) -> None:
    """A client's note count and newest note are kept by the applier, a batch at a time.

    The trigger ran one UPDATE of the client per note inserted: about 3 s of a
    first sync of a million notes (issue 14). Notes are inserted in one place
    (`Applier._insert_notes`), which now adds each client's count and newest time
    once per batch. Removing or moving notes still counts by trigger.
    """
    _run_script(db, "DROP TRIGGER notes_counted;")
