"""log, show, clients, contact, edit, rm and search through the real CLI on a temp database.

The clock is pinned to Mon 2026-11-23 10:00 in Tokyo and the author to alice (conftest).
"""

from __future__ import annotations

import stat
import uuid
from pathlib import Path
from typing import Any

import pytest
from conftest import Result, Run, pretend_stdin_is_a_terminal
from typer.testing import CliRunner

# PRODUCT.md's note keys, plus "on" (the promise it is progress on, `log --on`).
NOTE_KEYS = {"id", "uuid", "client", "at", "kind", "text", "author", "with", "tags", "on"}
CONTACT_KEYS = {"id", "uuid", "name", "role", "email", "phone", "also_known_as"}
# PRODUCT.md's promise keys, plus the additions handoff makes.
PROMISE_KEYS = {"id", "uuid", "client", "title", "to", "owner", "rule", "next_due", "status"} | {
    "every",
    "start",
    "after_done",
    "due_at",
    "paused_until",
    "progress",
}
CLIENT_SUMMARY_KEYS = {"name", "last_contact", "notes", "open_promises", "overdue"}
SEARCH_KEYS = {"type", "id", "client", "at", "text"}


# ------------------------------------------------------------------ helpers


@pytest.fixture
def tty(monkeypatch: pytest.MonkeyPatch) -> None:
    """Standard input is a terminal (CliRunner swaps sys.stdin for its own stream)."""
    pretend_stdin_is_a_terminal(monkeypatch)


