"""`handoff export`: the Markdown handover, the JSON bundle, CSV and iCalendar.

The clock is pinned to Mon 2026-11-23 10:00 in Tokyo and the author to alice (conftest).
"""

from __future__ import annotations

import csv
import io
import json
import stat
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from conftest import Result, Run

from handoff_cli.formats import FORMATS
from handoff_cli.formats import bundle as bundle_format
from handoff_cli.formats import csv as csv_format
from handoff_cli.formats import markdown as md_format
from handoff_cli.models import Note

HOSTILE = (
    "# Heading?\n"
    "[a link](https://evil.example/x) ![img](http://evil.example/i.png) <https://evil.example>\n"
    "<script>alert(1)</script> <b>bold</b> &amp; &lt;\n"
    "| a | b |\n|---|---|\n"
    "- item\n1. ordered\n> quote\n```\ncode\n```\n    indented\n"
    "===\nwww.evil.example and mallory@evil.example\n"
    "[ref]: https://evil.example\n\x1b]8;;https://evil.example\x07osc\x1b]8;;\x07 end\\"
)


def ok(result: Result) -> Result:
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return result


def sample(run: Run) -> dict[str, Any]:
    """A small book of business: two clients, contacts, promises of each kind, notes."""
    ok(run("contact", "Acme", "Tanaka", "--role", "system manager", "--email", "t@acme.example"))
    ok(run("contact", "Acme", "Sato", "--phone", "+81 3-1234-5678"))
    monthly = ok(
        run("promise", "Acme", "Monthly status report", "--every", "monthly", "--to", "Tanaka",
            "--start", "2026-09-23", "--json")
    ).json()  # fmt: skip
    quota = ok(
        run("promise", "Acme", "Answer the quota question", "--due", "fri", "--to", "Sato",
            "--json")
    ).json()  # fmt: skip
    weekly = ok(
        run("promise", "山田商事", "週次定例の議事録", "--every", "weekly on wed", "--new-client",
            "--start", "2026-11-04", "--json")
    ).json()  # fmt: skip
    ok(run("log", "Acme", "Kick-off call, they want a monthly report", "--kind", "call",
           "--with", "Tanaka", "--tag", "kickoff", "--at", "2026-09-20T15:00"))  # fmt: skip
    ok(run("log", "Acme", '=HYPERLINK("http://x")', "--at", "2026-06-01"))  # old: not recent
    ok(
        run(
            "log", "山田商事", "月次報告を送付しました", "--with", "山田", "--at", "yesterday 11:00"
        )
    )
    ok(run("log", "山田商事", "週次定例", "--done", str(weekly["id"]), "--at", "2026-11-18 10:00"))
    ok(run("done", str(monthly["id"]), "--at", "2026-10-23 09:00", "--note", "October report"))
    return {"monthly": monthly, "quota": quota, "weekly": weekly}


def export(run: Run, *args: str) -> str:
    return ok(run("export", *args)).stdout


def export_file(run: Run, tmp_path: Path, *args: str) -> bytes:
    """The export's exact bytes (the test runner turns CRLF into LF on stdout)."""
    target = tmp_path / "export.out"
    ok(run("export", *args, "-o", str(target), "--force"))
    return target.read_bytes()


# ------------------------------------------------------------------ registry and -o


def test_format_choices_come_from_the_registry(run: Run) -> None:
    help_text = ok(run("export", "--help")).stdout
    for name in FORMATS:
        assert name in help_text
    bad = run("export", "--format", "pdf")
    assert bad.exit_code == 2
    assert "md" in bad.stderr and "ics" in bad.stderr


def test_output_file_is_private_whole_and_never_clobbered(run: Run, tmp_path: Path) -> None:
    sample(run)
    target = tmp_path / "handover.md"
    done = ok(run("export", "-o", str(target)))
    assert "Exported 2 clients" in done.stdout
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert target.read_text(encoding="utf-8").startswith("# Handoff from alice")

    target.write_text("keep me", encoding="utf-8")
    refused = run("export", "-o", str(target))
    assert refused.exit_code == 2
    assert "already exists" in refused.stderr and "--force" in refused.stderr
    assert target.read_text(encoding="utf-8") == "keep me"

    ok(run("export", "-o", str(target), "--force"))
    assert target.read_text(encoding="utf-8").startswith("# Handoff from alice")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "data") == ["handover.md"]


