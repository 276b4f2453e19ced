"""Case 7: under umask 022, everything handoff creates is private (files 0600, dirs 0700)."""

from __future__ import annotations

import json
import os
import pty
import stat
import subprocess
import sys
from pathlib import Path

from .support import HANDOFF, TIMEOUT, Run, run_handoff

LOOSE = 0o022


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_database_wal_shm_and_new_directories(tmp_path: Path) -> None:
    """The database, its -wal and -shm (seen while open) and each directory made for it."""
    db = tmp_path / "made" / "for" / "it" / "handoff.db"
    modes_file = tmp_path / "modes.json"
    env = dict(os.environ, HANDOFF_DB=str(db), HANDOFF_TEST_STAT=str(modes_file))
    run_handoff("log", "Acme", "secret", env=env, harness=True, umask=LOOSE).ok()
    seen = json.loads(modes_file.read_text())
    assert set(seen) == {str(db), f"{db}-wal", f"{db}-shm"}, seen
    assert all(m == "0o600" for m in seen.values()), seen
    assert mode(db) == 0o600
    for directory in (db.parent, db.parent.parent, db.parent.parent.parent):
        assert mode(directory) == 0o700, directory


def test_default_data_directory(tmp_path: Path) -> None:
    """No --db and no $HANDOFF_DB: ~/.local/share/handoff/handoff.db, private all the way."""
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("HANDOFF_DB", "XDG_DATA_HOME")}
    env["HOME"] = str(home)
    run_handoff("log", "Acme", "secret", env=env, umask=LOOSE).ok()
    db = home / ".local" / "share" / "handoff" / "handoff.db"
    assert mode(db) == 0o600
    for directory in (db.parent, db.parent.parent, db.parent.parent.parent):
        assert mode(directory) == 0o700, directory


def _with_editor(tmp_path: Path, handoff_args: list[str], text: str) -> tuple[int, list[dict]]:
    """Run handoff on a terminal with $EDITOR recording how its file looks, then writing `text`."""
    record = tmp_path / "editor.json"
    editor = tmp_path / "editor.py"
    editor.write_text(
        "import json, os, stat, sys\n"
        "path = sys.argv[1]\n"
        "info = {'path': path, 'mode': oct(stat.S_IMODE(os.stat(path).st_mode)),\n"
        "        'before': open(path, encoding='utf-8').read()}\n"
        f"with open({str(record)!r}, 'a', encoding='utf-8') as out:\n"
        "    out.write(json.dumps(info) + '\\n')\n"
        f"open(path, 'w', encoding='utf-8').write({text!r})\n"
    )
    temp = tmp_path / "tmp"
    temp.mkdir(exist_ok=True)
    env = dict(os.environ, EDITOR=f"{sys.executable} {editor}", TMPDIR=str(temp))
    env.pop("VISUAL", None)
    leader, follower = pty.openpty()  # standard input is a terminal: handoff opens the editor
    try:
        proc = subprocess.run(
            [*HANDOFF, *handoff_args],
            stdin=follower,
            capture_output=True,
            env=env,
            timeout=TIMEOUT,
            umask=LOOSE,
            check=False,
        )
    finally:
        os.close(follower)
        os.close(leader)
    assert not list(temp.iterdir()), "the editor's temporary file was left behind"
    calls = [json.loads(line) for line in record.read_text().splitlines()]
    return proc.returncode, calls


def test_editor_temporary_files_are_private_and_removed(
    db: Path, handoff: Run, tmp_path: Path
) -> None:
    code, calls = _with_editor(tmp_path, ["log", "Acme"], "written in the editor")
    assert code == 0
    assert [c["mode"] for c in calls] == ["0o600"]
    assert handoff("show", "Acme", "--json").ok().json()["notes"][0]["text"] == (
        "written in the editor"
    )
    # `edit` puts the confidential note itself into the temporary file.
    code, calls = _with_editor(tmp_path, ["edit", "1"], "fixed in the editor")
    assert code == 0
    assert calls[-1]["mode"] == "0o600" and calls[-1]["before"] == "written in the editor"
    assert handoff("show", "Acme", "--json").ok().json()["notes"][0]["text"] == (
        "fixed in the editor"
    )


def test_backups_are_private(db: Path, handoff: Run, tmp_path: Path) -> None:
    handoff("log", "Acme", "secret").ok()
    target = tmp_path / "backup.db"
    handoff("backup", str(target), umask=LOOSE).ok()
    assert mode(target) == 0o600
