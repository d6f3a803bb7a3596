"""Issue 14, a year of data in under 5 s: what the report reads in SQL (both engines), the
weekly health series over long spans, and the page leaving matplotlib and the collector as found.

The expected values are computed here from the raw stored rows, not by the report's queries.
"""

from __future__ import annotations

import gc
import re
from collections import Counter
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from lmsync.render.report import html_page
from lmsync.service.report import WEEKLY_HEALTH_AFTER, gather, read_inputs, weekly_days
from lmsync.store import schema
from lmsync.store.db import Store
from lmsync.store.report import health_status_counts, instrument_answers, wave_scores
from lmsync.store.surveys import SurveyRepository
from tests.unit.report.synthetic import AS_OF, STAMP, config_for, programme


@pytest.fixture
def year(store_target):
    """Six pairs with a health snapshot every day for a year, on each engine."""
    store = Store(store_target)
    config = config_for(":memory:", 365)
    p = programme(store, config, pairs=6, days=365)
    yield store, config, p
    store.close()


def _raw_counts(store: Store, programme_name: str) -> dict[date, Counter[str]]:
    h = schema.health_snapshots
    counts: dict[date, Counter[str]] = {}
    for r in store.rows(select(h.c.day, h.c.status).where(h.c.programme == programme_name)):
        counts.setdefault(date.fromisoformat(r.day), Counter())[r.status] += 1
    return counts


def test_issue_14_weekly_days_keep_the_latest_day_of_each_week_back_from_the_last():
    d = date(2026, 1, 1)
    days = [d + timedelta(days=k) for k in range(20) if k not in (12, 13)]  # a gap of two days
    assert weekly_days(days) == [d + timedelta(days=5), d + timedelta(days=11), d + timedelta(days=19)]
    assert weekly_days([d]) == [d]
    assert weekly_days([]) == []
    # a week without any snapshot is simply absent: no day is invented
    assert weekly_days([d, d + timedelta(days=30)]) == [d, d + timedelta(days=30)]


def test_issue_14_health_over_a_year_is_one_snapshot_day_per_week_counted_from_the_store(year):
    store, config, p = year
    raw = _raw_counts(store, config.programme.name)
    data = gather(config, store, as_of=AS_OF, roster=p.roster, pairs=p.pairs)
    assert data.health_weekly and max(raw) - min(raw) > WEEKLY_HEALTH_AFTER
    days = [date.fromisoformat(row[0]) for row in data.health.rows]
    assert days[-1] == max(raw) == AS_OF
    assert all(b - a == timedelta(days=7) for a, b in zip(days, days[1:], strict=False))
    assert len(days) == len(raw) // 7 + (1 if len(raw) % 7 else 0)
    for row in data.health.rows:
        got = dict(zip(data.health.columns[1:], row[1:], strict=True))
        expected = raw[date.fromisoformat(row[0])]
        # an old snapshot's ``new`` counts as ``ok``: every status has its column (tester round 105b, 4)
        assert {s: n for s, n in got.items() if n} == sum((Counter({("ok" if s == "new" else s): n}) for s, n in expected.items()), Counter())
    assert "fading" in data.health.columns and "one snapshot day per week" in data.health.title
    page = html_page(data)
    caption = re.search(r'<figcaption id="caption-health">([^<]*)</figcaption>', page)
    assert caption and "one snapshot day per week" in caption.group(1) and f"{len(days)} weeks" in caption.group(1)


def test_issue_14_csv_keeps_every_health_day_and_short_spans_stay_daily(year):
    store, config, p = year
    raw = _raw_counts(store, config.programme.name)
    daily = gather(config, store, as_of=AS_OF, roster=p.roster, pairs=p.pairs, daily_health=True)
    assert not daily.health_weekly and [r[0] for r in daily.health.rows] == [d.isoformat() for d in sorted(raw)]
    weekly = gather(config, store, as_of=AS_OF, roster=p.roster, pairs=p.pairs)
    assert set(weekly.health.rows) <= set(daily.health.rows)
    # a report as of four months in: the snapshots span less than half a year, so every day shows
    early = AS_OF - timedelta(days=365 - 120)
    data = gather(config, store, as_of=early, roster=p.roster, pairs=p.pairs)
    assert not data.health_weekly and len(data.health.rows) == len([d for d in raw if d <= early])
    assert "one snapshot day per week" not in html_page(data)


