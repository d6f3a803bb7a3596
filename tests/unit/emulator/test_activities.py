"""Grades, assignments, forums, feedback, messages, calendar and roles as recorded on Moodle 4.5."""

from __future__ import annotations

import json

from lmsync.moodle.emulator import DEMO_TOKEN, Site
from tests.unit.emulator.helpers import errorcode, ws

GRADE_ITEM = {"source": "lmsync", "courseid": 2, "component": "mod_forum", "activityid": 3, "itemnumber": 1000}


def report(site: Site, userid: int) -> dict[str, dict[str, object]]:
    rows = ws(site, "gradereport_user_get_grade_items", {"courseid": 2, "userid": userid})["usergrades"][0]["gradeitems"]
    return {str(r["itemname"]): r for r in rows}


def test_update_grades_creates_the_item_on_the_activity_and_clamps_trap_19_20_21(demo: Site) -> None:
    params = GRADE_ITEM | {
        "grades": [{"studentid": 3, "grade": 7, "str_feedback": "dropped"}, {"studentid": 999999, "grade": 2}],
        "itemdetails": {"itemname": "lmsync_satisfaction-avg", "idnumber": 20261001, "grademax": 5},
    }
    assert ws(demo, "core_grades_update_grades", params) == 0
    row = report(demo, 3)["lmsync_satisfaction-avg"]
    assert row["graderaw"] == 5 and row["grademax"] == 5 and row["feedback"] == ""
    assert row["idnumber"] == "20261001" and row["cmid"] == 3 and row["itemnumber"] == 1000
    item = next(i for i in demo.grade_items.values() if i.itemname == "lmsync_satisfaction-avg")
    assert item.grades[3].rawgrade == 7 and 999999 in item.grades  # raw kept; unknown user graded
    light = ws(demo, "core_grades_get_gradeitems", {"courseid": 2})["gradeItems"]
    assert {"id": str(item.id), "itemname": "lmsync_satisfaction-avg", "category": "Mentoring programme 2026"} in light


def test_update_grades_validation(demo: Site) -> None:
    spaces = GRADE_ITEM | {"itemdetails": {"itemname": "Relationship satisfaction (avg)"}}
    text_id = GRADE_ITEM | {"itemdetails": {"idnumber": "lmsync:attendance"}}
    wrong = GRADE_ITEM | {"component": "mod_assign"}
    assert errorcode(ws(demo, "core_grades_update_grades", spaces)) == "invalidparameter"
    assert errorcode(ws(demo, "core_grades_update_grades", text_id)) == "invalidparameter"
    assert errorcode(ws(demo, "core_grades_update_grades", wrong)) == "invalidcoursemodule"
    assert not [i for i in demo.grade_items.values() if i.itemnumber == 1000]


def test_hidden_needs_grade_hide_and_details_need_grade_manage(demo: Site) -> None:
    demo.tokens[DEMO_TOKEN].capabilities -= {"moodle/grade:hide", "moodle/grade:manage"}
    hidden = ws(demo, "core_grades_update_grades", GRADE_ITEM | {"itemdetails": {"hidden": 0}})
    assert hidden["message"].endswith("(Hide/unhide grades or items).")
    named = ws(demo, "core_grades_update_grades", GRADE_ITEM | {"itemdetails": {"itemname": "x"}})
    assert named["message"].endswith("(Manage grade items).")
    assert ws(demo, "core_grades_update_grades", GRADE_ITEM | {"grades": [{"studentid": 3, "grade": 1}]}) == 0


def test_assignment_grades_drop_over_max_and_keep_comments(demo: Site) -> None:
    base = {"attemptnumber": -1, "addattempt": 0, "workflowstate": ""}
    comment = {"assignfeedbackcomments_editor": {"text": "<p>3 of 4</p>", "format": 1}}
    grades = [base | {"userid": 3, "grade": 75, "plugindata": comment}, base | {"userid": 4, "grade": 120, "plugindata": comment}]
    assert ws(demo, "mod_assign_save_grades", {"assignmentid": 1, "applytoall": 0, "grades": grades}) is None
    got = ws(demo, "mod_assign_get_grades", {"assignmentids": [1, 99999]})
    by_user = {g["userid"]: g for g in got["assignments"][0]["grades"]}
    assert by_user[3]["grade"] == "75.00000" and by_user[4]["grade"] == "-1.00000" and by_user[4]["grader"] == -1
    assert got["warnings"] == [{"item": "assignment", "itemid": 99999, "warningcode": "3", "message": "No grades found"}]
    assert demo.assignments[1].grades[4].comment == "<p>3 of 4</p>"
    assert report(demo, 3)["Mentoring attendance"]["graderaw"] == 75
    missing = ws(demo, "mod_assign_save_grades", {"assignmentid": 1, "applytoall": 0, "grades": [{"userid": 3, "grade": 1}]})
    assert errorcode(missing) == "invalidparameter"


