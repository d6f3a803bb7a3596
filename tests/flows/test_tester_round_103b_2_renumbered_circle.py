"""Tester round 103b, 2: a teacher cleared one circle's ID number in Moodle and changed another's to
"ZARA-2026". The next sync made 'Circle: ... (2)' for each, added the same members again and posted a second
welcome in each (every mentee in two groups, two notifications), exit 0, with only a warning that the old
groups "are left as they are".

The store records the Moodle id of every group lmsync made, so such a group is still provably the circle:
the plan now puts its ID number back (an ``update_group`` carrying ``idnumber_was``, shown before it is
applied), the group keeps its members and welcome, nothing is made twice, and the sync after writes nothing.
Taken over (out of lmsync's grouping) or with another group holding the ID number, today's rules apply.
"""

from __future__ import annotations

import json
from typing import Any

from lmsync.config import load_config
from lmsync.domain.plan import grouping_idnumber, mentor_of_idnumber
from lmsync.moodle.emulator.records import Group
from lmsync.moodle.emulator.state import Site
from tests.flows.conftest import run_in

PROGRAMME = "mentor-2026"
COURSE = 2


def _site(home: Any) -> tuple[Any, Site]:
    config = load_config(home / "lmsync.toml", environ={})
    return config, Site.load(config.emulator_state_path())


def _circles(site: Site) -> list[Group]:
    return sorted((g for g in site.groups.values() if g.courseid == COURSE and mentor_of_idnumber(PROGRAMME, g.idnumber)),
                  key=lambda g: g.id)


def _welcomes(site: Site) -> dict[int, int]:
    """Group id -> how many discussions the course forum holds in it."""
    counts: dict[int, int] = {}
    for discussion in site.discussions.values():
        counts[discussion.groupid] = counts.get(discussion.groupid, 0) + 1
    return counts


def _synced(home: Any) -> tuple[Any, Site, Group, Group]:
    synced = run_in(home, "sync")
    assert synced.exit_code == 0, synced.output
    config, site = _site(home)
    first, second = _circles(site)[:2]
    return config, site, first, second


def test_round_103b_2_a_cleared_or_changed_circle_id_number_is_put_back_nothing_made_twice(demo_home: Any) -> None:
    config, site, first, second = _synced(demo_home)
    groups, welcomes = len(site.groups), _welcomes(site)
    members = {first.id: set(first.members), second.id: set(second.members)}
    ids = {first.id: first.idnumber, second.id: second.idnumber}
    assert welcomes.get(first.id) == 1 and welcomes.get(second.id) == 1
    site.groups[first.id].idnumber, site.groups[second.id].idnumber = "", "ZARA-2026"  # as a teacher's group form does
    site.save(config.emulator_state_path())

    planned = run_in(demo_home, "plan", "--format", "json")  # shown before it is applied
    assert planned.exit_code == 0, planned.output
    plan = json.loads(planned.output)
    kinds = sorted(op["kind"] for op in plan["operations"])
    assert kinds == ["update_group", "update_group"], plan["operations"]
    said = [w for w in plan["warnings"] if "put back" in w]
    assert len(said) == 1 and "2 circles lmsync made" in said[0] and "cleared in Moodle" in said[0], plan["warnings"]
    assert "nothing is made again" in said[0] and "they are made again" not in said[0], said
    text = run_in(demo_home, "plan")  # the text plan says a put-back, not a plain rename
    assert "(ID number put back: cleared in Moodle)" in text.output, text.output
    assert "(ID number put back: changed in Moodle to 'ZARA-2026')" in text.output, text.output

    synced = run_in(demo_home, "sync")
    assert synced.exit_code == 0, synced.output
    assert "create group" not in synced.output and "post welcome" not in synced.output, synced.output
    _config, after = _site(demo_home)
    assert len(after.groups) == groups, "no second circle"
    assert {gid: after.groups[gid].idnumber for gid in ids} == ids, "the ID numbers are back on the same groups"
    assert {gid: set(after.groups[gid].members) for gid in members} == members, "the groups keep their members"
    assert _welcomes(after) == welcomes, "no second welcome"
    assert not any(g.name.endswith("(2)") for g in after.groups.values())

    again = run_in(demo_home, "sync")
    assert again.exit_code == 0, again.output
    assert "no changes (Moodle already matches)" in again.output and "Applied" not in again.output, again.output


def test_round_103b_2_a_circle_group_taken_out_of_the_grouping_and_renumbered_is_left_and_said_why(demo_home: Any) -> None:
    config, site, first, _second = _synced(demo_home)
    circle = first.idnumber
    site.groups[first.id].idnumber = "lab-3"
    grouping = next(g for g in site.groupings.values() if g.idnumber == grouping_idnumber(PROGRAMME))
    grouping.groupids.remove(first.id)  # taken over: both marks lmsync writes are gone
    site.save(config.emulator_state_path())

    planned = run_in(demo_home, "plan")
    assert planned.exit_code == 0, planned.output
    said = [line for line in planned.output.splitlines() if "warning" in line and f"[{circle}]" in line]
    assert len(said) == 1, planned.output
    assert "changed in Moodle to 'lab-3', and it was taken out of lmsync's grouping" in said[0], said
    assert "set its ID number back in Moodle and put it back in lmsync's grouping" in said[0], said
    assert "create group: 1" in planned.output and "rename group" not in planned.output, planned.output
    synced = run_in(demo_home, "sync")
    assert synced.exit_code == 0, synced.output
    _config, after = _site(demo_home)
    assert after.groups[first.id].idnumber == "lab-3", "the group taken over is left as it is"


def test_round_103b_2_no_put_back_while_another_group_holds_the_id_number(demo_home: Any) -> None:
    config, site, first, _second = _synced(demo_home)
    circle = first.idnumber
    site.groups[first.id].idnumber = ""
    teacher = Group(id=site.next_id("groups"), courseid=COURSE, name="Teacher's group", idnumber=circle)
    site.groups[teacher.id] = teacher
    site.save(config.emulator_state_path())

    planned = run_in(demo_home, "plan")
    assert planned.exit_code == 0, planned.output
    assert "put back" not in planned.output and "rename group" not in planned.output, planned.output
    assert f"group 'Teacher's group' (Moodle id {teacher.id}) carries the ID number {circle}" in planned.output
    run_in(demo_home, "sync")
    _config, after = _site(demo_home)
    assert after.groups[first.id].idnumber == "" and after.groups[teacher.id].idnumber == circle
    assert sum(1 for g in after.groups.values() if g.idnumber == circle) == 1, "no second group of that ID number"
