"""The fast path (cli/fast.py) behaves exactly like the Typer app it stands in for.

Every case runs twice, as separate processes on the same starting database:
once through `main()` (the console script's entry, which takes the fast path)
and once through the Typer app directly. Standard output, standard error,
the exit code and the database afterwards must be identical, and the first
run must really have skipped Typer. Parsing cases that the fast path must
leave to Typer are checked on `fast.run` itself.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest

from handoff_cli.cli import fast
from handoff_cli.store import Store

NOW = datetime.fromisoformat("2026-11-20T09:00:00+09:00")

# Both drivers name the program `handoff` (Click derives `_HANDOFF_COMPLETE` from it) and
# say on exit whether Typer was loaded.
_PRELUDE = """
import atexit, os, sys
atexit.register(lambda: open(os.environ["FAST_PATH_REPORT"], "w").write(
    "typer" if "typer" in sys.modules else "fast"))
sys.argv[0] = "handoff"
"""
MAIN = _PRELUDE + "from handoff_cli.cli import main\nmain()\n"
TYPER = (
    _PRELUDE
    + "from handoff_cli.paths import restrict_umask\nrestrict_umask()\n"
    + "from handoff_cli.cli.root import app\napp()\n"
)


@dataclass(frozen=True)
class Outcome:
    code: int
    stdout: bytes
    stderr: bytes
    path: str  # "fast" or "typer"
    data: tuple[object, ...]  # the database afterwards, without random uuids


def seed(db: Path) -> None:
    """Three clients (one Japanese), a contact and a note each."""
    from handoff_cli import writes

    store = Store.open(db, create=True)
    assert store is not None
    with store, store.write():
        w = store.writer(NOW)
        for name, text, people in (
            ("Acme Corp", "first call", ["Tanaka"]),
            ("山田商事", "初回訪問", ["田中"]),
            ("Beacon Labs", "intro email", []),
        ):
            client, _ = writes.client_for_write(store, w, name, new_client=True)
            writes.add_note(
                store, w, client, at=NOW, kind="note", text=text, author="bob", with_=people
            )


def snapshot(db: Path) -> tuple[object, ...]:
    if not db.exists():
        return ()
    conn = sqlite3.connect(db)
    try:
        queries = (
            "SELECT id, name, key, created_at, note_count, last_at_utc FROM clients ORDER BY id",
            "SELECT id, client_id, name, key, role FROM contacts ORDER BY id",
            "SELECT id, client_id, at, at_utc, kind, text, author, tags, created_at FROM notes"
            " ORDER BY id",
            "SELECT note_id, contact_id FROM note_contacts ORDER BY 1, 2",
            "SELECT rowid, body FROM notes_fts ORDER BY rowid",
        )
        return tuple(tuple(conn.execute(q).fetchall()) for q in queries)
    except sqlite3.DatabaseError:
        return ("not a database", db.read_bytes())
    finally:
        conn.close()


@pytest.fixture
def base(tmp_path: Path) -> Path:
    """A seeded database to copy before every run."""
    path = tmp_path / "base" / "handoff.db"
    path.parent.mkdir()
    seed(path)
    return path


def restore(source: Path | None, target: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    if source is not None:
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)


def run(
    driver: str, args: Sequence[str | bytes], db: Path, tmp: Path, env: dict[str, str]
) -> Outcome:
    report = tmp / "report"
    report.unlink(missing_ok=True)
    full_env = {**os.environ, "HANDOFF_DB": str(db), "FAST_PATH_REPORT": str(report), **env}
    done = subprocess.run(
        [sys.executable, "-c", driver, *args],
        env=full_env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=60,
        check=False,
    )
    return Outcome(done.returncode, done.stdout, done.stderr, report.read_text(), snapshot(db))


def both(
    args: Sequence[str | bytes],
    start: Path | None,
    tmp: Path,
    env: dict[str, str] | None = None,
    db: Path | None = None,
) -> tuple[Outcome, Outcome]:
    """Run `args` through main() and through the Typer app, each from a copy of `start`."""
    db = db or tmp / "work" / "handoff.db"
    outcomes = []
    for driver in (MAIN, TYPER):
        restore(start, db)
        outcomes.append(run(driver, args, db, tmp, env or {}))
    return outcomes[0], outcomes[1]


def assert_same(fast_run: Outcome, typer_run: Outcome, *, taken: bool = True) -> None:
    assert typer_run.path == "typer"
    assert fast_run.path == ("fast" if taken else "typer")
    assert fast_run.stderr.decode() == typer_run.stderr.decode()
    assert fast_run.stdout.decode() == typer_run.stdout.decode()
    assert fast_run.code == typer_run.code
    assert fast_run.data == typer_run.data


# ------------------------------------------------------------------ log

LOG_CASES = {
    "plain": ["log", "Acme Corp", "called", "about", "the", "fees"],
    "new client": ["log", "Delta Foods", "first contact"],
    "every option": [
        "log",
        "Acme Corp",
        "visited",
        "--with",
        "Tanaka",
        "-w",
        "Suzuki",
        "--tag",
        "billing",
        "-t",
        "q3",
        "--kind",
        "visit",
        "--at",
        "yesterday 15:00",
    ],
    "options between words": [
        "log",
        "Acme Corp",
        "one",
        "--tag",
        "x",
        "two",
        "-k",
        "call",
        "three",
    ],
    "attached long values": [
        "log",
        "Acme Corp",
        "hi",
        "--at=2026-11-01T09:30+01:00",
        "--kind=email",
    ],
    "empty attached value": ["log", "Acme Corp", "hi", "--tag="],
    "value starting with a dash": ["log", "Acme Corp", "hi", "--at", "-1d"],
    "last --at and --kind win": [
        "log",
        "Acme Corp",
        "hi",
        "--at",
        "today",
        "--at",
        "2026-11-02",
        "-k",
        "call",
        "-k",
        "EMAIL",
    ],
    "double dash": ["log", "Acme Corp", "--", "--not-an-option", "-t", "x"],
    "single dash is text": ["log", "Acme Corp", "-", "dash"],
    "any case and width": ["log", "ＡＣＭＥ corp", "wide"],
    "japanese": ["log", "山田商事", "月次報告を送付", "--tag", "見積", "--with", "田中"],
    "repeated contact": ["log", "Acme Corp", "hi", "-w", "Tanaka", "-w", "tanaka", "-w", "Kim"],
    "repeated tags": ["log", "Acme Corp", "hi", "-t", "x", "-t", " x ", "-t", ""],
    "control characters": ["log", "Beacon\x1b[31m Labs", "bell\x07 and \x1b]0;title\x07"],
    "new client flag": ["log", "Acme Crop", "typo on purpose", "--new-client"],
    "root --db": ["--db", "{db}", "log", "Acme Corp", "via --db"],
    "root --db=": ["--db={db}", "log", "Acme Corp", "via --db="],
    # errors
    "likely typo": ["log", "Acme Crop", "hello"],
    "bad date": ["log", "Acme Corp", "hi", "--at", "someday"],
    "bad kind": ["log", "Acme Corp", "hi", "--kind", "fax"],
    "empty text": ["log", "Acme Corp", ""],
    "blank text": ["log", "Acme Corp", "  ", " "],
    "empty client": ["log", "", "hello"],
    "empty contact": ["log", "Acme Corp", "hi", "--with", " "],
}


@pytest.mark.parametrize("args", LOG_CASES.values(), ids=LOG_CASES.keys())
def test_log_same_as_typer(args: list[str], base: Path, tmp_path: Path) -> None:
    db = tmp_path / "work" / "handoff.db"
    args = [a.replace("{db}", str(db)) for a in args]
    fast_run, typer_run = both(
        args,
        base,
        tmp_path,
        env={"HANDOFF_DB": "/nonexistent/ignored.db"} if args[0].startswith("--db") else None,
        db=db,
    )
    assert_same(fast_run, typer_run)


def test_log_creates_the_first_database(tmp_path: Path) -> None:
    db = tmp_path / "new" / "dir" / "handoff.db"
    fast_run, typer_run = both(["log", "Acme", "hello"], None, tmp_path, db=db)
    assert_same(fast_run, typer_run)
    assert fast_run.code == 0
    assert (db.parent.stat().st_mode & 0o777, db.stat().st_mode & 0o777) == (0o700, 0o600)


def test_log_refuses_a_stranger_file(tmp_path: Path) -> None:
    stranger = tmp_path / "notes.txt"
    stranger.write_text("not a database, but someone's notes\n" * 200)
    fast_run, typer_run = both(["log", "Acme", "hello"], stranger, tmp_path)
    assert_same(fast_run, typer_run)
    assert fast_run.code == 3
    assert fast_run.data == ("not a database", stranger.read_bytes())


def test_log_refuses_a_newer_schema(base: Path, tmp_path: Path) -> None:
    conn = sqlite3.connect(base)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    fast_run, typer_run = both(["log", "Acme Corp", "hello"], base, tmp_path)
    assert_same(fast_run, typer_run)
    assert fast_run.code == 3


def test_log_bad_pinned_clock(base: Path, tmp_path: Path) -> None:
    fast_run, typer_run = both(["log", "Acme Corp", "hi"], base, tmp_path, {"HANDOFF_NOW": "soon"})
    assert_same(fast_run, typer_run)
    assert fast_run.code == 2


def test_log_bytes_that_are_not_utf8(base: Path, tmp_path: Path) -> None:
    cases: list[list[str | bytes]] = [
        ["log", "Acme Corp", "hi", "--tag", b"t\xff"],
        ["log", "Acme Corp", b"caf\xe9 au lait"],
    ]
    for args in cases:
        assert_same(*both(args, base, tmp_path))


def test_log_with_colour(base: Path, tmp_path: Path) -> None:
    env = {"FORCE_COLOR": "1", "NO_COLOR": ""}
    for args in (["log", "Acme Corp", "hi"], ["log", "Acme Crop", "hi"]):
        assert_same(*both(args, base, tmp_path, env))


LEFT_TO_TYPER = {
    "help": ["log", "--help"],
    "short help": ["log", "Acme Corp", "hi", "-h"],
    "json": ["log", "Acme Corp", "hi", "--json"],
    "done": ["log", "Acme Corp", "hi", "--done", "1"],
    "no text (stdin)": ["log", "Acme Corp"],
    "no client": ["log"],
    "options only": ["log", "--tag", "x"],
    "attached short value": ["log", "Acme Corp", "hi", "-tx"],
    "short with equals": ["log", "Acme Corp", "hi", "-t=x"],
    "flag with a value": ["log", "Acme Corp", "hi", "--new-client=yes"],
    "missing value": ["log", "Acme Corp", "hi", "--at"],
    "unknown option": ["log", "Acme Corp", "hi", "--verbose"],
    "two --db": ["--db", "a.db", "--db", "b.db", "log", "Acme Corp", "hi"],
    "root --version": ["--version", "log", "Acme Corp", "hi"],
    "another command": ["notes", "--client", "Acme Corp"],
    "command name case": ["LOG", "Acme Corp", "hi"],
    "nothing": [],
}


@pytest.mark.parametrize("args", LEFT_TO_TYPER.values(), ids=LEFT_TO_TYPER.keys())
def test_left_to_typer(args: list[str]) -> None:
    assert fast.parse_log(args) is None
    assert fast.run(args, {}, "handoff") is None


@pytest.mark.parametrize(
    "args", [LEFT_TO_TYPER["done"], LEFT_TO_TYPER["unknown option"], LEFT_TO_TYPER["missing value"]]
)
def test_fallback_is_typer_itself(args: list[str], base: Path, tmp_path: Path) -> None:
    assert_same(*both(args, base, tmp_path), taken=False)


# ------------------------------------------------------------------ completion


def bash(line: str, cword: int | None = None) -> dict[str, str]:
    words = line.split(" ")
    return {
        "_HANDOFF_COMPLETE": "complete_bash",
        "COMP_WORDS": line,
        "COMP_CWORD": str(len(words) - 1 if cword is None else cword),
    }


def zsh(line: str) -> dict[str, str]:
    return {"_HANDOFF_COMPLETE": "complete_zsh", "_TYPER_COMPLETE_ARGS": line}


COMPLETION_CASES = {
    "bash show": bash("handoff show Ac"),
    "bash show, nothing typed": bash("handoff show", 2),
    "bash log": bash("handoff log B"),
    "bash japanese": bash("handoff promise 山"),
    "bash lower case": bash("handoff show ac"),
    "bash no match": bash("handoff contact Zz"),
    "bash quoted": bash("handoff show 'Acme C", 2),
    "bash --client": bash("handoff search --client Ac"),
    "bash -c": bash("handoff due -c 山"),
    "bash promises --client": bash("handoff promises --client B"),
    "zsh show": zsh("handoff show Ac"),
    "zsh nothing typed": zsh("handoff show "),
    "zsh no match": zsh("handoff show Zz"),
    "zsh --client": zsh("handoff due --client 山"),
}


@pytest.mark.parametrize("env", COMPLETION_CASES.values(), ids=COMPLETION_CASES.keys())
def test_completion_same_as_typer(env: dict[str, str], base: Path, tmp_path: Path) -> None:
    # Both paths escape what bash inserts, so an unquoted `Acme Corp` is not two words.
    fast_run, typer_run = both([], base, tmp_path, env)
    assert_same(fast_run, typer_run)
    assert fast_run.code == 0


def test_bash_completion_escapes_names_with_spaces(base: Path, tmp_path: Path) -> None:
    fast_run, _ = both([], base, tmp_path, bash("handoff show Acme"))
    assert fast_run.stdout.decode().splitlines() == ["Acme\\ Corp"]


def test_completion_without_a_database(tmp_path: Path) -> None:
    for env in (bash("handoff show A"), zsh("handoff show A")):
        fast_run, typer_run = both([], None, tmp_path, env)
        assert_same(fast_run, typer_run)
        assert fast_run.data == ()  # completing never creates a database


def test_completion_of_a_stranger_file(tmp_path: Path) -> None:
    stranger = tmp_path / "notes.txt"
    stranger.write_text("someone's notes\n" * 200)
    assert_same(*both([], stranger, tmp_path, bash("handoff show A")))


COMPLETION_LEFT_TO_TYPER = {
    "commands": bash("handoff sh"),
    "options": bash("handoff show --li"),
    "second argument": bash("handoff contact Acme T"),
    "other option value": bash("handoff due --as-of to"),
    "fish": {"_HANDOFF_COMPLETE": "complete_fish", "_TYPER_COMPLETE_ARGS": "handoff show A"},
    "source": {"_HANDOFF_COMPLETE": "source_bash"},
    "bad cword": {**bash("handoff show A"), "COMP_CWORD": "two"},
}


@pytest.mark.parametrize(
    "env", COMPLETION_LEFT_TO_TYPER.values(), ids=COMPLETION_LEFT_TO_TYPER.keys()
)
def test_completion_left_to_typer(env: dict[str, str]) -> None:
    assert fast.complete(env) is None


def test_completion_only_for_the_handoff_program() -> None:
    env = bash("handoff show A")
    assert fast.run([], env, "handoff-dev") is None
    assert fast.run(["log", "Acme", "hi"], {"_OTHER_COMPLETE": "complete_bash"}, "handoff") is None


@pytest.mark.parametrize(
    "env",
    [COMPLETION_LEFT_TO_TYPER["options"], COMPLETION_LEFT_TO_TYPER["second argument"]],
    ids=["options", "second argument"],
)
def test_completion_fallback_is_typer_itself(
    env: dict[str, str], base: Path, tmp_path: Path
) -> None:
    assert_same(*both([], base, tmp_path, env), taken=False)


def test_split_arg_string_matches_click() -> None:
    from typer._click.shell_completion import split_arg_string

    for line in ("a b  c", "a 'b c", 'a "b\\" c', "a b\\", "山田 商事", "a\tb\nc", ""):
        assert fast.split_arg_string(line) == split_arg_string(line)


def test_completion_reads_the_database_given_by_db(
    base: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    env = bash(f"handoff --db {base} show Ac")
    env["HANDOFF_DB"] = str(tmp_path / "elsewhere.db")
    assert fast.complete(env) == 0
    assert capsys.readouterr().out.splitlines() == ["Acme\\ Corp"]


# ---------------------------------------------------------------------- due


@pytest.fixture
def due_base(base: Path) -> Path:
    """The seeded database plus promises overdue, due today and coming up."""
    from datetime import date

    from handoff_cli import writes
    from handoff_cli.rules import parse_rule

    store = Store.open(base, create=True)
    assert store is not None
    with store, store.write():
        w = store.writer(NOW)
        acme, _ = writes.client_for_write(store, w, "Acme Corp", new_client=False)
        yamada, _ = writes.client_for_write(store, w, "山田商事", new_client=False)
        for client, title, to, rule_words, start in (
            (acme, "Monthly report", "Tanaka", "monthly", date(2026, 9, 23)),
            (acme, "Quota answer", None, None, date(2026, 11, 27)),
            (yamada, "月次報告", "田中", "weekly on mon", date(2026, 11, 2)),
            (yamada, "見積もり", None, None, date(2026, 11, 23)),
        ):
            rule = parse_rule(rule_words, start=start) if rule_words else None
            writes.add_promise(
                store, w, client, title=title, to=to, rule=rule, start=start,
                after_done=False, due_at=None, owner="alice",
            )  # fmt: skip
    return base


DUE_CASES = {
    "plain": ["due"],
    "json": ["due", "--json"],
    "check": ["due", "--check"],
    "every option": ["due", "--as-of", "2026-12-24", "--within", "14", "-c", "acme corp"],
    "equals forms": ["due", "--as-of=tomorrow", "--within=0", "--client=山田商事", "--json"],
    "root --db": ["--db", "{db}", "due", "--check", "--json"],
    "bad date": ["due", "--as-of", "someday"],
    "unknown client": ["due", "--client", "Acme Crop"],
    "out of range": ["due", "--within", "999999999"],
    "no database": ["--db", "{missing}", "due", "--check"],
    "team": ["due", "--team"],
    "team, json": ["due", "--team", "--json", "--within", "30"],
    "owner": ["due", "--owner", "alice", "--check"],
    "owner nobody is": ["due", "--owner=bob", "--json"],
}


@pytest.mark.parametrize("args", DUE_CASES.values(), ids=DUE_CASES.keys())
def test_due_same_as_typer(args: list[str], due_base: Path, tmp_path: Path) -> None:
    db = tmp_path / "work" / "handoff.db"
    filled = [a.format(db=db, missing=tmp_path / "nothing.db") for a in args]
    assert_same(*both(filled, due_base, tmp_path, db=db))


DUE_LEFT_TO_TYPER = {
    "help": ["due", "--help"],
    "negative": ["due", "--within", "-1"],
    "not a number": ["due", "--within", "soon"],
    "positional": ["due", "Acme"],
    "flag with a value": ["due", "--json=yes"],
    "missing value": ["due", "--as-of"],
    "attached short value": ["due", "-cAcme"],
    "owner and team": ["due", "--owner", "alice", "--team"],
    "owner without a name": ["due", "--owner"],
}


@pytest.mark.parametrize("args", DUE_LEFT_TO_TYPER.values(), ids=DUE_LEFT_TO_TYPER.keys())
def test_due_left_to_typer(args: list[str]) -> None:
    assert fast.parse_due(args) is None


def test_due_fallback_is_typer_itself(due_base: Path, tmp_path: Path) -> None:
    assert_same(*both(["due", "--within", "-1"], due_base, tmp_path), taken=False)


# ------------------------------------------------------ show, clients, search (issue 13)


@pytest.fixture
def view_base(due_base: Path) -> Path:
    """The due cases' database plus notes that one word finds in two clients."""
    from handoff_cli import writes

    store = Store.open(due_base, create=False)
    assert store is not None
    with store, store.write():
        w = store.writer(NOW)
        for name, text in (
            ("Acme Corp", "fees agreed for Q3"),
            ("Beacon Labs", "asked about the fees"),
            ("Acme Corp", "fees invoice sent"),
        ):
            client, _ = writes.client_for_write(store, w, name, new_client=False)
            writes.add_note(
                store, w, client, at=NOW, kind="call", text=text, author="bob", with_=[]
            )
    return due_base


