"""Joining a team and syncing with it: my changes out, everyone else's in, through git.

`sync` commits this device's new change records (appended to its own files),
pulls, applies what the other devices wrote since last time (through the same
applier as every local command), and pushes, pulling and retrying when another
member pushed first. One sync at a time (a lock in the clone); `log` never
waits for one: the database is written in short transactions.

The binding (which clone, which member, how far each file was read, what was
sent) lives in the database, so another `--db` is not synced by accident.
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from handoff_cli import changes, gcpause
from handoff_cli.changes import Change
from handoff_cli.errors import FAILURE, BadInput, HandoffError
from handoff_cli.store import Store, indexes
from handoff_cli.team import encrypted, git, layout
from handoff_cli.team.layout import TeamError

BRANCH = "main"
# Changes applied per transaction. Fewer, bigger transactions write each page of the
# indexes fewer times: a first sync of 200,000 records (when uuids were random) took a
# quarter less time than with 2,000. A `log` during such a sync waits for the one
# transaction running (a second or two, at most).
BATCH = 20000
PUSH_TRIES = 5
LOCK_WAIT_S = 120.0
QUIET_DAYS = 2  # a member with promises due, unheard of this long, is flagged
HEARTBEAT_AFTER_S = 20 * 3600  # a sync with nothing to send still says "alive" once a day
METER_EVERY = 256  # records sent between two updates of a progress meter


class Meter(Protocol):
    """Where a sync reports its counts (cli/progress.Progress draws them as a bar).

    It is told only when records go out or come in: a quiet sync never calls it.
    """

    def update(self, done: int, total: int | None = None, label: str | None = None) -> None: ...


@dataclass
class Binding:
    """This database's team: its clone, and who this database is in it."""

    clone: Path
    remote: str
    member: str
    device: str
    name: str
    encrypted: bool = False


def binding(store: Store) -> Binding | None:
    """The team this database is bound to, or None."""
    rows = dict(store.conn.execute("SELECT key, value FROM meta WHERE key LIKE 'team.%'"))
    if "team.clone" not in rows:
        return None
    member, device = store.identity()
    return Binding(
        Path(rows["team.clone"]),
        rows.get("team.remote", ""),
        member,
        device,
        rows.get("team.name", ""),
        rows.get("team.encrypted") == "1",
    )


def clone_path(db: Path) -> Path:
    """Where a database's clone of its team repository lives: beside the database."""
    return db.with_name(f"{db.stem}.team")


# --------------------------------------------------------------------------- init


@dataclass
class Joined:
    binding: Binding
    started: bool  # this member started the team (the repository was empty)
    second_device: bool  # joined as a member who already had another device
    report: SyncReport
    joining: encrypted.Joining | None = None  # an encrypted team: fingerprints to compare


