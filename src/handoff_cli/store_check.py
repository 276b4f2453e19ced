"""Rows that handoff cannot read: for `handoff doctor`, and for the error boundary.

A database edited by hand or by another tool can hold what handoff never
writes: `2026-02-30` in a completion, tags that are not JSON, a BLOB where a
note's text belongs, an `at` without its offset. SQLite's integrity check
passes; the command that reads the row fails. `damaged_rows` reads every
stored date and JSON field the way the store does and names each bad row;
`foreign_key_problems` names rows pointing at rows that are gone.

Read-only; opens its own connection from the path, so the boundary can call
it whatever state the command's own connection was left in.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any

from handoff_cli.daterange import RANGE, day_in_range, moment_in_range
from handoff_cli.models import NOTE_KINDS, PROMISE_STATUSES

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


COLUMNS: dict[str, dict[str, Check]] = {
    "clients": {
        "uuid": _text,
        "name": _text,
        "key": _text,
        "created_at": _moment,
        "last_at_utc": _or_null(_moment),
    },
    "contacts": {
        "uuid": _text,
        "name": _text,
        "key": _text,
        "role": _or_null(_text),
        "email": _or_null(_text),
        "phone": _or_null(_text),
    },
    "notes": {
        "uuid": _text,
        "at": _moment,
        "at_utc": _moment,
        "kind": _one_of(NOTE_KINDS),
        "text": _text,
        "author": _text,
        "tags": _string_list,
        "created_at": _moment,
    },
    "promises": {
        "uuid": _text,
        "title": _text,
        "rule": _or_null(_text),
        "start": _day,
        "status": _one_of(PROMISE_STATUSES),
        "next_due": _or_null(_day),
        "resumed_on": _or_null(_day),
        "created_at": _moment,
    },
    "completions": {"uuid": _text, "at": _moment, "day": _day},
}


def _shown(value: Any) -> str:
    if isinstance(value, bytes):
        return f"a {len(value)}-byte BLOB"
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


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
        for table, checks in COLUMNS.items():
            try:
                cursor = conn.execute(f"SELECT id, {', '.join(checks)} FROM {table} ORDER BY id")
                for row in cursor:
                    for (column, check), value in zip(checks.items(), row[1:], strict=True):
                        problem = check(value)
                        if problem:
                            found.append(f"{table} #{row[0]}: {column} {_shown(value)} {problem}")
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
