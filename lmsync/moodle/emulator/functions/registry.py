"""The table of emulated web-service functions, and what every handler is given.

:func:`ws` registers a handler under its Moodle name with its declared parameters
(:mod:`..params`) and the state collections it may change (``touches``: the server snapshots
them so a failing call changes nothing, trap 26). :class:`Call` is one authenticated call: the
site, the token's grants and Moodle's context checks. The handlers live one module per Moodle
component beside this one; importing :mod:`lmsync.moodle.emulator.functions` fills the table.
The numbered traps refer to tests/contract/recordings/README.md.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from lmsync.moodle.emulator.exceptions import REQUIRE_LOGIN, MoodleError, invalid_record, no_permission
from lmsync.moodle.emulator.params import Spec
from lmsync.moodle.emulator.state import Course, Site, TokenInfo

# Capability titles as Moodle prints them in "nopermissions" messages (trap 5).
CAPABILITY_TITLES = {
    "webservice/rest:use": "Use REST protocol",
    "moodle/course:view": "View courses without participation",
    "moodle/course:viewparticipants": "View participants",
    "moodle/course:enrolreview": "Review course enrolments",
    "moodle/course:managegroups": "Manage groups",
    "moodle/course:update": "Update course settings",
    "moodle/course:manageactivities": "Manage activities",
    "moodle/role:review": "Review permissions for others",
    "moodle/role:assign": "Assign roles to users",
    "moodle/user:viewdetails": "View user profiles",
    "moodle/user:viewalldetails": "View user full information",
    "moodle/site:viewuseridentity": "See full user identity in lists",
    "moodle/site:accessallgroups": "Access all groups",
    "moodle/cohort:view": "View site-wide cohorts",
    "mod/forum:viewdiscussion": "View discussions",
    "mod/forum:startdiscussion": "Start new discussions",
    "mod/feedback:view": "View a feedback",
    "mod/feedback:viewreports": "View reports",
    "moodle/grade:edit": "Edit grades",
    "moodle/grade:manage": "Manage grade items",
    "moodle/grade:hide": "Hide/unhide grades or items",
    "moodle/grade:viewall": "View grades of other users",
    "gradereport/user:view": "View your own grade report",
    "mod/assign:view": "View assignment",
    "mod/assign:grade": "Grade assignment",
    "moodle/site:sendmessage": "Send messages to any user",
    "moodle/site:messageanyuser": "Bypass user privacy preferences for messaging any user",
    "moodle/calendar:manageentries": "Manage entries",
    "moodle/calendar:managegroupentries": "Manage group entries",
}

class InCourse(Protocol):
    """A record that lives in a course (a group, a grouping, an activity)."""

    @property
    def courseid(self) -> int: ...


R = TypeVar("R", bound=InCourse)
T = TypeVar("T")

#: The theme's user-picture path; a site URL goes in front, ``f1`` / ``f2`` after.
PIX = "/theme/image.php/boost/core/1795598703/u/"


@dataclass
class Call:
    """One authenticated call: the site, the token's grants, and Moodle's context checks."""

    site: Site
    token: TokenInfo
    function: str
    # The state Moodle's PHP checks see (uniqueness of names, idnumbers, links, grade items):
    # the live site, or the state at arrival for a write held by a slow database (faults "late").
    seen: Site | None = None

    @property
    def checks(self) -> Site:
        return self.seen if self.seen is not None else self.site

    @property
    def userid(self) -> int:
        return self.token.userid

    def has(self, capability: str) -> bool:
        return capability in self.token.capabilities

    def require(self, capability: str) -> None:
        if not self.has(capability):
            raise no_permission(CAPABILITY_TITLES.get(capability, capability))

    def course(self, courseid: int) -> Course:
        """The course or ``invalidrecord``; then validate_context (the ws user is not enrolled)."""
        course = self.site.courses.get(courseid)
        if course is None:
            raise invalid_record("course")
        if not self.has("moodle/course:view"):
            raise MoodleError(REQUIRE_LOGIN, "requireloginerror", "Course or activity not accessible. (Not enrolled)")
        return course

    def managed(self, records: Mapping[int, R], record_id: int, table: str, capability: str) -> R:
        """``records[record_id]`` (else ``invalidrecord`` naming ``table``), once the caller
        passes validate_context on its course and holds ``capability`` there."""
        record = found(records, record_id, table)
        self.course(record.courseid)
        self.require(capability)
        return record

    def in_group(self, groupid: int, userid: int) -> bool:
        """Whether ``userid`` is a member of group ``groupid`` (False for an unknown group)."""
        group = self.site.groups.get(groupid)
        return bool(group and userid in group.members)


def found(records: Mapping[int, T], record_id: int, table: str) -> T:
    """``records[record_id]``, else Moodle's ``invalidrecord`` naming ``table`` (a DB-backed read)."""
    record = records.get(record_id)
    if record is None:
        raise invalid_record(table)
    return record


Handler = Callable[[Call, dict[str, Any]], Any]


@dataclass
class WsFunction:
    """One registered function: its Moodle name, declared parameters, handler, touched collections."""

    name: str
    params: dict[str, Spec]
    handler: Handler
    touches: tuple[str, ...] = ()

    @property
    def writes(self) -> bool:
        return bool(self.touches)


#: Every emulated function by name, in registration order (the order get_site_info lists them in).
REGISTRY: dict[str, WsFunction] = {}

# Functions that exist in Moodle 4.5 but are not emulated: calling one outside the token's
# service gives accessexception (as on the real site), not invalidrecord.
OTHER_MOODLE_FUNCTIONS = {
    "core_user_create_users", "core_user_update_users", "core_user_delete_users", "core_user_get_users",
    "core_course_get_courses", "core_course_get_contents", "core_course_create_courses",
    "core_enrol_get_users_courses", "enrol_manual_enrol_users", "enrol_manual_unenrol_users",
    "core_group_get_course_user_groups", "core_group_get_activity_groupmode",
    "core_cohort_create_cohorts", "core_cohort_add_cohort_members", "core_message_get_messages",
    "core_calendar_delete_calendar_events", "core_role_unassign_roles",
    "mod_feedback_process_page", "mod_forum_add_discussion_post",
}


def ws(name: str, params: dict[str, Spec], touches: tuple[str, ...] = ()) -> Callable[[Handler], Handler]:
    """Register the decorated handler as web-service function ``name``."""

    def register(handler: Handler) -> Handler:
        REGISTRY[name] = WsFunction(name, params, handler, touches)
        return handler

    return register


def known_function(name: str) -> bool:
    """Whether Moodle 4.5 has a function of this name (emulated or not)."""
    return name in REGISTRY or name in OTHER_MOODLE_FUNCTIONS


def php_json(value: Any) -> str:
    """``json_encode`` as Moodle calls it: ASCII-escaped unicode, ``\\/`` for slashes."""
    return json.dumps(value, ensure_ascii=True, separators=(",", ":")).replace("/", "\\/")


def php_number(value: float) -> float | int:
    """A float as PHP's JSON prints it: whole numbers without a fraction (``2.0`` -> ``2``)."""
    return int(value) if float(value).is_integer() else value
