"""Which of two circles is a mentee's established pair: what lmsync's store knows (FIX-C).

A mentee added by hand to a second lmsync circle is kept with the mentor of their established
pair (``lmsync.domain.two_circles.PairStanding``); this reads the store's side of that: open
pairings in the pairing history and stored meetings, for the mentees concerned only.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection

from lmsync.domain.two_circles import PairStanding
from lmsync.store.db import Store
from lmsync.store.meetings import MeetingRepository
from lmsync.store.pairings import PairingHistory


def pair_standing(store: Store, programme: str) -> Callable[[Collection[int]], PairStanding]:
    """What the store knows about the pairs of some mentees (Moodle ids): their open pairings in
    lmsync's pairing history and their meetings, per (mentor, mentee). Read only when a mentee is in
    two circles (FIX-C: the established pair is kept)."""

    def read(mentees: Collection[int]) -> PairStanding:
        since: dict[tuple[int, int], str] = {}
        for row in PairingHistory(store, programme).history():  # oldest first: the first open row stands
            if row.left_at is None and row.mentee_id in mentees:
                since.setdefault((row.mentor_id, row.mentee_id), row.joined_at)
        repository = MeetingRepository(store, programme)
        days = {
            (m.mentor_id, m.mentee_id, m.date)  # one meeting logged by both sides (two sources) counts once
            for mentee in sorted(mentees)
            for m in repository.meetings(person_id=mentee)
            if m.mentee_id == mentee and m.attended
        }
        return PairStanding(since=since, meetings=Counter((mentor, mentee) for mentor, mentee, _day in days))

    return read