VIEW_CASES = {
    "clients": ["clients"],
    "clients, root options": ["--no-pager", "--db", "{db}", "clients"],
    "clients, no database": ["--db", "{missing}", "clients"],
    "clients, not a database": ["--db", "{stranger}", "clients"],
    "show": ["show", "Acme Corp"],
    "show, any case": ["show", "acme corp"],
    "show, Japanese": ["show", "山田商事"],
    "show, unknown client": ["show", "Acme Crop"],
    "show, no database": ["--db", "{missing}", "show", "Acme Corp"],
    "search": ["search", "call"],
    "search, two words": ["search", "first", "call"],
    "search, many hits": ["search", "fees"],
    "search, all words": ["search", "fees", "invoice"],
    "search, Japanese": ["search", "訪問"],
    "search, a promise": ["search", "report"],
    "search, nothing": ["search", "zebra"],
    "search, no database": ["--db", "{missing}", "search", "call"],
}


@pytest.mark.parametrize("args", VIEW_CASES.values(), ids=VIEW_CASES.keys())
def test_views_same_as_typer(args: list[str], view_base: Path, tmp_path: Path) -> None:
    db = tmp_path / "work" / "handoff.db"
    stranger = tmp_path / "stranger.db"
    stranger.write_text("not a database\n", encoding="utf-8")
    missing = tmp_path / "nothing.db"
    filled = [a.format(db=db, missing=missing, stranger=stranger) for a in args]
    fast_run, typer_run = both(filled, view_base, tmp_path, db=db)
    assert_same(fast_run, typer_run)
    assert fast_run.stdout or fast_run.stderr
    assert not missing.exists()  # reading never creates a database


