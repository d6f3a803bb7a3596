"""Tester round 120a, 2, 3 and 5: the report's summary of pair health, and the time it was written.

2. In a one-pair programme the summary said "pairs at risk or fading 1, of which not named in the at-risk table
   (flagged by one side's own answers) 1": the mentor, whose own answers were fine, read their mentee's verdict. That
   count is withheld below ``[report] min_cell``, 0 included, and the total with it (less the named pairs it gave the
   count back): the report of a pair its mentee's answers flagged reads as that of a pair judged ok.
3. The footer "Written by lmsync ... on 2026-09-07T23:47+00:00" was UTC beside "as of 2026-09-08", the London day.
5. A programme with no pair said "not known: no health snapshot ..." and "run `lmsync health`" after health had run
   and judged none (it stores a snapshot per pair): 0, there was no pair to judge.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime
from typing import Any

import pytest

from lmsync.config import Config
from lmsync.domain.health import PairHealth, Reason, shared_view
from lmsync.domain.health.status import _judge
from lmsync.domain.waves import SurveyAnswer
from lmsync.render.report import csv_files
from lmsync.render.report_html import html_page
from lmsync.service import programme_settings
from lmsync.service.health_inputs import thresholds
from lmsync.service.report import gather
from lmsync.store.db import Store
from lmsync.store.snapshots import HealthSnapshots
from lmsync.store.surveys import SurveyRepository

DAY = date(2026, 9, 11)
T = thresholds(Config())
RATED_LOW = Reason("satisfaction_low_mentee", "at_risk", "rated low", 45, "satisfaction", False)  # type: ignore[arg-type]
NO_MEETING = Reason("no_meeting", "at_risk", "no meeting for 40 days", 45, "rhythm", False)  # type: ignore[arg-type]


def _health(mentee: int, *reasons: Reason) -> PairHealth:
    status, score, judged = _judge(reasons, T)
    shared = shared_view(judged, T)
    return PairHealth(66, mentee, status, judged, date(2026, 9, 1), None, 40, score,
                      shared_status=None if shared == status else shared)


def _data(healths: list[PairHealth], *, pairs: list[tuple[int, int]] | None = None, **report: Any) -> Any:
    store = Store.memory()
    try:
        if healths:
            HealthSnapshots(store, "p").replace_day(DAY, healths)
            # an answer that could flag a pair exists (without one the count is 0: tester round 121a, 11)
            SurveyRepository(store, "p").save([(SurveyAnswer(1, "relationship_satisfaction_mentee", date(2026, 9, 10),
                                                             "rs1", "4", "csv"), "test")])
        config = Config.model_validate({"programme": {"name": "p"}, "report": report})
        return gather(config, store, as_of=DAY, roster={},
                      pairs=[(66, h.mentee_id) for h in healths] if pairs is None else pairs)
    finally:
        store.close()


@pytest.fixture(autouse=True)
def _fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(programme_settings, "clock", lambda: datetime(2026, 9, 11, 10, 0, tzinfo=UTC))


def _summary(data: Any) -> dict[str, Any]:
    return dict(data.summary.rows)


def test_2_a_one_pair_programme_reads_the_same_whether_its_mentees_answers_flagged_it_or_not():
    flagged = _data([_health(1, RATED_LOW)])
    fine = _data([_health(1)])
    # every file of the CSV report, and the page, as of the pair judged ok
    assert csv_files(flagged) == csv_files(fine)
    assert html_page(flagged) == html_page(fine)
    summary = _summary(flagged)
    assert summary[f"pairs at risk or fading on {DAY.isoformat()}, named in the at-risk table"] == 0
    assert summary[f"more at risk or fading on {DAY.isoformat()}, not named in the at-risk table (see the notes)"] == (
        "at most 1")  # never "fewer than 5" of 1 pair (tester round 121a, 11)
    assert not any("of which not named" in label for label in summary)
    assert not any(note.startswith("1 pair(s)") for note in flagged.notes)
    assert any("counted only when at least 5 of the 1 pair(s) the table could leave out are flagged so" in note
               for note in flagged.notes)
    assert "more that one side's own answers" not in flagged.at_risk.title
    assert (flagged.at_risk_unnamed, flagged.at_risk_withheld) == (0, 5)
    assert "nor counted in the summary while fewer than 5 of them are flagged so" in html_page(flagged)


def test_2_below_min_cell_the_total_less_the_named_pairs_gives_nothing_back():
    """Two named pairs, and one or none flagged by one side's answers alone: the same summary, notes and page text."""
    one = _data([_health(1, NO_MEETING), _health(2, NO_MEETING), _health(3, RATED_LOW), _health(4)])
    none = _data([_health(1, NO_MEETING), _health(2, NO_MEETING), _health(3), _health(4)])
    assert one.summary == none.summary and one.notes == none.notes and one.at_risk.title == none.at_risk.title
    assert _summary(one)[f"pairs at risk or fading on {DAY.isoformat()}, named in the at-risk table"] == 2
    assert csv_files(one) == csv_files(none)


