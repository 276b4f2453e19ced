"""The user's own `git`, run without ever prompting.

handoff never talks to a server itself: git does the transport, with the
user's SSH keys, credential helpers and server as they are. A background sync
must never hang on a password prompt, so every call runs with
GIT_TERMINAL_PROMPT=0 and SSH in batch mode; a remote that needs a password
fails, and the failure is reported in one line.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence
from pathlib import Path

from handoff_cli.errors import FAILURE, HandoffError

TIMEOUT_S = 120


class GitError(HandoffError):
    """git failed; the message is git's own reason, on one line."""

    def __init__(self, message: str) -> None:
        super().__init__(message, FAILURE)


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["GIT_TERMINAL_PROMPT"] = "0"  # never ask for a user name or password
    env["GCM_INTERACTIVE"] = "never"  # Git Credential Manager: the same
    env.setdefault("GIT_SSH_COMMAND", "ssh -o BatchMode=yes")
    env["LC_ALL"] = "C"  # git's messages as we parse them
    env.pop("GIT_DIR", None)
    env.pop("GIT_WORK_TREE", None)
    return env


def run(
    args: Sequence[str], *, cwd: Path | None = None, check: bool = True
) -> subprocess.CompletedProcess[str]:
    """Run `git ARGS`; GitError with git's reason when it fails (and `check`)."""
    command = ["git", "-c", "core.quotepath=off", *args]
    try:
        done = subprocess.run(
            command,
            cwd=cwd,
            env=_env(),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
            check=False,
        )
    except FileNotFoundError:
        msg = "git is not installed (or not on PATH); a team repository needs it"
        raise GitError(msg) from None
    except subprocess.TimeoutExpired:
        msg = f"git {args[0]} took longer than {TIMEOUT_S} s; gave up (is the remote reachable?)"
        raise GitError(msg) from None
    if check and done.returncode != 0:
        msg = f"git {args[0]} failed: {reason(done.stderr or done.stdout)}"
        raise GitError(msg)
    return done


def reason(text: str) -> str:
    """git's error output as one line: its `fatal:`/`error:` lines first."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    key = [
        line
        for line in lines
        if line.startswith(("fatal:", "error:", "remote:", "ERROR", "!")) and "hint:" not in line
    ]
    chosen = key or lines or ["no reason given"]
    joined = "; ".join(dict.fromkeys(chosen))
    return joined if len(joined) <= 300 else joined[:297] + "..."


def identity(name: str, member: str) -> list[str]:
    """`-c` options that sign commits as the member, whatever the user's git config says."""
    return ["-c", f"user.name={name}", "-c", f"user.email={member}@handoff.invalid"]