def editor_script(tmp_path: Path, body: str, name: str = "editor.sh") -> str:
    """A stand-in for $EDITOR: a shell script run with the file to edit as its argument."""
    script = tmp_path / name
    script.write_text("#!/bin/sh\n" + body + "\n", encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return str(script)


def ok(result: Result) -> Result:
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return result


def log(run: Run, *args: str) -> dict[str, Any]:
    data: dict[str, Any] = ok(run("log", *args, "--json")).json()
    return data


def show(run: Run, client: str, *args: str) -> dict[str, Any]:
    data: dict[str, Any] = ok(run("show", client, *args, "--json")).json()
    return data


def clients(run: Run) -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = ok(run("clients", "--json")).json()
    return data


def search(run: Run, *args: str) -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = ok(run("search", *args, "--json")).json()
    return data


def one_line_error(result: Result, code: int = 2) -> str:
    assert result.exit_code == code, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


# --------------------------------------------------------------------- log


def test_log_joins_words_and_says_a_new_client_was_created(run: Run) -> None:
    result = ok(run("log", "Acme", "called", "about", "the", "fees"))
    assert result.stdout == "Saved note #1 for Acme (new client), 2026-11-23 10:00.\n"
    assert result.stderr == ""
    again = ok(run("log", "Acme", "second"))
    assert again.stdout == "Saved note #2 for Acme, 2026-11-23 10:00.\n"
    assert [n["text"] for n in show(run, "Acme")["notes"]] == ["second", "called about the fees"]


def test_log_json_is_the_note(run: Run) -> None:
    data = log(run, "Acme", "called about fees")
    assert NOTE_KEYS <= data.keys()
    assert data["id"] == 1
    uuid.UUID(data["uuid"])
    assert data["client"] == "Acme"
    assert data["at"] == "2026-11-23T10:00:00+09:00"
    assert data["kind"] == "note"
    assert data["text"] == "called about fees"
    assert data["author"] == "alice"
    assert data["with"] == []
    assert data["tags"] == []
    assert data["new_client"] is True
    assert log(run, "Acme", "again")["new_client"] is False


def test_log_author_comes_from_the_environment(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HANDOFF_AUTHOR", "bob")
    assert log(run, "Acme", "hi")["author"] == "bob"


def test_log_author_defaults_to_the_login_name(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    import getpass

    monkeypatch.delenv("HANDOFF_AUTHOR")
    assert log(run, "Acme", "hi")["author"] == getpass.getuser()


def test_log_reads_standard_input(run: Run) -> None:
    ok(run("log", "Acme", input="line one\nline two\n\n"))
    assert show(run, "Acme")["notes"][0]["text"] == "line one\nline two"


def test_log_opens_the_editor_on_a_terminal(
    run: Run, tty: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EDITOR", editor_script(tmp_path, 'printf "from the editor\\n" > "$1"'))
    result = ok(run("log", "Acme"))
    assert result.stdout.startswith("Saved note #1 for Acme (new client)")
    assert show(run, "Acme")["notes"][0]["text"] == "from the editor"


def test_visual_wins_over_editor(
    run: Run, tty: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EDITOR", editor_script(tmp_path, 'echo editor > "$1"', "e.sh"))
    monkeypatch.setenv("VISUAL", editor_script(tmp_path, 'echo visual > "$1"', "v.sh"))
    ok(run("log", "Acme"))
    assert show(run, "Acme")["notes"][0]["text"] == "visual"


def test_log_on_a_terminal_without_an_editor_says_how(run: Run, tty: None, isolated: Path) -> None:
    line = one_line_error(run("log", "Acme"))
    assert "$EDITOR" in line
    assert not isolated.exists()


def test_an_editor_that_fails_saves_nothing(
    run: Run, tty: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, isolated: Path
) -> None:
    monkeypatch.setenv("EDITOR", editor_script(tmp_path, 'echo text > "$1"; exit 3'))
    line = one_line_error(run("log", "Acme"), code=1)
    assert "status 3" in line
    assert not isolated.exists()


@pytest.mark.parametrize(
    ("args", "stdin", "editor"),
    [
        (("",), None, None),
        (("  ", "  "), None, None),
        ((), "", None),
        ((), "  \n\t\n", None),
        ((), None, ': > "$1"'),  # the editor leaves the file empty
        ((), None, 'printf "  \\n\\n" > "$1"'),
    ],
    ids=["empty-word", "blank-words", "empty-stdin", "blank-stdin", "empty-editor", "blank-editor"],
)
def test_empty_text_saves_nothing_and_exits_1(
    run: Run,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    isolated: Path,
    args: tuple[str, ...],
    stdin: str | None,
    editor: str | None,
) -> None:
    if editor is not None:
        pretend_stdin_is_a_terminal(monkeypatch)
        monkeypatch.setenv("EDITOR", editor_script(tmp_path, editor))
    line = one_line_error(run("log", "Acme", *args, input=stdin), code=1)
    assert "nothing to save" in line
    assert not isolated.exists()  # not even a database was created
    # and with a database already there, nothing is added to it
    ok(run("log", "Other", "first"))
    one_line_error(run("log", "Acme", *args, input=stdin), code=1)
    assert [c["name"] for c in clients(run)] == ["Other"]


@pytest.mark.parametrize(
    ("when", "at"),
    [
        ("yesterday 15:00", "2026-11-22T15:00:00+09:00"),
        ("2026-12-01", "2026-12-01T12:00:00+09:00"),
        ("2026-11-20T15:30", "2026-11-20T15:30:00+09:00"),
        ("2026-11-20T15:30-05:00", "2026-11-20T15:30:00-05:00"),
        ("3 days ago", "2026-11-20T10:00:00+09:00"),
        ("-1d", "2026-11-22T10:00:00+09:00"),
        ("last fri", "2026-11-20T10:00:00+09:00"),
    ],
)
def test_log_at(run: Run, when: str, at: str) -> None:
    assert log(run, "Acme", "hi", "--at", when)["at"] == at
    assert show(run, "Acme")["notes"][0]["at"] == at


def test_log_at_shows_local_time_to_people(run: Run) -> None:
    result = ok(run("log", "Acme", "hi", "--at", "2026-11-20T06:00Z"))
    assert result.stdout == "Saved note #1 for Acme (new client), 2026-11-20 15:00.\n"


def test_log_bad_at_is_refused_with_examples(run: Run, isolated: Path) -> None:
    line = one_line_error(run("log", "Acme", "hi", "--at", "the day after never"))
    assert "cannot understand date 'the day after never'" in line
    assert "yesterday 15:00" in line
    assert not isolated.exists()


def test_show_orders_notes_by_when_they_happened(run: Run) -> None:
    log(run, "Acme", "today's call")
    log(run, "Acme", "last week", "--at", "-1w")
    log(run, "Acme", "yesterday", "--at", "yesterday")
    assert [n["text"] for n in show(run, "Acme")["notes"]] == [
        "today's call",
        "yesterday",
        "last week",
    ]


def test_log_with_creates_contacts_for_the_client(run: Run) -> None:
    data = log(run, "Acme", "met", "--with", "Tanaka", "-w", "Sato   Ichiro")
    assert data["with"] == ["Tanaka", "Sato Ichiro"]
    again = log(run, "ACME", "met again", "--with", "tanaka", "--with", "TANAKA")
    assert again["with"] == ["Tanaka"]
    contacts = show(run, "Acme")["contacts"]
    assert sorted(c["name"] for c in contacts) == ["Sato Ichiro", "Tanaka"]
    other = log(run, "Globex", "met", "--with", "Tanaka")
    assert other["with"] == ["Tanaka"]
    assert len(show(run, "Globex")["contacts"]) == 1  # contacts belong to one client


def test_log_with_an_empty_name_saves_nothing(run: Run) -> None:
    ok(run("log", "Acme", "first"))
    line = one_line_error(run("log", "Acme", "second", "--with", "  "))
    assert "contact name cannot be empty" in line
    assert len(show(run, "Acme")["notes"]) == 1


def test_log_tags(run: Run) -> None:
    data = log(run, "Acme", "hi", "--tag", "urgent", "-t", "fees", "--tag", "urgent")
    assert data["tags"] == ["urgent", "fees"]
    shown = ok(run("show", "Acme")).stdout
    assert "#urgent #fees" in shown


@pytest.mark.parametrize("kind", ["call", "meeting", "email", "visit", "note", "CALL", " Visit "])
def test_log_kind(run: Run, kind: str) -> None:
    assert log(run, "Acme", "hi", "--kind", kind)["kind"] == kind.strip().lower()


def test_log_unknown_kind_is_refused(run: Run, isolated: Path) -> None:
    line = one_line_error(run("log", "Acme", "hi", "--kind", "phone"))
    assert "unknown kind 'phone'" in line
    assert "call, meeting, email, visit, note" in line
    assert not isolated.exists()


def test_a_likely_typo_of_a_client_is_refused(run: Run) -> None:
    log(run, "Acme Corp", "first")
    line = one_line_error(run("log", "Acme Crop", "second"))
    assert "did you mean 'Acme Corp'" in line
    assert "--new-client" in line
    assert [c["name"] for c in clients(run)] == ["Acme Corp"]
    assert len(show(run, "Acme Corp")["notes"]) == 1
    one_line_error(run("contact", "Acme Crop", "Tanaka"))
    assert [c["name"] for c in clients(run)] == ["Acme Corp"]
    assert show(run, "Acme Corp")["contacts"] == []


def test_new_client_overrides_the_typo_check(run: Run) -> None:
    log(run, "Acme Corp", "first")
    data = log(run, "Acme Crop", "really a different company", "--new-client")
    assert data["new_client"] is True
    assert [c["name"] for c in clients(run)] == ["Acme Corp", "Acme Crop"]
    ok(run("log", "Acme Crop", "no flag needed once it exists"))


def test_a_different_name_is_not_a_typo(run: Run) -> None:
    log(run, "Acme Corp", "first")
    assert log(run, "Globex", "hi")["new_client"] is True


def test_client_names_match_ignoring_case_and_width(run: Run) -> None:
    log(run, "ACME", "one")
    assert log(run, "acme", "two")["client"] == "ACME"
    assert log(run, "ＡＣＭＥ", "three")["client"] == "ACME"
    assert log(run, "  Acme ", "four")["client"] == "ACME"
    (summary,) = clients(run)
    assert summary["name"] == "ACME"
    assert summary["notes"] == 4
    assert len(show(run, "ａｃｍｅ")["notes"]) == 4


def test_unknown_client_in_show_suggests_the_close_one(run: Run) -> None:
    log(run, "Acme Corp", "first")
    line = one_line_error(run("show", "Acme Crop"))
    assert "did you mean 'Acme Corp'" in line
    line = one_line_error(run("show", "Nobody At All"))
    assert "no client named 'Nobody At All'" in line


# -------------------------------------------------------------------- show


def test_show_counts_a_clients_promises_as_clients_does(run: Run) -> None:
    """show counts one client's promises itself (store.client_summary); `clients`
    counts everyone's at once: open, overdue (not paused ones, not done or dropped
    ones), notes and last contact agree, whoever else has promises."""
    from datetime import datetime

    ok(run("log", "Acme", "kickoff", "--at", "2026-11-01T09:00"))
    for args in (
        ("Acme", "Monthly report", "--every", "monthly", "--start", "2026-09-23"),
        ("Acme", "Send the deck", "--due", "2026-11-20"),
        ("Acme", "Weekly call notes", "--every", "weekly on mon", "--start", "2026-11-02"),
        ("Acme", "Quarterly review", "--every", "quarterly", "--start", "2026-12-01"),
        ("Acme", "Old one-off", "--due", "2026-11-10"),
        ("Beacon", "Their report", "--due", "2026-11-01"),
    ):
        ok(run("promise", *args))
    ok(run("pause", "3", "--until", "2026-12-07"))  # overdue, but paused today
    ok(run("done", "5"))
    for summary in clients(run):
        facts = ok(run("show", summary["name"])).stdout.splitlines()[1]
        last = summary["last_contact"]
        shown = "never" if last is None else f"{datetime.fromisoformat(last).astimezone():%F %H:%M}"
        expected = [
            f"{summary['notes']} note" + ("" if summary["notes"] == 1 else "s"),
            f"last contact {shown}",
            f"{summary['open_promises']} open promise"
            + ("" if summary["open_promises"] == 1 else "s"),
        ]
        if summary["overdue"]:
            expected.append(f"{summary['overdue']} overdue")
        assert facts == "  " + " · ".join(expected)
    assert [(s["open_promises"], s["overdue"]) for s in clients(run)] == [(4, 2), (1, 1)]


def test_show_for_people(run: Run) -> None:
    ok(run("log", "Acme", "called about fees", "-w", "Tanaka", "-t", "fees", "-k", "call"))
    ok(run("contact", "Acme", "Tanaka", "--role", "system manager", "--email", "t@acme.example"))
    ok(run("log", "Acme", "line one\nline two", "--at", "2026-11-20T09:00"))
    out = ok(run("show", "acme")).stdout
    assert out == (
        "Acme\n"
        "  2 notes · last contact 2026-11-23 10:00 · 0 open promises\n"
        "\n"
        "Contacts\n"
        "  Tanaka  system manager · t@acme.example\n"
        "\n"
        "Notes, newest first\n"
        "  #1  2026-11-23 10:00  call  with Tanaka  #fees  alice\n"
        "      called about fees\n"
        "  #2  2026-11-20 09:00  note  alice\n"
        "      line one\n"
        "      line two\n"
    )


def test_show_json_pins_the_keys_of_notes_contacts_and_promises(run: Run) -> None:
    log(run, "Acme", "called about fees", "--with", "Tanaka", "--tag", "fees")
    ok(run("contact", "Acme", "Tanaka", "--phone", "03-1234"))
    ok(run("promise", "Acme", "Monthly report", "--every", "monthly", "--to", "Tanaka"))
    ok(run("promise", "Acme", "Send the quote", "--due", "2026-11-30"))
    data = show(run, "Acme")
    assert set(data) == {"client", "contacts", "promises", "notes"}
    assert data["client"] == "Acme"
    (note,) = data["notes"]
    assert set(note) == NOTE_KEYS
    assert note["with"] == ["Tanaka"]
    assert note["tags"] == ["fees"]
    (person,) = data["contacts"]
    assert set(person) == CONTACT_KEYS
    assert person == {
        "id": person["id"],
        "uuid": person["uuid"],
        "name": "Tanaka",
        "role": None,
        "email": None,
        "phone": "03-1234",
        "also_known_as": [],
    }
    assert len(data["promises"]) == 2
    for promise in data["promises"]:
        assert set(promise) == PROMISE_KEYS
        uuid.UUID(promise["uuid"])
        assert promise["status"] == "open"
    by_title = {p["title"]: p for p in data["promises"]}
    assert by_title["Send the quote"]["rule"] is None
    assert by_title["Send the quote"]["next_due"] == "2026-11-30"
    assert by_title["Monthly report"]["rule"] is not None
    assert by_title["Monthly report"]["to"] == "Tanaka"


def test_show_limit_and_since(run: Run) -> None:
    for days in (1, 5, 10, 40):
        log(run, "Acme", f"{days} days ago", "--at", f"{days} days ago")
    assert [n["text"] for n in show(run, "Acme", "--limit", "2")["notes"]] == [
        "1 days ago",
        "5 days ago",
    ]
    since = show(run, "Acme", "--since", "2 weeks ago")["notes"]
    assert [n["text"] for n in since] == ["1 days ago", "5 days ago", "10 days ago"]
    human = ok(run("show", "Acme", "-n", "2")).stdout
    assert "(2 of 4; --limit for more)" in human
    one_line_error(run("show", "Acme", "--since", "whenever"))


def test_show_client_without_notes(run: Run) -> None:
    ok(run("contact", "Acme", "Tanaka"))
    assert show(run, "Acme")["notes"] == []
    assert "none yet" in ok(run("show", "Acme")).stdout


# ----------------------------------------------------------------- clients


def test_clients_json(run: Run) -> None:
    log(run, "Globex", "old", "--at", "2026-11-01T09:00")
    log(run, "Acme", "new")
    log(run, "Acme", "older", "--at", "2026-11-10T09:00")
    data = clients(run)
    for row in data:
        assert set(row) == CLIENT_SUMMARY_KEYS
    assert [(r["name"], r["notes"], r["open_promises"], r["overdue"]) for r in data] == [
        ("Acme", 2, 0, 0),
        ("Globex", 1, 0, 0),
    ]
    from datetime import datetime

    last = {r["name"]: datetime.fromisoformat(r["last_contact"]) for r in data}
    assert last["Acme"] == datetime.fromisoformat("2026-11-23T10:00:00+09:00")
    assert last["Globex"] == datetime.fromisoformat("2026-11-01T09:00:00+09:00")
    assert last["Acme"].utcoffset() is not None


def test_clients_counts_open_and_overdue_promises(run: Run) -> None:
    log(run, "Acme", "hi")
    ok(run("promise", "Acme", "Send the quote", "--due", "2026-11-20"))
    ok(run("promise", "Acme", "Call back", "--due", "2026-11-30"))
    (row,) = clients(run)
    assert (row["open_promises"], row["overdue"]) == (2, 1)


def test_clients_for_people(run: Run) -> None:
    assert ok(run("clients")).stdout.startswith("no handoff database yet")
    log(run, "Acme", "hi")
    log(run, "山田商事", "hi", "--at", "2026-11-01T09:00")
    out = ok(run("clients")).stdout
    assert out.splitlines() == [
        "Client    Last contact      Notes  Open  Overdue",
        "Acme      2026-11-23 10:00  1      0     0",
        "山田商事  2026-11-01 09:00  1      0     0",
    ]


# ----------------------------------------------------------------- contact


def test_contact_add_then_update(run: Run) -> None:
    added = ok(run("contact", "Acme", "Tanaka", "--role", "manager"))
    assert added.stdout == "Added contact Tanaka at Acme (new client).\n"
    data = ok(run("contact", "acme", "TANAKA", "--email", "t@acme.example", "--json")).json()
    assert set(data) == CONTACT_KEYS
    assert data["name"] == "Tanaka"
    assert (data["role"], data["email"], data["phone"]) == ("manager", "t@acme.example", None)
    updated = ok(run("contact", "Acme", "Tanaka", "--phone", "03-1234"))
    assert updated.stdout == "Updated contact Tanaka at Acme.\n"
    (person,) = show(run, "Acme")["contacts"]
    assert person["id"] == data["id"]
    assert person["uuid"] == data["uuid"]
    assert (person["role"], person["email"], person["phone"]) == (
        "manager",
        "t@acme.example",
        "03-1234",
    )


def test_contact_json_for_a_new_person(run: Run) -> None:
    data = ok(run("contact", "Acme", "Sato", "--json")).json()
    assert data == {
        "id": 1,
        "uuid": data["uuid"],
        "name": "Sato",
        "role": None,
        "email": None,
        "phone": None,
        "also_known_as": [],
    }
    uuid.UUID(data["uuid"])


# -------------------------------------------------------------------- edit


def test_edit_with_text(run: Run) -> None:
    note = log(run, "Acme", "called about fees", "--with", "Tanaka", "--tag", "x")
    result = ok(run("edit", str(note["id"]), "--text", "called about the new fees"))
    assert result.stdout == "Updated note #1 for Acme.\n"
    (after,) = show(run, "Acme")["notes"]
    assert after["text"] == "called about the new fees"
    assert {k: v for k, v in after.items() if k != "text"} == {
        k: v for k, v in note.items() if k in NOTE_KEYS and k != "text"
    }
    assert [h["id"] for h in search(run, "new")] == [1]  # the index follows the edit


def test_edit_from_stdin(run: Run) -> None:
    log(run, "Acme", "old")
    ok(run("edit", "1", input="new\ntext\n"))
    assert show(run, "Acme")["notes"][0]["text"] == "new\ntext"
    assert search(run, "old") == []


def test_edit_in_the_editor_starts_from_the_note(
    run: Run, tty: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log(run, "Acme", "called about fees")
    monkeypatch.setenv("EDITOR", editor_script(tmp_path, 'printf " (fixed)" >> "$1"'))
    ok(run("edit", "1"))
    assert show(run, "Acme")["notes"][0]["text"] == "called about fees (fixed)"


def test_edit_json(run: Run) -> None:
    log(run, "Acme", "old")
    data = ok(run("edit", "1", "--text", "new", "--json")).json()
    assert NOTE_KEYS <= data.keys()
    assert data["text"] == "new"


def test_edit_json_when_nothing_changed_is_still_json(run: Run) -> None:
    log(run, "Acme", "same")
    data = ok(run("edit", "1", "--text", "same", "--json")).json()
    assert data["text"] == "same"
    assert ok(run("edit", "1", "--text", "same")).stdout == "Note #1 unchanged.\n"


def test_edit_to_empty_saves_nothing(run: Run) -> None:
    log(run, "Acme", "keep me")
    one_line_error(run("edit", "1", "--text", "  "), code=1)
    one_line_error(run("edit", "1", input=""), code=1)
    assert show(run, "Acme")["notes"][0]["text"] == "keep me"


def test_edit_unknown_note(run: Run) -> None:
    log(run, "Acme", "hi")
    assert "no note #9" in one_line_error(run("edit", "9", "--text", "x"))


# ---------------------------------------------------------------------- rm


def test_rm_with_yes(run: Run) -> None:
    log(run, "Acme", "one about fees", "--with", "Tanaka")
    log(run, "Acme", "two", "--at", "yesterday")
    assert ok(run("rm", "1", "--yes")).stdout == "Removed note #1 from Acme.\n"
    assert [n["text"] for n in show(run, "Acme")["notes"]] == ["two"]
    assert search(run, "fees") == []
    (row,) = clients(run)
    assert row["notes"] == 1
    assert row["last_contact"] is not None
    assert row["last_contact"].startswith("2026-11-22")
    assert "no note #1" in one_line_error(run("rm", "1", "--yes"))


def test_rm_without_yes_refuses_when_stdin_is_not_a_terminal(run: Run) -> None:
    log(run, "Acme", "precious")
    line = one_line_error(run("rm", "1", input="y\n"))
    assert "--yes" in line
    assert len(show(run, "Acme")["notes"]) == 1


def test_rm_asks_on_a_terminal(run: Run, tty: None) -> None:
    log(run, "Acme", "precious")
    kept = ok(run("rm", "1", input="n\n"))
    assert "Remove note #1 (Acme: precious)?" in kept.stdout
    assert "Kept." in kept.stdout
    assert len(show(run, "Acme")["notes"]) == 1
    ok(run("rm", "1", input="y\n"))
    assert show(run, "Acme")["notes"] == []


def test_rm_prompt_does_not_let_a_client_name_control_the_terminal(run: Run, tty: None) -> None:
    log(run, "Evil\x1b]0;pwned\x07Corp", "note")
    result = ok(run("rm", "1", input="n\n"))
    assert "\x1b" not in result.stdout
    assert "\x07" not in result.stdout


# ------------------------------------------------------------------ search


@pytest.fixture
def notes(run: Run) -> None:
    log(run, "Acme", "called about fees", "--at", "2026-11-20T09:00")
    log(run, "山田商事", "月次報告を送付", "--at", "2026-11-21T09:00")
    log(run, "Globex", "報告書のレビュー会議", "--at", "2026-11-22T09:00")
    log(run, "Acme", "Fee schedule sent to Tanaka")


def test_search_finds_a_word_inside_japanese_text(run: Run, notes: None) -> None:
    hits = search(run, "報告")
    assert [(h["client"], h["text"]) for h in hits] == [
        ("Globex", "報告書のレビュー会議"),
        ("山田商事", "月次報告を送付"),
    ]
    for hit in hits:
        assert set(hit) == SEARCH_KEYS
        assert hit["type"] == "note"
    assert [h["text"] for h in search(run, "送付")] == ["月次報告を送付"]
    assert [h["text"] for h in search(run, "月次報告")] == ["月次報告を送付"]


def test_search_one_cjk_character(run: Run, notes: None) -> None:
    assert [h["text"] for h in search(run, "報")] == ["報告書のレビュー会議", "月次報告を送付"]
    assert [h["text"] for h in search(run, "付")] == ["月次報告を送付"]


def test_search_english_prefix_and_case(run: Run, notes: None) -> None:
    assert [h["id"] for h in search(run, "fee")] == [4, 1]
    assert [h["id"] for h in search(run, "FEES")] == [1]
    assert [h["id"] for h in search(run, "fee", "tanaka")] == [4]  # every word must match


def test_search_result_fields(run: Run, notes: None) -> None:
    (hit,) = search(run, "schedule")
    assert hit == {
        "type": "note",
        "id": 4,
        "client": "Acme",
        "at": "2026-11-23T10:00:00+09:00",
        "text": "Fee schedule sent to Tanaka",
    }


def test_search_for_people(run: Run, notes: None) -> None:
    out = ok(run("search", "報告", "--client", "山田商事")).stdout
    assert out == "note #2  2026-11-21 09:00  山田商事\n    月次報告を送付\n"
    assert ok(run("search", "nothing-here")).stdout == "Nothing matches 'nothing-here'.\n"


def test_search_client_filter(run: Run, notes: None) -> None:
    assert [h["id"] for h in search(run, "fee", "--client", "acme")] == [4, 1]
    assert search(run, "fee", "-c", "Globex") == []
    assert [h["client"] for h in search(run, "報告", "-c", "ｇｌｏｂｅｘ")] == ["Globex"]
    assert "did you mean 'Globex'" in one_line_error(run("search", "x", "--client", "Glbex"))


def test_search_finds_promise_titles(run: Run, notes: None) -> None:
    ok(run("promise", "Acme", "Send the fee table", "--due", "2026-11-30"))
    hits = search(run, "table")
    assert [(h["type"], h["client"], h["text"]) for h in hits] == [
        ("promise", "Acme", "Send the fee table")
    ]


@pytest.mark.parametrize(
    "query",
    ['"', "(", ")", "*", "AND", "OR", "NOT", "NEAR(", "NEAR(fees", "-", ":", "fees:", "^",
     '"fees', "fees*", "a AND (b", "{body}:", "'", "\\", "_"],
)  # fmt: skip
def test_search_never_fails_on_fts_syntax(run: Run, notes: None, query: str) -> None:
    result = run("search", query, "--json")
    assert result.exit_code == 0, result.stderr
    assert isinstance(result.json(), list)
    human = ok(run("search", query))
    assert human.stderr == ""


def test_search_fts_words_are_ordinary_words(run: Run, notes: None) -> None:
    log(run, "Acme", "NEAR the office AND the station")
    assert [h["id"] for h in search(run, "near")] == [5]
    assert [h["id"] for h in search(run, "AND", "station")] == [5]
    assert [h["id"] for h in search(run, '"fees"')] == [1]
    dashed = ok(run("search", "--json", "--", "-fees")).json()
    assert [h["id"] for h in dashed] == [1]


def test_search_without_words_finds_nothing(run: Run, notes: None) -> None:
    assert search(run, "*") == []
    assert ok(run("search", "()")).stdout == "Nothing matches '()'.\n"


# ----------------------------------------------------- safe rendering


MARKUP = "[bold]x[/] and [link=http://e]y[/link]"
ESCAPES = "a\x1b[31mred\x1b[0m b\x1b]8;;http://evil\x1b\\click\x1b]8;;\x1b\\ c\x1b]0;title\x07"
RTL = "invoice \u202etxt.exe"


def test_markup_is_shown_literally(run: Run) -> None:
    log(run, "[bold]Acme[/]", MARKUP, "--with", "[red]Tanaka[/red]", "--tag", "[i]t[/i]")
    out = ok(run("show", "[bold]Acme[/]")).stdout
    assert MARKUP in out
    assert "[bold]Acme[/]" in out
    assert "[red]Tanaka[/red]" in out
    assert "#[i]t[/i]" in out
    assert "[bold]Acme[/]" in ok(run("clients")).stdout
    assert MARKUP in ok(run("search", "link")).stdout


def test_control_sequences_are_made_visible_but_kept_in_json(run: Run) -> None:
    log(run, "Acme\x1b[2J", ESCAPES)
    log(run, "Acme\x1b[2J", RTL, "--with", "Ta\x1b[8mnaka")
    for args in (("show", "acme\x1b[2j"), ("clients",), ("search", "invoice"), ("search", "red")):
        out = ok(run(*args)).stdout
        assert "\x1b" not in out, args
        assert "\x07" not in out, args
        assert "\u202e" not in out, args
    shown = ok(run("show", "Acme\x1b[2J")).stdout
    assert "\\x1b[31mred" in shown
    assert "\\x1b]0;title\\x07" in shown
    assert "invoice \\u202etxt.exe" in shown
    assert "Ta\\x1b[8mnaka" in shown
    data = show(run, "Acme\x1b[2J")
    assert data["client"] == "Acme\x1b[2J"
    assert [n["text"] for n in data["notes"]] == [RTL, ESCAPES]
    assert data["notes"][0]["with"] == ["Ta\x1b[8mnaka"]
    assert {h["text"] for h in search(run, "invoice")} == {RTL}


def test_saved_message_and_errors_neutralise_control_characters(run: Run) -> None:
    result = ok(run("log", "Evil\x1b]0;x\x07", "hi"))
    assert "\x1b" not in result.stdout
    line = one_line_error(run("show", "Nobody\x1b[2J"))
    assert "\x1b" not in line
    assert "\\x1b[2J" in line


def test_multiline_note_in_show_cannot_fake_a_note_header(run: Run) -> None:
    log(run, "Acme", "real\r  #99  2026-01-01 00:00  note  mallory")
    out = ok(run("show", "Acme")).stdout
    assert "\r" not in out
    assert "real\\x0d" in out


# ------------------------------------------- text that is not UTF-8


def test_undecodable_bytes_in_arguments_are_refused_cleanly(run: Run) -> None:
    # Python passes argv bytes that are not UTF-8 as lone surrogates.
    ok(run("log", "Acme", "first"))
    for args in (
        ("log", "Acme", "bad \udcff text"),
        ("log", "Ac\udcffme", "text"),
        ("log", "Acme", "text", "--with", "Ta\udcffnaka"),
        ("log", "Acme", "text", "--tag", "\udcff"),
        ("contact", "Acme", "Tanaka", "--role", "\udcff"),
        ("edit", "1", "--text", "\udcff"),
        ("show", "Ac\udcffme"),
    ):
        line = one_line_error(run(*args))
        assert "not valid UTF-8" in line, args
    data = show(run, "Acme")
    assert [n["text"] for n in data["notes"]] == ["first"]
    assert data["contacts"] == []
    assert [c["name"] for c in clients(run)] == ["Acme"]


def test_stdin_that_is_not_utf8_is_refused(run: Run, isolated: Path) -> None:
    from handoff_cli.cli import app

    result = CliRunner().invoke(app, ["log", "Acme"], input=b"ok \xff bad")
    assert result.exit_code == 2
    assert "not UTF-8" in result.stderr
    assert not isolated.exists()


def test_editor_text_that_is_not_utf8_is_refused_but_shown(
    run: Run, tty: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EDITOR", editor_script(tmp_path, "printf 'my words \\377' > \"$1\""))
    line = one_line_error(run("log", "Acme"))
    assert "not UTF-8" in line
    assert "my words \\udcff" in line  # the words are not lost with the temporary file


def test_author_that_is_not_utf8_is_refused(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HANDOFF_AUTHOR", "al\udcffice")
    assert "HANDOFF_AUTHOR" in one_line_error(run("log", "Acme", "hi"))


def test_show_with_no_notes_in_range_does_not_say_none_yet(run: Run) -> None:
    log(run, "Acme", "old", "--at", "2026-01-05")
    out = ok(run("show", "Acme", "--since", "yesterday")).stdout
    assert "none yet" not in out
    assert "none since then" in out
    assert "none yet" not in ok(run("show", "Acme", "--limit", "0")).stdout


def test_search_limit_counts_notes_and_promises_together(run: Run) -> None:
    log(run, "Acme", "fees one")
    log(run, "Acme", "fees two")
    ok(run("promise", "Acme", "Explain the fees", "--due", "2026-11-30"))
    assert len(search(run, "fees")) == 3
    assert len(search(run, "fees", "--limit", "2")) == 2
    assert len(search(run, "fees", "-n", "1")) == 1


def test_log_done_marks_the_promise_kept(run: Run) -> None:
    ok(run("promise", "Acme", "Send the quote", "--due", "2026-11-30"))
    ok(run("promise", "Globex", "Call back", "--due", "2026-11-30"))
    data = log(run, "Acme", "sent the quote", "--done", "1")
    assert [p["status"] for p in data["done"]] == ["done"]
    line = one_line_error(run("log", "Acme", "called back", "--done", "2"))
    assert "belongs to Globex" in line
    assert "no promise #9" in one_line_error(run("log", "Acme", "x", "--done", "9"))
    assert [n["text"] for n in show(run, "Acme")["notes"]] == ["sent the quote"]
    assert [p["status"] for p in ok(run("promises", "--json")).json()] == ["open"]


def test_words_typed_in_the_editor_survive_a_refusal(
    run: Run, tty: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log(run, "Acme Corp", "first")
    monkeypatch.setenv("EDITOR", editor_script(tmp_path, 'printf "long notes\\nline 2" > "$1"'))
    result = run("log", "Acme Crop")
    assert result.exit_code == 2
    first, *text = result.stderr.splitlines()
    assert first.startswith("error: ") and "did you mean 'Acme Corp'" in first
    assert first.endswith("your note was not saved, here it is:")
    assert text == ["long notes", "line 2"]  # as typed, line breaks kept


def test_words_survive_a_file_that_is_not_a_database(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("not a database\n" * 100)
    result = run("--db", str(path), "log", "Acme", "called about fees")
    assert result.exit_code == 3
    line = one_line_error(result, code=3)
    assert "not a handoff database" in line
    assert "here it is: called about fees" in line
