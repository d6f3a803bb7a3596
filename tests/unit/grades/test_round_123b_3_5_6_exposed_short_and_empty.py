"""Tester round 123b, 3, 5 and 6 in the domain: a locked item lmsync keeps hidden that the gradebook shows is
``exposed`` (the other items are planned as usual); a wave's sitting with too few answers is told apart from no
answer; grades no figure backs that already hold 0 count as unchanged."""

from datetime import date

from lmsync.domain.grades import ItemRecord, ObservedGradeItem, derived_idnumber, plan_grades, safe_itemname
from lmsync.domain.grades_unbacked import EMPTY_VALUES, already_empty
from lmsync.domain.instruments import Instrument, WaveScore, score
from lmsync.domain.metrics import MetricSpec, MetricValue
from lmsync.domain.survey_unanswered import (
    NO_ANSWER,
    TOO_FEW,
    ShortSitting,
    short_sittings,
    unanswered_reason,
)

PROGRAMME = "mentor-2026"
SPECS = {
    "attendance": MetricSpec("attendance", 0, 100),
    "checkin-received-T1": MetricSpec("checkin-received-T1", 1, 5, hidden=True),
}
ENROLLED = frozenset({3, 4, 5, 9})


def ours(itemnumber: int, key: str, **kw: object) -> tuple[ObservedGradeItem, ItemRecord]:
    item = ObservedGradeItem(itemnumber, safe_itemname(key), derived_idnumber(PROGRAMME, key), **kw)  # type: ignore[arg-type]
    return item, ItemRecord(key, itemnumber, item.idnumber or "", item.id)


def plan(observed: list[tuple[ObservedGradeItem, ItemRecord]], values: list[MetricValue]):  # type: ignore[no-untyped-def]
    return plan_grades(values, SPECS, [o for o, _ in observed], ENROLLED, base=1000, count=100, idnumber_prefix=None,
                       programme=PROGRAMME, records=[r for _, r in observed], empty_values=EMPTY_VALUES)


def test_a_locked_received_item_shown_is_exposed_and_the_others_are_written() -> None:
    shown = [ours(1000, "attendance", grademax=100, hidden=False, grades={3: 50.0}, id=1),
             ours(1001, "checkin-received-T1", grademin=1, grademax=5, hidden=False, grades={9: 3.33}, id=2,
                  locked=True)]
    result = plan(shown, [MetricValue("attendance", 3, 75.0), MetricValue("checkin-received-T1", 9, 3.33)])
    assert [(x.key, x.exposed) for x in result.locked] == [("checkin-received-T1", True)]
    assert "visible to the mentors it is about" in result.locked[0].describe()
    assert [(r.itemnumber, [g.grade for g in r.grades]) for r in result.requests] == [(1000, [75.0])]

    hidden = [ours(1001, "checkin-received-T1", grademin=1, grademax=5, hidden=True, grades={9: 3.33}, id=2,
                   locked=True)]
    result = plan(hidden, [MetricValue("checkin-received-T1", 9, 3.33)])
    assert [(x.key, x.exposed) for x in result.locked] == [("checkin-received-T1", False)]
    assert "locked by a teacher in the gradebook" in result.locked[0].describe()

    unhidden_open = [ours(1000, "attendance", grademax=100, hidden=False, grades={3: 50.0}, id=1, locked=True)]
    assert [x.exposed for x in plan(unhidden_open, [MetricValue("attendance", 3, 75.0)]).locked] == [False]


def test_zeros_no_figure_backs_count_as_unchanged() -> None:
    held = {3: 0.0, 4: 0.0, 5: 40.0, 9: None}
    assert already_empty("attendance", held, backed=(), teachers=(), enrolled=ENROLLED, erased=()) == 2
    assert already_empty("attendance", held, backed={3}, teachers={4}, enrolled=ENROLLED, erased=()) == 0
    assert already_empty("checkin-T1", held, backed=(), teachers=(), enrolled=ENROLLED, erased=()) == 0
    result = plan([ours(1000, "attendance", grademax=100, hidden=False, grades=held, id=1)],
                  [MetricValue("meetings", 3, 1.0)])
    assert result.unchanged == 2 and [[g.user_id for g in r.grades] for r in result.requests] == [[5]]


def test_a_sitting_with_too_few_answers_is_told_apart_from_none() -> None:
    inst = Instrument("checkin", items=("sat", "goals", "help"), scale_min=1, scale_max=5, min_answered=0.6,
                      grade_name="checkin")
    few = WaveScore(7, "checkin", "T1", date(2026, 12, 1), "feedback:6", score(inst, {"sat": "4"}))
    full = WaveScore(8, "checkin", "T1", date(2026, 12, 1), "feedback:6",
                     score(inst, {"sat": "4", "goals": "3", "help": "4"}))
    found = short_sittings([few, full], {"checkin": inst})
    assert found == {("checkin-T1", 7): ShortSitting(1, 3, 2), ("checkin-change-T1", 7): ShortSitting(1, 3, 2)}
    cause, reason = unanswered_reason(found[("checkin-T1", 7)])
    assert cause == TOO_FEW and "(1 of 3 items answered, 2 needed" in reason and "deleted" not in reason
    assert unanswered_reason(None)[0] == NO_ANSWER and "deleted in Moodle" in unanswered_reason(None)[1]
