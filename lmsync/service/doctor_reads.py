"""Doctor's reads of the course, a read that fails told apart from a thing that is absent (tester round 106b, 2).

A read Moodle refuses for want of a capability (:class:`MissingCapability`) or a function missing from the
service (:class:`AccessDenied`) stays silent here: the capability probes and the functions check name the fix.
Any other failure (an answer that is not JSON, a proxy's maintenance page, a timeout, an unknown Moodle exception)
is a failed check naming the function and the error, with the error's own fix: doctor said "no forum named by
[programme] forum in the course" and "no problems", exit 0, when ``mod_forum_get_forums_by_courses`` answered a
``text/html`` maintenance page, while ``lmsync sync`` failed on the same site (exit 2).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from lmsync.config import Config
from lmsync.domain.forum_mode import NEWS
from lmsync.errors import ConfigError
from lmsync.moodle.api import MoodleApi
from lmsync.moodle.errors import AccessDenied, MissingCapability, MoodleError, NotJSON
from lmsync.service.programme_forum import programme_forums

T = TypeVar("T")

#: The fix of an answer that is not JSON when the site's other calls answered JSON: the URL is right (the
#: reachable check passed), so the default "the URL must be the Moodle site root" misleads (tester round 106b, 2).
ONE_FUNCTION_NOT_JSON = (
    "other calls to the same URL answered Moodle's JSON: something in front of Moodle (a proxy, a web application "
    "firewall, a maintenance page) answered this function's request with a page of its own; look at the web "
    "server's and proxy's logs for it, or wait for the site's maintenance to end, then run `lmsync doctor` again"
)


def refused(exc: MoodleError) -> bool:
    """Whether a failed read is a refusal that another check names (a capability probe, the functions check)."""
    return isinstance(exc, (MissingCapability, AccessDenied))


def read_fix(exc: MoodleError) -> str | None:
    """The fix under a failed read's line: the error's own, except the site-root advice of an answer that is not
    JSON, said after the site answered JSON (``ONE_FUNCTION_NOT_JSON``)."""
    if isinstance(exc, NotJSON) and exc.hint == NotJSON.default_hint:
        return ONE_FUNCTION_NOT_JSON
    return exc.hint


def report_unread(report: Any, name: str, what: str, exc: MoodleError) -> bool:
    """``[FAIL] name: <what> could not be read: <function>: <error>`` with its fix, returning True; nothing for
    a refusal (:func:`refused`: the capability probes say it), returning False."""
    if refused(exc):
        return False
    report.add(name, "fail", f"{what} could not be read: {exc.message}", read_fix(exc))
    return True


def checked_read(read: Callable[[], T], report: Any, name: str, what: str) -> T | None:
    """``read()``, or None when it fails; a failure that is not a refusal is a failed check ``name``
    (:func:`report_unread`), never taken for "absent"."""
    try:
        return read()
    except MoodleError as exc:
        report_unread(report, name, what, exc)
        return None


@dataclass
class CourseReads:
    """What doctor reads of the course once, for both the probes' ids and the set-up checks.

    A read that fails stays ``None``; a refusal is reported by the capability probes, any other failure by a
    failed check of its own (:func:`checked_read`). Moved from :mod:`lmsync.service.doctor`.
    """

    users: list[Any] | None = None
    forums: list[Any] | None = None
    feedbacks: list[Any] | None = None
    #: a probe's id Moodle hid for want of a capability -> that capability (an assignment without
    #: mod/assign:view: only a warning says it is there; tester round 29, 5)
    hidden: dict[str, str] = field(default_factory=dict)
    #: a probe's id whose read Moodle refused -> why, for its skip line (tester round 89b, 6)
    unread: dict[str, str] = field(default_factory=dict)


def _read(reads: CourseReads, key: str, what: str, read: Callable[[], T], report: Any, name: str) -> T | None:
    """One course read for a probe's id ``key``: a failure says why in the probe's skip line, and is a failed
    check ``name`` unless it is a refusal."""
    try:
        return read()
    except MoodleError as exc:
        reads.unread[key] = refused_read(exc, what)
        report_unread(report, name, what, exc)
        return None


def placeholders(api: MoodleApi, config: Config, report: Any) -> tuple[dict[str, Any], CourseReads]:
    """Ids the probes need, found with reads; a missing one skips its probes, saying why. Returns the ids by
    placeholder name (``courseid``, ``forumid``, ...) and the course's reads. Moved from
    :mod:`lmsync.service.doctor`."""
    from lmsync.service.observe import find_course_id

    values: dict[str, Any] = {}
    try:
        values["courseid"] = find_course_id(api, config.programme.course)
        report.add("course", "ok", f"{config.programme.course} is course {values['courseid']}")
    except (MoodleError, ConfigError) as exc:  # a check, not the end of doctor (tester round 12, 9)
        report.add("course", "fail", str(exc.message), getattr(exc, "hint", None))
        return values, CourseReads()
    course = values["courseid"]
    reads = CourseReads()
    reads.users = _read(reads, "userid", "the course's participants", lambda: api.get_enrolled_users(
        course, onlyactive=True, userfields=["id", "idnumber", "roles", "customfields"],
        page_size=config.moodle.page_size,
    ), report, "participants")
    reads.forums = _read(reads, "forumid", "the course's forums", lambda: api.get_forums_by_courses([course]),
                         report, "forum")
    reads.feedbacks = _read(reads, "feedbackid", "the course's Feedback activities",
                            lambda: api.get_feedbacks_by_courses([course]).feedbacks, report, "feedback")
    assignments = read_or_none(lambda: api.get_assignments([course]))  # its probe reads the same function
    if assignments is not None and not assignments.all_assignments() and assignments.hidden_modules():
        reads.hidden["assignmentid"] = "mod/assign:view"
    mentee_roles = set(config.programme.mentee_roles)
    prefix = f"lmsync:{config.programme.name}:mentor:"
    found = {
        "forumid": probe_forum_id(config, reads.forums, reads.unread),  # not the announcements forum (92b, 2)
        "feedbackid": next((f.id for f in reads.feedbacks or []), None),
        "assignmentid": next((a.id for a in assignments.all_assignments()), None) if assignments else None,
        "userid": next((u.id for u in reads.users or [] if u.idnumber and u.role_shortnames() & mentee_roles), None),
    }
    try:
        found["groupid"] = probe_group(api, course, prefix)  # any group lmsync's user is not in
    except MoodleError as exc:  # not "no group in the course" when they could not be listed (tester round 89b, 6)
        reads.unread["groupid"] = refused_read(exc, "the course's groups")
        if exc.function != "core_group_get_course_groups":  # that one: its own probe's failed line says it
            report_unread(report, "groups", "the course's groups and their members", exc)
    values.update({key: value for key, value in found.items() if value is not None})
    return values, reads


# moved from doctor_checks, which imports this module: no cycle (import-linter)
def read_or_none(read: Any) -> Any:
    """``read()``, or None when Moodle refuses it: doctor's capability probes name what is missing."""
    try:
        return read()
    except MoodleError:
        return None


