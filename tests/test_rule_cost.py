"""Rules that cost: `promise` refuses them; whatever comes by import, `due` stays bounded.

The work is shown bounded by counting the steps each series spends (no timing):
every question about one promise stops after `schedule.STEP_BUDGET` steps.
The clock is pinned to Mon 2026-11-23 10:00 in Tokyo (conftest).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from conftest import Result, Run

from handoff_cli import schedule
from handoff_cli.errors import BAD_INPUT, BadInput
from handoff_cli.expansion import YEAR_STEPS
from handoff_cli.rules import parse_rule

# One `spend` may take a year's steps at once, so a question can pass the budget by that much.
ONE_YEAR_AT_MOST = YEAR_STEPS + 2 * 366 + 800
AS_OF = date(2026, 11, 23)


def ok(result: Result) -> Result:
    assert result.exit_code == 0, result.stderr
    return result


# --------------------------------------------------------------------------- check_rule_cost

NEVER_SOON = [
    ("FREQ=DAILY;UNTIL=20200101", date(2027, 3, 2)),  # over before it starts
    ("FREQ=MONTHLY;BYMONTHDAY=30;BYMONTH=2", date(2027, 3, 2)),  # never happens
    ("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", date(2027, 3, 2)),  # never happens
    ("FREQ=YEARLY;INTERVAL=2;BYMONTH=2;BYMONTHDAY=29", date(2027, 3, 2)),  # odd years: never
    ("FREQ=MONTHLY;BYMONTHDAY=1,2;BYSETPOS=3", date(2027, 3, 2)),  # no third of two
    ("every 20 years on mar 1", date(2027, 3, 2)),  # the first one 20 years away
    ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;BYDAY=MO", date(2017, 1, 1)),  # next in 2044
    ("FREQ=DAILY;INTERVAL=7;BYDAY=MO", date(2026, 1, 6)),  # every 7th day from a Tuesday
    ("FREQ=MONTHLY;BYDAY=53MO", date(2026, 1, 6)),  # dateutil would fail on this one
    ("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", date(9999, 1, 1)),
]


@pytest.mark.parametrize(("text", "start"), NEVER_SOON)
def test_a_rule_with_no_occurrence_in_ten_years_is_refused(text: str, start: date) -> None:
    rule = parse_rule(text, start=start)  # it reads: import keeps such a rule
    with pytest.raises(BadInput) as caught:
        schedule.check_rule_cost(rule, start)
    assert caught.value.exit_code == BAD_INPUT
    assert caught.value.message == (
        f"the rule {rule} has no occurrence in the ten years from {start.isoformat()}; "
        "a promise's rule must fall due within ten years of its start"
    )


@pytest.mark.parametrize(
    ("text", "start"),
    [
        ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;BYDAY=MO", date(2036, 1, 1)),  # 2044: within ten
        ("every 10 years", date(2026, 11, 23)),
        ("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=29", date(1900, 1, 1)),  # no Feb 29 in 1900; 1904
        ("daily", date(9999, 12, 31)),
    ],
)
def test_sparse_but_possible_rules_pass(text: str, start: date) -> None:
    schedule.check_rule_cost(parse_rule(text, start=start), start)


def test_a_recurring_start_before_1900_is_refused_and_a_one_off_always_passes() -> None:
    schedule.check_rule_cost("FREQ=DAILY", date(1900, 1, 1))
    with pytest.raises(BadInput, match="must start in 1900 or later, not 1899-12-31"):
        schedule.check_rule_cost("FREQ=DAILY", date(1899, 12, 31))
    schedule.check_rule_cost(None, date(1, 1, 1))


def test_promise_refuses_a_costly_rule_with_the_reason_and_saves_nothing(run: Run) -> None:
    before = run(
        "promise", "Acme", "Leap report", "--start", "0001-01-01",
        "--every", "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=29",
    )  # fmt: skip
    assert before.exit_code == BAD_INPUT  # no date before 1900 is kept (daterange.py)
    assert before.stderr.startswith(
        "error: date '0001-01-01' is out of range (handoff keeps 1900-01-01 to 2200-12-31)"
    )
    assert len(before.stderr.splitlines()) == 1
    never = run("promise", "Acme", "Feb 30", "--every", "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30")
    assert never.exit_code == BAD_INPUT
    assert "has no occurrence in the ten years from 2026-11-23" in never.stderr
    assert len(never.stderr.splitlines()) == 1
    assert ok(run("promises", "--json")).json() == []
    made = ok(run("promise", "Acme", "Leap report", "--every",
                  "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=29", "--json")).json()  # fmt: skip
    assert made["next_due"] == "2028-02-29"


# --------------------------------------------------------------------------- the budget

# The oldest start a bundle may bring (dates are kept from 1900 to 2200, daterange.py).
OLDEST = date(1900, 1, 1)
COSTLY = [
    # (rule, start): rules a bundle may bring, each costly for dateutil in its own way
    ("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=29", OLDEST),  # a day every four years
    ("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", OLDEST),  # never
    ("FREQ=DAILY;INTERVAL=7;BYDAY=MO", date(2026, 1, 6)),  # never: every 7th day is a Tuesday
    ("FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR,SA,SU", OLDEST),  # every day for 126 years
    ("FREQ=MONTHLY;INTERVAL=2;BYMONTH=2;BYMONTHDAY=1", date(2026, 5, 1)),  # never: odd months
    ("FREQ=MONTHLY;BYDAY=MO;BYSETPOS=6", OLDEST),  # never: no sixth Monday
    ("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR,SA,SU;BYSETPOS=1,2,3,4,5,6,7", OLDEST),
    ("FREQ=YEARLY;BYWEEKNO=1;BYMONTH=6", OLDEST),  # never: week 1 is not in June
    ("FREQ=YEARLY;BYYEARDAY=" + ",".join(str(d) for d in range(-366, 0)), OLDEST),
]


@pytest.fixture
def series_made(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Any]]:
    """Every series `schedule` builds while the test runs (to read the steps they spent)."""
    made: list[Any] = []
    real = schedule._series

    def recording(rule: str, start: date) -> Any:
        series = real(rule, start)
        made.append(series)
        return series

    monkeypatch.setattr(schedule, "_series", recording)
    yield made


def spent_per_question(series: Any, ask: Any) -> int:
    before = series.budget.steps
    ask()
    return int(series.budget.steps - before)


@pytest.mark.parametrize(("rule", "start"), COSTLY)
def test_every_question_stops_within_the_budget(rule: str, start: date) -> None:
    budget = schedule.STEP_BUDGET + ONE_YEAR_AT_MOST
    s = schedule._series(rule, start)
    assert spent_per_question(s, lambda: s.first_from(start)) <= budget
    assert spent_per_question(s, lambda: s.first_from(date(2026, 11, 23))) <= budget
    assert spent_per_question(s, lambda: s.between(start, AS_OF)) <= budget
    assert spent_per_question(s, lambda: s.count_between(start, AS_OF)) <= budget
    done = [start + timedelta(days=400 * k) for k in range(8)]
    for ask in (
        lambda: schedule.next_due(rule, start, done),
        lambda: schedule.missed(rule, start, AS_OF, start=start),
        lambda: schedule.occurrences_between(rule, start, start, AS_OF),
    ):
        ask()  # each builds a series of its own; none may hang


def test_what_a_cut_short_answer_means() -> None:
    # Every day from year 1: counting to 2026 needs 740,000 days; the count stops early.
    every_day = "FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR,SA,SU"
    s = schedule._series(every_day, date(1, 1, 1))
    counted = s.count_between(date(1, 1, 1), AS_OF)
    assert s.gave_up
    assert 0 < counted < (AS_OF - date(1, 1, 1)).days  # a lower bound
    listed = schedule._series(every_day, date(1, 1, 1)).between(date(1, 1, 1), AS_OF)
    assert listed == [date(1, 1, 1) + timedelta(days=i) for i in range(len(listed))]  # the first
    # A search that runs out finds nothing: the rule is taken to have ended there.
    never = schedule._series("FREQ=DAILY;INTERVAL=7;BYDAY=MO", date(2026, 1, 6))
    assert never.first_from(date(2026, 1, 6)) is None
    assert never.gave_up
    # A rule that never matches is known to: no budget needed, nothing given up.
    proved = schedule._series("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", date(1, 1, 1))
    assert proved.first_from(date(1, 1, 1)) is None
    assert not proved.gave_up
    # A question cut short does not spoil the next one.
    s = schedule._series(every_day, date(1, 1, 1))
    s.count_between(date(1, 1, 1), AS_OF)
    assert s.first_from(date(3000, 1, 1)) == date(3000, 1, 1)
    assert s.first_from(date(5, 1, 1)) == date(5, 1, 1)


def test_the_rule_from_the_issue_is_counted_exactly_and_quickly() -> None:
    # 11 of these made every `due` take 20 s: dateutil walked 2,000 years a day at a time.
    rule, start = "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=29", date(1, 1, 1)
    s = schedule._series(rule, start)
    assert s.first_from(start) == date(4, 2, 29)
    assert s.count_between(date(4, 2, 29), AS_OF) == 491  # leap days from year 4 to 2024
    assert not s.gave_up
    assert s.budget.steps < schedule.STEP_BUDGET // 2


def bundle_with(run: Run, tmp_path: Path, cases: list[tuple[str, date]]) -> str:
    """A bundle, as `export` writes it, whose promises have the given rules and starts."""
    for i in range(len(cases)):
        ok(run("promise", "Acme", f"Duty {i}", "--every", "daily", "--start", "2026-01-01"))
    data: dict[str, Any] = json.loads(ok(run("export", "--format", "json")).stdout)
    (client,) = data["clients"]
    assert len(client["promises"]) == len(cases)
    for promise in client["promises"]:
        rule, start = cases[int(promise["title"].removeprefix("Duty "))]
        promise["rule"], promise["start"] = rule, start.isoformat()
    path = tmp_path / "costly.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


def test_costly_rules_by_import_keep_due_bounded(
    run: Run, tmp_path: Path, series_made: list[Any]
) -> None:
    cases = [*COSTLY, COSTLY[0], COSTLY[0]]
    assert len(cases) == 11  # as many as made `due` take 20 s
    bundle = bundle_with(run, tmp_path, cases)
    other = tmp_path / "other.db"
    series_made.clear()
    imported = run("--db", str(other), "import", bundle, "--json")
    assert imported.exit_code == 0, imported.stderr  # not refused for their rules
    assert imported.json()["promises"]["added"] == len(cases)

    due = run("--db", str(other), "due", "--json")
    assert due.exit_code == 0, due.stderr
    items = {item["title"]: item for item in due.json()["items"]}
    leap = [i for i, case in enumerate(cases) if case == COSTLY[0]]
    for i in leap:  # the issue's rule: due since 1904 (1900 was no leap year), each missed
        assert items[f"Duty {i}"]["due"] == "1904-02-29"
        assert items[f"Duty {i}"]["missed"] == 31
    text = run("--db", str(other), "due")
    assert text.exit_code == 0 and "Duty 0" in text.stdout

    assert series_made, "due asked schedule nothing"
    steps = [s.budget.steps for s in series_made]
    budget = schedule.STEP_BUDGET + ONE_YEAR_AT_MOST
    assert max(steps) <= budget  # each series here answered one question (first due, missed)
    assert any(s.gave_up for s in series_made)  # the dense ones were cut short
