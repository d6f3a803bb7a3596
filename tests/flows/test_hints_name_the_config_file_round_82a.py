"""Tester round 82a, 8: with the configuration in another file (`--config prog.toml`, `LMSYNC_CONFIG`), the fix
lines said to edit `lmsync.toml`, a file that admin does not have. They name the file lmsync read."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from lmsync.cli import main


def test_an_errors_fix_and_the_emulator_notice_name_the_configuration_file_in_use(cli_home: Path) -> None:
    config = cli_home / "prog.toml"
    config.write_text('[programme]\nname = "mentoring-2026"\ncourse = "MENTOR-2026"\n')
    runner = CliRunner()
    synced = runner.invoke(main, ["--config", str(config), "--log-level", "error", "sync"])
    assert synced.exit_code == 0, synced.output
    assert f"Set [moodle] url in {config} to use your Moodle" in " ".join(synced.output.split())
    old = cli_home / "old.csv"
    old.write_text("date,mentor,mentee,minutes,attended\n1999-10-12,m0001,s0001,30,yes\n")
    refused = runner.invoke(main, ["--config", str(config), "--log-level", "error", "import", "meetings", str(old)])
    said = " ".join(refused.output.split())
    assert refused.exit_code == 3, refused.output
    assert f"set [meetings] start (or [waves] programme_start) in {config} to" in said
    assert "lmsync.toml" not in said
    named = cli_home / "lmsync.toml"  # the default name is left as it is
    named.write_text(config.read_text())
    refused = runner.invoke(main, ["--config", str(named), "--log-level", "error", "import", "meetings", str(old)])
    assert "in lmsync.toml to" in " ".join(refused.output.split()), refused.output
