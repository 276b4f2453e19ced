"""Write a handoff database of a given size, for the benchmarks.

    python benchmarks/make_dataset.py bench.db          # 1,000 clients, 10k promises, 1M notes
    python benchmarks/make_dataset.py small.db --clients 50 --promises 500 --notes 10000
    python benchmarks/make_dataset.py late.db --shape overdue   # every promise overdue
    python benchmarks/make_dataset.py team.db --shape team      # 20 authors, owners spread

The rows go through the store layer (`Store.open(path, create=True)`, then bulk
`executemany` inside one `store.write()`) and are what the CLI itself would
have written: search entries built by `searchtext.index_body` (rowid = id), the
per-client counters kept by the schema's triggers, completions, and each
promise's rule and `next_due` from `rules.parse_rule` and `schedule` (the same
maths `promise` and `done` use).

Shapes (`--shape`):

- `default`: one person's database. 70% of the promises recur (started up to
  ten years back, one in ten never done), 30% are one-offs; at the default
  size `due` lists 4,656 of the 10,000.
- `overdue`: the same clients and notes, but every promise is open and
  overdue (recurring ones last done one to four months ago, or never), so
  `due` lists all of them: the size `due --team` lists for a team of 20.
- `team`: the default data written by a team of 20 (TEAM): notes by all of
  them, and, once the schema has a promise `owner` column, each member owning
  1/20 of the promises. Without that column only the notes show the team.

In every shape the `owner` column, where the schema has one, is filled
(ME in the one-person shapes).

Deterministic: the same flags give the same database, row for row. "Now" is
pinned (`--now`, default NOW below); run commands with `HANDOFF_NOW` set to it
so that "overdue" means the same thing on every run.
"""

from __future__ import annotations

import argparse
import functools
import json
import multiprocessing
import os
import random
import sqlite3
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from handoff_cli import legacy, schedule
from handoff_cli.names import name_key
from handoff_cli.rules import parse_rule
from handoff_cli.searchtext import index_body
from handoff_cli.store import Store

NOW = "2026-11-23T10:00:00+09:00"  # a Monday; run.py pins HANDOFF_NOW to it
JST = timezone(timedelta(hours=9))
BATCH = 50_000  # notes made and written at a time
VERSION = 4  # of the data this script writes; part of run.py's cache names

# ------------------------------------------------------------------ vocabulary

EN_FIRST = (
    "Acme Apex Atlas Birch Beacon Cedar Cobalt Delta Ember Falcon Granite Harbor Iris Juniper "
    "Kestrel Lumen Maple Meridian Nimbus Orchid Pioneer Quarry Raven Sable Summit Tidal Umber "
    "Vertex Willow Zenith Northwind Bluebird Ironwood Silverline Redstone Greenfield Oakridge "
    "Brightwater Stonebridge Clearview"
).split()
EN_SECOND = (
    "Corp Ltd Inc Holdings Partners Logistics Foods Systems Trading Labs Group Works Energy "
    "Media Capital Health Motors Textiles Consulting Robotics Pharma Retail Studio Freight Bank"
).split()
JA_FAMILY = (
    "山田 佐藤 鈴木 高橋 田中 伊藤 渡辺 中村 小林 加藤 吉田 山本 松本 井上 木村 "
    "林 清水 山崎 森 池田 橋本 阿部 石川 前田 藤田 小川 岡田 後藤 長谷川 村上"
).split()
JA_TRADE = (
    "商事 工業 製作所 物産 建設 電機 薬品 食品 運輸 不動産 "
    "印刷 化学 精工 興産 通商 技研 産業 倉庫 商会 開発"
).split()
CONTACTS_EN = "Tanaka Suzuki Smith Garcia Chen Novak Okafor Rossi Müller Dubois Kim Patel".split()
CONTACTS_JA = "田中 鈴木 佐々木 山口 松田 中島 小野 石井 上田 森田 原 柴田".split()
ROLES = (None, None, "manager", "accounting", "IT", "部長", "担当")
AUTHORS = ("alice", "bob", "tanaka", "suzuki")
ME = AUTHORS[0]  # who owns the promises in a one-person database
TEAM = (
    *AUTHORS,
    *"carol dave erin frank grace heidi ivan judy mallory niaj olivia peggy".split(),
    *"sato takahashi ito watanabe".split(),
)
SHAPES = ("default", "overdue", "team")
KINDS = ("call", "meeting", "email", "visit", "note")
TAGS = ("billing", "renewal", "urgent", "q3", "onsite", "見積", "要対応", "契約")

