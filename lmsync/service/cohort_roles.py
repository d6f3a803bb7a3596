"""A member of the peer-mentor cohort (``[programme] peer_mentor_cohort``) whose course role or circle says otherwise.

Tester round 120c, 1: a cohort member enrolled with a mentor role (a non-editing teacher, so a peer mentor can see
their circle) and no mentee role was taken as a faculty mentor, silently: the year gap stopped applying and a year-4
student mentored years 5 and 6. The cohort is the school's own list of its peer mentors, so such a member stays a
peer mentor (the year gap applies), and a notice says so and how to count them as a faculty mentor instead. A
member with a mentee role too is a two-role person: ``[matching] dual_role`` decides, as before (round 64, 5).

Tester round 120c, 4: a mentee added to the cohort left their circle with the reason "the match places them in no
circle", and ``lmsync match`` never named them. With ``[matching] structure = "pairs"`` a peer mentor is no one's
mentee: a notice names the circle(s) they leave and why, and the plan's removal gives :func:`peer_now_reason`.

Tester round 121b, 1, 5 and 10: a cohort member with two roles held in their circle by ``dual_role = "exclude"`` is
read as the mentee the notice says they are (``roster``); a circle's mentor not in the roster (an enrolment
suspended, their circle held) is named ``Name (username)`` by a site lookup, never ``id:N`` alone; and the two-role
notice of a cohort member says which ``dual_role`` keeps them a peer mentor, for everyone with both roles
(:data:`COHORT_UNTIL`).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

from lmsync.config import Config
from lmsync.domain.people import PersonWarning
from lmsync.domain.plan import ObservedGroup, mentor_of_idnumber
from lmsync.service.labels import named
from lmsync.service.observe import RosterUser
from lmsync.service.site_accounts import SiteLookup

#: ``PersonWarning.code`` of a cohort member with a mentor role and no mentee role, counted as a peer mentor
COHORT_MENTOR_ROLE = "cohort_mentor_role"
#: ``PersonWarning.code`` of a cohort member who is a mentee in a circle, which they leave as a peer mentor now
COHORT_MENTEE = "cohort_mentee"
#: ``PersonWarning.outcome`` of a :data:`COHORT_MENTEE` notice: the plan's removal says :func:`peer_now_reason`
PEER_MENTOR_NOW = "peer_mentor_now"
#: how a two-role notice of a cohort member ends under ``dual_role = "exclude"`` (tester round 121b, 10): which value
#: keeps them a peer mentor, and that the setting is programme-wide
COHORT_UNTIL = ('until an admin decides ([matching] dual_role = "mentee" keeps them a peer mentor, the year gap '
                'applying; "mentor" counts them as a faculty mentor, with no year gap; either one for everyone '
                'in the programme with both roles)')
#: what ``lmsync doctor`` gives as the fix of each code
DOCTOR_FIXES = {
    COHORT_MENTOR_ROLE: "nothing to do if they are peer mentors; to count one as a faculty mentor, take them out of "
                        "the peer-mentor cohort ([programme] peer_mentor_cohort)",
    COHORT_MENTEE: "nothing to do if they are peer mentors now; to keep one a mentee, take them out of the "
                   "peer-mentor cohort ([programme] peer_mentor_cohort)",
}


def _cohort(config: Config) -> str:
    """``the peer-mentor cohort peer-mentors-2026``: the cohort's idnumber, as ``[programme]`` names it."""
    cohort = config.programme.peer_mentor_cohort
    return f"the peer-mentor cohort {cohort}" if cohort else "the peer-mentor cohort"


def cohort_mentor_role(user: RosterUser, label: str, config: Config) -> PersonWarning:
    """The notice of a cohort member who holds a ``[programme] mentor_roles`` role and no mentee role: counted as a
    peer mentor, so new pairs keep to the year gap (tester round 120c, 1). ``label``: ``Name (username) (Moodle id
    N)``, as every people notice names someone."""
    matching = config.matching
    roles = ", ".join(sorted(user.roles))
    message = (f"{label} is in {_cohort(config)} and has a mentor role ({roles}): they stay a peer mentor (the "
               f"peer-mentor cohort), not counted as a faculty mentor, so new pairs keep to the year gap "
               f"[{matching.peer_year_gap_min}, {matching.peer_year_gap_max}] ([matching] peer_year_gap_min/_max); "
               "to count them as a faculty mentor, take them out of the cohort")
    return PersonWarning(code=COHORT_MENTOR_ROLE, person=user.username or str(user.id), message=message,
                         moodle_id=user.id, username=user.username or None, field="roles", value=roles,
                         outcome="counted_as_peer_mentor")


def cohort_mentee(user: RosterUser, label: str, owned: Sequence[ObservedGroup], roster: Mapping[int, RosterUser],
                  held: Collection[int], config: Config, site: SiteLookup | None = None) -> PersonWarning | None:
    """The notice of a cohort member who is a mentee (not the mentor) in some of lmsync's circles (``owned``), with
    ``[matching] structure = "pairs"``: a peer mentor now, they leave those circles (tester round 120c, 4). A
    circle held for its away mentor (``held``) is left when its hold ends. None when they are in no such circle.
    A circle's mentor not in ``roster`` is named by ``site`` (a lookup by id), else ``id:N`` (tester round 121b, 5).
    Raises what ``site`` raises."""
    programme, show = config.programme.name, config.privacy.show_names
    mentors = sorted({m for g in owned if user.id in g.members
                      and (m := mentor_of_idnumber(programme, g.idnumber)) is not None and m != user.id})
    if not mentors:
        return None

    def circle(mentor: int) -> str:
        # an enrolment suspended is not in the roster: the site names them (tester round 121b, 5)
        other: Any = roster.get(mentor) or (site(("id",), str(mentor)).get(mentor) if site is not None else None)
        who = (named(str(other.username or ""), str(other.fullname or ""), show_names=show) if other is not None
               else f"id:{mentor}")
        return f"{who}'s circle" + (" (held for its away mentor: when its hold ends)" if mentor in held else "")

    which = "that circle" if len(mentors) == 1 else "those circles"
    message = (f"{label} is in {_cohort(config)} and a mentee in {', '.join(circle(m) for m in mentors)}: a peer "
               f"mentor now, they leave {which}: {peer_now_reason(config, short=True)}; to keep them a mentee, take "
               "them out of the cohort")
    return PersonWarning(code=COHORT_MENTEE, person=user.username or str(user.id), message=message,
                         moodle_id=user.id, username=user.username or None, outcome=PEER_MENTOR_NOW)


def peer_now_reason(config: Config, *, short: bool = False) -> str:
    """Why the plan takes a cohort member out of a circle they were a mentee in (``RemoveMember.reason``), as other
    role changes are said ("a mentor now: ..."); ``short``: the rule alone, for the notice."""
    rule = 'a peer mentor is no one\'s mentee with [matching] structure = "pairs"'
    return rule if short else f"a peer mentor now: in {_cohort(config)}, and {rule}"