def test_assignments_need_includenotenrolledcourses(demo: Site) -> None:
    plain = ws(demo, "mod_assign_get_assignments", {"courseids": [2]})
    assert plain["courses"] == [] and plain["warnings"][0]["warningcode"] == "2"
    listed = ws(demo, "mod_assign_get_assignments", {"courseids": [2], "includenotenrolledcourses": 1})
    assert [a["cmid"] for a in listed["courses"][0]["assignments"]] == [5]


def test_forum_group_rules(demo: Site) -> None:
    def post(forumid: int, groupid: int | None) -> int:
        params = {"forumid": forumid, "subject": "s", "message": "<p>m</p>"}
        if groupid is not None:
            params["groupid"] = groupid
        return ws(demo, "mod_forum_add_discussion", params)["discussionid"]

    ids = {"circle": post(3, 7), "all": post(3, -1), "omitted": post(3, None), "nogroups": post(4, 7)}
    listed = ws(demo, "mod_forum_get_forum_discussions", {"forumid": 3})["discussions"] + \
        ws(demo, "mod_forum_get_forum_discussions", {"forumid": 4})["discussions"]
    groups = {d["discussion"]: d["groupid"] for d in listed}
    assert [groups[ids[k]] for k in ("circle", "all", "omitted", "nogroups")] == [7, -1, 0, -1]
    assert errorcode(ws(demo, "mod_forum_add_discussion", {"forumid": 99999, "subject": "s", "message": "m"})) == "invalidrecord"
    assert errorcode(ws(demo, "mod_forum_get_forum_discussions", {"forumid": 3, "sortorder": 0})) == "invalidparameter"


def test_feedback_reads_from_seeded_responses(demo: Site) -> None:
    analysis = ws(demo, "mod_feedback_get_responses_analysis", {"feedbackid": 1})
    assert analysis["totalattempts"] == 6
    first = next(a for a in analysis["attempts"] if a["userid"] == 3)
    assert [r["rawval"] for r in first["responses"]][:4] == ["5", "4", "4", "45"]
    assert first["responses"][0]["printval"] == "Very satisfied"
    paged = ws(demo, "mod_feedback_get_responses_analysis", {"feedbackid": 1, "page": 1, "perpage": 4})
    assert len(paged["attempts"]) == 2
    aggregate = ws(demo, "mod_feedback_get_analysis", {"feedbackid": 1})["itemsdata"][0]["data"]
    very = json.loads(aggregate[4])
    assert very["answercount"] == 2 and very["value"] == "5"
    missing = ws(demo, "mod_feedback_get_non_respondents", {"feedbackid": 1, "perpage": 0})
    assert len(missing["users"]) == 20 and missing["total"] == 63 - 6  # students incl. inactive enrolments
    assert errorcode(ws(demo, "mod_feedback_get_items", {"feedbackid": 99999})) == "invalidrecord"
    assert [f["anonymous"] for f in ws(demo, "mod_feedback_get_feedbacks_by_courses", {"courseids": [2]})["feedbacks"]] == [2, 2]


def test_messages_fail_per_item_or_apply_then_fail(demo: Site) -> None:
    one = ws(demo, "core_message_send_instant_messages", {"messages": [{"touserid": 4, "text": "hi", "textformat": 2, "clientmsgid": "a"}]})
    assert one[0]["msgid"] > 0 and one[0]["text"] == "<p>hi</p>" and one[0]["clientmsgid"] == "a"
    unknown = ws(demo, "core_message_send_instant_messages", {"messages": [{"touserid": 999999, "text": "x"}]})
    assert unknown[0]["msgid"] == -1 and "999999" in unknown[0]["errormessage"]
    before = len(demo.messages)
    mixed = ws(demo, "core_message_send_instant_messages", {"messages": [{"touserid": 3, "text": "x"}, {"touserid": 999999, "text": "x"}]})
    assert errorcode(mixed) == "formatnotsupported" and len(demo.messages) == before + 1  # delivered anyway
    demo.tokens[DEMO_TOKEN].capabilities.discard("moodle/site:messageanyuser")
    refused = ws(demo, "core_message_send_instant_messages", {"messages": [{"touserid": 5, "text": "x"}]})
    assert refused[0]["msgid"] == -1 and "preferences" in refused[0]["errormessage"]


