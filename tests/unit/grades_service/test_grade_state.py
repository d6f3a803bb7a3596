"""Reading the gradebook back: recorded report answers -> owned items, grades, fingerprints."""

import json
from pathlib import Path

import pytest

from lmsync.domain.grades import GradeItemSpec, GradeItemsPlan, GradeRequest, GradeWrite, ObservedGradeItem
from lmsync.domain.plan import ObservedGroup, mentor_group_idnumber
from lmsync.errors import PlanError
from lmsync.moodle.models import GradeReport
from lmsync.service import grades

RECORDINGS = Path(__file__).resolve().parents[2] / "contract" / "recordings"
OWNED = range(1000, 1100)


def report(name):
    data = json.loads((RECORDINGS / "gradereport_user_get_grade_items" / name).read_text())
    return GradeReport.model_validate(json.loads(data["response"]["body"]))


def test_owned_items_and_grades_come_from_the_recorded_course_report():
    by_id, foreign, users = grades.observed_items([report("all-users.json")], cmid=3, owned=OWNED)
    assert set(by_id) == {4, 5, 6}  # keyed by Moodle's item id: two items at one itemnumber stay apart
    items = {i.itemnumber: i for i in by_id.values()}
    assert set(items) == {1000, 1001, 1002}
    attendance = items[1000]
    assert attendance.itemname == "lmsync_attendance" and attendance.idnumber == "20261000"
    assert attendance.grademax == 100 and attendance.hidden is False
    # grades-only.json set s0001 (3) to 90 and s0007 (9) to 100; create-item set s0003 (5) to 40
    assert attendance.grades[3] == 90 and attendance.grades[9] == 100 and attendance.grades[5] == 40
    assert 7 not in attendance.grades  # 'novalue' rows are no grade, not 0
    # grade-above-max.json: 7 on a 0-5 item was clamped by Moodle, and read back as 5
    assert items[1001].grademax == 5 and items[1001].grades[5] == 5
    # the duplicate idnumber (trap 21) shows up on the third item
    assert items[1002].idnumber == "20261000"
    assert "" not in foreign and len(users) == 60


def test_items_of_another_activity_or_outside_the_range_are_not_owned():
    recorded = [report("one-user.json")]
    assert grades.observed_items(recorded, cmid=7, owned=OWNED)[0] == {}
    items, _foreign, _ = grades.observed_items(recorded, cmid=3, owned=range(1001, 1002))
    assert [i.itemnumber for i in items.values()] == [1001]
    _items, foreign, _ = grades.observed_items(recorded, cmid=3, owned=range(1001, 1002))
    assert foreign == {"20261000"}  # 1000 and 1002 are now someone else's items


def test_hidden_is_read_from_every_grade_of_the_item():
    one = report("one-user.json")
    data = one.model_dump()
    for row in data["usergrades"][0]["gradeitems"]:
        if row["itemnumber"] == 1001:
            row["gradeishidden"] = True
    by_id, _, _ = grades.observed_items([GradeReport.model_validate(data)], cmid=3, owned=OWNED)
    items = {i.itemnumber: i for i in by_id.values()}
    assert items[1001].hidden is True and items[1000].hidden is False


def test_issue_10_point_10_two_items_at_one_itemnumber_are_both_observed():
    """Observation used to keep the last item per itemnumber, so a duplicate looked "in sync"."""
    data = report("one-user.json").model_dump()
    rows = data["usergrades"][0]["gradeitems"]
    twin = dict(next(r for r in rows if r["itemnumber"] == 1001), id=99, graderaw=None)
    rows.append(twin)
    by_id, _, _ = grades.observed_items([GradeReport.model_validate(data)], cmid=3, owned=OWNED)
    at_1001 = sorted(i.id for i in by_id.values() if i.itemnumber == 1001)
    assert at_1001 == [5, 99]
    st = state(items=by_id)
    assert sorted(i.id for i in st.at(1001)) == [5, 99]


def state(**changes):
    base = dict(
        course_id=2,
        cmid=3,
        items={1000: ObservedGradeItem(1000, "lmsync_attendance", "20261000", 0, 100, False, {3: 90.0})},
        foreign_idnumbers=frozenset(),
        enrolled=frozenset({3, 4}),
        read_users=(),
    )
    base.update(changes)
    return grades.GradeState(**base)


