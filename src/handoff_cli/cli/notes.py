"""Notes and clients: log, show, clients, search, rename, merge, edit, rm."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from handoff_cli.cli import common, render
from handoff_cli.cli.options import (
    ClientArg,
    ClientOpt,
    JsonOpt,
    KindOpt,
    NewContactOpt,
    NoteIdArg,
    TagOpt,
    TagsOpt,
    WithOpt,
    complete_client,
    parse_id,
)
from handoff_cli.cli.render import out, safe_line
from handoff_cli.errors import NOTHING_TO_DO, BadInput, HandoffError

if TYPE_CHECKING:
    pass

app = typer.Typer()


def _text_from(words: list[str] | None, *, initial: str = "") -> str:
    """TEXT words, else standard input when it is not a terminal, else $VISUAL/$EDITOR."""
    from handoff_cli.names import require_utf8

    if words:
        return require_utf8(" ".join(words).strip(), "the text")
    if not sys.stdin.isatty():
        return require_utf8(_read_stdin().strip(), "standard input")
    return _edit(initial).strip()


def _read_stdin() -> str:
    """Standard input as UTF-8, whatever the locale (under LC_ALL=C Python would read ASCII)."""
    raw = getattr(sys.stdin, "buffer", None)
    try:
        if raw is None:  # a test runner's text stream
            return sys.stdin.read()
        data: bytes = raw.read()
        return data.decode("utf-8")
    except UnicodeDecodeError:
        msg = "standard input is not UTF-8 text; nothing was saved"
        raise BadInput(msg) from None


def _edit(initial: str) -> str:
    import os
    import shlex
    import subprocess
    import tempfile

    from handoff_cli.interrupts import editor_running

    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR")
    if not editor:
        msg = "no text given: pass it as words, pipe it in, or set $EDITOR to write it there"
        raise BadInput(msg)
    try:
        command = shlex.split(editor)
    except ValueError as exc:  # EDITOR='vim "'
        msg = f"cannot read the editor command '{editor}' ({exc}); check $VISUAL and $EDITOR"
        raise BadInput(msg) from None
    if not command:
        msg = "$VISUAL or $EDITOR is blank; set it to an editor, such as vi"
        raise BadInput(msg)
    fd, name = tempfile.mkstemp(prefix="handoff-", suffix=".txt")  # 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(initial)
        try:
            with editor_running():  # Ctrl-C is the editor's; SIGTERM/SIGHUP still stop us
                result = subprocess.run([*command, name], check=False)
        except OSError as exc:
            msg = f"cannot run the editor '{editor}': {exc.strerror or exc}"
            raise BadInput(msg) from exc
        if result.returncode != 0:
            msg = f"the editor '{editor}' exited with status {result.returncode}; nothing saved"
            raise HandoffError(msg, NOTHING_TO_DO)
        try:
            with open(name, encoding="utf-8", errors="surrogateescape") as handle:
                text = handle.read()
        except FileNotFoundError:
            msg = f"the editor '{editor}' removed the file it was editing; nothing saved"
            raise HandoffError(msg, NOTHING_TO_DO) from None
        except OSError as exc:
            msg = f"cannot read what the editor saved: {exc.strerror or exc}; nothing saved"
            raise HandoffError(msg, NOTHING_TO_DO) from None
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            # The file is about to go: show the words so they are not lost.
            error = BadInput("the editor saved text that is not UTF-8")
            error.keep(text, "it")
            raise error from None
        return text
    finally:
        try:
            os.unlink(name)
        except FileNotFoundError:
            pass


@app.command(no_args_is_help=True)
def log(
    ctx: typer.Context,
    client: ClientArg,
    text: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="TEXT...", help="What happened. Omitted: read stdin, else open $EDITOR."
        ),
    ] = None,
    at: Annotated[
        str | None, typer.Option("--at", metavar="WHEN", help="When it happened (default now).")
    ] = None,
    with_: WithOpt = None,
    tag: TagsOpt = None,
    kind: KindOpt = "note",
    done: Annotated[
        list[int] | None,
        typer.Option(
            "--done", metavar="ID", help="A promise this fulfilled (repeatable).", parser=parse_id
        ),
    ] = None,
    on: Annotated[
        int | None,
        typer.Option(
            "--on", metavar="ID", help="The promise this is progress on.", parser=parse_id
        ),
    ] = None,
    new_client: Annotated[bool, typer.Option("--new-client", help=common.NEW_CLIENT_HELP)] = False,
    new_contact: NewContactOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Record an interaction with a client.

    \b
      handoff log Acme called about the fees --with Tanaka --kind call
      handoff log Acme --at "yesterday 15:00" "visited, demoed v2"
      handoff log Acme "asked DB team; answer by Thu" --on 3
      handoff log Acme "met the new CFO" --with "Takahashi Jun" --new-contact
      echo "long notes" | handoff log Acme
    """
    from handoff_cli.cli import actions

    clock = common.now()
    moment = common.when(at, at=clock) if at else clock
    kind = actions.note_kind(kind)
    from_editor = not text and sys.stdin.isatty()
    logged = actions.log_note(
        common.db_path(ctx),
        client=client,
        body=_text_from(text),
        at=moment,
        now=clock,
        kind=kind,
        with_=with_ or [],
        tags=tag or [],
        new_client=new_client,
        new_contact=new_contact,
        done=done or [],
        on=on,
        echo_on_refusal=from_editor,
        full=as_json,
    )
    if as_json:
        assert logged.note is not None  # read back: `full`
        data = render.note_json(logged.note)
        data["new_client"] = logged.new_client
        data["done"] = [render.covered_json(k.promise, k.covers) for k in logged.kept]
        render.print_json(data)
        return
    out(actions.saved_line(logged))
    if logged.kept:
        from handoff_cli.cli.lines import kept_line

        for kept in logged.kept:
            out(kept_line(kept.promise, kept.covers))


