"""The store's core: opening (and migrating) the database, transactions, the writer's identity.

Writes run inside `BEGIN IMMEDIATE` so that a command that reads and then
writes takes the write lock up front: many handoff processes at once wait for
each other (busy timeout) instead of failing with "database is locked".
Every change is made by handing change records to the applier (`apply.py`)
through `Store.apply`; the queries live beside this module, by what they read.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Sequence
from datetime import date, datetime

from handoff_cli.errors import HandoffError, StorageError
from handoff_cli.ids import new_uuid as new_uuid  # re-exported: the store's own
from handoff_cli.utctext import utc_iso as utc_iso  # re-exported: the store's own

# Nothing here loads typing, dataclasses, pathlib or uuid: `handoff log` opens the
# store on every note, and each costs milliseconds of start-up (issue 13). A path
# may be a str (the fast path's) or a Path.
TYPE_CHECKING = False  # as typing.TYPE_CHECKING
if TYPE_CHECKING:
    from pathlib import Path
    from types import TracebackType
    from typing import Any, TypeVar

    from handoff_cli.apply import Applier
    from handoff_cli.changes import Change

    _S = TypeVar("_S", bound="StoreCore")

APPLICATION_ID = 0x68616E64  # "hand"; migrations.py writes this one
# How many migrations migrations.py has. A literal: deriving it would import
# sqlite-utils (~130 ms) on every command. tests/reliability/test_packaging.py
# checks it against migrations.latest_version().
LATEST_VERSION = 6
PAGE_SIZE = 16384  # of a new database (SQLite's default is 4096); see _migrate
BUSY_TIMEOUT_S = 30.0
FIRST_WAIT_MS = 1500
_ZERO_CLOCK = "0000000000000-0000"  # stamps.ZERO, without importing stamps here


def iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def day_or_none(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


class Counts:
    """How many rows of each kind the database holds (`handoff info`)."""

    __match_args__ = ("clients", "contacts", "notes", "promises", "completions")

    def __init__(
        self, clients: int, contacts: int, notes: int, promises: int, completions: int
    ) -> None:
        self.clients = clients
        self.contacts = contacts
        self.notes = notes
        self.promises = promises
        self.completions = completions

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Counts) and self.__dict__ == other.__dict__

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}={v!r}" for k, v in self.__dict__.items())
        return f"Counts({fields})"


class StoreCore:
    def __init__(self, conn: sqlite3.Connection, path: str | Path) -> None:
        self.conn = conn
        self._path = path
        # Called once when a write has waited FIRST_WAIT_MS for another process's lock,
        # so a person at a terminal knows why nothing happens (the wait goes on).
        self.on_wait: Callable[[], None] | None = None
        # Set at the edge (cli/common.py) from the one reading of the clock: whether a
        # promise is paused is a question about a day. And who "I" am: the owner of
        # promises made here before owners existed.
        self.today: date = date.today()
        self.me: str = ""
        # Called after each successful write (a team's background sync, cli/common.py).
        self.on_commit: Callable[[], None] | None = None
        self._clock: str | None = None  # meta's clock, within one write (last_clock)

    @property
    def path(self) -> Path:
        """The database file (a Path made on first use: see the imports)."""
        from pathlib import Path

        return self._path if isinstance(self._path, Path) else Path(self._path)

    @property
    def path_text(self) -> str:
        """The database file's path as text, without making a Path (pathlib and what it
        imports: 5 ms of a `log` that starts a background sync)."""
        return str(self._path)

    # ------------------------------------------------------------------ opening

    @classmethod
    def open(cls: type[_S], path: str | Path, *, create: bool) -> _S | None:
        """Open the database at `path`, creating and migrating it when `create`.

        Returns None when there is no database and `create` is false (commands
        that only read never create one). Refuses, without writing a byte, a
        file that is not a handoff database or one from a newer handoff.
        """
        import errno
        import stat

        try:  # one stat, read as Path.exists(), is_file() and is_dir() read it
            found: os.stat_result | None = os.stat(path)
        except ValueError:  # a NUL in the name: pathlib says "does not exist"
            found = None
        except OSError as exc:
            if exc.errno not in (errno.ENOENT, errno.ENOTDIR, errno.EBADF, errno.ELOOP):
                # a name too long, a directory we may not search
                msg = f"cannot use the database path {path}: {exc.strerror or exc}"
                raise StorageError(msg) from exc
            found = None
        exists = found is not None
        empty = found is not None and stat.S_ISREG(found.st_mode) and found.st_size == 0
        if not exists or (not create and empty):
            # An empty file is no database yet; reading must not turn it into one.
            if not create:
                return None
            from pathlib import Path

            from handoff_cli.paths import PRIVATE_FILE, make_private_dirs

            try:
                make_private_dirs(Path(path).parent)
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
                os.close(fd)
            except FileExistsError:
                pass  # another handoff process created it first: fine
            except OSError as exc:
                msg = f"cannot create the database at {path}: {exc.strerror or exc}"
                raise StorageError(msg) from exc
        elif found is not None and stat.S_ISDIR(found.st_mode):
            msg = f"{path} is a directory, not a handoff database; pass --db FILE"
            raise StorageError(msg)
        try:
            conn = sqlite3.connect(
                path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False
            )
        except sqlite3.Error as exc:
            msg = f"cannot open {path}: {exc}"
            raise StorageError(msg) from exc
        store = cls(conn, path)
        try:
            store._check_and_migrate()
        except BaseException:
            conn.close()
            raise
        from handoff_cli.paths import tighten

        tighten(path)  # ours: private, and its -wal too (SQLite copies the file's mode)
        return store

    def _check_and_migrate(self) -> None:
        conn = self.conn
        try:
            app_id, version = self._identity()
            if app_id != APPLICATION_ID:
                has_tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
                if app_id == 0 and has_tables:
                    # Another handoff may have committed the new schema between the two
                    # reads (its tables and application_id land together): look again.
                    app_id, version = self._identity()
                if app_id != APPLICATION_ID and (app_id != 0 or has_tables):
                    msg = (
                        f"{self._path} is not a handoff database; it was left untouched "
                        "(use --db to choose another file)"
                    )
                    raise StorageError(msg)
            if version > LATEST_VERSION:
                msg = (
                    f"{self._path} was written by a newer handoff (schema {version}, this "
                    f"one knows {LATEST_VERSION}); upgrade handoff to use it"
                )
                raise StorageError(msg)
            conn.execute("PRAGMA foreign_keys = ON")
            if version < LATEST_VERSION:
                self._migrate()
            elif conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                _switch_to_wal(conn)
        except sqlite3.DatabaseError as exc:
            raise storage_error(exc, self._path) from exc

    def _identity(self) -> tuple[int, int]:
        app_id = self.conn.execute("PRAGMA application_id").fetchone()[0]
        version = self.conn.execute("PRAGMA user_version").fetchone()[0]
        return int(app_id), int(version)

    def _migrate(self) -> None:
        from handoff_cli import migrations

        conn = self.conn
        if conn.execute("PRAGMA page_count").fetchone()[0] == 0:
            # A new database (page size is fixed once the first page is written). Larger
            # pages: a first sync of a million records writes the indexes' pages fewer
            # times (inserting its notes: 15 s with 4 KiB pages, 10 s with 16 KiB).
            conn.execute(f"PRAGMA page_size = {PAGE_SIZE}")
        _switch_to_wal(conn)
        conn.execute("BEGIN IMMEDIATE")
        try:
            _, version = self._identity()  # another process may have migrated meanwhile
            if version < LATEST_VERSION:
                migrations.apply(conn)
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise

    def close(self) -> None:
        self.conn.close()

    def __enter__(self: _S) -> _S:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def schema_version(self) -> int:
        return self._identity()[1]

    # ------------------------------------------------------------- transactions

    def write(self) -> _Write:
        """One transaction holding the write lock from its first statement."""
        return _Write(self)

    def _begin_immediate(self) -> None:
        conn = self.conn
        if self.on_wait is None:
            conn.execute("BEGIN IMMEDIATE")
            return
        conn.execute(f"PRAGMA busy_timeout = {FIRST_WAIT_MS}")
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if not _is_busy(exc):
                raise
            self.on_wait()
            conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000) - FIRST_WAIT_MS}")
            conn.execute("BEGIN IMMEDIATE")
        finally:
            conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")

    def snapshot(self) -> _Snapshot:
        """A read transaction: everything read inside sees one moment of the database."""
        return _Snapshot(self.conn)

    def _q(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> sqlite3.Cursor:
        try:
            return self.conn.execute(sql, params)
        except sqlite3.DatabaseError as exc:
            raise storage_error(exc, self._path) from exc

    # ----------------------------------------------------------- meta, changes

    def meta(self, key: str) -> str | None:
        row = self._q("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str | None) -> None:
        """Remember (or, with None, forget) a setting of this database. Inside `write()`."""
        if key == "clock":
            self._clock = value
        if value is None:
            self._q("DELETE FROM meta WHERE key = ?", [key])
        else:
            self._q(
                "INSERT INTO meta (key, value) VALUES (?, ?)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [key, value],
            )

    def identity(self) -> tuple[str, str]:
        """(member id, device id) of this database, made on first use. Inside `write()`."""
        rows = dict(
            self._q("SELECT key, value FROM meta WHERE key IN ('member', 'device', 'clock')")
        )
        if self.conn.in_transaction:  # read in the same query: a note is one write
            self._clock = rows.get("clock") or _ZERO_CLOCK
        member, device = rows.get("member"), rows.get("device")
        if member is None:
            member = new_uuid()
            self.set_meta("member", member)
        if device is None:
            device = new_uuid()
            self.set_meta("device", device)
        return member, device

    def writer(self, now: datetime) -> Writer:
        """Makes this command's changes (stamped by this database's clock). Inside `write()`."""
        member, device = self.identity()
        return Writer(self, member, device, _ms(now))

    def apply(self, changes: Sequence[Change], *, origin: str = "local") -> Applier:
        """Apply changes through the one applier; returns it (its counts, what it created)."""
        from handoff_cli.apply import Applier

        applier = Applier(self.conn, origin=origin)
        try:
            applier.apply_all(changes)
        except sqlite3.DatabaseError as exc:
            raise storage_error(exc, self._path) from exc
        if applier.latest_clock:
            self.saw_clock(applier.latest_clock)
        return applier

    def saw_clock(self, clock: str) -> None:
        """Keep this database's clock at or after every clock it has seen."""
        if clock > self.last_clock():
            self.set_meta("clock", clock)

    def last_clock(self) -> str:
        """The latest clock this database has seen (its hybrid logical clock). Kept for
        the transaction once read, so a note reads and writes it once (issue 13)."""
        if self._clock is None or not self.conn.in_transaction:
            self._clock = self.meta("clock") or _ZERO_CLOCK
        return self._clock

    # -------------------------------------------------------------------- misc

    def counts(self) -> Counts:
        def count(table: str) -> int:
            return int(self._q(f"SELECT count(*) FROM {table}").fetchone()[0])

        return Counts(
            count("clients"),
            count("contacts"),
            count("notes"),
            count("promises"),
            count("completions"),
        )

    def backup_to(self, target: Path, *, progress: Callable[[int, int], None] | None = None) -> int:
        """A consistent copy via SQLite's online backup API, written to a temporary
        file beside `target` and renamed over it, so `target` is old or new, never half.

        The temporary file (0600) has an unguessable name, `.NAME.PID.XXXXXXXX.tmp`
        from `tempfile`: a file planted there cannot get in the way. A failure to
        write the copy names `target` and says this database is unchanged.
        `progress(done, total)` in pages, when given, makes the copy go in steps.
        """
        import tempfile
        from pathlib import Path

        prefix = f".{target.name}.{os.getpid()}."
        try:
            fd, name = tempfile.mkstemp(dir=target.parent, prefix=prefix, suffix=".tmp")
        except OSError as exc:
            msg = f"cannot write the backup {target}: {exc.strerror or exc}"
            raise StorageError(msg) from exc
        os.close(fd)
        temp = Path(name)
        try:
            copy = sqlite3.connect(temp)
            try:
                if progress is None:
                    self.conn.backup(copy)
                else:
                    self.conn.backup(
                        copy,
                        pages=1024,
                        progress=lambda _, left, total: progress(total - left, total),
                    )
                pages = int(copy.execute("PRAGMA page_count").fetchone()[0])
                copy.execute("PRAGMA journal_mode = DELETE")
            finally:
                copy.close()
            with open(temp, "rb") as handle:
                os.fsync(handle.fileno())
            os.replace(temp, target)
        except OSError as exc:
            msg = f"cannot write the backup {target}: {exc.strerror or exc}"
            raise StorageError(msg) from exc
        except sqlite3.DatabaseError as exc:
            if _source_damaged(exc):
                raise storage_error(exc, self._path) from exc
            msg = f"cannot write the backup {target}: {exc}; {self._path} is unchanged"
            raise StorageError(msg) from exc
        finally:
            for suffix in ("", "-journal", "-wal", "-shm"):
                leftover = Path(f"{temp}{suffix}")
                if leftover.exists():
                    leftover.unlink()
        return pages

    def build_left_out_indexes(self) -> list[str]:
        """Build the readers' indexes a long sync left out (store/indexes.py), if any
        are missing: at a sync's end (or failure), and by `doctor` after a sync killed
        before its end. Returns their names; takes no lock when none is missing."""
        from handoff_cli.store import indexes

        try:
            if not indexes.missing(self.conn):  # the usual case: no lock, no commit
                return []
            on_commit, self.on_commit = self.on_commit, None  # no background sync for it
            try:
                with self.write():
                    left_out = indexes.missing(self.conn)
                    if left_out:
                        indexes.ensure(self.conn, *left_out)
            finally:
                self.on_commit = on_commit
        except sqlite3.DatabaseError as exc:
            raise storage_error(exc, self._path) from exc
        return left_out

    def integrity_check(self) -> str:
        rows = self._q("PRAGMA integrity_check").fetchall()
        return "; ".join(str(r[0]) for r in rows)


