"""Issue 13 (2,500 pairs judged in under 2 s): the bulk reads health uses, on both engines.

``pair_meetings`` and ``totals`` select only the columns the health rules read; they return the
same meetings and scores, in the same order, as the general reads (``notes`` and ``subscales``
left out).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from lmsync.domain.instruments import Score, WaveScore
from lmsync.domain.meetings import Meeting
from lmsync.store.db import Store
from lmsync.store.meetings import MeetingRepository
from lmsync.store.surveys import SurveyRepository

D = date(2026, 10, 5)


@pytest.fixture
def store(store_target):
    s = Store(store_target)
    yield s
    s.close()


def test_pair_meetings_reads_what_meetings_reads_without_notes(store):
    repo = MeetingRepository(store, "p")
    stored = [
        Meeting(D + timedelta(days=2), 66, 3, 30, True, "feedback", 4, "private note"),
        Meeting(D, 66, 4, 45, False, "csv"),
        Meeting(D, 66, 3, 20, True, "csv", None, "x"),
        Meeting(D + timedelta(days=40), 66, 3, 50, True, "csv", 5),
    ]
    repo.save((m, "o") for m in stored)
    MeetingRepository(store, "other").save([(Meeting(D, 1, 2, 30, True, "csv"), None)])
    until = D + timedelta(days=10)
    expected = [replace(m, notes=None) for m in repo.meetings(until=until)]
    got = repo.pair_meetings(until=until)
    assert got == expected and len(got) == 3
    assert all(type(m.attended) is bool and type(m.date) is date for m in got)
    assert len(repo.pair_meetings()) == 4
    assert MeetingRepository(store, "none").pair_meetings(until=until) == []


def test_totals_reads_the_chosen_instruments_scores_without_decoding_subscales(store, monkeypatch):
    repo = SurveyRepository(store, "p")
    scores = [
        WaveScore(3, "satisfaction", "T0", D, "csv", Score("satisfaction", 4.2, 5, 4, {"a": 4.0})),
        WaveScore(3, "efficacy", "T0", D, "csv", Score("efficacy", None, 1, 4, {"b": None})),
        WaveScore(66, "satisfaction", "T0", D + timedelta(days=1), "feedback", Score("satisfaction", 2.0, 5, 4), 3),
        WaveScore(4, "satisfaction", "T3", D + timedelta(days=90), "csv", Score("satisfaction", 3.0, 5, 4), 66),
        WaveScore(4, "other", "T3", D, "csv", Score("other", 1.0, 1, 1)),
    ]
    repo.replace_scores(scores)
    SurveyRepository(store, "elsewhere").replace_scores(scores[:1])
    wanted = ["satisfaction", "efficacy"]
    expected = [
        replace(ws, score=replace(ws.score, subscales={})) for ws in repo.scores() if ws.instrument in wanted
    ]

    def no_json(*_a: object, **_k: object) -> None:
        raise AssertionError("totals decoded a subscale")

    monkeypatch.setattr("lmsync.store.surveys.json.loads", no_json)
    got = repo.totals(wanted)
    assert got == expected and len(got) == 4
    assert {ws.about_id for ws in got} == {None, 3, 66} and {ws.score.total for ws in got} == {4.2, None, 2.0, 3.0}
    assert repo.totals([]) == [] and SurveyRepository(store, "none").totals(wanted) == []
