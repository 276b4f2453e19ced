"""An encrypted team repository: the git host sees ciphertext, public keys and names only.

Layout, besides handoff-team.json ("encrypted": true) and members/MEMBER.json
(file names are member and device ids; H below is MEMBER.DEVICE, a "holder"):

    keys/public/H.json                   a device's public keys (age, Ed25519): its request to join
    trust/admit.H.by.S.json              "S admits device H with these public keys", signed by S
    trust/epoch.N.by.S.json              "team identity N has this recipient, held by ...", signed
    trust/revoke.MEMBER.by.S.json        "MEMBER is removed; their chunks up to these count"
    keys/epoch.N.by.S/H.age              team identity N, encrypted to device H alone
    log/MEMBER/DEVICE/NNNNNNNN.age       a chunk: records signed by their writer, encrypted
                                         to the team's current recipient

The trust statements are signed JSON about public keys and names: nothing a
client or a note is in. Each sync writes new, immutable chunks (appending to
ciphertext would rewrite it). A reader applies a chunk only if it decrypts
with a team identity it holds and its signature verifies against a key this
device *trusts*: its own, the founder's (trusted on first use when joining,
its fingerprint shown), and every key admitted by a trusted key. Trusted keys,
removals and epochs are remembered in the database, so a git host that later
deletes or swaps a statement changes nothing here. A key the host adds
without an admission it can sign is never encrypted to, and its chunks are
refused. Removing a member starts a new epoch whose identity goes to the
remaining devices only.
"""

from __future__ import annotations

import hashlib
import json
import os
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from handoff_cli.team import crypto
from handoff_cli.team.crypto import CryptoError, DeviceKeys, PublicKeys
from handoff_cli.team.layout import TeamError, device_files

CHUNK_RECORDS = 20_000  # records in one chunk (a first sync of a large database: several)


def holder(member: str, device: str) -> str:
    return f"{member}.{device}"


class Untrusted(CryptoError):
    """A chunk whose writer no trusted member admitted: refused (the host may have added it)."""


class AfterRemoval(CryptoError):
    """A removed member's chunk written after the removal: not applied, said once."""


# ------------------------------------------------------------------------- trust


@dataclass
class Removal:
    files: dict[str, str]  # their chunks that still count: path in the clone -> SHA-256
    epoch: int  # the epoch that shut them out: their epoch statements from it on are ignored
    vouched: list[str]  # holders they admitted before it: those admissions still stand
    by: str  # the member who removed them


@dataclass
class Epoch:
    recipient: str
    holders: list[str]


