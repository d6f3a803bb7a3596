"""The programme report's data model (issue 14): plain tables, and what the page says about them.

``ReportData`` is what ``lmsync.service.report.build`` returns and what the renderers draw
(``lmsync.render.report``: one HTML page, or one CSV file per ``Table``). ``ReportPeople`` is
who the report is about, as Moodle has them; ``ReportRenderer`` is how the CLI tells a
service to draw a report (a service never imports a renderer, issue 12).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

#: Health statuses in the order the report stacks them: pair health over time has a column for each, always, 0 where no
#: pair had it (a status a newer lmsync adds goes last; an old snapshot's ``new`` counts as ``ok``): its columns changed
#: from one report to the next, and a spreadsheet built on one day's file broke on another's (tester round 105b, 4).
STATUS_ORDER = ("ok", "watch", "at_risk", "fading", "ended", "closed")  # ended: by a coordinator
#: Statuses listed in "today's at-risk list".
ATTENTION = ("fading", "at_risk")
#: The instrument whose per-mentor profile the report shows (Cho et al. 2011).
QUALITIES_INSTRUMENT = "mentor_qualities"


@dataclass(frozen=True)
class Table:
    """One table of the report: ``name`` is its CSV file stem; cells are str, int, float or None."""

    name: str
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...] = ()

    def column(self, name: str) -> list[Any]:
        index = self.columns.index(name)
        return [row[index] for row in self.rows]


@dataclass(frozen=True)
class MatchedPair:
    """A current pair as the matching scored it: total score and its terms (``department``, ...)."""

    mentor_id: int
    mentee_id: int
    score: float
    terms: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class ReportPeople:
    """Who the report is about, as Moodle has them.

    ``roster``: Moodle id -> user with ``username``, ``fullname``, ``roles``, ``profile``;
    ``pairs``: the current ``(mentor, mentee)`` Moodle-id pairs; ``matched``: those pairs as
    the matching scored them; ``mentee_ids``: the Moodle ids the matching treats as mentees
    (``matching_mentee_ids``), the denominator of "share of mentees matched" (None: the
    roster's holders of a mentee role); ``away_circles``: see below.
    """

    roster: Mapping[int, Any]
    pairs: Iterable[tuple[int, int]]
    matched: Sequence[MatchedPair] = ()
    mentee_ids: Iterable[int] | None = None
    #: active mentees of a circle held while its mentor is away (``report_held.held_circle_mentees``): in no
    #: pair while the mentor is away, yet not unmatched (tester round 87a, 7a)
    away_circles: frozenset[int] = frozenset()
    #: mentees with a mentor role and a mentee role, in no circle, whom ``[matching] dual_role = "exclude"`` leaves out
    #: of matching (``report.left_out_two_roles``): counted among the mentees in the course, noted apart (tester
    #: round 114b, 1: counted nowhere, "100% matched" beside `lmsync health` naming them without a mentor)
    two_roles: frozenset[int] = frozenset()


@dataclass(frozen=True)
class ReportData:
    """Every table of the report (see ``tables``) and what the page says about them."""

    programme: str
    course: str
    as_of: date
    generated_at: str
    names: bool
    term_start: date | None
    health_day: date | None
    min_mentees: int
    health_weekly: bool
    summary: Table
    response: Table
    meetings: Table
    health: Table
    at_risk: Table
    satisfaction: Table
    self_efficacy: Table
    mentor_load: Table
    match_scores: Table
    match_terms: Table
    evaluation: Table
    qualities: Table
    mentor_qualities: Table
    notes: tuple[str, ...] = ()
    #: pairs at risk or fading the at-risk table counts without naming them (``report_sections.unnamed_at_risk``), as
    #: shown: 0 when withheld
    at_risk_unnamed: int = 0
    #: ``[report] min_cell`` when the count of those pairs, and the total at risk with it, is withheld (fewer than it,
    #: perhaps none: ``report_unnamed.Unnamed``; tester round 120a, 2), else 0
    at_risk_withheld: int = 0
    #: no health snapshot, and no pair on the report's day to judge: none at risk (tester round 120a, 5)
    no_pair_to_judge: bool = False

    def tables(self) -> list[Table]:
        return [
            self.summary,
            self.response,
            self.meetings,
            self.health,
            self.at_risk,
            self.satisfaction,
            self.self_efficacy,
            self.mentor_load,
            self.match_scores,
            self.match_terms,
            self.evaluation,
            self.qualities,
            self.mentor_qualities,
        ]


@dataclass(frozen=True)
class ReportRenderer:
    """How a report is drawn, given by the CLI (``lmsync.render.report.renderer``; issue 12).

    ``html_page``: the whole page as one HTML document; ``csv_files``: ``{file name: CSV
    text}``, one per table.
    """

    html_page: Callable[[ReportData], str]
    csv_files: Callable[[ReportData], Mapping[str, str]]


def round_cell(value: float | None, digits: int = 3) -> float | None:
    """``value`` rounded to ``digits`` for a table cell; None for None, NaN and infinities."""
    return None if value is None or not math.isfinite(value) else round(value, digits)


def percent_text(value: float | None) -> str:
    """A share (0..1) as a whole percentage, ``"n/a"`` for None."""
    return "n/a" if value is None else f"{value:.0%}"
