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

    def client_summary(self, client: Client, *, as_of: date) -> ClientSummary:
        """`client_summaries` for one client (`show`), without counting everyone's promises.

        `+status`: the client's promises are found by client (`promises_client`), not
        every open promise by status, which is the plan SQLite would choose otherwise.
        """
        from handoff_cli.store.records import ClientSummary

        day = as_of.isoformat()
        name, last, count, open_count, overdue = self._q(
            "SELECT c.name, c.last_at_utc, c.note_count,"
            " (SELECT count(*) FROM promises WHERE client_id = c.id AND +status = 'open'),"
            " (SELECT count(*) FROM promises WHERE client_id = c.id AND +status = 'open'"
            " AND next_due < ? AND NOT (paused_from IS NOT NULL AND paused_from <= ?"
            " AND (paused_until IS NULL OR paused_until > ?)))"
            " FROM clients c WHERE c.id = ?",
            [day, day, day, client.id],
        ).fetchone()
        return ClientSummary(
            name=name,
            last_contact=datetime.fromisoformat(last) if last else None,
            notes=count,
            open_promises=open_count,
            overdue=overdue,
        )

    # ----------------------------------------------------------------- contacts

    _CONTACT = "SELECT id, uuid, name, role, email, phone FROM contacts"

    def _answering(self, client_id: int, key: str, *, listed: bool = True) -> int | None:
        """The contact at the client called `key` now, else one made under that name,
        else one given it as an alias: among those listed, or (`listed=False`) removed."""
        live = int(listed)
        for sql in (
            "SELECT id FROM contacts WHERE client_id = :c AND name_key = :k"
            " AND (removed IS NULL) = :live ORDER BY uuid LIMIT 1",
            "SELECT c.id FROM contact_entities e JOIN contacts c ON c.id = e.contact_id"
            " WHERE c.client_id = :c AND e.created_key = :k AND (c.removed IS NULL) = :live"
            " ORDER BY c.uuid LIMIT 1",
            "SELECT c.id FROM contact_aliases a JOIN contacts c ON c.id = a.contact_id"
            " WHERE c.client_id = :c AND a.key = :k AND (c.removed IS NULL) = :live"
            " ORDER BY c.uuid LIMIT 1",
        ):
            row = self._q(sql, {"c": client_id, "k": key, "live": live}).fetchone()
            if row is not None:
                return int(row[0])
        return None

    def find_contact(self, client: Client, name: str) -> Contact | None:
        """The listed person at the client called `name` now, else one first created so,
        else one who answers to it as an alias (without their aliases: see `contact`)."""
        row = self.find_contact_row(client.id, name)
        if row is None:
            return None
        from handoff_cli.models import Contact

        return Contact(row[0], row[1], client.name, *row[2:])

    def find_contact_row(self, client_id: int, name: str) -> tuple[Any, ...] | None:
        """`find_contact` as (id, uuid, name, role, email, phone), for `log`."""
        found = self._answering(client_id, name_key(name))
        if found is None:
            return None
        return tuple(self._q(self._CONTACT + " WHERE id = ?", [found]).fetchone())

    def contact(self, client: Client, contact_id: int) -> Contact:
        """One contact of the client, with the other names they answer to."""
        row = self._q(self._CONTACT + " WHERE id = ?", [contact_id]).fetchone()
        aliases = self._aliases(" AND c.id = ?", [contact_id]).get(contact_id, ())
        from handoff_cli.models import Contact

        return Contact(row[0], row[1], client.name, row[2], row[3], row[4], row[5], aliases)

    def removed_contact(self, client: Client, name: str) -> str | None:
        """The name of a contact removed from the client who was called `name`, if any."""
        found = self._answering(client.id, name_key(name), listed=False)
        if found is None:
            return None
        return str(self._q("SELECT name FROM contacts WHERE id = ?", [found]).fetchone()[0])

    def contact_reference(self, client: Client, name: str) -> tuple[str, str] | None:
        """How a record names the listed person called `name` at the client: the uuid
        and the name to carry with it; None when nobody there is called that.

        The name carried is one that uuid was made under, so a machine that meets the
        record before the person (a note that overtook them) makes them under that
        name too, and every machine holds the same uuids under the same names.
        """
        from handoff_cli.changes import derived_uuid

        key = name_key(name)
        found = self._answering(client.id, key)
        if found is None:
            return None
        made = self._q(
            "SELECT uuid FROM contact_entities WHERE contact_id = ? AND created_key = ?"
            " ORDER BY uuid LIMIT 1",
            [found, key],
        ).fetchone()
        if made is not None:
            return str(made[0]), clean_name(name)
        alias = self._q(
            "SELECT 1 FROM contact_aliases WHERE contact_id = ? AND key = ?", [found, key]
        ).fetchone()
        if alias is not None:  # one made under the alias joins them wherever it lands
            return derived_uuid(client.uuid, key), clean_name(name)
        # Called so since a rename: named by their own uuid, under the name it was made with.
        uuid, shown, shown_key, made_key = self._q(
            "SELECT c.uuid, c.name, c.name_key, e.created_key FROM contacts c"
            " JOIN contact_entities e ON e.uuid = c.uuid WHERE c.id = ?",
            [found],
        ).fetchone()
        return str(uuid), shown if shown_key == made_key else str(made_key)

    def close_contact(self, client: Client, key: str) -> str | None:
        """The name (or alias) of a listed contact that `key` is likely a typo of, if any."""
        names = self._q(
            "SELECT name_key, name FROM contacts WHERE client_id = :c AND removed IS NULL"
            " UNION ALL SELECT a.key, a.name FROM contact_aliases a JOIN contacts c"
            " ON c.id = a.contact_id WHERE c.client_id = :c AND c.removed IS NULL",
            {"c": client.id},
        )
        return likely_typo(key, names)

    def contact_uuid(self, contact_id: int) -> str:
        return str(self._q("SELECT uuid FROM contacts WHERE id = ?", [contact_id]).fetchone()[0])

    def contacts(self, client: Client, *, removed: bool = False) -> list[Contact]:
        """The client's contacts (or those removed), with the other names they answer to."""
        from handoff_cli.models import Contact

        rows = self._q(
            self._CONTACT + " WHERE client_id = ? AND (removed IS NULL) = ? ORDER BY key",
            [client.id, int(not removed)],
        ).fetchall()
        aliases = self._aliases(" AND c.client_id = ?", [client.id])
        return [
            Contact(r[0], r[1], client.name, r[2], r[3], r[4], r[5], aliases.get(r[0], ()))
            for r in rows
        ]

    def _aliases(self, where: str, params: list[int]) -> dict[int, tuple[str, ...]]:
        """Aliases by contact id (not the name they have now), in a fixed order."""
        found: dict[int, list[str]] = {}
        for contact_id, name in self._q(
            "SELECT a.contact_id, a.name FROM contact_aliases a JOIN contacts c"
            " ON c.id = a.contact_id WHERE a.key != c.name_key" + where + " ORDER BY a.key",
            params,
        ):
            found.setdefault(contact_id, []).append(name)
        return {k: tuple(v) for k, v in found.items()}

    def contact_uses(self, contact: Contact) -> tuple[int, list[int]]:
        """(how many notes name the contact, the ids of open promises owed to them)."""
        notes = self._q(
            "SELECT count(*) FROM note_contacts WHERE contact_id = ?", [contact.id]
        ).fetchone()[0]
        promises = self._q(
            "SELECT id FROM promises WHERE contact_id = ? AND status = 'open' ORDER BY id",
            [contact.id],
        )
        return int(notes), [int(r[0]) for r in promises]
