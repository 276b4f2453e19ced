"""Whose promises a view shows (`due`, `promises`): a plain class, so that `due --team`
outside a team loads neither dataclasses nor typing (issue 13). team/status.py
re-exports it."""

from __future__ import annotations


class Owners:
    """Mine and nobody's (the default in a team), one member's (`only`, from
    `--owner`), or everyone's (`everyone`, from `--team`, grouped by owner).

    Immutable and compared by value, as the frozen dataclass it replaces was."""

    __slots__ = ("me", "members", "only", "everyone")

    me: str
    members: tuple[str, ...]
    only: str | None
    everyone: bool

    def __init__(
        self, me: str, members: tuple[str, ...], only: str | None = None, everyone: bool = False
    ) -> None:
        set_field = object.__setattr__
        set_field(self, "me", me)
        set_field(self, "members", members)
        set_field(self, "only", only)
        set_field(self, "everyone", everyone)

    def __setattr__(self, name: str, value: object) -> None:
        msg = f"cannot assign to field {name!r}"
        raise AttributeError(msg)

    def _key(self) -> tuple[str, tuple[str, ...], str | None, bool]:
        return (self.me, self.members, self.only, self.everyone)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Owners):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        me, members, only, everyone = self._key()
        return f"Owners(me={me!r}, members={members!r}, only={only!r}, everyone={everyone!r})"
