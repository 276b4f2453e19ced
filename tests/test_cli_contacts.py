"""People at a client through the real CLI: the did-you-mean guard on --with and --to,
`contact rm`, `contact rename`, `contact merge` and `contact alias`, and how each
travels in a bundle to a colleague's database.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import Result, Run
from test_cli_notes import log, ok, one_line_error, show, tty  # noqa: F401 (tty: a fixture)
from test_fast_path import assert_same, base, bash, both  # noqa: F401 (base: a fixture)

from handoff_cli.shapes import contact_record

CLIENTS = ["Acme\\ Corp", "Beacon\\ Labs", "山田商事"]  # test_fast_path's seed, as bash gets them


def people(run: Run, client: str = "Acme") -> list[dict[str, Any]]:
    contacts: list[dict[str, Any]] = show(run, client)["contacts"]
    return contacts


def names(run: Run, client: str = "Acme") -> list[str]:
    return [c["name"] for c in people(run, client)]


def note_count(run: Run, client: str = "Acme") -> int:
    data = ok(run("clients", "--json")).json()
    return int(next(c["notes"] for c in data if c["name"] == client))


@pytest.fixture
def acme(run: Run) -> None:
    ok(run("contact", "Acme", "高橋 誠", "--role", "CFO", "--new-client"))
    ok(run("contact", "Acme", "Tanaka", "--email", "tanaka@acme.example"))
    log(run, "Acme", "kick-off", "--with", "Tanaka")


# ------------------------------------------------------------------ the guard


def test_with_a_name_close_to_a_contact_is_refused_and_nothing_is_saved(
    run: Run, acme: None
) -> None:
    line = one_line_error(run("log", "Acme", "budget talk", "--with", "高橋"))
    assert line == (
        "error: no contact '高橋' at Acme yet; did you mean '高橋 誠'? "
        "(quote names with spaces: \"高橋 誠\") (add --new-contact to add '高橋')"
    )
    assert "did you mean 'Tanaka'?" in one_line_error(
        run("log", "Acme", "call", "--with", "Tanka", "--with", "高橋 誠")
    )
    assert note_count(run) == 1  # neither note was saved
    assert sorted(names(run)) == ["Tanaka", "高橋 誠"]


def test_new_contact_adds_a_name_close_to_another(run: Run, acme: None) -> None:
    note = log(run, "Acme", "met the other Takahashi", "--with", "高橋", "--new-contact")
    assert note["with"] == ["高橋"]
    assert sorted(names(run)) == ["Tanaka", "高橋", "高橋 誠"]
    # Known now: named again, no flag is needed.
    assert log(run, "Acme", "again", "--with", "高橋")["with"] == ["高橋"]


def test_exact_names_in_any_case_and_brand_new_names_pass(run: Run, acme: None) -> None:
    assert log(run, "Acme", "a", "--with", "TANAKA")["with"] == ["Tanaka"]
    assert log(run, "Acme", "b", "--with", "Ｔａｎａｋａ")["with"] == ["Tanaka"]
    assert log(run, "Acme", "c", "--with", "Suzuki")["with"] == ["Suzuki"]  # not close to anyone
    assert log(run, "Globex", "d", "--with", "Tanka")["with"] == ["Tanka"]  # another client's


def test_the_guard_on_promise_to_and_modify_to(run: Run, acme: None) -> None:
    refused = run("promise", "Acme", "Report", "--every", "monthly", "--to", "Tanka")
    assert "did you mean 'Tanaka'?" in one_line_error(refused)
    assert ok(run("promises", "--json")).json() == []
    made = ok(run("promise", "Acme", "Report", "--every", "monthly", "--to", "Tanaka", "--json"))
    pid = str(made.json()["id"])
    assert "did you mean '高橋 誠'?" in one_line_error(run("modify", pid, "--to", "高橋"))
    assert ok(run("promises", "--json")).json()[0]["to"] == "Tanaka"
    moved = ok(run("modify", pid, "--to", "高橋", "--new-contact", "--json")).json()
    assert moved["to"] == "高橋"
    other = ok(run("promise", "Acme", "Call", "--due", "fri", "--to", "Tanka", "--new-contact"))
    assert "Promise #2" in other.stdout


def test_the_contact_command_guards_a_new_name_too(run: Run, acme: None) -> None:
    assert "did you mean 'Tanaka'?" in one_line_error(run("contact", "Acme", "Tanka"))
    assert sorted(names(run)) == ["Tanaka", "高橋 誠"]
    assert ok(run("contact", "Acme", "Tanka", "--new-contact")).stdout == (
        "Added contact Tanka at Acme.\n"
    )


# ------------------------------------------------------------- the old form


def test_contact_client_name_still_adds_and_updates(run: Run) -> None:
    added = ok(run("contact", "Acme", "Tanaka", "--role", "manager", "--new-client"))
    assert added.stdout == "Added contact Tanaka at Acme (new client).\n"
    data = ok(run("contact", "--json", "acme", "TANAKA", "--phone", "03-1234")).json()
    assert (data["name"], data["role"], data["phone"]) == ("Tanaka", "manager", "03-1234")
    assert ok(run("contact", "set", "Acme", "Tanaka", "--role", "CTO")).stdout == (
        "Updated contact Tanaka at Acme.\n"
    )


def test_a_client_named_like_a_subcommand_is_reached_with_set(run: Run) -> None:
    ok(run("contact", "set", "rm", "Tanaka", "--new-client"))
    assert names(run, "rm") == ["Tanaka"]
    # The short form would be `contact rm` itself: it reads CLIENT NAME and finds no client.
    assert "no client named 'Tanaka'" in one_line_error(run("contact", "rm", "Tanaka", "X"))


def test_bare_contact_shows_its_commands(run: Run) -> None:
    result = run("contact")  # as a bare `log`: usage on stderr, exit 2
    assert result.exit_code == 2
    text = result.stderr
    for command in ("set", "rm", "rename", "merge", "alias"):
        assert f"  {command} " in text


@pytest.mark.parametrize("command", ["set", "rm", "rename", "merge", "alias"])
def test_each_contact_command_has_help_with_an_example(run: Run, command: str) -> None:
    text = ok(run("contact", command, "--help")).stdout
    assert text.startswith(f"Usage: root contact {command} ")
    assert text.split("\n\n", 2)[1].strip()  # a one-line summary under the usage
    examples = [ln.strip() for ln in text.splitlines() if ln.strip().startswith("handoff ")]
    assert any(ex.startswith(f"handoff contact {command} ") for ex in examples) or (
        command == "set" and any(ex.startswith("handoff contact Acme") for ex in examples)
    ), text


# ------------------------------------------------------------------ rename


def test_rename_keeps_notes_promises_and_the_old_name(run: Run, acme: None) -> None:
    ok(run("promise", "Acme", "Report", "--every", "monthly", "--to", "Tanaka"))
    result = ok(run("contact", "rename", "Acme", "tanaka", "田中 太郎"))
    assert result.stdout == "Renamed contact Tanaka to 田中 太郎 at Acme.\n"
    data = show(run, "Acme")
    assert sorted(c["name"] for c in data["contacts"]) == ["田中 太郎", "高橋 誠"]
    assert data["notes"][0]["with"] == ["田中 太郎"]
    assert data["promises"][0]["to"] == "田中 太郎"
    # The name they had still finds them: no new Tanaka, no guard.
    assert log(run, "Acme", "follow-up", "--with", "Tanaka")["with"] == ["田中 太郎"]
    assert log(run, "Acme", "more", "--with", "田中 太郎")["with"] == ["田中 太郎"]
    assert "did you mean '田中 太郎'?" in one_line_error(
        run("log", "Acme", "x", "--with", "田中太郎")  # a space is part of a name
    )
    assert len(people(run)) == 2


def test_rename_to_another_contacts_name_points_to_merge(run: Run, acme: None) -> None:
    line = one_line_error(run("contact", "rename", "Acme", "Tanaka", "高橋 誠"))
    assert "'高橋 誠' is another contact at Acme" in line
    assert "handoff contact merge 'Acme' 'Tanaka' '高橋 誠'" in line
    assert "no contact 'Sato' at Acme" in one_line_error(
        run("contact", "rename", "Acme", "Sato", "Sato Hanako")
    )
    assert "did you mean 'Tanaka'?" in one_line_error(
        run("contact", "rename", "Acme", "Tanka", "T")
    )


def test_rename_json(run: Run, acme: None) -> None:
    data = ok(run("contact", "rename", "Acme", "Tanaka", "Tanaka Ichiro", "--json")).json()
    assert set(data) == {*contact_record_keys(), "old_name"}
    assert (data["name"], data["old_name"], data["email"]) == (
        "Tanaka Ichiro",
        "Tanaka",
        "tanaka@acme.example",
    )


def contact_record_keys() -> set[str]:
    from handoff_cli.models import Contact

    return set(contact_record(Contact(1, "u", "Acme", "n")))


# ------------------------------------------------------------------- merge


def test_merge_moves_notes_promises_and_details(run: Run, acme: None) -> None:
    log(run, "Acme", "typo", "--with", "Tanka", "--with", "高橋 誠", "--new-contact")
    ok(run("contact", "Acme", "Tanka", "--phone", "03-9999"))
    ok(run("promise", "Acme", "Quote", "--due", "fri", "--to", "Tanka"))
    assert "--yes" in one_line_error(run("contact", "merge", "Acme", "Tanka", "Tanaka"))
    result = ok(run("contact", "merge", "Acme", "Tanka", "Tanaka", "--yes"))
    assert result.stdout == "Merged contact Tanka into Tanaka at Acme: 1 note, 1 promise moved.\n"
    data = show(run, "Acme")
    (tanaka,) = [c for c in data["contacts"] if c["name"] == "Tanaka"]
    assert (tanaka["email"], tanaka["phone"]) == ("tanaka@acme.example", "03-9999")
    assert len(data["contacts"]) == 2
    assert [n["with"] for n in data["notes"]] == [["Tanaka", "高橋 誠"], ["Tanaka"]]
    assert data["promises"][0]["to"] == "Tanaka"
    # FROM's name finds INTO from now on.
    assert log(run, "Acme", "x", "--with", "Tanka")["with"] == ["Tanaka"]
    assert "already one contact" in one_line_error(
        run("contact", "merge", "Acme", "Tanka", "Tanaka", "--yes")
    )


def test_merge_asks_on_a_terminal(run: Run, acme: None, tty: None) -> None:  # noqa: F811
    ok(run("contact", "Acme", "Tanka", "--new-contact"))
    kept = ok(run("contact", "merge", "Acme", "Tanka", "Tanaka", input="n\n"))
    assert "Make Tanka part of Tanaka at Acme?" in kept.stdout
    assert "Nothing changed." in kept.stdout
    assert len(people(run)) == 3
    ok(run("contact", "merge", "Acme", "Tanka", "Tanaka", input="y\n"))
    assert len(people(run)) == 2


def test_merge_json(run: Run, acme: None) -> None:
    ok(run("contact", "Acme", "Tanka", "--new-contact"))
    data = ok(run("contact", "merge", "Acme", "Tanka", "Tanaka", "--yes", "--json")).json()
    assert set(data) == {"client", "from", "into", "notes", "promises"}
    assert set(data["into"]) == contact_record_keys()
    assert (data["client"], data["from"], data["into"]["name"]) == ("Acme", "Tanka", "Tanaka")
    assert (data["notes"], data["promises"]) == (0, 0)


# ------------------------------------------------------------------- alias


def test_alias_lets_with_find_the_person(run: Run) -> None:
    ok(run("contact", "Acme", "小林 恵子", "--role", "部長", "--new-client"))
    said = ok(run("contact", "alias", "Acme", "小林 恵子", "Kobayashi Keiko"))
    assert said.stdout == "小林 恵子 at Acme also answers to Kobayashi Keiko.\n"
    note = log(run, "Acme", "renewal call", "--with", "kobayashi keiko")
    assert note["with"] == ["小林 恵子"]
    (keiko,) = people(run)
    assert keiko["also_known_as"] == ["Kobayashi Keiko"]
    text = ok(run("show", "Acme")).stdout
    assert "  小林 恵子 (also Kobayashi Keiko)  部長\n" in text
    # A typo of the alias is caught like a typo of the name.
    assert "did you mean 'Kobayashi Keiko'?" in one_line_error(
        run("log", "Acme", "x", "--with", "Kobayashi Keko")
    )
    assert "Kobayashi Keiko" in ok(run("export")).stdout  # the handover says so too


def test_alias_refusals(run: Run, acme: None) -> None:
    line = one_line_error(run("contact", "alias", "Acme", "Tanaka", "高橋 誠"))
    assert "'高橋 誠' is another contact at Acme" in line
    assert "handoff contact merge 'Acme' '高橋 誠' 'Tanaka'" in line
    assert "already Tanaka's name" in one_line_error(
        run("contact", "alias", "Acme", "Tanaka", "TANAKA")
    )
    assert "an alias cannot be empty" in one_line_error(
        run("contact", "alias", "Acme", "Tanaka", " ")
    )


def test_alias_json(run: Run, acme: None) -> None:
    data = ok(run("contact", "alias", "Acme", "Tanaka", "田中", "--json")).json()
    assert set(data) == contact_record_keys()
    assert (data["name"], data["also_known_as"]) == ("Tanaka", ["田中"])


# ---------------------------------------------------------------------- rm


def test_rm_takes_them_off_the_list_for_good(run: Run, acme: None) -> None:
    ok(run("promise", "Acme", "Report", "--every", "monthly", "--to", "Tanaka"))
    assert "--yes" in one_line_error(run("contact", "rm", "Acme", "Tanaka"))
    result = ok(run("contact", "rm", "Acme", "Tanaka", "--yes"))
    assert result.stdout == (
        "Removed Tanaka from Acme's contacts.\n"
        "  1 note still name them.\n"
        "  Still owed to them: #1 (`handoff modify ID --to NAME` to change).\n"
    )
    data = show(run, "Acme")
    assert [c["name"] for c in data["contacts"]] == ["高橋 誠"]
    assert data["notes"][0]["with"] == ["Tanaka"]  # the meeting they were at stays as it was
    assert data["promises"][0]["to"] == "Tanaka"
    for args in (
        ("log", "Acme", "x", "--with", "Tanaka"),
        ("log", "Acme", "x", "--with", "tanaka", "--new-contact"),
        ("contact", "Acme", "Tanaka", "--role", "back"),
        ("promise", "Acme", "Call", "--due", "fri", "--to", "Tanaka"),
    ):
        line = one_line_error(run(*args))
        assert "'Tanaka' was removed from Acme's contacts, for good" in line, args
    assert "was removed" in one_line_error(run("contact", "rm", "Acme", "Tanaka", "--yes"))
    assert note_count(run) == 1


def test_rm_asks_on_a_terminal(run: Run, acme: None, tty: None) -> None:  # noqa: F811
    kept = ok(run("contact", "rm", "Acme", "Tanaka", input="n\n"))
    assert "Remove Tanaka from Acme's contacts? (1 note still name them)" in kept.stdout
    assert "Kept." in kept.stdout
    assert len(people(run)) == 2
    ok(run("contact", "rm", "Acme", "Tanaka", input="y\n"))
    assert names(run) == ["高橋 誠"]


def test_rm_json(run: Run, acme: None) -> None:
    data = ok(run("contact", "rm", "Acme", "Tanaka", "--yes", "--json")).json()
    assert set(data) == {"client", "removed", "notes", "owed"}
    assert set(data["removed"]) == contact_record_keys()
    assert (data["client"], data["removed"]["name"], data["notes"], data["owed"]) == (
        "Acme",
        "Tanaka",
        1,
        [],
    )


def test_rm_forgets_their_details_and_a_late_change_does_not_bring_them_back(
    run: Run, acme: None, tmp_path: Path
) -> None:
    """A colleague who had not heard of the removal names Tanaka and sets a phone;
    their bundle arrives after it: Tanaka stays off the list, the note names them."""
    mine = bundle(run, tmp_path / "before.json")
    other = str(tmp_path / "other.db")
    ok(run("--db", other, "import", mine))
    ok(run("--db", other, "contact", "Acme", "Tanaka", "--phone", "03-1111"))
    ok(run("--db", other, "log", "Acme", "lunch", "--with", "Tanaka", "--at", "yesterday"))
    ok(run("contact", "rm", "Acme", "Tanaka", "--yes"))
    ok(run("import", bundle(run, tmp_path / "theirs.json", "--db", other)))
    data = show(run, "Acme")
    assert [c["name"] for c in data["contacts"]] == ["高橋 誠"]
    assert [n["with"] for n in data["notes"]] == [["Tanaka"], ["Tanaka"]]
    # And the other way: my bundle removes Tanaka there too, details and all.
    ok(run("--db", other, "import", bundle(run, tmp_path / "after.json")))
    theirs = ok(run("--db", other, "show", "Acme", "--json")).json()
    assert [c["name"] for c in theirs["contacts"]] == ["高橋 誠"]
    assert "03-1111" not in ok(run("--db", other, "export", "--format", "json")).stdout


# ------------------------------------------------------------ in a bundle


def bundle(run: Run, path: Path, *root: str) -> str:
    ok(run(*root, "export", "--format", "json", "-o", str(path)))
    return str(path)


def canonical(run: Run, *root: str) -> Any:
    """What a database holds, as its bundle carries it, without local ids or dates."""
    data = json.loads(ok(run(*root, "export", "--format", "json")).stdout)

    def clean(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: clean(v) for k, v in sorted(value.items()) if k not in ("id",)}
        if isinstance(value, list):
            items = [clean(v) for v in value]
            if items and all(isinstance(v, dict) and "uuid" in v for v in items):
                return sorted(items, key=lambda v: v["uuid"])
            return items
        return value

    return clean(data["clients"]), clean(data["tombstones"])


def test_aliases_merges_renames_and_removals_round_trip(
    run: Run, acme: None, tmp_path: Path
) -> None:
    ok(run("contact", "alias", "Acme", "高橋 誠", "Takahashi Makoto"))
    log(run, "Acme", "typo", "--with", "Tanka", "--new-contact")
    ok(run("contact", "merge", "Acme", "Tanka", "Tanaka", "--yes"))
    ok(run("contact", "rename", "Acme", "Tanaka", "Tanaka Ichiro"))
    log(run, "Acme", "with Sato", "--with", "Sato")
    ok(run("contact", "rm", "Acme", "Sato", "--yes"))
    path = bundle(run, tmp_path / "all.json")
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    (client,) = data["clients"]
    assert [c["name"] for c in client["removed_contacts"]] == ["Sato"]
    assert [t["kind"] for t in data["tombstones"]] == ["contact"]
    takahashi = next(c for c in client["contacts"] if c["name"] == "高橋 誠")
    assert takahashi["also_known_as"] == ["Takahashi Makoto"]
    assert len(takahashi["also_known_as_stamps"]) == 1
    fresh = str(tmp_path / "fresh.db")
    ok(run("--db", fresh, "import", path))
    assert canonical(run, "--db", fresh) == canonical(run)
    # In the colleague's database the names work as they do here.
    again = ok(run("--db", fresh, "log", "Acme", "x", "--with", "Takahashi Makoto", "--json"))
    assert again.json()["with"] == ["高橋 誠"]
    assert ok(run("--db", fresh, "log", "Acme", "y", "--with", "tanka", "--json")).json()[
        "with"
    ] == ["Tanaka Ichiro"]
    assert "was removed" in one_line_error(run("--db", fresh, "log", "Acme", "z", "--with", "Sato"))
    # Importing it twice adds nothing.
    second = ok(run("--db", fresh, "import", path, "--json")).json()
    counts = [second[k] for k in ("clients", "contacts", "promises", "notes", "completions")]
    assert all(c["added"] == 0 and c["updated"] == 0 for c in counts), second


def test_an_alias_and_a_colleagues_new_contact_under_it_become_one_person(
    run: Run, tmp_path: Path
) -> None:
    """I say Kobayashi Keiko is 小林 恵子; a colleague who has not heard logs a meeting
    with "Kobayashi Keiko". After both bundles are exchanged, in either order, both of
    us have one Keiko, named as I named her, and the colleague's note is hers."""
    ok(run("contact", "Acme", "小林 恵子", "--new-client"))
    other = str(tmp_path / "other.db")
    ok(run("--db", other, "import", bundle(run, tmp_path / "start.json")))
    ok(run("contact", "alias", "Acme", "小林 恵子", "Kobayashi Keiko"))
    ok(run("--db", other, "log", "Acme", "met Keiko", "--with", "Kobayashi Keiko"))
    assert len(ok(run("--db", other, "show", "Acme", "--json")).json()["contacts"]) == 2
    mine = bundle(run, tmp_path / "mine.json")
    theirs = bundle(run, tmp_path / "theirs.json", "--db", other)
    ok(run("import", theirs))
    ok(run("--db", other, "import", mine))
    for root in ((), ("--db", other)):
        data = ok(run(*root, "show", "Acme", "--json")).json()
        assert [(c["name"], c["also_known_as"]) for c in data["contacts"]] == [
            ("小林 恵子", ["Kobayashi Keiko"])
        ], root
        assert [n["with"] for n in data["notes"]] == [["小林 恵子"]]
    assert canonical(run) == canonical(run, "--db", other)


