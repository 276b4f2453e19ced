"""Records some queries return, apart from the query modules: they are dataclasses,
and `handoff log` and `handoff due` open the store without loading dataclasses
(milliseconds of start-up, issue 13). The queries import them when they run."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class ClientSummary:
    name: str
    last_contact: datetime | None
    notes: int
    open_promises: int
    overdue: int


@dataclass(frozen=True)
class SearchHit:
    type: str  # "note" or "promise"
    id: int
    client: str
    at: datetime | None
    text: str
