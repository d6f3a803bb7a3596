"""Grade planning against the traps the recordings show (shared/moodle README 19-25)."""

import json
from pathlib import Path

import pytest

from lmsync.domain.grades import (
    AssignGrade,
    GradeWrite,
    ObservedGradeItem,
    chunk_grade_requests,
    numeric_idnumber,
    plan_assignment_grades,
    plan_grades,
    safe_itemname,
)
from lmsync.domain.metrics import MetricSpec, MetricValue
from lmsync.moodle.encoding import count_vars, encode

RECORDINGS = Path(__file__).resolve().parents[2] / "contract" / "recordings"
SPECS = {
    "attendance": MetricSpec("attendance", 0, 100),
    "meetings": MetricSpec("meetings", 0, 20),
    "satisfaction-mentee-T0": MetricSpec("satisfaction-mentee-T0", 1, 5, hidden=True),
}
ENROLLED = frozenset({3, 4, 5, 9})


def recording(path):
    return json.loads((RECORDINGS / path).read_text())


def observed_from_recording():
    """The owned items on forum cm 3 as gradereport_user_get_grade_items returned them for s0001."""
    body = json.loads(recording("gradereport_user_get_grade_items/one-user.json")["response"]["body"])
    grades = body["usergrades"][0]
    return [
        ObservedGradeItem(
            itemnumber=i["itemnumber"],
            itemname=i["itemname"],
            idnumber=i["idnumber"],
            grademin=i["grademin"],
            grademax=i["grademax"],
            hidden=i["gradeishidden"],
            grades={grades["userid"]: i["graderaw"]},
        )
        for i in grades["gradeitems"]
        if i.get("cmid") == 3 and i["itemmodule"] == "forum"
    ]


def plan(values, observed=(), specs=SPECS, **kw):
    args = {"base": 1000, "count": 100, "idnumber_prefix": 2026, "budget": 2000}
    return plan_grades(values, specs, observed, ENROLLED, **{**args, **kw})


@pytest.mark.parametrize(
    "key, name",
    [
        ("attendance", "lmsync_attendance"),
        ("satisfaction (avg)", "lmsync_satisfaction-avg"),
        ("selfefficacy-change-T3", "lmsync_selfefficacy-change-T3"),
        ("Zufriedenheit ø", "lmsync_Zufriedenheit"),
    ],
)
def test_item_names_are_param_alphanumext(key, name):
    assert safe_itemname(key) == name


def test_idnumbers_are_numbers_as_recorded():
    assert numeric_idnumber(2026, 1000, width=4) == "20261000"
    assert numeric_idnumber(2026, 7, width=4) == "20260007"


def test_new_item_sends_details_before_grades_and_counts_like_the_encoder():
    result = plan([MetricValue("attendance", 3, 80), MetricValue("attendance", 4, 65.5)])
    (request,) = result.requests
    params = request.params(course_id=2, component="mod_forum", activity_id=3)
    keys = [k for k, _ in encode(params)]
    assert keys[:5] == ["source", "courseid", "component", "activityid", "itemnumber"]
    assert keys[5:10] == [
        f"itemdetails[{k}]" for k in ("itemname", "idnumber", "grademin", "grademax", "hidden")
    ]
    assert keys[10:] == [
        "grades[0][studentid]",
        "grades[0][grade]",
        "grades[1][studentid]",
        "grades[1][grade]",
    ]
    assert request.var_count() == count_vars(params) == 14
    assert dict(encode(params))["itemdetails[idnumber]"] == "20261000"
    assert dict(encode(params))["grades[1][grade]"] == "65.5"