def test_an_old_bundle_does_not_bring_a_removed_contact_back(run: Run, tmp_path: Path) -> None:
    log(run, "Acme", "met", "--with", "Sato", "--new-client")
    ok(run("contact", "Acme", "Sato", "--phone", "03-2222"))
    old = bundle(run, tmp_path / "old.json")
    ok(run("contact", "rm", "Acme", "Sato", "--yes"))
    result: Result = ok(run("import", old, "--json"))
    assert result.json()["contacts"]["added"] == 0
    assert people(run) == []
    assert show(run, "Acme")["notes"][0]["with"] == ["Sato"]


# ------------------------------------------------------------- completion


def test_the_fast_path_knows_the_contact_commands() -> None:
    import typer.main

    from handoff_cli.cli import fast
    from handoff_cli.cli.contacts import app

    group = typer.main.get_command(app)
    assert fast.CONTACT_COMMANDS == tuple(group.list_commands(None))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("handoff contact ", ["set", "rm", "rename", "merge", "alias", *CLIENTS]),
        ("handoff contact r", ["rm", "rename"]),
        ("handoff contact B", ["Beacon\\ Labs"]),
    ],
)
def test_contact_completes_its_commands_then_the_clients(
    base: Path,  # noqa: F811
    tmp_path: Path,
    line: str,
    expected: list[str],
) -> None:
    fast_run, typer_run = both([], base, tmp_path, bash(line))
    assert_same(fast_run, typer_run)
    assert fast_run.stdout.decode().splitlines() == expected
