"""Issue 15, sync memory (third pass): what the solve no longer holds.

``run_match`` lets go of its pin, forbid and rematch key maps (``_Lookup``: every id and alias,
and every key lower-cased; ~15 MB at 50,000 people) before the solve.
"""

from __future__ import annotations

import gc

import pytest

import lmsync.service.match as match_service
from lmsync.config import load_config
from lmsync.domain.matching import MatchResult
from lmsync.domain.people import People, Person


def test_run_match_solves_without_its_key_maps(monkeypatch: pytest.MonkeyPatch) -> None:
    held: list[bool] = []
    real = match_service.match

    def spy(people: People, settings: object) -> MatchResult:
        gc.collect()
        held.append(any(isinstance(o, match_service._Lookup) for o in gc.get_objects()))
        return real(people, settings)  # type: ignore[arg-type]

    monkeypatch.setattr(match_service, "match", spy)
    persons = [Person(id="m1", role="mentor", capacity=2, aliases=frozenset({"M1@x.org"})),
               Person(id="s1", role="mentee"), Person(id="s2", role="mentee")]
    config = load_config(None, environ={"LMSYNC_MATCHING_PINS": '[["s2", "m1@x.org"]]'})
    result = match_service.run_match(People(persons), config)
    assert held == [False]
    assert {(a.mentee, a.mentor) for a in result.assignments} == {("s1", "m1"), ("s2", "m1")}
