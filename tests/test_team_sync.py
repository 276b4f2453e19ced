"""Sync when things go wrong: offline, a rejected push, a password prompt, no git,
a damaged or half-written file, a sync killed midway. Local data stays intact and
the next sync completes."""

from __future__ import annotations

import http.server
import os
import random
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from team_support import Person, bare_repository

MON = "2026-11-23T10:00:00+09:00"


@pytest.fixture
def pair(tmp_path: Path) -> tuple[Person, Person, Path]:
    remote = bare_repository(tmp_path / "team.git")
    alice, bob = Person(tmp_path, "alice"), Person(tmp_path, "bob")
    for person in (alice, bob):
        person.ok("team", "init", str(remote), "--name", person.name, now=MON)
    return alice, bob, remote


def notes_of(person: Person) -> list[str]:
    found: list[str] = []
    for client in person.json("clients", now=MON):
        found += [n["text"] for n in person.json("show", client["name"], now=MON)["notes"]]
    return sorted(found)


def one_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in stderr, stderr
    return lines[0]


def test_offline_keeps_local_work_and_the_next_sync_sends_it(
    pair: tuple[Person, Person, Path],
) -> None:
    alice, bob, remote = pair
    alice.ok("log", "Acme", "written offline", "--new-client", now=MON)
    away = remote.with_name("away.git")
    remote.rename(away)  # the server is unreachable
    failed = alice.run("sync", now=MON)
    assert failed.exit_code == 3
    assert "git" in one_line(failed.stderr) and "fetch" in failed.stderr
    assert notes_of(alice) == ["written offline"]  # kept
    due = alice.ok("due", now=MON).stdout
    assert "! the last sync failed: git fetch failed" in due
    away.rename(remote)
    alice.ok("sync", now=MON)
    assert "the last sync failed" not in alice.ok("due", now=MON).stdout
    bob.ok("sync", now=MON)
    assert notes_of(bob) == ["written offline"]


