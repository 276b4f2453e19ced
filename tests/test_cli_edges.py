"""Edges a careful user hits: huge numbers, empty names, empty files, failed commands."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import Run

HUGE = "99999999999999999999"


@pytest.mark.parametrize(
    "args",
    [
        ("done", HUGE),
        ("drop", HUGE),
        ("edit", HUGE, "--text", "x"),
        ("rm", HUGE, "--yes"),
        ("log", "Acme", "x", "--done", HUGE),
        ("show", "Acme", "--limit", HUGE),
        ("search", "x", "--limit", HUGE),
        ("due", "--within", "99999999"),
        ("due", "--as-of", "9999-12-30"),
    ],
)
def test_numbers_out_of_range_are_one_line_and_exit_2(run: Run, args: tuple[str, ...]) -> None:
    assert run("log", "Acme", "first").exit_code == 0
    result = run(*args)
    assert result.exit_code == 2, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr
    assert len(run("show", "Acme", "--json").json()["notes"]) == 1  # nothing half-written


@pytest.mark.parametrize(
    "args",
    [
        ("done", "5"),
        ("drop", "5"),
        ("pause", "5"),
        ("resume", "5"),
        ("contact", "", "Bob"),
        ("contact", "Acme", "  "),
        ("log", "  ", "hi"),
        ("promise", " ", "x", "--due", "fri"),
    ],
)
def test_a_refused_command_creates_no_database(
    run: Run, isolated: Path, args: tuple[str, ...]
) -> None:
    result = run(*args)
    assert result.exit_code == 2
    assert not isolated.exists()


def test_reading_leaves_an_empty_file_alone(run: Run, tmp_path: Path) -> None:
    empty = tmp_path / "empty.db"
    empty.touch(mode=0o644)
    for args in (("due",), ("clients",), ("show", "Acme"), ("search", "x"), ("promises",)):
        assert run("--db", str(empty), *args).exit_code == 0
    assert empty.stat().st_size == 0


def test_a_series_that_ends_while_paused_is_done(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    made = run(
        "promise", "Acme", "Three calls", "--every", "FREQ=DAILY;COUNT=3",
        "--start", "2026-11-25", "--json",
    ).json()  # fmt: skip
    pid = str(made["id"])
    assert run("pause", pid).exit_code == 0
    assert run("promises", "--json").json()[0]["status"] == "paused"
    monkeypatch.setenv("HANDOFF_NOW", "2026-12-01T10:00:00+09:00")
    resumed = run("resume", pid, "--json").json()
    assert resumed["status"] == "done" and resumed["next_due"] is None
    assert "done" in run("promises", "--all").stdout
    assert run("due", "--json").json()["items"] == []


def test_a_pause_until_a_day_ends_by_itself(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    made = run(
        "promise", "Acme", "Weekly call", "--every", "weekly", "--start", "2026-11-23", "--json"
    ).json()
    pid = str(made["id"])
    assert run("done", pid).exit_code == 0
    paused = run("pause", pid, "--until", "2026-12-14", "--json").json()
    assert (paused["status"], paused["paused_until"]) == ("paused", "2026-12-14")
    assert run("due", "--json").json()["paused"][0]["until"] == "2026-12-14"
    assert "resumes Mon 2026-12-14" in run("due").stdout
    monkeypatch.setenv("HANDOFF_NOW", "2026-12-14T10:00:00+09:00")
    (item,) = run("due", "--json").json()["items"]  # resumed by itself: the 14th is owed
    assert (item["due"], item["status"], item["missed"]) == ("2026-12-14", "today", 0)
    assert run("due", "--json").json()["paused"] == []
    refused = run("pause", pid, "--until", "2026-12-01")
    assert refused.exit_code == 2 and "after today" in refused.stderr


def test_an_unquoted_name_with_spaces_is_caught(run: Run) -> None:
    assert run("log", "Kitamura Logistics", "first").exit_code == 0
    split = run("log", "Kitamura", "Logistics", "called")  # what the shell passes unquoted
    assert split.exit_code == 2
    assert "did you mean 'Kitamura Logistics'?" in split.stderr
    assert 'quote names with spaces: "Kitamura Logistics"' in split.stderr
    assert [c["name"] for c in run("clients", "--json").json()] == ["Kitamura Logistics"]


def test_a_write_waiting_for_a_lock_says_so_at_a_terminal(isolated: Path) -> None:
    import os
    import pty
    import sqlite3
    import subprocess
    import sys
    import time

    from handoff_cli.store import Store

    store = Store.open(isolated, create=True)
    assert store is not None
    store.close()
    holder = sqlite3.connect(isolated, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another handoff, mid-write
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "handoff_cli", "log", "Acme", "hello"],
        stdout=subprocess.PIPE,
        stderr=follower,
        stdin=subprocess.DEVNULL,
    )
    os.close(follower)
    import select

    seen = b""
    deadline = time.monotonic() + 60  # a loaded machine may take seconds to start Python
    notice = b"waiting for another handoff process to finish writing"
    while notice not in seen and time.monotonic() < deadline:  # the write still waits
        if select.select([leader], [], [], 0.2)[0]:
            try:
                seen += os.read(leader, 4096)
            except OSError:
                break
    holder.execute("COMMIT")
    holder.close()
    out, _ = proc.communicate(timeout=60)
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    os.close(leader)
    assert proc.returncode == 0
    assert b"waiting for another handoff process to finish writing" in seen
    assert b"Saved note #1" in out


@pytest.mark.parametrize(
    "db", ["/tmp/" + "a" * 300 + ".db", "~nosuchuser-handoff/x.db"], ids=["too long", "no user"]
)
@pytest.mark.parametrize("command", [("due",), ("clients",), ("log", "Acme", "hi")])
def test_an_unusable_database_path_is_one_line(db: str, command: tuple[str, ...]) -> None:
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "handoff_cli", "--db", db, *command],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr


def test_db_after_the_command_says_where_it_goes(run: Run) -> None:
    result = run("due", "--db", "x.db")
    assert result.exit_code == 2
    assert "root options go before the command: handoff --db PATH" in result.stderr


def test_comma_separated_tags_are_several(run: Run) -> None:
    note = run("log", "Acme", "x", "--tag", "renewal,pricing", "-t", "q3", "--json").json()
    assert note["tags"] == ["renewal", "pricing", "q3"]


def test_doctor_reports_a_file_that_is_not_ours(run: Run, tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all\n" * 100)
    before = junk.read_bytes()
    result = run("--db", str(junk), "doctor")
    assert result.exit_code == 3
    assert "Problem:" in result.stdout and "not a handoff database" in result.stdout
    assert "try `handoff doctor`" not in result.stdout
    assert junk.read_bytes() == before


def test_the_command_table_is_what_each_module_registers() -> None:
    """cli/registry.py names each command's module, so a process registers only the one it
    runs: a command added to a module and not to the table would vanish from the CLI."""
    from importlib import import_module

    from handoff_cli.cli import registry

    found = {}
    for name in registry.ALL:
        app = import_module(f"handoff_cli.cli.{name}").app
        names = [c.name or c.callback.__name__.replace("_", "-") for c in app.registered_commands]
        names += [g.name or g.typer_instance.info.name for g in app.registered_groups]
        if app.info.name:  # a module whose app is itself a group (contact)
            names = [app.info.name]
        found[name] = sorted(str(n) for n in names)
    assert found == {m: sorted(c) for m, c in registry.COMMANDS.items()}


@pytest.mark.parametrize(
    ("args", "modules"),
    [
        (["done", "3", "--early"], ("promises",)),
        (["--db", "x.db", "--no-pager", "show", "Acme"], ("notes",)),
        (["--db=x.db", "contact", "Acme", "Tanaka"], ("contacts",)),
        (["notes", "--since", "mon"], ("browse",)),
        (["team", "init", "repo"], ("team",)),
        ([], None),
        (["--help"], None),
        (["doen", "1"], None),  # a typo: the whole app, for "did you mean 'done'?"
    ],
)
def test_a_command_line_loads_only_its_commands_module(
    args: list[str], modules: tuple[str, ...] | None
) -> None:
    from handoff_cli.cli import registry

    assert registry.modules_for(args, {}) == (modules or registry.ALL)
    assert registry.modules_for(args, {"_HANDOFF_COMPLETE": "complete_bash"}) == registry.ALL


def test_commands_run_help_and_typos_through_the_entry_point(tmp_path: Path) -> None:
    import subprocess
    import sys

    def handoff(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "handoff_cli", "--db", str(tmp_path / "h.db"), *args],
            capture_output=True,
            text=True,
            env={**__import__("os").environ, "HANDOFF_NOW": "2026-11-23T10:00:00+09:00"},
        )

    made = handoff("promise", "Acme", "Weekly call", "--every", "weekly", "--new-client")
    assert made.returncode == 0, made.stderr
    done = handoff("done", "1")
    assert done.returncode == 0 and "Done: #1 Weekly call" in done.stdout, done.stderr
    listing = handoff("--help").stdout
    for command in ("log", "done", "agenda", "export", "team", "contact", "doctor"):
        assert f"  {command} " in listing
    typo = handoff("doen", "1")
    assert typo.returncode == 2 and "Did you mean 'done'?" in typo.stderr
