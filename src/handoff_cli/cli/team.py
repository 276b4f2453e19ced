"""Teams: team init, team (status), sync, take."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from handoff_cli.cli import common, render
from handoff_cli.cli.options import ClientsOpt, JsonOpt, parse_id
from handoff_cli.cli.render import out, safe_line, style
from handoff_cli.errors import BadInput

if TYPE_CHECKING:
    from handoff_cli.store import Store
    from handoff_cli.team.encrypted import Standing

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
    `handoff team init REPO` joins a team (or starts one); in an encrypted
    team, `team admit` lets a newcomer in and `team remove` shuts one out.

    \b
      handoff team
      handoff team init git@gitlab.example:sales/handoff-team.git --name akira
      handoff team init /srv/git/new-team.git --encrypt
      handoff team admit mina
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
        store_encrypted = store.meta("team.encrypted") == "1"
        standing = _standing(store) if store_encrypted else None
    if as_json:
        record = status.state_record(state)
        record["encrypted"] = store_encrypted
        if standing is not None:
            record["fingerprint"] = standing.fingerprint
            record["admitted"] = standing.admitted
            record["waiting"] = [{"name": n, "fingerprint": f} for n, f in standing.waiting]
        render.print_json(record)
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
    if standing is not None:
        _print_standing(standing)
    if state.unowned:
        out()
        out(
            f"  {state.unowned} open promise{'s' if state.unowned != 1 else ''} of people "
            "not in the team (in everyone's `due`; `handoff take ID` to carry one on)"
        )


def _standing(store: Store) -> Standing:
    from handoff_cli.team import encrypted

    return encrypted.standing(store, Path(store.meta("team.clone") or "."))


def _print_standing(standing: Standing) -> None:
    out()
    out(f"  Encrypted. This device's key fingerprint: {standing.fingerprint}")
    if not standing.admitted:
        out(render.wrap("  Not admitted yet: a member runs `handoff team admit NAME`, after "
                        "comparing this fingerprint with the one they see."))  # fmt: skip
    for line in standing.disputes:
        out(render.wrap(style(f"  {safe_line(line)}", "red")))
    for name, fingerprint in standing.waiting:
        ask = f"  {safe_line(name)} asks to join (fingerprint {fingerprint}): "
        out(render.wrap(ask + f"`handoff team admit {safe_line(name)}` once you compared it."))


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
        typer.Option(
            "--encrypt",
            help="An encrypted team: start one (a new, empty repository), or join one "
            "(refusing a repository that is not encrypted).",
        ),
    ] = False,
    trust: Annotated[
        str | None,
        typer.Option(
            "--trust",
            metavar="FINGERPRINT",
            help="Joining an encrypted team: trust the member device with this key "
            "fingerprint (they read it to you) rather than the founder's on first use.",
        ),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Join a team (or start one): clone REPO beside the database, bind it, sync once.

    The same NAME on a second device joins as the same member. Your own git
    (SSH keys, credential helpers) does the transport; handoff never prompts.

    \b
      handoff team init git@gitlab.example:sales/handoff-team.git --name akira
      handoff team init /srv/shared/handoff-team.git
      handoff team init /srv/shared/new-team.git --name akira --encrypt
      handoff team init /srv/shared/new-team.git --trust "7F3A 19C2 ..."
    """
    from handoff_cli.cli import progress
    from handoff_cli.team import sync as team_sync

    clock = common.now()
    member_name = name or common.author()
    common.no_auto_sync()
    shown = progress.wanted(as_json=as_json)
    with (
        common.open_for_write(ctx) as store,
        progress.bar("Syncing", None, unit="records", enabled=shown) as bar,
    ):
        joined = team_sync.init(
            store, repo, name=member_name, now=clock, encrypt=encrypt or trust is not None,
            trusting=trust, meter=bar if shown else None,
        )  # fmt: skip
    joining = joined.joining
    if as_json:
        record: dict[str, object] = {
            "remote": joined.binding.remote,
            "clone": str(joined.binding.clone),
            "member": joined.binding.member,
            "device": joined.binding.device,
            "name": joined.binding.name,
            "started": joined.started,
            "second_device": joined.second_device,
            "encrypted": joining is not None,
            **_report_record(joined.report),
        }
        if joining is not None:
            record["fingerprint"] = joining.fingerprint
            if joining.founder is not None:
                record["trusted"] = {
                    "name": joining.founder.name,
                    "fingerprint": joining.founder.keys.fingerprint(),
                }
        render.print_json(record)
        return
    how = (
        "started the team"
        if joined.started
        else "joined the team from another device"
        if joined.second_device
        else "joined the team"
    )
    out(f"{safe_line(member_name)} {how} (`handoff team` shows who is in it).")
    if joining is not None:
        _print_joining(member_name, joining, started=joined.started)
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
    from handoff_cli.cli import progress
    from handoff_cli.team import sync as team_sync

    if background:
        _yield_the_cpu()
    clock = common.now()
    store = common.open_for_read(ctx)
    if store is None:
        raise BadInput(common.no_database_message(ctx))
    with store:
        common.no_auto_sync()  # this is the sync: it does not start another
        shown = progress.wanted(as_json=as_json) and not background
        try:
            with progress.bar("Syncing", None, unit="records", enabled=shown) as bar:
                report = team_sync.sync(store, now=clock, meter=bar if shown else None)
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


