"""What a git host, or a removed member with their old keys, tries against an encrypted team.

Each test here began as a reproduction from a review, showing the attack
working; it now shows the attack failing, through the real CLI.
"""

# The fixtures `team` and `remote` come from test_team_encrypted; ruff takes them for
# redefinitions where a test names them as arguments.
# ruff: noqa: F811

from __future__ import annotations

import json
import subprocess
import zlib
from pathlib import Path

import pytest
from team_support import Person
from test_team_encrypted import (
    MON,
    SECRET_CLIENT,
    TUE,
    WED,
    admit,
    clone,
    device,
    fake_chunk,
    host_checkout,
    host_push,
    member,
    meta,
    remote,  # noqa: F401
    team,  # noqa: F401
)

from handoff_cli.team import crypto, vault


def keys_of(person: Person) -> crypto.DeviceKeys:
    folder = Path(person.env["XDG_CONFIG_HOME"]) / "handoff" / "keys"
    return crypto.DeviceKeys.load(folder / f"{device(person)}.json")


def signed(keys: crypto.DeviceKeys, statement: dict[str, object]) -> dict[str, object]:
    return {**statement, "signature": keys.sign(crypto.canonical(statement))}


def holder_of(person: Person) -> str:
    return vault.holder(member(person), device(person))


def pull(work: Path) -> None:
    subprocess.run(["git", "-C", str(work), "pull", "-q", "origin", "main"], check=True)


def test_a_removed_member_cannot_admit_a_new_key(
    tmp_path: Path, team: dict[str, Person], remote: Path
) -> None:
    alice, bob, carol = team["alice"], team["bob"], team["carol"]
    alice.ok("team", "remove", "carol", "--yes", now=TUE)
    work = host_checkout(tmp_path, remote)
    zed = crypto.DeviceKeys.generate()
    statement = {"kind": "admit", "member": "zed", "device": "dev", "name": "zed",
                 "keys": zed.public.record(), "by": holder_of(carol)}  # fmt: skip
    path = work / "trust" / f"admit.zed.dev.by.{holder_of(carol)}.json"
    path.write_text(json.dumps(signed(keys_of(carol), statement)))
    host_push(work)
    for _ in range(2):  # bob learns the removal and the late admission in one pass
        bob.ok("sync", now=TUE)
    assert "zed.dev" not in json.loads(meta(bob, "vault.trust"))["pinned"]
    alice.ok("log", SECRET_CLIENT, "after carol left: new pricing", now=WED)
    alice.ok("sync", now=WED)
    bob.ok("sync", now=WED)
    pull(work)
    assert not list((work / "keys").rglob("zed.dev.age"))


def test_a_newcomer_never_trusts_a_key_a_removed_member_admitted(
    tmp_path: Path, team: dict[str, Person], remote: Path
) -> None:
    """dave joins after it all: reading the statements in any order, he must find that
    carol was out before she signed zed in, and still read carol's earlier notes."""
    alice, carol = team["alice"], team["carol"]
    carol.ok("log", SECRET_CLIENT, "carol's visit before she left", now=MON)
    carol.ok("sync", now=MON)
    alice.ok("sync", now=MON)
    alice.ok("team", "remove", "carol", "--yes", now=TUE)
    work = host_checkout(tmp_path, remote)
    zed = crypto.DeviceKeys.generate()
    statement = {"kind": "admit", "member": "zed", "device": "dev", "name": "zed",
                 "keys": zed.public.record(), "by": holder_of(carol)}  # fmt: skip
    path = work / "trust" / f"admit.zed.dev.by.{holder_of(carol)}.json"
    path.write_text(json.dumps(signed(keys_of(carol), statement)))
    host_push(work)
    dave = Person(tmp_path, "dave")
    dave.ok("team", "init", str(remote), "--name", "dave", now=WED)
    alice.ok("sync", now=WED)
    admit(alice, "dave")
    dave.ok("sync", now=WED)
    assert "zed.dev" not in json.loads(meta(dave, "vault.trust"))["pinned"]
    assert "carol's visit before she left" in dave.ok("show", SECRET_CLIENT, now=WED).stdout


