"""Rewrite the output blocks of examples/README.md and examples/team.md from real runs.

    python examples/refresh_walkthrough.py

Plays each page's `sh` blocks in order in a scratch directory (as
tests/test_examples.py does) and replaces each `text` block that follows an
`sh` block with what its last command really printed. Run it after a change
to what a command prints, then read the diff: the prose around the blocks may
need the same change.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
PAGES = {"README.md": "/tmp/handoff-example", "team.md": "/tmp/handoff-team"}
BLOCK = re.compile(r"^```(\w+)\n(.*?)^```", re.MULTILINE | re.DOTALL)


def main() -> int:
    for page, scratch in PAGES.items():
        code = refresh(HERE / page, scratch)
        if code:
            return code
    return 0


def refresh(README: Path, SCRATCH: str) -> int:  # noqa: N803 - the page and its scratch path
    text = README.read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory(prefix="handoff-walkthrough-") as tmp:
        repo = Path(tmp) / "repo"
        (repo / "examples").mkdir(parents=True)
        shutil.copy(HERE / "bundle.json", repo / "examples" / "bundle.json")
        scratch = Path(tmp) / "scratch"
        env = {k: v for k, v in os.environ.items() if not k.startswith("HANDOFF_")}
        env.update({"NO_COLOR": "1", "COLUMNS": "120", "PAGER": "cat"})
        env["XDG_CONFIG_HOME"] = str(Path(tmp) / "config")  # not the user's own settings
        cwd = repo

        def path(arg: str) -> str:
            return str(scratch) + arg[len(SCRATCH) :] if arg.startswith(SCRATCH) else arg

        pieces: list[str] = []
        last = 0
        last_kind = None
        last_output = ""
        for match in BLOCK.finditer(text):
            kind, body = match.groups()
            if kind == "sh":
                for line in body.splitlines():
                    command = [path(a) for a in shlex.split(line, comments=True)]
                    if not command:
                        continue
                    name, *args = command
                    if name == "export":
                        key, _, value = args[0].partition("=")
                        env[key] = path(value)
                    elif name == "mkdir":
                        Path(args[-1]).mkdir(parents=True, exist_ok=True)
                    elif name == "cp":
                        shutil.copy(Path(cwd, args[0]), Path(cwd, args[1]))
                    elif name == "cd":
                        cwd = Path(args[0])
                    elif name == "git":
                        subprocess.run(command, cwd=cwd, check=True)
                    else:
                        done = subprocess.run(
                            [sys.executable, "-m", "handoff_cli", *args],
                            cwd=cwd,
                            env=env,
                            capture_output=True,
                            text=True,
                            check=False,
                        )
                        if done.returncode != 0:
                            print(f"failed: {line}\n{done.stderr}", file=sys.stderr)
                            return 1
                        last_output = done.stdout
            elif kind == "text" and last_kind == "sh":
                pieces.append(text[last : match.start(2)])
                pieces.append(last_output)
                last = match.end(2)
            last_kind = kind
        pieces.append(text[last:])
    README.write_text("".join(pieces), encoding="utf-8")
    print(f"rewrote {README}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
