"""render.wrap: lines fitted to the terminal at word and name boundaries (issue 12.5).

Pure tests of the one wrapping function, then the commands that list things,
run at 40, 60, 80 and 200 columns with Japanese and English names: no line is
wider than the terminal, and no word or name is split across lines.
"""

from __future__ import annotations

import re

import pytest
from conftest import Run
from hypothesis import example, given, settings
from hypothesis import strategies as st

from handoff_cli.cli.render import width, wrap

WIDTHS = [40, 60, 80, 200]
ESC = re.compile("\x1b\\[[0-9;]*m")

DUE_LINE = (
    "    !  #9  在庫連携APIの夜間タイムアウトの原因を回答  to 佐藤 花子  "
    "3 days overdue (due Fri 2026-11-20)"
)
ENGLISH = (
    "  #4  Kitamura Logistics  Send the new service-fee sheet (monthly fees from January)  "
    "to Sakai Yuko  one-off  next Fri 2026-11-27 (4 days overdue)"
)
NAMES = ["佐藤 花子", "Sakai Yuko", "Kitamura Logistics", "山田商事"]


def visible_lines(text: str) -> list[str]:
    return [ESC.sub("", line) for line in text.split("\n")]


def assert_wrapped(original: str, wrapped: str, cells: int, names: list[str]) -> None:
    lines = visible_lines(wrapped)
    for line in lines:
        assert width(line) <= cells, (cells, line)
    plain = ESC.sub("", original)
    assert "".join("\n".join(lines).split()) == "".join(plain.split()), "nothing lost or added"
    for word in plain.split():
        if word.isascii():
            assert any(word in line for line in lines), f"{word!r} was split"
    for name in names:
        if name in plain:
            assert any(name in line for line in lines), f"{name!r} was split"


@pytest.mark.parametrize("cells", WIDTHS)
@pytest.mark.parametrize("line", [DUE_LINE, ENGLISH], ids=["japanese", "english"])
def test_no_word_or_name_is_split(line: str, cells: int) -> None:
    wrapped = wrap(line, hang=7, keep=NAMES, cells=cells)
    assert_wrapped(line, wrapped, cells, NAMES)
    if width(line) <= cells:
        assert wrapped == line
    else:
        first, *rest = wrapped.split("\n")
        assert first.startswith(line[: len(line) - len(line.lstrip())])
        indent = len(line) - len(line.lstrip()) + 7
        assert rest and all(r.startswith(" " * indent) and r[indent] != " " for r in rest)


def test_a_japanese_name_is_never_split_even_where_it_would_fit_in_part() -> None:
    # At 44 cells "佐藤" would still fit on the first line; the name moves whole.
    line = "  週次定例の議事録を送付しました。ご確認ください 佐藤 花子 様"
    for cells in range(20, 60):
        wrapped = wrap(line, keep=["佐藤 花子"], cells=cells)
        assert any("佐藤 花子" in row for row in wrapped.split("\n")), (cells, wrapped)


def test_japanese_text_breaks_between_characters_but_not_before_closing_marks() -> None:
    text = (
        "      佐藤様に電話で回答: 夜間タイムアウトはDBバックアップと重なるため。"
        "バックアップを04:00に移す案を提示、了承。"
    )
    for cells in (30, 40, 41, 42, 43, 60):
        lines = wrap(text, hang=0, cells=cells).split("\n")
        for line in lines[1:]:
            assert line[6] not in "、。）」", (cells, lines)
        assert all(width(line) <= cells for line in lines)
        assert "".join("".join(lines).split()) == "".join(text.split())


def test_colour_is_closed_at_each_line_end_and_reopened() -> None:
    red = "\x1b[31m4 days overdue, missed 2 (due Thu 2026-11-19)\x1b[0m"
    wrapped = wrap(f"    !  #8  Minutes  {red}", hang=7, cells=30)
    lines = wrapped.split("\n")
    assert len(lines) > 1
    for line in lines:
        if "\x1b[31m" in line:
            assert line.endswith("\x1b[0m")
    assert lines[-1].lstrip().startswith("\x1b[31m")


def test_a_word_longer_than_a_line_is_broken_but_a_name_is_not() -> None:
    url = "https://example.com/" + "a" * 80
    lines = wrap(f"  see {url} now", cells=40).split("\n")
    assert all(width(line) <= 40 for line in lines)
    assert "".join("".join(lines).split()) == f"see{url}now"
    name = "Ｎ" * 30  # 60 cells: wider than the line, and never split
    lines = wrap(f"  to {name} ok", keep=[name], cells=40).split("\n")
    assert any(name in line for line in lines)


def test_short_lines_and_no_width_are_left_alone() -> None:
    assert wrap("  short", cells=40) == "  short"
    assert wrap("a\nb", cells=1) == "a\nb"


