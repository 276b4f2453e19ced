"""An encrypted team through the real CLI: what the git host sees, admission, removal,
and refusals.

Three people (alice starts the team, bob and carol join) share a bare
repository on this machine. The host is played by the tests themselves: they
read the bare repository with git, and write into it as a host could.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from team_support import Person, bare_repository

from handoff_cli.team import crypto, vault

MON = "2026-11-23T10:00:00+09:00"
TUE = "2026-11-24T10:00:00+09:00"
WED = "2026-11-25T10:00:00+09:00"

SECRET_CLIENT = "Zephyrine Holdings"
SECRET_WORD = "quetzalcoatl"  # a word of a note that must never reach the host in the clear
AGE_MAGIC = b"age-encryption.org/v1\n"
PLAIN_OK = ("handoff-team.json", "members/", "keys/public/", "trust/")


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, check=False
    )
    return done.stdout


def admit(admitter: Person, name: str) -> dict[str, object]:
    return admitter.json("team", "admit", name, "--yes", now=MON)  # type: ignore[no-any-return]


@pytest.fixture
def remote(tmp_path: Path) -> Path:
    return bare_repository(tmp_path / "team.git")


@pytest.fixture
def team(tmp_path: Path, remote: Path) -> dict[str, Person]:
    """alice started an encrypted team and logged a client; bob and carol are admitted."""
    alice, bob, carol = (Person(tmp_path, n) for n in ("alice", "bob", "carol"))
    alice.ok("log", SECRET_CLIENT, f"Kickoff: the {SECRET_WORD} migration plan", now=MON)
    alice.ok("promise", SECRET_CLIENT, f"Send the {SECRET_WORD} estimate", "--due", "fri", now=MON)
    started = alice.json("team", "init", str(remote), "--name", "alice", "--encrypt", now=MON)
    assert started["started"] and started["encrypted"] and started["sent"] >= 3
    for person in (bob, carol):
        joined = person.json("team", "init", str(remote), "--name", person.name, now=MON)
        assert joined["encrypted"] and joined["waiting"] and joined["received"] == {}
        alice.ok("sync", now=MON)
        admitted = admit(alice, person.name)
        assert admitted["admitted"][0]["fingerprint"] == joined["fingerprint"]  # type: ignore[index]
        person.ok("sync", now=MON)
    return {"alice": alice, "bob": bob, "carol": carol}


def committed_blobs(repo: Path) -> dict[str, tuple[str, bytes]]:
    """Every file any commit of the repository ever held: blob id -> (path, content)."""
    blobs: dict[str, tuple[str, bytes]] = {}
    for commit in git(repo, "rev-list", "--all").split():
        for line in git(repo, "ls-tree", "-r", commit).splitlines():
            info, path = line.split("\t", 1)
            blob = info.split()[2]
            if blob not in blobs:
                data = subprocess.run(
                    ["git", "-C", str(repo), "cat-file", "blob", blob],
                    capture_output=True,
                    check=True,
                ).stdout
                blobs[blob] = (path, data)
    return blobs


def test_the_host_sees_only_ciphertext_public_keys_and_names(
    team: dict[str, Person], remote: Path
) -> None:
    team["bob"].ok("log", SECRET_CLIENT, f"bob adds: {SECRET_WORD} phase two", now=TUE)
    team["bob"].ok("sync", now=TUE)
    blobs = committed_blobs(remote).values()
    chunks = [p for p, _ in blobs if p.startswith("log/")]
    assert len(chunks) >= 3 and all(p.endswith(".age") for p in chunks)
    for path, data in blobs:
        if path.startswith(PLAIN_OK):
            json.loads(data)  # public keys, names, signed statements about them: JSON
        else:
            assert data.startswith(AGE_MAGIC), path
    for word in (SECRET_CLIENT, SECRET_WORD, "Zephyrine", "estimate"):
        for commit in git(remote, "rev-list", "--all").split():
            found = subprocess.run(
                ["git", "-C", str(remote), "grep", "-i", "-a", "-F", word, commit],
                capture_output=True,
                text=True,
                check=False,
            )
            assert found.returncode == 1, (word, found.stdout[:200])
        log = git(remote, "log", "--all", "--format=%an %ae %s %b")
        assert word.lower() not in log.lower()


def test_a_newcomer_reads_all_history_once_admitted(team: dict[str, Person]) -> None:
    bob, carol = team["bob"], team["carol"]
    for person in (bob, carol):
        shown = person.json("show", SECRET_CLIENT, now=TUE)
        assert [n["text"] for n in shown["notes"]] == [f"Kickoff: the {SECRET_WORD} migration plan"]
        assert [p["title"] for p in shown["promises"]] == [f"Send the {SECRET_WORD} estimate"]
    carol.ok("log", SECRET_CLIENT, "carol: call booked", now=TUE)
    carol.ok("sync", now=TUE)
    came = team["alice"].json("sync", now=TUE)
    assert [r["changes"].get("note.add") for r in came["received"].values()] == [1]


def test_waiting_to_be_admitted(tmp_path: Path, team: dict[str, Person], remote: Path) -> None:
    dave = Person(tmp_path, "dave")
    dave.ok("log", "Dave's own client", "dave's private note", now=TUE)
    joined = dave.ok("team", "init", str(remote), "--name", "dave", now=TUE).stdout
    assert "a member must admit this device" in joined
    assert "handoff team admit dave" in joined
    fingerprint = dave.json("team", now=TUE)["fingerprint"]
    assert fingerprint in joined
    # Nothing of dave's went out, nothing came in.
    assert dave.json("sync", now=TUE)["sent"] == 0
    assert [c["name"] for c in dave.json("clients", now=TUE)] == ["Dave's own client"]
    alice = team["alice"]
    alice.ok("sync", now=TUE)
    seen = alice.ok("team", now=TUE).stdout
    assert f"dave asks to join (fingerprint {fingerprint})" in seen
    # The admitting member sees the same fingerprint, and a script must say --yes.
    refused = alice.run("team", "admit", "dave", now=TUE)
    assert refused.exit_code == 2 and "--yes" in refused.stderr
    shown = alice.ok("team", "admit", "dave", "--yes", now=TUE).stdout
    assert fingerprint in shown and "Admitted dave" in shown
    got = dave.json("sync", now=TUE)
    assert got["sent"] >= 1 and not got["waiting"]
    assert any(c["name"] == SECRET_CLIENT for c in dave.json("clients", now=TUE))
    assert alice.json("sync", now=TUE)["received"]


def test_nobody_waiting_and_a_plain_team(
    tmp_path: Path, team: dict[str, Person], remote: Path
) -> None:
    typo = team["alice"].run("team", "admit", "dvae", "--yes", now=TUE)
    assert typo.exit_code == 2
    assert "nobody named 'dvae' is waiting to be admitted" in typo.stderr
    plain = Person(tmp_path, "paul")
    plain.ok("team", "init", str(bare_repository(tmp_path / "plain.git")), now=TUE)
    for command in (("team", "admit", "x"), ("team", "remove", "x")):
        result = plain.run(*command, "--yes", now=TUE)
        assert result.exit_code == 2 and "not encrypted" in result.stderr


def test_encrypt_is_refused_on_a_plain_team(tmp_path: Path) -> None:
    remote = bare_repository(tmp_path / "plain.git")
    Person(tmp_path, "paul").ok("team", "init", str(remote), now=MON)
    late = Person(tmp_path, "lena").run("team", "init", str(remote), "--encrypt", now=MON)
    assert late.exit_code == 3
    assert "pushed as plain text" in late.stderr and "cannot be taken back" in late.stderr


def test_removed_member_cannot_read_what_comes_after(team: dict[str, Person], remote: Path) -> None:
    alice, bob, carol = team["alice"], team["bob"], team["carol"]
    bob_keys = crypto.DeviceKeys.load(
        Path(bob.env["XDG_CONFIG_HOME"]) / "handoff" / "keys" / f"{device(bob)}.json"
    )
    before = held_identities(remote, bob_keys)
    assert before  # bob holds epoch 1
    bob.ok("promise", SECRET_CLIENT, "bob's follow-up", "--due", "fri", now=MON)
    bob.ok("sync", now=MON)
    carol.ok("sync", now=MON)
    assert [i["title"] for i in carol.json("due", "--within", "7", now=MON)["items"]] == []

    shown = alice.ok("team", "remove", "bob", "--yes", now=TUE).stdout
    assert "Removed bob" in shown and "cannot be taken back" in shown
    alice.ok("log", SECRET_CLIENT, "after bob left: new pricing", now=TUE)
    alice.ok("sync", now=TUE)

    # The newest chunk is encrypted to a team identity bob does not hold.
    newest = sorted((clone(alice) / "log" / member(alice) / device(alice)).glob("*.age"))[-1]
    with pytest.raises(crypto.CryptoError):
        crypto.decrypt(newest.read_bytes(), before)
    assert held_identities(remote, bob_keys) == before  # nothing new was encrypted to bob
    # carol still reads it.
    carol.ok("sync", now=TUE)
    assert "after bob left: new pricing" in carol.ok("show", SECRET_CLIENT, now=TUE).stdout
    # bob's own handoff says so, keeps his data, and sends nothing more.
    bob.ok("log", SECRET_CLIENT, "bob, after removal", now=WED)
    gone = bob.run("sync", now=WED)
    assert gone.exit_code == 3 and "you were removed from this team" in gone.stderr
    assert "after bob left" not in bob.ok("show", SECRET_CLIENT, now=WED).stdout
    assert "bob, after removal" not in git(remote, "log", "--all", "--stat")
    # bob is no longer a member: his promises have no owner in the team.
    names = [m["name"] for m in carol.json("team", now=WED)["members"]]
    assert names == ["alice", "carol"]
    due = carol.json("due", "--within", "7", now=WED)["items"]
    assert [(i["owner"], i["title"]) for i in due] == [("bob", "bob's follow-up")]


def test_a_chunk_the_host_forges_is_refused(
    tmp_path: Path, team: dict[str, Person], remote: Path
) -> None:
    """The host knows the team's public recipient: it can encrypt, but not sign as a member."""
    alice, carol = team["alice"], team["carol"]
    work = host_checkout(tmp_path, remote)
    recipient = json.loads(next((work / "trust").glob("epoch.1.*.json")).read_text())["recipient"]
    forger = crypto.DeviceKeys.generate()
    # 1. under alice's name, signed with the forger's key
    alice_dir = next((work / "log" / member(alice)).iterdir())
    forged = alice_dir / "00000099.age"
    forged.write_bytes(fake_chunk(forger, member(alice), alice_dir.name, 99, recipient))
    # 2. under a device the host made up, with its own published keys and admission
    ghost = work / "log" / "ghost" / "device"
    ghost.mkdir(parents=True)
    (ghost / "00000001.age").write_bytes(fake_chunk(forger, "ghost", "device", 1, recipient))
    vault.publish_keys(work, "ghost", "device", forger, "ghost")
    host_push(work)

    result = carol.run("sync", now=TUE)
    assert result.exit_code == 3
    assert forged.name in result.stderr and "signature does not verify" in result.stderr
    assert "log/ghost/device/00000001.age" in result.stderr
    assert "never admitted" in result.stderr
    assert "Planted Corp" not in [c["name"] for c in carol.json("clients", now=TUE)]
    # The ghost's published key is never encrypted to, even by a member who admits others.
    assert "ghost" not in "".join(p.name for p in (clone(alice) / "keys").rglob("*.age"))


