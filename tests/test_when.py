"""Tests for handoff_cli.when: every form of WHEN, refusals, and fuzzing."""

from __future__ import annotations

import subprocess
import sys
from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from handoff_cli.errors import BAD_INPUT, BadInput
from handoff_cli.when import WHEN_EXAMPLES, parse_bound, parse_day, parse_when

JST = timezone(timedelta(hours=9))
UTC = timezone.utc
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=JST)  # a Monday


def at(y: int, mo: int, d: int, h: int = 10, mi: int = 0, tz: timezone = JST) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=tz)


CASES = [
    # ISO dates and date-times
    ("2026-12-01", at(2026, 12, 1, 12)),  # a date alone is noon local
    ("2026-12-01T15:30", at(2026, 12, 1, 15, 30)),
    ("2026-12-01 15:30", at(2026, 12, 1, 15, 30)),
    ("2026-12-01t15:30", at(2026, 12, 1, 15, 30)),
    ("2026-12-01T15:30:45", datetime(2026, 12, 1, 15, 30, 45, tzinfo=JST)),
    ("2026-12-01T15:30:45.25", datetime(2026, 12, 1, 15, 30, 45, 250000, tzinfo=JST)),
    ("2026-12-01T15:30:00+09:00", at(2026, 12, 1, 15, 30)),
    ("2026-12-01T15:30:00-05:00", at(2026, 12, 1, 15, 30, timezone(timedelta(hours=-5)))),
    ("2026-12-01T15:30+0530", at(2026, 12, 1, 15, 30, timezone(timedelta(hours=5, minutes=30)))),
    ("2026-12-01T15:30+05", at(2026, 12, 1, 15, 30, timezone(timedelta(hours=5)))),
    ("2026-12-01T06:30:00Z", at(2026, 12, 1, 6, 30, UTC)),
    ("2026-12-01t06:30z", at(2026, 12, 1, 6, 30, UTC)),
    ("2028-02-29", at(2028, 2, 29, 12)),  # leap day
    ("2026-12-01 9:30", at(2026, 12, 1, 9, 30)),
    ("2026-12-01 3pm", at(2026, 12, 1, 15)),
    ("2026-12-01 at 15:00", at(2026, 12, 1, 15)),
    # words keep now's time of day
    ("now", NOW),
    ("today", NOW),
    ("yesterday", at(2026, 11, 22)),
    ("tomorrow", at(2026, 11, 24)),
    ("  TOMORROW  ", at(2026, 11, 24)),
    # weekdays: strictly after today; today is Monday
    ("mon", at(2026, 11, 30)),
    ("monday", at(2026, 11, 30)),
    ("tue", at(2026, 11, 24)),
    ("tues", at(2026, 11, 24)),
    ("tuesday", at(2026, 11, 24)),
    ("wed", at(2026, 11, 25)),
    ("wednesday", at(2026, 11, 25)),
    ("thu", at(2026, 11, 26)),
    ("thur", at(2026, 11, 26)),
    ("thurs", at(2026, 11, 26)),
    ("thursday", at(2026, 11, 26)),
    ("fri", at(2026, 11, 27)),
    ("Friday", at(2026, 11, 27)),
    ("sat", at(2026, 11, 28)),
    ("saturday", at(2026, 11, 28)),
    ("sun", at(2026, 11, 29)),
    ("sunday", at(2026, 11, 29)),
    ("next fri", at(2026, 11, 27)),
    ("next mon", at(2026, 11, 30)),
    ("next   MON", at(2026, 11, 30)),
    ("last fri", at(2026, 11, 20)),
    ("last sun", at(2026, 11, 22)),
    ("last mon", at(2026, 11, 16)),  # strictly before today
    # relative words
    ("in 3 days", at(2026, 11, 26)),
    ("in 1 day", at(2026, 11, 24)),
    ("in 2 weeks", at(2026, 12, 7)),
    ("in a week", at(2026, 11, 30)),
    ("in 1 month", at(2026, 12, 23)),
    ("in 2 months", at(2027, 1, 23)),
    ("in 1 year", at(2027, 11, 23)),
    ("in 2 hours", at(2026, 11, 23, 12)),
    ("in an hour", at(2026, 11, 23, 11)),
    ("in 90 minutes", at(2026, 11, 23, 11, 30)),
    ("in 0 days", NOW),
    ("3 days ago", at(2026, 11, 20)),
    ("2 weeks ago", at(2026, 11, 9)),
    ("a week ago", at(2026, 11, 16)),
    ("1 month ago", at(2026, 10, 23)),
    ("11 months ago", at(2025, 12, 23)),
    ("2 years ago", at(2024, 11, 23)),
    ("an hour ago", at(2026, 11, 23, 9)),
    ("15 minutes ago", at(2026, 11, 23, 9, 45)),
    ("12 hours ago", at(2026, 11, 22, 22)),
    # signed short forms
    ("+2w", at(2026, 12, 7)),
    ("-1d", at(2026, 11, 22)),
    ("+3d", at(2026, 11, 26)),
    ("+1m", at(2026, 12, 23)),
    ("-1m", at(2026, 10, 23)),
    ("+1y", at(2027, 11, 23)),
    ("+2h", at(2026, 11, 23, 12)),
    ("-2H", at(2026, 11, 23, 8)),
    # a day form followed by a time
    ("yesterday 15:00", at(2026, 11, 22, 15)),
    ("fri 9:30", at(2026, 11, 27, 9, 30)),
    ("tomorrow 9am", at(2026, 11, 24, 9)),
    ("tomorrow 3pm", at(2026, 11, 24, 15)),
    ("tomorrow 3 PM", at(2026, 11, 24, 15)),
    ("tomorrow at 9:15am", at(2026, 11, 24, 9, 15)),
    ("tomorrow\t\n 9am", at(2026, 11, 24, 9)),
    ("today 14:05", at(2026, 11, 23, 14, 5)),
    ("today 12am", at(2026, 11, 23, 0)),
    ("today 12pm", at(2026, 11, 23, 12)),
    ("today 12:30am", at(2026, 11, 23, 0, 30)),
    ("today 0:00", at(2026, 11, 23, 0)),
    ("today 23:59", at(2026, 11, 23, 23, 59)),
    ("next fri 9am", at(2026, 11, 27, 9)),
    ("last mon 17:00", at(2026, 11, 16, 17)),
    ("in 3 days 9:00", at(2026, 11, 26, 9)),
    ("2 weeks ago 8pm", at(2026, 11, 9, 20)),
    ("+2w 17:45", at(2026, 12, 7, 17, 45)),
    ("-1d at 11pm", at(2026, 11, 22, 23)),
    # a time alone means today
    ("15:00", at(2026, 11, 23, 15)),
    ("9am", at(2026, 11, 23, 9)),
    ("at 9:30", at(2026, 11, 23, 9, 30)),
    # dates as people type them: noon, like an ISO date
    ("2026/12/01", at(2026, 12, 1, 12)),
    ("2026/12/1", at(2026, 12, 1, 12)),
    ("2027/1/5", at(2027, 1, 5, 12)),
    ("12/1", at(2026, 12, 1, 12)),
    ("12/01", at(2026, 12, 1, 12)),
    ("Dec 1", at(2026, 12, 1, 12)),
    ("dec. 1", at(2026, 12, 1, 12)),
    ("1 Dec", at(2026, 12, 1, 12)),
    ("December 1st", at(2026, 12, 1, 12)),
    ("1st December", at(2026, 12, 1, 12)),
    ("Sept 22nd", at(2026, 9, 22, 12)),  # two months ago
    ("Nov 3rd", at(2026, 11, 3, 12)),
    ("Nov 11th", at(2026, 11, 11, 12)),
    ("Dec 1 2027", at(2027, 12, 1, 12)),
    ("Dec 1, 2025", at(2025, 12, 1, 12)),
    ("1 Dec 2027", at(2027, 12, 1, 12)),
    ("12月1日", at(2026, 12, 1, 12)),
    ("2027年1月5日", at(2027, 1, 5, 12)),
    ("２０２６／１２／０１", at(2026, 12, 1, 12)),  # full-width, as a Japanese IME types it
    # ... followed by a time
    ("2026/12/01 15:30", at(2026, 12, 1, 15, 30)),
    ("12/1 9am", at(2026, 12, 1, 9)),
    ("Dec 1 at 3pm", at(2026, 12, 1, 15)),
    ("12月1日 10:00", at(2026, 12, 1, 10)),
    # without a year: the nearest such day, back or ahead
    ("11/20", at(2026, 11, 20, 12)),  # three days ago
    ("1/5", at(2027, 1, 5, 12)),  # in six weeks, not eleven months ago
    ("5/27", at(2026, 5, 27, 12)),  # 180 days ago rather than 185 ahead
    ("5/20", at(2027, 5, 20, 12)),  # 178 days ahead rather than 187 ago
    # end of month, and the Japanese words; these keep now's time, like "today"
    ("end of month", at(2026, 11, 30)),
    ("End of the month", at(2026, 11, 30)),
    ("end of month 17:00", at(2026, 11, 30, 17)),
    ("今日", NOW),
    ("明日", at(2026, 11, 24)),
    ("昨日", at(2026, 11, 22)),
    ("明後日", at(2026, 11, 25)),
    ("一昨日", at(2026, 11, 21)),
    ("月末", at(2026, 11, 30)),
    ("明日 15:00", at(2026, 11, 24, 15)),
    ("明日　１５：００", at(2026, 11, 24, 15)),  # an ideographic space and full-width digits
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_parse_when(text: str, expected: datetime) -> None:
    result = parse_when(text, now=NOW)
    assert result == expected
    assert result.utcoffset() == expected.utcoffset()


@pytest.mark.parametrize(
    ("now", "text", "expected"),
    [
        # month arithmetic clamps to the month's end
        (at(2026, 1, 31), "+1m", at(2026, 2, 28)),
        (at(2028, 1, 31), "in 1 month", at(2028, 2, 29)),
        (at(2026, 3, 31), "-1m", at(2026, 2, 28)),
        (at(2026, 3, 31), "1 month ago 9am", at(2026, 2, 28, 9)),
        (at(2026, 5, 31), "+1m", at(2026, 6, 30)),
        (at(2026, 12, 31), "+2m", at(2027, 2, 28)),
        (at(2026, 1, 15), "-13m", at(2024, 12, 15)),
        (at(2028, 2, 29), "+1y", at(2029, 2, 28)),
        (at(2028, 2, 29), "1 year ago", at(2027, 2, 28)),
        (at(2028, 2, 29), "in 4 years", at(2032, 2, 29)),
        (at(2028, 2, 28), "+1d", at(2028, 2, 29)),
        # weekdays when today is that weekday
        (at(2026, 11, 27), "fri", at(2026, 12, 4)),
        (at(2026, 11, 27), "next fri", at(2026, 12, 4)),
        (at(2026, 11, 27), "last fri", at(2026, 11, 20)),
        (at(2026, 11, 27), "sat", at(2026, 11, 28)),
        (at(2026, 11, 27), "last thu", at(2026, 11, 26)),
        # end of month in February, leap year or not, and on its last day
        (at(2026, 2, 10), "end of month", at(2026, 2, 28)),
        (at(2028, 2, 10), "月末", at(2028, 2, 29)),
        (at(2026, 12, 31), "end of month", at(2026, 12, 31)),
        # a yearless date near the turn of the year
        (at(2026, 12, 28), "1/5", at(2027, 1, 5, 12)),
        (at(2027, 1, 3), "Dec 28", at(2026, 12, 28, 12)),
        (at(2026, 6, 1), "12/1", at(2025, 12, 1, 12)),  # 182 days ago rather than 183 ahead
        (at(2028, 6, 1), "12/1", at(2028, 12, 1, 12)),  # 183 days either way: ahead wins
        (at(2027, 11, 23), "Feb 29", at(2028, 2, 29, 12)),  # the nearest that exists
        # a naive ISO date-time takes now's offset, whatever it is
        (at(2026, 11, 23, tz=UTC), "2026-12-01T15:30", at(2026, 12, 1, 15, 30, UTC)),
    ],
)
def test_parse_when_other_now(now: datetime, text: str, expected: datetime) -> None:
    result = parse_when(text, now=now)
    assert result == expected
    assert result.utcoffset() == expected.utcoffset()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("today", date(2026, 11, 23)),
        ("fri", date(2026, 11, 27)),
        ("2026-12-01", date(2026, 12, 1)),
        ("2026-12-01T23:30:00Z", date(2026, 12, 2)),  # 08:30 on the 2nd in +09:00
        ("2026-12-01T14:59:00Z", date(2026, 12, 1)),
        ("2026-12-01T00:30-05:00", date(2026, 12, 1)),  # 14:30 in +09:00
        ("2026-12-01T20:00-05:00", date(2026, 12, 2)),
        ("in 2 weeks", date(2026, 12, 7)),
        ("15 hours ago", date(2026, 11, 22)),
    ],
)
def test_parse_day(text: str, expected: date) -> None:
    assert parse_day(text, now=NOW) == expected


