"""Tester round 121b, 2, 3 and 4, on the built-in emulator.

2: ``[programme] name`` changed only in letter case ("mentoring-2026" -> "Mentoring-2026"): Moodle on MySQL compares ID
numbers without regard to case, yet doctor said no problems, the sync made a second, empty grouping and exited 2 with
a wrong fix, and health and nudge named every mentee without a mentor, exit 0. Now it is refused as the rename it is
(``other_programmes.guard_case_renamed``), before anything is written, with the old name back as the fix.
3: triads: a junior leaving a near-peer circle whose capacity fell was said to be "added by hand"; now the capacity
reason, and ``[matching] triad_juniors`` when the cut is that (``circle_mentors.juniors_cause``).
4: with ``[privacy] show_names = false`` the "added by hand" reason named mentors by full name; now by username.
"""

from __future__ import annotations

import json
from typing import Any

from tests.flows.conftest import run_in
from tests.flows.test_mentees_without_mentor_named import _flat, _ok


def _demo(home: Any, *lines: tuple[str, str]) -> None:
    _ok(home, "init", "--no-input")
    config = home / "lmsync.toml"
    text = config.read_text().replace("[store]\n", '[store]\npath = "r121b.db"\n', 1)
    for old, new in lines:
        assert old in text, old
        text = text.replace(old, new, 1)
    config.write_text(text)


def test_a_name_changed_only_in_letter_case_is_refused_as_a_rename_everywhere(cli_home: Any) -> None:
    home = cli_home
    _demo(home)
    _ok(home, "sync")
    config = home / "lmsync.toml"
    config.write_text(config.read_text().replace('name = "mentoring-2026"', 'name = "Mentoring-2026"', 1))
    site = home / "mentoring-2026.emulator.json"
    before = site.read_text()
    for command in (("sync",), ("plan",), ("health",), ("nudge",), ("grades", "push"), ("doctor",)):
        done = run_in(home, *command)
        said = _flat(str(done.output))
        assert done.exit_code != 0, (command, said)
        assert "only in letter case" in said, (command, said)
        assert "set [programme] name back to 'mentoring-2026'" in said, (command, said)
        assert "point [store] path" not in said, (command, said)
    assert site.read_text() == before  # nothing written: no second grouping
    groupings = json.loads(site.read_text())["groupings"].values()
    assert [g["idnumber"] for g in groupings] == ["lmsync:mentoring-2026"], groupings


_TRIADS = ('structure = "pairs"', 'structure = "triads"')


def test_a_junior_cut_from_a_near_peer_circle_by_its_capacity_is_not_added_by_hand(cli_home: Any) -> None:
    home = cli_home
    _demo(home, _TRIADS)
    _ok(home, "sync")
    _ok(home, "emulator", "edit", "field", "s0010", "mentorcapacity", "1")
    plan = _flat(_ok(home, "plan"))
    line = next(p for p in plan.split("! ") if p.startswith("Jakob Williams (s0032) from Nikhil Zhang (s0010)'s circle"))
    assert "added by hand" not in line, line
    assert "their mentor's circle holds more mentees than their capacity" in line, line


def test_a_junior_cut_by_triad_juniors_is_told_so(cli_home: Any) -> None:
    home = cli_home
    _demo(home, _TRIADS)
    _ok(home, "sync")
    config = home / "lmsync.toml"
    config.write_text(config.read_text().replace('structure = "triads"', 'structure = "triads"\ntriad_juniors = 1', 1))
    plan = _flat(_ok(home, "plan"))
    line = next(p for p in plan.split("! ") if p.startswith("Jakob Williams (s0032) from Nikhil Zhang (s0010)'s circle"))
    assert "added by hand" not in line, line
    assert "[matching] triad_juniors = 1 lets a near-peer mentor take (their capacity is 2)" in line, line


def test_a_hand_added_membership_names_mentors_by_username_with_names_off(cli_home: Any) -> None:
    home = cli_home
    _demo(home, ("show_names = true", "show_names = false"))
    _ok(home, "sync")
    site = home / "mentoring-2026.emulator.json"
    data = json.loads(site.read_text())
    group = next(g for g in data["groups"].values() if g["idnumber"] == "lmsync:mentoring-2026:mentor:66")
    key = "members" if "members" in group else next(k for k in group if "member" in k)
    group[key].append(4)  # Samuel Haddad (s0002) added by hand to Ifeoma Nguyen's (m0001) circle as well
    site.write_text(json.dumps(data))
    plan = _flat(_ok(home, "plan"))
    assert "! s0002 from m0001's circle (also in m0001's circle, added by hand; stays in s0004's" in plan, plan
    assert "Ifeoma" not in plan and "Takahashi" not in plan, plan
