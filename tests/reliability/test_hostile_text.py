"""Case 8: hostile text is stored and returned exactly, and shown inert.

Through `--json` a note comes back exactly as it was given (less the
surrounding whitespace `log` strips). In human output, control characters,
escape sequences and bidirectional overrides are made visible, markup is
printed literally, and nothing reaches the terminal that could move the
cursor, retitle the window or plant a hyperlink.

Lone surrogates cannot travel as UTF-8 (in argv, a pipe or a terminal they
are undecodable bytes), so handoff refuses them with exit 2 and saves
nothing: storing them would mean inventing bytes the user did not type.
"""

from __future__ import annotations

import io
import json
import os
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from handoff_cli.cli.render import safe, safe_line

from .support import Run, assert_clean_failure, scalar

HOSTILE = [
    "[bold]bold[/bold] and [/] and [link=https://evil.example]click[/link] and \\[not markup]",
    "[red]unclosed and [/nope] and [bold",
    ":smile: :thumbs_up: :red_circle: :pile_of_poo:",
    "\x1b[31mred\x1b[0m \x1b[2J\x1b[H cleared the screen",
    "\x1b]8;;https://evil.example\x1b\\a link\x1b]8;;\x1b\\ and \x1b]0;new title\x07",
    "\x9b31m C1 CSI and \x9d8;;https://evil.example\x9c C1 OSC and \x85 NEL",
    "carriage\rreturn overwrites and back\bspace and bell\x07 and del\x7f",
    "rtl \u202egnp.exe\u202c and \u2066isolate\u2069 and marks \u200e\u200f",
    "emoji 👩‍👩‍👧 combining é zero-width \u200b full-width ＡＣＭＥ 月次報告",
    '\'; DROP TABLE notes; -- and %s %n {0} {{}} and =HYPERLINK("x")',
]
UNSAFE_SHOWN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
OUR_SGR = re.compile("\x1b\\[[0-9;]*m")


def assert_inert(output: str) -> None:
    """Nothing in `output` a terminal would act on, except handoff's own colours."""
    bare = OUR_SGR.sub("", output)
    found = UNSAFE_SHOWN.findall(bare)
    assert not found, f"live control characters in the output: {found!r}"


@contextmanager
def console(stdin: bytes = b"") -> Iterator[dict[str, str]]:
    """Standard streams as a UTF-8 pipe would give them, for an in-process run."""
    saved = sys.stdin, sys.stdout, sys.stderr, sys.argv, os.umask(0o077)
    result: dict[str, str] = {}
    sys.stdin = io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8", newline="\n")
    out, err = io.BytesIO(), io.BytesIO()
    sys.stdout = io.TextIOWrapper(out, encoding="utf-8", newline="\n", write_through=True)
    sys.stderr = io.TextIOWrapper(err, encoding="utf-8", newline="\n", write_through=True)
    try:
        yield result
    finally:
        result["stdout"] = out.getvalue().decode("utf-8")
        result["stderr"] = err.getvalue().decode("utf-8")
        sys.stdin, sys.stdout, sys.stderr, sys.argv, umask = saved
        os.umask(umask)


def main(*args: str, stdin: str = "") -> tuple[int, str, str]:
    """The console script's main(), in this process (fast path and Typer alike)."""
    from handoff_cli.cli import main as handoff_main

    code = 0
    # Lines as stored, unwrapped (wrapping has tests of its own, tests/test_wrap.py).
    columns = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = "1000000"
    # A lone surrogate on standard input is what undecodable bytes look like there.
    try:
        with console(stdin.encode("utf-8", "surrogatepass")) as streams:
            sys.argv = ["handoff", *args]
            try:
                handoff_main()
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else 1
    finally:
        if columns is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = columns
    return code, streams["stdout"], streams["stderr"]


def shown_lines(text: str) -> list[str]:
    return [line.strip() for line in safe(text).splitlines() if line.strip()]


# ------------------------------------------------------------- fixed corpus, real processes


@pytest.mark.parametrize("how", ["argv", "stdin"])
def test_hostile_notes_round_trip_and_show_inert(db: Path, handoff: Run, how: str) -> None:
    texts = HOSTILE + (["nul \x00 in the middle"] if how == "stdin" else [])
    ids = {}
    for text in texts:
        if how == "argv":
            done = handoff("log", "Acme", text, "--json")
        else:
            done = handoff("log", "Acme", "--json", input=text)
        ids[done.ok().json()["id"]] = text
        assert done.json()["text"] == text
    shown = handoff("show", "Acme", "--json", "--limit", "100").ok().json()
    assert {n["id"]: n["text"] for n in shown["notes"]} == ids
    for colour in ({"NO_COLOR": "1"}, {"NO_COLOR": "", "FORCE_COLOR": "1"}):
        env = {**os.environ, **colour}
        human = handoff("show", "Acme", "--limit", "100", env=env).ok().stdout
        assert_inert(human)
        for text in texts:
            for line in shown_lines(text):
                assert line in OUR_SGR.sub("", human), line
    assert "[link=https://evil.example]click[/link]" in human
    assert "\\[not markup]" in human
    assert "\\x1b]8;;https://evil.example" in human


