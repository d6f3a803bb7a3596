"""Tester round 86b, 1: the shared report's status beside a pair was judged with one side's own answers.

"fading" beside "no meeting for 40 days", which alone reads "at risk", told a mentor reading the report that
their mentee had rated them low. Health now keeps, with each snapshot, the status judged without one side's
answers (``shared_view``, stored in revision 0011's ``shared_status``); the report shows that one, and counts
without naming a pair that status does not flag.
"""

from __future__ import annotations

import sqlite3
from datetime import date

import pytest

from lmsync.config import Config
from lmsync.domain.health import PairHealth, Reason, shared_view
from lmsync.domain.health.status import _judge
from lmsync.service.health_inputs import thresholds
from lmsync.service.labels import People
from lmsync.service.report_sections import QUEUE_NOT_SHOWN, at_risk_table
from lmsync.store import migrate
from lmsync.store.db import Store
from lmsync.store.report import FlaggedPair, flagged_pairs
from lmsync.store.snapshots import HealthSnapshots
from tests.unit.store.legacy import downgrade_store

DAY = date(2027, 2, 1)
T = thresholds(Config())


def _reason(code: str, severity: str, weight: int, channel: str, minor: bool = False) -> Reason:
    return Reason(code, severity, f"{code} words", weight, channel, minor)  # type: ignore[arg-type]


NO_MEETING = _reason("no_meeting", "at_risk", 45, "rhythm")
RATED_LOW = _reason("satisfaction_low_mentee", "at_risk", 45, "satisfaction")
UNANSWERED = _reason("survey_unanswered_mentor", "watch", 8, "surveys", minor=True)


def _health(mentee: int, *reasons: Reason) -> PairHealth:
    status, score, judged = _judge(reasons, T)
    shared = shared_view(judged, T)
    return PairHealth(66, mentee, status, judged, date(2026, 10, 1), None, 40, score,
                      shared_status=None if shared == status else shared)


def test_the_status_both_sides_may_read_leaves_out_one_sides_answers():
    both = _health(1, NO_MEETING, RATED_LOW)
    assert both.status == "fading"  # two channels add up: several_signals
    assert "several_signals" in both.codes
    assert both.shared_status == "at_risk"  # the meeting evidence alone
    alone = _health(2, RATED_LOW)
    assert (alone.status, alone.shared_status) == ("at_risk", "ok")
    known = _health(3, NO_MEETING, UNANSWERED)  # a wave left unanswered is said, without who: it stays
    assert (known.status, known.shared_status) == ("at_risk", None)


def test_rated_reasons_count_in_their_blind_form():
    blind = _reason("meetings_shrinking", "watch", 20, "meetings")
    hi_bye = Reason("hi_bye", "at_risk", "hi_bye words", 40, "meetings", False, "mentee", blind)
    assert shared_view((hi_bye,), T) == "watch"


def test_the_report_shows_the_shared_status_and_names_no_pair_only_the_answers_flag():
    store = Store.memory()
    try:
        HealthSnapshots(store, "p").replace_day(DAY, [_health(1, NO_MEETING, RATED_LOW), _health(2, RATED_LOW),
                                                      _health(3, NO_MEETING)])
        flagged = flagged_pairs(store, "p", DAY, ("at_risk", "fading"))
        assert [(f.mentee_id, f.status, f.shared_status) for f in flagged] == [
            (1, "fading", "at_risk"), (2, "at_risk", "ok"), (3, "at_risk", "at_risk")]
        table = at_risk_table(flagged, {}, People({}, show_names=False), DAY, DAY)
    finally:
        store.close()
    assert [(row[1], row[2]) for row in table.rows] == [
        ("user #1 (not in the course)", "at_risk"), ("user #3 (not in the course)", "at_risk")]
    # the queue cell is one text beside every pair shown at risk (it says when lmsync would queue one: tester round
    # 110a, 3); the rest of a row tells nothing of the answers
    assert {row[-1] for row in table.rows} == {QUEUE_NOT_SHOWN}
    shown = str([row[:-1] for row in table.rows])
    assert "fading" not in shown and "satisfaction" not in shown and "warning signs" not in shown
    assert "(1 more that one side's own answers (a survey, or meeting ratings) flagged, not named here" in table.title


def test_a_snapshot_from_before_revision_0011_falls_back_to_hiding_pairs_flagged_by_answers_alone():
    old = [FlaggedPair(66, 1, "at_risk", None, (("satisfaction_low_mentee", "satisfaction low (mentee side)"),)),
           FlaggedPair(66, 2, "fading", None, (("no_meeting", "no meeting for 40 days"),))]
    table = at_risk_table(old, {}, People({}, show_names=False))
    assert [(row[1], row[2]) for row in table.rows] == [("user #2 (not in the course)", "fading")]
    assert "1 more" in table.title


