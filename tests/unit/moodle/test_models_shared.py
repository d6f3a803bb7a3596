"""The structures the Moodle models share: the group/grouping request heads, the described and
activity answer heads, and the keyed-entry lookup (issue 12: one declaration where Moodle shares one)."""

from __future__ import annotations

import pytest

from lmsync.moodle import models as m
from lmsync.moodle.errors import InvalidParameter
from lmsync.moodle.models._base import first

# -- requests: the wire order is the recorded one ----------------------------------------


# Every field set, written in the order the form must carry them (create: the recorded
# optional-fields.json; update: Moodle's update_groups_parameters).
FULL_GROUP_REQUESTS: list[tuple[type[m.MoodleInput], dict[str, object]]] = [
    (
        m.NewGroup,
        {
            "courseid": 2,
            "name": "Circle",
            "description": "d",
            "descriptionformat": 1,
            "idnumber": "lmsync:1",
            "enrolmentkey": "k",
            "visibility": 1,
            "participation": False,
        },
    ),
    (
        m.GroupUpdate,
        {
            "id": 5,
            "name": "Circle",
            "description": "d",
            "descriptionformat": 1,
            "enrolmentkey": "k",
            "idnumber": "x",
            "visibility": 0,
            "participation": True,
        },
    ),
    (
        m.NewGrouping,
        {"courseid": 2, "name": "Circles", "description": "", "descriptionformat": 1, "idnumber": "x"},
    ),
    (
        m.GroupingUpdate,
        {"id": 1, "name": "Circles", "description": "", "descriptionformat": 1, "idnumber": "x"},
    ),
]


@pytest.mark.parametrize(("model", "fields"), FULL_GROUP_REQUESTS, ids=lambda v: getattr(v, "__name__", ""))
def test_group_requests_send_every_field_in_the_wire_order(
    model: type[m.MoodleInput], fields: dict[str, object]
) -> None:
    shuffled = dict(reversed(list(fields.items())))
    assert list(model(**shuffled).to_params().items()) == list(fields.items())


def test_a_group_update_omits_what_is_not_set() -> None:
    assert m.GroupUpdate(id=5, name="Circle").to_params() == {"id": 5, "name": "Circle"}


def test_new_grouping_always_sends_an_idnumber_and_a_new_group_does_not() -> None:
    assert m.NewGrouping(courseid=2, name="Circles").to_params() == {
        "courseid": 2,
        "name": "Circles",
        "description": "",
        "idnumber": "",
    }
    assert m.NewGroup(courseid=2, name="Circle").to_params() == {
        "courseid": 2,
        "name": "Circle",
        "description": "",
    }


def test_grouping_update_requires_the_description_a_group_update_does_not() -> None:
    with pytest.raises(InvalidParameter, match="description"):
        m.GroupingUpdate(id=1, name="Circles")
    assert list(m.GroupingUpdate(id=1, name="Circles", description="", idnumber="x").to_params()) == [
        "id",
        "name",
        "description",
        "idnumber",
    ]


@pytest.mark.parametrize("model", [m.NewGroup, m.NewGrouping])
def test_the_create_head_checks_names_and_idnumbers_for_both(model: type[m.MoodleInput]) -> None:
    with pytest.raises(InvalidParameter, match="whitespace"):
        model(courseid=2, name="Circle ")
    with pytest.raises(InvalidParameter, match="idnumber"):
        model(courseid=2, name="Circle", idnumber=" x")
    with pytest.raises(InvalidParameter, match="integer"):
        model(courseid="2", name="Circle")


def test_each_request_names_its_own_function() -> None:
    assert m.NewGroup.wsfunction == "core_group_create_groups"
    assert m.GroupUpdate.wsfunction == "core_group_update_groups"
    assert m.NewGrouping.wsfunction == "core_group_create_groupings"
    assert m.GroupingUpdate.wsfunction == "core_group_update_groupings"
    assert m.GradeInput.wsfunction == m.GradeItemDetails.wsfunction == "core_grades_update_grades"
    with pytest.raises(InvalidParameter, match="core_group_update_groupings"):
        m.GroupingUpdate(id=1, name="")


