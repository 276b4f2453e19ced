"""`json.dumps(value, ensure_ascii=False)` for the plain values a change holds, without
importing `json`: the package compiles its decoder's patterns on import, about two
milliseconds that `handoff log` would pay on every note for writing one object (issue
13). Strings are escaped by the same C function `json` uses; any other kind of value
(a float, a key that is not a string) is handed to `json.dumps` itself.
"""

from __future__ import annotations

import sys as _sys

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
    if "json" in _sys.modules:  # paid for already (a sync, an import): its C encoder is faster
        return _json_dumps(value, compact)
    return without_json(value, compact=compact)


def without_json(value: Any, *, compact: bool = False) -> str:
    """`dumps`, written here (`json` is imported only for a value this module leaves to it)."""
    try:
        return _dump(value, "," if compact else ", ", ":" if compact else ": ")
    except _Other:
        return _json_dumps(value, compact)


def _json_dumps(value: Any, compact: bool) -> str:
    encoder = _ENCODERS.get(compact)
    if encoder is None:  # made once: json.dumps makes one a call when given separators
        import json

        separators = (",", ":") if compact else (", ", ": ")
        encoder = json.JSONEncoder(ensure_ascii=False, separators=separators)
        _ENCODERS[compact] = encoder
    return str(encoder.encode(value))


_ENCODERS: dict[bool, Any] = {}


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
