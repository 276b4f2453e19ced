"""expansion: the year-by-year walk gives dateutil's occurrences, from any day, in counted steps."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from test_schedule import rfc_rules

from handoff_cli.errors import BadInput
from handoff_cli.expansion import Budget, walk, year_days
from handoff_cli.record import replace
from handoff_cli.rules import Rule, complete, load_rule, parse_rule, rrule_for

PLENTY = 10**9  # a budget that never runs out


def dateutil_days(rule: Rule, start: date, frm: date, end: date) -> list[date]:
    """dateutil's occurrences d of ``rule`` from ``start`` with frm <= d <= end.

    dateutil looks for the next occurrence after ``end`` up to year 9999 before it
    stops, which takes seconds for a rule that has none. The calendar repeats every
    400 years, so the same question is asked near year 9999, where it gives up soon.
    """
    if end < start:
        return []
    shift = (9999 - end.year) // 400 * 400

    def moved(day: date) -> datetime:
        return datetime(day.year + shift, day.month, day.day)

    # An UNTIL past the end changes nothing before it.
    until = None if rule.until is None or rule.until > end else moved(rule.until).date()
    found = rrule_for(replace(rule, until=until), moved(start).date()).between(
        moved(frm), moved(end), inc=True
    )
    return [date(m.year - shift, m.month, m.day) for m in found]


def walked(rule: Rule, start: date, frm: date, end: date) -> list[date]:
    return list(itertools.takewhile(lambda d: d <= end, walk(rule, start, frm, Budget(PLENTY))))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    text=rfc_rules(),
    start=st.dates(min_value=date(1990, 1, 1), max_value=date(2030, 12, 31)),
    later=st.integers(-40, 9000),
    length=st.integers(0, 800),
)
def test_the_walk_gives_dateutils_occurrences_from_any_day(
    text: str, start: date, later: int, length: int
) -> None:
    try:
        rule = load_rule(parse_rule(text, start=start))
    except BadInput:
        assume(False)
    frm = start + timedelta(days=later)
    end = frm + timedelta(days=length)
    expected = dateutil_days(rule, start, start if rule.count else frm, end)
    assert walked(rule, start, frm, end) == [d for d in expected if d >= frm], str(rule)


@pytest.mark.parametrize("wkst", ["MO", "TH", "SU"])
@pytest.mark.parametrize("weeks", ["1", "53", "-1", "-53", "52,2", "1,-1"])
def test_week_numbers_agree_with_dateutil_over_the_whole_400_year_cycle(
    weeks: str, wkst: str
) -> None:
    start, end = date(2000, 1, 1), date(2399, 12, 31)
    rule = load_rule(parse_rule(f"FREQ=YEARLY;BYWEEKNO={weeks};BYDAY=MO,TH,SU;WKST={wkst}",
                                start=start))  # fmt: skip
    assert walked(rule, start, start, end) == dateutil_days(rule, start, start, end)


@pytest.mark.parametrize(
    "text",
    [
        "FREQ=YEARLY;BYYEARDAY=1,60,-1,-306,366",
        "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29",
        "FREQ=YEARLY;BYDAY=-53MO,53SU,1FR",
        "FREQ=YEARLY;BYMONTH=2,12;BYDAY=5SU,-5MO",
        "FREQ=MONTHLY;BYDAY=5FR,-5TU;BYSETPOS=-1",
    ],
)
def test_rare_days_agree_with_dateutil_over_the_whole_400_year_cycle(text: str) -> None:
    start, end = date(2000, 1, 1), date(2399, 12, 31)
    rule = load_rule(parse_rule(text, start=start))
    assert walked(rule, start, start, end) == dateutil_days(rule, start, start, end)


def test_a_year_is_worked_out_from_the_rules_most_selective_part() -> None:
    leap_day = load_rule("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=29")
    days, cost = year_days(leap_day, 2024)
    assert days == (59,)  # Feb 29 is the 60th day
    assert year_days(leap_day, 2023)[0] == ()
    assert cost < 20  # one candidate day (and the fixed part), not 366
    assert year_days(leap_day, 2424) == (days, cost)  # the calendar repeats every 400 years


def test_the_walk_spends_steps_as_it_goes_and_stops_when_they_are_spent() -> None:
    rule = complete(load_rule("FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR"), date(2026, 1, 1))
    budget = Budget(1000)
    found = list(walk(rule, date(2026, 1, 1), date(2026, 1, 1), budget))
    assert budget.ran_out
    assert 0 < len(found) < 1000
    assert found == walked(rule, date(2026, 1, 1), date(2026, 1, 1), found[-1])
    budget.refill(1000)
    assert not budget.ran_out and budget.limit == budget.steps + 1000


def test_dates_at_the_ends_of_the_calendar() -> None:
    weekly = complete(load_rule("FREQ=WEEKLY;BYDAY=MO,SU;BYSETPOS=-1;WKST=SU"), date(1, 1, 1))
    assert walked(weekly, date(1, 1, 1), date(1, 1, 1), date(1, 1, 14)) == [
        date(1, 1, 1),
        date(1, 1, 8),
    ]
    last = complete(load_rule("FREQ=WEEKLY;BYDAY=FR,SU;BYSETPOS=-1"), date(9999, 12, 1))
    assert walked(last, date(9999, 12, 1), date(9999, 12, 1), date.max)[-1] == date(9999, 12, 31)
    monthly = complete(load_rule("FREQ=MONTHLY;BYMONTHDAY=31;INTERVAL=7"), date(9990, 1, 31))
    end = dateutil_days(monthly, date(9990, 1, 31), date(9998, 1, 1), date.max)
    assert walked(monthly, date(9990, 1, 31), date(9998, 1, 1), date.max) == end
