"""Issue 15.9: the versions handoff declares are versions it has run with.

`typer>=0.15` was declared while `cli/root.py` imported `typer._click`, which
typer 0.16.1 does not have: every Typer command failed with
ModuleNotFoundError. Now each floor is installed exactly by `.ci/run` (through
`.ci/lowest_versions.py`) and the CLI tests run against it; the code uses no
private module or attribute of a dependency; and the schema version the store
checks against is tested against the migrations that exist.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src" / "handoff_cli"
DEPENDENCIES = ("typer", "click", "rich", "sqlite_utils", "dateutil", "platformdirs", "icalendar")


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def private_uses(source: str) -> list[str]:
    """Private modules, names and attributes of a dependency that `source` uses.

    Attributes are followed one step: on a name imported from a dependency, or
    on a name assigned the result of calling one (`m = Migrations(...)`, then
    `m._migrations`).
    """
    tree = ast.parse(source)
    found: list[str] = []
    foreign: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in DEPENDENCIES:
                    if any(_private(part) for part in alias.name.split(".")):
                        found.append(f"line {node.lineno}: import {alias.name}")
                    foreign.add((alias.asname or alias.name).split(".")[0])
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.split(".")[0] in DEPENDENCIES:
                if any(_private(part) for part in node.module.split(".")):
                    found.append(f"line {node.lineno}: from {node.module} import ...")
                for alias in node.names:
                    if _private(alias.name):
                        found.append(f"line {node.lineno}: from {node.module} import {alias.name}")
                    foreign.add(alias.asname or alias.name)
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Call)
            and isinstance(node.value.func, ast.Name)
            and node.value.func.id in foreign
        ):
            foreign.update(t.id for t in node.targets if isinstance(t, ast.Name))
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and _private(node.attr)
            and isinstance(node.value, ast.Name)
            and node.value.id in foreign
        ):
            found.append(f"line {node.lineno}: {node.value.id}.{node.attr}")
    return found


def test_the_checker_finds_what_the_issue_found() -> None:
    assert private_uses("from typer._click.exceptions import NoSuchOption\n")
    assert private_uses(
        "from sqlite_utils.migrations import Migrations\n"
        "migrations = Migrations('x')\nn = len(migrations._migrations)\n"
    )
    assert not private_uses("import typer\nfrom typer.core import TyperGroup\nx = typer.Exit\n")


def test_no_private_module_or_attribute_of_a_dependency_is_used() -> None:
    problems = {
        str(path.relative_to(ROOT)): uses
        for path in sorted(SRC.rglob("*.py"))
        if (uses := private_uses(path.read_text(encoding="utf-8")))
    }
    assert problems == {}


def test_the_store_knows_how_many_migrations_there_are() -> None:
    """store.LATEST_VERSION is a literal (no sqlite-utils on the hot path): it must match."""
    from handoff_cli import migrations, store

    assert store.LATEST_VERSION == migrations.latest_version()
    assert migrations.APPLICATION_ID == store.APPLICATION_ID


def test_ci_installs_every_declared_floor_exactly() -> None:
    """Each runtime dependency has one `>=` floor, and `.ci/run` tests that version."""
    import tomllib

    declared = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    names = {re.match(r"[A-Za-z0-9._-]+", spec).group() for spec in declared["dependencies"]}  # type: ignore[union-attr]
    pins = subprocess.run(
        [sys.executable, str(ROOT / ".ci" / "lowest_versions.py")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert {pin.split("==")[0] for pin in pins} == names
    assert all(re.fullmatch(r"[A-Za-z0-9._-]+==[0-9][0-9A-Za-z.]*", pin) for pin in pins), pins
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "lowest_versions.py" in ci
    assert re.search(r'pip install -q -c "\$lowest/constraints.txt"', ci)
    assert re.search(r'"\$lowest/venv/bin/python" -m pytest', ci)
