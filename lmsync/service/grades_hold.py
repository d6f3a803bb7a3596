"""When a store may not write grades yet: it never paired these circles and never wrote grades.

Tester round 14, 1: a typo in ``[store] path`` (or a per-user store) makes a new, empty store.
Its sync adopts the circles another store made without recording their pairing, and its grades
push then wrote ``0`` and "0 of 6 meetings" to every student whose assignment grade was still
empty: the meetings live in the other store. The nudges had the same guard already
(``nudge_holds.first_run_hold``); this is the grades' one. It holds every grade write while the
store has never written a grade for the programme (no accepted ``core_grades_update_grades`` or
``mod_assign_save_grades`` in its journal) and its pairing history never recorded more than half
of the current circle pairs, until an admin says this store replaces the lost one
(``--store-takes-over``, on ``lmsync grades push`` and ``lmsync run``). Once it has written, the
hold is gone: from then on the store's own proof of ownership governs each grade.
"""

from __future__ import annotations

from collections.abc import Collection

from lmsync.store.db import Store
from lmsync.store.journal import Journal
from lmsync.store.meetings import MeetingRepository
from lmsync.store.pairings import PairingHistory

#: The flag that lets a store with no history write grades (``lmsync grades push``, ``lmsync run``).
STORE_TAKES_OVER = "--store-takes-over"
GRADE_FUNCTIONS = ("core_grades_update_grades", "mod_assign_save_grades")


def foreign_store_hold(store: Store, programme: str, pairs: Collection[tuple[int, int]]) -> str | None:
    """Why this store must not write grades now, or None.

    ``pairs`` are the ``(mentor id, mentee id)`` of the programme's circles in Moodle. Held when the
    store has never written a grade for ``programme`` and more than half of ``pairs`` are missing
    from its pairing history (circles another store made: their meetings are not here).
    """
    if not pairs or Journal(store, programme).ever_succeeded(GRADE_FUNCTIONS):
        return None
    paired_here = PairingHistory(store, programme).pairing_days()
    unpaired = {pair for pair in pairs if pair not in paired_here}
    if len(unpaired) * 2 <= len(pairs):
        return None
    # the meetings this store does hold of those pairs (imported here): "0 meetings" was said of a store
    # holding 653 (tester round 37, 3)
    held = sum(1 for m in MeetingRepository(store, programme).meetings() if (m.mentor_id, m.mentee_id) in unpaired)
    counted = ("would count none of their meetings (this store holds none)" if not held else
               f"would count only the {held} meeting(s) of theirs this store holds, none another store holds")
    return (
        f"this store has never written grades for the programme and never paired {len(unpaired)} of the "
        f"{len(pairs)} circle pairs in Moodle: another lmsync store may have made them and hold their meetings, "
        f"so grades from here {counted}. Check [store] in the configuration points at the programme's store; "
        f"write from here with {STORE_TAKES_OVER} only if this store replaces it"
    )
