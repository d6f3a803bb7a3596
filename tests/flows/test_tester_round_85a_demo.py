"""Tester round 85a, 3: ``lmsync demo`` run beside a real ``lmsync.toml`` (a [moodle] url and a [store] path)
wrote the demo site and its data into the programme's store path, which then belonged to the emulator (the next
``lmsync sync`` was refused, exit 2), and said "lmsync.toml sets no [moodle] url", which was false."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from lmsync.cli import main
from lmsync.service import moodle


@pytest.mark.sqlite_only("the demo's SQLite stores")
def test_round_85a_3_the_demo_leaves_a_configured_store_alone_and_says_why_it_runs_the_emulator(
        tmp_path, monkeypatch):
    monkeypatch.setattr(moodle, "_announced", False)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    for name in ("LMSYNC_TOKEN", "LMSYNC_STORE_PATH", "LMSYNC_STORE_URL", "LMSYNC_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    prod = tmp_path / "prod"
    prod.mkdir()
    config = tmp_path / "lmsync.toml"
    config.write_text(f'[moodle]\nurl = "https://moodle.example.test"\n[store]\npath = "{prod / "mentoring.db"}"\n')
    result = CliRunner().invoke(main, ["--config", str(config), "demo"])
    assert result.exit_code == 0, result.output
    assert list(prod.iterdir()) == []  # nothing of the demo's in the programme's folder
    assert "sets no [moodle] url" not in result.output
    assert "the Moodle and the store" in result.output and "are left alone" in result.output
    assert (tmp_path / "state" / "lmsync" / "emulator").is_dir()
