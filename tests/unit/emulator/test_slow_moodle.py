"""Slow-Moodle faults (issue 10 point 10): "late" writes and answers lost after the write."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from lmsync.moodle.emulator import (
    DEMO_TOKEN,
    EMULATOR_URL,
    EmulatorAdapter,
    Site,
    fail_once,
    serve_in_background,
)
from lmsync.moodle.emulator.faults import FaultFunction
from lmsync.moodle.emulator.records import Course
from lmsync.moodle.encoding import encode
from tests.unit.emulator.helpers import ws

REST = "/webservice/rest/server.php"
QUERY = {"moodlewsrestformat": "json"}
CIRCLE = {"groups": [{"courseid": 2, "name": "Circle: Slow", "description": "", "idnumber": "lmsync:slow"}]}


def post(session: requests.Session, base: str, function: str, params: dict[str, Any], timeout: float = 10) -> Any:
    form = [("wstoken", DEMO_TOKEN), *encode(params)]
    return session.post(base + REST, params=QUERY | {"wsfunction": function}, data=form, timeout=timeout).json()


def session_for(site: Site, fault: FaultFunction) -> requests.Session:
    session = requests.Session()
    session.mount(EMULATOR_URL, EmulatorAdapter(site, fault=fault))
    return session


def slow(site: Site) -> list[Any]:
    return [g for g in site.groups.values() if g.idnumber == "lmsync:slow"]


def test_point_10_late_write_times_out_then_commits_with_its_twin_as_a_duplicate(demo: Site) -> None:
    session = session_for(demo, fail_once("core_group_create_groups", "before", "late"))
    with pytest.raises(requests.exceptions.ReadTimeout):
        post(session, EMULATOR_URL, "core_group_create_groups", CIRCLE)
    assert slow(demo) == [] and ws(demo, "core_group_get_course_groups", {"courseid": 2}) == []  # reads do not see it
    retry = post(session, EMULATOR_URL, "core_group_create_groups", CIRCLE)  # the client re-sends: its twin
    assert retry[0]["idnumber"] == "lmsync:slow"  # the twin passed Moodle's checks too
    assert len(slow(demo)) == 2 and demo.held_writes == []  # both committed: the duplicate a real site showed


def test_point_10_late_write_commits_on_commit_late_and_after_late_after_requests(demo: Site) -> None:
    session = session_for(demo, fail_once("core_group_create_groups", "before", "late"))
    with pytest.raises(requests.exceptions.ReadTimeout):
        post(session, EMULATOR_URL, "core_group_create_groups", CIRCLE)
    assert demo.commit_late() == 1 and len(slow(demo)) == 1 and demo.commit_late() == 0

    other = {"groups": [{"courseid": 2, "name": "Circle: Later", "description": "", "idnumber": "lmsync:later"}]}
    session = session_for(demo, fail_once("core_group_create_groups", "before", "late"))
    with pytest.raises(requests.exceptions.ReadTimeout):
        post(session, EMULATOR_URL, "core_group_create_groups", other)
    reads = [len(post(session, EMULATOR_URL, "core_group_get_course_groups", {"courseid": 2})) for _ in range(demo.late_after)]
    assert reads == [1, 1, 2]  # the 3rd further request commits it before it is answered


def test_point_10_a_late_write_that_fails_its_checks_commits_nothing(demo: Site) -> None:
    ws(demo, "core_group_create_groups", CIRCLE)
    session = session_for(demo, fail_once("core_group_create_groups", "before", "late"))
    with pytest.raises(requests.exceptions.ReadTimeout):
        post(session, EMULATOR_URL, "core_group_create_groups", CIRCLE)  # name and idnumber taken at arrival
    demo.commit_late()
    assert len(slow(demo)) == 1


def test_point_10_a_late_batch_checks_names_per_course_against_its_own_earlier_rows(demo: Site) -> None:
    # Moodle's duplicate-name check is per course (group/externallib.php): within one held batch the
    # rows it inserted earlier count for their own course only.
    demo.courses[7] = Course(id=7, shortname="OTHER", fullname="Another course")
    twins = {"groups": [{"courseid": cid, "name": "Circle: Twin", "description": ""} for cid in (2, 7)]}
    session = session_for(demo, fail_once("core_group_create_groups", "before", "late"))
    with pytest.raises(requests.exceptions.ReadTimeout):
        post(session, EMULATOR_URL, "core_group_create_groups", twins)
    assert demo.commit_late() == 1
    assert sorted(g.courseid for g in demo.groups.values() if g.name == "Circle: Twin") == [2, 7]

    same_course = {"groups": [{"courseid": 2, "name": "Circle: Double", "description": ""}] * 2}
    session = session_for(demo, fail_once("core_group_create_groups", "before", "late"))
    with pytest.raises(requests.exceptions.ReadTimeout):
        post(session, EMULATOR_URL, "core_group_create_groups", same_course)
    assert demo.commit_late() == 1
    assert [g for g in demo.groups.values() if g.name == "Circle: Double"] == []  # refused, rolled back


def test_point_10_late_grouping_link_and_grade_push_double_up(demo: Site) -> None:
    (grouping,) = ws(demo, "core_group_create_groupings", {"groupings": [
        {"courseid": 2, "name": "Slow grouping", "description": "", "idnumber": "lmsync:slow-grouping"}]})
    (circle,) = ws(demo, "core_group_create_groups", CIRCLE)
    link = {"assignments": [{"groupingid": grouping["id"], "groupid": circle["id"]}]}
    session = session_for(demo, fail_once("core_group_assign_grouping", "before", "late"))
    with pytest.raises(requests.exceptions.ReadTimeout):
        post(session, EMULATOR_URL, "core_group_assign_grouping", link)
    assert post(session, EMULATOR_URL, "core_group_assign_grouping", link) is None
    assert demo.groupings[grouping["id"]].groupids == [circle["id"], circle["id"]]  # a doubled link

    push = {"source": "lmsync", "courseid": 2, "component": "mod_forum", "activityid": 3, "itemnumber": 1000,
            "itemdetails": {"itemname": "lmsync_slow", "idnumber": 4242}, "grades": [{"studentid": 3, "grade": 5}]}
    session = session_for(demo, fail_once("core_grades_update_grades", "before", "late"))
    with pytest.raises(requests.exceptions.ReadTimeout):
        post(session, EMULATOR_URL, "core_grades_update_grades", push)
    assert post(session, EMULATOR_URL, "core_grades_update_grades", push) == 0
    items = [i for i in demo.grade_items.values() if i.cmid == 3 and i.itemnumber == 1000]
    assert len(items) == 2  # two grade items at one itemnumber


@pytest.mark.wire
def test_point_10_late_over_http_holds_the_answer_and_the_twin_commits_both(demo: Site) -> None:
    url, stop = serve_in_background(demo, fault=fail_once("core_group_create_groups", "before", "late"), hold_seconds=3)
    try:
        with requests.Session() as session:
            with pytest.raises(requests.exceptions.ReadTimeout):
                post(session, url, "core_group_create_groups", CIRCLE, timeout=0.5)
            assert slow(demo) == [] and post(session, url, "core_group_get_course_groups", {"courseid": 2}) == []
        with requests.Session() as session:
            assert post(session, url, "core_group_create_groups", CIRCLE)[0]["idnumber"] == "lmsync:slow"
        assert len(slow(demo)) == 2
    finally:
        stop()
