"""Taskwarrior and jrnl timed side by side with handoff: `python benchmarks/run.py --peers`.

Each peer gets a dataset of its own, made once and cached beside handoff's
(run.py's --data-dir), and copied into a new temporary HOME for every run,
so nothing of the user's (~/.taskrc, ~/.task, jrnl's configuration and
journal, $TASKRC, $TASKDATA) is read or touched:

- Taskwarrior: SIZE pending tasks (default 10,000), named like handoff's
  promises, in projects named like its clients, some tagged; OVERDUE_SHARE of
  them overdue (4,656 of 10,000, as many as `handoff due` lists on its default
  dataset), the rest due one to twelve months ahead; loaded with `task import`.
  Taskwarrior's clock cannot be pinned, so the dates count from the day the
  data was made, and it is made again once STALE_DAYS have passed.
- jrnl: SIZE entries over ten years, the text of handoff's notes (English and
  Japanese) with their tags as @words, in jrnl's plain-text format,
  unencrypted.

Each pair runs in rounds after a warm-up: handoff's command and the peer's,
one right after the other, the order swapped every round, each a whole
process with its output to a file. The table gives both medians and the
median of the per-round ratios (wall and CPU). Nothing asserts a time.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import make_dataset
from timing import Sample, last_line, median, ms, run_once, say

SIZE = 10_000
OVERDUE_SHARE = 0.4656  # handoff's `due` lists 4,656 of its 10,000 promises
STALE_DAYS = 28  # Taskwarrior's data is made again after this (its due dates are real ones)
VERSION = 1  # of the peers' data; part of the cache names
WORD = "invoice"  # searched for by both sides
INSTALL = {
    "task": "apt-get install taskwarrior, or --task PATH",
    "jrnl": "pipx install jrnl (or pip install jrnl in a venv of its own), or --jrnl PATH",
}


@dataclass
class Peer:
    key: str  # "task" or "jrnl"
    name: str  # as shown: "Taskwarrior 2.6.2"
    program: str
    env: dict[str, str]
    data: str  # "10,000 tasks"


@dataclass
class Pair:
    work: str  # e.g. "`log` vs `task add`"
    handoff: list[str]  # handoff's arguments
    peer_key: str
    peer_args: list[str]
    peer: Peer | None = None
    ours: list[Sample] = field(default_factory=list)
    theirs: list[Sample] = field(default_factory=list)
    note: str = ""


def pairs(log: list[str]) -> list[Pair]:
    """What each peer is timed at, beside the handoff command that does the same work."""
    search = ["search", WORD]
    return [
        Pair("`log` vs `task add`", log, "task", ["add", "Called about the", WORD, "+billing"]),
        Pair("`log` vs `jrnl TEXT`", log, "jrnl", ["Called", "about", "the", WORD, "@billing"]),
        Pair("`due` vs `task overdue`", ["due"], "task", ["overdue"]),
        Pair(f"`search {WORD}` vs `task /{WORD}/ list`", search, "task", [f"/{WORD}/", "list"]),
        Pair(f"`search {WORD}` vs `jrnl -contains {WORD}`", search, "jrnl", ["-contains", WORD]),
    ]


# ------------------------------------------------------------------ finding them


def find(key: str, given: str) -> tuple[str | None, str]:
    """The program: `given` (a path) if set, else on PATH; or None and why not."""
    if given:
        path = Path(given).expanduser()
        if path.is_file() and os.access(path, os.X_OK):
            return str(path), ""
        return None, f"skipped: {given} is not a program ({INSTALL[key]})"
    found = shutil.which(key)
    if found:
        return found, ""
    return None, f"skipped: `{key}` is not installed ({INSTALL[key]})"


def home_env(home: Path) -> dict[str, str]:
    """The environment of a user whose HOME is `home`, with nothing of ours leaking in."""
    env = dict(os.environ)
    for name in ("TASKRC", "TASKDATA", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
        env.pop(name, None)
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_DATA_HOME=str(home / ".local" / "share"),
        XDG_CACHE_HOME=str(home / ".cache"),
        NO_COLOR="1",
        COLUMNS="100",
    )
    return env


def version(program: str, env: dict[str, str]) -> str:
    done = subprocess.run(
        [program, "--version"], env=env, capture_output=True, text=True, check=False, timeout=60
    )
    words = (done.stdout.strip().splitlines() or [""])[0].split()
    return words[-1].lstrip("v") if words else "?"


def checked(argv: list[str], env: dict[str, str], what: str) -> str:
    """Run a set-up step; its output, or RuntimeError with its last line."""
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False, timeout=600)
    if done.returncode != 0:
        lines = (done.stderr or done.stdout).strip().splitlines()
        msg = f"{what} failed (exit {done.returncode}): {lines[-1] if lines else ''}"
        raise RuntimeError(msg)
    return done.stdout


# ------------------------------------------------------------------ Taskwarrior


TASKRC = """\
# Made by handoff's benchmarks/peers.py for a temporary HOME.
data.location={data}
# handoff's runs get COLUMNS=100; Taskwarrior reads its width from here when not on a terminal
defaultwidth=100
"""


def taskwarrior(program: str, cache: Path, work: Path, size: int, seed: int) -> Peer:
    """A HOME in `work` holding a copy of the cached task data (made when missing or stale)."""
    today = date.today()
    name = f"peer-task-n{size}-s{seed}-d{VERSION}"
    made = cache / name
    stamp = made / "made-on"
    if stamp.exists() and (today - date.fromisoformat(stamp.read_text().strip())).days > STALE_DAYS:
        shutil.rmtree(made)
    if not stamp.exists():
        say(f"making {made} (once)")
        shutil.rmtree(made, ignore_errors=True)
        partial = cache / f"{name}.partial"
        shutil.rmtree(partial, ignore_errors=True)
        partial.mkdir(parents=True)
        env = home_env(partial)
        (partial / ".taskrc").write_text(TASKRC.format(data=partial / ".task"))
        tasks, overdue = task_list(size, seed, datetime.now(timezone.utc))
        bundle = partial / "tasks.json"
        bundle.write_text(json.dumps(tasks, ensure_ascii=False), encoding="utf-8")
        checked([program, "import", str(bundle)], env, "task import")
        bundle.unlink()
        counted = [
            int(checked([program, *query, "count"], env, "task count").strip())
            for query in (["status:pending"], ["+OVERDUE"])
        ]
        if counted != [size, overdue]:
            msg = f"Taskwarrior counts {counted} pending/overdue tasks, not {[size, overdue]}"
            raise RuntimeError(msg)
        (partial / "made-on").write_text(today.isoformat())
        partial.rename(made)
    home = work / "task-home"
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    shutil.copytree(made / ".task", home / ".task")
    (home / ".taskrc").write_text(TASKRC.format(data=home / ".task"))
    env = home_env(home)
    overdue = round(size * OVERDUE_SHARE)
    data = f"{size:,} pending tasks, {overdue:,} overdue"
    return Peer("task", f"Taskwarrior {version(program, env)}", program, env, data)


def task_list(size: int, seed: int, now: datetime) -> tuple[list[dict[str, object]], int]:
    """`size` pending tasks for `task import`, the first `overdue` of them (in shuffled order)
    due before today; returns them and that count."""
    rng = random.Random(f"{seed}:peer-task")
    clients = make_dataset.client_names(rng, max(1, size // 10))
    overdue = round(size * OVERDUE_SHARE)
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    late = [True] * overdue + [False] * (size - overdue)
    rng.shuffle(late)
    tasks: list[dict[str, object]] = []
    for is_late in late:
        due = midnight + timedelta(days=-rng.randint(1, 365) if is_late else rng.randint(30, 365))
        entry = min(now, due) - timedelta(days=rng.randint(1, 60))
        task: dict[str, object] = {
            "uuid": make_dataset.uuid4(rng),
            "description": make_dataset.promise_title(rng),
            "status": "pending",
            "entry": _task_time(entry),
            "modified": _task_time(entry),
            "due": _task_time(due),
            "project": rng.choice(clients),
        }
        tags = rng.sample(make_dataset.TAGS, rng.choice((0, 0, 1, 2)))
        if tags:
            task["tags"] = tags
        tasks.append(task)
    return tasks, overdue


def _task_time(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")


# ------------------------------------------------------------------ jrnl


JRNL_CONFIG = """\
# Made by handoff's benchmarks/peers.py for a temporary HOME.
colors:
  body: none
  date: none
  tags: none
  title: none
