"""Groups and groupings: uniqueness, one transaction per call, enrolment rules, phantoms, order."""

from __future__ import annotations

from lmsync.moodle.emulator import LIMITED_TOKEN, Site
from tests.unit.emulator.helpers import errorcode, ws

COURSE = 2


def group(name: str, idnumber: str | None = None, **extra: object) -> dict[str, object]:
    item: dict[str, object] = {"courseid": COURSE, "name": name, "description": ""}
    if idnumber is not None:
        item["idnumber"] = idnumber
    return item | extra


def course_groups(site: Site) -> list[dict[str, object]]:
    return ws(site, "core_group_get_course_groups", {"courseid": COURSE})


def members(site: Site, gid: int) -> list[int]:
    return ws(site, "core_group_get_group_members", {"groupids": [gid]})[0]["userids"]


def test_create_groups_echoes_the_created_groups_with_moodle_types(demo: Site) -> None:
    answer = ws(demo, "core_group_create_groups", {"groups": [group("Circle A", "lmsync:x:1"), group("Circle B")]})
    assert [g["name"] for g in answer] == ["Circle A", "Circle B"]
    assert answer[1]["idnumber"] == "" and answer[0]["enrolmentkey"] == ""
    assert answer[0]["participation"] is True and answer[0]["visibility"] == 0
    listed = course_groups(demo)
    assert {g["id"] for g in listed} == {g["id"] for g in answer}
    assert listed[0]["enrolmentkey"] is None  # '' when created, null when read (trap 12)


def test_duplicate_name_and_idnumber_are_refused_with_moodles_codes(demo: Site) -> None:
    ws(demo, "core_group_create_groups", {"groups": [group("Circle A", "lmsync:x:1")]})
    assert errorcode(ws(demo, "core_group_create_groups", {"groups": [group("Circle A", "lmsync:x:2")]})) == "invalidparameter"
    assert errorcode(ws(demo, "core_group_create_groups", {"groups": [group("Circle B", "lmsync:x:1")]})) == "idnumbertaken"
    assert len(course_groups(demo)) == 1


def test_trailing_space_passes_the_duplicate_check_then_is_trimmed(demo: Site) -> None:
    ws(demo, "core_group_create_groups", {"groups": [group("Circle A")]})
    answer = ws(demo, "core_group_create_groups", {"groups": [group("Circle A ")]})
    assert answer[0]["name"] == "Circle A"
    assert [g["name"] for g in course_groups(demo)] == ["Circle A", "Circle A"]


def test_a_failing_batch_changes_nothing_and_burns_its_ids(demo: Site) -> None:
    first = ws(demo, "core_group_create_groups", {"groups": [group("Circle A", "lmsync:x:1")]})[0]["id"]
    failed = ws(demo, "core_group_create_groups", {"groups": [group("Circle B", "lmsync:x:2"), group("Circle A", "lmsync:x:3")]})
    assert errorcode(failed) == "invalidparameter"
    assert [g["name"] for g in course_groups(demo)] == ["Circle A"]
    again = ws(demo, "core_group_create_groups", {"groups": [group("Circle B", "lmsync:x:2")]})[0]["id"]
    assert again == first + 2  # the rolled-back row used an id that is not reused


def test_bad_visibility_is_invalidparameter(demo: Site) -> None:
    assert errorcode(ws(demo, "core_group_create_groups", {"groups": [group("V", visibility=7)]})) == "invalidparameter"


def test_failed_idnumber_batch_leaves_a_phantom_until_the_next_group_write(demo: Site) -> None:
    ws(demo, "core_group_create_groups", {"groups": [group("Circle A", "lmsync:x:1")]})
    batch = {"groups": [group("Circle B", "lmsync:x:2"), group("Circle C", "lmsync:x:1")]}
    assert errorcode(ws(demo, "core_group_create_groups", batch)) == "idnumbertaken"
    listed = course_groups(demo)
    phantom = next(g for g in listed if g["name"] == "Circle B")
    assert errorcode(ws(demo, "core_group_get_group_members", {"groupids": [phantom["id"]]})) == "invalidrecord"
    retry = {"groups": [group("Circle B", "lmsync:x:2")]}
    assert errorcode(ws(demo, "core_group_create_groups", retry)) == "idnumbertaken"
    ws(demo, "core_group_create_groups", {"groups": [group("Other", "lmsync:x:9")]})  # invalidates the cache
    assert "Circle B" not in [g["name"] for g in course_groups(demo)]
    assert ws(demo, "core_group_create_groups", retry)[0]["name"] == "Circle B"


def test_duplicate_name_batch_leaves_no_phantom(demo: Site) -> None:
    ws(demo, "core_group_create_groups", {"groups": [group("Circle A", "lmsync:x:1")]})
    ws(demo, "core_group_create_groups", {"groups": [group("Circle B", "lmsync:x:2"), group("Circle A", "lmsync:x:3")]})
    assert [g["name"] for g in course_groups(demo)] == ["Circle A"]