def test_hostile_names_titles_and_tags_show_inert(db: Path, handoff: Run) -> None:
    name = "[red]Evil\x1b]8;;https://evil.example\x1b\\ Corp\u202e"
    handoff("log", name, "hello", "--with", "\x1b[2JBob", "--tag", "[b]\x07t").ok()
    made = handoff("promise", name, "\x1b]0;title\x07[link=x]y", "--due", "today", "--json")
    made = made.ok().json()
    assert made["title"] == "\x1b]0;title\x07[link=x]y"
    assert made["client"] == name
    outputs = [
        handoff(*args).ok().stdout
        for args in (
            ["show", name],
            ["clients"],
            ["promises"],
            ["due"],
            ["search", "hello"],
            ["done", str(made["id"])],
        )
    ]
    for output in outputs:
        assert_inert(output)
    assert safe_line(name) in outputs[1]


def test_a_one_megabyte_note(db: Path, handoff: Run) -> None:
    text = ("line of a long note 🙂 [b]x[/b] \x1b[0m\n" * 28_000)[:1_000_000].strip()
    assert len(text.encode("utf-8")) > 1_000_000
    note = handoff("log", "Acme", "--json", input=text).ok().json()
    assert note["text"] == text
    shown = handoff("show", "Acme", "--json").ok().json()
    assert shown["notes"][0]["text"] == text
    human = handoff("show", "Acme").ok().stdout
    assert_inert(human)
    assert human.count("line of a long note") == text.count("line of a long note")


# ---------------------------------------------------------- bytes that are not UTF-8


def _argv_run(*args: bytes, stdin: bytes | None = None) -> tuple[int, str]:
    import subprocess

    from .support import HANDOFF, TIMEOUT

    proc = subprocess.run(
        [*[a.encode() for a in HANDOFF], *args],
        input=stdin,
        stdin=None if stdin is not None else subprocess.DEVNULL,
        capture_output=True,
        timeout=TIMEOUT,
        check=False,
    )
    return proc.returncode, proc.stderr.decode("utf-8", "replace")


@pytest.mark.parametrize(
    "args",
    [
        [b"log", b"Acme", b"lone surrogate \xed\xa0\x80 here"],
        [b"log", b"Acme", b"not utf-8 \xff\xfe"],
        [b"log", b"Acme", b"words", b"--json", b"--tag", b"\xed\xb0\x80"],
        [b"log", b"Acme", b"fast path tag", b"--tag", b"\xed\xb0\x80"],
        [b"log", b"Ac\xedme", b"bad client name"],
        [b"log", b"Acme", b"bad contact", b"--with", b"B\xffob"],
        [b"promise", b"Acme", b"title \xed\xa0\x80", b"--due", b"today"],
        [b"contact", b"Acme", b"Bob", b"--role", b"\xc0\xaf"],
    ],
    ids=["text", "text-ff", "tag-json", "tag-fast", "client", "contact", "promise", "role"],
)
def test_undecodable_arguments_are_refused(db: Path, args: list[bytes]) -> None:
    code, stderr = _argv_run(*args)
    from .support import Done

    line = assert_clean_failure(
        Done([a.decode("utf-8", "replace") for a in args], code, "", stderr)
    )
    assert code == 2 and "UTF-8" in line, line
    if db.exists():
        assert scalar(db, "SELECT count(*) FROM notes") == 0
        assert scalar(db, "SELECT count(*) FROM promises") == 0


def test_undecodable_standard_input_is_refused(db: Path) -> None:
    code, stderr = _argv_run(b"log", b"Acme", stdin=b"piped \xed\xa0\x80 bytes \xff")
    assert code == 2 and "UTF-8" in stderr and len(stderr.strip().splitlines()) == 1
    assert not db.exists() or scalar(db, "SELECT count(*) FROM notes") == 0


# ---------------------------------------------------------------- property, in process

FRAGMENTS = st.sampled_from(
    [
        "[bold]",
        "[/]",
        "[/bold]",
        "[link=https://x.example]",
        "\\[",
        "\\",
        ":smile:",
        "\x1b[31m",
        "\x1b]8;;https://x\x1b\\",
        "\x1b]0;t\x07",
        "\x9b",
        "\r",
        "\r\n",
        "\n",
        "\t",
        "\x00",
        "\u202e",
        "\u2066",
        "\u200f",
        "\u2028",
        "\x85",
        "👩‍👩‍👧",
        "月次報告",
        "'",
        '"',
        "%s",
        "{}",
    ]
)
TEXT = st.lists(
    st.one_of(FRAGMENTS, st.text(st.characters(exclude_categories=["Cs"]), max_size=12)),
    max_size=12,
).map("".join)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text=TEXT, surrogate=st.sampled_from(["", "", "", "\ud800", "\udfff"]))
def test_any_text_is_kept_exactly_or_refused(db: Path, text: str, surrogate: str) -> None:
    """As words (the fast path) or piped in (Typer): kept exactly and shown inert.

    With a lone surrogate: exit 2, one line, nothing saved.
    """
    text = text + surrogate
    for args, stdin in ((["log", "Acme", "--", text], ""), (["log", "Acme", "--json"], text)):
        before = scalar(db, "SELECT count(*) FROM notes") if db.exists() else 0
        code, out, err = main(*args, stdin=stdin)
        assert "Traceback" not in err, err
        if surrogate and text.strip():
            assert code == 2 and "UTF-8" in err and len(err.splitlines()) == 1, (code, err)
            assert (scalar(db, "SELECT count(*) FROM notes") if db.exists() else 0) == before
            continue
        if not text.strip():
            assert code == 1 and out == "", (code, err)
            continue
        assert code == 0, err
        code, out, err = main("show", "Acme", "--limit", "1", "--json")
        assert code == 0, err
        assert json.loads(out)["notes"][0]["text"] == text.strip()
        code, out, err = main("show", "Acme", "--limit", "1")
        assert code == 0, err
        assert_inert(out)
        for line in shown_lines(text.strip()):
            assert line in out
