"""How the programme report counts the pairs at risk or fading that its at-risk table does not name, and what it says
of pair health when there was no pair to judge (tester round 120a, 2 and 5).

A pair flagged by one side's own answers alone (a survey, or meeting ratings; ``report_sections.shown_status``) is not
named in the shared report: named, it told its mentor their mentee's verdict (tester round 85b, 4). The summary counted
such pairs, "of which not named in the at-risk table (flagged by one side's own answers ...)" (tester round 87a, 6), and
in a one-pair programme that count was the naming: 1, flagged by one side's own answers, and the mentor knew their own
were fine (tester round 120a, 2).

So that count is shown only when it covers at least ``[report] min_cell`` pairs, as a wave table's mean is, and when
at least min_cell of the pairs it could cover are not among them (tester round 121a, 3: "52 of 52 pairs not named"
told every mentor, whose own answers were fine, their mentee's verdict: the complement is the disclosure there, as
with year groups). Otherwise it is withheld, and the total with it (the total less the pairs the table names gave it
back): the summary counts the named pairs, says so, and gives the range the count lies in whatever it is
(``withheld_text``: never "fewer than N" with N above the pairs it could cover; round 121a, 11). Every withheld count
reads alike: had 0 been shown as 0, "withheld" would have read "at least one". A count is shown plainly where no pair
could be one the table leaves out (every pair judged that day is named or ended, or none was judged: the health chart
tells that anyway), and as 0 where no survey answer nor meeting rating dated on or before that day exists (every
reader knows none could flag a pair; round 121a, 11).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from lmsync.service.report_model import ATTENTION

#: the summary row of the pairs the at-risk table does not name while their count is shown (tester round 87a, 6)
UNNAMED_LABEL = "of which not named in the at-risk table (flagged by one side's own answers: a survey, or meeting ratings)"


@dataclass(frozen=True)
class Unnamed:
    """The pairs at risk or fading on the health day that the at-risk table does not name.

    ``count``: how many (``report_sections.unnamed_at_risk``); ``min_cell``: ``[report] min_cell``; ``could_be``: the
    pairs judged that day that the table neither names nor counts as ended (``could_be``), among which those are;
    ``answers``: whether a survey answer or a meeting rating dated on or before that day exists
    (``store.answered_by.any_answer_by``), without which none of them could be flagged."""

    count: int = 0
    min_cell: int = 1
    could_be: int = 0
    answers: bool = True

    @property
    def withheld(self) -> bool:
        """Whether the report withholds ``count``, and the total at risk or fading with it: some pair could be one of
        them (``could_be``, and an answer that could flag it exists) while the count, or the pairs it could cover
        but does not (``could_be - count``), is below ``min_cell`` (tester rounds 120a, 2 and 121a, 3 and 11)."""
        if self.min_cell <= 1 or self.could_be <= 0 or not (self.answers or self.count):
            return False
        return self.count < self.min_cell or self.could_be - self.count < self.min_cell

    @property
    def withheld_text(self) -> str:
        """The summary's cell for a withheld count: the range it lies in, the same whatever the count (tester round
        121a, 3 and 11): "fewer than <min_cell>, or more than <could_be - min_cell>" where the two ranges leave a gap,
        else "at most <could_be>" (never "fewer than 60" of 49 pairs)."""
        if self.could_be >= 2 * self.min_cell:
            return f"fewer than {self.min_cell}, or more than {self.could_be - self.min_cell}"
        return f"at most {self.could_be}"

    @property
    def shown(self) -> int:
        """``count`` where the report shows it, else 0."""
        return 0 if self.withheld else self.count


#: no pair left unnamed: ``summary_table``'s default
NO_UNNAMED = Unnamed()


def could_be(status_counts: Sequence[tuple[date, str, int]], day: date | None) -> int:
    """The pairs of ``day``'s snapshot (``status_counts``: ``(day, status, pairs)``, each pair by the status both its
    people may read, an ended pair as ``ended``: what the health chart draws) that the at-risk table neither names nor
    counts as ended: the pairs one it does not name could be. 0 for no ``day``."""
    return sum(n for d, status, n in status_counts if d == day and status not in ATTENTION and status != "ended")


def at_risk_rows(health_day: date | None, named: int, unnamed: Unnamed, *, ended: int = 0,
                 no_pair_on: date | None = None) -> list[tuple[str, Any]]:
    """The summary's rows of the pairs at risk or fading on ``health_day`` (``named``: the at-risk table's rows), those
    ``ended`` by a coordinator apart (``report_sections.ended_still_flagged``: by the status both its people may read).
    With the ``unnamed`` count withheld, the named pairs alone, said so, and the range of the others
    (``Unnamed.withheld_text``). With no snapshot: 0 when there was no pair on the report's day to judge (``no_pair_on``:
    that day; tester round 120a, 5: "not known ... run `lmsync health`" after health had run and judged none), else
    "not known" (tester round 38, 2: an empty at_risk_today.csv read as "no pair at risk")."""
    if health_day is None:
        if no_pair_on is not None:
            return [(f"pairs at risk or fading on {no_pair_on.isoformat()}", 0)]
        return [("pairs at risk or fading", "not known: no health snapshot on or before this report's day")]
    day = health_day.isoformat()
    if unnamed.withheld:
        rows: list[tuple[str, Any]] = [
            (f"pairs at risk or fading on {day}, named in the at-risk table", named),
            (f"more at risk or fading on {day}, not named in the at-risk table (see the notes)", unnamed.withheld_text),
        ]
    else:
        rows = [(f"pairs at risk or fading on {day}", named + unnamed.count)]
        if unnamed.count:
            rows.append((UNNAMED_LABEL, unnamed.count))
    if ended:
        rows.append((f"pairs a coordinator ended, still flagged on {day} (not counted above)", ended))
    return rows


def withheld_note(day: date, unnamed: Unnamed) -> str:
    """The page's note when the count of pairs the at-risk table does not name is withheld (``Unnamed.withheld``): the
    same words whatever the count (tester round 121a, 3)."""
    return (f"The summary counts the pairs at risk or fading on {day.isoformat()} that the at-risk table names. Pairs "
            "one side's own answers alone flagged (a survey, or meeting ratings) are not named, and are counted only "
            f"when at least {unnamed.min_cell} of the {unnamed.could_be} pair(s) the table could leave out are flagged "
            f"so and at least {unnamed.min_cell} are not ([report] min_cell): here that is not so, and there may be "
            "none. A smaller count, one covering nearly every such pair, or a total less the pairs named, would tell a "
            "mentor whose pair it was their mentee's verdict. `lmsync health` and the coordinators' digest count and "
            "name them.")


def no_pair_note(day: date) -> str:
    """The page's note when there was no pair on ``day`` for ``lmsync health`` to judge, and no snapshot (it stores one
    per pair judged): none is at risk, and running health again changes nothing (tester round 120a, 5)."""
    return f"There was no pair on {day.isoformat()} for `lmsync health` to judge, so none is at risk or fading."
