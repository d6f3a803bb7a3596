"""The received means a grades plan leaves unwritten after an erasure, each named (tester round 78, 5).

A mentor's ``received`` mean (their mentees' rating of them, per wave) is kept from the gradebook in two
cases an erasure makes, and ``grades plan`` dropped both without a word about which grade:

* **withheld**: a first mean over answers an erasure changed (``rater_checkpoints``; ``compute_metrics``
  leaves it out, ``Metrics.withheld``): beside what ``pair show`` showed before, it would give the erased
  person's answers away by difference, so every view withholds it for good (tester round 77b, 1);
* **held**: a mean lmsync's own received item shows for a mentor who was erased and is back in the course:
  the erasure took this store's record of it (``published_grades``), and a published mean is never
  changed (``received_guard.hold_shown_received``; tester round 77b, 2), so the gradebook keeps it as
  published. The README says the plan says ``held``; it said nothing when no new mean was worked out.

Each is named by its metric key and the mentor whose grade it is, with the reason: never a value, a
count of raters or a day (any of them would say more), and never a rater.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

from lmsync.domain.grade_items import ItemRecord
from lmsync.domain.grades import GradeRequest
from lmsync.service.grade_metrics import Metrics
from lmsync.service.grade_state import GradeState
from lmsync.service.grades_plan import PlannedHeld
from lmsync.service.rater_checkpoints import ERASURE_WITHHELD

WITHHELD_REASON = ERASURE_WITHHELD.removeprefix("withheld: ")
HELD_REASON = ("the gradebook shows the mean published before this mentor's erasure, which took this store's "
               "record of it: kept as published (a published mean never changes, so no rating can be read from "
               "the difference)")


def held_grades(
    metrics: Metrics,
    state: GradeState,
    records: Iterable[ItemRecord],
    erased: Collection[int],
    requests: Iterable[GradeRequest],
) -> list[PlannedHeld]:
    """The received means not written because of an erasure, by (key, mentor): ``withheld`` ones of
    ``metrics.withheld``, and ``held`` ones that an item of ``records`` (lmsync's own, as ``state`` read
    it back) shows for a mentor of ``erased`` (Moodle ids) with no published value of this store's behind
    it (``metrics.kept``) and no write in ``requests``. Only metrics ``[grades] enabled`` publishes
    (``metrics.specs``). Sorted by key, then mentor; reads nothing, raises nothing (tester round 78, 5)."""
    published = set(metrics.specs) & metrics.received
    found = {(key, mentor): PlannedHeld(key=key, user_id=mentor, state="withheld", reason=WITHHELD_REASON)
             for key, mentor in metrics.withheld if key in published}
    records = [r for r in records if r.key in published]
    by_id = {r.item_id: r.key for r in records if r.item_id is not None}
    by_number = {(r.itemnumber, r.idnumber): r.key for r in records if r.item_id is None}  # not read back yet
    written = {(r.key, g.user_id) for r in requests for g in r.grades}
    gone = set(erased)
    for item in state.items.values():
        key = by_id.get(item.id) if item.id is not None else None
        key = key or by_number.get((item.itemnumber, item.idnumber or ""))
        if key is None:
            continue
        for mentor, grade in item.grades.items():
            if (grade is None or mentor not in gone or (key, mentor) in metrics.kept or (key, mentor) in written
                    or (key, mentor) in found):
                continue
            found[(key, mentor)] = PlannedHeld(key=key, user_id=mentor, state="held", reason=HELD_REASON)
    return [found[k] for k in sorted(found)]
