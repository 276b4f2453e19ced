"""Issue 10 through the real CLI: no slip erases a duty, and every move can be taken back.

Written as a second pair of eyes on the promise model: each test plays what a
user does (a double `done`, an `undo`, a colleague's bundle, an upgrade from
the first version, a pause) and asserts what they would see. The clock starts
at Mon 2026-11-23 10:00 in Tokyo (conftest) and is moved with HANDOFF_NOW.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from conftest import Result, Run


def ok(result: Result) -> Result:
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return result


def refused(result: Result, *words: str) -> Result:
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert result.stdout == ""
    assert "Traceback" not in result.stderr and len(result.stderr.splitlines()) == 1
    for word in words:
        assert word in result.stderr, (word, result.stderr)
    return result


def make(run: Run, *args: str, db: tuple[str, ...] = ()) -> int:
    made: dict[str, Any] = ok(run(*db, "promise", *args, "--json")).json()
    return int(made["id"])


def next_due(run: Run, pid: int, *db: str) -> str | None:
    (found,) = [p for p in ok(run(*db, "promises", "--all", "--json")).json() if p["id"] == pid]
    due: str | None = found["next_due"]
    return due


def notes(run: Run, client: str = "Acme", *db: str) -> list[str]:
    return [n["text"] for n in ok(run(*db, "show", client, "--json")).json()["notes"]]


def at(monkeypatch: pytest.MonkeyPatch, moment: str) -> None:
    monkeypatch.setenv("HANDOFF_NOW", moment)


# ------------------------------------------------------------------ done twice, story 1


def test_story_one_a_second_done_on_the_same_day_is_refused_and_changes_nothing(
    run: Run,
) -> None:
    report = make(
        run, "Acme", "Monthly status report", "--every", "monthly", "--to", "Tanaka",
        "--start", "2026-09-23",
    )  # fmt: skip
    assert "61 days overdue, missed 2" in ok(run("due")).stdout

    first = ok(run("done", str(report)))
    assert "Covers Sep 23, Oct 23, Nov 23" in first.stdout  # all of the backlog, by name
    assert "2026-12-23" in first.stdout
    first_json = ok(run("export", "--format", "json")).json()

    second = refused(run("done", str(report)), "2026-12-23", "--early", "--for DATE")
    assert f"#{report}" in second.stderr
    assert next_due(run, report) == "2026-12-23"  # December is still owed
    assert notes(run) == ["Done: Monthly status report"]  # no second timeline note
    after = ok(run("export", "--format", "json")).json()
    (promise,) = after["clients"][0]["promises"]
    assert [c["covers"] for c in promise["completions"]] == [
        ["2026-09-23", "2026-10-23", "2026-11-23"]
    ]
    assert after["clients"] == first_json["clients"]  # the refusal wrote nothing at all

    # A done on the same day in JSON is refused the same way, and so is one a minute later.
    refused(run("done", str(report), "--json"), "nothing is due yet")
    refused(run("done", str(report), "--at", "10:01"), "nothing is due yet")
    assert ok(run("due", "--check")).stdout.startswith("Nothing due")


def test_a_second_done_on_the_same_day_of_a_one_off_and_an_after_done_is_refused(
    run: Run,
) -> None:
    one_off = make(run, "Acme", "Send the quote", "--due", "today")
    ok(run("done", str(one_off)))
    refused(run("done", str(one_off)), "already done")

    minutes = make(
        run, "Acme", "Minutes", "--every", "weekly", "--after-done", "--start", "2026-11-16"
    )
    assert ok(run("done", str(minutes), "--json")).json()["next_due"] == "2026-11-30"
    refused(run("done", str(minutes)), "2026-11-30", "--early")
    assert next_due(run, minutes) == "2026-11-30"


def test_after_done_a_done_ahead_of_time_always_moves_the_next_due_on(run: Run) -> None:
    """`done --early` covers the next occurrence: it must not print "Covers Nov 30. Next due
    Nov 30", nor move a promise that starts in December back to November."""
    minutes = make(
        run, "Acme", "Minutes", "--every", "weekly", "--after-done", "--start", "2026-11-16"
    )
    assert ok(run("done", str(minutes), "--json")).json()["next_due"] == "2026-11-30"
    early = ok(run("done", str(minutes), "--early", "--json")).json()
    assert (early["covered"], early["next_due"]) == (["2026-11-30"], "2026-12-07")
    skipped = ok(run("skip", str(minutes), "--json")).json()
    assert (skipped["covered"], skipped["next_due"]) == (["2026-12-07"], "2026-12-14")

    kickoff = make(
        run, "Acme", "Kickoff", "--every", "weekly", "--after-done", "--start", "2026-12-21"
    )
    ahead = ok(run("done", str(kickoff), "--early", "--json")).json()
    assert (ahead["covered"], ahead["next_due"]) == (["2026-12-21"], "2026-12-28")
    back = ok(run("undo", str(kickoff), "--json")).json()
    assert back["next_due"] == "2026-12-21"


def test_catching_up_on_a_daily_promise_from_1960_never_ends_it(run: Run) -> None:
    pid = make(run, "Acme", "Daily log", "--every", "daily", "--start", "1960-01-01")
    first = ok(run("done", str(pid), "--json")).json()
    assert len(first["covered"]) == 20_000  # one done covers at most this many
    assert (first["status"], first["next_due"]) == ("open", "2014-10-04")
    second = ok(run("done", str(pid), "--json")).json()
    assert (second["status"], second["next_due"]) == ("open", "2026-11-24")


# ------------------------------------------------------------------ early, undo, skip, undo


