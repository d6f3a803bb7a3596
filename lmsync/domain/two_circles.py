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

from lmsync.domain.ownership import mentor_group_idnumber
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

    def why(self, mentor_id: int, mentee_id: int) -> str:
        """Why a kept pair won, for the warning."""
        pair = (mentor_id, mentee_id)
        parts = []
        if pair in self.since:
            parts.append(f"lmsync paired them on {self.since[pair][:10]}")
        if self.meetings.get(pair):
            parts.append(f"{self.meetings[pair]} meeting(s)")
        return ", ".join(parts) or "neither pair is in lmsync's history or has meetings: the older circle"


def hand_added_reasons(
    programme: str,
    owned: Mapping[str, ObservedGroup],
    circles: Iterable[DesiredCircle],
    active: frozenset[int],
) -> dict[tuple[str, int], str]:
    """``(circle idnumber, user id)`` -> removal reason, for a user the plan keeps in another circle
    that already holds them: that membership stays, this one was added by hand (FIX-C)."""
    names = {mentor_group_idnumber(programme, c.mentor_id): c.mentor_name for c in circles}
    kept_in: dict[int, str] = {}
    for circle in circles:
        idnumber = mentor_group_idnumber(programme, circle.mentor_id)
        group = owned.get(idnumber)
        for user in circle.mentee_ids & active:
            if group is not None and user in group.members:
                kept_in[user] = idnumber
    reasons: dict[tuple[str, int], str] = {}
    for idnumber, group in owned.items():
        for user in group.members:
            there = kept_in.get(user)
            if there is not None and there != idnumber:
                reasons[(idnumber, user)] = (
                    f"also added by hand to {names.get(idnumber, group.name)}'s circle; "
                    f"stays in {names.get(there, there)}'s, their established pair"
                )
    return reasons
