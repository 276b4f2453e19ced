"""The handoff itself: export and import.

Only the format registry is imported here at start-up (it is a few names);
the writers, `icalendar`, the bundle reader and the due maths are imported
inside the commands, so other commands do not pay for them.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator, Sequence
from contextlib import nullcontext
from datetime import date, datetime, time, timedelta
from enum import Enum
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from handoff_cli.cli import common, progress
from handoff_cli.cli.options import ClientsOpt
from handoff_cli.errors import FAILURE, BadInput, HandoffError
from handoff_cli.formats import DEFAULT_FORMAT, FORMATS

if TYPE_CHECKING:
    from handoff_cli.formats.bundle import Bundle
    from handoff_cli.formats.markdown import AgendaItem, Duty
    from handoff_cli.models import Client, Promise
    from handoff_cli.store import Store

app = typer.Typer()

# The --format choices, straight from the registry (Typer offers an Enum's values).
FormatName = Enum("FormatName", {name: name for name in FORMATS}, type=str)  # type: ignore[misc]

RECENT_DAYS = 90  # the Markdown document's notes, without --since
AHEAD_DAYS = 30  # the Markdown document's "what needs doing", without --until


# ------------------------------------------------------------------- export


@app.command()
def export(
    ctx: typer.Context,
    format_: Annotated[
        FormatName | None,
        typer.Option(
            "--format",
            "-f",
            help="; ".join(f"{f.name}: {f.summary}" for f in FORMATS.values())
            + ". Default: from -o FILE's extension ("
            + ", ".join(f.suffix for f in FORMATS.values())
            + f"), else {DEFAULT_FORMAT}.",
        ),
    ] = None,
    client: ClientsOpt = None,
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            metavar="WHEN",
            help=f"Notes from that day on (md: default {RECENT_DAYS} days ago; json, csv: all).",
        ),
    ] = None,
    until: Annotated[
        str | None,
        typer.Option(
            "--until",
            metavar="WHEN",
            help=f"md: what falls due up to that day, the end of your leave (default in "
            f"{AHEAD_DAYS} days); json, csv: notes up to that day.",
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            help="Write to FILE (0600), not stdout (`-o -`: stdout). A CSV file starts with a "
            "UTF-8 byte-order mark, so Excel reads it as UTF-8 (standard output gets none).",
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace FILE if it exists.")] = False,
) -> None:
    """Export for a colleague: a Markdown handover, a JSON bundle, CSV or iCalendar.

    \b
      handoff export -o handover.md --until 2026-12-24
      handoff export --format json --client Acme -o acme.json
      handoff export --format csv --since 2026-01-01 > notes.csv
      handoff export --format ics -o promises.ics

    Without --format, the extension of -o FILE picks the format (.json writes
    the bundle); a --format that contradicts it is refused. A file is written
    whole or not at all, private to you, and an existing file is replaced only
    with --force. A CSV file gets a UTF-8 byte-order mark, which Excel needs
    to read Japanese text; CSV on standard output has none.
    """
    if output is not None and str(output) == "-":
        output = None  # standard output, as `import -` reads standard input
    clock = common.now()
    chosen = _choose_format(format_.value if format_ else None, output)
    since_at = _start_of(common.day(since, at=clock), clock) if since else None
    until_day = common.day(until, at=clock) if until else None
    if output is not None:
        _check_target(output, force=force, database=common.db_path(ctx))
    store = common.open_for_read(ctx)
    if store is None:
        from handoff_cli.cli.render import err

        err(f"{common.no_database_message(ctx)}; the export is empty")
    # A bar on stderr, unless the export itself is going to the same terminal.
    shown = progress.wanted() and (output is not None or not sys.stdout.isatty())
    # One read transaction: the export is whole and consistent as of one moment.
    with store or nullcontext(), store.snapshot() if store is not None else nullcontext():
        clients = _clients(store, client or [])
        by_note = chosen in ("json", "csv")  # the rest read a client at a time
        total = _note_total(store, clients, clock) if shown and by_note else len(clients)
        with progress.bar(
            "Exporting", total, unit="notes" if by_note else "clients", enabled=shown
        ) as bar:
            produce = _PRODUCERS[chosen]
            chunks = produce(store, clients, clock=clock, since=since_at, until=until_day, bar=bar)
            if output is None:
                _write_stdout(chunks)
                return
            if chosen == "csv":  # Excel reads a UTF-8 CSV without a BOM as the local code page
                chunks = chain([BOM], chunks)
            size = _write_file(chunks, output, force=force)
    from handoff_cli.cli.render import out, plural, safe_line

    out(
        f"Exported {plural(len(clients), 'client')} to {safe_line(str(output))} "
        f"({chosen}, {_size(size)})."
    )


BOM = "\ufeff"


def _choose_format(given: str | None, output: Path | None) -> str:
    """--format, else the format -o FILE's extension names, else the default.

    `-o out.json` writing Markdown would leave a colleague with a file that
    `import` refuses; `--format md -o out.json` is the same mistake, refused.
    """
    by_suffix = {f.suffix: f.name for f in FORMATS.values()}
    implied = by_suffix.get(output.suffix.lower()) if output is not None else None
    if given and implied and given != implied:
        assert output is not None
        msg = (
            f"--format {given} does not match the file name {output} (a {output.suffix} file "
            f"is {implied}); drop --format or change the name"
        )
        raise BadInput(msg)
    return given or implied or DEFAULT_FORMAT


def _note_total(store: Store | None, clients: Sequence[Client], clock: datetime) -> int:
    """How many notes the chosen clients have (--since/--until may export fewer)."""
    if store is None:
        return 0
    names = {c.name for c in clients}
    return sum(s.notes for s in store.client_summaries(as_of=clock.date()) if s.name in names)


def _clients(store: Store | None, names: Sequence[str]) -> list[Client]:
    if store is None:
        if names:
            msg = f"no client named '{names[0]}' (there is no database yet)"
            raise BadInput(msg)
        return []
    from handoff_cli import store_transfer

    return store_transfer.clients_named(store, names)


def _start_of(day: date, clock: datetime) -> datetime:
    return datetime.combine(day, time(0), tzinfo=clock.tzinfo)


def _end_of(day: date, clock: datetime) -> datetime:
    return datetime.combine(day, time(23, 59, 59), tzinfo=clock.tzinfo)


def _size(size: int) -> str:
    if size < 10_000:
        return f"{size} bytes"
    if size < 10_000_000:
        return f"{size // 1000} KB"
    return f"{size // 1_000_000} MB"


# -- producers: each returns the export's text in pieces


def _json(
    store: Store | None,
    clients: Sequence[Client],
    *,
    clock: datetime,
    since: datetime | None,
    until: date | None,
    bar: progress.Progress,
) -> Iterator[str]:
    from handoff_cli import store_transfer
    from handoff_cli.formats import bundle

    records: Iterable[bundle.ClientRecords] = []
    tombstones: list[dict[str, object]] = []
    if store is not None:
        end = _end_of(until, clock) if until else None
        records = (
            r._replace(notes=bar.counting(r.notes))
            for r in store_transfer.records(store, clients, since=since, until=end)
        )
        tombstones = store_transfer.tombstones(store)
    return bundle.dump(
        exported_at=clock, author=common.author(), clients=records, tombstones=tombstones
    )


def _csv(
    store: Store | None,
    clients: Sequence[Client],
    *,
    clock: datetime,
    since: datetime | None,
    until: date | None,
    bar: progress.Progress,
) -> Iterator[str]:
    from handoff_cli import store_transfer
    from handoff_cli.formats import csv

    end = _end_of(until, clock) if until else None
    notes = chain.from_iterable(
        store_transfer.notes(store, c, since=since, until=end) for c in clients if store
    )
    return csv.dump(bar.counting(notes))


def _markdown(
    store: Store | None,
    clients: Sequence[Client],
    *,
    clock: datetime,
    since: datetime | None,
    until: date | None,
    bar: progress.Progress,
) -> Iterator[str]:
    from handoff_cli.formats import markdown

    as_of = clock.date()
    since = since or _start_of(as_of - timedelta(days=RECENT_DAYS), clock)
    until = until or as_of + timedelta(days=AHEAD_DAYS)
    sections: list[markdown.ClientSection] = []
    agenda: list[markdown.AgendaItem] = []
    summaries = {s.name: s for s in store.client_summaries(as_of=as_of)} if store else {}
    for client in clients:
        assert store is not None
        promises = store.promises(client=client)  # open and paused
        last_done = store.last_done([p.id for p in promises])
        duties = [markdown.Duty(p, cadence(p), last_done.get(p.id)) for p in promises]
        notes = store.notes(client, since=since)
        summary = summaries.get(client.name)
        sections.append(
            markdown.ClientSection(
                client=client,
                contacts=store.contacts(client),
                duties=duties,
                notes=notes,
                note_total=summary.notes if summary else len(notes),
                last_contact=summary.last_contact if summary else None,
            )
        )
        agenda += _agenda(store, duties, as_of=as_of, until=until)
        bar.advance()
    agenda.sort(key=lambda i: (i.due, i.client.casefold(), i.title))
    doc = markdown.Handover(
        author=common.author(),
        exported_at=clock,
        as_of=as_of,
        until=until,
        since=since,
        agenda=agenda,
        clients=sections,
    )
    yield markdown.render(doc)


def _agenda(store: Store, duties: Sequence[Duty], *, as_of: date, until: date) -> list[AgendaItem]:
    """What to do by date: what is overdue, then every occurrence up to `until`.

    The same plan as `handoff agenda` (agenda.py): what a pause excuses and what
    was done ahead of time is left out, and `missed` counts as `due` does.
    """
    from handoff_cli import store_queries
    from handoff_cli.agenda import MAX_DAYS, agenda
    from handoff_cli.formats.markdown import AgendaItem

    promises = [d.promise for d in duties]
    cadences = {d.promise.id: d.cadence for d in duties}
    days = max(1, min(MAX_DAYS, (until - as_of).days + 1))
    plan = agenda(
        promises, start=as_of, days=days, covered=store_queries.covered_ahead(store, promises)
    )
    items = [
        AgendaItem(o.due, o.promise.client, o.promise.title, o.promise.to,
                   cadences[o.promise.id], o.days_overdue, o.missed)
        for o in plan.overdue
    ]  # fmt: skip
    overdue = {o.promise.id for o in plan.overdue}
    for day, due in plan.days.items():
        for p in due:
            if day == p.next_due and p.id in overdue:
                continue  # listed once, as overdue
            items.append(AgendaItem(day, p.client, p.title, p.to, cadences[p.id], 0, 0))
    return items


def _ics(
    store: Store | None,
    clients: Sequence[Client],
    *,
    clock: datetime,
    since: datetime | None,
    until: date | None,
    bar: progress.Progress,
) -> Iterator[str]:
    from handoff_cli import coverage
    from handoff_cli.formats import ics

    entries: list[ics.Entry] = []
    for client in clients:
        assert store is not None
        roles = {c.name: c.role for c in store.contacts(client)}
        for p in store.promises(client=client):
            if p.status != "open" or p.next_due is None:
                continue
            covered = 0
            if p.after_done:  # how many of its COUNT are used up, as `due` counts them
                marks, _ = store.marks(p.id)
                covered = len(coverage.covered(marks))
            rule = ics_rule(p, covered=covered)
            entries.append(ics.Entry(p, rule, cadence(p), roles.get(p.to or "")))
        bar.advance()
    yield ics.render(entries, exported_at=clock, author=common.author())


def cadence(promise: Promise) -> str | None:
    """A recurring promise's rhythm in words; None for a one-off."""
    from handoff_cli import rules

    if promise.rule is None:
        return None
    return rules.describe_cadence(promise.rule, after_done=promise.after_done)