def _switch_to_wal(conn: sqlite3.Connection) -> None:
    """Put the database in WAL mode, waiting (up to the busy timeout) for other processes.

    SQLite switches by upgrading a read to a write inside one statement, and when
    another process holds the write lock at that moment it fails at once instead of
    calling the busy handler (which could deadlock). Several handoffs starting on a
    new database all switch together, so one of them could lose a note to "database
    is locked" (1 of 10 racers in about 1 of 40 rounds). The switch is idempotent:
    try again until it goes through or the busy timeout has passed.
    """
    import time

    deadline = time.monotonic() + BUSY_TIMEOUT_S
    pause = 0.002
    while True:
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if not _is_busy(exc) or time.monotonic() + pause > deadline:
                raise
        time.sleep(pause)
        pause = min(pause * 2, 0.05)


def _is_busy(exc: sqlite3.Error) -> bool:
    text = str(exc)
    return "locked" in text or "busy" in text


def _source_damaged(exc: sqlite3.DatabaseError) -> bool:
    """Whether a failed backup step was the database's fault (damaged), not the copy's."""
    text = str(exc)
    return "not a database" in text or "malformed" in text or "corrupt" in text


def storage_error(exc: sqlite3.DatabaseError, path: str | Path) -> HandoffError:
    """Turn SQLite's failures into one line that says what to do next."""
    text = str(exc)
    if _is_busy(exc):
        msg = (
            f"the database {path} is busy (another handoff is writing); nothing was "
            "changed, try again"
        )
    elif "readonly" in text or "read-only" in text:
        msg = f"the database {path} is read-only; nothing was changed (check its permissions)"
    elif "not a database" in text or "malformed" in text or "corrupt" in text:
        msg = (
            f"{path} is not a handoff database or is damaged ({text}); "
            "it was left untouched (try `handoff doctor`)"
        )
    elif "unable to open" in text:
        msg = (
            f"cannot open the database {path} ({text}); check the directory exists and is writable"
        )
    else:
        msg = f"database error in {path}: {text}"
    return StorageError(msg)


