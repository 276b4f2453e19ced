"""`handoff notes --format md`: a period's notes as Markdown, to paste into a weekly report.

Pure: given the notes (newest first), the period and the timezone to show
times in; returns text. User text is escaped as in the handover document
(formats/markdown.py), so a note cannot open a heading, a list or a link.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, tzinfo

from handoff_cli.formats.markdown import block, inline
from handoff_cli.models import Note
from handoff_cli.names import name_key


def _day(value: date) -> str:
    return value.strftime("%a %Y-%m-%d")


def period_words(since: date | None, until: date | None) -> str:
    """`Mon 2026-11-16 to Sun 2026-11-22`, `since Mon 2026-11-16`, `until ...`, or ``."""
    if since and until:
        return f"{_day(since)} to {_day(until)}"
    if since:
        return f"since {_day(since)}"
    if until:
        return f"until {_day(until)}"
    return ""


def notes_markdown(
    notes: Sequence[Note], *, since: date | None, until: date | None, tz: tzinfo | None
) -> str:
    """A heading for the period, then each client's notes (clients by their newest note)."""
    by_client: dict[str, list[Note]] = {}
    for note in notes:
        by_client.setdefault(note.client, []).append(note)
    period = period_words(since, until)
    counts = f"{_plural(len(notes), 'note')}, {_plural(len(by_client), 'client')}"
    out = [f"## Notes{', ' + period if period else ''} ({counts})"]
    if not notes:
        out += ["", "None in this period."]
    for client, group in by_client.items():
        out += ["", f"### {inline(client)}", ""]
        for note in group:
            meta = [f"**{_day(note.at.astimezone(tz).date())} {note.at.astimezone(tz):%H:%M}**"]
            meta.append(note.kind)
            if note.with_:
                people = sorted(note.with_, key=name_key)
                meta.append("with " + ", ".join(inline(w) for w in people))
            if note.tags:
                meta.append("tags: " + ", ".join(inline(t) for t in note.tags))
            meta.append("by " + inline(note.author))
            text = block(note.text, "  ")
            out.append("- " + " · ".join(meta) + ("\\\n" + text if text else ""))
    return "\n".join(out) + "\n"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")
