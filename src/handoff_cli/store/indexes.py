"""Indexes that a long run of new notes may leave out and build once at its end.

A first sync of a team's history (or a big import) inserts a million notes. Two
indexes take each of them somewhere in their middle, page after page: `notes_at`
(notes arrive month by month, but the team's members interleave within each
month) and `note_contacts_contact`. Building them at the end is one sort instead
(a first sync of 1M notes: ~6 s less). Only readers use them, and the applier's
one statement that needs `note_contacts_contact` (merging two contacts) builds it
first, so a write never scans.

A sync that is killed between leaving them out and building them leaves them
out until the next sync ends: reads stay correct, only slower. A migration that
changes one of them must drop it with IF EXISTS. `tests/test_storage.py` checks
that these are the migrations' own definitions.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    import sqlite3

DEFERRABLE = {
    "notes_at": "CREATE INDEX IF NOT EXISTS notes_at ON notes (at_utc)",
    "note_contacts_contact": (
        "CREATE INDEX IF NOT EXISTS note_contacts_contact ON note_contacts (contact_id)"
    ),
}

# Worth it when the new notes are at least half as many as those already here
# (building both over a million rows takes ~1.5 s; inserting a million into them
# ~7 s), and not for a few thousand: a sync's new lines, in bytes, against this.
BYTES_PER_NOTE = 250
AT_LEAST_BYTES = 8 << 20


def worth_deferring(conn: sqlite3.Connection, incoming_bytes: int) -> bool:
    """Whether `incoming_bytes` of new records are enough to build the indexes after."""
    if incoming_bytes < AT_LEAST_BYTES:
        return False
    (notes,) = conn.execute("SELECT count(*) FROM notes").fetchone()
    return incoming_bytes >= int(notes) * BYTES_PER_NOTE


def defer(conn: sqlite3.Connection) -> None:
    """Leave the deferrable indexes out (inside a transaction)."""
    for name in DEFERRABLE:
        conn.execute(f"DROP INDEX IF EXISTS {name}")


def ensure(conn: sqlite3.Connection, *names: str) -> None:
    """Build `names` (all of them when none is given) if they are not there."""
    for name in names or tuple(DEFERRABLE):
        conn.execute(DEFERRABLE[name])