def test_groupings_without_idnumber_are_created_but_answered_invalidresponse(demo: Site) -> None:
    item = {"courseid": COURSE, "name": "Scratch", "description": ""}
    assert errorcode(ws(demo, "core_group_create_groupings", {"groupings": [item]})) == "invalidresponse"
    assert errorcode(ws(demo, "core_group_create_groupings", {"groupings": [item]})) == "invalidparameter"
    assert errorcode(ws(demo, "core_group_create_groupings", {"groupings": [item | {"name": "Scratch "}]})) == "invalidresponse"
    listed = ws(demo, "core_group_get_course_groupings", {"courseid": COURSE})
    assert [g["name"] for g in listed] == ["Scratch", "Scratch"]
    ok = ws(demo, "core_group_create_groupings", {"groupings": [item | {"name": "Owned", "idnumber": "lmsync:p"}]})
    assert ok[0]["idnumber"] == "lmsync:p"


def test_grouping_phantom_and_db_backed_read(demo: Site) -> None:
    make = {"courseid": COURSE, "description": ""}
    ws(demo, "core_group_create_groupings", {"groupings": [make | {"name": "P", "idnumber": "lmsync:p"}]})
    batch = [make | {"name": "A", "idnumber": "lmsync:a"}, make | {"name": "B", "idnumber": "lmsync:p"}]
    assert errorcode(ws(demo, "core_group_create_groupings", {"groupings": batch})) == "idnumbertaken"
    listed = ws(demo, "core_group_get_course_groupings", {"courseid": COURSE})
    assert [g["name"] for g in listed] == ["A", "P"]  # sorted by name, phantom included
    phantom_id = listed[0]["id"]
    assert errorcode(ws(demo, "core_group_get_groupings", {"groupingids": [phantom_id]})) == "invalidrecord"


def test_members_must_exist_and_be_enrolled_but_may_be_inactive_trap_18_26(demo: Site) -> None:
    gid = ws(demo, "core_group_create_groups", {"groups": [group("Circle A")]})[0]["id"]
    outsider = max(demo.users) + 1
    demo.users[outsider] = type(demo.users[3])(id=outsider, username="x", firstname="X", lastname="Y", email="x@example.org")
    assert errorcode(ws(demo, "core_group_add_group_members", {"members": [{"groupid": gid, "userid": 999999}]})) == "invaliduser"
    batch = {"members": [{"groupid": gid, "userid": 3}, {"groupid": gid, "userid": outsider}]}
    assert errorcode(ws(demo, "core_group_add_group_members", batch)) == "invalidparameter"
    assert members(demo, gid) == []  # the valid first member was rolled back too
    inactive = [63, 64, 65]  # two suspended enrolments and one ended
    assert ws(demo, "core_group_add_group_members", {"members": [{"groupid": gid, "userid": u} for u in inactive]}) is None
    assert sorted(members(demo, gid)) == inactive


def test_idempotent_no_ops(demo: Site) -> None:
    gid = ws(demo, "core_group_create_groups", {"groups": [group("Circle A")]})[0]["id"]
    gp = ws(demo, "core_group_create_groupings", {"groupings": [{"courseid": COURSE, "name": "G", "description": "", "idnumber": "g"}]})[0]["id"]
    member = {"members": [{"groupid": gid, "userid": 3}]}
    assert ws(demo, "core_group_add_group_members", member) is None
    assert ws(demo, "core_group_add_group_members", member) is None
    assert members(demo, gid) == [3]
    assert ws(demo, "core_group_delete_group_members", member) is None
    assert ws(demo, "core_group_delete_group_members", member) is None
    assignment = {"assignments": [{"groupingid": gp, "groupid": gid}]}
    assert ws(demo, "core_group_assign_grouping", assignment) is None
    assert ws(demo, "core_group_assign_grouping", assignment) is None
    assert [g["id"] for g in ws(demo, "core_group_get_groupings", {"groupingids": [gp], "returngroups": 1})[0]["groups"]] == [gid]
    unassign = {"unassignments": [{"groupingid": gp, "groupid": gid}]}
    assert ws(demo, "core_group_unassign_grouping", unassign) is None
    assert ws(demo, "core_group_unassign_grouping", unassign) is None
    assert ws(demo, "core_group_delete_groups", {"groupids": [gid, 999999]}) is None
    assert ws(demo, "core_group_delete_groups", {"groupids": [gid]}) is None
    assert course_groups(demo) == []


