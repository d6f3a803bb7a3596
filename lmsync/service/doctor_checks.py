"""Doctor's checks of the configuration against the site, and its words for an unreachable site.

Split from :mod:`lmsync.service.doctor` (which runs them): a configured role nobody holds, no
programme start, and a connection failure's cause in a few words with the admin's checklist.
"""

from __future__ import annotations

import difflib
import html
import os
import re
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from lmsync.config import Config
from lmsync.domain.forum_mode import (
    ALL_PARTICIPANTS,
    ANNOUNCEMENTS_WHY,
    NEWS,
    WELCOME_FORUM_FIX,
    moved_by_hand,
    public_welcome_words,
)
from lmsync.domain.ownership import WELCOME_ANCHOR
from lmsync.domain.sync_state import ObservedDiscussion
from lmsync.moodle.errors import MoodleError
from lmsync.service.import_rules import MAX_AGE_WITHOUT_START
from lmsync.service.programme_forum import programme_forums, several_forums
from lmsync.store.problems import FOLDER_HINT
from lmsync.visible import quoted

#: What a probe's missing id stands for, in its "cannot probe yet" line: each said "run `lmsync sync` first",
#: which makes lmsync's circles only (tester round 73, 8).
PROBE_NEEDS = {
    "courseid": "programme course (the course check says why)",
    "userid": "active mentee with an idnumber in the course",
    "groupid": "group in the course that the lmsync user is not a member of (`lmsync sync` makes lmsync's circles)",
    "forumid": "forum named by [programme] forum in the course",
    "feedbackid": "Feedback activity in the course",
    "assignmentid": "assignment in the course",
}


def cannot_probe(missing: Iterable[str], unread: Mapping[str, str] | None = None) -> str:
    """``cannot probe yet: no <what each missing id stands for>``; a missing id whose read failed says that
    instead (``unread``: id -> why): a course of 24 groups was said to have none when a token lacking
    moodle/course:managegroups could not list them (tester round 89b, 6)."""
    unread = unread or {}
    said = [unread.get(key) or f"no {PROBE_NEEDS.get(key, key)}" for key in missing]
    return ("cannot probe: " if all(key in unread for key in missing) else "cannot probe yet: ") + "; ".join(said)


LISTED_NAMES = 8  # at most this many of the course's activity names in a "no such activity" failure


def names_in_course(wanted: str, names: list[str]) -> str:
    """What the course has instead of ``wanted``, as words to append to a "no such activity" failure:
    `` (did you mean 'X'?; the course has: 'A', 'B')``, at most ``LISTED_NAMES`` of them; ``""``
    when it has none. A typo in a name is the usual cause and the admin sees the fix at once."""
    if not names:
        return ""
    close = difflib.get_close_matches(wanted.casefold(), [n.casefold() for n in names], n=1, cutoff=0.8)
    guess = next((n for n in names if close and n.casefold() == close[0]), None)
    listed = ", ".join(quoted(n) for n in sorted(names)[:LISTED_NAMES])
    more = f" and {len(names) - LISTED_NAMES} more" if len(names) > LISTED_NAMES else ""
    return f" ({f'did you mean {quoted(guess)}?; ' if guess else ''}the course has: {listed}{more})"


