"""Tester round 48, 1: a mentee marked "not a good fit" with their mentor, erased and back in the course,
was matched with that mentor again by the next run: the erasure took the mark with it, and its prompt
said nothing of it. The prompt and the result now name the marks that go and the ``[matching] forbids``
entry that keeps the pair apart; with that entry the pair stays apart."""

from __future__ import annotations

from typing import Any

import pytest

from lmsync.moodle.emulator.state import Site

from .test_new_admin_part2 import env, run_cli, synced_with_a_pair_marked_not_a_good_fit, write_config

__all__ = ["env"]


@pytest.mark.sqlite_only("the built-in emulator's store is a SQLite file")
def test_round_48_1_erasure_names_the_marks_it_takes_and_the_forbid_that_keeps_the_pair_apart(
    env: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LMSYNC_SYNC_AWAY_MENTOR_HOLD_DAYS", "0")  # out of the circle at once (tester round 103b, 1)
    config, site, _group, mentor, mentee = synced_with_a_pair_marked_not_a_good_fit(env, "queue")
    assert run_cli(env, "sync").exit_code == 0  # the mark moves the mentee away
    username, mentor_name = site.users[mentee].username, site.users[mentor].username
    entry = f'["id:{mentee}", "id:{mentor}"]'
    asked = run_cli(env, "person", "erase", username, "--while-enrolled", input="n\n")
    assert asked.exit_code == 0 and "nothing erased" in asked.output
    said = " ".join(asked.output.split())
    assert 'Their 1 "not a good fit" mark(s) go too' in said and "a re-match not yet synced is undone" in said
    assert f"add {entry} to the [matching] forbids list" in said
    # the tester's steps: away (out of the circle), erased, back
    assert run_cli(env, "emulator", "edit", "suspend", username).exit_code == 0
    assert run_cli(env, "sync").exit_code == 0
    erased = run_cli(env, "person", "erase", username, "--while-enrolled", "--yes")
    assert erased.exit_code == 0, erased.output
    assert "pair_forbids 1" in erased.output and f"add {entry} to the [matching] forbids list" in " ".join(erased.output.split())
    assert run_cli(env, "emulator", "edit", "restore", username).exit_code == 0
    back_to = f"({username}) to "
    unguarded = [line for line in run_cli(env, "plan").output.splitlines() if back_to in line]
    assert unguarded and f"({mentor_name})'s circle" in unguarded[0]  # the harm: back with that mentor
    write_config(env, f"[matching]\nforbids = [{entry}]\n")
    assert run_cli(env, "sync").exit_code == 0
    after = Site.load(config.emulator_state_path())
    (circle,) = [g for g in after.groups.values() if g.idnumber.endswith(f":mentor:{mentor}")]
    assert mentee not in circle.members
    assert any(mentee in g.members for g in after.groups.values() if g.idnumber.startswith("lmsync:"))