VIEW_LEFT_TO_TYPER = {
    "show, no client": ["show"],
    "show, two words": ["show", "Acme", "Corp"],
    "show, an option": ["show", "Acme Corp", "--json"],
    "show, help": ["show", "--help"],
    "clients, json": ["clients", "--json"],
    "clients, a word": ["clients", "Acme"],
    "search, no words": ["search"],
    "search, an option": ["search", "-n", "3", "fees"],
    "search, after --": ["search", "--", "-fees"],
    "search, not UTF-8": ["search", "caf\udce9"],
    "another command": ["notes"],
}


@pytest.mark.parametrize("args", VIEW_LEFT_TO_TYPER.values(), ids=VIEW_LEFT_TO_TYPER.keys())
def test_views_left_to_typer(args: list[str]) -> None:
    assert fast.parse_view(args) is None


# ------------------------------------------------- completion of the rest (issue 12.6)


@pytest.fixture
def rich_base(base: Path) -> Path:
    """The seeded database plus promises in every state, tags and a contact with a space."""
    from datetime import date

    from handoff_cli import writes

    store = Store.open(base, create=True)
    assert store is not None
    with store, store.write():
        w = store.writer(NOW)
        acme, _ = writes.client_for_write(store, w, "Acme Corp", new_client=False)
        yamada, _ = writes.client_for_write(store, w, "山田商事", new_client=False)
        writes.set_contact(store, w, yamada, "佐藤 花子", role=None, email=None, phone=None)
        writes.set_contact(store, w, acme, "O'Brien", role=None, email=None, phone=None)
        for tags in (["renewal", "pricing"], ["renewal"], ["障害"], ["r&d"]):
            writes.add_note(store, w, acme, at=NOW, kind="note", text="x", author="bob", tags=tags)
        day = date(2026, 11, 27)
        made = [
            writes.add_promise(store, w, client, title=title, to=None, rule=None, start=day,
                               after_done=False, due_at=None, owner="alice")
            for client, title in (
                (acme, "Monthly report"), (yamada, "回答 [draft]"), (acme, "Paused one"),
                (acme, "Finished"), (acme, "Dropped"),
            )
        ]  # fmt: skip
        writes.pause(store, w, made[2], today=NOW.date(), until=None)
        writes.done(store, w, made[3], at=NOW, day=NOW.date(), today=NOW.date())
        writes.drop(store, w, made[4])
        for n in range(6, 13):  # ids 10-12 to complete "1" to
            writes.add_promise(store, w, acme, title=f"Later {n}", to=None, rule=None,
                               start=day, after_done=False, due_at=None, owner="alice")  # fmt: skip
    return base


