"""Which module defines each command, so a process registers only the one it runs.

Typer inspects the signature of every registered command on each invocation
(~60 ms for all of them on `handoff done`); a command line that names a command
needs only its module. Anything else (no command, `--help`, a typo that wants
"did you mean", shell completion) gets every module. Stdlib only: read before
Typer loads. tests/test_cli_edges.py checks COMMANDS against what each module
registers.
"""

from __future__ import annotations

ALL = ("notes", "promises", "browse", "transfer", "team", "maintenance", "contacts")

COMMANDS = {
    "notes": ("log", "show", "clients", "search", "rename", "merge", "edit", "rm"),
    "promises": (
        "promise",
        "promises",
        "done",
        "skip",
        "undo",
        "modify",
        "drop",
        "pause",
        "resume",
        "due",
    ),  # fmt: skip
    "browse": ("notes", "agenda"),
    "transfer": ("export", "import"),
    "team": ("sync", "take", "team"),
    "maintenance": ("backup", "doctor"),
    "contacts": ("contact",),
}

# Set by the entry point before the root app is imported; None: every module.
only: tuple[str, ...] | None = None


def modules_for(args: list[str], environ: object) -> tuple[str, ...]:
    """The modules a command line needs (every one unless it plainly names a command)."""
    if "_HANDOFF_COMPLETE" in environ:  # type: ignore[operator]
        return ALL
    command = _command_word(args)
    for module, names in COMMANDS.items():
        if command in names:
            return (module,)
    return ALL


def _command_word(args: list[str]) -> str | None:
    skip = False
    for arg in args:
        if skip:
            skip = False
        elif arg == "--db":
            skip = True
        elif arg.startswith("--db=") or arg == "--no-pager":
            continue
        elif arg.startswith("-"):
            return None  # --help, --version, or a mistake: the whole app answers
        else:
            return arg
    return None