def test_early_undo_skip_undo_each_return_to_the_exact_previous_next_due(run: Run) -> None:
    pid = make(run, "Acme", "Monthly status report", "--every", "monthly", "--start", "2026-09-23")
    p = str(pid)
    steps: list[tuple[str, dict[str, Any]]] = []

    def step(*args: str) -> dict[str, Any]:
        data: dict[str, Any] = ok(run(*args, p, "--json")).json()
        steps.append((args[0], data))
        return data

    assert step("done")["covered"] == ["2026-09-23", "2026-10-23", "2026-11-23"]
    assert next_due(run, pid) == "2026-12-23"

    early = step("done", "--early")
    assert (early["covered"], early["next_due"]) == (["2026-12-23"], "2027-01-23")
    back = step("undo")
    assert (back["covered"], back["next_due"]) == (["2026-12-23"], "2026-12-23")
    assert back["undone"]["kind"] == "done" and back["still_covered"] == []

    skipped = step("skip")
    assert (skipped["covered"], skipped["next_due"]) == (["2026-12-23"], "2027-01-23")
    back = step("undo")
    assert (back["covered"], back["next_due"], back["undone"]["kind"]) == (
        ["2026-12-23"],
        "2026-12-23",
        "skip",
    )

    # Undo again: the first done goes too, and the whole backlog is owed again.
    back = step("undo")
    assert back["covered"] == ["2026-09-23", "2026-10-23", "2026-11-23"]
    assert back["next_due"] == "2026-09-23"
    assert ok(run("due", "--json")).json()["items"][0]["missed"] == 2
    refused(run("undo", p), "no completion or skip of yours")

    # The people's words say what came back.
    ok(run("done", p))
    words = ok(run("undo", p)).stdout
    assert "Sep 23, Oct 23, Nov 23 owed again" in words and "2026-09-23" in words

    # Every done and skip (and undo) is on record, nothing was deleted.
    bundle = ok(run("export", "--format", "json")).json()
    (promise,) = bundle["clients"][0]["promises"]
    assert [c["kind"] for c in promise["completions"]] == ["done", "done", "skip", "done"]
    assert len(promise["undos"]) == 4


def test_undo_of_a_one_off_opens_it_again(run: Run) -> None:
    pid = make(run, "Acme", "Send the quote", "--due", "fri")
    assert ok(run("done", str(pid), "--json")).json()["status"] == "done"
    back = ok(run("undo", str(pid), "--json")).json()
    assert (back["status"], back["next_due"], back["covered"]) == (
        "open",
        "2026-11-27",
        ["2026-11-27"],
    )
    assert [i["id"] for i in ok(run("due", "--json")).json()["items"]] == [pid]


# ------------------------------------------------------------------ --for


def test_skip_for_and_done_for_cover_exactly_that_occurrence(run: Run) -> None:
    pid = make(run, "Acme", "Monthly status report", "--every", "monthly", "--start", "2026-09-23")
    p = str(pid)
    skipped = ok(run("skip", p, "--for", "2026-10-23", "--note", "client on holiday", "--json"))
    assert skipped.json()["covered"] == ["2026-10-23"]
    assert skipped.json()["next_due"] == "2026-09-23"  # September is still owed
    assert ok(run("due", "--json")).json()["items"][0]["missed"] == 1  # only September now

    kept = ok(run("done", p, "--for", "2026-09-23", "--json")).json()
    assert (kept["covered"], kept["next_due"]) == (["2026-09-23"], "2026-11-23")

    for day, why in (
        ("2026-10-23", "already covered"),  # skipped
        ("2026-09-23", "already covered"),  # done
        ("2026-10-24", "not a day this promise falls due"),
        ("2026-08-23", "not a day this promise falls due"),  # before the start
    ):
        refused(run("done", p, "--for", day), why)
        refused(run("skip", p, "--for", day), why)
    refused(run("done", p, "--for", "2026-12-23", "--early"), "not both")
    refused(run("done", p, "--for", "someday"))
    assert next_due(run, pid) == "2026-11-23"

    # An occurrence ahead of time, by --for: the one due now is still owed.
    ahead = ok(run("done", p, "--for", "2026-12-23", "--json")).json()
    assert (ahead["covered"], ahead["next_due"]) == (["2026-12-23"], "2026-11-23")
    # A plain done now covers only what is due by today: November.
    kept = ok(run("done", p, "--json")).json()
    assert (kept["covered"], kept["next_due"]) == (["2026-11-23"], "2027-01-23")

    # Skips show as skipped on the timeline and in the handover.
    assert "Skipped: Monthly status report — client on holiday" in notes(run)
    assert "Skipped: Monthly status report" in ok(run("show", "Acme")).stdout
    assert "Skipped: Monthly status report" in ok(run("export")).stdout


def test_skip_is_for_recurring_promises_only(run: Run) -> None:
    pid = make(run, "Acme", "Send the quote", "--due", "fri")
    refused(run("skip", str(pid)), "one-off", f"handoff drop {pid}")
    assert notes(run) == []


# ------------------------------------------------------------------ two databases