def init(
    store: Store,
    remote: str,
    *,
    name: str,
    now: datetime,
    encrypt: bool = False,
    trusting: str | None = None,
    meter: Meter | None = None,
) -> Joined:
    """Clone (or start) the team repository beside the database, bind it, sync once.

    `trusting`: in an encrypted team, the fingerprint of a member's device to
    trust (read out by them), rather than the founder's on first use.
    """
    from handoff_cli.names import required_name

    name = required_name(name, "a member name")
    if binding(store) is not None:
        current = binding(store)
        assert current is not None
        msg = f"this database is already in a team ({current.remote}); nothing was changed"
        raise BadInput(msg)
    clone = clone_path(store.path)
    if clone.exists() and any(clone.iterdir()):
        msg = f"{clone} already exists; move it away to join a team with this database"
        raise TeamError(msg)
    git.run(["clone", "--quiet", remote, str(clone)])
    _checkout_shared(clone)
    started = not (clone / layout.LAYOUT_FILE).exists()
    try:
        if started:
            if any(p.name != ".git" for p in clone.iterdir()):
                layout.read_layout(clone)  # raises: files, but not a team's
            git.run(["symbolic-ref", "HEAD", f"refs/heads/{BRANCH}"], cwd=clone)
            layout.write_layout(clone, encrypted=encrypt)
        else:
            info = layout.read_layout(clone)
            if encrypt and not info.get("encrypted"):
                msg = (
                    "this team's repository is not encrypted, and what it already holds was "
                    "pushed as plain text (history cannot be taken back); --encrypt joins an "
                    "encrypted team or starts a new, empty repository"
                )
                raise TeamError(msg)
            if not info.get("encrypted") and ((clone / "trust").exists() or trusting):
                msg = (
                    "this repository holds an encrypted team's keys but its layout says it is "
                    "not encrypted (the git host may have changed it); nothing was sent"
                )
                raise TeamError(msg)
        secret = encrypt if started else bool(layout.read_layout(clone).get("encrypted"))
        member, device = store.identity()
        known = {m.name.casefold(): m for m in layout.members(clone)}
        second_device = name.casefold() in known
        with store.write():
            if second_device:  # the same person on another device: the same member
                member = known[name.casefold()].id
                store.set_meta("member", member)
            store.set_meta("team.clone", str(clone))
            store.set_meta("team.remote", remote)
            store.set_meta("team.name", name)
            if secret:
                store.set_meta("team.encrypted", "1")
        if not second_device:
            layout.write_member(clone, member, name)
        joining = None
        if secret:
            joining = encrypted.join(store, clone, started=started, name=name, trusting=trusting)
        bound = binding(store)
        assert bound is not None
        _commit(bound, f"{name} joins" if not second_device else f"{name}: another device")
    except BaseException:
        with store.write():
            for key in (
                "team.clone",
                "team.remote",
                "team.name",
                "team.encrypted",
                encrypted.TRUST_META,
            ):
                store.set_meta(key, None)
        import shutil

        shutil.rmtree(clone, ignore_errors=True)
        raise
    report = sync(store, now=now, first=True, meter=meter)
    return Joined(bound, started, second_device, report, joining)


def _checkout_shared(clone: Path) -> None:
    """Have the team's branch checked out, whatever the remote's HEAD names.

    A bare repository made with `git init --bare` may still point its HEAD at
    `master` while the team pushes `main`; `git clone` then checks out nothing.
    """
    head = git.run(["rev-parse", "--verify", "--quiet", "HEAD"], cwd=clone, check=False)
    if head.returncode == 0:
        return
    theirs = git.run(
        ["rev-parse", "--verify", "--quiet", f"refs/remotes/origin/{BRANCH}"],
        cwd=clone,
        check=False,
    )
    if theirs.returncode == 0:
        git.run(["checkout", "--quiet", "-B", BRANCH, f"origin/{BRANCH}"], cwd=clone)


# --------------------------------------------------------------------------- sync


@dataclass
class Incoming:
    """What came in from one member."""

    name: str
    kinds: dict[str, int] = field(default_factory=dict)

    def words(self) -> str:
        order = [
            ("note.add", "note", "notes"),
            ("note.edit", "note edited", "notes edited"),
            ("note.remove", "note removed", "notes removed"),
            ("promise.create", "promise", "promises"),
            ("promise.mark", "promise done or skipped", "promises done or skipped"),
            ("promise.undo", "undo", "undos"),
            ("promise.set", "promise changed", "promises changed"),
            ("client.create", "client", "clients"),
            ("contact.create", "contact", "contacts"),
        ]
        parts = []
        for kind, one, many in order:
            n = self.kinds.get(kind, 0)
            if n:
                parts.append(f"{n} {one if n == 1 else many}")
        other = sum(v for k, v in self.kinds.items() if k not in {o[0] for o in order})
        other -= self.kinds.get("member.heartbeat", 0)
        if other > 0:
            parts.append(f"{other} other change{'s' if other > 1 else ''}")
        return ", ".join(parts) or "nothing new"


@dataclass
class SyncReport:
    sent: int = 0
    received: dict[str, Incoming] = field(default_factory=dict)
    refused: list[str] = field(default_factory=list)  # "member, file: why"
    skipped: list[str] = field(default_factory=list)  # removed members' late chunks, said once
    waiting: bool = False  # an encrypted team that has not admitted this device yet
    warnings: list[str] = field(default_factory=list)  # e.g. two members removed each other
    superseded: list[str] = field(default_factory=list)  # takes of mine someone took over
    pushed: bool = False

    @property
    def ok(self) -> bool:
        return not self.refused


