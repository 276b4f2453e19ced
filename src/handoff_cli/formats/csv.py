"""CSV: one row per note, safe to open in a spreadsheet.

RFC 4180 quoting (Python's csv module, CRLF rows), so commas, quotes and
newlines inside a note survive a round trip. A cell a spreadsheet would run as
a formula (starting with `=`, `+`, `-`, `@`, a tab or a carriage return, or
their full-width forms, after any NULs a spreadsheet drops) gets a leading
apostrophe, which spreadsheets show as text. Streams: rows are produced as the notes arrive.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

from handoff_cli.formats._text import no_surrogates
from handoff_cli.models import Note

HEADER = ("client", "at", "kind", "with", "tags", "author", "text")
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
LIST_SEPARATOR = "; "


# What a spreadsheet drops from the start of a cell before it looks for a formula:
# LibreOffice drops NUL, so `\x00=1+1` was evaluated (issue 15.8).
_DROPPED = "\x00"


def neutralise(cell: str) -> str:
    """The cell as text a spreadsheet will not evaluate.

    Judged on the first character a spreadsheet keeps, not the first one stored.
    """
    cell = no_surrogates(cell)
    return "'" + cell if cell.lstrip(_DROPPED).startswith(_FORMULA_STARTS) else cell


def row(note: Note) -> list[str]:
    return [
        neutralise(value)
        for value in (
            note.client,
            note.at.isoformat(),
            note.kind,
            LIST_SEPARATOR.join(note.with_),
            LIST_SEPARATOR.join(note.tags),
            note.author,
            note.text,
        )
    ]


def dump(notes: Iterable[Note], *, batch: int = 500) -> Iterator[str]:
    """The CSV text in pieces: the header, then rows in batches."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADER)
    count = 0
    for note in notes:
        writer.writerow(row(note))
        count += 1
        if count % batch == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
