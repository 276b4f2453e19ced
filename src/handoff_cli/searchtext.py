"""Turning text into what the full-text index stores, and queries into safe FTS5 syntax.

SQLite's tokenizers do not split Japanese or Chinese into words, and the
trigram tokenizer cannot match two-character words such as 報告. So runs of
CJK characters are indexed as overlapping bigrams plus their last character
(月次報告 → 月次 次報 報告 告): any one- or two-character word is one token,
and a longer word is a phrase of consecutive bigrams. Everything else is left
to the unicode61 tokenizer. Queries are rebuilt from tokens we quote
ourselves, so nothing a user types is ever read as FTS5 syntax.
"""

from __future__ import annotations

import re
import unicodedata

_CJK = (
    "\u3040-\u30ff"  # Hiragana, Katakana
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # CJK ideographs
    "\uac00-\ud7af\u1100-\u11ff\u3130-\u318f"  # Hangul
    "\u3005\u3006\u30fc"  # 々 〆 ー
)
_RUNS = f"([{_CJK}]+)"  # compiled by `re` on first use: most notes are ASCII (issue 13)
_WORD = r"\w+"


def normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def _cjk_tokens(run: str) -> list[str]:
    if len(run) == 1:
        return [run]
    return [run[i : i + 2] for i in range(len(run) - 1)] + [run[-1]]


def index_body(*parts: str) -> str:
    """The text to store in the FTS table for a note or promise."""
    out: list[str] = []
    for part in parts:
        if part.isascii():  # no CJK to split out; NFKC leaves ASCII as it is
            if part:
                out.append(part.casefold())
            continue
        for i, piece in enumerate(re.split(_RUNS, normalise(part))):
            if not piece:
                continue
            out.append(" ".join(_cjk_tokens(piece)) if i % 2 else piece)
    return " ".join(out)


def _quote(token: str) -> str:
    return '"' + token.replace('"', '""') + '"'


def match_query(query: str) -> str | None:
    """An FTS5 MATCH expression requiring every word of `query`; None if it has no words.

    A CJK word becomes a phrase of its bigrams; the last token of every word
    is a prefix, so `fee` finds `fees` and `報` finds `報告`.
    """
    terms: list[str] = []
    for i, piece in enumerate(re.split(_RUNS, normalise(query))):
        if not piece:
            continue
        if i % 2:
            tokens = (
                [piece] if len(piece) == 1 else [piece[j : j + 2] for j in range(len(piece) - 1)]
            )
            terms.append(_phrase(tokens))
        else:
            terms.extend(_phrase([word]) for word in re.findall(_WORD, piece))
    if not terms:
        return None
    return " AND ".join(terms)


def _phrase(tokens: list[str]) -> str:
    return _quote(" ".join(tokens)) + " *"
