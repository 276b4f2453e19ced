"""A property of the promise model: no sequence of moves on two machines loses a duty.

Two databases hold one promise (a random rule and start, calendar or
--after-done). A random sequence of moves is played on them through the same
functions the commands call (writes.py on a real Store, bundles exchanged by
export and import), with the clock advancing. After every move, each database
is checked against what its own tables hold, read here with plain SQL and the
rule expanded with dateutil, not with the code under test:

- the next due date is the earliest occurrence of the rule that no live
  completion or skip covers and no pause excused (so it is an occurrence,
  and it never passes one that nobody did); None only while a pause with no
  end holds;
- with --after-done it is never a day already covered, and never more than
  one interval after the latest completion (unless a pause holds it);
- `undo` right after my own done/skip gives back the next due date from
  before it, whenever no other live mark covers what it covered;
- a refused move changes nothing;
- two databases that have just exchanged bundles both ways agree.
"""

from __future__ import annotations

import json
import sqlite3
import tempfile
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any

from dateutil.rrule import rrulestr
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from handoff_cli import store_transfer, writes
from handoff_cli.errors import BadInput
from handoff_cli.formats import bundle as bundle_format
from handoff_cli.rules import parse_rule
from handoff_cli.schedule import series
from handoff_cli.store import Store

TOKYO = timezone(timedelta(hours=9))
FIRST_DAY = date(2026, 11, 23)
CALENDAR_RULES = (
    "daily",
    "weekly",
    "every 2 weeks",
    "weekly on mon,thu",
    "monthly",
    "monthly on the last day",
    "monthly on the first mon",
)
AFTER_DONE_RULES = ("daily", "weekly", "every 2 weeks", "monthly")
HORIZON = 400  # days after the first day that any move can reach


def moment(day: date) -> datetime:
    return datetime.combine(day, time(10, 0), TOKYO)


@dataclass
class Side:
    name: str
    store: Store
    uuid: str = ""
    log: list[str] = field(default_factory=list)  # the moves made here since the last change

    def promise(self) -> Any:
        found = self.store.promise_by_uuid(self.uuid)
        assert found is not None
        return found

    def next_due(self) -> date | None:
        due: date | None = self.promise().next_due
        return due


# ------------------------------------------------------------------ what the tables say


def facts(
    store: Store, uuid: str
) -> tuple[dict[str, tuple[date, ...]], list[tuple[date, date | None]]]:
    """The live marks (uuid -> covers) and the pause periods, read with plain SQL."""
    conn: sqlite3.Connection = store.conn
    (pid,) = conn.execute("SELECT id FROM promises WHERE uuid = ?", [uuid]).fetchone()
    undone = {r[0] for r in conn.execute("SELECT mark FROM undos")}
    live = {
        m: tuple(date.fromisoformat(d) for d in json.loads(covers))
        for m, covers in conn.execute(
            "SELECT uuid, covers FROM completions WHERE promise_id = ?", [pid]
        )
        if m not in undone
    }
    events = conn.execute(
        "SELECT kind, day, until FROM pauses WHERE promise_id = ?", [pid]
    ).fetchall()
    resumes = sorted(date.fromisoformat(d) for k, d, _ in events if k == "resume")
    periods: list[tuple[date, date | None]] = []
    for kind, day_text, until_text in events:
        if kind != "pause":
            continue
        first = date.fromisoformat(day_text)
        ends = [r for r in resumes if r >= first]
        if until_text:
            ends.append(date.fromisoformat(until_text))
        end = min(ends) if ends else None
        if end is None or end > first:
            periods.append((first, end))
    return live, periods


def excused(day: date, periods: list[tuple[date, date | None]]) -> bool:
    return any(first <= day and (end is None or day < end) for first, end in periods)


def mark_days(store: Store, uuid: str) -> dict[str, date]:
    return {
        m: date.fromisoformat(d)
        for m, d in store.conn.execute(
            "SELECT m.uuid, m.day FROM completions m JOIN promises p ON p.id = m.promise_id"
            " WHERE p.uuid = ?",
            [uuid],
        )
    }


