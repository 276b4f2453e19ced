"""Local times typed across a daylight-saving change keep their wall-clock time."""

from __future__ import annotations

import time

import pytest
from conftest import Run


@pytest.fixture
def berlin_summer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "Europe/Berlin")
    monkeypatch.setenv("HANDOFF_NOW", "2026-07-01T10:00:00+02:00")
    time.tzset()


@pytest.mark.usefixtures("berlin_summer")
def test_a_winter_time_typed_in_summer_gets_the_winter_offset(run: Run) -> None:
    note = run("log", "Acme", "x", "--at", "2026-12-01T15:30", "--json").json()
    assert note["at"] == "2026-12-01T15:30:00+01:00"
    words = run("log", "Acme", "y", "--at", "2026-12-01 9am", "--json").json()
    assert words["at"] == "2026-12-01T09:00:00+01:00"
    explicit = run("log", "Acme", "z", "--at", "2026-12-01T15:30+02:00", "--json").json()
    assert explicit["at"] == "2026-12-01T15:30:00+02:00"  # an offset typed is kept


def test_a_due_day_typed_across_dst_is_that_local_day(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TZ", "America/New_York")
    monkeypatch.setenv("HANDOFF_NOW", "2026-03-01T09:00:00-05:00")
    time.tzset()
    made = run("promise", "Acme", "x", "--due", "2026-06-01T00:30", "--json").json()
    assert made["next_due"] == "2026-06-01"
    assert run("due", "--as-of", "2026-06-01T00:30", "--json").json()["as_of"] == "2026-06-01"