def refused_read(exc: MoodleError, what: str) -> str:
    """Why ``what`` could not be read, in a probe's skip line: the function Moodle refused and, for a missing
    capability, its title and name (``the course's groups could not be read: core_group_get_course_groups
    refused: nopermissions (Manage groups: moodle/course:managegroups)``)."""
    from lmsync.moodle.errors import MissingCapability
    from lmsync.moodle_side import requirements

    function = exc.function or "Moodle"
    if isinstance(exc, MissingCapability):
        titles = {c.title: c.name for c in requirements.required_capabilities()}
        name = titles.get(exc.capability or "")
        shown = f"{exc.capability}: {name}" if exc.capability and name else (exc.capability or name or "a capability")
        return f"{what} could not be read: {function} refused: {exc.errorcode or 'nopermissions'} ({shown})"
    return f"{what} could not be read: {function} failed: {exc.errorcode or type(exc).__name__}"


def probe_group(api: Any, course: int, prefix: str) -> int | None:
    """A group for the accessallgroups probe, which reads its members (core_enrol_get_enrolled_users with a
    groupid needs the capability for a group the caller is not in): one of lmsync's circles (``prefix``: their
    idnumbers'; the lmsync user is never in one), else any other group of the course the lmsync user is not a
    member of. A first doctor on a course of 27 groups, none lmsync's, said "no groupid found (run lmsync sync
    first)" (tester round 73, 8). Reads only."""
    groups = api.get_course_groups(course)
    circle = next((g.id for g in groups if g.idnumber.startswith(prefix)), None)
    if circle is not None or not groups:
        return circle
    me = api.get_site_info().userid
    return next((m.groupid for m in api.get_group_members([g.id for g in groups]) if me not in m.userids), None)


def probe_forum_id(config: Config, forums: list[Any] | None, unread: dict[str, str]) -> int | None:
    """The configured forum's id for the mod/forum:startdiscussion probe; None for the course's announcements
    forum, whose cancreatediscussions answers for mod/forum:addnews (``unread`` says so in the probe's skip line:
    it failed the lmsync role for want of startdiscussion, tester round 92b, 2)."""
    found = programme_forums(forums or [], config.programme.forum)
    if len(found) > 1:  # tester round 94b, 2
        unread["forumid"] = "[programme] forum names more than one forum (see the forum check)"
        return None
    forum = found[0] if found else None
    if forum is not None and forum.type == NEWS:
        unread["forumid"] = "[programme] forum names the course's announcements forum (see the forum check)"
        return None
    return forum.id if forum is not None else None
