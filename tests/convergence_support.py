"""Random work on several devices, and a comparison of what each database ends up holding.

`Device` makes the changes a person makes (through writes.py, as the commands
do, on its own database) chosen by a seeded random generator; `canonical`
gives what a database holds as its bundle would carry it, without the local
ids and in a fixed order, so two databases that hold the same records compare
equal.
"""

from __future__ import annotations

import json
import random
import uuid
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from handoff_cli import store_transfer, writes
from handoff_cli.errors import BadInput
from handoff_cli.formats import bundle
from handoff_cli.rules import parse_rule
from handoff_cli.store import Store

START = datetime(2026, 10, 1, 9, 0, tzinfo=timezone(timedelta(hours=9)))
CLIENTS = ["Acme", "ACME", "Beta", "山田商事", "Gamma"]
NAMES = ["Acme Corp", "Beta Labs", "山田", "Delta"]
PEOPLE = ["Tanaka", "tanaka", "Sato", "佐藤 花子"]
RULES = ["daily", "weekly", "monthly", "every 2 weeks"]


def open_store(path: Path) -> Store:
    path.parent.mkdir(parents=True, exist_ok=True)
    store = Store.open(path, create=True)
    assert store is not None
    return store


class Device:
    """One database and the person using it: makes random (valid) changes."""

    def __init__(self, path: Path, name: str, rng: random.Random) -> None:
        self.path = path
        self.name = name
        self.rng = rng
        self.store = open_store(path)
        self.store.me = name
        self.now = START
        with self.store.write():  # ids from the seed: a failing seed fails again the same way
            for key in ("member", "device"):
                self.store.set_meta(key, str(uuid.UUID(int=rng.getrandbits(128), version=4)))

    def close(self) -> None:
        self.store.close()

    def tick(self, minutes: int) -> None:
        self.now += timedelta(minutes=minutes)
        self.store.today = self.now.date()

    def act(self) -> str:
        """One random change; returns what it was (for a failing seed's story)."""
        kind = self.rng.choices(
            ["log", "edit", "remove", "promise", "done", "early", "skip", "undo", "take",
             "rename", "modify", "pause", "resume", "contact"],
            [10, 3, 2, 5, 6, 2, 2, 3, 2, 1, 2, 1, 1, 2],
        )[0]  # fmt: skip
        try:
            with self.store.write():
                return getattr(self, "_" + kind)(self.store.writer(self.now))
        except BadInput as exc:  # the move was not valid here (nothing due, ...): no change
            return f"{kind}: refused ({exc.message[:60]})"

    # -- the moves

    def _client(self, w: Any) -> Any:
        client, _ = writes.client_for_write(
            self.store, w, self.rng.choice(CLIENTS), new_client=True
        )
        return client

    def _log(self, w: Any) -> str:
        client = self._client(w)
        people = self.rng.sample(PEOPLE, self.rng.randint(0, 2))
        note = writes.add_note(
            self.store, w, client, at=self.now, kind="note",
            text=f"{self.name} {self.rng.randint(0, 999)}", author=self.name, with_=people,
            tags=self.rng.sample(["a", "b"], self.rng.randint(0, 1)),
        )  # fmt: skip
        return f"log {note.uuid[:8]} on {client.name}"

    def _notes(self) -> list[Any]:
        rows = self.store.conn.execute("SELECT id FROM notes ORDER BY id").fetchall()
        return [self.store.note(r[0]) for r in rows]

    def _promises(self, *statuses: str) -> list[Any]:
        found = self.store.promises(include_closed=True)
        return [p for p in found if not statuses or p.status in statuses]

    def _edit(self, w: Any) -> str:
        notes = self._notes()
        if not notes:
            return "edit: no note"
        note = self.rng.choice(notes)
        writes.edit_note(self.store, w, note, f"{note.text} (edited by {self.name})")
        return f"edit {note.uuid[:8]}"

    def _remove(self, w: Any) -> str:
        notes = self._notes()
        if not notes:
            return "remove: no note"
        note = self.rng.choice(notes)
        writes.remove_note(self.store, w, note)
        return f"remove {note.uuid[:8]}"

    def _promise(self, w: Any) -> str:
        client = self._client(w)
        to = self.rng.choice([None, *PEOPLE])
        if self.rng.random() < 0.3:
            due = (self.now + timedelta(days=self.rng.randint(-5, 10))).date()
            made = writes.add_promise(
                self.store, w, client, title=f"one-off {self.rng.randint(0, 99)}", to=to,
                rule=None, start=due, after_done=False, due_at=None, owner=self.name,
            )  # fmt: skip
        else:
            start = self.now.date() - timedelta(days=self.rng.randint(0, 40))
            rule = parse_rule(self.rng.choice(RULES), start=start)
            made = writes.add_promise(
                self.store, w, client, title=f"duty {self.rng.randint(0, 99)}", to=to,
                rule=rule, start=start, after_done=self.rng.random() < 0.2, due_at=None,
                owner=self.name,
            )  # fmt: skip
        return f"promise {made.uuid[:8]}"

    def _pick(self, *statuses: str) -> Any:
        found = self._promises(*statuses)
        if not found:
            msg = "no promise"
            raise BadInput(msg)
        return self.rng.choice(found)

    def _done(self, w: Any) -> str:
        p = self._pick("open")
        writes.done(self.store, w, p, at=self.now, day=self.now.date(), today=self.now.date())
        return f"done {p.uuid[:8]}"

    def _early(self, w: Any) -> str:
        p = self._pick("open")
        writes.done(
            self.store, w, p, at=self.now, day=self.now.date(), today=self.now.date(), early=True
        )
        return f"done --early {p.uuid[:8]}"

    def _skip(self, w: Any) -> str:
        p = self._pick("open")
        writes.skip(self.store, w, p, at=self.now, day=self.now.date())
        return f"skip {p.uuid[:8]}"

    def _undo(self, w: Any) -> str:
        p = self._pick("open", "done")
        writes.undo(self.store, w, p, at=self.now)
        return f"undo {p.uuid[:8]}"

    def _take(self, w: Any) -> str:
        p = self._pick("open", "paused")
        writes.take(self.store, w, p, owner=self.name)
        return f"take {p.uuid[:8]}"

    def _rename(self, w: Any) -> str:
        clients = self.store.clients()
        if not clients:
            return "rename: no client"
        client = self.rng.choice(clients)
        new = self.rng.choice(NAMES)
        writes.rename_client(self.store, w, client, new)
        return f"rename {client.name} -> {new}"

    def _modify(self, w: Any) -> str:
        p = self._pick("open")
        if p.rule is None or self.rng.random() < 0.5:
            writes.modify(self.store, w, p, title=f"{p.title}+")
            return f"modify title {p.uuid[:8]}"
        from handoff_cli import coverage

        marks, intervals = self.store.marks(p.id)
        rule = parse_rule(self.rng.choice(RULES), start=p.start)
        schedule = writes.schedule_body(
            rule, p.start, after_done=p.after_done,
            covered_through=coverage.covered_through(writes.plan_of(p), marks, intervals),
        )  # fmt: skip
        writes.modify(self.store, w, p, schedule=schedule)
        return f"modify rule {p.uuid[:8]}"

    def _pause(self, w: Any) -> str:
        p = self._pick("open")
        until = self.now.date() + timedelta(days=self.rng.randint(1, 20))
        writes.pause(self.store, w, p, today=self.now.date(), until=until)
        return f"pause {p.uuid[:8]}"

    def _resume(self, w: Any) -> str:
        p = self._pick("paused")
        writes.resume(self.store, w, p, today=self.now.date())
        return f"resume {p.uuid[:8]}"

    def _contact(self, w: Any) -> str:
        client = self._client(w)
        name = self.rng.choice(PEOPLE)
        writes.set_contact(
            self.store, w, client, name,
            role=self.rng.choice([None, "manager", ""]),
            phone=self.rng.choice([None, f"03-{self.rng.randint(1000, 9999)}"]),
            email=None,
        )  # fmt: skip
        return f"contact {name} at {client.name}"


def canonical(store: Store, *, today: date | None = None) -> Any:
    """What a database holds, as its bundle carries it: no local ids, a fixed order."""
    if today is not None:
        store.today = today
    text = "".join(
        bundle.dump(
            exported_at=START,
            author="",
            clients=store_transfer.records(store, store.clients()),
            tombstones=store_transfer.tombstones(store),
        )
    )
    return _normalise(json.loads(text))


def _normalise(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _normalise(v) for k, v in sorted(value.items()) if k not in ("id",)}
    if isinstance(value, list):
        items = [_normalise(v) for v in value]
        if items and all(isinstance(v, dict) and "uuid" in v for v in items):
            return sorted(items, key=lambda v: v["uuid"])
        return items
    return value
