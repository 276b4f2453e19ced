"""Teams: team init, team (status), sync, take."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer

from handoff_cli.cli import common, render
from handoff_cli.cli.options import ClientsOpt, JsonOpt, parse_id
from handoff_cli.cli.render import out, safe_line, style
from handoff_cli.errors import BadInput

app = typer.Typer()
team_app = typer.Typer(
    help="A team's shared repository: `handoff team init REPO` joins, `handoff team` shows it."
    "\n\n\b\n  handoff team\n  handoff team init git@gitlab.example:sales/handoff-team.git"
    " --name akira"
)


@team_app.callback(invoke_without_command=True)
def team(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """The team: each member, when they last synced, their open and overdue promises.

    A member with overdue promises who has not synced for 2 days or more is
    flagged, so the team notices an absence before the client does.

    \b
      handoff team
      handoff team init git@gitlab.example:sales/handoff-team.git --name akira
      handoff sync
    """
    if ctx.invoked_subcommand is not None:
        return
    from handoff_cli.team import status

    clock = common.now()
    store = common.open_for_read(ctx)
    if store is None:
        raise BadInput(common.no_database_message(ctx))
    with store:
        state = status.team_state(store, now=clock)
    if state is None:
        msg = "this database is not in a team; `handoff team init REPO` joins (or starts) one"
        raise BadInput(msg)
    if as_json:
        render.print_json(status.state_record(state))
        return
    out(style(f"Team at {safe_line(state.remote)}", "bold"))
    if state.last_ok:
        out(f"  last sync {render.when(datetime.fromisoformat(state.last_ok))}")
    if state.error:
        out(style(f"  the last sync failed: {safe_line(state.error)}", "red"))
    out()
    for m in state.members:
        heard = render.when(m.last_heard) if m.last_heard else "never"
        line = (
            f"  {style(safe_line(m.name), 'bold')}{' (you)' if m.me else ''}  "
            f"last synced {heard}  {m.open} open, {m.due} due, {m.overdue} overdue"
        )
        if m.quiet:
            line += "  " + style(f"quiet for {m.quiet_days} days with promises due", "red")
        out(render.wrap(line, keep=[m.name]))
    if state.unowned:
        out()
        out(
            f"  {state.unowned} open promise{'s' if state.unowned != 1 else ''} of people "
            "not in the team (in everyone's `due`; `handoff take ID` to carry one on)"
        )


@team_app.command("init")
def init(
    ctx: typer.Context,
    repo: Annotated[
        str, typer.Argument(metavar="REPO", help="Any remote `git clone` understands, or a path.")
    ],
    name: Annotated[
        str | None,
        typer.Option("--name", metavar="NAME", help="How colleagues see you (default: author)."),
    ] = None,
    encrypt: Annotated[
        bool,
        typer.Option("--encrypt", help="Start an encrypted team (a new, empty repository only)."),
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Join a team (or start one): clone REPO beside the database, bind it, sync once.

    The same NAME on a second device joins as the same member. Your own git
    (SSH keys, credential helpers) does the transport; handoff never prompts.

    \b
      handoff team init git@gitlab.example:sales/handoff-team.git --name akira
      handoff team init /srv/shared/handoff-team.git
    """
    from handoff_cli.team import sync as team_sync

    clock = common.now()
    member_name = name or common.author()
    common.no_auto_sync()
    with common.open_for_write(ctx) as store:
        joined = team_sync.init(store, repo, name=member_name, now=clock, encrypt=encrypt)
    if as_json:
        render.print_json(
            {
                "remote": joined.binding.remote,
                "clone": str(joined.binding.clone),
                "member": joined.binding.member,
                "device": joined.binding.device,
                "name": joined.binding.name,
                "started": joined.started,
                "second_device": joined.second_device,
                **_report_record(joined.report),
            }
        )
        return
    how = (
        "started the team"
        if joined.started
        else "joined the team from another device"
        if joined.second_device
        else "joined the team"
    )
    out(f"{safe_line(member_name)} {how} (`handoff team` shows who is in it).")
    _print_report(joined.report)
    out("Every write now syncs in the background (team.sync = 'manual' in the config stops it).")


