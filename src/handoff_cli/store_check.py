"""Rows that handoff cannot read: for `handoff doctor`, and for the error boundary.

A database edited by hand or by another tool can hold what handoff never
writes: `2026-02-30` in a completion, tags that are not JSON, a BLOB where a
note's text belongs, an `at` without its offset. SQLite's integrity check
passes; the command that reads the row fails. `damaged_rows` reads every
stored date and JSON field the way the store does and names each bad row;
`foreign_key_problems` names rows pointing at rows that are gone.

`TABLES` covers every table and column of the current schema: each column is
either checked (dates, moments, JSON, stamps, text, integers) or exempt with
its reason, and tests/reliability/test_damaged_rows.py fails when a migration
adds a column that is neither.

Read-only; opens its own connection from the path, so the boundary can call
it whatever state the command's own connection was left in.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from handoff_cli.daterange import RANGE, day_in_range, moment_in_range
from handoff_cli.models import MARK_KINDS, NOTE_KINDS, PAUSE_KINDS, PROMISE_STATUSES

Check = Callable[[Any], "str | None"]


def _moment(value: Any) -> str | None:
    if not isinstance(value, str):
        return "is not a date-time"
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return "is not a date-time"
    if moment.tzinfo is None:
        return "has no UTC offset"
    if not moment_in_range(moment):
        return f"is outside {RANGE}"
    return None


def _day(value: Any) -> str | None:
    if not isinstance(value, str):
        return "is not a date"
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return "is not a date"
    return None if day_in_range(day) else f"is outside {RANGE}"


def _text(value: Any) -> str | None:
    return None if isinstance(value, str) else "is not text"


def _or_null(check: Check) -> Check:
    return lambda value: None if value is None else check(value)


def _string_list(value: Any) -> str | None:
    if not isinstance(value, str):
        return "is not a JSON list"
    try:
        items = json.loads(value)
    except ValueError:
        return "is not a JSON list"
    if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
        return "is not a JSON list of strings"
    return None


def _one_of(choices: tuple[str, ...]) -> Check:
    return lambda value: None if value in choices else f"is not one of {', '.join(choices)}"


def _day_list(value: Any) -> str | None:
    """What a completion covers: a JSON list of days in range."""
    if _string_list(value) is None and all(_day(d) is None for d in json.loads(value)):
        return None
    return "is not a JSON list of dates"


def _json_object(value: Any) -> str | None:
    if isinstance(value, str):
        try:
            if isinstance(json.loads(value), dict):
                return None
        except ValueError:
            pass
    return "is not a JSON object"


def _clock(value: Any) -> str | None:
    from handoff_cli.stamps import is_clock

    return None if is_clock(value) else "is not a clock"


def _stamp(value: Any) -> str | None:
    """`CLOCK@MEMBER`, the stamp of a change (stamps.py)."""
    from handoff_cli.stamps import clock_of, is_clock

    return None if isinstance(value, str) and is_clock(clock_of(value)) else "is not a stamp"


def _rank(value: Any) -> str | None:
    """A name's rank: `0` or `1` and a stamp (stamps.creation_rank, rename_rank)."""
    from handoff_cli.stamps import unrank

    if isinstance(value, str) and value[:1] in ("0", "1") and _stamp(unrank(value)[0]) is None:
        return None
    return "is not a name's rank"


def _integer(value: Any) -> str | None:
    return None if isinstance(value, int) else "is not an integer"


@dataclass(frozen=True)
class Table:
    """How to read one table's rows: what names a row, and a check per column.

    `exempt` gives each column that needs no check its reason; a test compares
    checked and exempt columns with the schema's, so a new column cannot be
    forgotten silently.
    """

    key: str  # the column that names a row: `notes #3` for an id, else its value
    checks: dict[str, Check]
    exempt: dict[str, str] = field(default_factory=dict)
    where: str = ""  # rows to read, when only some have a shape handoff relies on
    label: str = ""  # how a row with an integer key is named, when not `TABLE #KEY`


_REFERENCE = "a reference: `PRAGMA foreign_key_check` reports one that points nowhere"
_KEY = "names the row in the report"

