"""Tester round 118a, 2-4: a grouping carrying lmsync's grouping ID number that the store cannot prove it made.

3. A teacher's grouping given ``lmsync:<programme>`` left the circles in no grouping, yet `lmsync sync` said "in
   sync" (exit 0) and doctor only warned ("no problems"), while a foreign *group* carrying a circle's ID number
   made the sync exit 2 (and doctor said nothing of it). Now both make `sync` and `run` exit 2 naming the fix, and
   doctor fails both, in the sync's words.
2. With lmsync's own grouping (the store proves it) carrying a cleared ID number while a teacher's grouping held
   lmsync's, the plan said lmsync "did not make" its own grouping and named a "(2)" grouping never made, and that
   the circles were in no grouping. It now names lmsync's grouping and what the next sync does.
4. Once the teacher's grouping let the ID number go, doctor said "none the programme's yet (the first sync makes
   it)"; it now says lmsync's grouping lost its ID number and the next sync puts it back, and the plan labels the
   put-back "put back grouping ID number", not "rename grouping".
"""

from __future__ import annotations

from typing import Any

from lmsync.config import load_config
from lmsync.domain.plan import grouping_idnumber, mentor_of_idnumber
from lmsync.moodle.emulator.records import Group, Grouping
from lmsync.moodle.emulator.state import Site
from lmsync.service.moodle import open_moodle
from tests.flows.conftest import run_in

PROGRAMME = "mentor-2026"
OURS = grouping_idnumber(PROGRAMME)
COURSE = 2
TEACHERS = "Teacher's project teams"


def _site(home: Any) -> tuple[Any, Site]:
    config = load_config(home / "lmsync.toml", environ={})
    return config, Site.load(config.emulator_state_path())


def _line(output: str, start: str) -> str:
    return next(line for line in output.splitlines() if line.startswith(start))


def test_round_118a_3_a_teachers_grouping_with_lmsyncs_id_number_fails_sync_run_and_doctor(demo_home: Any) -> None:
    config, site = _site(demo_home)  # before the first sync, as the tester did
    site.groupings[1] = Grouping(id=1, courseid=COURSE, name=TEACHERS, idnumber=OURS, description="", groupids=[])
    site.counters["groupings"] = 1
    site.save(config.emulator_state_path())

    synced = run_in(demo_home, "sync")
    assert synced.exit_code == 2, synced.output
    error = _line(synced.output, "error: in sync")
    assert f"grouping '{TEACHERS}' (Moodle id 1) carries lmsync's grouping ID number {OURS}" in error, error
    assert "circles are in no grouping" in error, error
    assert "change that grouping's ID number in Moodle" in _line(synced.output, "  fix:"), synced.output

    ran = run_in(demo_home, "run")
    assert ran.exit_code == 2, ran.output
    step = _line(ran.output, "sync ")
    assert "admin" in step and "(Moodle id 1)" in step, step

    doctor = run_in(demo_home, "doctor")
    assert doctor.exit_code == 2, doctor.output
    lines = doctor.output.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("[FAIL] grouping:"))
    assert error.split(", but ", 1)[1] in lines[at], lines[at]  # the sync's words
    assert "change that grouping's ID number in Moodle" in lines[at + 1], doctor.output


def test_round_118a_3_doctor_fails_a_group_carrying_a_circles_id_number_in_the_syncs_words(demo_home: Any) -> None:
    assert run_in(demo_home, "sync").exit_code == 0
    config, site = _site(demo_home)
    circle = min((g for g in site.groups.values() if g.courseid == COURSE and mentor_of_idnumber(PROGRAMME, g.idnumber)),
                 key=lambda g: g.id)
    with open_moodle(config, site=site) as conn:  # a teacher's group on a deleted circle's ID number
        conn.api.delete_groups([circle.id])
        conn.api.create_groups([{"courseid": COURSE, "name": "Pierre's reading group", "description": "",
                                 "idnumber": circle.idnumber}])
    site.save(config.emulator_state_path())

    synced = run_in(demo_home, "sync")
    assert synced.exit_code == 2, synced.output
    said = _line(synced.output, "error: in sync").split(", but ", 1)[1]
    doctor = run_in(demo_home, "doctor")
    assert doctor.exit_code == 2, doctor.output
    lines = doctor.output.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("[FAIL] circles:"))
    assert said in lines[at] and "1 group(s) carry a circle's ID number" in said, (said, lines[at])
    assert "change or clear their ID number in Moodle" in lines[at + 1], doctor.output


