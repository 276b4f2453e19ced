"""Rules that carry an end (COUNT, UNTIL): said in words, and told for --after-done,
and the iCalendar export as calendars (and libical's checks) expect it.

The clock is pinned to Mon 2026-11-23 10:00 in Tokyo (conftest).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import icalendar
import pytest
from conftest import Result, Run

from handoff_cli.rules import describe_cadence, parse_rule
from handoff_cli.schedule import after_done_ended

MON = date(2026, 11, 23)


def ok(result: Result) -> Result:
    assert result.exit_code == 0, result.stderr
    return result


# --------------------------------------------------------------------------- cadence words


@pytest.mark.parametrize(
    ("words", "after_done", "said"),
    [
        ("weekly, 3 times", True, "every week after it is done, 3 times"),
        ("weekly, 1 time", True, "every week after it is done, 1 time"),
        ("every 2 months until 2026-12-24", True,
         "every 2 months after it is done, until 2026-12-24"),
        ("monthly", True, "every month after it is done"),
        ("weekly, 3 times", False, "weekly on Mon, 3 times"),
        ("weekly until 2026-12-24", False, "weekly on Mon, until 2026-12-24"),
        ("FREQ=MONTHLY;BYDAY=MO,FR;BYSETPOS=-1;COUNT=4", True,
         "every month after it is done, 4 times"),
    ],
)  # fmt: skip
def test_the_cadence_says_when_a_rule_ends(words: str, after_done: bool, said: str) -> None:
    assert describe_cadence(parse_rule(words, start=MON), after_done=after_done) == said


def test_promise_and_promises_show_the_end_of_an_after_done_rule(run: Run) -> None:
    made = ok(run("promise", "Acme", "Check the backup", "--every", "weekly, 3 times",
                  "--after-done"))  # fmt: skip
    assert "every week after it is done, 3 times" in made.stdout
    ok(run("promise", "Acme", "Trial calls", "--every", "every 2 weeks until 2027-03-31",
           "--after-done"))  # fmt: skip
    listed = ok(run("promises")).stdout
    assert "every week after it is done, 3 times" in listed
    assert "every 2 weeks after it is done, until 2027-03-31" in listed


def test_an_after_done_promise_with_a_count_ends_after_that_many_dones(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = ok(run("promise", "Acme", "Check the backup", "--every", "weekly, 3 times",
                  "--after-done", "--json")).json()  # fmt: skip
    pid = str(made["id"])
    assert made["next_due"] == "2026-11-23"
    assert ok(run("done", pid, "--json")).json()["next_due"] == "2026-11-30"
    monkeypatch.setenv("HANDOFF_NOW", "2026-11-30T10:00:00+09:00")
    assert ok(run("done", pid, "--json")).json()["next_due"] == "2026-12-07"
    monkeypatch.setenv("HANDOFF_NOW", "2026-12-07T10:00:00+09:00")
    third = ok(run("done", pid))
    assert (
        third.stdout == "Done: #1 Check the backup (Acme). Covers Dec 7. No further occurrences.\n"
    )

    (finished,) = ok(run("promises", "--all", "--json")).json()
    assert (finished["status"], finished["next_due"]) == ("done", None)
    assert ok(run("promises", "--json")).json() == []  # no longer open
    assert "done" in ok(run("promises", "--all")).stdout.split()
    assert ok(run("due", "--as-of", "2026-12-31", "--json")).json()["items"] == []
    assert ok(run("due", "--check")).exit_code == 0
    fourth = run("done", pid, "--early")  # a fourth is refused: the series has ended
    assert fourth.exit_code == 2
    assert fourth.stderr == "error: promise #1 is already done\n"


# --------------------------------------------------------------------------- after_done_ended


@pytest.mark.parametrize(
    ("words", "completions", "day", "ended"),
    [
        ("weekly, 3 times", 2, date(2026, 12, 7), False),
        ("weekly, 3 times", 3, date(2026, 12, 14), True),  # the third covered the last
        ("weekly, 3 times", 5, None, True),
        ("weekly, 3 times", 0, None, False),
        ("weekly until 2026-12-24", 9, date(2026, 12, 24), False),  # UNTIL is inclusive
        ("weekly until 2026-12-24", 9, date(2026, 12, 25), True),
        ("weekly until 2026-12-24", 9, None, False),
        ("weekly", 10_000, date(9999, 12, 31), False),
    ],
)
def test_after_done_ended(words: str, completions: int, day: date | None, ended: bool) -> None:
    rule = parse_rule(words, start=MON)
    assert after_done_ended(rule, completions=completions, day=day) is ended


# --------------------------------------------------------------------------- iCalendar


def calendar_of(run: Run, tmp_path: Path) -> icalendar.Calendar:
    out = tmp_path / "promises.ics"
    ok(run("export", "--format", "ics", "-o", str(out), "--force"))
    return icalendar.Calendar.from_ical(out.read_bytes())


def test_the_calendar_is_not_an_itip_message(run: Run, tmp_path: Path) -> None:
    # METHOD:PUBLISH makes a calendar an iTIP message (RFC 5546), which needs an ORGANIZER
    # on every event: libical's restriction check fails the file without one.
    ok(run("promise", "Acme", "Monthly report", "--every", "monthly", "--to", "Tanaka"))
    ok(run("promise", "Acme", "Send the quote", "--due", "fri"))
    cal = calendar_of(run, tmp_path)
    events = cal.walk("VEVENT")
    assert len(events) == 2
    assert "METHOD" not in cal or all("ORGANIZER" in event for event in events)
    assert "METHOD" not in cal


def test_titles_are_one_line_in_the_calendar(run: Run, tmp_path: Path) -> None:
    ok(run("promise", "Acme", "Quarterly review\nwith the board\r\n  and Ono", "--every",
           "quarterly", "--to", "Ono\nSan"))  # fmt: skip
    (event,) = calendar_of(run, tmp_path).walk("VEVENT")
    assert str(event["SUMMARY"]) == "Quarterly review with the board and Ono (Acme)"
    description = str(event["DESCRIPTION"]).splitlines()
    assert description[:2] == ["Client: Acme", "To: Ono San"]


def test_an_after_done_rule_keeps_its_until_in_the_calendar(run: Run, tmp_path: Path) -> None:
    ok(run("promise", "Acme", "Trial calls", "--every", "every 2 weeks until 2027-03-31",
           "--after-done"))  # fmt: skip
    (event,) = calendar_of(run, tmp_path).walk("VEVENT")
    rule = event["RRULE"].to_ical().decode()
    assert "UNTIL=20270331" in rule and "INTERVAL=2" in rule


def test_an_after_done_rule_keeps_its_count_in_the_calendar() -> None:
    from handoff_cli.cli.transfer import ics_rule
    from handoff_cli.models import Promise

    weekly = parse_rule("weekly, 3 times", start=MON)
    p = Promise(1, "u", "Acme", "Backup check", None, weekly, MON, True, "open", MON)
    assert ics_rule(p) == "FREQ=WEEKLY;BYDAY=MO;COUNT=3"
    later = date(2026, 12, 2)  # a Wednesday: the cadence runs from the next due date
    p = Promise(1, "u", "Acme", "Backup check", None, weekly, MON, True, "open", later)
    assert ics_rule(p, covered=1) == "FREQ=WEEKLY;BYDAY=WE;COUNT=2"
    assert ics_rule(p, covered=5) == "FREQ=WEEKLY;BYDAY=WE;COUNT=1"  # the one that is due


def test_an_after_done_count_in_the_calendar_is_what_due_counts(run: Run, tmp_path: Path) -> None:
    """An undone completion uses up none of the COUNT (nor does a colleague's second
    completion of the same occurrence): the calendar keeps what `due` still expects."""
    made = ok(run("promise", "Acme", "Backup check", "--every", "weekly, 3 times",
                  "--after-done", "--json")).json()  # fmt: skip
    pid = str(made["id"])
    ok(run("done", pid))
    ok(run("undo", pid))
    ok(run("done", pid))  # the first occurrence, done once after all
    (event,) = calendar_of(run, tmp_path).walk("VEVENT")
    assert event["RRULE"].to_ical().decode() == "FREQ=WEEKLY;COUNT=2;BYDAY=MO"
    ok(run("done", pid, "--early"))  # the second, ahead of its day
    (event,) = calendar_of(run, tmp_path).walk("VEVENT")
    assert event["RRULE"].to_ical().decode() == "FREQ=WEEKLY;COUNT=1;BYDAY=MO"