def forum_check(api: Any, config: Config, forums: list[Any], report: Any, self_user_id: int) -> None:
    """The programme's forum is in the course, and lmsync's welcomes did not come back for all participants.

    Only discussions lmsync's web-service user posted (``self_user_id``: the token's user, as
    ``core_webservice_get_site_info`` names it; the sync's ``public_welcomes`` asks the same) count: a
    teacher's copy of a welcome, marker and all, posted to all participants said a forum in separate
    groups mode was not (tester round 87b, 4). Moved here from :mod:`lmsync.service.doctor`."""
    found = programme_forums(forums, config.programme.forum)
    if len(found) > 1:  # it said "found (forum 3)", the first of two, and sync posted there (tester round 94b, 2)
        report.add("forum", "fail", *several_forums(config.programme.forum, found))
        return
    forum = found[0] if found else None
    if forum is None:
        report.add(
            "forum", "fail", f"no forum named {quoted(config.programme.forum)} in the course"
            + names_in_course(config.programme.forum, [f.name for f in forums]),
            WELCOME_FORUM_FIX,
        )
        return
    if forum.type == NEWS:  # not "the role lacks mod/forum:startdiscussion" (tester round 92b, 2)
        report.add("forum", "fail", f"{quoted(config.programme.forum)} (forum {forum.id}) is {ANNOUNCEMENTS_WHY}",
                   WELCOME_FORUM_FIX)
        return
    from lmsync.service.doctor_reads import checked_read

    discussions = checked_read(lambda: api.get_forum_discussions(forum.id).discussions, report, "forum",
                               f"the discussions of {quoted(config.programme.forum)} (forum {forum.id})")
    if discussions is None:
        return  # a refusal: reported by the capability probes; another failure: just said (tester round 106b, 2)
    # a welcome's marker survives the purifier as an id (trap 40), the older comment does not: both
    # count (round 9, 2: with only "lmsync:" looked for, 60 public welcomes passed as ok)
    public = sorted(d.discussion for d in discussions if (WELCOME_ANCHOR in d.message or "lmsync:" in d.message)
                    and d.groupid == ALL_PARTICIPANTS and d.userid == self_user_id)
    if public:  # one moved to all participants is not a forum out of group mode (tester round 103b, 4)
        seen = [ObservedDiscussion(d.discussion, d.groupid, d.subject, "", d.userid) for d in discussions]
        what, fix = public_welcome_words(public, {d.discussion: quoted(html.unescape(d.subject)) for d in discussions},
                                         moved_by_hand(seen, public, self_user_id))
        report.add("forum", "fail", f"{quoted(config.programme.forum)}: {what}", fix)
    else:
        report.add(
            "forum", "ok", f"{quoted(config.programme.forum)} found (forum {forum.id}); its group mode is not "
            "visible over web services: make sure it is Separate groups",
        )


def reachable_checklist(url: str) -> str:
    """What to check when the site cannot be reached at all (issue 11): URL, DNS, proxy, TLS, firewall."""
    host = urlsplit(url).hostname or url
    return (
        f"check, in order: (1) [moodle] url ({url}) is the address you open in a browser, and the site is up; "
        f"(2) DNS: {host} resolves on this machine (`getent hosts {host}`); (3) proxy: HTTPS_PROXY/HTTP_PROXY "
        f"and NO_PROXY in lmsync's environment; (4) TLS: https:// for a site that serves it, a trusted certificate "
        "([moodle] verify_tls only for a test site); (5) firewall: this machine may open the site's port"
    )


#: Moodle's standard course role shortnames: one of these that nobody holds is normal (a
#: default ``mentor_roles`` lists both teacher roles) while another role of the list is held.
STANDARD_ROLES = frozenset({"manager", "coursecreator", "editingteacher", "teacher", "student", "guest", "user"})


def roles_check(config: Config, users: list[Any], report: Any) -> None:
    """Each configured mentor and mentee role is held by someone in the course.

    A misspelt role (``mentee_roles = ["studnet"]``) makes every mentee vanish from the
    desired state, so a sync would empty every circle; doctor names the role and the roles
    that are held (counting active enrolments). A standard Moodle role nobody holds passes
    when another role of the same list is held.
    """
    holders: dict[str, int] = {}
    for user in users:
        for role in user.role_shortnames():
            holders[role] = holders.get(role, 0) + 1
    held = ", ".join(sorted(holders)) or "none"
    for key, roles in (("mentor_roles", config.programme.mentor_roles), ("mentee_roles", config.programme.mentee_roles)):
        kind_held = [r for r in roles if holders.get(r)]
        for role in roles:
            if holders.get(role) or (kind_held and role in STANDARD_ROLES):
                continue
            report.add(
                f"programme {key}", "fail", f"{key}: no one in the course holds {quoted(role)} (roles held: {held})",
                f"set [programme] {key} to role shortnames people hold in {config.programme.course} "
                "(Site administration > Users > Permissions > Define roles shows each role's short name)",
            )
        if kind_held:
            counts = ", ".join(f"{r} {holders[r]}" for r in kind_held)
            report.add(f"programme {key}", "ok", f"held in the course ({counts})")


