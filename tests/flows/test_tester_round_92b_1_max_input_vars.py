"""Tester round 92b, 1: a Moodle site whose PHP ``max_input_vars`` (60 here) is below lmsync's batch budget
(``[moodle] batch_budget``, 2000) silently loses the tail of every large POST. ``lmsync doctor`` passed but
for "13 accounts have an account state unknown"; ``lmsync sync`` created 15 of 20 groups and died on a
``KeyError`` traceback (exit 1); ``lmsync run`` said "sync failed ... KeyError" (exit 1: a daemon backs off
and retries); later runs recorded pairings that closed a second after they opened (members cut off).

Now doctor proves with one harmless read (core_user_get_users_by_field, a full batch whose last value is
lmsync's own user id) that a full batch reaches Moodle whole, and fails naming the fix; the sync refuses
before its first write (exit 2, nothing written, nothing in the pairing history); once the site is fixed
the sync converges and no pairing opens and closes at once.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests

from lmsync.config import load_config
from lmsync.domain.plan import mentor_of_idnumber
from lmsync.moodle.api import MoodleApi
from lmsync.moodle.emulator import EMULATOR_URL, EmulatorAdapter
from lmsync.moodle.emulator.demo import DEMO_TOKEN, build_demo_site
from lmsync.moodle.emulator.state import Site
from lmsync.moodle.errors import InvalidParameter
from lmsync.moodle.transport import Transport
from lmsync.secrets import Token
from lmsync.service.doctor import run_doctor
from lmsync.service.moodle import open_moodle
from lmsync.service.sync import run_sync
from lmsync.store.db import Store
from lmsync.store.journal import Journal
from lmsync.store.pairings import PairingHistory
from tests.flows.conftest import demo_config, run_in

PROGRAMME = "mentor-2026"
LOW = 60  # the tester's site


def api_on(site: Site, budget: int = 2000) -> MoodleApi:
    session = requests.Session()
    session.mount(EMULATOR_URL, EmulatorAdapter(site))
    return MoodleApi(Transport(EMULATOR_URL, Token(DEMO_TOKEN), session=session, sleep=lambda _s: None, budget=budget))


def low_site() -> Site:
    site = build_demo_site()
    site.max_input_vars = LOW
    return site


def circles(site: Site) -> list[Any]:
    return [g for g in site.groups.values() if mentor_of_idnumber(PROGRAMME, g.idnumber) is not None]


# --- the emulator answers the probe as Moodle does -------------------------------------------------------


def test_the_emulator_answers_ids_that_match_nobody_as_moodle_does():
    site = build_demo_site()
    api = api_on(site)
    me = api.get_site_info().userid
    rows = api.transport.call("core_user_get_users_by_field", {"field": "id", "values": [0, -1, 999999, me]})
    assert [row["id"] for row in rows] == [me], "0, -1 and unknown ids are left out silently (recorded by-id)"
    with pytest.raises(InvalidParameter):  # PARAM_INT cleaning changes "abc": Moodle refuses it
        api.transport.call("core_user_get_users_by_field", {"field": "id", "values": ["abc"]})


def test_the_probe_sees_the_cut_on_the_emulator_and_not_without_it():
    from lmsync.moodle.input_vars import probe_full_batch

    whole = probe_full_batch(api_on(build_demo_site()))
    assert whole.whole and whole.variables == 2000
    cut = probe_full_batch(api_on(low_site()))
    assert not cut.whole and cut.variables == 2000
    assert probe_full_batch(api_on(low_site(), budget=LOW)).whole, "PHP keeps max_input_vars + 1: token and 60"
    assert not probe_full_batch(api_on(low_site(), budget=LOW + 1)).whole


# --- doctor ------------------------------------------------------------------------------------------------


@pytest.fixture
def config(tmp_path, monkeypatch):
    return demo_config(tmp_path, monkeypatch)  # the demo course's programme, PROGRAMME


def test_doctor_fails_a_site_that_cuts_a_full_batch_and_names_the_fix(config):
    report = run_doctor(api_on(low_site()), config)
    (check,) = [c for c in report.checks if c.name == "request size"]
    assert check.status == "fail" and report.exit_code == 2
    assert "2000 form variables" in check.detail and "max_input_vars" in check.detail
    assert "[moodle] batch_budget" in (check.fix or "") and "at least 5000" in (check.fix or "")
    unknown = [c for c in report.checks if c.name == "people: account_state_unknown"]
    assert all("max_input_vars" in (c.fix or "") for c in unknown), "not 'grant moodle/user:viewdetails'"


def test_doctor_passes_the_same_site_once_fixed(config):
    report = run_doctor(api_on(build_demo_site()), config)
    (check,) = [c for c in report.checks if c.name == "request size"]
    assert check.status == "ok" and report.exit_code == 0


# --- the reproduction ----------------------------------------------------------------------------------------


def test_the_reproduction_refuses_before_writing_and_converges_once_the_site_is_fixed(demo_home):
    state = load_config(demo_home / "lmsync.toml", environ={}).emulator_state_path()
    site = Site.load(state)
    site.max_input_vars = LOW
    site.save(state)

    doctor = run_in(demo_home, "doctor")
    assert doctor.exit_code == 2 and "[FAIL] request size" in doctor.output

    synced = run_in(demo_home, "sync")
    assert synced.exit_code == 2, synced.output
    assert "KeyError" not in synced.output and "Traceback" not in synced.output
    assert "max_input_vars" in synced.output and "[moodle] batch_budget" in synced.output
    assert "lmsync wrote nothing" in synced.output

    run = run_in(demo_home, "--log-format", "json", "run")
    assert run.exit_code == 2, "an admin must act: a daemon must not back off and retry"
    steps = [json.loads(line) for line in run.output.splitlines() if line.startswith("{") and '"summary"' in line]
    (sync_step,) = [s for s in steps if s.get("step") == "sync"]
    assert sync_step["exit_code"] == 2 and sync_step["error"] == "RequestCut" and "KeyError" not in run.output
    assert circles(Site.load(state)) == [], "nothing written to Moodle"

    config = load_config(demo_home / "lmsync.toml", environ={})
    store = Store(config.store_path())
    assert PairingHistory(store, PROGRAMME).history() == []
    assert Journal(store, PROGRAMME).entries() == []
    store.close()

    site = Site.load(state)
    site.max_input_vars = 5000  # the admin raised it
    site.save(state)
    assert run_in(demo_home, "sync").exit_code == 0
    assert run_in(demo_home, "sync").exit_code == 0
    store = Store(config.store_path())
    rows = PairingHistory(store, PROGRAMME).history()
    store.close()
    assert rows and all(r.left_at is None for r in rows), "no pairing opened and closed at once"


def test_without_the_probe_a_cut_create_is_an_admin_error_and_its_groups_stay_lmsyncs(config):
    """The sync family built without ``check_batches`` (as the benchmarks build it): the cut create_groups
    answer stops the run (exit 2) before any member is sent; the groups Moodle did create are lmsync's
    circles, found again once the site is fixed, with no pairing opened and closed at once."""
    from lmsync.moodle.errors import RequestCut
    from lmsync.service.apply import Applier, SyncFamily
    from lmsync.service.executor import Executor
    from lmsync.service.sync import grouping_ids, make_plan

    site, store = low_site(), Store.memory()
    with open_moodle(config, site=site) as conn:
        planned = make_plan(conn.api, config, journal=Journal(store, PROGRAMME))
        obs = planned.snapshot.observation
        family = SyncFamily(conn.api, Journal(store, PROGRAMME), course_id=obs.course_id, group_ids={},
                            grouping_ids=grouping_ids(config, obs), forum_id=obs.forum_id)
        with pytest.raises(RequestCut) as caught:
            Applier(Executor(family, run_id="r", budget=config.moodle.batch_budget)).apply(planned.plan)
    assert caught.value.exit_code == 2 and 0 < caught.value.answered < caught.value.sent
    made = circles(site)
    assert made and all(not g.members for g in made), "no member sent after the cut"
    proof = Journal(store, PROGRAMME).circle_proof()
    assert {g.idnumber for g in made} == set(proof.recorded), "the groups Moodle created are recorded as lmsync's"

    site.max_input_vars = 5000
    with open_moodle(config, site=site) as conn:
        result = run_sync(conn.api, config, store)
    assert result.converged and result.disowned == 0
    rows = PairingHistory(store, PROGRAMME).history()
    assert rows and all(r.left_at is None for r in rows)
