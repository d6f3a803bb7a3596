"""Tester round 53, 1: a mentor's enrolment suspended for a week's leave made the next sync re-match their
whole circle, unattended; restored, their circle stayed empty. A circle whose mentor is away is held as it
is for [sync] away_mentor_hold_days from the first sync that found them away, then re-matched."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from lmsync.config import load_config
from lmsync.domain.plan import mentor_group_idnumber, mentor_of_idnumber
from lmsync.moodle.emulator.demo import build_demo_site
from lmsync.service import programme_settings
from lmsync.service.emulator_edit import course_of, set_suspended, unenrol
from lmsync.service.moodle import open_moodle
from lmsync.service.sync import run_sync
from lmsync.store.absences import MentorAbsences
from lmsync.store.db import Store
from lmsync.store.pairings import PairingHistory

PROGRAMME = "mentor-2026"


def _config(tmp_path, monkeypatch, extra=""):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    path = tmp_path / "lmsync.toml"
    path.write_text(f'[programme]\nname = "{PROGRAMME}"\npeer_mentor_cohort = "peer-mentors-2026"\n' + extra)
    return load_config(path, environ={})


def _on(monkeypatch, day: date) -> None:
    monkeypatch.setattr(programme_settings, "clock", lambda: datetime.combine(day, datetime.min.time(), tzinfo=UTC)
                        + timedelta(hours=12))


def _sync(config, site, store, **kw):
    with open_moodle(config, site=site) as conn:
        return run_sync(conn.api, config, store, **kw)


def _circle(site, mentor):
    return next(g for g in site.groups.values() if g.idnumber == mentor_group_idnumber(PROGRAMME, mentor))


@pytest.fixture
def synced(tmp_path, monkeypatch):
    def make(extra=""):
        config = _config(tmp_path, monkeypatch, extra)
        site, store = build_demo_site(), Store.memory()
        _on(monkeypatch, date(2026, 10, 1))
        assert _sync(config, site, store).converged
        mentor = min(m for g in site.groups.values() if (m := mentor_of_idnumber(PROGRAMME, g.idnumber))
                     and site.users[m].username.startswith("m") and len(g.members) > 2)
        return config, site, store, mentor

    return make


def test_round_53_1_a_mentor_on_a_weeks_leave_finds_their_circle_as_they_left_it(synced, monkeypatch):
    config, site, store, mentor = synced()
    members = frozenset(_circle(site, mentor).members)
    course = course_of(site, config.programme.course)
    set_suspended(site, course, mentor, True)
    _on(monkeypatch, date(2026, 10, 2))
    dry = _sync(config, site, store, dry_run=True)
    assert MentorAbsences(store, PROGRAMME).since() == {}, "a dry run wrote"
    assert any("held as it is" in w and "2026-10-15" in w for w in dry.first_plan.warnings)
    result = _sync(config, site, store)
    assert result.converged and not result.first_plan.operations, "the circle was not held"
    assert _circle(site, mentor).members == members
    assert MentorAbsences(store, PROGRAMME).since() == {mentor: date(2026, 10, 2)}
    with open_moodle(config, site=site) as conn:  # `lmsync match` shows what the next sync does: none matched anew
        from lmsync.service.pull import _people

        matched = {p.moodle_id for p in _people(conn.api, store, config).people.persons}
    assert not matched & (members - {mentor})
    _on(monkeypatch, date(2026, 10, 9))
    assert not _sync(config, site, store).first_plan.operations  # the count runs from the first day
    assert MentorAbsences(store, PROGRAMME).since() == {mentor: date(2026, 10, 2)}
    history = PairingHistory(store, PROGRAMME)
    mentees = members - {mentor}
    assert not {e for m, e in history.open_pairs() if m == mentor}, "pairs of an away mentor still open"
    set_suspended(site, course, mentor, False)
    back = _sync(config, site, store)
    assert not back.first_plan.operations and _circle(site, mentor).members == members
    assert MentorAbsences(store, PROGRAMME).since() == {}, "a mentor back is forgotten"
    # tester round 55, 1: the leave is a gap in each pair's history, which health leaves out of a silence
    assert {e for m, e in history.open_pairs() if m == mentor} == mentees
    for mentee in mentees:
        rows = [p.left_at is None for p in history.history() if (p.mentor_id, p.mentee_id) == (mentor, mentee)]
        assert rows == [False, True], rows


def test_round_53_1_after_the_hold_the_circle_is_re_matched(synced, monkeypatch):
    config, site, store, mentor = synced()
    mentees = _circle(site, mentor).members - {mentor}
    unenrol(site, course_of(site, config.programme.course), mentor)
    _on(monkeypatch, date(2026, 10, 2))
    _sync(config, site, store)
    assert _circle(site, mentor).members == mentees
    _on(monkeypatch, date(2026, 10, 15))  # the 14th day of the hold
    assert not _sync(config, site, store).first_plan.operations
    _on(monkeypatch, date(2026, 10, 16))
    after = _sync(config, site, store)
    removed = {op.user_id for op in after.first_plan.operations if op.kind == "remove_member"}
    assert removed == mentees and not _circle(site, mentor).members
    # round 55, 5: the removal says the hold is over, not only that the mentor is not active
    reasons = {op.reason for op in after.first_plan.operations if op.kind == "remove_member"}
    assert reasons and all("their circle was held until 2026-10-15 ([sync] away_mentor_hold_days)" in r
                           for r in reasons), reasons
    last = _sync(config, site, store)  # the next sync sees the circle empty: nothing held any more
    assert not last.first_plan.operations and not last.first_plan.signals.circles_held
    # but the mentor, still away, is not taken for back: their absence stays recorded (tester round 109a, 2)
    assert MentorAbsences(store, PROGRAMME).since() == {mentor: date(2026, 10, 2)}


def test_round_53_1_a_hold_of_0_days_re_matches_at_once(synced, monkeypatch):
    config, site, store, mentor = synced("[sync]\naway_mentor_hold_days = 0\n")
    mentees = _circle(site, mentor).members - {mentor}
    set_suspended(site, course_of(site, config.programme.course), mentor, True)
    result = _sync(config, site, store)
    assert {op.user_id for op in result.first_plan.operations if op.kind == "remove_member"} == mentees
    assert not any("held until" in op.reason for op in result.first_plan.operations)  # no hold, none ended


def test_round_55_6_a_hold_too_long_for_a_calendar_is_a_configuration_error(tmp_path, monkeypatch):
    """away_mentor_hold_days = 3000000 ended in a traceback (date value out of range) at the plan."""
    from lmsync.errors import ConfigError

    with pytest.raises(ConfigError) as info:
        _config(tmp_path, monkeypatch, "[sync]\naway_mentor_hold_days = 3000000\n")
    assert "away_mentor_hold_days" in str(info.value)