class _Write:
    """`StoreCore.write()`. A class rather than @contextmanager: contextlib costs `log`
    most of a millisecond to import (issue 13).

    Commits when the block ends normally (counted as saved before any Ctrl-C is acted
    on); rolls back on any exception, a database error becoming one line to show.
    """

    __slots__ = ("store",)

    def __init__(self, store: StoreCore) -> None:
        self.store = store

    def __enter__(self) -> None:
        store = self.store
        try:
            store._begin_immediate()
        except sqlite3.DatabaseError as exc:
            raise storage_error(exc, store._path) from exc
        store._clock = None  # another process may have moved it since

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        try:
            if exc is None:
                self._commit()
            else:
                self._undo(exc)  # and the exception goes on (a database error as one line)
        finally:
            self.store._clock = None

    def _commit(self) -> None:
        from handoff_cli.interrupts import committing

        store = self.store
        try:
            with committing():
                store.conn.execute("COMMIT")
            if store.on_commit is not None:
                store.on_commit()
        except BaseException as exc:
            self._undo(exc)
            raise

    def _undo(self, exc: BaseException) -> None:
        conn = self.store.conn
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        if isinstance(exc, sqlite3.DatabaseError):
            raise storage_error(exc, self.store._path) from exc


class _Snapshot:
    """`StoreCore.snapshot()` (a class for the reason `_Write` is one)."""

    __slots__ = ("conn",)

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def __enter__(self) -> None:
        self.conn.execute("BEGIN")

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self.conn.in_transaction:
            self.conn.execute("COMMIT")


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


class Writer:
    """Builds this database's own changes: a uuid, the next clock reading, the writer."""

    def __init__(self, store: StoreCore, member: str, device: str, now_ms: int) -> None:
        self.store = store
        self.member = member
        self.device = device
        self.now_ms = now_ms

    def change(self, kind: str, entity: str, body: dict[str, Any], *, uuid: str = "") -> Change:
        from handoff_cli import stamps
        from handoff_cli.changes import Change

        clock = stamps.tick(self.store.last_clock(), self.now_ms)
        self.store.set_meta("clock", clock)
        return Change(uuid or new_uuid(), clock, self.member, self.device, kind, entity, body)