def test_reads_are_sorted_like_moodle(demo: Site) -> None:
    created = ws(demo, "core_group_create_groups", {"groups": [group("Zeta"), group("Alpha"), group("Mu")]})
    assert [g["name"] for g in course_groups(demo)] == ["Alpha", "Mu", "Zeta"]
    gid = created[0]["id"]
    ids = list(range(3, 13))
    ws(demo, "core_group_add_group_members", {"members": [{"groupid": gid, "userid": u} for u in ids]})
    expected = sorted(ids, key=lambda u: (demo.users[u].lastname, demo.users[u].firstname, u))
    assert members(demo, gid) == expected


def test_update_groups_rules(recorded: Site) -> None:
    assert errorcode(ws(recorded, "core_group_update_groups", {"groups": [{"id": 99999, "name": "N"}]})) == "invalidparameter"
    assert errorcode(ws(recorded, "core_group_update_groups", {"groups": [{"id": 2, "name": "Circle: Isla Okafor"}]})) == "invalidparameter"
    taken = {"groups": [{"id": 2, "name": "Circle: Nikhil Müller", "idnumber": "lmsync:mentor-2026:mentor:66"}]}
    assert errorcode(ws(recorded, "core_group_update_groups", taken)) == "idnumbertaken"
    assert ws(recorded, "core_group_update_groups", {"groups": [{"id": 1, "name": "Renamed", "description": "d"}]}) is None
    renamed = next(g for g in course_groups(recorded) if g["id"] == 1)
    assert renamed["name"] == "Renamed" and renamed["idnumber"] == "lmsync:mentor-2026:mentor:66"


def test_update_groupings_keeps_omitted_idnumber(recorded: Site) -> None:
    ws(recorded, "core_group_update_groupings", {"groupings": [{"id": 1, "name": "Mentoring circles 2026", "description": "x"}]})
    assert ws(recorded, "core_group_get_groupings", {"groupingids": [1]})[0]["idnumber"] == "lmsync:mentor-2026"


def test_foreign_group_can_join_a_grouping(recorded: Site) -> None:
    assert ws(recorded, "core_group_assign_grouping", {"assignments": [{"groupingid": 1, "groupid": 19}]}) is None
    groups = ws(recorded, "core_group_get_groupings", {"groupingids": [1], "returngroups": 1})[0]["groups"]
    assert {g["courseid"] for g in groups} == {2, 3}


def test_limited_token_gets_nopermissions_with_the_capability_title(recorded: Site) -> None:
    answer = ws(recorded, "core_group_get_course_groups", {"courseid": COURSE}, token=LIMITED_TOKEN)
    assert errorcode(answer) == "nopermissions"
    assert answer["message"].endswith("(Manage groups).")


def test_enrolled_users_groups_and_onlyactive(recorded: Site) -> None:
    everyone = ws(recorded, "core_enrol_get_enrolled_users", {"courseid": COURSE})
    active = ws(recorded, "core_enrol_get_enrolled_users", {"courseid": COURSE, "options": [{"name": "onlyactive", "value": 1}]})
    assert (len(everyone), len(active)) == (75, 72)
    by_id = {u["id"]: u for u in everyone}
    assert "groups" not in by_id[6]  # s0004 (peer mentor) is in no circle: key absent, not []
    assert [g["id"] for g in by_id[4]["groups"]] == [1, 2]
    assert "customfields" not in by_id[61]  # s0059 has no profile data
    page = ws(recorded, "core_enrol_get_enrolled_users", {"courseid": COURSE, "options": [
        {"name": "userfields", "value": "id,idnumber"}, {"name": "limitfrom", "value": 60}, {"name": "limitnumber", "value": 20}]})
    assert len(page) == 15 and set(page[0]) == {"id", "fullname", "idnumber"}


def test_update_groups_trims_the_idnumber_before_checking_and_storing_it_trap_27(recorded: Site) -> None:
    """groups_update_group trims the ID number, then looks it up in the course's group cache: one with spaces
    around another group's is ``idnumbertaken``, and a cleared one put back is stored without them."""
    taken = {"groups": [{"id": 2, "name": "Circle: Nikhil Müller", "idnumber": " lmsync:mentor-2026:mentor:66 "}]}
    assert errorcode(ws(recorded, "core_group_update_groups", taken)) == "idnumbertaken"
    ws(recorded, "core_group_update_groups", {"groups": [{"id": 1, "name": "Circle: Isla Okafor", "idnumber": ""}]})
    assert next(g for g in course_groups(recorded) if g["id"] == 1)["idnumber"] == ""
    back = {"groups": [{"id": 1, "name": "Circle: Isla Okafor", "idnumber": "lmsync:mentor-2026:mentor:66\t"}]}
    assert ws(recorded, "core_group_update_groups", back) is None
    assert next(g for g in course_groups(recorded) if g["id"] == 1)["idnumber"] == "lmsync:mentor-2026:mentor:66"
