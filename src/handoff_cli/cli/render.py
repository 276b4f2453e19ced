"""Output for people and for scripts.

Human output is written as plain text (with ANSI colour when stdout is a
terminal and `NO_COLOR` is unset): it is fast, and nothing a user stored can be
read as markup. Control characters in stored text are made visible, so a note
cannot move the cursor, retitle the terminal or plant a hyperlink. JSON is
plain `json.dumps` with `ensure_ascii=False`.
"""

from __future__ import annotations

import os
import re
import sys
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime

TYPE_CHECKING = False  # as typing.TYPE_CHECKING: `log` and `due` load neither typing
if TYPE_CHECKING:  # nor the models (dataclasses)
    from typing import Any, TextIO

    from handoff_cli.models import Contact, Note, Promise

# C0 and C1 controls (but not tab or newline), DEL, the bidirectional
# overrides and isolates, and lone surrogates (which cannot be printed).
# Compiled on first use (`re.compile` keeps them): most text is printable (str.isprintable
# says so at once), and compiling these two classes cost `log` a millisecond (issue 13).
_UNSAFE = "[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
_UNSAFE_LINE = "[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]"


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
    # str.isprintable, not text.isprintable: a BLOB read from a damaged row raises
    # TypeError as the pattern did, which the error boundary knows (cli/actions.py).
    if str.isprintable(text):  # every character _UNSAFE matches is unprintable
        return text
    return re.compile(_UNSAFE).sub(_visible, text)


def safe_line(text: str) -> str:
    """Stored text squeezed onto one line, control characters made visible."""
    if str.isprintable(text):  # every character _UNSAFE_LINE matches is unprintable
        return text
    return re.compile(_UNSAFE_LINE).sub(_visible, text)


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


def color_enabled() -> bool:
    """Whether `style` colours standard output (decided once, as `style` decides it)."""
    return _color_enabled(sys.stdout)


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
    import json

    text = json.dumps(value, ensure_ascii=False, indent=2)
    # A lone surrogate cannot be written as UTF-8; JSON can still carry it escaped.
    if re.search(_UNSAFE, text) and re.search("[\ud800-\udfff]", text):
        text = json.dumps(value, ensure_ascii=True, indent=2)
    out(text)


# ------------------------------------------------------------------ widths


def width(text: str) -> int:
    """Terminal cells: East Asian wide and full-width characters take two."""
    if text.isascii():
        return len(text)  # control characters are made visible before anything is measured
    # Each character in C (map): the morning view measures thousands of Japanese lines.
    kinds = list(map(unicodedata.east_asian_width, text))
    if any(map(unicodedata.combining, text)):
        total = 0
        for char, kind in zip(text, kinds, strict=True):
            if unicodedata.combining(char):
                continue
            total += 2 if kind in ("W", "F") else 1
        return total
    return len(text) + kinds.count("W") + kinds.count("F")


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


# ---------------------------------------------------------------- wrapping

_width_decided: dict[int, tuple[TextIO, int | None]] = {}


def line_width(stream: TextIO | None = None) -> int | None:
    """The width to wrap human output at, or None for no wrapping.

    `$COLUMNS` when it is set (so `COLUMNS=60 handoff due | less` wraps, and
    tests pin it), else the terminal's width when the stream is a terminal;
    output to a pipe or a file is never wrapped. Decided once per stream.
    """
    stream = stream or sys.stdout
    known = _width_decided.get(id(stream))
    if known is not None and known[0] is stream:
        return known[1]
    cells: int | None = None
    columns = os.environ.get("COLUMNS", "").strip()
    if columns.isascii() and columns.isdigit() and 0 < int(columns) < 100_000:
        cells = int(columns)
    elif stream.isatty():
        import shutil

        cells = shutil.get_terminal_size().columns
    _width_decided[id(stream)] = (stream, cells)
    return cells


def decide_for(stream: TextIO, *, like: TextIO) -> None:
    """Give `stream` (a pager's pipe) the colour and width decided for the terminal `like`."""
    _color_decided[id(stream)] = (stream, _color_enabled(like))
    _width_decided[id(stream)] = (stream, line_width(like))


_ESCAPE = re.compile("\x1b\\[[0-9;]*m")
_RESET = "\x1b[0m"
# Kinsoku: no line starts with a closing mark or a small kana, none ends with an opening one.
_NO_BREAK_BEFORE = frozenset(
    ")]}>,.:;!?%\u2019\u201d、。，．・：；？！）」』】〉》〕｝］ー"
    "ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ々〜…‥"
)
_NO_BREAK_AFTER = frozenset("([{<\u2018\u201c（「『【〈《〔｛［")


class _Atom:
    """A piece of a line that is never split: a word, a name, one CJK character."""

    __slots__ = ("space", "text", "cells", "breakable", "name")

    def __init__(self, space: str, text: str, breakable: bool, name: bool = False) -> None:
        self.space = space  # the whitespace before it, dropped when a line breaks there
        self.text = text  # may carry colour escapes
        self.cells = width(_ESCAPE.sub("", text) if "\x1b" in text else text)
        self.breakable = breakable  # whether a line may break before it
        self.name = name


