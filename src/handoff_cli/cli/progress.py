"""Progress on long work (`export`, `import`, `backup`, `team init`, `sync`): a rich bar
with counts on stderr.

Shown only to a person: when standard error is a terminal, never with
`--json`, and only once the work has lasted DELAY_S. Exporting a million notes
takes about 20 s and importing 100,000 about 5 s; the usual run is over before
the bar would appear, and never imports rich (~70 ms, PERFORMANCE.md).
`$HANDOFF_PROGRESS_DELAY` (seconds) changes the delay, so tests can see the bar.

Counting is cheap (an integer and, at most every REFRESH_S, a clock read);
rich is asked to redraw at most ten times a second.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    import sqlite3

DELAY_S = 0.5
REFRESH_S = 0.1
T = TypeVar("T")


def wanted(*, as_json: bool = False) -> bool:
    """Whether a bar may be shown at all: a person at a terminal, not a script."""
    if as_json:
        return False
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError, OSError):
        return False


class Progress:
    """A bar that appears once the work has taken DELAY_S; a no-op when not `enabled`."""

    def __init__(self, label: str, total: int | None, *, unit: str, enabled: bool) -> None:
        self.label = label
        self.total = total
        self.unit = unit
        self.enabled = enabled
        self.done = 0
        self._started = time.monotonic()
        self._next_look = self._started
        self._look_at = 0
        self._delay = _delay()
        self._bar: Any = None
        self._task: Any = None

    def advance(self, count: int = 1) -> None:
        self.done += count
        if self.enabled and self.done >= self._look_at:  # the clock every 256 items
            self._look_at = self.done + 256
            self._tick()

    def update(self, done: int, total: int | None = None, label: str | None = None) -> None:
        self.done = done
        if total is not None:
            self.total = total
        if label is not None:
            self.label = label
            self._next_look = 0.0  # show a new phase at once, if the bar is up
        if self.enabled:
            self._tick()

    def _tick(self) -> None:
        now = time.monotonic()
        if now < self._next_look:
            return
        self._next_look = now + REFRESH_S
        if self._bar is None:
            if now - self._started < self._delay:
                return
            self._show()
        total = self.total if self.total is None else max(self.total, self.done)
        self._bar.update(self._task, completed=self.done, total=total, description=self.label)
        self._bar.refresh()

    def _show(self) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            TextColumn,
            TimeElapsedColumn,
        )
        from rich.progress import Progress as Bar

        self._bar = Bar(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn(self.unit),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            auto_refresh=False,  # no thread: redrawn from _tick, at most every REFRESH_S
            transient=True,
        )
        self._task = self._bar.add_task(self.label, total=self.total)
        self._bar.start()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.update(self._task, completed=self.done, total=max(self.total or 0, self.done))
            self._bar.refresh()
            self._bar.stop()
            self._bar = None

    def counting(self, items: Iterable[T]) -> Iterator[T]:
        """`items`, advancing the bar by one for each."""
        for item in items:
            yield item
            self.advance()


@contextmanager
def bar(label: str, total: int | None, *, unit: str, enabled: bool) -> Iterator[Progress]:
    progress = Progress(label, total, unit=unit, enabled=enabled)
    try:
        yield progress
    finally:
        progress.close()


@contextmanager
def sqlite_work(conn: sqlite3.Connection, progress: Progress, *, expected: int) -> Iterator[None]:
    """Advance `progress` with the rows SQLite changes (up to `expected`) while inside.

    SQLite calls back every few thousand instructions. A signal handled in
    that callback would be swallowed by SQLite (it aborts the statement as
    "interrupted"), so it is kept and raised again once SQLite has rolled back.
    """
    if not progress.enabled:
        yield
        return
    base = conn.total_changes
    caught: list[BaseException] = []

    def tick() -> int:
        try:
            progress.update(min(conn.total_changes - base, expected))
        except BaseException as exc:  # Ctrl-C, SIGTERM: stop the statement, re-raise below
            caught.append(exc)
            return 1
        return 0

    conn.set_progress_handler(tick, 20_000)
    try:
        yield
    except BaseException:
        if caught:
            raise caught[0] from None
        raise
    finally:
        conn.set_progress_handler(None, 0)
    if caught:
        raise caught[0]
    progress.update(min(conn.total_changes - base, expected))


def _delay() -> float:
    text = os.environ.get("HANDOFF_PROGRESS_DELAY", "")
    try:
        return max(0.0, float(text)) if text else DELAY_S
    except ValueError:
        return DELAY_S
