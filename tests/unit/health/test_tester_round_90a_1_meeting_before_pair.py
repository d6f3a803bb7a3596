"""Tester round 90a, 1 (harm): a meeting-log response mistyped nine months before its pair was made was kept ("counted in
no grade", as the run said) but was the pair's last meeting to health: eight days after pairing, inside its grace, the
pair was fading ("no meeting for 272 days"), queued, and both people nudged "it's been 38 weeks". Health now leaves out
a meeting dated before its pair began, as the grades do; a pair there on the history's first day (an established
programme's) still counts its meetings from the programme start."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import text

from lmsync.domain.meetings import Meeting
from lmsync.service import health
from lmsync.store.meetings import MeetingRepository
from tests.unit.health.test_resumed_pair import synced as synced  # noqa: F401  (fixture)


def _remade(store, history, stamp, mentor, mentee, days_ago):
    store.write(text("DELETE FROM pairing_history WHERE mentee_id = :e"), {"e": mentee})
    history.record("add_member", [(f"lmsync:mentor-2026:mentor:{mentor}", mentee)], at=stamp(days_ago))


def test_a_meeting_dated_before_the_pair_began_is_not_its_last_meeting(synced):  # noqa: F811
    config, _site, store, history, today, stamp = synced
    mentor, mentee = history.open_pairs()[0]
    store.write(text("UPDATE pairing_history SET joined_at = :at"), {"at": stamp(90)})  # the programme began 90 days ago
    _remade(store, history, stamp, mentor, mentee, 8)  # this pair was made 8 days ago
    MeetingRepository(store, "mentor-2026").save([(Meeting(today - timedelta(days=272), mentor, mentee, 30, True,
                                                           "feedback"), "feedback:1")])
    (judged,) = health.assess_pairs(config, store, [(mentor, mentee)], as_of=today).healths
    assert judged.status == "ok" and judged.in_grace, judged
    assert judged.paired_since == today - timedelta(days=8) and judged.last_meeting is None


def test_an_established_pairs_meeting_from_before_the_history_still_counts(synced, tmp_path):  # noqa: F811
    config, _site, store, history, today, stamp = synced
    path = tmp_path / "lmsync.toml"
    start = today - timedelta(days=120)
    path.write_text(path.read_text() + f"[meetings]\nstart = {start.isoformat()}\n")
    from lmsync.config import load_config

    config = load_config(path, environ={})
    mentor, mentee = history.open_pairs()[0]
    store.write(text("UPDATE pairing_history SET joined_at = :at"), {"at": stamp(30)})  # lmsync came 30 days ago
    met = today - timedelta(days=40)  # they met before lmsync came, after the programme began
    MeetingRepository(store, "mentor-2026").save([(Meeting(met, mentor, mentee, 30, True, "csv"), "test")])
    (judged,) = health.assess_pairs(config, store, [(mentor, mentee)], as_of=today).healths
    assert judged.last_meeting == met
