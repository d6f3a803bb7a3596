"""The people matching sees, with the places of mentees away held (``domain.held_mentees``; tester round 103b, 1).

Both the sync's ``desire`` and ``lmsync match`` (``pull``) read people through ``roster``; this puts on what it
read the places held while their mentee is away: the mentor's room for them is taken
(``held_capacity.less_held``), the notice of a suspended account held in its circle says it stays, and one line
per place says until when it is held.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import replace

from lmsync.domain.held_capacity import held_counts, less_held
from lmsync.domain.held_mentees import MemberHolds
from lmsync.domain.people import MENTORING_ROLES, People
from lmsync.domain.plan import DesiredCircle
from lmsync.service.labels import with_moodle_id
from lmsync.service.roster import RosterPeople

#: how ``roster`` ends the notice of a suspended account in a circle (``_suspended_member``)
_REMOVED = "; removed from their circle"


def with_held_places(read: RosterPeople, members: MemberHolds, *, show_names: bool = True,
                     named: Callable[[Collection[int]], Mapping[int, str]] | None = None) -> RosterPeople:
    """``read`` with the places ``members`` holds taken from their mentors' capacity, the suspended accounts'
    notices saying they stay, and a line per place (``MemberHolds.lines``) first among its warnings; ``named``
    (Moodle ids -> usernames, a site lookup) names one not in the roster, else ``id:N``. Raises what ``named``
    raises."""
    places = members.places()
    if not places:
        return read
    people = read.people
    persons = less_held(people.persons, places, held_counts(people.current, people.current_peers))
    notices = [replace(n, message=n.message[: -len(_REMOVED)] + words)
               if n.code == "account_suspended" and n.message.endswith(_REMOVED) and n.moodle_id is not None
               and (words := members.account_words(n.moodle_id)) else n for n in read.notices]
    users = {user for _circle, user in members.kept} | set(places)
    known = {p.moodle_id: (p.id, p.fullname or "") for p in people.persons if p.moodle_id in users}
    known.update({n.moodle_id: (n.person, "") for n in read.notices if n.moodle_id in users and n.moodle_id not in known})
    missing = users - known.keys()
    found = named(missing) if missing and named is not None else {}

    def label(user: int) -> str:
        username, fullname = known.get(user) or (found.get(user) or f"id:{user}", "")
        return with_moodle_id(user, username, fullname, show_names=show_names)

    return replace(read, people=replace(people, persons=tuple(persons)), notices=notices,
                   warnings=[*members.lines(label), *read.warnings])


def held_circles(people: People, members: MemberHolds, mentored: Collection[int], show_names: bool = True,
                 ) -> list[DesiredCircle]:
    """The circles kept for their places held alone: one per mentor (still a mentor) whose circle the match
    gives no mentee now (``mentored``: Moodle ids of those it does) while places of theirs are held, with no
    mentee: the plan keeps the circle and its held members, and neither empties nor deletes it."""
    mentors = {p.moodle_id: p for p in people.persons if p.moodle_id is not None and p.roles & MENTORING_ROLES}
    return [DesiredCircle(mentor_id=m, mentor_name=mentors[m].fullname or mentors[m].id, mentee_ids=frozenset(),
                          mentor_label=with_moodle_id(m, mentors[m].id, mentors[m].fullname or "", show_names=show_names))
            for m in sorted(members.places()) if m in mentors and m not in mentored]
