"""Tester round 114a, 2: within a wave the latest complete sitting counts; a later incomplete one is named."""

from __future__ import annotations

from datetime import date

from lmsync.domain.instruments import BUILTIN_INSTRUMENTS, SurveyAnswer, Wave, score_waves
from lmsync.domain.wave_sittings import PassedOver, passed_over

T0 = (Wave("T0", date(2026, 10, 1), date(2026, 10, 31)),)
RS = "relationship_satisfaction_mentor"


def sitting(day: date, values: dict[str, str], who: int = 7) -> list[SurveyAnswer]:
    return [SurveyAnswer(who, RS, day, item, value, "csv", 9) for item, value in values.items()]


def test_a_later_stray_item_leaves_the_complete_sitting_counted_and_is_named() -> None:
    rows = sitting(date(2026, 10, 10), dict.fromkeys(("rs1", "rs2", "rs3", "rs4", "rs5"), "4")) + sitting(
        date(2026, 10, 12), {"rs2": "1"})
    scores = score_waves(rows, BUILTIN_INSTRUMENTS, T0)
    assert [(s.date, s.score.complete) for s in scores] == [(date(2026, 10, 10), True)]
    assert passed_over(rows, BUILTIN_INSTRUMENTS, T0, scores) == [
        PassedOver(7, RS, "T0", date(2026, 10, 12), date(2026, 10, 10))]
    assert passed_over(rows, BUILTIN_INSTRUMENTS, T0, scores, days={date(2026, 10, 10)}) == []


def test_a_later_complete_sitting_still_replaces_and_incomplete_alone_stands() -> None:
    full = dict.fromkeys(("rs1", "rs2", "rs3", "rs4", "rs5"), "4")
    rows = sitting(date(2026, 10, 10), full) + sitting(date(2026, 10, 20), {**full, "rs1": "5"})
    assert [s.date for s in score_waves(rows, BUILTIN_INSTRUMENTS, T0)] == [date(2026, 10, 20)]
    alone = sitting(date(2026, 10, 5), {"rs2": "1"}) + sitting(date(2026, 10, 6), {"rs2": "2", "rs3": "2"})
    [only] = score_waves(alone, BUILTIN_INSTRUMENTS, T0)
    assert (only.date, only.score.total, only.score.answered) == (date(2026, 10, 6), None, 2)
