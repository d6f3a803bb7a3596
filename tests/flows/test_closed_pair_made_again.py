"""A finding after tester round 95a: a pair a coordinator closed (``queue done --outcome closed``) came back, or
was never watched again.

1. The closure was checked only for mentees in no circle: the mentee, taken apart from the closed mentor and
   matched to another, left that later pair (``queue done ... --outcome rematched``, or its mentor's capacity set
   to 0) and the plan put them back with the closed mentor, with no warning. Now every closed pair whose mentee
   is not in that mentor's circle is kept apart, whatever circle the mentee is in (a pin still decides).
2. A closed pair made again (moved back by hand, or by a pin) was counted "ended by a coordinator" for good:
   never judged, nudged or queued. A closure ends the pairing it closed: a pair made again after the closure's
   day is a new pair. And a pin on a closed pair said nothing, where one on a "not a good fit" pair warns.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from lmsync.service import programme_settings
from tests.flows.test_closed_pair_taken_out_by_hand import _mentor_of, _ok

MENTOR, MENTEE = "m0011", "s0001"
BACK = "+ Dmitri Kim (s0001) to Valentina Zhang (m0011)'s circle"


def _closed_then_matched_elsewhere(home: Any) -> str:
    _ok(home, "sync")
    assert _mentor_of(home, MENTEE) == MENTOR  # the probe can fail: the demo pairs them
    _ok(home, "health")
    assert "closed recorded" in _ok(home, "queue", "done", MENTOR, MENTEE, "--outcome", "closed")
    _ok(home, "emulator", "edit", "move", MENTEE, "--out")
    _ok(home, "sync")
    later = _mentor_of(home, MENTEE)
    assert later not in (None, MENTOR)
    return str(later)


def _mentor_plan_and_sync(home: Any, left: str) -> None:
    plan = _ok(home, "plan")
    assert BACK not in plan, plan
    assert "+ Dmitri Kim (s0001) to " in plan  # matched afresh, with another mentor
    _ok(home, "sync")
    assert _mentor_of(home, MENTEE) not in (None, MENTOR, left)


def test_closed_pair_is_not_made_again_when_the_mentee_is_rematched_out_of_a_later_pair(demo_home: Any) -> None:
    later = _closed_then_matched_elsewhere(demo_home)
    _ok(demo_home, "health")
    _ok(demo_home, "queue", "done", later, MENTEE, "--outcome", "rematched")
    _mentor_plan_and_sync(demo_home, later)


def test_closed_pair_is_not_made_again_when_the_later_mentor_has_no_room(demo_home: Any) -> None:
    later = _closed_then_matched_elsewhere(demo_home)
    _ok(demo_home, "emulator", "edit", "field", later, "mentorcapacity", "0")
    _mentor_plan_and_sync(demo_home, later)


def test_a_pin_on_a_closed_pair_is_warned_of(demo_home: Any) -> None:
    with (demo_home / "lmsync.toml").open("a") as config:
        config.write(f'\n[matching]\npins = [["{MENTEE}", "{MENTOR}"]]\n')
    _ok(demo_home, "sync")
    _ok(demo_home, "health")
    _ok(demo_home, "queue", "done", MENTOR, MENTEE, "--outcome", "closed")
    plan = _ok(demo_home, "plan")
    assert f"a coordinator closed the pair {MENTEE} -> {MENTOR}" in plan, plan
    assert "[matching] pins keeps the pair" in plan


def test_closed_pair_moved_back_by_hand_a_later_day_is_a_new_pair_judged_again(demo_home: Any, monkeypatch: Any) -> None:
    later = _closed_then_matched_elsewhere(demo_home)
    now = programme_settings.clock()
    monkeypatch.setattr(programme_settings, "clock", lambda: now + timedelta(days=1))
    _ok(demo_home, "emulator", "edit", "move", MENTEE, "--to", MENTOR)
    _ok(demo_home, "sync")
    assert _mentor_of(demo_home, MENTEE) == MENTOR and later != MENTOR
    said = _ok(demo_home, "health")
    assert "ended by a coordinator" not in said and "a coordinator ended" not in said, said
