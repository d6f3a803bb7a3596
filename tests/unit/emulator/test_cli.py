"""``lmsync emulator reset`` writes a loadable demo site."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from lmsync.cli.emulator import command
from lmsync.moodle.emulator import DEMO_TOKEN, Site


def test_reset_writes_a_fresh_demo_site(tmp_path: Path) -> None:
    state = tmp_path / "emulator.json"
    result = CliRunner().invoke(command, ["reset", "--state", str(state), "--seed", "3"])
    assert result.exit_code == 0, result.output
    site = Site.load(state)
    assert DEMO_TOKEN in site.tokens and site.groups == {} and len(site.courses[2].enrolments) == 75
