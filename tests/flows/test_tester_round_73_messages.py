"""Tester round 73: messages that named the wrong cause or a bare id, against the built-in emulator."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from lmsync.cli import main
from lmsync.config import load_config
from lmsync.errors import EXIT_PARTIAL


@pytest.fixture
def home(cli_home, monkeypatch):
    """``cli_home`` (conftest), with no configuration file or log settings from the environment."""
    for name in ("LMSYNC_CONFIG", "LMSYNC_LOG_FORMAT", "LMSYNC_LOG_LEVEL"):
        monkeypatch.delenv(name, raising=False)
    return cli_home


def run(*args: str):
    return CliRunner().invoke(main, ["--log-level", "warning", *args], catch_exceptions=False)


def emulator_config(home, text: str | None = None):
    """The configuration the CLI runs with in ``home`` (the emulator's demo programme without a file)."""
    from lmsync.service.moodle import newcomer_defaults

    path = None
    if text is not None:
        path = home / "lmsync.toml"
        path.write_text(text)
    return newcomer_defaults(load_config(path, environ={"XDG_STATE_HOME": str(home / "state")}))


def fix_line(stderr: str) -> str:
    return " ".join(stderr.split("fix:", 1)[1].split()) if "fix:" in stderr else ""


# --- 73,3 ---------------------------------------------------------------------------------------


def test_round_73_3_a_rerun_after_a_kill_says_the_writes_are_settling_and_for_how_long_not_refused(home):
    """The re-run after `kill -9` during core_group_add_group_members ended "Moodle did not converge
    after 2 rounds / fix: see the log for refused operations": none had been refused; the writes whose
    answer was lost wait out [sync] write_settle_seconds."""
    from lmsync.moodle.emulator.faults import SimulatedCrash
    from lmsync.service.runtime import session
    from lmsync.service.sync import run_sync

    config = emulator_config(home)

    def killed(function, when):
        return "crash" if function == "core_group_add_group_members" and when == "before" else None

    with pytest.raises(SimulatedCrash), session(config, fault=killed) as (conn, store):
        run_sync(conn.api, config, store)
    rerun = run("sync")
    assert rerun.exit_code == EXIT_PARTIAL, rerun.output
    assert "did not converge" in rerun.stderr
    fix = fix_line(rerun.stderr)
    assert "refused" not in fix, fix  # nothing was refused
    held = re.search(r"(\d+) write\(s\) sent earlier, whose answer was lost, may still commit", fix)
    assert held and int(held.group(1)) > 0, fix
    assert "[sync] write_settle_seconds (600 s)" in fix, fix
    assert re.search(r"about (9|10) min from now, after \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC", fix), fix
    assert "the first run after that converges" in fix, fix


def test_round_73_3_refused_operations_are_named_only_when_there_were_some():
    from lmsync.domain.operations import Plan
    from lmsync.service.executor import ExecReport
    from lmsync.service.sync import SyncResult
    from lmsync.service.unconverged import unconverged_hint

    plan = Plan(programme="p", course_id=2, fingerprint="x", operations=[])
    refused = SyncResult("r", plan, plan, reports=[ExecReport("r", failed=[("add_member:g:7", "invalidrecord")])],
                         rounds=4)
    assert "Moodle refused 1 operation(s)" in unconverged_hint(refused, 600)
    again = SyncResult("r", plan, plan, rounds=4, reports=[  # the same one refused in every round (round 94b, 10)
        ExecReport("r", failed=[("add_member:g:7", "invalidrecord"), ("add_member:g:8", "invalidrecord")])
        for _ in range(4)])
    assert "Moodle refused 2 operation(s)" in unconverged_hint(again, 600)
    changing = SyncResult("r", plan, plan, reports=[ExecReport("r")], rounds=4)
    hint = unconverged_hint(changing, 600)
    assert "refused" not in hint and "write_settle_seconds" not in hint and "the next run retries" in hint
    assert "or Moodle answered writes it did not keep" in hint  # not only another writer (tester round 92b, 8)
    # an error that left a write's outcome unknown in every round is not "no write turned down" (tester round 95b, 10)
    unknown = SyncResult("r", plan, plan, rounds=4, reports=[
        ExecReport("r", lost="a write's outcome is unknown (core_group_create_groups: invalidparameter)")
        for _ in range(4)])
    hint = unconverged_hint(unknown, 600)
    assert "turned down no write" not in hint and "4 round(s) stopped at a write whose outcome" in hint, hint
    assert "(core_group_create_groups: invalidparameter)" in hint, hint
    held = Plan(programme="p", course_id=2, fingerprint="x", operations=[], pending=["add_member:g:7"])
    waiting = SyncResult("r", held, held, rounds=2, settle_at=1_000_600.0)
    assert "about 10 min from now" in unconverged_hint(waiting, 600, now=1_000_000.0)
    assert "that time is over now" in unconverged_hint(waiting, 600, now=1_000_601.0)


# --- 73,6 ---------------------------------------------------------------------------------------


def _plan(config, site):
    from lmsync.service.moodle import open_moodle
    from lmsync.service.sync import make_plan

    with open_moodle(config, site=site) as conn:
        return make_plan(conn.api, config).plan


@pytest.mark.parametrize("show_names", [True, False], ids=["names", "names-off"])
def test_round_73_6_a_mentor_whose_name_moodle_would_refuse_is_named_not_a_bare_id(home, show_names):
    """`warning: mentor (Moodle id 80): Moodle would refuse the group name ...`: no name, no username."""
    from lmsync.domain.plan import mentor_of_idnumber
    from lmsync.moodle.emulator.demo import build_demo_site

    config = emulator_config(home, '[programme]\nname = "mentor-2026"\n'
                                   f"[privacy]\nshow_names = {'true' if show_names else 'false'}\n")
    site = build_demo_site()
    made = _plan(config, site).by_kind("create_group")
    mentor = site.users[mentor_of_idnumber("mentor-2026", made[0].idnumber)]  # one who gets a circle
    mentor.lastname = "<b>Bold</b>"
    warning = next(w for w in _plan(config, site).warnings if "Moodle would refuse the group name" in w)
    who = f"{mentor.firstname} <b>Bold</b> ({mentor.username})" if show_names else mentor.username
    assert warning.startswith(f"{who} (Moodle id {mentor.id}): "), warning
    assert (mentor.firstname in warning) is show_names


@pytest.mark.parametrize("show_names", [True, False], ids=["names", "names-off"])
def test_round_73_6_someone_with_two_roles_is_named_by_name_and_username(home, show_names):
    """`warning: mm06 (Moodle id 84) has a mentor role and a mentee role`: a username, no name. Names stay
    out of the log (its events carry counts and ids)."""
    from lmsync.service.moodle import emulator_site

    (home / "lmsync.toml").write_text('[programme]\nname = "mentoring-2026"\npeer_mentor_cohort = "peer-mentors-2026"\n'
                                      f"[privacy]\nshow_names = {'true' if show_names else 'false'}\n")
    assert run("sync").exit_code == 0
    assert run("emulator", "edit", "role", "s0008", "teacher").exit_code == 0
    site = emulator_site(emulator_config(home, (home / "lmsync.toml").read_text()))
    user = next(u for u in site.users.values() if u.username == "s0008")
    name = f"{user.firstname} {user.lastname}"
    planned = CliRunner().invoke(main, ["--log-format", "json", "--log-level", "info", "plan"], catch_exceptions=False)
    assert planned.exit_code == 0, planned.output
    line = next(t for t in planned.stdout.splitlines() if "has a mentor role and a mentee role" in t)
    who = f"{name} (s0008)" if show_names else "s0008"
    assert f"warning: {who} (Moodle id {user.id}) has a mentor role and a mentee role" in line, line
    assert (name in line) is show_names
    assert name not in planned.stderr and user.firstname not in planned.stderr  # the JSON log lines


# --- 73,7 ---------------------------------------------------------------------------------------


def test_round_73_7_no_figure_says_no_meetings_are_stored_when_programme_start_is_set(home):
    """`no figure: meetings count from [meetings] start, else [waves] programme_start ... set one of them`
    although [waves] programme_start was set: no meeting was stored yet."""
    from datetime import date, timedelta

    start = date.today() - timedelta(days=90)
    (home / "lmsync.toml").write_text(f'[programme]\nname = "mentoring-2026"\n[waves]\nprogramme_start = {start}\n')
    assert run("sync").exit_code == 0
    planned = run("grades", "plan")
    assert planned.exit_code == 0, planned.output
    line = " ".join(next(t for t in planned.stdout.splitlines() if "no figure:" in t).split())
    assert "no meetings are stored yet" in line and "lmsync import meetings" in line, line
    assert f"counted from {start.isoformat()} ([waves] programme_start)" in line, line
    assert "set one of them" not in line, line


# --- 73,8 ---------------------------------------------------------------------------------------


def _doctor(site, config):
    import requests

    from lmsync.moodle.api import MoodleApi
    from lmsync.moodle.emulator import EMULATOR_URL, EmulatorAdapter
    from lmsync.moodle.emulator.demo import DEMO_TOKEN
    from lmsync.moodle.transport import Transport
    from lmsync.secrets import Token
    from lmsync.service.doctor import run_doctor

    called: list[str] = []

    def spy(function, when):
        called.append(function)

    session = requests.Session()
    session.mount(EMULATOR_URL, EmulatorAdapter(site, fault=spy))
    api = MoodleApi(Transport(EMULATOR_URL, Token(DEMO_TOKEN), session=session, sleep=lambda _s: None))
    return run_doctor(api, config), called


def _with_foreign_groups(members=frozenset()):
    """The demo site before any sync, its course holding other people's groups."""
    from lmsync.moodle.emulator.demo import build_demo_site
    from lmsync.moodle.emulator.records import Group

    site = build_demo_site()
    students = sorted(u for u in site.courses[2].enrolments if site.users[u].username.startswith("s"))
    for i in range(3):
        site.groups[500 + i] = Group(500 + i, 2, f"Lab group {i}", f"lab-{i}", members={*students[i::3], *members})
    return site


def test_round_73_8_a_first_doctor_probes_accessallgroups_with_another_group_of_the_course(home):
    """A first `lmsync doctor` on a course of 27 groups, none lmsync's, said "[skip] moodle/site:accessallgroups:
    cannot probe yet: no groupid found (run lmsync sync first)"."""
    from lmsync.moodle.emulator.demo import DEMO_TOKEN

    config = emulator_config(home, '[programme]\nname = "mentor-2026"\n')
    site = _with_foreign_groups()
    before = {g.id: (g.name, set(g.members)) for g in site.groups.values()}
    report, called = _doctor(site, config)
    assert not [c for c in report.checks if c.name == "moodle/site:accessallgroups"], report.checks  # not skipped
    assert [c.status for c in report.checks if c.name == "capabilities"] == ["ok"]  # probed, and passed
    assert {g.id: (g.name, set(g.members)) for g in site.groups.values()} == before  # doctor wrote nothing
    assert not [f for f in called if "add_" in f or "create_" in f or "delete_" in f or "update_" in f], called
    site.tokens[DEMO_TOKEN].capabilities.discard("moodle/site:accessallgroups")
    report, _ = _doctor(site, config)
    assert [c.name for c in report.checks if c.status == "fail"] == ["moodle/site:accessallgroups"]


def test_round_73_8_without_a_group_to_probe_the_skip_says_what_is_missing(home):
    from lmsync.moodle.emulator.demo import DEMO_TOKEN

    config = emulator_config(home, '[programme]\nname = "mentor-2026"\n')
    site = _with_foreign_groups()
    lmsync_user = site.tokens[DEMO_TOKEN].userid  # a member of every group: a read of them proves nothing
    for group in site.groups.values():
        group.members.add(lmsync_user)
    report, _ = _doctor(site, config)
    (check,) = [c for c in report.checks if c.name == "moodle/site:accessallgroups"]
    assert check.status == "skip" and "sync first" not in check.detail, check
    assert "no group in the course that the lmsync user is not a member of" in check.detail, check
