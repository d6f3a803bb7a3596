"""``lmsync doctor``: check a Moodle site against what lmsync needs, naming the fix.

Every check is a read: a capability is proven by a harmless call that fails without it
(the probes in plugin_config/capabilities.json), never by trying a write. A failure says
what is wrong and the admin step that fixes it; the token itself is never printed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from lmsync.config import Config
from lmsync.moodle.api import MoodleApi
from lmsync.moodle.errors import (
    AccessDenied,
    ConnectionFailed,
    InvalidToken,
    MissingCapability,
    MoodleError,
    MoodleException,
    NotJSON,
    Timeout,
    UserSuspended,
    WebServicesDisabled,
)
from lmsync.moodle_side import requirements

Status = Literal["ok", "fail", "warn", "skip"]

WS_MENU = "Site administration > Server > Web services"


@dataclass(frozen=True)
class Check:
    name: str
    status: Status
    detail: str
    fix: str | None = None


@dataclass
class DoctorReport:
    checks: list[Check] = field(default_factory=list)

    def add(self, name: str, status: Status, detail: str, fix: str | None = None) -> None:
        self.checks.append(Check(name, status, detail, fix))

    @property
    def healthy(self) -> bool:
        return not any(c.status == "fail" for c in self.checks)

    @property
    def exit_code(self) -> int:
        return 0 if self.healthy else 2


def _connection(api: MoodleApi, report: DoctorReport) -> set[str] | None:
    """Reachable, web services and REST on, token valid. Returns the service's functions."""
    try:
        info = api.get_site_info()
    except WebServicesDisabled:
        report.add(
            "web services", "fail", "Moodle answered HTTP 403: web services or the REST protocol are disabled",
            f"{WS_MENU} > Overview: enable web services (step 1) and the REST protocol (step 2)",
        )
        return None
    except InvalidToken:
        report.add(
            "token", "fail", "Moodle refused the token (invalidtoken: wrong, expired or missing)",
            f"{WS_MENU} > Manage tokens: create a token for the lmsync user and the lmsync service, "
            "then put it in [moodle] token_file (chmod 600) or LMSYNC_TOKEN",
        )
        return None
    except UserSuspended:
        report.add(
            "token", "fail", "the token's user account is suspended (wsaccessusersuspended)",
            "Site administration > Users > Browse list of users: unsuspend the lmsync user",
        )
        return None
    except (ConnectionFailed, Timeout) as exc:
        report.add("reachable", "fail", f"cannot reach Moodle: {exc.message}", "check [moodle] url, DNS, proxy and TLS")
        return None
    except NotJSON:
        report.add(
            "reachable", "fail", "the answer was not Moodle's JSON (wrong URL, or a proxy's error page)",
            "set [moodle] url to the site's root, e.g. https://moodle.example.edu",
        )
        return None
    except AccessDenied:
        report.add(
            "functions", "fail", "core_webservice_get_site_info is not in the token's service",
            "install the local_lmsync plugin (`lmsync moodle plugin`) and make the token for its lmsync service",
        )
        return None
    report.add("reachable", "ok", f"Moodle {info.release or '?'} at {info.siteurl or 'the configured URL'}")
    report.add("token", "ok", f"valid, for user id {info.userid} ({info.username})")
    return info.function_names()


def _functions(available: set[str], report: DoctorReport) -> None:
    missing = [f for f in requirements.required_functions() if f not in available]
    if not missing:
        report.add("functions", "ok", f"all {len(requirements.required_functions())} functions are in the token's service")
        return
    for function in missing:
        if requirements.plugin_service_covers(function):
            fix = (
                "the local_lmsync plugin's `lmsync` service declares it: install or upgrade the plugin "
                "(`lmsync moodle plugin --out local_lmsync.zip`) and use a token for that service"
            )
        else:
            fix = f"{WS_MENU} > External services > lmsync > Functions: add {function}"
        report.add("functions", "fail", f"{function} is not in the token's service", fix)


@dataclass
class CourseReads:
    """What doctor reads of the course once, for both the probes' ids and the set-up checks.

    A read that Moodle refuses stays ``None``: the capability probes report the reason.
    """

    users: list[Any] | None = None
    forums: list[Any] | None = None
    feedbacks: list[Any] | None = None


def _read(read: Any) -> Any:
    try:
        return read()
    except MoodleError:
        return None


def _placeholders(api: MoodleApi, config: Config, report: DoctorReport) -> tuple[dict[str, Any], CourseReads]:
    """Ids the probes need, found with reads; a missing one skips its probes, saying why."""
    from lmsync.service.observe import find_course_id

    values: dict[str, Any] = {}
    try:
        values["courseid"] = find_course_id(api, config.programme.course)
        report.add("course", "ok", f"{config.programme.course} is course {values['courseid']}")
    except MoodleError as exc:
        report.add("course", "fail", str(exc.message), getattr(exc, "hint", None))
        return values, CourseReads()
    course = values["courseid"]
    reads = CourseReads(
        users=_read(lambda: api.get_enrolled_users(
            course, onlyactive=True, userfields=["id", "idnumber", "roles", "customfields"],
            page_size=config.moodle.page_size,
        )),
        forums=_read(lambda: api.get_forums_by_courses([course])),
        feedbacks=_read(lambda: api.get_feedbacks_by_courses([course]).feedbacks),
    )
    mentee_roles = set(config.programme.mentee_roles)
    prefix = f"lmsync:{config.programme.name}:mentor:"
    found = {
        "forumid": next((f.id for f in reads.forums or [] if f.name == config.programme.forum), None),
        "feedbackid": next((f.id for f in reads.feedbacks or []), None),
        "assignmentid": _read(lambda: next(
            (a.id for c in api.get_assignments([course]).courses for a in c.assignments), None
        )),
        "userid": next((u.id for u in reads.users or [] if u.idnumber and u.role_shortnames() & mentee_roles), None),
        "groupid": _read(lambda: next(
            (g.id for g in api.get_course_groups(course) if g.idnumber.startswith(prefix)), None
        )),
    }
    values.update({key: value for key, value in found.items() if value is not None})
    return values, reads


