"""Reading the first version's completions: what each one covered, by the old rule.

Before completions recorded what they covered, a `done` moved the next due
date on by the old rule: done on or after the due date covered every
occurrence up to that day; done before it covered the next one. Replaying that
rule in order tells what each old completion covered — except that a second
completion of a promise on the same day counts once: that second `done` is
exactly the slip that erased a month's duty, and it covers nothing now.

Used by the schema migration (m002) and by `import` of a version-1 bundle.
Pure except for `migrate_coverage`, which the migration runs on its connection.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from datetime import date, datetime
from typing import NamedTuple

from handoff_cli import coverage


class OldCompletion(NamedTuple):
    uuid: str
    day: date


def old_covers(
    rule: str | None,
    start: date,
    *,
    after_done: bool,
    resumed_on: date | None,
    completions: Sequence[OldCompletion],
) -> tuple[dict[str, tuple[date, ...]], list[date]]:
    """What each old completion covered, and the days of second completions on one day.

    `completions` in the order they were made (by day, then as stored).
    """
    ordered = sorted(enumerate(completions), key=lambda c: (c[1].day, c[0]))
    covers: dict[str, tuple[date, ...]] = {}
    repeats: list[date] = []
    seen_days: set[date] = set()
    if rule is None:
        for _, c in ordered:
            covers[c.uuid] = () if covers else (start,)
        return covers, repeats
    from handoff_cli.schedule import series

    s = series(rule, start)
    due = s.first_from(start)
    pending_resume = resumed_on
    for _, c in ordered:
        if c.day in seen_days:
            covers[c.uuid] = ()
            repeats.append(c.day)
            continue
        seen_days.add(c.day)
        if pending_resume is not None and c.day >= pending_resume:
            if due is not None and due < pending_resume:
                due = s.cap(pending_resume) if after_done else s.first_from(pending_resume)
            pending_resume = None
        if due is None:
            covers[c.uuid] = ()
            continue
        if after_done:
            following = s.plus_step(c.day)
            if following is not None and following <= due:
                # Done again before the next one, on a day a shorter month cuts to the
                # same next date (Aug 30, then Aug 31: Sep 30 both times): it moved
                # nothing then, and covering the next one now would skip it.
                covers[c.uuid] = ()
                continue
            covers[c.uuid] = (due,)
            due = following
        elif c.day >= due:
            covers[c.uuid] = tuple(s.between(due, c.day)[: coverage.MAX_STEPS])
            due = s.first_from_after(c.day)
        else:
            covers[c.uuid] = (due,)
            due = s.first_from_after(due)
    return covers, repeats


def pause_events(
    start: date, resumed_on: date | None, paused_since: date | None
) -> list[coverage.PauseEvent]:
    """The first version's pause state as events: resuming on R excused what came before R."""
    events = []
    if resumed_on is not None:
        events += [
            coverage.PauseEvent("pause", min(start, resumed_on)),
            coverage.PauseEvent("resume", resumed_on),
        ]
    if paused_since is not None:
        events.append(coverage.PauseEvent("pause", paused_since))
    return events


def paused_since(
    plan: coverage.Plan,
    marks: Sequence[coverage.Mark],
    resumed_on: date | None,
    *,
    today: date,
) -> date:
    """The day a promise paused by the first version is taken to be paused from.

    The first version kept no such day, and its `resume` excused every occurrence
    before the day it resumed. So the pause starts at the first occurrence still
    owed (nothing that fell while it was paused is owed after a resume), or today
    if that is later.
    """
    intervals = coverage.excused(pause_events(plan.start, resumed_on, None))
    due = coverage.next_due(plan, marks, intervals)
    return today if due is None or due > today else due


def adopt_rows(conn: sqlite3.Connection) -> list[str]:
    """Bring rows written the first version's way into the change-log schema (m002).

    Fills what the new columns and tables hold for each old row: name keys,
    every client's and contact's uuid as its own identity, dropped promises,
    the uuid of each completion's note, and coverage (`migrate_coverage`).
    Also used by the benchmark dataset generator, which writes rows in bulk.
    """
    conn.execute("UPDATE clients SET name_key = key WHERE name_key IS NULL")
    conn.execute(
        "INSERT OR IGNORE INTO client_entities (uuid, client_id, created_key)"
        " SELECT uuid, id, key FROM clients"
    )
    conn.execute("UPDATE contacts SET name_key = key WHERE name_key IS NULL")
    conn.execute(
        "INSERT OR IGNORE INTO contact_entities (uuid, contact_id, created_key)"
        " SELECT uuid, id, key FROM contacts"
    )
    conn.execute("UPDATE promises SET dropped = 1 WHERE status = 'dropped'")
    conn.execute(
        "UPDATE completions SET note_uuid = (SELECT uuid FROM notes WHERE id = note_id)"
        " WHERE note_id IS NOT NULL"
    )
    return migrate_coverage(conn)