@app.command()
def sync(
    ctx: typer.Context,
    background: Annotated[
        bool, typer.Option("--background", hidden=True, help="Quiet: for the automatic sync.")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Send my changes and receive everyone's, through the team's git repository.

    Commits my new records, pulls, applies the others', pushes (pulling again
    when another member pushed first). Offline or refused: exit 3 with git's
    reason, local work kept for the next sync.

    \b
      handoff sync
      */10 * * * * handoff sync      # from cron, while you work
    """
    from handoff_cli.team import sync as team_sync

    clock = common.now()
    store = common.open_for_read(ctx)
    if store is None:
        raise BadInput(common.no_database_message(ctx))
    with store:
        common.no_auto_sync()  # this is the sync: it does not start another
        try:
            report = team_sync.sync(store, now=clock)
        except team_sync.SyncRefused as refused:
            if not background and not as_json:
                _print_report(refused.report)  # what did come in, then the one-line refusal
            raise
    if background:
        return
    if as_json:
        render.print_json(_report_record(report))
        return
    _print_report(report)


def _report_record(report: object) -> dict[str, object]:
    from handoff_cli.team.sync import SyncReport

    assert isinstance(report, SyncReport)
    return {
        "sent": report.sent,
        "pushed": report.pushed,
        "received": {
            member: {"name": got.name, "changes": got.kinds}
            for member, got in report.received.items()
        },
        "refused": report.refused,
        "superseded": report.superseded,
    }


def _print_report(report: object) -> None:
    from handoff_cli.team.sync import SyncReport

    assert isinstance(report, SyncReport)
    got = {m: r for m, r in report.received.items() if r.words() != "nothing new"}
    if not got:
        out(f"Synced: sent {render.plural(report.sent, 'change')}, nothing new came in.")
    else:
        out(f"Synced: sent {render.plural(report.sent, 'change')}; came in:")
        for incoming in got.values():
            out(render.wrap(f"  {safe_line(incoming.name)}: {incoming.words()}"))
    for line in report.superseded:
        out(render.wrap(f"  note: {safe_line(line)}"))


@app.command(no_args_is_help=True)
def take(
    ctx: typer.Context,
    ids: Annotated[
        list[str] | None,
        typer.Argument(metavar="ID...", help="The promises to take over (3 or #3)."),
    ] = None,
    client: ClientsOpt = None,
    from_: Annotated[
        str | None,
        typer.Option("--from", metavar="NAME", help="Only those owned by NAME (with --client)."),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Become the owner of promises: yours to keep from now on (the change syncs).

    \b
      handoff take 12
      handoff take --client "山田商事" --from mina
    """
    from handoff_cli import writes

    if bool(ids) == bool(client):
        msg = "give promise ids, or --client CLIENT (not both)"
        raise BadInput(msg)
    if from_ and not client:
        msg = "--from NAME goes with --client CLIENT"
        raise BadInput(msg)
    clock = common.now()
    with common.open_existing(ctx) as store, store.write():
        w = store.writer(clock)
        if ids:
            chosen = [store.promise(parse_id(i)) for i in ids]
        else:
            chosen = [
                p
                for name in client or []
                for p in store.promises(client=store.client(name))
                if from_ is None or p.owner.casefold() == from_.casefold()
            ]
            if not chosen:
                who = f" of {from_}" if from_ else ""
                msg = f"no open promises{who} for {', '.join(client or [])}"
                raise BadInput(msg)
        for p in chosen:
            if p.status in ("done", "dropped"):
                msg = f"promise #{p.id} is {p.status}; there is nothing to take over"
                raise BadInput(msg)
        taken = [writes.take(store, w, p, owner=store.me) for p in chosen]
        before = {p.id: p.owner for p in chosen}
    if as_json:
        render.print_json([render.promise_json(p) for p in taken])
        return
    for p in taken:
        was = before[p.id]
        note = f" (was {safe_line(was)}'s)" if was != p.owner else " (already yours)"
        out(render.wrap(f"Took #{p.id} {safe_line(p.title)} ({safe_line(p.client)}){note}."))


app.add_typer(team_app, name="team")
