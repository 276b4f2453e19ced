"""Where the database lives, and keeping what we create private."""

from __future__ import annotations

import os

TYPE_CHECKING = False  # as typing.TYPE_CHECKING, which `log` does not load
if TYPE_CHECKING:
    from pathlib import Path

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700


def database_path(option: str | None) -> Path:
    """`--db`, else `$HANDOFF_DB` when not empty, else `db` in the config file, else
    handoff.db in the platform's user data directory."""
    from pathlib import Path

    return Path(database_file(option))


def database_file(option: str | None) -> str:
    """`database_path` as the string `str(database_path(option))` is, without pathlib.

    Importing pathlib costs `handoff log` and `handoff due` about 4 ms (it loads
    urllib.parse and ipaddress), a tenth of what `log` may take (issue 13); the
    store and the error messages take a string as well as a Path.
    """
    if option:
        return _expand(option)
    env = os.environ.get("HANDOFF_DB", "")
    if env:
        return _expand(env)
    from handoff_cli import config

    configured = config.get("db")
    if configured:
        return _expand(str(configured))
    return pure_path(default_data_dir_name() + "/handoff.db")


def _expand(text: str) -> str:
    """`str(Path(text).expanduser())`."""
    if os.name != "posix":
        from pathlib import Path

        try:
            return str(Path(text).expanduser())
        except RuntimeError:
            raise _no_home(text) from None
    path = pure_path(text)
    if path[:1] != "~":
        return path
    first, slash, rest = path.partition("/")
    home = os.path.expanduser(first)
    if home[:1] == "~":  # `~nosuchuser/x.db`: pathlib raises RuntimeError
        raise _no_home(text)
    return pure_path(home + slash + rest)


def _no_home(text: str) -> Exception:
    from handoff_cli.errors import BadInput

    msg = f"cannot find the home directory in the database path '{text}'"
    return BadInput(msg)


def pure_path(text: str) -> str:
    """`str(Path(text))`, on POSIX without pathlib: empty and `.` parts dropped, one root slash (two
    kept only when there are exactly two, as POSIX allows), `.` for nothing."""
    if os.name != "posix":
        from pathlib import Path

        return str(Path(text))
    if text[:1] == "/":
        rest = text.lstrip("/")
        root = "//" if len(text) - len(rest) == 2 else "/"
    else:
        root, rest = "", text
    return root + "/".join(p for p in rest.split("/") if p and p != ".") or "."


def default_data_dir() -> Path:
    """The platform's user data directory for handoff (platformdirs' answer).

    On Linux that is $XDG_DATA_HOME or ~/.local/share, worked out here because
    importing platformdirs costs ~7 ms on every command, a tenth of `log`.
    """
    from pathlib import Path

    return Path(default_data_dir_name())


def default_data_dir_name() -> str:
    """`default_data_dir()` as a string, without pathlib on Linux."""
    import sys

    if sys.platform.startswith("linux"):
        # The XDG spec: a relative path in $XDG_DATA_HOME is invalid and ignored
        # (it would put the database wherever the command happens to run).
        base = os.environ.get("XDG_DATA_HOME", "").strip()
        root = base if base.startswith("/") else os.path.expanduser("~") + "/.local/share"
        return pure_path(root + "/handoff")
    from platformdirs import user_data_dir

    return user_data_dir("handoff", appauthor=False)


DATABASE_COMPANIONS = ("-wal", "-shm", "-journal")  # files SQLite keeps beside the database


def is_database_file(target: Path, database: str | Path) -> bool:
    """Whether writing `target` would replace the database or one of SQLite's files beside it.

    However it is spelled: `./x/../handoff.db`, a symbolic link to it, or (when
    it exists) a hard link. SQLite names its -wal and -shm after the file it
    opened, so both the given path and the one links lead to count.
    """
    spots: list[str] = []
    for base in (os.path.abspath(database), os.path.realpath(database)):
        spots += [base, *(base + suffix for suffix in DATABASE_COMPANIONS)]
    if os.path.realpath(target) in {os.path.realpath(spot) for spot in spots}:
        return True
    for spot in spots:
        try:
            if os.path.samefile(target, spot):
                return True
        except OSError:  # one of them does not exist
            continue
    return False


def loose_files(database: str | Path) -> dict[str, int]:
    """The database's files (it, -wal, -shm, -journal) that others may read: path -> mode."""
    found = {}
    for path in (str(database), *(f"{database}{suffix}" for suffix in DATABASE_COMPANIONS)):
        try:
            mode = os.stat(path).st_mode & 0o777
        except OSError:
            continue
        if mode & 0o077:
            found[path] = mode
    return found


def tighten(database: str | Path) -> None:
    """Make the database and SQLite's files beside it private (0600) if they are not.

    SQLite gives a new -wal and -shm the database file's mode, whatever the
    umask: a database made 0644 by another tool, or copied with `cp`, would
    leave every later write readable by others. A file we may not change is
    left as it is (`handoff doctor` reports it).
    """
    for path, mode in loose_files(database).items():
        try:
            os.chmod(path, mode & 0o700)
        except OSError:
            continue


def make_private_dirs(directory: Path) -> None:
    """Create `directory` and missing parents 0700; leave existing ones as they are."""
    missing = []
    current = directory
    while not current.exists():
        missing.append(current)
        if current.parent == current:
            break
        current = current.parent
    for path in reversed(missing):
        try:
            path.mkdir(mode=PRIVATE_DIR)
        except FileExistsError:
            continue
        os.chmod(path, PRIVATE_DIR)


def restrict_umask() -> None:
    """Every file this process creates (database, -wal/-shm, exports, temp files) is private."""
    os.umask(0o077)
