"""A group deleted in Moodle (or never made), named by the functions lmsync calls (tester round 103b, 8).

The finding took the emulator's acceptance of ``mod_forum_add_discussion`` into a deleted group for a bug. Moodle 4.5
accepts it too, for lmsync's role: add_discussion (mod/forum/externallib.php) only asks
``forum_user_can_post_discussion($forum, $groupid, ...)`` (mod/forum/lib.php), which returns true as soon as the
caller holds moodle/site:accessallgroups (``if (!$groupmode or has_capability('moodle/site:accessallgroups',
$context)) return true;``) without looking the group up, and ``forum_add_discussion`` inserts the groupid as sent
(the recording ``mod_forum_add_discussion/groupid-other-course`` shows the same: no check of the group). Only a caller
without accessallgroups reaches ``groups_is_member($currentgroup)``, false for a group that is gone. The core_group
functions look the group up with ``groups_get_group($groupid, ..., MUST_EXIST)`` (group/externallib.php) and refuse
with ``invalidrecord`` (recording ``core_group_assign_grouping/unknown-group``); delete_groups ignores it and
update_groups says invalidparameter (trap 34).
"""

from __future__ import annotations

from lmsync.moodle.emulator import DEMO_TOKEN, Site
from tests.unit.emulator.helpers import errorcode, ws

GONE = 2  # circle 2 of MENTOR-2026 (forum 3 "Mentoring circles", separate groups) in the recorded site
MISSING_GROUP = {"exception": "dml_missing_record_exception", "errorcode": "invalidrecord",
                 "message": "Can't find data record in database table groups."}
REFUSED = {"exception": "core\\exception\\moodle_exception", "errorcode": "cannotcreatediscussion",
           "message": "Could not create new discussion"}


def _deleted(site: Site) -> int:
    member = min(site.groups[GONE].members)
    assert ws(site, "core_group_delete_groups", {"groupids": [GONE]}) is None and GONE not in site.groups
    return member


def _welcome(groupid: int) -> dict[str, object]:
    return {"forumid": 3, "subject": "Welcome", "message": "<p>Hello</p>", "groupid": groupid}


def test_add_discussion_into_a_deleted_group_is_accepted_as_moodle_does_for_a_role_with_accessallgroups(
    recorded: Site,
) -> None:
    _deleted(recorded)
    answer = ws(recorded, "mod_forum_add_discussion", _welcome(GONE))
    assert set(answer) == {"discussionid", "warnings"} and answer["warnings"] == []
    assert recorded.discussions[answer["discussionid"]].groupid == GONE  # stored as sent: nobody's circle sees it
    never = ws(recorded, "mod_forum_add_discussion", _welcome(99999))
    assert recorded.discussions[never["discussionid"]].groupid == 99999


def test_add_discussion_into_a_deleted_group_is_refused_without_accessallgroups_as_moodle_does(recorded: Site) -> None:
    """forum_user_can_post_discussion: ``if ($currentgroup) return groups_is_member($currentgroup); else return
    false;``: a deleted group has no members, -1 is no group, 0 is the non-member caller's activity group."""
    _deleted(recorded)
    recorded.tokens[DEMO_TOKEN].capabilities.discard("moodle/site:accessallgroups")
    before = dict(recorded.discussions)
    for groupid in (GONE, 99999, -1, 0):
        answer = ws(recorded, "mod_forum_add_discussion", _welcome(groupid))
        assert {k: answer.get(k) for k in REFUSED} == REFUSED, (groupid, answer)
    assert recorded.discussions == before
    assert "discussionid" in ws(recorded, "mod_forum_add_discussion", _welcome(-1) | {"forumid": 4})  # no groups: -1


def test_group_writes_and_reads_naming_a_deleted_group_are_refused_as_moodle_does(recorded: Site) -> None:
    member = _deleted(recorded)
    pair = {"groupid": GONE, "userid": member}
    for function, params in (
        ("core_group_add_group_members", {"members": [pair]}),
        ("core_group_delete_group_members", {"members": [pair]}),
        ("core_group_assign_grouping", {"assignments": [{"groupingid": 1, "groupid": GONE}]}),
        ("core_group_unassign_grouping", {"unassignments": [{"groupingid": 1, "groupid": GONE}]}),
        ("core_group_get_group_members", {"groupids": [1, GONE]}),
    ):
        assert ws(recorded, function, params) == MISSING_GROUP, function
    assert errorcode(ws(recorded, "core_group_update_groups", {"groups": [{"id": GONE, "name": "x"}]})) == "invalidparameter"
    assert ws(recorded, "core_group_delete_groups", {"groupids": [GONE]}) is None  # trap 16: ignored


def test_other_reads_and_writes_naming_a_deleted_group_answer_as_moodle_does(recorded: Site) -> None:
    """core_enrol_get_enrolled_users (enrol/externallib.php): a group the caller is not in needs accessallgroups,
    then nobody is in it. core_calendar_create_calendar_events: \\core_calendar\\api::can_add_event returns true at
    once for manageentries in the system context (recording ``group-event-no-groupid``: groupid 0, no group, made)."""
    _deleted(recorded)
    assert ws(recorded, "core_enrol_get_enrolled_users",
              {"courseid": 2, "options": [{"name": "groupid", "value": str(GONE)}]}) == []
    event = {"name": "Circle meeting", "courseid": 2, "groupid": GONE, "eventtype": "group", "timestart": 1792832400}
    made = ws(recorded, "core_calendar_create_calendar_events", {"events": [event]})
    assert made["warnings"] == [] and made["events"][0]["groupid"] == GONE