def test_2_from_min_cell_on_the_count_is_shown_and_counted_in_the_total():
    # and at least min_cell of the pairs not named are not flagged so (tester round 121a, 3)
    data = _data([_health(k, RATED_LOW) for k in range(1, 4)] + [_health(4, NO_MEETING)]
                 + [_health(k) for k in range(5, 8)], min_cell=3)
    summary = _summary(data)
    assert summary[f"pairs at risk or fading on {DAY.isoformat()}"] == 4
    assert summary["of which not named in the at-risk table (flagged by one side's own answers: a survey, or meeting "
                   "ratings)"] == 3
    assert (data.at_risk_unnamed, data.at_risk_withheld) == (3, 0)
    assert any(note.startswith(f"3 pair(s) at risk or fading on {DAY.isoformat()}") for note in data.notes)


def test_2_nothing_is_withheld_where_no_pair_could_be_left_unnamed():
    """Every pair judged is named: no pair could be one the table leaves out, so the total is plain (the chart says
    as much); with min_cell 1 nothing is ever withheld."""
    named = _summary(_data([_health(1, NO_MEETING), _health(2, NO_MEETING)]))
    assert named[f"pairs at risk or fading on {DAY.isoformat()}"] == 2 and len([k for k in named if "at risk" in k]) == 1
    assert _summary(_data([_health(1, RATED_LOW), _health(2)], min_cell=1))[
        f"pairs at risk or fading on {DAY.isoformat()}"] == 1


def test_3_the_footer_time_is_the_programmes_local_time(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(programme_settings, "clock", lambda: datetime(2026, 9, 7, 23, 47, tzinfo=UTC))
    store = Store.memory()
    try:
        config = Config.model_validate({"programme": {"name": "p", "timezone": "Europe/London"}})
        data = gather(config, store, as_of=date(2026, 9, 8), roster={}, pairs=[])
    finally:
        store.close()
    assert data.generated_at == "2026-09-08T00:47+01:00"
    footer = re.search(r"Written by lmsync \S+ on ([^.]+)\.", html_page(data))
    assert footer is not None and footer.group(1) == "2026-09-08T00:47+01:00"


def test_5_no_pair_to_judge_is_0_at_risk_not_unknown():
    data = _data([], pairs=[])
    assert _summary(data)[f"pairs at risk or fading on {DAY.isoformat()}"] == 0
    assert not any("lmsync health` (or `lmsync run`) to record" in note for note in data.notes)
    assert f"There was no pair on {DAY.isoformat()} for `lmsync health` to judge, so none is at risk or fading." in (
        data.notes)
    page = html_page(data)
    assert "No pair is at risk or fading: there was no pair to judge." in page and "Not known" not in page
    summary = dict(csv.reader(io.StringIO(csv_files(data)["summary.csv"])))
    assert summary[f"pairs at risk or fading on {DAY.isoformat()}"] == "0"


def test_5_pairs_never_judged_are_still_not_known():
    data = _data([], pairs=[(66, 1)])
    assert _summary(data)["pairs at risk or fading"] == "not known: no health snapshot on or before this report's day"
    assert "No health snapshots yet: run `lmsync health` (or `lmsync run`) to record them." in data.notes
