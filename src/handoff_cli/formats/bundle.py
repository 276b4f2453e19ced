"""The JSON bundle: the lossless handoff that `handoff import` reads.

Writing streams: `dump` yields the text piece by piece, one record per line,
so a million notes never sit in memory at once (the caller hands notes over
as an iterator, straight from a database cursor).

Reading distrusts the file: `parse` refuses anything that is not UTF-8 JSON
of our format and version, nests deeper than a bundle can, spells NaN or
Infinity, repeats a key or a uuid, or has a field of the wrong type, and its
message names the record and the field (`clients[2].notes[5].at: ...`). It
returns plain records; it never touches a database.

The fields are documented in docs/bundle.md.
"""

from __future__ import annotations

import json
import re
import uuid as uuidlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, NamedTuple

from handoff_cli.daterange import RANGE, day_in_range, moment_in_range
from handoff_cli.errors import BadInput
from handoff_cli.formats._text import has_surrogates
from handoff_cli.models import NOTE_KINDS, PROMISE_STATUSES
from handoff_cli.names import clean_name, name_key
from handoff_cli.stamps import ZERO_STAMP

FORMAT = "handoff-bundle"
VERSION = 2
READS = (1, 2)  # version 1 bundles are read too; their records count as oldest
MAX_BYTES = 512 * 1024 * 1024  # a bundle of a million notes is about 400 MB
MAX_DEPTH = 16  # a bundle nests 7 deep; anything much deeper is not one
MAX_ERRORS = 20


class ClientRecords(NamedTuple):
    """One client's records for export, as JSON-ready dicts; notes stay a lazy iterator."""

    client: dict[str, Any]  # uuid, name, clock, writer, aliases
    contacts: Sequence[dict[str, Any]]
    promises: Sequence[dict[str, Any]]
    notes: Iterable[dict[str, Any]]


# ------------------------------------------------------------------- writing


