"""Write handoff's bytecode before timing it, as `pip install` does.

With PYTHONDONTWRITEBYTECODE set (some shells and containers set it) or a
source tree that cannot be written, every run of a command would compile again
each module changed since its bytecode was last written: a few milliseconds of
`log` that no installed handoff pays, and that a benchmark must not count.
"""

from __future__ import annotations

import compileall
from pathlib import Path


def write_bytecode() -> None:
    import handoff_cli

    compileall.compile_dir(Path(handoff_cli.__file__).parent, quiet=1)
