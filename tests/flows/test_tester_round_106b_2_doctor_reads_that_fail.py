"""Tester round 106b, 2: with a proxy answering one function ``200 text/html`` "Maintenance mode", `lmsync doctor`
said "no problems" (exit 0) or took the read for absence ("cannot probe yet: no forum named by [programme] forum in
the course", "no Feedback activity in the course"), or stopped at one ``error:`` with no check list and the site-root
fix, while `lmsync sync` failed (exit 2) on the same site. Each check whose read fails is a failed check naming the
function and the error; the other checks still run; doctor exits 2."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
from click.testing import CliRunner

from lmsync.cli import main
from lmsync.config import load_config
from lmsync.moodle.api import MoodleApi
from lmsync.moodle.emulator import EMULATOR_URL, EmulatorAdapter
from lmsync.moodle.emulator.demo import DEMO_TOKEN, build_demo_site
from lmsync.moodle.transport import Transport
from lmsync.secrets import Token
from lmsync.service.doctor import run_doctor

PAGE = "<html><body>Maintenance mode</body></html>"
CONFIG = ('[programme]\nname = "mentor-2026"\n[meetings]\nfeedback = "Meeting log"\n'
          '[meetings.items]\nminutes = "meeting_minutes"\n')


class _Proxy(EmulatorAdapter):
    """The emulator behind a proxy that answers ``broken`` with an HTML page, HTTP 200."""

    def __init__(self, site, broken: str) -> None:
        super().__init__(site)
        self.broken = broken

    def send(self, request, **kwargs):  # type: ignore[override]
        if dict(parse_qsl(urlsplit(request.url or "").query)).get("wsfunction") == self.broken:
            return self._response(request, 200, "text/html; charset=utf-8", PAGE)
        return super().send(request, **kwargs)


def _doctor(tmp_path, broken: str):
    path = tmp_path / "lmsync.toml"
    path.write_text(CONFIG)
    config = load_config(path, environ={"XDG_STATE_HOME": str(tmp_path / "state")})
    session = requests.Session()
    session.mount(EMULATOR_URL, _Proxy(build_demo_site(), broken))
    return run_doctor(MoodleApi(Transport(EMULATOR_URL, Token(DEMO_TOKEN), session=session, sleep=lambda _s: None)),
                      config)


#: the function the proxy breaks -> the check that fails for it
CASES = {
    "mod_forum_get_forums_by_courses": "forum",
    "mod_feedback_get_feedbacks_by_courses": "feedback",
    "core_group_get_course_groupings": "grouping",
    "core_group_get_course_groups": "moodle/course:managegroups",
    "core_user_get_users_by_field": "people",
}


@pytest.mark.parametrize("broken", sorted(CASES))
def test_round_106b_2_a_read_that_fails_is_a_failed_check_naming_the_function(tmp_path, broken):
    report = _doctor(tmp_path, broken)
    failed = {c.name: c for c in report.checks if c.status == "fail"}
    check = failed.get(CASES[broken])
    assert check is not None, [(c.status, c.name, c.detail) for c in report.checks]
    assert f"{broken}: expected JSON, got text/html" in check.detail and "Maintenance mode" in check.detail
    assert check.fix and "site root" not in check.fix and "proxy" in check.fix
    assert report.exit_code == 2
    names = {c.name for c in report.checks}
    assert {"reachable", "token", "functions", "course", "store"} <= names  # the other checks still ran
    said = " ".join(c.detail for c in report.checks)
    assert "no forum named" not in said and "no Feedback activity" not in said  # a failed read is not "absent"


def test_round_106b_2_an_unreadable_forum_list_keeps_the_probes_honest(tmp_path):
    report = _doctor(tmp_path, "mod_forum_get_forums_by_courses")
    (line,) = [c for c in report.checks if c.name == "mod/forum:viewdiscussion"]
    assert line.status == "skip"
    assert line.detail == ("cannot probe: the course's forums could not be read: mod_forum_get_forums_by_courses "
                           "failed: NotJSON")


def test_round_106b_2_cli_doctor_lists_every_check_and_exits_2(tmp_path, monkeypatch):
    """Through the CLI and the built-in emulator: no lone ``error:`` with the site-root fix."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.chdir(tmp_path)
    send = EmulatorAdapter.send

    def behind_the_proxy(self, request, **kwargs):
        if dict(parse_qsl(urlsplit(request.url or "").query)).get("wsfunction") == "core_group_get_course_groups":
            return self._response(request, 200, "text/html; charset=utf-8", PAGE)
        return send(self, request, **kwargs)

    monkeypatch.setattr(EmulatorAdapter, "send", behind_the_proxy)
    result = CliRunner().invoke(main, ["doctor"])
    assert result.exit_code == 2, result.output
    lines = result.output.splitlines()
    assert not [line for line in lines if line.startswith("error:")], result.output
    assert any(line.startswith("[FAIL] moodle/course:managegroups: cannot probe: core_group_get_course_groups: "
                               "expected JSON, got text/html") for line in lines), result.output
    assert any(line.startswith("[ok  ] course:") for line in lines) and "problem(s) found" in result.stdout
    assert "The URL must be the Moodle site root" not in result.output
