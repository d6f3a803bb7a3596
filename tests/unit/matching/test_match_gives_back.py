"""Issue 15, sync memory (fifth pass): what a circle's solve freed is handed back before the rest.

``_match_circle`` kept its ``Compatibility`` (the circle's feature tables) to the end and nothing
handed back the solve's freed arrays: glibc kept them resident through the explanations, the
plan, the apply and the no-op re-sync of a 55,000-user run, whose peak (409 MB) came after the
match. It now drops the tables and calls ``give_back`` as soon as the solve returns: that run
peaks at 385 MB, inside the solve.
"""

from __future__ import annotations

import gc
from typing import Any

import pytest

import lmsync.domain.assignment as assignment
import lmsync.domain.slot_solver as slot_solver
from lmsync.domain.compatibility import Compatibility, MatchSettings
from lmsync.domain.matching import match

from .test_pruned_certificate import programme


def test_each_solve_is_followed_by_a_give_back_with_no_tables_held(monkeypatch: pytest.MonkeyPatch) -> None:
    solved = {"open": 0}
    after: list[int] = []  # live Compatibility objects at each give_back that follows a solve
    real_solve, real_give_back = assignment.solve, slot_solver.give_back

    def solve(*args: Any, **kwargs: Any) -> Any:
        out = real_solve(*args, **kwargs)
        solved["open"] += 1
        return out

    def give_back() -> None:
        if solved["open"]:
            solved["open"] -= 1
            gc.collect()
            after.append(sum(isinstance(o, Compatibility) for o in gc.get_objects()))
        real_give_back()

    monkeypatch.setattr(assignment, "solve", solve)
    monkeypatch.setattr(slot_solver, "give_back", give_back)
    result = match(programme(60, 12, 5), MatchSettings())
    assert result.assignments
    assert after == [0]  # the one circle's solve, then its tables gone and the memory handed back
