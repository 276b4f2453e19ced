"""People in a team, for tests: each with their own home, config and database.

`Person.run(...)` runs the real CLI in this process (CliRunner) with that
person's environment; `Person.sh(...)` runs it as a separate process. Every
person's config says team.sync = "manual", so no background sync races a test
(tests/test_team_auto.py tries the automatic one on its own).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from conftest import Result
from typer.testing import CliRunner


def bare_repository(path: Path) -> Path:
    subprocess.run(["git", "init", "--quiet", "--bare", str(path)], check=True)
    return path


class Person:
    def __init__(self, root: Path, name: str, *, device: str = "", sync: str = "manual") -> None:
        self.name = name
        self.home = root / f"{name}{device}"
        self.home.mkdir(parents=True, exist_ok=True)
        self.db = self.home / "data" / "handoff.db"
        config = self.home / "config" / "handoff"
        config.mkdir(parents=True, exist_ok=True)
        (config / "config.toml").write_text(f'[team]\nsync = "{sync}"\n', encoding="utf-8")
        self.env = {
            "HANDOFF_DB": str(self.db),
            "HANDOFF_AUTHOR": name,
            "XDG_CONFIG_HOME": str(self.home / "config"),
            "HOME": str(self.home),
        }

    @contextmanager
    def _environment(self, now: str | None) -> Iterator[None]:
        saved = {k: os.environ.get(k) for k in [*self.env, "HANDOFF_NOW"]}
        os.environ.update(self.env)
        if now is not None:
            os.environ["HANDOFF_NOW"] = now
        try:
            yield
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value

    def run(self, *args: str, now: str | None = None, input: str | None = None) -> Result:
        from handoff_cli.cli import app

        with self._environment(now):
            result = CliRunner().invoke(app, list(args), input=input, catch_exceptions=False)
        return Result(result.exit_code, result.stdout, result.stderr)

    def ok(self, *args: str, now: str | None = None) -> Result:
        result = self.run(*args, now=now)
        assert result.exit_code == 0, (self.name, args, result.stdout, result.stderr)
        return result

    def json(self, *args: str, now: str | None = None) -> Any:
        return json.loads(self.ok(*args, "--json", now=now).stdout)

    def sh(self, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        """The real program in its own process (for signals, missing git, ...)."""
        full = {**os.environ, **self.env, **(env or {})}
        return subprocess.run(
            [sys.executable, "-m", "handoff_cli", *args],
            env=full,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
