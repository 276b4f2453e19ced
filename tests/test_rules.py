"""rules: RULE words and RFC 5545 text to canonical rules, and back to words."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import handoff_cli
from handoff_cli.errors import BAD_INPUT, BadInput
from handoff_cli.rules import RULE_EXAMPLES, describe_rule, parse_rule, step

WED = date(2026, 1, 14)  # a Wednesday, mid-month
JAN31 = date(2026, 1, 31)  # a Saturday, the month's last day
LEAP_DAY = date(2024, 2, 29)  # a Thursday

CANONICAL = [
    # (words, start, canonical rule)
    ("daily", WED, "FREQ=DAILY"),
    ("DAILY", WED, "FREQ=DAILY"),
    ("every day", WED, "FREQ=DAILY"),
    ("every 3 days", WED, "FREQ=DAILY;INTERVAL=3"),
    ("every 1 day", WED, "FREQ=DAILY"),
    ("weekly", WED, "FREQ=WEEKLY;BYDAY=WE"),
    ("every week", JAN31, "FREQ=WEEKLY;BYDAY=SA"),
    ("biweekly", WED, "FREQ=WEEKLY;INTERVAL=2;BYDAY=WE"),
    ("every other week", WED, "FREQ=WEEKLY;INTERVAL=2;BYDAY=WE"),
    ("every 2nd week", WED, "FREQ=WEEKLY;INTERVAL=2;BYDAY=WE"),
    ("every 2 weeks", WED, "FREQ=WEEKLY;INTERVAL=2;BYDAY=WE"),
    ("weekdays", WED, "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"),
    ("every weekday", WED, "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"),
    ("weekly on fri", WED, "FREQ=WEEKLY;BYDAY=FR"),
    ("weekly on mon,thu", WED, "FREQ=WEEKLY;BYDAY=MO,TH"),
    ("weekly on thu, mon", WED, "FREQ=WEEKLY;BYDAY=MO,TH"),
    ("Weekly on Monday and Thursday", WED, "FREQ=WEEKLY;BYDAY=MO,TH"),
    ("every mon", WED, "FREQ=WEEKLY;BYDAY=MO"),
    ("every 2 weeks on tue", WED, "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU"),
    ("monthly", WED, "FREQ=MONTHLY;BYMONTHDAY=14"),
    ("monthly", JAN31, "FREQ=MONTHLY;BYMONTHDAY=28,29,30,31;BYSETPOS=-1"),
    ("monthly", date(2026, 1, 30), "FREQ=MONTHLY;BYMONTHDAY=28,29,30;BYSETPOS=-1"),
    ("monthly", date(2026, 1, 29), "FREQ=MONTHLY;BYMONTHDAY=28,29;BYSETPOS=-1"),
    ("monthly", date(2026, 1, 28), "FREQ=MONTHLY;BYMONTHDAY=28"),
    ("every month", WED, "FREQ=MONTHLY;BYMONTHDAY=14"),
    ("every 2 months", WED, "FREQ=MONTHLY;INTERVAL=2;BYMONTHDAY=14"),
    ("quarterly", WED, "FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=14"),
    ("every quarter", WED, "FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=14"),
    ("quarterly", JAN31, "FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=28,29,30,31;BYSETPOS=-1"),
    ("monthly on day 5", WED, "FREQ=MONTHLY;BYMONTHDAY=5"),
    ("monthly on the 5th", WED, "FREQ=MONTHLY;BYMONTHDAY=5"),
    ("monthly on day 31", WED, "FREQ=MONTHLY;BYMONTHDAY=28,29,30,31;BYSETPOS=-1"),
    ("monthly on the last day", WED, "FREQ=MONTHLY;BYMONTHDAY=-1"),
    ("monthly on the first mon", WED, "FREQ=MONTHLY;BYDAY=1MO"),
    ("monthly on the 2nd tuesday", WED, "FREQ=MONTHLY;BYDAY=2TU"),
    ("monthly on the third wed", WED, "FREQ=MONTHLY;BYDAY=3WE"),
    ("monthly on the 4th thu", WED, "FREQ=MONTHLY;BYDAY=4TH"),
    ("monthly on the last fri", WED, "FREQ=MONTHLY;BYDAY=-1FR"),
    ("every 3 months on day 5", WED, "FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=5"),
    ("yearly", WED, "FREQ=YEARLY;BYMONTH=1;BYMONTHDAY=14"),
    ("annually", JAN31, "FREQ=YEARLY;BYMONTH=1;BYMONTHDAY=31"),
    ("yearly", LEAP_DAY, "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=28,29;BYSETPOS=-1"),
    ("every 2 years", WED, "FREQ=YEARLY;INTERVAL=2;BYMONTH=1;BYMONTHDAY=14"),
    ("yearly on mar 5", WED, "FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=5"),
    ("yearly on 5 march", WED, "FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=5"),
    ("yearly on feb 29", WED, "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=28,29;BYSETPOS=-1"),
    ("daily, 5 times", WED, "FREQ=DAILY;COUNT=5"),
    ("weekly until 2026-12-31", WED, "FREQ=WEEKLY;BYDAY=WE;UNTIL=20261231"),
    ("  weekly   on   fri  ", WED, "FREQ=WEEKLY;BYDAY=FR"),
    # RFC 5545, completed from the start where dateutil would infer
    ("FREQ=MONTHLY;BYDAY=1MO", WED, "FREQ=MONTHLY;BYDAY=1MO"),
    ("RRULE:FREQ=MONTHLY;BYDAY=1MO", WED, "FREQ=MONTHLY;BYDAY=1MO"),
    ("rrule:freq=monthly;byday=1mo", WED, "FREQ=MONTHLY;BYDAY=1MO"),
    ("FREQ=WEEKLY", WED, "FREQ=WEEKLY;BYDAY=WE"),
    ("FREQ=WEEKLY;INTERVAL=1", WED, "FREQ=WEEKLY;BYDAY=WE"),
    ("FREQ=WEEKLY;BYDAY=TH,MO;", WED, "FREQ=WEEKLY;BYDAY=MO,TH"),
    ("FREQ=MONTHLY", JAN31, "FREQ=MONTHLY;BYMONTHDAY=28,29,30,31;BYSETPOS=-1"),
    ("FREQ=MONTHLY;INTERVAL=3", WED, "FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=14"),
    ("FREQ=YEARLY", LEAP_DAY, "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=28,29;BYSETPOS=-1"),
    ("FREQ=YEARLY;BYMONTH=4", JAN31, "FREQ=YEARLY;BYMONTH=4;BYMONTHDAY=30"),
    ("FREQ=YEARLY;BYMONTH=6,3", WED, "FREQ=YEARLY;BYMONTH=3,6;BYMONTHDAY=14"),
    ("FREQ=MONTHLY;BYMONTHDAY=31", WED, "FREQ=MONTHLY;BYMONTHDAY=31"),  # as written: skips
    ("FREQ=MONTHLY;BYMONTHDAY=-1,15,1", WED, "FREQ=MONTHLY;BYMONTHDAY=1,15,-1"),
    ("FREQ=MONTHLY;BYDAY=MO,FR;BYSETPOS=-1", WED, "FREQ=MONTHLY;BYDAY=MO,FR;BYSETPOS=-1"),
    ("FREQ=DAILY;COUNT=10", WED, "FREQ=DAILY;COUNT=10"),
    ("FREQ=DAILY;UNTIL=20261231T235959", WED, "FREQ=DAILY;UNTIL=20261231"),  # local time
    ("FREQ=DAILY;UNTIL=20261231T000000Z", WED, "FREQ=DAILY;UNTIL=20261231"),  # 09:00 in Tokyo
    ("FREQ=DAILY;UNTIL=20261231T150000Z", WED, "FREQ=DAILY;UNTIL=20270101"),  # 00:00 in Tokyo
    ("FREQ=WEEKLY;WKST=SU;INTERVAL=2;BYDAY=SA", WED, "FREQ=WEEKLY;INTERVAL=2;BYDAY=SA;WKST=SU"),
    ("FREQ=WEEKLY;WKST=MO", WED, "FREQ=WEEKLY;BYDAY=WE"),
    ("FREQ=YEARLY;BYWEEKNO=20;BYDAY=MO", WED, "FREQ=YEARLY;BYDAY=MO;BYWEEKNO=20"),
    ("FREQ=YEARLY;BYYEARDAY=-1", WED, "FREQ=YEARLY;BYYEARDAY=-1"),
]


@pytest.mark.parametrize(("words", "start", "canonical"), CANONICAL)
def test_words_and_rfc_rules_become_canonical(words: str, start: date, canonical: str) -> None:
    assert parse_rule(words, start=start) == canonical


@pytest.mark.parametrize(("words", "start", "canonical"), CANONICAL)
def test_canonical_rules_are_fixed_points(words: str, start: date, canonical: str) -> None:
    # A canonical rule reads back as itself, from any start.
    assert parse_rule(canonical, start=start) == canonical
    assert parse_rule(canonical, start=date(2026, 7, 3)) == canonical


DESCRIBED = [
    ("daily", WED, "daily"),
    ("every 3 days", WED, "every 3 days"),
    ("weekly", WED, "weekly on Wed"),
    ("weekdays", WED, "weekdays"),
    ("weekly on mon,thu", WED, "weekly on Mon, Thu"),
    ("every 2 weeks on tue", WED, "every 2 weeks on Tue"),
    ("every 2 weeks on mon,tue,wed,thu,fri", WED, "every 2 weeks on Mon, Tue, Wed, Thu, Fri"),
    ("monthly on day 5", WED, "monthly on day 5"),
    ("monthly", WED, "monthly on day 14"),
    ("every 2 months", WED, "every 2 months on day 14"),
    ("monthly on the last day", WED, "monthly on the last day"),
    ("monthly on the first mon", WED, "monthly on the first Mon"),
    ("monthly on the last fri", WED, "monthly on the last Fri"),
    ("monthly", JAN31, "monthly on day 31 (or the month's last day)"),
    ("quarterly", JAN31, "quarterly on day 31 (or the month's last day)"),
    ("quarterly", WED, "quarterly on day 14"),
    ("monthly", date(2026, 3, 30), "monthly on day 30 (or the month's last day)"),
    ("yearly", WED, "yearly on Jan 14"),
    ("yearly", LEAP_DAY, "yearly on Feb 29 (or the month's last day)"),
    ("every 2 years on mar 5", WED, "every 2 years on Mar 5"),
    ("daily, 5 times", WED, "daily, 5 times"),
    ("FREQ=DAILY;COUNT=1", WED, "daily, 1 time"),
    ("weekly until 2026-12-31", WED, "weekly on Wed, until 2026-12-31"),
    (
        "monthly until 2026-12-31",
        JAN31,
        "monthly on day 31 (or the month's last day), until 2026-12-31",
    ),
]


@pytest.mark.parametrize(("words", "start", "described"), DESCRIBED)
def test_describe_rule_round_trips(words: str, start: date, described: str) -> None:
    rule = parse_rule(words, start=start)
    assert describe_rule(rule) == described
    # ... and the words read back as the same rule, from another start too.
    assert parse_rule(described, start=start) == rule
    assert parse_rule(described, start=date(2026, 6, 17)) == rule


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=MONTHLY;BYDAY=MO,FR;BYSETPOS=-1",
        "FREQ=YEARLY;BYDAY=MO;BYWEEKNO=20",
        "FREQ=MONTHLY;BYMONTHDAY=1,15",
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=SA;WKST=SU",
    ],
)
def test_rules_without_words_are_described_as_themselves(rule: str) -> None:
    assert describe_rule(rule) == rule
    assert parse_rule(describe_rule(rule), start=WED) == rule


def test_describe_rule_never_raises() -> None:
    assert describe_rule("not a rule") == "not a rule"


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("daily", ("days", 1)),
        ("every 3 days", ("days", 3)),
        ("weekdays", ("weeks", 1)),
        ("biweekly", ("weeks", 2)),
        ("monthly on day 5", ("months", 1)),
        ("quarterly", ("months", 3)),
        ("yearly", ("years", 1)),
        ("every 2 years", ("years", 2)),
    ],
)
def test_step(words: str, expected: tuple[str, int]) -> None:
    assert step(parse_rule(words, start=WED)) == expected


REFUSED = [
    "",
    "   ",
    "hourly",
    "sometimes",
    "every",
    "every 0 days",
    "every -1 days",
    "every 1001 days",
    "every 2",
    "every fortnightly",
    "weekly on",
    "weekly on funday",
    "weekly on mon,,thu",
    "weekly on mon,",
    "weekdays on mon",
    "daily on mon",
    "monthly on day 0",
    "monthly on day 32",
    "monthly on the fifth mon",
    "monthly on the last",
    "monthly on the 5",
    "yearly on feb 30",
    "yearly on apr 31",
    "yearly on smarch 5",
    "daily (or the month's last day)",
    "daily, 0 times",
    "weekly until 2026-02-30",
    "every ２ days",  # a full-width digit is not a number here
    "every ² days",
    "FREQ=HOURLY",
    "FREQ=MINUTELY;INTERVAL=30",
    "FREQ=SECONDLY",
    "FREQ=FORTNIGHTLY",
    "INTERVAL=2",
    "FREQ=DAILY;FREQ=WEEKLY",
    "FREQ=DAILY;INTERVAL=0",
    "FREQ=DAILY;INTERVAL=x",
    "FREQ=DAILY;INTERVAL=+2",
    "FREQ=DAILY;COUNT=0",
    "FREQ=DAILY;COUNT=3;UNTIL=20270101",
    "FREQ=DAILY;UNTIL=2027",
    "FREQ=DAILY;UNTIL=20270230",
    "FREQ=DAILY;BYHOUR=9",
    "FREQ=DAILY;BYMINUTE=0",
    "FREQ=DAILY;BYEASTER=0",
    "FREQ=DAILY;X-FOO=1",
    "FREQ=DAILY;BYMONTH=13",
    "FREQ=DAILY;BYMONTH=-1",
    "FREQ=MONTHLY;BYMONTHDAY=0",
    "FREQ=MONTHLY;BYMONTHDAY=32",
    "FREQ=MONTHLY;BYDAY=XX",
    "FREQ=MONTHLY;BYDAY=0MO",
    "FREQ=MONTHLY;BYDAY=54MO",
    "FREQ=WEEKLY;BYDAY=1MO",  # numbered weekdays need MONTHLY or YEARLY
    "FREQ=WEEKLY;BYMONTHDAY=5",
    "FREQ=MONTHLY;BYYEARDAY=5",
    "FREQ=MONTHLY;BYWEEKNO=5",
    "FREQ=YEARLY;BYWEEKNO=5;BYDAY=1MO",
    "FREQ=DAILY;BYSETPOS=1",
    "FREQ=DAILY;WKST=XX",
    "FREQ",
    "FREQ=",
    "=DAILY",
    "DTSTART:20260101\nRRULE:FREQ=DAILY",
    "DTSTART=20260101;FREQ=DAILY",
    "RRULE:FREQ=DAILY\nEXDATE:20260102",
    "FREQ=DAILY;UNTIL=20270230T000000Z",
    "FREQ=DAILY;UNTIL=20270101T250000Z",
]


@pytest.mark.parametrize("text", REFUSED)
def test_refused_with_examples(text: str) -> None:
    with pytest.raises(BadInput) as caught:
        parse_rule(text, start=date(2027, 3, 2))
    message = caught.value.message
    assert caught.value.exit_code == BAD_INPUT
    assert message.startswith("cannot understand rule '")
    assert message.endswith(f"; try {RULE_EXAMPLES}")
    assert "\n" not in message


def test_refusal_message_is_one_line_and_short_for_long_input() -> None:
    with pytest.raises(BadInput) as caught:
        parse_rule("x\n" * 1000, start=WED)
    assert "\n" not in caught.value.message
    assert len(caught.value.message) < 400


def test_rule_examples_are_one_line_and_mention_an_rrule() -> None:
    assert "\n" not in RULE_EXAMPLES
    assert "FREQ=" in RULE_EXAMPLES


def test_examples_in_rule_examples_parse() -> None:
    for example in ("daily", "weekdays", "weekly on fri", "every 2 weeks on mon,thu"):
        parse_rule(example, start=WED)
    for example in ("monthly on day 5", "monthly on the last fri", "quarterly", "yearly"):
        parse_rule(example, start=WED)
    parse_rule("FREQ=MONTHLY;BYDAY=1MO", start=WED)


def test_dates_at_the_ends_of_the_calendar() -> None:
    assert parse_rule("daily", start=date(9999, 12, 31)) == "FREQ=DAILY"
    assert parse_rule("monthly", start=date(9999, 12, 31)).startswith("FREQ=MONTHLY")
    assert parse_rule("FREQ=WEEKLY", start=date(1, 1, 1)) == "FREQ=WEEKLY;BYDAY=MO"


def test_importing_rules_and_schedule_does_not_import_dateutil() -> None:
    code = (
        "import sys, handoff_cli.rules, handoff_cli.schedule; "
        "print(any(m.startswith('dateutil') for m in sys.modules))"
    )
    src = str(Path(handoff_cli.__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": src}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    assert done.stdout.strip() == "False"


# --------------------------------------------------------------------------- fuzzing

VOCABULARY = [
    "daily", "weekly", "biweekly", "monthly", "quarterly", "yearly", "annually", "every",
    "weekdays", "weekday", "on", "the", "day", "days", "week", "weeks", "month", "months",
    "year", "years", "quarter", "other", "last", "first", "2nd", "third", "fifth", "mon",
    "thu", "friday", "sun", "and", ",", "jan", "feb", "february", "0", "1", "2", "5", "28",
    "29", "30", "31", "32", "99999999999", "-1", "5th", "times", "until", "2026-12-31",
    "2026-02-30", "(or the month's last day)", "RRULE:", "FREQ=DAILY", "FREQ=MONTHLY",
    "FREQ=YEARLY", "FREQ=WEEKLY", "FREQ=HOURLY", ";", "=", "INTERVAL=2", "INTERVAL=0",
    "COUNT=3", "UNTIL=20270101", "UNTIL=2027", "BYDAY=MO,FR", "BYDAY=1MO", "BYDAY=-1FR",
    "BYDAY=9999MO", "BYMONTHDAY=31", "BYMONTHDAY=-1", "BYMONTHDAY=28,29,30,31",
    "BYSETPOS=-1", "BYSETPOS=1", "BYMONTH=2", "BYMONTH=13", "BYWEEKNO=53", "BYYEARDAY=366",
    "WKST=SU", "DTSTART:20260101", "\n", "\t", "é", "٣", "²",
]  # fmt: skip

fuzz_settings = settings(
    max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def _parses_or_refuses(text: str, start: date) -> None:
    try:
        rule = parse_rule(text, start=start)
    except BadInput as exc:
        assert exc.message.startswith("cannot understand rule")
        return
    assert isinstance(rule, str)
    # Whatever parses is canonical: it reads back as itself, and can be described.
    assert parse_rule(rule, start=start) == rule
    assert isinstance(describe_rule(rule), str)
    step(rule)


@fuzz_settings
@given(text=st.text(), start=st.dates(min_value=date(1990, 1, 1), max_value=date(2060, 12, 31)))
def test_fuzz_any_text_parses_or_is_refused(text: str, start: date) -> None:
    _parses_or_refuses(text, start)


@fuzz_settings
@given(
    words=st.lists(st.sampled_from(VOCABULARY), min_size=1, max_size=6),
    separator=st.sampled_from([" ", ";", "", ", "]),
    start=st.dates(),
)
def test_fuzz_grammar_words_parse_or_are_refused(
    words: list[str], separator: str, start: date
) -> None:
    _parses_or_refuses(separator.join(words), start)


@settings(max_examples=500, deadline=None)
@given(text=st.text())
def test_fuzz_describe_rule_returns_text(text: str) -> None:
    assert isinstance(describe_rule(text), str)