def test_a_plain_text_message_is_escaped_as_moodle_s_format_text_does(demo: Site) -> None:
    """FORMAT_PLAIN goes through format_text: s(), two spaces as "&nbsp; ", nl2br (lib/weblib.php). The
    emulator stored a name's markup as markup, so a nudge looked as if it injected HTML (tester round 45, 2)."""
    text = "Hello <b>Bold</b> & 'Eve'\nsecond  line"
    sent = ws(demo, "core_message_send_instant_messages",
              {"messages": [{"touserid": 4, "text": text, "textformat": 2, "clientmsgid": "e"}]})
    expected = "<p>Hello &lt;b&gt;Bold&lt;/b&gt; &amp; &#039;Eve&#039;<br />\nsecond&nbsp; line</p>"
    assert sent[0]["text"] == expected and demo.messages[-1]["text"] == expected
    html_text = ws(demo, "core_message_send_instant_messages", {"messages": [{"touserid": 4, "text": "<b>x</b>", "textformat": 1}]})
    assert html_text[0]["text"] == "<b>x</b>"  # FORMAT_HTML as given


def test_calendar_events_and_permission_warnings(demo: Site) -> None:
    event = {"name": "Circle meeting", "courseid": 2, "eventtype": "group", "timestart": 1792832400}
    created = ws(demo, "core_calendar_create_calendar_events", {"events": [event]})
    assert created["events"][0]["groupid"] == 0 and created["warnings"] == []
    demo.tokens[DEMO_TOKEN].capabilities.discard("moodle/calendar:manageentries")
    refused = ws(demo, "core_calendar_create_calendar_events", {"events": [event | {"groupid": 1}]})
    assert refused["events"] == [] and refused["warnings"][0]["warningcode"] == "nopermissions"


def test_role_assignment_in_user_context(demo: Site) -> None:
    assignment = {"roleid": 11, "userid": 66, "contextlevel": "user", "instanceid": 3}
    assert ws(demo, "core_role_assign_roles", {"assignments": [assignment]}) is None
    assert ws(demo, "core_role_assign_roles", {"assignments": [{"roleid": 11, "userid": 66, "contextid": 3 + 8}]}) is None
    assert demo.role_assignments == [{"roleid": 11, "userid": 66, "contextid": 11}]
    wrong = ws(demo, "core_role_assign_roles", {"assignments": [assignment | {"roleid": 3}]})
    assert errorcode(wrong) == "invalidparameter"


def test_users_cohorts_and_courses(demo: Site) -> None:
    found = ws(demo, "core_user_get_users_by_field", {"field": "email", "values": ["s0005@example.org", "S0006@EXAMPLE.ORG"]})
    assert [u["id"] for u in found] == [7]
    by_id = ws(demo, "core_user_get_users_by_field", {"field": "id", "values": [66, 3, 999999]})
    assert [u["id"] for u in by_id] == [3, 66] and "displayvalue" in by_id[0]["customfields"][0]
    assert errorcode(ws(demo, "core_user_get_users_by_field", {"field": "shortname", "values": ["x"]})) == "codingerror"
    assert [c["id"] for c in ws(demo, "core_cohort_get_cohorts", {"cohortids": [1, 99]})] == [1]
    assert errorcode(ws(demo, "core_cohort_get_cohort_members", {"cohortids": [1, 99]})) == "invalidrecord"
    assert len(ws(demo, "core_cohort_get_cohort_members", {"cohortids": [1]})[0]["userids"]) == 8
    found_courses = ws(demo, "core_course_get_courses_by_field", {"field": "shortname", "value": "MENTOR-2026"})["courses"]
    assert [c["id"] for c in found_courses] == [2]
    assert ws(demo, "core_course_get_courses_by_field", {"field": "id", "value": "MENTOR-2026"})["courses"] == []
