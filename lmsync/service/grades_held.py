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

A person's own survey grade (a mentor's mean over their answers about each mentee) an erasure took answers
from (``respondent_checkpoints``; ``Metrics.respondent_held``) is named the same way, by its key and that
person: ``held`` when lmsync's item shows a value for them (kept as published), else ``withheld`` (none written
first). A new value beside the published one gave the erased mentee's rating back (tester round 117a, 1).
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
OWN_HELD_REASON = ("published value frozen: answers behind this grade went with an erasure (answers about the "
                   "erased person), and a new value beside the published one would give them away by difference")
OWN_WITHHELD_REASON = ("answers behind this grade went with an erasure (answers about the erased person): no first "
                       "value is written, as one beside what was shown before would give them away by difference")
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
    (``metrics.specs``). Then each person's own grade of ``metrics.respondent_held``: ``held`` when an item of
    ``records`` shows a value for them, else ``withheld`` (tester round 117a, 1). Sorted by key, then person; reads
    nothing, raises nothing (tester round 78, 5)."""
    published = set(metrics.specs) & metrics.received
    found = {(key, mentor): PlannedHeld(key=key, user_id=mentor, state="withheld", reason=WITHHELD_REASON)
             for key, mentor in metrics.withheld if key in published}
    shown = _shown(state, records)
    for key, who in metrics.respondent_held:  # a person's own grade (tester round 117a, 1)
        held = shown.get((key, who)) is not None
        found[(key, who)] = PlannedHeld(key=key, user_id=who, state="held" if held else "withheld",
                                        reason=OWN_HELD_REASON if held else OWN_WITHHELD_REASON)
    written = {(r.key, g.user_id) for r in requests for g in r.grades}
    gone = set(erased)
    for (key, mentor), grade in shown.items():
        if (key not in published or grade is None or mentor not in gone or (key, mentor) in metrics.kept
                or (key, mentor) in written or (key, mentor) in found):
            continue
        found[(key, mentor)] = PlannedHeld(key=key, user_id=mentor, state="held", reason=HELD_REASON)
    return [found[k] for k in sorted(found)]


def _shown(state: GradeState, records: Iterable[ItemRecord]) -> dict[tuple[str, int], float | None]:
    """(metric key, user) -> the grade lmsync's own item of that key shows (as ``state`` read it; ``records``
    say which items are lmsync's, by item id, else by itemnumber and idnumber when not read back yet)."""
    by_id = {r.item_id: r.key for r in records if r.item_id is not None}
    by_number = {(r.itemnumber, r.idnumber): r.key for r in records if r.item_id is None}
    out: dict[tuple[str, int], float | None] = {}
    for item in state.items.values():
        key = by_id.get(item.id) if item.id is not None else None
        key = key or by_number.get((item.itemnumber, item.idnumber or ""))
        if key is not None:
            out.update({(key, user): grade for user, grade in item.grades.items()})
    return out