def test_two_members_removing_each_other_lock_both_out(
    tmp_path: Path, team: dict[str, Person], remote: Path
) -> None:
    """carol, removed, answers by removing alice: bob, who saw neither yet, cannot tell
    which came first. Both are out for him (said), and carol gets no new key."""
    alice, bob, carol = team["alice"], team["bob"], team["carol"]
    alice.ok("team", "remove", "carol", "--yes", now=TUE)
    work = host_checkout(tmp_path, remote)
    counter = {"kind": "revoke", "member": member(alice), "files": {}, "epoch": 2,
               "vouched": [], "by": holder_of(carol)}  # fmt: skip
    path = work / "trust" / f"revoke.{member(alice)}.by.{holder_of(carol)}.json"
    path.write_text(json.dumps(signed(keys_of(carol), counter)))
    host_push(work)
    synced = bob.json("sync", now=WED)
    assert any("removed each other" in w for w in synced["warnings"])
    assert "removed each other" in bob.ok("team", now=WED).stdout
    bob.ok("log", SECRET_CLIENT, "bob writes later", now=WED)
    bob.ok("sync", now=WED)
    pull(work)
    held = []
    for path in (work / "keys").rglob(f"{holder_of(carol)}.age"):
        held.append(keys_of(carol).decrypt(path.read_bytes()).decode())
    newest = sorted((work / "log" / member(bob) / device(bob)).glob("*.age"))[-1]
    with pytest.raises(crypto.CryptoError):
        crypto.decrypt(newest.read_bytes(), held)
    # alice, who made the first removal, does not take carol's answer as standing.
    assert member(alice) not in json.loads(meta(alice, "vault.trust"))["removed"]


def test_remove_goes_by_the_signed_name_not_the_member_files(
    tmp_path: Path, team: dict[str, Person], remote: Path
) -> None:
    alice, bob, carol = team["alice"], team["bob"], team["carol"]
    work = host_checkout(tmp_path, remote)
    files = {p: work / "members" / f"{member(p)}.json" for p in (bob, carol)}
    data = {p: json.loads(f.read_text()) for p, f in files.items()}
    data[bob]["name"], data[carol]["name"] = "carol", "bob"  # the host swaps two names
    for p, f in files.items():
        f.write_text(json.dumps(data[p]))
    host_push(work)
    alice.ok("sync", now=TUE)
    shown = alice.ok("team", "remove", "bob", "--yes", now=TUE).stdout
    assert keys_of(bob).public.fingerprint() in shown
    alice.ok("log", SECRET_CLIENT, "after bob left", now=WED)
    alice.ok("sync", now=WED)
    assert bob.run("sync", now=WED).exit_code == 3
    carol.ok("sync", now=WED)
    assert "after bob left" in carol.ok("show", SECRET_CLIENT, now=WED).stdout


def test_a_layout_switched_to_plain_is_refused(
    tmp_path: Path, team: dict[str, Person], remote: Path
) -> None:
    work = host_checkout(tmp_path, remote)
    layout_file = work / "handoff-team.json"
    layout_file.write_text(json.dumps({**json.loads(layout_file.read_text()), "encrypted": False}))
    host_push(work)
    dave = Person(tmp_path, "dave")
    dave.ok("log", "Dave Confidential GmbH", "a note about layoffs", now=TUE)
    for extra in ([], ["--encrypt"]):
        joined = dave.run("team", "init", str(remote), "--name", "dave", *extra, now=TUE)
        assert joined.exit_code == 3, joined.stdout
    found = subprocess.run(["git", "-C", str(remote), "grep", "-a", "-F", "layoffs", "main"],
                           capture_output=True, text=True, check=False)  # fmt: skip
    assert found.stdout == ""