def wrap(
    text: str, *, hang: int = 4, keep: Iterable[str | None] = (), cells: int | None = None
) -> str:
    """`text` with each line fitted to the output's width (`line_width`), for people.

    Lines break at spaces and, in Japanese and Chinese text, between characters
    (never before a closing mark or after an opening one); never inside a word
    that fits a line, nor inside a name in `keep` (client and contact names, as
    stored), even one with a space (`佐藤 花子`). Widths are terminal cells (East
    Asian wide characters take two); colour is closed at each line end and
    opened again on the next. Continuation lines are indented `hang` cells more
    than the line's own indent. Without a width (not a terminal), `text` as is.
    """
    cells = cells if cells is not None else line_width()
    if cells is None:
        return text
    if "\n" not in text and fits(text, cells):
        return text  # most lines: no need to look for the names in them
    names = sorted({safe_line(k) for k in keep if k and k.strip()}, key=len, reverse=True)
    return "\n".join(_wrap_line(line, cells, hang, names) for line in text.split("\n"))


def fits(line: str, cells: int) -> bool:
    """Whether one line (colour escapes and all) takes no more than `cells` cells."""
    if 2 * len(line) <= cells:
        return True  # whatever its characters (escapes only make it look longer)
    return width(_ESCAPE.sub("", line) if "\x1b" in line else line) <= cells


