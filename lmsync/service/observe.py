"""Observe: read what Moodle holds for one programme into plain domain values.

Reads are chosen for trust, not convenience: the course's group list can show phantom
groups after a rolled-back batch (trap 27), so every lmsync-owned group is confirmed with
``core_group_get_group_members`` (a database read that fails for a phantom id) before it
counts as existing, and grouping membership comes from ``core_group_get_groupings``.
"""

from __future__ import annotations

import functools
import sys
from collections import Counter
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from lmsync.config import Config
from lmsync.domain.circle_proof import CircleProof, disown
from lmsync.domain.grouping_proof import proves_grouping
from lmsync.domain.ownership import circle_programme, grouping_idnumber, mentor_of_idnumber
from lmsync.domain.plan import Observation, ObservedDiscussion, ObservedGroup
from lmsync.domain.renumbered_circles import with_idnumbers_back
from lmsync.domain.renumbered_grouping import grouping_back, own_renumbered
from lmsync.errors import ConfigError
from lmsync.log import get_logger
from lmsync.moodle.api import MoodleApi
from lmsync.moodle.errors import InvalidRecord, MoodleException
from lmsync.moodle.models import Discussion, EnrolledUser, Forum, User
from lmsync.service.profile_fields import ProfileFields
from lmsync.service.programme_forum import one_programme_forum
from lmsync.service.reads import ReadPool, read_pages
from lmsync.service.site_accounts import accounts

log = get_logger(__name__)

# What a roster read asks Moodle for (issue 15: only the fields a step needs; ``id`` and
# ``fullname`` come back whether asked or not). People lookups (meetings, privacy, health) match
# by email too; the sync asks for :func:`sync_user_fields`.
#: the one course of the built-in emulator's demo site (``lmsync.moodle.emulator.demo``; a test keeps them one)
EMULATOR_COURSE = "MENTOR-2026"
ROSTER_FIELDS = ["id", "username", "idnumber", "fullname", "email", "customfields", "roles"]


#: What the account-state read keeps of each core_user_get_users_by_field row (trap 41).
ACCOUNT_STATE_KEYS = ("id", "suspended")


def sync_user_fields(config: Config) -> list[str]:
    """The ``userfields`` the sync and matching read: ids, the username (the person's id),
    the idnumber (an alias), roles (mentor or mentee), the email only when a pin, forbid or rematch entry
    names someone by it, and, only when a matching attribute names a
    profile field, ``customfields`` (issue 15; TIMINGS.md: roles and customfields make Moodle
    build each user at ~1.2 ms instead of ~0.25 ms)."""
    fields = ["id", "username", "idnumber", "roles"]
    if any(config.matching.attributes.model_dump().values()):
        fields.append("customfields")
    keys = [key for pair in (*config.matching.pins, *config.matching.forbids) for key in pair]
    if any("@" in key for key in (*keys, *config.matching.rematch)):
        fields.append("email")  # a pin, forbid or rematch names someone by email (new admin, part 2, point 6)
    return fields


@dataclass
class RunMemo:
    """What one run reads once and reuses in its later observations (issue 15): the course id and
    the token's own user id (lmsync's welcome posts, trap 40). Neither changes within a run."""

    course_id: int | None = None
    self_user_id: int | None = None


@dataclass(frozen=True, slots=True)
class RosterUser:
    """An actively enrolled user of the programme course, with what matching needs.

    One per enrolled user, so slotted (no per-instance ``__dict__``): at 55,000 users that and
    the shared role sets and profile values below save ~40 MB (issue 15: a 50,000-user sync
    under 300 MB)."""

    id: int
    username: str
    idnumber: str
    fullname: str
    email: str
    roles: frozenset[str]
    # name -> value, held as ``ProfileFields`` (a dict given is turned into one): a dict per user was 12 MB at 55,000
    profile: Mapping[str, str] = field(default_factory=ProfileFields, hash=False, compare=False)
    # The *account* state (trap 41): True suspended, False active, None when
    # core_user_get_users_by_field did not return the user (no right to see them).
    suspended: bool | None = False

    def __post_init__(self) -> None:
        if not isinstance(self.profile, ProfileFields):
            object.__setattr__(self, "profile", ProfileFields(self.profile))