def test_two_databases_doing_the_same_occurrence_move_on_one_step(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    a = ("--db", str(tmp_path / "a.db"))
    b = ("--db", str(tmp_path / "b.db"))

    def exchange(source: tuple[str, ...], target: tuple[str, ...], name: str) -> dict[str, Any]:
        path = tmp_path / name
        ok(run(*source, "export", "--format", "json", "-o", str(path)))
        data: dict[str, Any] = ok(run(*target, "import", str(path), "--json")).json()
        return data

    pid = make(
        run, "Acme", "Monthly status report", "--every", "monthly", "--start", "2026-10-23", db=a
    )
    exchange(a, b, "a0.json")
    assert next_due(run, pid, *b) == "2026-10-23"

    # Both do October and November, each on their own machine.
    assert ok(run(*a, "done", str(pid), "--json")).json()["next_due"] == "2026-12-23"
    monkeypatch.setenv("HANDOFF_AUTHOR", "bob")
    assert ok(run(*b, "done", str(pid), "--json")).json()["next_due"] == "2026-12-23"
    exchange(b, a, "b1.json")
    exchange(a, b, "a1.json")
    for db in (a, b):
        assert next_due(run, pid, *db) == "2026-12-23"  # one step on, not two
        bundle = ok(run(*db, "export", "--format", "json")).json()
        (promise,) = bundle["clients"][0]["promises"]
        assert len(promise["completions"]) == 2  # both kept, counted once
        (item,) = ok(run(*db, "due", "--as-of", "2026-12-23", "--json")).json()["items"]
        assert (item["due"], item["status"]) == ("2026-12-23", "today")
    # The same bundles again add nothing and change nothing.
    again = ok(run(*a, "import", str(tmp_path / "b1.json"), "--json")).json()
    assert again["completions"]["added"] == 0
    assert next_due(run, pid, *a) == "2026-12-23"

    # Alice takes hers back: Bob's completion still covers October and November.
    monkeypatch.setenv("HANDOFF_AUTHOR", "alice")
    undone = ok(run(*a, "undo", str(pid), "--json")).json()
    assert undone["covered"] == [] and undone["next_due"] == "2026-12-23"
    assert undone["still_covered"] == ["2026-10-23", "2026-11-23"]
    exchange(a, b, "a2.json")
    for db in (a, b):
        assert next_due(run, pid, *db) == "2026-12-23"

    # Bob takes his back too, on his machine: now nobody did them.
    monkeypatch.setenv("HANDOFF_AUTHOR", "bob")
    undone = ok(run(*b, "undo", str(pid), "--json")).json()
    assert undone["covered"] == ["2026-10-23", "2026-11-23"]
    assert undone["next_due"] == "2026-10-23"
    exchange(b, a, "b2.json")
    for db in (a, b):
        assert next_due(run, pid, *db) == "2026-10-23"
    refused(run(*a, "undo", str(pid)), "no completion or skip of yours")


def test_story_one_played_out_double_done_a_colleague_and_a_holiday_pause(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The issue's last 'done when': the next report is never lost."""
    alice = ("--db", str(tmp_path / "alice.db"))
    bob = ("--db", str(tmp_path / "bob.db"))

    def hand(source: tuple[str, ...], target: tuple[str, ...], who: str) -> None:
        path = tmp_path / f"{who}-{len(list(tmp_path.glob('*.json')))}.json"
        ok(run(*source, "export", "--format", "json", "-o", str(path)))
        ok(run(*target, "import", str(path), "--keep-owners"))

    def due_of(*db: str) -> tuple[str | None, list[str | None]]:
        data = ok(run(*db, "due", "--json")).json()
        return (data["items"][0]["due"] if data["items"] else None), [
            p["until"] for p in data["paused"]
        ]

    pid = str(make(run, "Acme", "Monthly status report", "--every", "monthly",
                   "--to", "Tanaka", "--start", "2026-09-23", db=alice))  # fmt: skip
    assert "61 days overdue, missed 2" in ok(run(*alice, "due")).stdout
    ok(run(*alice, "done", pid))
    refused(run(*alice, "done", pid), "2026-12-23")  # the slip of story 1, refused
    hand(alice, bob, "alice")

    at(monkeypatch, "2026-11-25T09:00:00+09:00")
    monkeypatch.setenv("HANDOFF_AUTHOR", "bob")
    refused(run(*bob, "done", pid), "2026-12-23")  # Bob sees it is done

    at(monkeypatch, "2026-12-18T09:00:00+09:00")
    monkeypatch.setenv("HANDOFF_AUTHOR", "alice")
    ok(run(*alice, "pause", pid, "--until", "2027-01-10"))  # the holiday
    hand(alice, bob, "alice")
    for db in (alice, bob):
        assert due_of(*db) == (None, ["2027-01-10"])  # listed apart, with the day it resumes

    at(monkeypatch, "2027-01-18T09:00:00+09:00")
    for db in (alice, bob):  # Dec 23 fell in the holiday; January's report is next
        assert due_of(*db) == ("2027-01-23", [])

    at(monkeypatch, "2027-01-23T17:00:00+09:00")
    monkeypatch.setenv("HANDOFF_AUTHOR", "bob")
    ok(run(*bob, "done", pid))
    hand(bob, alice, "bob")
    monkeypatch.setenv("HANDOFF_AUTHOR", "alice")
    refused(run(*alice, "done", pid), "2027-02-23")  # counted once, on both machines
    for db in (alice, bob):
        assert next_due(run, int(pid), *db) == "2027-02-23"


def test_undo_says_when_a_colleague_still_covers_the_occurrence(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    a = ("--db", str(tmp_path / "a.db"))
    b = ("--db", str(tmp_path / "b.db"))
    pid = make(run, "Acme", "Weekly call", "--every", "weekly", "--start", "2026-11-23", db=a)
    ok(run(*a, "export", "--format", "json", "-o", str(tmp_path / "a0.json")))
    ok(run(*b, "import", str(tmp_path / "a0.json")))
    monkeypatch.setenv("HANDOFF_AUTHOR", "bob")
    ok(run(*b, "done", str(pid)))
    ok(run(*b, "export", "--format", "json", "-o", str(tmp_path / "b1.json")))
    monkeypatch.setenv("HANDOFF_AUTHOR", "alice")
    ok(run(*a, "done", str(pid)))
    ok(run(*a, "import", str(tmp_path / "b1.json")))
    said = ok(run(*a, "undo", str(pid))).stdout
    assert "Nov 23 stays covered: bob did it too." in said  # whose, as the issue asks
    assert "owed again" not in said
    assert "2026-11-30" in said


# ------------------------------------------------------------------ the first version's data

MONTHLY_23 = "FREQ=MONTHLY;INTERVAL=1;BYMONTHDAY=23"
WEEKLY_MON = "FREQ=WEEKLY;INTERVAL=1;BYDAY=MO"
REPORT = "10000000-0000-4000-8000-000000000001"
CALL = "10000000-0000-4000-8000-000000000002"
HOLIDAY = "10000000-0000-4000-8000-000000000003"
ACME = "00000000-0000-4000-8000-00000000a001"
AT = "2026-11-23T09:00:00+09:00"

# (uuid, promise, day): two dones of the report on Nov 23, the slip of story 1.
V1_COMPLETIONS = [
    ("20000000-0000-4000-8000-000000000001", REPORT, "2026-11-23"),
    ("20000000-0000-4000-8000-000000000002", REPORT, "2026-11-23"),
    ("20000000-0000-4000-8000-000000000003", CALL, "2026-11-16"),
    ("20000000-0000-4000-8000-000000000004", HOLIDAY, "2026-08-03"),
]
# (uuid, title, rule, start, status, next_due as the first version left it)
V1_PROMISES = [
    (REPORT, "Monthly status report", MONTHLY_23, "2026-09-23", "open", "2027-01-23"),
    (CALL, "Weekly call", WEEKLY_MON, "2026-11-02", "open", "2026-11-23"),
    (HOLIDAY, "Weekly check-in", WEEKLY_MON, "2026-08-03", "paused", "2026-08-10"),
]


def make_version_one_db(path: Path) -> None:
    """A database as the first version left it (only m001), as tests/reliability makes one."""
    import sqlite_utils

    from handoff_cli import migrations
    from handoff_cli.searchtext import index_body

    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        later = [m.name for m in migrations.migrations._migrations[1:]]
        migrations.migrations.apply(sqlite_utils.Database(conn), stop_before=later or None)
        conn.execute(f"PRAGMA application_id = {migrations.APPLICATION_ID}")
        conn.execute("PRAGMA user_version = 1")
        conn.execute(
            "INSERT INTO clients (id, uuid, name, key, created_at)"
            " VALUES (1, ?, 'Acme', 'acme', ?)",
            [ACME, AT],
        )
        for pid, (uuid, title, rule, start, status, due) in enumerate(V1_PROMISES, 1):
            conn.execute(
                "INSERT INTO promises (id, uuid, client_id, title, rule, start, status, next_due,"
                " created_at) VALUES (?, ?, 1, ?, ?, ?, ?, ?, ?)",
                [pid, uuid, title, rule, start, status, due, AT],
            )
            conn.execute(
                "INSERT INTO promises_fts (rowid, body) VALUES (?, ?)", [pid, index_body(title)]
            )
        ids = {p[0]: i for i, p in enumerate(V1_PROMISES, 1)}
        conn.executemany(
            "INSERT INTO completions (uuid, promise_id, at, day) VALUES (?, ?, ?, ?)",
            [
                (uuid, ids[promise], f"{day}T09:00:00+09:00", day)
                for uuid, promise, day in V1_COMPLETIONS
            ],
        )
        conn.execute("COMMIT")
    finally:
        conn.close()


def version_one_bundle() -> dict[str, Any]:
    """The same data as the first version exported it (bundle version 1)."""
    by_promise: dict[str, list[dict[str, Any]]] = {}
    for uuid, promise, day in V1_COMPLETIONS:
        by_promise.setdefault(promise, []).append(
            {"uuid": uuid, "at": f"{day}T09:00:00+09:00", "day": day, "note": None}
        )
    return {
        "format": "handoff-bundle",
        "version": 1,
        "exported_at": AT,
        "author": "alice",
        "clients": [
            {
                "uuid": ACME,
                "name": "Acme",
                "contacts": [],
                "notes": [],
                "promises": [
                    {
                        "uuid": uuid,
                        "title": title,
                        "to": None,
                        "rule": rule,
                        "start": start,
                        "after_done": False,
                        "status": status,
                        "next_due": due,
                        "resumed_on": None,
                        "created_at": AT,
                        "completions": by_promise.get(uuid, []),
                    }
                    for uuid, title, rule, start, status, due in V1_PROMISES
                ],
            }
        ],
    }


def by_title(run: Run, *db: str) -> dict[str, dict[str, Any]]:
    return {p["title"]: p for p in ok(run(*db, "promises", "--all", "--json")).json()}


def test_a_version_one_database_keeps_every_completion_and_says_what_moved_back(
    run: Run, tmp_path: Path
) -> None:
    path = tmp_path / "v1.db"
    make_version_one_db(path)
    db = ("--db", str(path))

    first = ok(run(*db, "promises", "--all", "--json"))
    told = [line for line in first.stderr.splitlines() if line]
    assert told == [
        "note: #1 Monthly status report: a second done on Nov 23 had skipped Dec 23;"
        " it is due again"
    ]
    assert ok(run(*db, "due")).stderr == ""  # said once
    promises = {p["title"]: p for p in first.json()}
    assert promises["Monthly status report"]["next_due"] == "2026-12-23"  # was 2027-01-23
    assert promises["Weekly call"]["next_due"] == "2026-11-23"  # unchanged, nothing said

    # Every completion is kept (the repeated one covers nothing now).
    conn = sqlite3.connect(path)
    try:
        kept = dict(conn.execute("SELECT uuid, covers FROM completions").fetchall())
    finally:
        conn.close()
    assert set(kept) == {c[0] for c in V1_COMPLETIONS}
    covers = sorted(json.loads(kept[c[0]]) for c in V1_COMPLETIONS[:2])
    assert covers == [[], ["2026-09-23", "2026-10-23", "2026-11-23"]]

    # December is owed again: a done on Dec 23 covers it; a second done today is refused.
    refused(run(*db, "done", "1"), "2026-12-23")


def test_a_version_one_bundle_gives_the_same_next_due_as_the_migrated_database(
    run: Run, tmp_path: Path
) -> None:
    path = tmp_path / "v1.db"
    make_version_one_db(path)
    migrated = by_title(run, "--db", str(path))

    bundle = tmp_path / "v1.json"
    bundle.write_text(json.dumps(version_one_bundle()), encoding="utf-8")
    fresh = ("--db", str(tmp_path / "fresh.db"))
    counts = ok(run(*fresh, "import", str(bundle), "--json")).json()
    assert counts["completions"]["added"] == len(V1_COMPLETIONS)  # every one kept
    imported = by_title(run, *fresh)
    for title in ("Monthly status report", "Weekly call"):
        assert imported[title]["next_due"] == migrated[title]["next_due"], title
    assert imported["Monthly status report"]["next_due"] == "2026-12-23"

    # Importing it again, or into the migrated database, changes nothing.
    again = ok(run(*fresh, "import", str(bundle), "--json")).json()
    assert again["completions"]["added"] == 0
    ok(run("--db", str(path), "import", str(bundle)))
    assert by_title(run, "--db", str(path))["Monthly status report"]["next_due"] == "2026-12-23"
    assert by_title(run, *fresh)["Monthly status report"]["next_due"] == "2026-12-23"


MOVED_BACK = "#1 Monthly status report: a second done on Nov 23 had skipped Dec 23; it is due again"


def test_importing_a_version_one_bundle_says_which_next_due_moved_back(
    run: Run, tmp_path: Path
) -> None:
    """The same line as the upgrade of a version-1 database, once, and in --json a list."""
    bundle = tmp_path / "v1.json"
    bundle.write_text(json.dumps(version_one_bundle()), encoding="utf-8")
    fresh = ("--db", str(tmp_path / "fresh.db"))

    dry = ok(run(*fresh, "import", str(bundle), "--dry-run", "--json"))
    assert dry.json()["moved_back"] == [MOVED_BACK]
    assert not (tmp_path / "fresh.db").exists()

    told = ok(run(*fresh, "import", str(bundle)))
    assert told.stderr.splitlines() == [f"note: {MOVED_BACK}"]
    assert "Imported" in told.stdout
    assert by_title(run, *fresh)["Monthly status report"]["next_due"] == "2026-12-23"

    # Again: nothing moves, nothing is said.
    again = ok(run(*fresh, "import", str(bundle), "--json"))
    assert again.stderr == ""
    assert again.json()["moved_back"] == []

    # Into the upgraded database: the upgrade said it already; the import does not repeat it.
    path = tmp_path / "v1.db"
    make_version_one_db(path)
    ok(run("--db", str(path), "due"))  # the upgrade, with its own note
    into = ok(run("--db", str(path), "import", str(bundle), "--json"))
    assert (into.stderr, into.json()["moved_back"]) == ("", [])

    # A version-2 bundle (the export) never has one.
    v2 = tmp_path / "v2.json"
    ok(run(*fresh, "export", "--format", "json", "-o", str(v2)))
    other = ok(run("--db", str(tmp_path / "other.db"), "import", str(v2), "--json"))
    assert (other.stderr, other.json()["moved_back"]) == ("", [])


def test_a_promise_paused_in_the_first_version_owes_nothing_from_its_pause_on(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first version's `resume` excused everything before the day it resumed: a weekly
    check-in paused in August must not come back with fifteen weeks overdue."""
    path = tmp_path / "v1.db"
    make_version_one_db(path)
    db = ("--db", str(path))
    due = ok(run(*db, "due", "--json")).json()
    assert [p["title"] for p in due["paused"]] == ["Weekly check-in"]
    resumed = ok(run(*db, "resume", "3", "--json")).json()
    assert resumed["next_due"] == "2026-11-23"  # as the first version would have said

    bundle = tmp_path / "v1.json"
    bundle.write_text(json.dumps(version_one_bundle()), encoding="utf-8")
    fresh = ("--db", str(tmp_path / "fresh.db"))
    ok(run(*fresh, "import", str(bundle), "--keep-owners"))
    assert [p["title"] for p in ok(run(*fresh, "due", "--json")).json()["paused"]] == [
        "Weekly check-in"
    ]
    pid = by_title(run, *fresh)["Weekly check-in"]["id"]
    assert ok(run(*fresh, "resume", str(pid), "--json")).json()["next_due"] == "2026-11-23"


def test_an_upgraded_database_with_a_pause_imports_its_own_export(run: Run, tmp_path: Path) -> None:
    """The upgrade named its pause events so that no bundle accepted them: a database
    upgraded from the first version could not import its own export."""
    path = tmp_path / "v1.db"
    make_version_one_db(path)
    db = ("--db", str(path))
    exported = tmp_path / "mine.json"
    ok(run(*db, "export", "-o", str(exported)))
    pauses = [
        pause["uuid"]
        for client in json.loads(exported.read_text(encoding="utf-8"))["clients"]
        for promise in client["promises"]
        for pause in promise["pauses"]
    ]
    assert pauses and all(len(uuid) == 36 for uuid in pauses)
    ok(run(*db, "import", str(exported)))
    fresh = ("--db", str(tmp_path / "fresh.db"))
    ok(run(*fresh, "import", str(exported), "--keep-owners"))
    assert [p["title"] for p in ok(run(*fresh, "due", "--json")).json()["paused"]] == [
        "Weekly check-in"
    ]


# ------------------------------------------------------------------ log --done


def test_log_done_is_refused_whole_where_done_would_be(run: Run) -> None:
    pid = make(run, "Acme", "Monthly status report", "--every", "monthly", "--start", "2026-11-23")
    p = str(pid)
    ok(run("log", "Acme", "sent the report", "--done", p))
    assert next_due(run, pid) == "2026-12-23"

    # Nothing due now: `done` would refuse, so the note is refused with it.
    refused(run("log", "Acme", "sent it again", "--done", p), "nothing is due yet", "2026-12-23")
    # The same promise twice in one note: the second covers nothing.
    refused(run("log", "Acme", "sent two", "--done", p, "--done", p))
    # A done in the future, or before the start.
    refused(run("log", "Acme", "tomorrow", "--done", p, "--at", "tomorrow"), "future")
    refused(run("log", "Acme", "long ago", "--done", p, "--at", "2026-10-01"), "starts 2026-11-23")
    assert notes(run) == ["sent the report"]
    assert next_due(run, pid) == "2026-12-23"
    ok(run("pause", p))
    refused(run("log", "Acme", "while paused", "--done", p), "paused")
    assert notes(run) == ["sent the report"]
    bundle = ok(run("export", "--format", "json")).json()
    assert len(bundle["clients"][0]["promises"][0]["completions"]) == 1


# ------------------------------------------------------------------ modify


def test_modify_every_keeps_what_the_old_rule_had_covered(run: Run) -> None:
    pid = make(run, "Acme", "Weekly call", "--every", "weekly on mon", "--start", "2026-11-02")
    p = str(pid)
    kept = ok(run("done", p, "--json")).json()
    assert kept["covered"] == ["2026-11-02", "2026-11-09", "2026-11-16", "2026-11-23"]

    changed = ok(run("modify", p, "--every", "weekly on wed", "--json")).json()
    # Nov 4, 11 and 18 fall on or before Nov 23, the last day covered: none is owed.
    assert changed["next_due"] == "2026-11-25"
    assert "2026-11-25" in ok(run("modify", p, "--title", "Weekly call (Wed)")).stdout
    # History is kept: the completion is still there, and undo still takes it back.
    bundle = ok(run("export", "--format", "json")).json()
    assert len(bundle["clients"][0]["promises"][0]["completions"]) == 1

    # A monthly rule from a start in the past: only occurrences after Nov 23 are owed.
    monthly = ok(run("modify", p, "--every", "monthly on day 5", "--json")).json()
    assert monthly["next_due"] == "2026-12-05"


def test_modify_after_doing_a_later_occurrence_keeps_the_earlier_ones_owed(run: Run) -> None:
    """A `done --for` ahead of time is not a done of what is overdue: a rule change must not
    make September, October and November disappear."""
    pid = make(run, "Acme", "Monthly status report", "--every", "monthly", "--start", "2026-09-23")
    p = str(pid)
    ok(run("done", p, "--for", "2026-12-23"))
    assert next_due(run, pid) == "2026-09-23"
    changed = ok(run("modify", p, "--every", "monthly on day 25", "--json")).json()
    assert changed["next_due"] == "2026-09-25"
    (item,) = ok(run("due", "--json")).json()["items"]
    assert item["status"] == "overdue" and item["missed"] == 2  # Sep 25, Oct 25


def test_modify_a_recurring_promise_into_a_one_off_keeps_it_owed(run: Run) -> None:
    pid = make(run, "Acme", "Weekly call", "--every", "weekly", "--start", "2026-11-02")
    ok(run("done", str(pid)))
    changed = ok(run("modify", str(pid), "--due", "fri", "--json")).json()
    assert (changed["rule"], changed["status"], changed["next_due"]) == (None, "open", "2026-11-27")
    assert [i["id"] for i in ok(run("due", "--json")).json()["items"]] == [pid]
    kept = ok(run("done", str(pid), "--json")).json()
    assert (kept["status"], kept["covered"]) == ("done", ["2026-11-27"])


def promise_json(run: Run, pid: int, *db: str) -> dict[str, Any]:
    (found,) = [p for p in ok(run(*db, "promises", "--all", "--json")).json() if p["id"] == pid]
    return found


def test_modify_start_moves_where_a_recurring_promise_begins(run: Run) -> None:
    pid = make(run, "Acme", "Weekly call", "--every", "weekly on mon", "--start", "2026-11-02")
    p = str(pid)
    (item,) = ok(run("due", "--json")).json()["items"]
    assert (item["due"], item["missed"]) == ("2026-11-02", 3)  # Nov 2, 9 and 16 missed

    moved = ok(run("modify", p, "--start", "2026-11-16"))
    assert (
        moved.stdout == "Modified #1 Weekly call (Acme). Next due Mon 2026-11-16, weekly on Mon.\n"
    )
    shown = promise_json(run, pid)
    assert (shown["start"], shown["next_due"]) == ("2026-11-16", "2026-11-16")
    (item,) = ok(run("due", "--json")).json()["items"]
    assert (item["due"], item["missed"]) == ("2026-11-16", 1)

    # A start before 1900 is refused and changes nothing; so is --start on a one-off.
    refused(run("modify", p, "--start", "1899-12-31"), "out of range")
    one_off = make(run, "Acme", "Send the quote", "--due", "fri")
    refused(run("modify", str(one_off), "--start", "2026-12-01"), "--due WHEN")
    assert promise_json(run, pid)["start"] == "2026-11-16"
    assert promise_json(run, one_off)["next_due"] == "2026-11-27"


def test_modify_after_done_and_calendar_switch_how_the_next_one_is_counted(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    pid = make(run, "Acme", "Check the backup", "--every", "weekly on mon", "--start", "2026-11-16")
    p = str(pid)
    counted = ok(run("modify", p, "--after-done", "--json")).json()
    assert (counted["after_done"], counted["every"]) == (True, "every week after it is done")
    assert counted["next_due"] == "2026-11-16"

    at(monkeypatch, "2026-11-25T10:00:00+09:00")  # a Wednesday: done late, counted from today
    assert ok(run("done", p, "--json")).json()["covered"] == ["2026-11-16"]
    assert promise_json(run, pid)["next_due"] == "2026-12-02"  # a week after Wed Nov 25
    refused(run("done", p), "--early")  # before the next due date: --early as well

    # Back to the calendar: Mondays again; Nov 23 fell after what the done covered, so it is owed.
    back = ok(run("modify", p, "--calendar"))
    assert back.stdout == (
        "Modified #1 Check the backup (Acme). Next due Mon 2026-11-23, weekly on Mon.\n"
    )
    shown = promise_json(run, pid)
    assert (shown["after_done"], shown["next_due"]) == (False, "2026-11-23")
    # Neither flag on a one-off.
    one_off = make(run, "Acme", "Send the quote", "--due", "fri")
    refused(run("modify", str(one_off), "--after-done"), "recurring")


def test_modify_client_moves_the_promise_with_its_history(run: Run) -> None:
    pid = make(run, "Acme", "Monthly report", "--every", "monthly", "--start", "2026-10-23")
    p = str(pid)
    ok(run("log", "Beta", "first call"))
    ok(run("done", p))
    moved = ok(run("modify", p, "--client", "beta", "--json")).json()
    assert (moved["client"], moved["next_due"]) == ("Beta", "2026-12-23")
    assert [x["title"] for x in ok(run("show", "Beta", "--json")).json()["promises"]] == [
        "Monthly report"
    ]
    assert ok(run("show", "Acme", "--json")).json()["promises"] == []
    assert "Done: Monthly report" in [
        n["text"] for n in ok(run("show", "Acme", "--json")).json()["notes"]
    ]
    # Its completion moved with it: undo takes it back, and Oct and Nov are owed again.
    assert ok(run("undo", p, "--json")).json()["next_due"] == "2026-10-23"
    ok(run("done", p))
    # An unknown client is refused, and the promise stays where it is.
    refused(run("modify", p, "--client", "Nowhere"), "no client named 'Nowhere'")
    assert promise_json(run, pid)["client"] == "Beta"


def test_modify_to_nothing_clears_the_recipient(run: Run) -> None:
    pid = make(run, "Acme", "Monthly report", "--every", "monthly", "--to", "Tanaka")
    assert promise_json(run, pid)["to"] == "Tanaka"
    cleared = ok(run("modify", str(pid), "--to", "", "--json")).json()
    assert cleared["to"] is None
    assert "Tanaka" not in ok(run("promises")).stdout
    shown = ok(run("show", "Acme", "--json")).json()
    assert shown["promises"][0]["to"] is None
    assert [c["name"] for c in shown["contacts"]] == ["Tanaka"]  # the person stays a contact


def test_modify_every_refuses_a_costly_rule_as_promise_does(run: Run) -> None:
    pid = make(run, "Acme", "Weekly call", "--every", "weekly on mon", "--start", "2026-11-16")
    p = str(pid)
    before = promise_json(run, pid)
    never = refused(
        run("modify", p, "--every", "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30"),
        "has no occurrence in the ten years from 2026-11-16",
    )
    assert never.stderr.startswith("error: the rule FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30 ")
    refused(run("modify", p, "--every", "daily", "--start", "1899-12-31"), "out of range")
    assert promise_json(run, pid) == before  # nothing changed


# ------------------------------------------------------------------ pause --until


def test_pause_until_resumes_by_itself_and_the_weeks_paused_are_not_owed(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    pid = make(run, "Acme", "Weekly call", "--every", "weekly on mon", "--start", "2026-11-02")
    p = str(pid)
    ok(run("done", p))
    paused = ok(run("pause", p, "--until", "2026-12-15", "--json")).json()
    assert paused["status"] == "paused"
    due = ok(run("due", "--json")).json()
    assert due["items"] == []
    assert due["paused"] == [
        {
            "id": pid,
            "client": "Acme",
            "title": "Weekly call",
            "owner": "alice",
            "until": "2026-12-15",
        }
    ]
    assert "resumes Tue 2026-12-15" in ok(run("due")).stdout
    refused(run("done", p), "paused", f"handoff resume {p}")
    refused(run("skip", p), "paused")
    assert ok(run("due", "--check")).exit_code == 0  # paused: nothing owed

    # Planning: as of the day it resumes, Nov 30, Dec 7 and Dec 14 are not owed.
    planned = ok(run("due", "--as-of", "2026-12-21", "--json")).json()
    assert planned["paused"] == []
    assert [(i["due"], i["status"], i["missed"]) for i in planned["items"]] == [
        ("2026-12-21", "today", 0)
    ]
    at(monkeypatch, "2026-12-16T09:00:00+09:00")
    due = ok(run("due", "--json")).json()
    assert due["paused"] == []
    assert [(i["due"], i["status"]) for i in due["items"]] == [("2026-12-21", "upcoming")]
    assert next_due(run, pid) == "2026-12-21"
    refused(run("resume", p), "cannot resume")


def test_a_pause_does_not_excuse_what_was_already_overdue(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    pid = make(run, "Acme", "Weekly call", "--every", "weekly on mon", "--start", "2026-11-16")
    p = str(pid)
    ok(run("pause", p, "--until", "2026-12-01"))  # Nov 16 was owed before the pause
    at(monkeypatch, "2026-12-02T09:00:00+09:00")
    (item,) = ok(run("due", "--json")).json()["items"]
    assert (item["due"], item["status"], item["missed"]) == ("2026-11-16", "overdue", 1)
    kept = ok(run("done", p, "--json")).json()
    assert kept["covered"] == ["2026-11-16"]  # Nov 23 and Nov 30 fell in the pause
    assert kept["next_due"] == "2026-12-07"


def test_resume_before_the_until_day_counts_from_then(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    pid = make(run, "Acme", "Weekly call", "--every", "weekly on mon", "--start", "2026-11-30")
    p = str(pid)
    ok(run("pause", p, "--until", "2027-01-31"))
    at(monkeypatch, "2026-12-08T09:00:00+09:00")
    resumed = ok(run("resume", p, "--json")).json()
    assert (resumed["status"], resumed["next_due"]) == ("open", "2026-12-14")
    assert ok(run("due", "--json")).json()["paused"] == []


# ------------------------------------------------------------------ due --check


def test_due_check_exit_codes(run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    missing = tmp_path / "nowhere" / "handoff.db"
    nothing = run("--db", str(missing), "due", "--check")
    assert nothing.exit_code == 3 and "no handoff database" in nothing.stderr
    assert run("--db", str(missing), "due", "--check", "--json").exit_code == 3
    assert not missing.exists()

    pid = make(run, "Acme", "Send the quote", "--due", "tomorrow")
    assert run("due", "--check").exit_code == 0  # upcoming only
    at(monkeypatch, "2026-11-24T08:00:00+09:00")
    assert run("due", "--check").exit_code == 1  # due today counts
    at(monkeypatch, "2026-11-25T08:00:00+09:00")
    assert run("due", "--check").exit_code == 1  # overdue
    ok(run("pause", str(pid)))  # a one-off can be paused too: not owed while paused
    assert run("due", "--check").exit_code == 0
    ok(run("resume", str(pid)))
    ok(run("done", str(pid)))
    assert run("due", "--check").exit_code == 0


# ------------------------------------------------------------------ a deadline's time


def test_a_one_off_given_a_time_is_overdue_once_the_time_has_passed(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    pid = make(run, "Acme", "Answer the quota question", "--due", "fri 18:00")
    (item,) = ok(run("due", "--json")).json()["items"]
    assert (item["id"], item["due"], item["due_at"], item["status"]) == (
        pid,
        "2026-11-27",
        "2026-11-27T18:00:00+09:00",
        "upcoming",
    )
    assert "Fri 2026-11-27 18:00" in ok(run("due")).stdout

    at(monkeypatch, "2026-11-27T17:59:00+09:00")
    (item,) = ok(run("due", "--json")).json()["items"]
    assert item["status"] == "today"
    assert "due today 18:00" in ok(run("due")).stdout
    assert run("due", "--check").exit_code == 1

    at(monkeypatch, "2026-11-27T18:01:00+09:00")
    (item,) = ok(run("due", "--json")).json()["items"]
    assert (item["status"], item["days_overdue"]) == ("overdue", 0)
    assert "overdue since 18:00" in ok(run("due")).stdout

    at(monkeypatch, "2026-11-28T09:00:00+09:00")
    (item,) = ok(run("due", "--json")).json()["items"]
    assert (item["status"], item["days_overdue"], item["missed"]) == ("overdue", 1, 1)

    # Without a time, a deadline is the whole day.
    other = make(run, "Acme", "Call back", "--due", "today")
    at(monkeypatch, "2026-11-28T23:59:00+09:00")
    items = {i["id"]: i for i in ok(run("due", "--json")).json()["items"]}
    assert (items[other]["status"], items[other]["due_at"]) == ("today", None)


# ------------------------------------------------------------------ the handover document
# Found while testing issue 10; the code is in cli/transfer.py (the Markdown export),
# outside what this change may touch, so these are marked until it is fixed there.


def test_the_handover_counts_missed_as_due_does(run: Run) -> None:
    make(run, "Acme", "Monthly status report", "--every", "monthly", "--start", "2026-09-23")
    (item,) = ok(run("due", "--json")).json()["items"]
    assert item["missed"] == 2  # Sep 23, Oct 23; Nov 23 is due today
    handover = ok(run("export", "--until", "2026-12-31")).stdout
    (line,) = [x for x in handover.splitlines() if x.startswith("| Wed 2026-09-23")]
    assert "missed 2" in line


def test_the_handover_lists_what_falls_due_after_a_pause_ends_by_itself(run: Run) -> None:
    pid = make(run, "Acme", "Weekly call", "--every", "weekly on mon", "--start", "2026-11-23")
    ok(run("done", str(pid)))
    ok(run("pause", str(pid), "--until", "2026-12-15"))
    planned = ok(run("due", "--as-of", "2026-12-21", "--json")).json()["items"]
    assert [i["due"] for i in planned] == ["2026-12-21"]  # due itself knows
    handover = ok(run("export", "--until", "2026-12-31")).stdout
    assert "until someone runs `handoff resume ID`" not in handover
    agenda = handover[handover.index("## What needs doing") : handover.index("## Acme")]
    assert "Weekly call" in agenda and "2026-12-21" in agenda
