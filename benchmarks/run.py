"""Time handoff's commands as whole processes against the floors, and print a table.

    python benchmarks/run.py             # default dataset: 1,000 clients, 10k promises, 1M notes
    python benchmarks/run.py --smoke     # everything once at a tiny size, in a few seconds (CI)
    python benchmarks/run.py --only log,due --runs 20
    python benchmarks/run.py --peers     # also Taskwarrior and jrnl, side by side (peers.py)

Each command runs as a user runs it: a new process of the `handoff` console
script (the one beside this Python, or --handoff) with its output to a file,
against a database made by make_dataset.py (made once, then cached in
--data-dir). Light commands run in rounds after a warm-up, and every round
(and every run of a heavy command) also runs the two floors, so commands and
floors see the same machine load:

- `pass`: `python -c pass`, starting Python at all;
- `insert`: a stdlib process that opens a WAL SQLite file, inserts one row and
  commits, the least a `handoff log` can do.

`due` is also timed on the two other shapes of make_dataset.py: every
promise overdue (so it lists them all) and a team of 20 authors. Each `due`
row says how many items it listed (counted once with --json, untimed), and
its target follows from that count.

The table gives medians of wall-clock and CPU (user + system) time and their
ratios to the floors. The targets (issues 6 and 13) are ratios to the `insert`
floor (as PERFORMANCE.md sets the one for `log`); one counts as met when both
the wall and the CPU ratio are within it, as wall time wanders on a busy
machine. The exports and the import also get their peak memory. A command
that is not there yet, or fails, is skipped with a note. Nothing here
asserts a time: the table is for people.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sqlite3
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

# beside this file
import make_dataset  # noqa: E402
import peers  # noqa: E402
from bytecode import write_bytecode  # noqa: E402
from timing import Sample, last_line, median, ms, run_once, say  # noqa: E402

INSERT_FLOOR = """\
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
conn.execute("INSERT INTO t (x) VALUES ('one row')")
conn.execute("COMMIT")
conn.close()
"""
LISTED = ((4_656, 4.0), (10_000, 8.0))  # issue 13: `due` ≤ 4× the floor at 4,656 listed, ≤ 8×
# at 10,000 (`due --team`'s everyday size); linear between, flat outside
TEAM_OF = len(make_dataset.TEAM)


@dataclass
class Command:
    name: str
    argv: list[str]  # after the program name
    target: float | None = None  # the bound, as a ratio to the insert floor
    goal: str = ""  # the bound when it is not a ratio
    heavy: bool = False  # long-running: fewer runs, no warm-up, peak memory measured
    env: dict[str, str] = field(default_factory=dict)
    fresh_db: bool = False  # every run starts from an empty database (import)
    listed: bool = False  # a `due`: count what it lists (with --json) and set the target by it
    samples: list[Sample] = field(default_factory=list)
    note: str = ""
    out_bytes: int = 0


@dataclass
class Setup:
    handoff: list[str]  # the program to time
    python: str  # the interpreter for the floors (this one)
    work: Path  # a temporary directory
    floor_db: Path
    env: dict[str, str]


# ------------------------------------------------------------------ running


def why(sample: Sample, stderr: Path) -> str:
    line = last_line(stderr)
    if "No such command" in line:
        return "skipped: not there yet"
    if "No such option" in line:
        return f"skipped: not there yet ({line.removeprefix('Error: ')})"
    return f"failed (exit {sample.code}): {line[:100]}"


def program(args: argparse.Namespace) -> list[str]:
    """The `handoff` console script beside this Python, else on PATH, else `python -c`."""
    if args.handoff:
        return [args.handoff]
    beside = Path(sys.executable).parent / "handoff"
    if beside.exists():
        return [str(beside)]
    found = shutil.which("handoff")
    if found:
        return [found]
    return [sys.executable, "-c", "from handoff_cli.cli import main; main()"]


def child_env(db: Path, work: Path) -> dict[str, str]:
    """The environment of a user: the database where handoff looks for it by default.

    On Linux that is $XDG_DATA_HOME/handoff/handoff.db (a link to the dataset
    here), so the cost of finding the default location is counted; elsewhere
    $HANDOFF_DB points at the dataset. The author is the dataset's ME, who owns
    its promises where the schema has owners.
    """
    env = dict(os.environ)
    for name in ("PYTHONDONTWRITEBYTECODE", "HANDOFF_DB", "HANDOFF_AUTHOR", "HANDOFF_NOW"):
        env.pop(name, None)  # bytecode caches on, as users have them; no test settings
    env.update(db_env(db, work / "xdg-data"))
    env.update(HANDOFF_NOW=make_dataset.NOW, HANDOFF_AUTHOR=make_dataset.ME)  # the dataset's
    env.update(NO_COLOR="1", COLUMNS="100")
    return env


def db_env(db: Path, home: Path) -> dict[str, str]:
    """What points handoff at `db`: its default location under `home` on Linux, else $HANDOFF_DB."""
    if sys.platform != "linux":
        return {"HANDOFF_DB": str(db)}
    (home / "handoff").mkdir(parents=True, exist_ok=True)
    (home / "handoff" / "handoff.db").symlink_to(db.resolve())
    return {"XDG_DATA_HOME": str(home)}


# ------------------------------------------------------------------ the data


def dataset(
    directory: Path, sizes: make_dataset.Sizes, seed: int, rebuild: bool, shape: str = "default"
) -> Path:
    """The cached database for this shape, sizes, seed and schema; made when missing."""
    from handoff_cli.store import LATEST_VERSION

    name = (
        f"bench-c{sizes.clients}-p{sizes.promises}-n{sizes.notes}-s{seed}"
        f"-d{make_dataset.VERSION}-v{LATEST_VERSION}"
    )
    if shape != "default":
        name += f"-{shape}"
    path = directory / f"{name}.db"
    if rebuild:
        make_dataset.remove(path)
    if not path.exists():
        directory.mkdir(parents=True, exist_ok=True)
        partial = directory / f"{name}.partial"
        make_dataset.remove(partial)
        say(f"making {path} (once)")
        summary = make_dataset.make(
            partial, sizes, seed=seed, shape=shape, say=lambda m: say(f"  {m}")
        )
        say(f"  made in {summary.seconds:.1f} s")
        partial.rename(path)
    return path


def recurring_promise(db: Path) -> str:
    """An open recurring promise of the busiest client, for `done --early` (each round
    covers one more occurrence ahead, so every run writes a completion); "" if none."""
    conn = sqlite3.connect(db)
    try:
        row = conn.execute(
            "SELECT p.id FROM promises p JOIN clients c ON c.id = p.client_id"
            " WHERE p.status = 'open' AND p.rule IS NOT NULL ORDER BY c.note_count DESC, p.id"
            " LIMIT 1"
        ).fetchone()
        return str(row[0]) if row else ""
    finally:
        conn.close()


def busiest_client(db: Path) -> str:
    conn = sqlite3.connect(db)
    try:
        row = conn.execute("SELECT name FROM clients ORDER BY note_count DESC, id LIMIT 1")
        return str(row.fetchone()[0])
    finally:
        conn.close()


def make_bundle(setup: Setup, directory: Path, notes: int, seed: int) -> tuple[Path | None, str]:
    """A bundle of `notes` notes: a dataset of its own, written by `export --format json`."""
    sizes = make_dataset.Sizes(max(1, notes // 1000), max(1, notes // 100), notes)
    source = dataset(directory, sizes, seed, rebuild=False)
    bundle = source.with_suffix(".json")
    if bundle.exists():
        return bundle, ""
    partial, err = setup.work / "bundle.json", setup.work / "bundle.err"
    argv = [*setup.handoff, "--db", str(source), "export", "--format", "json"]
    sample = run_once(argv, setup.env, partial, err)
    if sample.code != 0:
        return None, f"no bundle: `export --format json` {why(sample, err)}"
    shutil.move(str(partial), bundle)
    return bundle, ""


# ------------------------------------------------------------------ commands


def log_args(busiest: str) -> list[str]:
    return ["log", busiest, "Called about the invoice", "--with", "Tanaka", "--tag", "billing"]


def commands(
    busiest: str,
    bundle: Path | None,
    bundle_note: str,
    bundle_notes: int,
    shapes: dict[str, dict[str, str]] | None = None,
    done_id: str = "",
) -> list[Command]:
    """What is timed; `shapes` holds the environment that points at each other shape's dataset."""
    shapes = shapes or {}
    completion = {  # what bash runs on `handoff show Ac<Tab>` (Typer's completion script)
        "_HANDOFF_COMPLETE": "complete_bash",
        "COMP_WORDS": "handoff show Ac",
        "COMP_CWORD": "2",
    }
    importing = Command(
        f"import {bundle_notes:,}-note bundle (empty db)",
        ["import", str(bundle)] if bundle else [],
        goal="≤ 15 s",
        heavy=True,
        fresh_db=True,
        note=bundle_note,
    )
    dues = [Command("due", ["due"])]
    if "overdue" in shapes:
        dues.append(Command("due · every promise overdue", ["due"], env=shapes["overdue"]))
    if "team" in shapes:
        for argv in (["due"], ["due", "--team"]):
            name = f"{' '.join(argv)} · team of {TEAM_OF}"
            dues.append(Command(name, argv, env=shapes["team"]))
    for cmd in dues:
        cmd.listed = True
    return [
        Command("--version", ["--version"], 4),
        Command("--help", ["--help"], 8),
        Command("log", [*log_args(busiest), "--kind", "call"], 2),
        Command("complete `show Ac`", [], 5, env=completion),
        *dues,
        *(
            [
                Command(
                    "done --early (a recurring promise)",
                    ["done", done_id, "--early"],
                    goal="no slower than before (issue 10)",
                )
            ]  # fmt: skip
            if done_id
            else []
        ),
        Command("search invoice", ["search", "invoice"], 4),
        Command("search 報告", ["search", "報告"], 4),
        Command(f"show {busiest}", ["show", busiest], 4),
        Command("clients", ["clients"], 4),
        Command(
            "export json (all)",
            ["export", "--format", "json"],
            goal="≤ 30 s, ≤ 300 MB",
            heavy=True,
        ),
        Command("export md (all)", ["export", "--format", "md"], heavy=True),
        importing,
    ]