def ics_rule(promise: Promise, *, covered: int = 0) -> str | None:
    """The RRULE that continues `promise` from its next due date, for a calendar.

    COUNT is reduced to the occurrences left. An --after-done promise gets the
    plain cadence from its next due date (a calendar cannot know when it is done),
    with its UNTIL, and a COUNT less the `covered` occurrences: those its live
    completions and skips cover, each once, as `due` counts them (at least the
    one that is due).
    """
    from handoff_cli import rules, schedule
    from handoff_cli.record import replace

    if promise.rule is None or promise.next_due is None:
        return None
    rule = rules.load_rule(promise.rule)
    if promise.after_done:
        count = None if rule.count is None else max(1, rule.count - covered)
        plain = rules.Rule(rule.freq, rule.interval, wkst=rule.wkst, count=count, until=rule.until)
        return str(rules.complete(plain, promise.next_due))
    if rule.count is not None:
        left = schedule.count_between(promise.rule, promise.start, promise.next_due, date.max)
        rule = replace(rule, count=max(1, left))
    return str(rule)


_PRODUCERS = {"md": _markdown, "json": _json, "csv": _csv, "ics": _ics}
assert set(_PRODUCERS) == set(FORMATS), "every registered format needs a producer"


# -- writing


def _check_target(target: Path, *, force: bool, database: Path) -> None:
    from handoff_cli.paths import is_database_file

    if is_database_file(target, database):
        msg = f"{target} is the database itself; the export would replace it (choose another -o)"
        raise BadInput(msg)
    if target.is_dir():
        msg = f"{target} is a directory; give a file name to -o"
        raise BadInput(msg)
    if target.exists() and not force:
        msg = f"{target} already exists; add --force to replace it"
        raise BadInput(msg)
    if not target.parent.is_dir():
        msg = f"cannot write {target}: the directory {target.parent} does not exist"
        raise BadInput(msg)


