"""Tester rounds 89a and 89b: words that did not match what lmsync does.

- 89a, 5: a suspended account in a circle held while its mentor is away was said "removed from their
  circle"; the plan keeps them until the hold ends.
- 89a, 9: the report's match scores leave out the bonus ``lmsync match`` adds for keeping an existing
  pair (11 there, 6 in the report): the report now says so.
- 89b, 8a: a relative ``LMSYNC_MOODLE_TOKEN_FILE`` missing was said to be read from the configuration
  file's folder; it is read from the current folder, and the error now says where it looked.
- 89b, 8b: ``lmsync init --url <a Moodle page>`` named a line of an unwritten lmsync.toml; now ``--url``.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from lmsync.cli import main
from lmsync.config import load_config
from lmsync.errors import ConfigError


def _run(*args: str) -> Any:
    done = CliRunner().invoke(main, list(args))
    assert done.exception is None or isinstance(done.exception, SystemExit), done.output
    return done


def test_round_89a_5_a_suspended_member_of_a_held_circle_is_said_to_stay_until_the_hold_ends(cli_home: Any) -> None:
    assert _run("sync").exit_code == 0
    assert _run("emulator", "edit", "unenrol", "m0002").exit_code == 0
    assert _run("emulator", "edit", "suspend", "s0049", "--account").exit_code == 0
    plan = _run("plan").output
    held = re.search(r"circle 'Circle: [^']+' held as it is: .* its (\d+) member\(s\) stay until (\d{4}-\d\d-\d\d)", plan)
    assert held, plan
    (said,) = [line for line in plan.splitlines() if "(s0049)" in line and "account suspended in Moodle" in line]
    assert "removed from their circle" not in said, said
    assert f"stays in their circle, held as it is while its mentor is away until {held.group(2)}" in said, said
    assert "removed from it when the hold ends" in said
    assert "(s0049) from " not in plan, plan  # no removal planned: the circle is held as it is


def test_round_89a_5_a_suspended_member_of_a_circle_not_held_is_still_said_removed(
    cli_home: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LMSYNC_SYNC_AWAY_MENTOR_HOLD_DAYS", "0")  # no place held (tester round 103b, 1)
    assert _run("sync").exit_code == 0
    assert _run("emulator", "edit", "suspend", "s0049", "--account").exit_code == 0
    plan = _run("plan").output
    (said,) = [line for line in plan.splitlines() if "(s0049)" in line and "account suspended in Moodle" in line]
    assert said.endswith("; removed from their circle"), said
    assert "(s0049) from " in plan, plan  # and the plan removes them


def test_round_89a_9_the_report_says_its_match_scores_leave_out_the_keeping_bonus(cli_home: Any) -> None:
    assert _run("sync").exit_code == 0
    match = _run("match").output
    assert "keeps the existing pair" in match  # lmsync match counts the bonus in its score
    assert _run("report", "--out", "report.html").exit_code == 0
    page = (cli_home / "report.html").read_text(encoding="utf-8")
    words = "without the bonus `lmsync match` adds for keeping an existing pair"
    assert f"Match score of each current pair, {words}" in page
    assert "current pairs (without the bonus `lmsync match` adds for keeping an existing pair)" in page  # the chart
    assert _run("report", "--format", "csv", "--out", "tables").exit_code == 0
    with (cli_home / "tables" / "notes.csv").open(encoding="utf-8") as f:
        notes = [row[0] for row in csv.reader(f)]
    assert any(words in note and "lower here than in `lmsync match`" in note for note in notes), notes


def _config_with_url(folder: Path, token_file: str = "") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "lmsync.toml"
    token = f'token_file = "{token_file}"\n' if token_file else ""
    path.write_text(f'[programme]\nname = "p"\ncourse = "C"\n[moodle]\nurl = "https://moodle.example.edu"\n{token}')
    return path


def test_round_89b_8a_a_relative_token_file_set_by_environment_is_said_read_from_the_current_folder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config_file = _config_with_url(tmp_path / "etc")
    here = tmp_path / "work"
    here.mkdir()
    monkeypatch.chdir(here)
    monkeypatch.delenv("LMSYNC_TOKEN", raising=False)
    monkeypatch.setenv("LMSYNC_MOODLE_TOKEN_FILE", "nofile")
    config = load_config(config_file)
    with pytest.raises(ConfigError) as caught:
        config.load_token()
    assert f"looked for at {here / 'nofile'}" in caught.value.message
    hint = caught.value.hint or ""
    assert "configuration file's folder" not in hint and "from the current folder" in hint, hint
    assert "LMSYNC_MOODLE_TOKEN_FILE" in hint


def test_round_89b_8a_a_relative_token_file_written_in_the_file_is_said_read_from_its_folder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config_file = _config_with_url(tmp_path / "etc", token_file="token")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("LMSYNC_TOKEN", raising=False)
    monkeypatch.delenv("LMSYNC_MOODLE_TOKEN_FILE", raising=False)
    with pytest.raises(ConfigError) as caught:
        load_config(Path("etc") / "lmsync.toml").load_token()
    assert f"looked for at {config_file.parent / 'token'}" in caught.value.message, caught.value.message
    assert "written in the configuration file is read from that file's folder" in (caught.value.hint or "")


def test_round_89b_8b_init_names_the_flag_a_wrong_url_came_from(cli_home: Any) -> None:
    done = _run("init", "--no-input", "--url", "https://moodle.example.edu/login/index.php", "--name", "p",
                "--course", "C", "--forum", "F")
    assert done.exit_code == 3, done.output
    assert "--url (moodle.url): is the address of a Moodle page" in done.output, done.output
    assert "lmsync.toml" not in done.output and "line " not in done.output, done.output
    assert not (cli_home / "lmsync.toml").exists()
