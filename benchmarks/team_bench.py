"""A team at scale, against a bare repository on this machine.

    python benchmarks/team_bench.py                  # 20 members, 10 years, 1,000,000 records
    python benchmarks/team_bench.py --records 20000  # smaller, quicker
    python benchmarks/team_bench.py --encrypt        # the same with an encrypted team

Builds (and caches, in --data-dir) a bare repository holding the history of a
team: each member's device files, one commit a member a month, the records
written as each member's handoff would write them (clients, contacts, notes,
promises, completions). Then, as a new member joining that team, measures
(whole processes, the user's own `git`):

- `team init`: clone and apply the whole history (target <= 90 s);
- `sync` with nothing new (target <= 1 s);
- `sync` bringing the 100 notes a colleague just logged (`--new`; target <= 2 s);
- `log` with team.sync = "auto" (each write spawns a background sync), next to
  the same `log` with "manual" and outside any team: no slower;
- the repository's size after the years of history (packed).

Prints a Markdown table. Nothing here is a test: tests/test_benchmarks.py runs
it at a tiny size so that it keeps working.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bytecode import write_bytecode  # noqa: E402

JST = timezone(timedelta(hours=9))
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=JST)
VERSION = 3  # of the history this script writes; part of the cache's name
# (2: a member writes about the clients they created, as `log` would have created them;
# 3: uuids of version 7, made at the record's moment, as handoff makes them)
ENCRYPTED_VERSION = 2  # of the encrypted one (2: admissions sign names, chunks numbered)


def _uuid(rng: random.Random, moment: datetime) -> str:
    """A uuid as `ids.new_uuid` makes it at `moment` (version 7), from `rng`."""
    value = (int(moment.timestamp() * 1000) << 80) | rng.getrandbits(80)
    value = (value & ~(0xF << 76)) | (7 << 76)  # version 7
    value = (value & ~(0x3 << 62)) | (0x2 << 62)  # the RFC 9562 variant
    return str(uuid.UUID(int=value))


def _clock(moment: datetime, counter: int) -> str:
    return f"{int(moment.timestamp() * 1000):013d}-{counter % 10000:04d}"


class Chunks:
    """An encrypted team's history: members' keys, admissions, and their records as
    chunks of the size a member's merged chunks reach (encrypted.SMALL_CHUNK)."""

    PER_CHUNK = 4000  # records: about SMALL_CHUNK bytes once compressed

    def __init__(self, work: Path, people: list[tuple[str, str, str]], keys_dir: Path) -> None:
        from handoff_cli.team import vault
        from handoff_cli.team.crypto import DeviceKeys

        self.work = work
        self.trust = vault.Trust()
        self.keys = {}
        self.pending: dict[tuple[str, str], list[str]] = {}
        self.seq: dict[tuple[str, str], int] = {}
        keys_dir.mkdir(parents=True, exist_ok=True)
        names = {(member, device): name for member, device, name in people}
        for member, device, name in people:
            keys = DeviceKeys.generate()
            keys.save(keys_dir / f"{vault.holder(member, device)}.json")
            self.keys[(member, device)] = keys
            vault.publish_keys(work, member, device, keys, name)
        founder = people[0]
        me = vault.holder(founder[0], founder[1])
        fkeys = self.keys[(founder[0], founder[1])]
        vault.admit(work, self.trust, me=me, keys=fkeys, member=founder[0], device=founder[1],
                    subject=fkeys.public, name=founder[2])  # fmt: skip
        vault.start_epoch(work, self.trust, me=me, keys=fkeys)
        for member, device, _ in people[1:]:
            vault.admit(work, self.trust, me=me, keys=fkeys, member=member, device=device,
                        subject=self.keys[(member, device)].public,
                        name=names[(member, device)])  # fmt: skip

    def add(self, member: str, device: str, lines: list[str]) -> None:
        pending = self.pending.setdefault((member, device), [])
        pending.extend(lines)
        if len(pending) >= self.PER_CHUNK:
            self.flush(member, device)

    def flush(self, member: str, device: str) -> None:
        from handoff_cli.team import vault

        lines = self.pending.pop((member, device), [])
        if lines:
            seq = self.seq[(member, device)] = self.seq.get((member, device), 0) + 1
            vault.write_chunk(self.work, self.trust, member=member, device=device,
                              keys=self.keys[(member, device)], lines=lines,
                              seq=seq)  # fmt: skip

    def flush_all(self) -> None:
        for member, device in list(self.pending):
            self.flush(member, device)


