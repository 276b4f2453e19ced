"""Issue 15.1: `export -o <the database> --force` must not replace the live database.

Nor its -wal or -shm (replacing the WAL loses every change not yet checkpointed),
however the path is spelled: another relative form, `..`, a symbolic link to
its directory, a hard link. `backup` refuses the same targets.
"""

from __future__ import annotations

import os
from pathlib import Path

from .support import Run, assert_clean_failure, integrity, scalar


def spellings(db: Path, tmp_path: Path) -> list[str]:
    linked_dir = tmp_path / "linked"
    linked_dir.symlink_to(db.parent, target_is_directory=True)
    hard = tmp_path / "hard.db"
    os.link(db, hard)
    return [
        str(db),
        os.path.relpath(db),  # the tests run from tmp_path
        str(db.parent / ".." / db.parent.name / "." / db.name),
        str(linked_dir / db.name),
        str(hard),
        f"{db}-wal",
        f"{db}-shm",
        str(linked_dir / f"{db.name}-wal"),
    ]


def test_export_and_backup_refuse_to_write_over_the_database(
    db: Path, cli: Run, tmp_path: Path
) -> None:
    for i in range(3):
        cli("log", "Acme", f"note {i}").ok()
    for target in spellings(db, tmp_path):
        before = {p: Path(p).read_bytes() for p in (str(db), f"{db}-wal") if Path(p).exists()}
        for command in (
            ("export", "-o", target, "--force"),
            ("export", "--format", "json", "-o", target, "--force"),
            ("backup", target, "--force"),
        ):
            done = cli(*command)
            line = assert_clean_failure(done, code=2)
            assert "database itself" in line, (command, line)
        after = {p: Path(p).read_bytes() for p in before}
        assert after == before, target
    assert integrity(db) == "ok"
    assert scalar(db, "SELECT count(*) FROM notes") == 3
    cli("show", "Acme").ok()


def test_export_next_to_the_database_still_works(db: Path, cli: Run, tmp_path: Path) -> None:
    """Names that merely look alike are not the database."""
    cli("log", "Acme", "hello").ok()
    for name in (f"{db.name}.md", f"{db.name}-wal.md", f"copy-{db.name}"):
        target = db.parent / name
        cli("export", "-o", str(target)).ok()
        assert target.exists()
    cli("backup", str(db.parent / "copy.db")).ok()
    assert scalar(db, "SELECT count(*) FROM notes") == 1
