"""People at a client: contact (set), contact rm, contact rename, contact merge, contact alias.

`handoff contact CLIENT NAME [--role ...]` is how a person has always been added
or updated, and it stays the short form of `handoff contact set`: `contact` is a
group whose first word, when it is not one of its commands, starts a `set`
(as `git stash -p` is `git stash push -p`). A client whose name is one of those
words is reached with the long form: `handoff contact set rm Tanaka`.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperGroup

from handoff_cli.cli import common, render
from handoff_cli.cli.options import ClientArg, JsonOpt, complete_contact
from handoff_cli.cli.render import out, safe_line
from handoff_cli.errors import BadInput

if TYPE_CHECKING:
    from handoff_cli.models import Client, Contact
    from handoff_cli.store import Store

DEFAULT = "set"


class ContactGroup(TyperGroup):
    """`contact CLIENT NAME ...` runs `contact set CLIENT NAME ...`."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ctx.help_option_names:
            args = [DEFAULT, *args]
        return super().parse_args(ctx, args)

    def shell_complete(self, ctx: Any, incomplete: str) -> list[Any]:
        """Its commands, then (for the short form) the client names, as the fast path
        offers them (cli/fast.py: contact_words)."""
        from handoff_cli.cli.options import complete_client

        items = super().shell_complete(ctx, incomplete)
        if incomplete.startswith("-"):
            return items
        # Typer's completion item class is not public: take it from its own answer
        # (every command is offered for an empty word, so there is one).
        item = type(super().shell_complete(ctx, "")[0])
        return [*items, *(item(n) for n in complete_client(ctx, incomplete))]


app = typer.Typer(
    cls=ContactGroup,
    name="contact",
    no_args_is_help=True,
    rich_markup_mode=None,
    help="""People at a client: add, update, rename, merge, alias or remove one.

    \b
      handoff contact Acme Tanaka --role "system manager"   (short for `contact set`)
      handoff contact rename Acme Tanaka "田中 太郎"
      handoff contact merge Acme Tanka Tanaka --yes
      handoff contact alias Acme "小林 恵子" "Kobayashi Keiko"
      handoff contact rm Acme Sato --yes
    """,
)

NameArg = Annotated[
    str, typer.Argument(metavar="NAME", help="The person's name.", autocompletion=complete_contact)
]
YesOpt = Annotated[bool, typer.Option("--yes", "-y", help="Do not ask.")]


def _person(store: Store, client_name: str, name: str) -> tuple[Client, Contact]:
    from handoff_cli import writes

    client = store.client(client_name)
    return client, writes.listed_contact(store, client, name)


def _confirm(yes: bool, question: str, refusal: str) -> bool:
    if yes:
        return True
    if not sys.stdin.isatty():
        msg = f"{refusal} without --yes (standard input is not a terminal)"
        raise BadInput(msg)
    return typer.confirm(question)