def due_target(listed: int) -> float:
    """Issue 13's bound for a `due` that lists this many items (LISTED)."""
    (low, at_low), (high, at_high) = LISTED
    share = min(1.0, max(0.0, (listed - low) / (high - low)))
    return at_low + share * (at_high - at_low)


def count_listed(setup: Setup, cmd: Command) -> None:
    """Run a `due` once with --json (untimed): name the row by what it lists, set its target.

    Left alone if that fails; measuring the command then gives the note.
    """
    out, err = setup.work / "listed.json", setup.work / "listed.err"
    sample = run_once([*setup.handoff, *cmd.argv, "--json"], {**setup.env, **cmd.env}, out, err)
    if sample.code != 0:
        return
    try:
        listed = len(json.loads(out.read_text(encoding="utf-8"))["items"])
    except (ValueError, KeyError, TypeError):
        return
    cmd.name += f" ({listed:,} listed)"
    cmd.target = due_target(listed)


def measure(
    setup: Setup, cmds: list[Command], runs: int, warmup: int, heavy_runs: int
) -> dict[str, list[Sample]]:
    """Run everything, interleaved with the floors; returns the floors' samples."""
    floors: dict[str, list[Sample]] = {"pass": [], "insert": []}
    out, err = setup.work / "stdout", setup.work / "stderr"

    def floor_round() -> None:
        floors["pass"].append(run_once([setup.python, "-c", "pass"], setup.env, out, err))
        insert = [setup.python, "-c", INSERT_FLOOR, str(setup.floor_db)]
        floors["insert"].append(run_once(insert, setup.env, out, err))

    def once(cmd: Command, index: int) -> None:
        env = {**setup.env, **cmd.env}
        fresh = setup.work / f"fresh-{index}.db"
        if cmd.fresh_db:
            make_dataset.remove(fresh)
            env["HANDOFF_DB"] = str(fresh)
        sample = run_once([*setup.handoff, *cmd.argv], env, out, err, memory=cmd.heavy)
        if cmd.fresh_db:
            make_dataset.remove(fresh)
        if sample.code != 0:
            cmd.note = why(sample, err)
        elif index >= 0:
            cmd.samples.append(sample)
            cmd.out_bytes = out.stat().st_size

    light = [c for c in cmds if not c.heavy]
    for _ in range(warmup):  # also writes bytecode caches and warms the page cache
        floor_round()
        for cmd in light:
            if not cmd.note:
                once(cmd, -1)
    for n in range(runs):
        say(f"round {n + 1}/{runs}")
        floor_round()
        for cmd in light:
            if not cmd.note:
                once(cmd, n)
    for cmd in cmds:
        for n in range(heavy_runs if cmd.heavy else 0):
            if cmd.note:
                break
            say(f"{cmd.name}: run {n + 1}/{heavy_runs}")
            floor_round()
            once(cmd, n)
    return floors


