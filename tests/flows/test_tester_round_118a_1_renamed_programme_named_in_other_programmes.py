"""Tester round 118a, 1: ``[sync] other_programmes`` let a renamed programme through.

With ``name = "mp"`` synced (20 circles), then ``name = "mp2"`` and the same ``[store] path``, ``lmsync plan`` was
refused (exit 2), and adding ``[sync] other_programmes = ["mp"]`` (the refusal's first fix) made ``lmsync doctor``
pass and ``lmsync sync`` create a second grouping, 20 more circles and 20 more welcome discussions: everyone in two
circles. The store's journal holds programme mp's writes, so mp is this programme renamed: the plan (and doctor) still
refuse it when only ``other_programmes`` names it, and the refusal's first fix is the old name back. A store of its
own (a second programme on purpose, beside last year's) still passes with ``other_programmes``.
"""

from __future__ import annotations

import shutil
from typing import Any

from lmsync.config import load_config
from lmsync.errors import EXIT_ADMIN
from lmsync.moodle.emulator.state import Site
from tests.flows.test_reads_never_write import emulator_writes as emulator_writes  # noqa: F401  (fixture)

from .conftest import run_in


def _write(home: Any, name: str, more: str = "", store: str = "st/mp.db") -> Any:
    (home / "lmsync.toml").write_text(
        f'[programme]\nname = "{name}"\ncourse = "MENTOR-2026"\npeer_mentor_cohort = "peer-mentors-2026"\n'
        f'forum = "Mentoring circles"\n[store]\npath = "{home / store}"\n[waves]\nprogramme_start = "2026-09-01"\n'
        + more)
    return load_config(home / "lmsync.toml", environ={})


def _lmsync_objects(site: Site) -> tuple[list[str], int, int]:
    groupings = sorted(g.idnumber for g in site.groupings.values() if g.idnumber.startswith("lmsync:"))
    circles = sum(1 for g in site.groups.values() if g.idnumber.startswith("lmsync:"))
    return groupings, circles, len(site.discussions)


def _said(result: Any) -> str:
    return " ".join(result.output.split())


def test_a_renamed_programme_named_in_other_programmes_is_still_refused(cli_home: Any, emulator_writes: list[str]) -> None:
    config = _write(cli_home, "mp")
    first = run_in(cli_home, "sync")
    assert first.exit_code == 0, first.output
    site_file = config.emulator_state_path()
    before = site_file.read_bytes()
    objects = _lmsync_objects(Site.load(site_file))
    assert objects[:2] == (["lmsync:mp"], 20)

    _write(cli_home, "mp2", '[sync]\nother_programmes = ["mp"]\n')
    emulator_writes.clear()
    for command in ("plan", "sync"):
        refused = run_in(cli_home, command)
        assert refused.exit_code == EXIT_ADMIN, (command, refused.output)
        text = _said(refused)
        assert "Refusing this plan: the course holds circles lmsync made for another programme" in text, text
        assert "[sync] other_programmes names 'mp', but that lets through only another programme's circles, " \
               "never this store's own" in text, text
        assert "fix: set [programme] name back to 'mp'" in text, text
    assert emulator_writes == []
    assert site_file.read_bytes() == before
    assert _lmsync_objects(Site.load(site_file)) == objects

    doctor = run_in(cli_home, "doctor")
    assert doctor.exit_code != 0, doctor.output
    line = next((x for x in doctor.output.splitlines() if "other programmes:" in x), "")
    assert line.startswith("[FAIL]") and "This store made the circles of programme 'mp'" in _said(doctor), doctor.output

    _write(cli_home, "mp")  # the fix: the old name back, in sync
    back = run_in(cli_home, "sync")
    assert back.exit_code == 0 and "in sync" in back.output, back.output


def test_the_refusal_of_a_rename_says_so_and_its_first_fix_is_the_old_name_back(cli_home: Any) -> None:
    """The refusal's first fix was ``[sync] other_programmes = ["mp"]``, which (before this fix) made every circle
    twice: it now says the store made mp's circles and offers the old name back first."""
    _write(cli_home, "mp")
    assert run_in(cli_home, "sync").exit_code == 0
    _write(cli_home, "mp2")
    plain = run_in(cli_home, "plan")
    assert plain.exit_code == EXIT_ADMIN, plain.output
    text = _said(plain)
    assert "72 of the 72 people in the 20 circles of programme 'mp'" in text, text
    assert "This store made the circles of programme 'mp' (its journal holds that programme's writes), so this is " \
           "that programme with [programme] name changed to 'mp2', not a second programme." in text, text
    assert "fix: set [programme] name back to 'mp'" in text, text
    assert "give it a store of its own ([store] path" in text, text


def test_a_second_programme_with_a_store_of_its_own_is_let_through_by_other_programmes(cli_home: Any) -> None:
    """Last year's programme's circles still in the course, this year's programme with its own store: named, it
    places the same people (tester round 24, 2), its own grouping and circles."""
    old = _write(cli_home, "mp")
    assert run_in(cli_home, "sync").exit_code == 0
    new = _write(cli_home, "mp2", '[sync]\nother_programmes = ["mp"]\n', store="st/mp2.db")
    shutil.copy(old.emulator_state_path(), new.emulator_state_path())  # one Moodle: the emulator's site follows
    synced = run_in(cli_home, "sync")
    assert synced.exit_code == 0, synced.output
    groupings, circles, _discussions = _lmsync_objects(Site.load(new.emulator_state_path()))
    assert groupings == ["lmsync:mp", "lmsync:mp2"] and circles == 40
