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
from handoff_cli.store.clients import ClientQueries
from handoff_cli.store.notes import NoteQueries
from handoff_cli.store.promises import PromiseQueries

TYPE_CHECKING = False
if TYPE_CHECKING:
    from handoff_cli.store.records import ClientSummary, SearchHit


def __getattr__(name: str) -> object:
    """The records some queries return, loaded on first use (store/records.py says why)."""
    if name in ("ClientSummary", "SearchHit"):
        from handoff_cli.store import records

        return getattr(records, name)
    msg = f"module {__name__!r} has no attribute {name!r}"
    raise AttributeError(msg)


class Store(ClientQueries, NoteQueries, PromiseQueries, StoreCore):
    """The database: opened (and migrated) by `Store.open`, queried, changed via `apply`."""


__all__ = [
    "APPLICATION_ID",
    "LATEST_VERSION",
    "ClientSummary",
    "Counts",
    "SearchHit",
    "Store",
    "StoreCore",
    "Writer",
    "iso",
    "new_uuid",
    "storage_error",
    "utc_iso",
]
