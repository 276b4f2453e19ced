"""Small things a daily user hits first (issue 12.11), and the JSON shapes issue 12 added."""

from __future__ import annotations

import json
import re
import shutil
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from conftest import Result, Run

from handoff_cli.agenda import Agenda, Overdue
from handoff_cli.models import Promise
from handoff_cli.shapes import agenda_record, search_hit_record
from handoff_cli.store_queries import Hit


def ok(result: Result) -> Result:
    assert result.exit_code == 0, result.stderr
    return result


# ---------------------------------------------------- #ID wherever an ID is (12.6)

# Two of each, so that #2 is not read as the first; a weekly promise, so skip has one to skip.
ID_SETUP = [
    ["promise", "Acme", "Monthly report", "--due", "2026-11-30"],
    ["promise", "Acme", "Weekly call", "--every", "weekly on mon"],
    ["log", "Acme", "first note"],
    ["log", "Acme", "second note"],
]
ID_CASES = {
    "done": (["done", "{id}"], []),
    "undo": (["undo", "{id}"], [["done", "2"]]),
    "skip": (["skip", "{id}"], []),
    "pause": (["pause", "{id}"], []),
    "resume": (["resume", "{id}"], [["pause", "2"]]),
    "drop": (["drop", "{id}"], []),
    "modify": (["modify", "{id}", "--title", "Weekly call with the team"], []),
    "edit": (["edit", "{id}", "--text", "second note, fixed"], []),
    "rm": (["rm", "{id}", "--yes"], []),
    "log --on": (["log", "Acme", "halfway there", "--on", "{id}"], []),
    "log --done": (["log", "Acme", "called them", "--done", "{id}"], []),
}
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@pytest.mark.parametrize(("command", "before"), ID_CASES.values(), ids=ID_CASES.keys())
def test_hash_id_does_what_the_plain_id_does(
    command: list[str],
    before: list[list[str]],
    run: Run,
    isolated: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`handoff done #2` is `handoff done 2`: the same words, the same database after."""

    def state() -> str:
        """Everything the database holds, as a bundle: statuses, completions, tombstones.

        Records the command makes have uuids of their own, masked here; the bundle
        orders records of one day by uuid (a pause and a resume on one day), so once
        masked they are put in an order of their own content."""
        bundle = json.loads(UUID.sub("<uuid>", ok(run("export", "--format", "json")).stdout))

        def settled(value: object) -> object:
            if isinstance(value, dict):
                return {k: settled(v) for k, v in value.items()}
            if isinstance(value, list):
                items = [settled(v) for v in value]
                return sorted(items, key=lambda v: json.dumps(v, sort_keys=True))
            return value

        return json.dumps(settled(bundle), indent=1, sort_keys=True, ensure_ascii=False)

    for args in [*ID_SETUP, *before]:
        ok(run(*args))
    start = state()
    shutil.copytree(isolated.parent, tmp_path / "copy")  # the same start for the other form
    seen = []
    for form, db in (("2", isolated), ("#2", tmp_path / "copy" / isolated.name)):
        monkeypatch.setenv("HANDOFF_DB", str(db))
        result = ok(run(*(form if word == "{id}" else word for word in command)))
        seen.append((result.stdout, result.stderr, state()))
    assert seen[0][2] != start, "the command changed nothing"
    assert seen[0] == seen[1]


# ------------------------------------------------------------- bare handoff


def test_bare_handoff_shows_the_morning_summary_and_the_help(run: Run) -> None:
    ok(run("promise", "Acme", "Overdue report", "--due", "2026-11-20"))
    ok(run("promise", "Acme", "Call back", "--due", "today"))
    ok(run("promise", "Acme", "Quote", "--due", "in 3 days"))
    result = ok(run())
    first, blank, usage = result.stdout.split("\n", 3)[:3]
    assert first == "1 overdue · 1 due today · 1 coming up (`handoff due` lists them)"
    assert blank == ""
    assert usage.startswith("Usage: ")
    assert "Commands:" in result.stdout and "  agenda " in result.stdout
    assert result.stderr == ""


def test_bare_handoff_without_a_database(run: Run, isolated: Path) -> None:
    result = ok(run())
    assert result.stdout.startswith("no handoff database yet at ")
    assert "Usage: " in result.stdout
    assert not isolated.exists()


def test_bare_handoff_with_root_options_only(run: Run) -> None:
    result = ok(run("--no-pager"))
    assert "Usage: " in result.stdout


# ------------------------------------------------------------------ cadence


def test_a_month_end_cadence_is_not_in_double_brackets(run: Run) -> None:
    ok(run("promise", "Acme", "Report", "--every", "monthly", "--start", "2026-10-31"))
    done = ok(run("done", "1")).stdout
    assert done == (
        "Done: #1 Report (Acme). Covers Oct 31. Next due Mon 2026-11-30, "
        "monthly on day 31 (or the month's last day).\n"
    )
    assert "))" not in done


# ----------------------------------------------------------------- shapes


def test_search_hit_keys() -> None:
    at = datetime(2026, 11, 23, 10, tzinfo=timezone.utc)
    note = search_hit_record(Hit("note", 1, "Acme", at, "text", None))
    assert list(note) == ["type", "id", "client", "at", "text"]
    promise = search_hit_record(Hit("promise", 2, "Acme", at, "title", "done"))
    assert list(promise) == ["type", "id", "client", "at", "text", "status"]
    assert promise["status"] == "done"


def test_agenda_keys() -> None:
    p = Promise(1, "u", "Acme", "T", "Tanaka", None, date(2026, 11, 1), False, "open",
                date(2026, 11, 1))  # fmt: skip
    plan = Agenda(
        date(2026, 11, 23),
        date(2026, 11, 24),
        [Overdue(p, date(2026, 11, 1), 22, 1)],
        {date(2026, 11, 24): [p]},
    )
    record = agenda_record(plan)
    assert list(record) == ["from", "until", "overdue", "items"]
    assert list(record["overdue"][0]) == [
        "id", "client", "title", "to", "due", "days_overdue", "missed",
    ]  # fmt: skip
    assert list(record["items"][0]) == ["date", "id", "client", "title", "to", "rule"]
