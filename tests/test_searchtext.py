"""Unit tests for handoff_cli.searchtext: what the index stores and what a query becomes."""

from __future__ import annotations

import sqlite3

import pytest

from handoff_cli.searchtext import index_body, match_query


def test_latin_text_is_normalised_and_left_to_the_tokenizer() -> None:
    assert index_body("Called about FEES") == "called about fees"
    assert index_body("ＡＣＭＥ Straße") == "acme strasse"  # NFKC then casefold


def test_cjk_runs_become_overlapping_bigrams_and_their_last_character() -> None:
    assert index_body("月次報告") == "月次 次報 報告 告"
    assert index_body("月次報告を送付") == "月次 次報 報告 告を を送 送付 付"


def test_a_single_cjk_character_is_one_token() -> None:
    assert index_body("報") == "報"


def test_mixed_text_keeps_latin_words_and_splits_cjk_runs() -> None:
    assert index_body("v2リリース done").split() == ["v2", "リリ", "リー", "ース", "ス", "done"]


def test_several_parts_are_joined() -> None:
    assert index_body("fees", "urgent", "報告") == "fees urgent 報告 告"


def test_half_width_katakana_is_indexed_as_full_width() -> None:
    assert index_body("ｱｸﾒ") == "アク クメ メ"


def test_query_words_are_quoted_prefixes_joined_with_and() -> None:
    assert match_query("fees") == '"fees" *'
    assert match_query("Fees  Tanaka") == '"fees" * AND "tanaka" *'


def test_cjk_query_is_a_phrase_of_bigrams() -> None:
    assert match_query("報告") == '"報告" *'
    assert match_query("月次報告") == '"月次 次報 報告" *'
    assert match_query("報") == '"報" *'


def test_query_is_normalised_like_the_index() -> None:
    assert match_query("ＦＥＥＳ") == '"fees" *'
    assert match_query("ｱｸﾒ") == '"アク クメ" *'


@pytest.mark.parametrize("query", ["", "   ", "*", "()", '"', "-", ":", "^", "\\", "⁂", "\u200b"])
def test_query_without_words_is_none(query: str) -> None:
    assert match_query(query) is None


def test_fts_syntax_is_quoted_never_passed_through() -> None:
    assert match_query('NEAR(fees "x"') == '"near" * AND "fees" * AND "x" *'
    assert match_query("fees AND OR NOT") == '"fees" * AND "and" * AND "or" * AND "not" *'
    assert match_query("col:fees") == '"col" * AND "fees" *'


BODIES = {
    1: "called about fees",
    2: "月次報告を送付",
    3: "送付状を確認した",
    4: "ＡＣＭＥ visited; 会議 with Tanaka",
    5: "Straße café",
}


@pytest.fixture(scope="module")
def fts() -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:")
    conn.execute(
        "CREATE VIRTUAL TABLE t USING fts5 (body, tokenize = 'unicode61 remove_diacritics 2')"
    )
    for rowid, text in BODIES.items():
        conn.execute("INSERT INTO t (rowid, body) VALUES (?, ?)", [rowid, index_body(text)])
    return conn


def hits(conn: sqlite3.Connection, query: str) -> list[int]:
    expr = match_query(query)
    if expr is None:
        return []
    rows = conn.execute("SELECT rowid FROM t WHERE t MATCH ? ORDER BY rowid", [expr])
    return [r[0] for r in rows]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("報告", [2]),  # a two-character word inside a longer run
        ("月次報告", [2]),
        ("報", [2]),  # one character: a prefix of the bigram 報告
        ("付", [2, 3]),  # the last character of a run, or the start of 付状
        ("状", [3]),
        ("送付", [2, 3]),
        ("確認", [3]),
        ("告を送", [2]),
        ("送る", []),
        ("報告 fees", []),  # every word must match
        ("fee", [1]),  # English prefix
        ("FEES", [1]),
        ("acme", [4]),  # full-width text found by ASCII
        ("会議 tanaka", [4]),
        ("strasse", [5]),
        ("cafe", [5]),  # diacritics removed
        ("ees", []),  # prefixes only, not infixes
    ],
)
def test_queries_against_a_real_fts5_table(
    fts: sqlite3.Connection, query: str, expected: list[int]
) -> None:
    assert hits(fts, query) == expected


@pytest.mark.parametrize(
    "query",
    ['"', "(", ")", "*", "AND", "OR", "NOT", "NEAR(", "NEAR(a b, 2)", "-", "-fees", ":",
     "body:fees", "^fees", "{body}: x", "'", "fees\"", "a_b", "_", "\x00", "+", "報告\"("],
)  # fmt: skip
def test_fts_syntax_never_errors(fts: sqlite3.Connection, query: str) -> None:
    hits(fts, query)  # raises sqlite3.OperationalError if the expression is not valid FTS5
