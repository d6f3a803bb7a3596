"""Tester round 86a, 1: a teacher's group whose ID number only looks like a circle's (``...:mentor:066``, a leading
zero; restored courses and CSV group imports bring such near-copies) was read as mentor 66's circle, held by a group
lmsync never made: an unattended ``lmsync run`` took all 8 mentees out of the mentor's real circle. Only the exact ID
number lmsync writes is a circle; any other group is a teacher's, left alone and never read."""

from __future__ import annotations

from typing import Any

import pytest

from lmsync.domain.ownership import circle_programme, mentor_of_idnumber
from lmsync.domain.plan import mentor_group_idnumber
from lmsync.service.moodle import open_moodle
from tests.flows.conftest import run_in
from tests.flows.test_tester_round_74 import COURSE, PROGRAMME, _circle, _mentor_with_most_mentees, _site


@pytest.mark.parametrize("tail", ["066", "0066", "+66", "６６", " 66"])
def test_round_86a_1_only_the_id_number_lmsync_writes_is_a_circle(tail: str) -> None:
    assert mentor_of_idnumber(PROGRAMME, f"lmsync:{PROGRAMME}:mentor:{tail}") is None
    assert circle_programme(f"lmsync:{PROGRAMME}:mentor:{tail}") is None
    assert mentor_of_idnumber(PROGRAMME, mentor_group_idnumber(PROGRAMME, 66)) == 66


def test_round_86a_1_a_teachers_near_copy_of_a_circles_id_number_leaves_the_circle_as_it_is(demo_home: Any) -> None:
    assert run_in(demo_home, "sync").exit_code == 0
    config, site = _site(demo_home)
    mentor, mentees = _mentor_with_most_mentees(site)
    with open_moodle(config, site=site) as conn:
        conn.api.create_groups([{"courseid": COURSE, "name": "Teacher copy", "description": "",
                                 "idnumber": f"lmsync:{PROGRAMME}:mentor:0{mentor}"}])
    site.save(config.emulator_state_path())

    planned = run_in(demo_home, "plan")
    assert planned.exit_code == 0 and "no changes" in planned.output, planned.output
    ran = run_in(demo_home, "run")
    assert ran.exit_code == 0, ran.output
    _config, site = _site(demo_home)
    assert sorted(_circle(site, mentor).members - {mentor}) == mentees
    (copy,) = [g for g in site.groups.values() if g.name == "Teacher copy"]
    assert copy.members == set()  # a teacher's group: never filled, never emptied


def test_round_86a_3_an_emptied_capacity_field_keeps_the_mentors_circle(demo_home: Any, monkeypatch: Any) -> None:
    """A mentor of 8 whose capacity field an HR feed emptied was read as [matching] default_capacity (4), and a
    run took 4 mentees out of the circle; unreadable text there kept them all. Empty keeps the circle too."""
    from lmsync.service.emulator_edit import set_field

    assert run_in(demo_home, "sync").exit_code == 0
    config, site = _site(demo_home)
    mentor, mentees = _mentor_with_most_mentees(site)
    monkeypatch.setenv("LMSYNC_MATCHING_DEFAULT_CAPACITY", "1")  # below the circle the mentor holds
    assert len(mentees) > 1, mentees
    set_field(site, mentor, "mentorcapacity", "")
    site.save(config.emulator_state_path())
    planned = run_in(demo_home, "plan")
    assert planned.exit_code == 0, planned.output
    assert not [line for line in planned.output.splitlines() if "'s circle" in line and line.lstrip().startswith("!")
                and f"({site.users[mentor].username})" in line], planned.output


def test_round_87a_7g_a_circle_id_number_in_other_letter_cases_is_left_alone_and_said(demo_home: Any) -> None:
    """A teacher's group numbered ``LMSYNC:MENTOR-2026:mentor:70`` sat beside the ``lmsync:mentor-2026:mentor:70``
    group lmsync made: the emulator compared ID numbers with their case, as Moodle on PostgreSQL does. Moodle on
    MySQL (its default collation compares without case) would refuse lmsync's group, and the rest of its create
    batch, with ``idnumbertaken``. lmsync now leaves that mentor without a circle and says why."""
    config, site = _site(demo_home)
    mentor = min(u.id for u in site.users.values() if u.username.startswith("m") and u.id in site.courses[COURSE].enrolments)
    folded = mentor_group_idnumber(PROGRAMME, mentor).upper()
    with open_moodle(config, site=site) as conn:
        conn.api.create_groups([{"courseid": COURSE, "name": "Teacher's own", "description": "", "idnumber": folded}])
    site.save(config.emulator_state_path())

    synced = run_in(demo_home, "sync")
    assert synced.exit_code == 2 and "other letter cases" in synced.output, synced.output
    _config, site = _site(demo_home)
    assert _circle(site, mentor) is None  # no group Moodle on MySQL would refuse
    assert sum(1 for g in site.groups.values() if g.idnumber and g.idnumber.startswith(f"lmsync:{PROGRAMME}:")) > 10
    (own,) = [g for g in site.groups.values() if g.name == "Teacher's own"]
    assert own.idnumber == folded and own.members == set()


def test_round_87b_2_a_new_store_does_not_take_over_a_circle_of_someone_moodle_has_no_account_of(demo_home: Any) -> None:
    """A teacher's "Skills lab" numbered ``lmsync:<programme>:mentor:999`` (no user 999) was taken over by a new
    store as "a circle an earlier lmsync made", emptied by cron after the away mentor's hold, and offered for
    deletion. lmsync makes circles only for people: a store with no record leaves such a group alone, and says so."""
    config, site = _site(demo_home)
    student = min(u.id for u in site.users.values() if u.username.startswith("s") and u.id in site.courses[COURSE].enrolments)
    assert 999 not in site.users
    with open_moodle(config, site=site) as conn:
        (made,) = conn.api.create_groups([{"courseid": COURSE, "name": "Skills lab", "description": "",
                                           "idnumber": f"lmsync:{PROGRAMME}:mentor:999"}])
        conn.api.add_group_members([{"groupid": made.id, "userid": student}])
    site.save(config.emulator_state_path())

    # the first sync (no record: it takes over what it finds), then the next (its own record)
    for said in ("Moodle has no account with id 999", "this store never made it"):
        synced = run_in(demo_home, "sync")
        assert synced.exit_code == 2 and said in synced.output and "took over" not in synced.output, synced.output
        _config, site = _site(demo_home)
        (lab,) = [g for g in site.groups.values() if g.name == "Skills lab"]
        assert lab.members == {student}
