"""Output for people and for scripts.

Human output is written as plain text (with ANSI colour when stdout is a
terminal and `NO_COLOR` is unset): it is fast, and nothing a user stored can be
read as markup. Control characters in stored text are made visible, so a note
cannot move the cursor, retitle the terminal or plant a hyperlink. JSON is
plain `json.dumps` with `ensure_ascii=False`.
"""

from __future__ import annotations

import json
import os
import re
import sys
import unicodedata
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, TextIO

from handoff_cli.models import Contact, Note, Promise

# C0 and C1 controls (but not tab or newline), DEL, the bidirectional
# overrides and isolates, and lone surrogates (which cannot be printed).
_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
_UNSAFE_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def _visible(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    if char == "\n":
        return " ⏎ "
    if char == "\t":
        return " "
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}"


def safe(text: str) -> str:
    """Stored text as it may be shown: control characters made visible, newlines kept."""
    return _UNSAFE.sub(_visible, text)


def safe_line(text: str) -> str:
    """Stored text squeezed onto one line, control characters made visible."""
    return _UNSAFE_LINE.sub(_visible, text)


_color_decided: dict[int, tuple[TextIO, bool]] = {}


def _color_enabled(stream: TextIO) -> bool:
    """Decided once per stream: `due` styles thousands of cells, and reading the
    environment for each one cost more than all its SQL."""
    known = _color_decided.get(id(stream))
    if known is not None and known[0] is stream:
        return known[1]
    enabled = _decide_color(stream)
    _color_decided[id(stream)] = (stream, enabled)
    return enabled


def _decide_color(stream: TextIO) -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    if os.environ.get("TERM") == "dumb":
        return False
    return stream.isatty()


_STYLES = {
    "bold": "1",
    "dim": "2",
    "red": "31",
    "green": "32",
    "yellow": "33",
    "blue": "34",
    "magenta": "35",
    "cyan": "36",
}


def style(text: str, *names: str, stream: TextIO | None = None) -> str:
    if not names or not _color_enabled(stream or sys.stdout):
        return text
    codes = ";".join(_STYLES[n] for n in names)
    return f"\x1b[{codes}m{text}\x1b[0m"


def out(text: str = "") -> None:
    _write(sys.stdout, text + "\n")


def err(text: str) -> None:
    _write(sys.stderr, text + "\n")


def _write(stream: TextIO, text: str) -> None:
    try:
        try:
            stream.write(text)
        except UnicodeEncodeError:
            encoding = getattr(stream, "encoding", None) or "utf-8"
            stream.write(text.encode(encoding, "backslashreplace").decode(encoding))
    except OSError as exc:
        if stream is sys.stderr:
            return  # nowhere left to say anything (a closed terminal, SIGHUP)
        from handoff_cli.cli.streams import OutputFailed

        raise OutputFailed(exc) from None


def error_line(message: str) -> str:
    return style("error:", "red", "bold", stream=sys.stderr) + " " + safe_line(message)


def print_json(value: Any) -> None:
    text = json.dumps(value, ensure_ascii=False, indent=2)
    # A lone surrogate cannot be written as UTF-8; JSON can still carry it escaped.
    if _UNSAFE.search(text) and re.search("[\ud800-\udfff]", text):
        text = json.dumps(value, ensure_ascii=True, indent=2)
    out(text)


# ------------------------------------------------------------------ widths


def width(text: str) -> int:
    """Terminal cells: East Asian wide and full-width characters take two."""
    total = 0
    for char in text:
        if unicodedata.combining(char):
            continue
        total += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return total


def truncate(text: str, cells: int) -> str:
    if width(text) <= cells:
        return text
    result = ""
    used = 0
    for char in text:
        w = width(char)
        if used + w > cells - 1:
            break
        result += char
        used += w
    return result + "…"


def pad(text: str, cells: int) -> str:
    return text + " " * max(0, cells - width(text))


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], *, max_width: int = 60) -> str:
    """A plain aligned table; cells are already safe text. The last column is not padded."""
    cells = [[truncate(safe_line(c), max_width) for c in row] for row in rows]
    widths = [width(h) for h in headers]
    for row in cells:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], width(cell))
    lines = ["  ".join(pad(h, widths[i]) for i, h in enumerate(headers)).rstrip()]
    lines[0] = style(lines[0], "bold")
    for row in cells:
        lines.append("  ".join(pad(c, widths[i]) for i, c in enumerate(row)).rstrip())
    return "\n".join(lines)


# --------------------------------------------------------------- formatting


def when(moment: datetime | None) -> str:
    """A stored time for people: local time, minutes precision."""
    if moment is None:
        return "never"
    local = moment.astimezone()
    return f"{local.date().isoformat()} {local:%H:%M}"  # isoformat: year 1 is 0001, not 1


def day(value: date | None) -> str:
    return value.isoformat() if value else "-"


def plural(count: int, word: str, words: str | None = None) -> str:
    return f"{count} {word if count == 1 else (words or word + 's')}"


# --------------------------------------------------------------- JSON shapes


def note_json(note: Note) -> dict[str, Any]:
    from handoff_cli.shapes import note_record

    return note_record(note)


def contact_json(contact: Contact) -> dict[str, Any]:
    from handoff_cli.shapes import contact_record

    return contact_record(contact)


def promise_json(promise: Promise) -> dict[str, Any]:
    from handoff_cli.rules import describe_cadence
    from handoff_cli.shapes import promise_record

    record = promise_record(promise)
    record["every"] = (
        describe_cadence(promise.rule, after_done=promise.after_done) if promise.rule else None
    )
    return record
