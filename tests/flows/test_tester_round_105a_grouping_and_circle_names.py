"""Tester round 105a, 4 and 9.

4: a teacher changed the ID number of lmsync's grouping in Moodle; the next sync made a second grouping, named
"... (2)", warned that the first was one "lmsync did not make", and linked every circle into both. The store's
journal records the Moodle id each ``create_grouping`` was answered with, so the grouping is still provably
lmsync's: the plan puts its ID number back (an ``update_grouping`` with ``idnumber_was``), and no second
grouping is made. A grouping the store cannot prove it made is left as it is, with words.

9a: a circle a teacher renamed was shown in the plan only with the name lmsync gives it back, not the name it
would overwrite. 9b: a group lmsync did not make that copies a circle's name made lmsync rename its own circle
to "... (2)", which its members see; the circle keeps its name now, and the copy is said.
"""

from __future__ import annotations

import json
from typing import Any

from lmsync.config import load_config
from lmsync.domain.plan import grouping_idnumber, mentor_of_idnumber
from lmsync.moodle.emulator.records import Group
from lmsync.moodle.emulator.state import Site
from lmsync.service.stores import open_store
from lmsync.store.schema import journal
from tests.flows.conftest import run_in

PROGRAMME = "mentor-2026"
COURSE = 2


def _site(home: Any) -> tuple[Any, Site]:
    config = load_config(home / "lmsync.toml", environ={})
    return config, Site.load(config.emulator_state_path())


def _groupings(site: Site) -> list[Any]:
    return sorted((g for g in site.groupings.values() if g.courseid == COURSE), key=lambda g: g.id)


def _circles(site: Site) -> list[Group]:
    return sorted((g for g in site.groups.values() if g.courseid == COURSE and mentor_of_idnumber(PROGRAMME, g.idnumber)),
                  key=lambda g: g.id)


def _synced(home: Any) -> tuple[Any, Site]:
    synced = run_in(home, "sync")
    assert synced.exit_code == 0, synced.output
    return _site(home)


def test_round_105a_4_a_renumbered_grouping_lmsync_made_gets_its_id_number_back_no_second_grouping(demo_home: Any) -> None:
    config, site = _synced(demo_home)
    (grouping,) = _groupings(site)
    linked = set(grouping.groupids)
    assert grouping.idnumber == grouping_idnumber(PROGRAMME) and linked
    grouping.idnumber = "mentoring-groups"  # as a teacher's grouping form does
    site.save(config.emulator_state_path())

    planned = run_in(demo_home, "plan", "--format", "json")  # shown before it is applied
    assert planned.exit_code == 0, planned.output
    plan = json.loads(planned.output)
    assert [op["kind"] for op in plan["operations"]] == ["update_grouping"], plan["operations"]
    assert "'mentoring-groups'" in plan["operations"][0]["what"], plan["operations"]
    assert not any("did not make" in w for w in plan["warnings"]), plan["warnings"]
    said = [w for w in plan["warnings"] if "lmsync's grouping" in w]
    assert len(said) == 1 and "put back" in said[0] and "no second grouping" in said[0], plan["warnings"]
    text = run_in(demo_home, "plan")
    assert "(ID number put back: changed in Moodle to 'mentoring-groups')" in text.output, text.output

    synced = run_in(demo_home, "sync")
    assert synced.exit_code == 0, synced.output
    _config, after = _site(demo_home)
    (back,) = _groupings(after)  # no second grouping
    assert back.id == grouping.id and back.idnumber == grouping_idnumber(PROGRAMME)
    assert back.name == grouping.name and set(back.groupids) == linked

    again = run_in(demo_home, "sync")
    assert again.exit_code == 0, again.output
    assert "no changes (Moodle already matches)" in again.output, again.output


def test_round_105a_4_a_renumbered_grouping_the_store_cannot_prove_is_left_as_it_is_with_words(demo_home: Any) -> None:
    config, site = _synced(demo_home)
    (grouping,) = _groupings(site)
    grouping.idnumber = "mentoring-groups"
    site.save(config.emulator_state_path())
    store = open_store(config)  # the journal's record of the create is lost
    store.write(journal.delete().where(journal.c.op_kind == "create_grouping"))
    store.close()

    planned = run_in(demo_home, "plan", "--format", "json")
    assert planned.exit_code == 0, planned.output
    plan = json.loads(planned.output)
    assert "update_grouping" not in [op["kind"] for op in plan["operations"]], plan["operations"]
    said = [w for w in plan["warnings"] if "did not make" in w]
    assert len(said) == 1 and f"set its ID number back to {grouping_idnumber(PROGRAMME)}" in said[0], plan["warnings"]
    synced = run_in(demo_home, "sync")
    assert synced.exit_code == 0, synced.output
    _config, after = _site(demo_home)
    assert after.groupings[grouping.id].idnumber == "mentoring-groups", "left as it is"


def test_round_105a_9a_a_renamed_circle_is_planned_with_the_name_it_has_now(demo_home: Any) -> None:
    config, site = _synced(demo_home)
    circle = _circles(site)[0]
    name = circle.name
    site.groups[circle.id].name = "Umar's Tuesday group"
    site.save(config.emulator_state_path())

    planned = run_in(demo_home, "plan")
    assert planned.exit_code == 0, planned.output
    line = next(line for line in planned.output.splitlines() if f"[{circle.idnumber}]" in line and line.strip().startswith("+"))
    assert f"'{name}'" in line and "(renamed from 'Umar's Tuesday group')" in line, planned.output


def test_round_105a_9b_a_foreign_group_copying_a_circles_name_does_not_rename_the_circle(demo_home: Any) -> None:
    config, site = _synced(demo_home)
    circle = _circles(site)[0]
    copy = Group(id=site.next_id("groups"), courseid=COURSE, name=circle.name, idnumber="")
    site.groups[copy.id] = copy
    site.save(config.emulator_state_path())

    planned = run_in(demo_home, "plan", "--format", "json")
    assert planned.exit_code == 0, planned.output
    plan = json.loads(planned.output)
    assert plan["operations"] == [], plan["operations"]
    said = [w for w in plan["warnings"] if f"[{circle.idnumber}]" in w]
    assert len(said) == 1 and f"Moodle id {copy.id}" in said[0] and "keeps its circle's name" in said[0], plan["warnings"]
    synced = run_in(demo_home, "sync")
    assert synced.exit_code == 0, synced.output
    _config, after = _site(demo_home)
    assert after.groups[circle.id].name == circle.name and after.groups[copy.id].name == circle.name
