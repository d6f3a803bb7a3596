"""``lmsync doctor``: check a Moodle site against what lmsync needs, naming the fix.

Every check is a read: a capability is proven by a harmless call that fails without it
(the probes in plugin_config/capabilities.json), never by trying a write. A failure says
what is wrong and the admin step that fixes it; the token itself is never printed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from typing import Any, Literal

from lmsync.config import Config
from lmsync.errors import ConfigError
from lmsync.moodle.api import MoodleApi
from lmsync.moodle.errors import (
    AccessDenied,
    ConnectionFailed,
    HTTPStatusError,
    InvalidToken,
    MissingCapability,
    MoodleError,
    MoodleException,
    NotJSON,
    Redirected,
    ServiceNeedsLogin,
    Timeout,
    TokenIPRestricted,
    UserSuspended,
    WebServicesDisabled,
)
from lmsync.moodle.models import SiteInfo
from lmsync.moodle.text import same_name
from lmsync.moodle.transport import FAIL_FAST_READ_TIMEOUT
from lmsync.moodle_side import requirements
from lmsync.secrets import redact
from lmsync.service.doctor_assignment import assignment_check
from lmsync.service.doctor_checks import (
    calendar_check,
    cannot_probe,
    coordinators_check,
    forum_check,
    grades_enabled_check,
    names_in_course,
    programme_start_check,
    quiet_hours_zone_check,
    reachable_checklist,
    report_path_check,
    roles_check,
    store_check,
)
from lmsync.service.doctor_circles import circle_record_check, grouping_check
from lmsync.service.doctor_clock import clock_store_check
from lmsync.service.doctor_feedback import feedback_item_checks
from lmsync.service.doctor_input_vars import blame_the_cut, input_vars_check
from lmsync.service.doctor_programme_section import programme_section_check
from lmsync.service.doctor_programmes import other_programme_check
from lmsync.service.doctor_reads import CourseReads, placeholders, read_fix, report_unread
from lmsync.service.doctor_tls import tls_check
from lmsync.service.moodle import in_clear
from lmsync.visible import quoted

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
        """One check's line; the token, in any of its forms, is masked in what it says (a server whose site info
        echoed the request printed it in the reachable and token lines: tester round 90a, 3)."""
        self.checks.append(Check(name, status, redact(detail), redact(fix) if fix is not None else None))

    @property
    def healthy(self) -> bool:
        return not any(c.status == "fail" for c in self.checks)

    @property
    def exit_code(self) -> int:
        return 0 if self.healthy else 2


def url_checklist(url: str) -> str:
    """What to check when the REST endpoint answers with a page that is not Moodle's (issue 11)."""
    return (
        f"check, in order: (1) [moodle] url ({url}) is the site's root, the address before /login/index.php "
        "in a browser (e.g. https://moodle.example.edu or https://example.edu/moodle), with no path after it; "
        f"(2) {url}/webservice/rest/server.php is served by Moodle: {WS_MENU} > Manage protocols: REST "
        "protocol enabled; (3) Site administration > Advanced features: Enable web services; "
        "(4) the web server or proxy passes POST requests to PHP (a 501 or 405 page means it does not)"
    )


#: Doctor's first call waits at most this long for an answer (issue 11): a hanging site is
#: reported in seconds, not after ``[moodle] timeout_seconds``.
FIRST_CALL_TIMEOUT = FAIL_FAST_READ_TIMEOUT

