"""Story 2 through the real CLI: a partner falls ill, and the team carries on without her.

Three people (alice, bob, carol), each with their own home, config and
database, share a bare git repository on this machine; bob also works on a
second device. Nothing here waits for a background sync: everyone's config
says team.sync = "manual" and each syncs by hand.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from team_support import Person, bare_repository

MON = "2026-11-23T10:00:00+09:00"
WED = "2026-11-25T10:00:00+09:00"
FRI = "2026-11-27T20:00:00+09:00"  # the answer was due at 18:00


@pytest.fixture
def team(tmp_path: Path) -> dict[str, Person]:
    remote = bare_repository(tmp_path / "team.git")
    people = {
        "alice": Person(tmp_path, "alice"),
        "bob": Person(tmp_path, "bob"),
        "carol": Person(tmp_path, "carol"),
        "bob2": Person(tmp_path, "bob", device="-laptop"),
    }
    for key in ("alice", "bob", "carol", "bob2"):
        joined = people[key].json("team", "init", str(remote), "--name", people[key].name, now=MON)
        assert joined["name"] == people[key].name
    return people


def test_story_two_a_colleague_carries_on(team: dict[str, Person]) -> None:
    alice, bob, carol, laptop = team["alice"], team["bob"], team["carol"], team["bob2"]

    # Monday: alice logs the meeting, the urgent question, and how far she got.
    alice.ok(
        "log",
        "山田商事",
        "定例: 夜間にAPIがタイムアウトすると質問あり",
        "--with",
        "佐藤 花子",
        now=MON,
    )
    made = alice.json(
        "promise", "山田商事", "夜間タイムアウトの原因を回答", "--due", "fri 18:00",
        "--to", "佐藤 花子", now=MON,
    )  # fmt: skip
    alice.ok(
        "log", "山田商事", "DBAに確認中: バックアップと重なる疑い", "--on", str(made["id"]), now=MON
    )
    synced = alice.json("sync", now=MON)
    assert synced["sent"] >= 3 and synced["pushed"]
    # ... and then falls ill: she runs nothing more.

    # Wednesday: bob syncs and sees her promise, with where it stood.
    came = bob.json("sync", now=WED)
    (alice_in,) = [r for r in came["received"].values() if r["name"] == "alice"]
    assert alice_in["changes"]["note.add"] == 2 and alice_in["changes"]["promise.create"] == 1
    shown = bob.json("show", "山田商事", now=WED)
    (answer,) = shown["promises"]
    assert (answer["owner"], answer["due_at"][:16]) == ("alice", "2026-11-27T18:00")
    assert answer["progress"]["text"] == "DBAに確認中: バックアップと重なる疑い"
    assert answer["progress"]["author"] == "alice"
    human = bob.ok("show", "山田商事", now=WED).stdout
    assert "latest: 2026-11-23 10:00 alice: DBAに確認中" in human
    mine = bob.json("due", now=WED)
    assert mine["items"] == []  # alice's, and alice is a member: not in bob's own view
    everyone = bob.json("due", "--team", now=WED)
    assert [(i["owner"], i["title"]) for i in everyone["items"]] == [
        ("alice", "夜間タイムアウトの原因を回答")
    ]

    # Friday evening: the answer is late, and alice has been quiet for four days.
    flagged = bob.ok("due", "--team", now=FRI).stdout
    assert "! alice has not synced for 4 days and has 1 promise due" in flagged
    assert bob.json("due", now=FRI)["team"]["quiet"][0]["name"] == "alice"
    assert "quiet for 4 days" in bob.ok("team", now=FRI).stdout

    # bob takes it over, answers the client the same day, and syncs.
    pid = str(answer["id"])
    taken = bob.json("take", pid, now=FRI)
    assert taken[0]["owner"] == "bob"
    bob.ok("done", pid, "--note", "電話で回答: バックアップを04:00に移す", now=FRI)
    assert bob.json("sync", now=FRI)["pushed"]

    # carol, alice (back at work) and bob's laptop see bob as owner and the promise done.
    for person in (carol, alice, laptop):
        person.ok("sync", now=FRI)
        (seen,) = person.json("promises", "--all", "--team", now=FRI)
        assert (seen["owner"], seen["status"]) == ("bob", "done"), person.name
        notes = [n["text"] for n in person.json("show", "山田商事", now=FRI)["notes"]]
        assert notes[0].startswith("Done: 夜間タイムアウトの原因を回答")
    assert alice.json("due", now=FRI)["items"] == []


def test_one_person_on_two_devices_is_one_member(team: dict[str, Person]) -> None:
    bob, laptop, carol = team["bob"], team["bob2"], team["carol"]
    state = carol.json("team", now=MON)
    names = sorted(m["name"] for m in state["members"])
    assert names == ["alice", "bob", "carol"]  # bob's laptop did not make a fourth member
    made = laptop.json("promise", "Acme", "Quote", "--due", "fri", "--new-client", now=MON)
    assert made["owner"] == "bob"
    laptop.ok("sync", now=MON)
    bob.ok("sync", now=MON)
    (mine,) = bob.json("due", now=MON)["items"]  # on the desktop it is bob's own, in his due
    assert mine["title"] == "Quote"
    # undo takes back "my" latest completion, whichever of my devices made it
    bob.ok("done", str(mine["id"]), now=MON)
    bob.ok("sync", now=MON)
    laptop.ok("sync", now=MON)
    undone = laptop.json("undo", str(mine["id"]), now=MON)
    assert undone["status"] == "open"


def test_a_member_who_left_leaves_no_promise_without_an_owner(
    team: dict[str, Person], tmp_path: Path
) -> None:
    alice, bob = team["alice"], team["bob"]
    # A promise imported from someone outside the team (dan handed it over by bundle)
    dan = Person(tmp_path, "dan")
    dan.ok("promise", "Globex", "Renewal quote", "--due", "wed", "--new-client", now=MON)
    bundle = tmp_path / "dan.json"
    dan.ok("export", "--format", "json", "-o", str(bundle), now=MON)
    alice.ok("import", str(bundle), "--keep-owners", now=MON)
    alice.ok("sync", now=MON)
    bob.ok("sync", now=MON)
    # dan is not a member: his promise is in everyone's own `due`, so nobody misses it
    for person in (alice, bob):
        (item,) = person.json("due", now=MON)["items"]
        assert (item["owner"], item["title"]) == ("dan", "Renewal quote")
    assert bob.json("team", now=MON)["unowned_open"] == 1


def test_promises_says_when_only_colleagues_have_some(team: dict[str, Person]) -> None:
    alice, bob = team["alice"], team["bob"]
    alice.ok("promise", "Acme", "Send the quote", "--due", "fri", "--new-client", now=MON)
    alice.ok("sync", now=MON)
    bob.ok("sync", now=MON)
    text = bob.ok("promises", now=MON).stdout
    assert "None of yours; colleagues have 1 promise (`handoff promises --team`" in text
    assert "Send the quote" in bob.ok("promises", "--team", now=MON).stdout
    assert bob.json("promises", now=MON) == []
