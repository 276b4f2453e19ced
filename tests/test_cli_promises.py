"""promise → due → done → due, through the real CLI, with the clock pinned to Mon 2026-11-23."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import Run

PROMISE_KEYS = {"id", "uuid", "client", "title", "to", "owner", "rule", "next_due", "status"}
DUE_ITEM_KEYS = {"id", "client", "title", "to", "owner", "due", "due_at", "status"} | {
    "days_overdue",
    "missed",
}


def promise(run: Run, *args: str) -> dict[str, object]:
    result = run("promise", *args, "--json")
    assert result.exit_code == 0, result.stderr
    data: dict[str, object] = result.json()
    return data


def test_story_one_monthly_report_goes_overdue_then_clears(run: Run) -> None:
    made = promise(
        run, "Acme", "Monthly status report", "--every", "monthly", "--to", "Tanaka",
        "--start", "2026-09-23",
    )  # fmt: skip
    assert PROMISE_KEYS <= made.keys()
    assert made["next_due"] == "2026-09-23"
    assert made["to"] == "Tanaka"
    assert made["status"] == "open"

    due = run("due")
    assert due.exit_code == 0
    assert "Acme" in due.stdout
    assert "Monthly status report" in due.stdout
    assert "to Tanaka" in due.stdout
    assert "61 days overdue, missed 2" in due.stdout  # Sep 23, Oct 23; Nov 23 is due today
    assert "1 overdue" in due.stdout

    data = run("due", "--json").json()
    assert data["as_of"] == "2026-11-23"
    (item,) = data["items"]
    assert set(item) == DUE_ITEM_KEYS
    assert item == {
        "id": made["id"],
        "client": "Acme",
        "title": "Monthly status report",
        "to": "Tanaka",
        "owner": "alice",
        "due": "2026-09-23",
        "due_at": None,
        "status": "overdue",
        "days_overdue": 61,
        "missed": 2,
    }
    assert run("due", "--check").exit_code == 1

    done = run("done", str(made["id"]))
    assert done.exit_code == 0, done.stderr
    assert "Next due" in done.stdout and "2026-12-23" in done.stdout  # the backlog is cleared
    assert "Covers Sep 23, Oct 23, Nov 23" in done.stdout

    after = run("due", "--check")
    assert after.exit_code == 0
    assert "Nothing due" in after.stdout
    planned = run("due", "--as-of", "2026-12-24", "--json").json()
    assert [(i["due"], i["status"], i["days_overdue"]) for i in planned["items"]] == [
        ("2026-12-23", "overdue", 1)
    ]
    # The completion is on the client's timeline.
    notes = run("show", "Acme", "--json").json()["notes"]
    assert notes[0]["text"] == "Done: Monthly status report"
    assert notes[0]["with"] == ["Tanaka"]


def test_one_off_is_due_until_done(run: Run) -> None:
    made = promise(run, "Acme", "Answer the quota question", "--due", "fri")
    assert made["rule"] is None
    assert made["next_due"] == "2026-11-27"
    due = run("due")
    assert "in 4 days" in due.stdout
    assert "0 overdue · 0 due today · 1 coming up" in due.stdout
    late = run("due", "--as-of", "2026-11-30", "--json").json()["items"]
    assert late[0]["status"] == "overdue" and late[0]["missed"] == 1

    kept = run("done", str(made["id"]), "--note", "raised to 10k/day", "--json").json()
    assert kept["status"] == "done" and kept["next_due"] is None
    assert run("due", "--json").json()["items"] == []
    assert run("promises", "--json").json() == []
    assert [p["status"] for p in run("promises", "--all", "--json").json()] == ["done"]
    again = run("done", str(made["id"]))
    assert again.exit_code == 2 and "already done" in again.stderr


def test_done_with_nothing_due_is_refused_and_early_covers_only_the_next(run: Run) -> None:
    made = promise(run, "Acme", "Report", "--every", "monthly on day 5", "--start", "2026-11-24")
    assert made["next_due"] == "2026-12-05"
    refused = run("done", str(made["id"]))
    assert refused.exit_code == 2
    assert "2026-12-05" in refused.stderr and "--early" in refused.stderr
    assert "--for DATE" in refused.stderr
    assert run("promises", "--json").json()[0]["next_due"] == "2026-12-05"
    assert run("show", "Acme", "--json").json()["notes"] == []  # nothing half-written
    kept = run("done", str(made["id"]), "--early", "--json").json()
    assert kept["next_due"] == "2027-01-05" and kept["covered"] == ["2026-12-05"]


def test_after_done_counts_from_the_completion(run: Run) -> None:
    made = promise(
        run, "Acme", "Check-in", "--every", "weekly", "--after-done", "--start", "2026-11-02"
    )
    assert run("done", str(made["id"]), "--at", "2026-11-20", "--json").json()["next_due"] == (
        "2026-11-27"
    )


def test_month_end_never_skips_a_month(run: Run) -> None:
    made = promise(run, "Acme", "Invoice", "--every", "monthly", "--start", "2026-01-31")
    assert made["next_due"] == "2026-01-31"
    first = run("done", str(made["id"]), "--at", "2026-01-31", "--json").json()
    assert first["next_due"] == "2026-02-28"
    second = run("done", str(made["id"]), "--at", "2026-02-28", "--json").json()
    assert second["next_due"] == "2026-03-31"


def test_done_in_the_future_is_refused(run: Run) -> None:
    made = promise(run, "Acme", "Report", "--every", "weekly", "--start", "2026-11-02")
    refused = run("done", str(made["id"]), "--at", "+1y")
    assert refused.exit_code == 2 and "future" in refused.stderr
    assert run("promises", "--json").json()[0]["next_due"] == "2026-11-02"
    assert len(run("show", "Acme", "--json").json()["notes"]) == 0  # nothing half-written


def test_a_back_dated_done_covers_what_was_due_by_then(run: Run) -> None:
    made = promise(run, "Acme", "Minutes", "--every", "weekly", "--start", "2026-11-02")
    pid = str(made["id"])
    first = run("done", pid, "--at", "2026-11-10", "--json").json()
    assert (first["covered"], first["next_due"]) == (["2026-11-02", "2026-11-09"], "2026-11-16")
    # Remembered later: it had also been done on the 3rd. The 2nd is already covered,
    # so that done covers nothing and is refused; nothing moves.
    again = run("done", pid, "--at", "2026-11-03")
    assert again.exit_code == 2 and "2026-11-16" in again.stderr
    second = run("done", pid, "--at", "2026-11-20", "--json").json()
    assert (second["covered"], second["next_due"]) == (["2026-11-16"], "2026-11-23")


def test_done_before_the_start_is_refused(run: Run) -> None:
    made = promise(run, "Acme", "Minutes", "--every", "weekly", "--start", "2026-11-02")
    refused = run("done", str(made["id"]), "--at", "2026-10-30")
    assert refused.exit_code == 2 and "starts 2026-11-02" in refused.stderr


def test_pause_resume_and_drop(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    made = promise(run, "Acme", "Weekly call", "--every", "weekly", "--start", "2026-10-05")
    pid = str(made["id"])
    assert run("done", pid, "--json").json()["next_due"] == "2026-11-30"
    assert run("pause", pid).exit_code == 0
    due = run("due", "--json").json()
    assert due["items"] == []
    assert due["paused"] == [
        {"id": 1, "client": "Acme", "title": "Weekly call", "owner": "alice", "until": None}
    ]
    assert "no end date" in run("due").stdout  # a pause is never forgotten
    assert run("pause", pid).exit_code == 2
    paused = run("done", pid)  # nothing is owed while paused, so nothing to cover
    assert paused.exit_code == 2 and f"handoff resume {pid}" in paused.stderr
    monkeypatch.setenv("HANDOFF_NOW", "2026-12-15T10:00:00+09:00")
    resumed = run("resume", pid, "--json").json()
    assert resumed["status"] == "open"
    assert resumed["next_due"] == "2026-12-21"  # the weeks while paused are not owed
    assert run("drop", pid).exit_code == 0
    assert run("due", "--json").json()["items"] == []
    statuses = [p["status"] for p in run("promises", "--all", "--json").json()]
    assert statuses == ["dropped"]


def test_log_done_keeps_promises(run: Run) -> None:
    made = promise(run, "Acme", "Send the slides", "--due", "yesterday")
    logged = run("log", "Acme", "sent the slides", "--done", str(made["id"]), "--json").json()
    assert logged["done"][0]["status"] == "done"
    assert run("due", "--json").json()["items"] == []
    other = promise(run, "Globex", "Something", "--due", "tomorrow")
    wrong = run("log", "Acme", "oops", "--done", str(other["id"]))
    assert wrong.exit_code == 2 and "belongs to Globex" in wrong.stderr
    assert len(run("show", "Acme", "--json").json()["notes"]) == 1  # nothing half-written


def test_due_groups_by_client_most_urgent_first(run: Run) -> None:
    promise(run, "Beta", "B upcoming", "--due", "in 2 days")
    promise(run, "Acme", "A overdue", "--due", "3 days ago")
    promise(run, "Beta", "B overdue more", "--due", "10 days ago")
    promise(run, "Acme", "A today", "--due", "today")
    out = run("due").stdout
    # Overdue first, most overdue on top, by client; then today; then the coming days.
    assert out.index("Overdue") < out.index("Due today") < out.index("In the next 7 days")
    overdue = out[out.index("Overdue") : out.index("Due today")]
    assert overdue.index("Beta") < overdue.index("B overdue more") < overdue.index("Acme")
    assert overdue.index("Acme") < overdue.index("A overdue")
    assert out.index("A today") < out.index("B upcoming")
    assert "B upcoming" not in overdue
    items = run("due", "--json").json()["items"]
    assert [i["title"] for i in items] == ["B overdue more", "A overdue", "A today", "B upcoming"]
    only = run("due", "--client", "acme", "--json").json()["items"]
    assert {i["client"] for i in only} == {"Acme"}
    assert run("due", "--within", "0", "--json").json()["items"][-1]["title"] == "A today"


def test_bad_promises_are_refused(run: Run) -> None:
    bad_rule = run("promise", "Acme", "x", "--every", "every blue moon")
    assert bad_rule.exit_code == 2 and "monthly" in bad_rule.stderr
    assert run("promise", "Acme", "x", "--due", "someday").exit_code == 2
    assert run("promise", "Acme", "x").exit_code == 2
    assert run("promise", "Acme", "x", "--every", "weekly", "--due", "fri").exit_code == 2
    assert run("done", "999").exit_code == 2
    assert run("clients", "--json").json() == []  # nothing was created


def test_rfc_rules_and_words_shown_back(run: Run) -> None:
    made = promise(
        run, "Acme", "Site visit", "--every", "FREQ=MONTHLY;BYDAY=1MO", "--start", "2026-11-23"
    )
    assert made["next_due"] == "2026-12-07"
    listed = run("promises").stdout
    assert "Site visit" in listed and "#1" in listed


def test_promise_titles_are_searchable(run: Run) -> None:
    promise(run, "山田商事", "月次報告を送付", "--every", "monthly", "--to", "山田")
    hits = run("search", "報告", "--json").json()
    assert [(h["type"], h["text"]) for h in hits] == [("promise", "月次報告を送付")]


def test_clients_counts_overdue(run: Run) -> None:
    promise(run, "Acme", "late", "--due", "2 days ago")
    promise(run, "Acme", "later", "--due", "in 2 days")
    (row,) = run("clients", "--json").json()
    assert row["open_promises"] == 2 and row["overdue"] == 1


def test_due_without_a_database_is_calm(run: Run, isolated: Path) -> None:
    result = run("due")
    assert result.exit_code == 0
    assert "Nothing due" in result.stdout
    assert run("due", "--json").json() == {"as_of": "2026-11-23", "items": [], "paused": []}
    assert not isolated.exists()
