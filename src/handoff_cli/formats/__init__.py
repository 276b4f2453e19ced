"""Export formats: pure writers (and the bundle reader), text in, text out.

This package's `__init__` is only the registry: stdlib only and tiny, so the
command line can offer `--format` choices (and their help) without loading any
writer. Each writer module is imported by the command that uses it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Format:
    name: str
    suffix: str
    summary: str


FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("md", ".md", "a handover document a colleague can act on (the default)"),
        Format("json", ".json", "the lossless bundle that `handoff import` reads"),
        Format("csv", ".csv", "one row per note, safe to open in a spreadsheet"),
        Format("ics", ".ics", "the open promises as an iCalendar file"),
    )
}
DEFAULT_FORMAT = "md"
