"""Replay every recorded Moodle 4.5 exchange through the client.

Two levels:

* transport: each recording's form goes through ``Transport.call``; the request on the
  wire must be the recorded one (same variables, same order) with the token as the first
  field of the body and ``wsfunction``/``moodlewsrestformat`` in the query (trap 37). The
  recordings carry the token in either place (series 1 in the query, series 2 first in the
  body), so both are compared without it and the token's place is checked on its own;
  the recorded answer must come back as the decoded JSON or as the typed exception its
  ``errorcode`` calls for;
* api: each recording of a service function is turned back into a ``MoodleApi`` call;
  the typed method must send the recorded form (or refuse locally, or differ on purpose,
  as listed below with the reason) and parse the answer into its model or raise the
  typed exception.

The expected exception classes below are written out by hand from the README's trap list,
not taken from the client's own mapping.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
import responses

from lmsync.moodle import errors as E
from lmsync.moodle import models as m
from lmsync.moodle.api import FUNCTIONS, OPTIONAL_FUNCTIONS, MoodleApi
from lmsync.moodle.encoding import decode
from lmsync.moodle.transport import ENDPOINT, Transport
from lmsync.secrets import Token
from tests.contract.recordings import Recording, load_recordings, service_functions

URL = "https://moodle.example.test"
TOKEN = "c0ffee00c0ffee00c0ffee00c0ffee00"
RECORDINGS = list(load_recordings())
REPLAYED: dict[str, int] = {"transport": 0, "api": 0}

# errorcode -> the exception class the client must raise (README traps 1-5, 34, 35).
EXPECTED_BY_ERRORCODE: dict[str, type[E.MoodleException]] = {
    "invalidtoken": E.InvalidToken,
    "wsaccessusersuspended": E.UserSuspended,
    "accessexception": E.AccessDenied,
    "nopermissions": E.MissingCapability,
    "invalidparameter": E.InvalidParameter,
    "invaliduserfield": E.InvalidUserField,
    "invalidrecord": E.InvalidRecord,
    "idnumbertaken": E.IdnumberTaken,
    "invaliduser": E.InvalidUser,
    "invalidresponse": E.InvalidResponse,
    "invalidcoursemodule": E.InvalidCourseModule,
    "formatnotsupported": E.FormatNotSupported,
    "codingerror": E.CodingError,
}
EXIT_2 = {"invalidtoken", "wsaccessusersuspended", "accessexception", "nopermissions", "codingerror"}


def expected_error(rec: Recording) -> type[E.MoodleError] | None:
    resp = rec.response
    if resp.status == 403 and not resp.body.strip():
        return E.WebServicesDisabled
    if not resp.is_json:
        return E.NotJSON
    code = resp.errorcode
    if code is None:
        return None
    if code == "invalidrecord" and "external_functions" in resp.json()["message"]:
        return E.UnknownFunction
    return EXPECTED_BY_ERRORCODE.get(code, E.MoodleException)


def make_transport(budget: int = 2000) -> Transport:
    return Transport(URL, Token(TOKEN), sleep=lambda s: None, budget=budget)


def sent_body(call: Any) -> list[tuple[str, str]]:
    body = call.request.body or ""
    if isinstance(body, bytes):
        body = body.decode()
    return parse_qsl(body, keep_blank_values=True)


def sent_form(call: Any) -> list[tuple[str, str]]:
    """The parameters sent, after checking the token travelled first in the body (trap 37)."""
    body = sent_body(call)
    assert body[:1] == [("wstoken", TOKEN)], "the token must be the first field of the POST body"
    assert "wstoken" not in call.request.url
    return body[1:]


def recorded_params(rec: Recording) -> list[tuple[str, str]]:
    """The recorded form without the token, wherever the recording carried it."""
    form = rec.request.form
    if form[:1] and form[0][0] == "wstoken":
        assert "wstoken" not in rec.request.query  # series 2: first in the body, not in the query
        return form[1:]
    return form


def sent_query(call: Any) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(call.request.url).query, keep_blank_values=True))


def add_recorded(rsps: responses.RequestsMock, rec: Recording) -> None:
    rsps.add(
        responses.POST,
        URL + ENDPOINT,
        body=rec.response.body,
        status=rec.response.status,
        content_type=rec.response.content_type or None,
    )


# ----------------------------------------------------------------------------------------
# Transport level: all recordings
# ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("rec", RECORDINGS, ids=[r.name for r in RECORDINGS])
def test_transport_replays_recording(rec: Recording) -> None:
    recorded = recorded_params(rec)
    params = decode(recorded)
    if len(recorded) > 2000:
        # Over the default budget (traps 23-25): refused before sending; replayed with a
        # raised budget to check the wire format anyway.
        with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
            add_recorded(rsps, rec)
            with pytest.raises(E.RequestTooLarge):
                make_transport().call(rec.function, params)
            assert len(rsps.calls) == 0
    transport = make_transport(budget=max(2000, len(recorded)))
    expected = expected_error(rec)
    with responses.RequestsMock() as rsps:
        add_recorded(rsps, rec)
        if expected is None:
            result = transport.call(rec.function, params)
            assert result == rec.response.json()
        else:
            with pytest.raises(expected) as info:
                transport.call(rec.function, params)
            err = info.value
            assert type(err) is expected
            assert err.function == rec.function
            if isinstance(err, E.MoodleException):
                body = rec.response.json()
                assert err.errorcode == body["errorcode"]
                assert err.debuginfo == body.get("debuginfo")
                assert err.exit_code == (2 if err.errorcode in EXIT_2 or expected is E.UnknownFunction else 1)
            assert err.hint
        assert len(rsps.calls) == 1  # never retried: every recorded failure is an answer
        call = rsps.calls[0]
    # The client always sends the function and the format in the query and the token first
    # in the body (the recordings that leave one out show what happens when a client forgets).
    assert sent_query(call) == {"wsfunction": rec.function, "moodlewsrestformat": "json"}
    assert call.request.method == "POST"
    assert sent_form(call) == recorded
    REPLAYED["transport"] += 1


def test_missing_capability_names_the_capability_trap_5() -> None:
    by_name = {r.name: r for r in RECORDINGS}
    rec = by_name["core_group_create_groups/missing-capability"]
    with responses.RequestsMock() as rsps:
        add_recorded(rsps, rec)
        with pytest.raises(E.MissingCapability) as info:
            make_transport().call(rec.function, decode(recorded_params(rec)))
    assert info.value.capability == "Manage groups"
    assert "Manage groups" in (info.value.hint or "")


# ----------------------------------------------------------------------------------------
# API level: recordings of the service's functions
# ----------------------------------------------------------------------------------------


def num(value: Any) -> Any:
    """A form string back to the int the caller would have passed; odd strings stay strings."""
    if isinstance(value, str) and re.fullmatch(r"-?(0|[1-9][0-9]*)", value):
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"-?[0-9]+\.[0-9]+", value):
        return float(value)
    return value


def nums(values: Any) -> Any:
    if values is None:
        return None
    return [num(v) for v in values]


def flag(value: Any) -> bool | None:
    return None if value is None else value == "1"


def typed(d: dict[str, Any], ints: tuple[str, ...] = (), bools: tuple[str, ...] = ()) -> dict[str, Any]:
    out = dict(d)
    for k in ints:
        if k in out:
            out[k] = num(out[k])
    for k in bools:
        if k in out:
            out[k] = flag(out[k])
    return out


def options(f: dict[str, Any]) -> dict[str, Any]:
    return {o["name"]: o["value"] for o in f.get("options", [])}


def enrolled(api: MoodleApi, f: dict[str, Any]) -> Any:
    o = options(f)
    return api.get_enrolled_users(
        num(f["courseid"]),
        groupid=num(o["groupid"]) if "groupid" in o else None,
        userfields=o["userfields"].split(",") if "userfields" in o else None,
        withcapability=o.get("withcapability"),
        onlyactive=flag(o.get("onlyactive")),
        limitfrom=num(o["limitfrom"]) if "limitfrom" in o else None,
        limitnumber=num(o["limitnumber"]) if "limitnumber" in o else None,
        page_size=None,
    )


def search(api: MoodleApi, f: dict[str, Any]) -> Any:
    c = f.get("context", {})
    return api.search_cohorts(
        f["query"],
        contextid=num(c["contextid"]) if "contextid" in c else None,
        contextlevel=c.get("contextlevel"),
        instanceid=num(c["instanceid"]) if "instanceid" in c else None,
        includes=f.get("includes"),
        limitfrom=num(f["limitfrom"]) if "limitfrom" in f else None,
        limitnum=num(f["limitnum"]) if "limitnum" in f else None,
    )


def update_grades(api: MoodleApi, f: dict[str, Any]) -> Any:
    details = f.get("itemdetails")
    if details is not None:
        details = typed(details, ints=("grademax", "grademin", "gradetype"), bools=("hidden", "deleted"))
        if isinstance(details.get("idnumber"), str) and details["idnumber"].isdigit():
            details["idnumber"] = int(details["idnumber"])
    return api.update_grades(
        f["source"],
        num(f["courseid"]),
        f["component"],
        num(f["activityid"]),
        num(f["itemnumber"]),
        [typed(g, ints=("studentid", "grade")) for g in f.get("grades", [])],
        details,
    )


def save_assign(api: MoodleApi, f: dict[str, Any]) -> Any:
    grades = []
    for g in f["grades"]:
        row: dict[str, Any] = typed(g, ints=("userid", "grade", "attemptnumber"), bools=("addattempt",))
        editor = row.pop("plugindata", {}).get("assignfeedbackcomments_editor")
        if editor:
            row["comment"] = editor["text"]
            row["commentformat"] = num(editor["format"])
        grades.append(row)
    return api.save_assign_grades(
        num(f["assignmentid"]), grades, applytoall=flag(f.get("applytoall")) or False
    )


def discussion(api: MoodleApi, f: dict[str, Any]) -> Any:
    return api.add_discussion(
        num(f["forumid"]),
        f["subject"],
        f["message"],
        groupid=num(f.get("groupid")),  # None when the recording left it out: refused locally
        options={k: num(v) for k, v in options(f).items()} or None,
    )


def calendar_events(api: MoodleApi, f: dict[str, Any]) -> Any:
    events = f.get("events", {})
    o = f.get("options", {})
    return api.get_calendar_events(
        **{k: nums(events[k]) for k in ("eventids", "courseids", "groupids", "categoryids") if k in events},
        **{k: flag(o[k]) for k in ("userevents", "siteevents", "ignorehidden") if k in o},
        **{k: num(o[k]) for k in ("timestart", "timeend") if k in o},
    )


GROUP_INTS = ("id", "courseid", "descriptionformat", "visibility")

ADAPTERS: dict[str, Callable[[MoodleApi, dict[str, Any]], Any]] = {
    "core_webservice_get_site_info": lambda api, f: api.get_site_info(),
    "core_course_get_courses_by_field": lambda api, f: api.get_courses_by_field(
        f.get("field"), f.get("value")
    ),
    "core_enrol_get_enrolled_users": enrolled,
    "core_user_get_users_by_field": lambda api, f: api.get_users_by_field(
        f["field"], nums(f["values"]) if f["field"] == "id" else f["values"]
    ),
    "core_cohort_get_cohorts": lambda api, f: api.get_cohorts(nums(f.get("cohortids"))),
    "core_cohort_search_cohorts": search,
    "core_cohort_get_cohort_members": lambda api, f: api.get_cohort_members(nums(f["cohortids"])),
    "core_group_create_groupings": lambda api, f: api.create_groupings(
        [typed(g, ints=GROUP_INTS) for g in f["groupings"]]
    ),
    "core_group_get_course_groupings": lambda api, f: api.get_course_groupings(num(f["courseid"])),
    "core_group_get_groupings": lambda api, f: api.get_groupings(
        nums(f["groupingids"]), returngroups=flag(f.get("returngroups")) or False
    ),
    "core_group_update_groupings": lambda api, f: api.update_groupings(
        [typed(g, ints=GROUP_INTS) for g in f["groupings"]]
    ),
    "core_group_delete_groupings": lambda api, f: api.delete_groupings(nums(f["groupingids"])),
    "core_group_create_groups": lambda api, f: api.create_groups(
        [typed(g, ints=GROUP_INTS, bools=("participation",)) for g in f["groups"]]
    ),
    "core_group_get_course_groups": lambda api, f: api.get_course_groups(num(f["courseid"])),
    "core_group_update_groups": lambda api, f: api.update_groups(
        [typed(g, ints=GROUP_INTS, bools=("participation",)) for g in f["groups"]]
    ),
    "core_group_delete_groups": lambda api, f: api.delete_groups(nums(f["groupids"])),
    "core_group_assign_grouping": lambda api, f: api.assign_grouping(
        [typed(a, ints=("groupingid", "groupid")) for a in f["assignments"]]
    ),
    "core_group_unassign_grouping": lambda api, f: api.unassign_grouping(
        [typed(a, ints=("groupingid", "groupid")) for a in f["unassignments"]]
    ),
    "core_group_add_group_members": lambda api, f: api.add_group_members(
        [typed(a, ints=("groupid", "userid")) for a in f["members"]]
    ),
    "core_group_get_group_members": lambda api, f: api.get_group_members(nums(f["groupids"])),
    "core_group_delete_group_members": lambda api, f: api.delete_group_members(
        [typed(a, ints=("groupid", "userid")) for a in f["members"]]
    ),
    "mod_forum_get_forums_by_courses": lambda api, f: api.get_forums_by_courses(nums(f["courseids"])),
    "mod_forum_add_discussion": discussion,
    "mod_forum_get_forum_discussions": lambda api, f: api.get_forum_discussions(
        num(f["forumid"]),
        sortorder=num(f["sortorder"]) if "sortorder" in f else None,
        page=num(f["page"]) if "page" in f else None,
        perpage=num(f["perpage"]) if "perpage" in f else None,
    ),
    "mod_feedback_get_feedbacks_by_courses": lambda api, f: api.get_feedbacks_by_courses(
        nums(f.get("courseids"))
    ),
    "mod_feedback_get_items": lambda api, f: api.get_feedback_items(num(f["feedbackid"])),
    "mod_feedback_get_responses_analysis": lambda api, f: api.get_feedback_responses_analysis(
        num(f["feedbackid"]),
        groupid=num(f.get("groupid")),
        page=num(f.get("page")),
        perpage=num(f.get("perpage")),
    ),
    "mod_feedback_get_analysis": lambda api, f: api.get_feedback_analysis(
        num(f["feedbackid"]), groupid=num(f.get("groupid")), courseid=num(f.get("courseid"))
    ),
    "mod_feedback_get_non_respondents": lambda api, f: api.get_feedback_non_respondents(
        num(f["feedbackid"]),
        groupid=num(f.get("groupid")),
        sort=f.get("sort"),
        page=num(f.get("page")),
        perpage=num(f.get("perpage")),
    ),
    "core_grades_update_grades": update_grades,
    "gradereport_user_get_grade_items": lambda api, f: api.get_user_grade_items(
        num(f["courseid"]), userid=num(f.get("userid")), groupid=num(f.get("groupid"))
    ),
    "core_grades_get_gradeitems": lambda api, f: api.get_gradeitems(num(f["courseid"])),
    "mod_assign_get_assignments": lambda api, f: api.get_assignments(
        nums(f.get("courseids")), includenotenrolledcourses=flag(f.get("includenotenrolledcourses"))
    ),
    "mod_assign_save_grades": save_assign,
    "mod_assign_get_grades": lambda api, f: api.get_assign_grades(nums(f["assignmentids"])),
    "core_message_send_instant_messages": lambda api, f: api.send_instant_messages(
        [typed(x, ints=("touserid", "textformat")) for x in f["messages"]], per_request=len(f["messages"])
    ),
    "core_calendar_create_calendar_events": lambda api, f: api.create_calendar_events(
        [
            typed(e, ints=("courseid", "groupid", "format", "timestart", "timeduration", "visible"))
            for e in f["events"]
        ]
    ),
    "core_role_assign_roles": lambda api, f: api.assign_roles(
        [typed(a, ints=("roleid", "userid", "contextid", "instanceid")) for a in f["assignments"]]
    ),
    "mod_forum_get_discussion_posts": lambda api, f: api.get_discussion_posts(
        num(f["discussionid"]), sortby=f.get("sortby", "created"), sortdirection=f.get("sortdirection", "ASC")
    ),
    "core_calendar_get_calendar_events": calendar_events,
    "core_group_get_groups": lambda api, f: api.get_groups(nums(f["groupids"])),
}

# What a successful answer of each function parses into: a model, (list, model), or None.
RETURNS: dict[str, Any] = {
    "core_webservice_get_site_info": m.SiteInfo,
    "core_course_get_courses_by_field": m.CoursesResult,
    "core_enrol_get_enrolled_users": (list, m.EnrolledUser),
    "core_user_get_users_by_field": (list, m.User),
    "core_cohort_get_cohorts": (list, m.Cohort),
    "core_cohort_search_cohorts": (list, m.Cohort),
    "core_cohort_get_cohort_members": (list, m.CohortMembers),
    "core_group_create_groupings": (list, m.Grouping),
    "core_group_get_course_groupings": (list, m.Grouping),
    "core_group_get_groupings": (list, m.Grouping),
    "core_group_update_groupings": None,
    "core_group_delete_groupings": None,
    "core_group_create_groups": (list, m.Group),
    "core_group_get_course_groups": (list, m.Group),
    "core_group_update_groups": None,
    "core_group_delete_groups": None,
    "core_group_assign_grouping": None,
    "core_group_unassign_grouping": None,
    "core_group_add_group_members": None,
    "core_group_get_group_members": (list, m.GroupMembers),
    "core_group_delete_group_members": None,
    "mod_forum_get_forums_by_courses": (list, m.Forum),
    "mod_forum_add_discussion": m.AddDiscussionResult,
    "mod_forum_get_forum_discussions": m.DiscussionsPage,
    "mod_feedback_get_feedbacks_by_courses": m.FeedbacksResult,
    "mod_feedback_get_items": m.FeedbackItemsResult,
    "mod_feedback_get_responses_analysis": m.ResponsesAnalysis,
    "mod_feedback_get_analysis": m.FeedbackAnalysis,
    "mod_feedback_get_non_respondents": m.NonRespondents,
    "core_grades_update_grades": m.GradeUpdateResult,
    "gradereport_user_get_grade_items": m.GradeReport,
    "core_grades_get_gradeitems": m.GradeItemsResult,
    "mod_assign_get_assignments": m.AssignmentsResult,
    "mod_assign_save_grades": None,
    "mod_assign_get_grades": m.AssignGradesResult,
    "core_message_send_instant_messages": (list, m.MessageResult),
    "core_calendar_create_calendar_events": m.CalendarEventsResult,
    "core_role_assign_roles": None,
    "mod_forum_get_discussion_posts": m.DiscussionPosts,
    "core_calendar_get_calendar_events": m.CalendarEventsResult,
    "core_group_get_groups": (list, m.Group),
}

# Recordings of mistakes the client catches itself: InvalidParameter(local=True), nothing sent.
REFUSED_LOCALLY = {
    "core_course_get_courses_by_field/bad-field": "field name typo",
    "core_course_get_courses_by_field/id-as-text": "a non-numeric id would silently find nothing",
    "core_user_get_users_by_field/bad-field": "only id/idnumber/username/email (codingerror)",
    "core_enrol_get_enrolled_users/bad-userfield": "custom field shortname in userfields (trap 13)",
    "core_group_create_groups/bad-visibility": "visibility outside 0-3 (trap 4)",
    "core_group_create_groups/bad-visibility-debug-on": "visibility outside 0-3 (trap 4)",
    "core_group_create_groups/trailing-space-name": "trailing space in a name (trap 22)",
    "core_group_create_groupings/no-idnumber-retry-trailing-space": "trailing space in a name (trap 22)",
    "core_group_add_group_members/ids-as-strings": "ids must be ints, not ' 7' or '02' (trap 4)",
    "core_grades_update_grades/itemname-with-spaces": "itemname must be ALPHANUMEXT (trap 21)",
    "core_grades_update_grades/string-idnumber": "grade-item idnumber must be numeric (trap 21)",
    "mod_forum_add_discussion/groupid-omitted": "groupid is required (stored as 0 otherwise, trap 17)",
    "mod_forum_get_forum_discussions/bad-sortorder": "sortorder 0 is invalid",
    "core_calendar_create_calendar_events/group-event-no-groupid": "group event without groupid (trap 17)",
    "core_group_create_groups/name-with-tag-refused": "a '<' that opens a tag: PARAM_TEXT refuses it (trap 38)",
}

# Recordings whose form the typed client deliberately does not reproduce.
FORM_DIFFERS = {
    "core_group_create_groupings/no-idnumber": "idnumber '' is always sent (trap 28)",
    "core_group_create_groupings/no-idnumber-retry": "idnumber '' is always sent (trap 28)",
    "mod_assign_save_grades/missing-required-field": "attemptnumber/addattempt/workflowstate always sent (trap 30)",
    "mod_forum_get_forum_discussions/notices": "page=None reads every page, so page/perpage are sent",
    "mod_forum_get_forum_discussions/circle-replies": "page=None reads every page, so page/perpage are sent",
    "mod_forum_get_forum_discussions/message-cleaned": "page=None reads every page, so page/perpage are sent",
}

# Recordings over the variable budget: the client splits them (traps 24, 25).
CHUNKED = {
    "core_group_add_group_members/at-max-input-vars-2500",
    "core_group_add_group_members/over-max-input-vars-2501",
    "core_group_add_group_members/over-max-input-vars-2600",
    "core_grades_update_grades/over-max-input-vars-2600",
}

# The request's variable order must match exactly for these functions (the rest: same
# decoded structure; update_grades deliberately sends itemdetails first, trap 25).
ORDER_EXEMPT = {"core_grades_update_grades"}
# Functions whose ``options`` name/value pairs carry no order for Moodle: the typed method sends
# them in one fixed order, the recordings in the order the recorder wrote them.
OPTIONS_UNORDERED = {"core_enrol_get_enrolled_users"}


def _options_as_set(form: list[tuple[str, str]]) -> dict[str, Any]:
    params = decode(form)
    params["options"] = sorted((o["name"], o["value"]) for o in params.get("options", []))
    return params

SERVICE = set(service_functions())
# Functions the API offers beyond the shipped service (core_group_get_groups, README "Second series").
CALLABLE = SERVICE | set(OPTIONAL_FUNCTIONS)
API_RECORDINGS = [r for r in RECORDINGS if r.function in CALLABLE]


def test_every_service_function_has_a_method_and_an_adapter() -> None:
    assert len(SERVICE) == 40
    assert set(FUNCTIONS) == SERVICE
    assert not set(OPTIONAL_FUNCTIONS) & SERVICE
    assert set(ADAPTERS) == CALLABLE
    assert set(RETURNS) == CALLABLE
    for method in {**FUNCTIONS, **OPTIONAL_FUNCTIONS}.values():
        assert callable(getattr(MoodleApi, method))
    names = {r.name for r in RECORDINGS}
    for listed in (*REFUSED_LOCALLY, *FORM_DIFFERS, *CHUNKED):
        assert listed in names, listed


def check_result(function: str, result: Any, rec: Recording) -> None:
    shape = RETURNS[function]
    body = rec.response.json()
    if shape is None:
        assert result is None
        assert body is None
    elif isinstance(shape, tuple):
        assert isinstance(result, list)
        assert all(isinstance(x, shape[1]) for x in result)
        assert len(result) == len(body if isinstance(body, list) else body["cohorts"])
    else:
        assert isinstance(result, shape)


@pytest.mark.parametrize("rec", API_RECORDINGS, ids=[r.name for r in API_RECORDINGS])
def test_api_replays_recording(rec: Recording) -> None:
    api = MoodleApi(make_transport())
    recorded = recorded_params(rec)
    form = decode(recorded)
    adapter = ADAPTERS[rec.function]
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        add_recorded(rsps, rec)
        if rec.name in REFUSED_LOCALLY:
            with pytest.raises(E.InvalidParameter) as info:
                adapter(api, form)
            assert info.value.local is True
            assert len(rsps.calls) == 0
            REPLAYED["api"] += 1
            return
        if rec.name in CHUNKED:
            rsps.replace(
                responses.POST, URL + ENDPOINT, body=json.dumps(0 if "grades" in rec.function else None)
            )
            adapter(api, form)
            forms = [sent_form(c) for c in rsps.calls]  # the token is one more variable in each
            assert len(forms) > 1
            assert all(len(f) <= api.budget for f in forms)
            key = "members" if "members" in form else "grades"
            sent_items = [item for f in forms for item in decode(f)[key]]
            assert sent_items == form[key]  # every item once, in order
            REPLAYED["api"] += 1
            return
        expected = expected_error(rec)
        if expected is None:
            check_result(rec.function, adapter(api, form), rec)
        else:
            with pytest.raises(expected) as info:
                adapter(api, form)
            assert type(info.value) is expected
        assert len(rsps.calls) == 1
        sent = sent_form(rsps.calls[0])
    if rec.name in FORM_DIFFERS:
        assert sent != recorded
    elif rec.function in ORDER_EXEMPT:
        assert decode(sent) == decode(recorded)
    elif rec.function in OPTIONS_UNORDERED:
        assert _options_as_set(sent) == _options_as_set(recorded)
        assert [k for k, _ in sent if not k.startswith("options")] == [
            k for k, _ in recorded if not k.startswith("options")
        ]
    else:
        assert sent == recorded
    REPLAYED["api"] += 1


def test_recordings_on_disk_are_all_parametrised() -> None:
    """Every exchange on disk is replayed above (the counts print at the end of the run)."""
    print(f"\n{len(RECORDINGS)} recordings on disk, {len(API_RECORDINGS)} of service functions")
    assert len(RECORDINGS) >= 170
    assert len({r.name for r in RECORDINGS}) == len(RECORDINGS)
    assert len(API_RECORDINGS) >= 160