def test_no_wrapping_when_not_a_terminal_and_no_columns(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import io

    from handoff_cli.cli import render

    monkeypatch.delenv("COLUMNS")
    stream = io.StringIO()
    assert render.line_width(stream) is None
    monkeypatch.setenv("COLUMNS", "60")
    assert render.line_width(io.StringIO()) == 60
    monkeypatch.setenv("COLUMNS", "wide")
    assert render.line_width(io.StringIO()) is None


# ------------------------------------------------------------ through the CLI


@pytest.fixture
def busy(run: Run) -> None:
    """Clients in Japanese and English, contacts with spaces in their names, long titles."""
    steps = [
        ["contact", "山田商事", "佐藤 花子", "--role", "情報システム部 課長"],
        ["contact", "Kitamura Logistics", "Sakai Yuko", "--role", "purchasing"],
        ["promise", "山田商事", "在庫連携APIの夜間タイムアウトの原因を回答する", "--due",
         "2026-11-20", "--to", "佐藤 花子"],
        ["promise", "山田商事", "週次定例の議事録を送付", "--every", "weekly on thu",
         "--start", "2026-11-05", "--to", "佐藤 花子"],
        ["promise", "Kitamura Logistics",
         "Send the new service-fee sheet (monthly fees from January)", "--due", "2026-11-27",
         "--to", "Sakai Yuko"],
        ["log", "山田商事", "佐藤 花子さんに電話で回答: 夜間タイムアウトはDBバックアップと"
         "重なるため。バックアップを04:00に移す案を提示、了承。", "--with", "佐藤 花子",
         "--tag", "障害", "--at", "2026-11-20 15:00"],
        ["log", "Kitamura Logistics", "Sakai Yuko called: the new fee sheet must reach "
         "purchasing before their budget meeting on 30 Nov, so send it by Friday.",
         "--with", "Sakai Yuko", "--kind", "call", "--at", "2026-11-19 10:00"],
    ]  # fmt: skip
    for args in steps:
        result = run(*args)
        assert result.exit_code == 0, result.stderr


COMMANDS = {
    "due": ["due"],
    "show": ["show", "山田商事"],
    "show english": ["show", "Kitamura Logistics"],
    "promises": ["promises"],
    "search": ["search", "バックアップ"],
    "search english": ["search", "fee"],
    "clients": ["clients"],
    "notes": ["notes", "--since", "2026-11-01"],
    "agenda": ["agenda", "--from", "2026-11-16"],
}
CLI_NAMES = [
    "佐藤 花子",
    "Sakai Yuko",
    "Kitamura Logistics",
    "山田商事",
    "to 佐藤 花子",
    "to Sakai Yuko",
    "情報システム部",
]


@pytest.mark.parametrize("cells", WIDTHS)
@pytest.mark.parametrize("args", COMMANDS.values(), ids=COMMANDS.keys())
def test_commands_wrap_at_the_terminal_width(
    run: Run, busy: None, monkeypatch: pytest.MonkeyPatch, args: list[str], cells: int
) -> None:
    monkeypatch.setenv("COLUMNS", "1000")
    wide = run(*args)
    assert wide.exit_code == 0, wide.stderr
    monkeypatch.setenv("COLUMNS", str(cells))
    narrow = run(*args)
    assert narrow.exit_code == 0, narrow.stderr
    lines = narrow.stdout.split("\n")
    assert all(width(line) <= cells for line in lines), [
        line for line in lines if width(line) > cells
    ]
    # The same text, only broken differently: every word and name is whole on some line.
    assert "".join(narrow.stdout.split()) == "".join(wide.stdout.split())
    for word in wide.stdout.split():
        if word.isascii():
            assert any(word in line for line in lines), f"{word!r} was split at {cells}"
    for name in CLI_NAMES:
        if name in wide.stdout:
            assert any(name in line for line in lines), f"{name!r} was split at {cells}"
    if cells == 200:
        assert narrow.stdout == wide.stdout  # nothing here is that long


def test_piped_output_is_not_wrapped(run: Run, busy: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COLUMNS")
    out = run("due").stdout
    assert (
        "    !  #1  在庫連携APIの夜間タイムアウトの原因を回答する  to 佐藤 花子  3 days overdue"
        in out
    )


WORDS = st.sampled_from(
    ["a", "to", "the", "overdue", "(due", "Fri", "2026-11-27)", "#12", "·", "—", "x" * 9,
     "\x1b[31mred", "text\x1b[0m", "Acme", "Corp", "Sakai", "Yuko"]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@example(  # "Acme" fits the first line and "Corp" does not
    words=[("x" * 9, " "), ("x" * 9, " "), ("the", " "), ("Acme", " "), ("Corp", "")],
    cells=30,
    lead=0,
)
@given(
    words=st.lists(st.tuples(WORDS, st.sampled_from([" ", "  ", ""])), min_size=1, max_size=30),
    cells=st.integers(30, 120),
    lead=st.integers(0, 6),
)
def test_the_ascii_shortcut_wraps_as_the_general_way(
    words: list[tuple[str, str]], cells: int, lead: int
) -> None:
    from handoff_cli.cli import render

    line = " " * lead + "".join(w + s for w, s in words).rstrip(" ")
    names = ["Acme Corp", "Sakai Yuko"]
    shortcut = render.wrap(line, keep=names, cells=cells)
    original = render._ascii_atoms
    try:
        render._ascii_atoms = render._atoms  # type: ignore[assignment]
        slow = render.wrap(line, keep=names, cells=cells)
    finally:
        render._ascii_atoms = original  # type: ignore[assignment]
    assert shortcut == slow