@dataclass
class Trust:
    """What this device believes: trusted keys, removals, epochs and the identities it holds."""

    pinned: dict[str, PublicKeys] = field(default_factory=dict)  # holder -> keys
    members: dict[str, str] = field(default_factory=dict)  # holder -> member id
    names: dict[str, str] = field(default_factory=dict)  # member id -> name, as admitted
    removed: dict[str, Removal] = field(default_factory=dict)  # member id -> removal
    epochs: dict[int, dict[str, Epoch]] = field(default_factory=dict)  # n -> signer -> epoch
    identities: dict[str, str] = field(default_factory=dict)  # recipient -> secret
    disputes: list[tuple[str, str]] = field(default_factory=list)  # members who removed each other

    @property
    def current(self) -> int | None:
        return max(self.epochs) if self.epochs else None

    def current_epoch(self) -> tuple[int, str, Epoch]:
        """The epoch new chunks go to: the newest; of two made at once, the smaller signer's."""
        n = self.current
        if n is None:
            msg = "this team has no team identity yet (its founder's first sync is missing)"
            raise TeamError(msg)
        signer = min(self.epochs[n])
        return n, signer, self.epochs[n][signer]

    def admitted(self) -> bool:
        """Whether this device holds a team identity (it can read, so it may write)."""
        return bool(self.identities)

    def active_holders(self) -> list[str]:
        """Devices a new team identity goes to: trusted, and not removed."""
        return sorted(h for h in self.pinned if self.members[h] not in self.removed)

    def removed_holding_current(self) -> bool:
        """A removed member still holds the current identity (two removals at once, say)."""
        if self.current is None:
            return False
        _, _, epoch = self.current_epoch()
        return any(self.members.get(h) in self.removed for h in epoch.holders)

    # -- what the database remembers (team identities too: the database is private
    # to its user, and a host that deletes the repository's copies changes nothing)
    def saved(self) -> dict[str, Any]:
        return {
            "pinned": {
                h: {"member": self.members[h], **k.record()} for h, k in self.pinned.items()
            },
            "names": self.names,
            "removed": {
                m: {"files": r.files, "epoch": r.epoch, "vouched": r.vouched, "by": r.by}
                for m, r in self.removed.items()
            },
            "epochs": {
                str(n): {s: {"recipient": e.recipient, "holders": e.holders} for s, e in by.items()}
                for n, by in self.epochs.items()
            },
            "identities": self.identities,
            "disputes": [list(pair) for pair in self.disputes],
        }

    @classmethod
    def from_saved(cls, data: dict[str, Any]) -> Trust:
        trust = cls()
        for h, v in data.get("pinned", {}).items():
            trust.pinned[h] = PublicKeys.from_record(v)
            trust.members[h] = v["member"]
        trust.names = dict(data.get("names", {}))
        for m, v in data.get("removed", {}).items():
            trust.removed[m] = Removal(
                dict(v["files"]), int(v["epoch"]), list(v["vouched"]), str(v["by"])
            )
        for n, by in data.get("epochs", {}).items():
            trust.epochs[int(n)] = {
                s: Epoch(e["recipient"], list(e["holders"])) for s, e in by.items()
            }
        trust.identities = dict(data.get("identities", {}))
        trust.disputes = [(str(a), str(b)) for a, b in data.get("disputes", [])]
        return trust


