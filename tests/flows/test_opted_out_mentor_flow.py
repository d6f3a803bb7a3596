"""Tester round 50 on the emulator, through the command line: a mentor who sets their capacity to 0
(opted out) no longer stops every command with a pin naming them (2), their mentees are told their
mentor opted out (3), and every bad ``[matching]`` entry is reported at once (13)."""

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
from lmsync.service import moodle as moodle_service

BASE = '[programme]\nname = "mentoring-2026"\npeer_mentor_cohort = "peer-mentors-2026"\n'
PIN = '[matching]\npins = [["s0023", "m0012"]]\n'


@pytest.fixture
def env(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.delenv("LMSYNC_TOKEN", raising=False)
    monkeypatch.setattr(moodle_service, "_announced", False)
    (tmp_path / "lmsync.toml").write_text(BASE)
    build_demo_site().save(load_config(tmp_path / "lmsync.toml", environ={}).emulator_state_path())
    return tmp_path


def cli(env: Any, *args: str) -> Any:
    return CliRunner().invoke(main, ["--log-level", "warning", "--config", str(env / "lmsync.toml"), *args])


def words(result: Any) -> str:
    return " ".join(result.output.split())


def opted_out_after_a_sync(env: Any) -> None:
    assert cli(env, "sync").exit_code == 0
    assert cli(env, "emulator", "edit", "field", "m0012", "mentorcapacity", "0").exit_code == 0


def test_pin_to_opted_out_mentor_waits_instead_of_stopping_the_sync(env: Any) -> None:
    """``sync failed: [matching] pins: pin s0023 -> m0012: m0012 has opted out (capacity 0)``, exit 2, from
    `run`, `sync`, `plan`, `match` and `report`: one mentor's own profile edit halted every circle change."""
    opted_out_after_a_sync(env)
    (env / "lmsync.toml").write_text(BASE + PIN)
    waits = ("pin s0023 -> m0012 waits: m0012 has opted out (capacity 0), so s0023 is matched as any other mentee "
             "meanwhile; the pin applies again once m0012 has room")
    for args in (("match",), ("plan",), ("sync",)):
        result = cli(env, *args)
        assert result.exit_code == 0, result.output
        assert waits in words(result), result.output
    report = cli(env, "report", "--out", str(env / "report.html"))
    assert report.exit_code == 0, report.output
    run = cli(env, "run")
    assert run.exit_code == 0, run.output
    assert "sync failed" not in run.output and "opted out" not in run.output
    matched = cli(env, "match", "--format", "json")
    row = next(a for a in json.loads(matched.stdout)["assignments"] if a["mentee"] == "s0023")
    assert row["mentor"] != "m0012" and row["origin"] != "pinned"
    # what is a configuration error is still refused: a mentee pinned to two mentors
    (env / "lmsync.toml").write_text(BASE + '[matching]\npins = [["s0023", "m0012"], ["s0023", "m0001"]]\n')
    two = cli(env, "plan")
    assert two.exit_code == EXIT_ADMIN and "s0023 is pinned to two mentors (m0012 and m0001)" in words(two), two.output
    # room again: the pin applies
    (env / "lmsync.toml").write_text(BASE + PIN)
    assert cli(env, "emulator", "edit", "field", "m0012", "mentorcapacity", "3").exit_code == 0
    again = cli(env, "match", "--format", "json")
    row = next(a for a in json.loads(again.stdout)["assignments"] if a["mentee"] == "s0023")
    assert (row["mentor"], row["origin"]) == ("m0012", "pinned")


def test_capacity_0_mentors_mentees_are_told_their_mentor_opted_out_placed_or_not(env: Any) -> None:
    """They left "(left with no mentor (their mentor has no mentee in the new match (every mentee re-matched, or
    marked not a good fit; or they mentor no longer: ...)): their pair is no longer allowed; ...)"."""
    assert cli(env, "sync").exit_code == 0
    loads = json.loads(cli(env, "match", "--format", "json").stdout)["loads"]
    assert cli(env, "emulator", "edit", "field", "m0012", "mentorcapacity", "0").exit_code == 0
    moved = [line.strip() for line in cli(env, "plan").output.splitlines() if "(m0012)'s circle (" in line]
    assert moved and all(line.endswith("(re-matched: their mentor opted out (capacity 0))") for line in moved), moved
    # no other mentor has room: each one's capacity is their load
    config = load_config(env / "lmsync.toml", environ={})
    site = Site.load(config.emulator_state_path())
    for user in site.users.values():
        if user.username in loads and user.username != "m0012":
            user.customfields["mentorcapacity"] = str(loads[user.username])
    site.save(config.emulator_state_path())
    full = cli(env, "plan")
    assert full.exit_code == 0, full.output
    left = [line.strip() for line in full.output.splitlines() if "(m0012)'s circle (" in line]
    assert len(left) == len(moved) and all(
        "(left with no mentor: their mentor opted out (capacity 0); no capacity left" in line for line in left), left
    assert "has no mentee in the new match" not in full.output and "no longer allowed" not in full.output
    shown = words(cli(env, "match"))
    assert shown.count("(m0012) ended: their mentor opted out (capacity 0))") == len(left), shown


def test_every_bad_matching_entry_is_reported_in_one_error(env: Any) -> None:
    """A bad forbid was reported, then, once fixed and re-run, the bad rematch entry."""
    (env / "lmsync.toml").write_text(BASE + '[matching]\nforbids = [["s0001", "zz9999"]]\nrematch = ["nobody42"]\n'
                                            'pins = [["m0003", "s0001"]]\n')
    for args in (("plan",), ("match",)):
        result = cli(env, *args)
        assert result.exit_code == EXIT_ADMIN, result.output
        text = words(result)
        for said in ("forbid s0001 -> zz9999: nobody in the programme or on the Moodle site has the username, idnumber, "
                     "email or id 'zz9999'",
                     "rematch 'nobody42': nobody in the programme or on the Moodle site has that username",
                     "pin m0003 -> s0001: s0001 is not a mentor (a pin is [mentee, mentor]: written the wrong way round?)",
                     "[matching] pins / forbids / rematch"):
            assert said in text, text
