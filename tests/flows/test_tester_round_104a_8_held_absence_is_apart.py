"""Tester round 104a, 8: a mentee whose enrolment (or account) is suspended keeps their place in their circle for
``[sync] away_mentor_hold_days`` (tester round 103b, 1), and health leaves their pair out meanwhile; but once they
were back, the days they were away counted toward the silence rules: a mentee back from a three-week suspension
was at risk at once, and fading soon after, for the silence while they were away. The days of a held absence are
now left out as a break's are ("no meeting for N days, M of them apart"), and the first-meeting grace does not run
out while the mentee is away."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from lmsync.config import load_config
from lmsync.domain.meetings import Meeting
from lmsync.domain.plan import mentor_of_idnumber
from lmsync.moodle.emulator.demo import build_demo_site
from lmsync.service import programme_settings
from lmsync.service.emulator_edit import course_of, set_account_suspended, set_suspended
from lmsync.service.health import observe_and_assess
from lmsync.service.moodle import open_moodle
from lmsync.service.sync import run_sync
from lmsync.store import pairings
from lmsync.store.db import Store
from lmsync.store.meetings import MeetingRepository
from lmsync.store.pairings import PairingHistory

PROGRAMME = "mentoring-2026"


def _on(monkeypatch, day: date) -> None:
    """Noon UTC on ``day`` for the clock, and for the instants the pairing history records."""
    noon = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=12)
    monkeypatch.setattr(programme_settings, "clock", lambda: noon)
    monkeypatch.setattr(pairings, "now_iso", lambda timespec="seconds": noon.isoformat(timespec=timespec))


def _sync(config, site, store, monkeypatch, day: date):
    _on(monkeypatch, day)
    with open_moodle(config, site=site) as conn:
        return run_sync(conn.api, config, store)


def _health(config, site, store, monkeypatch, day: date, pair: tuple[int, int]):
    """The pair's health judged on ``day`` (None: left out)."""
    _on(monkeypatch, day)
    with open_moodle(config, site=site) as conn:
        assessment = observe_and_assess(conn.api, config, store, as_of=day)
    return next((v.health for v in assessment.pairs if (v.health.mentor_id, v.health.mentee_id) == pair), None)


def _suspend(site, config, user, account, on=True):
    if account:
        set_account_suspended(site, user, on)
    else:
        set_suspended(site, course_of(site, config.programme.course), user, on)


@pytest.fixture
def programme(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    path = tmp_path / "lmsync.toml"
    path.write_text(f'[programme]\nname = "{PROGRAMME}"\ncourse = "MENTOR-2026"\nforum = "Mentoring circles"\n'
                    "[sync]\naway_mentor_hold_days = 35\n")
    config = load_config(path, environ={})
    site, store = build_demo_site(), Store.memory()
    assert _sync(config, site, store, monkeypatch, date(2026, 10, 1)).converged
    mentee = next(u.id for u in site.users.values() if u.username == "s0006")
    mentor = next(m for g in site.groups.values() if mentee in g.members
                  and (m := mentor_of_idnumber(PROGRAMME, g.idnumber)) is not None)
    return config, site, store, mentor, mentee


def _away_three_weeks_and_back(programme, monkeypatch, account: bool, *, sync_when_back: bool = True) -> None:
    """Suspended from 3 Oct (the first sync that finds them away), held over weekly syncs, restored on 31 Oct."""
    config, site, store, mentor, mentee = programme
    _suspend(site, config, mentee, account)
    for day in (date(2026, 10, 3), date(2026, 10, 10), date(2026, 10, 17), date(2026, 10, 24)):
        _sync(config, site, store, monkeypatch, day)
        assert _health(config, site, store, monkeypatch, day, (mentor, mentee)) is None, "a held pair is left out"
    _suspend(site, config, mentee, account, on=False)
    if sync_when_back:
        assert not _sync(config, site, store, monkeypatch, date(2026, 10, 31)).first_plan.operations
    rows = [p for p in PairingHistory(store, PROGRAMME).history() if (p.mentor_id, p.mentee_id) == (mentor, mentee)]
    assert [p.left_at for p in rows] == [None], "the held pair stays one pairing"


@pytest.mark.parametrize("account", [False, True], ids=["enrolment", "account"])
def test_round_104a_8_the_days_a_held_mentee_was_away_are_left_out_of_the_silence(programme, monkeypatch, account):
    config, site, store, mentor, mentee = programme
    pair = (mentor, mentee)
    MeetingRepository(store, PROGRAMME).save([(Meeting(date(2026, 10, 2), mentor, mentee, 45, True, "csv"), "m.csv:2")])
    _away_three_weeks_and_back(programme, monkeypatch, account)
    back = _health(config, site, store, monkeypatch, date(2026, 11, 10), pair)
    assert back is not None and back.days_since_meeting == 39  # the true figure stays; 28 of them away
    assert back.status == "ok", back.reasons  # 11 days together: not at risk for a silence over 35
    later = _health(config, site, store, monkeypatch, date(2026, 12, 1), pair)
    assert later is not None and later.status == "watch", later.reasons  # 32 days together, not fading for 60
    [silence] = [r for r in later.reasons if r.code == "no_meeting"]
    assert silence.text.startswith("no meeting for 60 days, 28 of them apart"), silence.text


def test_round_104a_8_judged_before_the_sync_that_sees_them_back(programme, monkeypatch):
    """`lmsync health` run before any sync since the mentee came back: the store still holds their absence open."""
    config, site, store, mentor, mentee = programme
    MeetingRepository(store, PROGRAMME).save([(Meeting(date(2026, 10, 2), mentor, mentee, 45, True, "csv"), "m.csv:2")])
    _away_three_weeks_and_back(programme, monkeypatch, account=False, sync_when_back=False)
    judged = _health(config, site, store, monkeypatch, date(2026, 10, 31), (mentor, mentee))
    assert judged is not None and judged.days_since_meeting == 29 and judged.status == "ok", judged


def test_round_104a_8_the_first_meeting_grace_does_not_run_out_while_away(programme, monkeypatch):
    config, site, store, mentor, mentee = programme
    _away_three_weeks_and_back(programme, monkeypatch, account=False)
    judged = _health(config, site, store, monkeypatch, date(2026, 11, 5), (mentor, mentee))
    # paired 1 Oct, away 3 to 31 Oct: 7 days together, within the 21 days' grace (old: 35 days, at risk)
    assert judged is not None and judged.status == "ok" and judged.in_grace, judged