def report_path_check(config: Config, report: Any) -> None:
    """``[report] path`` that the cycle would refuse (the store, a SQLite database, a folder, a folder that does
    not exist, a file lmsync did not write: ``out_files.foreign_report``, tester round 78, 9) or that lmsync's
    user cannot write: said by doctor, not first by the last step of every run (tester rounds 8, 8 and 77, 2
    and 3). A symbolic link is judged as a run writes it: through to its target, each check made of the
    target too (tester round 79, 4). Reads only: ``os.access`` as lmsync's user, no test write. Nothing when
    no path is set. The setting is named where it was set: ``LMSYNC_REPORT_PATH (report.path)`` when the
    environment set it, as the deploy/ variants do (``Config.setting_name``; tester round 129, 3)."""
    from lmsync.service.out_files import folder_refusal, foreign_report, refusal

    if config.report.path is None:
        return
    key = config.setting_name(("report", "path"))
    either = f"{key} (or LMSYNC_REPORT_PATH)" if key.startswith("[") else key
    path = Path(config.report.path)
    # the state folder, where the store is: lmsync writes there under the shipped units; a web root is neither
    # writable there (ProtectSystem=strict) nor the place for a page of personal data (tester round 77, 2)
    elsewhere = f"e.g. {config.store_path().with_name(f'{config.programme.name}.report.html')}"
    reason = refusal(path, config)
    missing = folder_refusal(path, key)
    target = Path(os.path.realpath(path))  # a link: its target is written
    if reason is not None:
        report.add("report path", "fail", reason,
                   f"point {either} at another file, {elsewhere}")
    elif path.is_dir():
        report.add("report path", "fail", f"{path} is a folder: the report is one HTML file",
                   f"name a file in {key}, e.g. report.html")
    elif missing is not None:  # never made by a run, as for --out (tester round 77, 3)
        report.add("report path", "fail", *missing)
    elif (foreign := foreign_report(path, key)) is not None:  # a run refuses it (tester round 78, 9)
        report.add("report path", "fail", *foreign)
    elif not os.access(target.parent, os.W_OK | os.X_OK):  # each run writes a new file there and renames it
        report.add("report path", "fail", f"lmsync's user cannot write in the folder {target.parent}, where each run "
                   f"writes the report {target.name}",
                   f"make the folder writable by lmsync's user (under systemd: ReadWritePaths= in the unit), or point "
                   f"{key} at a file in a folder it can write, {elsewhere}")
    elif target.exists() and not os.access(target, os.W_OK):  # another account's file (in /tmp, its own to replace)
        report.add("report path", "fail", f"lmsync's user cannot write the file {target}",
                   f"make the file writable by lmsync's user (or remove it), or point {key} at another file, "
                   f"{elsewhere}")
    elif path.is_symlink():  # written through, the link kept, as a run does (tester round 79, 4)
        report.add("report path", "ok", f"each run writes the report to {path}, a symbolic link: to its target "
                   f"{target} (the link stays)")
    else:
        report.add("report path", "ok", f"each run writes the report to {path}")


def programme_start_check(config: Config, report: Any) -> None:
    """Warn without a programme start: imports and the attendance metric have no lower bound."""
    if config.meetings.start is None and config.waves.programme_start is None:
        report.add(
            "programme start", "warn",
            f"no programme start configured: imports accept meetings and answers of the last {MAX_AGE_WITHOUT_START} days only (an "
            "older date is refused, a mistyped one inside that year is stored), and the attendance metric counts each pair from the day lmsync paired them, so a pair "
            "that met before lmsync came is expected to meet only from then",
            "set [waves] programme_start (or [meetings] start) to the programme's first day, e.g. 2026-09-01",
        )


def quiet_hours_zone_check(config: Config, report: Any) -> None:
    """Quiet hours read in UTC because ``[programme] timezone`` was never set: a school outside UTC would
    be messaged at night, and nothing said so (tester round 69, 8)."""
    if config.nudges.quiet_hours and "timezone" not in config.programme.model_fields_set:
        report.add(
            "quiet hours", "warn",
            f"[nudges] quiet_hours = {quoted(config.nudges.quiet_hours)} are read in UTC: [programme] timezone is not set",
            "set [programme] timezone to the school's zone (IANA name, e.g. Europe/London), or \"UTC\" to keep it",
        )


