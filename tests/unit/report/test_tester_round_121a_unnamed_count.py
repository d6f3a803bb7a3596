"""Tester round 121a, 3, 8 and 11: the programme report's count of the pairs at risk its at-risk table does not name.

3. The count was withheld only below ``[report] min_cell``: "of which not named in the at-risk table (flagged by one
   side's own answers) 52" of 52 pairs told every mentor, whose own answers were fine, their mentee's verdict. It is
   withheld too when fewer than min_cell of the pairs it could cover are not among them, and reads alike whatever it
   is then.
8. "pairs a coordinator ended, still flagged" counted a pair flagged by its mentee's own answers alone, plainly: it
   counts by the status both people may read, as the health chart does.
11. "fewer than 5 more at risk" on the day the pairs were made, when no answer existed that could flag one: 0 then;
   and never "fewer than 60" of 49 pairs.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from lmsync.config import Config
from lmsync.domain.health import PairHealth
from lmsync.domain.waves import SurveyAnswer
from lmsync.render.report import csv_files
from lmsync.render.report_html import html_page
from lmsync.service import programme_settings
from lmsync.service.report import build, gather
from lmsync.service.report_inputs import ReportInputs
from lmsync.service.report_model import ReportPeople
from lmsync.store import schema
from lmsync.store.db import Store
from lmsync.store.report import FlaggedPair, QueueState
from lmsync.store.snapshots import HealthSnapshots
from lmsync.store.surveys import SurveyRepository

DAY = date(2026, 9, 12)
LOW = (("satisfaction_low_mentee", "satisfaction low (mentee side)"),)
SILENT = (("no_meeting", "no meeting for 40 days"),)
CLOSED = QueueState(opened_on=DAY, last_seen_on=DAY, acked_on=DAY, outcome="closed")


@pytest.fixture(autouse=True)
def _fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(programme_settings, "clock", lambda: datetime(2026, 9, 12, 10, 0, tzinfo=UTC))


def _own(mentee: int) -> FlaggedPair:
    """A pair flagged by its mentee's own answers alone: at risk, ok by the status both its people may read."""
    return FlaggedPair(66, mentee, "at_risk", None, LOW, shared_status="ok")


def _report(pairs: int, flagged: list[FlaggedPair], *, min_cell: int = 5, answers: bool = True,
            queue: dict[tuple[int, int], QueueState] | None = None) -> Any:
    """The report of ``pairs`` pairs (66, 1..pairs) judged on ``DAY``: ``flagged`` at risk or fading, the rest ok."""
    queue = queue or {}
    shared: dict[str, int] = {}
    for k in range(1, pairs + 1):
        f = next((f for f in flagged if f.mentee_id == k), None)
        status = "ended" if (66, k) in queue else (f.shared_status or f.status) if f else "ok"
        shared[status] = shared.get(status, 0) + 1
    answered: dict[str, Any] = {} if answers else {"answers_by_health_day": False}
    inputs = ReportInputs(status_counts=tuple((DAY, s, n) for s, n in sorted(shared.items())), health_day=DAY,
                          first_health_day=DAY, flagged=tuple(flagged), queue=queue, **answered)
    config = Config.model_validate({"programme": {"name": "p"}, "report": {"min_cell": min_cell}})
    cohort = ReportPeople({}, [(66, k) for k in range(1, pairs + 1)])
    return build(config, inputs, cohort, as_of=DAY)


def _summary(data: Any) -> dict[str, Any]:
    return dict(data.summary.rows)


NAMED = f"pairs at risk or fading on {DAY.isoformat()}, named in the at-risk table"
MORE = f"more at risk or fading on {DAY.isoformat()}, not named in the at-risk table (see the notes)"
TOTAL = f"pairs at risk or fading on {DAY.isoformat()}"
ENDED = f"pairs a coordinator ended, still flagged on {DAY.isoformat()} (not counted above)"


def test_3_every_pair_flagged_by_its_mentees_answers_reads_as_none_flagged():
    """52 of 52 pairs flagged by their mentees' answers alone: the report is the one where none is."""
    every = _report(52, [_own(k) for k in range(1, 53)])
    none = _report(52, [])
    assert csv_files(every) == csv_files(none)
    assert html_page(every) == html_page(none)
    summary = _summary(every)
    assert summary[NAMED] == 0 and summary[MORE] == "fewer than 5, or more than 47"
    assert not any("of which not named" in label for label in summary)
    assert (every.at_risk_unnamed, every.at_risk_withheld) == (0, 5)
    assert any("at least 5 of the 52 pair(s) the table could leave out are flagged so and at least 5 are not" in note
               for note in every.notes)