def test_a_flipped_byte_is_refused_and_the_rest_applied(
    tmp_path: Path, team: dict[str, Person], remote: Path
) -> None:
    alice, bob, carol = team["alice"], team["bob"], team["carol"]
    alice.ok("log", SECRET_CLIENT, "alice: tuesday call", now=TUE)
    alice.ok("sync", now=TUE)
    bob.ok("log", SECRET_CLIENT, "bob: tuesday demo", now=TUE)
    bob.ok("sync", now=TUE)
    work = host_checkout(tmp_path, remote)
    damaged = sorted((work / "log" / member(alice)).rglob("*.age"))[-1]
    data = bytearray(damaged.read_bytes())
    data[len(data) // 2] ^= 0x01
    damaged.write_bytes(bytes(data))
    host_push(work)

    before = carol.json("show", SECRET_CLIENT, now=TUE)
    result = carol.run("sync", now=TUE)
    assert result.exit_code == 3
    (line,) = result.stderr.strip().splitlines()
    assert str(damaged.relative_to(work)) in line and "cannot be decrypted" in line
    text = carol.ok("show", SECRET_CLIENT, now=TUE).stdout
    assert "bob: tuesday demo" in text and "alice: tuesday call" not in text
    after = carol.json("show", SECRET_CLIENT, now=TUE)
    assert len(after["notes"]) == len(before["notes"]) + 1
    assert carol.run("sync", now=TUE).exit_code == 3  # still refused: nothing of it applied


def test_small_chunks_are_merged_and_nothing_is_lost(
    tmp_path: Path, team: dict[str, Person], remote: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from handoff_cli.team import encrypted

    monkeypatch.setattr(encrypted, "COMPACT_AT", 3)
    alice, bob = team["alice"], team["bob"]
    folder = clone(alice) / "log" / member(alice) / device(alice)
    texts = [f"call {n}" for n in range(7)]
    counts = []
    for text in texts:
        alice.ok("log", SECRET_CLIENT, text, now=TUE)
        alice.ok("sync", now=TUE)
        counts.append(len(list(folder.glob("*.age"))))
        if text == "call 3":
            bob.ok("sync", now=TUE)  # bob read some chunks before they were merged
    assert max(counts) < 3 and counts[-1] < len(texts)
    bob.ok("sync", now=TUE)
    dave = Person(tmp_path, "dave")
    dave.ok("team", "init", str(remote), now=TUE)
    admit(alice, "dave")
    dave.ok("sync", now=TUE)
    for person in (bob, dave):
        notes = [n["text"] for n in person.json("show", SECRET_CLIENT, now=TUE)["notes"]]
        assert sorted(n for n in notes if n.startswith("call ")) == texts


def test_missing_device_keys_is_one_line(team: dict[str, Person]) -> None:
    carol = team["carol"]
    keys = Path(carol.env["XDG_CONFIG_HOME"]) / "handoff" / "keys" / f"{device(carol)}.json"
    keys.unlink()
    result = carol.run("sync", now=TUE)
    assert result.exit_code == 3
    (line,) = result.stderr.strip().splitlines()
    assert "this device's keys are missing" in line
    assert carol.json("show", SECRET_CLIENT, now=TUE)["notes"]  # local data intact


def test_device_keys_are_private(team: dict[str, Person]) -> None:
    folder = Path(team["alice"].env["XDG_CONFIG_HOME"]) / "handoff" / "keys"
    (path,) = folder.glob("*.json")
    assert path.stat().st_mode & 0o777 == 0o600
    assert not any(p.name == path.name for p in clone(team["alice"]).rglob("*"))


# ----------------------------------------------------------------------------- helpers


def meta(person: Person, key: str) -> str:
    import sqlite3

    with sqlite3.connect(person.db) as conn:
        row = conn.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
    return str(row[0]) if row else ""


def device(person: Person) -> str:
    return meta(person, "device")


def member(person: Person) -> str:
    return meta(person, "member")


def clone(person: Person) -> Path:
    return Path(meta(person, "team.clone"))


def held_identities(remote: Path, keys: crypto.DeviceKeys) -> list[str]:
    """Every team identity in the repository that `keys` can decrypt."""
    found = []
    for path, data in committed_blobs(remote).values():
        if path.startswith("keys/epoch.") and path.endswith(".age"):
            try:
                found.append(keys.decrypt(data).decode("ascii"))
            except crypto.CryptoError:
                continue
    return sorted(found)


def host_checkout(tmp_path: Path, remote: Path) -> Path:
    work = tmp_path / "host"
    subprocess.run(
        ["git", "clone", "--quiet", "--branch", "main", str(remote), str(work)], check=True
    )
    return work


def host_push(work: Path) -> None:
    subprocess.run(["git", "-C", str(work), "add", "--all"], check=True)
    subprocess.run(
        ["git", "-C", str(work), "-c", "user.name=host", "-c", "user.email=host@example",
         "commit", "--quiet", "-m", "host"],
        check=True,
    )  # fmt: skip
    subprocess.run(["git", "-C", str(work), "push", "--quiet", "origin", "HEAD"], check=True)


def fake_chunk(
    keys: crypto.DeviceKeys, member: str, device: str, seq: int, recipient: str
) -> bytes:
    """A chunk as handoff writes one, signed by `keys`, with a note the host wants applied."""
    import hashlib
    import zlib

    client = "00000000-0000-4000-8000-000000000098"
    made = [
        ("client.create", client, {"name": "Planted Corp"}),
        ("note.add", "00000000-0000-4000-8000-000000000097", {
            "client": client, "at": "2026-11-24T10:00:00+09:00", "kind": "note",
            "text": "planted by the host", "author": "alice",
        }),
    ]  # fmt: skip
    lines = [
        json.dumps(
            {
                "uuid": f"00000000-0000-4000-8000-00000000009{n}",
                "clock": f"1764000000000-000{n}",
                "member": member,
                "device": device,
                "kind": kind,
                "entity": entity,
                "body": body,
            }
        )  # fmt: skip
        for n, (kind, entity, body) in enumerate(made)
    ]
    records = "".join(line + "\n" for line in lines).encode()
    header = {"member": member, "device": device, "seq": seq,
              "sha256": hashlib.sha256(records).hexdigest()}  # fmt: skip
    header["signature"] = keys.sign(crypto.canonical(header))
    plain = json.dumps(header).encode() + b"\n" + records
    return crypto.encrypt(zlib.compress(plain), [recipient])
