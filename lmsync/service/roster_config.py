"""What a roster says of the configuration: roles no one holds, weighed profile fields no one fills.

A misspelt role in ``[programme]`` or field shortname in ``[matching.attributes]`` otherwise made 0 mentors, or
every pair without a term, silently (tester rounds 4, 12; 62, 2): plan, sync and match say so from here, and the
sync's guard refuses to dissolve circles over an unheld role (``mass_removal.guard_unheld_roles``), or to
re-match the peer mentors' mentees over a peer-mentor cohort lost as a whole (tester round 87b, 1).
"""

from __future__ import annotations

from collections.abc import Iterable

from lmsync.config import Config
from lmsync.domain.mass_removal import PeerCohortLoss, peer_cohort_loss
from lmsync.domain.plan import mentor_of_idnumber, owned_groups
from lmsync.service.labels import People
from lmsync.service.observe import RosterUser, Snapshot


def unheld_roles(users: Iterable[RosterUser], config: Config) -> dict[str, tuple[str, ...]]:
    """"mentor" / "mentee" -> the configured roles of that kind no one in the course holds (a typo in
    ``[programme]``); kinds someone holds are left out."""
    held = {role for user in users for role in user.roles}
    return {
        kind: tuple(roles)
        for kind, roles in (("mentor", config.programme.mentor_roles), ("mentee", config.programme.mentee_roles))
        if not held & set(roles)
    }


def unheld_role_lines(users: Iterable[RosterUser], config: Config) -> list[str]:
    """A line for mentor or mentee roles no one in the course holds (a typo in ``[programme]``):
    plan, sync and match would otherwise say nothing of 0 mentors (tester round 4, 12)."""
    outcomes = {"mentor": "no mentor circle can be made", "mentee": "no mentee can be matched"}
    return [
        f"no one in the course has the {kind} role(s) {', '.join(roles) or '(none set)'} "
        f"([programme] {kind}_roles): {outcomes[kind]}; see lmsync doctor"
        for kind, roles in unheld_roles(users, config).items()
    ]


def unshown_field_lines(users: Iterable[RosterUser], config: Config) -> list[str]:
    """A line for each weighed ``[matching.attributes]`` field (department, interests, languages) that no one in
    the course has a value in: a misspelt shortname (``Department``) made every pair without it, silently
    (tester round 62, 2); ``lmsync doctor`` names the fields the site has. Capacity and year are left out: empty
    for everyone is a school using the default capacity, or no peer mentoring."""
    attrs, weights = config.matching.attributes, config.matching.weights
    users = list(users)
    shown = {name for user in users for name, value in user.profile.items() if value not in (None, "")}
    if not users:
        return []
    return [
        f"no one in the course has a value in the profile field {name!r} ([matching.attributes] {key}): it adds "
        f"nothing to any pair; check the shortname (lmsync doctor), or set {key} = \"\" if the site has no such field"
        for key, name, weight in (("department", attrs.department, weights.same_department),
                                  ("interests", attrs.interests, weights.shared_interests),
                                  ("languages", attrs.languages, weights.shared_language))
        if name and weight and name not in shown
    ]


def peer_loss(snapshot: Snapshot, config: Config) -> PeerCohortLoss | None:
    """The peer-mentor cohort lost as a whole, or the mentor role lost by the mentors of some circles
    (``mass_removal.peer_cohort_loss``, tester rounds 87b, 1; 103b, 3; 105a, 8): the mentors of lmsync's circles
    who are active in the course, hold no ``[programme] mentor_roles`` role and are not in the cohort now (a circle
    is made only for a mentor role or the cohort), named as every view names a person ("Name (username)")."""
    programme = config.programme
    mentor_roles = set(programme.mentor_roles)
    former = {uid: tuple(sorted(user.roles)) for uid, user in snapshot.roster.items()
              if not user.suspended and not set(user.roles) & mentor_roles and uid not in snapshot.peer_mentor_ids}
    owned = owned_groups(snapshot.observation, programme.name)[0]
    people = People(snapshot.roster, config.privacy.show_names)
    mentors = {mentor_of_idnumber(programme.name, idnumber) for idnumber in owned} & set(former)
    return peer_cohort_loss(owned, former, snapshot.peer_mentor_ids, programme=programme.name,
                            cohort=programme.peer_mentor_cohort, mentor_roles=programme.mentor_roles,
                            names={uid: people.label(uid) for uid in mentors if uid is not None},
                            group_names=config.privacy.show_names)


def peer_loss_lines(snapshot: Snapshot, config: Config) -> list[str]:
    """``lmsync match``'s line for :func:`peer_loss`: the match re-matches those mentees, the sync refuses to."""
    loss = peer_loss(snapshot, config)
    if loss is not None and loss.unknown is not None:  # a mentor role lost, or the cohort setting (tester round 103b, 3)
        return [f"{loss.cause}, while {loss.said()}: this match re-matches those mentees, and lmsync sync refuses to; "
                + loss.hint()]
    return [] if loss is None else [
        f"{loss.cause}, while {loss.said()}: this match re-matches them as if their peer mentors were mentees, and "
        "lmsync sync refuses to; put the cohort's members or the setting back (LMSYNC_SYNC_MIN_SOURCE_FRACTION=0 "
        "for one sync if the programme really ends peer mentoring)"
    ]
