"""Tester round 103b, 1: a mentee whose enrolment (or account) was suspended for a single day lost their mentor for
good: the next sync removed them ("not active in the course") and gave their place to another mentee at once;
restored, they were unmatched, every mentor full. Their place is now held for [sync] away_mentor_hold_days, as an
away mentor's circle is: not removed, not given away, said in one line; restored, nothing changes; after the hold
they are removed as before."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from lmsync.config import load_config
from lmsync.domain.plan import mentor_group_idnumber, mentor_of_idnumber
from lmsync.moodle.emulator.demo import build_demo_site
from lmsync.service import programme_settings
from lmsync.service.emulator_edit import course_of, set_account_suspended, set_suspended
from lmsync.service.moodle import open_moodle
from lmsync.service.sync import run_sync
from lmsync.store.db import Store
from lmsync.store.pairings import PairingHistory

PROGRAMME = "mentoring-2026"


def _on(monkeypatch, day: date) -> None:
    monkeypatch.setattr(programme_settings, "clock", lambda: datetime.combine(day, datetime.min.time(), tzinfo=UTC)
                        + timedelta(hours=12))


def _sync(config, site, store, **kw):
    with open_moodle(config, site=site) as conn:
        return run_sync(conn.api, config, store, **kw)


def _members(site, mentor):
    idnumber = mentor_group_idnumber(PROGRAMME, mentor)
    return next(g.members for g in site.groups.values() if g.idnumber == idnumber)


@pytest.fixture
def programme(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    path = tmp_path / "lmsync.toml"
    path.write_text(f'[programme]\nname = "{PROGRAMME}"\ncourse = "MENTOR-2026"\nforum = "Mentoring circles"\n')
    config = load_config(path, environ={})
    site, store = build_demo_site(), Store.memory()
    _on(monkeypatch, date(2026, 10, 1))
    assert _sync(config, site, store).converged
    mentee = next(u.id for u in site.users.values() if u.username == "s0006")
    mentor = next(m for g in site.groups.values() if mentee in g.members
                  and (m := mentor_of_idnumber(PROGRAMME, g.idnumber)) is not None)
    return config, site, store, mentor, mentee


def _suspend(site, config, user, account, on=True):
    if account:
        set_account_suspended(site, user, on)
    else:
        set_suspended(site, course_of(site, config.programme.course), user, on)


@pytest.mark.parametrize("account", [False, True], ids=["enrolment", "account"])
def test_round_103b_1_a_mentee_suspended_one_day_keeps_their_place(programme, monkeypatch, account):
    config, site, store, mentor, mentee = programme
    members = frozenset(_members(site, mentor))
    _suspend(site, config, mentee, account)
    _on(monkeypatch, date(2026, 10, 2))
    result = _sync(config, site, store)
    ops = result.first_plan.operations
    assert not [op for op in ops if op.kind == "remove_member" and op.user_id == mentee], ops
    circle = mentor_group_idnumber(PROGRAMME, mentor)
    assert not [op for op in ops if op.kind == "add_member" and op.group == circle], "their place was given away"
    assert _members(site, mentor) == members
    said = [w for w in result.first_plan.warnings if w.startswith("kept: ")]
    assert len(said) == 1 and "s0006" in said[0] and "since 2026-10-02" in said[0] and "until 2026-10-15" in said[0]
    assert (mentor, mentee) in PairingHistory(store, PROGRAMME).open_pairs(), "a held mentee stays paired"
    if account:  # the notice of their suspended account says where they are, not "removed from their circle"
        notice = next(n["message"] for n in result.first_plan.warning_items if n.get("code") == "account_suspended")
        assert notice.endswith("stays in their circle, their place held until 2026-10-15 ([sync] away_mentor_hold_days);"
                               " removed from it when the hold ends"), notice
    with open_moodle(config, site=site) as conn:  # `lmsync match` takes the held place as the sync does
        from lmsync.service.pull import _people

        read = _people(conn.api, store, config)
    assert any(w.startswith("kept: ") and "s0006" in w for w in read.warnings)
    _suspend(site, config, mentee, account, on=False)  # restored the next day: their pair continues
    _on(monkeypatch, date(2026, 10, 3))
    back = _sync(config, site, store)
    assert not back.first_plan.operations and _members(site, mentor) == members
    rows = [p for p in PairingHistory(store, PROGRAMME).history() if (p.mentor_id, p.mentee_id) == (mentor, mentee)]
    assert [p.left_at for p in rows] == [None], "the pair was ended and begun again"
    assert not [w for w in back.first_plan.warnings if w.startswith("kept: ")]


def test_round_103b_1_after_the_hold_the_mentee_is_removed_as_before(programme, monkeypatch):
    config, site, store, mentor, mentee = programme
    _suspend(site, config, mentee, account=False)
    _on(monkeypatch, date(2026, 10, 2))
    _sync(config, site, store)
    _on(monkeypatch, date(2026, 10, 15))  # the 14th day of the hold
    assert not [op for op in _sync(config, site, store).first_plan.operations if op.kind == "remove_member"]
    assert mentee in _members(site, mentor)
    _on(monkeypatch, date(2026, 10, 16))
    after = _sync(config, site, store)
    removed = [op for op in after.first_plan.operations if op.kind == "remove_member"]
    assert [op.user_id for op in removed] == [mentee]
    assert "their place was held until 2026-10-15 ([sync] away_mentor_hold_days)" in removed[0].reason
    assert mentee not in _members(site, mentor)


def test_round_103b_1_a_run_says_the_places_held(tmp_path, monkeypatch):
    """`lmsync run`'s sync line said "in sync" and nothing of a place held for a mentee away, which `lmsync plan`
    and `lmsync sync` say in a "kept: ..." line: it says how many, as it says circles held for an away mentor."""
    from lmsync.service.cycle import cycle_job

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    path = tmp_path / "lmsync.toml"
    path.write_text(f'[programme]\nname = "{PROGRAMME}"\ncourse = "MENTOR-2026"\nforum = "Mentoring circles"\n')
    config = load_config(path, environ={})
    site = build_demo_site()
    _on(monkeypatch, date(2026, 10, 1))
    first = cycle_job(config, site=site, steps=("sync",)).step("sync")
    assert first.state == "ok" and "held while" not in first.summary, first.summary
    mentee = next(u.id for u in site.users.values() if u.username == "s0006")
    set_suspended(site, course_of(site, config.programme.course), mentee, True)
    _on(monkeypatch, date(2026, 10, 2))
    step = cycle_job(config, site=site, steps=("sync",)).step("sync")
    assert step.state == "ok" and step.summary.endswith("; in sync"), step.summary
    assert "; 1 place(s) held while their mentee is away (`lmsync plan` says until when)" in step.summary
    assert step.counts["places_held_mentee_away"] == 1 and "circles_held_mentor_away" not in step.counts
