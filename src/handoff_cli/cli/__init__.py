"""The command line. `main()` is the console script; `app` is the Typer application.

This module stays light: `handoff --version` answers before Typer is imported,
and `app` is built on first use.
"""

from __future__ import annotations

import sys
from typing import Any

from handoff_cli import __version__


def __getattr__(name: str) -> Any:
    if name == "app":
        from handoff_cli.cli.root import app

        return app
    raise AttributeError(name)


def main() -> None:
    """The console script. Answers `--version` before loading the command machinery."""
    from handoff_cli.paths import restrict_umask

    restrict_umask()
    if sys.argv[1:] == ["--version"]:
        print(f"handoff {__version__}")
        return
    from handoff_cli.cli.root import app

    try:
        app()
    except BrokenPipeError:
        # `handoff search x | head`: the reader left; that is not an error.
        sys.stderr.close()
        sys.exit(0)
