"""Which of a mentee's ranked preferences take a rank: only those that can be met in this run.

The ``preference`` term (``lmsync.domain.compatibility``) gives a mentee's 1st of ``n`` choices the full weight
and the last ``1/n`` of it, counting by position in ``Person.preferences``. A choice of the mentee themself (a
``mentee;mentor`` row naming its own id: nobody is matched with themselves) or of someone whose capacity is 0
(a mentor who takes no mentees in this run: their pairs are dropped, pins to them wait) can never be met, yet it
took a rank all the same: ``s4;t3`` scored t3 as "2nd choice of 2" (5) where ``t3`` alone scored "1st choice of 1"
(6), while the ``--people`` notice said the choice was not used (tester round 104b, 4). :func:`meetable_preferences`
drops such choices before matching, so the choices after one move up. Capacity is read again every run: a mentor
who opts back in ranks where the mentee put them.
"""

from __future__ import annotations

from dataclasses import replace

from lmsync.domain.people import People


def meetable_preferences(people: People) -> People:
    """``people`` with each person's ``preferences`` (ids or aliases, best first) keeping only the choices that can
    be met: not the person themself, not anyone whose ``Person.capacity`` is 0 (a mentor who opted out; a pure
    mentee, who mentors nobody). Keys are read through ``People.resolver``, as matching reads them; a key naming
    nobody among ``people`` is kept as it was (matching finds no mentor for it). The order of the kept choices is
    unchanged. Returns ``people`` itself when nothing is dropped (or nobody has preferences); raises nothing."""
    choosing = [p for p in people.persons if p.preferences]
    if not choosing:
        return people
    resolve = people.resolver()
    capacity = {p.id: p.capacity for p in people.persons}
    changed = {}
    for person in choosing:
        kept = tuple(choice for choice in person.preferences
                     if (found := resolve.get(choice, choice)) != person.id and capacity.get(found) != 0)
        if kept != person.preferences:
            changed[person.id] = replace(person, preferences=kept)
    if not changed:
        return people
    return replace(people, persons=tuple(changed.get(p.id, p) for p in people.persons))