MORE_COMPLETION = {
    "bash done": (bash("handoff done ", 2), ["1", "2", "6", "7", "8", "9", "10", "11", "12"]),
    "bash done 1": (bash("handoff done 1"), ["1", "10", "11", "12"]),
    "bash done #": (bash("handoff done '#1", 2), ["#1", "#10", "#11", "#12"]),
    "bash drop": (bash("handoff drop 1"), ["1", "10", "11", "12"]),
    "bash pause": (bash("handoff pause 2"), ["2"]),
    "bash resume": (bash("handoff resume ", 2), ["3"]),
    "bash --db done": (bash("handoff --db {db} resume ", 4), ["3"]),
    "bash --no-pager done": (bash("handoff --no-pager resume ", 3), ["3"]),
    "bash log --with": (bash("handoff log 'Acme Corp' --with ", 4), ["O\\'Brien", "Tanaka"]),
    "bash log -w, no client": (
        bash("handoff log -w ", 3),
        ["O\\'Brien", "Tanaka", "佐藤\\ 花子", "田中"],
    ),
    "bash log text --with": (bash("handoff log 山田商事 hi there -w 佐", 6), ["佐藤\\ 花子"]),
    "bash promise --to": (
        bash("handoff promise 山田商事 'A title' --to ", 5),
        ["佐藤\\ 花子", "田中"],
    ),
    "bash unknown client --to": (bash("handoff promise Nobody T --to ", 5), [""]),
    "bash --tag": (
        bash("handoff log 'Acme Corp' hi --tag ", 5),
        ["renewal", "pricing", "r\\&d", "障害"],
    ),
    "bash notes -t": (bash("handoff notes -t r"), ["renewal", "r\\&d"]),
    "bash search --tag": (bash("handoff search fees --tag 障"), ["障害"]),
    "bash --kind": (
        bash("handoff log Acme hi --kind "),
        ["call", "meeting", "email", "visit", "note"],
    ),
    "bash -k": (bash("handoff log Acme -k m"), ["meeting"]),
    "bash export -c": (bash("handoff export -c A"), ["Acme\\ Corp"]),
    "bash notes --client": (bash("handoff notes --client 山"), ["山田商事"]),
    "bash agenda -c": (bash("handoff agenda -c B"), ["Beacon\\ Labs"]),
    "bash search x -c": (bash("handoff search fees -c A"), ["Acme\\ Corp"]),
    "zsh --with": (zsh("handoff log Acme\\ Corp --with T"), None),
    "zsh --tag": (zsh("handoff notes --tag "), None),
    "zsh --kind": (zsh("handoff log Acme --kind v"), None),
    "zsh export -c": (zsh("handoff export -c "), None),
}
for case, (env, _) in MORE_COMPLETION.items():
    if case.startswith("bash") and env["COMP_WORDS"].endswith(" "):
        env["COMP_WORDS"] = env["COMP_WORDS"]  # the word being completed is empty