def _connection(api: MoodleApi, report: DoctorReport, source: str = "the configured token",
                place: str = "[moodle] token_file (chmod 600) or LMSYNC_TOKEN") -> SiteInfo | None:
    """Reachable, web services and REST on, token valid. Returns the site's answer: the service's functions,
    and the token's user, the author of lmsync's posts (tester round 87b, 4).

    The first call is ``fail_fast`` (one attempt, short connect timeout): a refused
    connection, an unknown host or a TLS failure is reported within seconds, not after the
    transport's retry deadline (issue 11).
    """
    url = redact(api.transport.url)  # never a password written into [moodle] url (tester round 3, 6)
    try:
        info = api.get_site_info(fail_fast=True)
    except WebServicesDisabled:
        report.add(
            "web services", "fail", "Moodle answered HTTP 403: web services or the REST protocol are disabled",
            f"{WS_MENU} > Overview: enable web services (step 1) and the REST protocol (step 2)",
        )
        return None
    except InvalidToken:
        report.add(
            "token", "fail", f"Moodle refused the token from {source} (invalidtoken: wrong, expired or missing)",
            f"{WS_MENU} > Manage tokens: create a token for the lmsync user and the lmsync service, "
            f"then put it in {place}",  # ``Config.token_place``: the variable that set it (tester round 129, 3)
        )
        return None
    except UserSuspended:
        report.add(
            "token", "fail", "the token's user account is suspended (wsaccessusersuspended)",
            "Site administration > Users > Browse list of users: unsuspend the lmsync user",
        )
        return None
    except (TokenIPRestricted, ServiceNeedsLogin) as exc:  # a token line, not "reachable" (tester round 94b, 5)
        report.add("token", "fail", f"Moodle refused the token from {source} ({exc.errorcode}): {redact(exc.message)}",
                   exc.hint)
        return None
    except Timeout as exc:
        waited = "connect" if exc.surely_not_sent else "answer"
        report.add(
            "reachable", "fail",
            f"{url} did not {waited} in time (doctor waits {FIRST_CALL_TIMEOUT:g} s for its first call)",
            reachable_checklist(url) + "; a site that answers but slowly: raise [moodle] timeout_seconds",
        )
        return None
    except ConnectionFailed as exc:
        fix = reachable_checklist(url)
        if exc.tls:
            fix = f"{exc.hint} Then {fix}"
        report.add("reachable", "fail", f"cannot reach Moodle at {url}: {exc.cause}", fix)
        return None
    except Redirected as exc:
        report.add("reachable", "fail", f"{url} redirects: {exc.message}", exc.hint)
        return None
    except NotJSON as exc:
        if exc.php_output:  # before, after or instead of the JSON: display_errors is on (tester round 94b, 3a)
            report.add("reachable", "fail", f"Moodle's answer carries PHP output: {exc.php_output!r}", exc.hint)
        else:
            report.add(
                "reachable", "fail", f"the answer was not Moodle's JSON (wrong URL, or a proxy's error page): {exc.message}",
                url_checklist(url),
            )
        return None
    except HTTPStatusError as exc:
        report.add("reachable", "fail", f"the REST endpoint answered HTTP {exc.status}, not Moodle's JSON: {exc.message}",
                   url_checklist(url))
        return None
    except AccessDenied:
        report.add(
            "functions", "fail", "core_webservice_get_site_info is not in the token's service",
            "install the local_lmsync plugin (`lmsync moodle plugin`) and make the token for its lmsync service",
        )
        return None
    except MoodleError as exc:  # any other answer (an unknown exception): a failed check, exit 2 (tester round 89b, 7)
        code = f" (errorcode {exc.errorcode})" if exc.errorcode else ""
        report.add("reachable", "fail", f"Moodle answered with an error{code}: {redact(exc.message)}",
                   exc.hint or "Site administration > Development > Debugging: Developer level adds Moodle's reason")
        return None
    report.add("reachable", "ok", f"Moodle {info.release or '?'} at {info.siteurl or 'the configured URL'}")
    if in_clear(api.transport.url):  # tester round 27, 7: accepted without a word
        report.add("encryption", "warn", f"{url} is plain http to another host: the token and every answer (names, "
                   "ratings) cross the network unencrypted", "use the site's https:// address in [moodle] url")
    tls_check(api.transport, report)  # [moodle] verify_tls = false (tester round 106b, 1)
    _php_output(api, report)
    report.add("token", "ok", f"valid, for user id {info.userid} ({info.username}); from {source}")
    return info


