"""`show`, `clients` and `search` as plain functions of a database path, without Typer.

The Typer commands (cli/notes.py) and the fast path (cli/fast.py) both call these,
so the two print the same bytes (tests/test_fast_path.py). Typer costs more than
half of what these commands take on a million notes (issue 13: ≤ 4× the insert
floor), so their plain forms skip it.
"""

from __future__ import annotations

from handoff_cli.cli import common, render
from handoff_cli.cli.render import out, safe, safe_line, style

TYPE_CHECKING = False  # as typing.TYPE_CHECKING, which the fast path does not load
if TYPE_CHECKING:
    from datetime import date
    from pathlib import Path

    from handoff_cli.models import Contact, Note, Promise
    from handoff_cli.store import ClientSummary


def show_client(
    path: str | Path,
    client: str,
    *,
    limit: int = 20,
    since: str | None = None,
    until: str | None = None,
    as_json: bool = False,
    pager: bool = True,
) -> None:
    """`handoff show CLIENT`: contacts, promises and the timeline of notes, newest first."""
    from handoff_cli import store_queries
    from handoff_cli.cli.pager import paged

    clock = common.now()
    since_at = common.bound(since, at=clock) if since else None
    until_at = common.bound(until, at=clock, end=True) if until else None
    store = common.open_path_for_read(path)
    if store is None:  # reading never creates a database; nothing to show is not an error
        if as_json:
            render.err(common.no_database_text(path))
            render.print_json({"client": None, "contacts": [], "promises": [], "notes": []})
        else:
            out(common.no_database_text(path))
        return
    with store:
        with store.snapshot():
            found = store.client(client)
            contacts = store.contacts(found)
            promises = store.promises(client=found)
            progress = store.progress([p.uuid for p in promises])
            notes = store_queries.notes(
                store, clients=[found], since=since_at, until=until_at, limit=limit
            )
            summary = store.client_summary(found, as_of=clock.date())
    if as_json:
        render.print_json(
            {
                "client": found.name,
                "contacts": [render.contact_json(c) for c in contacts],
                "promises": [
                    render.promise_json(p, progress=progress.get(p.uuid)) for p in promises
                ],
                "notes": [render.note_json(n) for n in notes],
            }
        )
        return
    names = [found.name, *(n for c in contacts for n in (c.name, *c.aliases))]
    with paged(pager):
        _print_client(found.name, summary, contacts, promises, progress, names, clock.date())
        heading = "Notes, newest first"
        if len(notes) == limit and summary.notes > limit:
            heading += f" ({limit} of {summary.notes}; --limit for more)"
        out(render.wrap(style(heading, "bold")))
        if not notes:
            period = {(True, False): "since then", (False, True): "until then"}.get(
                (since_at is not None, until_at is not None), "in that period"
            )
            shown = "none shown" if since_at is None and until_at is None else f"none {period}"
            out("  none yet" if not summary.notes else f"  {shown}")
        for note in notes:
            print_note(note, names, with_client=False)


def _print_client(
    name: str,
    summary: ClientSummary,
    contacts: list[Contact],
    promises: list[Promise],
    progress: dict[str, Note],
    names: list[str],
    today: date,
) -> None:
    out(render.wrap(style(safe_line(name), "bold"), keep=names))
    facts = [
        render.plural(summary.notes, "note"),
        f"last contact {render.when(summary.last_contact)}",
        render.plural(summary.open_promises, "open promise"),
    ]
    if summary.overdue:
        facts.append(style(f"{summary.overdue} overdue", "red"))
    out(render.wrap("  " + " · ".join(facts)))
    if contacts:
        out()
        out(style("Contacts", "bold"))
        for c in contacts:
            details = [d for d in (c.role, c.email, c.phone) if d]
            line = f"  {safe_line(c.name)}"
            if c.aliases:
                line += " (also " + ", ".join(safe_line(a) for a in c.aliases) + ")"
            if details:
                line += "  " + style(" · ".join(safe_line(d) for d in details), "dim")
            out(render.wrap(line, keep=names))
    if promises:
        from handoff_cli.cli.lines import phrases, progress_line, promise_line

        out()
        out(style("Promises", "bold"))
        for p in promises:
            line = "  " + promise_line(
                p, as_of=today, with_client=False, with_owner=p.owner != common.author()
            )
            out(render.wrap(line, keep=[*names, *phrases(p, as_of=today)]))
            latest = progress.get(p.uuid)
            if latest:
                out(render.wrap(progress_line(render.progress_words(latest))))
    out()


