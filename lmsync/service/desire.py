"""Desire: from what Moodle holds to the circles the programme wants.

People come from the active roster (``lmsync.service.roster``: roles and custom profile
fields mapped by config, existing pairs from lmsync's own groups, so a fresh machine sees the
same truth), then the matching engine decides; each mentor with mentees becomes one circle.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field, replace
from datetime import date

from lmsync.config import Config
from lmsync.domain.circle_leaving import LEFT_WITHOUT, left_without_words, moved_words
from lmsync.domain.gone_circles import joining_words, left_line, mentor_went
from lmsync.domain.held_mentees import MemberHolds
from lmsync.domain.matching import MENTOR_GONE, MatchResult
from lmsync.domain.people import MENTORING_ROLES, People, PersonWarning
from lmsync.domain.plan import DesiredCircle
from lmsync.domain.rematch_moves import plan_words
from lmsync.domain.two_circles import CircleMentors, PairStanding
from lmsync.domain.unmatched import HELD_BY_TWO_ROLES
from lmsync.service.acted_forbids import unsaid_waits
from lmsync.service.circle_mentors import circle_mentors, juniors_cause
from lmsync.service.circle_records import with_circles_gone
from lmsync.service.cohort_roles import PEER_MENTOR_NOW, peer_now_reason
from lmsync.service.held_places import held_circles, held_people
from lmsync.service.labels import named as name_of
from lmsync.service.labels import with_moodle_id
from lmsync.service.match import run_match
from lmsync.service.observe import Snapshot
from lmsync.service.roster import RosterPeople, people_from_roster, people_from_snapshot, person_from_roster
from lmsync.service.site_accounts import SiteLookup

__all__ = [
    "Desired", "RosterPeople", "desired_state", "people_from_roster", "people_from_snapshot", "person_from_roster",
    "unmatched_counts", "without_mentor",
]


@dataclass
class Desired:
    circles: list[DesiredCircle]
    people: People
    match: MatchResult
    warnings: list[str] = field(default_factory=list)
    notices: list[PersonWarning] = field(default_factory=list)  # the structured warnings about people
    moved: dict[int, str] = field(default_factory=dict)  # Moodle user id -> why the match moved them (plan_sync)
    joining: dict[int, str] = field(default_factory=dict)  # ``Memory.joining``: their deleted circle's mentor gone
    #: ``Memory.unsure``: (mentor, mentee) Moodle ids of the memberships of a mentee in several circles that nothing
    #: ranks (``TwoCircles.leave_alone``; tester round 93b, 1)
    unsure: frozenset[tuple[int, int]] = frozenset()
    #: the places held for mentees away, less those a pin or a pair kept apart takes first (``Memory.kept``,
    #: ``Memory.place_ended``; ``held_places.settled_holds``, tester round 104a, 4 and 6)
    members: MemberHolds = field(default_factory=MemberHolds)
    #: the near-peer mentors and how reasons name mentors (``plan_sync``; tester round 121b, 3 and 4)
    mentors: CircleMentors = field(default_factory=CircleMentors)

    def summary_lines(self, labels: Mapping[str, str] | None = None) -> list[str]:
        """The match in a few lines, people named by ``labels`` (username -> ``Name (username)``, as views
        name them: the demo's lines gave bare usernames, tester round 82, 7d), else by username."""
        name = (labels or {}).get
        assignments, unmatched = self.match.assignments, self.match.unmatched
        lines = [
            f"Matching: {len(assignments)} mentees placed in {len(self.circles)} circles, "
            f"{len(unmatched)} unmatched, total score {self.match.total_score:.1f}"
        ]
        for assignment in assignments[:5]:
            reasons = "; ".join(assignment.reasons[:3]) or "no shared attributes"
            lines.append(f"  {name(assignment.mentee, assignment.mentee)} -> {name(assignment.mentor, assignment.mentor)} "
                         f"(score {assignment.score:.1f}): {reasons}")
        if len(assignments) > 5:
            lines.append(f"  ... and {len(assignments) - 5} more (`lmsync match` lists them all)")
        for item in unmatched[:10]:
            lines.append(f"  unmatched {name(item.mentee, item.mentee)}: {item.reason}")
        return lines


def desired_state(
    snapshot: Snapshot,
    config: Config,
    standing: Callable[[Collection[int]], PairStanding] | None = None,
    returning: Callable[[Collection[int]], Mapping[int, int]] | None = None,
    site: SiteLookup | None = None,
    named: Callable[[Collection[int]], Mapping[int, str]] | None = None,
    held: Collection[int] = frozenset(),
    deleted: Mapping[int, int] | None = None,
    ended: Mapping[int, date] | None = None,
    members: MemberHolds | None = None,
) -> Desired:
    """The circles the programme wants. ``standing`` (``lmsync.service.established.pair_standing``)
    settles a mentee found in two circles by their established pair; without it the older circle
    is kept (FIX-C). ``returning`` (``returning_mentors``) gives a mentee back after a break their
    last mentor; without it they are matched afresh. ``site``: the site-wide lookup by which a
    ``[matching]`` decision naming someone away waits for them (``run_match``). ``named``:
    usernames of mentors no longer in the course, whom a re-matched mentee was with
    (``site_accounts.usernames``). ``held``: mentors away whose circles are held as they are
    (``away_mentors.holds``): their circles' members are not matched meanwhile. ``deleted``: mentee ->
    mentor of the open pairs of circles deleted in Moodle (``established.deleted_circle_pairs``): kept as
    existing pairs (``deleted_in_moodle.with_deleted_circles``; tester round 73, 2), their mentees left out of
    matching while the circle cannot be made: held, or its idnumber taken (``circle_records.with_circles_gone``;
    tester round 74); once its mentor is gone they are re-matched, each with why (``gone_circles``; tester round
    75). ``ended``: away mentor whose hold is over -> its last day (``Holds.ended``), for those reasons.
    ``members``: the places held for mentees away (``Holds.members``): taken from their mentors' room, and a
    circle whose only places are held is kept (``held_places``; tester round 103b, 1)."""
    read = people_from_snapshot(snapshot, config, standing, returning, named, held, site=site)
    # a pin and a pair kept apart come before a held place (tester round 104a, 4 and 6), as in `lmsync match`
    read, members = held_people(read, members or MemberHolds(), config, named=named, site=site)
    people, waits, gone = with_circles_gone(read.people, snapshot.observation, config, deleted or {}, held, snapshot.proof)
    result = run_match(people, config, read.notices, site=site, left_out=read.left_out)
    result = replace(result, warnings=unsaid_waits(result.warnings, read.kept_apart))  # acted (tester round 105a, 5)
    by_id = people.by_id()
    mentees_of: dict[str, set[int]] = {}
    for assignment in result.assignments:  # faculty and near-peer alike: each mentor gets one circle
        mentee = by_id[assignment.mentee]
        if mentee.moodle_id is not None:
            mentees_of.setdefault(assignment.mentor, set()).add(mentee.moodle_id)
    circles = [
        DesiredCircle(
            mentor_id=by_id[mentor].moodle_id or 0,
            mentor_name=by_id[mentor].fullname or mentor,
            mentee_ids=frozenset(ids),
            mentor_label=with_moodle_id(by_id[mentor].moodle_id or 0, mentor, by_id[mentor].fullname or "",
                                        show_names=config.privacy.show_names),
        )
        for mentor, ids in sorted(mentees_of.items())
        if by_id[mentor].moodle_id is not None
    ]
    circles += held_circles(people, members, {c.mentor_id for c in circles}, config.privacy.show_names)
    # a mentor gone is said by the plan from what Moodle shows of them (``circle_leaving.mentor_gone``)
    # each re-match move says why, as `lmsync match` does, people named as here (tester rounds 104b, 9; 106a, 3)
    why = plan_words(result.assignments, lambda i: name_of(i, by_id[i].fullname or "" if i in by_id else "",
                                                           show_names=config.privacy.show_names))
    juniors = config.matching.triad_juniors  # a near-peer circle cut to triad_juniors says so (tester round 121b, 3)
    moved = {by_id[a.mentee].moodle_id: moved_words(juniors_cause(a.cause, a.circle, by_id.get(a.previous or ""), juniors),
                                                    why.get((a.circle, a.mentee), ""))
             for a in result.assignments if a.cause not in ("", MENTOR_GONE)}
    # one with no mentor now leaves their circle "with no mentor", not "(re-matched)" (tester round 46b, 2)
    for item in result.unmatched:  # a triad's mentee moved in one circle keeps that cause
        if item.mentee not in by_id:  # a two-role mentee left out: said by their notice, below (round 92a, 3)
            continue
        cause = juniors_cause(item.cause, item.circle, by_id.get(item.previous or ""), juniors)
        moved.setdefault(by_id[item.mentee].moodle_id, left_without_words(item.reason, item.circle == "peer", cause))
    placed = {a.mentee for a in result.assignments}
    for notice in read.notices:  # a two-role person held out of matching is not "re-matched" (tester rounds 53, 2; 54, 3)
        waiting = notice.outcome in HELD_BY_TWO_ROLES
        mentoring = notice.person in by_id and by_id[notice.person].roles & MENTORING_ROLES
        if waiting and not mentoring and notice.moodle_id is not None and notice.person not in placed:
            moved[notice.moodle_id] = (f"{LEFT_WITHOUT}: a mentor role and a mentee role, not matched anew until "
                                       "an admin decides ([matching] dual_role)")
        elif notice.outcome == "counted_as_mentor" and notice.moodle_id is not None:  # not "added by hand" (62, 3b)
            moved.setdefault(notice.moodle_id, "a mentor now: a mentor role and a mentee role, counted as a mentor "
                                               "([matching] dual_role)")
        elif notice.outcome == PEER_MENTOR_NOW and notice.moodle_id is not None:  # tester round 120c, 4
            moved.setdefault(notice.moodle_id, peer_now_reason(config))
    as_mentee = {n.person for n in read.notices if n.outcome == "counted_as_mentee"}
    for mentee_id, mentor_id in people.current.items() if as_mentee else ():  # not a catch-all (round 64, 5)
        if mentor_id in as_mentee and mentee_id in by_id and (moodle_id := by_id[mentee_id].moodle_id) is not None:
            full = by_id[mentor_id].fullname or "" if mentor_id in by_id else ""  # named (tester round 120c, 8)
            moved[moodle_id] = (("re-matched" if mentee_id in placed else LEFT_WITHOUT) + ": their mentor "
                                f"{name_of(mentor_id, full, show_names=config.privacy.show_names)} "
                                "has a mentor role and a mentee role, counted as a mentee ([matching] dual_role)")
    joining, left = _gone_words(snapshot, config, people, result, moved, gone, ended or {})
    return Desired(
        joining=joining,
        circles=circles,
        people=people,
        match=result,
        warnings=[*read.warnings, *(t.said(result.assignments) for t in read.two_circles), *waits, *left, *result.warnings],
        notices=list(result.notices),
        moved={user: words for user, words in moved.items() if user is not None},
        unsure=frozenset(pair for t in read.two_circles for pair in t.leave_alone(result.assignments)),
        members=members,
        mentors=circle_mentors(snapshot, config),
    )


def _gone_words(snapshot: Snapshot, config: Config, people: People, result: MatchResult, moved: Mapping[int | None, str],
                gone: Mapping[int, int], ended: Mapping[int, date]) -> tuple[dict[int, str], list[str]]:
    """Why each mentee of a deleted circle whose mentor is gone (``gone``: mentee -> mentor) joins another
    circle, and the warnings naming those left with no mentor (tester round 75, 2)."""
    if not gone:
        return {}, []
    by_id, observation, show = people.by_id(), snapshot.observation, config.privacy.show_names
    went = {mentor: mentor_went(observation, mentor, ended.get(mentor)) for mentor in set(gone.values())}
    joining: dict[int, str] = {}
    left: list[str] = []
    for assignment in result.assignments:
        if (uid := by_id[assignment.mentee].moodle_id) is not None and uid in gone:
            joining[uid] = joining_words(moved.get(uid, ""), went[gone[uid]])
    for item in result.unmatched:
        person = by_id.get(item.mentee)
        if person is not None and (uid := person.moodle_id) is not None and uid in gone and uid not in joining:
            label = with_moodle_id(uid, person.id, person.fullname or "", show_names=show)
            left.append(left_line(label, config.programme.name, gone[uid], moved.get(uid, ""), went[gone[uid]]))
    return joining, left


_COUNTS = re.compile(r"\b\d+ (?=(?:allowed|peer) )")  # how many mentors a reason counts


def unmatched_counts(result: MatchResult) -> dict[str, int]:
    """How many mentees the match leaves without a mentor, by why (``Plan.unmatched``); a triad's
    near-peer place left empty is counted under "no near-peer: <why>"."""
    counts: dict[str, int] = {}
    for item in result.unmatched:
        reason = _COUNTS.sub("", item.reason)  # "all 15 allowed mentors are full" and "all 16 ..." are one why (round 47, 3)
        key = reason if item.circle == "mentor" else f"no near-peer: {reason}"
        counts[key] = counts.get(key, 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def without_mentor(counts: dict[str, int]) -> str:
    """``counts`` (``unmatched_counts``) in words: "3 mentee(s) without a mentor", or with triads
    "4 place(s) without a mentor or near-peer" (a mentee counts once per circle)."""
    total = sum(counts.values())
    if any(key.startswith("no near-peer: ") for key in counts):
        return f"{total} place(s) without a mentor or near-peer"
    return f"{total} mentee(s) without a mentor"
