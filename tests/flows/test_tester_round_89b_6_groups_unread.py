"""Tester round 89b, 6: with a token lacking moodle/course:managegroups, doctor said "[skip]
moodle/site:accessallgroups: cannot probe yet: no group in the course that the lmsync user is not a member
of" of a course of 24 groups: lmsync could not list them. The skip says the groups could not be read, and
which function and capability failed; the old words stay for a course whose groups were read and none fit."""

from __future__ import annotations

import requests

from lmsync.config import load_config
from lmsync.moodle.api import MoodleApi
from lmsync.moodle.emulator import EMULATOR_URL, EmulatorAdapter
from lmsync.moodle.emulator.demo import DEMO_TOKEN, build_demo_site
from lmsync.moodle.emulator.records import Group
from lmsync.moodle.transport import Transport
from lmsync.secrets import Token
from lmsync.service.doctor import run_doctor

GROUPS = 24
NO_GROUP = "no group in the course that the lmsync user is not a member of"


def _site():
    """The demo site before any sync, its course holding 24 groups of other people's."""
    site = build_demo_site()
    students = sorted(u for u in site.courses[2].enrolments if site.users[u].username.startswith("s"))
    for i in range(GROUPS):
        site.groups[500 + i] = Group(500 + i, 2, f"Lab group {i}", f"lab-{i}", members=set(students[i::GROUPS]))
    return site


def _line(site, tmp_path, name="moodle/site:accessallgroups"):
    path = tmp_path / "lmsync.toml"
    path.write_text('[programme]\nname = "mentor-2026"\n')
    config = load_config(path, environ={"XDG_STATE_HOME": str(tmp_path / "state")})
    session = requests.Session()
    session.mount(EMULATOR_URL, EmulatorAdapter(site))
    api = MoodleApi(Transport(EMULATOR_URL, Token(DEMO_TOKEN), session=session, sleep=lambda _s: None))
    report = run_doctor(api, config)
    return report, [(c.status, c.detail) for c in report.checks if c.name == name]


def test_round_89b_6_without_managegroups_the_skip_says_the_groups_could_not_be_read(tmp_path):
    site = _site()
    site.tokens[DEMO_TOKEN].capabilities.discard("moodle/course:managegroups")
    report, lines = _line(site, tmp_path)
    assert lines == [("skip", "cannot probe: the course's groups could not be read: core_group_get_course_groups "
                              "refused: nopermissions (Manage groups: moodle/course:managegroups)")]
    assert NO_GROUP not in lines[0][1]
    assert [c.name for c in report.checks if c.status == "fail"] == ["moodle/course:managegroups"]
    assert report.exit_code == 2


def test_round_89b_6_groups_read_and_none_to_probe_keeps_the_words(tmp_path):
    site = _site()
    lmsync_user = site.tokens[DEMO_TOKEN].userid  # a member of every group: a read of them proves nothing
    for group in site.groups.values():
        group.members.add(lmsync_user)
    _report, lines = _line(site, tmp_path)
    ((status, detail),) = lines
    assert status == "skip" and detail.startswith(f"cannot probe yet: {NO_GROUP}"), detail
    assert "could not be read" not in detail
