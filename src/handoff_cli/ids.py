"""New uuids without the `uuid` module: it imports `platform` (and more), a few
milliseconds that `handoff log` would pay on every note (issue 13)."""

from __future__ import annotations

import os
import time


def new_uuid() -> str:
    """A uuid of version 7 (RFC 9562), formatted as `str(uuid.UUID(...))` formats it:
    the time in milliseconds, then 74 random bits.

    Time first, so the records a team writes over the years are appended to the
    indexes on `uuid` rather than scattered through them: a first sync of a
    million records wrote every page of two random-keyed indexes again with each
    transaction (issue 14). The time it shows is the record's clock's, which every
    record carries anyway.
    """
    ms = time.time_ns() // 1_000_000
    raw = bytearray(ms.to_bytes(6, "big") + os.urandom(10))
    raw[6] = (raw[6] & 0x0F) | 0x70  # version 7
    raw[8] = (raw[8] & 0x3F) | 0x80  # the RFC 9562 variant
    h = raw.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