def check_calendar(side: Side, rule: str, start: date) -> None:
    live, periods = facts(side.store, side.uuid)
    covered = {d for days in live.values() for d in days}
    due = side.next_due()
    occurrences = rrulestr(rule, dtstart=datetime.combine(start, time()))
    expected = None
    for occurrence in occurrences:
        day = occurrence.date()
        if day > FIRST_DAY + timedelta(days=HORIZON * 3):
            break
        if day in covered or excused(day, periods):
            continue
        expected = day
        break
    if expected is None or excused(expected, periods):
        # Nothing owed within reach: only a pause with no end may say "nothing".
        assert due is None or due > FIRST_DAY + timedelta(days=HORIZON * 3), (side.name, due)
        return
    assert due == expected, (side.name, due, expected, sorted(covered), periods)


def check_after_done(side: Side, rule: str, start: date) -> None:
    live, periods = facts(side.store, side.uuid)
    covered = {d for days in live.values() for d in days}
    due = side.next_due()
    s = series(rule, start)
    if due is None:
        assert any(end is None for _, end in periods), (side.name, periods)
        return
    assert due not in covered, (side.name, due, sorted(covered))
    if not covered:
        return
    assert due > max(covered), (side.name, due, sorted(covered))
    days = mark_days(side.store, side.uuid)
    latest = max(max(days[m] for m in live), max(covered))
    bound = s.plus_step(latest)
    assert bound is not None
    if due > bound:  # only a pause may hold it further off
        assert any(first <= bound and (end is None or due <= end) for first, end in periods), (
            side.name,
            due,
            bound,
            periods,
        )


# ------------------------------------------------------------------ moves


MARK = st.tuples(
    st.sampled_from(["done", "done", "early", "skip", "undo", "undo"]), st.sampled_from("AB")
)
SHARE = st.tuples(st.just("import"), st.sampled_from("AB")) | st.tuples(st.just("exchange"))
MOVES = st.one_of(
    MARK,
    MARK,
    MARK,
    SHARE,
    SHARE,
    # Both machines do the same thing before they exchange (two people, one report).
    st.tuples(st.just("both"), st.sampled_from(["done", "early", "skip"])),
    st.tuples(st.just("advance"), st.sampled_from([0, 1, 2, 6, 7, 13, 31])),
    st.tuples(st.sampled_from(["done for", "skip for"]), st.sampled_from("AB"), st.integers(0, 4)),
    st.tuples(st.just("pause"), st.sampled_from("AB"), st.integers(0, 40)),  # 0: no end
    st.tuples(st.just("resume"), st.sampled_from("AB")),
)


