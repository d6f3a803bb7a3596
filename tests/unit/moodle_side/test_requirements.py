"""plugin_config's data agrees with what the recording site proved, and the loaders type it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from lmsync.moodle import encoding
from lmsync.moodle_side import requirements as req
from lmsync.moodle_side.requirements import Probe, ProbeCheck

RECORDINGS = Path(__file__).resolve().parents[2] / "contract" / "recordings"

# Values for probe placeholders on the recording site (README tables): course 2, s0001 = user 3,
# circle 1, forum 3 "Mentoring circles", feedback 1, assignment 1.
SITE_VALUES = {"courseid": 2, "userid": 3, "groupid": 1, "forumid": 3, "feedbackid": 1, "assignmentid": 1}


def test_functions_are_exactly_the_recorded_service(service_json):
    assert req.required_functions() == service_json["functions"]
    assert len(req.required_functions()) == 40  # issue 10 point 8: the second series added two reads
    assert {"mod_forum_get_discussion_posts", "core_calendar_get_calendar_events"} <= set(req.required_functions())
    assert "core_courseformat_create_module" not in req.required_functions()


def test_every_function_has_a_reason_and_an_access_kind():
    for function in req.functions():
        assert len(function.reason) > 20, function.name
        # Moodle names its reads get/search; everything else creates, changes, posts or sends.
        is_read = "_get_" in function.name or "_search_" in function.name
        assert function.access == ("read" if is_read else "write"), function.name


def test_capabilities_are_exactly_the_recorded_role(service_json):
    names = [c.name for c in req.required_capabilities()]
    assert sorted(names) == sorted(service_json["capabilities"])
    assert len(names) == 24


def test_capabilities_name_only_functions_of_the_service():
    functions = set(req.required_functions())
    for cap in req.required_capabilities():
        assert set(cap.needed_by) - {"*"} <= functions, cap.name
        if cap.probe is not None:
            assert cap.probe.function in functions, cap.name


def test_nopermissions_titles_seen_in_recordings_match():
    titles = {c.name: c.title for c in req.required_capabilities()}
    seen = set()
    for path in RECORDINGS.glob("*/*.json"):
        body = json.loads(path.read_text(encoding="utf-8"))["response"]["body"]
        seen.update(re.findall(r"permissions to do that \(([^)]+)\)", body))
    # Of the titles Moodle printed, those of capabilities in the role are spelled as we spell them.
    assert "Manage groups" in seen and "Review course enrolments" in seen
    assert titles["moodle/course:managegroups"] == "Manage groups"
    assert titles["moodle/course:enrolreview"] == "Review course enrolments"


def test_write_only_capabilities_have_no_probe_but_a_reason():
    no_probe = {c.name for c in req.required_capabilities() if c.probe is None}
    assert no_probe == {
        "moodle/grade:edit",
        "moodle/grade:manage",
        "moodle/grade:hide",
        "moodle/site:sendmessage",
        "moodle/site:messageanyuser",
        "moodle/calendar:manageentries",
        "moodle/role:assign",
    }
    for cap in req.required_capabilities():
        if cap.probe is None:
            assert cap.no_probe_reason
    write_functions = {f.name for f in req.functions() if f.access == "write"}
    for cap in req.required_capabilities():
        if cap.probe is not None:
            assert cap.probe.function not in write_functions, f"{cap.name}: probe must be a read"


def test_probe_placeholders_are_declared_and_render():
    declared = set(req.probe_placeholders())
    assert declared == set(SITE_VALUES)
    for cap in req.required_capabilities():
        if cap.probe is None:
            continue
        params = cap.probe.render(SITE_VALUES)
        assert not re.search(r"\{[a-z_]+\}", json.dumps(params)), cap.name


def test_probe_parameters_are_ones_moodle_accepted_in_recordings():
    """Each probe's form keys were sent, for that function, in some recorded exchange."""
    for cap in req.required_capabilities():
        if cap.probe is None or not cap.probe.params:
            continue
        recorded_keys: set[str] = set()
        for path in (RECORDINGS / cap.probe.function).glob("*.json"):
            form = json.loads(path.read_text(encoding="utf-8"))["request"]["form"]
            recorded_keys.update(re.sub(r"\[\d+\]", "[]", key) for key, _ in form)
        assert recorded_keys, f"no recording for {cap.probe.function}"
        keys = {re.sub(r"\[\d+\]", "[]", key) for key, _ in encoding.encode(cap.probe.render(SITE_VALUES))}
        assert keys <= recorded_keys, f"{cap.name}: {sorted(keys - recorded_keys)} never recorded"


def test_render_refuses_missing_values_and_keeps_types():
    probe = next(c.probe for c in req.required_capabilities() if c.name == "moodle/course:managegroups")
    assert probe is not None
    with pytest.raises(ValueError, match="courseid"):
        probe.render({})
    assert probe.render({"courseid": 2}) == {"courseid": 2}


def _probe(name: str) -> Probe:
    probe = next(c.probe for c in req.required_capabilities() if c.name == name)
    assert probe is not None
    return probe


