"""A blank capacity is never below the circle its mentor holds (``[matching] default_capacity``).

An empty capacity field means the configured default (``default_capacity``; ``peer_default_capacity`` or
``triad_juniors`` for a peer mentor), "never fewer than the mentees in the circle they hold" (CONFIGURATION.md):
an emptied field (an HR feed, a CSV upload) took a mentor of 8 down to the default 4 and 4 mentees out of their
circle (tester round 86a, 3, the Moodle path). The people CSV's empty cell still did (tester round 95a: a mentor
with six mentees in ``current_mentor`` ended two pairs "over capacity"). Both readers apply this one rule. A
capacity that was written, even below the circle, stays as written: matching warns of the circle over it.

- ``held_counts(*pairs)``: mentor id -> how many mentees name them, over every mapping of mentee id -> mentor id
  given (``People.current`` and ``current_peers``: a mentor's circle is both kinds of place).
- ``less_held(persons, places, holding)``: ``persons`` in order, each mentor whose Moodle id is in ``places`` (how
  many places of their circle are held for mentees away: ``held_mentees.MemberHolds.places``) with its ``capacity``
  lowered by them, never below what they hold (``holding``) nor their capacity if lower: the held place is taken,
  and no active mentee moves out for it (tester round 103b, 1: a mentee suspended one day lost their place to
  another mentee at once). Pure; raises nothing.
- ``at_least_held(persons, blank, holding)``: ``persons`` in order, each whose id is in ``blank`` and holds a
  circle with its ``capacity`` raised to ``holding`` (never lowered) and ``Person.blank_held`` set to it; the others
  are the same objects. Pure; raises nothing.
- ``circle_places(person, triads, juniors)``: the places matching counts in the person's circle: the capacity, a
  peer mentor's (no faculty mentor role) in triads cut to ``juniors`` (``[matching] triad_juniors``) but, their
  capacity field empty, never below the juniors they hold (``blank_held``; tester round 126, 2: a peer mentor with
  six juniors in ``current_peer`` was cut to the default 3, three kept peer pairs broken). Pure; raises nothing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import replace

from lmsync.domain.people import Person


def held_counts(*pairs: Mapping[str, str]) -> dict[str, int]:
    """Mentor id -> mentees whose pair (in any of ``pairs``, mentee id -> mentor id) names them."""
    return dict(Counter(mentor for given in pairs for mentor in given.values()))


def at_least_held(persons: Sequence[Person], blank: Collection[str], holding: Mapping[str, int]) -> list[Person]:
    """``persons``, those in ``blank`` (a capacity left empty) with room at least for what they hold, that held
    count kept as ``blank_held`` (a triad's cut at ``triad_juniors`` stops there: ``circle_places``)."""
    return [replace(p, capacity=max(p.capacity, holding[p.id]), blank_held=holding[p.id])
            if p.id in blank and holding.get(p.id, 0) > 0 else p for p in persons]


def circle_places(person: Person, triads: bool, juniors: int) -> int:
    """Places in ``person``'s circle as matching counts them (0 or more): ``capacity``; in ``triads``, for a peer
    mentor who is no faculty mentor, ``min(capacity, juniors)`` raised to ``min(capacity, blank_held)``."""
    if not triads or person.has_role("mentor"):
        return person.capacity
    return max(min(person.capacity, juniors), min(person.capacity, person.blank_held))


def less_held(persons: Sequence[Person], places: Mapping[int, int], holding: Mapping[str, int]) -> list[Person]:
    """``persons``, those whose Moodle id has places held (``places``: Moodle id -> how many) with room for them
    taken: ``max(min(capacity, holding), capacity - held)``."""
    return [replace(p, capacity=max(min(p.capacity, holding.get(p.id, 0)), p.capacity - places[p.moodle_id]))
            if p.moodle_id is not None and places.get(p.moodle_id) else p for p in persons]
