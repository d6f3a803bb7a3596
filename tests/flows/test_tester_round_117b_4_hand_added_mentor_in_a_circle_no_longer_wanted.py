"""Tester round 117b, 4, on the built-in emulator: a mentor moved by hand into the circle of a mentor who opted out
(capacity 0: the circle is no longer wanted, kept without --allow-delete) was removed "re-matched: their mentor has
no mentee in the new match ...": false, they are a mentor of their own circle and nobody re-matched them. The same
removal from a circle that stays said "a mentor of their own circle, never matched into this one (added by hand)";
now both say it, in `lmsync plan` and in the sync's line (``plan._own_circle``).
"""

from __future__ import annotations

import json
from typing import Any

from tests.flows.test_mentees_without_mentor_named import _flat, _ok

BY_HAND = "a mentor of their own circle, never matched into this one (added by hand)"


def test_a_mentor_moved_by_hand_into_an_opted_out_mentors_circle_is_told_added_by_hand(cli_home: Any) -> None:
    home = cli_home
    _ok(home, "init", "--no-input")
    config = home / "lmsync.toml"
    config.write_text(config.read_text().replace("[store]\n", '[store]\npath = "r117.db"\n', 1))
    _ok(home, "sync")
    _ok(home, "emulator", "edit", "field", "m0011", "mentorcapacity", "0")
    _ok(home, "sync")
    _ok(home, "emulator", "edit", "move", "m0012", "--to", "m0011")  # into a circle no longer wanted
    _ok(home, "emulator", "edit", "move", "m0010", "--to", "m0001")  # into a circle that stays
    plan = _flat(_ok(home, "plan"))
    assert f"! Tara Fernandes (m0010) from Ifeoma Nguyen (m0001)'s circle ({BY_HAND})" in plan, plan
    assert f"! Chloe Müller (m0012) from Valentina Zhang (m0011)'s circle ({BY_HAND})" in plan, plan
    assert "re-matched: their mentor" not in plan, plan
    listed = json.loads(_ok(home, "plan", "--format", "json"))
    removals = [op["what"] for op in listed["operations"] if op["kind"] == "remove_member"]
    assert len(removals) == 2 and all(what.endswith(f"'s circle ({BY_HAND})") for what in removals), removals
    line = _flat(next(line for line in _ok(home, "run").splitlines() if line.startswith("sync")))
    assert f"Chloe Müller (m0012) from Valentina Zhang (m0011)'s circle, {BY_HAND}" in line, line
