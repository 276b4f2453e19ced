"""The handoff itself: export and import."""

from __future__ import annotations

import typer

app = typer.Typer()
