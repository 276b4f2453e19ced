"""Syncing an encrypted team: joining, chunks out and in, admitting and removing members.

sync.py runs the round (lock, commit, pull, push); this module is what
changes when the team is encrypted. vault.py holds the repository's
encrypted layout, crypto.py the keys.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from handoff_cli.errors import BadInput
from handoff_cli.store import Store
from handoff_cli.team import crypto, layout, vault
from handoff_cli.team.crypto import CryptoError, DeviceKeys
from handoff_cli.team.layout import TeamError
from handoff_cli.team.vault import Request, Trust

TRUST_META = "vault.trust"
SEQ_META = "vault.seq"  # the number of the last chunk this device wrote
SMALL_CHUNK = 256 * 1024  # bytes: a chunk smaller than this is merged with others
COMPACT_AT = 32  # small chunks of one device that are merged into one


class Removed(TeamError):
    """This member was removed from the team: nothing more is sent or received."""


def device_keys(store: Store) -> DeviceKeys:
    _, device = store.identity()
    return DeviceKeys.load(crypto.keys_path(device))


def me(store: Store) -> str:
    return vault.holder(*store.identity())


def trust(store: Store, clone: Path, keys: DeviceKeys | None = None) -> Trust:
    """What this device trusts now: remembered, plus what the clone adds (then remembered)."""
    saved = json.loads(store.meta(TRUST_META) or "{}")
    found = vault.load_trust(clone, saved, keys or device_keys(store))
    remember(store, found, saved)
    return found


def remember(store: Store, found: Trust, saved: dict[str, Any] | None = None) -> None:
    record = found.saved()
    if record != saved:
        with store.write():
            store.set_meta(TRUST_META, json.dumps(record, sort_keys=True))


# --------------------------------------------------------------------------- joining


@dataclass(frozen=True)
class Joining:
    fingerprint: str  # this device's, to compare with whoever admits it
    founder: Request | None  # whom this device trusted first (None: it founded the team)


def join(
    store: Store, clone: Path, *, started: bool, name: str, trusting: str | None = None
) -> Joining:
    """This device's keys (made once, kept in the config directory) published to the
    clone; the team started (first identity, self-admitted), or the device whose
    fingerprint a member read out (`trusting`) trusted, else the founder's (on first use).
    """
    member, device = store.identity()
    path = crypto.keys_path(device)
    keys = DeviceKeys.load(path) if path.exists() else DeviceKeys.generate()
    keys.save(path)
    vault.publish_keys(clone, member, device, keys, name)
    mine = vault.holder(member, device)
    found = Trust()
    root = None
    if started:
        vault.admit(clone, found, me=mine, keys=keys, member=member, device=device,
                    subject=keys.public, name=name)  # fmt: skip
        vault.start_epoch(clone, found, me=mine, keys=keys)
    else:
        if trusting is not None:
            root = vault.with_fingerprint(clone, trusting)
            if root is None:
                msg = f"no admitted device in this team has the fingerprint {trusting}"
                raise BadInput(msg)
        else:
            root = vault.founder(clone)
        if root is None:
            msg = (
                "this encrypted team's repository has no signed statement by its founder; "
                "it cannot be joined safely (ask the team to check the repository)"
            )
            raise TeamError(msg)
        found.pinned[vault.holder(root.member, root.device)] = root.keys
        found.members[vault.holder(root.member, root.device)] = root.member
        found.pinned[mine] = keys.public
        found.members[mine] = member
    remember(store, found)
    return Joining(keys.public.fingerprint(), root)


# ------------------------------------------------------------------------- sending


@dataclass
class Outbox:
    """Where an admitted device's records go: new chunks, CHUNK_RECORDS at a time."""

    store: Store
    clone: Path
    trust: Trust
    keys: DeviceKeys
    member: str
    device: str

    def write(self, lines: Iterable[str]) -> int:
        count = 0
        batch: list[str] = []
        for line in lines:
            batch.append(line)
            if len(batch) >= vault.CHUNK_RECORDS:
                count += self._chunk(batch)
                batch = []
        if batch:
            count += self._chunk(batch)
        return count

    def compact(self) -> int:
        """Merge this device's small chunks once there are COMPACT_AT of them; how many.

        Every sync that sends writes a chunk (a write, then its background sync:
        often a chunk of one record). Left alone, ten years of that would be
        hundreds of thousands of files for git to check out and a newcomer to
        decrypt. Merged, they are a few chunks of up to SMALL_CHUNK bytes; a
        reader applies the merged chunk again, which changes nothing (a change
        is applied once, by uuid).
        """
        folder = self.clone / "log" / self.member / self.device
        small = [p for p in sorted(folder.glob("*.age")) if p.stat().st_size < SMALL_CHUNK]
        if len(small) < COMPACT_AT:
            return 0
        lines: list[str] = []
        for path in small:
            try:
                found = vault.read_chunk(path, self.trust, member=self.member, device=self.device)
            except CryptoError:
                continue  # damaged: nobody can read it, so it goes (its records with it)
            lines.extend(line.decode("utf-8") for line in found)
        if lines:
            self.write(lines)
        for path in small:
            path.unlink()
        return len(small)

    def _chunk(self, lines: list[str]) -> int:
        last = int(self.store.meta(SEQ_META) or "0")
        seq = vault.next_seq(self.clone, self.member, self.device, last)
        vault.write_chunk(self.clone, self.trust, member=self.member, device=self.device,
                          keys=self.keys, lines=lines, seq=seq)  # fmt: skip
        with self.store.write():
            self.store.set_meta(SEQ_META, str(seq))
        return len(lines)


