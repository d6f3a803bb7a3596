"""The circles whose hold an erasure ended early: ``hold_ends`` (revision 0019; tester round 117c, 2).

Erasing a mentor who is away ends their circle's hold: their absence goes with them, and the next sync re-matches the
circle's mentees. The coordinators' digest tells of a hold from that absence, so it said nothing of this end and its
last words stayed "held until ...". The erasure keeps a row naming no one (no person's id, no circle's: nothing ties
the mentees to the erased mentor): the programme day of the erasure, how many mentees the circle held, and the id of
the journal's latest entry then. Journal ids grow with each entry and a digest's row keeps its send's
(``digests.journal_id``): a digest whose entry is larger was sent after the erasure.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from lmsync.store.db import Store
from lmsync.store.schema import hold_ends, journal


@dataclass(frozen=True)
class HoldEnd:
    """One hold an erasure ended: ``day`` the erasure's programme day, ``mentees`` how many the circle held,
    ``journal_mark`` the journal's latest entry id then (0: none)."""

    day: date
    mentees: int
    journal_mark: int


def record_hold_end(store: Store, programme: str, day: date, mentees: int) -> None:
    """Remember that an erasure on ``day`` ended the hold of a circle of ``programme`` holding ``mentees`` mentees,
    with the journal's latest entry id now; call inside the erasure's transaction. Raises what the store raises."""
    mark = store.scalar(select(func.max(journal.c.id)))
    store.write(hold_ends.insert().values(programme=programme, day=day.isoformat(), mentees=mentees,
                                          journal_mark=int(mark or 0)))


def hold_ends_of(store: Store, programme: str) -> list[HoldEnd]:
    """Every hold an erasure ended in ``programme``, oldest first. One read; raises what the store raises."""
    rows = store.rows(select(hold_ends.c.day, hold_ends.c.mentees, hold_ends.c.journal_mark)
                      .where(hold_ends.c.programme == programme).order_by(hold_ends.c.id))
    return [HoldEnd(date.fromisoformat(r.day), int(r.mentees), int(r.journal_mark)) for r in rows]
