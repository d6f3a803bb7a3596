"""core_enrol and core_user: enrolled users of a course, users by field.

User records as the recordings show them: identity fields by capability, empty profile fields
left out (trap 12), private ones only with moodle/user:viewalldetails, one role entry per role in
the course (trap 42), group names through format_string (trap 39).
"""

from __future__ import annotations

from typing import Any

from lmsync.moodle.emulator.exceptions import (
    CODING_EXCEPTION,
    MoodleError,
    invalid_parameter,
    moodle_error,
    no_permission,
)
from lmsync.moodle.emulator.functions.registry import PIX, Call, ws
from lmsync.moodle.emulator.params import AlnumExt, Int, Multi, Raw, Struct
from lmsync.moodle.emulator.state import PROFILE_FIELDS, ROLE_IDS, Course, Group, User
from lmsync.moodle.text import format_string

USER_FIELDS = {
    "id", "username", "fullname", "firstname", "lastname", "email", "address", "phone1", "phone2",
    "department", "institution", "interests", "firstaccess", "lastaccess", "lastcourseaccess", "auth",
    "suspended", "confirmed", "lang", "calendartype", "theme", "timezone", "mailformat", "trackforums",
    "description", "descriptionformat", "city", "url", "country", "profileimageurlsmall", "profileimageurl",
    "customfields", "groups", "roles", "preferences", "enrolledcourses", "idnumber", "mnethostid",
}


def _customfields(call: Call, user: User, display: bool) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for spec in PROFILE_FIELDS:
        value = user.customfields.get(str(spec["shortname"]), "")
        if value == "":
            continue  # empty fields are left out (trap 12)
        if spec["private"] and not call.has("moodle/user:viewalldetails"):
            continue
        entry: dict[str, Any] = {"type": spec["type"], "value": value}
        if display:
            entry["displayvalue"] = value
        entry["name"] = spec["name"]
        entry["shortname"] = spec["shortname"]
        out.append(entry)
    return out


def _user_base(call: Call, user: User) -> dict[str, Any]:
    site = call.site
    record: dict[str, Any] = {
        "id": user.id,
        "username": user.username,
        "firstname": user.firstname,
        "lastname": user.lastname,
        "fullname": user.fullname,
    }
    if call.has("moodle/site:viewuseridentity"):
        record["email"] = user.email
    record["department"] = ""
    if user.institution:
        record["institution"] = user.institution
    if call.has("moodle/site:viewuseridentity") or call.has("moodle/user:viewalldetails"):
        record["idnumber"] = user.idnumber
    record["firstaccess"] = 0
    record["lastaccess"] = user.lastaccess
    return record | {"_pix": f"{site.siteurl}{PIX}"}


def _course_user(call: Call, course: Course, user: User, groups_by_user: dict[int, list[Group]]) -> dict[str, Any]:
    record = _user_base(call, user)
    pix = record.pop("_pix")
    record["lastcourseaccess"] = user.lastaccess
    record["city"] = user.city
    record["country"] = user.country
    record["profileimageurlsmall"] = f"{pix}f2"
    record["profileimageurl"] = f"{pix}f1"
    custom = _customfields(call, user, display=False)
    if custom:
        record["customfields"] = custom
    groups = groups_by_user.get(user.id)
    if groups:  # sorted by the stored name, returned through format_string (trap 39)
        record["groups"] = [
            {"id": g.id, "name": format_string(g.name), "description": g.description, "descriptionformat": g.descriptionformat}
            for g in sorted(groups, key=lambda g: (g.name, g.id))
        ]
    enrolment = course.enrolments[user.id]
    # one entry per role in the course, teacher before student (trap 42)
    record["roles"] = [
        {"roleid": ROLE_IDS.get(role, 5), "name": "", "shortname": role, "sortorder": 0} for role in enrolment.roles()
    ]
    record["enrolledcourses"] = [
        {"id": c.id, "fullname": c.fullname, "shortname": c.shortname}
        for c in sorted(call.site.courses.values(), key=lambda c: c.id)
        if user.id in c.enrolments
    ]
    return record


