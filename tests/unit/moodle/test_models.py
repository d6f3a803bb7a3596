"""Answer models tolerate Moodle 4.5's inconsistencies; request models refuse bad values."""

from __future__ import annotations

import pytest

from lmsync.moodle import errors as E
from lmsync.moodle.api import FUNCTIONS
from lmsync.moodle.errors import exception_from_body
from lmsync.moodle.models import (
    AssignGrade,
    AssignGradeInput,
    CohortMembers,
    Course,
    EnrolledUser,
    Group,
    Grouping,
    InstantMessage,
    MessageResult,
    RoleAssignment,
    SiteInfo,
    User,
)
from tests.unit.moodle.conftest import body_of


def test_numbers_sent_as_strings_are_parsed_trap_10() -> None:
    users = [EnrolledUser.model_validate(u) for u in body_of("core_enrol_get_enrolled_users/full")]
    s0001 = next(u for u in users if u.idnumber == "s0001")
    assert s0001.profile("yearofstudy") == "1"  # stays the string Moodle sent; callers convert
    grade = AssignGrade.model_validate({"id": 1, "userid": 3, "grade": "75.00000"})
    assert grade.grade == 75.0 and grade.has_grade
    assert not AssignGrade.model_validate({"id": 2, "userid": 10, "grade": "-1.00000"}).has_grade
    assert Course.model_validate({"id": "2", "visible": "1"}).id == 2
    assert CohortMembers.model_validate({"cohortid": "1", "userids": ["6", 8]}).userids == [6, 8]


def test_missing_keys_get_defaults_trap_12() -> None:
    users = {
        u["idnumber"]: EnrolledUser.model_validate(u) for u in body_of("core_enrol_get_enrolled_users/full")
    }
    assert users["s0059"].customfields == []  # no customfields key at all
    assert users["s0059"].profile("department") is None
    assert users["s0058"].profile("department") is not None and users["s0058"].profile("interests") is None
    assert users["s0001"].groups == []  # nobody was in a group yet: key absent
    with_groups = [
        EnrolledUser.model_validate(u)
        for u in body_of("core_enrol_get_enrolled_users/userfields-with-groups")
    ]
    assert any(u.group_ids() for u in with_groups) and any(not u.group_ids() for u in with_groups)
    created = Group.model_validate(body_of("core_group_create_groups/one")[0])
    listed = Group.model_validate(body_of("core_group_get_course_groups/final")[0])
    assert created.enrolmentkey == "" and listed.enrolmentkey is None
    grouping = Grouping.model_validate(body_of("core_group_get_groupings/returngroups")[0])
    assert grouping.group_ids() and grouping.groups and grouping.groups[0].visibility == 0


def test_profile_fields_and_roles_accessors() -> None:
    limited = [
        EnrolledUser.model_validate(u) for u in body_of("core_enrol_get_enrolled_users/userfields-limited")
    ]
    s0001 = next(u for u in limited if u.idnumber == "s0001")
    assert s0001.profile_fields()["languages"] == "English, German"
    assert s0001.has_role("student")
    by_field = [User.model_validate(u) for u in body_of("core_user_get_users_by_field/by-id")]
    assert by_field[0].customfields[0].displayvalue is not None and by_field[0].suspended is False


def test_core_department_is_not_the_custom_field_trap_13() -> None:
    user = EnrolledUser.model_validate(body_of("core_enrol_get_enrolled_users/full")[0])
    assert user.department == ""  # core field, empty
    assert user.profile("department") == "Paediatrics"  # custom profile field


def test_site_info_lists_missing_functions() -> None:
    # The first series' site holds the 39-function service: the two reads the second series
    # added to service.json (issue 10 point 8) are what an un-upgraded site lacks.
    info = SiteInfo.model_validate(body_of("core_webservice_get_site_info/ok"))
    assert info.missing_functions(list(FUNCTIONS)) == [
        "core_calendar_get_calendar_events",
        "mod_forum_get_discussion_posts",
    ]
    assert info.missing_functions(["core_user_create_users"]) == ["core_user_create_users"]


def test_create_module_is_not_part_of_the_api_trap_35() -> None:
    assert "core_courseformat_create_module" not in FUNCTIONS
    assert len(FUNCTIONS) == 40


def test_undeclared_capability_failure_points_at_the_role_trap_8() -> None:
    exc = exception_from_body(
        "core_enrol_get_enrolled_users",
        body_of("core_enrol_get_enrolled_users/onlyactive-missing-enrolreview"),
    )
    assert isinstance(exc, E.MissingCapability) and exc.exit_code == 2
    assert "Review course enrolments" in (exc.hint or "") and "role" in (exc.hint or "")


def test_message_result_ok_flag() -> None:
    results = [
        MessageResult.model_validate(m) for m in body_of("core_message_send_instant_messages/to-student")
    ]
    assert results[0].ok and results[0].msgid == 1
    refused = body_of("core_message_send_instant_messages/to-student-privacy-refused")
    assert not MessageResult.model_validate(refused[0]).ok


def test_request_models_render_moodle_forms() -> None:
    assert AssignGradeInput(userid=3, grade=75, comment="<p>x</p>").to_params() == {
        "userid": 3,
        "grade": 75.0,
        "attemptnumber": -1,
        "addattempt": False,
        "workflowstate": "",
        "plugindata": {"assignfeedbackcomments_editor": {"text": "<p>x</p>", "format": 1}},
    }
    assert RoleAssignment(roleid=11, userid=66, contextlevel="user", instanceid=3).to_params() == {
        "roleid": 11,
        "userid": 66,
        "contextlevel": "user",
        "instanceid": 3,
    }
    with pytest.raises(E.InvalidParameter, match="text"):
        InstantMessage(touserid=3, text="   ")
    with pytest.raises(E.InvalidParameter, match="contextlevel"):
        RoleAssignment(roleid=11, userid=66, contextlevel="galaxy", instanceid=3)