TABLES: dict[str, Table] = {
    "clients": Table(
        "id",
        {
            "uuid": _text,
            "name": _text,
            "key": _text,
            "created_at": _moment,
            "note_count": _integer,
            "last_at_utc": _or_null(_moment),
            "name_key": _or_null(_text),
            "stamp": _rank,
        },
        {"id": _KEY},
    ),
    "contacts": Table(
        "id",
        {
            "uuid": _text,
            "name": _text,
            "key": _text,
            "role": _or_null(_text),
            "email": _or_null(_text),
            "phone": _or_null(_text),
            "name_key": _or_null(_text),
            "stamp": _rank,
            "role_stamp": _stamp,
            "email_stamp": _stamp,
            "phone_stamp": _stamp,
            "removed": _or_null(_stamp),
        },
        {"id": _KEY, "client_id": _REFERENCE},
    ),
    "notes": Table(
        "id",
        {
            "uuid": _text,
            "at": _moment,
            "at_utc": _moment,
            "kind": _one_of(NOTE_KINDS),
            "text": _text,
            "author": _text,
            "tags": _string_list,
            "created_at": _moment,
            "stamp": _stamp,
            "text_stamp": _or_null(_stamp),
            "on_promise": _or_null(_text),
        },
        {"id": _KEY, "client_id": _REFERENCE},
    ),
    "promises": Table(
        "id",
        {
            "uuid": _text,
            "title": _text,
            "rule": _or_null(_text),
            "start": _day,
            "after_done": _integer,
            "status": _one_of(PROMISE_STATUSES),
            "next_due": _or_null(_day),
            "resumed_on": _or_null(_day),
            "created_at": _moment,
            "owner": _or_null(_text),
            "due_at": _or_null(_moment),
            "stamp": _stamp,
            "dropped": _integer,
            "title_stamp": _stamp,
            "to_stamp": _stamp,
            "client_stamp": _stamp,
            "schedule_stamp": _stamp,
            "owner_stamp": _stamp,
            "status_stamp": _stamp,
            "covered_through": _or_null(_day),
            "paused_from": _or_null(_day),
            "paused_until": _or_null(_day),
            "irregular": _integer,
        },
        {"id": _KEY, "client_id": _REFERENCE, "contact_id": _REFERENCE},
    ),
    "completions": Table(
        "id",
        {
            "uuid": _text,
            "at": _moment,
            "day": _day,
            "kind": _one_of(MARK_KINDS),
            "covers": _day_list,
            "stamp": _stamp,
            "note_uuid": _or_null(_text),
        },
        {"id": _KEY, "promise_id": _REFERENCE, "note_id": _REFERENCE},
    ),
    "pauses": Table(
        "uuid",
        {
            "kind": _one_of(PAUSE_KINDS),
            "day": _day,
            "until": _or_null(_day),
            "stamp": _stamp,
        },
        {"uuid": _KEY, "promise_id": _REFERENCE},
    ),
    "undos": Table(
        "uuid",
        {"mark": _text, "stamp": _stamp, "at": _moment},
        {"uuid": _KEY},
    ),
    "tombstones": Table("uuid", {"kind": _text, "stamp": _stamp}, {"uuid": _KEY}),
    "changes": Table(
        "seq",
        {
            "uuid": _text,
            "clock": _clock,
            "member": _text,
            "device": _text,
            "kind": _text,
            "entity": _text,
            "body": _json_object,
            "origin": _text,
            "waits_for": _or_null(_text),
        },
        {"seq": _KEY},
    ),
    "client_entities": Table(
        "uuid", {"created_key": _text}, {"uuid": _KEY, "client_id": _REFERENCE}
    ),
    "contact_entities": Table(
        "uuid", {"created_key": _text}, {"uuid": _KEY, "contact_id": _REFERENCE}
    ),
    "contact_aliases": Table(
        "key",
        {"name": _text, "stamp": _stamp},
        {"key": _KEY, "contact_id": _REFERENCE},
    ),
    "contact_removals": Table("uuid", {"stamp": _stamp}, {"uuid": _KEY}),
    "note_contacts": Table(
        "note_id",
        {"position": _or_null(_integer)},
        {"note_id": _REFERENCE, "contact_id": _REFERENCE},
        label="note_contacts of notes #{key}",
    ),
    "team_files": Table("path", {"offset": _integer}, {"path": _KEY}),
    # Each key's value has the shape its owner gives it (a member id, the team's
    # clone, a signed record): only the upgrade's notice is read by every command.
    "meta": Table("key", {"value": _string_list}, {"key": _KEY}, where="key = 'notice'"),
}

# Tables handoff does not read row by row: search indexes (rebuilt from notes and
# promises) and sqlite-utils' own record of the migrations run.
NOT_CHECKED = {
    "notes_fts": "the search index, rebuilt from the notes",
    "promises_fts": "the search index, rebuilt from the promises",
    "_sqlite_migrations": "sqlite-utils' record of the migrations run (`Schema:` reports)",
}


def _shown(value: Any) -> str:
    if isinstance(value, bytes):
        return f"a {len(value)}-byte BLOB"
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _row(table: str, spec: Table, key: Any) -> str:
    """`notes #3` for a row with an integer id, `pauses '0193…'` for one named by its uuid."""
    if isinstance(key, int) and not isinstance(key, bool):
        return spec.label.format(key=key) if spec.label else f"{table} #{key}"
    return f"{table} {_shown(key)}"


@contextmanager
def _reading(path: Path) -> Iterator[sqlite3.Connection]:
    with closing(sqlite3.connect(path, timeout=5)) as conn:
        yield conn


def damaged_rows(path: Path, *, limit: int | None = None) -> list[str]:
    """Each row with a field handoff cannot read (`notes #3: at '2026-02-30T…' is not a date-time`).

    Stops after `limit` findings. A table that cannot be read at all is one finding.
    """
    if not path.is_file():
        return []
    found: list[str] = []
    with _reading(path) as conn:
        for table, spec in TABLES.items():
            checks = spec.checks
            where = f" WHERE {spec.where}" if spec.where else ""
            sql = f"SELECT {spec.key}, {', '.join(checks)} FROM {table}{where} ORDER BY {spec.key}"
            try:
                for row in conn.execute(sql):
                    for (column, check), value in zip(checks.items(), row[1:], strict=True):
                        problem = check(value)
                        if problem:
                            found.append(
                                f"{_row(table, spec, row[0])}: {column} {_shown(value)} {problem}"
                            )
                            if limit is not None and len(found) >= limit:
                                return found
            except sqlite3.DatabaseError as exc:
                found.append(f"{table}: cannot be read ({exc})")
    return found


def foreign_key_problems(path: Path) -> list[str]:
    """Rows that point at a row that is gone (`PRAGMA foreign_key_check`)."""
    if not path.is_file():
        return []
    with _reading(path) as conn:
        rows = conn.execute("PRAGMA foreign_key_check").fetchall()
        names = {}
        for table, _, _, fkid in rows:
            if (table, fkid) not in names:
                columns = conn.execute(f"PRAGMA foreign_key_list({table})").fetchall()
                names.update({(table, c[0]): c[3] for c in columns})
    return [
        f"{table} #{rowid}: {names.get((table, fkid), 'a reference')} points to no {parent} row"
        for table, rowid, parent, fkid in rows
    ]
