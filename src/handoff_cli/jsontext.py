"""`json.dumps(value, ensure_ascii=False)` for the plain values a change holds, without
importing `json`: the package compiles its decoder's patterns on import, about two
milliseconds that `handoff log` would pay on every note for writing one object (issue
13). Strings are escaped by the same C function `json` uses; any other kind of value
(a float, a key that is not a string) is handed to `json.dumps` itself.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

try:
    from _json import encode_basestring as _quote
except ImportError:  # pragma: no cover - an interpreter without the C module
    from json.encoder import py_encode_basestring as _quote


class _Other(Exception):
    """A value this module leaves to `json`."""


def dumps(value: Any, *, compact: bool = False) -> str:
    """`json.dumps(value, ensure_ascii=False)`, with `separators=(",", ":")` if `compact`."""
    try:
        return _dump(value, "," if compact else ", ", ":" if compact else ": ")
    except _Other:
        import json

        separators = (",", ":") if compact else None
        return json.dumps(value, ensure_ascii=False, separators=separators)


def _dump(value: Any, comma: str, colon: str) -> str:
    if isinstance(value, str):
        return str(_quote(value))
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, (list, tuple)):
        return "[" + comma.join(_dump(v, comma, colon) for v in value) + "]"
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        items = (str(_quote(k)) + colon + _dump(v, comma, colon) for k, v in value.items())
        return "{" + comma.join(items) + "}"
    raise _Other