def print_note(note: Note, names: list[str], *, with_client: bool) -> None:
    """A note in a timeline: its id, time, kind, people, tags and author, then its text."""
    meta = [style(f"#{note.id}", "cyan"), render.when(note.at), note.kind]
    if with_client:
        meta[1] = f"{note.at.astimezone():%H:%M}"
        meta.insert(2, style(safe_line(note.client), "bold"))
    if note.with_:
        meta.append("with " + ", ".join(safe_line(w) for w in note.with_))
    if note.tags:
        meta.append(" ".join("#" + safe_line(t) for t in note.tags))
    meta.append(style(safe_line(note.author), "dim"))
    keep = [*names, note.client, *note.with_]
    out(render.wrap("  " + "  ".join(meta), hang=2, keep=keep))  # not as deep as the text
    for line in safe(note.text).splitlines() or [""]:
        out(render.wrap("      " + line, hang=0, keep=keep))


def list_clients(path: str | Path, *, as_json: bool = False, pager: bool = True) -> None:
    """`handoff clients`: every client with last contact, notes, open promises, overdue."""
    clock = common.now()
    store = common.open_path_or_say_empty(path, as_json=as_json, empty=[])
    if store is None:
        return
    with store:
        summaries = store.client_summaries(as_of=clock.date())
    if as_json:
        render.print_json(
            [
                {
                    "name": s.name,
                    "last_contact": s.last_contact.isoformat() if s.last_contact else None,
                    "notes": s.notes,
                    "open_promises": s.open_promises,
                    "overdue": s.overdue,
                }
                for s in summaries
            ]
        )
        return
    if not summaries:
        out(render.wrap("No clients yet. `handoff log CLIENT TEXT` adds the first."))
        return
    from handoff_cli.cli.pager import paged

    rows = [
        [s.name, render.when(s.last_contact), str(s.notes), str(s.open_promises), str(s.overdue)]
        for s in summaries
    ]
    table = render.table(["Client", "Last contact", "Notes", "Open", "Overdue"], rows)
    with paged(pager):
        out(render.wrap(table, keep=[s.name for s in summaries]))


def search(
    path: str | Path,
    words: str,
    *,
    client: str | None = None,
    tag: str | None = None,
    author: str | None = None,
    since: str | None = None,
    limit: int = 50,
    as_json: bool = False,
    pager: bool = True,
) -> None:
    """`handoff search WORDS`: notes and promises with all the words, newest first."""
    from handoff_cli import store_queries

    since_at = common.bound(since, at=common.now()) if since else None
    store = common.open_path_or_say_empty(path, as_json=as_json, empty=[])
    if store is None:
        return
    with store:
        found = store.client(client) if client else None
        hits = store_queries.search(
            store, words, client=found, since=since_at, author=author, tag=tag, limit=limit
        )[:limit]  # limit is per kind of record
        names = store_queries.client_contact_names(store, sorted({h.client for h in hits}))
    if as_json:
        from handoff_cli.shapes import search_hit_record

        render.print_json([search_hit_record(h) for h in hits])
        return
    if not hits:
        out(render.wrap(f"Nothing matches '{safe_line(words)}'."))
        return
    from handoff_cli.cli.pager import paged

    with paged(pager):
        for hit in hits:
            label = style(f"{hit.type} #{hit.id}", "cyan")
            if hit.status in ("done", "dropped", "paused"):
                label += " " + style(f"({hit.status})", "yellow")
            keep = [hit.client, *names]
            line = f"{label}  {render.when(hit.at)}  {style(safe_line(hit.client), 'bold')}"
            out(render.wrap(line, keep=keep))
            out(render.wrap("    " + render.truncate(safe_line(hit.text), 200), hang=0, keep=keep))
