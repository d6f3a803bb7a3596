"""Tester round 52, 2: a mentee back from a break (enrolment suspended or ended, then back with the same
mentor) was fading the day they came back ("no meeting for 44 days"), queued and nudged: the silence
counted the days the pair did not exist. A silence is judged over the days the pair existed; the true days
since the last meeting are still said."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import text

from lmsync.config import load_config
from lmsync.domain.health import PairEvidence, Thresholds, assess
from lmsync.domain.meetings import Meeting
from lmsync.domain.pair_dates import DatedPair, PairsByDate, days_apart
from lmsync.domain.plan import mentor_of_idnumber
from lmsync.moodle.emulator.demo import build_demo_site
from lmsync.service import health
from lmsync.service.jobs import sync_job
from lmsync.service.moodle import open_moodle
from lmsync.store.db import Store
from lmsync.store.meetings import MeetingRepository
from lmsync.store.pairings import PairingHistory

AS_OF = date(2026, 11, 5)
T = Thresholds()  # cadence 14 days: at risk after 35 days of silence, fading after 56
MENTOR, MENTEE = 7, 41


def _met(day: date) -> Meeting:
    return Meeting(day, MENTOR, MENTEE, 45, True, "csv", None)  # type: ignore[arg-type]


def _judge(spans=(), as_of: date = AS_OF, meetings=(date(2026, 9, 8), date(2026, 9, 22))):
    evidence = PairEvidence(MENTOR, MENTEE, date(2026, 9, 1), tuple(map(_met, meetings)), spans=tuple(spans))
    return assess(evidence, T, as_of=as_of)


BREAK = ((date(2026, 9, 1), date(2026, 10, 1)), (date(2026, 11, 5), None))  # away 1 Oct to 4 Nov: 35 days


def test_52_2_a_pair_back_from_a_break_is_not_judged_on_the_days_it_did_not_exist():
    away = _judge()  # the same silence without the break: 44 days
    assert away.status == "at_risk" and away.days_since_meeting == 44
    back = _judge(BREAK)
    assert back.status == "ok" and back.days_since_meeting == 44  # the true figure stays; 9 days paired
    later = _judge(BREAK, as_of=date(2026, 12, 5))  # 74 days, 35 of them apart: 39 paired, at risk (over 35)
    assert later.status == "at_risk"
    assert any("no meeting for 74 days, 35 of them apart" in r.text for r in later.reasons)


def test_54_1_taken_out_and_put_back_within_a_sync_or_away_a_day_does_not_start_the_pair_afresh():
    """A fading pair taken out by hand and put back (or unenrolled and back the next day) read "ok", its
    first-meeting grace started again."""
    never_met = _judge(meetings=())  # 65 days since pairing: fading
    assert never_met.status == "fading"
    same_day = ((date(2026, 9, 1), date(2026, 11, 5)), (date(2026, 11, 5), None))
    assert _judge(same_day, meetings=()).status == "fading"
    one_day = ((date(2026, 9, 1), date(2026, 11, 3)), (date(2026, 11, 4), None))
    judged = _judge(one_day, meetings=())
    assert judged.status == "fading" and not judged.in_grace
    assert any("1 of them apart" in r.text for r in judged.reasons)


def test_days_apart_counts_only_days_after_the_first_span_not_covered():
    assert days_apart((), date(2026, 9, 1), date(2026, 12, 1)) == 0
    assert days_apart(BREAK, date(2026, 9, 22), date(2026, 11, 5)) == 35
    assert days_apart(BREAK, date(2026, 8, 1), date(2026, 9, 30)) == 0  # before the history: the pair's
    assert days_apart(BREAK, date(2026, 11, 6), date(2026, 11, 9)) == 0
    overlapping = ((date(2026, 9, 1), date(2026, 10, 1)), (date(2026, 9, 15), date(2026, 10, 10)))
    assert days_apart(overlapping, date(2026, 9, 1), date(2026, 10, 20)) == 10


def _history(*spans: tuple[date, date | None]) -> PairsByDate:
    return PairsByDate(history=tuple(DatedPair(MENTOR, MENTEE, a, b) for a, b in spans), current=((MENTOR, MENTEE),))


def test_spans_are_the_pairs_own_oldest_first():
    pair = (MENTOR, MENTEE)
    assert _history(*reversed(BREAK)).spans(pair) == BREAK
    assert _history(*BREAK).spans((MENTOR, 99)) == ()


@pytest.fixture
def synced(tmp_path, monkeypatch):
    """The demo course synced into a store (programme mentor-2026): (config, site, store, history, today, stamp);
    ``stamp(n)``: an instant ``n`` days before today."""
    today = datetime.now(UTC).date()
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    path = tmp_path / "lmsync.toml"
    path.write_text('[programme]\nname = "mentor-2026"\npeer_mentor_cohort = "peer-mentors-2026"\n')
    config = load_config(path, environ={})
    site = build_demo_site()
    assert sync_job(config, site=site).converged
    store = Store(config.store_path())
    stamp = lambda days: f"{today - timedelta(days=days)}T09:00:00+00:00"  # noqa: E731
    yield config, site, store, PairingHistory(store, "mentor-2026"), today, stamp
    store.close()


def test_52_2_through_the_service_a_returning_pair_is_judged_from_its_return(synced):
    """The pairing history's spans reach the rules: a mentee away 35 days and back 3 days ago is ok."""
    config, _site, store, history, today, stamp = synced
    mentor, mentee = history.open_pairs()[0]
    store.write(text("DELETE FROM pairing_history WHERE mentee_id = :e"), {"e": mentee})
    circle = f"lmsync:mentor-2026:mentor:{mentor}"
    history.record("add_member", [(circle, mentee)], at=stamp(90))
    history.record("remove_member", [(circle, mentee)], at=stamp(38))  # away (enrolment suspended) ...
    history.record("add_member", [(circle, mentee)], at=stamp(3))  # ... and back with the same mentor
    MeetingRepository(store, "mentor-2026").save(
        (Meeting(today - timedelta(days=d), mentor, mentee, 45, True, "csv"), "test") for d in (80, 66, 52, 45)
    )
    judged = health.assess_pairs(config, store, [(mentor, mentee)], as_of=today).healths
    assert [(h.status, h.days_since_meeting) for h in judged] == [("ok", 45)]
    # tester round 54, 1: a pair that never met, taken out by hand and put back by today's sync, stays fading
    other, never_met = next(p for p in history.open_pairs() if p != (mentor, mentee))
    store.write(text("DELETE FROM pairing_history WHERE mentee_id = :e"), {"e": never_met})
    circle = f"lmsync:mentor-2026:mentor:{other}"
    history.record("add_member", [(circle, never_met)], at=stamp(65))
    assert history.follow_moodle(set(history.open_pairs()) - {(other, never_met)}, at=stamp(0)) == (1, 0)
    history.record("add_member", [(circle, never_met)], at=stamp(0))  # the plan put them back
    (h,) = health.assess_pairs(config, store, [(other, never_met)], as_of=today).healths
    assert (h.status, h.paired_since, h.in_grace) == ("fading", today - timedelta(days=65), False)


