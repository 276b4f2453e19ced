"""docs/bundle.md names exactly the fields `export --format json` writes.

The tables' first column is read from the document and compared with the keys
of a real export whose promise has a completion, an undo, a skip, a pause and
a resume, so a field added to the bundle (or dropped from it) without the
document fails here. The clock is pinned to Mon 2026-11-23 10:00 in Tokyo.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from conftest import Result, Run

DOC = Path(__file__).resolve().parent.parent / "docs" / "bundle.md"

SECTIONS = {
    "top": "## The top level",
    "client": "## A client",
    "contact": "## A contact",
    "note": "## A note",
    "promise": "## A promise",
    "completion": "### A completion",
    "undo": "### An undo",
    "pause": "### A pause",
}


def ok(result: Result) -> Result:
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return result


def documented() -> dict[str, set[str]]:
    """Each section's field names: the backquoted names in its tables' first column."""
    text = DOC.read_text(encoding="utf-8")
    found: dict[str, set[str]] = {}
    for name, heading in SECTIONS.items():
        start = text.index(heading + "\n")
        body = text[start + len(heading) + 1 :]
        end = re.search(r"^#{2,3} ", body, flags=re.MULTILINE)
        body = body[: end.start()] if end else body
        fields: set[str] = set()
        for line in body.splitlines():
            cells = line.split("|")
            if not line.startswith("|") or len(cells) < 3 or set(cells[1].strip()) <= {"-"}:
                continue
            first = cells[1].strip()
            if first == "field":
                continue
            names = re.findall(r"`([a-z_]+)`", first)
            assert names, (heading, line)
            fields.update(names)
        found[name] = fields
    return found


def keys(records: list[dict[str, Any]]) -> set[str]:
    return {key for record in records for key in record}


@pytest.fixture
def exported(run: Run) -> dict[str, Any]:
    """A bundle with every kind of record the export writes, each field at least once."""
    ok(run("contact", "Acme", "Kim", "--role", "CFO"))
    ok(run("contact", "Acme", "Lee"))
    ok(run("contact", "rm", "Acme", "Lee", "--yes"))
    ok(run("promise", "Acme", "Monthly report", "--every", "monthly", "--to", "Kim",
           "--start", "2026-09-23"))  # fmt: skip
    ok(run("done", "1"))
    ok(run("undo", "1"))
    ok(run("done", "1"))
    ok(run("skip", "1"))
    ok(run("modify", "1", "--every", "monthly on day 25"))
    ok(run("pause", "1", "--until", "2027-03-01"))
    ok(run("promise", "Acme", "Send the quote", "--due", "fri 18:00"))
    ok(run("pause", "2"))
    ok(run("resume", "2"))
    ok(run("log", "Acme", "called about the report", "--with", "Kim", "--on", "1"))
    ok(run("edit", "3", "--text", "called Kim about the report"))
    ok(run("log", "Acme", "a note to remove"))
    ok(run("rm", "4", "--yes"))
    bundle: dict[str, Any] = ok(run("export", "--format", "json")).json()
    return bundle


def test_the_bundle_document_names_every_field_the_export_writes(
    exported: dict[str, Any],
) -> None:
    doc = documented()
    (client,) = exported["clients"]
    promises = client["promises"]
    written = {
        "top": set(exported),
        "client": set(client),
        "contact": keys(client["contacts"] + client["removed_contacts"]),
        "note": keys(client["notes"]),
        "promise": keys(promises),
        "completion": keys([c for p in promises for c in p["completions"]]),
        "undo": keys([u for p in promises for u in p["undos"]]),
        "pause": keys([s for p in promises for s in p["pauses"]]),
    }
    # Every kind of record is there, so no field can hide behind an empty list.
    assert {c["kind"] for p in promises for c in p["completions"]} == {"done", "skip"}
    assert {s["kind"] for p in promises for s in p["pauses"]} == {"pause", "resume"}
    assert {t["kind"] for t in exported["tombstones"]} == {"note", "contact"}
    assert exported["version"] == 2
    assert all(written.values())
    for section, fields in written.items():
        # resumed_on is read from version-1 bundles only; the table says so.
        extra = {"resumed_on"} if section == "promise" else set()
        assert doc[section] - extra == fields, (section, doc[section] ^ fields)


def test_the_bundle_document_gives_the_version_and_the_tombstone_shape(
    exported: dict[str, Any],
) -> None:
    text = DOC.read_text(encoding="utf-8")
    assert f"| `version` | `{exported['version']}` |" in text
    (row,) = [line for line in text.splitlines() if line.startswith("| `tombstones` |")]
    shape = re.search(r"\{([^}]*)\}", row)
    assert shape is not None
    assert re.findall(r'"([a-z_]+)"', shape.group(1)) == list(exported["tombstones"][0])
