"""A Feedback response is dated the programme's day it was submitted, not the UTC day (tester round 43).

Everything else lmsync dates (imports, erasures, pairings, health) is the programme's local day;
Feedback responses took the UTC day, so at 22:35 UTC an Auckland meeting logged "today" was
stored as yesterday's, and an answer given on the day of an erasure carried the day before it.
Stores that read Feedback under UTC days are re-dated by the next read, and the removal guard
does not take a day's shift for a loss (the read was refused, and the run's later steps skipped).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from lmsync.config import load_config
from lmsync.domain.plan import mentor_of_idnumber
from lmsync.moodle.emulator.demo import build_demo_site
from lmsync.moodle.emulator.records import FeedbackCompleted
from lmsync.service.cycle import cycle_job
from lmsync.store.db import Store
from lmsync.store.meetings import MeetingRepository

PROGRAMME = "mentor-2026"
LATE = datetime(2026, 12, 2, 22, 35, tzinfo=UTC)  # 2026-12-03 11:35 in Auckland (daylight time)


def config_in(tmp_path, zone: str):
    path = tmp_path / "lmsync.toml"
    path.write_text(
        f'[programme]\nname = "{PROGRAMME}"\npeer_mentor_cohort = "peer-mentors-2026"\ntimezone = "{zone}"\n'
        '[meetings]\nfeedback = "Meeting log"\n[meetings.items]\nminutes = "meeting_minutes"\n'
    )
    return load_config(path, environ={})


def stored_days(config) -> list[date]:
    store = Store(config.store_path())
    try:
        return sorted({m.meeting.date for m in MeetingRepository(store, PROGRAMME).find(source="feedback")})
    finally:
        store.close()


def test_a_late_utc_response_is_the_programme_s_next_day_and_an_older_utc_dated_store_is_re_dated(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    site = build_demo_site()
    utc = config_in(tmp_path, "UTC")
    assert cycle_job(utc, site=site, now=LATE - timedelta(days=2), as_of=date(2026, 11, 30)).step("sync").state == "ok"
    mentees = sorted(m for g in site.groups.values() if (mentor := mentor_of_idnumber(PROGRAMME, g.idnumber)) is not None
                     for m in g.members if m != mentor)
    log = next(f for f in site.feedbacks.values() if f.name == "Meeting log")
    log.completeds[:] = [FeedbackCompleted(700 + n, uid, int(LATE.timestamp()), {7: "45"}) for n, uid in enumerate(mentees)]
    # as an older lmsync stored them: the UTC day
    first = cycle_job(utc, site=site, now=LATE, as_of=date(2026, 12, 2))
    assert first.step("feedback").state == "ok", first.step("feedback").summary
    assert stored_days(utc) == [date(2026, 12, 2)]
    # the programme's day, in Auckland: every row re-dated, nothing refused, nothing lost
    auckland = config_in(tmp_path, "Pacific/Auckland")
    again = cycle_job(auckland, site=site, now=LATE, as_of=date(2026, 12, 3))
    feedback = again.step("feedback")
    assert feedback.state == "ok", feedback.summary
    assert stored_days(auckland) == [date(2026, 12, 3)]
    store = Store(auckland.store_path())
    try:
        assert len(MeetingRepository(store, PROGRAMME).find(source="feedback")) >= 10
    finally:
        store.close()