def move_token_steps() -> str:
    """The admin steps that move lmsync's token from a hand-made service to the plugin's."""
    service = requirements.service_spec()
    manual = requirements.manual_service()
    return (
        f"{WS_MENU} > External services > {quoted(service.name)} > Authorised users: add the lmsync user; "
        f"{WS_MENU} > Manage tokens > Create token: the lmsync user, service {quoted(service.name)}; "
        "put the new token in [moodle] token_file (or LMSYNC_TOKEN) and run `lmsync doctor`; then retire the "
        f"hand-made service: External services > Custom services > {quoted(manual.name)} > Delete (its old token goes with it)"
    )


def _functions(available: set[str], report: DoctorReport) -> None:
    """Every function of plugin_config/functions.json is in the token's service.

    ``core_webservice_get_site_info`` does not name the token's service, only its functions,
    so the service is told by its function list: the plugin's service holds exactly the
    required functions (its db/services.php is generated from them); a service holding
    functions lmsync never calls (e.g. core_courseformat_create_module, from the manual
    set-up's instructions of the first recordings) is a hand-made one.
    """
    required = requirements.required_functions()
    missing = [f for f in required if f not in available]
    extra = sorted(available - set(required))
    service = requirements.service_spec()
    if extra:
        report.add(
            "service", "warn",
            f"the token's service also holds {len(extra)} function(s) lmsync never calls ({', '.join(extra)}): "
            "a hand-made service, not the local_lmsync plugin's",
            f"install the local_lmsync plugin (`lmsync moodle plugin --out local_lmsync.zip`; it installs beside "
            f"the hand-made service), then move the token: {move_token_steps()}",
        )
    if not missing:
        report.add("functions", "ok", f"all {len(required)} functions are in the token's service")
        return
    for function in missing:
        if requirements.plugin_service_covers(function):
            fix = (
                f"the local_lmsync plugin's service {quoted(service.name)} (shortname {service.shortname}) declares it: "
                "install or upgrade the plugin (`lmsync moodle plugin --out local_lmsync.zip`; Moodle adds new "
                "functions on upgrade). If the token belongs to a hand-made service, move it: "
                + move_token_steps()
            )
        else:
            fix = f"{WS_MENU} > External services > lmsync > Functions: add {function}"
        report.add("functions", "fail", f"{function} is not in the token's service", fix)


