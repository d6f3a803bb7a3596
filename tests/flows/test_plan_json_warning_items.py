"""``lmsync plan --format json`` carries the warnings about people as fields (tester round 58, 7: only
``match`` had ``warning_items``; a script reading the plan could not tell a held two-role mentee)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from click.testing import CliRunner

from lmsync.cli import main
from lmsync.config import load_config
from lmsync.domain.plan import mentor_of_idnumber
from lmsync.moodle.emulator.state import Site
from lmsync.service.moodle import newcomer_defaults


@pytest.mark.sqlite_only("the built-in emulator's store is a SQLite file")
def test_round_58_7_the_plans_json_names_a_two_role_notices_outcome(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.chdir(tmp_path)
    assert CliRunner().invoke(main, ["sync"]).exit_code == 0
    config = newcomer_defaults(load_config(None, environ={"XDG_STATE_HOME": str(tmp_path / "state")}))
    site = Site.load(config.emulator_state_path())
    circle = next(g for g in site.groups.values() if mentor_of_idnumber(config.programme.name, g.idnumber))
    mentee = min(circle.members - {mentor_of_idnumber(config.programme.name, circle.idnumber)})
    next(iter(site.courses.values())).enrolments[mentee].other_roles.append("teacher")
    site.save(config.emulator_state_path())
    shown = CliRunner().invoke(main, ["--log-level", "warning", "plan", "--format", "json"])
    assert shown.exit_code == 0, shown.output
    items = [i for i in json.loads(shown.output)["warning_items"] if i["code"] == "dual_role"]
    assert [(i["moodle_id"], i["outcome"]) for i in items] == [(mentee, "held_with_mentor")]