@dataclass(frozen=True)
class Snapshot:
    """One observation of Moodle: the plan's input and the people behind it."""

    observation: Observation
    roster: dict[int, RosterUser]
    forum_cmid: int | None = None
    peer_mentor_ids: frozenset[int] = frozenset()
    peer_mentors_gone: frozenset[int] = frozenset()  # of the cohort, not in the course: a gone mentor's circle's kind
    phantom_group_ids: tuple[int, ...] = ()
    grouping_name: str = ""
    grouping_description: str = ""
    # the forum's discussions as read (last-post fields too): health's forum activity reuses them
    # instead of reading the forum again; None when the forum was not read
    forum_discussions: tuple[Discussion, ...] | None = None
    # what the store proved of the programme's circles, when the observation was checked against it
    proof: CircleProof | None = None


def find_course_id(api: MoodleApi, shortname: str) -> int:
    courses = api.get_courses_by_field("shortname", shortname).courses
    if not courses:
        raise ConfigError(
            f"programme.course: no course with shortname {shortname!r} is visible to the lmsync user",
            # the emulator's one course went unsaid (tester round 110a, 4: init and doctor took BIO-101 on it)
            hint="check the shortname, and that the lmsync role has moodle/course:view at system level; the "
                 f"built-in emulator (no [moodle] url) has one course, {EMULATOR_COURSE}",
        )
    return courses[0].id


@functools.lru_cache(maxsize=256)
def _role_set(shortnames: tuple[str, ...]) -> frozenset[str]:
    """One shared frozenset per combination of roles (a course has a handful; issue 15, memory)."""
    return frozenset(shortnames)


def roster_user(user: EnrolledUser | User, suspended: bool | None = False) -> RosterUser:
    """One core_enrol_get_enrolled_users row as a ``RosterUser`` (a core_user_get_users_by_field row: one
    with no role in the course, as the report names someone no longer in it).

    Role sets are shared and profile field names and values interned: programmes repeat the
    same departments, years and languages thousands of times (issue 15, memory).
    """
    username, idnumber = user.username or "", user.idnumber or ""
    return RosterUser(
        id=user.id,
        username=username,
        idnumber=username if idnumber == username else idnumber,  # one string when the same (issue 15, memory)
        # a name with no last name comes back "s0200 ": shown as "s0200  (s0200)" (tester round 62, 9)
        fullname=(user.fullname or "").strip() or f"{user.firstname or ''} {user.lastname or ''}".strip(),
        email=user.email or "",
        roles=_role_set(tuple(sorted({role.shortname for role in getattr(user, "roles", ())}))),
        profile=ProfileFields(
            (sys.intern(field.shortname), sys.intern(field.value)) for field in user.customfields if field.value is not None
        ),
        suspended=suspended,
    )


def read_roster(
    api: MoodleApi,
    course_id: int,
    page_size: int,
    *,
    max_parallel: int = 1,
    fields: list[str] | None = None,
    account_batch: int | None = None,
    pool: ReadPool | None = None,
) -> dict[int, RosterUser]:
    """Active enrolments (trap 13), each with its account state (trap 41).

    ``onlyactive=1`` drops suspended and ended *enrolments*, but an account suspended with
    its enrolment left active is still listed, and ``suspended`` in ``userfields`` is
    silently dropped; only core_user_get_users_by_field says ``"suspended": true``. It is
    read by id, ``account_batch`` ids per request (default ``page_size``; the sync passes what
    the variable budget allows: each id is one form variable). A user it leaves out has
    ``suspended=None`` (unknown).

    ``fields``: the ``userfields`` asked for (default :data:`ROSTER_FIELDS`). Enrolments are
    read ``page_size`` at a time; a course that fits costs one request, a bigger one is paged
    with the pages side by side (:func:`~lmsync.service.reads.read_pages`), like the account
    batches: at most ``max_parallel`` reads at once, or ``pool``'s width when one is given.
    """
    if pool is None:
        with ReadPool(max_parallel) as own:
            return read_roster(
                api, course_id, page_size, fields=fields, account_batch=account_batch, pool=own
            )
    userfields = list(fields or ROSTER_FIELDS)

    def page(offset: int, size: int) -> list[RosterUser]:
        # Each page becomes RosterUsers as it arrives: its answer and pydantic rows are dropped
        # before the next one, never all held at once (issue 15: ~3 KB a user otherwise).
        rows = api.get_enrolled_users(
            course_id, onlyactive=True, userfields=userfields, limitfrom=offset, limitnumber=size
        )
        return [roster_user(user) for user in rows]

    enrolled = read_pages(page, page_size, pool, key=lambda user: user.id)
    ids = [user.id for user in enrolled]
    step = max(1, account_batch or min(page_size, 500))
    batches = [ids[start : start + step] for start in range(0, len(ids), step)]

    def account_state(batch: list[int]) -> list[tuple[int, bool]]:
        # Only (id, suspended) is needed: the answer is parsed keeping those two keys, so the
        # full records (~8 KB each in memory, three batches of ~2,000 at once) never exist
        # (issue 15, memory: the roster read's transient peak was ~50 MB).
        with api.transport.only_keys(ACCOUNT_STATE_KEYS):
            return [(account.id, account.suspended) for account in api.get_users_by_field("id", batch)]

    state: dict[int, bool] = {}
    for pairs in pool.map(account_state, batches):
        state.update(pairs)
    unknown = [uid for uid in ids if uid not in state]
    if unknown:
        log.warning("observe.account_state_unknown", users=len(unknown), first_ids=unknown[:10])
    # Built active (False); only the few suspended or unknown ones are copied with their state.
    return {
        user.id: user if state.get(user.id) is False else replace(user, suspended=state.get(user.id))
        for user in enrolled
    }


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


