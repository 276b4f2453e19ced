"""Finding things again (issue 12.7, 12.8): notes, agenda, search filters, show --until."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from conftest import Result, Run

from handoff_cli.agenda import MAX_DAYS, Agenda, agenda
from handoff_cli.models import Promise
from handoff_cli.rules import parse_rule


def ok(result: Result) -> Result:
    assert result.exit_code == 0, result.stderr
    return result


@pytest.fixture
def week(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    """A week of notes by two authors at three clients, with tags; today is Mon 2026-11-23."""
    notes = [
        ("Acme Corp", "Quote sent", "2026-11-16 09:00", "alice", ["renewal"], ["Tanaka"]),
        ("Acme Corp", "Call about the quote", "2026-11-20 17:30", "bob", ["renewal"], []),
        ("山田商事", "月次報告を送付", "2026-11-19 10:00", "alice", ["報告"], ["佐藤 花子"]),
        ("Globex", "Kick-off", "2026-11-22 23:30", "alice", [], []),
        ("Globex", "Old note", "2026-11-09 12:00", "alice", ["renewal"], []),
        ("Globex", "Today", "2026-11-23 08:00", "alice", [], []),
    ]
    for client, text, at, author, tags, people in notes:
        args = ["log", client, text, "--at", at]
        for tag in tags:
            args += ["--tag", tag]
        for person in people:
            args += ["--with", person]
        monkeypatch.setenv("HANDOFF_AUTHOR", author)
        ok(run(*args))
    monkeypatch.setenv("HANDOFF_AUTHOR", "alice")


def texts(run: Run, *args: str) -> list[str]:
    result = ok(run("notes", *args, "--json"))
    return [n["text"] for n in result.json()]


# --------------------------------------------------------------------- notes


def test_notes_default_to_the_last_seven_days_newest_first(run: Run, week: None) -> None:
    assert texts(run) == [
        "Today",
        "Kick-off",
        "Call about the quote",
        "月次報告を送付",
        "Quote sent",
    ]


def test_notes_in_a_period_take_whole_days(run: Run, week: None) -> None:
    assert texts(run, "--since", "2026-11-19", "--until", "2026-11-20") == [
        "Call about the quote",  # 17:30 on the last day is in
        "月次報告を送付",
    ]
    assert texts(run, "--since", "2026/11/22", "--until", "2026/11/22") == ["Kick-off"]
    assert texts(run, "--since", "last fri", "--until", "yesterday") == [
        "Kick-off",
        "Call about the quote",
    ]
    assert texts(run, "--since", "2026-11-20 18:00") == ["Today", "Kick-off"]


def test_notes_by_client_author_and_tag(run: Run, week: None) -> None:
    since = ["--since", "2026-11-01"]
    assert texts(run, *since, "--client", "acme corp") == ["Call about the quote", "Quote sent"]
    assert texts(run, *since, "-c", "Acme Corp", "-c", "山田商事") == [
        "Call about the quote",
        "月次報告を送付",
        "Quote sent",
    ]
    assert texts(run, *since, "--author", "bob") == ["Call about the quote"]
    assert texts(run, *since, "--tag", "Renewal") == [
        "Call about the quote",
        "Quote sent",
        "Old note",
    ]
    assert texts(run, *since, "--tag", "報告", "--author", "alice") == ["月次報告を送付"]
    assert texts(run, *since, "--tag", "nothing") == []


def test_notes_json_is_the_note_record(run: Run, week: None) -> None:
    (note,) = ok(run("notes", "--author", "bob", "--json")).json()
    assert set(note) == {
        "id",
        "uuid",
        "client",
        "at",
        "kind",
        "text",
        "author",
        "with",
        "tags",
        "on",
    }
    assert note["tags"] == ["renewal"] and note["author"] == "bob"


def test_notes_for_people_grouped_by_day(run: Run, week: None) -> None:
    out = ok(run("notes", "--since", "2026-11-19", "--until", "2026-11-20")).stdout
    assert out == (
        "Notes Thu 2026-11-19 to Fri 2026-11-20, newest first (2 notes, 2 clients)\n"
        "\n"
        "Fri 2026-11-20\n"
        "  #2  17:30  Acme Corp  note  #renewal  bob\n"
        "      Call about the quote\n"
        "\n"
        "Thu 2026-11-19\n"
        "  #3  10:00  山田商事  note  with 佐藤 花子  #報告  alice\n"
        "      月次報告を送付\n"
    )
    empty = ok(run("notes", "--since", "2020-01-01", "--until", "2020-01-31")).stdout
    assert empty == "No notes Wed 2020-01-01 to Fri 2020-01-31.\n"


def test_notes_as_markdown_for_a_weekly_report(run: Run, week: None) -> None:
    md = ok(run("notes", "--since", "2026-11-16", "--until", "2026-11-20", "--format", "md"))
    assert md.stdout == (
        "## Notes, Mon 2026-11-16 to Fri 2026-11-20 (3 notes, 2 clients)\n"
        "\n"
        "### Acme Corp\n"
        "\n"
        "- **Fri 2026-11-20 17:30** · note · tags: renewal · by bob\\\n"
        "  Call about the quote\n"
        "- **Mon 2026-11-16 09:00** · note · with Tanaka · tags: renewal · by alice\\\n"
        "  Quote sent\n"
        "\n"
        "### 山田商事\n"
        "\n"
        "- **Thu 2026-11-19 10:00** · note · with 佐藤 花子 · tags: 報告 · by alice\\\n"
        "  月次報告を送付\n"
    )


def test_markdown_cannot_be_opened_by_a_note(run: Run) -> None:
    ok(run("log", "Acme", "# not a heading\n- not a list [link](http://x.example)", "--tag", "*x*"))
    md = ok(run("notes", "--format", "md")).stdout
    assert "  \\# not a heading" in md and "\\- not a list" in md
    assert "tags: \\*x\\*" in md and "`http://x.example`" in md


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "pdf"], "unknown format 'pdf'; use text or md"),
        (["--format", "md", "--json"], "give --json or --format md, not both"),
        (["--since", "2026-11-20", "--until", "2026-11-19"], "--until is before --since"),
        (["--since", "someday"], "cannot understand date 'someday'"),
        (["--until", "2026-02-30"], "February 2026 has no 30th"),
        (["--client", "Acme Crop"], "did you mean 'Acme Corp'?"),
    ],
)
def test_notes_refusals(run: Run, week: None, args: list[str], message: str) -> None:
    result = run("notes", *args)
    assert result.exit_code == 2
    assert message in result.stderr and len(result.stderr.splitlines()) == 1


def test_notes_without_a_database(run: Run, isolated: Path) -> None:
    assert ok(run("notes", "--json")).stdout == "[]\n"
    assert "no handoff database yet" in ok(run("notes")).stdout
    assert not isolated.exists()


# ---------------------------------------------------------- show and search


def test_show_since_and_until(run: Run, week: None) -> None:
    def shown(*args: str) -> list[str]:
        data = ok(run("show", "Acme Corp", *args, "--json")).json()
        return [n["text"] for n in data["notes"]]

    assert shown("--until", "2026-11-19") == ["Quote sent"]
    assert shown("--since", "2026-11-20") == ["Call about the quote"]
    assert shown("--since", "11/16", "--until", "11/16") == ["Quote sent"]
    out = ok(run("show", "Acme Corp", "--since", "2020-01-01", "--until", "2020-01-02")).stdout
    assert "  none in that period" in out


def test_search_filters(run: Run, week: None) -> None:
    ok(run("promise", "Acme Corp", "Quote for renewal", "--due", "2026-11-30"))

    def found(*args: str) -> list[tuple[str, str]]:
        hits = ok(run("search", *args, "--json")).json()
        return [(h["type"], h["text"]) for h in hits]

    assert found("quote") == [
        ("promise", "Quote for renewal"),
        ("note", "Call about the quote"),
        ("note", "Quote sent"),
    ]
    assert found("quote", "--author", "bob") == [("note", "Call about the quote")]
    assert found("quote", "--tag", "renewal", "--since", "2026-11-17") == [
        ("note", "Call about the quote")
    ]
    assert found("quote", "--since", "2026-11-23") == [("promise", "Quote for renewal")]
    assert found("note", "--tag", "renewal") == [("note", "Old note")]


def test_search_marks_closed_promises(run: Run) -> None:
    for title in ("Send report A", "Send report B", "Send report C", "Send report D"):
        ok(run("promise", "Acme", title, "--due", "2026-11-30"))
    ok(run("done", "1"))
    ok(run("drop", "#2"))
    ok(run("pause", "3"))
    hits = ok(run("search", "report", "--json")).json()
    promises = {h["text"]: h["status"] for h in hits if h["type"] == "promise"}
    assert promises == {
        "Send report A": "done",
        "Send report B": "dropped",
        "Send report C": "paused",
        "Send report D": "open",
    }
    for hit in hits:
        keys = {"type", "id", "client", "at", "text"}
        assert set(hit) == (keys | {"status"} if hit["type"] == "promise" else keys)
    out = ok(run("search", "report")).stdout
    assert "promise #4  2026-11-23 10:00  Acme\n" in out
    assert "promise #1 (done)  2026-11-23 10:00  Acme\n" in out
    assert "promise #2 (dropped)  " in out and "promise #3 (paused)  " in out


# -------------------------------------------------------------------- agenda


def promise(
    pid: int,
    rule_words: str | None,
    start: date,
    next_due: date | None,
    *,
    status: str = "open",
    after_done: bool = False,
    client: str = "Acme",
) -> Promise:
    rule = parse_rule(rule_words, start=start) if rule_words else None
    return Promise(
        id=pid,
        uuid=f"u{pid}",
        client=client,
        title=f"P{pid}",
        to=None,
        rule=rule,
        start=start,
        after_done=after_done,
        status=status,
        next_due=next_due,
    )


MON = date(2026, 11, 23)


def days_of(plan: Agenda) -> dict[str, list[int]]:
    return {d.isoformat(): [p.id for p in ps] for d, ps in plan.days.items()}


def test_agenda_lists_every_occurrence_day_by_day() -> None:
    weekly = promise(1, "weekly on thu", date(2026, 11, 5), date(2026, 11, 26))
    one_off = promise(2, None, date(2026, 11, 27), date(2026, 11, 27), client="Beta")
    monthly = promise(3, "monthly on day 1", date(2026, 1, 1), date(2026, 12, 1))
    later = promise(4, None, date(2027, 1, 1), date(2027, 1, 1))
    plan = agenda([weekly, one_off, monthly, later], start=MON, days=14)
    assert (plan.start, plan.end) == (MON, date(2026, 12, 6))
    assert days_of(plan) == {
        "2026-11-26": [1],
        "2026-11-27": [2],
        "2026-12-01": [3],
        "2026-12-03": [1],
    }
    assert plan.overdue == [] and plan.occurrences == 4


def test_agenda_puts_overdue_first_and_still_lists_later_occurrences() -> None:
    weekly = promise(1, "weekly on thu", date(2026, 11, 5), date(2026, 11, 12))
    one_off = promise(2, None, date(2026, 11, 20), date(2026, 11, 20))
    plan = agenda([one_off, weekly], start=MON, days=7)
    assert [(o.promise.id, o.due, o.days_overdue, o.missed) for o in plan.overdue] == [
        (1, date(2026, 11, 12), 11, 2),  # the 12th and the 19th
        (2, date(2026, 11, 20), 3, 1),
    ]
    assert days_of(plan) == {"2026-11-26": [1]}


def test_agenda_skips_what_is_not_open_and_covered_occurrences() -> None:
    done_early = promise(1, "weekly on thu", date(2026, 11, 5), date(2026, 12, 3))
    paused = promise(2, "daily", date(2026, 11, 1), date(2026, 11, 24), status="paused")
    dropped = promise(3, None, date(2026, 11, 25), date(2026, 11, 25), status="dropped")
    finished = promise(4, "daily", date(2026, 11, 1), None, status="done")
    plan = agenda([done_early, paused, dropped, finished], start=MON, days=14)
    assert days_of(plan) == {"2026-12-03": [1]}  # the 26th is already covered


def test_agenda_after_done_counts_from_its_due_day_or_the_window() -> None:
    drill = promise(1, "every 2 weeks", date(2026, 10, 1), date(2026, 11, 25), after_done=True)
    late = promise(2, "every 2 weeks", date(2026, 10, 1), date(2026, 11, 2), after_done=True)
    plan = agenda([drill, late], start=MON, days=28)
    assert days_of(plan) == {
        "2026-11-25": [1],
        "2026-12-07": [2],  # overdue: as if done when the window opens, then every 2 weeks
        "2026-12-09": [1],
    }
    assert [o.promise.id for o in plan.overdue] == [2]


def test_agenda_window_is_bounded() -> None:
    with pytest.raises(ValueError, match="days must be"):
        agenda([], start=MON, days=0)
    with pytest.raises(ValueError, match="days must be"):
        agenda([], start=MON, days=MAX_DAYS + 1)
    daily = promise(1, "daily", date(2026, 1, 1), date(2026, 1, 1))
    plan = agenda([daily], start=MON, days=MAX_DAYS)
    assert plan.occurrences == MAX_DAYS and plan.overdue[0].missed == 326


@pytest.fixture
def planned(run: Run) -> None:
    for args in (
        ["promise", "山田商事", "週次定例の議事録", "--every", "weekly on thu", "--start",
         "2026-11-05", "--to", "佐藤 花子"],
        ["promise", "Acme", "Renewal quote", "--due", "2026-12-04", "--to", "Dana"],
        ["promise", "Acme", "Paused report", "--every", "monthly", "--start", "2026-11-01"],
    ):  # fmt: skip
        ok(run(*args))
    ok(run("pause", "3"))


def test_agenda_through_the_cli(run: Run, planned: None) -> None:
    out = ok(run("agenda", "--days", "14")).stdout
    assert out == (
        "Agenda, Mon 2026-11-23 to Sun 2026-12-06\n"
        "\n"
        "Overdue today\n"
        "  !  #1  山田商事  週次定例の議事録  to 佐藤 花子  18 days overdue, missed 3 "
        "(due Thu 2026-11-05)\n"
        "\n"
        "Thu 2026-11-26\n"
        "  #1  山田商事  週次定例の議事録  to 佐藤 花子  weekly on Thu\n"
        "\n"
        "Thu 2026-12-03\n"
        "  #1  山田商事  週次定例の議事録  to 佐藤 花子  weekly on Thu\n"
        "\n"
        "Fri 2026-12-04\n"
        "  #2  Acme  Renewal quote  to Dana  one-off\n"
        "\n"
        "3 occurrences of 2 promises in 14 days · 1 overdue\n"
    )


def test_agenda_json(run: Run, planned: None) -> None:
    data = ok(run("agenda", "--from", "2026-11-26", "--days", "1", "--json")).json()
    assert data == {
        "from": "2026-11-26",
        "until": "2026-11-26",
        "overdue": [
            {
                "id": 1,
                "client": "山田商事",
                "title": "週次定例の議事録",
                "to": "佐藤 花子",
                "due": "2026-11-05",
                "days_overdue": 21,
                "missed": 3,
            }
        ],
        "items": [
            {
                "date": "2026-11-26",
                "id": 1,
                "client": "山田商事",
                "title": "週次定例の議事録",
                "to": "佐藤 花子",
                "rule": "FREQ=WEEKLY;BYDAY=TH",
            }
        ],
    }


def test_agenda_for_a_client_and_nothing_due(run: Run, planned: None) -> None:
    out = ok(run("agenda", "-c", "acme", "--from", "2026-12-05", "--days", "3")).stdout
    assert "#2  Acme  Renewal quote" in out and "Overdue by Sat 2026-12-05" in out
    assert "山田商事" not in out
    empty = ok(run("agenda", "--client", "Acme", "--days", "3")).stdout
    assert empty == "Nothing falls due from Mon 2026-11-23 to Wed 2026-11-25. All clear.\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--days", "0"], "--days"),
        (["--days", "367"], "--days"),
        (["--from", "2026-02-30"], "February 2026 has no 30th"),
        (["--from", "9999-12-30", "--days", "5"], "out of range (handoff keeps 1900-01-01"),
        (["--client", "Nobody"], "no client named 'Nobody'"),
    ],
)
def test_agenda_refusals(run: Run, planned: None, args: list[str], message: str) -> None:
    result = run("agenda", *args)
    assert result.exit_code == 2 and message in result.stderr


def test_agenda_without_a_database(run: Run, isolated: Path) -> None:
    data = ok(run("agenda", "--json")).json()
    assert data["overdue"] == [] and data["items"] == []
    assert "no handoff database yet" in ok(run("agenda")).stdout
    assert not isolated.exists()
