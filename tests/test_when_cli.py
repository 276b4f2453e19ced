"""Whatever text is given to `log --at`, the answer is a saved note or a clean exit-2 line."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from handoff_cli.cli import app

runner = CliRunner()

WORDS = st.sampled_from(
    ["today", "yesterday", "tomorrow", "now", "fri", "next", "last", "mon", "in", "ago",
     "days", "day", "weeks", "months", "years", "hours", "minutes", "a", "an", "at", "am",
     "pm", "T", "Z", "z", ":", "+", "-", "15:00", "9am", "12", "0", "00", "99", "9999",
     "2026-12-01", "2026-02-29", "2028-02-29", "0001-01-01", "9999-12-31", "+2w", "-1d",
     "+1m", "-100000y", "T23:59", "+09:00", "-05:00", "+2359", " ", "\t", "\n", "１", "３"]
)  # fmt: skip
ISO = st.from_regex(
    r"\A[0-9]{4}-[0-9]{2}-[0-9]{2}([Tt ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,9})?)?"
    r"([Zz]|[+-][0-9]{2}(:?[0-9]{2})?)?)?\Z"
)
RELATIVE = st.from_regex(
    r"\A(in [0-9]{1,12} [a-z]{3,7}|[0-9]{1,12} [a-z]{3,7} ago|[+-][0-9]{1,12}[dwmyh])\Z"
)
ANY_TEXT = st.text(st.characters(codec=None, exclude_categories=()), max_size=40)
WHEN_TEXT = st.one_of(
    ANY_TEXT,
    ISO,
    RELATIVE,
    st.lists(WORDS, max_size=5).map(" ".join),
    st.lists(WORDS, max_size=5).map("".join),
)


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text=WHEN_TEXT)
@example(text="0001-01-01T00:00+09:00")
@example(text="9999-12-31T23:00-05:00")
@example(text="9999-12-31T23:59:59.999999-23:59")
@example(text="2026-02-30")
@example(text="in 99999999999999999999 days")
@example(text="\udcff")
@example(text="\x00")
@example(text="--help")
@example(text="")
def test_any_text_given_to_at_is_a_date_or_a_clean_refusal(isolated: object, text: str) -> None:
    result = runner.invoke(app, ["log", "Acme", "hi", f"--at={text}", "--json"])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert result.exit_code in (0, 2), (result.exit_code, result.stderr)
    if result.exit_code == 0:
        note = json.loads(result.stdout)
        at = datetime.fromisoformat(note["at"])
        assert at.utcoffset() is not None  # stored with its offset
        assert result.stderr == ""
    else:
        lines = result.stderr.splitlines()
        assert len(lines) == 1, result.stderr
        assert lines[0].startswith("error: ")
        # examples of what works, or why the day does not exist
        assert "2026-12-01" in lines[0] or "there is no such day as" in lines[0]
        assert result.stdout == ""


@pytest.mark.parametrize(
    "text",
    ["0001-01-01T00:00+09:00", "9999-12-31T23:00-05:00", "1899-12-31T23:59Z", "2201-01-01"],
)
def test_a_date_that_cannot_be_stored_is_refused(isolated: object, text: str) -> None:
    result = runner.invoke(app, ["log", "Acme", "hi", "--at", text])
    assert result.exit_code == 2
    assert "out of range (handoff keeps 1900-01-01 to 2200-12-31)" in result.stderr


def test_the_earliest_and_latest_storable_days_round_trip(isolated: object) -> None:
    """handoff keeps 1900-01-01 to 2200-12-31 (daterange.py), shown in any zone."""
    for text in ("1900-01-01", "2200-12-31"):
        result = runner.invoke(app, ["log", "Acme", text, "--at", text, "--json"])
        assert result.exit_code == 0, result.stderr
        assert json.loads(result.stdout)["at"].startswith(text)
    shown = runner.invoke(app, ["show", "Acme", "--json"])
    assert [n["text"] for n in json.loads(shown.stdout)["notes"]] == ["2200-12-31", "1900-01-01"]
    human = runner.invoke(app, ["show", "Acme"]).stdout
    assert "  2200-12-31 12:00  note  alice" in human
    assert "  1900-01-01 " in human


@pytest.mark.parametrize(
    ("text", "due"),
    [
        ("2026/12/01", "2026-12-01"),
        ("12/1", "2026-12-01"),
        ("Dec 1", "2026-12-01"),
        ("1 Dec", "2026-12-01"),
        ("end of month", "2026-11-30"),
        ("今日", "2026-11-23"),
        ("明日", "2026-11-24"),
        ("昨日", "2026-11-22"),
        ("月末", "2026-11-30"),
    ],
)
def test_dates_people_type_set_a_due_date(isolated: object, text: str, due: str) -> None:
    result = runner.invoke(app, ["promise", "Acme", "Quote", "--due", text, "--json"])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["next_due"] == due


def test_a_day_that_does_not_exist_is_named_at_the_command_line(isolated: object) -> None:
    result = runner.invoke(app, ["promise", "Acme", "Quote", "--due", "2026-02-30"])
    assert result.exit_code == 2
    assert result.stderr == (
        "error: there is no such day as '2026-02-30': February 2026 has no 30th\n"
    )
    assert result.stdout == ""
