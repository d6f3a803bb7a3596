"""Tester round 46b, 2: a shortage of mentors was said only by ``lmsync match``. The plan, the sync and
the run line counted nobody left without a mentor, and a mentee whose mentor lost room left their
circle "(re-matched)", which they were not. Now every one of them says how many have no mentor and why,
and the plan's removal says "left with no mentor: <why>"."""

from __future__ import annotations

import json
from typing import Any

import pytest
from click.testing import CliRunner

from lmsync.cli import main
from lmsync.config import load_config
from lmsync.moodle.emulator.state import Site
from lmsync.service.moodle import newcomer_defaults


@pytest.fixture
def short(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The demo course synced, then every mentor's capacity cut to one: 52 mentees, 20 places."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.chdir(tmp_path)
    assert CliRunner().invoke(main, ["sync"]).exit_code == 0
    config = newcomer_defaults(load_config(None, environ={"XDG_STATE_HOME": str(tmp_path / "state")}))
    path = config.emulator_state_path()
    site = Site.load(path)
    for user in site.users.values():
        if "mentorcapacity" in user.customfields:
            user.customfields["mentorcapacity"] = "1"
    site.save(path)
    return config


def cli(*args: str) -> Any:
    return CliRunner().invoke(main, ["--log-level", "warning", *args])


@pytest.mark.sqlite_only("the built-in emulator's store is a SQLite file")
def test_round_46b_2_the_plan_counts_the_mentees_left_without_a_mentor_and_says_why_they_leave(short: Any) -> None:
    listed = json.loads(cli("match", "--format", "json").output)
    left = len(listed["unmatched"])
    assert left > 0  # the probe can fail: a shortage
    text = cli("plan")
    assert text.exit_code == 0, text.output
    assert f"{left} mentee(s) without a mentor in this match (`lmsync match` names them and why):" in text.output
    counted = [line.strip() for line in text.output.split("names them and why):\n", 1)[1].splitlines()]
    counted = [line for line in counted if line[:1].isdigit()]
    assert sum(int(line.split(":")[0]) for line in counted) == left, counted
    assert all(": no capacity left: all " in line for line in counted), counted
    assert "(left with no mentor: their mentor's circle holds more mentees than their capacity; no capacity left: all " in text.output
    plan = json.loads(cli("plan", "--format", "json").output)
    assert sum(plan["unmatched"].values()) == left
    removals = [op["what"] for op in plan["operations"] if op["kind"] == "remove_member"]
    said = "(left with no mentor: their mentor's circle holds more mentees than their capacity; no capacity left: all "
    leaving = [what for what in removals if said in what]
    assert len(leaving) == left, removals
    assert not any(what.endswith("(re-matched)") for what in removals), removals


@pytest.mark.sqlite_only("the built-in emulator's store is a SQLite file")
def test_round_46b_2_sync_and_the_run_line_say_it_too(short: Any) -> None:
    left = len(json.loads(cli("match", "--format", "json").output)["unmatched"])
    synced = cli("sync")
    assert synced.exit_code == 0, synced.output
    assert f"{left} mentee(s) without a mentor in this match" in synced.output
    run = cli("run")
    line = next(line for line in run.output.splitlines() if line.startswith("sync"))
    assert f"{left} mentee(s) without a mentor (`lmsync match` says why)" in line, run.output


@pytest.mark.sqlite_only("the built-in emulator's store is a SQLite file")
def test_with_room_for_everyone_nothing_is_said(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.chdir(tmp_path)
    assert "without a mentor" not in cli("sync").output
    assert json.loads(cli("plan", "--format", "json").output)["unmatched"] == {}
