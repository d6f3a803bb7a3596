"""A mentee found in two (or more) of lmsync's circles: which membership is kept, and why the others go.

lmsync never places anyone in two circles; a teacher adding a student by hand to a second
circle does (tester finding FIX-C). The circle of their *established* pair is kept, whatever
the group ids (before, the lower group id won, so a mentee of three months could leave their
mentor because of an id): see :meth:`PairStanding.rank`. The other memberships are drift the
plan repairs, each removal with its own reason (:func:`hand_added_reasons`).

Pure: ids and names in, ranks and reasons out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from lmsync.domain.ownership import mentor_group_idnumber, mentor_of_idnumber
from lmsync.domain.seen_names import quoted_seen
from lmsync.domain.sync_state import DesiredCircle, ObservedGroup


@dataclass(frozen=True)
class PairStanding:
    """What lmsync's store knows about pairs, in Moodle ids: ``(mentor id, mentee id)`` ->

    ``since``: when lmsync put the mentee into the mentor's circle, for pairings still open in
    the pairing history (ISO instant; ``lmsync.store.pairings``); ``meetings``: meetings stored.
    """

    since: Mapping[tuple[int, int], str] = field(default_factory=dict)
    meetings: Mapping[tuple[int, int], int] = field(default_factory=dict)

    def rank(self, mentor_id: int, mentee_id: int, group_id: int) -> tuple[bool, int, str, int]:
        """Sort key, best first (FIX-C): a pair lmsync's history holds open (lmsync placed them;
        a hand-added membership has no row), then more meetings, then the older pairing, and
        only then the deterministic fallback: the older circle (lower Moodle group id)."""
        pair = (mentor_id, mentee_id)
        since = self.since.get(pair)
        return (since is None, -self.meetings.get(pair, 0), since or "", group_id)

    def unsure(self, pairs: Iterable[tuple[int, int]]) -> bool:
        """Whether nothing lmsync knows tells the circles of ``pairs`` ((mentor id, mentee id)) apart:
        none is an open pairing in its history, none has a meeting. Ranking them then is a guess by
        group id, and a store that took over a programme removed mentees from their real circle by it
        (tester round 93b, 1): such memberships are all left as they are (``leave_alone``)."""
        return not any(pair in self.since or self.meetings.get(pair) for pair in pairs)

    def why(self, mentor_id: int, mentee_id: int) -> str:
        """Why a kept pair won, for the warning."""
        pair = (mentor_id, mentee_id)
        parts = []
        if pair in self.since:
            parts.append(f"lmsync paired them on {self.since[pair][:10]}")
        if self.meetings.get(pair):
            parts.append(f"{self.meetings[pair]} meeting(s)")
        return ", ".join(parts) or "neither pair is in lmsync's history or has meetings: the older circle"


@dataclass(frozen=True)
class CircleMentors:
    """What the plan's reasons know of the mentors of lmsync's circles, by Moodle id (tester round 121b, 3 and 4).

    ``peer``: the near-peer mentors (``structure = "triads"``; empty otherwise): a junior is in one faculty circle
    and one near-peer circle, and only a second circle of the same kind was added by hand. ``shown``: how a reason
    names each mentor, as every view does: ``Name (username)``, the username alone with ``[privacy] show_names``
    off. ``names``: whether names may be shown: off, a mentor not in ``shown`` is named by Moodle id, never by the
    group's name (which may hold theirs)."""

    peer: frozenset[int] = frozenset()
    shown: Mapping[int, str] = field(default_factory=dict)
    names: bool = True


