"""Running one whole process and timing it: shared by run.py and peers.py."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

TIME = Path("/usr/bin/time")  # GNU time: reports the peak memory of exactly its child


@dataclass
class Sample:
    wall: float  # seconds
    cpu: float  # user + system seconds
    code: int
    peak_kb: int | None = None  # peak resident memory, when asked for
    peak_exact: bool = True  # False: an upper bound (see run_once)


def run_once(
    argv: Sequence[str], env: dict[str, str], stdout: Path, stderr: Path, *, memory: bool = False
) -> Sample:
    """Run one process to completion: wall and CPU time, and its peak memory if `memory`.

    The peak comes from GNU time, which forks the command from its own small
    process. wait4's ru_maxrss would also count the memory this (larger)
    process shared with the child before exec, so it is only an upper bound,
    used when /usr/bin/time is missing.
    """
    peak_file = stderr.with_suffix(".peak")
    timed = memory and TIME.exists()
    full = [str(TIME), "-f", "%M", "-o", str(peak_file), *argv] if timed else list(argv)
    with open(stdout, "wb") as out, open(stderr, "wb") as err:
        started = time.perf_counter()
        proc = subprocess.Popen(full, stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    sample = Sample(wall, usage.ru_utime + usage.ru_stime, proc.returncode)
    if timed:
        sample.peak_kb = int(peak_file.read_text().split()[-1])
    elif memory:
        sample.peak_kb, sample.peak_exact = usage.ru_maxrss, False
    return sample


def last_line(stderr: Path) -> str:
    lines = stderr.read_text(encoding="utf-8", errors="replace").strip().splitlines()
    return lines[-1] if lines else ""


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def ms(seconds: float) -> str:
    return f"{seconds:.1f} s" if seconds >= 10 else f"{seconds * 1000:,.0f} ms"


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