def _dumps(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    try:  # a lone surrogate is what UTF-8 cannot encode (1 us a note; a regex took 3.5)
        text.encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(value)  # escaped, JSON still carries it
    return text


def _array(
    key: str, records: Iterable[dict[str, Any]], *, last: bool = False, indent: str = "      "
) -> Iterator[str]:
    """`"key": [` then one record per line, then `]`."""
    head = f'{indent}"{key}": ['
    first = True
    for record in records:
        yield (head + "\n" if first else ",\n") + indent + "  " + _dumps(record)
        first = False
    end = "" if last else ","
    yield (head + "]" if first else f"\n{indent}]") + end + "\n"


def dump(
    *,
    exported_at: datetime,
    author: str,
    clients: Iterable[ClientRecords],
    tombstones: Iterable[dict[str, Any]] = (),
) -> Iterator[str]:
    """The bundle's text, in pieces. Notes are consumed lazily, client by client."""
    yield "{\n"
    yield f'  "format": {_dumps(FORMAT)},\n'
    yield f'  "version": {VERSION},\n'
    yield f'  "exported_at": {_dumps(exported_at.isoformat())},\n'
    yield f'  "author": {_dumps(author)},\n'
    yield '  "clients": ['
    first = True
    for records in clients:
        yield ("\n" if first else ",\n") + "    {\n"
        first = False
        for key, value in records.client.items():
            yield f'      "{key}": {_dumps(value)},\n'
        yield from _array("contacts", records.contacts)
        yield from _array("promises", records.promises)
        yield from _array("notes", records.notes, last=True)
        yield "    }"
    yield "],\n" if first else "\n  ],\n"
    yield from _array("tombstones", tombstones, last=True, indent="  ")
    yield "}\n"


# ------------------------------------------------------------------- reading


@dataclass(frozen=True, slots=True)
class BundleContact:
    uuid: str
    name: str
    role: str | None
    email: str | None
    phone: str | None
    stamp: str = ZERO_STAMP  # "clock@member" of its name (version 1: the oldest)
    stamps: dict[str, str] = field(default_factory=dict)  # role, email, phone
    aliases: tuple[tuple[str, str], ...] = ()  # (uuid, the name key it was made under)
    renamed: bool = False  # its name is from a rename (stamp), not its creation
    also_known_as: tuple[tuple[str, str], ...] = ()  # (alias, the stamp of its spelling)


@dataclass(frozen=True, slots=True)
class BundleNote:
    uuid: str
    at: datetime
    kind: str
    text: str
    author: str
    with_: tuple[str, ...]
    tags: tuple[str, ...]
    with_ids: tuple[str, ...] = ()
    on: str | None = None
    stamp: str = ZERO_STAMP
    text_stamp: str | None = None


@dataclass(frozen=True, slots=True)
class BundleCompletion:
    uuid: str
    at: datetime
    day: date
    note: str | None  # the uuid of the timeline note recorded with it
    kind: str = "done"
    covers: tuple[date, ...] | None = None  # None: a version-1 completion (derived on import)
    stamp: str = ZERO_STAMP


@dataclass(frozen=True, slots=True)
class BundleUndo:
    uuid: str
    mark: str
    at: datetime
    stamp: str


@dataclass(frozen=True, slots=True)
class BundlePause:
    uuid: str
    kind: str  # pause or resume
    day: date
    until: date | None
    stamp: str


@dataclass(frozen=True, slots=True)
class BundlePromise:
    uuid: str
    title: str
    to: str | None
    rule: str | None
    start: date
    after_done: bool
    status: str
    resumed_on: date | None
    created_at: datetime | None
    completions: tuple[BundleCompletion, ...]
    where: str  # e.g. "clients[0].promises[2]", for messages about it
    owner: str | None = None
    due_at: datetime | None = None
    covered_through: date | None = None
    to_id: str | None = None
    undos: tuple[BundleUndo, ...] = ()
    pauses: tuple[BundlePause, ...] = ()
    stamp: str = ZERO_STAMP
    stamps: dict[str, str] = field(default_factory=dict)
    next_due: date | None = None  # as the exporting handoff had it (recomputed on import)


@dataclass(frozen=True, slots=True)
class BundleClient:
    uuid: str
    name: str
    contacts: tuple[BundleContact, ...]
    promises: tuple[BundlePromise, ...]
    notes: tuple[BundleNote, ...]
    stamp: str = ZERO_STAMP
    aliases: tuple[tuple[str, str], ...] = ()
    renamed: bool = False
    removed_contacts: tuple[BundleContact, ...] = ()  # off the list for good (`contact rm`)


@dataclass(frozen=True, slots=True)
class BundleTombstone:
    uuid: str
    kind: str
    stamp: str


@dataclass(frozen=True, slots=True)
class Bundle:
    exported_at: datetime
    author: str
    clients: tuple[BundleClient, ...]
    version: int = VERSION
    tombstones: tuple[BundleTombstone, ...] = ()

    def count(self) -> dict[str, int]:
        return {
            "clients": len(self.clients),
            "contacts": sum(len(c.contacts) for c in self.clients),
            "promises": sum(len(c.promises) for c in self.clients),
            "notes": sum(len(c.notes) for c in self.clients),
            "completions": sum(len(p.completions) for c in self.clients for p in c.promises),
        }


_BROKEN_TEXT = "contains a lone surrogate (\\ud800-\\udfff), which is not text"


class _Invalid(Exception):
    """One field is wrong; `_Reader` collects these and reports them together."""


_NOT_BRACKETS_OR_QUOTES = bytes(b for b in range(256) if b not in b'[]{}"')
_STRING_LEFT = re.compile(rb'"[^"]*"')


def check_nesting(data: bytes, limit: int = MAX_DEPTH) -> None:
    """Refuse text whose brackets nest deeper than `limit`, before any parser recurses.

    Runs at C speed (about 100 MB/s): escaped backslashes and quotes are
    dropped, then everything but brackets and quotes; adjacent quote pairs
    go next (an empty string, or two strings merged, which keeps every bracket
    inside or outside a string as it was), then the few strings still holding
    brackets. Innermost pairs are then removed `limit` times: a shallow
    document is gone by then, and what remains is measured.
    """
    rest = data.replace(b"\\\\", b"").replace(b'\\"', b"")
    rest = rest.translate(None, _NOT_BRACKETS_OR_QUOTES).replace(b'""', b"")
    brackets = _STRING_LEFT.sub(b"", rest)
    peeled = 0  # each round peels at least one level (two, where [ and { alternate)
    while brackets and peeled < limit:
        shorter = brackets.replace(b"[]", b"").replace(b"{}", b"")
        if len(shorter) == len(brackets):
            break  # unbalanced: what is left is measured below
        brackets = shorter
        peeled += 1
    if not brackets:
        return
    if len(brackets) > 64 * limit:
        depth = len(brackets)  # hostile or broken beyond measure: no need to count
    else:
        depth = level = 0
        for byte in brackets:
            level += 1 if byte in b"[{" else -1
            depth = max(depth, level)
    if peeled + depth > limit:
        msg = f"it nests brackets deeper than {limit} levels, which no bundle does"
        raise BadInput(msg)


def _reject_constant(name: str) -> Any:
    msg = f"it contains {name}, which is not a number JSON allows"
    raise BadInput(msg)


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                msg = f"the key {json.dumps(key)} appears twice in one object"
                raise BadInput(msg)
            seen.add(key)
    return result


def load_json(data: bytes) -> Any:
    """Decode the file's bytes as strict JSON, refusing hostile shapes cheaply first."""
    if len(data) > MAX_BYTES:
        msg = f"it is larger than {MAX_BYTES // (1024 * 1024)} MB"
        raise BadInput(msg)
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        msg = f"it is not UTF-8 text (bad byte at offset {exc.start})"
        raise BadInput(msg) from None
    check_nesting(data)
    try:
        return json.loads(text, parse_constant=_reject_constant, object_pairs_hook=_unique_keys)
    except json.JSONDecodeError as exc:
        msg = (
            f"it is not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno}); "
            "a bundle is made by `handoff export --format json`"
        )
        raise BadInput(msg) from None
    except RecursionError:
        msg = "it nests too deeply to be a bundle"
        raise BadInput(msg) from None
    except ValueError as exc:  # an integer of more than 4,300 digits (sys.int_info)
        msg = f"it holds a number no bundle has ({exc})"
        raise BadInput(msg) from None


def parse(data: bytes) -> Bundle:
    """The bundle in `data`, fully checked; BadInput naming the first problems otherwise."""
    top = load_json(data)
    if not isinstance(top, dict):
        msg = f"it is not a handoff bundle (the top level is {_kind_of(top)}, not an object)"
        raise BadInput(msg)
    if top.get("format") != FORMAT:
        msg = f'it is not a handoff bundle ("format" should be "{FORMAT}")'
        raise BadInput(msg)
    version = top.get("version")
    if type(version) is not int:
        msg = f'"version" should be the number {VERSION}'
        raise BadInput(msg)
    if version not in READS:
        newer = " (made by a newer handoff; upgrade to import it)" if version > VERSION else ""
        msg = f"it is a version {version} bundle; this handoff reads versions 1 and 2{newer}"
        raise BadInput(msg)
    return _Reader(version).bundle(top)


def _kind_of(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    return "an object"


def _shown(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=True)
    return text if len(text) <= 40 else text[:37] + "..."


class _Reader:
    """Checks every record, collecting errors (up to MAX_ERRORS) instead of stopping."""

    def __init__(self, version: int = VERSION) -> None:
        self.version = version
        self.errors: list[str] = []  # the first MAX_ERRORS messages
        self.problems = 0  # how many there were in all
        self.seen: dict[str, str] = {}  # uuid -> where it was first seen

    # -- the structure

    def bundle(self, top: dict[str, Any]) -> Bundle:
        exported_at = self._datetime(top, "exported_at", "")
        author = self._text(top, "author", "", required=False) or ""
        raw_clients = top.get("clients")
        clients: list[BundleClient] = []
        tombstones: tuple[BundleTombstone, ...] = ()
        if "tombstones" in top:
            try:
                tombstones = self._records(top, "tombstones", "", self.tombstone)
            except _Invalid:
                pass
        if not isinstance(raw_clients, list):
            self._error("clients", f"expected a list, got {_kind_of(raw_clients)}")
        else:
            keys: dict[str, str] = {}
            for i, raw in enumerate(raw_clients):
                if len(self.errors) >= MAX_ERRORS:  # before `continue`: 30M bad clients stop here
                    break
                client = self._record(raw, f"clients[{i}]", self.client)
                if client is None:
                    continue
                clients.append(client)
                key = name_key(client.name)
                if key in keys:
                    self._error(
                        f"clients[{i}].name", f"'{client.name}' is the same client as {keys[key]}"
                    )
                keys.setdefault(key, f"clients[{i}]")
                if len(self.errors) >= MAX_ERRORS:
                    break
        if self.problems:
            more = self.problems - 1
            many = "+" if len(self.errors) >= MAX_ERRORS else ""
            extra = f" (and {more}{many} more problem{'s' if more > 1 else ''})" if more else ""
            raise BadInput(self.errors[0] + extra)
        assert exported_at is not None
        return Bundle(exported_at, author, tuple(clients), self.version, tombstones)

    def _record(self, raw: Any, where: str, read: Any) -> Any:
        if not isinstance(raw, dict):
            self._error(where, f"expected an object, got {_kind_of(raw)}")
            return None
        try:
            return read(raw, where)
        except _Invalid:
            return None

    def _records(self, obj: dict[str, Any], key: str, where: str, read: Any) -> tuple[Any, ...]:
        raw = obj.get(key, [])
        if not isinstance(raw, list):
            self._fail(f"{where}.{key}", f"expected a list, got {_kind_of(raw)}")
        out = []
        for i, item in enumerate(raw):
            record = self._record(item, f"{where}.{key}[{i}]", read)
            if record is not None:
                out.append(record)
            if len(self.errors) >= MAX_ERRORS:
                raise _Invalid
        return tuple(out)

    def client(self, obj: dict[str, Any], where: str) -> BundleClient:
        before = self.problems
        uuid = self._uuid(obj, where)
        name = self._name(obj, "name", where)
        contacts = self._records(obj, "contacts", where, self.contact)
        promises = self._records(obj, "promises", where, self.promise)
        notes = self._records(obj, "notes", where, self.note)
        stamp = self._stamp(obj, where)
        aliases = self._aliases(obj, where)
        renamed = self._flag(obj, "renamed", where)
        removed = self._records(obj, "removed_contacts", where, self.contact)

        names: dict[str, int] = {}
        for i, contact in enumerate(contacts):
            key = name_key(contact.name)
            if key in names:
                self._error(
                    f"{where}.contacts[{i}].name",
                    f"'{contact.name}' is the same person as contacts[{names[key]}]",
                )
            names.setdefault(key, i)
        self._check(before)
        return BundleClient(uuid, name, contacts, promises, notes, stamp, aliases, renamed, removed)

    def contact(self, obj: dict[str, Any], where: str) -> BundleContact:
        before = self.problems
        record = BundleContact(
            uuid=self._uuid(obj, where),
            name=self._name(obj, "name", where),
            role=self._text(obj, "role", where, required=False),
            email=self._text(obj, "email", where, required=False),
            phone=self._text(obj, "phone", where, required=False),
            stamp=self._stamp(obj, where),
            stamps=self._stamps(obj, where),
            aliases=self._aliases(obj, where),
            renamed=self._flag(obj, "renamed", where),
            also_known_as=self._also_known_as(obj, where),
        )
        self._check(before)
        return record

    def note(self, obj: dict[str, Any], where: str) -> BundleNote:
        before = self.problems
        uuid = self._uuid(obj, where)
        at = self._datetime(obj, "at", where)
        kind = obj.get("kind")
        if kind not in NOTE_KINDS:
            choices = ", ".join(NOTE_KINDS)
            self._error(f"{where}.kind", f"expected one of {choices}, got {_shown(kind)}")
        text = self._text(obj, "text", where)
        author = self._text(obj, "author", where)
        with_ = self._strings(obj, "with", where)
        tags = self._strings(obj, "tags", where)
        with_ids = self._uuids(obj, "with_ids", where)
        on = self._uuid(obj, where, key="on", register=False) if obj.get("on") else None
        stamp = self._stamp(obj, where)
        text_stamp = self._stamps(obj, where).get("text")
        self._check(before)
        assert at is not None and text is not None and author is not None
        return BundleNote(
            uuid, at, str(kind), text, author, with_, tags, with_ids, on, stamp, text_stamp
        )

    def promise(self, obj: dict[str, Any], where: str) -> BundlePromise:
        before = self.problems
        uuid = self._uuid(obj, where)
        title = self._text(obj, "title", where)
        if title is not None and not title.strip():
            self._error(f"{where}.title", "expected a title, got an empty string")
        to = self._text(obj, "to", where, required=False)
        rule = self._text(obj, "rule", where, required=False)
        start = self._date(obj, "start", where)
        after_done = obj.get("after_done", False)
        if not isinstance(after_done, bool):
            self._error(f"{where}.after_done", f"expected true or false, got {_shown(after_done)}")
        status = obj.get("status")
        if status not in PROMISE_STATUSES:
            choices = ", ".join(PROMISE_STATUSES)
            self._error(f"{where}.status", f"expected one of {choices}, got {_shown(status)}")
        resumed_on = self._date(obj, "resumed_on", where, required=False)
        created_at = self._datetime(obj, "created_at", where, required=False)
        next_due = None
        if "next_due" in obj:  # recomputed on import, but it must still make sense
            next_due = self._date(obj, "next_due", where, required=False)
        completions = self._records(obj, "completions", where, self.completion)
        owner = self._text(obj, "owner", where, required=False)
        due_at = self._datetime(obj, "due_at", where, required=False)
        covered_through = self._date(obj, "covered_through", where, required=False)
        to_id = self._uuid(obj, where, key="to_id", register=False) if obj.get("to_id") else None
        undos = self._records(obj, "undos", where, self.undo)
        pauses = self._records(obj, "pauses", where, self.pause)
        stamp = self._stamp(obj, where)
        stamps = self._stamps(obj, where)
        self._check(before)
        assert title is not None and start is not None
        return BundlePromise(
            uuid, title, to, rule, start, bool(after_done), str(status), resumed_on,
            created_at, completions, where, owner, due_at, covered_through, to_id,
            undos, pauses, stamp, stamps, next_due,
        )  # fmt: skip

    def completion(self, obj: dict[str, Any], where: str) -> BundleCompletion:
        before = self.problems
        uuid = self._uuid(obj, where)
        at = self._datetime(obj, "at", where)
        day = self._date(obj, "day", where)
        note = obj.get("note")
        if note is not None:
            note = self._uuid(obj, where, key="note", register=False)
        kind = obj.get("kind", "done")
        if kind not in ("done", "skip"):
            self._error(f"{where}.kind", f"expected done or skip, got {_shown(kind)}")
        covers: tuple[date, ...] | None = None
        if "covers" in obj:
            covers = self._days(obj, "covers", where)
        elif self.version >= 2:
            self._error(f"{where}.covers", "missing (a version 2 completion lists what it covers)")
        stamp = self._stamp(obj, where)
        self._check(before)
        assert at is not None and day is not None
        return BundleCompletion(uuid, at, day, note, str(kind), covers, stamp)

    def undo(self, obj: dict[str, Any], where: str) -> BundleUndo:
        before = self.problems
        uuid = self._uuid(obj, where)
        mark = self._uuid(obj, where, key="mark", register=False)
        at = self._datetime(obj, "at", where)
        stamp = self._stamp(obj, where)
        self._check(before)
        assert at is not None
        return BundleUndo(uuid, mark, at, stamp)

    def pause(self, obj: dict[str, Any], where: str) -> BundlePause:
        before = self.problems
        uuid = self._uuid(obj, where)
        kind = obj.get("kind")
        if kind not in ("pause", "resume"):
            self._error(f"{where}.kind", f"expected pause or resume, got {_shown(kind)}")
        day = self._date(obj, "day", where)
        until = self._date(obj, "until", where, required=False)
        stamp = self._stamp(obj, where)
        self._check(before)
        assert day is not None
        return BundlePause(uuid, str(kind), day, until, stamp)

    def tombstone(self, obj: dict[str, Any], where: str) -> BundleTombstone:
        before = self.problems
        uuid = self._uuid(obj, where, register=False)
        kind = obj.get("kind")
        if kind not in ("note", "contact"):
            self._error(f"{where}.kind", f"expected note or contact, got {_shown(kind)}")
        stamp = self._stamp(obj, where)
        self._check(before)
        return BundleTombstone(uuid, str(kind), stamp)

    # -- version 2: stamps, aliases

    def _stamp(self, obj: dict[str, Any], where: str) -> str:
        """A record's "clock" and "writer" as one stamp; the oldest for version 1."""
        from handoff_cli import stamps

        if "clock" not in obj and "writer" not in obj:
            return ZERO_STAMP
        clock, writer = obj.get("clock"), obj.get("writer")
        if not stamps.is_clock(clock):
            self._error(
                f"{where}.clock", f"expected a clock like {stamps.ZERO}, got {_shown(clock)}"
            )
            return ZERO_STAMP
        if not isinstance(writer, str) or len(writer) > 100 or "@" in writer:
            self._error(f"{where}.writer", f"expected a member id, got {_shown(writer)}")
            return ZERO_STAMP
        assert isinstance(clock, str)
        return stamps.stamp(clock, writer)

    def _flag(self, obj: dict[str, Any], key: str, where: str) -> bool:
        raw = obj.get(key, False)
        if not isinstance(raw, bool):
            self._error(f"{where}.{key}", f"expected true or false, got {_shown(raw)}")
            return False
        return raw

    def _stamps(self, obj: dict[str, Any], where: str) -> dict[str, str]:
        from handoff_cli import stamps

        raw = obj.get("stamps", {})
        if not isinstance(raw, dict):
            self._error(f"{where}.stamps", f"expected an object, got {_kind_of(raw)}")
            return {}
        found = {}
        for key, value in raw.items():
            clock = value.partition("@")[0] if isinstance(value, str) else None
            if not stamps.is_clock(clock) or len(value) > 130:
                self._error(f"{where}.stamps.{key}", f"expected clock@member, got {_shown(value)}")
                continue
            found[key] = value
        return found

    def _aliases(self, obj: dict[str, Any], where: str) -> tuple[tuple[str, str], ...]:
        raw = obj.get("aliases", [])
        if not isinstance(raw, list):
            self._error(f"{where}.aliases", f"expected a list, got {_kind_of(raw)}")
            return ()
        found = []
        for i, item in enumerate(raw):
            at = f"{where}.aliases[{i}]"
            if not isinstance(item, dict):
                self._error(at, f"expected an object, got {_kind_of(item)}")
                continue
            uuid = self._uuid(item, at, register=False)
            key = item.get("key")
            if not isinstance(key, str) or not key.strip() or has_surrogates(key):
                self._error(f"{at}.key", f"expected a name key, got {_shown(key)}")
                continue
            found.append((uuid, key))
        return tuple(found)

    def _also_known_as(self, obj: dict[str, Any], where: str) -> tuple[tuple[str, str], ...]:
        """A contact's aliases and, in `also_known_as_stamps`, the stamp of each."""
        names = self._strings(obj, "also_known_as", where)
        raw = obj.get("also_known_as_stamps", [])
        if not isinstance(raw, list) or len(raw) != len(names):
            self._error(
                f"{where}.also_known_as_stamps",
                "expected a list of clock@member, one for each of also_known_as",
            )
            return ()
        found = []
        for i, (name, stamp) in enumerate(zip(names, raw, strict=True)):
            at = f"{where}.also_known_as[{i}]"
            if not clean_name(name):
                self._error(at, "expected a name, got an empty string")
                continue
            from handoff_cli import stamps

            clock = stamp.partition("@")[0] if isinstance(stamp, str) else None
            if not stamps.is_clock(clock) or len(stamp) > 130:
                self._error(
                    f"{where}.also_known_as_stamps[{i}]",
                    f"expected clock@member, got {_shown(stamp)}",
                )
                continue
            found.append((clean_name(name), stamp))
        return tuple(found)

    def _uuids(self, obj: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
        raw = obj.get(key, [])
        if not isinstance(raw, list):
            self._error(f"{where}.{key}", f"expected a list of uuids, got {_shown(raw)}")
            return ()
        found = []
        for i, value in enumerate(raw):
            holder = {"uuid": value}
            found.append(self._uuid(holder, f"{where}.{key}[{i}]", register=False))
        return tuple(found)

    def _days(self, obj: dict[str, Any], key: str, where: str) -> tuple[date, ...]:
        raw = obj.get(key)
        if not isinstance(raw, list) or len(raw) > 100_000:
            self._error(f"{where}.{key}", f"expected a list of dates, got {_shown(raw)}")
            return ()
        found = []
        for i, value in enumerate(raw):
            day = self._date({"d": value}, "d", f"{where}.{key}[{i}]")
            if day is not None:
                found.append(day)
        return tuple(found)

    # -- fields

    def _error(self, where: str, problem: str) -> None:
        self.problems += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(f"{where.lstrip('.')}: {problem}")

    def _fail(self, where: str, problem: str) -> None:
        self._error(where, problem)
        raise _Invalid

    def _check(self, errors_before: int) -> None:
        """Drop a record (its fields were reported) once one of them was wrong."""
        if self.problems != errors_before:
            raise _Invalid

    def _uuid(
        self, obj: dict[str, Any], where: str, *, key: str = "uuid", register: bool = True
    ) -> str:
        raw = obj.get(key)
        if not isinstance(raw, str):
            self._error(f"{where}.{key}", f"expected a uuid string, got {_kind_of(raw)}")
            return ""
        try:
            value = str(uuidlib.UUID(raw))
        except ValueError:
            self._error(f"{where}.{key}", f"expected a uuid, got {_shown(raw)}")
            return ""
        if register:
            first = self.seen.setdefault(value, where)
            if first != where:
                self._error(f"{where}.{key}", f"the uuid {value} is also used by {first}")
        return value

    def _text(
        self, obj: dict[str, Any], key: str, where: str, *, required: bool = True
    ) -> str | None:
        raw = obj.get(key)
        if isinstance(raw, str):
            if has_surrogates(raw):
                self._error(f"{where}.{key}", _BROKEN_TEXT)
                return None
            return raw
        if raw is None and not required:
            return None
        expected = "a string" if required else "a string or null"
        self._error(f"{where}.{key}", f"expected {expected}, got {_kind_of(raw)}")
        return None

    def _name(self, obj: dict[str, Any], key: str, where: str) -> str:
        raw = self._text(obj, key, where)
        if raw is None:
            return ""
        name = clean_name(raw)
        if not name:
            self._error(f"{where}.{key}", "expected a name, got an empty string")
        return name

    def _strings(self, obj: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
        raw = obj.get(key, [])
        if not isinstance(raw, list) or not all(isinstance(v, str) for v in raw):
            self._error(f"{where}.{key}", f"expected a list of strings, got {_shown(raw)}")
            return ()
        if any(has_surrogates(v) for v in raw):
            self._error(f"{where}.{key}", _BROKEN_TEXT)
            return ()
        return tuple(raw)

    def _datetime(
        self, obj: dict[str, Any], key: str, where: str, *, required: bool = True
    ) -> datetime | None:
        raw = obj.get(key)
        if raw is None and not required:
            return None
        problem = "expected an ISO 8601 date-time with a UTC offset"
        if not isinstance(raw, str):
            self._error(f"{where}.{key}", f"{problem}, got {_kind_of(raw)}")
            return None
        try:
            value = datetime.fromisoformat(raw)
        except ValueError:
            self._error(f"{where}.{key}", f"{problem}, got {_shown(raw)}")
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            self._error(f"{where}.{key}", f"{problem}, got {_shown(raw)} (no offset)")
            return None
        if not moment_in_range(value):  # it must have a UTC and a local form everywhere
            self._error(f"{where}.{key}", f"{_shown(raw)} is out of range ({RANGE})")
            return None
        return value

    def _date(
        self, obj: dict[str, Any], key: str, where: str, *, required: bool = True
    ) -> date | None:
        raw = obj.get(key)
        if raw is None and not required:
            return None
        problem = "expected a date, YYYY-MM-DD"
        if not isinstance(raw, str) or len(raw) != 10:
            self._error(f"{where}.{key}", f"{problem}, got {_shown(raw)}")
            return None
        try:
            value = date.fromisoformat(raw)
        except ValueError:
            self._error(f"{where}.{key}", f"{problem}, got {_shown(raw)}")
            return None
        if not day_in_range(value):
            self._error(f"{where}.{key}", f"{_shown(raw)} is out of range ({RANGE})")
            return None
        return value
