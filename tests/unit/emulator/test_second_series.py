"""The emulator answers like the second series of recordings (traps 37-45, issue 10)."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests

from lmsync.moodle.emulator import (
    DEMO_TOKEN,
    EMULATOR_URL,
    EmulatorAdapter,
    Site,
    handle,
    seed_lived_in,
    serve_in_background,
)
from lmsync.moodle.emulator.series2 import WELCOME_MESSAGE, seed_second_series
from lmsync.moodle.emulator.state import FeedbackCompleted, FeedbackItem
from lmsync.moodle.encoding import encode
from lmsync.moodle.text import format_string
from tests.unit.emulator.helpers import errorcode, ws

REST = "/webservice/rest/server.php"


def group(name: str, idnumber: str, courseid: int = 2) -> dict[str, Any]:
    return {"courseid": courseid, "name": name, "description": "", "idnumber": idnumber}


# ---- trap 37: the token in the body ------------------------------------------------------------

def test_trap_37_token_in_the_body_answers_like_the_query_string(recorded: Site) -> None:
    query = {"wsfunction": "core_webservice_get_site_info", "moodlewsrestformat": "json"}
    status, _, body = handle(recorded, "POST", query, [("wstoken", DEMO_TOKEN)])
    in_query = handle(recorded, "POST", query | {"wstoken": DEMO_TOKEN}, [])
    assert status == 200 and json.loads(body)["userid"] == 2778 and body == in_query[2]
    status, _, body = handle(recorded, "POST", query, [("wstoken", "wrong")])
    assert json.loads(body)["errorcode"] == "invalidtoken"


@pytest.mark.wire
def test_trap_37_a_token_in_the_body_never_reaches_the_access_log(recorded: Site) -> None:
    log: list[str] = []
    url, stop = serve_in_background(recorded, access_log=log)
    try:
        query = {"wsfunction": "core_group_create_groups", "moodlewsrestformat": "json"}
        form = [("wstoken", DEMO_TOKEN), *encode({"groups": [group("Circle: Token In Body", "lmsync:series2:plain")]})]
        answer = requests.post(url + REST, params=query, data=form, timeout=10)
        assert answer.json()[0]["name"] == "Circle: Token In Body"
        assert log == ["POST /webservice/rest/server.php?wsfunction=core_group_create_groups&moodlewsrestformat=json"]
        requests.post(url + REST, params=query | {"wstoken": DEMO_TOKEN, "wsfunction": "core_webservice_get_site_info"}, timeout=10)
        assert DEMO_TOKEN in log[1]  # a query-string token is written to the log
    finally:
        stop()


def test_trap_37_in_process_adapter_keeps_the_same_access_log(recorded: Site) -> None:
    adapter = EmulatorAdapter(recorded)
    session = requests.Session()
    session.mount(EMULATOR_URL, adapter)
    query = {"wsfunction": "core_webservice_get_site_info", "moodlewsrestformat": "json"}
    assert session.post(EMULATOR_URL + REST, params=query, data={"wstoken": DEMO_TOKEN}).json()["userid"] == 2778
    assert adapter.access_log == [f"POST {REST}?wsfunction=core_webservice_get_site_info&moodlewsrestformat=json"]


# ---- trap 38: names refused, not cleaned --------------------------------------------------------

@pytest.mark.parametrize("name", ['Circle "quoted" <b>bold</b>', "x <3", "a <-> b"])
def test_trap_38_a_name_cleaning_would_change_fails_the_whole_batch(recorded: Site, name: str) -> None:
    before = dict(recorded.groups)
    answer = ws(recorded, "core_group_create_groups", {"groups": [group("Fine name", "lmsync:ok"), group(name, "lmsync:bad")]})
    assert errorcode(answer) == "invalidparameter" and "debuginfo" not in answer
    assert recorded.groups.keys() == before.keys()
    grouping = ws(recorded, "core_group_create_groupings", {"groupings": [{**group(name, "lmsync:g")}]})
    assert errorcode(grouping) == "invalidparameter" and len(recorded.groupings) == 1
    renamed = ws(recorded, "core_group_update_groups", {"groups": [{"id": 1, "name": name}]})
    assert errorcode(renamed) == "invalidparameter" and recorded.groups[1].name.startswith("Circle: ")


def test_trap_38_ampersand_quotes_and_a_spaced_less_than_are_stored_byte_for_byte(recorded: Site) -> None:
    names = ["Circle & co: Dr O'Neil", "Circle 3 < 4 > 2", 'Circle "quoted" bold', "Circle &amp; co: Dr O'Neil"]
    created = ws(recorded, "core_group_create_groups", {"groups": [group(n, f"lmsync:n{i}") for i, n in enumerate(names)]})
    assert [g["name"] for g in created] == names  # the create answer echoes raw
    assert [recorded.groups[g["id"]].name for g in created] == names


# ---- trap 39: formatted on the way out, per function -------------------------------------------

def test_trap_39_names_escaped_exactly_where_moodle_escapes_them(recorded: Site) -> None:
    seed_second_series(recorded)
    escaped = {21: "Circle &amp; co: Dr O'Neil", 22: "Circle 3 &lt; 4 &gt; 2", 23: 'Circle "quoted" bold',
               24: "Circle &amp; co: Dr O'Neil"}
    listed = {g["id"]: g["name"] for g in ws(recorded, "core_group_get_course_groups", {"courseid": 2})}
    assert {gid: listed[gid] for gid in escaped} == escaped
    order = [g["id"] for g in ws(recorded, "core_group_get_course_groups", {"courseid": 2})]
    assert order.index(23) < order.index(21) < order.index(24) < order.index(22)  # by the raw name
    recorded.tokens[DEMO_TOKEN].service_functions.add("core_group_get_groups")
    by_id = ws(recorded, "core_group_get_groups", {"groupids": [24, 21, 22]})
    assert [(g["id"], g["name"]) for g in by_id] == [(24, escaped[24]), (21, escaped[21]), (22, escaped[22])]
    users = ws(recorded, "core_enrol_get_enrolled_users",
               {"courseid": 2, "options": [{"name": "groupid", "value": 21}, {"name": "userfields", "value": "id,groups"}]})
    s0001 = next(u for u in users if u["id"] == 3)
    assert [(g["id"], g["name"]) for g in s0001["groups"]] == [(23, escaped[23]), (21, escaped[21]), (22, escaped[22]),
                                                              (1, recorded.groups[1].name)]
    # raw: groupings and the groups they return, and the stored names themselves
    (grouping,) = ws(recorded, "core_group_get_groupings", {"groupingids": [5], "returngroups": 1})
    assert grouping["name"] == "Circles & friends 2026"
    assert [g["name"] for g in grouping["groups"]] == [recorded.groups[g].name for g in (21, 22, 23)]
    assert "Circles & friends 2026" in [g["name"] for g in ws(recorded, "core_group_get_course_groupings", {"courseid": 2})]
    forums = {f["id"]: f["name"] for f in ws(recorded, "mod_forum_get_forums_by_courses", {"courseids": [2]})}
    assert forums[6] == "Mentors &amp; mentees" and recorded.forums[6].name == "Mentors & mentees"


def test_trap_39_format_string_is_the_one_in_lmsync_moodle_text() -> None:
    assert format_string("Circle &amp; co") == format_string("Circle & co") == "Circle &amp; co"


# ---- trap 40: forum messages purified on the way out -------------------------------------------

def test_trap_40_message_stored_as_sent_and_returned_purified(recorded: Site) -> None:
    seed_second_series(recorded, before="discussion_7")
    answer = ws(recorded, "mod_forum_add_discussion",
                {"forumid": 6, "subject": "Welcome & first steps", "message": WELCOME_MESSAGE, "groupid": 21})
    assert answer["warnings"] == []
    assert recorded.discussions[answer["discussionid"]].message == WELCOME_MESSAGE  # byte for byte
    (read,) = ws(recorded, "mod_forum_get_forum_discussions", {"forumid": 6})["discussions"]
    assert read["message"] == ('<p>Welcome.</p>\n\n<p id="lmsync-w1" class="lmsync-welcome">Marker paragraph</p>\n\n'
                               "[lmsync:test:welcome]")
    assert read["subject"] == read["name"] == "Welcome &amp; first steps"
    for gone in ("<!--", "data-lmsync", "<script", "alert(1)"):
        assert gone not in read["message"]


# ---- trap 41: account suspension ---------------------------------------------------------------

def test_trap_41_suspended_account_is_still_an_active_enrolment(recorded: Site) -> None:
    seed_second_series(recorded)
    options = [{"name": "onlyactive", "value": 1}, {"name": "userfields", "value": "id,idnumber,suspended"}]
    listed = ws(recorded, "core_enrol_get_enrolled_users", {"courseid": 2, "options": options})
    assert {11, 68} <= {u["id"] for u in listed} and len(listed) == 72
    assert all("suspended" not in u for u in listed)  # accepted, silently dropped
    users = ws(recorded, "core_user_get_users_by_field", {"field": "id", "values": [11, 68, 3]})
    assert [(u["id"], u["suspended"]) for u in users] == [(3, False), (11, True), (68, True)]


# ---- trap 42: two roles ------------------------------------------------------------------------

def test_trap_42_one_user_two_roles_teacher_first(recorded: Site) -> None:
    recorded.add_course_role(2, 7, "teacher")
    users = ws(recorded, "core_enrol_get_enrolled_users", {"courseid": 2, "options": [{"name": "userfields", "value": "id,roles"}]})
    assert len(users) == 75 and [u["id"] for u in users].count(7) == 1
    s0005 = next(u for u in users if u["id"] == 7)
    assert [(r["roleid"], r["shortname"]) for r in s0005["roles"]] == [(4, "teacher"), (5, "student")]


# ---- trap 43: rated values are not positions ---------------------------------------------------

def test_trap_43_rawval_is_the_position_and_analysis_the_rated_value(recorded: Site) -> None:
    feedback = recorded.feedbacks[1]
    feedback.items.append(FeedbackItem(7, "Gaps and zero", "gaps", "multichoicerated", "r>>>>>0####Never|2####Sometimes|5####Always",
                                       False, 7))
    feedback.completeds.append(FeedbackCompleted(20, 16, 1796029754, {7: "3"}))
    feedback.completeds.append(FeedbackCompleted(21, 21, 1796029754, {7: "1"}))
    analysis = ws(recorded, "mod_feedback_get_responses_analysis", {"feedbackid": 1})
    by_user = {a["userid"]: a["responses"][-1] for a in analysis["attempts"]}
    assert (by_user[16]["rawval"], by_user[16]["printval"]) == ("3", "Always")
    assert (by_user[21]["rawval"], by_user[21]["printval"]) == ("1", "Never")
    assert (by_user[3]["rawval"], by_user[3]["printval"]) == (None, "")  # attempt made before the item
    data = ws(recorded, "mod_feedback_get_analysis", {"feedbackid": 1})["itemsdata"][-1]["data"]
    options = [json.loads(d) for d in data]
    assert [(o["value"], o["answertext"], o["answercount"]) for o in options] == [("0", "Never", 1), ("2", "Sometimes", 0),
                                                                              ("5", "Always", 1)]
    assert [o["avg"] for o in options] == [0, 0, 2.5]  # value x count / the item's 2 answers


def test_trap_43_recorded_best_first_item(recorded: Site) -> None:
    seed_second_series(recorded)
    analysis = ws(recorded, "mod_feedback_get_responses_analysis", {"feedbackid": 1})
    item6 = {a["userid"]: (a["responses"][5]["rawval"], a["responses"][5]["printval"]) for a in analysis["attempts"]}
    assert item6[16] == ("1", "Very satisfied") and item6[23] == ("5", "Very dissatisfied") and item6[3] == (None, "")
    data = ws(recorded, "mod_feedback_get_analysis", {"feedbackid": 1})["itemsdata"][5]["data"]
    assert [json.loads(d)["value"] for d in data] == ["5", "4", "3", "2", "1"]
    assert sum(json.loads(d)["avg"] for d in data) == pytest.approx(3.0)


# ---- trap 44: forum activity -------------------------------------------------------------------

def test_trap_44_discussions_show_the_last_post_and_posts_their_authors(recorded: Site) -> None:
    seed_second_series(recorded)
    for did in (2, 3, 4, 5):  # opened after discussion 1, before its last reply
        recorded.discussions[did].created = recorded.discussions[1].created + 86400
    discussions = ws(recorded, "mod_forum_get_forum_discussions", {"forumid": 3})["discussions"]
    first = next(d for d in discussions if d["discussion"] == 1)
    assert (first["numreplies"], first["usermodified"], first["userid"]) == (2, 66, 2778)
    assert first["timemodified"] == recorded.posts[9].created and first["created"] == recorded.discussions[1].created
    assert first["usermodifiedfullname"] == recorded.users[66].fullname
    times = [d["timemodified"] for d in discussions]
    assert times == sorted(times, reverse=True) and discussions[0]["discussion"] == 1  # by last activity
    by_creation = ws(recorded, "mod_forum_get_forum_discussions", {"forumid": 3, "sortorder": 3})["discussions"]
    assert by_creation[-1]["discussion"] == 1
    posts = ws(recorded, "mod_forum_get_discussion_posts", {"discussionid": 1, "sortby": "created", "sortdirection": "ASC"})
    assert [(p["id"], p["author"]["id"], p["parentid"]) for p in posts["posts"]] == [(1, 2778, None), (8, 3, 1), (9, 66, 1)]
    assert [g["id"] for g in posts["posts"][1]["author"]["groups"]] == [23, 21, 22, 1]  # all the author's groups
    assert posts["posts"][1]["author"]["groups"][1]["name"] == "Circle &amp; co: Dr O'Neil"
    newest_first = ws(recorded, "mod_forum_get_discussion_posts", {"discussionid": 1})["posts"]
    assert [p["id"] for p in newest_first] == [9, 8, 1]


# ---- trap 45: calendar reads -------------------------------------------------------------------

def calendar(site: Site, start: int, end: int) -> Any:
    return ws(site, "core_calendar_get_calendar_events", {
        "events": {"courseids": [2]},
        "options": {"userevents": 0, "siteevents": 1, "timestart": start, "timeend": end},
    })


def test_trap_45_events_in_progress_null_fields_escaped_names(recorded: Site) -> None:
    seed_second_series(recorded)
    everything = calendar(recorded, 1795996800, 1799020800)
    assert [e["id"] for e in everything["events"]] == [4, 5] and everything["warnings"] == []
    site_event = everything["events"][1]
    assert site_event["name"] == "Reading week &amp; open day" and site_event["courseid"] == 1
    assert all(e[k] is None for e in everything["events"] for k in ("groupid", "categoryid", "modulename", "instance"))
    inside = calendar(recorded, 1797379200, 1797465600)  # starts 2 days into the exam block
    assert [e["id"] for e in inside["events"]] == [4]
    assert calendar(recorded, 1797638401, 1797700000)["events"] == []  # after the block ended


def test_trap_45_without_manageentries_course_events_become_warnings(recorded: Site) -> None:
    seed_second_series(recorded)
    recorded.tokens[DEMO_TOKEN].capabilities.discard("moodle/calendar:manageentries")
    answer = calendar(recorded, 1795996800, 1799020800)
    assert [e["id"] for e in answer["events"]] == [5]
    assert answer["warnings"] == [{"item": "4", "warningcode": "nopermissions",
                                   "message": "you do not have permissions to view this event"}]


# ---- point 10: which functions are in the service ----------------------------------------------

def test_point_10_get_groups_exists_but_is_not_in_the_service(recorded: Site) -> None:
    assert errorcode(ws(recorded, "core_group_get_groups", {"groupids": [1]})) == "accessexception"
    assert errorcode(ws(recorded, "local_lmsync_does_not_exist")) == "invalidrecord"
    assert ws(recorded, "mod_forum_get_discussion_posts", {"discussionid": 2})["posts"][0]["parentid"] is None


# ---- point 12: a lived-in site -----------------------------------------------------------------

def test_point_12_seed_lived_in_adds_foreign_objects_with_awkward_names(demo: Site) -> None:
    made = seed_lived_in(demo)
    forums = {f["id"]: f for f in ws(demo, "mod_forum_get_forums_by_courses", {"courseids": [2]})}
    assert forums[made["forum"]]["name"] == "Mentors &amp; mentees" and forums[made["forum"]]["cmid"] == made["cmid"]
    assert made["cmid"] not in {f.cmid for f in demo.feedbacks.values()} | {a.cmid for a in demo.assignments.values()}
    listed = {g["id"]: g for g in ws(demo, "core_group_get_course_groups", {"courseid": 2})}
    assert set(made["groups"]) == set(listed)
    assert all(not g["idnumber"].startswith("lmsync:") for g in listed.values())
    assert any("&amp;" in g["name"] for g in listed.values()) and any('"' in g["name"] for g in listed.values())
    (grouping,) = ws(demo, "core_group_get_course_groupings", {"courseid": 2})
    assert "&" in grouping["name"] and grouping["id"] == made["grouping"]
    assert all(len(demo.groups[g].members) == 2 for g in made["groups"])
