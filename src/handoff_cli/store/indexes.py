"""Indexes that a long run of new notes may leave out and build once at its end.

A first sync of a team's history (or a big import) inserts a million notes. Two
indexes take each of them somewhere in their middle, page after page: `notes_at`
(notes arrive month by month, but the team's members interleave within each
month) and `note_contacts_contact`. Building them at the end is one sort instead
(a first sync of 1M notes: ~6 s less). Only readers use them, and the applier's
one statement that needs `note_contacts_contact` (merging two contacts) builds it
first, so a write never scans.

A sync that is killed between leaving them out and building them leaves them
out until the next sync ends, or `handoff doctor` builds them: reads stay
correct, only slower (a query that names one, `INDEXED BY`, runs through
`tolerant`). A migration that
changes one of them must drop it with IF EXISTS. `tests/test_bulk_indexes.py`
checks that these are the migrations' own definitions.
"""

from __future__ import annotations

import sqlite3  # (loaded already: the store's own)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any

DEFERRABLE = {
    "notes_at": "CREATE INDEX IF NOT EXISTS notes_at ON notes (at_utc)",
    "note_contacts_contact": (
        "CREATE INDEX IF NOT EXISTS note_contacts_contact ON note_contacts (contact_id)"
    ),
}

# Worth it when the new notes are at least half as many as those already here
# (building both over a million rows takes ~1.5 s; inserting a million into them
# ~7 s), and not for a few thousand.
AT_LEAST_NOTES = 16_000
# A sync knows how many bytes of records it will read, not how many records: a
# team's line is ~500 bytes (a note with its text, people and tags).
BYTES_PER_RECORD = 500


def worth_deferring(conn: sqlite3.Connection, new_notes: int) -> bool:
    """Whether `new_notes` are enough to build the indexes after them."""
    if new_notes < AT_LEAST_NOTES:
        return False
    (notes,) = conn.execute("SELECT count(*) FROM notes").fetchone()
    return new_notes * 2 >= int(notes)


def tolerant(conn: sqlite3.Connection, sql: str, params: Sequence[Any]) -> sqlite3.Cursor:
    """Run `sql`, which may name a deferrable index (`INDEXED BY`); while a long sync
    has left that index out, run it without the name (a query naming an index that
    is not there fails), which gives the same rows."""
    try:
        return conn.execute(sql, params)
    except sqlite3.OperationalError as exc:
        for name in DEFERRABLE:
            clause = f" INDEXED BY {name}"
            if clause in sql and str(exc) == f"no such index: {name}":
                return conn.execute(sql.replace(clause, ""), params)
        raise


def defer(conn: sqlite3.Connection) -> None:
    """Leave the deferrable indexes out (inside a transaction)."""
    for name in DEFERRABLE:
        conn.execute(f"DROP INDEX IF EXISTS {name}")


def missing(conn: sqlite3.Connection) -> list[str]:
    """The deferrable indexes that are not there."""
    indexes = conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")
    present = {name for (name,) in indexes}
    return [name for name in DEFERRABLE if name not in present]


def ensure(conn: sqlite3.Connection, *names: str) -> None:
    """Build `names` (all of them when none is given) if they are not there."""
    for name in names or tuple(DEFERRABLE):
        conn.execute(DEFERRABLE[name])