EN_TOPICS = (
    "fees quota renewal invoice migration onboarding outage roadmap contract pricing audit "
    "training backup license upgrade shipment forecast budget security integration warranty "
    "handover staffing reporting compliance payroll inventory discount refund deadline"
).split()
EN_TEMPLATES = (
    "Called {who} about the {topic}; they asked for a revised {topic2} by {day}.",
    "Meeting with {who}: went through the {topic} and agreed next steps on the {topic2}.",
    "{who} emailed about the {topic}. Replied with the {topic2} figures.",
    "Visited the office, demoed v{n} to {who}. Open question on the {topic}.",
    "Quick note: {who} prefers calls before {hour}. The {topic} waits on their {topic2}.",
)
JA_TOPICS = (
    "月次報告 見積書 請求書 契約更新 納期 保守 障害対応 研修 価格改定 在庫 監査 移行 予算 "
    "人員計画 出荷 保証 値引き 返品 定例会 議事録"
).split()
JA_TEMPLATES = (
    "{who}様と{topic}について打ち合わせ。{topic2}を{day}までに送付予定。",
    "{who}様から{topic}の件で電話。{topic2}の確認を依頼された。",
    "{topic}の資料をメールで送付。{who}様より{topic2}について質問あり。",
    "訪問。{who}様に新版を説明し、{topic}と{topic2}の進め方を合意。",
)
DAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "the end of the month")
DAYS_JA = ("月曜", "水曜", "金曜", "月末", "来週")
PROMISE_TITLES = (
    "Monthly status report",
    "Weekly check-in call",
    "Daily backup check",
    "Send the {topic} summary",
    "Review the {topic}",
    "{topic}の送付",
    "{topic}の確認",
    "定例会の議事録",
)
RULE_WORDS = ("daily", "weekly", "weekly on fri", "every 2 weeks", "monthly", "monthly on day 5")
RULE_SHARES = (0.15, 0.30, 0.10, 0.05, 0.30, 0.10)


@dataclass(frozen=True)
class Sizes:
    clients: int = 1_000
    promises: int = 10_000
    notes: int = 1_000_000


@dataclass(frozen=True)
class Summary:
    path: Path
    seconds: float
    busiest_client: str  # the client with the most notes (the worst case for `show`)
    counts: dict[str, int] = field(default_factory=dict)


# ------------------------------------------------------------------ writing


def make(
    path: Path,
    sizes: Sizes = Sizes(),  # noqa: B008 (frozen)
    *,
    seed: int = 6,
    now: str = NOW,
    batch: int = BATCH,
    workers: int | None = None,
    shape: str = "default",
    say: Callable[[str], None] = lambda _message: None,
) -> Summary:
    """Write a fresh database of `shape` (one of SHAPES) at `path` (which should not exist yet).

    Notes are made in batches by `workers` other processes (default: one per
    CPU but this one, up to four) while this one writes; the data is the same
    for any number of workers.
    """
    if shape not in SHAPES:
        msg = f"unknown shape {shape!r}; choose one of {', '.join(SHAPES)}"
        raise ValueError(msg)
    if workers is None:
        workers = max(1, min(4, (os.cpu_count() or 1) - 1))
    started = time.perf_counter()
    rng = random.Random(seed)
    clock = datetime.fromisoformat(now)
    store = Store.open(path, create=True)
    assert store is not None
    conn = store.conn
    # A bulk load written in place (no WAL copy, no fsync); a crash means running it again.
    conn.execute("PRAGMA journal_mode = OFF")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA cache_size = -262144")  # 256 MiB
    try:
        with store.write():
            names = _write_clients(conn, rng, sizes.clients, clock)
            contacts = _write_contacts(conn, rng, names)
            say(f"{len(names):,} clients, {sum(map(len, contacts)):,} contacts")
            first = int(clock.timestamp()) - NotePlan.SPAN
            people = tuple(tuple(c) for c in contacts)
            authors = TEAM if shape == "team" else AUTHORS
            plan = NotePlan(seed, sizes.notes, tuple(names), people, first, authors)
            _write_notes(conn, plan, batch=batch, workers=workers, say=say)
            owners = _owners(conn, shape, sizes.promises, seed)
            _write_promises(conn, rng, sizes.promises, names, contacts, clock, shape, owners)
            legacy.adopt_rows(conn)  # identities, coverage: as a migrated database has them
            owned = f", owned by {len(set(owners))}" if owners else ""
            say(f"{sizes.promises:,} promises ({shape}){owned}, notes by {len(authors)} authors")
        conn.execute("PRAGMA optimize")
        counts = {
            table: int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
            for table in ("clients", "contacts", "notes", "promises", "completions")
        }
        row = conn.execute("SELECT name FROM clients ORDER BY note_count DESC, id LIMIT 1")
        busiest = row.fetchone()
    finally:
        conn.execute("PRAGMA journal_mode = WAL")  # as the CLI keeps it
        store.close()
    return Summary(path, time.perf_counter() - started, busiest[0] if busiest else "", counts)