@pytest.mark.parametrize(
    ("capability", "good", "bad"),
    [
        (
            "moodle/course:managegroups",
            "core_group_get_course_groups/final.json",
            "core_group_get_course_groups/missing-capability.json",
        ),
        (
            "moodle/course:enrolreview",
            "core_enrol_get_enrolled_users/onlyactive.json",
            "core_enrol_get_enrolled_users/onlyactive-missing-enrolreview.json",
        ),
        (
            "mod/assign:view",
            "mod_assign_get_assignments/includenotenrolledcourses.json",
            "mod_assign_get_assignments/not-enrolled-warning.json",
        ),
    ],
)
def test_probe_checks_tell_recorded_success_from_recorded_failure(capability, good, bad, recording):
    check = _probe(capability).check
    assert check.passes(recording(good)["decoded"], SITE_VALUES)
    assert not check.passes(recording(bad)["decoded"], SITE_VALUES)


def test_assign_grade_probe_reads_the_permission_warning(recording):
    check = _probe("mod/assign:grade").check
    assert check.passes(recording("mod_assign_get_grades/after-save.json")["decoded"], SITE_VALUES)
    # warningcode 3 ("No grades found") is not a permission problem
    assert check.passes(recording("mod_assign_get_grades/unknown-assignment.json")["decoded"], SITE_VALUES)
    refused = {
        "assignments": [],
        "warnings": [
            {
                "item": "assignment",
                "itemid": 5,
                "warningcode": "1",
                "message": "No access rights in module context",
            }
        ],
    }
    assert not check.passes(refused, SITE_VALUES)


def test_user_detail_probes_pass_on_the_recorded_answer(recording):
    answer = recording("core_user_get_users_by_field/by-id.json")["decoded"]
    for name in ("moodle/user:viewdetails", "moodle/user:viewalldetails", "moodle/site:viewuseridentity"):
        assert _probe(name).check.passes(answer, SITE_VALUES), name
        assert not _probe(name).check.passes([], SITE_VALUES), name  # user silently left out
    without_email = [{k: v for k, v in answer[0].items() if k != "email"}]
    assert not _probe("moodle/site:viewuseridentity").check.passes(without_email, SITE_VALUES)
    assert _probe("moodle/user:viewalldetails").check.passes(without_email, SITE_VALUES)


def test_startdiscussion_probe_reads_cancreatediscussions(recording):
    forums = recording("mod_forum_get_forums_by_courses/course.json")["decoded"]
    check = _probe("mod/forum:startdiscussion").check
    assert check.passes(forums, SITE_VALUES)  # forum 3: true
    assert not check.passes(forums, {**SITE_VALUES, "forumid": 1})  # the news forum: false
    assert not check.passes(forums, {**SITE_VALUES, "forumid": 99})  # no such forum


def test_probe_check_paths():
    answer = {"courses": [{"id": 2, "items": [{"id": 7, "ok": False}]}]}
    assert ProbeCheck(kind="present", path="courses.0.items.[id=7]").passes(answer)
    assert ProbeCheck(kind="equals", path="courses.[id={c}].items.0.ok", value=False).passes(answer, {"c": 2})
    assert not ProbeCheck(kind="present", path="courses.3").passes(answer)
    assert not ProbeCheck(kind="present", path="courses.0.items.[id=8]").passes(answer)
    exception = {"exception": "x", "errorcode": "nopermissions", "message": "..."}
    assert not ProbeCheck(kind="no_exception").passes(exception)
    with pytest.raises(ValueError):
        ProbeCheck(kind="present")


def test_plugin_service_covers_exactly_the_function_list():
    for name in req.required_functions():
        assert req.plugin_service_covers(name)
    assert not req.plugin_service_covers("core_user_create_users")  # recorded: not in the service
    assert not req.plugin_service_covers("core_courseformat_create_module")


def test_profile_fields_cover_the_recorded_values(site_json):
    fields = {f.shortname: f for f in req.profile_fields()}
    assert set(fields) == {"department", "interests", "yearofstudy", "mentorcapacity", "languages"}
    assert req.profile_field_category() == "Mentoring programme"
    assert fields["yearofstudy"].visibility == "user" and fields["mentorcapacity"].visibility == "user"
    for user in site_json["users"]:
        for shortname, value in user.get("customfields", {}).items():
            field = fields[shortname]
            if field.datatype == "menu":
                assert value in field.values, (shortname, value)


def test_activities_match_the_recorded_course(site_json):
    acts = {a.name: a for a in req.activities()}
    forums = {f["name"]: f for f in site_json["forums"]}
    assert acts["Mentoring circles"].settings["groupmode"] == "separate"
    assert acts["Programme notices"].settings["groupmode"] == "none"
    for name in ("Mentoring circles", "Programme notices"):
        assert acts[name].modname == "forum" and forums[name]["type"] == acts[name].settings["type"]
    feedback = site_json["feedbacks"][0]
    ours = acts[feedback["name"]]
    assert ours.settings["anonymous"] == feedback["anonymous"] == 2
    recorded = [
        (i["label"], i["typ"], i["name"], i["required"], i["presentation"]) for i in feedback["items"]
    ]
    assert [(i.label, i.typ, i.name, i.required, i.presentation) for i in ours.items] == recorded
    assignment = site_json["assignments"][0]
    assert acts[assignment["name"]].settings["grade"] == assignment["grade"]


def test_loading_rejects_unknown_keys():
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        req.ProfileField.model_validate(
            {
                "shortname": "x",
                "name": "X",
                "datatype": "text",
                "visibility": "user",
                "values": [],
                "who": "a",
                "use": "b",
                "colour": "red",
            }
        )