# -- answers: the shared heads parse like the fields they replace -------------------------


def test_described_answers_parse_the_head_and_keep_their_own_fields() -> None:
    raw = {"id": "7", "courseid": 2, "name": "Circle", "description": "<p>x</p>", "descriptionformat": "1"}
    group = m.Group.model_validate(raw | {"idnumber": "lmsync:7", "enrolmentkey": None})
    assert (group.id, group.courseid, group.name, group.descriptionformat, group.idnumber) == (
        7,
        2,
        "Circle",
        1,
        "lmsync:7",
    )
    assert m.Grouping.model_validate(raw).description == "<p>x</p>"
    assert m.UserGroup.model_validate({"id": 3}).model_dump() == {
        "id": 3,
        "name": "",
        "description": "",
        "descriptionformat": 1,
    }
    cohort = m.Cohort.model_validate(
        {"id": 4, "name": "Year 1", "idnumber": "y1", "visible": 0, "theme": "x"}
    )
    assert (cohort.name, cohort.description, cohort.visible, cohort.theme) == ("Year 1", "", False, "x")
    with pytest.raises(ValueError):
        m.Grouping.model_validate({"name": "no id", "courseid": 2})


def test_activity_answers_parse_the_instance_columns() -> None:
    feedback = m.Feedback.model_validate(
        {"id": 9, "course": "2", "name": "Survey", "anonymous": 2, "coursemodule": 40}
    )
    assert (feedback.id, feedback.course, feedback.intro, feedback.is_anonymous, feedback.coursemodule) == (
        9,
        2,
        "",
        False,
        40,
    )
    forum = m.Forum.model_validate(
        {"id": 3, "course": 2, "cmid": 31, "name": "Circles", "intro": "i", "lang": "en"}
    )
    assert (forum.id, forum.cmid, forum.name, forum.intro, forum.model_extra) == (
        3,
        31,
        "Circles",
        "i",
        {"lang": "en"},
    )
    with pytest.raises(ValueError):
        m.Forum.model_validate({"id": 3, "cmid": 31})  # no course


# -- keyed entries -------------------------------------------------------------------------


def test_first_gives_the_first_accepted_entry_or_none() -> None:
    assert first([1, 4, 6, 8], lambda n: n % 2 == 0) == 4
    assert first([1, 3], lambda n: n % 2 == 0) is None
    assert first([], lambda n: True) is None


def test_lookups_by_key_find_the_first_entry_and_none_when_absent() -> None:
    user = m.User.model_validate(
        {
            "id": 1,
            "customfields": [
                {"shortname": "department", "value": "Paediatrics"},
                {"shortname": "department", "value": "Later duplicate"},
                {"shortname": "interests", "value": None},
            ],
        }
    )
    assert user.profile("department") == "Paediatrics"
    assert user.profile("interests") is None
    assert user.profile("missing") is None

    attempt = m.FeedbackAttempt.model_validate(
        {"id": 1, "userid": 5, "responses": [{"id": 10, "rawval": "3"}, {"id": 11, "rawval": None}]}
    )
    assert attempt.rawval(10) == "3"
    assert attempt.rawval(11) is None
    assert attempt.rawval(12) is None

    configs = [
        {"plugin": "comments", "subtype": "assignfeedback", "name": "enabled", "value": "0"},
        {"plugin": "comments", "subtype": "assignsubmission", "name": "enabled", "value": "1"},
    ]
    assignment = m.Assignment.model_validate({"id": 1, "cmid": 2, "course": 3, "configs": configs})
    assert assignment.config("assignsubmission", "comments", "enabled") == "1"
    assert assignment.config("assignfeedback", "comments", "enabled") == "0"
    assert assignment.config("assignfeedback", "file", "enabled") is None
    assert not assignment.feedback_comments_enabled
