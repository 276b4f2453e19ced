"""Who is in the team, when each was last heard from, and who has gone quiet.

Everything here is read from the database (the members' names come from the
clone): `handoff team`, and the flag in every colleague's `due`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any

from handoff_cli import stamps
from handoff_cli.owners import Owners as Owners  # re-exported: it was defined here
from handoff_cli.store import Store

QUIET_DAYS = 2


@dataclass(frozen=True)
class MemberState:
    id: str
    name: str
    me: bool
    last_heard: datetime | None
    open: int
    overdue: int
    due: int = 0  # overdue or due today
    quiet: bool = False  # promises due, and not heard from for QUIET_DAYS or more
    quiet_days: int = 0


@dataclass(frozen=True)
class TeamState:
    remote: str
    last_ok: str | None
    error: str | None
    members: list[MemberState]
    unowned: int  # open promises whose owner is not a member


def member_names(store: Store) -> tuple[str, ...] | None:
    """The team's member names, or None outside a team."""
    clone = store.meta("team.clone")
    if clone is None:
        return None
    from pathlib import Path

    from handoff_cli.team import layout

    gone = removed_members(store)
    return tuple(m.name for m in layout.members(Path(clone)) if m.id not in gone)


def removed_members(store: Store) -> set[str]:
    """Member ids removed from an encrypted team (their promises have no owner now)."""
    import json

    saved = store.meta("vault.trust")
    return set(json.loads(saved).get("removed", {})) if saved else set()


def team_state(store: Store, *, now: datetime) -> TeamState | None:
    clone = store.meta("team.clone")
    if clone is None:
        return None
    from pathlib import Path

    from handoff_cli.team import layout

    gone = removed_members(store)
    members = [m for m in layout.members(Path(clone)) if m.id not in gone]
    me = store.meta("member") or ""
    heard = {
        member: _clock_time(clock)
        for member, clock in store.conn.execute(
            "SELECT member, max(clock) FROM changes GROUP BY member"
        )
    }
    today = now.date()
    counts = _owner_counts(store, today)
    names = {m.name for m in members}
    states = []
    for m in members:
        open_, overdue, due = counts.get(m.name, (0, 0, 0))
        last = heard.get(m.id)
        silent = (now - last).days if last is not None else 9999
        quiet = due > 0 and silent >= QUIET_DAYS
        states.append(
            MemberState(m.id, m.name, m.id == me, last, open_, overdue, due, quiet, silent)
        )
    unowned = sum(c[0] for owner, c in counts.items() if owner not in names)
    return TeamState(
        store.meta("team.remote") or "",
        store.meta("sync.ok"),
        store.meta("sync.error"),
        states,
        unowned,
    )


def quiet_members(store: Store, *, now: datetime) -> list[MemberState]:
    """Colleagues with overdue promises who have not synced for QUIET_DAYS or more."""
    state = team_state(store, now=now)
    if state is None:
        return []
    return [m for m in state.members if m.quiet and not m.me]


def _owner_counts(store: Store, today: date) -> dict[str, tuple[int, int, int]]:
    """Each owner's open promises: (open, overdue, due by today)."""
    from handoff_cli.store.promises import PAUSED_ON

    rows = store.conn.execute(
        "SELECT coalesce(p.owner, :me), count(*), sum(p.next_due < :day),"
        " sum(p.next_due <= :day) FROM promises p"
        " WHERE p.status = 'open' AND NOT " + PAUSED_ON + " GROUP BY 1",
        {"me": store.me, "day": today.isoformat()},
    )
    return {owner: (int(n), int(late or 0), int(due or 0)) for owner, n, late, due in rows}


def _clock_time(clock: str) -> datetime | None:
    try:
        ms, _ = stamps.parse(clock)
        return datetime.fromtimestamp(ms / 1000, timezone.utc)
    except (ValueError, OverflowError, OSError):
        return None


def state_record(state: TeamState) -> dict[str, Any]:
    """`handoff team --json`."""
    return {
        "remote": state.remote,
        "last_sync": state.last_ok,
        "last_sync_error": state.error,
        "members": [
            {
                "id": m.id,
                "name": m.name,
                "me": m.me,
                "last_synced": m.last_heard.isoformat() if m.last_heard else None,
                "open": m.open,
                "overdue": m.overdue,
                "due": m.due,
                "quiet": m.quiet,
            }
            for m in state.members
        ],
        "unowned_open": state.unowned,
    }