def outbox(store: Store, clone: Path) -> Outbox | None:
    """Ready to send: the trust kept in order first. None while not admitted yet."""
    keys = device_keys(store)
    vault.clear_torn(clone)
    found = trust(store, clone, keys)
    check_not_removed(store, found)
    if not found.admitted():
        return None
    mine = me(store)
    if found.removed_holding_current():  # two removals at once: one more rotation
        vault.start_epoch(clone, found, me=mine, keys=keys)
    for h in found.active_holders():  # one admitted while another rotated: give them the key
        vault.share_identities(clone, found, h)
    remember(store, found)
    member, device = store.identity()
    return Outbox(store, clone, found, keys, member, device)


def check_not_removed(store: Store, found: Trust) -> None:
    member, _ = store.identity()
    if member not in found.removed:
        return
    msg = (
        "you were removed from this team: nothing more is sent or received "
        "(everything you had stays in your database)"
    )
    raise Removed(msg)


# ------------------------------------------------------------------------- receiving


@dataclass(frozen=True)
class Chunk:
    member: str
    key: str  # its path in the clone
    lines: list[bytes]
    size: int


def _unread(store: Store, clone: Path, done: set[str]) -> Iterator[tuple[str, str, Path, str]]:
    """(member, device, path, key) of every other device's chunk not applied yet."""
    mine = me(store)
    for member, device, path in vault.chunk_files(clone):
        key = str(path.relative_to(clone))
        if key not in done and vault.holder(member, device) != mine:
            yield member, device, path, key


def unread_bytes(store: Store, clone: Path, done: set[str]) -> int:
    """The size of the chunks `incoming` would read (before checking them)."""
    total = 0
    for _member, _device, path, _key in _unread(store, clone, done):
        try:
            total += path.stat().st_size
        except OSError:  # refused when read, with why
            continue
    return total


def incoming(
    store: Store,
    clone: Path,
    done: set[str],
    refuse: Callable[[str, str, str], None],
    skip: Callable[[str, str, str], None],
) -> Iterator[Chunk]:
    """Every chunk not applied yet, checked. A chunk that fails is refused (and tried
    again next time); a removed member's late chunk is skipped, for good."""
    found = trust(store, clone)
    check_not_removed(store, found)
    if not found.admitted():
        return  # nothing can be read before a member admits this device
    for member, device, path, key in _unread(store, clone, done):
        try:
            lines = vault.read_chunk(path, found, member=member, device=device)
        except vault.AfterRemoval as exc:
            skip(member, key, exc.message)
            continue
        except CryptoError as exc:
            refuse(member, key, exc.message)
            continue
        except OSError as exc:
            refuse(member, key, str(exc.strerror or exc))
            continue
        yield Chunk(member, key, lines, path.stat().st_size)


# ------------------------------------------------------------------ admit and remove


