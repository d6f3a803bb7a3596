"""Tester round 86b, 8: a meeting dated while its mentor's circle was held (their account suspended, the circle
kept as it is for ``[sync] away_mentor_hold_days``) was said to be dated "after the pair ended", as if the pair
were over, where the mentor may well be back next week. The import and ``lmsync meetings add`` now say the
mentor is away and until when the circle is held (the meeting still counts in no grade: the pair's days stop
while the mentor is away, tester round 55, 1)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from lmsync.domain.pair_dates import DatedPair, not_a_pair_on
from lmsync.service.meetings import add_meeting, import_meetings
from tests.flows.test_away_mentor_hold import _circle, _on, _sync
from tests.flows.test_away_mentor_hold import synced as synced  # noqa: F401  (fixture)
from tests.flows.test_grades_flow import Person


def test_round_86b_8_a_meeting_during_a_hold_is_not_dated_after_the_pair_ended(synced, monkeypatch, tmp_path):
    config, site, store, mentor = synced()
    mentee = min(_circle(site, mentor).members - {mentor})
    site.users[mentor].suspended = True  # the account, not the enrolment
    away = datetime.now(UTC).date()  # the pairing history dates its rows by the wall clock
    _on(monkeypatch, away)
    assert _sync(config, site, store).converged  # the hold begins: the circle stays, the pairs' days stop
    held = (f"while its mentor is away (since {away.isoformat()}; their circle is held as it is until "
            f"{(away + timedelta(days=13)).isoformat()}")
    later = away + timedelta(days=3)
    _on(monkeypatch, later)
    people = [Person(u.id, u.username, u.idnumber, u.email) for u in site.users.values()]
    path = tmp_path / "meetings.csv"
    path.write_text(f"date,mentor,mentee,minutes,attended\n{later - timedelta(days=1)},{site.users[mentor].username},"
                    f"{site.users[mentee].username},40,yes\n")
    result = import_meetings(config, path, people=people, store=store, today=later)
    assert result.outside_pair is not None
    count, first, how = result.outside_pair
    assert (count, first) == (1, later - timedelta(days=1))
    assert how.startswith(held) and "ended" not in how
    said: list[str] = []
    add_meeting(config, when=later.isoformat(), mentor=site.users[mentor].username, mentee=site.users[mentee].username,
                minutes="30", attended=None, said=said, people=people, store=store, today=later)
    assert len(said) == 1 and held in said[0] and "ended" not in said[0]


def test_a_day_after_an_ended_pair_without_a_hold_still_reads_ended():
    history = [DatedPair(1, 2, date(2026, 9, 1), date(2026, 10, 1))]
    assert not_a_pair_on(history, (1, 2), date(2026, 10, 4)) == "after the pair ended (2026-10-01)"
    assert not_a_pair_on(history, (1, 2), date(2026, 10, 4), away=(date(2026, 10, 2), date(2026, 10, 15))).startswith(
        "while its mentor is away (since 2026-10-02")
    assert not_a_pair_on(history, (1, 2), date(2026, 8, 4), away=(date(2026, 10, 2), date(2026, 10, 15))) == (
        "before the pair began (2026-09-01)")