class Game:
    def __init__(self, folder: Path, rule: str, start: date, after_done: bool) -> None:
        self.today = FIRST_DAY
        self.rule = rule
        self.start = start
        self.after_done = after_done
        self.sides = {name: Side(name, self._open(folder / f"{name}.db")) for name in "AB"}
        a = self.sides["A"]
        with a.store.write():
            w = a.store.writer(moment(self.today))
            client, _ = writes.client_for_write(a.store, w, "Acme", new_client=True)
            made = writes.add_promise(
                a.store, w, client, title="Report", to=None, rule=rule, start=start,
                after_done=after_done, due_at=None, owner="alice",
            )  # fmt: skip
        a.uuid = self.sides["B"].uuid = made.uuid
        self.bring("B")

    @staticmethod
    def _open(path: Path) -> Store:
        store = Store.open(path, create=True)
        assert store is not None
        store.me = "alice"
        store.today = FIRST_DAY
        return store

    def close(self) -> None:
        for side in self.sides.values():
            side.store.close()

    def other(self, name: str) -> Side:
        return self.sides["B" if name == "A" else "A"]

    def bring(self, name: str) -> None:
        """`name` imports the other side's bundle (export, then import, as the commands do)."""
        source, target = self.other(name), self.sides[name]
        clients = source.store.clients()
        text = "".join(
            bundle_format.dump(
                exported_at=moment(self.today),
                author=source.name,
                clients=store_transfer.records(source.store, clients),
                tombstones=store_transfer.tombstones(source.store),
            )
        )
        parsed = bundle_format.parse(text.encode())
        store_transfer.import_bundle(
            target.store, parsed, now=moment(self.today), me="alice", keep_owners=True
        )
        target.log.clear()

    def play(self, move: tuple[Any, ...]) -> None:
        kind = move[0]
        if kind == "advance":
            self.today += timedelta(days=move[1])
            for side in self.sides.values():
                side.store.today = self.today
            return
        if kind == "exchange":
            self.bring("A")
            self.bring("B")
            assert self.sides["A"].next_due() == self.sides["B"].next_due()
            return
        if kind == "import":
            self.bring(move[1])
            return
        if kind == "both":
            self.play((move[1], "A"))
            self.play((move[1], "B"))
            return
        side = self.sides[move[1]]
        before = (side.next_due(), self._rows(side))
        known = set(mark_days(side.store, side.uuid))
        try:
            for_day = self._write(side, kind, move)
        except BadInput:
            assert (side.next_due(), self._rows(side)) == before, (kind, "a refusal wrote")
            return
        if kind in ("done", "early", "skip", "done for", "skip for"):
            (new,) = set(mark_days(side.store, side.uuid)) - known
            self._check_covers(side, kind, new, before[0], for_day)
        self._check_undo(side, kind, before[0])

    def _check_covers(
        self, side: Side, kind: str, new: str, due: date | None, for_day: date | None
    ) -> None:
        """What a done or skip covers: exactly the contract's occurrences, never more."""
        live, periods = facts(side.store, side.uuid)
        covers = sorted(live[new])
        assert due is not None, (kind, "a move with nothing owed was accepted")
        if for_day is not None:
            assert covers == [for_day], (kind, covers, for_day)
        elif kind == "skip" or (kind == "early" and due > self.today):
            assert covers == [due], (kind, covers, due)
        elif self.after_done:
            assert covers == [due] and due <= self.today, (kind, covers, due, self.today)
        else:  # every occurrence owed from the next due to today, and nothing after today
            others = {d for m, days in live.items() if m != new for d in days}
            owed = [
                o.date()
                for o in rrulestr(self.rule, dtstart=datetime.combine(self.start, time())).between(
                    datetime.combine(due, time()), datetime.combine(self.today, time()), inc=True
                )
                if o.date() not in others and not excused(o.date(), periods)
            ]
            assert covers == owed and covers, (kind, covers, owed, self.today)

    def _write(self, side: Side, kind: str, move: tuple[Any, ...]) -> date | None:
        """Make the move; returns the day given with --for, if any."""
        store, now = side.store, moment(self.today)
        for_day = None
        with store.write():
            w = store.writer(now)
            promise = side.promise()
            if kind in ("done", "early", "done for"):
                for_day = self._occurrence(move[2]) if kind == "done for" else None
                writes.done(
                    store, w, promise, at=now, day=self.today, today=self.today,
                    early=kind == "early", for_day=for_day,
                )  # fmt: skip
            elif kind in ("skip", "skip for"):
                for_day = self._occurrence(move[2]) if kind == "skip for" else None
                writes.skip(store, w, promise, at=now, day=self.today, for_day=for_day)
            elif kind == "undo":
                writes.undo(store, w, promise, at=now)
            elif kind == "pause":
                until = self.today + timedelta(days=move[2]) if move[2] else None
                writes.pause(store, w, promise, today=self.today, until=until)
            else:
                writes.resume(store, w, promise, today=self.today)
        return for_day

    def _occurrence(self, index: int) -> date:
        """An occurrence near the next one owed (index 0), or a day that is none (odd days)."""
        s = series(self.rule, self.start)
        day = s.first_from(max(self.start, self.today - timedelta(days=40)))
        assert day is not None
        for _ in range(index // 2):
            day = s.first_from_after(day) or day
        return day if index % 2 == 0 else day + timedelta(days=1)

    def _rows(self, side: Side) -> tuple[int, int, int]:
        conn = side.store.conn
        return tuple(  # type: ignore[return-value]
            conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("completions", "undos", "pauses")
        )

    def _check_undo(self, side: Side, kind: str, due_before: date | None) -> None:
        """An undo right after my own done or skip gives back the next due from before it."""
        if kind != "undo":
            side.log.append(f"{kind}:{due_before}")
            return
        last = side.log.pop() if side.log else ""
        side.log.clear()
        if not last.startswith(("done", "early", "skip")):
            return
        undone_uuid, undone_covers = self._latest_undone(side)
        live, _ = facts(side.store, side.uuid)
        if any(set(days) & set(undone_covers) for m, days in live.items() if m != undone_uuid):
            return  # another mark still covers it: the next due may stay where it is
        previous = last.partition(":")[2]
        assert str(side.next_due()) == previous, (side.name, last, side.next_due())

    def _latest_undone(self, side: Side) -> tuple[str, tuple[date, ...]]:
        row = side.store.conn.execute(
            "SELECT m.uuid, m.covers FROM undos u JOIN completions m ON m.uuid = u.mark"
            " ORDER BY u.stamp DESC LIMIT 1"
        ).fetchone()
        return row[0], tuple(date.fromisoformat(d) for d in json.loads(row[1]))

    def check(self) -> None:
        for side in self.sides.values():
            if self.after_done:
                check_after_done(side, parse_rule_of(side), self.start)
            else:
                check_calendar(side, parse_rule_of(side), self.start)


def parse_rule_of(side: Side) -> str:
    rule: str = side.promise().rule
    return rule


@st.composite
def plans(draw: st.DrawFn) -> tuple[str, date, bool]:
    after_done = draw(st.sampled_from([False, False, True]))
    words = draw(st.sampled_from(AFTER_DONE_RULES if after_done else CALENDAR_RULES))
    start = FIRST_DAY + timedelta(days=draw(st.integers(-70, 20)))
    return parse_rule(words, start=start), start, after_done


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(plan=plans(), moves=st.lists(MOVES, min_size=2, max_size=16))
def test_no_sequence_of_moves_loses_a_duty(
    plan: tuple[str, date, bool], moves: list[tuple[Any, ...]]
) -> None:
    rule, start, after_done = plan
    with tempfile.TemporaryDirectory() as folder:
        game = Game(Path(folder), rule, start, after_done)
        try:
            game.check()
            for move in moves:
                game.play(move)
                game.check()
        finally:
            game.close()


# ------------------------------------------------------------------ the first version's data


@st.composite
def first_version_histories(
    draw: st.DrawFn,
) -> tuple[str, date, bool, list[date], date | None]:
    after_done = draw(st.booleans())
    words = draw(st.sampled_from(AFTER_DONE_RULES if after_done else CALENDAR_RULES))
    month_ends = [date(2026, m, d) for m, d in ((1, 30), (1, 31), (5, 31), (8, 30), (10, 31))]
    start = draw(
        st.sampled_from(month_ends)
        | st.integers(-200, 0).map(lambda n: FIRST_DAY + timedelta(days=n))
    )
    # Days between dones (never 0: one done a day, no slip); near a month apart often,
    # so that dones land on month ends that a shorter month cuts short.
    gaps = draw(st.lists(st.sampled_from([1, 2, 6, 7, 29, 30, 31, 45]), max_size=8))
    first = draw(st.sampled_from([0, 1, 2, 30]))
    days = [start + timedelta(days=first + sum(gaps[:i])) for i in range(len(gaps))]
    days = draw(st.permutations(days))  # stored in any order
    resumed = draw(st.none() | st.integers(1, 220))
    resumed_on = None if resumed is None else start + timedelta(days=resumed)
    return parse_rule(words, start=start), start, after_done, days, resumed_on


@settings(max_examples=300, deadline=None)
@given(history=first_version_histories())
@example(  # a done on Aug 31 after one on Aug 30 moved nothing: both give Sep 30
    history=(
        "FREQ=MONTHLY;BYMONTHDAY=28,29,30;BYSETPOS=-1",
        date(2026, 8, 30),
        True,
        [date(2026, 8, 30), date(2026, 8, 31)],
        None,
    )
)
def test_an_upgrade_keeps_the_first_versions_next_due_when_nobody_slipped(
    history: tuple[str, date, bool, list[date], date | None],
) -> None:
    """Replaying the old rule (legacy.py) and counting coverage gives the next due date the
    first version had stored, for any history without two dones on one day."""
    from handoff_cli import coverage, legacy, schedule

    rule, start, after_done, days, resumed_on = history
    old = [legacy.OldCompletion(f"m{i}", day) for i, day in enumerate(days)]
    covers, repeats = legacy.old_covers(
        rule, start, after_done=after_done, resumed_on=resumed_on, completions=old
    )
    assert repeats == []
    marks = [coverage.Mark(c.uuid, "done", c.day, covers[c.uuid], "") for c in old]
    intervals = coverage.excused(legacy.pause_events(start, resumed_on, None))
    plan = coverage.Plan(rule, start, after_done)
    before = schedule.next_due(rule, start, days, after_done=after_done, resumed_on=resumed_on)
    assert coverage.next_due(plan, marks, intervals) == before
