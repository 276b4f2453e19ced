"""Print `name==floor` for each runtime dependency in pyproject.toml, for `pip -c`.

.ci/run installs these in a second environment and runs the CLI tests there,
so the lowest version each dependency claims to support is one CI has run.
A dependency without a `>=` floor is an error: its lowest version is unknown.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import tomllib  # Python 3.11+, which CI runs

ROOT = Path(__file__).resolve().parent.parent


def floors(pyproject: Path = ROOT / "pyproject.toml") -> dict[str, str]:
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    found: dict[str, str] = {}
    for spec in project["dependencies"]:
        match = re.fullmatch(r"([A-Za-z0-9._-]+)\s*(.*)", spec.split(";")[0].strip())
        if match is None:
            msg = f"cannot read the dependency {spec!r}"
            raise SystemExit(msg)
        name, constraints = match.groups()
        lows = re.findall(r">=\s*([0-9][0-9A-Za-z.]*)", constraints)
        if len(lows) != 1:
            msg = f"{name}: give exactly one >= floor in pyproject.toml, got {spec!r}"
            raise SystemExit(msg)
        found[name] = lows[0]
    return found


if __name__ == "__main__":
    sys.stdout.write("".join(f"{name}=={low}\n" for name, low in floors().items()))