@ws(
    "core_enrol_get_enrolled_users",
    {"courseid": Int(), "options": Multi(item=Struct(fields={"name": AlnumExt(), "value": Raw()}), default=list)},
)
def get_enrolled_users(call: Call, p: dict[str, Any]) -> list[dict[str, Any]]:
    site = call.site
    course = call.course(p["courseid"])
    options = {o["name"]: o["value"] for o in p["options"]}

    def as_int(text: str) -> int:
        return int(text) if text.strip().lstrip("-").isdigit() else 0

    if options.get("withcapability"):
        call.require("moodle/role:review")
    if not (call.has("moodle/course:viewparticipants") or call.has("moodle/course:enrolreview")):
        raise no_permission("View participants")
    onlyactive = str(options.get("onlyactive", "0")).lower() in ("1", "true")
    if onlyactive:
        call.require("moodle/course:enrolreview")
    groupid = as_int(options.get("groupid", "0"))
    if groupid:  # enrol/externallib.php 4.5: a group the caller is not in needs accessallgroups
        asked = site.groups.get(groupid)
        if asked is None or call.userid not in asked.members:
            call.require("moodle/site:accessallgroups")
    userfields = None
    if "userfields" in options:
        userfields = [f.strip() for f in options["userfields"].split(",") if f.strip()]
        for name in userfields:
            if name not in USER_FIELDS:
                raise moodle_error("invaliduserfield", f"Invalid user field: {name}")
    now = site.now()
    ids = sorted(course.enrolments)
    if onlyactive:
        ids = [uid for uid in ids if course.enrolments[uid].active(now)]
    if groupid:
        group = site.groups.get(groupid)
        members = group.members if group and group.courseid == course.id else set()
        ids = [uid for uid in ids if uid in members]
    limitfrom = as_int(options.get("limitfrom", "0"))
    limitnumber = as_int(options.get("limitnumber", "0"))
    ids = ids[limitfrom : limitfrom + limitnumber] if limitnumber else ids[limitfrom:]
    groups_by_user: dict[int, list[Group]] = {}
    for group in site.groups_of_course(course.id):
        for uid in group.members:
            groups_by_user.setdefault(uid, []).append(group)
    out = []
    for uid in ids:
        user = site.users.get(uid)
        if user is None:
            continue
        record = _course_user(call, course, user, groups_by_user)
        if userfields is not None:
            keep = set(userfields) | {"id", "fullname"}
            record = {k: v for k, v in record.items() if k in keep}
        out.append(record)
    return out


@ws("core_user_get_users_by_field", {"field": Raw(), "values": Multi(item=Raw())})
def get_users_by_field(call: Call, p: dict[str, Any]) -> list[dict[str, Any]]:
    fieldname = p["field"]
    if fieldname not in ("id", "idnumber", "username", "email"):
        raise MoodleError(CODING_EXCEPTION, "codingerror", "Coding error detected, it must be fixed by a programmer: invalid field parameter")
    site = call.site
    found: dict[int, User] = {}
    for value in p["values"]:
        if fieldname == "id":  # cleaned as PARAM_INT: 0 and -1 find nobody, silently; "abc" is refused
            text = value.strip()
            if not text.lstrip("-").isdigit():
                raise invalid_parameter(f"The field 'id' value is invalid: {value}(cleaned value: 0)")
            user = site.users.get(int(text))
        else:
            user = site.user_by(fieldname, value)
        if user is not None:
            found[user.id] = user
    out = []
    for uid in sorted(found):
        user = found[uid]
        record = _user_base(call, user)
        pix = record.pop("_pix")
        record.update({
            "auth": user.auth, "suspended": user.suspended, "confirmed": True, "lang": "en", "theme": "",
            "timezone": "Europe/London", "mailformat": 1, "trackforums": 0, "city": user.city,
            "country": user.country, "profileimageurlsmall": f"{pix}f2", "profileimageurl": f"{pix}f1",
        })
        custom = _customfields(call, user, display=True)
        if custom:
            record["customfields"] = custom
        out.append(record)
    return out
