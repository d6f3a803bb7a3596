"""Tester round 117b, 7, 8 and 9: the emulator's site file after a rename, a config without ``[programme]``,
and ``lmsync emulator edit field`` with a negative value.

7: ``[programme] name`` changed (``[store] path`` kept) ran on a fresh demo site: ``lmsync plan`` showed 133
operations and ``doctor`` passed, so the README's "a renamed programme is still refused" could not be rehearsed,
and nothing named the site file in use. Now the site follows the store, and the notice and doctor name it.
8: a file with ``[store]`` alone passed doctor without a word, on the defaults; now doctor warns, naming them.
9: ``field m0008 mentorcapacity -1`` failed with "No such option '-1'"; now the value is taken as it is.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lmsync.config import load_config
from lmsync.errors import EXIT_ADMIN
from lmsync.moodle.emulator.state import Site
from lmsync.service import moodle as moodle_service

from .conftest import run_in

STORE = '[store]\npath = "r.db"\n'


def _synced(home: Path) -> None:
    """``home``'s lmsync.toml: programme mentoring-2026 on the emulator with the store ``r.db``, synced once."""
    (home / "lmsync.toml").write_text(f'[programme]\nname = "mentoring-2026"\ncourse = "MENTOR-2026"\n{STORE}')
    synced = run_in(home, "sync")
    assert synced.exit_code == 0, synced.output


def test_a_renamed_programme_keeping_its_store_plans_on_the_stores_site_and_is_refused(
        cli_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _synced(cli_home)
    monkeypatch.setattr(moodle_service, "_announced", False)  # the notice is said once per process
    (cli_home / "lmsync.toml").write_text(f'[programme]\nname = "mentoring-2027"\ncourse = "MENTOR-2026"\n{STORE}')

    plan = run_in(cli_home, "plan")
    assert plan.exit_code == EXIT_ADMIN, plan.output
    assert "Refusing this plan" in plan.output and "'mentoring-2026'" in plan.output
    assert "mentoring-2026.emulator.json (programme mentoring-2026's" in plan.output  # the notice names it
    assert not (cli_home / "mentoring-2027.emulator.json").exists()

    doctor = run_in(cli_home, "doctor")
    assert doctor.exit_code != 0, doctor.output
    assert f"checking the built-in emulator's site {cli_home / 'mentoring-2026.emulator.json'}" in doctor.output
    assert "[FAIL] other programmes" in doctor.output


def test_doctor_names_the_emulator_site_not_made_yet(cli_home: Path) -> None:
    (cli_home / "lmsync.toml").write_text(f'[programme]\nname = "mentoring-2026"\ncourse = "MENTOR-2026"\n{STORE}')
    doctor = run_in(cli_home, "doctor")
    assert doctor.exit_code == 0, doctor.output
    assert f"site {cli_home / 'mentoring-2026.emulator.json'} (not made yet: the demo site)" in doctor.output
    assert "[warn] programme:" not in doctor.output  # both keys set: no word of defaults


def test_doctor_warns_of_a_missing_programme_section_and_the_defaults_in_use(cli_home: Path) -> None:
    (cli_home / "lmsync.toml").write_text(STORE)
    doctor = run_in(cli_home, "doctor")
    assert doctor.exit_code == 0, doctor.output
    line = next(x for x in doctor.output.splitlines() if x.startswith("[warn] programme:"))
    assert "has no [programme] section" in line
    assert 'name = "mentoring-2026"' in line and 'course = "MENTOR-2026"' in line

    (cli_home / "lmsync.toml").write_text(f'[programme]\ncourse = "MENTOR-2026"\n{STORE}')
    doctor = run_in(cli_home, "doctor", "--format", "json")
    checks = [c for c in json.loads(doctor.stdout) if c["name"] == "programme"]
    assert len(checks) == 1 and checks[0]["status"] == "warn", checks
    assert "[programme] name is not set" in checks[0]["detail"] and "course" not in checks[0]["detail"].split(":")[1]


def test_edit_field_takes_a_negative_value_without_a_double_dash(cli_home: Path) -> None:
    _synced(cli_home)
    edited = run_in(cli_home, "emulator", "edit", "field", "m0008", "mentorcapacity", "-1")
    assert edited.exit_code == 0, edited.output
    assert "mentorcapacity = '-1'" in edited.output
    config = load_config(cli_home / "lmsync.toml", environ={})
    site = Site.load(config.emulator_state_path())
    user = next(u for u in site.users.values() if u.username == "m0008")
    assert user.customfields.get("mentorcapacity") == "-1"