def test_a_rejected_push_pulls_and_tries_again(
    pair: tuple[Person, Person, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    alice, bob, _ = pair
    from handoff_cli.team import sync as team_sync

    alice.ok("log", "Acme", "alice's", "--new-client", now=MON)
    bob.ok("log", "Beta", "bob's", "--new-client", now=MON)
    real_pull = team_sync._pull
    raced = []

    def pull_then_alice_pushes(bound: team_sync.Binding) -> bool:
        result = real_pull(bound)
        if not raced:  # right after bob fetched, alice pushes first
            raced.append(True)
            alice.ok("sync", now=MON)
        return result

    monkeypatch.setattr(team_sync, "_pull", pull_then_alice_pushes)
    done = bob.json("sync", now=MON)
    monkeypatch.setattr(team_sync, "_pull", real_pull)
    assert raced and done["pushed"]
    assert "alice" in {r["name"] for r in done["received"].values()}  # got hers on the retry
    alice.ok("sync", now=MON)
    assert notes_of(alice) == notes_of(bob) == ["alice's", "bob's"]


class _AsksForAPassword(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(401)
        self.send_header("WWW-Authenticate", 'Basic realm="team"')
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def password_server() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _AsksForAPassword)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/team.git"
    finally:
        server.shutdown()


def test_a_remote_that_asks_for_a_password_fails_at_once(
    pair: tuple[Person, Person, Path], password_server: str
) -> None:
    alice, _, _ = pair
    clone = alice.db.with_name("handoff.team")
    subprocess.run(["git", "remote", "set-url", "origin", password_server], cwd=clone, check=True)
    alice.ok("log", "Acme", "kept", "--new-client", now=MON)
    started = time.monotonic()
    failed = alice.sh("sync", env={"HANDOFF_NOW": MON})
    assert failed.returncode == 3
    line = one_line(failed.stderr)
    assert "terminal prompts disabled" in line or "Authentication failed" in line, line
    assert time.monotonic() - started < 60  # it did not wait at a prompt (no timing target)
    assert notes_of(alice) == ["kept"]


def test_without_git_one_line(pair: tuple[Person, Person, Path], tmp_path: Path) -> None:
    alice, _, _ = pair
    empty = tmp_path / "no-git"
    empty.mkdir()
    failed = alice.sh("sync", env={"PATH": str(empty), "HANDOFF_NOW": MON})
    assert failed.returncode == 3
    assert one_line(failed.stderr) == (
        "error: git is not installed (or not on PATH); a team repository needs it"
    )


def _push_as(person: Person, text: str) -> None:
    """Commit and push a file the person's device wrote by hand (as a bug or a crash would)."""
    clone = person.db.with_name("handoff.team")
    subprocess.run(["git", "add", "-A"], cwd=clone, check=True)
    subprocess.run(
        ["git", "-c", "user.name=x", "-c", "user.email=x@x", "commit", "-qm", text],
        cwd=clone,
        check=True,
    )
    subprocess.run(["git", "push", "-q", "origin", "HEAD:main"], cwd=clone, check=True)


def _segment(person: Person) -> Path:
    """The file this person's device writes (its only one: all of this test is in one month)."""
    import sqlite3

    conn = sqlite3.connect(person.db)
    try:
        ids = dict(conn.execute("SELECT key, value FROM meta WHERE key IN ('member', 'device')"))
    finally:
        conn.close()
    clone = person.db.with_name("handoff.team")
    (path,) = (clone / "log" / ids["member"] / ids["device"]).glob("*.jsonl")
    return path


def test_a_file_that_is_not_valid_is_refused_whole_and_the_rest_applied(
    pair: tuple[Person, Person, Path], tmp_path: Path
) -> None:
    alice, bob, remote = pair
    carol = Person(tmp_path, "carol")
    carol.ok("team", "init", str(remote), "--name", "carol", now=MON)
    carol.ok("log", "Acme", "carol's good note", "--new-client", now=MON)
    carol.ok("sync", now=MON)
    with _segment(carol).open("a", encoding="utf-8") as handle:
        handle.write('{"uuid": "not a change"}\n')
    _push_as(carol, "a damaged record")
    alice.ok("log", "Beta", "alice's note", "--new-client", now=MON)
    assert alice.run("sync", now=MON).exit_code == 3  # refuses carol's file, sends her own

    failed = bob.run("sync", now=MON)
    assert failed.exit_code == 3
    line = one_line(failed.stderr)
    assert line.startswith("error: refused carol, log/") and ".jsonl: line 4: uuid:" in line
    assert line.endswith("(nothing of it applied; the rest was)")
    assert notes_of(bob) == ["alice's note"]  # alice's applied; nothing of carol's file


def test_a_torn_last_line_waits_for_its_writer(pair: tuple[Person, Person, Path]) -> None:
    alice, bob, _ = pair
    alice.ok("log", "Acme", "whole", "--new-client", now=MON)
    alice.ok("sync", now=MON)
    segment = _segment(alice)
    whole = segment.read_bytes()
    record = whole.splitlines()[-1]
    segment.write_bytes(whole + record[: len(record) // 2])  # a crash mid-write, pushed
    _push_as(alice, "torn")
    assert bob.json("sync", now=MON)["refused"] == []  # not refused: not complete yet
    assert notes_of(bob) == ["whole"]
    alice.ok("log", "Acme", "after the crash", now=MON)
    alice.ok("sync", now=MON)  # her next append cuts the torn tail off first
    assert segment.read_bytes().count(b"\n") == segment.read_bytes().count(b'"uuid"')
    bob.ok("sync", now=MON)
    assert notes_of(bob) == ["after the crash", "whole"]


@pytest.mark.slow
def test_a_sync_killed_anywhere_leaves_data_whole_and_the_next_completes(
    pair: tuple[Person, Person, Path],
) -> None:
    alice, bob, _ = pair
    rng = random.Random(7)
    env = {"HANDOFF_NOW": MON}
    # How long a sync takes here, to kill inside it.
    alice.ok("log", "Acme", "warm-up", "--new-client", now=MON)
    began = time.monotonic()
    assert alice.sh("sync", env=env).returncode == 0
    span = time.monotonic() - began
    texts = ["warm-up"]
    for round_ in range(8):
        text = f"round {round_}"
        alice.ok("log", "Acme", text, now=MON)
        texts.append(text)
        proc = subprocess.Popen(
            [os.environ.get("PYTHON", "python"), "-m", "handoff_cli", "sync"],
            env={**os.environ, **alice.env, **env},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(rng.uniform(0, span * 1.2))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert sorted(notes_of(alice)) == sorted(texts)  # local data intact
    finished = alice.sh("sync", env=env)
    if finished.returncode != 0 and "index.lock" in finished.stderr:
        pytest.fail(f"a killed sync left git locked: {finished.stderr}")
    assert finished.returncode == 0, finished.stderr
    bob.ok("sync", now=MON)
    assert sorted(notes_of(bob)) == sorted(texts)  # nothing lost, nothing twice


def test_a_bundle_whose_writer_is_unknown_travels_to_colleagues(
    pair: tuple[Person, Person, Path], tmp_path: Path
) -> None:
    """A client merged in carol's file reaches alice's bundle import as records with no
    known writer (the zero clock); bob must apply them, not refuse alice's file."""
    alice, bob, _ = pair
    carol = Person(tmp_path, "carol")
    carol.ok("log", "Beta", "first call", "--new-client", now=MON)
    carol.ok("log", "Beta Labs", "second call", "--new-client", now=MON)
    carol.ok("merge", "Beta", "Beta Labs", "--yes", now=MON)
    bundle = tmp_path / "carol.json"
    carol.ok("export", "-o", str(bundle), now=MON)
    alice.ok("import", str(bundle), now=MON)
    alice.ok("sync", now=MON)
    bob.ok("sync", now=MON)
    assert notes_of(bob) == ["first call", "second call"]
