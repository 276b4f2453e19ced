"""Queries about promises: one promise, the lists, what `due` needs."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from handoff_cli.errors import BadInput
from handoff_cli.store.base import StoreCore, day_or_none

TYPE_CHECKING = False  # models are dataclasses: `due` lists rows without loading them
if TYPE_CHECKING:
    from typing import Any

    from handoff_cli.models import Client, Completion, PausedItem, Promise
    from handoff_cli.team.status import Owners

# Whether the promise is paused on day :day (the latest pause, from paused_from to
# paused_until); stored status says only open, done or dropped.
PAUSED_ON = (
    "(p.status = 'open' AND p.paused_from IS NOT NULL AND p.paused_from <= :day"
    " AND (p.paused_until IS NULL OR p.paused_until > :day))"
)


def owner_filter(owners: Owners | None, params: dict[str, Any]) -> str:
    """SQL (with its params added) choosing the promises a view shows by owner."""
    if owners is None or owners.everyone:
        return ""
    owner = "coalesce(p.owner, :me)"
    if owners.only is not None:
        params["only"] = owners.only
        return f" AND lower({owner}) = lower(:only)"
    names = [n for n in owners.members if n != owners.me]
    params.update({f"m{i}": n for i, n in enumerate(names)})
    others = ", ".join(f":m{i}" for i in range(len(names)))
    if not others:
        return f" AND {owner} = :me"
    # Mine, and those of anyone who is not a member (nothing falls between chairs).
    return f" AND ({owner} = :me OR {owner} NOT IN ({others}))"


class PromiseQueries(StoreCore):
    _PROMISE_SELECT = (
        "SELECT p.id, p.uuid, c.name, p.title, k.name, p.rule, p.start, p.after_done,"
        " CASE WHEN " + PAUSED_ON + " THEN 'paused' ELSE p.status END, p.next_due,"
        " p.created_at, coalesce(p.owner, :me), p.due_at, p.paused_from, p.paused_until,"
        " p.covered_through"
        " FROM promises p JOIN clients c ON c.id = p.client_id"
        " LEFT JOIN contacts k ON k.id = p.contact_id"
    )

    def _params(self, **extra: Any) -> dict[str, Any]:
        return {"day": self.today.isoformat(), "me": self.me, **extra}

    @staticmethod
    def _promise(row: Sequence[Any], completions: tuple[Completion, ...] = ()) -> Promise:
        from handoff_cli.models import Promise

        return Promise(
            id=row[0],
            uuid=row[1],
            client=row[2],
            title=row[3],
            to=row[4],
            rule=row[5],
            start=date.fromisoformat(row[6]),
            after_done=bool(row[7]),
            status=row[8],
            next_due=day_or_none(row[9]),
            created_at=datetime.fromisoformat(row[10]),
            owner=row[11],
            due_at=datetime.fromisoformat(row[12]) if row[12] else None,
            paused_from=day_or_none(row[13]),
            paused_until=day_or_none(row[14]),
            covered_through=day_or_none(row[15]),
            completions=completions,
        )

    def promise(self, promise_id: int, *, with_completions: bool = False) -> Promise:
        row = self._q(
            self._PROMISE_SELECT + " WHERE p.id = :id", self._params(id=promise_id)
        ).fetchone()
        if not row:
            msg = f"no promise #{promise_id}; `handoff promises` lists them with their ids"
            raise BadInput(msg)
        completions = self.completions(promise_id) if with_completions else ()
        return self._promise(row, completions)

    def promise_by_uuid(self, uuid: str) -> Promise | None:
        row = self._q(
            self._PROMISE_SELECT + " WHERE p.uuid = :uuid", self._params(uuid=uuid)
        ).fetchone()
        return self._promise(row) if row else None

    def completions(self, promise_id: int) -> tuple[Completion, ...]:
        """Every done and skip of the promise, undone ones too (marked), oldest first."""
        rows = self._q(
            "SELECT m.uuid, m.at, m.day, m.note_uuid, m.kind, m.covers, m.stamp,"
            " EXISTS (SELECT 1 FROM undos u WHERE u.mark = m.uuid)"
            " FROM completions m WHERE m.promise_id = ? ORDER BY m.day, m.stamp, m.uuid",
            [promise_id],
        )
        return tuple(completion_from_row(r) for r in rows)

    def marks(self, promise_id: int) -> tuple[list[Any], list[Any]]:
        """The live marks and pause periods of a promise (coverage.Mark, coverage.Interval)."""
        from handoff_cli.apply import promise_sets

        return promise_sets(self.conn, promise_id)

    def last_done(self, promise_ids: Sequence[int]) -> dict[int, date]:
        """The day each promise was last done (skips and undone ones not counted)."""
        if not promise_ids:
            return {}
        marks = ",".join("?" * len(promise_ids))
        rows = self._q(
            f"SELECT promise_id, max(day) FROM completions m WHERE promise_id IN ({marks})"
            " AND kind = 'done' AND NOT EXISTS (SELECT 1 FROM undos u WHERE u.mark = m.uuid)"
            " GROUP BY promise_id",
            list(promise_ids),
        )
        return {pid: date.fromisoformat(day) for pid, day in rows}

    def promises(
        self,
        *,
        client: Client | None = None,
        include_closed: bool = False,
        owners: Owners | None = None,
    ) -> list[Promise]:
        sql = self._PROMISE_SELECT + " WHERE 1"
        params = self._params()
        sql += owner_filter(owners, params)
        if not include_closed:
            sql += " AND p.status = 'open'"
        if client:
            sql += " AND p.client_id = :client"
            params["client"] = client.id
        sql += (
            " ORDER BY p.status != 'open', " + PAUSED_ON + ", p.next_due IS NULL, p.next_due, p.id"
        )
        return [self._promise(r) for r in self._q(sql, params)]

    def due_rows(
        self,
        *,
        as_of: date,
        until: date,
        client: Client | None = None,
        owners: Owners | None = None,
        with_owner: bool = False,
        with_rule: bool = False,
    ) -> list[tuple[Any, ...]]:
        """What `due` lists: each open promise not paused on `as_of` and due by `until`,
        in the view's order (by next due day, client name, id; overdue ones come first
        because they are due earliest). Plain rows, not models: the morning view may list
        ten thousand (issue 13), and each column fetched costs about half a microsecond.

        (id, client, title, to, next_due, due_at, owner, how, start), and the rule when
        `with_rule`. The owner is None unless `with_owner`. `how` and `start` are given
        for overdue promises only, the ones whose missed occurrences are counted
        (cli/due_view.py): `how` is the rule ("" for a one-off) with a "+" before it
        for one that recurs after each completion, or "!" for an irregular promise
        (marks or pauses past its next due day: counted from them).
        """
        sql = (
            "SELECT p.id, c.name, p.title, k.name, p.next_due, p.due_at,"
            + (" coalesce(p.owner, :me)," if with_owner else " NULL,")
            + " CASE WHEN p.next_due >= :day THEN NULL WHEN p.irregular THEN '!'"
            " WHEN p.after_done THEN '+' || coalesce(p.rule, '') ELSE coalesce(p.rule, '') END,"
            " CASE WHEN p.next_due < :day THEN p.start END"
            + (", p.rule" if with_rule else "")
            + " FROM promises p JOIN clients c ON c.id = p.client_id"
            " LEFT JOIN contacts k ON k.id = p.contact_id"
            " WHERE p.status = 'open' AND p.next_due <= :until AND NOT " + PAUSED_ON
        )
        params = self._params(until=until.isoformat(), day=as_of.isoformat())
        sql += owner_filter(owners, params)
        if client:
            sql += " AND p.client_id = :client"
            params["client"] = client.id
        sql += " ORDER BY p.next_due, c.name, p.id"
        return self._q(sql, params).fetchall()

    def paused_entries(
        self, *, as_of: date, client: Client | None = None, owners: Owners | None = None
    ) -> list[PausedItem]:
        """Open promises paused on `as_of`, with the day each resumes by itself (or None)."""
        from handoff_cli.models import PausedItem

        return [
            PausedItem(r[0], r[1], r[2], day_or_none(r[3]), r[4])
            for r in self.paused_rows(as_of=as_of, client=client, owners=owners)
        ]

    def paused_rows(
        self, *, as_of: date, client: Client | None = None, owners: Owners | None = None
    ) -> list[tuple[Any, ...]]:
        """`paused_entries` as rows: (id, client, title, paused_until, owner)."""
        sql = (
            "SELECT p.id, c.name, p.title, p.paused_until, coalesce(p.owner, :me)"
            " FROM promises p JOIN clients c ON c.id = p.client_id WHERE " + PAUSED_ON
        )
        params = self._params(day=as_of.isoformat())
        sql += owner_filter(owners, params)
        if client:
            sql += " AND p.client_id = :client"
            params["client"] = client.id
        sql += " ORDER BY p.paused_until IS NULL, p.paused_until, c.key, p.id"
        return self._q(sql, params).fetchall()


def completion_from_row(r: Sequence[Any]) -> Completion:
    """(uuid, at, day, note_uuid, kind, covers, stamp, undone) to a Completion."""
    import json

    from handoff_cli.models import Completion

    return Completion(
        uuid=r[0],
        at=datetime.fromisoformat(r[1]),
        day=date.fromisoformat(r[2]),
        note_uuid=r[3],
        kind=r[4],
        covers=tuple(date.fromisoformat(d) for d in json.loads(r[5])),
        stamp=r[6],
        undone=bool(r[7]),
    )