def test_rejects_unenrolled_unknown_and_out_of_range_before_sending_trap_19_20():
    result = plan(
        [
            MetricValue("attendance", 3, 80),
            MetricValue("attendance", 999999, 80),  # trap 19: Moodle would grade a nonexistent user
            MetricValue("attendance", 78, 80),  # l00001: not enrolled in the course
            MetricValue("meetings", 4, 21),  # trap 20: above grademax 20 would be clamped
            MetricValue("satisfaction-mentee-T0", 5, 0.5),  # below grademin 1
            MetricValue("meetings", 5, float("nan")),
        ]
    )
    reasons = {(r.key, r.user_id): r.reason for r in result.rejected}
    assert reasons == {
        ("attendance", 999999): "not an active participant of the course",
        ("attendance", 78): "not an active participant of the course",
        ("meetings", 4): "above the maximum 20",
        ("satisfaction-mentee-T0", 5): "below the minimum 1",
        ("meetings", 5): "not a number",
    }
    sent = {g.user_id for r in result.requests for g in r.grades}
    assert sent == {3}


def test_only_changed_grades_are_written_and_an_unchanged_plan_is_empty():
    observed = observed_from_recording()  # s0001 (3) has 90 on lmsync_attendance (1000)
    same = plan([MetricValue("attendance", 3, 90)], observed, specs={"attendance": SPECS["attendance"]})
    assert same.is_empty and same.unchanged == 1
    changed = plan([MetricValue("attendance", 3, 92.5)], observed, specs={"attendance": SPECS["attendance"]})
    (request,) = changed.requests
    assert request.itemnumber == 1000 and request.itemdetails is None
    assert request.grades == (GradeWrite(3, 92.5),)


def test_recorded_items_keep_their_slots_and_new_metrics_take_free_ones():
    # recorded: 1000 lmsync_attendance (20261000), 1001 lmsync_satisfaction-avg, 1002 lmsync_dup (also 20261000)
    result = plan([], observed_from_recording(), specs={k: SPECS[k] for k in ("attendance", "meetings")})
    numbers = {i.key: i.itemnumber for i in result.items}
    assert numbers == {"attendance": 1000, "meetings": 1003}
    # 20261000 is also on itemnumber 1002 (trap 21): never resent, and said so
    assert result.warnings == [
        "lmsync_attendance: idnumber 20261000 is already used by itemnumber 1002; sent without idnumber"
    ]
    assert result.is_empty  # nothing to write yet: the new item waits for its first grade
    first = plan(
        [MetricValue("meetings", 3, 2)],
        observed_from_recording(),
        specs={k: SPECS[k] for k in ("attendance", "meetings")},
    )
    (request,) = first.requests
    assert (request.itemnumber, request.itemdetails["idnumber"], request.itemdetails["itemname"]) == (
        1003,
        "20261003",
        "lmsync_meetings",
    )


def test_idnumber_used_elsewhere_in_the_course_is_left_out():
    result = plan([MetricValue("attendance", 3, 1)], foreign_idnumbers={"20261000"})
    assert "idnumber" not in result.requests[0].itemdetails
    assert "used by another grade item" in result.warnings[0]


def test_full_range_is_an_error():
    observed = [ObservedGradeItem(1000, "lmsync_other")]
    with pytest.raises(ValueError, match="no free itemnumber left in 1000-1000"):
        plan([], observed, count=1, specs={"attendance": SPECS["attendance"]})


def test_hidden_item_is_resent_when_its_visibility_is_unknown_or_wrong():
    spec = {"satisfaction-mentee-T0": SPECS["satisfaction-mentee-T0"]}
    name = "lmsync_satisfaction-mentee-T0"
    for hidden in (None, False):
        observed = [ObservedGradeItem(1000, name, "20261000", 1, 5, hidden=hidden)]
        (request,) = plan([], observed, specs=spec).requests
        assert request.itemdetails["hidden"] == 1
    assert plan([], [ObservedGradeItem(1000, name, "20261000", 1, 5, hidden=True)], specs=spec).is_empty
    visible = {"attendance": SPECS["attendance"]}
    assert plan(
        [], [ObservedGradeItem(1000, "lmsync_attendance", "20261000", 0, 100, hidden=None)], specs=visible
    ).is_empty


