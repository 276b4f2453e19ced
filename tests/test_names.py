"""Which new client names are likely mistakes for an existing one."""

from __future__ import annotations

import pytest
from conftest import Run

from handoff_cli.names import likely_typo, name_key

EXISTING = ["Brightwave", "株式会社ミナト", "Acme Corp", "Kitamura Logistics", "Globex"]


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("Acme Crop", "Acme Corp"),  # a typo
        ("ACME Corp.", "Acme Corp"),  # punctuation
        ("Acme", "Acme Corp"),  # without its company form
        ("Bright", "Brightwave"),  # most of the name
        ("Brightwave Inc", "Brightwave"),
        ("ミナト", "株式会社ミナト"),  # Japanese company forms, before or after
        ("ミナト株式会社", "株式会社ミナト"),
        ("Kitamura", "Kitamura Logistics"),  # the shell split an unquoted name
        ("Glob", "Globex"),
    ],
)
def test_likely_mistakes(typed: str, meant: str) -> None:
    assert likely_typo(name_key(typed), [(name_key(n), n) for n in EXISTING]) == meant


@pytest.mark.parametrize("typed", ["Acme Logistics", "Initech", "Beta", "Co", "Wave Partners"])
def test_different_clients(typed: str) -> None:
    assert likely_typo(name_key(typed), [(name_key(n), n) for n in EXISTING]) is None


def test_a_japanese_near_duplicate_is_refused_through_the_cli(run: Run) -> None:
    assert run("log", "株式会社ミナト", "初回訪問").exit_code == 0
    refused = run("log", "ミナト", "電話")
    assert refused.exit_code == 2 and "did you mean '株式会社ミナト'?" in refused.stderr
    assert run("log", "ミナト", "別の会社", "--new-client").exit_code == 0
    assert len(run("clients", "--json").json()) == 2
