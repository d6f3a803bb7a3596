"""Tester round 126, 2, on the built-in emulator: the sync takes the ``lmsync match --people`` rule. Under triads a
near-peer mentor whose capacity field is empty keeps every junior their circle holds, though ``[matching]
triad_juniors`` is below it; a written capacity is still cut to it (tester round 121b, 3)."""

from __future__ import annotations

from typing import Any

from tests.flows.test_mentees_without_mentor_named import _flat, _ok
from tests.flows.test_tester_round_121b_2_4_rename_case_triads_reasons import _TRIADS, _demo

_CUT = "Jakob Williams (s0032) from Nikhil Zhang (s0010)'s circle"


def test_a_near_peer_circle_with_an_empty_capacity_is_not_cut_to_triad_juniors(cli_home: Any) -> None:
    home = cli_home
    _demo(home, _TRIADS)
    _ok(home, "sync")
    config = home / "lmsync.toml"
    config.write_text(config.read_text().replace('structure = "triads"', 'structure = "triads"\ntriad_juniors = 1', 1))
    _ok(home, "emulator", "edit", "field", "s0010", "mentorcapacity", "2")
    assert _CUT in _flat(_ok(home, "plan"))  # written: cut to triad_juniors, as before
    _ok(home, "emulator", "edit", "field", "s0010", "mentorcapacity", "")
    plan = _flat(_ok(home, "plan"))
    assert "(s0010)'s circle" not in plan, plan