def test_issue_14_health_counts_for_chosen_days_on_each_engine(year):
    store, config, _p = year
    raw = _raw_counts(store, config.programme.name)
    chosen = sorted(raw)[::30]
    got = health_status_counts(store, config.programme.name, days=chosen)
    assert {(d, s): n for d, s, n in got} == {(d, s): n for d in chosen for s, n in raw[d].items()}
    assert health_status_counts(store, config.programme.name, days=[]) == []


def test_issue_14_meetings_this_term_count_each_pair_and_day_once(year):
    store, config, p = year
    mentor, mentee = p.pairs[0]
    m = schema.meetings
    first = store.first(
        select(m).where(m.c.mentor_id == mentor, m.c.mentee_id == mentee, m.c.attended == 1).order_by(m.c.meeting_date)
    )
    assert first is not None
    twin = {k: v for k, v in first._mapping.items() if k != "id"} | {"source": "feedback", "content_hash": "twin"}
    store.write(m.insert(), [twin])  # the same meeting logged by a second source
    since = date.fromisoformat(config.waves.programme_start.isoformat())
    held = {
        (r.meeting_date, r.mentor_id, r.mentee_id)
        for r in store.rows(select(m))
        if r.attended == 1 and since.isoformat() <= r.meeting_date <= AS_OF.isoformat()
    }
    inputs = read_inputs(config, store, as_of=AS_OF)
    assert inputs.held == len(held) == sum(month.held for month in inputs.months)
    data = gather(config, store, as_of=AS_OF, roster=p.roster, pairs=p.pairs)
    assert dict(data.summary.rows)[f"meetings this term (since {since.isoformat()})"] == len(held)


def test_issue_14_report_reads_scores_and_answers_as_the_survey_repository_does(year):
    store, config, _p = year
    name = config.programme.name
    cut = AS_OF - timedelta(days=200)  # between the T3 and T6 sittings: later ones are left out
    repository = SurveyRepository(store, name)
    expected = [
        (s.respondent_id, s.instrument, s.wave, s.date, s.source, s.score.total, s.score.answered, s.about_id)
        for s in repository.scores()
        if s.date <= cut
    ]
    got = [
        (s.respondent_id, s.instrument, s.wave, s.date, s.source, s.score.total, s.score.answered, s.about_id)
        for s in wave_scores(store, name, until=cut)
    ]
    assert got == expected and 0 < len(got) < len(repository.scores())
    answers = repository.answers(instrument="mentor_qualities")
    assert instrument_answers(store, name, "mentor_qualities", until=AS_OF) == answers and answers
    day = min(a.date for a in answers)  # inclusive: answers of that very day count, the day before none
    assert instrument_answers(store, name, "mentor_qualities", until=day) == [a for a in answers if a.date <= day]
    assert instrument_answers(store, name, "mentor_qualities", until=day - timedelta(days=1)) == []


def test_issue_14_scores_about_a_relationship_keep_their_about_id(year):
    store, config, _p = year
    s = schema.survey_scores
    store.write(
        s.insert(),
        [dict(programme=config.programme.name, respondent_id=7, instrument="relationship_satisfaction_mentor",
              wave="T0", sitting_date=AS_OF.isoformat(), source="feedback", total=4.0, answered=5, required=4,
              subscales='{"a": 1.0}', scored_at=STAMP, about_id=100003)],
    )
    mine = [w for w in wave_scores(store, config.programme.name, until=AS_OF) if w.source == "feedback"]
    assert [(w.respondent_id, w.about_id, w.score.total) for w in mine] == [(7, 100003, 4.0)]


def test_issue_14_the_page_leaves_matplotlib_settings_and_the_collector_as_found(year):
    import matplotlib

    store, config, p = year
    data = gather(config, store, as_of=AS_OF, roster=p.roster, pairs=p.pairs)
    before = dict(matplotlib.rcParams)
    assert gc.get_freeze_count() == 0
    page = html_page(data)
    assert dict(matplotlib.rcParams) == before
    assert gc.get_freeze_count() == 0 and gc.isenabled()
    # every chart still had its own style and ids: text stays text, ids differ per chart
    assert "<text" in page and len(set(re.findall(r'<g id="(mark-[a-z]+)', page))) >= 8
