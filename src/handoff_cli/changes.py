"""Change records: the one way anything in the database changes.

A command builds changes and hands them to the applier (apply.py); `import`
turns a bundle into changes, and `sync` reads them from the team repository.
Each change has a uuid, a clock reading and its writer (member and device),
and names the record it changes (`entity`, a uuid). docs/team.md lists every
kind and its body.

`check` is the gate for changes from outside (a team file, a bundle): it
accepts or refuses a record on its content alone, never on what the database
holds, so every machine accepts exactly the same records.

Stdlib only and no dataclasses: `handoff log` builds one on every note.
"""

from __future__ import annotations

from datetime import date, datetime
from operator import itemgetter

from handoff_cli import stamps
from handoff_cli.ids import new_uuid as new_uuid  # re-exported: writes.py uses it
from handoff_cli.words import NOTE_KINDS

TYPE_CHECKING = False  # as typing.TYPE_CHECKING: `log` does not load typing
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any, NamedTuple

    class _Fields(NamedTuple):
        uuid: str
        clock: str
        member: str
        device: str
        kind: str
        entity: str
        body: dict[str, Any]

else:

    class _Fields(tuple):
        """A namedtuple's fields, made by hand: `collections.namedtuple` compiles code,
        half a millisecond of every `log` (issue 13)."""

        __slots__ = ()
        _fields = ("uuid", "clock", "member", "device", "kind", "entity", "body")

        def __new__(cls, uuid, clock, member, device, kind, entity, body):
            return tuple.__new__(cls, (uuid, clock, member, device, kind, entity, body))

        def __getnewargs__(self):  # for pickling, as namedtuple has it
            return tuple(self)

        def __repr__(self) -> str:
            fields = ", ".join(f"{n}={v!r}" for n, v in zip(self._fields, self, strict=True))
            return f"{type(self).__name__}({fields})"

        uuid = property(itemgetter(0))
        clock = property(itemgetter(1))
        member = property(itemgetter(2))
        device = property(itemgetter(3))
        kind = property(itemgetter(4))
        entity = property(itemgetter(5))
        body = property(itemgetter(6))


class Change(_Fields):
    """One change: its uuid, clock and writer, the kind, the record it changes, the body."""

    __slots__ = ()

    @property
    def stamp(self) -> str:
        return stamps.stamp(self.clock, self.member)

    def record(self) -> dict[str, Any]:
        """The change as one JSON object (a line of a team file)."""
        return {
            "uuid": self.uuid,
            "clock": self.clock,
            "member": self.member,
            "device": self.device,
            "kind": self.kind,
            "entity": self.entity,
            "body": self.body,
        }

    def line(self) -> str:
        import json

        return json.dumps(self.record(), ensure_ascii=False, separators=(",", ":"))


_NAMESPACE_BYTES = bytes.fromhex("6f1c1e0e8d554f639f592f3c8d6c0a11")  # a uuid