def grades_enabled_check(config: Config, report: Any) -> None:
    """``[grades] enabled`` naming no metric: a typo turns off every grade (``grade_metrics.unknown_metrics``;
    tester round 58, 9: doctor passed it while ``grades plan`` refused); ``mentee_ratings = "hidden"`` with an
    instrument that rates mentors warns that mentors who are teachers can read those items (tester round 68, 2)."""
    from lmsync.service.grade_metrics import metric_specs, unknown_metrics
    from lmsync.service.programme_settings import settings

    s = settings(config)
    if config.grades.mentee_ratings == "hidden" and any(i.rates_mentor for i in s.instruments.values()):
        # said where it takes effect, not only by `grades plan` (tester round 68, 2)
        from lmsync.service.grades_plan import HIDDEN_POLICY_WARNING

        report.add("grades mentee ratings", "warn", HIDDEN_POLICY_WARNING,
                   "set [grades] mentee_ratings = \"aggregate_only\" unless mentors hold no teacher role here")
    if config.grades.enabled is None:
        return
    problem = unknown_metrics(set(config.grades.enabled), metric_specs(s))
    if problem is not None:
        report.add("grades enabled", "fail", problem, "correct or remove them in [grades] enabled")


def coordinators_check(api: Any, config: Config, report: Any) -> None:
    """Each ``[health] coordinators`` and ``escalate_to`` username is a Moodle account.

    Read with ``core_user_get_users_by_field`` (username), as the digest does: an unknown one
    would get no digest and no escalation. The check fails naming it; an unreadable answer warns. One
    the store records as erased fails too (``stores.erased_ids``, as the queue's staff: tester round 77b, 4); one
    whose account is suspended warns (``coordinator_accounts.doctor_lines``; tester round 113, 3).
    """
    from lmsync.service.coordinator_accounts import doctor_lines
    from lmsync.service.stores import erased_ids

    keys = [(name, "coordinators") for name in config.health.coordinators]
    if config.health.escalate_to:
        keys.append((config.health.escalate_to, "escalate_to"))
    if not keys:
        return
    try:
        users = [u for u in api.get_users_by_field("username", sorted({n for n, _ in keys})) if u.username]
        ids = {u.username: u.id for u in users}
        found = set(ids)
    except MoodleError as exc:
        from lmsync.service.doctor_reads import report_unread

        if report_unread(report, "health coordinators", "the usernames", exc):  # no capability fixes it (106b, 2)
            return
        report.add(
            "health coordinators", "warn", f"could not look the usernames up ({type(exc).__name__})",
            "give the lmsync role moodle/user:viewdetails so core_user_get_users_by_field answers",
        )
        return
    unknown = [(name, key) for name, key in keys if name not in found]
    for name, key in unknown:
        report.add(
            f"health {key}", "fail", f"[health] {key}: no Moodle user with username {quoted(name)}",
            f"set [health] {key} to the Moodle username (Site administration > Users > Browse list of users)",
        )
    found_ids = {ids[name] for name, _ in keys if name in ids}
    gone = found_ids & erased_ids(config) if found_ids else set()  # none without a store (read-only)
    for name, key in keys:  # sent no digest, given no item: an admin takes them out (tester round 77b, 4)
        if ids.get(name) in gone:
            report.add(f"health {key}", "fail", f"[health] {key}: {quoted(name)} was erased (`lmsync person erase`): "
                       "gets no digest and no queue item", f"remove {quoted(name)} from [health] {key}")
    suspended = doctor_lines(keys, users, config.health.coordinators)  # warned, with the fix (tester round 113, 3)
    for name, detail, fix in suspended:
        report.add(name, "warn", detail, fix)
    if not unknown and not gone and not suspended:
        report.add("health coordinators", "ok", f"{len({name for name, _ in keys})} coordinator username(s) found in Moodle")  # each once (round 116, 5)


