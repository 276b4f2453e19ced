"""Issue 12.10: long `export`, `import`, `backup`, `team init` and `sync` show a progress
bar with counts.

On standard error, when it is a terminal; never when it is piped, never with
`--json`; and only once the work has lasted half a second, so quick commands
print nothing and never import rich (~70 ms). `$HANDOFF_PROGRESS_DELAY=0`
lets a test see the bar of a small job.
"""

from __future__ import annotations

import os
import pty
import subprocess
import threading
from pathlib import Path

from team_support import Person, bare_repository

from .support import HANDOFF, TIMEOUT, Run, run_handoff, scalar

NOTES = 40


def with_terminal_stderr(
    args: list[str], env: dict[str, str], python: list[str] = HANDOFF
) -> tuple[int, str]:
    """Run with standard error a pseudo-terminal; return the exit code and what it showed."""
    primary, secondary = pty.openpty()
    shown: list[bytes] = []

    def drain() -> None:
        while True:
            try:
                data = os.read(primary, 65536)
            except OSError:  # EIO: the other side is closed
                return
            if not data:
                return
            shown.append(data)

    reader = threading.Thread(target=drain)
    reader.start()
    try:
        proc = subprocess.run(
            [*python, *args],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=secondary,
            env=env,
            timeout=TIMEOUT,
            check=False,
        )
    finally:
        os.close(secondary)
        reader.join(timeout=TIMEOUT)
        os.close(primary)
    return proc.returncode, b"".join(shown).decode("utf-8", "replace")


def seed(cli: Run, tmp_path: Path) -> Path:
    """NOTES notes and a promise for one client, imported in this process; the bundle."""
    bundle = write_bundle(tmp_path / "bundle.json", NOTES)
    cli("import", str(bundle)).ok()
    return bundle


def write_bundle(bundle: Path, count: int) -> Path:
    """A bundle of `count` notes and a monthly promise for one client, Acme."""
    import json
    import uuid

    notes = [
        {
            "uuid": str(uuid.uuid4()),
            "at": f"2026-11-{1 + i % 20:02d}T10:00:00+09:00",
            "kind": "note",
            "text": f"note {i}",
            "author": "alice",
            "with": [],
            "tags": [],
        }
        for i in range(count)
    ]
    promise = {
        "uuid": str(uuid.uuid4()),
        "title": "report",
        "rule": "FREQ=MONTHLY",
        "start": "2026-11-01",
        "status": "open",
        "completions": [],
    }
    client = {"uuid": str(uuid.uuid4()), "name": "Acme", "promises": [promise], "notes": notes}
    bundle.write_text(
        json.dumps(
            {
                "format": "handoff-bundle",
                "version": 1,
                "exported_at": "2026-11-22T09:00:00+09:00",
                "author": "alice",
                "clients": [client],
            }
        ),
        encoding="utf-8",
    )
    return bundle


def test_bars_with_counts_at_a_terminal(db: Path, cli: Run, tmp_path: Path) -> None:
    bundle = seed(cli, tmp_path)
    env = {**os.environ, "HANDOFF_PROGRESS_DELAY": "0"}
    code, shown = with_terminal_stderr(["export", "-o", str(tmp_path / "again.json")], env)
    assert code == 0 and "Exporting" in shown and f"{NOTES}/{NOTES}" in shown, shown
    code, shown = with_terminal_stderr(["export", "--format", "csv"], env)  # stdout is a pipe
    assert code == 0 and f"{NOTES}/{NOTES}" in shown, shown
    code, shown = with_terminal_stderr(["export", "-o", str(tmp_path / "out.md")], env)
    assert code == 0 and "1/1 clients" in shown, shown
    fresh = {**env, "HANDOFF_DB": str(tmp_path / "fresh.db")}
    code, shown = with_terminal_stderr(["import", str(bundle)], fresh)
    rows = 1 + 2 * NOTES + 2  # the client; notes and the promise, with their search entries
    assert code == 0 and "Importing" in shown and f"{rows}/{rows} rows" in shown, shown
    code, shown = with_terminal_stderr(["backup", str(tmp_path / "copy.db")], env)
    assert code == 0 and "Backing up" in shown and "pages" in shown, shown


