"""examples/: the walkthrough in examples/README.md runs as written, and the files are current.

Every `handoff ...` line of the README's `sh` blocks is run through the real CLI
(`export NAME=value` lines set the environment, with the database moved into a
temporary directory); each `text` block that follows an `sh` block lists lines
the last command of that block must print (spacing aside).
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
import time
from pathlib import Path

import pytest
from conftest import Run
from test_import import without_ids

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
BLOCK = re.compile(r"^```(\w+)\n(.*?)^```", re.MULTILINE | re.DOTALL)


def _squeeze(line: str) -> str:
    return " ".join(line.split())


def walkthrough() -> list[tuple[list[list[str]], list[str]]]:
    """The README's steps: (the commands of an `sh` block, the lines expected after it)."""
    steps: list[tuple[list[list[str]], list[str]]] = []
    for kind, body in BLOCK.findall((EXAMPLES / "README.md").read_text(encoding="utf-8")):
        if kind == "sh":
            commands = [shlex.split(line, comments=True) for line in body.splitlines()]
            steps.append(([c for c in commands if c], []))
        elif kind == "text" and steps:
            steps[-1][1].extend(_squeeze(line) for line in body.splitlines() if line.strip())
    return steps


def test_the_walkthrough_runs_as_written(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "examples").mkdir()
    shutil.copy(EXAMPLES / "bundle.json", tmp_path / "examples" / "bundle.json")
    monkeypatch.chdir(tmp_path)
    steps = walkthrough()
    assert len(steps) >= 8
    ran = 0
    for commands, expected in steps:
        output = ""
        for command in commands:
            if command[0] == "export":
                name, _, value = command[1].partition("=")
                if name == "HANDOFF_DB":
                    value = str(tmp_path / "data" / Path(value).name)
                monkeypatch.setenv(name, value)
                if name == "TZ":
                    time.tzset()
                continue
            assert command[0] == "handoff", command
            result = run(*command[1:])
            assert result.exit_code == 0, (command, result.stdout, result.stderr)
            output = result.stdout
            ran += 1
        printed = {_squeeze(line) for line in output.splitlines()}
        for line in expected:
            assert line in printed, (commands[-1], line, output)
    assert ran >= 15
    for name in ("my-handover.md", "promises.ics", "yamada-notes.csv"):
        assert (tmp_path / name).stat().st_size > 0


def test_the_handover_document_is_what_the_bundle_gives(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    """examples/handover.md and bundle.json come from one script run (make_bundle.py)."""
    bundle = json.loads((EXAMPLES / "bundle.json").read_text(encoding="utf-8"))
    monkeypatch.setenv("HANDOFF_NOW", bundle["exported_at"])
    monkeypatch.setenv("HANDOFF_AUTHOR", bundle["author"])
    result = run("import", str(EXAMPLES / "bundle.json"))
    assert result.exit_code == 0, result.stderr
    document = run("export", "--until", "2026-12-24").stdout
    assert document == (EXAMPLES / "handover.md").read_text(encoding="utf-8")
    again = json.loads(run("export", "--format", "json").stdout)
    assert without_ids(again) == without_ids(bundle)


def test_the_example_tells_both_stories() -> None:
    bundle = json.loads((EXAMPLES / "bundle.json").read_text(encoding="utf-8"))
    clients = {c["name"]: c for c in bundle["clients"]}
    assert set(clients) == {"Acme Corp", "Kitamura Logistics", "Northwind Health", "山田商事"}
    report = next(p for p in clients["Kitamura Logistics"]["promises"] if p["rule"])
    assert report["to"] == "Ono Hiroshi" and len(report["completions"]) == 6
    yamada = clients["山田商事"]
    assert {n["author"] for n in yamada["notes"]} == {"akira", "mina"}
    assert sum(len(c["notes"]) for c in clients.values()) >= 20
    statuses = {p["status"] for c in clients.values() for p in c["promises"]}
    assert statuses == {"open", "paused", "dropped"}