def calendar_check(api: Any, config: Config, course_id: int, report: Any) -> None:
    """Nudges pause in exam blocks read from the course calendar; lmsync must be able to see them.

    The integration user is not enrolled, so without moodle/calendar:manageentries Moodle answers
    each course event as a ``nopermissions`` warning, HTTP 200 (trap 45). Reads the course's events
    of the coming year once; with no course events there is nothing to prove, which is said.
    """

    if not config.nudges.exam_pattern:
        return
    now = int(time.time())
    try:
        result = api.get_calendar_events(courseids=[course_id], timestart=now, timeend=now + 366 * 86400, userevents=False)
    except MoodleError as exc:
        from lmsync.service.doctor_reads import report_unread

        if report_unread(report, "calendar", "the course calendar", exc):  # not JSON, a timeout (106b, 2)
            return
        report.add(
            "calendar", "warn", f"could not read the course calendar ({type(exc).__name__}): exam blocks unknown",
            "add core_calendar_get_calendar_events to the service (the local_lmsync plugin has it)",
        )
        return
    hidden = sum(1 for w in result.warnings if (w.warningcode or "").startswith("nopermissions"))
    if hidden:
        report.add(
            "calendar", "fail",
            f"{hidden} course calendar event(s) hidden from lmsync (nopermissions): nudges would be held, "
            "exam blocks cannot be read",
            "give the lmsync role moodle/calendar:manageentries at system level",  # trap 45
        )
    elif result.events:  # which of them hold nudges: a pattern matching none held nothing (tester round 56, 10)
        pattern = re.compile(config.nudges.exam_pattern)
        blocks = sorted({name for e in result.events if pattern.search(name := html.unescape(e.name))})
        said = f"{len(blocks)} match [nudges] exam_pattern" + (f" ({', '.join(map(repr, blocks[:5]))})" if blocks else "")
        report.add("calendar", "ok", f"{len(result.events)} calendar event(s) in the coming year readable; {said}",
                   None if blocks else "no exam block holds nudges: check [nudges] exam_pattern against the events' names")
    else:
        report.add("calendar", "ok", "no calendar events in the coming year (exam blocks: none to check)")


def store_check(config: Config, report: Any) -> None:
    """Whether the store can be opened, read-only (doctor never writes): a PostgreSQL store that was
    down passed doctor and then failed every run (tester round 12, 6). A SQLite file is made on first
    use; an explicit ``[store] path`` whose folder does not exist is a warning (a typo makes a second,
    empty store there: tester round 12, 13). An existing store must be lmsync's, bound to this site and
    course, undamaged and writable: doctor passed a garbage file, a store of another site, a damaged
    file and a read-only folder, each of which then stopped every run (tester round 20, 3). A file at the store's lock
    name that is no lock (``lock.lock_file_problem``, read-only) fails with the runs' words and fix (tester round 104b,
    6). A ``[store] url`` password in a configuration file others may read fails a ``store url`` check first (tester
    round 94b, 7)."""
    from lmsync.config_password import open_password
    from lmsync.service.lock import lock_file_problem
    from lmsync.service.runtime import lock_path
    from lmsync.service.stores import store_target
    from lmsync.store.db import is_postgres
    from lmsync.store.pg_refusals import store_refused
    from lmsync.store.unreachable import shown_url, store_url

    if (open_file := open_password(config)) is not None:  # said, never refused: runs go on (tester round 94b, 7)
        report.add("store url", "fail", open_file.detail, open_file.fix)

    target = store_target(config)  # the file of a sqlite:/// url, as the commands open it (tester round 95b, 1)
    if is_postgres(target):
        state = _store_opens(config, report, target)
        url = store_url(target)
        if state is not None and url is not None and (pg_refused := store_refused(url, shown_url(url))) is not None:  # tester round 124, 3, 6, 7
            report.add("store", "fail", *pg_refused)
        elif state is not None:  # bound only when it is: an empty database is no store yet (tester round 89b, 4)
            report.add("store", "ok", {
                "bound": "the PostgreSQL store answers, bound to this site and course",
                "unbound": "the PostgreSQL store answers, bound to no site yet (the first run binds it to this site "
                           "and course)",
                "empty": "the PostgreSQL database answers and is empty (the store is made by the first run)",
            }[state])
        return
    path = Path(target)
    # the setting that names the store, in fixes: [store] path was named for a sqlite:/// url (tester round 96b, 9)
    key = "[store] url (or LMSYNC_STORE_URL)" if config.store.url is not None else "[store] path (or LMSYNC_STORE_PATH)"
    folder = next((p for p in (path.parent, *path.parent.parents) if p.exists()), None)
    if folder is not None and not folder.is_dir():  # every run then failed making the folder (tester round 69, 3)
        report.add("store", "fail", f"{folder} is a file, not a folder: the store {path} cannot be made under it",
                   FOLDER_HINT)
        return
    broken = next((p for p in (path, *path.parents) if p.is_symlink() and not p.exists()
                   and (p != path or not path.resolve().parent.is_dir())), None)
    if broken is not None:  # a run cannot make the store there (tester passes 71, 2 and 72, 2 and 4); a link
        # to a store not yet made, in a folder that exists, is fine: SQLite makes it at the link's target
        report.add("store", "fail", f"{broken} is a link to nothing ({os.readlink(broken)})",
                   f"point {key} at a folder that exists, or remove the link")
        return
    if (config.store.path is not None or config.store.url is not None) and not path.parent.is_dir():
        report.add("store", "warn", f"{path.parent} does not exist: the first run makes it and a new, empty store in it",
                   f"check {key} for a typo; create the folder if the path is right")
        return
    unwritable = [p for p in (path, folder) if p is not None and p.exists() and not os.access(p, os.W_OK)]
    if unwritable:
        report.add("store", "fail", f"lmsync's user cannot write {unwritable[0]}",
                   "make the store file and its folder writable by lmsync's user (the folder holds the lock and "
                   f"SQLite's -wal file), or point {key} at a writable place")
        return
    # a file at the lock's name that is no lock: every run refuses it, in these words (tester round 104b, 6)
    refused = lock_file_problem(lock_path(config), target if isinstance(target, Path) else None)
    if refused is not None:
        report.add("store", "fail", refused.message, refused.hint)
        return
    shown = shown_store_path(config, path)
    if not path.exists():
        report.add("store", "ok", f"{shown} (made by the first run)")
    elif _store_opens(config, report, path) is not None:
        report.add("store", "ok", shown)


