"""Observe: read what Moodle holds for one programme into plain domain values.

Reads are chosen for trust, not convenience: the course's group list can show phantom
groups after a rolled-back batch (trap 27), so every lmsync-owned group is confirmed with
``core_group_get_group_members`` (a database read that fails for a phantom id) before it
counts as existing, and grouping membership comes from ``core_group_get_groupings``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lmsync.config import Config
from lmsync.domain.plan import (
    Observation,
    ObservedDiscussion,
    ObservedGroup,
    grouping_idnumber,
    mentor_of_idnumber,
)
from lmsync.errors import ConfigError
from lmsync.log import get_logger
from lmsync.moodle.api import MoodleApi
from lmsync.moodle.errors import InvalidRecord

log = get_logger(__name__)

ROSTER_FIELDS = ["id", "username", "idnumber", "fullname", "firstname", "lastname", "email", "customfields", "roles"]


@dataclass(frozen=True)
class RosterUser:
    """An actively enrolled user of the programme course, with what matching needs."""

    id: int
    username: str
    idnumber: str
    fullname: str
    email: str
    roles: frozenset[str]
    profile: dict[str, str] = field(default_factory=dict, hash=False, compare=False)


@dataclass(frozen=True)
class Snapshot:
    """One observation of Moodle: the plan's input and the people behind it."""

    observation: Observation
    roster: dict[int, RosterUser]
    forum_cmid: int | None = None
    peer_mentor_ids: frozenset[int] = frozenset()
    phantom_group_ids: tuple[int, ...] = ()
    grouping_name: str = ""
    grouping_description: str = ""


def find_course_id(api: MoodleApi, shortname: str) -> int:
    courses = api.get_courses_by_field("shortname", shortname).courses
    if not courses:
        raise ConfigError(
            f"programme.course: no course with shortname {shortname!r} is visible to the lmsync user",
            hint="check the shortname, and that the lmsync role has moodle/course:view at system level",
        )
    return courses[0].id


def read_roster(api: MoodleApi, course_id: int, page_size: int) -> dict[int, RosterUser]:
    """Active enrolments only: suspended and ended ones look active otherwise (trap 13)."""
    roster: dict[int, RosterUser] = {}
    for user in api.get_enrolled_users(course_id, onlyactive=True, userfields=ROSTER_FIELDS, page_size=page_size):
        roster[user.id] = RosterUser(
            id=user.id,
            username=user.username or "",
            idnumber=user.idnumber or "",
            fullname=user.fullname or f"{user.firstname or ''} {user.lastname or ''}".strip(),
            email=user.email or "",
            roles=frozenset(role.shortname for role in user.roles),
            profile={field.shortname: field.value for field in user.customfields if field.value is not None},
        )
    return roster


def confirmed_members(api: MoodleApi, group_ids: list[int]) -> dict[int, frozenset[int]]:
    """Members per group id; ids that no longer exist (phantoms) are left out, not fatal."""
    if not group_ids:
        return {}
    try:
        return {entry.groupid: frozenset(entry.userids) for entry in api.get_group_members(group_ids)}
    except InvalidRecord:
        if len(group_ids) == 1:
            log.warning("observe.phantom_group", group_id=group_ids[0])
            return {}
        middle = len(group_ids) // 2
        return {**confirmed_members(api, group_ids[:middle]), **confirmed_members(api, group_ids[middle:])}