def sync(
    store: Store,
    *,
    now: datetime,
    first: bool = False,
    action: Callable[[Binding], str] | None = None,
    meter: Meter | None = None,
) -> SyncReport:
    """One round: send mine, receive theirs, push. TeamError (exit 3) if git fails.

    `action` (admitting or removing a member) runs first, on an up-to-date
    clone and under the sync lock; it writes files and returns the commit
    message for them. `meter`, when given, is told the records sent and received.
    """
    bound = binding(store)
    if bound is None:
        msg = "this database is not in a team; `handoff team init REPO` joins (or starts) one"
        raise BadInput(msg)
    report = SyncReport()
    with _locked(bound.clone):
        try:
            if action is not None:
                _recover(bound.clone)
                _pull(bound)
                _commit(bound, action(bound))
            with gcpause.paused():  # a first sync sends or applies a million records
                _sync(store, bound, now, report, first=first, meter=meter)
        except HandoffError as exc:
            _remember(store, error=exc.message, now=now)
            raise
    if report.refused:
        _remember(store, error="; ".join(report.refused), now=now)
        msg = "refused " + "; ".join(report.refused) + " (nothing of it applied; the rest was)"
        raise SyncRefused(msg, report)
    _remember(store, error=None, now=now)
    return report


class SyncRefused(HandoffError):
    """A member's file is not valid: it was skipped, everything else was applied."""

    def __init__(self, message: str, report: SyncReport) -> None:
        super().__init__(message, FAILURE)
        self.report = report


def _recover(clone: Path) -> None:
    """Clear what a sync killed midway left in the clone (we hold the sync lock: it is stale)."""
    git_dir = clone / ".git"
    for lock in ("index.lock", "HEAD.lock", f"refs/heads/{BRANCH}.lock"):
        (git_dir / lock).unlink(missing_ok=True)
    if (git_dir / "rebase-merge").exists() or (git_dir / "rebase-apply").exists():
        git.run(["rebase", "--abort"], cwd=clone, check=False)


def _sync(
    store: Store,
    bound: Binding,
    now: datetime,
    report: SyncReport,
    *,
    first: bool,
    meter: Meter | None = None,
) -> None:
    _recover(bound.clone)
    sent = _send(store, bound, now, first=first, meter=meter)
    report.sent = sent or 0
    for attempt in range(PUSH_TRIES):
        ahead = _pull(bound)
        try:
            _receive(store, bound, report, meter=meter)
        except encrypted.Removed:  # what I wrote since stays unsent: nobody would apply it
            git.run(["reset", "--quiet", "--hard", f"origin/{BRANCH}"], cwd=bound.clone)
            raise
        if sent is None and not report.waiting:  # admitted in this very round: send too
            sent = _send(store, bound, now, first=first, meter=meter)
            report.sent += sent or 0
            ahead = True
        if not ahead:
            return
        pushed = git.run(
            ["push", "--quiet", "origin", f"HEAD:{BRANCH}"], cwd=bound.clone, check=False
        )
        if pushed.returncode == 0:
            report.pushed = True
            return
        reason = git.reason(pushed.stderr)
        if not any(word in reason for word in ("rejected", "fetch first", "non-fast-forward")):
            msg = f"git push failed: {reason}; your changes are kept and go with the next sync"
            raise git.GitError(msg)
        time.sleep(0.2 * (attempt + 1))  # another member pushed first: pull and try again
    msg = "git push kept being rejected (others pushing at the same time); try again"
    raise git.GitError(msg)


def _pull(bound: Binding) -> bool:
    """Fetch, and put my commits on top of everyone's; whether I have commits to push.

    A sync with nothing new runs two git commands (fetch, rev-parse): a quiet
    sync from cron every few minutes costs next to nothing.
    """
    git.run(["fetch", "--quiet", "origin"], cwd=bound.clone)
    both = git.run(
        ["rev-parse", "HEAD", f"refs/remotes/origin/{BRANCH}"], cwd=bound.clone, check=False
    )
    heads = both.stdout.split() if both.returncode == 0 else []
    mine, theirs = _head(bound, "HEAD", heads), _head(bound, f"origin/{BRANCH}", heads)
    if theirs is None:  # the remote has no branch yet: push what I have
        return mine is not None
    if mine is None:  # nothing of mine yet: take theirs
        git.run(["reset", "--quiet", "--hard", f"origin/{BRANCH}"], cwd=bound.clone)
        return False
    if mine == theirs:
        return False
    # Each device writes only its own files, so this never meets a conflict.
    git.run(
        [*git.identity(bound.name, bound.member), "rebase", "--quiet", f"origin/{BRANCH}"],
        cwd=bound.clone,
    )
    count = git.run(["rev-list", "--count", f"origin/{BRANCH}..HEAD"], cwd=bound.clone)
    return int(count.stdout.strip() or "0") > 0


