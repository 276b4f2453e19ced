"""Issue 15.2: `import` checks a bundle against the calendar, the clock and the database.

Before anything is written:
- every date must lie in the range `log --at` allows (1900-01-01 to
  2200-12-31): a note at 9999-12-31T23:59:59+00:00 or 0001-01-01 imported,
  and then `show`, `clients` and `export` failed in every zone east or west
  of UTC; a one-off due 9999-12-31 broke `export --format ics`;
- a completion more than a day ahead of now is refused (the promise would
  vanish from `due` until then);
- a uuid that is a local record of another kind is refused (the merged
  database could no longer be exported and imported anywhere);
- a client uuid known here under another name is reported on stderr.
"""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path
from typing import Any

import pytest

from .support import Run, assert_clean_failure, consistency_problems, rows, run_handoff, scalar

NOW = "2026-11-23T10:00:00+09:00"  # conftest's pinned clock


def new_uuid() -> str:
    return str(uuid.uuid4())


def note(at: str = "2026-11-20T10:00:00+09:00", text: str = "hello") -> dict[str, Any]:
    return {
        "uuid": new_uuid(),
        "at": at,
        "kind": "note",
        "text": text,
        "author": "bob",
        "with": [],
        "tags": [],
    }


def promise(**fields: Any) -> dict[str, Any]:
    record = {
        "uuid": new_uuid(),
        "title": "Monthly report",
        "to": None,
        "rule": None,
        "start": "2026-12-01",
        "after_done": False,
        "status": "open",
        "completions": [],
    }
    record.update(fields)
    return record


def bundle(
    *clients: dict[str, Any], exported_at: str = "2026-11-22T09:00:00+09:00"
) -> dict[str, Any]:
    return {
        "format": "handoff-bundle",
        "version": 1,
        "exported_at": exported_at,
        "author": "bob",
        "clients": list(clients),
    }


def client(name: str = "Globex", **fields: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "uuid": new_uuid(),
        "name": name,
        "contacts": [],
        "promises": [],
        "notes": [],
    }
    record.update(fields)
    return record


def write(tmp_path: Path, data: dict[str, Any], name: str = "in.json") -> str:
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


def snapshot(db: Path) -> list[Any]:
    return [
        rows(db, f"SELECT * FROM {table} ORDER BY id")
        for table in ("clients", "contacts", "notes", "promises", "completions")
    ]


OUT_OF_RANGE = [
    ("notes[0].at", bundle(client(notes=[note(at="9999-12-31T23:59:59+00:00")]))),
    ("notes[0].at", bundle(client(notes=[note(at="0001-01-01T00:00:00+00:00")]))),
    ("notes[0].at", bundle(client(notes=[note(at="1899-12-31T12:00:00+00:00")]))),
    ("promises[0].start", bundle(client(promises=[promise(start="9999-12-31")]))),
    ("promises[0].start", bundle(client(promises=[promise(start="0001-01-01")]))),
    (
        "promises[0].created_at",
        bundle(client(promises=[promise(created_at="0001-01-01T00:00:00+14:00")])),
    ),
    ("exported_at", bundle(exported_at="9999-12-31T23:59:59+00:00")),
]


def test_dates_out_of_range_are_refused_before_anything_is_written(
    db: Path, cli: Run, tmp_path: Path
) -> None:
    cli("log", "Acme", "mine").ok()
    before = snapshot(db)
    for where, data in OUT_OF_RANGE:
        line = assert_clean_failure(cli("import", write(tmp_path, data)), code=2)
        assert where in line and "out of range (1900-01-01 to 2200-12-31)" in line, line
        assert "nothing was changed" in line
    assert snapshot(db) == before