@dataclass
class _Groups:
    grouping_id: int | None = None
    extra_groupings: list[int] = field(default_factory=list)
    grouping_name: str = ""
    grouping_description: str = ""
    other_grouping_names: frozenset[str] = frozenset()  # the course's groupings that are not lmsync's
    grouping_idnumber_was: str | None = None  # lmsync's grouping read by its proved id (``renumbered_grouping``)
    held: list[tuple[int, str]] = field(default_factory=list)  # its ID number, not proven lmsync's (117b, 1)
    own_held: tuple[int, str, str] | None = None  # lmsync's, renumbered, while one is ``held`` (118a, 2)
    groups: list[ObservedGroup] = field(default_factory=list)
    phantoms: list[int] = field(default_factory=list)
    owned: int = 0


def _read_groups(
    api: MoodleApi, programme: str, course_id: int, others: bool = True, recorded: Collection[int] = frozenset(),
    proof: CircleProof | None = None,
) -> _Groups:
    """lmsync's grouping and the course's groups, lmsync's own confirmed by DB-backed reads (trap 27).

    ``others``: the members of circles lmsync made for other programmes are read too (in the same
    request), so the plan can refuse to place their people a second time (tester finding 4).
    ``recorded``: the Moodle ids the store records as its circles; their members are read (same request)
    whatever ID number they carry now, so a circle whose ID number was changed in Moodle keeps them when
    it gets it back (``renumbered_circles``; tester round 103b, 2). ``proof``: its ``groupings`` give lmsync's
    grouping when none carries its ID number (``renumbered_grouping.grouping_back``; tester round 105a, 4); one
    carrying it that it does not prove lmsync's is held (``grouping_proof``; tester round 117b, 1).
    """
    out = _Groups()
    # Every grouping carrying lmsync's idnumber is kept: the oldest is the programme's, the
    # others are duplicates the plan repairs (a create that committed twice, issue 10 point 10).
    owned_idnumber = grouping_idnumber(programme)
    links: Counter[int] = Counter()
    course_groupings = api.get_course_groupings(course_id)
    candidates = sorted(g.id for g in course_groupings if g.idnumber == owned_idnumber)
    back = grouping_back(((g.id, g.idnumber or "") for g in course_groupings), programme, proof.groupings if proof else ())
    candidates = [back[0]] if back is not None else candidates  # its ID number changed in Moodle: round 105a, 4
    out.other_grouping_names = frozenset(g.name for g in course_groupings if g.idnumber != owned_idnumber and g.id not in candidates)
    for candidate in candidates:
        try:
            confirmed = api.get_groupings([candidate], returngroups=True)
        except InvalidRecord:  # a phantom left by a rolled-back batch
            log.warning("observe.phantom_grouping", grouping_id=candidate)
            continue
        if not confirmed:
            continue
        inside = [(g.id, g.idnumber or "") for g in confirmed[0].groups or [] if g.courseid == course_id]
        if out.grouping_id is None and back is None and not proves_grouping(proof, programme, candidate, inside):
            out.held.append((candidate, confirmed[0].name))  # a teacher's grouping given lmsync's ID number (117b, 1)
            continue
        if out.grouping_id is not None:
            out.extra_groupings.append(candidate)
            continue
        out.grouping_id = candidate
        out.grouping_name, out.grouping_description = confirmed[0].name, confirmed[0].description or ""
        out.grouping_idnumber_was = back[1] if back is not None else None
        links = Counter(g.id for g in confirmed[0].groups or [] if g.courseid == course_id)

    if out.held and out.grouping_id is None:  # lmsync's own, its ID number changed, is named (tester round 118a, 2)
        out.own_held = own_renumbered(((g.id, g.name, g.idnumber or "") for g in course_groupings), proof.groupings if proof else ())
    course_groups = api.get_course_groups(course_id)
    owned_ids = [g.id for g in course_groups if mentor_of_idnumber(programme, g.idnumber) is not None]
    foreign = [g.id for g in course_groups if others and circle_programme(g.idnumber) not in (None, programme)]
    renumbered = [g.id for g in course_groups if g.id in recorded and g.id not in owned_ids and g.id not in foreign]
    members = confirmed_members(api, owned_ids + foreign + renumbered)  # one batched call; phantoms bisected out
    owned = set(owned_ids)
    out.owned = len(owned & set(members))
    for group in course_groups:
        if group.id in owned and group.id not in members:
            out.phantoms.append(group.id)
            continue
        out.groups.append(
            ObservedGroup(
                id=group.id,
                name=group.name,
                idnumber=group.idnumber or "",
                members=members.get(group.id, frozenset()),
                in_grouping=group.id in links,
                links=links.get(group.id, 0) or 1,
            )
        )
    return out