def shown_store_path(config: Config, path: Path) -> str:
    """The store's file ``path`` for doctor's store line: as it is when absolute; else where the relative path was read
    from, with the absolute path: a ``[store] path`` written in the file from the file's folder (``anchor_paths``: the
    line said "in the folder lmsync runs in" for ``--config p2/c.toml``, whose ``s.db`` is ``p2/s.db``: tester round
    108b, 2), one set by environment or a ``sqlite:///`` url from the folder lmsync runs in (the README's rule)."""
    if path.is_absolute():
        return str(path)
    full = os.path.abspath(path)
    _text, env_names = config._written
    from_file = config.store.url is None and config.store.path is not None and ("store", "path") not in env_names
    if from_file and config.source is not None:
        return (f"{full} (a relative [store] path in {config.source}: read from that file's folder, "
                f"{os.path.abspath(config.source.parent)})")
    by = env_names.get(("store", "url" if config.store.url is not None else "path"))
    return f"{path} (relative{f', set by {by}' if by else ''}: read from the folder lmsync runs in, now {Path.cwd()}, so {full})"


def _store_opens(config: Config, report: Any, target: Path | str) -> str | None:
    """Open the store read-only and check its binding and (SQLite) its pages; a failure is reported (``None``).
    Else ``bound``, ``unbound`` (its tables, no binding) or ``empty`` (a PostgreSQL database without tables,
    read as an empty in-memory store: ``Store._read_only_schema``)."""
    from lmsync.errors import ConfigError, LmsyncError
    from lmsync.service.stores import check_binding
    from lmsync.store.db import Store, is_postgres
    from lmsync.store.integrity import damage

    try:
        store = Store(target, read_only=True)
    except LmsyncError as exc:
        report.add("store", "fail", exc.message, exc.hint or "check [store] path or [store] url")
        return None
    try:
        broken = damage(store)
        if broken is not None:
            report.add("store", "fail", f"the store {store.where} is damaged: SQLite's check says {broken!r}",
                       "restore the store from a backup (a migration leaves <name>.db.bak-* beside it)")
            return None
        try:
            in_force = check_binding(store, config)
        except ConfigError as exc:
            report.add("store", "fail", exc.message, exc.hint)
            return None
        bound = store.binding()
        if in_force is None and bound is not None:  # bound elsewhere by a run that wrote nothing
            report.add("store", "warn", f"the store {store.where} was bound to site {bound.site}, course "
                       f"{bound.course} by a run that wrote nothing: the next run binds it to this site", None)
            return None
        if bound is not None:
            return "bound"
        return "empty" if is_postgres(target) and store.dialect != "postgresql" else "unbound"
    finally:
        store.close()
