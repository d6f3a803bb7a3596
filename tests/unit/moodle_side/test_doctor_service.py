"""``lmsync doctor`` on the service: which functions the token's service holds, and how to move the
token from the manual set-up's hand-made service to the plugin's (issue 10, points 8 and 9)."""

from __future__ import annotations

import json

import pytest
import requests

from lmsync.config import load_config
from lmsync.moodle.api import MoodleApi
from lmsync.moodle.emulator import EMULATOR_URL, EmulatorAdapter
from lmsync.moodle.emulator.demo import DEMO_TOKEN, build_demo_site
from lmsync.moodle.transport import Transport
from lmsync.moodle_side.requirements import manual_service, required_functions, service_spec
from lmsync.secrets import Token
from lmsync.service.doctor import DoctorReport, _functions, run_doctor

from .conftest import RECORDINGS

NEW_READS = {"mod_forum_get_discussion_posts", "core_calendar_get_calendar_events"}


def first_series_service() -> set[str]:
    """The recording site's hand-made service before the second series: 39 functions, as
    ``core_webservice_get_site_info/ok.json`` lists them (incl. core_courseformat_create_module)."""
    body = json.loads(json.loads((RECORDINGS / "core_webservice_get_site_info" / "ok.json").read_text())["response"]["body"])
    return {f["name"] for f in body["functions"]}


def checks(report: DoctorReport, status: str) -> list[tuple[str, str, str | None]]:
    return [(c.name, c.detail, c.fix) for c in report.checks if c.status == status]


def test_issue_10_point_8_the_plugins_exact_function_list_passes_without_warnings():
    report = DoctorReport()
    _functions(set(required_functions()), report)
    assert checks(report, "fail") == [] and checks(report, "warn") == []
    assert report.checks[0].detail == "all 40 functions are in the token's service"


def test_issue_10_point_8_a_first_series_service_lacks_the_two_new_reads_and_upgrade_fixes_it():
    available = first_series_service()
    assert len(available) == 39
    report = DoctorReport()
    _functions(available, report)
    failed = checks(report, "fail")
    assert {detail.split(" ")[0] for _name, detail, _fix in failed} == NEW_READS
    for _name, _detail, fix in failed:
        assert fix is not None
        assert "install or upgrade the plugin" in fix and service_spec().shortname in fix


def test_issue_10_point_9_doctor_recognises_the_hand_made_service_and_says_how_to_move_the_token():
    """site info names no service; a function lmsync never calls (create_module) gives it away."""
    report = DoctorReport()
    _functions(first_series_service(), report)
    ((name, detail, fix),) = checks(report, "warn")
    assert name == "service"
    assert "core_courseformat_create_module" in detail and "hand-made" in detail
    assert fix is not None
    plugin_name, manual = service_spec().name, manual_service()
    # the steps, in order: authorise on the plugin's service, new token for it, check, delete the old service
    steps = [
        f"External services > {plugin_name!r} > Authorised users",
        f"Create token: the lmsync user, service {plugin_name!r}",
        "token_file",
        "`lmsync doctor`",
        f"Custom services > {manual.name!r} > Delete",
    ]
    positions = [fix.index(step) for step in steps]
    assert positions == sorted(positions)


@pytest.fixture
def config(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    path = tmp_path / "lmsync.toml"
    path.write_text('[programme]\nname = "mentor-2026"\n')
    return load_config(path, environ={})


def test_issue_10_point_9_doctor_on_the_emulator_with_the_manual_services_functions(config):
    site = build_demo_site()
    site.tokens[DEMO_TOKEN].service_functions = first_series_service()
    session = requests.Session()
    session.mount(EMULATOR_URL, EmulatorAdapter(site))
    api = MoodleApi(Transport(EMULATOR_URL, Token(DEMO_TOKEN), session=session, sleep=lambda _s: None))
    report = run_doctor(api, config)
    assert ("service", "warn") in {(c.name, c.status) for c in report.checks}
    missing = {c.detail.split(" ")[0] for c in report.checks if c.name == "functions" and c.status == "fail"}
    assert missing == NEW_READS
    assert report.exit_code == 2