@app.command(no_args_is_help=True)
def show(
    ctx: typer.Context,
    client: ClientArg,
    limit: Annotated[
        int, typer.Option("--limit", "-n", min=0, metavar="N", help="Notes to show.")
    ] = 20,
    since: Annotated[
        str | None,
        typer.Option("--since", metavar="WHEN", help="Only notes since then (a day: all of it)."),
    ] = None,
    until: Annotated[
        str | None,
        typer.Option("--until", metavar="WHEN", help="Only notes until then (a day: all of it)."),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """One client: contacts, promises and the timeline of notes, newest first.

    \b
      handoff show Acme
      handoff show Acme --since "30 days ago" --json
      handoff show Acme --since 2026/10/01 --until 2026/10/31
    """
    from handoff_cli.cli import views

    views.show_client(
        common.db_path(ctx), client, limit=limit, since=since, until=until, as_json=as_json,
        pager=common.pager_wanted(ctx),
    )  # fmt: skip


@app.command()
def clients(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """Every client with last contact, notes, open promises and overdue count.

    \b
      handoff clients
      handoff clients --json
    """
    from handoff_cli.cli import views

    views.list_clients(common.db_path(ctx), as_json=as_json, pager=common.pager_wanted(ctx))


@app.command(no_args_is_help=True)
def search(
    ctx: typer.Context,
    query: Annotated[list[str], typer.Argument(help="Words to find (all must match).")],
    client: ClientOpt = None,
    tag: TagOpt = None,
    author: Annotated[
        str | None, typer.Option("--author", metavar="NAME", help="Only notes by this author.")
    ] = None,
    since: Annotated[
        str | None,
        typer.Option("--since", metavar="WHEN", help="Only notes (and promises) since then."),
    ] = None,
    limit: Annotated[
        int, typer.Option("--limit", "-n", min=1, metavar="N", help="Most results.")
    ] = 50,
    as_json: JsonOpt = False,
) -> None:
    """Find notes and promises by words, in any script (報告 finds 月次報告).

    Promises that are done or dropped are marked so. With --tag or --author,
    only notes are searched (promises have neither).

    \b
      handoff search fees
      handoff search 報告 --client 山田商事
      handoff search quote --tag renewal --since "30 days ago"
    """
    from handoff_cli.cli import views

    views.search(
        common.db_path(ctx), " ".join(query), client=client, tag=tag, author=author,
        since=since, limit=limit, as_json=as_json, pager=common.pager_wanted(ctx),
    )  # fmt: skip


@app.command(no_args_is_help=True)
def rename(
    ctx: typer.Context,
    client: ClientArg,
    new_name: Annotated[str, typer.Argument(metavar="NEW_NAME", help="The name to use.")],
    as_json: JsonOpt = False,
) -> None:
    """Give a client a new name (its notes, promises and contacts stay with it).

    \b
      handoff rename "Acme" "Acme Corporation"
    """
    from handoff_cli import writes

    clock = common.now()
    with common.open_existing(ctx) as store, store.write():
        found = store.client(client)
        renamed = writes.rename_client(store, store.writer(clock), found, new_name)
    if as_json:
        render.print_json({"uuid": renamed.uuid, "old_name": found.name, "name": renamed.name})
        return
    out(f"Renamed {safe_line(found.name)} to {safe_line(renamed.name)}.")


@app.command(no_args_is_help=True)
def merge(
    ctx: typer.Context,
    source: Annotated[
        str,
        typer.Argument(
            metavar="FROM", help="The client to fold in.", autocompletion=complete_client
        ),
    ],
    target: Annotated[
        str,
        typer.Argument(metavar="INTO", help="The client to keep.", autocompletion=complete_client),
    ],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Make two clients one: FROM's notes, promises and contacts move to INTO.

    For a client created twice under different names (a typo, a company form).
    A contact known to both becomes one. FROM is removed.

    \b
      handoff merge "Bright" "Brightwave" --yes
    """
    from handoff_cli import writes

    clock = common.now()
    with common.open_existing(ctx) as store:
        from_client = store.client(source)
        into_client = store.client(target)
        if not yes:
            if not sys.stdin.isatty():
                msg = "not merging without --yes (standard input is not a terminal)"
                raise BadInput(msg)
            question = (
                f"Move everything of {safe_line(from_client.name)} into "
                f"{safe_line(into_client.name)} and remove {safe_line(from_client.name)}?"
            )
            if not typer.confirm(question):
                out("Nothing changed.")
                return
        with store.write():
            moved = writes.merge_clients(store, store.writer(clock), from_client, into_client)
    if as_json:
        render.print_json({"from": from_client.name, "into": into_client.name, **moved})
        return
    out(
        f"Merged {safe_line(from_client.name)} into {safe_line(into_client.name)}: "
        f"{render.plural(moved['notes'], 'note')}, {render.plural(moved['promises'], 'promise')}, "
        f"{render.plural(moved['contacts'], 'contact')} moved."
    )


@app.command(no_args_is_help=True)
def edit(
    ctx: typer.Context,
    note_id: NoteIdArg,
    text: Annotated[
        str | None,
        typer.Option("--text", metavar="TEXT", help="The new text (default: open $EDITOR)."),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Fix a note's text: in $EDITOR, from --text, or from standard input.

    \b
      handoff edit 12
      handoff edit 12 --text "called about the new fees"
    """
    from handoff_cli import writes
    from handoff_cli.cli import actions

    clock = common.now()
    with common.open_existing(ctx) as store:
        note = store.note(note_id)
        if text is not None:
            body = _text_from([text])
        else:
            body = _text_from(None, initial=note.text)
        if not body:
            raise actions.NothingToSave()
        if body == note.text:
            if as_json:
                render.print_json(render.note_json(note))
            else:
                out(f"Note #{note_id} unchanged.")
            return
        from handoff_cli.interrupts import describe

        try:
            with store.write():
                note = writes.edit_note(store, store.writer(clock), store.note(note_id), body)
                describe(f"the new text of note #{note_id}")
        except HandoffError as exc:  # removed meanwhile, a full disk: the new words survive
            exc.keep(body, "your new text")
            raise
    if as_json:
        render.print_json(render.note_json(note))
        return
    out(f"Updated note #{note.id} for {safe_line(note.client)}.")


@app.command(no_args_is_help=True)
def rm(
    ctx: typer.Context,
    note_id: NoteIdArg,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask.")] = False,
) -> None:
    """Remove a note for good.

    \b
      handoff rm 12 --yes
    """
    from handoff_cli import writes

    clock = common.now()
    with common.open_existing(ctx) as store:
        note = store.note(note_id)
        if not yes:
            if not sys.stdin.isatty():
                msg = (
                    f"not removing note #{note_id} without --yes (standard input is not a terminal)"
                )
                raise BadInput(msg)
            preview = render.truncate(safe_line(note.text), 60)
            question = f"Remove note #{note_id} ({safe_line(note.client)}: {preview})?"
            if not typer.confirm(question):
                out("Kept.")
                return
        with store.write():
            writes.remove_note(store, store.writer(clock), store.note(note_id))
    out(f"Removed note #{note_id} from {safe_line(note.client)}.")
