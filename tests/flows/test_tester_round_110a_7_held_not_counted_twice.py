"""Tester round 110a, 7: a mentee away, their place held, was counted twice in today's `lmsync health`: among the
"circle member(s) left out" and among the "pair(s) on hold" named below it. Now a pair on hold is said once, and
the members left out for another reason (someone away whom no sync has seen yet, so nothing is held) are counted
with the words "besides the N in the pairs on hold"."""

from __future__ import annotations

from datetime import date

import pytest

from tests.flows.test_tester_round_109a_1_held_place_as_of import CONFIG, HELD, _run


def test_round_110a_7_a_held_place_is_not_also_a_member_left_out(cli_home, monkeypatch: pytest.MonkeyPatch) -> None:
    (cli_home / "lmsync.toml").write_text(CONFIG)
    _run(monkeypatch, date(2027, 1, 11), "sync")
    _run(monkeypatch, date(2027, 1, 18), "emulator", "edit", "suspend", "s0001", hour=8)
    unseen = _run(monkeypatch, date(2027, 1, 18), "health", hour=8).stdout
    assert "(1 circle member(s) left out: they, or their circle's mentor, have no active enrolment or a suspended " \
           "Moodle account)" in unseen, unseen  # no sync has seen the absence: nothing held yet
    _run(monkeypatch, date(2027, 1, 18), "sync", hour=9)
    held = _run(monkeypatch, date(2027, 1, 18), "health", hour=10).stdout
    assert HELD in held, held
    assert "left out: they" not in held, held  # said once, as on hold
    _run(monkeypatch, date(2027, 1, 18), "emulator", "edit", "suspend", "s0002", hour=11)
    both = _run(monkeypatch, date(2027, 1, 18), "health", hour=12).stdout
    assert HELD in both and ("(1 circle member(s) left out: they, or their circle's mentor, have no active enrolment "
                             "or a suspended Moodle account, besides the 1 in the pairs on hold below)") in both, both
