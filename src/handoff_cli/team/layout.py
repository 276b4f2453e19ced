"""The team repository's layout: what lives where, and reading and writing it.

    handoff-team.json                     {"format": "handoff-team", "layout": 1, ...}
    members/MEMBER.json                   {"id", "name"} (and public keys when encrypted)
    log/MEMBER/DEVICE/YYYY-MM.jsonl       that device's change records, one JSON per line

Each device writes only its own files under log/, and only ever appends to
them, so git never has a conflict to resolve. A last line cut short by a crash
(no newline yet) is left alone by readers until its writer completes or
truncates it. docs/team.md describes every record.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from handoff_cli.errors import FAILURE, HandoffError

FORMAT = "handoff-team"
LAYOUT = 1
LAYOUT_FILE = "handoff-team.json"


class TeamError(HandoffError):
    def __init__(self, message: str) -> None:
        super().__init__(message, FAILURE)


@dataclass(frozen=True)
class Member:
    id: str
    name: str
    extra: dict[str, Any]


def write_layout(root: Path, *, encrypted: bool) -> None:
    data = {"format": FORMAT, "layout": LAYOUT, "encrypted": encrypted}
    (root / LAYOUT_FILE).write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def read_layout(root: Path) -> dict[str, Any]:
    """The layout file; TeamError if the repository is not a handoff team's."""
    path = root / LAYOUT_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        msg = f"{root} is not a handoff team repository (it has files but no {LAYOUT_FILE})"
        raise TeamError(msg) from None
    except (OSError, ValueError) as exc:
        msg = f"cannot read {path}: {exc}"
        raise TeamError(msg) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        msg = f"{path} is not a handoff team layout"
        raise TeamError(msg)
    if data.get("layout") != LAYOUT:
        msg = f"{path} has layout {data.get('layout')!r}; this handoff knows {LAYOUT} (upgrade)"
        raise TeamError(msg)
    return data


def members(root: Path) -> list[Member]:
    """Every member who has joined, by name."""
    found = []
    folder = root / "members"
    if not folder.is_dir():
        return []
    for path in sorted(folder.glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue  # a damaged member file: its records still name their writer
        if isinstance(data, dict) and isinstance(data.get("name"), str):
            found.append(Member(path.stem, data["name"], data))
    return sorted(found, key=lambda m: (m.name.casefold(), m.id))


def write_member(root: Path, member: str, name: str, **extra: Any) -> Path:
    folder = root / "members"
    folder.mkdir(exist_ok=True)
    path = folder / f"{member}.json"
    data = {"id": member, "name": name, **extra}
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def device_dir(root: Path, member: str, device: str) -> Path:
    return root / "log" / member / device


def segment(root: Path, member: str, device: str, month: str) -> Path:
    """This device's file for a month (YYYY-MM): a new one each month keeps files small."""
    return device_dir(root, member, device) / f"{month}.jsonl"


def log_files(root: Path) -> list[tuple[str, str, Path]]:
    """(member, device, path) of every segment file in the repository, oldest month first.

    Read in this order, a client is mostly created before a colleague's notes about
    it are read, so few changes wait for what they need (merging does not depend on
    the order; a first sync of years of history just does less work).
    """
    return device_files(root, "*.jsonl")


def device_files(root: Path, pattern: str) -> list[tuple[str, str, Path]]:
    """(member, device, path) of the files matching `pattern` in every device's folder
    of `log/`, by file name, then member, then device: the same month (or chunk
    number) of every device together, each device's in the order of their names."""
    log = root / "log"
    if not log.is_dir():
        return []
    found = []
    for member_dir in log.iterdir():
        if not member_dir.is_dir():
            continue
        for device_dir_ in member_dir.iterdir():
            if not device_dir_.is_dir():
                continue
            for path in device_dir_.glob(pattern):
                found.append((member_dir.name, device_dir_.name, path))
    found.sort(key=lambda file: (file[2].name, file[0], file[1]))  # (name, member, device)
    return found


def append_lines(path: Path, lines: list[str]) -> None:
    """Append whole lines, durably. A torn last line (a crash mid-write) is cut off first."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "ab+") as handle:
        size = handle.seek(0, os.SEEK_END)
        if size:
            handle.seek(max(0, size - 1))
            if handle.read(1) != b"\n":
                handle.seek(0)
                data = handle.read()
                keep = data.rfind(b"\n") + 1
                handle.truncate(keep)
                handle.seek(keep)
        handle.write("".join(line + "\n" for line in lines).encode("utf-8"))
        handle.flush()
        os.fsync(handle.fileno())


def read_new(path: Path, offset: int) -> tuple[list[bytes], int]:
    """The complete lines after `offset`, and the offset after the last complete one."""
    with open(path, "rb") as handle:
        handle.seek(offset)
        data = handle.read()
    end = data.rfind(b"\n") + 1
    if end == 0:
        return [], offset
    return data[:end].splitlines(), offset + end
