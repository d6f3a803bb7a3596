"""Tester round 129, 1: a role lacking both moodle/course:managegroups and moodle/site:accessallgroups had doctor
fail mod/forum:startdiscussion, which the role held, with the fix "allow mod/forum:startdiscussion":
accessallgroups could not be probed (the course's groups were refused), and only a *failed* capability blocked the
probes that need it. One not probed for want of another now blocks them too, and is named in their skip line."""

from __future__ import annotations

import copy

import pytest
import requests

from lmsync.config import load_config
from lmsync.moodle.api import MoodleApi
from lmsync.moodle.emulator import EMULATOR_URL, EmulatorAdapter
from lmsync.moodle.emulator.demo import DEMO_TOKEN, build_demo_site
from lmsync.moodle.transport import Transport
from lmsync.secrets import Token
from lmsync.service.doctor import run_doctor

START = "mod/forum:startdiscussion"
GROUPS = ("moodle/course:managegroups", "moodle/site:accessallgroups")


@pytest.fixture(scope="module")
def synced(tmp_path_factory):
    """The demo site after one sync (its circles give the group probes an id), and its configuration."""
    from lmsync.service.jobs import sync_job

    root = tmp_path_factory.mktemp("synced129")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_STATE_HOME", str(root / "state"))
        (root / "lmsync.toml").write_text(f'[programme]\nname = "mentor-2026"\n[store]\npath = "{root / "s.db"}"\n')
        config = load_config(root / "lmsync.toml", environ={})
        site = build_demo_site()
        assert sync_job(config, site=site).converged
    return site, config


def _doctor(synced, *taken: str):
    site, config = copy.deepcopy(synced[0]), synced[1]
    site.tokens[DEMO_TOKEN].capabilities.difference_update(taken)
    session = requests.Session()
    session.mount(EMULATOR_URL, EmulatorAdapter(site))
    api = MoodleApi(Transport(EMULATOR_URL, Token(DEMO_TOKEN), session=session, sleep=lambda _s: None))
    return {c.name: c for c in run_doctor(api, config).checks}


def test_a_held_capability_is_not_failed_for_an_unprobed_one_tester_round_129_1(synced):
    checks = _doctor(synced, *GROUPS)
    assert checks[START].status == "skip"
    assert checks[START].detail == ("cannot probe while moodle/site:accessallgroups is missing or cannot be probed "
                                    "(above)")
    assert checks["moodle/course:managegroups"].status == "fail"  # the real missing one, with its fix
    assert "allow moodle/course:managegroups" in (checks["moodle/course:managegroups"].fix or "")
    assert checks["moodle/site:accessallgroups"].status == "skip"
    assert [n for n, c in checks.items() if c.status == "fail"] == ["moodle/course:managegroups"]


def test_one_group_capability_missing_is_said_as_before_tester_round_129_1(synced):
    alone = _doctor(synced, "moodle/site:accessallgroups")
    assert alone[START].detail == "cannot probe while moodle/site:accessallgroups is missing"
    assert alone["moodle/site:accessallgroups"].status == "fail"
    managed = _doctor(synced, "moodle/course:managegroups")
    assert [n for n, c in managed.items() if c.status == "fail"] == ["moodle/course:managegroups"]
