"""Issue 15.10: the smaller findings (backup's are in test_backup_files.py, the
editor's in test_editor.py).

- A bundle number of more than 4,300 digits gave a traceback.
- An existing 0644 database made its -wal 0644 (SQLite copies the file's mode):
  the file is made private on open, and `doctor` reports it.
- A relative $XDG_DATA_HOME was used (the XDG spec says ignore it).
- Under `PYTHONUTF8=0 LC_ALL=C` valid Japanese arguments were refused as
  "not valid UTF-8".
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

from .support import Run, assert_clean_failure, rows, run_handoff


def mode(path: Path | str) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_a_number_too_long_to_read_is_refused_in_one_line(
    db: Path, handoff: Run, tmp_path: Path
) -> None:
    bundle = tmp_path / "big.json"
    bundle.write_text(
        '{"format": "handoff-bundle", "version": 1, "clients": [], "x": ' + "9" * 5000 + "}"
    )
    line = assert_clean_failure(handoff("import", str(bundle)), code=2)
    assert "cannot import" in line and "number" in line, line
    assert not db.exists()


def test_a_database_others_can_read_is_made_private(
    db: Path, cli: Run, handoff: Run, tmp_path: Path
) -> None:
    cli("log", "Acme", "first").ok()
    os.chmod(db, 0o644)  # as another tool, or `cp` under umask 022, might leave it
    for suffix in ("-wal", "-shm"):
        if os.path.exists(f"{db}{suffix}"):
            os.remove(f"{db}{suffix}")
    modes = tmp_path / "modes.json"
    env = {**os.environ, "HANDOFF_TEST_STAT": str(modes)}
    run_handoff("log", "Acme", "second", env=env, harness=True, umask=0o022).ok()
    seen = json.loads(modes.read_text())  # at the commit: the -wal holds the new note
    assert seen == dict.fromkeys(seen, "0o600") and f"{db}-wal" in seen, seen
    os.chmod(db, 0o640)
    doctor = handoff("doctor")
    assert doctor.code == 0, doctor.stdout
    assert f"Made private: {db} (was 0o640); others could read it" in doctor.stdout
    assert mode(db) == 0o600
    assert "Made private" not in handoff("doctor").stdout


def test_a_relative_xdg_data_home_is_ignored(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "HANDOFF_DB"}
    env.update({"HOME": str(home), "XDG_DATA_HOME": "relative/data"})
    run_handoff("log", "Acme", "hello", env=env).ok()
    assert (home / ".local" / "share" / "handoff" / "handoff.db").is_file()
    assert not (tmp_path / "relative").exists()  # the tests run from tmp_path


def test_japanese_arguments_under_the_c_locale(db: Path, cli: Run, handoff: Run) -> None:
    env = {**os.environ, "PYTHONUTF8": "0", "LC_ALL": "C", "LANG": "C"}
    env.pop("PYTHONIOENCODING", None)
    run_handoff("log", "山田商事", "月次報告を送付", "--tag", "報告", env=env).ok()
    run_handoff("log", "山田商事", "--json", env=env, input="電話で確認").ok()
    run_handoff("promise", "山田商事", "月次報告", "--every", "monthly", env=env).ok()
    assert rows(db, "SELECT name FROM clients") == [("山田商事",)]
    assert rows(db, "SELECT text, tags FROM notes ORDER BY id") == [
        ("月次報告を送付", '["報告"]'),
        ("電話で確認", "[]"),
    ]
    # Bytes that are not UTF-8 are still refused, in one line.
    bad = run_handoff("log", "Acme", os.fsdecode(b"caf\xe9"), env=env)
    assert "not valid UTF-8" in assert_clean_failure(bad, code=2)
