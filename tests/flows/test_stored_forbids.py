"""A coordinator's "not a good fit" mark in the store never stops the programme's syncs
(tester round 10): not once the mentee has left, and not when the pair is pinned in lmsync.toml."""

from __future__ import annotations

from datetime import date

import pytest

from lmsync.config import load_config
from lmsync.domain.plan import mentor_of_idnumber
from lmsync.moodle.emulator.demo import build_demo_site
from lmsync.service.jobs import sync_job
from lmsync.store.db import Store
from lmsync.store.forbids import PairForbids

PROGRAMME = "mentor-2026"
COURSE = 2


def configured(tmp_path, monkeypatch, extra=""):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    path = tmp_path / "lmsync.toml"
    path.write_text(f'[programme]\nname = "{PROGRAMME}"\npeer_mentor_cohort = "peer-mentors-2026"\n{extra}')
    return load_config(path, environ={})


def a_pair(site):
    circle = min((g for g in site.groups.values() if mentor_of_idnumber(PROGRAMME, g.idnumber)
                  and site.courses[COURSE].enrolments[mentor_of_idnumber(PROGRAMME, g.idnumber) or 0].role != "student"),
                 key=lambda g: g.id)
    mentor = mentor_of_idnumber(PROGRAMME, circle.idnumber)
    return mentor, min(circle.members - {mentor})


def mark(config, mentor, mentee):
    store = Store(config.store_path())
    try:
        assert PairForbids(store, PROGRAMME).mark((mentor, mentee), source="queue", on=date(2026, 10, 1))
    finally:
        store.close()


def circles_of(site, user):
    return [g.idnumber for g in site.groups.values() if mentor_of_idnumber(PROGRAMME, g.idnumber) and user in g.members]


def test_round_10_1_a_mark_about_a_mentee_who_left_does_not_stop_the_sync(tmp_path, monkeypatch):
    config = configured(tmp_path, monkeypatch, "[sync]\naway_mentor_hold_days = 0\n")  # left: no place held (103b, 1)
    site = build_demo_site()
    sync_job(config, site=site)
    mentor, mentee = a_pair(site)
    mark(config, mentor, mentee)
    assert sync_job(config, site=site).converged
    assert circles_of(site, mentee) and f"{PROGRAMME}:mentor:{mentor}" not in circles_of(site, mentee)[0]  # re-matched
    site.courses[COURSE].enrolments[mentee].suspended = True  # the mentee leaves
    result = sync_job(config, site=site)  # was: "[matching] forbid ...: nobody in the programme has ..." (exit 2)
    assert result.converged and circles_of(site, mentee) == []
    store = Store(config.store_path())
    try:
        assert (mentor, mentee) in PairForbids(store, PROGRAMME).pairs()  # the mark is kept: it holds if they return
    finally:
        store.close()


def test_round_10_2_a_pin_keeps_a_pair_marked_not_a_good_fit_and_the_plan_says_how_to_let_it_go(tmp_path, monkeypatch):
    site = build_demo_site()
    config = configured(tmp_path, monkeypatch)
    sync_job(config, site=site)
    mentor, mentee = a_pair(site)
    names = {u.id: u.username for u in site.users.values()}
    config = configured(tmp_path, monkeypatch, f'\n[matching]\npins = [["{names[mentee]}", "{names[mentor]}"]]\n')
    mark(config, mentor, mentee)
    result = sync_job(config, site=site)  # was: "[matching] pins: pin ... contradicts a forbid" (exit 2)
    assert result.converged
    assert circles_of(site, mentee) == [f"lmsync:{PROGRAMME}:mentor:{mentor}"]
    assert [w for w in result.first_plan.warnings if "not a good fit" in w] == [
        f"a coordinator marked {names[mentee]} -> {names[mentor]} not a good fit (or [matching] forbids names the pair "
        "by Moodle id), but [matching] pins keeps the pair: remove the pin ([matching] pins) to re-match them"
    ]


def test_round_10_a_forbid_written_in_lmsync_toml_naming_nobody_is_still_an_error(tmp_path, monkeypatch):
    from lmsync.errors import ConfigError

    config = configured(tmp_path, monkeypatch, '\n[matching]\nforbids = [["s9999", "m0001"]]\n')
    with pytest.raises(ConfigError, match="nobody in the programme or on the Moodle site has the username, idnumber, email or id 's9999'"):
        sync_job(config, site=build_demo_site())