@pytest.mark.parametrize(("env", "expected"), MORE_COMPLETION.values(), ids=MORE_COMPLETION.keys())
def test_more_completion_same_as_typer(
    env: dict[str, str], expected: list[str] | None, rich_base: Path, tmp_path: Path
) -> None:
    db = tmp_path / "work" / "handoff.db"
    env = {k: v.replace("{db}", str(db)) for k, v in env.items()}
    fast_run, typer_run = both([], rich_base, tmp_path, env, db=db)
    assert_same(fast_run, typer_run)
    if expected is not None:
        assert fast_run.stdout.decode().splitlines() == expected


def test_zsh_completion_values(rich_base: Path, tmp_path: Path) -> None:
    fast_run, _ = both([], rich_base, tmp_path, zsh("handoff log 山田商事 --with "))
    assert fast_run.stdout.decode() == '_arguments \'*: :(("佐藤 花子"\n"田中"))\'\n'


ID_CASES = ["done", "drop", "pause", "resume", "modify", "undo", "skip"]


@pytest.mark.parametrize("command", ID_CASES)
def test_every_id_command_completes_alike(command: str, rich_base: Path, tmp_path: Path) -> None:
    """The fast path answers bash for every command that takes a promise ID (cli/complete.py);
    `modify`, `undo` and `skip` join in once they are commands (they use the same IdArg)."""
    from typer.main import get_command

    from handoff_cli.cli.complete import ID_COMMANDS
    from handoff_cli.cli.root import app

    assert command in ID_COMMANDS
    group = get_command(app)
    if command not in group.commands:  # type: ignore[attr-defined]
        pytest.skip(f"`{command}` is not a command yet")
    fast_run, typer_run = both([], rich_base, tmp_path, bash(f"handoff {command} ", 2))
    assert_same(fast_run, typer_run)


