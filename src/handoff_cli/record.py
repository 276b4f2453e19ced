"""`Record`: what `@dataclass(frozen=True)` gave the plain records, without dataclasses.

Importing dataclasses loads inspect, ast, dis, tokenize, re and copy, and each
decorated class compiles its methods at start-up: ≈ 20 ms of CPU on our machine,
a fifth of what `show`, `search` and `clients` may take (issue 13: ≤ 4× the
insert floor). The records every command passes around (models.py,
store/records.py, store_queries.Hit) are subclasses of this instead: each
names its `_fields` and writes its `__init__`; this gives them the rest, as
the frozen dataclasses did (compared and hashed by value as a tuple of their
fields, only against the same class; a `Name(field=value, ...)` repr;
assigning or deleting a field raises `FrozenInstanceError`, an AttributeError).
`replace` stands in for dataclasses.replace. Stdlib only, no imports.
"""

from __future__ import annotations

TYPE_CHECKING = False  # as typing.TYPE_CHECKING, without importing typing
if TYPE_CHECKING:
    from typing import TypeVar

    _R = TypeVar("_R", bound="Record")


class FrozenInstanceError(AttributeError):
    """Assigning to a field of a record (as dataclasses.FrozenInstanceError)."""


class Record:
    __slots__ = ()  # the subclasses keep a __dict__, as dataclasses do
    _fields: tuple[str, ...] = ()

    def _values(self) -> tuple[object, ...]:
        return tuple(map(self.__dict__.__getitem__, self._fields))

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            assert isinstance(other, Record)
            return self._values() == other._values()
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        shown = ", ".join(f"{n}={v!r}" for n, v in zip(self._fields, self._values(), strict=True))
        return f"{type(self).__qualname__}({shown})"

    def __setattr__(self, name: str, value: object) -> None:
        msg = f"cannot assign to field {name!r}"
        raise FrozenInstanceError(msg)

    def __delattr__(self, name: str) -> None:
        msg = f"cannot delete field {name!r}"
        raise FrozenInstanceError(msg)


def replace(record: _R, **changes: object) -> _R:
    """A copy of `record` with `changes` to its fields, as dataclasses.replace makes one."""
    values = dict(zip(record._fields, record._values(), strict=True))
    values.update(changes)
    return type(record)(**values)