def test_date_alone_keeps_its_day_across_nearby_offsets() -> None:
    for hours in range(-11, 12):
        now = datetime(2026, 11, 23, 10, tzinfo=timezone(timedelta(hours=hours)))
        assert parse_day("2026-12-01", now=now) == date(2026, 12, 1)


REFUSED = [
    "",
    "   ",
    "\n",
    "someday",
    "soon",
    "0000-01-01",
    "2026-1-5",
    "20261201",
    "2026-12-01T24:00",
    "2026-12-01T15:60",
    "2026-12-01T15:30:61",
    "2026-12-01T15:30+24:00",
    "2026-12-01T15:30+09:60",
    "2026-12-01T15:30 +09:00",
    "2026-12-01 25:00",
    "tomorrow 25:00",
    "tomorrow 12:60",
    "tomorrow 13pm",
    "tomorrow 0am",
    "tomorrow 9",
    "tomorrow at",
    "at",
    "9",
    "in 999999999 days",
    "in 99999999999999999999 days",
    "999999999 years ago",
    "in 99999999 months",
    "+99999999999999999999d",
    "-9999999w",
    "+99999999999h",
    "in " + "9" * 5000 + " days",
    "2w",
    "+2",
    "+2x",
    "+ 2d",
    "+2min",
    "in 3",
    "3 days",
    "in -3 days",
    "in three days",
    "in 2 hours 15:00",
    "+2h 9:00",
    "now 15:00",
    "next",
    "last",
    "next week",
    "this fri",
    "fri fri",
    "fri next",
    "fr",
    "yesterday tomorrow",
    "today today",
    "day after tomorrow",
    "in 3 days ago",
    "fri\x00",
    "٣ days ago",  # only ASCII digits
    "tomorrow 9 am pm",
    "2026/12",
    "12/1/2026",  # month/day/year or day/month/year: ambiguous
    "1/12/1",
    "2026/123/1",
    "dec",
    "decem 1",
    "1nd Dec",
    "Dec 2st",
    "Dec 1 26",
    "Dec 1 2026 2027",
    "Dec Dec 1",
    "12月",
    "1日",
    "月末 月末",
    "end of",
    "end of week",
    "明日明日",
]