def _write_stdout(chunks: Iterable[str]) -> None:
    from handoff_cli.cli.streams import OutputFailed

    stream = sys.stdout
    raw = getattr(stream, "buffer", None)
    try:
        if raw is None:
            for chunk in chunks:
                stream.write(chunk)
        else:  # UTF-8 whatever the locale says: the bundle must read back the same
            stream.flush()
            for chunk in chunks:
                raw.write(chunk.encode("utf-8", "backslashreplace"))
            raw.flush()
    except OSError as exc:  # a full disk behind `> file`, a closed pipe
        raise OutputFailed(exc) from None


def _write_file(chunks: Iterable[str], target: Path, *, force: bool) -> int:
    """Write whole or not at all: a private temporary file, fsync, then rename into place."""
    import os
    import tempfile

    from handoff_cli.paths import PRIVATE_FILE

    directory = target.parent
    try:
        fd, name = tempfile.mkstemp(dir=directory, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as exc:
        msg = f"cannot write {target}: {exc.strerror or exc}"
        raise HandoffError(msg, FAILURE) from exc
    temp = Path(name)
    size = 0
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), PRIVATE_FILE)
            for chunk in chunks:
                data = chunk.encode("utf-8", "backslashreplace")
                handle.write(data)
                size += len(data)
            handle.flush()
            os.fsync(handle.fileno())
        if force:
            os.replace(temp, target)
        else:
            _link_new(temp, target)
        _sync_directory(directory)
    except OSError as exc:
        msg = f"cannot write {target}: {exc.strerror or exc}; nothing was written"
        raise HandoffError(msg, FAILURE) from exc
    finally:
        if temp.exists():
            temp.unlink()
    return size


