"""Export and import under crashes and hostile files (cases 4, 7 and 9).

- `import` killed before each of a seeded sample of its statements: all of the
  bundle or none of it, and importing again finishes the job exactly once.
- `export -o FILE --force` killed at random (seeded) moments: FILE is the old
  export byte for byte, or a complete new one.
- Exports are private (0600) under umask 022 and never replace a file without
  --force.
- Hostile bundles are refused with exit 2 and a message naming the problem,
  and the database's schema and data are left as they were.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import signal
import stat
import subprocess
import time
import uuid
from pathlib import Path
from typing import Any

import pytest

from .support import (
    HANDOFF,
    TIMEOUT,
    Run,
    assert_clean_failure,
    consistency_problems,
    integrity,
    rows,
    run_handoff,
    scalar,
)
from .test_crashes import KILLED, kill_at, trace

SEED = 5


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def make_bundle(*, clients: int, notes: int, seed: int = SEED) -> dict[str, Any]:
    """A valid bundle: clients with contacts, a recurring promise with completions, notes."""
    rng = random.Random(seed)
    out = []
    for c in range(clients):
        name = f"Client {chr(65 + c)}{'x' * c}"
        note_records = [
            {
                "uuid": _uuid(rng),
                "at": f"2026-10-{1 + n % 28:02d}T09:{n % 60:02d}:00+09:00",
                "kind": "call",
                "text": f"{name} note {n} 月次報告 [b]x[/b]",
                "author": "bob",
                "with": [f"Person {n % 3}"],
                "tags": ["imported"],
            }
            for n in range(notes)
        ]
        out.append(
            {
                "uuid": _uuid(rng),
                "name": name,
                "contacts": [
                    {
                        "uuid": _uuid(rng),
                        "name": f"Person {i}",
                        "role": "r",
                        "email": None,
                        "phone": None,
                    }
                    for i in range(3)
                ],
                "promises": [
                    {
                        "uuid": _uuid(rng),
                        "title": f"{name} monthly report",
                        "to": "Person 0",
                        "rule": "FREQ=MONTHLY;BYMONTHDAY=5",
                        "start": "2026-09-05",
                        "after_done": False,
                        "status": "open",
                        "resumed_on": None,
                        "created_at": "2026-09-01T00:00:00+00:00",
                        "completions": [
                            {
                                "uuid": _uuid(rng),
                                "at": "2026-09-05T10:00:00+09:00",
                                "day": "2026-09-05",
                                "note": note_records[0]["uuid"],
                            }
                        ],
                    }
                ],
                "notes": note_records,
            }
        )
    return {
        "format": "handoff-bundle",
        "version": 1,
        "exported_at": "2026-11-20T09:00:00+00:00",
        "author": "bob",
        "clients": out,
    }


def snapshot(path: Path) -> dict[str, Any]:
    """Schema and every row that matters, to compare before and after."""
    return {
        "schema": rows(path, "SELECT type, name, sql FROM sqlite_master ORDER BY name"),
        "version": rows(path, "PRAGMA user_version"),
        "clients": rows(path, "SELECT uuid, name, note_count FROM clients ORDER BY uuid"),
        "contacts": rows(path, "SELECT uuid, name FROM contacts ORDER BY uuid"),
        "notes": rows(path, "SELECT uuid, at, text, author, tags FROM notes ORDER BY uuid"),
        "promises": rows(path, "SELECT uuid, title, next_due, status FROM promises ORDER BY uuid"),
        "completions": rows(path, "SELECT uuid, day FROM completions ORDER BY uuid"),
    }


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ---------------------------------------------------------------- crashes


@pytest.mark.slow
def test_a_killed_import_is_all_or_nothing(db: Path, handoff: Run, tmp_path: Path) -> None:
    handoff("log", "Mine", "already here").ok()
    bundle = tmp_path / "bundle.json"
    bundle.write_text(json.dumps(make_bundle(clients=3, notes=12)), encoding="utf-8")
    old = snapshot(db)
    template = tmp_path / "template.db"
    template.write_bytes(db.read_bytes())

    traced = tmp_path / "traced.db"
    traced.write_bytes(template.read_bytes())
    statements = trace(tmp_path, "--db", str(traced), "import", str(bundle))
    new = snapshot(traced)
    assert len(new["notes"]) == len(old["notes"]) + 36
    begin = statements.index("BEGIN IMMEDIATE")
    commit = max(i for i, s in enumerate(statements) if s == "COMMIT")
    rng = random.Random(SEED)
    steps = sorted(
        {0, begin, begin + 1, commit - 1, commit, commit + 1, len(statements) - 1}
        | set(rng.sample(range(len(statements)), min(16, len(statements))))
    )
    outcomes = {"old": 0, "new": 0}
    for step in steps:
        path = tmp_path / "victim.db"
        path.write_bytes(template.read_bytes())
        for suffix in ("-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        done = kill_at(step, "--db", str(path), "import", str(bundle))
        assert done.code in (0, KILLED), done.stderr
        now = snapshot(path)
        assert now in (old, new), f"step {step}: the import landed in part"
        outcomes["old" if now == old else "new"] += 1
        if step <= commit:
            assert now == old or done.code == 0, f"step {step}: kept before COMMIT"
        assert consistency_problems(path) == []
        if step % 3 == 0:  # importing again finishes the job, once
            run_handoff("--db", str(path), "import", str(bundle)).ok()
            assert snapshot(path) == new
    print(f"import killed at {len(steps)} of its {len(statements)} statements: {outcomes}")


@pytest.mark.slow
def test_a_killed_export_leaves_the_old_file_or_the_new_one(
    db: Path, handoff: Run, tmp_path: Path
) -> None:
    bundle = tmp_path / "big.json"
    bundle.write_text(json.dumps(make_bundle(clients=4, notes=600)), encoding="utf-8")
    handoff("import", str(bundle)).ok()
    target = tmp_path / "handover.json"
    began = time.monotonic()
    handoff("export", "--format", "json", "-o", str(target)).ok()
    span = 1.5 * (time.monotonic() - began)
    rng = random.Random(SEED)
    outcomes = {"old": 0, "new": 0}
    for i in range(12):
        before = target.read_bytes()
        handoff("log", "Client A", f"between {i}").ok()
        expected_notes = scalar(db, "SELECT count(*) FROM notes")
        proc = subprocess.Popen(
            [*HANDOFF, "export", "--format", "json", "-o", str(target), "--force"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        time.sleep(rng.uniform(0, span))
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=TIMEOUT)
        after = target.read_bytes()
        if after == before:
            outcomes["old"] += 1
        else:
            data = json.loads(after)
            assert sum(len(c["notes"]) for c in data["clients"]) == expected_notes
            outcomes["new"] += 1
        assert mode(target) == 0o600
    temps = [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    assert all(mode(p) == 0o600 for p in temps)
    print(f"export -o killed at random: {outcomes}, always old or whole, {len(temps)} temps")


# ------------------------------------------------------------------ private


@pytest.mark.parametrize("fmt", ["md", "json", "csv", "ics"])
def test_exports_are_private_and_never_overwritten(
    db: Path, handoff: Run, tmp_path: Path, fmt: str
) -> None:
    handoff("log", "Acme", "secret").ok()
    handoff("promise", "Acme", "Report", "--every", "monthly").ok()
    target = tmp_path / f"out.{fmt}"
    handoff("export", "--format", fmt, "-o", str(target), umask=0o022).ok()
    assert mode(target) == 0o600
    first = digest(target)
    line = assert_clean_failure(handoff("export", "--format", fmt, "-o", str(target)), code=2)
    assert "--force" in line
    assert digest(target) == first
    handoff("export", "--format", fmt, "-o", str(target), "--force", umask=0o022).ok()
    assert mode(target) == 0o600
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


# ------------------------------------------------------------ hostile bundles


def _valid() -> dict[str, Any]:
    return make_bundle(clients=2, notes=3)


def _edit(change: Any) -> str:
    data = _valid()
    change(data)
    return json.dumps(data)


def _note(data: dict[str, Any]) -> dict[str, Any]:
    note: dict[str, Any] = data["clients"][0]["notes"][0]
    return note


def _set(path: list[Any], value: Any) -> Any:
    def change(data: dict[str, Any]) -> None:
        target: Any = data
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return change


def _rename_key(data: dict[str, Any]) -> None:
    note = _note(data)
    note["text'); DROP TABLE notes; --"] = note.pop("text")


def _dup_note_uuid(data: dict[str, Any]) -> None:
    data["clients"][1]["notes"][0]["uuid"] = _note(data)["uuid"]


def _dup_client_uuid(data: dict[str, Any]) -> None:
    data["clients"][1]["uuid"] = data["clients"][0]["uuid"]


def _many_bad_clients() -> bytes:
    head = b'{"format": "handoff-bundle", "version": 1, "clients": ['
    return head + b"{}," * 600_000 + b"{}]}"


HOSTILE: dict[str, tuple[Any, str]] = {
    "not json": ("hello, colleague", "not valid JSON"),
    "empty file": ("", "not valid JSON"),
    "not utf-8": (b"\xff\xfe{\x00}", "UTF-8"),
    "top level is a list": ("[1, 2]", "not a handoff bundle"),
    "200 KB of [": ("[" * 200_000, "nests"),
    "200 KB of {": ('{"a":' * 40_000, "nests"),
    "NaN": (json.dumps(_valid()).replace('"version": 1', '"version": NaN'), "NaN"),
    "Infinity": (
        json.dumps(_valid()).replace('"after_done": false', '"after_done": -Infinity'),
        "Infinity",
    ),
    "wrong format": (_edit(_set(["format"], "jrnl")), "format"),
    "newer version": (_edit(_set(["version"], 2)), "version 2"),
    "version as text": (_edit(_set(["version"], "1")), "version"),
    "clients not a list": (_edit(_set(["clients"], {"a": 1})), "clients"),
    "text is a number": (_edit(lambda d: _note(d).__setitem__("text", 5)), "notes[0].text"),
    "with is not a list": (_edit(lambda d: _note(d).__setitem__("with", "Bob")), "with"),
    "bad date": (_edit(lambda d: _note(d).__setitem__("at", "yesterday")), "notes[0].at"),
    "bad uuid": (_edit(lambda d: _note(d).__setitem__("uuid", "1; DROP")), "uuid"),
    "huge number": (
        _edit(_set(["clients", 0, "promises", 0, "after_done"], 10**400)),
        "after_done",
    ),
    "lone surrogate": (_edit(lambda d: _note(d).__setitem__("text", "\ud800")), "surrogate"),
    "duplicate note uuid": (_edit(_dup_note_uuid), "also used by"),
    "duplicate client uuid": (_edit(_dup_client_uuid), "also used by"),
    "duplicate key": ('{"format": "handoff-bundle", "format": "x"}', "twice"),
    "SQL renames a key": (_edit(_rename_key), "notes[0].text"),
    "600k bad clients": (_many_bad_clients(), "20+ more problems"),
}


@pytest.fixture(scope="module")
def populated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("hostile") / "handoff.db"
    run_handoff("--db", str(path), "log", "Acme", "mine", "--with", "Bob").ok()
    run_handoff("--db", str(path), "promise", "Acme", "Report", "--every", "weekly").ok()
    return path


@pytest.mark.parametrize("name", list(HOSTILE))
def test_a_hostile_bundle_is_refused_and_changes_nothing(
    populated: Path, tmp_path: Path, name: str
) -> None:
    content, named = HOSTILE[name]
    bundle = tmp_path / "hostile.json"
    if isinstance(content, bytes):
        bundle.write_bytes(content)
    else:
        bundle.write_text(content, encoding="utf-8", errors="surrogatepass")
    db = tmp_path / "handoff.db"
    db.write_bytes(populated.read_bytes())
    before = snapshot(db)
    began = time.monotonic()
    done = run_handoff("--db", str(db), "import", str(bundle))
    elapsed = time.monotonic() - began
    line = assert_clean_failure(done, code=2)
    assert named in line, line
    assert snapshot(db) == before
    if name in ("NaN", "duplicate note uuid", "SQL renames a key"):
        dry = run_handoff("--db", str(db), "import", str(bundle), "--dry-run")
        assert_clean_failure(dry, code=2)
    # Never asserted (a loaded machine is slow); reported with -s for the closing note.
    print(f"{name}: refused in {elapsed:.2f}s: {line[:100]}")


def test_a_bad_bundle_does_not_create_a_database(tmp_path: Path) -> None:
    bundle = tmp_path / "bad.json"
    bundle.write_text("[" * 1000, encoding="utf-8")
    db = tmp_path / "new" / "handoff.db"
    assert_clean_failure(run_handoff("--db", str(db), "import", str(bundle)), code=2)
    assert not db.exists()


@pytest.mark.slow
def test_a_100_mb_hostile_bundle_is_refused(populated: Path, tmp_path: Path) -> None:
    db = tmp_path / "handoff.db"
    db.write_bytes(populated.read_bytes())
    before = snapshot(db)
    bundle = tmp_path / "huge.json"
    for filler, named in ((b"x", "not valid JSON"), (b"[", "nests")):
        with open(bundle, "wb") as handle:
            for _ in range(100):
                handle.write(filler * 1_000_000)
        line = assert_clean_failure(run_handoff("--db", str(db), "import", str(bundle)), code=2)
        assert named in line
    bundle.unlink()
    assert snapshot(db) == before


def test_sql_in_values_and_extra_keys_is_only_data(populated: Path, tmp_path: Path) -> None:
    """Unknown keys are ignored (newer bundles may add fields); SQL in values is text."""
    hostile = "Robert'); DROP TABLE clients; --"
    data = _valid()
    data["clients"][0]["name"] = hostile
    _note(data)["text"] = "'; DELETE FROM notes; --"
    _note(data)["x'); DROP TABLE notes; --"] = 1
    data["clients"][0]["'; DROP TABLE promises; --"] = []
    bundle = tmp_path / "sql.json"
    bundle.write_text(json.dumps(data), encoding="utf-8")
    db = tmp_path / "handoff.db"
    db.write_bytes(populated.read_bytes())
    schema = snapshot(db)["schema"]
    run_handoff("--db", str(db), "import", str(bundle)).ok()
    assert snapshot(db)["schema"] == schema
    assert hostile in {r[0] for r in rows(db, "SELECT name FROM clients")}
    assert scalar(db, "SELECT count(*) FROM notes WHERE text = ?", ["'; DELETE FROM notes; --"])
    assert integrity(db) == "ok" and consistency_problems(db) == []


# --------------------------------------------------------- round trip, exactly


def test_hostile_text_survives_export_and_import(db: Path, handoff: Run, tmp_path: Path) -> None:
    texts = [
        "[bold]x[/] \\[ :smile: \x1b]8;;https://evil\x1b\\link\x1b]8;;\x1b\\",
        "cr\rnul\x00bidi\u202e 月次報告 👩‍👩‍👧",
        '=HYPERLINK("http://evil") and +1 and -1 and @SUM',
    ]
    for text in texts:
        handoff("log", "Acme", "--json", input=text).ok()
    target = tmp_path / "bundle.json"
    handoff("export", "--format", "json", "-o", str(target)).ok()
    other = tmp_path / "other.db"
    env = dict(os.environ, HANDOFF_DB=str(other))
    run_handoff("import", str(target), env=env).ok()
    shown = run_handoff("show", "Acme", "--json", env=env).ok().json()
    assert sorted(n["text"] for n in shown["notes"]) == sorted(texts)
    again = run_handoff("import", str(target), "--json", env=env)
    assert again.code in (0, 1)
    assert scalar(other, "SELECT count(*) FROM notes") == len(texts)
