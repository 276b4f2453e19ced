"""The cycle collector is off for a bulk write and back as it was after, whatever happens."""

from __future__ import annotations

import gc

import pytest

from handoff_cli import gcpause


def test_paused_turns_the_collector_off_and_back_on() -> None:
    assert gc.isenabled()
    with gcpause.paused():
        assert not gc.isenabled()
        with gcpause.paused():  # an inner pause does not turn it on early
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_back_on_after_an_error() -> None:
    with pytest.raises(KeyError), gcpause.paused():
        raise KeyError
    assert gc.isenabled()


def test_a_caller_who_turned_it_off_keeps_it_off() -> None:
    gc.disable()
    try:
        with gcpause.paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()
