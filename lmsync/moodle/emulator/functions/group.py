"""core_group: groups, groupings, grouping links and members.

Names are checked untrimmed then stored trimmed (trap 22) and listed through format_string
(trap 39); idnumbers are checked against the course's group cache, whose rows of a rolled-back
batch outlive the rollback (trap 27); missing ids on delete are ignored (traps 16, 29).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from lmsync.moodle.emulator.exceptions import (
    INVALID_RESPONSE,
    MISSING_RECORD,
    CommitThenFail,
    MoodleError,
    db_write_error,
    idnumber_taken,
    invalid_parameter,
)
from lmsync.moodle.emulator.functions.registry import Call, found, ws
from lmsync.moodle.emulator.params import Bool, Int, Multi, Raw, Struct, Text
from lmsync.moodle.emulator.records import GroupColumns
from lmsync.moodle.emulator.state import Course, Group, Grouping, Site, User
from lmsync.moodle.text import GROUP_NAME_MAX, GROUPING_NAME_MAX, format_string

_GROUPS = ("groups", "groupings", "group_cache_phantoms")
PHP_TRIM = " \t\n\r\0\x0b"  # what PHP's trim() strips, no more (Python's strip() takes any Unicode space)


def _group_listing(group: Group) -> dict[str, Any]:
    return {
        "id": group.id, "courseid": group.courseid, "name": group.name, "description": group.description,
        "descriptionformat": group.descriptionformat, "enrolmentkey": group.enrolmentkey or None,
        "idnumber": group.idnumber, "visibility": group.visibility, "participation": group.participation,
    }


def _grouping_listing(grouping: Grouping) -> dict[str, Any]:
    return {
        "id": grouping.id, "courseid": grouping.courseid, "name": grouping.name,
        "description": grouping.description, "descriptionformat": grouping.descriptionformat,
        "idnumber": grouping.idnumber,
    }


def _phantoms(site: Site, courseid: int, kind: str) -> list[dict[str, Any]]:
    return site.group_cache_phantoms.get(courseid, {}).get(kind, [])


def _manage(call: Call, courseid: int) -> Course:
    """Every core_group function checks the course and moodle/course:managegroups in it."""
    course = call.course(courseid)
    call.require("moodle/course:managegroups")
    return course


def _group(call: Call, groupid: int) -> Group:
    """The group (DB-backed: a phantom is not found), managed by the caller; else invalidrecord."""
    return call.managed(call.site.groups, groupid, "groups", "moodle/course:managegroups")


def _grouping(call: Call, groupingid: int) -> Grouping:
    """The grouping (DB-backed: a phantom is not found), managed by the caller; else invalidrecord."""
    return call.managed(call.site.groupings, groupingid, "groupings", "moodle/course:managegroups")


def _of_course(site: Site, kind: str, courseid: int) -> list[GroupColumns]:
    """The course's groups (``kind`` "groups") or groupings (``kind`` "groupings")."""
    rows: dict[int, GroupColumns] = getattr(site, kind)
    return [r for r in rows.values() if r.courseid == courseid]


def _idnumber_in_cache(site: Site, courseid: int, kind: str, idnumber: str, exclude: int | None = None) -> bool:
    """Moodle checks idnumbers against the course's group cache, phantoms included (trap 27).

    Pass ``call.checks``: a write held by a slow database checks the state at its arrival.
    """
    if any(r.idnumber == idnumber and r.id != exclude for r in _of_course(site, kind, courseid)):
        return True
    return any(r["idnumber"] == idnumber for r in _phantoms(site, courseid, kind))


def _leave_phantoms(exc: MoodleError, site: Site, kind: str, created: Sequence[Any]) -> MoodleError:
    """Rows created earlier in a batch that then failed on an idnumber check outlive the rollback."""
    rows = [(r.courseid, _group_listing(r) if kind == "groups" else _grouping_listing(r)) for r in created]
    if not rows:
        return exc

    def keep() -> None:
        for courseid, row in rows:
            site.group_cache_phantoms.setdefault(courseid, {}).setdefault(kind, []).append(row)

    exc.after_rollback = keep
    return exc


