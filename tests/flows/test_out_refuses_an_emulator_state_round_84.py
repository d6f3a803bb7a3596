"""Tester round 84, finding 2: ``--out`` never replaces an emulator state file, even with ``--force``.

``lmsync plan --out site.json --force``, with site.json the file ``lmsync emulator serve --state site.json``
served, replaced the rehearsal site with a plan; the server then would not start again ("not an emulator
state file"). The shared check (``lmsync.service.out_files.check_out``) now knows such a file by its first
bytes, whatever its name and whether or not it is served, and refuses it as it refuses the store (exit 3).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from lmsync.errors import InputError
from lmsync.moodle.emulator.demo import build_demo_site
from lmsync.moodle.emulator.state import Site
from lmsync.service.out_files import check_out
from tests.flows.test_tester_round_4_out import run as run  # noqa: F401  (fixture)

#: Every command whose --out writes a file through the shared check, with the arguments before --out.
WRITERS = {
    "plan": ("plan",),
    "grades plan": ("grades", "plan"),
    "report": ("report",),
    "person export": ("person", "export", "s0001"),
    "config reference": ("config", "reference"),
    "init": ("init",),
}


@pytest.fixture
def site_file(tmp_path: Path) -> Path:
    """A rehearsal site saved as `lmsync emulator serve --state site.json` and `emulator reset` save it."""
    path = tmp_path / "site.json"
    build_demo_site().save(path)
    Site.load(path)  # the emulator takes it for its state
    return path


def test_round_84_2_plan_out_force_refuses_an_emulator_state_file(run: Any, site_file: Path) -> None:
    """The finding as reported: refused (exit 3, as the store is), the file named and said what it is, the fix
    given; not one byte of the site changes, and the emulator still loads it."""
    before = site_file.read_bytes()
    result = run("plan", "--out", "site.json", "--force")
    assert result.exit_code == 3, result.output
    assert "site.json is an emulator state file" in result.output
    assert "not overwritten" in result.output and "give --out another file" in result.output
    assert "saved to" not in result.output
    assert site_file.read_bytes() == before
    Site.load(site_file)


@pytest.mark.parametrize("command", list(WRITERS))
def test_round_84_2_every_out_refuses_an_emulator_state_file(run: Any, site_file: Path, command: str) -> None:
    if command == "person export":
        assert run("sync").exit_code == 0  # it exports from the store: one sync makes it
    before = site_file.read_bytes()
    result = run(*WRITERS[command], "--out", str(site_file), "--force")
    assert result.exit_code == 3, result.output
    assert "is an emulator state file" in result.output
    assert site_file.read_bytes() == before


def test_round_84_2_known_by_its_content_not_its_name(tmp_path: Path, site_file: Path) -> None:
    """A copy under any name, a link to it, and the site written out pretty-printed are all refused;
    a plan, a JSON object of other keys and an empty file are not (with --force they are replaced)."""
    copy = tmp_path / "backup.txt"
    copy.write_bytes(site_file.read_bytes())
    link = tmp_path / "link.json"
    link.symlink_to(site_file)
    pretty = tmp_path / "pretty.json"
    pretty.write_text(json.dumps(Site.load(site_file).to_json(), indent=2))
    for path in (site_file, copy, link, pretty):
        with pytest.raises(InputError, match="emulator state file"):
            check_out(path, force=True)
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps({"operations": [], "site": {"siteurl": "x"}}))
    empty = tmp_path / "empty.json"
    empty.write_text("")
    for path in (plan, empty, tmp_path / "missing.json"):
        check_out(path, force=True)


def test_round_84_2_a_plan_out_force_still_replaces_its_own_plan(run: Any) -> None:
    """No plan is taken for a site: `plan --out plan.json --force` replaces the plan it wrote before."""
    assert run("plan", "--out", "plan.json").exit_code == 0
    result = run("plan", "--out", "plan.json", "--force")
    assert result.exit_code == 0, result.output