def _capabilities(
    api: MoodleApi, available: set[str], values: dict[str, Any], reads: CourseReads, report: DoctorReport
) -> None:
    hidden = reads.hidden
    failed_names: set[str] = set()
    unanswered: set[str] = set()  # probes whose call failed without an answer: none is said "ok"
    # not probed because a read it needs failed (the course's groups, refused without managegroups): it blocks the
    # probes that need it, as a failed one does; startdiscussion was failed for accessallgroups (tester round 129, 1)
    unproven: set[str] = set()
    passed = 0  # probes that read what the capability shows
    # a refusal names a title; "View participants": the role holds it through course:enrolreview
    # (shared/moodle README, "Roles and capabilities")
    titled = {c.title: c.name for c in requirements.required_capabilities()}
    titled["View participants"] = "moodle/course:enrolreview"
    for capability in requirements.required_capabilities():
        probe = capability.probe
        if probe is None:
            continue
        if probe.function not in available:
            report.add(capability.name, "skip", f"cannot probe: {probe.function} is not in the service")
            continue
        blocked = sorted(set(probe.also_needs) & failed_names)
        unsure = sorted(set(probe.also_needs) & unproven)
        if blocked or unsure:  # its read needs one failed or unprobed: that one is the fix (tester round 129, 1)
            report.add(capability.name, "skip", f"cannot probe while {_blockers(blocked, unsure)}")
            continue
        missing = sorted(probe.placeholders() - set(values))
        if any(hidden.get(key) == capability.name for key in missing):
            failed_names.add(capability.name)
            report.add(capability.name, "fail", f"the lmsync role lacks {capability.name} ({capability.title}): "
                       f"{probe.function} hid the course's {', '.join(missing)} (no access rights in module context)",
                       _grant(capability.name))
            continue
        if missing:
            report.add(capability.name, "skip", cannot_probe(missing, reads.unread))  # what is missing, not "sync first" (round 73, 8)
            if all(key in reads.unread for key in missing):  # a read failed, not a course without a group yet
                unproven.add(capability.name)
            continue
        try:
            answer = api.transport.call(probe.function, probe.render(values))
            ok = probe.check.passes(answer, values)
            detail = "" if ok else f"{probe.function} answered without what this capability shows"
        except MissingCapability as exc:
            other = titled.get(exc.capability or "")
            if other is not None and other != capability.name:
                # one read needs both (grade:viewall and gradereport/user:view): blame the one Moodle named
                report.add(capability.name, "skip", f"cannot probe while {other} is missing "
                           f"({probe.function} refused for it)")
                continue
            ok, detail = False, f"{probe.function} refused: nopermissions ({exc.capability or capability.title})"
        except MoodleException as exc:
            ok, detail = False, f"{probe.function} failed: {exc.errorcode}"
        except MoodleError as exc:  # not JSON, a timeout: no answer, so not the role's want (tester round 106b, 2)
            unanswered.add(capability.name)
            report.add(capability.name, "fail", f"cannot probe: {exc.message}", read_fix(exc))
            continue
        if ok:
            passed += 1
            continue
        failed_names.add(capability.name)
        report.add(capability.name, "fail", f"the lmsync role lacks {capability.name} ({capability.title}): {detail}",
                   _grant(capability.name))
    probed = sum(1 for c in requirements.required_capabilities() if c.probe is not None)
    if not failed_names and not unanswered:  # "17 probed" under 17 lines "cannot probe yet" (tester round 110a, 4)
        report.add("capabilities", "ok" if passed else "skip", f"{probed} capabilities probed with harmless reads"
                   if passed == probed else f"{passed} of {probed} capabilities probed with harmless reads; the "
                   f"other {probed - passed} could not be probed yet (above)")
    unprobed = [c.name for c in requirements.required_capabilities() if c.probe is None]
    report.add("capabilities (write)", "skip", f"not probed, to stay harmless: {', '.join(unprobed)}")


def _blockers(missing: list[str], unproven: list[str]) -> str:
    """What a probe waits for: ``moodle/course:view is missing``, ``moodle/site:accessallgroups is missing or
    cannot be probed (above)`` for one not probed because a read it needs failed (tester round 129, 1)."""
    said = [f"{', '.join(missing)} {'is' if len(missing) == 1 else 'are'} missing"] if missing else []
    if unproven:
        said.append(f"{', '.join(unproven)} {'is' if len(unproven) == 1 else 'are'} missing or cannot be probed (above)")
    return " and ".join(said)


def _grant(name: str) -> str:
    return ("Site administration > Users > Permissions > Define roles > lmsync web service: allow "
            f"{name} (or re-import the role preset from `lmsync moodle role-preset`)")