def _capabilities(api: MoodleApi, available: set[str], values: dict[str, Any], report: DoctorReport) -> None:
    failed = 0
    for capability in requirements.required_capabilities():
        probe = capability.probe
        if probe is None:
            continue
        if probe.function not in available:
            report.add(capability.name, "skip", f"cannot probe: {probe.function} is not in the service")
            continue
        missing = sorted(probe.placeholders() - set(values))
        if missing:
            report.add(capability.name, "skip", f"cannot probe yet: no {', '.join(missing)} found (run `lmsync sync` first)")
            continue
        try:
            answer = api.transport.call(probe.function, probe.render(values))
            ok = probe.check.passes(answer, values)
            detail = "" if ok else f"{probe.function} answered without what this capability shows"
        except MissingCapability as exc:
            ok, detail = False, f"{probe.function} refused: nopermissions ({exc.capability or capability.title})"
        except MoodleException as exc:
            ok, detail = False, f"{probe.function} failed: {exc.errorcode}"
        if ok:
            continue
        failed += 1
        report.add(
            capability.name, "fail", f"the lmsync role lacks {capability.name} ({capability.title}): {detail}",
            "Site administration > Users > Permissions > Define roles > lmsync web service: allow "
            f"{capability.name} (or re-import the role preset from `lmsync moodle role-preset`)",
        )
    probed = sum(1 for c in requirements.required_capabilities() if c.probe is not None)
    if not failed:
        report.add("capabilities", "ok", f"{probed} capabilities probed with harmless reads")
    unprobed = [c.name for c in requirements.required_capabilities() if c.probe is None]
    report.add("capabilities (write)", "skip", f"not probed, to stay harmless: {', '.join(unprobed)}")


def _forum(api: MoodleApi, config: Config, forums: list[Any], report: DoctorReport) -> None:
    forum = next((f for f in forums if f.name == config.programme.forum), None)
    if forum is None:
        report.add(
            "forum", "fail", f"no forum named {config.programme.forum!r} in the course",
            "add a Forum (Standard forum for general use) with Group mode: Separate groups, "
            "restricted to the lmsync grouping, and name it in [programme] forum",
        )
        return
    discussions = _read(lambda: api.get_forum_discussions(forum.id).discussions)
    if discussions is None:
        return  # reported by the capability probes
    if any("lmsync:" in d.message and d.groupid == -1 for d in discussions):
        report.add(
            "forum", "fail", f"{config.programme.forum!r} is not in separate groups mode "
            "(lmsync's welcome posts came back for all participants)",
            "Forum settings > Common module settings > Group mode: Separate groups",
        )
    else:
        report.add(
            "forum", "ok", f"{config.programme.forum!r} found (forum {forum.id}); its group mode is not "
            "visible over web services: make sure it is Separate groups",
        )


def _course_setup(api: MoodleApi, config: Config, reads: CourseReads, report: DoctorReport) -> None:
    if reads.users is not None:
        seen = {f.shortname for u in reads.users for f in u.customfields}
        attrs = config.matching.attributes.model_dump()
        for attribute, shortname in sorted(attrs.items()):
            if not shortname:
                continue
            if shortname in seen:
                report.add(f"profile field {shortname}", "ok", f"filled for some participants ({attribute})")
            else:
                report.add(
                    f"profile field {shortname}", "fail",
                    f"no participant has a value for custom profile field {shortname!r} ({attribute}), "
                    "or the lmsync role cannot see it",
                    "Site administration > Users > Accounts > User profile fields: create it (see plugin_config/"
                    "profile_fields.json); private fields need moodle/user:viewalldetails",
                )
    if reads.forums is not None:
        _forum(api, config, reads.forums, report)
    if reads.feedbacks is not None:
        feedbacks = reads.feedbacks
        wanted = sorted(
            {name for name in (config.meetings.feedback, *(i.feedback for i in config.instruments.values())) if name}
        )
        for feedback in feedbacks:
            if feedback.is_anonymous:
                report.add(
                    f"feedback {feedback.name!r}", "fail" if feedback.name in wanted else "warn",
                    "anonymous: lmsync cannot tie its answers to people",
                    "Feedback settings > Question and submission settings > Record user names: User's name will be "
                    "logged and shown with answers",
                )
        names = {f.name for f in feedbacks}
        for name in wanted:
            if name not in names:
                report.add(f"feedback {name!r}", "fail", "no such Feedback activity in the course",
                           "add it (see plugin_config/activities.json) or fix [meetings] feedback")
        if feedbacks:
            report.add("feedback", "ok", f"{len(feedbacks)} Feedback activities found")


def run_doctor(api: MoodleApi, config: Config) -> DoctorReport:
    report = DoctorReport()
    available = _connection(api, report)
    if available is None:
        return report
    _functions(available, report)
    values, reads = _placeholders(api, config, report)
    _capabilities(api, available, values, report)
    _course_setup(api, config, reads, report)
    return report
