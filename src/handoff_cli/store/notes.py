"""Queries about notes: one note, a client's timeline, search."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from handoff_cli.errors import BadInput
from handoff_cli.store.base import StoreCore, utc_iso

TYPE_CHECKING = False  # models and records are dataclasses: loaded where they are made
if TYPE_CHECKING:
    from typing import Any

    from handoff_cli.models import Client, Note
    from handoff_cli.store.records import SearchHit

# A note's contacts, by name, in the order they were given: the one order used by
# `show --json`, the timeline and the bundle alike.
WITH_ORDER = " ORDER BY nc.position, k.key"
# Past this many matches, search walks the notes newest first (see `search`).
MANY_MATCHES = 2000
WITH_NAMES = (
    "(SELECT json_group_array(name) FROM (SELECT k.name FROM note_contacts nc"
    " JOIN contacts k ON k.id = nc.contact_id WHERE nc.note_id = n.id" + WITH_ORDER + "))"
)


def note_from_row(row: Sequence[Any], client: str | None = None) -> Note:
    """A note from (id, uuid, client, at, kind, text, author, tags, with, on_promise)."""
    import json

    from handoff_cli.models import Note

    return Note(
        id=row[0],
        uuid=row[1],
        client=client if client is not None else row[2],
        at=datetime.fromisoformat(row[3]),
        kind=row[4],
        text=row[5],
        author=row[6],
        tags=tuple(json.loads(row[7])) if row[7] != "[]" else (),
        with_=tuple(json.loads(row[8])) if row[8] and row[8] != "[]" else (),
        on_promise=row[9],
    )


class NoteQueries(StoreCore):
    _NOTE_SELECT = (
        "SELECT n.id, n.uuid, c.name, n.at, n.kind, n.text, n.author, n.tags, "
        + WITH_NAMES
        + ", n.on_promise FROM notes n JOIN clients c ON c.id = n.client_id"
    )

    def note(self, note_id: int) -> Note:
        row = self._q(self._NOTE_SELECT + " WHERE n.id = ?", [note_id]).fetchone()
        if not row:
            msg = f"no note #{note_id}; `handoff show CLIENT` lists notes with their ids"
            raise BadInput(msg)
        return note_from_row(row)

    def notes(
        self, client: Client, *, limit: int | None = None, since: datetime | None = None
    ) -> list[Note]:
        sql = self._NOTE_SELECT + " WHERE n.client_id = ?"
        params: list[Any] = [client.id]
        if since is not None:
            sql += " AND n.at_utc >= ?"
            params.append(utc_iso(since))
        sql += " ORDER BY n.at_utc DESC, n.id DESC"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        return [note_from_row(r) for r in self._q(sql, params)]

    def progress(self, promise_uuids: Sequence[str]) -> dict[str, Note]:
        """Each promise's latest note logged `--on` it (where it stands), by promise uuid."""
        found: dict[str, Note] = {}
        for uuid in dict.fromkeys(promise_uuids):
            row = self._q(
                self._NOTE_SELECT + " WHERE n.on_promise = ? ORDER BY n.at_utc DESC, n.id DESC"
                " LIMIT 1",
                [uuid],
            ).fetchone()
            if row is not None:
                found[uuid] = note_from_row(row)
        return found

    # ------------------------------------------------------------------- search

    def search(
        self, query: str, *, client: Client | None = None, limit: int = 50
    ) -> list[SearchHit]:
        from handoff_cli.searchtext import match_query
        from handoff_cli.store.records import SearchHit

        expr = match_query(query)
        if expr is None:
            return []
        client_filter = " AND n.client_id = ?" if client else ""
        params: list[Any] = [expr] + ([client.id] if client else []) + [limit]
        # A common word matches tens of thousands of notes; fetching and sorting all of
        # them to keep the newest few is what makes search slow. Counting is cheap, and
        # past a few thousand matches walking the notes newest first finds `limit`
        # matches sooner (same results, 10x faster on a million notes).
        newest_first = ""
        if client is None:
            matches = self._q(
                "SELECT count(*) FROM notes_fts WHERE notes_fts MATCH ?", [expr]
            ).fetchone()[0]
            if matches > MANY_MATCHES:
                from handoff_cli.store import indexes  # not loaded by `log` (issue 13)

                newest_first = indexes.hint(self.conn, "notes_at")
        notes = self._q(
            "SELECT n.id, c.name, n.at, n.text FROM notes n"
            + newest_first
            + " JOIN clients c ON c.id = n.client_id"
            " WHERE n.id IN (SELECT rowid FROM notes_fts WHERE notes_fts MATCH ?)"
            + client_filter
            + " ORDER BY n.at_utc DESC, n.id DESC LIMIT ?",
            params,
        ).fetchall()
        client_filter = " AND p.client_id = ?" if client else ""
        promises = self._q(
            "SELECT p.id, c.name, p.created_at, p.title FROM promises p"
            " JOIN clients c ON c.id = p.client_id"
            " WHERE p.id IN (SELECT rowid FROM promises_fts WHERE promises_fts MATCH ?)"
            + client_filter
            + " ORDER BY p.id DESC LIMIT ?",
            params,
        ).fetchall()
        hits = [
            SearchHit("promise", r[0], r[1], datetime.fromisoformat(r[2]), r[3]) for r in promises
        ]
        hits += [SearchHit("note", r[0], r[1], datetime.fromisoformat(r[2]), r[3]) for r in notes]
        return hits