@dataclass
class _Forum:
    forum_id: int | None = None
    forum_cmid: int | None = None
    discussions: list[ObservedDiscussion] = field(default_factory=list)
    self_user_id: int | None = None
    rows: tuple[Discussion, ...] | None = None  # the discussions as read; None when not read
    can_start_discussions: bool | None = None
    forum_type: str | None = None  # "news": the announcements forum (tester round 92b, 2)


def _read_forum(api: MoodleApi, course_id: int, name: str, memo: RunMemo) -> _Forum:
    """The programme forum, its discussions in one request, and whose posts are lmsync's own."""
    out = _Forum()
    forum = find_forum(api, course_id, name)
    if forum is None:
        log.warning("observe.forum_missing", course_id=course_id)
        return out
    out.forum_id, out.forum_cmid = forum.id, forum.cmid
    out.can_start_discussions, out.forum_type = forum.cancreatediscussions, forum.type
    # page -1 (Moodle's default): every discussion in one answer, as the recordings read them
    out.rows = tuple(api.get_forum_discussions(forum.id, page=-1).discussions)
    out.discussions = [
        ObservedDiscussion(
            id=d.discussion, groupid=d.groupid, subject=d.subject, message=d.message or "", userid=d.userid
        )
        for d in out.rows
    ]
    if out.discussions:  # whose posts are lmsync's own: the token's account (trap 40), once a run
        if memo.self_user_id is None:
            memo.self_user_id = api.get_site_info().userid
        out.self_user_id = memo.self_user_id
    return out


def _ghosts(api: MoodleApi, programme: str, proof: CircleProof, observation: Observation,
            roster: Mapping[int, Any], non_mentors: frozenset[int]) -> frozenset[int]:
    """The mentors of the circles a store with no record would adopt that Moodle has no account of (one read of
    those not in the course's roster; none when the store records its circles, or the read is refused), and
    ``non_mentors`` (no mentor role, not in the cohort: a teacher's group numbered for a student was adopted, then
    offered for deletion; 132a, 5). ``circle_proof.disown``'s ``ghosts`` (tester round 87b, 2)."""
    if proof.holds_circles:
        return frozenset()
    named = {m for g in observation.groups if (m := mentor_of_idnumber(programme, g.idnumber)) is not None}
    mentors, strangers = named - set(roster), frozenset(named & non_mentors)
    try:
        return frozenset(mentors - set(accounts(api, mentors))) | strangers if mentors else strangers
    except MoodleException as exc:
        log.warning("observe.account_lookup_failed", error=type(exc).__name__)
        return strangers