def test_fingerprint_changes_with_a_grade_or_an_enrolment_and_only_then():
    first = state().fingerprint()
    assert state().fingerprint() == first
    assert state(read_users=(66,)).fingerprint() == first  # how it was read is not what it is
    edited = {1000: ObservedGradeItem(1000, "lmsync_attendance", "20261000", 0, 100, False, {3: 80.0})}
    assert state(items=edited).fingerprint() != first
    assert state(enrolled=frozenset({3})).fingerprint() != first
    assert state(assign_grades={3: 50.0}).fingerprint() != first


def test_circle_pairs_come_from_lmsync_groups_only():
    groups = [
        ObservedGroup(1, "Circle A", mentor_group_idnumber("p-2026", 66), frozenset({66, 3, 4})),
        ObservedGroup(
            2, "Circle B", mentor_group_idnumber("p-2026", 67), frozenset({5})
        ),  # mentor not a member
        ObservedGroup(3, "Teacher's own group", "", frozenset({3, 9})),
        ObservedGroup(4, "Other programme", mentor_group_idnumber("q-2026", 68), frozenset({68, 10})),
    ]
    assert grades.circle_pairs("p-2026", groups) == [(66, 3), (66, 4), (67, 5)]


def spec(key, number, hidden=False):
    return GradeItemSpec(key, number, f"lmsync_{key}", None, 1, 5, hidden)


def test_privacy_guard_refuses_a_visible_individual_rating_of_a_mentor(monkeypatch):
    from lmsync.config import Config
    from lmsync.service.meetings import settings

    config = Config.model_validate(
        {"waves": {"windows": {"T0": {"start": "2026-09-01", "end": "2026-09-30"}}}}
    )
    s = settings(config)
    visible = GradeItemsPlan([spec("satisfaction-mentee-T0", 1000)], [], [], 0, [])
    with pytest.raises(PlanError, match="satisfaction-mentee-T0"):
        grades.check_privacy(s, visible)
    hidden = GradeItemsPlan([spec("satisfaction-mentee-T0", 1000, hidden=True)], [], [], 0, [])
    assert grades.check_privacy(s, hidden) == [grades.HIDDEN_POLICY_WARNING]
    aggregate = GradeItemsPlan([spec("satisfaction-mentee-received-T0", 1000)], [], [], 0, [])
    assert grades.check_privacy(s, aggregate) == []


def test_plan_round_trips_through_json_and_back_to_requests():
    plan = grades.GradesPlan(
        programme="p-2026",
        course_id=2,
        activity_cmid=3,
        itemnumbers=(1000, 1099),
        as_of="2026-11-25",
        created_at="2026-11-25T10:00:00+00:00",
        fingerprint="abc",
        requests=[
            grades.PlannedRequest(
                itemnumber=1000,
                itemdetails={
                    "itemname": "lmsync_attendance",
                    "idnumber": "20261000",
                    "grademin": 0,
                    "grademax": 100,
                    "hidden": 0,
                },
                grades=[grades.PlannedGrade(user_id=3, grade=66.67)],
            )
        ],
    )
    again = grades.GradesPlan.model_validate_json(plan.model_dump_json())
    assert again == plan
    domain = again.requests[0].to_domain()
    assert domain == GradeRequest(1000, plan.requests[0].itemdetails, (GradeWrite(3, 66.67),))
    assert domain.var_count() == 5 + 5 + 2


def test_verify_names_every_grade_that_did_not_arrive():
    plan = grades.GradesPlan(
        programme="p",
        course_id=2,
        activity_cmid=3,
        itemnumbers=(1000, 1099),
        as_of="2026-11-25",
        created_at="x",
        fingerprint="f",
        items=[
            grades.PlannedItem(
                key="a",
                itemnumber=1000,
                itemname="lmsync_a",
                idnumber=None,
                grademin=0,
                grademax=100,
                hidden=False,
            )
        ],
        requests=[
            grades.PlannedRequest(
                itemnumber=1000,
                itemdetails={"itemname": "lmsync_a"},
                grades=[grades.PlannedGrade(user_id=3, grade=50), grades.PlannedGrade(user_id=4, grade=60)],
            )
        ],
    )
    arrived = {1000: ObservedGradeItem(1000, "lmsync_a", None, 0, 100, False, {3: 50.0})}
    checked, mismatches = grades.verify(plan, state(items=arrived))
    assert checked == 2 and mismatches == ["item 1000, user #4: sent 60, read None"]
    nameless = {1000: ObservedGradeItem(1000, None, None, 0, 100, False, {3: 50.0, 4: 60.0})}
    assert grades.verify(plan, state(items=nameless))[1] == ["item 1000: details did not arrive"]
