"""The configuration file: `config.toml` in the user's config directory, all optional.

    author = "akira"            # who writes the notes (else $HANDOFF_AUTHOR, else the login)
    db = "~/work/handoff.db"    # the database (else --db, $HANDOFF_DB win)
    [due]
    within = 14                 # `handoff due`'s days ahead
    [team]
    sync = "auto"               # manual, or auto: sync in the background after each write

A flag beats an environment variable, which beats the file. A bad file is one
line naming the key and its line, exit 2.

Cheap on every command: no file costs one `stat`; a file is parsed with
tomllib (about 4 ms to import) only when it changed, and what it says is
kept beside it in a small JSON cache (`.config.cache.json`) read in well under
a millisecond (issue 13: `log` must stay fast).
"""

from __future__ import annotations

import os

from handoff_cli.errors import BadInput

TYPE_CHECKING = False  # `log` reads this file's settings: no typing, no pathlib (issue 13)
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any

KEYS: dict[str, type] = {"author": str, "db": str, "due.within": int, "team.sync": str}
SYNC_MODES = ("manual", "auto")
_CACHE_NAME = ".config.cache.json"
_loaded: dict[str, dict[str, Any]] = {}


def config_dir() -> Path:
    """The platform's user config directory for handoff (~/.config/handoff on Linux)."""
    from pathlib import Path

    return Path(_config_dir_name())


def _config_dir_name() -> str:
    """`config_dir()` as a string, without pathlib on Linux."""
    import sys

    if sys.platform.startswith("linux"):
        from handoff_cli.paths import pure_path

        base = os.environ.get("XDG_CONFIG_HOME", "").strip()
        # The XDG spec: a relative path is invalid and is ignored.
        root = base if base and os.path.isabs(base) else os.path.expanduser("~") + "/.config"
        return pure_path(root + "/handoff")
    from platformdirs import user_config_dir

    return str(user_config_dir("handoff", appauthor=False))


def config_path() -> Path:
    return config_dir() / "config.toml"


def settings() -> dict[str, Any]:
    """The file's settings as {"author": ..., "due.within": ...}; {} when there is no file."""
    directory = _config_dir_name()
    path = os.path.join(directory, "config.toml")
    try:
        stat = os.stat(path)
    except OSError:
        return {}
    stamp = f"{stat.st_mtime_ns}:{stat.st_size}"
    known = _loaded.get(path)
    if known is not None and known.get("_stamp") == stamp:
        return known
    cache = os.path.join(directory, _CACHE_NAME)
    cached = _read_cache(cache, stamp)
    if cached is None:
        with open(path, "rb") as handle:
            cached = parse(handle.read(), path)
        cached["_stamp"] = stamp
        _write_cache(cache, cached)
    _loaded[path] = cached
    return cached


def get(key: str) -> Any:
    return settings().get(key)


def _read_cache(cache: str, stamp: str) -> dict[str, Any] | None:
    import json

    try:
        with open(cache, encoding="utf-8") as handle:
            data = json.loads(handle.read())
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("_stamp") != stamp:
        return None
    return data


def _write_cache(cache: str, data: dict[str, Any]) -> None:
    import json
    import tempfile

    try:
        fd, name = tempfile.mkstemp(dir=os.path.dirname(cache), prefix=".config.", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle)
        os.replace(name, cache)
    except OSError:
        pass  # a read-only config directory: parse the file each time instead


def parse(data: bytes, where: str) -> dict[str, Any]:
    """Check and flatten the file's settings; BadInput naming the key and line if wrong."""
    import sys

    if sys.version_info >= (3, 11):
        import tomllib
    else:  # Python 3.10: the same parser, from PyPI
        import tomli as tomllib

    try:
        text = data.decode("utf-8")
        raw = tomllib.loads(text)
    except UnicodeDecodeError:
        msg = f"{where} is not UTF-8 text"
        raise BadInput(msg) from None
    except tomllib.TOMLDecodeError as exc:
        msg = f"{where}: {exc}"
        raise BadInput(msg) from None
    flat: dict[str, object] = {}
    for key, value in raw.items():
        if isinstance(value, dict):
            for inner, item in value.items():
                flat[f"{key}.{inner}"] = item
        else:
            flat[key] = value
    result: dict[str, Any] = {}
    for key, value in flat.items():
        line = _line_of(text, key)
        if key not in KEYS:
            known = ", ".join(KEYS)
            msg = f"{where}, line {line}: unknown key '{key}' (known: {known})"
            raise BadInput(msg)
        wanted = KEYS[key]
        if not isinstance(value, wanted) or isinstance(value, bool):
            kind = "a number" if wanted is int else "a string"
            msg = f"{where}, line {line}: '{key}' should be {kind}, not {value!r}"
            raise BadInput(msg)
        if isinstance(value, int) and not 0 <= value <= 3650:
            msg = f"{where}, line {line}: 'due.within' should be 0 to 3650 days, not {value}"
            raise BadInput(msg)
        if key == "team.sync" and value not in SYNC_MODES:
            msg = f"{where}, line {line}: 'team.sync' should be 'manual' or 'auto', not {value!r}"
            raise BadInput(msg)
        if isinstance(value, str) and key in ("author", "db") and not value.strip():
            msg = f"{where}, line {line}: '{key}' cannot be empty"
            raise BadInput(msg)
        result[key] = value
    return result


def _line_of(text: str, key: str) -> int:
    """The line a (possibly dotted) key is set on, for messages."""
    table, _, name = key.rpartition(".")
    current = ""
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if stripped.startswith("[") and stripped.endswith("]"):
            current = stripped.strip("[] ")
            continue
        left = stripped.split("=", 1)[0].strip().strip('"')
        if (current == table and left == name) or (not current and left == key):
            return number
    return 1
