"""Tester round 130a, 1: `lmsync person erase` refused a coordinator enrolled in the programme course as a
manager (no ``[programme] mentor_roles`` or ``mentee_roles`` role, in no circle) with an untrue reason: "the next
sync would bring them straight back and pair them again as if new". The sync never pairs someone without a
programme role, so nothing brings them back: the erasure goes ahead. Someone enrolled in a programme role is
refused as before."""

from __future__ import annotations

from typing import Any

from tests.flows.test_new_admin_part2 import env, run_cli, seed  # noqa: F401  (env: the fixture)


def test_a_coordinator_enrolled_as_manager_is_erased_and_a_mentee_still_enrolled_is_refused(env: Any) -> None:  # noqa: F811
    seed(env)
    assert run_cli(env, "sync").exit_code == 0
    assert run_cli(env, "emulator", "edit", "join", "coord1", "--role", "manager", "--name", "Corinna Coordinator").exit_code == 0
    erased = run_cli(env, "person", "erase", "coord1", "--yes")
    assert erased.exit_code == 0, erased.output
    assert "still enrolled" not in erased.output and "pair them again" not in erased.output, erased.output
    mentee = run_cli(env, "person", "erase", "s0008", "--yes")
    assert mentee.exit_code == 3, mentee.output
    assert "still enrolled in the programme course" in mentee.output and "--while-enrolled" in mentee.output