def uuid4(rng: random.Random) -> str:
    """A version 4 UUID from `rng` (uuid.uuid4 reads os.urandom, which cannot be seeded)."""
    h = f"{rng.getrandbits(128) & _UUID_CLEAR | _UUID_SET:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


_UUID_CLEAR = ~((0xF << 76) | (0x3 << 62))
_UUID_SET = (4 << 76) | (2 << 62)  # version 4, RFC 4122 variant


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def _utc(moment: datetime) -> str:
    return _iso(moment.astimezone(timezone.utc))


def _japanese(name: str) -> bool:
    return not name.isascii()


def client_names(rng: random.Random, count: int) -> list[str]:
    """`count` distinct names, 60% English and 40% Japanese; the first is 'Acme Corp'."""
    english = [f"{a} {b}" for a in EN_FIRST for b in EN_SECOND if (a, b) != ("Acme", "Corp")]
    japanese = [a + b for a in JA_FAMILY for b in JA_TRADE]
    rng.shuffle(english)
    rng.shuffle(japanese)
    names = ["Acme Corp"] if count else []
    while len(names) < count:
        pool = english if (rng.random() < 0.6 and english) or not japanese else japanese
        names.append(pool.pop() if pool else f"Client {len(names) + 1}")
    return names


def _write_clients(
    conn: sqlite3.Connection, rng: random.Random, count: int, clock: datetime
) -> list[str]:
    names = client_names(rng, count)
    created = _utc(clock - timedelta(days=3653))
    conn.executemany(
        "INSERT INTO clients (id, uuid, name, key, created_at) VALUES (?, ?, ?, ?, ?)",
        [(i, uuid4(rng), name, name_key(name), created) for i, name in enumerate(names, 1)],
    )
    return names


def _write_contacts(
    conn: sqlite3.Connection, rng: random.Random, names: Sequence[str]
) -> list[list[tuple[int, str]]]:
    """One to four people per client; returns each client's [(contact id, name)]."""
    rows: list[tuple[object, ...]] = []
    people: list[list[tuple[int, str]]] = []
    for client_id, name in enumerate(names, 1):
        pool = CONTACTS_JA if _japanese(name) else CONTACTS_EN
        mine = []
        for person in rng.sample(pool, rng.randint(1, 4)):
            contact_id = len(rows) + 1
            role = rng.choice(ROLES)
            rows.append((contact_id, uuid4(rng), client_id, person, name_key(person), role))
            mine.append((contact_id, person))
        people.append(mine)
    conn.executemany(
        "INSERT INTO contacts (id, uuid, client_id, name, key, role) VALUES (?, ?, ?, ?, ?, ?)",
        rows,
    )
    return people


