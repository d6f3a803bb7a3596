"""MoodleApi: chunking, paging, local validation, warnings, and the README's client traps."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests
import responses

from lmsync.moodle import errors as E
from lmsync.moodle.api import MoodleApi
from lmsync.moodle.encoding import decode
from lmsync.moodle.models import GradeItemDetails, NewGroup
from lmsync.moodle.transport import Transport
from lmsync.secrets import Token
from tests.unit.moodle.conftest import (
    ENDPOINT_URL,
    SECRET,
    URL,
    Sleeps,
    body_of,
    form_of,
    reply,
)


def sent(rsps: responses.RequestsMock) -> list[dict[str, Any]]:
    return [decode(form_of(c)) for c in rsps.calls]


# -- batching (traps 23-26) ---------------------------------------------------------------


def test_add_members_is_chunked_under_the_budget_trap_24(rsps, api) -> None:
    reply(rsps, None)
    members = [(18, uid) for uid in range(78, 78 + 2600)]
    api.add_group_members(members)
    forms = [form_of(c) for c in rsps.calls]
    assert len(forms) == 3
    assert all(len(f) <= 2000 for f in forms)
    got = [(int(m["groupid"]), int(m["userid"])) for d in sent(rsps) for m in d["members"]]
    assert got == members


def test_update_grades_sends_itemdetails_before_grades_in_every_chunk_trap_25(rsps, api) -> None:
    reply(rsps, 0)
    grades = [{"studentid": u, "grade": 50} for u in range(78, 78 + 2600)]
    result = api.update_grades(
        "lmsync",
        3,
        "mod_forum",
        7,
        1000,
        grades,
        {"itemname": "lmsync_load", "idnumber": 31000, "grademax": 100},
    )
    assert result.ok and result.statuses == [0, 0, 0]
    for call in rsps.calls:
        keys = [k for k, _ in form_of(call)]
        assert len(keys) <= 2000
        first_grade = next(i for i, k in enumerate(keys) if k.startswith("grades["))
        assert all(i < first_grade for i, k in enumerate(keys) if k.startswith("itemdetails["))
        assert keys[:5] == ["source", "courseid", "component", "activityid", "itemnumber"]
    assert sum(len(d["grades"]) for d in sent(rsps)) == 2600


def test_grade_update_failure_status_is_reported(rsps, api) -> None:
    reply(rsps, 4)
    result = api.update_grades("lmsync", 2, "mod_forum", 3, 1000, [{"studentid": 3, "grade": 1}])
    assert not result.ok and result.statuses == [4]


def test_failed_chunk_says_how_much_was_applied_trap_26(rsps, api) -> None:
    reply(rsps, None)
    reply(rsps, body_of("core_group_add_group_members/not-enrolled"))
    with pytest.raises(E.InvalidParameter) as info:
        api.add_group_members([(1, uid) for uid in range(1, 1500)])
    assert info.value.applied == 1000
    assert len(rsps.calls) == 2


def test_nothing_to_write_makes_no_request(rsps, api) -> None:
    api.add_group_members([])
    api.delete_group_members([])
    api.assign_grouping([])
    assert api.create_groups([]) == []
    assert api.send_instant_messages([]) == []
    assert len(rsps.calls) == 0


def test_long_id_lists_are_chunked_for_reads(rsps, api) -> None:
    reply(rsps, [])
    api.get_users_by_field("id", list(range(1, 4500)))
    assert len(rsps.calls) == 3
    assert all(len(form_of(c)) <= 2000 for c in rsps.calls)


# -- paging (trap 13) -----------------------------------------------------------------------


def test_enrolled_users_pages_until_a_short_page_trap_13(rsps, api) -> None:
    everyone = [{"id": i, "fullname": f"U{i}", "idnumber": f"s{i:04d}"} for i in range(3, 78)]  # 75 users

    def page(request: Any) -> tuple[int, dict[str, str], str]:
        options = {
            o["name"]: o["value"] for o in decode(form_of(type("C", (), {"request": request})))["options"]
        }
        start, size = int(options["limitfrom"]), int(options["limitnumber"])
        return 200, {}, json.dumps(everyone[start : start + size])

    rsps.add_callback(responses.POST, ENDPOINT_URL, callback=page, content_type="application/json")
    users = api.get_enrolled_users(2, userfields=["id", "idnumber"], onlyactive=True, page_size=20)
    assert [u.id for u in users] == [u["id"] for u in everyone]
    assert len(rsps.calls) == 4  # 20 + 20 + 20 + 15
    first = decode(form_of(rsps.calls[0]))["options"]
    assert {"name": "onlyactive", "value": "1"} in first


def test_userfields_refuses_custom_field_shortnames_trap_13(rsps, api) -> None:
    with pytest.raises(E.InvalidParameter) as info:
        api.get_enrolled_users(2, userfields=["id", "yearofstudy"])
    assert info.value.local and "yearofstudy" in str(info.value)
    assert len(rsps.calls) == 0


def test_non_respondents_reads_every_page_because_perpage_0_means_20_trap_31(rsps, api) -> None:
    users = [{"courseid": 0, "userid": i, "fullname": "x", "started": False} for i in range(57)]

    def page(request: Any) -> tuple[int, dict[str, str], str]:
        form = decode(form_of(type("C", (), {"request": request})))
        number, size = int(form["page"]), int(form["perpage"])
        assert size > 0
        rows = users[number * size : (number + 1) * size]
        return 200, {}, json.dumps({"users": rows, "total": len(users), "warnings": []})

    rsps.add_callback(responses.POST, ENDPOINT_URL, callback=page, content_type="application/json")
    result = api.get_feedback_non_respondents(1, perpage=20)
    assert sorted(u.userid for u in result.users) == list(range(57))
    assert result.total == 57
    assert len(rsps.calls) == 3


def test_forum_discussions_read_all_pages_keyed_by_discussion_id_trap_32(rsps, api) -> None:
    body = body_of("mod_forum_get_forum_discussions/circles")
    reply(rsps, body)  # 5 discussions < perpage: one request
    page = api.get_forum_discussions(3)
    assert len(rsps.calls) == 1
    assert {d.discussion_id for d in page.discussions} == {d["discussion"] for d in body["discussions"]}


# -- local validation (traps 4, 17, 20-22, 28, 34) ---------------------------------------------


@pytest.mark.parametrize(
    ("call", "reason"),
    [
        (lambda api: api.create_groups([{"courseid": 2, "name": "X", "visibility": 7}]), "visibility"),
        (lambda api: api.create_groups([{"courseid": 2, "name": "Circle "}]), "whitespace"),
        (lambda api: api.create_groupings([{"courseid": 2, "name": " Grouping"}]), "whitespace"),
        (lambda api: api.add_group_members([{"groupid": "02", "userid": " 7"}]), "integer"),
        (lambda api: api.add_group_members([(1, True)]), "integer"),
        (lambda api: api.update_groups([{"id": 2, "name": ""}]), "empty"),
        (lambda api: api.get_users_by_field("shortname", ["x"]), "field"),
        (lambda api: api.get_courses_by_field("id", "MENTOR-2026"), "number"),
        (lambda api: api.get_forum_discussions(3, sortorder=0), "sortorder"),
        (lambda api: api.assign_roles([{"roleid": 11, "userid": 66}]), "contextid"),
    ],
)
def test_hidden_invalid_parameter_reasons_are_caught_locally_trap_4(rsps, api, call, reason) -> None:
    with pytest.raises(E.InvalidParameter) as info:
        call(api)
    assert info.value.local is True
    assert reason in str(info.value)
    assert len(rsps.calls) == 0


def test_grade_item_name_and_idnumber_are_checked_trap_21(rsps, api) -> None:
    with pytest.raises(E.InvalidParameter, match="itemname"):
        api.update_grades(
            "lmsync", 2, "mod_forum", 3, 1001, [], {"itemname": "Relationship satisfaction (avg)"}
        )
    with pytest.raises(E.InvalidParameter, match="idnumber"):
        GradeItemDetails(itemname="lmsync_attendance", idnumber="lmsync:mentor-2026:attendance")
    assert GradeItemDetails(idnumber="20261000").idnumber == 20261000
    assert len(rsps.calls) == 0


def test_grades_outside_the_range_are_refused_trap_20(rsps, api) -> None:
    with pytest.raises(E.InvalidParameter, match="above grademax"):
        api.update_grades("lmsync", 2, "mod_forum", 3, 1001, [{"studentid": 5, "grade": 7}], {"grademax": 5})
    with pytest.raises(E.InvalidParameter, match="above the maximum"):
        api.save_assign_grades(1, [{"userid": 10, "grade": 120}], grademax=100)
    assert len(rsps.calls) == 0


def test_names_with_outer_whitespace_are_refused_trap_22() -> None:
    with pytest.raises(E.InvalidParameter, match="whitespace"):
        NewGroup(courseid=2, name="Scratch: optional fields ")
    assert NewGroup(courseid=2, name="Scratch: optional fields").name == "Scratch: optional fields"


def test_discussion_and_group_event_need_a_group_trap_17(rsps, api) -> None:
    with pytest.raises(E.InvalidParameter):
        api.add_discussion(3, "Welcome", "<p>Hi</p>", groupid=0)
    with pytest.raises(E.InvalidParameter, match="groupid"):
        api.create_calendar_events([{"name": "Meet", "courseid": 2, "eventtype": "group", "timestart": 1}])
    assert len(rsps.calls) == 0
    reply(rsps, {"discussionid": 1, "warnings": []})
    assert api.add_discussion(3, "Welcome", "<p>Hi</p>", groupid=-1).discussionid == 1
    assert decode(form_of(rsps.calls[0]))["groupid"] == "-1"


def test_groupings_always_carry_an_idnumber_trap_28(rsps, api) -> None:
    reply(
        rsps,
        [{"id": 5, "courseid": 2, "name": "G", "description": "", "descriptionformat": 1, "idnumber": ""}],
    )
    created = api.create_groupings([{"courseid": 2, "name": "G"}])
    assert ("groupings[0][idnumber]", "") in form_of(rsps.calls[0])
    assert created[0].id == 5


def test_creates_are_not_resent_when_the_answer_is_lost_trap_28(rsps, api) -> None:
    rsps.add(responses.POST, ENDPOINT_URL, body=requests.ReadTimeout("timed out"))
    with pytest.raises(E.OutcomeUnknown):
        api.create_groups([{"courseid": 2, "name": "Circle: A", "idnumber": "lmsync:p:mentor:66"}])
    with pytest.raises(E.OutcomeUnknown):
        api.add_discussion(3, "Welcome", "<p>Hi</p>", groupid=1)
    with pytest.raises(E.OutcomeUnknown):
        api.create_calendar_events(
            [{"name": "Meet", "courseid": 2, "groupid": 1, "eventtype": "group", "timestart": 1}]
        )
    assert len(rsps.calls) == 3  # one request each, none re-sent


def test_an_answer_of_the_wrong_shape_is_a_typed_error(rsps, api) -> None:
    reply(rsps, [])
    with pytest.raises(E.UnexpectedResponse) as info:
        api.add_discussion(3, "Welcome", "<p>Hi</p>", groupid=1)
    assert info.value.function == "mod_forum_add_discussion"


def test_issue_10_point_10_idempotent_writes_are_not_resent_after_a_5xx(rsps, api) -> None:
    # Idempotent in Moodle's eyes (trap 16), but a copy re-sent while the first may still
    # commit can commit twice: the caller re-reads instead.
    rsps.add(responses.POST, ENDPOINT_URL, status=502)
    reply(rsps, None)
    with pytest.raises(E.OutcomeUnknown):
        api.add_group_members([(1, 3)])
    assert len(rsps.calls) == 1


def test_issue_10_point_10_assign_grouping_is_not_resent_after_a_timeout(rsps, api) -> None:
    rsps.add(responses.POST, ENDPOINT_URL, body=requests.ReadTimeout("read timed out"))
    reply(rsps, None)
    with pytest.raises(E.OutcomeUnknown):
        api.assign_grouping([(1, 5)])
    assert len(rsps.calls) == 1


def test_reads_through_the_api_keep_their_retries(rsps, api) -> None:
    rsps.add(responses.POST, ENDPOINT_URL, body=requests.ReadTimeout("read timed out"))
    rsps.add(responses.POST, ENDPOINT_URL, status=503)
    reply(rsps, [{"groupid": 1, "userids": [3]}])
    assert api.get_group_members([1])[0].userids == [3]
    assert len(rsps.calls) == 3


def test_unknown_id_on_update_groups_is_invalid_parameter_trap_34(rsps, api) -> None:
    reply(rsps, body_of("core_group_update_groups/unknown-id"))
    with pytest.raises(E.InvalidParameter) as info:
        api.update_groups([{"id": 99999, "name": "X"}])
    assert info.value.local is False


# -- warnings and per-item errors (trap 7, 29) ----------------------------------------------


def test_messages_return_per_item_errors_trap_7(rsps, api) -> None:
    reply(rsps, body_of("core_message_send_instant_messages/mixed-privacy-and-unknown-user"))
    results = api.send_instant_messages(
        [
            {"touserid": 3, "text": "Hi", "textformat": 2, "clientmsgid": "a"},
            {"touserid": 999999, "text": "x"},
        ],
        per_request=2,
    )
    assert [r.ok for r in results] == [False, False]
    assert "doesn't exist" in (results[1].errormessage or "")


def test_messages_go_one_per_request_by_default_trap_29(rsps, api) -> None:
    reply(rsps, body_of("core_message_send_instant_messages/plain-text-one"))
    reply(rsps, body_of("core_message_send_instant_messages/mixed-unknown-user"))
    with pytest.raises(E.FormatNotSupported) as info:
        api.send_instant_messages([{"touserid": 4, "text": "a"}, {"touserid": 999999, "text": "b"}])
    assert info.value.applied == 1  # the first message is known to be delivered
    assert len(rsps.calls) == 2


def test_warnings_are_returned_not_dropped_trap_7(rsps, api) -> None:
    reply(rsps, body_of("mod_assign_get_assignments/not-enrolled-warning"))
    reply(rsps, body_of("core_calendar_create_calendar_events/group-event-managegroupentries-only"))
    reply(rsps, body_of("mod_assign_get_grades/unknown-assignment"))
    assignments = api.get_assignments([2], includenotenrolledcourses=None)
    assert assignments.courses == [] and assignments.warnings[0].warningcode == "2"
    events = api.create_calendar_events(
        [{"name": "Meet", "courseid": 2, "groupid": 1, "eventtype": "group", "timestart": 1792832400}]
    )
    assert events.events == [] and events.warnings[0].warningcode == "nopermissions"
    grades = api.get_assign_grades([1, 99999])
    assert grades.warnings[0].warningcode == "3"


def test_assignments_include_not_enrolled_courses_by_default_trap_30(rsps, api) -> None:
    reply(rsps, body_of("mod_assign_get_assignments/includenotenrolledcourses"))
    result = api.get_assignments([2])
    assert ("includenotenrolledcourses", "1") in form_of(rsps.calls[0])
    assignment = result.all_assignments()[0]
    assert (assignment.id, assignment.cmid, assignment.grade) == (1, 5, 100)
    assert assignment.feedback_comments_enabled


# -- answers (traps 9-15, 27, 31-33) ----------------------------------------------------------


def test_null_answers_become_none_trap_9(rsps, api) -> None:
    reply(rsps, None)
    assert api.delete_groups([14, 99999]) is None
    assert api.assign_roles([{"roleid": 11, "userid": 66, "contextlevel": "user", "instanceid": 3}]) is None


def test_wrapped_and_bare_lists_trap_11(rsps, api) -> None:
    reply(rsps, body_of("core_cohort_get_cohorts/all"))
    reply(rsps, body_of("core_cohort_search_cohorts/query-mentor"))
    assert [c.idnumber for c in api.get_cohorts()] == [
        "peer-mentors-2026",
        "mentees-2026",
        "faculty-mentors-2026",
    ]
    assert {c.id for c in api.search_cohorts("mentor", contextid=1, includes="all")} == {1, 3}


def test_users_by_field_come_back_by_id_not_request_order_trap_14(rsps, api) -> None:
    reply(rsps, body_of("core_user_get_users_by_field/by-id"))
    users = api.get_users_by_field("id", [66, 3, 999999, 61, 6])
    assert [u.id for u in users] == [3, 6, 61, 66]  # 999999 silently missing (trap 15)
    assert users[0].profile("department") == "Paediatrics"
    assert users[2].customfields == [] and users[2].profile("department") is None  # s0059: no key (trap 12)


def test_unknown_course_shortname_finds_nothing_trap_15(rsps, api) -> None:
    reply(rsps, body_of("core_course_get_courses_by_field/shortname-not-found"))
    reply(rsps, body_of("core_course_get_courses_by_field/shortname-ok"))
    assert api.get_courses_by_field("shortname", "NO-SUCH-COURSE").one() is None
    course = api.get_courses_by_field("shortname", "MENTOR-2026").one()
    assert course is not None and course.id == 2


def test_cached_group_list_may_show_a_phantom_trap_27(rsps, api) -> None:
    reply(rsps, body_of("core_group_get_course_groups/after-rolled-back-batch"))
    reply(rsps, body_of("core_group_get_groupings/phantom-after-rollback"))
    listed = {g.idnumber: g.id for g in api.get_course_groups(2)}
    assert listed["lmsync:mentor-2026:mentor:77"] == 13  # the rolled-back group, still listed
    with pytest.raises(E.InvalidRecord):
        api.get_groupings([4])  # DB-backed read of a phantom


def test_feedback_answers_are_decoded_trap_31(rsps, api) -> None:
    reply(rsps, body_of("mod_feedback_get_feedbacks_by_courses/course"))
    reply(rsps, body_of("mod_feedback_get_items/relationship-check-in"))
    reply(rsps, body_of("mod_feedback_get_analysis/all"))
    reply(rsps, body_of("mod_feedback_get_responses_analysis/all"))
    feedback = api.get_feedbacks_by_courses([2]).feedbacks[0]
    assert feedback.anonymous == 2 and not feedback.is_anonymous
    items = {i.label: i for i in api.get_feedback_items(1).items}
    assert items["satisfaction"].scale() == {
        1: "Very dissatisfied", 2: "Dissatisfied", 3: "Neutral", 4: "Satisfied", 5: "Very satisfied",
    }  # fmt: skip
    assert items["meeting_minutes"].numeric_range() == (0.0, 240.0)
    analysis = api.get_feedback_analysis(1)
    satisfaction = next(d for d in analysis.itemsdata if d.item.label == "satisfaction")
    decoded = satisfaction.decoded()
    assert all(isinstance(x, dict) for x in decoded)
    assert sum(x["answercount"] for x in decoded) == analysis.completedcount == 6
    responses_ = api.get_feedback_responses_analysis(1, groupid=0, page=0, perpage=0)
    by_user = {a.userid: a for a in responses_.attempts}
    assert by_user[3].rawval(1) == "5" and by_user[3].responses[0].number == 5.0


def test_grade_item_ids_are_parsed_from_strings_trap_33(rsps, api) -> None:
    reply(rsps, body_of("core_grades_get_gradeitems/course"))
    reply(rsps, body_of("gradereport_user_get_grade_items/one-user"))
    items = api.get_gradeitems(2).items
    assert {i.id for i in items} == {2, 4, 5, 6}
    report = api.get_user_grade_items(2, userid=3)
    ours = [g for g in report.usergrades[0].gradeitems if g.idnumber == "20261000"]
    assert ours and ours[0].cmid == 3


def test_token_never_reaches_api_errors(rsps, token) -> None:
    api = MoodleApi(Transport(URL, token, sleep=Sleeps(), max_attempts=2))
    rsps.add(responses.POST, ENDPOINT_URL, body=requests.ConnectionError(f"{URL}/x?wstoken={SECRET}"))
    with pytest.raises(E.OutcomeUnknown) as info:
        api.create_groups([{"courseid": 2, "name": "A"}])
    assert SECRET not in str(info.value) + repr(info.value)
    assert isinstance(token, Token)