def observe(api: MoodleApi, config: Config) -> Snapshot:
    programme = config.programme.name
    course_id = find_course_id(api, config.programme.course)
    roster = read_roster(api, course_id, config.moodle.page_size)

    owned_idnumber = grouping_idnumber(programme)
    grouping_id = None
    grouping_name = grouping_description = ""
    grouped: set[int] = set()
    for grouping in api.get_course_groupings(course_id):
        if grouping.idnumber == owned_idnumber:
            try:
                confirmed = api.get_groupings([grouping.id], returngroups=True)
            except InvalidRecord:  # a phantom left by a rolled-back batch
                log.warning("observe.phantom_grouping", grouping_id=grouping.id)
                continue
            if confirmed:
                grouping_id = grouping.id
                grouping_name, grouping_description = confirmed[0].name, confirmed[0].description or ""
                grouped = {g.id for g in confirmed[0].groups or [] if g.courseid == course_id}

    course_groups = api.get_course_groups(course_id)
    owned_ids = [g.id for g in course_groups if mentor_of_idnumber(programme, g.idnumber) is not None]
    members = confirmed_members(api, owned_ids)
    groups = []
    phantoms = []
    for group in course_groups:
        is_owned = group.id in owned_ids
        if is_owned and group.id not in members:
            phantoms.append(group.id)
            continue
        groups.append(
            ObservedGroup(
                id=group.id,
                name=group.name,
                idnumber=group.idnumber or "",
                members=members.get(group.id, frozenset()),
                in_grouping=group.id in grouped,
            )
        )

    forum_id, forum_cmid, discussions = None, None, []
    forum = next((f for f in api.get_forums_by_courses([course_id]) if f.name == config.programme.forum), None)
    if forum is None:
        log.warning("observe.forum_missing", course_id=course_id)
    else:
        forum_id, forum_cmid = forum.id, forum.cmid
        discussions = [
            ObservedDiscussion(id=d.discussion, groupid=d.groupid, subject=d.subject, message=d.message or "")
            for d in api.get_forum_discussions(forum.id).discussions
        ]
    peers = read_peer_mentors(api, config.programme.peer_mentor_cohort) & frozenset(roster)
    observation = Observation(
        course_id=course_id,
        grouping_id=grouping_id,
        groups=tuple(sorted(groups, key=lambda g: g.id)),
        active_user_ids=frozenset(roster),
        forum_id=forum_id,
        discussions=tuple(discussions),
    )
    log.info(
        "observe.done",
        course_id=course_id,
        active_users=len(roster),
        owned_groups=len(members),
        discussions=len(discussions),
    )
    return Snapshot(
        observation=observation,
        roster=roster,
        forum_cmid=forum_cmid,
        peer_mentor_ids=peers,
        phantom_group_ids=tuple(phantoms),
        grouping_name=grouping_name,
        grouping_description=grouping_description,
    )


def refresh_group_cache(api: MoodleApi, snapshot: Snapshot) -> bool:
    """Make Moodle rebuild the course's group cache with a write that changes nothing.

    A rolled-back batch can leave phantom groups in the cache, and Moodle then refuses to
    create the real group (``idnumbertaken``) until any successful group write in the course
    (trap 27). Rewriting lmsync's own grouping or circle with its current values is such a
    write. Returns False when lmsync owns nothing to rewrite yet.
    """
    obs = snapshot.observation
    if obs.grouping_id is not None and snapshot.grouping_name:
        api.update_groupings(
            [{"id": obs.grouping_id, "name": snapshot.grouping_name, "description": snapshot.grouping_description}]
        )
        return True
    owned = [g for g in obs.groups if g.idnumber.startswith("lmsync:")]
    if owned:
        api.update_groups([{"id": owned[0].id, "name": owned[0].name}])
        return True
    return False


def read_peer_mentors(api: MoodleApi, cohort_idnumber: str | None) -> frozenset[int]:
    """Members of the peer-mentor cohort named by idnumber (or name); empty when none is configured."""
    if not cohort_idnumber:
        return frozenset()
    cohorts = [c for c in api.get_cohorts() if cohort_idnumber in (c.idnumber, c.name)]
    if not cohorts:
        raise ConfigError(
            f"programme.peer_mentor_cohort: no cohort {cohort_idnumber!r} is visible to the lmsync user",
            hint="check the cohort's idnumber (Site administration > Users > Cohorts) and moodle/cohort:view",
        )
    members = api.get_cohort_members([cohorts[0].id])
    return frozenset(uid for entry in members for uid in entry.userids)
