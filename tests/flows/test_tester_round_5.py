"""Tester round 5 on the emulator. Finding 7: a saved plan edited down to no operations is refused
like any file that lacks operations, when lmsync plans some now; a genuinely empty plan still
applies as nothing. Finding 6: a mentor or mentee role no one holds refuses to dissolve circles."""

from __future__ import annotations

import json
from typing import Any

import pytest
from click.testing import CliRunner

from lmsync.cli import main
from lmsync.config import load_config
from lmsync.errors import EXIT_ADMIN
from lmsync.moodle.emulator.demo import build_demo_site
from lmsync.moodle.emulator.state import Site

BASE = '[programme]\nname = "mentor-2026"\npeer_mentor_cohort = "peer-mentors-2026"\n'


@pytest.fixture
def env(cli_home: Any) -> Any:
    (cli_home / "lmsync.toml").write_text(BASE)
    build_demo_site().save(load_config(cli_home / "lmsync.toml", environ={}).emulator_state_path())
    return cli_home


def run_cli(env: Any, *args: str) -> Any:
    result = CliRunner().invoke(main, ["--log-level", "warning", "--config", str(env / "lmsync.toml"), *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def site(env: Any) -> Site:
    return Site.load(load_config(env / "lmsync.toml", environ={}).emulator_state_path())


def test_an_emptied_saved_plan_is_refused_and_writes_nothing(env: Any) -> None:
    """tester round 5, 7: `"operations": []` in a saved plan applied "nothing", exit 0, while lmsync planned 133."""
    assert run_cli(env, "plan", "--out", "p.json").exit_code == 0
    plan = json.loads((env / "p.json").read_text())
    planned = len(plan["operations"])
    assert planned > 0
    plan["operations"] = []
    (env / "p.json").write_text(json.dumps(plan))
    refused = run_cli(env, "apply", "p.json")
    assert refused.exit_code == EXIT_ADMIN, refused.output
    assert f"it lacks {planned} of the {planned} operations lmsync plans now" in refused.output
    assert "lmsync plan --out p-new.json" in refused.output  # a new name, not --force over it (round 99b, 7)
    assert not site(env).groups or not any(g.idnumber.startswith("lmsync:") for g in site(env).groups.values())


def test_a_genuinely_empty_plan_still_applies_as_nothing(env: Any) -> None:
    """tester round 5, 7: when lmsync plans nothing now either, the empty file applies, exit 0."""
    assert run_cli(env, "sync").exit_code == 0
    assert run_cli(env, "plan", "--out", "p.json").exit_code == 0
    assert json.loads((env / "p.json").read_text())["operations"] == []
    applied = run_cli(env, "apply", "p.json")
    assert applied.exit_code == 0, applied.output


def circles(env: Any) -> dict[str, frozenset[int]]:
    return {g.idnumber: frozenset(g.members) for g in site(env).groups.values() if g.idnumber.startswith("lmsync:")}


@pytest.mark.parametrize(("variable", "kind"), [("LMSYNC_PROGRAMME_MENTOR_ROLES", "mentor"),
                                                ("LMSYNC_PROGRAMME_MENTEE_ROLES", "mentee")])
def test_a_role_no_one_holds_refuses_to_dissolve_circles_and_writes_nothing(
    env: Any, monkeypatch: pytest.MonkeyPatch, variable: str, kind: str
) -> None:
    """tester round 5, 6: mentor_roles = ["teachr"] removed 14 mentees "(re-matched)", exit 0 (under the
    mass-removal guard's half); a role of nobody now refuses the plan, naming the roles and the circles."""
    assert run_cli(env, "sync").exit_code == 0
    before = circles(env)
    monkeypatch.setenv(variable, '["teachr"]')
    # the tester's site unplaced 14 of 38, under the mass-removal guard's half; here the guard tolerates 80%
    monkeypatch.setenv("LMSYNC_SYNC_MIN_SOURCE_FRACTION", "0.2")
    for args in (("sync",), ("plan",)):
        refused = run_cli(env, *args)
        assert refused.exit_code == EXIT_ADMIN, refused.output
        assert f"no one in the course has the {kind} role(s) teachr ([programme] {kind}_roles)" in refused.output
        assert "it would dissolve" in refused.output and "lmsync doctor" in refused.output
        assert circles(env) == before
