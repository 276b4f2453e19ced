"""coverage.py and legacy.py as plain functions, with a fixed as-of day: what a completion
covers, the next due date, what is missed, what pauses excuse, and the first version's data."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest

from handoff_cli import coverage, legacy
from handoff_cli.coverage import Mark, NothingDue, PauseEvent, Plan
from handoff_cli.errors import BadInput

D = date.fromisoformat
MONTHLY_23 = "FREQ=MONTHLY;BYMONTHDAY=23"
WEEKLY_MON = "FREQ=WEEKLY;BYDAY=MO"
WEEKLY = "FREQ=WEEKLY;BYDAY=MO"  # with --after-done the day of the week does not matter
DAILY = "FREQ=DAILY"
REPORT = Plan(MONTHLY_23, D("2026-09-23"))  # story 1: Sep 23 and Oct 23 overdue on Nov 23
AS_OF = D("2026-11-23")


def mark(uuid: str, *covers: str, day: str = "2026-11-23", kind: str = "done", n: int = 1) -> Mark:
    return Mark(uuid, kind, D(day), tuple(D(c) for c in covers), f"{n:04d}@me")


def days(*texts: str) -> tuple[date, ...]:
    return tuple(D(t) for t in texts)


# ------------------------------------------------------------------ next due


def test_the_next_due_is_the_earliest_occurrence_nobody_covered() -> None:
    assert coverage.next_due(REPORT, [], []) == D("2026-09-23")
    sep = mark("a", "2026-09-23")
    nov = mark("b", "2026-11-23")
    assert coverage.next_due(REPORT, [sep], []) == D("2026-10-23")
    assert coverage.next_due(REPORT, [nov], []) == D("2026-09-23")  # a gap stays owed
    assert coverage.next_due(REPORT, [sep, nov], []) == D("2026-10-23")


def test_marks_are_a_set_two_of_one_occurrence_count_once_in_any_order() -> None:
    marks = [
        mark("a", "2026-09-23", "2026-10-23", "2026-11-23", n=1),
        mark("b", "2026-09-23", "2026-10-23", "2026-11-23", n=2),  # a colleague's
        mark("c", "2026-11-23", n=3),  # a second device
    ]
    for order in itertools.permutations(marks):
        assert coverage.next_due(REPORT, list(order), []) == D("2026-12-23")


def test_a_rule_change_floor_counts_what_the_old_rule_had_covered() -> None:
    weds = Plan("FREQ=WEEKLY;BYDAY=WE", D("2026-11-02"), covered_through=D("2026-11-23"))
    assert coverage.next_due(weds, [], []) == D("2026-11-25")
    # A floor before the start changes nothing.
    early = Plan(MONTHLY_23, D("2026-09-23"), covered_through=D("2026-01-01"))
    assert coverage.next_due(early, [], []) == D("2026-09-23")


def test_a_finished_series_and_a_kept_one_off_owe_nothing() -> None:
    twice = Plan("FREQ=MONTHLY;BYMONTHDAY=23;COUNT=2", D("2026-09-23"))
    both = mark("a", "2026-09-23", "2026-10-23")
    assert coverage.next_due(twice, [both], []) is None
    one_off = Plan(None, D("2026-11-27"))
    assert coverage.next_due(one_off, [], []) == D("2026-11-27")
    assert coverage.next_due(one_off, [mark("a", "2026-11-27")], []) is None


def test_a_one_off_made_from_a_recurring_promise_is_not_kept_by_the_old_completions() -> None:
    """`modify --due` on a weekly call that was done: the old dones covered the weeks, not the
    new deadline (its marks cover the one-off's own day when it is kept)."""
    one_off = Plan(None, D("2026-11-27"))
    weeks = mark("a", "2026-11-02", "2026-11-09", "2026-11-16", "2026-11-23")
    assert coverage.next_due(one_off, [weeks], []) == D("2026-11-27")
    assert coverage.covers_for_done(one_off, [weeks], [], day=AS_OF) == days("2026-11-27")
    kept = mark("b", "2026-11-27")
    assert coverage.next_due(one_off, [weeks, kept], []) is None


def test_a_long_covered_run_does_not_end_a_series() -> None:
    """The walk past covered occurrences is bounded by what is covered, not by MAX_STEPS:
    20,000 days done since 1960 must leave Oct 4 2014 owed, not end the promise."""
    daily = Plan(DAILY, D("1960-01-01"))
    run = tuple(D("1960-01-01") + timedelta(days=i) for i in range(coverage.MAX_STEPS))
    assert run[-1] == D("2014-10-03")
    first = Mark("a", "done", AS_OF, run, "0001@me")
    assert coverage.next_due(daily, [first], []) == D("2014-10-04")
    rest = coverage.covers_for_done(daily, [first], [], day=AS_OF)
    assert (rest[0], rest[-1]) == (D("2014-10-04"), AS_OF)
    second = Mark("b", "done", AS_OF, rest, "0002@me")
    assert coverage.next_due(daily, [first, second], []) == D("2026-11-24")


# ------------------------------------------------------------------ pauses


def test_pauses_end_at_their_until_or_the_first_resume_after_them() -> None:
    assert coverage.excused([PauseEvent("pause", D("2026-12-01"), D("2026-12-15"))]) == [
        (D("2026-12-01"), D("2026-12-15"))
    ]
    early_resume = [
        PauseEvent("pause", D("2026-12-01"), D("2026-12-15")),
        PauseEvent("resume", D("2026-12-08")),
    ]
    assert coverage.excused(early_resume) == [(D("2026-12-01"), D("2026-12-08"))]
    assert coverage.excused([PauseEvent("pause", D("2026-12-01"))]) == [(D("2026-12-01"), None)]
    same_day = [PauseEvent("pause", D("2026-12-01")), PauseEvent("resume", D("2026-12-01"))]
    assert coverage.excused(same_day) == []


def test_pause_periods_are_order_free_and_merged() -> None:
    events = [
        PauseEvent("pause", D("2026-12-01"), D("2026-12-10")),
        PauseEvent("pause", D("2026-12-05"), D("2026-12-20")),
        PauseEvent("resume", D("2026-12-18")),
        PauseEvent("pause", D("2027-01-05")),
    ]
    expected = [(D("2026-12-01"), D("2026-12-18")), (D("2027-01-05"), None)]
    for order in itertools.permutations(events):
        assert coverage.excused(list(order)) == expected


def test_occurrences_during_a_pause_are_not_owed_but_those_before_it_are() -> None:
    weekly = Plan(WEEKLY_MON, D("2026-11-02"))
    done = [mark("a", "2026-11-02", "2026-11-09")]
    holiday = coverage.excused([PauseEvent("pause", D("2026-11-23"), D("2026-12-15"))])
    assert coverage.next_due(weekly, done, holiday) == D("2026-11-16")  # before the pause
    caught_up = [*done, mark("b", "2026-11-16", n=2)]
    assert coverage.next_due(weekly, caught_up, holiday) == D("2026-12-21")
    assert (
        coverage.next_due(weekly, caught_up, coverage.excused([PauseEvent("pause", AS_OF)])) is None
    )


# ------------------------------------------------------------------ what a done covers


def test_done_covers_the_whole_backlog_and_a_second_done_is_refused() -> None:
    covers = coverage.covers_for_done(REPORT, [], [], day=AS_OF)
    assert covers == days("2026-09-23", "2026-10-23", "2026-11-23")
    first = Mark("a", "done", AS_OF, covers, "0001@me")
    with pytest.raises(NothingDue) as refused:
        coverage.covers_for_done(REPORT, [first], [], day=AS_OF)
    assert "2026-12-23" in refused.value.message and "--early" in refused.value.message
    assert "--for DATE" in refused.value.message
    assert coverage.covers_for_done(REPORT, [first], [], day=AS_OF, early=True) == days(
        "2026-12-23"
    )


def test_a_back_dated_done_covers_only_what_was_due_by_its_day() -> None:
    covers = coverage.covers_for_done(REPORT, [], [], day=D("2026-10-30"))
    assert covers == days("2026-09-23", "2026-10-23")


def test_early_is_ignored_while_something_is_due() -> None:
    assert coverage.covers_for_done(REPORT, [], [], day=AS_OF, early=True) == days(
        "2026-09-23", "2026-10-23", "2026-11-23"
    )


def test_done_for_a_day_covers_exactly_that_occurrence_or_says_why_not() -> None:
    oct_skipped = [mark("a", "2026-10-23", kind="skip")]
    assert coverage.covers_for_done(
        REPORT, oct_skipped, [], day=AS_OF, for_day=D("2026-12-23")
    ) == (D("2026-12-23"),)
    for day, why in (
        ("2026-10-23", "already covered"),
        ("2026-10-24", "not a day this promise falls due"),
        ("2026-08-23", "not a day this promise falls due"),
    ):
        with pytest.raises(BadInput, match=why):
            coverage.covers_for_done(REPORT, oct_skipped, [], day=AS_OF, for_day=D(day))
    paused = coverage.excused([PauseEvent("pause", D("2026-10-01"), D("2026-11-01"))])
    with pytest.raises(BadInput, match="paused"):
        coverage.covers_for_done(REPORT, [], paused, day=AS_OF, for_day=D("2026-10-23"))


def test_skip_covers_the_earliest_owed_occurrence_and_only_for_recurring_promises() -> None:
    assert coverage.covers_for_skip(REPORT, [], []) == days("2026-09-23")
    assert coverage.covers_for_skip(REPORT, [], [], for_day=D("2026-11-23")) == days("2026-11-23")
    with pytest.raises(BadInput, match="recurring"):
        coverage.covers_for_skip(Plan(None, D("2026-11-27")), [], [])


# ------------------------------------------------------------------ --after-done


def test_after_done_counts_from_the_later_of_two_completions_of_one_due_date() -> None:
    minutes = Plan(WEEKLY, D("2026-11-16"), after_done=True)
    mine = mark("a", "2026-11-16", day="2026-11-18", n=1)
    theirs = mark("b", "2026-11-16", day="2026-11-20", n=2)
    for order in ([mine, theirs], [theirs, mine]):
        assert coverage.next_due(minutes, order, []) == D("2026-11-27")


def test_after_done_a_done_ahead_of_time_moves_the_next_due_on() -> None:
    """A done --early (or skip) must cover something: the next due date is never a day
    already covered, nor one before the occurrence that was just done ahead of time."""
    minutes = Plan(WEEKLY, D("2026-11-16"), after_done=True)
    first = mark("a", "2026-11-16", day="2026-11-23", n=1)
    assert coverage.next_due(minutes, [first], []) == D("2026-11-30")
    # Early, on the same day: it covers Nov 30, so the next is one interval after that.
    again = Mark(
        "b",
        "done",
        AS_OF,
        coverage.covers_for_done(minutes, [first], [], day=AS_OF, early=True),
        "0002@me",
    )
    assert again.covers == days("2026-11-30")
    assert coverage.next_due(minutes, [first, again], []) == D("2026-12-07")
    # Early on a later day counts from that day, as the contract says.
    later = mark("c", "2026-11-30", day="2026-11-25", n=2)
    assert coverage.next_due(minutes, [first, later], []) == D("2026-12-02")
    # Early before the first occurrence: the next is not before the one done.
    kickoff = Plan(WEEKLY, D("2026-12-21"), after_done=True)
    ahead = mark("d", "2026-12-21", day="2026-11-23")
    assert coverage.next_due(kickoff, [ahead], []) == D("2026-12-28")


def test_after_done_a_series_with_a_count_ends() -> None:
    three = Plan("FREQ=WEEKLY;BYDAY=MO;COUNT=3", D("2026-11-02"), after_done=True)
    marks = [
        mark("a", "2026-11-02", day="2026-11-02", n=1),
        mark("b", "2026-11-09", day="2026-11-10", n=2),
        mark("c", "2026-11-17", day="2026-11-17", n=3),
    ]
    assert coverage.next_due(three, marks[:2], []) == D("2026-11-17")
    assert coverage.next_due(three, marks, []) is None


# ------------------------------------------------------------------ missed


def test_missed_counts_owed_occurrences_strictly_before_the_as_of_day() -> None:
    due = coverage.next_due(REPORT, [], [])
    assert coverage.missed(REPORT, [], [], due, AS_OF) == 2  # Nov 23 is due today, not missed
    assert coverage.missed(REPORT, [], [], due, D("2026-11-24")) == 3
    assert coverage.missed(REPORT, [], [], due, D("2026-09-23")) == 0
    oct_done = [mark("a", "2026-10-23")]  # done --for: only September is missed
    assert coverage.missed(REPORT, oct_done, [], due, AS_OF) == 1
    assert coverage.irregular(REPORT, oct_done, [], due)
    assert not coverage.irregular(REPORT, [], [], due)


def test_missed_leaves_out_what_a_pause_excused() -> None:
    weekly = Plan(WEEKLY_MON, D("2026-10-05"))
    pause = coverage.excused([PauseEvent("pause", D("2026-10-13"), D("2026-11-10"))])
    due = coverage.next_due(weekly, [], pause)
    assert due == D("2026-10-05")
    # Oct 5, Oct 12 and Nov 16 (Oct 19 .. Nov 9 were paused); Nov 23 is today.
    assert coverage.missed(weekly, [], pause, due, AS_OF) == 3


def test_a_one_off_is_missed_once() -> None:
    one_off = Plan(None, D("2026-11-20"))
    assert coverage.missed(one_off, [], [], D("2026-11-20"), AS_OF) == 1
    assert coverage.missed(one_off, [], [], D("2026-11-20"), D("2026-11-20")) == 0


# ------------------------------------------------------------------ rule changes


def test_covered_through_is_what_the_old_rule_had_covered_without_a_gap() -> None:
    done = [mark("a", "2026-09-23", "2026-10-23", "2026-11-23")]
    assert coverage.covered_through(REPORT, done, []) == D("2026-11-23")
    # Done ahead of time while September is still owed: nothing is covered through Dec 23.
    ahead = [mark("a", "2026-12-23")]
    through = coverage.covered_through(REPORT, ahead, [])
    assert through is None or through < D("2026-09-23")
    new_rule = Plan("FREQ=MONTHLY;BYMONTHDAY=25", D("2026-09-23"), covered_through=through)
    assert coverage.next_due(new_rule, [], []) == D("2026-09-25")
    # A floor from an earlier change is kept.
    floor = Plan(MONTHLY_23, D("2026-09-23"), covered_through=D("2026-10-31"))
    assert coverage.covered_through(floor, [], []) == D("2026-10-31")


# ------------------------------------------------------------------ words


def test_day_lists_name_the_days_and_shorten_long_ones() -> None:
    assert (
        coverage.day_list(days("2026-09-30", "2026-10-31", "2026-11-30"))
        == "Sep 30, Oct 31, Nov 30"
    )
    assert coverage.day_list(days("2026-12-31", "2027-01-31")) == "Dec 31 2026, Jan 31 2027"
    many = [D("2026-01-01") + timedelta(days=i) for i in range(10)]
    assert coverage.day_list(many) == "10 occurrences, Jan 1 to Jan 10"
    assert coverage.day_list([]) == "nothing"


# ------------------------------------------------------------------ the first version


def old(uuid: str, day: str) -> legacy.OldCompletion:
    return legacy.OldCompletion(uuid, D(day))


def test_the_old_rule_replayed_a_second_done_on_one_day_covers_nothing() -> None:
    covers, repeats = legacy.old_covers(
        MONTHLY_23,
        D("2026-09-23"),
        after_done=False,
        resumed_on=None,
        completions=[old("a", "2026-11-23"), old("b", "2026-11-23")],
    )
    assert covers == {"a": days("2026-09-23", "2026-10-23", "2026-11-23"), "b": ()}
    assert repeats == [D("2026-11-23")]


def test_the_old_rule_replayed_an_early_done_on_another_day_covers_the_next() -> None:
    covers, repeats = legacy.old_covers(
        MONTHLY_23,
        D("2026-09-23"),
        after_done=False,
        resumed_on=None,
        # Given out of order: the replay goes by day.
        completions=[old("c", "2026-11-24"), old("a", "2026-10-01"), old("b", "2026-10-02")],
    )
    assert covers == {
        "a": days("2026-09-23"),
        "b": days("2026-10-23"),  # early: the next one
        "c": days("2026-11-23"),
    }
    assert repeats == []


def test_the_old_rule_replayed_a_resume_excused_what_came_before_it() -> None:
    covers, _ = legacy.old_covers(
        WEEKLY_MON,
        D("2026-10-05"),
        after_done=False,
        resumed_on=D("2026-11-16"),
        completions=[old("a", "2026-10-05"), old("b", "2026-11-23")],
    )
    assert covers == {"a": days("2026-10-05"), "b": days("2026-11-16", "2026-11-23")}
    events = legacy.pause_events(D("2026-10-05"), D("2026-11-16"), None)
    plan = Plan(WEEKLY_MON, D("2026-10-05"))
    marks = [mark(u, *(c.isoformat() for c in cs)) for u, cs in covers.items()]
    assert coverage.next_due(plan, marks, coverage.excused(events)) == D("2026-11-30")


def test_the_old_rule_replayed_for_a_one_off_and_after_done() -> None:
    covers, _ = legacy.old_covers(
        None, D("2026-11-20"), after_done=False, resumed_on=None,
        completions=[old("a", "2026-11-21"), old("b", "2026-11-22")],
    )  # fmt: skip
    assert covers == {"a": days("2026-11-20"), "b": ()}
    covers, repeats = legacy.old_covers(
        WEEKLY, D("2026-11-02"), after_done=True, resumed_on=None,
        completions=[old("a", "2026-11-04"), old("b", "2026-11-04"), old("c", "2026-11-10")],
    )  # fmt: skip
    assert covers == {"a": days("2026-11-02"), "b": (), "c": days("2026-11-11")}
    assert repeats == [D("2026-11-04")]


def test_a_first_version_pause_starts_at_the_first_occurrence_still_owed() -> None:
    weekly = Plan(WEEKLY_MON, D("2026-08-03"))
    one_done = [mark("a", "2026-08-03", day="2026-08-03")]
    assert legacy.paused_since(weekly, one_done, None, today=AS_OF) == D("2026-08-10")
    # Nothing owed until after today (or ever): paused from today.
    ahead = Plan(WEEKLY_MON, D("2026-12-07"))
    assert legacy.paused_since(ahead, [], None, today=AS_OF) == AS_OF
    # An earlier resume excused what came before it.
    resumed = legacy.paused_since(weekly, one_done, D("2026-10-05"), today=AS_OF)
    assert resumed == D("2026-10-05")
