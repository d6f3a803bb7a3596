"""The answers to one mentor quality the report's programme row counts (tester round 120a, 1: per-mentor check).

A mentor shown per mentor (rated by at least ``[grades] min_mentees_for_mentor_rating`` mentees) has a quality's
mean left out when fewer of them answered that quality (a sitting counts with 7 of the 9 answered), yet the
programme row still counted those answers: with mentor 1's three raters, one of whom skipped compassion, and
mentor 2's three, the programme's "compassion 5, 4.0" less mentor 2's "3, 4.67" gave the sum of the two
compassion ratings mentor 1 had (6), a mean over two raters that the per-mentor rule withholds. The answers of
the means not shown count in the programme row only while they are at least ``[report] min_cell`` together,
as ``complementary`` holds year groups.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping


def item_scores(
    counted: Mapping[int, Mapping[int, Mapping[str, float]]],
    item: str,
    min_mentees: int,
    min_cell: int,
    withheld: Collection[int] = (),
) -> tuple[list[float], bool]:
    """The answers to ``item`` over ``counted`` (mentor -> mentee -> item -> value) that the programme row takes,
    and whether some were left out: a mentor's answers whose own mean of ``item`` is not shown (rated by fewer
    than ``min_mentees`` on it, or not shown at all) are left out while fewer than ``min_cell`` together.
    A mentor in ``withheld`` (an erasure's: ``report_withheld``) counts as before."""
    shown: list[float] = []
    hidden: list[float] = []
    for mentor, ratings in counted.items():
        given = [v[item] for v in ratings.values() if item in v]
        own = mentor in withheld or (len(ratings) >= min_mentees and len(given) >= min_mentees)
        (shown if own else hidden).extend(given)
    if 0 < len(hidden) < min_cell:
        return shown, True
    return shown + hidden, False
