"""Small things a daily user hits first (issue 12.11), and the JSON shapes issue 12 added."""

from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path

from conftest import Result, Run

from handoff_cli.agenda import Agenda, Overdue
from handoff_cli.models import Promise
from handoff_cli.shapes import agenda_record, search_hit_record
from handoff_cli.store_queries import Hit


def ok(result: Result) -> Result:
    assert result.exit_code == 0, result.stderr
    return result


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
