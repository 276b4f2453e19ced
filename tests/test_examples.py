"""examples/: the walkthrough in examples/README.md runs as written, and the files are current.

The README's `sh` blocks are played in order, in a temporary directory that stands in
for the repository's root: `handoff ...` lines through the real CLI, `export NAME=value`
lines into the environment, and `mkdir -p`, `cp` and `cd` as a shell would run them.
`/tmp/handoff-example`, the scratch directory the reader works in, is moved into the
temporary directory too. A `text` block right after an `sh` block is that block's
command's complete output, exactly: the page shows what the reader will see.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import Run
from test_import import without_ids

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
BLOCK = re.compile(r"^```(\w+)\n(.*?)^```", re.MULTILINE | re.DOTALL)
SCRATCH = "/tmp/handoff-example"  # as the README names it


@dataclass
class Step:
    commands: list[list[str]]
    output: str | None = None  # the text block shown after it, if any
    line: int = 0  # where the sh block starts in the README, for messages


def walkthrough(page: str = "README.md") -> list[Step]:
    """A page's `sh` blocks, each with the output shown after it (if one is)."""
    readme = (EXAMPLES / page).read_text(encoding="utf-8")
    steps: list[Step] = []
    last_kind = None
    for match in BLOCK.finditer(readme):
        kind, body = match.groups()
        if kind == "sh":
            commands = [shlex.split(line, comments=True) for line in body.splitlines()]
            line = readme.count("\n", 0, match.start()) + 1
            steps.append(Step([c for c in commands if c], line=line))
        elif kind == "text" and last_kind == "sh":
            steps[-1].output = body
        last_kind = kind
    return steps


def test_the_team_walkthrough_runs_as_written(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """examples/team.md: two members on one machine, a bare repository, story 2."""
    import subprocess

    scratch = tmp_path / "scratch"
    base = "/tmp/handoff-team"

    def path(arg: str) -> str:
        return str(scratch) + arg[len(base) :] if arg.startswith(base) else arg

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("HANDOFF_DB")
    steps = walkthrough("team.md")
    assert sum(1 for s in steps if s.output is not None) >= 6
    for step in steps:
        where = f"examples/team.md, the block at line {step.line}"
        for command in step.commands:
            name, *args = [path(arg) for arg in command]
            if name == "export":
                key, _, value = args[0].partition("=")
                monkeypatch.setenv(key, path(value))
                if key == "TZ":
                    time.tzset()
            elif name == "mkdir" and args[0] == "-p":
                Path(args[1]).mkdir(parents=True, exist_ok=True)
            elif name == "cd":
                monkeypatch.chdir(args[0])
            elif name == "git":
                subprocess.run(command, check=True)
            else:
                assert name == "handoff", f"{where}: the test cannot run {command}"
                result = run(*args)
                assert result.exit_code == 0, (where, command, result.stdout, result.stderr)
                if step.output is not None and command is step.commands[-1]:
                    assert result.stdout == step.output, (
                        f"{where}: the output shown is not what {shlex.join(command)} prints"
                    )


def test_the_walkthrough_runs_as_written(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = tmp_path / "repo"  # the reader starts in the repository's root
    (repo / "examples").mkdir(parents=True)
    shutil.copy(EXAMPLES / "bundle.json", repo / "examples" / "bundle.json")
    scratch = tmp_path / "scratch"

    def path(arg: str) -> str:
        return str(scratch) + arg[len(SCRATCH) :] if arg.startswith(SCRATCH) else arg

    monkeypatch.chdir(repo)
    steps = walkthrough()
    assert sum(1 for s in steps if s.output is not None) >= 5
    ran = 0
    for step in steps:
        where = f"examples/README.md, the block at line {step.line}"
        if step.output is not None:
            shown = [c for c in step.commands if c[0] != "export"]
            assert len(shown) == 1 and shown[0] is step.commands[-1], (
                f"{where}: output shown after several commands; give it its own block"
            )
        for command in step.commands:
            name, *args = [path(arg) for arg in command]
            if name == "export":
                key, _, value = args[0].partition("=")
                monkeypatch.setenv(key, path(value))
                if key == "TZ":
                    time.tzset()
            elif name == "mkdir" and args[0] == "-p":
                Path(args[1]).mkdir(parents=True, exist_ok=True)
            elif name == "cp":
                shutil.copy(args[0], args[1])
            elif name == "cd":
                monkeypatch.chdir(args[0])
            else:
                assert name == "handoff", f"{where}: the test cannot run {command}"
                result = run(*args)
                assert result.exit_code == 0, (where, command, result.stdout, result.stderr)
                ran += 1
                if step.output is not None:
                    assert result.stderr == "", (where, command, result.stderr)
                    assert result.stdout == step.output, (
                        f"{where}: the output shown is not what {shlex.join(command)} prints"
                    )
    assert ran >= 15
    # Everything was written to the scratch directory, nothing to the repository.
    assert sorted(str(p.relative_to(repo)) for p in repo.rglob("*")) == [
        "examples",
        "examples/bundle.json",
    ]
    for name in ("my-handover.md", "promises.ics", "yamada-notes.csv", "handoff.db"):
        assert (scratch / name).stat().st_size > 0


def test_the_handover_document_is_what_the_bundle_gives(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    """examples/handover.md and bundle.json come from one script run (make_bundle.py)."""
    bundle = json.loads((EXAMPLES / "bundle.json").read_text(encoding="utf-8"))
    monkeypatch.setenv("HANDOFF_NOW", bundle["exported_at"])
    monkeypatch.setenv("HANDOFF_AUTHOR", bundle["author"])
    result = run("import", str(EXAMPLES / "bundle.json"), "--keep-owners")
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
    assert statuses == {"open", "dropped"}
    paused = [p for c in clients.values() for p in c["promises"] if p["pauses"]]
    assert [e["kind"] for e in paused[0]["pauses"]] == ["pause"]  # paused, no end date
    owners = {p["owner"] for c in clients.values() for p in c["promises"]}
    assert owners == {"akira", "mina"}  # mina's promises for 山田商事 travel as hers
