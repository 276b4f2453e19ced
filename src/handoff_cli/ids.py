"""Random uuids without the `uuid` module: it imports `platform` (and more), a few
milliseconds that `handoff log` would pay on every note (issue 13)."""

from __future__ import annotations

import os


def new_uuid() -> str:
    """A random uuid (version 4), formatted as `str(uuid.uuid4())` formats it."""
    raw = bytearray(os.urandom(16))
    raw[6] = (raw[6] & 0x0F) | 0x40  # version 4
    raw[8] = (raw[8] & 0x3F) | 0x80  # the RFC 4122 variant
    h = raw.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