def derived_uuid(*parts: str) -> str:
    """A uuid that every machine derives alike from the same parts: uuid5, as RFC 4122
    defines it (SHA-1 of the namespace and the name), formatted without uuid.UUID's
    checks, which cost more than the hash when an import derives a million."""
    try:  # the builtin module: hashlib loads OpenSSL first (~2 ms of `log --with`, issue 13)
        sha1 = __import__("_sha1").sha1  # (typeshed has no stub for it)
    except ImportError:  # pragma: no cover - an interpreter built without it
        from hashlib import sha1

    digest = bytearray(sha1(_NAMESPACE_BYTES + "\x1f".join(parts).encode("utf-8")).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50  # version 5
    digest[8] = (digest[8] & 0x3F) | 0x80  # the RFC 4122 variant
    h = digest.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


# ------------------------------------------------------------------ the kinds

# For each kind: the body's fields, each (type, required). Types: "str", "text"
# (a string, may be empty), "day" (YYYY-MM-DD), "moment" (ISO 8601 with offset),
# "uuid", "bool", "names" (list of strings), "days" (list of days), "uuids",
# "schedule" (an object, below), and a trailing "?" allows null.
_SCHEDULE = {
    "rule": ("str?", False),
    "start": ("day", True),
    "after_done": ("bool", True),
    "due_at": ("moment?", False),
    "covered_through": ("day?", False),
}

KINDS: dict[str, dict[str, tuple[str, bool]]] = {
    "client.create": {"name": ("str", True)},
    "client.rename": {"name": ("str", True)},
    "client.merge": {"into": ("uuid", True), "name": ("str?", False)},
    "contact.create": {
        "client": ("uuid", True),
        "name": ("str", True),
        "role": ("text?", False),
        "email": ("text?", False),
        "phone": ("text?", False),
    },
    "contact.set": {
        "role": ("text?", False),
        "email": ("text?", False),
        "phone": ("text?", False),
    },
    "contact.rename": {"name": ("str", True)},
    "contact.merge": {"into": ("uuid", True), "name": ("str?", False)},
    "contact.alias": {"alias": ("str", True), "name": ("str?", False)},
    "contact.remove": {},
    "note.add": {
        "client": ("uuid", True),
        "at": ("moment", True),
        "kind": ("str", True),
        "text": ("text", True),
        "author": ("text", True),
        "with": ("names", False),
        "with_ids": ("uuids", False),
        "tags": ("names", False),
        "on": ("uuid?", False),
    },
    "note.edit": {"text": ("text", True)},
    "note.remove": {},
    "promise.create": {
        "client": ("uuid", True),
        "title": ("str", True),
        "to": ("str?", False),
        "to_id": ("uuid?", False),
        "schedule": ("schedule", True),
        "owner": ("str?", False),
        "status": ("str", False),
    },
    "promise.set": {
        "title": ("str", False),
        "to": ("str?", False),
        "to_id": ("uuid?", False),
        "client": ("uuid", False),
        "schedule": ("schedule", False),
        "owner": ("str?", False),
        "status": ("str", False),
    },
    "promise.mark": {
        "kind": ("str", True),
        "at": ("moment", True),
        "day": ("day", True),
        "covers": ("days", True),
        "note": ("uuid?", False),
    },
    "promise.undo": {"mark": ("uuid", True), "at": ("moment", True)},
    "promise.pause": {"from": ("day", True), "until": ("day?", False)},
    "promise.resume": {"on": ("day", True)},
    "member.heartbeat": {},
}

MARK_KINDS = ("done", "skip")
PROMISE_STATES = ("open", "dropped")
MAX_TEXT = 1_000_000  # characters in one field; a note of a million characters is kept


class Invalid(ValueError):
    """A record from outside that is not a change this handoff can apply."""


def check(raw: Any) -> Change:
    """A change read from a team file or built from a bundle, fully checked; Invalid if not."""
    if not isinstance(raw, dict):
        msg = "a change must be a JSON object"
        raise Invalid(msg)
    change_uuid = _uuid(raw.get("uuid"), "uuid")
    clock = raw.get("clock")
    if not stamps.is_clock(clock):
        msg = f"clock: expected a clock like {stamps.ZERO}, got {_shown(clock)}"
        raise Invalid(msg)
    if clock == stamps.ZERO and raw.get("member") == "":
        member = ""  # carried from a first-version bundle, which did not say who wrote it
    else:
        member = _plain(raw.get("member"), "member")
    device = _plain(raw.get("device"), "device")
    kind = raw.get("kind")
    if kind not in KINDS:
        msg = f"kind: unknown kind {_shown(kind)}"
        raise Invalid(msg)
    entity = _uuid(raw.get("entity"), "entity")
    body = raw.get("body")
    if not isinstance(body, dict):
        msg = "body: expected an object"
        raise Invalid(msg)
    checks = _BODIES.get(kind)
    if checks is None:
        checks = _BODIES[kind] = _compiled(KINDS[kind], "body")
    checks(body)
    if kind == "promise.mark" and body["kind"] not in MARK_KINDS:
        msg = f"body.kind: expected done or skip, got {_shown(body['kind'])}"
        raise Invalid(msg)
    if (
        kind in ("promise.set", "promise.create")
        and "status" in body
        and body["status"] not in PROMISE_STATES
    ):
        msg = f"body.status: expected open or dropped, got {_shown(body['status'])}"
        raise Invalid(msg)
    if kind == "note.add":
        if body["kind"] not in NOTE_KINDS:
            msg = f"body.kind: expected a note kind, got {_shown(body['kind'])}"
            raise Invalid(msg)
    assert isinstance(clock, str) and isinstance(kind, str)
    return Change(change_uuid, clock, member, device, kind, entity, body)


# A kind's fields, each turned once into a function that checks a body (a first sync
# checks a million): the same checks, in the same order, with the same messages, as
# reading the table above field by field.
_MISSING = object()
_BODIES: dict[str, Callable[[dict[str, Any]], None]] = {}  # each kind's, made on first use


def _compiled(fields: dict[str, tuple[str, bool]], where: str) -> Callable[[dict[str, Any]], None]:
    allowed = frozenset(fields)
    paths = {key: f"{where}.{key}" for key in fields}
    specs = tuple(
        (key, paths[key], _checker(kind, paths[key]), required)
        for key, (kind, required) in fields.items()
    )

    def check_body(body: dict[str, Any]) -> None:
        if not allowed.issuperset(body):
            for key in body:
                if key not in allowed:
                    msg = f"{where}.{key}: not a field of this kind of change"
                    raise Invalid(msg)
        for key, path, check_value, required in specs:
            value = body.get(key, _MISSING)
            if value is _MISSING:
                if required:
                    msg = f"{path}: missing"
                    raise Invalid(msg)
                continue
            check_value(value, path)

    return check_body


def _checker(kind: str, path: str) -> Callable[[Any, str], object]:
    """The function that checks one value of a field type (see KINDS)."""
    if kind.endswith("?"):
        inner = _checker(kind[:-1], path)

        def or_null(value: Any, where: str) -> object:
            return None if value is None else inner(value, where)

        return or_null
    if kind == "schedule":
        schedule = _compiled(_SCHEDULE, path)

        def check_schedule(value: Any, where: str) -> None:
            if not isinstance(value, dict):
                msg = f"{where}: expected an object"
                raise Invalid(msg)
            schedule(value)

        return check_schedule
    if kind in _LISTS:
        item = _checker(_LISTS[kind], path)

        def check_list(value: Any, where: str) -> None:
            if not isinstance(value, list) or len(value) > 100_000:
                msg = f"{where}: expected a list, got {_shown(value)}"
                raise Invalid(msg)
            for each in value:
                item(each, where)

        return check_list
    found = _LEAVES.get(kind)
    if found is None:  # pragma: no cover - a mistake in KINDS
        msg = f"{path}: unknown field type {kind}"
        raise AssertionError(msg)
    return found


def _check_string(value: Any, where: str) -> None:
    if not isinstance(value, str) or len(value) > MAX_TEXT:
        msg = f"{where}: expected a string, got {_shown(value)}"
        raise Invalid(msg)
    if not value.strip():
        msg = f"{where}: expected a non-empty string"
        raise Invalid(msg)
    _check_text(value, where)


def _check_any_text(value: Any, where: str) -> None:
    if not isinstance(value, str) or len(value) > MAX_TEXT:
        msg = f"{where}: expected a string, got {_shown(value)}"
        raise Invalid(msg)
    _check_text(value, where)


def _check_bool(value: Any, where: str) -> None:
    if not isinstance(value, bool):
        msg = f"{where}: expected true or false, got {_shown(value)}"
        raise Invalid(msg)


_LISTS = {"names": "str", "uuids": "uuid", "days": "day"}


def _check_text(value: str, where: str) -> None:
    if value.isascii():  # (no lone surrogate, and no copy made to find out)
        return
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        msg = f"{where}: not valid UTF-8 text"
        raise Invalid(msg) from None


def _plain(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value or len(value) > 100:
        msg = f"{where}: expected an id, got {_shown(value)}"
        raise Invalid(msg)
    _check_text(value, where)
    return value


_canonical_uuid: Callable[[str], object] | None = None  # `_uuid`'s pattern, on first use


def _uuid(value: Any, where: str) -> str:
    global _canonical_uuid
    if not isinstance(value, str):
        msg = f"{where}: expected a uuid, got {_shown(value)}"
        raise Invalid(msg)
    if _canonical_uuid is None:
        import re

        _canonical_uuid = re.compile(
            "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
        ).fullmatch
    if _canonical_uuid(value) is not None:  # as every handoff writes it: no UUID made
        return value
    import uuid as uuidlib

    try:
        return str(uuidlib.UUID(value))
    except ValueError:
        msg = f"{where}: expected a uuid, got {_shown(value)}"
        raise Invalid(msg) from None


def _day(value: Any, where: str) -> date:
    if not isinstance(value, str) or len(value) != 10:
        msg = f"{where}: expected a date YYYY-MM-DD, got {_shown(value)}"
        raise Invalid(msg)
    try:
        day = date.fromisoformat(value)
    except ValueError:
        msg = f"{where}: expected a date YYYY-MM-DD, got {_shown(value)}"
        raise Invalid(msg) from None
    if not 1900 <= day.year <= 2999:
        msg = f"{where}: {value} is out of range"
        raise Invalid(msg)
    return day


def _moment(value: Any, where: str) -> datetime:
    if not isinstance(value, str):
        msg = f"{where}: expected a date-time, got {_shown(value)}"
        raise Invalid(msg)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        msg = f"{where}: expected an ISO 8601 date-time, got {_shown(value)}"
        raise Invalid(msg) from None
    if moment.utcoffset() is None:
        msg = f"{where}: expected a date-time with a UTC offset, got {_shown(value)}"
        raise Invalid(msg)
    if not 1900 <= moment.year <= 2999:
        msg = f"{where}: {value} is out of range"
        raise Invalid(msg)
    return moment


def _shown(value: Any) -> str:
    import json

    text = json.dumps(value, ensure_ascii=True, default=str)
    return text if len(text) <= 40 else text[:37] + "..."


_LEAVES: dict[str, Callable[[Any, str], object]] = {
    "str": _check_string,
    "text": _check_any_text,
    "bool": _check_bool,
    "uuid": _uuid,
    "day": _day,
    "moment": _moment,
}