def observe(
    api: MoodleApi, config: Config, *, memo: RunMemo | None = None, forum: bool = True,
    proof: CircleProof | None = None,
) -> Snapshot:
    """One observation of the programme: roster, lmsync's grouping and groups, the forum.

    ``proof`` (``service.circle_records.circle_proof``): what the store proves of the programme's circles;
    a group carrying a circle idnumber it does not prove is seen as any teacher's group (tester round 73, 1).

    Reads that do not depend on each other go side by side, at most ``[moodle] max_parallel``
    at once (issue 15): the enrolment pages and account batches, the group reads, the forum
    reads. ``memo``: what the run already read once (course id, lmsync's own user id); a new one
    per call when not given. ``forum=False`` skips the forum (matching does not need it).
    """
    memo = memo if memo is not None else RunMemo()
    programme = config.programme.name
    if memo.course_id is None:
        memo.course_id = find_course_id(api, config.programme.course)
    course_id = memo.course_id
    with ReadPool(config.moodle.max_parallel) as pool:
        recorded = frozenset(gid for ids in (proof.recorded if proof is not None else {}).values() for gid in ids)
        groups_read = pool.submit(_read_groups, api, programme, course_id, not config.sync.allow_other_programmes, recorded, proof)
        forum_read = pool.submit(_read_forum, api, course_id, config.programme.forum, memo) if forum else None
        peers_read = pool.submit(read_peer_mentors, api, config.programme.peer_mentor_cohort)
        roster = read_roster(
            api,
            course_id,
            config.moodle.page_size,
            fields=sync_user_fields(config),
            account_batch=config.moodle.batch_budget - 1,  # + the "field" variable
            pool=pool,
        )
        peers = (cohort := peers_read.result()) & frozenset(roster)
        seen = groups_read.result()
        found = forum_read.result() if forum_read is not None else _Forum()
    roles = {*config.programme.mentor_roles, *config.programme.mentee_roles}  # a programme role: not an outsider
    observation = Observation(
        course_id=course_id,
        grouping_id=seen.grouping_id,
        groups=tuple(sorted(seen.groups, key=lambda g: g.id)),
        active_user_ids=frozenset(roster),
        suspended_user_ids=frozenset(uid for uid, user in roster.items() if user.suspended),
        forum_id=found.forum_id,
        discussions=tuple(found.discussions),
        extra_grouping_ids=tuple(seen.extra_groupings),
        self_user_id=found.self_user_id,
        grouping_name=seen.grouping_name if seen.grouping_id is not None else None,
        grouping_description=seen.grouping_description,
        other_grouping_names=seen.other_grouping_names,
        grouping_idnumber_was=seen.grouping_idnumber_was,
        grouping_held=tuple(seen.held) if seen.grouping_id is None else (),
        own_grouping_held=seen.own_held,
        outsiders=frozenset(uid for uid, user in roster.items() if not user.roles & roles),
        can_start_discussions=found.can_start_discussions,
        forum_type=found.forum_type,
    )
    if proof is not None:  # a circle whose ID number was changed in Moodle gets it back first (round 103b, 2)
        observation = with_idnumbers_back(observation, programme, proof)
        strangers = frozenset(u for u, user in roster.items() if not user.roles & set(config.programme.mentor_roles)) - cohort
        observation = disown(observation, programme, proof, _ghosts(api, programme, proof, observation, roster, strangers))
    # a group carrying a circle's ID number lmsync never made is a count here, not a warning: every
    # observation of a run saw it (four lines per run, tester round 75, 6); the plan's warning and the
    # run's sync line say it once, with what an admin does about it
    log.info(
        "observe.done",
        course_id=course_id,
        active_users=len(roster),
        owned_groups=seen.owned,
        discussions=len(found.discussions),
        **({"groups_with_a_circle_idnumber_not_ours": [g.id for g in observation.disowned]} if observation.disowned else {}),
    )
    return Snapshot(
        observation=observation,
        roster=roster,
        forum_cmid=found.forum_cmid,
        peer_mentor_ids=peers, peer_mentors_gone=cohort - peers,  # tester round 127, 2
        phantom_group_ids=tuple(seen.phantoms),
        grouping_name=seen.grouping_name,
        grouping_description=seen.grouping_description,
        forum_discussions=found.rows,
        proof=proof,
    )


def find_forum(api: MoodleApi, course_id: int, name: str) -> Forum | None:
    """The course's forum ``name`` names: its name, matched as Moodle returns forum names (escaped, trap 39),
    or its course-module id (``service.programme_forum``). None when there is none.

    Raises ConfigError when two forums answer (``Mentoring circles`` twice after a rollover): the first
    one was taken (tester round 94b, 2).
    """
    return one_programme_forum(api.get_forums_by_courses([course_id]), name)


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
    # A group name is read back escaped (trap 39): only one with no '&' reads back as stored.
    owned = [g for g in obs.groups if g.idnumber.startswith("lmsync:") and "&" not in g.name]
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