def test_ids_for_zsh_and_fish_show_titles(rich_base: Path, tmp_path: Path) -> None:
    """zsh and fish show a description beside each id: Typer answers (it renders them)."""
    env = zsh("handoff done ")
    assert fast.complete(env) is None
    fast_run, typer_run = both([], rich_base, tmp_path, env)
    assert_same(fast_run, typer_run, taken=False)
    out = fast_run.stdout.decode()
    assert '"1":"Monthly report (Acme Corp)"' in out
    assert '"2":"回答 [draft] (山田商事)"' in out  # a title's brackets stay text
    assert '"3"' not in out and '"4"' not in out  # paused and done: not for `done`
    fish = {
        "_HANDOFF_COMPLETE": "complete_fish",
        "_TYPER_COMPLETE_ARGS": "handoff resume ",
        "_TYPER_COMPLETE_FISH_ACTION": "get-args",
    }
    _, typer_fish = both([], rich_base, tmp_path, fish)
    assert typer_fish.stdout.decode() == "3\tPaused one (Acme Corp)\n"


MORE_LEFT_TO_TYPER = {
    "option before --with": bash("handoff log Acme -k call --with T"),
    "modify --to": bash("handoff modify 1 --to "),
    "zsh ids": zsh("handoff drop "),
    "id after a flag": bash("handoff done --json "),
    "option=value": bash("handoff notes --tag=r"),
    "log --at": bash("handoff log Acme --at to"),
}