def _print_joining(name: str, joining: object, *, started: bool) -> None:
    from handoff_cli.team.encrypted import Joining

    assert isinstance(joining, Joining)
    if started:
        out(
            render.wrap(
                "The team is encrypted: the git host sees only ciphertext. Newcomers show you "
                "their key fingerprint; `handoff team admit NAME` lets them in. "
                f"This device's fingerprint: {joining.fingerprint}"
            )
        )
        return
    out(render.wrap("The team is encrypted: a member must admit this device before it can "
                    "read or send anything."))  # fmt: skip
    out(f"  This device's key fingerprint: {style(joining.fingerprint, 'bold')}")
    out(
        render.wrap(
            f"  Ask a member to run `handoff team admit {safe_line(name)}` and to read you the "
            "fingerprint they see: it must be this one. Then `handoff sync`."
        )
    )
    if joining.founder is not None:
        whose = safe_line(joining.founder.name) or "a member"
        out(
            render.wrap(
                f"  Trusted: {whose}'s device, fingerprint {joining.founder.keys.fingerprint()}. "
                "Check it with them (`handoff team` shows it on their machine): if it is not "
                "theirs, the git host planted it; run `handoff team init` again with "
                "--trust FINGERPRINT as they read it to you."
            )
        )


def _yield_the_cpu() -> None:
    """The automatic sync runs at the lowest priority: the commands the user types first."""
    import os

    try:
        idle = getattr(os, "SCHED_IDLE", None)
        if idle is not None:
            os.sched_setscheduler(0, idle, os.sched_param(0))
        else:
            os.nice(19)
    except OSError:
        pass  # as it is, then


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
        "skipped": report.skipped,
        "waiting": report.waiting,
        "warnings": report.warnings,
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
    for line in report.skipped:
        out(render.wrap(f"  note: not applied: {safe_line(line)}"))
    for line in report.warnings:
        out(render.wrap(f"  warning: {safe_line(line)}"))
    if report.waiting:
        out(
            render.wrap(
                "  Waiting for a member to admit this device (`handoff team admit NAME` on "
                "theirs); until then nothing is sent or received."
            )
        )


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


YesOpt = Annotated[
    bool, typer.Option("--yes", "-y", help="Do not ask (you compared the fingerprint).")
]


def _confirm(question: str, yes: bool, refusal: str) -> None:
    import sys

    if yes:
        return
    if not sys.stdin.isatty():
        msg = f"{refusal} without --yes (standard input is not a terminal)"
        raise BadInput(msg)
    if not typer.confirm(question, default=False, err=True):
        msg = f"{refusal}: nothing was changed"
        raise BadInput(msg)


