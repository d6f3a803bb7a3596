"""Tester round 78, 5: ``grades plan`` names each received mean an erasure keeps from the gradebook
(``grades_held.held_grades``): ``withheld``, a first mean over answers an erasure changed; ``held``, a mean
lmsync's own item shows for an erased mentor back in the course, whose record went with the erasure. By
metric and mentor, with the reason; never a value."""

from __future__ import annotations

from lmsync.domain.grades import (
    GradeRequest,
    GradeWrite,
    ItemRecord,
    ObservedGradeItem,
    derived_idnumber,
    safe_itemname,
)
from lmsync.domain.metrics import MetricSpec
from lmsync.render.grades import plan_text
from lmsync.service.grade_metrics import Metrics
from lmsync.service.grade_state import GradeState
from lmsync.service.grades_plan import GradesPlan

PROGRAMME = "mentor-2026"
T0, T3 = "satisfaction-mentee-received-T0", "satisfaction-mentee-received-T3"
CHANGED, BACK, OTHER, GONE = 74, 69, 70, 71  # a mentor whose raters an erasure changed; one erased and back; ...


def _item(key: str, number: int, item_id: int, grades: dict[int, float | None]) -> ObservedGradeItem:
    return ObservedGradeItem(number, safe_itemname(key), derived_idnumber(PROGRAMME, key), 1, 5, False, grades, item_id)


def _held(**changes: object) -> list:
    from lmsync.service.grades_held import held_grades

    metrics = Metrics({k: MetricSpec(k, 1, 5) for k in (T0, T3)}, [], {}, kept=frozenset({(T0, OTHER)}),
                      received=frozenset({T0, T3}), withheld=frozenset({(T3, CHANGED)}))
    items = {77: _item(T0, 1003, 77, {BACK: 3.75, OTHER: 4.0, GONE: None, CHANGED: 3.9}),
             78: _item(T3, 1004, 78, {BACK: 3.5})}
    state = GradeState(2, 3, items, frozenset(), frozenset(), ())
    records = [ItemRecord(T0, 1003, derived_idnumber(PROGRAMME, T0), 77), ItemRecord(T3, 1004, derived_idnumber(PROGRAMME, T3))]
    args: dict = {"metrics": metrics, "state": state, "records": records, "erased": {BACK, GONE, OTHER}, "requests": []}
    return held_grades(**(args | changes))


def test_each_received_mean_an_erasure_keeps_is_named_by_metric_and_mentor() -> None:
    found = [(h.key, h.user_id, h.state) for h in _held()]
    # OTHER's mean is this store's published one (kept: the frozen note says so); GONE's row shows none;
    # CHANGED was not erased: only its T3 first mean is withheld. BACK's T3 item is matched by its record's number.
    assert found == [(T0, BACK, "held"), (T3, BACK, "held"), (T3, CHANGED, "withheld")]  # by metric, then id
    assert all(not any(c.isdigit() for c in h.reason) for h in _held())  # no value, no count, no day


def test_a_mean_the_plan_writes_or_a_metric_not_published_is_not_named() -> None:
    writes = [GradeRequest(1003, None, (GradeWrite(BACK, 3.75),), key=T0)]
    assert [(h.key, h.user_id) for h in _held(requests=writes)] == [(T3, BACK), (T3, CHANGED)]
    only_t0 = Metrics({T0: MetricSpec(T0, 1, 5)}, [], {}, received=frozenset({T0, T3}), withheld=frozenset({(T3, CHANGED)}))
    assert [(h.key, h.user_id) for h in _held(metrics=only_t0)] == [(T0, BACK), (T0, OTHER)]


def test_the_plan_text_names_them_as_it_names_its_other_holds() -> None:
    plan = GradesPlan(programme=PROGRAMME, course_id=2, activity_cmid=3, itemnumbers=(1000, 1099), as_of="2026-12-04",
                      created_at="2026-12-04T12:00:00+00:00", fingerprint="f", held_grades=_held(),
                      people={BACK: "Chloe Xu (m0004)", CHANGED: "Ben Ibrahim (m0009)"})
    text = plan_text(plan)
    assert "not written after an erasure: 3 received mean(s)" in text
    assert f"    = {T3} for Ben Ibrahim (m0009): withheld: who answered about this mentor changed after an erasure" in text
    assert f"    = {T0} for Chloe Xu (m0004): held: the gradebook shows the mean published before" in text
    assert plan.in_sync  # nothing to send: held for good, nothing an admin can do
