"""Tester round 101a, 3: ``lmsync emulator edit`` while a run held the programme's lock said "saved to ..." and
exit 0, and the run, saving the site as it ended, then lost the edit. The edit now takes the programme's lock
as a run does: while another run holds it, it is refused (exit 4) and the site is left as it was."""

from __future__ import annotations

from typing import Any

import pytest

from lmsync.config import load_config
from lmsync.service.runtime import lock_for

from .conftest import run_in


@pytest.mark.sqlite_only("the programme's lock beside a SQLite store file")
def test_an_emulator_edit_while_a_run_holds_the_lock_is_refused_and_changes_nothing(demo_home: Any) -> None:
    config = load_config(demo_home / "lmsync.toml", environ={})
    site = config.emulator_state_path()
    before = site.read_bytes()
    with lock_for(config):  # a run holds it
        held = run_in(demo_home, "emulator", "edit", "suspend", "s0058")
    assert held.exit_code == 4, held.output
    assert "another lmsync run holds" in held.output, held.output
    assert site.read_bytes() == before
    done = run_in(demo_home, "emulator", "edit", "suspend", "s0058")  # the lock let go: the edit is made
    assert done.exit_code == 0, done.output
    assert site.read_bytes() != before
