"""Tester round 117b, 1: a teacher's grouping carrying lmsync's grouping ID number is not lmsync's.

After lmsync's grouping was deleted, a teacher's grouping given ``lmsync:<programme>`` was taken for lmsync's: the
plan said ``rename grouping: 1`` and ``put group in grouping: 20`` with no warning, the sync renamed it and put
every circle in it (beside the teacher's own group), and doctor said ok. The store proves its grouping by the Moodle
id (the create's answer, or a grouping it adopted): any other is left as it is, with a warning, and doctor warns.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from lmsync.config import load_config
from lmsync.domain.plan import grouping_idnumber, mentor_of_idnumber
from lmsync.moodle.emulator.records import Group, Grouping
from lmsync.moodle.emulator.state import Site
from lmsync.service.stores import open_store
from lmsync.store.schema import created_objects, journal
from tests.flows.conftest import run_in

PROGRAMME = "mentor-2026"
COURSE = 2
TEACHERS = "Tutorial sets (Dr Ward)"


def _site(home: Any) -> tuple[Any, Site]:
    config = load_config(home / "lmsync.toml", environ={})
    return config, Site.load(config.emulator_state_path())


def _circles(site: Site) -> set[int]:
    return {g.id for g in site.groups.values() if g.courseid == COURSE and mentor_of_idnumber(PROGRAMME, g.idnumber)}


def _teachers_grouping(home: Any, *, own_group: bool = False) -> tuple[Site, int | None]:
    """Sync, then lmsync's grouping deleted and a teacher's grouping (id 50) given its ID number; the teacher's
    own group in it when ``own_group``: the site and that group's id."""
    synced = run_in(home, "sync")
    assert synced.exit_code == 0, synced.output
    config, site = _site(home)
    (ours,) = [g for g in site.groupings.values() if g.idnumber == grouping_idnumber(PROGRAMME)]
    del site.groupings[ours.id]
    group = None
    if own_group:
        group = Group(id=site.next_id("groups"), courseid=COURSE, name="Ward's tutorial", idnumber="")
        site.groups[group.id] = group
    site.groupings[50] = Grouping(id=50, courseid=COURSE, name=TEACHERS, idnumber=grouping_idnumber(PROGRAMME),
                                  description="teacher made", groupids=[group.id] if group else [])
    site.save(config.emulator_state_path())
    return site, group.id if group else None


def test_round_117b_1_a_teachers_grouping_with_lmsyncs_id_number_is_left_as_it_is_with_a_warning(demo_home: Any) -> None:
    _teachers_grouping(demo_home)

    planned = run_in(demo_home, "plan", "--format", "json")
    assert planned.exit_code == 0, planned.output
    plan = json.loads(planned.output)
    kinds = {op["kind"] for op in plan["operations"]}
    assert not kinds & {"update_grouping", "assign_grouping", "create_grouping"}, plan["operations"]
    said = [w for w in plan["warnings"] if "Moodle id 50" in w]
    assert len(said) == 1 and f"'{TEACHERS}'" in said[0] and "cannot prove" in said[0], plan["warnings"]
    assert "change that grouping's ID number in Moodle" in said[0], said

    synced = run_in(demo_home, "sync")
    assert synced.exit_code == 2, synced.output  # an admin must act (tester round 118a, 3)
    config, after = _site(demo_home)
    grouping = after.groupings[50]
    assert grouping.name == TEACHERS and grouping.description == "teacher made" and grouping.groupids == []
    store = open_store(config)
    try:  # not adopted: no record of it as lmsync's
        rows = store.rows(select(created_objects.c.moodle_id).where(created_objects.c.kind == "grouping"))
    finally:
        store.close()
    assert [r.moodle_id for r in rows] == []

    doctor = run_in(demo_home, "doctor")
    line = next(line for line in doctor.output.splitlines() if "grouping" in line and "50" in line)
    assert "[ok]" not in line and "cannot prove" in line, doctor.output


def test_round_117b_1_the_teachers_own_group_stays_alone_in_their_grouping(demo_home: Any) -> None:
    _site_before, own = _teachers_grouping(demo_home, own_group=True)
    synced = run_in(demo_home, "sync")
    assert synced.exit_code == 2, synced.output  # an admin must act (tester round 118a, 3)
    _config, after = _site(demo_home)
    assert after.groupings[50].groupids == [own] and after.groupings[50].name == TEACHERS

    # its ID number changed in Moodle: the next sync makes lmsync's grouping again, with every circle
    _config, site = _site(demo_home)
    site.groupings[50].idnumber = "ward-tutorials"
    site.save(_config.emulator_state_path())
    again = run_in(demo_home, "sync")
    assert again.exit_code == 0, again.output
    _config, last = _site(demo_home)
    (ours,) = [g for g in last.groupings.values() if g.idnumber == grouping_idnumber(PROGRAMME)]
    assert ours.id != 50 and set(ours.groupids) == _circles(last) and last.groupings[50].groupids == [own]


def test_round_117b_1_a_grouping_holding_only_lmsyncs_circles_is_adopted_and_recorded(demo_home: Any) -> None:
    synced = run_in(demo_home, "sync")
    assert synced.exit_code == 0, synced.output
    config, _site_now = _site(demo_home)
    store = open_store(config)  # a store that cannot prove it by the create's answer (an earlier release's)
    store.write(journal.delete().where(journal.c.op_kind == "create_grouping"))
    store.close()

    planned = run_in(demo_home, "plan", "--format", "json")
    plan = json.loads(planned.output)
    assert plan["operations"] == [] and not any("cannot prove" in w for w in plan["warnings"]), plan
    again = run_in(demo_home, "sync")
    assert again.exit_code == 0 and "no changes" in again.output, again.output
    _config, site = _site(demo_home)
    (ours,) = [g for g in site.groupings.values() if g.idnumber == grouping_idnumber(PROGRAMME)]
    store = open_store(config)
    try:  # recorded: its proof from now on
        rows = store.rows(select(created_objects.c.moodle_id).where(created_objects.c.kind == "grouping"))
    finally:
        store.close()
    assert [r.moodle_id for r in rows] == [ours.id]