@pytest.mark.parametrize("text", REFUSED)
def test_refused(text: str) -> None:
    with pytest.raises(BadInput) as caught:
        parse_when(text, now=NOW)
    assert caught.value.exit_code == BAD_INPUT
    message = caught.value.message
    assert message.startswith("cannot understand date '")
    assert WHEN_EXAMPLES in message
    assert len(message.splitlines()) == 1


NO_SUCH_DAY = [
    ("2026-02-30", "February 2026 has no 30th"),
    ("2026-02-29", "February 2026 has no 29th"),  # not a leap year
    ("2026-02-29T10:00", "February 2026 has no 29th"),
    ("2026-04-31 9am", "April 2026 has no 31st"),
    ("2026/02/30", "February 2026 has no 30th"),
    ("2026年2月30日", "February 2026 has no 30th"),
    ("Feb 30", "February has no 30th"),
    ("30 Feb", "February has no 30th"),
    ("Feb 29 2026", "February 2026 has no 29th"),
    ("2/29", "February 2026 has no 29th"),  # no leap year within a year either way
    ("June 31st", "June has no 31st"),
    ("Nov 32", "November has no 32nd"),
    ("11/31", "November has no 31st"),
    ("2026-13-01", "there is no month 13"),
    ("13/1", "there is no month 13"),
    ("2026-00-10", "there is no month 0"),
    ("2026-12-00", "there is no day 0"),
    ("Dec 0", "there is no day 0"),
]


