"""Welcome posts that Moodle made public: the forum is not in separate groups mode.

Moodle drops a discussion's group in a forum without group mode and stores it for all
participants (groupid -1; recorded: ``mod_forum_add_discussion/no-group-mode-forum-with-groupid``,
trap 17), and a forum's group mode is not visible over web services, so lmsync learns it only
from its own posts coming back. Such a welcome is then in no circle: the next plan saw no
welcome in the circle and posted it again, on every run, each time for every participant
(tester round 9, 2). ``guard_public_welcomes`` refuses the plan instead, until an admin acts.

That guard saw the welcomes only after the first sync had posted all of them, each to every
participant (tester round 17, 2: 21 circles' welcomes public at once). Until the forum has shown
that it keeps a discussion's group (a discussion of lmsync's account in a group), a sync posts one
welcome first (``first_welcome_only``), observes it, and posts the others only when it kept its
group: at worst one welcome is public, and the guard names it.

A welcome an admin moved to all participants in a forum that keeps groups (lmsync's account has a later
discussion in a group) is refused too, as a welcome of a circle shown to everyone, but said as what it is:
the forum is in separate groups mode and that discussion was moved; it said "the forum is not in separate
groups mode", in the sync and in doctor (tester round 103b, 4). ``public_welcome_words`` words both.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

from lmsync.domain.operations import Operation, PostWelcome
from lmsync.domain.ownership import welcome_anchor, welcome_marker
from lmsync.domain.seen_names import quoted_seen
from lmsync.domain.sync_state import Memory, Observation, ObservedDiscussion, UnsafePlan

ALL_PARTICIPANTS = -1  # Moodle's groupid of a discussion shown to everyone in the forum


def public_welcomes(observation: Observation, memory: Memory, programme_anchor: str) -> list[int]:
    """Ids of lmsync's own welcome discussions that Moodle shows to all participants: the journal's
    (``memory.posted``) or lmsync's account's carrying this programme's welcome marker (trap 40)."""
    journaled = set(memory.posted.values())
    return sorted(
        d.id
        for d in observation.discussions
        if d.groupid == ALL_PARTICIPANTS
        and (d.id in journaled or (d.userid == observation.self_user_id and programme_anchor in d.message))
    )


def guard_public_welcomes(observation: Observation, memory: Memory, ops: Sequence[object], programme: str) -> None:
    """Raise ``UnsafePlan`` when the plan would post a welcome while lmsync's earlier welcomes show in
    no circle but to every participant of the forum (see the module docstring)."""
    if not any(isinstance(op, PostWelcome) for op in ops):
        return
    anchor = f'id="{welcome_anchor(f"lmsync:{programme}:mentor:")}'  # every circle's marker starts so
    public = public_welcomes(observation, memory, anchor)
    if public:
        raise public_welcome_refusal(public, welcome_circles(observation, memory, public),
                                     moved_by_hand(observation.discussions, public, observation.self_user_id))


def welcome_circles(observation: Observation, memory: Memory, public: Sequence[int]) -> dict[int, str]:
    """Discussion id -> ``circle '<its group's name>'``, the circle whose welcome it is, for ``public``: by the
    journal (``memory.posted``) or the circle's marker in the post (trap 40); a discussion of neither is left out."""
    named = {g.idnumber: f"circle {quoted_seen(g.name)}" for g in observation.groups if g.idnumber}
    out = {discussion: named[idnumber] for idnumber, discussion in memory.posted.items()
           if discussion in public and idnumber in named}
    for d in observation.discussions:
        if d.id in public and d.id not in out:
            found = [name for idnumber, name in named.items() if welcome_marker(idnumber) in d.message]
            if found:
                out[d.id] = found[0]
    return out


def moved_by_hand(discussions: Sequence[ObservedDiscussion], public: Sequence[int], self_user_id: int | None) -> bool | None:
    """What lmsync's account's discussions say of the forum's group mode, for the welcomes ``public`` (ids) shown to
    all participants: True when each is older than one of lmsync's in a group (the forum kept a group after it: it
    keeps groups, so they were moved to all participants in Moodle); None when some are newer than all of those
    (moved, or the forum's group mode changed since); False when none of lmsync's is in a group (not in groups mode).
    A forum's group mode is not visible over web services (see the module docstring)."""
    grouped = [d.id for d in discussions if d.groupid > 0 and d.userid == self_user_id]
    if not grouped:
        return False
    return True if max(public) < max(grouped) else None


def public_welcome_words(public: Sequence[int], circles: Mapping[int, str], moved: bool | None) -> tuple[str, str]:
    """(what, fix): the words of the sync's refusal and doctor's forum check for lmsync's welcome discussions
    ``public`` (ids) shown to every participant, ``circles`` naming their circles (discussion id -> words), and
    ``moved`` as :func:`moved_by_hand` answers (tester round 103b, 4)."""
    listed = [f"{d} ({circles[d]})" if d in circles else str(d) for d in public[:10]]
    more = ", ..." if len(public) > 10 else ""
    them = (f"lmsync's welcome discussion {listed[0]} has" if len(public) == 1 else
            f"{len(public)} of lmsync's welcome discussions ({'; '.join(listed)}{more}) have")
    if moved is False:
        return (f"{len(public)} of lmsync's welcome discussion(s) (ids {', '.join(listed)}{more}) show to every "
                "participant of the forum, not to one circle: the forum is not in separate groups mode, so each "
                "welcome posted now would be public too, and posted again on every run",
                "in the forum's settings set Common module settings > Group mode: Separate groups, then delete those "
                "discussions (the next sync posts each circle's welcome in its group)")
    fix = ("in Moodle, open each and edit its first post: set Group back to its circle's group (or delete the "
           "discussion: the next sync posts the circle's welcome again in its group)")
    if moved:
        return (f"the forum is in separate groups mode (lmsync's later welcomes keep their circles' groups), but {them} "
                "been moved to all participants in Moodle: a circle's welcome shown to every participant of the forum",
                fix)
    return (f"{them} come back for every participant of the forum, not for one circle, while lmsync's earlier "
            "welcomes keep their circles' groups: moved to all participants in Moodle, or the forum is no longer in "
            "separate groups mode", fix + "; if the forum's settings say Group mode: No groups, set it to Separate "
            "groups first")


