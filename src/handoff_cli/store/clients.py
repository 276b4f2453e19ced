"""Queries about clients and their contacts."""

from __future__ import annotations

from datetime import date, datetime

from handoff_cli.errors import BadInput
from handoff_cli.names import clean_name, likely_typo, name_key
from handoff_cli.store.base import StoreCore

TYPE_CHECKING = False  # models and records are dataclasses: loaded where they are made
if TYPE_CHECKING:
    from typing import Any

    from handoff_cli.models import Client, Contact
    from handoff_cli.store.records import ClientSummary


class ClientQueries(StoreCore):
    def find_client(self, name: str) -> Client | None:
        """The client called `name` now, else one first created under that name."""
        row = self.find_client_row(name)
        if row is None:
            return None
        from handoff_cli.models import Client

        return Client(row[0], row[1], row[2])

    def find_client_row(self, name: str) -> tuple[int, str, str] | None:
        """`find_client` as (id, uuid, name), for `log`, which makes no model."""
        key = name_key(name)
        row = self._q("SELECT id, uuid, name FROM clients WHERE key = ?", [key]).fetchone()
        if row is None:
            row = self._q(
                "SELECT c.id, c.uuid, c.name FROM client_entities e"
                " JOIN clients c ON c.id = e.client_id WHERE e.created_key = ?"
                " ORDER BY c.uuid LIMIT 1",
                [key],
            ).fetchone()
        return None if row is None else (row[0], row[1], row[2])

    def client(self, name: str) -> Client:
        """The client called `name`, or a BadInput that suggests the closest one."""
        found = self.find_client(name)
        if found:
            return found
        close = self.close_client(name_key(name))
        hint = f"; did you mean '{close}'?" if close else "; `handoff clients` lists them"
        msg = f"no client named '{clean_name(name)}'{hint}"
        raise BadInput(msg)

    def close_client(self, key: str) -> str | None:
        """The name of an existing client that `key` is likely a typo of, if any."""
        return likely_typo(key, self._q("SELECT name_key, name FROM clients"))

    def client_by_id(self, client_id: int) -> Client:
        from handoff_cli.models import Client

        row = self._q("SELECT id, uuid, name FROM clients WHERE id = ?", [client_id]).fetchone()
        return Client(row[0], row[1], row[2])

    def client_uuids(self, client: Client) -> list[str]:
        """Every uuid the client has been known by (created twice, merged), smallest first."""
        return [
            r[0]
            for r in self._q(
                "SELECT uuid FROM client_entities WHERE client_id = ? ORDER BY uuid", [client.id]
            )
        ]

    def client_names(self) -> list[str]:
        return [r[0] for r in self._q("SELECT name FROM clients ORDER BY key")]

    def clients(self) -> list[Client]:
        from handoff_cli.models import Client

        return [Client(*r) for r in self._q("SELECT id, uuid, name FROM clients ORDER BY key")]

    def client_summaries(self, *, as_of: date) -> list[ClientSummary]:
        from handoff_cli.store.records import ClientSummary

        open_counts = dict(
            self._q(
                "SELECT client_id, count(*) FROM promises WHERE status = 'open' GROUP BY client_id"
            ).fetchall()
        )
        overdue = dict(
            self._q(
                "SELECT client_id, count(*) FROM promises WHERE status = 'open' "
                "AND next_due < ? AND NOT (paused_from IS NOT NULL AND paused_from <= ?"
                " AND (paused_until IS NULL OR paused_until > ?)) GROUP BY client_id",
                [as_of.isoformat()] * 3,
            ).fetchall()
        )
        rows = self._q("SELECT id, name, last_at_utc, note_count FROM clients ORDER BY key")
        return [
            ClientSummary(
                name=name,
                last_contact=datetime.fromisoformat(last) if last else None,
                notes=count,
                open_promises=open_counts.get(cid, 0),
                overdue=overdue.get(cid, 0),
            )
            for cid, name, last, count in rows
        ]

    # ----------------------------------------------------------------- contacts

    def find_contact(self, client: Client, name: str) -> Contact | None:
        """The contact called `name` at the client now, else one first created so."""
        row = self.find_contact_row(client.id, name)
        if row is None:
            return None
        from handoff_cli.models import Contact

        return Contact(row[0], row[1], client.name, *row[2:])

    def find_contact_row(self, client_id: int, name: str) -> tuple[Any, ...] | None:
        """`find_contact` as (id, uuid, name, role, email, phone), for `log`."""
        key = name_key(name)
        sql = "SELECT id, uuid, name, role, email, phone FROM contacts"
        row = self._q(sql + " WHERE client_id = ? AND key = ?", [client_id, key]).fetchone()
        if row is None:
            row = self._q(
                sql + " WHERE id = (SELECT e.contact_id FROM contact_entities e JOIN contacts c"
                " ON c.id = e.contact_id WHERE c.client_id = ? AND e.created_key = ? LIMIT 1)",
                [client_id, key],
            ).fetchone()
        return None if row is None else tuple(row)

    def contact_uuid(self, contact_id: int) -> str:
        return str(self._q("SELECT uuid FROM contacts WHERE id = ?", [contact_id]).fetchone()[0])

    def contacts(self, client: Client) -> list[Contact]:
        from handoff_cli.models import Contact

        rows = self._q(
            "SELECT id, uuid, name, role, email, phone FROM contacts WHERE client_id = ? "
            "ORDER BY key",
            [client.id],
        )
        return [Contact(r[0], r[1], client.name, r[2], r[3], r[4], r[5]) for r in rows]
