"""A coordinator's weeks of the unattended cycle (tester round 61), on the emulator.

Each test is named after the finding it covers; the others have theirs beside the code they changed.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from click.testing import CliRunner

from lmsync.cli import main
from lmsync.config import load_config
from lmsync.domain.plan import mentor_of_idnumber
from lmsync.moodle.emulator.demo import build_demo_site
from lmsync.moodle.emulator.state import Site

PROGRAMME = "mentor-2026"


@pytest.fixture
def env(cli_home: Any) -> Any:
    path = cli_home / "lmsync.toml"
    path.write_text(f'[programme]\nname = "{PROGRAMME}"\npeer_mentor_cohort = "peer-mentors-2026"\n')
    build_demo_site().save(load_config(path, environ={}).emulator_state_path())
    return cli_home


def run_cli(env: Any, *args: str) -> Any:
    return CliRunner().invoke(main, ["--log-level", "warning", "--config", str(env / "lmsync.toml"), *args])


def test_finding_5_pair_show_says_a_circle_held_while_its_mentor_is_away_is_on_hold_not_ended(env: Any) -> None:
    """tester round 61, 5: with m0012 unenrolled and their circle held (the plan said so), `pair show` said the
    pair "ended"; the coordinator went on importing their meetings as if it had. It says the pair is on hold."""
    assert run_cli(env, "sync").exit_code == 0
    site = Site.load(load_config(env / "lmsync.toml", environ={}).emulator_state_path())
    mentor = next(u for u in site.users.values() if u.username == "m0012")
    group = next(g for g in site.groups.values() if mentor_of_idnumber(PROGRAMME, g.idnumber) == mentor.id)
    mentee = site.users[min(group.members - {mentor.id})].username
    assert "on hold" not in run_cli(env, "pair", "show", "m0012", mentee).output
    assert run_cli(env, "emulator", "edit", "unenrol", "m0012").exit_code == 0
    assert run_cli(env, "sync").exit_code == 0  # records the absence; the circle is held
    shown = run_cli(env, "pair", "show", "m0012", mentee)
    assert shown.exit_code == 0, shown.output
    assert "(on hold: the mentor has been away since " in shown.output and "ended" not in shown.output, shown.output
    assert "their circle is held as it is until " in shown.output
    data = json.loads(run_cli(env, "pair", "show", "m0012", mentee, "--format", "json").output)
    assert set(data["on_hold"]) == {"mentor_away_since", "held_until"}