def test_no_bar_when_piped_with_json_or_quick(db: Path, cli: Run, tmp_path: Path) -> None:
    bundle = seed(cli, tmp_path)
    env = {**os.environ, "HANDOFF_PROGRESS_DELAY": "0"}
    piped = run_handoff("export", "-o", str(tmp_path / "piped.json"), env=env)
    assert piped.code == 0 and piped.stderr == ""
    fresh = {**env, "HANDOFF_DB": str(tmp_path / "fresh.db")}
    code, shown = with_terminal_stderr(["import", str(bundle), "--json"], fresh)
    assert code == 0 and shown == "", shown
    # The usual delay: a small export is over before a bar would appear, and rich is never loaded.
    quick = {k: v for k, v in os.environ.items() if k != "HANDOFF_PROGRESS_DELAY"}
    python = [HANDOFF[0], "-X", "importtime", *HANDOFF[1:]]
    for args in (
        ["export", "-o", str(tmp_path / "quick.json")],
        ["backup", str(tmp_path / "b.db")],
    ):
        code, shown = with_terminal_stderr(args, quick, python=python)
        assert code == 0, shown
        assert "Exporting" not in shown and "Backing up" not in shown
        assert "| rich" not in shown, [line for line in shown.splitlines() if "rich" in line]


# ------------------------------------------------------------------ team init, sync

BIG = 300  # notes: more than a sync's meter waits for before it counts records sent


def team_env(person: Person, **more: str) -> dict[str, str]:
    return {**os.environ, **person.env, **more}


def from_team(person: Person) -> int:
    """The records `person`'s database received from colleagues."""
    return int(scalar(person.db, "SELECT count(*) FROM changes WHERE origin = 'team'"))


def test_team_init_and_sync_show_records_at_a_terminal(tmp_path: Path) -> None:
    remote = bare_repository(tmp_path / "team.git")
    alice, bob = Person(tmp_path, "alice"), Person(tmp_path, "bob")
    alice.ok("import", str(write_bundle(tmp_path / "big.json", BIG)))
    now = team_env(alice, HANDOFF_PROGRESS_DELAY="0")
    code, shown = with_terminal_stderr(["team", "init", str(remote), "--name", "alice"], now)
    assert code == 0 and "Sending" in shown and "records" in shown, shown

    now = team_env(bob, HANDOFF_PROGRESS_DELAY="0")
    code, shown = with_terminal_stderr(["team", "init", str(remote), "--name", "bob"], now)
    received = from_team(bob)
    assert received > BIG
    assert code == 0 and "Receiving" in shown and f"{received}/{received} records" in shown, shown

    for text in ("called", "emailed", "visited"):
        alice.ok("log", "Acme", text)
    alice.ok("sync")
    code, shown = with_terminal_stderr(["sync"], now)
    assert from_team(bob) == received + 3
    assert code == 0 and "Receiving" in shown and "3/3 records" in shown, shown


def test_no_sync_bar_when_piped_with_json_or_quiet(tmp_path: Path) -> None:
    remote = bare_repository(tmp_path / "team.git")
    alice, bob = Person(tmp_path, "alice"), Person(tmp_path, "bob")
    for person in (alice, bob):
        person.ok("team", "init", str(remote), "--name", person.name)
    now = team_env(bob, HANDOFF_PROGRESS_DELAY="0")

    alice.ok("log", "Acme", "called")
    alice.ok("sync")
    piped = run_handoff("sync", env=now)
    assert piped.code == 0 and piped.stderr == "" and "1 note" in piped.stdout, piped

    alice.ok("log", "Acme", "emailed")
    alice.ok("sync")
    code, shown = with_terminal_stderr(["sync", "--json"], now)
    assert code == 0 and shown == "", shown
    assert from_team(bob) >= 2

    # Nothing comes in: no bar even at once, and rich (~70 ms) is never loaded.
    python = [HANDOFF[0], "-X", "importtime", *HANDOFF[1:]]
    code, shown = with_terminal_stderr(["sync"], now, python=python)
    assert code == 0 and "Syncing" not in shown and "Receiving" not in shown, shown
    assert "| rich" not in shown, [line for line in shown.splitlines() if "rich" in line]
