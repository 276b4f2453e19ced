"""The arithmetic of utctext.py gives the text datetime gives (issue 14: a first sync
writes three such times for each of a million notes)."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

from hypothesis import example, given
from hypothesis import strategies as st

from handoff_cli.utctext import clock_time, seconds_text, utc_iso

offsets = st.one_of(
    st.integers(-1439, 1439).map(lambda m: timezone(timedelta(minutes=m))),
    st.timedeltas(-timedelta(hours=23, minutes=59), timedelta(hours=23, minutes=59)).map(timezone),
)
moments = st.datetimes(datetime(1, 1, 2), datetime(9999, 12, 30), timezones=offsets)


@given(moments)
@example(datetime(1969, 12, 31, 23, 59, 59, 999999, tzinfo=timezone.utc))
@example(datetime(1970, 1, 1, 8, 59, 59, 999999, tzinfo=timezone(timedelta(hours=9))))
@example(datetime(2999, 12, 31, 23, 59, 59, tzinfo=timezone(timedelta(hours=-14))))
def test_utc_iso_is_datetimes(moment: datetime) -> None:
    try:
        expected = moment.astimezone(timezone.utc).isoformat(timespec="seconds")
    except OverflowError:
        return  # a moment whose UTC time is outside datetime's years
    assert utc_iso(moment) == expected


@given(st.datetimes(datetime(1900, 1, 1), datetime(2999, 12, 31)))
def test_utc_iso_of_a_local_time_is_datetimes(moment: datetime) -> None:
    assert utc_iso(moment) == moment.astimezone(timezone.utc).isoformat(timespec="seconds")


@given(st.integers(0, 9_999_999_999_999), st.integers(0, 9999))
@example(0, 0)
@example(86_399_999, 1)
@example(9_999_999_999_999, 9999)
def test_clock_time_is_gmtime(ms: int, counter: int) -> None:
    expected = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(ms // 1000))
    assert clock_time(f"{ms:013d}-{counter:04d}") == expected


digits = st.text("0123456789", min_size=2, max_size=2)


@given(
    st.text("0123456789", min_size=4, max_size=4), digits, digits, digits, digits, digits,
    st.sampled_from("+-"), digits, digits,
)  # fmt: skip
@example("2026", "11", "26", "09", "00", "00", "-", "00", "00")
@example("2026", "11", "26", "09", "00", "00", "+", "05", "60")
def test_seconds_text_of_a_written_moment_is_datetimes(
    year: str, month: str, day: str, h: str, m: str, s: str, sign: str, oh: str, om: str
) -> None:
    text = f"{year}-{month}-{day}T{h}:{m}:{s}{sign}{oh}:{om}"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return  # not a moment: the record check refuses it before this is reached
    assert seconds_text(text, moment) == moment.isoformat(timespec="seconds")


@given(moments, st.sampled_from(["seconds", "microseconds", "minutes", "auto"]))
def test_seconds_text_of_any_form_is_datetimes(moment: datetime, spec: str) -> None:
    text = moment.isoformat(timespec=spec)
    read = datetime.fromisoformat(text)
    assert seconds_text(text, read) == read.isoformat(timespec="seconds")
    zulu = text.replace("+00:00", "Z")
    assert seconds_text(zulu, read) == read.isoformat(timespec="seconds")