def _course_setup(api: MoodleApi, config: Config, reads: CourseReads, report: DoctorReport, self_user_id: int) -> None:
    if reads.users is not None:
        roles_check(config, reads.users, report)
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
                    f"no participant has a value for custom profile field {quoted(shortname)} ({attribute}), "
                    "or the lmsync role cannot see it",
                    "Site administration > Users > Accounts > User profile fields: create it (see plugin_config/"
                    "profile_fields.json); private fields need moodle/user:viewalldetails",
                )
        _people(api, config, report)
    if reads.forums is not None:
        forum_check(api, config, reads.forums, report, self_user_id)
    if reads.feedbacks is not None:
        feedbacks = reads.feedbacks
        wanted = sorted(
            {name for name in (config.meetings.feedback, *(i.feedback for i in config.instruments.values())) if name}
        )
        for feedback in feedbacks:
            if feedback.is_anonymous:
                report.add(
                    f"feedback {quoted(feedback.name)}", "fail" if any(_names(feedback, w) for w in wanted) else "warn",
                    "anonymous: lmsync cannot tie its answers to people",
                    "Feedback settings > Question and submission settings > Record user names: User's name will be "
                    "logged and shown with answers",
                )
        for name in wanted:
            if not any(_names(f, name) for f in feedbacks):  # by name or course-module id (tester round 122a, 5)
                keys = [f"[instruments.{k}] feedback" for k, i in sorted(config.instruments.items()) if i.feedback == name]
                keys = (["[meetings] feedback"] if config.meetings.feedback == name else []) + keys
                report.add(f"feedback {quoted(name)}", "fail",
                           "no such Feedback activity in the course" + names_in_course(name, [f.name for f in feedbacks]),
                           f"add it (see plugin_config/activities.json) or fix {' and '.join(keys)}")
        if feedbacks:
            report.add("feedback", "ok", f"{len(feedbacks)} Feedback activities found")
        feedback_item_checks(api, config, feedbacks, report)


def _names(feedback: Any, wanted: str) -> bool:
    """Whether the configured ``wanted`` names ``feedback``, by name or course-module id, as the read takes it."""
    return same_name(feedback.name, wanted) or str(feedback.coursemodule) == wanted.strip()


def _people(api: MoodleApi, config: Config, report: DoctorReport) -> None:
    """What matching would warn about the people (issue 10 points 4, 5), one check per kind.

    Suspended accounts (trap 41), two roles (trap 42), profile values lmsync cannot read
    unambiguously and departments no mentor shares; each named by username, Moodle id,
    field and value. Warnings, not failures: a coordinator fixes them in Moodle. The circles are
    read as the plan reads them (``doctor_people.planned_circles``), so a two-role person in a
    circle is not said to be in none (tester round 117b, 3).
    """
    from lmsync.domain.people import LARGEST, unshared_departments
    from lmsync.domain.year_of_study import YEAR_FIX
    from lmsync.service.cohort_roles import DOCTOR_FIXES
    from lmsync.service.doctor_people import planned_circles
    from lmsync.service.match import person_labels
    from lmsync.service.match_warning_names import named_notices
    from lmsync.service.observe import find_course_id, read_peer_mentors, read_roster
    from lmsync.service.roster import people_from_roster
    from lmsync.service.site_accounts import api_lookup

    try:
        course_id = find_course_id(api, config.programme.course)
        roster = read_roster(api, course_id, config.moodle.page_size)
    except MoodleError as exc:  # a refusal is named by the capability checks above; any other failure here
        report_unread(report, "people", "the course's participants and their accounts", exc)
        return
    try:
        peers = read_peer_mentors(api, config.programme.peer_mentor_cohort) & frozenset(roster)
    except (MoodleError, ConfigError) as exc:  # it ended doctor with no other check shown (tester round 12, 9)
        report.add("peer mentor cohort", "fail", exc.message, (exc.hint or "") + "; or remove [programme] "
                   "peer_mentor_cohort if the programme has no peer mentors")
        peers = frozenset()
    else:
        if config.programme.peer_mentor_cohort:
            report.add("peer mentor cohort", "ok", f"{len(peers)} of its members are in the course")
    circles = planned_circles(api, config)  # a two-role person in a circle is said to be in it, as the plan says (117b, 3)
    read = people_from_roster(roster, config, peer_mentor_ids=peers, groups=circles.groups, held=circles.held,
                              site=api_lookup(api))  # a held circle's mentor named (tester round 121b, 5)
    unshared = unshared_departments(read.people, config.matching.attributes.department or "department")
    named = partial(person_labels, read.people, show_names=config.privacy.show_names)  # as the plan (round 120c, 8)
    notices = [*read.notices, *named_notices(unshared, named)]
    by_kind: dict[tuple[str, str], list[str]] = {}
    for notice in notices:
        by_kind.setdefault((notice.code, notice.field or ""), []).append(notice.message)
    fixes = {
        "account_suspended": "nothing to do if intended: lmsync never matches a suspended account",
        "account_state_unknown": "give the lmsync role moodle/user:viewdetails so core_user_get_users_by_field "
        "shows every participant",
        "dual_role": "remove one of the roles in the course, or set [matching] dual_role",
        "value_read": "ask the person (or an admin) to type the number alone",
        "value_unreadable": f"ask the person (or an admin) to type one number (a capacity: 0 to {LARGEST:,})",
        "year_implausible": f"ask the person (or an admin) to {YEAR_FIX}, not a class's year",  # tester round 120c, 7
        "department_unshared": "correct the value, or add the spelling to [matching] aliases",
        **DOCTOR_FIXES,  # a peer-mentor cohort member with a mentor role, or a mentee in a circle (tester round 120c)
    }
    for (code, field_name), messages in sorted(by_kind.items()):
        shown = "; ".join(messages[:10]) + (f"; ... and {len(messages) - 10} more" if len(messages) > 10 else "")
        name = f"people: {code}" + (f" ({field_name})" if field_name else "")
        fix = fixes.get(code)
        if code == "value_unreadable" and field_name != (config.matching.attributes.capacity or ""):
            fix = "ask the person (or an admin) to type one whole number, e.g. 3"  # not a capacity (tester round 17, 10)
        report.add(name, "warn", f"{len(messages)}: {shown}", fix)


