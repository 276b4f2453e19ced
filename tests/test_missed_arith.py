"""missed.py counts the missed occurrences of the common rule shapes by arithmetic, for
`due` listing thousands of overdue promises (issue 13). It must give exactly what
`schedule.missed` gives, which `due` falls back to for every other rule."""

from __future__ import annotations

from calendar import monthrange
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from handoff_cli import missed, schedule
from handoff_cli.rules import parse_rule

WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")

starts = st.dates(min_value=date(1999, 1, 1), max_value=date(2031, 12, 31))
intervals = st.sampled_from([1, 1, 1, 2, 3, 5, 12])


@st.composite
def cases(draw: st.DrawFn) -> tuple[str, date, date, date, bool]:
    start = draw(starts)
    kind = draw(st.sampled_from(["DAILY", "WEEKLY", "WEEKLY;BYDAY", "MONTHLY", "MONTHLY"]))
    n = draw(intervals)
    if kind == "WEEKLY;BYDAY":
        text = f"FREQ=WEEKLY;INTERVAL={n};BYDAY={draw(st.sampled_from(WEEKDAYS))}"
    else:
        text = f"FREQ={kind};INTERVAL={n}"
    if kind == "MONTHLY" and draw(st.booleans()):  # the month-end shapes, often
        day = draw(st.sampled_from([29, 30, 31, 31, 1]))
        start = start.replace(day=min(day, monthrange(start.year, start.month)[1]))
    rule = parse_rule(text, start=start)
    next_due = start + timedelta(days=draw(st.integers(-40, 900)))
    snap = draw(st.sampled_from(["", "end", "after end", "after end"]))
    if snap:  # about a month's last day, where the month-end shapes differ
        next_due = _month_end(next_due) + timedelta(days=int(snap == "after end"))
    before = next_due + timedelta(days=draw(st.integers(0, 1500)))
    if draw(st.booleans()):
        before = _month_end(before)
    return rule, start, next_due, before, draw(st.booleans())


def _month_end(day: date) -> date:
    return day.replace(day=monthrange(day.year, day.month)[1])


@settings(max_examples=600, deadline=None)
@given(cases())
def test_the_arithmetic_counts_as_the_schedule_does(
    case: tuple[str, date, date, date, bool],
) -> None:
    rule, start, next_due, before, after_done = case
    found = missed.shape(rule)
    assert found is not None, rule
    expected = schedule.missed(rule, next_due, before, after_done=after_done, start=start)
    got = missed.missed(
        found, start.toordinal(), next_due.toordinal(), before.toordinal(), after_done=after_done
    )
    assert got == expected


def test_month_end_rules_have_a_shape_and_others_none() -> None:
    assert missed.shape(parse_rule("FREQ=MONTHLY", start=date(2024, 1, 31))) == ("E", 1, 31)
    assert missed.shape(parse_rule("FREQ=MONTHLY", start=date(2024, 1, 5))) == ("M", 1, 5)
    assert missed.shape("FREQ=WEEKLY;BYDAY=MO,TH") is None
    assert missed.shape("FREQ=MONTHLY;BYDAY=1MO") is None
    assert missed.shape("FREQ=DAILY;COUNT=3") is None