def _wrap_line(line: str, cells: int, hang: int, names: list[str]) -> str:
    if fits(line, cells):
        return line
    body = line.lstrip(" ")
    lead = len(line) - len(body)
    indent = " " * min(lead + hang, max(lead, cells // 2))
    atoms = _ascii_atoms(body, names) if body.isascii() else _atoms(body, names)
    lines: list[str] = []
    current = " " * lead
    used = lead
    fresh = True  # nothing on the current line yet but its indent
    active = ""  # the colour escape in force
    for chunk in _chunks(atoms):
        size = chunk[0].cells if len(chunk) == 1 else sum(a.cells for a in chunk)
        space = 0 if fresh else len(chunk[0].space)
        line_room = cells - len(indent)
        pieces = chunk
        if used + space + size > cells:
            # Too wide for any line: split it where it stands, as textwrap does, if there is room.
            split_here = size > line_room and cells - used - space >= 4
            if not fresh and not split_here:
                lines.append(current + (_RESET if active else ""))
                current, used, fresh = indent + active, len(indent), True
                space = 0
            if size > cells - used - space:
                pieces = _split(chunk, cells - used - space, line_room)
        for atom in pieces:
            if atom is _BREAK:
                lines.append(current + (_RESET if active else ""))
                current, used, fresh = indent + active, len(indent), True
                continue
            if not fresh:
                current += atom.space
                used += len(atom.space)
            current += atom.text
            used += atom.cells
            fresh = False
            if "\x1b" in atom.text:
                for code in _ESCAPE.findall(atom.text):
                    active = "" if code == _RESET else code
    lines.append(current)
    return "\n".join(lines)


_BREAK = _Atom("", "", True)  # a forced break inside a chunk too long for any line


def _chunks(atoms: list[_Atom]) -> Iterator[list[_Atom]]:
    """Runs of atoms with no break allowed between them."""
    chunk: list[_Atom] = []
    for atom in atoms:
        if atom.breakable and chunk:
            yield chunk
            chunk = []
        chunk.append(atom)
    if chunk:
        yield chunk


def _split(chunk: list[_Atom], room: int, next_room: int) -> list[_Atom]:
    """A chunk wider than a whole line, broken between characters (but never inside a name)."""
    pieces: list[_Atom] = []
    for atom in chunk:
        if atom.name or atom.cells <= 1:
            pieces.append(atom)
            continue
        first = True
        for part in re.split(f"({_ESCAPE.pattern})", atom.text):
            if not part:
                continue
            if _ESCAPE.fullmatch(part):
                pieces.append(_Atom("", part, False))
                continue
            for char in part:
                pieces.append(_Atom(atom.space if first else "", char, False))
                first = False
    result: list[_Atom] = []
    used = 0
    for piece in pieces:
        size = piece.cells + (len(piece.space) if result else 0)
        if used and used + size > room:
            result.append(_BREAK)
            used = 0
            room = next_room
        result.append(piece)
        used += piece.cells
    return result


def _name_spans(body: str, names: list[str]) -> dict[int, str]:
    """Where each name (longest first) occurs in `body`, without overlaps: start -> name."""
    found: dict[int, str] = {}
    taken: list[tuple[int, int]] = []
    for name in names:
        at = body.find(name)
        while at >= 0:
            end = at + len(name)
            if all(end <= a or at >= b for a, b in taken):
                found[at] = name
                taken.append((at, end))
            at = body.find(name, at + 1)
    return found


_ASCII_TOKEN = "(\x1b\\[[0-9;]*m)|( +)|([^ \x1b]+|\x1b)"  # compiled when a line wraps
_KEEP = "\x00"  # stands for a space inside a name while an ASCII line is cut into words


def _ascii_atoms(body: str, names: list[str]) -> list[_Atom]:
    """`_atoms` for a line of ASCII (most English lines): words are the runs between spaces."""
    whole = set(names)
    for name in names:
        if " " in name and name in body:
            if _glued(body, name):  # a name inside a word: the general way knows where it is
                return _atoms(body, names)
            body = body.replace(name, name.replace(" ", _KEEP))
    atoms: list[_Atom] = []
    space = ""
    pending = ""
    for code, spaces, word in re.findall(_ASCII_TOKEN, body):
        if code:
            if code == _RESET and atoms and not space:
                atoms[-1].text += code
            else:
                pending += code
        elif spaces:
            space += spaces
        else:
            text = word.replace(_KEEP, " ")
            is_name = _KEEP in word or _ESCAPE.sub("", text) in whole
            atoms.append(_Atom(space, pending + text, bool(space) or not atoms, name=is_name))
            space = pending = ""
    if pending:
        if atoms:
            atoms[-1].text += pending
        else:
            atoms.append(_Atom(space, pending, True))
    return atoms


def _glued(body: str, name: str) -> bool:
    """Whether `name` occurs in `body` with other text right before or after it."""
    escape_ends = {m.end() for m in _ESCAPE.finditer(body)}
    at = body.find(name)
    while at >= 0:
        end = at + len(name)
        before = at == 0 or body[at - 1] == " " or at in escape_ends
        after = end == len(body) or body[end] in " \x1b"
        if not (before and after):
            return True
        at = body.find(name, at + 1)
    return False


_NARROW_RUN = "[!-~]+"  # printable ASCII but the space: never wide, never split


def _atoms(body: str, names: list[str]) -> list[_Atom]:
    """Split a line (without its indent) into atoms, escapes glued to their text."""
    from bisect import bisect_right

    narrow_run = re.compile(_NARROW_RUN).match
    name_at = _name_spans(body, names) if names else {}
    starts = sorted(name_at)
    atoms: list[_Atom] = []
    space = ""
    pending = ""  # escapes waiting for the next visible text
    word = ""
    word_space = ""
    word_breakable = True
    previous = ""  # the last visible character, for the CJK break rules

    def flush_word() -> None:
        nonlocal word
        if word:
            atoms.append(_Atom(word_space, word, word_breakable))
            word = ""

    i = 0
    n = len(body)
    while i < n:
        char = body[i]
        if char == "\x1b":
            m = _ESCAPE.match(body, i)
            if m is not None:
                code = m.group()
                if code == _RESET and (word or atoms) and not space:
                    if word:
                        word += code
                    else:
                        atoms[-1].text += code
                else:
                    pending += code
                i = m.end()
                continue
        if char == " ":
            flush_word()
            space += char
            i += 1
            continue
        name = name_at.get(i)
        wide = name is None and _is_wide(char)
        if name is not None or wide or not word:
            flush_word()
            breakable = bool(space) or (
                bool(previous)
                and (wide or _is_wide(previous) or (name is not None and _is_wide(name[0])))
                and char not in _NO_BREAK_BEFORE
                and previous not in _NO_BREAK_AFTER
            )
            if not atoms and not space:
                breakable = True
            if name is not None:
                atoms.append(_Atom(space, pending + name, breakable, name=True))
                previous = name[-1]
                i += len(name)
                space = pending = ""
                continue
            if wide:
                atoms.append(_Atom(space, pending + char, breakable))
                previous = char
                i += 1
                space = pending = ""
                continue
            word, word_space, word_breakable = "", space, breakable
            space = ""
        # A narrow run: as far as printable ASCII goes, up to the next name.
        run = narrow_run(body, i)
        end = run.end() if run is not None else i + 1
        following = bisect_right(starts, i)
        if following < len(starts):
            end = min(end, starts[following])
        word += pending + body[i:end]
        pending = ""
        previous = body[end - 1]
        i = end
    flush_word()
    if pending:
        if atoms:
            atoms[-1].text += pending
        else:
            atoms.append(_Atom(space, pending, True))
    return atoms


def _is_wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in ("W", "F")


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


def promise_json(promise: Promise, *, progress: Note | None = None) -> dict[str, Any]:
    from handoff_cli.rules import describe_cadence
    from handoff_cli.shapes import promise_record

    record = promise_record(promise)
    record["every"] = (
        describe_cadence(promise.rule, after_done=promise.after_done) if promise.rule else None
    )
    record["progress"] = note_json(progress) if progress is not None else None
    return record


def covered_json(promise: Promise, covered: Sequence[date]) -> dict[str, Any]:
    """`done`, `skip` and `undo --json`: the promise, and the occurrences the call (un)covered."""
    record = promise_json(promise)
    record["covered"] = [d.isoformat() for d in covered]
    return record


def progress_words(note: Note) -> str:
    """A promise's latest progress note on one line: when, who, what."""
    return f"{when(note.at)} {safe_line(note.author)}: {truncate(safe_line(note.text), 100)}"
