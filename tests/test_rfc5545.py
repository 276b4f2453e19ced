"""RFC 5545's own recurrence examples (section 3.8.5.3), as promises fall on them.

Every example there starts at 09:00 in America/New_York; promises fall on days,
so each is checked as the days it lists. The examples with an UNTIL in UTC are
the ones that tell whether UNTIL is read in local time: December 24 00:00 UTC
is still December 23 in New York.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from conftest import Run

from handoff_cli import schedule
from handoff_cli.rules import parse_rule

NEW_YORK = ZoneInfo("America/New_York")


def days(year: int, month: int, *numbers: int) -> list[date]:
    return [date(year, month, n) for n in numbers]


def span(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def every_other(first: date, last: date) -> list[date]:
    return span(first, last)[::2]


EVERY_OTHER_WEEK_MWF = (
    days(1997, 9, 1, 3, 5, 15, 17, 19, 29)
    + days(1997, 10, 1, 3, 13, 15, 17, 27, 29, 31)
    + days(1997, 11, 10, 12, 14, 24, 26, 28)
    + days(1997, 12, 8, 10, 12, 22)
)
JANUARIES = span(date(1998, 1, 1), date(1998, 1, 31)) + span(date(1999, 1, 1), date(1999, 1, 31))
JANUARIES += span(date(2000, 1, 1), date(2000, 1, 31))

# (what the RFC calls it, DTSTART's day, RRULE, the days it lists, whether that is all of them)
EXAMPLES = [
    ("Daily for 10 occurrences", date(1997, 9, 2), "FREQ=DAILY;COUNT=10",
     span(date(1997, 9, 2), date(1997, 9, 11)), True),
    ("Daily until December 24, 1997", date(1997, 9, 2), "FREQ=DAILY;UNTIL=19971224T000000Z",
     span(date(1997, 9, 2), date(1997, 12, 23)), True),
    ("Every other day - forever", date(1997, 9, 2), "FREQ=DAILY;INTERVAL=2",
     every_other(date(1997, 9, 2), date(1997, 12, 31)), False),
    ("Every 10 days, 5 occurrences", date(1997, 9, 2), "FREQ=DAILY;INTERVAL=10;COUNT=5",
     days(1997, 9, 2, 12, 22) + days(1997, 10, 2, 12), True),
    ("Every day in January, for 3 years", date(1998, 1, 1),
     "FREQ=YEARLY;UNTIL=20000131T140000Z;BYMONTH=1;BYDAY=SU,MO,TU,WE,TH,FR,SA", JANUARIES, True),
    ("Every day in January, for 3 years (daily)", date(1998, 1, 1),
     "FREQ=DAILY;UNTIL=20000131T140000Z;BYMONTH=1", JANUARIES, True),
    ("Weekly for 10 occurrences", date(1997, 9, 2), "FREQ=WEEKLY;COUNT=10",
     days(1997, 9, 2, 9, 16, 23, 30) + days(1997, 10, 7, 14, 21, 28) + days(1997, 11, 4), True),
    ("Weekly until December 24, 1997", date(1997, 9, 2), "FREQ=WEEKLY;UNTIL=19971224T000000Z",
     [date(1997, 9, 2) + timedelta(weeks=i) for i in range(17)], True),
    ("Every other week - forever", date(1997, 9, 2), "FREQ=WEEKLY;INTERVAL=2;WKST=SU",
     days(1997, 9, 2, 16, 30) + days(1997, 10, 14, 28) + days(1997, 11, 11, 25)
     + days(1997, 12, 9, 23) + days(1998, 1, 6, 20) + days(1998, 2, 3, 17), False),
    ("Weekly on Tuesday and Thursday for five weeks", date(1997, 9, 2),
     "FREQ=WEEKLY;UNTIL=19971007T000000Z;WKST=SU;BYDAY=TU,TH",
     days(1997, 9, 2, 4, 9, 11, 16, 18, 23, 25, 30) + days(1997, 10, 2), True),
    ("Weekly on Tuesday and Thursday for five weeks (count)", date(1997, 9, 2),
     "FREQ=WEEKLY;COUNT=10;WKST=SU;BYDAY=TU,TH",
     days(1997, 9, 2, 4, 9, 11, 16, 18, 23, 25, 30) + days(1997, 10, 2), True),
    ("Every other week on Monday, Wednesday, and Friday until December 24, 1997",
     date(1997, 9, 1), "FREQ=WEEKLY;INTERVAL=2;UNTIL=19971224T000000Z;WKST=SU;BYDAY=MO,WE,FR",
     EVERY_OTHER_WEEK_MWF, True),
    ("Every other week on Tuesday and Thursday, for 8 occurrences", date(1997, 9, 2),
     "FREQ=WEEKLY;INTERVAL=2;COUNT=8;WKST=SU;BYDAY=TU,TH",
     days(1997, 9, 2, 4, 16, 18, 30) + days(1997, 10, 2, 14, 16), True),
    ("Monthly on the first Friday for 10 occurrences", date(1997, 9, 5),
     "FREQ=MONTHLY;COUNT=10;BYDAY=1FR",
     [date(1997, 9, 5), date(1997, 10, 3), date(1997, 11, 7), date(1997, 12, 5),
      date(1998, 1, 2), date(1998, 2, 6), date(1998, 3, 6), date(1998, 4, 3),
      date(1998, 5, 1), date(1998, 6, 5)], True),
    ("Monthly on the first Friday until December 24, 1997", date(1997, 9, 5),
     "FREQ=MONTHLY;UNTIL=19971224T000000Z;BYDAY=1FR",
     [date(1997, 9, 5), date(1997, 10, 3), date(1997, 11, 7), date(1997, 12, 5)], True),
    ("Every other month on the first and last Sunday of the month for 10 occurrences",
     date(1997, 9, 7), "FREQ=MONTHLY;INTERVAL=2;COUNT=10;BYDAY=1SU,-1SU",
     days(1997, 9, 7, 28) + days(1997, 11, 2, 30) + days(1998, 1, 4, 25)
     + days(1998, 3, 1, 29) + days(1998, 5, 3, 31), True),
    ("Monthly on the second-to-last Monday of the month for 6 months", date(1997, 9, 22),
     "FREQ=MONTHLY;COUNT=6;BYDAY=-2MO",
     [date(1997, 9, 22), date(1997, 10, 20), date(1997, 11, 17), date(1997, 12, 22),
      date(1998, 1, 19), date(1998, 2, 16)], True),
    ("Monthly on the third-to-the-last day of the month, forever", date(1997, 9, 28),
     "FREQ=MONTHLY;BYMONTHDAY=-3",
     [date(1997, 9, 28), date(1997, 10, 29), date(1997, 11, 28), date(1997, 12, 29),
      date(1998, 1, 29), date(1998, 2, 26)], False),
    ("Monthly on the 2nd and 15th of the month for 10 occurrences", date(1997, 9, 2),
     "FREQ=MONTHLY;COUNT=10;BYMONTHDAY=2,15",
     days(1997, 9, 2, 15) + days(1997, 10, 2, 15) + days(1997, 11, 2, 15)
     + days(1997, 12, 2, 15) + days(1998, 1, 2, 15), True),
    ("Monthly on the first and last day of the month for 10 occurrences", date(1997, 9, 30),
     "FREQ=MONTHLY;COUNT=10;BYMONTHDAY=1,-1",
     days(1997, 9, 30) + days(1997, 10, 1, 31) + days(1997, 11, 1, 30) + days(1997, 12, 1, 31)
     + days(1998, 1, 1, 31) + days(1998, 2, 1), True),
    ("Every 18 months on the 10th thru 15th of the month for 10 occurrences", date(1997, 9, 10),
     "FREQ=MONTHLY;INTERVAL=18;COUNT=10;BYMONTHDAY=10,11,12,13,14,15",
     days(1997, 9, 10, 11, 12, 13, 14, 15) + days(1999, 3, 10, 11, 12, 13), True),
    ("Every Tuesday, every other month", date(1997, 9, 2), "FREQ=MONTHLY;INTERVAL=2;BYDAY=TU",
     days(1997, 9, 2, 9, 16, 23, 30) + days(1997, 11, 4, 11, 18, 25)
     + days(1998, 1, 6, 13, 20, 27) + days(1998, 3, 3, 10, 17, 24, 31), False),
    ("Yearly in June and July for 10 occurrences", date(1997, 6, 10),
     "FREQ=YEARLY;COUNT=10;BYMONTH=6,7",
     [date(y, m, 10) for y in range(1997, 2002) for m in (6, 7)], True),
    ("Every other year on January, February, and March for 10 occurrences", date(1997, 3, 10),
     "FREQ=YEARLY;INTERVAL=2;COUNT=10;BYMONTH=1,2,3",
     [date(1997, 3, 10)] + [date(y, m, 10) for y in (1999, 2001, 2003) for m in (1, 2, 3)], True),
    ("Every third year on the 1st, 100th, and 200th day for 10 occurrences", date(1997, 1, 1),
     "FREQ=YEARLY;INTERVAL=3;COUNT=10;BYYEARDAY=1,100,200",
     [date(1997, 1, 1), date(1997, 4, 10), date(1997, 7, 19), date(2000, 1, 1),
      date(2000, 4, 9), date(2000, 7, 18), date(2003, 1, 1), date(2003, 4, 10),
      date(2003, 7, 19), date(2006, 1, 1)], True),
    ("Every 20th Monday of the year, forever", date(1997, 5, 19), "FREQ=YEARLY;BYDAY=20MO",
     [date(1997, 5, 19), date(1998, 5, 18), date(1999, 5, 17)], False),
    ("Monday of week number 20, forever", date(1997, 5, 12), "FREQ=YEARLY;BYWEEKNO=20;BYDAY=MO",
     [date(1997, 5, 12), date(1998, 5, 11), date(1999, 5, 17)], False),
    ("Every Thursday in March, forever", date(1997, 3, 13), "FREQ=YEARLY;BYMONTH=3;BYDAY=TH",
     days(1997, 3, 13, 20, 27) + days(1998, 3, 5, 12, 19, 26) + days(1999, 3, 4, 11, 18, 25),
     False),
    ("Every Thursday, but only during June, July, and August, forever", date(1997, 6, 5),
     "FREQ=YEARLY;BYDAY=TH;BYMONTH=6,7,8",
     days(1997, 6, 5, 12, 19, 26) + days(1997, 7, 3, 10, 17, 24, 31)
     + days(1997, 8, 7, 14, 21, 28) + days(1998, 6, 4, 11, 18, 25)
     + days(1998, 7, 2, 9, 16, 23, 30) + days(1998, 8, 6, 13, 20, 27)
     + days(1999, 6, 3, 10, 17, 24) + days(1999, 7, 1, 8, 15, 22, 29)
     + days(1999, 8, 5, 12, 19, 26), False),
    ("Every Friday the 13th, forever", date(1997, 9, 2), "FREQ=MONTHLY;BYDAY=FR;BYMONTHDAY=13",
     [date(1998, 2, 13), date(1998, 3, 13), date(1998, 11, 13), date(1999, 8, 13),
      date(2000, 10, 13)], False),
    ("The first Saturday that follows the first Sunday of the month, forever", date(1997, 9, 13),
     "FREQ=MONTHLY;BYDAY=SA;BYMONTHDAY=7,8,9,10,11,12,13",
     [date(1997, 9, 13), date(1997, 10, 11), date(1997, 11, 8), date(1997, 12, 13),
      date(1998, 1, 10), date(1998, 2, 7), date(1998, 3, 7), date(1998, 4, 11),
      date(1998, 5, 9), date(1998, 6, 13)], False),
    ("U.S. Presidential Election day", date(1996, 11, 5),
     "FREQ=YEARLY;INTERVAL=4;BYMONTH=11;BYDAY=TU;BYMONTHDAY=2,3,4,5,6,7,8",
     [date(1996, 11, 5), date(2000, 11, 7), date(2004, 11, 2)], False),
    ("The third instance into the month of one of Tuesday, Wednesday, or Thursday",
     date(1997, 9, 4), "FREQ=MONTHLY;COUNT=3;BYDAY=TU,WE,TH;BYSETPOS=3",
     [date(1997, 9, 4), date(1997, 10, 7), date(1997, 11, 6)], True),
    ("The second-to-last weekday of the month", date(1997, 9, 29),
     "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-2",
     [date(1997, 9, 29), date(1997, 10, 30), date(1997, 11, 27), date(1997, 12, 30),
      date(1998, 1, 29), date(1998, 2, 26), date(1998, 3, 30)], False),
    ("The days generated make a difference because of WKST (MO)", date(1997, 8, 5),
     "FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=MO", days(1997, 8, 5, 10, 19, 24), True),
    ("The days generated make a difference because of WKST (SU)", date(1997, 8, 5),
     "FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=SU", days(1997, 8, 5, 17, 19, 31), True),
    ("An invalid date (February 30) is ignored", date(2007, 1, 15),
     "FREQ=MONTHLY;BYMONTHDAY=15,30;COUNT=5",
     days(2007, 1, 15, 30) + days(2007, 2, 15) + days(2007, 3, 15, 30), True),
]  # fmt: skip


@pytest.mark.parametrize(
    ("title", "start", "text", "listed", "complete"), EXAMPLES, ids=[e[0] for e in EXAMPLES]
)
def test_the_rfc_examples_fall_on_the_days_it_lists(
    title: str, start: date, text: str, listed: list[date], complete: bool
) -> None:
    rule = parse_rule(text, start=start, zone=NEW_YORK)
    end = listed[-1] + timedelta(days=3650 if complete else 0)
    found = schedule.occurrences_between(rule, start, start, end)
    assert found == listed, title
    assert schedule.count_between(rule, start, start, end) == len(listed)
    # The same days, asked one at a time as `done` does: each one's next.
    day = schedule.first_due(rule, start)
    for expected in listed[1:]:
        day = schedule._series(rule, start).first_from(day + timedelta(days=1))
        assert day == expected, title


def test_an_until_in_utc_is_the_day_it_falls_on_where_due_dates_are_counted() -> None:
    text = "FREQ=WEEKLY;INTERVAL=2;UNTIL=19971224T000000Z;WKST=SU;BYDAY=MO,WE,FR"
    start = date(1997, 9, 1)
    # Dec 24 00:00 UTC is Dec 23 19:00 in New York: the Wednesday the 24th is not one.
    in_new_york = parse_rule(text, start=start, zone=NEW_YORK)
    assert in_new_york.endswith("UNTIL=19971223")
    assert len(schedule.occurrences_between(in_new_york, start, start, date(1998, 12, 31))) == 25
    # ... and Dec 24 09:00 in Tokyo: there the 24th is.
    in_tokyo = parse_rule(text, start=start, zone=ZoneInfo("Asia/Tokyo"))
    assert in_tokyo.endswith("UNTIL=19971224")
    assert len(schedule.occurrences_between(in_tokyo, start, start, date(1998, 12, 31))) == 26
    # An UNTIL with no Z is a local time already; a bare date is that day.
    assert parse_rule("FREQ=DAILY;UNTIL=19971224T000000", start=start, zone=NEW_YORK).endswith(
        "UNTIL=19971224"
    )
    assert parse_rule("FREQ=DAILY;UNTIL=19971224", start=start, zone=NEW_YORK).endswith(
        "UNTIL=19971224"
    )


def test_without_a_zone_the_until_is_read_in_this_machines_local_time() -> None:
    # conftest pins TZ=Asia/Tokyo: 15:00 UTC on Dec 31 is already Jan 1 there.
    rule = parse_rule("FREQ=DAILY;UNTIL=20261231T150000Z", start=date(2026, 12, 1))
    assert rule == "FREQ=DAILY;UNTIL=20270101"


def test_an_until_out_of_the_calendar_once_in_local_time_is_refused() -> None:
    from handoff_cli.errors import BadInput

    with pytest.raises(BadInput, match="UNTIL is out of range"):
        parse_rule("FREQ=DAILY;UNTIL=00010101T000000Z", start=date(1, 1, 1), zone=NEW_YORK)


# --------------------------------------------------------------------------- through the CLI


@pytest.fixture
def in_new_york(monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    monkeypatch.setenv("TZ", "America/New_York")
    monkeypatch.setenv("HANDOFF_NOW", "1997-08-25T10:00:00-04:00")
    time.tzset()


@pytest.mark.usefixtures("in_new_york")
def test_a_promise_with_the_rfc_rule_ends_where_the_rfc_says_in_its_calendar_too(
    run: Run, tmp_path: Path
) -> None:
    import icalendar
    import recurring_ical_events

    rule = "FREQ=WEEKLY;INTERVAL=2;UNTIL=19971224T000000Z;WKST=SU;BYDAY=MO,WE,FR"
    made = run("promise", "Acme", "Status call", "--start", "1997-09-01", "--every", rule, "--json")
    assert made.exit_code == 0, made.stderr
    assert made.json()["rule"].endswith("UNTIL=19971223")
    out = tmp_path / "promises.ics"
    assert run("export", "--format", "ics", "-o", str(out)).exit_code == 0
    calendar = icalendar.Calendar.from_ical(out.read_bytes())
    (event,) = calendar.walk("VEVENT")
    assert "UNTIL=19971223" in event["RRULE"].to_ical().decode()
    expanded = recurring_ical_events.of(calendar).between(date(1997, 1, 1), date(1999, 1, 1))
    assert sorted(e["DTSTART"].dt for e in expanded) == EVERY_OTHER_WEEK_MWF
