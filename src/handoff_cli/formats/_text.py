"""Text hygiene shared by the writers: control characters made visible or dropped."""

from __future__ import annotations

import re

# C0 and C1 controls (not tab or newline), DEL, bidirectional overrides and
# isolates, and lone surrogates (which cannot be written as UTF-8).
_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
_SURROGATE = re.compile("[\ud800-\udfff]")
_NEWLINES = re.compile("\r\n|\r|\n|\u2028|\u2029|\x85")


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str) -> str:
    """Control characters shown as `\\x1b`-style escapes; tabs become spaces."""
    return _UNSAFE.sub(_visible, text.replace("\t", " "))


def lines(text: str) -> list[str]:
    """The lines of `text`, whatever newline convention it uses."""
    return _NEWLINES.split(text)


def one_line(text: str) -> str:
    """`text` on one line, control characters visible."""
    return " ".join(visible(part).strip() for part in lines(text) if part.strip())


def no_surrogates(text: str) -> str:
    """Lone surrogates (undecodable input kept by Python) replaced by U+FFFD."""
    return _SURROGATE.sub("\ufffd", text) if _SURROGATE.search(text) else text


def has_surrogates(text: str) -> bool:
    return _SURROGATE.search(text) is not None
