"""Case 10: the WHEN and RULE parsers answer any string with a value or a clean BadInput.

Thousands of cases each: arbitrary text, and sequences of the grammar's own
words, numbers and punctuation (which reach much deeper into the parsers than
random text), against clocks and start days anywhere from year 1 to 9999.
What the commands do next with a parsed value (store it in UTC, show it in
local time, find a rule's first occurrence, move it on after a `done`) must
not fail either: that is where out-of-range dates hide.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from handoff_cli import schedule
from handoff_cli.cli import common
from handoff_cli.errors import BadInput
from handoff_cli.rules import describe_rule, parse_rule

WHEN_WORDS = [
    *"in ago a an next last at now today tomorrow yesterday".split(),
    *"fri friday tue tues thu thurs sun mon sat weekday".split(),
    *"day days week weeks month months year years hour hours minute minutes".split(),
    *["+", "-", "2w", "-1d", "+1m", "+1y", "+2h", "+0d", "-99999999y", "+999999999999999999d"],
    *["0", "3", "12", "31", "366", "10000", "99999999999999999999", "-5", "1e9", "３", "٣"],
    *["15:00", "9am", "12pm", "12am", "0:00", "24:00", "23:59:60", "9:75", "13pm", "7.30"],
    *["2026-12-01", "0001-01-01", "9999-12-31", "2026-02-29", "2028-02-29", "2026-13-01"],
    *["2026-12-01T15:30", "2026-12-01T15:30:00+09:00", "9999-12-31T23:59:59-23:59"],
    *["0001-01-01T00:00+14:00", "2026-12-01t15:30z", "2026-12-01 15:30", "20261201"],
    *["T", "Z", "z", "+09:00", "-23:59", "+24:00", ":", "/", ".", ",", "", "\t", "\n", "\x00"],
]
RULE_WORDS = [
    *"daily weekly biweekly monthly quarterly yearly every weekdays on the day".split(),
    *"first second third fourth last mon tue fri sun mon,thu sun, ,".split(),
    *"days weeks months years day week month year".split(),
    *["0", "1", "2", "5", "29", "31", "32", "-1", "-31", "53", "366", "1000", "1001", "99999"],
    *["FREQ=", "DAILY", "WEEKLY", "MONTHLY", "YEARLY", "HOURLY", "SECONDLY", ";", "="],
    *["BYDAY=", "1MO", "-1FR", "53MO", "0MO", "+5SU", "MO,TU", "BYMONTHDAY=", "BYMONTH="],
    *["BYSETPOS=", "BYWEEKNO=", "BYYEARDAY=", "INTERVAL=", "COUNT=", "UNTIL=", "WKST="],
    *["20261201", "20261201T000000Z", "19000101", "99991231", "00010101", "MO", "RRULE:"],
    *["DTSTART=20260101", "BYHOUR=9", "X-FOO=bar", "FREQ=MONTHLY;BYMONTHDAY=31", "\x00"],
]


def sentences(words: list[str]) -> st.SearchStrategy[str]:
    word = st.one_of(st.sampled_from(words), st.text(max_size=4))
    glue = st.sampled_from([" ", "", ";", ",", "  "])
    return st.lists(st.tuples(word, glue), max_size=8).map(
        lambda parts: "".join(w + g for w, g in parts)
    )


NUMBERS = st.one_of(st.integers(0, 40), st.integers(-10, 10**6), st.integers(10**6, 10**30)).map(
    str
)
WEEKDAYS = st.sampled_from("mon tue wed thu fri sat sun monday friday tues thurs".split())
UNITS = st.sampled_from("day days week weeks month months year years hour hours minute".split())
TIMES = st.builds(
    "{}:{:02d}{}".format,
    st.integers(0, 30),
    st.integers(0, 70),
    st.sampled_from(["", "am", "pm", ":00", ":60"]),
)
ISO = st.builds(
    "{:04d}-{:02d}-{:02d}{}".format,
    st.integers(0, 9999),
    st.integers(0, 13),
    st.integers(0, 32),
    st.one_of(
        st.just(""),
        st.builds("T{:02d}:{:02d}".format, st.integers(0, 25), st.integers(0, 61)),
        st.builds(
            "T{:02d}:{:02d}{}{:02d}:{:02d}".format,
            st.integers(0, 24),
            st.integers(0, 59),
            st.sampled_from("+-"),
            st.integers(0, 25),
            st.integers(0, 60),
        ),
    ),
)
WHEN_FORMS = st.one_of(
    st.builds("in {} {}".format, NUMBERS, UNITS),
    st.builds("{} {} ago".format, NUMBERS, UNITS),
    st.builds("{}{}{}".format, st.sampled_from("+-"), NUMBERS, st.sampled_from("dwmyh")),
    st.builds("{} {}".format, st.sampled_from(["today", "yesterday", "tomorrow", "next"]), TIMES),
    st.builds("{} at {}".format, WEEKDAYS, TIMES),
    st.builds("{} {}".format, st.sampled_from(["next", "last", ""]), WEEKDAYS),
    ISO,
    TIMES,
)
ORDINALS = st.sampled_from("first second third fourth fifth last 1st 2nd -1".split())
RULE_PARTS = st.lists(
    st.one_of(
        st.builds("INTERVAL={}".format, NUMBERS),
        st.builds("COUNT={}".format, NUMBERS),
        st.builds("BYMONTHDAY={}".format, st.integers(-32, 32)),
        st.builds("BYMONTH={}".format, st.integers(-1, 13)),
        st.builds("BYSETPOS={}".format, st.integers(-367, 367)),
        st.builds("BYYEARDAY={}".format, st.integers(-367, 367)),
        st.builds("BYWEEKNO={}".format, st.integers(-54, 54)),
        st.builds(
            "BYDAY={}{}".format,
            st.sampled_from(["", "1", "-1", "5", "53", "0", "+2"]),
            st.sampled_from(["MO", "FR", "SU", "MO,TU", "XX"]),
        ),
        st.builds("UNTIL={}".format, st.sampled_from(["20261201", "00010101", "99991231", "x"])),
        st.sampled_from(["WKST=SU", "BYHOUR=9", "X-A=1", "", "FREQ=WEEKLY"]),
    ),
    max_size=4,
)
RULE_FORMS = st.one_of(
    st.builds("every {} {}".format, NUMBERS, UNITS),
    st.builds("monthly on day {}".format, st.integers(-40, 40)),
    st.builds("monthly on the {} {}".format, ORDINALS, st.one_of(WEEKDAYS, st.just("day"))),
    st.builds("weekly on {}".format, st.lists(WEEKDAYS, max_size=4).map(",".join)),
    st.builds(
        "{}FREQ={};{}".format,
        st.sampled_from(["", "RRULE:", "rrule:"]),
        st.sampled_from(["DAILY", "WEEKLY", "MONTHLY", "YEARLY", "HOURLY"]),
        RULE_PARTS.map(";".join),
    ),
)
OFFSETS = st.builds(
    lambda minutes: timezone(timedelta(minutes=minutes)), st.integers(-23 * 60 - 59, 23 * 60 + 59)
)
NOWS = st.one_of(
    st.datetimes(timezones=OFFSETS),
    st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=OFFSETS),
    st.sampled_from(
        [
            datetime(1, 1, 1, 0, 0, tzinfo=timezone(timedelta(hours=14))),
            datetime(9999, 12, 31, 23, 59, tzinfo=timezone(timedelta(hours=-12))),
            datetime(2026, 11, 23, 10, 0, tzinfo=timezone(timedelta(hours=9))),
        ]
    ),
)
STARTS = st.one_of(
    st.dates(),
    st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)),
    st.sampled_from([date(1, 1, 1), date(9999, 12, 31), date(9999, 1, 31), date(2026, 1, 31)]),
)
FUZZ = settings(max_examples=2500, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _when_or_refusal(text: str, now: datetime) -> None:
    try:
        moment = common.when(text, at=now)
    except BadInput as exc:
        assert exc.exit_code == 2 and exc.message and "\n" not in exc.message
        return
    assert isinstance(moment, datetime) and moment.utcoffset() is not None
    moment.astimezone(timezone.utc)  # what the store does with it
    try:
        common.day(text, at=now)
    except BadInput:
        pass


@FUZZ
@given(text=st.one_of(WHEN_FORMS, sentences(WHEN_WORDS)), now=NOWS)
@example(text="in 99999999999999999999 days", now=datetime(2026, 1, 1, tzinfo=timezone.utc))
@example(text="-99999999y", now=datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=14))))
@example(text="9999-12-31T23:59:59-23:59", now=datetime(2026, 1, 1, tzinfo=timezone.utc))
def test_when_words_give_a_moment_or_a_refusal(text: str, now: datetime) -> None:
    _when_or_refusal(text, now)


@settings(max_examples=1500, deadline=None)
@given(text=st.text(max_size=40), now=NOWS)
def test_when_any_text_gives_a_moment_or_a_refusal(text: str, now: datetime) -> None:
    _when_or_refusal(text, now)


def _rule_or_refusal(text: str, start: date) -> None:
    try:
        rule = parse_rule(text, start=start)
    except BadInput as exc:
        assert exc.exit_code == 2 and exc.message and "\n" not in exc.message
        return
    assert isinstance(rule, str) and rule
    assert describe_rule(rule)
    # What `promise --every` and then `done` do with it.
    try:
        first = schedule.first_due(rule, start)
    except BadInput:
        return
    assert first >= start
    after = schedule.advance(rule, start, first, first)
    assert after is None or after > first
    as_of = date.fromordinal(min(first.toordinal() + 40, date.max.toordinal()))
    assert schedule.missed(rule, first, as_of, start=start) >= 1


@FUZZ
@given(text=st.one_of(RULE_FORMS, sentences(RULE_WORDS)), start=STARTS)
@example(text="monthly on day 31", start=date(9999, 12, 31))
@example(text="FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", start=date(9999, 1, 1))
@example(text="every 1000 years", start=date(9000, 1, 1))
def test_rule_words_give_a_rule_or_a_refusal(text: str, start: date) -> None:
    _rule_or_refusal(text, start)


@settings(max_examples=1000, deadline=None)
@given(text=st.text(max_size=40), start=STARTS)
def test_rule_any_text_gives_a_rule_or_a_refusal(text: str, start: date) -> None:
    _rule_or_refusal(text, start)
