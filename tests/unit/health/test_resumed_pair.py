"""Tester round 52, 2: a mentee back from a break (enrolment suspended or ended, then back with the same
mentor) was fading the day they came back ("no meeting for 44 days"), queued and nudged: the silence
counted the days the pair did not exist. It is judged from the pair's return; the true days since the
last meeting are still said."""

from __future__ import annotations

from datetime import date, timedelta

from lmsync.domain.health import PairEvidence, Thresholds, assess
from lmsync.domain.meetings import Meeting
from lmsync.domain.pair_dates import DatedPair, PairsByDate

AS_OF = date(2026, 11, 5)
T = Thresholds()  # cadence 14 days: at risk after 35 days of silence, fading after 56
MENTOR, MENTEE = 7, 41


def _met(day: date) -> Meeting:
    return Meeting(day, MENTOR, MENTEE, 45, True, "csv", None)  # type: ignore[arg-type]


def _judge(resumed_on: date | None, as_of: date = AS_OF):
    meetings = (_met(date(2026, 9, 8)), _met(date(2026, 9, 22)))
    evidence = PairEvidence(MENTOR, MENTEE, resumed_on or date(2026, 9, 1), meetings, resumed_on=resumed_on)
    return assess(evidence, T, as_of=as_of)


def test_52_2_a_pair_back_from_a_break_is_not_judged_on_the_days_it_did_not_exist():
    away = _judge(None)  # the same silence without the break: 44 days
    assert away.status == "at_risk" and away.days_since_meeting == 44
    back = _judge(date(2026, 11, 5))
    assert back.status == "ok" and back.days_since_meeting == 44  # the true figure stays
    later = _judge(date(2026, 11, 5), as_of=date(2026, 11, 5) + timedelta(days=40))  # silent again since
    assert later.status == "at_risk"
    assert any("40 since the pair resumed" in r.text for r in later.reasons)


def test_a_return_before_the_last_meeting_changes_nothing():
    assert _judge(date(2026, 9, 10)).status == _judge(None).status == "at_risk"


def _history(*spans: tuple[date, date | None]) -> PairsByDate:
    return PairsByDate(history=tuple(DatedPair(MENTOR, MENTEE, a, b) for a, b in spans), current=((MENTOR, MENTEE),))


def test_resumed_is_the_start_of_a_span_after_a_gap_only():
    pair = (MENTOR, MENTEE)
    assert _history((date(2026, 9, 1), None)).resumed(pair) is None
    assert _history((date(2026, 9, 1), date(2026, 10, 1)), (date(2026, 11, 5), None)).resumed(pair) == date(2026, 11, 5)
    # taken out and put back within one sync: no day without the pair
    assert _history((date(2026, 9, 1), date(2026, 10, 1)), (date(2026, 10, 1), None)).resumed(pair) is None
    assert _history((date(2026, 9, 1), date(2026, 10, 1))).resumed(pair) is None
    assert _history((date(2026, 9, 1), date(2026, 10, 1)), (date(2026, 11, 5), None)).resumed((MENTOR, 99)) is None


def test_52_2_through_the_service_a_returning_pair_is_judged_from_its_return(tmp_path, monkeypatch):
    """The pairing history's spans reach the rules: a mentee away 35 days and back 3 days ago is ok."""
    from datetime import UTC, datetime

    from sqlalchemy import text

    from lmsync.config import load_config
    from lmsync.moodle.emulator.demo import build_demo_site
    from lmsync.service import health
    from lmsync.service.jobs import sync_job
    from lmsync.store.db import Store
    from lmsync.store.meetings import MeetingRepository
    from lmsync.store.pairings import PairingHistory

    today = datetime.now(UTC).date()
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    path = tmp_path / "lmsync.toml"
    path.write_text('[programme]\nname = "mentor-2026"\npeer_mentor_cohort = "peer-mentors-2026"\n')
    config = load_config(path, environ={})
    assert sync_job(config, site=build_demo_site()).converged
    store = Store(config.store_path())
    mentor, mentee = PairingHistory(store, "mentor-2026").open_pairs()[0]
    store.write(text("DELETE FROM pairing_history WHERE mentee_id = :e"), {"e": mentee})
    history = PairingHistory(store, "mentor-2026")
    circle = f"lmsync:mentor-2026:mentor:{mentor}"
    stamp = lambda days: f"{today - timedelta(days=days)}T09:00:00+00:00"  # noqa: E731
    history.record("add_member", [(circle, mentee)], at=stamp(90))
    history.record("remove_member", [(circle, mentee)], at=stamp(38))  # away (enrolment suspended) ...
    history.record("add_member", [(circle, mentee)], at=stamp(3))  # ... and back with the same mentor
    MeetingRepository(store, "mentor-2026").save(
        (Meeting(today - timedelta(days=d), mentor, mentee, 45, True, "csv"), "test") for d in (80, 66, 52, 45)
    )
    judged = health.assess_pairs(config, store, [(mentor, mentee)], as_of=today).healths
    store.close()
    assert [(h.status, h.days_since_meeting) for h in judged] == [("ok", 45)]
