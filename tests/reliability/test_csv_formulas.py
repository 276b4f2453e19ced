"""Issue 15.8: a formula behind a leading NUL is neutralised in the CSV export.

A note starting `\\x00=1+1` (typed through standard input, or in an imported
bundle) was written unprefixed; LibreOffice drops the NUL and evaluates the
formula (checked with LibreOffice 7.4 converting to xlsx and ods). The
apostrophe now goes on whenever the first character a spreadsheet keeps
starts a formula.
"""

from __future__ import annotations

import csv
import io
import json
import uuid
from pathlib import Path

from .support import Run

HOSTILE = ["\x00=1+1", "\x00\x00+SUM(A1)", "\x00-2", "\x00@cmd", "\x00\t=x", "\x00＝1"]


def test_a_formula_behind_nuls_is_shown_as_text(
    db: Path, cli: Run, handoff: Run, tmp_path: Path
) -> None:
    for text in HOSTILE:
        cli("log", "Acme", input=text).ok()
    bundle = {
        "format": "handoff-bundle",
        "version": 1,
        "exported_at": "2026-11-22T09:00:00+09:00",
        "author": "bob",
        "clients": [
            {
                "uuid": str(uuid.uuid4()),
                "name": "\x00=Globex",
                "contacts": [],
                "promises": [],
                "notes": [
                    {
                        "uuid": str(uuid.uuid4()),
                        "at": "2026-11-20T10:00:00+09:00",
                        "kind": "note",
                        "text": '\x00=HYPERLINK("http://x")',
                        "author": "\x00+bob",
                        "with": ["\x00@Tanaka"],
                        "tags": ["\x00-tag"],
                    }
                ],
            }
        ],
    }
    (tmp_path / "in.json").write_text(json.dumps(bundle), encoding="utf-8")
    handoff("import", str(tmp_path / "in.json")).ok()
    handoff("export", "--format", "csv", "-o", str(tmp_path / "notes.csv")).ok()
    raw = (tmp_path / "notes.csv").read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(raw, newline="")))[1:]
    starts = tuple("=+-@\t＝")
    cells = [cell for row in rows for cell in row if cell.lstrip("\x00").startswith(starts)]
    assert cells == [], cells  # every one of them now starts with the apostrophe
    texts = sorted(row[-1] for row in rows)
    assert texts == sorted(["'" + t for t in HOSTILE] + ['\'\x00=HYPERLINK("http://x")'])
    globex = next(row for row in rows if "Globex" in row[0])
    assert globex[0] == "'\x00=Globex" and globex[3] == "'\x00@Tanaka"
    assert globex[4] == "'\x00-tag" and globex[5] == "'\x00+bob"