def _link_new(temp: Path, target: Path) -> None:
    """Put `temp` at `target` only if nothing is there, even if it appeared meanwhile."""
    import os

    try:
        os.link(temp, target)
    except FileExistsError:
        msg = f"{target} already exists; add --force to replace it"
        raise BadInput(msg) from None
    except OSError:  # a file system without hard links
        if target.exists():
            msg = f"{target} already exists; add --force to replace it"
            raise BadInput(msg) from None
        os.replace(temp, target)


def _sync_directory(directory: Path) -> None:
    import os

    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# ------------------------------------------------------------------- import


@app.command("import", no_args_is_help=True)
def import_(
    ctx: typer.Context,
    file: Annotated[
        str, typer.Argument(metavar="FILE", help="A bundle from `handoff export --format json`.")
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", "-n", help="Report what would change; write nothing.")
    ] = False,
    keep_owners: Annotated[
        bool,
        typer.Option(
            "--keep-owners", help="Keep the promises' owners (default: you take over open ones)."
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help=common.JSON_HELP)] = False,
) -> None:
    """Merge a colleague's bundle: their clients, notes and promises join yours.

    \b
      handoff import acme.json --dry-run
      handoff import acme.json
      ssh laptop handoff export --format json | handoff import -

    All or nothing: a bad file changes nothing and says what is wrong.
    Records already here (same uuid, or a client of the same name) are not
    added twice, so importing the same bundle again adds nothing; a record
    changed on either side since merges by the newer change. A handover: you
    become the owner of the bundle's open promises (--keep-owners keeps theirs).
    A bundle from handoff before 0.2 (version 1) is read too; where a second
    `done` on one day had skipped an occurrence, it is owed again and a note
    on stderr names the promise.
    """
    from handoff_cli import store_transfer
    from handoff_cli.cli.render import err, safe_line

    clock = common.now()
    shown = progress.wanted(as_json=as_json)
    bundle = _checked_rules(_read_bundle(file), file)
    _check_completions(bundle, file, clock)
    warnings: list[str] = []
    moved_back: list[str] = []  # promises of a version-1 bundle owed again (docs/bundle.md)
    if dry_run and not common.db_path(ctx).exists():
        counts = _dry_run_on_empty(bundle, clock, keep_owners=keep_owners, notices=moved_back)
        near: list[tuple[str, str]] = []
    else:
        with common.open_for_write(ctx) as store:
            try:
                warnings = store_transfer.check_against_database(store, bundle)
            except BadInput as exc:
                raise BadInput(_refusal(file, exc.message)) from None
            near = _near_duplicates(store, bundle)
            if not dry_run:
                from handoff_cli.interrupts import describe

                describe(f"the import of {'standard input' if file == '-' else file}")
            rows = _rows_to_write(bundle)
            with (
                progress.bar("Importing", rows, unit="rows", enabled=shown) as bar,
                progress.sqlite_work(store.conn, bar, expected=rows),
            ):
                counts = store_transfer.import_bundle(
                    store, bundle, now=clock, me=store.me, keep_owners=keep_owners,
                    dry_run=dry_run, notices=moved_back,
                )  # fmt: skip
    for warning in (*warnings, *moved_back):
        err(f"note: {safe_line(warning)}")
    _report(file, bundle, counts, dry_run=dry_run, as_json=as_json, moved_back=moved_back)
    if near and not as_json:
        for incoming, here in near:
            err(
                f"note: {'would add' if dry_run else 'added'} client '{safe_line(incoming)}', "
                f"close to '{safe_line(here)}' here; if they are one client: "
                f"handoff merge '{safe_line(incoming)}' '{safe_line(here)}'"
            )


