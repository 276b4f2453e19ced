"""Reads for finding things again: notes in a period, search with filters, the agenda's
promises, and what shell completion offers. Plain SQL over the tables, given a `Store`.

Kept apart from store.py (whose writes are being reworked) and from one another:
each function is one question, answered with models or plain values.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone

from handoff_cli.models import Note
from handoff_cli.record import Record
from handoff_cli.store import indexes
from handoff_cli.store.notes import WITH_NAMES

TYPE_CHECKING = False  # as typing.TYPE_CHECKING: `show` and `search` load no typing (issue 13)
if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import date
    from typing import Any

    from handoff_cli.models import Client, Promise
    from handoff_cli.store import Store


def _utc(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")


_NOTE_SELECT = (
    "SELECT n.id, n.uuid, c.name, n.at, n.kind, n.text, n.author, n.tags, "
    + WITH_NAMES  # the people in the order they were named, as the bundle has them
    + " FROM notes n JOIN clients c ON c.id = n.client_id"
)


def _note(row: Sequence[Any]) -> Note:
    return Note(
        id=row[0],
        uuid=row[1],
        client=row[2],
        at=datetime.fromisoformat(row[3]),
        kind=row[4],
        text=row[5],
        author=row[6],
        tags=tuple(json.loads(row[7])),
        with_=tuple(json.loads(row[8])) if row[8] else (),
    )


def _filters(
    *,
    since: datetime | None,
    until: datetime | None,
    clients: Sequence[Client],
    author: str | None,
    tag: str | None,
) -> tuple[str, list[Any]]:
    """WHERE terms (each starting with AND) for notes `n`; `until` is exclusive."""
    sql = ""
    params: list[Any] = []
    if since is not None:
        sql += " AND n.at_utc >= ?"
        params.append(_utc(since))
    if until is not None:
        sql += " AND n.at_utc < ?"
        params.append(_utc(until))
    if clients:
        sql += f" AND n.client_id IN ({','.join('?' * len(clients))})"
        params.extend(c.id for c in clients)
    if author is not None:
        sql += " AND n.author = ? COLLATE NOCASE"
        params.append(author.strip())
    if tag is not None:
        sql += " AND EXISTS (SELECT 1 FROM json_each(n.tags) t WHERE t.value = ? COLLATE NOCASE)"
        params.append(tag.strip())
    return sql, params


def notes(
    store: Store,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    clients: Sequence[Client] = (),
    author: str | None = None,
    tag: str | None = None,
    limit: int | None = None,
) -> list[Note]:
    """Notes across clients (or of `clients`) in [since, until), newest first."""
    where, params = _filters(since=since, until=until, clients=clients, author=author, tag=tag)
    sql = _NOTE_SELECT + " WHERE 1" + where + " ORDER BY n.at_utc DESC, n.id DESC"
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    return [_note(r) for r in store.conn.execute(sql, params)]


def note_count(store: Store, client: Client) -> int:
    row = store.conn.execute("SELECT count(*) FROM notes WHERE client_id = ?", [client.id])
    return int(row.fetchone()[0])


# ------------------------------------------------------------------- search


class Hit(Record):
    """A search result: a note, or a promise (whose `at` is when it was made)."""

    _fields = ("type", "id", "client", "at", "text", "status")
    type: str  # "note" or "promise"
    id: int
    client: str
    at: datetime | None
    text: str
    status: str | None  # a promise's status; None for a note

    def __init__(
        self, type: str, id: int, client: str, at: datetime | None, text: str, status: str | None
    ) -> None:
        self.__dict__.update(type=type, id=id, client=client, at=at, text=text, status=status)


# Past this many matches, search walks the notes newest first (see `search`).
MANY_MATCHES = 2000


def search(
    store: Store,
    query: str,
    *,
    client: Client | None = None,
    since: datetime | None = None,
    author: str | None = None,
    tag: str | None = None,
    limit: int = 50,
) -> list[Hit]:
    """Promises whose titles and notes whose text or tags hold every word of `query`.

    Promises first (newest first), then notes (newest first), at most `limit` of each.
    A promise has no author or tags: with `--author` or `--tag` only notes are found;
    with `since`, promises made since then.
    """
    from handoff_cli.searchtext import match_query

    expr = match_query(query)
    if expr is None:
        return []
    clients = [client] if client else []
    where, params = _filters(since=since, until=None, clients=clients, author=author, tag=tag)
    # A common word matches tens of thousands of notes; fetching and sorting all of
    # them to keep the newest few is what makes search slow. Counting is cheap, and
    # past a few thousand matches walking the notes newest first finds `limit`
    # matches sooner (same results, 10x faster on a million notes).
    newest_first = ""
    if not where:
        matches = store.conn.execute(
            "SELECT count(*) FROM notes_fts WHERE notes_fts MATCH ?", [expr]
        ).fetchone()[0]
        if matches > MANY_MATCHES:
            newest_first = " INDEXED BY notes_at"
    note_rows = indexes.tolerant(
        store.conn,
        "SELECT n.id, c.name, n.at, n.text FROM notes n"
        + newest_first
        + " JOIN clients c ON c.id = n.client_id"
        " WHERE n.id IN (SELECT rowid FROM notes_fts WHERE notes_fts MATCH ?)"
        + where
        + " ORDER BY n.at_utc DESC, n.id DESC LIMIT ?",
        [expr, *params, limit],
    ).fetchall()
    promise_rows: list[Any] = []
    if author is None and tag is None:
        sql = (
            "SELECT p.id, c.name, p.created_at, p.title, CASE WHEN p.status = 'open'"
            " AND p.paused_from IS NOT NULL AND p.paused_from <= ?"
            " AND (p.paused_until IS NULL OR p.paused_until > ?) THEN 'paused' ELSE p.status END"
            " FROM promises p JOIN clients c ON c.id = p.client_id"
            " WHERE p.id IN (SELECT rowid FROM promises_fts WHERE promises_fts MATCH ?)"
        )
        promise_params: list[Any] = [store.today.isoformat(), store.today.isoformat(), expr]
        if client is not None:
            sql += " AND p.client_id = ?"
            promise_params.append(client.id)
        if since is not None:
            sql += " AND p.created_at >= ?"
            promise_params.append(_utc(since))
        promise_rows = store.conn.execute(
            sql + " ORDER BY p.id DESC LIMIT ?", [*promise_params, limit]
        ).fetchall()
    hits = [
        Hit("promise", r[0], r[1], datetime.fromisoformat(r[2]), r[3], r[4]) for r in promise_rows
    ]
    hits += [Hit("note", r[0], r[1], datetime.fromisoformat(r[2]), r[3], None) for r in note_rows]
    return hits


# ------------------------------------------------------------------- agenda


def open_promises(store: Store, *, until: date, clients: Sequence[Client] = ()) -> list[Promise]:
    """Open promises (paused ones too) whose next due date is on or before `until`:
    the agenda's candidates."""
    sql = store._PROMISE_SELECT + " WHERE p.status = 'open' AND p.next_due <= :until"
    params: dict[str, Any] = store._params(until=until.isoformat())
    if clients:
        marks = ", ".join(f":c{i}" for i in range(len(clients)))
        sql += f" AND p.client_id IN ({marks})"
        params.update({f"c{i}": c.id for i, c in enumerate(clients)})
    sql += " ORDER BY p.next_due, p.id"
    return [store._promise(r) for r in store.conn.execute(sql, params)]