def _head(bound: Binding, ref: str, heads: list[str]) -> str | None:
    """One of the two commits `rev-parse` printed, or None if that ref does not exist yet
    (when one is missing rev-parse fails, and each is asked on its own)."""
    if len(heads) == 2:
        return heads[0] if ref == "HEAD" else heads[1]
    done = git.run(["rev-parse", "--verify", "--quiet", ref], cwd=bound.clone, check=False)
    return done.stdout.strip() if done.returncode == 0 else None


def _commit(bound: Binding, message: str) -> None:
    git.run(["add", "--all", "."], cwd=bound.clone)
    staged = git.run(["diff", "--cached", "--quiet"], cwd=bound.clone, check=False)
    if staged.returncode == 0:
        return
    git.run(
        [
            *git.identity(bound.name, bound.member),
            "commit",
            "--quiet",
            "--no-verify",
            "-m",
            message,
        ],
        cwd=bound.clone,
    )


# ----------------------------------------------------------------------- sending


def _send(
    store: Store, bound: Binding, now: datetime, *, first: bool, meter: Meter | None = None
) -> int | None:
    """Write my new change records (appended to this device's file, or as new encrypted
    chunks) and commit; how many (None: an encrypted team has not admitted me yet)."""
    sink: Callable[[Iterable[str]], int]
    held = bound.clone / ".git" / "handoff-held.jsonl"
    box: encrypted.Outbox | None = None
    if bound.encrypted:
        box = encrypted.outbox(store, bound.clone)
        if box is None:  # not admitted: what this database held on joining waits here
            if store.meta("sync.sent_seq") is None:
                last = _last_seq(store)
                _hold(held, (c.line() for c in _snapshot(store)))
                with store.write():
                    store.set_meta("sync.sent_seq", str(last))
            if _uncommitted(bound):
                _commit(bound, f"{bound.name}: keys")
            return None
        sink = box.write
        if held.exists():  # admitted now: what was held goes first
            with open(held, encoding="utf-8") as handle:
                held_sent = box.write(line.rstrip("\n") for line in handle)
            _commit(bound, f"{bound.name}: {held_sent} changes")
            held.unlink()
            return held_sent + (_send(store, bound, now, first=first, meter=meter) or 0)
    else:
        target = layout.segment(bound.clone, bound.member, bound.device, now.strftime("%Y-%m"))

        def sink(lines: Iterable[str]) -> int:
            return _append(target, lines)

    if meter is not None:
        sink = _metered(sink, meter)
    pushed = store.meta("sync.sent_seq")
    sent = 0
    if pushed is None:  # the first sync: everything this database holds, as changes
        last = _last_seq(store)
        sent = sink(c.line() for c in _snapshot(store))
    else:
        last = int(pushed)
    if not sent:
        if _heartbeat_due(store, now) and not _has_news(store, last):
            with store.write():
                w = store.writer(now)
                store.apply([w.change("member.heartbeat", bound.member, {})])
                store.set_meta("sync.heartbeat", str(int(now.timestamp())))
        rows = store.conn.execute(
            "SELECT uuid, clock, member, device, kind, entity, body, seq FROM changes"
            " WHERE seq > ? AND origin != 'team' ORDER BY seq",
            [last],
        )
        newest = [last]

        def lines() -> Iterator[str]:
            for row in rows:
                newest[0] = row[7]
                yield _line(row)

        sent = sink(lines())
        last = newest[0]
    with store.write():
        store.set_meta("sync.sent_seq", str(last))
    if box is not None and sent:
        box.compact()
    if sent or _uncommitted(bound):  # a commit an earlier (killed) sync did not make
        _commit(bound, f"{bound.name}: {sent} change{'s' if sent != 1 else ''}")
    return sent