#: The optional custom fields every core_group create and update item takes (shortname/value pairs).
_CUSTOMFIELDS = Multi(item=Struct(fields={"shortname": Raw(), "value": Raw()}), optional=True)

_GROUP_ITEM = {
    "courseid": Int(), "name": Text(), "description": Raw(), "descriptionformat": Int(default=1),
    "enrolmentkey": Raw(optional=True), "idnumber": Raw(optional=True), "visibility": Int(optional=True),
    "participation": Bool(optional=True), "customfields": _CUSTOMFIELDS,
}


def _fits(name: str, table: str, length: int) -> None:
    """groups.name char(254), groupings.name char(255) (lib/db/install.xml): Moodle inserts
    without checking the length, so the database refuses and the whole call rolls back."""
    if len(name.strip()) > length:
        raise db_write_error(table, "name", length)


def _check_new(call: Call, courseid: int, kind: str, item: dict[str, Any], created: Sequence[GroupColumns]) -> str:
    """What create_groups / create_groupings check before each insert (group/externallib.php):
    the name is free in the course, compared untrimmed (trap 22); a non-empty idnumber is free in
    the course's group cache, phantoms included (trap 27: else ``idnumbertaken``, and this batch's
    earlier rows outlive the rollback as phantoms); the trimmed name fits its column.

    ``kind`` is "groups" or "groupings"; ``created`` the rows this call inserted before ``item``
    (a held write's arrival state, ``call.checks``, does not hold them). Returns the idnumber
    to store, "" when none was sent.
    """
    existing: dict[int, GroupColumns] = getattr(call.checks, kind)
    seen = _of_course(call.checks, kind, courseid) + [
        r for r in created if r.id not in existing and r.courseid == courseid
    ]
    if any(r.name == item["name"] for r in seen):
        what = "Group" if kind == "groups" else "Grouping"
        raise invalid_parameter(f"{what} with the same name already exists in the course")
    idnumber: str = item.get("idnumber", "")
    if idnumber != "" and (
        _idnumber_in_cache(call.checks, courseid, kind, idnumber) or any(r.idnumber == idnumber for r in created)
    ):
        raise _leave_phantoms(idnumber_taken(), call.site, kind, created)
    _fits(item["name"], kind, GROUP_NAME_MAX if kind == "groups" else GROUPING_NAME_MAX)
    return idnumber


@ws("core_group_create_groups", {"groups": Multi(item=Struct(fields=_GROUP_ITEM))}, touches=_GROUPS)
def create_groups(call: Call, p: dict[str, Any]) -> list[dict[str, Any]]:
    site = call.site
    created: list[Group] = []
    touched: set[int] = set()
    for item in p["groups"]:
        course = _manage(call, item["courseid"])
        visibility = item.get("visibility", 0)
        if visibility not in (0, 1, 2, 3):
            raise invalid_parameter("Invalid group visibility provided. Must be one of 0,1,2,3")
        idnumber = _check_new(call, course.id, "groups", item, created)
        group = Group(
            id=site.next_id("groups"), courseid=course.id, name=item["name"].strip(), idnumber=idnumber,
            description=item["description"], descriptionformat=item["descriptionformat"],
            enrolmentkey=item.get("enrolmentkey", ""), visibility=visibility,
            participation=item.get("participation", True),
        )
        site.groups[group.id] = group
        created.append(group)
        touched.add(course.id)
    for courseid in touched:
        site.invalidate_group_cache(courseid)
    return [
        {
            "id": g.id, "courseid": g.courseid, "name": g.name, "description": g.description,
            "descriptionformat": g.descriptionformat, "enrolmentkey": g.enrolmentkey, "idnumber": g.idnumber,
            "visibility": g.visibility, "participation": g.participation,
        }
        for g in created
    ]