# ------------------------------------------------------------------ report


def table(cmds: list[Command], floors: dict[str, list[Sample]]) -> str:
    """Markdown: medians, their ratios to the floors, the verdict on each target."""
    wall = {name: median([s.wall for s in samples]) for name, samples in floors.items()}
    cpu = {name: median([s.cpu for s in samples]) for name, samples in floors.items()}
    rows = [
        "| command | wall | × insert | × pass | CPU | CPU × insert | target | peak memory | note |",
        "|---|--:|--:|--:|--:|--:|---|--:|---|",
        f"| floor: `python -c pass` | {ms(wall['pass'])} | {wall['pass'] / wall['insert']:.2f} "
        f"| 1 | {ms(cpu['pass'])} | {cpu['pass'] / cpu['insert']:.2f} | | | |",
        f"| floor: insert one row (WAL) | {ms(wall['insert'])} | 1 "
        f"| {wall['insert'] / wall['pass']:.2f} | {ms(cpu['insert'])} | 1 | | | |",
    ]
    for cmd in cmds:
        goal = f"≤ {cmd.target:.3g}×" if cmd.target else cmd.goal
        if not cmd.samples:
            rows.append(f"| {cmd.name} | | | | | | {goal} | | {cmd.note} |")
            continue
        w = median([s.wall for s in cmd.samples])
        c = median([s.cpu for s in cmd.samples])
        if cmd.target:  # on a busy machine wall time wanders: count the target met on both
            missed = [
                name
                for name, ratio in (("wall", w / wall["insert"]), ("CPU", c / cpu["insert"]))
                if ratio > cmd.target
            ]
            goal += f" **missed** ({', '.join(missed)})" if missed else " met"
        peaks = [s.peak_kb for s in cmd.samples if s.peak_kb is not None]
        peak = ""
        if peaks:
            bound = "" if all(s.peak_exact for s in cmd.samples) else "≤ "
            peak = f"{bound}{max(peaks) / 1024:.0f} MB"
        note = cmd.note or (f"{cmd.out_bytes / 1e6:.0f} MB out" if cmd.out_bytes >= 10**6 else "")
        ratios = ["", "", ""]  # seconds-long runs: a ratio to a floor says nothing
        if not cmd.heavy:
            ratios = [
                f"{w / wall['insert']:.1f}",
                f"{w / wall['pass']:.1f}",
                f"{c / cpu['insert']:.1f}",
            ]
        rows.append(
            f"| {cmd.name} | {ms(w)} | {ratios[0]} | {ratios[1]} "
            f"| {ms(c)} | {ratios[2]} | {goal} | {peak} | {note} |"
        )
    return "\n".join(rows)