def _encrypted_binding(store: object, what: str) -> None:
    from handoff_cli.store import Store
    from handoff_cli.team import sync as team_sync

    assert isinstance(store, Store)
    bound = team_sync.binding(store)
    if bound is None:
        msg = "this database is not in a team; `handoff team init REPO` joins (or starts) one"
        raise BadInput(msg)
    if not bound.encrypted:
        msg = (
            f"this team is not encrypted: anyone who can pull its repository reads it, so "
            f"there is nothing to {what} here (the git host's access settings decide)"
        )
        raise BadInput(msg)


@team_app.command("admit")
def admit(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME", help="The member waiting to join.")],
    yes: YesOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Let a newcomer into an encrypted team: they can read all of its history.

    Shows the fingerprint of the key NAME's device published; compare it with
    the one NAME sees on their screen (by phone, in person) before you say
    yes: the git host could have put its own key there.

    \b
      handoff team admit mina
      handoff team admit mina --yes     # after comparing, from a script
    """
    from handoff_cli.team import encrypted
    from handoff_cli.team import sync as team_sync

    clock = common.now()
    common.no_auto_sync()
    admitted: list[dict[str, str]] = []
    with common.open_existing(ctx) as store:
        _encrypted_binding(store, "admit")

        def action(bound: team_sync.Binding) -> str:
            found, chosen = encrypted.requests_of(store, bound.clone, name)
            for request in chosen:
                line = f"{safe_line(name)}'s device asks to join, key fingerprint: "
                (render.err if as_json else out)(line + request.keys.fingerprint())
            _confirm(
                f"Is that what {name} sees? Admit {len(chosen)} device"
                f"{'s' if len(chosen) != 1 else ''}",
                yes,
                "not admitted",
            )
            encrypted.admit(store, bound.clone, found, chosen, name)
            admitted.extend(
                {"device": r.device, "fingerprint": r.keys.fingerprint()} for r in chosen
            )
            return f"{bound.name} admits {name}"

        report = team_sync.sync(store, now=clock, action=action)
    if as_json:
        render.print_json({"admitted": admitted, **_report_record(report)})
        return
    out(
        render.wrap(
            f"Admitted {safe_line(name)}: their next `handoff sync` reads the team's whole "
            "history and sends their own."
        )
    )
    if not report.pushed:
        out("  (not pushed yet: the next sync sends it)")


@team_app.command("remove")
def remove(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME", help="The member to remove.")],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Remove a member from an encrypted team: a new team key, which they do not get.

    Everything written from now on is encrypted to the remaining members'
    devices only. What NAME already pulled stays on their machine: that
    cannot be taken back. Take away their access to the git repository too,
    and take over their promises (`handoff take --client C --from NAME`).

    \b
      handoff team remove mina
    """
    from handoff_cli.team import encrypted
    from handoff_cli.team import sync as team_sync

    clock = common.now()
    common.no_auto_sync()
    done: dict[str, object] = {}
    with common.open_existing(ctx) as store:
        _encrypted_binding(store, "remove")

        def action(bound: team_sync.Binding) -> str:
            found, leaving = encrypted.member_to_remove(store, bound.clone, name)
            member, devices = leaving.member, len(leaving.fingerprints)
            for fingerprint in leaving.fingerprints:
                line = f"{safe_line(name)}'s device, key fingerprint: {fingerprint}"
                (render.err if as_json else out)(line)
            _confirm(
                f"Remove {name} ({devices} device{'s' if devices != 1 else ''})? What they "
                "already pulled stays theirs",
                yes,
                "not removed",
            )
            holders = encrypted.remove(store, bound.clone, found, member)
            done.update({"member": member, "devices": devices, "key_holders": holders})
            return f"{bound.name} removes {name}"

        report = team_sync.sync(store, now=clock, action=action)
    if as_json:
        render.print_json({"removed": done, **_report_record(report)})
        return
    holders = done["key_holders"]
    out(
        render.wrap(
            f"Removed {safe_line(name)}: from now on everything is encrypted to a new team key "
            f"that only the remaining {holders} device{'s' if holders != 1 else ''} hold."
        )
    )
    out(
        render.wrap(
            f"  What {safe_line(name)} already pulled cannot be taken back. Remove their access "
            "to the git repository as well."
        )
    )
    if not report.pushed:
        out("  (not pushed yet: the next sync sends it)")


app.add_typer(team_app, name="team")
