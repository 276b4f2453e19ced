"""Which new client names are likely mistakes for an existing one."""

from __future__ import annotations

import pytest
from conftest import Run

from handoff_cli.names import likely_typo, name_key

EXISTING = [
    "Brightwave",
    "株式会社ミナト",
    "Acme Corp",
    "Kitamura Logistics",
    "Globex",
    "Store 12",
    "Client 1",
    "第2工場",
]


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
        ("Stroe 12", "Store 12"),  # a typo, same number
        ("store １２", "Store 12"),  # full-width digits are the same number
        ("Store", "Store 12"),  # the shell split an unquoted name
    ],
)
def test_likely_mistakes(typed: str, meant: str) -> None:
    assert likely_typo(name_key(typed), [(name_key(n), n) for n in EXISTING]) == meant


@pytest.mark.parametrize(
    "typed",
    [
        "Acme Logistics",
        "Initech",
        "Beta",
        "Co",
        "Wave Partners",
        "Store 13",  # numbered apart
        "Store 120",
        "Client 0",
        "Client 10",
        "第3工場",
    ],
)
def test_different_clients(typed: str) -> None:
    assert likely_typo(name_key(typed), [(name_key(n), n) for n in EXISTING]) is None


def test_a_japanese_near_duplicate_is_refused_through_the_cli(run: Run) -> None:
    assert run("log", "株式会社ミナト", "初回訪問").exit_code == 0
    refused = run("log", "ミナト", "電話")
    assert refused.exit_code == 2 and "did you mean '株式会社ミナト'?" in refused.stderr
    assert run("log", "ミナト", "別の会社", "--new-client").exit_code == 0
    assert len(run("clients", "--json").json()) == 2


def test_clients_numbered_apart_are_not_refused_through_the_cli(run: Run) -> None:
    for name in ("Store 12", "Store 13", "Client 1", "Client 0"):
        result = run("log", name, "opened")
        assert result.exit_code == 0, result.stderr
        assert "(new client)" in result.stdout
    assert run("log", "Stroe 13", "typo").exit_code == 2
    assert [c["name"] for c in run("clients", "--json").json()] == [
        "Client 0",
        "Client 1",
        "Store 12",
        "Store 13",
    ]