def test_output_into_a_missing_directory_is_refused(run: Run, tmp_path: Path) -> None:
    result = run("export", "-o", str(tmp_path / "nowhere" / "x.md"))
    assert result.exit_code == 2
    assert "does not exist" in result.stderr


def test_a_failed_export_leaves_no_file(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sample(run)

    def broken(*args: Any, **kwargs: Any) -> Any:
        msg = "disk on fire"
        raise RuntimeError(msg)

    monkeypatch.setattr(bundle_format, "_dumps", broken)
    target = tmp_path / "out.json"
    with pytest.raises(RuntimeError):
        run("export", "--format", "json", "-o", str(target))
    assert list(tmp_path.glob("*.json*")) == [] and list(tmp_path.glob(".out.json*")) == []


def test_without_a_database_the_export_is_empty_and_nothing_is_created(
    run: Run, isolated: Path
) -> None:
    for name in FORMATS:
        result = ok(run("export", "--format", name))
        assert "no handoff database" in result.stderr
    assert json.loads(export(run, "--format", "json"))["clients"] == []
    assert export(run, "--format", "csv") == "client,at,kind,with,tags,author,text\n"
    assert not isolated.exists()


def test_unknown_client_is_refused_with_a_hint(run: Run) -> None:
    sample(run)
    result = run("export", "--client", "Acne")
    assert result.exit_code == 2
    assert "did you mean 'Acme'" in result.stderr


# ------------------------------------------------------------------ Markdown


def test_markdown_is_a_handover_a_colleague_can_act_on(run: Run) -> None:
    sample(run)
    text = export(run, "--until", "2026-12-24")
    assert text.startswith("# Handoff from alice\n")
    lines = text.splitlines()
    assert "## What needs doing" in lines and "## Acme" in lines and "## 山田商事" in lines
    # Overdue first, then everything up to --until, by date, with the recipient and role:
    # each promise once, at its next due date, with how often it falls due up to --until.
    agenda = text.split("## What needs doing")[1].split("\n## ")[0]
    assert "0 overdue, 1 due today, 2 more due up to Thu 2026-12-24" in agenda
    rows = [line for line in agenda.splitlines() if line.startswith("| ") and "Due" not in line]
    assert [row.split(" | ")[0] for row in rows] == [
        "| Mon 2026-11-23",  # the monthly report: 23 Nov is today
        "| Wed 2026-11-25",
        "| Fri 2026-11-27",
    ]
    assert (
        "Monthly status report | Tanaka (system manager) "
        "| monthly on day 23 — 2 times up to Wed 2026-12-23 |"
    ) in rows[0]
    assert "**today**" in rows[0]
    assert "| 週次定例の議事録 | — | weekly on Wed — 5 times up to Wed 2026-12-23 |" in rows[1]
    assert "Answer the quota question | Sato | one-off |" in rows[2]
    acme = text.split("## Acme")[1].split("\n## ")[0]
    assert "- **Tanaka** — system manager · `t@acme.example`" in acme
    assert "- **Sato** — +81 3-1234-5678" in acme
    # Recurring duties: cadence in words, to whom, last done, next due.
    assert (
        "| Monthly status report | Tanaka (system manager) | monthly on day 23 | 2026-10-23 "
        "| **Mon 2026-11-23, today** |"
    ) in acme
    assert "| Answer the quota question | Sato | Fri 2026-11-27 |" in acme
    # Recent notes only (default 90 days), newest first, with kind, people, tags, author.
    assert "Kick-off call" in acme and "HYPERLINK" not in acme
    assert acme.index("October report") < acme.index("Kick-off call")
    assert "- **2026-09-20 15:00** · call · with Tanaka · tags: kickoff · by alice\\" in acme
    yamada = text.split("## 山田商事")[1]
    assert (
        "月次報告を送付しました" in yamada and "| 週次定例の議事録 | — | weekly on Wed |" in yamada
    )


def test_markdown_since_shows_older_notes(run: Run) -> None:
    sample(run)
    text = export(run, "--since", "2026-06-01", "--client", "acme")
    assert "\\=HYPERLINK" in text and "Notes since 2026-06-01" in text
    assert "## 山田商事" not in text


def _user_text_survives_as_text(md: str) -> list[Any]:
    from markdown_it import MarkdownIt

    parser = MarkdownIt("commonmark").enable(["table", "strikethrough"])
    return parser.parse(md)


def test_markdown_user_text_cannot_make_structure(run: Run) -> None:
    ok(run("contact", "# Evil [x](http://e.example) <i>", "<b>Bob</b>", "--role", "*boss*",
           "--email", "bob@e.example", "--phone", "- 1"))  # fmt: skip
    ok(run("promise", "# Evil [x](http://e.example) <i>", "[t](http://e.example) | x",
           "--due", "fri", "--to", "<b>Bob</b>"))  # fmt: skip
    ok(run("log", "# Evil [x](http://e.example) <i>", HOSTILE, "--tag", "<t>", "--with", "[w]"))
    text = export(run)
    tokens = _user_text_survives_as_text(text)

    def walk(items: list[Any]) -> list[Any]:
        out = []
        for t in items:
            out.append(t)
            out += walk(t.children or [])
        return out

    every = walk(tokens)
    kinds = {t.type for t in every}
    forbidden = {"link_open", "image", "html_block", "html_inline", "code_block", "fence"}
    forbidden |= {"blockquote_open", "ordered_list_open", "hr", "s_open"}
    assert not kinds & forbidden
    headings = [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open"]
    assert headings[:2] == ["Handoff from alice", "What needs doing"]
    assert headings[3:] == [
        "Contacts",
        "Recurring duties",
        "Open one-off promises",
        "Notes since 2026-08-25, newest first",
    ]
    assert headings[2].startswith("\\# Evil \\[x\\]")
    # Only our own lists: one item per contact (Bob, and [w] from --with) and per note.
    items = [t for t in tokens if t.type == "list_item_open"]
    assert len(items) == 3
    # Tables: ours only (agenda and one-off promises), one row each.
    assert sum(1 for t in tokens if t.type == "table_open") == 2
    assert sum(1 for t in tokens if t.type == "tr_open") == 4
    # The text is all there, shown literally; the OSC sequence is made visible.
    rendered = "".join(t.content for t in every if t.type in ("text", "code_inline"))
    for piece in ("# Heading?", "<script>alert(1)</script>", "[ref]: ", "mallory@evil.example"):
        assert piece in rendered
    assert "\x1b" not in text and "\\x1b" in rendered


def test_markdown_inline_and_block_escaping() -> None:
    assert md_format.inline("- a\nb") == "- a b"  # not at the start of a line
    assert md_format.block("- a\n1. x\n+ y\n===", "") == "\\- a\\\n1\\. x\\\n\\+ y\\\n\\==="
    assert md_format.inline("see www.x.example.") == "see `www.x.example`."
    assert md_format._code("a`b") == "``a`b``"
    assert md_format.block("a\n\n\nb\\", "  ") == "  a\n\n  b\\\\"
    assert md_format.block("line1\r\nline2", "") == "line1\\\nline2"


# ------------------------------------------------------------------ JSON bundle

BUNDLE_KEYS = {"format", "version", "exported_at", "author", "clients", "tombstones"}
STAMP_KEYS = {"clock", "writer"}
CLIENT_KEYS = {"uuid", "name", "contacts", "promises", "notes", "aliases", "renamed"} | STAMP_KEYS
CONTACT_KEYS = (
    {"id", "uuid", "name", "role", "email", "phone", "also_known_as"}
    | STAMP_KEYS
    | {
        "stamps",
        "aliases",
        "renamed",
        "also_known_as_stamps",
    }
)
NOTE_KEYS = (
    {"id", "uuid", "client", "at", "kind", "text", "author", "with", "tags", "on"}
    | {"with_ids"}
    | STAMP_KEYS
)
PROMISE_KEYS = (
    {"id", "uuid", "client", "title", "to", "owner", "rule", "next_due", "status"}
    | {
        "start",
        "after_done",
        "due_at",
        "paused_until",
        "covered_through",
        "created_at",
        "to_id",
        "stamps",
        "completions",
        "undos",
        "pauses",
    }
    | STAMP_KEYS
)
COMPLETION_KEYS = {"uuid", "at", "day", "note", "kind", "covers"} | STAMP_KEYS


def test_json_bundle_shape_is_pinned(run: Run) -> None:
    made = sample(run)
    data = json.loads(export(run, "--format", "json"))
    assert set(data) == BUNDLE_KEYS
    assert (data["format"], data["version"], data["author"]) == ("handoff-bundle", 2, "alice")
    assert data["exported_at"] == "2026-11-23T10:00:00+09:00"
    assert [c["name"] for c in data["clients"]] == ["Acme", "山田商事"]
    acme = data["clients"][0]
    assert set(acme) == CLIENT_KEYS
    assert all(set(c) == CONTACT_KEYS for c in acme["contacts"])
    assert all(set(n) == NOTE_KEYS for n in acme["notes"])
    assert all(set(p) == PROMISE_KEYS for p in acme["promises"])
    monthly = next(p for p in acme["promises"] if p["uuid"] == made["monthly"]["uuid"])
    assert monthly["rule"] == "FREQ=MONTHLY;BYMONTHDAY=23"
    assert (monthly["start"], monthly["next_due"], monthly["to"]) == (
        "2026-09-23",
        "2026-11-23",
        "Tanaka",
    )
    (completion,) = monthly["completions"]
    assert set(completion) == COMPLETION_KEYS
    assert (completion["day"], completion["at"]) == ("2026-10-23", "2026-10-23T09:00:00+09:00")
    assert completion["covers"] == ["2026-09-23", "2026-10-23"]  # what this done covered
    timeline = next(n for n in acme["notes"] if n["uuid"] == completion["note"])
    assert timeline["text"] == "Done: Monthly status report — October report"
    # Notes oldest first; every note, old ones too.
    assert [n["at"][:10] for n in acme["notes"]] == ["2026-06-01", "2026-09-20", "2026-10-23"]


def test_json_since_and_client_filter(run: Run) -> None:
    sample(run)
    data = json.loads(export(run, "--format", "json", "-c", "ACME", "--since", "2026-09-21"))
    (acme,) = data["clients"]
    assert [n["at"][:10] for n in acme["notes"]] == ["2026-10-23"]


def test_bundle_streams_notes_one_at_a_time() -> None:
    """`dump` must not pull the whole note cursor before writing: memory stays flat."""
    from handoff_cli.shapes import note_record

    pulled = 0

    def notes() -> Any:
        nonlocal pulled
        for i in range(1_000_000):
            pulled += 1
            yield note_record(
                Note(i, f"u{i}", "C", datetime(2026, 1, 1, tzinfo=timezone.utc), "note", "x", "a")
            )

    pieces = bundle_format.dump(
        exported_at=datetime(2026, 1, 1, tzinfo=timezone.utc),
        author="a",
        clients=[bundle_format.ClientRecords({"uuid": "c", "name": "C"}, [], [], notes())],
    )
    head = [next(pieces) for _ in range(20)]
    assert pulled < 20 and '"notes": [' in "".join(head)


def test_bundle_keeps_lone_surrogates_escaped() -> None:
    from handoff_cli.shapes import note_record

    note = Note(1, "u", "C", datetime(2026, 1, 1, tzinfo=timezone.utc), "note", "a\ud800b", "x")
    text = "".join(
        bundle_format.dump(
            exported_at=datetime(2026, 1, 1, tzinfo=timezone.utc),
            author="a",
            clients=[
                bundle_format.ClientRecords({"uuid": "c", "name": "C"}, [], [], [note_record(note)])
            ],
        )
    )
    text.encode("utf-8")  # writable
    assert json.loads(text)["clients"][0]["notes"][0]["text"] == "a\ud800b"


# ------------------------------------------------------------------ CSV


def test_csv_is_one_row_per_note_and_safe_in_a_spreadsheet(run: Run, tmp_path: Path) -> None:
    sample(run)
    tricky = 'says "hi", then\r\nnew line; and a comma, too'
    for text in ("=1+2", "+SUM(A1)", "-2", "@cmd", "＝1+1", tricky):
        ok(run("log", "Acme", "-w", "Tanaka", "-w", "Sato", "-t", "a", "-t", "b", "--", text))
    raw = export_file(run, tmp_path, "--format", "csv", "--client", "Acme").decode("utf-8")
    assert raw.startswith("\ufeffclient,at,kind,with,tags,author,text\r\n")  # a BOM for Excel
    raw = raw.removeprefix("\ufeff")
    rows = list(csv.reader(io.StringIO(raw, newline="")))
    assert rows[0] == list(csv_format.HEADER)
    texts = [r[6] for r in rows[1:]]
    assert texts[-6:] == ["'=1+2", "'+SUM(A1)", "'-2", "'@cmd", "'＝1+1", tricky]
    last = rows[-1]
    assert last[0] == "Acme" and last[2] == "note" and last[5] == "alice"
    assert last[3] == "Tanaka; Sato" and last[4] == "a; b"  # people in the order given
    assert datetime.fromisoformat(last[1]).utcoffset() == timedelta(hours=9)
    assert len(rows) == 1 + 3 + 6  # header, Acme's three notes, the six above
    # `log` strips leading blanks; a tab or CR could still come from an import.
    tricky_starts = [csv_format.neutralise(c) for c in ("\tx", "\rx", "x=1", "")]
    assert tricky_starts == ["'\tx", "'\rx", "x=1", ""]


def test_csv_streams_in_batches() -> None:
    notes = (
        Note(i, "u", "C", datetime(2026, 1, 1, tzinfo=timezone.utc), "note", "x", "a")
        for i in range(1200)
    )
    pieces = list(csv_format.dump(notes, batch=500))
    assert len(pieces) == 3
    assert "".join(pieces).count("\r\n") == 1201


# ------------------------------------------------------------------ iCalendar

RULES = [
    ("monthly", "2026-01-31"),
    ("weekly on mon,thu", "2026-11-02"),
    ("monthly on the last fri", "2026-10-01"),
    ("quarterly", "2026-08-30"),
    ("every 2 weeks", "2026-10-14"),
    ("yearly", "2024-02-29"),
    ("weekdays", "2026-11-20"),
    ("FREQ=DAILY;INTERVAL=3;COUNT=20", "2026-11-01"),
    ("monthly on the first mon", "2026-09-01"),
]


def test_ics_recurrences_agree_with_handoffs_own_dates(run: Run, tmp_path: Path) -> None:
    import icalendar
    import recurring_ical_events

    from handoff_cli import schedule

    made = []
    for i, (rule, start) in enumerate(RULES):
        made.append(
            ok(
                run("promise", "Acme", f"Duty {i}; with, commas", "--every", rule, "--start", start,
                    "--to", "Tanaka", "--json")
            ).json()
        )  # fmt: skip
    # Keep some, so the calendar starts from a later next due date.
    ok(run("done", str(made[0]["id"]), "--at", "2026-10-31"))
    ok(run("done", str(made[7]["id"]), "--at", "2026-11-10"))
    one_off = ok(run("promise", "Acme", "Send the quote", "--due", "2026-12-01", "--json")).json()
    dropped = ok(run("promise", "Acme", "Old thing", "--due", "2026-12-02", "--json")).json()
    ok(run("drop", str(dropped["id"])))

    text = export_file(run, tmp_path, "--format", "ics").decode("utf-8")
    lines = text.split("\r\n")
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "" and "\n" not in "".join(lines)
    assert all(len(line.encode("utf-8")) <= 75 for line in lines)
    cal = icalendar.Calendar.from_ical(text)
    events = {str(e["UID"]): e for e in cal.walk("VEVENT")}
    assert f"{dropped['uuid']}@handoff" not in events
    assert str(events[f"{one_off['uuid']}@handoff"]["SUMMARY"]) == "Send the quote (Acme)"
    assert "RRULE" not in events[f"{one_off['uuid']}@handoff"]

    window = (date(2000, 1, 1), date(2028, 12, 31))
    expanded: dict[str, list[date]] = {}
    for occ in recurring_ical_events.of(cal).between(window[0], window[1] + timedelta(days=1)):
        expanded.setdefault(str(occ["UID"]), []).append(occ["DTSTART"].dt)
    assert expanded[f"{one_off['uuid']}@handoff"] == [date(2026, 12, 1)]
    promises = {p["uuid"]: p for p in ok(run("promises", "--json")).json()}
    for item in made:
        p = promises[item["uuid"]]
        next_due = date.fromisoformat(p["next_due"])
        ours = schedule.occurrences_between(p["rule"], date.fromisoformat(p["start"]), next_due,
                                            window[1])  # fmt: skip
        theirs = sorted(expanded[f"{p['uuid']}@handoff"])
        assert theirs == ours, p["rule"]
        assert theirs[0] == next_due
        event = events[f"{p['uuid']}@handoff"]
        assert str(event["SUMMARY"]) == f"{p['title']} (Acme)"
        assert "To: Tanaka" in str(event["DESCRIPTION"])


def test_ics_after_done_rule_runs_from_the_next_due_date(run: Run) -> None:
    from handoff_cli.cli.transfer import ics_rule
    from handoff_cli.models import Promise

    p = Promise(1, "u", "C", "t", None, "FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=5",
                date(2026, 1, 5), True, "open", date(2026, 12, 17))  # fmt: skip
    assert ics_rule(p) == "FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=17"


def test_ics_text_is_escaped_and_control_characters_are_dropped(run: Run) -> None:
    import icalendar

    ok(run("promise", "Acme", "a;b,c\\d\nline\x1b[31m", "--due", "fri"))
    text = export(run, "--format", "ics")
    assert "\x1b" not in text
    (event,) = icalendar.Calendar.from_ical(text).walk("VEVENT")
    assert str(event["SUMMARY"]) == "a;b,c\\d line\\x1b[31m (Acme)"  # one line, as in md


# ------------------------------------------------------------------ issue 12.2 and 12.3


def test_the_file_name_picks_the_format(run: Run, tmp_path: Path) -> None:
    """`-o out.json` writes the bundle `import` reads, not Markdown with a .json name."""
    sample(run)
    starts = {
        "out.json": ("json", '{\n  "format": "handoff-bundle"'),
        "out.csv": ("csv", "\ufeffclient,at,kind"),
        "out.ics": ("ics", "BEGIN:VCALENDAR"),
        "out.md": ("md", "# Handoff from alice"),
        "OUT.JSON": ("json", '{\n  "format": "handoff-bundle"'),
        "notes.txt": ("md", "# Handoff from alice"),  # no format's extension: the default
    }
    for name, (fmt, start) in starts.items():
        done = ok(run("export", "-o", str(tmp_path / name)))
        assert (tmp_path / name).read_text(encoding="utf-8").startswith(start), name
        assert f"({fmt}, " in done.stdout, done.stdout
    ok(run("import", str(tmp_path / "out.json"), "--dry-run"))


def test_a_format_that_contradicts_the_file_name_is_refused(run: Run, tmp_path: Path) -> None:
    sample(run)
    for fmt, name in (("md", "out.json"), ("json", "out.csv"), ("csv", "out.ics")):
        result = run("export", "--format", fmt, "-o", str(tmp_path / name))
        assert result.exit_code == 2
        lines = result.stderr.splitlines()
        assert len(lines) == 1 and f"--format {fmt} does not match the file name" in lines[0]
        assert not (tmp_path / name).exists()
    ok(run("export", "--format", "json", "-o", str(tmp_path / "out.json")))
    ok(run("export", "--format", "csv", "-o", str(tmp_path / "notes.txt")))
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8").startswith("\ufeffclient,")


def test_csv_has_a_bom_in_a_file_and_none_on_stdout(run: Run, tmp_path: Path) -> None:
    """Japanese Excel reads a UTF-8 CSV without a BOM as Shift-JIS; scripts want none."""
    ok(run("log", "山田商事", "月次報告を送付"))
    raw = export_file(run, tmp_path, "--format", "csv")
    assert raw.startswith(b"\xef\xbb\xbfclient,")
    assert "月次報告を送付" in raw.decode("utf-8-sig")
    assert export(run, "--format", "csv").startswith("client,")
    help_text = " ".join(ok(run("export", "--help")).stdout.split())
    assert "byte-order mark" in help_text and "standard output gets none" in help_text


def test_dash_for_output_is_standard_output(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`-o -` writes to standard output (as `import -` reads standard input), never a file
    named "-"."""
    ok(run("log", "Acme", "called about the fees"))
    monkeypatch.chdir(tmp_path)
    for fmt in ("json", "md", "csv"):
        dashed = ok(run("export", "--format", fmt, "-o", "-")).stdout
        assert dashed == export(run, "--format", fmt)
    assert not (tmp_path / "-").exists()
    bundle = json.loads(ok(run("export", "--format", "json", "-o", "-")).stdout)
    assert [n["text"] for n in bundle["clients"][0]["notes"]] == ["called about the fees"]
