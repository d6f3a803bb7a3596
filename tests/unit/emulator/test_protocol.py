"""The REST server's protocol layer: tokens, services, capabilities, formats, max_input_vars."""

from __future__ import annotations

import json

from lmsync.moodle.emulator import DEMO_TOKEN, SUSPENDED_TOKEN, Site, handle
from lmsync.moodle.encoding import encode
from tests.unit.emulator.helpers import errorcode, ws

JSON = {"moodlewsrestformat": "json"}


def raw(site: Site, query: dict[str, str], form: list[tuple[str, str]] | None = None, method: str = "POST") -> tuple[int, str, str]:
    return handle(site, method, query, form or [])


def test_invalid_or_missing_token_look_the_same(demo: Site) -> None:
    wrong = raw(demo, JSON | {"wstoken": "nope", "wsfunction": "core_webservice_get_site_info"})
    missing = raw(demo, JSON | {"wsfunction": "core_webservice_get_site_info"})
    assert wrong == missing
    assert json.loads(wrong[2]) == {"exception": "core\\exception\\moodle_exception", "errorcode": "invalidtoken",
                                    "message": "Invalid token - token not found"}


def test_suspended_user_token(recorded: Site) -> None:
    answer = ws(recorded, "core_webservice_get_site_info", token=SUSPENDED_TOKEN)
    assert errorcode(answer) == "wsaccessusersuspended" and "lmsync_suspended" in answer["message"]


def test_missing_unknown_and_unserviced_functions(demo: Site) -> None:
    assert errorcode(json.loads(raw(demo, JSON | {"wstoken": DEMO_TOKEN})[2])) == "invalidparameter"
    unknown = ws(demo, "local_lmsync_does_not_exist")
    assert errorcode(unknown) == "invalidrecord" and "external_functions" in unknown["message"]
    outside = ws(demo, "core_user_create_users", {"users": [{"username": "x"}]})
    assert outside == {"exception": "webservice_access_exception", "errorcode": "accessexception", "message": "Access control exception"}


def test_capability_titles(demo: Site) -> None:
    demo.tokens[DEMO_TOKEN].capabilities.discard("moodle/course:enrolreview")
    answer = ws(demo, "core_enrol_get_enrolled_users", {"courseid": 2})
    assert answer["message"].endswith("(View participants).")
    demo.tokens[DEMO_TOKEN].capabilities.add("moodle/course:viewparticipants")
    answer = ws(demo, "core_enrol_get_enrolled_users", {"courseid": 2, "options": [{"name": "onlyactive", "value": 1}]})
    assert errorcode(answer) == "nopermissions" and answer["message"].endswith("(Review course enrolments).")


def test_web_services_disabled_is_403_with_an_empty_body(demo: Site) -> None:
    demo.web_services_enabled = False
    assert raw(demo, JSON | {"wstoken": DEMO_TOKEN, "wsfunction": "core_webservice_get_site_info"}) == (403, "text/html; charset=utf-8", "")


def test_without_format_answers_xml_for_errors_and_results(demo: Site) -> None:
    status, content_type, body = raw(demo, {"wstoken": "nope", "wsfunction": "core_webservice_get_site_info"})
    assert (status, content_type) == (200, "application/xml; charset=utf-8")
    assert "<ERRORCODE>invalidtoken</ERRORCODE>" in body and body.startswith('<?xml version="1.0" encoding="UTF-8" ?>')
    body = raw(demo, {"wstoken": DEMO_TOKEN, "wsfunction": "core_webservice_get_site_info"})[2]
    assert '<KEY name="sitename"><VALUE>lmsync demo medical school</VALUE>' in body and "<MULTIPLE>" in body


def test_get_works_like_post_and_slashes_are_escaped(demo: Site) -> None:
    status, _, body = raw(demo, JSON | {"wstoken": DEMO_TOKEN, "wsfunction": "core_webservice_get_site_info"}, method="GET")
    assert status == 200 and "http:\\/\\/" in body
    info = json.loads(body)
    assert {f["name"] for f in info["functions"]} == demo.tokens[DEMO_TOKEN].service_functions


def test_debug_site_adds_debuginfo(demo: Site) -> None:
    bad = {"groups": [{"courseid": 2, "name": "V", "description": "", "visibility": 7}]}
    assert "debuginfo" not in ws(demo, "core_group_create_groups", bad)
    demo.debug = True
    assert "visibility" in ws(demo, "core_group_create_groups", bad)["debuginfo"]


def test_parameter_validation(demo: Site) -> None:
    gid = ws(demo, "core_group_create_groups", {"groups": [{"courseid": 2, "name": "A", "description": ""}]})[0]["id"]
    query = JSON | {"wstoken": DEMO_TOKEN, "wsfunction": "core_group_add_group_members"}
    leading_zero = [("members[0][groupid]", f"0{gid}"), ("members[0][userid]", "3")]
    assert json.loads(raw(demo, query, leading_zero)[2]) is None
    space = [("members[0][groupid]", str(gid)), ("members[0][userid]", " 7")]
    assert errorcode(json.loads(raw(demo, query, space)[2])) == "invalidparameter"
    extra_key = [("members[0][groupid]", str(gid)), ("members[0][userid]", "4"), ("members[0][role]", "x")]
    assert errorcode(json.loads(raw(demo, query, extra_key)[2])) == "invalidparameter"


def _add_members(site: Site, gid: int, userids: list[int]) -> tuple[int, str, str]:
    query = JSON | {"wstoken": DEMO_TOKEN, "wsfunction": "core_group_add_group_members"}
    return raw(site, query, encode({"members": [{"groupid": gid, "userid": u} for u in userids]}))


def test_max_input_vars_cut_rejects_2501_members_and_accepts_2500(recorded: Site) -> None:
    recorded.groups[18].members.clear()
    users = list(range(78, 78 + 2501))
    assert errorcode(json.loads(_add_members(recorded, 18, users)[2])) == "invalidparameter"
    assert recorded.groups[18].members == set()
    assert json.loads(_add_members(recorded, 18, users[:2500])[2]) is None
    assert len(recorded.groups[18].members) == 2500


def test_max_input_vars_cut_makes_a_silent_partial_grade_write(recorded: Site) -> None:
    del recorded.grade_items[7]
    grades = [{"studentid": u, "grade": 50} for u in range(78, 78 + 2600)]
    params = {"source": "lmsync", "courseid": 3, "component": "mod_forum", "activityid": 7, "itemnumber": 1000,
              "grades": grades, "itemdetails": {"itemname": "load", "grademax": 80}}
    assert ws(recorded, "core_grades_update_grades", params) == 0
    item = next(i for i in recorded.grade_items.values() if i.courseid == 3 and i.itemnumber == 1000)
    assert len(item.grades) == 2498
    assert item.itemname is None and item.grademax == 100  # the item details came after the cut


def test_query_string_variables_are_counted_separately(demo: Site) -> None:
    demo.max_input_vars = 4
    gid = ws(demo, "core_group_create_groups", {"groups": [{"courseid": 2, "name": "A", "description": ""}]})[0]["id"]
    assert json.loads(_add_members(demo, gid, [3, 4])[2]) is None  # 4 form vars + 3 query vars: no cut
    assert errorcode(json.loads(_add_members(demo, gid, [5, 6, 7])[2])) == "invalidparameter"
