"""The command line. `main()` is the console script; `app` is the Typer application.

This module stays light: `handoff --version` answers before anything else is
imported, the plain forms of `log`, `due`, `show`, `clients` and `search` and Tab
completion of client names go through `cli.fast` (no Typer at all), and `app` is
built on first use.
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
    """The console script: the fast path for what it fully understands, else the Typer app.

    Signals, closed or failing standard streams and the final flush are dealt
    with here, around both paths (handoff_cli/interrupts.py, cli/streams.py):
    whatever happens, the answer is one line and an exit code, never a traceback.
    """
    args = sys.argv[1:]
    if args == ["--version"]:
        print(f"handoff {__version__}")
        return
    from handoff_cli import interrupts

    interrupts.install()  # first: a Ctrl-C while Typer loads is answered like any other
    try:
        code: Any = _run(args)
    except KeyboardInterrupt as exc:  # outside a command's own boundary (imports, the flush)
        try:
            sys.stderr.write(interrupts.message(exc) + "\n")
        except (OSError, AttributeError):  # SIGHUP: the terminal is gone
            pass
        code = interrupts.exit_code(exc)
    sys.exit(code)


def _run(args: list[str]) -> Any:
    import os

    from handoff_cli.cli import fast, streams
    from handoff_cli.paths import restrict_umask

    streams.prepare()
    restrict_umask()
    args = [_utf8_argument(arg) for arg in args]
    code: Any = fast.run(args, os.environ, os.path.basename(sys.argv[0]))
    if code is None:
        from handoff_cli.cli import registry

        registry.only = registry.modules_for(args, os.environ)
        from handoff_cli.cli.root import app

        try:
            app(args=args)
            code = 0
        except SystemExit as done:
            code = done.code
    from handoff_cli.cli.common import start_background_sync

    start_background_sync()  # after a write in a team; returns at once
    return streams.finish(code)


def _utf8_argument(arg: str) -> str:
    """An argument as the UTF-8 its bytes are, whatever the locale says.

    Under `LC_ALL=C` with UTF-8 mode off (PYTHONUTF8=0), Python decodes
    arguments as ASCII and keeps other bytes as lone surrogates: `山田商事`
    typed in a UTF-8 terminal would be refused as "not valid UTF-8". Bytes
    that really are not UTF-8 stay as they were, and are refused later.
    """
    if arg.isascii() or not any("\udc80" <= ch <= "\udcff" for ch in arg):
        return arg
    import os

    try:
        return os.fsencode(arg).decode("utf-8")
    except UnicodeError:
        return arg
