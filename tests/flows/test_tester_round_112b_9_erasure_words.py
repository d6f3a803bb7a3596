"""Tester round 112b, 9: what ``lmsync person erase`` and ``lmsync health --as-of`` say of an erasure.

9a: the question before erasing a mentor said "A mentor's note on a meeting of the whole circle leaves the other
mentees' copies too", which only a mentee's erasure does: a mentor's takes every meeting of theirs whole, every
mentee's copy with it. It now says what erasing a mentor does, and a mentee's question keeps its sentence.

9b: ``lmsync health --as-of DAY`` for a day before an erasure counted fewer pairs than it did on that day, silently:
the erased person's pairing history went with them. The view now says how many people were erased on or after that
day and that their pairs are not counted (text), and counts them in JSON's ``people_erased_since``.

The tester's programme of ``test_tester_round_111b_2_feedback_after_a_mentor_erased`` (m0001's circle s0008, s0020,
s0027, a whole-circle note logged by m0001), its days ahead of the wall clock.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from lmsync.cli import main
from lmsync.errors import EXIT_OK
from tests.flows.conftest import run_in
from tests.flows.test_tester_round_111b_2_feedback_after_a_mentor_erased import BASE, _on
from tests.flows.test_tester_round_111b_2_feedback_after_a_mentor_erased import logged as logged  # noqa: F401

ERASED_ON = BASE + timedelta(days=29)
COPIES = "leaves the other mentees' copies too"


def _asked(home: Path, who: str) -> str:
    """The question ``person erase WHO`` asks, answered no (nothing erased), its spaces as one."""
    result = CliRunner().invoke(main, ["--log-level", "warning", "--config", str(home / "lmsync.toml"), "person",
                                       "erase", who], input="n\n")
    said = " ".join(result.output.split())
    assert result.exit_code == EXIT_OK and "nothing erased" in said, said
    return said


@pytest.mark.sqlite_only("the built-in emulator's store is a SQLite file")
def test_round_112b_9a_a_mentors_erasure_question_says_their_meetings_go_whole(
    logged: Path, monkeypatch: pytest.MonkeyPatch  # noqa: F811
) -> None:
    _on(monkeypatch, ERASED_ON)
    for who in ("m0001", "s0020"):
        assert run_in(logged, "emulator", "edit", "unenrol", who).exit_code == EXIT_OK
    mentor = _asked(logged, "m0001")
    assert COPIES not in mentor, mentor  # a mentee's erasure's words, not a mentor's
    assert ("Every meeting of theirs goes whole, with the rating and notes stored on it (a meeting of the whole "
            "circle from every mentee's record, with this person's note on it); none dated up to today is stored "
            "again") in mentor, mentor
    mentee = _asked(logged, "s0020")
    assert f"A mentor's note on a meeting of the whole circle {COPIES} (it may name this person)." in mentee, mentee
    assert "Every meeting of theirs goes whole" not in mentee, mentee


@pytest.mark.sqlite_only("the built-in emulator's store is a SQLite file")
def test_round_112b_9b_health_of_a_day_before_an_erasure_says_the_erased_are_not_counted(
    logged: Path, monkeypatch: pytest.MonkeyPatch  # noqa: F811
) -> None:
    day = (BASE + timedelta(days=10)).isoformat()
    _on(monkeypatch, ERASED_ON)
    before = json.loads(run_in(logged, "health", "--as-of", day, "--format", "json").output)
    assert before["people_erased_since"] == 0
    assert run_in(logged, "emulator", "edit", "unenrol", "m0001").exit_code == EXIT_OK
    assert run_in(logged, "person", "erase", "m0001", "--yes").exit_code == EXIT_OK
    _on(monkeypatch, ERASED_ON, hour=10)
    after = json.loads(run_in(logged, "health", "--as-of", day, "--format", "json").output)
    assert len(after["pairs"]) < len(before["pairs"])  # m0001's circle went with them
    assert after["people_erased_since"] == 1
    text = " ".join(run_in(logged, "health", "--as-of", day).output.split())
    assert (f"(1 person erased on or after {day} not counted: an erasure takes the person's pairing history with "
            "them, so their pairs of that day, if they had any, are not in this view)") in text, text

    # a day after the erasure, and today's view, lost nothing to it
    _on(monkeypatch, ERASED_ON + timedelta(days=2))
    later = (ERASED_ON + timedelta(days=1)).isoformat()
    assert json.loads(run_in(logged, "health", "--as-of", later, "--format", "json").output)["people_erased_since"] == 0
    assert "erased on or after" not in run_in(logged, "health", "--as-of", later).output
    today = json.loads(run_in(logged, "health", "--as-of", (ERASED_ON + timedelta(days=2)).isoformat(),
                              "--format", "json").output)
    assert today["people_erased_since"] == 0