def _escaped(row: dict[str, Any]) -> dict[str, Any]:
    return row | {"name": format_string(row["name"])}


@ws("core_group_get_course_groups", {"courseid": Int()})
def get_course_groups(call: Call, p: dict[str, Any]) -> list[dict[str, Any]]:
    """Sorted by the stored name; names through format_string (trap 39)."""
    course = _manage(call, p["courseid"])
    rows = [_group_listing(g) for g in call.site.groups_of_course(course.id)]
    rows += _phantoms(call.site, course.id, "groups")
    return [_escaped(r) for r in sorted(rows, key=lambda r: (r["name"], r["id"]))]


@ws("core_group_get_groups", {"groupids": Multi(item=Int())})
def get_groups(call: Call, p: dict[str, Any]) -> list[dict[str, Any]]:
    """DB-backed, in request order, names through format_string like get_course_groups (trap 39).

    Not in lmsync's service (``core_group_get_groups/not-in-service``: accessexception).
    """
    out = []
    for gid in p["groupids"]:
        out.append(_escaped(_group_listing(_group(call, gid))) | {"customfields": []})
    return out


_GROUP_UPDATE = {
    "id": Int(), "name": Text(), "description": Raw(optional=True), "descriptionformat": Int(default=1),
    "enrolmentkey": Raw(optional=True), "idnumber": Raw(optional=True), "visibility": Int(optional=True),
    "participation": Bool(optional=True), "customfields": _CUSTOMFIELDS,
}


@ws("core_group_update_groups", {"groups": Multi(item=Struct(fields=_GROUP_UPDATE))}, touches=_GROUPS)
def update_groups(call: Call, p: dict[str, Any]) -> None:
    site = call.site
    for item in p["groups"]:
        group = site.groups.get(item["id"])
        if group is None:
            raise invalid_parameter(f"Group {item['id']} does not exist")  # not invalidrecord (trap 34)
        _manage(call, group.courseid)
        if any(g.name == item["name"] and g.id != group.id for g in call.checks.groups_of_course(group.courseid)):
            raise invalid_parameter("A different group with the same name already exists in the course")
        if "visibility" in item and item["visibility"] not in (0, 1, 2, 3):
            raise invalid_parameter("Invalid group visibility provided. Must be one of 0,1,2,3")
        if "idnumber" in item:  # groups_update_group trims it, then checks it against the cache (trap 27)
            item["idnumber"] = idnumber = item["idnumber"].strip(PHP_TRIM)
            if idnumber and idnumber != group.idnumber and _idnumber_in_cache(call.checks, group.courseid, "groups", idnumber, group.id):
                raise idnumber_taken()
        _fits(item["name"], "groups", GROUP_NAME_MAX)
        group.name = item["name"].strip()
        for key in ("description", "enrolmentkey", "idnumber", "visibility", "participation"):
            if key in item:
                setattr(group, key, item[key])
        if "description" in item:
            group.descriptionformat = item["descriptionformat"]
        site.invalidate_group_cache(group.courseid)
    return None


def _delete(call: Call, kind: str, ids: list[int]) -> list[int]:
    """Delete groups (``kind`` "groups") or groupings ("groupings") by id, each course's
    managegroups checked; missing ids are ignored silently (traps 16, 29). Returns the ids deleted."""
    rows = getattr(call.site, kind)
    deleted = []
    for rowid in ids:
        row = rows.get(rowid)
        if row is None:
            continue
        _manage(call, row.courseid)
        del rows[rowid]
        call.site.invalidate_group_cache(row.courseid)
        deleted.append(rowid)
    return deleted


@ws("core_group_delete_groups", {"groupids": Multi(item=Int())}, touches=_GROUPS)
def delete_groups(call: Call, p: dict[str, Any]) -> None:
    for gid in _delete(call, "groups", p["groupids"]):
        for grouping in call.site.groupings.values():
            if gid in grouping.groupids:
                grouping.groupids.remove(gid)
    return None