def test_54_2_health_as_of_a_past_day_judges_that_days_pairs(synced):
    """`health --as-of` judged today's circles: a pair made after that day, and not the one of that day."""
    config, site, store, history, today, stamp = synced
    now_pair = history.open_pairs()[0]
    mentor, mentee = now_pair
    before = next(m for m, _ in history.open_pairs() if m != mentor)
    store.write(text("DELETE FROM pairing_history"))
    everyone = [(f"lmsync:mentor-2026:mentor:{m}", e) for m, e in sorted(_open(site) - {now_pair})]
    history.record("add_member", everyone, at=stamp(60))
    history.record("add_member", [(f"lmsync:mentor-2026:mentor:{before}", mentee)], at=stamp(60))
    history.record("remove_member", [(f"lmsync:mentor-2026:mentor:{before}", mentee)], at=stamp(20))
    history.record("add_member", [(f"lmsync:mentor-2026:mentor:{mentor}", mentee)], at=stamp(20))
    with open_moodle(config, site=site) as conn:
        then = health.observe_and_assess(conn.api, config, store, as_of=today - timedelta(days=30))
        now = health.observe_and_assess(conn.api, config, store, as_of=today)
    judged_then = {(v.health.mentor_id, v.health.mentee_id) for v in then.pairs}
    assert (before, mentee) in judged_then and now_pair not in judged_then
    assert now_pair in {(v.health.mentor_id, v.health.mentee_id) for v in now.pairs}


def _open(site):
    return {(m, u) for g in site.groups.values() if (m := mentor_of_idnumber("mentor-2026", g.idnumber))
            for u in g.members if u != m}