def test_changed_grademax_resends_details():
    observed = [ObservedGradeItem(1000, "lmsync_meetings", "20261000", 0, 10, hidden=False)]
    (request,) = plan([], observed, specs={"meetings": SPECS["meetings"]}).requests
    assert request.itemdetails["grademax"] == 20


def test_2600_grades_are_chunked_under_the_budget_with_details_first():
    # the recorded single request was 5 + 5,200 + 2 = 5,207 variables and lost 102 grades and its details
    writes = [GradeWrite(u, 50) for u in range(78, 78 + 2600)]
    details = {
        "itemname": "lmsync_load_attendance",
        "idnumber": "20261000",
        "grademin": 0,
        "grademax": 100,
        "hidden": 0,
    }
    requests = chunk_grade_requests(1000, details, writes, budget=2000)
    assert [len(r.grades) for r in requests] == [995, 997, 608]  # (2000-5-5)//2, (2000-5)//2, rest
    assert requests[0].itemdetails == details and all(r.itemdetails is None for r in requests[1:])
    for r in requests:
        params = r.params(course_id=3, component="mod_forum", activity_id=7)
        assert r.var_count() == count_vars(params) <= 2000
    assert [g.user_id for r in requests for g in r.grades] == list(range(78, 78 + 2600))


def test_tiny_budget_is_refused():
    with pytest.raises(ValueError, match="cannot hold one grade"):
        chunk_grade_requests(1000, {"itemname": "x"}, [GradeWrite(3, 1)], budget=7)


# --- the assignment, for a grade with a comment -------------------------------------------


def test_assignment_request_matches_the_recorded_form_exactly():
    recorded = recording("mod_assign_save_grades/ok-with-feedback.json")["request"]["form"]
    desired = [
        AssignGrade(3, 75, "<p>3 of 4 meetings, last 12 Oct</p>"),
        AssignGrade(4, 100, "<p>4 of 4 meetings, last 14 Oct</p>"),
        AssignGrade(5, 25, "<p>1 of 4 meetings, last 2 Sep</p>"),
    ]
    result = plan_assignment_grades(desired, {}, {}, ENROLLED, grademax=100)
    (request,) = result.requests
    params = request.params(assignment_id=1)
    assert [list(p) for p in encode(params)] == recorded
    assert request.var_count() == len(recorded)


def test_assignment_writes_only_changes_and_rejects_what_moodle_would_drop():
    desired = [
        AssignGrade(3, 75, "3 of 4 meetings"),  # same grade, same comment as sent: nothing
        AssignGrade(4, 100, "4 of 4 meetings, last 14 Oct"),  # same grade, new comment: write
        AssignGrade(5, 120, "too much"),  # trap 20: stored as 'no grade' by Moodle
        AssignGrade(78, 50, None),  # not enrolled
        AssignGrade(9, 60, None),  # new grade, no comment
    ]
    result = plan_assignment_grades(
        desired,
        {3: 75.0, 4: 100.0, 9: None},
        {3: "3 of 4 meetings", 4: "4 of 4 meetings"},
        ENROLLED,
        grademax=100,
    )
    assert [g.user_id for r in result.requests for g in r.grades] == [4, 9]
    assert [(r.user_id, r.reason) for r in result.rejected] == [
        (5, "above the maximum 100"),
        (78, "not an active participant of the course"),
    ]
    assert result.unchanged == 1


def test_assignment_chunks_by_variable_count():
    desired = [AssignGrade(u, 50, "c") for u in range(1, 1001)]
    result = plan_assignment_grades(desired, {}, {}, frozenset(range(1, 1001)), grademax=100, budget=200)
    assert all(r.var_count() <= 200 for r in result.requests)
    assert [len(r.grades) for r in result.requests][:2] == [28, 28]  # (200 - 2) // 7
    assert result.grade_count == 1000
