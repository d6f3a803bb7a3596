"""Tester round 88a, 2, for survey answers read from Feedback: while any response of an instrument was
unreadable, no other response's deletion or correction was applied.

The meeting log was mended first (each stored meeting names its response); the survey answers read from
Feedback still kept every stored answer of the instrument while any of its responses had an unreadable value:
a response deleted in Moodle kept its answers, a response edited on another day left both sittings stored,
and the removal guard counted the kept answers as removals. Now each stored answer names its response
(origin ``feedback:ATTEMPT``): only the unreadable response's own earlier answers stay, and the guard counts
exactly the answers removed.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from lmsync.config import Config
from lmsync.domain.meeting_log import FeedbackAttempt
from lmsync.service import meetings as service
from lmsync.service.feedback_sources import FeedbackRemovalRefused
from lmsync.service.feedback_store import store_feedback_answers
from lmsync.store.db import Store
from lmsync.store.surveys import SurveyRepository

INSTRUMENT = "relationship_satisfaction_mentor"
DELETED, CORRECTED, OTHER, UNREADABLE = 401, 402, 403, 404  # attempt ids, of respondents 66..69


def settings(fraction: float):
    return service.settings(Config.model_validate({
        "programme": {"name": "p"}, "sync": {"min_source_fraction": fraction},
        "waves": {"programme_start": "2026-09-01", "windows": {"T0": {"start": "2026-09-01", "end": "2026-10-31"}}},
    }))


def attempt(attempt_id: int, day: int, value: str = "4") -> FeedbackAttempt:
    sent = datetime(2026, 10, day, 12, tzinfo=UTC)
    return FeedbackAttempt(attempt_id, 66 + attempt_id - DELETED, sent, {f"rs{i}": value for i in range(1, 6)})


@pytest.fixture
def store():
    db = Store.memory()
    yield db
    db.close()


def stored(store) -> list[tuple[int, int]]:
    """(respondent, day of October) of each stored answer, one per item."""
    return sorted((a.respondent_id, a.date.day) for a in SurveyRepository(store, "p").answers())


def test_round_88a_2_survey_deletions_and_corrections_apply_while_another_response_is_unreadable(store):
    s = settings(0)
    first = [attempt(DELETED, 10), attempt(CORRECTED, 11), attempt(OTHER, 12), attempt(UNREADABLE, 13)]
    assert store_feedback_answers(store, s, INSTRUMENT, first)[0].added == 20
    unreadable = attempt(UNREADABLE, 14)
    unreadable.values["rs1"] = "9"  # edited, one value off the scale: unreadable
    counts, problems = store_feedback_answers(  # DELETED deleted in Moodle, CORRECTED sent again on the 20th
        store, s, INSTRUMENT, [attempt(CORRECTED, 20), attempt(OTHER, 12), unreadable])
    assert [p.attempt_id for p in problems] == [UNREADABLE]
    # the deleted response's answers and the corrected one's old sitting go; the unreadable response's own stay
    # (its earlier sitting, as the read cannot tell which sitting it now is)
    assert stored(store) == [(67, 20)] * 5 + [(68, 12)] * 5 + [(69, 13)] * 5 + [(69, 14)] * 4
    assert counts.removed == 10
    origins = {row.origin for row in store.rows(SurveyRepository(store, "p").table.select())}
    assert origins == {f"feedback:{a}" for a in (CORRECTED, OTHER, UNREADABLE)}


def test_round_88a_2_the_survey_guard_counts_exactly_the_answers_removed(store):
    first = [attempt(DELETED, 10), attempt(CORRECTED, 11), attempt(OTHER, 12), attempt(UNREADABLE, 13)]
    store_feedback_answers(store, settings(0.5), INSTRUMENT, first)
    # two responses deleted (10 of the 20 answers: half, allowed at 0.5), the third's 5 unreadable and kept
    counts, _problems = store_feedback_answers(store, settings(0.5), INSTRUMENT,
                                               [attempt(OTHER, 12), attempt(UNREADABLE, 13, "9")])
    assert counts.removed == 10  # refused before: "would remove 15 of the 20" counted the kept ones
    assert stored(store) == [(68, 12)] * 5 + [(69, 13)] * 5
    with pytest.raises(FeedbackRemovalRefused, match="would remove 5 of the 10"):  # OTHER deleted, a new one sent
        store_feedback_answers(store, settings(0.6), INSTRUMENT, [attempt(UNREADABLE, 13, "9"), attempt(405, 15)])
    assert stored(store) == [(68, 12)] * 5 + [(69, 13)] * 5  # refused: nothing stored or removed