def hand_added_reasons(
    programme: str,
    owned: Mapping[str, ObservedGroup],
    circles: Iterable[DesiredCircle],
    active: frozenset[int],
    mentors: CircleMentors | None = None,
) -> dict[tuple[str, int], str]:
    """``(circle idnumber, user id)`` -> removal reason, for a user the plan keeps in another circle of the same
    kind (faculty or near-peer: ``mentors.peer``) that already holds them: that membership stays, this one was added
    by hand (FIX-C). A triad junior's faculty circle is no second near-peer circle: leaving the near-peer one they
    are not "added by hand" (tester round 121b, 3). Mentors are named by ``mentors.shown`` (121b, 4)."""
    mentors = mentors or CircleMentors()
    circles = list(circles)
    fallback = {c.mentor_id: c.mentor_name for c in circles}

    def kind(idnumber: str) -> bool:
        return mentor_of_idnumber(programme, idnumber) in mentors.peer

    def name(idnumber: str, group: ObservedGroup | None, noun: str = "") -> str:
        """``Mentor's`` + ``noun``; a mentor named by no one, the group as Moodle shows it: "Circle: X's circle"
        read oddly (tester round 127, 2)."""
        mentor = mentor_of_idnumber(programme, idnumber)
        if mentor is not None and mentor in mentors.shown:
            return f"{mentors.shown[mentor]}'s{noun}"
        if not mentors.names:
            return f"user #{mentor}'s{noun}" if mentor is not None else f"circle {idnumber}"
        if mentor is not None and mentor in fallback:
            return f"{fallback[mentor]}'s{noun}"
        return f"the circle {quoted_seen(group.name)}" if group is not None else f"circle {idnumber}"

    kept_in: dict[tuple[int, bool], str] = {}
    for circle in circles:
        idnumber = mentor_group_idnumber(programme, circle.mentor_id)
        group = owned.get(idnumber)
        for user in circle.mentee_ids & active:
            if group is not None and user in group.members:
                kept_in[(user, kind(idnumber))] = idnumber
    reasons: dict[tuple[str, int], str] = {}
    for idnumber, group in owned.items():
        for user in group.members:
            there = kept_in.get((user, kind(idnumber)))
            if there is not None and there != idnumber:
                reasons[(idnumber, user)] = (  # the plan keeps them there, established or not (tester round 92b, 5)
                    f"also in {name(idnumber, group, ' circle')}, added by hand; "
                    f"stays in {name(there, owned.get(there))}, where the plan keeps them"
                )
    return reasons


@dataclass(frozen=True)
class TwoCircles:
    """A mentee found in several of lmsync's circles: ``mentee`` and each circle's ``mentors`` (ids as the match
    knows them, best first by ``PairStanding.rank``), ``labels`` for all of them, and ``why`` the first ranks first."""

    mentee: str
    mentors: tuple[str, ...]
    labels: Mapping[str, str]
    why: str
    peer: bool = False  # circles of near-peer mentors (triads)
    #: (mentor Moodle id, mentee Moodle id) of every circle holding them, when ``PairStanding.unsure`` of them: then no
    #: membership is removed while the match places them in one of those circles (``leave_alone``; tester round 93b, 1)
    unsure: frozenset[tuple[int, int]] = frozenset()

    def leave_alone(self, assignments: Iterable[Any]) -> frozenset[tuple[int, int]]:
        """The memberships the plan must not remove, as (mentor Moodle id, mentee Moodle id): all of them when the
        ranking was a guess (``unsure``) and the match placed the mentee in one of their circles; else none."""
        return self.unsure if self.unsure and self._placed(assignments) in self.mentors else frozenset()

    def _placed(self, assignments: Iterable[Any]) -> str | None:
        return next((a.mentor for a in assignments if a.mentee == self.mentee and (a.circle == "peer") == self.peer),
                    None)

    def said(self, assignments: Iterable[Any]) -> str:
        """``words`` for the match's ``assignments`` (``Assignment``: mentee, mentor, circle)."""
        return self.words(self._placed(assignments))

    def words(self, placed: str | None) -> str:
        """The warning, as the match ended (``placed``: the mentor it gives the mentee, None: none). It said "kept
        with" the first-ranked circle's mentor even when the match moved the mentee (that circle full, say), while
        the plan's removal said the opposite (tester round 92b, 5)."""
        name = self.labels.get
        start = f"{name(self.mentee, self.mentee)} is in {len(self.mentors)} lmsync circles: "
        first = self.mentors[0]
        if self.unsure and placed in self.mentors:
            every = ", ".join(f"{name(m, m)}'s" for m in self.mentors)
            return (f"{start}{every}; left in all of them: no pairing in lmsync's history and no meeting says which "
                    f"circle is theirs (a guess by group id could take them from their real mentor). Matched as "
                    f"{name(placed, placed)}'s mentee meanwhile; remove them by hand in Moodle from the circle that is "
                    "not theirs, and the next sync follows")
        if placed == first:
            others = ", ".join(f"{name(m, m)}'s" for m in self.mentors[1:])
            return (f"{start}kept with {name(first, first)} ({self.why}); removed from {others} circle, where they "
                    "were added by hand")
        ranked = f"{name(first, first)}'s circle ranked first ({self.why}) but could not keep them"
        if placed in self.mentors:
            others = ", ".join(f"{name(m, m)}'s" for m in self.mentors if m != placed)
            return (f"{start}kept with {name(placed, placed)}, where the match placed them; removed from {others} "
                    f"circle ({ranked}: the plan says why)")
        every = ", ".join(f"{name(m, m)}'s" for m in self.mentors)
        then = (f"matched to {name(placed, placed)}" if placed is not None
                else "no mentor could take them (`lmsync match` says why)")
        return f"{start}removed from {every} circles ({ranked}); {then}"
