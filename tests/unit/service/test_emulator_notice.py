"""Issue 11: with no configuration, lmsync says (once) that it runs the emulator, and keeps its own store."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from lmsync.cli import main
from lmsync.config import load_config
from lmsync.service import moodle


@pytest.fixture
def fresh(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setattr(moodle, "_announced", False)
    return tmp_path


def test_issue_11_no_config_file_warns_once_on_stderr_that_it_runs_the_emulator(fresh):
    result = CliRunner().invoke(main, ["--log-level", "warning", "demo"])
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.stderr.splitlines() if "built-in Moodle emulator" in line]
    assert len(warnings) == 1 and warnings[0].startswith("warning: no configuration file")
    assert "built-in Moodle emulator" not in result.stdout


def test_issue_11_a_config_without_url_also_says_so(fresh):
    (fresh / "lmsync.toml").write_text('[programme]\nname = "p1"\n')
    result = CliRunner().invoke(main, ["--log-level", "warning", "plan"])
    assert result.exit_code == 0, result.output
    assert "lmsync.toml sets no [moodle] url: running against the built-in Moodle emulator" in result.stderr


def test_issue_11_the_emulator_uses_a_store_of_its_own(fresh):
    emulated = load_config(None, environ={})
    real = load_config(None, environ={"LMSYNC_MOODLE_URL": "https://moodle.school.example"})
    assert emulated.uses_emulator and not real.uses_emulator
    assert emulated.store_path() != real.store_path()
    assert emulated.store_path().parent == real.store_path().parent / "emulator"
    assert emulated.emulator_state_path().parent == emulated.store_path().parent
    pinned = load_config(None, environ={"LMSYNC_STORE_PATH": str(fresh / "mine.db")})
    assert pinned.store_path() == fresh / "mine.db"  # an explicit [store] path is used as written
