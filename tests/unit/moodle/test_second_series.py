"""The typed API on the second series of recordings (traps 39-45): what each new field and
function gives a caller, read from the recorded answers."""

from __future__ import annotations

import pytest
import responses

from lmsync.moodle import errors as E
from lmsync.moodle.encoding import decode
from lmsync.moodle.models import FeedbackItem, ResponsesAnalysis
from tests.unit.moodle.conftest import ENDPOINT_URL, body_of, form_of, recording, reply


def test_trap_41_suspended_account_shows_only_in_users_by_field(rsps, api) -> None:
    reply(rsps, body_of("core_user_get_users_by_field/suspended-accounts"))
    users = api.get_users_by_field("id", [11, 68])
    assert [(u.id, u.suspended) for u in users] == [(11, True), (68, True)]
    reply(rsps, body_of("core_user_get_users_by_field/by-id"))
    assert not any(u.suspended for u in api.get_users_by_field("id", [3, 6, 61, 66]))


def test_trap_44_discussions_carry_the_last_posts_time_and_author(rsps, api) -> None:
    reply(rsps, body_of("mod_forum_get_forum_discussions/circle-replies"))
    page = api.get_forum_discussions(3, page=0, perpage=50)
    first = next(d for d in page.discussions if d.discussion == 1)
    assert first.numreplies == 2
    assert first.usermodified == 66 and first.userid == 2778
    assert first.timemodified > first.created


def test_trap_44_discussion_posts_give_who_wrote_when(rsps, api) -> None:
    reply(rsps, body_of("mod_forum_get_discussion_posts/circle-replies"))
    result = api.get_discussion_posts(1)
    assert decode(form_of(rsps.calls[0])) == {"discussionid": "1", "sortby": "created", "sortdirection": "ASC"}
    assert [(p.id, p.parentid, p.author.id) for p in result.posts] == [(1, None, 2778), (8, 1, 3), (9, 1, 66)]
    assert [p.id for p in result.replies()] == [8, 9]
    assert result.forumid == 3 and result.courseid == 2
    # ALL the author's groups, escaped (traps 39, 44): not the discussion's group
    assert {g.id for g in result.posts[1].author.groups} == {1, 21, 22, 23}
    assert "Circle &amp; co: Dr O'Neil" in {g.name for g in result.posts[1].author.groups}
    assert result.posts[1].timecreated < result.posts[2].timecreated


def test_discussion_posts_sort_arguments_are_checked_locally(rsps, api) -> None:
    with pytest.raises(E.InvalidParameter) as info:
        api.get_discussion_posts(1, sortby="author")
    assert info.value.local and len(rsps.calls) == 0


def test_trap_45_calendar_events_in_progress_nulls_and_warnings(rsps, api) -> None:
    reply(rsps, body_of("core_calendar_get_calendar_events/without-manageentries"))
    result = api.get_calendar_events(
        courseids=[2], userevents=False, siteevents=True, timestart=1795996800, timeend=1799020800
    )
    assert form_of(rsps.calls[0]) == recording("core_calendar_get_calendar_events/without-manageentries").request.form[1:]
    (event,) = result.events
    assert event.eventtype == "site" and event.groupid is None and event.modulename is None
    assert event.name == "Reading week &amp; open day"  # escaped (trap 39)
    assert event.timeend == event.timestart + 604800
    (warning,) = result.warnings
    assert (warning.item, warning.warningcode) == ("4", "nopermissions")


def test_calendar_range_backwards_is_refused_locally(rsps, api) -> None:
    with pytest.raises(E.InvalidParameter):
        api.get_calendar_events(courseids=[2], timestart=200, timeend=100)
    assert len(rsps.calls) == 0


def test_get_groups_escaped_names_in_request_order_trap_39(rsps, api) -> None:
    reply(rsps, body_of("core_group_get_groups/names-formatted"))
    groups = api.get_groups([21, 22, 23, 24])
    assert [g.id for g in groups] == [21, 22, 23, 24]
    assert groups[0].name == groups[3].name == "Circle &amp; co: Dr O'Neil"


def test_get_groups_outside_the_service_is_access_denied(rsps, api) -> None:
    reply(rsps, body_of("core_group_get_groups/not-in-service"))
    with pytest.raises(E.AccessDenied):
        api.get_groups([21])


def test_trap_43_rawval_null_and_presentation_of_a_best_first_item() -> None:
    analysis = ResponsesAnalysis.model_validate(body_of("mod_feedback_get_responses_analysis/rated-best-first"))
    nulls = [r for a in analysis.attempts for r in a.responses if r.rawval is None]
    assert nulls and all(r.number is None for r in nulls)
    items = body_of("mod_feedback_get_items/rated-best-first")["items"]
    best_first = next(FeedbackItem.model_validate(i) for i in items if i["label"] == "satisfaction_best_first")
    assert best_first.presentation.startswith("r>>>>>5####Very satisfied")
    assert FeedbackItem.model_validate({"id": 9, "presentation": None}).presentation == ""


@pytest.mark.parametrize("name", ["<b>bold</b> circle", "x <3", "Circle <i>"])
def test_trap_38_a_name_moodle_would_refuse_is_caught_before_sending(rsps, api, name) -> None:
    with pytest.raises(E.InvalidParameter) as info:
        api.create_groups([{"courseid": 2, "name": name, "idnumber": "lmsync:x"}])
    assert info.value.local is True
    assert "tag" in info.value.message
    assert len(rsps.calls) == 0


@pytest.mark.parametrize("name", ["Circle & co: Dr O'Neil", 'Circle "quoted"', "Circle 3 < 4 > 2"])
def test_trap_38_names_moodle_stores_byte_for_byte_are_sent(rsps, api, name) -> None:
    rsps.add(responses.POST, ENDPOINT_URL, json=[{"id": 30, "courseid": 2, "name": name}])
    (group,) = api.create_groups([{"courseid": 2, "name": name, "idnumber": "lmsync:n"}])
    assert group.name == name and decode(form_of(rsps.calls[0]))["groups"][0]["name"] == name
