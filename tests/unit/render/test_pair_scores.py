"""``pair show``'s line for a satisfaction score (tester round 6, 5: a raw ``None`` was printed)."""

from __future__ import annotations

from datetime import date

from lmsync.render.pair import _satisfaction
from lmsync.service.pair_history import SideScore

DAY = date(2026, 11, 25)


def test_tester_round_6_5_an_unscored_answer_says_so_instead_of_none() -> None:
    assert _satisfaction(SideScore("mentor", "rs", "T3", DAY, None)) == "no score (too few of the instrument's items answered)"
    assert _satisfaction(SideScore("mentee", "rs", "T3", DAY, None, over=0, withheld=True)) == (
        "no scored answer from the mentor's mentees")
    assert _satisfaction(SideScore("mentee", "rs", "T3", DAY, None, over=2, withheld=True)).startswith(
        "withheld: only 2 of the mentor's mentees answered")
    assert _satisfaction(SideScore("mentor", "rs", "T3", DAY, 3.5)) == "3.5"
    assert _satisfaction(SideScore("mentee", "rs", "T3", DAY, 4.0, over=3)) == "4.0 (mean over 3 mentee(s) of this mentor)"
