"""`handoff import`: merging a colleague's bundle, all or nothing.

The clock is pinned to Mon 2026-11-23 10:00 in Tokyo and the author to alice (conftest).
"""

from __future__ import annotations

import copy
import json
import sqlite3
import time
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from conftest import Result, Run
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_export import ok, sample

from handoff_cli.formats import bundle as bundle_format
from handoff_cli.store import Store

KINDS = ("clients", "contacts", "promises", "notes", "completions")
NOW = datetime.fromisoformat("2026-11-23T10:00:00+09:00")


def bundle_of(run: Run, *args: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(ok(run(*args, "export", "--format", "json")).stdout)
    return data


def write(path: Path, data: Any) -> str:
    path.write_text(json.dumps(data), encoding="utf-8")  # \u escapes: lone surrogates too
    return str(path)


def without_ids(data: dict[str, Any]) -> dict[str, Any]:
    """The bundle's records, minus the local ids and the export time (which differ by design)."""
    data = copy.deepcopy(data)
    data.pop("exported_at")
    for client in data["clients"]:
        for kind in ("contacts", "promises", "notes"):
            for record in client[kind]:
                record.pop("id")
    return data


def counts(result: Result) -> dict[str, dict[str, int]]:
    data = result.json()
    return {kind: data[kind] for kind in KINDS}


def dump_db(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


# ------------------------------------------------------------------ round trip and merge


def test_round_trip_gives_the_same_records(run: Run, tmp_path: Path) -> None:
    sample(run)
    ok(run("pause", "1"))  # a paused one, a done one-off, an open recurring one
    ok(run("done", "2", "--at", "2026-11-20 16:00"))
    first = bundle_of(run)
    other = tmp_path / "b.db"
    result = ok(run("--db", str(other), "import", write(tmp_path / "a.json", first), "--json"))
    assert counts(result)["notes"] == {"added": 6, "updated": 0, "skipped": 0}
    second = bundle_of(run, "--db", str(other))
    assert without_ids(second) == without_ids(first)
    # The search index and the note/contact links came along.
    found = ok(run("--db", str(other), "search", "報告", "--json")).json()
    assert [hit["text"] for hit in found] == ["月次報告を送付しました"]
    titles = ok(run("--db", str(other), "search", "議事録", "--json")).json()
    assert [(hit["type"], hit["text"]) for hit in titles] == [("promise", "週次定例の議事録")]
    shown = ok(run("--db", str(other), "show", "山田商事", "--json")).json()
    assert shown["notes"][0]["with"] == ["山田"] and shown["notes"][0]["author"] == "alice"
    summary = ok(run("--db", str(other), "clients", "--json")).json()
    assert [(c["name"], c["notes"]) for c in summary] == [("Acme", 4), ("山田商事", 2)]


def test_story_one_the_monthly_report_travels_with_the_handover(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A hands Kitamura Logistics over to B; B's own `due` must carry the monthly report."""
    monkeypatch.setenv("HANDOFF_AUTHOR", "akira")
    ok(run("contact", "Kitamura Logistics", "Ono", "--role", "system manager", "--new-client"))
    report = ok(
        run("promise", "Kitamura Logistics", "Monthly status report", "--every",
            "monthly on day 5", "--to", "Ono", "--start", "2026-06-05", "--json")
    ).json()  # fmt: skip
    for month in ("06", "07", "08", "09", "10", "11"):
        ok(run("done", str(report["id"]), "--at", f"2026-{month}-05 14:00", "--note", "visited"))
    handover = tmp_path / "kitamura.json"
    ok(run("export", "--format", "json", "--client", "kitamura logistics", "-o", str(handover)))

    monkeypatch.setenv("HANDOFF_AUTHOR", "bea")
    b_db = str(tmp_path / "b" / "handoff.db")
    ok(run("--db", b_db, "import", str(handover)))
    assert "Nothing due" in ok(run("--db", b_db, "due")).stdout
    (item,) = ok(run("--db", b_db, "due", "--as-of", "2026-12-08", "--json")).json()["items"]
    assert (item["title"], item["to"], item["status"]) == (
        "Monthly status report",
        "Ono",
        "overdue",
    )
    assert (item["due"], item["days_overdue"]) == ("2026-12-05", 3)
    assert run("--db", b_db, "due", "--as-of", "2026-12-08", "--check").exit_code == 1

    monkeypatch.setenv("HANDOFF_NOW", "2026-12-08T18:00:00+09:00")  # B, on the day of the visit
    ok(run("--db", b_db, "log", "Kitamura Logistics", "Introduced myself to Ono, brought the",
           "November report", "--with", "Ono", "--kind", "visit", "--at", "2026-12-08 10:00",
           "--done", str(item["id"])))  # fmt: skip
    assert run("--db", b_db, "due", "--as-of", "2026-12-08", "--check").exit_code == 0
    (kept,) = ok(run("--db", b_db, "promises", "--json")).json()
    assert kept["next_due"] == "2027-01-05"
    notes = ok(run("--db", b_db, "show", "Kitamura Logistics", "--json")).json()["notes"]
    assert {n["author"] for n in notes} == {"akira", "bea"}


def test_importing_twice_adds_nothing(run: Run, tmp_path: Path) -> None:
    sample(run)
    path = write(tmp_path / "a.json", bundle_of(run))
    other = str(tmp_path / "b.db")
    ok(run("--db", other, "import", path))
    before = dump_db(Path(other))
    again = counts(ok(run("--db", other, "import", path, "--json")))
    assert all(c["added"] == 0 and c["updated"] == 0 for c in again.values())
    assert again["notes"]["skipped"] == 5
    assert dump_db(Path(other)) == before
    # Importing into the database it came from adds nothing either.
    assert all(c["added"] == 0 for c in counts(ok(run("import", path, "--json"))).values())


def test_dry_run_reports_and_writes_nothing(run: Run, tmp_path: Path) -> None:
    sample(run)
    path = write(tmp_path / "a.json", bundle_of(run))
    other = tmp_path / "b" / "handoff.db"
    dry = ok(run("--db", str(other), "import", path, "--dry-run", "--json"))
    assert dry.json()["dry_run"] is True
    assert not other.exists() and not other.parent.exists()
    ok(run("--db", str(other), "log", "Acme", "already here"))
    before = dump_db(other)
    dry = ok(run("--db", str(other), "import", path, "--dry-run"))
    assert "Nothing was written." in dry.stdout and "would be added" in dry.stdout
    assert dump_db(other) == before
    real = counts(ok(run("--db", str(other), "import", path, "--json")))
    dry_counts = counts(ok(run("--db", str(other), "import", path, "--dry-run", "--json")))
    assert real["notes"]["added"] == 5
    assert dry_counts["notes"] == {"added": 0, "updated": 0, "skipped": 5}


def test_clients_match_by_name_and_records_merge(run: Run, tmp_path: Path) -> None:
    made = sample(run)
    data = bundle_of(run)
    other = str(tmp_path / "b.db")
    # B already has "ＡＣＭＥ" (another uuid) with Tanaka, and knows nothing of his e-mail.
    ok(run("--db", other, "contact", "ＡＣＭＥ", "tanaka", "--phone", "0120"))
    result = counts(ok(run("--db", other, "import", write(tmp_path / "a.json", data), "--json")))
    # One client and one Tanaka: made under one name on two machines, they are one. The
    # name first written stands (A's, made at the same pinned moment, by member id here).
    assert result["clients"]["added"] == 1 and sum(result["clients"].values()) == 2
    assert result["contacts"] == {"added": 2, "updated": 1, "skipped": 0}
    names = [c["name"] for c in ok(run("--db", other, "clients", "--json")).json()]
    assert len(names) == 2 and names[1] == "山田商事" and names[0] in ("Acme", "ＡＣＭＥ")
    shown = ok(run("--db", other, "show", "acme", "--json")).json()
    (tanaka,) = [c for c in shown["contacts"] if c["name"].lower() == "tanaka"]
    assert (tanaka["email"], tanaka["phone"], tanaka["role"]) == (
        "t@acme.example",
        "0120",
        "system manager",
    )
    assert {n["text"] for n in shown["notes"]} >= {"Kick-off call, they want a monthly report"}

    # A keeps the monthly report again and drops the quota question; B imports the update.
    ok(run("done", str(made["monthly"]["id"]), "--at", "2026-11-23 09:00"))
    ok(run("drop", str(made["quota"]["id"])))
    update = write(tmp_path / "a2.json", bundle_of(run))
    merged = counts(ok(run("--db", other, "import", update, "--json")))
    assert merged["promises"] == {"added": 0, "updated": 2, "skipped": 1}
    assert merged["completions"] == {"added": 1, "updated": 0, "skipped": 2}
    assert merged["notes"]["added"] == 1  # the timeline note of the new completion
    promises = {p["title"]: p for p in ok(run("--db", other, "promises", "--all", "--json")).json()}
    assert promises["Monthly status report"]["next_due"] == "2026-12-23"
    assert promises["Answer the quota question"]["status"] == "dropped"


def test_local_completions_count_with_imported_ones(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = sample(run)
    path = write(tmp_path / "a.json", bundle_of(run))
    other = str(tmp_path / "b.db")
    ok(run("--db", other, "import", path))
    ok(run("--db", other, "done", "1", "--at", "2026-11-23"))  # B keeps it locally...
    monkeypatch.setenv("HANDOFF_NOW", "2026-12-23T18:00:00+09:00")
    ok(run("done", str(made["monthly"]["id"]), "--at", "2026-12-23"))  # ...and A later on
    ok(run("--db", other, "import", write(tmp_path / "a2.json", bundle_of(run))))
    listed = ok(run("--db", other, "promises", "--json")).json()
    (monthly,) = [p for p in listed if p["title"] == "Monthly status report"]
    assert monthly["next_due"] == "2027-01-23"


def test_import_reads_standard_input(run: Run, tmp_path: Path) -> None:
    sample(run)
    text = json.dumps(bundle_of(run))
    other = str(tmp_path / "b.db")
    result = ok(run("--db", other, "import", "-", input=text))
    assert "Imported standard input" in result.stdout


def test_a_completion_whose_note_is_missing_is_kept(run: Run, tmp_path: Path) -> None:
    sample(run)
    data = bundle_of(run)
    acme = data["clients"][0]
    monthly = next(p for p in acme["promises"] if p["rule"])
    missing = monthly["completions"][0]["note"]
    acme["notes"] = [n for n in acme["notes"] if n["uuid"] != missing]
    other = str(tmp_path / "b.db")
    ok(run("--db", other, "import", write(tmp_path / "a.json", data)))
    again = json.loads(ok(run("--db", other, "export", "--format", "json")).stdout)
    (kept,) = [p for p in again["clients"][0]["promises"] if p["rule"]]
    assert kept["completions"][0]["note"] == missing  # it may yet arrive (a later bundle)
    assert kept["next_due"] == monthly["next_due"]


# ------------------------------------------------------------------ hostile and broken bundles


def good_bundle() -> dict[str, Any]:
    def uid() -> str:
        return str(uuid.uuid4())

    return {
        "format": "handoff-bundle",
        "version": 1,
        "exported_at": "2026-11-20T09:00:00+09:00",
        "author": "mallory",
        "clients": [
            {
                "uuid": uid(),
                "name": "Acme",
                "contacts": [
                    {"uuid": uid(), "name": "Tanaka", "role": None, "email": None, "phone": None}
                ],
                "promises": [
                    {
                        "uuid": uid(),
                        "title": "Report",
                        "to": "Tanaka",
                        "rule": "monthly",
                        "start": "2026-10-05",
                        "after_done": False,
                        "status": "open",
                        "completions": [
                            {
                                "uuid": uid(),
                                "at": "2026-10-05T10:00:00+09:00",
                                "day": "2026-10-05",
                                "note": None,
                            }
                        ],
                    }  # fmt: skip
                ],
                "notes": [
                    {
                        "uuid": uid(),
                        "at": "2026-11-01T10:00:00+09:00",
                        "kind": "call",
                        "text": "hello",
                        "author": "bob",
                        "with": ["Tanaka"],
                        "tags": [],
                    }
                    for _ in range(3)
                ],  # fmt: skip
            }
        ],
    }


def test_the_good_bundle_imports(run: Run, tmp_path: Path) -> None:
    result = ok(run("import", write(tmp_path / "good.json", good_bundle()), "--json"))
    assert counts(result)["notes"]["added"] == 3
    (promise,) = ok(run("promises", "--json")).json()
    # The rule was read as `--every` reads it; next due from the completions.
    assert (promise["rule"], promise["next_due"]) == ("FREQ=MONTHLY;BYMONTHDAY=5", "2026-11-05")


def _break(change: Any) -> dict[str, Any]:
    data = good_bundle()
    change(data)
    return data


def _set(path: str, value: Any) -> Any:
    def change(data: Any) -> None:
        *parents, last = path.split(".")
        target = data
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        if value is KeyError:
            del target[last]
        else:
            target[int(last) if last.isdigit() else last] = value

    return change


def _duplicate_uuid(data: Any) -> None:
    notes = data["clients"][0]["notes"]
    notes[2]["uuid"] = notes[0]["uuid"]


HOSTILE_BUNDLES: list[tuple[str, Any, str]] = [
    ("not json", b"hello", "not valid JSON"),
    ("empty", b"", "not valid JSON"),
    ("not utf-8", b'{"format": "\xff"}', "not UTF-8"),
    ("deep nesting", b"[" * 200_000, "nests brackets deeper than"),
    ("deep objects", b'{"a":' * 50_000, "nests brackets deeper than"),
    ("a list", b"[]", "not a handoff bundle"),
    ("nan", b'{"format": "handoff-bundle", "version": NaN}', "NaN"),
    ("infinity", b'{"format": "handoff-bundle", "version": -Infinity}', "-Infinity"),
    ("duplicate key", b'{"format": "handoff-bundle", "format": "x"}', "appears twice"),
    ("wrong format", _break(_set("format", "jrnl")), "not a handoff bundle"),
    ("newer version", _break(_set("version", 3)), "newer handoff"),
    ("version as text", _break(_set("version", "1")), '"version" should be'),
    ("clients not a list", _break(_set("clients", {})), "clients: expected a list"),
    ("bad time", _break(_set("clients.0.notes.1.at", "yesterday")),
     "clients[0].notes[1].at: expected an ISO 8601 date-time"),
    ("no offset", _break(_set("clients.0.notes.2.at", "2026-11-01T10:00:00")),
     "clients[0].notes[2].at: expected an ISO 8601 date-time with a UTC offset"),
    ("missing text", _break(_set("clients.0.notes.0.text", KeyError)),
     "clients[0].notes[0].text: expected a string, got null"),
    ("number as text", _break(_set("clients.0.notes.0.text", 5)),
     "clients[0].notes[0].text: expected a string, got a number"),
    ("bad kind", _break(_set("clients.0.notes.0.kind", "fax")), "clients[0].notes[0].kind"),
    ("bad tags", _break(_set("clients.0.notes.0.tags", [1])), "clients[0].notes[0].tags"),
    ("bad uuid", _break(_set("clients.0.uuid", "1; DROP TABLE notes")), "clients[0].uuid"),
    ("duplicate uuid", _break(_duplicate_uuid), "is also used by clients[0].notes[0]"),
    ("bad rule", _break(_set("clients.0.promises.0.rule", "every blue moon")),
     "clients[0].promises[0].rule: "),
    ("bad status", _break(_set("clients.0.promises.0.status", "maybe")),
     "clients[0].promises[0].status"),
    ("bad day", _break(_set("clients.0.promises.0.completions.0.day", "2026-02-30")),
     "clients[0].promises[0].completions[0].day: expected a date"),
    ("empty name", _break(_set("clients.0.name", "  ")), "clients[0].name"),
    ("lone surrogate", _break(_set("clients.0.notes.0.text", "a\ud800b")),
     "clients[0].notes[0].text: contains a lone surrogate"),
    ("lone surrogate in tags", _break(_set("clients.0.notes.0.tags", ["\udfff"])),
     "clients[0].notes[0].tags: contains a lone surrogate"),
    ("note not an object", _break(_set("clients.0.notes.1", "x")),
     "clients[0].notes[1]: expected an object"),
    ("sql in keys", _break(_set("clients.0.notes.0.text'); DROP TABLE notes; --", 1)), ""),
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "content", "message"), HOSTILE_BUNDLES, ids=[b[0] for b in HOSTILE_BUNDLES]
)
def test_hostile_bundles_are_refused_and_change_nothing(
    run: Run, tmp_path: Path, isolated: Path, name: str, content: Any, message: str
) -> None:
    ok(run("log", "Acme", "already here", "--with", "Tanaka"))
    ok(run("promise", "Acme", "Report", "--every", "monthly"))
    before = dump_db(isolated)
    path = tmp_path / "bad.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        write(path, content)
    started = time.perf_counter()
    result = run("import", str(path))
    elapsed = time.perf_counter() - started
    if name == "sql in keys":  # unknown keys are ignored; values never reach SQL as text
        assert result.exit_code == 0
        assert ok(run("clients", "--json")).json()[0]["notes"] == 4
        return
    assert result.exit_code == 2, result.stdout
    assert message in result.stderr
    assert "nothing was changed" in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert elapsed < 1.0
    assert dump_db(isolated) == before


def test_many_problems_are_counted(run: Run, tmp_path: Path) -> None:
    data = good_bundle()
    for note in data["clients"][0]["notes"]:
        note["at"] = "soon"
        note["kind"] = "fax"
    result = run("import", write(tmp_path / "bad.json", data))
    assert result.exit_code == 2
    assert "clients[0].notes[0].at" in result.stderr and "(and 5 more problems)" in result.stderr


def test_a_too_large_file_is_refused_by_its_size(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bundle_format, "MAX_BYTES", 1000)
    path = write(tmp_path / "big.json", good_bundle() | {"padding": "x" * 2000})
    result = run("import", path)
    assert result.exit_code == 2 and "larger than" in result.stderr


def test_missing_file_and_directory(run: Run, tmp_path: Path) -> None:
    missing = run("import", str(tmp_path / "nope.json"))
    assert missing.exit_code == 2 and "cannot read" in missing.stderr
    folder = run("import", str(tmp_path))
    assert folder.exit_code == 2 and "directory" in folder.stderr


def test_two_clients_of_one_name_are_refused(run: Run, tmp_path: Path) -> None:
    data = good_bundle()
    twin = copy.deepcopy(data["clients"][0])
    twin["uuid"] = str(uuid.uuid4())
    twin["name"] = "ＡＣＭＥ"
    twin["contacts"] = twin["promises"] = twin["notes"] = []
    data["clients"].append(twin)
    result = run("import", write(tmp_path / "twins.json", data))
    assert result.exit_code == 2 and "clients[1].name" in result.stderr


def test_nesting_precheck_is_fast_and_exact() -> None:
    check = bundle_format.check_nesting
    check(b"[" * 16 + b"]" * 16)
    check(b'["' + b"[" * 100_000 + b'"]')  # brackets inside a string do not count
    check(b'["\\"[[[[[[[[[[[[[[[[[[[[[[", "\\\\"]')
    with pytest.raises(Exception, match="deeper than 16"):
        check(b"[" * 17 + b"]" * 17)
    with pytest.raises(Exception, match="deeper"):
        check(b"[" * 5_000_000)


# ------------------------------------------------------------------ scale


def test_a_large_bundle_imports_whole(run: Run, tmp_path: Path) -> None:
    """20,000 notes, all searchable (benchmarks/run.py times 100,000 against its budget)."""
    data = good_bundle()
    note = data["clients"][0]["notes"][0]
    data["clients"][0]["notes"] = [
        note | {"uuid": str(uuid.uuid4()), "text": f"note {i} 月次報告", "tags": ["t"]}
        for i in range(20_000)
    ]
    path = write(tmp_path / "big.json", data)
    result = ok(run("import", path, "--json"))  # timed by benchmarks/run.py, not here
    assert counts(result)["notes"]["added"] == 20_000
    hits = ok(run("search", "note 19999", "--json")).json()
    assert [h["text"] for h in hits] == ["note 19999 月次報告"]


# ------------------------------------------------------------------ fuzzing

JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
    | st.sampled_from(
        ["2026-02-30", "0001-01-01", "9999-12-31", "0001-01-01T00:00:00+09:00",
         "9999-12-31T23:59:59-05:00", "2026-11-20T10:00:00Z", "FREQ=DAILY;COUNT=0",
         "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", "monthly", "done", "paused", "call"]
    ),
    lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=6,
)  # fmt: skip


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found += _paths(item, (*prefix, i))
    return found


@pytest.fixture(scope="module")
def scratch_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    store = Store.open(tmp_path_factory.mktemp("fuzz") / "h.db", create=True)
    assert store is not None
    yield store
    store.close()


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_any_damaged_bundle_is_imported_or_refused_cleanly(
    data: st.DataObject, scratch_store: Store
) -> None:
    """Whatever a few fields become, import ends in a merge or a BadInput, never another error."""
    from handoff_cli import store_transfer
    from handoff_cli.cli.transfer import _checked_rules
    from handoff_cli.errors import BadInput

    bundle = good_bundle()
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(_paths(bundle)[1:]))
        target = bundle
        for part in path[:-1]:
            target = target[part]
        target[path[-1]] = data.draw(JSON_VALUES)
    raw = json.dumps(bundle).encode("utf-8")
    try:
        parsed = _checked_rules(bundle_format.parse(raw), "fuzz.json")
        store_transfer.import_bundle(scratch_store, parsed, now=NOW, me="alice", dry_run=True)
    except BadInput:
        pass
    assert scratch_store.counts().notes == 0  # the dry run left nothing behind
