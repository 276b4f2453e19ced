"""The handover document: Markdown a colleague can act on with no one to ask.

Pure: it is given everything it shows (dates are decided by the caller) and
returns text. Everything a user typed goes through `inline` or `block`, so a
note cannot open a heading, list, table, link, image, code block or raw HTML:
Markdown punctuation is backslash-escaped, block markers at the start of a
line are neutralised, control characters are shown as `\\x1b`-style escapes,
and web addresses and e-mail addresses are set as code, so neither CommonMark
nor GitHub's autolinker turns them into links.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, tzinfo

from handoff_cli.formats._text import lines, one_line, visible
from handoff_cli.models import Client, Contact, Note, Promise
from handoff_cli.names import name_key

# ------------------------------------------------------------------ the input


@dataclass(frozen=True)
class Duty:
    """An open or paused promise, as the document shows it."""

    promise: Promise
    cadence: str | None  # the rule in words; None for a one-off
    last_done: date | None


@dataclass(frozen=True)
class AgendaItem:
    """One thing to do by a date: an overdue promise, or an occurrence up to --until."""

    due: date
    client: str
    title: str
    to: str | None
    cadence: str | None
    days_overdue: int
    missed: int


@dataclass(frozen=True)
class ClientSection:
    client: Client
    contacts: Sequence[Contact]
    duties: Sequence[Duty]
    notes: Sequence[Note]  # newest first, already limited to --since
    note_total: int
    last_contact: datetime | None


@dataclass(frozen=True)
class Handover:
    author: str
    exported_at: datetime
    as_of: date
    until: date
    since: datetime
    agenda: Sequence[AgendaItem]
    clients: Sequence[ClientSection]


# ------------------------------------------------------------------- escaping

# Punctuation that can start Markdown (CommonMark and GitHub's extensions:
# tables, strikethrough, math); backslash-escaping any ASCII punctuation is
# always allowed, so escaping one too many is harmless.
_PUNCT = re.compile(r"([\\`*_\[\]<>#|~!&$])")
_LINE_START = re.compile(r"^([-+=])|^(\d+)([.)])")
_ADDRESS = re.compile(
    r"(?:(?:https?|ftp)://|www\.|mailto:)[^\s<>]*[^\s<>.,;:!?'\")\]]"
    r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+",
    re.IGNORECASE,
)


def _code(text: str) -> str:
    """`text` as a code span: fenced by more backticks than any run inside it."""
    longest = max((len(run) for run in re.findall("`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _escape(text: str, *, line_start: bool = False) -> str:
    """One line of user text, made inert: punctuation escaped, addresses as code.

    At the start of a line, list items, ordered lists and setext underlines
    are neutralised too (elsewhere `-`, `+`, `=` and `1.` are plain text).
    """
    out = []
    pos = 0
    for match in _ADDRESS.finditer(text):
        out.append(_PUNCT.sub(r"\\\1", text[pos : match.start()]))
        out.append(_code(match.group()))
        pos = match.end()
    out.append(_PUNCT.sub(r"\\\1", text[pos:]))
    escaped = "".join(out).strip()
    if not line_start:
        return escaped
    return _LINE_START.sub(lambda m: f"\\{m[1]}" if m[1] else f"{m[2]}\\{m[3]}", escaped)


def inline(text: str) -> str:
    """User text for one line (a table cell, a list item, a heading)."""
    return _escape(one_line(text))


def block(text: str, indent: str) -> str:
    """User text of several lines, kept as lines (hard breaks) and paragraphs."""
    paragraphs: list[list[str]] = [[]]
    for raw in lines(text):
        line = _escape(visible(raw), line_start=True)
        if line:
            paragraphs[-1].append(line)
        elif paragraphs[-1]:
            paragraphs.append([])
    rendered = ["\\\n".join(indent + line for line in p) for p in paragraphs if p]
    return ("\n\n").join(rendered)


# ------------------------------------------------------------------ rendering


def _day(value: date) -> str:
    return value.strftime("%a %Y-%m-%d")


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    out = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    out += ["| " + " | ".join(cell or " " for cell in row) + " |" for row in rows]
    return out


def _to(name: str | None, roles: dict[str, str]) -> str:
    if not name:
        return "—"
    role = roles.get(name)
    return inline(name) + (f" ({inline(role)})" if role else "")


def _lateness(item: AgendaItem, as_of: date) -> str:
    if item.days_overdue > 0:
        text = f"**{_plural(item.days_overdue, 'day')} overdue**"
        if item.missed > 1:
            text += f", missed {item.missed}"
        return text
    if item.due == as_of:
        return "**today**"
    return f"in {_plural((item.due - as_of).days, 'day')}"


@dataclass(frozen=True)
class _AgendaRow:
    """One promise in "What needs doing": its next due date, and how often it falls due."""

    item: AgendaItem  # the earliest occurrence: the next due date
    times: int  # occurrences up to --until, this one included
    last: date


def _collapse(doc: Handover) -> list[_AgendaRow]:
    """The agenda with each recurring promise once, in the caller's order (earliest first).

    The caller lists every occurrence up to --until; a weekly duty would fill the table.
    Occurrences are told apart by client, title, recipient and cadence; should two promises
    share all four, their occurrences stay separate rows rather than be counted as one.
    """

    def key(client: str, title: str, to: str | None, cadence: str | None) -> tuple[object, ...]:
        return (client, title, to, cadence)

    duties: dict[tuple[object, ...], int] = {}
    for section in doc.clients:
        for duty in section.duties:
            k = key(section.client.name, duty.promise.title, duty.promise.to, duty.cadence)
            duties[k] = duties.get(k, 0) + 1
    rows: list[_AgendaRow] = []
    grouped: dict[tuple[object, ...], int] = {}  # key -> index in rows
    for item in doc.agenda:
        k = key(item.client, item.title, item.to, item.cadence)
        at = grouped.get(k)
        if at is not None:
            row = rows[at]
            rows[at] = _AgendaRow(row.item, row.times + 1, max(row.last, item.due))
            continue
        if item.cadence is not None and duties.get(k, 1) == 1:
            grouped[k] = len(rows)
        rows.append(_AgendaRow(item, 1, item.due))
    return rows


def _cadence(row: _AgendaRow) -> str:
    if row.item.cadence is None:
        return "one-off"
    text = inline(row.item.cadence)
    if row.times > 1:
        text += f" — {row.times} times up to {_day(row.last)}"
    return text


def render(doc: Handover) -> str:
    """The whole document."""
    tz = doc.exported_at.tzinfo
    roles = {s.client.name: {c.name: c.role for c in s.contacts if c.role} for s in doc.clients}
    out = [f"# Handoff from {inline(doc.author)}", ""]
    stamp = doc.exported_at.isoformat(sep=" ", timespec="minutes")
    out.append(
        f"Exported {doc.exported_at:%a} {stamp[:16]} {stamp[16:]} by {inline(doc.author)}: "
        f"{_plural(len(doc.clients), 'client')}, what falls due up to {_day(doc.until)}, "
        f"and the notes since {doc.since.astimezone(tz).strftime('%Y-%m-%d')}."
    )
    out.append("")
    out.append(
        f"To keep these promises running in your own `handoff due`, ask {inline(doc.author)} "
        "for the JSON bundle (made by `handoff export --format json`) and run "
        "`handoff import FILE`."
    )
    out += ["", "## What needs doing", ""]
    agenda = _collapse(doc)
    overdue = sum(1 for row in agenda if row.item.days_overdue > 0)
    today = sum(1 for row in agenda if row.item.due == doc.as_of)
    later = len(agenda) - overdue - today
    if not agenda:
        out.append(f"Nothing is overdue on {_day(doc.as_of)} or due up to {_day(doc.until)}.")
    else:
        out.append(
            f"As of {_day(doc.as_of)}: {overdue} overdue, {today} due today, "
            f"{later} more due up to {_day(doc.until)}. Each promise is listed once, "
            "at its next due date, earliest first."
        )
        out.append("")
        rows = [
            [
                _day(row.item.due),
                _lateness(row.item, doc.as_of),
                inline(row.item.client),
                inline(row.item.title),
                _to(row.item.to, roles.get(row.item.client, {})),
                _cadence(row),
            ]
            for row in agenda
        ]
        out += _table(["Due", "When", "Client", "Promise", "To", "Cadence"], rows)
    for section in doc.clients:
        out += ["", *_client(section, doc, tz)]
    return "\n".join(out) + "\n"


def _client(section: ClientSection, doc: Handover, tz: tzinfo | None) -> list[str]:
    roles = {c.name: c.role for c in section.contacts if c.role}
    out = [f"## {inline(section.client.name)}", ""]
    last = section.last_contact
    facts = [
        f"Last contact {last.astimezone(tz).strftime('%Y-%m-%d') if last else 'never'}",
        _plural(section.note_total, "note") + " in all",
        _plural(sum(1 for d in section.duties if d.promise.status == "open"), "open promise"),
    ]
    out.append(" · ".join(facts) + ".")

    out += ["", "### Contacts", ""]
    if not section.contacts:
        out.append("No contacts recorded.")
    for contact in section.contacts:
        details = [inline(contact.role)] if contact.role else []
        if contact.email:
            details.append(_code(one_line(contact.email)))
        if contact.phone:
            details.append(inline(contact.phone))
        line = f"- **{inline(contact.name)}**"
        if contact.aliases:
            line += " (also " + ", ".join(inline(a) for a in contact.aliases) + ")"
        out.append(line + (" — " + " · ".join(details) if details else ""))

    recurring = [d for d in section.duties if d.cadence is not None]
    one_offs = [d for d in section.duties if d.cadence is None]
    out += ["", "### Recurring duties", ""]
    if not recurring:
        out.append("None.")
    else:
        rows = [
            [
                inline(d.promise.title),
                _to(d.promise.to, roles),
                inline(d.cadence or ""),
                d.last_done.isoformat() if d.last_done else "never",
                _next(d.promise, doc.as_of),
            ]
            for d in recurring
        ]
        out += _table(["Duty", "To", "Cadence", "Last done", "Next due"], rows)
    out += ["", "### Open one-off promises", ""]
    if not one_offs:
        out.append("None.")
    else:
        rows = [
            [inline(d.promise.title), _to(d.promise.to, roles), _next(d.promise, doc.as_of)]
            for d in one_offs
        ]
        out += _table(["Promise", "To", "Due"], rows)

    since = doc.since.astimezone(tz).strftime("%Y-%m-%d")
    out += ["", f"### Notes since {since}, newest first", ""]
    if not section.notes:
        out.append("None in this period.")
    for note in section.notes:
        meta = [f"**{note.at.astimezone(tz).strftime('%Y-%m-%d %H:%M')}**", note.kind]
        if note.with_:
            people = sorted(note.with_, key=name_key)  # as the bundle lists them
            meta.append("with " + ", ".join(inline(w) for w in people))
        if note.tags:
            meta.append("tags: " + ", ".join(inline(t) for t in note.tags))
        meta.append("by " + inline(note.author))
        text = block(note.text, "  ")
        out.append("- " + " · ".join(meta) + ("\\\n" + text if text else ""))
        out.append("")
    if section.notes:
        out.pop()
    return out


def _next(promise: Promise, as_of: date) -> str:
    if promise.status == "paused":
        if promise.paused_until is not None:
            return f"paused — counts again from {_day(promise.paused_until)} by itself"
        return "paused — not counted as due until someone runs `handoff resume ID`"
    if promise.next_due is None:
        return "—"
    text = _day(promise.next_due)
    late = (as_of - promise.next_due).days
    if late > 0:
        return f"**{text}, {_plural(late, 'day')} overdue**"
    if late == 0:
        return f"**{text}, today**"
    return text