def test_a_planted_founder_is_refused_and_trust_by_fingerprint_works(
    tmp_path: Path, team: dict[str, Person], remote: Path
) -> None:
    alice = team["alice"]
    work = host_checkout(tmp_path, remote)
    host = crypto.DeviceKeys.generate()
    _, recipient = crypto.new_team_identity()
    planted = "0.0"
    admission = {"kind": "admit", "member": "0", "device": "0", "name": "alice",
                 "keys": host.public.record(), "by": planted}  # fmt: skip
    (work / "trust" / f"admit.{planted}.by.{planted}.json").write_text(
        json.dumps(signed(host, admission))
    )
    epoch = {"kind": "epoch", "epoch": 1, "recipient": recipient, "holders": [], "by": planted}
    (work / "trust" / f"epoch.1.by.{planted}.json").write_text(json.dumps(signed(host, epoch)))
    host_push(work)
    dave = Person(tmp_path, "dave")
    dave.ok("log", "Dave Confidential GmbH", "a note about layoffs", now=TUE)
    refused = dave.run("team", "init", str(remote), "--name", "dave", now=TUE)
    assert refused.exit_code == 3 and "two founders" in refused.stderr
    fingerprint = alice.json("team", now=TUE)["fingerprint"]
    joined = dave.json("team", "init", str(remote), "--name", "dave", "--trust", fingerprint,
                       now=TUE)  # fmt: skip
    assert joined["trusted"] == {"name": "alice", "fingerprint": fingerprint}
    alice.ok("sync", now=TUE)
    admit(alice, "dave")
    assert dave.json("sync", now=TUE)["sent"] >= 1
    assert any(c["name"] == SECRET_CLIENT for c in dave.json("clients", now=TUE))
    typo = Person(tmp_path, "erin").run(
        "team", "init", str(remote), "--name", "erin", "--trust", "0000 0000 0000 0000", now=TUE
    )
    assert typo.exit_code == 2 and "no admitted device" in typo.stderr


def test_a_deleted_newest_chunk_does_not_swallow_the_next(
    tmp_path: Path, team: dict[str, Person], remote: Path
) -> None:
    alice, bob = team["alice"], team["bob"]
    alice.ok("log", SECRET_CLIENT, "note one", now=TUE)
    alice.ok("sync", now=TUE)
    bob.ok("sync", now=TUE)
    work = host_checkout(tmp_path, remote)
    sorted((work / "log" / member(alice) / device(alice)).glob("*.age"))[-1].unlink()
    host_push(work)
    alice.ok("sync", now=TUE)
    alice.ok("log", SECRET_CLIENT, "note two", now=WED)
    alice.ok("sync", now=WED)
    bob.ok("sync", now=WED)
    assert "note two" in bob.ok("show", SECRET_CLIENT, now=WED).stdout


def test_text_that_cannot_be_encoded_is_a_refusal_not_a_crash(
    tmp_path: Path, team: dict[str, Person], remote: Path
) -> None:
    alice, carol = team["alice"], team["carol"]
    work = host_checkout(tmp_path, remote)
    recipient = json.loads(next((work / "trust").glob("epoch.1.*.json")).read_text())["recipient"]
    plain = b'{"member":"x","device":"y","seq":99,"sha256":"\\ud800","signature":"AAAA"}\nx\n'
    chunk = work / "log" / member(alice) / device(alice) / "00000099.age"
    chunk.write_bytes(crypto.encrypt(zlib.compress(plain), [recipient]))
    by = holder_of(alice)
    statement = (
        f'{{"kind":"admit","member":"x","device":"y","by":"{by}","signature":"AAAA","k":"\\ud800"}}'
    )
    (work / "trust" / "admit.x.y.by.z.json").write_text(statement)
    host_push(work)
    result = carol.sh("sync")
    assert result.returncode == 3, result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert "00000099.age" in line and "signature does not verify" in line
    newcomer = Person(tmp_path, "dave").sh("team", "init", str(remote), "--name", "dave")
    assert newcomer.returncode == 0, newcomer.stderr


