"""A new admin's round on matching inputs (tester round 62), on the emulator.

Each test is named after the finding it covers.
"""

from __future__ import annotations

from typing import Any

import pytest
from click.testing import CliRunner

from lmsync.cli import main
from lmsync.config import load_config
from lmsync.moodle.emulator.demo import build_demo_site

PROGRAMME = "mentor-2026"


@pytest.fixture
def env(cli_home: Any) -> Any:
    path = cli_home / "lmsync.toml"
    path.write_text(f'[programme]\nname = "{PROGRAMME}"\npeer_mentor_cohort = "peer-mentors-2026"\n')
    build_demo_site().save(load_config(path, environ={}).emulator_state_path())
    return cli_home


def run_cli(env: Any, *args: str) -> Any:
    return CliRunner().invoke(main, ["--log-level", "warning", "--config", str(env / "lmsync.toml"), *args])


# --- 2. a misspelt [matching.attributes] field ----------------------------------------------------------


@pytest.mark.parametrize(("variable", "key", "typed"), [
    ("LMSYNC_MATCHING_ATTRIBUTES_DEPARTMENT", "department", "Department"),
    ("LMSYNC_MATCHING_ATTRIBUTES_INTERESTS", "interests", "Interests"),
    ("LMSYNC_MATCHING_ATTRIBUTES_LANGUAGES", "languages", "lang"),
])
def test_finding_2_plan_and_match_say_when_no_one_has_a_value_in_a_weighed_field(
    env: Any, monkeypatch: pytest.MonkeyPatch, variable: str, key: str, typed: str,
) -> None:
    """tester round 62, 2: a shortname typed with a capital made every pair without departments, in a
    normal-looking plan (only doctor said so); plan, sync and match now name the field and the fix."""
    monkeypatch.setenv(variable, typed)
    line = (f"no one in the course has a value in the profile field {typed!r} ([matching.attributes] {key}): it "
            "adds nothing to any pair")
    for args in (("plan",), ("match",), ("sync", "--dry-run")):
        result = run_cli(env, *args)
        assert result.exit_code == 0, result.output
        assert line in result.output and f'set {key} = ""' in result.output, args
    monkeypatch.delenv(variable)
    assert "no one in the course has a value" not in run_cli(env, "plan").output


def test_finding_2_a_field_weighed_0_is_not_warned_of(env: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LMSYNC_MATCHING_ATTRIBUTES_DEPARTMENT", "Department")
    monkeypatch.setenv("LMSYNC_MATCHING_WEIGHTS_SAME_DEPARTMENT", "0")
    assert "no one in the course has a value" not in run_cli(env, "plan").output