def covered_ahead(store: Store, promises: Sequence[Promise]) -> dict[int, set[date]]:
    """For promises with occurrences covered ahead of their next due date (`done --for`,
    `done --early` by a colleague), those occurrences: the agenda leaves them out."""
    found: dict[int, set[date]] = {}
    for promise in promises:
        if promise.next_due is None or promise.rule is None:
            continue
        irregular = store.conn.execute(
            "SELECT irregular FROM promises WHERE id = ?", [promise.id]
        ).fetchone()
        if not irregular or not irregular[0]:
            continue
        marks, _ = store.marks(promise.id)
        later = {d for m in marks for d in m.covers if d > promise.next_due}
        if later:
            found[promise.id] = later
    return found


# --------------------------------------------------------------- completion


def contact_names(store: Store, client_name: str | None = None) -> list[str]:
    """Contact names of the client called `client_name` (any case), or of every client."""
    if client_name is None:
        rows = store.conn.execute(
            "SELECT DISTINCT name FROM contacts WHERE removed IS NULL ORDER BY key"
        )
        return [r[0] for r in rows]
    client = store.find_client(client_name)
    if client is None:
        return []
    return [n for c in store.contacts(client) for n in (c.name, *c.aliases)]


def client_contact_names(store: Store, clients: Sequence[str]) -> list[str]:
    """Every contact name of the clients named (exactly as stored), for wrapping output."""
    if not clients:
        return []
    marks = ",".join("?" * len(clients))
    rows = store.conn.execute(
        "SELECT DISTINCT k.name FROM contacts k JOIN clients c ON c.id = k.client_id"
        f" WHERE c.name IN ({marks})",
        list(clients),
    )
    return [r[0] for r in rows]


# The newest notes whose tags are offered: enough for any tag in use lately, and a
# bounded read on a database of a million notes.
RECENT_NOTES_FOR_TAGS = 5000


def tags_in_use(store: Store) -> list[str]:
    """Tags of the most recent notes, most used first."""
    rows = indexes.tolerant(
        store.conn,
        "SELECT t.value, count(*) FROM"
        " (SELECT tags FROM notes INDEXED BY notes_at ORDER BY at_utc DESC LIMIT ?) n,"
        " json_each(n.tags) t WHERE t.type = 'text'"
        " GROUP BY t.value ORDER BY count(*) DESC, t.value",
        [RECENT_NOTES_FOR_TAGS],
    )
    return [r[0] for r in rows]


def promise_choices(store: Store, statuses: Sequence[str]) -> list[tuple[int, str, str]]:
    """(id, title, client) of the promises in `statuses` (paused as of today), by id."""
    from handoff_cli.store.promises import PAUSED_ON

    status = f"CASE WHEN {PAUSED_ON} THEN 'paused' ELSE p.status END"
    marks = ", ".join(f":s{i}" for i in range(len(statuses)))
    rows = store.conn.execute(
        "SELECT p.id, p.title, c.name FROM promises p JOIN clients c ON c.id = p.client_id"
        f" WHERE {status} IN ({marks}) ORDER BY p.id",
        {"day": store.today.isoformat(), **{f"s{i}": s for i, s in enumerate(statuses)}},
    )
    return [(r[0], r[1], r[2]) for r in rows]