@pytest.mark.parametrize(("text", "why"), NO_SUCH_DAY)
def test_a_day_that_does_not_exist_is_named(text: str, why: str) -> None:
    with pytest.raises(BadInput) as caught:
        parse_when(text, now=NOW)
    assert caught.value.exit_code == BAD_INPUT
    assert caught.value.message == f"there is no such day as '{text}': {why}"


def test_refusal_echo_is_one_short_line() -> None:
    text = "next\nfri\x1b[31m\u2028" + "x" * 100
    with pytest.raises(BadInput) as caught:
        parse_when(text, now=NOW)
    message = caught.value.message
    assert len(message.splitlines()) == 1
    assert "\x1b" not in message
    assert "x" * 41 not in message


def test_parse_day_refuses_a_day_out_of_range() -> None:
    with pytest.raises(BadInput):
        parse_day("9999-12-31T23:00Z", now=NOW)


def test_when_examples_all_parse() -> None:
    assert "\n" not in WHEN_EXAMPLES
    for example in WHEN_EXAMPLES.split(", "):
        parse_when(example, now=NOW)


def test_naive_now_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="aware"):
        parse_when("today", now=datetime(2026, 11, 23, 10))


def test_import_is_cheap() -> None:
    code = "import sys, handoff_cli.when; print('dateutil' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def _check(text: str) -> None:
    try:
        result = parse_when(text, now=NOW)
    except BadInput as error:
        assert len(error.message.splitlines()) == 1
        assert error.message.startswith(("cannot understand date '", "there is no such day as '"))
        return
    assert result.tzinfo is not None
    assert result.utcoffset() is not None