def _statements(clone: Path, prefix: str) -> list[dict[str, Any]]:
    found = []
    for path in sorted((clone / "trust").glob(f"{prefix}.*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue  # not a statement anyone signed: nothing to trust
        if isinstance(data, dict) and data.get("kind") == prefix:
            found.append(data)
    return found


def _signer(statement: dict[str, Any], trust: Trust) -> str | None:
    """The trusted holder who signed `statement`, if its signature verifies."""
    signer = statement.get("by")
    keys = trust.pinned.get(signer) if isinstance(signer, str) else None
    signature = statement.get("signature")
    if keys is None or not isinstance(signature, str):
        return None
    if not crypto.verify(keys, crypto.canonical(statement), signature):
        return None
    assert isinstance(signer, str)
    return signer


def load_trust(clone: Path, saved: dict[str, Any], keys: DeviceKeys) -> Trust:
    """What this device trusts: what it remembered, and what the repository adds to it.

    Which keys count depends on who was removed (an admission signed by someone
    removed counts only if their removal vouched for it: it was made before), and
    which removals count depends on whose keys count. So the two are settled
    together: suppose a set of removals, pin the keys it allows, read the removals
    those keys signed, and repeat from what this device remembered until the
    supposition is what comes out. A removal signed by a removed member is
    ignored, unless the two removed each other (neither can be told to be first):
    then both stand, and `disputes` says so.
    """
    admissions = _statements(clone, "admit")
    removals = _statements(clone, "revoke")
    supposed: dict[str, Removal] = {}
    tried: list[set[str]] = []
    while True:
        trust = _settle(saved, admissions, removals, supposed)
        if set(trust.removed) == set(supposed) or set(trust.removed) in tried:
            break
        tried.append(set(trust.removed))
        supposed = dict(trust.removed)
    if set(trust.removed) != set(supposed):
        # Signed statements that chase each other (only a removed member's keys can make
        # them): everyone any supposition removed stays out, and the result is said.
        for found in tried:
            for member in found - set(trust.removed):
                if (member, member) not in trust.disputes:
                    trust.disputes.append((member, member))
        everyone = {m for found in tried for m in found}
        supposed = {m: r for m, r in {**supposed, **trust.removed}.items() if m in everyone}
        trust = _settle(saved, admissions, removals, supposed)
        trust.removed = {**supposed, **trust.removed}
    for data in _statements(clone, "epoch"):
        _epoch(trust, data)
    me = keys.public
    mine = [h for h, k in trust.pinned.items() if k == me]
    for n, by in trust.epochs.items():
        for signer, epoch in by.items():
            if epoch.recipient in trust.identities:
                continue
            for h in mine:
                try:
                    secret = keys.decrypt(identity_path(clone, n, signer, h).read_bytes())
                    if crypto.recipient_of(secret.decode("ascii")) == epoch.recipient:
                        trust.identities[epoch.recipient] = secret.decode("ascii")
                except (CryptoError, OSError, UnicodeDecodeError):
                    continue  # not a team identity for this device: nothing to hold
    return trust


def _settle(
    saved: dict[str, Any],
    admissions: list[dict[str, Any]],
    removals: list[dict[str, Any]],
    supposed: dict[str, Removal],
) -> Trust:
    """The keys pinned if `supposed` are the removals, and the removals those keys sign."""
    trust = Trust.from_saved(saved)
    remembered = dict(trust.removed)
    trust.removed = {**supposed, **remembered}
    while any(_admission(trust, data) for data in admissions):
        pass  # an admission may be signed by a key another admission pins
    trust.removed = remembered
    _removals(trust, removals, set(remembered))
    return trust


def _removals(trust: Trust, statements: list[dict[str, Any]], remembered: set[str]) -> bool:
    """Add the removals that stand; whether any was new."""
    candidates: dict[tuple[str, str], dict[str, Any]] = {}  # (remover, removed) -> statement
    for data in statements:
        signer = _signer(data, trust)
        if signer is None:
            continue
        remover, target = trust.members[signer], str(data.get("member"))
        files, epoch, vouched = data.get("files"), data.get("epoch"), data.get("vouched")
        if remover in remembered or remover == target:
            continue  # removed before this device saw this statement: not theirs to make
        if isinstance(files, dict) and isinstance(epoch, int) and isinstance(vouched, list):
            candidates.setdefault((remover, target), data)
    grew = False
    for (remover, target), data in sorted(candidates.items()):
        removers_of_remover = {r for r, t in candidates if t == remover}
        if removers_of_remover - {target}:
            continue  # the remover was removed by someone else: not theirs to make
        if removers_of_remover and (target, remover) not in trust.disputes:
            trust.disputes.append((remover, target))
        if target not in trust.removed:
            trust.removed[target] = Removal(
                {str(k): str(v) for k, v in data["files"].items()},
                data["epoch"],
                [str(h) for h in data["vouched"]],
                remover,
            )
            grew = True
    return grew


def _admission(trust: Trust, data: dict[str, Any]) -> bool:
    subject = holder(str(data.get("member")), str(data.get("device")))
    if subject in trust.pinned:
        return False  # a key once trusted here stays the one trusted for that device
    signer = _signer(data, trust)
    if signer is None:
        return False
    removal = trust.removed.get(trust.members[signer])
    if removal is not None and subject not in removal.vouched:
        # Admitted by someone removed: not a member. Only the key of someone removed
        # too is pinned, as it can do nothing but prove their chunks that still count.
        if str(data.get("member")) not in trust.removed:
            return False
    try:
        trust.pinned[subject] = PublicKeys.from_record(data.get("keys"))
    except ValueError:
        return False
    trust.members[subject] = str(data["member"])
    name = data.get("name")
    if isinstance(name, str) and str(data["member"]) not in trust.names:
        trust.names[str(data["member"])] = name
    return True


def _epoch(trust: Trust, data: dict[str, Any]) -> None:
    n, recipient, holders = data.get("epoch"), data.get("recipient"), data.get("holders")
    if not isinstance(n, int) or not isinstance(recipient, str) or not isinstance(holders, list):
        return
    if signer := _signer(data, trust):
        removal = trust.removed.get(trust.members[signer])
        if removal is not None and n >= removal.epoch:
            return  # made by someone removed, after they were
        epoch = Epoch(recipient, [str(h) for h in holders])
        trust.epochs.setdefault(n, {}).setdefault(signer, epoch)


# ------------------------------------------------------------------------- writing


def identity_path(clone: Path, epoch: int, signer: str, device_holder: str) -> Path:
    return clone / "keys" / f"epoch.{epoch}.by.{signer}" / f"{device_holder}.age"


def _write(path: Path, data: bytes | dict[str, Any]) -> None:
    """Whole or not at all: a sync killed mid-write must not leave half a file to commit."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, dict):
        data = (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    temp = path.with_name(f".{path.name}.tmp")
    with open(temp, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temp, path)


def clear_torn(clone: Path) -> None:
    """Remove what a killed write left (`.NAME.tmp`), before anything is committed."""
    for folder in (clone / "log", clone / "keys", clone / "trust"):
        if folder.is_dir():
            for temp in folder.rglob(".*.tmp"):
                temp.unlink(missing_ok=True)


def _sign(statement: dict[str, Any], keys: DeviceKeys) -> dict[str, Any]:
    return {**statement, "signature": keys.sign(crypto.canonical(statement))}


def public_keys_path(clone: Path, member: str, device: str) -> Path:
    return clone / "keys" / "public" / f"{holder(member, device)}.json"


def publish_keys(clone: Path, member: str, device: str, keys: DeviceKeys, name: str) -> None:
    """A device's request to join: its public keys, for a member to admit."""
    record = {"member": member, "device": device, "name": name, **keys.public.record()}
    _write(public_keys_path(clone, member, device), record)


def admit(
    clone: Path, trust: Trust, *, me: str, keys: DeviceKeys, member: str, device: str,
    subject: PublicKeys, name: str,
) -> None:  # fmt: skip
    """Admit a device: a signed statement (its keys, its member's name), and every team
    identity held here encrypted to it, so that a successor reads all history."""
    target = holder(member, device)
    name = trust.names.get(member, name)  # a member's second device keeps their name
    statement: dict[str, Any] = {"kind": "admit", "member": member, "device": device}
    statement.update({"name": name, "keys": subject.record(), "by": me})
    _write(clone / "trust" / f"admit.{target}.by.{me}.json", _sign(statement, keys))
    trust.pinned[target] = subject
    trust.members[target] = member
    trust.names.setdefault(member, name)
    share_identities(clone, trust, target)


def share_identities(clone: Path, trust: Trust, target: str) -> list[Path]:
    """Every team identity held here, encrypted to `target` where it lacks a copy."""
    written = []
    for n, by in trust.epochs.items():
        for signer, epoch in by.items():
            secret = trust.identities.get(epoch.recipient)
            path = identity_path(clone, n, signer, target)
            if secret is None or path.exists():
                continue
            _write(path, crypto.encrypt(secret.encode("ascii"), [trust.pinned[target].age]))
            written.append(path)
    return written


def start_epoch(clone: Path, trust: Trust, *, me: str, keys: DeviceKeys) -> int:
    """A new team identity, encrypted to every trusted device that is not removed."""
    n = (trust.current or 0) + 1
    secret, recipient = crypto.new_team_identity()
    holders = trust.active_holders()
    statement = {
        "kind": "epoch",
        "epoch": n,
        "recipient": recipient,
        "holders": holders,
        "by": me,
    }
    _write(clone / "trust" / f"epoch.{n}.by.{me}.json", _sign(statement, keys))
    for h in holders:
        path = identity_path(clone, n, me, h)
        _write(path, crypto.encrypt(secret.encode("ascii"), [trust.pinned[h].age]))
    trust.epochs.setdefault(n, {})[me] = Epoch(recipient, holders)
    trust.identities[recipient] = secret
    return n


def remove(clone: Path, trust: Trust, *, me: str, keys: DeviceKeys, member: str) -> None:
    """Remove a member: a signed statement naming their chunks that still count (by
    content, so none can be swapped for new records later), then a new epoch."""
    files = {
        str(path.relative_to(clone)): _digest(path)
        for path in sorted((clone / "log" / member).glob("*/*.age"))
    }
    epoch = (trust.current or 0) + 1
    vouched = sorted(h for h in trust.pinned if trust.members[h] != member)
    statement = {
        "kind": "revoke",
        "member": member,
        "files": files,
        "epoch": epoch,
        "vouched": vouched,
        "by": me,
    }
    _write(clone / "trust" / f"revoke.{member}.by.{me}.json", _sign(statement, keys))
    trust.removed[member] = Removal(files, epoch, vouched, trust.members[me])
    start_epoch(clone, trust, me=me, keys=keys)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _seq(path: Path) -> int | None:
    try:
        return int(path.stem)
    except ValueError:
        return None


def next_seq(clone: Path, member: str, device: str, last: int) -> int:
    """The next chunk's number: after every one in the clone, and after `last` (the
    writer's own memory: a host that deletes the newest chunk cannot have its number
    used again for records readers would then take as already applied)."""
    folder = clone / "log" / member / device
    found = (s for s in (_seq(p) for p in folder.glob("*.age")) if s is not None)
    return 1 + max(last, max(found, default=0))


def write_chunk(
    clone: Path, trust: Trust, *, member: str, device: str, keys: DeviceKeys, lines: list[str],
    seq: int,
) -> Path:  # fmt: skip
    """Records as a new chunk: compressed, signed by me, encrypted to the current recipient.

    Compressed before it is encrypted because git cannot compress ciphertext.
    The signature covers a header naming the writer, the chunk's number and
    the records' SHA-256, so a chunk cannot be replayed under another name.
    """
    folder = clone / "log" / member / device
    records = "".join(line + "\n" for line in lines).encode("utf-8")
    header = {
        "member": member,
        "device": device,
        "seq": seq,
        "sha256": hashlib.sha256(records).hexdigest(),
    }
    header = _sign(header, keys)
    plain = json.dumps(header).encode("ascii") + b"\n" + records
    _, _, epoch = trust.current_epoch()
    path = folder / f"{seq:08d}.age"
    _write(path, crypto.encrypt(zlib.compress(plain, 6), [epoch.recipient]))
    return path


# ------------------------------------------------------------------------- reading


def read_chunk(path: Path, trust: Trust, *, member: str, device: str) -> list[bytes]:
    """The record lines of a chunk, checked.

    Untrusted when no trusted member admitted its writer; AfterRemoval when
    its writer's member was removed and it is not one of the chunks the
    removal counted; CryptoError when it
    cannot be decrypted with a team identity held here, its signature does
    not verify, or it claims to be another device's or another chunk.
    """
    seq = _seq(path)
    if seq is None:
        msg = "not a chunk (its name is not a number)"
        raise CryptoError(msg)
    key = trust.pinned.get(holder(member, device))
    if key is None:
        msg = "its writer was never admitted by a member you trust"
        raise Untrusted(msg)
    data = path.read_bytes()
    removal = trust.removed.get(member)
    if removal is not None:
        counted = removal.files.get(f"log/{member}/{device}/{path.name}")
        if counted != hashlib.sha256(data).hexdigest():
            msg = "written after its member was removed from the team"
            raise AfterRemoval(msg)
    try:
        plain = zlib.decompress(crypto.decrypt(data, list(trust.identities.values())))
    except CryptoError as exc:
        msg = f"it cannot be decrypted with a team identity held here ({exc.message})"
        raise CryptoError(msg) from None
    except zlib.error:
        msg = "its content is not a chunk"
        raise CryptoError(msg) from None
    first, _, records = plain.partition(b"\n")
    try:
        header = json.loads(first.decode("ascii"))
    except (UnicodeDecodeError, ValueError):
        msg = "its content is not a chunk"
        raise CryptoError(msg) from None
    if not isinstance(header, dict) or not isinstance(header.get("signature"), str):
        msg = "its content is not a signed chunk"
        raise CryptoError(msg)
    if not crypto.verify(key, crypto.canonical(header), header["signature"]):
        msg = "its signature does not verify against its writer's admitted key"
        raise CryptoError(msg)
    claims = (header.get("member"), header.get("device"), header.get("seq"))
    if claims != (member, device, seq):
        msg = "it is another chunk, copied under this name"
        raise CryptoError(msg)
    if header.get("sha256") != hashlib.sha256(records).hexdigest():
        msg = "its records are not the ones its writer signed"
        raise CryptoError(msg)
    return records.splitlines()


def chunk_files(clone: Path) -> list[tuple[str, str, Path]]:
    """(member, device, path) of every chunk: each device's first chunks, then their
    second ones, and so on (so each device's oldest first; a chunk's name is its
    number, 8 digits).

    Read member by member, a first sync of years of history met each year once per
    member, and wrote into every part of the indexes on (time-ordered) uuids again
    for each; taken round by round, it mostly reads the years in order, as plain
    teams read their monthly segments (layout.log_files). Merging does not depend
    on the order.
    """
    return device_files(clone, "*.age")


@dataclass(frozen=True)
class Request:
    member: str
    device: str
    keys: PublicKeys
    name: str = ""  # as the device published it (not signed: the fingerprint is the check)


def requests(clone: Path, trust: Trust) -> list[Request]:
    """Devices that asked to join (published keys) and that nobody trusted here admitted."""
    found = []
    for path in sorted((clone / "keys" / "public").glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            request = Request(
                str(data["member"]),
                str(data["device"]),
                PublicKeys.from_record(data),
                str(data.get("name", "")),
            )
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if path.stem != holder(request.member, request.device):
            continue
        if path.stem not in trust.pinned and request.member not in trust.removed:
            found.append(request)
    return found


def founder(clone: Path) -> Request | None:
    """The device that signed epoch 1 and admitted itself: whom a newcomer trusts first.

    TeamError if there are two: one of them was not made by the team.
    """
    signers = {d.get("by") for d in _statements(clone, "epoch") if d.get("epoch") == 1}
    found = []
    for data in _statements(clone, "admit"):
        subject = holder(str(data.get("member")), str(data.get("device")))
        if data.get("by") != subject or subject not in signers:
            continue
        try:
            keys = PublicKeys.from_record(data.get("keys"))
        except ValueError:
            continue
        signature = data.get("signature")
        if isinstance(signature, str) and crypto.verify(keys, crypto.canonical(data), signature):
            name = str(data.get("name", ""))
            found.append(Request(str(data["member"]), str(data["device"]), keys, name))
    if len(found) > 1:
        msg = (
            "this repository claims two founders; one was not made by the team. Join with "
            "--trust FINGERPRINT (a member's, read to you by them) instead"
        )
        raise TeamError(msg)
    return found[0] if found else None


def with_fingerprint(clone: Path, fingerprint: str) -> Request | None:
    """The admitted device whose keys have this fingerprint (compared by a person)."""
    wanted = "".join(fingerprint.split()).upper()
    for data in _statements(clone, "admit"):
        try:
            keys = PublicKeys.from_record(data.get("keys"))
        except ValueError:
            continue
        if "".join(keys.fingerprint().split()) == wanted:
            name = str(data.get("name", ""))
            return Request(str(data.get("member")), str(data.get("device")), keys, name)
    return None