def _php_output(api: MoodleApi, report: DoctorReport) -> None:
    """PHP printed warnings before Moodle's JSON (display_errors on): answers were read, but say so."""
    seen = getattr(api.transport, "php_output", {})
    if seen:
        function, line = next(iter(seen.items()))
        report.add(
            "php output", "warn",
            f"PHP printed output before the JSON of {len(seen)} function(s) (first: {function}: {line!r})",
            "set display_errors = Off in the Moodle server's php.ini (or Site administration > Development > "
            "Debugging: Display debug messages off) and read the PHP error log",
        )


def run_doctor(api: MoodleApi, config: Config) -> DoctorReport:
    report = DoctorReport()
    info = _connection(api, report, "the built-in emulator" if config.uses_emulator else config.token_source(),
                       config.token_place())
    if info is None:
        programme_section_check(config, report)  # defaults in use (tester round 117b, 8)
        programme_start_check(config, report)
        quiet_hours_zone_check(config, report)
        report_path_check(config, report)
        store_check(config, report)
        clock_store_check(config, report)  # a clock behind the store (108a, 8)
        return report
    available = info.function_names()
    _functions(available, report)
    whole = input_vars_check(api, config, report, info.userid, available)  # PHP's max_input_vars (92b, 1)
    values, reads = placeholders(api, config, report)
    _capabilities(api, available, values, reads, report)
    _course_setup(api, config, reads, report, info.userid)
    if not whole:
        blame_the_cut(report)
    if isinstance(values.get("courseid"), int):
        calendar_check(api, config, values["courseid"], report)
        grouping_check(api, config, values["courseid"], report)  # read as each sync reads it (106b, 2)
        circle_record_check(api, config, values["courseid"], report)  # a store that would take over (89b, 1)
        other_programme_check(api, config, values["courseid"], report)  # a renamed programme's plan (95b, 7)
        assignment_check(api, config, values["courseid"], report)  # as grades plan finds it (118b, 5)
    coordinators_check(api, config, report)
    programme_section_check(config, report)  # defaults in use (tester round 117b, 8)
    programme_start_check(config, report)
    quiet_hours_zone_check(config, report)
    grades_enabled_check(config, report)
    report_path_check(config, report)
    store_check(config, report)
    clock_store_check(config, report)  # a clock behind the store (108a, 8)
    return report