@dataclass(frozen=True)
class Standing:
    """This device in an encrypted team, for `handoff team`."""

    fingerprint: str
    admitted: bool
    waiting: list[tuple[str, str]]  # (name, fingerprint) of devices asking to join
    disputes: list[str]  # "A and B removed each other"


def _requested_name(request: Request, names: dict[str, str]) -> str:
    return request.name or names.get(request.member, request.member)


def standing(store: Store, clone: Path) -> Standing:
    keys = device_keys(store)
    found = trust(store, clone, keys)
    names = {m.id: m.name for m in layout.members(clone)}
    waiting = [
        (_requested_name(r, names), r.keys.fingerprint()) for r in vault.requests(clone, found)
    ]
    return Standing(keys.public.fingerprint(), found.admitted(), waiting, disputes(found))


def disputes(found: Trust) -> list[str]:
    def said(a: str, b: str) -> str:
        if a == b:
            return (
                f"statements about {found.names.get(a, a)} contradict each other: they "
                "are out of the team as this device sees it"
            )
        return (
            f"{found.names.get(a, a)} and {found.names.get(b, b)} removed each other: "
            "both are out of the team as this device sees it"
        )

    return [said(a, b) for a, b in found.disputes]


def admitted(store: Store, clone: Path) -> tuple[bool, list[str]]:
    """Whether this device is admitted, and any disputes to say."""
    found = trust(store, clone)
    return found.admitted(), disputes(found)


def requests_of(store: Store, clone: Path, name: str) -> tuple[Trust, list[Request]]:
    found = trust(store, clone)
    names = {m.id: m.name for m in layout.members(clone)}
    pending = vault.requests(clone, found)
    chosen = [r for r in pending if _requested_name(r, names).casefold() == name.casefold()]
    if not chosen:
        who = sorted({_requested_name(r, names) for r in pending})
        hint = f" (waiting: {', '.join(who)})" if who else " (nobody is waiting to be admitted)"
        msg = f"nobody named {name!r} is waiting to be admitted{hint}"
        raise BadInput(msg)
    if len({r.member for r in chosen}) > 1:
        msg = f"two people named {name!r} are waiting; ask one of them to join under another name"
        raise BadInput(msg)
    if not found.admitted():
        msg = "this device is not admitted itself yet: a member who is admits newcomers"
        raise TeamError(msg)
    return found, chosen


def admit(store: Store, clone: Path, found: Trust, chosen: list[Request], name: str) -> None:
    keys = device_keys(store)
    for r in chosen:
        vault.admit(clone, found, me=me(store), keys=keys, member=r.member, device=r.device,
                    subject=r.keys, name=r.name or name)  # fmt: skip
    remember(store, found)


@dataclass(frozen=True)
class Leaving:
    member: str
    fingerprints: list[str]  # of their devices: what the remover sees before saying yes


def member_to_remove(store: Store, clone: Path, name: str) -> tuple[Trust, Leaving]:
    """The member NAME, by the name their admission signed (the repository's member
    files are not signed: a host could swap two names); BadInput if none, or two."""
    found = trust(store, clone)
    if not found.admitted():
        msg = "this device is not admitted to the team: only an admitted member removes one"
        raise TeamError(msg)
    present = {m for m in found.members.values() if m not in found.removed}
    ids = {m for m in present if found.names.get(m, "").casefold() == name.casefold()}
    if not ids:
        known = sorted(found.names.get(m, m) for m in present)
        msg = f"no member named {name!r} in this team (members: {', '.join(known)})"
        raise BadInput(msg)
    if len(ids) > 1:
        msg = f"two members are named {name!r}; this cannot tell which one to remove"
        raise BadInput(msg)
    member = ids.pop()
    if member == store.identity()[0]:
        msg = "you cannot remove yourself; another member runs `handoff team remove`"
        raise BadInput(msg)
    prints = [
        k.fingerprint() for h, k in sorted(found.pinned.items()) if found.members[h] == member
    ]
    return found, Leaving(member, prints)


def remove(store: Store, clone: Path, found: Trust, member: str) -> int:
    """Remove `member` and rotate; the number of devices the new identity went to."""
    keys = device_keys(store)
    vault.remove(clone, found, me=me(store), keys=keys, member=member)
    remember(store, found)
    return len(found.active_holders())