def public_welcome_refusal(public: Sequence[int], circles: Mapping[int, str] | None = None,
                           moved: bool | None = False) -> UnsafePlan:
    """The refusal naming lmsync's welcome discussions (ids) that Moodle shows to every participant, in the
    words of :func:`public_welcome_words` (``moved`` False: the forum is not in separate groups mode)."""
    what, fix = public_welcome_words(public, circles or {}, moved)
    return UnsafePlan(f"Refusing this plan: {what}.", hint=fix)


def keeps_groups(observation: Observation) -> bool:
    """Whether the forum has shown it keeps a discussion's group: lmsync's account has a discussion
    in a group there (a forum without group mode stores every discussion for all participants)."""
    return any(d.groupid > 0 and d.userid == observation.self_user_id for d in observation.discussions)


def first_welcome_only(observation: Observation, ops: Sequence[Operation]) -> list[Operation]:
    """The welcome posts to hold back this round: all but the first, while the forum has not shown it
    keeps groups (``keeps_groups``); none otherwise. The caller sends the rest and observes again."""
    welcomes: list[Operation] = [op for op in ops if isinstance(op, PostWelcome)]
    if len(welcomes) < 2 or keeps_groups(observation):
        return []
    return welcomes[1:]


def refused_welcomes(observation: Observation, ops: Sequence[object]) -> list[str]:
    """A plan warning when the plan posts welcomes and the forum answers that lmsync's account cannot
    start discussions there (``cancreatediscussions`` false): the sync would make the circles and then
    fail at the first welcome (tester round 29, 7). The plan still holds the posts: they go once the
    role is fixed."""
    count = sum(1 for op in ops if isinstance(op, PostWelcome))
    if not count or observation.can_start_discussions is not False:
        return []
    return [
        f"{count} welcome post(s) will be refused: the forum answers that lmsync's account cannot start "
        "discussions there. Grant mod/forum:startdiscussion (and moodle/site:accessallgroups for a forum in "
        "separate groups mode) to the lmsync role; `lmsync doctor` checks it"
    ]


#: What the plan and the sync say when the configured forum is not in the course (tester round 31, 2).
MISSING_FORUM = (
    "the programme's forum ([programme] forum) is not in the course: no circle gets a welcome discussion. "
    "Correct [programme] forum to the forum's name as the course page shows it (`lmsync doctor` checks it)"
)

#: Moodle's type of a course's announcements forum (mod_forum_get_forums_by_courses ``type``)
NEWS = "news"

#: Why a news forum is never posted to (tester round 92b, 2), said by the plan, the sync and doctor.
ANNOUNCEMENTS_WHY = (
    "the course's announcements forum: Moodle forces everyone in the course to subscribe to it and emails "
    "each post there to all of them, so lmsync posts no welcome there"
)

#: The fix for a forum lmsync cannot post circles' welcomes to (doctor's fix line too).
WELCOME_FORUM_FIX = (
    "add a Forum (Standard forum for general use) with Group mode: Separate groups, restricted to the lmsync "
    "grouping, and name it in [programme] forum"
)

#: What the plan says when the configured forum is the course's announcements forum (tester round 92b, 2).
ANNOUNCEMENTS_FORUM = (
    f"the programme's forum ([programme] forum) is {ANNOUNCEMENTS_WHY}, and no circle gets a welcome discussion. "
    f"{WELCOME_FORUM_FIX[0].upper()}{WELCOME_FORUM_FIX[1:]} (`lmsync doctor` checks it)"
)


def announcements_forum(observation: Observation) -> bool:
    """Whether the configured forum is the course's announcements forum (type news)."""
    return observation.forum_id is not None and observation.forum_type == NEWS


def welcome_forum(observation: Observation) -> bool:
    """Whether lmsync may post circles' welcomes to the configured forum: it is in the course and is not the
    announcements forum. Tester round 92b, 2: ``[programme] forum = "Announcements"`` planned 20 welcomes
    there, and the sync's first one ("to see") went to every participant, emailed to the whole course."""
    return observation.forum_id is not None and not announcements_forum(observation)


def forum_problem(observation: Observation, circles: Sequence[object], post_welcome: bool) -> Literal["", "missing", "announcements"]:
    """``missing`` when circles are wanted, welcomes are on, and the course holds no forum of the configured
    name: a mistyped name made every circle without a word but a log line (tester round 31, 2); ``announcements``
    when the forum of that name is the course's announcements forum (tester round 92b, 2); else "". The plan
    says it in ``FORUM_WARNINGS`` and signals it (``PlanSignals.forum``)."""
    if not post_welcome or not circles:
        return ""
    if observation.forum_id is None:
        return "missing"
    return "announcements" if announcements_forum(observation) else ""


#: The plan's warning for each of ``forum_problem``'s answers.
FORUM_WARNINGS = {"missing": MISSING_FORUM, "announcements": ANNOUNCEMENTS_FORUM}