@pytest.mark.sqlite_only("the upgrade is checked on a SQLite file")
def test_revision_0011_keeps_old_snapshots_unknown_and_downgrades_without_the_column(tmp_path):
    path = tmp_path / "old.db"
    Store(path).close()
    downgrade_store(path, "0010")
    raw = sqlite3.connect(path)
    assert "shared_status" not in {r[1] for r in raw.execute("PRAGMA table_info(health_snapshots)")}
    raw.execute("INSERT INTO health_snapshots (programme, day, mentor_id, mentee_id, status, reasons, paired_since,"
                " last_meeting, computed_at) VALUES ('p', ?, 66, 1, 'fading', '[[\"no_meeting\", \"x\"]]',"
                " '2026-10-01', NULL, '2027-02-01T08:00:00')", (DAY.isoformat(),))
    raw.commit()
    raw.close()
    store = Store(path)  # migrates forward
    try:
        assert store.contents()["alembic_version"] == [(migrate.head_revision(),)]
        assert [f.shared_status for f in flagged_pairs(store, "p", DAY, ("fading",))] == [None]
        HealthSnapshots(store, "p").replace_day(DAY, [_health(1, NO_MEETING, RATED_LOW)])
        assert [f.shared_status for f in flagged_pairs(store, "p", DAY, ("fading",))] == ["at_risk"]
    finally:
        store.close()


def test_round_87a_6_the_summary_and_the_page_count_the_pairs_the_table_does_not_name(tmp_path):
    """The table empty, the page said "No pair is at risk or fading" beside a chart of one at risk, and the summary
    said 1 where `lmsync health` said 4: the count of pairs not named lived only in the table's hidden caption."""
    from lmsync.render.report import csv_files
    from lmsync.render.report_html import html_page
    from lmsync.service.report import gather

    store = Store.memory()
    try:
        HealthSnapshots(store, "p").replace_day(DAY, [_health(1, RATED_LOW), _health(2, RATED_LOW), _health(3),
                                                      _health(4)])
        # two of four, shown from [report] min_cell 2 on (fewer are withheld: tester round 120a, 2; and fewer than 2
        # not flagged so: round 121a, 3)
        config = Config.model_validate({"programme": {"name": "p"}, "report": {"min_cell": 2}})
        data = gather(config, store, as_of=DAY, roster={}, pairs=[(66, 1), (66, 2), (66, 3), (66, 4)])
    finally:
        store.close()
    assert data.at_risk.rows == () and data.at_risk_unnamed == 2
    summary = dict(data.summary.rows)
    assert summary[f"pairs at risk or fading on {DAY.isoformat()}"] == 2
    assert any(note.startswith(f"2 pair(s) at risk or fading on {DAY.isoformat()} are counted") for note in data.notes)
    assert "2 pair(s) at risk" in csv_files(data)["notes.csv"]
    page = html_page(data)
    assert "No pair is at risk or fading." not in page
    assert "2 more pair(s) at risk or fading are counted in the summary" in page


def _one_pair_flagged_by_its_mentee():
    """The report's data of two pairs: one at risk by its silence and fading by its mentee's ratings, one ok."""
    from lmsync.service.report import gather

    store = Store.memory()
    try:
        HealthSnapshots(store, "p").replace_day(DAY, [_health(1, NO_MEETING, RATED_LOW), _health(2)])
        config = Config.model_validate({"programme": {"name": "p"}})
        return gather(config, store, as_of=DAY, roster={}, pairs=[(66, 1), (66, 2)])
    finally:
        store.close()


def test_round_88a_1_the_health_chart_counts_each_pair_by_the_status_both_may_read():
    """The chart said "0 at risk, 1 fading" beside the one pair the table showed at risk: its mentor read their
    mentee's verdict from the count."""
    data = _one_pair_flagged_by_its_mentee()
    counts = dict(zip(data.health.columns, data.health.rows[0], strict=True))
    assert counts.get("fading", 0) == 0 and counts["at_risk"] == 1 and counts["ok"] == 1
    assert [(row[1], row[2]) for row in data.at_risk.rows] == [("user #1 (not in the course)", "at_risk")]


def test_round_89a_6_the_health_chart_says_why_it_can_count_fewer_than_the_summary():
    """The summary said "48 pairs at risk or fading" beside a chart of 47 fading on the same day, and nothing said
    why: the chart counts by the status both people may read, the summary counts the pair it does not name."""
    from lmsync.render.report_charts import health_chart

    (chart,) = health_chart(_one_pair_flagged_by_its_mentee())
    assert "counted by what both its people may read" in chart.caption
    assert "can count fewer pairs at risk or fading than the summary" in chart.caption