def _lmsyncs_grouping_cleared_while_a_teachers_holds_its_id_number(home: Any) -> tuple[int, int]:
    """The tester's steps: lmsync's grouping deleted, a teacher's grouping (50) given its ID number holding a
    teacher's group and a circle, then given another one; the sync makes lmsync's grouping again; then that one's
    ID number is cleared and the teacher's given lmsync's again. Returns (lmsync's grouping id, the circle's)."""
    assert run_in(home, "sync").exit_code == 0
    config, site = _site(home)
    (first,) = [g for g in site.groupings.values() if g.idnumber == OURS]
    circle = min(first.groupids)
    del site.groupings[first.id]
    own = Group(id=site.next_id("groups"), courseid=COURSE, name="Ward's tutorial", idnumber="")
    site.groups[own.id] = own
    site.groupings[50] = Grouping(id=50, courseid=COURSE, name=TEACHERS, idnumber="teacher-x", description="",
                                  groupids=[own.id, circle])  # given lmsync's, then another (no sync between)
    site.save(config.emulator_state_path())
    again = run_in(home, "sync")
    assert again.exit_code == 0, again.output
    config, site = _site(home)
    (ours,) = [g for g in site.groupings.values() if g.idnumber == OURS]
    ours.idnumber = ""
    site.groupings[50].idnumber = OURS
    site.save(config.emulator_state_path())
    return ours.id, circle


def test_round_118a_2_lmsyncs_own_grouping_renumbered_while_a_teachers_holds_its_id_number(demo_home: Any) -> None:
    ours, _circle = _lmsyncs_grouping_cleared_while_a_teachers_holds_its_id_number(demo_home)
    _config, before = _site(demo_home)
    linked = list(before.groupings[ours].groupids)

    planned = run_in(demo_home, "plan")
    assert planned.exit_code == 0, planned.output
    assert "did not make" not in planned.output and "(2)" not in planned.output, planned.output
    assert "circles are in no grouping" not in planned.output, planned.output
    said = next(line for line in planned.output.splitlines() if "(Moodle id 50)" in line)
    assert f"lmsync's own grouping 'Mentoring circles (mentor-2026)' (Moodle id {ours})" in said, said
    assert "which this store proves it made" in said and "cleared in Moodle" in said, said
    assert f"the next sync puts {OURS} back on grouping {ours}" in said, said

    synced = run_in(demo_home, "sync")
    assert synced.exit_code == 2, synced.output
    error = _line(synced.output, "error: in sync")
    assert f"(Moodle id {ours})" in error and "no grouping" not in error, error
    _config, after = _site(demo_home)
    assert after.groupings[ours].groupids == linked and after.groupings[ours].idnumber == ""


def test_round_118a_4_doctor_and_the_plan_say_lmsyncs_grouping_gets_its_id_number_back(demo_home: Any) -> None:
    ours, _circle = _lmsyncs_grouping_cleared_while_a_teachers_holds_its_id_number(demo_home)
    config, site = _site(demo_home)
    site.groupings[50].idnumber = "teacher-y"
    site.save(config.emulator_state_path())

    doctor = run_in(demo_home, "doctor")
    line = _line(doctor.output, "[warn] grouping:")
    assert f"(grouping {ours}) is the programme's grouping" in line and "cleared in Moodle" in line, line
    assert f"the next sync puts {OURS} back" in line and "none the programme's yet" not in doctor.output, line

    planned = run_in(demo_home, "plan")
    assert "  put back grouping ID number: 1" in planned.output and "rename grouping" not in planned.output, planned.output
    assert run_in(demo_home, "sync").exit_code == 0
    _config, after = _site(demo_home)
    assert after.groupings[ours].idnumber == OURS
    assert "[ok  ] grouping:" in run_in(demo_home, "doctor").output