def _note_text(rng: random.Random, who: str, japanese: bool) -> str:
    if japanese:
        return rng.choice(JA_TEMPLATES).format(
            who=who,
            topic=rng.choice(JA_TOPICS),
            topic2=rng.choice(JA_TOPICS),
            day=rng.choice(DAYS_JA),
        )
    return rng.choice(EN_TEMPLATES).format(
        who=who,
        topic=rng.choice(EN_TOPICS),
        topic2=rng.choice(EN_TOPICS),
        day=rng.choice(DAYS_EN),
        n=rng.randint(2, 9),
        hour=rng.choice(("10am", "noon", "3pm")),
    )


def _tag_sets() -> list[tuple[tuple[str, ...], str]]:
    """Half the notes untagged, a third with one tag, the rest with two: (tags, JSON)."""
    ones = [(t,) for t in TAGS]
    twos = [(a, b) for a in TAGS for b in TAGS if a != b]
    sets = [()] * (len(twos) * 3) + ones * (len(twos) * 2 // len(TAGS)) + twos
    return [(tags, json.dumps(list(tags), ensure_ascii=False)) for tags in sets]


Rows = list[tuple[object, ...]]


@dataclass(frozen=True)
class NotePlan:
    """What every batch of notes is made from (sent to the worker processes)."""

    seed: int
    count: int
    names: tuple[str, ...]
    contacts: tuple[tuple[tuple[int, str], ...], ...]  # per client: (contact id, name)
    first: int  # the oldest note's time, in seconds since the epoch
    authors: tuple[str, ...] = AUTHORS

    SPAN = 3652 * 86400  # ten years


def note_batch(plan: NotePlan, start: int, size: int) -> tuple[Rows, Rows, Rows]:
    """Notes start+1 .. start+size, with their contact links and search entries.

    Each batch has its own seeded generator, so the result is the same
    whichever process makes it. Ids are in time order; some clients are far busier.
    """
    rng = random.Random(f"{plan.seed}:notes:{start}")
    pick = rng.random
    names, span, authors = plan.names, plan.SPAN, plan.authors
    weights = [1 / rank**0.7 for rank in range(1, len(names) + 1)]
    japanese = [_japanese(name) for name in names]
    tag_sets = _tag_sets()
    bodies_seen: dict[tuple[str, tuple[str, ...]], str] = {}
    low, high = start * span // plan.count, (start + size) * span // plan.count
    offsets = sorted(rng.randrange(low, max(high, low + 1)) for _ in range(size))
    clients = rng.choices(range(1, len(names) + 1), weights, k=size)
    notes: Rows = []
    links: Rows = []
    bodies: Rows = []
    ids = range(start + 1, start + size + 1)
    for note_id, client_id, offset in zip(ids, clients, offsets, strict=True):
        people = plan.contacts[client_id - 1]
        present = rng.sample(people, min(len(people), (0, 1, 1, 2)[int(pick() * 4)]))
        who = (present[0] if present else people[int(pick() * len(people))])[1]
        text = _note_text(rng, who, japanese[client_id - 1] or pick() < 0.1)
        tags, tags_json = tag_sets[int(pick() * len(tag_sets))]
        body = bodies_seen.get((text, tags))
        if body is None:
            body = bodies_seen[text, tags] = index_body(text, *tags)
        moment = plan.first + offset
        stamp = datetime.fromtimestamp(moment, timezone.utc).isoformat()
        notes.append(
            (
                note_id,
                uuid4(rng),
                client_id,
                datetime.fromtimestamp(moment, JST).isoformat(),
                stamp,
                KINDS[int(pick() * len(KINDS))],
                text,
                authors[int(pick() * len(authors))],
                tags_json,
                stamp,
            )
        )
        links.extend((note_id, contact_id) for contact_id, _ in present)
        bodies.append((note_id, body))
    return notes, links, bodies


def _note_batches(plan: NotePlan, batch: int, workers: int) -> Iterator[tuple[Rows, Rows, Rows]]:
    """Every batch in order; made by `workers` processes while this one writes."""
    starts = range(0, plan.count, batch)
    make = functools.partial(_batch_from, plan, batch)
    if workers < 1 or len(starts) < 2:
        yield from map(make, starts)
        return
    # "spawn": the workers must not inherit this process's open SQLite connection.
    with multiprocessing.get_context("spawn").Pool(workers) as pool:
        yield from pool.imap(make, starts)


def _batch_from(plan: NotePlan, batch: int, start: int) -> tuple[Rows, Rows, Rows]:
    return note_batch(plan, start, min(batch, plan.count - start))


def _write_notes(
    conn: sqlite3.Connection,
    plan: NotePlan,
    *,
    batch: int,
    workers: int,
    say: Callable[[str], None],
) -> None:
    if not plan.names:
        return
    written = 0
    for notes, links, bodies in _note_batches(plan, batch, workers):
        conn.executemany(
            "INSERT INTO notes (id, uuid, client_id, at, at_utc, kind, text, author, tags,"
            " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            notes,
        )
        conn.executemany("INSERT INTO note_contacts (note_id, contact_id) VALUES (?, ?)", links)
        conn.executemany("INSERT INTO notes_fts (rowid, body) VALUES (?, ?)", bodies)
        before, written = written, written + len(notes)
        if written // 200_000 > before // 200_000 or written == plan.count:
            say(f"{written:,} notes")
    conn.execute(  # as the applier keeps them (migration m006)
        "UPDATE clients SET"
        " note_count = (SELECT count(*) FROM notes WHERE client_id = clients.id),"
        " last_at_utc = (SELECT max(at_utc) FROM notes WHERE client_id = clients.id)"
    )


def _done_days(rng: random.Random, start: date, today: date) -> list[date]:
    """A few catch-ups between start and today, the last one in the past three days."""
    span = max(1, (today - start).days)
    days = {start + timedelta(days=rng.randrange(span)) for _ in range(rng.randint(0, 5))}
    days.add(today - timedelta(days=rng.randrange(3)))
    return sorted(d for d in days if start <= d <= today)  # never ahead: `done` refuses it


def promise_title(rng: random.Random) -> str:
    template = rng.choice(PROMISE_TITLES)
    return template.format(topic=rng.choice(EN_TOPICS if template.isascii() else JA_TOPICS))


# (rule, start, after_done, completion days, next due) of one promise
Schedule = tuple[str | None, date, bool, list[date], date | None]


def _mixed_schedule(rng: random.Random, today: date) -> Schedule:
    """70% recurring from up to ten years back (one in ten never done), 30% one-offs."""
    rule: str | None = None
    after_done = False
    done: list[date] = []
    if rng.random() < 0.7:
        start = today - timedelta(days=rng.randrange(-30, 3652))
        rule = parse_rule(rng.choices(RULE_WORDS, RULE_SHARES)[0], start=start)
        after_done = rng.random() < 0.1
        if rng.random() < 0.9:
            done = _done_days(rng, start, today)
        next_due = schedule.next_due(rule, start, done, after_done=after_done)
    else:
        start = today + timedelta(days=rng.randrange(-30, 60))
        if rng.random() < (0.8 if start < today else 0.1):
            # Never after `today`: `done` refuses the future, and so does `import`.
            done = [min(start - timedelta(days=rng.randrange(5)), today)]
        next_due = schedule.next_due(None, start, done)
    return rule, start, after_done, done, next_due


def _overdue_schedule(rng: random.Random, today: date) -> Schedule:
    """Overdue: recurring ones last done one to four months ago (one in ten never), or one-offs
    due up to two months ago and not done.

    No rule here is longer than a month, so each has fallen due since; a run of
    completions that covered occurrences ahead (done early) is cut back until one has.
    """
    if rng.random() < 0.7:
        start = today - timedelta(days=rng.randrange(60, 3652))
        rule = parse_rule(rng.choices(RULE_WORDS, RULE_SHARES)[0], start=start)
        after_done = rng.random() < 0.1
        done: list[date] = []
        if rng.random() < 0.9:
            done = _done_days(rng, start, today - timedelta(days=rng.randrange(35, 120)))
        next_due = schedule.next_due(rule, start, done, after_done=after_done)
        while done and next_due is not None and next_due >= today:  # done early: too far
            done.pop()
            next_due = schedule.next_due(rule, start, done, after_done=after_done)
        result: Schedule = (rule, start, after_done, done, next_due)
    else:
        start = today - timedelta(days=rng.randrange(1, 60))
        result = (None, start, False, [], start)
    if result[4] is None or result[4] >= today:
        msg = f"not overdue on {today}: {result}"
        raise AssertionError(msg)
    return result


def _owners(conn: sqlite3.Connection, shape: str, count: int, seed: int) -> list[str]:
    """Each promise's owner, if the schema has an `owner` column (else []).

    A team's promises are split evenly among its members, in a seeded order of
    their own, so the rest of the data is the same as the default shape's.
    """
    columns = {row[1] for row in conn.execute("PRAGMA table_info(promises)")}
    if "owner" not in columns:
        return []
    if shape != "team":
        return [ME] * count
    owners = [TEAM[i % len(TEAM)] for i in range(count)]
    random.Random(f"{seed}:owners").shuffle(owners)
    return owners


def _write_promises(
    conn: sqlite3.Connection,
    rng: random.Random,
    count: int,
    names: Sequence[str],
    contacts: Sequence[Sequence[tuple[int, str]]],
    clock: datetime,
    shape: str = "default",
    owners: Sequence[str] = (),
) -> None:
    """Promises to random clients, scheduled as `shape` says; `owners` fills `owner` if given."""
    if not names:
        return
    today = clock.date()
    plan = _overdue_schedule if shape == "overdue" else _mixed_schedule
    promises: Rows = []
    bodies, completions = [], []
    for promise_id in range(1, count + 1):
        client_id = rng.randint(1, len(names))
        contact_id = rng.choice(contacts[client_id - 1])[0] if rng.random() < 0.6 else None
        title = promise_title(rng)
        status = rng.choices(("open", "paused", "dropped"), (0.9, 0.05, 0.05))[0]
        if shape == "overdue":
            status = "open"
        rule, start, after_done, done, next_due = plan(rng, today)
        if next_due is None and status == "open":
            status = "done"
        created = datetime.combine(min(start, today), datetime.min.time(), JST)
        promises.append(
            (
                promise_id,
                uuid4(rng),
                client_id,
                contact_id,
                title,
                rule,
                start.isoformat(),
                int(after_done),
                status,
                next_due.isoformat() if next_due else None,
                _utc(created),
                *owners[promise_id - 1 : promise_id],
            )
        )
        bodies.append((promise_id, index_body(title)))
        for day in done:
            at = datetime.combine(day, datetime.min.time(), JST) + timedelta(hours=17)
            completions.append((uuid4(rng), promise_id, _iso(at), day.isoformat()))
    owner = (", owner", ", ?") if owners else ("", "")
    conn.executemany(
        "INSERT INTO promises (id, uuid, client_id, contact_id, title, rule, start, after_done,"
        f" status, next_due, created_at{owner[0]}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?"
        f"{owner[1]})",
        promises,
    )
    conn.executemany("INSERT INTO promises_fts (rowid, body) VALUES (?, ?)", bodies)
    conn.executemany(
        "INSERT INTO completions (uuid, promise_id, at, day) VALUES (?, ?, ?, ?)", completions
    )


def remove(path: Path) -> None:
    """Delete a database and its -wal/-shm files."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write a handoff database for the benchmarks.")
    parser.add_argument("path", type=Path, help="the database to write")
    parser.add_argument("--clients", type=int, default=Sizes.clients)
    parser.add_argument("--promises", type=int, default=Sizes.promises)
    parser.add_argument("--notes", type=int, default=Sizes.notes)
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--now", default=NOW, help=f"the pinned now (default {NOW})")
    parser.add_argument(
        "--shape",
        choices=SHAPES,
        default="default",
        help="default: one person's; overdue: every promise overdue; team: 20 authors",
    )
    parser.add_argument("--force", action="store_true", help="replace an existing file")
    args = parser.parse_args(None if argv is None else list(argv))
    path: Path = args.path
    if path.exists():
        if not args.force:
            print(f"{path} exists; add --force to replace it", file=sys.stderr)
            return 2
        remove(path)
    sizes = Sizes(args.clients, args.promises, args.notes)
    summary = make(
        path,
        sizes,
        seed=args.seed,
        now=args.now,
        shape=args.shape,
        say=lambda m: print(m, flush=True),
    )
    counts = ", ".join(f"{n:,} {table}" for table, n in summary.counts.items())
    print(f"wrote {path} in {summary.seconds:.1f} s: {counts}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
