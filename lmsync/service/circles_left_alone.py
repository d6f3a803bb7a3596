"""Circles lmsync leaves alone while they carry another circle's ID number, and their pairs' queue items (tester
round 108a, 4).

Two circles whose ID numbers were swapped in Moodle (or one moved onto another's) are left as they are by the sync,
which refuses until an admin sets the numbers back (``circle_proof.renumbered_refusal`` says how). Health, reading
no circle for their mentors, paused their pairs' open items as "no longer in the programme (the mentor no longer has
a circle)", while ``lmsync pair show`` still said they were paired, and a coordinator could close them though nothing
but an ID number was wrong. Now their pairs are told apart (``left_alone_circles``: the same proof as
``circle_proof.made_as_another``, a group this store made carrying another circle's number), left out of the
judgement with why, and their items paused on hold (``said``, beginning ``LEFT_ALONE``): never due nor escalated,
shown on hold by ``lmsync queue list``, refused by ``lmsync queue done`` (nothing written), and taken up again as
they were by the first health run after the fix.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from lmsync.domain.circle_proof import CircleProof, made_as_another
from lmsync.domain.ownership import mentor_of_idnumber
from lmsync.domain.sync_state import Observation
from lmsync.store.queue import CoordinatorQueue, QueueItem
from lmsync.store.queue_item import HOLD_PREFIX

#: How the why of an item paused while its pair's circle is left alone begins (``said``); it begins ``HOLD_PREFIX``
#: too, so every reader of a pause on hold takes it as one.
LEFT_ALONE = f"{HOLD_PREFIX}their circle is left alone"

#: ``queue done``'s fix for such an item.
LEFT_ALONE_FIX = ("`lmsync sync` says how to set the circle's ID number back in Moodle; the next `lmsync run` then "
                  "judges the pair again and takes its item up as it was, and this acts on it")


@dataclass(frozen=True)
class LeftAloneCircle:
    """A circle this store made as ``mentor_id``'s, left alone because it carries another circle's ID number
    (``carries``): its Moodle group id and its members as Moodle shows them (Moodle ids, the mentor and any
    teacher without a mentor or mentee role left out)."""

    mentor_id: int
    group_id: int
    carries: str
    members: frozenset[int]

    @property
    def pairs(self) -> tuple[tuple[int, int], ...]:
        """(mentor, mentee) Moodle ids of the circle's pairs, sorted."""
        return tuple((self.mentor_id, m) for m in sorted(self.members))

    @property
    def said(self) -> str:
        """Why its pairs are left out and their items paused, beginning ``LEFT_ALONE`` (never a name: a queue
        note): ``on hold: their circle is left alone: Moodle group 6 carries another circle's ID number, changed in
        Moodle; lmsync leaves it as it is until an admin sets its ID number back (`lmsync sync` says how)``."""
        return (f"{LEFT_ALONE}: Moodle group {self.group_id} carries another circle's ID number, changed in Moodle; "
                "lmsync leaves it as it is until an admin sets its ID number back (`lmsync sync` says how)")


def left_alone_circles(observation: Observation, proof: CircleProof | None, programme: str) -> dict[int, LeftAloneCircle]:
    """Mentor (Moodle id) -> their circle left alone (``Observation.disowned``) because it carries another circle's
    ID number: a group ``proof`` records as made for that mentor's circle, as ``circle_proof.made_as_another``
    tells it from a group lmsync never made. Empty without a proof, for a store with no record of the programme's
    circles, or when no such group is left alone. Pure."""
    if proof is None or not made_as_another(observation, proof, programme):
        return {}
    made = {gid: idnumber for idnumber, ids in proof.recorded.items() for gid in ids}
    out: dict[int, LeftAloneCircle] = {}
    for group in observation.disowned:
        was = made.get(group.id, group.idnumber)
        if was != group.idnumber and (mentor := mentor_of_idnumber(programme, was)) is not None:
            members = frozenset(group.members) - {mentor} - frozenset(observation.outsiders)
            out[mentor] = LeftAloneCircle(mentor, group.id, group.idnumber, members)
    return out


def left_alone_pairs(circles: Mapping[int, LeftAloneCircle]) -> dict[tuple[int, int], str]:
    """(mentor, mentee) -> why (``LeftAloneCircle.said``) for every pair of ``circles``."""
    return {pair: circle.said for circle in circles.values() for pair in circle.pairs}


def is_left_alone(item: QueueItem) -> bool:
    """Whether ``item`` is open and paused because its pair's circle is left alone (its pause note's why begins
    ``LEFT_ALONE``): known from the store alone, as the health run that paused it found it."""
    return item.paused and (item.gone_why or "").startswith(LEFT_ALONE)


def left_alone_item(queue: CoordinatorQueue, pairs: Iterable[tuple[int, int]]) -> QueueItem | None:
    """The open item of the first of ``pairs`` (a pair, then its reverse) paused because its circle is left alone
    (``is_left_alone``), which ``queue done`` refuses, writing nothing; None otherwise."""
    for pair in pairs:
        item = next((i for i in queue.items(pair) if i.acked_on is None), None)
        if item is not None:
            return item if is_left_alone(item) else None
    return None