default_hour: 9
default_minute: 0
editor: ''
encrypt: false
highlight: true
indent_character: '|'
journals:
  default:
    journal: {journal}
linewrap: 79
tagsymbols: '#@'
template: false
timeformat: '%Y-%m-%d %H:%M'
version: '{version}'
"""


def jrnl(program: str, cache: Path, work: Path, size: int, seed: int) -> Peer:
    """A HOME in `work` holding jrnl's configuration and a copy of the cached journal."""
    made = cache / f"peer-jrnl-n{size}-s{seed}-d{VERSION}.txt"
    if not made.exists():
        say(f"making {made} (once)")
        cache.mkdir(parents=True, exist_ok=True)
        partial = made.with_suffix(".partial")
        partial.write_text(journal_text(size, seed), encoding="utf-8")
        partial.rename(made)
    home = work / "jrnl-home"
    shutil.rmtree(home, ignore_errors=True)
    journal = home / ".local" / "share" / "jrnl" / "journal.txt"
    (home / ".config" / "jrnl").mkdir(parents=True)
    journal.parent.mkdir(parents=True)
    shutil.copyfile(made, journal)
    env = home_env(home)
    release = version(program, env)
    config = JRNL_CONFIG.format(journal=journal, version=release)
    (home / ".config" / "jrnl" / "jrnl.yaml").write_text(config, encoding="utf-8")
    entries = checked([program, "--short", "-n", str(size + 1)], env, "jrnl --short")
    if len(entries.splitlines()) != size:
        msg = f"jrnl reads {len(entries.splitlines())} entries, not {size}"
        raise RuntimeError(msg)
    return Peer("jrnl", f"jrnl {release}", program, env, f"{size:,} entries")