def admit_newcomers(remote: Path, keys_dir: Path, founder: tuple[str, str]) -> None:
    """What the team's founder does when newcomers ask to join: `team admit`, by script."""
    from handoff_cli.team import vault
    from handoff_cli.team.crypto import DeviceKeys

    me = vault.holder(*founder)
    keys = DeviceKeys.load(keys_dir / f"{me}.json")
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch) / "w"
        subprocess.run(["git", "clone", "--quiet", "--branch", "main", str(remote), str(work)],
                       check=True)  # fmt: skip
        saved = {"pinned": {me: {"member": founder[0], **keys.public.record()}}}
        trust = vault.load_trust(work, saved, keys)
        for request in vault.requests(work, trust):
            vault.admit(work, trust, me=me, keys=keys, member=request.member,
                        device=request.device, subject=request.keys,
                        name=request.name)  # fmt: skip
        subprocess.run(["git", "add", "-A"], cwd=work, check=True)
        subprocess.run(["git", "-c", "user.name=founder", "-c", "user.email=f@f", "commit",
                        "-qm", "admit"], cwd=work, check=True)  # fmt: skip
        subprocess.run(["git", "push", "--quiet", "origin", "HEAD:main"], cwd=work, check=True)


def build_history(
    repo: Path, *, members: int, years: int, records: int, seed: int, encrypt: bool = False
) -> int:
    """A bare repository with `records` change records written over `years` by `members`;
    how many it holds."""
    rng = random.Random(seed)
    work = Path(tempfile.mkdtemp(prefix="handoff-team-history-"))
    try:
        subprocess.run(["git", "init", "--quiet", "--bare", str(repo)], check=True)
        subprocess.run(["git", "clone", "--quiet", str(repo), str(work / "w")], check=True)
        w = work / "w"
        subprocess.run(["git", "symbolic-ref", "HEAD", "refs/heads/main"], cwd=w, check=True)
        (w / "handoff-team.json").write_text(
            json.dumps({"format": "handoff-team", "layout": 1, "encrypted": encrypt}) + "\n"
        )
        (w / "members").mkdir()
        start = NOW - timedelta(days=365 * years)
        people = []
        for i in range(members):
            member, device = _uuid(rng, start), _uuid(rng, start)
            name = f"member{i:02d}"
            (w / "members" / f"{member}.json").write_text(
                json.dumps({"id": member, "name": name}) + "\n"
            )
            people.append((member, device, name))
        chunks = Chunks(w, people, repo.with_suffix(".keys")) if encrypt else None
        clients = [(f"Client {i:03d}", _uuid(rng, start)) for i in range(max(5, records // 2000))]
        months = years * 12
        theirs: dict[str, list[tuple[str, str]]] = {}
        per_month = max(1, records // (months * members))
        written = 0
        counter = 0
        for month in range(months):
            day0 = start + timedelta(days=30.4 * month)
            for member, device, name in people:
                lines = []
                if month == 0:  # each member creates the clients they work with
                    theirs[member] = rng.sample(clients, min(len(clients), 20))
                    for cname, cuuid in theirs[member]:
                        counter += 1
                        lines.append(_record(cuuid, "client.create", {"name": cname},
                                             member, device, day0, counter, rng))  # fmt: skip
                promises: list[str] = []
                for _ in range(per_month):
                    if written + len(lines) >= records:
                        break
                    counter += 1
                    moment = day0 + timedelta(minutes=rng.randrange(30 * 24 * 60))
                    cname, cuuid = rng.choice(theirs[member])
                    roll = rng.random()
                    if roll < 0.85 or not promises:
                        body = {"client": cuuid, "at": moment.isoformat(timespec="seconds"),
                                "kind": rng.choice(["call", "meeting", "email", "note"]),
                                "text": f"{cname}: {rng.choice(TEXTS)} {rng.randrange(10**6)}",
                                "author": name, "with": [rng.choice(PEOPLE)],
                                "tags": [rng.choice(TAGS)]}  # fmt: skip
                        lines.append(_record(_uuid(rng, moment), "note.add", body, member, device,
                                             moment, counter, rng))  # fmt: skip
                    elif roll < 0.95:
                        pid = _uuid(rng, moment)
                        promises.append(pid)
                        due = (moment + timedelta(days=rng.randrange(1, 30))).date()
                        body = {"client": cuuid, "title": f"Answer {rng.randrange(10**4)}",
                                "schedule": {"rule": None, "start": due.isoformat(),
                                             "after_done": False},
                                "owner": name}  # fmt: skip
                        lines.append(_record(pid, "promise.create", body, member, device,
                                             moment, counter, rng))  # fmt: skip
                    else:
                        pid = rng.choice(promises)
                        body = {"kind": "done", "at": moment.isoformat(timespec="seconds"),
                                "day": moment.date().isoformat(), "covers": []}  # fmt: skip
                        lines.append(_record(pid, "promise.mark", body, member, device,
                                             moment, counter, rng))  # fmt: skip
                written += len(lines)
                if lines and chunks is not None:
                    chunks.add(member, device, lines)
                elif lines:
                    folder = w / "log" / member / device
                    folder.mkdir(parents=True, exist_ok=True)
                    with (folder / f"{day0:%Y-%m}.jsonl").open("a", encoding="utf-8") as out:
                        out.write("".join(line + "\n" for line in lines))
            if month % 12 == 11 or month == months - 1:  # a commit a year keeps building quick
                if chunks is not None and month == months - 1:
                    chunks.flush_all()
                subprocess.run(["git", "add", "-A"], cwd=w, check=True)
                subprocess.run(
                    ["git", "-c", "user.name=bench", "-c", "user.email=b@b", "commit", "-qm",
                     f"history to {day0:%Y-%m}"], cwd=w, check=True,
                )  # fmt: skip
        subprocess.run(["git", "push", "--quiet", "origin", "HEAD:main"], cwd=w, check=True)
        subprocess.run(["git", "gc", "--quiet"], cwd=repo, check=True)
        return written
    finally:
        shutil.rmtree(work, ignore_errors=True)


TEXTS = ["called about the fees", "月次報告を送付", "visited, demoed v2", "見積もりを再送",
         "asked about the API quota", "定例会議の議事録を共有", "renewal discussed"]  # fmt: skip
PEOPLE = ["Tanaka", "Sato", "佐藤 花子", "Ono Hiroshi", "Dana Whitfield"]
TAGS = ["renewal", "pricing", "障害", "report"]


def _record(
    entity: str, kind: str, body: dict[str, object], member: str, device: str,
    moment: datetime, counter: int, rng: random.Random,
) -> str:  # fmt: skip
    record = {"uuid": _uuid(rng, moment), "clock": _clock(moment, counter), "member": member,
              "device": device, "kind": kind, "entity": entity, "body": body}  # fmt: skip
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))


def _founder(remote: Path) -> tuple[str, str]:
    """(member, device) of the device that signed the team's first key."""
    listed = subprocess.run(["git", "-C", str(remote), "ls-tree", "--name-only", "main", "trust/"],
                            capture_output=True, text=True, check=True).stdout.split()  # fmt: skip
    (first,) = [p for p in listed if p.startswith("trust/epoch.1.by.")]
    member, device = first.removeprefix("trust/epoch.1.by.").removesuffix(".json").split(".")
    return member, device


def _applied(db: Path) -> int:
    """Change records from the team applied in a database (the newcomer's, before anyone
    adds any): not those still waiting for a record they need."""
    import sqlite3

    with sqlite3.connect(db) as conn:
        row = conn.execute(
            "SELECT count(*) FROM changes WHERE origin = 'team' AND waits_for IS NULL"
        ).fetchone()
    return int(row[0])


def run(args: list[str], env: dict[str, str], cwd: Path) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "handoff_cli", *args], env=env, cwd=cwd,
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    took = time.perf_counter() - started
    if done.returncode != 0:
        msg = f"handoff {' '.join(args)} failed: {done.stderr.strip()}"
        raise SystemExit(msg)
    return took, done.stdout


def size_of(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--members", type=int, default=20)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--runs", type=int, default=7, help="runs of each quick command")
    parser.add_argument("--encrypt", action="store_true", help="an encrypted team")
    parser.add_argument("--data-dir", type=Path, default=HERE / ".data")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--new", type=int, default=100, help="notes a colleague logs")
    ns = parser.parse_args(argv)
    write_bytecode()
    tag = f"team-v{VERSION}-{ns.members}m-{ns.years}y-{ns.records}r-s{ns.seed}"
    tag += f"-encrypted{ENCRYPTED_VERSION}" if ns.encrypt else ""
    cache = ns.data_dir / f"{tag}.git"
    if not cache.exists():
        print(f"building the history ({ns.records:,} records) ...", file=sys.stderr)
        started = time.perf_counter()
        ns.data_dir.mkdir(parents=True, exist_ok=True)
        partial = ns.data_dir / f"{tag}.partial.git"
        shutil.rmtree(partial, ignore_errors=True)
        written = build_history(partial, members=ns.members, years=ns.years,
                                records=ns.records, seed=ns.seed, encrypt=ns.encrypt)  # fmt: skip
        cache.with_suffix(".count").write_text(str(written))
        if ns.encrypt:
            shutil.rmtree(cache.with_suffix(".keys"), ignore_errors=True)
            partial.with_suffix(".keys").rename(cache.with_suffix(".keys"))
        partial.rename(cache)
        print(f"  built in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    rows: list[tuple[str, str, str]] = []
    with tempfile.TemporaryDirectory(prefix="handoff-team-bench-") as scratch:
        root = Path(scratch)
        remote = root / "team.git"
        shutil.copytree(cache, remote)
        base_env = {k: v for k, v in os.environ.items() if not k.startswith("HANDOFF_")}
        base_env.update({"HANDOFF_NOW": NOW.isoformat(), "XDG_CONFIG_HOME": str(root / "cfg"),
                         "HANDOFF_SYNC": "manual", "NO_COLOR": "1"})  # fmt: skip

        def person(name: str) -> dict[str, str]:
            return {**base_env, "HANDOFF_DB": str(root / name / "handoff.db"),
                    "HANDOFF_AUTHOR": name}  # fmt: skip

        me, colleague = person("newcomer"), person("colleague")
        init = ["team", "init", str(remote), "--name"]
        took, _ = run([*init, "newcomer"], me, root)
        if ns.encrypt:  # the newcomer waits for admission, then reads the history
            run([*init, "colleague"], colleague, root)
            admit_newcomers(remote, cache.with_suffix(".keys"), _founder(remote))
            took += run(["sync"], me, root)[0]
            run(["sync"], colleague, root)
            rows.append(("team init + admitted + first sync (apply the history)",
                         f"{took:.1f} s", "≤ 90 s"))  # fmt: skip
        else:
            rows.append(("team init (clone, apply the history)", f"{took:.1f} s", "≤ 90 s"))
            run([*init, "colleague"], colleague, root)
        history = int(cache.with_suffix(".count").read_text())
        applied = _applied(root / "newcomer" / "handoff.db")
        rows.append(("history records the newcomer applied", f"{applied:,} of {history:,}", "all"))
        quiet = [run(["sync"], me, root)[0] for _ in range(ns.runs)]
        rows.append(("sync, nothing new", f"{statistics.median(quiet):.2f} s", "≤ 1 s"))
        bringing = []
        for _ in range(max(1, ns.runs // 2)):
            for i in range(ns.new):  # a record each
                run(["log", "Client 000", f"new {i}"], colleague, root)
            run(["sync"], colleague, root)
            bringing.append(run(["sync"], me, root)[0])
        brought = f"{statistics.median(bringing):.2f} s"
        rows.append((f"sync bringing {ns.new} new records (notes)", brought, "≤ 2 s"))
        alone = person("alone")
        run(["log", "Acme", "first", "--new-client"], alone, root)
        timings: dict[str, list[float]] = {"outside a team": [], "manual": [], "auto": []}
        for _ in range(ns.runs):  # alternating, so the machine's mood is shared
            timings["outside a team"].append(run(["log", "Acme", "x"], alone, root)[0])
            timings["manual"].append(run(["log", "Client 000", "x"], me, root)[0])
            auto = {**me, "HANDOFF_SYNC": "auto"}
            timings["auto"].append(run(["log", "Client 000", "x"], auto, root)[0])
            time.sleep(0.5)  # let the background sync finish before the next round
        for mode, samples in timings.items():
            rows.append((f"log ({mode})", f"{statistics.median(samples) * 1000:.0f} ms",
                         "no slower" if mode == "auto" else ""))  # fmt: skip
        subprocess.run(["git", "gc", "--quiet"], cwd=remote, check=True)
        rows.append((f"repository after {ns.years} years", f"{size_of(remote) / 1e6:.0f} MB", ""))
        newcomer = root / "newcomer"
        database = sum(p.stat().st_size for p in newcomer.glob("handoff.db*"))  # -wal, -shm
        clone = size_of(newcomer / "handoff.team")
        rows.append(("newcomer's database (with its WAL)", f"{database / 1e6:.0f} MB", ""))
        rows.append(("newcomer's clone (files and .git)", f"{clone / 1e6:.0f} MB", ""))
    print(f"team of {ns.members}, {ns.years} years, {ns.records:,} records"
          f"{' (encrypted)' if ns.encrypt else ''}")  # fmt: skip
    print()
    print("| what | measured | target |")
    print("|---|--:|---|")
    for what, measured, target in rows:
        print(f"| {what} | {measured} | {target} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
