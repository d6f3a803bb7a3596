"""When a place held for a mentee away is held no longer before its hold ends (tester round 104a, 4 and 6).

A mentee away keeps their place in their circle for ``[sync] away_mentor_hold_days`` (``held_mentees``; tester
round 103b, 1): "the match counts it against the mentor's capacity, never moving an active mentee out for it".
Two decisions of a coordinator come first:

- A pin (``[matching] pins``) to the circle's mentor. Without a held place a pin takes a free place, and else
  displaces an active mentee (``matching``: a coordinator's decision beats the pairs as they stand). With the held
  place counted, a pin pushed an active mentee out because of it (tester round 104a, 4). The held place gives way
  to the pin first, rather than the pin waiting: a held place is never worth more than an active mentee's place,
  which a pin already takes, and a pin that waited for a hold (up to ``away_mentor_hold_days``) would be a
  coordinator's decision undone by a mentee's absence, said nowhere the coordinator looks. The mentee away then
  leaves the circle at the sync, the plan's removal saying their held place went to the pin; back, they are
  matched as any returning mentee. Only the places the pins need beyond the free ones give way, those whose hold
  ends first first.
- A pair kept apart: marked not a good fit (``queue done --outcome rematched``, stored as a forbid) or forbidden
  in ``[matching] forbids``. An active mentee of such a pair leaves the circle at the next sync; suspended before
  it, they were held in it for the whole hold (tester round 104a, 6). No place is held for such a pair: it ends
  as the coordinator decided. (``--outcome closed`` takes nobody out of a circle: a closed pair stays in it while
  both are here, so its place is held as any other.)

Pure: the pins, forbids and capacities come in resolved to Moodle ids (``service.held_places.settled_holds``).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from lmsync.domain.held_mentees import MemberHolds, Place

#: how the plan's removal ends for a mentee away whose pair is kept apart (after "not active in the course ...; ")
KEPT_APART = ("no place held for them: their pair with the mentor is kept apart ([matching] forbids, or marked not "
              "a good fit with `lmsync queue done --outcome rematched`)")


def apart(members: MemberHolds, forbidden: Collection[tuple[int, int]]) -> dict[Place, str]:
    """The places of ``members.kept`` whose pair (mentor, mentee Moodle ids) is in ``forbidden`` -> ``KEPT_APART``."""
    return {place: KEPT_APART for place in members.kept if (members.mentors[place], place[1]) in forbidden}


def to_pins(members: MemberHolds, capacity: Mapping[int, int], active: Mapping[int, int],
            pinned: Mapping[int, Sequence[str]]) -> dict[Place, str]:
    """The places of ``members.kept`` that give way to pins, -> the removal's words.

    ``capacity``: mentor Moodle id -> their capacity (before the held places are taken); ``active``: -> how many
    active mentees their circle holds now (pinned ones included); ``pinned``: -> the labels of the mentees pinned
    to them not in their circle now, in ``[matching] pins`` order. A mentor of capacity 0 gives none (the pin
    waits, ``pins.pin_waits``), and no more places give way than the pins can take. Raises nothing."""
    held: dict[int, list[Place]] = {}
    for place in sorted(members.kept, key=lambda p: (members.kept[p][1], p)):  # the hold ending first goes first
        held.setdefault(members.mentors[place], []).append(place)
    given: dict[Place, str] = {}
    for mentor, places in held.items():
        pins, room = list(pinned.get(mentor, ())), capacity.get(mentor, 0)
        need = min(len(pins), max(0, room - active.get(mentor, 0)))  # the pins that can take a place not active
        free = max(0, room - active.get(mentor, 0) - len(places))
        words = f"their held place went to the pin of {', '.join(pins)} ([matching] pins)"
        given.update({place: words for place in places[:max(0, need - free)]})
    return given