def journal_text(size: int, seed: int) -> str:
    """`size` of the benchmark's notes as jrnl entries: `[YYYY-MM-DD HH:MM] Client: text @tags`."""
    rng = random.Random(f"{seed}:peer-jrnl")
    names = make_dataset.client_names(rng, max(1, size // 10))
    people = tuple(
        tuple((0, person) for person in rng.sample(make_dataset.CONTACTS_EN, 2)) for _ in names
    )
    first = int(datetime.fromisoformat(make_dataset.NOW).timestamp()) - make_dataset.NotePlan.SPAN
    plan = make_dataset.NotePlan(seed, size, tuple(names), people, first)
    notes, _, _ = make_dataset.note_batch(plan, 0, size)
    entries = []
    for note in notes:
        client, at, text, tags = names[int(str(note[2])) - 1], str(note[3]), note[6], note[8]
        words = "".join(f" @{tag}" for tag in json.loads(str(tags)))
        entries.append(f"[{at[:10]} {at[11:16]}] {client}: {text}{words}\n\n")
    return "".join(entries)


# ------------------------------------------------------------------ timing


def setup(
    which: dict[str, str], cache: Path, work: Path, size: int, seed: int
) -> tuple[dict[str, Peer], dict[str, str]]:
    """The peers that are there, ready to run; and for each one that is not, why not."""
    makers = {"task": taskwarrior, "jrnl": jrnl}
    ready: dict[str, Peer] = {}
    missing: dict[str, str] = {}
    for key, maker in makers.items():
        program, why = find(key, which.get(key, ""))
        if program is None:
            missing[key] = why
            continue
        try:
            ready[key] = maker(program, cache, work, size, seed)
        except (RuntimeError, OSError, subprocess.SubprocessError) as error:
            missing[key] = f"skipped: {error}"
    return ready, missing


def measure(
    handoff: list[str],
    handoff_env: dict[str, str],
    work: Path,
    todo: list[Pair],
    *,
    runs: int,
    warmup: int,
) -> None:
    """Each pair in rounds, handoff and the peer back to back, who goes first swapped each round."""
    out, err = work / "peer.out", work / "peer.err"
    live = [p for p in todo if p.peer is not None and not p.note]
    for n in range(-warmup, runs):
        if n >= 0:
            say(f"peers: round {n + 1}/{runs}")
        for pair in live:
            if pair.note:
                continue
            assert pair.peer is not None
            sides = [
                ([*handoff, *pair.handoff], handoff_env, pair.ours, "handoff"),
                ([pair.peer.program, *pair.peer_args], pair.peer.env, pair.theirs, pair.peer.key),
            ]
            for argv, env, samples, who in sides if n % 2 == 0 else sides[::-1]:
                sample = run_once(argv, env, out, err)
                if sample.code != 0:
                    pair.note = f"{who} failed (exit {sample.code}): {last_line(err)[:100]}"
                    break
                if n >= 0:
                    samples.append(sample)


def table(todo: list[Pair]) -> str:
    """Markdown: each side's median, the per-round ratios' medians; faster than the peer is met."""
    rows = [
        "| work | handoff | peer | peer's data | handoff / peer | CPU handoff / peer | target |",
        "|---|--:|--:|---|--:|--:|---|",
    ]
    for pair in todo:
        data = pair.peer.data if pair.peer else ""
        rounds = min(len(pair.ours), len(pair.theirs))
        if not rounds or pair.note:
            rows.append(f"| {pair.work} | | | {data} | | | {pair.note or 'no rounds'} |")
            continue
        ours, theirs = pair.ours[:rounds], pair.theirs[:rounds]
        wall = median([a.wall / b.wall for a, b in zip(ours, theirs, strict=True)])
        cpu = median([a.cpu / max(b.cpu, 1e-6) for a, b in zip(ours, theirs, strict=True)])
        verdict = "< 1× " + ("met" if wall < 1 and cpu < 1 else "**missed**")
        rows.append(
            f"| {pair.work} | {ms(median([s.wall for s in ours]))} "
            f"| {ms(median([s.wall for s in theirs]))} | {data} | {wall:.2f} | {cpu:.2f} "
            f"| {verdict} |"
        )
    return "\n".join(rows)


def run(
    handoff: list[str],
    handoff_env: dict[str, str],
    log: list[str],
    *,
    which: dict[str, str],
    cache: Path,
    work: Path,
    size: int,
    seed: int,
    runs: int,
    warmup: int,
    only: list[str],
) -> str:
    """Set the peers up, time the pairs, and return the section to print."""
    todo = pairs(log)
    if only:
        todo = [p for p in todo if any(p.handoff[0].startswith(w) for w in only)]
    ready, missing = setup(which, cache, work, size, seed)
    for pair in todo:
        pair.peer = ready.get(pair.peer_key)
        if pair.peer is None:
            pair.note = missing.get(pair.peer_key, "")
    measure(handoff, handoff_env, work, todo, runs=runs, warmup=warmup)
    peers = ", ".join(p.name for p in ready.values()) or "none"
    return (
        f"Side by side with the peers ({peers}): paired rounds, medians of {runs} round(s); "
        f"the ratios are medians of each round's handoff / peer\n\n{table(todo)}"
    )
