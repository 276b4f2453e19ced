"""Python's cycle collector paused for a bulk write.

A first sync (or a big import) makes millions of short-lived dicts, lists and
tuples. Each 700 allocations the collector runs, and every so often it walks all
the objects alive, among them the batch being applied: ~6% of a first sync of
200,000 records went to it. What a bulk write makes is freed by reference
counting (records, rows and cursors hold no cycles), so nothing waits for the
collector; it is back on after, for anything that did (a command ends soon after).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused() -> Iterator[None]:
    if not gc.isenabled():  # a caller's own choice (or an outer pause) stands
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
