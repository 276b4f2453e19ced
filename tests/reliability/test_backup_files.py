"""Issues 15.6, 15.10 and 12.11: where `backup` writes, and what it leaves behind.

- The temporary copy has an unguessable name (tempfile), so a file planted at
  the old predictable `.NAME.PID.tmp` cannot make it fail.
- A target that cannot be written is named as such, not as if the database
  were broken.
- A copy left by a killed backup (it holds every note) is found and removed
  by the next backup to that place, which says so.
- `backup DIR` writes DIR/handoff-YYYY-MM-DD.db; a missing directory is exit 2,
  as it is for `export -o`.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from .support import Run, assert_clean_failure, integrity, run_handoff, scalar

DAY = "2026-11-23"  # the pinned clock's day (conftest NOW)


def test_a_planted_file_at_the_old_temporary_name_is_harmless(
    db: Path, cli: Run, handoff: Run, tmp_path: Path
) -> None:
    cli("log", "Acme", "hello").ok()
    # `exec` keeps the shell's pid, so $$ is the pid the backup will run as.
    plant = 'mkdir ".copy.db.$$.tmp" && echo planted > ".copy.db.$$.tmp/x" && exec "$@"'
    done = run_handoff("backup", "copy.db", prefix=["sh", "-c", plant, "sh"])
    done.ok()
    assert integrity(tmp_path / "copy.db") == "ok"
    planted = [p for p in tmp_path.iterdir() if p.name.startswith(".copy.db.")]
    assert len(planted) == 1 and (planted[0] / "x").read_text() == "planted\n"


def test_a_target_that_cannot_be_written_is_named_not_the_database(
    db: Path, cli: Run, handoff: Run, tmp_path: Path
) -> None:
    cli("log", "Acme", input="x" * 2_000_000).ok()  # a database of some 4 MB
    # Files may not grow past 256 KB (SIGXFSZ is ignored by Python: writes fail with EFBIG).
    limited = ["sh", "-c", 'ulimit -f 512 && exec "$@"', "sh"]
    done = run_handoff("backup", "copy.db", prefix=limited)
    line = assert_clean_failure(done, code=3)
    assert "copy.db" in line and "cannot write the backup" in line, line
    assert f"error in {db}" not in line and "not a handoff database" not in line, line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]  # no copy, no temporary
    assert integrity(db) == "ok"


def test_a_killed_backups_copy_is_removed_by_the_next_backup(
    db: Path, cli: Run, handoff: Run, tmp_path: Path
) -> None:
    cli("log", "Acme", "confidential").ok()
    trace = tmp_path / "trace.json"
    env = {**os.environ, "HANDOFF_TEST_TRACE": str(trace)}
    run_handoff("backup", "first.db", env=env, harness=True).ok()
    statements = json.loads(trace.read_text())
    at = statements.index("PRAGMA page_count")  # on the copy, after the pages are in
    killed = run_handoff(
        "backup", "copy.db", env={**os.environ, "HANDOFF_TEST_KILL_AT": str(at)}, harness=True
    )
    assert killed.code == -9
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.startswith(".copy.db.")]
    assert leftovers, "the kill should have left the temporary copy"
    done = handoff("backup", "copy.db").ok()
    for name in leftovers:
        assert f"removed {name}, left from an interrupted backup" in done.stderr, done.stderr
        assert not (tmp_path / name).exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "copy.db",
        "data",
        "first.db",
        "trace.json",
    ]


def test_a_running_backups_temporary_copy_is_left_alone(
    db: Path, cli: Run, handoff: Run, tmp_path: Path
) -> None:
    cli("log", "Acme", "hello").ok()
    with subprocess.Popen(["sleep", "60"]) as sleeper:
        busy = tmp_path / f".copy.db.{sleeper.pid}.abcdefgh.tmp"
        busy.write_text("another backup at work")
        done = handoff("backup", "copy.db").ok()
        sleeper.kill()
    assert busy.exists() and "removed" not in done.stderr


def test_backup_into_a_directory_uses_the_dated_name(
    db: Path, cli: Run, handoff: Run, tmp_path: Path
) -> None:
    cli("log", "Acme", "hello").ok()
    folder = tmp_path / "backups"
    folder.mkdir()
    done = handoff("backup", str(folder)).ok()
    copy = folder / f"handoff-{DAY}.db"
    assert str(copy) in done.stdout
    assert scalar(copy, "SELECT count(*) FROM notes") == 1
    again = handoff("backup", str(folder))
    assert "already exists" in assert_clean_failure(again, code=2)
    handoff("backup", str(folder), "--force").ok()


def test_backup_to_a_missing_directory_is_bad_input_like_export(
    db: Path, cli: Run, handoff: Run, tmp_path: Path
) -> None:
    cli("log", "Acme", "hello").ok()
    missing = tmp_path / "no" / "such" / "copy.db"
    backup = assert_clean_failure(handoff("backup", str(missing)), code=2)
    export = assert_clean_failure(handoff("export", "-o", str(missing)), code=2)
    assert "does not exist" in backup and "does not exist" in export
    assert not (tmp_path / "no").exists()
