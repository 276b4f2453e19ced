"""The automatic sync: each write in a team starts a detached `handoff sync` and returns.

The real program in its own processes (the background sync is a process of
its own, started with posix_spawn); the tests wait for what it does, up to a
generous limit, and never time it.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from team_support import Person, bare_repository

MON = "2026-11-23T10:00:00+09:00"


def eventually(check: Callable[[], bool], limit: float = 60.0) -> bool:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return check()


def commits(remote: Path) -> str:
    return subprocess.run(
        ["git", "-C", str(remote), "log", "--format=%s", "main"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout


def test_a_write_syncs_in_the_background(tmp_path: Path) -> None:
    remote = bare_repository(tmp_path / "team.git")
    alice = Person(tmp_path, "alice", sync="auto")
    bob = Person(tmp_path, "bob")
    env = {"HANDOFF_NOW": MON}
    assert alice.sh("team", "init", str(remote), "--name", "alice", env=env).returncode == 0
    bob.ok("team", "init", str(remote), "--name", "bob", now=MON)
    before = commits(remote).count("alice:")
    logged = alice.sh("log", "Acme", "sent by itself", "--new-client", env=env)
    assert logged.returncode == 0 and logged.stderr == ""
    assert eventually(lambda: commits(remote).count("alice:") > before)

    def arrived() -> bool:
        bob.ok("sync", now=MON)
        return "sent by itself" in bob.ok("show", "Acme", now=MON).stdout

    assert eventually(arrived)


def test_a_failing_background_sync_is_said_by_the_next_due(tmp_path: Path) -> None:
    remote = bare_repository(tmp_path / "team.git")
    alice = Person(tmp_path, "alice", sync="auto")
    env = {"HANDOFF_NOW": MON}
    assert alice.sh("team", "init", str(remote), "--name", "alice", env=env).returncode == 0
    remote.rename(tmp_path / "gone.git")  # the server went away
    assert alice.sh("log", "Acme", "kept here", "--new-client", env=env).returncode == 0

    def said() -> bool:
        return "the last sync failed" in alice.sh("due", env=env).stdout

    assert eventually(said)
    assert "kept here" in alice.sh("show", "Acme", env=env).stdout


def test_manual_and_outside_a_team_start_nothing(tmp_path: Path) -> None:
    remote = bare_repository(tmp_path / "team.git")
    alice = Person(tmp_path, "alice")  # team.sync = "manual"
    env = {"HANDOFF_NOW": MON}
    assert alice.sh("team", "init", str(remote), "--name", "alice", env=env).returncode == 0
    before = commits(remote)
    assert alice.sh("log", "Acme", "stays until I sync", "--new-client", env=env).returncode == 0
    time.sleep(2)
    assert commits(remote) == before
    assert alice.sh("sync", env=env).returncode == 0
    assert commits(remote) != before