def test_the_edges_of_the_range_import_and_read_back_in_every_zone(
    db: Path, cli: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import time

    data = bundle(
        client(
            notes=[note(at="2200-12-31T23:59:59+00:00"), note(at="1900-01-01T00:00:00+00:00")],
            promises=[promise(start="2200-12-31")],
        )
    )
    cli("import", write(tmp_path, data)).ok()
    for zone in ("Pacific/Kiritimati", "Etc/GMT+12"):  # UTC+14 and UTC-12, the extremes
        monkeypatch.setenv("TZ", zone)
        time.tzset()
        for command in (
            ("show", "Globex"),
            ("clients",),
            ("export",),
            ("export", "--format", "ics"),
            ("due", "--as-of", "2200-12-31"),
        ):
            done = cli(*command)
            assert done.code == 0 and "Traceback" not in done.stderr, (zone, command, done.stderr)


def test_typed_dates_keep_to_the_same_range(db: Path, cli: Run) -> None:
    for command in (
        ("log", "Acme", "x", "--at", "9999-12-31"),
        ("log", "Acme", "x", "--at", "0001-01-02"),
        ("promise", "Acme", "t", "--due", "9999-12-31"),
        ("promise", "Acme", "t", "--every", "monthly", "--start", "1800-01-01"),
        ("promise", "Acme", "t", "--every", "monthly", "--start", "2201-01-01"),
    ):
        line = assert_clean_failure(cli(*command), code=2)
        assert "out of range (handoff keeps 1900-01-01 to 2200-12-31)" in line, (command, line)
    assert not db.exists()
    cli("log", "Acme", "x", "--at", "2200-12-31").ok()
    cli("promise", "Acme", "t", "--due", "2200-12-31").ok()
    cli("export", "--format", "ics").ok()


def test_completions_in_the_future_are_refused(db: Path, cli: Run, tmp_path: Path) -> None:
    cli("log", "Acme", "mine").ok()
    before = snapshot(db)
    ahead = {"uuid": new_uuid(), "at": "2099-01-01T10:00:00+09:00", "day": "2099-01-01"}
    data = bundle(client(promises=[promise(rule="FREQ=MONTHLY", completions=[ahead])]))
    line = assert_clean_failure(cli("import", write(tmp_path, data)), code=2)
    assert "clients[0].promises[0].completions[0]" in line and "in the future" in line, line
    assert snapshot(db) == before
    # A colleague's clock a few hours ahead (or a zone east of ours) is not refused.
    soon = {"uuid": new_uuid(), "at": "2026-11-24T02:00:00+14:00", "day": "2026-11-24"}
    data = bundle(client(promises=[promise(start="2026-11-01", completions=[soon])]))
    cli("import", write(tmp_path, data)).ok()


def test_a_uuid_of_another_kind_here_is_refused(db: Path, cli: Run, tmp_path: Path) -> None:
    cli("log", "Acme", "mine", "--with", "Tanaka").ok()
    note_uuid = scalar(db, "SELECT uuid FROM notes")
    contact_uuid = scalar(db, "SELECT uuid FROM contacts")
    before = snapshot(db)
    clashes = [
        bundle(client(uuid=note_uuid)),
        bundle(client(promises=[promise(uuid=contact_uuid)])),
        bundle(client(notes=[{**note(), "uuid": scalar(db, "SELECT uuid FROM clients")}])),
    ]
    for data in clashes:
        for extra in ((), ("--dry-run",)):
            line = assert_clean_failure(cli("import", write(tmp_path, data), *extra), code=2)
            assert "cannot share a uuid" in line, line
    assert snapshot(db) == before
    # The database is still one whose export imports anywhere.
    cli("export", "-o", str(tmp_path / "mine.json")).ok()
    fresh = {**os.environ, "HANDOFF_DB": str(tmp_path / "fresh.db")}
    run_handoff("import", str(tmp_path / "mine.json"), env=fresh).ok()


def test_a_client_renamed_on_one_side_is_reported(db: Path, cli: Run, tmp_path: Path) -> None:
    cli("log", "Acme", "mine").ok()
    acme = scalar(db, "SELECT uuid FROM clients")
    data = bundle(client(name="Acme Holdings", uuid=acme, notes=[note(text="theirs")]))
    done = cli("import", write(tmp_path, data)).ok()
    assert "client 'Acme Holdings' is 'Acme' here (renamed on one side)" in done.stderr
    assert rows(db, "SELECT name FROM clients") == [("Acme",)]
    assert scalar(db, "SELECT count(*) FROM notes") == 2
    assert consistency_problems(db) == []
    again = cli("import", write(tmp_path, data), "--json").ok()
    assert "renamed on one side" in again.stderr
    assert again.json()["notes"]["skipped"] == 1