def load() -> str:
    return f"{os.getloadavg()[0]:.1f}" if hasattr(os, "getloadavg") else "?"


def versions() -> str:
    from importlib.metadata import version

    return (
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
        f"typer {version('typer')}, {os.cpu_count()} CPUs"
    )


# ------------------------------------------------------------------ main


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Time handoff's commands against the floors.")
    parser.add_argument("--smoke", action="store_true", help="everything once, tiny, in a temp dir")
    parser.add_argument("--clients", type=int, default=make_dataset.Sizes.clients)
    parser.add_argument("--promises", type=int, default=make_dataset.Sizes.promises)
    parser.add_argument("--notes", type=int, default=make_dataset.Sizes.notes)
    parser.add_argument("--bundle-notes", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--runs", type=int, default=10, help="timed rounds of the light commands")
    parser.add_argument("--warmup", type=int, default=2, help="untimed rounds before them")
    parser.add_argument("--heavy-runs", type=int, default=3, help="runs of the exports and import")
    parser.add_argument("--only", default="", help="run only commands starting with these (a,b)")
    parser.add_argument("--handoff", default="", help="the handoff program to time")
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=Path(tempfile.gettempdir()) / "handoff-bench",
        help="where datasets are cached (default: %(default)s)",
    )
    parser.add_argument("--rebuild", action="store_true", help="make the datasets again")
    parser.add_argument(
        "--peers", action="store_true", help="also time Taskwarrior and jrnl beside handoff"
    )
    parser.add_argument("--task", default="", help="the Taskwarrior program (default: on PATH)")
    parser.add_argument("--jrnl", default="", help="the jrnl program (default: on PATH)")
    parser.add_argument(
        "--peer-size", type=int, default=peers.SIZE, help="tasks and jrnl entries (%(default)s)"
    )
    args = parser.parse_args(argv)
    if args.smoke:
        args.clients, args.promises, args.notes, args.bundle_notes = 20, 60, 600, 100
        args.runs, args.warmup, args.heavy_runs, args.peer_size = 1, 0, 1, 50
    sizes = make_dataset.Sizes(args.clients, args.promises, args.notes)
    only = [w.strip() for w in args.only.split(",") if w.strip()]
    write_bytecode()

    with tempfile.TemporaryDirectory(prefix="handoff-bench-") as temp:
        work = Path(temp)
        data_dir = work / "data" if args.smoke else args.data_dir
        db = dataset(data_dir, sizes, args.seed, args.rebuild)
        floor_db = work / "floor.db"
        conn = sqlite3.connect(floor_db)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, x TEXT)")
        conn.close()
        setup = Setup(program(args), sys.executable, work, floor_db, child_env(db, work))
        bundle, bundle_note = None, ""
        if not only or any(w.startswith("import") for w in only):
            bundle, bundle_note = make_bundle(setup, data_dir, args.bundle_notes, args.seed + 1)
        shapes = {}
        if not only or any(w.startswith("due") or "due".startswith(w) for w in only):
            for shape in ("overdue", "team"):
                shaped = dataset(data_dir, sizes, args.seed, args.rebuild, shape)
                shapes[shape] = db_env(shaped, work / f"xdg-{shape}")
        busiest = busiest_client(db)
        cmds = commands(
            busiest, bundle, bundle_note, args.bundle_notes, shapes, recurring_promise(db)
        )
        if only:
            cmds = [c for c in cmds if any(c.name.startswith(w) for w in only)]
        for cmd in cmds:
            if cmd.listed:
                count_listed(setup, cmd)
        load_before = load()
        floors = measure(setup, cmds, args.runs, args.warmup, args.heavy_runs)
        print(
            f"handoff benchmark: {sizes.clients:,} clients, {sizes.promises:,} promises, "
            f"{sizes.notes:,} notes; medians of {args.runs} round(s), {args.heavy_runs} run(s) of "
            f"the exports and import"
        )
        print(f"{versions()}; load average {load_before} before, {load()} after")
        print()
        print(table(cmds, floors))
        if args.peers:
            section = peers.run(
                setup.handoff,
                setup.env,
                [*log_args(busiest), "--kind", "call"],
                which={"task": args.task, "jrnl": args.jrnl},
                cache=data_dir,
                work=work,
                size=args.peer_size,
                seed=args.seed,
                runs=args.runs,
                warmup=args.warmup,
                only=only,
            )
            print()
            print(section)
            print(f"load average {load()} after the peers")
    return 0


if __name__ == "__main__":
    sys.exit(main())