def _rows_to_write(bundle: Bundle) -> int:
    """About how many rows merging `bundle` writes: each record, and a search entry for
    each note and promise (for the bar's total; records already here write fewer)."""
    counts = bundle.count()
    return sum(counts.values()) + counts["notes"] + counts["promises"]


def _refusal(file: str, problem: str) -> str:
    shown = "standard input" if file == "-" else file
    return f"cannot import {shown}: {problem}; nothing was changed"


COMPLETION_LEEWAY = timedelta(days=1)  # clocks and time zones differ; a day ahead is not a slip


def _check_completions(bundle: Bundle, file: str, clock: datetime) -> None:
    """Refuse completions in the future: one in 2099 hides its promise from `due` until then.

    `done --at` refuses the future; a bundle gets a day's grace for a colleague's
    clock or time zone.
    """
    latest = clock + COMPLETION_LEEWAY
    for client in bundle.clients:
        for promise in client.promises:
            for k, done in enumerate(promise.completions):
                if done.at > latest or done.day > latest.date():
                    problem = (
                        f"{promise.where}.completions[{k}]: done on {done.day.isoformat()} "
                        f"({done.at.isoformat()}), in the future"
                    )
                    raise BadInput(_refusal(file, problem))


def _near_duplicates(store: Store, bundle: Bundle) -> list[tuple[str, str]]:
    """Bundle clients that import will add although a local client looks like them."""
    from handoff_cli.names import likely_typo, name_key

    local = store.clients()
    uuids = {c.uuid for c in local}
    keys = [(name_key(c.name), c.name) for c in local]
    known = {key for key, _ in keys}
    near = []
    for client in bundle.clients:
        key = name_key(client.name)
        if client.uuid in uuids or key in known:
            continue  # matched, not added
        close = likely_typo(key, keys)
        if close:
            near.append((client.name, close))
    return near


