"""Records some queries return, apart from the query modules, which `handoff log` and
`handoff due` load without them. Plain `Record`s, not dataclasses (milliseconds of
start-up for `clients`, `show` and `search`, issue 13)."""

from __future__ import annotations

from handoff_cli.record import Record

TYPE_CHECKING = False  # as typing.TYPE_CHECKING, without importing typing
if TYPE_CHECKING:
    from datetime import datetime


class ClientSummary(Record):
    _fields = ("name", "last_contact", "notes", "open_promises", "overdue")
    name: str
    last_contact: datetime | None
    notes: int
    open_promises: int
    overdue: int

    def __init__(
        self,
        name: str,
        last_contact: datetime | None,
        notes: int,
        open_promises: int,
        overdue: int,
    ) -> None:
        self.__dict__.update(
            name=name,
            last_contact=last_contact,
            notes=notes,
            open_promises=open_promises,
            overdue=overdue,
        )


class SearchHit(Record):
    _fields = ("type", "id", "client", "at", "text")
    type: str  # "note" or "promise"
    id: int
    client: str
    at: datetime | None
    text: str

    def __init__(self, type: str, id: int, client: str, at: datetime | None, text: str) -> None:
        self.__dict__.update(type=type, id=id, client=client, at=at, text=text)
