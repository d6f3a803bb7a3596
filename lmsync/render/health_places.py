"""What ``lmsync health`` says of the mentees' places on hold on the day it judges (tester round 109a, 1).

A mentee away (enrolment or account suspended) while their mentor is here has their place held for ``[sync]
away_mentor_hold_days``, and health leaves their pair out while they are away (``health_held.held_places``). A view
of a past day of that hold said it only while the mentee was still away ("lmsync's health record of that day left
them out too") and judged the pair once they were back. Each such pair is now named, by its mentee and circle, with
the day the hold began and its last day, in the same words whatever day the view is asked; beside it JSON's
``places_on_hold``.
"""

from __future__ import annotations

from typing import Any

from lmsync.service.health import HealthReport
from lmsync.service.labels import People


def held_places_note(report: HealthReport, people: People) -> str:
    """The text of ``HealthReport.held_places`` (non-empty), without parentheses: ``N pair(s) on hold on DAY, left
    out of the judgement: their mentee is away and their place held ...: Name (user) in Name (user)'s circle, away
    since DAY, held until DAY at the latest; ...``."""
    listed = "; ".join(f"{people.label(p.mentee_id)} in {people.label(p.pair[0])}'s circle, away since "
                       f"{p.since.isoformat()}, held until {p.until.isoformat()} at the latest"
                       for p in report.held_places)
    return (f"{len(report.held_places)} pair(s) on hold on {report.as_of.isoformat()}, left out of the judgement: "
            f"their mentee is away and their place in the circle held ([sync] away_mentor_hold_days): {listed}")


def held_places_json(report: HealthReport, people: People) -> list[dict[str, Any]]:
    """JSON's ``places_on_hold``: per held place, ``pair`` ("mentor-mentee" ids, as ``pairs``), ``mentee`` and
    ``mentor`` (``People.as_json``), ``since`` and ``until`` (dates)."""
    return [{"pair": f"{p.pair[0]}-{p.pair[1]}", "mentee": people.as_json(p.mentee_id),
             "mentor": people.as_json(p.pair[0]), "since": p.since, "until": p.until} for p in report.held_places]