def pause_uuid(promise_uuid: str, index: int) -> str:
    """The uuid of the `index`th pause event derived from a first-version promise: the
    same on every machine that upgrades it, and a uuid, as bundles require."""
    from handoff_cli.changes import derived_uuid

    return derived_uuid(promise_uuid, "pause", str(index))


def _today() -> date:
    """Today as a command sees it: `$HANDOFF_NOW` pins it (tests, demos), as
    `cli.common.now` reads it; the local date otherwise."""
    import os

    pinned = os.environ.get("HANDOFF_NOW", "")
    try:
        return datetime.fromisoformat(pinned).date() if pinned else date.today()
    except ValueError:  # the command itself says what is wrong with it
        return date.today()


def migrate_coverage(conn: sqlite3.Connection) -> list[str]:
    """Fill in coverage and pause events for every promise of a version-1 database.

    Writes the schema as it is at migration m002 (later migrations may change
    it; this function must keep to that one). Returns a notice for each promise
    whose next due date moved back.
    """
    from handoff_cli.stamps import ZERO_STAMP

    today = _today()
    notices: list[str] = []
    completions: dict[int, list[OldCompletion]] = {}
    for pid, uuid, day in conn.execute(
        "SELECT promise_id, uuid, day FROM completions ORDER BY promise_id, day, id"
    ):
        completions.setdefault(pid, []).append(OldCompletion(uuid, date.fromisoformat(day)))
    rows = conn.execute(
        "SELECT id, title, rule, start, after_done, status, next_due, resumed_on, uuid"
        " FROM promises"
    ).fetchall()
    for pid, title, rule, start_text, after_done, status, old_next, resumed_text, puuid in rows:
        start = date.fromisoformat(start_text)
        resumed_on = date.fromisoformat(resumed_text) if resumed_text else None
        done = completions.get(pid, [])
        covers, repeats = old_covers(
            rule, start, after_done=bool(after_done), resumed_on=resumed_on, completions=done
        )
        conn.executemany(
            "UPDATE completions SET covers = ? WHERE uuid = ?",
            [(json.dumps([d.isoformat() for d in days]), uuid) for uuid, days in covers.items()],
        )
        plan = coverage.Plan(rule, start, bool(after_done))
        marks = [
            coverage.Mark(c.uuid, "done", c.day, covers.get(c.uuid, ()), ZERO_STAMP) for c in done
        ]
        since = paused_since(plan, marks, resumed_on, today=today) if status == "paused" else None
        events = pause_events(start, resumed_on, since)
        for i, event in enumerate(events):
            conn.execute(
                "INSERT INTO pauses (uuid, promise_id, kind, day, until, stamp)"
                " VALUES (?, ?, ?, ?, NULL, ?)",
                [pause_uuid(puuid, i), pid, event.kind, event.day.isoformat(), ZERO_STAMP],
            )
        intervals = coverage.excused(events)
        due = coverage.next_due(plan, marks, intervals)
        new_status = status
        if status != "dropped":
            open_pause = bool(intervals) and intervals[-1][1] is None
            new_status = "open" if due is not None or open_pause else "done"
        last = intervals[-1] if intervals else None
        conn.execute(
            "UPDATE promises SET status = ?, next_due = ?, paused_from = ?, paused_until = ?,"
            " irregular = ? WHERE id = ?",
            [
                new_status,
                due.isoformat() if due else None,
                last[0].isoformat() if last else None,
                last[1].isoformat() if last and last[1] else None,
                int(coverage.irregular(plan, marks, intervals, due)),
                pid,
            ],
        )
        notice = moved_back_notice(
            pid, title, repeats, due, date.fromisoformat(old_next) if old_next else None
        )
        if notice:
            notices.append(notice)
    return notices


def moved_back_notice(
    pid: int, title: str, repeats: Sequence[date], due: date | None, old_next: date | None
) -> str | None:
    """What to tell the user when a repeated done had moved a promise's next due date on.

    `repeats` are the days of second completions on one day (`old_covers`), `due`
    the next due date now, `old_next` the one the first version had (None: done).
    Used by the upgrade of a version-1 database and by `import` of a version-1 bundle.
    """
    if not repeats or due is None or (old_next is not None and due >= old_next):
        return None
    return (
        f"#{pid} {' '.join(title.split())}: a second done on "
        f"{coverage.day_list(repeats[:1])} had skipped {coverage.day_list([due])}; "
        "it is due again"
    )