@app.command("set", no_args_is_help=True)
def set_(
    ctx: typer.Context,
    client: ClientArg,
    name: NameArg,
    role: Annotated[str | None, typer.Option("--role", metavar="ROLE", help="Their role.")] = None,
    email: Annotated[
        str | None, typer.Option("--email", metavar="EMAIL", help="Their e-mail.")
    ] = None,
    phone: Annotated[
        str | None, typer.Option("--phone", metavar="PHONE", help="Their phone.")
    ] = None,
    new_client: Annotated[bool, typer.Option("--new-client", help=common.NEW_CLIENT_HELP)] = False,
    new_contact: Annotated[
        bool,
        typer.Option("--new-contact", help="Add NAME even if it is close to a contact's name."),
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Add a person at a client, or update their role, e-mail or phone.

    `handoff contact CLIENT NAME ...` is the same command. A NAME close to a
    contact's (Tanka when Tanaka is there) is refused as a likely typo unless
    --new-contact is given.

    \b
      handoff contact Acme Tanaka --role "system manager" --email tanaka@acme.example
      handoff contact set Acme "Tanaka Jun" --new-contact
    """
    from handoff_cli import writes
    from handoff_cli.names import required_name

    required_name(client, "a client name")
    required_name(name, "a contact name")
    clock = common.now()
    with common.open_for_write(ctx) as store, store.write():
        w = store.writer(clock)
        found, created_client = writes.client_for_write(store, w, client, new_client=new_client)
        person, added = writes.set_contact(
            store, w, found, name, role=role, email=email, phone=phone, new_contact=new_contact
        )
    if as_json:
        render.print_json(render.contact_json(person))
        return
    verb = "Added" if added else "Updated"
    new = " (new client)" if created_client else ""
    out(f"{verb} contact {safe_line(person.name)} at {safe_line(found.name)}{new}.")


@app.command("rm", no_args_is_help=True)
def rm(
    ctx: typer.Context,
    client: ClientArg,
    name: NameArg,
    yes: YesOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Remove a person from a client's contacts, for good.

    They leave the contact list, completion and `--with`; their role, e-mail
    and phone are forgotten. Notes that named them still do (a meeting they
    were at stays as it was), and promises owed to them stay owed to them until
    `handoff modify ID --to NAME`. The removal travels to colleagues and is
    never undone by a note or bundle naming them later: their names stay
    theirs, so someone new at the client needs a name of their own. To fold a
    duplicate into the right person instead, use `handoff contact merge`.

    \b
      handoff contact rm Acme Sato --yes
    """
    from handoff_cli import writes
    from handoff_cli.shapes import contact_removed_record

    clock = common.now()
    with common.open_existing(ctx) as store:
        found, person = _person(store, client, name)
        notes, owed = store.contact_uses(person)
        question = f"Remove {safe_line(person.name)} from {safe_line(found.name)}'s contacts?"
        if notes or owed:
            question += f" ({_uses(notes, owed)} still name them)"
        if not _confirm(yes, question, f"not removing {person.name}"):
            out("Kept.")
            return
        with store.write():
            writes.remove_contact(store, store.writer(clock), person)
    if as_json:
        render.print_json(contact_removed_record(found.name, person, notes, owed))
        return
    out(f"Removed {safe_line(person.name)} from {safe_line(found.name)}'s contacts.")
    if notes:
        out(f"  {render.plural(notes, 'note')} still name them.")
    if owed:
        ids = ", ".join(f"#{i}" for i in owed)
        out(f"  Still owed to them: {ids} (`handoff modify ID --to NAME` to change).")


def _uses(notes: int, owed: list[int]) -> str:
    parts = []
    if notes:
        parts.append(render.plural(notes, "note"))
    if owed:
        parts.append(render.plural(len(owed), "open promise"))
    return " and ".join(parts)


@app.command("rename", no_args_is_help=True)
def rename(
    ctx: typer.Context,
    client: ClientArg,
    name: NameArg,
    new_name: Annotated[str, typer.Argument(metavar="NEW_NAME", help="The name to use.")],
    as_json: JsonOpt = False,
) -> None:
    """Call a person by a new name (a fixed spelling, a full name, a new surname).

    Their notes and promises stay with them, and the names they had still find
    them in `--with` and `--to`.

    \b
      handoff contact rename Acme Tanaka "田中 太郎"
    """
    from handoff_cli import writes
    from handoff_cli.shapes import contact_renamed_record

    clock = common.now()
    with common.open_existing(ctx) as store, store.write():
        found, person = _person(store, client, name)
        renamed = writes.rename_contact(store, store.writer(clock), found, person, new_name)
    if as_json:
        render.print_json(contact_renamed_record(renamed, person.name))
        return
    out(
        f"Renamed contact {safe_line(person.name)} to {safe_line(renamed.name)} "
        f"at {safe_line(found.name)}."
    )


@app.command("merge", no_args_is_help=True)
def merge(
    ctx: typer.Context,
    client: ClientArg,
    source: Annotated[
        str,
        typer.Argument(
            metavar="FROM", help="The contact to fold in.", autocompletion=complete_contact
        ),
    ],
    target: Annotated[
        str,
        typer.Argument(
            metavar="INTO", help="The contact to keep.", autocompletion=complete_contact
        ),
    ],
    yes: YesOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Make two contacts one person: FROM's notes, promises and names move to INTO.

    For a person entered twice (a typo, a romanised and a Japanese spelling).
    INTO's name stands; FROM's name still finds them; an e-mail or phone only
    FROM had is kept.

    \b
      handoff contact merge Acme Tanka Tanaka --yes
    """
    from handoff_cli import writes
    from handoff_cli.shapes import contact_merged_record

    clock = common.now()
    with common.open_existing(ctx) as store:
        found, from_person = _person(store, client, source)
        into_person = writes.listed_contact(store, found, target)
        question = (
            f"Make {safe_line(from_person.name)} part of {safe_line(into_person.name)} "
            f"at {safe_line(found.name)}?"
        )
        if from_person.id != into_person.id and not _confirm(
            yes, question, f"not merging {from_person.name}"
        ):
            out("Nothing changed.")
            return
        with store.write():
            merged, notes, promises = writes.merge_contacts(
                store, store.writer(clock), found, from_person, into_person
            )
    if as_json:
        render.print_json(
            contact_merged_record(found.name, from_person.name, merged, notes, promises)
        )
        return
    out(
        f"Merged contact {safe_line(from_person.name)} into {safe_line(merged.name)} "
        f"at {safe_line(found.name)}: {render.plural(notes, 'note')}, "
        f"{render.plural(promises, 'promise')} moved."
    )


@app.command("alias", no_args_is_help=True)
def alias(
    ctx: typer.Context,
    client: ClientArg,
    name: NameArg,
    other: Annotated[str, typer.Argument(metavar="ALIAS", help="Another name they go by.")],
    as_json: JsonOpt = False,
) -> None:
    """Another name a person goes by, so `--with ALIAS` finds them.

    One person, one contact: `Kobayashi Keiko` and `小林 恵子` are the same
    Keiko. `show` lists aliases after the name. A contact already entered
    under ALIAS is another record of the same person: merge it instead.

    \b
      handoff contact alias Acme "小林 恵子" "Kobayashi Keiko"
      handoff log Acme "call about the renewal" --with "Kobayashi Keiko"
    """
    from handoff_cli import writes

    clock = common.now()
    with common.open_existing(ctx) as store, store.write():
        found, person = _person(store, client, name)
        named = writes.alias_contact(store, store.writer(clock), found, person, other)
    if as_json:
        render.print_json(render.contact_json(named))
        return
    out(
        f"{safe_line(named.name)} at {safe_line(found.name)} also answers to "
        f"{safe_line(' '.join(other.split()))}."
    )