def _metered(sink: Callable[[Iterable[str]], int], meter: Meter) -> Callable[[Iterable[str]], int]:
    """`sink`, telling `meter` every METER_EVERY lines how many went out (a first sync
    may send a million; a few lines, such as a heartbeat, never wake it)."""

    def counted(lines: Iterable[str]) -> int:
        def each() -> Iterator[str]:
            for n, line in enumerate(lines, 1):
                yield line
                if n % METER_EVERY == 0:
                    meter.update(n, None, "Sending" if n == METER_EVERY else None)

        return sink(each())

    return counted


def _hold(path: Path, lines: Iterable[str]) -> None:
    """Keep a not-yet-admitted device's first records, private, until it may send them."""
    temp = path.with_name(path.name + ".tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        for line in lines:
            handle.write(line + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temp, path)


def _uncommitted(bound: Binding) -> bool:
    """Files a killed sync wrote but did not commit (or an encrypted team's upkeep)."""
    status = git.run(["status", "--porcelain", "--untracked-files=all"], cwd=bound.clone)
    return bool(status.stdout.strip())


def _append(target: Path, lines: Iterable[str]) -> int:
    """Append lines to `target` in batches (a first sync may send a million); how many."""
    count = 0
    batch: list[str] = []
    for line in lines:
        batch.append(line)
        if len(batch) >= 10_000:
            layout.append_lines(target, batch)
            count += len(batch)
            batch = []
    if batch:
        layout.append_lines(target, batch)
        count += len(batch)
    return count


def _has_news(store: Store, last: int) -> bool:
    row = store.conn.execute(
        "SELECT 1 FROM changes WHERE seq > ? AND origin != 'team' LIMIT 1", [last]
    ).fetchone()
    return row is not None


def _line(row: Any) -> str:
    uuid, clock, member, device, kind, entity, body, _ = row
    return Change(uuid, clock, member, device, kind, entity, json.loads(body)).line()


def _last_seq(store: Store) -> int:
    return int(store.conn.execute("SELECT coalesce(max(seq), 0) FROM changes").fetchone()[0])


def _heartbeat_due(store: Store, now: datetime) -> bool:
    last = store.meta("sync.heartbeat")
    return last is None or now.timestamp() - int(last) >= HEARTBEAT_AFTER_S


def _snapshot(store: Store) -> Iterator[Change]:
    """Everything in the database as changes, for a member's first sync.

    As an export then an import would carry it (importing.py), a client at a
    time so that a large database is never all in memory: each record at the
    stamps its fields carry, every completion, undo, pause and tombstone.
    """
    from handoff_cli import store_transfer
    from handoff_cli.formats import bundle
    from handoff_cli.importing import bundle_changes

    moment = datetime.now().astimezone()
    for client in store.clients():
        for records in store_transfer.records(store, [client]):
            text = "".join(bundle.dump(exported_at=moment, author="", clients=[records]))
            yield from bundle_changes(bundle.parse(text.encode("utf-8")), today=store.today)
    text = "".join(
        bundle.dump(
            exported_at=moment, author="", clients=[], tombstones=store_transfer.tombstones(store)
        )
    )
    yield from bundle_changes(bundle.parse(text.encode("utf-8")), today=store.today)


# ---------------------------------------------------------------------- receiving


def _receive(
    store: Store, bound: Binding, report: SyncReport, *, meter: Meter | None = None
) -> None:
    """Apply what every other device wrote since last time; refuse invalid files whole."""
    names = {m.id: m.name for m in layout.members(bound.clone)}
    owned_before = _owned_by(store, store.me)
    # Every change here is also in the clone, and how far each file was read commits
    # with what it brought: a transaction lost to a power cut is read again next sync.
    # So no fsync per batch (WAL stays consistent), which a first sync of a big
    # history would otherwise spend most of its time on.
    store.conn.execute("PRAGMA synchronous = NORMAL")
    # A first sync writes a whole history: a bigger page cache keeps the pages of
    # its indexes being written in memory (the default is 2 MB).
    store.conn.execute("PRAGMA cache_size = -131072")
    # And fewer checkpoints (64 MB of log between two, not 4): each copies pages back.
    # (Counted in pages, whose size depends on when the database was made.)
    (page_size,) = store.conn.execute("PRAGMA page_size").fetchone()
    store.conn.execute(f"PRAGMA wal_autocheckpoint = {(64 << 20) // int(page_size)}")
    applying = _Applying(store, meter)

    def refuse(member: str, key: str, why: str) -> None:
        report.refused.append(f"{names.get(member, member)}, {key}: {why}")

    def received(member: str) -> Incoming:
        return report.received.setdefault(member, Incoming(names.get(member, member)))

    try:
        if bound.encrypted:

            def skip(member: str, key: str, why: str) -> None:
                report.skipped.append(f"{names.get(member, member)}, {key}: {why}")
                with store.write():
                    _mark(store, key, -1)  # said once: it will never count

            done = {row[0] for row in store.conn.execute("SELECT path FROM team_files")}
            admitted, report.warnings = encrypted.admitted(store, bound.clone)
            report.waiting = not admitted
            if admitted:  # (compressed: a fourth of what they hold; a long history still counts)
                _leave_out_indexes(store, encrypted.unread_bytes(store, bound.clone, done))
            for chunk in encrypted.incoming(store, bound.clone, done, refuse, skip):
                _apply_lines(applying, chunk.key, chunk.lines, received(chunk.member), refuse,
                             member=chunk.member, offset=None, end=chunk.size)  # fmt: skip
        else:
            unread = _unread_segments(store, bound)
            _leave_out_indexes(store, sum(size - offset for _, _, _, offset, size in unread))
            for member, key, path, offset, _size in unread:
                try:
                    raw_lines, _ = layout.read_new(path, offset)
                except OSError as exc:
                    refuse(member, key, str(exc.strerror or exc))
                    continue
                if raw_lines:  # else only a torn line so far: its writer will finish it
                    _apply_lines(applying, key, raw_lines, received(member), refuse,
                                 member=member, offset=offset, end=None)  # fmt: skip
        applying.flush()
    except BaseException:
        # Build what it left out before it stops (what went wrong is the error to show).
        with suppress(Exception):
            store.build_left_out_indexes()
        raise
    store.build_left_out_indexes()  # also those a sync killed meanwhile left out
    report.received = dict(
        sorted(report.received.items(), key=lambda got: (got[1].name.casefold(), got[0]))
    )
    owned_after = _owned_by(store, store.me)
    for promise_id, title in owned_before.items():
        if promise_id not in owned_after:
            now_owner = store.promise(promise_id).owner
            report.superseded.append(f"#{promise_id} {title}: now {now_owner}'s (taken after you)")


class _Applying:
    """Changes from many files in few transactions (a first sync reads thousands of
    small files); each file's mark of how far it was read commits with its changes.

    A `meter` is told the records applied out of those read so far (how many
    will come is not known until every file is read).
    """

    def __init__(self, store: Store, meter: Meter | None = None) -> None:
        self.store = store
        self.changes: list[Change] = []
        self.marks: list[tuple[str, int]] = []
        self.counted: list[tuple[Incoming, list[Change]]] = []
        self.meter = meter
        self.read = 0
        self.applied = 0

    def add(self, batch: list[Change], incoming: Incoming, mark: tuple[str, int] | None) -> None:
        self.changes.extend(batch)
        self.counted.append((incoming, batch))
        if mark is not None:
            self.marks.append(mark)
        if self.meter is not None and batch:
            self.read += len(batch)
            self.meter.update(
                self.applied, self.read, "Receiving" if self.read == len(batch) else None
            )
        if len(self.changes) >= BATCH:
            self.flush()

    def flush(self) -> None:
        if not self.counted:
            return
        with self.store.write():
            self.store.apply(self.changes, origin="team")
            for key, offset in self.marks:
                _mark(self.store, key, offset)
        if self.meter is not None:
            self.applied += len(self.changes)
            self.meter.update(self.applied, self.read)
        from collections import Counter
        from operator import attrgetter

        kind_of = attrgetter("kind")
        for incoming, batch in self.counted:
            for kind, count in Counter(map(kind_of, batch)).items():
                incoming.kinds[kind] = incoming.kinds.get(kind, 0) + count
        self.changes, self.marks, self.counted = [], [], []


def _unread_segments(store: Store, bound: Binding) -> list[tuple[str, str, Path, int, int]]:
    """(member, key, path, offset read to, size) of every other device's segment that
    has grown since it was last read; one that cannot be read is refused when read."""
    offsets = dict(store.conn.execute("SELECT path, offset FROM team_files"))
    mine = layout.device_dir(bound.clone, bound.member, bound.device)
    unread = []
    for member, _device, path in layout.log_files(bound.clone):
        if path.parent == mine:
            continue
        key = str(path.relative_to(bound.clone))
        offset = int(offsets.get(key, 0))
        try:
            size = path.stat().st_size
        except OSError:
            size = offset + 1  # read it, to say why it cannot be
        if size > offset:
            unread.append((member, key, path, offset, size))
    return unread


def _leave_out_indexes(store: Store, incoming_bytes: int) -> None:
    """Before a sync bringing a long history: build the readers' indexes after it."""
    if indexes.worth_deferring(store.conn, incoming_bytes // indexes.BYTES_PER_RECORD):
        with store.write():
            indexes.defer(store.conn)


def _apply_lines(
    applying: _Applying,
    key: str,
    raw_lines: list[bytes],
    incoming: Incoming,
    refuse: Callable[[str, str, str], None],
    *,
    member: str,
    offset: int | None,
    end: int | None,
) -> None:
    """Apply one file's new lines in batches, or none of them if one is invalid.

    A segment (`offset`) records how far it was read after each batch; a chunk
    (`end`) is marked applied with its last batch (a chunk cut short by a kill
    is applied again whole: applying a change twice does nothing).
    """
    try:
        parsed = [_parse_line(raw, n) for n, raw in enumerate(raw_lines, 1)]
    except changes.Invalid as exc:
        refuse(member, key, str(exc))
        return
    done = offset or 0
    for start in range(0, max(len(parsed), 1), BATCH):
        mark: tuple[str, int] | None = None
        if offset is not None:
            done += sum(len(r) + 1 for r in raw_lines[start : start + BATCH])
            mark = (key, done)
        elif end is not None and start + BATCH >= len(parsed):
            mark = (key, end)
        applying.add(parsed[start : start + BATCH], incoming, mark)


def _mark(store: Store, key: str, offset: int) -> None:
    store.conn.execute(
        "INSERT INTO team_files (path, offset) VALUES (?, ?)"
        " ON CONFLICT (path) DO UPDATE SET offset = excluded.offset",
        [key, offset],
    )


def _parse_line(raw: bytes, number: int) -> Change:
    try:
        text = raw.decode("utf-8")
        try:  # json.loads without its two whitespace searches: a line as written has none
            record, end = _scan(text, 0)
        except StopIteration:
            end = -1
        if end != len(text):
            record = json.loads(text)  # whatever it is, exactly as json reads it
    except (UnicodeDecodeError, ValueError) as exc:
        msg = f"line {number} is not JSON ({exc.__class__.__name__})"
        raise changes.Invalid(msg) from None
    try:
        return changes.check(record)
    except changes.Invalid as exc:
        msg = f"line {number}: {exc}"
        raise changes.Invalid(msg) from None


_scan: Callable[[str, int], tuple[Any, int]] = json.JSONDecoder().scan_once  # type: ignore[attr-defined]


def _owned_by(store: Store, me: str) -> dict[int, str]:
    return {
        r[0]: r[1]
        for r in store.conn.execute(
            "SELECT id, title FROM promises WHERE status = 'open' AND owner = ?", [me]
        )
    }


def _remember(store: Store, *, error: str | None, now: datetime) -> None:
    """The outcome, for `handoff team` and the next `due` (a background sync has no screen)."""
    try:
        with store.write():
            store.set_meta("sync.error", error)
            if error is None:
                store.set_meta("sync.ok", now.isoformat(timespec="seconds"))
    except HandoffError:
        pass


@contextmanager
def _locked(clone: Path) -> Iterator[None]:
    """One sync at a time per clone: a lock file in its .git directory."""
    path = clone / ".git" / "handoff-sync.lock"
    try:
        handle = open(path, "a+")  # noqa: SIM115 - held for the whole sync
    except OSError as exc:
        msg = f"cannot use the team clone {clone}: {exc.strerror or exc}"
        raise TeamError(msg) from None
    try:
        waited = 0.0
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if waited >= LOCK_WAIT_S:
                    msg = "another sync is still running; try again later"
                    raise TeamError(msg) from None
                time.sleep(0.1)
                waited += 0.1
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        yield
    finally:
        handle.close()