_GROUPING_ITEM = {
    "courseid": Int(), "name": Text(), "description": Raw(), "descriptionformat": Int(default=1),
    "idnumber": Raw(optional=True), "customfields": _CUSTOMFIELDS,
}


@ws("core_group_create_groupings", {"groupings": Multi(item=Struct(fields=_GROUPING_ITEM))}, touches=_GROUPS)
def create_groupings(call: Call, p: dict[str, Any]) -> list[dict[str, Any]]:
    site = call.site
    created: list[Grouping] = []
    echoed: list[dict[str, Any]] = []
    for item in p["groupings"]:
        course = _manage(call, item["courseid"])
        idnumber = _check_new(call, course.id, "groupings", item, created)
        grouping = Grouping(
            id=site.next_id("groupings"), courseid=course.id, name=item["name"].strip(), idnumber=idnumber,
            description=item["description"], descriptionformat=item["descriptionformat"],
        )
        site.groupings[grouping.id] = grouping
        created.append(grouping)
        echo = {"id": grouping.id, "courseid": course.id, "name": grouping.name, "description": grouping.description,
                "descriptionformat": grouping.descriptionformat}
        if "idnumber" in item:
            echo["idnumber"] = idnumber
        echoed.append(echo)
    for grouping in created:
        site.invalidate_group_cache(grouping.courseid)
    if any("idnumber" not in e for e in echoed):
        # the result echoes the input and the return structure requires idnumber (trap 28)
        raise CommitThenFail(INVALID_RESPONSE, "invalidresponse", "Invalid response value detected",
                             "idnumber => Invalid response value detected: Missing required key in single structure: idnumber")
    return echoed


@ws("core_group_get_course_groupings", {"courseid": Int()})
def get_course_groupings(call: Call, p: dict[str, Any]) -> list[dict[str, Any]]:
    course = _manage(call, p["courseid"])
    rows = [_grouping_listing(g) for g in call.site.groupings.values() if g.courseid == course.id]
    rows += _phantoms(call.site, course.id, "groupings")
    return sorted(rows, key=lambda r: (r["name"], r["id"]))


@ws("core_group_get_groupings", {"groupingids": Multi(item=Int()), "returngroups": Bool(default=False)})
def get_groupings(call: Call, p: dict[str, Any]) -> list[dict[str, Any]]:
    site = call.site
    out = []
    for gid in p["groupingids"]:
        grouping = _grouping(call, gid)
        record = _grouping_listing(grouping) | {"customfields": []}
        if p["returngroups"]:
            record["groups"] = [
                {
                    "id": g.id, "courseid": g.courseid, "name": g.name, "description": g.description,
                    "descriptionformat": g.descriptionformat, "enrolmentkey": g.enrolmentkey or None,
                    "idnumber": g.idnumber, "customfields": [],
                }
                for g in (site.groups[i] for i in sorted(grouping.groupids) if i in site.groups)
            ]
        out.append(record)
    return out


_GROUPING_UPDATE = {
    "id": Int(), "name": Text(), "description": Raw(), "descriptionformat": Int(default=1),
    "idnumber": Raw(optional=True), "customfields": _CUSTOMFIELDS,
}


@ws("core_group_update_groupings", {"groupings": Multi(item=Struct(fields=_GROUPING_UPDATE))}, touches=_GROUPS)
def update_groupings(call: Call, p: dict[str, Any]) -> None:
    site = call.site
    for item in p["groupings"]:
        grouping = _grouping(call, item["id"])
        if item["name"] != grouping.name and any(
            g.name == item["name"] and g.courseid == grouping.courseid and g.id != grouping.id
            for g in call.checks.groupings.values()
        ):
            raise invalid_parameter("A different grouping with the same name already exists in the course")
        idnumber = item.get("idnumber")
        if idnumber and idnumber != grouping.idnumber and _idnumber_in_cache(
            call.checks, grouping.courseid, "groupings", idnumber, grouping.id
        ):
            raise idnumber_taken()
        _fits(item["name"], "groupings", GROUPING_NAME_MAX)
        grouping.name = item["name"].strip()
        grouping.description = item["description"]
        grouping.descriptionformat = item["descriptionformat"]
        if idnumber is not None:  # left out = unchanged
            grouping.idnumber = idnumber
        site.invalidate_group_cache(grouping.courseid)
    return None


