"""Tester (built-in emulator, first sync today): health's dates of a pair.

1. ``lmsync health --as-of`` a day before lmsync's pairing history began judged every mentee's first recorded pair,
   each ``paired_since`` that day: a pair made on the history's first day and marked not a good fit then was "at
   risk" eleven days before it existed. A day before the history has no pair to judge, and says so.
2. A meeting added by hand a month before a pair made on the history's first day (no programme start set) was
   kept "but no grade counts it", yet health took it for the pair's: ``paired_since`` moved back to it and the pair
   made that day was "no meeting for 34 days". Health now counts a pair from the day lmsync paired it, as the
   grades do; and the warning says what a programme start set later does (the grades and health then count it).
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import text

from lmsync.domain.meetings import Meeting
from lmsync.domain.pair_dates import DatedPair, PairsByDate
from lmsync.render.health import health_view
from lmsync.service import health
from lmsync.service.labels import People
from lmsync.service.moodle import open_moodle
from lmsync.service.pair_outside import outside_the_pair
from lmsync.store.meetings import MeetingRepository
from tests.unit.health.test_resumed_pair import synced as synced  # noqa: F401  (fixture)


def test_health_as_of_a_day_before_the_pairing_history_judges_no_pair_and_says_so(synced):  # noqa: F811
    config, site, store, history, today, stamp = synced
    # one mentee's first pair was made and ended on the history's first day (not a good fit), as the tester's
    mentor, mentee = history.open_pairs()[0]
    other = next(m for m, _ in history.open_pairs() if m != mentor)
    history.record("add_member", [(f"lmsync:mentor-2026:mentor:{other}", mentee)], at=stamp(0))
    history.record("remove_member", [(f"lmsync:mentor-2026:mentor:{other}", mentee)], at=stamp(0))
    before = today - timedelta(days=11)
    with open_moodle(config, site=site) as conn:
        report = health.run_health(conn.api, config, store, as_of=before, record=False)
    assert report.assessment.pairs == [] and report.counts.get("at_risk", 0) == 0
    assert report.assessment.history_begins == today and report.assessment.skipped_inactive == 0
    head = health_view(report, People()).blocks[0].text  # type: ignore[union-attr]
    assert (f"lmsync's pairing history begins on {today.isoformat()}: no pair to judge on {before.isoformat()}"
            in head), head


def test_health_as_of_a_day_inside_the_history_dates_each_pair_from_its_real_start(synced):  # noqa: F811
    config, site, store, history, today, stamp = synced
    store.write(text("UPDATE pairing_history SET joined_at = :at"), {"at": stamp(60)})
    with open_moodle(config, site=site) as conn:
        then = health.observe_and_assess(conn.api, config, store, as_of=today - timedelta(days=30))
    assert then.pairs and then.history_begins is None
    assert {v.health.paired_since for v in then.pairs} == {today - timedelta(days=60)}


def test_a_meeting_dated_before_a_first_day_pair_began_does_not_move_its_start_back(synced):  # noqa: F811
    config, _site, store, history, today, _stamp = synced  # no programme start: the pairs were made today
    mentor, mentee = history.open_pairs()[0]
    MeetingRepository(store, "mentor-2026").save([
        (Meeting(today - timedelta(days=35), mentor, mentee, 0, False, "cli"), "cli"),
        (Meeting(today - timedelta(days=34), mentor, mentee, 45, True, "cli"), "cli"),
    ])
    (judged,) = health.assess_pairs(config, store, [(mentor, mentee)], as_of=today).healths
    assert judged.paired_since == today and judged.last_meeting is None, judged
    assert judged.status == "ok" and judged.in_grace and not judged.reasons, judged


def test_counted_from_a_first_day_pair_with_no_start_is_the_day_lmsync_paired_it():
    made = date(2026, 12, 6)
    pairs = PairsByDate(history=(DatedPair(1, 10, made, None), DatedPair(2, 20, made, made)), current=((1, 10),))
    assert pairs.counted_from((1, 10), None) == made
    assert pairs.counted_from((1, 10), date(2026, 9, 1)) == date(2026, 9, 1)  # an established programme's
    assert pairs.counted_from((3, 30), None) is None  # a pair the history never names
    assert pairs.begins == made


def test_meetings_add_warning_says_a_programme_start_would_count_it(synced):  # noqa: F811
    config, _site, store, history, today, _stamp = synced
    mentor, mentee = history.open_pairs()[0]
    day = today - timedelta(days=34)
    (said,) = outside_the_pair(store, config, Meeting(day, mentor, mentee, 45, True, "cli"))
    assert said.startswith(f"warning: dated before the pair began ({today.isoformat()}): kept, but no grade counts it")
    assert (f"with [meetings] start (or [waves] programme_start) set on or before {day.isoformat()}, the grades and "
            "health would count it from that start") in said, said
