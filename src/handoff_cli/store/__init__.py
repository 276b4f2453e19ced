"""All SQL lives in this package: the store's core (base.py), the queries by what they
read (clients.py, notes.py, promises.py), and the applier (../apply.py) for writes."""

from __future__ import annotations

from handoff_cli.store.base import (
    APPLICATION_ID,
    LATEST_VERSION,
    Counts,
    StoreCore,
    Writer,
    iso,
    new_uuid,
    storage_error,
    utc_iso,
)
from handoff_cli.store.clients import ClientQueries, ClientSummary
from handoff_cli.store.notes import NoteQueries, SearchHit
from handoff_cli.store.promises import DueEntry, PromiseQueries


class Store(ClientQueries, NoteQueries, PromiseQueries, StoreCore):
    """The database: opened (and migrated) by `Store.open`, queried, changed via `apply`."""


__all__ = [
    "APPLICATION_ID",
    "LATEST_VERSION",
    "ClientSummary",
    "Counts",
    "DueEntry",
    "SearchHit",
    "Store",
    "StoreCore",
    "Writer",
    "iso",
    "new_uuid",
    "storage_error",
    "utc_iso",
]