def _read_bundle(file: str) -> Bundle:
    from handoff_cli.formats import bundle

    shown = "standard input" if file == "-" else file
    try:
        if file == "-":
            data = sys.stdin.buffer.read(bundle.MAX_BYTES + 1)
        else:
            path = Path(file)
            if path.is_dir():
                msg = f"cannot import {file}: it is a directory"
                raise BadInput(msg)
            if path.stat().st_size > bundle.MAX_BYTES:
                mb = bundle.MAX_BYTES // (1024 * 1024)
                msg = f"cannot import {file}: it is larger than {mb} MB; nothing was changed"
                raise BadInput(msg)
            with path.open("rb") as handle:
                data = handle.read(bundle.MAX_BYTES + 1)
    except OSError as exc:
        msg = f"cannot read {shown}: {exc.strerror or exc}"
        raise BadInput(msg) from None
    from handoff_cli import gcpause

    try:
        with gcpause.paused():  # a bundle of 100,000 notes is a million objects
            return bundle.parse(data)
    except BadInput as exc:
        msg = f"cannot import {shown}: {exc.message}; nothing was changed"
        raise BadInput(msg) from None


def _checked_rules(bundle: Bundle, file: str) -> Bundle:
    """Every rule read as `promise --every` would, and stored in its canonical form."""
    from dataclasses import replace

    from handoff_cli.rules import parse_rule

    clients = []
    for client in bundle.clients:
        promises = []
        for p in client.promises:
            if p.rule is not None:
                try:
                    p = replace(p, rule=parse_rule(p.rule, start=p.start))
                except BadInput as exc:
                    shown = "standard input" if file == "-" else file
                    msg = (
                        f"cannot import {shown}: {p.where}.rule: {exc.message}; nothing was changed"
                    )
                    raise BadInput(msg) from None
            promises.append(p)
        clients.append(replace(client, promises=tuple(promises)))
    return replace(bundle, clients=tuple(clients))


def _dry_run_on_empty(
    bundle: Bundle, clock: datetime, *, keep_owners: bool, notices: list[str]
) -> dict[str, dict[str, int]]:
    """A dry run with no database yet: merge into a throwaway one (none is created)."""
    import tempfile

    from handoff_cli import store_transfer

    with tempfile.TemporaryDirectory(prefix="handoff-dry-run-") as scratch:
        store = common.open_path_for_write(Path(scratch) / "dry-run.db")
        with store:
            return store_transfer.import_bundle(
                store, bundle, now=clock, me=store.me, keep_owners=keep_owners, dry_run=True,
                notices=notices,
            )  # fmt: skip


def _report(
    file: str,
    bundle: Bundle,
    counts: dict[str, dict[str, int]],
    *,
    dry_run: bool,
    as_json: bool,
    moved_back: list[str],
) -> None:
    from handoff_cli.cli import render
    from handoff_cli.cli.render import out, safe_line

    if as_json:
        render.print_json(
            {
                "file": file,
                "dry_run": dry_run,
                "exported_at": bundle.exported_at.isoformat(),
                "author": bundle.author,
                **counts,
                "moved_back": moved_back,
            }
        )
        return
    source = "standard input" if file == "-" else file
    by = f" by {safe_line(bundle.author)}" if bundle.author else ""
    made = bundle.exported_at.strftime("%Y-%m-%d")
    head = "Dry run: importing" if dry_run else "Imported"
    out(f"{head} {safe_line(source)} (exported {made}{by}):")
    for kind, c in counts.items():
        verb = "would be " if dry_run else ""
        out(
            f"  {kind:<12} {c['added']:>6} {verb}added · {c['updated']} {verb}updated"
            f" · {c['skipped']} already here"
        )
    if dry_run:
        out("Nothing was written.")
    elif counts["promises"]["added"] or counts["promises"]["updated"]:
        out("`handoff due` shows what is due; `handoff promises` lists them all.")