def test_a_sync_killed_while_writing_a_chunk_leaves_nothing_torn(
    tmp_path: Path, team: dict[str, Person], remote: Path
) -> None:
    alice, bob = team["alice"], team["bob"]
    folder = clone(alice) / "log" / member(alice) / device(alice)
    newest = sorted(folder.glob("*.age"))[-1]
    torn = folder / f".{int(newest.stem) + 1:08d}.age.tmp"  # what a kill mid-write leaves
    torn.write_bytes(newest.read_bytes()[:60])
    alice.ok("log", SECRET_CLIENT, "after the crash", now=TUE)
    alice.ok("sync", now=TUE)
    assert not torn.exists()
    listed = subprocess.run(["git", "-C", str(remote), "ls-tree", "-r", "--name-only", "main"],
                            capture_output=True, text=True, check=True).stdout  # fmt: skip
    assert ".tmp" not in listed
    bob.ok("sync", now=TUE)
    assert "after the crash" in bob.ok("show", SECRET_CLIENT, now=TUE).stdout


def test_team_keys_are_kept_so_a_damaged_copy_changes_nothing(
    tmp_path: Path, team: dict[str, Person], remote: Path
) -> None:
    alice, carol = team["alice"], team["carol"]
    work = host_checkout(tmp_path, remote)
    for path in (work / "keys").rglob(f"{holder_of(carol)}.age"):
        path.write_bytes(crypto.encrypt(b"not an identity", [keys_of(carol).public.age]))
    host_push(work)
    alice.ok("log", SECRET_CLIENT, "still readable", now=TUE)
    alice.ok("sync", now=TUE)
    for args in (("sync",), ("team",)):
        result = carol.sh(*args)
        assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    assert "still readable" in carol.sh("show", SECRET_CLIENT).stdout


def test_a_damaged_device_key_is_one_line(team: dict[str, Person]) -> None:
    carol = team["carol"]
    path = Path(carol.env["XDG_CONFIG_HOME"]) / "handoff" / "keys" / f"{device(carol)}.json"
    path.write_text(json.dumps({**json.loads(path.read_text()), "age": "AGE-SECRET-KEY-1BAD"}))
    result = carol.sh("sync")
    assert result.returncode == 3 and "Traceback" not in result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert "this device's keys" in line and "cannot be read" in line


def test_a_removed_member_cannot_rewrite_a_chunk_that_still_counts(
    tmp_path: Path, team: dict[str, Person], remote: Path
) -> None:
    alice, carol = team["alice"], team["carol"]
    carol.ok("log", SECRET_CLIENT, "carol's last honest note", now=MON)
    carol.ok("sync", now=MON)
    alice.ok("sync", now=MON)
    alice.ok("team", "remove", "carol", "--yes", now=TUE)
    work = host_checkout(tmp_path, remote)
    first = sorted((work / "log" / member(carol) / device(carol)).glob("*.age"))[0]
    recipient = json.loads(next((work / "trust").glob("epoch.1.*.json")).read_text())["recipient"]
    first.write_bytes(
        fake_chunk(keys_of(carol), member(carol), device(carol), int(first.stem), recipient)
    )
    host_push(work)
    dave = Person(tmp_path, "dave")
    dave.ok("team", "init", str(remote), "--name", "dave", now=WED)
    alice.ok("sync", now=WED)
    admit(alice, "dave")
    synced = dave.json("sync", now=WED)
    assert any(first.name in s and "after its member was removed" in s for s in synced["skipped"])
    names = [c["name"] for c in dave.json("clients", now=WED)]
    assert "Planted Corp" not in names and SECRET_CLIENT in names
    shown = dave.ok("show", SECRET_CLIENT, now=WED).stdout
    assert "carol's last honest note" in shown  # her chunks from before still count
