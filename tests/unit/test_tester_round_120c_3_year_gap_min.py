"""Tester round 120c, 3: a negative ``[matching] peer_year_gap_min`` was taken, and a year-1 peer mentor mentored
a year-4 student ("-3 years senior"). It is refused when the configuration loads, naming the key, as a minimum
above the maximum is; 0 (the same year) stays allowed."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from lmsync.cli import main
from lmsync.config import load_config
from lmsync.domain.compatibility import MatchSettings
from lmsync.errors import ConfigError

GAPS = "[matching]\npeer_year_gap_min = {low}\npeer_year_gap_max = 3\npeer_year_gap_preferred = 2\n"


def test_a_negative_minimum_is_refused_at_load_naming_the_key(tmp_path: Path) -> None:
    path = tmp_path / "lmsync.toml"
    path.write_text(GAPS.format(low=-3), encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path, environ={})
    assert "peer_year_gap_min (-3) is below 0" in str(caught.value)
    path.write_text("", encoding="utf-8")
    with pytest.raises(ConfigError) as by_environment:
        load_config(path, environ={"LMSYNC_MATCHING_PEER_YEAR_GAP_MIN": "-1"})
    assert "LMSYNC_MATCHING_PEER_YEAR_GAP_MIN" in str(by_environment.value)
    assert "peer_year_gap_min (-1) is below 0" in str(by_environment.value)
    with pytest.raises(ValueError, match="below 0"):
        MatchSettings(peer_year_gap_min=-1)


def test_the_testers_match_exits_2_and_matches_nobody(tmp_path: Path) -> None:
    config = tmp_path / "lmsync.toml"
    config.write_text('[programme]\nname = "peer-test"\n' + GAPS.format(low=-3), encoding="utf-8")
    people = tmp_path / "p.csv"
    people.write_text("id,role,capacity,year,fullname\nP1,peer_mentor,1,1,Junior Peer\nS4,mentee,,4,Senior Student\n",
                      encoding="utf-8")
    out = CliRunner().invoke(main, ["--config", str(config), "match", "--people", str(people)])
    assert out.exit_code == 2 and "peer_year_gap_min (-3) is below 0" in out.output
    assert "years senior" not in out.output


def test_zero_the_same_year_stays_allowed(tmp_path: Path) -> None:
    path = tmp_path / "lmsync.toml"
    path.write_text(GAPS.format(low=0), encoding="utf-8")
    assert load_config(path, environ={}).matching.peer_year_gap_min == 0
