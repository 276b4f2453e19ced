"""Hybrid logical clocks, and the stamps that order changes.

Every change carries a clock reading and its writer's member id. Written as one
string, `HLC@MEMBER`, two stamps compare as strings in the order the merge rules
need: the later clock first, the writer's member id breaking ties. The clock
part has a fixed width (13 digits of milliseconds since 1970, a dash, 4 digits
of counter), so string order is time order until the year 2286.

The clock is hybrid: it follows the wall clock, but never runs backwards and
never falls behind a change it has seen, so a change made after reading a
colleague's always stamps later than theirs, whatever the two wall clocks say.

Stdlib only, no dataclasses: `handoff log` stamps every note (issue 13).
"""

from __future__ import annotations

ZERO = "0000000000000-0000"  # older than any change: data from before the change log
_COUNTER_MAX = 9999


def hlc(ms: int, counter: int = 0) -> str:
    return f"{ms:013d}-{counter:04d}"


def parse(clock: str) -> tuple[int, int]:
    """(milliseconds, counter) of a clock string; ValueError if it is not one."""
    if len(clock) != 18 or clock[13] != "-":
        msg = f"not a clock: {clock!r}"
        raise ValueError(msg)
    ms, counter = clock[:13], clock[14:]
    if not (ms.isascii() and ms.isdigit() and counter.isascii() and counter.isdigit()):
        msg = f"not a clock: {clock!r}"
        raise ValueError(msg)
    return int(ms), int(counter)


def is_clock(clock: object) -> bool:
    if not isinstance(clock, str):
        return False
    try:
        parse(clock)
    except ValueError:
        return False
    return True


def tick(last: str, now_ms: int) -> str:
    """The clock for a new local change, after `last` (the latest clock seen here)."""
    last_ms, counter = parse(last)
    if now_ms > last_ms:
        return hlc(now_ms)
    if counter >= _COUNTER_MAX:  # a thousand changes in one millisecond: borrow the next
        return hlc(last_ms + 1)
    return hlc(last_ms, counter + 1)


def later(a: str, b: str) -> str:
    """The later of two clocks (for remembering the latest seen)."""
    return a if a >= b else b


def stamp(clock: str, member: str) -> str:
    return f"{clock}@{member}"


def clock_of(stamp_text: str) -> str:
    return stamp_text.partition("@")[0]


def member_of(stamp_text: str) -> str:
    return stamp_text.partition("@")[2]


ZERO_STAMP = stamp(ZERO, "")


# A name's rank: which spelling of a client's or contact's name stands. An
# explicit rename ranks by its stamp (the latest wins); a creation ranks below
# every rename, and among creations the earliest wins (the name as first
# written), so a colleague typing "acme" later does not respell "ACME".
_INVERT = str.maketrans("0123456789", "9876543210")


def rename_rank(stamp_text: str) -> str:
    return "1" + stamp_text


def creation_rank(stamp_text: str) -> str:
    """A creation's rank: the earlier, the higher; a name from before the change log
    (the oldest stamp) ranks lowest of all, so a real name always replaces it."""
    clock, _, member = stamp_text.partition("@")
    if clock == ZERO:
        return "0" + ZERO + "@" + member
    return "0" + clock.translate(_INVERT) + "@" + member


def unrank(rank: str) -> tuple[str, bool]:
    """(the stamp, whether it was a rename) of a name's rank."""
    if rank.startswith("1"):
        return rank[1:], True
    clock, _, member = rank[1:].partition("@")
    if clock == ZERO:
        return stamp(ZERO, member), False
    return stamp(clock.translate(_INVERT), member), False


ZERO_RANK = creation_rank(ZERO_STAMP)  # a name from before the change log
