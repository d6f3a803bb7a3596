"""Tester round 118b, 6: a late answer put back a figure an erasure had withheld.

The erasure guard compared counts of sittings (``rater_checkpoints``), and a count cannot see one sitting deleted and
another added. A mentor's count covers every day up to the erasure across waves: four mentees rated him in T0, the
others in T1 but two (A and B); A was erased on 2026-10-15 and ``pair show`` withheld the mentor's means; B's T1
answer dated 2026-10-12, imported on 2026-10-20, put the count back and ``pair show`` read "T0: 3.0 (mean over 3
mentee(s))": 4 x before - 3 x after gave A's rating back. An erasure day now marks the highest survey answer id then
stored (``rater_counts.ANSWERS_UP_TO``), and the recount is over the answers up to it: what the erasure deleted
lowers it for good, and a late answer neither withholds nor puts back anything. A later erasure of the same day
re-bases the day's counts to its own mark (``rater_checkpoints.rebase_day``), so deleting an answer stored after the
first erasure of the day withholds what it was in too.

The setup of round 116, 1 on the built-in emulator (waves T0 in September, T1 in October, ``min_cell`` 1).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tests.flows.test_tester_round_77b_erasure import (
    REPORT_WITHHELD,
    WITHHELD,
    _at,
    erase,
    mentee_line,
    run,
    table,
)
from tests.flows.test_tester_round_92a_2_erasure_withholds_only_what_it_changed import MENTEE
from tests.flows.test_tester_round_94a_2_erasure_withholds_mentor_side import circles
from tests.flows.test_tester_round_118b_1_late_answer_after_erasing_an_incomplete_sitting import (
    Sitting,
    home,
    import_on,
)

__all__ = ["home"]  # the fixture

Cast = tuple[str, list[str], str, str]  # (mentor, their mentees, another circle's mentor, one of their mentees)


def cast(home: Path) -> Cast:
    """A mentor with four or more mentees, and another circle's mentor with a mentee."""
    known = circles(home)
    mentor, mentees = next((m, e) for m, e in known if len(e) >= 4)
    other, others = next((m, e) for m, e in known if m != mentor and e)
    return mentor, mentees, other, others[0]


def rate(rows: list[tuple[str, str]], day: str) -> list[Sitting]:
    """Each (mentee, mentor) rates the mentor in full on ``day``."""
    return [(e, day, MENTEE, m, 5) for e, m in rows]


def gone(home: Path, who: str) -> None:
    """``who`` unenrolled, synced and erased (at the clock set)."""
    run(home, "emulator", "edit", "unenrol", who)
    run(home, "sync")
    assert "survey_answers" in erase(home, who).output


def test_round_118b_6_a_late_answer_does_not_put_back_a_withheld_mentors_mean(
    home: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The tester's case: the mentor's means stay withheld after B's late T1 answer (dated before the erasure)."""
    mentor, mentees, _other, _mentee = cast(home)
    a, b = mentees[0], mentees[1]
    import_on(home, monkeypatch, date(2026, 9, 10), "t0.csv", rate([(e, mentor) for e in mentees[:4]], "2026-09-05"))
    import_on(home, monkeypatch, date(2026, 10, 10), "t1.csv",
              rate([(e, mentor) for e in mentees if e not in (a, b)], "2026-10-05"))
    _at(monkeypatch, date(2026, 10, 15), hour=9)
    gone(home, a)
    assert WITHHELD in mentee_line(run(home, "pair", "show", mentor, b).output, "T0")
    import_on(home, monkeypatch, date(2026, 10, 20), "late.csv", rate([(b, mentor)], "2026-10-12"))
    _at(monkeypatch, date(2026, 11, 2), hour=9)
    shown = run(home, "pair", "show", mentor, b).output
    assert WITHHELD in mentee_line(shown, "T0") and "mean over 3" not in shown, shown


def test_round_118b_6_a_late_answer_moves_a_figure_the_erasure_changed_nothing_of(
    home: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A mentee of another circle who answered T0 only erased: T1's programme-wide figure and the means of a mentor
    the erasure deleted nothing about held nothing of theirs, and a late answer dated before the erasure moves them
    as any answer does; T0's programme-wide figure, which the erasure changed, stays withheld."""
    mentor, mentees, other, erased = cast(home)
    import_on(home, monkeypatch, date(2026, 9, 10), "t0.csv",
              rate([(e, mentor) for e in mentees[1:]] + [(erased, other)], "2026-09-05"))
    import_on(home, monkeypatch, date(2026, 10, 10), "t1.csv", rate([(e, mentor) for e in mentees[2:]], "2026-10-05"))
    _at(monkeypatch, date(2026, 10, 15), hour=9)
    gone(home, erased)
    import_on(home, monkeypatch, date(2026, 10, 20), "late.csv", rate([(mentees[1], mentor)], "2026-10-12"))
    _at(monkeypatch, date(2026, 11, 2), hour=9)
    shown = run(home, "pair", "show", mentor, mentees[1]).output
    assert WITHHELD not in shown and f"mean over {len(mentees) - 1} mentee(s)" in mentee_line(shown, "T1"), shown
    run(home, "report", "--out", "rep", "--format", "csv")
    found = {row[2]: row[3] for row in table(home / "rep", "relationship_satisfaction")[1:] if row[0] == MENTEE}
    assert found == {"T0": REPORT_WITHHELD, "T1": str(len(mentees) - 1)}, found


def test_round_118b_6_a_second_erasure_of_the_day_deleting_a_later_answer_withholds(
    home: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Another circle's mentee erased at 09:00; B's late T0 answer about the mentor imported at 10:00 (after that
    erasure's mark) moves the mentor's T0 mean; B erased at 11:00 the same day: the mean without B's answer would
    give it back by difference, and is withheld."""
    mentor, mentees, other, erased = cast(home)
    b = mentees[0]
    import_on(home, monkeypatch, date(2026, 9, 10), "t0.csv",
              rate([(e, mentor) for e in mentees[1:]] + [(erased, other)], "2026-09-05"))
    _at(monkeypatch, date(2026, 10, 15), hour=9)
    gone(home, erased)
    import_on(home, monkeypatch, date(2026, 10, 15), "late.csv", rate([(b, mentor)], "2026-09-12"))
    _at(monkeypatch, date(2026, 10, 15), hour=10)
    with_b = mentee_line(run(home, "pair", "show", mentor, mentees[1]).output, "T0")
    assert f"mean over {len(mentees)} mentee(s)" in with_b, with_b
    _at(monkeypatch, date(2026, 10, 15), hour=11)
    gone(home, b)
    _at(monkeypatch, date(2026, 11, 2), hour=9)
    shown = run(home, "pair", "show", mentor, mentees[1]).output
    assert WITHHELD in mentee_line(shown, "T0"), shown