@pytest.mark.parametrize("env", MORE_LEFT_TO_TYPER.values(), ids=MORE_LEFT_TO_TYPER.keys())
def test_more_completion_left_to_typer(env: dict[str, str]) -> None:
    assert fast.complete(env) is None


MODIFY_COMPLETION = {
    "--to, the promise's client": (bash("handoff modify 1 --to T"), ["Tanaka"]),
    "--to, #ID": (bash("handoff modify '#1' --to T", 4), ["Tanaka"]),
    "--to, nothing typed": (bash("handoff modify 2 --to "), ["佐藤\\ 花子", "田中"]),
    "--to, no such promise": (
        bash("handoff modify 99 --to "),
        ["O\\'Brien", "Tanaka", "佐藤\\ 花子", "田中"],
    ),
    "--to, after -c": (bash("handoff modify 2 -c 'Acme Corp' --to ", 6), ["O\\'Brien", "Tanaka"]),
    "-c": (bash("handoff modify 1 -c Ac"), ["Acme\\ Corp"]),
    "--client": (bash("handoff modify 1 --client 山"), ["山田商事"]),
}


@pytest.mark.parametrize(
    ("env", "expected"), MODIFY_COMPLETION.values(), ids=MODIFY_COMPLETION.keys()
)
def test_modify_completes_contacts_and_clients(
    env: dict[str, str], expected: list[str], rich_base: Path, tmp_path: Path
) -> None:
    """`modify ID --to <Tab>` offers the contacts of the promise's client (or of the client
    it moves to), `modify ID -c <Tab>` the clients: the real `handoff`, as bash asks it."""
    fast_run, typer_run = both([], rich_base, tmp_path, env)
    assert_same(fast_run, typer_run, taken=False)  # Typer answers these
    assert fast_run.stdout.decode().splitlines() == expected
