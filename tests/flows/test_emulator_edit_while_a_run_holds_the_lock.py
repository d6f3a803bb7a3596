"""Tester round 101a, 3: ``lmsync emulator edit`` while a run held the programme's lock said "saved to ..." and
exit 0, and the run, saving the site as it ended, then lost the edit. The edit now takes the programme's lock
as a run does: while another run holds it, it is refused (exit 4) and the site is left as it was."""

from __future__ import annotations

import json
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


@pytest.mark.sqlite_only("the programme's lock beside a SQLite store file")
def test_an_edit_or_reset_with_state_naming_the_programmes_own_site_takes_the_lock(demo_home: Any) -> None:
    """Tester round 102b, 2: ``--state FILE`` naming the programme's own site (as written, through a link, or by
    another path) was saved, exit 0, while a run held the lock; ``emulator reset`` alike. Any other file is not
    the programme's, and is changed as before."""
    config = load_config(demo_home / "lmsync.toml", environ={})
    site = config.emulator_state_path()
    before = site.read_bytes()
    (demo_home / "link.json").symlink_to(site)
    other = demo_home / "other.json"
    other.write_bytes(before)
    names = [str(site), str(demo_home / "link.json"), str(site.parent / ".." / site.parent.name / site.name)]
    with lock_for(config):  # a run holds it
        for name in names:
            edit = run_in(demo_home, "emulator", "edit", "suspend", "s0058", "--state", name)
            assert edit.exit_code == 4, (name, edit.output)
            assert "another lmsync run holds" in edit.output and "--wait" not in edit.output, edit.output
            reset = run_in(demo_home, "emulator", "reset", "--state", name)
            assert reset.exit_code == 4, (name, reset.output)
        assert site.read_bytes() == before
        elsewhere = run_in(demo_home, "emulator", "edit", "suspend", "s0058", "--state", str(other))
        assert elsewhere.exit_code == 0, elsewhere.output
        assert run_in(demo_home, "emulator", "reset", "--state", str(other)).exit_code == 0
    done = run_in(demo_home, "emulator", "edit", "suspend", "s0058", "--state", str(site))  # let go: made
    assert done.exit_code == 0, done.output
    assert site.read_bytes() != before
    assert run_in(demo_home, "emulator", "reset", "--state", str(site)).exit_code == 0
    # a reset dates enrolment ends from the clock: the same site a second later differs there only (a flake)
    assert _clockless(site.read_bytes()) == _clockless(before)


def _clockless(state: bytes) -> Any:
    """The emulator state ``state`` (JSON bytes) with every enrolment's ``timestart``/``timeend`` set to 0."""
    data = json.loads(state)
    for course in data.get("courses", {}).values():
        for enrolment in course.get("enrolments", {}).values():
            for key in ("timestart", "timeend"):
                if key in enrolment:
                    enrolment[key] = 0
    return data
