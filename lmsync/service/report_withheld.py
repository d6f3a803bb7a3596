"""The report's survey figures an erasure changed, withheld (tester round 77b, 1).

A report made before an erasure and one made after differ by the erased person's answers: the per-mentor
mentor qualities gave all nine of an erased mentee's ratings back, and the programme-wide satisfaction of
a closed wave (52 x 3.95 - 51 x 3.941 = 4.409) their rating of the mentor to the tenth. So each figure over
answers dated on or before an erasure whose count of sittings changed since (``rater_checkpoints``: per
mentor, and programme-wide) reads ``WITHHELD`` in its count column, with no statistics, in the HTML page
and the CSV files alike. The response table keeps its counts: it says who answered, not what.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import date
from typing import Any

from lmsync.service.rater_checkpoints import ErasureChanges
from lmsync.service.report_model import Table

#: A withheld figure's count cell (``n``, ``mentees``): no count (it changed), no day (it would date the erasure).
WITHHELD = "withheld (who answered changed after an erasure)"


def withhold_rows(table: Table, at: int, words: str, withholds: Callable[[tuple[Any, ...]], bool]) -> Table:
    """``table`` with each row ``withholds`` picks reading ``words`` in its count column ``at`` and no figure after
    it. Serves an erasure's rule here and a closed wave's (``report_closed``)."""
    rows = tuple((*row[:at], words, *([None] * (len(row) - at - 1))) if withholds(row) else row for row in table.rows)
    return replace(table, rows=rows)


def wave_rows(table: Table, changes: ErasureChanges, starts: Mapping[str, date]) -> Table:
    """A per-instrument-and-wave table (``instrument, side, wave, n, ...``) with the rows of each wave the erasure
    changed withheld (``ErasureChanges.wave_withholds``: that wave's own answers, not the instrument's; tester
    round 108b, 3). ``starts``: name -> first day of a wave that is not configured (a wave not there: any day)."""
    return withhold_rows(table, 3, WITHHELD, lambda row: changes.wave_withholds(row[0], row[2], starts.get(row[2])))


def evaluation_rows(table: Table, changes: ErasureChanges, starts: Mapping[str, date]) -> Table:
    """The evaluation (``instrument, from_wave, to_wave, group, n, ...``) with each row withheld whose from or to
    wave is (``wave_rows``' rule; tester round 108b, 3), every group alike (a group left showing would give the
    others back)."""
    return withhold_rows(table, 4, WITHHELD, lambda row: any(changes.wave_withholds(row[0], wave, starts.get(wave))
                                                             for wave in (row[1], row[2])))
