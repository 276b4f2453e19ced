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

# A note's contacts, by name, in the order they were given: the one order used by
# `show --json`, the timeline and the bundle alike.
WITH_ORDER = " ORDER BY nc.position, k.key"
WITH_NAMES = (
    "(SELECT json_group_array(name) FROM (SELECT k.name FROM note_contacts nc"
    " JOIN contacts k ON k.id = nc.contact_id WHERE nc.note_id = n.id" + WITH_ORDER + "))"
)


def note_from_row(
    row: Sequence[Any], client: str | None = None, with_: tuple[str, ...] | None = None
) -> Note:
    """A note from (id, uuid, client, at, kind, text, author, tags, with, on_promise);
    `client` and `with_`, when given, instead of the row's."""
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
        with_=with_
        if with_ is not None
        else (tuple(json.loads(row[8])) if row[8] and row[8] != "[]" else ()),
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