@ws("core_group_delete_groupings", {"groupingids": Multi(item=Int())}, touches=_GROUPS)
def delete_groupings(call: Call, p: dict[str, Any]) -> None:
    """The groupings go; their groups stay."""
    _delete(call, "groupings", p["groupingids"])
    return None


_ASSIGNMENT = Multi(item=Struct(fields={"groupingid": Int(), "groupid": Int()}))


def _grouping_and_group(call: Call, item: dict[str, Any]) -> tuple[Grouping, Group]:
    grouping = found(call.site.groupings, item["groupingid"], "groupings")
    group = found(call.site.groups, item["groupid"], "groups")
    _manage(call, grouping.courseid)
    return grouping, group


@ws("core_group_assign_grouping", {"assignments": _ASSIGNMENT}, touches=_GROUPS)
def assign_grouping(call: Call, p: dict[str, Any]) -> None:
    for item in p["assignments"]:
        grouping, group = _grouping_and_group(call, item)
        # a group of another course is accepted (trap 17); the "already linked" check is PHP, so a
        # write held past its twin links twice (issue 10 point 10)
        before = call.checks.groupings.get(grouping.id)
        if group.id not in (before.groupids if before is not None else grouping.groupids):
            grouping.groupids.append(group.id)
        call.site.invalidate_group_cache(grouping.courseid)
    return None


@ws("core_group_unassign_grouping", {"unassignments": _ASSIGNMENT}, touches=_GROUPS)
def unassign_grouping(call: Call, p: dict[str, Any]) -> None:
    for item in p["unassignments"]:
        grouping, group = _grouping_and_group(call, item)
        if group.id in grouping.groupids:
            grouping.groupids.remove(group.id)
        call.site.invalidate_group_cache(grouping.courseid)
    return None


_MEMBERS = Multi(item=Struct(fields={"groupid": Int(), "userid": Int()}))


def _group_and_user(call: Call, item: dict[str, Any]) -> tuple[Group, User]:
    group = found(call.site.groups, item["groupid"], "groups")
    user = call.site.users.get(item["userid"])
    if user is None:
        raise MoodleError(MISSING_RECORD, "invaliduser", "Invalid user")
    _manage(call, group.courseid)
    return group, user


@ws("core_group_add_group_members", {"members": _MEMBERS}, touches=_GROUPS)
def add_group_members(call: Call, p: dict[str, Any]) -> None:
    site = call.site
    for item in p["members"]:
        group, user = _group_and_user(call, item)
        # any enrolment counts, suspended or ended too (trap 18)
        if user.id not in site.courses[group.courseid].enrolments:
            raise invalid_parameter("Only enrolled users may be members of groups")
        group.members.add(user.id)  # re-adding is a no-op (trap 16)
        site.invalidate_group_cache(group.courseid)
    return None


@ws("core_group_delete_group_members", {"members": _MEMBERS}, touches=_GROUPS)
def delete_group_members(call: Call, p: dict[str, Any]) -> None:
    for item in p["members"]:
        group, user = _group_and_user(call, item)
        group.members.discard(user.id)
        call.site.invalidate_group_cache(group.courseid)
    return None


@ws("core_group_get_group_members", {"groupids": Multi(item=Int())})
def get_group_members(call: Call, p: dict[str, Any]) -> list[dict[str, Any]]:
    site = call.site
    out = []
    for gid in p["groupids"]:
        group = _group(call, gid)
        out.append({"groupid": gid, "userids": sorted(group.members, key=site.member_sort_key)})
    return out