@pytest.mark.parametrize(("pairs", "flagged"), [(52, 48), (6, 5), (10, 6)])
def test_3_a_count_near_every_pair_it_could_cover_is_withheld(pairs: int, flagged: int):
    data = _report(pairs, [_own(k) for k in range(1, flagged + 1)])
    assert data.at_risk_unnamed == 0 and data.at_risk_withheld == 5
    assert MORE in _summary(data) and TOTAL not in _summary(data)


def test_3_a_count_with_min_cell_pairs_on_either_side_is_shown():
    data = _report(10, [_own(k) for k in range(1, 6)])
    summary = _summary(data)
    assert summary[TOTAL] == 5 and data.at_risk_unnamed == 5 and data.at_risk_withheld == 0


def test_8_an_ended_pair_flagged_by_one_sides_answers_alone_is_not_counted_still_flagged():
    """Ended by a coordinator, flagged by its mentee's answers alone: counted by the status both may read (ok), as the
    chart counts it; a pair the shared judgement flags is still counted."""
    alone = _report(52, [FlaggedPair(66, 1, "fading", None, LOW, shared_status="ok")], queue={(66, 1): CLOSED})
    fine = _report(52, [], queue={(66, 1): CLOSED})
    assert ENDED not in _summary(alone)
    assert csv_files(alone) == csv_files(fine)
    shared = _report(52, [FlaggedPair(66, 1, "fading", None, SILENT)], queue={(66, 1): CLOSED})
    assert _summary(shared)[ENDED] == 1


def test_11_no_answer_that_could_flag_a_pair_shows_0():
    """The tester's first report of the term: 52 pairs judged ok the day they were made, no meeting nor answer yet."""
    store = Store.memory()
    try:
        HealthSnapshots(store, "p").replace_day(DAY, [PairHealth(66, k, "ok", (), date(2026, 9, 1), None, 11)
                                                      for k in range(1, 53)])
        config = Config.model_validate({"programme": {"name": "p"}})
        data = gather(config, store, as_of=DAY, roster={}, pairs=[(66, k) for k in range(1, 53)])
    finally:
        store.close()
    summary = _summary(data)
    assert summary[TOTAL] == 0 and MORE not in summary
    assert (data.at_risk_unnamed, data.at_risk_withheld) == (0, 0)
    assert not any("counted only when" in note for note in data.notes)
    named = _summary(_report(52, [FlaggedPair(66, k, "at_risk", None, SILENT) for k in (1, 2, 3)], answers=False))
    assert named[TOTAL] == 3 and MORE not in named


def test_11_never_fewer_than_more_pairs_than_could_be_left_out():
    """min_cell 60, 52 pairs, 3 named: 49 could be left out, and the range says at most 49."""
    named = [FlaggedPair(66, k, "at_risk", None, SILENT) for k in (1, 2, 3)]
    data = _report(52, [*named, _own(44), _own(50)], min_cell=60)
    assert _summary(data)[MORE] == "at most 49"
    assert _summary(_report(1, [_own(1)]))[MORE] == "at most 1"


def test_11_any_answer_by_reads_survey_answers_and_meeting_ratings_dated_on_or_before_the_day():
    from lmsync.store.answered_by import any_answer_by

    store = Store.memory()
    try:
        assert not any_answer_by(store, "p", DAY)
        SurveyRepository(store, "p").save([(SurveyAnswer(1, "relationship_satisfaction_mentee", date(2026, 9, 13),
                                                         "rs1", "1", "csv"), "test")])
        store.write(schema.meetings.insert(), [dict(
            programme="p", meeting_date="2026-09-12", mentor_id=66, mentee_id=1, source="csv", minutes=30,
            attended=1, rating=None, notes=None, content_hash="x", origin="t", created_at="2026-09-12T08:00:00",
            updated_at="2026-09-12T08:00:00")])
        assert not any_answer_by(store, "p", DAY)  # the answer is dated after it, the meeting has no rating
        assert any_answer_by(store, "p", date(2026, 9, 13)) and not any_answer_by(store, "q", date(2026, 9, 13))
        store.write(schema.meetings.insert(), [dict(
            programme="p", meeting_date="2026-09-11", mentor_id=66, mentee_id=2, source="csv", minutes=30,
            attended=1, rating=2, notes=None, content_hash="y", origin="t", created_at="2026-09-12T08:00:00",
            updated_at="2026-09-12T08:00:00")])
        assert any_answer_by(store, "p", DAY)
    finally:
        store.close()