@settings(max_examples=2000)
@given(st.text())
def test_any_text_parses_or_is_refused(text: str) -> None:
    _check(text)


VOCABULARY = [
    *"now today yesterday tomorrow in ago a an at next last this am pm z t".split(),
    *"mon monday tue tues wed thu thur thurs fri friday sat sun sunday".split(),
    *"day days week weeks month months year years hour hours minute minutes".split(),
    *"+ - : . d w m y h +2w -1d +1m -1y +2h 9am 12pm 0am 13pm 3".split(),
    *"15:00 9:30 23:59 24:00 12:60 2026-12-01 2028-02-29 2026-02-30 0001-01-01".split(),
    *"9999-12-31 2026-12-01T15:30 2026-12-01T15:30:00+09:00 9999-12-31T23:59Z".split(),
    *"/ 2026/12/01 12/1 2/29 13/1 0/0 dec december feb 1st 29th , of end".split(),
    *"今日 明日 月末 月 日 年".split(),
    "\n",
    "\x00",
]
TOKENS = st.one_of(
    st.sampled_from(VOCABULARY),
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
    st.integers(min_value=0, max_value=10**12).map(lambda n: f"+{n}"),
)
TOKEN_SOUP = st.builds(
    str.join,
    st.sampled_from([" ", "", "  ", "\t"]),
    st.lists(TOKENS, min_size=1, max_size=6),
)
# Phrases shaped like the grammar (with some wrong parts), so many parse and reach deep paths.
NUMBERS = st.one_of(
    st.sampled_from(["a", "an", "0", "1", "12", "31"]),
    st.integers(min_value=0, max_value=400).map(str),
    st.integers(min_value=0, max_value=10**20).map(str),
)
UNITS = st.sampled_from(["day", "days", "weeks", "month", "years", "hour", "minutes", "d"])
TIMES = st.sampled_from(["", "", "9am", "12pm", "at 3 pm", "15:00", "0:00", "12:60", "0am", "9"])
PHRASES = st.builds(
    lambda head, time: f"{head} {time}",
    st.one_of(
        st.builds("in {} {}".format, NUMBERS, UNITS),
        st.builds("{} {} ago".format, NUMBERS, UNITS),
        st.builds(
            "{}{}{}".format,
            st.sampled_from(["+", "-", ""]),
            NUMBERS,
            st.sampled_from(["d", "w", "m", "y", "h", "x"]),
        ),
        st.builds(
            "{} {}".format,
            st.sampled_from(["", "next", "last"]),
            st.sampled_from(["fri", "mon", "thurs", "today", "now", "2026-01-31", "2028-02-29"]),
        ),
    ),
    TIMES,
)


