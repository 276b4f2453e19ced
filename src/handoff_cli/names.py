"""Client and contact names: the key they are matched by, and likely typos."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from handoff_cli.errors import BadInput


def require_utf8(text: str, what: str) -> str:
    """`text`, if it can be stored; a BadInput if it holds bytes that were not UTF-8.

    Python hands over undecodable bytes (in arguments, files, some terminals)
    as lone surrogates, which SQLite cannot store.
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        msg = f"{what} is not valid UTF-8 text (at character {exc.start + 1})"
        raise BadInput(msg) from None
    return text


def name_key(name: str) -> str:
    """`ACME`, `acme` and `ＡＣＭＥ` are one client: NFKC, casefold, single spaces."""
    require_utf8(name, "the name")
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


def clean_name(name: str) -> str:
    """The name as shown: the user's spelling, with runs of whitespace made one space."""
    require_utf8(name, "the name")
    return " ".join(name.split())


def required_name(name: str, what: str) -> str:
    """`name` as shown, refusing one that is empty once whitespace is gone."""
    from handoff_cli.errors import BadInput

    shown = clean_name(name)
    if not shown:
        msg = f"{what} cannot be empty"
        raise BadInput(msg)
    return shown


def likely_typo(key: str, existing: Iterable[tuple[str, str]]) -> str | None:
    """The display name of an existing client whose key is very close to `key`, if any.

    `existing` yields (key, name). Close means a similarity ratio of at least
    0.85, or one edit apart for names of four to seven characters. Names whose
    numbers differ (`Store 12`, `Store 13`) are numbered apart, never typos.
    """
    from difflib import SequenceMatcher

    best: tuple[float, str] | None = None
    core = _core(key)
    numbers = re.findall(_NUMBERS, key)
    for other_key, other_name in existing:
        if other_key.startswith(key + " "):
            # `handoff log Kitamura Logistics called`: the shell split an unquoted name.
            best = (2.0, other_name)
            continue
        if re.findall(_NUMBERS, other_key) != numbers:
            continue  # `Store 12` and `Store 13`, `Client 1` and `Client 0`: numbered apart
        if _same_core(core, _core(other_key)):
            # `Bright` / `Brightwave`, `ミナト` / `株式会社ミナト`, `Acme` / `Acme Corp.`
            best = (1.5, other_name) if best is None or best[0] < 1.5 else best
            continue
        matcher = SequenceMatcher(None, key, other_key)
        if matcher.real_quick_ratio() < 0.75 or matcher.quick_ratio() < 0.75:
            continue
        ratio = matcher.ratio()
        close = ratio >= 0.85 or (4 <= len(key) <= 7 and _one_edit_apart(key, other_key))
        if close and (best is None or ratio > best[0]):
            best = (ratio, other_name)
    return best[1] if best else None


# Company-form words that do not tell two clients apart (compared after casefold).
_COMPANY_FORMS = (
    r"株式会社|有限会社|合同会社|合資会社|\(株\)|（株）|㈱|"
    r"\b(?:inc|incorporated|corp|corporation|co|company|ltd|limited|llc|plc|gmbh|ag|sa|bv)\b\.?"
)
_NOT_NAME = r"[\s\W_]+"
_NUMBERS = r"[0-9]+"  # keys are NFKC: full-width digits are ASCII by then
# Patterns, compiled by `re` on first use (and cached there): `log` of a known client
# never looks for a typo, and compiling them cost it a millisecond (issue 13).


def _core(key: str) -> str:
    """A name without its company form, spaces and punctuation: `株式会社ミナト` → `ミナト`."""
    return re.sub(_NOT_NAME, "", re.sub(_COMPANY_FORMS, " ", key))


def _same_core(a: str, b: str) -> bool:
    """One core name is the other, or most of it: its start or its end (three characters
    and half the longer one at least, so `Acme` does not stop `Acme Logistics`)."""
    if not a or not b:
        return False
    if a == b:
        return True
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    if len(short) < 3 or 2 * len(short) < len(long_):
        return False
    return long_.startswith(short) or long_.endswith(short)


def _one_edit_apart(a: str, b: str) -> bool:
    if abs(len(a) - len(b)) > 1 or a == b:
        return False
    if len(a) == len(b):
        diffs = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diffs) == 1:
            return True
        # a swap of two neighbours: "acme" / "amce"
        return (
            len(diffs) == 2
            and diffs[1] == diffs[0] + 1
            and a[diffs[0]] == b[diffs[1]]
            and a[diffs[1]] == b[diffs[0]]
        )
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))
