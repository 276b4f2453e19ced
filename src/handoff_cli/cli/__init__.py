"""The command line. `main()` is the console script; `app` is the Typer application.

This module stays light: `handoff --version` answers before anything else is
imported, the plain `handoff log CLIENT TEXT...` and Tab completion of client
names go through `cli.fast` (no Typer at all), and `app` is built on first use.
"""

from __future__ import annotations

import sys

from handoff_cli import __version__

TYPE_CHECKING = False  # as typing.TYPE_CHECKING, without importing typing for --version
if TYPE_CHECKING:
    from typing import Any


def __getattr__(name: str) -> Any:
    if name == "app":
        from handoff_cli.cli.root import app

        return app
    raise AttributeError(name)


def main() -> None:
    """The console script: the fast path for what it fully understands, else the Typer app."""
    args = sys.argv[1:]
    if args == ["--version"]:
        print(f"handoff {__version__}")
        return
    import os

    from handoff_cli.cli import fast
    from handoff_cli.paths import restrict_umask

    restrict_umask()
    try:
        code = fast.run(args, os.environ, os.path.basename(sys.argv[0]))
        if code is not None:
            sys.stdout.flush()
            sys.exit(code)
        from handoff_cli.cli.root import app

        app()
    except BrokenPipeError:
        # `handoff search x | head`: the reader left; that is not an error.
        sys.stderr.close()
        sys.exit(0)