@settings(max_examples=2000)
@given(
    st.one_of(PHRASES, TOKEN_SOUP),
    st.sampled_from(
        [NOW, at(2028, 2, 29, 23, 59), at(1, 1, 1, 0, 0, UTC), at(9999, 12, 31, 23, 59)]
    ),
)
def test_grammar_words_parse_or_are_refused(text: str, now: datetime) -> None:
    try:
        result = parse_when(text, now=now)
    except BadInput as error:
        assert len(error.message.splitlines()) == 1
    else:
        assert result.utcoffset() is not None
    try:
        parse_day(text, now=now)
    except BadInput as error:
        assert len(error.message.splitlines()) == 1


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        # a day form means the whole day
        ("2026-11-16", at(2026, 11, 16, 0), at(2026, 11, 17, 0)),
        ("2026/11/16", at(2026, 11, 16, 0), at(2026, 11, 17, 0)),
        ("today", at(2026, 11, 23, 0), at(2026, 11, 24, 0)),
        ("last fri", at(2026, 11, 20, 0), at(2026, 11, 21, 0)),
        ("2 weeks ago", at(2026, 11, 9, 0), at(2026, 11, 10, 0)),
        ("月末", at(2026, 11, 30, 0), at(2026, 12, 1, 0)),
        # a time means that moment (an end includes it)
        ("yesterday 15:00", at(2026, 11, 22, 15), datetime(2026, 11, 22, 15, 0, 1, tzinfo=JST)),
        ("3 hours ago", at(2026, 11, 23, 7), datetime(2026, 11, 23, 7, 0, 1, tzinfo=JST)),
        ("now", NOW, NOW + timedelta(seconds=1)),
    ],
)
def test_parse_bound(text: str, start: datetime, end: datetime) -> None:
    assert parse_bound(text, now=NOW) == start
    assert parse_bound(text, now=NOW, end=True) == end


@pytest.mark.parametrize("text", ["someday", "2026-02-30", "9999-12-31"])
def test_parse_bound_refusals(text: str) -> None:
    with pytest.raises(BadInput):
        parse_bound(text, now=NOW, end=True)
